package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medconseil/internal/browsertest"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb/sqldbtest"
)

// Browser tests: Debian's headless Chromium driven over the DevTools protocol
// (chromedp) against the real server on loopback, through each role's main
// journey, with cheap keyboard checks (focus order, labels). They skip only when
// no Chromium is installed and CI is unset; in CI a missing Chromium fails
// (internal/browsertest finds and starts the browser).

// session opens a tab in a new browser context (its own cookies), so each role
// logs in from scratch without starting another browser.
func session(t *testing.T, root context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return ctx
}

// do runs steps that return nothing.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// get runs one action and returns its value.
func get[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return get(t, ctx, expr, chromedp.Evaluate[T](expr))
}

// login fills the login form with the keyboard only: the login field has the
// focus on arrival, Tab reaches the password, Enter submits.
func login(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	do(t, ctx, "login page", chromedp.Navigate(base+"/connexion"), chromedp.WaitVisible(css("#login")))
	if f := js[string](t, ctx, `document.activeElement.id`); f != "login" {
		t.Errorf("focus on arrival at the login page: %q, want the login field", f)
	}
	do(t, ctx, "type the login, then Tab", chromedp.KeyEvent(user), chromedp.KeyEvent("\t"))
	if f := js[string](t, ctx, `document.activeElement.id`); f != "password" {
		t.Errorf("Tab from the login field reaches %q, want the password", f)
	}
	do(t, ctx, "type the password, Enter", chromedp.KeyEvent(password+"\r"), chromedp.WaitVisible(css("header nav")))
}

