package detect

import (
	"math"
	"sort"
	"strings"
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
	// Y is the effect on the log scale: ln(O/E) for a count (the funnel is
	// drawn on that scale, as the NHS SHMI does: legitimate differences
	// between prescribers are multiplicative, and the log pulls in the right
	// skew of small sums), or (O − E)/N, the mean excess of log durations,
	// for a Log indicator. S is its standard error under the null: √V/E
	// (delta method) or √V/N.
	Y, S float64
	// Territory is the part of the log effect explained by the
	// département of practice (empirical Bayes, Funnel.territory), already
	// taken out of Y.
	Territory float64
	// Followed is the part of the log effect explained by the share of his
	// panel the prescriber follows as médecin traitant (AdjustFollowed),
	// already taken out of Y.
	Followed float64
	Z        float64 // naive z, Y/S
	ZAdj     float64 // z with the between-prescriber variance τ², Y/√(S²+τ²)
}

// Funnel is one indicator's funnel for a peer group (a profession in the region,
// or in a département).
type Funnel struct {
	Indicator int
	Group     string  // profession, or profession/département
	Tau2      float64 // between-prescriber variance of Y (log scale), robust estimate
	Phi       float64 // overdispersion factor: the robust mean of z² over its null value
	Kappa     float64 // pooled V/E: the null variance of Y at expected count e is κ/e (counts)
	// LogUnit is, for a Log indicator, the mean expected log duration per
	// arrêt (ΣE/ΣN): it converts Y to the ratio scale O/E the funnel is drawn on.
	LogUnit float64
	Points  []*Point
}

// spread is the standard deviation, at expected count e, of the funnel's
// axis under the null plus τ²: O/E − 1 for a Log indicator, ln(O/E) otherwise.
func (f *Funnel) spread(e float64) float64 {
	if Indicators[f.Indicator].Log && f.LogUnit > 0 {
		return math.Sqrt(f.Kappa/e + f.Tau2/(f.LogUnit*f.LogUnit))
	}
	return math.Sqrt(f.Kappa/e + f.Tau2)
}

// Limit is the upper funnel limit on the ratio O/E at expected count e for z:
// exp(z·√(κ/e + τ²)) for a count (log-scale funnel), 1 + z·√(κ/e + τ²/u²)
// for a Log indicator (u = LogUnit).
func (f *Funnel) Limit(e, z float64) float64 {
	if e <= 0 {
		return math.Inf(1)
	}
	if Indicators[f.Indicator].Log {
		return 1 + z*f.spread(e)
	}
	return math.Exp(z * f.spread(e))
}

// Lower is the lower limit.
func (f *Funnel) Lower(e, z float64) float64 {
	if e <= 0 {
		return 0
	}
	if Indicators[f.Indicator].Log {
		return math.Max(0, 1-z*f.spread(e))
	}
	return math.Exp(-z * f.spread(e))
}

// chi2Median is the median of χ² with one degree of freedom: the median of
// z² when z is standard normal.
const chi2Median = 0.454936

// NewFunnel places the points on the funnel and estimates the overdispersion.
// Y is the log effect (see Point) and S its null standard error. The
// between-prescriber variance τ² is estimated robustly: the smallest τ² for
// which the median of ((Y − m)²/(S² + τ²)) is at most the median of χ²₁,
// m being the weighted median of Y. A median ignores up to half the points,
// so planted or extreme prescribers do not widen the funnel that must catch
// them (the moment estimator of Spiegelhalter 2005, even on z winsorised at
// 10 %, lets the top decile in). φ is that median at τ² = 0 over its null
// value. Every z is then Y/√(S² + τ²): the prescriber against the regional
// standard (Y = 0), not against the median prescriber. Points with no
// expected count are dropped.
func NewFunnel(ind int, group string, pts []*Point) *Funnel {
	f := &Funnel{Indicator: ind, Group: group}
	isLog := Indicators[ind].Log
	var sumE, sumV, sumN float64
	for _, p := range pts {
		if p.E <= 0 || p.V <= 0 || (isLog && p.N <= 0) {
			continue
		}
		p.place(isLog)
		p.Territory = 0 // a point placed twice (Target's first pass) starts afresh
		p.Y -= p.Followed
		p.Z = p.Y / p.S
		f.Points = append(f.Points, p)
		sumE += p.E
		sumV += p.V
		sumN += p.N
	}
	n := len(f.Points)
	if n == 0 {
		return f
	}
	f.Kappa = sumV / sumE
	if isLog && sumN > 0 {
		f.LogUnit = sumE / sumN
	}
	f.Tau2, f.Phi = robustTau2(f.Points)
	if !strings.Contains(group, "/") {
		// Regional funnel: the territory of practice (DETECTION.md §1.2:
		// « à patientèle et territoire d'exercice comparables »).
		f.territory()
		f.Tau2, f.Phi = robustTau2(f.Points)
	}
	for _, p := range f.Points {
		p.ZAdj = p.Y / math.Sqrt(p.S*p.S+f.Tau2)
	}
	return f
}

