package synth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"medconseil"
)

// Person is one insured of the synthetic region. Claims are streamed; the
// population itself stays in memory (≈ 100 bytes each, 0.5 GB at scale 1.0).
type Person struct {
	NIR     medconseil.NIR
	PSA     string // BEN_NIR_PSA: keyed pseudonym of the NIR
	Birth   medconseil.Date
	Death   medconseil.Date // zero when alive at the end of the year
	Commune int32           // index into Reference.Communes
	MT      int32           // médecin traitant, index into Offer.Pros; -1 none
	Lat     float32         // home, placed inside the commune
	Lon     float32
	Sex     uint8
	Salarie bool
	ALD     int8 // index into aldMix, -1 none
	ALDCim  uint8
	ALDNew  bool // protocol opened during the year
	Phantom bool // planted: exists only through one provider's claims
}

// Age returns the age on d.
func (p *Person) Age(d medconseil.Date) int { return p.Birth.AgeAt(d) }

// paysNaissance lists the countries of birth abroad (INSEE country codes, after
// the 99 of the NIR) most frequent in Grand Est: Algérie, Maroc, Turquie,
// Portugal, Italie, Allemagne, Tunisie.
var paysNaissance = []string{"352", "350", "208", "139", "127", "109", "351"}

// pseudonymiser computes BEN_NIR_PSA: as in the SNDS, a keyed one-way function
// of the NIR, so the same person keeps the same pseudonym across tables and the
// NIR cannot be recomputed without the key. Here the key derives from the seed and
// is never written.
type pseudonymiser struct{ key []byte }

func newPseudonymiser(seed uint64) pseudonymiser {
	h := sha256.Sum256(fmt.Appendf(nil, "medconseil synth BEN_NIR_PSA %d", seed))
	return pseudonymiser{key: h[:]}
}

func (ps pseudonymiser) psa(nir medconseil.NIR) string {
	m := hmac.New(sha256.New, ps.key)
	m.Write([]byte(nir))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil))[:17])
}

// buildPopulation allocates the insured to the communes in proportion to their
// legal population (largest remainders), then draws each one's age, sex, NIR,
// employment, ALD, death and médecin traitant.
func buildPopulation(ref *Reference, off *Offer, cfg Config, orders map[uint64]uint16) []Person {
	total := int(math.Round(InsuredGrandEst * cfg.Scale))
	counts := allocate(ref.Communes, total)
	rng := newRNG(cfg.Seed, streamPopulation)
	ps := newPseudonymiser(cfg.Seed)
	yearStart := medconseil.NewDate(cfg.Year, time.January, 1)
	yearEnd := medconseil.NewDate(cfg.Year, time.December, 31)

	regionCum := cumulative(ref.Communes, 1)
	depCum := map[string][]float64{}
	depIdx := map[string][]int{}
	for i, c := range ref.Communes {
		depIdx[c.Dep] = append(depIdx[c.Dep], i)
		s := 0.0
		if l := depCum[c.Dep]; len(l) > 0 {
			s = l[len(l)-1]
		}
		depCum[c.Dep] = append(depCum[c.Dep], s+float64(c.Population))
	}
	natCum := cumulative(ref.Nationales, 1)
	mtList := make([]int32, len(off.Pros)) // patients per médecin traitant

	out := make([]Person, 0, total)
	for ci, n := range counts {
		c := ref.Communes[ci]
		for k := 0; k < n; k++ {
			band := pickP(len(pyramide), func(i int) float64 { return pyramide[i].permille }, rng)
			age := band*5 + rng.IntN(5)
			if band == len(pyramide)-1 {
				age = 95 + rng.IntN(8)
			}
			sex := uint8(2)
			if rng.Float64() < pyramide[band].male {
				sex = 1
			}
			birth := yearStart.AddDays(-age*365 - rng.IntN(365) - age/4)
			if age == 0 && rng.Float64() < naissancesPart/(pyramide[0].permille/5/1000) {
				// Born during the year (INSEE: ≈ 0.9 % of the population).
				birth = yearStart.AddDays(rng.IntN(365))
			}
			p := Person{Birth: birth, Commune: int32(ci), Sex: sex, MT: -1, ALD: -1}
			// Home inside the commune: a disc whose radius grows with the
			// population (≈ 1 km for a village, ≈ 6 km for a city).
			r := math.Min(6, 0.6+0.02*math.Sqrt(float64(c.Population))) * math.Sqrt(rng.Float64())
			th := 2 * math.Pi * rng.Float64()
			p.Lat = float32(c.Lat + r*math.Sin(th)/111)
			p.Lon = float32(c.Lon + r*math.Cos(th)/(111*math.Cos(c.Lat*math.Pi/180)))
			// Place of birth: mostly the département, then the region, the rest of
			// France, abroad (INSEE, lieu de naissance des résidents du Grand Est).
			var birthCode string
			switch x := rng.Float64(); {
			case x < 0.58:
				l := depCum[c.Dep]
				birthCode = ref.Communes[depIdx[c.Dep][pick(l, rng)]].Code
			case x < 0.72:
				birthCode = ref.Communes[pick(regionCum, rng)].Code
			case x < 0.93:
				birthCode = ref.Nationales[pick(natCum, rng)].Code
			default:
				birthCode = "99" + paysNaissance[rng.IntN(len(paysNaissance))]
			}
			p.NIR = makeNIR(sex, birth, birthCode, orders)
			p.PSA = ps.psa(p.NIR)
			ageMid := p.Age(yearStart.AddDays(182))
			p.Salarie = rng.Float64() < tauxSalarie(ageMid)
			if rng.Float64() < prevalenceALD(ageMid) {
				p.ALD = int8(pickP(len(aldMix), func(i int) float64 { return aldMix[i].p }, rng))
				p.ALDCim = uint8(rng.IntN(len(aldMix[p.ALD].cims)))
				p.ALDNew = rng.Float64() < 0.11 // ≈ 1.3 M new ALD a year for 12 M (Cnam)
			}
			if rng.Float64() < mortalite(ageMid) {
				from := yearStart
				if birth.After(from) {
					from = birth
				}
				p.Death = from.AddDays(rng.IntN(max(1, yearEnd.Sub(from)+1)))
				if p.Death.After(yearEnd) {
					p.Death = yearEnd
				}
			}
			// Médecin traitant: 92 % of adults have declared one (Cnam 2023), fewer
			// children; drawn by the gravity model, within a list of at most
			// mtListeMax patients (a full list refuses new patients).
			share := 0.92
			if ageMid < 16 {
				share = 0.55
			}
			if rng.Float64() < share {
				for try := 0; try < 8; try++ {
					gp := off.Choose(KindGeneraliste, int32(ci), rng)
					if gp >= 0 && mtList[gp] < mtListeMax {
						p.MT = gp
						mtList[gp]++
						break
					}
				}
			}
			out = append(out, p)
		}
	}
	return out
}

