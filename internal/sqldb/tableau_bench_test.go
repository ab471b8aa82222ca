package sqldb_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// BenchmarkTableauRegion times the régional's dashboard over a year of the
// region (docs/perf.md, "Tableau de bord : compteurs"). MEDCONSEIL_BENCH_TABLEAU_N
// dossiers (default 200 000; a real year of Grand Est is ≈ 1.6 million, arrêts
// included: MEDCONSEIL_BENCH_TABLEAU_N=1750000 for 13 months) are spread over the
// 10 échelons of Grand Est and over 13 months of reception, the types in the
// proportions of a year (79 % avis d'arrêt); 60 % with an avis (1 to 40 days after
// reception), 3 % of the transports with a fired accord tacite, the rest open with
// a deadline, each with a fired reminder — the rows the dashboard reads (dossier,
// avis, echeance), inserted in bulk, the counters of migration 0940 kept by its
// triggers. MEDCONSEIL_BENCH_TABLEAU_DB: an SQLite file to keep (built once,
// re-used when it exists). Reported per dashboard: the time, and the CPU time of
// this process (getrusage; on PostgreSQL the server's work is not in it). The
// same dashboard computed from the raw tables is timed side by side (-brut).
// Run: go test ./internal/sqldb -run XXX -bench TableauRegion -benchtime 5x
func BenchmarkTableauRegion(b *testing.B) {
	n := 200_000
	if v := os.Getenv("MEDCONSEIL_BENCH_TABLEAU_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, e := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", benchTableauSQLite}, {"postgres", sqldbtest.Postgres}} {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			var have int
			if err := db.Read(ctx, func(tx *sqldb.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&have)
			}); err != nil {
				b.Fatal(err)
			}
			if have == 0 {
				actors(b, db) // the organisation (échelons) and accounts
				start := time.Now()
				seedTableauBulk(b, db, n)
				b.Logf("%s: %d dossiers seeded in %v", e.name, n, time.Since(start).Round(time.Second))
			} else {
				b.Logf("%s: %d dossiers already there", e.name, have)
			}
			year := sqldb.TableauQuery{Du: medconseil.NewDate(2025, 12, 1), Au: medconseil.NewDate(2026, 11, 30), Aujourdhui: medconseil.NewDate(2026, 12, 2)}
			// The default period on 2026-12-02 (the current month partial), and a
			// period cut in its first month: its days are read per dossier.
			byDefault := sqldb.TableauQuery{Du: medconseil.NewDate(2026, 1, 1), Au: medconseil.NewDate(2026, 12, 2), Aujourdhui: medconseil.NewDate(2026, 12, 2)}
			cut := sqldb.TableauQuery{Du: medconseil.NewDate(2025, 12, 16), Au: medconseil.NewDate(2026, 12, 2), Aujourdhui: medconseil.NewDate(2026, 12, 2)}
			chef := &medconseil.Acteur{Login: "chef.67", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}}
			acts := map[string]*medconseil.Acteur{
				"regional":     {Login: "regional", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleMedecinRegional, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}}}},
				"statisticien": {Login: "statisticien", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleStatisticien, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}}}},
			}
			run := func(name string, a *medconseil.Acteur, q sqldb.TableauQuery, brut bool) {
				b.Run(name, func(b *testing.B) {
					var t *sqldb.Tableau
					cpu0 := cpuTime()
					b.ResetTimer()
					for range b.N {
						var err error
						if brut {
							_, _, t, err = sqldb.TableauVariants(ctx, db, a, q)
						} else {
							t, err = db.Tableau(ctx, a, q)
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
					b.Logf("%s %s: %d dossiers received in the period, %d échelons, median delay %v", e.name, name, t.Total.Recus.N, len(t.ParEchelon), t.Total.Delai)
				})
			}
			run("regional", acts["regional"], year, false)
			run("regional-periode-defaut", acts["regional"], byDefault, false)
			run("regional-mois-coupe", acts["regional"], cut, false)
			run("chef67", chef, year, false)
			run("statisticien", acts["statisticien"], year, false)
			if os.Getenv("MEDCONSEIL_BENCH_TABLEAU_BRUT") != "" {
				run("regional-brut", acts["regional"], year, true)
			}
			var rows, dossiers int
			if err := db.Read(ctx, func(tx *sqldb.Tx) error {
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tableau_compte`).Scan(&rows); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM tableau_dossier`).Scan(&dossiers)
			}); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d counter rows for %d dossiers", e.name, rows, dossiers)
		})
	}
}

// benchTableauSQLite opens the SQLite base of MEDCONSEIL_BENCH_TABLEAU_DB (kept,
// re-used) or a temporary one.
func benchTableauSQLite(tb testing.TB) *sqldb.DB {
	path := os.Getenv("MEDCONSEIL_BENCH_TABLEAU_DB")
	if path == "" {
		return sqldbtest.SQLite(tb)
	}
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	db.Keys, db.AuditKey = sqldbtest.Keys(tb), sqldbtest.AuditKey(tb)
	return db
}

