package sqldb

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The page-cache pool is a setting of the whole process, taken when SQLite
// initialises at the first open: each case runs in a child process of the test
// binary, which opens nothing else.
const pageCacheChild = "MEDCONSEIL_TEST_PAGECACHE"

// TestReservePageCache: with the pool, the readers' pages come from it and go
// back to it when a commit makes them stale (none is allocated outside it); a
// second reservation keeps the first pool; one after a base is open is refused
// with ErrPageCacheLate and installs nothing. The
// same scenario without the pool must show pages allocated outside it and none
// in the pool, which is what the first case would see if ReservePageCache did
// not reach SQLite.
func TestReservePageCache(t *testing.T) {
	if mode := os.Getenv(pageCacheChild); mode != "" {
		pageCacheScenario(t, mode == "reserve")
		return
	}
	for _, mode := range []string{"reserve", "none"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestReservePageCache$", "-test.v")
			cmd.Env = append(os.Environ(), pageCacheChild+"="+mode)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestReservePageCache") {
				t.Fatalf("child %s: %v\n%s", mode, err, out)
			}
		})
	}
}

func pageCacheScenario(t *testing.T, reserve bool) {
	ctx := context.Background()
	const pool = 8 << 20
	if reserve {
		if err := ReservePageCache(pool); err != nil {
			t.Fatal(err)
		}
		if err := ReservePageCache(2 * pool); err != nil || len(pagePool.buf) >= 2*pool {
			t.Fatalf("second reservation: %v, pool of %d bytes", err, len(pagePool.buf))
		}
	}
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !reserve {
		if err := ReservePageCache(pool); !errors.Is(err, ErrPageCacheLate) || pagePool.buf != nil {
			t.Fatalf("reservation after an open: %v", err)
		}
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)`); err != nil {
		t.Fatal(err)
	}
	// Each round: a commit by the writer, then a read that sees it, so the
	// reader drops its cached pages (stale) and reads them again.
	for round := range 50 {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO t (v) SELECT randomblob(1000) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4)`); err != nil {
			t.Fatal(err)
		}
		var n, sum int
		if err := db.r.QueryRowContext(ctx, `SELECT count(*), sum(length(v)) FROM t`).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n != 4*(round+1) || sum != 4000*(round+1) {
			t.Fatalf("round %d: %d rows, %d bytes", round, n, sum)
		}
	}
	used, overflow, err := pageCacheInUse()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pool slots in use %d, bytes allocated outside it %d", used, overflow)
	if reserve && (used == 0 || overflow != 0) {
		t.Fatalf("with the pool: %d slots in use, %d bytes of pages outside it", used, overflow)
	}
	if !reserve && (used != 0 || overflow == 0) {
		t.Fatalf("without the pool: %d slots in use, %d bytes of pages outside it", used, overflow)
	}
}
