package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medconseil"
	"medconseil/internal/browsertest"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestBrowserConvocation: in Chromium, the administrative agent creates a room
// and a weekly plage on the site of Haguenau, opens a dossier's convocation page
// and books the first slot proposed; at the hour of the convocation, the
// praticien-conseil records the presence and the three phases of the
// examination, which the agent then does not see.
func TestBrowserConvocation(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	importCommunes(t, db)
	id := fileArret(t, e, "67180", 0)
	base := e.srv.URL
	root := browsertest.New(t)
	monday := nextMonday()

	agent := session(t, root)
	login(t, agent, base, "agent.67")
	do(t, agent, "agenda of Haguenau", chromedp.Navigate(base+"/agenda/S67-HAGUENAU"), chromedp.WaitVisible(css("#nom")))
	checkLabels(t, agent, "/agenda/S67-HAGUENAU")
	do(t, agent, "add a room", chromedp.SendKeys(css("#nom"), "Salle Pasteur"), chromedp.Submit(css("#nom")), chromedp.WaitVisible(css(".alerte.succes")))
	do(t, agent, "plage form",
		clearAlerts, // the room's notice must not stand for the plage's
		chromedp.SetValue(css("#praticien"), "praticien.67"),
		chromedp.SetValue(css("#du"), monday.String()),
		chromedp.SetValue(css("#au"), monday.AddDays(7).String()),
		chromedp.Submit(css("#praticien")), chromedp.WaitVisible(css(".alerte.succes")))
	if msg := get(t, agent, "plage message", chromedp.Text(css(".alerte.succes"))); !strings.Contains(msg, "12 créneaux") {
		t.Fatalf("plage: %q", msg)
	}
	do(t, agent, "convocation page", chromedp.Navigate(fmt.Sprintf("%s/dossiers/%d/convocation", base, id)), chromedp.WaitVisible(css("#titre-creneaux")))
	checkLabels(t, agent, "convocation")
	first := get(t, agent, "first slot", chromedp.Text(css("fieldset .case label")))
	if !strings.Contains(first, "Site de Haguenau") || !strings.Contains(first, "09:00") {
		t.Fatalf("first slot proposed: %q", first)
	}
	// Keyboard: the first slot is checked; submit with the button.
	do(t, agent, "book", chromedp.Click(css("#convoquer")), chromedp.WaitVisible(css(".alerte.succes")))
	if msg := get(t, agent, "booked", chromedp.Text(css(".alerte.succes"))); !strings.Contains(msg, "Convocation n°") || !strings.Contains(msg, "Site de Haguenau") {
		t.Fatalf("booking message: %q", msg)
	}
	if hist := get(t, agent, "history", chromedp.Text(css("#titre-historique + table"))); !strings.Contains(hist, "Prévue") || !strings.Contains(hist, "lettre (PDF)") {
		t.Errorf("history: %q", hist)
	}

	// At the convocation's hour.
	start, _ := time.ParseInLocation(medconseil.CreneauLayout, monday.String()+"T09:00", paris())
	db.Now = func() time.Time { return start.Add(15 * time.Minute) }
	defer func() { db.Now = time.Now }()
	prat := session(t, root)
	login(t, prat, base, "praticien.67")
	do(t, prat, "convocation page", chromedp.Navigate(fmt.Sprintf("%s/dossiers/%d/convocation", base, id)), chromedp.WaitVisible(css("#p-present")))
	do(t, prat, "present", chromedp.Click(css("#p-present")), chromedp.Submit(css("#p-present")), chromedp.WaitVisible(css(".alerte.succes")))
	checkLabels(t, prat, "examination form")
	do(t, prat, "examination",
		clearAlerts, // the presence's notice must not stand for the examination's
		chromedp.Click(css(`input[name=identite_verifiee]`)),
		chromedp.SendKeys(css(`textarea[name=interrogatoire]`), "ZBROWSERINTERRO lombalgie depuis 3 mois"),
		chromedp.SendKeys(css(`textarea[name=examen_clinique]`), "ZBROWSERCLIN Lasègue négatif"),
		chromedp.SendKeys(css(`textarea[name=conclusions]`), "ZBROWSERCONCL reprise possible"),
		chromedp.Submit(css(`textarea[name=conclusions]`)), chromedp.WaitVisible(css(".alerte.succes")))
	body := get(t, prat, "examination shown", chromedp.Text(css("main")))
	for _, want := range []string{"Examen enregistré", "ZBROWSERINTERRO", "ZBROWSERCLIN", "ZBROWSERCONCL", "Identité vérifiée", "Rendre l'avis"} {
		if !strings.Contains(body, want) {
			t.Errorf("praticien's page lacks %q", want)
		}
	}
	// The agent sees the date, the place and the status, never the examination.
	agent2 := session(t, root)
	login(t, agent2, base, "agent.67")
	do(t, agent2, "agent reloads", chromedp.Navigate(fmt.Sprintf("%s/dossiers/%d/convocation", base, id)), chromedp.WaitVisible(css("#titre-historique")))
	body = get(t, agent2, "agent's page", chromedp.Text(css("main")))
	if !strings.Contains(body, "Assuré présent") || !strings.Contains(body, "Site de Haguenau") || strings.Contains(body, "ZBROWSER") {
		t.Errorf("agent's page: %q", body)
	}
}
