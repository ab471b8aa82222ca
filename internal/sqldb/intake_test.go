package sqldb_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/preanalyse"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func intake(t testing.TB, db *sqldb.DB) *sqldb.Intake {
	t.Helper()
	e, err := rules.NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }
	return &sqldb.Intake{DB: db, Analyst: preanalyse.New(e)}
}

var digits = regexp.MustCompile(`[0-9]+`)

// A prolongation pointing at an arrêt its filer may not see is answered exactly
// like one pointing at nothing, and both attempts are journaled as refusals.
func TestLinkGoesThroughTheGate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		id, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-25", "2026-12-10", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		other := func(initial int64) error {
			p := arret(t, nir1, "2026-12-11", "2026-12-20", "M545", "lombalgie", "")
			p.Prescripteur = "10009999999"
			p.Arret.Nature, p.Arret.InitialID = medconseil.NatureProlongation, initial
			_, _, err := in.FileArret(ctx, as["autre.medecin"], p, sqldb.Meta{})
			return err
		}
		dossiers, audits := count(t, db, "dossier"), count(t, db, "audit")
		hidden, absent := other(id), other(id+1000)
		var eh, ea *medconseil.Error
		if !errors.As(hidden, &eh) || !errors.As(absent, &ea) {
			t.Fatalf("errors %v / %v", hidden, absent)
		}
		if eh.Code != ea.Code || eh.Field != ea.Field || digits.ReplaceAllString(eh.Message, "N") != digits.ReplaceAllString(ea.Message, "N") || eh.Field != "initial_id" {
			t.Errorf("hidden link answers %+v, absent link %+v: they must be the same", eh, ea)
		}
		if n := count(t, db, "dossier"); n != dossiers {
			t.Errorf("%d dossiers written on a refused link", n-dossiers)
		}
		if n := count(t, db, "audit"); n != audits+2 {
			t.Errorf("audit grew by %d, want 2 refusals", n-audits)
		}
		// The territory's praticien sees the initial: its prolongation links.
		p := arret(t, nir1, "2026-12-11", "2026-12-20", "M545", "lombalgie", "")
		p.Arret.Nature, p.Arret.InitialID = medconseil.NatureProlongation, id
		if _, _, err := in.FileArret(ctx, as["praticien.67"], p, sqldb.Meta{}); err != nil {
			t.Errorf("visible link refused: %v", err)
		}
	})
}

// Identity: versioned and attributed; only entitled roles change it; a submitter
// reads back only the name it declared itself.
func TestIdentityIsVersioned(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		a1 := arret(t, nir1, "2026-11-30", "2026-12-05", "M545", "lombalgie", "")
		a1.Assure.Nom = "DUPONT"
		if _, _, err := in.FileArret(ctx, as["prescripteur.demo"], a1, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		a2 := arret(t, nir1, "2026-12-01", "2026-12-03", "J111", "grippe", "")
		a2.Assure.Nom, a2.Assure.Residence, a2.Prescripteur = "NOM-DE-L-AUTRE", "67218", "10009999999"
		id2, _, err := in.FileArret(ctx, as["autre.medecin"], a2, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["autre.medecin"], id2, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Assure == nil || d.Assure.Nom != "NOM-DE-L-AUTRE" || d.Assure.Residence != "67218" {
			t.Errorf("the second doctor reads %+v, want its own declaration", d.Assure)
		}
		rows, _, err := db.Worklist(ctx, as["autre.medecin"], sqldb.WorklistQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Nom == "DUPONT" {
				t.Errorf("the second doctor's worklist shows the name the first entered")
			}
		}
		ag, err := db.Dossier(ctx, as["agent.67"], id2, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if ag.Assure.Nom != "DUPONT" || ag.Assure.Residence != "67482" {
			t.Errorf("registered identity = %+v: a prescriber's filing changed it", ag.Assure)
		}
		if _, err := db.ChangeIdentity(ctx, as["autre.medecin"], mustNIR(t, nir1), sqldb.IdentiteChange{Nom: "X", Motif: "essai"}, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
			t.Errorf("prescriber changes identity: %v, want not found", err)
		}
		v, err := db.ChangeIdentity(ctx, as["agent.67"], mustNIR(t, nir1), sqldb.IdentiteChange{Nom: "DUPONT-MARTIN", Residence: "67218", Motif: "mariage, déménagement"}, sqldb.Meta{})
		if err != nil || v != 2 {
			t.Fatalf("agent changes identity: v%d %v, want v2", v, err)
		}
		vs, err := db.IdentityVersions(ctx, as["praticien.67"], mustNIR(t, nir1), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Par != "agent.67" || vs[0].Assure.Nom != "DUPONT-MARTIN" || vs[1].Par != "prescripteur.demo" || vs[1].Assure.Nom != "DUPONT" {
			t.Errorf("versions = %+v", vs)
		}
		if _, err := db.IdentityVersions(ctx, as["autre.medecin"], mustNIR(t, nir1), sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
			t.Errorf("prescriber reads identity versions: %v", err)
		}
		d, _ = db.Dossier(ctx, as["autre.medecin"], id2, sqldb.Meta{})
		if d.Assure.Nom != "NOM-DE-L-AUTRE" {
			t.Errorf("after the change, the second doctor reads %q", d.Assure.Nom)
		}
	})
}

func codes(as []medconseil.Alerte) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Code)
	}
	return strings.Join(out, ",")
}

