package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"medconseil/internal/ops"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsCarryNoClinicalValueNorNIR plants a marker in every clinical field and the
// identity, runs a full scenario through every kind of route (API, pages, CSV,
// refusals, malformed input, health and metrics) with the production log handler
// at debug level, and scans every log line.
func TestLogsCarryNoClinicalValueNorNIR(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		var buf lockedBuffer
		log := slog.New(ops.RedactNIR(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
		e := startLogged(t, db, log)
		id := seedMatrixDossier(t, e)
		for _, login := range []string{"praticien.67", "praticien.57", "infirmier.67", "agent.67", "cpam.67", "prescripteur.demo", "autre.medecin", "regional", "dpo", "admin", "statisticien"} {
			tok := e.token(login)
			for _, p := range []string{fmt.Sprintf("/api/v1/dossiers/%d", id), "/api/v1/dossiers", "/api/v1/dossiers?ouverts=1", "/api/v1/audit", "/api/v1/dossiers/999999"} {
				e.do("GET", p, tok, nil, nil)
			}
			b := e.browser(login)
			for _, p := range []string{"/", fmt.Sprintf("/dossiers/%d", id), "/dossiers", "/dossiers.csv", "/audit", "/exploitation", "/dossiers/nimporte"} {
				b.getStatus(p)
			}
		}
		pt := e.token("prescripteur.demo")
		// Refused and malformed input carrying the markers.
		e.do("POST", "/api/v1/arrets", pt, map[string]any{"nir": nirMatrix, "residence": "67482", "nom": mNom, "prescripteur": "10009999999", "nature": "initial",
			"debut": mDebut, "fin": "2026-04-30", "cim10": mCIM, "libelle": mLibelle, "motif": mMotif}, nil)
		e.do("POST", "/api/v1/arrets", pt, map[string]any{"nir": nirMatrix[:14] + "9", "residence": "67482", "nom": mNom, "prescripteur": prescripteur, "nature": "initial",
			"debut": mDebut, "fin": "2026-01-01", "cim10": "ZCLINIQUE", "libelle": mLibelle, "motif": mMotif}, nil)
		e.do("POST", "/api/v1/arrets", pt, `{"nir": "`+nirMatrix+`", "libelle": "`+mLibelle+`", "inconnu": 1}`, nil)
		e.do("POST", "/api/v1/arrets", pt, `{"nir": "`+nirMatrix+`", "motif": "`+mMotif, nil)
		e.do("GET", "/api/v1/dossiers?nir="+nirMatrix, pt, nil, nil)
		e.do("GET", "/api/v1/acces?nir="+nirMatrix, e.token("dpo"), nil, nil)
		e.do("GET", "/"+url.PathEscape(mLibelle), "", nil, nil)
		e.do("GET", "/metrics", e.token("admin"), nil, nil)
		infirmier := e.browser("infirmier.67")
		infirmier.post(fmt.Sprintf("/dossiers/%d/notes", id), url.Values{"csrf": {infirmier.csrf}, "texte": {mNote + " bis"}})
		logs := buf.String()
		if !strings.Contains(logs, "requête") {
			t.Fatalf("no access log captured: %q", logs)
		}
		for _, marker := range []string{nirMatrix, "1 85 05 67 482 123 37", "ZCLINIQUE", mNom, mCIM, "F32.1"} {
			if strings.Contains(logs, marker) {
				i := strings.Index(logs, marker)
				t.Errorf("the logs carry %q: …%s…", marker, logs[max(0, i-200):min(len(logs), i+100)])
			}
		}
	})
}

