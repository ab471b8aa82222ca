package sqldb_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// seedTableau writes a known set of dossiers, straight into the tables the
// dashboard counts (dossier, avis, echeance), so every figure can be computed by
// hand. Period tested: 2025-07-01 to 2026-06-30, judged on 2026-06-01.
//
//	Bas-Rhin (67), received 2026-03-10: 6 arrêts avis justifié on 03-15 (5 days),
//	  2 arrêts non justifié on 03-20 (10 days), 3 transports with a fired accord
//	  tacite, 4 arrêts open and past their deadline (03-17), 1 open not yet due
//	  (07-01), 1 classée without avis; plus 2 received 2025-01-05 (outside).
//	Moselle (57), received 2026-04-02: 7 arrêts justifié on 04-09 (7 days).
func seedTableau(t *testing.T, db *sqldb.DB) {
	t.Helper()
	id := int64(0)
	err := db.Write(ctx, func(tx *sqldb.Tx) error {
		add := func(n int, typ, dep, recue, etat, echeance, sens, avisLe, tacite string) error {
			for range n {
				id++
				nir := fmt.Sprintf("1800167%06d", id)
				if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES (?, ?, ?)`, nir, "67482", "2026-01-01T00:00:00Z"); err != nil {
					return err
				}
				var ech any
				if echeance != "" {
					ech = echeance
				}
				if _, err := tx.Exec(ctx, `INSERT INTO dossier (id, type, etat, departement, nir, recue_le, echeance, maj_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					id, typ, etat, dep, nir, recue+"T10:30:00.000000000Z", ech, "2026-01-01T00:00:00Z"); err != nil {
					return err
				}
				if sens != "" {
					if _, err := tx.Exec(ctx, `INSERT INTO avis (dossier_id, sens, par, le) VALUES (?, ?, ?, ?)`, id, sens, "praticien.67", avisLe+"T09:00:00.000000000Z"); err != nil {
						return err
					}
				}
				if tacite != "" {
					if _, err := tx.Exec(ctx, `INSERT INTO echeance (dossier_id, nom, depuis, limite, due, statut, cree_le) VALUES (?, ?, ?, ?, ?, 'declenchee', ?)`,
						id, tacite, recue, "2026-03-25", "2026-03-26", "2026-03-10T00:00:00Z"); err != nil {
						return err
					}
				}
				// A reminder fired on every dossier: it is not a tacit approval.
				if _, err := tx.Exec(ctx, `INSERT INTO echeance (dossier_id, nom, depuis, limite, due, statut, cree_le) VALUES (?, 'rappel_instruction', ?, ?, ?, 'declenchee', ?)`,
					id, recue, "2026-03-17", "2026-03-18", "2026-03-10T00:00:00Z"); err != nil {
					return err
				}
			}
			return nil
		}
		for _, d := range []struct {
			n                                                   int
			typ, dep, recue, etat, echeance, sens, avis, tacite string
		}{
			{6, "arret_travail", "67", "2026-03-10", "avis_rendu", "", "justifie", "2026-03-15", ""},
			{2, "arret_travail", "67", "2026-03-10", "avis_rendu", "", "non_justifie", "2026-03-20", ""},
			{3, "transport", "67", "2026-03-10", "accord_tacite", "", "", "", "accord_tacite"},
			{4, "arret_travail", "67", "2026-03-10", "a_instruire", "2026-03-17", "", "", ""},
			{1, "arret_travail", "67", "2026-03-10", "a_instruire", "2026-07-01", "", "", ""},
			{1, "arret_travail", "67", "2026-03-10", "classee", "", "", "", ""},
			{2, "arret_travail", "67", "2025-01-05", "a_instruire", "2025-01-12", "", "", ""},
			{7, "arret_travail", "57", "2026-04-02", "avis_rendu", "", "justifie", "2026-04-09", ""},
		} {
			if err := add(d.n, d.typ, d.dep, d.recue, d.etat, d.echeance, d.sens, d.avis, d.tacite); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// figures flattens a line to "recus ouverts retard J NJ tacites autres | médiane".
func figures(l sqldb.TableauLigne) string {
	c := func(e sqldb.Effectif) string {
		switch e.Masque {
		case sqldb.MasquePetit:
			return "<5"
		case sqldb.MasqueSecret:
			return "s"
		}
		return fmt.Sprint(e.N)
	}
	m := "-"
	switch {
	case l.Delai.Masque != "":
		m = "<5"
	case l.Delai.Calculee:
		m = fmt.Sprint(l.Delai.Jours)
	}
	return strings.Join([]string{c(l.Recus), c(l.Ouverts), c(l.EnRetard), c(l.Justifies), c(l.NonJustifies), c(l.Tacites), c(l.Autres), "|", m}, " ")
}

func byKey(ls []sqldb.TableauLigne) map[string]string {
	out := map[string]string{}
	for _, l := range ls {
		if l.Recus.N > 0 || l.Recus.Masque != "" {
			out[l.Cle] = figures(l)
		}
	}
	return out
}

func TestTableau(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		acts := actors(t, db)
		seedTableau(t, db)
		chef := &medconseil.Acteur{Login: "chef.67", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}}
		q := sqldb.TableauQuery{Du: mustDate(t, "2025-07-01"), Au: mustDate(t, "2026-06-30"), Aujourdhui: mustDate(t, "2026-06-01")}

		got, err := db.Tableau(ctx, chef, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff("17 5 4 6 2 3 1 | 5", figures(got.Total)); diff != "" {
			t.Errorf("médecin chef 67, total (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{"67": "17 5 4 6 2 3 1 | 5"}, byKey(got.ParEchelon)); diff != "" {
			t.Errorf("médecin chef 67 by échelon (-want +got):\n%s", diff)
		}
		if len(got.ParEchelon) != 1 || got.Secret {
			t.Errorf("médecin chef 67: %d échelons, secret %v; want 1, false", len(got.ParEchelon), got.Secret)
		}
		if len(got.ParMois) != 12 || got.ParMois[8].Cle != "2026-03" || got.ParMois[8].Recus.N != 17 {
			t.Errorf("months: %d, the 9th %q with %d received; want 12, 2026-03 with 17", len(got.ParMois), got.ParMois[8].Cle, got.ParMois[8].Recus.N)
		}

		got, err = db.Tableau(ctx, acts["regional"], q)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"67": "17 5 4 6 2 3 1 | 5", "57": "7 0 0 7 0 0 0 | 7"}
		if diff := cmp.Diff(want, byKey(got.ParEchelon)); diff != "" {
			t.Errorf("régional by échelon (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff("24 5 4 13 2 3 1 | 7", figures(got.Total)); diff != "" {
			t.Errorf("régional total (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{"arret_travail": "21 5 4 13 2 0 1 | 7", "transport": "3 0 0 0 0 3 0 | -"}, byKey(got.ParType)); diff != "" {
			t.Errorf("régional by type (-want +got):\n%s", diff)
		}
		if len(got.ParEchelon) != 10 {
			t.Errorf("régional: %d échelons, want the 10 of Grand Est", len(got.ParEchelon))
		}

		// The statisticien: counts 1–4 masked, then the counts that would give them
		// back by difference: transport's 3 received would be 24 − 21.
		got, err = db.Tableau(ctx, acts["statisticien"], q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff("24 5 <5 13 <5 <5 <5 | 7", figures(got.Total)); diff != "" {
			t.Errorf("statisticien total (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{"arret_travail": "s 5 <5 13 <5 0 <5 | 7", "transport": "<5 0 0 0 0 <5 0 | -"}, byKey(got.ParType)); diff != "" {
			t.Errorf("statisticien by type (-want +got):\n%s", diff)
		}
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // as the API writes it
		if err := enc.Encode(got.Total); err != nil {
			t.Fatal(err)
		}
		js := buf.String()
		if !strings.Contains(string(js), `"accords_tacites":"< 5"`) || strings.Contains(string(js), `"avis":`) {
			t.Errorf("statisticien JSON: %s; want masked counts as \"< 5\" and no count of avis behind the median", js)
		}

		for _, login := range []string{"praticien.67", "agent.67", "cpam.67", "dpo", "admin"} {
			if _, err := db.Tableau(ctx, acts[login], q); medconseil.ErrorCode(err) != medconseil.EFORBIDDEN {
				t.Errorf("%s: %v, want EFORBIDDEN", login, err)
			}
		}
		for _, bad := range []sqldb.TableauQuery{
			{Du: mustDate(t, "2026-06-30"), Au: mustDate(t, "2026-01-01")},
			{Du: mustDate(t, "2020-01-01"), Au: mustDate(t, "2026-01-01")},
		} {
			if _, err := db.Tableau(ctx, chef, bad); medconseil.ErrorCode(err) != medconseil.EINVALID || !strings.Contains(err.Error(), "période") && !strings.Contains(err.Error(), "précède") {
				t.Errorf("period %s–%s: %v, want a French EINVALID", bad.Du, bad.Au, err)
			}
		}

		entries, _, err := db.AuditEntries(ctx, acts["dpo"], sqldb.AuditQuery{Action: "tableau_de_bord.lecture", Limit: 100}, sqldb.Meta{Finalite: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		ok, refused := 0, 0
		for _, e := range entries {
			if e.Finalite != "pilotage" {
				t.Errorf("journal entry %d: finalité %q, want pilotage", e.Seq, e.Finalite)
			}
			switch e.Resultat {
			case sqldb.ResultOK:
				ok++
			case sqldb.ResultRefused:
				refused++
			}
		}
		if ok != 3 || refused != 5 {
			t.Errorf("journal: %d reads and %d refusals, want 3 and 5", ok, refused)
		}
	})
}

func mustDate(t *testing.T, s string) medconseil.Date {
	t.Helper()
	d, err := medconseil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
