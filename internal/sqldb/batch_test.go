package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// Contract tests of the group committer (batch.go), on both engines.

func commitTable(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if err := db.Write(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE commit_test (k TEXT PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func insertK(k string) func(*sqldb.Tx) error {
	return func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO commit_test (k) VALUES (?)`, k)
		return err
	}
}

func present(t *testing.T, db *sqldb.DB, k string) bool {
	t.Helper()
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM commit_test WHERE k = ?`, k).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// oneWriter makes the stores opened by f's test use one PostgreSQL writer, so that
// jobs queued together form one group, as on SQLite.
func oneWriter(t *testing.T) {
	old := sqldb.SetPGWriters(1)
	t.Cleanup(func() { sqldb.SetPGWriters(old) })
}

// group holds the writer with a blocking job, queues jobs, and releases the writer
// once all of them wait, so that they run in one group. It returns their results.
// The job blocks at its group's COMMIT, once the group is closed: a group takes
// the jobs queued while its jobs run (extend), not those queued during its COMMIT.
func group(t *testing.T, db *sqldb.DB, ctxs []context.Context, fns ...func(*sqldb.Tx) error) []error {
	t.Helper()
	release := make(chan struct{})
	started := make(chan struct{})
	blockErr := make(chan error, 1)
	var hold sync.Once
	sqldb.SetHoldCommit(db, func() {
		hold.Do(func() {
			close(started)
			<-release
		})
	})
	defer sqldb.SetHoldCommit(db, nil)
	go func() {
		blockErr <- db.Write(ctx, func(tx *sqldb.Tx) error { return nil })
	}()
	<-started
	if beforeRelease != nil {
		defer func() { beforeRelease = nil }()
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		c := ctx
		if ctxs != nil && ctxs[i] != nil {
			c = ctxs[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Write(c, fn)
		}()
		// Queue in order.
		deadline := time.Now().Add(5 * time.Second)
		for sqldb.Queued(db) < i+1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	if beforeRelease != nil {
		beforeRelease()
	}
	close(release)
	wg.Wait()
	if err := <-blockErr; err != nil {
		t.Fatal(err)
	}
	return errs
}

// beforeRelease, when set, runs once group's jobs are all queued.
var beforeRelease func()

// A job whose caller left while it waited in the queue is skipped; the others commit.
func TestCommitterCancelledBeforeStart(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		cctx, cancel := context.WithCancel(ctx)
		beforeRelease = cancel
		errs := group(t, db, []context.Context{nil, cctx, nil}, insertK("a"), insertK("b"), insertK("c"))
		if errs[0] != nil || errs[2] != nil {
			t.Fatalf("callers not cancelled failed: %v", errs)
		}
		if !errors.Is(errs[1], context.Canceled) {
			t.Fatalf("cancelled caller: err = %v, want context.Canceled", errs[1])
		}
		if !present(t, db, "a") || present(t, db, "b") || !present(t, db, "c") {
			t.Fatal("wrong rows committed")
		}
	})
}

// A caller leaving while its job runs stops it at its next statement: that job is
// rolled back alone and its caller told; the shared connection is not cancelled (on
// PostgreSQL the driver would close it and fail the group).
func TestCommitterCancelledWhileRunning(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errs := group(t, db, []context.Context{nil, cctx, nil}, insertK("a"),
			func(tx *sqldb.Tx) error {
				if err := insertK("b1")(tx); err != nil {
					return err
				}
				cancel()
				return insertK("b2")(tx)
			}, insertK("c"))
		if errs[0] != nil || errs[2] != nil {
			t.Fatalf("callers not cancelled failed: %v", errs)
		}
		if !errors.Is(errs[1], context.Canceled) {
			t.Fatalf("cancelled caller: err = %v, want context.Canceled", errs[1])
		}
		if !present(t, db, "a") || present(t, db, "b1") || present(t, db, "b2") || !present(t, db, "c") {
			t.Fatal("wrong rows committed")
		}
	})
}

// A caller leaving after its job ran is still answered with the truth: committed.
func TestCommitterCancelledAfterRun(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		sqldb.SetBeforeCommit(db, func() error { cancel(); return nil })
		err := db.Write(cctx, insertK("a"))
		sqldb.SetBeforeCommit(db, nil)
		if err != nil {
			t.Fatalf("job ran and committed, caller told %v", err)
		}
		if !present(t, db, "a") {
			t.Fatal("row missing")
		}
	})
}

