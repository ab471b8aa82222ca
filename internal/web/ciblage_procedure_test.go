package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/web"
)

// TestCiblagePreparing: while the claims data is being prepared (the demo), the
// control pages answer 503 with Retry-After, the time left and a link to reload
// the same page; an action reading the data names the wait on its field; a
// preparation that failed is a 409 saying so.
func TestCiblagePreparing(t *testing.T) {
	db := sqldbtest.SQLite(t)
	var failed error
	preparing := true
	e := startWith(t, db, func(c *web.Config) {
		c.DetectData = t.TempDir()
		c.DetectStatus = func() (bool, time.Duration, error) { return preparing, 11500 * time.Millisecond, failed }
	})
	chef := e.browser("chef.67")
	for _, path := range []string{"/controle/ciblage", "/controle/profils/67110004"} {
		res, err := chef.c.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body := string(raw)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "12" {
			t.Errorf("%s while preparing: %d, Retry-After %q", path, res.StatusCode, res.Header.Get("Retry-After"))
		}
		if !strings.Contains(body, "données de contrôle en cours de préparation (environ 12 s)") || !strings.Contains(body, `<a href="`+path+`">Actualiser la page</a>`) {
			t.Errorf("%s while preparing: %.600s", path, body)
		}
	}
	preparing, failed = false, errors.New("disque plein")
	if code, body := chef.getStatus("/controle/ciblage"); code != http.StatusConflict || !strings.Contains(body, "leur préparation a échoué (disque plein)") {
		t.Errorf("after a failed preparation: %d %.400s", code, body)
	}
}

var ouvrirForm = regexp.MustCompile(`name="professionnel" value="(\d{8})">\s*<input type="hidden" name="anomalie" value="([a-z_]+)">\s*<label for="rpps-[^"]+">RPPS</label>\s*<input id="rpps-[^"]+" name="rpps" value="(\d*)"`)

// TestCiblageProcedure: from the targeting page the médecin chef opens the
// procedure of a professional of his département, flagged or alerted, in one
// step: a bad RPPS is refused on its field and nothing is written; the
// procedure opens with the proposition it comes from (lot of the page, the
// explanation of the alert); the same line cannot open a second one; a
// professional of another département (journaled as refused), a praticien,
// an unknown anomaly are refused.
func TestCiblageProcedure(t *testing.T) {
	if testing.Short() {
		t.Skip("génère une région")
	}
	dir, ref := ciblageData(t)
	ctx := context.Background()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := startWith(t, db, func(c *web.Config) { c.DetectData, c.DetectReference = dir, ref })
		chef := e.browser("chef.67")
		code, page := chef.getStatus("/controle/ciblage")
		if code != http.StatusOK {
			t.Fatalf("ciblage: %d", code)
		}
		forms := ouvrirForm.FindAllStringSubmatch(page, -1)
		if len(forms) == 0 {
			t.Fatalf("no line of the Bas-Rhin offers to open a procedure: %.2000s", page)
		}
		pro, anomalie := forms[0][1], forms[0][2]
		if !strings.HasPrefix(pro, "67") {
			t.Errorf("form offered for %s, outside the Bas-Rhin", pro)
		}
		count := func() (n int) {
			t.Helper()
			if err := db.Read(ctx, func(tx *sqldb.Tx) error {
				return tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM controle) + (SELECT COUNT(*) FROM controle_proposition)`).Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		res, body := chef.post("/controle/ciblage/procedure", url.Values{"csrf": {chef.csrf}, "professionnel": {pro}, "anomalie": {anomalie}, "rpps": {"1234"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "numéro RPPS du professionnel illisible") {
			t.Errorf("bad RPPS: %d %.300s", res.StatusCode, body)
		}
		if n := count(); n != 0 {
			t.Errorf("a refused opening wrote %d rows", n)
		}
		res, body = chef.post("/controle/ciblage/procedure", url.Values{"csrf": {chef.csrf}, "professionnel": {pro}, "anomalie": {anomalie}, "rpps": {"10001234567"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Procédure MSO / MSAP n°") || !strings.Contains(body, "Procédure ouverte.") {
			t.Fatalf("open from the page: %d %.300s", res.StatusCode, body)
		}
		var lot, expl, rpps, cpro string
		var linked int64
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT p.lot, p.explication, c.rpps, c.professionnel, COALESCE(p.controle_id, 0) FROM controle_proposition p JOIN controle c ON c.proposition_id = p.id`).Scan(&lot, &expl, &rpps, &cpro, &linked)
		}); err != nil {
			t.Fatal(err)
		}
		if lot != "ciblage 2025 (page de ciblage)" || rpps != "10001234567" || cpro != pro || linked == 0 || expl == "" {
			t.Errorf("procedure opened: lot %q, rpps %s, professionnel %s, linked %d, explanation %q", lot, rpps, cpro, linked, expl)
		}
		res, body = chef.post("/controle/ciblage/procedure", url.Values{"csrf": {chef.csrf}, "professionnel": {pro}, "anomalie": {anomalie}, "rpps": {"10001234567"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "a déjà ouvert la procédure n°") {
			t.Errorf("second opening: %d", res.StatusCode)
		}
		// A professional of another département, offered without a form.
		var otherPro, otherAnomalie string
		for _, m := range regexp.MustCompile(`<tr><td>([a-z_]+)</td><td><a href="/controle/profils/(\d{8})">`).FindAllStringSubmatch(page, -1) {
			if !strings.HasPrefix(m[2], "67") {
				otherAnomalie, otherPro = m[1], m[2]
				break
			}
		}
		if otherPro == "" {
			t.Fatal("no alert outside the Bas-Rhin")
		}
		res, _ = chef.post("/controle/ciblage/procedure", url.Values{"csrf": {chef.csrf}, "professionnel": {otherPro}, "anomalie": {otherAnomalie}, "rpps": {"10001234567"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("professional %s of another département: %d, want 403", otherPro, res.StatusCode)
		}
		res, _ = chef.post("/controle/ciblage/procedure", url.Values{"csrf": {chef.csrf}, "professionnel": {pro}, "anomalie": {"inconnue"}, "rpps": {"10001234567"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown anomaly: %d, want 404", res.StatusCode)
		}
		prat := e.browser("praticien.67")
		prat.get("/controle")
		if res, _ := prat.post("/controle/ciblage/procedure", url.Values{"csrf": {prat.csrf}, "professionnel": {pro}, "anomalie": {anomalie}, "rpps": {"10001234567"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("praticien: %d, want 403", res.StatusCode)
		}
		dpo := &medconseil.Acteur{Login: "dpo", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleAuditeur, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: medconseil.RegionGrandEst}}}}
		entries, _, err := db.AuditEntries(ctx, dpo, sqldb.AuditQuery{Action: "controle.ouverture", Limit: 100}, sqldb.Meta{Finalite: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		ok, refused := 0, 0
		for _, en := range entries {
			switch en.Resultat {
			case sqldb.ResultOK:
				ok++
			case sqldb.ResultRefused:
				refused++
			}
		}
		if ok != 1 || refused != 1 {
			t.Errorf("journal of the openings: %d ok, %d refused; want 1 and 1 (the other département)", ok, refused)
		}
	})
}
