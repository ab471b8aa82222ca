package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestWorklistNameSearchFollowsRegisteredIdentity: the search by name of the roles
// that read the registered identity runs on the copy kept on each dossier
// (dossier.nom_assure, migration 0930); a change of identity moves every dossier of
// the assuré at once, a filer's own declaration never does, and the filers still
// find their dossiers by the name they declared.
func TestWorklistNameSearchFollowsRegisteredIdentity(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", "")
		id1, _, err := db.CreateArret(ctx, as["agent.67"], in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		n2, err := medconseil.NIRWithKey("2851267482012")
		if err != nil {
			t.Fatal(err)
		}
		other := arret(t, string(n2), "2026-11-02", "2026-11-20", "M545", "lombalgie", "")
		other.Assure.Nom = "ABEL"
		if _, _, err := db.CreateArret(ctx, as["agent.67"], other, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		search := func(who, q, tri string) []sqldb.WorklistRow {
			t.Helper()
			rows, total, err := db.Worklist(ctx, as[who], sqldb.WorklistQuery{Recherche: q, Tri: tri})
			if err != nil {
				t.Fatalf("%s q=%s: %v", who, q, err)
			}
			if total != len(rows) {
				t.Errorf("%s q=%s: total %d for %d rows", who, q, total, len(rows))
			}
			return rows
		}
		if rows := search("praticien.67", "mart", ""); len(rows) != 1 || rows[0].ID != id1 {
			t.Fatalf("praticien.67 q=mart = %+v, want dossier %d", rows, id1)
		}
		if _, err := db.ChangeIdentity(ctx, as["agent.67"], mustNIR(t, nir1), sqldb.IdentiteChange{Nom: "DURAND", Motif: "mariage"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if rows := search("praticien.67", "MART", ""); len(rows) != 0 {
			t.Errorf("praticien.67 q=MART after the change of name = %+v, want none", rows)
		}
		if rows := search("praticien.67", "Dur", ""); len(rows) != 1 || rows[0].ID != id1 || rows[0].Nom != "DURAND" {
			t.Errorf("praticien.67 q=Dur = %+v, want dossier %d named DURAND", rows, id1)
		}
		// The prescriber reads what it declared, and finds it by that name only.
		if rows := search("prescripteur.demo", "MARTIN", ""); len(rows) != 1 || rows[0].Nom != "MARTIN" {
			t.Errorf("prescripteur q=MARTIN = %+v, want its declared MARTIN", rows)
		}
		if rows := search("prescripteur.demo", "DURAND", ""); len(rows) != 0 {
			t.Errorf("prescripteur q=DURAND = %+v: a name it never declared", rows)
		}
		// A new filing by a filer not entitled to the identity keeps the registered
		// name: the new dossier is found under it.
		again := arret(t, nir1, "2026-11-21", "2026-11-30", "M545", "lombalgie", "")
		again.Arret.Nature, again.Arret.InitialID = medconseil.NatureProlongation, id1
		id2, _, err := db.CreateArret(ctx, as["prescripteur.demo"], again, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		rows := search("praticien.67", "DURAND", "-id")
		if len(rows) != 2 || rows[0].ID != id2 || rows[1].ID != id1 {
			t.Errorf("praticien.67 q=DURAND = %+v, want dossiers %d and %d", rows, id2, id1)
		}
		// The sort by name follows the name the reader reads: ABEL, then DURAND.
		all, _, err := db.Worklist(ctx, as["praticien.67"], sqldb.WorklistQuery{Tri: "nom"})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range all {
			names = append(names, r.Nom)
		}
		if strings.Join(names, ",") != "ABEL,DURAND,DURAND" {
			t.Errorf("praticien.67 sorted by name: %v, want ABEL,DURAND,DURAND", names)
		}
	})
}

// TestWorklistPlansReadTheCaseloadAlone seeds a region's history (3 % awaiting an
// avis) and checks, on SQLite's plans, that no kind of the bench's mix scans the
// dossier table, that the lists of the dossiers awaiting an avis read them alone
// (dossier_ouvert) and that the search by name reads its range of names in the
// département (dossier_dep_nom_assure). On PostgreSQL the plans depend on the
// size of the base (docs/perf.md for the 1,000,000-dossier ones); the results
// must match SQLite's.
func TestWorklistPlansReadTheCaseloadAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 20,000 dossiers")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		if err := db.SeedWorklist(ctx, 20000, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		a := as["praticien.67"]
		cases := []struct {
			name, want string
			q          sqldb.WorklistQuery
		}{
			{"corbeille", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true}},
			{"tri -echeance", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Tri: "-echeance", Page: 5}},
			{"tri recue", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Tri: "recue", Page: 5}},
			{"etat", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Etat: medconseil.EtatExamen, Tri: "-recue"}},
			{"etat ouvert seul", "dossier_ouvert", sqldb.WorklistQuery{Etat: medconseil.EtatAInstruire}},
			{"type", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Type: medconseil.TypeArretTravail, Tri: "-nom"}},
			{"attribution equipe", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Attribution: "equipe", Tri: "-recue"}},
			{"attribution aucune", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Attribution: "aucune", Tri: "attribue"}},
			{"urgence", "dossier_ouvert", sqldb.WorklistQuery{Ouverts: true, Urgence: "retard"}},
			{"nom", "dossier_dep_nom_assure", sqldb.WorklistQuery{Recherche: "MOR", Tri: "-recue", Page: 2}},
			{"nom tri nom", "dossier_dep_nom_assure", sqldb.WorklistQuery{Recherche: "MOR", Tri: "-nom", Page: 2}},
			{"nom tri echeance", "dossier_dep_nom_assure", sqldb.WorklistQuery{Recherche: "MOR", Tri: "echeance", Page: 1}},
			{"tout recue", "dossier_dep_recue", sqldb.WorklistQuery{Tri: "-recue", Page: 5}},
			{"tout nom", "dossier_dep_nom_assure", sqldb.WorklistQuery{Tri: "nom", Page: 5}},
		}
		for _, c := range cases {
			count, page, err := db.WorklistPlans(ctx, a, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if db.Dialect() == sqldb.SQLite {
				for _, line := range strings.Split(count+page, "\n") {
					if strings.HasPrefix(line, "SCAN d") {
						t.Errorf("%s: the plan scans the dossier table:\n%s\n%s", c.name, count, page)
					}
				}
				walk := strings.HasPrefix(c.name, "tout")
				if !strings.Contains(page, c.want) || (!walk && !strings.Contains(count, c.want)) {
					t.Errorf("%s: plan does not use %s:\ncount:\n%s\npage:\n%s", c.name, c.want, count, page)
				}
				// The search by name reads its candidates from the index alone
				// (migration 0990), and sorted by name it needs no sort at all.
				if strings.HasPrefix(c.name, "nom") {
					if !strings.Contains(count, "COVERING INDEX dossier_dep_nom_assure") || !strings.Contains(page, "COVERING INDEX dossier_dep_nom_assure") {
						t.Errorf("%s: the name search reads the table:\ncount:\n%s\npage:\n%s", c.name, count, page)
					}
					// (The 25 rows of the page are sorted again after the joins.)
					inner, _, _ := strings.Cut(page, "SCAN p")
					if c.name == "nom tri nom" && strings.Contains(inner, "TEMP B-TREE") {
						t.Errorf("%s: the page sorts the candidates:\n%s", c.name, page)
					}
				}
			}
			// Same answer as the unindexed truth: every matching dossier, in order.
			rows, total, err := db.Worklist(ctx, a, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if total == 0 || len(rows) == 0 {
				t.Errorf("%s: empty list (total %d) on a seeded base", c.name, total)
			}
		}
	})
}

