// Package rules holds the legislation the médecins-conseils apply, as code: dated
// parameters with their legal references (one YAML file per parameter, embedded) and
// the rule sets that use them. Every decision carries its reasons, each with the
// articles it applies, and the trace of the parameter values used on the date of
// the facts, so that the médecin-conseil can see why.
package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"medconseil"
)

//go:embed parametres
var embedded embed.FS

// Embedded returns the parameter files shipped with the binary, rooted at "parametres".
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "parametres")
	if err != nil {
		panic(err) // the directory is part of the build
	}
	return sub
}

// Unit is the unit of a parameter value, from a closed list.
type Unit string

// Units. A parameter file with any other unit is rejected.
const (
	Jour        Unit = "jour"
	JourFranc   Unit = "jour_franc"
	Semaine     Unit = "semaine"
	Mois        Unit = "mois"
	An          Unit = "an"
	Heure       Unit = "heure"
	Km          Unit = "km"
	Seance      Unit = "seance"
	Euro        Unit = "euro"
	Taux        Unit = "taux"        // a ratio: 0.5 is 50 %
	Coefficient Unit = "coefficient" // a multiplier: 1.8 × SMIC
	Nombre      Unit = "nombre"
	Booleen     Unit = "booleen"
)

// Units lists the closed list of units, in the order documentation shows them.
var Units = []Unit{Jour, JourFranc, Semaine, Mois, An, Heure, Km, Seance, Euro, Taux, Coefficient, Nombre, Booleen}

// Label returns the French unit as read in a sentence.
func (u Unit) Label() string {
	switch u {
	case Jour:
		return "jours"
	case JourFranc:
		return "jours francs"
	case Semaine:
		return "semaines"
	case Mois:
		return "mois"
	case An:
		return "ans"
	case Heure:
		return "heures"
	case Km:
		return "km"
	case Seance:
		return "séances"
	case Euro:
		return "€"
	case Taux:
		return "(taux)"
	case Coefficient:
		return "(coefficient)"
	case Nombre:
		return ""
	case Booleen:
		return "(oui/non)"
	}
	return string(u)
}

func knownUnit(u Unit) bool {
	for _, k := range Units {
		if k == u {
			return true
		}
	}
	return false
}

// Reference is a legal source: the title of the text and a link to it
// (Légifrance, ameli.fr, the Journal officiel).
type Reference struct {
	Title string `yaml:"title" json:"title"`
	Href  string `yaml:"href" json:"href"`
}

// Rat is an exact rational number: parameter values are never floats, so that
// 1.4 × SMIC or 2/3 are computed exactly.
type Rat struct {
	N, D int64 // D > 0, N/D in lowest terms
}

// Int returns the integer part (truncated toward zero).
func (r Rat) Int() int64 { return r.N / r.D }

// String writes r as written in parameter files: "3", "1.8", "2/3".
func (r Rat) String() string {
	if r.D == 1 {
		return strconv.FormatInt(r.N, 10)
	}
	// Decimal when the denominator divides a power of ten.
	if p, ok := pow10For(r.D); ok {
		n := r.N * (p / r.D)
		s := strconv.FormatInt(abs(n), 10)
		digits := len(strconv.FormatInt(p, 10)) - 1
		for len(s) <= digits {
			s = "0" + s
		}
		out := s[:len(s)-digits] + "." + s[len(s)-digits:]
		if n < 0 {
			out = "-" + out
		}
		return out
	}
	return strconv.FormatInt(r.N, 10) + "/" + strconv.FormatInt(r.D, 10)
}

// Francais writes r with a decimal comma.
func (r Rat) Francais() string { return strings.Replace(r.String(), ".", ",", 1) }

