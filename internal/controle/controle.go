// Package controle holds the procedures of the control of professionals and the
// contentieux as data (REGULATIONS.md §8, §14, §15): the MSO/MSAP procedure on a
// prescriber (L162-1-15, R148-1 to R148-9), the recovery of an indu (L133-4,
// R133-9-1), the pénalité financière (L114-17-1, L114-17-2, R147-2) and the
// contentieux (CMRA R142-8 ff., tribunal judiciaire pôle social R142-10 ff.,
// expertise R142-16). Each is a circuit: its steps, the transitions between them
// with the roles that may make each, and its deadlines, whose durations are the
// dated parameters rules/parametres/controle/* (value, reference and "to verify"
// flag in force on the day the deadline starts).
//
// The circuits are not dossier types of internal/lifecycle: those are requests
// about an assuré (the dossier table is keyed by the NIR), whereas a procedure is
// about a professional. The store (internal/sqldb, controle.go) keeps them in
// their own tables, with their own deadline rows fired by the same scheduler.
package controle

import (
	"fmt"
	"slices"

	"medconseil"
	"medconseil/internal/rules"
)

// Circuit is a kind of procedure.
type Circuit string

// Circuits.
const (
	CircuitMSO         Circuit = "mso_msap"
	CircuitIndu        Circuit = "indu"
	CircuitPenalite    Circuit = "penalite"
	CircuitContentieux Circuit = "contentieux"
)

// Etape is a step (state) of a circuit.
type Etape string

// Events of the store that are not transitions: opening a procedure.
const Ouverture = "ouverture"

// Saisie is an input a transition needs.
type Saisie string

// Inputs of transitions.
const (
	SaisieDate     Saisie = "date"     // the day of the event (hearing, avis, judgement…)
	SaisieNote     Saisie = "note"     // compte rendu, motifs (free text, encrypted)
	SaisieObjectif Saisie = "objectif" // MSO: reduction objective, in percent
	SaisiePeriode  Saisie = "periode"  // MSO or MSAP: start and end dates
	SaisieIssue    Saisie = "issue"    // outcome in words (avis, jugement)
	SaisieMontant  Saisie = "montant"  // pénalité: amount decided
)

// EtapeDef is a step with its French label.
type EtapeDef struct {
	Code    Etape
	Libelle string
	Finale  bool
}

// Transition moves a procedure from one of De to Vers, made by one of Par.
type Transition struct {
	Evenement string
	Libelle   string
	De        []Etape
	Vers      Etape
	Par       []medconseil.Role
	Saisies   []Saisie
	Source    string // the article it applies
}

// Allows reports whether one of roles may make the transition.
func (t *Transition) Allows(roles []medconseil.Role) bool {
	for _, r := range roles {
		if slices.Contains(t.Par, r) {
			return true
		}
	}
	return false
}

// Echeance is a deadline: started by the event Apres (a transition, Ouverture, or
// the firing of another deadline), it runs while the procedure stays in one of
// TantQue; when it runs out the procedure moves to Vers (empty: a reminder only).
type Echeance struct {
	Nom       string
	Libelle   string
	Apres     string
	Parametre string // rules parameter giving the duration; "" with FinPeriode
	// FinPeriode: the deadline is the end of the period entered with the
	// transition (MSO objective period, MSAP duration).
	FinPeriode bool
	TantQue    []Etape
	Vers       Etape
	Effet      string // what its expiry means, in French
}

// Def is a circuit.
type Def struct {
	Circuit     Circuit
	Libelle     string
	Initial     Etape
	Etapes      []EtapeDef
	Transitions []Transition
	Echeances   []Echeance
}

// Etape returns the definition of step e.
func (d *Def) Etape(e Etape) (EtapeDef, bool) {
	for _, s := range d.Etapes {
		if s.Code == e {
			return s, true
		}
	}
	return EtapeDef{}, false
}

// Label returns the French label of step e.
func (d *Def) Label(e Etape) string {
	if s, ok := d.Etape(e); ok {
		return s.Libelle
	}
	return string(e)
}

