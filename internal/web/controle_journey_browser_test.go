package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medconseil"
	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/web"
)

// clearAlerts removes the flash messages, so the next wait sees the new page's.
var clearAlerts = chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`)

// TestBrowserInduPenalite: from an MSO/MSAP procedure whose anomaly is
// confirmed, the médecin chef computes the indu in the browser from the claims
// lines (a bad date is named on its field), reads the trace (the time-barred line
// and why), sends the notification de payer (its letter and the 2-month deadline
// with its source appear), then engages a pénalité from the indu and notifies
// its facts (letter, R147-2 deadline), by labelled forms.
func TestBrowserInduPenalite(t *testing.T) {
	browsertest.Chromium(t)
	today := medconseil.DateOf(time.Now())
	dir := controleParquet(t, medconseil.NewDate(today.Year(), today.Month(), 1).AddMonths(-2))
	db := sqldbtest.SQLite(t)
	e := startWith(t, db, func(c *web.Config) { c.DetectData = dir })
	id := controleFixture(t, db)
	controleStep(t, db, id, "notifier", sqldb.EventInput{})
	controleStep(t, db, id, "entendre", sqldb.EventInput{Note: "audition : les faits sont reconnus"})
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))
	login(t, ctx, base, "chef.67")
	do(t, ctx, "procedure page", chromedp.Navigate(fmt.Sprintf("%s/controle/%d", base, id)), chromedp.WaitVisible(css("#form-indu")))
	checkLabels(t, ctx, "procedure with the indu form")
	do(t, ctx, "bad date",
		chromedp.SendKeys(css("#du"), "32/01/2020"),
		chromedp.SendKeys(css("#au"), today.Francais()),
		chromedp.Submit(css("#du")),
		chromedp.WaitVisible(css("#err-du")),
	)
	if msg := get(t, ctx, "error", chromedp.Text(css("#err-du"))); !strings.Contains(msg, "date illisible") {
		t.Errorf("error on the field du: %q", msg)
	}
	do(t, ctx, "compute the indu",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#du').value = ''; document.querySelector('#au').value = ''`),
		chromedp.SendKeys(css("#du"), "01/01/2020"),
		chromedp.SendKeys(css("#au"), today.Francais()),
		chromedp.SendKeys(css("#natures"), "1111"),
		chromedp.Submit(css("#du")),
		chromedp.WaitVisible(css(`section[aria-labelledby="titre-indu"]`)),
	)
	if title := get(t, ctx, "title", chromedp.Text(css("main h1"))); !strings.Contains(title, "Indu n°") {
		t.Fatalf("after the computation: %q", title)
	}
	trace := get(t, ctx, "trace", chromedp.Text(css(`section[aria-labelledby="titre-indu"]`)))
	for _, w := range []string{"80,00", "120,50", "L133-4 III", "total : 80,00"} {
		if !strings.Contains(trace, w) {
			t.Errorf("indu trace lacks %q: %q", w, trace)
		}
	}
	do(t, ctx, "send the notification de payer",
		clearAlerts,
		chromedp.Click(css(`form:has(input[name="evenement"][value="notifier"]) button`)),
		chromedp.WaitVisible(css(".alerte.succes")),
	)
	letters := get(t, ctx, "letters", chromedp.Text(css(`section[aria-labelledby="titre-courriers"]`)))
	if !strings.Contains(letters, "notification de payer") {
		t.Errorf("no notification de payer: %q", letters)
	}
	deadlines := get(t, ctx, "deadlines", chromedp.Text(css(`section[aria-labelledby="titre-echeances"]`)))
	if !strings.Contains(deadlines, "Paiement ou observations") || !strings.Contains(deadlines, "2 mois") || !strings.Contains(deadlines, today.AddMonths(2).Francais()) {
		t.Errorf("indu deadline: %q", deadlines)
	}
	do(t, ctx, "engage a pénalité",
		clearAlerts,
		chromedp.SendKeys(css("#motif"), "L114-17-1 II 1° : facturation d'actes non conformes"),
		chromedp.Submit(css("#motif")),
		chromedp.WaitVisible(css(".alerte.succes")),
	)
	if title := get(t, ctx, "title", chromedp.Text(css("main h1"))); !strings.Contains(title, "Pénalité financière") {
		t.Fatalf("after engaging: %q", title)
	}
	checkLabels(t, ctx, "pénalité")
	do(t, ctx, "notify the facts",
		clearAlerts,
		chromedp.Click(css(`form:has(input[name="evenement"][value="notifier"]) button`)),
		chromedp.WaitVisible(css(".alerte.succes")),
	)
	if step := get(t, ctx, "step", chromedp.Text(css("#etape"))); !strings.Contains(step, "notifiés") {
		t.Errorf("pénalité step: %q", step)
	}
	deadlines = get(t, ctx, "deadlines", chromedp.Text(css(`section[aria-labelledby="titre-echeances"]`)))
	if !strings.Contains(deadlines, "R147-2") || !strings.Contains(deadlines, "1 mois") {
		t.Errorf("pénalité deadline: %q", deadlines)
	}
	if letters := get(t, ctx, "letters", chromedp.Text(css(`section[aria-labelledby="titre-courriers"]`))); !strings.Contains(letters, "notification des faits") {
		t.Errorf("no letter of the facts: %q", letters)
	}
	// The letter opens as a PDF through the procedure's gate.
	href := js[string](t, ctx, `document.querySelector('section[aria-labelledby="titre-courriers"] a').getAttribute('href')`)
	res, _ := e.browser("chef.67").getStatus(href)
	if res != 200 {
		t.Errorf("letter %s: %d", href, res)
	}
}

