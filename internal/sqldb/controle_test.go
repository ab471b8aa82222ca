package sqldb_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/courrier"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func chef67(t *testing.T, db *sqldb.DB) *medconseil.Acteur {
	t.Helper()
	id, err := db.CreateUser(ctx, nil, "chef.67", "chef.67", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
		[]medconseil.Habilitation{{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ActeurByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func code(err error) medconseil.Code {
	var e *medconseil.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func cday(s string) medconseil.Date {
	d, err := medconseil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestControleMSOMSAP: a proposition of the targeting list opens an MSO/MSAP
// procedure (médecin chef only, own département); its steps start their deadlines
// from the dated parameters; the scheduler's sweep fires them once; the MSO period
// is bounded (R148-3); during the MSAP every arrêt the professional prescribes
// enters the casework as needing prior agreement, the others do not; the purge
// keeps the arrêts under MSAP and the dossiers under contentieux.
func TestControleMSOMSAP(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ac := actors(t, db)
		chef, pr67, pr57 := chef67(t, db), ac["praticien.67"], ac["praticien.57"]
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ps, err := controle.ParsePropositions(strings.NewReader(`[
			{"professionnel":"671012345","anomalie":"surprescription_ij","score":9.1,"explication":"jours d'IJ : observé 812, attendu 301, ratio 2,7"},
			{"professionnel":"571000001","anomalie":"surprescription_ij","score":8.0,"explication":"x"}]`))
		if err != nil {
			t.Fatal(err)
		}
		n, skipped, err := db.ImportPropositions(ctx, chef, "campagne 2026", ps, "", sqldb.Meta{})
		if err != nil || n != 1 || skipped != 1 {
			t.Fatalf("import = %d, %d, %v; want 1, 1 (the 57 flag is outside the chef's territory)", n, skipped, err)
		}
		if n, _, _ := db.ImportPropositions(ctx, chef, "campagne 2026", ps, "", sqldb.Meta{}); n != 0 {
			t.Errorf("replayed import added %d", n)
		}
		if l, _ := db.Propositions(ctx, pr57, sqldb.Meta{}); len(l) != 0 {
			t.Errorf("praticien.57 sees %d propositions of 67", len(l))
		}
		l, err := db.Propositions(ctx, pr67, sqldb.Meta{})
		if err != nil || len(l) != 1 || l[0].Departement != "67" {
			t.Fatalf("praticien.67 propositions = %+v, %v", l, err)
		}
		if _, err := db.OpenMSO(ctx, pr67, l[0].ID, "10001234567", sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("praticien opens a procedure: %v", err)
		}
		if _, err := db.OpenMSO(ctx, chef, l[0].ID, "123", sqldb.Meta{}); code(err) != medconseil.EINVALID {
			t.Errorf("bad RPPS: %v", err)
		}
		id, err := db.OpenMSO(ctx, chef, l[0].ID, "10001234567", sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenMSO(ctx, chef, l[0].ID, "10001234567", sqldb.Meta{}); code(err) != medconseil.ECONFLICT {
			t.Errorf("second opening: %v", err)
		}
		if _, err := db.Controle(ctx, pr57, id, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 reads a 67 procedure: %v", err)
		}
		ev := func(a *medconseil.Acteur, name string, in sqldb.EventInput) error {
			t.Helper()
			v, err := db.Controle(ctx, a, id, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if in.Le.IsZero() {
				in.Le = medconseil.DateOf(now)
			}
			_, err = db.ControleEvent(ctx, a, id, v.Version, name, in, sqldb.Meta{})
			return err
		}
		if err := ev(chef, "notifier", sqldb.EventInput{}); err != nil {
			t.Fatal(err)
		}
		v, _ := db.Controle(ctx, pr67, id, sqldb.Meta{})
		if v.Etape != "notifiee" || len(v.Echeances) != 1 || v.Echeances[0].Limite != cday("2026-04-02") || !v.Echeances[0].Verifier {
			t.Fatalf("after notification: %s %+v", v.Etape, v.Echeances)
		}
		// The notification letter (R148-1 I), rendered by internal/courrier.
		if len(v.Courriers) != 1 || !strings.Contains(v.Courriers[0].Reference, "/CTL/2026/") {
			t.Fatalf("letters = %+v", v.Courriers)
		}
		if _, _, err := db.ControleCourrierPDF(ctx, pr57, v.Courriers[0].ID, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 reads the letter: %v", err)
		}
		_, pdf, err := db.ControleCourrierPDF(ctx, pr67, v.Courriers[0].ID, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		text, err := courrier.Text(pdf)
		if err != nil || !strings.Contains(text, "R148-1") || !strings.Contains(text, "observé 812") || !strings.Contains(text, "avril\u00a02026") {
			t.Errorf("letter text (%v): %q", err, text)
		}
		// One month without hearing: the sweep moves to the director's choice, once.
		now = time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC)
		if n, err := db.FireControleDeadlines(ctx, medconseil.DateOf(now)); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		if n, _ := db.FireControleDeadlines(ctx, medconseil.DateOf(now)); n != 0 {
			t.Errorf("second sweep fired %d", n)
		}
		v, _ = db.Controle(ctx, chef, id, sqldb.Meta{})
		if v.Etape != "audition" || v.Echeances[0].Nom != "choix_directeur" || v.Echeances[0].Limite != cday("2026-05-03") {
			t.Fatalf("after the sweep: %s %+v", v.Etape, v.Echeances)
		}
		// MSO period: 4 to 6 months (R148-3 1°).
		err = ev(chef, "proposer_mso", sqldb.EventInput{Objectif: 25, Debut: cday("2026-04-03"), Fin: cday("2026-06-03")})
		if code(err) != medconseil.EINVALID || !strings.Contains(err.Error(), "R148-3") {
			t.Errorf("2-month MSO: %v", err)
		}
		// Towards the MSAP.
		for _, step := range []struct {
			name string
			in   sqldb.EventInput
		}{{"saisir_commission", sqldb.EventInput{}}, {"avis_commission", sqldb.EventInput{Issue: "MSAP de 6 mois"}}, {"saisir_uncam", sqldb.EventInput{}}, {"uncam_favorable", sqldb.EventInput{}}} {
			if err := ev(chef, step.name, step.in); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		}
		if err := ev(chef, "decider_msap", sqldb.EventInput{Debut: cday("2026-04-01"), Fin: cday("2026-11-01")}); code(err) != medconseil.EINVALID {
			t.Errorf("7-month MSAP: %v", err)
		}
		if err := ev(chef, "decider_msap", sqldb.EventInput{Debut: cday("2026-04-01"), Fin: cday("2026-09-30")}); err != nil {
			t.Fatal(err)
		}
		// An arrêt of this prescriber during the MSAP needs prior agreement.
		p := ac["prescripteur.demo"]
		under, _, err := db.CreateArret(ctx, p, arret(t, nir1, "2026-04-02", "2026-04-20", "M545", "lombalgie", "motif"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if s, cid, _ := db.MsapStatut(ctx, under); s != "attente_accord" || cid != id {
			t.Errorf("arrêt under MSAP: %q %d", s, cid)
		}
		// The alert on the arrêt (shown with its pre-analysis), sealed like the others.
		var alertCode, alertEnc string
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT code, message_enc FROM alerte WHERE dossier_id = ?`, under).Scan(&alertCode, &alertEnc)
		}); err != nil || alertCode != "msap_accord_prealable" || strings.Contains(alertEnc, "MSAP") {
			t.Errorf("MSAP alert on the arrêt: %q %q %v", alertCode, alertEnc, err)
		}
		other := arret(t, nir1, "2026-04-02", "2026-04-20", "M545", "lombalgie", "motif")
		other.Prescripteur = "10009999999"
		free, _, err := db.CreateArret(ctx, ac["autre.medecin"], other, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if s, _, _ := db.MsapStatut(ctx, free); s != "" {
			t.Errorf("arrêt of another prescriber under MSAP: %q", s)
		}
		before := arret(t, nir1, "2026-03-20", "2026-03-25", "M545", "lombalgie", "motif")
		early, _, err := db.CreateArret(ctx, p, before, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if s, _, _ := db.MsapStatut(ctx, early); s != "" {
			t.Errorf("arrêt starting before the MSAP: %q", s)
		}
		if err := db.MsapDecision(ctx, ac["agent.67"], under, true, "", sqldb.Meta{}); code(err) != medconseil.ENOTFOUND && code(err) != medconseil.EFORBIDDEN {
			t.Errorf("agent decides the prior agreement: %v", err)
		}
		if err := db.MsapDecision(ctx, pr67, under, false, "", sqldb.Meta{}); code(err) != medconseil.EINVALID {
			t.Errorf("refusal without motif: %v", err)
		}
		if err := db.MsapDecision(ctx, pr67, under, true, "", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if s, _, _ := db.MsapStatut(ctx, under); s != "accord" {
			t.Errorf("after agreement: %q", s)
		}
		// Purge: the arrêt filed under the running MSAP stays, the others go.
		old := "2001-01-01T00:00:00.000000000Z"
		for _, x := range []int64{under, free} {
			execSQL(t, db, `UPDATE dossier SET etat = 'classee', maj_le = ? WHERE id = ?`, old, x)
		}
		pol := sqldb.PurgePolicy{Avant: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
		var purged []int64
		if _, err := db.Purge(ctx, pol, false, func(it sqldb.PurgeItem) { purged = append(purged, it.ID) }); err != nil {
			t.Fatal(err)
		}
		if len(purged) != 1 || purged[0] != free {
			t.Errorf("purged %v, want only %d (the arrêt %d is under MSAP)", purged, free, under)
		}
		// The MSAP ends (swept on its end date): the arrêt is no longer protected.
		now = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		if _, err := db.FireControleDeadlines(ctx, medconseil.DateOf(now)); err != nil {
			t.Fatal(err)
		}
		if v, _ := db.Controle(ctx, chef, id, sqldb.Meta{}); v.Etape != "msap_terminee" {
			t.Errorf("after the MSAP end: %s", v.Etape)
		}
		purged = nil
		if _, err := db.Purge(ctx, pol, false, func(it sqldb.PurgeItem) { purged = append(purged, it.ID) }); err != nil {
			t.Fatal(err)
		}
		if len(purged) != 1 || purged[0] != under {
			t.Errorf("purged %v after the MSAP, want %d", purged, under)
		}
	})
}

// TestContentieuxFromDossier: an assuré contests a notified avis; the contentieux
// is opened from the dossier through the gate (a médecin of its territory only),
// moves it to « contestée », starts the CMRA délais from the day the recourse was
// received; the purge never touches the dossier, even closed and old.
func TestContentieuxFromDossier(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ac := actors(t, db)
		pr67 := ac["praticien.67"]
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		id, _, err := db.CreateArret(ctx, ac["prescripteur.demo"], arret(t, nir1, "2026-01-05", "2026-01-20", "M545", "lombalgie", "motif"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		in := sqldb.ContentieuxInput{Voie: "cmra", Requerant: "l'assuré", Objet: "conteste l'avis de non-justification", Recu: cday("2026-02-20")}
		if _, err := db.OpenContentieuxDossier(ctx, pr67, id, in, sqldb.Meta{}); code(err) != medconseil.ECONFLICT {
			t.Errorf("contest of a dossier not notified: %v", err)
		}
		execSQL(t, db, `UPDATE dossier SET etat = 'notifiee' WHERE id = ?`, id)
		for _, who := range []string{"agent.67", "praticien.57", "cpam.67"} {
			if _, err := db.OpenContentieuxDossier(ctx, ac[who], id, in, sqldb.Meta{}); err == nil {
				t.Errorf("%s opened a medical contentieux", who)
			}
		}
		bad := in
		bad.Voie, bad.Requerant = "ailleurs", ""
		if _, err := db.OpenContentieuxDossier(ctx, pr67, id, bad, sqldb.Meta{}); len(medconseil.FieldErrors(err)) != 2 {
			t.Errorf("bad input: %v", err)
		}
		cid, err := db.OpenContentieuxDossier(ctx, pr67, id, in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, pr67, id, sqldb.Meta{})
		if err != nil || d.Etat != medconseil.EtatContestee {
			t.Fatalf("dossier after the contest: %v %v", d.Etat, err)
		}
		v, err := db.Controle(ctx, pr67, cid, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		lims := map[string]medconseil.Date{}
		for _, e := range v.Echeances {
			lims[e.Nom] = e.Limite
		}
		if lims["rapport"] != cday("2026-03-02") || lims["silence_cmra"] != cday("2026-06-20") {
			t.Errorf("CMRA deadlines = %v, want rapport 2026-03-02 (R142-8-2, 10 days) and silence 2026-06-20 (R142-8-5, 4 months)", lims)
		}
		if err := db.AddElement(ctx, pr67, cid, "argument", "assuré", "certificat du rhumatologue du 12/02/2026", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddElement(ctx, pr67, cid, "autre", "", "", sqldb.Meta{}); len(medconseil.FieldErrors(err)) != 3 {
			t.Errorf("bad element: %v", err)
		}
		v, _ = db.Controle(ctx, pr67, cid, sqldb.Meta{})
		if len(v.Elements) != 2 || v.Elements[1].Contenu != "certificat du rhumatologue du 12/02/2026" || v.DossierID != id {
			t.Errorf("elements = %+v", v.Elements)
		}
		// Stored encrypted.
		var enc string
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT contenu_enc FROM controle_element WHERE controle_id = ? AND rang = 2`, cid).Scan(&enc)
		}); err != nil || strings.Contains(enc, "rhumatologue") {
			t.Errorf("element stored in clear: %q %v", enc, err)
		}
		execSQL(t, db, `UPDATE dossier SET etat = 'classee', maj_le = '2001-01-01T00:00:00.000000000Z' WHERE id = ?`, id)
		res, err := db.Purge(ctx, sqldb.PurgePolicy{Avant: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, false, nil)
		if err != nil || res.Dossiers != 0 {
			t.Errorf("purge removed %d dossiers (%v): a dossier under contentieux must stay", res.Dossiers, err)
		}
		// The tribunal after the CMRA avis.
		for _, s := range []struct {
			name string
			in   sqldb.EventInput
		}{{"transmettre_rapport", sqldb.EventInput{}}, {"avis_cmra", sqldb.EventInput{Issue: "recours rejeté"}}, {"saisir_tribunal", sqldb.EventInput{}}, {"ordonner_expertise", sqldb.EventInput{Note: "expert désigné : Dr X"}}} {
			v, _ := db.Controle(ctx, pr67, cid, sqldb.Meta{})
			s.in.Le = medconseil.DateOf(now)
			if _, err := db.ControleEvent(ctx, pr67, cid, v.Version, s.name, s.in, sqldb.Meta{}); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		v, _ = db.Controle(ctx, pr67, cid, sqldb.Meta{})
		if v.Etape != "expertise" || v.Issue != "recours rejeté" {
			t.Errorf("contentieux at %s, issue %q", v.Etape, v.Issue)
		}
	})
}
