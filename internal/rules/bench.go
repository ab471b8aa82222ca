package rules

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"medconseil"
)

// Population generates n synthetic sick-leave situations, each with a history of
// 0 to maxArrets-1 previous arrêts, deterministic for a seed. It is the batch the ij
// rule set is measured on.
func Population(n, maxArrets int, seed uint64) []IJInput {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]IJInput, n)
	base := medconseil.NewDate(2019, 1, 1)
	affections := []medconseil.CIM10{"F329", "M545", "C509", "E119", "J111", "S8260"}
	for i := range out {
		in := &out[i]
		k := 0
		if maxArrets > 1 {
			k = rng.IntN(maxArrets)
		}
		day := base.AddDays(rng.IntN(200))
		in.Historique = make([]ArretPasse, 0, k)
		for j := 0; j < k; j++ {
			length := 1 + rng.IntN(30)
			ald := rng.IntN(5) == 0
			h := ArretPasse{Debut: day, Fin: day.AddDays(length - 1), ALD: ald, JoursIndemnises: max(0, length-3)}
			if ald {
				h.Affection = affections[rng.IntN(len(affections))]
			}
			in.Historique = append(in.Historique, h)
			day = h.Fin.AddDays(2 + rng.IntN(120))
		}
		a := &in.Arret
		a.Debut = day
		a.Fin = day.AddDays(rng.IntN(60))
		a.DatePrescription = a.Debut
		a.Prescripteur = Prescripteur(1 + rng.IntN(int(AutrePrescripteur)))
		a.Teleconsultation = rng.IntN(10) == 0
		if k > 0 && rng.IntN(4) == 0 {
			last := in.Historique[k-1]
			a.Prolongation = true
			a.Debut = last.Fin.AddDays(1 + rng.IntN(3))
			a.DatePrescription = a.Debut
			if a.Fin.Before(a.Debut) {
				a.Fin = a.Debut.AddDays(10)
			}
		}
		if rng.IntN(5) == 0 {
			a.ALD = true
			a.Affection = affections[rng.IntN(len(affections))]
		}
		if rng.IntN(20) == 0 {
			a.DateEnvoi = a.DatePrescription.AddDays(3 + rng.IntN(5))
			if rng.IntN(2) == 0 {
				in.EnvoiTardifPrecedent = a.DatePrescription.AddMonths(-rng.IntN(30))
			}
		}
		in.Immatriculation = base.AddYears(-1 - rng.IntN(20))
		in.Heures3Mois = rng.IntN(500)
		in.Heures12Mois = rng.IntN(1800)
		in.Cotisations6Mois = medconseil.Montant(rng.Int64N(2_000_000))
		in.Cotisations12Mois = medconseil.Montant(rng.Int64N(4_000_000))
		in.Salaires3DerniersMois = medconseil.Montant(300_000 + rng.Int64N(1_500_000))
		in.AvisMedecinConseil = AvisMC(rng.IntN(3))
	}
	return out
}

// BenchResult is what a batch run measured.
type BenchResult struct {
	Decisions     int
	Workers       int
	Elapsed       time.Duration
	PerSecond     float64
	AllocsPerCall float64
	Errors        int
	Outcomes      map[string]int
}

// Bench evaluates the ij rule set on every input of pop, rounds times, with workers
// goroutines, each reusing one Decision.
func (g *IJ) Bench(pop []IJInput, rounds, workers int) BenchResult {
	if workers < 1 {
		workers = 1
	}
	type tally struct {
		errs     int
		outcomes map[string]int
	}
	tallies := make([]tally, workers)
	for i := range tallies {
		tallies[i].outcomes = map[string]int{}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var d Decision
			t := &tallies[w]
			var counts [8]int
			var names [8]string
			for r := 0; r < rounds; r++ {
				for i := w; i < len(pop); i += workers {
					if err := g.Evaluate(&pop[i], &d); err != nil {
						t.errs++
						continue
					}
					for k := range names {
						if names[k] == d.Outcome || names[k] == "" {
							names[k] = d.Outcome
							counts[k]++
							break
						}
					}
				}
			}
			for k, n := range names {
				if n != "" {
					t.outcomes[n] += counts[k]
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	n := len(pop) * rounds
	res := BenchResult{Decisions: n, Workers: workers, Elapsed: elapsed, Outcomes: map[string]int{}}
	if elapsed > 0 {
		res.PerSecond = float64(n) / elapsed.Seconds()
	}
	if n > 0 {
		res.AllocsPerCall = float64(after.Mallocs-before.Mallocs) / float64(n)
	}
	for _, t := range tallies {
		res.Errors += t.errs
		for k, v := range t.outcomes {
			res.Outcomes[k] += v
		}
	}
	return res
}
