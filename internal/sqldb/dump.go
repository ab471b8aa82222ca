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
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The dump is a logical copy of every table of one consistent snapshot, in a format
// of our own (the backup command encrypts it; it is never written in clear):
//
//	"MCDUMP1\n"
//	then records: one kind byte, a uvarint length, the payload
//	'H' header (JSON DumpHeader): engine, migrations applied, time of the snapshot
//	'T' start of a table (JSON dumpTable): name and columns
//	'R' one SQLite row: per value a tag (0 NULL, 1 integer, 2 real, 3 text, 4 blob) and its bytes
//	'C' a chunk of PostgreSQL COPY text data (the format pg_dump uses)
//	'E' end of the table: uvarint count of rows
//	'Z' trailer (JSON DumpInfo): per-table counts and the last journal entry
//
// It is engine-specific: a dump restores into the engine it was made from, whose
// schema it rebuilds by running the same embedded migrations, then every later one.
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
// keeps running: on SQLite one read transaction (WAL gives it a stable snapshot
// while writers commit), on PostgreSQL one REPEATABLE READ READ ONLY transaction
// with COPY, as pg_dump does. Nothing acknowledged before Dump starts is missing,
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
	info := &DumpInfo{DumpHeader: DumpHeader{Engine: SQLite, Le: db.Now().UTC()}}
	err := db.Read(ctx, func(tx *Tx) error {
		// The first read fixes the snapshot: everything below sees the same state.
		var err error
		if info.Migrations, err = appliedIn(ctx, tx); err != nil {
			return err
		}
		if err := rw.json('H', info.DumpHeader); err != nil {
			return err
		}
		// Virtual tables (full-text indexes) and their shadow tables are left out:
		// none exists, and an index is rebuilt from the tables it indexes.
		tables, err := strings1(ctx, tx, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migration' ORDER BY name`)
		if err != nil {
			return err
		}
		var row []byte
		for _, t := range tables {
			cols, err := strings1(ctx, tx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, t)
			if err != nil {
				return err
			}
			if err := rw.json('T', dumpTable{Name: t, Columns: cols}); err != nil {
				return err
			}
			qc := make([]string, len(cols))
			for i, c := range cols {
				qc[i] = quoteIdent(c)
			}
			rows, err := tx.tx.QueryContext(ctx, `SELECT `+strings.Join(qc, ", ")+` FROM `+quoteIdent(t))
			if err != nil {
				return fmt.Errorf("sauvegarde de la table %s : %w", t, err)
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			var n int64
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				row = encodeRow(row[:0], vals)
				if err := rw.record('R', row); err != nil {
					rows.Close()
					return err
				}
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("sauvegarde de la table %s : %w", t, err)
			}
			if err := rw.record('E', binary.AppendUvarint(nil, uint64(n))); err != nil {
				return err
			}
			info.Tables = append(info.Tables, TableCount{Name: t, Rows: n})
		}
		return lastAudit(ctx, tx.tx.QueryRowContext, &info.LastAudit)
	})
	return info, err
}

func appliedIn(ctx context.Context, tx *Tx) ([]AppliedMigration, error) {
	rows, err := tx.Query(ctx, `SELECT name, sha256, applied_at FROM schema_migration ORDER BY name`)
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

// Value tags of an SQLite row.
const (
	tagNull byte = iota
	tagInt
	tagReal
	tagText
	tagBlob
)

func encodeRow(b []byte, vals []any) []byte {
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			b = append(b, tagNull)
		case int64:
			b = append(b, tagInt)
			b = binary.AppendVarint(b, x)
		case float64:
			b = append(b, tagReal)
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(x))
		case string:
			b = append(b, tagText)
			b = binary.AppendUvarint(b, uint64(len(x)))
			b = append(b, x...)
		case []byte:
			b = append(b, tagBlob)
			b = binary.AppendUvarint(b, uint64(len(x)))
			b = append(b, x...)
		case bool:
			b = append(b, tagInt)
			if x {
				b = binary.AppendVarint(b, 1)
			} else {
				b = binary.AppendVarint(b, 0)
			}
		case time.Time:
			b = append(b, tagText)
			s := x.UTC().Format(time.RFC3339Nano)
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		default:
			s := fmt.Sprint(x)
			b = append(b, tagText)
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

var errCorrupt = errors.New("sauvegarde illisible : contenu incohérent")

func decodeRow(b []byte, vals []any) error {
	for i := range vals {
		if len(b) == 0 {
			return errCorrupt
		}
		tag := b[0]
		b = b[1:]
		switch tag {
		case tagNull:
			vals[i] = nil
		case tagInt:
			v, n := binary.Varint(b)
			if n <= 0 {
				return errCorrupt
			}
			vals[i], b = v, b[n:]
		case tagReal:
			if len(b) < 8 {
				return errCorrupt
			}
			vals[i], b = math.Float64frombits(binary.BigEndian.Uint64(b)), b[8:]
		case tagText, tagBlob:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errCorrupt
			}
			s := b[n : n+int(l)]
			if tag == tagText {
				vals[i] = string(s)
			} else {
				vals[i] = append([]byte(nil), s...)
			}
			b = b[n+int(l):]
		default:
			return errCorrupt
		}
	}
	if len(b) != 0 {
		return errCorrupt
	}
	return nil
}

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
// table. In one transaction it rebuilds the schema with the migrations the dump was
// made with (they must be those embedded in this binary, checksums included), loads
// every table and checks each count against the dump; nothing is left half written:
// on SQLite the database is built beside the target and renamed only once complete,
// on PostgreSQL the transaction rolls back. The caller then opens the database and
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
		info, err = loadSQLite(ctx, dsn, h, migs, rr)
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

