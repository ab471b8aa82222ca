package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// Anomaly is one planted anomaly, as written to ground_truth.json (the format
// is documented in docs/synth.md; keep it stable, detection scores against it).
type Anomaly struct {
	ID         string             `json:"id"` // "A001", in file order
	Type       AnomalyKind        `json:"type"`
	EntityType string             `json:"entity_type"`          // professionnel | beneficiaire
	Entity     string             `json:"entity"`               // PFS_PFS_NUM or BEN_NIR_PSA
	Profession string             `json:"profession,omitempty"` // PFS_PRA_SPE (IR_SPA_D) of a professional
	Intensity  float64            `json:"intensity"`            // the planted parameter (see docs/synth.md)
	Variant    string             `json:"variant,omitempty"`    // surprescription_ij: taux | duree
	Partner    string             `json:"partner,omitempty"`    // PFS_PFS_NUM of the transporter, or of the billing provider
	Prevalence string             `json:"prevalence"`           // the planted share
	Detail     string             `json:"detail"`               // what was planted, in French
	Effect     string             `json:"expected_effect"`      // what a detector should observe, in French
	Measures   map[string]float64 `json:"measures,omitempty"`   // observed figures (docs/synth.md)
	Dates      []string           `json:"dates,omitempty"`      // ISO dates of the planted lines
	Claims     int                `json:"claims,omitempty"`     // planted ER_PRS_F lines
	Patients   []string           `json:"patients,omitempty"`   // BEN_NIR_PSA of the patients involved
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
	all       map[int32]bool
	truth     []Anomaly
	pros      []int32 // provider of each truth entry, -1 for a beneficiary
}

func (pl *plan) planted(pro int32) bool { return pro >= 0 && pl.all[pro] }

// planAnomalies picks the planted providers: each anomaly at a stated prevalence
// (DETECTION.md §3.3: 0.5–1 % of GPs over-prescribe), with a floor so that every
// intensity appears even at small scales.
func planAnomalies(off *Offer, seed uint64) *plan {
	rng := newRNG(seed, streamAnomalies)
	pl := &plan{overIJ: map[int32]planted{}, kineAnom: map[int32]planted{}, transAnom: map[int32]planted{}, collusion: map[int32]planted{}, all: map[int32]bool{}}
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
		a.EntityType, a.Entity, a.Profession = "professionnel", off.Pros[p].PFS, off.Pros[p].Spa
		pt.truth = len(pl.truth)
		pl.truth = append(pl.truth, a)
		pl.pros = append(pl.pros, p)
		pl.all[p] = true
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
			f := []float64{10, 14, 18}[i%3]
			add(pl.kineAnom, p, Anomaly{Type: AnomalyImpossibleDay, Intensity: f, Prevalence: "0,5 % des " + k.String() + "s",
				Detail: fmt.Sprintf("certains jours, %.0f heures d'actes longs (30 min) ajoutées à l'activité habituelle", f)}, planted{kind: AnomalyImpossibleDay, intensity: f})
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
		f := []float64{0.1, 0.2, 0.3}[i%3]
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
		used[partner] = true
		add(pl.collusion, p, Anomaly{Type: AnomalyCollusion, Intensity: f, Partner: off.Pros[partner].PFS, Prevalence: "0,3 % des généralistes",
			Detail: fmt.Sprintf("%.0f %% des transports prescrits confiés au même transporteur", f*100)}, planted{kind: AnomalyCollusion, intensity: f, partner: partner})
	}
	return pl
}

// lambda0 calibrates the base arrêt rate so that, over all employees including
// the patients of planted over-prescribers and the GPs' legitimate variation,
// the expected rate is the national one (which itself includes both).
func lambda0(pop []Person, off *Offer, pl *plan) float64 {
	var n, sum float64
	for i := range pop {
		if !pop[i].Salarie {
			continue
		}
		n++
		m := 1.0
		if mt := pop[i].MT; mt >= 0 {
			m = off.Pros[mt].IJ
			if a, ok := pl.overIJ[mt]; ok && a.variant == "taux" {
				m *= a.intensity
			}
		}
		sum += m
	}
	if n == 0 {
		return arretsParSalarie
	}
	return arretsParSalarie * n / sum
}

