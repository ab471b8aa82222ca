package rules_test

import (
	"testing"

	"medconseil"
	"medconseil/internal/rules"
)

// TestCorrections2026Dates reads the corrected parameters of the 2026-12 audit on
// both sides of each date (REGULATIONS.md, "Changes 2026-12").
func TestCorrections2026Dates(t *testing.T) {
	s, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	d := medconseil.NewDate
	for _, c := range []struct {
		param  string
		on     medconseil.Date
		want   string // "" : no value in force
		verify bool
	}{
		{"smic/horaire_brut", d(2021, 12, 31), "10.48", false},
		{"smic/horaire_brut", d(2022, 1, 1), "10.57", false},
		{"smic/horaire_brut", d(2026, 5, 31), "12.02", false},
		{"smic/horaire_brut", d(2026, 6, 1), "12.31", true},
		{"smic/duree_mensuelle_heures", d(2022, 1, 1), "455/3", false},
		{"ij/diviseur_salaire_journalier", d(2010, 11, 30), "90", false},
		{"ij/diviseur_salaire_journalier", d(2010, 12, 1), "91.25", false},
		{"ij/taux_majore_3_enfants", d(2020, 6, 30), "2/3", false},
		{"ij/taux_majore_3_enfants", d(2020, 7, 1), "", false},
		{"ij/envoi_tardif_reduction", d(2004, 12, 29), "", false},
		{"ij/envoi_tardif_reduction", d(2004, 12, 30), "0.5", false},
		{"ij/sans_carence_img", d(2024, 6, 30), "", false},
		{"ij/sans_carence_img", d(2024, 7, 1), "true", false},
		{"ij/prolongation_chirurgien_dentiste", d(2025, 12, 30), "", false},
		{"ij/prolongation_chirurgien_dentiste", d(2025, 12, 31), "true", false},
		{"atmp/seuil_crrmp_hors_tableau", d(1993, 3, 27), "", false},
		{"atmp/seuil_crrmp_hors_tableau", d(1993, 3, 28), "2/3", true},
		{"atmp/delai_rechute", d(2019, 11, 30), "", false},
		{"atmp/delai_rechute", d(2019, 12, 1), "60", false},
		{"kine/seances_sans_accord/fracture_coude", d(2014, 1, 23), "", false},
		{"kine/seances_sans_accord/fracture_coude", d(2014, 1, 24), "30", true},
		{"ordonnance/stupefiants/methadone", d(2024, 1, 1), "7", true},
		{"transport/silence_vaut_accord_jours", d(2014, 5, 27), "10", true},
		{"transport/silence_vaut_accord_jours", d(2014, 5, 28), "15", false},
	} {
		p, ok := s.Get(c.param)
		if !ok {
			t.Errorf("%s: absent", c.param)
			continue
		}
		per, ok := p.At(c.on)
		got := ""
		if ok {
			got = per.Value.String()
		}
		if got != c.want {
			t.Errorf("%s on %s = %q, want %q", c.param, c.on, got, c.want)
		}
		if ok && per.Verify != c.verify {
			t.Errorf("%s on %s: verify = %v, want %v", c.param, c.on, per.Verify, c.verify)
		}
	}
	// The LFSS 2026 age table applies to pensions taking effect from 1 September 2026.
	p, _ := s.Get("invalidite/age_legal_retraite_mois")
	for _, c := range []struct {
		effet medconseil.Date
		want  int64
	}{{d(2026, 8, 31), 756}, {d(2026, 9, 1), 753}} {
		per, _ := p.At(c.effet)
		if m, _ := per.Value.Lookup(d(1964, 6, 1)); m.Int() != c.want {
			t.Errorf("born in 1964, pension from %s: %d months, want %d", c.effet, m.Int(), c.want)
		}
	}
}

// TestArticleLinks: references to articles of the CSS and the code du travail link to
// the article version, never to the root of the code.
func TestArticleLinks(t *testing.T) {
	s, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range s.Names() {
		p, _ := s.Get(n)
		for _, per := range p.Periods {
			for _, r := range per.References {
				if r.Href == "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006073189" || r.Href == "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072050" {
					t.Errorf("%s (%s): %q links to the root of its code", n, per.Start, r.Title)
				}
			}
		}
	}
	if h := rules.ArticleHref("Article R441-16 du code de la sécurité sociale", ""); h != "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038423372" {
		t.Errorf("R441-16 → %s", h)
	}
	if h := rules.ArticleHref("Article L3231-2 du code du travail", "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072050"); h == "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072050" {
		t.Errorf("L3231-2 not linked to its article")
	}
}
