package detect

import (
	"math"
	"sort"
)

// Funnel limits (Spiegelhalter 2005): 95 % and 99.8 % two-sided, normal
// approximation. A prescriber is an outlier beyond the 99.8 % limit.
const (
	Z95  = 1.959964
	Z998 = 3.090232
)

// Reference is the regional rate of one indicator per stratum, for one
// profession: the mean per patient (Mu) and the variance per patient (Var) over
// every (prescriber, patient) pair of the stratum.
type Reference struct {
	Mu, Var []float64
}

// NewReference pools the cells of all the given prescribers for indicator ind.
func NewReference(ps []*Prescriber, ind int) Reference {
	k := 0
	if len(ps) > 0 {
		k = len(ps[0].Cells[ind])
	}
	n := make([]float64, k)
	s1 := make([]float64, k)
	s2 := make([]float64, k)
	for _, p := range ps {
		for s, c := range p.Cells[ind] {
			n[s] += float64(c.N)
			s1[s] += c.S1
			s2[s] += c.S2
		}
	}
	r := Reference{Mu: make([]float64, k), Var: make([]float64, k)}
	for s := range n {
		if n[s] == 0 {
			continue
		}
		r.Mu[s] = s1[s] / n[s]
		r.Var[s] = math.Max(0, s2[s]/n[s]-r.Mu[s]*r.Mu[s])
	}
	return r
}

// Expected is the indirect standardisation of one prescriber: observed O (what
// he prescribed to his patients), expected E = Σ_s n_s·μ_s (what prescribers of
// the region prescribe to patients of the same age and sex) and the null
// variance V = Σ_s n_s·σ²_s of O (a sum of independent patients; for days or
// boxes this is the compound, overdispersed variance, not O).
func (r Reference) Expected(cells []Cell) (o, e, v float64) {
	for s, c := range cells {
		o += c.S1
		e += float64(c.N) * r.Mu[s]
		v += float64(c.N) * r.Var[s]
	}
	return o, e, v
}

// Point is one prescriber on one funnel.
type Point struct {
	Pro       *Prescriber
	Indicator int
	O, E, V   float64
	N         float64 // units counted: patients, or arrêts for a Log indicator
	SR        float64 // standardised ratio O/E
	SE        float64 // its standard error under the null, √V/E
	Z         float64 // naive z, (SR−1)/SE
	ZAdj      float64 // z with the between-prescriber variance τ², (SR−1)/√(SE²+τ²)
}

// Funnel is one indicator's funnel for a peer group (a profession in the region,
// or in a département).
type Funnel struct {
	Indicator int
	Group     string  // profession, or profession/département
	Tau2      float64 // additive between-prescriber variance (ratio scale)
	Phi       float64 // overdispersion factor from winsorised z
	Kappa     float64 // pooled V/E: the limits as a function of E are 1 ± z·√(κ/E + τ²)
	Points    []*Point
}

// Limit is the upper funnel limit on the ratio at expected count e for z.
func (f *Funnel) Limit(e, z float64) float64 {
	if e <= 0 {
		return math.Inf(1)
	}
	return 1 + z*math.Sqrt(f.Kappa/e+f.Tau2)
}

// Lower is the lower limit.
func (f *Funnel) Lower(e, z float64) float64 {
	if e <= 0 {
		return 0
	}
	return math.Max(0, 1-z*math.Sqrt(f.Kappa/e+f.Tau2))
}

// winsorConsistency is the mean of z² winsorised at the 10th and 90th
// percentiles when z is standard normal: (2Φ(q) − 1) − 2qϕ(q) + 0.2q² with
// q = Φ⁻¹(0.9) = 1.28155, i.e. 0.8 − 0.44982 + 0.32847. Spiegelhalter's
// winsorised mean of z² estimates φ times this, not φ: left uncorrected it
// underestimates the overdispersion by a third, and on the synthetic region
// the funnels then flagged 3 to 8 % of legitimate prescribers per decile
// (docs/detection.md, « Résultats »).
const winsorConsistency = 0.678653

