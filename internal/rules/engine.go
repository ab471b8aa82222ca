package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"medconseil"
)

// Engine holds the parameters and the rule sets compiled against them. Build it once
// (New) and share it: evaluation does not modify it.
type Engine struct {
	Params    *Set
	sets      map[string]*ruleSet
	names     []string
	ij        *IJ
	transport *Transport
}

// ruleSet is one rule set: how to read its input and decide.
type ruleSet struct {
	name, title string
	labels      map[string]string // outcome code → French label
	input       any               // the zero JSON input, its description for the form
	eval        func(raw []byte, d *Decision) error
}

// RuleSetInfo describes a rule set for listings.
type RuleSetInfo struct {
	Name     string            `json:"name"`
	Title    string            `json:"title"`
	Outcomes map[string]string `json:"outcomes"`
}

// New compiles every rule set against params; a parameter a rule set needs and
// params lacks is an error.
func New(params *Set) (*Engine, error) {
	e := &Engine{Params: params, sets: map[string]*ruleSet{}}
	r := &resolver{set: params}
	e.ij = newIJ(r)
	e.transport = newTransport(r)
	builders := []*ruleSet{
		e.ij.ruleSet(),
		newATMP(r).ruleSet(),
		newInvalidite(r).ruleSet(),
		newALD(r).ruleSet(),
		e.transport.ruleSet(),
		newKine(r).ruleSet(),
		newOrdonnance(r).ruleSet(),
		newMTDents(r).ruleSet(),
		newLPP(r).ruleSet(),
	}
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	for _, b := range builders {
		e.sets[b.name] = b
		e.names = append(e.names, b.name)
	}
	sort.Strings(e.names)
	return e, nil
}

// NewEmbedded loads the embedded parameters and compiles the rule sets.
func NewEmbedded() (*Engine, error) {
	s, err := LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return New(s)
}

// IJ returns the compiled ij rule set, for batch evaluation without JSON.
func (e *Engine) IJ() *IJ { return e.ij }

// RuleSets lists the rule sets, by name.
func (e *Engine) RuleSets() []RuleSetInfo {
	out := make([]RuleSetInfo, 0, len(e.names))
	for _, n := range e.names {
		s := e.sets[n]
		out = append(out, RuleSetInfo{Name: s.name, Title: s.title, Outcomes: s.labels})
	}
	return out
}

// Evaluate reads the JSON input of rule set name from r (unknown fields refused) and
// returns the explained decision. The API and the command line both call it, so they
// decide identically.
func (e *Engine) Evaluate(name string, r io.Reader) (*Explanation, error) {
	s, ok := e.sets[name]
	if !ok {
		return nil, &medconseil.Error{Code: medconseil.ENOTFOUND, Field: "ruleset",
			Message: fmt.Sprintf("jeu de règles %q inconnu ; jeux disponibles : %s", name, strings.Join(e.names, ", "))}
	}
	raw, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	var d Decision
	if err := s.eval(raw, &d); err != nil {
		return nil, err
	}
	return d.explain(s.title, s.labels), nil
}

// EncodeJSON writes an explanation as the API and the command line do: indented
// UTF-8 JSON, HTML characters not escaped, ending with a newline.
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// decodeStrict decodes one JSON object into v, refusing unknown fields, trailing
// data and wrong types, with a French message naming the field.
func decodeStrict(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return &medconseil.Error{Code: medconseil.EINVALID, Message: "entrée vide : un objet JSON est attendu"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return &medconseil.Error{Code: medconseil.EINVALID, Message: fmt.Sprintf("JSON illisible à l'octet %d", se.Offset), Err: err}
		case errors.As(err, &te):
			return medconseil.FieldErrorf(te.Field, "type incorrect : %s attendu, %s reçu", frenchType(te.Type.Kind().String()), te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			// encoding/json gives no typed error for unknown fields.
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			var generic any
			_ = json.Unmarshal(raw, &generic)
			path := keyPath(generic, name)
			if path == "" {
				path = name
			}
			return medconseil.FieldErrorf(path, "champ inconnu %q (voir la documentation du jeu de règles)", name)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return &medconseil.Error{Code: medconseil.EINVALID, Message: "JSON incomplet"}
		}
		return &medconseil.Error{Code: medconseil.EINVALID, Message: "JSON illisible", Err: err}
	}
	if dec.More() {
		return &medconseil.Error{Code: medconseil.EINVALID, Message: "un seul objet JSON est attendu"}
	}
	return nil
}

func frenchType(k string) string {
	switch k {
	case "string":
		return "texte"
	case "bool":
		return "booléen (true/false)"
	case "int", "int64", "int32":
		return "nombre entier"
	case "slice":
		return "liste"
	case "struct", "map":
		return "objet"
	}
	return k
}

// fields parses the strings of an input into domain types, collecting every error
// with the field it concerns.
type fields struct{ errs []error }

func (f *fields) fail(field, format string, args ...any) {
	f.errs = append(f.errs, medconseil.FieldErrorf(field, format, args...))
}

func (f *fields) date(field, s string, required bool) medconseil.Date {
	if s == "" {
		if required {
			f.fail(field, "date obligatoire (AAAA-MM-JJ)")
		}
		return medconseil.Date{}
	}
	d, err := medconseil.ParseDate(s)
	if err != nil {
		f.errs = append(f.errs, fieldOf(field, err))
	}
	return d
}

func (f *fields) montant(field, s string, required bool) medconseil.Montant {
	if s == "" {
		if required {
			f.fail(field, "montant obligatoire (ex. « 2500,00 »)")
		}
		return 0
	}
	m, err := medconseil.ParseMontant(s)
	if err != nil {
		f.errs = append(f.errs, fieldOf(field, err))
		return 0
	}
	if m < 0 {
		f.fail(field, "montant négatif")
	}
	return m
}

