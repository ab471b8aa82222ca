package rules

import (
	"medconseil"
)

// ATMP is the rule set of accidents du travail and maladies professionnelles:
// instruction deadlines and recognition by default (R441-7, R441-8, R461-9, R461-10
// CSS), CRRMP referral (L461-1, R461-8), indemnisation of the incapacité permanente
// (L434-2, R434-1, R434-2) and the conclusions of a certificat final.
type ATMP struct {
	decisionAT, instructionAT, decisionMP, crrmp, oldAT, oldMP, oldProlAT, oldProlMP *Parameter
	seuilCRRMP, seuilRente, sansCRRMPDelai, rechute                                  *Parameter
	ijTaux1, ijTaux2, ijJours, plafondSJ, pass                                       *Parameter
	versions                                                                         []atmpVersion
}

// atmpVersion: the instruction regime by date of receipt of the declaration.
type atmpVersion struct {
	since    medconseil.Date
	name     string
	deadline func(a *ATMP, in *atmpInput, d *Decision) (medconseil.Date, error)
}

var (
	refR4417  = ref("Article R441-7 du code de la sécurité sociale", cssHref)
	refR4418  = ref("Article R441-8 du code de la sécurité sociale", cssHref)
	refR4619  = ref("Article R461-9 du code de la sécurité sociale", cssHref)
	refR46110 = ref("Article R461-10 du code de la sécurité sociale", cssHref)
	refR44110 = ref("Article R441-10 du code de la sécurité sociale (ancien régime)", cssHref)
	refL4611  = ref("Article L461-1 du code de la sécurité sociale", cssHref)
	refR4618  = refs(refL4611, ref("Article R461-8 du code de la sécurité sociale", cssHref))
	refIP     = refs(ref("Article L434-2 du code de la sécurité sociale", cssHref), ref("Article R434-1 du code de la sécurité sociale", cssHref), ref("Article R434-2 du code de la sécurité sociale", cssHref))
	refL4331  = ref("Article L433-1 du code de la sécurité sociale", cssHref)
	refL4432  = ref("Article L443-2 du code de la sécurité sociale", cssHref)
	refR44116 = ref("Article R441-16 du code de la sécurité sociale", cssHref)
	refR44118 = ref("Article R441-18 du code de la sécurité sociale", cssHref)
	refR43431 = refs(ref("Article R434-31 du code de la sécurité sociale", cssHref), ref("Article R434-32 du code de la sécurité sociale", cssHref))
	refR4435  = ref("Article R443-5 du code de la sécurité sociale", cssHref)
	refIJATMP = refs(refL4331, ref("Article R433-1 du code de la sécurité sociale", cssHref), ref("Article R433-2 du code de la sécurité sociale", cssHref), ref("Article R433-3 du code de la sécurité sociale", cssHref))
)

func newATMP(r *resolver) *ATMP {
	a := &ATMP{
		decisionAT: r.get("atmp/delai_decision_at"), instructionAT: r.get("atmp/delai_instruction_at"),
		decisionMP: r.get("atmp/delai_decision_mp"), crrmp: r.get("atmp/delai_crrmp"),
		oldAT: r.get("atmp/ancien_delai_at_jours"), oldMP: r.get("atmp/ancien_delai_mp_mois"),
		oldProlAT: r.get("atmp/ancien_prolongation_at_mois"), oldProlMP: r.get("atmp/ancien_prolongation_mp_mois"),
		seuilCRRMP: r.get("atmp/seuil_crrmp_hors_tableau"), seuilRente: r.get("atmp/seuil_rente"),
		sansCRRMPDelai: r.get("atmp/sans_crrmp_delai_seul"), rechute: r.get("atmp/delai_rechute"),
		ijTaux1: r.get("atmp/ij_taux_28_premiers_jours"), ijTaux2: r.get("atmp/ij_taux_apres_28_jours"),
		ijJours: r.get("atmp/ij_jours_taux_reduit"), plafondSJ: r.get("atmp/plafond_salaire_journalier"),
		pass: r.get("securite_sociale/plafond_annuel"),
	}
	a.versions = []atmpVersion{
		{since: medconseil.NewDate(2010, 1, 1), name: "atmp-2010 : délais en jours et mois calendaires (ancien R441-10)", deadline: (*ATMP).deadlineOld},
		{since: medconseil.NewDate(2019, 12, 1), name: "atmp-2019 : délais en jours francs (décret 2019-356)", deadline: (*ATMP).deadline2019},
	}
	return a
}

