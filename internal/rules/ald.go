package rules

import (
	"fmt"

	"medconseil"
)

// ALD is the rule set of the affections de longue durée: which ALD of the list of
// D160-4 a CIM-10 code falls under, whether the ALD is open to new admissions on the
// date (n° 12 closed since 27 June 2011), and the duration of the exoneration.
type ALD struct {
	liste             *Parameter
	durations         map[string]*Parameter
	pao2, paco2, vems *Parameter
}

var aldNames = [33]string{"", "Accident vasculaire cérébral invalidant", "Insuffisances médullaires et autres cytopénies chroniques",
	"Artériopathies chroniques avec manifestations ischémiques", "Bilharziose compliquée",
	"Insuffisance cardiaque grave, troubles du rythme graves, cardiopathies valvulaires graves, cardiopathies congénitales graves",
	"Maladies chroniques actives du foie et cirrhoses", "Déficit immunitaire primitif grave nécessitant un traitement prolongé, infection par le VIH",
	"Diabète de type 1 et diabète de type 2", "Formes graves des affections neurologiques et musculaires (dont myopathie), épilepsie grave",
	"Hémoglobinopathies, hémolyses, chroniques constitutionnelles et acquises sévères", "Hémophilies et affections constitutionnelles de l'hémostase graves",
	"Hypertension artérielle sévère", "Maladie coronaire", "Insuffisance respiratoire chronique grave", "Maladie d'Alzheimer et autres démences",
	"Maladie de Parkinson", "Maladies métaboliques héréditaires nécessitant un traitement prolongé spécialisé", "Mucoviscidose",
	"Néphropathie chronique grave et syndrome néphrotique primitif", "Paraplégie", "Vascularites, lupus érythémateux systémique, sclérodermie systémique",
	"Polyarthrite rhumatoïde évolutive", "Affections psychiatriques de longue durée", "Rectocolite hémorragique et maladie de Crohn évolutives",
	"Sclérose en plaques", "Scoliose idiopathique structurale évolutive jusqu'à maturation rachidienne", "Spondylarthrite grave",
	"Suites de transplantation d'organe", "Tuberculose active, lèpre", "Tumeur maligne, affection maligne du tissu lymphatique ou hématopoïétique",
	"Forme grave d'une maladie ou forme évolutive ou invalidante d'une maladie grave hors liste", "Polypathologie invalidante"}

// aldRange maps CIM-10 categories (three characters, inclusive) to an ALD and, where
// the duration depends on it, a sub-group. The correspondence is indicative (it
// follows the HAS guides per ALD); the médecin-conseil decides on the protocole.
type aldRange struct {
	from, to string
	ald      int
	sub      string
}

var aldRanges = []aldRange{
	{"I60", "I64", 1, ""}, {"G46", "G46", 1, ""}, {"D60", "D61", 2, ""}, {"D70", "D70", 2, ""}, {"D46", "D46", 2, ""},
	{"I70", "I74", 3, ""}, {"B65", "B65", 4, ""}, {"I50", "I50", 5, ""}, {"I05", "I09", 5, ""}, {"I34", "I37", 5, ""},
	{"I44", "I49", 5, ""}, {"Q20", "Q24", 5, ""}, {"K70", "K70", 6, ""}, {"K73", "K74", 6, ""}, {"B18", "B18", 6, ""},
	{"B20", "B24", 7, ""}, {"D80", "D84", 7, ""}, {"E10", "E14", 8, ""}, {"G40", "G41", 9, ""}, {"G71", "G72", 9, ""},
	{"D55", "D59", 10, ""}, {"D66", "D68", 11, ""}, {"I10", "I15", 12, ""}, {"I20", "I25", 13, ""}, {"J96", "J96", 14, ""},
	{"J44", "J44", 14, ""}, {"F00", "F03", 15, ""}, {"G30", "G31", 15, ""}, {"G20", "G20", 16, ""}, {"E84", "E84", 18, ""},
	{"E70", "E83", 17, ""}, {"E85", "E88", 17, ""}, {"N04", "N04", 19, "19_2"}, {"N18", "N18", 19, ""}, {"G82", "G82", 20, ""},
	{"M30", "M35", 21, ""}, {"M05", "M06", 22, ""}, {"F20", "F29", 23, "23a"}, {"F30", "F39", 23, "23b"}, {"F70", "F79", 23, "23c"},
	{"F84", "F84", 23, "23c"}, {"F40", "F48", 23, "23d"}, {"F60", "F69", 23, "23d"}, {"K50", "K51", 24, ""}, {"G35", "G35", 25, ""},
	{"M41", "M41", 26, ""}, {"M45", "M45", 27, ""}, {"Z94", "Z94", 28, ""}, {"A15", "A19", 29, ""}, {"A30", "A30", 29, ""},
	{"C00", "C97", 30, ""}, {"D45", "D45", 30, ""},
}