func (f *fields) cim10(field, s string, required bool) medconseil.CIM10 {
	if s == "" {
		if required {
			f.fail(field, "code CIM-10 obligatoire (ex. E11.9)")
		}
		return ""
	}
	c, err := medconseil.ParseCIM10(s)
	if err != nil {
		f.errs = append(f.errs, fieldOf(field, err))
	}
	return c
}

func (f *fields) nonNegative(field string, n int) {
	if n < 0 {
		f.fail(field, "nombre négatif (%d)", n)
	}
}

// enum checks that s is one of the allowed codes; "" is allowed when a default exists.
func (f *fields) enum(field, s string, required bool, allowed ...string) string {
	if s == "" && !required {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	if s == "" {
		f.fail(field, "valeur obligatoire ; valeurs permises : %s", strings.Join(allowed, ", "))
		return ""
	}
	f.fail(field, "valeur %q inconnue ; valeurs permises : %s", s, strings.Join(allowed, ", "))
	return ""
}

func (f *fields) err() error { return errors.Join(f.errs...) }

func fieldOf(field string, err error) error {
	var e *medconseil.Error
	if errors.As(err, &e) {
		c := *e
		c.Field = field
		return &c
	}
	return medconseil.FieldErrorf(field, "%v", err)
}

// resolver looks parameters up once, when the rule sets are compiled.
type resolver struct {
	set  *Set
	errs []error
}

func (r *resolver) get(name string) *Parameter {
	p, ok := r.set.Get(name)
	if !ok {
		r.errs = append(r.errs, fmt.Errorf("paramètre %q manquant : le jeu de règles en a besoin", name))
		return &Parameter{Name: name}
	}
	return p
}

// noValue is the error when a parameter has no value in force on a date.
func noValue(p *Parameter, d medconseil.Date) error {
	return &medconseil.Error{Code: medconseil.EREGLE,
		Message: fmt.Sprintf("le paramètre %s n'a pas de valeur en vigueur le %s : ces règles ne couvrent pas cette date", p.Name, d.Francais())}
}

// num reads a Number parameter in force on day and records it in the trace.
func (d *Decision) num(p *Parameter, day medconseil.Date) (Rat, error) {
	per, ok := p.At(day)
	if !ok || per.Value.Kind != Number {
		return Rat{}, noValue(p, day)
	}
	d.used(p, per)
	return per.Value.Num, nil
}

// integer reads a whole-number parameter.
func (d *Decision) integer(p *Parameter, day medconseil.Date) (int64, error) {
	r, err := d.num(p, day)
	if err != nil {
		return 0, err
	}
	return r.Int(), nil
}

// flag reads a booleen parameter; no value in force reads as false, and is traced
// when a period exists.
func (d *Decision) flag(p *Parameter, day medconseil.Date) bool {
	per, ok := p.At(day)
	if per != nil {
		d.used(p, per)
	}
	return ok && per.Value.Kind == Bool && per.Value.Bool
}

// value reads any parameter value in force on day.
func (d *Decision) value(p *Parameter, day medconseil.Date) (Value, error) {
	per, ok := p.At(day)
	if !ok {
		return Value{}, noValue(p, day)
	}
	d.used(p, per)
	return per.Value, nil
}

// ref is a shorthand for a one-reference list. A reference to an article of the code de
// la sécurité sociale or of the code du travail whose link is the root of the code is
// linked to the article itself (its LEGIARTI identifier, articles.go).
func ref(title, href string) []Reference {
	return []Reference{{Title: title, Href: ArticleHref(title, href)}}
}

const (
	legiArticle   = "https://www.legifrance.gouv.fr/codes/article_lc/"
	cssRoot       = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006073189"
	travailRoot   = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072050"
	cssTitleCode  = "du code de la sécurité sociale"
	travailTitleC = "du code du travail"
)

// ArticleHref returns the Légifrance link of the article a reference title names
// ("Article R323-1 du code de la sécurité sociale", "Article L3231-2 du code du
// travail") when href is empty or the root of that code; otherwise href unchanged.
func ArticleHref(title, href string) string {
	num, code := articleOf(title)
	if num == "" {
		return href
	}
	var id string
	switch code {
	case "css":
		if href != "" && href != cssRoot {
			return href
		}
		id = cssArticles[num]
	case "travail":
		if href != "" && href != travailRoot {
			return href
		}
		id = travailArticles[num]
	}
	if id == "" {
		return href
	}
	return legiArticle + id
}

// articleOf reads "Article R323-1 … du code de la sécurité sociale" as ("R323-1", "css").
func articleOf(title string) (num, code string) {
	rest, ok := strings.CutPrefix(title, "Article ")
	if !ok {
		return "", ""
	}
	end := strings.IndexByte(rest, ' ')
	if end < 0 {
		return "", ""
	}
	num = strings.ReplaceAll(rest[:end], "\u2011", "-")
	switch {
	case strings.Contains(rest, cssTitleCode):
		return num, "css"
	case strings.Contains(rest, travailTitleC):
		return num, "travail"
	}
	return "", ""
}

// refs joins reference lists.
func refs(lists ...[]Reference) []Reference {
	var out []Reference
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// keyPath finds where key first occurs in a decoded JSON value, as a dotted path
// ("arret.couleur", "historique.0.x"), so that an unknown field is named in full.
func keyPath(v any, key string) string {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[key]; ok {
			return key
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := keyPath(x[k], key); p != "" {
				return k + "." + p
			}
		}
	case []any:
		for i, e := range x {
			if p := keyPath(e, key); p != "" {
				return strconv.Itoa(i) + "." + p
			}
		}
	}
	return ""
}
