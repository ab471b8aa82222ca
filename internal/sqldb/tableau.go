package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/lifecycle"
)

// The dashboards of the médecin chef, the médecin régional and the statisticien
// (GET /tableau-de-bord, docs/tableau-de-bord.md): counts over the dossiers
// received in a period, never a row of one dossier. The figures are computed here,
// in the store, so the statistical secret of the statisticien (small counts
// suppressed) holds for the page and the API alike.

// TableauQuery is the period of a dashboard: the dossiers received from Du to Au
// (both included). Aujourdhui is the day the open dossiers are judged overdue
// against.
type TableauQuery struct {
	Du, Au     medconseil.Date
	Aujourdhui medconseil.Date
	Meta       Meta
}

// MaxTableauMois bounds the period of a dashboard (36 months).
const MaxTableauMois = 36

// Validate checks the period: Du on or before Au, at most MaxTableauMois months.
func (q TableauQuery) Validate() error {
	switch {
	case q.Du.IsZero():
		return medconseil.FieldErrorf("du", "date de début de période manquante")
	case q.Au.IsZero():
		return medconseil.FieldErrorf("au", "date de fin de période manquante")
	case q.Au.Before(q.Du):
		return medconseil.FieldErrorf("au", "la fin de la période (%s) précède son début (%s)", q.Au.Francais(), q.Du.Francais())
	case q.Du.AddMonths(MaxTableauMois).Before(q.Au):
		return medconseil.FieldErrorf("au", "période trop longue : %d mois au plus (du %s au %s demandé)", MaxTableauMois, q.Du.Francais(), q.Au.Francais())
	}
	return nil
}

// Effectif is a count. Masque, under the statistical secret: "< 5" for a count
// from 1 to 4 (primary suppression), "secret" for a larger count hidden so that a
// small one cannot be recomputed from a total (secondary suppression); its JSON is
// then that string, else the number.
type Effectif struct {
	N      int
	Masque string
}

// The two ways a count is masked.
var (
	MasquePetit  = fmt.Sprintf("< %d", authz.SuppressBelow)
	MasqueSecret = "secret"
)

// MarshalJSON writes the number, or the mask.
func (e Effectif) MarshalJSON() ([]byte, error) {
	if e.Masque != "" {
		return []byte(`"` + e.Masque + `"`), nil // constants: nothing to escape
	}
	return []byte(strconv.Itoa(e.N)), nil
}

// Mediane is the median delay from reception to avis, in days, over Base avis.
// Calculee: at least one avis. Masque: "< 5 avis" when based on fewer than 5
// under the statistical secret, which also leaves Base at 0 (not disclosed).
type Mediane struct {
	Jours    float64
	Base     int
	Calculee bool
	Masque   string
}

// MarshalJSON writes {"jours": 12.5, "avis": 40} ("avis" omitted under the
// statistical secret), {"masque": "< 5 avis"}, or null when no avis was given.
func (m Mediane) MarshalJSON() ([]byte, error) {
	switch {
	case m.Masque != "":
		return []byte(`{"masque":"` + m.Masque + `"}`), nil
	case !m.Calculee:
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Jours float64 `json:"jours"`
		Avis  int     `json:"avis,omitempty"`
	}{m.Jours, m.Base})
}

// TableauLigne is one line of a dashboard: the dossiers received in the period
// in a month, of a type, of an échelon, or all of them. Justifies + NonJustifies +
// Tacites + Ouverts + Autres = Recus.
type TableauLigne struct {
	Cle          string   `json:"cle"`
	Libelle      string   `json:"libelle"`
	Recus        Effectif `json:"recus"`
	Ouverts      Effectif `json:"ouverts"`
	EnRetard     Effectif `json:"en_retard"`
	Justifies    Effectif `json:"avis_justifie"`
	NonJustifies Effectif `json:"avis_non_justifie"`
	Tacites      Effectif `json:"accords_tacites"`
	Autres       Effectif `json:"autres_clotures"`
	Delai        Mediane  `json:"delai_median_avis"`
	delais       map[int]int
}

