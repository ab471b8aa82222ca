package sqldb

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"medconseil"
)

// Deferred indexes of the bulk history import (SQLite).
//
// Filing a year of closed arrêts into an empty base spends most of its time
// keeping the secondary indexes of the big tables in order row by row (a dozen on
// dossier alone) and copying their pages into SQLite's statement journal. When the
// import starts on a base with no dossier, it drops those indexes in its first
// transaction and builds them again once at its end (Finish), from the sorted
// bulk data, which is much cheaper.
//
// The base stays valid if the process dies in between: the transaction that drops
// the indexes also records their text in index_differe, and the one that builds
// them again drops that table. Migrate (which every command opening the base runs)
// builds the recorded indexes of an import that did not finish. Only non-unique
// indexes are deferred: a constraint is never lifted. Without them the base
// answers the same queries, more slowly.

// deferredTables are the tables whose non-unique indexes the import defers.
var deferredTables = []string{"dossier", "arret", "avis", "cycle", "assure", "assure_version", "audit", "idempotence", "tableau_dossier"}

// deferIndexes drops the non-unique indexes of deferredTables and records them, if
// the base has no dossier yet (SQLite); it reports whether indexes are deferred
// (dropped now or by an import that did not finish).
func (t *Tx) deferIndexes(ctx context.Context) (bool, error) {
	if t.db.dialect != SQLite {
		return false, nil
	}
	pending, err := t.deferredPending(ctx)
	if err != nil || pending {
		return pending, err
	}
	var some int
	if err := t.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dossier)`).Scan(&some); err != nil {
		return false, medconseil.Internal(err)
	}
	if some != 0 {
		return false, nil
	}
	in := ""
	args := make([]any, len(deferredTables))
	for i, tb := range deferredTables {
		if i > 0 {
			in += ", "
		}
		in += "?"
		args[i] = tb
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (`+in+`) ORDER BY name`, args...)
	if err != nil {
		return false, medconseil.Internal(err)
	}
	var idx [][2]string
	for rows.Next() {
		var x [2]string
		if err := rows.Scan(&x[0], &x[1]); err != nil {
			rows.Close()
			return false, medconseil.Internal(err)
		}
		idx = append(idx, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, medconseil.Internal(err)
	}
	if _, err := t.tx.ExecContext(ctx, `CREATE TABLE index_differe (nom TEXT PRIMARY KEY, sql TEXT NOT NULL)`); err != nil {
		return false, medconseil.Internal(fmt.Errorf("index différés : %w", err))
	}
	for _, x := range idx {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO index_differe (nom, sql) VALUES (?, ?)`, x[0], x[1]); err != nil {
			return false, medconseil.Internal(fmt.Errorf("index différés : %w", err))
		}
		if _, err := t.tx.ExecContext(ctx, `DROP INDEX `+x[0]); err != nil {
			return false, medconseil.Internal(fmt.Errorf("index différés : %s : %w", x[0], err))
		}
	}
	return true, nil
}

// deferredPending reports whether indexes are recorded as deferred.
func (t *Tx) deferredPending(ctx context.Context) (bool, error) {
	if t.db.dialect != SQLite {
		return false, nil
	}
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'index_differe'`).Scan(&n); err != nil {
		return false, medconseil.Internal(err)
	}
	return n > 0, nil
}

// IntakeIndex reports whether the intake reads deferred index name when it files
// and pre-analyses (the assuré's history by NIR and type, the arrêts, the journal,
// the keys): a bulk load builds those before it files through the intake, and may
// leave the others — the worklist's and the dashboard's, written by every filing
// and read by none — until its end (RebuildDeferredIndexes).
func IntakeIndex(name string) bool {
	switch {
	case name == "dossier_nir_type":
		return true
	case strings.HasPrefix(name, "dossier_"), name == "assure_nom", name == "tableau_dossier_jour":
		return false
	}
	return true
}

// RebuildDeferredIndexes builds the indexes a history import deferred (see the head
// of this file), in one transaction; it does nothing when none are. With only, it
// builds those only reports true for and leaves the others recorded.
func (db *DB) RebuildDeferredIndexes(ctx context.Context, only func(name string) bool) error {
	if db.dialect != SQLite {
		return nil
	}
	restore, err := db.sortOnCores(ctx)
	if err != nil {
		return err
	}
	return errors.Join(db.run(ctx, db.w, false, func(t *Tx) error {
		pending, err := t.deferredPending(ctx)
		if err != nil || !pending {
			return err
		}
		rows, err := t.tx.QueryContext(ctx, `SELECT nom, sql FROM index_differe ORDER BY nom`)
		if err != nil {
			return medconseil.Internal(err)
		}
		var idx [][2]string
		for rows.Next() {
			var x [2]string
			if err := rows.Scan(&x[0], &x[1]); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			idx = append(idx, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		left := 0
		for _, x := range idx {
			if only != nil && !only(x[0]) {
				left++
				continue
			}
			if _, err := t.tx.ExecContext(ctx, x[1]); err != nil {
				return medconseil.Internal(fmt.Errorf("index différés : %s : %w", x[0], err))
			}
			if _, err := t.tx.ExecContext(ctx, `DELETE FROM index_differe WHERE nom = ?`, x[0]); err != nil {
				return medconseil.Internal(fmt.Errorf("index différés : %w", err))
			}
		}
		if left > 0 {
			return nil
		}
		if _, err := t.tx.ExecContext(ctx, `DROP TABLE index_differe`); err != nil {
			return medconseil.Internal(fmt.Errorf("index différés : %w", err))
		}
		return nil
	}), restore(context.WithoutCancel(ctx)))
}

// sortOnCores lets the SQLite writer sort on every core until restore: SQLite's
// sorter (CREATE INDEX) hands its runs to worker threads (PRAGMA threads) only
// when its temporary files are files — with temp_store MEMORY, Open's setting,
// it starts none (vdbesort.c) — so the writer takes temp_store FILE meanwhile.
// The runs go to the system's temporary directory (SQLITE_TMPDIR, else
// /var/tmp, /usr/tmp or /tmp), and the system's cache usually keeps them.
func (db *DB) sortOnCores(ctx context.Context) (restore func(context.Context) error, err error) {
	set := func(ctx context.Context, qs ...string) error {
		for _, q := range qs {
			if _, err := db.w.ExecContext(ctx, q); err != nil {
				return medconseil.Internal(fmt.Errorf("tri des index : %s : %w", q, err))
			}
		}
		return nil
	}
	if err := set(ctx, "PRAGMA temp_store = FILE", fmt.Sprintf("PRAGMA threads = %d", runtime.GOMAXPROCS(0))); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return set(ctx, "PRAGMA threads = 0", "PRAGMA temp_store = MEMORY") }, nil
}
