package web

import (
	"fmt"
	"net/http"
	"strconv"

	"medconseil"
	"medconseil/internal/sqldb"
)

// The dossier page's lifecycle section (templates/_cycle.html): the current state,
// the pending legal deadlines with their last day, the days left or overdue and
// their legal sources, the deadlines already past, the history of the transitions
// and one button per transition the reader's role permits, posted to
// POST /dossiers/{id}/evenements (the HTML twin of POST /api/v1/dossiers/{id}/evenements).

func (s *Server) cycleRoutes() {
	s.mux.Handle("POST /dossiers/{id}/evenements", s.page(s.evenementForm))
}

// dossierCycle returns the lifecycle view shown on the page of d, read by the
// reader of the request; nil when the reader does not see the dossier's
// administrative class.
func (s *Server) dossierCycle(r *http.Request, d *medconseil.Dossier) (*sqldb.CycleVue, error) {
	if d == nil || !d.Visible.Has(medconseil.Administratif) {
		return nil, nil
	}
	return s.DB.Cycle(r.Context(), acteurOf(r), d.ID, medconseil.DateOf(s.DB.Now().In(paris)))
}

func (s *Server) evenementForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ev := r.PostFormValue("evenement")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if ev == "" {
		err = medconseil.FieldErrorf("evenement", "choisir l'événement à enregistrer")
	} else if version <= 0 {
		err = medconseil.FieldErrorf("version", "version du dossier manquante : rouvrez le dossier")
	} else {
		_, err = s.DB.Transition(r.Context(), acteurOf(r), id, version, ev, meta(r, "instruction"))
	}
	if err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=evenement", id), http.StatusSeeOther)
	return nil
}
