package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medconseil"
	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestBrowserEchangeContreVisite: in Chromium, the praticien-conseil opens an
// arrêt, logs a telephone échange with the médecin traitant with the letter, then
// records the employer doctor's report concluding the arrêt is not justified; the
// deadline of the service médical shows on the section and among the lifecycle's
// délais. The administrative agent then sees the échange without its summary.
func TestBrowserEchangeContreVisite(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	id := fileArret(t, e, "67482", 0)
	base := e.srv.URL
	root := browsertest.New(t)
	today := medconseil.DateOf(time.Now())

	prat := session(t, root)
	login(t, prat, base, "praticien.67")
	do(t, prat, "dossier page", chromedp.Navigate(fmt.Sprintf("%s/dossiers/%d", base, id)), chromedp.WaitVisible(css("#titre-suivi")))
	checkLabels(t, prat, "dossier page with the échange forms")
	// An error first: the summary forgotten.
	do(t, prat, "échange without summary",
		chromedp.Click(css("#ech-medecin")), chromedp.KeyEvent("Martin"),
		chromedp.Submit(css("#ech-medecin")), chromedp.WaitVisible(css("#err-ech-resume")))
	if msg := get(t, prat, "error message", chromedp.Text(css("#err-ech-resume"))); !strings.Contains(msg, "résumé de l'échange manquant") {
		t.Fatalf("error message: %q", msg)
	}
	if v := js[string](t, prat, `document.querySelector('#ech-medecin').value`); v != "Martin" {
		t.Errorf("the name typed is lost: %q", v)
	}
	do(t, prat, "échange",
		chromedp.SetValue(css("#ech-canal"), "telephone"),
		chromedp.SetValue(css("#ech-issue"), "desaccord"),
		chromedp.Click(css("#ech-resume")), chromedp.KeyEvent("ZBROWSERRESUME désaccord sur la durée"),
		chromedp.Click(css("#ech-lettre")),
		chromedp.Submit(css("#ech-resume")), chromedp.WaitVisible(css("#suivi .alerte.succes")))
	sec := get(t, prat, "section", chromedp.Text(css("#suivi")))
	for _, want := range []string{"lettre au médecin traitant", "Dr Martin", "Téléphone", "Désaccord persistant", "ZBROWSERRESUME", "(PDF)"} {
		if !strings.Contains(sec, want) {
			t.Errorf("section after the échange lacks %q", want)
		}
	}
	// The contre-visite.
	do(t, prat, "contre-visite",
		chromedp.SetValue(css("#cv-visite"), today.AddDays(-1).String()),
		chromedp.SetValue(css("#cv-rapport"), today.String()),
		chromedp.SetValue(css("#cv-conclusion"), "non_justifie"),
		chromedp.Click(css("#cv-medecin")), chromedp.KeyEvent("Lefort"),
		chromedp.Submit(css("#cv-medecin")))
	// The page of the échange already shows a success notice in #suivi: wait for
	// the contre-visite's own page, not for a notice the old page still has.
	waitText(t, prat, "#suivi", "Contre-visite enregistrée")
	sec = get(t, prat, "section", chromedp.Text(css("#suivi")))
	for _, want := range []string{"Contre-visite enregistrée", "Dr Lefort", "Arrêt non justifié", "Avis ou nouvel examen attendu au plus tard le"} {
		if !strings.Contains(sec, want) {
			t.Errorf("section after the contre-visite lacks %q: %s", want, sec)
		}
	}
	if cyc := get(t, prat, "lifecycle", chromedp.Text(css(".cycle"))); !strings.Contains(cyc, "Contre-visite patronale — le service médical agit") {
		t.Errorf("the deadline is not in the lifecycle section: %s", cyc)
	}
	checkLabels(t, prat, "dossier page after the contre-visite")

	agent := session(t, root)
	login(t, agent, base, "agent.67")
	do(t, agent, "agent's dossier page", chromedp.Navigate(fmt.Sprintf("%s/dossiers/%d", base, id)), chromedp.WaitVisible(css("#titre-suivi")))
	sec = get(t, agent, "agent's section", chromedp.Text(css("#suivi")))
	if !strings.Contains(sec, "Dr Martin") || strings.Contains(sec, "ZBROWSERRESUME") || !strings.Contains(sec, "réservé à l'équipe médicale") {
		t.Errorf("agent's section: %s", sec)
	}
}

// waitText waits, across a navigation, until the element sel of the page shown
// contains want (a wait on a selector alone may be met by the page being left).
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	expr := fmt.Sprintf(`(function(){var e=document.querySelector(%q);return !!e && e.textContent.includes(%q);})()`, sel, want)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never contained %q", sel, want)
		}
	}
}
