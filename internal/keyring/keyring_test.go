package keyring_test

import (
	"bytes"
	"strings"
	"testing"

	"medconseil/internal/keyring"
)

func ring(t *testing.T, ids ...string) *keyring.Keyring {
	t.Helper()
	var text string
	for i, id := range ids {
		k, err := keyring.Generate(id, bytes.NewReader(bytes.Repeat([]byte{byte(i + 1)}, 32)))
		if err != nil {
			t.Fatal(err)
		}
		text += k
	}
	kr, err := keyring.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestSealAndOpen(t *testing.T) {
	kr := ring(t, "a")
	sealed, err := kr.Encrypt("lombosciatique L5", "arret:1:libelle")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "lombo") || keyring.KeyOf(sealed) != "a" {
		t.Fatalf("sealed value %q", sealed)
	}
	again, _ := kr.Encrypt("lombosciatique L5", "arret:1:libelle")
	if again == sealed {
		t.Error("two encryptions of the same text are identical: the nonce is not random")
	}
	if got, err := kr.Decrypt(sealed, "arret:1:libelle"); err != nil || got != "lombosciatique L5" {
		t.Errorf("Decrypt = %q, %v", got, err)
	}
	// Moved to another row or column, the value no longer opens.
	if _, err := kr.Decrypt(sealed, "arret:2:libelle"); err == nil {
		t.Error("a value moved to another row decrypted")
	}
	// One altered character breaks authentication.
	b := []byte(sealed)
	b[len(b)-3] ^= 1
	if _, err := kr.Decrypt(string(b), "arret:1:libelle"); err == nil {
		t.Error("an altered value decrypted")
	}
	if v, err := kr.Encrypt("", "x"); err != nil || v != "" {
		t.Errorf("empty text sealed as %q", v)
	}
}

func TestRotationKeepsOldKeysReadable(t *testing.T) {
	oldText, _ := keyring.Generate("old", bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	newText, _ := keyring.Generate("new", bytes.NewReader(bytes.Repeat([]byte{2}, 32)))
	old, _ := keyring.Parse(oldText)
	sealed, _ := old.Encrypt("F32.1", "arret:7:cim10")
	rotated, err := keyring.Parse(newText + oldText)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Active() != "new" {
		t.Fatalf("active key %s, want the first line's", rotated.Active())
	}
	if got, err := rotated.Decrypt(sealed, "arret:7:cim10"); err != nil || got != "F32.1" {
		t.Errorf("old value with the rotated ring: %q, %v", got, err)
	}
	resealed, _ := rotated.Encrypt("F32.1", "arret:7:cim10")
	if keyring.KeyOf(resealed) != "new" {
		t.Errorf("new values sealed with %s", keyring.KeyOf(resealed))
	}
	onlyNew, _ := keyring.Parse(newText)
	if _, err := onlyNew.Decrypt(sealed, "arret:7:cim10"); err == nil || !strings.Contains(err.Error(), "absente") {
		t.Errorf("a value sealed by a key absent from the ring: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "a:notbase64!\n", "a:AAAA\n", "sans-separateur\n", "a:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\na:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"} {
		if _, err := keyring.Parse(text); err == nil {
			t.Errorf("Parse(%q) accepted", text)
		}
	}
}

// FuzzParse: the key file parsers never panic, and what they accept round-trips.
func FuzzParse(f *testing.F) {
	f.Add("test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
	f.Add("# commentaire\n\na:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nb:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n")
	f.Add("a:b:c\n")
	f.Add(":\n")
	f.Fuzz(func(t *testing.T, text string) {
		kr, err := keyring.Parse(text)
		if err == nil {
			again, err := keyring.Parse(kr.Text())
			if err != nil || again.Active() != kr.Active() || len(again.IDs()) != len(kr.IDs()) {
				t.Fatalf("round trip of %q: %v", text, err)
			}
		}
		if k, err := keyring.ParseMACKey(text); err == nil && k.Sum("d", "x") == k.Sum("d", "y") {
			t.Fatal("MAC does not depend on its input")
		}
	})
}
