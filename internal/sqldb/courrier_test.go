package sqldb_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func testLettre(dest courrier.Destinataire, texte string) courrier.Lettre {
	return courrier.Lettre{
		Modele:       "essai_" + string(dest),
		Destinataire: dest,
		Adresse:      []string{"Destinataire " + string(dest)},
		Date:         medconseil.NewDate(2026, 12, 2),
		Objet:        "Essai",
		Paragraphes:  []string{texte},
	}
}

func TestAddCourrier(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", "port de charge lourde"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		noClin := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Decision)
		clin := noClin.With(medconseil.Clinique)
		var ids []int64
		var refs []string
		err = db.Write(ctx, func(tx *sqldb.Tx) error {
			for _, in := range []sqldb.CourrierInput{
				{DossierID: id, Lettre: testLettre(courrier.Assure, "Décision pour l'assuré"), Contenu: noClin, Par: as["praticien.67"]},
				{DossierID: id, Lettre: testLettre(courrier.Prescripteur, "Motif médical : lombalgie"), Contenu: clin, Par: as["praticien.67"]},
			} {
				cid, ref, err := tx.AddCourrier(ctx, in)
				if err != nil {
					return err
				}
				ids, refs = append(ids, cid), append(refs, ref)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := "SM-67/2026/"; !strings.HasPrefix(refs[0], want) || refs[0] == refs[1] {
			t.Fatalf("references %v, want distinct ones starting with %s", refs, want)
		}

		// A clinical letter to the caisse is refused, and nothing is written.
		before, _ := db.Courriers(ctx, as["praticien.67"], id, sqldb.Meta{})
		err = db.Write(ctx, func(tx *sqldb.Tx) error {
			_, _, err := tx.AddCourrier(ctx, sqldb.CourrierInput{DossierID: id, Lettre: testLettre(courrier.Caisse, "lombalgie"), Contenu: clin})
			return err
		})
		if medconseil.ErrorCode(err) != medconseil.EINVALID || !strings.Contains(err.Error(), "aucune donnée clinique") {
			t.Errorf("clinical letter to the caisse: err = %v, want EINVALID", err)
		}
		if after, _ := db.Courriers(ctx, as["praticien.67"], id, sqldb.Meta{}); len(after) != len(before) {
			t.Errorf("refused letter stored: %d letters, want %d", len(after), len(before))
		}
		err = db.Write(ctx, func(tx *sqldb.Tx) error {
			_, _, err := tx.AddCourrier(ctx, sqldb.CourrierInput{DossierID: 999999, Lettre: testLettre(courrier.Assure, "x"), Contenu: noClin})
			return err
		})
		if medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
			t.Errorf("letter on a missing dossier: err = %v, want ENOTFOUND", err)
		}

		// Who sees which letter: the medical team and the prescriber both; the
		// caisse and the administrative agent the non-clinical one; others none.
		for _, tc := range []struct {
			who  string
			want int // letters listed
			err  medconseil.Code
		}{
			{"praticien.67", 2, ""},
			{"prescripteur.demo", 2, ""},
			{"agent.67", 1, ""},
			{"cpam.67", 1, ""},
			{"cpam.57", 0, medconseil.ENOTFOUND},
			{"praticien.57", 0, medconseil.ENOTFOUND},
			{"autre.medecin", 0, medconseil.ENOTFOUND},
			{"statisticien", 0, medconseil.ENOTFOUND},
		} {
			list, err := db.Courriers(ctx, as[tc.who], id, sqldb.Meta{})
			if medconseil.ErrorCode(err) != tc.err || len(list) != tc.want {
				t.Errorf("%s: %d letters, err %v; want %d, %q", tc.who, len(list), err, tc.want, tc.err)
			}
			for i, cid := range ids {
				c, pdf, err := db.CourrierPDF(ctx, as[tc.who], cid, sqldb.Meta{})
				mayRead := i < tc.want
				if !mayRead {
					if medconseil.ErrorCode(err) != medconseil.ENOTFOUND || pdf != nil {
						t.Errorf("%s downloaded letter %d (%v)", tc.who, cid, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: letter %d: %v", tc.who, cid, err)
					continue
				}
				sum := sha256.Sum256(pdf)
				if hex.EncodeToString(sum[:]) != c.SHA256 || c.Reference != refs[i] || c.Taille != int64(len(pdf)) {
					t.Errorf("%s: letter %d: sha %s ref %s size %d", tc.who, cid, c.SHA256, c.Reference, c.Taille)
				}
				text, err := courrier.Text(pdf)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(text, refs[i]) || !strings.Contains(text, "Dossier n°\u00a0:") {
					t.Errorf("letter %d lacks its reference %s:\n%s", cid, refs[i], text)
				}
			}
		}
		if _, _, err := db.CourrierPDF(ctx, as["praticien.67"], 987654, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
			t.Errorf("missing letter: %v", err)
		}

		// Every download and refusal is journaled with the closed-list purpose.
		entries, _, err := db.AuditEntries(ctx, as["dpo"], sqldb.AuditQuery{Action: "courrier.telechargement", Limit: 500}, sqldb.Meta{Finalite: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		var ok, refused int
		for _, e := range entries {
			if e.Action != "courrier.telechargement" {
				continue
			}
			if e.Finalite != "courrier" {
				t.Errorf("download journaled with purpose %q", e.Finalite)
			}
			switch e.Resultat {
			case sqldb.ResultOK:
				ok++
			case sqldb.ResultRefused:
				refused++
			}
		}
		if ok != 6 || refused != 11 {
			t.Errorf("journal: %d downloads, %d refusals; want 6 and 11", ok, refused)
		}
	})
}
