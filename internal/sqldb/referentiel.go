package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"medconseil"
	"medconseil/internal/reference"
)

// Import statuses of a source file.
const (
	ImportNew       = "nouvelle version"
	ImportUnchanged = "inchangé"
	ImportRestored  = "version antérieure rétablie"
)

// ImportResult says what an import did with one source file.
type ImportResult struct {
	reference.Version
	Status string
}

// ImportReferentiels stores the parsed files in one transaction: a file whose
// SHA-256 is the current version of its source changes nothing; a new file
// becomes a new current version and the previous one stays readable by id. If
// anything fails, nothing is written and the versions in force are unchanged.
// The caller parses and builds the files first (reference.ReadDir, reference.Build),
// so that a malformed file never reaches the store.
func (db *DB) ImportReferentiels(ctx context.Context, files []*reference.File) ([]ImportResult, error) {
	var out []ImportResult
	now := db.Now()
	err := db.Write(ctx, func(tx *Tx) error {
		out = out[:0]
		for _, f := range files {
			r := ImportResult{Version: reference.Version{Source: f.Source.Name, File: f.Source.Path, SHA256: f.SHA256, Rows: len(f.Rows), ImportedAt: now}}
			var id int64
			var courante int
			var at string
			err := tx.QueryRow(ctx, `SELECT id, courante, importe_le FROM referentiel_version WHERE source = ? AND sha256 = ?`, f.Source.Name, f.SHA256).Scan(&id, &courante, &at)
			switch {
			case err == nil && courante == 1:
				r.ID, r.Status = id, ImportUnchanged
				r.ImportedAt, _ = parseTS(at)
			case err == nil:
				if _, err := tx.Exec(ctx, `UPDATE referentiel_version SET courante = 0 WHERE source = ? AND courante = 1`, f.Source.Name); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE referentiel_version SET courante = 1 WHERE id = ?`, id); err != nil {
					return err
				}
				r.ID, r.Status = id, ImportRestored
				r.ImportedAt, _ = parseTS(at)
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(ctx, `UPDATE referentiel_version SET courante = 0 WHERE source = ? AND courante = 1`, f.Source.Name); err != nil {
					return err
				}
				if err := tx.QueryRow(ctx, `INSERT INTO referentiel_version (source, fichier, sha256, lignes, importe_le, courante) VALUES (?, ?, ?, ?, ?, 1) RETURNING id`,
					f.Source.Name, f.Source.Path, f.SHA256, len(f.Rows), ts(now)).Scan(&id); err != nil {
					return err
				}
				if err := insertRows(ctx, tx, id, f); err != nil {
					return err
				}
				r.ID, r.Status = id, ImportNew
			default:
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		var de *medconseil.Error
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, medconseil.Internal(fmt.Errorf("import référentiels: %w", err))
	}
	return out, nil
}

// insertRows writes the rows of f under version id, several hundred per statement.
func insertRows(ctx context.Context, tx *Tx, id int64, f *reference.File) error {
	const batch = 500
	for start := 0; start < len(f.Rows); start += batch {
		rows := f.Rows[start:min(start+batch, len(f.Rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO referentiel_ligne (version_id, ligne, code, champs) VALUES `)
		args := make([]any, 0, 4*len(rows))
		for i, r := range rows {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?, ?, ?, ?)")
			js, err := json.Marshal(r.Fields)
			if err != nil {
				return err
			}
			args = append(args, id, r.Line, r.Fields[f.Source.Key], string(js))
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// ReferentielVersions returns every imported version, newest first; current
// tells which are in force.
func (db *DB) ReferentielVersions(ctx context.Context) (versions []reference.Version, current map[int64]bool, err error) {
	current = map[int64]bool{}
	err = db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, source, fichier, sha256, lignes, importe_le, courante FROM referentiel_version ORDER BY id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v reference.Version
			var at string
			var c int
			if err := rows.Scan(&v.ID, &v.Source, &v.File, &v.SHA256, &v.Rows, &at, &c); err != nil {
				return err
			}
			v.ImportedAt, _ = parseTS(at)
			versions = append(versions, v)
			if c == 1 {
				current[v.ID] = true
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, medconseil.Internal(err)
	}
	return versions, current, nil
}

// ReferentielFile returns the rows of one version, current or not.
func (db *DB) ReferentielFile(ctx context.Context, id int64) (*reference.File, reference.Version, error) {
	var f *reference.File
	var v reference.Version
	err := db.Read(ctx, func(tx *Tx) error {
		var at string
		err := tx.QueryRow(ctx, `SELECT id, source, fichier, sha256, lignes, importe_le FROM referentiel_version WHERE id = ?`, id).
			Scan(&v.ID, &v.Source, &v.File, &v.SHA256, &v.Rows, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return medconseil.NotFound(fmt.Sprintf("Version de référentiel %d", id))
		}
		if err != nil {
			return err
		}
		v.ImportedAt, _ = parseTS(at)
		f, err = readRows(ctx, tx, v)
		return err
	})
	if err != nil {
		if medconseil.ErrorCode(err) == medconseil.ENOTFOUND {
			return nil, v, err
		}
		return nil, v, medconseil.Internal(err)
	}
	return f, v, nil
}

func readRows(ctx context.Context, tx *Tx, v reference.Version) (*reference.File, error) {
	src, ok := reference.SourceByName(v.Source)
	if !ok {
		return nil, fmt.Errorf("unknown référentiel source %q", v.Source)
	}
	f := &reference.File{Source: src, SHA256: v.SHA256, Rows: make([]reference.Row, 0, v.Rows)}
	rows, err := tx.Query(ctx, `SELECT ligne, champs FROM referentiel_ligne WHERE version_id = ? ORDER BY ligne`, v.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r reference.Row
		var js string
		if err := rows.Scan(&r.Line, &js); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), &r.Fields); err != nil {
			return nil, fmt.Errorf("version %d line %d: %w", v.ID, r.Line, err)
		}
		f.Rows = append(f.Rows, r)
	}
	return f, rows.Err()
}

// LoadReferentiels builds the référentiels from the current version of each
// source. Sources never imported are listed in the Set's Missing.
func (db *DB) LoadReferentiels(ctx context.Context) (*reference.Set, error) {
	var files []*reference.File
	var versions []reference.Version
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, source, fichier, sha256, lignes, importe_le FROM referentiel_version WHERE courante = 1 ORDER BY source`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v reference.Version
			var at string
			if err := rows.Scan(&v.ID, &v.Source, &v.File, &v.SHA256, &v.Rows, &at); err != nil {
				rows.Close()
				return err
			}
			v.ImportedAt, _ = parseTS(at)
			if _, ok := reference.SourceByName(v.Source); ok {
				versions = append(versions, v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range versions {
			f, err := readRows(ctx, tx, v)
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	set, err := reference.Build(files)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		set.Versions[v.Source] = v
	}
	return set, nil
}

// ReferentielsStamp returns a value that changes whenever the versions in force
// change, so that a cached Set can be rebuilt only when needed: the ordered list of
// the ids in force (a count and a sum could stay equal across two different sets).
func (db *DB) ReferentielsStamp(ctx context.Context) (string, error) {
	var b strings.Builder
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM referentiel_version WHERE courante = 1 ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			fmt.Fprintf(&b, "%d,", id)
		}
		return rows.Err()
	})
	if err != nil {
		return "", medconseil.Internal(err)
	}
	return b.String(), nil
}
