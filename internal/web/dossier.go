package web

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
)

func (s *Server) dossierRoutes() {
	m := s.mux
	m.Handle("GET /dossiers", s.page(s.worklist))
	m.Handle("GET /dossiers.csv", s.page(s.exportCSV))
	m.Handle("GET /dossiers/{id}", s.page(s.dossierPage))
	m.Handle("POST /dossiers/{id}/avis", s.page(s.avisForm))
	m.Handle("POST /dossiers/{id}/notes", s.page(s.noteForm))
	m.Handle("GET /arrets/nouveau", s.page(s.arretForm))
	m.Handle("POST /arrets/nouveau", s.page(s.arretSubmit))

	m.Handle("POST /api/v1/arrets", s.api(s.apiCreateArret))
	m.Handle("GET /api/v1/dossiers", s.api(s.apiWorklist))
	m.Handle("GET /api/v1/dossiers/{id}", s.api(s.apiDossier))
	m.Handle("POST /api/v1/dossiers/{id}/avis", s.api(s.apiAvis))
	m.Handle("POST /api/v1/dossiers/{id}/notes", s.api(s.apiNote))

	s.addNav("/dossiers", "Dossiers", s.DB.Policy.CanList)
	s.addNav("/arrets/nouveau", "Nouvel arrêt", authz.CanSubmitAny)
}

// arretRequest is the body of POST /api/v1/arrets and the fields of the intake form.
type arretRequest struct {
	NIR              string `json:"nir"`
	Residence        string `json:"residence"`
	Nom              string `json:"nom"`
	Prenom           string `json:"prenom"`
	Naissance        string `json:"naissance"`
	Prescripteur     string `json:"prescripteur"`
	Nature           string `json:"nature"`
	InitialID        *int64 `json:"initial_id"`
	Debut            string `json:"debut"`
	Fin              string `json:"fin"`
	CIM10            string `json:"cim10"`
	Libelle          string `json:"libelle"`
	Motif            string `json:"motif"`
	Teleconsultation bool   `json:"teleconsultation"`
	// Faits is read by POST /api/v1/dossiers only (facts for the ij rule set).
	Faits json.RawMessage `json:"faits,omitempty"`
}

// parse turns the request into the store's input, collecting every field error.
func (q arretRequest) parse(today medconseil.Date) (sqldb.ArretInput, error) {
	var in sqldb.ArretInput
	var errs []error
	field := func(name string, err error) {
		var e *medconseil.Error
		if errors.As(err, &e) {
			c := *e
			c.Field = name
			errs = append(errs, &c)
		} else if err != nil {
			errs = append(errs, medconseil.FieldErrorf(name, "%v", err))
		}
	}
	var err error
	in.Assure.NIR, err = medconseil.ParseNIR(q.NIR)
	field("nir", err)
	in.Assure.Residence = strings.ToUpper(strings.TrimSpace(q.Residence))
	if err := medconseil.ValidCommuneShape(in.Assure.Residence); err != nil {
		field("residence", err)
	}
	in.Assure.Nom, in.Assure.Prenom = strings.TrimSpace(q.Nom), strings.TrimSpace(q.Prenom)
	errs = append(errs, checkIdentity(in.Assure.Nom, in.Assure.Prenom)...)
	if q.Naissance != "" {
		in.Assure.Naissance, err = medconseil.ParseDate(q.Naissance)
		field("naissance", err)
		if err == nil {
			field("naissance", checkBirth(in.Assure.Naissance, today))
		}
	}
	in.Prescripteur, err = medconseil.ParseRPPS(q.Prescripteur)
	field("prescripteur", err)
	in.Arret.Nature = medconseil.Nature(strings.TrimSpace(q.Nature))
	if q.InitialID != nil {
		in.Arret.InitialID = *q.InitialID
	}
	if q.Debut != "" {
		in.Arret.Debut, err = medconseil.ParseDate(q.Debut)
		field("debut", err)
	}
	if q.Fin != "" {
		in.Arret.Fin, err = medconseil.ParseDate(q.Fin)
		field("fin", err)
	}
	if q.CIM10 != "" {
		in.Arret.CIM10, err = medconseil.ParseCIM10(q.CIM10)
		field("cim10", err)
	}
	in.Arret.Libelle, in.Arret.Motif, in.Arret.Teleconsultation = strings.TrimSpace(q.Libelle), strings.TrimSpace(q.Motif), q.Teleconsultation
	// Validate reports what is missing or inconsistent; skip fields already in error.
	bad := map[string]bool{}
	for _, e := range errs {
		bad[e.(*medconseil.Error).Field] = true
	}
	for _, e := range medconseil.FieldErrors(in.Arret.Validate()) {
		if !bad[e.Field] {
			errs = append(errs, e)
		}
	}
	return in, errors.Join(errs...)
}

func bodyHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (s *Server) apiCreateArret(w http.ResponseWriter, r *http.Request) error {
	var q arretRequest
	raw, err := s.decodeJSON(w, r, &q)
	if err != nil {
		return err
	}
	if len(q.Faits) > 0 {
		return medconseil.FieldErrorf("faits", "champ « faits » inconnu ici : déposer par POST /api/v1/dossiers pour joindre des faits")
	}
	in, err := q.parse(medconseil.DateOf(s.DB.Now()))
	if err != nil {
		return err
	}
	m := meta(r, "depot")
	m.IdemKey, m.BodyHash = idempotencyKey(r), bodyHash(raw)
	id, replay, err := s.Intake.FileArret(r.Context(), acteurOf(r), in, m)
	if err != nil {
		return err
	}
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/dossiers/%d", id))
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
	return nil
}

// idempotencyKey returns the SHA-256 of the whole Idempotency-Key header (two keys
// differing after any length are two keys; the stored form is short, fixed-width
// ASCII whatever the client sent), or "" without one.
func idempotencyKey(r *http.Request) string {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if k == "" {
		return ""
	}
	return bodyHash([]byte(k))
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, medconseil.NotFound("Dossier")
	}
	return id, nil
}

func (s *Server) apiDossier(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.DB.Dossier(r.Context(), acteurOf(r), id, meta(r, finalite(r, "consultation")))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, d.Version))
	writeJSON(w, http.StatusOK, d)
	return nil
}

// finalite returns the purpose the caller declared (?finalite=), or def.
func finalite(r *http.Request, def string) string {
	if f := strings.TrimSpace(r.URL.Query().Get("finalite")); f != "" && len(f) <= 100 {
		return f
	}
	return def
}

// worklistQuery reads the filters of a worklist from the query string; every bad
// value is an error on its field (sqldb.WorklistQuery.Check), never ignored.
func worklistQuery(r *http.Request) (sqldb.WorklistQuery, error) {
	v := r.URL.Query()
	q := sqldb.WorklistQuery{
		Etat:        medconseil.Etat(strings.TrimSpace(v.Get("etat"))),
		Type:        medconseil.TypeDossier(strings.TrimSpace(v.Get("type"))),
		Departement: strings.TrimSpace(v.Get("departement")),
		Tri:         strings.TrimSpace(v.Get("tri")),
		Recherche:   strings.TrimSpace(v.Get("q")),
		Attribution: strings.TrimSpace(v.Get("attribution")),
		Urgence:     strings.TrimSpace(v.Get("urgence")),
	}
	var errs []error
	switch o := v.Get("ouverts"); o {
	case "", "0", "false":
	case "1", "true":
		q.Ouverts = true
	default:
		errs = append(errs, medconseil.FieldErrorf("ouverts", "« %s » : 1 pour les seuls dossiers en attente d'avis", truncateRunes(o, 20)))
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &q.Page}, {"par_page", &q.ParPage}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				errs = append(errs, medconseil.FieldErrorf(p.name, "%q n'est pas un nombre entier positif", s))
			} else if n > maxPage {
				errs = append(errs, medconseil.FieldErrorf(p.name, "%d hors limites (%d au plus)", n, maxPage))
				n = 1
			}
			*p.dst = n
		}
	}
	if s := v.Get("nir"); s != "" {
		n, err := medconseil.ParseNIR(s)
		if err != nil {
			errs = append(errs, medconseil.Prefix("nir", err))
		}
		q.NIR = n
	}
	errs = append(errs, q.Check())
	return q, errors.Join(errs...)
}

