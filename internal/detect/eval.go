package detect

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Truth is ground_truth.json as written by the synthetic region (docs/synth.md).
type Truth struct {
	Format    int            `json:"format"`
	Scale     float64        `json:"scale"`
	Seed      uint64         `json:"seed"`
	Year      int            `json:"year"`
	Anomalies []TruthAnomaly `json:"anomalies"`
	// LegitIJ is every GP's legitimate propensity to prescribe arrêts, by
	// PFS_PFS_NUM (facteurs_legitimes_ij, written since 3 December 2026;
	// nil on older data): what Oracle ranks on.
	LegitIJ map[string]float64 `json:"facteurs_legitimes_ij"`
}

// TruthAnomaly is one planted anomaly of ground_truth.json.
type TruthAnomaly struct {
	ID         string  `json:"id"`
	Type       string  `json:"type"`
	EntityType string  `json:"entity_type"`
	Entity     string  `json:"entity"`
	Profession string  `json:"profession"`
	Intensity  float64 `json:"intensity"`
	Variant    string  `json:"variant"`
	// Measures: for surprescription_ij, rapport_attendu is the ratio to the
	// regional mean the generator made (docs/synth.md).
	Measures map[string]float64 `json:"measures"`
}

// ReadTruth reads dir/ground_truth.json.
func ReadTruth(dir string) (*Truth, error) {
	p := filepath.Join(dir, "ground_truth.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("vérité terrain : %s illisible : %w", p, err)
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("vérité terrain : %s n'est pas un JSON valide : %w", p, err)
	}
	return &t, nil
}

// RecallCell is the recall of one anomaly type at one intensity.
type RecallCell struct {
	Type      string
	Intensity float64
	Variant   string
	Planted   int
	Profiled  int // planted professionals that entered the funnels
	Found     int // flagged with the right anomaly type
	// Detectable: planted with a rapport_attendu at or above the run's
	// MinRatio (what the ground truth says a ≥ 2× rule can find); FoundDet of them flagged.
	Detectable, FoundDet int
}

// Decile is the false-flag rate among unplanted professionals of one panel-size decile.
type Decile struct {
	MinPatients, MaxPatients int64
	Unplanted, Flagged       int
}

// Eval is the score of a targeting run against the ground truth.
type Eval struct {
	Recall        []RecallCell
	Flags         int
	TruePlanted   int // flags whose professional has any planted anomaly
	TrueExactType int // flags whose professional has a planted anomaly of the flagged type
	Deciles       []Decile
	ByType        map[string][2]int // flagged anomaly type → flags, flags on a professional planted with that type
	// PlantedThemes counts the flags of anomaly types the ground truth plants
	// (flags on themes where nothing is planted are all false by construction),
	// ThemeTrue those on a professional planted with that type.
	PlantedThemes, ThemeTrue int
	Undetectable             map[string]int // planted types no profile indicator measures
	// Oracle is the ceiling of any ranking on this data; nil when the ground
	// truth has no legitimate factors (older data).
	Oracle *Oracle
	// Withdrawn are the flags Confirm withdrew; Right tells whether the
	// professional was planted with the anomaly (a withdrawal lost a find).
	Withdrawn []Withdrawn
}

// Withdrawn is one flag withdrawn at confirmation, scored.
type Withdrawn struct {
	Professionnel, Anomalie, Raison string
	Right                           bool
}

// Precision is the share of flags on a professional planted with the
// flagged anomaly type: a flag for IJ over-prescription on a doctor planted
// with a transporter collusion points at the wrong thing and is false.
func (e *Eval) Precision() float64 {
	if e.Flags == 0 {
		return math.NaN()
	}
	return float64(e.TrueExactType) / float64(e.Flags)
}

