package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Kind is a kind of health professional or provider in private practice.
type Kind uint8

// The kinds of provider.
const (
	KindGeneraliste Kind = iota
	KindSpecialiste
	KindKine
	KindDentiste
	KindPharmacie
	KindSageFemme
	KindLabo
	KindInfirmier
	KindAmbulance
	KindTaxi
	nKinds
)

var kindNames = [nKinds]string{"généraliste", "spécialiste", "masseur-kinésithérapeute", "chirurgien-dentiste", "pharmacie", "sage-femme", "laboratoire", "infirmier", "entreprise de transport sanitaire", "taxi conventionné"}

func (k Kind) String() string { return kindNames[k] }

// kindCode gives, per kind, the category digit of the cabinet number (third
// character after the 2-digit département), the activity nature PSE_ACT_NAT
// (IR_ACT_V, "0" for physicians) and the weight exponent on commune population
// (specialists and laboratories cluster in towns).
var kindCode = [nKinds]struct {
	cat    byte
	act    string
	expo   float64
	noRPPS bool
}{
	KindGeneraliste: {'1', "0", 1.0, false},
	KindSpecialiste: {'1', "0", 1.6, false},
	KindKine:        {'7', "26", 1.05, false},
	KindDentiste:    {'4', "19", 1.1, false},
	KindPharmacie:   {'2', "50", 0.95, false},
	KindSageFemme:   {'3', "21", 1.3, false},
	KindLabo:        {'6', "39", 1.6, false},
	KindInfirmier:   {'7', "24", 0.95, false},
	KindAmbulance:   {'8', "55", 1.0, true},
	KindTaxi:        {'8', "56", 0.9, true},
}

// specialites is the mix of specialists in private practice (DREES, démographie
// des médecins 2023, libéraux) with their PSE_SPE_COD (IR_SPE_V).
var specialites = []struct {
	code string
	p    float64
}{
	{"3", 0.08}, {"5", 0.06}, {"6", 0.10}, {"7", 0.08}, {"8", 0.05}, {"11", 0.05},
	{"12", 0.06}, {"13", 0.03}, {"14", 0.04}, {"15", 0.11}, {"33", 0.09}, {"32", 0.03},
	{"41", 0.07}, {"2", 0.07}, {"16", 0.03}, {"42", 0.02}, {"31", 0.03},
}

// Pro is one provider: a practitioner or a company (pharmacy, laboratory,
// transporter), with its cabinet number (PFS_PFS_NUM) and RPPS.
type Pro struct {
	Kind    Kind
	PFS     string // 8 characters: département (2), category (1), order (5)
	RPPS    string // 11 digits, "" for companies without
	Spe     string // PSE_SPE_COD
	Act     string // PSE_ACT_NAT
	Commune int32
	Lat     float64
	Lon     float64
	Sex     uint8
	Born    int
	Spa     string  // PFS_PRA_SPE (IR_SPA_D): the specialty, or the profession for non-physicians
	Sector  uint8   // 1, or 2 (honoraires libres: dépassements)
	DepRate float64 // sector 2: mean dépassement as a share of the tariff
	// Legitimate variation between providers, where anomalies hide.
	IJ        float64  // GP: propensity to prescribe arrêts (log-normal, log-SD 0.3)
	Serie     float64  // kiné: length of its series (log-normal, log-SD 0.2)
	Route     float64  // transporter: route/crow-fly factor of its usual routes
	Vehicles  [3]int32 // transporter: ambulances, VSL, taxis
	MinPerAct float64  // kiné, nurse: minutes of its usual act (drawn, not used yet by the generation)
	Renew     float64  // kiné: share of its threshold series renewed under a new prescription
	PostOp    float64  // kiné: weight of post-operative (threshold) situations in its patients
	Habit     int32    // GP: the transporter its practice usually calls, -1 none
	HabitP    float64  // GP: share of its prescribed trips given to Habit
}

// Offer is the region's supply of care: professionals and establishments, with for
// each commune its nearest providers of each kind and the gravity model that
// shares the commune's patients among its candidate providers.
type Offer struct {
	Pros     []Pro
	ByKind   [nKinds][]int32
	near     [nKinds][][]int32 // per commune, indices into Pros of the nearest providers
	grav     [nKinds][]gravChoice
	spec     map[string][]gravChoice // specialists, per specialty then commune
	nearEtab map[string][][]int32
}

// gravChoice is, for one commune, the candidate providers and the cumulative
// probabilities of choosing each (gravity model balanced against capacity).
type gravChoice struct {
	idx []int32
	cum []float32
}

