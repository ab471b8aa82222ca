package rules

import (
	"sort"

	"medconseil"
)

// Prescripteur is who prescribed an arrêt or its prolongation (L162-4-4 CSS,
// R162-1-9-1 CSS for the exceptions).
type Prescripteur uint8

// Prescripteurs.
const (
	PrescripteurInitial  Prescripteur = iota + 1 // the prescriber of the initial arrêt
	MedecinTraitant                              // the médecin traitant
	SageFemme                                    // a sage-femme (prolongation since loi 2021-502)
	SageFemmeReferente                           // the sage-femme référente (téléconsultation exception)
	ChirurgienDentiste                           // a chirurgien-dentiste (prolongation since LFSS 2026)
	SpecialisteDemandeMT                         // a specialist consulted at the request of the médecin traitant
	Remplacant                                   // the remplaçant of the initial prescriber or of the médecin traitant
	Hospitalisation                              // prolongation during or after a hospitalisation
	AutrePrescripteur                            // anyone else
)

var prescripteurCodes = []string{"", "prescripteur_initial", "medecin_traitant", "sage_femme", "sage_femme_referente",
	"chirurgien_dentiste", "specialiste_sur_demande_mt", "remplacant", "hospitalisation", "autre"}

// Motif is the cause of an arrêt maladie when it changes the carence.
type Motif uint8

// Motifs.
const (
	Maladie               Motif = iota
	FausseCouche                // interruption spontanée de grossesse avant 22 SA (L323-1-2)
	InterruptionMedicale        // interruption de grossesse pour motif médical (L323-1-2 as extended by LFSS 2024 art. 64)
	GrossessePathologique       // no carence in CNAM practice
)

// AvisMC is the médecin-conseil's answer on IJ beyond 6 months (L324-1).
type AvisMC uint8

// Avis.
const (
	AvisAbsent AvisMC = iota
	AvisFavorable
	AvisDefavorable
)

// ArretMaladie is the arrêt (initial or prolongation) the decision is about.
type ArretMaladie struct {
	Debut, Fin                medconseil.Date // first and last day of incapacity covered by this prescription
	Prolongation              bool            // continues the last arrêt of the history
	DatePrescription          medconseil.Date // the avis was written on (defaults to Debut)
	DateEnvoi                 medconseil.Date // received by the caisse on (zero: on time)
	Teleconsultation          bool
	ImpossibiliteConsultation bool // the prescriber justifies that an in-person visit was impossible
	Prescripteur              Prescripteur
	ALD                       bool             // ALD or affection of L324-1 (long affection)
	Affection                 medconseil.CIM10 // the affection, to link arrêts for ALD rules
	Motif                     Motif
}

// ArretPasse is a previous arrêt maladie of the history.
type ArretPasse struct {
	Debut, Fin      medconseil.Date
	ALD             bool
	Affection       medconseil.CIM10
	JoursIndemnises int // IJ paid for this arrêt
}

// IJInput is what the ij rule set decides on. Historique is sorted by Debut.
type IJInput struct {
	Arret                 ArretMaladie
	Historique            []ArretPasse
	Immatriculation       medconseil.Date
	Heures3Mois           int
	Heures12Mois          int
	Cotisations6Mois      medconseil.Montant    // wages subject to contributions, 6 calendar months before
	Cotisations12Mois     medconseil.Montant    // 12 months before
	Salaires3DerniersMois medconseil.Montant    // gross wages of the 3 months before the arrêt
	Paies                 [3]medconseil.Montant // the 3 monthly paies before the arrêt; zero: Salaires3DerniersMois split in three
	EnfantsACharge        int                   // dependent children (2/3 rate from the 31st day until 2020)
	EnvoiTardifPrecedent  medconseil.Date       // a previous late sending was notified on (zero: none)
	EnvoiTardifExcuse     bool                  // hospitalised, or sending in time was impossible (D323-2)
	AvisMedecinConseil    AvisMC
}

// IJ is the rule set of the indemnités journalières maladie of employees
// (L321-1, L323-1 and following, R313-3, R323-1 and following CSS), compiled against
// its parameters once so that evaluation does not look names up nor allocate.
type IJ struct {
	carence, maxHorsALD, periodeHorsALD, dureeALD, repriseALD, carenceALD, repriseProlongation *Parameter
	sansCarenceFC, heures6, heures12, smic6, smic12, immat, plafond, taux, diviseur            *Parameter
	tele, envoi, envoiPeriode, envoiReduction, avisMC, sageFemme, dentiste, smicH, smicDuree   *Parameter
	sansCarenceIMG, pmss, tauxMajore, tauxMajoreJour, tauxMajoreEnfants                        *Parameter
	versions                                                                                   []ijVersion
}

// ijVersion is the logic in force from a date of prescription on.
type ijVersion struct {
	since medconseil.Date
	name  string
	steps []ijStep
}

// ijStep names a step of the logic; steps are dispatched by a switch rather than
// through function values so that the evaluation state stays on the stack.
type ijStep uint8

const (
	stepCarence ijStep = iota
	stepOuverture
	stepPrescripteur
	stepTeleconsultation
	stepDureeMax
	stepMontant
	stepEnvoi
)

func (g *IJ) run(s ijStep, st *ijState) error {
	switch s {
	case stepCarence:
		return g.carenceStep(st)
	case stepOuverture:
		return g.ouvertureStep(st)
	case stepPrescripteur:
		return g.prescripteurStep(st)
	case stepTeleconsultation:
		return g.teleconsultationStep(st)
	case stepDureeMax:
		return g.dureeMaxStep(st)
	case stepMontant:
		return g.montantStep(st)
	case stepEnvoi:
		return g.envoiStep(st)
	}
	return nil
}

// ijState is the evaluation in progress.
type ijState struct {
	in          *IJInput
	d           *Decision
	chainStart  medconseil.Date // start of the continuous incapacity (prolongations joined)
	first, last medconseil.Date // payable days
	prev        *ArretPasse     // the arrêt this one prolongs
	ij          medconseil.Montant
	ijMajoree   medconseil.Montant // 2/3 rate from majoreFrom (zero: none)
	majoreFrom  medconseil.Date
	stop        bool // nothing payable any more
}

