// Package demo seeds a store with the Grand Est organisation, the demonstration
// accounts and a few dozen realistic sick-leave dossiers, so that the product can be
// tried (and driven by other tools) right after "medconseil demo".
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/preanalyse"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
)

// Account is a demonstration account.
type Account struct {
	Login string
	Nom   string
	Hab   medconseil.Habilitation
}

func hab(r medconseil.Role, n medconseil.Niveau, code string) medconseil.Habilitation {
	return medconseil.Habilitation{Role: r, Territoire: medconseil.Territoire{Niveau: n, Code: code}}
}

// PrescripteurRPPS is the RPPS of the demo GP of Strasbourg.
const PrescripteurRPPS = "10001234567"

// Accounts lists the demonstration accounts; other tools and checks rely on these
// logins.
var Accounts = []Account{
	{"admin", "Administrateur des comptes", hab(medconseil.RoleAdmin, medconseil.NiveauRegion, medconseil.RegionGrandEst)},
	{"dpo", "Déléguée à la protection des données", hab(medconseil.RoleAuditeur, medconseil.NiveauRegion, medconseil.RegionGrandEst)},
	{"praticien.67", "Dr Claire Weber, praticien-conseil (Bas-Rhin)", hab(medconseil.RolePraticienConseil, medconseil.NiveauEchelon, "67")},
	{"agent.67", "Julie Meyer, agent administratif (Bas-Rhin)", hab(medconseil.RoleAgentAdministratif, medconseil.NiveauEchelon, "67")},
	{"infirmier.67", "Marc Schmitt, infirmier du service médical (Strasbourg)", hab(medconseil.RoleInfirmier, medconseil.NiveauSite, "S67-STRASBOURG")},
	{"chef.67", "Dr Anne Klein, médecin-conseil chef (Bas-Rhin)", hab(medconseil.RoleMedecinChef, medconseil.NiveauEchelon, "67")},
	{"praticien.57", "Dr Luc Muller, praticien-conseil (Moselle)", hab(medconseil.RolePraticienConseil, medconseil.NiveauEchelon, "57")},
	{"regional", "Dr Sophie Bauer, médecin-conseil régional", hab(medconseil.RoleMedecinRegional, medconseil.NiveauRegion, medconseil.RegionGrandEst)},
	{"cpam.67", "CPAM du Bas-Rhin, service prestations", hab(medconseil.RoleAgentCPAM, medconseil.NiveauCaisse, "67")},
	{"cpam.57", "CPAM de Moselle, service prestations", hab(medconseil.RoleAgentCPAM, medconseil.NiveauCaisse, "57")},
	{"prescripteur.demo", "Dr Paul Fischer, médecin généraliste à Strasbourg", hab(medconseil.RoleProfessionnel, medconseil.NiveauRPPS, PrescripteurRPPS)},
	{"statisticien", "Statisticien de la DRSM", hab(medconseil.RoleStatisticien, medconseil.NiveauRegion, medconseil.RegionGrandEst)},
	{"pdp.67", "Cellule PDP de la CPAM du Bas-Rhin (prévention de la désinsertion professionnelle)", hab(medconseil.RoleCellulePDP, medconseil.NiveauCaisse, "67")},
}

// SeedAccounts creates the demonstration accounts, or resets their password when
// they exist, so the password printed is always the one that works.
func SeedAccounts(ctx context.Context, db *sqldb.DB, password string, p auth.Params) error {
	hash, err := auth.HashPassword(password, p)
	if err != nil {
		return fmt.Errorf("--demo-password : %w", err)
	}
	m := sqldb.Meta{Adresse: "console", Finalite: "demonstration"}
	op := &medconseil.Acteur{Login: "demo"}
	for _, a := range Accounts {
		exists, err := db.UserExists(ctx, a.Login)
		if err != nil {
			return err
		}
		if exists {
			if _, err := db.SetPassword(ctx, op, a.Login, hash, m); err != nil {
				return err
			}
			continue
		}
		if _, err := db.CreateUser(ctx, op, a.Login, a.Nom, hash, []medconseil.Habilitation{a.Hab}, m); err != nil {
			return err
		}
	}
	return nil
}