// TestWorklistNameSearchExactInEverySort: the search by registered name returns,
// page after page, exactly the dossiers of the reader's département whose name
// starts with the prefix, in the requested order (key, then number), for every
// sort key both ways — whether the list walks dossier_dep_nom_assure in order
// (sort by name) or collects its candidates from it and sorts them (migration
// 0990). The truth is a query that cannot use the name index (SUBSTR), sorted by
// the database.
func TestWorklistNameSearchExactInEverySort(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 6,000 dossiers")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		if err := db.SeedWorklist(ctx, 6000, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		a := as["praticien.67"]
		order := map[string]string{
			"echeance": "COALESCE(d.echeance, '9999-12-31')", "recue": "d.recue_le", "id": "", "type": "d.type",
			"etat": "d.etat", "nom": "UPPER(d.nom_assure)", "attribue": "d.attribue_a",
		}
		for _, prefix := range []string{"mor", "MAR", "Schneider", "ZZ"} {
			for _, tri := range sqldb.WorklistTris {
				for _, dir := range []string{"", "-"} {
					by := "d.id"
					if dir == "-" {
						by = "d.id DESC"
					}
					if e := order[tri.Cle]; e != "" {
						if dir == "-" {
							e += " DESC"
						}
						by = e + ", " + by
					}
					var want []int64
					err := db.Read(ctx, func(tx *sqldb.Tx) error {
						rs, err := tx.Query(ctx, `SELECT d.id FROM dossier d WHERE d.departement = '67'
							AND SUBSTR(UPPER(d.nom_assure), 1, `+fmt.Sprint(len(prefix))+`) = ? ORDER BY `+by, strings.ToUpper(prefix))
						if err != nil {
							return err
						}
						defer rs.Close()
						for rs.Next() {
							var id int64
							if err := rs.Scan(&id); err != nil {
								return err
							}
							want = append(want, id)
						}
						return rs.Err()
					})
					if err != nil {
						t.Fatal(err)
					}
					if (prefix == "mor" && len(want) <= 25) || (prefix != "ZZ" && len(want) < 10) {
						t.Fatalf("%s: only %d dossiers in the truth (more than a page of « mor » wanted): the seed changed", prefix, len(want))
					}
					var got []int64
					for page := 1; ; page++ {
						rows, total, err := db.Worklist(ctx, a, sqldb.WorklistQuery{Recherche: prefix, Tri: dir + tri.Cle, Page: page, ParPage: 25})
						if err != nil {
							t.Fatalf("%s %s%s page %d: %v", prefix, dir, tri.Cle, page, err)
						}
						if total != min(len(want), sqldb.WorklistCountCap) {
							t.Errorf("%s %s%s: total %d, want %d", prefix, dir, tri.Cle, total, len(want))
						}
						for _, r := range rows {
							got = append(got, r.ID)
						}
						if len(rows) < 25 {
							break
						}
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%s %s%s: %d dossiers %v…, want %d %v…", prefix, dir, tri.Cle, len(got), firstIDs(got), len(want), firstIDs(want))
					}
				}
			}
		}
	})
}

func firstIDs(ids []int64) []int64 { return ids[:min(len(ids), 8)] }
