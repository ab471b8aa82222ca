// Package sqldb is the one store of medconseil, on SQLite (modernc, pure Go; the
// embedded default) and PostgreSQL (pgx; production). Queries are written once with
// ? placeholders and rebound for PostgreSQL. Authorization and the audit row live
// in the store call, in the same transaction as the read or write they guard.
package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/keyring"
	"medconseil/internal/lifecycle"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrationsFS embed.FS

// DB is the store. Writes go through w; on SQLite w holds one connection whose
// transactions start IMMEDIATE, so writers queue in Go rather than fail busy, and
// reads use r, a pool of reader connections (WAL lets them run beside the writer).
type DB struct {
	dialect Dialect
	w, r    *sql.DB
	dsn     string

	// Group commit of write transactions (both engines) and, on SQLite only,
	// statement caches (pgx caches statements itself).
	commit         *committer
	wstmts, rstmts *stmtCache
	// ids hands out the dossier ids the intake reserves ahead (dossier_ids.go).
	ids idBlocks

	// Now is the clock; tests replace it.
	Now func() time.Time
	// Keys encrypts clinical free text at rest. Nil means clinical writes fail.
	Keys *keyring.Keyring
	// Policy decides what each acteur may see and do.
	Policy *authz.Policy
	// Lifecycle holds the states, transitions and legal deadlines of every dossier
	// type (internal/lifecycle), loaded and checked by Open (echeance.go).
	Lifecycle *lifecycle.Set
	// AuditKey seals the audit journal (HMAC-SHA256); it is kept outside the
	// database. Nil means journaled operations fail.
	AuditKey *keyring.MACKey
	// CheckpointDir holds the signed checkpoints VerifyAudit checks the journal
	// against; StartCheckpoints sets it and writes them.
	CheckpointDir string
	checkpoints   *checkpointer
}

