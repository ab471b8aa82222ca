package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"medconseil"
	"medconseil/internal/preanalyse"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
	"medconseil/internal/synth"
)

// yearPlan is what synth --db files besides the arrêts in flight.
type yearPlan struct {
	scale float64
	seed  uint64
	year  int
	max   int // per type; 0 = the whole year
}

// grandEstAssures is the population at scale 1 (docs/synth.md).
const grandEstAssures = 5_075_846

// typeRates are the synthetic yearly volumes of requests per assuré, by type: orders
// of magnitude of the Service médical's activity (about 1.2 million protocoles ALD,
// 0.6 million AT/MP sinistres with their certificates, a few hundred thousand
// transport, LPP and kinésithérapie DAP, 0.1 million invalidité requests a year for
// 67 million people). They give the demo and the benches realistic volumes, they
// are not statistics.
var typeRates = []struct {
	typ  medconseil.TypeDossier
	rate float64 // requests (AT/MP: sinistres) per assuré per year
}{
	{medconseil.TypeATMP, 0.009},
	{medconseil.TypeALD, 0.018},
	{medconseil.TypeTransport, 0.005},
	{medconseil.TypeLPP, 0.003},
	{medconseil.TypeKine, 0.003},
	{medconseil.TypeInvalidite, 0.0015},
	{medconseil.TypeOrdonnance, 0.001},
}

func synthIntake(db *sqldb.DB) (*sqldb.Intake, error) {
	engine, err := rules.NewEmbedded()
	if err != nil {
		return nil, err
	}
	return &sqldb.Intake{DB: db, Analyst: preanalyse.New(engine)}, nil
}

func synthOperator() *medconseil.Acteur {
	return &medconseil.Acteur{Login: "synth", Nom: "Génération synthétique", Habilitations: []medconseil.Habilitation{
		{Role: medconseil.RoleAgentAdministratif, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauNational}},
	}}
}

// synthFiling is one request of the year, filed on its day.
type synthFiling struct {
	day      medconseil.Date
	key      string
	input    sqldb.DemandeInput
	chainKey string // AT/MP: key of the sinistre's declaration, "" otherwise
}

// fileYear files a year of every non-arrêt type for the region: the volumes of
// typeRates at the plan's scale, each request received on a day of the year
// (BulkFiling.Recue), its assuré drawn from the synthetic population (the
// residences and prescribers of the year's arrêts), AT/MP as sinistres with their
// declaration, certificats initial, de prolongation and final. Deterministic for a
// seed; idempotent (one key per request: running again files nothing twice).
func fileYear(ctx context.Context, e *env, db *sqldb.DB, in *sqldb.Intake, pool []synth.ArretEnCours, plan yearPlan) error {
	if len(pool) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(plan.seed, 0x9d05516e))
	start := medconseil.NewDate(plan.year, time.January, 1)
	days := medconseil.NewDate(plan.year+1, time.January, 1).Sub(start)
	var all []synthFiling
	counts := map[medconseil.TypeDossier]int{}
	for _, tr := range typeRates {
		n := int(tr.rate*grandEstAssures*plan.scale + 0.5)
		if plan.max > 0 && n > plan.max {
			n = plan.max
		}
		for i := 0; i < n; i++ {
			p := pool[rng.IntN(len(pool))]
			nir := synthNIR(rng, p)
			as := medconseil.Assure{NIR: nir, Residence: p.Residence, Naissance: synthBirth(rng, nir, plan.year)}
			day := start.AddDays(rng.IntN(days))
			base := fmt.Sprintf("synth-%d-%s-%d", plan.seed, tr.typ, i)
			if tr.typ == medconseil.TypeATMP {
				all = append(all, sinistre(rng, as, medconseil.RPPS(p.PrescripteurRPPS), day, base)...)
				continue
			}
			d := synthDemande(rng, tr.typ, day, as)
			all = append(all, synthFiling{day: day, key: base,
				input: sqldb.DemandeInput{Assure: as, Prescripteur: medconseil.RPPS(p.PrescripteurRPPS), Demande: d, Faits: synthFaits(tr.typ)}})
		}
	}
	// In the order of reception: each day, the pieces that name none, then the
	// AT/MP certificates, which name their sinistre's declaration (filed that day
	// or before). One load for the year: the group commit writes requests of
	// several days together.
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].day != all[j].day {
			return all[i].day.Before(all[j].day)
		}
		return !all[i].input.Demande.Has(medconseil.ChampSinistreID) && all[j].input.Demande.Has(medconseil.ChampSinistreID)
	})
	op := synthOperator()
	var batch []sqldb.BulkFiling
	var fs []*synthFiling
	pos := map[string]int{} // a declaration's position in batch, from 1
	for k := range all {
		f := &all[k]
		x := f.input
		b := sqldb.BulkFiling{Demande: &x, Meta: sqldb.Meta{Adresse: "console", Finalite: "synthese", IdemKey: f.key},
			Recue: f.day.Time(time.UTC).Add(10 * time.Hour)}
		if f.input.Demande.Has(medconseil.ChampSinistreID) {
			n, ok := pos[f.chainKey]
			if !ok {
				continue // its declaration is not filed
			}
			b.Names = n
		}
		batch = append(batch, b)
		fs = append(fs, f)
		if f.key == f.chainKey {
			pos[f.key] = len(batch)
		}
	}
	t0 := time.Now()
	g0, j0 := db.GroupStats()
	got, err := in.FileInOrder(ctx, op, batch, synthPreparers())
	if err != nil {
		for k, id := range got {
			if id == 0 {
				return fmt.Errorf("dépôt %s : %w", fs[k].key, err)
			}
		}
		return err
	}
	for _, f := range fs {
		counts[f.input.Demande.Type]++
	}
	el := time.Since(t0)
	fmt.Fprintf(e.stdout, "Base opérationnelle : une année %d de dossiers de tous types déposés et pré-analysés en %s (%.0f dossiers/s ; %s) :\n", plan.year, el.Round(time.Millisecond), float64(len(got))/el.Seconds(), groupsSince(db, g0, j0))
	for _, tr := range typeRates {
		fmt.Fprintf(e.stdout, "  %-12s %7d\n", tr.typ, counts[tr.typ])
	}
	return nil
}