type atmpInput struct {
	Type                string // at, mp, rechute
	Reception           medconseil.Date
	Investigations      bool
	SaisineCRRMP        medconseil.Date
	Decision            medconseil.Date
	AlsaceMoselle       bool
	Tableau             bool
	ConditionsRemplies  bool
	ConditionManquante  string
	Deces               bool
	TauxIPPrevisible    int
	TauxIP              int
	HasTauxIP           bool
	CertificatFinal     string
	HasTauxIPPrevisible bool
	Situation           medconseil.Date // the date the file is judged on (silence of the caisse)
	Sens                string          // reconnaissance, refus ("" : not said)
	Consolidation       medconseil.Date // date of guérison or consolidation fixed by the caisse
	ArretDebut          medconseil.Date // first day of IJ (the day after the accident)
	ArretFin            medconseil.Date
	SalaireJournalier   medconseil.Montant
}

var atmpLabels = map[string]string{
	"reconnaissance_implicite": "Caractère professionnel reconnu faute de décision dans le délai",
	"presomption_origine":      "Présomption d'origine professionnelle (tableau)",
	"saisine_crrmp":            "Saisine du comité régional de reconnaissance des maladies professionnelles",
	"avis_medecins_conseils":   "Reconnaissance sur avis des médecins-conseils, sans CRRMP",
	"non_reconnaissable":       "Maladie hors tableau sans décès ni taux prévisible suffisant : pas de saisine du CRRMP",
	"en_instruction":           "Instruction en cours : décision attendue au plus tard à l'échéance",
	"reconnu":                  "Caractère professionnel reconnu par décision dans le délai",
	"refuse":                   "Caractère professionnel refusé par décision dans le délai",
	"decision_dans_le_delai":   "Décision rendue dans le délai (sens non précisé)",
	"guerison":                 "Guérison : fin des IJ, pas d'incapacité permanente",
	"consolidation_ip":         "Consolidation avec séquelles : évaluation du taux d'IP à programmer",
	"ip_fixee":                 "Consolidation : taux d'incapacité permanente fixé et réparation déterminée",
}

// deadline2019 counts jours francs from the receipt of the declaration and the
// certificat médical initial (R441-7, R441-8 for AT; R461-9, R461-10 for MP).
func (a *ATMP) deadline2019(in *atmpInput, d *Decision) (medconseil.Date, error) {
	if in.Type == "rechute" {
		n, err := d.integer(a.rechute, in.Reception)
		if err != nil {
			return medconseil.Date{}, err
		}
		end := in.Reception.JoursFrancs(int(n), in.AlsaceMoselle)
		d.add("ATMP_DELAI_RECHUTE", refs(refR44116, refR44118),
			"Rechute ou nouvelle lésion : %d jours francs à compter de la réception du certificat le %s, échéance le %s (et non les délais de 30/90 jours francs d'un accident).",
			iarg(n), darg(in.Reception), darg(end))
		return end, nil
	}
	if in.Type == "mp" {
		if !in.SaisineCRRMP.IsZero() {
			n, err := d.integer(a.crrmp, in.Reception)
			if err != nil {
				return medconseil.Date{}, err
			}
			end := in.SaisineCRRMP.JoursFrancs(int(n), in.AlsaceMoselle)
			d.add("ATMP_DELAI_CRRMP", refR46110, "Saisine du CRRMP le %s : nouveau délai de %d jours francs, échéance le %s.", darg(in.SaisineCRRMP), iarg(n), darg(end))
			return end, nil
		}
		n, err := d.integer(a.decisionMP, in.Reception)
		if err != nil {
			return medconseil.Date{}, err
		}
		end := in.Reception.JoursFrancs(int(n), in.AlsaceMoselle)
		d.add("ATMP_DELAI_MP", refR4619, "Maladie professionnelle : %d jours francs à compter du %s pour statuer ou saisir le CRRMP, échéance le %s.", iarg(n), darg(in.Reception), darg(end))
		return end, nil
	}
	if in.Investigations {
		n, err := d.integer(a.instructionAT, in.Reception)
		if err != nil {
			return medconseil.Date{}, err
		}
		end := in.Reception.JoursFrancs(int(n), in.AlsaceMoselle)
		d.add("ATMP_DELAI_INVESTIGATIONS", refR4418, "Investigations engagées : décision dans les %d jours francs, échéance le %s.", iarg(n), darg(end))
		return end, nil
	}
	n, err := d.integer(a.decisionAT, in.Reception)
	if err != nil {
		return medconseil.Date{}, err
	}
	end := in.Reception.JoursFrancs(int(n), in.AlsaceMoselle)
	d.add("ATMP_DELAI_AT", refR4417, "Accident du travail : %d jours francs à compter du %s pour statuer ou engager des investigations, échéance le %s.", iarg(n), darg(in.Reception), darg(end))
	return end, nil
}

