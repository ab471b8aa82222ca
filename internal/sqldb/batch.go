package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"medconseil"
)

// Every commit costs an fsync of the WAL (SQLite synchronous FULL, PostgreSQL's
// default), SQLite has one writer, and on PostgreSQL the audit_head row serialises
// every journaled transaction until its commit. Group commit lets one writer take
// several pending write transactions at once, run each inside its own SAVEPOINT (a
// failing one is rolled back alone, exactly as if it had its own transaction), and
// COMMIT them together: one fsync and one hold of the journal head for the group. No caller is answered before the COMMIT that holds its writes, so
// nothing acknowledged is ever lost; the writes are applied in arrival order, the
// order a single connection would have serialised them in anyway.

// maxBatch bounds a group: enough to amortise the fsync, small enough that an early
// request does not wait long behind later ones.
const maxBatch = 64

type writeJob struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

type committer struct {
	db   *DB
	jobs chan *writeJob
	stop chan struct{}
	wg   sync.WaitGroup
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, jobs: make(chan *writeJob, 1024), stop: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

func (c *committer) close() {
	close(c.stop)
	c.wg.Wait()
}

// submit queues fn and waits for the commit of its group.
func (c *committer) submit(ctx context.Context, fn func(*Tx) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stop:
		return medconseil.Internal(errors.New("store closed"))
	}
	// Once queued, the job will be committed or failed: wait for the verdict even if
	// the caller's context ends, so a caller never believes a committed write was lost.
	return <-j.done
}

func (c *committer) loop() {
	defer c.wg.Done()
	batch := make([]*writeJob, 0, maxBatch)
	for {
		select {
		case <-c.stop:
			// Fail what is still queued.
			for {
				select {
				case j := <-c.jobs:
					j.done <- medconseil.Internal(errors.New("store closed"))
				default:
					return
				}
			}
		case j := <-c.jobs:
			batch = append(batch[:0], j)
		drain:
			for len(batch) < maxBatch {
				select {
				case j := <-c.jobs:
					batch = append(batch, j)
				default:
					break drain
				}
			}
			c.run(batch)
		}
	}
}

// run executes a group in one transaction.
func (c *committer) run(batch []*writeJob) {
	ctx := context.Background()
	results := make([]error, len(batch))
	tx, err := c.db.w.BeginTx(ctx, nil)
	if err != nil {
		for _, j := range batch {
			j.done <- medconseil.Internal(fmt.Errorf("begin: %w", err))
		}
		return
	}
	t := &Tx{tx: tx, db: c.db, stmts: c.db.wstmts}
	ok := 0
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		results[i] = c.runOne(t, j)
		if results[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		for i, j := range batch {
			j.done <- results[i]
		}
		return
	}
	if err := tx.Commit(); err != nil {
		err = medconseil.Internal(fmt.Errorf("commit: %w", err))
		for i, j := range batch {
			if results[i] == nil {
				results[i] = err
			}
			j.done <- results[i]
		}
		return
	}
	for i, j := range batch {
		j.done <- results[i]
	}
	if c.db.wstmts != nil {
		c.db.wstmts.prepareWanted(ctx)
	}
}

// runOne runs one job inside a savepoint, rolling back to it on error or panic.
func (c *committer) runOne(t *Tx, j *writeJob) (err error) {
	if _, err := t.tx.ExecContext(j.ctx, "SAVEPOINT job"); err != nil {
		return medconseil.Internal(fmt.Errorf("savepoint: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			err = medconseil.Internal(fmt.Errorf("panic in write transaction: %v", p))
		}
		if err != nil {
			if _, rerr := t.tx.ExecContext(context.Background(), "ROLLBACK TO job"); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := t.tx.ExecContext(context.Background(), "RELEASE job"); rerr != nil && err == nil {
			err = medconseil.Internal(rerr)
		}
	}()
	return j.fn(t)
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
}

// maxCachedStatements bounds the cache: queries built with variable IN lists are
// simply not cached once it is full.
const maxCachedStatements = 512

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if c.m != nil && len(c.m)+len(c.wanted) < maxCachedStatements {
		c.wanted[q] = true
	}
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
		st, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue // not cacheable (a multi-statement text, a query in error): runs unprepared
		}
		c.mu.Lock()
		if c.m == nil || c.m[q] != nil {
			st.Close()
		} else {
			c.m[q] = st
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
