package sqldb_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// convNow is the clock of the convocation tests: Wednesday 2 December 2026, 09:00 in Paris.
var convNow = time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)

// testGeo locates a few communes (centroids of the communes référentiel, rounded).
func testGeo(c string) (float64, float64, bool) {
	p, ok := map[string][2]float64{
		"67482": {48.5712, 7.7681}, // Strasbourg
		"67180": {48.8160, 7.7900}, // Haguenau
		"57463": {49.1081, 6.1955}, // Metz
	}[c]
	return p[0], p[1], ok
}

func mustDay(t testing.TB, s string) medconseil.Date {
	t.Helper()
	d, err := medconseil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// agendaFixture: a room on the sites of Strasbourg and Haguenau, one Monday
// morning plage on each (07/12/2026, 09:00–12:00, 30 min), and an arrêt of an
// assuré living in Haguenau.
func agendaFixture(t *testing.T, db *sqldb.DB) (map[string]*medconseil.Acteur, int64, map[string]int64) {
	t.Helper()
	db.Now = func() time.Time { return convNow }
	as := actors(t, db)
	salles := map[string]int64{}
	for _, site := range []string{"S67-STRASBOURG", "S67-HAGUENAU"} {
		id, err := db.AddSalle(ctx, as["agent.67"], medconseil.Salle{Site: site, Nom: "Salle 1", Adresse: "1 rue du Contrôle"}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		salles[site] = id
		_, n, err := db.AddPlage(ctx, as["agent.67"], medconseil.Plage{Site: site, SalleID: id, Praticien: "praticien.67", Jour: 1, Debut: "09:00", Fin: "12:00", Duree: 30,
			Du: mustDay(t, "2026-12-07"), Au: mustDay(t, "2026-12-07")}, sqldb.Meta{})
		if site == "S67-HAGUENAU" {
			// Same praticien, same morning: refused as an overlap.
			if err == nil || !strings.Contains(err.Error(), "chevauche") {
				t.Fatalf("overlapping plage: got %v, want a refusal naming the overlap", err)
			}
			_, n, err = db.AddPlage(ctx, as["agent.67"], medconseil.Plage{Site: site, SalleID: id, Praticien: "regional", Jour: 1, Debut: "09:00", Fin: "12:00", Duree: 30,
				Du: mustDay(t, "2026-12-07"), Au: mustDay(t, "2026-12-07")}, sqldb.Meta{})
		}
		if err != nil || n != 6 {
			t.Fatalf("plage on %s: %d slots, %v", site, n, err)
		}
	}
	in := arret(t, nir1, "2026-11-20", "2027-01-20", "M54.5", "lombalgie", "ZZEXAMENSECRET")
	in.Assure.Residence = "67180"
	id, _, err := db.CreateArret(ctx, as["praticien.67"], in, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return as, id, salles
}

func TestAgendaRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, _, salles := agendaFixture(t, db)
		// Only the agents and the médecin chef manage the agenda; another territory's site does not exist.
		if _, err := db.AddSalle(ctx, as["praticien.67"], medconseil.Salle{Site: "S67-STRASBOURG", Nom: "Salle 2"}, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("praticien adds a room: %v, want EFORBIDDEN", err)
		}
		if _, err := db.AddSalle(ctx, as["agent.67"], medconseil.Salle{Site: "S57-METZ", Nom: "Salle 2"}, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("agent.67 adds a room in Metz: %v, want ENOTFOUND", err)
		}
		if _, err := db.AddSalle(ctx, as["cpam.67"], medconseil.Salle{Site: "S67-STRASBOURG", Nom: "Salle 2"}, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("the caisse adds a room: %v, want ENOTFOUND", err)
		}
		// Slots in the past are refused, with every field error at once.
		_, _, err := db.AddPlage(ctx, as["agent.67"], medconseil.Plage{Site: "S67-STRASBOURG", SalleID: salles["S67-STRASBOURG"], Praticien: "praticien.67", Jour: 9, Debut: "14:00", Fin: "13:00", Duree: 30,
			Du: mustDay(t, "2026-11-02"), Au: mustDay(t, "2026-11-30")}, sqldb.Meta{})
		for _, want := range []string{"passé", "jour de la semaine", "doit suivre"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("bad plage: %v, want %q", err, want)
			}
		}
		// An absence removes the free slots it covers.
		n, err := db.AddAbsence(ctx, as["agent.67"], "S67-STRASBOURG", "praticien.67", mustDay(t, "2026-12-07"), mustDay(t, "2026-12-07"), "congé", sqldb.Meta{})
		if err != nil || n != 6 {
			t.Fatalf("absence: removed %d, %v", n, err)
		}
		// A plage over the absence generates nothing on its days.
		_, created, err := db.AddPlage(ctx, as["agent.67"], medconseil.Plage{Site: "S67-STRASBOURG", SalleID: salles["S67-STRASBOURG"], Praticien: "praticien.67", Jour: 1, Debut: "14:00", Fin: "15:00", Duree: 30,
			Du: mustDay(t, "2026-12-07"), Au: mustDay(t, "2026-12-14")}, sqldb.Meta{})
		if err != nil || created != 2 {
			t.Fatalf("plage over an absence: %d slots, %v; want the 2 of 14/12 only", created, err)
		}
	})
}

