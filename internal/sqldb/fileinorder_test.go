package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// bulkArrets is n avis d'arrêt of one assuré, one after the other, each with its
// idempotency key.
func bulkArrets(t *testing.T, n int) []sqldb.BulkFiling {
	t.Helper()
	d0, _ := medconseil.ParseDate("2026-01-05")
	xs := make([]sqldb.BulkFiling, n)
	for i := range xs {
		d := d0.AddDays(7 * i)
		a := arret(t, nir1, d.String(), d.AddDays(3).String(), "M545", "lombalgie", "")
		xs[i] = sqldb.BulkFiling{Arret: &a, Meta: sqldb.Meta{IdemKey: fmt.Sprintf("contrat-%d", i)}}
	}
	return xs
}

// settled waits for the goroutines of a finished FileInOrder to end: at most
// before of them may remain.
func settled(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, %d before the load:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// FileInOrder's contract, on both engines: every filing is filed, in the order
// given on SQLite; a refused filing stops the load there, with its French error naming the
// field, the ones before it filed and none after; a load cancelled between two
// commits returns the context's error, and filing the same list again completes
// it without a duplicate; no goroutine is left behind.
func TestFileInOrderContract(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		a := as["prescripteur.demo"]
		db.SetGroupSize(4, 0)
		defer db.SetGroupSize(0, 0)

		t.Run("ordre", func(t *testing.T) {
			before := runtime.NumGoroutine()
			xs := bulkArrets(t, 12)
			ids, err := in.FileInOrder(ctx, a, xs, 3)
			if err != nil {
				t.Fatal(err)
			}
			for i := range ids {
				// SQLite has one writer: the ids follow the list. PostgreSQL's
				// writers commit side by side: every filing is filed.
				if ids[i] == 0 || db.Dialect() == sqldb.SQLite && i > 0 && ids[i] <= ids[i-1] {
					t.Fatalf("ids %v: every filing filed, in the order of the list on SQLite", ids)
				}
			}
			settled(t, before)
		})

		t.Run("refus", func(t *testing.T) {
			before := runtime.NumGoroutine()
			dossiers := count(t, db, "dossier")
			xs := bulkArrets(t, 24)[12:]
			bad := *xs[5].Arret
			bad.Arret.Fin = bad.Arret.Debut.AddDays(-2)
			xs[5].Arret = &bad
			ids, err := in.FileInOrder(ctx, a, xs, 3)
			var me *medconseil.Error
			if !errors.As(err, &me) || me.Field == "" {
				t.Fatalf("a refused filing: %v, want a French error naming its field", err)
			}
			for i, id := range ids {
				if (i < 5) != (id != 0) {
					t.Fatalf("ids %v: the five filings before the refused one, and only they, are filed", ids)
				}
			}
			if n := count(t, db, "dossier") - dossiers; n < 5 {
				t.Fatalf("%d dossiers written before the refused filing, want 5", n)
			}
			settled(t, before)
		})

		t.Run("annulation", func(t *testing.T) {
			before := runtime.NumGoroutine()
			dossiers := count(t, db, "dossier")
			xs := bulkArrets(t, 60)[24:]
			cctx, cancel := context.WithCancel(ctx)
			commits := 0
			sqldb.SetBeforeCommit(db, func() error {
				if commits++; commits == 2 {
					cancel()
				}
				return nil
			})
			ids, err := in.FileInOrder(cctx, a, xs, 3)
			sqldb.SetBeforeCommit(db, nil)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("a cancelled load: %v, want context.Canceled", err)
			}
			filed := 0
			for _, id := range ids {
				if id != 0 {
					filed++
				}
			}
			written := count(t, db, "dossier") - dossiers
			t.Logf("cancelled after two commits: %d ids returned, %d dossiers written, of %d", filed, written, len(xs))
			if written == 0 || written >= len(xs) || written < filed {
				t.Fatalf("cancelled after two commits: %d ids returned, %d dossiers written, of %d", filed, written, len(xs))
			}
			settled(t, before)
			// Filing the list again completes it; what was written is replayed.
			if _, err := in.FileInOrder(ctx, a, xs, 3); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, "dossier") - dossiers; n != len(xs) {
				t.Fatalf("%d dossiers after the list was filed again, want %d", n, len(xs))
			}
		})
	})
}
