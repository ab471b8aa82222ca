package sqldb

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/lifecycle"
)

// The dashboard read from counters (migration 0940, docs/tableau-de-bord.md
// "Vitesse"): tableau_compte holds, per échelon, month of reception, type, outcome,
// deadline (open dossiers) and delay to the avis (dossiers with one), the number of
// dossiers; tableau_dossier holds each dossier's row. Triggers keep both in step
// with dossier, avis and echeance in the transaction of every write. A year of the
// region is then a few thousand counter rows instead of the year's dossiers. The
// months the period covers entirely are read from tableau_compte (plus, on
// PostgreSQL, the movements not yet folded into it); the days of a month the
// period covers only in part are read from tableau_dossier.

// The outcomes of a dossier (tableau_compte.issue), in the order of priority of
// docs/tableau-de-bord.md.
const (
	issueTacite      = "tacite"
	issueJustifie    = "justifie"
	issueNonJustifie = "non_justifie"
	issueOuvert      = "ouvert"
	issueAutre       = "autre"
)

// tableau computes the dashboard from the counters when the territory is a set of
// échelons, regions or everything (always, for the dashboard's roles), else from
// the raw tables.
func (db *DB) tableau(ctx context.Context, scope authz.DashboardScope, q TableauQuery) (*Tableau, error) {
	f := scope.Filter
	if len(f.Prescripteurs) > 0 || len(f.NIRs) > 0 || len(f.Employeurs) > 0 {
		return db.tableauBrut(ctx, scope, q)
	}
	return db.tableauCompteurs(ctx, scope, q)
}

// tableauCompteurs computes the dashboard from tableau_compte and tableau_dossier.
func (db *DB) tableauCompteurs(ctx context.Context, scope authz.DashboardScope, q TableauQuery) (*Tableau, error) {
	if db.dialect == Postgres {
		if err := db.compactTableau(ctx); err != nil {
			return nil, err
		}
	}
	return db.tableauLire(ctx, scope, q)
}

