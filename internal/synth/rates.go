package synth

import (
	"fmt"
	"strconv"
)

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
	chevauchement = 1.11
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
// scaled by 0.85 so that the region's crude death rate is INSEE's 1.03 %,
// plus infant mortality (3.7 ‰).
func mortalite(age int) float64 {
	if age == 0 {
		return 0.0037
	}
	q := 0.000025 * 0.85
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
var modeMix = []transportMode{
	{"4212", 0.23, 5800, 240},
	{"4213", 0.385, 1600, 100},
	{"4214", 0.385, 1400, 170},
}

type transportMode struct {
	nature string // PRS_NAT_REF: 4212 ABA, 4213 VSL, 4214 TXI
	p      float64
	// forfait and per-km in centimes (convention nationale des transporteurs
	// sanitaires 2023; taxis: convention type CPAM 2023).
	forfait, km int64
}

// Tariffs in centimes (NGAP, avenants 9 and 2023 règlement arbitral): G 26.50 €,
// CS 30 €, C dentist 23 €, AMI 3.15 €, V (visite) 26.50 € + MD 10 €.
const (
	tarifG       = 2650
	tarifCS      = 3000
	tarifCdent   = 2300
	tarifAMI     = 315
	tarifB       = 27   // lettre-clé B de la NABM, 0.27 €
	tarifSejour  = 3000 // forfait journalier, hospital side of a transported stay
	participForf = 200  // participation forfaitaire (L160-13 CSS), not reimbursed
)

// Births and deaths (INSEE, état civil 2023, Grand Est: ≈ 49,000 births and
// ≈ 57,000 deaths for 5.56 M inhabitants): 0.88 % and 1.03 % a year.
const (
	naissancesPart  = 0.0088
	cibleMortalite  = 0.0103
	cibleNaissances = 0.0088
)

// A médecin traitant's list is capped (Cnam: the 95th percentile of lists is
// ≈ 2,000 adult patients; above, practices close their lists).
const mtListeMax = 2000

// Sector 2 (honoraires libres): ≈ 45 % of private specialists and 5 % of GPs in
// Grand Est (Cnam, démographie des PS conventionnés 2023; verify).
const (
	partSecteur2Spe = 0.45
	partSecteur2MG  = 0.05
)

// Transported patients: 6.4 M of 67 M insured a year, 9.5 % (DETECTION.md §3.3).
const cibleTransportes = 0.095

// Nurses: ≈ 30 acts per working day, ≈ 9,000 AMI/AIS acts a year per nurse in
// private practice (order of magnitude from Cnam fees, ≈ 90 k€ for ≈ 10 € an act;
// verify). Kinés: ≈ 4,280 acts a year (DETECTION.md §3.3).
const (
	cibleActesInfirmier = 9000
	cibleActesKine      = 4280
)

// Weekday mix of ambulatory care (share of a weekday's volume): consultations
// peak on Monday, Saturday is about half a weekday and Sunday is the on-call
// service only (Drees, activité des médecins généralistes; an estimate). Nurses
// work every day; kinés little on Saturday.
var weekdayMix = map[string][7]float64{ // Sunday first
	"mg":    {0.012, 1.2, 1, 0.95, 1, 1, 0.45},
	"kine":  {0, 1, 1, 1, 1, 0.95, 0.15},
	"ide":   {0.75, 1, 1, 1, 1, 1, 0.8},
	"pharm": {0.02, 1.1, 1, 1, 1, 1.05, 0.8},
	"all":   {0.02, 1, 1, 1, 1, 1, 0.3},
}

// partFactureTardive is the share of the deceased with one legitimate line dated
// a day or two after the death (late or mis-dated billing; an estimate).
const partFactureTardive = 0.03

// medicament is a medicine the generator dispenses. CIP13 codes are synthetic
// (34009 + 7 digits + EAN-13 key; the real IR_PHA_R is not in the référentiels);
// MC_PHA_R gives their ATC class. Yearly shares of users are orders of magnitude
// from ANSM reports: antibiotics ≈ 30 % of people a year (ANSM, consommation des
// antibiotiques 2023), weak opioids ≈ 15 % and strong ≈ 1 % (ANSM, état des lieux
// des antalgiques opioïdes 2019), benzodiazepines ≈ 13 % (ANSM 2017), hypnotics
// ≈ 6 %; long-term users get monthly renewals.
type medicament struct {
	cip      int64
	atc      string
	nom      string
	classe   string
	price    int64 // centimes, a box
	maxBoxes int
	pUse     [3]float64 // yearly share of users: under 18, 18–64, 65+
	chronic  float64    // share of users renewed monthly
	every    int        // days between deliveries when chronic
	ald      bool       // in relation with an ALD (diabetes)
}

func (m *medicament) prob(age int) float64 {
	switch {
	case age < 18:
		return m.pUse[0]
	case age < 65:
		return m.pUse[1]
	}
	return m.pUse[2]
}

func (m *medicament) eligible(g *gen) bool {
	if m.ald {
		return g.p.ALD >= 0 && aldMix[g.p.ALD].num == "8"
	}
	return true
}

func (m *medicament) deliveries(rng interface {
	Float64() float64
	IntN(int) int
}) int {
	if rng.Float64() < m.chronic {
		return 4 + rng.IntN(9)
	}
	return 1 + rng.IntN(2)
}

var medicaments = []medicament{
	{cip13(1001), "J01CA04", "AMOXICILLINE 1 G", "antibiotique", 269, 2, [3]float64{0.22, 0.14, 0.16}, 0, 30, false},
	{cip13(1002), "J01CR02", "AMOXICILLINE ACIDE CLAVULANIQUE 1 G/125 MG", "antibiotique", 450, 1, [3]float64{0.06, 0.07, 0.10}, 0, 30, false},
	{cip13(1003), "J01FA10", "AZITHROMYCINE 250 MG", "antibiotique", 550, 1, [3]float64{0.04, 0.04, 0.04}, 0, 30, false},
	{cip13(1004), "J01DD13", "CEFPODOXIME 100 MG", "antibiotique", 700, 1, [3]float64{0.02, 0.03, 0.04}, 0, 30, false},
	{cip13(2001), "N02AX02", "TRAMADOL 50 MG", "opioide", 250, 2, [3]float64{0, 0.07, 0.08}, 0.12, 28, false},
	{cip13(2002), "N02AJ06", "PARACETAMOL CODEINE 500 MG/30 MG", "opioide", 200, 2, [3]float64{0.005, 0.07, 0.06}, 0.08, 28, false},
	{cip13(2003), "N02AA01", "MORPHINE LP 30 MG", "opioide", 1200, 2, [3]float64{0, 0.003, 0.012}, 0.6, 28, false},
	{cip13(2004), "N02AA05", "OXYCODONE LP 10 MG", "opioide", 1500, 2, [3]float64{0, 0.003, 0.010}, 0.6, 28, false},
	{cip13(3001), "N05CF02", "ZOLPIDEM 10 MG", "hypnotique", 220, 1, [3]float64{0, 0.03, 0.06}, 0.5, 28, false},
	{cip13(3002), "N05CF01", "ZOPICLONE 7,5 MG", "hypnotique", 200, 1, [3]float64{0, 0.02, 0.05}, 0.5, 28, false},
	{cip13(3003), "N05BA12", "ALPRAZOLAM 0,25 MG", "anxiolytique", 160, 1, [3]float64{0, 0.05, 0.08}, 0.4, 28, false},
	{cip13(3004), "N05BA06", "LORAZEPAM 1 MG", "anxiolytique", 150, 1, [3]float64{0, 0.03, 0.06}, 0.4, 28, false},
	{cip13(4001), "A10BA02", "METFORMINE 1000 MG", "antidiabetique", 400, 2, [3]float64{0.3, 0.9, 0.9}, 1, 30, true},
	{cip13(5001), "N02BE01", "PARACETAMOL 1 G", "antalgique", 190, 3, [3]float64{0.25, 0.35, 0.45}, 0.05, 28, false},
}

// cip13 returns a synthetic CIP13: 34009, 7 digits and the EAN-13 check digit.
func cip13(n int) int64 {
	body := fmt.Sprintf("34009%07d", 9000000+n)
	sum := 0
	for i, c := range body {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	v, _ := strconv.ParseInt(body+strconv.Itoa((10-sum%10)%10), 10, 64)
	return v
}

// Further calibration targets (docs/synth.md).
const (
	cibleActesMG         = 5000
	cibleCVMG            = 0.4
	cibleTrajetsSansSoin = 0.2
	cibleSamediMG        = 0.08
	cibleDimancheMG      = 0.005
	cibleDepassementS2   = 0.45
)