type diag struct {
	cim, libelle, motif string
	jours               int
}

// diagnoses is a mix dominated, as sick leave is, by musculoskeletal and
// mental-health disorders.
var diagnoses = []diag{
	{"M545", "lombalgie basse", "Douleur lombaire aiguë après port de charge, contracture paravertébrale, Lasègue négatif.", 10},
	{"M544", "lombosciatique", "Lombosciatique L5 droite, Lasègue positif à 40°, pas de déficit moteur.", 21},
	{"F321", "épisode dépressif moyen", "Tristesse de l'humeur, insomnie, ralentissement ; suivi psychiatrique engagé.", 30},
	{"F432", "trouble de l'adaptation", "Réaction à un conflit professionnel, anxiété, troubles du sommeil.", 14},
	{"F410", "trouble panique", "Attaques de panique répétées, évitement des transports.", 21},
	{"M751", "syndrome de la coiffe des rotateurs", "Épaule droite douloureuse, abduction limitée à 90°, échographie : tendinopathie du sus-épineux.", 30},
	{"S934", "entorse de la cheville", "Entorse latérale grave de la cheville gauche, attelle, appui partiel.", 15},
	{"G560", "syndrome du canal carpien", "Paresthésies nocturnes, EMG confirmant ; chirurgie programmée.", 28},
	{"J110", "grippe avec manifestations respiratoires", "Fièvre à 39,5 °C, myalgies, toux.", 5},
	{"K358", "appendicite aiguë", "Appendicectomie cœlioscopique, suites simples.", 14},
	{"M171", "gonarthrose primaire", "Gonarthrose bilatérale évoluée, périmètre de marche réduit.", 30},
	{"S8250", "fracture de la malléole interne", "Fracture malléolaire traitée par botte plâtrée.", 45},
}

var communes = []string{"67482", "67482", "67482", "67180", "67462", "67437", "67218", "57463", "57672", "57631", "68066", "68224", "54395", "51454", "10387", "88160", "08105"}

// event is one step of the demo history, replayed in time order so that reception
// dates, due dates and the audit journal read as a real fortnight of work.
type event struct {
	at     time.Time
	kind   int // evInitial, evProlongation, evAvis
	index  int // the initial notice it concerns
	input  sqldb.ArretInput
	avis   medconseil.Avis
	depart string
}

const (
	evInitial = iota
	evProlongation
	evAvis
)