// aldSubcodes are four-character codes whose ALD differs from their category's.
var aldSubcodes = map[string]int{"D471": 30, "D473": 30}

func aldOf(c medconseil.CIM10) (int, string) {
	if len(c) >= 4 {
		if n, ok := aldSubcodes[string(c[:4])]; ok {
			return n, ""
		}
	}
	cat := c.Category()
	for _, r := range aldRanges {
		if cat >= r.from && cat <= r.to {
			return r.ald, r.sub
		}
	}
	return 0, ""
}

var (
	refD1604  = refs(ref("Article D160-4 du code de la sécurité sociale et son annexe", cssHref), ref("Article L160-14 du code de la sécurité sociale", cssHref))
	refALD12  = refs(refD1604, ref("Décret n° 2011-726 du 24 juin 2011 (JO 26/06/2011)", "https://www.legifrance.gouv.fr/eli/decret/2011/6/24/2011-726/jo/texte"))
	refHorsLi = ref("Article L160-14 4° du code de la sécurité sociale (ALD hors liste et polypathologie)", cssHref)
	refAnnexe = refs(refD1604, ref("Article L324-1 du code de la sécurité sociale", cssHref), ref("Article R324-2 du code de la sécurité sociale", cssHref))
)

var aldLabels = map[string]string{
	"ald_liste":           "Affection de la liste des ALD",
	"ald_fermee":          "ALD fermée aux nouvelles admissions à cette date",
	"ald_12_maintenue":    "ALD 12 maintenue pour un bénéficiaire admis avant le 27 juin 2011",
	"hors_liste_possible": "Hors liste : ALD 31 ou 32 possible si les critères sont réunis",
	"ald_31_a_instruire":  "ALD 31 (hors liste) à instruire : critères déclarés réunis",
	"ald_32_a_instruire":  "ALD 32 (polypathologie) à instruire : critères déclarés réunis",
	"criteres_a_verifier": "Code compatible avec une ALD de la liste : admission subordonnée aux critères médicaux de l'annexe",
	"pas_d_ald_liste":     "Ce code seul ne relève d'aucune ALD de la liste",
}

func newALD(r *resolver) *ALD {
	a := &ALD{liste: r.get("ald/liste_ouverte"), durations: map[string]*Parameter{},
		pao2: r.get("ald/bpco_pao2_max_mmhg"), paco2: r.get("ald/bpco_paco2_min_mmhg"), vems: r.get("ald/bpco_vems_max_pct")}
	for _, k := range []string{"ald01_initiale", "ald01_renouvellement", "ald02", "ald03", "ald07", "ald08", "ald12_renouvellement",
		"ald15", "ald19_2", "ald23a", "ald23b", "ald23c", "ald23d", "ald24"} {
		a.durations[k] = r.get("ald/duree_exoneration/" + k)
	}
	return a
}

type aldInput struct {
	Date              medconseil.Date
	Code              medconseil.CIM10
	Renouvellement    bool
	AdmisAvant2011    bool
	HorsListeCriteres bool // ALD 31: severe form, treatment > 6 months, particularly costly
	Polypathologie    bool // ALD 32: several affections, invalidating state, care > 6 months
	BPCO              *bpcoCriteres
}

// bpcoCriteres are the measures of annex § 14.1 for a BPCO (J44), at distance from an
// acute episode; nil fields were not measured.
type bpcoCriteres struct {
	PaO2, PaCO2, VEMS *int
}

// horsListe points to ALD 31 and 32 when the affection is outside the list or its ALD
// is closed: the médecin-conseil instructs them on their own criteria.
func (a *ALD) horsListe(in *aldInput, d *Decision, why string) {
	switch {
	case in.HorsListeCriteres:
		d.add("ALD_31_A_INSTRUIRE", refHorsLi, "%s : critères de l'ALD 31 déclarés réunis (forme grave ou évolutive, traitement prolongé de plus de 6 mois, thérapeutique particulièrement coûteuse) : ALD 31 à instruire sur protocole de soins.", sarg(why))
		d.Outcome = "ald_31_a_instruire"
	case in.Polypathologie:
		d.add("ALD_32_A_INSTRUIRE", refHorsLi, "%s : polypathologie déclarée (plusieurs affections entraînant un état invalidant, soins continus de plus de 6 mois) : ALD 32 à instruire sur protocole de soins.", sarg(why))
		d.Outcome = "ald_32_a_instruire"
	default:
		d.add("ALD_31_32_POSSIBLES", refHorsLi, "%s : ALD 31 possible pour une forme grave ou évolutive nécessitant un traitement de plus de 6 mois particulièrement coûteux, ALD 32 pour une polypathologie invalidante avec des soins continus de plus de 6 mois.", sarg(why))
		d.Outcome = "hors_liste_possible"
	}
}

