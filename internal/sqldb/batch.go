package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"medconseil"
)

// Every commit costs an fsync of the WAL (SQLite synchronous FULL, PostgreSQL's
// default), SQLite has one writer, and the audit_head row serialises every journaled
// transaction until its commit. Group commit lets a writer take several pending
// write transactions (jobs) at once, run each inside its own SAVEPOINT (a failing
// one is rolled back alone, exactly as if it had its own transaction), append their
// journal entries in one multi-row insert at the end, and COMMIT them together: one
// fsync and one short hold of the journal head for the group.
//
// The contract, which the committer tests check on both engines:
//   - The statements of the shared transaction never run under a caller's context
//     (the pgx driver closes the connection when a statement's context ends, which
//     would fail the whole group): they run under the committer's own context. A
//     caller whose context ends before its job starts is skipped and told so; a job
//     whose caller leaves while it runs stops at its next statement and is rolled
//     back to its savepoint; a job that ran to the end is committed with the group
//     and its caller, even if gone, is answered with the truth.
//   - A failed job is rolled back to its savepoint and fails alone; a job failing on
//     a deadlock or serialisation conflict is retried alone, in a later transaction.
//     When the shared transaction itself breaks, the failing job fails and the
//     others are run again in a new transaction.
//   - A failing COMMIT fails every caller of the group: no caller is answered
//     success before the COMMIT that holds its writes, so nothing acknowledged is
//     ever lost.
//   - Close fails the queued jobs, lets the running group finish, and never leaves a
//     caller waiting.
//
// SQLite has one writer; PostgreSQL runs a few writers at once, since the journal
// head, the one row every group updates, is taken only at the very end of a group.
// With one writer, a group takes, before its last job and after it, the jobs
// queued since it began (extend): they share its COMMIT instead of waiting for it
// and paying the next one.

// maxBatch bounds a group: enough to amortise the fsync, small enough that an early
// request does not wait long behind later ones.
const maxBatch = 64

// pgWriters is the number of groups PostgreSQL runs at once.
var pgWriters = 8

// maxRetries bounds the retries of a job hitting a deadlock or serialisation failure.
const maxRetries = 3

var errClosed = medconseil.Internal(errors.New("store closed"))

type writeJob struct {
	ctx     context.Context
	fn      func(*Tx) error
	done    chan error
	retries int
}

type committer struct {
	db      *DB
	ctx     context.Context // the context of every statement of a group, never a caller's
	jobs    chan *writeJob
	stop    chan struct{}
	exited  chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	writers int
	// groupSize bounds a group (maxBatch unless a bulk load asked for more).
	groupSize atomic.Int64
	// linger, in nanoseconds, is how long a group not yet full waits for one more
	// job before it starts (a bulk load, SetGroupSize); 0: it takes what is queued.
	linger atomic.Int64

	// beforeCommit, when set (tests), runs just before COMMIT; an error it returns
	// is treated as a failing COMMIT. holdCommit, when set (tests), runs before it,
	// once the group has taken its last job.
	beforeCommit func() error
	holdCommit   func()
	// afterGroup, when set, is called with the journal head after every commit that
	// appended entries (checkpoints).
	afterGroup func(seq int64, hash string)

	// groups and jobsRun count the transactions begun and the jobs run in them
	// (GroupStats: the benchmarks report the mean group size).
	groups, jobsRun atomic.Int64
}

// GroupStats returns the number of group transactions begun so far and the number
// of jobs run in them: their ratio is the mean group size, which sets the COMMIT
// (and its fsync) paid per write.
func (db *DB) GroupStats() (groups, jobs int64) {
	return db.commit.groups.Load(), db.commit.jobsRun.Load()
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, ctx: context.Background(), jobs: make(chan *writeJob, 1024),
		stop: make(chan struct{}), exited: make(chan struct{}), writers: 1}
	c.groupSize.Store(maxBatch)
	if db.dialect == Postgres {
		c.writers = pgWriters
	}
	c.wg.Add(c.writers)
	for i := 0; i < c.writers; i++ {
		go c.loop()
	}
	return c
}

