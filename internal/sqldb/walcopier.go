package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
)

// walCopyEvery is how often the WAL copier of a bulk load copies the frames
// committed since its last copy. A page that several commits write in between is
// copied once: every 10 ms, the copier copied twice the pages the writer's own
// checkpoint every 16,000 pages did, processor taken from the preparers on a
// machine of two cores (docs/perf.md). The writer of a bulk load commits a group
// every 50 to 100 ms, a history batch every 500 ms.
const walCopyEvery = 250 * time.Millisecond

// walCopyStatement is the copier's statement.
const walCopyStatement = `PRAGMA wal_checkpoint(PASSIVE)`

// A walCopier copies the WAL of an SQLite base into the database file, from a
// connection of its own, while a bulk load writes (BulkLoad). Left to the
// writer, that copy — SQLite's checkpoint, run inside the COMMIT that takes the
// WAL past wal_autocheckpoint pages — is work the single writer does between
// two transactions: 43 s of its processor at scale 1.0 (docs/perf.md). Here it
// runs on another core, as SQLite allows: a PASSIVE checkpoint waits for
// nobody, copies the frames no reader still needs, and never blocks the writer
// or the readers; the writer restarts the WAL from its beginning at its next
// commit once everything is copied and no reader uses it. The writer keeps a
// checkpoint interval of its own as a backstop (bulkWriterCheckpoint), which
// then finds little or nothing left to copy.
//
// A crash meanwhile loses nothing the writer committed: a checkpoint copies
// committed frames only, fsyncs the WAL before it writes the database file and
// the file before it marks the frames copied, and an interrupted one is taken
// up again by the next.
type walCopier struct {
	conn   *sql.DB
	cancel context.CancelFunc
	done   chan struct{}
	err    error // the first failure, read once done is closed
}

// startWALCopier opens the copier's connection to db's SQLite file and starts
// it: every interval, it runs stmt (walCopyStatement; a test gives another).
// Stop it with close.
func (db *DB) startWALCopier(every time.Duration, stmt string) (*walCopier, error) {
	path := strings.TrimPrefix(db.dsn, "file:")
	conn, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+sqliteParams())
	if err != nil {
		return nil, medconseil.Internal(fmt.Errorf("copie du journal WAL : ouverture : %w", err))
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxIdleTime(0)
	ctx, cancel := context.WithCancel(context.Background())
	if err := conn.PingContext(ctx); err != nil {
		cancel()
		conn.Close()
		return nil, medconseil.Internal(fmt.Errorf("copie du journal WAL : ouverture : %w", err))
	}
	c := &walCopier{conn: conn, cancel: cancel, done: make(chan struct{})}
	go c.loop(ctx, every, stmt)
	return c, nil
}

func (c *walCopier) loop(ctx context.Context, every time.Duration, stmt string) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// (busy: another checkpoint, the writer's backstop, holds the lock;
		// logged: frames in the WAL; done: frames copied.)
		var busy, logged, done int
		if err := c.conn.QueryRowContext(ctx, stmt).Scan(&busy, &logged, &done); err != nil {
			if ctx.Err() == nil { // not the interruption of close
				c.err = medconseil.Internal(fmt.Errorf("copie du journal WAL : %w", err))
			}
			return
		}
	}
}

// close stops the copier, interrupting a copy under way (the next checkpoint
// takes it up), and returns its first failure.
func (c *walCopier) close() error {
	c.cancel()
	<-c.done
	return errors.Join(c.err, c.conn.Close())
}
