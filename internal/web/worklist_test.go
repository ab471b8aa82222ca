package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestWorklistFiltersAndCorrection: a bad filter value is a French 422 listing
// nothing; search by number and by NIR; the CPAM agent is offered no medical form;
// assignment; an avis rectified keeps the old one in the history and notifies the
// caisse again.
func TestWorklistFiltersAndCorrection(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := seedMatrixDossier(t, e)
		pr := e.browser("praticien.67")
		for _, bad := range []string{"nir=123", "etat=ouvert", "tri=couleur", "type=voiture", "attribution=tous", "urgence=demain", "q=12AB", "page=x", "departement=99"} {
			status, body := pr.getStatus("/dossiers?" + bad)
			if status != 422 || !strings.Contains(body, "Filtre invalide") || strings.Contains(body, fmt.Sprintf(`href="/dossiers/%d"`, id)) {
				t.Errorf("/dossiers?%s: %d, want 422 with the error and no dossier", bad, status)
			}
		}
		for _, q := range []string{fmt.Sprint(id), nirMatrix, mNom[:5]} {
			if body := pr.get("/dossiers?q=" + url.QueryEscape(q)); !strings.Contains(body, fmt.Sprintf(`href="/dossiers/%d"`, id)) {
				t.Errorf("search %q does not find dossier %d", q, id)
			}
		}
		// The type filter offers the types that can be filed, not one without a form.
		if body := pr.get("/dossiers"); !strings.Contains(body, `value="ordonnance"`) || strings.Contains(body, "Examen bucco-dentaire") {
			t.Errorf("type filter: want the filable types (ordonnance…) and no examen bucco-dentaire")
		}
		if body := pr.get("/dossiers?departement=67"); !strings.Contains(body, fmt.Sprintf(`href="/dossiers/%d"`, id)) {
			t.Errorf("departement=67 does not list dossier %d", id)
		}
		if _, body := pr.getStatus("/dossiers?departement=99"); !strings.Contains(body, "aucun échelon du service médical ne le couvre") {
			t.Errorf("departement=99: the message does not say no échelon covers it")
		}
		if body := pr.get("/dossiers?q=ZZZZZ"); strings.Contains(body, fmt.Sprintf(`href="/dossiers/%d"`, id)) {
			t.Errorf("search ZZZZZ finds dossier %d", id)
		}
		cp := e.browser("cpam.67")
		page := cp.get(fmt.Sprintf("/dossiers/%d", id))
		for _, f := range []string{"<textarea", `action="/dossiers/` + fmt.Sprint(id) + `/avis`, "/arrets/nouveau"} {
			if strings.Contains(page, f) {
				t.Errorf("the CPAM agent is offered %q", f)
			}
		}
		for _, sc := range medconseil.Schemas() {
			path := "/demandes/nouvelle/" + string(sc.Type)
			if status, body := cp.getStatus(path); status != 403 || strings.Contains(body, `name="nir"`) {
				t.Errorf("GET %s by the CPAM agent: %d, want 403 without the form", path, status)
			}
			if res, _ := cp.post(path, url.Values{"csrf": {cp.csrf}, "nir": {nirMatrix}}); res.StatusCode != 403 {
				t.Errorf("POST %s by the CPAM agent: %d, want 403", path, res.StatusCode)
			}
		}
		if status, _ := cp.getStatus("/demandes/nouvelle"); status != 403 {
			t.Errorf("GET /demandes/nouvelle by the CPAM agent: %d, want 403", status)
		}
		// The avis is rectified: a motif is required, the old one is kept.
		res, body := pr.post(fmt.Sprintf("/dossiers/%d/avis/rectification", id), url.Values{"csrf": {pr.csrf}, "version": {"3"}, "sens": {"justifie"}})
		if res.StatusCode != 422 || !strings.Contains(body, "pourquoi l&#39;avis est rectifié") {
			t.Errorf("rectification without motif: %d", res.StatusCode)
		}
		res, _ = pr.post(fmt.Sprintf("/dossiers/%d/avis/rectification", id), url.Values{"csrf": {pr.csrf}, "version": {"3"}, "sens": {"justifie"}, "motif_correction": {"ZCLINIQUE erreur de date"}})
		if res.StatusCode != 200 {
			t.Fatalf("rectification: %d", res.StatusCode)
		}
		page = pr.get(fmt.Sprintf("/dossiers/%d", id))
		if !strings.Contains(page, "Versions précédentes") || !strings.Contains(page, "ZCLINIQUE erreur de date") || !strings.Contains(page, "20/03/2026") {
			t.Errorf("history of the avis missing on the dossier page")
		}
		if page := cp.get(fmt.Sprintf("/dossiers/%d", id)); !strings.Contains(page, "Versions précédentes") || strings.Contains(page, "ZCLINIQUE") {
			t.Errorf("CPAM: the history must show the decision without the motifs")
		}
		_, notes := e.do("GET", "/api/v1/notifications", e.token("cpam.67"), nil, nil)
		if !strings.Contains(notes, "Avis rectifié") || strings.Contains(notes, "ZCLINIQUE") {
			t.Errorf("notifications after the rectification: %s", notes)
		}
	})
}
