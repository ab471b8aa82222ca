package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// fileTransport files the documented transport DAP (docs/dossiers/transport.example.json)
// as the demo prescripteur and returns its id.
func fileTransport(t *testing.T, e *env) int64 {
	t.Helper()
	raw, err := os.ReadFile("../../docs/dossiers/transport.example.json")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	res, b := e.do("POST", "/api/v1/dossiers", e.token("prescripteur.demo"), body, nil)
	if res.StatusCode != 201 {
		t.Fatalf("transport DAP: %d %s", res.StatusCode, b)
	}
	var created struct{ ID int64 }
	json.Unmarshal([]byte(b), &created)
	return created.ID
}

// TestCycleSection: the dossier page shows the state, the pending accord tacite of
// a transport DAP with its last day, the days left (then the days overdue when the
// clock passes it) and its legal source; the agent of the territory is offered the
// transitions his role permits and makes one from the page; the history lists the
// filing and the transition; the caisse's agent sees the deadlines but no button;
// an agent of another département gets a 404 from the form route.
func TestCycleSection(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := fileTransport(t, e)
		page := fmt.Sprintf("/dossiers/%d", id)
		agent := e.browser("agent.67")
		body := agent.get(page)
		for _, want := range []string{"Cycle de vie et délais légaux", "Silence de 15 jours", "R322-10-4", "15 jours", "Dépôt de la demande",
			`value="convoquer"`, `value="demander_pieces"`, `action="/dossiers/` + fmt.Sprint(id) + `/evenements"`} {
			if !strings.Contains(body, want) {
				t.Errorf("agent's page lacks %q", want)
			}
		}
		if strings.Contains(body, `value="notifier"`) || strings.Contains(body, `value="avis"`) {
			t.Error("the agent is offered a transition impossible from this state or reserved to the avis form")
		}
		if !strings.Contains(body, "15 jours</td>") && !strings.Contains(body, "14 jours</td>") {
			t.Errorf("days left not shown: %s", section(body))
		}
		cpam := e.browser("cpam.67")
		if b := cpam.get(page); !strings.Contains(b, "Silence de 15 jours") || strings.Contains(b, `/evenements"`) {
			t.Errorf("CPAM agent: deadlines %v, transition form %v", strings.Contains(b, "Silence de 15 jours"), strings.Contains(b, `/evenements"`))
		}

		other := e.browser("agent.57")
		other.get("/dossiers")
		if res, _ := other.post(page+"/evenements", url.Values{"csrf": {other.csrf}, "evenement": {"convoquer"}, "version": {"1"}}); res.StatusCode != 404 {
			t.Errorf("agent of another département: %d, want 404", res.StatusCode)
		}
		agent.get(page)
		res, b := agent.post(page+"/evenements", url.Values{"csrf": {agent.csrf}, "evenement": {"demander_pieces"}, "version": {"1"}})
		if res.StatusCode != 200 || !strings.Contains(b, "Événement enregistré") {
			t.Fatalf("demander_pieces from the page: %d %s", res.StatusCode, section(b))
		}
		for _, want := range []string{"Demande de pièces complémentaires — agent.67", `value="pieces_recues"`, "Délais échus ou sans objet", "sans objet"} {
			if !strings.Contains(b, want) {
				t.Errorf("after the transition the page lacks %q: %s", want, section(b))
			}
		}
		// A stale version is refused on the page, in French, nothing changed.
		res, b = agent.post(page+"/evenements", url.Values{"csrf": {agent.csrf}, "evenement": {"pieces_recues"}, "version": {"1"}})
		if res.StatusCode != 409 || !strings.Contains(b, "modifié depuis que vous l") {
			t.Errorf("stale version: %d %s", res.StatusCode, section(b))
		}
		res, b = agent.post(page+"/evenements", url.Values{"csrf": {agent.csrf}, "version": {"2"}})
		if res.StatusCode != 422 || !strings.Contains(b, "choisir l") {
			t.Errorf("no event: %d", res.StatusCode)
		}

		// Twenty days later the accord tacite of a second DAP is overdue (no sweep
		// ran); the session is opened under the moved clock.
		late := fmt.Sprintf("/dossiers/%d", fileTransport(t, e))
		db.Now = func() time.Time { return time.Now().AddDate(0, 0, 20) }
		defer func() { db.Now = time.Now }()
		if b := e.browser("praticien.67").get(late); !strings.Contains(b, "dépassé de ") || !strings.Contains(b, `class="depassee"`) {
			t.Errorf("overdue deadline not shown: %s", section(b))
		}
	})
}

// section returns the lifecycle section of a page, for failure messages.
func section(page string) string {
	i := strings.Index(page, `id="titre-cycle"`)
	if i < 0 {
		if len(page) > 600 {
			return page[:600]
		}
		return page
	}
	j := min(len(page), i+3000)
	return page[i:j]
}
