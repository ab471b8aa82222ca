package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestBrowserControle: the médecin chef imports the targeting list printed by
// « medconseil detect --json », opens an MSO/MSAP procedure from a proposition,
// notifies the professional (the observations deadline appears with its source)
// and records the hearing (the director's deadline appears), by keyboard-usable,
// labelled forms.
func TestBrowserControle(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	base := e.srv.URL
	root := browsertest.New(t)
	ctx := session(t, root)
	login(t, ctx, base, "chef.67")
	do(t, ctx, "control page", chromedp.Navigate(base+"/controle"), chromedp.WaitVisible(css("#liste")))
	if nav := get(t, ctx, "menu", chromedp.Text(css("header nav"))); !strings.Contains(nav, "Contrôle des professionnels") {
		t.Errorf("menu without the control entry: %q", nav)
	}
	checkLabels(t, ctx, "control")
	firstTab(t, ctx, base, "/controle")
	list := `[{"professionnel":"671012345","anomalie":"surprescription_ij","score":9.1,"explication":"jours d'IJ prescrits : observé 812, attendu 301 (ratio 2,7 ; z 6,1)"}]`
	do(t, ctx, "import the targeting list",
		chromedp.SendKeys(css("#lot"), "campagne IJ 2026"),
		chromedp.SetValue(css("#liste"), list),
		chromedp.Submit(css("#liste")),
		chromedp.WaitVisible(css(".alerte.succes")),
	)
	if msg := get(t, ctx, "message", chromedp.Text(css(".alerte.succes"))); !strings.Contains(msg, "1 proposition") {
		t.Fatalf("after import: %q", msg)
	}
	if table := get(t, ctx, "propositions", chromedp.Text(css("main"))); !strings.Contains(table, "observé 812, attendu 301") {
		t.Errorf("the explanation of the flag is not shown")
	}
	do(t, ctx, "open a procedure from the proposition",
		chromedp.SendKeys(css(`input[name="rpps"]`), "10001234567"),
		chromedp.Submit(css(`input[name="rpps"]`)),
		chromedp.WaitVisible(css("#etape")),
	)
	if title := get(t, ctx, "title", chromedp.Text(css("main h1"))); !strings.Contains(title, "Procédure MSO / MSAP") {
		t.Fatalf("procedure page: %q", title)
	}
	checkLabels(t, ctx, "procedure")
	if step := get(t, ctx, "step", chromedp.Text(css("#etape"))); !strings.Contains(step, "Proposée") {
		t.Errorf("step after opening: %q", step)
	}
	do(t, ctx, "notify the professional",
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`),
		chromedp.Click(css(`form:has(input[name="evenement"][value="notifier"]) button`)),
		chromedp.WaitVisible(css(".alerte.succes")),
	)
	if step := get(t, ctx, "step", chromedp.Text(css("#etape"))); !strings.Contains(step, "Notifiée") {
		t.Fatalf("step after notification: %q", step)
	}
	deadlines := get(t, ctx, "deadlines", chromedp.Text(css(`section[aria-labelledby="titre-echeances"]`)))
	if !strings.Contains(deadlines, "Délai d'audition ou d'observations") || !strings.Contains(deadlines, "R148-1") || !strings.Contains(deadlines, "1 mois") {
		t.Errorf("observations deadline not shown with its source: %q", deadlines)
	}
	do(t, ctx, "record the hearing",
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`),
		chromedp.SendKeys(css("#note-entendre"), "Audition du Dr X, assisté d'un confrère : explique sa patientèle."),
		chromedp.Click(css(`form:has(input[name="evenement"][value="entendre"]) button`)),
		chromedp.WaitVisible(css(".alerte.succes")),
	)
	if step := get(t, ctx, "step", chromedp.Text(css("#etape"))); !strings.Contains(step, "Audition") {
		t.Fatalf("step after the hearing: %q", step)
	}
	deadlines = get(t, ctx, "deadlines", chromedp.Text(css(`section[aria-labelledby="titre-echeances"]`)))
	if !strings.Contains(deadlines, "Décision du directeur") || !strings.Contains(deadlines, "abandonnée") {
		t.Errorf("director's deadline not shown: %q", deadlines)
	}
	if hist := get(t, ctx, "history", chromedp.Text(css(".historique"))); !strings.Contains(hist, "assisté d'un confrère") {
		t.Errorf("the hearing's minutes are not in the history: %q", hist)
	}
}
