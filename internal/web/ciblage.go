package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/detect"
	"medconseil/internal/sqldb"
)

// Control of professionals (issue 14 §1–3): the targeting list, the fraud
// alerts and each professional's profile with its funnels, computed by
// internal/detect over the Parquet of Config.DetectData. Claims lines are
// health data: only the médecin chef, the praticiens-conseils and the
// statisticien see profiles; the targeting list is the médecin chef's. Every
// view is journaled (finalité "controle") before anything is shown.

func (s *Server) ciblageRoutes() {
	c := &ciblage{s: s}
	s.mux.Handle("GET /controle/ciblage", s.page(c.ciblage))
	s.mux.Handle("GET /controle/profils/{pro}", s.page(c.profil))
	s.mux.Handle("POST /controle/ciblage/procedure", s.page(c.ouvrir))
	s.addNav("/controle/ciblage", "Ciblage des professionnels", canTarget)
}

// canTarget: the targeting list is drawn up by the médecin-conseil chef de service.
func canTarget(a *medconseil.Acteur) bool {
	return a != nil && a.Has(medconseil.RoleMedecinChef)
}

// canProfile: profiles are read by the médecin chef, the praticiens-conseils
// and the statisticien (issue 14, Safety).
func canProfile(a *medconseil.Acteur) bool {
	return a != nil && (a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RolePraticienConseil) || a.Has(medconseil.RoleStatisticien))
}

// ciblage holds the detection run, computed once in the background on first
// use (profiling a whole region and running the fraud rules take minutes)
// and kept for the life of the server.
type ciblage struct {
	s       *Server
	mu      sync.Mutex
	started time.Time     // zero until the run is started
	ready   chan struct{} // closed when run or err is set
	run     *ciblageRun
	err     error
}

type ciblageRun struct {
	res     *detect.Result
	alerts  []detect.Alert
	rpps    map[string]string // PFS_PFS_NUM → RPPS (MC_PRA_R)
	year    int
	at      time.Time
	elapsed time.Duration
}

// computing is get's answer while the run is under way.
type computing struct{ since time.Duration }

func (e *computing) Error() string {
	return fmt.Sprintf("profils en cours de calcul depuis %d s", int(e.since.Seconds()))
}

