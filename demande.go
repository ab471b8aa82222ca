package medconseil

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Kind is how a field of a request is read and shown.
type Kind uint8

// Field kinds. Codes (CIM-10, LPP, commune, FINESS, RPPS, SIRET) are checked for
// their shape here and for their existence against the imported référentiels.
const (
	KindTexte   Kind = iota + 1 // one line of text
	KindLong                    // free text (clinical free text is encrypted at rest)
	KindDate                    // AAAA-MM-JJ or JJ/MM/AAAA
	KindBool                    // true / false
	KindEntier                  // whole number ≥ 0
	KindMontant                 // euros, "1234,56", stored in centimes
	KindChoix                   // one code of Options
	KindCIM10                   // CIM-10 code
	KindLPP                     // LPP code (7 digits)
	KindCommune                 // INSEE commune code
	KindFINESS                  // FINESS number (9 characters)
	KindRPPS                    // RPPS number (11 digits)
	KindSIRET                   // SIRET number (14 digits)
	KindDossier                 // number of another dossier, read through the access gate
)

// Option is one allowed code of a KindChoix field.
type Option struct {
	Code    string
	Libelle string
}

// Champ describes one field of a request type: its JSON key (also the form field's
// name), French label, kind, and whether intake requires it. Its field class
// (identité, administratif, clinique, décision) is not here: internal/authz holds it,
// so that the policy reads the class and never the type.
type Champ struct {
	Nom     string
	Libelle string
	Kind    Kind
	Requis  bool
	Options []Option
	Aide    string // one line of help shown under the form field
	// Si restricts the field to some values of another field ("piece=rechute"):
	// the field is refused elsewhere, and required there when Requis.
	Si map[string][]string
	// RequisSi makes the field required for some values of another field only.
	RequisSi map[string][]string
}

// Schema is the input of one request type.
type Schema struct {
	Type   TypeDossier
	Titre  string // title of the intake form
	Regles string // the rule set run at intake (internal/rules)
	Champs []Champ
}

// Champ returns the field named nom.
func (s *Schema) Champ(nom string) (*Champ, bool) {
	for i := range s.Champs {
		if s.Champs[i].Nom == nom {
			return &s.Champs[i], true
		}
	}
	return nil, false
}

// Schemas returns the schema of every type filed through POST /api/v1/dossiers,
// the arrêt de travail excepted (it keeps its own typed input, ArretTravail). The
// schemas are built once and shared: callers must not modify them.
func Schemas() []*Schema { return schemas() }

var schemas = sync.OnceValue(func() []*Schema {
	return []*Schema{schemaATMP(), schemaALD(), schemaTransport(), schemaLPP(), schemaKine(), schemaInvalidite(), schemaOrdonnance()}
})

// SchemaOf returns the schema of type t.
func SchemaOf(t TypeDossier) (*Schema, bool) {
	for _, s := range schemas() {
		if s.Type == t {
			return s, true
		}
	}
	return nil, false
}

// Valeur is one parsed field value.
type Valeur struct {
	S string // text, codes, dates as AAAA-MM-JJ
	N int64  // whole numbers; montants in centimes
	B bool
	D Date
}

// Demande is a typed request of one of the schema types: every value parsed per its
// field's kind. Which fields are filled after a read depends on what the reader may
// see: the store only fills the classes disclosed.
type Demande struct {
	Type    TypeDossier
	Valeurs map[string]Valeur
}

// Has reports whether field nom is filled.
func (d *Demande) Has(nom string) bool {
	if d == nil {
		return false
	}
	_, ok := d.Valeurs[nom]
	return ok
}

// Str returns a text or code field, "" when absent.
func (d *Demande) Str(nom string) string {
	if d == nil {
		return ""
	}
	return d.Valeurs[nom].S
}

// Date returns a date field, zero when absent.
func (d *Demande) Date(nom string) Date {
	if d == nil {
		return Date{}
	}
	return d.Valeurs[nom].D
}

// Bool returns a boolean field, false when absent.
func (d *Demande) Bool(nom string) bool {
	if d == nil {
		return false
	}
	return d.Valeurs[nom].B
}

// Int returns a whole number (montants in centimes), 0 when absent.
func (d *Demande) Int(nom string) int64 {
	if d == nil {
		return 0
	}
	return d.Valeurs[nom].N
}

