package rules_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"

	"medconseil/internal/reference"
	"medconseil/internal/rules"
)

// TestTransportNearestFINESS computes the distances of R322-10-5 from the real
// communes and FINESS référentiels (../shared/reference, as the server reads them).
func TestTransportNearestFINESS(t *testing.T) {
	dir := "../../../shared/reference"
	if _, err := os.Stat(dir + "/geo/finess"); errors.Is(err, fs.ErrNotExist) {
		t.Skip("référentiels FINESS absents de " + dir)
	}
	files, _, err := reference.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	set, err := reference.Build(files)
	if err != nil {
		t.Fatal(err)
	}
	e := engine(t)
	e.SetLieux(rules.ReferenceLieux(set))
	eval := func(body string) (codes []string, results map[string]any) {
		t.Helper()
		x, err := e.Evaluate("transport", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		results = map[string]any{}
		for _, r := range x.Reasons {
			codes = append(codes, r.Code)
		}
		for _, r := range x.Results {
			results[r.Name] = r.Value
		}
		return codes, results
	}
	// Metz (57463) to the Hôpital civil of Strasbourg (CHR, 670000025): about 128 km,
	// a facility of the same FINESS category is in Metz.
	codes, res := eval(`{"date_demande":"2025-03-01","mode":"ambulance","depart_commune":"57463","etablissement_finess":"670000025","etat":{"allonge_ou_demi_assis":true}}`)
	if !slices.Contains(codes, "TR_STRUCTURE_PLUS_PROCHE") {
		t.Errorf("Metz → Strasbourg: reasons %v, want TR_STRUCTURE_PLUS_PROCHE", codes)
	}
	if res["distance_remboursable_km"] != int64(2) {
		t.Errorf("Metz → Strasbourg: distance remboursable %v, want 2", res["distance_remboursable_km"])
	}
	// Saverne (67437) to the CH of Saverne (670000165): it is the nearest of its category.
	codes, res = eval(`{"date_demande":"2025-03-01","mode":"taxi","depart_commune":"67437","etablissement_finess":"670000165","etat":{"aide_au_deplacement":true}}`)
	if !slices.Contains(codes, "TR_STRUCTURE_LA_PLUS_PROCHE") || res["distance_remboursable_km"] != int64(1) {
		t.Errorf("Saverne → CH Saverne: reasons %v, results %v", codes, res)
	}
	// An unknown FINESS number is named.
	_, err = e.Evaluate("transport", bytes.NewReader([]byte(`{"date_demande":"2025-03-01","mode":"taxi","depart_commune":"67437","etablissement_finess":"999999999"}`)))
	if err == nil {
		t.Error("unknown FINESS accepted")
	}
}
