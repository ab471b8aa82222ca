package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

var ctx = context.Background()

// actors creates one account per test role and returns them by short name.
func actors(t testing.TB, db *sqldb.DB) map[string]*medconseil.Acteur {
	t.Helper()
	if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
		t.Fatal(err)
	}
	defs := map[string][]medconseil.Habilitation{
		"praticien.67":      {{Role: medconseil.RolePraticienConseil, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}},
		"praticien.57":      {{Role: medconseil.RolePraticienConseil, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "57"}}},
		"infirmier.67":      {{Role: medconseil.RoleInfirmier, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauSite, Code: "S67-STRASBOURG"}}},
		"regional":          {{Role: medconseil.RoleMedecinRegional, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}}},
		"agent.67":          {{Role: medconseil.RoleAgentAdministratif, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}},
		"cpam.67":           {{Role: medconseil.RoleAgentCPAM, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauCaisse, Code: "67"}}},
		"cpam.57":           {{Role: medconseil.RoleAgentCPAM, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauCaisse, Code: "57"}}},
		"prescripteur.demo": {{Role: medconseil.RoleProfessionnel, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRPPS, Code: "10001234567"}}},
		"autre.medecin":     {{Role: medconseil.RoleProfessionnel, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRPPS, Code: "10009999999"}}},
		"employeur":         {{Role: medconseil.RoleEmployeur, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauSIRET, Code: "12345678900011"}}},
		"statisticien":      {{Role: medconseil.RoleStatisticien, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}}},
		"dpo":               {{Role: medconseil.RoleAuditeur, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}}},
		"admin":             {{Role: medconseil.RoleAdmin, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}}},
	}
	out := map[string]*medconseil.Acteur{}
	for login, habs := range defs {
		id, err := db.CreateUser(ctx, nil, login, login, "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", habs, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.ActeurByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out[login] = a
	}
	return out
}

func mustNIR(t *testing.T, s string) medconseil.NIR {
	t.Helper()
	n, err := medconseil.ParseNIR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func arret(t *testing.T, nir, debut, fin, cim, libelle, motif string) sqldb.ArretInput {
	t.Helper()
	d, _ := medconseil.ParseDate(debut)
	f, _ := medconseil.ParseDate(fin)
	c, err := medconseil.ParseCIM10(cim)
	if err != nil {
		t.Fatal(err)
	}
	return sqldb.ArretInput{
		Assure:       medconseil.Assure{NIR: mustNIR(t, nir), Residence: "67482", Nom: "MARTIN", Prenom: "Paul"},
		Prescripteur: "10001234567",
		Arret:        medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: d, Fin: f, CIM10: c, Libelle: libelle, Motif: motif},
	}
}

const nir1 = "185056748212337"

func count(t *testing.T, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateTwice(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
	})
}

func TestArretVisibilityByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", "port de charge lourde"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			login                               string
			found, identite, clinique, decision bool
		}{
			{"praticien.67", true, true, true, true},
			{"infirmier.67", true, true, true, true},
			{"regional", true, true, true, true},
			{"agent.67", true, true, false, true},
			{"cpam.67", true, true, false, true},
			{"prescripteur.demo", true, true, true, true},
			{"praticien.57", false, false, false, false},
			{"cpam.57", false, false, false, false},
			{"autre.medecin", false, false, false, false},
			{"employeur", false, false, false, false},
			{"statisticien", false, false, false, false},
			{"dpo", false, false, false, false},
			{"admin", false, false, false, false},
		}
		for _, tt := range tests {
			d, err := db.Dossier(ctx, as[tt.login], id, sqldb.Meta{Finalite: "test"})
			if !tt.found {
				if medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
					t.Errorf("%s: Dossier err = %v, want ENOTFOUND", tt.login, err)
				}
				if err != nil && strings.Contains(err.Error(), "M545") {
					t.Errorf("%s: error reveals the diagnosis: %v", tt.login, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.login, err)
			}
			if got := d.Assure != nil; got != tt.identite {
				t.Errorf("%s: identity shown = %v, want %v", tt.login, got, tt.identite)
			}
			gotClin := d.Arret != nil && (d.Arret.CIM10 != "" || d.Arret.Libelle != "" || d.Arret.Motif != "")
			if gotClin != tt.clinique {
				t.Errorf("%s: clinical shown = %v, want %v (%+v)", tt.login, gotClin, tt.clinique, d.Arret)
			}
			if d.Arret == nil || d.Arret.Debut.String() != "2026-11-02" {
				t.Errorf("%s: dates not shown: %+v", tt.login, d.Arret)
			}
		}
	})
}

func TestProlongationOfNothingWritesNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := arret(t, nir1, "2026-11-21", "2026-11-30", "M545", "lombalgie", "")
		in.Arret.Nature, in.Arret.InitialID = medconseil.NatureProlongation, 999
		before := count(t, db, "audit")
		_, _, err := db.CreateArret(ctx, as["prescripteur.demo"], in, sqldb.Meta{})
		var e *medconseil.Error
		if !errors.As(err, &e) || e.Field != "initial_id" {
			t.Fatalf("err = %v, want a field error on initial_id", err)
		}
		if n := count(t, db, "dossier"); n != 0 {
			t.Errorf("%d dossiers written, want 0", n)
		}
		if n := count(t, db, "assure"); n != 0 {
			t.Errorf("%d assurés written, want 0", n)
		}
		// The refused link is journaled (one "refus" entry), nothing else is written.
		if n := count(t, db, "audit"); n != before+1 {
			t.Errorf("audit grew from %d to %d on a rejected link, want one refusal entry", before, n)
		}
	})
}

func TestProlongationAlertsOnWording(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		in := arret(t, nir1, "2026-11-21", "2026-12-05", "M545", "douleur lombaire", "")
		in.Arret.Nature, in.Arret.InitialID = medconseil.NatureProlongation, id
		pid, _, err := db.CreateArret(ctx, as["prescripteur.demo"], in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], pid, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Alertes) != 1 || d.Alertes[0].Code != "libelle_modifie" {
			t.Errorf("alerts = %+v, want one libelle_modifie", d.Alertes)
		}
		if len(d.Historique) != 1 || d.Historique[0].ID != id {
			t.Errorf("history = %+v, want the initial", d.Historique)
		}
		c, err := db.Dossier(ctx, as["cpam.67"], pid, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Alertes) != 0 {
			t.Errorf("CPAM sees alerts %+v: they reveal the diagnosis", c.Alertes)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		m := sqldb.Meta{IdemKey: "k-1", BodyHash: "h1"}
		in := arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", "")
		id1, replay1, err := db.CreateArret(ctx, as["prescripteur.demo"], in, m)
		if err != nil || replay1 {
			t.Fatalf("first: %v replay=%v", err, replay1)
		}
		id2, replay2, err := db.CreateArret(ctx, as["prescripteur.demo"], in, m)
		if err != nil || !replay2 || id2 != id1 {
			t.Fatalf("retry: id %d replay %v err %v, want id %d replayed", id2, replay2, err, id1)
		}
		if n := count(t, db, "dossier"); n != 1 {
			t.Errorf("%d dossiers after a retried request, want 1", n)
		}
		_, _, err = db.CreateArret(ctx, as["prescripteur.demo"], in, sqldb.Meta{IdemKey: "k-1", BodyHash: "other"})
		if medconseil.ErrorCode(err) != medconseil.ECONFLICT {
			t.Errorf("key reused for another body: err = %v, want ECONFLICT", err)
		}
	})
}