func (c gravChoice) draw(rng *rand.Rand) int32 {
	if len(c.idx) == 0 {
		return -1
	}
	x := rng.Float32() * c.cum[len(c.cum)-1]
	i := sort.Search(len(c.cum), func(i int) bool { return c.cum[i] > x })
	if i == len(c.idx) {
		i--
	}
	return c.idx[i]
}

const nearK = 6

// buildOffer places the professionals of the seed's numbers (× scale) in the
// communes, weighted by population, and numbers them.
func buildOffer(ref *Reference, scale float64, seed uint64) *Offer {
	rng := newRNG(seed, streamOffer)
	o := &Offer{nearEtab: map[string][][]int32{}}
	counters := map[string]int{}
	for _, def := range offreGrandEst {
		n := int(math.Round(float64(def.count) * scale))
		if n < 2 {
			n = 2
		}
		kc := kindCode[def.kind]
		cum := cumulative(ref.Communes, kc.expo)
		for i := 0; i < n; i++ {
			ci := pick(cum, rng)
			c := ref.Communes[ci]
			key := c.Dep + string(kc.cat)
			counters[key]++
			p := Pro{
				Kind:    def.kind,
				PFS:     fmt.Sprintf("%s%c%05d", c.Dep, kc.cat, 10000+counters[key]),
				Act:     kc.act,
				Spe:     "0",
				Commune: int32(ci),
				Lat:     c.Lat + (rng.Float64()-0.5)*0.01,
				Lon:     c.Lon + (rng.Float64()-0.5)*0.01,
				Sex:     uint8(1 + rng.IntN(2)),
				Born:    1955 + rng.IntN(45),
			}
			p.Sector = 1
			switch def.kind {
			case KindGeneraliste:
				p.Spe = "1"
				p.IJ = math.Exp(0.3*rng.NormFloat64() - 0.045)
				if rng.Float64() < partSecteur2MG {
					p.Sector = 2
				}
			case KindSpecialiste:
				p.Spe = specialites[pickP(len(specialites), func(i int) float64 { return specialites[i].p }, rng)].code
				if rng.Float64() < partSecteur2Spe {
					p.Sector = 2
				}
			case KindKine:
				p.Serie = math.Exp(0.2*rng.NormFloat64() - 0.02)
				p.Renew = math.Min(0.7, 0.08*math.Exp(1.2*rng.NormFloat64()))
				p.PostOp = math.Exp(0.7*rng.NormFloat64() - 0.25)
				p.MinPerAct = 20 + 10*rng.Float64()
			case KindInfirmier:
				p.MinPerAct = 8 + 6*rng.Float64()
			case KindAmbulance:
				u := rng.Float64()
				p.Route = 1.15 + 0.5*u*u
				p.Vehicles = [3]int32{int32(1 + rng.IntN(5)), int32(1 + rng.IntN(7)), 0}
			case KindTaxi:
				u := rng.Float64()
				p.Route = 1.15 + 0.5*u*u
				p.Vehicles = [3]int32{0, 0, int32(1 + rng.IntN(3))}
			}
			p.Spa = kindSpa[def.kind]
			if p.Spa == "" {
				p.Spa = p.Spe
			}
			if p.Sector == 2 {
				// Mean dépassement of a sector-2 practitioner, as a share of the
				// tariff (DREES 2023: ≈ 50 % for specialists, wide spread).
				p.DepRate = math.Exp(math.Log(0.40) + 0.5*rng.NormFloat64())
			}
			if !kc.noRPPS {
				p.RPPS = rppsFor(rng)
			}
			o.ByKind[def.kind] = append(o.ByKind[def.kind], int32(len(o.Pros)))
			o.Pros = append(o.Pros, p)
		}
	}
	for k := Kind(0); k < nKinds; k++ {
		o.near[k] = make([][]int32, len(ref.Communes))
		for ci, c := range ref.Communes {
			o.near[k][ci] = nearest(len(o.ByKind[k]), nearK, c.Lat, c.Lon, func(i int) (float64, float64) {
				p := &o.Pros[o.ByKind[k][i]]
				return p.Lat, p.Lon
			}, func(i int) int32 { return o.ByKind[k][i] })
		}
	}
	o.buildGravity(ref, rng)
	// A GP's practice usually calls one transporter for its patients: a share
	// from none to most of its prescribed trips (rural practices with one local
	// company are the high end).
	for _, gp := range o.ByKind[KindGeneraliste] {
		p := &o.Pros[gp]
		p.Habit = -1
		c := p.Commune
		kind := KindTaxi
		if rng.Float64() < 0.4 {
			kind = KindAmbulance
		}
		if t := o.grav[kind][c].draw(rng); t >= 0 {
			u := rng.Float64()
			p.Habit, p.HabitP = t, 0.88*u*u
		}
	}
	groups := map[string]func(cat string) bool{
		"any":     func(cat string) bool { return cat == "1101" || cat == "1102" || cat == "1110" || cat == "1106" },
		"cancer":  func(cat string) bool { return cat == "1101" || cat == "1104" || cat == "1102" },
		"dialyse": func(cat string) bool { return cat == "1203" || cat == "1101" },
		"ssr":     func(cat string) bool { return cat == "1107" },
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		var idx []int32
		for i, e := range ref.Etablissements {
			if groups[g](e.Cat) {
				idx = append(idx, int32(i))
			}
		}
		lists := make([][]int32, len(ref.Communes))
		for ci, c := range ref.Communes {
			lists[ci] = nearest(len(idx), 3, c.Lat, c.Lon, func(i int) (float64, float64) {
				e := &ref.Etablissements[idx[i]]
				return e.Lat, e.Lon
			}, func(i int) int32 { return idx[i] })
		}
		o.nearEtab[g] = lists
	}
	return o
}