var (
	refR3231      = ref("Article R323-1 du code de la sécurité sociale", cssHref)
	refL3231      = ref("Article L323-1 du code de la sécurité sociale", cssHref)
	refR3133      = ref("Article R313-3 du code de la sécurité sociale", cssHref)
	refR3234      = ref("Article R323-4 du code de la sécurité sociale", cssHref)
	refL16244     = ref("Article L162-4-4 du code de la sécurité sociale", cssHref)
	refR162191    = ref("Article R162-1-9-1 du code de la sécurité sociale", cssHref)
	refL3241      = ref("Article L324-1 du code de la sécurité sociale", cssHref)
	refR3212      = ref("Article R321-2 du code de la sécurité sociale", cssHref)
	refD3232      = refs(ref("Article D323-2 du code de la sécurité sociale", cssHref), ref("Décret n° 2004-1454 du 23 décembre 2004", "https://www.legifrance.gouv.fr/eli/decret/2004/12/23/2004-1454/jo/texte"))
	refPratiqueCN = ref("Pratique CNAM — Book Sécu 2022 (groupe VYV), p. 138", "https://www.groupe-vyv.fr/")
	refL32312     = ref("Article L323-1-2 du code de la sécurité sociale", cssHref)
	refCarencePro = refs(refR3231, refPratiqueCN)
	refProlong    = refs(refL16244, refR162191)
	refDuree      = refs(refL3231, refR3231)
	refEnvoi      = refs(refR3212, refD3232)
)

const (
	cssHref = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006073189"
	cspHref = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072665"
)

func newIJ(r *resolver) *IJ {
	g := &IJ{
		carence: r.get("ij/delai_carence"), maxHorsALD: r.get("ij/duree_max_hors_ald"),
		periodeHorsALD: r.get("ij/periode_max_hors_ald_ans"), dureeALD: r.get("ij/duree_ald_ans"),
		repriseALD: r.get("ij/reprise_reouverture_ald_ans"), carenceALD: r.get("ij/carence_ald_periode_ans"),
		repriseProlongation: r.get("ij/reprise_max_prolongation_heures"), sansCarenceFC: r.get("ij/sans_carence_fausse_couche"),
		heures6: r.get("ij/heures_6_mois"), heures12: r.get("ij/heures_12_mois"),
		smic6: r.get("ij/smic_multiple_6_mois"), smic12: r.get("ij/smic_multiple_12_mois"),
		immat: r.get("ij/immatriculation_mois"), plafond: r.get("ij/plafond_smic_multiple"),
		taux: r.get("ij/taux"), diviseur: r.get("ij/diviseur_salaire_journalier"),
		tele: r.get("ij/teleconsultation_max_jours"), envoi: r.get("ij/envoi_avis_jours"),
		envoiPeriode: r.get("ij/envoi_tardif_periode_mois"), envoiReduction: r.get("ij/envoi_tardif_reduction"),
		avisMC: r.get("ij/avis_medecin_conseil_mois"), sageFemme: r.get("ij/prolongation_sage_femme"),
		dentiste: r.get("ij/prolongation_chirurgien_dentiste"),
		smicH:    r.get("smic/horaire_brut"), smicDuree: r.get("smic/duree_mensuelle_heures"),
		sansCarenceIMG: r.get("ij/sans_carence_img"), pmss: r.get("ij/plafond_mensuel_securite_sociale"),
		tauxMajore: r.get("ij/taux_majore_3_enfants"), tauxMajoreJour: r.get("ij/taux_majore_jour"),
		tauxMajoreEnfants: r.get("ij/taux_majore_enfants_min"),
	}
	common := []ijStep{stepCarence, stepOuverture, stepPrescripteur}
	tail := []ijStep{stepDureeMax, stepMontant, stepEnvoi}
	g.versions = []ijVersion{
		{since: medconseil.NewDate(2010, 1, 1), name: "ij-2010 : plafond de chaque paie au plafond mensuel de la sécurité sociale (R323-4, version 2010)",
			steps: concat(common, tail)},
		{since: medconseil.NewDate(2012, 1, 1), name: "ij-2012 : plafond en SMIC mensuel (R323-4), sans limite de téléconsultation",
			steps: concat(common, tail)},
		{since: medconseil.NewDate(2024, 1, 1), name: "ij-2024 : limite des arrêts prescrits en téléconsultation (LFSS 2024, art. 65)",
			steps: concat(common, []ijStep{stepTeleconsultation}, tail)},
	}
	return g
}

func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Outcomes of the ij rule set.
const (
	IJIndemnisable          = "indemnisable"
	IJPartiel               = "indemnisable_partiellement"
	IJNonIndemnisable       = "non_indemnisable"
	IJAvisMedecinConseilReq = "avis_medecin_conseil_requis"
)

var ijLabels = map[string]string{
	IJIndemnisable:          "IJ versées pour toute la période prescrite",
	IJPartiel:               "IJ versées pour une partie de la période prescrite",
	IJNonIndemnisable:       "Pas d'IJ pour cette prescription",
	IJAvisMedecinConseilReq: "IJ au-delà de 6 mois subordonnées à l'avis du médecin-conseil",
}

// Evaluate decides on in, into d (whose buffers are reused). The version of the logic
// is the one in force on the date of prescription; parameter values are read on the
// dates each article names (start of the arrêt for the ceiling, start of the reference
// periods for the SMIC).
func (g *IJ) Evaluate(in *IJInput, d *Decision) error {
	a := &in.Arret
	d.reset("ij", a.Debut)
	presc := a.DatePrescription
	if presc.IsZero() {
		presc = a.Debut
	}
	var v *ijVersion
	for i := len(g.versions) - 1; i >= 0; i-- {
		if !g.versions[i].since.After(presc) {
			v = &g.versions[i]
			break
		}
	}
	if v == nil {
		return &medconseil.Error{Code: medconseil.EREGLE, Field: "arret.date_prescription",
			Message: "les règles des IJ ne sont modélisées que pour les arrêts prescrits à partir du 1er janvier 2010"}
	}
	d.Version = v.name
	st := ijState{in: in, d: d, first: a.Debut, last: a.Fin, chainStart: a.Debut}
	// The continuous incapacity: prolongations joined backwards (R323-1, "arrêt de
	// travail continu" for the 6-month threshold).
	if a.Prolongation && len(in.Historique) > 0 {
		st.prev = &in.Historique[len(in.Historique)-1]
		start := a.Debut
		for i := len(in.Historique) - 1; i >= 0; i-- {
			h := &in.Historique[i]
			if start.Sub(h.Fin) <= 3 { // at most 48 h of reprise between the two
				if h.Debut.Before(start) {
					start = h.Debut
				}
				continue
			}
			break
		}
		st.chainStart = start
	}
	for _, step := range v.steps {
		if err := g.run(step, &st); err != nil {
			return err
		}
		if st.stop {
			break
		}
	}
	g.outcome(&st)
	return nil
}

