package synth

// The rates the generator draws from. Each one cites its source; most come from
// ../shared/docs/DETECTION.md §3.3, which gathers them.

// InsuredGrandEst is the count of insured at scale 1.0 for région 44 (the seed's
// figure); communes receive them in proportion to their legal population
// (INSEE, communes-population.csv).
const InsuredGrandEst = 5_075_846

// Professionals in private practice in Grand Est at scale 1.0 (the seed's numbers).
// Nurses and transporters are not in the seed: nurses are prorated from DREES
// (≈ 97,000 infirmiers libéraux in France, 2023); transporters from DETECTION.md §3.3
// (5,212 medical-transport companies and 28,916 contracted taxis nationwide, ×
// 5.08 M / 67 M insured).
var offreGrandEst = []struct {
	kind  Kind
	count int
}{
	{KindGeneraliste, 4513},
	{KindSpecialiste, 4208},
	{KindKine, 5391},
	{KindDentiste, 3255},
	{KindPharmacie, 1599},
	{KindSageFemme, 556},
	{KindLabo, 368},
	{KindInfirmier, 7350},
	{KindAmbulance, 395},
	{KindTaxi, 2190},
}

// Sick leave (DREES Études et Résultats, déc. 2024; ameli.fr media/50173; via
// DETECTION.md §3.3): 8.4 M arrêts for 21 M employees, ≈ 0.40 per employee a year;
// 28 % of employees have at least one (1.4 each), hence a gamma-mixed Poisson.
const (
	arretsParSalarie = 0.40
	arretsGammaShape = 1.4
	// Sickness is 85 % of arrêts, AT/MP the rest (DREES, structure of all IJ).
	partArretsATMP = 0.15
	// IJ start after 3 jours de carence (art. R323-1 CSS); none for AT/MP (L433-1).
	carenceJours = 3
	// chevauchement compensates the arrêts drawn while the employee is already on
	// leave (dropped, ≈ 4 %), so the produced rate stays the target.
	chevauchement = 1.045
)

// Targets printed in the summary (DETECTION.md §3.3): "more than half" under 8
// days, 3 % over a year; 21 sessions per patient–kiné pair; ≈ 13 trips per
// transported patient (Cour des comptes: 65 M trips for > 5 M beneficiaries).
const (
	cibleArretsParSalarie  = 0.40
	cibleArretsMoins8j     = 0.53
	cibleArretsPlus1an     = 0.03
	cibleSeancesParPaire   = 21.0
	cibleTrajetsParPatient = 13.0
)

// dureeClasses is the duration mix of arrêts (total days, initial avis and
// prolongations together) calibrated so that more than half last under 8 days and
// 3 % over a year (DREES 2024), 11 % over 3 months (Cour des comptes 2012).
var dureeClasses = []struct {
	p        float64
	min, max int
}{
	{0.535, 1, 7},
	{0.245, 8, 30},
	{0.085, 31, 90},
	{0.055, 91, 180},
	{0.050, 181, 365},
	{0.030, 366, 1095},
}

// ageDuree shifts the duration classes with age: people 55+ are 18.3 % of the
// workforce but 27 % of IJ days (Cour des comptes 2024). It returns the odds
// multiplier applied to the long classes (index ≥ 2).
func ageDuree(age int) float64 {
	switch {
	case age < 30:
		return 0.7
	case age < 45:
		return 0.9
	case age < 55:
		return 1.1
	default:
		return 1.5
	}
}

// ijJournaliere is the mean daily allowance in centimes by age (DREES 2024: 27 €
// under 25, 34 € at 25–29, 37 € above; mean ≈ 35.7 €).
func ijJournaliere(age int) int64 {
	switch {
	case age < 25:
		return 2700
	case age < 30:
		return 3400
	default:
		return 3700
	}
}

