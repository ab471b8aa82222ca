package web

import (
	"net/http"
	"slices"

	"medconseil"
)

// recordForm is the prologue and the error path shared by the forms posted on a
// record's page — a procedure of control (controle.go, controle_actions.go), a
// dossier (controle.go, echange.go): the record's id from the path, the read that
// says whether the caller sees the record, and the page re-shown with the
// messages beside their fields when the input is refused.
type recordForm struct {
	ID int64
	// gate reads the record through the store's access gate (journaled): a
	// record the caller may not see is not found, exactly as if absent.
	gate func() error
	// fixable says whether err is corrected on the page, and with which status.
	fixable func(err error) (int, bool)
	// show re-renders the page with err; nil when the form has no page to
	// re-show (its errors go to the error page).
	show func(status int, err error) error
}

// refused answers input refused before the store was called: the gate first,
// then the page with the messages.
func (f recordForm) refused(err error) error {
	if f.gate != nil {
		if gerr := f.gate(); gerr != nil {
			return gerr
		}
	}
	return f.fail(err)
}

// fail re-shows the page for an error the user corrects there; any other error
// goes to the error page.
func (f recordForm) fail(err error) error {
	if f.show == nil || f.fixable == nil {
		return err
	}
	if st, ok := f.fixable(err); ok {
		return f.show(st, err)
	}
	return err
}

// codesFixable: the errors of these codes are corrected on the page.
func codesFixable(codes ...medconseil.Code) func(error) (int, bool) {
	return func(err error) (int, bool) {
		c := medconseil.ErrorCode(err)
		return statusOf(c), slices.Contains(codes, c)
	}
}

// orCause: when the page itself cannot be re-shown, the error page shows the
// refusal, not the failure to re-show it.
func orCause(show func(int, error) error) func(int, error) error {
	return func(status int, err error) error {
		if rerr := show(status, err); rerr != nil {
			return err
		}
		return nil
	}
}

// controleForm is the prologue of a form posted on a procedure's page
// (/controle/{id}/…): bad input, a conflict or a refusal re-shows the page with
// the form as submitted.
func (s *Server) controleForm(w http.ResponseWriter, r *http.Request) (recordForm, error) {
	id, err := controleID(r)
	if err != nil {
		return recordForm{}, err
	}
	return recordForm{
		ID: id,
		gate: func() error {
			_, err := s.DB.Controle(r.Context(), acteurOf(r), id, meta(r, "controle"))
			return err
		},
		fixable: codesFixable(medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN),
		show: orCause(func(status int, err error) error {
			return s.showControle(w, r, status, r.PostForm, err)
		}),
	}, nil
}

// dossierForm is the prologue of a form posted on a dossier's page
// (/dossiers/{id}/…), read for finalite; fixable and show say which errors
// re-show which page (nil: the error page).
func (s *Server) dossierForm(r *http.Request, finalite string, fixable func(error) (int, bool), show func(int, error) error) (recordForm, error) {
	id, err := pathID(r)
	if err != nil {
		return recordForm{}, err
	}
	return recordForm{
		ID: id,
		gate: func() error {
			_, err := s.DB.Dossier(r.Context(), acteurOf(r), id, meta(r, finalite))
			return err
		},
		fixable: fixable,
		show:    show,
	}, nil
}
