package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/sqldb"
)

// The conclusions sent to the caisse (issue 10, part 2): the outbox written by
// every avis and every tacit approval or implicit recognition (sqldb.Tx.Notify),
// read by the CPAM's agents on a page and by the caisse's tools by cursor.

func (s *Server) notificationRoutes() {
	m := s.mux
	m.Handle("GET /notifications", s.page(s.notificationsPage))
	m.Handle("GET /api/v1/notifications", s.api(s.apiNotifications))
	s.addNav("/notifications", "Notifications", func(a *medconseil.Acteur) bool { return a.Has(medconseil.RoleAgentCPAM) })
}

// notificationQuery reads ?depuis=N (a cursor: the last seq the reader has) and
// ?limite=L (1 to 1,000, default 100).
func notificationQuery(r *http.Request) (depuis int64, limite int, err error) {
	v := r.URL.Query()
	limite = 100
	var errs []error
	if s := strings.TrimSpace(v.Get("depuis")); s != "" {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || n < 0 {
			errs = append(errs, medconseil.FieldErrorf("depuis", "« %s » n'est pas un curseur : un entier positif ou nul, le numéro de la dernière notification reçue", truncateRunes(s, 30)))
		} else {
			depuis = n
		}
	}
	if s := strings.TrimSpace(v.Get("limite")); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > 1000 {
			errs = append(errs, medconseil.FieldErrorf("limite", "« %s » : la limite est un entier de 1 à 1 000", truncateRunes(s, 30)))
		} else {
			limite = n
		}
	}
	return depuis, limite, errors.Join(errs...)
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// apiNotifications answers the notifications after the cursor, oldest first, and
// the cursor to pass next time ("suivant": the last seq answered, or depuis when
// there is nothing new). Reading changes nothing: the same depuis gives the same
// answer.
func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) error {
	depuis, limite, err := notificationQuery(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.Notifications(r.Context(), acteurOf(r), depuis, limite, meta(r, "notification"))
	if err != nil {
		return err
	}
	next := depuis
	if len(rows) > 0 {
		next = rows[len(rows)-1].Seq
	}
	if rows == nil {
		rows = []sqldb.NotificationRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"depuis": depuis, "suivant": next, "notifications": rows})
	return nil
}

// notificationsData feeds the notifications page.
type notificationsData struct {
	Rows   []sqldb.NotificationRow
	Depuis int64
	Next   string
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	depuis, limite, qerr := notificationQuery(r)
	v := view{Title: "Notifications à la caisse"}
	d := notificationsData{Depuis: depuis}
	if qerr != nil {
		// A bad cursor is an error, never "everything from the start".
		v.Fields = fieldMap(qerr)
		v.Error = &medconseil.Error{Code: medconseil.EINVALID, Message: "Paramètre d'adresse invalide : " + strings.Join(append(v.Fields["depuis"], v.Fields["limite"]...), " ; ")}
		v.Data = d
		return s.render(w, r, http.StatusUnprocessableEntity, "notifications", v)
	}
	rows, err := s.DB.Notifications(r.Context(), acteurOf(r), depuis, limite, meta(r, "notification"))
	if err != nil {
		return err
	}
	d.Rows = rows
	if len(rows) == limite {
		d.Next = "/notifications?depuis=" + strconv.FormatInt(rows[len(rows)-1].Seq, 10)
	}
	v.Data = d
	return s.render(w, r, http.StatusOK, "notifications", v)
}
