package reference

import (
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// Query is one search of a benchmark.
type Query struct {
	Ref, Q string
}

// SampleQueries returns n mixed queries drawn deterministically from the
// indexes: whole words, two words in reverse order, prefixes being typed, and
// codes with or without dots.
func (s *Set) SampleQueries(n int, seed uint64) []Query {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var names []string
	for _, name := range Names {
		if ix := s.indexes[name]; ix != nil && ix.Len() > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	out := make([]Query, 0, n)
	for len(out) < n {
		name := names[r.IntN(len(names))]
		ix := s.indexes[name]
		d := ix.docs[r.IntN(len(ix.docs))]
		words := strings.Fields(Normalize(d.Label))
		var q string
		switch k := r.IntN(5); {
		case k == 0:
			q = d.Code
		case k == 1 && len(d.Code) > 3:
			q = d.Code[:len(d.Code)-1]
		case len(words) == 0:
			q = d.Code
		case k == 2:
			w := words[r.IntN(len(words))]
			q = w[:1+r.IntN(len(w))]
		case k == 3 && len(words) > 1:
			q = words[len(words)-1] + " " + words[0]
		default:
			q = words[r.IntN(len(words))]
		}
		out = append(out, Query{name, q})
	}
	return out
}

// Latencies runs each query with the given limit and returns the sorted
// durations.
func (s *Set) Latencies(qs []Query, limit int) []time.Duration {
	out := make([]time.Duration, 0, len(qs))
	for _, q := range qs {
		ix := s.indexes[q.Ref]
		t := time.Now()
		ix.Search(q.Q, limit)
		out = append(out, time.Since(t))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Percentile returns the p-th percentile (0–100) of sorted durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}
