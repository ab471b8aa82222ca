package rules

import (
	"fmt"

	"medconseil"
)

// ALD is the rule set of the affections de longue durée: which ALD of the list of
// D160-4 a CIM-10 code falls under, whether the ALD is open to new admissions on the
// date (n° 12 closed since 27 June 2011), and the duration of the exoneration.
type ALD struct {
	liste     *Parameter
	durations map[string]*Parameter
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
	{"I60", "I64", 1, ""}, {"G45", "G46", 1, ""}, {"D60", "D61", 2, ""}, {"D70", "D70", 2, ""},
	{"I70", "I74", 3, ""}, {"B65", "B65", 4, ""}, {"I50", "I50", 5, ""}, {"I05", "I09", 5, ""}, {"I34", "I37", 5, ""},
	{"I44", "I49", 5, ""}, {"Q20", "Q24", 5, ""}, {"K70", "K70", 6, ""}, {"K73", "K74", 6, ""}, {"B18", "B18", 6, ""},
	{"B20", "B24", 7, ""}, {"D80", "D84", 7, ""}, {"E10", "E14", 8, ""}, {"G40", "G41", 9, ""}, {"G71", "G72", 9, ""},
	{"D55", "D59", 10, ""}, {"D66", "D68", 11, ""}, {"I10", "I15", 12, ""}, {"I20", "I25", 13, ""}, {"J96", "J96", 14, ""},
	{"J44", "J44", 14, ""}, {"F00", "F03", 15, ""}, {"G30", "G31", 15, ""}, {"G20", "G20", 16, ""}, {"E84", "E84", 18, ""},
	{"E70", "E83", 17, ""}, {"E85", "E88", 17, ""}, {"N04", "N04", 19, "19_2"}, {"N18", "N18", 19, ""}, {"G82", "G82", 20, ""},
	{"M30", "M35", 21, ""}, {"M05", "M06", 22, ""}, {"F20", "F29", 23, "23a"}, {"F30", "F39", 23, "23b"}, {"F70", "F79", 23, "23c"},
	{"F84", "F84", 23, "23c"}, {"F40", "F48", 23, "23d"}, {"F60", "F69", 23, "23d"}, {"K50", "K51", 24, ""}, {"G35", "G35", 25, ""},
	{"M41", "M41", 26, ""}, {"M45", "M45", 27, ""}, {"Z94", "Z94", 28, ""}, {"A15", "A19", 29, ""}, {"A30", "A30", 29, ""},
	{"C00", "C97", 30, ""},
}

func aldOf(c medconseil.CIM10) (int, string) {
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
	refALD12  = refs(refD1604, ref("Décret n° 2011-726 du 24 juin 2011 (JO 26/06/2011)", "https://www.legifrance.gouv.fr/search/all?query=%22d%C3%A9cret%20n%C2%B0%202011-726%22"))
	refHorsLi = ref("Article L160-14 4° du code de la sécurité sociale (ALD hors liste et polypathologie)", cssHref)
)

var aldLabels = map[string]string{
	"ald_liste":           "Affection de la liste des ALD",
	"ald_fermee":          "ALD fermée aux nouvelles admissions à cette date",
	"ald_12_maintenue":    "ALD 12 maintenue pour un bénéficiaire admis avant le 27 juin 2011",
	"hors_liste_possible": "Hors liste : ALD 31 ou 32 possible si les critères sont réunis",
}

func newALD(r *resolver) *ALD {
	a := &ALD{liste: r.get("ald/liste_ouverte"), durations: map[string]*Parameter{}}
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
	HorsListeCriteres bool
}

func (a *ALD) evaluate(in *aldInput, d *Decision) error {
	d.reset("ald", in.Date)
	d.Version = "ald : liste du décret 2011-77, durées des décrets 2017-472 et 2024-768"
	n, sub := aldOf(in.Code)
	if n == 0 {
		if in.HorsListeCriteres {
			d.add("ALD_HORS_LISTE_31_32", refHorsLi, "Code %s hors des 30 ALD de la liste : ALD 31 (forme grave, traitement de plus de 6 mois et particulièrement coûteux) ou 32 (polypathologie) à instruire.", sarg(in.Code.Dotted()))
		} else {
			d.add("ALD_HORS_LISTE", refHorsLi, "Code %s hors des 30 ALD de la liste : seules les ALD 31 ou 32 sont possibles, si leurs critères sont réunis.", sarg(in.Code.Dotted()))
		}
		d.Outcome = "hors_liste_possible"
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
		d.add("ALD_FERMEE", refALD12, "ALD %d (%s) fermée aux nouvelles admissions à la date du %s.", iarg(int64(n)), sarg(aldNames[n]), darg(in.Date))
		d.Outcome = "ald_fermee"
		return nil
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
}

func (a *ALD) ruleSet() *ruleSet {
	return &ruleSet{name: "ald", title: "Affections de longue durée", labels: aldLabels,
		eval: func(raw []byte, d *Decision) error {
			var j aldJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			in := &aldInput{Date: f.date("date", j.Date, true), Code: f.cim10("cim10", j.CIM10, true),
				Renouvellement: j.Renouvellement, AdmisAvant2011: j.AdmisAvant2011, HorsListeCriteres: j.HorsListeCriteres}
			if err := f.err(); err != nil {
				return err
			}
			return a.evaluate(in, d)
		}}
}