// nearChoice favours the closest providers: 40 %, 25 %, 15 %, then the rest.
func nearChoice(rng *rand.Rand, n int) int {
	x := rng.Float64()
	switch {
	case x < 0.40 || n == 1:
		return 0
	case x < 0.65 || n == 2:
		return 1
	case x < 0.80 || n == 3:
		return 2
	}
	return 3 + rng.IntN(n-3)
}

// makeNIR builds a valid NIR: sex, year and month of birth, the place of birth
// (département + commune, or 99 + country) and an order number unique for that
// combination, then the key.
func makeNIR(sex uint8, birth medconseil.Date, place string, orders map[uint64]uint16) medconseil.NIR {
	yy := birth.Year() % 100
	mm := int(birth.Month())
	var placeN uint64
	for i := 0; i < 5; i++ {
		placeN = placeN*10 + uint64(place[i]-'0')
	}
	key := uint64(sex)<<40 | uint64(yy)<<32 | uint64(mm)<<24 | placeN
	orders[key]++
	ord := int(orders[key])
	if ord > 999 { // more than 999 births that month in that commune: unknown month (20)
		ord = ord%999 + 1
		mm = 20
	}
	body := fmt.Sprintf("%d%02d%02d%s%03d", sex, yy, mm, place, ord)
	nir, err := medconseil.NIRWithKey(body)
	if err != nil {
		panic("synth: NIR invalide " + body + ": " + err.Error())
	}
	return nir
}

// allocate shares total over the communes in proportion to population, by largest
// remainders so the counts add up exactly.
func allocate(cs []Commune, total int) []int {
	sum := 0
	for _, c := range cs {
		sum += c.Population
	}
	counts := make([]int, len(cs))
	type rem struct {
		r float64
		i int
	}
	rems := make([]rem, len(cs))
	given := 0
	for i, c := range cs {
		exact := float64(total) * float64(c.Population) / float64(sum)
		counts[i] = int(exact)
		given += counts[i]
		rems[i] = rem{exact - float64(counts[i]), i}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; k < total-given; k++ {
		counts[rems[k].i]++
	}
	return counts
}

// Streams of the random generator: each part of the generation has its own,
// and each shard of activity its own, so the output does not depend on the
// number of workers.
const (
	streamPopulation uint64 = iota + 1
	streamOffer
	streamAnomalies
	streamPlanted
	streamActivity = 1 << 32
)

// newRNG returns a PCG generator for a seed and a stream.
func newRNG(seed, stream uint64) *rand.Rand {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], seed)
	binary.LittleEndian.PutUint64(b[8:], stream)
	h := sha256.Sum256(b[:])
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:16])))
}
