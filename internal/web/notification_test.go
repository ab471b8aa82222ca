package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestNotificationsToTheCaisse: the avis reaches the CPAM of the dossier as a
// notification (API by cursor and page), with its outcome and date and no clinical
// field; a bad cursor is a French error; other roles and caisses read nothing.
func TestNotificationsToTheCaisse(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := seedMatrixDossier(t, e)
		tok := e.token("cpam.67")
		res, body := e.do("GET", "/api/v1/notifications?depuis=0", tok, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET notifications: %d %s", res.StatusCode, body)
		}
		var out struct {
			Depuis, Suivant int64
			Notifications   []sqldb.NotificationRow
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Notifications) != 1 || out.Notifications[0].DossierID != id || out.Notifications[0].Nature != "avis" || out.Suivant != out.Notifications[0].Seq {
			t.Fatalf("notifications = %s", body)
		}
		if !shown(body, mEffet) {
			t.Errorf("the date of effect is missing: %s", body)
		}
		for _, m := range markers[classClin] {
			if shown(body, m) {
				t.Errorf("clinical marker %q in the notification: %s", m, body)
			}
		}
		_, again := e.do("GET", fmt.Sprintf("/api/v1/notifications?depuis=%d", out.Suivant), tok, nil, nil)
		if !strings.Contains(again, `"notifications":[]`) {
			t.Errorf("after the cursor: %s, want none", again)
		}
		_, same := e.do("GET", "/api/v1/notifications?depuis=0", tok, nil, nil)
		if same != body {
			t.Errorf("the same cursor read twice differs:\n%s\n%s", body, same)
		}
		res, bad := e.do("GET", "/api/v1/notifications?depuis=abc", tok, nil, nil)
		if res.StatusCode != 422 || !strings.Contains(bad, "curseur") || !strings.Contains(bad, `"field":"depuis"`) {
			t.Errorf("bad cursor: %d %s", res.StatusCode, bad)
		}
		if res, b := e.do("GET", "/api/v1/notifications", e.token("praticien.67"), nil, nil); res.StatusCode != 403 {
			t.Errorf("praticien: %d %s, want 403", res.StatusCode, b)
		}
		if _, b := e.do("GET", "/api/v1/notifications", e.token("cpam.57"), nil, nil); !strings.Contains(b, `"notifications":[]`) {
			t.Errorf("cpam.57: %s, want none", b)
		}
		br := e.browser("cpam.67")
		status, page := br.getStatus("/notifications")
		if status != 200 || !strings.Contains(page, "Avis du service médical") || !strings.Contains(page, fmt.Sprintf(`href="/dossiers/%d"`, id)) {
			t.Errorf("page: %d\n%s", status, page)
		}
		if !strings.Contains(br.get("/dossiers"), `href="/notifications"`) {
			t.Errorf("the CPAM agent's menu has no Notifications entry")
		}
		if status, page := br.getStatus("/notifications?depuis=-3"); status != 422 || !strings.Contains(page, "curseur") || strings.Contains(page, "Avis du service médical") {
			t.Errorf("bad cursor page: %d", status)
		}
	})
}
