package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// AnomalyKind names an anomaly of the DETECTION.md §3.3 catalogue.
type AnomalyKind string

// The planted anomalies.
const (
	AnomalyOverIJ        AnomalyKind = "surprescription_ij"                  // 1: IJ rate or duration × 1.3 / 1.5 / 2 / 3
	AnomalyImpossibleDay AnomalyKind = "journee_impossible"                  // 2: 40–60 acts a day against ≈ 19
	AnomalyAfterDeath    AnomalyKind = "acte_apres_deces"                    // 3
	AnomalyPhantom       AnomalyKind = "patient_fantome"                     // 3: patients with no other consumption
	AnomalyKmInflation   AnomalyKind = "km_gonfles"                          // 4: billed km × 1.3–2
	AnomalyTripNoCare    AnomalyKind = "trajet_sans_soin"                    // 4: trips without matching care
	AnomalyCollusion     AnomalyKind = "collusion_prescripteur_transporteur" // 5: > 80 % to one transporter
	AnomalySplitting     AnomalyKind = "fractionnement_series"               // 6: around the 15/25 thresholds
)

// Anomaly is one planted anomaly, as written to ground_truth.json.
type Anomaly struct {
	Type       AnomalyKind `json:"type"`
	EntityType string      `json:"entity_type"` // professionnel | beneficiaire
	Entity     string      `json:"entity"`      // PFS_PFS_NUM or BEN_NIR_PSA
	Intensity  float64     `json:"intensity"`
	Variant    string      `json:"variant,omitempty"`
	Partner    string      `json:"partner,omitempty"`
	Prevalence string      `json:"prevalence"`
	Detail     string      `json:"detail"`
	Dates      []string    `json:"dates,omitempty"`
	Claims     int         `json:"claims,omitempty"`
	Patients   []string    `json:"patients,omitempty"`
}

type planted struct {
	kind      AnomalyKind
	intensity float64
	variant   string
	partner   int32
	truth     int // index into plan.truth
}

// plan is the set of planted anomalies, decided before any activity so each
// shard applies its share.
type plan struct {
	overIJ    map[int32]planted
	kineAnom  map[int32]planted // kinés and nurses
	transAnom map[int32]planted
	collusion map[int32]planted
	truth     []Anomaly
}

