package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/web"
)

// geoRefDir finds the reference directory holding the départements' outlines:
// MEDCONSEIL_REFERENCE, or ../shared/reference beside the checkout.
func geoRefDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("MEDCONSEIL_REFERENCE")
	if d == "" {
		d = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(d, "geo", "cartes", "departements-grand-est.geojson")); err != nil {
		t.Skipf("outlines of the départements not found under %s (set MEDCONSEIL_REFERENCE)", d)
	}
	return d
}

// startTableau starts a server with the reference directory and the demo dossiers.
func startTableau(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	dir := geoRefDir(t)
	e := startWith(t, db, func(c *web.Config) { c.ReferenceDir = dir })
	if _, err := demo.SeedDossiers(context.Background(), db, 40, time.Now(), 11); err != nil {
		t.Fatal(err)
	}
	return e
}

var nirLike = regexp.MustCompile(`\b[12]\d{14}\b`)

func TestTableauDeBord(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := startTableau(t, db)

		// Where each role lands after login.
		for login, want := range map[string]string{"chef.67": "/tableau-de-bord", "regional": "/tableau-de-bord", "statisticien": "/tableau-de-bord", "praticien.67": "/dossiers", "dpo": "/audit"} {
			b := e.browser(login)
			res, err := b.c.Get(e.srv.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.Request.URL.Path != want {
				t.Errorf("%s lands on %s, want %s", login, res.Request.URL.Path, want)
			}
		}

		var open67 int
		if err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM dossier WHERE departement = '67'`).Scan(&open67)
		}); err != nil {
			t.Fatal(err)
		}
		if open67 == 0 {
			t.Fatal("the demo seeded no dossier in the Bas-Rhin")
		}

		chef := e.browser("chef.67")
		status, page := chef.getStatus("/tableau-de-bord")
		if status != 200 {
			t.Fatalf("chef.67 GET /tableau-de-bord: %d %.300s", status, page)
		}
		for _, want := range []string{"<h1>Tableau de bord</h1>", `id="table-carte"`, `<svg class="carte-geo"`, `href="#echelon-67"`, `id="echelon-67"`, "Bas-Rhin", `id="graphe-volumes"`, `id="graphe-delais"`, "<caption>", "Territoire : "} {
			if !strings.Contains(page, want) {
				t.Errorf("chef.67 dashboard lacks %q", want)
			}
		}
		if strings.Contains(page, `id="echelon-57"`) {
			t.Error("the médecin chef of the Bas-Rhin sees the Moselle's figures")
		}
		// The delay bars read « 3 j de délai médian », not « 3 j jours ».
		if strings.Contains(page, " j jours") || (strings.Contains(page, "<rect") && !strings.Contains(page, " j de délai médian</title>")) {
			t.Error("the delay chart's bars do not read « N j de délai médian »")
		}
		if m := nirLike.FindString(page); m != "" {
			t.Errorf("the dashboard shows a NIR-like number %s", m)
		}

		// The JSON figures: the chef's total is the Bas-Rhin's count.
		res, body := e.do("GET", "/api/v1/tableau-de-bord", e.token("chef.67"), nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("API: %d %s", res.StatusCode, body)
		}
		var got struct {
			Territoire   string
			Departements []string
			Total        struct{ Recus int }
			ParMois      []json.RawMessage `json:"par_mois"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("API JSON: %v: %s", err, body)
		}
		if got.Total.Recus != open67 || len(got.ParMois) != 12 || strings.Join(got.Departements, ",") != "67" {
			t.Errorf("API for chef.67: %d received over %d months in %v, want %d over 12 in [67]", got.Total.Recus, len(got.ParMois), got.Departements, open67)
		}

		// The régional: the ten échelons; the statisticien: the secret noted.
		if page := e.browser("regional").get("/tableau-de-bord"); strings.Count(page, `<tr id="echelon-`) != 10 || !strings.Contains(page, "région Grand Est") {
			t.Errorf("régional: %d échelon rows, want 10 of the région Grand Est", strings.Count(page, `<tr id="echelon-`))
		}
		if page := e.browser("statisticien").get("/tableau-de-bord"); !strings.Contains(page, "Secret statistique") {
			t.Error("the statisticien's dashboard does not state the statistical secret")
		}

		// Other roles: refused, in French.
		for _, login := range []string{"praticien.67", "agent.67", "cpam.67", "dpo", "admin"} {
			if status, page := e.browser(login).getStatus("/tableau-de-bord"); status != 403 || !strings.Contains(page, "réservé") {
				t.Errorf("%s GET /tableau-de-bord: %d, want 403 with a French message", login, status)
			}
		}

		// Bad periods: a French message naming the field, no figures.
		for q, want := range map[string]string{
			"du=2026-13-01":               "du",
			"du=hier":                     "illisible",
			"du=2026-06-01&au=2026-01-01": "précède",
			"du=2020-01-01&au=2026-01-01": "trop longue",
			"du=2026-01-01&du=2026-02-01": "2 fois",
		} {
			status, page := chef.getStatus("/tableau-de-bord?" + q)
			if status != 422 || !strings.Contains(page, want) || strings.Contains(page, `id="table-carte"`) {
				t.Errorf("GET /tableau-de-bord?%s: %d, want 422 with %q and no figures", q, status, want)
			}
			res, body := e.do("GET", "/api/v1/tableau-de-bord?"+q, e.token("chef.67"), nil, nil)
			if res.StatusCode != 422 || !strings.Contains(body, `"invalid"`) || !strings.Contains(body, want) {
				t.Errorf("API ?%s: %d %s, want 422 EINVALID with %q", q, res.StatusCode, body, want)
			}
		}
	})
}

// TestTableauWithoutMap: without the reference directory the dashboard still
// shows its figures and says the map is unavailable.
func TestTableauWithoutMap(t *testing.T) {
	db := sqldbtest.SQLite(t)
	e := startWith(t, db, func(c *web.Config) { c.ReferenceDir = t.TempDir() })
	status, page := e.browser("regional").getStatus("/tableau-de-bord")
	if status != 200 || !strings.Contains(page, "Carte indisponible") || !strings.Contains(page, `id="table-carte"`) {
		t.Errorf("without outlines: %d, want 200 with « Carte indisponible » and the table", status)
	}
}