// tableauLire reads the counters (and, on PostgreSQL, the movements not folded).
func (db *DB) tableauLire(ctx context.Context, scope authz.DashboardScope, q TableauQuery) (*Tableau, error) {
	where, wargs := filterSQL(scope.Filter)
	dep := strings.Join(where, " AND ")
	today := q.Aujourdhui.String()
	var b *tableauBuilder
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if b, err = newTableauBuilder(ctx, tx, scope, q); err != nil {
			return err
		}
		// The months of the period: whole ones from the counters, the others day by
		// day. A month the period cuts counts as whole when no dossier of the
		// territory was received in its days outside the period (the current month,
		// with a period ending today).
		first := medconseil.NewDate(q.Du.Year(), q.Du.Month(), 1)
		var whole []string
		type span struct{ du, au string }
		var days []span
		for m := first; !q.Au.Before(m); m = m.AddMonths(1) {
			end := m.AddMonths(1).AddDays(-1)
			du, au := maxDate(m, q.Du), minDate(end, q.Au)
			cut := du != m || au != end
			if cut {
				var outside int
				args := append(slices.Clone(wargs), m.String(), q.Du.String(), q.Au.String(), end.String())
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tableau_dossier d WHERE `+dep+`
					AND ((d.jour >= ? AND d.jour < ?) OR (d.jour > ? AND d.jour <= ?)) LIMIT 1) x`, args...).Scan(&outside); err != nil {
					return medconseil.Internal(err)
				}
				cut = outside > 0
			}
			if cut {
				days = append(days, span{du.String(), au.String()})
			} else {
				whole = append(whole, m.String()[:7])
			}
		}
		var parts []string
		var args []any
		if len(whole) > 0 {
			in := " AND d.mois IN (" + strings.TrimSuffix(strings.Repeat("?,", len(whole)), ",") + ")"
			for _, table := range db.tableauCounterTables() {
				parts = append(parts, `SELECT d.departement, d.type, d.mois, d.issue, d.echeance, d.a_avis, d.delai, d.n FROM `+table+` d WHERE `+dep+in+` AND d.n <> 0`)
				args = append(args, wargs...)
				for _, m := range whole {
					args = append(args, m)
				}
			}
		}
		for _, s := range days {
			parts = append(parts, `SELECT d.departement, d.type, substr(d.jour, 1, 7), d.issue, d.echeance, d.a_avis, d.delai, COUNT(*) FROM tableau_dossier d WHERE `+dep+` AND d.jour >= ? AND d.jour <= ?
				GROUP BY d.departement, d.type, substr(d.jour, 1, 7), d.issue, d.echeance, d.a_avis, d.delai`)
			args = append(append(args, wargs...), s.du, s.au)
		}
		if len(parts) == 0 {
			return nil
		}
		// Counts are added up in Go: a key may come more than once (a counter and
		// its movements), the builder adds them.
		rs, err := tx.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var dep, typ, m, issue, ech string
			var aAvis bool
			var delai, n int
			if err := rs.Scan(&dep, &typ, &m, &issue, &ech, &aAvis, &delai, &n); err != nil {
				return medconseil.Internal(err)
			}
			if n == 0 {
				continue
			}
			b.count(dep, typ, m, issue, issue == issueOuvert && ech != "" && ech < today, n)
			if aAvis {
				b.delay(dep, typ, m, delai, n)
			}
		}
		return rs.Err()
	})
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// tableauCounterTables lists the tables whose rows add up to the counts of a
// whole month: on PostgreSQL, the movements not yet folded too.
func (db *DB) tableauCounterTables() []string {
	if db.dialect == Postgres {
		return []string{"tableau_compte", "tableau_mouvement"}
	}
	return []string{"tableau_compte"}
}

// compactTableau folds the movements the PostgreSQL triggers appended into
// tableau_compte, in one short transaction. One folder at a time (an advisory
// lock, not waited for: a dashboard whose folder is busy reads the movements
// too); writers are never blocked, they only append.
func (db *DB) compactTableau(ctx context.Context) error {
	return db.Write(ctx, func(tx *Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(9400940)`).Scan(&got); err != nil {
			return medconseil.Internal(err)
		}
		if !got {
			return nil
		}
		const key = `departement, mois, type, issue, echeance, a_avis, delai`
		if _, err := tx.Exec(ctx, `WITH m AS (DELETE FROM tableau_mouvement RETURNING `+key+`, n)
			INSERT INTO tableau_compte (`+key+`, n) SELECT `+key+`, SUM(n) FROM m GROUP BY `+key+`
			ON CONFLICT (`+key+`) DO UPDATE SET n = tableau_compte.n + EXCLUDED.n`); err != nil {
			return medconseil.Internal(fmt.Errorf("tableau de bord : report des mouvements : %w", err))
		}
		return nil
	})
}

