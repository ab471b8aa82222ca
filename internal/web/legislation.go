package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/reference"
	"medconseil/internal/rules"
)

// legislationRoutes registers the parameters and rules API and the "Législation"
// and decision pages. The API and the decision page call rules.Engine.Evaluate, as
// the command line does, so the three give the same decision.
func (s *Server) legislationRoutes() {
	eng, err := rules.NewEmbedded()
	if err != nil {
		// The embedded parameters are checked by tests and CI; still, never panic.
		fail := func(w http.ResponseWriter, r *http.Request) error { return medconseil.Internal(err) }
		s.mux.Handle("GET /api/v1/parameters", s.api(fail))
		s.mux.Handle("GET /legislation", s.page(fail))
		return
	}
	// Transport distances (R322-10-5) from the imported communes and FINESS référentiels.
	eng.SetLieux(dbLieux{c: &refCache{db: s.DB}})
	l := &legislation{s: s, eng: eng}
	m := s.mux
	m.Handle("GET /api/v1/parameters", s.api(l.apiParameters))
	m.Handle("GET /api/v1/parameters/{name...}", s.api(l.apiParameter))
	m.Handle("GET /api/v1/rules", s.api(l.apiRuleSets))
	m.Handle("POST /api/v1/rules/{ruleset}/evaluate", s.api(l.apiEvaluate))
	m.Handle("GET /legislation", s.page(l.page))
	m.Handle("GET /legislation/decision", s.page(l.decisionForm))
	m.Handle("POST /legislation/decision", s.page(l.decide))
	s.addNav("/legislation", "Législation", func(a *medconseil.Acteur) bool { return a != nil })
}

// dbLieux answers the transport rule set's distance questions from the référentiels
// imported in the store (loaded once per version, lazily).
type dbLieux struct{ c *refCache }

func (d dbLieux) set() (*reference.Set, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return d.c.get(ctx)
}

func (d dbLieux) Etablissement(commune, finess string) (string, string, float64, error) {
	set, err := d.set()
	if err != nil {
		return "", "", 0, err
	}
	return rules.ReferenceLieux(set).Etablissement(commune, finess)
}

func (d dbLieux) PlusProche(commune, categorie string) (string, string, float64, error) {
	set, err := d.set()
	if err != nil {
		return "", "", 0, err
	}
	return rules.ReferenceLieux(set).PlusProche(commune, categorie)
}

type legislation struct {
	s   *Server
	eng *rules.Engine
}

// dateParam reads ?date=AAAA-MM-JJ, today (store clock, Paris) by default.
func (l *legislation) dateParam(r *http.Request) (medconseil.Date, error) {
	q := r.URL.Query().Get("date")
	if q == "" {
		return medconseil.DateOf(l.s.DB.Now().In(paris)), nil
	}
	d, err := medconseil.ParseDate(q)
	if err != nil {
		var de *medconseil.Error
		if errors.As(err, &de) {
			c := *de
			c.Field = "date"
			return d, &c
		}
		return d, medconseil.FieldErrorf("date", "date illisible")
	}
	return d, nil
}

func (l *legislation) apiParameters(w http.ResponseWriter, r *http.Request) error {
	on, err := l.dateParam(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"date": on.String(), "parameters": rules.ParametersAt(l.eng.Params, on)})
	return nil
}

func (l *legislation) apiParameter(w http.ResponseWriter, r *http.Request) error {
	on, err := l.dateParam(r)
	if err != nil {
		return err
	}
	p, ok := l.eng.Params.Get(r.PathValue("name"))
	if !ok {
		return medconseil.NotFound("Paramètre " + r.PathValue("name"))
	}
	writeJSON(w, http.StatusOK, p.View(on))
	return nil
}

func (l *legislation) apiRuleSets(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, l.eng.RuleSets())
	return nil
}

