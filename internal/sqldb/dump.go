package sqldb

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite"
)

// The dump is a copy of one consistent snapshot of the whole database, in a format
// of our own (the backup command encrypts it; it is never written in clear):
//
//	"MCDUMP1\n"
//	then records: one kind byte, a uvarint length, the payload
//	'H' header (JSON DumpHeader): engine, migrations applied, time of the snapshot
//	SQLite: 'F' chunks of the database file, copied page by page by SQLite's
//	        online backup API (one step, so one read transaction: a snapshot)
//	PostgreSQL, per table: 'T' (JSON dumpTable: name and columns), 'C' chunks of
//	        COPY text data (the format pg_dump uses), 'E' uvarint count of rows
//	'Z' trailer (JSON DumpInfo): per-table counts and the last journal entry
//
// It is engine-specific: a dump restores into the engine it was made from. On
// PostgreSQL the schema is rebuilt by the same embedded migrations the dump was made
// with; the SQLite file carries its schema. Either way the migrations that came
// after the dump then apply (an upgrade).
const dumpMagic = "MCDUMP1\n"

// maxRecord bounds one record, so a corrupted length cannot make restore allocate
// without limit.
const maxRecord = 64 << 20

// DumpHeader opens a dump.
type DumpHeader struct {
	Engine     Dialect            `json:"moteur"`
	Migrations []AppliedMigration `json:"migrations"`
	Le         time.Time          `json:"le"`
}

// TableCount is the number of rows of a table in a dump.
type TableCount struct {
	Name string `json:"table"`
	Rows int64  `json:"lignes"`
}

// JournalMark identifies the last entry of the audit journal in a dump.
type JournalMark struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	Le   string `json:"le"`
}

// DumpInfo describes a dump: its header, the tables with their row counts in dump
// order, and the last journal entry of the snapshot.
type DumpInfo struct {
	DumpHeader
	Tables    []TableCount `json:"tables"`
	LastAudit JournalMark  `json:"dernier_journal"`
}

// Count returns the rows of table name, or -1 if the dump has no such table.
func (d *DumpInfo) Count(name string) int64 {
	for _, t := range d.Tables {
		if t.Name == name {
			return t.Rows
		}
	}
	return -1
}

type dumpTable struct {
	Name    string   `json:"table"`
	Columns []string `json:"colonnes"`
}

type recordWriter struct {
	w   *bufio.Writer
	hdr [1 + binary.MaxVarintLen64]byte
}

func (rw *recordWriter) record(kind byte, payload []byte) error {
	rw.hdr[0] = kind
	n := binary.PutUvarint(rw.hdr[1:], uint64(len(payload)))
	if _, err := rw.w.Write(rw.hdr[:1+n]); err != nil {
		return err
	}
	_, err := rw.w.Write(payload)
	return err
}

func (rw *recordWriter) json(kind byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return rw.record(kind, b)
}