// Open connects to dsn: a postgres:// or postgresql:// URL, or else the path of an
// SQLite file (created if absent). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cycles, err := lifecycle.Default()
	if err != nil {
		return nil, err
	}
	db := &DB{dsn: dsn, Now: time.Now, Policy: authz.Default(), Lifecycle: cycles}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.dialect = Postgres
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("ouverture PostgreSQL : %w", err)
		}
		p.SetMaxOpenConns(48)
		p.SetMaxIdleConns(48)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r = p, p
	} else {
		db.dialect = SQLite
		path := strings.TrimPrefix(dsn, "file:")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("création du dossier de la base %s : %w", dir, err)
			}
		}
		// synchronous FULL: an acknowledged commit survives a power cut, not only a crash.
		// No mmap_size: measured side by side on a quiet machine (docs/perf.md,
		// "Mesures au calme du 3 décembre"), the shared mapping cost intake ≈ 25 %
		// more processor (the file grows, the mapping is remapped) and did not
		// shorten the worklist's tails once its index covers the name search.
		common := sqliteParams()
		// The writer's COMMIT that takes the WAL past wal_autocheckpoint pages also
		// copies the WAL into the database file and fsyncs it. 4,000 pages (16 Mio)
		// rather than SQLite's 1,000: a page written by many groups (the leaves of
		// the dossier indexes, the dashboard counters) is copied once per checkpoint,
		// so fewer checkpoints write fewer bytes (docs/perf.md, branche h-saisie3).
		// Every commit still fsyncs the WAL (synchronous FULL).
		w, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+common+"&_txlock=immediate&_pragma=wal_autocheckpoint("+strconv.Itoa(writerCheckpoint)+")")
		if err != nil {
			return nil, fmt.Errorf("ouverture SQLite %s : %w", path, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+common+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("ouverture SQLite %s : %w", path, err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		r.SetConnMaxIdleTime(0)
		db.w, db.r = w, r
		db.wstmts, db.rstmts = newStmtCache(w), newStmtCache(r)
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connexion à la base impossible : %w", err)
	}
	db.commit = newCommitter(db)
	if db.dialect == SQLite {
		key, err := sqliteAuditKey(strings.TrimPrefix(dsn, "file:"))
		if err != nil {
			db.Close()
			return nil, err
		}
		db.AuditKey = key
	}
	return db, nil
}

// sqliteAuditKey loads the default audit key of an SQLite base, BASE.audit-key,
// creating it (mode 0600) when absent: the journal is sealed outside the database
// file from the first write. A command given --audit-key-file replaces it.
func sqliteAuditKey(path string) (*keyring.MACKey, error) {
	kp := path + ".audit-key"
	if _, err := os.Stat(kp); errors.Is(err, os.ErrNotExist) {
		id := make([]byte, 6)
		if _, err := rand.Read(id); err != nil {
			return nil, err
		}
		text, err := keyring.Generate("audit-"+hex.EncodeToString(id), rand.Reader)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(kp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, os.ErrExist) {
			return keyring.LoadMACKey(kp) // created meanwhile by another opener
		}
		if err != nil {
			return nil, fmt.Errorf("clé du journal d'audit %s : %w", kp, err)
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return nil, fmt.Errorf("clé du journal d'audit %s : %w", kp, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("clé du journal d'audit %s : %w", kp, err)
		}
	}
	return keyring.LoadMACKey(kp)
}

// sqliteParams are the settings of every SQLite connection Open makes (the
// writer and the readers add theirs).
func sqliteParams() string {
	return "_pragma=foreign_keys(1)&_pragma=cache_size(-" + strconv.Itoa(connCacheKiB) + ")&_pragma=temp_store(2)&_pragma=busy_timeout(30000)&_pragma=synchronous(FULL)&_pragma=journal_mode(WAL)&_time_format=sqlite"
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// Close releases the connections.
func (db *DB) Close() error {
	var cerr error
	if db.commit != nil {
		db.commit.close()
	}
	if db.checkpoints != nil {
		cerr = db.checkpoints.close()
		db.checkpoints = nil
	}
	if db.wstmts != nil {
		db.wstmts.close()
		db.rstmts.close()
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return errors.Join(cerr, err)
}

// Dialect returns the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Rebind turns ? placeholders into $1, $2 … for PostgreSQL. Queries must not hold a
// literal question mark.
func (db *DB) Rebind(q string) string {
	if db.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Tx is a transaction with rebinding. Its methods take ? placeholders.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	stmts *stmtCache // SQLite: prepared statements of the pool
	// txStmts are the cached statements bound to this transaction, each bound once
	// (a group runs the same few statements for each of its jobs).
	txStmts map[string]*sql.Stmt

	// In a group commit (batch.go): statements run under fixed, never under the
	// context a job passes, and stop with the job's error once job (the caller's
	// context) is done; journal entries wait in pending until the group's end.
	fixed   context.Context
	job     context.Context
	pending *[]AuditEntry

	// at, when set, is the clock of what the transaction writes (now): a bulk
	// filing received at a time of its own (BulkFiling.Recue) sets it while it
	// writes.
	at time.Time
}

// now is the time the transaction writes: at when set, the store's clock else.
func (t *Tx) now() time.Time {
	if !t.at.IsZero() {
		return t.at
	}
	return t.db.Now()
}

// ctx returns the context a statement runs under. In a group, a statement of a job
// whose caller has gone is given the caller's (ended) context, which database/sql
// refuses before reaching the connection: the shared connection is never cancelled.
func (t *Tx) ctx(ctx context.Context) context.Context {
	if t.fixed == nil {
		return ctx
	}
	if t.job != nil && t.job.Err() != nil {
		return t.job
	}
	return t.fixed
}

// stmt returns the transaction's view of a cached prepared statement, or nil.
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	if st, ok := t.txStmts[q]; ok {
		return st
	}
	if st := t.stmts.get(q); st != nil {
		// Bound under the group's own context, never a departed caller's: a
		// statement bound under an ended context fails for good, and the binding
		// serves the group's other jobs.
		bind := ctx
		if t.fixed != nil {
			bind = t.fixed
		}
		st = t.tx.StmtContext(bind, st)
		if t.txStmts == nil {
			t.txStmts = make(map[string]*sql.Stmt, 32)
		}
		t.txStmts[q] = st
		return st
	}
	return nil
}

// Exec runs a statement.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.db.Rebind(q), args...)
}

// Query runs a query.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.db.Rebind(q), args...)
}

// QueryRow runs a query returning at most one row.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.db.Rebind(q), args...)
}

