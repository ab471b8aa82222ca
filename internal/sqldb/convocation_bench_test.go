package sqldb_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// benchGeo locates the communes with the real centroids of
// ../shared/reference/geo/communes (MEDCONSEIL_REFERENCE), as the server does.
func benchGeo(b testing.TB) sqldb.Geo {
	dir := os.Getenv("MEDCONSEIL_REFERENCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "reference")
	}
	src, _ := reference.SourceByName("communes-centroides")
	fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(src.Path)))
	if err != nil {
		b.Skipf("communes référentiel absent (%v)", err)
	}
	defer fh.Close()
	f, err := reference.Parse(src, fh)
	if err != nil {
		b.Fatal(err)
	}
	pos := map[string][2]float64{}
	for _, r := range f.Rows {
		var lat, lon float64
		fmt.Sscan(f.Get(r, "latitude"), &lat)
		fmt.Sscan(f.Get(r, "longitude"), &lon)
		pos[f.Get(r, "code_commune_INSEE")] = [2]float64{lat, lon}
	}
	return func(c string) (float64, float64, bool) {
		p, ok := pos[c]
		return p[0], p[1], ok
	}
}

// seedSlots writes n slots over 13 weeks (3 months) on the 18 sites of Grand Est,
// 4 praticiens per site, weekdays 08:00–18:30 every 30 min, and books the first
// `booked` slots of the site of Haguenau (the nearest for the benchmark's assuré).
func seedSlots(b testing.TB, db *sqldb.DB, n, booked int, dossier int64) {
	start := medconseil.DateOf(convNow).AddDays(1)
	var sites []string
	for _, o := range medconseil.GrandEst() {
		if o.Type == medconseil.TypeSite {
			sites = append(sites, o.Code)
		}
	}
	err := db.Write(ctx, func(tx *sqldb.Tx) error {
		salle := map[string]int64{}
		for _, s := range sites {
			for k := range 4 {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO agenda_salle (site, nom) VALUES (?, ?) RETURNING id`, s, fmt.Sprintf("Salle %d", k)).Scan(&id); err != nil {
					return err
				}
				salle[fmt.Sprintf("%s/%d", s, k)] = id
			}
		}
		made := 0
		for d := start; made < n; d = d.AddDays(1) {
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				continue
			}
			for m := 8 * 60; m < 18*60+30 && made < n; m += 30 {
				for _, s := range sites {
					for k := 0; k < 4 && made < n; k++ {
						deb := fmt.Sprintf("%sT%02d:%02d", d, m/60, m%60)
						fin := fmt.Sprintf("%sT%02d:%02d", d, (m+30)/60, (m+30)%60)
						if _, err := tx.Exec(ctx, `INSERT INTO creneau (site, salle_id, praticien, debut, fin) VALUES (?, ?, ?, ?, ?)`,
							s, salle[fmt.Sprintf("%s/%d", s, k)], fmt.Sprintf("p.%s.%d", s, k), deb, fin); err != nil {
							return err
						}
						made++
					}
				}
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO convocation (dossier_id, creneau_id, statut, actif, cree_par, cree_le)
			SELECT ?, id, 'prevue', 1, 'bench', '2026-12-02T08:00:00Z' FROM creneau WHERE site = 'S67-HAGUENAU' ORDER BY debut, id LIMIT ?`, dossier, booked)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == sqldb.Postgres {
		// Fresh statistics after the bulk load, as autovacuum would gather.
		if err := db.Write(ctx, func(tx *sqldb.Tx) error { _, err := tx.Exec(ctx, `ANALYZE`); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProposeCreneaux: the 10 best slots for a dossier among 100,000 over
// 3 months (issue 13: ≤ 20 ms p99), through the whole store call (gate, sites by
// distance, free slots nearest site first, journal entry). The nearest site has
// its first 2,000 slots booked, so the query must skip them. Reports p50 and p99.
func BenchmarkProposeCreneaux(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}} {
		b.Run(eng.name, func(b *testing.B) {
			db := eng.open(b)
			db.Now = func() time.Time { return convNow }
			as := actors(b, db)
			geo := benchGeo(b)
			in := sqldb.ArretInput{Assure: medconseil.Assure{NIR: "185056748212337", Residence: "67180", Nom: "MARTIN", Prenom: "Paul"}, Prescripteur: "10001234567",
				Arret: medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: medconseil.NewDate(2026, 11, 20), Fin: medconseil.NewDate(2027, 1, 20), CIM10: "M545", Libelle: "lombalgie", Motif: "x"}}
			id, _, err := db.CreateArret(ctx, as["praticien.67"], in, sqldb.Meta{})
			if err != nil {
				b.Fatal(err)
			}
			seedSlots(b, db, 100_000, 2_000, id)
			// search: the ranking query alone (BestFreeSlots in a read transaction);
			// call: the whole journaled store call (a write transaction, one fsync).
			for _, kind := range []string{"search", "call"} {
				b.Run(kind, func(b *testing.B) {
					var durs []time.Duration
					for b.Loop() {
						t0 := time.Now()
						var got []medconseil.Creneau
						var err error
						if kind == "call" {
							got, err = db.ProposeCreneaux(ctx, as["agent.67"], id, geo, 10, sqldb.Meta{})
						} else {
							err = db.Read(ctx, func(tx *sqldb.Tx) error {
								got, err = tx.BestFreeSlots(ctx, "67180", "67", geo, "2026-12-02T09:00", 10)
								return err
							})
						}
						durs = append(durs, time.Since(t0))
						if err != nil || len(got) != 10 || got[0].Site != "S67-HAGUENAU" {
							b.Fatalf("proposal: %v %+v", err, got)
						}
					}
					sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
					p := func(q float64) float64 { return float64(durs[int(q*float64(len(durs)-1))].Microseconds()) / 1000 }
					b.ReportMetric(p(0.5), "p50-ms")
					b.ReportMetric(p(0.99), "p99-ms")
				})
			}
		})
	}
}