// get returns the run, starting it on first use and waiting for it at most
// Config.DetectWait; past that, a *computing error (the caller shows the
// preparation page, and the run goes on).
func (c *ciblage) get(ctx context.Context) (*ciblageRun, error) {
	c.mu.Lock()
	if c.ready == nil {
		dir, err := c.s.detectDir()
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		if dir == "" {
			c.mu.Unlock()
			return nil, &medconseil.Error{Code: medconseil.ECONFLICT, Message: "données de contrôle non configurées : démarrer le serveur avec --donnees-controle RÉPERTOIRE (ou MEDCONSEIL_DETECT_DATA), le répertoire des Parquet SNDS"}
		}
		c.ready, c.started = make(chan struct{}), time.Now()
		go c.compute(context.WithoutCancel(ctx), dir)
	}
	ready, started := c.ready, c.started
	c.mu.Unlock()
	wait := c.s.Config.DetectWait
	if wait <= 0 {
		wait = 20 * time.Second
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ready:
		return c.run, c.err
	case <-t.C:
		return nil, &computing{since: time.Since(started)}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// compute runs the profiling, the targeting with its confirmation and the
// fraud rules, detached from the request that started it (a closed page must
// not leave a half run), within 10 minutes.
func (c *ciblage) compute(ctx context.Context, dir string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	t0 := time.Now()
	run, err := func() (*ciblageRun, error) {
		db, err := detect.Open(ctx, dir)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		pr, res, err := detect.Run(ctx, db, detect.DefaultOptions)
		if err != nil {
			return nil, err
		}
		alerts, err := detect.RunRules(ctx, db, detect.RuleOptions{Reference: c.s.Config.DetectReference, Targeting: res})
		if err != nil {
			return nil, err
		}
		rpps, err := controle.RPPSOf(ctx, dir)
		if err != nil {
			return nil, err
		}
		return &ciblageRun{res: res, alerts: alerts, rpps: rpps, year: pr.Year}, nil
	}()
	if err != nil {
		c.s.Log.Error("contrôle des professionnels", "err", err)
		err = &medconseil.Error{Code: medconseil.EINTERNAL, Message: "calcul des profils impossible", Err: err}
	} else {
		run.at, run.elapsed = c.s.DB.Now(), time.Since(t0)
	}
	c.mu.Lock()
	c.run, c.err = run, err
	close(c.ready)
	c.mu.Unlock()
}

// getOrShow is get for a page handler: while the run is under way it renders
// the preparation page (503, Retry-After) and returns ok = false.
func (c *ciblage) getOrShow(w http.ResponseWriter, r *http.Request) (run *ciblageRun, ok bool, err error) {
	run, err = c.get(r.Context())
	var busy *computing
	if errors.As(err, &busy) {
		return nil, false, c.s.showComputing(w, r, busy.since)
	}
	return run, err == nil, err
}

type ciblageView struct {
	Flags []detect.Flag
	// Ecartes are the flags withdrawn at confirmation, with why.
	Ecartes []detect.Unconfirmed
	Alerts  []detect.Alert
	Rules   []detect.Rule
	Year    int
	Scored  int
	At      time.Time
	Budget  float64
	Elapsed time.Duration
	// RPPS pre-fills the form that opens a procedure; Ouvrable says whether the
	// reader may open one on that professional (his département).
	RPPS     map[string]string
	Ouvrable map[string]bool
	Premiere map[int]bool // the first alert of its professional and rule carries the form
}

// ciblage is the targeting list: the flagged professionals within the budget,
// then the alerts of the fraud rules, each with a link to the profile.
func (c *ciblage) ciblage(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !canTarget(a) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "la liste de ciblage est réservée au médecin-conseil chef de service"}
	}
	if preparing, left := c.s.detectPreparing(); preparing {
		return c.s.showPreparing(w, r, left)
	}
	run, ok, err := c.getOrShow(w, r)
	if !ok {
		return err
	}
	return c.show(w, r, http.StatusOK, run, nil)
}

// show renders the targeting list, with formErr when opening a procedure from it
// was refused.
func (c *ciblage) show(w http.ResponseWriter, r *http.Request, status int, run *ciblageRun, formErr error) error {
	a := acteurOf(r)
	if err := c.s.DB.Journal(r.Context(), a, "controle.ciblage", "liste de ciblage", meta(r, "controle"), sqldb.ResultOK); err != nil {
		return err
	}
	d := ciblageView{
		Flags: run.res.Flags, Ecartes: run.res.Unconfirmed, Alerts: run.alerts, Rules: detect.Rules, Year: run.year, Scored: len(run.res.Scored),
		At: run.at, Budget: run.res.Options.Budget * 100, Elapsed: run.elapsed.Round(time.Second),
		RPPS: run.rpps, Ouvrable: map[string]bool{}, Premiere: map[int]bool{}}
	ouvrable := func(pro string) {
		if _, done := d.Ouvrable[pro]; done || len(pro) < 2 {
			return
		}
		roles := c.s.DB.Policy.ControleRoles(a, pro[:2])
		d.Ouvrable[pro] = slices.Contains(roles, medconseil.RoleMedecinChef) || slices.Contains(roles, medconseil.RoleMedecinRegional)
	}
	for _, f := range run.res.Flags {
		ouvrable(f.Professionnel)
	}
	seen := map[[2]string]bool{}
	for i, al := range run.alerts {
		ouvrable(al.Professionnel)
		k := [2]string{al.Professionnel, al.Regle}
		if !seen[k] {
			seen[k], d.Premiere[i] = true, true
		}
	}
	v := view{Title: "Ciblage des professionnels", Data: d}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
		v.Error = c.s.domainError(r, formErr)
	}
	return c.s.render(w, r, status, "controle_ciblage", v)
}