// A failing job (error or panic) is rolled back to its savepoint and fails alone.
func TestCommitterFailingJob(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		boom := errors.New("boom")
		errs := group(t, db, nil, insertK("a"),
			func(tx *sqldb.Tx) error {
				if err := insertK("b")(tx); err != nil {
					return err
				}
				return boom
			},
			insertK("a"), // unique violation: an SQL error inside the transaction
			func(tx *sqldb.Tx) error {
				if err := insertK("p")(tx); err != nil {
					return err
				}
				panic("job panics")
			},
			insertK("c"))
		if errs[0] != nil || errs[4] != nil {
			t.Fatalf("good jobs failed: %v", errs)
		}
		if !errors.Is(errs[1], boom) {
			t.Errorf("failing job: %v, want boom", errs[1])
		}
		if errs[2] == nil || errs[3] == nil {
			t.Errorf("SQL error / panic reported success: %v / %v", errs[2], errs[3])
		}
		if !present(t, db, "a") || present(t, db, "b") || present(t, db, "p") || !present(t, db, "c") {
			t.Fatal("wrong rows committed")
		}
		if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
			t.Fatalf("journal after failing jobs: %v %v", problem, err)
		}
	})
}

// A failing COMMIT fails every caller of the group: no false success, nothing
// written; the next group works.
func TestCommitterFailingCommit(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		as := actors(t, db)
		var fail atomic.Bool
		var commits atomic.Int64
		fail.Store(true)
		sqldb.SetBeforeCommit(db, func() error {
			// The first commit is group()'s blocking job's.
			if commits.Add(1) > 1 && fail.Load() {
				return errors.New("disk full")
			}
			return nil
		})
		errs := group(t, db, nil, insertK("a"), insertK("b"))
		for i, err := range errs {
			if err == nil || medconseil.ErrorCode(err) != medconseil.EINTERNAL {
				t.Errorf("caller %d of a failed COMMIT: err = %v", i, err)
			}
		}
		if err := db.Journal(ctx, as["admin"], "test.commit", "x", sqldb.Meta{}, sqldb.ResultOK); err == nil {
			t.Error("journaled write reported success though its COMMIT failed")
		}
		if present(t, db, "a") || present(t, db, "b") {
			t.Fatal("rows of a failed COMMIT are present")
		}
		fail.Store(false)
		if err := db.Write(ctx, insertK("c")); err != nil || !present(t, db, "c") {
			t.Fatalf("write after a failed COMMIT: %v", err)
		}
		if err := db.Journal(ctx, as["admin"], "test.commit", "x", sqldb.Meta{}, sqldb.ResultOK); err != nil {
			t.Fatal(err)
		}
		if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
			t.Fatalf("journal after a failed COMMIT: %v %v", problem, err)
		}
	})
}

// Close during writes answers every pending caller, with an error for those not
// committed, and never blocks; writes after Close fail at once.
func TestCommitterCloseDuringWrites(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		var wg sync.WaitGroup
		var ok, failed atomic.Int64
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 200; i++ {
					if err := db.Write(ctx, insertK(fmt.Sprintf("%d-%d", g, i))); err != nil {
						failed.Add(1)
						return
					}
					ok.Add(1)
				}
			}()
		}
		time.Sleep(20 * time.Millisecond)
		closed := make(chan error, 1)
		go func() { closed <- db.Close() }()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("writers still blocked 20 s after Close")
		}
		select {
		case <-closed:
		case <-time.After(20 * time.Second):
			t.Fatal("Close blocked")
		}
		if failed.Load() == 0 {
			t.Logf("every writer finished before Close (%d writes)", ok.Load())
		}
		start := time.Now()
		if err := db.Write(ctx, insertK("after")); err == nil {
			t.Fatal("write after Close succeeded")
		}
		if time.Since(start) > time.Second {
			t.Fatal("write after Close was slow to fail")
		}
	})
}

