package rules

import "medconseil"

// MTDents is the rule set of the examen bucco-dentaire de prévention « M'T dents »
// (L2132-2-1 CSP, convention nationale des chirurgiens-dentistes): the ages entitled
// on a date, and the pregnant woman's right, whose end after delivery changed from
// 12 days to 6 months (an explicit dated version).
type MTDents struct {
	ages, validite, grossesse, apresJours, apresMois, tarif *Parameter
	versions                                                []mtVersion
}

type mtVersion struct {
	since medconseil.Date
	name  string
	// postPartumEnd returns the last day after delivery still entitled.
	postPartumEnd func(m *MTDents, accouchement, date medconseil.Date, d *Decision) (medconseil.Date, error)
}

var refMT = refs(ref("Article L2132-2-1 du code de la santé publique", cspHref),
	ref("ameli.fr — Examen bucco-dentaire M'T dents", "https://www.ameli.fr/assure/sante/themes/sante-bucco-dentaire/examen-bucco-dentaire"))

func newMTDents(r *resolver) *MTDents {
	m := &MTDents{ages: r.get("mtdents/ages"), validite: r.get("mtdents/validite_mois"), grossesse: r.get("mtdents/grossesse_debut_mois"),
		apresJours: r.get("mtdents/apres_accouchement_jours"), apresMois: r.get("mtdents/apres_accouchement_mois"), tarif: r.get("mtdents/examen_tarif")}
	m.versions = []mtVersion{
		{since: medconseil.NewDate(2007, 1, 1), name: "mtdents-2007 : âges ronds, 12 jours après l'accouchement",
			postPartumEnd: func(m *MTDents, acc, date medconseil.Date, d *Decision) (medconseil.Date, error) {
				n, err := d.integer(m.apresJours, date)
				return acc.AddDays(int(n)), err
			}},
		{since: medconseil.NewDate(2025, 4, 1), name: "mtdents-2025 : « M'T dents tous les ans », 6 mois après l'accouchement",
			postPartumEnd: func(m *MTDents, acc, date medconseil.Date, d *Decision) (medconseil.Date, error) {
				n, err := d.integer(m.apresMois, date)
				return acc.AddMonths(int(n)), err
			}},
	}
	return m
}

var mtLabels = map[string]string{
	"eligible":     "Examen M'T dents pris en charge",
	"non_eligible": "Pas d'examen M'T dents à cette date",
}

type mtJSON struct {
	Date             string `json:"date"`
	DateNaissance    string `json:"date_naissance"`
	MoisGrossesse    int    `json:"mois_grossesse"`
	DateAccouchement string `json:"date_accouchement"`
}

func (m *MTDents) evaluate(date, naissance, accouchement medconseil.Date, moisGrossesse int, d *Decision) error {
	d.reset("mtdents", date)
	var v *mtVersion
	for i := len(m.versions) - 1; i >= 0; i-- {
		if !m.versions[i].since.After(date) {
			v = &m.versions[i]
			break
		}
	}
	if v == nil {
		return &medconseil.Error{Code: medconseil.EREGLE, Field: "date", Message: "M'T dents n'existe qu'à partir de 2007"}
	}
	d.Version = v.name
	age := naissance.AgeAt(date)
	d.result("age", "Âge à la date de l'examen", iarg(int64(age)))
	if t, err := d.num(m.tarif, date); err == nil {
		d.result("tarif", "Tarif de l'examen", marg(medconseil.Montant(t.N*100/t.D)))
	}
	ages, err := d.value(m.ages, date)
	if err != nil {
		return err
	}
	if ages.Contains(int64(age)) {
		val, err := d.integer(m.validite, date)
		if err != nil {
			return err
		}
		until := naissance.AddYears(age).AddMonths(int(val)).AddDays(-1)
		d.add("MT_AGE", refMT, "%d ans : examen M'T dents ouvert jusqu'au %s.", iarg(int64(age)), darg(until))
		d.result("valable_jusqu_au", "Invitation valable jusqu'au", darg(until))
		d.Outcome = "eligible"
		return nil
	}
	if moisGrossesse > 0 {
		from, err := d.integer(m.grossesse, date)
		if err != nil {
			return err
		}
		if int64(moisGrossesse) >= from {
			d.add("MT_GROSSESSE", refMT, "Femme enceinte au %de mois de grossesse (à partir du %de) : examen pris en charge.", iarg(int64(moisGrossesse)), iarg(from))
			d.Outcome = "eligible"
			return nil
		}
		d.add("MT_GROSSESSE_TROP_TOT", refMT, "Grossesse au %de mois : l'examen est ouvert à partir du %de mois.", iarg(int64(moisGrossesse)), iarg(from))
	}
	if !accouchement.IsZero() && !accouchement.After(date) {
		end, err := v.postPartumEnd(m, accouchement, date, d)
		if err != nil {
			return err
		}
		if !date.After(end) {
			d.add("MT_APRES_ACCOUCHEMENT", refMT, "Accouchement le %s : examen ouvert jusqu'au %s.", darg(accouchement), darg(end))
			d.Outcome = "eligible"
			return nil
		}
		d.add("MT_APRES_ACCOUCHEMENT_DEPASSE", refMT, "Accouchement le %s : le droit à l'examen a pris fin le %s.", darg(accouchement), darg(end))
	}
	d.add("MT_AGE_NON_ELIGIBLE", refMT, "%d ans : pas d'examen M'T dents à cet âge à la date du %s.", iarg(int64(age)), darg(date))
	d.Outcome = "non_eligible"
	return nil
}

func (m *MTDents) ruleSet() *ruleSet {
	return &ruleSet{name: "mtdents", input: mtJSON{}, title: "Examen bucco-dentaire M'T dents", labels: mtLabels,
		eval: func(raw []byte, d *Decision) error {
			var j mtJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			date := f.date("date", j.Date, true)
			naissance := f.date("date_naissance", j.DateNaissance, true)
			acc := f.date("date_accouchement", j.DateAccouchement, false)
			if j.MoisGrossesse < 0 || j.MoisGrossesse > 9 {
				f.fail("mois_grossesse", "mois de grossesse entre 1 et 9 (0 : pas de grossesse)")
			}
			if !naissance.IsZero() && !date.IsZero() && naissance.After(date) {
				f.fail("date_naissance", "la date de naissance suit la date de l'examen")
			}
			if err := f.err(); err != nil {
				return err
			}
			return m.evaluate(date, naissance, acc, j.MoisGrossesse, d)
		}}
}
