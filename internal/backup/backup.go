// Package backup is the encrypted container of medconseil's backups: the database
// dump (internal/sqldb) streamed through AES-256-GCM in chunks whose order and end
// are authenticated, under a backup key distinct from the keys of clinical data, and
// closed by a manifest (version, migrations, per-table counts, SHA-256 of the dump,
// last journal entry).
//
// File layout:
//
//	"MEDCONSEIL-SAUVEGARDE-1\n"
//	uint16 length, header JSON {format, cle (key fingerprint), id (random, 16 bytes), bloc}
//	chunks: uint32 length, AES-256-GCM ciphertext
//
// Chunk i is sealed with a per-file key HMAC-SHA256(backup key, "medconseil
// sauvegarde v1" ‖ id), nonce = 0⁴ ‖ i (big endian), and associated data
// SHA-256(magic ‖ header) ‖ i ‖ final flag. Reordering, removing, duplicating or
// altering a chunk, changing the header, or cutting the file anywhere fails
// authentication; the last chunk (final flag 1) holds the manifest, so a file that
// ends without it is truncated.
package backup

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"

	"medconseil/internal/sqldb"
)

// Magic starts every backup file.
const Magic = "MEDCONSEIL-SAUVEGARDE-1\n"

// ChunkSize is the plaintext size of a chunk.
const ChunkSize = 1 << 20

const keyPrefix = "medconseil-sauvegarde-v1:"

// Key is a backup key: 32 random bytes, kept in a file of its own, never with the
// keys of clinical data nor in the database.
type Key struct {
	raw [32]byte
}

// GenerateKey returns the text of a new key file.
func GenerateKey(r io.Reader) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return keyPrefix + base64.StdEncoding.EncodeToString(b[:]) + "\n", nil
}

// ParseKey reads the text of a key file.
func ParseKey(text string) (*Key, error) {
	line := strings.TrimSpace(text)
	if !strings.HasPrefix(line, keyPrefix) {
		return nil, errors.New("clé de sauvegarde illisible : le fichier doit contenir une ligne « medconseil-sauvegarde-v1:… » (« medconseil backup keygen » en crée une ; un trousseau de données cliniques n'est pas une clé de sauvegarde)")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, keyPrefix))
	if err != nil || len(raw) != 32 {
		return nil, errors.New("clé de sauvegarde illisible : 32 octets en base64 attendus après « medconseil-sauvegarde-v1: »")
	}
	k := &Key{}
	copy(k.raw[:], raw)
	return k, nil
}

// LoadKey reads a key file.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("clé de sauvegarde : %w", err)
	}
	return ParseKey(string(b))
}

// Raw returns the key bytes (to check it is not one of the data keys).
func (k *Key) Raw() []byte { return k.raw[:] }