type profilRow struct {
	Label, Unit               string
	O, E, SR, Shrunk, Z, ZRaw float64
	Limit95, Limit998         float64
	Peers                     int
	Group                     string
	Outlier                   bool
	SVG                       template.HTML
}

type profilView struct {
	Num, Profession string
	Patients        int64
	Year            int
	Rows            []profilRow
	Flags           []detect.Flag
	Ecartes         []detect.Unconfirmed // flags withdrawn at confirmation
	Alerts          []detect.Alert
	At              time.Time
}

// profil is one professional's page: every indicator standardised, on its
// funnel (SVG, his point in red), his flags and alerts. Printable.
func (c *ciblage) profil(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !canProfile(a) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "les profils des professionnels sont réservés au médecin chef, aux praticiens-conseils et au statisticien"}
	}
	num := r.PathValue("pro")
	if len(num) != 8 {
		return medconseil.FieldErrorf("pro", "numéro de professionnel « %s » invalide : 8 caractères attendus (PFS_EXE_NUM)", truncateRunes(num, 20))
	}
	if preparing, left := c.s.detectPreparing(); preparing {
		return c.s.showPreparing(w, r, left)
	}
	run, ok, err := c.getOrShow(w, r)
	if !ok {
		return err
	}
	v := profilView{Num: num, Year: run.year, At: run.at}
	for _, f := range run.res.Funnels {
		for _, p := range f.Points {
			if p.Pro.Num != num {
				continue
			}
			v.Profession, v.Patients = detect.ProfessionLabel(p.Pro.Profession, false), p.Pro.Patients
			ind := detect.Indicators[f.Indicator]
			var svg bytes.Buffer
			if err := detect.WriteFunnelSVG(&svg, f, num); err != nil {
				return medconseil.Internal(err)
			}
			sh := f.Show(p) // durations per arrêt for a Log indicator
			unit := ind.Unit
			if ind.Log {
				unit = "jours par arrêt (moyenne géométrique des durées normalisées par rang)"
			}
			v.Rows = append(v.Rows, profilRow{Label: ind.Label, Unit: unit, O: sh.O, E: sh.E, SR: sh.Ratio, Shrunk: sh.Shrunk, Z: p.ZAdj, ZRaw: p.Z,
				Limit95: sh.Limit95, Limit998: sh.Limit998, Peers: len(f.Points), Group: f.Group, Outlier: p.ZAdj > detect.Z998,
				// The SVG is written by detect.WriteFunnelSVG: numbers and escaped text only.
				SVG: template.HTML(svg.String())})
		}
	}
	for _, f := range run.res.Flags {
		if f.Professionnel == num {
			v.Flags = append(v.Flags, f)
		}
	}
	for _, u := range run.res.Unconfirmed {
		if u.Flag.Professionnel == num {
			v.Ecartes = append(v.Ecartes, u)
		}
	}
	for _, al := range run.alerts {
		if al.Professionnel == num || al.Partenaire == num {
			v.Alerts = append(v.Alerts, al)
		}
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Z > v.Rows[j].Z })
	if len(v.Rows) == 0 && len(v.Alerts) == 0 {
		// Journaled too: someone looked for this number.
		if err := c.s.DB.Journal(r.Context(), a, "controle.profil", "professionnel "+num, meta(r, "controle"), sqldb.ResultRefused); err != nil {
			return err
		}
		return medconseil.NotFound("Profil du professionnel " + num)
	}
	if err := c.s.DB.Journal(r.Context(), a, "controle.profil", "professionnel "+num, meta(r, "controle"), sqldb.ResultOK); err != nil {
		return err
	}
	return c.s.render(w, r, http.StatusOK, "controle_profil", view{Title: "Profil du professionnel " + num, Data: v})
}

func init() { funcs["fr"] = frDecimal }

// frDecimal formats a number the French way for the control pages.
func frDecimal(x float64, dec int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return detect.FormatFr(x, dec)
}
