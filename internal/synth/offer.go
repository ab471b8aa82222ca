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
}

// Offer is the region's supply of care: professionals and establishments, with for
// each commune its nearest providers of each kind.
type Offer struct {
	Pros     []Pro
	ByKind   [nKinds][]int32
	near     [nKinds][][]int32 // per commune, indices into Pros of the nearest providers
	nearEtab map[string][][]int32
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
			switch def.kind {
			case KindGeneraliste:
				p.Spe = "1"
			case KindSpecialiste:
				p.Spe = specialites[pickP(len(specialites), func(i int) float64 { return specialites[i].p }, rng)].code
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