func TestAvisStaleVersion(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddNote(ctx, as["infirmier.67"], id, "Examen : raideur lombaire.", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		// The praticien opened version 1; the note made it version 2.
		_, err = db.GiveAvis(ctx, as["praticien.67"], id, 1, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{})
		if medconseil.ErrorCode(err) != medconseil.ECONFLICT {
			t.Fatalf("avis on stale version: err = %v, want ECONFLICT", err)
		}
		_, err = db.GiveAvis(ctx, as["infirmier.67"], id, 2, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{})
		if medconseil.ErrorCode(err) != medconseil.EFORBIDDEN {
			t.Fatalf("avis by an infirmier: err = %v, want EFORBIDDEN", err)
		}
		_, err = db.GiveAvis(ctx, as["praticien.57"], id, 2, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{})
		if medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
			t.Fatalf("avis from another échelon: err = %v, want ENOTFOUND", err)
		}
		effet, _ := medconseil.ParseDate("2026-11-10")
		v, err := db.GiveAvis(ctx, as["praticien.67"], id, 2, medconseil.Avis{Sens: medconseil.SensNonJustifie, EffetAu: effet, Motif: "reprise possible"}, sqldb.Meta{})
		if err != nil || v != 3 {
			t.Fatalf("avis: version %d err %v", v, err)
		}
		d, err := db.Dossier(ctx, as["cpam.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Avis == nil || d.Avis.Sens != medconseil.SensNonJustifie || d.Avis.EffetAu != effet || d.Avis.Motif != "" {
			t.Errorf("CPAM sees avis %+v, want outcome and date without motif", d.Avis)
		}
	})
}

