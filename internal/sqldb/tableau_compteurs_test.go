package sqldb_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestTableauCompteursEqualsRaw is what proves the counters of migration 0940
// right: on random dossiers, avis and deadlines, written before the migration
// (its backfill) and after it (its triggers: dossiers filed, moved to another
// state, deadline or échelon, deleted; avis given, corrected, withdrawn; tacit
// and other deadlines inserted, fired, cancelled, deleted), the dashboard read
// from the counters equals the dashboard computed from the raw tables, for random
// periods (whole and partial months), days of judgement and every dashboard role,
// statistical secret included, on both engines — and on PostgreSQL both before
// and after the movements are folded into the counters.
func TestTableauCompteursEqualsRaw(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var dsn string
			if engine == "sqlite" {
				dsn = filepath.Join(t.TempDir(), "t.db")
			} else {
				dsn, _ = sqldbtest.EmptyPostgres(t)
			}
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Keys, db.AuditKey = sqldbtest.Keys(t), sqldbtest.AuditKey(t)
			migs, err := sqldb.Migrations(db.Dialect())
			if err != nil {
				t.Fatal(err)
			}
			before := ""
			for _, m := range migs {
				if m.Name < "0940" {
					before = m.Name
				}
			}
			if _, err := db.MigrateThrough(ctx, before); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(10, 940))
			w := &tableauWorld{t: t, db: db, rng: rng}
			w.run(300) // before the migration: the backfill counts them
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			c := newTableauComparer(t, db, rng)
			compare := c.compare
			compare(0)
			for round := 1; round <= 4; round++ {
				w.run(250)
				compare(round)
			}
			// A rebuild from the raw tables gives the same counters.
			if err := db.RebuildTableau(ctx); err != nil {
				t.Fatal(err)
			}
			compare(5)
			c.checkFilled()
		})
	}
}

// tableauComparer compares the dashboard read from the counters with the one
// computed from the raw tables.
type tableauComparer struct {
	t                *testing.T
	db               *sqldb.DB
	rng              *rand.Rand
	who              []*medconseil.Acteur
	compared, filled int
}

func newTableauComparer(t *testing.T, db *sqldb.DB, rng *rand.Rand) *tableauComparer {
	acts := actors(t, db)
	chef := &medconseil.Acteur{Login: "chef.67.57", Habilitations: []medconseil.Habilitation{
		{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}},
		{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "57"}}}}
	national := &medconseil.Acteur{Login: "chef.national", Habilitations: []medconseil.Habilitation{
		{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauNational}}}}
	return &tableauComparer{t: t, db: db, rng: rng, who: []*medconseil.Acteur{acts["regional"], acts["statisticien"], chef, national}}
}

// compare checks six random periods (the first of whole months) judged on random
// days, for every dashboard role.
func (c *tableauComparer) compare(round int) {
	t, rng := c.t, c.rng
	t.Helper()
	for k := range 6 {
		du := medconseil.NewDate(2025, 1, 1).AddDays(rng.IntN(500))
		au := du.AddDays(rng.IntN(400))
		if k == 0 { // whole months
			du = medconseil.NewDate(du.Year(), du.Month(), 1)
			au = medconseil.NewDate(au.Year(), au.Month(), 1).AddMonths(1).AddDays(-1)
		}
		q := sqldb.TableauQuery{Du: du, Au: au, Aujourdhui: medconseil.NewDate(2025, 1, 1).AddDays(rng.IntN(600))}
		c.compareAt(round, q)
	}
}

func (c *tableauComparer) compareAt(round int, q sqldb.TableauQuery) {
	t := c.t
	t.Helper()
	for _, a := range c.who {
		cpt, nr, raw, err := sqldb.TableauVariants(ctx, c.db, a, q)
		if err != nil {
			t.Fatal(err)
		}
		want := tableauJSON(t, raw)
		c.compared++
		if raw.Total.Recus.N > 0 || raw.Total.Recus.Masque != "" {
			c.filled++
		}
		if diff := cmp.Diff(want, tableauJSON(t, nr)); diff != "" {
			t.Fatalf("round %d, %s, %s–%s judged %s: counters (movements not folded) differ from the raw tables (-raw +counters):\n%s", round, a.Login, q.Du, q.Au, q.Aujourdhui, diff)
		}
		if diff := cmp.Diff(want, tableauJSON(t, cpt)); diff != "" {
			t.Fatalf("round %d, %s, %s–%s judged %s: counters differ from the raw tables (-raw +counters):\n%s", round, a.Login, q.Du, q.Au, q.Aujourdhui, diff)
		}
	}
}

