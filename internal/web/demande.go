package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/preanalyse"
	"medconseil/internal/reference"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
)

// newIntake builds the intake of every dossier type: the rule sets for the
// pre-analysis and the référentiels in force for the codes.
func newIntake(db *sqldb.DB) (*sqldb.Intake, error) {
	engine, err := rules.NewEmbedded()
	if err != nil {
		return nil, fmt.Errorf("jeux de règles : %w", err)
	}
	c := &nomCache{db: db}
	return &sqldb.Intake{DB: db, Analyst: preanalyse.New(engine), Nomenclatures: c.get}, nil
}

// nomCache keeps the référentiels in force for intake checks, rebuilt when an
// import changes the versions in force (checked at most every nomRecheck).
type nomCache struct {
	db      *sqldb.DB
	mu      sync.Mutex
	stamp   string
	checked time.Time
	nom     *reference.Nomenclatures
}

const nomRecheck = 2 * time.Second

func (c *nomCache) get(ctx context.Context) medconseil.Nomenclatures {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.checked.IsZero() && time.Since(c.checked) < nomRecheck {
		return c.result()
	}
	stamp, err := c.db.ReferentielsStamp(ctx)
	if err != nil {
		return c.result()
	}
	c.checked = time.Now()
	if stamp == c.stamp {
		return c.result()
	}
	set, err := c.db.LoadReferentiels(ctx)
	if err != nil {
		return c.result()
	}
	c.nom, c.stamp = reference.NewNomenclatures(set), stamp
	return c.nom
}

// result avoids returning a typed nil in the interface.
func (c *nomCache) result() medconseil.Nomenclatures {
	if c.nom == nil {
		return nil
	}
	return c.nom
}

func (s *Server) demandeRoutes() {
	m := s.mux
	m.Handle("GET /demandes/nouvelle", s.page(s.nouveauDossier))
	m.Handle("GET /demandes/nouvelle/{type}", s.page(s.demandeForm))
	m.Handle("POST /demandes/nouvelle/{type}", s.page(s.demandeSubmit))
	m.Handle("POST /dossiers/{id}/preanalyse", s.page(s.suiteForm))
	m.Handle("POST /dossiers/{id}/faits", s.page(s.faitsForm))

	m.Handle("POST /api/v1/dossiers", s.api(s.apiCreateDossier))
	m.Handle("POST /api/v1/dossiers/{id}/preanalyse", s.api(s.apiSuite))
	m.Handle("POST /api/v1/dossiers/{id}/faits", s.api(s.apiFaits))
	m.Handle("GET /api/v1/assures/{nir}/identite", s.api(s.apiIdentite))
	m.Handle("POST /api/v1/assures/{nir}/identite", s.api(s.apiChangeIdentite))

	s.addNav("/demandes/nouvelle", "Nouveau dossier", authz.CanSubmitAny)
}

// commonFields are the fields every request carries beside its type's own.
var commonFields = []string{"type", "nir", "residence", "nom", "prenom", "naissance", "prescripteur", "faits"}

// parseAssure reads the assuré and the prescriber of a request.
func parseAssure(raw map[string]json.RawMessage) (medconseil.Assure, medconseil.RPPS, []error) {
	var errs []error
	str := func(k string) string {
		var s string
		if r, ok := raw[k]; ok && string(r) != "null" {
			if err := json.Unmarshal(r, &s); err != nil {
				errs = append(errs, medconseil.FieldErrorf(k, "texte attendu"))
			}
		}
		return strings.TrimSpace(s)
	}
	var as medconseil.Assure
	var err error
	if as.NIR, err = medconseil.ParseNIR(str("nir")); err != nil {
		errs = append(errs, medconseil.Prefix("nir", err))
	}
	as.Residence = strings.ToUpper(str("residence"))
	if err := medconseil.ValidCommuneShape(as.Residence); err != nil {
		errs = append(errs, medconseil.Prefix("residence", err))
	}
	as.Nom, as.Prenom = str("nom"), str("prenom")
	for _, f := range []struct{ k, v string }{{"nom", as.Nom}, {"prenom", as.Prenom}} {
		if len([]rune(f.v)) > 100 {
			errs = append(errs, medconseil.FieldErrorf(f.k, "100 caractères au plus"))
		}
	}
	if n := str("naissance"); n != "" {
		if as.Naissance, err = medconseil.ParseDate(n); err != nil {
			errs = append(errs, medconseil.Prefix("naissance", err))
		} else if as.Naissance.Year() < 1900 || as.Naissance.After(medconseil.DateOf(time.Now())) {
			errs = append(errs, medconseil.FieldErrorf("naissance", "date de naissance %s invraisemblable", as.Naissance.Francais()))
		}
	}
	p, err := medconseil.ParseRPPS(str("prescripteur"))
	if err != nil {
		errs = append(errs, medconseil.Prefix("prescripteur", err))
	}
	return as, p, errs
}

