package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
)

// The working day (issue 10, part 1): the worklist with its search, sorts,
// filters, counts and assignment; "dossier suivant" after an avis; the avis
// corrected by a new version; the draft avis kept across sessions.

func (s *Server) worklistRoutes() {
	m := s.mux
	m.Handle("POST /dossiers/{id}/attribution", s.page(s.assignForm))
	m.Handle("GET /dossiers/{id}/suivant", s.page(s.nextDossier))
	m.Handle("GET /dossiers/{id}/avis", s.page(s.avisGet))
	m.Handle("POST /dossiers/{id}/brouillon", s.page(s.draftForm))
	m.Handle("POST /dossiers/{id}/avis/rectification", s.page(s.correctForm))
	m.Handle("GET /api/v1/dossiers/compteurs", s.api(s.apiCounts))
	m.Handle("POST /api/v1/dossiers/{id}/avis/rectification", s.api(s.apiCorrect))
	m.Handle("POST /api/v1/dossiers/{id}/attribution", s.api(s.apiAssign))
}

// worklistData feeds the worklist page.
type worklistData struct {
	Title     string
	Query     sqldb.WorklistQuery
	Rows      []sqldb.WorklistRow
	Total     int
	TotalPlus bool // more than Total - 1
	Prev      string
	Next      string
	CSV       string
	Cols      []sortCol
	Counts    *sqldb.WorklistCounts
	Types     []medconseil.TypeDossier
	Medical   bool // the reader works dossiers (assignment filters)
	Bad       bool // a filter value is wrong: nothing is listed
}

// sortCol is a sortable column header: its link sorts by it (reversing when it is
// the current sort) and aria-sort says the current order.
type sortCol struct {
	Label, Href, Sort string
}

func (s *Server) worklist(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	q, qerr := worklistQuery(r)
	d := worklistData{Title: worklistTitle(a), Query: q, Types: worklistTypes, Medical: a.Has(medconseil.RolePraticienConseil) || a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional) || a.Has(medconseil.RoleInfirmier) || a.Has(medconseil.RoleAgentAdministratif)}
	v := view{Title: d.Title}
	status := http.StatusOK
	var rows []sqldb.WorklistRow
	var total int
	if qerr == nil {
		q.Meta = meta(r, "consultation")
		var err error
		if rows, total, err = s.DB.Worklist(r.Context(), a, q); err != nil {
			if len(medconseil.FieldErrors(err)) == 0 {
				return err
			}
			qerr = err // a filter only the base can judge (a département no échelon covers)
		}
	}
	if qerr != nil {
		// A bad filter lists nothing: the page says what is wrong and where.
		d.Bad, status = true, http.StatusUnprocessableEntity
		v.Fields = fieldMap(qerr)
		msgs := medconseil.FieldErrors(qerr)
		parts := make([]string, 0, len(msgs))
		for _, e := range msgs {
			parts = append(parts, fieldLabelOf(e.Field)+" : "+e.Message)
		}
		v.Error = &medconseil.Error{Code: medconseil.EINVALID, Message: "Filtre invalide, aucun dossier n'est affiché — " + strings.Join(parts, " ; ")}
	} else {
		var err error
		d.Rows, d.Total, d.TotalPlus = rows, total, total >= sqldb.WorklistCountCap
		if d.TotalPlus {
			d.Total = sqldb.WorklistCountCap - 1
		}
		per := q.ParPage
		if per <= 0 {
			per = 25
		}
		page := max(q.Page, 1)
		link := func(p int) string {
			v := r.URL.Query()
			v.Set("page", strconv.Itoa(p))
			return "/dossiers?" + v.Encode()
		}
		if page > 1 {
			d.Prev = link(page - 1)
		}
		if page*per < total {
			d.Next = link(page + 1)
		}
		if d.Counts, err = s.DB.Counts(r.Context(), a); err != nil {
			return err
		}
	}
	d.CSV = "/dossiers.csv?" + r.URL.RawQuery
	cur := q.Tri
	if cur == "" {
		cur = "echeance"
	}
	for _, t := range sqldb.WorklistTris {
		c := sortCol{Label: t.Libelle}
		next := t.Cle
		switch cur {
		case t.Cle:
			c.Sort, next = "ascending", "-"+t.Cle
		case "-" + t.Cle:
			c.Sort = "descending"
		}
		v := r.URL.Query()
		v.Set("tri", next)
		v.Del("page")
		c.Href = "/dossiers?" + v.Encode()
		d.Cols = append(d.Cols, c)
	}
	v.Data = d
	return s.render(w, r, status, "dossiers", v)
}

