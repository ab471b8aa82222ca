package sqldb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"medconseil/internal/sqldb"
)

// Every SQLite connection has its own page-cache group (sqlite_pcache.go):
// connections that open and read leave the process-wide group untouched. In
// SQLite's unified mode each purgeable cache adds 10 to that group's minimum
// page count, which is what this test would see if the switch were lost.
func TestPageCachesSeparate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pcache.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000)
		INSERT INTO t SELECT i, printf('%0100d', i) FROM n`); err != nil {
		t.Fatal(err)
	}
	before := sqldb.SharedPageCachePages()

	// Four connections held at once, so that four caches exist.
	conns := make([]*sql.Conn, 4)
	for i := range conns {
		if conns[i], err = db.Conn(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(conns))
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int
			for range 20 {
				if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE v > ''`).Scan(&n); err != nil {
					errs <- err
					return
				}
			}
			if n != 2000 {
				t.Errorf("lu %d lignes, attendu 2000", n)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if after := sqldb.SharedPageCachePages(); after != before {
		t.Errorf("le cache de pages partagé a grandi : pages minimales %d → %d ; chaque connexion devrait avoir le sien", before, after)
	}
}