// unlabelledJS lists the visible form controls of the page without an accessible
// name (a <label>, aria-label or aria-labelledby).
const unlabelledJS = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter(e => e.offsetParent !== null && e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id)`

func checkLabels(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if missing := js[[]string](t, ctx, unlabelledJS); len(missing) > 0 {
		t.Errorf("%s: controls without a label: %v", page, missing)
	}
}

// firstTab checks that the first Tab of a freshly loaded page lands on the
// « Aller au contenu » link.
func firstTab(t *testing.T, ctx context.Context, base, path string) {
	t.Helper()
	do(t, ctx, "reload "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(css("main h1")),
		chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent("\t"))
	if got := js[string](t, ctx, `document.activeElement.className + ' ' + (document.activeElement.getAttribute('href') || '')`); !strings.Contains(got, "skip") || !strings.Contains(got, "#contenu") {
		t.Errorf("%s: first Tab reaches %q, want the « Aller au contenu » link", path, got)
	}
}

const dossierLinksJS = `Array.from(document.querySelectorAll('tbody tr a[href^="/dossiers/"]')).map(a => a.getAttribute('href'))`

func TestBrowserJourneys(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	if _, err := demo.SeedDossiers(context.Background(), db, 6, time.Now(), 7); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	root := browsertest.New(t)

	t.Run("praticien", func(t *testing.T) {
		ctx := session(t, root)
		login(t, ctx, base, "praticien.67")
		do(t, ctx, "worklist", chromedp.Navigate(base+"/dossiers"), chromedp.WaitVisible(css("table")))
		title := get(t, ctx, "title", chromedp.Title())
		links := js[[]string](t, ctx, dossierLinksJS)
		if !strings.Contains(title, "Corbeille") || len(links) == 0 {
			t.Fatalf("worklist: title %q, %d dossier links", title, len(links))
		}
		checkLabels(t, ctx, "worklist")
		firstTab(t, ctx, base, "/dossiers")
		found := false
		for _, l := range links {
			do(t, ctx, "open "+l, chromedp.Navigate(base+l), chromedp.WaitVisible(css("main h1")))
			if js[int](t, ctx, `document.querySelectorAll('form[action$="/avis"]').length`) > 0 {
				found = true
				break
			}
		}
		if !found {
			t.Fatal("no dossier awaiting an avis in the worklist")
		}
		checkLabels(t, ctx, "dossier")
		do(t, ctx, "give an avis",
			chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`),
			chromedp.Click(css("#sens-j")),
			chromedp.SendKeys(css("#motif"), "Arrêt justifié au vu des éléments médicaux."),
			chromedp.Submit(css("#motif")),
			chromedp.WaitVisible(css(".alerte.succes")),
		)
		if msg := get(t, ctx, "message", chromedp.Text(css(".alerte.succes"))); !strings.Contains(msg, "Avis enregistré") {
			t.Errorf("after the avis: %q", msg)
		}
	})

	t.Run("agent_cpam", func(t *testing.T) {
		ctx := session(t, root)
		login(t, ctx, base, "cpam.67")
		do(t, ctx, "CPAM worklist", chromedp.Navigate(base+"/dossiers"), chromedp.WaitVisible(css("main h1")))
		if nav := get(t, ctx, "menu", chromedp.Text(css("header nav"))); strings.Contains(nav, "Nouvel arrêt") {
			t.Error("the CPAM agent is offered the intake of an arrêt")
		}
		links := js[[]string](t, ctx, dossierLinksJS)
		if len(links) == 0 {
			t.Fatal("the caisse sees no dossier of its département")
		}
		do(t, ctx, "CPAM dossier", chromedp.Navigate(base+links[0]), chromedp.WaitVisible(css("main h1")))
		body := get(t, ctx, "dossier text", chromedp.Text(css("main")))
		forms := js[int](t, ctx, `document.querySelectorAll('form[action$="/avis"], form[action$="/notes"], textarea').length`)
		if forms != 0 || strings.Contains(body, "Notes cliniques") || strings.Contains(body, "CIM-10") {
			t.Errorf("the CPAM agent sees a medical form or clinical section (%d forms)", forms)
		}
		do(t, ctx, "intake", chromedp.Navigate(base+"/arrets/nouveau"), chromedp.WaitVisible(css("main")))
		if n := js[int](t, ctx, `document.querySelectorAll('form[action="/arrets/nouveau"]').length`); n != 0 {
			t.Error("the CPAM agent reaches the intake form")
		}
		// Nor the other types' forms (the ALD protocol carries a diagnosis), by their address.
		for _, path := range []string{"/demandes/nouvelle", "/demandes/nouvelle/ald", "/demandes/nouvelle/atmp"} {
			do(t, ctx, "intake "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(css("main")))
			if n := js[int](t, ctx, `document.querySelectorAll('main form, main a[href^="/demandes/nouvelle/"]').length`); n != 0 {
				t.Errorf("the CPAM agent reaches the intake of %s (%d forms or links)", path, n)
			}
			if body := get(t, ctx, "refusal", chromedp.Text(css("main"))); !strings.Contains(body, "votre rôle ne permet pas") {
				t.Errorf("%s: no French refusal for the CPAM agent: %q", path, body)
			}
		}
	})

	t.Run("agent_administratif_intake", func(t *testing.T) {
		ctx := session(t, root)
		login(t, ctx, base, "agent.67")
		do(t, ctx, "intake form", chromedp.Navigate(base+"/arrets/nouveau"), chromedp.WaitVisible(css("#nir")))
		checkLabels(t, ctx, "intake")
		acts := []chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`)}
		for _, f := range [][2]string{{"#nir", "185056748212337"}, {"#residence", "67482"}, {"#prescripteur", "10001234567"},
			{"#debut", "2026-11-02"}, {"#fin", "2026-11-20"}, {"#cim10", "M54.5"}, {"#libelle", "lombalgie commune"}} {
			acts = append(acts, chromedp.SendKeys(css(f[0]), f[1]))
		}
		acts = append(acts, chromedp.Submit(css("#libelle")), chromedp.WaitVisible(css(".alerte")))
		do(t, ctx, "fill and submit", acts...)
		if msg := get(t, ctx, "message", chromedp.Text(css(".alerte"))); !strings.Contains(msg, "enregistré") {
			t.Errorf("after intake: %q", msg)
		}
	})

	t.Run("admin", func(t *testing.T) {
		ctx := session(t, root)
		login(t, ctx, base, "admin")
		do(t, ctx, "accounts", chromedp.Navigate(base+"/admin/utilisateurs"), chromedp.WaitVisible(css("#login")))
		if title := get(t, ctx, "title", chromedp.Title()); !strings.Contains(title, "Comptes") {
			t.Fatalf("accounts page: %q", title)
		}
		checkLabels(t, ctx, "accounts")
		create := func(login, nom, role, terr, pw string) string {
			do(t, ctx, "create "+login,
				// The page of the previous creation has its message: remove it, so
				// the wait below sees the next page's.
				chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`),
				chromedp.SendKeys(css("#login"), login),
				chromedp.SendKeys(css("#nom"), nom),
				chromedp.SetValue(css("#role"), role),
				chromedp.SendKeys(css("#territoire"), terr),
				chromedp.SendKeys(css("#password"), pw),
				chromedp.Submit(css("#password")),
				chromedp.WaitVisible(css(".alerte.succes")),
			)
			return get(t, ctx, "message", chromedp.Text(css(".alerte.succes")))
		}
		if msg := create("cpam.nouveau", "Nouvel agent de CPAM", "agent_cpam", "caisse:67", "un-mot-de-passe-solide"); !strings.Contains(msg, "Compte créé") {
			t.Errorf("after creation: %q", msg)
		}
		if table := get(t, ctx, "accounts table", chromedp.Text(css("table"))); !strings.Contains(table, "cpam.nouveau") {
			t.Error("the new account is not listed")
		}
		if msg := create("praticien.nouveau", "Dr Nouveau", "praticien_conseil", "echelon:67", "un-autre-mot-de-passe"); !strings.Contains(msg, "approbation d'un médecin chef") {
			t.Errorf("clinical role created without the four-eyes message: %q", msg)
		}
	})
}