// Encode returns the JSON value of one field as the API writes it.
func (c *Champ) Encode(v Valeur) any {
	switch c.Kind {
	case KindBool:
		return v.B
	case KindEntier, KindDossier:
		return v.N
	case KindMontant:
		return Montant(v.N).String()
	case KindDate:
		return v.D.String()
	}
	return v.S
}

// Display returns the French rendering of one field's value.
func (c *Champ) Display(v Valeur) string {
	switch c.Kind {
	case KindBool:
		if v.B {
			return "oui"
		}
		return "non"
	case KindEntier, KindDossier:
		return strconv.FormatInt(v.N, 10)
	case KindMontant:
		return Montant(v.N).String() + " €"
	case KindDate:
		return v.D.Francais()
	case KindCIM10:
		return CIM10(v.S).Dotted()
	case KindChoix:
		for _, o := range c.Options {
			if o.Code == v.S {
				return o.Libelle
			}
		}
	}
	return v.S
}

// Map returns the filled fields as the API writes them (a JSON object).
func (d *Demande) Map(s *Schema) map[string]any {
	out := map[string]any{}
	for _, c := range s.Champs {
		if v, ok := d.Valeurs[c.Nom]; ok {
			out[c.Nom] = c.Encode(v)
		}
	}
	return out
}

// MarshalJSON writes the filled fields as one object.
func (d *Demande) MarshalJSON() ([]byte, error) {
	s, ok := SchemaOf(d.Type)
	if !ok {
		return []byte("{}"), nil
	}
	return json.Marshal(d.Map(s))
}

// ParseDemande reads the raw fields of a request of schema s. Every field error is
// returned at once, each naming its field; a field the schema does not know is
// refused. Strings come from JSON (raw values) or from a form (quoted by the caller).
func ParseDemande(s *Schema, raw map[string]json.RawMessage) (*Demande, error) {
	d := &Demande{Type: s.Type, Valeurs: map[string]Valeur{}}
	var errs []error
	known := map[string]bool{}
	for _, c := range s.Champs {
		known[c.Nom] = true
	}
	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, FieldErrorf(k, "champ « %s » inconnu pour une demande de type %s", k, s.Type))
	}
	for i := range s.Champs {
		c := &s.Champs[i]
		r, ok := raw[c.Nom]
		if !ok || isEmptyJSON(r) {
			continue
		}
		v, err := c.parse(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.Valeurs[c.Nom] = v
	}
	if err := d.validate(s, errs); err != nil {
		return d, err
	}
	return d, nil
}

func isEmptyJSON(r json.RawMessage) bool {
	t := strings.TrimSpace(string(r))
	return t == "" || t == "null" || t == `""`
}