// tableauAvant and tableauApres frame a set of writes of one transaction that
// move many dossiers — a sweep batch — so that the dashboard counters move each
// of them once, after the last write, instead of once per statement (PostgreSQL,
// migration 0976): tableauAvant makes the triggers skip for the rest of the
// transaction; tableauApres turns them back on and moves the dossiers listed,
// which must include every dossier the writes in between changed. A transaction
// that fails in between is rolled back with the setting. On SQLite, whose
// triggers are per row, both do nothing.
func (t *Tx) tableauAvant(ctx context.Context) error {
	if t.db.dialect != Postgres {
		return nil
	}
	if _, err := t.Exec(ctx, `SELECT set_config('medconseil.tableau_differe', 'on', true)`); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

func (t *Tx) tableauApres(ctx context.Context, dossiers []int64) error {
	if t.db.dialect != Postgres {
		return nil
	}
	if _, err := t.Exec(ctx, `SELECT set_config('medconseil.tableau_differe', 'off', true)`); err != nil {
		return medconseil.Internal(err)
	}
	if len(dossiers) == 0 {
		return nil
	}
	if _, err := t.Exec(ctx, `SELECT tableau_rafraichir_ensemble(?::bigint[])`, dossiers); err != nil {
		return medconseil.Internal(fmt.Errorf("tableau de bord : compteurs du lot : %w", err))
	}
	return nil
}

// syncTableauTacite keeps tableau_tacite, the deadlines whose firing is a tacit
// approval or an implicit recognition (the triggers of migration 0940 read it), in
// step with the lifecycle files: when they changed, it rewrites the list and
// rebuilds the counters from the raw tables, in one transaction.
func (db *DB) syncTableauTacite(ctx context.Context) error {
	type pair struct{ typ, nom string }
	var want []pair
	for _, l := range db.Lifecycle.All() {
		for _, e := range l.Echeances {
			if e.Effet == lifecycle.AccordTacite || e.Effet == lifecycle.ReconnaissanceImplicite {
				want = append(want, pair{string(l.Type), e.Nom})
			}
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].typ+"\x00"+want[i].nom < want[j].typ+"\x00"+want[j].nom })
	return db.Write(ctx, func(tx *Tx) error {
		rs, err := tx.Query(ctx, `SELECT type, nom FROM tableau_tacite ORDER BY type, nom`)
		if err != nil {
			return medconseil.Internal(err)
		}
		var have []pair
		for rs.Next() {
			var p pair
			if err := rs.Scan(&p.typ, &p.nom); err != nil {
				rs.Close()
				return medconseil.Internal(err)
			}
			have = append(have, p)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return medconseil.Internal(err)
		}
		sort.Slice(have, func(i, j int) bool { return have[i].typ+"\x00"+have[i].nom < have[j].typ+"\x00"+have[j].nom })
		if slices.Equal(have, want) {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM tableau_tacite`); err != nil {
			return medconseil.Internal(err)
		}
		for _, p := range want {
			if _, err := tx.Exec(ctx, `INSERT INTO tableau_tacite (type, nom) VALUES (?, ?)`, p.typ, p.nom); err != nil {
				return medconseil.Internal(err)
			}
		}
		return tx.rebuildTableau(ctx)
	})
}

// RebuildTableau recomputes the dashboard's counters from the raw tables (after a
// change of the lifecycle files, or to repair them), in one transaction.
func (db *DB) RebuildTableau(ctx context.Context) error {
	return db.Write(ctx, func(tx *Tx) error { return tx.rebuildTableau(ctx) })
}

func (t *Tx) rebuildTableau(ctx context.Context) error {
	const cols = `dossier_id, jour, departement, type, issue, echeance, a_avis, delai`
	const key = `departement, mois, type, issue, echeance, a_avis, delai`
	stmts := []string{`DELETE FROM tableau_compte`, `DELETE FROM tableau_dossier`}
	if t.db.dialect == Postgres {
		stmts = append(stmts, `DELETE FROM tableau_mouvement`)
	}
	stmts = append(stmts,
		`INSERT INTO tableau_dossier (`+cols+`) SELECT `+cols+` FROM tableau_cle`,
		`INSERT INTO tableau_compte (`+key+`, n) SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, COUNT(*)
			FROM tableau_dossier GROUP BY departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai`)
	for _, s := range stmts {
		if _, err := t.Exec(ctx, s); err != nil {
			return medconseil.Internal(fmt.Errorf("tableau de bord : reconstruction des compteurs : %w", err))
		}
	}
	return nil
}

func maxDate(a, b medconseil.Date) medconseil.Date {
	if a.Before(b) {
		return b
	}
	return a
}

func minDate(a, b medconseil.Date) medconseil.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// tableauBuilder adds counts up into the lines of a dashboard: the total, the
// month, the type and the échelon of each count.
type tableauBuilder struct {
	t        *Tableau
	mois     map[string]*TableauLigne
	types    map[string]*TableauLigne
	echelons map[string]*TableauLigne
}

// newTableauBuilder sets up the lines of q's dashboard: every month of the
// period, the nine types, the échelons of the territory (with their names, even
// those without a dossier).
func newTableauBuilder(ctx context.Context, tx *Tx, scope authz.DashboardScope, q TableauQuery) (*tableauBuilder, error) {
	t := &Tableau{Du: q.Du, Au: q.Au, Aujourdhui: q.Aujourdhui, Secret: scope.Suppress}
	if t.Secret {
		t.Seuil = authz.SuppressBelow
	}
	t.Total = TableauLigne{Cle: "total", Libelle: "Total", delais: map[int]int{}}
	for m := medconseil.NewDate(q.Du.Year(), q.Du.Month(), 1); !q.Au.Before(m); m = m.AddMonths(1) {
		t.ParMois = append(t.ParMois, TableauLigne{Cle: m.String()[:7], Libelle: moisLabel(m), delais: map[int]int{}})
	}
	for _, typ := range lifecycle.Types {
		t.ParType = append(t.ParType, TableauLigne{Cle: string(typ), Libelle: typ.Label(), delais: map[int]int{}})
	}
	b := &tableauBuilder{t: t, mois: map[string]*TableauLigne{}, types: map[string]*TableauLigne{}, echelons: map[string]*TableauLigne{}}
	for i := range t.ParMois {
		b.mois[t.ParMois[i].Cle] = &t.ParMois[i]
	}
	for i := range t.ParType {
		b.types[t.ParType[i].Cle] = &t.ParType[i]
	}
	ew, eargs := filterSQL(scope.Filter)
	ecCond := strings.ReplaceAll(strings.Join(ew, " AND "), "d.departement", "o.departement")
	rs, err := tx.Query(ctx, `SELECT o.departement, o.nom FROM organisme o WHERE o.type = 'echelon' AND o.departement <> '' AND `+ecCond+` ORDER BY o.departement`, eargs...)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var dep, nom string
		if err := rs.Scan(&dep, &nom); err != nil {
			return nil, medconseil.Internal(err)
		}
		if _, ok := b.echelons[dep]; !ok {
			b.echelons[dep] = &TableauLigne{Cle: dep, Libelle: nom, delais: map[int]int{}}
		}
	}
	if err := rs.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}
	return b, nil
}

// lines returns the lines a count of échelon dep, type typ and month m adds to.
func (b *tableauBuilder) lines(dep, typ, m string) [4]*TableauLigne {
	e, ok := b.echelons[dep]
	if !ok {
		e = &TableauLigne{Cle: dep, Libelle: "Département " + dep, delais: map[int]int{}}
		b.echelons[dep] = e
	}
	return [4]*TableauLigne{&b.t.Total, b.mois[m], b.types[typ], e}
}

// count adds n dossiers of an outcome (retard: open and overdue).
func (b *tableauBuilder) count(dep, typ, m, issue string, retard bool, n int) {
	for _, l := range b.lines(dep, typ, m) {
		if l == nil {
			continue
		}
		l.Recus.N += n
		switch issue {
		case issueTacite:
			l.Tacites.N += n
		case issueJustifie:
			l.Justifies.N += n
		case issueNonJustifie:
			l.NonJustifies.N += n
		case issueOuvert:
			l.Ouverts.N += n
			if retard {
				l.EnRetard.N += n
			}
		default:
			l.Autres.N += n
		}
	}
}

// delay adds n avis given days after reception (a negative delay counts as 0).
func (b *tableauBuilder) delay(dep, typ, m string, days, n int) {
	days = max(days, 0)
	for _, l := range b.lines(dep, typ, m) {
		if l != nil {
			l.delais[days] += n
		}
	}
}

// finish orders the échelons, computes the medians and applies the statistical
// secret.
func (b *tableauBuilder) finish() *Tableau {
	t := b.t
	deps := make([]string, 0, len(b.echelons))
	for d := range b.echelons {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	t.Departements = deps
	for _, d := range deps {
		t.ParEchelon = append(t.ParEchelon, *b.echelons[d])
	}
	for _, ls := range t.lines() {
		for _, l := range ls {
			l.Delai = median(l.delais)
		}
	}
	if t.Secret {
		t.suppress(authz.SuppressBelow)
	}
	return t
}