// cpuTime is the CPU time (user + system) this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func seedTableauBulk(b *testing.B, db *sqldb.DB, n int) {
	deps := strings.Fields("08 10 51 52 54 55 57 67 68 88")
	// The types in the proportions of a year of Grand Est (per thousand dossiers):
	// ≈ 1.27 million avis d'arrêt (initial and prolongations), ≈ 0.34 million of the
	// others (cmd/medconseil typeRates; AT/MP: a sinistre and its certificates).
	var types []string
	for _, t := range []struct {
		typ string
		n   int
	}{{"arret_travail", 788}, {"atmp", 114}, {"ald", 57}, {"transport", 16}, {"lpp", 9}, {"kine", 9}, {"invalidite", 5}, {"ordonnance", 2}} {
		for range t.n {
			types = append(types, t.typ)
		}
	}
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

// BenchmarkTableauTriggers measures what the triggers of the dashboard counters
// add to a write: per op, a dossier filed (depot: INSERT with its state and
// deadline, 100 per transaction), or filed, moved (UPDATE of its state and
// deadline, as the sweep does), given an avis (INSERT avis, UPDATE dossier state)
// and closed, one transaction per dossier (cycle), on a base already holding
// MEDCONSEIL_BENCH_TABLEAU_N/10 dossiers; then the same with the triggers dropped,
// side by side. Reports the CPU time of this process per op
// (SQLite: all of it; PostgreSQL: the client's share only, compare ns/op).
// Run: go test ./internal/sqldb -run XXX -bench TableauTriggers -benchtime 2000x
func BenchmarkTableauTriggers(b *testing.B) {
	n := 20_000
	if v := os.Getenv("MEDCONSEIL_BENCH_TABLEAU_N"); v != "" {
		n, _ = strconv.Atoi(v)
		n /= 10
	}
	for _, e := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}} {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			actors(b, db)
			seedTableauBulk(b, db, n)
			next := int64(n + 1)
			type stmt struct {
				q    string
				args []any
			}
			// depot: a dossier filed (what every intake adds); cycle: filed, moved,
			// given an avis and closed.
			kinds := map[string]func(id int64, nir string) []stmt{
				"depot": func(id int64, nir string) []stmt {
					return []stmt{
						{`INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2026-01-01T00:00:00Z')`, []any{nir}},
						{`INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES (?, 'transport', 'a_instruire', '67', ?, '2026-05-04T09:00:00Z', '2026-05-20', '2026-01-01T00:00:00Z')`, []any{id, nir}},
					}
				},
				"cycle": func(id int64, nir string) []stmt {
					return []stmt{
						{`INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2026-01-01T00:00:00Z')`, []any{nir}},
						{`INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES (?, 'arret_travail', 'recue', '67', ?, '2026-05-04T09:00:00Z', '2026-05-20', '2026-01-01T00:00:00Z')`, []any{id, nir}},
						{`UPDATE dossier SET etat = 'a_instruire', echeance = '2026-05-25' WHERE id = ?`, []any{id}},
						{`INSERT INTO avis (dossier_id, sens, par, le) VALUES (?, 'justifie', 'banc', '2026-05-10T10:00:00Z')`, []any{id}},
						{`UPDATE dossier SET etat = 'avis_rendu', echeance = NULL WHERE id = ?`, []any{id}},
					}
				},
			}
			ops := func(kind string) func(b *testing.B) {
				return func(b *testing.B) {
					cpu0 := cpuTime()
					b.ResetTimer()
					// depot: 100 dossiers per transaction, so that the commit does not
					// hide the triggers' share.
					lot := 1
					if kind == "depot" {
						lot = 100
					}
					for i := 0; i < b.N; i += lot {
						err := db.Write(ctx, func(tx *sqldb.Tx) error {
							for range min(lot, b.N-i) {
								id := next
								next++
								nir := fmt.Sprintf("1%014d", id)
								for _, s := range kinds[kind](id, nir) {
									if _, err := tx.Exec(ctx, s.q, s.args...); err != nil {
										return err
									}
								}
							}
							return nil
						})
						if err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
				}
			}
			b.Run("avec-declencheurs/depot", ops("depot"))
			b.Run("avec-declencheurs/cycle", ops("cycle"))
			if err := db.Write(ctx, func(tx *sqldb.Tx) error {
				for _, tr := range strings.Fields("tableau_dossier_ai tableau_dossier_ai_neuf tableau_dossier_au tableau_dossier_ad tableau_avis_ai tableau_avis_au tableau_avis_ad tableau_echeance_ai tableau_echeance_au tableau_echeance_ad") {
					q := `DROP TRIGGER IF EXISTS ` + tr
					if db.Dialect() == sqldb.Postgres {
						q += ` ON ` + strings.Split(tr, "_")[1]
					}
					if _, err := tx.Exec(ctx, q); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			b.Run("sans-declencheurs/depot", ops("depot"))
			b.Run("sans-declencheurs/cycle", ops("cycle"))
		})
	}
}
