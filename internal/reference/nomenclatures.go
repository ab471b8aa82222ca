package reference

import (
	"sort"

	"medconseil"
)

// Nomenclatures answers, from a loaded Set, whether codes exist: what intake
// checks filed codes against (medconseil.Nomenclatures).
type Nomenclatures struct {
	set      *Set
	byPostal map[string][]string
}

var _ medconseil.Nomenclatures = (*Nomenclatures)(nil)

// NewNomenclatures indexes s for intake checks.
func NewNomenclatures(s *Set) *Nomenclatures {
	n := &Nomenclatures{set: s, byPostal: map[string][]string{}}
	for code, c := range s.Communes {
		for _, cp := range c.CodesPostaux {
			n.byPostal[cp] = append(n.byPostal[cp], code)
		}
	}
	for _, cs := range n.byPostal {
		sort.Strings(cs)
	}
	return n
}

// CIM10Existe reports whether code (SNDS form, "M545") is in the CIM-10.
func (n *Nomenclatures) CIM10Existe(code string) (bool, bool) {
	if len(n.set.CIM10) == 0 {
		return false, false
	}
	_, ok := n.set.CIM10[code]
	return ok, true
}

// LPPExiste reports whether code is in the LPP.
func (n *Nomenclatures) LPPExiste(code string) (bool, bool) {
	if len(n.set.LPP) == 0 {
		return false, false
	}
	_, ok := n.set.LPP[code]
	return ok, true
}

// CommuneExiste reports whether code is an INSEE commune code.
func (n *Nomenclatures) CommuneExiste(code string) (bool, bool) {
	if len(n.set.Communes) == 0 {
		return false, false
	}
	_, ok := n.set.Communes[code]
	return ok, true
}

// CommunesDuCodePostal returns the INSEE codes a postal code serves.
func (n *Nomenclatures) CommunesDuCodePostal(cp string) []string {
	return append([]string(nil), n.byPostal[cp]...)
}

// FINESSExiste reports whether code is a FINESS establishment.
func (n *Nomenclatures) FINESSExiste(code string) (bool, bool) {
	if len(n.set.Finess) == 0 {
		return false, false
	}
	_, ok := n.set.Finess[code]
	return ok, true
}