// Fingerprint names the key without revealing it: the first 8 bytes of
// HMAC-SHA256(key, "empreinte"), in hex.
func (k *Key) Fingerprint() string {
	m := hmac.New(sha256.New, k.raw[:])
	m.Write([]byte("empreinte"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

func (k *Key) fileAEAD(id []byte) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, k.raw[:])
	m.Write([]byte("medconseil sauvegarde v1"))
	m.Write(id)
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

type header struct {
	Format int    `json:"format"`
	Cle    string `json:"cle"`
	ID     string `json:"id"`
	Bloc   int    `json:"bloc"`
}

// Manifest closes a backup: what it holds and how to check it.
type Manifest struct {
	Format  int       `json:"format"`
	Version string    `json:"version"` // of the medconseil binary that made it
	CreeLe  time.Time `json:"cree_le"`
	Cle     string    `json:"cle"`    // fingerprint of the backup key
	SHA256  string    `json:"sha256"` // of the dump (plaintext)
	Octets  int64     `json:"octets"` // size of the dump
	Duree   string    `json:"duree,omitempty"`
	sqldb.DumpInfo
}

// Writer encrypts a dump as it is written.
type Writer struct {
	w       *bufio.Writer
	aead    cipher.AEAD
	aad     []byte // SHA-256 of magic and header, then counter and flag
	buf     []byte
	out     []byte
	counter uint64
	sum     hash.Hash
	n       int64
	key     *Key
	closed  bool
}

// NewWriter writes the header of a new backup to w.
func NewWriter(w io.Writer, k *Key) (*Writer, error) {
	return newWriterSize(w, k, ChunkSize)
}

func newWriterSize(w io.Writer, k *Key, size int) (*Writer, error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	h, err := json.Marshal(header{Format: 1, Cle: k.Fingerprint(), ID: base64.StdEncoding.EncodeToString(id), Bloc: size})
	if err != nil {
		return nil, err
	}
	aead, err := k.fileAEAD(id)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(Magic)
	binary.Write(bw, binary.BigEndian, uint16(len(h)))
	if _, err := bw.Write(h); err != nil {
		return nil, err
	}
	hs := sha256.New()
	hs.Write([]byte(Magic))
	hs.Write(h)
	return &Writer{w: bw, aead: aead, aad: hs.Sum(nil), buf: make([]byte, 0, size), sum: sha256.New(), key: k}, nil
}

// Write encrypts p.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("sauvegarde déjà close")
	}
	w.sum.Write(p)
	w.n += int64(len(p))
	total := len(p)
	for len(p) > 0 {
		n := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+n]
		p = p[n:]
		if len(w.buf) == cap(w.buf) {
			if err := w.seal(w.buf, false); err != nil {
				return 0, err
			}
			w.buf = w.buf[:0]
		}
	}
	return total, nil
}

func (w *Writer) seal(plain []byte, final bool) error {
	nonce := make([]byte, w.aead.NonceSize())
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], w.counter)
	w.out = w.aead.Seal(w.out[:0], nonce, plain, chunkAAD(w.aad, w.counter, final))
	w.counter++
	if err := binary.Write(w.w, binary.BigEndian, uint32(len(w.out))); err != nil {
		return err
	}
	_, err := w.w.Write(w.out)
	return err
}

func chunkAAD(base []byte, counter uint64, final bool) []byte {
	a := make([]byte, 0, len(base)+9)
	a = append(a, base...)
	a = binary.BigEndian.AppendUint64(a, counter)
	if final {
		return append(a, 1)
	}
	return append(a, 0)
}

// Close seals the rest of the dump, completes m (format, key, SHA-256, size) and
// writes it as the final chunk. It does not close the underlying writer.
func (w *Writer) Close(m *Manifest) error {
	if w.closed {
		return errors.New("sauvegarde déjà close")
	}
	w.closed = true
	if len(w.buf) > 0 {
		if err := w.seal(w.buf, false); err != nil {
			return err
		}
	}
	m.Format = 1
	m.Cle = w.key.Fingerprint()
	m.SHA256 = hex.EncodeToString(w.sum.Sum(nil))
	m.Octets = w.n
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := w.seal(b, true); err != nil {
		return err
	}
	return w.w.Flush()
}

// Error is a refusal to read a backup, in French.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func refuse(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Reader decrypts a backup. Each chunk is authenticated before any of its bytes is
// returned; the dump ends (io.EOF) only after the final chunk has been
// authenticated and the dump's SHA-256 matches the manifest.
type Reader struct {
	r        *bufio.Reader
	aead     cipher.AEAD
	aad      []byte
	counter  uint64
	plain    []byte
	rest     []byte
	sum      hash.Hash
	manifest *Manifest
	in       []byte
	bloc     int
}