func (a *ALD) evaluate(in *aldInput, d *Decision) error {
	d.reset("ald", in.Date)
	d.Version = "ald : liste du décret 2011-77, durées des décrets 2017-472 et 2024-768"
	n, sub := aldOf(in.Code)
	cat := in.Code.Category()
	switch {
	case cat == "G45":
		d.add("ALD_AIT_NON_ALD1", refAnnexe, "Code %s (accident ischémique transitoire) : l'ALD 1 exige des troubles neurologiques persistant au-delà de 24 heures ; un AIT n'en relève pas, sauf critères d'une autre ALD.", sarg(in.Code.Dotted()))
		d.Outcome = "pas_d_ald_liste"
		a.horsListe(in, d, "AIT hors de l'ALD 1")
		if d.Outcome == "hors_liste_possible" {
			d.Outcome = "pas_d_ald_liste"
		}
		return nil
	case cat == "D47" && n == 0:
		d.add("ALD_D47_NON_MALIN", refAnnexe, "Code %s : tumeur à évolution imprévisible non maligne par elle-même (gammapathie monoclonale…) : pas d'ALD 30 sauf transformation.", sarg(in.Code.Dotted()))
		d.Outcome = "pas_d_ald_liste"
		return nil
	}
	if n == 0 {
		d.add("ALD_HORS_LISTE", refHorsLi, "Code %s hors des 30 ALD de la liste.", sarg(in.Code.Dotted()))
		a.horsListe(in, d, "Affection hors liste")
		return nil
	}
	d.result("ald", "Numéro d'ALD", iarg(int64(n)))
	d.result("libelle", "Libellé", sarg(aldNames[n]))
	open, err := d.value(a.liste, in.Date)
	if err != nil {
		return err
	}
	if !open.Contains(int64(n)) {
		if n == 12 && in.AdmisAvant2011 && in.Renouvellement {
			d.add("ALD_12_MAINTENUE", refALD12, "ALD 12 (hypertension artérielle sévère) supprimée le 27 juin 2011 : maintenue pour un bénéficiaire admis avant cette date.")
			d.Outcome = "ald_12_maintenue"
			return a.duration(in, d, "ald12_renouvellement")
		}
		if n == 12 {
			d.add("ALD_HTA_SANS_ALD", refs(refALD12, refAnnexe), "Code %s : l'HTA seule ne relève plus d'aucune ALD depuis le 27 juin 2011 ; une HTA compliquée peut relever de l'ALD 5 (insuffisance cardiaque grave), 13 (maladie coronaire), 1 (AVC invalidant), 3 (artériopathie avec manifestations ischémiques) ou 19 (néphropathie chronique grave) si leurs propres critères sont réunis.", sarg(in.Code.Dotted()))
			a.horsListe(in, d, "HTA sans ALD de la liste")
			if d.Outcome == "hors_liste_possible" {
				d.Outcome = "pas_d_ald_liste"
			}
			return nil
		}
		d.add("ALD_FERMEE", refALD12, "ALD %d (%s) fermée aux nouvelles admissions à la date du %s.", iarg(int64(n)), sarg(aldNames[n]), darg(in.Date))
		a.horsListe(in, d, "ALD fermée")
		if d.Outcome == "hors_liste_possible" {
			d.Outcome = "ald_fermee"
		}
		return nil
	}
	if cat == "J44" {
		met, measured, err := a.bpco(in, d)
		if err != nil {
			return err
		}
		if !measured {
			d.add("ALD_BPCO_CRITERES", refAnnexe, "Code %s (BPCO) : l'ALD 14 exige, à distance d'un épisode aigu, une PaO2 ou une PaCO2 ou un VEMS aux seuils de l'annexe ; le code seul ne suffit pas.", sarg(in.Code.Dotted()))
			d.Outcome = "criteres_a_verifier"
			return nil
		}
		if !met {
			d.add("ALD_BPCO_CRITERES_NON_REMPLIS", refAnnexe, "BPCO sans critère de gravité de l'annexe (PaO2, PaCO2, VEMS) : pas d'ALD 14.")
			a.horsListe(in, d, "BPCO hors critères de l'ALD 14")
			if d.Outcome == "hors_liste_possible" {
				d.Outcome = "pas_d_ald_liste"
			}
			return nil
		}
	}
	d.add("ALD_LISTE", refD1604, "Code %s : ALD %d, %s.", sarg(in.Code.Dotted()), iarg(int64(n)), sarg(aldNames[n]))
	d.Outcome = "ald_liste"
	key := fmt.Sprintf("ald%02d", n)
	if sub != "" {
		key = "ald" + sub
	}
	if n == 1 {
		key = "ald01_initiale"
		if in.Renouvellement {
			key = "ald01_renouvellement"
		}
	}
	return a.duration(in, d, key)
}

