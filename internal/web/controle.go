package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/controle"
	"medconseil/internal/sqldb"
)

// controleRoutes registers the pages of the control of professionals and the
// contentieux (docs/controle.md): the targeting list imported from « medconseil
// detect --json », the MSO/MSAP procedures, indus, pénalités and contentieux with
// their steps and deadlines, the prior agreement of the arrêts under MSAP, and the
// contentieux opened from a casework dossier. Only the médecin chef, the médecin
// régional and the praticiens-conseils of the territory see them; the store checks
// it and journals every read.
func (s *Server) controleRoutes() {
	m := s.mux
	m.Handle("GET /controle", s.page(s.controlePage))
	m.Handle("POST /controle/propositions", s.page(s.controleImport))
	m.Handle("POST /controle/propositions/{id}/procedure", s.page(s.controleOpen))
	m.Handle("GET /controle/{id}", s.page(s.controleFiche))
	m.Handle("POST /controle/{id}/evenements", s.page(s.controleEvent))
	m.Handle("POST /controle/{id}/elements", s.page(s.controleElement))
	m.Handle("POST /controle/{id}/penalite", s.page(s.controlePenalite))
	m.Handle("POST /controle/{id}/contentieux", s.page(s.controleContentieux))
	m.Handle("POST /controle/{id}/suivi", s.page(s.controleSuivi))
	m.Handle("GET /dossiers/{id}/contentieux", s.page(s.dossierContentieuxForm))
	m.Handle("POST /dossiers/{id}/contentieux", s.page(s.dossierContentieux))
	m.Handle("POST /dossiers/{id}/msap", s.page(s.dossierMsap))
	m.Handle("GET /controle/courriers/{id}", s.page(s.controleCourrier))
	s.addNav("/controle", "Contrôle des professionnels", authz.SeesControle)
	s.controleActionRoutes()
}

type controleListData struct {
	Propositions []sqldb.Proposition
	Controles    []sqldb.ControleRow
	Lot, Liste   string
	Departement  string
	Circuits     map[controle.Circuit]string
	PeutImporter bool
}

func circuitLabels() map[controle.Circuit]string {
	out := map[controle.Circuit]string{}
	for _, c := range controle.Circuits {
		out[c.Circuit] = c.Libelle
	}
	return out
}

func (s *Server) controlePage(w http.ResponseWriter, r *http.Request) error {
	return s.showControleList(w, r, http.StatusOK, controleListData{}, nil)
}

func (s *Server) showControleList(w http.ResponseWriter, r *http.Request, status int, d controleListData, formErr error) error {
	a := acteurOf(r)
	if !authz.SeesControle(a) {
		return medconseil.NotFound("Page")
	}
	var err error
	if d.Propositions, err = s.DB.Propositions(r.Context(), a, meta(r, "controle")); err != nil {
		return err
	}
	if d.Controles, err = s.DB.Controles(r.Context(), a, meta(r, "controle")); err != nil {
		return err
	}
	d.Circuits = circuitLabels()
	d.PeutImporter = a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional)
	v := view{Title: "Contrôle des professionnels", Data: d}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
		v.Error = s.domainError(r, formErr)
	}
	switch r.URL.Query().Get("ok") {
	case "import":
		v.Flash = "Liste de ciblage importée : " + r.URL.Query().Get("n") + " proposition(s) ajoutée(s), " + r.URL.Query().Get("ignorees") + " ignorée(s) (déjà importées ou hors de votre territoire)."
	}
	return s.render(w, r, status, "controle", v)
}

func (s *Server) controleImport(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !authz.SeesControle(a) {
		return medconseil.NotFound("Page")
	}
	d := controleListData{Lot: r.PostFormValue("lot"), Liste: r.PostFormValue("liste"), Departement: strings.TrimSpace(r.PostFormValue("departement"))}
	ps, err := controle.ParsePropositions(strings.NewReader(d.Liste))
	if err == nil {
		var n, skipped int
		n, skipped, err = s.DB.ImportPropositions(r.Context(), a, d.Lot, ps, d.Departement, meta(r, "controle"))
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/controle?ok=import&n=%d&ignorees=%d", n, skipped), http.StatusSeeOther)
			return nil
		}
	}
	if c := medconseil.ErrorCode(err); c == medconseil.EINVALID || c == medconseil.EFORBIDDEN {
		return s.showControleList(w, r, statusOf(c), d, err)
	}
	return err
}

