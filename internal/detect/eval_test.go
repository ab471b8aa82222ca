package detect

import (
	"bytes"
	"strings"
	"testing"
)

// TestOracle ranks ten GPs on hand-set factors: g1 planted rate × 3
// (legitimate 1), g2 planted duration × 2 (legitimate 0.5), g3 a legitimate
// 2.5, the others 1.2 to 0.6.
func TestOracle(t *testing.T) {
	res := &Result{Population: map[string]int{"1": 10}, Options: Options{Budget: 0.2}, ZFlag: map[string]float64{"1": 3.63}}
	legit := map[string]float64{"g1": 1, "g2": 0.5, "g3": 2.5, "g4": 1.2, "g5": 1.1, "g6": 1, "g7": 0.9, "g8": 0.8, "g9": 0.7, "g10": 0.6}
	for _, n := range []string{"g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10"} {
		res.Scored = append(res.Scored, &Prescriber{Num: n, Profession: "1", Patients: 100})
	}
	res.Scored = append(res.Scored, &Prescriber{Num: "k1", Profession: "26", Patients: 100}) // not a GP: not ranked
	tr := &Truth{LegitIJ: legit}
	tr.Anomalies = []TruthAnomaly{
		{Type: "surprescription_ij", EntityType: "professionnel", Entity: "g1", Profession: "1", Intensity: 3, Variant: "taux"},
		{Type: "surprescription_ij", EntityType: "professionnel", Entity: "g2", Profession: "1", Intensity: 2, Variant: "duree"},
	}
	ev := Score(res, tr)
	o := ev.Oracle
	if o == nil {
		t.Fatal("oracle absent")
	}
	if o.GPs != 10 || o.Planted != 2 || o.Unplanted != 8 || o.Budget != 2 || o.AboveLegit != [4]int{1, 1, 1, 0} {
		t.Errorf("oracle : %+v", o)
	}
	// Cells in Recall's order: 2 duree, 3 taux.
	want := map[string][][3]int{ // per goal: listed, true, found (2 duree, 3 taux)
		// rapport: g1 (3), g3 (2.5), g4 (1.2), then g2 (0.5 × 2 = 1) among the 1.0s.
		"rapport": {{2, 1, 0}, {1, 1, 0}, {1, 1, 0}, {1, 1, 0}},
		// indicateurs: g2 (duration 2) first, then g1, g3…
		"indicateurs": {{2, 2, 1}, {2, 2, 1}, {2, 2, 1}, {2, 2, 1}},
	}
	for _, r := range o.Rankings {
		w := want[r.Code]
		for i, p := range r.Points {
			if p.Listed != w[i][0] || p.True != w[i][1] || p.Found[0] != w[i][2] {
				t.Errorf("%s, %s : listés %d, justes %d, trouvés %v ; attendu %v", r.Code, p.Goal, p.Listed, p.True, p.Found, w[i])
			}
		}
	}
	if got := o.Rankings[0].Points[0].Found[1]; got != 1 {
		t.Errorf("rapport, budget : × 3 taux trouvé %d fois", got)
	}
	var b bytes.Buffer
	ev.Write(&b)
	if !strings.Contains(b.String(), "classement « indicateurs »") {
		t.Errorf("sortie sans l'oracle :\n%s", b.String())
	}
	// Older data: no legitimate factors, the oracle says it is unavailable.
	tr.LegitIJ = nil
	ev = Score(res, tr)
	b.Reset()
	ev.Write(&b)
	if ev.Oracle != nil || !strings.Contains(b.String(), "Oracle : indisponible") {
		t.Errorf("sans facteurs légitimes : %v\n%s", ev.Oracle, b.String())
	}
}