func pow10For(d int64) (int64, bool) {
	p := int64(1)
	for i := 0; i < 15; i++ {
		if p%d == 0 {
			return p, true
		}
		p *= 10
	}
	return 0, false
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func gcd(a, b int64) int64 {
	a, b = abs(a), abs(b)
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// ParseRat reads "3", "-2", "1.8", "0.6667" or "2/3".
func ParseRat(s string) (Rat, error) {
	bad := fmt.Errorf("nombre %q illisible : écrire 3, 1.8 ou 2/3", s)
	if s == "" || len(s) > 24 {
		return Rat{}, bad
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.ParseInt(a, 10, 64)
		d, err2 := strconv.ParseInt(b, 10, 64)
		if err1 != nil || err2 != nil || d <= 0 {
			return Rat{}, bad
		}
		return newRat(n, d), nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	if whole == "" || strings.HasPrefix(whole, "+") || len(frac) > 12 {
		return Rat{}, bad
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return Rat{}, bad
		}
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > 1<<50 {
		return Rat{}, bad
	}
	d := int64(1)
	for range frac {
		d *= 10
	}
	if neg {
		n = -n
	}
	return newRat(n, d), nil
}

func newRat(n, d int64) Rat {
	if g := gcd(n, d); g > 1 {
		n, d = n/g, d/g
	}
	return Rat{N: n, D: d}
}

// Kind is the shape of a parameter value.
type Kind uint8

// Kinds of values.
const (
	Null   Kind = iota // repealed: no value in force
	Number             // one exact number
	Bool               // oui / non
	List               // a list of numbers (ages, for instance)
	Table              // a table keyed by a date: retirement age by date of birth
)

// Row is one row of a Table: from date From on, the value is Value.
type Row struct {
	From  medconseil.Date
	Value Rat
}

// Value is the value of a parameter during one period.
type Value struct {
	Kind  Kind
	Num   Rat
	Bool  bool
	List  []Rat
	Table []Row
}

// Lookup returns the value of a Table for key k: the row with the latest From on or
// before k.
func (v Value) Lookup(k medconseil.Date) (Rat, bool) {
	for i := len(v.Table) - 1; i >= 0; i-- {
		if !v.Table[i].From.After(k) {
			return v.Table[i].Value, true
		}
	}
	return Rat{}, false
}

// Contains reports whether a List holds n.
func (v Value) Contains(n int64) bool {
	for _, r := range v.List {
		if r.D == 1 && r.N == n {
			return true
		}
	}
	return false
}

// String writes the value as a parameter file writes it.
func (v Value) String() string {
	switch v.Kind {
	case Null:
		return "null"
	case Number:
		return v.Num.String()
	case Bool:
		if v.Bool {
			return "true"
		}
		return "false"
	case List:
		s := make([]string, len(v.List))
		for i, r := range v.List {
			s[i] = r.String()
		}
		return "[" + strings.Join(s, ", ") + "]"
	case Table:
		s := make([]string, len(v.Table))
		for i, r := range v.Table {
			s[i] = r.From.String() + ": " + r.Value.String()
		}
		return "{" + strings.Join(s, ", ") + "}"
	}
	return "?"
}

// Period is a value in force from Start until the next period starts.
type Period struct {
	Start      medconseil.Date
	Value      Value
	References []Reference
	Verify     bool   // REGULATIONS.md says the value is not confirmed: check on Légifrance
	Note       string // why, in French
}

// Parameter is one dated, referenced legal value.
type Parameter struct {
	Name         string // its path under parametres/, without .yaml: "ij/delai_carence"
	Description  string
	Unit         Unit
	Periods      []Period // by Start, increasing
	LastReviewed medconseil.Date
}

// At returns the period in force on d: the one with the latest start on or before d.
// It reports false before the first period and when the value in force is null
// (repealed).
func (p *Parameter) At(d medconseil.Date) (*Period, bool) {
	for i := len(p.Periods) - 1; i >= 0; i-- {
		if !p.Periods[i].Start.After(d) {
			per := &p.Periods[i]
			return per, per.Value.Kind != Null
		}
	}
	return nil, false
}

// Verify reports whether any period is marked as to be verified.
func (p *Parameter) Verify() bool {
	for _, per := range p.Periods {
		if per.Verify {
			return true
		}
	}
	return false
}

// Set is the collection of parameters a rule set reads.
type Set struct {
	byName map[string]*Parameter
	names  []string
}

// Names returns every parameter name, sorted.
func (s *Set) Names() []string { return s.names }

// Get returns a parameter by name.
func (s *Set) Get(name string) (*Parameter, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// LoadEmbedded loads the parameters shipped with the binary.
func LoadEmbedded() (*Set, error) { return Load(Embedded()) }

// Load reads and checks every *.yaml file of fsys. It returns every problem found,
// each naming the file and the key, joined.
func Load(fsys fs.FS) (*Set, error) {
	s := &Set{byName: map[string]*Parameter{}}
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !strings.HasSuffix(p, ".yaml") {
			errs = append(errs, fmt.Errorf("%s : seuls des fichiers .yaml sont permis", p))
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		par, err := ParseParameter(strings.TrimSuffix(p, ".yaml"), b)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		s.byName[par.Name] = par
		s.names = append(s.names, par.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Strings(s.names)
	return s, nil
}

// fileShape is the top level of a parameter file, decoded with KnownFields.
type fileShape struct {
	Description  string    `yaml:"description"`
	Unit         string    `yaml:"unit"`
	Values       yaml.Node `yaml:"values"`
	LastReviewed string    `yaml:"last_reviewed"`
}

// ParseError is a problem in a parameter file, naming the file, the key and the line.
type ParseError struct {
	File string
	Key  string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(" : clé « " + e.Key + " »")
	}
	b.WriteString(" : " + e.Msg)
	return b.String()
}

// ParseParameter parses one parameter file strictly: unknown keys, bad or duplicate
// dates, values without reference, unknown units and malformed values are errors.
func ParseParameter(name string, b []byte) (*Parameter, error) {
	file := "parametres/" + name + ".yaml"
	perr := func(key string, line int, format string, args ...any) error {
		return &ParseError{File: file, Key: key, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f fileShape
	if err := dec.Decode(&f); err != nil {
		return nil, perr(unknownKey(err), 0, "%s", frenchYAMLError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, perr("", extra.Line, "un seul document YAML par fichier")
	}
	p := &Parameter{Name: name, Description: strings.TrimSpace(f.Description), Unit: Unit(f.Unit)}
	var errs []error
	if p.Description == "" {
		errs = append(errs, perr("description", 0, "description manquante"))
	}
	if !knownUnit(p.Unit) {
		errs = append(errs, perr("unit", 0, "unité %q inconnue ; unités permises : %s", f.Unit, unitList()))
	}
	if f.LastReviewed == "" {
		errs = append(errs, perr("last_reviewed", 0, "date de dernière revue manquante"))
	} else if d, err := parseISODate(f.LastReviewed); err != nil {
		errs = append(errs, perr("last_reviewed", 0, "%v", err))
	} else {
		p.LastReviewed = d
	}
	v := &f.Values
	if v.Kind == 0 {
		errs = append(errs, perr("values", 0, "aucune valeur datée"))
		return nil, errors.Join(errs...)
	}
	if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
		errs = append(errs, perr("values", v.Line, "il faut une table « date: {value, reference} »"))
		return nil, errors.Join(errs...)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, e := v.Content[i], v.Content[i+1]
		key := "values." + k.Value
		start, err := parseISODate(k.Value)
		if err != nil {
			errs = append(errs, perr(key, k.Line, "%v", err))
			continue
		}
		if n := len(p.Periods); n > 0 && !p.Periods[n-1].Start.Before(start) {
			if p.Periods[n-1].Start == start {
				errs = append(errs, perr(key, k.Line, "date en double"))
			} else {
				errs = append(errs, perr(key, k.Line, "les dates doivent être croissantes"))
			}
			continue
		}
		per, err := parsePeriod(key, e, p.Unit, perr)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		per.Start = start
		p.Periods = append(p.Periods, per)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func unitList() string {
	s := make([]string, len(Units))
	for i, u := range Units {
		s[i] = string(u)
	}
	return strings.Join(s, ", ")
}

func parsePeriod(key string, e *yaml.Node, unit Unit, perr func(string, int, string, ...any) error) (Period, error) {
	var per Period
	if e.Kind != yaml.MappingNode {
		return per, perr(key, e.Line, "il faut « value » et « reference »")
	}
	var hasValue bool
	var errs []error
	for i := 0; i+1 < len(e.Content); i += 2 {
		k, n := e.Content[i], e.Content[i+1]
		sub := key + "." + k.Value
		switch k.Value {
		case "value":
			if hasValue {
				errs = append(errs, perr(sub, k.Line, "clé en double"))
				continue
			}
			hasValue = true
			v, err := parseValue(n, unit)
			if err != nil {
				errs = append(errs, perr(sub, n.Line, "%v", err))
				continue
			}
			per.Value = v
		case "reference":
			if per.References != nil {
				errs = append(errs, perr(sub, k.Line, "clé en double"))
				continue
			}
			refs, err := parseReferences(n)
			if err != nil {
				errs = append(errs, perr(sub, n.Line, "%v", err))
				continue
			}
			per.References = refs
		case "verify":
			if n.Kind != yaml.ScalarNode || (n.Value != "true" && n.Value != "false") {
				errs = append(errs, perr(sub, n.Line, "écrire true ou false"))
				continue
			}
			per.Verify = n.Value == "true"
		case "note":
			if n.Kind != yaml.ScalarNode {
				errs = append(errs, perr(sub, n.Line, "une note est un texte"))
				continue
			}
			per.Note = strings.TrimSpace(n.Value)
		default:
			errs = append(errs, perr(sub, k.Line, "clé inconnue (permises : value, reference, verify, note)"))
		}
	}
	if !hasValue {
		errs = append(errs, perr(key+".value", e.Line, "valeur manquante (écrire null pour une abrogation)"))
	}
	if len(per.References) == 0 && len(errs) == 0 {
		errs = append(errs, perr(key+".reference", e.Line, "valeur sans référence : citer le texte (title, href)"))
	}
	return per, errors.Join(errs...)
}

func parseReferences(n *yaml.Node) ([]Reference, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, errors.New("il faut une liste de références « - title: … href: … »")
	}
	refs := make([]Reference, 0, len(n.Content))
	for _, r := range n.Content {
		if r.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("ligne %d : une référence a un titre (title) et un lien (href)", r.Line)
		}
		var ref Reference
		for i := 0; i+1 < len(r.Content); i += 2 {
			k, v := r.Content[i], r.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("ligne %d : %s doit être un texte", v.Line, k.Value)
			}
			switch k.Value {
			case "title":
				ref.Title = strings.TrimSpace(v.Value)
			case "href":
				ref.Href = strings.TrimSpace(v.Value)
			default:
				return nil, fmt.Errorf("ligne %d : clé « %s » inconnue (permises : title, href)", k.Line, k.Value)
			}
		}
		if ref.Title == "" {
			return nil, fmt.Errorf("ligne %d : référence sans titre", r.Line)
		}
		if !strings.HasPrefix(ref.Href, "https://") {
			return nil, fmt.Errorf("ligne %d : le lien (href) doit commencer par https://", r.Line)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func parseValue(n *yaml.Node, unit Unit) (Value, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return Value{Kind: Null}, nil
		}
		if unit == Booleen {
			switch n.Value {
			case "true":
				return Value{Kind: Bool, Bool: true}, nil
			case "false":
				return Value{Kind: Bool}, nil
			}
			return Value{}, fmt.Errorf("valeur %q : l'unité booleen attend true ou false", n.Value)
		}
		r, err := ParseRat(n.Value)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: Number, Num: r}, nil
	case yaml.SequenceNode:
		if unit == Booleen {
			return Value{}, errors.New("l'unité booleen attend true ou false")
		}
		if len(n.Content) == 0 {
			return Value{}, errors.New("liste vide")
		}
		if n.Content[0].Kind == yaml.MappingNode {
			return parseTable(n)
		}
		v := Value{Kind: List}
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return Value{}, fmt.Errorf("ligne %d : la liste ne contient que des nombres", c.Line)
			}
			r, err := ParseRat(c.Value)
			if err != nil {
				return Value{}, err
			}
			v.List = append(v.List, r)
		}
		return v, nil
	}
	return Value{}, errors.New("valeur illisible : un nombre, true/false, null, une liste de nombres ou une table « - from: … value: … »")
}

func parseTable(n *yaml.Node) (Value, error) {
	v := Value{Kind: Table}
	for _, row := range n.Content {
		if row.Kind != yaml.MappingNode {
			return Value{}, fmt.Errorf("ligne %d : chaque ligne de la table est « from: AAAA-MM-JJ, value: nombre »", row.Line)
		}
		var r Row
		var hasFrom, hasValue bool
		for i := 0; i+1 < len(row.Content); i += 2 {
			k, c := row.Content[i], row.Content[i+1]
			switch k.Value {
			case "from":
				d, err := parseISODate(c.Value)
				if err != nil {
					return Value{}, fmt.Errorf("ligne %d : %v", c.Line, err)
				}
				r.From, hasFrom = d, true
			case "value":
				x, err := ParseRat(c.Value)
				if err != nil {
					return Value{}, fmt.Errorf("ligne %d : %v", c.Line, err)
				}
				r.Value, hasValue = x, true
			default:
				return Value{}, fmt.Errorf("ligne %d : clé « %s » inconnue (permises : from, value)", k.Line, k.Value)
			}
		}
		if !hasFrom || !hasValue {
			return Value{}, fmt.Errorf("ligne %d : il faut from et value", row.Line)
		}
		if k := len(v.Table); k > 0 && !v.Table[k-1].From.Before(r.From) {
			return Value{}, fmt.Errorf("ligne %d : les dates de la table doivent être croissantes", row.Line)
		}
		v.Table = append(v.Table, r)
	}
	return v, nil
}

// parseISODate accepts only YYYY-MM-DD: parameter files are written one way.
func parseISODate(s string) (medconseil.Date, error) {
	if len(s) != 10 || s[4] != '-' {
		return medconseil.Date{}, fmt.Errorf("date %q : écrire AAAA-MM-JJ", s)
	}
	d, err := medconseil.ParseDate(s)
	if err != nil {
		return medconseil.Date{}, fmt.Errorf("date %q impossible ou illisible", s)
	}
	return d, nil
}

// unknownKey extracts the key yaml names in "field x not found in type".
func unknownKey(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "field "); i >= 0 {
		rest := msg[i+len("field "):]
		if j := strings.Index(rest, " not found"); j >= 0 {
			return rest[:j]
		}
	}
	return ""
}

func frenchYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var parts []string
		for _, e := range te.Errors {
			if strings.Contains(e, "not found in type") {
				line := ""
				if strings.HasPrefix(e, "line ") {
					line = "ligne " + strings.TrimPrefix(e[:strings.Index(e, ":")], "line ") + " : "
				}
				parts = append(parts, line+"clé inconnue (permises : description, unit, values, last_reviewed)")
				continue
			}
			parts = append(parts, "YAML : "+e)
		}
		return strings.Join(parts, " ; ")
	}
	return "YAML illisible : " + err.Error()
}
