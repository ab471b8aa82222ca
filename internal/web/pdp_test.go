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
	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// matrixPDP records, on the fixture's Bas-Rhin arrêt, a PDP action of the
// caisse's cell and two contacts with the médecin du travail — one logged by the
// praticien-conseil (its summary is clinical: the medical team only), one by the
// cell (the PDP section's readers) — each text carrying a marker.
func matrixPDP(t *testing.T, fx *matrixFix) {
	t.Helper()
	e := fx.e
	d := fx.dossiers[0]
	if d.typ != medconseil.TypeArretTravail || d.dep != "67" {
		t.Fatalf("matrix PDP: dossier 0 is %s %s", d.typ, d.dep)
	}
	today := medconseil.DateOf(time.Now().In(paris())).String() // a background date, never a marker
	if res, out := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/pdp/actions", d.id), fx.tokens["pdp.67"], map[string]any{"nature": "visite_pre_reprise", "debut": today, "issue": "reclassement"}, nil); res.StatusCode != 201 {
		t.Fatalf("matrix PDP action: %d %s", res.StatusCode, out)
	}
	qui := fmt.Sprintf("ZM%02dPDP_QUI", d.idx)
	fx.marks[qui] = &mMark{value: qui, label: "pdp.contact.qui (suivi PDP)", grants: []mGrant{{d: d, need: needPDP}}}
	for _, c := range []struct{ login, mark, need string }{
		{"praticien.67", fmt.Sprintf("ZM%02dPDP_RESUME_MEDICAL", d.idx), needInterne},
		{"pdp.67", fmt.Sprintf("ZM%02dPDP_RESUME_CELLULE", d.idx), needPDP},
	} {
		fx.marks[c.mark] = &mMark{value: c.mark, label: "pdp.contact.resume (" + c.need + ")", grants: []mGrant{{d: d, need: c.need}}}
		if res, out := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/pdp/contacts", d.id), fx.tokens[c.login], map[string]any{"qui": qui, "quand": today, "canal": "telephone", "resume": c.mark}, nil); res.StatusCode != 201 {
			t.Fatalf("matrix PDP contact by %s: %d %s", c.login, res.StatusCode, out)
		}
	}
	// Both sides read back what is theirs (the matrix cannot pass by showing nothing).
	_, out := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/pdp", d.id), fx.tokens["pdp.67"], nil, nil)
	if !strings.Contains(out, "PDP_RESUME_CELLULE") || strings.Contains(out, "PDP_RESUME_MEDICAL") || !strings.Contains(out, "reclassement") {
		t.Fatalf("the cell's PDP section: %s", out)
	}
	_, out = e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/pdp", d.id), fx.tokens["infirmier.67"], nil, nil)
	if !strings.Contains(out, "PDP_RESUME_MEDICAL") {
		t.Fatalf("the medical team's PDP section: %s", out)
	}
}

// TestBrowserPDPJourney: the caisse's PDP cell in Chromium — the PDP worklist,
// the signalled dossier (no clinical content), an action refused with the field
// named, then recorded, and back in the worklist with its outcome.
func TestBrowserPDPJourney(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	ctx0 := context.Background()
	pc := matrixActeur(t, db, "praticien.67")
	today := medconseil.DateOf(time.Now().In(paris()))
	debut, fin := today.AddDays(-100), today.AddDays(20)
	cim, _ := medconseil.ParseCIM10("M54.5")
	id, _, err := db.CreateArret(ctx0, pc, sqldb.ArretInput{
		Assure:       medconseil.Assure{NIR: "185056748212337", Residence: "67482", Nom: "MARTIN", Prenom: "Paul"},
		Prescripteur: demo.PrescripteurRPPS,
		Arret:        medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: debut, Fin: fin, CIM10: cim, Libelle: "ZZLIBELLESECRET", Motif: "ZZMOTIFSECRET"},
	}, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))
	login(t, ctx, base, "pdp.67")
	do(t, ctx, "PDP worklist", chromedp.Navigate(base+"/pdp"), chromedp.WaitVisible(css("#liste-pdp")))
	checkLabels(t, ctx, "pdp")
	if txt := get(t, ctx, "worklist text", chromedp.Text(css("#liste-pdp"))); !strings.Contains(txt, "plus de 3 mois") || !strings.Contains(txt, "MARTIN") || !strings.Contains(txt, "aucune") {
		t.Errorf("PDP worklist: %q", txt)
	}
	link := fmt.Sprintf(`#liste-pdp a[href^="/dossiers/%d"]`, id)
	do(t, ctx, "open the dossier", chromedp.Click(css(link)), chromedp.WaitVisible(css("#titre-pdp")))
	checkLabels(t, ctx, "dossier (PDP)")
	if body := get(t, ctx, "dossier", chromedp.Text(css("main"))); strings.Contains(body, "ZZ") || strings.Contains(body, "M54") {
		t.Errorf("the cell reads clinical content: %q", body)
	}
	// Keyboard: the action form is reachable and labelled.
	do(t, ctx, "bad date", chromedp.SetValue(css("#pdp-nature"), "visite_pre_reprise"), chromedp.SendKeys(css("#pdp-debut"), "31/02/2026"),
		chromedp.Submit(css("#pdp-debut")), chromedp.WaitVisible(css("#err-pdp-debut")))
	if msg := get(t, ctx, "error", chromedp.Text(css("#err-pdp-debut"))); !strings.Contains(msg, "JJ/MM/AAAA") {
		t.Errorf("error beside the date: %q", msg)
	}
	if inv := js[string](t, ctx, `document.getElementById('pdp-debut').getAttribute('aria-invalid')`); inv != "true" {
		t.Errorf("aria-invalid on the date: %q", inv)
	}
	do(t, ctx, "record the action", chromedp.SetValue(css("#pdp-debut"), today.Francais()), chromedp.SetValue(css("#pdp-issue"), "retour_emploi_amenage"),
		chromedp.Submit(css("#pdp-debut")), chromedp.WaitVisible(css(".alerte.succes")))
	if txt := get(t, ctx, "section", chromedp.Text(css("section.pdp"))); !strings.Contains(txt, "Visite de pré-reprise") || !strings.Contains(txt, "aménagement") {
		t.Errorf("the action is not shown: %q", txt)
	}
	do(t, ctx, "back to the worklist", chromedp.Navigate(base+"/pdp"), chromedp.WaitVisible(css("#liste-pdp")))
	if txt := get(t, ctx, "worklist after", chromedp.Text(css("#liste-pdp"))); !strings.Contains(txt, "aménagement") {
		t.Errorf("worklist after the action: %q", txt)
	}
}
