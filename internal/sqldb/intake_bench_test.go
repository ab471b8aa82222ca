package sqldb_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// benchRequests are one request of each schema type, as the API parses them.
func benchRequests(b *testing.B) []*medconseil.Demande {
	b.Helper()
	reqs := map[medconseil.TypeDossier]map[string]any{
		medconseil.TypeATMP:       {"piece": "certificat_initial", "risque": "at", "date_sinistre": "2026-11-02", "date_reception": "2026-11-04", "cim10": "S836", "lesions": "entorse du genou droit", "lateralite": "droite"},
		medconseil.TypeALD:        {"date_protocole": "2026-11-02", "cim10": "E119", "soins": "suivi trimestriel"},
		medconseil.TypeTransport:  {"date_demande": "2026-11-02", "mode": "vsl", "distance_km": 490, "etat_aide_au_deplacement": true},
		medconseil.TypeLPP:        {"date_prescription": "2026-11-02", "code_lpp": "2183855", "categorie": "chut_decharge_avant_pied", "indication": "post_chirurgicale"},
		medconseil.TypeKine:       {"date_prescription": "2026-11-02", "situation": "prothese_genou", "seances_prevues": 40},
		medconseil.TypeInvalidite: {"date_constat": "2026-11-02", "reduction_capacite_pct": 75, "cim10": "G35"},
		medconseil.TypeOrdonnance: {"date_prescription": "2026-11-02", "medicament": "tramadol", "regime": "liste_I", "classe": "tramadol", "duree_jours": 84, "signalement": "12 semaines"},
	}
	var out []*medconseil.Demande
	for _, s := range medconseil.Schemas() {
		raw := map[string]json.RawMessage{}
		for k, v := range reqs[s.Type] {
			raw[k], _ = json.Marshal(v)
		}
		d, err := medconseil.ParseDemande(s, raw)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// BenchmarkIntakeMixed files the eight types in turn through sqldb.Intake, with
// pre-analysis, 32 concurrent filers over a thousand assurés, without HTTP: the
// store's share of `medconseil bench intake --types` (docs/perf.md).
func BenchmarkIntakeMixed(b *testing.B) {
	db := sqldbtest.SQLite(b)
	as := actors(b, db)
	in := intake(b, db)
	reqs := benchRequests(b)
	var seq atomic.Int64
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			nir, _ := medconseil.NIRWithKey(fmt.Sprintf("1850567482%03d", 1+n%999))
			as0 := medconseil.Assure{NIR: nir, Residence: "67482"}
			var err error
			if k := n % 8; k == 7 {
				x := sqldb.ArretInput{Assure: as0, Prescripteur: "10001234567", Faits: map[string]string{"salaires_3_derniers_mois": "7500,00"},
					Arret: medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: medconseil.NewDate(2026, 11, 2), Fin: medconseil.NewDate(2026, 11, 20), CIM10: "M545", Libelle: "lombalgie"}}
				_, _, err = in.FileArret(ctx, as["prescripteur.demo"], x, sqldb.Meta{})
			} else {
				_, _, err = in.FileDemande(ctx, as["prescripteur.demo"], sqldb.DemandeInput{Assure: as0, Prescripteur: "10001234567", Demande: reqs[k]}, sqldb.Meta{})
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "dossiers/s")
}
