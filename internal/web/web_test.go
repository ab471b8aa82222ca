package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/web"
)

const password = "mot-de-passe-test"

// cheap argon2id parameters: the tests log in many times.
var cheap = auth.Params{Time: 1, Memory: 1024, Threads: 1}

type env struct {
	t   *testing.T
	db  *sqldb.DB
	srv *httptest.Server
	app *web.Server
	s   *web.Server
}

func start(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	return startWith(t, db, nil)
}

// startLogged starts the server with log as its technical log.
func startLogged(t *testing.T, db *sqldb.DB, log *slog.Logger) *env {
	t.Helper()
	return startFull(t, db, log, nil)
}

// startWith is start with a configuration changed by mod (when not nil).
func startWith(t *testing.T, db *sqldb.DB, mod func(*web.Config)) *env {
	t.Helper()
	return startFull(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)), mod)
}

func startFull(t *testing.T, db *sqldb.DB, log *slog.Logger, mod func(*web.Config)) *env {
	t.Helper()
	ctx := context.Background()
	if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, db, password, cheap); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.HashPassword(password, cheap)
	extra := []struct {
		login string
		h     medconseil.Habilitation
	}{
		{"autre.medecin", medconseil.Habilitation{Role: medconseil.RoleProfessionnel, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRPPS, Code: "10009999999"}}},
		{"employeur", medconseil.Habilitation{Role: medconseil.RoleEmployeur, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauSIRET, Code: "12345678900011"}}},
		{"agent.57", medconseil.Habilitation{Role: medconseil.RoleAgentAdministratif, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "57"}}},
		{"infirmier.57", medconseil.Habilitation{Role: medconseil.RoleInfirmier, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "57"}}},
	}
	for _, x := range extra {
		if _, err := db.CreateUser(ctx, nil, x.login, x.login, hash, []medconseil.Habilitation{x.h}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := web.DefaultConfig()
	cfg.PasswordParams = cheap
	if mod != nil {
		mod(&cfg)
	}
	s, err := web.New(db, log, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv, app: s, s: s}
}

// token logs in through the API.
func (e *env) token(login string) string {
	e.t.Helper()
	res, body := e.do("POST", "/api/v1/tokens", "", map[string]string{"login": login, "password": password}, nil)
	if res.StatusCode != 201 {
		e.t.Fatalf("token %s: %d %s", login, res.StatusCode, body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		e.t.Fatal(err)
	}
	return out.Token
}

func (e *env) do(method, path, token string, body any, hdr map[string]string) (*http.Response, string) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// browser is a cookie-holding client that logs in through the login form.
type browser struct {
	e    *env
	c    *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *env) browser(login string) *browser {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{e: e, c: &http.Client{Jar: jar}}
	page := b.get("/connexion")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("no csrf on login page")
	}
	res, body := b.post("/connexion", url.Values{"csrf": {m[1]}, "login": {login}, "password": {password}})
	if res.StatusCode != 200 || strings.Contains(body, "incorrect") {
		e.t.Fatalf("login %s: %d", login, res.StatusCode)
	}
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		b.csrf = m[1]
	}
	return b
}

func (b *browser) get(path string) string {
	b.e.t.Helper()
	_, body := b.getStatus(path)
	return body
}

func (b *browser) getStatus(path string) (int, string) {
	b.e.t.Helper()
	res, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRe.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return res.StatusCode, string(body)
}