func (g *IJ) outcome(st *ijState) {
	d, a := st.d, &st.in.Arret
	days := int64(0)
	if !st.stop && !st.last.Before(st.first) {
		days = int64(st.last.Sub(st.first) + 1)
	}
	if days > 0 {
		d.result("premier_jour_indemnise", "Premier jour indemnisé", darg(st.first))
		d.result("dernier_jour_indemnise", "Dernier jour indemnisé", darg(st.last))
	}
	d.result("jours_indemnisables", "Jours indemnisables", iarg(days))
	if d.Outcome != "" {
		return
	}
	switch {
	case days == 0:
		d.Outcome = IJNonIndemnisable
	case st.last.Before(a.Fin):
		d.Outcome = IJPartiel
	default:
		d.Outcome = IJIndemnisable
	}
}

// carenceStep applies the 3 days of carence (R323-1 1°) unless: a prolongation after
// at most 48 h of reprise (CNAM practice), a miscarriage before 22 SA (L323-1-2), or an
// arrêt for a long affection that already bore the carence within 3 years (R323-1 1°).
func (g *IJ) carenceStep(st *ijState) error {
	a, d := &st.in.Arret, st.d
	if a.Prolongation {
		if st.prev == nil {
			return medconseil.FieldErrorf("historique", "une prolongation suppose l'arrêt prolongé dans l'historique")
		}
		h, err := d.integer(g.repriseProlongation, a.Debut)
		if err != nil {
			return err
		}
		reprise := int64(a.Debut.Sub(st.prev.Fin)-1) * 24
		if reprise < 0 {
			reprise = 0
		}
		if reprise <= h {
			d.add("IJ_SANS_CARENCE_PROLONGATION", refCarencePro,
				"Prolongation de l'arrêt du %s sans reprise de plus de %d heures : pas de nouveau délai de carence.", darg(st.prev.Debut), iarg(h))
			return nil
		}
		d.add("IJ_REPRISE_SUPERIEURE_48H", refCarencePro,
			"Reprise de %d heures avant cette prolongation, plus de %d heures : l'arrêt est traité comme un nouvel arrêt.", iarg(reprise), iarg(h))
	}
	if a.Motif == FausseCouche && d.flag(g.sansCarenceFC, a.Debut) {
		d.add("IJ_SANS_CARENCE_FAUSSE_COUCHE", refL32312,
			"Arrêt consécutif à une interruption spontanée de grossesse avant 22 semaines d'aménorrhée : pas de délai de carence.")
		return nil
	}
	if a.Motif == InterruptionMedicale && d.flag(g.sansCarenceIMG, a.Debut) {
		d.add("IJ_SANS_CARENCE_IMG", refL32312,
			"Arrêt consécutif à une interruption de grossesse pour motif médical : pas de délai de carence.")
		return nil
	}
	if a.Motif == GrossessePathologique {
		d.add("IJ_SANS_CARENCE_GROSSESSE", refPratiqueCN, "Arrêt pour grossesse pathologique : pas de délai de carence.")
		return nil
	}
	if a.ALD && a.Affection != "" {
		if per, ok := g.carenceALD.At(a.Debut); ok && per.Value.Kind == Number {
			d.used(g.carenceALD, per)
			years := int(per.Value.Num.Int())
			// The first arrêt for the affection opens a period of 3 years; an arrêt
			// starting after its end bears the carence and opens a new one (R323-1 1°,
			// arrêts starting from 1 January 2012).
			var opened medconseil.Date
			for i := range st.in.Historique {
				h := &st.in.Historique[i]
				if !h.ALD || h.Affection != a.Affection || !h.Debut.Before(a.Debut) || h.Debut.Before(per.Start) {
					continue
				}
				if opened.IsZero() || !h.Debut.Before(opened.AddYears(years)) {
					opened = h.Debut
				}
			}
			if !opened.IsZero() && a.Debut.Before(opened.AddYears(years)) {
				d.add("IJ_CARENCE_ALD_DEJA_APPLIQUEE", refR3231,
					"Affection de longue durée : la période de %d ans ouverte par l'arrêt du %s (qui a supporté la carence) court jusqu'au %s ; pas de nouveau délai de carence.",
					iarg(int64(years)), darg(opened), darg(opened.AddYears(years).AddDays(-1)))
				return nil
			}
			if !opened.IsZero() {
				d.add("IJ_CARENCE_ALD_NOUVELLE_PERIODE", refR3231,
					"Affection de longue durée : la période de %d ans ouverte le %s a pris fin le %s ; cet arrêt supporte la carence et ouvre une nouvelle période.",
					iarg(int64(years)), darg(opened), darg(opened.AddYears(years).AddDays(-1)))
			}
		}
	}
	n, err := d.integer(g.carence, a.Debut)
	if err != nil {
		return err
	}
	st.first = a.Debut.AddDays(int(n))
	d.add("IJ_CARENCE", refR3231, "Délai de carence de %d jours : les IJ sont dues à partir du %s.", iarg(n), darg(st.first))
	if st.first.After(a.Fin) {
		d.add("IJ_CARENCE_TOTALE", refR3231, "L'arrêt ne dépasse pas le délai de carence : aucune IJ n'est due.")
		st.stop = true
	}
	return nil
}

// smicAt returns the SMIC horaire in force on day, traced.
func (g *IJ) smicAt(d *Decision, day medconseil.Date) (Rat, error) { return d.num(g.smicH, day) }

// atLeast reports whether m ≥ mult × smic (euros), exactly.
func atLeast(m medconseil.Montant, mult, smic Rat) bool {
	// m (centimes) ≥ mult × smic × 100
	return int64(m)*mult.D*smic.D >= mult.N*smic.N*100
}

