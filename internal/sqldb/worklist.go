package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/lifecycle"
)

// WorklistQuery selects and orders the dossiers of a worklist. Its values are
// checked by ParseWorklist* at the boundary (web); the store refuses what it does
// not know (EINVALID), it never widens a bad filter to "everything".
type WorklistQuery struct {
	Etat        medconseil.Etat        // "" for every state
	Type        medconseil.TypeDossier // "" for every type
	Departement string                 // "" for every échelon the caller covers
	NIR         medconseil.NIR         // one assuré
	Ouverts     bool                   // only dossiers awaiting an avis
	// Recherche finds a dossier by its number (digits), an assuré by NIR (13 or 15
	// characters) or by the start of the name (the registered name for the roles
	// that read it, the declared one otherwise).
	Recherche string
	// Attribution: "" (all), "moi" (assigned to the reader), "equipe" (assigned to
	// a member of the service, the reader included), "aucune" (unassigned).
	Attribution string
	// Urgence: "" (all), "retard" (the délai's last day has passed), "48h" (it
	// falls today or within two days). Only dossiers awaiting an avis.
	Urgence string
	Tri     string // one of WorklistTris, "-" in front for descending; default echeance
	Page    int    // from 1
	ParPage int    // default 25, at most 200
	Meta    Meta   // the request, for the journal entry listing the dossiers shown
	// FHIR searches (internal/web/fhir.go): several types or states, last update window.
	Types     []medconseil.TypeDossier // any of these types (nil: every type)
	Etats     []medconseil.Etat        // any of these states (nil: every state)
	MajDepuis time.Time                // last updated at or after (zero: no bound)
	MajAvant  time.Time                // last updated strictly before (zero: no bound)
}

// WorklistTris are the sort keys of a worklist, each a column of the list page,
// with its label. Each has its index led by the département (migration 0701).
var WorklistTris = []struct{ Cle, Libelle string }{
	{"echeance", "Échéance"},
	{"recue", "Reçu le"},
	{"id", "N°"},
	{"type", "Type"},
	{"etat", "État"},
	{"nom", "Assuré"},
	{"attribue", "Attribué à"},
}

// worklistOrder is the SQL of each sort key (ascending, then d.id), matching the
// indexes led by the département. The name is the registered one for the roles
// that read it (dossier.nom_assure, indexed: migration 0930), the declared one for
// the others (whose lists are narrowed to their own dossiers, and sorted).
var worklistOrder = map[string]string{
	"echeance": "COALESCE(d.echeance, '9999-12-31')",
	"recue":    "d.recue_le",
	"id":       "",
	"type":     "d.type",
	"etat":     "d.etat",
	"nom":      "UPPER(d.nom_assure)",
	"attribue": "d.attribue_a",
}

// WorklistCountCap bounds the count of a worklist: a total of WorklistCountCap
// means "more than WorklistCountCap - 1" (counting a million rows for a pager
// costs more than the page).
const WorklistCountCap = 10001

