package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/agenda"
	"medconseil/internal/sqldb"
)

// Convocations and examinations (issue 13): the agenda of the sites, the
// proposal of slots for a dossier, the convocation, rescheduling, presence and
// the examination in three phases. The rules are REGULATIONS.md §13; the store
// applies the medical-secret policy (an administrative agent sees dates and
// places, never the examination) and journals every access.

func (s *Server) convocationRoutes() {
	m := s.mux
	geo := &refCache{db: s.DB}
	s.geo = func(ctx context.Context) sqldb.Geo { return geoOf(ctx, geo) }

	m.Handle("GET /api/v1/dossiers/{id}/creneaux", s.api(s.apiCreneaux))
	m.Handle("GET /api/v1/dossiers/{id}/convocations", s.api(s.apiConvocations))
	m.Handle("POST /api/v1/dossiers/{id}/convocations", s.api(s.apiConvoquer))
	m.Handle("POST /api/v1/convocations/{id}/report", s.api(s.apiReport))
	m.Handle("POST /api/v1/convocations/{id}/presence", s.api(s.apiPresence))
	m.Handle("POST /api/v1/convocations/{id}/examen", s.api(s.apiExamen))
	m.Handle("GET /api/v1/sites/{site}/creneaux", s.api(s.apiAgenda))
	m.Handle("POST /api/v1/sites/{site}/salles", s.api(s.apiSalle))
	m.Handle("POST /api/v1/sites/{site}/plages", s.api(s.apiPlage))
	m.Handle("POST /api/v1/sites/{site}/absences", s.api(s.apiAbsence))

	m.Handle("GET /agenda", s.page(s.agendaSitesPage))
	m.Handle("GET /agenda/{site}", s.page(s.agendaSitePage))
	m.Handle("GET /agenda/praticiens/{login}", s.page(s.agendaPraticienICS))
	m.Handle("POST /agenda/{site}/salles", s.page(s.agendaSalleForm))
	m.Handle("POST /agenda/{site}/plages", s.page(s.agendaPlageForm))
	m.Handle("POST /agenda/{site}/absences", s.page(s.agendaAbsenceForm))
	m.Handle("GET /dossiers/{id}/convocation", s.page(s.convocationPage))
	m.Handle("POST /dossiers/{id}/convocations", s.page(s.convoquerForm))
	m.Handle("POST /convocations/{id}/report", s.page(s.reportForm))
	m.Handle("POST /convocations/{id}/presence", s.page(s.presenceForm))
	m.Handle("POST /convocations/{id}/examen", s.page(s.examenForm))
	m.Handle("GET /convocations/{id}/lettre.pdf", s.page(s.convocationLettre))

	s.addNav("/agenda", "Agenda", func(a *medconseil.Acteur) bool {
		for _, h := range a.Habilitations {
			switch h.Role {
			case medconseil.RoleAgentAdministratif, medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleInfirmier:
				return true
			}
		}
		return false
	})
}

// geoOf locates communes with the communes référentiel (imported from
// ../shared/reference/geo/communes); nil when it is not imported, and the
// proposal then orders the sites of the dossier's département first.
func geoOf(ctx context.Context, c *refCache) sqldb.Geo {
	set, err := c.get(ctx)
	if err != nil || set == nil || len(set.Communes) == 0 {
		return nil
	}
	return func(code string) (float64, float64, bool) {
		co := set.Communes[code]
		if co == nil {
			return 0, 0, false
		}
		return co.Lat, co.Lon, true
	}
}

func convID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, medconseil.NotFound("Convocation")
	}
	return id, nil
}

// --- API ---

func (s *Server) apiCreneaux(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n := 10
	if v := r.URL.Query().Get("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 100 {
			return medconseil.FieldErrorf("n", "nombre de créneaux attendu entre 1 et 100")
		}
	}
	slots, err := s.DB.ProposeCreneaux(r.Context(), acteurOf(r), id, s.geo(r.Context()), n, meta(r, "convocation"))
	if err != nil {
		return err
	}
	if slots == nil {
		slots = []medconseil.Creneau{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dossier": id, "creneaux": slots})
	return nil
}

func (s *Server) apiConvocations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cs, err := s.DB.Convocations(r.Context(), acteurOf(r), id, meta(r, "convocation"))
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []medconseil.Convocation{}
	}
	for i := range cs {
		s.decorate(&cs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"dossier": id, "convocations": cs})
	return nil
}