// ouvertureStep checks the opening conditions of R313-3 CSS: 150 h over 3 months or
// contributions on 1 015 SMIC horaires over 6 months; beyond 6 months of arrêt, 12
// months of registration and 600 h or 2 030 SMIC horaires over 12 months, and the
// médecin-conseil's avis (L324-1).
func (g *IJ) ouvertureStep(st *ijState) error {
	in, d := st.in, st.d
	start := st.chainStart
	h6, err := d.integer(g.heures6, start)
	if err != nil {
		return err
	}
	m6, err := d.num(g.smic6, start)
	if err != nil {
		return err
	}
	s6, err := g.smicAt(d, start.AddMonths(-6))
	if err != nil {
		return err
	}
	if int64(in.Heures3Mois) < h6 && !atLeast(in.Cotisations6Mois, m6, s6) {
		d.add("IJ_DROITS_NON_OUVERTS", refR3133,
			"Conditions d'ouverture non remplies : %d heures sur 3 mois (il en faut %d) et cotisations de %s sur 6 mois (il faut %s SMIC horaires).",
			iarg(int64(in.Heures3Mois)), iarg(h6), marg(in.Cotisations6Mois), rarg(m6))
		st.stop = true
		return nil
	}
	d.add("IJ_DROITS_OUVERTS", refR3133, "Conditions d'ouverture des droits remplies pour un arrêt de 6 mois au plus.")
	months, err := d.integer(g.avisMC, start)
	if err != nil {
		return err
	}
	sixEnd := start.AddMonths(int(months)).AddDays(-1)
	if !st.last.After(sixEnd) {
		return nil
	}
	// Beyond 6 months of continuous arrêt.
	im, err := d.integer(g.immat, start)
	if err != nil {
		return err
	}
	h12, err := d.integer(g.heures12, start)
	if err != nil {
		return err
	}
	m12, err := d.num(g.smic12, start)
	if err != nil {
		return err
	}
	s12, err := g.smicAt(d, start.AddMonths(-12))
	if err != nil {
		return err
	}
	immatOK := !in.Immatriculation.IsZero() && !in.Immatriculation.After(start.AddMonths(-int(im)))
	if !immatOK || (int64(in.Heures12Mois) < h12 && !atLeast(in.Cotisations12Mois, m12, s12)) {
		d.add("IJ_DROITS_6_MOIS_NON_OUVERTS", refR3133,
			"Au-delà de 6 mois d'arrêt, il faut %d mois d'immatriculation et %d heures sur 12 mois ou des cotisations sur %s SMIC horaires : IJ limitées au %s.",
			iarg(im), iarg(h12), rarg(m12), darg(sixEnd))
		st.clip(sixEnd)
		return nil
	}
	d.add("IJ_DROITS_6_MOIS_OUVERTS", refR3133,
		"Arrêt de plus de %d mois : conditions remplies au %s (immatriculation depuis le %s, au moins %d mois ; %d heures sur 12 mois ou cotisations d'au moins %s SMIC horaires).",
		iarg(months), darg(start), darg(in.Immatriculation), iarg(im), iarg(int64(in.Heures12Mois)), rarg(m12))
	switch in.AvisMedecinConseil {
	case AvisFavorable:
		d.add("IJ_AVIS_MEDECIN_CONSEIL_FAVORABLE", refL3241,
			"Arrêt de plus de %d mois : le médecin-conseil a donné un avis favorable à la poursuite des IJ.", iarg(months))
	case AvisDefavorable:
		d.add("IJ_AVIS_MEDECIN_CONSEIL_DEFAVORABLE", refL3241,
			"Arrêt de plus de %d mois : avis défavorable du médecin-conseil, IJ limitées au %s.", iarg(months), darg(sixEnd))
		st.clip(sixEnd)
	default:
		d.add("IJ_AVIS_MEDECIN_CONSEIL_REQUIS", refL3241,
			"Arrêt de plus de %d mois : les IJ après le %s nécessitent l'avis du médecin-conseil (examen spécial).", iarg(months), darg(sixEnd))
		d.Outcome = IJAvisMedecinConseilReq
		st.clip(sixEnd)
	}
	return nil
}

func (st *ijState) clip(last medconseil.Date) {
	if last.Before(st.last) {
		st.last = last
	}
	if st.last.Before(st.first) {
		st.stop = true
	}
}

// prescripteurStep: a prolongation is paid only when prescribed by the initial
// prescriber or the médecin traitant, a sage-femme, a chirurgien-dentiste (L162-4-4),
// or in the cases of R162-1-9-1 (specialist at the médecin traitant's request,
// remplaçant, hospitalisation), or when the impossibility is justified.
func (g *IJ) prescripteurStep(st *ijState) error {
	a, d := &st.in.Arret, st.d
	if !a.Prolongation {
		return nil
	}
	presc := a.DatePrescription
	if presc.IsZero() {
		presc = a.Debut
	}
	ok := false
	switch a.Prescripteur {
	case PrescripteurInitial, MedecinTraitant:
		ok = true
	case SageFemme, SageFemmeReferente:
		ok = d.flag(g.sageFemme, presc)
	case ChirurgienDentiste:
		ok = d.flag(g.dentiste, presc)
	case SpecialisteDemandeMT, Remplacant, Hospitalisation:
		d.add("IJ_PROLONGATION_EXCEPTION", refR162191,
			"Prolongation prescrite par un autre médecin dans un cas prévu par l'article R162-1-9-1 (%s).", sarg(prescripteurCodes[a.Prescripteur]))
		return nil
	default:
		ok = a.ImpossibiliteConsultation
	}
	if ok {
		d.add("IJ_PROLONGATION_PRESCRIPTEUR_ADMIS", refL16244, "Prolongation prescrite par un prescripteur admis (%s).", sarg(prescripteurCodes[a.Prescripteur]))
		return nil
	}
	d.add("IJ_PROLONGATION_PRESCRIPTEUR", refProlong,
		"Prolongation prescrite par un prescripteur qui n'est ni l'auteur de l'arrêt initial ni le médecin traitant, sans impossibilité justifiée : les IJ ne sont pas maintenues.")
	st.stop = true
	return nil
}