// deadlineOld is the regime before 1 December 2019: 30 days (AT) or 3 months (MP),
// extended by 2 or 3 months when an examination or an inquiry is needed (R441-10).
func (a *ATMP) deadlineOld(in *atmpInput, d *Decision) (medconseil.Date, error) {
	var end medconseil.Date
	if in.Type == "mp" {
		m, err := d.integer(a.oldMP, in.Reception)
		if err != nil {
			return end, err
		}
		end = in.Reception.AddMonths(int(m))
		if in.Investigations || !in.SaisineCRRMP.IsZero() {
			p, err := d.integer(a.oldProlMP, in.Reception)
			if err != nil {
				return end, err
			}
			end = end.AddMonths(int(p))
		}
	} else {
		n, err := d.integer(a.oldAT, in.Reception)
		if err != nil {
			return end, err
		}
		end = in.Reception.AddDays(int(n))
		if in.Investigations {
			p, err := d.integer(a.oldProlAT, in.Reception)
			if err != nil {
				return end, err
			}
			end = end.AddMonths(int(p))
		}
	}
	d.add("ATMP_DELAI_ANCIEN_REGIME", refR44110, "Déclaration reçue avant le 1er décembre 2019 : délai calendaire, échéance le %s.", darg(end))
	return end, nil
}

func (a *ATMP) evaluate(in *atmpInput, d *Decision) error {
	d.reset("atmp", in.Reception)
	var v *atmpVersion
	for i := len(a.versions) - 1; i >= 0; i-- {
		if !a.versions[i].since.After(in.Reception) {
			v = &a.versions[i]
			break
		}
	}
	if v == nil {
		return &medconseil.Error{Code: medconseil.EREGLE, Field: "date_reception", Message: "les délais d'instruction ne sont modélisés que pour les déclarations reçues à partir du 1er janvier 2010"}
	}
	d.Version = v.name
	d.add("ATMP_SANS_CARENCE", ref("Article L433-1 du code de la sécurité sociale", cssHref),
		"AT/MP : pas de délai de carence ; le jour de l'arrêt est payé par l'employeur, les IJ sont dues dès le lendemain.")
	if in.Type == "rechute" {
		d.add("ATMP_RECHUTE", refL4432, "Rechute ou aggravation après guérison ou consolidation : nouvelles prestations sur certificat médical, décision de la caisse sur l'imputabilité après avis du médecin-conseil.")
	}
	end, err := v.deadline(a, in, d)
	if err != nil {
		return err
	}
	d.result("echeance", "Échéance de la décision de la caisse", darg(end))
	silenceRefs := a.silenceRefs(in, v)
	switch {
	case !in.Decision.IsZero() && in.Decision.After(end):
		d.add("ATMP_RECONNAISSANCE_IMPLICITE", silenceRefs,
			"Décision du %s, après l'échéance du %s : le caractère professionnel (%s) est reconnu implicitement.", darg(in.Decision), darg(end), sarg(typeLabel(in.Type)))
		d.Outcome = "reconnaissance_implicite"
	case !in.Decision.IsZero():
		switch in.Sens {
		case "reconnaissance":
			d.add("ATMP_DECISION_RECONNAISSANCE", silenceRefs, "Décision de reconnaissance du %s, dans le délai (échéance le %s).", darg(in.Decision), darg(end))
			d.Outcome = "reconnu"
		case "refus":
			d.add("ATMP_DECISION_REFUS", silenceRefs, "Décision de refus du %s, dans le délai (échéance le %s) ; recours : CMRA pour un motif médical, CRA pour un motif administratif.", darg(in.Decision), darg(end))
			d.Outcome = "refuse"
		default:
			d.add("ATMP_DECISION_DANS_LE_DELAI", silenceRefs, "Décision du %s, dans le délai (échéance le %s) : pas de reconnaissance implicite.", darg(in.Decision), darg(end))
			d.Outcome = "decision_dans_le_delai"
		}
	case !in.Situation.IsZero() && in.Situation.After(end):
		d.add("ATMP_RECONNAISSANCE_IMPLICITE", silenceRefs,
			"Aucune décision notifiée au %s, après l'échéance du %s : le caractère professionnel (%s) est reconnu implicitement.", darg(in.Situation), darg(end), sarg(typeLabel(in.Type)))
		d.Outcome = "reconnaissance_implicite"
	case !in.Situation.IsZero():
		d.add("ATMP_DELAI_EN_COURS", silenceRefs, "Au %s, le délai de la caisse court encore jusqu'au %s.", darg(in.Situation), darg(end))
	default:
		d.add("ATMP_SITUATION_NON_DATEE", silenceRefs,
			"Ni décision ni date de situation : la reconnaissance implicite ne peut être jugée ; elle sera acquise si aucune décision n'est notifiée au %s.", darg(end))
	}
	if in.Type == "mp" && d.Outcome == "" {
		if err := a.recognition(in, d); err != nil {
			return err
		}
	}
	if d.Outcome == "" {
		d.Outcome = "en_instruction"
	}
	if !in.ArretDebut.IsZero() {
		if err := a.indemnites(in, d); err != nil {
			return err
		}
	}
	if in.CertificatFinal != "" {
		a.certificatFinal(in, d)
	}
	if in.HasTauxIP {
		if err := a.incapacite(in, d); err != nil {
			return err
		}
	}
	return nil
}

