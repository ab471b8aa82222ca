package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// refDir finds the shared reference directory: MEDCONSEIL_REFERENCE, or
// ../shared/reference beside the checkout (the tests run in internal/web).
func refDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("MEDCONSEIL_REFERENCE")
	if d == "" {
		d = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if st, err := os.Stat(filepath.Join(d, "snds")); err != nil || !st.IsDir() {
		t.Skipf("reference directory %s not found (set MEDCONSEIL_REFERENCE to the shared reference files)", d)
	}
	return d
}

// refClock is the injected clock of the référentiels tests: after the VPH reform
// of 1 December 2025, so that the accord préalable of titre IV is the new rule.
var refClock = time.Date(2026, 5, 15, 8, 30, 0, 0, time.UTC)

// importAll imports every file of the reference directory into db and returns
// what the import did, by source name.
func importAll(t *testing.T, db *sqldb.DB) map[string]sqldb.ImportResult {
	t.Helper()
	files, _, err := reference.ReadDir(refDir(t))
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	res, err := db.ImportReferentiels(context.Background(), files)
	if err != nil {
		t.Fatalf("ImportReferentiels: %v", err)
	}
	out := map[string]sqldb.ImportResult{}
	for _, r := range res {
		out[r.Source] = r
	}
	return out
}

type refAPIHit struct {
	Code           string  `json:"code"`
	Libelle        string  `json:"libelle"`
	Detail         string  `json:"detail"`
	Type           string  `json:"type"`
	Correspondance string  `json:"correspondance"`
	Score          float32 `json:"score"`
}

type refAPIResult struct {
	Referentiel string `json:"referentiel"`
	Q           string `json:"q"`
	Version     *struct {
		ID      int64  `json:"id"`
		Fichier string `json:"fichier"`
		SHA256  string `json:"sha256"`
		Importe string `json:"importe_le"`
	} `json:"version"`
	Resultats []refAPIHit `json:"resultats"`
}

// refSearch calls the search API and decodes a successful answer strictly.
func refSearch(t *testing.T, e *env, tok, name, q string, limit int) refAPIResult {
	t.Helper()
	path := "/api/v1/referentiels/" + name + "?q=" + url.QueryEscape(q)
	if limit > 0 {
		path += "&limit=" + strconv.Itoa(limit)
	}
	res, body := e.do("GET", path, tok, nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
	}
	var out refAPIResult
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	// Every key of the documented shape is present, "resultats" as an array.
	var keys map[string]json.RawMessage
	json.Unmarshal([]byte(body), &keys)
	for _, k := range []string{"referentiel", "q", "version", "resultats"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("GET %s: no %q key in %s", path, k, body)
		}
	}
	if !strings.HasPrefix(string(keys["resultats"]), "[") {
		t.Errorf("GET %s: resultats = %s, want an array", path, keys["resultats"])
	}
	return out
}

type apiErr struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Field   *string `json:"field"`
}

var (
	ficheRowRe = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th><td>([^<]*)(?:<br><small>Source : ([^<]*)</small>)?</td></tr>`)
	hitRowRe   = regexp.MustCompile(`<tr><td><a href="([^"]*)">([^<]*)</a></td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`)
	sectionRe  = regexp.MustCompile(`(?s)<section>\s*<h2>([^<]*)</h2>(.*?)</section>`)
	alertRe    = regexp.MustCompile(`<div class="alerte erreur" role="status">([^<]*)</div>`)
	liRe       = regexp.MustCompile(`<li><a href="(/referentiels/finess/[0-9AB]+)">([^<]*)</a> ([^<]*)</li>`)
)

// ficheRows reads the label → values of a fiche page ("Source : …" appended).
func ficheRows(page string) map[string][]string {
	out := map[string][]string{}
	for _, m := range ficheRowRe.FindAllStringSubmatch(page, -1) {
		v := html.UnescapeString(m[2])
		if m[3] != "" {
			v += " [" + html.UnescapeString(m[3]) + "]"
		}
		out[html.UnescapeString(m[1])] = append(out[html.UnescapeString(m[1])], v)
	}
	return out
}

type pageHit struct{ href, code, label, detail, match string }

