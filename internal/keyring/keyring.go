// Package keyring encrypts the clinical free text of medconseil at rest with
// AES-256-GCM, so that a copy of the database file reveals no clinical text.
// A keyring holds one active key, used to encrypt, and older keys kept to decrypt
// until a rotation has re-encrypted everything.
package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Key is one AES-256 key with its identifier.
type Key struct {
	ID   string
	aead cipher.AEAD
	raw  []byte
}

// Keyring is the set of keys; the first is active. A running server swaps in the
// keys of a rotated file with Replace; its methods are safe for concurrent use.
type Keyring struct {
	mu      sync.RWMutex
	keys    []*Key
	missing func() error // called when a value names a key the ring lacks
}

func (kr *Keyring) ring() []*Key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.keys
}

// Replace swaps in the keys of next: a server picks up a rotated key file without
// restarting.
func (kr *Keyring) Replace(next *Keyring) {
	keys := next.ring()
	kr.mu.Lock()
	kr.keys = keys
	kr.mu.Unlock()
}

// Add appends the keys of next that the ring lacks, keeping its active key: a
// value sealed by a newer key decrypts before the new file has been verified.
func (kr *Keyring) Add(next *Keyring) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	keys := append([]*Key(nil), kr.keys...)
	for _, k := range next.ring() {
		found := false
		for _, o := range keys {
			found = found || o.ID == k.ID
		}
		if !found {
			keys = append(keys, k)
		}
	}
	kr.keys = keys
}

// OnMissing registers fn, called when Decrypt meets a key the ring lacks (a
// rotation has just written a new key to the file); Decrypt then tries once more.
func (kr *Keyring) OnMissing(fn func() error) {
	kr.mu.Lock()
	kr.missing = fn
	kr.mu.Unlock()
}

// prefix marks an encrypted value: "enc1:<key id>:<base64(nonce|ciphertext)>".
const prefix = "enc1:"

// Generate returns a keyring text with one new key, in the file format Parse reads.
func Generate(id string, r io.Reader) (string, error) {
	raw := make([]byte, 32)
	if _, err := io.ReadFull(r, raw); err != nil {
		return "", err
	}
	return id + ":" + base64.StdEncoding.EncodeToString(raw) + "\n", nil
}

// Parse reads a keyring: one key per line, "id:base64(32 bytes)", the first line being
// the active key; blank lines and lines starting with # are ignored.
func Parse(text string) (*Keyring, error) {
	kr := &Keyring{}
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, b64, ok := strings.Cut(line, ":")
		if !ok || id == "" || strings.ContainsAny(id, " :") {
			return nil, fmt.Errorf("clés de chiffrement, ligne %d : attendu « identifiant:clé en base64 »", i+1)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("clés de chiffrement, ligne %d : la clé %q doit faire 32 octets en base64", i+1, id)
		}
		if seen[id] {
			return nil, fmt.Errorf("clés de chiffrement, ligne %d : identifiant %q en double", i+1, id)
		}
		seen[id] = true
		k, err := newKey(id, raw)
		if err != nil {
			return nil, err
		}
		kr.keys = append(kr.keys, k)
	}
	if len(kr.keys) == 0 {
		return nil, errors.New("clés de chiffrement : aucune clé")
	}
	return kr, nil
}

// Load reads a keyring from a file (mode 0600 expected).
func Load(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lecture des clés de chiffrement : %w", err)
	}
	return Parse(string(b))
}

func newKey(id string, raw []byte) (*Key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{ID: id, aead: aead, raw: bytes.Clone(raw)}, nil
}

// Active returns the identifier of the key used to encrypt.
func (kr *Keyring) Active() string { return kr.ring()[0].ID }

// IDs returns the key identifiers, active first.
func (kr *Keyring) IDs() []string {
	keys := kr.ring()
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

// Encrypt seals plaintext with the active key. The empty string stays empty, so
// that "no motif" needs no ciphertext. aad binds the value to its place (table,
// column and row), so a ciphertext moved to another row does not decrypt.
func (kr *Keyring) Encrypt(plaintext, aad string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	k := kr.ring()[0]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return prefix + k.ID + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value sealed by Encrypt with whichever key of the ring sealed it.
func (kr *Keyring) Decrypt(value, aad string) (string, error) {
	if value == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return "", errors.New("valeur chiffrée illisible")
	}
	id, b64, ok := strings.Cut(rest, ":")
	if !ok {
		return "", errors.New("valeur chiffrée illisible")
	}
	k := kr.key(id)
	if k == nil {
		kr.mu.RLock()
		reload := kr.missing
		kr.mu.RUnlock()
		if reload != nil && reload() == nil {
			k = kr.key(id)
		}
	}
	if k == nil {
		return "", fmt.Errorf("clé de chiffrement %q absente du trousseau", id)
	}
	sealed, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(sealed) < k.aead.NonceSize() {
		return "", errors.New("valeur chiffrée illisible")
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return "", fmt.Errorf("déchiffrement impossible avec la clé %q : %w", id, err)
	}
	return string(plain), nil
}

// KeyOf returns the identifier of the key that sealed value, "" for an empty value.
func KeyOf(value string) string {
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return id
}

func (kr *Keyring) key(id string) *Key {
	for _, k := range kr.ring() {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// Text returns the keyring in its file format, active key first.
func (kr *Keyring) Text() string {
	var b strings.Builder
	for _, k := range kr.ring() {
		b.WriteString(k.ID + ":" + base64.StdEncoding.EncodeToString(k.raw) + "\n")
	}
	return b.String()
}

// MACKey is the key of the audit journal's chain (HMAC-SHA256). It lives in its own
// file, outside the database, so that whoever can write to the database cannot
// recompute the chain after altering it. The file format is the keyring's
// ("id:base64(32 bytes)"), with one key; it is never rotated, since it seals a chain
// that runs from the first entry.
type MACKey struct {
	ID  string
	raw []byte
}

// ParseMACKey reads an audit key text.
func ParseMACKey(text string) (*MACKey, error) {
	kr, err := Parse(text)
	if err != nil {
		return nil, fmt.Errorf("clé du journal d'audit : %w", err)
	}
	if len(kr.keys) != 1 {
		return nil, errors.New("clé du journal d'audit : le fichier doit contenir exactement une clé")
	}
	return &MACKey{ID: kr.keys[0].ID, raw: kr.keys[0].raw}, nil
}

// LoadMACKey reads an audit key file.
func LoadMACKey(path string) (*MACKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lecture de la clé du journal d'audit : %w", err)
	}
	return ParseMACKey(string(b))
}

// Sum returns the hex HMAC-SHA256 of the fields, each length-prefixed so that no two
// different field lists share a text; domain separates the uses of the key.
func (k *MACKey) Sum(domain string, fields ...string) string {
	h := hmac.New(sha256.New, k.raw)
	fmt.Fprintf(h, "%d:%s;", len(domain), domain)
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Equal compares two hex MACs in constant time.
func Equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