// pyramide is the French age pyramid by 5-year band (INSEE, bilan démographique
// 2023, share of the population in ‰) and the male share of each band.
var pyramide = []struct {
	permille float64
	male     float64
}{
	{54, 0.512}, {59, 0.512}, {62, 0.511}, {62, 0.512}, {57, 0.505}, {56, 0.497},
	{60, 0.490}, {63, 0.490}, {62, 0.492}, {64, 0.495}, {66, 0.493}, {65, 0.487},
	{62, 0.478}, {58, 0.470}, {54, 0.462}, {40, 0.447}, {29, 0.420}, {20, 0.380},
	{9, 0.310}, {3, 0.230},
}

// tauxSalarie is the share of each age that is a salaried worker of the régime
// général, eligible for IJ (INSEE, taux d'emploi par âge 2023 × ≈ 0.78 salaried in
// the régime général).
func tauxSalarie(age int) float64 {
	switch {
	case age < 16:
		return 0
	case age < 20:
		return 0.10
	case age < 25:
		return 0.42
	case age < 30:
		return 0.62
	case age < 50:
		return 0.66
	case age < 55:
		return 0.64
	case age < 60:
		return 0.58
	case age < 65:
		return 0.28
	case age < 70:
		return 0.04
	}
	return 0
}

// mortalite is the yearly probability of death at an age: a Gompertz law fitted to
// the INSEE 2023 life tables (≈ 0.4 % at 50, 1.8 % at 70, 5 % at 80, 14 % at 90),
// plus infant mortality (3.7 ‰).
func mortalite(age int) float64 {
	if age == 0 {
		return 0.0037
	}
	q := 0.000025
	for i := 0; i < age; i++ {
		q *= 1.0997
	}
	if q > 0.45 {
		q = 0.45
	}
	return q
}

// prevalenceALD is the share of the insured in ALD by age (Cnam, Charges et
// produits: ≈ 12 M people, 18 % of the régime général, rising steeply with age).
func prevalenceALD(age int) float64 {
	switch {
	case age < 20:
		return 0.02
	case age < 40:
		return 0.05
	case age < 60:
		return 0.14
	case age < 75:
		return 0.32
	}
	return 0.55
}

// aldMix is the mix of ALD lists (Cnam, effectifs ALD 2022: diabète 30 %, tumeurs
// 20 %, affections psychiatriques 12 %, maladie coronaire 9 %, insuffisance
// cardiaque 6 %, artériopathies 4 %, AVC 4 %, Alzheimer 3 %, Parkinson 2 %, autres)
// with frequent CIM-10 codes of each, all present in IR_CIM_V.
var aldMix = []struct {
	num  string
	p    float64
	cims []string
}{
	{"8", 0.30, []string{"E119", "E110", "E118", "E102"}},
	{"30", 0.20, []string{"C509", "C61", "C189", "C349", "C439"}},
	{"23", 0.12, []string{"F200", "F319", "F332", "F603"}},
	{"13", 0.09, []string{"I251", "I252", "I209"}},
	{"5", 0.06, []string{"I500", "I509"}},
	{"3", 0.04, []string{"I702", "I739"}},
	{"1", 0.04, []string{"I639", "I634"}},
	{"15", 0.03, []string{"G309", "F001"}},
	{"16", 0.02, []string{"G20"}},
	{"14", 0.04, []string{"J449", "J441"}},
	{"22", 0.03, []string{"M069", "M45"}},
	{"19", 0.03, []string{"N184", "N185"}},
}

// motifsArret is the mix of CIM-10 motifs of arrêts (Cnam, Rapport charges et
// produits 2023; Malakoff Humanis baromètre absentéisme 2023): musculoskeletal
// disorders and mental health dominate the long arrêts, winter infections the
// short ones.
var motifsArret = []struct {
	p     float64
	court bool // mostly short arrêts
	cims  []string
}{
	{0.20, true, []string{"J069", "J111", "A099", "J209", "U071", "R509"}},
	{0.24, false, []string{"M545", "M511", "M751", "M179", "M542", "M654", "G560"}},
	{0.21, false, []string{"F329", "F411", "F432", "F430", "F480"}},
	{0.10, false, []string{"S835", "S934", "S626", "S420", "T141"}},
	{0.05, false, []string{"C509", "C189", "C349"}},
	{0.05, false, []string{"I10", "I200", "E119"}},
	{0.05, true, []string{"K358", "K802", "N390", "Z480"}},
	{0.10, true, []string{"R51", "R53", "K297", "H669", "N210"}},
}

