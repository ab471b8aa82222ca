package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/web"
)

// clock is a settable clock for the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func withClock(db *sqldb.DB) *clock {
	c := &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	return c
}

func (e *env) tokenStatus(login, pw string) int {
	e.t.Helper()
	res, _ := e.do("POST", "/api/v1/tokens", "", map[string]string{"login": login, "password": pw}, nil)
	return res.StatusCode
}

// TestLoginThrottleAtomic: 20 parallel wrong attempts on one account; the
// attempts are reserved in the write transaction, so only the free ones and the
// one that starts the delay reach the password check.
func TestLoginThrottleAtomic(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		var checked, delayed atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch s := e.tokenStatus("cpam.67", "mauvais-mot-de-passe"); s {
				case 401:
					checked.Add(1)
				case 429:
					delayed.Add(1)
				default:
					t.Errorf("parallel attempt: %d", s)
				}
			}()
		}
		wg.Wait()
		if c := checked.Load(); c > 4 || c < 1 {
			t.Errorf("%d of 20 parallel wrong attempts were checked, want at most 4 (3 free + 1)", c)
		}
		if d := delayed.Load(); d < 16 {
			t.Errorf("%d attempts delayed, want ≥ 16", d)
		}
	})
}

// TestProgressiveDelays: delays grow and end; an address is slowed, never locked
// out; an administrator lifts an account's delay.
func TestProgressiveDelays(t *testing.T) {
	db := sqldbtest.SQLite(t)
	c := withClock(db)
	e := start(t, db)
	for i := 0; i < 3; i++ {
		if s := e.tokenStatus("agent.67", "mauvais-mot-de-passe"); s != 401 {
			t.Fatalf("free failure %d: %d", i+1, s)
		}
	}
	if s := e.tokenStatus("agent.67", "mauvais-mot-de-passe"); s != 401 {
		t.Fatalf("4th failure: %d", s)
	}
	if s := e.tokenStatus("agent.67", password); s != 429 {
		t.Errorf("right password inside the delay: %d, want 429", s)
	}
	c.Add(3 * time.Second)
	if s := e.tokenStatus("agent.67", password); s != 201 {
		t.Errorf("right password once the 2 s delay is over: %d, want 201", s)
	}
	// The account is forgiven after a success: a new failure is free again.
	if s := e.tokenStatus("agent.67", "mauvais-mot-de-passe"); s != 401 {
		t.Errorf("failure after a success: %d, want 401", s)
	}

	// One address, many accounts (a site behind one NAT): after 20 failures the
	// address is delayed by at most a minute, never locked out.
	for i := 0; i < 21; i++ {
		e.tokenStatus("inconnu"+string(rune('a'+i)), "mauvais-mot-de-passe")
		c.Add(10 * time.Millisecond)
	}
	if s := e.tokenStatus("praticien.67", password); s != 429 {
		t.Errorf("address after 21 failures: %d, want 429", s)
	}
	c.Add(61 * time.Second)
	if s := e.tokenStatus("praticien.67", password); s != 201 {
		t.Errorf("address after the 1-minute cap: %d, want 201", s)
	}

	// Unlock: an account deep in its delays is freed by the administrator.
	for i := 0; i < 8; i++ {
		e.tokenStatus("cpam.57", "mauvais-mot-de-passe")
		c.Add(time.Hour / 2) // waits out each delay, so every failure counts
	}
	if s := e.tokenStatus("cpam.57", "mauvais-mot-de-passe"); s != 401 {
		t.Fatalf("9th failure: %d", s)
	}
	if s := e.tokenStatus("cpam.57", password); s != 429 {
		t.Fatalf("right password inside a long delay: %d, want 429", s)
	}
	c.Add(2 * time.Minute) // the address delay (1 min at most) is over; the account's is not
	admin := e.browser("admin")
	if body := admin.get("/admin/utilisateurs"); !strings.Contains(body, "/admin/utilisateurs/cpam.57/deverrouiller") {
		t.Error("the accounts page offers no unlock for a delayed account")
	}
	res, _ := admin.post("/admin/utilisateurs/cpam.57/deverrouiller", url.Values{"csrf": {admin.csrf}})
	if res.StatusCode != 200 {
		t.Fatalf("unlock: %d", res.StatusCode)
	}
	if s := e.tokenStatus("cpam.57", password); s != 201 {
		t.Errorf("right password after unlock: %d, want 201", s)
	}
}