// close fails the queued jobs, waits for the running groups and returns. It may be
// called more than once.
func (c *committer) close() {
	c.once.Do(func() {
		close(c.stop)
		c.wg.Wait()
		// Jobs that slipped into the queue after the writers drained it.
		for {
			select {
			case j := <-c.jobs:
				j.done <- errClosed
				continue
			default:
			}
			break
		}
		close(c.exited)
	})
}

// submit queues fn and waits for the verdict on its group.
func (c *committer) submit(ctx context.Context, fn func(*Tx) error) error {
	return c.enqueue(ctx, fn)()
}

// enqueue queues fn and returns the wait for the verdict on its group. Jobs queued
// one after another by one caller are taken in that order; with SQLite's single
// writer they also run in that order.
func (c *committer) enqueue(ctx context.Context, fn func(*Tx) error) (wait func() error) {
	select {
	case <-c.stop:
		return func() error { return errClosed }
	default:
	}
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		err := ctx.Err()
		return func() error { return err }
	case <-c.stop:
		return func() error { return errClosed }
	}
	// Once queued, the job will be run or skipped: wait for the verdict even if the
	// caller's context ends, so a caller never believes a committed write was lost.
	return func() error {
		select {
		case err := <-j.done:
			return err
		case <-c.exited:
			select {
			case err := <-j.done:
				return err
			default:
				return errClosed
			}
		}
	}
}

func (c *committer) loop() {
	defer c.wg.Done()
	var batch []*writeJob
	for {
		select {
		case <-c.stop:
			for {
				select {
				case j := <-c.jobs:
					j.done <- errClosed
				default:
					return
				}
			}
		case j := <-c.jobs:
			batch = append(batch[:0], j)
		drain:
			for n := int(c.groupSize.Load()); len(batch) < n; {
				select {
				case j := <-c.jobs:
					batch = append(batch, j)
				default:
					break drain
				}
			}
			if l := time.Duration(c.linger.Load()); l > 0 {
				batch = c.fill(batch, l)
			}
			c.run(batch)
		}
	}
}

// fill waits for jobs until batch has the group's size, no job came for l, or the
// committer is closing (the jobs taken are run all the same: their callers wait
// for them). A bulk load's jobs come one by one from its preparers: without the
// wait each group would take the few queued at its start, and pay a COMMIT (an
// fsync, and the readers' page caches, which SQLite empties on every commit) for
// a handful of writes.
func (c *committer) fill(batch []*writeJob, l time.Duration) []*writeJob {
	t := time.NewTimer(l)
	defer t.Stop()
	for n := int(c.groupSize.Load()); len(batch) < n; {
		select {
		case j := <-c.jobs:
			batch = append(batch, j)
			// Since Go 1.23 (go.mod) Reset discards a value not yet received: the
			// old "if !t.Stop() { <-t.C }" would block for ever when the timer
			// expired as this job was taken.
			t.Reset(l)
		case <-t.C:
			return batch
		case <-c.stop:
			return batch
		}
	}
	return batch
}

// run executes a group, answering every job, then retries alone the jobs that hit a
// transient conflict.
func (c *committer) run(batch []*writeJob) {
	for len(batch) > 0 {
		batch = c.runGroup(batch)
	}
}