// teleconsultationStep: from 1 January 2024, an arrêt prescribed or renewed by
// téléconsultation is paid for 3 days at most, counted from the start of the arrêt,
// unless prescribed by the médecin traitant or the sage-femme référente, or for a
// prolongation when an in-person visit was impossible (LFSS 2024 art. 65; L162-4-4).
func (g *IJ) teleconsultationStep(st *ijState) error {
	a, d := &st.in.Arret, st.d
	if !a.Teleconsultation {
		return nil
	}
	presc := a.DatePrescription
	if presc.IsZero() {
		presc = a.Debut
	}
	per, ok := g.tele.At(presc)
	if !ok {
		return nil
	}
	d.used(g.tele, per)
	refsTele := per.References
	if a.Prescripteur == MedecinTraitant || a.Prescripteur == SageFemmeReferente {
		d.add("IJ_TELECONSULTATION_MEDECIN_TRAITANT", refsTele,
			"Arrêt prescrit en téléconsultation par le médecin traitant ou la sage-femme référente : pas de limite de durée.")
		return nil
	}
	if a.Prolongation && a.ImpossibiliteConsultation {
		d.add("IJ_TELECONSULTATION_IMPOSSIBILITE", refsTele,
			"Prolongation en téléconsultation avec impossibilité justifiée de consulter en présentiel : pas de limite de durée.")
		return nil
	}
	n := per.Value.Num.Int()
	max := st.chainStart.AddDays(int(n) - 1)
	if st.last.After(max) {
		d.add("IJ_TELECONSULTATION_LIMITE", refsTele,
			"Arrêt prescrit en téléconsultation hors médecin traitant : IJ limitées à %d jours d'arrêt, soit jusqu'au %s.", iarg(n), darg(max))
		st.clip(max)
	}
	return nil
}

// dureeMaxStep applies the maximum durations: 360 IJ over any 3 consecutive years
// (L323-1 2°, R323-1 4°), or for a long affection 3 years per affection from date to
// date, a new period opening after 1 year back at work (L323-1 1°, R323-1 2° and 3°).
// The 360-day count is made on the first payable day of the arrêt.
func (g *IJ) dureeMaxStep(st *ijState) error {
	in, d := st.in, st.d
	a := &in.Arret
	if a.ALD {
		years, err := d.integer(g.dureeALD, a.Debut)
		if err != nil {
			return err
		}
		reprise, err := d.integer(g.repriseALD, a.Debut)
		if err != nil {
			return err
		}
		periodStart := st.chainStart
		var lastFin medconseil.Date
		// Walk the arrêts of the same affection: a reprise of at least one year opens
		// a new period.
		for i := range in.Historique {
			h := &in.Historique[i]
			if !h.ALD || h.Affection != a.Affection || !h.Debut.Before(a.Debut) {
				continue
			}
			if lastFin.IsZero() || !h.Debut.Before(lastFin.AddYears(int(reprise)).AddDays(1)) {
				periodStart = h.Debut
			}
			lastFin = h.Fin
		}
		if !lastFin.IsZero() && !a.Debut.Before(lastFin.AddYears(int(reprise)).AddDays(1)) {
			periodStart = a.Debut
			d.add("IJ_ALD_NOUVELLE_PERIODE", refR3231,
				"Reprise du travail d'au moins %d an depuis le dernier arrêt pour cette affection : une nouvelle période de %d ans s'ouvre.", iarg(reprise), iarg(years))
		}
		end := periodStart.AddYears(int(years)).AddDays(-1)
		if st.first.After(end) {
			d.add("IJ_ALD_3_ANS_EPUISES", refDuree,
				"Affection de longue durée : la période de %d ans ouverte le %s a pris fin le %s.", iarg(years), darg(periodStart), darg(end))
			st.stop = true
			return nil
		}
		if st.last.After(end) {
			d.add("IJ_ALD_3_ANS_ATTEINT", refDuree,
				"Affection de longue durée : IJ versées jusqu'au %s, fin de la période de %d ans ouverte le %s.", darg(end), iarg(years), darg(periodStart))
			st.clip(end)
			return nil
		}
		d.add("IJ_ALD_PERIODE", refDuree,
			"Affection de longue durée : période de %d ans ouverte le %s, jusqu'au %s.", iarg(years), darg(periodStart), darg(end))
		return nil
	}
	max, err := d.integer(g.maxHorsALD, st.first)
	if err != nil {
		return err
	}
	years, err := d.integer(g.periodeHorsALD, st.first)
	if err != nil {
		return err
	}
	// The 360 IJ are counted over any period of 3 consecutive years (R323-1 4°): on
	// each payable day t, the IJ paid in the 3 years ending on t (history and the days
	// of this arrêt before t) must stay under the maximum. The IJ paid for a past arrêt
	// are its last days (the carence comes first).
	paid := func(from, to medconseil.Date) int64 {
		n := int64(0)
		for i := range in.Historique {
			h := &in.Historique[i]
			if h.ALD || h.JoursIndemnises <= 0 {
				continue
			}
			ps := h.Fin.AddDays(1 - h.JoursIndemnises)
			lo, hi := ps, h.Fin
			if lo.Before(from) {
				lo = from
			}
			if hi.After(to) {
				hi = to
			}
			if !hi.Before(lo) {
				n += int64(hi.Sub(lo) + 1)
			}
		}
		return n
	}
	windowStart := func(t medconseil.Date) medconseil.Date { return t.AddYears(-int(years)).AddDays(1) }
	from := windowStart(st.first)
	used := paid(from, st.first.AddDays(-1))
	payable := int64(st.last.Sub(st.first) + 1)
	if paid(from, st.last)+payable <= max {
		d.add("IJ_360_DECOMPTE", refDuree,
			"%d IJ versées dans les %d ans précédant le %s ; avec cette période le maximum de %d IJ sur toute période de %d ans consécutifs n'est pas atteint.",
			iarg(used), iarg(years), darg(st.first), iarg(max), iarg(years))
		return nil
	}
	// Day by day: the window slides, an old IJ leaves it as a new one enters.
	var stopAt, resume medconseil.Date
	own := int64(0)
	for t := st.first; !t.After(st.last); t = t.AddDays(1) {
		w := windowStart(t)
		n := paid(w, t.AddDays(-1))
		if own > 0 {
			lo := st.first
			if lo.Before(w) {
				lo = w
			}
			n += min(own, int64(t.Sub(lo)))
		}
		if n >= max {
			if stopAt.IsZero() {
				stopAt = t
			}
			continue
		}
		if !stopAt.IsZero() {
			resume = t
			break
		}
		own++
	}
	if stopAt.IsZero() {
		d.add("IJ_360_DECOMPTE", refDuree,
			"%d IJ versées dans les %d ans précédant le %s ; la période glissante de %d ans libère chaque jour une IJ ancienne : le maximum de %d IJ n'est pas atteint pendant cet arrêt.",
			iarg(used), iarg(years), darg(st.first), iarg(years), iarg(max))
		return nil
	}
	if stopAt == st.first {
		d.add("IJ_360_ATTEINT", refDuree,
			"%d IJ déjà versées dans les %d ans précédant le %s : le maximum de %d IJ sur toute période de %d ans consécutifs est atteint.",
			iarg(used), iarg(years), darg(st.first), iarg(max), iarg(years))
		st.stop = true
	} else {
		d.add("IJ_360_LIMITE", refDuree,
			"Maximum de %d IJ sur toute période de %d ans consécutifs atteint le %s : IJ versées jusqu'au %s.",
			iarg(max), iarg(years), darg(stopAt), darg(stopAt.AddDays(-1)))
		st.clip(stopAt.AddDays(-1))
	}
	if !resume.IsZero() {
		d.add("IJ_360_REPRISE", refDuree,
			"D'anciennes IJ sortent de la période glissante de %d ans : les IJ redeviennent possibles à partir du %s, dans cette prescription.", iarg(years), darg(resume))
		d.result("reprise_possible_le", "IJ de nouveau possibles à partir du", darg(resume))
	}
	return nil
}

