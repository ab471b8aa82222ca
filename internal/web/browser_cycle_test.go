package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestBrowserCycle: in Chromium, the agent of the territory opens a transport DAP,
// reads its pending accord tacite (last day, days left, legal source as a link),
// reaches the transition buttons with the keyboard and asks for documents; the
// page then shows the new state and the transition in the history.
func TestBrowserCycle(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	id := fileTransport(t, e)
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))
	login(t, ctx, base, "agent.67")
	page := fmt.Sprintf("%s/dossiers/%d", base, id)
	do(t, ctx, "dossier", chromedp.Navigate(page), chromedp.WaitVisible(css("#titre-cycle")))
	row := get(t, ctx, "deadline row", chromedp.Text(css("table.echeances tbody tr")))
	if !strings.Contains(row, "Silence de 15 jours") || !strings.Contains(row, "jours") || !strings.Contains(row, "R322-10-4") {
		t.Errorf("deadline row: %q", row)
	}
	if n := js[int](t, ctx, `document.querySelectorAll('table.echeances a[href^="https://www.legifrance.gouv.fr"]').length`); n == 0 {
		t.Error("the legal source is not a link")
	}
	checkLabels(t, ctx, "dossier")
	// Keyboard: focus the first transition button, Tab to the next, Enter on it.
	do(t, ctx, "focus the transitions", chromedp.Focus(css(`form.transitions button`)))
	first := js[string](t, ctx, `document.activeElement.value`)
	do(t, ctx, "Tab", chromedp.KeyEvent("\t"))
	second := js[string](t, ctx, `document.activeElement.value`)
	if first != "convoquer" || second != "demander_pieces" {
		t.Fatalf("transition buttons reached with the keyboard: %q then %q", first, second)
	}
	do(t, ctx, "Enter on « Demande de pièces »", chromedp.KeyEvent("\r"), chromedp.WaitVisible(css(".alerte.succes")))
	main := get(t, ctx, "page", chromedp.Text(css("main")))
	for _, want := range []string{"Événement enregistré", "Demande de pièces complémentaires — agent.67", "Réception des pièces demandées"} {
		if !strings.Contains(main, want) {
			t.Errorf("after the transition the page lacks %q", want)
		}
	}
}