// planAnomalies picks the planted providers: each anomaly at a stated prevalence
// (DETECTION.md §3.3: 0.5–1 % of GPs over-prescribe), with a floor so that every
// intensity appears even at small scales.
func planAnomalies(off *Offer, seed uint64) *plan {
	rng := newRNG(seed, streamAnomalies)
	pl := &plan{overIJ: map[int32]planted{}, kineAnom: map[int32]planted{}, transAnom: map[int32]planted{}, collusion: map[int32]planted{}}
	used := map[int32]bool{}
	choose := func(kinds []Kind, n int) []int32 {
		var all []int32
		for _, k := range kinds {
			all = append(all, off.ByKind[k]...)
		}
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		var out []int32
		for _, p := range all {
			if len(out) == n {
				break
			}
			if !used[p] {
				used[p] = true
				out = append(out, p)
			}
		}
		return out
	}
	count := func(kinds []Kind, share float64, floor int) int {
		n := 0
		for _, k := range kinds {
			n += len(off.ByKind[k])
		}
		return max(floor, int(math.Round(float64(n)*share)))
	}
	add := func(m map[int32]planted, p int32, a Anomaly, pt planted) {
		a.EntityType, a.Entity = "professionnel", off.Pros[p].PFS
		pt.truth = len(pl.truth)
		pl.truth = append(pl.truth, a)
		m[p] = pt
	}
	gps := []Kind{KindGeneraliste}
	for i, p := range choose(gps, count(gps, 0.0075, 4)) {
		f := []float64{1.3, 1.5, 2, 3}[i%4]
		v := []string{"taux", "duree"}[(i+i/4)%2]
		add(pl.overIJ, p, Anomaly{Type: AnomalyOverIJ, Intensity: f, Variant: v, Prevalence: "0,75 % des généralistes",
			Detail: fmt.Sprintf("arrêts de ses patients : %s × %.1f", map[string]string{"taux": "fréquence", "duree": "durée"}[v], f)},
			planted{kind: AnomalyOverIJ, intensity: f, variant: v})
	}
	for _, k := range []Kind{KindKine, KindInfirmier} {
		ks := []Kind{k}
		for i, p := range choose(ks, count(ks, 0.005, 3)) {
			f := []float64{40, 50, 60}[i%3]
			add(pl.kineAnom, p, Anomaly{Type: AnomalyImpossibleDay, Intensity: f, Prevalence: "0,5 % des " + k.String() + "s",
				Detail: fmt.Sprintf("%.0f actes facturés certains jours (norme ≈ 19)", f)}, planted{kind: AnomalyImpossibleDay, intensity: f})
		}
	}
	kines := []Kind{KindKine}
	for i, p := range choose(kines, count(kines, 0.003, 2)) {
		f := []float64{0.5, 1}[i%2]
		add(pl.kineAnom, p, Anomaly{Type: AnomalySplitting, Intensity: f, Prevalence: "0,3 % des kinésithérapeutes",
			Detail: fmt.Sprintf("%.0f %% des séries soumises à un seuil (15 ou 25) scindées sous une seconde prescription", f*100)}, planted{kind: AnomalySplitting, intensity: f})
	}
	nurseKine := []Kind{KindInfirmier, KindKine}
	for i, p := range choose(nurseKine, count(nurseKine, 0.002, 3)) {
		f := []float64{5, 10, 20}[i%3]
		add(pl.kineAnom, p, Anomaly{Type: AnomalyPhantom, Intensity: f, Prevalence: "0,2 % des infirmiers et kinésithérapeutes",
			Detail: fmt.Sprintf("%.0f patients sans aucune autre consommation", f)}, planted{kind: AnomalyPhantom, intensity: f})
	}
	trans := []Kind{KindAmbulance, KindTaxi}
	for i, p := range choose(trans, count(trans, 0.015, 3)) {
		f := []float64{1.3, 1.5, 2}[i%3]
		add(pl.transAnom, p, Anomaly{Type: AnomalyKmInflation, Intensity: f, Prevalence: "1,5 % des transporteurs",
			Detail: fmt.Sprintf("kilomètres facturés × %.1f la distance commune → établissement", f)}, planted{kind: AnomalyKmInflation, intensity: f})
	}
	for i, p := range choose(trans, count(trans, 0.01, 3)) {
		f := []float64{0.1, 0.25, 0.5}[i%3]
		add(pl.transAnom, p, Anomaly{Type: AnomalyTripNoCare, Intensity: f, Prevalence: "1 % des transporteurs",
			Detail: fmt.Sprintf("trajets sans soin correspondant : +%.0f %% de son volume", f*100)}, planted{kind: AnomalyTripNoCare, intensity: f})
	}
	for i, p := range choose(gps, count(gps, 0.003, 3)) {
		f := []float64{0.8, 0.9, 1}[i%3]
		dep := off.Pros[p].PFS[:2]
		var cands []int32
		for _, t := range append(append([]int32{}, off.ByKind[KindAmbulance]...), off.ByKind[KindTaxi]...) {
			if off.Pros[t].PFS[:2] == dep && !used[t] {
				cands = append(cands, t)
			}
		}
		if len(cands) == 0 {
			continue
		}
		partner := cands[rng.IntN(len(cands))]
		add(pl.collusion, p, Anomaly{Type: AnomalyCollusion, Intensity: f, Partner: off.Pros[partner].PFS, Prevalence: "0,3 % des généralistes",
			Detail: fmt.Sprintf("%.0f %% des transports prescrits confiés au même transporteur", f*100)}, planted{kind: AnomalyCollusion, intensity: f, partner: partner})
	}
	return pl
}

// lambda0 calibrates the base arrêt rate so that, over all employees including
// the patients of planted over-prescribers, the expected rate is the national one
// (which itself includes over-prescription).
func lambda0(pop []Person, pl *plan) float64 {
	var n, sum float64
	for i := range pop {
		if !pop[i].Salarie {
			continue
		}
		n++
		m := 1.0
		if a, ok := pl.overIJ[pop[i].MT]; ok && pop[i].MT >= 0 && a.variant == "taux" {
			m = a.intensity
		}
		sum += m
	}
	if n == 0 {
		return arretsParSalarie
	}
	return arretsParSalarie * n / sum
}

