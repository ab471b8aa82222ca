package synth

import "math"

// calibration returns the produced figures against their targets and sources:
// the table of docs/synth.md, printed by the summary.
func (w *World) calibration(s Stats, vol []int64) []Rate {
	div := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	perKind := func(k Kind) (mean, cv float64, idle int, maxV int64) {
		var xs []float64
		for _, p := range w.Off.ByKind[k] {
			xs = append(xs, float64(vol[p]))
			if vol[p] == 0 {
				idle++
			}
			maxV = max(maxV, vol[p])
		}
		if len(xs) == 0 {
			return
		}
		for _, x := range xs {
			mean += x
		}
		mean /= float64(len(xs))
		for _, x := range xs {
			cv += (x - mean) * (x - mean)
		}
		if mean > 0 {
			cv = math.Sqrt(cv/float64(len(xs))) / mean
		}
		return
	}
	mgMean, mgCV, _, _ := perKind(KindGeneraliste)
	kineMean, _, _, _ := perKind(KindKine)
	ideMean, _, _, _ := perKind(KindInfirmier)
	idle := 0
	for k := Kind(0); k < nKinds; k++ {
		_, _, n, _ := perKind(k)
		idle += n
	}
	lists := make([]int64, len(w.Off.Pros))
	var maxList int64
	for i := range w.Pop {
		if mt := w.Pop[i].MT; mt >= 0 {
			lists[mt]++
			maxList = max(maxList, lists[mt])
		}
	}
	var ijMean float64
	for _, d := range s.JoursIJMois {
		ijMean += float64(d) / 12
	}
	jan := 0.0
	if ijMean > 0 {
		jan = float64(s.JoursIJMois[0]) / ijMean
	}
	var mg int64
	for _, n := range s.ActesMG {
		mg += n
	}
	return []Rate{
		{"arrêts par salarié et par an", div(s.Arrets, s.Salaries), cibleArretsParSalarie, "DREES 2024 : 8,4 M arrêts / 21 M salariés"},
		{"part des arrêts < 8 jours", div(s.ArretsMoins8, s.Arrets), cibleArretsMoins8j, "DREES 2024 : plus de la moitié"},
		{"part des arrêts > 1 an", div(s.ArretsPlus1an, s.Arrets), cibleArretsPlus1an, "DREES 2024 : 3 %"},
		{"jours d'IJ de janvier / moyenne mensuelle", jan, 1, "stock d'arrêts en cours au 1er janvier : IJ mensuelles plates"},
		{"séances par paire patient–kiné", div(s.KineSeances, s.KinePaires), cibleSeancesParPaire, "ameli : ≈ 21"},
		{"actes par kinésithérapeute et par an", kineMean, cibleActesKine, "DETECTION.md §3.3 : ≈ 4 280"},
		{"actes par infirmier et par an", ideMean, cibleActesInfirmier, "Cnam, ordre de grandeur (à vérifier)"},
		{"actes par généraliste et par an (lignes exécutées)", mgMean, cibleActesMG, "Drees : ≈ 5 000 actes G+V (ordre de grandeur)"},
		{"coefficient de variation du volume des généralistes", mgCV, cibleCVMG, "issue 12 : ≈ 0,4"},
		{"taille maximale d'une patientèle médecin traitant", float64(maxList), mtListeMax, "plafond ≈ 2 000 (Cnam)"},
		{"professionnels sans aucune activité", float64(idle), 0, "aucun professionnel inactif"},
		{"part des assurés transportés", div(s.Transportes, s.Persons), cibleTransportes, "DETECTION.md §3.3 : 6,4 M / 67 M"},
		{"trajets par patient transporté", div(s.Trajets, s.Transportes), cibleTrajetsParPatient, "Cour des comptes : ≈ 13"},
		{"part des trajets sans soin au DCIR (légitime)", div(s.TrajetsSansSoin, s.Trajets), cibleTrajetsSansSoin, "séjours publics au PMSI seulement ; 10 à 30 %"},
		{"part des actes G/V le samedi", div(s.ActesMG[6], mg), cibleSamediMG, "samedi ≈ ½ jour de semaine (estimation)"},
		{"part des actes G/V le dimanche", div(s.ActesMG[0], mg), cibleDimancheMG, "permanence des soins seulement (estimation)"},
		{"dépassement / tarif, spécialistes secteur 2", div(s.DepSpeS2, s.BaseSpeS2), cibleDepassementS2, "Drees 2023 : ≈ 50 % (à vérifier)"},
		{"mortalité annuelle", div(s.Deces, s.Persons), cibleMortalite, "INSEE 2023, Grand Est : 1,03 %"},
		{"naissances de l'année / assurés", div(s.Naissances, s.Persons), cibleNaissances, "INSEE 2023, Grand Est : 0,88 %"},
	}
}