// bpco checks the measures of annex § 14.1: PaO2 below, PaCO2 above, or VEMS below
// their thresholds (comparison signs to verify on the JO text).
func (a *ALD) bpco(in *aldInput, d *Decision) (met, measured bool, err error) {
	b := in.BPCO
	if b == nil || (b.PaO2 == nil && b.PaCO2 == nil && b.VEMS == nil) {
		return false, false, nil
	}
	check := func(v *int, p *Parameter, below bool, label string) error {
		if v == nil {
			return nil
		}
		t, err := d.integer(p, in.Date)
		if err != nil {
			return err
		}
		ok := int64(*v) < t
		if !below {
			ok = int64(*v) > t
		}
		if ok {
			met = true
			d.add("ALD_BPCO_CRITERE", refAnnexe, "%s de %d, au-delà du seuil de %d de l'annexe : critère de l'ALD 14 rempli.", sarg(label), iarg(int64(*v)), iarg(t))
		}
		return nil
	}
	if err := check(b.PaO2, a.pao2, true, "PaO2 (mmHg)"); err != nil {
		return false, true, err
	}
	if err := check(b.PaCO2, a.paco2, false, "PaCO2 (mmHg)"); err != nil {
		return false, true, err
	}
	if err := check(b.VEMS, a.vems, true, "VEMS (% de la valeur théorique)"); err != nil {
		return false, true, err
	}
	return met, true, nil
}

func (a *ALD) duration(in *aldInput, d *Decision, key string) error {
	p, ok := a.durations[key]
	if !ok {
		d.add("ALD_DUREE_NON_PARAMETREE", refD1604, "Durée d'exonération de cette ALD non paramétrée : lire l'annexe de l'article D160-4.")
		return nil
	}
	y, err := d.integer(p, in.Date)
	if err != nil {
		d.add("ALD_DUREE_NON_PARAMETREE", refD1604, "Durée d'exonération non paramétrée à cette date : lire l'annexe de l'article D160-4.")
		return nil
	}
	what := "admission"
	if in.Renouvellement {
		what = "renouvellement"
	}
	d.add("ALD_DUREE", refD1604, "Durée d'exonération pour une %s le %s : %d ans, jusqu'au %s.", sarg(what), darg(in.Date), iarg(y), darg(in.Date.AddYears(int(y)).AddDays(-1)))
	d.result("fin_exoneration", "Fin de l'exonération", darg(in.Date.AddYears(int(y)).AddDays(-1)))
	return nil
}

type aldJSON struct {
	Date              string `json:"date"`
	CIM10             string `json:"cim10"`
	Renouvellement    bool   `json:"renouvellement"`
	AdmisAvant2011    bool   `json:"admis_avant_27_juin_2011"`
	HorsListeCriteres bool   `json:"criteres_hors_liste"`
	Polypathologie    bool   `json:"polypathologie"`
	BPCO              *struct {
		PaO2  *int `json:"pao2_mmhg"`
		PaCO2 *int `json:"paco2_mmhg"`
		VEMS  *int `json:"vems_pct"`
	} `json:"bpco"`
}

func (a *ALD) ruleSet() *ruleSet {
	return &ruleSet{name: "ald", input: aldJSON{}, title: "Affections de longue durée", labels: aldLabels,
		eval: func(raw []byte, d *Decision) error {
			var j aldJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			in := &aldInput{Date: f.date("date", j.Date, true), Code: f.cim10("cim10", j.CIM10, true),
				Renouvellement: j.Renouvellement, AdmisAvant2011: j.AdmisAvant2011, HorsListeCriteres: j.HorsListeCriteres,
				Polypathologie: j.Polypathologie}
			if j.BPCO != nil {
				in.BPCO = &bpcoCriteres{PaO2: j.BPCO.PaO2, PaCO2: j.BPCO.PaCO2, VEMS: j.BPCO.VEMS}
				for name, v := range map[string]*int{"bpco.pao2_mmhg": j.BPCO.PaO2, "bpco.paco2_mmhg": j.BPCO.PaCO2, "bpco.vems_pct": j.BPCO.VEMS} {
					if v != nil && (*v < 0 || *v > 300) {
						f.fail(name, "valeur hors des bornes (0 à 300)")
					}
				}
			}
			if err := f.err(); err != nil {
				return err
			}
			return a.evaluate(in, d)
		}}
}