// plantedShard writes the anomalies that need the whole year's activity: acts
// after death, phantom patients, impossible days and trips without care. Every
// planted line looks like a legitimate one: a plausible prescriber, the
// provider's own acts and mode.
func (w *World) plantedShard(idx int, samples map[int32][]int32, trips map[int32]int) *shard {
	g := w.newGen(idx, streamPlanted)
	g.noReg = true
	pl := w.plan
	before := func() int { return len(g.out.prs) }

	// Acts after death: 1.5 % of the deceased of the year (at least 3), 1, 3 or 6
	// acts by their usual GP or a nurse after the date of death.
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
		g.set(pi)
		n := []int{1, 3, 6}[i%3]
		pro, pre := g.p.MT, int32(-1)
		nature, paid, cft := int32(1110), int64(tarifG), int64(0)
		if i%2 == 1 {
			if ide := g.choose(KindInfirmier); ide >= 0 {
				pro, pre, nature, paid, cft = ide, g.p.MT, 3111, 2*tarifAMI, 200
			}
		}
		var dates []string
		for k := 0; k < n; k++ {
			d := g.p.Death.AddDays(1 + g.rng.IntN(min(30, w.end.Sub(g.p.Death))))
			g.emit(claim{exe: pro, pre: pre, preDate: g.p.Death.AddDays(-15), from: d, nature: nature, cft: cft, paid: paid, taux: 70, asu: 10})
			dates = append(dates, d.String())
		}
		sort.Strings(dates)
		pl.truth = append(pl.truth, Anomaly{Type: AnomalyAfterDeath, EntityType: "beneficiaire", Entity: g.p.PSA, Intensity: float64(n),
			Partner: w.Off.Pros[pro].PFS, Prevalence: "1,5 % des décédés de l'année",
			Detail: fmt.Sprintf("%d acte(s) facturé(s) par %s après le décès du %s", n, w.Off.Pros[pro].PFS, g.p.Death),
			Effect: "prestations datées (EXE_SOI_DTD) de 1 à 30 jours après BEN_DCD_DTE ; 3 % des décédés ont aussi une ligne légitime 1 à 2 jours après (facturation tardive)",
			Dates:  dates, Claims: n, Patients: []string{g.p.PSA}})
		pl.pros = append(pl.pros, -1)
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
		pr := &w.Off.Pros[pro]
		n0 := before()
		switch a.kind {
		case AnomalyPhantom:
			k := int(a.intensity)
			for i := 0; i < k; i++ {
				pi := w.addPhantom(pro, g.rng)
				g.set(pi)
				truth.Patients = append(truth.Patients, g.p.PSA)
				pre := w.Off.Choose(KindGeneraliste, pr.Commune, g.rng)
				from := g.day(w.start, w.end.AddDays(-60), "mg")
				for j := 0; j < 15+g.rng.IntN(40); j++ {
					d := from.AddDays(j * (1 + g.rng.IntN(2)))
					if d.After(w.end) {
						break
					}
					if pr.Kind == KindKine {
						g.emit(claim{exe: pro, pre: pre, preDate: from.AddDays(-4), from: d, nature: 3125, cft: 750, paid: 750 * kineAMK / 100, taux: 60, asu: 10})
					} else {
						g.emit(claim{exe: pro, pre: pre, preDate: from.AddDays(-2), from: d, nature: 3111, cft: 200, paid: 2 * tarifAMI, taux: 60, asu: 10})
					}
				}
			}
			truth.Effect = "patients sans aucune autre consommation (ni médecin traitant, ni pharmacie), soignés par ce seul professionnel"
		case AnomalyImpossibleDay:
			pats := samples[pro]
			if len(pats) == 0 {
				continue
			}
			acts := int(a.intensity * 2) // long acts of 30 minutes
			nDays := 4 + int(a.intensity)/6
			for k := 0; k < nDays; k++ {
				d := g.day(w.start, w.end, "kine")
				if d.Weekday() == time.Saturday {
					d = d.AddDays(2)
				}
				if d.After(w.end) {
					continue
				}
				emitted := 0
				for j := 0; emitted < acts && j < 4*acts; j++ {
					g.set(pats[(k*acts+j)%len(pats)])
					if d.After(g.last) || d.Before(g.first) {
						continue // never after the patient's death: that is another anomaly
					}
					emitted++
					pre := g.p.MT
					if pre < 0 {
						pre = w.Off.Choose(KindGeneraliste, pr.Commune, g.rng)
					}
					if pr.Kind == KindKine {
						g.emit(claim{exe: pro, pre: pre, preDate: d.AddDays(-20), from: d, nature: 3125, cft: 800, paid: 8 * kineAMK, taux: 60, asu: 10})
					} else {
						g.emit(claim{exe: pro, pre: pre, preDate: d.AddDays(-20), from: d, nature: 3112, cft: 300, paid: 3 * tarifAMI, taux: 60, asu: 10})
					}
				}
				if emitted > 0 {
					truth.Dates = append(truth.Dates, d.String())
				}
			}
			sort.Strings(truth.Dates)
			truth.Dates = slices.Compact(truth.Dates)
			truth.Effect = fmt.Sprintf("aux dates listées, ≈ %.0f h d'actes de 30 min en plus de l'activité habituelle : temps de soins facturé du jour > 16 h", a.intensity)
		case AnomalyTripNoCare:
			pats := samples[pro]
			if len(pats) == 0 {
				continue
			}
			extra := max(1, int(math.Round(a.intensity*float64(trips[pro])/2)))
			for k := 0; k < extra; k++ {
				g.set(pats[k%len(pats)])
				d := g.day(g.first, g.last, "all")
				if d.After(w.end) || d.After(g.last) || d.Before(g.first) {
					continue
				}
				etabs := w.Off.nearEtab["any"][g.p.Commune]
				if len(etabs) == 0 {
					continue
				}
				et := &w.Ref.Etablissements[etabs[g.rng.IntN(len(etabs))]]
				mode := modeMix[modeFor(pr.Kind, 0)]
				pre := g.p.MT
				if pre < 0 {
					pre = w.Off.Choose(KindGeneraliste, g.p.Commune, g.rng)
				}
				g.trip(pro, pre, "", mode, d, et, 0, 1)
				g.trip(pro, pre, "", mode, d, et, 0, 2)
				truth.Dates = append(truth.Dates, d.String())
				truth.Patients = append(truth.Patients, g.p.PSA)
			}
			sort.Strings(truth.Dates)
			truth.Effect = fmt.Sprintf("≈ +%.0f %% de trajets sans prestation du patient le même jour (la part légitime est de 10 à 30 %%)", a.intensity*100)
		}
		truth.Claims += before() - n0
	}
	return g.out
}

