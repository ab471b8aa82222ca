package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/lifecycle"
)

// The notification letters of a decision (courrier.Decision.Notifications): on
// every avis (GiveAvis), the letter to the assuré, the one to the prescriber and
// the caisse's copy are written in the transaction of the decision, so that a
// decision is never recorded without its letters nor a letter without its
// decision. For an accord tacite or a reconnaissance implicite fired by the
// deadline sweep, the sweep's transaction writes a job instead and the letter
// worker renders them afterwards (courrier_outbox.go): the same guarantee, through
// the job row.

// courriersAvis writes the letters of the avis v that a just gave on dossier id.
func (t *Tx) courriersAvis(ctx context.Context, a *medconseil.Acteur, id int64, v medconseil.Avis) error {
	now := t.now()
	d, err := t.decisionOf(ctx, id, now)
	if err != nil {
		return err
	}
	d.Issue, d.Sens, d.EffetAu, d.Motif = courrier.IssueAvis, v.Sens, v.EffetAu, v.Motif
	d.Signataire = a.Nom
	if d.Signataire == "" {
		d.Signataire = a.Login
	}
	_, err = t.addNotifications(ctx, id, d, a, now)
	return err
}

// addNotifications writes the letters of decision d on dossier id and returns how
// many it wrote.
func (t *Tx) addNotifications(ctx context.Context, id int64, d courrier.Decision, a *medconseil.Acteur, now time.Time) (int, error) {
	ns, err := d.Notifications()
	if err != nil {
		return 0, err
	}
	for _, n := range ns {
		if _, _, err := t.addCourrier(ctx, CourrierInput{DossierID: id, Lettre: n.Lettre, Contenu: n.Contenu, Par: a}, now); err != nil {
			return 0, fmt.Errorf("courrier %s du dossier %d : %w", n.Lettre.Modele, id, err)
		}
	}
	return len(ns), nil
}

// decisionOf reads what the letters of dossier id say besides the decision: type,
// département, assuré (registered identity, else as declared), prescriber, the
// arrêt's dates, the date of the letters.
func (t *Tx) decisionOf(ctx context.Context, id int64, now time.Time) (courrier.Decision, error) {
	var d courrier.Decision
	r, ok, err := t.loadRow(ctx, id)
	if err != nil {
		return d, err
	}
	if !ok {
		return d, medconseil.NotFound("Dossier")
	}
	d.Type, d.Departement, d.Prescripteur, d.Employeur = r.Type, r.Departement, r.Prescripteur, r.employeur
	d.Date = medconseil.DateOf(now)
	d.Assure, d.AssureDeclare = r.decl, r.decl
	var nom, prenom, residence string
	var naissance medconseil.Date
	err = t.QueryRow(ctx, `SELECT nom, prenom, naissance, residence FROM assure WHERE nir = ?`, r.nir).Scan(&nom, &prenom, &naissance, &residence)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return d, medconseil.Internal(err)
	default:
		d.Assure = medconseil.Assure{NIR: medconseil.NIR(r.nir), Nom: nom, Prenom: prenom, Naissance: naissance, Residence: residence}
	}
	if d.Type == medconseil.TypeArretTravail {
		err := t.QueryRow(ctx, `SELECT debut, fin FROM arret WHERE dossier_id = ?`, id).Scan(&d.Debut, &d.Fin)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return d, medconseil.Internal(err)
		}
	}
	if d.AdresseLigne, err = t.communeLigne(ctx, d.Assure.Residence); err != nil {
		return d, err
	}
	return d, nil
}

// communeLigne returns the town line of an address, "67000 STRASBOURG", from the
// communes référentiel in force; "" when it was not imported or lacks the commune.
func (t *Tx) communeLigne(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	var js string
	err := t.QueryRow(ctx, `SELECT l.champs FROM referentiel_ligne l JOIN referentiel_version v ON v.id = l.version_id
		WHERE v.source = 'communes-centroides' AND v.courante = 1 AND l.code = ? LIMIT 1`, code).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", medconseil.Internal(err)
	}
	var f []string
	if err := json.Unmarshal([]byte(js), &f); err != nil || len(f) < 3 {
		return "", nil
	}
	// code_commune_INSEE, nom_commune_postal, codes_postaux…
	cp, _, _ := strings.Cut(f[2], " ")
	cp, _, _ = strings.Cut(cp, ";")
	cp, _, _ = strings.Cut(cp, "|")
	return strings.TrimSpace(cp + " " + f[1]), nil
}

// tacitFiring is a deadline that changed the state of its dossier in a sweep
// batch: its letters are asked for in the batch (enqueueCourriers).
type tacitFiring struct {
	dossier  int64
	echeance int64
	def      *lifecycle.Echeance
	due      medconseil.Date
}
