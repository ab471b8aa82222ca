package web

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"medconseil"
	"medconseil/internal/controle"
)

// The claims data being prepared (the demo generates its synthetic region in the
// background, Config.DetectStatus), and the procedure opened from a line of the
// targeting page: a flag of the profiles or an alert of the fraud rules opens the
// investigation of that professional, a MSO/MSAP procedure (docs/controle.md).

// detectPreparing reports whether the claims data is still being prepared and
// about how long it should take.
func (s *Server) detectPreparing() (bool, time.Duration) {
	if s.Config.DetectStatus == nil {
		return false, 0
	}
	preparing, left, _ := s.Config.DetectStatus()
	return preparing, left
}

// detectDir returns the claims data directory, "" when the server has none;
// while it is being prepared, or when its preparation failed, the error says so.
func (s *Server) detectDir() (string, error) {
	if st := s.Config.DetectStatus; st != nil {
		preparing, left, err := st()
		if preparing {
			return "", medconseil.FieldErrorf("data", "%s : réessayer dans un instant", preparingText(left))
		}
		if err != nil {
			return "", &medconseil.Error{Code: medconseil.ECONFLICT, Message: "données de contrôle indisponibles : leur préparation a échoué (" + err.Error() + ")", Err: err}
		}
	}
	return s.Config.DetectData, nil
}

func preparingText(left time.Duration) string {
	return fmt.Sprintf("données de contrôle en cours de préparation (environ %d s)", int(math.Ceil(max(left, time.Second).Seconds())))
}

type preparationView struct {
	Message  string
	Detail   string
	URL      string
	Secondes int
}

// showPreparing is the page of a control page asked for while its data is being
// prepared: 503 with Retry-After, the time left and a link to reload the page.
func (s *Server) showPreparing(w http.ResponseWriter, r *http.Request, left time.Duration) error {
	secs := int(math.Ceil(max(left, time.Second).Seconds()))
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	return s.render(w, r, http.StatusServiceUnavailable, "controle_preparation", view{Title: "Données de contrôle en préparation",
		Data: preparationView{Message: preparingText(left), URL: reloadURL(r), Secondes: secs,
			Detail: "Le serveur de démonstration génère une région synthétique (Parquet SNDS) pour les profils, le ciblage et les règles de fraude ; la page sera prête dans un instant."}})
}

// reloadURL is the page the preparation page's link reloads: the page asked
// for, or the targeting list when a form was posted (its route is POST only).
func reloadURL(r *http.Request) string {
	if r.Method != http.MethodGet {
		return "/controle/ciblage"
	}
	return r.URL.RequestURI()
}

// showComputing is the page of a control page asked for while the profiles
// and fraud rules are being computed (the first time since the server
// started): 503 with Retry-After, how long it has run and a link to reload.
func (s *Server) showComputing(w http.ResponseWriter, r *http.Request, since time.Duration) error {
	w.Header().Set("Retry-After", "15")
	return s.render(w, r, http.StatusServiceUnavailable, "controle_preparation", view{Title: "Profils en cours de calcul",
		Data: preparationView{Message: fmt.Sprintf("Profils, ciblage et règles de fraude en cours de calcul depuis %d s", int(since.Seconds())), URL: reloadURL(r), Secondes: 15,
			Detail: "Ils sont calculés une fois, au premier accès depuis le démarrage du serveur, puis gardés : une région entière demande quelques minutes. Le calcul continue même si cette page est fermée."}})
}

// ciblageLot is the lot of the propositions opened from the targeting page.
func ciblageLot(year int) string { return fmt.Sprintf("ciblage %d (page de ciblage)", year) }

// ouvrir opens the procedure of a professional from a line of the targeting
// page: the flag (profiles) or the alerts (fraud rules) of the current run give
// the anomaly, the score and the explanation; the form gives the RPPS,
// pre-filled from MC_PRA_R. The médecin chef of the professional's département
// only (the store checks it and journals the attempt).
func (c *ciblage) ouvrir(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !canTarget(a) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "l'ouverture d'une procédure depuis la liste de ciblage est réservée au médecin-conseil chef de service"}
	}
	if preparing, left := c.s.detectPreparing(); preparing {
		return c.s.showPreparing(w, r, left)
	}
	run, ok, err := c.getOrShow(w, r)
	if !ok {
		return err
	}
	pro, anomalie := r.PostFormValue("professionnel"), r.PostFormValue("anomalie")
	var p *controle.Proposition
	for _, f := range run.res.Flags {
		if f.Professionnel == pro && f.Anomalie == anomalie {
			p = &controle.Proposition{Professionnel: pro, Anomalie: anomalie, Score: f.Score, Explication: f.Explication}
			break
		}
	}
	if p == nil {
		n := 0
		for _, al := range run.alerts {
			if al.Professionnel != pro || al.Regle != anomalie {
				continue
			}
			if n == 0 {
				p = &controle.Proposition{Professionnel: pro, Anomalie: anomalie, Score: al.Valeur, Explication: al.Explication}
			}
			n++
		}
		if n > 1 {
			p.Explication += fmt.Sprintf(" (et %d autres alertes de la même règle)", n-1)
		}
	}
	if p == nil {
		return medconseil.NotFound(fmt.Sprintf("Signalement %s du professionnel %s", truncateRunes(anomalie, 64), truncateRunes(pro, 20)))
	}
	id, err := c.s.DB.OpenFromCiblage(r.Context(), a, ciblageLot(run.year), *p, r.PostFormValue("rpps"), meta(r, "controle"))
	if err != nil {
		if code := medconseil.ErrorCode(err); code == medconseil.EINVALID || code == medconseil.ECONFLICT {
			return c.show(w, r, statusOf(code), run, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/controle/%d?ok=ouverture", id), http.StatusSeeOther)
	return nil
}
