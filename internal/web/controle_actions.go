package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/sqldb"
)

// The browser side of the MSO follow-up, the indu computation and the hearing
// convocation (docs/controle.md): what « medconseil controle suivi|indu » do on
// the command line, from the Parquet of Config.DetectData.

func (s *Server) controleActionRoutes() {
	m := s.mux
	m.Handle("POST /controle/{id}/convocation", s.page(s.controleConvocation))
	m.Handle("POST /controle/{id}/indu", s.page(s.controleIndu))
	m.Handle("GET /controle/{id}/suivi/mensuel", s.page(s.controleSuiviPage))
	m.Handle("POST /controle/{id}/suivi/donnees", s.page(s.controleSuiviDonnees))
}

// noData is the error when the server has no claims data to read.
func noData() error {
	return medconseil.FieldErrorf("data", "les données de prestations (Parquet SNDS) ne sont pas configurées sur ce serveur : le lancer avec « medconseil serve --donnees-controle DOSSIER »")
}

func (s *Server) controleConvocation(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	var errs []error
	var c sqldb.ConvocationAudition
	var e error
	if c.Le, e = formDate(r, "le"); e != nil {
		errs = append(errs, e)
	}
	if c.Jour, e = formDate(r, "jour"); e != nil {
		errs = append(errs, e)
	}
	c.Heure, c.Lieu = r.PostFormValue("heure"), r.PostFormValue("lieu")
	if err := errors.Join(errs...); err != nil {
		return f.refused(err)
	}
	if _, err := s.DB.ConvoquerAudition(r.Context(), acteurOf(r), f.ID, c, meta(r, "controle")); err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=convocation", f.ID), http.StatusSeeOther)
	return nil
}

// parseNatures reads "1111, 3111" into prestation natures (PRS_NAT_REF).
func parseNatures(v string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 || n > 99999 {
			return nil, medconseil.FieldErrorf("natures", "nature de prestation illisible « %s » : des codes PRS_NAT_REF séparés par des virgules (1111, 3111)", truncateRunes(f, 12))
		}
		out = append(out, n)
	}
	return out, nil
}

