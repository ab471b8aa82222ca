package rules_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"medconseil"
	"medconseil/internal/rules"
)

func day(s string) medconseil.Date {
	d, err := medconseil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAt(t *testing.T) {
	set, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		param, date, want string
		ok                bool
	}{
		{"ij/plafond_smic_multiple", "2011-12-31", "", false},
		{"ij/plafond_smic_multiple", "2012-01-01", "1.8", true},
		{"ij/plafond_smic_multiple", "2025-03-31", "1.8", true},
		{"ij/plafond_smic_multiple", "2025-04-01", "1.4", true},
		{"ij/heures_6_mois", "2015-01-31", "200", true},
		{"ij/heures_6_mois", "2015-02-01", "150", true},
		{"atmp/ancien_delai_at_jours", "2019-11-30", "30", true},
		{"atmp/ancien_delai_at_jours", "2019-12-01", "null", false},
		{"atmp/seuil_crrmp_hors_tableau", "2002-04-20", "2/3", true},
		{"atmp/seuil_crrmp_hors_tableau", "2002-04-21", "0.25", true},
		{"ald/liste_ouverte", "2011-06-27", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]", true},
		{"smic/horaire_brut", "2024-11-01", "11.88", true},
	}
	for _, tt := range tests {
		p, ok := set.Get(tt.param)
		if !ok {
			t.Fatalf("parameter %s missing", tt.param)
		}
		per, ok := p.At(day(tt.date))
		got := ""
		if per != nil {
			got = per.Value.String()
		}
		if ok != tt.ok || (tt.want != "" && got != tt.want) {
			t.Errorf("%s.At(%s) = %s, %v; want %s, %v", tt.param, tt.date, got, ok, tt.want, tt.ok)
		}
		if per != nil && len(per.References) == 0 {
			t.Errorf("%s.At(%s) has no reference", tt.param, tt.date)
		}
	}
}

const goodParam = `description: Jours de carence
unit: jour
values:
  2011-01-01:
    value: 3
    reference:
      - title: Article R323-1 du code de la sécurité sociale
        href: https://www.legifrance.gouv.fr/
last_reviewed: 2026-01-01
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown top key", goodParam + "auteur: moi\n", []string{"parametres/x/p.yaml", "auteur", "clé inconnue"}},
		{"unknown value key", strings.Replace(goodParam, "    value: 3\n", "    value: 3\n    source: moi\n", 1), []string{"values.2011-01-01.source", "clé inconnue"}},
		{"no reference", strings.Replace(goodParam, `    reference:
      - title: Article R323-1 du code de la sécurité sociale
        href: https://www.legifrance.gouv.fr/
`, "", 1), []string{"parametres/x/p.yaml", "values.2011-01-01.reference", "sans référence"}},
		{"bad date", strings.Replace(goodParam, "2011-01-01:", "2011-02-30:", 1), []string{"values.2011-02-30", "impossible"}},
		{"duplicate date", strings.Replace(goodParam, "last_reviewed", `  2011-01-01:
    value: 4
    reference:
      - title: t
        href: https://x/
last_reviewed`, 1), []string{"2011-01-01", "double"}},
		{"unknown unit", strings.Replace(goodParam, "unit: jour", "unit: lieue", 1), []string{"unit", "lieue", "inconnue"}},
		{"float-like garbage", strings.Replace(goodParam, "value: 3", "value: 1e3", 1), []string{"illisible"}},
		{"no href", strings.Replace(goodParam, "        href: https://www.legifrance.gouv.fr/\n", "", 1), []string{"https://"}},
		{"bool on number unit", strings.Replace(goodParam, "value: 3", "value: true", 1), []string{"illisible"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.ParseParameter("x/p", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("ParseParameter accepted:\n%s", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := rules.ParseParameter("x/p", []byte(goodParam)); err != nil {
		t.Errorf("good parameter rejected: %v", err)
	}
}

func TestLoadNamesEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a/ok.yaml":  {Data: []byte(goodParam)},
		"a/bad.yaml": {Data: []byte(goodParam + "x: 1\n")},
		"b/bad.yaml": {Data: []byte(strings.Replace(goodParam, "unit: jour", "unit: furlong", 1))},
	}
	_, err := rules.Load(fsys)
	if err == nil {
		t.Fatal("Load accepted bad files")
	}
	for _, w := range []string{"parametres/a/bad.yaml", "parametres/b/bad.yaml"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
}

func TestRepealedIsNull(t *testing.T) {
	y := goodParam[:strings.Index(goodParam, "last_reviewed")] + `  2020-01-01:
    value: null
    reference:
      - title: Abrogation
        href: https://www.legifrance.gouv.fr/
last_reviewed: 2026-01-01
`
	p, err := rules.ParseParameter("x/p", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.At(day("2019-12-31")); !ok {
		t.Error("At(2019-12-31) = repealed, want 3")
	}
	if per, ok := p.At(day("2020-01-01")); ok || per == nil || per.References[0].Title != "Abrogation" {
		t.Errorf("At(2020-01-01) = %v, %v; want the repealing period, not in force", per, ok)
	}
}

func FuzzParseParameter(f *testing.F) {
	f.Add([]byte(goodParam))
	f.Add([]byte("description: x\nunit: mois\nvalues:\n  2020-01-01:\n    value: [1, 2]\n    reference: [{title: t, href: https://x}]\nlast_reviewed: 2026-01-01\n"))
	f.Add([]byte("description: x\nunit: mois\nvalues:\n  2020-01-01:\n    value:\n      - from: 1950-01-01\n        value: 720\n    reference: [{title: t, href: https://x}]\nlast_reviewed: 2026-01-01\n"))
	f.Add([]byte("values: {2020-01-01: {value: 2/3}}"))
	f.Add([]byte("- - -"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := rules.ParseParameter("fuzz/p", b)
		if err != nil {
			return
		}
		// An accepted parameter is well formed: increasing dates, references everywhere.
		for i, per := range p.Periods {
			if len(per.References) == 0 {
				t.Fatalf("period %d without reference", i)
			}
			if i > 0 && !p.Periods[i-1].Start.Before(per.Start) {
				t.Fatalf("periods not increasing")
			}
			_ = per.Value.String()
		}
	})
}