func TestClinicalTextEncryptedAtRest(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "F321", "épisode dépressif moyen", "harcèlement au travail"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		var cim, lib, motif string
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT cim10_enc, libelle_enc, motif_enc FROM arret WHERE dossier_id = ?`, id).Scan(&cim, &lib, &motif)
		}); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{cim, lib, motif} {
			if !strings.HasPrefix(v, "enc1:test1:") || strings.Contains(v, "F321") || strings.Contains(v, "harcèlement") || strings.Contains(v, "dépressif") {
				t.Errorf("stored value %q is not sealed", v)
			}
		}
		// Rotation: a new active key, the old one kept to decrypt.
		next, err := keyring.Parse("test2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n" + db.Keys.Text())
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.RotateKeys(ctx, next)
		if err != nil || n != 3 {
			t.Fatalf("RotateKeys = %d, %v; want 3 values", n, err)
		}
		only2, err := keyring.Parse("test2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n")
		if err != nil {
			t.Fatal(err)
		}
		db.Keys = only2
		d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Arret.Motif != "harcèlement au travail" || d.Arret.CIM10 != "F321" {
			t.Errorf("after rotation: %+v", d.Arret)
		}
	})
}

func TestAuditChainDetectsTampering(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{Finalite: "instruction"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Dossier(ctx, as["praticien.57"], id, sqldb.Meta{}); err == nil {
			t.Fatal("praticien.57 read a dossier of the 67")
		}
		n, problem, err := db.VerifyAudit(ctx)
		if err != nil || problem != nil {
			t.Fatalf("fresh chain: n=%d problem=%v err=%v", n, problem, err)
		}
		var refused int
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE login = 'praticien.57' AND resultat = 'refus'`).Scan(&refused)
		}); err != nil || refused != 1 {
			t.Errorf("refused attempt journaled %d times (err %v), want 1", refused, err)
		}
		// SQL cannot alter the journal …
		err = db.Write(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE audit SET login = 'x' WHERE seq = 5`)
			return err
		})
		if err == nil {
			t.Fatal("UPDATE of an audit entry was allowed")
		}
		// … unless someone with file access drops the guard: then verify names the entry.
		tamper(t, db, `UPDATE audit SET finalite = 'instructioN' WHERE seq = 17`)
		_, problem, err = db.VerifyAudit(ctx)
		if err != nil || problem == nil || problem.Seq != 17 {
			t.Fatalf("after altering entry 17: problem=%v err=%v", problem, err)
		}
	})
}

func TestAuditChainDetectsRemoval(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		actors(t, db)
		tamper(t, db, `DELETE FROM audit WHERE seq = 4`)
		_, problem, err := db.VerifyAudit(ctx)
		if err != nil || problem == nil || problem.Seq != 4 {
			t.Fatalf("after removing entry 4: problem=%v err=%v", problem, err)
		}
	})
}

// tamper runs a statement on the journal with its append-only guard removed, as an
// attacker with direct database access would.
func tamper(t *testing.T, db *sqldb.DB, stmt string) {
	t.Helper()
	err := db.Write(ctx, func(tx *sqldb.Tx) error {
		drops := []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}
		if db.Dialect() == sqldb.Postgres {
			drops = []string{`DROP TRIGGER audit_no_update ON audit`}
		}
		for _, d := range drops {
			if _, err := tx.Exec(ctx, d); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, stmt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWorklistFilterSortPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		clock := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { clock = clock.Add(time.Hour); return clock }
		nirs := []string{"185056748212337", "285126748201234", "190015746301248"}
		for i, s := range nirs {
			n, err := medconseil.NIRWithKey(s[:13])
			if err != nil {
				t.Fatal(err)
			}
			in := arret(t, string(n), "2026-11-02", "2026-11-20", "M545", "lombalgie", "")
			if i == 2 {
				in.Assure.Residence = "57463" // Metz: routed to the Moselle
			}
			if _, _, err := db.CreateArret(ctx, as["agent.67"], in, sqldb.Meta{}); err != nil && i != 2 {
				t.Fatal(err)
			} else if i == 2 && medconseil.ErrorCode(err) != medconseil.EFORBIDDEN {
				t.Fatalf("agent.67 filing for the Moselle: err = %v, want EFORBIDDEN", err)
			}
		}
		rows, total, err := db.Worklist(ctx, as["praticien.67"], sqldb.WorklistQuery{ParPage: 1, Tri: "-recue"})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(rows) != 1 || string(rows[0].NIR)[:13] != "2851267482012" {
			t.Errorf("worklist page 1 = %+v (total %d)", rows, total)
		}
		rows, total, err = db.Worklist(ctx, as["praticien.57"], sqldb.WorklistQuery{})
		if err != nil || total != 0 || len(rows) != 0 {
			t.Errorf("praticien.57 worklist = %+v total %d err %v, want empty", rows, total, err)
		}
		rows, _, err = db.Worklist(ctx, as["statisticien"], sqldb.WorklistQuery{})
		if err != nil || len(rows) != 0 {
			t.Errorf("statisticien worklist = %+v, want empty", rows)
		}
		ex, err := db.Export(ctx, as["cpam.67"], sqldb.WorklistQuery{}, sqldb.Meta{})
		if err != nil || len(ex) != 2 {
			t.Fatalf("export = %d rows, %v", len(ex), err)
		}
		for _, r := range ex {
			if r.CIM10 != "" || r.Libelle != "" {
				t.Errorf("CPAM export shows clinical columns: %+v", r)
			}
		}
	})
}

// TestReferentielsStampTracksTheSetInForce: versions {3,2} and {1,4} in force have the
// same count and sum; the stamp must still tell them apart, or the search index
// would keep serving the old référentiels.
func TestReferentielsStampTracksTheSetInForce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		set := func(stmts ...string) string {
			t.Helper()
			if err := db.Write(ctx, func(tx *sqldb.Tx) error {
				for _, s := range stmts {
					if _, err := tx.Exec(ctx, s); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			s, err := db.ReferentielsStamp(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		for i, src := range []string{"A", "B", "A", "B"} {
			set(fmt.Sprintf(`INSERT INTO referentiel_version (id, source, fichier, sha256, lignes, importe_le, courante) VALUES (%d, '%s', 'f', 'h%d', 0, 'x', 0)`, i+1, src, i))
		}
		s1 := set(`UPDATE referentiel_version SET courante = 1 WHERE id IN (3, 2)`)
		s2 := set(`UPDATE referentiel_version SET courante = 0`, `UPDATE referentiel_version SET courante = 1 WHERE id IN (1, 4)`)
		if s1 == s2 {
			t.Errorf("stamp %q unchanged when the versions in force went from {2,3} to {1,4}", s1)
		}
	})
}