func (s *Server) controleOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := controleID(r)
	if err != nil {
		return err
	}
	cid, err := s.DB.OpenMSO(r.Context(), acteurOf(r), id, r.PostFormValue("rpps"), meta(r, "controle"))
	if err != nil {
		if c := medconseil.ErrorCode(err); c == medconseil.EINVALID || c == medconseil.ECONFLICT {
			return s.showControleList(w, r, statusOf(c), controleListData{}, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=ouverture", cid), http.StatusSeeOther)
	return nil
}

func controleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, medconseil.NotFound("Procédure")
	}
	return id, nil
}

// transitionForm is a transition offered on the page with the inputs it needs.
type transitionForm struct {
	controle.Transition
	Date, Note, Issue, Objectif, Periode, Montant bool
}

type controleFicheData struct {
	V          *sqldb.ControleView
	Forms      []transitionForm
	Today      string
	Form       url.Values
	Circuits   map[controle.Circuit]string
	Chef       bool
	Suivi      bool
	Contentieu bool
	Convoquer  bool // the hearing may be convened (controle_actions.go)
	Donnees    bool // the server reads claims data: the indu is computed here
}

func (s *Server) controleFiche(w http.ResponseWriter, r *http.Request) error {
	return s.showControle(w, r, http.StatusOK, nil, nil)
}

func (s *Server) showControle(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) error {
	id, err := controleID(r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	v, err := s.DB.Controle(r.Context(), a, id, meta(r, "controle"))
	if err != nil {
		return err
	}
	d := controleFicheData{V: v, Today: medconseil.DateOf(s.DB.Now()).Francais(), Form: form, Circuits: circuitLabels()}
	for _, ro := range v.Roles {
		d.Chef = d.Chef || ro == medconseil.RoleMedecinChef || ro == medconseil.RoleMedecinRegional
	}
	for _, t := range v.Possibles {
		f := transitionForm{Transition: t}
		for _, sa := range t.Saisies {
			switch sa {
			case controle.SaisieDate:
				f.Date = true
			case controle.SaisieNote:
				f.Note = true
			case controle.SaisieIssue:
				f.Issue = true
			case controle.SaisieObjectif:
				f.Objectif = true
			case controle.SaisiePeriode:
				f.Periode = true
			case controle.SaisieMontant:
				f.Montant = true
			}
		}
		d.Forms = append(d.Forms, f)
	}
	d.Suivi = v.Circuit == controle.CircuitMSO && v.ObjectifPct > 0
	d.Convoquer = d.Chef && v.Etape == "notifiee" && (v.Circuit == controle.CircuitMSO || v.Circuit == controle.CircuitPenalite)
	d.Donnees = s.Config.DetectData != ""
	title := fmt.Sprintf("%s n° %d", v.Def.Libelle, v.ID)
	view := view{Title: title, Data: d}
	if formErr != nil {
		view.Fields = fieldMap(formErr)
		view.Error = s.domainError(r, formErr)
	}
	switch r.URL.Query().Get("ok") {
	case "ouverture":
		view.Flash = "Procédure ouverte."
	case "etape":
		view.Flash = "Étape enregistrée ; les échéances sont à jour."
	case "element":
		view.Flash = "Élément ajouté."
	case "suivi":
		view.Flash = "Suivi mensuel enregistré."
	case "msap":
		view.Flash = "Décision d'accord préalable enregistrée."
	case "convocation":
		view.Flash = "Convocation à l'audition envoyée (courrier ci-dessous)."
	case "indu":
		view.Flash = "Indu calculé depuis les lignes de prestations et enregistré ; la notification de payer est l'étape suivante."
	}
	return s.render(w, r, status, "controle_fiche", view)
}

func formDate(r *http.Request, field string) (medconseil.Date, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return medconseil.Date{}, nil
	}
	d, err := medconseil.ParseDate(v)
	if err != nil {
		return d, medconseil.FieldErrorf(field, "date illisible « %s » : écrire jj/mm/aaaa", truncateRunes(v, 20))
	}
	return d, nil
}

