package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/authz"
)

// WorklistQuery selects and orders the dossiers of a worklist.
type WorklistQuery struct {
	Etat        medconseil.Etat        // "" for every state
	Type        medconseil.TypeDossier // "" for every type
	Departement string                 // "" for every échelon the caller covers
	NIR         medconseil.NIR         // one assuré
	Ouverts     bool                   // only dossiers awaiting an avis
	Tri         string                 // echeance (default), -echeance, recue, -recue, id
	Page        int                    // from 1
	ParPage     int                    // default 25, at most 200
	Meta        Meta                   // the request, for the journal entry listing the dossiers shown
	// FHIR searches (internal/web/fhir.go): several types or states, last update window.
	Types     []medconseil.TypeDossier // any of these types (nil: every type)
	Etats     []medconseil.Etat        // any of these states (nil: every state)
	MajDepuis time.Time                // last updated at or after (zero: no bound)
	MajAvant  time.Time                // last updated strictly before (zero: no bound)
}

// WorklistRow is one line of a worklist: what is needed to pick a dossier, never
// clinical content.
type WorklistRow struct {
	ID           int64                  `json:"id"`
	Type         medconseil.TypeDossier `json:"type"`
	Etat         medconseil.Etat        `json:"etat"`
	Version      int                    `json:"version"`
	Departement  string                 `json:"departement"`
	NIR          medconseil.NIR         `json:"nir,omitempty"`
	Nom          string                 `json:"nom,omitempty"`
	Prenom       string                 `json:"prenom,omitempty"`
	Nature       medconseil.Nature      `json:"nature,omitempty"`
	Debut        medconseil.Date        `json:"debut,omitzero"`
	Fin          medconseil.Date        `json:"fin,omitzero"`
	Prescripteur medconseil.RPPS        `json:"prescripteur,omitempty"`
	Echeance     medconseil.Date        `json:"echeance,omitzero"`
	AttribueA    string                 `json:"attribue_a,omitempty"`
	Sens         medconseil.Sens        `json:"sens,omitempty"`
	Visible      medconseil.FieldSet    `json:"-"`
}

