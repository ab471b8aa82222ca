package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"medconseil"
)

// PurgePolicy is what the purge applies: the retention in force (from the dated
// parameters conservation/*, REGULATIONS.md §17) and the dossiers it must never
// touch.
type PurgePolicy struct {
	// Avant: a closed dossier last changed before this instant is past retention.
	Avant time.Time
	// Types never purged (AT/MP while conservation/purge_atmp is false).
	TypesExclus []medconseil.TypeDossier
	// Batch is the number of dossiers removed per transaction (default 500).
	Batch int
}

// Protected states and types: a dossier under contentieux (contestation, CMRA,
// tribunal: REGULATIONS.md §14) or concerning an MSO/MSAP procedure (§15.2) is never
// purged, whatever its age — the file is evidence in a procedure that is still
// open or may be reopened. Today the only such state is "contestee"; the other
// names are those the contentieux and MSO/MSAP work is expected to use (a state or a
// type containing "contentieux", "contest", "msap" or "mso" is protected as well),
// so that a dossier of a type added later is protected by its name.
var (
	protectedEtats = []medconseil.Etat{medconseil.EtatContestee}
	protectedWords = []string{"contentieux", "contest", "msap", "mso", "recours", "cmra"}
)

// PurgeItem is one dossier past retention.
type PurgeItem struct {
	ID          int64                  `json:"id"`
	Type        medconseil.TypeDossier `json:"type"`
	Etat        medconseil.Etat        `json:"etat"`
	Departement string                 `json:"departement"`
	MajLe       string                 `json:"maj_le"`
}

// PurgeResult counts what a purge removed (or, in a dry run, would remove).
type PurgeResult struct {
	Dossiers int `json:"dossiers"`
	Assures  int `json:"assures"`
}

// purgeActeur is the author of the purge's journal entries.
var purgeActeur = &medconseil.Acteur{Login: "conservation"}

// pastRetention returns the condition, on the dossier aliased a, of being past
// retention by its own criteria: closed (no avis awaited), last changed before the
// limit, not protected, not of an excluded type.
func pastRetention(p PurgePolicy, a string) (string, []any) {
	var where []string
	var args []any
	where, args = append(where, a+".maj_le < ?"), append(args, ts(p.Avant))
	var open []string
	for _, e := range medconseil.Etats {
		if e.Open() {
			open = append(open, "?")
			args = append(args, string(e))
		}
	}
	where = append(where, a+".etat NOT IN ("+strings.Join(open, ", ")+")")
	var excl []string
	for _, e := range protectedEtats {
		excl, args = append(excl, "?"), append(args, string(e))
	}
	where = append(where, a+".etat NOT IN ("+strings.Join(excl, ", ")+")")
	if len(p.TypesExclus) > 0 {
		var ty []string
		for _, x := range p.TypesExclus {
			ty, args = append(ty, "?"), append(args, string(x))
		}
		where = append(where, a+".type NOT IN ("+strings.Join(ty, ", ")+")")
	}
	// Dossiers under a contentieux or an MSAP (controle.go).
	where = append(where, controleProtectedDossiers(a))
	for _, w := range protectedWords {
		where = append(where, "LOWER("+a+".etat) NOT LIKE ?", "LOWER("+a+".type) NOT LIKE ?")
		args = append(args, "%"+w+"%", "%"+w+"%")
	}
	return strings.Join(where, " AND "), args
}

