package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/synth"
	"medconseil/internal/web"
)

var (
	controleOnce sync.Once
	controleDir  string
	controleErr  error
)

// controleData generates once a small synthetic region (scale 0.005) for the
// control pages.
func ciblageData(t *testing.T) (dir, ref string) {
	t.Helper()
	ref = os.Getenv("MEDCONSEIL_REFERENCE")
	if ref == "" {
		ref = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(ref, "snds", "IR_NAT_V.csv")); err != nil {
		t.Skipf("référentiels absents (%s) ; définir MEDCONSEIL_REFERENCE", ref)
	}
	controleOnce.Do(func() {
		controleDir, controleErr = os.MkdirTemp("", "controle-")
		if controleErr != nil {
			return
		}
		r, err := synth.LoadReference(ref, "44")
		if err != nil {
			controleErr = err
			return
		}
		_, controleErr = synth.Run(context.Background(), r, synth.Config{Region: "44", Scale: 0.005, Seed: 7, Year: 2025, Out: controleDir})
	})
	if controleErr != nil {
		t.Fatal(controleErr)
	}
	return controleDir, ref
}

var profilLink = regexp.MustCompile(`href="/controle/profils/(\d{8})"`)

// TestCiblagePages: the targeting list is the médecin chef's; profiles are
// read by the médecin chef, the praticiens and the statisticien only, each
// view journaled with the finalité "controle"; other roles are refused.
func TestCiblagePages(t *testing.T) {
	if testing.Short() {
		t.Skip("génère une région")
	}
	dir, ref := ciblageData(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := startWith(t, db, func(c *web.Config) { c.DetectData, c.DetectReference = dir, ref })
		chef := e.browser("chef.67")
		code, body := chef.getStatus("/controle/ciblage")
		if code != http.StatusOK || !strings.Contains(body, "Professionnels signalés") || !strings.Contains(body, "acte_apres_deces") {
			t.Fatalf("ciblage (chef) : %d %.400s", code, body)
		}
		m := profilLink.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("aucun lien vers un profil dans la liste de ciblage")
		}
		pro := m[1]
		for _, login := range []string{"chef.67", "praticien.57", "statisticien"} {
			code, body := e.browser(login).getStatus("/controle/profils/" + pro)
			if code != http.StatusOK || !strings.Contains(body, pro) {
				t.Errorf("profil %s (%s) : %d", pro, login, code)
			}
			if login == "chef.67" && strings.Contains(body, "Indicateurs standardisés") && (!strings.Contains(body, "<svg") || !strings.Contains(body, `id="pro-`+pro+`"`)) {
				t.Errorf("profil %s : entonnoir SVG sans point mis en évidence", pro)
			}
		}
		for _, login := range []string{"agent.67", "cpam.67", "dpo", "infirmier.67", "admin"} {
			if code, _ := e.browser(login).getStatus("/controle/profils/" + pro); code != http.StatusForbidden {
				t.Errorf("profil (%s) : %d, attendu 403", login, code)
			}
		}
		for _, login := range []string{"praticien.67", "statisticien", "agent.67"} {
			if code, _ := e.browser(login).getStatus("/controle/ciblage"); code != http.StatusForbidden {
				t.Errorf("ciblage (%s) : %d, attendu 403", login, code)
			}
		}
		if code, _ := chef.getStatus("/controle/profils/99999999"); code != http.StatusNotFound {
			t.Errorf("profil inconnu : %d, attendu 404", code)
		}
		if code, _ := chef.getStatus("/controle/profils/abc"); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			t.Errorf("numéro invalide : %d, attendu 400 ou 422", code)
		}
		dpo := &medconseil.Acteur{Login: "dpo", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleAuditeur, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: medconseil.RegionGrandEst}}}}
		entries, _, err := db.AuditEntries(context.Background(), dpo, sqldb.AuditQuery{Action: "controle.profil", Limit: 100}, sqldb.Meta{Finalite: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, en := range entries {
			if en.Finalite == "controle" && en.Resultat == sqldb.ResultOK && strings.Contains(en.Objet, pro) {
				ok++
			}
		}
		if ok != 3 {
			t.Errorf("%d consultations de profil journalisées (finalité controle), attendu 3 : %+v", ok, entries)
		}
	})
}

// TestCiblageComputing: the first visit starts the profiling in the
// background; past Config.DetectWait the page answers 503 with Retry-After,
// how long it has run and a link to reload the same page, and the run goes
// on: a later visit shows the list.
func TestCiblageComputing(t *testing.T) {
	if testing.Short() {
		t.Skip("génère une région")
	}
	dir, ref := ciblageData(t)
	db := sqldbtest.SQLite(t)
	e := startWith(t, db, func(c *web.Config) {
		c.DetectData, c.DetectReference, c.DetectWait = dir, ref, time.Nanosecond
	})
	chef := e.browser("chef.67")
	res, err := chef.c.Get(e.srv.URL + "/controle/ciblage")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if body := string(raw); res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "15" ||
		!strings.Contains(body, "en cours de calcul depuis") || !strings.Contains(body, `<a href="/controle/ciblage">Actualiser la page</a>`) {
		t.Fatalf("premier accès : %d, Retry-After %q : %.600s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		code, body := chef.getStatus("/controle/ciblage")
		if code == http.StatusOK {
			if !strings.Contains(body, "Professionnels signalés") {
				t.Fatalf("liste sans signalements : %.400s", body)
			}
			return
		}
		if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("après le calcul : %d %.400s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
