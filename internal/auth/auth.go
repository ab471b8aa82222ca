// Package auth holds the credentials of medconseil: argon2id password hashes,
// random session and API tokens (stored only as SHA-256 digests), and the login
// throttling policy.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

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

// HashPassword returns a PHC-format argon2id hash of password. It checks only the
// bounds every stored password obeys; CheckPasswordPolicy decides what a new
// password must be.
func HashPassword(password string, p Params) (string, error) {
	if password == "" {
		return "", errors.New("mot de passe vide")
	}
	if len(password) > MaxPasswordBytes {
		return "", fmt.Errorf("mot de passe trop long : %d octets au plus", MaxPasswordBytes)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// MinPasswordRunes is the shortest password accepted (ANSSI recommends 12 characters
// at least for a password protecting sensitive data, when no other factor is used).
const MinPasswordRunes = 12

// MaxPasswordBytes bounds the input of argon2.
const MaxPasswordBytes = 1024

//go:embed mots-de-passe-courants.txt
var commonText string

// common is the set of common passwords, lowercased.
var common = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 10100)
	for _, line := range strings.Split(commonText, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// CheckPasswordPolicy refuses a new password that is guessable: shorter than 12
// characters, the login itself (or containing it), or in the list of common
// passwords shipped in mots-de-passe-courants.txt. Messages are French.
func CheckPasswordPolicy(password, login string) error {
	if !utf8.ValidString(password) || strings.ContainsRune(password, 0) {
		return errors.New("mot de passe illisible : caractères invalides")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordRunes {
		return fmt.Errorf("mot de passe trop court : %d caractères au moins (%d donnés)", MinPasswordRunes, n)
	}
	if len(password) > MaxPasswordBytes {
		return fmt.Errorf("mot de passe trop long : %d octets au plus", MaxPasswordBytes)
	}
	lp := strings.ToLower(password)
	if l := strings.ToLower(strings.TrimSpace(login)); l != "" && (lp == l || (len(l) >= 4 && strings.Contains(lp, l))) {
		return errors.New("le mot de passe ne doit pas contenir l'identifiant")
	}
	if common()[lp] {
		return errors.New("ce mot de passe figure dans la liste des mots de passe les plus courants : choisissez-en un autre")
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
	if err1 != nil || err2 != nil || len(want) == 0 || len(password) > MaxPasswordBytes {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ErrBusy is returned when too many password checks already wait for a slot.
var ErrBusy = errors.New("auth: too many password checks waiting")

// Hasher runs argon2id under a bound: at most Parallel hashes at once (each takes
// Params.Memory), and at most MaxWaiting callers queued; beyond that a caller gets
// ErrBusy at once instead of piling up memory and goroutines. A login flood thus
// costs the server a fixed amount of memory and CPU.
type Hasher struct {
	Params     Params
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
	dummy      func() string
}

// NewHasher returns a hasher running at most parallel hashes, with at most
// maxWaiting callers queued.
func NewHasher(p Params, parallel, maxWaiting int) *Hasher {
	if parallel < 1 {
		parallel = 1
	}
	h := &Hasher{Params: p, slots: make(chan struct{}, parallel), maxWaiting: int64(maxWaiting)}
	// dummy makes a failed login for an unknown account cost as much as a wrong
	// password, so timing does not reveal which logins exist.
	h.dummy = sync.OnceValue(func() string {
		d, _ := HashPassword("compte-inexistant-0000", p)
		return d
	})
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	if h.waiting.Add(1) > h.maxWaiting+int64(cap(h.slots)) {
		h.waiting.Add(-1)
		return ErrBusy
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		h.waiting.Add(-1)
		return ctx.Err()
	}
}

func (h *Hasher) release() {
	<-h.slots
	h.waiting.Add(-1)
}

// Hash hashes a password within the bound.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPassword(password, h.Params)
}

// Verify checks a password against a hash within the bound.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	return VerifyPassword(hash, password), nil
}

// Burn spends the cost of one verification (unknown login), within the bound.
func (h *Hasher) Burn(ctx context.Context, password string) error {
	d := h.dummy()
	_, err := h.Verify(ctx, d, password)
	return err
}

// Throttle is a progressive delay: after Free failures, each further failure makes
// the next attempt wait Base, then twice as long, up to Max. Failures older than
// Forget are forgotten. Progressive delays slow a guesser without locking anybody
// out for long, where a lockout lets anyone lock a whole site out.
type Throttle struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// Delay returns how long to wait after the n-th consecutive failure.
func (t Throttle) Delay(n int) time.Duration {
	if n <= t.Free || t.Base <= 0 {
		return 0
	}
	d := t.Base
	for i := t.Free + 1; i < n && d < t.Max; i++ {
		d *= 2
	}
	return min(d, t.Max)
}

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