// montantStep computes the daily IJ: 50 % (R323-5) of the salaire journalier de base,
// the 3 monthly paies before the arrêt divided by 91.25 (90 before 1 December 2010),
// each paie capped first (R323-4 : « lors de chaque paie ») at the plafond mensuel de
// la sécurité sociale until 2011, then at a multiple of the SMIC mensuel (hourly × 35 ×
// 52 / 12) in force on the last day of the month before the arrêt: 1.8 SMIC, 1.4 SMIC
// for arrêts starting from 1 April 2025 (décret 2025-160). Until 30 June 2020 the rate
// was 2/3 from the 31st day for an assuré with three dependent children (LFSS 2020
// art. 85). Exact integer arithmetic, rounded to the centime.
func (g *IJ) montantStep(st *ijState) error {
	in, d := st.in, st.d
	start := st.chainStart
	// Monthly cap as a fraction capN/capD of centimes.
	var capN, capD int64
	var mult Rat // zero: the plafond mensuel de la sécurité sociale
	if _, ok := g.plafond.At(start); ok {
		m, err := d.num(g.plafond, start)
		if err != nil {
			return err
		}
		mult = m
		smicDay := medconseil.NewDate(start.Year(), start.Month(), 1).AddDays(-1)
		smic, err := d.num(g.smicH, smicDay)
		if err != nil {
			return err
		}
		hours, err := d.num(g.smicDuree, smicDay)
		if err != nil {
			return err
		}
		capN, capD = mult.N*smic.N*hours.N*100, mult.D*smic.D*hours.D
	} else {
		pm, err := d.num(g.pmss, start)
		if err != nil {
			return err
		}
		capN, capD = pm.N*100, pm.D
	}
	taux, err := d.num(g.taux, start)
	if err != nil {
		return err
	}
	div, err := d.num(g.diviseur, start)
	if err != nil {
		return err
	}
	paies := in.Paies
	if paies == [3]medconseil.Montant{} {
		t := in.Salaires3DerniersMois
		paies = [3]medconseil.Montant{t / 3, t / 3, t - 2*(t/3)}
		d.add("IJ_PAIES_NON_DETAILLEES", refR3234,
			"Paies non détaillées : le total de %s est réparti en trois paies égales pour appliquer le plafond à chaque paie.", marg(t))
	}
	// Sum of the capped paies, as baseN/capD centimes.
	baseN := int64(0)
	capped := 0
	for _, p := range paies {
		if int64(p)*capD > capN {
			baseN += capN
			capped++
		} else {
			baseN += int64(p) * capD
		}
	}
	capM := medconseil.Montant(capN).MulRatio(1, capD)
	total := paies[0] + paies[1] + paies[2]
	retained := medconseil.Montant(baseN).MulRatio(1, capD)
	switch {
	case capped > 0 && mult.D == 0:
		d.add("IJ_PLAFOND_APPLIQUE", g.plafondRefs(start),
			"%d paie(s) sur 3 au-dessus du plafond mensuel de la sécurité sociale (%s par paie) : chacune est plafonnée avant le total (salaires de %s, %s retenus).",
			iarg(int64(capped)), marg(capM), marg(total), marg(retained))
	case capped > 0:
		d.add("IJ_PLAFOND_APPLIQUE", g.plafondRefs(start),
			"%d paie(s) sur 3 au-dessus du plafond de %s SMIC mensuel par paie (%s) : chacune est plafonnée avant le total (salaires de %s, %s retenus).",
			iarg(int64(capped)), rarg(mult), marg(capM), marg(total), marg(retained))
	case mult.D == 0:
		d.add("IJ_SALAIRE_RETENU", g.plafondRefs(start),
			"Chaque paie des 3 derniers mois est sous le plafond mensuel de la sécurité sociale (%s) : salaires retenus %s.", marg(capM), marg(total))
	default:
		d.add("IJ_SALAIRE_RETENU", g.plafondRefs(start),
			"Chaque paie des 3 derniers mois est sous le plafond de %s SMIC mensuel par paie (%s) : salaires retenus %s.", rarg(mult), marg(capM), marg(total))
	}
	d.add("IJ_DIVISEUR", refR3234, "Salaire journalier de base : 1/%s des salaires retenus ; IJ de %s %% de ce salaire.", rarg(div), sarg(percent(taux)))
	// IJ = base × taux / div = baseN × taux.N × div.D / (capD × taux.D × div.N)
	st.ij = medconseil.Montant(baseN).MulRatio(taux.N*div.D, capD*taux.D*div.N)
	d.result("plafond_par_paie", "Plafond de chaque paie", marg(capM))
	d.result("plafond_3_mois", "Plafond des salaires sur 3 mois", marg(medconseil.Montant(3*capN).MulRatio(1, capD)))
	d.result("ij_journaliere", "IJ journalière brute", marg(st.ij))
	// 2/3 from the 31st day for three dependent children, until 30 June 2020.
	st.ijMajoree, st.majoreFrom = 0, medconseil.Date{}
	if per, ok := g.tauxMajore.At(start); ok && per.Value.Kind == Number {
		nEnf, err1 := d.integer(g.tauxMajoreEnfants, start)
		jour, err2 := d.integer(g.tauxMajoreJour, start)
		if err1 == nil && err2 == nil && int64(in.EnfantsACharge) >= nEnf {
			d.used(g.tauxMajore, per)
			t := per.Value.Num
			from := start.AddDays(int(jour) - 1)
			abolition := medconseil.NewDate(2020, 7, 1)
			if end, ok := g.tauxMajore.At(abolition); !ok && end != nil && start.AddDays(29).After(abolition) {
				d.add("IJ_TAUX_MAJORE_SUPPRIME", end.References,
					"Arrêt qui n'atteignait pas 30 jours consécutifs le %s : pas de taux majoré pour trois enfants (LFSS 2020, art. 85).", darg(abolition))
			} else {
				st.ijMajoree = medconseil.Montant(baseN).MulRatio(t.N*div.D, capD*t.D*div.N)
				st.majoreFrom = from
				d.add("IJ_TAUX_MAJORE_3_ENFANTS", per.References,
					"%d enfants à charge : IJ portée à %s %% du salaire journalier de base à partir du %de jour d'arrêt (%s), soit %s.",
					iarg(int64(in.EnfantsACharge)), sarg(percent(t)), iarg(jour), darg(from), marg(st.ijMajoree))
				d.result("ij_journaliere_majoree", "IJ journalière brute à partir du 31e jour", marg(st.ijMajoree))
			}
		}
	} else if in.EnfantsACharge >= 3 {
		if per, ok := g.tauxMajore.At(start); per != nil && !ok {
			d.used(g.tauxMajore, per)
			d.add("IJ_TAUX_MAJORE_SUPPRIME", per.References,
				"Arrêt prescrit à compter du 1er juillet 2020 : le taux majoré pour trois enfants à charge est supprimé (LFSS 2020, art. 85).")
		}
	}
	return nil
}