// SeedDossiers files about n sick-leave notices received over the last fortnight
// across the région, some prolonged (with a change of wording now and then, which the
// dossier flags), some already decided, some overdue. It does nothing when the store
// already holds dossiers.
func SeedDossiers(ctx context.Context, db *sqldb.DB, n int, now time.Time, seed uint64) (int, error) {
	counts, err := db.CountByEtat(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	if total > 0 {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	day := 24 * time.Hour
	var events []event
	for i := 0; i < n; i++ {
		commune := communes[rng.IntN(len(communes))]
		sex := 1 + rng.IntN(2)
		body := fmt.Sprintf("%d%02d%02d%s%03d", sex, (60+rng.IntN(42))%100, 1+rng.IntN(12), commune, 1+rng.IntN(999))
		nir, err := medconseil.NIRWithKey(body)
		if err != nil {
			return 0, err
		}
		prenom := prenomsH[rng.IntN(len(prenomsH))]
		if sex == 2 {
			prenom = prenomsF[rng.IntN(len(prenomsF))]
		}
		dg := diagnoses[rng.IntN(len(diagnoses))]
		fate := rng.IntN(10) // 0–2 prolonged, 3–5 decided, else awaiting an avis
		// Office hours of one of the last 14 days; a notice to be prolonged was received
		// long enough ago for its end to be near.
		back := time.Duration(rng.IntN(14))*day + time.Duration(rng.IntN(9*60))*time.Minute
		if fate < 3 {
			back = time.Duration(dg.jours-1+rng.IntN(3))*day + time.Duration(rng.IntN(9*60))*time.Minute
		}
		recue := now.Add(-back)
		recue = time.Date(recue.Year(), recue.Month(), recue.Day(), 8, 0, 0, 0, recue.Location()).Add(time.Duration(rng.IntN(9*60)) * time.Minute)
		if recue.After(now) {
			recue = now.Add(-time.Minute)
		}
		debut := medconseil.DateOf(recue).AddDays(-rng.IntN(3))
		fin := debut.AddDays(dg.jours - 1)
		prescripteur := medconseil.RPPS(fmt.Sprintf("100%08d", 1000000+rng.IntN(8999999)))
		if commune == "67482" && rng.IntN(2) == 0 {
			prescripteur = PrescripteurRPPS
		}
		in := sqldb.ArretInput{
			Assure:       medconseil.Assure{NIR: nir, Residence: commune, Nom: noms[rng.IntN(len(noms))], Prenom: prenom},
			Prescripteur: prescripteur,
			Arret: medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: debut, Fin: fin, CIM10: medconseil.CIM10(dg.cim),
				Libelle: dg.libelle, Motif: dg.motif, Teleconsultation: rng.IntN(10) == 0},
		}
		events = append(events, event{at: recue, kind: evInitial, index: i, input: in})
		switch {
		case fate < 3:
			p := in
			p.Arret.Nature = medconseil.NatureProlongation
			p.Arret.Debut, p.Arret.Fin = fin.AddDays(1), fin.AddDays(14)
			if fate == 0 {
				p.Arret.Libelle = reworded(dg.libelle)
			}
			at := fin.AddDays(-1).Time(recue.Location()).Add(time.Duration(8*60+rng.IntN(9*60)) * time.Minute)
			if at.After(now) || !at.After(recue) {
				at = recue.Add(time.Duration(1+rng.IntN(120)) * time.Minute)
			}
			events = append(events, event{at: at, kind: evProlongation, index: i, input: p})
		case fate < 6:
			v := medconseil.Avis{Sens: medconseil.SensJustifie}
			if fate == 5 {
				effet := debut.AddDays(dg.jours / 2)
				v = medconseil.Avis{Sens: medconseil.SensNonJustifie, EffetAu: effet, Motif: "Examen du " + effet.AddDays(-1).Francais() + " : état compatible avec une reprise à temps complet."}
			}
			at := recue.Add(time.Duration(2+rng.IntN(72)) * time.Hour)
			if at.After(now) {
				at = now.Add(-time.Duration(1+rng.IntN(30)) * time.Minute)
				// A notice received minutes ago (before 8:00, it is dated now − 1 min)
				// is decided after it was filed, never before: the avis would find no dossier.
				if !at.After(recue) {
					at = recue.Add(now.Sub(recue) / 2)
				}
			}
			events = append(events, event{at: at, kind: evAvis, index: i, avis: v, depart: medconseil.DepartementOfCommune(commune)})
		}
	}
	sort.SliceStable(events, func(a, b int) bool { return events[a].at.Before(events[b].at) })

	filer := &medconseil.Acteur{Login: "demo", Habilitations: []medconseil.Habilitation{hab(medconseil.RoleAgentAdministratif, medconseil.NiveauNational, "")}}
	m := sqldb.Meta{Adresse: "console", Finalite: "demonstration"}
	engine, err := rules.NewEmbedded()
	if err != nil {
		return 0, err
	}
	intake := &sqldb.Intake{DB: db, Analyst: preanalyse.New(engine)}
	clock := db.Now
	defer func() { db.Now = clock }()
	ids := map[int]int64{}
	created := 0
	for _, ev := range events {
		at := ev.at
		db.Now = func() time.Time { return at }
		switch ev.kind {
		case evInitial, evProlongation:
			in := ev.input
			if ev.kind == evProlongation {
				in.Arret.InitialID = ids[ev.index]
			}
			id, _, err := intake.FileArret(ctx, filer, in, m)
			if err != nil {
				return created, fmt.Errorf("dossier de démonstration %d : %w", ev.index, err)
			}
			if ev.kind == evInitial {
				ids[ev.index] = id
			}
			created++
		case evAvis:
			praticien := &medconseil.Acteur{Login: "praticien." + ev.depart, Habilitations: []medconseil.Habilitation{hab(medconseil.RolePraticienConseil, medconseil.NiveauEchelon, ev.depart)}}
			if _, err := db.GiveAvis(ctx, praticien, ids[ev.index], 1, ev.avis, m); err != nil {
				return created, err
			}
		}
	}
	db.Now = clock
	// One request of every other type, filed by the demo GP for a Strasbourg assuré.
	as := medconseil.Assure{NIR: "185056748212337", Residence: "67482", Nom: "EXEMPLE", Prenom: "Jean", Naissance: medconseil.NewDate(1985, time.May, 14)}
	today := medconseil.DateOf(now).String()
	for i, r := range []struct {
		typ    medconseil.TypeDossier
		fields map[string]any
	}{
		{medconseil.TypeATMP, map[string]any{"piece": "certificat_initial", "risque": "at", "date_sinistre": today, "date_reception": today, "cim10": "S836",
			"lesions": "entorse du genou droit", "lateralite": "droite", "employeur_siret": "12345678900011"}},
		{medconseil.TypeALD, map[string]any{"date_protocole": today, "cim10": "E119", "soins": "suivi trimestriel, HbA1c, fond d'œil annuel", "medecin_traitant": PrescripteurRPPS}},
		{medconseil.TypeTransport, map[string]any{"date_demande": today, "mode": "vsl", "distance_km": 490, "destination_finess": "750160012", "etat_aide_au_deplacement": true, "motif": "consultation de recours à Paris"}},
		{medconseil.TypeLPP, map[string]any{"date_prescription": today, "code_lpp": "2183855", "categorie": "chut_decharge_avant_pied", "indication": "post_chirurgicale"}},
		{medconseil.TypeKine, map[string]any{"date_prescription": today, "situation": "prothese_genou", "seances_prevues": 40}},
		{medconseil.TypeInvalidite, map[string]any{"date_constat": today, "reduction_capacite_pct": 75, "cim10": "G35"}},
		{medconseil.TypeOrdonnance, map[string]any{"date_prescription": today, "medicament": "tramadol 50 mg", "regime": "liste_I", "classe": "tramadol", "duree_jours": 84, "signalement": "12 semaines sur une ordonnance"}},
	} {
		s, _ := medconseil.SchemaOf(r.typ)
		raw := map[string]json.RawMessage{}
		for k, v := range r.fields {
			raw[k], _ = json.Marshal(v)
		}
		d, err := medconseil.ParseDemande(s, raw)
		if err != nil {
			return created, fmt.Errorf("demande de démonstration %s : %w", r.typ, err)
		}
		m.IdemKey = fmt.Sprintf("demo-%d", i)
		if _, _, err := intake.FileDemande(ctx, filer, sqldb.DemandeInput{Assure: as, Prescripteur: PrescripteurRPPS, Demande: d}, m); err != nil {
			return created, fmt.Errorf("demande de démonstration %s : %w", r.typ, err)
		}
		created++
	}
	return created, nil
}

var (
	noms     = []string{"MARTIN", "BERNARD", "MULLER", "SCHMITT", "MEYER", "WEBER", "KLEIN", "HOFFMANN", "DUBOIS", "LAMBERT", "ROTH", "FUCHS", "GARCIA", "PETIT", "ZIMMERMANN"}
	prenomsH = []string{"Paul", "Julien", "Thomas", "Nicolas", "Antoine", "Mathieu", "Karim", "Luc"}
	prenomsF = []string{"Marie", "Sarah", "Léa", "Camille", "Chloé", "Nadia", "Julie", "Anne"}
)

// reworded returns another wording of the same affection, as prescribers write
// them — a change the caisse reads as another affection.
func reworded(libelle string) string {
	switch libelle {
	case "lombalgie basse":
		return "douleur lombaire"
	case "lombosciatique":
		return "radiculalgie sciatique"
	case "épisode dépressif moyen":
		return "syndrome dépressif"
	}
	return libelle + " (suite)"
}
