package web

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/sqldb"
)

// The dashboards (issue 10 §4, docs/tableau-de-bord.md): GET /tableau-de-bord and
// GET /api/v1/tableau-de-bord. The store computes the figures within the actor's
// territory (sqldb.Tableau); this file reads the period and draws the map and the
// charts as SVG on the server, each followed by its table.

func (s *Server) tableauRoutes() {
	s.mux.Handle("GET /tableau-de-bord", s.page(s.tableauPage))
	s.mux.Handle("GET /api/v1/tableau-de-bord", s.api(s.apiTableau))
	s.addNav("/tableau-de-bord", "Tableau de bord", s.DB.Policy.CanDashboard)
}

// tableauQuery reads the period: du and au (AAAA-MM-JJ or JJ/MM/AAAA), by default
// the last 12 months — from the first day of the month eleven months before
// today's to today.
func (s *Server) tableauQuery(r *http.Request) (du, au string, q sqldb.TableauQuery, err error) {
	today := medconseil.DateOf(s.DB.Now().In(paris))
	v := r.URL.Query()
	du, au = strings.TrimSpace(v.Get("du")), strings.TrimSpace(v.Get("au"))
	q = sqldb.TableauQuery{Aujourdhui: today, Meta: meta(r, "pilotage")}
	q.Au = today
	q.Du = medconseil.NewDate(today.Year(), today.Month(), 1).AddMonths(-11)
	var errs []error
	for _, p := range []struct {
		name string
		val  string
		dst  *medconseil.Date
	}{{"du", du, &q.Du}, {"au", au, &q.Au}} {
		if len(v[p.name]) > 1 {
			errs = append(errs, medconseil.FieldErrorf(p.name, "paramètre « %s » donné %d fois : une seule date attendue", p.name, len(v[p.name])))
			continue
		}
		if p.val == "" {
			continue
		}
		d, perr := medconseil.ParseDate(p.val)
		if perr != nil {
			errs = append(errs, medconseil.Prefix(p.name, perr))
			continue
		}
		*p.dst = d
	}
	if len(errs) == 0 {
		errs = append(errs, q.Validate())
	}
	if du == "" {
		du = q.Du.String()
	}
	if au == "" {
		au = q.Au.String()
	}
	return du, au, q, errors.Join(errs...)
}

// tableau reads the period and asks the store; a role without a dashboard is
// refused (and journaled) whatever the period.
func (s *Server) tableau(r *http.Request) (du, au string, t *sqldb.Tableau, err error) {
	du, au, q, qerr := s.tableauQuery(r)
	if qerr != nil && s.DB.Policy.CanDashboard(acteurOf(r)) {
		return du, au, nil, qerr
	}
	t, err = s.DB.Tableau(r.Context(), acteurOf(r), q)
	return du, au, t, err
}

// apiTableau answers the figures as JSON (docs/tableau-de-bord.md).
func (s *Server) apiTableau(w http.ResponseWriter, r *http.Request) error {
	_, _, t, err := s.tableau(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Territoire string `json:"territoire"`
		*sqldb.Tableau
	}{territoireLabel(t), t})
	return nil
}

type tableauData struct {
	Du, Au        string
	T             *sqldb.Tableau
	Territoire    string
	Carte         template.HTML
	CarteErreur   string
	ChartVolumes  template.HTML
	ChartDelais   template.HTML
	Mois, Types   []sqldb.TableauLigne
	Echelons      []sqldb.TableauLigne
	PeriodeTexte  string
	SecretTexte   string
	RetardSurOuvr string
}

func (s *Server) tableauPage(w http.ResponseWriter, r *http.Request) error {
	du, au, t, err := s.tableau(r)
	d := tableauData{Du: du, Au: au}
	if err != nil {
		if medconseil.ErrorCode(err) != medconseil.EINVALID {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "tableau", view{Title: "Tableau de bord", Data: d, Fields: fieldMap(err)})
	}
	d.T, d.Territoire = t, territoireLabel(t)
	d.PeriodeTexte = fmt.Sprintf("Dossiers reçus du %s au %s ; état au %s.", t.Du.Francais(), t.Au.Francais(), t.Aujourdhui.Francais())
	if t.Secret {
		d.SecretTexte = fmt.Sprintf("Secret statistique : un effectif de 1 à %d est affiché « %s » ; un effectif plus grand qui permettrait de le retrouver par différence avec un total est affiché « %s » ; un délai médian calculé sur moins de %d avis n'est pas affiché.", t.Seuil-1, sqldb.MasquePetit, sqldb.MasqueSecret, t.Seuil)
	}
	d.Mois, d.Types, d.Echelons = t.ParMois, nonEmpty(t.ParType), t.ParEchelon
	c, cerr := s.carte.get(s.Config.ReferenceDir)
	if cerr != nil {
		s.Log.Warn("carte du tableau de bord indisponible", "err", cerr)
		d.CarteErreur = "Carte indisponible (contours des départements introuvables) : les chiffres par échelon sont dans le tableau ci-dessous."
	} else {
		d.Carte = carteSVG(c, t)
	}
	d.ChartVolumes = barChart("graphe-volumes", "Dossiers reçus par mois", "Nombre de dossiers reçus chaque mois de la période ; les valeurs sont dans le tableau « Activité mensuelle ».", t.ParMois,
		func(l sqldb.TableauLigne) (float64, string, string) {
			return float64(l.Recus.N), l.Recus.String(), l.Recus.Masque
		}, "dossiers reçus")
	d.ChartDelais = barChart("graphe-delais", "Délai médian de la réception à l'avis, par mois de réception", "Délai médian en jours entre la réception du dossier et l'avis, pour les dossiers reçus chaque mois ; les valeurs sont dans le tableau « Activité mensuelle ».", t.ParMois,
		func(l sqldb.TableauLigne) (float64, string, string) {
			return l.Delai.Jours, l.Delai.String(), l.Delai.Masque
		}, "de délai médian")
	return s.render(w, r, http.StatusOK, "tableau", view{Title: "Tableau de bord", Data: d})
}

