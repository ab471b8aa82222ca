package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"medconseil/internal/sqldb/sqldbtest"
)

// TestBenchIntakeOnNamedBase: bench intake --db runs on a new SQLite file (it
// panicked: a nil server was closed), again on the same file once it exists, and on
// a PostgreSQL URL; every request succeeds.
func TestBenchIntakeOnNamedBase(t *testing.T) {
	bases := map[string]string{"sqlite": filepath.Join(t.TempDir(), "sous", "bench.db")}
	if testing.Short() {
		t.Skip("short")
	}
	t.Run("postgres", func(t *testing.T) {
		dsn, _ := sqldbtest.EmptyPostgres(t)
		sum := sha256.Sum256([]byte(dsn))
		t.Cleanup(func() { os.RemoveAll(filepath.Join(os.TempDir(), "medconseil-bench-pg-"+hex.EncodeToString(sum[:8]))) })
		benchTwice(t, dsn)
	})
	t.Run("sqlite", func(t *testing.T) { benchTwice(t, bases["sqlite"]) })
}

func benchTwice(t *testing.T, dsn string) {
	ok := regexp.MustCompile(`requêtes réussies : [1-9][0-9]* \(échecs : 0\)`)
	for round := 0; round < 2; round++ {
		e, out, errw := testEnv("", nil)
		err := run(context.Background(), e, []string{"bench", "intake", "--types", "--db", dsn, "--clients", "4", "--duration", "300ms"})
		if err != nil {
			t.Fatalf("round %d: %v (%s)", round, err, errw.String())
		}
		if !ok.MatchString(out.String()) {
			t.Fatalf("round %d: %s", round, out.String())
		}
	}
}
