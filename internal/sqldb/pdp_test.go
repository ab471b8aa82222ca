package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// pdpActors adds the caisse's PDP cell of the Bas-Rhin to the usual actors.
func pdpActors(t *testing.T, db *sqldb.DB) map[string]*medconseil.Acteur {
	t.Helper()
	as := actors(t, db)
	id, err := db.CreateUser(ctx, nil, "pdp.67", "pdp.67", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
		[]medconseil.Habilitation{{Role: medconseil.RoleCellulePDP, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauCaisse, Code: "67"}}}, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if as["pdp.67"], err = db.ActeurByID(ctx, id); err != nil {
		t.Fatal(err)
	}
	return as
}

func TestPDPSignalsActionsContacts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }
		as := pdpActors(t, db)
		file := func(in sqldb.ArretInput) int64 {
			t.Helper()
			id, _, err := db.CreateArret(ctx, as["praticien.67"], in, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		// A: an initial arrêt and its prolongation, 142 days in all, still running.
		long := file(arret(t, nir1, "2026-08-01", "2026-09-30", "M54.5", "lombalgie", "ZZPDPSECRET"))
		p := arret(t, nir1, "2026-10-01", "2026-12-20", "M54.5", "lombalgie", "")
		p.Arret.Nature, p.Arret.InitialID = medconseil.NatureProlongation, long
		file(p)
		// B: three short initial arrêts in 12 months (repeated), the last one filed last.
		const nir2 = "284127511800113"
		var last int64
		for _, d := range [][2]string{{"2026-02-01", "2026-02-10"}, {"2026-05-01", "2026-05-05"}, {"2026-11-20", "2026-11-25"}} {
			in := arret(t, nir2, d[0], d[1], "J11.1", "grippe", "")
			in.Assure.Nom, in.Assure.Prenom = "DURAND", "Anne"
			last = file(in)
		}
		// C: a short arrêt, and a long one in Moselle (another caisse).
		file(arret(t, "195037511800159", "2026-11-01", "2026-11-10", "J11.1", "grippe", ""))
		moselle := arret(t, "171035746304557", "2026-06-01", "2026-12-31", "F32.1", "depression", "")
		moselle.Assure.Residence = "57463"
		if _, _, err := db.CreateArret(ctx, as["praticien.57"], moselle, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}

		want := map[string]int64{"arret_90": long, "arrets_repetes": last}
		for _, login := range []string{"praticien.67", "pdp.67", "regional"} {
			sigs, err := db.PDPSignalements(ctx, as[login], sqldb.Meta{})
			if err != nil {
				t.Fatalf("%s: %v", login, err)
			}
			got := map[string]int64{}
			for _, s := range sigs {
				got[s.Code] = s.DossierID
				if strings.Contains(s.Libelle+s.Nom, "lombalgie") || strings.Contains(s.Libelle, "M54") {
					t.Errorf("%s: clinical content in a signal: %+v", login, s)
				}
			}
			if login == "regional" {
				if len(sigs) != 3 {
					t.Errorf("regional: %d signals, want 3 (two in 67, one in 57): %+v", len(sigs), sigs)
				}
				continue
			}
			if len(sigs) != 2 || got["arret_90"] != want["arret_90"] || got["arrets_repetes"] != want["arrets_repetes"] {
				t.Errorf("%s: signals %v, want %v (%+v)", login, got, want, sigs)
			}
			for _, s := range sigs {
				if s.Code == "arret_90" && (s.Jours != 142 || s.Source == "" || !strings.Contains(s.Source, "D323-3") || !s.Verifier) {
					t.Errorf("%s: long arrêt signal %+v: want 142 days, source D323-3, marked to verify", login, s)
				}
				if s.Code == "arrets_repetes" && (s.Arrets != 3 || s.Nom != "DURAND") {
					t.Errorf("%s: repeated arrêts %+v", login, s)
				}
			}
		}
		for _, login := range []string{"cpam.67", "agent.67", "assure", "employeur"} {
			if a := as[login]; a != nil {
				if _, err := db.PDPSignalements(ctx, a, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
					t.Errorf("%s reads the PDP worklist: %v", login, err)
				}
			}
		}
		if sigs, err := db.PDPSignalements(ctx, as["praticien.57"], sqldb.Meta{}); err != nil || len(sigs) != 1 || sigs[0].Code != "arret_180" {
			t.Errorf("praticien.57: %+v %v, want the Moselle arrêt of more than 6 months", sigs, err)
		}

		// Actions: bad input refused with the field named, nothing written.
		d := func(s string) medconseil.Date { return mustDay(t, s) }
		fin := d("2026-12-31")
		for _, c := range []struct {
			x     medconseil.ActionPDP
			field string
		}{
			{medconseil.ActionPDP{Nature: "inconnue", Debut: d("2026-12-01")}, "nature"},
			{medconseil.ActionPDP{Nature: medconseil.PDPEssaiEncadre}, "debut"},
			{medconseil.ActionPDP{Nature: medconseil.PDPEssaiEncadre, Debut: d("2026-11-01"), Fin: &fin}, "fin"}, // 45 working days
			{medconseil.ActionPDP{Nature: medconseil.PDPVisitePreReprise, Debut: d("2026-12-10"), Issue: "bof"}, "issue"},
		} {
			_, err := db.AddPDPAction(ctx, as["pdp.67"], long, c.x, sqldb.Meta{})
			if fe := medconseil.FieldErrors(err); code(err) != medconseil.EINVALID || len(fe) == 0 || fe[0].Field != c.field {
				t.Errorf("action %+v: %v, want a French error on %s", c.x, err, c.field)
			}
		}
		if n := count(t, db, "pdp_action"); n != 0 {
			t.Fatalf("%d actions written by refused requests", n)
		}
		x, err := db.AddPDPAction(ctx, as["pdp.67"], long, medconseil.ActionPDP{Nature: medconseil.PDPVisitePreReprise, Debut: d("2026-11-28"), Issue: medconseil.IssueRetourAmenage}, sqldb.Meta{})
		if err != nil || x.ID == 0 {
			t.Fatalf("action: %+v %v", x, err)
		}
		if _, err := db.AddPDPAction(ctx, as["agent.67"], long, medconseil.ActionPDP{Nature: medconseil.PDPCRPE, Debut: d("2026-12-01")}, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("agent records a PDP action: %v", err)
		}
		if _, err := db.AddPDPAction(ctx, as["pdp.67"], long+1000, medconseil.ActionPDP{Nature: medconseil.PDPCRPE, Debut: d("2026-12-01")}, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("action on a missing dossier: %v", err)
		}

		// Contacts with the médecin du travail: the medical team's summary is
		// clinical (encrypted, hidden from the caisse's cell), the cell's is not.
		if _, err := db.AddPDPContact(ctx, as["praticien.67"], long, medconseil.ContactMedecinTravail{Qui: "Dr Weber, SPST Alsace", Quand: d("2026-11-30"), Canal: "telephone", Resume: "ZZCONTACTMEDICAL restrictions de port de charges"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddPDPContact(ctx, as["pdp.67"], long, medconseil.ContactMedecinTravail{Qui: "Dr Weber", Quand: d("2026-12-01"), Canal: "reunion", Resume: "ZZCONTACTCELLULE rendez-vous de liaison fixé"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddPDPContact(ctx, as["pdp.67"], long, medconseil.ContactMedecinTravail{Qui: "", Quand: d("2027-01-01"), Canal: "pigeon"}, sqldb.Meta{}); len(medconseil.FieldErrors(err)) != 4 {
			t.Errorf("bad contact: %v, want four field errors (qui, quand, canal, resume)", err)
		}
		var enc string
		db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT resume_enc FROM pdp_contact ORDER BY id LIMIT 1`).Scan(&enc)
		})
		if !strings.HasPrefix(enc, "enc1:") || strings.Contains(enc, "ZZCONTACT") || strings.Contains(enc, "restrictions") {
			t.Errorf("summary stored in clear: %.40s", enc)
		}
		cell, err := db.PDPDossier(ctx, as["pdp.67"], long, sqldb.Meta{})
		if err != nil || !cell.Visible || cell.Medical || len(cell.Contacts) != 2 || len(cell.Actions) != 1 {
			t.Fatalf("cell's section: %+v %v", cell, err)
		}
		if c := cell.Contacts[0]; !c.Masque || c.Resume != "" || cell.Contacts[1].Resume == "" {
			t.Errorf("cell reads the medical summary: %+v", cell.Contacts)
		}
		if len(cell.Signals) != 1 || cell.Signals[0].Actions != 1 || cell.Signals[0].Issue != medconseil.IssueRetourAmenage {
			t.Errorf("cell's signals on the dossier: %+v", cell.Signals)
		}
		med, err := db.PDPDossier(ctx, as["praticien.67"], long, sqldb.Meta{})
		if err != nil || !med.Medical || !strings.Contains(med.Contacts[0].Resume, "ZZCONTACTMEDICAL") {
			t.Errorf("medical section: %+v %v", med, err)
		}
		if v, err := db.PDPDossier(ctx, as["cpam.67"], long, sqldb.Meta{}); err != nil || v.Visible {
			t.Errorf("cpam.67 sees the PDP section: %+v %v", v, err)
		}
		if _, err := db.PDPDossier(ctx, as["pdp.67"], long+1000, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("missing dossier: %v", err)
		}
		// The cell sees the dossier without its clinical fields.
		dd, err := db.Dossier(ctx, as["pdp.67"], long, sqldb.Meta{})
		if err != nil || dd.Arret == nil || dd.Arret.Libelle != "" || dd.Arret.Motif != "" || dd.Arret.CIM10 != "" {
			t.Errorf("cell's dossier: %+v %v", dd, err)
		}
	})
}