// Check refuses an unknown state, type, sort key, assignment or urgency, and a
// search that is neither a number, a NIR nor a name, each with its French message.
func (q *WorklistQuery) Check() error {
	var errs []error
	if q.Etat != "" && !slices.Contains(medconseil.Etats, q.Etat) {
		errs = append(errs, medconseil.FieldErrorf("etat", "état « %s » inconnu", q.Etat))
	}
	if q.Type != "" && !slices.Contains(lifecycle.Types, q.Type) {
		errs = append(errs, medconseil.FieldErrorf("type", "type de dossier « %s » inconnu", q.Type))
	}
	if q.Departement != "" && !departementShape(q.Departement) {
		errs = append(errs, medconseil.FieldErrorf("departement", "département « %s » invalide : deux chiffres (67), 2A, 2B ou trois chiffres outre-mer (974)", q.Departement))
	}
	if _, ok := worklistOrder[strings.TrimPrefix(q.Tri, "-")]; q.Tri != "" && !ok {
		keys := make([]string, len(WorklistTris))
		for i, t := range WorklistTris {
			keys[i] = t.Cle
		}
		errs = append(errs, medconseil.FieldErrorf("tri", "tri « %s » inconnu : %s (précédé de « - » pour l'ordre décroissant)", q.Tri, strings.Join(keys, ", ")))
	}
	switch q.Attribution {
	case "", "moi", "equipe", "aucune":
	default:
		errs = append(errs, medconseil.FieldErrorf("attribution", "attribution « %s » inconnue : moi, equipe ou aucune", q.Attribution))
	}
	switch q.Urgence {
	case "", "retard", "48h":
	default:
		errs = append(errs, medconseil.FieldErrorf("urgence", "urgence « %s » inconnue : retard ou 48h", q.Urgence))
	}
	if _, err := parseRecherche(q.Recherche); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func departementShape(s string) bool {
	switch {
	case s == "2A" || s == "2B":
		return true
	case len(s) == 2 || (len(s) == 3 && s[:2] == "97"):
		return strings.Trim(s, "0123456789") == ""
	}
	return false
}

// recherche is a parsed search: exactly one of its fields is set.
type recherche struct {
	id  int64
	nir medconseil.NIR
	nom string
}

func parseRecherche(s string) (recherche, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return recherche{}, nil
	}
	compact := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	digits := strings.Trim(compact, "0123456789") == ""
	switch {
	case digits && len(compact) <= 12:
		n, err := strconv.ParseInt(compact, 10, 64)
		if err != nil || n <= 0 {
			return recherche{}, medconseil.FieldErrorf("q", "numéro de dossier « %s » invalide", s)
		}
		return recherche{id: n}, nil
	case len(compact) == 13 && (digits || strings.Trim(compact[:5]+compact[7:], "0123456789") == ""):
		n, err := medconseil.NIRWithKey(compact)
		if err != nil {
			return recherche{}, medconseil.Prefix("q", err)
		}
		return recherche{nir: n}, nil
	case len(compact) == 15 && (digits || strings.Trim(compact[:5]+compact[7:], "0123456789") == ""):
		n, err := medconseil.ParseNIR(compact)
		if err != nil {
			return recherche{}, medconseil.Prefix("q", err)
		}
		return recherche{nir: n}, nil
	case digits || strings.ContainsAny(compact, "0123456789"):
		return recherche{}, medconseil.FieldErrorf("q", "« %s » n'est ni un numéro de dossier, ni un NIR (13 ou 15 caractères), ni un nom", s)
	}
	if utf8.RuneCountInString(s) < 2 || utf8.RuneCountInString(s) > 60 {
		return recherche{}, medconseil.FieldErrorf("q", "un nom recherché compte de 2 à 60 caractères")
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '\'' {
			return recherche{}, medconseil.FieldErrorf("q", "caractère « %c » inattendu dans un nom", r)
		}
	}
	return recherche{nom: s}, nil
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
	RecueLe      medconseil.Date        `json:"recue_le,omitzero"`
	Echeance     medconseil.Date        `json:"echeance,omitzero"`
	// Retard: awaiting an avis and the délai's last day (Echeance) has passed;
	// Proche: it falls today or within two days.
	Retard    bool                `json:"en_retard,omitempty"`
	Proche    bool                `json:"echeance_proche,omitempty"`
	AttribueA string              `json:"attribue_a,omitempty"`
	Sens      medconseil.Sens     `json:"sens,omitempty"`
	Visible   medconseil.FieldSet `json:"-"`
}

// Worklist lists the dossiers a may see, filtered, sorted and paged, with the total
// count (at most WorklistCountCap). Each row is disclosed per the policy, like a
// dossier read, and the read is journaled: one entry listing the ids shown.
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

// readsRegisteredNames reports whether a searches the assurés' registered names
// (the roles that read the registered identity) rather than the declared ones.
func readsRegisteredNames(a *medconseil.Acteur) bool {
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleInfirmier,
			medconseil.RoleAgentAdministratif, medconseil.RoleAgentCPAM, medconseil.RoleCellulePDP:
			return true
		}
	}
	return false
}

// checkEchelon refuses a département that no échelon of the Service médical
// covers: such a filter would list nothing, silently, as if no dossier waited.
// One indexed count per filtered list; the échelons are listed only to refuse.
func (t *Tx) checkEchelon(ctx context.Context, dep string) error {
	var n int
	if err := t.QueryRow(ctx, `SELECT COUNT(*) FROM organisme WHERE type = 'echelon' AND departement = ?`, dep).Scan(&n); err != nil {
		return medconseil.Internal(err)
	}
	if n > 0 {
		return nil
	}
	rs, err := t.Query(ctx, `SELECT DISTINCT departement FROM organisme WHERE type = 'echelon' AND departement <> '' ORDER BY departement`)
	if err != nil {
		return medconseil.Internal(err)
	}
	defer rs.Close()
	var known []string
	for rs.Next() {
		var d string
		if err := rs.Scan(&d); err != nil {
			return medconseil.Internal(err)
		}
		known = append(known, d)
	}
	if err := rs.Err(); err != nil {
		return medconseil.Internal(err)
	}
	return medconseil.FieldErrorf("departement", "département « %s » : aucun échelon du service médical ne le couvre (échelons : %s)", dep, strings.Join(known, ", "))
}