func (c *tableauComparer) checkFilled() {
	if c.filled < c.compared*3/4 {
		c.t.Errorf("%d dashboards of %d had dossiers: the random data is too thin to test anything", c.filled, c.compared)
	}
}

// TestTableauCompteursBulk checks the counters against the raw tables after
// statements that change many rows at once — the PostgreSQL triggers run once per
// statement over its transition tables (migration 0975) — and after real sweeps
// (FireDeadlines, batches of SweepBatch deadlines), on both engines.
func TestTableauCompteursBulk(t *testing.T) {
	for _, e := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}} {
		t.Run(e.name, func(t *testing.T) {
			db := e.open(t)
			rng := rand.New(rand.NewPCG(10, 975))
			w := &tableauWorld{t: t, db: db, rng: rng, bulk: true}
			c := newTableauComparer(t, db, rng)
			for round := range 4 {
				w.run(200)
				c.compare(round)
			}
			// A sweep: 1,300 open dossiers with a tacit deadline due from 1 to 5
			// April 2025 (three batches the first day), a fifth of them in a state
			// where it no longer runs (cancelled by the sweep).
			first := w.next + 1
			err := db.Write(ctx, func(tx *sqldb.Tx) error {
				for i := range int64(1300) {
					id := first + i
					w.next = id
					nir := fmt.Sprintf("2%014d", id)
					typ := []string{"transport", "atmp", "lpp", "kine"}[i%4]
					nom, nature := "accord_tacite", ""
					switch typ {
					case "atmp":
						nom, nature = "decision_at", "accident"
					case "lpp":
						nature = "dispositif"
					}
					etat := "a_instruire"
					if i%5 == 0 {
						etat = "classee"
					}
					due := medconseil.NewDate(2025, 4, 1).AddDays(int(i) / 650 * 2)
					recue := medconseil.NewDate(2025, 2, 1).AddDays(int(i % 50))
					for _, s := range []struct {
						q    string
						args []any
					}{
						{`INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2025-01-01T00:00:00Z')`, []any{nir}},
						{`INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES (?, ?, ?, ?, ?, ?, ?, '2025-01-01T00:00:00Z')`,
							[]any{id, typ, etat, tableauDeps[i%int64(len(tableauDeps))], nir, recue.String(), due.String()}},
						{`INSERT INTO cycle (dossier_id, nature, recue) VALUES (?, ?, ?)`, []any{id, nature, recue}},
						{`INSERT INTO echeance (dossier_id, nom, depuis, limite, due, cree_le) VALUES (?, ?, ?, ?, ?, '2025-01-01T00:00:00Z')`,
							[]any{id, nom, recue.String(), due.String(), due.String()}},
					} {
						if _, err := tx.Exec(ctx, s.q, s.args...); err != nil {
							return fmt.Errorf("%s: %w", s.q, err)
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, day := range []medconseil.Date{medconseil.NewDate(2025, 4, 1), medconseil.NewDate(2025, 4, 3)} {
				res, err := db.FireDeadlines(ctx, day)
				if err != nil {
					t.Fatal(err)
				}
				if res.Fired < 500 || res.Cancelled < 100 {
					t.Fatalf("sweep of %s: %+v, want at least 500 fired and 100 cancelled", day, res)
				}
				c.compareAt(10+i, sqldb.TableauQuery{Du: medconseil.NewDate(2025, 1, 1), Au: medconseil.NewDate(2025, 12, 31), Aujourdhui: day})
				c.compareAt(10+i, sqldb.TableauQuery{Du: medconseil.NewDate(2025, 2, 10), Au: medconseil.NewDate(2025, 4, 20), Aujourdhui: day.AddDays(-1)})
				c.compare(10 + i)
			}
			c.checkFilled()
		})
	}
}

func tableauJSON(t *testing.T, x *sqldb.Tableau) string {
	t.Helper()
	b, err := json.MarshalIndent(x, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tableauWorld writes random operations on dossier, avis and echeance, straight
// in SQL (what the dashboard counts, whichever Go code writes it).
type tableauWorld struct {
	t      *testing.T
	db     *sqldb.DB
	rng    *rand.Rand
	next   int64
	ids    []int64
	echIDs []int64
	// bulk mixes in statements that change many rows at once (the sweep's
	// batches, bulk seeds): the PostgreSQL triggers run once per statement.
	bulk bool
}

var (
	tableauDeps  = strings.Fields("08 10 51 52 54 55 57 67 68 88")
	tableauTypes = strings.Fields("arret_travail atmp ald transport lpp kine invalidite ordonnance")
	tableauEtats = strings.Fields("recue preanalysee a_instruire convocation examen attente_pieces avis_rendu accord_tacite notifiee contestee classee")
	// Tacit names of some types, names that are tacit for another type, a reminder.
	tableauEcheances = strings.Fields("accord_tacite accord_tacite_10_jours decision_at decision_mp rappel_instruction accord_tacite_apres_pieces")
	tableauTacites   = map[string][]string{
		"transport": strings.Fields("accord_tacite accord_tacite_10_jours accord_tacite_apres_pieces"),
		"atmp":      strings.Fields("decision_at decision_mp decision_rechute"),
		"lpp":       strings.Fields("accord_tacite accord_tacite_devis_vph"),
		"kine":      strings.Fields("accord_tacite accord_tacite_apres_pieces"),
	}
)

func (w *tableauWorld) day() medconseil.Date {
	return medconseil.NewDate(2024, 11, 1).AddDays(w.rng.IntN(700))
}

func (w *tableauWorld) pick() (int64, bool) {
	if len(w.ids) == 0 {
		return 0, false
	}
	return w.ids[w.rng.IntN(len(w.ids))], true
}

func (w *tableauWorld) run(n int) {
	w.t.Helper()
	r := w.rng
	err := w.db.Write(ctx, func(tx *sqldb.Tx) error {
		exec := func(q string, args ...any) error {
			_, err := tx.Exec(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			return nil
		}
		for range n {
			if w.bulk && len(w.ids) > 10 && r.IntN(4) == 0 {
				if err := w.bulkOp(tx); err != nil {
					return err
				}
				continue
			}
			op := r.IntN(100)
			id, ok := w.pick()
			if !ok {
				op = 0
			}
			var err error
			switch {
			case op < 35: // a dossier filed
				w.next++
				id = w.next
				nir := fmt.Sprintf("1%014d", id)
				if err = exec(`INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2025-01-01T00:00:00Z')`, nir); err != nil {
					return err
				}
				var ech any
				if r.IntN(4) > 0 {
					ech = w.day().String()
				}
				recue := w.day().String()
				if r.IntN(2) == 0 {
					recue += fmt.Sprintf("T%02d:30:00.000000000Z", r.IntN(24))
				}
				err = exec(`INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES (?, ?, ?, ?, ?, ?, ?, '2025-01-01T00:00:00Z')`,
					id, tableauTypes[r.IntN(len(tableauTypes))], tableauEtats[r.IntN(len(tableauEtats))], tableauDeps[r.IntN(len(tableauDeps))], nir, recue, ech)
				w.ids = append(w.ids, id)
			case op < 50: // an avis given (or corrected, when there is one)
				sens := []string{"justifie", "non_justifie", "partiel"}[r.IntN(3)]
				le := w.day().String() + "T09:00:00.000000000Z"
				var have int
				if err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM avis WHERE dossier_id = ?`, id).Scan(&have); err != nil {
					return err
				}
				if have == 0 {
					err = exec(`INSERT INTO avis (dossier_id, sens, par, le) VALUES (?, ?, 'banc', ?)`, id, sens, le)
				} else if r.IntN(2) == 0 {
					err = exec(`UPDATE avis SET sens = ? WHERE dossier_id = ?`, sens, id)
				} else {
					err = exec(`UPDATE avis SET le = ?, par = 'autre' WHERE dossier_id = ?`, le, id)
				}
			case op < 53: // an avis withdrawn
				err = exec(`DELETE FROM avis WHERE dossier_id = ?`, id)
			case op < 65: // a deadline written, pending or fired
				statut := []string{"attente", "declenchee"}[r.IntN(2)]
				d := w.day()
				nom := tableauEcheances[r.IntN(len(tableauEcheances))]
				var typ string
				if err = tx.QueryRow(ctx, `SELECT type FROM dossier WHERE id = ?`, id).Scan(&typ); err != nil {
					return err
				}
				if ns := tableauTacites[typ]; len(ns) > 0 && r.IntN(2) == 0 {
					nom = ns[r.IntN(len(ns))] // a tacit deadline of the dossier's type
				}
				var pending int
				if err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM echeance WHERE dossier_id = ? AND nom = ? AND statut = 'attente'`, id, nom).Scan(&pending); err != nil {
					return err
				}
				if pending > 0 {
					statut = "declenchee" // at most one pending row per (dossier, deadline)
				}
				var eid int64
				if err = tx.QueryRow(ctx, `INSERT INTO echeance (dossier_id, nom, depuis, limite, due, statut, cree_le) VALUES (?, ?, ?, ?, ?, ?, '2025-01-01T00:00:00Z') RETURNING id`,
					id, nom, fmt.Sprintf("%s-%d", d, r.IntN(1<<30)), d.String(), d.AddDays(1).String(), statut).Scan(&eid); err != nil {
					return err
				}
				w.echIDs = append(w.echIDs, eid)
			case op < 75: // a deadline fired, cancelled, or deleted
				if len(w.echIDs) == 0 {
					continue
				}
				eid := w.echIDs[r.IntN(len(w.echIDs))]
				if r.IntN(2) == 0 { // a pending one, as the sweep fires them
					var pending []int64
					rs, err := tx.Query(ctx, `SELECT id FROM echeance WHERE statut = 'attente'`)
					if err != nil {
						return err
					}
					for rs.Next() {
						var x int64
						if err := rs.Scan(&x); err != nil {
							rs.Close()
							return err
						}
						pending = append(pending, x)
					}
					rs.Close()
					if len(pending) > 0 {
						eid = pending[r.IntN(len(pending))]
					}
				}
				switch r.IntN(4) {
				case 0, 1:
					err = exec(`UPDATE echeance SET statut = 'declenchee' WHERE id = ?`, eid)
				case 2:
					err = exec(`UPDATE echeance SET statut = 'annulee' WHERE id = ?`, eid)
				default:
					err = exec(`DELETE FROM echeance WHERE id = ?`, eid)
				}
			case op < 92: // the dossier moves: state, deadline, both
				switch r.IntN(3) {
				case 0:
					err = exec(`UPDATE dossier SET etat = ? WHERE id = ?`, tableauEtats[r.IntN(len(tableauEtats))], id)
				case 1:
					err = exec(`UPDATE dossier SET echeance = ?, version = version + 1 WHERE id = ?`, w.day().String(), id)
				default:
					err = exec(`UPDATE dossier SET etat = ?, echeance = NULL WHERE id = ?`, tableauEtats[r.IntN(len(tableauEtats))], id)
				}
			case op < 95: // a write that changes nothing counted
				err = exec(`UPDATE dossier SET version = version + 1, maj_le = '2025-06-01T00:00:00Z' WHERE id = ?`, id)
			case op < 97: // another échelon
				err = exec(`UPDATE dossier SET departement = ? WHERE id = ?`, tableauDeps[r.IntN(len(tableauDeps))], id)
			default: // deleted with its rows (the purge)
				for _, q := range []string{`DELETE FROM avis WHERE dossier_id = ?`, `DELETE FROM echeance WHERE dossier_id = ?`, `DELETE FROM dossier WHERE id = ?`} {
					if err = exec(q, id); err != nil {
						return err
					}
				}
				for i, x := range w.ids {
					if x == id {
						w.ids = append(w.ids[:i], w.ids[i+1:]...)
						break
					}
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// bulkOp writes one statement that changes several rows: dossiers filed together,
// moved together (some of them to where they already are), a sweep batch
// (deadlines claimed, then their dossiers' states), deadlines cancelled or
// deleted together, avis given, corrected or withdrawn together.
func (w *tableauWorld) bulkOp(tx *sqldb.Tx) error {
	r := w.rng
	some := func(n int) (string, []any) { // "(?, ?, …)" over n random dossiers, repeats included
		var marks []string
		var args []any
		for range n {
			id, _ := w.pick()
			marks = append(marks, "?")
			args = append(args, id)
		}
		return "(" + strings.Join(marks, ", ") + ")", args
	}
	exec := func(q string, args ...any) error {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		return nil
	}
	k := 2 + r.IntN(12)
	switch r.IntN(8) {
	case 0: // dossiers filed in one INSERT
		var vals []string
		var args []any
		for range k {
			w.next++
			id := w.next
			nir := fmt.Sprintf("1%014d", id)
			if err := exec(`INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2025-01-01T00:00:00Z')`, nir); err != nil {
				return err
			}
			var ech any
			if r.IntN(4) > 0 {
				ech = w.day().String()
			}
			vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, '2025-01-01T00:00:00Z')")
			args = append(args, id, tableauTypes[r.IntN(len(tableauTypes))], tableauEtats[r.IntN(len(tableauEtats))],
				tableauDeps[r.IntN(len(tableauDeps))], nir, w.day().String(), ech)
			w.ids = append(w.ids, id)
		}
		return exec(`INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES `+strings.Join(vals, ", "), args...)
	case 1: // dossiers moved together; an open state is set on some that already have it
		in, args := some(k)
		return exec(`UPDATE dossier SET etat = CASE WHEN id % 2 = 0 THEN ? ELSE etat END, echeance = ?, version = version + 1 WHERE id IN `+in,
			append([]any{tableauEtats[r.IntN(len(tableauEtats))], w.day().String()}, args...)...)
	case 2: // a sweep batch: pending deadlines claimed, then their dossiers' states
		in, args := some(k)
		if err := exec(`UPDATE echeance SET statut = 'declenchee', traite_le = '2025-06-01T00:00:00Z' WHERE statut = 'attente' AND dossier_id IN `+in, args...); err != nil {
			return err
		}
		return exec(`UPDATE dossier SET etat = 'accord_tacite', version = version + 1,
			echeance = (SELECT MIN(e.limite) FROM echeance e WHERE e.dossier_id = dossier.id AND e.statut = 'attente') WHERE id IN `+in, args...)
	case 3: // deadlines cancelled (fired ones among them) or fired, whatever their status
		in, args := some(k)
		statut := []string{"annulee", "declenchee"}[r.IntN(2)]
		return exec(`UPDATE echeance SET statut = ? WHERE dossier_id IN `+in, append([]any{statut}, args...)...)
	case 4: // deadlines deleted together
		in, args := some(k)
		return exec(`DELETE FROM echeance WHERE statut = ? AND dossier_id IN `+in, append([]any{[]string{"declenchee", "annulee"}[r.IntN(2)]}, args...)...)
	case 5: // avis given to those without one
		in, args := some(k)
		return exec(`INSERT INTO avis (dossier_id, sens, par, le) SELECT d.id, ?, 'banc', ? FROM dossier d
			WHERE d.id IN `+in+` AND NOT EXISTS (SELECT 1 FROM avis v WHERE v.dossier_id = d.id)`,
			append([]any{[]string{"justifie", "non_justifie", "partiel"}[r.IntN(3)], w.day().String() + "T09:00:00.000000000Z"}, args...)...)
	case 6: // avis corrected together
		in, args := some(k)
		return exec(`UPDATE avis SET sens = ?, le = CASE WHEN dossier_id % 3 = 0 THEN ? ELSE le END WHERE dossier_id IN `+in,
			append([]any{[]string{"justifie", "non_justifie", "partiel"}[r.IntN(3)], w.day().String() + "T10:00:00.000000000Z"}, args...)...)
	default: // avis withdrawn together
		in, args := some(k)
		return exec(`DELETE FROM avis WHERE dossier_id IN `+in, args...)
	}
}