// silenceRefs: the article of the deadline that applies and R441-18 (silence means
// recognition): an accident never cites the occupational-disease articles.
func (a *ATMP) silenceRefs(in *atmpInput, v *atmpVersion) []Reference {
	if v.since.Before(medconseil.NewDate(2019, 12, 1)) {
		return ref("Article R441-10 du code de la sécurité sociale (ancien régime)", cssHref)
	}
	switch in.Type {
	case "mp":
		if !in.SaisineCRRMP.IsZero() {
			return refs(refR46110, refR44118)
		}
		return refs(refR4619, refR44118)
	case "rechute":
		return refs(refR44116, refR44118)
	}
	if in.Investigations {
		return refs(refR4418, refR44118)
	}
	return refs(refR4417, refR44118)
}

func typeLabel(t string) string {
	switch t {
	case "mp":
		return "maladie professionnelle"
	case "rechute":
		return "rechute ou nouvelle lésion"
	}
	return "accident du travail"
}

// indemnites computes the IJ AT/MP: no carence, 60 % of the salaire journalier de
// référence for days 1 to 28, 80 % from the 29th (R433-1, R433-3), the salaire capped
// at 0.834 % of the plafond annuel de la sécurité sociale (R433-2).
func (a *ATMP) indemnites(in *atmpInput, d *Decision) error {
	day := in.ArretDebut
	t1, err := d.num(a.ijTaux1, day)
	if err != nil {
		return err
	}
	t2, err := d.num(a.ijTaux2, day)
	if err != nil {
		return err
	}
	n1, err := d.integer(a.ijJours, day)
	if err != nil {
		return err
	}
	sj := in.SalaireJournalier
	if cap, err := d.num(a.plafondSJ, day); err == nil {
		if pass, err := d.num(a.pass, day); err == nil {
			// cap × pass in centimes
			capM := medconseil.Montant(cap.N*pass.N*100).MulRatio(1, cap.D*pass.D)
			if sj > capM {
				d.add("ATMP_SALAIRE_PLAFONNE", refIJATMP, "Salaire journalier de %s plafonné à %s %% du plafond annuel de la sécurité sociale, soit %s.", marg(sj), sarg(percent(cap)), marg(capM))
				sj = capM
			}
		}
	}
	ij1 := sj.MulRatio(t1.N, t1.D)
	ij2 := sj.MulRatio(t2.N, t2.D)
	days := int64(in.ArretFin.Sub(in.ArretDebut) + 1)
	d1 := min(days, n1)
	d2 := days - d1
	total := ij1*medconseil.Montant(d1) + ij2*medconseil.Montant(d2)
	d.add("ATMP_IJ", refIJATMP, "IJ AT/MP sans carence : %s %% du salaire journalier (%s) pendant %d jours, puis %s %% (%s) pour les %d jours suivants.",
		sarg(percent(t1)), marg(ij1), iarg(d1), sarg(percent(t2)), marg(ij2), iarg(d2))
	d.result("ij_atmp_28_premiers_jours", "IJ journalière des 28 premiers jours", marg(ij1))
	d.result("ij_atmp_apres_28_jours", "IJ journalière à partir du 29e jour", marg(ij2))
	d.result("montant_ij_atmp", "Montant brut des IJ AT/MP de la période", marg(total))
	return nil
}

