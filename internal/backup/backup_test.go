package backup

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
)

func testKey(t *testing.T) *Key {
	t.Helper()
	text, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sealed returns a backup of plain in chunks of 1 KiB, and the offsets of its chunks.
func sealed(t *testing.T, k *Key, plain []byte) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	w, err := newWriterSize(&buf, k, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Version: "test", DumpInfo: sqldb.DumpInfo{Tables: []sqldb.TableCount{{Name: "dossier", Rows: 3}}}}
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	hl := int(binary.BigEndian.Uint16(b[len(Magic):]))
	var offs []int
	for o := len(Magic) + 2 + hl; o < len(b); o += 4 + int(binary.BigEndian.Uint32(b[o:])) {
		offs = append(offs, o)
	}
	return b, offs
}

func read(k *Key, b []byte) ([]byte, *Manifest, error) {
	r, err := NewReader(bytes.NewReader(b), k)
	if err != nil {
		return nil, nil, err
	}
	out, err := io.ReadAll(r)
	return out, r.Manifest(), err
}

func TestRoundTrip(t *testing.T) {
	k := testKey(t)
	plain := make([]byte, 3500)
	rand.Read(plain)
	b, offs := sealed(t, k, plain)
	if len(offs) != 5 { // 4 data chunks + the manifest
		t.Fatalf("%d chunks, want 5", len(offs))
	}
	got, m, err := read(k, b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatal("decrypted dump differs")
	}
	if m == nil || m.Count("dossier") != 3 || m.Octets != 3500 || m.Cle != k.Fingerprint() || len(m.SHA256) != 64 {
		t.Fatalf("manifest = %+v", m)
	}
	if bytes.Contains(b, plain[:64]) {
		t.Fatal("plaintext visible in the file")
	}
}

// TestRefusals: every way of damaging a backup is refused with a French message
// before the damaged part is returned.
func TestRefusals(t *testing.T) {
	k := testKey(t)
	plain := make([]byte, 3500)
	rand.Read(plain)
	b, offs := sealed(t, k, plain)
	chunk := func(i int) []byte {
		end := len(b)
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		return b[offs[i]:end]
	}
	swap := append(append(append(append([]byte{}, b[:offs[1]]...), chunk(2)...), chunk(1)...), b[offs[3]:]...)
	drop := append(append([]byte{}, b[:offs[1]]...), b[offs[2]:]...)
	dup := append(append(append([]byte{}, b[:offs[2]]...), chunk(1)...), b[offs[2]:]...)
	flip := append([]byte{}, b...)
	flip[offs[2]+100] ^= 1
	hdr := append([]byte{}, b...)
	hdr[len(Magic)+2+3] ^= 1 // inside the header JSON
	noFinal := append([]byte{}, b[:offs[4]]...)
	extra := append(append([]byte{}, b...), 0)

	cases := []struct {
		name string
		file []byte
		key  *Key
		want string
	}{
		{"wrong key", b, testKey(t), "mauvaise clé de sauvegarde"},
		{"not a backup", []byte("SQLite format 3\x00 …"), k, "n'est pas une sauvegarde"},
		{"chunks swapped", swap, k, "altérée"},
		{"chunk removed", drop, k, "altérée"},
		{"chunk duplicated", dup, k, "altérée"},
		{"bit flipped", flip, k, "bloc n° 3"},
		{"header changed", hdr, k, ""},
		{"manifest cut off", noFinal, k, "tronquée"},
		{"bytes after the end", extra, k, "des données suivent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := read(c.key, c.file)
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("read = %v, want a refusal", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("message %q does not say %q", err, c.want)
			}
		})
	}
	// Cut anywhere: always refused, never a clean EOF.
	for cut := 0; cut < len(b); cut += 37 {
		if _, _, err := read(k, b[:cut]); err == nil {
			t.Fatalf("a backup cut at byte %d of %d was accepted", cut, len(b))
		}
	}
}

func TestParseKeyRefusesDataKeyring(t *testing.T) {
	if _, err := ParseKey("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"); err == nil || !strings.Contains(err.Error(), "clé de sauvegarde illisible") {
		t.Fatalf("ParseKey(data keyring) = %v", err)
	}
}