// finishTruth keeps the anomalies that produced data, numbers them and fills
// their observed measures and expected effect.
func (w *World) finishTruth(obs map[int32]*observed) []Anomaly {
	pl := w.plan
	patients := map[int32]int{}
	for i := range w.Pop {
		if w.Pop[i].Salarie && w.Pop[i].MT >= 0 {
			patients[w.Pop[i].MT]++
		}
	}
	var out []Anomaly
	for i, a := range pl.truth {
		pro := pl.pros[i]
		o := obs[pro]
		if o == nil {
			o = &observed{}
		}
		keep := true
		switch a.Type {
		case AnomalyOverIJ:
			legit := w.Off.Pros[pro].IJ
			a.Measures = map[string]float64{"facteur_legitime": round3(legit), "facteur_plante": a.Intensity,
				"patients_salaries_mt": float64(patients[pro]), "arrets_prescrits": float64(o.Arrets), "jours_ij": float64(o.JoursIJ)}
			if a.Variant == "taux" {
				a.Measures["rapport_attendu"] = round3(legit * a.Intensity)
				a.Effect = fmt.Sprintf("arrêts par patient salarié ≈ × %.2f la moyenne régionale (× %.2f légitime, × %.1f planté)", legit*a.Intensity, legit, a.Intensity)
			} else {
				a.Measures["rapport_attendu"] = round3(legit * a.Intensity)
				a.Effect = fmt.Sprintf("durée des arrêts ≈ × %.1f (plafonnée à un an), jours d'IJ par patient salarié ≈ × %.2f la moyenne", a.Intensity, legit*a.Intensity)
			}
			keep = o.Arrets > 0
		case AnomalyCollusion:
			share := 0.0
			if o.Trajets > 0 {
				share = float64(o.TrajetsPart) / float64(o.Trajets)
			}
			a.Measures = map[string]float64{"trajets_prescrits": float64(o.Trajets), "trajets_partenaire": float64(o.TrajetsPart), "part_partenaire": round3(share)}
			a.Effect = fmt.Sprintf("%.0f %% des trajets prescrits faits par %s (attendu ≈ %.0f %%)", share*100, a.Partner, a.Intensity*100)
			keep = o.TrajetsPart > 0
		case AnomalyKmInflation:
			ratio := 0.0
			if o.KmSansFraude > 0 {
				ratio = float64(o.KmFactures) / float64(o.KmSansFraude)
			}
			a.Measures = map[string]float64{"trajets": float64(o.Trajets), "km_factures": float64(o.KmFactures), "km_sans_fraude": float64(o.KmSansFraude), "rapport_km": round3(ratio)}
			a.Effect = fmt.Sprintf("km facturés (ER_DTR_F, code 21) ≈ × %.1f la distance routière domicile → établissement ; le facteur route légitime varie de 1,15 à 1,65 selon le transporteur", a.Intensity)
			keep = o.Trajets > 0
		case AnomalySplitting:
			a.Measures = map[string]float64{"series_scindees": float64(o.Splits)}
			a.Effect = "séries arrêtées juste sous le seuil (14 ou 24 séances) puis poursuivies sous une seconde prescription datée de la veille ; des kinés légitimes renouvellent aussi (de 1 à 70 % de leurs séries à seuil, un nouvel épisode)"
			keep = o.Splits > 0
		case AnomalyTripNoCare, AnomalyImpossibleDay:
			keep = len(a.Dates) > 0
		case AnomalyPhantom:
			keep = a.Claims > 0
		}
		if a.Type != AnomalyAfterDeath && a.EntityType == "professionnel" {
			if a.Measures == nil {
				a.Measures = map[string]float64{}
			}
			a.Measures["lignes_executees"] = float64(o.Lignes)
		}
		if !keep {
			continue
		}
		a.ID = fmt.Sprintf("A%03d", len(out)+1)
		out = append(out, a)
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// addPhantom creates a beneficiary who exists only through one provider's claims:
// a valid NIR, an address in the provider's commune, no médecin traitant.
func (w *World) addPhantom(pro int32, rng *rand.Rand) int32 {
	pr := &w.Off.Pros[pro]
	birth := w.start.AddDays(-(30+rng.IntN(55))*365 - rng.IntN(365))
	sex := uint8(1 + rng.IntN(2))
	place := w.Ref.Communes[rng.IntN(len(w.Ref.Communes))].Code
	nir := makeNIR(sex, birth, place, w.orders)
	c := &w.Ref.Communes[pr.Commune]
	lat := c.Lat + (rng.Float64()-0.5)*0.02
	lon := c.Lon + (rng.Float64()-0.5)*0.03
	w.Pop = append(w.Pop, Person{NIR: nir, PSA: w.psa.psa(nir), Birth: birth, Commune: pr.Commune, MT: -1, Sex: sex, ALD: -1, Phantom: true,
		Lat: float32(lat), Lon: float32(lon)})
	return int32(len(w.Pop) - 1)
}