// openEtats is the SQL list of the states awaiting an avis.
func openEtats() string {
	var open []string
	for _, e := range medconseil.Etats {
		if e.Open() {
			open = append(open, "'"+string(e)+"'")
		}
	}
	return "(" + strings.Join(open, ",") + ")"
}

// worklistWhere is the WHERE clause of a worklist: the policy's filter, then q's.
func (db *DB) worklistWhere(a *medconseil.Acteur, q WorklistQuery, f authz.Filter) (string, []any, error) {
	if err := q.Check(); err != nil {
		return "", nil, err
	}
	where, args := filterSQL(f)
	if q.Etat != "" {
		where, args = append(where, "d.etat = ?"), append(args, string(q.Etat))
	}
	// An open state implies the open states' condition; written, it lets the
	// planner read the dossiers awaiting an avis alone (partial index dossier_ouvert).
	if q.Ouverts || q.Urgence != "" || q.Etat.Open() {
		where = append(where, "d.etat IN "+openEtats())
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
	rc, _ := parseRecherche(q.Recherche)
	switch {
	case rc.id != 0:
		where, args = append(where, "d.id = ?"), append(args, rc.id)
	case rc.nir != "":
		where, args = append(where, "d.nir = ?"), append(args, string(rc.nir))
	case rc.nom != "":
		hi := rc.nom + "\U0010FFFF"
		if readsRegisteredNames(a) {
			where, args = append(where, "UPPER(d.nom_assure) >= UPPER(?) AND UPPER(d.nom_assure) < UPPER(?)"), append(args, rc.nom, hi)
		} else {
			where, args = append(where, "UPPER(d.decl_nom) >= UPPER(?) AND UPPER(d.decl_nom) < UPPER(?)"), append(args, rc.nom, hi)
		}
	}
	switch q.Attribution {
	case "moi":
		where, args = append(where, "d.attribue_a = ?"), append(args, a.Login)
	case "equipe":
		where = append(where, "d.attribue_a <> ''")
	case "aucune":
		where = append(where, "d.attribue_a = ''")
	}
	today := medconseil.DateOf(db.Now())
	switch q.Urgence {
	case "retard":
		where, args = append(where, "COALESCE(d.echeance, '9999-12-31') < ?"), append(args, today.String())
	case "48h":
		where, args = append(where, "COALESCE(d.echeance, '9999-12-31') >= ?", "COALESCE(d.echeance, '9999-12-31') <= ?"), append(args, today.String(), today.AddDays(2).String())
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// worklistStmt is the SQL of one worklist: the capped count and the page.
type worklistStmt struct {
	count     string
	countArgs []any
	page      string
	pageArgs  []any
}

// worklistSQL builds the statements of q for a (nil when the policy lets a list
// nothing), by one of two strategies (docs/perf.md):
//   - a selective list (the dossiers awaiting an avis — a few percent of the
//     base, partial index dossier_ouvert —, a search by number, NIR or name)
//     collects its matching dossiers first (a materialized CTE), then sorts them
//     and takes the page: an index in the order of the sort would walk the
//     département's closed history looking for the few that match (PostgreSQL
//     chose that, expecting them evenly spread, when they are the recent ones);
//     A search by name reads its candidates from dossier_dep_nom_assure alone
//     (migration 0990: it carries every sort key), never from the table;
//   - any other list (the whole history, or a search by registered name sorted
//     by name) walks the index of its sort key, led by the département, for one
//     page, and counts up to WorklistCountCap.
//
// Either way the page is chosen on dossier alone, then joined.
func (db *DB) worklistSQL(a *medconseil.Acteur, q WorklistQuery) (*worklistStmt, error) {
	f := db.Policy.ListFilter(a)
	if leakFault("liste") {
		f = authz.Filter{All: true}
	}
	cond, args, err := db.worklistWhere(a, q, f)
	if err != nil {
		return nil, err
	}
	if f.Empty() {
		return nil, nil
	}
	key, desc := strings.TrimPrefix(q.Tri, "-"), strings.HasPrefix(q.Tri, "-")
	if key == "" {
		key = "echeance"
	}
	expr := worklistOrder[key]
	if key == "nom" && !readsRegisteredNames(a) {
		expr = "UPPER(d.decl_nom)"
	}
	dir := ""
	if desc {
		dir = " DESC"
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
	st := &worklistStmt{
		count:     `SELECT COUNT(*) FROM (SELECT 1 FROM dossier d` + cond + ` LIMIT ` + strconv.Itoa(WorklistCountCap) + `) x`,
		countArgs: args,
		pageArgs:  append(slices.Clone(args), q.ParPage, (q.Page-1)*q.ParPage),
	}
	const joined = `, COALESCE(s.nom, ''), COALESCE(s.prenom, ''), COALESCE(a.nature, ''), a.debut, a.fin, COALESCE(v.sens, '')`
	const joins = ` JOIN dossier d ON d.id = p.id
			LEFT JOIN assure s ON s.nir = d.nir
			LEFT JOIN arret a ON a.dossier_id = d.id
			LEFT JOIN avis v ON v.dossier_id = d.id`
	rc, _ := parseRecherche(q.Recherche)
	// A search by registered name sorted by that name walks dossier_dep_nom_assure
	// (departement, UPPER(nom_assure), id) in the order of the page and stops at
	// it, instead of collecting and sorting every dossier of the prefix.
	walkName := rc.nom != "" && key == "nom" && readsRegisteredNames(a)
	if !walkName && (q.Ouverts || q.Urgence != "" || q.Etat.Open() || q.NIR != "" || rc != (recherche{})) {
		k := expr
		if k == "" {
			k = "0"
		}
		st.page = `WITH m AS MATERIALIZED (SELECT d.id, ` + k + ` AS k FROM dossier d` + cond + `)
			SELECT ` + dossierCols + joined + `
			FROM (SELECT m.id, m.k FROM m ORDER BY m.k` + dir + `, m.id` + dir + ` LIMIT ? OFFSET ?) p` + joins + `
			ORDER BY p.k` + dir + `, p.id` + dir
		return st, nil
	}
	order := "d.id" + dir
	if expr != "" {
		order = expr + dir + ", " + order
	}
	st.page = `SELECT ` + dossierCols + joined + `
			FROM (SELECT d.id FROM dossier d` + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?) p` + joins + `
			ORDER BY ` + order
	return st, nil
}

func (db *DB) worklist(ctx context.Context, a *medconseil.Acteur, q WorklistQuery) ([]WorklistRow, int, error) {
	st, err := db.worklistSQL(a, q)
	if err != nil || st == nil {
		return nil, 0, err
	}
	today := medconseil.DateOf(db.Now())
	var rows []WorklistRow
	var total int
	err = db.Read(ctx, func(tx *Tx) error {
		if q.Departement != "" {
			if err := tx.checkEchelon(ctx, q.Departement); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, st.count, st.countArgs...).Scan(&total); err != nil {
			return medconseil.Internal(err)
		}
		rs, err := tx.Query(ctx, st.page, st.pageArgs...)
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
				row.RecueLe = medconseil.DateOf(r.RecueLe)
				if r.Etat.Open() && !r.Echeance.IsZero() {
					row.Retard = r.Echeance.Before(today)
					row.Proche = !row.Retard && !r.Echeance.After(today.AddDays(2))
				}
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

// WorklistCounts counts the dossiers awaiting an avis that a may list: per state,
// per type, overdue and due within 48 hours. It discloses no dossier (numbers only)
// and is not journaled.
type WorklistCounts struct {
	Ouverts  int                            `json:"ouverts"`
	Retard   int                            `json:"en_retard"`
	Proches  int                            `json:"echeance_48h"`
	ParEtat  map[medconseil.Etat]int        `json:"par_etat"`
	ParType  map[medconseil.TypeDossier]int `json:"par_type"`
	Attribue int                            `json:"attribues_a_moi"`
}

// Counts returns the WorklistCounts of a, over the same policy filter as its list.
func (db *DB) Counts(ctx context.Context, a *medconseil.Acteur) (*WorklistCounts, error) {
	out := &WorklistCounts{ParEtat: map[medconseil.Etat]int{}, ParType: map[medconseil.TypeDossier]int{}}
	f := db.Policy.ListFilter(a)
	if f.Empty() {
		return out, nil
	}
	where, args := filterSQL(f)
	today := medconseil.DateOf(db.Now())
	cond := " WHERE " + strings.Join(where, " AND ") + " AND d.etat IN " + openEtats()
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT d.etat, d.type, COUNT(*),
			SUM(CASE WHEN COALESCE(d.echeance, '9999-12-31') < ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN COALESCE(d.echeance, '9999-12-31') >= ? AND COALESCE(d.echeance, '9999-12-31') <= ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN d.attribue_a = ? THEN 1 ELSE 0 END)
			FROM dossier d`+cond+` GROUP BY d.etat, d.type`, append([]any{today.String(), today.String(), today.AddDays(2).String(), a.Login}, args...)...)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var etat, typ string
			var n, late, soon, mine int
			if err := rows.Scan(&etat, &typ, &n, &late, &soon, &mine); err != nil {
				return medconseil.Internal(err)
			}
			out.ParEtat[medconseil.Etat(etat)] += n
			out.ParType[medconseil.TypeDossier(typ)] += n
			out.Ouverts += n
			out.Retard += late
			out.Proches += soon
			out.Attribue += mine
		}
		return rows.Err()
	})
	return out, err
}

