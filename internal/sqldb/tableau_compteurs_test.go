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
			acts := actors(t, db)
			chef := &medconseil.Acteur{Login: "chef.67.57", Habilitations: []medconseil.Habilitation{
				{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}},
				{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "57"}}}}
			national := &medconseil.Acteur{Login: "chef.national", Habilitations: []medconseil.Habilitation{
				{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauNational}}}}
			who := []*medconseil.Acteur{acts["regional"], acts["statisticien"], chef, national}
			compared, filled := 0, 0
			compare := func(round int) {
				t.Helper()
				for k := range 6 {
					du := medconseil.NewDate(2025, 1, 1).AddDays(rng.IntN(500))
					au := du.AddDays(rng.IntN(400))
					if k == 0 { // whole months
						du = medconseil.NewDate(du.Year(), du.Month(), 1)
						au = medconseil.NewDate(au.Year(), au.Month(), 1).AddMonths(1).AddDays(-1)
					}
					q := sqldb.TableauQuery{Du: du, Au: au, Aujourdhui: medconseil.NewDate(2025, 1, 1).AddDays(rng.IntN(600))}
					for _, a := range who {
						c, nr, raw, err := sqldb.TableauVariants(ctx, db, a, q)
						if err != nil {
							t.Fatal(err)
						}
						want := tableauJSON(t, raw)
						compared++
						if raw.Total.Recus.N > 0 || raw.Total.Recus.Masque != "" {
							filled++
						}
						if diff := cmp.Diff(want, tableauJSON(t, nr)); diff != "" {
							t.Fatalf("round %d, %s, %s–%s judged %s: counters (movements not folded) differ from the raw tables (-raw +counters):\n%s", round, a.Login, du, au, q.Aujourdhui, diff)
						}
						if diff := cmp.Diff(want, tableauJSON(t, c)); diff != "" {
							t.Fatalf("round %d, %s, %s–%s judged %s: counters differ from the raw tables (-raw +counters):\n%s", round, a.Login, du, au, q.Aujourdhui, diff)
						}
					}
				}
			}
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
			if filled < compared*3/4 {
				t.Errorf("%d dashboards of %d had dossiers: the random data is too thin to test anything", filled, compared)
			}
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
