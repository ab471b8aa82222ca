package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestDemandeAcces: the DPO files an assuré's request for access (L1111-7 CSP);
// its deadlines are the 48 h of reflection and the 8 days (2 months for
// information over 5 years old); the communication is refused during the 48 h,
// possible once the scheduler has ended them, and closes the request, cancelling
// the 8 days; the dossier page shows the deadlines and the links; other roles and
// unknown NIRs are refused in French.
func TestDemandeAcces(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		fileTransport(t, e) // the assuré becomes known to the service médical
		const nir = "185056748212337"
		dpo := e.token("dpo")
		res, b := e.do("POST", "/api/v1/acces/demandes", dpo, map[string]any{"nir": nir}, nil)
		if res.StatusCode != 201 {
			t.Fatalf("filing: %d %s", res.StatusCode, b)
		}
		var out struct {
			ID        int64
			Echeances []sqldb.Echeance
			Liens     map[string]string
		}
		json.Unmarshal([]byte(b), &out)
		names := map[string]sqldb.Echeance{}
		for _, e := range out.Echeances {
			names[e.Nom] = e
		}
		today := medconseil.DateOf(db.Now())
		if r, ok := names["delai_reflexion"]; !ok || r.Limite != today.AddDays(2) {
			t.Errorf("reflection period: %+v", out.Echeances)
		}
		if c, ok := names["communication_8_jours"]; !ok || c.Limite != today.AddDays(8) {
			t.Errorf("8 days: %+v", out.Echeances)
		}
		if _, ok := names["communication_2_mois"]; ok {
			t.Error("the 2 months run for recent information")
		}
		if !strings.Contains(out.Liens["dossier_communicable"], "nir="+nir) || !strings.Contains(out.Liens["acces"], "/api/v1/acces?nir=") {
			t.Errorf("links: %v", out.Liens)
		}
		ev := fmt.Sprintf("/api/v1/dossiers/%d/evenements", out.ID)
		if res, b := e.do("POST", ev, dpo, map[string]any{"evenement": "communiquer", "version": 1}, nil); res.StatusCode != 409 || !strings.Contains(b, "impossible") {
			t.Errorf("communication during the 48 h: %d %s, want 409", res.StatusCode, b)
		}
		page := e.browser("dpo").get(fmt.Sprintf("/dossiers/%d", out.ID))
		for _, want := range []string{"Délai de réflexion de 48 heures", "Communication au plus tard dans les 8 jours", "L1111-7", "/api/v1/acces/dossier-communicable", `value="desistement"`} {
			if !strings.Contains(page, want) {
				t.Errorf("DPO's page lacks %q", want)
			}
		}
		// The scheduler ends the reflection period on the third day.
		if _, err := db.FireDeadlines(t.Context(), today.AddDays(3)); err != nil {
			t.Fatal(err)
		}
		res, b = e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", out.ID), dpo, nil, nil)
		if res.StatusCode != 200 || !strings.Contains(b, `"etat":"a_instruire"`) || !strings.Contains(b, `"version":2`) {
			t.Fatalf("after the 48 h: %d %s", res.StatusCode, b)
		}
		if res, b := e.do("POST", ev, dpo, map[string]any{"evenement": "communiquer", "version": 2}, nil); res.StatusCode != 200 {
			t.Fatalf("communication: %d %s", res.StatusCode, b)
		}
		es, _ := db.Echeances(t.Context(), out.ID)
		for _, x := range es {
			if x.Statut == "attente" {
				t.Errorf("deadline still pending after the communication: %+v", x)
			}
		}
		if _, b := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", out.ID), dpo, nil, nil); !strings.Contains(b, `"etat":"classee"`) {
			t.Errorf("after the communication: %s", b)
		}

		// Information over 5 years old: 2 months, not 8 days; filed by a praticien.
		res, b = e.do("POST", "/api/v1/acces/demandes", e.token("praticien.67"), map[string]any{"nir": nir, "informations_plus_5_ans": true}, nil)
		if res.StatusCode != 201 || !strings.Contains(b, "communication_2_mois") || strings.Contains(b, "communication_8_jours") {
			t.Errorf("over 5 years: %d %s", res.StatusCode, b)
		}
		for _, c := range []struct {
			login string
			body  map[string]any
			code  int
			msg   string
		}{
			{"agent.67", map[string]any{"nir": nir}, 403, "DPO"},
			{"cpam.67", map[string]any{"nir": nir}, 403, "DPO"},
			{"dpo", map[string]any{"nir": "185056748299934"}, 422, "aucun assuré"},
			{"dpo", map[string]any{"nir": "12"}, 422, "nir"},
			{"dpo", map[string]any{"nir": nir, "recue_le": "2030-01-01"}, 422, "futur"},
		} {
			if res, b := e.do("POST", "/api/v1/acces/demandes", e.token(c.login), c.body, nil); res.StatusCode != c.code || !strings.Contains(b, c.msg) {
				t.Errorf("%s %v: %d %s, want %d", c.login, c.body, res.StatusCode, b, c.code)
			}
		}
	})
}

// TestDemandeAccesPage: the DPO files the request from the HTML form and lands on
// the new dossier with its deadlines; a bad NIR or a future date is shown in
// French on the form, nothing filed; an agent has no such page.
func TestDemandeAccesPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		fileTransport(t, e)
		const nir = "185056748212337"
		dpo := e.browser("dpo")
		page := dpo.get("/acces/demandes/nouvelle")
		if !strings.Contains(page, "L1111-7") || !strings.Contains(page, `href="/acces/demandes/nouvelle"`) {
			t.Fatalf("DPO's form page lacks the law or the menu entry")
		}
		count := func() int {
			var n int
			if err := db.Read(t.Context(), func(tx *sqldb.Tx) error {
				return tx.QueryRow(t.Context(), `SELECT COUNT(*) FROM dossier WHERE type = 'acces_dossier'`).Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, bad := range []struct{ nir, recue, want string }{
			{"185056748212338", "", "clé"},
			{nir, "2099-01-01", "futur"},
			{"", "", "manquant"},
		} {
			res, body := dpo.post("/acces/demandes", url.Values{"csrf": {dpo.csrf}, "nir": {bad.nir}, "recue_le": {bad.recue}})
			if res.StatusCode != 422 || !strings.Contains(body, bad.want) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("bad input %+v: %d, want 422 with %q on the form", bad, res.StatusCode, bad.want)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("%d access requests filed by bad input", n)
		}
		res, body := dpo.post("/acces/demandes", url.Values{"csrf": {dpo.csrf}, "nir": {nir}, "anciennes": {"oui"}})
		if res.StatusCode != 200 || !strings.Contains(body, "enregistrée ; ses délais") || !strings.Contains(body, "2 mois") {
			t.Errorf("filing from the form: %d, want the dossier page with its 2-month deadline", res.StatusCode)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d access requests after one filing", n)
		}
		agent := e.browser("agent.67")
		if st, _ := agent.getStatus("/acces/demandes/nouvelle"); st != 404 {
			t.Errorf("agent's access-request page: %d, want 404", st)
		}
	})
}
