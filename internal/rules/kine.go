package rules

import (
	"sort"

	"medconseil"
)

// Kine is the rule set of the accord préalable in masso-kinésithérapie: for the
// situations of the référentiels (L162-1-7 CSS, NGAP titre XIV chapitre V), the
// accord of the service du contrôle médical (L315-2) is needed beyond a number of
// séances; outside the référentiels there is none since the décision UNCAM of
// 9 February 2012.
type Kine struct {
	seuils                 map[string]*Parameter
	lombalgie, cervicalgie *Parameter
}

var kineSituations = []string{"entorse_cheville", "prothese_hanche", "prothese_genou", "ligament_croise", "meniscectomie",
	"coiffe_rotateurs_operee", "lombalgie", "fracture_avant_bras", "fracture_coude", "rachis_cervical", "tendinopathie_coiffe",
	"cervicalgie", "fracture_humerus"}

func newKine(r *resolver) *Kine {
	k := &Kine{seuils: map[string]*Parameter{}, lombalgie: r.get("kine/lombalgie_seances_12_mois"),
		cervicalgie: r.get("kine/cervicalgie_seances_12_mois")}
	for _, s := range kineSituations {
		k.seuils[s] = r.get("kine/seances_sans_accord/" + s)
	}
	return k
}

var refKine = refs(ref("Article L162-1-7 du code de la sécurité sociale", cssHref), ref("Article L315-2 du code de la sécurité sociale", cssHref),
	ref("NGAP, titre XIV, chapitre V — ameli.fr", "https://www.ameli.fr/medecin/exercice-liberal/facturation-remuneration/consultations-actes/nomenclatures-codage/ngap"))

var kineLabels = map[string]string{
	"accord_prealable_requis": "Accord préalable requis à partir d'une séance",
	"sans_accord_prealable":   "Pas d'accord préalable pour les séances prévues",
}

type kineJSON struct {
	Date           string `json:"date"`
	Situation      string `json:"situation"`
	SeancesPrevues *int   `json:"seances_prevues"`
	Seances12Mois  int    `json:"seances_12_mois"`
}

func (k *Kine) evaluate(date medconseil.Date, situation string, prevues, avant int, d *Decision) error {
	d.reset("kine", date)
	d.Version = "kine : référentiels NGAP titre XIV chapitre V"
	if situation == "autre" {
		d.add("KINE_HORS_REFERENTIEL", refKine, "Situation hors référentiel : pas d'accord préalable (décision UNCAM du 9 février 2012).")
		d.Outcome = "sans_accord_prealable"
		return nil
	}
	p := k.seuils[situation]
	per, ok := p.At(date)
	if !ok {
		since := "aucune date"
		if len(p.Periods) > 0 {
			since = p.Periods[0].Start.Francais()
		}
		d.add("KINE_PAS_DE_REFERENTIEL", refKine, "Pas encore de référentiel pour cette situation le %s (référentiel applicable à partir du %s) : pas de seuil d'accord préalable.", darg(date), sarg(since))
		d.Outcome = "sans_accord_prealable"
		return nil
	}
	d.used(p, per)
	n := per.Value.Num.Int()
	from := n + 1
	if (situation == "lombalgie" || situation == "cervicalgie") && avant > 0 {
		q, label := k.lombalgie, "Lombalgie"
		if situation == "cervicalgie" {
			q, label = k.cervicalgie, "Cervicalgie"
		}
		y, err := d.integer(q, date)
		if err != nil {
			return err
		}
		if int64(avant) >= y {
			d.add("KINE_"+upper(situation)+"_12_MOIS", per.References, "%s : %d séances dans les 12 mois précédents (au moins %d) : accord préalable dès la première séance de cette série.", sarg(label), iarg(int64(avant)), iarg(y))
			from = 1
		}
	}
	d.result("accord_a_partir_de", "Accord préalable à partir de la séance", iarg(from))
	if int64(prevues) >= from {
		d.add("KINE_ACCORD_PREALABLE", per.References, "%d séances prévues : prise en charge sans accord jusqu'à la %de séance ; accord préalable à partir de la %de.", iarg(int64(prevues)), iarg(from-1), iarg(from))
		d.Outcome = "accord_prealable_requis"
		return nil
	}
	d.add("KINE_SANS_ACCORD", per.References, "%d séances prévues, dans la limite de %d séances sans accord préalable.", iarg(int64(prevues)), iarg(from-1))
	d.Outcome = "sans_accord_prealable"
	return nil
}

func (k *Kine) ruleSet() *ruleSet {
	allowed := append(append([]string{}, kineSituations...), "autre")
	sort.Strings(allowed)
	return &ruleSet{name: "kine", input: kineJSON{}, title: "Masso-kinésithérapie : accord préalable", labels: kineLabels,
		eval: func(raw []byte, d *Decision) error {
			var j kineJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			date := f.date("date", j.Date, true)
			sit := f.enum("situation", j.Situation, true, allowed...)
			n := 0
			if j.SeancesPrevues == nil {
				f.fail("seances_prevues", "nombre de séances prévues obligatoire")
			} else {
				n = *j.SeancesPrevues
				f.nonNegative("seances_prevues", n)
			}
			f.nonNegative("seances_12_mois", j.Seances12Mois)
			if err := f.err(); err != nil {
				return err
			}
			return k.evaluate(date, sit, n, j.Seances12Mois, d)
		}}
}
