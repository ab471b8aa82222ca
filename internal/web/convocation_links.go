package web

import (
	"fmt"
	"net/http"

	"medconseil"
)

// lettreLink is the link of a convocation's letter (set by the store when the
// letter exists).
func (s *Server) lettreLink(c *medconseil.Convocation) string { return c.Lettre }

// convocationLettre serves the PDF of a convocation's letter, through the
// letter's gate (the store's CourrierPDF), journaled.
func (s *Server) convocationLettre(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	c, pdf, err := s.DB.ConvocationLettre(r.Context(), acteurOf(r), id, meta(r, "courrier"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", c.Reference+".pdf"))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(pdf)
	return err
}