// recognition applies L461-1: presumption for a tableau disease contracted in its
// conditions; CRRMP when a condition is missing; hors tableau, CRRMP only after death
// or with a foreseeable IP rate of at least 25 % (R461-8).
func (a *ATMP) recognition(in *atmpInput, d *Decision) error {
	set := func(o string) {
		if d.Outcome == "" {
			d.Outcome = o
		}
	}
	if in.Tableau {
		if in.ConditionsRemplies {
			d.add("ATMP_PRESOMPTION", refs(refL4611), "Maladie inscrite à un tableau et contractée dans ses conditions : présomption d'origine professionnelle.")
			set("presomption_origine")
			return nil
		}
		if in.ConditionManquante == "delai_prise_en_charge" && d.flag(a.sansCRRMPDelai, in.Reception) {
			d.add("ATMP_AVIS_MEDECINS_CONSEILS", refs(refL4611, ref("Loi n° 2025-1403 du 30 décembre 2025, article 95", "https://www.legifrance.gouv.fr/eli/loi/2025/12/30/2025-1403/jo/texte")),
				"Seul le délai de prise en charge du tableau n'est pas rempli : reconnaissance sur avis des médecins-conseils, sans CRRMP.")
			set("avis_medecins_conseils")
			return nil
		}
		d.add("ATMP_CRRMP_CONDITION_TABLEAU", refs(refL4611), "Maladie inscrite à un tableau mais une condition manque (%s) : saisine du CRRMP, sans condition de taux.", sarg(conditionLabel(in.ConditionManquante)))
		set("saisine_crrmp")
		return nil
	}
	seuil, err := d.num(a.seuilCRRMP, in.Reception)
	if err != nil {
		return err
	}
	// taux (percent) / 100 ≥ seuil ⇔ taux × seuil.D ≥ 100 × seuil.N
	if in.Deces {
		d.add("ATMP_CRRMP_HORS_TABLEAU", refR4618, "Maladie hors tableau ayant entraîné le décès : saisine du CRRMP.")
		set("saisine_crrmp")
		return nil
	}
	if in.HasTauxIPPrevisible && int64(in.TauxIPPrevisible)*seuil.D >= 100*seuil.N {
		d.add("ATMP_CRRMP_HORS_TABLEAU", refR4618, "Maladie hors tableau avec un taux d'incapacité permanente prévisible de %d %% (seuil %s %%) : saisine du CRRMP.", iarg(int64(in.TauxIPPrevisible)), sarg(percent(seuil)))
		set("saisine_crrmp")
		return nil
	}
	d.add("ATMP_HORS_TABLEAU_SOUS_SEUIL", refR4618, "Maladie hors tableau sans décès et avec un taux prévisible de %d %%, sous le seuil de %s %% : pas de saisine du CRRMP.", iarg(int64(in.TauxIPPrevisible)), sarg(percent(seuil)))
	set("non_reconnaissable")
	return nil
}

func conditionLabel(c string) string {
	switch c {
	case "delai_prise_en_charge":
		return "délai de prise en charge"
	case "duree_exposition":
		return "durée d'exposition"
	case "liste_travaux":
		return "liste limitative des travaux"
	}
	return "condition non précisée"
}

