package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/lifecycle"
)

// CycleVue is what the dossier page shows of a dossier's lifecycle: its state,
// its legal deadlines (pending first, with the days left), the history of its
// transitions and the transitions the reader may make now. Nothing in it is
// clinical: deadlines, states and the journal's actions are administrative.
type CycleVue struct {
	Etat       medconseil.Etat
	Aujourdhui medconseil.Date
	EnCours    []EcheanceVue // pending deadlines, nearest first
	Passees    []EcheanceVue // fired or cancelled
	Historique []EvenementVue
	Possibles  []TransitionVue
}

// EcheanceVue is one deadline as shown: its lifecycle definition (label, effect,
// legal sources) and its row (dates, status).
type EcheanceVue struct {
	Echeance
	Libelle  string
	Duree    string // "15 jours", "30 jours francs"
	Effet    string
	Vers     medconseil.Etat
	Sources  []lifecycle.Source
	Interne  bool
	Verifier bool
	Note     string
	Restants int // days left until Limite (0: today is the last day; < 0: overdue)
}

// Depassee reports whether the last day of the deadline has passed.
func (e EcheanceVue) Depassee() bool { return e.Restants < 0 }

// Retard returns the days overdue.
func (e EcheanceVue) Retard() int { return -e.Restants }

// StatutLibelle returns the French status of the deadline.
func (e EcheanceVue) StatutLibelle() string {
	switch e.Statut {
	case "attente":
		return "en cours"
	case "declenchee":
		return "échue — effet appliqué"
	case "annulee":
		return "sans objet"
	}
	return e.Statut
}

// EvenementVue is one event of the dossier's history, from the audit journal.
type EvenementVue struct {
	Le      time.Time
	Libelle string
	Par     string
}

// TransitionVue is a transition the reader may make from the current state.
type TransitionVue struct {
	Evenement string
	Libelle   string
	Vers      medconseil.Etat
}

// historyLimit bounds the events shown on the page.
const cycleHistoryLimit = 200

// Cycle returns the lifecycle view of dossier id for a, who has read it through
// the gate (Dossier) in this request: the caller shows it only when the dossier
// was disclosed with its administrative class. The possible transitions are those
// Transition would accept from a: the lifecycle file lists one of a's roles for it
// and the policy lets that role see the dossier. today counts the days left.
func (db *DB) Cycle(ctx context.Context, a *medconseil.Acteur, id int64, today medconseil.Date) (*CycleVue, error) {
	v := &CycleVue{Aujourdhui: today}
	err := db.Read(ctx, func(tx *Tx) error {
		r, err := scanDossier(tx.QueryRow(ctx, `SELECT `+dossierCols+` FROM dossier d WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return medconseil.NotFound("Dossier")
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		if !db.Policy.Classes(a, r.scope()).Has(medconseil.Administratif) {
			return medconseil.NotFound("Dossier")
		}
		v.Etat = r.Etat
		l, ok := db.Lifecycle.Get(r.Type)
		if !ok {
			return nil // a type without a lifecycle file: state only
		}
		if err := tx.cycleEcheances(ctx, l, id, v); err != nil {
			return err
		}
		if err := tx.cycleHistory(ctx, l, id, v); err != nil {
			return err
		}
		for _, tr := range l.Transitions {
			if _, dedicated := dedicatedEvents[tr.Evenement]; dedicated || !slices.Contains(tr.De, r.Etat) {
				continue // the avis has its own form
			}
			allowed := *a
			allowed.Habilitations = nil
			for _, h := range a.Habilitations {
				if tr.Allows([]medconseil.Role{h.Role}) {
					allowed.Habilitations = append(allowed.Habilitations, h)
				}
			}
			if len(allowed.Habilitations) == 0 || db.Policy.Classes(&allowed, r.scope()) == 0 {
				continue
			}
			v.Possibles = append(v.Possibles, TransitionVue{Evenement: tr.Evenement, Libelle: tr.Libelle, Vers: tr.Vers})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (t *Tx) cycleEcheances(ctx context.Context, l *lifecycle.Lifecycle, id int64, v *CycleVue) error {
	rows, err := t.Query(ctx, `SELECT id, dossier_id, nom, depuis, limite, due, statut, tentatives, erreur, motif FROM echeance WHERE dossier_id = ? ORDER BY limite, id`, id)
	if err != nil {
		return medconseil.Internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e EcheanceVue
		if err := rows.Scan(&e.ID, &e.DossierID, &e.Nom, &e.Depuis, &e.Limite, &e.Due, &e.Statut, &e.Tentatives, &e.Erreur, &e.Motif); err != nil {
			return medconseil.Internal(err)
		}
		e.Libelle = e.Nom
		if def, ok := l.Echeance(e.Nom); ok {
			e.Libelle, e.Duree, e.Effet, e.Vers = def.Libelle, def.Duration(), def.Effet.Label(), def.Vers
			e.Sources, e.Interne, e.Verifier, e.Note = def.Sources, def.Interne, def.Verify, def.Note
		}
		e.Restants = daysBetween(v.Aujourdhui, e.Limite)
		if e.Statut == "attente" {
			v.EnCours = append(v.EnCours, e)
		} else {
			v.Passees = append(v.Passees, e)
		}
	}
	return rows.Err()
}

// daysBetween returns the number of days from a to b (negative when b is before a).
func daysBetween(a, b medconseil.Date) int {
	ta := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// cycleHistory reads the dossier's events from the audit journal: its filing, the
// transitions made by users, the deadlines fired by the scheduler and the avis.
func (t *Tx) cycleHistory(ctx context.Context, l *lifecycle.Lifecycle, id int64, v *CycleVue) error {
	rows, err := t.Query(ctx, `SELECT le, login, action FROM audit WHERE objet = ? AND resultat = ? AND
		(action LIKE 'dossier.%' OR action LIKE 'echeance.%' OR action IN ('arret.depot', 'avis.saisie', 'preanalyse.suite', ?))
		ORDER BY seq LIMIT ?`, fmt.Sprintf("dossier:%d", id), ResultOK, historyAction, cycleHistoryLimit+100)
	if err != nil {
		return medconseil.Internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var le, login, action string
		if err := rows.Scan(&le, &login, &action); err != nil {
			return medconseil.Internal(err)
		}
		lib, ok := eventLabel(l, action)
		if !ok {
			continue // a read, not an event
		}
		at, _ := parseTS(le)
		if login == systemLogin {
			login = "medconseil (échéancier)"
		}
		v.Historique = append(v.Historique, EvenementVue{Le: at, Libelle: lib, Par: login})
		if len(v.Historique) == cycleHistoryLimit {
			break
		}
	}
	return rows.Err()
}

// eventLabel names a journaled action as an event of lifecycle l.
func eventLabel(l *lifecycle.Lifecycle, action string) (string, bool) {
	switch action {
	case "dossier.depot", "arret.depot":
		return "Dépôt de la demande (réception et pré-analyse)", true
	case "avis.saisie":
		return "Avis du praticien-conseil", true
	case historyAction:
		return "Import de l'historique (arrêt clos, avis rendu)", true
	case "preanalyse.suite":
		return "Suite donnée à la pré-analyse", true
	}
	if effet, ok := strings.CutPrefix(action, "echeance."); ok {
		if effet == "echec" || effet == "erreur" {
			return "", false
		}
		return "Échéance : " + lifecycle.Effet(effet).Label(), true
	}
	if ev, ok := strings.CutPrefix(action, "dossier."); ok {
		for _, tr := range l.Transitions {
			if tr.Evenement == ev {
				return tr.Libelle, true
			}
		}
	}
	return "", false
}
