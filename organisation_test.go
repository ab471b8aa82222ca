package medconseil_test

import (
	"testing"

	"medconseil"
)

func TestServiceMedicalDated(t *testing.T) {
	for _, c := range []struct {
		dep  string
		on   medconseil.Date
		code string
		nom  string
	}{
		{"67", medconseil.NewDate(2025, 9, 30), "ELSM-67", "Échelon local du service médical du Bas-Rhin"},
		{"67", medconseil.NewDate(2025, 10, 1), "SM-67", "Service médical de la CPAM du Bas-Rhin"},
		{"57", medconseil.NewDate(2026, 12, 2), "SM-57", "Service médical de la CPAM de Moselle"},
		{"88", medconseil.NewDate(2020, 1, 1), "ELSM-88", "Échelon local du service médical des Vosges"},
	} {
		o, ok := medconseil.ServiceMedical(c.dep, c.on)
		if !ok || o.Code != c.code || o.Nom != c.nom {
			t.Errorf("ServiceMedical(%s, %s) = %+v, %v; want %s %q", c.dep, c.on, o, ok, c.code, c.nom)
		}
	}
	if _, ok := medconseil.ServiceMedical("75", medconseil.NewDate(2026, 1, 1)); ok {
		t.Error("Paris is not in the Grand Est organisation")
	}
	before := medconseil.OrganisationAt(medconseil.NewDate(2025, 9, 30))
	after := medconseil.OrganisationAt(medconseil.NewDate(2025, 10, 1))
	if before.Nom == after.Nom {
		t.Fatalf("one organisation on both sides of 1 October 2025: %s", before.Nom)
	}
	count := func(o medconseil.Organisation, typ medconseil.TypeOrganisme) int {
		n := 0
		for _, x := range o.Organismes {
			if x.Type == typ {
				n++
			}
		}
		return n
	}
	if count(before, medconseil.TypeEchelon) != 10 || count(before, medconseil.TypeServiceMedical) != 0 || count(before, medconseil.TypeDRSM) != 1 {
		t.Errorf("before the reorganisation: %d échelons, %d services médicaux", count(before, medconseil.TypeEchelon), count(before, medconseil.TypeServiceMedical))
	}
	if count(after, medconseil.TypeEchelon) != 0 || count(after, medconseil.TypeServiceMedical) != 10 || count(after, medconseil.TypeDRSM) != 0 || count(after, medconseil.TypeSite) != 18 {
		t.Errorf("after the reorganisation: %d échelons, %d services médicaux, %d sites", count(after, medconseil.TypeEchelon), count(after, medconseil.TypeServiceMedical), count(after, medconseil.TypeSite))
	}
	if after.Lien == "" || after.Texte == "" {
		t.Error("the current organisation cites its décret")
	}
}