// Tableau is a dashboard's figures.
type Tableau struct {
	Du         medconseil.Date `json:"du"`
	Au         medconseil.Date `json:"au"`
	Aujourdhui medconseil.Date `json:"calcule_le"`
	// Departements lists the échelons counted (the actor's territory).
	Departements []string `json:"departements"`
	// Secret: the statistical secret applies (statisticien): counts from 1 to
	// Seuil-1 are masked.
	Secret     bool           `json:"secret_statistique"`
	Seuil      int            `json:"seuil,omitempty"`
	Total      TableauLigne   `json:"total"`
	ParMois    []TableauLigne `json:"par_mois"`
	ParType    []TableauLigne `json:"par_type"`
	ParEchelon []TableauLigne `json:"par_echelon"`
}

// Tableau computes the dashboard of a over q's period: the médecin chef sees its
// échelon, the médecin régional its region, the statisticien aggregated figures
// of its territory with small counts suppressed (authz.Policy.Dashboard); any
// other role is refused (EFORBIDDEN, journaled). The read is journaled with the
// finalité "pilotage" and the classes counted (administratif, décision).
func (db *DB) Tableau(ctx context.Context, a *medconseil.Acteur, q TableauQuery) (*Tableau, error) {
	objet := "tableau-de-bord:" + q.Du.String() + "/" + q.Au.String()
	if q.Meta.Finalite == "" {
		q.Meta.Finalite = "pilotage"
	}
	scope, ok := db.Policy.Dashboard(a)
	if !ok {
		if err := db.Write(ctx, func(tx *Tx) error {
			return tx.journal(ctx, a, "tableau_de_bord.lecture", objet, 0, q.Meta, ResultRefused)
		}); err != nil {
			return nil, err
		}
		return nil, &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le tableau de bord est réservé au médecin-conseil chef de service, au médecin-conseil régional et au statisticien"}
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Aujourdhui.IsZero() {
		q.Aujourdhui = medconseil.DateOf(db.Now())
	}
	t, err := db.tableau(ctx, scope, q)
	if err != nil {
		return nil, err
	}
	classes := medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Decision)
	if err := db.Write(ctx, func(tx *Tx) error {
		return tx.journal(ctx, a, "tableau_de_bord.lecture", objet, classes, q.Meta, ResultOK)
	}); err != nil {
		return nil, err
	}
	return t, nil
}

// tacitCondition is the SQL condition "dossier d had a tacit approval or an
// implicit recognition": one of its deadlines whose effect is one fired. The
// names come from the lifecycle files, per type.
func (db *DB) tacitCondition() (string, []any) {
	var ors []string
	var args []any
	for _, l := range db.Lifecycle.All() {
		var noms []string
		for _, e := range l.Echeances {
			if e.Effet == lifecycle.AccordTacite || e.Effet == lifecycle.ReconnaissanceImplicite {
				noms = append(noms, e.Nom)
			}
		}
		if len(noms) == 0 {
			continue
		}
		ors = append(ors, "(d.type = ? AND e.nom IN ("+strings.TrimSuffix(strings.Repeat("?,", len(noms)), ",")+"))")
		args = append(args, string(l.Type))
		for _, n := range noms {
			args = append(args, n)
		}
	}
	if len(ors) == 0 {
		return "0", nil
	}
	return "CASE WHEN EXISTS (SELECT 1 FROM echeance e WHERE e.dossier_id = d.id AND e.statut = 'declenchee' AND (" + strings.Join(ors, " OR ") + ")) THEN 1 ELSE 0 END", args
}

