package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"medconseil"
)

// view is what every page template receives.
type view struct {
	Title  string
	Acteur *medconseil.Acteur
	CSRF   string
	Nav    []navItem
	Path   string
	Flash  string
	Error  *medconseil.Error   // an error for the whole page
	Fields map[string][]string // field → messages, shown beside each field
	Data   any
}

// FieldError returns the messages for one field, joined.
func (v view) FieldError(field string) string { return strings.Join(v.Fields[field], " ; ") }

// HasErrors reports whether the form has any error.
func (v view) HasErrors() bool { return len(v.Fields) > 0 || v.Error != nil }

// nombre writes n and the noun agreed with it: « 1 dossier ouvert », « 0 dossier
// ouvert », « 3 dossiers ouverts ».
func nombre(n int, singulier, pluriel string) string {
	return strconv.Itoa(n) + " " + accord(n, singulier, pluriel)
}

// accord is the noun agreed with n: in French, 0 and 1 take the singular.
func accord(n int, singulier, pluriel string) string {
	if n <= 1 {
		return singulier
	}
	return pluriel
}

var funcs = template.FuncMap{
	"date": func(d medconseil.Date) string { return d.Francais() },
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(paris).Format("02/01/2006 15:04")
	},
	"iso":         func(d medconseil.Date) string { return d.String() },
	"fieldID":     fieldID,
	"fieldLabel":  fieldLabel,
	"frdate":      frenchDate,
	"has":         func(s medconseil.FieldSet, c medconseil.FieldClass) bool { return s.Has(c) },
	"clinique":    func() medconseil.FieldClass { return medconseil.Clinique },
	"identite":    func() medconseil.FieldClass { return medconseil.Identite },
	"admin":       func() medconseil.FieldClass { return medconseil.Administratif },
	"decision":    func() medconseil.FieldClass { return medconseil.Decision },
	"departement": medconseil.DepartementNom,
	"add":         func(a, b int) int { return a + b },
	"nombre":      nombre,
	"roleLabel":   func(r medconseil.Role) string { return r.Label() },
	"roles":       func() []medconseil.Role { return medconseil.Roles },
	"etats":       func() []medconseil.Etat { return medconseil.Etats },
	"deps":        medconseil.GrandEstDepartements,
	"nirFormat":   func(n medconseil.NIR) string { return n.Format() },
	"cimDotted":   func(c medconseil.CIM10) string { return c.Dotted() },
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"visible": func(items []navItem, a *medconseil.Acteur) []navItem {
		var out []navItem
		for _, it := range items {
			if a != nil && (it.Show == nil || it.Show(a)) {
				out = append(out, it)
			}
		}
		return out
	},
	"deref":          func(b *bool) bool { return b != nil && *b },
	"transportLabel": medconseil.TransportLabel,
	"dateOf":         func(d *medconseil.Date) medconseil.Date { return *d },
	"naturesPDP":     medconseil.NaturesPDP,
	"issuesPDP":      medconseil.IssuesPDP,
	"canauxContact":  medconseil.CanauxContact,
}

// paris is the zone of the screens; times are stored in UTC.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// parseTemplates parses each page with the layout.
func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	names, err := fs.Glob(templatesFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue // partials (templates/_*.html) are parsed with every page
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templatesFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return fmt.Errorf("gabarit %s : %w", n, err)
		}
		s.pages[base] = t
	}
	return nil
}

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) error {
	t, ok := s.pages[page]
	if !ok {
		return medconseil.Internal(fmt.Errorf("unknown page %q", page))
	}
	if v.Acteur == nil {
		v.Acteur = acteurOf(r)
	}
	if v.CSRF == "" {
		v.CSRF = csrfOf(r)
	}
	v.Nav, v.Path = s.nav, r.URL.Path
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return medconseil.Internal(fmt.Errorf("page %s: %w", page, err))
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// fieldMap groups the field errors of err by field; errors without field go to "".
func fieldMap(err error) map[string][]string {
	out := map[string][]string{}
	for _, e := range medconseil.FieldErrors(err) {
		out[e.Field] = append(out[e.Field], e.Message)
	}
	return out
}

// renderHTMLError shows an error page (forms re-render themselves instead).
func (s *Server) renderHTMLError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.domainError(r, err)
	if e.Code == medconseil.EUNAUTHENTICATED {
		s.toLogin(w, r)
		return
	}
	status := statusOf(e.Code)
	if rerr := s.render(w, r, status, "erreur", view{Title: "Erreur", Error: e}); rerr != nil {
		s.Log.Error("rendu de la page d'erreur", "err", rerr)
		http.Error(w, e.Message, status)
	}
}