func (a *ATMP) certificatFinal(in *atmpInput, d *Decision) {
	set := func(o string) {
		if d.Outcome == "en_instruction" || d.Outcome == "reconnu" || d.Outcome == "reconnaissance_implicite" || d.Outcome == "presomption_origine" {
			d.Outcome = o
		}
	}
	switch in.CertificatFinal {
	case "guerison":
		d.add("ATMP_GUERISON", refL4331, "Certificat final de guérison : fin des IJ, pas d'incapacité permanente à évaluer.")
		set("guerison")
	case "guerison_apparente":
		d.add("ATMP_GUERISON_APPARENTE", refs(refL4331, refL4432), "Guérison apparente avec possibilité de rechute : fin des IJ ; une rechute sera prise en charge sur nouveau certificat.")
		set("guerison")
	case "consolidation_avec_sequelles":
		d.add("ATMP_CONSOLIDATION", refIP, "Consolidation avec séquelles : fin des IJ, le médecin-conseil évalue le taux d'incapacité permanente selon le barème indicatif.")
		if !in.HasTauxIP {
			d.add("ATMP_EVALUATION_IP_A_PROGRAMMER", refR43431,
				"Convocation du médecin-conseil pour l'évaluation du taux d'incapacité permanente à programmer (rapport du médecin-conseil, avis du médecin du travail si l'IP peut rendre inapte au poste).")
			d.result("evaluation_ip", "Évaluation du taux d'IP", sarg("à programmer"))
			set("consolidation_ip")
		}
		if !in.Consolidation.IsZero() {
			next := in.Consolidation.AddMonths(3)
			d.add("ATMP_EXAMENS_CONTROLE", refR4435,
				"Examens de contrôle après consolidation : tous les 3 mois pendant 2 ans (premier vers le %s), puis chaque année ; convocation au moins 6 jours avant.", darg(next))
			d.result("premier_examen_controle", "Premier examen de contrôle après consolidation", darg(next))
		}
	}
}

// incapacite: IP < 10 % gives an indemnité en capital, ≥ 10 % a rente computed on the
// taux utile (half of the rate up to 50 %, one and a half times above) (R434-1, R434-2).
func (a *ATMP) incapacite(in *atmpInput, d *Decision) error {
	seuil, err := d.num(a.seuilRente, in.Reception)
	if err != nil {
		return err
	}
	t := int64(in.TauxIP)
	if d.Outcome == "consolidation_ip" || d.Outcome == "en_instruction" || d.Outcome == "reconnu" || d.Outcome == "reconnaissance_implicite" || d.Outcome == "presomption_origine" {
		d.Outcome = "ip_fixee"
	}
	if t == 0 {
		d.add("ATMP_IP_NULLE", refIP, "Taux d'incapacité permanente de 0 %% : pas d'incapacité permanente, ni capital ni rente.")
		d.result("reparation", "Réparation de l'incapacité permanente", sarg("aucune"))
		return nil
	}
	if t*seuil.D < 100*seuil.N {
		d.add("ATMP_INDEMNITE_CAPITAL", refIP, "Taux d'incapacité permanente de %d %%, sous %s %% : indemnité en capital.", iarg(t), sarg(percent(seuil)))
		d.result("reparation", "Réparation de l'incapacité permanente", sarg("indemnite_capital"))
		return nil
	}
	// taux utile in tenths of a percent to stay exact.
	utile := min(t, 50) * 10 / 2
	if t > 50 {
		utile += (t - 50) * 15
	}
	d.add("ATMP_RENTE", refIP, "Taux d'incapacité permanente de %d %%, au moins %s %% : rente viagère sur un taux utile de %s %%.", iarg(t), sarg(percent(seuil)), rarg(newRat(utile, 10)))
	d.result("reparation", "Réparation de l'incapacité permanente", sarg("rente"))
	d.result("taux_utile_pour_mille", "Taux utile (‰)", iarg(utile))
	return nil
}

type atmpJSON struct {
	Type            string `json:"type"`
	DateReception   string `json:"date_reception"`
	Investigations  bool   `json:"investigations"`
	DateSaisine     string `json:"date_saisine_crrmp"`
	DateDecision    string `json:"date_decision"`
	AlsaceMoselle   bool   `json:"alsace_moselle"`
	CertificatFinal string `json:"certificat_final"`
	TauxIP          *int   `json:"taux_ip"`
	DateSituation   string `json:"date_situation"`
	SensDecision    string `json:"sens_decision"`
	DateConsolid    string `json:"date_consolidation"`
	Arret           *struct {
		Debut             string `json:"debut"`
		Fin               string `json:"fin"`
		SalaireJournalier string `json:"salaire_journalier"`
	} `json:"arret"`
	Maladie *struct {
		Tableau            bool   `json:"tableau"`
		ConditionsRemplies bool   `json:"conditions_remplies"`
		ConditionManquante string `json:"condition_manquante"`
		Deces              bool   `json:"deces"`
		TauxIPPrevisible   *int   `json:"taux_ip_previsible"`
	} `json:"maladie"`
}