// controleIndu computes, from the claims lines of the procedure's professional,
// the indu of a confirmed anomaly and records it as an indu procedure with its
// trace (the médecin chef or régional only: the store checks it).
func (s *Server) controleIndu(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	a := acteurOf(r)
	v, err := s.DB.Controle(r.Context(), a, f.ID, meta(r, "controle"))
	if err != nil {
		return err
	}
	var errs []error
	sel := controle.Selection{Professionnel: v.Professionnel}
	var in controle.InduInput
	var e error
	if sel.Du, e = formDate(r, "du"); e != nil {
		errs = append(errs, e)
	}
	if sel.Au, e = formDate(r, "au"); e != nil {
		errs = append(errs, e)
	}
	if sel.Natures, e = parseNatures(r.PostFormValue("natures")); e != nil {
		errs = append(errs, e)
	}
	if in.Calcul, e = formDate(r, "calcul"); e != nil {
		errs = append(errs, e)
	}
	in.Fraude = r.PostFormValue("fraude") == "oui"
	if in.Connaissance, e = formDate(r, "connaissance"); e != nil {
		errs = append(errs, e)
	}
	if len(errs) == 0 {
		if e := sel.Validate(); e != nil {
			errs = append(errs, e)
		}
	}
	if in.Calcul.IsZero() {
		in.Calcul = medconseil.DateOf(s.DB.Now())
	}
	if v.Circuit == controle.CircuitContentieux || v.Circuit == controle.CircuitIndu {
		errs = append(errs, medconseil.FieldErrorf("du", "un indu se calcule depuis une procédure MSO/MSAP ou une pénalité, pas depuis un %s", strings.ToLower(v.Def.Libelle)))
	}
	if err := errors.Join(errs...); err != nil {
		return f.fail(err)
	}
	dir, err := s.detectDir()
	if err != nil {
		return f.fail(err)
	}
	if dir == "" {
		return f.fail(noData())
	}
	lines, err := controle.ReadLignes(r.Context(), dir, sel)
	if err != nil {
		return f.fail(err)
	}
	if len(lines) == 0 {
		return f.fail(medconseil.FieldErrorf("du", "aucune ligne de prestations du professionnel %s du %s au %s%s dans les données : rien à recouvrer", sel.Professionnel, sel.Du.Francais(), sel.Au.Francais(), naturesText(sel.Natures)))
	}
	iid, err := s.DB.OpenIndu(r.Context(), a, f.ID, "", sel, in, lines, meta(r, "controle"))
	if err != nil {
		return f.fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=indu", iid), http.StatusSeeOther)
	return nil
}

func naturesText(n []int) string {
	if len(n) == 0 {
		return ""
	}
	s := make([]string, len(n))
	for i, x := range n {
		s[i] = strconv.Itoa(x)
	}
	return " (natures " + strings.Join(s, ", ") + ")"
}

// suiviBar is one month of the chart.
type suiviBar struct {
	Mois              string
	X, Y, W, H        int
	LabelX, LabelY    int
	Jours, CibleJours int
	Atteint           bool
}

// suiviChart is the SVG bar chart of the MSO follow-up, computed server-side.
type suiviChart struct {
	Width, Height int
	Bars          []suiviBar
	CibleY        int // y of the target line
	CibleLabelY   int
	Cible         int
	Axis          []suiviTick
	Left, Bottom  int
	TickX, MoisY  int // x of the axis labels, y of the month labels
}

type suiviTick struct{ Y, TextY, V int }

func buildSuiviChart(rows []sqldb.ControleSuivi) *suiviChart {
	if len(rows) == 0 {
		return nil
	}
	c := &suiviChart{Width: 640, Height: 260, Left: 48, Bottom: 220, TickX: 42, MoisY: 236}
	top := 20
	max := 1
	for _, r := range rows {
		if r.Jours > max {
			max = r.Jours
		}
		if r.CibleJours > max {
			max = r.CibleJours
		}
	}
	max = (max*11/10 + 9) / 10 * 10
	scale := func(v int) int { return c.Bottom - v*(c.Bottom-top)/max }
	step := (c.Width - c.Left - 10) / len(rows)
	bw := step * 6 / 10
	for i, r := range rows {
		x := c.Left + i*step + (step-bw)/2
		y := scale(r.Jours)
		c.Bars = append(c.Bars, suiviBar{Mois: r.Mois, X: x, Y: y, W: bw, H: c.Bottom - y, LabelX: x + bw/2, LabelY: y - 4, Jours: r.Jours, CibleJours: r.CibleJours, Atteint: r.Atteint})
	}
	c.Cible = rows[len(rows)-1].CibleJours
	c.CibleY = scale(c.Cible)
	c.CibleLabelY = c.CibleY - 6
	for i := 0; i <= 4; i++ {
		v := max * i / 4
		c.Axis = append(c.Axis, suiviTick{Y: scale(v), TextY: scale(v) + 4, V: v})
	}
	return c
}

type controleSuiviData struct {
	V         *sqldb.ControleView
	Chart     *suiviChart
	Reference string
	Donnees   bool
	Jusqu     medconseil.Date
}

func (s *Server) controleSuiviPage(w http.ResponseWriter, r *http.Request) error {
	return s.showSuivi(w, r, http.StatusOK, nil)
}

func (s *Server) showSuivi(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	id, err := controleID(r)
	if err != nil {
		return err
	}
	v, err := s.DB.Controle(r.Context(), acteurOf(r), id, meta(r, "controle"))
	if err != nil {
		return err
	}
	if v.Circuit != controle.CircuitMSO {
		return medconseil.NotFound("Suivi")
	}
	d := controleSuiviData{V: v, Chart: buildSuiviChart(v.Suivi), Reference: r.PostFormValue("reference"), Donnees: s.Config.DetectData != ""}
	view := view{Title: fmt.Sprintf("Suivi mensuel de la MSO — procédure n° %d", v.ID), Data: d}
	if formErr != nil {
		view.Fields = fieldMap(formErr)
		view.Error = s.domainError(r, formErr)
	}
	if r.URL.Query().Get("ok") == "mesure" {
		view.Flash = "Mois mesurés dans les données et enregistrés : " + r.URL.Query().Get("n") + " mois."
	}
	return s.render(w, r, status, "controle_suivi", view)
}

// controleSuiviDonnees measures, in MC_ARR_F, the arrêts and days prescribed by
// the professional (his number in the data, or his RPPS) each month of the MSO period (up to today) and records
// them against the target: the reference mean entered, or by default the mean of
// the 6 months before the period, measured in the same data.
func (s *Server) controleSuiviDonnees(w http.ResponseWriter, r *http.Request) error {
	f, err := s.controleForm(w, r)
	if err != nil {
		return err
	}
	// Refusals re-show the follow-up page, not the procedure's.
	f.show = orCause(func(status int, err error) error { return s.showSuivi(w, r, status, err) })
	fail := f.fail
	a := acteurOf(r)
	v, err := s.DB.Controle(r.Context(), a, f.ID, meta(r, "controle"))
	if err != nil {
		return err
	}
	if v.Circuit != controle.CircuitMSO || v.ObjectifPct == 0 || v.Debut.IsZero() {
		return fail(medconseil.FieldErrorf("reference", "le suivi mensuel suppose une MSO proposée, avec son objectif et sa période"))
	}
	if v.RPPS == "" {
		return fail(medconseil.FieldErrorf("reference", "procédure sans RPPS : ses arrêts ne peuvent être reconnus dans les données"))
	}
	ref := 0
	if t := strings.TrimSpace(r.PostFormValue("reference")); t != "" {
		if ref, err = strconv.Atoi(t); err != nil || ref <= 0 || ref > 100000 {
			return fail(medconseil.FieldErrorf("reference", "moyenne de référence illisible : un nombre entier de jours par mois, positif"))
		}
	}
	dir, err := s.detectDir()
	if err != nil {
		return fail(err)
	}
	if dir == "" {
		return fail(noData())
	}
	today := medconseil.DateOf(s.DB.Now())
	au := v.Fin
	if au.After(today) {
		au = today
	}
	if au.Before(v.Debut) {
		return fail(medconseil.FieldErrorf("reference", "la période de la MSO commence le %s : aucun mois à mesurer encore", v.Debut.Francais()))
	}
	if ref == 0 {
		before, err := controle.SuiviMensuel(r.Context(), dir, v.Debut.AddMonths(-6), v.Debut.AddDays(-1), v.Professionnel, v.RPPS)
		if err != nil {
			return fail(err)
		}
		total := 0
		for _, m := range before {
			total += m.Jours
		}
		if len(before) > 0 {
			ref = (total + len(before)/2) / len(before)
		}
		if ref == 0 {
			return fail(medconseil.FieldErrorf("reference", "aucun arrêt du RPPS %s dans les 6 mois précédant la MSO : saisir la moyenne de référence", v.RPPS))
		}
	}
	mois, err := controle.SuiviMensuel(r.Context(), dir, v.Debut, au, v.Professionnel, v.RPPS)
	if err != nil {
		return fail(err)
	}
	if err := s.DB.RecordSuivi(r.Context(), a, f.ID, ref, mois, meta(r, "controle")); err != nil {
		return fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d/suivi/mensuel?ok=mesure&n=%d", f.ID, len(mois)), http.StatusSeeOther)
	return nil
}