// apiError is the JSON body of an error: code, French message, field, and every
// field error when there are several.
type apiError struct {
	Code    medconseil.Code `json:"code"`
	Message string          `json:"message"`
	Field   string          `json:"field,omitempty"`
	Errors  []apiFieldError `json:"errors,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (s *Server) renderJSONError(w http.ResponseWriter, r *http.Request, err error) {
	all := medconseil.FieldErrors(err)
	e := s.domainError(r, err)
	body := apiError{Code: e.Code, Message: e.Message, Field: e.Field}
	if len(all) > 1 && e.Code == medconseil.EINVALID {
		msgs := make([]string, 0, len(all))
		for _, fe := range all {
			body.Errors = append(body.Errors, apiFieldError{Field: fe.Field, Message: fe.Message})
			if fe.Field != "" {
				msgs = append(msgs, fe.Field+" : "+fe.Message)
			} else {
				msgs = append(msgs, fe.Message)
			}
		}
		body.Message = strings.Join(msgs, " ; ")
	} else if e.Field != "" {
		body.Message = e.Field + " : " + e.Message
	}
	if e.Code == medconseil.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="medconseil"`)
	}
	writeJSON(w, statusOf(e.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeJSON reads a JSON body strictly: bounded size, unknown fields refused, one
// value only, valid UTF-8 and no NUL (written \u0000) in any string. Its errors
// are French and name the field. The Content-Type is not checked: the body must
// parse as JSON whatever a client declares. It returns the body in canonical form
// (canonicalJSON), which idempotency keys are checked against.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, dst any) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.Config.MaxBody))
	if err != nil {
		return nil, jsonError(err)
	}
	if !utf8.Valid(raw) {
		return nil, &medconseil.Error{Code: medconseil.EINVALID, Message: "corps de requête illisible : encodage UTF-8 invalide"}
	}
	lower := bytes.ToLower(raw)
	for off := 0; ; {
		i := bytes.Index(lower[off:], []byte(`\u0000`))
		if i < 0 {
			break
		}
		if !escapedBackslash(raw, off+i) {
			return nil, &medconseil.Error{Code: medconseil.EINVALID, Message: fmt.Sprintf("caractère nul (\\u0000) interdit, à l'octet %d", off+i)}
		}
		off += i + 1
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, &medconseil.Error{Code: medconseil.EINVALID, Message: "un seul objet JSON est attendu dans le corps"}
	}
	canon, err := canonicalJSON(raw)
	if err != nil {
		return nil, jsonError(err)
	}
	return canon, nil
}

// escapedBackslash reports whether the backslash at raw[i] is itself escaped (an
// odd run of backslashes before it), so that "\\u0000" (text, not NUL) passes.
func escapedBackslash(raw []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && raw[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func jsonError(err error) error {
	var tooBig *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &syn):
		return &medconseil.Error{Code: medconseil.EINVALID, Message: fmt.Sprintf("JSON mal formé à l'octet %d", syn.Offset), Err: err}
	case errors.As(err, &typ):
		return &medconseil.Error{Code: medconseil.EINVALID, Field: typ.Field, Message: fmt.Sprintf("type incorrect : %s attendu, %s reçu", jsonType(typ.Type.Kind().String()), jsonValue(typ.Value)), Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &medconseil.Error{Code: medconseil.EINVALID, Field: f, Message: fmt.Sprintf("champ « %s » inconnu", f)}
	case errors.Is(err, io.EOF):
		return &medconseil.Error{Code: medconseil.EINVALID, Message: "corps de requête vide : un objet JSON est attendu"}
	}
	var de *medconseil.Error
	if errors.As(err, &de) {
		return de
	}
	return &medconseil.Error{Code: medconseil.EINVALID, Message: "JSON illisible", Err: err}
}

// jsonValue names in French the kind of JSON value the decoder met ("number",
// "string", "number 1.5"…).
func jsonValue(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "string":
		return "une chaîne"
	case "number":
		return "un nombre"
	case "bool":
		return "un booléen"
	case "object":
		return "un objet"
	case "array":
		return "une liste"
	case "null":
		return "null"
	}
	return "une autre valeur"
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "une chaîne"
	case "bool":
		return "un booléen"
	case "int", "int64", "int32", "float64":
		return "un nombre"
	case "struct", "map":
		return "un objet"
	case "slice", "array":
		return "une liste"
	case "uint", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "float32":
		return "un nombre"
	case "ptr", "pointer", "interface":
		return "une valeur"
	}
	return "une valeur d'un autre type"
}
