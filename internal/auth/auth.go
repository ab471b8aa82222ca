// Package auth holds the credentials of medconseil: argon2id password hashes,
// random session and API tokens (stored only as SHA-256 digests), and the login
// throttling policy.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters (RFC 9106 second recommended option,
// memory reduced to 64 MiB for a 2-core server).
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams are used for new hashes.
var DefaultParams = Params{Time: 3, Memory: 64 * 1024, Threads: 2}

// HashPassword returns a PHC-format argon2id hash of password.
func HashPassword(password string, p Params) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPasswordPolicy refuses passwords too short to resist guessing.
func CheckPasswordPolicy(password string) error {
	if len([]rune(password)) < 8 {
		return errors.New("mot de passe trop court : 8 caractères au moins")
	}
	if len(password) > 1024 {
		return errors.New("mot de passe trop long : 1024 octets au plus")
	}
	return nil
}

// VerifyPassword reports whether password matches a hash made by HashPassword, in
// constant time.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(password) > 1024 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash makes a failed login for an unknown account cost as much as a wrong
// password, so timing does not reveal which logins exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("compte-inexistant-0000", DefaultParams)
	return h
})

// BurnTime spends the cost of one verification.
func BurnTime(password string) { VerifyPassword(dummyHash(), password) }

// NewToken returns a random 256-bit token, URL-safe, and its digest for storage.
func NewToken() (token, digest string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Digest(token), nil
}

// Digest returns the SHA-256 hex digest under which a token is stored: a stolen
// database yields no usable session or API token.
func Digest(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}
