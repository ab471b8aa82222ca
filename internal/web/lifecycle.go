package web

import (
	"net/http"
	"strconv"
	"strings"

	"medconseil"
)

// lifecycleRoutes registers the transitions of the dossiers' lifecycles
// (internal/lifecycle): convocation, request for documents, documents received,
// notification, recourse, classement, AT/MP investigation… The avis keeps its own
// route. Who may trigger which transition is in the lifecycle files; the store
// checks it with the medical-secret policy, in the transaction.
func (s *Server) lifecycleRoutes() {
	s.mux.Handle("POST /api/v1/dossiers/{id}/evenements", s.api(s.apiEvenement))
}

func (s *Server) apiEvenement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Evenement string `json:"evenement"`
		Version   int    `json:"version"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Version == 0 {
		if v, err := strconv.Atoi(strings.Trim(r.Header.Get("If-Match"), `"`)); err == nil {
			q.Version = v
		}
	}
	if strings.TrimSpace(q.Evenement) == "" {
		return medconseil.FieldErrorf("evenement", "événement manquant (par exemple demander_pieces, pieces_recues, notifier)")
	}
	if q.Version <= 0 {
		return medconseil.FieldErrorf("version", "indiquer la version du dossier que vous avez ouverte")
	}
	version, err := s.DB.Transition(r.Context(), acteurOf(r), id, q.Version, q.Evenement, meta(r, "instruction"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": version})
	return nil
}
