package sqldb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// renderAll runs the letter worker and checks how many decisions it rendered.
func renderAll(t *testing.T, db *sqldb.DB, want int) sqldb.CourrierRenderResult {
	t.Helper()
	res, err := db.RenderCourriers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rendered != want || res.Failed != 0 {
		t.Fatalf("letter worker: %+v, want %d decisions rendered and no failure", res, want)
	}
	return res
}

// courrierCounts returns, per dossier, the number of letters stored, and the
// number of jobs still pending.
func courrierCounts(t *testing.T, db *sqldb.DB) (letters map[int64]int, pending int) {
	t.Helper()
	letters = map[int64]int{}
	err := db.Read(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, `SELECT dossier_id, COUNT(*) FROM courrier GROUP BY dossier_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			letters[id] = n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM courrier_a_rendre WHERE statut = 'attente'`).Scan(&pending)
	})
	if err != nil {
		t.Fatal(err)
	}
	return letters, pending
}

// fileTransports files n transport DAPs received on recue (no prescriber: two
// letters per accord tacite, assuré and caisse).
func fileTransports(t *testing.T, db *sqldb.DB, n int, recue string) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = fileDossier(t, db, medconseil.TypeTransport, "", recue)
	}
	return ids
}

// checkOnce checks every dossier of ids has exactly its two letters and no job is
// left pending.
func checkOnce(t *testing.T, db *sqldb.DB, ids []int64) {
	t.Helper()
	letters, pending := courrierCounts(t, db)
	if pending != 0 {
		t.Errorf("%d letter jobs still pending", pending)
	}
	for _, id := range ids {
		if letters[id] != 2 {
			t.Errorf("dossier %d: %d letters, want 2 (assuré, caisse), exactly once", id, letters[id])
		}
	}
}

// The sweep writes one job per tacit decision in its own transaction, never a
// letter; the worker renders each job once, however often it runs.
func TestCourrierOutboxOneJobPerDecision(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ids := fileTransports(t, db, 3, "2026-11-02")
		if res := sweep(t, db, "2026-11-18"); res.Fired != 3 {
			t.Fatalf("sweep fired %d, want 3", res.Fired)
		}
		sweep(t, db, "2026-11-30")
		jobs, err := db.CourrierJobs(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 3 {
			t.Fatalf("jobs %+v, want one per accord tacite", jobs)
		}
		for _, j := range jobs {
			if j.Statut != "attente" || j.EcheanceID == 0 {
				t.Errorf("job %+v", j)
			}
		}
		if letters, _ := courrierCounts(t, db); len(letters) != 0 {
			t.Fatalf("the sweep wrote letters itself: %v", letters)
		}
		res := renderAll(t, db, 3)
		if res.Courriers != 6 {
			t.Errorf("%d letters, want 6", res.Courriers)
		}
		renderAll(t, db, 0)
		checkOnce(t, db, ids)
	})
}

// Cancelling the worker rolls back the transaction in progress: what it had
// rendered in it is not kept, its jobs stay pending, and the next run renders
// every letter exactly once.
func TestCourrierOutboxCancellation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ids := fileTransports(t, db, sqldb.CourrierJobBatch+4, "2026-11-02")
		sweep(t, db, "2026-11-18")
		cctx, cancel := context.WithCancel(ctx)
		var seen int
		sqldb.SetCourrierJobHook(func(_ context.Context, _ int64) error {
			seen++
			if seen == sqldb.CourrierJobBatch+2 { // inside the second transaction
				cancel()
			}
			return nil
		})
		defer sqldb.SetCourrierJobHook(nil)
		res, err := db.RenderCourriers(cctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled worker returned %v", err)
		}
		if res.Rendered != sqldb.CourrierJobBatch {
			t.Errorf("cancelled worker reports %d rendered, want the first transaction's %d", res.Rendered, sqldb.CourrierJobBatch)
		}
		letters, pending := courrierCounts(t, db)
		if pending != 4 {
			t.Errorf("%d jobs pending after the cancellation, want 4", pending)
		}
		total := 0
		for _, n := range letters {
			total += n
		}
		if total != 2*sqldb.CourrierJobBatch {
			t.Errorf("%d letters kept after the cancellation, want %d (the committed transaction's only)", total, 2*sqldb.CourrierJobBatch)
		}
		sqldb.SetCourrierJobHook(nil)
		renderAll(t, db, 4)
		checkOnce(t, db, ids)
	})
}

// A job that fails is rolled back alone, keeps its error and is retried after
// its delay; the others are rendered; once it succeeds, its letters exist once.
func TestCourrierOutboxFailingJob(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ids := fileTransports(t, db, 3, "2026-11-02")
		now := time.Date(2026, 11, 18, 6, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		sweep(t, db, "2026-11-18")
		bad := ids[1]
		sqldb.SetCourrierJobHook(func(_ context.Context, dossier int64) error {
			if dossier == bad {
				return errors.New("imprimante en panne")
			}
			return nil
		})
		defer sqldb.SetCourrierJobHook(nil)
		res, err := db.RenderCourriers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Rendered != 2 || res.Failed != 1 {
			t.Fatalf("worker %+v, want 2 rendered and 1 failed", res)
		}
		jobs, err := db.CourrierJobs(ctx, bad)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 || jobs[0].Statut != "attente" || jobs[0].Tentatives != 1 || jobs[0].Erreur != "imprimante en panne" {
			t.Fatalf("failed job %+v", jobs)
		}
		if letters, _ := courrierCounts(t, db); letters[bad] != 0 {
			t.Fatalf("the failed job left %d letters", letters[bad])
		}
		// Not retried before its delay, even once the cause is gone.
		sqldb.SetCourrierJobHook(nil)
		renderAll(t, db, 0)
		now = now.Add(2 * time.Minute)
		renderAll(t, db, 1)
		checkOnce(t, db, ids)
	})
}

// Shutdown: the sweep commits its decisions, the process stops before its letter
// worker ran (or during it); a new process (another handle on the same base)
// renders them at start, each once — and two workers running at the same time
// render each job once.
func TestCourrierOutboxShutdownAndConcurrentWorkers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ids := fileTransports(t, db, 3*sqldb.CourrierJobBatch, "2026-11-02")
		sweep(t, db, "2026-11-18")
		// The first process stops in the middle of its worker.
		cctx, cancel := context.WithCancel(ctx)
		var mu sync.Mutex
		n := 0
		sqldb.SetCourrierJobHook(func(_ context.Context, _ int64) error {
			mu.Lock()
			defer mu.Unlock()
			n++
			if n == sqldb.CourrierJobBatch+3 {
				cancel()
			}
			return nil
		})
		if _, err := db.RenderCourriers(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("worker at shutdown: %v", err)
		}
		sqldb.SetCourrierJobHook(nil)
		// Two new processes start and run their workers together.
		a, err := db.OpenAgain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := db.OpenAgain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		var wg sync.WaitGroup
		results := make([]sqldb.CourrierRenderResult, 2)
		errs := make([]error, 2)
		for i, h := range []*sqldb.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = h.RenderCourriers(ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := results[0].Rendered + results[1].Rendered; got != 2*sqldb.CourrierJobBatch {
			t.Errorf("the two workers rendered %d decisions, want the %d left", got, 2*sqldb.CourrierJobBatch)
		}
		checkOnce(t, db, ids)
	})
}