// Dump writes a consistent snapshot of the whole database to w, while the server
// keeps running: on SQLite a page copy by the online backup API in one step (one
// read transaction; WAL lets writers commit meanwhile), on PostgreSQL one
// REPEATABLE READ READ ONLY transaction with COPY, as pg_dump does. Nothing acknowledged before Dump starts is missing,
// and no write is half in it.
func (db *DB) Dump(ctx context.Context, w io.Writer) (*DumpInfo, error) {
	rw := &recordWriter{w: bufio.NewWriterSize(w, 1<<20)}
	if _, err := rw.w.WriteString(dumpMagic); err != nil {
		return nil, err
	}
	var info *DumpInfo
	var err error
	if db.dialect == Postgres {
		info, err = db.dumpPostgres(ctx, rw)
	} else {
		info, err = db.dumpSQLite(ctx, rw)
	}
	if err != nil {
		return nil, err
	}
	if err := rw.json('Z', info); err != nil {
		return nil, err
	}
	return info, rw.w.Flush()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (db *DB) dumpSQLite(ctx context.Context, rw *recordWriter) (*DumpInfo, error) {
	path := strings.TrimPrefix(db.dsn, "file:")
	// The page copy is written beside the database (same file system, same
	// protection), read, and removed.
	dir, err := os.MkdirTemp(filepath.Dir(path), ".sauvegarde-")
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "copie.db")
	le := db.Now().UTC()
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	// One backup step over all pages holds one read transaction: the copy is the
	// database as it was when the step began, whatever commits meanwhile (WAL).
	err = conn.Raw(func(dc any) error {
		src, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("pilote SQLite sans API de sauvegarde")
		}
		b, err := src.NewBackup(copyPath)
		if err != nil {
			return err
		}
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
	conn.Close()
	if err != nil {
		return nil, fmt.Errorf("sauvegarde SQLite : %w", err)
	}
	info, err := describeSQLite(ctx, copyPath)
	if err != nil {
		return nil, err
	}
	info.Le = le
	if err := rw.json('H', info.DumpHeader); err != nil {
		return nil, err
	}
	f, err := os.Open(copyPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if err := rw.record('F', buf[:n]); err != nil {
				return nil, err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return info, nil
}

// describeSQLite reads the migrations, the row count of every table and the last
// journal entry of an SQLite file.
func describeSQLite(ctx context.Context, path string) (*DumpInfo, error) {
	raw, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	info := &DumpInfo{DumpHeader: DumpHeader{Engine: SQLite}}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t := &Tx{tx: tx}
	if info.Migrations, err = appliedIn(ctx, t); err != nil {
		return nil, err
	}
	tables, err := strings1(ctx, t, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migration' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for _, name := range tables {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("table %s : %w", name, err)
		}
		info.Tables = append(info.Tables, TableCount{Name: name, Rows: n})
	}
	return info, lastAudit(ctx, tx.QueryRowContext, &info.LastAudit)
}

func appliedIn(ctx context.Context, tx *Tx) ([]AppliedMigration, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT name, sha256, applied_at FROM schema_migration ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var m AppliedMigration
		if err := rows.Scan(&m.Name, &m.SHA256, &m.AppliedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func strings1(ctx context.Context, tx *Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func lastAudit[R interface{ Scan(...any) error }](ctx context.Context, queryRow func(context.Context, string, ...any) R, m *JournalMark) error {
	err := queryRow(ctx, `SELECT seq, hash, le FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&m.Seq, &m.Hash, &m.Le)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}

var errCorrupt = errors.New("sauvegarde illisible : contenu incohérent")

func (db *DB) dumpPostgres(ctx context.Context, rw *recordWriter) (*DumpInfo, error) {
	info := &DumpInfo{DumpHeader: DumpHeader{Engine: Postgres, Le: db.Now().UTC()}}
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : connexion à PostgreSQL : %w", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	defer tx.Rollback(context.Background())
	rows, err := tx.Query(ctx, `SELECT name, sha256, applied_at FROM schema_migration ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	for rows.Next() {
		var m AppliedMigration
		if err := rows.Scan(&m.Name, &m.SHA256, &m.AppliedAt); err != nil {
			rows.Close()
			return nil, err
		}
		info.Migrations = append(info.Migrations, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rw.json('H', info.DumpHeader); err != nil {
		return nil, err
	}
	tables, err := pgTablesInOrder(ctx, tx)
	if err != nil {
		return nil, err
	}
	cw := &copyChunks{rw: rw}
	for _, t := range tables {
		cols, err := pgColumns(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		if err := rw.json('T', dumpTable{Name: t, Columns: cols}); err != nil {
			return nil, err
		}
		qc := make([]string, len(cols))
		for i, c := range cols {
			qc[i] = quoteIdent(c)
		}
		tag, err := conn.PgConn().CopyTo(ctx, cw, `COPY (SELECT `+strings.Join(qc, ", ")+` FROM `+quoteIdent(t)+`) TO STDOUT`)
		if err != nil {
			return nil, fmt.Errorf("sauvegarde de la table %s : %w", t, err)
		}
		if err := rw.record('E', binary.AppendUvarint(nil, uint64(tag.RowsAffected()))); err != nil {
			return nil, err
		}
		info.Tables = append(info.Tables, TableCount{Name: t, Rows: tag.RowsAffected()})
	}
	if err := lastAudit(ctx, tx.QueryRow, &info.LastAudit); err != nil {
		return nil, err
	}
	return info, tx.Commit(ctx)
}

// copyChunks turns COPY output into 'C' records.
type copyChunks struct{ rw *recordWriter }

func (c *copyChunks) Write(p []byte) (int, error) {
	if err := c.rw.record('C', p); err != nil {
		return 0, err
	}
	return len(p), nil
}

type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func pgStrings(ctx context.Context, q pgQuerier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func pgColumns(ctx context.Context, q pgQuerier, table string) ([]string, error) {
	return pgStrings(ctx, q, `SELECT attname::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, quoteIdent(table))
}

// pgTablesInOrder lists the tables of the current schema (schema_migration apart)
// so that a table comes after those its foreign keys reference: COPY checks them.
func pgTablesInOrder(ctx context.Context, q pgQuerier) ([]string, error) {
	tables, err := pgStrings(ctx, q, `SELECT relname::text FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition AND relname <> 'schema_migration' ORDER BY relname`)
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	rows, err := q.Query(ctx, `SELECT cr.relname::text, cf.relname::text FROM pg_constraint c JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_class cf ON cf.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("sauvegarde : %w", err)
	}
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if from != to {
			deps[from] = append(deps[from], to)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string)
	visit = func(t string) {
		if state[t] != 0 {
			return // done, or a cycle (COPY would then need deferred keys: none exist)
		}
		state[t] = 1
		ds := deps[t]
		sort.Strings(ds)
		for _, d := range ds {
			visit(d)
		}
		state[t] = 2
		out = append(out, t)
	}
	for _, t := range tables {
		visit(t)
	}
	return out, nil
}

// recordReader reads the records of a dump.
type recordReader struct {
	r   *bufio.Reader
	buf []byte
}

func (rr *recordReader) next() (byte, []byte, error) {
	kind, err := rr.r.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, fmt.Errorf("sauvegarde incomplète : fin inattendue du contenu")
		}
		return 0, nil, err
	}
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, fmt.Errorf("sauvegarde incomplète : fin inattendue du contenu")
		}
		return 0, nil, err
	}
	if n > maxRecord {
		return 0, nil, errCorrupt
	}
	if uint64(cap(rr.buf)) < n {
		rr.buf = make([]byte, n)
	}
	rr.buf = rr.buf[:n]
	if _, err := io.ReadFull(rr.r, rr.buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, fmt.Errorf("sauvegarde incomplète : fin inattendue du contenu")
		}
		return 0, nil, err
	}
	return kind, rr.buf, nil
}

func (rr *recordReader) expect(kind byte, v any) error {
	k, p, err := rr.next()
	if err != nil {
		return err
	}
	if k != kind {
		return errCorrupt
	}
	if err := json.Unmarshal(p, v); err != nil {
		return errCorrupt
	}
	return nil
}

// RestoreError is a refusal of restore, in French.
type RestoreError struct{ Message string }

func (e *RestoreError) Error() string { return e.Message }

func refuse(format string, args ...any) error {
	return &RestoreError{Message: fmt.Sprintf(format, args...)}
}

// DialectOf returns the engine a DSN names.
func DialectOf(dsn string) Dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Load restores a dump read from r into the database dsn, which must be new: an
// SQLite file that does not exist yet, or a PostgreSQL database (schema) without any
// table. The dump's migrations must be those embedded in this binary, checksums
// included. On PostgreSQL, one transaction rebuilds the schema with them, loads
// every table by COPY and checks each count; on SQLite the file is written beside
// the target, checked (quick_check, migrations, every count, last journal entry)
// and renamed only then. Nothing is left half written. The caller then opens the database and
// runs Migrate for the migrations that came after the dump (an upgrade).
func Load(ctx context.Context, dsn string, r io.Reader) (*DumpInfo, error) {
	rr := &recordReader{r: bufio.NewReaderSize(r, 1<<20)}
	magic := make([]byte, len(dumpMagic))
	if _, err := io.ReadFull(rr.r, magic); err != nil || string(magic) != dumpMagic {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return nil, refuse("sauvegarde illisible : ce n'est pas un contenu de sauvegarde medconseil")
	}
	var h DumpHeader
	if err := rr.expect('H', &h); err != nil {
		return nil, err
	}
	engine := DialectOf(dsn)
	if h.Engine != engine {
		return nil, refuse("la sauvegarde vient d'une base %s et la cible est %s : restaurer dans le même moteur", h.Engine, engine)
	}
	migs, err := migrationsOf(h)
	if err != nil {
		return nil, err
	}
	var info *DumpInfo
	if engine == Postgres {
		info, err = loadPostgres(ctx, dsn, h, migs, rr)
	} else {
		info, err = loadSQLite(ctx, dsn, h, rr)
	}
	if err != nil {
		return nil, err
	}
	return info, nil
}

// migrationsOf returns the embedded migrations a dump was made with; each must be
// the very file this binary embeds.
func migrationsOf(h DumpHeader) ([]Migration, error) {
	all, err := Migrations(h.Engine)
	if err != nil {
		return nil, err
	}
	if len(h.Migrations) > len(all) {
		return nil, refuse("la sauvegarde a été faite par une version plus récente (%d migrations, ce programme en connaît %d) : restaurer avec cette version", len(h.Migrations), len(all))
	}
	for i, m := range h.Migrations {
		if all[i].Name != m.Name {
			return nil, refuse("la sauvegarde a été faite avec la migration %s, que ce programme ne connaît pas à cette place (%s) : restaurer avec la version qui l'a faite", m.Name, all[i].Name)
		}
		if m.SHA256 != "" && m.SHA256 != all[i].SHA256 {
			return nil, refuse("la migration %s de la sauvegarde diffère de celle de ce programme (empreinte %s au lieu de %s)", m.Name, short(m.SHA256), short(all[i].SHA256))
		}
	}
	return all[:len(h.Migrations)], nil
}

// tableLoader receives the COPY data of one table, consuming 'C' records up to 'E'.
type tableLoader interface {
	copyData(rr *recordReader) (int64, error)
}

// readTables reads the table sections up to the trailer, calling begin for each
// table, and checks every count; it returns the trailer.
func readTables(rr *recordReader, begin func(t dumpTable) (tableLoader, error)) (*DumpInfo, error) {
	var seen []TableCount
	for {
		kind, p, err := rr.next()
		if err != nil {
			return nil, err
		}
		switch kind {
		case 'Z':
			var info DumpInfo
			if err := json.Unmarshal(p, &info); err != nil {
				return nil, errCorrupt
			}
			if len(info.Tables) != len(seen) {
				return nil, refuse("sauvegarde incohérente : %d tables lues, le manifeste en annonce %d", len(seen), len(info.Tables))
			}
			for i, t := range info.Tables {
				if seen[i] != t {
					return nil, refuse("sauvegarde incohérente : table %s, %d lignes lues, %d annoncées", t.Name, seen[i].Rows, t.Rows)
				}
			}
			if _, err := rr.r.ReadByte(); !errors.Is(err, io.EOF) {
				if err != nil {
					return nil, err
				}
				return nil, refuse("sauvegarde illisible : données après la fin du contenu")
			}
			return &info, nil
		case 'T':
			var t dumpTable
			if err := json.Unmarshal(p, &t); err != nil || t.Name == "" || len(t.Columns) == 0 {
				return nil, errCorrupt
			}
			l, err := begin(t)
			if err != nil {
				return nil, err
			}
			n, err := l.copyData(rr)
			if err != nil {
				return nil, fmt.Errorf("restauration de la table %s : %w", t.Name, err)
			}
			seen = append(seen, TableCount{Name: t.Name, Rows: n})
		default:
			return nil, errCorrupt
		}
	}
}

func loadSQLite(ctx context.Context, dsn string, h DumpHeader, rr *recordReader) (*DumpInfo, error) {
	path := strings.TrimPrefix(dsn, "file:")
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil, refuse("la base cible %s existe déjà : la restauration ne se fait que dans une base neuve", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	// Built beside the target and renamed only once complete and checked.
	tmp := path + ".restauration-en-cours"
	for _, f := range []string{tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"} {
		_ = os.Remove(f)
	}
	ok := false
	defer func() {
		if !ok {
			for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
				_ = os.Remove(f)
			}
		}
	}()
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	var info DumpInfo
	for done := false; !done; {
		kind, p, err := rr.next()
		if err != nil {
			f.Close()
			return nil, err
		}
		switch kind {
		case 'F':
			if _, err := f.Write(p); err != nil {
				f.Close()
				return nil, err
			}
		case 'Z':
			if err := json.Unmarshal(p, &info); err != nil {
				f.Close()
				return nil, errCorrupt
			}
			done = true
		default:
			f.Close()
			return nil, errCorrupt
		}
	}
	if _, err := rr.r.ReadByte(); !errors.Is(err, io.EOF) {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, refuse("sauvegarde illisible : données après la fin du contenu")
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := checkSQLite(ctx, tmp, h, &info); err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil, refuse("la base cible %s a été créée pendant la restauration : rien n'a été remplacé", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	ok = true
	return &info, syncDir(filepath.Dir(path))
}

// checkSQLite verifies a restored file before it takes the target's name: SQLite's
// own structural check, then the migrations, the row counts and the last journal
// entry against the dump's header and trailer.
func checkSQLite(ctx context.Context, path string, h DumpHeader, want *DumpInfo) error {
	raw, err := sql.Open("sqlite", "file:"+escapePath(path)+"?_pragma=query_only(1)")
	if err != nil {
		return err
	}
	var check string
	err = raw.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check)
	raw.Close()
	if err != nil || check != "ok" {
		return refuse("sauvegarde incohérente : la base restaurée ne passe pas le contrôle de SQLite (%v %s)", err, check)
	}
	got, err := describeSQLite(ctx, path)
	if err != nil {
		return refuse("sauvegarde incohérente : %v", err)
	}
	if len(got.Migrations) != len(h.Migrations) {
		return refuse("sauvegarde incohérente : %d migrations dans la base, %d annoncées", len(got.Migrations), len(h.Migrations))
	}
	for i, m := range got.Migrations {
		if m.Name != h.Migrations[i].Name || m.SHA256 != h.Migrations[i].SHA256 {
			return refuse("sauvegarde incohérente : migration %s", m.Name)
		}
	}
	if len(got.Tables) != len(want.Tables) {
		return refuse("sauvegarde incohérente : %d tables restaurées, %d annoncées", len(got.Tables), len(want.Tables))
	}
	for i, t := range got.Tables {
		if t != want.Tables[i] {
			return refuse("sauvegarde incohérente : table %s, %d lignes restaurées, %d annoncées", want.Tables[i].Name, t.Rows, want.Tables[i].Rows)
		}
	}
	if got.LastAudit != want.LastAudit {
		return refuse("sauvegarde incohérente : la dernière entrée du journal n'est pas celle du manifeste")
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not every file system syncs a directory
	return nil
}

// applySchema runs the migrations of the dump and records them, in the restore
// transaction.
func applySchema[R any](ctx context.Context, exec func(context.Context, string, ...any) (R, error), h DumpHeader, migs []Migration, ph string) error {
	if _, err := exec(ctx, `CREATE TABLE schema_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL, sha256 TEXT NOT NULL DEFAULT '')`); err != nil {
		return err
	}
	ins := `INSERT INTO schema_migration (name, applied_at, sha256) VALUES (?, ?, ?)`
	if ph != "?" {
		ins = `INSERT INTO schema_migration (name, applied_at, sha256) VALUES ($1, $2, $3)`
	}
	for i, m := range migs {
		if _, err := exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("restauration : migration %s : %w", m.Name, err)
		}
		if _, err := exec(ctx, ins, m.Name, h.Migrations[i].AppliedAt, m.SHA256); err != nil {
			return err
		}
	}
	return nil
}

type pgTable struct {
	ctx  context.Context
	conn *pgx.Conn
	t    dumpTable
}

func (p *pgTable) copyData(rr *recordReader) (int64, error) {
	src := &copySource{rr: rr}
	qc := make([]string, len(p.t.Columns))
	for i, c := range p.t.Columns {
		qc[i] = quoteIdent(c)
	}
	tag, err := p.conn.PgConn().CopyFrom(p.ctx, src, `COPY `+quoteIdent(p.t.Name)+` (`+strings.Join(qc, ", ")+`) FROM STDIN`)
	if src.err != nil {
		return 0, src.err
	}
	if err != nil {
		return 0, err
	}
	if !src.end || tag.RowsAffected() != src.want {
		return 0, refuse("sauvegarde incohérente : table %s, %d lignes chargées, %d annoncées", p.t.Name, tag.RowsAffected(), src.want)
	}
	return src.want, nil
}

// copySource feeds the 'C' records of a table to COPY FROM, up to its 'E' record.
type copySource struct {
	rr   *recordReader
	rest []byte
	want int64
	end  bool
	err  error
}

func (c *copySource) Read(p []byte) (int, error) {
	for len(c.rest) == 0 {
		if c.end {
			return 0, io.EOF
		}
		k, data, err := c.rr.next()
		if err != nil {
			c.err = err
			return 0, err
		}
		switch k {
		case 'C':
			c.rest = data
		case 'E':
			n, m := binary.Uvarint(data)
			if m <= 0 {
				c.err = errCorrupt
				return 0, errCorrupt
			}
			c.want, c.end = int64(n), true
		default:
			c.err = errCorrupt
			return 0, errCorrupt
		}
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

func loadPostgres(ctx context.Context, dsn string, h DumpHeader, migs []Migration, rr *recordReader) (*DumpInfo, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("restauration : connexion à PostgreSQL : %w", err)
	}
	defer conn.Close(context.Background())
	var schema *string
	var n int
	if err := conn.QueryRow(ctx, `SELECT current_schema()::text, (SELECT COUNT(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S'))`).Scan(&schema, &n); err != nil {
		return nil, fmt.Errorf("restauration : %w", err)
	}
	if schema == nil {
		return nil, refuse("la base cible n'a pas de schéma courant (search_path) : créer la base ou le schéma d'abord")
	}
	if n > 0 {
		return nil, refuse("la base cible (schéma %s) contient déjà %d tables ou séquences : la restauration ne se fait que dans une base neuve", *schema, n)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.Background())
	exec := func(ctx context.Context, q string, args ...any) (any, error) { return tx.Exec(ctx, q, args...) }
	if err := applySchema(ctx, exec, h, migs, "$"); err != nil {
		return nil, err
	}
	// Secondary indexes are dropped during the load and rebuilt after it, in the
	// same transaction: one sorted build is several times cheaper than a million
	// insertions. Indexes backing a constraint (keys, unique) stay.
	idx, err := tx.Query(ctx, `SELECT i.indexname::text, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`)
	if err != nil {
		return nil, err
	}
	type index struct{ name, def string }
	var indexes []index
	for idx.Next() {
		var x index
		if err := idx.Scan(&x.name, &x.def); err != nil {
			idx.Close()
			return nil, err
		}
		indexes = append(indexes, x)
	}
	idx.Close()
	if err := idx.Err(); err != nil {
		return nil, err
	}
	for _, x := range indexes {
		if _, err := tx.Exec(ctx, `DROP INDEX `+quoteIdent(x.name)); err != nil {
			return nil, err
		}
	}
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return nil, err
	}
	info, err := readTables(rr, func(t dumpTable) (tableLoader, error) {
		// The dump's rows replace the migrations' seed rows.
		if _, err := tx.Exec(ctx, `DELETE FROM `+quoteIdent(t.Name)); err != nil {
			return nil, refuse("la table %s de la sauvegarde n'existe pas dans le schéma reconstruit : %v", t.Name, err)
		}
		return &pgTable{ctx: ctx, conn: conn, t: t}, nil
	})
	if err != nil {
		return nil, err
	}
	for _, x := range indexes {
		if _, err := tx.Exec(ctx, x.def); err != nil {
			return nil, fmt.Errorf("restauration : index %s : %w", x.name, err)
		}
	}
	// Sequences of serial columns resume after the restored ids.
	rows, err := tx.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')`)
	if err != nil {
		return nil, err
	}
	type col struct{ t, c string }
	var serials []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.t, &c.c); err != nil {
			rows.Close()
			return nil, err
		}
		serials = append(serials, c)
	}
	rows.Close()
	for _, c := range serials {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(`+quoteIdent(c.c)+`) FROM `+quoteIdent(c.t)+`), 1), (SELECT COUNT(*) FROM `+quoteIdent(c.t)+`) > 0)`, quoteIdent(c.t), c.c); err != nil {
			return nil, fmt.Errorf("restauration : séquence %s.%s : %w", c.t, c.c, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	return info, nil
}
