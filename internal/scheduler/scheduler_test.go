package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/scheduler"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

var ctx = context.Background()

// clock is a settable clock, safe for the runner's goroutine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time        { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)       { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func at(y, m, d int) time.Time         { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.Local) }
func date(y, m, d int) medconseil.Date { return medconseil.NewDate(y, time.Month(m), d) }

// file inserts n transport DAPs received on recue, with their lifecycle.
func file(t *testing.T, db *sqldb.DB, n int, recue medconseil.Date) {
	t.Helper()
	err := db.Write(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES ('185056748212337', '67482', '2026-01-01T00:00:00.000000000Z') ON CONFLICT (nir) DO NOTHING`); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, departement, nir, recue_le, maj_le) VALUES ('transport', 'recue', '67', '185056748212337', ?, ?) RETURNING id`,
				recue.String()+"T09:00:00.000000000Z", recue.String()+"T09:00:00.000000000Z").Scan(&id); err != nil {
				return err
			}
			if err := tx.StartLifecycle(ctx, id, medconseil.TypeTransport, "", recue); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// counts returns the fired deadline rows, the firings journaled and the dossiers in
// accord_tacite: a firing is atomic, so the three are always equal.
func counts(t *testing.T, db *sqldb.DB) (fired, journaled, tacit int) {
	t.Helper()
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM echeance WHERE statut = 'declenchee'`).Scan(&fired); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE action = 'echeance.accord_tacite'`).Scan(&journaled); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier WHERE etat = 'accord_tacite'`).Scan(&tacit)
	}); err != nil {
		t.Fatal(err)
	}
	return
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func start(t *testing.T, r *scheduler.Runner) (stop func() error) {
	t.Helper()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not return after cancellation")
			return nil
		}
	}
}

func TestRunCatchesUpAtStart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		c := &clock{t: at(2026, 12, 1)}
		db.Now = c.now
		file(t, db, 3, date(2026, 11, 2)) // due 18/11: fell due while no server ran
		r := scheduler.New(db, time.Hour, slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))
		stop := start(t, r)
		waitFor(t, "the catch-up sweep", func() bool { f, _, _ := counts(t, db); return f == 3 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if f, j, s := counts(t, db); f != 3 || j != 3 || s != 3 {
			t.Errorf("fired %d, journaled %d, accord_tacite %d; want 3", f, j, s)
		}
	})
}

func TestRunSweepsPeriodically(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		c := &clock{t: at(2026, 11, 10)}
		db.Now = c.now
		file(t, db, 2, date(2026, 11, 2))
		r := scheduler.New(db, 20*time.Millisecond, slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))
		stop := start(t, r)
		time.Sleep(100 * time.Millisecond)
		if f, _, _ := counts(t, db); f != 0 {
			t.Errorf("fired %d before the due date", f)
		}
		c.set(at(2026, 11, 18))
		waitFor(t, "a periodic sweep after the due date", func() bool { f, _, _ := counts(t, db); return f == 2 })
		time.Sleep(100 * time.Millisecond) // more ticks: nothing fires twice
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if f, j, s := counts(t, db); f != 2 || j != 2 || s != 2 {
			t.Errorf("fired %d, journaled %d, accord_tacite %d; want 2", f, j, s)
		}
	})
}

func TestFailingSweepIsLoggedAndRetried(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		c := &clock{t: at(2026, 12, 1)}
		db.Now = c.now
		file(t, db, 2, date(2026, 11, 2))
		var logs syncBuffer
		r := scheduler.New(db, 20*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
		var mu sync.Mutex
		calls := 0
		r.SetSweep(func(ctx context.Context, until medconseil.Date) (sqldb.SweepResult, error) {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			if n == 1 {
				return sqldb.SweepResult{}, errors.New("connexion perdue")
			}
			return db.FireDeadlines(ctx, until)
		})
		stop := start(t, r)
		waitFor(t, "the retry", func() bool { f, _, _ := counts(t, db); return f == 2 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "balayage en échec") || !strings.Contains(logs.String(), "connexion perdue") {
			t.Errorf("failure not logged:\n%s", logs.String())
		}
	})
}

// TestShutdownDuringSweep stops the runner while a sweep is firing: Run returns,
// every firing is either whole (row, state, journal) or absent, and the next start
// fires the rest exactly once.
func TestShutdownDuringSweep(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		const n = 1100 // three batches
		c := &clock{t: at(2026, 12, 1)}
		db.Now = c.now
		file(t, db, n, date(2026, 11, 2))
		r := scheduler.New(db, time.Hour, slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		r.SetSweep(func(sctx context.Context, until medconseil.Date) (sqldb.SweepResult, error) {
			// The shutdown signal arrives while the second batch is being fired (the
			// store reads its clock once per batch).
			calls := 0
			db.Now = func() time.Time {
				if calls++; calls == 2 {
					cancel()
				}
				return c.now()
			}
			return db.FireDeadlines(sctx, until)
		})
		go func() { done <- r.Run(rctx) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not return after shutdown")
		}
		db.Now = c.now
		f, j, s := counts(t, db)
		if f != j || j != s || f != sqldb.SweepBatch {
			t.Errorf("after shutdown: %d fired rows, %d journaled, %d dossiers changed (of %d), want one batch (%d)", f, j, s, n, sqldb.SweepBatch)
		}
		r2 := scheduler.New(db, time.Hour, slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))
		if _, err := r2.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if f, j, s := counts(t, db); f != n || j != n || s != n {
			t.Errorf("after restart: fired %d, journaled %d, changed %d; want %d each", f, j, s, n)
		}
	})
}

// letters returns the letters stored and the letter jobs still pending.
func letters(t *testing.T, db *sqldb.DB) (stored, pending int) {
	t.Helper()
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM courrier`).Scan(&stored); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM courrier_a_rendre WHERE statut = 'attente'`).Scan(&pending)
	}); err != nil {
		t.Fatal(err)
	}
	return
}

// TestRestartRendersPendingLetters: a server's sweep fired accords tacites and it
// stopped before its letter worker ran (here: the worker is replaced by nothing);
// the next server renders the letters at start, each exactly once, and a later
// pass renders nothing more.
func TestRestartRendersPendingLetters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		c := &clock{t: at(2026, 12, 1)}
		db.Now = c.now
		file(t, db, 3, date(2026, 11, 2))
		log := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
		first := scheduler.New(db, time.Hour, log)
		first.SetRender(func(context.Context) (sqldb.CourrierRenderResult, error) { return sqldb.CourrierRenderResult{}, nil })
		if _, err := first.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if s, p := letters(t, db); s != 0 || p != 3 {
			t.Fatalf("after the first server: %d letters, %d jobs pending; want 0 and 3", s, p)
		}
		second := scheduler.New(db, time.Hour, log)
		stop := start(t, second)
		waitFor(t, "the letters at restart", func() bool { _, p := letters(t, db); return p == 0 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if _, err := scheduler.New(db, time.Hour, log).Once(ctx); err != nil {
			t.Fatal(err)
		}
		if s, p := letters(t, db); s != 6 || p != 0 {
			t.Errorf("after restart: %d letters, %d pending; want 6 (assuré and caisse for each of 3 dossiers) and 0", s, p)
		}
		if f, j, s := counts(t, db); f != 3 || j != 3 || s != 3 {
			t.Errorf("fired %d, journaled %d, accord_tacite %d; want 3", f, j, s)
		}
	})
}