// The incoherences of the issue raise alerts at intake, shown to medical roles only.
func TestAlertsAtIntake(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		file := func(who string, x sqldb.ArretInput) int64 {
			t.Helper()
			id, _, err := in.FileArret(ctx, as[who], x, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		read := func(id int64) *medconseil.Dossier {
			t.Helper()
			d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		initial := file("prescripteur.demo", arret(t, nir1, "2026-11-30", "2026-12-10", "M545", "lombalgie", ""))
		// Two doctors, overlapping notices.
		o := arret(t, nir1, "2026-12-01", "2026-12-04", "J111", "grippe", "")
		o.Prescripteur = "10009999999"
		over := file("autre.medecin", o)
		if d := read(over); !strings.Contains(codes(d.Alertes), "chevauchement") || d.Alertes[0].RefID != initial {
			t.Errorf("overlap: alerts %+v", d.Alertes)
		}
		// A prescriber may not see the alerts (they draw on other doctors' notices).
		if d, _ := db.Dossier(ctx, as["autre.medecin"], over, sqldb.Meta{}); len(d.Alertes) != 0 || (d.PreAnalyse != nil && d.PreAnalyse.Issue != "") {
			t.Errorf("prescriber sees alerts %+v / pre-analysis %+v", d.Alertes, d.PreAnalyse)
		}
		// Backdated: starts 22 days before receipt.
		const nir2 = "284127511800113"
		b := arret(t, nir2, "2026-11-10", "2026-11-20", "M545", "lombalgie", "")
		if d := read(file("prescripteur.demo", b)); !strings.Contains(codes(d.Alertes), "antidate") {
			t.Errorf("backdating: alerts %+v", d.Alertes)
		}
		// An 89-day teleconsultation arrêt.
		const nir3 = "195037511800159"
		tc := arret(t, nir3, "2026-12-01", "2027-02-27", "F329", "épisode dépressif", "")
		tc.Arret.Teleconsultation = true
		if d := read(file("prescripteur.demo", tc)); !strings.Contains(codes(d.Alertes), "teleconsultation_limite") {
			t.Errorf("teleconsultation: alerts %+v", d.Alertes)
		}
		// A prolongation after a gap, by a doctor who is neither the initial prescriber
		// nor the médecin traitant (filed by the échelon's agent).
		p := arret(t, nir1, "2026-12-20", "2026-12-31", "M545", "lombalgie", "")
		p.Prescripteur = "10009999999"
		p.Arret.Nature, p.Arret.InitialID = medconseil.NatureProlongation, initial
		c := codes(read(file("agent.67", p)).Alertes)
		for _, want := range []string{"prolongation_interrompue", "prescripteur_prolongation"} {
			if !strings.Contains(c, want) {
				t.Errorf("prolongation: alerts %s, want %s", c, want)
			}
		}
		// Terminology drift against the initial.
		w := arret(t, nir1, "2026-12-11", "2026-12-19", "M545", "douleur lombaire", "")
		w.Arret.Nature, w.Arret.InitialID = medconseil.NatureProlongation, initial
		if c := codes(read(file("prescripteur.demo", w)).Alertes); !strings.Contains(c, "libelle_modifie") {
			t.Errorf("terminology: alerts %s", c)
		}
	})
}

// A fact the rule set lacks is listed, added by the agent, and the pre-analysis
// decides; the praticien departs from it only with a motif.
func TestMissingFactsAndAnswer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		id, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-30", "2026-12-20", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		ag, err := db.Dossier(ctx, as["agent.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if ag.PreAnalyse == nil || len(ag.PreAnalyse.Manquants) != 2 || ag.PreAnalyse.Manquants[0].Nom != "salaires_3_derniers_mois" ||
			ag.PreAnalyse.Manquants[1].Nom != "heures_3_mois" || ag.PreAnalyse.Issue != "" || len(ag.PreAnalyse.Motifs) != 0 {
			t.Fatalf("agent reads %+v, want the missing salary and hours, no decision", ag.PreAnalyse)
		}
		if _, err := in.AddFacts(ctx, as["agent.67"], id, ag.Version, map[string]string{"salaires_3_derniers_mois": "abc"}, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.EINVALID {
			t.Errorf("bad salary: %v", err)
		}
		if _, err := in.AddFacts(ctx, as["autre.medecin"], id, ag.Version, map[string]string{"salaires_3_derniers_mois": "7500,00"}, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
			t.Errorf("another doctor adds facts: %v", err)
		}
		v, err := in.AddFacts(ctx, as["agent.67"], id, ag.Version, map[string]string{"salaires_3_derniers_mois": "7500,00", "heures_3_mois": "455"}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.PreAnalyse == nil || d.PreAnalyse.Issue == "" || d.PreAnalyse.Version == "" || len(d.PreAnalyse.Motifs) == 0 || len(d.PreAnalyse.Motifs[0].References) == 0 {
			t.Fatalf("after the facts: %+v", d.PreAnalyse)
		}
		if _, err := db.AnswerPreAnalyse(ctx, as["praticien.67"], id, v, medconseil.SuiteEcartee, "", sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.EINVALID {
			t.Errorf("departing without motif: %v", err)
		}
		if _, err := db.AnswerPreAnalyse(ctx, as["agent.67"], id, v, medconseil.SuiteConfirmee, "", sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.EFORBIDDEN {
			t.Errorf("agent answers: %v", err)
		}
		if _, err := db.AnswerPreAnalyse(ctx, as["praticien.67"], id, v, medconseil.SuiteEcartee, "reprise à temps partiel envisagée", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		d, _ = db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if s := d.PreAnalyse.Suite; s == nil || s.Sens != medconseil.SuiteEcartee || s.Par != "praticien.67" || s.Motif == "" {
			t.Errorf("suite = %+v", s)
		}
	})
}
