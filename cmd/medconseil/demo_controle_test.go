package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medconseil"
	"medconseil/internal/browsertest"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestDemoControle starts the demo as the README says (no claims data given,
// the référentiels found), on SQLite with an empty data directory and on
// PostgreSQL with the directory the first run generated (reused, as at a second
// start), and drives Chromium as the médecin chef of the Bas-Rhin: while the
// synthetic region is generated the targeting page says so with a link to
// reload it; then the targeting list is not empty, a flagged professional's
// profile shows its SVG funnels with his point, the Bas-Rhin over-prescriber is
// offered with the demo prescriber's RPPS, and an alert of the fraud rules opens
// a procedure (the investigation dossier) at its first step. The procedure of
// that over-prescriber is then taken to the MSAP, after which an arrêt filed by
// prescripteur.demo enters the casework under prior agreement.
func TestDemoControle(t *testing.T) {
	if testing.Short() {
		t.Skip("génère une région synthétique")
	}
	ref := os.Getenv("MEDCONSEIL_REFERENCE")
	if ref == "" {
		ref = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(ref, "snds", "IR_NAT_V.csv")); err != nil {
		t.Skipf("référentiels absents (%s) ; définir MEDCONSEIL_REFERENCE", ref)
	}
	browsertest.Chromium(t) // skips early without a browser, fails in CI
	// The SQLite run's directory outlives it: its data is copied for the
	// PostgreSQL run.
	dir := t.TempDir()
	generated := filepath.Join(dir, "controle")
	t.Run("sqlite", func(t *testing.T) {
		demoControleJourney(t, ref, []string{"--db", filepath.Join(dir, "demo.db")}, generated, false)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn, _ := sqldbtest.EmptyPostgres(t)
		dir := t.TempDir()
		keys := filepath.Join(dir, "demo.keys")
		e, _, _ := testEnv("", nil)
		if err := run(context.Background(), e, []string{"keys", "generate", "--out", keys}); err != nil {
			t.Fatal(err)
		}
		auditKey := filepath.Join(dir, "audit.key")
		if err := run(context.Background(), e, []string{"audit", "key", "--out", auditKey}); err != nil {
			t.Fatal(err)
		}
		if _, ok := demo.ReadControleStamp(generated, demo.Controle); !ok {
			t.Skip("the SQLite run generated no data to reuse")
		}
		if out, err := exec.Command("cp", "-r", generated, filepath.Join(dir, "controle")).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		demoControleJourney(t, ref, []string{"--db", dsn, "--key-file", keys, "--audit-key-file", auditKey}, filepath.Join(dir, "controle"), true)
	})
}

func demoControleJourney(t *testing.T, ref string, dbArgs []string, dataDir string, reused bool) {
	ctx, cancel := context.WithCancel(context.Background())
	e, out, _ := testEnv("", map[string]string{"MEDCONSEIL_REFERENCE": ref})
	done := make(chan error, 1)
	args := append([]string{"demo", "--addr", "127.0.0.1:0", "--demo-password", "mot-de-passe-demo", "--dossiers", "4", "--log-format", "json"}, dbArgs...)
	go func() { done <- run(ctx, e, args) }()
	stopped := false
	defer func() {
		cancel()
		if stopped {
			return
		}
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("demo ended with %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("demo did not shut down")
		}
	}()
	re := regexp.MustCompile(`Adresse : (http://\S+)`)
	var base string
	for deadline := time.Now().Add(120 * time.Second); time.Now().Before(deadline) && base == ""; time.Sleep(50 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("demo stopped: %v\n%s", err, out.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("demo printed no URL: %q", out.String())
	}
	banner := out.String()
	if !strings.Contains(banner, "Données de contrôle : "+dataDir) {
		t.Errorf("the banner does not say where the claims data is (%s): %q", dataDir, banner)
	}
	if reused != strings.Contains(banner, "réutilisées") {
		t.Errorf("reused %v, banner %q", reused, banner)
	}

	bctx := browsertest.New(t)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out.String())
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	step("login as chef.67",
		chromedp.Navigate(base+"/connexion"), chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "chef.67"), chromedp.SendKeys(chromedp.CSS("#password"), "mot-de-passe-demo\r"),
		chromedp.WaitVisible(chromedp.CSS("header nav")))
	step("targeting page", chromedp.Navigate(base+"/controle/ciblage"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	sawPreparing := false
	for deadline := time.Now().Add(3 * time.Minute); ; {
		if eval(`document.querySelector('#signalements') ? 'prête' : ''`) != "" {
			break
		}
		msg := eval(`(document.querySelector('#preparation') || document.querySelector('main')).textContent`)
		switch {
		case strings.Contains(msg, "en cours de préparation (environ "):
			sawPreparing = true
		case strings.Contains(msg, "en cours de calcul depuis "):
			// the profiles of the region, computed once in the background
		default:
			t.Fatalf("targeting page neither ready nor preparing: %q", msg)
		}
		if time.Now().After(deadline) {
			t.Fatalf("claims data still being prepared after 3 minutes\n%s", out.String())
		}
		time.Sleep(time.Second)
		step("reload with the link", chromedp.Click(chromedp.CSS(`main a[href="/controle/ciblage"]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
	}
	if !reused && !sawPreparing {
		t.Log("the generation ended before the first visit: the preparing page was not seen")
	}
	if reused && sawPreparing {
		t.Error("reused data, yet the page said it was being prepared")
	}
	flags := eval(`String(document.querySelectorAll('#signalements + table tbody tr').length)`)
	if flags == "0" || flags == "" {
		t.Fatalf("empty targeting list: %q", text("main"))
	}
	// The Bas-Rhin over-prescriber planted by the generator is flagged, offered
	// with the RPPS of the demo's prescriber account.
	if got := eval(`Array.from(document.querySelectorAll('#signalements + table input[name="rpps"]')).map(e => e.value).join(' ')`); !strings.Contains(got, demo.PrescripteurRPPS) {
		t.Errorf("no flag offered with the demo prescriber's RPPS %s: %q", demo.PrescripteurRPPS, got)
	}
	pro := eval(`document.querySelector('#signalements + table tbody tr a').textContent`)
	step("open the profile", chromedp.Click(chromedp.CSS(`#signalements + table tbody tr a`)), chromedp.WaitVisible(chromedp.CSS("figure.entonnoir svg")))
	if n := eval(`String(document.querySelectorAll('figure.entonnoir svg [id="pro-` + pro + `"]').length)`); n == "0" {
		t.Errorf("profile %s: no funnel with his point highlighted", pro)
	}
	if h := text("main h1"); !strings.Contains(h, pro) {
		t.Errorf("profile title %q", h)
	}
	step("back to the targeting page", chromedp.Navigate(base+"/controle/ciblage"), chromedp.WaitVisible(chromedp.CSS("#alertes")))
	alert := eval(`(() => { const f = document.querySelector('#alertes ~ table form[action="/controle/ciblage/procedure"]'); return f ? f.querySelector('[name=anomalie]').value + ' ' + f.querySelector('[name=professionnel]').value : '' })()`)
	if alert == "" {
		t.Fatalf("no alert of the Bas-Rhin opens a procedure: %q", text("#alertes ~ table:last-of-type"))
	}
	step("open a procedure from the alert "+alert,
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('#alertes ~ table form[action="/controle/ciblage/procedure"]'); const r = f.querySelector('[name=rpps]'); if (!r.value) r.value = '10001234567'; f.querySelector('button').click() })()`),
		chromedp.WaitVisible(chromedp.CSS("#etape")))
	if h := text("main h1"); !strings.Contains(h, "Procédure MSO / MSAP") {
		t.Fatalf("after opening from the alert: %q", h)
	}
	page := text("main")
	for _, want := range []string{"Proposée", strings.Fields(alert)[0], strings.Fields(alert)[1]} {
		if !strings.Contains(page, want) {
			t.Errorf("procedure page lacks %q", want)
		}
	}

	// The MSAP of the over-prescriber flagged with the demo prescriber's RPPS:
	// once decided, an arrêt filed by prescripteur.demo enters the casework as
	// needing the service's prior agreement, listed on the procedure.
	step("targeting page again", chromedp.Navigate(base+"/controle/ciblage"), chromedp.WaitVisible(chromedp.CSS("#signalements")))
	step("open the procedure of the demo prescriber",
		chromedp.Evaluate[chromedp.Void](`(() => { const r = Array.from(document.querySelectorAll('#signalements + table input[name="rpps"]')).find(e => e.value === '`+demo.PrescripteurRPPS+`'); r.form.querySelector('button').click() })()`),
		chromedp.WaitVisible(chromedp.CSS("#etape")))
	today := medconseil.DateOf(time.Now())
	for _, ev := range []struct{ evenement, field, value string }{
		{"notifier", "", ""}, {"entendre", "note", "Audition : le professionnel explique sa patientèle."}, {"saisir_commission", "", ""},
		{"avis_commission", "issue", "favorable, 3 mois"}, {"saisir_uncam", "", ""}, {"uncam_favorable", "", ""},
		{"decider_msap", "debut", today.Francais()},
	} {
		actions := []chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`)}
		if ev.field != "" {
			actions = append(actions, chromedp.SendKeys(chromedp.CSS("#"+ev.field+"-"+ev.evenement), ev.value))
		}
		if ev.evenement == "decider_msap" {
			actions = append(actions, chromedp.SendKeys(chromedp.CSS("#fin-decider_msap"), today.AddMonths(3).Francais()))
		}
		actions = append(actions, chromedp.Click(chromedp.CSS(`form:has(input[name="evenement"][value="`+ev.evenement+`"]) button`)), chromedp.WaitVisible(chromedp.CSS(".alerte.succes")))
		step(ev.evenement, actions...)
	}
	procedure := eval(`location.pathname`)
	if etape := text("#etape"); !strings.Contains(etape, "MSAP en cours") {
		t.Fatalf("step after the MSAP decision: %q", etape)
	}
	tok, err := demoPost(base+"/api/v1/tokens", "", `{"login":"prescripteur.demo","password":"mot-de-passe-demo"}`)
	if err != nil {
		t.Fatal(err)
	}
	var token struct{ Token string }
	if err := json.Unmarshal([]byte(tok), &token); err != nil || token.Token == "" {
		t.Fatalf("token: %v %s", err, tok)
	}
	filed, err := demoPost(base+"/api/v1/arrets", token.Token, fmt.Sprintf(`{"nir": "185056748212337", "residence": "67482", "prescripteur": %q,
		"nature": "initial", "debut": %q, "fin": %q, "cim10": "M545", "libelle": "lombalgie", "motif": "douleur lombaire", "teleconsultation": false}`,
		demo.PrescripteurRPPS, today.String(), today.AddDays(9).String()))
	if err != nil {
		t.Fatal(err)
	}
	var arret struct{ ID int64 }
	if err := json.Unmarshal([]byte(filed), &arret); err != nil || arret.ID == 0 {
		t.Fatalf("arrêt filed by prescripteur.demo: %v %s", err, filed)
	}
	step("procedure page", chromedp.Navigate(base+procedure), chromedp.WaitVisible(chromedp.CSS("#titre-msap")))
	if n := eval(fmt.Sprintf(`String(document.querySelectorAll('section[aria-labelledby="titre-msap"] form[action="/dossiers/%d/msap"]').length)`, arret.ID)); n != "1" {
		t.Errorf("the arrêt %d of prescripteur.demo is not awaiting prior agreement: %q", arret.ID, text(`section[aria-labelledby="titre-msap"]`))
	}
}

// demoPost posts a JSON body (with a bearer token when given) and returns the
// answer, an error unless 201.
func demoPost(url, token, body string) (string, error) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST %s: %d %s", url, res.StatusCode, b)
	}
	return string(b), nil
}