// decorate adds the links of a convocation.
func (s *Server) decorate(c *medconseil.Convocation) {
	c.Lettre = s.lettreLink(c)
	if c.Suivante != nil {
		s.decorate(c.Suivante)
	}
}

func (s *Server) apiConvoquer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Creneau         int64  `json:"creneau"`
		HorsDepartement string `json:"hors_departement"`
		Version         int    `json:"version"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := s.DB.Convoquer(r.Context(), acteurOf(r), id, sqldb.ConvocationInput{CreneauID: q.Creneau, HorsDepartement: q.HorsDepartement, Version: q.Version}, meta(r, "convocation"))
	if err != nil {
		return err
	}
	s.decorate(c)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	var q struct {
		Creneau         int64  `json:"creneau"`
		Motif           string `json:"motif"`
		HorsDepartement string `json:"hors_departement"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	c, err := s.DB.Reporter(r.Context(), acteurOf(r), id, q.Creneau, q.Motif, q.HorsDepartement, meta(r, "convocation"))
	if err != nil {
		return err
	}
	s.decorate(c)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiPresence(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	var q struct {
		Present      *bool `json:"present"`
		Refus        bool  `json:"refus"`
		MotifValable bool  `json:"motif_valable"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Present == nil {
		return medconseil.FieldErrorf("present", "indiquer si l'assuré s'est présenté (true ou false)")
	}
	c, err := s.DB.RecordPresence(r.Context(), acteurOf(r), id, sqldb.Presence{Present: *q.Present, Refus: q.Refus, MotifValable: q.MotifValable, Geo: s.geo(r.Context())}, meta(r, "convocation"))
	if err != nil {
		return err
	}
	s.decorate(c)
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiExamen(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	var q medconseil.Examen
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	q.ConvocationID = id
	if err := s.DB.SaveExamen(r.Context(), acteurOf(r), id, q, meta(r, "instruction")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiSalle(w http.ResponseWriter, r *http.Request) error {
	var q struct {
		Nom     string `json:"nom"`
		Adresse string `json:"adresse"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	id, err := s.DB.AddSalle(r.Context(), acteurOf(r), medconseil.Salle{Site: r.PathValue("site"), Nom: q.Nom, Adresse: q.Adresse}, meta(r, "agenda"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id})
	return nil
}

// plageRequest is the body of POST /api/v1/sites/{site}/plages and the plage form.
type plageRequest struct {
	Salle     int64  `json:"salle"`
	Praticien string `json:"praticien"`
	Jour      int    `json:"jour"`
	Debut     string `json:"debut"`
	Fin       string `json:"fin"`
	Duree     int    `json:"duree"`
	Du        string `json:"du"`
	Au        string `json:"au"`
}

func (q plageRequest) parse(site string) (medconseil.Plage, error) {
	p := medconseil.Plage{Site: site, SalleID: q.Salle, Praticien: strings.TrimSpace(q.Praticien), Jour: q.Jour, Debut: q.Debut, Fin: q.Fin, Duree: q.Duree}
	var errs []error
	var err error
	if q.Du != "" {
		if p.Du, err = medconseil.ParseDate(q.Du); err != nil {
			errs = append(errs, medconseil.FieldErrorf("du", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)"))
		}
	}
	if q.Au != "" {
		if p.Au, err = medconseil.ParseDate(q.Au); err != nil {
			errs = append(errs, medconseil.FieldErrorf("au", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)"))
		}
	}
	return p, errors.Join(errs...)
}

func (s *Server) apiPlage(w http.ResponseWriter, r *http.Request) error {
	var q plageRequest
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	p, err := q.parse(r.PathValue("site"))
	if err != nil {
		return err
	}
	id, n, err := s.DB.AddPlage(r.Context(), acteurOf(r), p, meta(r, "agenda"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "creneaux": n})
	return nil
}

func (s *Server) apiAbsence(w http.ResponseWriter, r *http.Request) error {
	var q struct {
		Praticien string `json:"praticien"`
		Du        string `json:"du"`
		Au        string `json:"au"`
		Motif     string `json:"motif"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	du, err1 := medconseil.ParseDate(q.Du)
	au, err2 := medconseil.ParseDate(q.Au)
	if err1 != nil {
		return medconseil.FieldErrorf("du", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
	}
	if err2 != nil {
		return medconseil.FieldErrorf("au", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
	}
	n, err := s.DB.AddAbsence(r.Context(), acteurOf(r), r.PathValue("site"), q.Praticien, du, au, q.Motif, meta(r, "agenda"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"creneaux_supprimes": n})
	return nil
}

func (s *Server) apiAgenda(w http.ResponseWriter, r *http.Request) error {
	f, err := agendaFilter(r, r.PathValue("site"))
	if err != nil {
		return err
	}
	slots, err := s.DB.Agenda(r.Context(), acteurOf(r), f, meta(r, "agenda"))
	if err != nil {
		return err
	}
	if slots == nil {
		slots = []medconseil.Creneau{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"site": f.Site, "du": f.Du, "au": f.Au, "creneaux": slots})
	return nil
}

// agendaFilter reads du/au (default: today and four weeks).
func agendaFilter(r *http.Request, site string) (sqldb.AgendaFilter, error) {
	today := medconseil.DateOf(time.Now().In(paris))
	f := sqldb.AgendaFilter{Site: site, Du: today, Au: today.AddDays(27)}
	if v := r.URL.Query().Get("du"); v != "" {
		d, err := medconseil.ParseDate(v)
		if err != nil {
			return f, medconseil.FieldErrorf("du", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
		}
		f.Du = d
	}
	if v := r.URL.Query().Get("au"); v != "" {
		d, err := medconseil.ParseDate(v)
		if err != nil {
			return f, medconseil.FieldErrorf("au", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
		}
		f.Au = d
	}
	if f.Au.Before(f.Du) || f.Au.Sub(f.Du) > 366 {
		return f, medconseil.FieldErrorf("au", "période attendue de un jour à un an")
	}
	return f, nil
}

// --- iCalendar ---

func (s *Server) writeICS(w http.ResponseWriter, r *http.Request, name string, f sqldb.AgendaFilter) error {
	slots, err := s.DB.Agenda(r.Context(), acteurOf(r), f, meta(r, "agenda"))
	if err != nil {
		return err
	}
	cal := agenda.Calendar{Name: name, Stamp: time.Now()}
	for _, c := range slots {
		start, err1 := time.ParseInLocation(medconseil.CreneauLayout, c.Debut, paris)
		end, err2 := time.ParseInLocation(medconseil.CreneauLayout, c.Fin, paris)
		if err1 != nil || err2 != nil {
			continue
		}
		summary := "Créneau libre — " + c.Praticien
		desc := ""
		if c.DossierID != 0 {
			summary = fmt.Sprintf("Convocation — dossier n° %d — %s", c.DossierID, c.Praticien)
			desc = fmt.Sprintf("Convocation n° %d. Les éléments médicaux ne figurent pas dans l'agenda.", c.ConvocationID)
		}
		loc := strings.TrimSuffix(c.SiteNom+", "+c.Salle+", "+c.Adresse, ", ")
		cal.Events = append(cal.Events, agenda.Event{UID: agenda.SlotUID(c.ID, "medconseil"), Start: start, End: end, Summary: summary, Location: loc, Description: desc})
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="agenda.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(cal.ICS())
	return err
}

func (s *Server) agendaPraticienICS(w http.ResponseWriter, r *http.Request) error {
	login, ok := strings.CutSuffix(r.PathValue("login"), ".ics")
	if !ok {
		return medconseil.NotFound("Page")
	}
	f, err := agendaFilter(r, "")
	if err != nil {
		return err
	}
	f.Praticien = login
	return s.writeICS(w, r, "Agenda de "+login, f)
}

// --- HTML ---

type agendaSitesData struct {
	Sites []sqldb.AgendaSite
}

func (s *Server) agendaSitesPage(w http.ResponseWriter, r *http.Request) error {
	sites, err := s.DB.Sites(r.Context(), acteurOf(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "agenda_sites", view{Title: "Agenda des sites", Data: agendaSitesData{Sites: sites}})
}

type agendaDay struct {
	Date  string
	Slots []medconseil.Creneau
}

type agendaSiteData struct {
	Site    string
	Nom     string
	Manage  bool
	Salles  []medconseil.Salle
	Days    []agendaDay
	Du, Au  medconseil.Date
	Jours   []string
	Message string
	Plage   plageRequest
}

func (s *Server) agendaSitePage(w http.ResponseWriter, r *http.Request) error {
	return s.showAgendaSite(w, r, http.StatusOK, nil, r.URL.Query().Get("message"), plageRequest{Duree: 30, Debut: "09:00", Fin: "12:00", Jour: 1})
}

func (s *Server) showAgendaSite(w http.ResponseWriter, r *http.Request, status int, formErr error, msg string, p plageRequest) error {
	site := r.PathValue("site")
	if name, ok := strings.CutSuffix(site, ".ics"); ok && r.Method == http.MethodGet {
		f, err := agendaFilter(r, name)
		if err != nil {
			return err
		}
		return s.writeICS(w, r, "Agenda du site "+name, f)
	}
	a := acteurOf(r)
	read, manage := s.DB.Policy.AgendaAccess(a, site)
	if !read {
		return medconseil.NotFound("Site")
	}
	f, err := agendaFilter(r, site)
	if err != nil {
		return err
	}
	slots, err := s.DB.Agenda(r.Context(), a, f, meta(r, "agenda"))
	if err != nil {
		return err
	}
	salles, err := s.DB.Salles(r.Context(), a, site)
	if err != nil {
		return err
	}
	d := agendaSiteData{Site: site, Manage: manage, Salles: salles, Du: f.Du, Au: f.Au, Jours: medconseil.Jours[1:], Message: msg, Plage: p}
	if sites, err := s.DB.Sites(r.Context(), a); err == nil {
		for _, x := range sites {
			if x.Code == site {
				d.Nom = x.Nom
			}
		}
	}
	for _, c := range slots {
		day := frenchDay(c.Debut)
		if len(d.Days) == 0 || d.Days[len(d.Days)-1].Date != day {
			d.Days = append(d.Days, agendaDay{Date: day})
		}
		d.Days[len(d.Days)-1].Slots = append(d.Days[len(d.Days)-1].Slots, c)
	}
	v := view{Title: "Agenda — " + d.Nom, Data: d}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
	}
	return s.render(w, r, status, "agenda_site", v)
}

// frenchDay formats the day of a wall-clock slot time: « lundi 07/12/2026 ».
func frenchDay(s string) string {
	t, err := time.Parse(medconseil.CreneauLayout, s)
	if err != nil {
		return s
	}
	wd := int(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	return medconseil.Jours[wd] + " " + t.Format("02/01/2006")
}

func (s *Server) agendaRedirect(w http.ResponseWriter, r *http.Request, site, msg string) error {
	http.Redirect(w, r, "/agenda/"+url.PathEscape(site)+"?message="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

func formErrorStatus(err error) (int, bool) {
	var e *medconseil.Error
	if errors.As(err, &e) && (e.Code == medconseil.EINVALID || e.Code == medconseil.ECONFLICT) {
		if e.Code == medconseil.ECONFLICT {
			return http.StatusConflict, true
		}
		return http.StatusUnprocessableEntity, true
	}
	if _, ok := err.(interface{ Unwrap() []error }); ok {
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

func (s *Server) agendaSalleForm(w http.ResponseWriter, r *http.Request) error {
	site := r.PathValue("site")
	_, err := s.DB.AddSalle(r.Context(), acteurOf(r), medconseil.Salle{Site: site, Nom: r.PostFormValue("nom"), Adresse: r.PostFormValue("adresse")}, meta(r, "agenda"))
	if st, ok := formErrorStatus(err); ok {
		return s.showAgendaSite(w, r, st, err, "", plageRequest{Duree: 30, Debut: "09:00", Fin: "12:00", Jour: 1})
	} else if err != nil {
		return err
	}
	return s.agendaRedirect(w, r, site, "Salle ajoutée.")
}

func (s *Server) agendaPlageForm(w http.ResponseWriter, r *http.Request) error {
	site := r.PathValue("site")
	q := plageRequest{Praticien: r.PostFormValue("praticien"), Debut: r.PostFormValue("debut"), Fin: r.PostFormValue("fin"), Du: r.PostFormValue("du"), Au: r.PostFormValue("au")}
	q.Salle, _ = strconv.ParseInt(r.PostFormValue("salle"), 10, 64)
	q.Jour, _ = strconv.Atoi(r.PostFormValue("jour"))
	q.Duree, _ = strconv.Atoi(r.PostFormValue("duree"))
	p, err := q.parse(site)
	n := 0
	if err == nil {
		_, n, err = s.DB.AddPlage(r.Context(), acteurOf(r), p, meta(r, "agenda"))
	}
	if st, ok := formErrorStatus(err); ok {
		return s.showAgendaSite(w, r, st, err, "", q)
	} else if err != nil {
		return err
	}
	return s.agendaRedirect(w, r, site, fmt.Sprintf("Plage enregistrée : %d créneaux créés.", n))
}

func (s *Server) agendaAbsenceForm(w http.ResponseWriter, r *http.Request) error {
	site := r.PathValue("site")
	var err error
	du, e1 := medconseil.ParseDate(r.PostFormValue("absence_du"))
	au, e2 := medconseil.ParseDate(r.PostFormValue("absence_au"))
	n := 0
	switch {
	case e1 != nil:
		err = medconseil.FieldErrorf("absence_du", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
	case e2 != nil:
		err = medconseil.FieldErrorf("absence_au", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
	default:
		n, err = s.DB.AddAbsence(r.Context(), acteurOf(r), site, r.PostFormValue("absence_praticien"), du, au, r.PostFormValue("absence_motif"), meta(r, "agenda"))
	}
	if st, ok := formErrorStatus(err); ok {
		return s.showAgendaSite(w, r, st, err, "", plageRequest{Duree: 30, Debut: "09:00", Fin: "12:00", Jour: 1})
	} else if err != nil {
		return err
	}
	return s.agendaRedirect(w, r, site, fmt.Sprintf("Absence enregistrée : %d créneaux libres retirés.", n))
}

type convocationData struct {
	D            *medconseil.Dossier
	Creneaux     []medconseil.Creneau
	Convocations []medconseil.Convocation
	Pending      *medconseil.Convocation
	Message      string
	Medical      bool
	Conclure     bool
	Transports   []string
	Creneau      string
	HorsDep      string
}

func (s *Server) convocationPage(w http.ResponseWriter, r *http.Request) error {
	return s.showConvocation(w, r, http.StatusOK, nil, r.URL.Query().Get("message"))
}

func (s *Server) showConvocation(w http.ResponseWriter, r *http.Request, status int, formErr error, msg string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	d, err := s.DB.Dossier(r.Context(), a, id, meta(r, "convocation"))
	if err != nil {
		return err
	}
	cs, err := s.DB.Convocations(r.Context(), a, id, meta(r, "convocation"))
	if err != nil {
		return err
	}
	x := convocationData{D: d, Convocations: cs, Message: msg, Medical: d.Permis.Note, Conclure: d.Permis.Note && d.Visible.Has(medconseil.Clinique) && canConclude(a), Transports: medconseil.Transports,
		Creneau: r.PostFormValue("creneau"), HorsDep: r.PostFormValue("hors_departement")}
	for i := range cs {
		s.decorate(&cs[i])
		if cs[i].Statut == medconseil.ConvPrevue || cs[i].Statut == medconseil.ConvPresente {
			x.Pending = &cs[i]
		}
	}
	slots, err := s.DB.ProposeCreneaux(r.Context(), a, id, s.geo(r.Context()), 10, meta(r, "convocation"))
	if err == nil {
		x.Creneaux = slots
	} else if e := (*medconseil.Error)(nil); !errors.As(err, &e) || e.Code != medconseil.EFORBIDDEN {
		return err
	}
	v := view{Title: fmt.Sprintf("Convocation — dossier n° %d", id), Data: x}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
	}
	return s.render(w, r, status, "convocation", v)
}

// canConclude: the roles that sign an avis conclude an examination.
func canConclude(a *medconseil.Acteur) bool {
	return a.Has(medconseil.RolePraticienConseil) || a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional)
}

func (s *Server) convRedirect(w http.ResponseWriter, r *http.Request, dossier int64, msg string) error {
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d/convocation?message=%s", dossier, url.QueryEscape(msg)), http.StatusSeeOther)
	return nil
}

func (s *Server) convoquerForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cr, _ := strconv.ParseInt(r.PostFormValue("creneau"), 10, 64)
	c, err := s.DB.Convoquer(r.Context(), acteurOf(r), id, sqldb.ConvocationInput{CreneauID: cr, HorsDepartement: r.PostFormValue("hors_departement")}, meta(r, "convocation"))
	if st, ok := formErrorStatus(err); ok {
		return s.showConvocation(w, r, st, err, "")
	} else if err != nil {
		return err
	}
	return s.convRedirect(w, r, id, fmt.Sprintf("Convocation n° %d enregistrée pour le %s, %s.", c.ID, frenchDay(c.Creneau.Debut)+" à "+c.Creneau.Debut[11:], c.Creneau.SiteNom))
}

// convDossier finds the dossier of a convocation for the redirect, through the store.
func (s *Server) convDossier(r *http.Request, c *medconseil.Convocation) int64 {
	if c != nil {
		return c.DossierID
	}
	d, _ := strconv.ParseInt(r.PostFormValue("dossier"), 10, 64)
	return d
}

func (s *Server) convFormError(w http.ResponseWriter, r *http.Request, err error) error {
	st, ok := formErrorStatus(err)
	d := s.convDossier(r, nil)
	if !ok || d == 0 {
		return err
	}
	r.SetPathValue("id", strconv.FormatInt(d, 10))
	return s.showConvocation(w, r, st, err, "")
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	cr, _ := strconv.ParseInt(r.PostFormValue("creneau"), 10, 64)
	c, err := s.DB.Reporter(r.Context(), acteurOf(r), id, cr, r.PostFormValue("motif"), r.PostFormValue("hors_departement"), meta(r, "convocation"))
	if err != nil {
		return s.convFormError(w, r, err)
	}
	return s.convRedirect(w, r, c.DossierID, fmt.Sprintf("Convocation reportée au %s à %s (n° %d).", frenchDay(c.Creneau.Debut), c.Creneau.Debut[11:], c.ID))
}

func (s *Server) presenceForm(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	p := sqldb.Presence{}
	switch r.PostFormValue("presence") {
	case "present":
		p.Present = true
	case "refus":
		p.Present, p.Refus = true, true
	case "absent":
	default:
		return s.convFormError(w, r, medconseil.FieldErrorf("presence", "choisir : présent, absent ou refus de l'examen"))
	}
	p.MotifValable = r.PostFormValue("motif_valable") == "1"
	p.Geo = s.geo(r.Context())
	c, err := s.DB.RecordPresence(r.Context(), acteurOf(r), id, p, meta(r, "convocation"))
	if err != nil {
		return s.convFormError(w, r, err)
	}
	return s.convRedirect(w, r, c.DossierID, c.Statut.Label()+". "+c.Suite)
}

func (s *Server) examenForm(w http.ResponseWriter, r *http.Request) error {
	id, err := convID(r)
	if err != nil {
		return err
	}
	e := medconseil.Examen{IdentiteVerifiee: r.PostFormValue("identite_verifiee") == "1", Transport: r.PostFormValue("transport"),
		Interrogatoire: r.PostFormValue("interrogatoire"), Clinique: r.PostFormValue("examen_clinique"), Conclusions: r.PostFormValue("conclusions")}
	if err := s.DB.SaveExamen(r.Context(), acteurOf(r), id, e, meta(r, "instruction")); err != nil {
		return s.convFormError(w, r, err)
	}
	return s.convRedirect(w, r, s.convDossier(r, nil), "Examen enregistré.")
}