func (s *Server) apiWorklist(w http.ResponseWriter, r *http.Request) error {
	q, err := worklistQuery(r)
	if err != nil {
		return err
	}
	q.Meta = meta(r, "consultation")
	rows, total, err := s.DB.Worklist(r.Context(), acteurOf(r), q)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []sqldb.WorklistRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "dossiers": rows})
	return nil
}

// avisRequest is the body of POST /api/v1/dossiers/{id}/avis and the avis form.
type avisRequest struct {
	Sens    string `json:"sens"`
	EffetAu string `json:"effet_au"`
	Motif   string `json:"motif"`
	Version int    `json:"version"`
}

func (q avisRequest) parse() (medconseil.Avis, error) {
	v := medconseil.Avis{Sens: medconseil.Sens(q.Sens), Motif: strings.TrimSpace(q.Motif)}
	var errs []error
	if q.EffetAu != "" {
		d, err := medconseil.ParseDate(q.EffetAu)
		if err != nil {
			errs = append(errs, medconseil.Prefix("effet_au", err))
		}
		v.EffetAu = d
	}
	if q.Version <= 0 {
		errs = append(errs, medconseil.FieldErrorf("version", "version manquante : indiquer la version du dossier sur laquelle porte l'avis"))
	}
	return v, errors.Join(errs...)
}