// AdjustFollowed takes out of every point's Y the part explained by the
// share of the prescriber's panel he follows as médecin traitant: x =
// ln(patients of 16 to 64 whose médecin traitant he is / patients seen). A
// médecin traitant signs his own patients' prescriptions (devices,
// medicines, transports, physiotherapy), a patient seen once brings little:
// counted per patient seen, these indicators rise with x for every doctor,
// whatever his practice. Y is regressed on x by weighted least squares
// (weights 1/(S² + τ²), τ² the robust estimate before adjustment), twice,
// the second time without the points beyond |z| > 3 of the first fit, and
// Y loses b·(x − x̄). Points without x (no médecin traitant patients) keep
// their Y. Call it before the funnel's τ² (NewFunnel re-estimates it).
func AdjustFollowed(ind int, pts []*Point, x map[*Prescriber]float64) {
	var in []*Point
	for _, p := range pts {
		if _, ok := x[p.Pro]; ok && p.E > 0 && p.V > 0 && (!Indicators[ind].Log || p.N > 0) {
			p.place(Indicators[ind].Log)
			in = append(in, p)
		}
	}
	if len(in) < 10 {
		return
	}
	t2, _ := robustTau2(in)
	fit := func(use func(*Point) bool) (a, b, xbar float64, ok bool) {
		var sw, swx, swy, swxx, swxy float64
		for _, p := range in {
			if !use(p) {
				continue
			}
			w := 1 / (p.S*p.S + t2)
			xi := x[p.Pro]
			sw += w
			swx += w * xi
			swy += w * p.Y
			swxx += w * xi * xi
			swxy += w * xi * p.Y
		}
		d := sw*swxx - swx*swx
		if sw == 0 || d <= 0 {
			return 0, 0, 0, false
		}
		b = (sw*swxy - swx*swy) / d
		a = (swy - b*swx) / sw
		return a, b, swx / sw, true
	}
	a, b, _, ok := fit(func(*Point) bool { return true })
	if !ok {
		return
	}
	a, b, xbar, ok := fit(func(p *Point) bool {
		r := p.Y - a - b*x[p.Pro]
		return math.Abs(r)/math.Sqrt(p.S*p.S+t2) <= 3
	})
	if !ok {
		return
	}
	for _, p := range in {
		adj := b * (x[p.Pro] - xbar)
		p.Followed = adj
		p.Y -= adj
	}
}