// Worklist lists the dossiers a may see, filtered, sorted and paged, with the total
// count. Each row is disclosed per the policy, like a dossier read, and the read is
// journaled: one entry listing the ids shown.
func (db *DB) Worklist(ctx context.Context, a *medconseil.Acteur, q WorklistQuery) ([]WorklistRow, int, error) {
	rows, total, err := db.worklist(ctx, a, q)
	if err != nil || len(rows) == 0 {
		return rows, total, err
	}
	if err := db.journalList(ctx, a, "dossiers.liste", rows, q.Meta); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

func (db *DB) worklist(ctx context.Context, a *medconseil.Acteur, q WorklistQuery) ([]WorklistRow, int, error) {
	f := db.Policy.ListFilter(a)
	if leakFault("liste") {
		f = authz.Filter{All: true}
	}
	if f.Empty() {
		return nil, 0, nil
	}
	where, args := filterSQL(f)
	if q.Etat != "" {
		where, args = append(where, "d.etat = ?"), append(args, string(q.Etat))
	}
	if q.Ouverts {
		var open []string
		for _, e := range medconseil.Etats {
			if e.Open() {
				open = append(open, "'"+string(e)+"'")
			}
		}
		where = append(where, "d.etat IN ("+strings.Join(open, ",")+")")
	}
	if q.Type != "" {
		where, args = append(where, "d.type = ?"), append(args, string(q.Type))
	}
	if q.Departement != "" {
		where, args = append(where, "d.departement = ?"), append(args, q.Departement)
	}
	if q.NIR != "" {
		where, args = append(where, "d.nir = ?"), append(args, string(q.NIR))
	}
	where, args = fhirFilters(where, args, q)
	order := "d.echeance, d.id"
	switch q.Tri {
	case "-echeance":
		order = "d.echeance DESC, d.id DESC"
	case "recue":
		order = "d.recue_le, d.id"
	case "-recue":
		order = "d.recue_le DESC, d.id DESC"
	case "id":
		order = "d.id"
	}
	if q.ParPage <= 0 {
		q.ParPage = 25
	}
	if q.ParPage > 200 {
		q.ParPage = 200
	}
	if q.Page <= 0 {
		q.Page = 1
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var rows []WorklistRow
	var total int
	err := db.Read(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier d`+cond, args...).Scan(&total); err != nil {
			return medconseil.Internal(err)
		}
		rs, err := tx.Query(ctx, `SELECT `+dossierCols+`, COALESCE(s.nom, ''), COALESCE(s.prenom, ''), COALESCE(a.nature, ''), a.debut, a.fin, COALESCE(v.sens, '')
			FROM dossier d
			LEFT JOIN assure s ON s.nir = d.nir
			LEFT JOIN arret a ON a.dossier_id = d.id
			LEFT JOIN avis v ON v.dossier_id = d.id`+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
			append(args, q.ParPage, (q.Page-1)*q.ParPage)...)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var row WorklistRow
			var nom, prenom, nature, sens string
			var debut, fin medconseil.Date
			r, err := scanDossier(multiScanner{rs, []any{&nom, &prenom, &nature, &debut, &fin, &sens}})
			if err != nil {
				return medconseil.Internal(err)
			}
			classes := tx.classesOf(a, r)
			if classes == 0 && leakFault("liste") {
				classes = medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Decision)
			}
			if classes == 0 {
				continue // the SQL filter is wider than the policy; the policy decides
			}
			row = WorklistRow{ID: r.ID, Type: r.Type, Etat: r.Etat, Version: r.Version, Departement: r.Departement, Visible: classes}
			if classes.Has(medconseil.Identite) {
				row.NIR, row.Nom, row.Prenom = medconseil.NIR(r.nir), nom, prenom
				if !tx.registeredIdentity(a, r) {
					row.Nom, row.Prenom = r.decl.Nom, r.decl.Prenom // what this filer declared, never another's entry
				}
			}
			if classes.Has(medconseil.Administratif) {
				row.Nature, row.Debut, row.Fin, row.Prescripteur, row.Echeance, row.AttribueA = medconseil.Nature(nature), debut, fin, r.Prescripteur, r.Echeance, r.AttribueA
			}
			if classes.Has(medconseil.Decision) {
				row.Sens = medconseil.Sens(sens)
			}
			rows = append(rows, row)
		}
		return rs.Err()
	})
	return rows, total, err
}

// multiScanner scans a row whose first columns are dossierCols and the rest extra.
type multiScanner struct {
	rs    interface{ Scan(...any) error }
	extra []any
}

func (m multiScanner) Scan(dest ...any) error { return m.rs.Scan(append(dest, m.extra...)...) }

// filterSQL turns the policy's list filter into SQL conditions on d.
func filterSQL(f authz.Filter) ([]string, []any) {
	if f.All {
		return []string{"1 = 1"}, nil
	}
	var ors []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		ors = append(ors, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("d.departement", f.Departements)
	if len(f.Regions) > 0 {
		ors = append(ors, "d.departement IN (SELECT departement FROM organisme WHERE type = 'echelon' AND region IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Regions)), ",")+"))")
		for _, v := range f.Regions {
			args = append(args, v)
		}
	}
	in("d.prescripteur", f.Prescripteurs)
	in("d.nir", f.NIRs)
	if len(f.Employeurs) > 0 {
		ors = append(ors, "(d.type = 'atmp' AND d.employeur IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Employeurs)), ",")+"))")
		for _, v := range f.Employeurs {
			args = append(args, v)
		}
	}
	if len(ors) == 0 {
		return []string{"1 = 0"}, nil
	}
	return []string{"(" + strings.Join(ors, " OR ") + ")"}, args
}

// ExportRow is a worklist row with the clinical columns, for the CSV export; they
// are filled only where the policy discloses the clinical class.
type ExportRow struct {
	WorklistRow
	CIM10   medconseil.CIM10
	Libelle string
}

// Export returns the worklist rows with clinical columns where allowed. Because it
// may read clinical data, the export is journaled with the classes it disclosed.
func (db *DB) Export(ctx context.Context, a *medconseil.Acteur, q WorklistQuery, m Meta) ([]ExportRow, error) {
	q.ParPage, q.Page = 200, 1
	var out []ExportRow
	for {
		rows, total, err := db.worklist(ctx, a, q)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, ExportRow{WorklistRow: r})
		}
		if q.Page*q.ParPage >= total || len(out) >= 10000 {
			break
		}
		q.Page++
	}
	var seen medconseil.FieldSet
	err := db.Write(ctx, func(tx *Tx) error {
		for i := range out {
			r := &out[i]
			seen |= r.Visible
			if !r.Visible.Has(medconseil.Clinique) || r.Type != medconseil.TypeArretTravail {
				continue
			}
			var cim, lib string
			if err := tx.QueryRow(ctx, `SELECT cim10_enc, libelle_enc FROM arret WHERE dossier_id = ?`, r.ID).Scan(&cim, &lib); err != nil {
				return medconseil.Internal(err)
			}
			c, err := db.open("arret", r.ID, "cim10", cim)
			if err != nil {
				return err
			}
			r.CIM10 = medconseil.CIM10(c)
			if r.Libelle, err = db.open("arret", r.ID, "libelle", lib); err != nil {
				return err
			}
		}
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
		}
		return tx.journalShown(ctx, a, "dossiers.export", fmt.Sprintf("export:%d dossiers", len(out)), ids, seen, m, ResultOK)
	})
	return out, err
}

// CountByEtat counts dossiers per state, for the metrics.
func (db *DB) CountByEtat(ctx context.Context) (map[medconseil.Etat]int, error) {
	out := map[medconseil.Etat]int{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT etat, COUNT(*) FROM dossier GROUP BY etat`)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var e string
			var n int
			if err := rows.Scan(&e, &n); err != nil {
				return medconseil.Internal(err)
			}
			out[medconseil.Etat(e)] = n
		}
		return rows.Err()
	})
	return out, err
}
