package rules

import (
	"fmt"
	"strconv"
	"strings"

	"medconseil"
)

// Decision is the result of a rule set on one input: an outcome, the reasons that
// led to it, computed results, and the parameters used. It is built without
// allocation into reusable buffers (a batch evaluates millions of them); Explain
// renders it, messages included, for people and for JSON.
type Decision struct {
	RuleSet string
	Version string          // the dated version of the logic that applied
	Date    medconseil.Date // the date of the facts that chose the version and the values
	Outcome string          // stable code
	reasons []Reason
	results []Result
	trace   []use
}

// Reason is one step of the decision: a stable code, a French message and the
// legal references of the rule it applies.
type Reason struct {
	Code   string
	format string
	args   [6]arg
	nargs  uint8
	Refs   []Reference
}

type argKind uint8

const (
	argInt argKind = iota
	argMontant
	argDate
	argText
	argRat
)

type arg struct {
	kind argKind
	n    int64
	d    medconseil.Date
	s    string
	r    Rat
}

func iarg(n int64) arg              { return arg{kind: argInt, n: n} }
func marg(m medconseil.Montant) arg { return arg{kind: argMontant, n: int64(m)} }
func darg(d medconseil.Date) arg    { return arg{kind: argDate, d: d} }
func sarg(s string) arg             { return arg{kind: argText, s: s} }
func rarg(r Rat) arg                { return arg{kind: argRat, r: r} }

func (a arg) value() any {
	switch a.kind {
	case argInt:
		return a.n
	case argMontant:
		return medconseil.Montant(a.n).String()
	case argDate:
		return a.d.Francais()
	case argRat:
		return a.r.Francais()
	}
	return a.s
}

// Message renders the French message of the reason.
func (r *Reason) Message() string {
	if r.nargs == 0 {
		return r.format
	}
	vals := make([]any, r.nargs)
	for i := range vals {
		vals[i] = r.args[i].value()
	}
	return fmt.Sprintf(r.format, vals...)
}

// Result is a computed figure of the decision: a number of days, an amount, a date.
type Result struct {
	Name  string // stable key
	Label string // French
	kind  argKind
	n     int64
	d     medconseil.Date
	s     string
}

type use struct {
	p   *Parameter
	per *Period
}

// reset prepares d for a new evaluation, keeping its buffers.
func (d *Decision) reset(ruleset string, date medconseil.Date) {
	d.RuleSet, d.Version, d.Date, d.Outcome = ruleset, "", date, ""
	d.reasons = d.reasons[:0]
	d.results = d.results[:0]
	d.trace = d.trace[:0]
}

func (d *Decision) add(code string, refs []Reference, format string, args ...arg) {
	r := Reason{Code: code, format: format, Refs: refs, nargs: uint8(min(len(args), 6))}
	copy(r.args[:], args)
	d.reasons = append(d.reasons, r)
}

func (d *Decision) result(name, label string, a arg) {
	d.results = append(d.results, Result{Name: name, Label: label, kind: a.kind, n: a.n, d: a.d, s: a.s})
}

// used records that the decision read parameter p in its period per; each
// parameter period appears once in the trace.
func (d *Decision) used(p *Parameter, per *Period) {
	for _, u := range d.trace {
		if u.per == per {
			return
		}
	}
	d.trace = append(d.trace, use{p, per})
}

// Reasons returns the reasons, in the order they were established.
func (d *Decision) Reasons() []Reason { return d.reasons }

// Codes returns the reason codes.
func (d *Decision) Codes() []string {
	c := make([]string, len(d.reasons))
	for i, r := range d.reasons {
		c[i] = r.Code
	}
	return c
}

// Result returns the integer value of a result by name (days, centimes).
func (d *Decision) Result(name string) (int64, bool) {
	for _, r := range d.results {
		if r.Name == name {
			return r.n, true
		}
	}
	return 0, false
}

// TraceLen returns the number of parameter values used.
func (d *Decision) TraceLen() int { return len(d.trace) }

// Explanation is a decision written out for people and for JSON: the same for the
// API, the command line and the web page.
type Explanation struct {
	RuleSet      string              `json:"ruleset"`
	Title        string              `json:"title"`
	Version      string              `json:"version"`
	Date         string              `json:"date"`
	Outcome      string              `json:"outcome"`
	OutcomeLabel string              `json:"outcome_label"`
	Reasons      []ExplainedReason   `json:"reasons"`
	Results      []ExplainedResult   `json:"results"`
	Trace        []ExplainedParamUse `json:"trace"`
}