// purgeCandidates selects the next batch of dossiers past retention, by id. The
// initial arrêt of prolongations goes only after them: a real purge takes it once
// none is left (strict), a dry run as soon as all of them are past retention too.
func (t *Tx) purgeCandidates(ctx context.Context, p PurgePolicy, after int64, limit int, strict bool) ([]PurgeItem, error) {
	cond, args := pastRetention(p, "d")
	guard := "NOT EXISTS (SELECT 1 FROM arret p WHERE p.initial_id = d.id AND p.dossier_id <> d.id)"
	if !strict {
		pc, pargs := pastRetention(p, "pd")
		guard = "NOT EXISTS (SELECT 1 FROM arret p JOIN dossier pd ON pd.id = p.dossier_id WHERE p.initial_id = d.id AND pd.id <> d.id AND NOT (" + pc + "))"
		args = append(args, pargs...)
	}
	args = append(args, after, limit)
	rows, err := t.Query(ctx, `SELECT d.id, d.type, d.etat, d.departement, d.maj_le FROM dossier d WHERE `+cond+` AND `+guard+` AND d.id > ? ORDER BY d.id LIMIT ?`, args...)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []PurgeItem
	for rows.Next() {
		var it PurgeItem
		var ty, et string
		if err := rows.Scan(&it.ID, &ty, &et, &it.Departement, &it.MajLe); err != nil {
			return nil, medconseil.Internal(err)
		}
		it.Type, it.Etat = medconseil.TypeDossier(ty), medconseil.Etat(et)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Purge removes the dossiers past retention, in batches of p.Batch per
// transaction: each dossier's rows in every table that references it (arrêt, avis,
// notes, and any table of a later migration whose column dossier_id references
// dossier), the dossier, then each assuré left without any dossier; each removal is
// journaled (action conservation.purge) in the same transaction. The journal itself
// is append-only and chained: its entries are not purged here. With dryRun nothing
// is written and each would-be removal is passed to each. The scheduler and the
// purge command both call it; a crash between batches leaves whole batches only.
func (db *DB) Purge(ctx context.Context, p PurgePolicy, dryRun bool, each func(PurgeItem)) (PurgeResult, error) {
	var res PurgeResult
	if p.Avant.IsZero() {
		return res, fmt.Errorf("purge : date limite de conservation manquante")
	}
	if p.Batch <= 0 {
		p.Batch = 500
	}
	if dryRun {
		var after int64
		for {
			var items []PurgeItem
			err := db.Read(ctx, func(tx *Tx) error {
				var err error
				items, err = tx.purgeCandidates(ctx, p, after, p.Batch, false)
				return err
			})
			if err != nil {
				return res, err
			}
			for _, it := range items {
				if each != nil {
					each(it)
				}
			}
			res.Dossiers += len(items)
			if len(items) < p.Batch {
				return res, nil
			}
			after = items[len(items)-1].ID
		}
	}
	refs, err := db.dossierRefs(ctx)
	if err != nil {
		return res, err
	}
	for {
		var items []PurgeItem
		var assures int
		err := db.Write(ctx, func(tx *Tx) error {
			var err error
			items, err = tx.purgeCandidates(ctx, p, 0, p.Batch, true)
			if err != nil || len(items) == 0 {
				return err
			}
			ids := make([]any, len(items))
			ph := make([]string, len(items))
			for i, it := range items {
				ids[i], ph[i] = it.ID, "?"
			}
			in := "(" + strings.Join(ph, ", ") + ")"
			var nirs []string
			rows, err := tx.Query(ctx, `SELECT DISTINCT nir FROM dossier WHERE id IN `+in, ids...)
			if err != nil {
				return medconseil.Internal(err)
			}
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					rows.Close()
					return medconseil.Internal(err)
				}
				nirs = append(nirs, n)
			}
			rows.Close()
			for _, r := range refs {
				if _, err := tx.Exec(ctx, `DELETE FROM `+quoteIdent(r)+` WHERE dossier_id IN `+in, ids...); err != nil {
					return medconseil.Internal(fmt.Errorf("purge de %s : %w", r, err))
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM dossier WHERE id IN `+in, ids...); err != nil {
				return medconseil.Internal(fmt.Errorf("purge des dossiers (une table ajoutée depuis les référence-t-elle autrement que par dossier_id ?) : %w", err))
			}
			for _, it := range items {
				if err := tx.journal(ctx, purgeActeur, "conservation.purge", "dossier:"+strconv.FormatInt(it.ID, 10), 0, Meta{Finalite: "conservation"}, ResultOK); err != nil {
					return err
				}
			}
			for _, n := range nirs {
				// The identity's versions go with the assuré (personal data too).
				if _, err := tx.Exec(ctx, `DELETE FROM assure_version WHERE nir = ? AND NOT EXISTS (SELECT 1 FROM dossier WHERE dossier.nir = ?)`, n, n); err != nil {
					return medconseil.Internal(fmt.Errorf("purge des versions de l'identité : %w", err))
				}
				r, err := tx.Exec(ctx, `DELETE FROM assure WHERE nir = ? AND NOT EXISTS (SELECT 1 FROM dossier WHERE dossier.nir = assure.nir)`, n)
				if err != nil {
					return medconseil.Internal(fmt.Errorf("purge de l'assuré : %w", err))
				}
				if k, _ := r.RowsAffected(); k > 0 {
					assures++
					if err := tx.journal(ctx, purgeActeur, "conservation.purge", "assure:"+n, 0, Meta{Finalite: "conservation"}, ResultOK); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		for _, it := range items {
			if each != nil {
				each(it)
			}
		}
		res.Dossiers += len(items)
		res.Assures += assures
		if len(items) == 0 {
			return res, nil
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
}

// dossierRefs lists the tables with a dossier_id column referencing dossier(id).
func (db *DB) dossierRefs(ctx context.Context) ([]string, error) {
	q := `SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f."table" = 'dossier' AND f."from" = 'dossier_id' ORDER BY m.name`
	if db.dialect == Postgres {
		q = `SELECT DISTINCT cr.relname::text FROM pg_constraint c JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_class cf ON cf.oid = c.confrelid
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
			WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace AND cf.relname = 'dossier' AND a.attname = 'dossier_id' ORDER BY 1`
	}
	var out []string
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = strings1(ctx, tx, q)
		return err
	})
	return out, err
}
