package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// matrixEchanges adds to the secret matrix an échange on the arrêt of the
// Bas-Rhin (summary: the medical team only; the doctor's name: administrative)
// and a contre-visite on the arrêt of assuré B in Moselle (administrative).
func matrixEchanges(t *testing.T, fx *matrixFix) {
	t.Helper()
	e := fx.e
	today := medconseil.DateOf(time.Now())
	d := fx.dossiers[0]
	resume, medecin := fmt.Sprintf("ZM%02dECHANGE_RESUME", d.idx), fmt.Sprintf("ZM%02dECHANGE_MEDECIN", d.idx)
	res, out := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/echanges", d.id), fx.tokens["praticien.67"], map[string]any{
		"medecin_nom": medecin, "date_contact": today.String(), "canal": "telephone", "initiative": "service_medical", "issue": "desaccord", "resume": resume, "lettre": true}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("matrix échange: %d %s", res.StatusCode, out)
	}
	fx.marks[resume] = &mMark{value: resume, label: "echange.resume (équipe médicale)", grants: []mGrant{{d: d, need: needInterne}}}
	fx.marks[medecin] = &mMark{value: medecin, label: "echange.medecin_nom (administratif)", grants: []mGrant{{d: d, need: classAdmin}}}
	// The medical team reads the summary back (the matrix cannot pass by showing nothing).
	if _, out := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/echanges", d.id), fx.tokens["chef.67"], nil, nil); !strings.Contains(out, resume) {
		t.Fatalf("the médecin chef does not read the summary: %s", out)
	}
	if _, out := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/echanges", d.id), fx.tokens["agent.67"], nil, nil); !strings.Contains(out, medecin) || strings.Contains(out, resume) {
		t.Fatalf("the agent's view of the échanges: %s", out)
	}
	cv := fx.dossiers[11]
	if cv.typ != medconseil.TypeArretTravail {
		t.Fatalf("matrix: dossier 11 is %s", cv.typ)
	}
	ctrl, empl := fmt.Sprintf("ZM%02dCV_CONTROLEUR", cv.idx), fmt.Sprintf("ZM%02dCV_EMPLOYEUR", cv.idx)
	res, out = e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/contre-visites", cv.id), fx.tokens["agent.57"], map[string]any{
		"visite_le": today.AddDays(-1).String(), "rapport_le": today.String(), "conclusion": "examen_impossible", "controleur_nom": ctrl, "employeur": empl}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("matrix contre-visite: %d %s", res.StatusCode, out)
	}
	for _, m := range []string{ctrl, empl} {
		fx.marks[m] = &mMark{value: m, label: "contre_visite (administratif)", grants: []mGrant{{d: cv, need: classAdmin}}}
	}
}