func (s *Server) controleEvent(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	var errs []error
	var in sqldb.EventInput
	var e error
	if in.Le, e = formDate(r, "le"); e != nil {
		errs = append(errs, e)
	}
	if in.Debut, e = formDate(r, "debut"); e != nil {
		errs = append(errs, e)
	}
	if in.Fin, e = formDate(r, "fin"); e != nil {
		errs = append(errs, e)
	}
	in.Note, in.Issue = r.PostFormValue("note"), r.PostFormValue("issue")
	if o := strings.TrimSpace(r.PostFormValue("objectif")); o != "" {
		if in.Objectif, e = strconv.Atoi(o); e != nil {
			errs = append(errs, medconseil.FieldErrorf("objectif", "objectif illisible : un nombre entier de pour cent"))
		}
	}
	if mt := strings.TrimSpace(r.PostFormValue("montant")); mt != "" {
		if in.Montant, e = medconseil.ParseMontant(mt); e != nil {
			errs = append(errs, medconseil.FieldErrorf("montant", "montant illisible : écrire 1234,56"))
		}
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	ev := strings.TrimSpace(r.PostFormValue("evenement"))
	if ev == "" {
		errs = append(errs, medconseil.FieldErrorf("evenement", "étape manquante"))
	}
	if err := errors.Join(errs...); err != nil {
		return f.refused(err)
	}
	if _, err := s.DB.ControleEvent(r.Context(), acteurOf(r), f.ID, version, ev, in, meta(r, "controle")); err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=etape", f.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) controleElement(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	if err := s.DB.AddElement(r.Context(), acteurOf(r), f.ID, r.PostFormValue("genre"), r.PostFormValue("partie"), r.PostFormValue("contenu"), meta(r, "controle")); err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=element", f.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) controlePenalite(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	pid, err := s.DB.OpenPenalite(r.Context(), acteurOf(r), f.ID, r.PostFormValue("motif"), meta(r, "controle"))
	if err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=ouverture", pid), http.StatusSeeOther)
	return nil
}

func contentieuxInput(r *http.Request) (sqldb.ContentieuxInput, error) {
	in := sqldb.ContentieuxInput{Voie: r.PostFormValue("voie"), Requerant: r.PostFormValue("requerant"), Objet: r.PostFormValue("objet"), DelaiInopposable: r.PostFormValue("delai_inopposable") == "oui"}
	var err error
	in.Recu, err = formDate(r, "recu")
	return in, err
}

func (s *Server) controleContentieux(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	in, ferr := contentieuxInput(r)
	if ferr != nil {
		return f.refused(ferr)
	}
	cid, err := s.DB.OpenContentieuxControle(r.Context(), acteurOf(r), f.ID, in, meta(r, "controle"))
	if err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=ouverture", cid), http.StatusSeeOther)
	return nil
}

// controleSuivi records the MSO follow-up of one month entered from the data
// (the command « medconseil controle suivi » reads the Parquet for every month).
func (s *Server) controleSuivi(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	var errs []error
	mois := strings.TrimSpace(r.PostFormValue("mois"))
	if len(mois) != 7 || mois[4] != '-' {
		errs = append(errs, medconseil.FieldErrorf("mois", "mois illisible : écrire aaaa-mm"))
	} else if _, err := medconseil.ParseDate(mois + "-01"); err != nil {
		errs = append(errs, medconseil.FieldErrorf("mois", "mois illisible : écrire aaaa-mm"))
	}
	num := func(f, what string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f)))
		if err != nil || n < 0 {
			errs = append(errs, medconseil.FieldErrorf(f, "%s : un nombre entier positif", what))
		}
		return n
	}
	arrets, jours, ref := num("arrets", "arrêts prescrits"), num("jours", "jours prescrits"), num("reference", "moyenne de référence")
	if err := errors.Join(errs...); err != nil {
		return f.refused(err)
	}
	if err := s.DB.RecordSuivi(r.Context(), acteurOf(r), f.ID, ref, []controle.Mois{{Mois: mois, Arrets: arrets, Jours: jours}}, meta(r, "controle")); err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=suivi", f.ID), http.StatusSeeOther)
	return nil
}