// Score compares res with the truth.
func Score(res *Result, t *Truth) *Eval {
	measured := map[string]bool{}
	for _, in := range Indicators {
		measured[in.Anomaly] = true
	}
	scored := map[string]*Prescriber{}
	for _, p := range res.Scored {
		scored[p.Num] = p
	}
	flagged := map[string]map[string]bool{}
	for _, f := range res.Flags {
		if flagged[f.Professionnel] == nil {
			flagged[f.Professionnel] = map[string]bool{}
		}
		flagged[f.Professionnel][f.Anomalie] = true
	}
	ev := &Eval{Flags: len(res.Flags), Undetectable: map[string]int{}, ByType: map[string][2]int{}}
	planted := map[string]map[string]bool{}
	cells := map[string]*RecallCell{}
	for _, a := range t.Anomalies {
		if a.EntityType != "professionnel" {
			ev.Undetectable[a.Type]++
			continue
		}
		if planted[a.Entity] == nil {
			planted[a.Entity] = map[string]bool{}
		}
		planted[a.Entity][a.Type] = true
		if !measured[a.Type] {
			ev.Undetectable[a.Type]++
			continue
		}
		k := fmt.Sprintf("%s|%g|%s", a.Type, a.Intensity, a.Variant)
		c := cells[k]
		if c == nil {
			c = &RecallCell{Type: a.Type, Intensity: a.Intensity, Variant: a.Variant}
			cells[k] = c
		}
		c.Planted++
		if scored[a.Entity] != nil {
			c.Profiled++
		}
		if flagged[a.Entity][a.Type] {
			c.Found++
		}
		if r, ok := a.Measures["rapport_attendu"]; !ok || r >= res.Options.MinRatio {
			c.Detectable++
			if flagged[a.Entity][a.Type] {
				c.FoundDet++
			}
		}
	}
	for _, c := range cells {
		ev.Recall = append(ev.Recall, *c)
	}
	sort.Slice(ev.Recall, func(i, j int) bool {
		a, b := ev.Recall[i], ev.Recall[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Intensity != b.Intensity {
			return a.Intensity < b.Intensity
		}
		return a.Variant < b.Variant
	})
	plantedTypes := map[string]bool{}
	for _, a := range t.Anomalies {
		plantedTypes[a.Type] = true
	}
	for _, f := range res.Flags {
		if plantedTypes[f.Anomalie] {
			ev.PlantedThemes++
			if planted[f.Professionnel][f.Anomalie] {
				ev.ThemeTrue++
			}
		}
		bt := ev.ByType[f.Anomalie]
		bt[0]++
		if planted[f.Professionnel] != nil {
			ev.TruePlanted++
			if planted[f.Professionnel][f.Anomalie] {
				ev.TrueExactType++
				bt[1]++
			}
		}
		ev.ByType[f.Anomalie] = bt
	}
	// False flags by decile of panel size, among the professionals no
	// profile indicator could rightly flag: those not planted with an
	// anomaly type the targeting measures (a doctor planted with a collusion
	// only is unplanted for the targeting, and a flag on him is false). A
	// professional counts as falsely flagged when one of his flags is of a
	// type not planted on him.
	var un []*Prescriber
	for _, p := range res.Scored {
		keep := true
		for typ := range planted[p.Num] {
			if measured[typ] {
				keep = false
			}
		}
		if keep {
			un = append(un, p)
		}
	}
	sort.Slice(un, func(i, j int) bool { return un[i].Patients < un[j].Patients })
	for d := 0; d < 10 && len(un) > 0; d++ {
		lo, hi := d*len(un)/10, (d+1)*len(un)/10
		if hi <= lo {
			continue
		}
		dc := Decile{MinPatients: un[lo].Patients, MaxPatients: un[hi-1].Patients}
		for _, p := range un[lo:hi] {
			dc.Unplanted++
			for typ := range flagged[p.Num] {
				if !planted[p.Num][typ] {
					dc.Flagged++
					break
				}
			}
		}
		ev.Deciles = append(ev.Deciles, dc)
	}
	for _, u := range res.Unconfirmed {
		ev.Withdrawn = append(ev.Withdrawn, Withdrawn{u.Flag.Professionnel, u.Flag.Anomalie, u.Raison, planted[u.Flag.Professionnel][u.Flag.Anomalie]})
	}
	ev.Oracle = newOracle(res, t, ev.Recall)
	return ev
}

// Write prints the evaluation in French.
func (e *Eval) Write(w io.Writer) {
	fmt.Fprintln(w, "Rappel par type et intensité (signalé avec le bon type d'anomalie) :")
	fmt.Fprintf(w, "  %-28s %9s %-7s %7s %7s %7s %7s %11s %13s\n", "type", "intensité", "variante", "plantés", "profilés", "trouvés", "rappel", "détectables", "rappel (dét.)")
	for _, c := range e.Recall {
		fmt.Fprintf(w, "  %-28s %9s %-8s %7d %7d %7d %7s %11d %13s\n", c.Type, frnum(c.Intensity, 1), c.Variant, c.Planted, c.Profiled, c.Found,
			frnum(float64(c.Found)/float64(c.Planted), 2), c.Detectable, frnum(float64(c.FoundDet)/float64(c.Detectable), 2))
	}
	fmt.Fprintln(w, "  (détectables : rapport à la moyenne fait par le générateur, « rapport_attendu », au moins égal au seuil de ratio)")
	e.writeOracle(w)
	fmt.Fprintf(w, "Précision au budget : %d signalements, %d justes (professionnel planté avec ce type d'anomalie) : %s ; %d sur des professionnels plantés d'un type quelconque.\n",
		e.Flags, e.TrueExactType, frnum(e.Precision(), 2), e.TruePlanted)
	fmt.Fprintf(w, "Précision sur les thèmes plantés : %d signalements, %d justes (%s).\n",
		e.PlantedThemes, e.ThemeTrue, frnum(float64(e.ThemeTrue)/float64(e.PlantedThemes), 2))
	var types []string
	for k := range e.ByType {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, k := range types {
		bt := e.ByType[k]
		fmt.Fprintf(w, "  %-28s %3d signalements, %3d plantés de ce type (%s)\n", k, bt[0], bt[1], frnum(float64(bt[1])/float64(bt[0]), 2))
	}
	if len(e.Withdrawn) > 0 {
		fmt.Fprintf(w, "Écartés à la confirmation (%d) :\n", len(e.Withdrawn))
		for _, u := range e.Withdrawn {
			right := "non planté de ce type"
			if u.Right {
				right = "PLANTÉ de ce type : une découverte perdue"
			}
			fmt.Fprintf(w, "  %s %s (%s) : %s\n", u.Professionnel, u.Anomalie, right, u.Raison)
		}
	}
	fmt.Fprintln(w, "Faux signalements parmi les professionnels sans anomalie plantée d'un type mesuré par les profils, par décile de patientèle :")
	for i, d := range e.Deciles {
		fmt.Fprintf(w, "  décile %2d (%d à %d patients) : %d / %d (%s %%)\n", i+1, d.MinPatients, d.MaxPatients, d.Flagged, d.Unplanted, frnum(100*float64(d.Flagged)/float64(d.Unplanted), 2))
	}
	if len(e.Undetectable) > 0 {
		var ks []string
		for k, n := range e.Undetectable {
			ks = append(ks, fmt.Sprintf("%s (%d)", k, n))
		}
		sort.Strings(ks)
		fmt.Fprintf(w, "Types plantés non mesurés par les profils de prescription : %s.\n", strings.Join(ks, ", "))
	}
}

// RuleScore is the evaluation of one rule against the ground truth.
type RuleScore struct {
	Rule      string
	Intensity float64
	Planted   int // planted entities of this type and intensity
	Found     int // of which alerted by the rule
}

// RuleEval scores the fraud rules: recall per rule and intensity, and the
// share of each rule's alerts that point at a planted entity of its type.
type RuleEval struct {
	Recall []RuleScore
	Alerts map[string][2]int // rule → alerts, alerts on a planted entity of that type
}

// ScoreRules compares alerts with the truth. The entity of an alert is the
// beneficiary for acte_apres_deces (ground truth plants deceased patients) and
// the professional otherwise (the prescriber for collusion).
func ScoreRules(alerts []Alert, t *Truth) *RuleEval {
	key := func(a Alert) string {
		if a.Regle == "acte_apres_deces" {
			return a.Beneficiaire
		}
		return a.Professionnel
	}
	hit := map[string]bool{}
	for _, a := range alerts {
		hit[a.Regle+"|"+key(a)] = true
	}
	planted := map[string]bool{}
	cells := map[string]*RuleScore{}
	for _, a := range t.Anomalies {
		if RuleByCode(a.Type) == nil {
			continue
		}
		planted[a.Type+"|"+a.Entity] = true
		k := fmt.Sprintf("%s|%g", a.Type, a.Intensity)
		c := cells[k]
		if c == nil {
			c = &RuleScore{Rule: a.Type, Intensity: a.Intensity}
			cells[k] = c
		}
		c.Planted++
		if hit[a.Type+"|"+a.Entity] {
			c.Found++
		}
	}
	ev := &RuleEval{Alerts: map[string][2]int{}}
	for _, c := range cells {
		ev.Recall = append(ev.Recall, *c)
	}
	sort.Slice(ev.Recall, func(i, j int) bool {
		a, b := ev.Recall[i], ev.Recall[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Intensity < b.Intensity
	})
	for _, a := range alerts {
		c := ev.Alerts[a.Regle]
		c[0]++
		if planted[a.Regle+"|"+key(a)] {
			c[1]++
		}
		ev.Alerts[a.Regle] = c
	}
	return ev
}

// Write prints the rule evaluation in French.
func (e *RuleEval) Write(w io.Writer) {
	fmt.Fprintln(w, "Rappel par règle et intensité :")
	fmt.Fprintf(w, "  %-36s %9s %7s %7s %7s\n", "règle", "intensité", "plantés", "trouvés", "rappel")
	for _, c := range e.Recall {
		fmt.Fprintf(w, "  %-36s %9s %7d %7d %7s\n", c.Rule, frnum(c.Intensity, 1), c.Planted, c.Found, frnum(float64(c.Found)/float64(c.Planted), 2))
	}
	fmt.Fprintln(w, "Alertes justes par règle (sur une entité plantée de ce type) :")
	for _, r := range Rules {
		c := e.Alerts[r.Code]
		fmt.Fprintf(w, "  %-36s %5d alertes, %5d justes (%s)\n", r.Code, c[0], c[1], frnum(float64(c[1])/float64(c[0]), 2))
	}
}

// OracleRanking is one way the oracle ranks the GPs on their true factors.
type OracleRanking struct {
	Code, Label string
	// Points: the operating points, in the order of OracleGoals.
	Points []OraclePoint
}

// OraclePoint is the head of an oracle ranking cut at one goal: Listed GPs,
// True of them planted surprescription_ij, and the recall per band (Found
// per RecallCell, in Eval.Recall's order).
type OraclePoint struct {
	Goal         string
	Listed, True int
	Found        []int
}

// Oracle is what the best possible ranking could reach on this very data
// (issue 14 §6): every profiled GP ranked by his true expected ratio, the
// generator's factors without sampling noise. It bounds what any method
// can reach on the data; the gap to the method's recall is what a better
// method could gain.
type Oracle struct {
	GPs, Planted, Unplanted int // profiled GPs, of which planted surprescription_ij
	Budget                  int // ⌊budget × profiled GPs⌋, as Target
	// AboveLegit counts the unplanted profiled GPs whose legitimate factor
	// alone reaches 1.5, 2, 2.5 and 3.
	AboveLegit [4]int
	// Q999 is the 99.9th percentile of the unplanted GPs' legitimate factors:
	// the ratio a noise-free rule must reach to flag at most 0.1 % of them.
	Q999     float64
	Rankings []OracleRanking
	// Power is, per RecallCell, the expected number of planted GPs this
	// method flags given their true factors and the standard errors and τ²
	// it measured (Oracle.power); PowerFalse the expected number of
	// unplanted GPs it flags for IJ. ZFlag is the threshold used.
	Power      []float64
	PowerFalse float64
	ZFlag      float64
}

// oracleThresholds are the factors AboveLegit counts.
var oracleThresholds = [4]float64{1.5, 2, 2.5, 3}

// OracleGoals are the operating points of the oracle, in French: the
// budget, the precision goal, the false-flag goal, and all three at once.
var OracleGoals = []string{"budget", "précision ≥ 0,8", "faux ≤ 0,1 %", "les trois"}

// newOracle ranks the profiled GPs of res on their true factors from
// t.LegitIJ; nil when the ground truth has no legitimate factors (data
// written before 3 December 2026).
func newOracle(res *Result, t *Truth, cells []RecallCell) *Oracle {
	if len(t.LegitIJ) == 0 {
		return nil
	}
	type plant struct {
		f       float64
		variant string
	}
	planted := map[string]plant{}
	for _, a := range t.Anomalies {
		if a.Type == "surprescription_ij" && a.EntityType == "professionnel" {
			planted[a.Entity] = plant{a.Intensity, a.Variant}
		}
	}
	type gp struct {
		num       string
		rate, dur float64 // true factor on the rate of arrêts, on their duration
		plant     plant
		planted   bool
		cell      int
	}
	cellOf := map[string]int{}
	for i, c := range cells {
		if c.Type == "surprescription_ij" {
			cellOf[fmt.Sprintf("%g|%s", c.Intensity, c.Variant)] = i
		}
	}
	o := &Oracle{}
	var gps []gp
	var legit []float64
	for _, p := range res.Scored {
		l, ok := t.LegitIJ[p.Num]
		if p.Profession != "1" || !ok {
			continue
		}
		g := gp{num: p.Num, rate: l, dur: 1, cell: -1}
		if pl, ok := planted[p.Num]; ok {
			g.plant, g.planted = pl, true
			if pl.variant == "duree" {
				g.dur = pl.f
			} else {
				g.rate *= pl.f
			}
			if i, ok := cellOf[fmt.Sprintf("%g|%s", pl.f, pl.variant)]; ok {
				g.cell = i
			}
			o.Planted++
		} else {
			o.Unplanted++
			legit = append(legit, l)
			for i, th := range oracleThresholds {
				if l >= th {
					o.AboveLegit[i]++
				}
			}
		}
		gps = append(gps, g)
	}
	o.GPs = len(gps)
	if o.GPs == 0 {
		return nil
	}
	sort.Float64s(legit)
	if len(legit) > 0 {
		o.Q999 = legit[min(len(legit)-1, int(math.Ceil(0.999*float64(len(legit))))-1)]
	}
	o.Budget = max(int(math.Floor(res.Options.Budget*float64(res.Population["1"]))), 1)
	maxFalse := int(math.Floor(0.001 * float64(o.Unplanted)))
	rank := func(code, label string, less func(a, b gp) bool) {
		r := OracleRanking{Code: code, Label: label}
		sort.SliceStable(gps, func(i, j int) bool {
			if less(gps[i], gps[j]) {
				return true
			}
			if less(gps[j], gps[i]) {
				return false
			}
			return gps[i].num < gps[j].num
		})
		// The longest heads meeting each goal.
		kPrec, kFalse := 0, 0
		tp := 0
		for k := 1; k <= len(gps); k++ {
			if gps[k-1].planted {
				tp++
			}
			if float64(tp) >= 0.8*float64(k) {
				kPrec = k
			}
			if k-tp <= maxFalse {
				kFalse = k
			}
		}
		for _, k := range []int{min(o.Budget, len(gps)), kPrec, kFalse, min(o.Budget, kPrec, kFalse)} {
			pt := OraclePoint{Listed: k, Found: make([]int, len(cells))}
			for _, g := range gps[:k] {
				if g.planted {
					pt.True++
					if g.cell >= 0 {
						pt.Found[g.cell]++
					}
				}
			}
			r.Points = append(r.Points, pt)
		}
		for i := range r.Points {
			r.Points[i].Goal = OracleGoals[i]
		}
		o.Rankings = append(o.Rankings, r)
	}
	// The brief's ratio: legitimate factor × planted factor, the expected
	// IJ days per patient against the mean (rapport_attendu for the planted).
	rank("rapport", "rapport attendu (facteur légitime × facteur planté)", func(a, b gp) bool {
		return a.rate*a.dur > b.rate*b.dur
	})
	// Per indicator, as the targeting measures them: the duration of the
	// arrêts has no legitimate variation in the generator, so a noise-free
	// duration ratio above 1 is planted for sure and comes first; then the
	// rate, legitimate factor × planted factor.
	rank("indicateurs", "durée puis taux (la durée n'a pas de variation légitime)", func(a, b gp) bool {
		if a.dur != b.dur {
			return a.dur > b.dur
		}
		return a.rate > b.rate
	})
	// The method's expected recall: a GP is flagged for IJ when the z of
	// his rate (arrets_mt) or of his durations (duree_arrets_mt) exceeds
	// ZFlag. Given his true log factor μ and the standard error S and τ²
	// the funnel measured, Y is ≈ N(μ, S²) and P(z > ZFlag) =
	// Φ((μ − ZFlag·√(S² + τ²))/S); the two indicators are independent.
	o.ZFlag = res.ZFlag["1"]
	o.Power = make([]float64, len(cells))
	iRate, iDur := indicatorIndex("arrets_mt"), indicatorIndex("duree_arrets_mt")
	miss := map[string]float64{} // GP → P(no flag)
	byNum := map[string]int{}
	for i, g := range gps {
		byNum[g.num] = i
	}
	for _, f := range res.Funnels {
		if f.Indicator != iRate && f.Indicator != iDur {
			continue
		}
		for _, p := range f.Points {
			if p.Pro.Profession != "1" || p.S <= 0 {
				continue
			}
			i, ok := byNum[p.Pro.Num]
			if !ok {
				continue
			}
			g := &gps[i]
			mu := math.Log(g.rate)
			if f.Indicator == iDur {
				mu = math.Log(g.dur)
			}
			pr := normalCDF((mu - o.ZFlag*math.Sqrt(p.S*p.S+f.Tau2)) / p.S)
			if _, ok := miss[g.num]; !ok {
				miss[g.num] = 1
			}
			miss[g.num] *= 1 - pr
		}
	}
	for _, g := range gps {
		m, ok := miss[g.num]
		if !ok {
			continue
		}
		switch {
		case g.cell >= 0:
			o.Power[g.cell] += 1 - m
		case !g.planted:
			o.PowerFalse += 1 - m
		}
	}
	return o
}

// normalCDF is the standard normal distribution function.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// writeOracle prints the oracle in French.
func (e *Eval) writeOracle(w io.Writer) {
	if e.Oracle == nil {
		fmt.Fprintln(w, "Oracle : indisponible — ground_truth.json ne liste pas les facteurs légitimes des généralistes (« facteurs_legitimes_ij », écrits par « medconseil synth » depuis le 3 décembre 2026) ; régénérez les données pour le calculer.")
		return
	}
	o := e.Oracle
	fmt.Fprintf(w, "Oracle (meilleur classement possible sur ces données : les %d généralistes profilés, dont %d plantés IJ, classés sur leurs facteurs vrais, sans bruit d'échantillonnage) :\n", o.GPs, o.Planted)
	fmt.Fprintf(w, "  généralistes non plantés à facteur légitime ≥ 1,5 : %d ; ≥ 2 : %d ; ≥ 2,5 : %d ; ≥ 3 : %d (sur %d) ; 99,9e centile : %s\n",
		o.AboveLegit[0], o.AboveLegit[1], o.AboveLegit[2], o.AboveLegit[3], o.Unplanted, frnum(o.Q999, 2))
	var cols []int
	for i, c := range e.Recall {
		if c.Type == "surprescription_ij" {
			cols = append(cols, i)
		}
	}
	for _, r := range o.Rankings {
		fmt.Fprintf(w, "  classement « %s » : %s\n", r.Code, r.Label)
		fmt.Fprintf(w, "    %-18s %6s %6s %9s", "objectif", "listés", "justes", "précision")
		for _, i := range cols {
			c := e.Recall[i]
			fmt.Fprintf(w, " %9s", frnum(c.Intensity, 1)+" "+c.Variant)
		}
		fmt.Fprintln(w)
		for _, p := range r.Points {
			fmt.Fprintf(w, "    %-18s %6d %6d %9s", p.Goal, p.Listed, p.True, frnum(float64(p.True)/float64(p.Listed), 2))
			for _, i := range cols {
				fmt.Fprintf(w, " %9s", fmt.Sprintf("%d/%d", p.Found[i], e.Recall[i].Planted))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "  (budget : %d généralistes ; « faux ≤ 0,1 %% » : au plus %d non plantés listés, 0,1 %% des %d ; « les trois » : la plus courte des trois listes)\n",
		o.Budget, int(math.Floor(0.001*float64(o.Unplanted))), o.Unplanted)
	fmt.Fprintf(w, "  Rappel attendu de cette méthode (facteurs vrais, erreurs types et τ mesurés, seuil z > %s) :", frnum(o.ZFlag, 2))
	for _, i := range cols {
		c := e.Recall[i]
		fmt.Fprintf(w, " %s %s %s/%d ;", frnum(c.Intensity, 1), c.Variant, frnum(o.Power[i], 1), c.Planted)
	}
	fmt.Fprintf(w, " signalements IJ attendus sur les non plantés : %s\n", frnum(o.PowerFalse, 2))
}
