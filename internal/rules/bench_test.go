package rules

import "testing"

// BenchmarkIJ evaluates the ij rule set on generated histories of up to 20 arrêts,
// one reused Decision; the target is no allocation per decision.
func BenchmarkIJ(b *testing.B) {
	e, err := NewEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	pop := Population(4096, 20, 1)
	g := e.IJ()
	var d Decision
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := g.Evaluate(&pop[i%len(pop)], &d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIJParallel uses every processor, each goroutine with its Decision.
func BenchmarkIJParallel(b *testing.B) {
	e, err := NewEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	pop := Population(4096, 20, 1)
	g := e.IJ()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var d Decision
		i := 0
		for pb.Next() {
			if err := g.Evaluate(&pop[i%len(pop)], &d); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
