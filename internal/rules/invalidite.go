package rules

import (
	"medconseil"
)

// Invalidite is the rule set of the pension d'invalidité: the medical condition
// (L341-1, R341-2), the administrative conditions (R313-5), the category (L341-4,
// R341-4) and the end of the pension at the age of L351-1-5 with the switch to the
// retraite pour inaptitude (L341-15, L341-16).
type Invalidite struct {
	reduction, heures12, smic12, immat, cat1, cat2, cat3, ageFin, ageLegal, inaptitude, tauxPlein, smicH *Parameter
	bascule                                                                                              *Parameter
}

func newInvalidite(r *resolver) *Invalidite {
	return &Invalidite{
		reduction: r.get("invalidite/reduction_capacite_min"), heures12: r.get("invalidite/heures_12_mois"),
		smic12: r.get("invalidite/smic_multiple_12_mois"), immat: r.get("invalidite/immatriculation_mois"),
		cat1: r.get("invalidite/taux_categorie_1"), cat2: r.get("invalidite/taux_categorie_2"), cat3: r.get("invalidite/taux_categorie_3"),
		ageFin: r.get("invalidite/age_fin_pension_mois"), ageLegal: r.get("invalidite/age_legal_retraite_mois"),
		inaptitude: r.get("invalidite/taux_incapacite_inaptitude"), tauxPlein: r.get("invalidite/age_taux_plein_automatique"),
		smicH: r.get("smic/horaire_brut"), bascule: r.get("invalidite/bascule_mois_suivant"),
	}
}

var (
	refL3411  = refs(ref("Article L341-1 du code de la sécurité sociale", cssHref), ref("Article R341-2 du code de la sécurité sociale", cssHref))
	refR3135  = ref("Article R313-5 du code de la sécurité sociale", cssHref)
	refL3414  = refs(ref("Article L341-4 du code de la sécurité sociale", cssHref), ref("Article R341-4 du code de la sécurité sociale", cssHref))
	refL34115 = refs(ref("Article L341-15 du code de la sécurité sociale", cssHref), ref("Article L351-1-5 du code de la sécurité sociale", cssHref))
	refL34116 = ref("Article L341-16 du code de la sécurité sociale", cssHref)
	refL16117 = ref("Article L161-17-2 du code de la sécurité sociale", cssHref)
)

var invaliditeLabels = map[string]string{
	"categorie_1":          "Invalidité de 1re catégorie",
	"categorie_2":          "Invalidité de 2e catégorie",
	"categorie_3":          "Invalidité de 3e catégorie (tierce personne)",
	"non_invalide":         "Réduction de capacité insuffisante : pas d'invalidité",
	"droits_non_ouverts":   "Conditions administratives non remplies",
	"retraite_inaptitude":  "Âge atteint : la pension est remplacée par la retraite pour inaptitude",
	"pension_maintenue_67": "Invalide en activité : pension maintenue jusqu'à la cessation d'activité, au plus tard à l'âge du taux plein",
}

type invaliditeInput struct {
	Date, Naissance, Immatriculation medconseil.Date
	Interruption                     medconseil.Date // the interruption de travail followed by invalidité (zero: usure prématurée, the constat)
	ReductionPct                     int
	CapableActivite                  *bool // recorded by the médecin-conseil: no default category
	TiercePersonne                   bool
	Heures12Mois                     int
	Cotisations12Mois                medconseil.Montant
	ExerceActivite                   bool
}