// resultGroups reads the result tables of the Base documentaire page, by title.
func resultGroups(page string) (titles []string, groups map[string][]pageHit) {
	groups = map[string][]pageHit{}
	for _, s := range sectionRe.FindAllStringSubmatch(page, -1) {
		title := html.UnescapeString(s[1])
		titles = append(titles, title)
		for _, m := range hitRowRe.FindAllStringSubmatch(s[2], -1) {
			u := func(i int) string { return html.UnescapeString(m[i]) }
			groups[title] = append(groups[title], pageHit{u(1), u(2), u(3), u(4), u(5)})
		}
	}
	return titles, groups
}

func hasPrefixAny(vs []string, prefix string) bool {
	for _, v := range vs {
		if strings.HasPrefix(v, prefix) {
			return true
		}
	}
	return false
}

// TestReferentielSearchAPIAndPages imports the real référentiels once and checks
// the examples of issue 3 through the API and the Base documentaire pages.
func TestReferentielSearchAPIAndPages(t *testing.T) {
	refDir(t) // skip before any work without the files
	db := sqldbtest.SQLite(t)
	db.Now = func() time.Time { return refClock }
	e := start(t, db)
	imported := importAll(t, db)
	tok := e.token("praticien.67")

	t.Run("exemples", func(t *testing.T) {
		all := func(f func(refAPIHit) bool) func([]refAPIHit) bool {
			return func(hs []refAPIHit) bool {
				for _, h := range hs {
					if !f(h) {
						return false
					}
				}
				return true
			}
		}
		among := func(code string) func([]refAPIHit) bool {
			return func(hs []refAPIHit) bool {
				for _, h := range hs {
					if h.Code == code {
						return true
					}
				}
				return false
			}
		}
		first := func(code, match string) func([]refAPIHit) bool {
			return func(hs []refAPIHit) bool { return hs[0].Code == code && hs[0].Correspondance == match }
		}
		tests := []struct {
			ref, q string
			top    int    // the ranks the condition applies to
			source string // the source file whose version is reported
			want   func([]refAPIHit) bool
			what   string
		}{
			{"cim10", "lombalgie", 1, "IR_CIM_V", first("M54.5", "libellé"), "M54.5 (libellé) en premier"},
			{"cim10", "lombosciatique", 3, "IR_CIM_V", among("M54.4"), "M54.4 parmi les 3 premiers"},
			{"cim10", "sciatique lombaire", 3, "IR_CIM_V", among("M54.4"), "M54.4 parmi les 3 premiers"},
			{"cim10", "M545", 1, "IR_CIM_V", first("M54.5", "code exact"), "M54.5 (code exact) en premier"},
			{"cim10", "M54.5", 1, "IR_CIM_V", first("M54.5", "code exact"), "M54.5 (code exact) en premier"},
			{"lpp", "coussin positionnement", 5, "NT_LPP", all(func(h refAPIHit) bool {
				return strings.Contains(h.Libelle, "COUSSIN") && strings.Contains(h.Libelle, "POSITIONNEMENT")
			}), "coussins de positionnement"},
			{"lpp", "chaussure avant pied", 5, "NT_LPP", all(func(h refAPIHit) bool {
				return strings.HasPrefix(h.Libelle, "CHUT") && h.Detail == "Titre II, chapitre 1, section 8, sous-section 1"
			}), "lignes CHUT"},
			{"lpp", "CHUT", 10, "NT_LPP", all(func(h refAPIHit) bool { return strings.HasPrefix(h.Libelle, "CHUT") }), "lignes CHUT"},
			{"lpp", "2166740", 1, "NT_LPP", func(hs []refAPIHit) bool {
				return hs[0].Code == "2166740" && hs[0].Correspondance == "code exact" && strings.HasPrefix(hs[0].Libelle, "CHUT POUR AUGMENTATION DU VOLUME")
			}, "2166740 (code exact)"},
			{"communes", "strasbourg", 1, "communes-centroides", func(hs []refAPIHit) bool { return hs[0].Code == "67482" && hs[0].Libelle == "Strasbourg" }, "67482 Strasbourg en premier"},
			{"finess", "CHU Nancy", 1, "finess-grand-est", func(hs []refAPIHit) bool { return strings.HasPrefix(hs[0].Libelle, "CHRU NANCY") }, "un établissement du CHRU de Nancy en premier"},
			{"ald", "alzheimer", 1, "IR_ALD_V", func(hs []refAPIHit) bool { return hs[0].Code == "15" }, "ALD 15 en premier"},
		}
		for _, tt := range tests {
			got := refSearch(t, e, tok, tt.ref, tt.q, 0)
			if got.Referentiel != tt.ref || got.Q != tt.q {
				t.Errorf("%s %q: referentiel %q, q %q", tt.ref, tt.q, got.Referentiel, got.Q)
			}
			imp := imported[tt.source]
			if v := got.Version; v == nil || v.ID != imp.ID || v.Fichier != imp.File || v.SHA256 != imp.SHA256 || v.Importe != "2026-05-15T08:30:00Z" {
				t.Errorf("%s %q: version %+v, want id %d, %s, sha256 %s, importe_le 2026-05-15T08:30:00Z", tt.ref, tt.q, v, imp.ID, imp.File, imp.SHA256)
			}
			if len(got.Resultats) < tt.top {
				t.Errorf("%s %q: %d results, want at least %d", tt.ref, tt.q, len(got.Resultats), tt.top)
				continue
			}
			if top := got.Resultats[:tt.top]; !tt.want(top) {
				t.Errorf("%s %q: first %d = %+v, want %s", tt.ref, tt.q, tt.top, top, tt.what)
			}
		}
	})

	t.Run("limite et ordre", func(t *testing.T) {
		got := refSearch(t, e, tok, "lpp", "CHUT", 2)
		if len(got.Resultats) != 2 {
			t.Errorf("lpp CHUT limit=2: %d results, want 2", len(got.Resultats))
		}
		if got := refSearch(t, e, tok, "cim10", "tumeur", 0); len(got.Resultats) != 20 {
			t.Errorf("cim10 tumeur without limit: %d results, want the default 20", len(got.Resultats))
		}
		// Ranking: exact code, then code prefix, then label words, then partial.
		rank := map[string]int{"code exact": 3, "début de code": 2, "libellé": 1, "partiel": 0}
		got = refSearch(t, e, tok, "cim10", "M54", 50)
		for i := 1; i < len(got.Resultats); i++ {
			if rank[got.Resultats[i].Correspondance] > rank[got.Resultats[i-1].Correspondance] {
				t.Errorf("cim10 M54: result %d (%s) ranked after a %s", i+1, got.Resultats[i].Correspondance, got.Resultats[i-1].Correspondance)
			}
		}
		if got.Resultats[0].Code != "M54" || got.Resultats[1].Correspondance != "début de code" {
			t.Errorf("cim10 M54: first %+v, second %+v; want M54 (code exact) then code prefixes", got.Resultats[0], got.Resultats[1])
		}
		if got := refSearch(t, e, tok, "cim10", "zzqxw", 0); len(got.Resultats) != 0 {
			t.Errorf("cim10 zzqxw: %+v, want no result", got.Resultats)
		}
	})

	t.Run("erreurs", func(t *testing.T) {
		tests := []struct {
			name, path, token string
			status            int
			code, field       string // field "-" means absent
			words             []string
		}{
			{"limit=0", "/api/v1/referentiels/cim10?q=lombalgie&limit=0", tok, 422, "invalid", "limit", []string{"nombre entre 1 et 200"}},
			{"limit=abc", "/api/v1/referentiels/cim10?q=lombalgie&limit=abc", tok, 422, "invalid", "limit", []string{"nombre entre 1 et 200"}},
			{"limit=201", "/api/v1/referentiels/lpp?q=CHUT&limit=201", tok, 422, "invalid", "limit", []string{"nombre entre 1 et 200"}},
			{"q trop longue", "/api/v1/referentiels/lpp?q=" + strings.Repeat("é", 201), tok, 422, "invalid", "q", []string{"trop longue", "200 caractères"}},
			{"référentiel inconnu", "/api/v1/referentiels/cim11?q=lombalgie", tok, 404, "not_found", "-", []string{"référentiel « cim11 » inconnu", "cim10, lpp, ald"}},
			{"sans jeton", "/api/v1/referentiels/cim10?q=lombalgie", "", 401, "unauthenticated", "-", []string{"authentification requise"}},
			{"jeton faux", "/api/v1/referentiels/cim10?q=lombalgie", "pas-un-jeton", 401, "unauthenticated", "-", nil},
		}
		for _, tt := range tests {
			res, body := e.do("GET", tt.path, tt.token, nil, nil)
			var got apiErr
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Errorf("%s: %d, body not JSON: %s", tt.name, res.StatusCode, body)
				continue
			}
			field := "-"
			if got.Field != nil {
				field = *got.Field
			}
			if res.StatusCode != tt.status || got.Code != tt.code || field != tt.field {
				t.Errorf("%s: %d code=%q field=%q; want %d %q field %q (%s)", tt.name, res.StatusCode, got.Code, field, tt.status, tt.code, tt.field, body)
			}
			for _, w := range tt.words {
				if !strings.Contains(got.Message, w) {
					t.Errorf("%s: message %q lacks %q", tt.name, got.Message, w)
				}
			}
			if strings.Contains(body, "resultats") {
				t.Errorf("%s: error body carries results: %s", tt.name, body)
			}
		}
	})

	b := e.browser("praticien.67")

	t.Run("page de recherche", func(t *testing.T) {
		status, page := b.getStatus("/referentiels?q=lombalgie")
		if status != 200 {
			t.Fatalf("/referentiels?q=lombalgie: %d", status)
		}
		if strings.Contains(page, "Référentiels indisponibles") {
			t.Errorf("full import, yet the page says référentiels are missing: %s", alertRe.FindString(page))
		}
		titles, groups := resultGroups(page)
		if len(titles) == 0 || titles[0] != "CIM-10" {
			t.Fatalf("groups %v, want CIM-10 first", titles)
		}
		cim := groups["CIM-10"]
		if len(cim) == 0 || len(cim) > 5 || cim[0].code != "M54.5" || cim[0].label != "Lombalgie basse" || cim[0].href != "/referentiels/cim10/M54.5" || cim[0].match != "libellé" {
			t.Errorf("CIM-10 group %+v, want at most 5 hits, M54.5 Lombalgie basse first, linked to its fiche", cim)
		}
		if !strings.Contains(page, `href="/referentiels?q=lombalgie&amp;ref=cim10"`) {
			t.Errorf("no link to every CIM-10 result")
		}

		// A filter keeps one référentiel and shows more of it.
		page = b.get("/referentiels?q=" + url.QueryEscape("coussin positionnement") + "&ref=lpp")
		titles, groups = resultGroups(page)
		if len(titles) != 1 || titles[0] != "LPP" {
			t.Fatalf("filtered on lpp: groups %v, want LPP only", titles)
		}
		if n := len(groups["LPP"]); n <= 5 {
			t.Errorf("filtered on lpp: %d hits, want more than the 5 of the unfiltered page", n)
		}
		for _, h := range groups["LPP"][:5] {
			if !strings.Contains(h.label, "COUSSIN") || !strings.Contains(h.label, "POSITIONNEMENT") {
				t.Errorf("coussin positionnement: hit %+v is not a positioning cushion", h)
			}
		}
		if !strings.Contains(page, `<option value="lpp" selected>LPP</option>`) || !strings.Contains(page, `value="coussin positionnement"`) {
			t.Errorf("the form does not keep the query and the filter")
		}

		for _, q := range []string{"chaussure avant pied", "CHUT"} {
			_, groups = resultGroups(b.get("/referentiels?ref=lpp&q=" + url.QueryEscape(q)))
			if len(groups["LPP"]) < 5 {
				t.Errorf("page %q: LPP hits %+v, want CHUT lines", q, groups["LPP"])
				continue
			}
			for _, h := range groups["LPP"][:5] {
				if !strings.HasPrefix(h.label, "CHUT") {
					t.Errorf("page %q: hit %+v is not a CHUT line", q, h)
				}
			}
		}

		_, groups = resultGroups(b.get("/referentiels?q=strasbourg"))
		if c := groups["Communes"]; len(c) == 0 || c[0].code != "67482" || c[0].href != "/referentiels/communes/67482" {
			t.Errorf("strasbourg: communes %+v, want 67482 first", c)
		}
		if f := groups["Établissements (FINESS)"]; len(f) == 0 {
			t.Errorf("strasbourg: no establishment found")
		}
		_, groups = resultGroups(b.get("/referentiels?q=" + url.QueryEscape("CHU Nancy")))
		if f := groups["Établissements (FINESS)"]; len(f) == 0 || !strings.HasPrefix(f[0].label, "CHRU NANCY") {
			t.Errorf("CHU Nancy: FINESS %+v, want a CHRU de Nancy establishment first", f)
		}

		page = b.get("/referentiels?q=zzqxw")
		if !strings.Contains(page, "Aucun résultat pour « zzqxw ».") {
			t.Errorf("a search without result does not say so")
		}
		if status, _ := b.getStatus("/referentiels?q=" + strings.Repeat("x", 201)); status != 422 {
			t.Errorf("page with a 201-character query: %d, want 422", status)
		}
	})

	t.Run("fiche LPP", func(t *testing.T) {
		status, page := b.getStatus("/referentiels/lpp/2166740")
		if status != 200 {
			t.Fatalf("fiche 2166740: %d", status)
		}
		if !strings.Contains(page, "<h2>CHUT POUR AUGMENTATION DU VOLUME DE L&#39;AVANT-PIED, L&#39;UNITE (201H01.3)</h2>") {
			t.Errorf("fiche 2166740 lacks its label")
		}
		rows := ficheRows(page)
		for label, want := range map[string]string{
			"Position":         "Titre II, chapitre 1, section 8, sous-section 1",
			"Niveau 2":         "Titre II — Orthèses et prothèses externes",
			"Niveau 2.1":       "Orthèses (ex-petit appareillage)",
			"Niveau 2.1.8":     "Section H — Chaussures thérapeutiques de série [Arrêté du 24 juillet 2018",
			"Niveau 2.1.8.1":   "Chaussures thérapeutiques de série à usage temporaire (CHUT)",
			"Accord préalable": "Non (aucune règle d'accord préalable connue pour cette partie de la LPP)",
			"Indications : CHUT à décharge du talon":                         "Pathologies ou lésions d'origine post-chirurgicale, traumatique ou médicale nécessitant une décharge du talon",
			"Indications : CHUT pour augmentation du volume de l'avant-pied": "Inflammation ou œdème de l'avant-pied",
		} {
			if !hasPrefixAny(rows[label], want) {
				t.Errorf("fiche 2166740: %q = %q, want %q…", label, rows[label], want)
			}
		}
		if n := len(rows["Accord préalable"]); n != 1 {
			t.Errorf("fiche 2166740: %d accord préalable lines, want 1", n)
		}
		if !strings.Contains(page, "<h2>Historique des tarifs</h2>") || !strings.Contains(page, "<tr><td>01/08/2009</td><td>30,49 €</td><td>0,00 €</td></tr>") {
			t.Errorf("fiche 2166740 lacks the tariff history (30,49 € from 01/08/2009)")
		}
		if !strings.Contains(page, "Version : snds/NT_LPP.csv — SHA-256 "+imported["NT_LPP"].SHA256[:12]+"… — version ") ||
			!strings.Contains(page, "importée le 15/05/2026") {
			t.Errorf("fiche 2166740 does not name the version in force")
		}

		// Grand appareillage needs the accord préalable; titre IV no longer does
		// since the VPH reform (the clock is in May 2026).
		for code, want := range map[string]string{
			"2700010": "Oui — Grand appareillage : orthoprothèses.",
			"4101353": "Non — Réforme des VPH",
		} {
			rows := ficheRows(b.get("/referentiels/lpp/" + code))
			if ap := rows["Accord préalable"]; len(ap) != 1 || !strings.HasPrefix(ap[0], want) {
				t.Errorf("fiche %s: accord préalable %q, want %q…", code, ap, want)
			}
		}

		_, groups := resultGroups(b.get("/referentiels?ref=lpp&q=" + url.QueryEscape("coussin positionnement")))
		if len(groups["LPP"]) == 0 {
			t.Fatal("no positioning cushion")
		}
		rows = ficheRows(b.get(groups["LPP"][0].href))
		if p := rows["Niveau 1.2.2.3"]; len(p) != 1 || !strings.HasPrefix(p[0], "Coussins de série de positionnement des hanches et des genoux") {
			t.Errorf("fiche of %s: chapter %q, want the positioning cushions", groups["LPP"][0].code, p)
		}
		if !hasPrefixAny(rows["Indications : Coussins de série de positionnement des hanches et des genoux"], "Patients polyhandicapés, en position allongée") {
			t.Errorf("fiche of %s lacks the indications of the cushions: %v", groups["LPP"][0].code, rows)
		}
	})

	t.Run("fiche CIM-10", func(t *testing.T) {
		tests := []struct {
			path  string
			label string
			rows  map[string]string
		}{
			{"/referentiels/cim10/E10.0", "Diabète sucré de type 1, avec coma", map[string]string{
				"Catégorie":           "E10 — ",
				"ALD":                 "n° 8 — Diabète de type 1 et diabète de type 2",
				"Statut":              "ouverte aux nouvelles admissions",
				"Durée d'exonération": "10 ans",
			}},
			{"/referentiels/cim10/I10", "Hypertension essentielle (primitive)", map[string]string{
				"ALD":    "n° 12 — Hypertension artérielle sévère",
				"Statut": "fermée aux nouvelles admissions depuis le ",
				"Note":   "Hypertension artérielle sévère : supprimée de la liste, plus d'admission nouvelle depuis le 27 juin 2011",
			}},
			{"/referentiels/cim10/M545", "Lombalgie basse", map[string]string{
				"Catégorie": "M54 — Dorsalgies",
				"ALD":       "Hors liste (ALD 31 ou 32 possibles",
			}},
		}
		for _, tt := range tests {
			status, page := b.getStatus(tt.path)
			if status != 200 {
				t.Errorf("%s: %d", tt.path, status)
				continue
			}
			if !strings.Contains(html.UnescapeString(page), "<h2>"+tt.label+"</h2>") {
				t.Errorf("%s lacks its label %q", tt.path, tt.label)
			}
			rows := ficheRows(page)
			for label, want := range tt.rows {
				if !hasPrefixAny(rows[label], want) {
					t.Errorf("%s: %q = %q, want %q…", tt.path, label, rows[label], want)
				}
			}
		}
		if rows := ficheRows(b.get("/referentiels/cim10/I10")); hasPrefixAny(rows["Statut"], "ouverte") {
			t.Errorf("ALD 12 shown as open: %q", rows["Statut"])
		}
	})

	t.Run("fiche commune", func(t *testing.T) {
		status, page := b.getStatus("/referentiels/communes/67482")
		if status != 200 {
			t.Fatalf("fiche 67482: %d", status)
		}
		rows := ficheRows(page)
		for label, want := range map[string]string{
			"Département":       "67 ",
			"Codes postaux":     "67000, 67100, 67200",
			"Population légale": "293771",
		} {
			if !hasPrefixAny(rows[label], want) {
				t.Errorf("fiche 67482: %q = %q, want %q", label, rows[label], want)
			}
		}
		if !strings.Contains(page, "<h2>Établissements FINESS de la commune</h2>") {
			t.Errorf("fiche 67482 lacks the establishments heading")
		}
		est := liRe.FindAllStringSubmatch(page, -1)
		found := false
		for _, m := range est {
			found = found || m[1] == "/referentiels/finess/670000025" && html.UnescapeString(m[3]) == "HOPITAL CIVIL / NOUVEL HOPITAL CIVIL — Centre Hospitalier Régional (C.H.R.)"
		}
		if len(est) < 100 || !found {
			t.Errorf("fiche 67482: %d establishments (Hôpital civil listed: %v), want the 400-odd of Strasbourg", len(est), found)
		}
		// An establishment's fiche lists the nearest of its category.
		status, page = b.getStatus("/referentiels/finess/540001138")
		if status != 200 || !strings.Contains(page, "<h2>CHRU NANCY - HOPITAL CENTRAL</h2>") || !strings.Contains(page, "<h2>Établissements de la même catégorie les plus proches</h2>") {
			t.Errorf("fiche FINESS 540001138: %d, want the CHRU de Nancy and its nearest C.H.R.", status)
		}
		if near := liRe.FindAllStringSubmatch(page, -1); len(near) == 0 || strings.Contains(near[0][1], "540001138") {
			t.Errorf("fiche FINESS 540001138: nearest %v, want others than itself", near)
		}
	})

	t.Run("fiche introuvable", func(t *testing.T) {
		for path, want := range map[string]string{
			"/referentiels/lpp/9999999":  "Code 9999999 introuvable.",
			"/referentiels/cim10/Z9999":  "Code Z9999 introuvable.",
			"/referentiels/cim11/M545":   "référentiel « cim11 » inconnu",
			"/referentiels/communes/000": "Code 000 introuvable.",
		} {
			status, page := b.getStatus(path)
			if status != 404 || !strings.Contains(html.UnescapeString(page), want) {
				t.Errorf("%s: %d, want 404 saying %q", path, status, want)
			}
		}
	})
}