// DB returns the store the transaction belongs to.
func (t *Tx) DB() *DB { return t.db }

// SetGroupSize lets a group commit take up to n writes (maxBatch by default) and
// wait up to linger for each one more before it starts short of n: a bulk load
// (synth --db), which has no caller waiting on one write and whose writes come
// one by one from its preparers, trades the latency of a write for fewer commits.
// Each write keeps its savepoint and journal entry; n <= 0 restores the default
// (and no wait).
func (db *DB) SetGroupSize(n int, linger time.Duration) {
	if db.commit == nil {
		return
	}
	if n <= 0 {
		n, linger = maxBatch, 0
	}
	db.commit.groupSize.Store(int64(n))
	db.commit.linger.Store(int64(max(linger, 0)))
}

// SQLite settings: the cache of every connection and the writer's checkpoint
// interval Open gives (see there), and the writer's during a bulk load.
const (
	connCacheKiB         = 65536
	writerCheckpoint     = 4000
	bulkWriterCacheKiB   = 1 << 20
	bulkWriterCheckpoint = 65536

	// BulkLoadPageCache is the page-cache pool a bulk load reserves
	// (ReservePageCache): the writer's bulk cache and 16 Mio for each of the
	// eight readers, whose caches hold one read transaction's pages.
	BulkLoadPageCache = (bulkWriterCacheKiB + 8*16384) << 10
)