// TestBrowserContentieuxAvis: a praticien-conseil opens, from a dossier whose
// avis was notified, the « Contester l'avis » entry: the page states the 2-month
// délai from the notification with its source; a recourse dated before the
// notification is refused on its field; the contentieux opens with its CMRA
// deadlines, the dossier becomes « contestée », and a pièce is added.
func TestBrowserContentieuxAvis(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	ctx0 := context.Background()
	res, body := e.do("POST", "/api/v1/arrets", e.token("prescripteur.demo"), arretBody(nil), nil)
	if res.StatusCode != 201 {
		t.Fatalf("arrêt: %d %s", res.StatusCode, body)
	}
	var out struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	pr := matrixActeur(t, db, "praticien.67")
	d, err := db.Dossier(ctx0, pr, out.ID, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	ver, err := db.GiveAvis(ctx0, pr, out.ID, d.Version, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Transition(ctx0, matrixActeur(t, db, "agent.67"), out.ID, ver, "notifier", sqldb.Meta{}); err != nil {
		t.Fatal(err)
	}
	today := medconseil.DateOf(time.Now())
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))
	login(t, ctx, base, "praticien.67")
	do(t, ctx, "dossier page", chromedp.Navigate(fmt.Sprintf("%s/dossiers/%d", base, out.ID)), chromedp.WaitVisible(css(`a[href$="/contentieux"]`)))
	do(t, ctx, "Contester l'avis", chromedp.Click(css(`a[href$="/contentieux"]`)), chromedp.WaitVisible(css("#delai-contestation")))
	checkLabels(t, ctx, "contest form")
	delai := get(t, ctx, "délai", chromedp.Text(css("#delai-contestation")))
	if !strings.Contains(delai, today.Francais()) || !strings.Contains(delai, today.AddMonths(2).Francais()) || !strings.Contains(delai, "R142-1-A") {
		t.Errorf("délai shown: %q", delai)
	}
	do(t, ctx, "recourse before the notification",
		chromedp.SendKeys(css("#requerant"), "l'assuré"),
		chromedp.SendKeys(css("#objet"), "conteste l'avis : arrêt justifié au-delà"),
		chromedp.SendKeys(css("#recu"), today.AddDays(-1).Francais()),
		chromedp.Submit(css("#recu")),
		chromedp.WaitVisible(css("#err-recu")),
	)
	if msg := get(t, ctx, "error", chromedp.Text(css("#err-recu"))); !strings.Contains(msg, "ne peut précéder la notification") {
		t.Errorf("error on recu: %q", msg)
	}
	do(t, ctx, "open the contentieux",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#recu').value = ''`),
		chromedp.SendKeys(css("#recu"), today.Francais()),
		chromedp.Submit(css("#recu")),
		chromedp.WaitVisible(css("#etape")),
	)
	if title := get(t, ctx, "title", chromedp.Text(css("main h1"))); !strings.Contains(title, "Contentieux") {
		t.Fatalf("after opening: %q", title)
	}
	deadlines := get(t, ctx, "deadlines", chromedp.Text(css(`section[aria-labelledby="titre-echeances"]`)))
	for _, w := range []string{"rapport médical", "10 jours", "Silence de la CMRA", "4 mois", today.AddDays(10).Francais()} {
		if !strings.Contains(deadlines, w) {
			t.Errorf("CMRA deadlines lack %q: %q", w, deadlines)
		}
	}
	// A pièce, added by the same praticien (form post).
	page := js[string](t, ctx, `location.pathname`)
	b := e.browser("praticien.67")
	b.get(page)
	if res, body := b.post(page+"/elements", url.Values{"csrf": {b.csrf}, "genre": {"piece"}, "partie": {"assuré"}, "contenu": {"certificat du médecin traitant"}}); res.StatusCode != 200 || !strings.Contains(body, "certificat du médecin traitant") {
		t.Errorf("pièce: %d", res.StatusCode)
	}
	if d, _ := db.Dossier(ctx0, pr, out.ID, sqldb.Meta{}); d.Etat != medconseil.EtatContestee {
		t.Errorf("dossier state after the contest: %s", d.Etat)
	}
}
