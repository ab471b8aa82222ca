package medconseil_test

import (
	"encoding/json"
	"errors"
	"testing"

	"medconseil"
)

// FuzzParseDemande feeds arbitrary JSON objects to every schema: never a panic,
// and every refusal is a French field error naming a field.
func FuzzParseDemande(f *testing.F) {
	f.Add(`{"piece":"certificat_initial","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","cim10":"S83.6","lesions":"x","lateralite":"droite"}`)
	f.Add(`{"date_demande":"02/11/2026","mode":"vsl","distance_km":"490","etat_asepsie":true}`)
	f.Add(`{"code_lpp":"21 83 855","categorie":"autre","date_prescription":"2026-02-30"}`)
	f.Add(`{"seances_prevues":-1,"situation":"x","inconnu":1}`)
	f.Add(`{"reduction_capacite_pct":1e99,"cim10":"\u0000"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var raw map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &raw) != nil {
			return
		}
		for _, s := range medconseil.Schemas() {
			d, err := medconseil.ParseDemande(s, raw)
			if err == nil {
				if d == nil || d.Type != s.Type {
					t.Fatalf("%s: no request and no error", s.Type)
				}
				continue
			}
			for _, e := range medconseil.FieldErrors(err) {
				if e.Field == "" || e.Message == "" || e.Code != medconseil.EINVALID {
					t.Fatalf("%s: refusal %+v does not name a field", s.Type, e)
				}
			}
			var me *medconseil.Error
			if !errors.As(err, &me) {
				t.Fatalf("%s: refusal %v is not a medconseil.Error", s.Type, err)
			}
		}
	})
}

// TestParseDemande checks conditions between fields and kinds.
func TestParseDemande(t *testing.T) {
	atmp, _ := medconseil.SchemaOf(medconseil.TypeATMP)
	tests := []struct {
		name  string
		body  string
		field string // "" = accepted
	}{
		{"certificat initial complet", `{"piece":"certificat_initial","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","cim10":"S83.6","lesions":"entorse","lateralite":"droite"}`, ""},
		{"latéralité exigée au certificat initial", `{"piece":"certificat_initial","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","cim10":"S83.6","lesions":"entorse"}`, "lateralite"},
		{"prolongation sans sinistre", `{"piece":"certificat_prolongation","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","cim10":"S83.6","lesions":"entorse"}`, "sinistre_id"},
		{"conclusion hors certificat final", `{"piece":"declaration","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","conclusion":"guerison"}`, "conclusion"},
		{"date impossible", `{"piece":"declaration","risque":"at","date_sinistre":"2026-02-30","date_reception":"2026-11-04"}`, "date_sinistre"},
		{"SIRET court", `{"piece":"declaration","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","employeur_siret":"123"}`, "employeur_siret"},
		{"champ inconnu", `{"piece":"declaration","risque":"at","date_sinistre":"2026-11-02","date_reception":"2026-11-04","couleur":"bleu"}`, "couleur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.body), &raw); err != nil {
				t.Fatal(err)
			}
			_, err := medconseil.ParseDemande(atmp, raw)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			found := false
			for _, e := range medconseil.FieldErrors(err) {
				found = found || e.Field == tt.field
			}
			if !found {
				t.Errorf("err = %v, want an error on %s", err, tt.field)
			}
		})
	}
}