// worklistTypes are the types the filter offers: those that can be filed. The
// examen bucco-dentaire has its rule set and lifecycle but no intake yet, so no
// dossier of that type exists to look for.
var worklistTypes = []medconseil.TypeDossier{medconseil.TypeArretTravail, medconseil.TypeATMP, medconseil.TypeALD, medconseil.TypeTransport,
	medconseil.TypeLPP, medconseil.TypeKine, medconseil.TypeInvalidite, medconseil.TypeOrdonnance}

// fieldLabelOf names a worklist filter in an error message.
func fieldLabelOf(f string) string {
	switch f {
	case "q":
		return "Recherche"
	case "etat":
		return "État"
	case "type":
		return "Type"
	case "departement":
		return "Département"
	case "tri":
		return "Tri"
	case "attribution":
		return "Attribution"
	case "urgence":
		return "Échéance"
	case "nir":
		return "NIR"
	case "page", "par_page":
		return "Page"
	case "ouverts":
		return "En attente d'avis"
	}
	return f
}

func (s *Server) apiCounts(w http.ResponseWriter, r *http.Request) error {
	c, err := s.DB.Counts(r.Context(), acteurOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// assignForm assigns the dossier (attribue_a: a login, "moi", or "" to take it off
// anyone) and comes back to the dossier.
func (s *Server) assignForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	login := strings.TrimSpace(r.PostFormValue("attribue_a"))
	if login == "moi" {
		login = a.Login
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := s.DB.Assign(r.Context(), a, id, version, login, meta(r, "instruction")); err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=attribution", id), http.StatusSeeOther)
	return nil
}

func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		AttribueA string `json:"attribue_a"`
		Version   int    `json:"version"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Version <= 0 {
		return medconseil.FieldErrorf("version", "version manquante : indiquer la version du dossier ouverte")
	}
	v, err := s.DB.Assign(r.Context(), acteurOf(r), id, q.Version, q.AttribueA, meta(r, "instruction"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": v, "attribue_a": q.AttribueA})
	return nil
}

// nextDossier opens the next dossier of the reader's worklist after id (its own
// first, then the unassigned ones, by nearest deadline), or comes back to the
// worklist when there is none.
func (s *Server) nextDossier(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	next, err := s.DB.NextDossier(r.Context(), acteurOf(r), id)
	if err != nil {
		return err
	}
	if next == 0 {
		http.Redirect(w, r, "/dossiers?ouverts=1&ok=fin", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d", next), http.StatusSeeOther)
	return nil
}

// avisGet answers a GET on the avis form's address — a login after a session
// expired while an avis was typed comes back here — with the dossier, where the
// draft kept on the server is restored.
func (s *Server) avisGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d#avis", id), http.StatusSeeOther)
	return nil
}

// workData is what the dossier page shows of the working day.
type workData struct {
	Suivant     bool        // an avis was just given: offer the next dossier
	CanAssign   bool        // the reader may assign the dossier to a praticien
	CanTake     bool        // the reader, a praticien, may take it for himself
	Praticiens  [][2]string // assignees offered (login, name)
	History     []sqldb.AvisVersion
	CanCorrect  bool // an avis is in force and the reader may give one
	Correction  avisRequest
	MotifCorr   string
	Draft       *sqldb.AvisDraft
	DraftStatus string
	CanFile     bool // the reader may file an arrêt (the prolongation link): never the caisse
}

// fillWork completes the dossier page: assignment, the avis history, the
// correction form, the draft restored, the "dossier suivant" link.
func (s *Server) fillWork(r *http.Request, d *medconseil.Dossier, data *dossierData) error {
	a := acteurOf(r)
	ctx := r.Context()
	w := &data.Work
	w.CanFile = authz.CanSubmitAny(a)
	w.Suivant = r.URL.Query().Get("ok") == "avis" || r.URL.Query().Get("ok") == "rectification"
	if r.URL.Query().Get("ok") == "attribution" {
		data.Message = "Attribution enregistrée."
	}
	if r.URL.Query().Get("ok") == "rectification" {
		data.Message = "Avis rectifié ; l'avis précédent est gardé dans l'historique."
	}
	if r.URL.Query().Get("ok") == "brouillon" {
		data.Message = "Brouillon enregistré."
	}
	if d.Etat.Open() && d.Visible.Has(medconseil.Administratif) {
		w.CanAssign = s.DB.Policy.Can(a, authz.ActionAssign, authz.Scope{Type: d.Type, Departement: d.Departement, Prescripteur: d.Prescripteur})
		w.CanTake = d.Permis.Avis && d.AttribueA != a.Login
		if w.CanAssign {
			p, err := s.DB.Praticiens(ctx, d.Departement)
			if err != nil {
				return err
			}
			w.Praticiens = p
		}
	}
	if d.Avis != nil {
		h, err := s.DB.AvisHistory(ctx, a, d.ID, meta(r, "consultation"))
		if err != nil {
			return err
		}
		w.History = h
		w.CanCorrect = s.DB.Policy.Can(a, authz.ActionAvis, authz.Scope{Type: d.Type, Departement: d.Departement, Prescripteur: d.Prescripteur})
		if w.Correction.Version == 0 {
			w.Correction.Version = d.Version
		}
	}
	if d.Permis.Avis && data.Avis.Sens == "" && data.Avis.Motif == "" && data.Avis.EffetAu == "" {
		dr, err := s.DB.Draft(ctx, a, d.ID, meta(r, "avis"))
		if err != nil {
			return err
		}
		if dr != nil {
			w.Draft = dr
			data.Avis.Sens, data.Avis.EffetAu, data.Avis.Motif = dr.Sens, dr.EffetAu, dr.Motif
			w.DraftStatus = "Brouillon du " + dr.Le.In(paris).Format("02/01/2006 à 15:04") + " restauré : vérifiez-le avant d'enregistrer l'avis."
		}
	}
	return nil
}

// draftForm keeps the avis being typed on the server (the button "Enregistrer le
// brouillon", and the page's script every few seconds: it then asks for 204).
func (s *Server) draftForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d := sqldb.AvisDraft{Sens: r.PostFormValue("sens"), EffetAu: r.PostFormValue("effet_au"), Motif: r.PostFormValue("motif")}
	if err := s.DB.SaveDraft(r.Context(), acteurOf(r), id, d, meta(r, "avis")); err != nil {
		return err
	}
	if r.Header.Get("X-Brouillon") == "auto" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=brouillon#avis", id), http.StatusSeeOther)
	return nil
}

func (s *Server) correctForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := avisRequest{Sens: r.PostFormValue("sens"), EffetAu: r.PostFormValue("effet_au"), Motif: r.PostFormValue("motif")}
	q.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	motif := r.PostFormValue("motif_correction")
	v, err := q.parse()
	if err == nil {
		_, err = s.DB.CorrectAvis(r.Context(), acteurOf(r), id, q.Version, v, motif, meta(r, "avis"))
	}
	if err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{Work: workData{Correction: q, MotifCorr: motif}}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=rectification", id), http.StatusSeeOther)
	return nil
}

func (s *Server) apiCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		avisRequest
		MotifCorrection string `json:"motif_correction"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	v, err := q.avisRequest.parse()
	if err != nil {
		return err
	}
	version, err := s.DB.CorrectAvis(r.Context(), acteurOf(r), id, q.Version, v, q.MotifCorrection, meta(r, "avis"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": version})
	return nil
}