// nonEmpty keeps the lines with at least one dossier (or a masked count).
func nonEmpty(ls []sqldb.TableauLigne) []sqldb.TableauLigne {
	var out []sqldb.TableauLigne
	for _, l := range ls {
		if l.Recus.N > 0 || l.Recus.Masque != "" {
			out = append(out, l)
		}
	}
	return out
}

// territoireLabel names the territory counted: one échelon by its name, the ten
// échelons of Grand Est as the region, else the list of départements.
func territoireLabel(t *sqldb.Tableau) string {
	switch {
	case t == nil || len(t.ParEchelon) == 0:
		return "aucun échelon"
	case len(t.ParEchelon) == 1:
		return t.ParEchelon[0].Libelle + " (" + t.ParEchelon[0].Cle + ")"
	case strings.Join(t.Departements, " ") == "08 10 51 52 54 55 57 67 68 88":
		return "région Grand Est"
	}
	return "départements " + strings.Join(t.Departements, ", ")
}

// The map's classes: a sequential blue scale (ColorBrewer Blues), with the text
// colour that keeps a contrast of at least 4.5:1 on each.
var carteClasses = []struct{ fill, text string }{
	{"#eff3ff", "#1a1a1a"}, {"#bdd7e7", "#1a1a1a"}, {"#6baed6", "#1a1a1a"}, {"#2171b5", "#ffffff"}, {"#08519c", "#ffffff"},
}

const (
	carteHors   = "#f7f7f7" // outside the actor's territory
	carteSecret = "#d0d0d0" // a masked count
)