func TestConvocationBookingAndExamination(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, id, _ := agendaFixture(t, db)
		// Nearest site first (the assuré lives in Haguenau), then the earliest.
		slots, err := db.ProposeCreneaux(ctx, as["agent.67"], id, testGeo, 10, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if len(slots) != 10 || slots[0].Site != "S67-HAGUENAU" || slots[0].Debut != "2026-12-07T09:00" || slots[5].Site != "S67-HAGUENAU" || slots[6].Site != "S67-STRASBOURG" {
			t.Fatalf("proposal order: %+v", slots)
		}
		if slots[0].DistanceKm > 1 || slots[6].DistanceKm < 20 || slots[6].DistanceKm > 35 {
			t.Errorf("distances: %v then %v km", slots[0].DistanceKm, slots[6].DistanceKm)
		}
		// The caisse cannot convoke; the praticien of another département does not see the dossier.
		if _, err := db.Convoquer(ctx, as["cpam.67"], id, sqldb.ConvocationInput{CreneauID: slots[0].ID}, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("caisse convokes: %v", err)
		}
		if _, err := db.Convoquer(ctx, as["praticien.57"], id, sqldb.ConvocationInput{CreneauID: slots[0].ID}, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 convokes: %v", err)
		}
		c, err := db.Convoquer(ctx, as["agent.67"], id, sqldb.ConvocationInput{CreneauID: slots[0].ID}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["agent.67"], id, sqldb.Meta{})
		if err != nil || d.Etat != medconseil.EtatConvocation {
			t.Fatalf("state after convocation: %v %v", d.Etat, err)
		}
		// A second convocation while one is pending is refused: reschedule instead.
		if _, err := db.Convoquer(ctx, as["agent.67"], id, sqldb.ConvocationInput{CreneauID: slots[1].ID}, sqldb.Meta{}); code(err) != medconseil.ECONFLICT {
			t.Errorf("second pending convocation: %v", err)
		}
		// Rescheduling keeps the history.
		if _, err := db.Reporter(ctx, as["agent.67"], c.ID, slots[1].ID, "", "", sqldb.Meta{}); err == nil {
			t.Error("reschedule without reason accepted")
		}
		c2, err := db.Reporter(ctx, as["agent.67"], c.ID, slots[1].ID, "à la demande de l'assuré", "", sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if c2.Remplace != c.ID {
			t.Errorf("rescheduled convocation does not name the first: %+v", c2)
		}
		// The old slot is free again, the new one is not.
		again, _ := db.ProposeCreneaux(ctx, as["agent.67"], id, testGeo, 2, sqldb.Meta{})
		if len(again) != 2 || again[0].ID != slots[0].ID || again[1].ID != slots[2].ID {
			t.Errorf("after rescheduling, proposal %+v", again)
		}
		// Too early for an absence.
		if _, err := db.RecordPresence(ctx, as["agent.67"], c2.ID, sqldb.Presence{Present: false}, sqldb.Meta{}); code(err) != medconseil.EINVALID {
			t.Errorf("absence before the hour: %v", err)
		}
		db.Now = func() time.Time { return time.Date(2026, 12, 7, 8, 45, 0, 0, time.UTC) }
		if _, err := db.RecordPresence(ctx, as["infirmier.67"], c2.ID, sqldb.Presence{Present: true}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		// The infirmier records the accueil, the interrogatoire and the examen clinique, not the conclusions.
		if err := db.SaveExamen(ctx, as["infirmier.67"], c2.ID, medconseil.Examen{IdentiteVerifiee: true, Transport: "personnel", Interrogatoire: "ZZINTERRO douleurs", Clinique: "ZZCLIN Lasègue"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveExamen(ctx, as["infirmier.67"], c2.ID, medconseil.Examen{Conclusions: "ZZCONCL reprise"}, sqldb.Meta{}); code(err) != medconseil.EINVALID {
			t.Errorf("infirmier concludes: %v", err)
		}
		if err := db.SaveExamen(ctx, as["agent.67"], c2.ID, medconseil.Examen{Interrogatoire: "x"}, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("agent records the examination: %v", err)
		}
		if err := db.SaveExamen(ctx, as["praticien.67"], c2.ID, medconseil.Examen{Conclusions: "ZZCONCL reprise possible le 15/12"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		// Stored encrypted.
		var raw [3]string
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT interrogatoire_enc, clinique_enc, conclusions_enc FROM examen WHERE convocation_id = ?`, c2.ID).Scan(&raw[0], &raw[1], &raw[2])
		}); err != nil {
			t.Fatal(err)
		}
		// Each phase sealed, none of the typed words left: the markers, not "ZZ",
		// which a random ciphertext's base64 holds about once in 4,096 pairs.
		for _, v := range raw {
			if !strings.HasPrefix(v, "enc1:") || strings.Contains(v, "ZZINTERRO") || strings.Contains(v, "ZZCLIN") || strings.Contains(v, "ZZCONCL") || strings.Contains(v, "Lasègue") {
				t.Errorf("examination stored in clear: %.60s", v)
			}
		}
		// The praticien reads all three phases; the agent, dates and places only.
		for login, want := range map[string]bool{"praticien.67": true, "infirmier.67": true, "agent.67": false, "cpam.67": false} {
			cs, err := db.Convocations(ctx, as[login], id, sqldb.Meta{})
			if err != nil {
				t.Fatalf("%s: %v", login, err)
			}
			if len(cs) != 2 || cs[0].Statut != medconseil.ConvReportee || cs[1].Statut != medconseil.ConvPresente {
				t.Fatalf("%s: history %+v", login, cs)
			}
			j, _ := json.Marshal(cs)
			got := string(j)
			for _, m := range []string{"ZZINTERRO", "ZZCLIN", "ZZCONCL"} {
				if strings.Contains(got, m) != want {
					t.Errorf("%s sees %s: %v, want %v", login, m, !want, want)
				}
			}
		}
		if _, err := db.Convocations(ctx, as["praticien.57"], id, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 reads the convocations: %v", err)
		}
		d, _ = db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if d.Etat != medconseil.EtatExamen {
			t.Errorf("state after presence: %s", d.Etat)
		}
		checkReserve(t, db)
	})
}

func TestConvocationNoShow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, id, salles := agendaFixture(t, db)
		slots, _ := db.ProposeCreneaux(ctx, as["agent.67"], id, testGeo, 3, sqldb.Meta{})
		c, err := db.Convoquer(ctx, as["agent.67"], id, sqldb.ConvocationInput{CreneauID: slots[0].ID}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 12, 7, 8, 15, 0, 0, time.UTC) }
		// A valid excuse recorded by the infirmier (who does not convoke): the slot
		// is given back and the new convocation is left to fix by hand.
		got, err := db.RecordPresence(ctx, as["infirmier.67"], c.ID, sqldb.Presence{Present: false, MotifValable: true}, sqldb.Meta{})
		if err != nil || got.Statut != medconseil.ConvAbsente || !strings.Contains(got.Suite, "nouvelle convocation") || got.Suivante != nil {
			t.Fatalf("valid excuse (infirmier): %+v %v", got, err)
		}
		if _, err := db.RecordPresence(ctx, as["agent.67"], c.ID, sqldb.Presence{Present: true}, sqldb.Meta{}); code(err) != medconseil.ECONFLICT {
			t.Errorf("presence recorded twice: %v", err)
		}
		c1, err := db.Convoquer(ctx, as["agent.67"], id, sqldb.ConvocationInput{CreneauID: slots[1].ID}, sqldb.Meta{})
		if err != nil {
			t.Fatalf("new convocation: %v", err)
		}
		// A valid excuse recorded by the agent: the second convocation is booked at
		// once (REGULATIONS §13.3), at least 2 days later (parameter
		// controle/seconde_convocation_delai_jours): none free yet, then one.
		db.Now = func() time.Time { return time.Date(2026, 12, 7, 8, 35, 0, 0, time.UTC) }
		got, err = db.RecordPresence(ctx, as["agent.67"], c1.ID, sqldb.Presence{Present: false, MotifValable: true, Geo: testGeo}, sqldb.Meta{})
		if err != nil || got.Suivante != nil || !strings.Contains(got.Suite, "Aucun créneau libre") {
			t.Fatalf("valid excuse, no slot 2 days ahead: %+v %v", got, err)
		}
		if _, _, err := db.AddPlage(ctx, as["agent.67"], medconseil.Plage{Site: "S67-STRASBOURG", SalleID: salles["S67-STRASBOURG"], Praticien: "praticien.67", Jour: 1, Debut: "09:00", Fin: "10:00", Duree: 30,
			Du: mustDay(t, "2026-12-14"), Au: mustDay(t, "2026-12-14")}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		c15, err := db.Convoquer(ctx, as["agent.67"], id, sqldb.ConvocationInput{CreneauID: slots[2].ID}, sqldb.Meta{})
		if err != nil {
			t.Fatalf("third convocation: %v", err)
		}
		db.Now = func() time.Time { return time.Date(2026, 12, 7, 9, 45, 0, 0, time.UTC) }
		got, err = db.RecordPresence(ctx, as["agent.67"], c15.ID, sqldb.Presence{Present: false, MotifValable: true, Geo: testGeo}, sqldb.Meta{})
		if err != nil || got.Suivante == nil {
			t.Fatalf("valid excuse, slot free: %+v %v", got, err)
		}
		c2 := got.Suivante
		if c2.Rang != c15.Rang+1 || c2.Remplace != c15.ID || c2.Creneau.Debut != "2026-12-14T09:00" || !strings.Contains(got.Suite, "seconde convocation fixée le 14/12/2026") {
			t.Errorf("second convocation: rang %d remplace %d at %s; %s", c2.Rang, c2.Remplace, c2.Creneau.Debut, got.Suite)
		}
		db.Now = func() time.Time { return time.Date(2026, 12, 14, 8, 45, 0, 0, time.UTC) }
		got, err = db.RecordPresence(ctx, as["agent.67"], c2.ID, sqldb.Presence{Present: false, MotifValable: false}, sqldb.Meta{})
		if err != nil || !strings.Contains(got.Suite, "suspension") {
			t.Fatalf("no-show: %+v %v", got, err)
		}
		// The caisse received the two convocations and the suspension proposal,
		// administrative conclusions only.
		var natures []string
		db.Read(ctx, func(tx *sqldb.Tx) error {
			rows, err := tx.Query(ctx, `SELECT nature, conclusion FROM notification WHERE dossier_id = ? ORDER BY seq`, id)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n, c string
				rows.Scan(&n, &c)
				natures = append(natures, n)
				if strings.Contains(c, "lombalgie") || strings.Contains(c, "M54") || strings.Contains(c, "ZZ") {
					t.Errorf("clinical content notified to the caisse: %s", c)
				}
				if n == "suspension_ij" && !strings.Contains(c, "L315-2 IV") {
					t.Errorf("suspension proposal without its source: %s", c)
				}
			}
			return nil
		})
		if strings.Join(natures, ",") != "convocation,convocation,convocation,convocation,suspension_ij" {
			t.Errorf("notifications: %v", natures)
		}
		// Each convocation has its letter to the assuré, readable by the agent.
		_, pdf, err := db.ConvocationLettre(ctx, as["agent.67"], c2.ID, sqldb.Meta{})
		if err != nil || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
			t.Fatalf("letter: %d bytes, %v", len(pdf), err)
		}
		if _, _, err := db.ConvocationLettre(ctx, as["praticien.57"], c2.ID, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 reads the letter: %v", err)
		}
		checkReserve(t, db)
	})
}

// TestBookingRace: many agents book the same slot at once, on both engines. One
// wins; every other gets the French conflict message; the slot holds exactly one
// convocation. Then cancellation and shutdown: a booking whose caller has left or
// whose store is closing leaves nothing half written.
func TestBookingRace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, _, _ := agendaFixture(t, db)
		const n = 8
		ids := make([]int64, n)
		for i := range ids {
			in := arret(t, nir1, "2026-11-20", "2027-01-20", "M54.5", "lombalgie", "x")
			in.Arret.Debut = mustDay(t, "2026-11-20").AddDays(i + 1)
			id, _, err := db.CreateArret(ctx, as["praticien.67"], in, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = id
		}
		slots, err := db.ProposeCreneaux(ctx, as["agent.67"], ids[0], testGeo, 1, sqldb.Meta{})
		if err != nil || len(slots) != 1 {
			t.Fatal(err)
		}
		other, err := db.OpenAgain(ctx) // a second server process on the same base
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				store := db
				if i%2 == 1 {
					store = other
				}
				_, errs[i] = store.Convoquer(ctx, as["agent.67"], ids[i], sqldb.ConvocationInput{CreneauID: slots[0].ID}, sqldb.Meta{})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case code(err) == medconseil.ECONFLICT && strings.Contains(err.Error(), "vient d'être réservé"):
			default:
				t.Errorf("booking %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d bookings of one slot succeeded, want exactly 1", won)
		}
		var held int
		db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM convocation WHERE creneau_id = ? AND actif = 1`, slots[0].ID).Scan(&held)
		})
		if held != 1 {
			t.Fatalf("slot held by %d convocations", held)
		}
		// Cancellation: a caller gone before its booking runs books nothing.
		free, _ := db.ProposeCreneaux(ctx, as["agent.67"], ids[1], testGeo, 1, sqldb.Meta{})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := db.Convoquer(cctx, as["agent.67"], ids[1], sqldb.ConvocationInput{CreneauID: free[0].ID}, sqldb.Meta{}); err == nil {
			t.Fatal("booking with a cancelled context succeeded")
		}
		after, _ := db.ProposeCreneaux(ctx, as["agent.67"], ids[1], testGeo, 1, sqldb.Meta{})
		if len(after) != 1 || after[0].ID != free[0].ID {
			t.Errorf("a cancelled booking took the slot: %+v", after)
		}
		// Shutdown: bookings racing a Close are either committed whole or refused; no caller waits forever.
		done := make(chan error, 4)
		for i := 2; i < 6; i++ {
			go func() {
				_, err := other.Convoquer(ctx, as["agent.67"], ids[i], sqldb.ConvocationInput{CreneauID: free[0].ID}, sqldb.Meta{})
				done <- err
			}()
		}
		other.Close()
		for range 4 {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("a booking caller was left waiting after Close")
			}
		}
		db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM convocation WHERE creneau_id = ? AND actif = 1`, free[0].ID).Scan(&held)
		})
		if held > 1 {
			t.Fatalf("after shutdown the slot is held by %d convocations", held)
		}
		var orphans int
		db.Read(ctx, func(tx *sqldb.Tx) error {
			// Every dossier in the convocation state has its pending convocation: nothing half written.
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier d WHERE d.etat = 'convocation' AND NOT EXISTS (SELECT 1 FROM convocation v WHERE v.dossier_id = d.id AND v.actif = 1)`).Scan(&orphans)
		})
		if orphans != 0 {
			t.Fatalf("%d dossiers in the convocation state without their convocation", orphans)
		}
		checkReserve(t, db)
	})
}

// checkReserve: every slot's reserve flag (what the free-slot search reads,
// migration 0920) says exactly whether an active convocation holds it, after
// bookings, reschedulings, no-shows and raced or cancelled bookings.
func checkReserve(t *testing.T, db *sqldb.DB) {
	t.Helper()
	var booked, wrong int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM creneau WHERE reserve = 1`).Scan(&booked); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM creneau c
			WHERE c.reserve <> CASE WHEN EXISTS (SELECT 1 FROM convocation v WHERE v.creneau_id = c.id AND v.actif = 1) THEN 1 ELSE 0 END`).Scan(&wrong)
	}); err != nil {
		t.Fatal(err)
	}
	if booked == 0 {
		t.Error("no slot is marked booked after bookings")
	}
	if wrong != 0 {
		t.Errorf("%d slots whose reserve flag disagrees with their active convocations", wrong)
	}
}
