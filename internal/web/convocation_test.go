package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// importCommunes imports the communes centroids of ../shared/reference/geo into db,
// as `medconseil reference import` does (the proposal's distances come from them).
func importCommunes(t *testing.T, db *sqldb.DB) {
	t.Helper()
	src, ok := reference.SourceByName("communes-centroides")
	if !ok {
		t.Fatal("no communes-centroides source")
	}
	fh, err := os.Open(filepath.Join(refDir(t), filepath.FromSlash(src.Path)))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := reference.Parse(src, fh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportReferentiels(context.Background(), []*reference.File{f}); err != nil {
		t.Fatal(err)
	}
}

// nextMonday is the first Monday after today (Paris).
func nextMonday() medconseil.Date {
	d := medconseil.DateOf(time.Now()).AddDays(1)
	for d.Weekday() != time.Monday {
		d = d.AddDays(1)
	}
	return d
}

// seedAgenda creates a room and a Monday-morning plage (09:00–12:00, 30 min) on site as login.
func seedAgenda(t *testing.T, e *env, token, site, praticien string, day medconseil.Date) {
	t.Helper()
	res, out := e.do("POST", "/api/v1/sites/"+site+"/salles", token, map[string]string{"nom": "Salle " + praticien, "adresse": "2 rue de la Santé"}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("salle on %s: %d %s", site, res.StatusCode, out)
	}
	var s struct{ ID int64 }
	json.Unmarshal([]byte(out), &s)
	res, out = e.do("POST", "/api/v1/sites/"+site+"/plages", token, map[string]any{"salle": s.ID, "praticien": praticien, "jour": 1, "debut": "09:00", "fin": "12:00", "duree": 30, "du": day.String(), "au": day.AddDays(7).String()}, nil)
	if res.StatusCode != 201 || !strings.Contains(out, `"creneaux":12`) {
		t.Fatalf("plage on %s: %d %s", site, res.StatusCode, out)
	}
}

type apiSlot struct {
	ID              int64
	Site            string
	Debut           string
	DistanceKm      float64 `json:"distance_km"`
	HorsDepartement bool    `json:"hors_departement"`
}

func proposal(t *testing.T, e *env, token string, id int64) []apiSlot {
	t.Helper()
	res, out := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/creneaux", id), token, nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("creneaux: %d %s", res.StatusCode, out)
	}
	var p struct{ Creneaux []apiSlot }
	json.Unmarshal([]byte(out), &p)
	return p.Creneaux
}

func fileArret(t *testing.T, e *env, residence string, shift int) int64 {
	t.Helper()
	debut := medconseil.DateOf(time.Now()).AddDays(-10 - shift)
	res, out := e.do("POST", "/api/v1/arrets", e.token("prescripteur.demo"), map[string]any{
		"nir": nirA, "residence": residence, "nom": "MARTIN", "prenom": "Paul", "prescripteur": prescripteur, "nature": "initial",
		"debut": debut.String(), "fin": debut.AddDays(60).String(), "cim10": "M54.5", "libelle": "lombalgie", "motif": "douleurs"}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("arrêt: %d %s", res.StatusCode, out)
	}
	var x struct{ ID int64 }
	json.Unmarshal([]byte(out), &x)
	return x.ID
}