func (s *Server) apiAvis(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q avisRequest
	raw, err := s.decodeJSON(w, r, &q)
	if err != nil {
		return err
	}
	if q.Version == 0 {
		if v, err := strconv.Atoi(strings.Trim(r.Header.Get("If-Match"), `"`)); err == nil {
			q.Version = v
		}
	}
	v, err := q.parse()
	if err != nil {
		return err
	}
	m := meta(r, "avis")
	m.IdemKey, m.BodyHash = idempotencyKey(r), bodyHash(raw)
	version, err := s.DB.GiveAvis(r.Context(), acteurOf(r), id, q.Version, v, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": version})
	return nil
}

func (s *Server) apiNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Texte        string `json:"texte"`
		Destinataire string `json:"destinataire"` // interne (default) or prescripteur
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Destinataire == "" {
		q.Destinataire = medconseil.NoteInterne
	}
	if err := s.DB.AddNoteTo(r.Context(), acteurOf(r), id, q.Texte, q.Destinataire, meta(r, "instruction")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// worklistTitle names the list after what the acteur does with it.
func worklistTitle(a *medconseil.Acteur) string {
	switch {
	case a.Has(medconseil.RolePraticienConseil) || a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional) || a.Has(medconseil.RoleInfirmier) || a.Has(medconseil.RoleAgentAdministratif):
		return "Corbeille du service médical"
	case a.Has(medconseil.RoleAgentCPAM):
		return "Avis transmis à la caisse"
	case a.Has(medconseil.RoleCellulePDP):
		return "Dossiers de la cellule PDP (arrêts, AT/MP, invalidité)"
	case a.Has(medconseil.RoleProfessionnel):
		return "Mes demandes au service médical"
	case a.Has(medconseil.RoleAssure):
		return "Mes demandes"
	}
	return "Dossiers"
}

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) error {
	q, err := worklistQuery(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.Export(r.Context(), acteurOf(r), q, meta(r, "export"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dossiers.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"id", "type", "etat", "departement", "nir", "nom", "prenom", "nature", "debut", "fin", "prescripteur", "echeance", "avis", "cim10", "libelle"})
	for _, x := range rows {
		_ = cw.Write(csvSafe([]string{strconv.FormatInt(x.ID, 10), string(x.Type), string(x.Etat), x.Departement, string(x.NIR), x.Nom, x.Prenom,
			string(x.Nature), x.Debut.String(), x.Fin.String(), string(x.Prescripteur), x.Echeance.String(), string(x.Sens), string(x.CIM10), x.Libelle}))
	}
	cw.Flush()
	return cw.Error()
}

// dossierData feeds the dossier page.
type dossierData struct {
	D       *medconseil.Dossier
	Demande []demandeLine
	Faits   []faitLine
	CanAvis bool
	CanNote bool
	Avis    avisRequest
	Note    string
	Message string
	// Courriers: the dossier's letters the reader may read (courrier.go).
	Courriers []sqldb.Courrier
	Cycle     *sqldb.CycleVue // the lifecycle section (cycle.go, templates/_cycle.html)
	Work      workData        // worklist.go: assignment, next dossier, avis history and draft
	Suivi     *suiviData      // echange.go: échanges with the médecin traitant, contre-visites (templates/_echanges.html)
	PDP       *sqldb.PDPVue   // pdp.go, templates/_pdp.html: nil without PDP access
	PDPForm   pdpForm         // the PDP forms after a refusal
}

func (s *Server) dossierPage(w http.ResponseWriter, r *http.Request) error {
	return s.showDossier(w, r, http.StatusOK, dossierData{}, nil)
}

func (s *Server) showDossier(w http.ResponseWriter, r *http.Request, status int, data dossierData, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	d, err := s.DB.Dossier(r.Context(), a, id, meta(r, "instruction"))
	if err != nil {
		return err
	}
	data.D = d
	data.CanAvis, data.CanNote = d.Permis.Avis, d.Permis.Note
	data.Demande, data.Faits = demandeLines(d.Demande), faitLines(d)
	if data.Courriers, err = s.dossierCourriers(r, id); err != nil {
		return err
	}
	if data.Avis.Version == 0 {
		data.Avis.Version = d.Version
	}
	if r.URL.Query().Get("ok") == "avis" {
		data.Message = "Avis enregistré."
	} else if r.URL.Query().Get("ok") == "note" {
		data.Message = "Note enregistrée."
	} else if r.URL.Query().Get("ok") == "depot" {
		data.Message = "Dossier enregistré."
		if d.Type == medconseil.TypeArretTravail {
			data.Message = "Avis d'arrêt de travail enregistré."
		}
	} else if r.URL.Query().Get("ok") == "suite" {
		data.Message = "Suite donnée à la pré-analyse enregistrée."
	} else if r.URL.Query().Get("ok") == "faits" {
		data.Message = "Faits enregistrés ; la pré-analyse a été refaite."
	}
	if r.URL.Query().Get("ok") == "evenement" {
		data.Message = "Événement enregistré."
	}
	if r.URL.Query().Get("ok") == "acces" {
		data.Message = "Demande d'accès enregistrée ; ses délais (48 h de réflexion, puis 8 jours ou 2 mois) sont ci-dessous."
	}
	if data.Cycle, err = s.dossierCycle(r, d); err != nil {
		return err
	}
	if err := s.fillWork(r, d, &data); err != nil {
		return err
	}
	if err := s.fillSuivi(r, d, &data); err != nil {
		return err
	}
	if err := s.dossierPDP(r, d, &data); err != nil {
		return err
	}
	v := view{Title: fmt.Sprintf("Dossier n° %d", d.ID), Data: data}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
		if e := medconseil.FieldErrors(formErr); len(e) > 0 && e[0].Code != medconseil.EINVALID {
			v.Error = s.domainError(r, formErr)
		}
	}
	return s.render(w, r, status, "dossier", v)
}