// TestTokenExpiryAndReset: tokens expire after the configured lifetime and die
// when the password is reset.
func TestTokenExpiryAndReset(t *testing.T) {
	db := sqldbtest.SQLite(t)
	c := withClock(db)
	e := startWith(t, db, func(cfg *web.Config) { cfg.TokenTTL = 48 * time.Hour })
	tok := e.token("cpam.67")
	if res, _ := e.do("GET", "/api/v1/dossiers", tok, nil, nil); res.StatusCode != 200 {
		t.Fatalf("fresh token: %d", res.StatusCode)
	}
	c.Add(47 * time.Hour)
	if res, _ := e.do("GET", "/api/v1/dossiers", tok, nil, nil); res.StatusCode != 200 {
		t.Errorf("token at 47 h of 48: %d", res.StatusCode)
	}
	c.Add(2 * time.Hour)
	if res, body := e.do("GET", "/api/v1/dossiers", tok, nil, nil); res.StatusCode != 401 || !strings.Contains(body, "expiré") {
		t.Errorf("token at 49 h of 48: %d %s, want 401 expiré", res.StatusCode, body)
	}

	// An administrator resets a non-medical account: applied at once, its tokens die.
	tok = e.token("cpam.67")
	admin := e.browser("admin")
	res, body := admin.post("/admin/utilisateurs/cpam.67/mot-de-passe", url.Values{"csrf": {admin.csrf}, "password": {"nouveau-mot-de-passe-cpam"}})
	if res.StatusCode != 200 || !strings.Contains(body, "Mot de passe modifié") {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res, _ := e.do("GET", "/api/v1/dossiers", tok, nil, nil); res.StatusCode != 401 {
		t.Errorf("token after a password reset: %d, want 401", res.StatusCode)
	}
	// The policy applies to resets: short, the login, common.
	for _, bad := range []string{"court", "cpam.67-cpam.67", "1qaz2wsx3edc"} {
		res, _ := admin.post("/admin/utilisateurs/cpam.67/mot-de-passe", url.Values{"csrf": {admin.csrf}, "password": {bad}})
		if res.StatusCode != 422 {
			t.Errorf("reset to %q: %d, want 422", bad, res.StatusCode)
		}
	}
}

// TestSeparationOfDuties: an administrator cannot give itself (or anyone) clinical
// access alone; a médecin chef of the territory approves, never the requester; an
// administrator cannot disable itself nor the last administrator.
func TestSeparationOfDuties(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		ctx := context.Background()
		hash, _ := auth.HashPassword(password, cheap)
		chef57 := medconseil.Habilitation{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "57"}}
		if _, err := db.CreateUser(ctx, nil, "chef.57", "chef.57", hash, []medconseil.Habilitation{chef57}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		admin := e.browser("admin")
		res, body := admin.post("/admin/utilisateurs", url.Values{"csrf": {admin.csrf}, "login": {"nouveau.praticien"}, "nom": {"Dr Nouveau"},
			"role": {"praticien_conseil"}, "territoire": {"echelon:67"}, "password": {"un-mot-de-passe-solide"}})
		if res.StatusCode != 200 || !strings.Contains(body, "approbation") {
			t.Fatalf("create: %d", res.StatusCode)
		}
		id, _, _, err := db.Credentials(ctx, "nouveau.praticien")
		if err != nil {
			t.Fatal(err)
		}
		a, _ := db.ActeurByID(ctx, id)
		if len(a.Habilitations) != 0 {
			t.Fatalf("clinical habilitation granted by the administrator alone: %v", a.Habilitations)
		}
		var demande int64
		ds, _ := db.Demandes(ctx, &medconseil.Acteur{ID: 1, Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleAdmin}}})
		for _, d := range ds {
			if d.Login == "nouveau.praticien" {
				demande = d.ID
			}
		}
		if demande == 0 {
			t.Fatal("no pending request")
		}
		path := "/habilitations/" + itoa(demande)
		// The administrator cannot approve; a médecin chef of another territory neither.
		for _, who := range []string{"admin", "chef.57", "praticien.67"} {
			b := e.browser(who)
			b.get("/dossiers")
			res, _ := b.post(path, url.Values{"csrf": {b.csrf}, "decision": {"approuver"}})
			if res.StatusCode != 403 {
				t.Errorf("%s approves: %d, want 403", who, res.StatusCode)
			}
		}
		chef := e.browser("chef.67")
		if body := chef.get("/habilitations"); !strings.Contains(body, "nouveau.praticien") || !strings.Contains(body, `value="approuver"`) {
			t.Error("the médecin chef does not see the request to approve")
		}
		if res, _ := chef.post(path, url.Values{"csrf": {chef.csrf}, "decision": {"approuver"}}); res.StatusCode != 422 {
			t.Errorf("approval without the password the chef chooses: %d, want 422", res.StatusCode)
		}
		if res, _ := chef.post(path, url.Values{"csrf": {chef.csrf}, "decision": {"approuver"}, "password": {"choisi-par-le-chef-2026"}}); res.StatusCode != 200 {
			t.Fatalf("chef approves: %d", res.StatusCode)
		}
		a, _ = db.ActeurByID(ctx, id)
		if len(a.Habilitations) != 1 || a.Habilitations[0].Role != medconseil.RolePraticienConseil {
			t.Errorf("after approval: %v", a.Habilitations)
		}
		// The administrator's initial password no longer opens the account.
		if s := e.tokenStatus("nouveau.praticien", "un-mot-de-passe-solide"); s != 401 {
			t.Errorf("administrator's initial password after approval: %d, want 401", s)
		}
		if s := e.tokenStatus("nouveau.praticien", "choisi-par-le-chef-2026"); s != 201 {
			t.Errorf("chef's password after approval: %d, want 201", s)
		}
		if res, _ := chef.post(path, url.Values{"csrf": {chef.csrf}, "decision": {"approuver"}, "password": {"choisi-par-le-chef-2026"}}); res.StatusCode != 409 {
			t.Errorf("second decision: %d, want 409", res.StatusCode)
		}

		// A password reset of a medical account waits for the médecin chef.
		tok := e.token("praticien.67")
		res, body = admin.post("/admin/utilisateurs/praticien.67/mot-de-passe", url.Values{"csrf": {admin.csrf}, "password": {"choisi-par-l-admin-2026"}})
		if res.StatusCode != 200 || !strings.Contains(body, "approbation") {
			t.Fatalf("reset of a medical account: %d", res.StatusCode)
		}
		if s := e.tokenStatus("praticien.67", "choisi-par-l-admin-2026"); s != 401 {
			t.Errorf("administrator's password before approval: %d, want 401", s)
		}
		if s := e.tokenStatus("praticien.67", password); s != 201 {
			t.Errorf("holder's password before approval: %d, want 201", s)
		}
		chef.get("/habilitations")
		ds, _ = db.Demandes(ctx, &medconseil.Acteur{ID: 1, Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleAdmin}}})
		for _, d := range ds {
			if d.Login == "praticien.67" {
				if res, _ := chef.post("/habilitations/"+itoa(d.ID), url.Values{"csrf": {chef.csrf}, "decision": {"approuver"}, "password": {"remis-par-le-chef-2026"}}); res.StatusCode != 200 {
					t.Fatalf("approve reset: %d", res.StatusCode)
				}
			}
		}
		if s := e.tokenStatus("praticien.67", "choisi-par-l-admin-2026"); s != 401 {
			t.Errorf("administrator's password after the approved reset: %d, want 401", s)
		}
		if s := e.tokenStatus("praticien.67", "remis-par-le-chef-2026"); s != 201 {
			t.Errorf("chef's password after approval: %d, want 201", s)
		}
		if res, _ := e.do("GET", "/api/v1/dossiers", tok, nil, nil); res.StatusCode != 401 {
			t.Errorf("token from before the approved reset: %d, want 401", res.StatusCode)
		}

		// Disabling: not oneself, not the last administrator.
		res, _ = admin.post("/admin/utilisateurs/admin/actif", url.Values{"csrf": {admin.csrf}, "actif": {"0"}})
		if res.StatusCode != 403 {
			t.Errorf("admin disables itself: %d, want 403", res.StatusCode)
		}
		if err := db.SetActive(ctx, nil, "admin", false, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.EFORBIDDEN {
			t.Errorf("disable the last administrator: %v, want EFORBIDDEN", err)
		}
		adminHab := medconseil.Habilitation{Role: medconseil.RoleAdmin, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauNational}}
		if _, err := db.CreateUser(ctx, nil, "admin2", "admin2", hash, []medconseil.Habilitation{adminHab}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if res, _ := admin.post("/admin/utilisateurs/admin2/actif", url.Values{"csrf": {admin.csrf}, "actif": {"0"}}); res.StatusCode != 200 {
			t.Errorf("disable another administrator while one remains: %d", res.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestLoginReturnIsLocal: ?retour= sends back only to a path of this site.
func TestLoginReturnIsLocal(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	for retour, want := range map[string]string{
		"/dossiers?etat=recue":  "/dossiers?etat=recue",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"/\t/evil.example":      "/",
		"/\n/evil.example":      "/",
		"":                      "/",
		"dossiers":              "/",
		"/%2F%2Fevil.example":   "/", // refused too: "//" once decoded
	} {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(e.srv.URL + "/connexion")
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1<<16)
		n, _ := res.Body.Read(buf)
		res.Body.Close()
		m := csrfRe.FindSubmatch(buf[:n])
		if m == nil {
			t.Fatal("no csrf")
		}
		res, err = c.PostForm(e.srv.URL+"/connexion", url.Values{"csrf": {string(m[1])}, "login": {"agent.67"}, "password": {password}, "retour": {retour}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Location"); res.StatusCode != 303 || got != want {
			t.Errorf("retour %q: %d → %q, want %q", retour, res.StatusCode, got, want)
		}
	}
}

// TestLoginReturnAfterPost: a form posted without a session (expired, or logged
// out in another tab) sends to the login page with, as retour, the page the form
// was posted from — the nearest enclosing address served by GET — never the
// POST-only address, which would answer « Page introuvable » after the login.
func TestLoginReturnAfterPost(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	id := itoa(seedMatrixDossier(t, e))
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/dossiers/" + id + "/notes":                "/dossiers/" + id,
		"/dossiers/" + id + "/echanges":             "/dossiers/" + id,
		"/dossiers/" + id + "/avis/rectification":   "/dossiers/" + id + "/avis",
		"/dossiers/" + id + "/avis":                 "/dossiers/" + id + "/avis",
		"/dossiers/" + id + "/contentieux":          "/dossiers/" + id + "/contentieux",
		"/controle/3/suivi/donnees":                 "/controle/3",
		"/demandes/nouvelle/ald":                    "/demandes/nouvelle/ald",
		"/admin/utilisateurs/agent.67/mot-de-passe": "/admin/utilisateurs",
	} {
		for _, cookie := range []string{"", "jeton-expire"} {
			req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader("texte=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: "mc_session", Value: cookie})
			}
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc, _ := url.Parse(res.Header.Get("Location"))
			if res.StatusCode != 303 || loc == nil || loc.Path != "/connexion" || loc.Query().Get("retour") != want {
				t.Errorf("POST %s (cookie %q): %d → %q, want /connexion?retour=%s", path, cookie, res.StatusCode, res.Header.Get("Location"), want)
			}
		}
	}
	// A GET keeps its own address, query included.
	res, err := c.Get(e.srv.URL + "/dossiers?etat=recue")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc, _ := url.Parse(res.Header.Get("Location")); loc == nil || loc.Query().Get("retour") != "/dossiers?etat=recue" {
		t.Errorf("GET /dossiers?etat=recue without session: %q", res.Header.Get("Location"))
	}
}