// Transition returns the transition ev from step e.
func (d *Def) Transition(ev string, e Etape) (*Transition, bool) {
	for i := range d.Transitions {
		t := &d.Transitions[i]
		if t.Evenement == ev && slices.Contains(t.De, e) {
			return t, true
		}
	}
	return nil, false
}

// Possible returns the transitions possible from step e.
func (d *Def) Possible(e Etape) []Transition {
	var out []Transition
	for _, t := range d.Transitions {
		if slices.Contains(t.De, e) {
			out = append(out, t)
		}
	}
	return out
}

// Started returns the deadlines the event ev starts when the procedure is now in e.
func (d *Def) Started(ev string, e Etape) []Echeance {
	var out []Echeance
	for _, x := range d.Echeances {
		if x.Apres == ev && slices.Contains(x.TantQue, e) {
			out = append(out, x)
		}
	}
	return out
}

// Echeance returns the deadline named nom.
func (d *Def) Echeance(nom string) (Echeance, bool) {
	for _, x := range d.Echeances {
		if x.Nom == nom {
			return x, true
		}
	}
	return Echeance{}, false
}

// Planned is a deadline computed on a date, with its trace.
type Planned struct {
	Echeance
	Limite    medconseil.Date // last day of the délai; the effect is acquired the day after
	Duree     string          // "1 mois", "15 jours"
	Reference string          // the parameter's references, joined
	Href      string
	Verifier  bool // the value is marked "to verify" in the parameter file
}

// Plan computes deadline x started on day from; fin is the end of the period
// entered with the transition (FinPeriode).
func Plan(params *rules.Set, x Echeance, from, fin medconseil.Date) (Planned, error) {
	p := Planned{Echeance: x}
	if x.FinPeriode {
		if fin.IsZero() {
			return p, fmt.Errorf("échéance %s : période sans date de fin", x.Nom)
		}
		p.Limite, p.Duree, p.Reference = fin, "fin de la période", "période décidée"
		return p, nil
	}
	par, ok := params.Get("controle/" + x.Parametre)
	if !ok {
		return p, fmt.Errorf("échéance %s : paramètre controle/%s absent", x.Nom, x.Parametre)
	}
	per, ok := par.At(from)
	if !ok || per.Value.Kind != rules.Number {
		return p, fmt.Errorf("échéance %s : controle/%s sans valeur en vigueur le %s", x.Nom, x.Parametre, from.Francais())
	}
	n := int(per.Value.Num.Int())
	switch par.Unit {
	case rules.Mois:
		p.Limite = from.AddMonths(n)
	case rules.Jour:
		p.Limite = from.AddDays(n)
	case rules.An:
		p.Limite = from.AddYears(n)
	default:
		return p, fmt.Errorf("échéance %s : unité %s non prévue", x.Nom, par.Unit)
	}
	p.Duree = fmt.Sprintf("%d %s", n, par.Unit.Label())
	for i, r := range per.References {
		if i > 0 {
			p.Reference += " ; "
		}
		p.Reference += r.Title
		if p.Href == "" {
			p.Href = r.Href
		}
	}
	p.Verifier = per.Verify
	return p, nil
}

// Value returns the number in force on d of parameter controle/name.
func Value(params *rules.Set, name string, d medconseil.Date) (rules.Rat, *rules.Period, error) {
	par, ok := params.Get("controle/" + name)
	if !ok {
		return rules.Rat{}, nil, fmt.Errorf("paramètre controle/%s absent", name)
	}
	per, ok := par.At(d)
	if !ok || per.Value.Kind != rules.Number {
		return rules.Rat{}, nil, fmt.Errorf("controle/%s : aucune valeur en vigueur le %s", name, d.Francais())
	}
	return per.Value.Num, per, nil
}

// Get returns the circuit c.
func Get(c Circuit) (*Def, bool) {
	for _, d := range Circuits {
		if d.Circuit == c {
			return d, true
		}
	}
	return nil, false
}
