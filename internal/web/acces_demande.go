package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"medconseil"
	"medconseil/internal/sqldb"
)

// The assuré's right of access (L1111-7 CSP) as a dossier: the DPO or a praticien
// files the request for one NIR; the lifecycle acces_dossier keeps its deadlines
// (48 h of reflection, 8 days, 2 months for information over 5 years old); the
// communication is recorded by the transition « communiquer »
// (POST /api/v1/dossiers/{id}/evenements or the dossier page), which closes it.

func (s *Server) accesDemandeRoutes() {
	s.mux.Handle("POST /api/v1/acces/demandes", s.api(s.apiDemandeAcces))
	s.mux.Handle("GET /acces/demandes/nouvelle", s.page(s.accesDemandePage))
	s.mux.Handle("POST /acces/demandes", s.page(s.accesDemandeFile))
	s.addNav("/acces/demandes/nouvelle", "Droit d'accès", canFileAcces)
}

func (s *Server) apiDemandeAcces(w http.ResponseWriter, r *http.Request) error {
	var q struct {
		NIR       string `json:"nir"`
		RecueLe   string `json:"recue_le"`
		Anciennes bool   `json:"informations_plus_5_ans"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.NIR == "" {
		return medconseil.FieldErrorf("nir", "NIR de l'assuré manquant (15 chiffres, clé comprise)")
	}
	nir, err := medconseil.ParseNIR(q.NIR)
	if err != nil {
		return medconseil.Prefix("nir", err)
	}
	x := sqldb.DemandeAcces{NIR: nir, Anciennes: q.Anciennes}
	if q.RecueLe != "" {
		if x.Recue, err = medconseil.ParseDate(q.RecueLe); err != nil {
			return medconseil.FieldErrorf("recue_le", "date de réception invalide %q : attendu AAAA-MM-JJ", q.RecueLe)
		}
	}
	id, err := s.DB.FileDemandeAcces(r.Context(), acteurOf(r), x, meta(r, "acces"))
	if err != nil {
		return err
	}
	es, err := s.DB.Echeances(r.Context(), id)
	if err != nil {
		return err
	}
	nq := url.Values{"nir": {string(nir)}}.Encode()
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": id, "echeances": es,
		"liens": map[string]string{
			"dossier":              fmt.Sprintf("/dossiers/%d", id),
			"dossier_communicable": "/api/v1/acces/dossier-communicable?" + nq,
			"acces":                "/api/v1/acces?" + nq,
			"communication":        fmt.Sprintf("/api/v1/dossiers/%d/evenements", id),
		},
	})
	return nil
}

// accesDemandeForm is the page where the DPO or a praticien files an assuré's
// request (GET /acces/demandes/nouvelle, POST /acces/demandes): the same store
// call as the API; the dossier page then shows its deadlines and the
// « communiquer » transition.
type accesDemandeForm struct {
	Form url.Values
}

// canFileAcces: who may file a right-of-access request (the store decides again).
func canFileAcces(a *medconseil.Acteur) bool {
	return a.Has(medconseil.RoleAuditeur) || a.Has(medconseil.RolePraticienConseil) || a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional)
}

func (s *Server) accesDemandePage(w http.ResponseWriter, r *http.Request) error {
	return s.showAccesDemande(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) showAccesDemande(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) error {
	if !canFileAcces(acteurOf(r)) {
		return medconseil.NotFound("Page")
	}
	v := view{Title: "Demande d'accès d'un assuré à son dossier (L1111-7 CSP)", Data: accesDemandeForm{Form: form}}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
		v.Error = s.domainError(r, formErr)
	}
	return s.render(w, r, status, "acces_demande", v)
}

func (s *Server) accesDemandeFile(w http.ResponseWriter, r *http.Request) error {
	if !canFileAcces(acteurOf(r)) {
		return medconseil.NotFound("Page")
	}
	form := url.Values{"nir": {r.PostFormValue("nir")}, "recue_le": {r.PostFormValue("recue_le")}, "anciennes": {r.PostFormValue("anciennes")}}
	id, err := s.fileAccesForm(r, form)
	if err != nil {
		if c := medconseil.ErrorCode(err); c == medconseil.EINVALID || c == medconseil.ENOTFOUND || c == medconseil.EFORBIDDEN || c == medconseil.ECONFLICT {
			return s.showAccesDemande(w, r, statusOf(c), form, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=acces", id), http.StatusSeeOther)
	return nil
}

func (s *Server) fileAccesForm(r *http.Request, form url.Values) (int64, error) {
	raw := strings.ReplaceAll(strings.TrimSpace(form.Get("nir")), " ", "")
	if raw == "" {
		return 0, medconseil.FieldErrorf("nir", "NIR de l'assuré manquant (15 chiffres, clé comprise)")
	}
	nir, err := medconseil.ParseNIR(raw)
	if err != nil {
		return 0, medconseil.Prefix("nir", err)
	}
	x := sqldb.DemandeAcces{NIR: nir, Anciennes: form.Get("anciennes") == "oui"}
	if v := strings.TrimSpace(form.Get("recue_le")); v != "" {
		if x.Recue, err = formDate(r, "recue_le"); err != nil {
			return 0, err
		}
	}
	return s.DB.FileDemandeAcces(r.Context(), acteurOf(r), x, meta(r, "acces"))
}
