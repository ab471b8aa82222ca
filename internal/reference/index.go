package reference

import (
	"container/heap"
	"sort"
	"strings"
	"sync"
)

// Doc is one searchable entry of a référentiel.
type Doc struct {
	Code   string `json:"code"`
	Label  string `json:"libelle"`
	Detail string `json:"detail,omitempty"`
	Kind   string `json:"type,omitempty"`
}

// Match says why a document was found, best first.
type Match int

// Kinds of match, in ranking order: an exact code beats a code prefix, which
// beats a label holding every word, which beats a label holding some.
const (
	MatchPartial Match = iota
	MatchWords
	MatchCodePrefix
	MatchCode
)

func (m Match) String() string {
	switch m {
	case MatchCode:
		return "code exact"
	case MatchCodePrefix:
		return "début de code"
	case MatchWords:
		return "libellé"
	}
	return "partiel"
}

// Hit is a search result.
type Hit struct {
	Doc
	Match Match   `json:"-"`
	Score float32 `json:"score"`
}

// Term weights. A word found as typed (after accent, case and plural folding)
// weighs most, a synonym a little less, a word that only starts like the typed
// one (the user is still typing) less again; words of the secondary text (chapter
// name, category, town) count for less than words of the label.
const (
	wExact     = 10
	wSynonym   = 8
	wPrefix    = 6
	fSecondary = 0.5
)

// Index is an in-memory inverted index over the documents of one référentiel.
// It is immutable once built and safe for concurrent searches.
type Index struct {
	Name  string
	docs  []Doc
	ntok  []uint16  // primary terms per document (shorter labels rank first)
	boost []float32 // tie-break, e.g. population of a commune
	codes []codeRef // sorted by code
	terms []string  // sorted
	post  [][]int32 // per term: doc<<1 | secondary
	syn   map[string][][]string
	pool  sync.Pool
}

type codeRef struct {
	code string
	doc  int32
}

// Builder accumulates documents into an Index.
type Builder struct {
	name  string
	docs  []Doc
	ntok  []uint16
	boost []float32
	codes []codeRef
	post  map[string][]int32
}

// NewBuilder starts an index called name.
func NewBuilder(name string) *Builder {
	return &Builder{name: name, post: map[string][]int32{}}
}

// Add indexes d: its code, the words of its label and of d.Detail as primary
// text, and the words of secondary (chapter names, categories…) with less weight.
// extraCodes are other codes under which the document is found (postal codes…).
func (b *Builder) Add(d Doc, boost float32, secondary string, extraCodes ...string) {
	id := int32(len(b.docs))
	b.docs = append(b.docs, d)
	b.boost = append(b.boost, boost)
	for _, c := range append([]string{d.Code}, extraCodes...) {
		if cc := CompactCode(c); cc != "" {
			b.codes = append(b.codes, codeRef{cc, id})
		}
	}
	seen := map[string]bool{}
	prim := Terms(d.Label)
	b.ntok = append(b.ntok, uint16(len(prim)))
	for _, t := range prim {
		if !seen[t] {
			seen[t] = true
			b.post[t] = append(b.post[t], id<<1)
		}
	}
	for _, t := range Terms(secondary) {
		if !seen[t] {
			seen[t] = true
			b.post[t] = append(b.post[t], id<<1|1)
		}
	}
}

// Build freezes the index.
func (b *Builder) Build() *Index {
	ix := &Index{Name: b.name, docs: b.docs, ntok: b.ntok, boost: b.boost, codes: b.codes, syn: map[string][][]string{}}
	sort.Slice(ix.codes, func(i, j int) bool {
		if ix.codes[i].code != ix.codes[j].code {
			return ix.codes[i].code < ix.codes[j].code
		}
		return ix.codes[i].doc < ix.codes[j].doc
	})
	ix.terms = make([]string, 0, len(b.post))
	for t := range b.post {
		ix.terms = append(ix.terms, t)
	}
	sort.Strings(ix.terms)
	ix.post = make([][]int32, len(ix.terms))
	for i, t := range ix.terms {
		ix.post[i] = b.post[t]
	}
	for k, alts := range Synonyms {
		key := Terms(k)
		if len(key) != 1 {
			continue
		}
		for _, a := range alts {
			if ts := Terms(a); len(ts) > 0 {
				ix.syn[key[0]] = append(ix.syn[key[0]], ts)
			}
		}
	}
	n := len(ix.docs)
	ix.pool.New = func() any {
		return &scratch{acc: make([]float32, n), cnt: make([]uint8, n), best: make([]float32, n), stamp: make([]uint32, n)}
	}
	return ix
}

// Len returns the number of documents.
func (ix *Index) Len() int { return len(ix.docs) }

// ByCode returns the documents whose code is code (dots and case ignored).
func (ix *Index) ByCode(code string) []Doc {
	cc := CompactCode(code)
	var out []Doc
	for i := sort.Search(len(ix.codes), func(i int) bool { return ix.codes[i].code >= cc }); i < len(ix.codes) && ix.codes[i].code == cc; i++ {
		if d := ix.docs[ix.codes[i].doc]; CompactCode(d.Code) == cc {
			out = append(out, d)
		}
	}
	return out
}

type scratch struct {
	acc     []float32
	cnt     []uint8
	best    []float32
	stamp   []uint32
	cur     uint32
	touched []int32
	cands   []int32
	code    map[int32]Match
}

func (ix *Index) term(t string) int {
	i := sort.SearchStrings(ix.terms, t)
	if i < len(ix.terms) && ix.terms[i] == t {
		return i
	}
	return -1
}