func (b *browser) post(path string, v url.Values) (*http.Response, string) {
	b.e.t.Helper()
	res, err := b.c.PostForm(b.e.srv.URL+path, v)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// The markers of each field class, unique enough that finding one in a response
// proves the class was disclosed.
const (
	mNom          = "ZIDENTITENOM"
	mDebut        = "2026-03-17"
	mCIM          = "F321"
	mLibelle      = "ZCLINIQUE épisode dépressif"
	mMotif        = "ZCLINIQUE motif harcèlement"
	mNote         = "ZCLINIQUE note examen"
	mAvisMotif    = "ZCLINIQUE avis motif"
	mEffet        = "2026-03-20"
	nirMatrix     = "185056748212337"
	prescripteur  = demo.PrescripteurRPPS
	classIdentite = "identité"
	classAdmin    = "administratif"
	classClin     = "clinique"
	classDec      = "décision"
)

// expected is the specification of PRODUCT.md §1, written independently of the
// policy code: which classes of a Bas-Rhin sick-leave notice, prescribed by the demo
// GP, each account may see. Absent means "the dossier does not exist for it".
var expected = map[string][]string{
	"praticien.67":      {classIdentite, classAdmin, classClin, classDec},
	"infirmier.67":      {classIdentite, classAdmin, classClin, classDec},
	"chef.67":           {classIdentite, classAdmin, classClin, classDec},
	"regional":          {classIdentite, classAdmin, classClin, classDec},
	"prescripteur.demo": {classIdentite, classAdmin, classClin, classDec},
	"agent.67":          {classIdentite, classAdmin, classDec},
	"cpam.67":           {classIdentite, classAdmin, classDec},
	"praticien.57":      nil,
	"infirmier.57":      nil,
	"agent.57":          nil,
	"cpam.57":           nil,
	"autre.medecin":     nil,
	"employeur":         nil,
	"statisticien":      nil,
	"dpo":               nil,
	"admin":             nil,
}

var markers = map[string][]string{
	classIdentite: {mNom},
	classAdmin:    {mDebut},
	classClin:     {mCIM, mLibelle, mMotif, mNote, mAvisMotif},
	classDec:      {mEffet},
}

// shown reports whether a marker appears in a body, in any of the forms the routes
// write it: ISO dates also as JJ/MM/AAAA, CIM-10 codes also dotted.
func shown(body, m string) bool {
	forms := []string{m}
	if strings.HasPrefix(m, "2026-") {
		forms = append(forms, m[8:10]+"/"+m[5:7]+"/"+m[0:4])
	}
	if m == mCIM {
		forms = append(forms, "F32.1")
	}
	for _, f := range forms {
		if strings.Contains(body, f) {
			return true
		}
	}
	return false
}

func seedMatrixDossier(t *testing.T, e *env) int64 {
	t.Helper()
	pt := e.token("prescripteur.demo")
	res, body := e.do("POST", "/api/v1/arrets", pt, map[string]any{
		"nir": nirMatrix, "residence": "67482", "nom": mNom, "prescripteur": prescripteur, "nature": "initial",
		"debut": mDebut, "fin": "2026-04-30", "cim10": mCIM, "libelle": mLibelle, "motif": mMotif, "teleconsultation": false,
	}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	var out struct{ ID int64 }
	json.Unmarshal([]byte(body), &out)
	it := e.token("infirmier.67")
	if res, body := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/notes", out.ID), it, map[string]string{"texte": mNote, "destinataire": "prescripteur"}, nil); res.StatusCode != 204 {
		t.Fatalf("note: %d %s", res.StatusCode, body)
	}
	pc := e.token("praticien.67")
	if res, body := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/avis", out.ID), pc, map[string]any{"sens": "non_justifie", "effet_au": mEffet, "motif": mAvisMotif, "version": 2}, nil); res.StatusCode != 200 {
		t.Fatalf("avis: %d %s", res.StatusCode, body)
	}
	return out.ID
}

// TestSecretMatrix checks every account × every field class, inside and outside its
// territory, through every route that can show a dossier: JSON API, HTML pages,
// CSV export and error messages.
func TestSecretMatrix(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := seedMatrixDossier(t, e)
		for login, classes := range expected {
			t.Run(login, func(t *testing.T) {
				allowed := map[string]bool{}
				for _, c := range classes {
					allowed[c] = true
				}
				tok := e.token(login)
				b := e.browser(login)
				res, apiBody := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", id), tok, nil, nil)
				status, htmlBody := b.getStatus(fmt.Sprintf("/dossiers/%d", id))
				_, list := e.do("GET", "/api/v1/dossiers", tok, nil, nil)
				listHTML := b.get("/dossiers")
				csv := b.get("/dossiers.csv")
				// An error path: an avis attempt whose error must not echo clinical data.
				_, errBody := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/avis", id), tok, map[string]any{"sens": "justifie", "version": 1}, nil)
				routes := map[string]string{"api": apiBody, "html": htmlBody, "liste-api": list, "liste-html": listHTML, "csv": csv, "erreur": errBody}

				if len(classes) == 0 {
					if res.StatusCode != 404 || status != 404 {
						t.Errorf("dossier of another territory: API %d, HTML %d; want 404 both", res.StatusCode, status)
					}
				} else if res.StatusCode != 200 || status != 200 {
					t.Fatalf("API %d, HTML %d; want 200 (%s)", res.StatusCode, status, apiBody)
				}
				for class, ms := range markers {
					for _, m := range ms {
						for route, body := range routes {
							if shown(body, m) && !allowed[class] {
								t.Errorf("route %s discloses %s value %q", route, class, m)
							}
						}
						// Each allowed class must really be shown on the dossier routes.
						if allowed[class] && (!shown(apiBody, m) || !shown(htmlBody, m)) {
							t.Errorf("%s value %q not shown (api %v, html %v)", class, m, shown(apiBody, m), shown(htmlBody, m))
						}
					}
				}
			})
		}
	})
}