// kindSpa is PFS_PRA_SPE (IR_SPA_D) of the non-physicians: their profession.
var kindSpa = [nKinds]string{
	KindKine: "26", KindDentiste: "19", KindPharmacie: "50", KindSageFemme: "21",
	KindLabo: "30", KindInfirmier: "24", KindAmbulance: "55", KindTaxi: "56",
}

// gravityParams gives per kind the distance decay d0 (km) of the gravity model,
// the log-SD of the providers' target volumes and the cap of a target as a
// multiple of the mean (a practice has finite capacity).
var gravityParams = [nKinds]struct{ d0, sd, cap float64 }{
	KindGeneraliste: {4, 0.45, 2.2},
	KindSpecialiste: {15, 0.45, 2.5},
	KindKine:        {4, 0.35, 1.9},
	KindDentiste:    {5, 0.4, 2.2},
	KindPharmacie:   {2.5, 0.4, 2.5},
	KindSageFemme:   {8, 0.4, 2.2},
	KindLabo:        {8, 0.4, 2.5},
	KindInfirmier:   {3, 0.35, 1.9},
	KindAmbulance:   {12, 0.5, 2.5},
	KindTaxi:        {8, 0.5, 2.5},
}

const gravK = 10 // candidates per commune beyond those located in it

// buildGravity builds, for each kind (and each specialty), each commune's
// candidate providers (the nearest ones and all those in the commune) and their
// choice probabilities: attractiveness × exp(-distance/d0), the attractiveness
// balanced so that each provider's expected volume meets its own target (a
// log-normal draw, capped): no provider is idle, none takes a whole town.
func (o *Offer) buildGravity(ref *Reference, rng *rand.Rand) {
	o.spec = map[string][]gravChoice{}
	for k := Kind(0); k < nKinds; k++ {
		if k == KindSpecialiste {
			bySpe := map[string][]int32{}
			for _, i := range o.ByKind[k] {
				bySpe[o.Pros[i].Spe] = append(bySpe[o.Pros[i].Spe], i)
			}
			for _, s := range specialites {
				if l := bySpe[s.code]; len(l) > 0 {
					o.spec[s.code] = o.gravity(ref, l, gravityParams[k].d0, gravityParams[k].sd, gravityParams[k].cap, rng)
				}
			}
		}
		o.grav[k] = o.gravity(ref, o.ByKind[k], gravityParams[k].d0, gravityParams[k].sd, gravityParams[k].cap, rng)
	}
}

