package web

import (
	"fmt"
	"net/http"

	"medconseil"
	"medconseil/internal/sqldb"
)

// Échange confraternel and contre-visite patronale (issue 13 parts 5 and 6;
// docs/echanges.md): the API, the two forms and the dossier page's section
// (templates/_echanges.html). The store applies the policy — the summary of an
// échange to the medical team of the territory only — and journals every read.

func (s *Server) echangeRoutes() {
	m := s.mux
	m.Handle("GET /api/v1/dossiers/{id}/echanges", s.api(s.apiEchanges))
	m.Handle("POST /api/v1/dossiers/{id}/echanges", s.api(s.apiAddEchange))
	m.Handle("GET /api/v1/dossiers/{id}/contre-visites", s.api(s.apiContreVisites))
	m.Handle("POST /api/v1/dossiers/{id}/contre-visites", s.api(s.apiAddContreVisite))
	m.Handle("POST /dossiers/{id}/echanges", s.page(s.echangeForm))
	m.Handle("POST /dossiers/{id}/contre-visites", s.page(s.contreVisiteForm))
}

func (s *Server) apiEchanges(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, _, err := s.DB.Echanges(r.Context(), acteurOf(r), id, meta(r, "instruction"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []sqldb.Echange{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dossier": id, "echanges": list})
	return nil
}

func (s *Server) apiAddEchange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q sqldb.EchangeInput
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	e, err := s.DB.AddEchange(r.Context(), acteurOf(r), id, q, meta(r, "instruction"))
	if err != nil {
		return err
	}
	if e.CourrierID != 0 {
		e.Lettre = fmt.Sprintf("/api/v1/courriers/%d.pdf", e.CourrierID)
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiContreVisites(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ContreVisites(r.Context(), acteurOf(r), id, meta(r, "contre_visite"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []sqldb.ContreVisite{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dossier": id, "contre_visites": list})
	return nil
}

func (s *Server) apiAddContreVisite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q sqldb.ContreVisiteInput
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := s.DB.AddContreVisite(r.Context(), acteurOf(r), id, q, meta(r, "contre_visite"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// suiviData is the dossier page's section « Échanges avec le médecin traitant et
// contre-visites patronales ».
type suiviData struct {
	Echanges      []sqldb.Echange
	ContreVisites []sqldb.ContreVisite
	MedicalTeam   bool // the reader sees the summaries
	CanEchange    bool // the reader may log an échange
	CanCV         bool // the dossier is an arrêt: the contre-visite form is shown
	Today         string
	Message       string                  // after a form was saved
	Echange       sqldb.EchangeInput      // the form as submitted (after an error)
	CV            sqldb.ContreVisiteInput // idem
	Canaux        []struct{ Code, Libelle string }
	Initiatives   []struct{ Code, Libelle string }
	Issues        []struct{ Code, Libelle string }
	Conclusions   []struct{ Code, Libelle string }
}

// fillSuivi loads the section of dossier d for the reader; nothing when the
// reader does not see the dossier's administrative class.
func (s *Server) fillSuivi(r *http.Request, d *medconseil.Dossier, data *dossierData) error {
	if d == nil || !d.Visible.Has(medconseil.Administratif) {
		data.Suivi = nil
		return nil
	}
	sv := data.Suivi
	if sv == nil {
		sv = &suiviData{}
	}
	a := acteurOf(r)
	var err error
	if sv.Echanges, sv.MedicalTeam, err = s.DB.Echanges(r.Context(), a, d.ID, meta(r, "instruction")); err != nil {
		return err
	}
	if sv.ContreVisites, err = s.DB.ContreVisites(r.Context(), a, d.ID, meta(r, "contre_visite")); err != nil {
		return err
	}
	sv.CanEchange = sv.MedicalTeam && canConclude(a)
	sv.CanCV = d.Type == medconseil.TypeArretTravail && mayContreVisite(a)
	sv.Today = medconseil.DateOf(s.DB.Now().In(paris)).String()
	sv.Canaux, sv.Initiatives, sv.Issues, sv.Conclusions = sqldb.Canaux, sqldb.Initiatives, sqldb.EchangeIssues, sqldb.ContreVisiteConclusions
	if sv.Echange.Canal == "" {
		sv.Echange.Canal, sv.Echange.Initiative, sv.Echange.Issue, sv.Echange.Date = "telephone", "service_medical", "information", sv.Today
	}
	switch r.URL.Query().Get("ok") {
	case "echange":
		sv.Message = "Échange enregistré."
	case "echange_lettre":
		sv.Message = "Échange enregistré ; la lettre au médecin traitant est dans les courriers du dossier."
	case "contre_visite":
		sv.Message = "Contre-visite enregistrée."
	}
	data.Suivi = sv
	return nil
}

// mayContreVisite: the roles the arrêt's lifecycle lists for contre_visite (the
// store checks the territory).
func mayContreVisite(a *medconseil.Acteur) bool {
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleAgentAdministratif:
			return true
		}
	}
	return false
}

func (s *Server) echangeForm(w http.ResponseWriter, r *http.Request) error {
	var q sqldb.EchangeInput
	f, err := s.dossierForm(r, "instruction", suiviErrorStatus, func(status int, err error) error {
		return s.showDossier(w, r, status, dossierData{Suivi: &suiviData{Echange: q}}, err)
	})
	if err != nil {
		return err
	}
	q = sqldb.EchangeInput{MedecinNom: r.PostFormValue("medecin_nom"), MedecinRPPS: r.PostFormValue("medecin_rpps"), Date: r.PostFormValue("date_contact"),
		Canal: r.PostFormValue("canal"), Initiative: r.PostFormValue("initiative"), Issue: r.PostFormValue("issue"), RepriseLe: r.PostFormValue("reprise_le"),
		Resume: r.PostFormValue("resume"), Lettre: r.PostFormValue("lettre") == "1"}
	e, err := s.DB.AddEchange(r.Context(), acteurOf(r), f.ID, q, meta(r, "instruction"))
	if err != nil {
		return f.fail(err)
	}
	ok := "echange"
	if e.CourrierID != 0 {
		ok = "echange_lettre"
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=%s#suivi", f.ID, ok), http.StatusSeeOther)
	return nil
}

func (s *Server) contreVisiteForm(w http.ResponseWriter, r *http.Request) error {
	var q sqldb.ContreVisiteInput
	f, err := s.dossierForm(r, "contre_visite", suiviErrorStatus, func(status int, err error) error {
		return s.showDossier(w, r, status, dossierData{Suivi: &suiviData{CV: q}}, err)
	})
	if err != nil {
		return err
	}
	q = sqldb.ContreVisiteInput{VisiteLe: r.PostFormValue("visite_le"), RapportLe: r.PostFormValue("rapport_le"), Conclusion: r.PostFormValue("conclusion"),
		ControleurNom: r.PostFormValue("controleur_nom"), ControleurRPPS: r.PostFormValue("controleur_rpps"), Employeur: r.PostFormValue("employeur")}
	if _, err := s.DB.AddContreVisite(r.Context(), acteurOf(r), f.ID, q, meta(r, "contre_visite")); err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=contre_visite#suivi", f.ID), http.StatusSeeOther)
	return nil
}

// suiviErrorStatus: the errors the section's forms show on the dossier page
// (bad input, conflict, forbidden) rather than on an error page.
func suiviErrorStatus(err error) (int, bool) {
	if st, ok := formErrorStatus(err); ok {
		return st, true
	}
	if medconseil.ErrorCode(err) == medconseil.EFORBIDDEN {
		return http.StatusForbidden, true
	}
	return 0, false
}