// tableLoader receives the rows of one table.
type tableLoader interface {
	row(vals []any) error
	copyData(rr *recordReader) (int64, error) // PostgreSQL: consumes 'C' records up to 'E'
}

// readTables reads the table sections up to the trailer, calling begin for each
// table, and checks every count; it returns the trailer.
func readTables(rr *recordReader, h DumpHeader, begin func(t dumpTable) (tableLoader, error)) (*DumpInfo, error) {
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
			var n int64
			if h.Engine == Postgres {
				if n, err = l.copyData(rr); err != nil {
					return nil, fmt.Errorf("restauration de la table %s : %w", t.Name, err)
				}
			} else {
				vals := make([]any, len(t.Columns))
				for {
					k, p, err := rr.next()
					if err != nil {
						return nil, err
					}
					if k == 'E' {
						want, m := binary.Uvarint(p)
						if m <= 0 || int64(want) != n {
							return nil, refuse("sauvegarde incohérente : table %s, %d lignes lues, %d annoncées", t.Name, n, want)
						}
						break
					}
					if k != 'R' {
						return nil, errCorrupt
					}
					if err := decodeRow(p, vals); err != nil {
						return nil, err
					}
					if err := l.row(vals); err != nil {
						return nil, fmt.Errorf("restauration de la table %s : %w", t.Name, err)
					}
					n++
				}
			}
			seen = append(seen, TableCount{Name: t.Name, Rows: n})
		default:
			return nil, errCorrupt
		}
	}
}

type sqliteTable struct {
	ctx  context.Context
	stmt *sql.Stmt
}

func (s *sqliteTable) row(vals []any) error {
	_, err := s.stmt.ExecContext(s.ctx, vals...)
	return err
}

func (s *sqliteTable) copyData(*recordReader) (int64, error) { return 0, errCorrupt }

func loadSQLite(ctx context.Context, dsn string, h DumpHeader, migs []Migration, rr *recordReader) (*DumpInfo, error) {
	path := strings.TrimPrefix(dsn, "file:")
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil, refuse("la base cible %s existe déjà : la restauration ne se fait que dans une base neuve", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	tmp := path + ".restauration-en-cours"
	for _, f := range []string{tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"} {
		_ = os.Remove(f)
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmp)
		}
	}()
	// The database is private until renamed: no journal, no sync until the end,
	// foreign keys checked once over the whole load, and a 256 MiB page cache so
	// that index pages stay in memory while rows arrive in key order.
	raw, err := sql.Open("sqlite", "file:"+escapePath(tmp)+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=foreign_keys(0)&_pragma=cache_size(-262144)&_pragma=temp_store(MEMORY)&_time_format=sqlite")
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := applySchema(ctx, tx.ExecContext, h, migs, "?"); err != nil {
		return nil, err
	}
	var stmts []*sql.Stmt
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	info, err := readTables(rr, h, func(t dumpTable) (tableLoader, error) {
		qc := make([]string, len(t.Columns))
		ph := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			qc[i], ph[i] = quoteIdent(c), "?"
		}
		// The migrations insert seed rows (audit_head's single row): the dump's rows
		// replace them.
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.Name)); err != nil {
			return nil, refuse("la table %s de la sauvegarde n'existe pas dans le schéma reconstruit : %v", t.Name, err)
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO `+quoteIdent(t.Name)+` (`+strings.Join(qc, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`)
		if err != nil {
			return nil, refuse("la table %s de la sauvegarde ne correspond pas au schéma reconstruit : %v", t.Name, err)
		}
		stmts = append(stmts, st)
		return &sqliteTable{ctx: ctx, stmt: st}, nil
	})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	bad := rows.Next()
	rows.Close()
	if bad {
		return nil, refuse("sauvegarde incohérente : des références entre tables ne sont pas satisfaites")
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if _, err := raw.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return nil, err
	}
	if err := raw.Close(); err != nil {
		return nil, err
	}
	if err := syncFile(tmp); err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil, refuse("la base cible %s a été créée pendant la restauration : rien n'a été remplacé", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	ok = true
	return info, syncDir(filepath.Dir(path))
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
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

func (p *pgTable) row([]any) error { return errCorrupt }

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
	info, err := readTables(rr, h, func(t dumpTable) (tableLoader, error) {
		// The dump's rows replace the migrations' seed rows.
		if _, err := tx.Exec(ctx, `DELETE FROM `+quoteIdent(t.Name)); err != nil {
			return nil, refuse("la table %s de la sauvegarde n'existe pas dans le schéma reconstruit : %v", t.Name, err)
		}
		return &pgTable{ctx: ctx, conn: conn, t: t}, nil
	})
	if err != nil {
		return nil, err
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