func (s *Server) avisForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := avisRequest{Sens: r.PostFormValue("sens"), EffetAu: r.PostFormValue("effet_au"), Motif: r.PostFormValue("motif")}
	q.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	v, err := q.parse()
	if err == nil {
		_, err = s.DB.GiveAvis(r.Context(), acteurOf(r), id, q.Version, v, meta(r, "avis"))
	}
	if err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{Avis: q}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=avis", id), http.StatusSeeOther)
	return nil
}

func (s *Server) noteForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	texte := r.PostFormValue("texte")
	dest := r.PostFormValue("destinataire")
	if dest == "" {
		dest = medconseil.NoteInterne
	}
	if err := s.DB.AddNoteTo(r.Context(), acteurOf(r), id, texte, dest, meta(r, "instruction")); err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{Note: texte}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=note", id), http.StatusSeeOther)
	return nil
}

// arretFormData feeds the intake form.
type arretFormData struct {
	Q         arretRequest
	InitialID string
	FixedRPPS string // a prescriber files for its own RPPS only
}

func ownRPPS(a *medconseil.Acteur) string {
	for _, h := range a.Habilitations {
		if h.Role == medconseil.RoleProfessionnel && h.Territoire.Niveau == medconseil.NiveauRPPS {
			return h.Territoire.Code
		}
	}
	return ""
}

func (s *Server) arretForm(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !authz.CanSubmitAny(a) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "votre rôle ne permet pas de déposer un avis d'arrêt de travail"}
	}
	d := arretFormData{FixedRPPS: ownRPPS(a)}
	d.Q.Nature = "initial"
	d.Q.Prescripteur = d.FixedRPPS
	if v := r.URL.Query().Get("initial"); v != "" {
		d.Q.Nature, d.InitialID = "prolongation", v
	}
	return s.render(w, r, http.StatusOK, "arret", view{Title: "Nouvel avis d'arrêt de travail", Data: d})
}

func (s *Server) arretSubmit(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	f := r.PostForm
	q := arretRequest{NIR: f.Get("nir"), Residence: f.Get("residence"), Nom: f.Get("nom"), Prenom: f.Get("prenom"), Naissance: f.Get("naissance"),
		Prescripteur: f.Get("prescripteur"), Nature: f.Get("nature"), Debut: f.Get("debut"), Fin: f.Get("fin"), CIM10: f.Get("cim10"),
		Libelle: f.Get("libelle"), Motif: f.Get("motif"), Teleconsultation: f.Get("teleconsultation") == "1"}
	d := arretFormData{Q: q, InitialID: strings.TrimSpace(f.Get("initial_id")), FixedRPPS: ownRPPS(a)}
	if d.FixedRPPS != "" {
		q.Prescripteur = d.FixedRPPS
	}
	var errs []error
	if d.InitialID != "" {
		n, err := strconv.ParseInt(d.InitialID, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, medconseil.FieldErrorf("initial_id", "numéro d'arrêt initial %q invalide", d.InitialID))
		} else {
			q.InitialID = &n
		}
	}
	in, err := q.parse(medconseil.DateOf(s.DB.Now()))
	if err = errors.Join(append(errs, err)...); err == nil {
		var id int64
		id, _, err = s.Intake.FileArret(r.Context(), a, in, meta(r, "depot"))
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=depot", id), http.StatusSeeOther)
			return nil
		}
	}
	switch medconseil.ErrorCode(err) {
	case medconseil.EINVALID, medconseil.EFORBIDDEN, medconseil.ECONFLICT:
		v := view{Title: "Nouvel avis d'arrêt de travail", Data: d, Fields: fieldMap(err)}
		return s.render(w, r, statusOf(medconseil.ErrorCode(err)), "arret", v)
	}
	return err
}