// NewReader reads the header of a backup and checks the key is the one it was made
// with.
func NewReader(r io.Reader, k *Key) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(Magic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != Magic {
		return nil, refuse("ce fichier n'est pas une sauvegarde medconseil (en-tête « MEDCONSEIL-SAUVEGARDE-1 » absent)")
	}
	var hl uint16
	if err := binary.Read(br, binary.BigEndian, &hl); err != nil {
		return nil, refuse("sauvegarde tronquée : en-tête incomplet")
	}
	hb := make([]byte, hl)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, refuse("sauvegarde tronquée : en-tête incomplet")
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil || h.Format != 1 || h.Bloc <= 0 || h.Bloc > 64<<20 {
		return nil, refuse("sauvegarde illisible : en-tête altéré ou format inconnu")
	}
	if subtle.ConstantTimeCompare([]byte(h.Cle), []byte(k.Fingerprint())) != 1 {
		return nil, refuse("mauvaise clé de sauvegarde : ce fichier a été chiffré avec la clé d'empreinte %s, la clé donnée a l'empreinte %s", h.Cle, k.Fingerprint())
	}
	id, err := base64.StdEncoding.DecodeString(h.ID)
	if err != nil || len(id) != 16 {
		return nil, refuse("sauvegarde illisible : en-tête altéré")
	}
	aead, err := k.fileAEAD(id)
	if err != nil {
		return nil, err
	}
	hs := sha256.New()
	hs.Write([]byte(Magic))
	hs.Write(hb)
	return &Reader{r: br, aead: aead, aad: hs.Sum(nil), sum: sha256.New(), bloc: h.Bloc}, nil
}

// Read returns decrypted, authenticated dump bytes.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		if r.manifest != nil {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

func (r *Reader) next() error {
	var l uint32
	if err := binary.Read(r.r, binary.BigEndian, &l); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return refuse("sauvegarde tronquée : le fichier s'arrête après le bloc n° %d, avant le manifeste final", r.counter)
		}
		return err
	}
	if int64(l) > int64(r.bloc)+int64(r.aead.Overhead())+1<<20 {
		return refuse("sauvegarde corrompue : bloc n° %d de taille impossible (%d octets)", r.counter+1, l)
	}
	if cap(r.in) < int(l) {
		r.in = make([]byte, l)
	}
	r.in = r.in[:l]
	if _, err := io.ReadFull(r.r, r.in); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return refuse("sauvegarde tronquée : le bloc n° %d est incomplet", r.counter+1)
		}
		return err
	}
	nonce := make([]byte, r.aead.NonceSize())
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], r.counter)
	plain, err := r.aead.Open(r.plain[:0], nonce, r.in, chunkAAD(r.aad, r.counter, false))
	final := false
	if err != nil {
		plain, err = r.aead.Open(r.plain[:0], nonce, r.in, chunkAAD(r.aad, r.counter, true))
		final = true
	}
	if err != nil {
		return refuse("sauvegarde altérée ou corrompue : le bloc n° %d ne s'authentifie pas (contenu modifié, blocs déplacés ou en-tête changé)", r.counter+1)
	}
	r.counter++
	if !final {
		r.plain = plain
		r.rest = plain
		r.sum.Write(plain)
		return nil
	}
	var m Manifest
	if err := json.Unmarshal(plain, &m); err != nil {
		return refuse("sauvegarde illisible : manifeste illisible")
	}
	if _, err := r.r.ReadByte(); !errors.Is(err, io.EOF) {
		return refuse("sauvegarde altérée : des données suivent le manifeste final")
	}
	if got := hex.EncodeToString(r.sum.Sum(nil)); got != m.SHA256 {
		return refuse("sauvegarde altérée : l'empreinte SHA-256 du contenu (%s) n'est pas celle du manifeste (%s)", got, m.SHA256)
	}
	r.manifest = &m
	return nil
}

// Manifest returns the manifest once the whole dump has been read (nil before).
func (r *Reader) Manifest() *Manifest { return r.manifest }

// ReadManifest reads a whole backup, checking every chunk, and returns its manifest.
func ReadManifest(r io.Reader, k *Key) (*Manifest, error) {
	br, err := NewReader(r, k)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, err
	}
	return br.Manifest(), nil
}
