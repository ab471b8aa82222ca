package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/fhir"
	"medconseil/internal/sqldb"
)

// The FHIR R4 API (issue 15, docs/fhir.md) under /fhir: the mapping lives in
// internal/fhir; every read and write here goes through the same store calls as
// the JSON API (Dossier, Worklist, the intake), so the same access gate, medical-
// secret policy and audit journal apply. JSON only; every error is an
// OperationOutcome in French.
func (s *Server) fhirRoutes() {
	m := s.mux
	m.Handle("GET /fhir/metadata", s.fhirPublic(s.fhirMetadata))
	m.Handle("GET /fhir/Patient", s.fhirAPI(s.fhirSearch("Patient")))
	m.Handle("GET /fhir/Patient/{id}", s.fhirAPI(s.fhirRead("Patient")))
	m.Handle("GET /fhir/Practitioner/{rpps}", s.fhirAPI(s.fhirPractitioner))
	m.Handle("GET /fhir/Organization", s.fhirAPI(s.fhirOrganizations))
	m.Handle("GET /fhir/Organization/{code}", s.fhirAPI(s.fhirOrganization))
	m.Handle("POST /fhir/Claim", s.fhirAPI(s.fhirCreateClaim))
	m.Handle("GET /fhir/Claim", s.fhirAPI(s.fhirSearch("Claim")))
	m.Handle("GET /fhir/Claim/{id}", s.fhirAPI(s.fhirRead("Claim")))
	m.Handle("GET /fhir/ClaimResponse", s.fhirAPI(s.fhirSearch("ClaimResponse")))
	m.Handle("GET /fhir/ClaimResponse/{id}", s.fhirAPI(s.fhirRead("ClaimResponse")))
	m.Handle("GET /fhir/Task", s.fhirAPI(s.fhirSearch("Task")))
	m.Handle("GET /fhir/Task/{id}", s.fhirAPI(s.fhirRead("Task")))
	m.Handle("GET /fhir/QuestionnaireResponse", s.fhirAPI(s.fhirSearch("QuestionnaireResponse")))
	m.Handle("GET /fhir/QuestionnaireResponse/{id}", s.fhirAPI(s.fhirRead("QuestionnaireResponse")))
	s.fhirLetterRoutes()
	m.Handle("/fhir/", s.fhirPublic(func(w http.ResponseWriter, r *http.Request) error {
		return &medconseil.Error{Code: medconseil.ENOTFOUND, Message: "type de ressource ou opération non pris en charge : " + r.Method + " " + r.URL.Path + " (voir GET /fhir/metadata)"}
	}))
}

// fhirAPI authenticates with the API's bearer tokens and renders errors as
// OperationOutcome.
func (s *Server) fhirAPI(h handler) http.Handler {
	return s.fhirPublic(func(w http.ResponseWriter, r *http.Request) error {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || bearer == "" {
			return &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "authentification requise : en-tête « Authorization: Bearer <jeton> » (POST /api/v1/tokens pour en obtenir un)"}
		}
		digest := auth.Digest(strings.TrimSpace(bearer))
		a, err := s.DB.TokenActeur(r.Context(), digest)
		if err != nil {
			return err
		}
		ctx := context.WithValue(r.Context(), keyActeur, a)
		ctx = context.WithValue(ctx, keyToken, digest)
		return h(w, r.WithContext(ctx))
	})
}

// fhirPublic serves JSON only: a client asking for another format (Accept or
// _format) gets 406.
func (s *Server) fhirPublic(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fhirFormat(r)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.renderOutcome(w, r, err)
		}
	})
}

// errNotAcceptable is answered 406.
var errNotAcceptable = errors.New("not acceptable")

func fhirFormat(r *http.Request) error {
	if f := r.URL.Query().Get("_format"); f != "" && f != "json" && !strings.Contains(f, "json") {
		return fmt.Errorf("%w: _format=%s", errNotAcceptable, f)
	}
	acc := r.Header.Get("Accept")
	if acc == "" {
		return nil
	}
	for _, part := range strings.Split(acc, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if mt == "*/*" || mt == "application/*" || strings.Contains(mt, "json") {
			return nil
		}
	}
	return fmt.Errorf("%w: Accept=%s", errNotAcceptable, acc)
}