type dossierContentieuxData struct {
	D     *medconseil.Dossier
	Form  url.Values
	Delai sqldb.DelaiContestation // 2 months from the notification (R142-1-A III)
	Today medconseil.Date
}

func (s *Server) dossierContentieuxForm(w http.ResponseWriter, r *http.Request) error {
	return s.showDossierContentieux(w, r, http.StatusOK, nil)
}

func (s *Server) showDossierContentieux(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	d, err := s.DB.Dossier(r.Context(), a, id, meta(r, "controle"))
	if err != nil {
		return err
	}
	if !d.Visible.Has(medconseil.Clinique) || len(s.DB.Policy.ControleRoles(a, d.Departement)) == 0 {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le suivi d'un contentieux médical est réservé aux médecins-conseils du territoire du dossier"}
	}
	delai, err := s.DB.ContestationDelai(r.Context(), id)
	if err != nil {
		return err
	}
	v := view{Title: fmt.Sprintf("Contestation de l'avis — dossier n° %d", id), Data: dossierContentieuxData{D: d, Form: r.PostForm, Delai: delai, Today: medconseil.DateOf(s.DB.Now())}}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
		v.Error = s.domainError(r, formErr)
	}
	return s.render(w, r, status, "contentieux_dossier", v)
}

func (s *Server) dossierContentieux(w http.ResponseWriter, r *http.Request) error {
	// The page re-shown reads the dossier through the gate.
	f, err := s.dossierForm(r, "controle", codesFixable(medconseil.EINVALID, medconseil.ECONFLICT), func(status int, err error) error {
		return s.showDossierContentieux(w, r, status, err)
	})
	if err != nil {
		return err
	}
	in, err := contentieuxInput(r)
	if err != nil {
		return f.fail(err)
	}
	cid, err := s.DB.OpenContentieuxDossier(r.Context(), acteurOf(r), f.ID, in, meta(r, "controle"))
	if err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=ouverture", cid), http.StatusSeeOther)
	return nil
}

func (s *Server) dossierMsap(w http.ResponseWriter, r *http.Request) error {
	// No page to re-show: the refusal goes to the error page.
	f, err := s.dossierForm(r, "controle", nil, nil)
	if err != nil {
		return err
	}
	accord := r.PostFormValue("decision") == "accord"
	if d := r.PostFormValue("decision"); d != "accord" && d != "refus" {
		return f.refused(medconseil.FieldErrorf("decision", "décision : accord ou refus"))
	}
	if err := s.DB.MsapDecision(r.Context(), acteurOf(r), f.ID, accord, r.PostFormValue("motif"), meta(r, "controle")); err != nil {
		return err
	}
	_, cid, err := s.DB.MsapStatut(r.Context(), f.ID)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=msap", cid), http.StatusSeeOther)
	return nil
}

// controleCourrier serves a letter of a procedure (PDF), through the procedure's gate.
func (s *Server) controleCourrier(w http.ResponseWriter, r *http.Request) error {
	id, err := controleID(r)
	if err != nil {
		return err
	}
	ref, pdf, err := s.DB.ControleCourrierPDF(r.Context(), acteurOf(r), id, meta(r, "controle"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", strings.ReplaceAll(ref, "/", "-")+".pdf"))
	_, err = w.Write(pdf)
	return err
}