// TestConvocationAPI: the agenda, the proposal nearest site first with the real
// communes centroids, booking, the conflict message, a site outside the
// département, the iCalendar export and who may read it, the no-show.
func TestConvocationAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		importCommunes(t, db)
		agent := e.token("agent.67")
		monday := nextMonday()
		seedAgenda(t, e, agent, "S67-STRASBOURG", "praticien.67", monday)
		seedAgenda(t, e, agent, "S67-HAGUENAU", "chef.67", monday)
		seedAgenda(t, e, e.token("agent.57"), "S57-METZ", "praticien.57", monday)
		// Overlap and past dates refused with French messages.
		res, out := e.do("POST", "/api/v1/sites/S67-STRASBOURG/plages", agent, map[string]any{"salle": 1, "praticien": "praticien.67", "jour": 1, "debut": "10:00", "fin": "11:00", "duree": 30, "du": monday.String(), "au": monday.String()}, nil)
		if res.StatusCode != 422 || !strings.Contains(out, "chevauche") {
			t.Errorf("overlapping plage: %d %s", res.StatusCode, out)
		}
		res, out = e.do("POST", "/api/v1/sites/S67-STRASBOURG/plages", agent, map[string]any{"salle": 1, "praticien": "praticien.67", "jour": 2, "debut": "10:00", "fin": "11:00", "duree": 30, "du": "2025-01-06", "au": "2025-01-07"}, nil)
		if res.StatusCode != 422 || !strings.Contains(out, "passé") {
			t.Errorf("plage in the past: %d %s", res.StatusCode, out)
		}
		// An assuré of Haguenau: Haguenau's site first, then Strasbourg's (≈ 28 km).
		id := fileArret(t, e, "67180", 0)
		slots := proposal(t, e, agent, id)
		if len(slots) != 10 || slots[0].Site != "S67-HAGUENAU" || slots[9].Site != "S67-HAGUENAU" || slots[0].Debut >= slots[9].Debut {
			t.Fatalf("proposal: %+v", slots)
		}
		res, out = e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/creneaux?n=14", id), agent, nil, nil)
		var all struct{ Creneaux []apiSlot }
		json.Unmarshal([]byte(out), &all)
		if len(all.Creneaux) != 14 || all.Creneaux[11].Site != "S67-HAGUENAU" || all.Creneaux[12].Site != "S67-STRASBOURG" {
			t.Fatalf("proposal of 14: %d %s", res.StatusCode, out)
		}
		if slots[0].DistanceKm > 5 || all.Creneaux[12].DistanceKm < 20 || all.Creneaux[12].DistanceKm > 40 || slots[0].Debut != monday.String()+"T09:00" {
			t.Errorf("distances or first slot: %+v", slots)
		}
		res, out = e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/convocations", id), agent, map[string]any{"creneau": slots[0].ID}, nil)
		if res.StatusCode != 201 || !strings.Contains(out, `"statut":"prevue"`) {
			t.Fatalf("convocation: %d %s", res.StatusCode, out)
		}
		var conv struct {
			ID     int64
			Lettre string
		}
		json.Unmarshal([]byte(out), &conv)
		// The letter: date, time, place, documents, consequences, travel costs.
		code, pdf := e.browser("agent.67").getStatus(conv.Lettre)
		text, err := courrier.Text([]byte(pdf))
		if code != 200 || err != nil {
			t.Fatalf("letter %s: %d %v", conv.Lettre, code, err)
		}
		for _, want := range []string{"Convocation au service du contrôle médical", "Site de Haguenau", "9 h 00", "Documents à apporter", "pièce d’identité", "indemnités journalières", "L315-2", "Frais de transport", "R322-10-2"} {
			if !strings.Contains(text, want) {
				t.Errorf("letter lacks %q:\n%s", want, text)
			}
		}
		if code, _ := e.browser("cpam.57").getStatus(conv.Lettre); code != 404 {
			t.Errorf("the caisse of the 57 reads the letter: %d", code)
		}
		// Another dossier on the same slot: a clear conflict.
		id2 := fileArret(t, e, "67482", 3)
		res, out = e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/convocations", id2), agent, map[string]any{"creneau": slots[0].ID}, nil)
		if res.StatusCode != 409 || !strings.Contains(out, "vient d'être réservé") {
			t.Errorf("double booking: %d %s", res.StatusCode, out)
		}
		// Metz is outside the Bas-Rhin: the agent of the 67 does not even see its agenda.
		res, out = e.do("GET", "/api/v1/sites/S57-METZ/creneaux", agent, nil, nil)
		if res.StatusCode != 404 {
			t.Errorf("agent.67 reads Metz's agenda: %d %s", res.StatusCode, out)
		}
		// The regional médecin sees every site; Metz for a Bas-Rhin dossier needs a reason.
		reg := e.token("regional")
		var metz int64
		for _, s := range proposal(t, e, reg, id2) {
			if s.Site == "S57-METZ" {
				metz = s.ID
			}
		}
		if metz == 0 {
			_, out := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/creneaux?n=100", id2), reg, nil, nil)
			var p struct{ Creneaux []apiSlot }
			json.Unmarshal([]byte(out), &p)
			for _, s := range p.Creneaux {
				if s.Site == "S57-METZ" && metz == 0 {
					metz = s.ID
				}
			}
		}
		res, out = e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/convocations", id2), reg, map[string]any{"creneau": metz}, nil)
		if res.StatusCode != 422 || !strings.Contains(out, "hors_departement") || !strings.Contains(out, "hors du département") {
			t.Errorf("outside the département without a reason: %d %s", res.StatusCode, out)
		}
		// iCalendar: the site's staff only.
		b := e.browser("agent.67")
		code, ics := b.getStatus("/agenda/S67-HAGUENAU.ics")
		if code != 200 || !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || !strings.Contains(ics, "DTSTART:") || !strings.Contains(ics, fmt.Sprintf("dossier n° %d", id)) {
			t.Errorf("site ics: %d %.300q", code, ics)
		}
		for _, l := range strings.Split(ics, "\r\n") {
			if len(l) > 75 {
				t.Errorf("ics line over 75 octets: %q", l)
			}
		}
		if code, body := b.getStatus("/agenda/praticiens/chef.67.ics"); code != 200 || !strings.Contains(body, "BEGIN:VEVENT") {
			t.Errorf("praticien ics: %d", code)
		}
		if code, _ := e.browser("cpam.67").getStatus("/agenda/S67-HAGUENAU.ics"); code != 404 {
			t.Errorf("the caisse reads the agenda: %d", code)
		}
		// Presence: too early for an absence.
		res, out = e.do("POST", fmt.Sprintf("/api/v1/convocations/%d/presence", conv.ID), agent, map[string]any{"present": false, "motif_valable": false}, nil)
		if res.StatusCode != 422 {
			t.Errorf("absence before the hour: %d %s", res.StatusCode, out)
		}
		start, _ := time.ParseInLocation(medconseil.CreneauLayout, slots[0].Debut, paris())
		db.Now = func() time.Time { return start.Add(20 * time.Minute) }
		defer func() { db.Now = time.Now }()
		res, out = e.do("POST", fmt.Sprintf("/api/v1/convocations/%d/presence", conv.ID), agent, map[string]any{"present": false, "motif_valable": false}, nil)
		if res.StatusCode != 200 || !strings.Contains(out, "suspension") || !strings.Contains(out, `"statut":"absente"`) {
			t.Errorf("no-show: %d %s", res.StatusCode, out)
		}
	})
}