func writeFHIR(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// renderOutcome writes err as an OperationOutcome: one issue per field error, its
// expression the FHIRPath the error names (the Claim handler translates our field
// names into FHIRPath before).
func (s *Server) renderOutcome(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNotAcceptable) {
		writeFHIR(w, http.StatusNotAcceptable, fhir.Outcome([]fhir.Issue{{Code: medconseil.EINVALID,
			Message: "format non pris en charge : ce serveur ne sert que du JSON (" + fhir.ContentType + ")"}}))
		return
	}
	e := s.domainError(r, err)
	var issues []fhir.Issue
	if e.Code == medconseil.EINVALID || e.Code == medconseil.EREGLE {
		for _, fe := range medconseil.FieldErrors(err) {
			issues = append(issues, issueOf(fe))
		}
	}
	if len(issues) == 0 {
		issues = []fhir.Issue{issueOf(e)}
	}
	if e.Code == medconseil.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="medconseil"`)
	}
	status := statusOf(e.Code)
	if e.Code == medconseil.EINVALID && strings.HasPrefix(e.Field, "?") {
		status = http.StatusBadRequest // a search parameter
	}
	writeFHIR(w, status, fhir.Outcome(issues))
}

// issueOf makes one issue: a field that is a FHIRPath (it starts with a resource
// type) becomes the expression; a search parameter ("?name") is named in the text.
func issueOf(e *medconseil.Error) fhir.Issue {
	is := fhir.Issue{Code: e.Code, Message: e.Message}
	switch {
	case strings.HasPrefix(e.Field, "?"):
		is.Message = "paramètre " + e.Field[1:] + " : " + e.Message
	case e.Field != "" && e.Field[0] >= 'A' && e.Field[0] <= 'Z':
		is.Expression = e.Field
	case e.Field != "":
		is.Message = e.Field + " : " + e.Message
	}
	return is
}

// fhirBase is the absolute FHIR base of this server, for Bundle links.
func (s *Server) fhirBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || s.Config.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir"
}

func (s *Server) fhirMetadata(w http.ResponseWriter, r *http.Request) error {
	writeFHIR(w, http.StatusOK, fhir.Capability("medconseil "+s.Config.Version, s.DB.Now()))
	return nil
}

// fhirDossier reads dossier id through the store's gate (journaled, finalité
// consultation) and its last update. Whatever the reason it is not shown — absent,
// hidden, another kind — the answer is typ's "introuvable".
func (s *Server) fhirDossier(r *http.Request, typ string, id int64) (*medconseil.Dossier, time.Time, error) {
	d, err := s.DB.Dossier(r.Context(), acteurOf(r), id, meta(r, "consultation"))
	if medconseil.ErrorCode(err) == medconseil.ENOTFOUND {
		return nil, time.Time{}, medconseil.NotFound(typ)
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	upd, err := s.DB.LastUpdated(r.Context(), id)
	if err != nil {
		return nil, time.Time{}, err
	}
	return d, upd, nil
}

// resourceOf maps a dossier the reader was disclosed to the resource typ; ok is
// false when the dossier has no such resource for this reader.
func (s *Server) resourceOf(ctx context.Context, typ string, d *medconseil.Dossier, upd time.Time) (fhir.Resource, bool, error) {
	switch typ {
	case "Patient":
		p, ok := fhir.PatientOf(d, upd)
		return p, ok, nil
	case "Claim":
		if !fhir.IsPreAuth(d.Type) {
			return nil, false, nil
		}
		return fhir.ClaimOf(d, upd), true, nil
	case "ClaimResponse":
		if !fhir.IsPreAuth(d.Type) || !d.Visible.Has(medconseil.Decision) {
			return nil, false, nil
		}
		var dec fhir.Decision
		// The deadlines of a dossier the gate has just disclosed (sqldb.Echeances).
		es, err := s.DB.Echeances(ctx, d.ID)
		if err != nil {
			return nil, false, err
		}
		for _, e := range es {
			if e.Nom == "accord_tacite" && e.Statut != "annulee" {
				dec.AccordTacite = e.Limite
			}
		}
		return fhir.ClaimResponseOf(d, upd, dec), true, nil
	case "Task":
		return fhir.TaskOf(d, upd), true, nil
	case "QuestionnaireResponse":
		qr, ok := fhir.QuestionnaireResponseOf(d, upd)
		return qr, ok, nil
	}
	return nil, false, nil
}

func (s *Server) fhirRead(typ string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return medconseil.NotFound(typ)
		}
		d, upd, err := s.fhirDossier(r, typ, id)
		if err != nil {
			return err
		}
		res, ok, err := s.resourceOf(r.Context(), typ, d, upd)
		if err != nil {
			return err
		}
		if !ok {
			return medconseil.NotFound(typ)
		}
		w.Header().Set("ETag", fmt.Sprintf(`W/"%d"`, d.Version))
		w.Header().Set("Last-Modified", upd.UTC().Format(http.TimeFormat))
		writeFHIR(w, http.StatusOK, res)
		return nil
	}
}

// fhirSearchParams are the parameters each search accepts (docs/fhir.md); any other is
// refused rather than ignored.
var fhirSearchParams = map[string]map[string]bool{
	"Patient":               {"identifier": true, "_lastUpdated": true, "_count": true, "_page": true, "_format": true},
	"Claim":                 {"patient": true, "identifier": true, "status": true, "use": true, "_lastUpdated": true, "_count": true, "_page": true, "_format": true},
	"ClaimResponse":         {"patient": true, "identifier": true, "status": true, "_lastUpdated": true, "_count": true, "_page": true, "_format": true},
	"Task":                  {"patient": true, "identifier": true, "status": true, "_lastUpdated": true, "_count": true, "_page": true, "_format": true},
	"QuestionnaireResponse": {"patient": true, "identifier": true, "_lastUpdated": true, "_count": true, "_page": true, "_format": true},
}

// paramErr is an error on search parameter name (rendered 400).
func paramErr(name, format string, args ...any) *medconseil.Error {
	return medconseil.FieldErrorf("?"+name, format, args...)
}

// searchQuery reads a search's parameters into the worklist query, every error at
// once; empty is true when the search can match nothing (status of no state).
func (s *Server) searchQuery(r *http.Request, typ string) (q sqldb.WorklistQuery, page, count int, empty bool, err error) {
	v := r.URL.Query()
	var errs []error
	for k := range v {
		if !fhirSearchParams[typ][k] {
			errs = append(errs, paramErr(k, "paramètre de recherche non pris en charge pour %s (voir GET /fhir/metadata)", typ))
		}
	}
	count, page = 20, 1
	if c := v.Get("_count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > 50 {
			errs = append(errs, paramErr("_count", "nombre de 1 à 50 attendu, pas %q", c))
		} else {
			count = n
		}
	}
	if p := v.Get("_page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			errs = append(errs, paramErr("_page", "numéro de page ≥ 1 attendu, pas %q", p))
		} else {
			page = n
		}
	}
	switch typ {
	case "Claim", "ClaimResponse":
		q.Types = fhir.PreAuthTypes
	case "QuestionnaireResponse":
		q.Types = []medconseil.TypeDossier{medconseil.TypeArretTravail, medconseil.TypeATMP}
	}
	if id := v.Get("identifier"); id != "" {
		sys, val, ok := strings.Cut(id, "|")
		if !ok || sys != fhir.SystemINS {
			errs = append(errs, paramErr("identifier", "système %q refusé : NIR attendu sous la forme %s|NIR", sys, fhir.SystemINS))
		} else if nir, err := medconseil.ParseNIR(val); err != nil {
			errs = append(errs, paramErr("identifier", "%v", err))
		} else {
			q.NIR = nir
		}
	}
	if p := v.Get("patient"); p != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(p, "Patient/"), 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, paramErr("patient", "référence Patient/N attendue, pas %q", p))
		} else {
			d, err := s.DB.Dossier(r.Context(), acteurOf(r), id, meta(r, "consultation"))
			switch {
			case medconseil.ErrorCode(err) == medconseil.ENOTFOUND:
				empty = true
			case err != nil:
				return q, 0, 0, false, err
			case d.Assure == nil || d.Assure.NIR == "":
				empty = true
			case q.NIR != "" && q.NIR != d.Assure.NIR:
				empty = true
			default:
				q.NIR = d.Assure.NIR
			}
		}
	}
	if st := v.Get("status"); st != "" {
		switch typ {
		case "Task":
			q.Etats = fhir.EtatsOfTaskStatus(st)
			if len(q.Etats) == 0 {
				errs = append(errs, paramErr("status", "statut %q inconnu : received, in-progress, on-hold ou completed", st))
			}
		default:
			if st != "active" {
				errs = append(errs, paramErr("status", "statut %q : seules les ressources « active » existent ici", st))
			}
		}
	}
	if u := v.Get("use"); u != "" && u != "preauthorization" {
		errs = append(errs, paramErr("use", "usage %q : seules les demandes « preauthorization » existent ici", u))
	}
	for _, lu := range v["_lastUpdated"] {
		if err := lastUpdated(&q, lu); err != nil {
			errs = append(errs, err)
		}
	}
	q.Tri, q.Page, q.ParPage = "id", page, count
	q.Meta = meta(r, "consultation")
	return q, page, count, empty, errors.Join(errs...)
}

// lastUpdated reads one _lastUpdated bound: prefix ge, gt, le, lt (eq or none: the
// whole day or second) and a date (AAAA-MM-JJ) or an instant (RFC 3339).
func lastUpdated(q *sqldb.WorklistQuery, s string) error {
	prefix := "eq"
	if len(s) > 2 && s[0] >= 'a' && s[0] <= 'z' {
		prefix, s = s[:2], s[2:]
	}
	var from time.Time
	step := time.Second
	if len(s) == 10 {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return paramErr("_lastUpdated", "date %q illisible : AAAA-MM-JJ ou instant RFC 3339", s)
		}
		from, step = d, 24*time.Hour
	} else {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return paramErr("_lastUpdated", "date %q illisible : AAAA-MM-JJ ou instant RFC 3339", s)
		}
		from = t
	}
	switch prefix {
	case "ge":
		q.MajDepuis = from
	case "gt":
		q.MajDepuis = from.Add(step)
	case "lt":
		q.MajAvant = from
	case "le":
		q.MajAvant = from.Add(step)
	case "eq":
		q.MajDepuis, q.MajAvant = from, from.Add(step)
	default:
		return paramErr("_lastUpdated", "préfixe %q non pris en charge : ge, gt, le, lt ou eq", prefix)
	}
	return nil
}

func (s *Server) fhirSearch(typ string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		q, page, count, empty, err := s.searchQuery(r, typ)
		if err != nil {
			return err
		}
		var entries []fhir.Resource
		total := 0
		if !empty {
			rows, n, err := s.DB.Worklist(r.Context(), acteurOf(r), q)
			if err != nil {
				return err
			}
			total = n
			seen := map[medconseil.NIR]bool{}
			for _, row := range rows {
				d, upd, err := s.fhirDossier(r, typ, row.ID)
				if medconseil.ErrorCode(err) == medconseil.ENOTFOUND {
					continue
				}
				if err != nil {
					return err
				}
				res, ok, err := s.resourceOf(r.Context(), typ, d, upd)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if typ == "Patient" {
					// One Patient per assuré: the most recent dossier disclosing the identity.
					if seen[d.Assure.NIR] {
						continue
					}
					seen[d.Assure.NIR] = true
				}
				entries = append(entries, res)
			}
			if typ == "Patient" || typ == "ClaimResponse" {
				// Counted after the policy's per-dossier answer, not the SQL's.
				total = (page-1)*count + len(entries)
			}
		}
		params := r.URL.Query()
		params.Del("_page")
		params.Del("_count")
		writeFHIR(w, http.StatusOK, fhir.Bundle(s.fhirBase(r), typ, params, entries, total, page, count))
		return nil
	}
}

func (s *Server) fhirPractitioner(w http.ResponseWriter, r *http.Request) error {
	rpps, err := medconseil.ParseRPPS(r.PathValue("rpps"))
	if err != nil {
		return medconseil.NotFound("Practitioner")
	}
	writeFHIR(w, http.StatusOK, fhir.PractitionerOf(rpps))
	return nil
}

func (s *Server) fhirOrganization(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.DB.Organisation(r.Context())
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Code == r.PathValue("code") {
			writeFHIR(w, http.StatusOK, fhir.OrganizationOf(o))
			return nil
		}
	}
	return medconseil.NotFound("Organization")
}

func (s *Server) fhirOrganizations(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	var errs []error
	for k := range v {
		if k != "type" && k != "_count" && k != "_page" && k != "_format" {
			errs = append(errs, paramErr(k, "paramètre de recherche non pris en charge pour Organization"))
		}
	}
	count, page := 20, 1
	if c := v.Get("_count"); c != "" {
		if n, err := strconv.Atoi(c); err != nil || n < 1 || n > 50 {
			errs = append(errs, paramErr("_count", "nombre de 1 à 50 attendu, pas %q", c))
		} else {
			count = n
		}
	}
	if p := v.Get("_page"); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 {
			errs = append(errs, paramErr("_page", "numéro de page ≥ 1 attendu, pas %q", p))
		} else {
			page = n
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	orgs, err := s.DB.Organisation(r.Context())
	if err != nil {
		return err
	}
	var all []fhir.Resource
	for _, o := range orgs {
		if t := v.Get("type"); t == "" || string(o.Type) == t {
			all = append(all, fhir.OrganizationOf(o))
		}
	}
	lo, hi := min((page-1)*count, len(all)), min(page*count, len(all))
	v.Del("_page")
	v.Del("_count")
	writeFHIR(w, http.StatusOK, fhir.Bundle(s.fhirBase(r), "Organization", v, all[lo:hi], len(all), page, count))
	return nil
}

// fhirCreateClaim files a request for prior agreement given as a Claim: the Claim
// is read into our JSON input (internal/fhir.ParseClaim) and filed by the same
// intake as POST /api/v1/dossiers — same validation, same transaction, same
// journal; nothing is written when anything is wrong. If-None-Exist
// ("identifier=system|value", the Claim's own identifier) is the conditional
// create: the same request sent again answers 200 with the Claim first created.
func (s *Server) fhirCreateClaim(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.Config.MaxBody))
	if err != nil {
		return jsonError(err)
	}
	if !utf8.Valid(body) {
		return fhir.ErrorAt("Claim", "corps de requête illisible : encodage UTF-8 invalide")
	}
	f, err := fhir.ParseClaim(body)
	if err != nil {
		return err
	}
	m := meta(r, "depot")
	if ine := strings.TrimSpace(r.Header.Get("If-None-Exist")); ine != "" {
		q, err := url.ParseQuery(ine)
		id := q.Get("identifier")
		if err != nil || len(q) != 1 || id == "" {
			return fhir.ErrorAt("Claim.identifier", "en-tête If-None-Exist illisible : « identifier=system|valeur » attendu")
		}
		if id != f.Identifier {
			return fhir.ErrorAt("Claim.identifier", "If-None-Exist (%s) doit reprendre Claim.identifier[0] (%s)", id, f.Identifier)
		}
		canon, _ := json.Marshal(f.Fields)
		m.IdemKey, m.BodyHash = bodyHash([]byte("fhir If-None-Exist "+id)), bodyHash(canon)
	}
	id, replay, err := s.fileRaw(r, f.Fields, m)
	if err != nil {
		return claimPaths(f, err)
	}
	w.Header().Set("Location", fmt.Sprintf("/fhir/Claim/%d", id))
	status := http.StatusCreated
	if replay {
		status = http.StatusOK
	}
	d, upd, err := s.fhirDossier(r, "Claim", id)
	if err != nil {
		// Filed, but not readable by its filer (a role that files for others).
		writeFHIR(w, status, fhir.Resource{"resourceType": "OperationOutcome", "issue": []any{fhir.Resource{"severity": "information", "code": "informational",
			"diagnostics": fmt.Sprintf("demande enregistrée sous le n° %d", id)}}})
		return nil
	}
	w.Header().Set("ETag", fmt.Sprintf(`W/"%d"`, d.Version))
	writeFHIR(w, status, fhir.ClaimOf(d, upd))
	return nil
}

// claimPaths renames the fields of the intake's errors (our input's names) into
// the FHIRPath of the Claim's elements they came from.
func claimPaths(f *fhir.Filing, err error) error {
	fes := medconseil.FieldErrors(err)
	if len(fes) == 0 {
		return err
	}
	missing := map[string]string{"nir": "Claim.contained.identifier", "residence": "Claim.contained.address", "nom": "Claim.contained.name",
		"prenom": "Claim.contained.name", "naissance": "Claim.contained.birthDate", "prescripteur": "Claim.provider.identifier", "type": "Claim.subType"}
	out := make([]error, 0, len(fes))
	for _, fe := range fes {
		c := *fe
		switch {
		case fe.Code == medconseil.ECONFLICT && fe.Field == "Idempotency-Key":
			c.Field, c.Message = "Claim.identifier", "l'identifiant donné dans If-None-Exist a déjà servi pour une autre demande : changer Claim.identifier"
		case fe.Code != medconseil.EINVALID && fe.Code != medconseil.EREGLE && fe.Code != medconseil.EFORBIDDEN:
		case fe.Field == "":
		case f.Paths[fe.Field] != "":
			c.Field = f.Path(fe.Field)
		case missing[fe.Field] != "":
			c.Field = missing[fe.Field]
		default:
			c.Field = "Claim.supportingInfo"
			if sc, ok := medconseil.SchemaOf(f.Type); ok {
				if ch, ok := sc.Champ(fe.Field); ok {
					c.Message = fmt.Sprintf("%s (champ %q, %s)", fe.Message, ch.Nom, ch.Libelle)
					if ch.Kind == medconseil.KindCIM10 {
						c.Field = "Claim.diagnosis"
					}
				}
			}
		}
		out = append(out, &c)
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// fhirLetterRoutes serve the letters of a dossier (internal/courrier, stored by
// sqldb.AddCourrier) as DocumentReference and their PDF as Binary, through the
// store's letter calls: the gate of the dossier, only the letters whose every
// class the reader sees there, journaled (finalité courrier).
func (s *Server) fhirLetterRoutes() {
	m := s.mux
	m.Handle("GET /fhir/DocumentReference", s.fhirAPI(s.fhirLetters))
	m.Handle("GET /fhir/DocumentReference/{id}", s.fhirAPI(s.fhirLetter(false)))
	m.Handle("GET /fhir/Binary/{id}", s.fhirAPI(s.fhirLetter(true)))
}

func lettreOf(c sqldb.Courrier) fhir.Lettre {
	return fhir.Lettre{ID: c.ID, DossierID: c.DossierID, Reference: c.Reference, Modele: c.Modele, Destinataire: string(c.Destinataire),
		Objet: c.Objet, CreeLe: c.CreeLe, Taille: c.Taille}
}

// fhirLetters lists the letters of one dossier: related=Task/N (or Claim/N).
func (s *Server) fhirLetters(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	for k := range v {
		if k != "related" && k != "_format" {
			return paramErr(k, "paramètre de recherche non pris en charge pour DocumentReference : related=Task/N")
		}
	}
	rel := v.Get("related")
	_, num, ok := strings.Cut(rel, "/")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || id <= 0 || !(strings.HasPrefix(rel, "Task/") || strings.HasPrefix(rel, "Claim/")) {
		return paramErr("related", "référence Task/N ou Claim/N attendue, pas %q", rel)
	}
	cs, err := s.DB.Courriers(r.Context(), acteurOf(r), id, meta(r, "courrier"))
	if err != nil && medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
		return err
	}
	entries := make([]fhir.Resource, 0, len(cs))
	for _, c := range cs {
		entries = append(entries, fhir.DocumentReferenceOf(lettreOf(c), s.fhirBase(r)))
	}
	n := max(len(entries), 1)
	writeFHIR(w, http.StatusOK, fhir.Bundle(s.fhirBase(r), "DocumentReference", v, entries, len(entries), 1, n))
	return nil
}

// fhirLetter reads one letter with its PDF (a download, journaled as one): as a
// DocumentReference with the PDF inline, or as a Binary.
func (s *Server) fhirLetter(binary bool) handler {
	typ := "DocumentReference"
	if binary {
		typ = "Binary"
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return medconseil.NotFound(typ)
		}
		c, pdf, err := s.DB.CourrierPDF(r.Context(), acteurOf(r), id, meta(r, "courrier"))
		if medconseil.ErrorCode(err) == medconseil.ENOTFOUND {
			return medconseil.NotFound(typ)
		}
		if err != nil {
			return err
		}
		if binary {
			writeFHIR(w, http.StatusOK, fhir.BinaryOf(id, pdf))
			return nil
		}
		l := lettreOf(*c)
		l.PDF = pdf
		writeFHIR(w, http.StatusOK, fhir.DocumentReferenceOf(l, s.fhirBase(r)))
		return nil
	}
}