func (o *Offer) gravity(ref *Reference, pros []int32, d0, sd, capMult float64, rng *rand.Rand) []gravChoice {
	nc := len(ref.Communes)
	out := make([]gravChoice, nc)
	if len(pros) == 0 {
		return out
	}
	pos := map[int32]int{} // Pros index → position in pros
	inCommune := map[int32][]int32{}
	for j, p := range pros {
		pos[p] = j
		inCommune[o.Pros[p].Commune] = append(inCommune[o.Pros[p].Commune], p)
	}
	type cand struct {
		j int     // position in pros
		f float64 // distance factor
	}
	cands := make([][]cand, nc)
	demand := make([]float64, nc)
	total := 0.0
	for ci, c := range ref.Communes {
		demand[ci] = float64(c.Population)
		total += demand[ci]
		ids := nearest(len(pros), gravK, c.Lat, c.Lon, func(i int) (float64, float64) {
			p := &o.Pros[pros[i]]
			return p.Lat, p.Lon
		}, func(i int) int32 { return pros[i] })
		seen := map[int32]bool{}
		for _, p := range append(ids, inCommune[int32(ci)]...) {
			if seen[p] {
				continue
			}
			seen[p] = true
			pr := &o.Pros[p]
			d := distanceKm(c.Lat, c.Lon, pr.Lat, pr.Lon)
			cands[ci] = append(cands[ci], cand{pos[p], math.Exp(-d / d0)})
		}
		sort.Slice(cands[ci], func(a, b int) bool { return cands[ci][a].j < cands[ci][b].j })
	}
	n := len(pros)
	mean := total / float64(n)
	target := make([]float64, n)
	for j := range target {
		target[j] = math.Min(mean*math.Exp(sd*rng.NormFloat64()-sd*sd/2), capMult*mean)
	}
	w := make([]float64, n)
	for j := range w {
		w[j] = 1
	}
	load := make([]float64, n)
	for it := 0; it < 40; it++ {
		clear(load)
		for ci, cs := range cands {
			s := 0.0
			for _, c := range cs {
				s += w[c.j] * c.f
			}
			if s == 0 {
				continue
			}
			for _, c := range cs {
				load[c.j] += demand[ci] * w[c.j] * c.f / s
			}
		}
		for j := range w {
			if load[j] > 0 {
				w[j] *= math.Pow(target[j]/load[j], 0.7)
				w[j] = math.Min(math.Max(w[j], 1e-6), 1e6)
			}
		}
	}
	for ci, cs := range cands {
		g := gravChoice{idx: make([]int32, len(cs)), cum: make([]float32, len(cs))}
		s := 0.0
		for i, c := range cs {
			s += w[c.j] * c.f
			g.idx[i] = pros[c.j]
			g.cum[i] = float32(s)
		}
		if s == 0 { // all too far: uniform
			for i := range g.cum {
				g.cum[i] = float32(i + 1)
			}
		}
		out[ci] = g
	}
	return out
}

// Choose draws a provider of a kind for a patient of the commune (gravity model).
func (o *Offer) Choose(k Kind, commune int32, rng *rand.Rand) int32 {
	return o.grav[k][commune].draw(rng)
}

// ChooseSpecialist draws a specialist of the given specialty (PSE_SPE_COD).
func (o *Offer) ChooseSpecialist(spe string, commune int32, rng *rand.Rand) int32 {
	if g, ok := o.spec[spe]; ok {
		return g[commune].draw(rng)
	}
	return o.Choose(KindSpecialiste, commune, rng)
}

// Near returns the nearest providers of a kind to a commune, closest first.
func (o *Offer) Near(k Kind, commune int32) []int32 { return o.near[k][commune] }

// nearest returns up to k items closest to (lat, lon), closest first, ties by index.
func nearest(n, k int, lat, lon float64, at func(int) (float64, float64), id func(int) int32) []int32 {
	type cand struct {
		d float64
		i int
	}
	best := make([]cand, 0, k+1)
	cosLat := math.Cos(lat * math.Pi / 180)
	for i := 0; i < n; i++ {
		la, lo := at(i)
		dx := (lo - lon) * cosLat
		dy := la - lat
		d := dx*dx + dy*dy
		if len(best) == k && d >= best[k-1].d {
			continue
		}
		j := len(best)
		if j < k {
			best = append(best, cand{})
		} else {
			j = k - 1
		}
		for j > 0 && best[j-1].d > d {
			best[j] = best[j-1]
			j--
		}
		best[j] = cand{d, i}
	}
	out := make([]int32, len(best))
	for i, c := range best {
		out[i] = id(c.i)
	}
	return out
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// rppsFor returns an RPPS number: "10", 8 digits and a Luhn check digit.
func rppsFor(rng *rand.Rand) string {
	b := []byte(fmt.Sprintf("10%08d", rng.IntN(100_000_000)))
	return string(b) + string('0'+luhn(b))
}

func luhn(digits []byte) byte {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte((10 - sum%10) % 10)
}

func cumulative(cs []Commune, expo float64) []float64 {
	cum := make([]float64, len(cs))
	s := 0.0
	for i, c := range cs {
		s += math.Pow(float64(c.Population), expo)
		cum[i] = s
	}
	return cum
}

// pick draws an index with probability proportional to the cumulative weights.
func pick(cum []float64, rng *rand.Rand) int {
	x := rng.Float64() * cum[len(cum)-1]
	return sort.SearchFloat64s(cum, x)
}

// pickP draws an index with the probabilities p(i) (summing to about 1).
func pickP(n int, p func(int) float64, rng *rand.Rand) int {
	return pickU(n, p, rng.Float64())
}

// pickU is pickP for a given uniform u in [0, 1).
func pickU(n int, p func(int) float64, u float64) int {
	tot := 0.0
	for i := 0; i < n; i++ {
		tot += p(i)
	}
	x := u * tot
	for i := 0; i < n; i++ {
		x -= p(i)
		if x < 0 {
			return i
		}
	}
	return n - 1
}