// carteSVG draws the choropleth of the dossiers received per échelon. Each
// département is a link to its row of the table that follows (keyboard: Tab), with
// its name and figures as accessible name.
func carteSVG(c *carte, t *sqldb.Tableau) template.HTML {
	lines := map[string]sqldb.TableauLigne{}
	maxN := 0
	for _, l := range t.ParEchelon {
		lines[l.Cle] = l
		maxN = max(maxN, l.Recus.N)
	}
	step := max(1, int(math.Ceil(float64(maxN+1)/float64(len(carteClasses)))))
	class := func(n int) int { return min(len(carteClasses)-1, n/step) }
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<svg class="carte-geo" viewBox="0 0 %g %g" width="%g" height="%g" role="group" aria-labelledby="carte-titre carte-desc" xmlns="http://www.w3.org/2000/svg">`, c.Width, c.Height+70, c.Width, c.Height+70)
	fmt.Fprintf(&b, `<title id="carte-titre">Dossiers reçus par échelon (département)</title><desc id="carte-desc">Carte des départements du Grand Est colorés selon le nombre de dossiers reçus sur la période ; chaque département renvoie à sa ligne du tableau « Chiffres par échelon ».</desc>`)
	for _, d := range c.Deps {
		l, ok := lines[d.Code]
		fill := carteHors
		name := fmt.Sprintf("%s (%s) : hors de votre territoire", d.Nom, d.Code)
		switch {
		case ok && l.Recus.Masque != "":
			fill = carteSecret
		case ok:
			fill = carteClasses[class(l.Recus.N)].fill
		}
		if ok {
			name = fmt.Sprintf("%s (%s) : %s, %s, %s en retard, délai médian %s", d.Nom, d.Code, effectif(l.Recus, "dossier reçu", "dossiers reçus"), effectif(l.Ouverts, "ouvert", "ouverts"), l.EnRetard, l.Delai)
			fmt.Fprintf(&b, `<a href="#echelon-%s" aria-label="%s">`, e(d.Code), e(name))
		}
		fmt.Fprintf(&b, `<path d="%s" fill="%s" stroke="#4d4d4d" stroke-width="0.8"><title>%s</title></path>`, d.Path, fill, e(name))
		if ok {
			b.WriteString(`</a>`)
		}
	}
	// The labels after every outline, so that none is covered.
	b.WriteString(`<g aria-hidden="true" font-size="12" text-anchor="middle" pointer-events="none">`)
	for _, d := range c.Deps {
		l, ok := lines[d.Code]
		if !ok {
			continue
		}
		text, label := "#1a1a1a", l.Recus.String()
		if l.Recus.Masque == "" {
			text = carteClasses[class(l.Recus.N)].text
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" fill="%s"><tspan font-weight="bold">%s</tspan><tspan x="%g" dy="14">%s</tspan></text>`, d.X, d.Y-4, text, e(d.Code), d.X, e(label))
	}
	b.WriteString(`</g>`)
	// Legend.
	y := c.Height + 10
	fmt.Fprintf(&b, `<g aria-hidden="true" font-size="11" fill="#1a1a1a"><text x="8" y="%g">Dossiers reçus :</text>`, y+12)
	x := 100.0
	for i, k := range carteClasses {
		lo, hi := i*step, (i+1)*step-1
		if i == len(carteClasses)-1 {
			hi = max(hi, maxN)
		}
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="14" height="14" fill="%s" stroke="#4d4d4d"/><text x="%g" y="%g">%d–%d</text>`, x, y+1, k.fill, x+18, y+12, lo, hi)
		x += 84
	}
	y += 24
	fmt.Fprintf(&b, `<rect x="8" y="%g" width="14" height="14" fill="%s" stroke="#4d4d4d"/><text x="26" y="%g">hors territoire</text>`, y, carteHors, y+11)
	if t.Secret {
		fmt.Fprintf(&b, `<rect x="130" y="%g" width="14" height="14" fill="%s" stroke="#4d4d4d"/><text x="148" y="%g">effectif masqué (secret statistique)</text>`, y, carteSecret, y+11)
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// barChart draws one bar per month. value returns the bar's height, its text and
// its mask (a masked value draws no bar, only its mask as text).
func barChart(id, title, desc string, ls []sqldb.TableauLigne, value func(sqldb.TableauLigne) (float64, string, string), unit string) template.HTML {
	const w, h, left, bottom, top = 640.0, 240.0, 44.0, 48.0, 16.0
	maxV := 0.0
	for _, l := range ls {
		v, _, _ := value(l)
		maxV = math.Max(maxV, v)
	}
	tick := niceStep(maxV / 4)
	top4 := math.Max(tick*4, tick)
	e := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="graphe" id="%s" viewBox="0 0 %g %g" width="%g" height="%g" role="img" tabindex="0" aria-labelledby="%s-titre %s-desc" xmlns="http://www.w3.org/2000/svg">`, id, w, h, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-titre">%s</title><desc id="%s-desc">%s</desc>`, id, e(title), id, e(desc))
	plotH := h - bottom - top
	y := func(v float64) float64 { return top + plotH - v/top4*plotH }
	fmt.Fprintf(&b, `<g font-size="11" fill="#1a1a1a">`)
	for i := 0; i <= 4; i++ {
		v := tick * float64(i)
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#bdbdbd" stroke-width="1"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`, left, w-4, y(v), y(v), left-4, y(v)+4, strconv.FormatFloat(v, 'f', -1, 64))
	}
	n := float64(max(1, len(ls)))
	bw := (w - left - 8) / n
	for i, l := range ls {
		v, text, mask := value(l)
		x := left + float64(i)*bw
		if mask == "" && v > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2171b5"><title>%s : %s %s</title></rect>`, x+bw*0.15, y(v), bw*0.7, top+plotH-y(v), e(l.Libelle), e(text), e(unit))
		}
		if mask != "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+bw/2, top+plotH-4, e(mask))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+bw/2, h-bottom+14, e(moisCourt(l.Cle)))
		if i == 0 || strings.HasSuffix(l.Cle, "-01") {
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+bw/2, h-bottom+28, e(l.Cle[:4]))
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#1a1a1a"/></g></svg>`, left, w-4, top+plotH, top+plotH)
	return template.HTML(b.String())
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten (at least 1).
func niceStep(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

var moisCourts = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// moisCourt turns "2026-03" into "mars".
func moisCourt(k string) string {
	m, err := strconv.Atoi(k[5:7])
	if err != nil || m < 1 || m > 12 {
		return k
	}
	return moisCourts[m-1]
}

// effectif writes a count and its noun agreed with it; a masked count (« < 5 »,
// « secret ») takes the plural.
func effectif(e sqldb.Effectif, singulier, pluriel string) string {
	if e.Masque != "" {
		return e.String() + " " + pluriel
	}
	return e.String() + " " + accord(e.N, singulier, pluriel)
}
