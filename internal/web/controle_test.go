package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestControleAccess: the procedures are shown to the médecin chef and the
// praticiens of their territory only — every other role, and another
// département's praticien, get « introuvable » — and the decisions are the
// médecin chef's; an arrêt filed through the API by a prescriber under MSAP shows
// the prior-agreement alert on its page, with the pre-analysis of the real intake.
func TestControleAccess(t *testing.T) {
	ctx := context.Background()
	execSQL := func(t *testing.T, db *sqldb.DB, q string, args ...any) {
		t.Helper()
		if err := db.Write(ctx, func(tx *sqldb.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		chef := e.browser("chef.67")
		chef.get("/controle")
		list := `[{"professionnel":"671012345","anomalie":"surprescription_ij","score":9.1,"explication":"observé 812, attendu 301"}]`
		res, body := chef.post("/controle/propositions", url.Values{"csrf": {chef.csrf}, "lot": {"campagne"}, "liste": {list}})
		if res.StatusCode != 200 || !strings.Contains(body, "1 proposition(s) ajoutée(s)") {
			t.Fatalf("import: %d %s", res.StatusCode, body)
		}
		bad := e.browser("chef.67")
		bad.get("/controle")
		if res, body := bad.post("/controle/propositions", url.Values{"csrf": {bad.csrf}, "lot": {"x"}, "liste": {`[{"professionnel":1}]`}}); res.StatusCode != 422 || !strings.Contains(body, "liste de ciblage illisible") {
			t.Errorf("bad list: %d", res.StatusCode)
		}
		var pid int64
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT id FROM controle_proposition`).Scan(&pid)
		}); err != nil {
			t.Fatal(err)
		}
		prat := e.browser("praticien.67")
		prat.get("/controle")
		if res, _ := prat.post(fmt.Sprintf("/controle/propositions/%d/procedure", pid), url.Values{"csrf": {prat.csrf}, "rpps": {"10001234567"}}); res.StatusCode != 403 {
			t.Errorf("praticien opens a procedure: %d", res.StatusCode)
		}
		res, body = chef.post(fmt.Sprintf("/controle/propositions/%d/procedure", pid), url.Values{"csrf": {chef.csrf}, "rpps": {"10001234567"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Procédure MSO / MSAP n°") {
			t.Fatalf("open: %d", res.StatusCode)
		}
		var cid int64
		if err := db.Read(ctx, func(tx *sqldb.Tx) error { return tx.QueryRow(ctx, `SELECT id FROM controle`).Scan(&cid) }); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/controle/%d", cid)
		for login, want := range map[string]int{"chef.67": 200, "praticien.67": 200, "regional": 200, "praticien.57": 404, "infirmier.67": 404,
			"agent.67": 404, "cpam.67": 404, "prescripteur.demo": 404, "statisticien": 404, "dpo": 404, "admin": 404} {
			b := e.browser(login)
			st, body := b.getStatus(page)
			if st != want {
				t.Errorf("%s GET %s = %d, want %d", login, page, st, want)
			}
			if want == 404 && strings.Contains(body, "671012345") {
				t.Errorf("%s reads the professional's number", login)
			}
			medical := want == 200 || login == "praticien.57"
			st, list := b.getStatus("/controle")
			if (st == 200) != medical {
				t.Errorf("%s GET /controle = %d", login, st)
			}
			if want == 404 && strings.Contains(list, "671012345") {
				t.Errorf("%s sees the 67 procedure in the list", login)
			}
		}
		prat.get(page)
		res, body = prat.post(page+"/evenements", url.Values{"csrf": {prat.csrf}, "evenement": {"notifier"}, "version": {"1"}, "le": {"02/03/2026"}})
		if res.StatusCode != 403 || !strings.Contains(body, "réservé au médecin-conseil chef") {
			t.Errorf("praticien notifies: %d", res.StatusCode)
		}
		chef.get(page)
		res, body = chef.post(page+"/evenements", url.Values{"csrf": {chef.csrf}, "evenement": {"notifier"}, "version": {"1"}, "le": {"32/13/2026"}})
		if res.StatusCode != 422 || !strings.Contains(body, "date illisible") {
			t.Errorf("bad date: %d", res.StatusCode)
		}
		// Under MSAP: an arrêt of this prescriber filed through the API.
		execSQL(t, db, `UPDATE controle SET etape = 'msap', periode_debut = '2026-10-01', periode_fin = '2027-03-31' WHERE id = ?`, cid)
		res, body = e.do("POST", "/api/v1/arrets", e.token("prescripteur.demo"), arretBody(nil), nil)
		if res.StatusCode != 201 {
			t.Fatalf("arrêt: %d %s", res.StatusCode, body)
		}
		var out struct{ ID int64 }
		json.Unmarshal([]byte(body), &out)
		if d := chef.get(fmt.Sprintf("/dossiers/%d", out.ID)); !strings.Contains(d, "accord préalable du service du contrôle médical") {
			t.Errorf("the arrêt's page does not show the MSAP alert")
		}
		if p := chef.get(page); !strings.Contains(p, fmt.Sprintf("/dossiers/%d", out.ID)) || !strings.Contains(p, "en attente") {
			t.Errorf("the procedure does not list the arrêt awaiting agreement")
		}
		res, _ = prat.post(fmt.Sprintf("/dossiers/%d/msap", out.ID), url.Values{"csrf": {prat.csrf}, "decision": {"accord"}})
		if res.StatusCode != 200 {
			t.Errorf("agreement: %d", res.StatusCode)
		}
		if s, _, _ := db.MsapStatut(ctx, out.ID); s != "accord" {
			t.Errorf("after agreement: %q", s)
		}
	})
}