// parse reads one JSON value per the field's kind.
func (c *Champ) parse(r json.RawMessage) (Valeur, error) {
	var v Valeur
	switch c.Kind {
	case KindBool:
		if err := json.Unmarshal(r, &v.B); err != nil {
			return v, FieldErrorf(c.Nom, "%s : true ou false attendu", c.Libelle)
		}
		return v, nil
	case KindEntier, KindDossier:
		var n json.Number
		dec := json.NewDecoder(strings.NewReader(string(r)))
		dec.UseNumber()
		if err := dec.Decode(&n); err != nil {
			// A form sends numbers as text.
			var s string
			if json.Unmarshal(r, &s) != nil {
				return v, FieldErrorf(c.Nom, "%s : nombre entier attendu", c.Libelle)
			}
			n = json.Number(strings.TrimSpace(s))
		}
		x, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || x < 0 || x > 1_000_000_000 {
			return v, FieldErrorf(c.Nom, "%s : %q n'est pas un nombre entier positif", c.Libelle, string(n))
		}
		if c.Kind == KindDossier && x == 0 {
			return v, FieldErrorf(c.Nom, "%s : numéro de dossier invalide", c.Libelle)
		}
		v.N = x
		return v, nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return v, FieldErrorf(c.Nom, "%s : texte attendu", c.Libelle)
	}
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return v, FieldErrorf(c.Nom, "%s : caractères invalides", c.Libelle)
	}
	switch c.Kind {
	case KindTexte:
		if utf8.RuneCountInString(s) > 200 {
			return v, FieldErrorf(c.Nom, "%s : 200 caractères au plus", c.Libelle)
		}
		v.S = s
	case KindLong:
		if utf8.RuneCountInString(s) > 10000 {
			return v, FieldErrorf(c.Nom, "%s : 10 000 caractères au plus", c.Libelle)
		}
		v.S = s
	case KindDate:
		d, err := ParseDate(s)
		if err != nil {
			return v, Prefix(c.Nom, err)
		}
		if d.Year() < 1900 || d.Year() > 2100 {
			return v, FieldErrorf(c.Nom, "%s : date %s hors de toute plausibilité", c.Libelle, d.Francais())
		}
		v.D, v.S = d, d.String()
	case KindMontant:
		m, err := ParseMontant(s)
		if err != nil {
			return v, Prefix(c.Nom, err)
		}
		if m < 0 {
			return v, FieldErrorf(c.Nom, "%s : montant négatif", c.Libelle)
		}
		v.N = int64(m)
	case KindChoix:
		for _, o := range c.Options {
			if o.Code == s {
				v.S = s
				return v, nil
			}
		}
		codes := make([]string, len(c.Options))
		for i, o := range c.Options {
			codes[i] = o.Code
		}
		return v, FieldErrorf(c.Nom, "%s : valeur %q inconnue ; valeurs permises : %s", c.Libelle, s, strings.Join(codes, ", "))
	case KindCIM10:
		code, err := ParseCIM10(s)
		if err != nil {
			return v, Prefix(c.Nom, err)
		}
		v.S = string(code)
	case KindLPP:
		code := strings.ReplaceAll(s, " ", "")
		if len(code) != 7 || !allDigits(code) {
			return v, FieldErrorf(c.Nom, "%s : code LPP %q invalide : 7 chiffres (ex. 2183214)", c.Libelle, s)
		}
		v.S = code
	case KindCommune:
		code := strings.ToUpper(s)
		if err := ValidCommuneShape(code); err != nil {
			return v, Prefix(c.Nom, err)
		}
		v.S = code
	case KindFINESS:
		code := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		if len(code) != 9 || !(allDigits(code) || (strings.HasPrefix(code, "2A") || strings.HasPrefix(code, "2B")) && allDigits(code[2:])) {
			return v, FieldErrorf(c.Nom, "%s : numéro FINESS %q invalide : 9 caractères (ex. 670780055)", c.Libelle, s)
		}
		v.S = code
	case KindRPPS:
		r, err := ParseRPPS(s)
		if err != nil {
			return v, Prefix(c.Nom, err)
		}
		v.S = string(r)
	case KindSIRET:
		code := strings.ReplaceAll(s, " ", "")
		if len(code) != 14 || !allDigits(code) {
			return v, FieldErrorf(c.Nom, "%s : SIRET %q invalide : 14 chiffres", c.Libelle, s)
		}
		v.S = code
	default:
		return v, FieldErrorf(c.Nom, "%s : type de champ inconnu", c.Libelle)
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// validate checks presence and conditions (Si), skipping fields already in error.
func (d *Demande) validate(s *Schema, errs []error) error {
	bad := map[string]bool{}
	for _, e := range errs {
		var fe *Error
		if errors.As(e, &fe) {
			bad[fe.Field] = true
		}
	}
	for _, c := range s.Champs {
		if bad[c.Nom] {
			continue
		}
		applies := true
		var cond []string
		for other, values := range c.Si {
			ok := false
			for _, want := range values {
				if d.Str(other) == want {
					ok = true
				}
			}
			if !ok {
				applies = false
			}
			cond = append(cond, fmt.Sprintf("%s = %s", other, strings.Join(values, " ou ")))
		}
		_, has := d.Valeurs[c.Nom]
		switch {
		case !applies && has:
			errs = append(errs, FieldErrorf(c.Nom, "%s : sans objet ici (seulement si %s)", c.Libelle, strings.Join(cond, " et ")))
		case applies && c.Requis && !has:
			errs = append(errs, FieldErrorf(c.Nom, "%s : champ obligatoire", c.Libelle))
		case applies && !has && len(c.RequisSi) > 0 && matches(d, c.RequisSi):
			errs = append(errs, FieldErrorf(c.Nom, "%s : champ obligatoire ici", c.Libelle))
		}
	}
	return errors.Join(errs...)
}

// matches reports whether d's fields have one of the values listed, for each field.
func matches(d *Demande, cond map[string][]string) bool {
	for other, values := range cond {
		ok := false
		for _, want := range values {
			if d.Str(other) == want {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ValidCommuneShape checks the shape of an INSEE commune code: five characters,
// digits, or 2A/2B then three digits for Corsica.
func ValidCommuneShape(c string) error {
	if c == "" {
		return &Error{Code: EINVALID, Message: "commune manquante (code INSEE, ex. 67482)"}
	}
	ok := len(c) == 5
	for i := 0; ok && i < 5; i++ {
		d := isDigit(c[i])
		if i == 1 && c[0] == '2' && (c[1] == 'A' || c[1] == 'B') {
			d = true
		}
		ok = d
	}
	if !ok {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("code commune « %s » invalide : 5 caractères, le code INSEE (ex. 67482)", c)}
	}
	return nil
}

// Nomenclatures answers whether codes exist in the imported référentiels. Each
// method reports loaded = false when the référentiel was never imported: codes are
// then checked for their shape only.
type Nomenclatures interface {
	CIM10Existe(code string) (exists, loaded bool)
	LPPExiste(code string) (exists, loaded bool)
	CommuneExiste(code string) (exists, loaded bool)
	// CommunesDuCodePostal returns the INSEE codes of the communes a postal code serves.
	CommunesDuCodePostal(cp string) []string
	FINESSExiste(code string) (exists, loaded bool)
}

// CheckCommune checks an INSEE code against the référentiel; a postal code given
// instead is refused with the INSEE codes it serves as a hint.
func CheckCommune(n Nomenclatures, field, code string) error {
	if n == nil || code == "" {
		return nil
	}
	ok, loaded := n.CommuneExiste(code)
	if !loaded || ok {
		return nil
	}
	if cs := n.CommunesDuCodePostal(code); len(cs) > 0 {
		if len(cs) > 5 {
			cs = append(cs[:5:5], "…")
		}
		return FieldErrorf(field, "« %s » est un code postal, pas un code commune INSEE : indiquer le code INSEE de la commune (%s)", code, strings.Join(cs, ", "))
	}
	return FieldErrorf(field, "code commune INSEE « %s » inconnu du référentiel des communes", code)
}

// CheckCIM10 checks a CIM-10 code against the référentiel.
func CheckCIM10(n Nomenclatures, field string, code CIM10) error {
	if n == nil || code == "" {
		return nil
	}
	if ok, loaded := n.CIM10Existe(string(code)); loaded && !ok {
		return FieldErrorf(field, "code CIM-10 %s inconnu de la CIM-10 importée", code.Dotted())
	}
	return nil
}

// CheckCodes checks every code of d against the référentiels, each error naming
// its field.
func (d *Demande) CheckCodes(s *Schema, n Nomenclatures) error {
	if n == nil {
		return nil
	}
	var errs []error
	for _, c := range s.Champs {
		v, ok := d.Valeurs[c.Nom]
		if !ok {
			continue
		}
		switch c.Kind {
		case KindCIM10:
			errs = append(errs, CheckCIM10(n, c.Nom, CIM10(v.S)))
		case KindCommune:
			errs = append(errs, CheckCommune(n, c.Nom, v.S))
		case KindLPP:
			if ok, loaded := n.LPPExiste(v.S); loaded && !ok {
				errs = append(errs, FieldErrorf(c.Nom, "code LPP %s inconnu de la LPP importée", v.S))
			}
		case KindFINESS:
			if ok, loaded := n.FINESSExiste(v.S); loaded && !ok {
				errs = append(errs, FieldErrorf(c.Nom, "numéro FINESS %s inconnu du répertoire FINESS importé", v.S))
			}
		}
	}
	return errors.Join(errs...)
}

func choix(pairs ...string) []Option {
	out := make([]Option, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Option{Code: pairs[i], Libelle: pairs[i+1]})
	}
	return out
}

// StoreValue returns the JSON value the store keeps for one field: Encode's, but
// montants in integer centimes.
func (c *Champ) StoreValue(v Valeur) any {
	if c.Kind == KindMontant {
		return v.N
	}
	return c.Encode(v)
}

// Decode reads back a value written by StoreValue.
func (c *Champ) Decode(r json.RawMessage) (Valeur, error) {
	var v Valeur
	switch c.Kind {
	case KindBool:
		err := json.Unmarshal(r, &v.B)
		return v, err
	case KindEntier, KindDossier, KindMontant:
		err := json.Unmarshal(r, &v.N)
		return v, err
	case KindDate:
		if err := json.Unmarshal(r, &v.S); err != nil {
			return v, err
		}
		d, err := ParseDate(v.S)
		v.D = d
		return v, err
	}
	err := json.Unmarshal(r, &v.S)
	return v, err
}
