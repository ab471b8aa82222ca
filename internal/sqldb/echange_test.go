package sqldb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/keyring"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	for _, e := range medconseil.FieldErrors(err) {
		out[e.Field] = e.Message
	}
	return out
}

func countEch(t *testing.T, db *sqldb.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error { return tx.QueryRow(ctx, q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func notificationsOf(t *testing.T, db *sqldb.DB, a *medconseil.Acteur, nature string) []sqldb.NotificationRow {
	t.Helper()
	ns, err := db.Notifications(ctx, a, 0, 1000, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	var out []sqldb.NotificationRow
	for _, n := range ns {
		if n.Nature == nature {
			out = append(out, n)
		}
	}
	return out
}

func TestEchangeConfraternel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, id, _ := agendaFixture(t, db)
		// Bad input: every field named at once, nothing written.
		_, err := db.AddEchange(ctx, as["praticien.67"], id, sqldb.EchangeInput{MedecinRPPS: "123", Date: "2026-12-25", Canal: "pigeon", Initiative: "x", Issue: "reprise_convenue"}, sqldb.Meta{})
		f := fieldsOf(err)
		for _, k := range []string{"medecin_nom", "medecin_rpps", "date_contact", "canal", "initiative", "reprise_le", "resume"} {
			if f[k] == "" {
				t.Errorf("bad échange: no message on %s (%v)", k, err)
			}
		}
		if !strings.Contains(f["date_contact"], "futur") || !strings.Contains(f["canal"], "inconnu") {
			t.Errorf("messages: %v", f)
		}
		good := sqldb.EchangeInput{MedecinNom: "Martin", MedecinRPPS: "10101010101", Date: "01/12/2026", Canal: "telephone", Initiative: "service_medical",
			Issue: "reprise_convenue", RepriseLe: "2026-12-14", Resume: "ZZRESUMESECRET désaccord sur le pronostic", Lettre: true}
		// Only the praticiens of the territory log an échange.
		if _, err := db.AddEchange(ctx, as["agent.67"], id, good, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("agent logs an échange: %v, want EFORBIDDEN", err)
		}
		if _, err := db.AddEchange(ctx, as["praticien.57"], id, good, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 logs an échange in 67: %v, want ENOTFOUND", err)
		}
		if n := countEch(t, db, `SELECT COUNT(*) FROM echange`); n != 0 {
			t.Fatalf("%d échanges written by refused requests", n)
		}
		e, err := db.AddEchange(ctx, as["praticien.67"], id, good, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if e.CourrierID == 0 || e.Lettre == "" || e.RepriseLe.String() != "2026-12-14" {
			t.Fatalf("échange: %+v", e)
		}
		// The summary is sealed at rest.
		var raw string
		db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT resume_enc FROM echange WHERE id = ?`, e.ID).Scan(&raw)
		})
		if !strings.HasPrefix(raw, "enc1:") || strings.Contains(raw, "ZZRESUME") {
			t.Errorf("summary stored as %q", raw)
		}
		// The letter is the médecin traitant's, without clinical content, and readable.
		c, pdf, err := db.CourrierPDF(ctx, as["praticien.67"], e.CourrierID, sqldb.Meta{})
		if err != nil || !strings.HasPrefix(string(pdf), "%PDF") || c.Destinataire != "medecin_traitant" || c.Contenu.Has(medconseil.Clinique) {
			t.Fatalf("letter: %+v %v", c, err)
		}
		// The caisse is told the agreed return date, nothing clinical.
		ns := notificationsOf(t, db, as["cpam.67"], "echange")
		if len(ns) != 1 || !strings.Contains(ns[0].Conclusion, "14/12/2026") || strings.Contains(ns[0].Conclusion, "ZZRESUME") || strings.Contains(ns[0].Conclusion, "pronostic") {
			t.Fatalf("notifications: %+v", ns)
		}
		// The summary to the medical team only.
		for login, want := range map[string]bool{"praticien.67": true, "regional": true, "agent.67": false, "cpam.67": false, "prescripteur.demo": false} {
			list, team, err := db.Echanges(ctx, as[login], id, sqldb.Meta{})
			if err != nil || len(list) != 1 {
				t.Fatalf("%s reads the échanges: %d, %v", login, len(list), err)
			}
			if team != want || (list[0].Resume != "") != want || list[0].ResumeMasque == want {
				t.Errorf("%s: team %v, summary %q, masked %v; want the summary %v", login, team, list[0].Resume, list[0].ResumeMasque, want)
			}
			if list[0].MedecinNom != "Martin" || list[0].CanalLibelle != "Téléphone" {
				t.Errorf("%s: %+v", login, list[0])
			}
		}
		if _, _, err := db.Echanges(ctx, as["praticien.57"], id, sqldb.Meta{}); code(err) != medconseil.ENOTFOUND {
			t.Errorf("praticien.57 reads: %v, want ENOTFOUND", err)
		}
		// Key rotation covers the summary.
		next := rotated(t, db)
		if n, err := db.RotateKeys(ctx, next); err != nil || n == 0 {
			t.Fatalf("rotation: %d, %v", n, err)
		}
		db.Keys = next
		if list, _, err := db.Echanges(ctx, as["praticien.67"], id, sqldb.Meta{}); err != nil || !strings.Contains(list[0].Resume, "ZZRESUMESECRET") {
			t.Fatalf("after rotation: %+v %v", list, err)
		}
	})
}

// rotated is the store's keyring with a new active key, the old one kept.
func rotated(t *testing.T, db *sqldb.DB) *keyring.Keyring {
	next, err := keyring.Parse("test2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n" + db.Keys.Text())
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func TestContreVisite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, id, _ := agendaFixture(t, db)
		// Bad input, every field named.
		_, err := db.AddContreVisite(ctx, as["praticien.67"], id, sqldb.ContreVisiteInput{VisiteLe: "2026-12-01", RapportLe: "2026-11-30", Conclusion: "peut-etre", ControleurRPPS: "12"}, sqldb.Meta{})
		f := fieldsOf(err)
		for _, k := range []string{"rapport_le", "conclusion", "controleur_nom", "controleur_rpps"} {
			if f[k] == "" {
				t.Errorf("bad contre-visite: no message on %s (%v)", k, err)
			}
		}
		_, err = db.AddContreVisite(ctx, as["praticien.67"], id, sqldb.ContreVisiteInput{VisiteLe: "2026-12-09", RapportLe: "x", Conclusion: "absent", ControleurNom: "Dr X"}, sqldb.Meta{})
		if f := fieldsOf(err); !strings.Contains(f["visite_le"], "futur") || !strings.Contains(f["rapport_le"], "illisible") {
			t.Errorf("dates: %v", f)
		}
		in := sqldb.ContreVisiteInput{VisiteLe: "2026-11-27", RapportLe: "2026-12-01", Conclusion: "non_justifie", ControleurNom: "ZZCONTROLEUR", Employeur: "Acme"}
		if _, err := db.AddContreVisite(ctx, as["cpam.67"], id, in, sqldb.Meta{}); code(err) != medconseil.EFORBIDDEN {
			t.Errorf("the caisse records a contre-visite: %v, want EFORBIDDEN", err)
		}
		if n := countEch(t, db, `SELECT COUNT(*) FROM contre_visite`); n != 0 {
			t.Fatalf("%d rows written by refused requests", n)
		}
		// « Arrêt justifié »: recorded, nothing to do.
		j := in
		j.Conclusion = "justifie"
		c, err := db.AddContreVisite(ctx, as["agent.67"], id, j, sqldb.Meta{})
		if err != nil || c.Statut != "sans_objet" || !c.Limite.IsZero() {
			t.Fatalf("justifié: %+v %v", c, err)
		}
		// The generic transition does not record a contre-visite (no report, no row).
		d0, _ := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if _, err := db.Transition(ctx, as["praticien.67"], id, d0.Version, "contre_visite", sqldb.Meta{}); code(err) != medconseil.EINVALID || !strings.Contains(err.Error(), "contre-visites") {
			t.Errorf("generic contre_visite transition: %v", err)
		}
		// « Non justifié »: 4 jours francs from today (Wednesday 2/12/2026), the
		// day itself not counted: last day Monday 7/12/2026.
		c, err = db.AddContreVisite(ctx, as["praticien.67"], id, in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Limite.String() != "2026-12-07" || c.Statut != "en_cours" || c.JoursRestants != 5 || !c.RapportTardif {
			t.Fatalf("non justifié: %+v", c)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil || d.Etat != medconseil.EtatAInstruire || d.Echeance.String() != "2026-12-07" {
			t.Fatalf("dossier after the report: %s, échéance %s, %v", d.Etat, d.Echeance, err)
		}
		ns := notificationsOf(t, db, as["cpam.67"], "contre_visite")
		if len(ns) != 1 || !strings.Contains(ns[0].Conclusion, "arrêt non justifié") || strings.Contains(ns[0].Conclusion, "lombalgie") {
			t.Fatalf("notification: %+v", ns)
		}
		// Falls due: the sweep raises it (a reminder, no state change).
		db.Now = func() time.Time { return time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC) }
		if _, err := db.FireDeadlines(ctx, mustDay(t, "2026-12-08")); err != nil {
			t.Fatal(err)
		}
		if n := countEch(t, db, `SELECT COUNT(*) FROM echeance WHERE dossier_id = ? AND nom = 'action_contre_visite' AND statut = 'declenchee'`, id); n != 1 {
			t.Fatalf("fired: %d", n)
		}
		rows, _, err := db.Worklist(ctx, as["praticien.67"], sqldb.WorklistQuery{Urgence: "retard"})
		if err != nil || len(rows) != 1 || rows[0].ID != id {
			t.Fatalf("overdue in the worklist: %+v %v", rows, err)
		}
		list, err := db.ContreVisites(ctx, as["agent.67"], id, sqldb.Meta{})
		if err != nil || len(list) != 2 || list[0].Statut != "depasse" || list[0].JoursRestants != -2 || list[1].Statut != "sans_objet" {
			t.Fatalf("overdue: %+v %v", list, err)
		}
		d, _ = db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if d.Etat != medconseil.EtatAInstruire {
			t.Fatalf("a tacit decision? state %s", d.Etat)
		}
		// The avis answers it, late.
		if _, err := db.GiveAvis(ctx, as["praticien.67"], id, d.Version, medconseil.Avis{Sens: medconseil.SensNonJustifie, EffetAu: mustDay(t, "2026-12-10"), Motif: "reprise possible"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		list, _ = db.ContreVisites(ctx, as["praticien.67"], id, sqldb.Meta{})
		if list[0].Statut != "satisfait_hors_delai" || list[0].Suite != "avis" {
			t.Fatalf("after the avis: %+v", list[0])
		}
		// An avis already given: a new report is refused with the state.
		if _, err := db.AddContreVisite(ctx, as["praticien.67"], id, in, sqldb.Meta{}); code(err) != medconseil.ECONFLICT || !strings.Contains(err.Error(), "Avis rendu") {
			t.Errorf("report after the avis: %v", err)
		}
	})
}

func TestContreVisiteConvocation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as, id, _ := agendaFixture(t, db)
		in := sqldb.ContreVisiteInput{VisiteLe: "2026-12-01", RapportLe: "2026-12-02", Conclusion: "absent", ControleurNom: "Dr Y"}
		c, err := db.AddContreVisite(ctx, as["agent.67"], id, in, sqldb.Meta{})
		if err != nil || !c.ExamenObligatoire || c.RapportTardif {
			t.Fatalf("%+v %v", c, err)
		}
		// A convocation within the délai answers it and cancels the deadline.
		slots, err := db.ProposeCreneaux(ctx, as["agent.67"], id, testGeo, 1, sqldb.Meta{})
		if err != nil || len(slots) == 0 {
			t.Fatal(err)
		}
		if _, err := db.Convoquer(ctx, as["agent.67"], id, sqldb.ConvocationInput{CreneauID: slots[0].ID}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		list, err := db.ContreVisites(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil || list[0].Statut != "satisfait" || list[0].Suite != "convocation" || list[0].Avertissement != "" {
			t.Fatalf("after the convocation: %+v %v", list, err)
		}
		if n := countEch(t, db, `SELECT COUNT(*) FROM echeance WHERE dossier_id = ? AND nom = 'action_contre_visite' AND statut = 'annulee'`, id); n != 1 {
			t.Fatalf("deadline cancelled: %d", n)
		}
		// A report reaching a dossier already convoked is answered by that convocation.
		c, err = db.AddContreVisite(ctx, as["agent.67"], id, in, sqldb.Meta{})
		if err != nil || c.Statut != "satisfait" || !c.Limite.IsZero() || !strings.Contains(c.SuiteLibelle, "déjà convoqué") {
			t.Fatalf("report on a convoked dossier: %+v %v", c, err)
		}
	})
}

// The numbers of the code are those of the parameter files.
func TestContreVisiteParameters(t *testing.T) {
	set, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"contre_visite/rapport_heures": "48", "contre_visite/delai_action_jours": "4"} {
		p, ok := set.Get(name)
		if !ok {
			t.Fatalf("parameter %s missing", name)
		}
		per, ok := p.At(mustDay(t, "2026-12-02"))
		if !ok || per.Value.String() != want {
			t.Errorf("%s: %+v, want %s", name, per, want)
		}
	}
	p, _ := set.Get("contre_visite/delai_action_jours")
	if !p.Verify() {
		t.Error("delai_action_jours must be marked to verify (L315-1 II sets no délai)")
	}
	// The lifecycle's deadline counts the parameter's days, in jours francs.
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l, _ := db.Lifecycle.Get(medconseil.TypeArretTravail)
		e, ok := l.Echeance("action_contre_visite")
		per, _ := p.At(mustDay(t, "2026-12-02"))
		if !ok || per.Value.String() != fmt.Sprint(e.Duree) || string(e.Unite) != string(p.Unit) || !e.Verify {
			t.Errorf("arret_travail.yaml action_contre_visite: %+v; parameter %s %s", e, per.Value, p.Unit)
		}
	})
}