func countRows(t *testing.T, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBadInputWritesNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		tok := e.token("prescripteur.demo")
		good := func() map[string]any {
			return map[string]any{"nir": nirMatrix, "residence": "67482", "prescripteur": prescripteur, "nature": "initial", "initial_id": nil,
				"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "motif": "…", "teleconsultation": false}
		}
		with := func(k string, v any) map[string]any { m := good(); m[k] = v; return m }
		tests := []struct {
			name   string
			body   any
			status int
			field  string
			words  string
		}{
			{"clé NIR fausse", with("nir", "185056748212338"), 422, "nir", "clé"},
			{"fin avant début", with("fin", "2026-10-01"), 422, "fin", "précède"},
			{"champ inconnu", with("diagnostic_secret", "x"), 422, "diagnostic_secret", "inconnu"},
			{"prolongation de rien", func() map[string]any { m := good(); m["nature"] = "prolongation"; m["initial_id"] = 424242; return m }(), 422, "initial_id", "initial"},
			{"prolongation sans initial", with("nature", "prolongation"), 422, "initial_id", "initial"},
			{"CIM-10 mal formé", with("cim10", "54M"), 422, "cim10", "CIM-10"},
			{"date impossible", with("debut", "2026-02-30"), 422, "debut", "impossible"},
			{"type incorrect", with("teleconsultation", "oui"), 422, "teleconsultation", "booléen"},
			{"JSON mal formé", `{"nir": "1850`, 422, "", "JSON"},
			{"corps trop gros", `{"motif": "` + strings.Repeat("x", 70<<10) + `"}`, 422, "", "volumineux"},
			{"prescripteur d'un autre", with("prescripteur", "10009999999"), 403, "prescripteur", "RPPS"},
		}
		before := countRows(t, db, "dossier")
		beforeAssures := countRows(t, db, "assure")
		for _, tt := range tests {
			res, body := e.do("POST", "/api/v1/arrets", tok, tt.body, nil)
			var got struct{ Code, Message, Field string }
			json.Unmarshal([]byte(body), &got)
			if res.StatusCode != tt.status || got.Field != tt.field || !strings.Contains(got.Message, tt.words) {
				t.Errorf("%s: %d field=%q message=%q; want %d field %q with %q", tt.name, res.StatusCode, got.Field, got.Message, tt.status, tt.field, tt.words)
			}
		}
		if n := countRows(t, db, "dossier"); n != before {
			t.Errorf("%d dossiers written by rejected requests", n-before)
		}
		if n := countRows(t, db, "assure"); n != beforeAssures {
			t.Errorf("%d assurés written by rejected requests", n-beforeAssures)
		}
		// Several errors at once are all reported.
		res, body := e.do("POST", "/api/v1/arrets", tok, map[string]any{"nir": "123", "residence": "6748", "prescripteur": prescripteur, "nature": "initial", "debut": "2026-11-02", "fin": "2026-11-01", "cim10": "M545", "libelle": "x"}, nil)
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"nir"`) || !strings.Contains(body, `"field":"residence"`) || !strings.Contains(body, `"field":"fin"`) {
			t.Errorf("several errors: %d %s", res.StatusCode, body)
		}
	})
}

func TestIntakeFormShowsErrorsBesideFields(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	b := e.browser("prescripteur.demo")
	b.get("/arrets/nouveau")
	res, body := b.post("/arrets/nouveau", url.Values{"csrf": {b.csrf}, "nir": {"185056748212338"}, "residence": {"67482"}, "nature": {"initial"},
		"debut": {"20/11/2026"}, "fin": {"02/11/2026"}, "cim10": {"M545"}, "libelle": {"lombalgie"}})
	if res.StatusCode != 422 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`id="err-nir"`, "clé", `id="err-fin"`, "précède", `value="185056748212338"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form does not show %q", want)
		}
	}
	res, body = b.post("/arrets/nouveau", url.Values{"csrf": {b.csrf}, "nir": {nirMatrix}, "residence": {"67482"}, "nature": {"initial"},
		"debut": {"02/11/2026"}, "fin": {"20/11/2026"}, "cim10": {"M54.5"}, "libelle": {"lombalgie"}})
	if res.StatusCode != 200 || !strings.Contains(body, "Avis d&#39;arrêt de travail enregistré") || !strings.Contains(body, "M54.5") {
		t.Errorf("valid form: %d", res.StatusCode)
	}
}

