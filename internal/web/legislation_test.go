package web_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func TestLegislationAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		tok := e.token("praticien.57")

		res, body := e.do("GET", "/api/v1/parameters/ij/plafond_smic_multiple?date=2025-04-01", tok, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("parameter: %d %s", res.StatusCode, body)
		}
		var p rules.ParameterView
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if p.Current == nil || p.Current.Value != "1.4" || !strings.Contains(p.Current.References[1].Title, "2025-160") || len(p.Values) != 2 {
			t.Errorf("parameter view = %+v", p)
		}
		res, body = e.do("GET", "/api/v1/parameters?date=2025-03-31", tok, nil, nil)
		if res.StatusCode != 200 || !strings.Contains(body, `"ij/plafond_smic_multiple"`) {
			t.Errorf("parameters: %d", res.StatusCode)
		}
		res, body = e.do("GET", "/api/v1/parameters?date=2025-02-30", tok, nil, nil)
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"date"`) {
			t.Errorf("bad date: %d %s", res.StatusCode, body)
		}
		if res, _ := e.do("GET", "/api/v1/parameters", "", nil, nil); res.StatusCode != 401 {
			t.Errorf("without token: %d", res.StatusCode)
		}

		// Same decision as the engine (and so as "medconseil rules eval").
		eng, err := rules.NewEmbedded()
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range eng.RuleSets() {
			in, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules", rs.Name+".example.json"))
			if err != nil {
				t.Fatal(err)
			}
			res, body := e.do("POST", "/api/v1/rules/"+rs.Name+"/evaluate", tok, string(in), nil)
			x, err := eng.Evaluate(rs.Name, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			_ = rules.EncodeJSON(&want, x)
			if res.StatusCode != 200 || body != want.String() {
				t.Errorf("%s: API %d differs from the engine:\n%s\nwant:\n%s", rs.Name, res.StatusCode, body, want.String())
			}
		}
		res, body = e.do("POST", "/api/v1/rules/ij/evaluate", tok, `{"arret":{"debut":"2025-04-01","fin":"2025-04-30","couleur":1}}`, nil)
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"arret.couleur"`) {
			t.Errorf("unknown field: %d %s", res.StatusCode, body)
		}
		res, _ = e.do("POST", "/api/v1/rules/inconnu/evaluate", tok, `{}`, nil)
		if res.StatusCode != 404 {
			t.Errorf("unknown rule set: %d", res.StatusCode)
		}
	})
}

func TestLegislationPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		b := e.browser("praticien.57")
		page := b.get("/legislation?date=2025-04-01")
		if !strings.Contains(page, "Direction régionale du service médical et échelons locaux <small>(en vigueur le 01/04/2025)") {
			t.Error("the organisation in force on 1 April 2025 is not the former one")
		}
		if p := b.get("/legislation?date=2025-10-01"); !strings.Contains(p, "Service médical de chaque CPAM <small>(en vigueur le 01/10/2025)") {
			t.Error("the organisation in force on 1 October 2025 is not the service médical of each CPAM")
		}
		for _, want := range []string{"ij/plafond_smic_multiple", "Décret n° 2025-160", "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000051226486", "à vérifier",
			`<h2 id="a-verifier">Valeurs à vérifier (`, "12,31 €", "confirmer au JO du 24 mai 2026", "50 %",
			"Service médical de la CPAM du Bas-Rhin", "Décret n° 2025-599 du 30 juin 2025", "Échelon local du service médical du Bas-Rhin"} {
			if !strings.Contains(page, want) {
				t.Errorf("Législation page lacks %q", want)
			}
		}
		for _, jeu := range []string{"ald", "atmp", "invalidite", "kine", "lpp", "mtdents", "ordonnance", "transport"} {
			if f := b.get("/legislation/decision?jeu=" + jeu); !strings.Contains(f, "<fieldset>") || !strings.Contains(f, `<label for="f-`) {
				t.Errorf("%s: no generated form", jeu)
			}
		}
		form := b.get("/legislation/decision?jeu=ij")
		for _, want := range []string{`<label for="f-arret-debut">Premier jour d&#39;arrêt</label>`, `id="f-arret-debut" name="arret.debut" value="2025-04-01" type="date"`,
			`<legend>Assuré</legend>`, `name="assure.paies.2" value="3000,00"`, "Saisie JSON (avancé"} {
			if !strings.Contains(form, want) {
				t.Errorf("decision form lacks %q", want)
			}
		}
		// The generated French form decides like the JSON.
		res, body := b.post("/legislation/decision", url.Values{"csrf": {b.csrf}, "jeu": {"ij"}, "arret.debut": {"2025-04-01"}, "arret.fin": {"2025-04-30"},
			"assure.heures_3_mois": {"450"}, "assure.paies.0": {"5000,00"}, "assure.paies.1": {"5000,00"}, "assure.paies.2": {"5000,00"}})
		if res.StatusCode != 200 {
			t.Fatalf("form decision: %d", res.StatusCode)
		}
		for _, want := range []string{"IJ_PLAFOND_APPLIQUE", "41,47", "ij/plafond_smic_multiple", "Décret n° 2025-160", "50 %"} {
			if !strings.Contains(body, want) {
				t.Errorf("form decision page lacks %q", want)
			}
		}
		// An error is named beside its field and in the summary, the typed value kept.
		res, body = b.post("/legislation/decision", url.Values{"csrf": {b.csrf}, "jeu": {"ij"}, "arret.debut": {"2025-04-31"}, "arret.fin": {"2025-04-30"},
			"assure.heures_3_mois": {"beaucoup"}})
		if res.StatusCode != 422 {
			t.Fatalf("invalid form: %d", res.StatusCode)
		}
		for _, want := range []string{`href="#f-assure-heures_3_mois">Heures travaillées sur 3 mois</a>`, `aria-describedby="err-f-assure-heures_3_mois" aria-invalid="true"`, `<p class="erreur-champ" id="err-f-assure-heures_3_mois">`, `value="beaucoup"`} {
			if !strings.Contains(body, want) {
				t.Errorf("invalid form page lacks %q", want)
			}
		}
		in := `{"arret":{"debut":"2025-04-01","fin":"2025-04-30"},"assure":{"heures_3_mois":450,"salaires_3_derniers_mois":"15000,00"}}`
		res, body = b.post("/legislation/decision", url.Values{"csrf": {b.csrf}, "jeu": {"ij"}, "entree": {in}})
		if res.StatusCode != 200 {
			t.Fatalf("decision: %d", res.StatusCode)
		}
		for _, want := range []string{"IJ_PLAFOND_APPLIQUE", "41,47", "ij/plafond_smic_multiple", "Décret n° 2025-160"} {
			if !strings.Contains(body, want) {
				t.Errorf("decision page lacks %q", want)
			}
		}
		res, body = b.post("/legislation/decision", url.Values{"csrf": {b.csrf}, "jeu": {"ij"}, "entree": {`{"arret":{}}`}})
		if res.StatusCode != 422 || !strings.Contains(body, "arret.debut") {
			t.Errorf("invalid input: %d", res.StatusCode)
		}
	})
}