func (g *IJ) plafondRefs(start medconseil.Date) []Reference {
	if per, ok := g.plafond.At(start); ok {
		return per.References
	}
	return refR3234
}

// envoiStep: the avis must reach the caisse within 2 days (R321-2); a new late
// sending within 24 months of a first one reduces the IJ by 50 % between the
// prescription and the sending, unless hospitalisation or proven impossibility
// (D323-2, since 30 December 2004; not R323-12, which concerns a control made
// impossible). It also totals the amount.
func (g *IJ) envoiStep(st *ijState) error {
	in, d := st.in, st.d
	a := &in.Arret
	days := int64(0)
	if !st.last.Before(st.first) {
		days = int64(st.last.Sub(st.first) + 1)
	}
	total := st.ij * medconseil.Montant(days)
	if st.ijMajoree > 0 && days > 0 && !st.last.Before(st.majoreFrom) {
		from := st.majoreFrom
		if from.Before(st.first) {
			from = st.first
		}
		n := int64(st.last.Sub(from) + 1)
		total += (st.ijMajoree - st.ij) * medconseil.Montant(n)
	}
	if !a.DateEnvoi.IsZero() {
		presc := a.DatePrescription
		if presc.IsZero() {
			presc = a.Debut
		}
		limit, err := d.integer(g.envoi, presc)
		if err != nil {
			return err
		}
		if int64(a.DateEnvoi.Sub(presc)) > limit {
			months, err := d.integer(g.envoiPeriode, presc)
			if err != nil {
				return err
			}
			p := in.EnvoiTardifPrecedent
			if in.EnvoiTardifExcuse {
				d.add("IJ_ENVOI_TARDIF_EXCUSE", refEnvoi,
					"Avis reçu le %s, plus de %d jours après la prescription, mais l'assuré était hospitalisé ou justifie l'impossibilité d'envoyer l'avis à temps : pas de sanction.",
					darg(a.DateEnvoi), iarg(limit))
			} else if !p.IsZero() && !p.After(presc) && !p.Before(presc.AddMonths(-int(months))) {
				red, err := d.num(g.envoiReduction, presc)
				if err != nil {
					return err
				}
				from, to := st.first, a.DateEnvoi
				if presc.After(from) {
					from = presc
				}
				if st.last.Before(to) {
					to = st.last
				}
				n := int64(0)
				if !to.Before(from) {
					n = int64(to.Sub(from) + 1)
				}
				cut := st.ij.MulRatio(red.N, red.D) * medconseil.Montant(n)
				total -= cut
				d.add("IJ_ENVOI_TARDIF_REDUCTION", refD3232,
					"Avis reçu le %s, plus de %d jours après la prescription, moins de %d mois après un premier envoi tardif (%s) : IJ réduites de %s %% sur %d jours.",
					darg(a.DateEnvoi), iarg(limit), iarg(months), darg(p), sarg(percent(red)), iarg(n))
				d.result("reduction_envoi_tardif", "Réduction pour envoi tardif", marg(cut))
			} else {
				d.add("IJ_ENVOI_TARDIF_AVERTISSEMENT", refEnvoi,
					"Avis reçu le %s, plus de %d jours après la prescription : avertissement ; un nouvel envoi tardif dans les %d mois réduira les IJ.",
					darg(a.DateEnvoi), iarg(limit), iarg(months))
			}
		}
	}
	d.result("montant_total", "Montant brut des IJ de la période", marg(total))
	return nil
}

// sortHistory orders the history by start date, as Evaluate expects.
func sortHistory(h []ArretPasse) {
	sort.Slice(h, func(i, j int) bool { return h[i].Debut.Before(h[j].Debut) })
}

// ijJSON is the JSON input of the ij rule set (docs/rules/ij.md).
type ijJSON struct {
	Arret struct {
		Debut                     string `json:"debut"`
		Fin                       string `json:"fin"`
		Prolongation              bool   `json:"prolongation"`
		DatePrescription          string `json:"date_prescription"`
		DateEnvoi                 string `json:"date_envoi"`
		Teleconsultation          bool   `json:"teleconsultation"`
		ImpossibiliteConsultation bool   `json:"impossibilite_consultation"`
		Prescripteur              string `json:"prescripteur"`
		ALD                       bool   `json:"ald"`
		Affection                 string `json:"affection"`
		Motif                     string `json:"motif"`
	} `json:"arret"`
	Historique []struct {
		Debut           string `json:"debut"`
		Fin             string `json:"fin"`
		ALD             bool   `json:"ald"`
		Affection       string `json:"affection"`
		JoursIndemnises *int   `json:"jours_indemnises"`
	} `json:"historique"`
	Assure struct {
		DateImmatriculation   string   `json:"date_immatriculation"`
		Heures3Mois           int      `json:"heures_3_mois"`
		Heures12Mois          int      `json:"heures_12_mois"`
		Cotisations6Mois      string   `json:"cotisations_6_mois"`
		Cotisations12Mois     string   `json:"cotisations_12_mois"`
		Salaires3DerniersMois string   `json:"salaires_3_derniers_mois"`
		Paies                 []string `json:"paies"`
		EnfantsACharge        int      `json:"enfants_a_charge"`
		EnvoiTardifPrecedent  string   `json:"envoi_tardif_precedent"`
		EnvoiTardifExcuse     bool     `json:"envoi_tardif_excuse"`
	} `json:"assure"`
	AvisMedecinConseil string `json:"avis_medecin_conseil"`
}

