package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
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

// settled waits for the goroutines of a finished FileInOrder to end: none may
// remain. (The connection pools' goroutines are not its own: pgx keeps a reader
// for a while on a connection whose query a cancellation cut short.)
func settled(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "sqldb.(*Intake).FileInOrder") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines of FileInOrder left 5 s after it returned:\n%s", stacks)
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
			settled(t)
		})

		t.Run("refus", func(t *testing.T) {
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
			settled(t)
		})

		t.Run("annulation", func(t *testing.T) {
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
			settled(t)
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

// A filing of FileInOrder received at a time of its own (Recue) writes that time
// (its reception, its journal entry); one that names an earlier filing of the
// list (Names) names its dossier, be it filed by the same load or replayed from
// an earlier one (its first id, even when the naming filing was prepared while
// the named one was still in flight, with another id reserved for it); a Names
// that does not point back is refused before anything is written. On both
// engines.
func TestFileInOrderNames(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		a := as["prescripteur.demo"]
		db.SetGroupSize(4, 0)
		defer db.SetGroupSize(0, 0)
		const nir = "284127511800113"
		d0, _ := medconseil.ParseDate("2026-02-02")
		// initial and prolongation avis, the prolongation naming its initial
		// (position from 1); each received the day after it starts.
		pair := func(key string, d medconseil.Date, names int) (initial, prolongation sqldb.BulkFiling) {
			i := arret(t, nir, d.String(), d.AddDays(6).String(), "M545", "lombalgie", "")
			p := arret(t, nir, d.AddDays(7).String(), d.AddDays(13).String(), "M545", "lombalgie", "")
			p.Arret.Nature = medconseil.NatureProlongation
			initial = sqldb.BulkFiling{Arret: &i, Meta: sqldb.Meta{IdemKey: key + "-i"}, Recue: d.Time(time.UTC).Add(34 * time.Hour)}
			prolongation = sqldb.BulkFiling{Arret: &p, Meta: sqldb.Meta{IdemKey: key + "-p"}, Recue: d.AddDays(7).Time(time.UTC).Add(34 * time.Hour), Names: names}
			return initial, prolongation
		}
		initialOf := func(id int64) (initial int64, recue, journal string) {
			t.Helper()
			if err := db.Read(ctx, func(tx *sqldb.Tx) error {
				if err := tx.QueryRow(ctx, `SELECT COALESCE(a.initial_id, 0), d.recue_le FROM arret a JOIN dossier d ON d.id = a.dossier_id WHERE a.dossier_id = ?`, id).Scan(&initial, &recue); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `SELECT le FROM audit WHERE objet = ? AND action = 'arret.depot'`, fmt.Sprintf("dossier:%d", id)).Scan(&journal)
			}); err != nil {
				t.Fatal(err)
			}
			return initial, recue, journal
		}

		t.Run("même chargement", func(t *testing.T) {
			i1, p1 := pair("noms-1", d0, 1)
			i2, p2 := pair("noms-2", d0.AddDays(28), 3)
			ids, err := in.FileInOrder(ctx, a, []sqldb.BulkFiling{i1, p1, i2, p2}, 3)
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range map[int]int64{1: ids[0], 3: ids[2]} {
				got, recue, journal := initialOf(ids[k])
				if got != want || ids[k] == 0 {
					t.Fatalf("prolongation %d (dossier %d) names dossier %d, want its initial avis %d", k, ids[k], got, want)
				}
				day := d0.AddDays(28*(k/2) + 8).String()
				if !strings.HasPrefix(recue, day+"T10:00:00") || !strings.HasPrefix(journal, day+"T10:00:00") {
					t.Fatalf("prolongation %d received %s, journaled %s; want both at %sT10:00:00Z (its Recue)", k, recue, journal, day)
				}
			}
		})

		t.Run("désigné rejoué", func(t *testing.T) {
			i3, p3 := pair("noms-3", d0.AddDays(56), 1)
			first, err := in.FileInOrder(ctx, a, []sqldb.BulkFiling{i3}, 3)
			if err != nil {
				t.Fatal(err)
			}
			// The initial avis is replayed: its verdict comes after a slow
			// commit, so that its prolongation is prepared meanwhile (on
			// SQLite, with the id reserved for the replay).
			sqldb.SetBeforeCommit(db, func() error { time.Sleep(50 * time.Millisecond); return nil })
			ids, err := in.FileInOrder(ctx, a, []sqldb.BulkFiling{i3, p3}, 3)
			sqldb.SetBeforeCommit(db, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ids[0] != first[0] {
				t.Fatalf("replayed initial avis: id %d, first filed as %d", ids[0], first[0])
			}
			if got, _, _ := initialOf(ids[1]); got != first[0] {
				t.Fatalf("prolongation of a replayed initial avis names dossier %d, want %d", got, first[0])
			}
		})

		t.Run("désignation invalide", func(t *testing.T) {
			dossiers := count(t, db, "dossier")
			i4, p4 := pair("noms-4", d0.AddDays(84), 2)
			_, err := in.FileInOrder(ctx, a, []sqldb.BulkFiling{i4, p4}, 3)
			var me *medconseil.Error
			if !errors.As(err, &me) || me.Field != "depot[2].names" {
				t.Fatalf("a filing naming itself: %v, want a French error on depot[2].names", err)
			}
			if n := count(t, db, "dossier"); n != dossiers {
				t.Fatalf("%d dossiers written by a refused list", n-dossiers)
			}
		})
	})
}