func (v *Invalidite) evaluate(in *invaliditeInput, d *Decision) error {
	d.reset("invalidite", in.Date)
	d.Version = "invalidite : conditions de 2015 (600 h), âges par génération"
	// Ages first: a pension ends at the age of L351-1-5 whatever the rest.
	tab, err := d.value(v.ageFin, in.Date)
	if err != nil {
		return err
	}
	months, ok := tab.Lookup(in.Naissance)
	if !ok {
		return medconseil.FieldErrorf("date_naissance", "date de naissance hors des tables d'âge")
	}
	end := in.Naissance.AddMonths(int(months.Int()))
	d.result("date_fin_pension", "Fin de la pension d'invalidité (âge de L351-1-5)", darg(end))
	switchDate := end
	if d.flag(v.bascule, end) {
		switchDate = medconseil.NewDate(end.Year(), end.Month(), 1).AddMonths(1)
	}
	d.result("date_bascule_retraite_inaptitude", "Date d'effet de la retraite pour inaptitude", darg(switchDate))
	// The general legal age: the column is chosen by the date the pension takes
	// effect (LFSS 2026 art. 105: pensions from 1 September 2026).
	if legal, err := d.value(v.ageLegal, switchDate); err == nil {
		if m, ok := legal.Lookup(in.Naissance); ok {
			d.add("INV_AGE_LEGAL_GENERAL", refL16117, "Âge légal de droit commun pour cette génération, pour une pension prenant effet le %s : %d ans et %d mois (les invalides gardent l'âge de L351-1-5).", darg(switchDate), iarg(m.Int()/12), iarg(m.Int()%12))
			d.result("age_legal_retraite_mois", "Âge légal de droit commun (mois)", iarg(m.Int()))
		}
	}
	if !in.Date.Before(end) {
		if in.ExerceActivite {
			tp, err := d.value(v.tauxPlein, in.Date)
			if err != nil {
				return err
			}
			m, ok := tp.Lookup(in.Naissance)
			if !ok {
				return medconseil.FieldErrorf("date_naissance", "date de naissance hors de la table des âges du taux plein")
			}
			limit := in.Naissance.AddMonths(int(m.Int()))
			d.add("INV_ACTIVITE_APRES_AGE", refL34116, "Invalide qui travaille : la pension continue jusqu'à la cessation d'activité, au plus tard à l'âge du taux plein de sa génération (%d ans et %d mois, le %s), sauf demande expresse de retraite.", iarg(m.Int()/12), iarg(m.Int()%12), darg(limit))
			d.result("date_limite_taux_plein", "Limite de la pension (âge du taux plein)", darg(limit))
			d.Outcome = "pension_maintenue_67"
			return nil
		}
		r, err := d.num(v.inaptitude, in.Date)
		if err != nil {
			return err
		}
		d.add("INV_RETRAITE_INAPTITUDE", refL34115, "Âge de %d ans et %d mois atteint le %s : la pension d'invalidité est remplacée par la retraite pour inaptitude au travail à compter du %s (taux plein ; incapacité de %s %% pour les non-invalides).", iarg(months.Int()/12), iarg(months.Int()%12), darg(end), darg(switchDate), sarg(percent(r)))
		d.Outcome = "retraite_inaptitude"
		return nil
	}
	min, err := d.num(v.reduction, in.Date)
	if err != nil {
		return err
	}
	if int64(in.ReductionPct)*min.D < 100*min.N {
		d.add("INV_REDUCTION_INSUFFISANTE", refL3411, "Réduction de la capacité de travail ou de gain de %d %%, inférieure aux deux tiers (%s %%).", iarg(int64(in.ReductionPct)), sarg(percent(min)))
		d.Outcome = "non_invalide"
		return nil
	}
	d.add("INV_REDUCTION_SUFFISANTE", refL3411, "Réduction de la capacité de travail ou de gain de %d %%, au moins les deux tiers (%s %%).", iarg(int64(in.ReductionPct)), sarg(percent(min)))
	if in.CapableActivite == nil {
		return medconseil.FieldErrorf("capable_activite", "catégorie à préciser : le médecin-conseil indique si l'invalide est capable d'exercer une activité rémunérée (oui : 1re catégorie ; non : 2e, ou 3e avec tierce personne)")
	}
	// R313-5: the conditions are assessed at the interruption de travail followed by
	// invalidité, or at the constat when there is none (usure prématurée).
	refDate := in.Interruption
	if refDate.IsZero() {
		refDate = in.Date
		d.add("INV_REFERENCE_CONSTAT", refR3135, "Sans interruption de travail suivie d'invalidité (usure prématurée), les conditions administratives sont appréciées à la date du constat, le %s.", darg(refDate))
	} else {
		d.add("INV_REFERENCE_INTERRUPTION", refR3135, "Conditions administratives appréciées à l'interruption de travail suivie d'invalidité, le %s (et non à la date du constat) : période de référence des 12 mois qui la précèdent.", darg(refDate))
	}
	first := medconseil.NewDate(refDate.Year(), refDate.Month(), 1)
	im, err := d.integer(v.immat, refDate)
	if err != nil {
		return err
	}
	h, err := d.integer(v.heures12, refDate)
	if err != nil {
		return err
	}
	mult, err := d.num(v.smic12, refDate)
	if err != nil {
		return err
	}
	// SMIC of the 1 January preceding the 12 calendar months of reference.
	refStart := first.AddMonths(-12)
	smic, err := d.num(v.smicH, medconseil.NewDate(refStart.Year(), 1, 1))
	if err != nil {
		return err
	}
	if in.Immatriculation.IsZero() || in.Immatriculation.After(first.AddMonths(-int(im))) {
		d.add("INV_IMMATRICULATION", refR3135, "Il faut %d mois d'immatriculation au premier jour du mois de l'interruption de travail ou du constat (%s).", iarg(im), darg(first))
		d.Outcome = "droits_non_ouverts"
		return nil
	}
	if int64(in.Heures12Mois) < h && !atLeast(in.Cotisations12Mois, mult, smic) {
		d.add("INV_ACTIVITE_INSUFFISANTE", refR3135, "%d heures sur 12 mois (il en faut %d) et cotisations de %s (il faut %s SMIC horaires).", iarg(int64(in.Heures12Mois)), iarg(h), marg(in.Cotisations12Mois), rarg(mult))
		d.Outcome = "droits_non_ouverts"
		return nil
	}
	d.add("INV_DROITS_OUVERTS", refR3135, "Conditions administratives remplies.")
	var p *Parameter
	switch {
	case !*in.CapableActivite && in.TiercePersonne:
		p, d.Outcome = v.cat3, "categorie_3"
		d.add("INV_CATEGORIE_3", refL3414, "Absolument incapable d'exercer une profession et obligé de recourir à une tierce personne pour les actes ordinaires de la vie (conditions cumulatives) : 3e catégorie (pension et majoration pour tierce personne).")
	case !*in.CapableActivite:
		p, d.Outcome = v.cat2, "categorie_2"
		d.add("INV_CATEGORIE_2", refL3414, "Absolument incapable d'exercer une profession quelconque : 2e catégorie.")
	default:
		p, d.Outcome = v.cat1, "categorie_1"
		if in.TiercePersonne {
			d.add("INV_TIERCE_PERSONNE_SANS_INCAPACITE_ABSOLUE", refL3414, "Besoin d'une tierce personne, mais capable d'exercer une activité rémunérée : la 3e catégorie exige aussi l'incapacité absolue d'exercer une profession.")
		}
		d.add("INV_CATEGORIE_1", refL3414, "Capable d'exercer une activité rémunérée : 1re catégorie.")
	}
	t, err := d.num(p, in.Date)
	if err != nil {
		return err
	}
	d.result("taux_pension", "Taux de la pension (part du salaire annuel moyen des 10 meilleures années)", sarg(percent(t)+" %"))
	return nil
}