// synthNIR draws an assuré like p: same sex and département of birth, another
// order number (a neighbour in the population).
func synthNIR(rng *rand.Rand, p synth.ArretEnCours) medconseil.NIR {
	body := string(p.NIR[:10]) + fmt.Sprintf("%03d", 1+rng.IntN(999))
	n, err := medconseil.NIRWithKey(body)
	if err != nil {
		return p.NIR
	}
	return n
}

func synthBirth(rng *rand.Rand, n medconseil.NIR, year int) medconseil.Date {
	y := n.BirthYear(medconseil.NewDate(year, time.December, 31))
	m := n.BirthMonth()
	if m < time.January || m > time.December {
		m = time.June
	}
	return medconseil.NewDate(y, m, 1+rng.IntN(28))
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

// demande builds a request from JSON-like fields, as the API would parse it.
func demande(typ medconseil.TypeDossier, fields map[string]any) *medconseil.Demande {
	s, _ := medconseil.SchemaOf(typ)
	raw := map[string]json.RawMessage{}
	for k, v := range fields {
		b, _ := json.Marshal(v)
		raw[k] = b
	}
	d, err := medconseil.ParseDemande(s, raw)
	if err != nil {
		panic(fmt.Sprintf("synthetic %s request invalid: %v", typ, err)) // a bug of this generator
	}
	return d
}

func synthDemande(rng *rand.Rand, typ medconseil.TypeDossier, day medconseil.Date, as medconseil.Assure) *medconseil.Demande {
	ds := day.String()
	switch typ {
	case medconseil.TypeALD:
		cim := pick(rng, "E119", "E109", "C509", "C61", "F200", "G35", "I500", "J441", "N184", "G20", "I251", "F329")
		return demande(typ, map[string]any{"date_protocole": ds, "cim10": cim, "renouvellement": rng.IntN(10) < 3, "duree_demandee_mois": pick(rng, 12, 36, 60, 120),
			"soins": "suivi spécialisé, examens biologiques et traitements de l'affection"})
	case medconseil.TypeTransport:
		f := map[string]any{"date_demande": ds, "mode": pick(rng, "ambulance", "vsl", "vsl", "taxi", "vehicule_personnel"), "depart": as.Residence}
		switch rng.IntN(10) {
		case 0, 1:
			f["distance_km"] = 151 + rng.IntN(500)
		case 2:
			f["mode"], f["distance_km"] = "avion", 600+rng.IntN(300)
		default:
			f["distance_km"], f["serie_nombre_sur_2_mois"] = 51+rng.IntN(60), 4+rng.IntN(30)
			f["serie_en_lien_avec_ald"] = rng.IntN(2) == 0
		}
		f["etat_"+pick(rng, medconseil.TransportEtats...)] = true
		return demande(typ, f)
	case medconseil.TypeLPP:
		c := pick(rng, [2]string{"2183855", "chut_decharge_avant_pied"}, [2]string{"2166740", "chut_volume_avant_pied"})
		return demande(typ, map[string]any{"date_prescription": ds, "code_lpp": c[0], "categorie": c[1],
			"indication": pick(rng, "post_chirurgicale", "traumatique", "medicale", "inflammation_oedeme_trouble_trophique")})
	case medconseil.TypeKine:
		return demande(typ, map[string]any{"date_prescription": ds, "situation": pick(rng, "entorse_cheville", "prothese_hanche", "prothese_genou",
			"ligament_croise", "meniscectomie", "lombalgie", "fracture_avant_bras", "tendinopathie_coiffe"), "seances_prevues": 10 + rng.IntN(50)})
	case medconseil.TypeInvalidite:
		return demande(typ, map[string]any{"date_constat": ds, "reduction_capacite_pct": 50 + rng.IntN(45), "capable_activite": rng.IntN(3) == 0,
			"tierce_personne": rng.IntN(20) == 0, "cim10": pick(rng, "G35", "F200", "M545", "I500", "C509", "F329")})
	case medconseil.TypeOrdonnance:
		f := map[string]any{"date_prescription": ds, "duree_jours": pick(rng, 7, 28, 30, 84, 90), "signalement": "signalement d'une pharmacie"}
		switch rng.IntN(3) {
		case 0:
			f["medicament"], f["regime"], f["substance"], f["ordonnance_securisee"] = "morphine LP", "stupefiant", "morphine_orale_lp", rng.IntN(4) > 0
		case 1:
			f["medicament"], f["regime"], f["classe"] = "zolpidem", "liste_I", "hypnotique"
		default:
			f["medicament"], f["regime"], f["classe"] = "tramadol", "liste_I", "tramadol"
		}
		return demande(typ, f)
	}
	panic("type sans générateur : " + string(typ))
}

func synthFaits(typ medconseil.TypeDossier) map[string]string {
	if typ == medconseil.TypeInvalidite {
		return map[string]string{"date_immatriculation": "2000-09-01", "heures_12_mois": "1200"}
	}
	return nil
}

// sinistre returns the pieces of one AT/MP sinistre: the déclaration, the
// certificat médical initial, 0 to 2 prolongations and the certificat final.
func sinistre(rng *rand.Rand, as medconseil.Assure, rpps medconseil.RPPS, day medconseil.Date, base string) []synthFiling {
	risque := "at"
	if rng.IntN(6) == 0 {
		risque = "mp"
	}
	cim := pick(rng, "S836", "S934", "M545", "S626", "M751", "G560")
	recu := day.AddDays(2)
	mk := func(i int, d medconseil.Date, fields map[string]any) synthFiling {
		fields["risque"], fields["date_sinistre"], fields["date_reception"] = risque, day.String(), recu.String()
		if risque == "mp" {
			fields["tableau_mp"], fields["conditions_tableau_remplies"] = "57", rng.IntN(4) > 0
		}
		return synthFiling{day: d, key: fmt.Sprintf("%s-%d", base, i), chainKey: base + "-0",
			input: sqldb.DemandeInput{Assure: as, Prescripteur: rpps, Demande: demande(medconseil.TypeATMP, fields)}}
	}
	out := []synthFiling{mk(0, recu, map[string]any{"piece": medconseil.PieceDeclaration, "employeur_siret": "12345678900011"})}
	out = append(out, mk(1, recu, map[string]any{"piece": medconseil.PieceInitial, medconseil.ChampSinistreID: 1, "cim10": cim, "lesions": "lésions décrites au certificat",
		"lateralite": pick(rng, "droite", "gauche", "sans_objet"), "arret_jusqu_au": day.AddDays(14).String()}))
	cur := day.AddDays(14)
	for k := 0; k < rng.IntN(3); k++ {
		out = append(out, mk(2+k, cur, map[string]any{"piece": medconseil.PieceProlongation, medconseil.ChampSinistreID: 1, "cim10": cim,
			"lesions": "lésions décrites au certificat", "arret_jusqu_au": cur.AddDays(21).String()}))
		cur = cur.AddDays(21)
	}
	out = append(out, mk(9, cur, map[string]any{"piece": medconseil.PieceFinal, medconseil.ChampSinistreID: 1, "cim10": cim, "lesions": "état à la consolidation",
		"conclusion": pick(rng, "guerison", "guerison_apparente", "consolidation_avec_sequelles"), "date_consolidation": cur.String()}))
	return out
}