func paris() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}

// matrixConvocations adds to the secret matrix's fixture an agenda, a
// convocation and an examination on dossier 2 (ALD, Bas-Rhin, assuré A) whose
// three clinical texts are markers the medical team of the Bas-Rhin alone may
// read: every route is then scanned for them (an administrative agent sees dates
// and places, never the examination).
func matrixConvocations(t *testing.T, fx *matrixFix) {
	t.Helper()
	e := fx.e
	d := fx.dossiers[2]
	agent := fx.tokens["agent.67"]
	monday := nextMonday()
	seedAgenda(t, e, agent, "S67-STRASBOURG", "praticien.67", monday)
	slots := proposal(t, e, agent, d.id)
	if len(slots) == 0 {
		t.Fatal("matrix: no slot proposed")
	}
	res, out := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/convocations", d.id), agent, map[string]any{"creneau": slots[0].ID}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("matrix convocation: %d %s", res.StatusCode, out)
	}
	var c struct{ ID int64 }
	json.Unmarshal([]byte(out), &c)
	start, _ := time.ParseInLocation(medconseil.CreneauLayout, slots[0].Debut, paris())
	e.db.Now = func() time.Time { return start.Add(10 * time.Minute) }
	defer func() { e.db.Now = time.Now }()
	if res, out := e.do("POST", fmt.Sprintf("/api/v1/convocations/%d/presence", c.ID), agent, map[string]any{"present": true}, nil); res.StatusCode != 200 {
		t.Fatalf("matrix presence: %d %s", res.StatusCode, out)
	}
	exam := map[string]any{"identite_verifiee": true, "transport": "vsl"}
	for _, f := range []string{"interrogatoire", "examen_clinique", "conclusions"} {
		m := fmt.Sprintf("ZM%02dEXAMEN_%s", d.idx, strings.ToUpper(f))
		exam[f] = m
		fx.marks[m] = &mMark{value: m, label: "examen." + f + " (équipe médicale)", grants: []mGrant{{d: d, need: needInterne}}}
	}
	if res, out := e.do("POST", fmt.Sprintf("/api/v1/convocations/%d/examen", c.ID), fx.tokens["praticien.67"], exam, nil); res.StatusCode != 204 {
		t.Fatalf("matrix examination: %d %s", res.StatusCode, out)
	}
	// The medical team reads it back (so the matrix cannot pass by showing nothing).
	_, out = e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/convocations", d.id), fx.tokens["infirmier.67"], nil, nil)
	if !strings.Contains(out, "EXAMEN_CONCLUSIONS") {
		t.Fatalf("the infirmier does not read the examination: %s", out)
	}
}
