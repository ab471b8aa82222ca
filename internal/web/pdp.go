package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
)

// Prévention de la désinsertion professionnelle (issue 13 part 7, docs/pdp.md):
// the PDP worklist of signals (/pdp), the PDP section of a dossier
// (templates/_pdp.html) with its two forms (actions of the cell, contacts with
// the médecin du travail), and the JSON API. The store computes the signals and
// applies the policy (authz/pdp.go): the caisse's cell never reads anything
// clinical.

func (s *Server) pdpRoutes() {
	m := s.mux
	m.Handle("GET /api/v1/pdp/signalements", s.api(s.apiPDPSignalements))
	m.Handle("GET /api/v1/dossiers/{id}/pdp", s.api(s.apiPDPDossier))
	m.Handle("POST /api/v1/dossiers/{id}/pdp/actions", s.api(s.apiPDPAction))
	m.Handle("POST /api/v1/dossiers/{id}/pdp/contacts", s.api(s.apiPDPContact))
	m.Handle("GET /pdp", s.page(s.pdpPage))
	m.Handle("POST /dossiers/{id}/pdp/actions", s.page(s.pdpActionForm))
	m.Handle("POST /dossiers/{id}/pdp/contacts", s.page(s.pdpContactForm))
	s.addNav("/pdp", "Désinsertion professionnelle", authz.SeesPDP)
}

// pdpDate reads an optional date field (JJ/MM/AAAA or AAAA-MM-JJ).
func pdpDate(field, v string) (*medconseil.Date, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	d, err := medconseil.ParseDate(v)
	if err != nil {
		return nil, medconseil.FieldErrorf(field, "date %q illisible : écrire JJ/MM/AAAA", v)
	}
	return &d, nil
}

// pdpActionInput parses an action from strings (form or JSON), every error at once.
func pdpActionInput(nature, debut, fin, issue string) (medconseil.ActionPDP, error) {
	x := medconseil.ActionPDP{Nature: medconseil.NaturePDP(strings.TrimSpace(nature)), Issue: medconseil.IssuePDP(strings.TrimSpace(issue))}
	var errs []error
	if d, err := pdpDate("debut", debut); err != nil {
		errs = append(errs, err)
	} else if d != nil {
		x.Debut = *d
	}
	if d, err := pdpDate("fin", fin); err != nil {
		errs = append(errs, err)
	} else {
		x.Fin = d
	}
	return x, errors.Join(errs...)
}

func pdpContactInput(qui, quand, canal, resume string) (medconseil.ContactMedecinTravail, error) {
	c := medconseil.ContactMedecinTravail{Qui: qui, Canal: medconseil.CanalContact(strings.TrimSpace(canal)), Resume: resume}
	d, err := pdpDate("quand", quand)
	if d != nil {
		c.Quand = *d
	}
	return c, err
}

// --- API ---

func (s *Server) apiPDPSignalements(w http.ResponseWriter, r *http.Request) error {
	sigs, err := s.DB.PDPSignalements(r.Context(), acteurOf(r), meta(r, "pdp"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"signalements": sigs})
	return nil
}

func (s *Server) apiPDPDossier(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.DB.PDPDossier(r.Context(), acteurOf(r), id, meta(r, "pdp"))
	if err != nil {
		return err
	}
	if !v.Visible {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le suivi de prévention de la désinsertion professionnelle est réservé à l'équipe médicale du territoire et à la cellule PDP de la caisse"}
	}
	out := map[string]any{"dossier": id, "signalements": nonNil(v.Signals), "actions": nonNil(v.Actions), "contacts": nonNil(v.Contacts)}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *Server) apiPDPAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Nature string `json:"nature"`
		Debut  string `json:"debut"`
		Fin    string `json:"fin"`
		Issue  string `json:"issue"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	x, err := pdpActionInput(q.Nature, q.Debut, q.Fin, q.Issue)
	if err != nil {
		return err
	}
	got, err := s.DB.AddPDPAction(r.Context(), acteurOf(r), id, x, meta(r, "pdp"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, got)
	return nil
}

func (s *Server) apiPDPContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Qui    string `json:"qui"`
		Quand  string `json:"quand"`
		Canal  string `json:"canal"`
		Resume string `json:"resume"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := pdpContactInput(q.Qui, q.Quand, q.Canal, q.Resume)
	if err != nil {
		return err
	}
	got, err := s.DB.AddPDPContact(r.Context(), acteurOf(r), id, c, meta(r, "pdp"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, got)
	return nil
}

