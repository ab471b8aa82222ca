package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	if _, err := auth.HashPassword("", cheap); err == nil {
		t.Error("an empty password was hashed")
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		password, login string
		ok              bool
	}{
		{"Tr3s-l0ng-et-rare!", "praticien.67", true},
		{"onze-caract", "x", false},                   // 11 characters
		{"éèàùçéèàùçéè", "x", true},                   // 12 characters, 24 bytes
		{"praticien.67", "praticien.67", false},       // the login
		{"PRATICIEN.67-2026!", "praticien.67", false}, // contains the login
		{"1qaz2wsx3edc", "x", false},                  // common (SecLists)
		{"AZERTYUIOP123", "x", false},                 // common, other case
		{"motdepasse123", "x", false},                 // common in French
		{"pas\x00denul-ici", "x", false},
		{strings.Repeat("a", 1025), "x", false},
	} {
		err := auth.CheckPasswordPolicy(c.password, c.login)
		if (err == nil) != c.ok {
			t.Errorf("CheckPasswordPolicy(%q, %q) = %v, want ok=%v", c.password, c.login, err, c.ok)
		}
	}
}

func TestThrottleDelay(t *testing.T) {
	th := auth.Throttle{Free: 3, Base: 2 * time.Second, Max: 15 * time.Minute}
	for n, want := range map[int]time.Duration{1: 0, 3: 0, 4: 2 * time.Second, 5: 4 * time.Second, 6: 8 * time.Second, 20: 15 * time.Minute, 1000: 15 * time.Minute} {
		if got := th.Delay(n); got != want {
			t.Errorf("Delay(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestHasherBound checks the semaphore: never more than Parallel hashes at once,
// callers beyond the queue refused at once with ErrBusy, a cancelled waiter leaves.
func TestHasherBound(t *testing.T) {
	h := auth.NewHasher(cheap, 2, 3)
	hash, _ := auth.HashPassword("correct horse battery", cheap)
	var running, peak, busy atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := h.VerifyProbe(context.Background(), hash, "correct horse battery", func() {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				running.Add(-1)
			})
			if errors.Is(err, auth.ErrBusy) {
				busy.Add(1)
			} else if err != nil || !ok {
				t.Errorf("verify: %v %v", ok, err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Errorf("%d hashes ran at once, want at most 2", p)
	}
	if busy.Load() == 0 {
		t.Error("40 callers on 2 slots + 3 waiting: none refused")
	}
	// A cancelled caller does not wait for a slot.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	block := make(chan struct{})
	h2 := auth.NewHasher(cheap, 1, 5)
	go h2.VerifyProbe(context.Background(), hash, "x", func() { <-block })
	time.Sleep(20 * time.Millisecond)
	if _, err := h2.Verify(ctx, hash, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v, want context.Canceled", err)
	}
	close(block)
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
