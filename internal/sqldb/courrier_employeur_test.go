package sqldb_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// An AT/MP accident recognised implicitly by the sweep (R441-18) also writes the
// letter to the employer: the dossier number, the decision, its date of effect,
// its basis and the employer's recourse, without the assuré's identity nor any
// clinical field; the employer of that SIRET lists and downloads that letter and
// no other; roles × letters as in docs/courriers.md.
func TestCourrierEmployeurReconnaissanceImplicite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeATMP, "accident", "2026-11-02")
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE dossier SET employeur = '12345678900011', decl_nom = 'ZMNOMDECLARE' WHERE id = ?`, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// A transport DAP's accord tacite writes no employer letter.
		other := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		sweep(t, db, "2027-03-31")
		renderAll(t, db, 2)

		all := lettersOf(t, db, as["praticien.67"], id)
		emp, ok := all[courrier.ModeleInformationEmployeur]
		if !ok {
			t.Fatalf("no employer letter among %d letters", len(all))
		}
		text := flat(emp)
		for _, want := range []string{"reconnaissance implicite", "R441-18", "SIRET 12345678900011", "commission de recours amiable", "deux mois", fmt.Sprintf("Dossier n° : %d", id)} {
			if !strings.Contains(text, want) {
				t.Errorf("employer letter lacks %q:\n%s", want, text)
			}
		}
		for _, secret := range []string{"185056748212337", "1 85 05", "ZMNOMDECLARE", "Monsieur " /* civility from the NIR */} {
			if strings.Contains(text, secret) {
				t.Errorf("employer letter discloses %q:\n%s", secret, text)
			}
		}
		if got := lettersOf(t, db, as["praticien.67"], other); got[courrier.ModeleInformationEmployeur] != "" {
			t.Errorf("transport accord tacite wrote an employer letter")
		}

		// Roles × letters of the AT/MP dossier.
		models := func(login string) string {
			list, err := db.Courriers(ctx, as[login], id, sqldb.Meta{})
			if err != nil {
				var me *medconseil.Error
				if errors.As(err, &me) && me.Code == medconseil.ENOTFOUND {
					return "404"
				}
				t.Fatalf("%s: %v", login, err)
			}
			var m []string
			for _, c := range list {
				m = append(m, c.Modele)
			}
			return strings.Join(m, ",")
		}
		for login, want := range map[string]string{
			"praticien.67": "notification_assure,copie_caisse,information_employeur",
			"agent.67":     "notification_assure,copie_caisse,information_employeur",
			"cpam.67":      "notification_assure,copie_caisse,information_employeur",
			"employeur":    "information_employeur",
			"praticien.57": "404",
			"statisticien": "404",
		} {
			if got := models(login); got != want {
				t.Errorf("%s lists %q, want %q", login, got, want)
			}
		}
		// The employer downloads its letter, and only it.
		list, err := db.Courriers(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			_, _, err := db.CourrierPDF(ctx, as["employeur"], c.ID, sqldb.Meta{})
			if (c.Modele == courrier.ModeleInformationEmployeur) != (err == nil) {
				t.Errorf("employer downloading %s: %v", c.Modele, err)
			}
			if c.Modele == courrier.ModeleInformationEmployeur && (c.Contenu.Has(medconseil.Identite) || c.Contenu.Has(medconseil.Clinique)) {
				t.Errorf("employer letter carries %s", c.Classes())
			}
		}
	})
}