// NewFunnel places the points on the funnel and estimates the overdispersion:
// z-scores winsorised at 10 % and 90 % give φ = mean(z²) / 0.6787 (the
// consistency constant of that winsorisation under the null); when n·φ exceeds n−1,
// τ² = (nφ − (n−1)) / (Σw − Σw²/Σw) with w = 1/SE² (Spiegelhalter 2005, Qual
// Saf Health Care 14:347, additive random effects), and every z is recomputed
// with SE² + τ². Points with no expected count are dropped.
func NewFunnel(ind int, group string, pts []*Point) *Funnel {
	f := &Funnel{Indicator: ind, Group: group}
	var sumO, sumE, sumV float64
	for _, p := range pts {
		if p.E <= 0 || p.V <= 0 {
			continue
		}
		p.SR = p.O / p.E
		p.SE = math.Sqrt(p.V) / p.E
		p.Z = (p.SR - 1) / p.SE
		f.Points = append(f.Points, p)
		sumO += p.O
		sumE += p.E
		sumV += p.V
	}
	n := len(f.Points)
	if n == 0 {
		return f
	}
	f.Kappa = sumV / sumE
	zs := make([]float64, n)
	for i, p := range f.Points {
		zs[i] = p.Z
	}
	sort.Float64s(zs)
	lo, hi := zs[int(math.Floor(0.1*float64(n-1)))], zs[int(math.Ceil(0.9*float64(n-1)))]
	var phi float64
	for _, z := range zs {
		z = math.Min(math.Max(z, lo), hi)
		phi += z * z
	}
	phi /= float64(n) * winsorConsistency
	f.Phi = phi
	if fn := float64(n); fn*phi > fn-1 {
		var sw, sw2 float64
		for _, p := range f.Points {
			w := 1 / (p.SE * p.SE)
			sw += w
			sw2 += w * w
		}
		if d := sw - sw2/sw; d > 0 {
			f.Tau2 = (fn*phi - (fn - 1)) / d
		}
	}
	for _, p := range f.Points {
		p.ZAdj = (p.SR - 1) / math.Sqrt(p.SE*p.SE+f.Tau2)
	}
	return f
}

// TauFloor is the smallest between-prescriber standard deviation used to
// shrink ratios: when the method of moments gives τ² = 0 every ratio would
// shrink to 1 and carry no information (DETECTION.md §2.5).
const TauFloor = 0.05

// Shrunk is the empirical-Bayes shrunken ratio of p on f: the observed ratio
// pulled towards 1 by the share of its variance that is noise,
// 1 + (SR − 1)·τ²/(τ² + SE²), with τ ≥ TauFloor. Small panels are pulled the
// most; it is the ratio a médecin-conseil should read, and the one the Cnam's
// "≥ 2×" condition applies to.
func (f *Funnel) Shrunk(p *Point) float64 {
	t2 := math.Max(f.Tau2, TauFloor*TauFloor)
	return 1 + (p.SR-1)*t2/(t2+p.SE*p.SE)
}

// Effect is the size of p's excess as a médecin-conseil reads it: the ratio
// O/E, or for a Log indicator (sums of log durations) the ratio of geometric
// mean durations exp((O − E)/N).
func (f *Funnel) Effect(p *Point) float64 {
	if Indicators[f.Indicator].Log && p.N > 0 {
		return math.Exp((p.O - p.E) / p.N)
	}
	return p.SR
}

// ShrunkEffect is Effect after the empirical-Bayes shrinkage of Shrunk.
func (f *Funnel) ShrunkEffect(p *Point) float64 {
	if Indicators[f.Indicator].Log && p.N > 0 {
		return math.Exp((f.Shrunk(p) - 1) * p.E / p.N)
	}
	return f.Shrunk(p)
}

// Shown is what a profile page prints for p: observed, expected, ratio,
// shrunk ratio and the 95 % and 99.8 % limits for its volume. For a Log
// indicator they are in days per arrêt (geometric means) and ratios of
// durations, not sums of logarithms.
type Shown struct {
	O, E, Ratio, Shrunk, Limit95, Limit998 float64
}

// Show converts p to what a médecin-conseil reads.
func (f *Funnel) Show(p *Point) Shown {
	s := Shown{O: p.O, E: p.E, Ratio: f.Effect(p), Shrunk: f.ShrunkEffect(p), Limit95: f.Limit(p.E, Z95), Limit998: f.Limit(p.E, Z998)}
	if Indicators[f.Indicator].Log && p.N > 0 {
		s.O, s.E = math.Exp(p.O/p.N), math.Exp(p.E/p.N)
		s.Limit95 = math.Exp((s.Limit95 - 1) * p.E / p.N)
		s.Limit998 = math.Exp((s.Limit998 - 1) * p.E / p.N)
	}
	return s
}
