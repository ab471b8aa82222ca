package synth

import (
	"fmt"
	"io"
	"math"
	"sort"
)

// Rate is one produced rate against its target.
type Rate struct {
	Name     string
	Produced float64
	Target   float64
	Source   string
}

// Within reports whether the produced rate is within tol (relative) of the target.
func (r Rate) Within(tol float64) bool {
	return math.Abs(r.Produced-r.Target) <= tol*r.Target
}

// Rates returns the produced rates the issue names, with their targets.
func (s Stats) Rates() []Rate {
	div := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	return []Rate{
		{"arrêts par salarié et par an", div(s.Arrets, s.Salaries), cibleArretsParSalarie, "DREES 2024 : 8,4 M arrêts / 21 M salariés"},
		{"part des arrêts < 8 jours", div(s.ArretsMoins8, s.Arrets), cibleArretsMoins8j, "DREES 2024 : plus de la moitié"},
		{"part des arrêts > 1 an", div(s.ArretsPlus1an, s.Arrets), cibleArretsPlus1an, "DREES 2024 : 3 %"},
		{"séances par paire patient–kiné", div(s.KineSeances, s.KinePaires), cibleSeancesParPaire, "ameli : ≈ 21"},
		{"trajets par patient transporté", div(s.Trajets, s.Transportes), cibleTrajetsParPatient, "Cour des comptes : ≈ 13"},
	}
}

// WriteSummary prints the counts per table and the rates against their targets.
func WriteSummary(w io.Writer, r *Result) {
	fmt.Fprintf(w, "\nTables (lignes) :\n")
	names := make([]string, 0, len(r.Rows))
	for n := range r.Rows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %14s\n", n, groupe(r.Rows[n]))
	}
	s := r.Stats
	fmt.Fprintf(w, "\nPopulation : %s assurés, %s salariés, %s en ALD, %s décès ; %d anomalies plantées (%s)\n",
		groupe(s.Persons), groupe(s.Salaries), groupe(s.ALD), groupe(s.Deces), r.Anomalies, GroundTruthFile)
	fmt.Fprintf(w, "\nTaux produits / cibles (tolérance ±10 %%) :\n")
	rates := r.Calibration
	if rates == nil {
		rates = s.Rates()
	}
	for _, rt := range rates {
		mark := "ok"
		if !rt.Within(0.10) && !(rt.Target == 0 && rt.Produced == 0) {
			mark = "HORS CIBLE"
		}
		fmt.Fprintf(w, "  %-52s %10.3f  cible %9.3f  %-10s %s\n", rt.Name, rt.Produced, rt.Target, mark, rt.Source)
	}
	fmt.Fprintf(w, "\nDurée : %s\n", r.Elapsed.Round(1e7))
}
