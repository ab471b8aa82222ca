package sqldb

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"medconseil"
)

// SQLite page size of the bases Open creates (SQLite's default; no page_size pragma).
const sqlitePageSize = 4096

// ErrPageCacheLate is ReservePageCache's answer when SQLite is already
// initialised in this process (a base was opened before): SQLite takes the
// pool only at its initialisation.
var ErrPageCacheLate = errors.New("réserve de pages SQLite : une base SQLite a déjà été ouverte dans ce processus, la réserve doit précéder la première ouverture")

var pagePool struct {
	sync.Mutex
	buf []byte // the pool, outside the Go heap; kept for the life of the process
	// Where SQLite writes what it is asked, under the mutex: package variables,
	// which neither the collector nor a stack growth moves.
	hdr                int32
	current, highwater int64
}

// ReservePageCache gives every SQLite connection of the process one shared pool
// of page-cache slots, bytes long (SQLITE_CONFIG_PAGECACHE), and must be called
// before the process opens its first SQLite base.
//
// Why: the readers of a WAL base drop their whole page cache at the start of
// any read transaction that follows a commit by the writer, and SQLite frees
// each page to modernc.org/libc's allocator. That allocator takes one mutex for
// the whole process, and once more than 4 Mio of a size class lie empty it
// hands them back to the kernel (madvise) while still holding the mutex; the
// next read faults them back in. In synth --db at scale 1.0 the four preparers
// spent 93 s of processor in madvise alone (docs/perf.md). Pages taken from
// this pool go back to it when dropped: no allocator, no system call. When the
// pool runs low SQLite recycles its least recently used pages instead of
// allocating more, so the pool also bounds the page caches of all connections
// together.
//
// The pool is mapped and touched at once (SQLite threads its free list through
// every slot): it is resident memory for the rest of the process. For the bulk
// load of synth --db, not for the server. On PostgreSQL it is not called.
//
// A second call keeps the pool already installed and returns nil. A call after
// SQLite's initialisation returns an error that wraps ErrPageCacheLate, and
// nothing is changed.
func ReservePageCache(bytes int64) error {
	pagePool.Lock()
	defer pagePool.Unlock()
	if pagePool.buf != nil {
		return nil
	}
	tls := libc.NewTLS()
	defer tls.Close()
	va := tls.Alloc(3 * 8)
	defer tls.Free(3 * 8)
	// Bytes SQLite keeps beside each page (its headers), to size a slot.
	if rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PCACHE_HDRSZ, libc.VaList(va, uintptr(unsafe.Pointer(&pagePool.hdr)))); rc != sqlite3.SQLITE_OK {
		return medconseil.Internal(fmt.Errorf("réserve de pages SQLite : taille des en-têtes illisible (code %d)", rc))
	}
	slot := (sqlitePageSize + int64(pagePool.hdr) + 7) &^ 7
	n := bytes / slot
	if n < 1 || n > 1<<31-1 {
		return medconseil.Internal(fmt.Errorf("réserve de pages SQLite de %d octets : hors des bornes (une page fait %d octets)", bytes, slot))
	}
	buf, err := syscall.Mmap(-1, 0, int(n*slot), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return medconseil.Internal(fmt.Errorf("réserve de pages SQLite de %d octets : %w", n*slot, err))
	}
	if rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PAGECACHE, libc.VaList(va, uintptr(unsafe.Pointer(&buf[0])), int32(slot), int32(n))); rc != sqlite3.SQLITE_OK {
		_ = syscall.Munmap(buf)
		if rc == sqlite3.SQLITE_MISUSE {
			return ErrPageCacheLate
		}
		return medconseil.Internal(fmt.Errorf("réserve de pages SQLite : refusée par SQLite (code %d)", rc))
	}
	pagePool.buf = buf
	return nil
}

// pageCacheInUse reports how many slots of the reserved pool are in use, and how
// many page-cache allocations did not fit in it (SQLITE_STATUS_PAGECACHE_USED
// and _OVERFLOW: slots, then bytes).
func pageCacheInUse() (used, overflow int64, err error) {
	pagePool.Lock()
	defer pagePool.Unlock()
	tls := libc.NewTLS()
	defer tls.Close()
	for i, op := range []int32{sqlite3.SQLITE_STATUS_PAGECACHE_USED, sqlite3.SQLITE_STATUS_PAGECACHE_OVERFLOW} {
		if rc := sqlite3.Xsqlite3_status64(tls, op, uintptr(unsafe.Pointer(&pagePool.current)), uintptr(unsafe.Pointer(&pagePool.highwater)), 0); rc != sqlite3.SQLITE_OK {
			return 0, 0, fmt.Errorf("sqlite3_status64(%d) : code %d", op, rc)
		}
		v := pagePool.current
		if i == 0 {
			used = v
		} else {
			overflow = v
		}
	}
	return used, overflow, nil
}