// apiEvaluate answers exactly what "medconseil rules eval" writes.
func (l *legislation) apiEvaluate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, l.s.Config.MaxBody)
	x, err := l.eng.Evaluate(r.PathValue("ruleset"), r.Body)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rules.EncodeJSON(&buf, x); err != nil {
		return medconseil.Internal(err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

// legislationPage is the data of the Législation page.
type legislationPage struct {
	Date     medconseil.Date
	RuleSets []rules.RuleSetInfo
	Groups   []paramGroup
	Verify   []rules.VerifyItem
	// Organisations are the dated organisations of the service médical, the one in
	// force on Date marked.
	Organisations []medconseil.Organisation
	EnVigueur     string
}

type paramGroup struct {
	Name   string
	Params []rules.ParameterView
}

func (l *legislation) page(w http.ResponseWriter, r *http.Request) error {
	on, err := l.dateParam(r)
	if err != nil {
		return err
	}
	groups := map[string][]rules.ParameterView{}
	for _, p := range rules.ParametersAt(l.eng.Params, on) {
		g := p.Name
		for i := 0; i < len(g); i++ {
			if g[i] == '/' {
				g = g[:i]
				break
			}
		}
		groups[g] = append(groups[g], p)
	}
	data := legislationPage{Date: on, RuleSets: l.eng.RuleSets(), Verify: rules.ToVerify(l.eng.Params),
		Organisations: medconseil.OrganisationsGrandEst(), EnVigueur: medconseil.OrganisationAt(on).Nom}
	for g, ps := range groups {
		data.Groups = append(data.Groups, paramGroup{Name: g, Params: ps})
	}
	sort.Slice(data.Groups, func(i, j int) bool { return data.Groups[i].Name < data.Groups[j].Name })
	return l.s.render(w, r, http.StatusOK, "legislation", view{Title: "Législation", Data: data})
}

// decisionPage is the data of the decision page: the form of one rule set and,
// after POST, the explained decision.
type decisionPage struct {
	RuleSets []rules.RuleSetInfo
	RuleSet  string
	Form     *rules.Form
	Input    string
	Decision *rules.Explanation
}

func (l *legislation) ruleSetParam(name string) (string, error) {
	if name == "" {
		return "ij", nil
	}
	for _, rs := range l.eng.RuleSets() {
		if rs.Name == name {
			return name, nil
		}
	}
	return "", medconseil.FieldErrorf("jeu", "jeu de règles %q inconnu", name)
}

func (l *legislation) decisionForm(w http.ResponseWriter, r *http.Request) error {
	name, err := l.ruleSetParam(r.URL.Query().Get("jeu"))
	if err != nil {
		return err
	}
	in := rules.Example(name)
	form, err := l.eng.Form(name, []byte(in))
	if err != nil {
		return err
	}
	return l.s.render(w, r, http.StatusOK, "decision", view{Title: "Décision : règles appliquées",
		Data: decisionPage{RuleSets: l.eng.RuleSets(), RuleSet: name, Form: form, Input: in}})
}

// decide evaluates the posted form (or, from the advanced panel, the JSON), and
// shows the form again with the decision and its trace beside it, or with each
// error beside its field.
func (l *legislation) decide(w http.ResponseWriter, r *http.Request) error {
	name, err := l.ruleSetParam(r.PostFormValue("jeu"))
	if err != nil {
		return err
	}
	var input []byte
	if r.PostForm.Has("entree") {
		input = []byte(r.PostFormValue("entree"))
	} else {
		input, err = l.eng.FormInput(name, r.PostForm)
	}
	data := decisionPage{RuleSets: l.eng.RuleSets(), RuleSet: name, Input: string(input)}
	var x *rules.Explanation
	if err == nil {
		x, err = l.eng.Evaluate(name, bytes.NewReader(input))
	}
	form, ferr := l.eng.Form(name, input)
	if ferr != nil {
		return ferr
	}
	if !r.PostForm.Has("entree") {
		// Keep what was typed, even what did not read.
		for gi := range form.Groups {
			for fi := range form.Groups[gi].Fields {
				f := &form.Groups[gi].Fields[fi]
				f.Value = r.PostFormValue(f.Path)
			}
		}
	}
	data.Form = form
	if err != nil {
		if medconseil.ErrorCode(err) == medconseil.EINTERNAL {
			return err
		}
		fields := fieldMap(err)
		return l.s.render(w, r, http.StatusUnprocessableEntity, "decision", view{Title: "Décision : règles appliquées",
			Data: data, Fields: fields})
	}
	data.Decision = x
	return l.s.render(w, r, http.StatusOK, "decision", view{Title: "Décision : règles appliquées", Data: data})
}

// fieldID is the HTML id of the form field of a JSON path (rules.Form uses the same).
func fieldID(path string) string { return "f-" + strings.ReplaceAll(path, ".", "-") }

// fieldLabel is the French label of the field at path, for the error summary; the
// path itself when the error is about a whole group.
func fieldLabel(f *rules.Form, path string) string {
	if f != nil {
		for _, g := range f.Groups {
			for _, fl := range g.Fields {
				if fl.Path == path {
					return fl.Label
				}
			}
		}
	}
	return path
}