// parseFaits reads the optional "faits" object (text values; numbers accepted).
func parseFaits(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, medconseil.FieldErrorf("faits", "objet attendu : {\"nom du fait\": \"valeur\"}")
	}
	out := map[string]string{}
	for k, v := range m {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = strings.TrimSpace(string(v))
		}
		out[k] = s
	}
	return out, nil
}

// apiCreateDossier files a dossier of any type: POST /api/v1/dossiers with "type".
func (s *Server) apiCreateDossier(w http.ResponseWriter, r *http.Request) error {
	var raw map[string]json.RawMessage
	body, err := s.decodeJSON(w, r, &raw)
	if err != nil {
		return err
	}
	m := meta(r, "depot")
	m.IdemKey, m.BodyHash = idempotencyKey(r), bodyHash(body)
	id, replay, err := s.fileRaw(r, raw, m)
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

// fileRaw parses a request of any type from its JSON fields and files it.
func (s *Server) fileRaw(r *http.Request, raw map[string]json.RawMessage, m sqldb.Meta) (int64, bool, error) {
	var typ string
	if t, ok := raw["type"]; !ok || json.Unmarshal(t, &typ) != nil || typ == "" {
		return 0, false, medconseil.FieldErrorf("type", "type de dossier manquant : %s", strings.Join(typeCodes(), ", "))
	}
	faits, ferr := parseFaits(raw["faits"])
	if medconseil.TypeDossier(typ) == medconseil.TypeArretTravail {
		delete(raw, "type")
		b, _ := json.Marshal(raw)
		var q arretRequest
		if err := strictJSON(b, &q); err != nil {
			return 0, false, err
		}
		in, err := q.parse(medconseil.DateOf(s.DB.Now()))
		if err = errors.Join(err, ferr); err != nil {
			return 0, false, err
		}
		in.Faits = faits
		return s.Intake.FileArret(r.Context(), acteurOf(r), in, m)
	}
	sc, ok := medconseil.SchemaOf(medconseil.TypeDossier(typ))
	if !ok {
		return 0, false, medconseil.FieldErrorf("type", "type de dossier %q inconnu : %s", typ, strings.Join(typeCodes(), ", "))
	}
	as, presc, errs := parseAssure(raw)
	own := map[string]json.RawMessage{}
	for k, v := range raw {
		if !isCommon(k) {
			own[k] = v
		}
	}
	d, err := medconseil.ParseDemande(sc, own)
	if err = errors.Join(append(errs, err, ferr)...); err != nil {
		return 0, false, err
	}
	return s.Intake.FileDemande(r.Context(), acteurOf(r), sqldb.DemandeInput{Assure: as, Prescripteur: presc, Demande: d, Faits: faits}, m)
}

func isCommon(k string) bool {
	for _, c := range commonFields {
		if c == k {
			return true
		}
	}
	return false
}

func typeCodes() []string {
	out := []string{string(medconseil.TypeArretTravail)}
	for _, s := range medconseil.Schemas() {
		out = append(out, string(s.Type))
	}
	return out
}

// strictJSON decodes b into v, refusing unknown fields, with a French message.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

func (s *Server) apiSuite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Sens    string `json:"sens"`
		Motif   string `json:"motif"`
		Version int    `json:"version"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Version <= 0 {
		return medconseil.FieldErrorf("version", "version manquante : indiquer la version du dossier lue")
	}
	v, err := s.DB.AnswerPreAnalyse(r.Context(), acteurOf(r), id, q.Version, q.Sens, q.Motif, meta(r, "instruction"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": v})
	return nil
}

func (s *Server) apiFaits(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var q struct {
		Faits   json.RawMessage `json:"faits"`
		Version int             `json:"version"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	faits, err := parseFaits(q.Faits)
	if err != nil {
		return err
	}
	if q.Version <= 0 {
		return medconseil.FieldErrorf("version", "version manquante : indiquer la version du dossier lue")
	}
	v, err := s.Intake.AddFacts(r.Context(), acteurOf(r), id, q.Version, faits, meta(r, "instruction"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": v})
	return nil
}

func pathNIR(r *http.Request) (medconseil.NIR, error) {
	n, err := medconseil.ParseNIR(r.PathValue("nir"))
	if err != nil {
		return "", medconseil.NotFound("Assuré")
	}
	return n, nil
}

func (s *Server) apiIdentite(w http.ResponseWriter, r *http.Request) error {
	nir, err := pathNIR(r)
	if err != nil {
		return err
	}
	vs, err := s.DB.IdentityVersions(r.Context(), acteurOf(r), nir, meta(r, "consultation"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"nir": nir, "versions": vs})
	return nil
}

func (s *Server) apiChangeIdentite(w http.ResponseWriter, r *http.Request) error {
	nir, err := pathNIR(r)
	if err != nil {
		return err
	}
	var q struct {
		Nom             string `json:"nom"`
		Prenom          string `json:"prenom"`
		Naissance       string `json:"naissance"`
		Residence       string `json:"residence"`
		MedecinTraitant string `json:"medecin_traitant"`
		Motif           string `json:"motif"`
	}
	if _, err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	c := sqldb.IdentiteChange{Nom: q.Nom, Prenom: q.Prenom, Residence: strings.ToUpper(strings.TrimSpace(q.Residence)), Motif: q.Motif}
	var errs []error
	if q.Naissance != "" {
		if c.Naissance, err = medconseil.ParseDate(q.Naissance); err != nil {
			errs = append(errs, medconseil.Prefix("naissance", err))
		}
	}
	if q.MedecinTraitant != "" {
		if c.MedecinTraitant, err = medconseil.ParseRPPS(q.MedecinTraitant); err != nil {
			errs = append(errs, medconseil.Prefix("medecin_traitant", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if n := s.Intake.Nomenclatures; n != nil && c.Residence != "" {
		if err := medconseil.CheckCommune(n(r.Context()), "residence", c.Residence); err != nil {
			return err
		}
	}
	v, err := s.DB.ChangeIdentity(r.Context(), acteurOf(r), nir, c, meta(r, "identite"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"nir": nir, "version": v})
	return nil
}

// formField is one field of a type's intake form.
type formField struct {
	medconseil.Champ
	Value string
	Err   string
}

// demandeFormData feeds the intake form of one type.
type demandeFormData struct {
	Schema    *medconseil.Schema
	Common    map[string]string
	Fields    []formField
	FixedRPPS string
}

// typeLink is an entry of the list of forms.
type typeLink struct {
	Href, Label string
}

// mayFile refuses the intake forms to the roles that file nothing (CPAM agent,
// PDP cell, statisticien…): they are never offered a medical form.
func mayFile(a *medconseil.Acteur) error {
	if !authz.CanSubmitAny(a) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "votre rôle ne permet pas de déposer une demande au service médical"}
	}
	return nil
}

func (s *Server) nouveauDossier(w http.ResponseWriter, r *http.Request) error {
	if err := mayFile(acteurOf(r)); err != nil {
		return err
	}
	links := []typeLink{{"/arrets/nouveau", "Avis d'arrêt de travail"}}
	for _, sc := range medconseil.Schemas() {
		links = append(links, typeLink{"/demandes/nouvelle/" + string(sc.Type), sc.Titre})
	}
	return s.render(w, r, http.StatusOK, "nouveau", view{Title: "Nouveau dossier", Data: links})
}

func schemaOfPath(r *http.Request) (*medconseil.Schema, error) {
	sc, ok := medconseil.SchemaOf(medconseil.TypeDossier(r.PathValue("type")))
	if !ok {
		return nil, medconseil.NotFound("Formulaire")
	}
	return sc, nil
}

func (s *Server) demandeForm(w http.ResponseWriter, r *http.Request) error {
	sc, err := schemaOfPath(r)
	if err != nil {
		return err
	}
	if err := mayFile(acteurOf(r)); err != nil {
		return err
	}
	d := demandeFormData{Schema: sc, Common: map[string]string{}, FixedRPPS: ownRPPS(acteurOf(r))}
	d.Common["prescripteur"] = d.FixedRPPS
	for _, c := range sc.Champs {
		d.Fields = append(d.Fields, formField{Champ: c})
	}
	return s.render(w, r, http.StatusOK, "demande", view{Title: sc.Titre, Data: d})
}

func (s *Server) demandeSubmit(w http.ResponseWriter, r *http.Request) error {
	sc, err := schemaOfPath(r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	if err := mayFile(a); err != nil {
		return err
	}
	f := r.PostForm
	d := demandeFormData{Schema: sc, Common: map[string]string{}, FixedRPPS: ownRPPS(a)}
	raw := map[string]json.RawMessage{"type": mustJSON(string(sc.Type))}
	for _, k := range []string{"nir", "residence", "nom", "prenom", "naissance", "prescripteur"} {
		d.Common[k] = f.Get(k)
		raw[k] = mustJSON(f.Get(k))
	}
	if d.FixedRPPS != "" {
		d.Common["prescripteur"], raw["prescripteur"] = d.FixedRPPS, mustJSON(d.FixedRPPS)
	}
	for _, c := range sc.Champs {
		v := strings.TrimSpace(f.Get(c.Nom))
		d.Fields = append(d.Fields, formField{Champ: c, Value: v})
		switch {
		case c.Kind == medconseil.KindBool:
			if v == "1" {
				raw[c.Nom] = json.RawMessage("true")
			}
		case v != "":
			raw[c.Nom] = mustJSON(v)
		}
	}
	id, _, err := s.fileRaw(r, raw, meta(r, "depot"))
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=depot", id), http.StatusSeeOther)
		return nil
	}
	switch medconseil.ErrorCode(err) {
	case medconseil.EINVALID, medconseil.EFORBIDDEN, medconseil.ECONFLICT:
		v := view{Title: sc.Titre, Data: d, Fields: fieldMap(err)}
		for i := range d.Fields {
			d.Fields[i].Err = v.FieldError(d.Fields[i].Nom)
		}
		v.Data = d
		return s.render(w, r, statusOf(medconseil.ErrorCode(err)), "demande", v)
	}
	return err
}

func mustJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func (s *Server) suiteForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err = s.DB.AnswerPreAnalyse(r.Context(), acteurOf(r), id, version, r.PostFormValue("sens"), r.PostFormValue("suite_motif"), meta(r, "instruction"))
	if err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{}, prefixFields("suite_", err))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=suite", id), http.StatusSeeOther)
	return nil
}

func (s *Server) faitsForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	faits := map[string]string{}
	for k, vs := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "fait_"); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			faits[name] = strings.TrimSpace(vs[0])
		}
	}
	_, err = s.Intake.AddFacts(r.Context(), acteurOf(r), id, version, faits, meta(r, "instruction"))
	if err != nil {
		switch medconseil.ErrorCode(err) {
		case medconseil.EINVALID, medconseil.ECONFLICT, medconseil.EFORBIDDEN:
			return s.showDossier(w, r, statusOf(medconseil.ErrorCode(err)), dossierData{}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dossiers/%d?ok=faits", id), http.StatusSeeOther)
	return nil
}

// prefixFields renames the fields of err (the avis and the suite forms share "sens"
// and "motif" on one page).
func prefixFields(p string, err error) error {
	var out []error
	for _, e := range medconseil.FieldErrors(err) {
		c := *e
		if c.Field != "" && c.Field != "version" {
			c.Field = p + c.Field
		}
		out = append(out, &c)
	}
	if len(out) == 0 {
		return err
	}
	return errors.Join(out...)
}

// demandeLine is one field of a request as the dossier page shows it.
type demandeLine struct {
	Label, Value string
	Clinical     bool
}

// demandeLines renders the filled fields of d in schema order.
func demandeLines(d *medconseil.Demande) []demandeLine {
	if d == nil {
		return nil
	}
	sc, ok := medconseil.SchemaOf(d.Type)
	if !ok {
		return nil
	}
	var out []demandeLine
	for i := range sc.Champs {
		c := &sc.Champs[i]
		if v, ok := d.Valeurs[c.Nom]; ok {
			class, _ := authz.ClassOf(d.Type, c.Nom)
			out = append(out, demandeLine{Label: c.Libelle, Value: c.Display(v), Clinical: class == medconseil.Clinique})
		}
	}
	return out
}

// faitLine is a fact of the dossier's rule set in the facts form.
type faitLine struct {
	medconseil.Fait
	Value string
}

func faitLines(d *medconseil.Dossier) []faitLine {
	var out []faitLine
	for _, f := range medconseil.FaitsOf(d.Type) {
		out = append(out, faitLine{Fait: f, Value: d.Faits[f.Nom]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Requis && !out[j].Requis })
	return out
}