func (a *ATMP) ruleSet() *ruleSet {
	return &ruleSet{name: "atmp", input: atmpJSON{}, title: "Accidents du travail et maladies professionnelles", labels: atmpLabels,
		eval: func(raw []byte, d *Decision) error {
			var j atmpJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			in := &atmpInput{}
			in.Type = f.enum("type", j.Type, true, "at", "mp", "rechute")
			in.Reception = f.date("date_reception", j.DateReception, true)
			in.Investigations = j.Investigations
			in.SaisineCRRMP = f.date("date_saisine_crrmp", j.DateSaisine, false)
			in.Decision = f.date("date_decision", j.DateDecision, false)
			in.AlsaceMoselle = j.AlsaceMoselle
			in.CertificatFinal = f.enum("certificat_final", j.CertificatFinal, false, "guerison", "guerison_apparente", "consolidation_avec_sequelles")
			in.Situation = f.date("date_situation", j.DateSituation, false)
			in.Sens = f.enum("sens_decision", j.SensDecision, false, "reconnaissance", "refus")
			if in.Sens != "" && j.DateDecision == "" {
				f.fail("sens_decision", "le sens d'une décision suppose sa date (date_decision)")
			}
			in.Consolidation = f.date("date_consolidation", j.DateConsolid, false)
			if !in.Decision.IsZero() && !in.Reception.IsZero() && in.Decision.Before(in.Reception) {
				f.fail("date_decision", "la décision (%s) précède la réception de la déclaration (%s)", in.Decision.Francais(), in.Reception.Francais())
			}
			if !in.Situation.IsZero() && !in.Reception.IsZero() && in.Situation.Before(in.Reception) {
				f.fail("date_situation", "la date de situation précède la réception de la déclaration")
			}
			if j.Arret != nil {
				in.ArretDebut = f.date("arret.debut", j.Arret.Debut, true)
				in.ArretFin = f.date("arret.fin", j.Arret.Fin, true)
				in.SalaireJournalier = f.montant("arret.salaire_journalier", j.Arret.SalaireJournalier, true)
				if !in.ArretDebut.IsZero() && !in.ArretFin.IsZero() && in.ArretFin.Before(in.ArretDebut) {
					f.fail("arret.fin", "la fin de l'arrêt précède son début")
				}
			}
			if j.TauxIP != nil {
				in.HasTauxIP, in.TauxIP = true, *j.TauxIP
				if *j.TauxIP < 0 || *j.TauxIP > 100 {
					f.fail("taux_ip", "taux en pourcentage entre 0 et 100")
				}
			}
			if in.HasTauxIP && in.TauxIP > 0 && (in.CertificatFinal == "guerison" || in.CertificatFinal == "guerison_apparente") {
				f.fail("taux_ip", "un taux d'incapacité permanente de %d %% contredit un certificat final de guérison (sans séquelles) : consolidation avec séquelles ?", in.TauxIP)
			}
			if !in.Consolidation.IsZero() && in.CertificatFinal == "" {
				f.fail("certificat_final", "une date de consolidation suppose les conclusions du certificat final")
			}
			if in.Type == "mp" {
				if j.Maladie == nil {
					f.fail("maladie", "obligatoire pour une maladie professionnelle (tableau, conditions, décès, taux prévisible)")
				} else {
					m := j.Maladie
					in.Tableau, in.ConditionsRemplies, in.Deces = m.Tableau, m.ConditionsRemplies, m.Deces
					in.ConditionManquante = f.enum("maladie.condition_manquante", m.ConditionManquante, false, "delai_prise_en_charge", "duree_exposition", "liste_travaux")
					if m.TauxIPPrevisible != nil {
						in.HasTauxIPPrevisible, in.TauxIPPrevisible = true, *m.TauxIPPrevisible
						if *m.TauxIPPrevisible < 0 || *m.TauxIPPrevisible > 100 {
							f.fail("maladie.taux_ip_previsible", "taux en pourcentage entre 0 et 100")
						}
					}
				}
			} else if j.Maladie != nil {
				f.fail("maladie", "réservé aux maladies professionnelles (type mp)")
			}
			if err := f.err(); err != nil {
				return err
			}
			return a.evaluate(in, d)
		}}
}