// TestEchangeAndContreVisiteWeb: the API and the forms of the dossier page, with
// French messages naming the field, and who sees what.
func TestEchangeAndContreVisiteWeb(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := fileArret(t, e, "67482", 0)
		prat, agent := e.token("praticien.67"), e.token("agent.67")
		today := medconseil.DateOf(time.Now())
		path := fmt.Sprintf("/api/v1/dossiers/%d/echanges", id)
		// Bad input: 422 naming the fields.
		res, out := e.do("POST", path, prat, map[string]any{"medecin_nom": "", "date_contact": "32/13/2026", "canal": "fax", "initiative": "service_medical", "issue": "accord", "resume": "x"}, nil)
		if res.StatusCode != 422 || !strings.Contains(out, "medecin_nom") || !strings.Contains(out, "canal") || !strings.Contains(out, "date_contact") {
			t.Fatalf("bad échange: %d %s", res.StatusCode, out)
		}
		// The agent may not log one.
		good := map[string]any{"medecin_nom": "Dupont", "date_contact": today.String(), "canal": "messagerie_securisee", "initiative": "medecin_traitant", "issue": "accord", "resume": "ZWEBRESUME traitement adapté", "lettre": true}
		if res, out := e.do("POST", path, agent, good, nil); res.StatusCode != 403 {
			t.Fatalf("agent logs an échange: %d %s", res.StatusCode, out)
		}
		res, out = e.do("POST", path, prat, good, nil)
		var ech struct {
			ID     int64
			Lettre string
		}
		json.Unmarshal([]byte(out), &ech)
		if res.StatusCode != 201 || !strings.HasPrefix(ech.Lettre, "/api/v1/courriers/") {
			t.Fatalf("échange: %d %s", res.StatusCode, out)
		}
		if res, body := e.do("GET", ech.Lettre, prat, nil, nil); res.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
			t.Fatalf("letter: %d", res.StatusCode)
		}
		if _, out := e.do("GET", path, agent, nil, nil); !strings.Contains(out, "Dupont") || strings.Contains(out, "ZWEBRESUME") || !strings.Contains(out, `"resume_masque":true`) {
			t.Errorf("agent's échanges: %s", out)
		}
		// The dossier page: the praticien sees the summary and the letter, the agent neither the summary nor the form.
		pb, ab := e.browser("praticien.67"), e.browser("agent.67")
		page := pb.get(fmt.Sprintf("/dossiers/%d", id))
		for _, want := range []string{"Échanges confraternels avec le médecin traitant", "ZWEBRESUME", "Messagerie sécurisée de santé", "Enregistrer un échange", "Enregistrer le rapport d'une contre-visite", "(PDF)"} {
			if !strings.Contains(page, want) {
				t.Errorf("praticien's page lacks %q", want)
			}
		}
		page = ab.get(fmt.Sprintf("/dossiers/%d", id))
		if !strings.Contains(page, "Dupont") || strings.Contains(page, "ZWEBRESUME") || strings.Contains(page, "Enregistrer un échange") || !strings.Contains(page, "Enregistrer le rapport d'une contre-visite") {
			t.Errorf("agent's page: échange shown without summary and no échange form expected")
		}
		// Form errors: the page again, the message by the field, the input kept.
		v := url.Values{"csrf": {pb.csrf}, "medecin_nom": {"Durand"}, "date_contact": {today.AddDays(3).String()}, "canal": {"telephone"}, "initiative": {"service_medical"}, "issue": {"information"}, "resume": {"ZWEBGARDE"}}
		res, page = pb.post(fmt.Sprintf("/dossiers/%d/echanges", id), v)
		if res.StatusCode != 422 || !strings.Contains(page, "dans le futur") || !strings.Contains(page, "ZWEBGARDE") || !strings.Contains(page, `aria-invalid="true" aria-describedby="err-ech-date"`) {
			t.Fatalf("échange form error: %d", res.StatusCode)
		}
		v = url.Values{"csrf": {pb.csrf}, "visite_le": {today.AddDays(-1).String()}, "rapport_le": {today.AddDays(-2).String()}, "conclusion": {"absent"}, "controleur_nom": {""}}
		res, page = pb.post(fmt.Sprintf("/dossiers/%d/contre-visites", id), v)
		if res.StatusCode != 422 || !strings.Contains(page, "ne peut précéder la contre-visite") || !strings.Contains(page, "nom du médecin contrôleur") {
			t.Fatalf("contre-visite form error: %d", res.StatusCode)
		}
		v.Set("rapport_le", today.String())
		v.Set("controleur_nom", "Lefort")
		res, page = pb.post(fmt.Sprintf("/dossiers/%d/contre-visites", id), v)
		if res.StatusCode != 200 || !strings.Contains(page, "Contre-visite enregistrée") || !strings.Contains(page, "nouvel examen obligatoire") || !strings.Contains(page, "Avis ou nouvel examen attendu au plus tard le") {
			t.Fatalf("contre-visite form: %d", res.StatusCode)
		}
		// The deadline is in the lifecycle section and the worklist.
		if !strings.Contains(page, "Contre-visite patronale — le service médical agit") {
			t.Error("the deadline is not among the lifecycle's délais")
		}
		_, out = e.do("GET", "/api/v1/dossiers?par_page=200", prat, nil, nil)
		if !strings.Contains(out, fmt.Sprintf(`"id":%d`, id)) {
			t.Fatalf("worklist: %s", out)
		}
		// The caisse is told, without clinical content.
		_, out = e.do("GET", "/api/v1/notifications", e.token("cpam.67"), nil, nil)
		if !strings.Contains(out, "contre_visite") || strings.Contains(out, "lombalgie") || strings.Contains(out, "ZWEB") {
			t.Errorf("notifications: %s", out)
		}
	})
}