// TestReferentielsMissing starts on a store where nothing was imported: the page
// and the API say which référentiels are missing, and an import made while the
// server runs is served without a restart.
func TestReferentielsMissing(t *testing.T) {
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	tok := e.token("praticien.67")
	b := e.browser("praticien.67")
	missing := func(page string) string {
		m := alertRe.FindStringSubmatch(page)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}

	// Every référentiel is named with the file it lacks.
	for _, path := range []string{"/referentiels", "/referentiels?q=lombalgie"} {
		status, page := b.getStatus(path)
		if status != 200 {
			t.Fatalf("%s without référentiels: %d, want 200", path, status)
		}
		alert := missing(page)
		if !strings.HasPrefix(alert, "Référentiels indisponibles (à importer avec « medconseil reference import ») : ") {
			t.Errorf("%s: alert %q, want the list of missing référentiels", path, alert)
		}
		for _, want := range []string{
			"CIM-10 (fichier snds/IR_CIM_V.csv absent)", "LPP (fichier snds/NT_LPP.csv absent)", "ALD (fichier snds/IR_ALD_V.csv absent)",
			"Natures de prestation (fichier snds/IR_NAT_V.csv absent)", "Spécialités et activités (fichier snds/IR_SPE_V.csv absent)",
			"Communes (fichier geo/communes/communes-centroides-2023.csv absent)", "Établissements (FINESS) (fichier geo/finess/finess_grand_est_2021.csv absent)",
			"Maladies professionnelles (fichier snds/AT_MLT_V.csv absent)",
		} {
			if !strings.Contains(alert, want) {
				t.Errorf("%s: alert %q does not name %q", path, alert, want)
			}
		}
	}
	if page := b.get("/referentiels?q=lombalgie"); !strings.Contains(page, "Aucun résultat pour « lombalgie ».") {
		t.Errorf("search without référentiels does not say it found nothing")
	}

	res, body := e.do("GET", "/api/v1/referentiels/cim10?q=lombalgie", tok, nil, nil)
	var got apiErr
	json.Unmarshal([]byte(body), &got)
	if res.StatusCode != 404 || got.Code != "not_found" || !strings.HasPrefix(got.Message, "référentiel CIM-10 non importé : ") ||
		!strings.Contains(got.Message, "CIM-10 (fichier snds/IR_CIM_V.csv absent)") {
		t.Errorf("API without référentiels: %d %s, want 404 naming the missing file", res.StatusCode, body)
	}
	if status, page := b.getStatus("/referentiels/lpp/2166740"); status != 404 || !strings.Contains(page, "Référentiel LPP introuvable.") {
		t.Errorf("fiche without référentiels: %d, want 404 saying the LPP is unavailable", status)
	}

	// Importing the ALD list alone, the running server serves it at once and no
	// longer lists it as missing; the others still are.
	src, _ := reference.SourceByName("IR_ALD_V")
	fh, err := os.Open(filepath.Join(refDir(t), filepath.FromSlash(src.Path)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := reference.Parse(src, fh)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportReferentiels(context.Background(), []*reference.File{f}); err != nil {
		t.Fatal(err)
	}
	ald := refSearch(t, e, tok, "ald", "alzheimer", 0)
	if len(ald.Resultats) == 0 || ald.Resultats[0].Code != "15" || ald.Version == nil || ald.Version.SHA256 != f.SHA256 {
		t.Errorf("ALD after its import: %+v, want ALD 15 first from the imported file", ald)
	}
	alert := missing(b.get("/referentiels?q=alzheimer"))
	if strings.Contains(alert, "ALD (fichier") || !strings.Contains(alert, "CIM-10 (fichier snds/IR_CIM_V.csv absent)") {
		t.Errorf("after importing the ALD list only: alert %q, want CIM-10 missing and ALD not", alert)
	}
	if res, _ := e.do("GET", "/api/v1/referentiels/lpp?q=CHUT", tok, nil, nil); res.StatusCode != 404 {
		t.Errorf("LPP still not imported: %d, want 404", res.StatusCode)
	}
}