// tableauBrut computes the dashboard from the raw tables (dossier, avis,
// echeance): one grouped pass over the dossiers received in the period, then the
// histogram of their delays. It is the definition the counters of migration 0940
// must give back (TestTableauCompteursEqualsRaw), and the path for a territory the
// counters cannot select (a filter on prescribers, NIRs or employers).
func (db *DB) tableauBrut(ctx context.Context, scope authz.DashboardScope, q TableauQuery) (*Tableau, error) {
	where, wargs := filterSQL(scope.Filter)
	// recue_le is a timestamp (UTC) or a date: compare on the day.
	where = append(where, "d.recue_le >= ?", "d.recue_le < ?")
	wargs = append(wargs, q.Du.String(), q.Au.AddDays(1).String())
	cond := " WHERE " + strings.Join(where, " AND ")

	open := make([]string, 0, 6)
	for _, e := range medconseil.Etats {
		if e.Open() {
			open = append(open, "'"+string(e)+"'")
		}
	}
	tacit, targs := db.tacitCondition()
	delay := `CAST(julianday(substr(v.le, 1, 10)) - julianday(substr(d.recue_le, 1, 10)) AS INTEGER)`
	if db.dialect == Postgres {
		delay = `(to_date(substr(v.le, 1, 10), 'YYYY-MM-DD') - to_date(substr(d.recue_le, 1, 10), 'YYYY-MM-DD'))`
	}
	var b *tableauBuilder
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if b, err = newTableauBuilder(ctx, tx, scope, q); err != nil {
			return err
		}
		// One pass over the dossiers received in the period, grouped.
		args := append(append([]any{q.Aujourdhui.String()}, targs...), wargs...)
		rs, err := tx.Query(ctx, `SELECT d.departement, d.type, substr(d.recue_le, 1, 7), d.etat IN (`+strings.Join(open, ",")+`),
				CASE WHEN d.echeance IS NOT NULL AND d.echeance < ? THEN 1 ELSE 0 END, COALESCE(v.sens, ''), `+tacit+`, COUNT(*)
			FROM dossier d LEFT JOIN avis v ON v.dossier_id = d.id`+cond+`
			GROUP BY 1, 2, 3, 4, 5, 6, 7`, args...)
		if err != nil {
			return medconseil.Internal(err)
		}
		for rs.Next() {
			var dep, typ, m, sens string
			var ouvert, retard bool
			var tacite, n int
			if err := rs.Scan(&dep, &typ, &m, &ouvert, &retard, &sens, &tacite, &n); err != nil {
				rs.Close()
				return medconseil.Internal(err)
			}
			issue := issueAutre
			switch {
			case tacite == 1:
				issue = issueTacite
			case sens == string(medconseil.SensJustifie):
				issue = issueJustifie
			case sens == string(medconseil.SensNonJustifie):
				issue = issueNonJustifie
			case ouvert:
				issue = issueOuvert
			}
			b.count(dep, typ, m, issue, retard, n)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return medconseil.Internal(err)
		}

		// The delays from reception to avis, as a histogram per échelon and month.
		rs, err = tx.Query(ctx, `SELECT d.departement, d.type, substr(d.recue_le, 1, 7), `+delay+`, COUNT(*)
			FROM dossier d JOIN avis v ON v.dossier_id = d.id`+cond+`
			GROUP BY 1, 2, 3, 4`, wargs...)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var dep, typ, m string
			var days, n int
			if err := rs.Scan(&dep, &typ, &m, &days, &n); err != nil {
				return medconseil.Internal(err)
			}
			b.delay(dep, typ, m, days, n)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// median returns the median of a histogram of days (the mean of the two middle
// values for an even count).
func median(h map[int]int) Mediane {
	n := 0
	keys := make([]int, 0, len(h))
	for k, c := range h {
		n += c
		keys = append(keys, k)
	}
	if n == 0 {
		return Mediane{}
	}
	slices.Sort(keys)
	at := func(rank int) int { // the value of 0-based rank
		for _, k := range keys {
			if rank < h[k] {
				return k
			}
			rank -= h[k]
		}
		return keys[len(keys)-1]
	}
	m := float64(at((n - 1) / 2))
	if n%2 == 0 {
		m = (m + float64(at(n/2))) / 2
	}
	return Mediane{Jours: m, Base: n, Calculee: true}
}

var moisNoms = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func moisLabel(d medconseil.Date) string {
	return moisNoms[d.Month()-1] + " " + strconv.Itoa(d.Year())
}

// outcomes returns the counts of a line that add up to its Recus.
func (l *TableauLigne) outcomes() []*Effectif {
	return []*Effectif{&l.Justifies, &l.NonJustifies, &l.Tacites, &l.Ouverts, &l.Autres}
}

// field returns the i-th count of a line (0 ≤ i < tableauFields).
func (l *TableauLigne) field(i int) *Effectif {
	return []*Effectif{&l.Recus, &l.Ouverts, &l.EnRetard, &l.Justifies, &l.NonJustifies, &l.Tacites, &l.Autres}[i]
}

const tableauFields = 7

// suppress applies the statistical secret: every count from 1 to below-1 is
// masked (primary suppression), then, wherever a total is shown and exactly one
// of the counts adding up to it is masked, the smallest other non-zero count is
// masked too (secondary suppression), so that no masked count is the difference
// of shown ones: the outcomes of a line add up to its Recus, and the lines of
// each breakdown (month, type, échelon) add up to the total's. A median based on
// fewer than below avis is masked; the number of avis behind a median is not
// disclosed. Counts in different breakdowns are not cross-checked (docs).
func (t *Tableau) suppress(below int) {
	all := t.lines()
	for _, ls := range all {
		for _, l := range ls {
			for f := range tableauFields {
				if c := l.field(f); c.N > 0 && c.N < below {
					c.Masque = MasquePetit
				}
			}
			if l.Delai.Base > 0 && l.Delai.Base < below {
				l.Delai = Mediane{Calculee: true, Masque: fmt.Sprintf("< %d avis", below)}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, ls := range all {
			for _, l := range ls {
				changed = protect(l.Recus, l.outcomes()) || changed
			}
		}
		for _, ls := range all[1:] {
			for f := range tableauFields {
				group := make([]*Effectif, len(ls))
				for i, l := range ls {
					group[i] = l.field(f)
				}
				changed = protect(*t.Total.field(f), group) || changed
			}
		}
	}
	for _, ls := range all {
		for _, l := range ls {
			l.Delai.Base = 0
			for f := range tableauFields {
				if c := l.field(f); c.Masque != "" {
					c.N = 0
				}
			}
		}
	}
}

// lines returns the total, then the lines of each breakdown (month, type, échelon).
func (t *Tableau) lines() [][]*TableauLigne {
	out := [][]*TableauLigne{{&t.Total}}
	for _, ls := range [][]TableauLigne{t.ParMois, t.ParType, t.ParEchelon} {
		ps := make([]*TableauLigne, len(ls))
		for i := range ls {
			ps[i] = &ls[i]
		}
		out = append(out, ps)
	}
	return out
}

// protect masks the smallest non-zero shown count of group when exactly one of
// them is masked and their total is shown. It reports whether it masked one.
func protect(total Effectif, group []*Effectif) bool {
	if total.Masque != "" {
		return false
	}
	masked := 0
	var smallest *Effectif
	for _, c := range group {
		switch {
		case c.Masque != "":
			masked++
		case c.N > 0 && (smallest == nil || c.N < smallest.N):
			smallest = c
		}
	}
	if masked == 1 && smallest != nil {
		smallest.Masque = MasqueSecret
		return true
	}
	return false
}

// String writes the count as screens show it: "12 345" (narrow no-break space
// between thousands) or the mask.
func (e Effectif) String() string {
	if e.Masque != "" {
		return e.Masque
	}
	return groupThousands(e.N)
}

// String writes the median as screens show it: "12,5 j", the mask, or "—".
func (m Mediane) String() string {
	switch {
	case m.Masque != "":
		return m.Masque
	case !m.Calculee:
		return "—"
	}
	return strings.Replace(strconv.FormatFloat(m.Jours, 'f', -1, 64), ".", ",", 1) + " j"
}

func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