// BulkLoad gives the SQLite writer a cache of 1 Gio, leaves the copy of the WAL
// into the database file to a copier on another core (walcopier.go; the writer
// checkpoints itself only past 65,536 pages, 256 Mio, rather than 4,000), and
// commits without waiting for the disk (synchronous NORMAL), until end is
// called: a bulk load (synth --db) inserts millions of rows into indexes far
// larger than the 64 Mio cache, re-reading their pages from the file; its
// checkpoints copy the same index pages again and again, between two of the
// writer's transactions; and it commits thousands of groups, each an fsync.
// Readers keep their settings. At scale 1.0 the history import goes from
// 6 min 40 s to 5 min 5 s (docs/perf.md, branche h-annee5).
//
// What a bulk load commits is durable when end returns: end checkpoints the
// whole WAL into the database file and fsyncs it, and restores synchronous FULL
// for every later commit. A crash before that may lose the last groups (never
// half of one: SQLite's WAL stays consistent), which the load's idempotence
// keys let it file again; nobody else writes meanwhile. On PostgreSQL it does
// nothing.
func (db *DB) BulkLoad(ctx context.Context) (end func(context.Context) error, err error) {
	if db.dialect != SQLite {
		return func(context.Context) error { return nil }, nil
	}
	set := func(ctx context.Context, qs ...string) error {
		for _, q := range qs {
			if _, err := db.w.ExecContext(ctx, q); err != nil {
				return medconseil.Internal(fmt.Errorf("réglage du chargement en masse : %s : %w", q, err))
			}
		}
		return nil
	}
	copier, err := db.startWALCopier(walCopyEvery, walCopyStatement)
	if err != nil {
		return nil, err
	}
	if err := set(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", bulkWriterCacheKiB), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", bulkWriterCheckpoint),
		"PRAGMA synchronous = NORMAL"); err != nil {
		return nil, errors.Join(err, copier.close())
	}
	return func(ctx context.Context) error {
		if err := copier.close(); err != nil {
			return err
		}
		if err := set(ctx, "PRAGMA synchronous = FULL"); err != nil {
			return err
		}
		var busy, logged, done int
		if err := db.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(FULL)`).Scan(&busy, &logged, &done); err != nil {
			return medconseil.Internal(fmt.Errorf("fin du chargement en masse : point de reprise : %w", err))
		}
		if busy != 0 {
			return medconseil.Internal(fmt.Errorf("fin du chargement en masse : point de reprise incomplet (%d pages du journal sur %d recopiées)", done, logged))
		}
		return set(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", connCacheKiB), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerCheckpoint))
	}, nil
}

func (db *DB) groupSize() int {
	if db.commit == nil {
		return 1
	}
	return int(db.commit.groupSize.Load())
}

// Write runs fn in a read-write transaction, committed if fn returns nil and rolled
// back otherwise: nothing is half written. Write returns only once the commit is
// durable. fn runs on the group-commit writer (batch.go), so it must not call Write
// itself — it would wait for its own group; reads through Read are fine.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if db.commit != nil {
		return db.commit.submit(ctx, fn)
	}
	return db.run(ctx, db.w, false, fn)
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.r, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) (err error) {
	var opts *sql.TxOptions
	if readOnly && db.dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return medconseil.Internal(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	t := &Tx{tx: tx, db: db}
	if db.dialect == SQLite {
		t.stmts = db.rstmts
		if pool == db.w {
			t.stmts = db.wstmts
		}
	}
	if err = fn(t); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return medconseil.Internal(fmt.Errorf("commit: %w", err))
	}
	if t.stmts != nil {
		t.stmts.prepareWanted(ctx)
	}
	return nil
}

// Migration is one embedded schema migration of a dialect.
type Migration struct {
	Name   string // file name, e.g. 0001_foundation.sql; applied in name order
	SQL    string
	SHA256 string // hex SHA-256 of the file, recorded when applied
}

// Migrations returns the embedded migrations of dialect d in the order they apply.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations : %w", err)
	}
	var out []Migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		body, err := migrationsFS.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrations : %w", err)
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Name: e.Name(), SQL: string(body), SHA256: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// AppliedMigration is a row of schema_migration.
type AppliedMigration struct {
	Name      string `json:"name"`
	SHA256    string `json:"sha256"`
	AppliedAt string `json:"applied_at,omitempty"`
}

// MigrationChanged is the refusal to run on a database where an already-applied
// migration no longer matches the file embedded in this binary: the schema the
// database has is not the one the code expects, and applying "the rest" could
// corrupt it. It is also returned for a migration the binary does not know (a
// database upgraded by a newer release).
type MigrationChanged struct {
	Name      string
	Recorded  string // checksum recorded at application
	Embedded  string // checksum of the embedded file ("" if absent)
	Downgrade bool
}

func (e *MigrationChanged) Error() string {
	if e.Downgrade {
		return fmt.Sprintf("migrations : la base a reçu la migration %s, inconnue de ce programme (base mise à jour par une version plus récente) : utilisez la version qui l'a migrée", e.Name)
	}
	return fmt.Sprintf("migrations : la migration %s a été modifiée depuis son application (empreinte SHA-256 enregistrée %s, embarquée %s) : une migration appliquée ne se modifie pas, ajoutez-en une nouvelle", e.Name, short(e.Recorded), short(e.Embedded))
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// ensureMigrationTable creates schema_migration, or adds the checksum column to one
// made by a release that did not record checksums (before 2026-12).
func (db *DB) ensureMigrationTable(ctx context.Context) error {
	// The application role of PostgreSQL may not create tables
	// (docs/postgres-roles.sql): create the list of migrations only when missing.
	var rows int
	if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migration`).Scan(&rows); err != nil {
		if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL, sha256 TEXT NOT NULL DEFAULT '')`); err != nil {
			return fmt.Errorf("migrations : %w", err)
		}
	}
	q := `SELECT COUNT(*) FROM pragma_table_info('schema_migration') WHERE name = 'sha256'`
	if db.dialect == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migration' AND column_name = 'sha256'`
	}
	var n int
	if err := db.w.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return fmt.Errorf("migrations : %w", err)
	}
	if n == 0 {
		if _, err := db.w.ExecContext(ctx, `ALTER TABLE schema_migration ADD COLUMN sha256 TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("migrations : %w", err)
		}
	}
	return nil
}

// AppliedMigrations lists the migrations recorded in the database, in order.
func (db *DB) AppliedMigrations(ctx context.Context) ([]AppliedMigration, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, sha256, applied_at FROM schema_migration ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("migrations : %w", err)
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var m AppliedMigration
		if err := rows.Scan(&m.Name, &m.SHA256, &m.AppliedAt); err != nil {
			return nil, fmt.Errorf("migrations : %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Migrate applies the embedded migrations of the dialect not yet applied, each in its
// own transaction, in file-name order, recording each with its SHA-256. Before
// applying anything it checks the migrations already applied: one whose file
// changed since, or one this binary does not know, stops everything
// (*MigrationChanged). Migrations recorded without a checksum (databases made before
// checksums were kept) get the embedded file's checksum recorded. It returns the
// names it applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	return db.migrate(ctx, "")
}

// MigrateThrough applies the embedded migrations up to and including last (restore
// rebuilds the schema a backup was made with before loading its rows).
func (db *DB) MigrateThrough(ctx context.Context, last string) ([]string, error) {
	if last == "" {
		return nil, errors.New("migrations : nom de la dernière migration manquant")
	}
	return db.migrate(ctx, last)
}

func (db *DB) migrate(ctx context.Context, last string) ([]string, error) {
	all, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	if last != "" {
		i := sort.Search(len(all), func(i int) bool { return all[i].Name >= last })
		if i == len(all) || all[i].Name != last {
			return nil, fmt.Errorf("migrations : %s inconnue de ce programme", last)
		}
		all = all[:i+1]
	}
	if err := db.ensureMigrationTable(ctx); err != nil {
		return nil, err
	}
	if err := db.checkApplied(ctx, all, last == ""); err != nil {
		return nil, err
	}
	// The indexes of a history import that did not finish (index_differe.go),
	// before a migration may name them.
	if err := db.RebuildDeferredIndexes(ctx, nil); err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range all {
		done := false
		err = db.Write(ctx, func(tx *Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migration WHERE name = ?`, m.Name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			if _, err := tx.tx.ExecContext(tx.ctx(ctx), m.SQL); err != nil {
				return fmt.Errorf("migration %s : %w", m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migration (name, applied_at, sha256) VALUES (?, ?, ?)`, m.Name, db.Now().UTC().Format(time.RFC3339), m.SHA256)
			return err
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, m.Name)
		}
	}
	if last == "" {
		// The dashboard's counters follow the lifecycle files (tableau_compteurs.go).
		if err := db.syncTableauTacite(ctx); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// checkApplied compares the recorded migrations with the embedded ones, and records
// the checksum of those applied by a release that did not keep it.
func (db *DB) checkApplied(ctx context.Context, embedded []Migration, complete bool) error {
	recorded, err := db.AppliedMigrations(ctx)
	if err != nil {
		return err
	}
	byName := make(map[string]Migration, len(embedded))
	for _, m := range embedded {
		byName[m.Name] = m
	}
	for _, r := range recorded {
		m, ok := byName[r.Name]
		if !ok {
			if complete {
				return &MigrationChanged{Name: r.Name, Recorded: r.SHA256, Downgrade: true}
			}
			continue
		}
		if r.SHA256 == "" {
			if _, err := db.w.ExecContext(ctx, db.Rebind(`UPDATE schema_migration SET sha256 = ? WHERE name = ? AND sha256 = ''`), m.SHA256, m.Name); err != nil {
				return fmt.Errorf("migrations : %w", err)
			}
			continue
		}
		if r.SHA256 != m.SHA256 {
			return &MigrationChanged{Name: r.Name, Recorded: r.SHA256, Embedded: m.SHA256}
		}
	}
	return nil
}

// tsLayout stores times as fixed-width UTC text, which sorts as it reads in both engines.
const tsLayout = "2006-01-02T15:04:05.000000000Z"

// ts formats a time for storage.
func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

// parseTS reads a time stored by ts.
func parseTS(s string) (time.Time, error) { return time.Parse(tsLayout, s) }

// isUniqueViolation reports whether err is a unique-constraint failure in either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}