// runGroup runs jobs in one transaction and answers each of them, except the jobs it
// returns, to be run again in a new transaction.
func (c *committer) runGroup(jobs []*writeJob) (again []*writeJob) {
	ctx := c.ctx
	results := make([]error, len(jobs))
	answered := make([]bool, len(jobs))
	answer := func(i int, err error) {
		if !answered[i] {
			answered[i] = true
			jobs[i].done <- err
		}
	}
	// A caller gone before its job starts is skipped.
	live := 0
	for i, j := range jobs {
		if err := j.ctx.Err(); err != nil {
			answer(i, err)
			continue
		}
		live++
	}
	if live == 0 {
		return nil
	}
	tx, err := c.db.w.BeginTx(ctx, nil)
	if err != nil {
		for i := range jobs {
			answer(i, medconseil.Internal(fmt.Errorf("begin: %w", err)))
		}
		return nil
	}
	c.groups.Add(1)
	c.jobsRun.Add(int64(live))
	var pending []AuditEntry
	t := &Tx{tx: tx, db: c.db, stmts: c.db.wstmts, fixed: ctx, pending: &pending}
	ok := 0
	savepoint := true // a SAVEPOINT must be opened before the next job
	for i := 0; ; i++ {
		if i >= len(jobs)-1 && c.writers == 1 {
			// Before its last job and after it, the group takes the jobs queued
			// since it began (extend).
			if more := c.extend(jobs); len(more) > len(jobs) {
				c.jobsRun.Add(int64(len(more) - len(jobs)))
				for range more[len(jobs):] {
					results, answered = append(results, nil), append(answered, false)
				}
				jobs = more
			}
		}
		if i >= len(jobs) {
			break
		}
		j := jobs[i]
		if answered[i] {
			continue
		}
		if err := j.ctx.Err(); err != nil {
			answer(i, err)
			continue
		}
		t.job = j.ctx
		err, broken := c.runOne(t, j, &savepoint, i == len(jobs)-1)
		t.job = nil
		if broken {
			// The shared transaction is unusable: this job fails, the jobs that
			// succeeded and those not yet run start again in a new transaction.
			_ = tx.Rollback()
			answer(i, err)
			for k := range jobs {
				if !answered[k] {
					again = append(again, jobs[k])
				}
			}
			return again
		}
		if err != nil && retryable(err) && j.retries < maxRetries {
			j.retries++
			again = append(again, j)
			answered[i] = true // answered by the retry
			continue
		}
		results[i] = err
		if err == nil {
			ok++
		} else {
			answer(i, err)
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		for i := range jobs {
			answer(i, results[i])
		}
		return again
	}
	var head AuditEntry
	err = t.flushAudit(ctx, pending, &head)
	if c.holdCommit != nil {
		c.holdCommit()
	}
	if err == nil && c.beforeCommit != nil {
		err = c.beforeCommit()
		if err != nil {
			_ = tx.Rollback()
		}
	}
	if err == nil {
		err = tx.Commit()
	} else {
		_ = tx.Rollback()
	}
	if err != nil {
		err = medconseil.Internal(fmt.Errorf("commit: %w", err))
		for i := range jobs {
			if results[i] == nil {
				results[i] = err
			}
			answer(i, results[i])
		}
		return again
	}
	for i := range jobs {
		answer(i, results[i])
	}
	if len(pending) > 0 && c.afterGroup != nil {
		c.afterGroup(head.Seq, head.Hash)
	}
	if c.db.wstmts != nil {
		c.db.wstmts.prepareWanted(ctx)
	}
	return again
}

// extend returns jobs with the jobs queued since the group began, up to the group
// size, without waiting for any. With one writer (SQLite), a write submitted while a
// group runs would otherwise wait for the group's COMMIT, then run in the next
// group and pay that group's COMMIT (its fsync) too: taking it into the running
// group lets one fsync serve more writes. Its caller is still answered only after
// the COMMIT that holds its writes; once the committer is closing, no job is taken.
func (c *committer) extend(jobs []*writeJob) []*writeJob {
	for n := int(c.groupSize.Load()); len(jobs) < n; {
		select {
		case <-c.stop:
			return jobs
		default:
		}
		select {
		case j := <-c.jobs:
			jobs = append(jobs, j)
		default:
			return jobs
		}
	}
	return jobs
}

// runOne runs one job inside a savepoint, rolling back to it on error or panic.
// broken reports that the shared transaction can no longer be used. On PostgreSQL
// the RELEASE of a job and the SAVEPOINT of the next travel in one round trip.
func (c *committer) runOne(t *Tx, j *writeJob, savepoint *bool, last bool) (err error, broken bool) {
	if *savepoint {
		if _, err := c.exec(t, "SAVEPOINT job"); err != nil {
			return medconseil.Internal(fmt.Errorf("savepoint: %w", err)), true
		}
		*savepoint = false
	}
	mark := len(*t.pending)
	defer func() {
		if p := recover(); p != nil {
			err = medconseil.Internal(fmt.Errorf("panic in write transaction: %v", p))
		}
		if err != nil {
			*t.pending = (*t.pending)[:mark]
			if _, rerr := c.exec(t, "ROLLBACK TO SAVEPOINT job"); rerr != nil {
				err, broken = errors.Join(err, medconseil.Internal(rerr)), true
				return
			}
			// The savepoint is still open after ROLLBACK TO: the next job reuses it.
			return
		}
		release := "RELEASE SAVEPOINT job"
		if c.db.dialect == Postgres && !last {
			release += "; SAVEPOINT job"
		} else {
			*savepoint = true
		}
		if _, rerr := c.exec(t, release); rerr != nil {
			err, broken = medconseil.Internal(fmt.Errorf("release: %w", rerr)), true
		}
	}()
	return j.fn(t), false
}

// exec runs a savepoint statement of the group under the group's context: on
// SQLite a prepared statement of the cache (they run twice per job), on PostgreSQL
// as text (pgx caches statements itself, and "RELEASE …; SAVEPOINT …" is two).
func (c *committer) exec(t *Tx, q string) (sql.Result, error) {
	if c.db.dialect == SQLite {
		if st := t.stmt(c.ctx, q); st != nil {
			return st.ExecContext(c.ctx)
		}
	}
	return t.tx.ExecContext(c.ctx, q)
}

// retryable reports a transient conflict between concurrent transactions, which a
// new attempt may not meet: a PostgreSQL deadlock or serialisation failure.
func retryable(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 40P01") || strings.Contains(s, "SQLSTATE 40001")
}

// stmtCache keeps prepared statements per pool, so the SQL of the hot paths is parsed
// once rather than at every call (pgx caches statements itself). A statement cannot
// be prepared on the pool while a transaction holds the connection (the writer pool
// has only one), so a query missing from the cache runs unprepared and is prepared
// by prepareWanted once the transaction is over.
type stmtCache struct {
	pool   *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool
	large  int // statements of m and wanted with more than maxSmallParams placeholders
}

// maxCachedStatements bounds the cache: queries built with variable IN lists are
// simply not cached once it is full.
const maxCachedStatements = 512

// maxSmallParams and maxLargeStatements split the cache. A statement with more
// placeholders is a multi-row statement or an IN list built for a batch, whose
// text changes with the batch's size: a bulk import made hundreds of them, filled
// the cache, and the intake's statements that came after it were compiled at
// every execution (SQLite compiles the triggers into each statement: the echeance
// INSERT cost 1 ms a filing, docs/perf.md). Such statements take at most
// maxLargeStatements places, so the small ones always find theirs; the first
// large ones seen (the fixed-size chunks of a bulk import, the commonest group
// sizes of the journal) stay cached.
const (
	maxSmallParams     = 64
	maxLargeStatements = 64
)

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if c.m == nil || c.wanted[q] {
		return nil
	}
	large := strings.Count(q, "?") > maxSmallParams
	switch {
	case large && c.large < maxLargeStatements:
		c.large++
	case large || len(c.m)+len(c.wanted)-c.large >= maxCachedStatements-maxLargeStatements:
		return nil
	}
	c.wanted[q] = true
	return nil
}

// prepareWanted prepares the queries missed since the last call; it must be called
// with no transaction of this goroutine open on the pool.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 || c.m == nil {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		qs = append(qs, q)
	}
	c.wanted = map[string]bool{}
	c.mu.Unlock()
	for _, q := range qs {
		// Not cacheable (a multi-statement text, a query in error): runs unprepared.
		st, err := c.pool.PrepareContext(ctx, q)
		c.mu.Lock()
		if err == nil && c.m != nil && c.m[q] == nil {
			c.m[q] = st
		} else {
			// Not kept (failed, cache closed, or prepared twice): its place is
			// free again.
			if err == nil {
				st.Close()
			}
			if strings.Count(q, "?") > maxSmallParams {
				c.large--
			}
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}