// plantedShard writes the anomalies that need the whole year's activity: acts
// after death, phantom patients, impossible days and trips without care.
func (w *World) plantedShard(idx int, samples map[int32][]int32, trips map[int32]int) *shard {
	g := &gen{
		w: w, rng: newRNG(w.cfg.Seed, streamPlanted),
		out:   &shard{idx: idx, samples: map[int32][]int32{}, trips: map[int32]int{}},
		dct:   int64(idx+1) * 10_000_000,
		arrN:  int64(idx+1) * 1_000_000,
		start: w.start, end: w.end,
	}
	pl := w.plan
	set := func(pi int32) {
		p := &w.Pop[pi]
		g.p, g.pi = p, pi
		g.age = p.Age(w.start.AddDays(182))
		g.last = w.end
		if !p.Death.IsZero() {
			g.last = p.Death
		}
		c := &w.Ref.Communes[p.Commune]
		g.dep3, g.com3, g.orgCle = "0"+c.Dep, c.Code[2:], "01"+c.Dep+"10000"
		g.mttNum = ""
		if p.MT >= 0 {
			g.mttNum = w.Off.Pros[p.MT].PFS
		}
	}
	before := func() int { return len(g.out.prs) }

	// Acts after death: 1.5 % of the deceased of the year (at least 3), 1, 3 or 6
	// acts by their usual GP or nurse after the date of death.
	var dead []int32
	for i := range w.Pop {
		if d := w.Pop[i].Death; !d.IsZero() && d.Before(w.end.AddDays(-15)) && w.Pop[i].MT >= 0 {
			dead = append(dead, int32(i))
		}
	}
	nDead := min(len(dead), max(3, int(math.Round(float64(len(dead))*0.015))))
	g.rng.Shuffle(len(dead), func(i, j int) { dead[i], dead[j] = dead[j], dead[i] })
	dead = dead[:nDead]
	sort.Slice(dead, func(i, j int) bool { return dead[i] < dead[j] })
	for i, pi := range dead {
		set(pi)
		n := []int{1, 3, 6}[i%3]
		pro := g.p.MT
		nature, paid, cft := int32(1110), int64(tarifG), int64(0)
		if i%2 == 1 {
			if ide := g.nearPro(KindInfirmier); ide >= 0 {
				pro, nature, paid, cft = ide, 3111, 2*tarifAMI, 200
			}
		}
		var dates []string
		for k := 0; k < n; k++ {
			d := g.p.Death.AddDays(1 + g.rng.IntN(min(30, w.end.Sub(g.p.Death))))
			g.emit(claim{exe: pro, pre: -1, from: d, nature: nature, cft: cft, paid: paid, taux: 70, asu: 10})
			dates = append(dates, d.String())
		}
		sort.Strings(dates)
		pl.truth = append(pl.truth, Anomaly{Type: AnomalyAfterDeath, EntityType: "beneficiaire", Entity: g.p.PSA, Intensity: float64(n),
			Partner: w.Off.Pros[pro].PFS, Prevalence: "1,5 % des décédés de l'année",
			Detail: fmt.Sprintf("%d acte(s) facturé(s) après le décès du %s", n, g.p.Death), Dates: dates, Claims: n})
	}

	// Planted providers in a fixed order.
	pros := make([]int32, 0, len(pl.kineAnom)+len(pl.transAnom))
	for p := range pl.kineAnom {
		pros = append(pros, p)
	}
	for p := range pl.transAnom {
		pros = append(pros, p)
	}
	sort.Slice(pros, func(i, j int) bool { return pros[i] < pros[j] })
	for _, pro := range pros {
		a, ok := pl.kineAnom[pro]
		if !ok {
			a = pl.transAnom[pro]
		}
		truth := &pl.truth[a.truth]
		n0 := before()
		switch a.kind {
		case AnomalyPhantom:
			k := int(a.intensity)
			for i := 0; i < k; i++ {
				pi := w.addPhantom(pro, g.rng)
				set(pi)
				truth.Patients = append(truth.Patients, g.p.PSA)
				from := g.day(w.start, w.end.AddDays(-60))
				for j := 0; j < 15+g.rng.IntN(40); j++ {
					d := from.AddDays(j * (1 + g.rng.IntN(2)))
					if d.After(w.end) {
						break
					}
					pr := &w.Off.Pros[pro]
					if pr.Kind == KindKine {
						g.emit(claim{exe: pro, pre: -1, from: d, nature: 3125, cft: 750, paid: 750 * kineAMK / 100, taux: 60, asu: 10})
					} else {
						g.emit(claim{exe: pro, pre: -1, from: d, nature: 3111, cft: 300, paid: 3 * tarifAMI, taux: 60, asu: 10})
					}
				}
			}
		case AnomalyImpossibleDay:
			pats := samples[pro]
			if len(pats) == 0 {
				continue
			}
			perDay := int(a.intensity)
			nDays := 6 + int(a.intensity)/10
			for k := 0; k < nDays; k++ {
				d := g.day(w.start, w.end)
				if d.Weekday() == time.Saturday {
					d = d.AddDays(2)
				}
				if d.After(w.end) {
					continue
				}
				truth.Dates = append(truth.Dates, d.String())
				for j, emitted := 0, 0; emitted < perDay && j < 4*perDay; j++ {
					set(pats[(k*perDay+j)%len(pats)])
					if d.After(g.last) {
						continue // never after the patient's death: that is another anomaly
					}
					emitted++
					if w.Off.Pros[pro].Kind == KindKine {
						g.emit(claim{exe: pro, pre: g.p.MT, from: d, nature: 3125, cft: 800, paid: 8 * kineAMK, taux: 60, asu: 10})
					} else {
						g.emit(claim{exe: pro, pre: g.p.MT, from: d, nature: 3111, cft: 200, paid: 2 * tarifAMI, taux: 60, asu: 10})
					}
				}
			}
			sort.Strings(truth.Dates)
		case AnomalyTripNoCare:
			pats := samples[pro]
			if len(pats) == 0 {
				continue
			}
			extra := max(1, int(math.Round(a.intensity*float64(trips[pro])/2)))
			pr := &w.Off.Pros[pro]
			for k := 0; k < extra; k++ {
				set(pats[k%len(pats)])
				d := g.day(w.start, g.last)
				if d.After(w.end) || d.After(g.last) {
					continue
				}
				etabs := w.Off.nearEtab["any"][g.p.Commune]
				if len(etabs) == 0 {
					continue
				}
				et := &w.Ref.Etablissements[etabs[0]]
				c := &w.Ref.Communes[g.p.Commune]
				route := distanceKm(c.Lat, c.Lon, et.Lat, et.Lon)*1.25 + 1
				mode := modeMix[2]
				if pr.Kind == KindAmbulance {
					mode = modeMix[1]
				}
				g.trip(pro, g.p.MT, "", mode.nature, mode.forfait, mode.km, d, route, et.Finess, 0, 1)
				g.trip(pro, g.p.MT, "", mode.nature, mode.forfait, mode.km, d, route, et.Finess, 0, 2)
				truth.Dates = append(truth.Dates, d.String())
				truth.Patients = append(truth.Patients, g.p.PSA)
			}
			sort.Strings(truth.Dates)
		}
		truth.Claims += before() - n0
	}
	return g.out
}

// addPhantom creates a beneficiary who exists only through one provider's claims:
// a valid NIR, an address near the provider, no médecin traitant.
func (w *World) addPhantom(pro int32, rng *rand.Rand) int32 {
	pr := &w.Off.Pros[pro]
	birth := w.start.AddDays(-(30+rng.IntN(55))*365 - rng.IntN(365))
	sex := uint8(1 + rng.IntN(2))
	place := w.Ref.Communes[rng.IntN(len(w.Ref.Communes))].Code
	nir := makeNIR(sex, birth, place, w.orders)
	w.Pop = append(w.Pop, Person{NIR: nir, PSA: w.psa.psa(nir), Birth: birth, Commune: pr.Commune, MT: -1, Sex: sex, ALD: -1, Phantom: true})
	return int32(len(w.Pop) - 1)
}
