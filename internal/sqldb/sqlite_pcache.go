package sqldb

import (
	_ "unsafe" // for go:linkname

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// pcache1Global is SQLite's page-cache state (the static `pcache1_g` of
// sqlite3.c), reached by name: SQLite chooses its page-cache mode at compile
// time and has no run-time setting for it, and modernc.org/sqlite/lib does
// not export the variable. go:linkname to a package outside the standard
// library is allowed by Go 1.26's linker (only runtime symbols are guarded).
//
//go:linkname pcache1Global modernc.org/sqlite/lib._pcache1_g
var pcache1Global sqlite3.TPCacheGlobal

func init() { separatePageCaches() }

// separatePageCaches gives every SQLite connection its own page-cache group
// (SQLite's "mode 1").
//
// modernc.org/sqlite is compiled with SQLITE_ENABLE_MEMORY_MANAGEMENT, and
// pcache1Init then always chooses the unified cache ("mode 2"): every page
// of every connection of the process sits in one LRU list guarded by one
// process-wide mutex (SQLITE_MUTEX_STATIC_LRU), taken on every page fetch
// and release. The bulk load of `synth --db` runs several read connections
// beside the writer; at scale 1.0 the profile showed about 29 % of the
// preparers' time waiting on that mutex (docs/perf.md, « caches de pages »).
// The unified cache buys only sqlite3_release_memory's ability to shrink
// other connections' caches, which medconseil never calls: each connection
// has a fixed cache_size (db.go).
//
// The switch must happen after pcache1Init (which zeroes the structure and
// sets mode 2) and before any cache is created: sqlite3_initialize runs
// pcache1Init exactly once per process, and no connection exists during
// package initialisation. Mode 1 is SQLite's default for threaded builds
// without memory management, so this takes no path SQLite does not test.
// TestPageCachesSeparate fails if an upgrade of modernc.org/sqlite moves or
// re-initialises the structure.
func separatePageCaches() {
	tls := libc.NewTLS()
	defer tls.Close()
	if rc := sqlite3.Xsqlite3_initialize(tls); rc != sqlite3.SQLITE_OK {
		// Open reports the failure with SQLite's own message; the shared
		// cache stays, which is slower but correct.
		return
	}
	pcache1Global.FseparateCache = 1
}
