package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// lettersOf downloads every letter of dossier id the praticien sees, by model.
func lettersOf(t *testing.T, db *sqldb.DB, a *medconseil.Acteur, id int64) map[string]string {
	t.Helper()
	list, err := db.Courriers(ctx, a, id, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range list {
		_, pdf, err := db.CourrierPDF(ctx, a, c.ID, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		text, err := courrier.Text(pdf)
		if err != nil {
			t.Fatal(err)
		}
		out[c.Modele] = text
	}
	return out
}

// flat removes line breaks and non-breaking spaces, so that a phrase can be
// searched whatever the justification did.
func flat(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// The avis writes, in its transaction, the letter to the assuré, the letter to
// the prescriber and the caisse's copy; the clinical content (the avis's motif,
// the diagnosis) is in the prescriber's letter only.
func TestAvisWritesLetters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		db.Now = func() time.Time { return time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC) }
		in := arret(t, nir1, "2026-11-02", "2026-11-30", "M545", "lombalgie commune", "port de charge lourde")
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		const motif = "Examen clinique normal, reprise possible au poste aménagé"
		if _, err := db.GiveAvis(ctx, as["praticien.67"], id, 1, medconseil.Avis{Sens: medconseil.SensNonJustifie, EffetAu: day(t, "2026-11-16"), Motif: motif}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		got := lettersOf(t, db, as["praticien.67"], id)
		if len(got) != 3 {
			t.Fatalf("letters %v, want 3 models", len(got))
		}
		assure, presc, caisse := flat(got[courrier.ModeleNotificationAssure]), flat(got[courrier.ModeleInformationPrescripteur]), flat(got[courrier.ModeleCopieCaisse])
		for name, text := range map[string]string{"assuré": assure, "prescripteur": presc, "caisse": caisse} {
			for _, want := range []string{"Service médical de la CPAM du Bas-Rhin", "non justifié médicalement", "Date d’effet : 16 novembre 2026", "SM-67/2026/"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: lacks %q:\n%s", name, want, text)
				}
			}
		}
		for _, want := range []string{"Monsieur Paul MARTIN", "commission médicale de recours amiable", "deux mois", "R142-8-5", "tribunal judiciaire"} {
			if !strings.Contains(assure, want) {
				t.Errorf("assuré's letter lacks %q:\n%s", want, assure)
			}
		}
		if !strings.Contains(presc, motif) || !strings.Contains(presc, "PERSONNEL ET CONFIDENTIEL") {
			t.Errorf("prescriber's letter lacks the motif or the confidential mention:\n%s", presc)
		}
		if !strings.Contains(caisse, "1 85 05 67 482 123 37") {
			t.Errorf("caisse's copy lacks the NIR:\n%s", caisse)
		}
		for name, text := range map[string]string{"assuré": assure, "caisse": caisse} {
			for _, secret := range []string{motif, "Examen clinique", "lombalgie", "M54", "charge lourde", "Motif médical"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s's letter discloses %q:\n%s", name, secret, text)
				}
			}
		}
		// The caisse lists and downloads the two non-clinical letters only.
		list, err := db.Courriers(ctx, as["cpam.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		var models []string
		for _, c := range list {
			models = append(models, c.Modele)
		}
		if strings.Join(models, ",") != "notification_assure,copie_caisse" {
			t.Errorf("caisse lists %v", models)
		}
	})
}

// An accord tacite fired by the sweep asks for its letters in the same
// transaction (a job of courrier_a_rendre); the letter worker renders them; a
// sweep or a worker run again writes none.
func TestAccordTaciteWritesLetters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		sweep(t, db, "2026-11-18")
		sweep(t, db, "2026-12-31")
		if got := lettersOf(t, db, as["praticien.67"], id); len(got) != 0 {
			t.Fatalf("letters written by the sweep itself: %v", got)
		}
		renderAll(t, db, 1)
		renderAll(t, db, 0)
		got := lettersOf(t, db, as["praticien.67"], id)
		if len(got) != 2 { // no prescriber on this dossier
			t.Fatalf("%d letters after the accord tacite, want 2 (assuré, caisse): %v", len(got), got)
		}
		assure := flat(got[courrier.ModeleNotificationAssure])
		for _, want := range []string{"accord tacite", "réputée acceptée", "Date d’effet : 18 novembre 2026", "R322-10-4", "commission médicale de recours amiable"} {
			if !strings.Contains(assure, want) {
				t.Errorf("assuré's letter lacks %q:\n%s", want, assure)
			}
		}
	})
}

// An AT/MP accident without a decision in 30 jours francs is recognised: the
// letters say so and cite R441-18.
func TestReconnaissanceImpliciteWritesLetters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeATMP, "accident", "2026-11-02")
		sweep(t, db, "2027-03-31")
		renderAll(t, db, 1)
		got := lettersOf(t, db, as["praticien.67"], id)
		assure := flat(got[courrier.ModeleNotificationAssure])
		for _, want := range []string{"reconnaissance implicite", "R441-18", "accident du travail"} {
			if !strings.Contains(assure, want) {
				t.Errorf("assuré's letter lacks %q:\n%s", want, assure)
			}
		}
	})
}