// Concurrent clients, a third of them cancelling at random moments: no caller that
// did not cancel sees an error, and every caller is told the truth (nil ⇔ the row
// is there).
func TestCommitterConcurrentCancellingClients(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		as := actors(t, db)
		type outcome struct {
			k         string
			cancelled bool
			err       error
		}
		var mu sync.Mutex
		var outs []outcome
		var wg sync.WaitGroup
		for g := 0; g < 24; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 7))
				for i := 0; i < 40; i++ {
					k := fmt.Sprintf("%d-%d", g, i)
					c, cancel := context.WithCancel(ctx)
					cancelling := g%3 == 0
					if cancelling {
						d := time.Duration(r.IntN(3000)) * time.Microsecond
						time.AfterFunc(d, cancel)
					}
					err := db.Write(c, func(tx *sqldb.Tx) error {
						if err := insertK(k)(tx); err != nil {
							return err
						}
						var n int
						if err := tx.QueryRow(c, `SELECT COUNT(*) FROM commit_test WHERE k = ?`, k).Scan(&n); err != nil {
							return err
						}
						return nil
					})
					cancel()
					mu.Lock()
					outs = append(outs, outcome{k, cancelling, err})
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		var bad, cancelledErr int
		for _, o := range outs {
			if o.err != nil && !o.cancelled {
				bad++
				t.Errorf("caller %s did not cancel and got %v", o.k, o.err)
			}
			if o.err != nil {
				cancelledErr++
			}
			if got := present(t, db, o.k); got != (o.err == nil) {
				t.Errorf("caller %s told err=%v but row present=%v", o.k, o.err, got)
			}
		}
		t.Logf("%d writes, %d non-cancelled callers in error, %d cancelled callers told not committed", len(outs), bad, cancelledErr)
		_ = as
		if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
			t.Fatalf("journal: %v %v", problem, err)
		}
	})
}

// A job that breaks the shared transaction itself (here it ends it) fails; the jobs
// of its group that had succeeded, and those not yet run, are run again in a new
// transaction and commit.
func TestCommitterBrokenTransaction(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		errs := group(t, db, nil, insertK("a"),
			func(tx *sqldb.Tx) error {
				if err := insertK("b")(tx); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `ROLLBACK`); err != nil {
					return err
				}
				return errors.New("broke it")
			},
			insertK("c"))
		if errs[0] != nil || errs[2] != nil {
			t.Fatalf("jobs sharing the broken transaction failed: %v", errs)
		}
		if errs[1] == nil {
			t.Fatal("the job that broke the transaction reported success")
		}
		if !present(t, db, "a") || present(t, db, "b") || !present(t, db, "c") {
			t.Fatal("wrong rows committed")
		}
	})
}

// A job queued while a group runs joins that group before its last job (one
// COMMIT, one fsync for all) and is answered with the verdict of that COMMIT,
// never before it: a failing COMMIT fails it too.
func TestCommitterLateJobJoinsTheRunningGroup(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		var fail atomic.Bool
		var commits atomic.Int64
		sqldb.SetBeforeCommit(db, func() error {
			// Every other commit is group()'s blocking job's.
			if commits.Add(1)%2 == 0 && fail.Load() {
				return errors.New("disk full")
			}
			return nil
		})
		run := func(first, last, late string) (errs []error, groups int64, lateErr error) {
			g0, _ := db.GroupStats()
			lateDone := make(chan error, 1)
			errs = group(t, db, nil, func(tx *sqldb.Tx) error {
				if err := insertK(first)(tx); err != nil {
					return err
				}
				// Queued while the group runs, before its last job.
				go func() { lateDone <- db.Write(ctx, insertK(late)) }()
				deadline := time.Now().Add(5 * time.Second)
				for sqldb.Queued(db) < 1 && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				return nil
			}, insertK(last))
			lateErr = <-lateDone
			g1, _ := db.GroupStats()
			return errs, g1 - g0, lateErr
		}
		fail.Store(true)
		errs, g, lateErr := run("a", "b", "c")
		if errs[0] == nil || errs[1] == nil || lateErr == nil || g != 2 {
			t.Fatalf("failing COMMIT: callers %v, late %v, %d groups; want all failed, the late job in the group", errs, lateErr, g)
		}
		if present(t, db, "a") || present(t, db, "b") || present(t, db, "c") {
			t.Fatal("rows of a failed COMMIT are present")
		}
		fail.Store(false)
		errs, g, lateErr = run("d", "e", "f")
		if errs[0] != nil || errs[1] != nil || lateErr != nil || g != 2 {
			t.Fatalf("callers %v, late %v, %d groups; want all committed, the late job in the group", errs, lateErr, g)
		}
		for _, k := range []string{"d", "e", "f"} {
			if !present(t, db, k) {
				t.Fatalf("row %s missing", k)
			}
		}
	})
}