func TestSessionsCSRFAndThrottling(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	b := e.browser("praticien.67")
	if s, _ := b.getStatus("/dossiers"); s != 200 {
		t.Fatalf("worklist after login: %d", s)
	}
	// A form posted without the session's CSRF token is refused.
	res, _ := b.post("/deconnexion", url.Values{"csrf": {"faux"}})
	if res.StatusCode != 403 {
		t.Errorf("logout with a wrong CSRF token: %d, want 403", res.StatusCode)
	}
	// Logout really ends the session: the old cookie no longer opens anything.
	u, _ := url.Parse(e.srv.URL)
	old := b.c.Jar.Cookies(u)
	b.post("/deconnexion", url.Values{"csrf": {b.csrf}})
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, old)
	replay := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := replay.Get(e.srv.URL + "/dossiers")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r2.Header.Get("Location"), "/connexion") {
		t.Errorf("old session cookie after logout: %d %s, want redirect to login", r2.StatusCode, r2.Header.Get("Location"))
	}
	// Progressive delays per account: 3 free failures, then the 4th starts a delay
	// in which even the right password must wait.
	for i := 0; i < 4; i++ {
		res, _ := e.do("POST", "/api/v1/tokens", "", map[string]string{"login": "cpam.67", "password": "mauvais-mot"}, nil)
		if res.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i, res.StatusCode)
		}
	}
	res, body := e.do("POST", "/api/v1/tokens", "", map[string]string{"login": "cpam.67", "password": password}, nil)
	if res.StatusCode != 429 || !strings.Contains(body, "trop d") {
		t.Errorf("after 4 failures: %d %s, want 429", res.StatusCode, body)
	}
	// Tokens are revocable.
	tok := e.token("praticien.67")
	if res, _ := e.do("DELETE", "/api/v1/tokens/current", tok, nil, nil); res.StatusCode != 204 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res, _ := e.do("GET", "/api/v1/dossiers", tok, nil, nil); res.StatusCode != 401 {
		t.Errorf("revoked token: %d, want 401", res.StatusCode)
	}
}

func TestIdempotencyAndStaleAvis(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		tok := e.token("prescripteur.demo")
		body := map[string]any{"nir": nirMatrix, "residence": "67482", "prescripteur": prescripteur, "nature": "initial",
			"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "teleconsultation": false}
		h := map[string]string{"Idempotency-Key": "depot-42"}
		r1, b1 := e.do("POST", "/api/v1/arrets", tok, body, h)
		r2, b2 := e.do("POST", "/api/v1/arrets", tok, body, h)
		if r1.StatusCode != 201 || r2.StatusCode != 201 || b1 != b2 || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry: %d %s / %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
		}
		if n := countRows(t, db, "dossier"); n != 1 {
			t.Errorf("%d dossiers after a retried POST, want 1", n)
		}
		var created struct{ ID int64 }
		json.Unmarshal([]byte(b1), &created)
		// Two praticiens open version 1; the second avis is refused.
		p1, p2 := e.token("praticien.67"), e.token("chef.67")
		path := fmt.Sprintf("/api/v1/dossiers/%d/avis", created.ID)
		if res, b := e.do("POST", path, p1, map[string]any{"sens": "justifie", "version": 1}, nil); res.StatusCode != 200 {
			t.Fatalf("first avis: %d %s", res.StatusCode, b)
		}
		res, b := e.do("POST", path, p2, map[string]any{"sens": "non_justifie", "effet_au": "2026-11-10", "motif": "x", "version": 1}, nil)
		if res.StatusCode != 409 || !strings.Contains(b, "modifié") {
			t.Errorf("stale avis: %d %s, want 409", res.StatusCode, b)
		}
	})
}

func TestAuditPageAndVerify(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	seedMatrixDossier(t, e)
	b := e.browser("dpo")
	page := b.get("/audit?verifier=1")
	if !strings.Contains(page, "Chaîne intègre") || !strings.Contains(page, "avis.saisie") {
		t.Errorf("audit page lacks verification or entries")
	}
	page = b.get("/audit?login=infirmier.67")
	if !strings.Contains(page, "note.saisie") || strings.Contains(page, "avis.saisie") {
		t.Errorf("audit filter by login does not filter")
	}
	p := e.browser("praticien.67")
	if s, _ := p.getStatus("/audit"); s != 403 {
		t.Errorf("praticien on audit page: %d, want 403", s)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	for _, p := range []string{"/healthz", "/readyz"} {
		if res, _ := e.do("GET", p, "", nil, nil); res.StatusCode != 200 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	seedMatrixDossier(t, e)
	if res, _ := e.do("GET", "/metrics", "", nil, nil); res.StatusCode != 401 {
		t.Errorf("/metrics without a token: %d, want 401", res.StatusCode)
	}
	if res, _ := e.do("GET", "/metrics", e.token("praticien.67"), nil, nil); res.StatusCode != 403 {
		t.Errorf("/metrics with a praticien's token: %d, want 403", res.StatusCode)
	}
	_, m := e.do("GET", "/metrics", e.token("admin"), nil, nil)
	for _, want := range []string{`medconseil_http_requests_total{route="POST /api/v1/arrets",status="201"} 1`, `medconseil_dossiers{etat="avis_rendu"} 1`, "medconseil_http_request_duration_seconds_bucket"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