// robustTau2 is the smallest τ² for which the median of ((Y − m)²/(S² + τ²))
// is at most the median of χ²₁ (m the weighted median of Y), and φ, that
// median at τ² = 0 over its null value.
func robustTau2(pts []*Point) (tau2, phi float64) {
	n := len(pts)
	m := weightedMedianY(pts)
	q := make([]float64, n)
	med := func(t2 float64) float64 {
		for i, p := range pts {
			d := p.Y - m
			q[i] = d * d / (p.S*p.S + t2)
		}
		sort.Float64s(q)
		if n%2 == 1 {
			return q[n/2]
		}
		return (q[n/2-1] + q[n/2]) / 2
	}
	phi = med(0) / chi2Median
	if phi <= 1 {
		return 0, phi
	}
	// med(τ²) decreases with τ²: bisection between 0 and an upper bound.
	lo, hi := 0.0, 1.0
	for med(hi) > chi2Median && hi < 1e6 {
		hi *= 4
	}
	for range 60 {
		mid := (lo + hi) / 2
		if med(mid) > chi2Median {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, phi
}

// territory takes out of Y the part of it that the prescriber's département
// of practice explains, shrunk by empirical Bayes: for each département j
// with at least 5 prescribers, d_j is the weighted median of their Y, with
// variance v_j ≈ (π/2)·(τ_w² + median S²)/n_j (τ_w² the robust τ² of the Y
// centred on their département's median); the between-département
// variance ω² is the excess of the spread of the d_j over the mean v_j
// (method of moments), and the prescriber's Y loses (d_j − m)·ω²/(ω² + v_j),
// m the regional median. With no real territorial difference ω² = 0 and
// nothing moves; the standard stays the region's. The shift is kept in
// Point.Territory for the explanation.
func (f *Funnel) territory() {
	byDept := map[string][]*Point{}
	for _, p := range f.Points {
		byDept[p.Pro.Dept] = append(byDept[p.Pro.Dept], p)
	}
	m := weightedMedianY(f.Points)
	s2 := make([]float64, len(f.Points))
	for i, p := range f.Points {
		s2[i] = p.S * p.S
	}
	sort.Float64s(s2)
	type dept struct {
		pts  []*Point
		d, v float64
	}
	var ds []dept
	for _, pts := range byDept {
		if len(pts) >= 5 {
			ds = append(ds, dept{pts: pts, d: weightedMedianY(pts)})
		}
	}
	if len(ds) < 3 {
		return
	}
	// τ² within départements: each Y centred on its département's median.
	var within []*Point
	for _, d := range ds {
		for _, p := range d.pts {
			within = append(within, &Point{Y: p.Y - d.d, S: p.S})
		}
	}
	tw, _ := robustTau2(within)
	for i := range ds {
		ds[i].v = math.Pi / 2 * (tw + s2[len(s2)/2]) / float64(len(ds[i].pts))
	}
	var spread, meanV float64
	for _, d := range ds {
		spread += (d.d - m) * (d.d - m)
		meanV += d.v
	}
	spread /= float64(len(ds) - 1)
	meanV /= float64(len(ds))
	omega2 := spread - meanV
	if omega2 <= 0 {
		return
	}
	for _, d := range ds {
		shift := (d.d - m) * omega2 / (omega2 + d.v)
		for _, p := range d.pts {
			p.Territory = shift
			p.Y -= shift
			p.Z = p.Y / p.S
		}
	}
}

// place computes the ratio, its standard error and the log effect Y, S.
func (p *Point) place(isLog bool) {
	p.SR = p.O / p.E
	p.SE = math.Sqrt(p.V) / p.E
	if isLog {
		p.Y = (p.O - p.E) / p.N
		p.S = math.Sqrt(p.V) / p.N
	} else {
		// Half a unit for a prescriber with nothing observed: ln 0 is
		// not a number, and a sum this small is far below any limit.
		p.Y = math.Log(math.Max(p.O, 0.5) / p.E)
		p.S = p.SE
	}
	p.Z = p.Y / p.S
}

// weightedMedianY is the median of Y weighted by 1/S² (the precise points
// count more).
func weightedMedianY(pts []*Point) float64 {
	type yw struct{ y, w float64 }
	v := make([]yw, len(pts))
	var tot float64
	for i, p := range pts {
		v[i] = yw{p.Y, 1 / (p.S * p.S)}
		tot += v[i].w
	}
	sort.Slice(v, func(i, j int) bool { return v[i].y < v[j].y })
	var acc float64
	for _, x := range v {
		acc += x.w
		if acc >= tot/2 {
			return x.y
		}
	}
	return v[len(v)-1].y
}

// TauFloor is the smallest between-prescriber standard deviation used to
// shrink ratios: when the estimate gives τ² = 0 every ratio would
// shrink to 1 and carry no information (DETECTION.md §2.5).
const TauFloor = 0.05

// shrunkY is the empirical-Bayes shrunken log effect: Y pulled towards 0 by
// the share of its variance that is noise, Y·τ²/(τ² + S²), with τ ≥ TauFloor.
func (f *Funnel) shrunkY(p *Point) float64 {
	t2 := math.Max(f.Tau2, TauFloor*TauFloor)
	return p.Y * t2 / (t2 + p.S*p.S)
}

// Shrunk is the empirical-Bayes shrunken ratio of p on f (ShrunkEffect).
// Small panels are pulled the most; it is the ratio a médecin-conseil should
// read, and the one the Cnam's "≥ 2×" condition (--ratio) applies to.
func (f *Funnel) Shrunk(p *Point) float64 { return f.ShrunkEffect(p) }

// Effect is the size of p's excess as a médecin-conseil reads it: the ratio
// O/E, or for a Log indicator (sums of log durations) the ratio of geometric
// mean durations exp((O − E)/N). Both are exp(Y).
func (f *Funnel) Effect(p *Point) float64 {
	if Indicators[f.Indicator].Log && p.N > 0 {
		return math.Exp((p.O - p.E) / p.N)
	}
	return p.SR
}

// AdjustedEffect is the effect once the territory of practice is taken out,
// exp(Y): what the materiality condition (Options.MinEffect) reads.
func (f *Funnel) AdjustedEffect(p *Point) float64 { return math.Exp(p.Y) }

// ShrunkEffect is Effect after the empirical-Bayes shrinkage: exp of the
// shrunken log effect.
func (f *Funnel) ShrunkEffect(p *Point) float64 {
	return math.Exp(f.shrunkY(p))
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