// NextDossier returns the dossier a should take after except: the first of its
// worklist awaiting an avis, assigned to a or to nobody, by nearest deadline; 0
// when there is none. It discloses only a number (the dossier's reading is gated
// and journaled when a opens it).
func (db *DB) NextDossier(ctx context.Context, a *medconseil.Acteur, except int64) (int64, error) {
	for _, attr := range []string{"moi", "aucune"} {
		rows, _, err := db.worklist(ctx, a, WorklistQuery{Ouverts: true, Attribution: attr, ParPage: 2})
		if err != nil {
			return 0, err
		}
		for _, r := range rows {
			if r.ID != except {
				return r.ID, nil
			}
		}
	}
	return 0, nil
}

// Assign gives dossier id, read at version, to the praticien login ("" takes it off
// anyone). The médecin chef, the régional and the agents of the service assign
// (authz.ActionAssign); a praticien-conseil may take a dossier for himself. The
// assignee must be an active account that may give the avis on it. Journaled, in
// the transaction of the change.
func (db *DB) Assign(ctx context.Context, a *medconseil.Acteur, id int64, version int, login string, m Meta) (newVersion int, err error) {
	login = strings.TrimSpace(login)
	if m.Finalite == "" {
		m.Finalite = "instruction"
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		r, _, err := tx.gate(ctx, a, id, "dossier.attribution", m)
		if err != nil {
			return err
		}
		self := login == a.Login && tx.permitted(a, authz.ActionAvis, r)
		if !self && !tx.permitted(a, authz.ActionAssign, r) {
			if err := tx.journal(ctx, a, "dossier.attribution", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "seuls le médecin chef, le médecin régional et les agents du service attribuent un dossier ; un praticien-conseil peut se l'attribuer"}}
		}
		if r.Version != version {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: fmt.Sprintf("le dossier a été modifié depuis que vous l'avez ouvert (version %d, vous aviez la version %d)", r.Version, version)}
		}
		if !r.Etat.Open() {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "attribue_a", Message: fmt.Sprintf("le dossier est à l'état « %s » : il n'attend plus d'avis", r.Etat.Label())}
		}
		if login != "" {
			var uid int64
			err := tx.QueryRow(ctx, `SELECT id FROM utilisateur WHERE login = ? AND actif = 1`, login).Scan(&uid)
			if errors.Is(err, sql.ErrNoRows) {
				return medconseil.FieldErrorf("attribue_a", "aucun compte actif « %s »", login)
			}
			if err != nil {
				return medconseil.Internal(err)
			}
			to, err := db.ActeurByID(ctx, uid)
			if err != nil {
				return err
			}
			if !tx.permitted(to, authz.ActionAvis, r) {
				return medconseil.FieldErrorf("attribue_a", "« %s » ne peut pas rendre d'avis sur ce dossier (praticien-conseil du territoire requis)", login)
			}
		}
		newVersion = r.Version + 1
		res, err := tx.Exec(ctx, `UPDATE dossier SET attribue_a = ?, version = ?, maj_le = ? WHERE id = ? AND version = ?`, login, newVersion, ts(db.Now()), id, r.Version)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "le dossier a été modifié en même temps : rouvrez-le"}
		}
		return tx.journal(ctx, a, "dossier.attribution", objet, medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return newVersion, err
}

// Praticiens lists the active accounts that may give an avis on dossiers of
// département dep (the assignees offered by the assign form): login and name.
func (db *DB) Praticiens(ctx context.Context, dep string) ([][2]string, error) {
	var out [][2]string
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT u.login, u.nom FROM utilisateur u JOIN habilitation h ON h.utilisateur_id = u.id
			WHERE u.actif = 1 AND h.role IN ('praticien_conseil', 'medecin_chef') AND (h.niveau = 'echelon' AND h.code = ?) ORDER BY u.nom, u.login`, dep)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var l, n string
			if err := rows.Scan(&l, &n); err != nil {
				return medconseil.Internal(err)
			}
			out = append(out, [2]string{l, n})
		}
		return rows.Err()
	})
	return out, err
}
