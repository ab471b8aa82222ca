package sqldb_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// BenchmarkTableauRegion times the régional's dashboard over a year of the
// region (docs/perf.md). MEDCONSEIL_BENCH_TABLEAU_N dossiers (default 200 000)
// are spread over the 10 échelons of Grand Est and over 13 months of reception,
// of every type; 60 % with an avis (1 to 40 days after reception), 3 % with a
// fired accord tacite, the rest open with a deadline, each with a fired
// reminder — the rows the dashboard reads (dossier, avis, echeance), inserted in
// bulk. Run: go test ./internal/sqldb -run XXX -bench TableauRegion -benchtime 5x
func BenchmarkTableauRegion(b *testing.B) {
	n := 200_000
	if v := os.Getenv("MEDCONSEIL_BENCH_TABLEAU_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, e := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}} {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			acts := actors(b, db)
			start := time.Now()
			seedTableauBulk(b, db, n)
			b.Logf("%s: %d dossiers seeded in %v", e.name, n, time.Since(start).Round(time.Second))
			q := sqldb.TableauQuery{Du: medconseil.NewDate(2025, 12, 1), Au: medconseil.NewDate(2026, 11, 30), Aujourdhui: medconseil.NewDate(2026, 12, 2)}
			chef := &medconseil.Acteur{Login: "chef.67", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}}
			run := func(name string, a *medconseil.Acteur) {
				b.Run(name, func(b *testing.B) {
					var t *sqldb.Tableau
					for range b.N {
						var err error
						if t, err = db.Tableau(ctx, a, q); err != nil {
							b.Fatal(err)
						}
					}
					b.Logf("%s %s: %d dossiers received in the year, %d échelons, median delay %v", e.name, name, t.Total.Recus.N, len(t.ParEchelon), t.Total.Delai)
				})
			}
			run("regional", acts["regional"])
			run("chef67", chef)
			run("statisticien", acts["statisticien"])
			// The same without the covering index of migration 0740, side by side.
			if err := db.Write(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, `DROP INDEX dossier_tableau`)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			run("regional-sans-index-0740", acts["regional"])
			run("chef67-sans-index-0740", chef)
		})
	}
}

func seedTableauBulk(b *testing.B, db *sqldb.DB, n int) {
	deps := strings.Fields("08 10 51 52 54 55 57 67 68 88")
	types := []string{"arret_travail", "arret_travail", "arret_travail", "arret_travail", "atmp", "ald", "transport", "lpp", "kine", "invalidite"}
	rng := rand.New(rand.NewPCG(7, 7))
	first := medconseil.NewDate(2025, 11, 1)
	const batch = 200
	for done := 0; done < n; {
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			for k := 0; k < 50 && done < n; k++ {
				m := min(batch, n-done)
				var as, ds, vs, es []string
				var aa, da, va, ea []any
				for i := range m {
					id := done + i + 1
					nir := fmt.Sprintf("2%014d", id)
					recue := first.AddDays(rng.IntN(396))
					typ := types[rng.IntN(len(types))]
					etat, ech := "a_instruire", recue.AddDays(7+rng.IntN(30)).String()
					r := rng.IntN(100)
					switch {
					case r < 60:
						etat = "avis_rendu"
						sens := "justifie"
						if rng.IntN(5) == 0 {
							sens = "non_justifie"
						}
						vs = append(vs, "(?, ?, 'banc', ?)")
						va = append(va, id, sens, recue.AddDays(1+rng.IntN(40)).String()+"T10:00:00.000000000Z")
					case r < 63 && typ == "transport":
						etat = "accord_tacite"
						es = append(es, "(?, 'accord_tacite', ?, ?, ?, 'declenchee', ?)")
						ea = append(ea, id, recue.String(), recue.AddDays(15).String(), recue.AddDays(16).String(), "2026-01-01T00:00:00Z")
					case r < 66:
						etat = "classee"
					}
					if etat != "a_instruire" {
						ech = ""
					}
					var echv any
					if ech != "" {
						echv = ech
					}
					as = append(as, "(?, '67482', '2026-01-01T00:00:00Z')")
					aa = append(aa, nir)
					ds = append(ds, "(?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')")
					da = append(da, id, typ, etat, deps[rng.IntN(len(deps))], nir, recue.String()+"T09:00:00.000000000Z", echv)
					es = append(es, "(?, 'rappel_instruction', ?, ?, ?, 'declenchee', ?)")
					ea = append(ea, id, recue.String(), recue.AddDays(7).String(), recue.AddDays(8).String(), "2026-01-01T00:00:00Z")
				}
				for _, ins := range []struct {
					q    string
					rows []string
					args []any
				}{
					{`INSERT INTO assure (nir, residence, cree_le) VALUES `, as, aa},
					{`INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES `, ds, da},
					{`INSERT INTO avis (dossier_id, sens, par, le) VALUES `, vs, va},
					{`INSERT INTO echeance (dossier_id, nom, depuis, limite, due, statut, cree_le) VALUES `, es, ea},
				} {
					if len(ins.rows) == 0 {
						continue
					}
					if _, err := tx.Exec(ctx, ins.q+strings.Join(ins.rows, ", "), ins.args...); err != nil {
						return err
					}
				}
				done += m
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Write(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `ANALYZE`) // statistics, as a live base has them
		return err
	}); err != nil {
		b.Fatal(err)
	}
}
