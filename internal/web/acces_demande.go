package web

import (
	"fmt"
	"net/http"
	"net/url"

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
