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
	Format    int     `json:"format"`
	Scale     float64 `json:"scale"`
	Seed      uint64  `json:"seed"`
	Year      int     `json:"year"`
	Anomalies []struct {
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
	} `json:"anomalies"`
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
