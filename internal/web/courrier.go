package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/sqldb"
)

// The letters of a dossier (internal/courrier, sqldb/courrier.go): listed on the
// dossier page and by the API, each downloaded as its PDF. Which letters a reader
// gets is decided in the store (the dossier's gate, the classes each letter
// carries); every list and download is journaled there, purpose « courrier ».

func (s *Server) courrierRoutes() {
	m := s.mux
	m.Handle("GET /api/v1/dossiers/{id}/courriers", s.api(s.apiCourriers))
	m.Handle("GET /api/v1/courriers/{fichier}", s.api(s.courrierPDF))
	m.Handle("GET /courriers/{fichier}", s.page(s.courrierPDF))
}

// courrierJSON is one letter in GET /api/v1/dossiers/{id}/courriers.
type courrierJSON struct {
	sqldb.Courrier
	DestinataireLibelle string `json:"destinataire_libelle"`
	Classes             string `json:"classes"`
	PDF                 string `json:"pdf"`
}

func (s *Server) apiCourriers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.DB.Courriers(r.Context(), acteurOf(r), id, meta(r, finalite(r, "courrier")))
	if err != nil {
		return err
	}
	out := struct {
		DossierID int64          `json:"dossier_id"`
		Courriers []courrierJSON `json:"courriers"`
	}{DossierID: id, Courriers: []courrierJSON{}}
	for _, c := range list {
		out.Courriers = append(out.Courriers, courrierJSON{Courrier: c, DestinataireLibelle: c.Destinataire.Label(), Classes: c.Classes(), PDF: fmt.Sprintf("/api/v1/courriers/%d.pdf", c.ID)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// courrierID reads « 42.pdf »; anything else is a letter that does not exist.
func courrierID(r *http.Request) (int64, error) {
	raw, ok := strings.CutSuffix(r.PathValue("fichier"), ".pdf")
	id, err := strconv.ParseInt(raw, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, medconseil.NotFound("Courrier")
	}
	return id, nil
}

// courrierPDF serves one letter's PDF, as stored (its SHA-256 checked by the
// store), to an API client or to a logged-in browser.
func (s *Server) courrierPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := courrierID(r)
	if err != nil {
		return err
	}
	c, pdf, err := s.DB.CourrierPDF(r.Context(), acteurOf(r), id, meta(r, finalite(r, "courrier")))
	if err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' {
			return r
		}
		return '-'
	}, c.Reference)
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="courrier-%s.pdf"`, name))
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	h.Set("Cache-Control", "no-store")
	h.Set("ETag", `"sha256-`+c.SHA256+`"`)
	_, err = w.Write(pdf)
	return err
}

// dossierCourriers lists the letters of the dossier shown on its page; nil when
// the reader may see none (a reader who may not see the dossier never gets here).
func (s *Server) dossierCourriers(r *http.Request, id int64) ([]sqldb.Courrier, error) {
	return s.DB.Courriers(r.Context(), acteurOf(r), id, meta(r, "courrier"))
}
