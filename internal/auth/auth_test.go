package auth_test

import (
	"strings"
	"testing"

	"medconseil/internal/auth"
)

var cheap = auth.Params{Time: 1, Memory: 1024, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("hash %q", h)
	}
	if !auth.VerifyPassword(h, "correct horse") {
		t.Error("the right password is refused")
	}
	for _, wrong := range []string{"correct hors", "Correct horse", "", strings.Repeat("x", 2000)} {
		if auth.VerifyPassword(h, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x$c2FsdA$aGFzaA", h[:len(h)-2] + "AA"} {
		if auth.VerifyPassword(bad, "correct horse") {
			t.Errorf("malformed or altered hash %q verified", bad)
		}
	}
	h2, _ := auth.HashPassword("correct horse", cheap)
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if _, err := auth.HashPassword("court", cheap); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

func TestTokens(t *testing.T) {
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) < 40 || auth.Digest(tok) != digest || strings.Contains(digest, tok) {
		t.Errorf("token %q digest %q", tok, digest)
	}
	other, _, _ := auth.NewToken()
	if other == tok {
		t.Error("two tokens are equal")
	}
}