// ExplainedReason is a reason with its message.
type ExplainedReason struct {
	Code       string      `json:"code"`
	Message    string      `json:"message"`
	References []Reference `json:"references"`
}

// ExplainedResult is a computed figure: Value is machine-readable (an integer of days
// or centimes, a YYYY-MM-DD date, a code), Display is French.
type ExplainedResult struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Value   any    `json:"value"`
	Display string `json:"display"`
}

// ExplainedParamUse is one line of the trace: which value of which parameter, in
// force since when, by which text.
type ExplainedParamUse struct {
	Parameter   string      `json:"parameter"`
	Description string      `json:"description"`
	Value       string      `json:"value"`
	Display     string      `json:"display"` // French: "50 %", "91,25", "12,31 €"
	Unit        Unit        `json:"unit"`
	Since       string      `json:"since"`
	References  []Reference `json:"references"`
	Verify      bool        `json:"verify,omitempty"`
	Note        string      `json:"note,omitempty"`
}

// Explain writes the decision out; title and outcome labels come from the rule set.
func (d *Decision) explain(title string, labels map[string]string) *Explanation {
	e := &Explanation{
		RuleSet: d.RuleSet, Title: title, Version: d.Version, Date: d.Date.String(),
		Outcome: d.Outcome, OutcomeLabel: labels[d.Outcome],
		Reasons: make([]ExplainedReason, 0, len(d.reasons)),
		Results: make([]ExplainedResult, 0, len(d.results)),
		Trace:   make([]ExplainedParamUse, 0, len(d.trace)),
	}
	for i := range d.reasons {
		r := &d.reasons[i]
		refs := r.Refs
		if refs == nil {
			refs = []Reference{}
		}
		e.Reasons = append(e.Reasons, ExplainedReason{Code: r.Code, Message: r.Message(), References: refs})
	}
	for _, r := range d.results {
		x := ExplainedResult{Name: r.Name, Label: r.Label}
		switch r.kind {
		case argInt:
			x.Value, x.Display = r.n, strconv.FormatInt(r.n, 10)
		case argMontant:
			x.Value, x.Display = r.n, medconseil.Montant(r.n).String()
		case argDate:
			x.Value, x.Display = r.d.String(), r.d.Francais()
		default:
			x.Value, x.Display = r.s, r.s
		}
		e.Results = append(e.Results, x)
	}
	for _, u := range d.trace {
		e.Trace = append(e.Trace, ExplainedParamUse{
			Parameter: u.p.Name, Description: u.p.Description, Value: u.per.Value.String(), Display: DisplayValue(u.per.Value, u.p.Unit),
			Unit: u.p.Unit, Since: u.per.Start.String(), References: u.per.References,
			Verify: u.per.Verify, Note: u.per.Note,
		})
	}
	return e
}

// percent writes a taux (0.5) as a French percentage without the sign ("50",
// "0,834", "66,67"): rates are shown as percentages, never as fractions of one.
func percent(r Rat) string {
	p := Rat{N: r.N * 100, D: r.D}
	p = newRat(p.N, p.D)
	if _, ok := pow10For(p.D); ok {
		return p.Francais()
	}
	// Two decimals, rounded half up.
	n := (p.N*200/p.D + 1) / 2
	return strings.Replace(Rat{N: n, D: 100}.String(), ".", ",", 1)
}

// DisplayValue writes a parameter value for people: a taux as a percentage ("50 %",
// "0,834 %"), a number with a decimal comma and its unit ("12,31 €", "60 jours
// francs"), a date table by row.
func DisplayValue(v Value, u Unit) string {
	switch v.Kind {
	case Number:
		if u == Taux {
			return percent(v.Num) + " %"
		}
		s := v.Num.Francais()
		if l := u.Label(); l != "" && u != Coefficient && u != Nombre {
			s += " " + l
		}
		return s
	case Bool:
		if v.Bool {
			return "oui"
		}
		return "non"
	case Null:
		return "abrogé"
	case List:
		s := make([]string, len(v.List))
		for i, r := range v.List {
			s[i] = r.Francais()
		}
		return strings.Join(s, ", ")
	case Table:
		s := make([]string, len(v.Table))
		for i, r := range v.Table {
			s[i] = "à partir du " + r.From.Francais() + " : " + r.Value.Francais()
			if u != "" && u != Nombre {
				s[i] += " " + u.Label()
			}
		}
		return strings.Join(s, " ; ")
	}
	return v.String()
}