// A bulk load's group waits for the next job (SetGroupSize's linger) until it is
// full: jobs arriving one by one share one COMMIT; a failing job among them fails
// alone; a job whose caller left while the group waited is skipped.
func TestCommitterLingerFillsGroups(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		if err := db.Write(ctx, insertK("dup")); err != nil {
			t.Fatal(err)
		}
		// Eight jobs 10 ms apart; the fourth fails, the sixth's caller leaves while
		// it waits in the group.
		spaced := func() (errs []error, groups int64) {
			g0, _ := db.GroupStats()
			errs = make([]error, 8)
			var wg sync.WaitGroup
			for i := range errs {
				k := fmt.Sprintf("l%d-%d", i, rand.IntN(1e9))
				if i == 3 {
					k = "dup"
				}
				c, cancel := context.WithCancel(ctx)
				defer cancel()
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.Write(c, insertK(k))
				}()
				time.Sleep(10 * time.Millisecond)
				if i == 5 {
					cancel()
				}
			}
			wg.Wait()
			g1, _ := db.GroupStats()
			return errs, g1 - g0
		}
		db.SetGroupSize(8, 2*time.Second)
		errs, groups := spaced()
		if groups != 1 {
			t.Fatalf("%d groups for 8 jobs arriving 10 ms apart with a 2 s wait; want 1", groups)
		}
		for i, err := range errs {
			switch i {
			case 3:
				if err == nil {
					t.Fatalf("duplicate key in a lingering group: %v, want a failure", err)
				}
			case 5:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("job whose caller left while its group waited: %v, want context.Canceled", err)
				}
			default:
				if err != nil {
					t.Fatalf("job %d: %v", i, err)
				}
			}
		}
		// Without the wait, a job that finds the writer idle runs alone: jobs
		// written one after the other take a group each (the control that the
		// count above measures the wait, independent of the machine's load).
		db.SetGroupSize(0, 0)
		g0, _ := db.GroupStats()
		for i := 0; i < 4; i++ {
			if err := db.Write(ctx, insertK(fmt.Sprintf("seq%d-%d", i, rand.IntN(1e9)))); err != nil {
				t.Fatal(err)
			}
		}
		if g1, _ := db.GroupStats(); g1-g0 != 4 {
			t.Fatalf("%d groups for 4 jobs written one after the other without the wait; want 4", g1-g0)
		}
	})
}

// Closing the store while a group waits for more jobs runs the jobs it holds,
// at once, and answers them: the wait never outlives the store nor loses a job.
func TestCommitterLingerClose(t *testing.T) {
	oneWriter(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		commitTable(t, db)
		db.SetGroupSize(64, time.Minute)
		done := make(chan error, 1)
		go func() { done <- db.Write(ctx, insertK("held")) }()
		deadline := time.Now().Add(5 * time.Second)
		for sqldb.Queued(db) > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the group has taken it and waits
		closed := make(chan error, 1)
		start := time.Now()
		go func() { closed <- db.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("job held by a waiting group at Close: %v, want it committed", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("job still unanswered 10 s after Close")
		}
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("Close blocked by a waiting group")
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("Close took %s with a group waiting a minute", el)
		}
	})
}

// Statements built for a batch (IN lists, multi-row VALUES), whose text changes
// with its size, do not fill the writer's statement cache: a fixed statement run
// after hundreds of them is still prepared once and reused, and so is a fixed
// large one run before them (a bulk import's fixed-size chunk).
func TestStatementCacheAfterVariableBatches(t *testing.T) {
	db := sqldbtest.SQLite(t)
	commitTable(t, db)
	in := func(n int) (string, []any) {
		args := make([]any, n)
		for i := range args {
			args[i] = fmt.Sprint(i)
		}
		return `SELECT COUNT(*) FROM commit_test WHERE k IN (?` + strings.Repeat(", ?", n-1) + `)`, args
	}
	query := func(q string, args []any) {
		t.Helper()
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			var c int
			return tx.QueryRow(ctx, q, args...).Scan(&c)
		}); err != nil {
			t.Fatal(err)
		}
	}
	chunk, chunkArgs := in(500)
	for range 2 {
		query(chunk, chunkArgs)
	}
	for n := 65; n < 65+600; n++ {
		query(in(n))
	}
	const fixed = `INSERT INTO commit_test (k) VALUES (?)`
	for _, k := range []string{"a", "b"} {
		if err := db.Write(ctx, insertK(k)); err != nil {
			t.Fatal(err)
		}
	}
	if !sqldb.CachedOnWriter(db, fixed) {
		t.Fatal("after 600 IN lists of different lengths, the writer no longer caches a fixed statement")
	}
	if !sqldb.CachedOnWriter(db, chunk) {
		t.Fatal("the writer does not cache a fixed 500-value statement run before them")
	}
	if n := sqldb.LargeCachedOnWriter(db); n != 64 {
		t.Fatalf("%d statements of over 64 values cached on the writer, want the first 64", n)
	}
}