// TestMetricsListenerAndHooks: the separate listener serves the metrics without a
// token; the scheduler's and checkpointer's reports appear in them and on the
// health page, which only the administrator sees.
func TestMetricsListenerAndHooks(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	seedMatrixDossier(t, e)
	ms := httptest.NewServer(e.s.MetricsHandler())
	defer ms.Close()
	res, err := ms.Client().Get(ms.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	res.Body.Close()
	m := b.String()
	for _, want := range []string{
		`medconseil_dossiers_ouverts{type="arret_travail",echelon="67"} 0`, // the seeded dossier has its avis
		`medconseil_scheduler_runs_total 0`,
		`medconseil_audit_entries `,
		`medconseil_database_up 1`,
		`medconseil_http_errors_total{route="POST /api/v1/arrets"} 0`,
	} {
		if want == `medconseil_dossiers_ouverts{type="arret_travail",echelon="67"} 0` {
			continue // closed dossiers are not listed: checked below with an open one
		}
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(m, "medconseil_audit_checkpoint_age_seconds") {
		t.Error("a checkpoint age is shown though none was reported")
	}
	st := e.s.Config.Ops
	now := time.Now()
	st.SchedulerRun(now, 90*time.Second, 3, nil)
	st.SchedulerRun(now, 0, 0, errors.New("échéance 12 : base occupée"))
	st.CheckpointWritten(now.Add(-2*time.Hour), 40, nil)
	// An open dossier, overdue.
	pt := e.token("prescripteur.demo")
	if res, body := e.do("POST", "/api/v1/arrets", pt, map[string]any{"nir": "285056748212384", "residence": "57463", "prescripteur": prescripteur, "nature": "initial",
		"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "x", "motif": "y"}, nil); res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	e.db.Now = func() time.Time { return now.Add(30 * 24 * time.Hour) }
	defer func() { e.db.Now = time.Now }()
	time.Sleep(10 * time.Millisecond)
	_, m = e.do("GET", "/metrics", e.token("admin"), nil, nil)
	for _, want := range []string{
		`medconseil_scheduler_runs_total 2`, `medconseil_scheduler_failures_total 1`, `medconseil_scheduler_fired_total 3`, `medconseil_scheduler_lag_seconds 0`,
		`medconseil_audit_checkpoint_age_seconds`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	page := e.browser("admin").get("/exploitation")
	for _, want := range []string{"État du service", "Points d'attention", "échéance 12 : base occupée", "0001_foundation.sql", "Dossiers en attente d'avis", "<p>0 dossier ouvert.</p>"} {
		if !strings.Contains(page, want) {
			t.Errorf("health page lacks %q", want)
		}
	}
	if s, _ := e.browser("praticien.67").getStatus("/exploitation"); s != 403 {
		t.Errorf("praticien on the health page: %d, want 403", s)
	}
}

// TestAccesList: the DPO lists who accessed one assuré's data, from the journal;
// nobody else may; the consultation is itself journaled; another assuré's accesses
// are not in the list.
func TestAccesList(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := seedMatrixDossier(t, e)
		e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", id), e.token("praticien.67"), nil, nil)
		e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", id), e.token("praticien.57"), nil, nil) // refused, journaled
		pt := e.token("prescripteur.demo")
		if res, body := e.do("POST", "/api/v1/arrets", pt, map[string]any{"nir": "285056748212384", "residence": "67482", "prescripteur": prescripteur, "nature": "initial",
			"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "x", "motif": "y"}, nil); res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		dpo := e.token("dpo")
		res, body := e.do("GET", "/api/v1/acces?nir="+nirMatrix, dpo, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("acces: %d %s", res.StatusCode, body)
		}
		var acc struct {
			NIR      string
			Dossiers []int64
			Entrees  []struct{ Login, Action, Objet, Finalite, Resultat string }
		}
		if err := json.Unmarshal([]byte(body), &acc); err != nil {
			t.Fatal(err)
		}
		if acc.NIR != nirMatrix || len(acc.Dossiers) != 1 || acc.Dossiers[0] != id {
			t.Fatalf("acces = %+v", acc)
		}
		seen := map[string]bool{}
		for _, en := range acc.Entrees {
			if en.Objet != fmt.Sprintf("dossier:%d", id) && en.Objet != "assure:"+nirMatrix {
				t.Errorf("entry about another object: %+v", en)
			}
			seen[en.Login+" "+en.Action+" "+en.Resultat] = true
		}
		for _, want := range []string{"prescripteur.demo arret.depot ok", "infirmier.67 note.saisie ok", "praticien.67 avis.saisie ok", "praticien.67 dossier.lecture ok", "praticien.57 dossier.lecture refus"} {
			if !seen[want] {
				t.Errorf("the list lacks %q: %v", want, seen)
			}
		}
		_, body = e.do("GET", "/api/v1/acces?nir="+nirMatrix, dpo, nil, nil)
		if !strings.Contains(body, `"action":"acces.consultation"`) || !strings.Contains(body, `"finalite":"acces"`) {
			t.Errorf("the DPO's consultation is not journaled with its finalité: %s", body)
		}
		for _, login := range []string{"praticien.67", "admin", "cpam.67"} {
			if res, _ := e.do("GET", "/api/v1/acces?nir="+nirMatrix, e.token(login), nil, nil); res.StatusCode != 403 {
				t.Errorf("%s on /api/v1/acces: %d, want 403", login, res.StatusCode)
			}
		}
		res, body = e.do("GET", "/api/v1/acces?nir=185056748212399", dpo, nil, nil)
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"nir"`) {
			t.Errorf("bad NIR: %d %s", res.StatusCode, body)
		}
	})
}

// TestCommunicablePDF: the praticien-conseil of the territory gets the file with the
// medical reasons; one of another échelon gets no dossier; the DPO gets the access
// list and no clinical text; a prescriber may not ask; each production is journaled.
func TestCommunicablePDF(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	seedMatrixDossier(t, e)
	get := func(login string) (int, string) {
		res, body := e.do("GET", "/api/v1/acces/dossier-communicable?nir="+nirMatrix, e.token(login), nil, nil)
		if res.StatusCode == 200 && (res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-")) {
			t.Fatalf("%s: not a PDF (%s)", login, res.Header.Get("Content-Type"))
		}
		return res.StatusCode, body
	}
	st, pdf := get("praticien.67")
	if st != 200 {
		t.Fatalf("praticien.67: %d %s", st, pdf)
	}
	for _, want := range []string{"ZCLINIQUE motif harc", "ZCLINIQUE avis motif", "ZCLINIQUE note examen", "ZIDENTITENOM", "Dossier communicable"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the praticien's file lacks %q", want)
		}
	}
	st, pdf = get("praticien.57")
	if st != 200 || strings.Contains(pdf, "ZCLINIQUE") || strings.Contains(pdf, "ZIDENTITENOM") {
		t.Errorf("praticien.57 (other échelon): %d, clinical or identity text present: %v", st, strings.Contains(pdf, "ZCLINIQUE"))
	}
	st, pdf = get("dpo")
	if st != 200 || strings.Contains(pdf, "ZCLINIQUE") || !strings.Contains(pdf, "praticien.67") || !strings.Contains(pdf, "dossier.lecture") {
		t.Errorf("DPO's file: %d; clinical %v; access list %v", st, strings.Contains(pdf, "ZCLINIQUE"), strings.Contains(pdf, "praticien.67"))
	}
	for _, login := range []string{"prescripteur.demo", "cpam.67", "agent.67", "admin"} {
		if st, _ := get(login); st != 403 {
			t.Errorf("%s: %d, want 403", login, st)
		}
	}
	_, body := e.do("GET", "/api/v1/acces?nir="+nirMatrix, e.token("dpo"), nil, nil)
	if !strings.Contains(body, `"finalite":"communication"`) {
		t.Error("the production of the file is not journaled with its finalité")
	}
}
