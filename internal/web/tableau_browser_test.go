package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestBrowserTableauMedecinChef: the médecin chef of the Bas-Rhin logs in with
// the keyboard, lands on the dashboard, reaches the map's départements with Tab,
// follows one to its row and reads the map's table alternative.
func TestBrowserTableauMedecinChef(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := startTableau(t, db)
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))

	login(t, ctx, base, "chef.67")
	do(t, ctx, "landing", chromedp.WaitVisible(css("#table-carte")))
	if path := js[string](t, ctx, `location.pathname`); path != "/tableau-de-bord" {
		t.Fatalf("the médecin chef lands on %s, want /tableau-de-bord", path)
	}
	if title := get(t, ctx, "title", chromedp.Title()); !strings.Contains(title, "Tableau de bord") {
		t.Errorf("title %q", title)
	}
	checkLabels(t, ctx, "tableau de bord")
	firstTab(t, ctx, base, "/tableau-de-bord")

	// The map is an accessible group; its départements are links in the tab order.
	if got := js[string](t, ctx, `document.querySelector('svg.carte-geo').getAttribute('role') + ' ' + document.getElementById('carte-titre').textContent`); !strings.Contains(got, "group Dossiers reçus par échelon") {
		t.Errorf("map: %q, want a group titled « Dossiers reçus par échelon »", got)
	}
	// Tab from the period form's last control until a département has the focus.
	do(t, ctx, "focus the period link", chromedp.Focus(css(`form.filtres a`)))
	focused := ""
	for range 40 {
		do(t, ctx, "Tab", chromedp.KeyEvent("\t"))
		focused = js[string](t, ctx, `(document.activeElement.getAttribute('href') || '') + '|' + (document.activeElement.getAttribute('aria-label') || '')`)
		if strings.HasPrefix(focused, "#echelon-") {
			break
		}
	}
	if !strings.HasPrefix(focused, "#echelon-67|Bas-Rhin (67)") {
		t.Fatalf("keyboard on the map reaches %q, want the Bas-Rhin first (the only échelon of the médecin chef)", focused)
	}
	do(t, ctx, "Enter on the Bas-Rhin", chromedp.KeyEvent("\r"))
	if h := js[string](t, ctx, `location.hash`); h != "#echelon-67" {
		t.Errorf("Enter on the map's Bas-Rhin goes to %q, want #echelon-67", h)
	}

	// The table alternative: its caption, its columns and the Bas-Rhin's row,
	// whose figures are those the map's accessible name reads out.
	caption := get(t, ctx, "caption", chromedp.Text(css("#table-carte caption")))
	heads := js[[]string](t, ctx, `Array.from(document.querySelectorAll('#table-carte thead th')).map(th => th.textContent)`)
	row := js[[]string](t, ctx, `Array.from(document.querySelectorAll('#echelon-67 th, #echelon-67 td')).map(c => c.textContent)`)
	if !strings.Contains(caption, "données de la carte") || len(heads) != 9 || len(row) != 9 {
		t.Fatalf("table alternative: caption %q, %d columns, Bas-Rhin row %v", caption, len(heads), row)
	}
	if !strings.HasSuffix(row[0], "(67)") {
		t.Errorf("Bas-Rhin row header %q", row[0])
	}
	label := strings.SplitN(focused, "|", 2)[1]
	plural := func(n string) string { // 0 and 1 take the singular in French
		if n == "0" || n == "1" {
			return ""
		}
		return "s"
	}
	if !strings.Contains(label, ": "+row[1]+" dossier"+plural(row[1])+" reçu"+plural(row[1])+", "+row[2]+" ouvert"+plural(row[2])+", "+row[3]+" en retard") {
		t.Errorf("the map says %q, the table %v: they disagree", label, row)
	}
	if row[1] == "0" {
		t.Error("the Bas-Rhin row shows no dossier received, the demo filed some")
	}
	if rows := js[int](t, ctx, `document.querySelectorAll('#table-carte tbody tr').length`); rows != 1 {
		t.Errorf("the médecin chef's table has %d échelons, want 1", rows)
	}
	// Each chart has a title, a description and is reachable with the keyboard.
	for _, id := range []string{"graphe-volumes", "graphe-delais"} {
		got := js[string](t, ctx, `(() => { const g = document.getElementById('`+id+`'); return g.getAttribute('role') + '|' + g.tabIndex + '|' + g.querySelector('title').textContent })()`)
		if !strings.HasPrefix(got, "img|0|") {
			t.Errorf("chart %s: %q, want role img, tabindex 0 and a title", id, got)
		}
	}
}