// Physiotherapy (DETECTION.md §3.3): ≈ 350 M acts a year for 67 M insured, 201
// patients per kiné and 21 sessions per patient–kiné pair; people 75+ consume 5×
// more than the rest (DREES). The situations carry the prior-approval thresholds of
// the HAS-validated UNCAM référentiels (15 after meniscectomy, 25 after knee
// replacement).
var situationsKine = []struct {
	nom       string
	p         float64
	cim       string
	seuil     int // prior-approval threshold, 0 when none
	min, max  int // sessions of one prescription series
	coef      float64
	nature    string // PRS_NAT_REF
	chronique bool
}{
	{"lombalgie commune", 0.22, "M545", 0, 6, 15, 7.5, "3125", false},
	{"méniscectomie arthroscopique", 0.05, "M232", 15, 9, 15, 8.0, "3125", false},
	{"prothèse totale de genou", 0.05, "Z966", 25, 18, 25, 9.0, "3125", false},
	{"réparation de la coiffe des rotateurs", 0.04, "M751", 0, 20, 40, 9.0, "3125", false},
	{"entorse de cheville", 0.08, "S934", 0, 6, 12, 8.0, "3125", false},
	{"rééducation neurologique", 0.07, "I639", 0, 30, 80, 9.0, "3122", true},
	{"kinésithérapie respiratoire", 0.05, "J209", 0, 4, 10, 8.0, "3122", false},
	{"rééducation orthopédique", 0.34, "M179", 0, 10, 30, 8.5, "3125", false},
	{"maintien de l'autonomie", 0.10, "R262", 0, 24, 60, 8.0, "3122", true},
}

// kineAMK is the AMK/AMS key letter in centimes (NGAP, 2.15 € in 2023; mean act
// ≈ 19.41 €, DETECTION.md §3.3).
const kineAMK = 215

// Medical transport (Cour des comptes, via DETECTION.md §3.3): 6.4 M people
// transported in 2023 (9.5 % of insured), ≈ 13 trips each; 15 M ambulance trips
// (≈ 87 €), 25 M VSL (≈ 32 €), 25 M taxi (≈ 60 €).
var transportProfils = []struct {
	nom      string
	p        float64
	min, max int // trips
	serie    bool
	motif    int // TRS_TRS_MTF (IR_MTR_V): 10 hospitalisation, 100 series, 0 consultation
	etab     string
}{
	{"hospitalisation (entrée et sortie)", 0.48, 2, 2, false, 10, "any"},
	{"consultations hospitalières", 0.33, 2, 12, false, 0, "any"},
	{"chimiothérapie ou radiothérapie", 0.13, 14, 50, true, 100, "cancer"},
	{"dialyse", 0.02, 100, 240, true, 100, "dialyse"},
	{"rééducation en SSR", 0.025, 20, 40, true, 100, "ssr"},
}

// modeMix is the mix of transport modes by trips: ambulance 15 M, VSL 25 M, taxi
// 25 M (Cour des comptes).
var modeMix = []struct {
	nature string // PRS_NAT_REF: 4212 ABA, 4213 VSL, 4214 TXI
	p      float64
	// forfait and per-km in centimes (convention nationale des transporteurs
	// sanitaires 2023; taxis: convention type CPAM 2023).
	forfait, km int64
}{
	{"4212", 0.23, 5800, 240},
	{"4213", 0.385, 1600, 100},
	{"4214", 0.385, 1400, 170},
}

// Tariffs in centimes (NGAP, avenants 9 and 2023 règlement arbitral): G 26.50 €,
// CS 30 €, C dentist 23 €, AMI 3.15 €, V (visite) 26.50 € + MD 10 €.
const (
	tarifG       = 2650
	tarifCS      = 3000
	tarifCdent   = 2300
	tarifAMI     = 315
	tarifSejour  = 3000 // forfait journalier, hospital side of a transported stay
	participForf = 200  // participation forfaitaire (L160-13 CSS), not reimbursed
)
