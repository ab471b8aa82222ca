package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"medconseil"
)

// maxPage bounds page numbers: beyond, the offset overflows PostgreSQL's bigint.
const maxPage = 1_000_000

// Lengths of identity fields (the RNIPP keeps 80 characters for a name).
const (
	maxNom    = 100
	maxPrenom = 100
)

// badText names what is wrong with a string from outside that no engine should
// store: invalid UTF-8 (PostgreSQL refuses it), NUL (PostgreSQL refuses it in
// text), other control characters (line breaks and tabs aside). "" when fine.
func badText(s string) string {
	if !utf8.ValidString(s) {
		return "encodage UTF-8 invalide"
	}
	for _, r := range s {
		if r == 0 {
			return "caractère nul (U+0000) interdit"
		}
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return fmt.Sprintf("caractère de contrôle U+%04X interdit", r)
		}
	}
	return ""
}

// checkValues checks every name and value of a query string or form.
func checkValues(v url.Values, where string) error {
	for k, vs := range v {
		if msg := badText(k); msg != "" {
			return &medconseil.Error{Code: medconseil.EINVALID, Message: fmt.Sprintf("%s : nom de paramètre illisible (%s)", where, msg)}
		}
		for _, x := range vs {
			if msg := badText(x); msg != "" {
				return &medconseil.Error{Code: medconseil.EINVALID, Field: k, Message: fmt.Sprintf("%s : %s", where, msg)}
			}
		}
	}
	return nil
}

// sane refuses, before any handler, a request whose path or query string holds
// what no engine should store (see badText), or whose query string does not
// parse: one check for every route, so no handler can forget it. Form and JSON
// bodies are checked where they are read (page, login, decodeJSON).
func (s *Server) sane(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if msg := badText(r.URL.Path); msg != "" {
			err = &medconseil.Error{Code: medconseil.EINVALID, Message: "adresse illisible : " + msg}
		} else if q, perr := url.ParseQuery(r.URL.RawQuery); perr != nil {
			err = &medconseil.Error{Code: medconseil.EINVALID, Message: "paramètres d'adresse illisibles (encodage % invalide)"}
		} else {
			err = checkValues(q, "paramètre d'adresse")
		}
		if err != nil {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.renderJSONError(w, r, err)
			} else {
				s.renderHTMLError(w, r, err)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csvSafe neutralises spreadsheet formulas (CSV injection, OWASP): a cell that a
// spreadsheet would read as a formula (= + - @, or a tab or carriage return
// first) is prefixed with an apostrophe, which shows the text as typed.
func csvSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// canonicalJSON returns a canonical form of a JSON body: object keys sorted, no
// insignificant whitespace, numbers as written. Two bodies meaning the same JSON
// have the same form, so an Idempotency-Key replayed with reformatted JSON is a
// replay, not a conflict.
func canonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// checkIdentity checks the assuré's name and first name: bounded, readable, and
// not made of invisible characters only.
func checkIdentity(nom, prenom string) []error {
	var errs []error
	for _, f := range []struct {
		name, v string
		max     int
	}{{"nom", nom, maxNom}, {"prenom", prenom, maxPrenom}} {
		if f.v == "" {
			continue
		}
		if err := medconseil.CheckText(f.name, f.v, f.max); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkBirth refuses a birth date in the future or before 1900.
func checkBirth(d, today medconseil.Date) error {
	switch {
	case d.After(today):
		return fmt.Errorf("date de naissance %s dans le futur", d.Francais())
	case d.Year() < 1900:
		return fmt.Errorf("date de naissance %s invraisemblable (avant 1900)", d.Francais())
	}
	return nil
}
