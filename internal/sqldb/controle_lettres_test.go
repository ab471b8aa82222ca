package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/courrier"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestControleLetters: every step that informs the professional produces its
// letter, rendered by internal/courrier, citing its article and stating the
// deadline the step started: convocation to the hearing (R148-1), MSO objectives
// (R148-3, R148-4), commission's avis (R148-7), MSAP with its duration
// (L162-1-15, R148-9); for an indu the notification de payer (R133-9-1) and the
// pénalité's notification of the facts (R147-2) and of the pénalité. A
// convocation outside the observations délai, or with an unreadable hour, is
// refused naming the field, with nothing written.
func TestControleLetters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ac := actors(t, db)
		chef, pr67, pr57 := chef67(t, db), ac["praticien.67"], ac["praticien.57"]
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		today := medconseil.DateOf(now)
		ps, _ := controle.ParsePropositions(strings.NewReader(`[{"professionnel":"671012345","anomalie":"surprescription_ij","score":9.1,"explication":"observé 812, attendu 301"}]`))
		if _, _, err := db.ImportPropositions(ctx, chef, "lot", ps, "", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		l, _ := db.Propositions(ctx, chef, sqldb.Meta{})
		id, err := db.OpenMSO(ctx, chef, l[0].ID, "10001234567", sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		step := func(pid int64, name string, in sqldb.EventInput) {
			t.Helper()
			v, err := db.Controle(ctx, chef, pid, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if in.Le.IsZero() {
				in.Le = today
			}
			if _, err := db.ControleEvent(ctx, chef, pid, v.Version, name, in, sqldb.Meta{}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		lastLetter := func(pid int64, modele string, want ...string) {
			t.Helper()
			v, err := db.Controle(ctx, pr67, pid, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Courriers) == 0 || v.Courriers[len(v.Courriers)-1].Modele != modele {
				t.Fatalf("letters of %d = %+v, want last %s", pid, v.Courriers, modele)
			}
			_, pdf, err := db.ControleCourrierPDF(ctx, pr67, v.Courriers[len(v.Courriers)-1].ID, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			text, err := courrier.Text(pdf)
			if err != nil {
				t.Fatal(err)
			}
			text = strings.ReplaceAll(text, "\u00a0", " ")
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%s letter lacks %q: %q", modele, w, text)
				}
			}
		}
		step(id, "notifier", sqldb.EventInput{})
		// The hearing: within the observations délai (until 2 April 2026).
		conv := sqldb.ConvocationAudition{Le: today, Jour: cday("2026-04-20"), Heure: "14h30", Lieu: "service médical, 2 rue de Lausanne, Strasbourg"}
		if _, err := db.ConvoquerAudition(ctx, chef, id, conv, sqldb.Meta{}); code(err) != medconseil.EINVALID || !strings.Contains(err.Error(), "02/04/2026") {
			t.Errorf("hearing after the délai: %v", err)
		}
		bad := conv
		bad.Jour, bad.Heure, bad.Lieu = cday("2026-03-20"), "25h", ""
		if _, err := db.ConvoquerAudition(ctx, chef, id, bad, sqldb.Meta{}); len(medconseil.FieldErrors(err)) != 2 {
			t.Errorf("bad hour and place: %v", err)
		}
		if _, err := db.ConvoquerAudition(ctx, pr67, id, conv, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("a praticien convenes: %v", err)
		}
		if _, err := db.ConvoquerAudition(ctx, pr57, id, conv, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 convenes: %v", err)
		}
		if v, _ := db.Controle(ctx, chef, id, sqldb.Meta{}); len(v.Courriers) != 1 {
			t.Fatalf("a refused convocation left a letter: %+v", v.Courriers)
		}
		conv.Jour = cday("2026-03-20")
		if _, err := db.ConvoquerAudition(ctx, chef, id, conv, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		lastLetter(id, "convocation_audition", "R148-1", "20 mars 2026 à 14h30", "assister")
		v, _ := db.Controle(ctx, chef, id, sqldb.Meta{})
		if v.Etape != "notifiee" || !strings.Contains(v.Evenements[len(v.Evenements)-1].Libelle, "Convocation") {
			t.Errorf("after the convocation: %s %+v", v.Etape, v.Evenements)
		}
		step(id, "entendre", sqldb.EventInput{Note: "audition"})
		step(id, "proposer_mso", sqldb.EventInput{Objectif: 25, Debut: cday("2026-03-02"), Fin: cday("2026-08-01")})
		lastLetter(id, "mso_objectifs", "R148-3", "25 %", "R148-4", "17 mars 2026")
		step(id, "refuser_mso", sqldb.EventInput{})
		step(id, "avis_commission", sqldb.EventInput{Issue: "avis favorable à une MSAP de 6 mois"})
		lastLetter(id, "mso_avis_commission", "R148-7", "avis favorable à une MSAP de 6 mois", "R148-8")
		step(id, "saisir_uncam", sqldb.EventInput{})
		step(id, "uncam_favorable", sqldb.EventInput{})
		step(id, "decider_msap", sqldb.EventInput{Debut: cday("2026-04-01"), Fin: cday("2026-09-30")})
		lastLetter(id, "msap_notification", "L162-1-15", "R148-9", "1er avril 2026", "30 septembre 2026", "6 mois", "accord préalable")

		// Indu from claims lines, its notification de payer, then a pénalité.
		sel := controle.Selection{Professionnel: "671012345", Du: cday("2022-01-01"), Au: cday("2025-12-31")}
		lines := []controle.Ligne{
			{Soins: cday("2022-06-01"), Paiement: cday("2022-06-10"), Nature: 1111, Montant: 2500},
			{Soins: cday("2024-05-02"), Paiement: cday("2024-05-12"), Nature: 1111, Montant: 3000},
		}
		iid, err := db.OpenIndu(ctx, chef, id, "", sel, controle.InduInput{Calcul: today}, lines, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		step(iid, "notifier", sqldb.EventInput{})
		lastLetter(iid, "indu_notification_payer", "R133-9-1", "L133-4", "30,00", "25,00", "2 mai 2026")
		pid, err := db.OpenPenalite(ctx, chef, iid, "L114-17-1 II 1° : facturation d'actes non réalisés", sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		step(pid, "notifier", sqldb.EventInput{})
		lastLetter(pid, "penalite_notification_faits", "R147-2", "actes non réalisés", "30,00", "2 avril 2026")
		step(pid, "saisir_commission", sqldb.EventInput{})
		step(pid, "avis_commission", sqldb.EventInput{Issue: "matérialité établie"})
		step(pid, "saisir_uncam", sqldb.EventInput{})
		v, _ = db.Controle(ctx, chef, pid, sqldb.Meta{})
		if _, err := db.ControleEvent(ctx, chef, pid, v.Version, "prononcer", sqldb.EventInput{Le: today, Montant: 2200}, sqldb.Meta{}); code(err) != medconseil.EINVALID {
			t.Errorf("pénalité above 70 %% of 30,00: %v", err)
		}
		step(pid, "prononcer", sqldb.EventInput{Montant: 2000})
		lastLetter(pid, "penalite_notification", "20,00", "L114-17-2", "tribunal judiciaire", "2 mai 2026")
	})
}

// TestContestationDelai: an assuré contests the avis of a dossier notified
// through its lifecycle; the 2 months of R142-1-A III run from the notification:
// a recourse received after them is refused on the field « recu » naming the
// limit, unless the notification did not state the délais; one received in time
// opens the contentieux.
func TestContestationDelai(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ac := actors(t, db)
		pr67 := ac["praticien.67"]
		now := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		id, _, err := db.CreateArret(ctx, ac["prescripteur.demo"], arret(t, nir1, "2026-01-05", "2026-01-20", "M545", "lombalgie", "motif"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, pr67, id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		ver, err := db.GiveAvis(ctx, pr67, id, d.Version, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, ac["agent.67"], id, ver, "notifier", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		delai, err := db.ContestationDelai(ctx, id)
		if err != nil || delai.Notification != cday("2026-01-10") || delai.Limite != cday("2026-03-10") || !strings.Contains(delai.Reference, "R142-1-A") {
			t.Fatalf("délai = %+v, %v", delai, err)
		}
		now = time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
		in := sqldb.ContentieuxInput{Voie: "cmra", Requerant: "l'assuré", Objet: "conteste l'avis", Recu: cday("2026-03-11")}
		_, err = db.OpenContentieuxDossier(ctx, pr67, id, in, sqldb.Meta{})
		if fe := medconseil.FieldErrors(err); len(fe) != 1 || fe[0].Field != "recu" || !strings.Contains(err.Error(), "10/03/2026") {
			t.Fatalf("late recourse: %v", err)
		}
		if d, _ := db.Dossier(ctx, pr67, id, sqldb.Meta{}); d.Etat != medconseil.EtatNotifiee {
			t.Errorf("a refused contest changed the dossier to %s", d.Etat)
		}
		in.Recu = cday("2026-01-05")
		if _, err := db.OpenContentieuxDossier(ctx, pr67, id, in, sqldb.Meta{}); code(err) != medconseil.EINVALID {
			t.Errorf("recourse before the notification: %v", err)
		}
		in.Recu = cday("2026-03-11")
		in.DelaiInopposable = true
		cid, err := db.OpenContentieuxDossier(ctx, pr67, id, in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := db.Controle(ctx, pr67, cid, sqldb.Meta{})
		if !strings.Contains(v.Objet, "non opposable") || v.DossierID != id {
			t.Errorf("contentieux = %+v", v.ControleRow)
		}
	})
}