type invaliditeJSON struct {
	Date                string `json:"date"`
	DateNaissance       string `json:"date_naissance"`
	ReductionCapacite   *int   `json:"reduction_capacite_pct"`
	CapableActivite     *bool  `json:"capable_activite"`
	DateInterruption    string `json:"date_interruption"`
	TiercePersonne      bool   `json:"tierce_personne"`
	DateImmatriculation string `json:"date_immatriculation"`
	Heures12Mois        int    `json:"heures_12_mois"`
	Cotisations12Mois   string `json:"cotisations_12_mois"`
	ExerceActivite      bool   `json:"exerce_activite"`
}

func (v *Invalidite) ruleSet() *ruleSet {
	return &ruleSet{name: "invalidite", input: invaliditeJSON{}, title: "Pension d'invalidité", labels: invaliditeLabels,
		eval: func(raw []byte, d *Decision) error {
			var j invaliditeJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			in := &invaliditeInput{
				Date: f.date("date", j.Date, true), Naissance: f.date("date_naissance", j.DateNaissance, true),
				Immatriculation: f.date("date_immatriculation", j.DateImmatriculation, false),
				Interruption:    f.date("date_interruption", j.DateInterruption, false),
				CapableActivite: j.CapableActivite, TiercePersonne: j.TiercePersonne, Heures12Mois: j.Heures12Mois,
				Cotisations12Mois: f.montant("cotisations_12_mois", j.Cotisations12Mois, false), ExerceActivite: j.ExerceActivite,
			}
			f.nonNegative("heures_12_mois", j.Heures12Mois)
			if j.ReductionCapacite == nil {
				f.fail("reduction_capacite_pct", "réduction de capacité obligatoire (pourcentage de 0 à 100)")
			} else if *j.ReductionCapacite < 0 || *j.ReductionCapacite > 100 {
				f.fail("reduction_capacite_pct", "pourcentage entre 0 et 100")
			} else {
				in.ReductionPct = *j.ReductionCapacite
			}
			if !in.Naissance.IsZero() && !in.Date.IsZero() && !in.Naissance.Before(in.Date) {
				f.fail("date_naissance", "la date de naissance doit précéder la date du constat")
			}
			if !in.Interruption.IsZero() && !in.Date.IsZero() && in.Interruption.After(in.Date) {
				f.fail("date_interruption", "l'interruption de travail (%s) suit la date du constat (%s)", in.Interruption.Francais(), in.Date.Francais())
			}
			if err := f.err(); err != nil {
				return err
			}
			return v.evaluate(in, d)
		}}
}
