package sqldb

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The WAL copier's contract (walcopier.go): during a bulk load the WAL reaches
// the database file without the writer checkpointing (its own interval is far
// off); stopped in the middle of copies, it leaves a sound base and no
// goroutine, and the end of the load copies the rest; a copy that fails is
// reported by the end of the load.
func TestWALCopier(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T) (*DB, string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "copie.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.w.ExecContext(ctx, `CREATE TABLE charge (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		return db, path
	}
	size := func(t *testing.T, path string) int64 {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	// fill commits n transactions of 1,000 rows of 1 Kio each (about 250 pages
	// a commit, far under the writer's own checkpoint interval).
	fill := func(t *testing.T, db *DB, n int) {
		t.Helper()
		for range n {
			if err := db.run(ctx, db.w, false, func(tx *Tx) error {
				for range 1000 {
					if _, err := tx.tx.ExecContext(ctx, `INSERT INTO charge (v) VALUES (?)`, strings.Repeat("x", 1024)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("copie pendant le chargement", func(t *testing.T) {
		db, path := open(t)
		end, err := db.BulkLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s0 := size(t, path)
		fill(t, db, 4) // 4 Mio
		// Only a checkpoint writes the database file.
		deadline := time.Now().Add(10 * time.Second)
		for size(t, path) < s0+3<<20 {
			if time.Now().After(deadline) {
				t.Fatalf("database file of %d bytes 10 s after 4 Mio were committed (%d before): the WAL was not copied during the load", size(t, path), s0)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := end(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		copierGone(t)
	})

	t.Run("arrêt en pleine copie", func(t *testing.T) {
		db, path := open(t)
		end, err := db.BulkLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Beside the load's copier, start a second one and stop it at once,
		// again and again, each time with a WAL to copy: most closes interrupt
		// a copy.
		for range 5 {
			fill(t, db, 8)
			c, err := db.startWALCopier(time.Microsecond, walCopyStatement)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
			if err := c.close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := end(ctx); err != nil {
			t.Fatal(err)
		}
		var check string
		var n int
		if err := db.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check: %q, %v", check, err)
		}
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM charge`).Scan(&n); err != nil || n != 40000 {
			t.Fatalf("%d rows after the load, 40000 written (%v)", n, err)
		}
		// The end's full checkpoint copied everything: the WAL holds nothing
		// the database file lacks.
		var busy, logged, done int
		if err := db.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &done); err != nil || busy != 0 || done != logged {
			t.Fatalf("after the load: checkpoint busy %d, %d frames in the WAL, %d copied (%v)", busy, logged, done, err)
		}
		if size(t, path) < int64(n)<<10 {
			t.Fatalf("database file of %d bytes for %d rows of 1 Kio", size(t, path), n)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		copierGone(t)
	})

	t.Run("copie en échec", func(t *testing.T) {
		db, _ := open(t)
		c, err := db.startWALCopier(time.Millisecond, `SELECT * FROM table_absente`)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		err = c.close()
		if err == nil || !strings.Contains(err.Error(), "copie du journal WAL") || !strings.Contains(err.Error(), "table_absente") {
			t.Fatalf("a failing copy: close returned %v", err)
		}
	})
}

// copierGone waits until no goroutine runs the copier's loop.
func copierGone(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "sqldb.(*walCopier).loop") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the copier's goroutine left 5 s after the end of the load:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