// A large statement that fails to prepare gives its place back: after 100 of
// them (a table that does not exist), a valid one is still cached.
func TestStatementCacheFreesFailedPlaces(t *testing.T) {
	db := sqldbtest.SQLite(t)
	commitTable(t, db)
	in := func(table string, n int) (string, []any) {
		args := make([]any, n)
		for i := range args {
			args[i] = fmt.Sprint(i)
		}
		return `SELECT COUNT(*) FROM ` + table + ` WHERE k IN (?` + strings.Repeat(", ?", n-1) + `)`, args
	}
	query := func(q string, args []any) error {
		return db.Write(ctx, func(tx *sqldb.Tx) error {
			var c int
			return tx.QueryRow(ctx, q, args...).Scan(&c)
		})
	}
	for n := 65; n < 165; n++ {
		if err := query(in("absente", n)); err == nil {
			t.Fatal("a query on a missing table succeeded")
		}
	}
	// The third run starts once the second's group has prepared what it missed
	// (the writer answers a group before it prepares).
	q, args := in("commit_test", 500)
	for range 3 {
		if err := query(q, args); err != nil {
			t.Fatal(err)
		}
	}
	if !sqldb.CachedOnWriter(db, q) {
		t.Fatal("after 100 large statements that failed to prepare, the writer no longer caches a large one")
	}
}

// BulkLoad enlarges the SQLite writer's cache and checkpoint interval and lets
// it commit without an fsync; its end checkpoints the WAL and gives them back.
func TestBulkLoadSettings(t *testing.T) {
	db := sqldbtest.SQLite(t)
	// A new text each time: SQLite reads these pragmas when it compiles the
	// statement, and the writer caches its statements.
	reads := 0
	pragmas := func() (cache, ckpt, sync int) {
		t.Helper()
		reads++
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			for q, v := range map[string]*int{"cache_size": &cache, "wal_autocheckpoint": &ckpt, "synchronous": &sync} {
				if err := tx.QueryRow(ctx, fmt.Sprintf(`PRAGMA %s -- %d`, q, reads)).Scan(v); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return cache, ckpt, sync
	}
	if c, k, s := pragmas(); c != -65536 || k != 4000 || s != 2 {
		t.Fatalf("writer at open: cache_size %d, wal_autocheckpoint %d, synchronous %d", c, k, s)
	}
	end, err := db.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c, k, s := pragmas(); c != -1<<20 || k != 65536 || s != 1 {
		t.Fatalf("writer in a bulk load: cache_size %d, wal_autocheckpoint %d, synchronous %d", c, k, s)
	}
	before := mainFileSize(t, db)
	commitTable(t, db)
	if err := db.Write(ctx, insertK("bulk")); err != nil {
		t.Fatal(err)
	}
	if err := end(ctx); err != nil {
		t.Fatal(err)
	}
	if c, k, s := pragmas(); c != -65536 || k != 4000 || s != 2 {
		t.Fatalf("writer after the bulk load: cache_size %d, wal_autocheckpoint %d, synchronous %d", c, k, s)
	}
	// The end's checkpoint copied the load (a new table) into the database file.
	if after := mainFileSize(t, db); after <= before {
		t.Fatalf("database file of %d bytes after the bulk load, %d before: the load is still only in the WAL", after, before)
	}
}

// mainFileSize is the size of the SQLite database file itself, without its WAL.
func mainFileSize(t *testing.T, db *sqldb.DB) int64 {
	t.Helper()
	var path string
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path)
	}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
