package rules

import "medconseil"

// ParameterView is a parameter as the API and the Législation page show it: its value
// on a date and its whole history, each value with its references.
type ParameterView struct {
	Name         string       `json:"name"`
	Description  string       `json:"description"`
	Unit         Unit         `json:"unit"`
	LastReviewed string       `json:"last_reviewed"`
	Date         string       `json:"date"`
	Current      *PeriodView  `json:"current"` // null before the first value or when repealed
	Values       []PeriodView `json:"values"`
	Verify       bool         `json:"verify"`
}

// PeriodView is one dated value.
type PeriodView struct {
	Since      string      `json:"since"`
	Value      string      `json:"value"`   // "null" when repealed
	Display    string      `json:"display"` // French: "50 %", "12,31 €"
	Repealed   bool        `json:"repealed,omitempty"`
	References []Reference `json:"references"`
	Verify     bool        `json:"verify,omitempty"`
	Note       string      `json:"note,omitempty"`
}

// View describes p on date on.
func (p *Parameter) View(on medconseil.Date) ParameterView {
	v := ParameterView{Name: p.Name, Description: p.Description, Unit: p.Unit,
		LastReviewed: p.LastReviewed.String(), Date: on.String(), Verify: p.Verify(),
		Values: make([]PeriodView, 0, len(p.Periods))}
	for i := range p.Periods {
		per := &p.Periods[i]
		v.Values = append(v.Values, PeriodView{Since: per.Start.String(), Value: per.Value.String(), Display: DisplayValue(per.Value, p.Unit),
			Repealed: per.Value.Kind == Null, References: per.References, Verify: per.Verify, Note: per.Note})
	}
	if per, ok := p.At(on); ok {
		for i := range p.Periods {
			if &p.Periods[i] == per {
				c := v.Values[i]
				v.Current = &c
			}
		}
	}
	return v
}

// ParametersAt describes every parameter of s on date on, by name.
func ParametersAt(s *Set, on medconseil.Date) []ParameterView {
	out := make([]ParameterView, 0, len(s.names))
	for _, n := range s.names {
		out = append(out, s.byName[n].View(on))
	}
	return out
}

// VerifyItem is one dated value still marked « à vérifier »: REGULATIONS.md or the
// sources found do not confirm it.
type VerifyItem struct {
	Parameter   string      `json:"parameter"`
	Description string      `json:"description"`
	Since       string      `json:"since"`
	Display     string      `json:"display"`
	Note        string      `json:"note"`
	References  []Reference `json:"references"`
}

// ToVerify lists every value marked verify, by parameter then date.
func ToVerify(s *Set) []VerifyItem {
	var out []VerifyItem
	for _, n := range s.names {
		p := s.byName[n]
		for i := range p.Periods {
			per := &p.Periods[i]
			if per.Verify {
				out = append(out, VerifyItem{Parameter: p.Name, Description: p.Description, Since: per.Start.String(),
					Display: DisplayValue(per.Value, p.Unit), Note: per.Note, References: per.References})
			}
		}
	}
	return out
}