// --- pages ---

// pdpListData feeds templates/pdp.html.
type pdpListData struct {
	Signals []medconseil.SignalPDP
	Cellule bool // the reader is the caisse's cell (not medical)
}

func (s *Server) pdpPage(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	sigs, err := s.DB.PDPSignalements(r.Context(), a, meta(r, "pdp"))
	if err != nil {
		return err
	}
	cell := a.Has(medconseil.RoleCellulePDP)
	return s.render(w, r, http.StatusOK, "pdp", view{Title: "Prévention de la désinsertion professionnelle", Data: pdpListData{Signals: sigs, Cellule: cell}})
}

// pdpForm is what the PDP forms of the dossier page hold after a refusal.
type pdpForm struct {
	Nature, Debut, Fin, Issue string
	Qui, Quand, Canal, Resume string
}

// pdpFields prefixes the field errors of err with "pdp_" so they sit beside the
// PDP form's fields, not beside other forms' fields of the dossier page.
func pdpFields(err error) error {
	fes := medconseil.FieldErrors(err)
	if len(fes) == 0 {
		return err
	}
	var out []error
	for _, fe := range fes {
		c := *fe
		if c.Field != "" {
			c.Field = "pdp_" + c.Field
		}
		out = append(out, &c)
	}
	return errors.Join(out...)
}

func (s *Server) pdpFormError(w http.ResponseWriter, r *http.Request, f pdpForm, err error) error {
	switch medconseil.ErrorCode(err) {
	case medconseil.EINVALID, medconseil.EFORBIDDEN:
		return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{PDPForm: f}, pdpFields(err))
	}
	return err
}

func (s *Server) pdpActionForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := pdpForm{Nature: r.PostFormValue("nature"), Debut: r.PostFormValue("debut"), Fin: r.PostFormValue("fin"), Issue: r.PostFormValue("issue")}
	x, err := pdpActionInput(f.Nature, f.Debut, f.Fin, f.Issue)
	if err == nil {
		_, err = s.DB.AddPDPAction(r.Context(), acteurOf(r), id, x, meta(r, "pdp"))
	}
	if err != nil {
		return s.pdpFormError(w, r, f, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=%s#titre-pdp", id, url.QueryEscape("pdp-action")), http.StatusSeeOther)
	return nil
}

func (s *Server) pdpContactForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := pdpForm{Qui: r.PostFormValue("qui"), Quand: r.PostFormValue("quand"), Canal: r.PostFormValue("canal"), Resume: r.PostFormValue("resume")}
	c, err := pdpContactInput(f.Qui, f.Quand, f.Canal, f.Resume)
	if err == nil {
		_, err = s.DB.AddPDPContact(r.Context(), acteurOf(r), id, c, meta(r, "pdp"))
	}
	if err != nil {
		return s.pdpFormError(w, r, f, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=%s#titre-pdp", id, url.QueryEscape("pdp-contact")), http.StatusSeeOther)
	return nil
}

// dossierPDP loads the PDP section of the dossier page (nil when the reader has
// no PDP access).
func (s *Server) dossierPDP(r *http.Request, d *medconseil.Dossier, data *dossierData) error {
	v, err := s.DB.PDPDossier(r.Context(), acteurOf(r), d.ID, meta(r, "pdp"))
	if err != nil {
		return err
	}
	if !v.Visible {
		return nil
	}
	data.PDP = v
	switch r.URL.Query().Get("ok") {
	case "pdp-action":
		data.Message = "Action de prévention enregistrée."
	case "pdp-contact":
		data.Message = "Contact avec le médecin du travail enregistré."
	}
	return nil
}
