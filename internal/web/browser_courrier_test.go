package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb/sqldbtest"
)

const courrierLinksJS = `Array.from(document.querySelectorAll('#titre-courriers ~ table a[href^="/courriers/"]')).map(a => a.getAttribute('href'))`

// fetchStatusJS downloads a link with the page's session and returns "status type".
const fetchStatusJS = `fetch(%q).then(r => r.status + ' ' + r.headers.get('Content-Type'))`

// TestBrowserCourriers: the praticien gives an avis in Chromium; the dossier page
// then lists the three letters, each link reachable with the keyboard and
// downloading its PDF; the CPAM agent, on the same dossier, gets the assuré's
// notification and the caisse's copy, not the prescriber's letter.
func TestBrowserCourriers(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	res, body := e.do("POST", "/api/v1/arrets", e.token("prescripteur.demo"), arretBody(nil), nil)
	if res.StatusCode != 201 {
		t.Fatalf("arrêt: %d %s", res.StatusCode, body)
	}
	var created struct{ ID int64 }
	json.Unmarshal([]byte(body), &created)
	page := fmt.Sprintf("%s/dossiers/%d", e.srv.URL, created.ID)
	root := browsertest.New(t)

	ctx := session(t, root)
	login(t, ctx, e.srv.URL, "praticien.67")
	do(t, ctx, "dossier", chromedp.Navigate(page), chromedp.WaitVisible(css("#motif")))
	if n := js[int](t, ctx, `document.querySelectorAll('#titre-courriers').length`); n != 0 {
		t.Errorf("letters listed before any decision")
	}
	do(t, ctx, "give an avis",
		chromedp.Click(css("#sens-nj")),
		chromedp.SetValue(css("#effet_au"), "2026-11-10"),
		chromedp.SendKeys(css("#motif"), "Reprise possible au poste aménagé."),
		chromedp.Submit(css("#motif")),
		chromedp.WaitVisible(css("#titre-courriers")),
	)
	links := js[[]string](t, ctx, courrierLinksJS)
	if len(links) != 3 {
		t.Fatalf("after the avis the praticien sees %d letters, want 3: %v", len(links), links)
	}
	text := get(t, ctx, "letters table", chromedp.Text(css("#titre-courriers ~ table")))
	for _, want := range []string{"Assuré", "Prescripteur", "Caisse (CPAM)", "SM-67/"} {
		if !strings.Contains(text, want) {
			t.Errorf("letters table lacks %q: %s", want, text)
		}
	}
	// Keyboard: focusing the first link and pressing Enter would download; its
	// accessible name says which letter it is.
	name := js[string](t, ctx, `document.querySelector('#titre-courriers ~ table a').textContent`)
	if !strings.Contains(name, "Télécharger") || !strings.Contains(name, "PDF") {
		t.Errorf("link text %q does not say what it downloads", name)
	}
	for _, l := range links {
		got := get(t, ctx, "download "+l, chromedp.Evaluate[string](fmt.Sprintf(fetchStatusJS, l), chromedp.EvalAwaitPromise))
		if got != "200 application/pdf" {
			t.Errorf("%s: %s", l, got)
		}
	}

	cpam := session(t, root)
	login(t, cpam, e.srv.URL, "cpam.67")
	do(t, cpam, "dossier as the caisse", chromedp.Navigate(page), chromedp.WaitVisible(css("#titre-courriers")))
	if got := js[[]string](t, cpam, courrierLinksJS); len(got) != 2 || got[0] != links[0] || got[1] != links[2] {
		t.Errorf("the caisse sees letters %v, want %v and %v", got, links[0], links[2])
	}
	status := get(t, cpam, "prescriber's letter as the caisse", chromedp.Evaluate[string](fmt.Sprintf(fetchStatusJS, links[1]), chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(status, "404") {
		t.Errorf("the caisse downloads the prescriber's letter: %s", status)
	}
}