// ParseIJInput reads the JSON input of the ij rule set into an IJInput, every field
// error named.
func ParseIJInput(raw []byte) (*IJInput, error) {
	var j ijJSON
	if err := decodeStrict(raw, &j); err != nil {
		return nil, err
	}
	var f fields
	in := &IJInput{}
	a := &in.Arret
	a.Debut = f.date("arret.debut", j.Arret.Debut, true)
	a.Fin = f.date("arret.fin", j.Arret.Fin, true)
	if !a.Debut.IsZero() && !a.Fin.IsZero() && a.Fin.Before(a.Debut) {
		f.fail("arret.fin", "la fin de l'arrêt (%s) précède son début (%s)", a.Fin.Francais(), a.Debut.Francais())
	}
	a.Prolongation = j.Arret.Prolongation
	a.DatePrescription = f.date("arret.date_prescription", j.Arret.DatePrescription, false)
	a.DateEnvoi = f.date("arret.date_envoi", j.Arret.DateEnvoi, false)
	if p := a.DatePrescription; !p.IsZero() && !a.DateEnvoi.IsZero() && a.DateEnvoi.Before(p) {
		f.fail("arret.date_envoi", "la date d'envoi précède la date de prescription")
	}
	a.Teleconsultation = j.Arret.Teleconsultation
	a.ImpossibiliteConsultation = j.Arret.ImpossibiliteConsultation
	code := f.enum("arret.prescripteur", j.Arret.Prescripteur, false, prescripteurCodes[1:]...)
	a.Prescripteur = PrescripteurInitial
	for i, c := range prescripteurCodes {
		if c != "" && c == code {
			a.Prescripteur = Prescripteur(i)
		}
	}
	a.ALD = j.Arret.ALD
	a.Affection = f.cim10("arret.affection", j.Arret.Affection, a.ALD)
	switch f.enum("arret.motif", j.Arret.Motif, false, "maladie", "fausse_couche", "interruption_medicale_grossesse", "grossesse_pathologique") {
	case "fausse_couche":
		a.Motif = FausseCouche
	case "interruption_medicale_grossesse":
		a.Motif = InterruptionMedicale
	case "grossesse_pathologique":
		a.Motif = GrossessePathologique
	}
	for i, h := range j.Historique {
		field := "historique." + itoa(i)
		p := ArretPasse{
			Debut: f.date(field+".debut", h.Debut, true), Fin: f.date(field+".fin", h.Fin, true),
			ALD: h.ALD, Affection: f.cim10(field+".affection", h.Affection, h.ALD),
		}
		if !p.Debut.IsZero() && !p.Fin.IsZero() {
			if p.Fin.Before(p.Debut) {
				f.fail(field+".fin", "la fin de l'arrêt précède son début")
			}
			if !a.Debut.IsZero() && !p.Debut.Before(a.Debut) {
				f.fail(field+".debut", "l'historique ne contient que des arrêts antérieurs à l'arrêt examiné")
			}
		}
		if h.JoursIndemnises != nil {
			f.nonNegative(field+".jours_indemnises", *h.JoursIndemnises)
			p.JoursIndemnises = *h.JoursIndemnises
		} else if n := p.Fin.Sub(p.Debut) + 1 - 3; n > 0 {
			p.JoursIndemnises = n // every day but the carence
		}
		in.Historique = append(in.Historique, p)
	}
	sortHistory(in.Historique)
	s := &j.Assure
	in.Immatriculation = f.date("assure.date_immatriculation", s.DateImmatriculation, false)
	f.nonNegative("assure.heures_3_mois", s.Heures3Mois)
	f.nonNegative("assure.heures_12_mois", s.Heures12Mois)
	in.Heures3Mois, in.Heures12Mois = s.Heures3Mois, s.Heures12Mois
	in.Cotisations6Mois = f.montant("assure.cotisations_6_mois", s.Cotisations6Mois, false)
	in.Cotisations12Mois = f.montant("assure.cotisations_12_mois", s.Cotisations12Mois, false)
	if len(s.Paies) > 0 {
		if len(s.Paies) != 3 {
			f.fail("assure.paies", "trois paies mensuelles attendues (les 3 mois civils précédant l'arrêt), %d reçues", len(s.Paies))
		} else {
			for i, p := range s.Paies {
				in.Paies[i] = f.montant("assure.paies."+itoa(i), p, true)
			}
		}
		if s.Salaires3DerniersMois != "" {
			f.fail("assure.salaires_3_derniers_mois", "donner soit les trois paies, soit leur total, pas les deux")
		}
	} else {
		in.Salaires3DerniersMois = f.montant("assure.salaires_3_derniers_mois", s.Salaires3DerniersMois, true)
	}
	f.nonNegative("assure.enfants_a_charge", s.EnfantsACharge)
	in.EnfantsACharge = s.EnfantsACharge
	in.EnvoiTardifExcuse = s.EnvoiTardifExcuse
	in.EnvoiTardifPrecedent = f.date("assure.envoi_tardif_precedent", s.EnvoiTardifPrecedent, false)
	switch f.enum("avis_medecin_conseil", j.AvisMedecinConseil, false, "favorable", "defavorable") {
	case "favorable":
		in.AvisMedecinConseil = AvisFavorable
	case "defavorable":
		in.AvisMedecinConseil = AvisDefavorable
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return in, nil
}

func (g *IJ) ruleSet() *ruleSet {
	return &ruleSet{name: "ij", input: ijJSON{}, title: "Indemnités journalières maladie", labels: ijLabels,
		eval: func(raw []byte, d *Decision) error {
			in, err := ParseIJInput(raw)
			if err != nil {
				return err
			}
			return g.Evaluate(in, d)
		}}
}