// Search returns at most limit documents matching q, best first. q may be a
// code ("M545", "M54.5", "2166740") or words in any order, accents, case and
// plural ignored, the last ones possibly incomplete.
func (ix *Index) Search(q string, limit int) []Hit {
	if limit <= 0 {
		limit = 20
	}
	q = strings.TrimSpace(q)
	if q == "" || len(ix.docs) == 0 {
		return nil
	}
	s := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	s.cands = s.cands[:0]
	clear(s.code)

	// Codes: exact, then prefix (at least two characters, so that one letter
	// typed does not list a whole chapter by code).
	if cc := CompactCode(q); cc != "" {
		lo := sort.Search(len(ix.codes), func(i int) bool { return ix.codes[i].code >= cc })
		for i := lo; i < len(ix.codes) && strings.HasPrefix(ix.codes[i].code, cc); i++ {
			m := MatchCodePrefix
			if ix.codes[i].code == cc {
				m = MatchCode
			} else if len(cc) < 2 {
				break
			}
			if s.code == nil {
				s.code = map[int32]Match{}
			}
			d := ix.codes[i].doc
			if old, ok := s.code[d]; !ok || m > old {
				if !ok && s.cnt[d] == 0 && s.acc[d] == 0 {
					s.cands = append(s.cands, d)
				}
				s.code[d] = m
			}
		}
	}

	terms := Terms(q)
	if len(terms) > 8 {
		terms = terms[:8]
	}
	for _, t := range terms {
		s.cur++
		if s.cur == 0 {
			clear(s.stamp)
			s.cur = 1
		}
		s.touched = s.touched[:0]
		add := func(ti int, w float32) {
			for _, p := range ix.post[ti] {
				d := p >> 1
				wd := w
				if p&1 == 1 {
					wd *= fSecondary
				}
				if s.stamp[d] != s.cur {
					s.stamp[d] = s.cur
					s.best[d] = wd
					s.touched = append(s.touched, d)
				} else if wd > s.best[d] {
					s.best[d] = wd
				}
			}
		}
		lo := sort.SearchStrings(ix.terms, t)
		for i := lo; i < len(ix.terms) && strings.HasPrefix(ix.terms[i], t); i++ {
			if ix.terms[i] == t {
				add(i, wExact)
			} else {
				add(i, wPrefix)
			}
		}
		for _, alt := range ix.syn[t] {
			if len(alt) == 1 {
				if ti := ix.term(alt[0]); ti >= 0 {
					add(ti, wSynonym)
				}
				continue
			}
			ix.addAll(s, alt, wSynonym)
		}
		for _, d := range s.touched {
			if s.cnt[d] == 0 && s.acc[d] == 0 {
				if _, isCode := s.code[d]; !isCode {
					s.cands = append(s.cands, d)
				}
			}
			s.acc[d] += s.best[d]
			s.cnt[d]++
		}
	}

	h := &hitHeap{ix: ix}
	for _, d := range s.cands {
		m := MatchPartial
		if cm, ok := s.code[d]; ok {
			m = cm
		} else if int(s.cnt[d]) == len(terms) {
			m = MatchWords
		}
		c := cand{doc: d, match: m, cnt: s.cnt[d], score: s.acc[d]}
		if h.Len() < limit {
			heap.Push(h, c)
		} else if h.better(c, h.c[0]) {
			h.c[0] = c
			heap.Fix(h, 0)
		}
		s.acc[d], s.cnt[d] = 0, 0
	}
	out := make([]Hit, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		c := heap.Pop(h).(cand)
		out[i] = Hit{Doc: ix.docs[c.doc], Match: c.match, Score: c.score}
	}
	return out
}

// addAll adds, for a multi-word synonym, the documents holding every word.
func (ix *Index) addAll(s *scratch, alt []string, w float32) {
	var set map[int32]bool
	for _, t := range alt {
		ti := ix.term(t)
		if ti < 0 {
			return
		}
		next := map[int32]bool{}
		for _, p := range ix.post[ti] {
			d := p >> 1
			if set == nil || set[d] {
				next[d] = true
			}
		}
		set = next
	}
	for d := range set {
		if s.stamp[d] != s.cur {
			s.stamp[d] = s.cur
			s.best[d] = w
			s.touched = append(s.touched, d)
		} else if w > s.best[d] {
			s.best[d] = w
		}
	}
}

type cand struct {
	doc   int32
	match Match
	cnt   uint8
	score float32
}

// hitHeap keeps the best candidates; its root is the worst kept.
type hitHeap struct {
	ix *Index
	c  []cand
}

func (h *hitHeap) better(a, b cand) bool {
	if a.match != b.match {
		return a.match > b.match
	}
	if a.cnt != b.cnt {
		return a.cnt > b.cnt
	}
	if a.score != b.score {
		return a.score > b.score
	}
	ix := h.ix
	if ix.boost[a.doc] != ix.boost[b.doc] {
		return ix.boost[a.doc] > ix.boost[b.doc]
	}
	if ix.ntok[a.doc] != ix.ntok[b.doc] {
		return ix.ntok[a.doc] < ix.ntok[b.doc]
	}
	return ix.docs[a.doc].Code < ix.docs[b.doc].Code
}

func (h *hitHeap) Len() int           { return len(h.c) }
func (h *hitHeap) Less(i, j int) bool { return h.better(h.c[j], h.c[i]) }
func (h *hitHeap) Swap(i, j int)      { h.c[i], h.c[j] = h.c[j], h.c[i] }
func (h *hitHeap) Push(x any)         { h.c = append(h.c, x.(cand)) }
func (h *hitHeap) Pop() any {
	x := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return x
}
