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
)

// The contre-visite patronale (issue 13 part 6; REGULATIONS.md §13.7;
// docs/echanges.md): an employer who pays the complementary indemnity has the
// arrêt checked by a doctor of its choice (L1226-1 code du travail). When that
// doctor concludes the arrêt is not justified, or could not examine the assuré,
// he sends his report to the service du contrôle médical within 48 hours, which
// then either asks the caisse to suspend the IJ (an avis) or examines the assuré
// again — mandatory when the assuré could not be examined (L315-1 II 1°–2°).
//
// The intake is the lifecycle event contre_visite of the arrêt (internal/lifecycle/
// cycles/arret_travail.yaml): it starts the deadline action_contre_visite (4 jours
// francs, parameter contre_visite/delai_action_jours, marked to verify: L315-1 II
// sets none), which an avis or a convocation cancels; if it falls due, the sweep
// fires it as a reminder — no tacit decision: the IJ stay due until the caisse
// suspends them on the service's avis. A convocation already planned when the
// report arrives answers it at once. The employer doctor's conclusion is
// administrative (the employer knows it; the caisse is told it), never clinical.

// Conclusions is the closed list of the employer doctor's conclusions.
var ContreVisiteConclusions = []struct{ Code, Libelle string }{
	{"justifie", "Arrêt justifié"},
	{"non_justifie", "Arrêt non justifié"},
	{"absent", "Assuré absent lors de la visite"},
	{"examen_impossible", "Examen impossible"},
}

// ContreVisiteInput is a report as entered; dates AAAA-MM-JJ or JJ/MM/AAAA.
type ContreVisiteInput struct {
	VisiteLe       string `json:"visite_le"`
	RapportLe      string `json:"rapport_le"`
	Conclusion     string `json:"conclusion"`
	ControleurNom  string `json:"controleur_nom"`
	ControleurRPPS string `json:"controleur_rpps"`
	Employeur      string `json:"employeur"`
}

// ContreVisite is one report with the state of the service médical's answer.
type ContreVisite struct {
	ID                int64           `json:"id"`
	DossierID         int64           `json:"dossier"`
	VisiteLe          medconseil.Date `json:"visite_le"`
	RapportLe         medconseil.Date `json:"rapport_le"`
	Conclusion        string          `json:"conclusion"`
	ConclusionLibelle string          `json:"conclusion_libelle"`
	ControleurNom     string          `json:"controleur_nom"`
	ControleurRPPS    string          `json:"controleur_rpps,omitempty"`
	Employeur         string          `json:"employeur,omitempty"`
	// RapportTardif: the report reached the service more than 48 hours after the
	// visit (L315-1 II al. 3) — recorded, not refused.
	RapportTardif bool `json:"rapport_tardif,omitempty"`
	// ExamenObligatoire: the assuré could not be examined, so the service must
	// examine him again (L315-1 II 2°): only a convocation answers.
	ExamenObligatoire bool            `json:"examen_obligatoire,omitempty"`
	Limite            medconseil.Date `json:"limite,omitzero"` // last day for the service to act; zero when none runs
	// Statut: sans_objet (arrêt justifié), en_cours, depasse, satisfait,
	// satisfait_hors_delai.
	Statut        string          `json:"statut"`
	StatutLibelle string          `json:"statut_libelle"`
	JoursRestants int             `json:"jours_restants"`  // negative when overdue
	Suite         string          `json:"suite,omitempty"` // avis, convocation
	SuiteLe       medconseil.Date `json:"suite_le,omitzero"`
	SuiteLibelle  string          `json:"suite_libelle,omitempty"`
	Avertissement string          `json:"avertissement,omitempty"`
	CreePar       string          `json:"cree_par"`
	CreeLe        time.Time       `json:"cree_le"`
}

// dedicatedEvents are the lifecycle events recorded by their own request, with
// their data, never by the generic transition (POST …/evenements, the lifecycle
// section's buttons): the message says where they go.
var dedicatedEvents = map[string]string{
	"avis":          "un avis se rend par POST /api/v1/dossiers/{id}/avis",
	"contre_visite": "le rapport de contre-visite s'enregistre par POST /api/v1/dossiers/{id}/contre-visites (section « Médecin traitant et contre-visites patronales » du dossier)",
}

// contreVisiteEcheance is the name of the lifecycle deadline the intake starts.
const contreVisiteEcheance = "action_contre_visite"

// rapportHeures is the 48 hours of L315-1 II al. 3 (parameter
// contre_visite/rapport_heures): checked against the parameter in the tests.
const rapportHeures = 48

type contreVisiteParsed struct {
	in             ContreVisiteInput
	visite, recu   medconseil.Date
	controleurRPPS string
}

func (in ContreVisiteInput) parse(today medconseil.Date) (contreVisiteParsed, error) {
	p := contreVisiteParsed{in: in}
	var errs []error
	date := func(field, what, s string) medconseil.Date {
		d, err := medconseil.ParseDate(strings.TrimSpace(s))
		if err != nil {
			errs = append(errs, medconseil.FieldErrorf(field, "%s : %s", what, err.(*medconseil.Error).Message))
			return medconseil.Date{}
		}
		if d.After(today) {
			errs = append(errs, medconseil.FieldErrorf(field, "%s (%s) dans le futur", what, d.Francais()))
			return medconseil.Date{}
		}
		return d
	}
	p.visite = date("visite_le", "date de la contre-visite", in.VisiteLe)
	p.recu = date("rapport_le", "date de réception du rapport", in.RapportLe)
	if !p.visite.IsZero() && !p.recu.IsZero() && p.recu.Before(p.visite) {
		errs = append(errs, medconseil.FieldErrorf("rapport_le", "le rapport (reçu le %s) ne peut précéder la contre-visite du %s", p.recu.Francais(), p.visite.Francais()))
	}
	if _, ok := label(ContreVisiteConclusions, in.Conclusion); !ok {
		errs = append(errs, medconseil.FieldErrorf("conclusion", "conclusion « %s » inconnue : %s", in.Conclusion, codes(ContreVisiteConclusions)))
	}
	p.in.ControleurNom = strings.TrimSpace(in.ControleurNom)
	switch n := len([]rune(p.in.ControleurNom)); {
	case n == 0:
		errs = append(errs, medconseil.FieldErrorf("controleur_nom", "nom du médecin contrôleur mandaté par l'employeur manquant"))
	case n > 200:
		errs = append(errs, medconseil.FieldErrorf("controleur_nom", "nom du médecin contrôleur trop long (200 caractères au plus)"))
	}
	if strings.TrimSpace(in.ControleurRPPS) != "" {
		r, err := medconseil.ParseRPPS(in.ControleurRPPS)
		if err != nil {
			errs = append(errs, medconseil.FieldErrorf("controleur_rpps", "%s", err.(*medconseil.Error).Message))
		}
		p.controleurRPPS = string(r)
	}
	p.in.Employeur = strings.TrimSpace(in.Employeur)
	if len([]rune(p.in.Employeur)) > 200 {
		errs = append(errs, medconseil.FieldErrorf("employeur", "nom de l'employeur trop long (200 caractères au plus)"))
	}
	return p, errors.Join(errs...)
}

// AddContreVisite records the report of an employer-mandated doctor on arrêt id,
// in one transaction: the row, the lifecycle event contre_visite with its
// deadline (unless the conclusion is « arrêt justifié », which calls for nothing,
// or a convocation is already planned), the notification to the caisse and the
// journal. The roles are those the lifecycle file lists for contre_visite.
func (db *DB) AddContreVisite(ctx context.Context, a *medconseil.Acteur, id int64, in ContreVisiteInput, m Meta) (*ContreVisite, error) {
	if m.Finalite == "" {
		m.Finalite = "contre_visite"
	}
	today := medconseil.DateOf(db.Now().In(parisTZ))
	p, err := in.parse(today)
	if err != nil {
		return nil, err
	}
	var cvID int64
	err = db.writeGated(ctx, func(tx *Tx) error {
		r, _, err := tx.gate(ctx, a, id, "contre_visite.creation", m)
		if err != nil {
			return err
		}
		objet := fmt.Sprintf("dossier:%d", id)
		if r.Type != medconseil.TypeArretTravail {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: fmt.Sprintf("la contre-visite patronale porte sur un arrêt de travail (article L1226-1 du code du travail) : le dossier n° %d est « %s »", id, r.Type.Label())}
		}
		l, ok := db.Lifecycle.Get(r.Type)
		if !ok {
			return medconseil.Internal(fmt.Errorf("no lifecycle for dossier type %q", r.Type))
		}
		var tr *transitionRoles
		for _, t := range l.Transitions {
			if t.Evenement == "contre_visite" {
				tr = &transitionRoles{libelle: t.Libelle, par: t.Par, de: t.De}
				break
			}
		}
		if tr == nil {
			return medconseil.Internal(fmt.Errorf("%s: no contre_visite transition", l.Fichier))
		}
		allowed := *a
		allowed.Habilitations = nil
		for _, h := range a.Habilitations {
			if slices.Contains(tr.par, string(h.Role)) {
				allowed.Habilitations = append(allowed.Habilitations, h)
			}
		}
		if len(allowed.Habilitations) == 0 || db.Policy.Classes(&allowed, r.scope()) == 0 {
			if err := tx.journal(ctx, a, "contre_visite.creation", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: fmt.Sprintf("« %s » est réservé à : %s", tr.libelle, strings.Join(tr.par, ", "))}}
		}
		now := db.Now()
		acts := p.in.Conclusion != "justifie"
		var convID int64
		var limite medconseil.Date
		if acts {
			if !slices.Contains(tr.de, r.Etat) {
				return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "conclusion", Message: fmt.Sprintf("le dossier est à l'état « %s » : un avis a déjà été rendu sur cet arrêt ; le rapport de contre-visite s'enregistre sur un arrêt en cours d'instruction (corrigez l'avis par une correction motivée, ou enregistrez-le sur la prolongation)", r.Etat.Label())}
			}
			if r.Etat == medconseil.EtatConvocation {
				err := tx.QueryRow(ctx, `SELECT id FROM convocation WHERE dossier_id = ? AND statut = 'prevue' AND actif = 1`, id).Scan(&convID)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return medconseil.Internal(err)
				}
			}
			res, err := tx.Exec(ctx, `UPDATE dossier SET version = version + 1, maj_le = ? WHERE id = ? AND version = ?`, ts(now), id, r.Version)
			if err != nil {
				return medconseil.Internal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "le dossier a été modifié en même temps : rouvrez-le"}
			}
			if err := tx.LifecycleEvent(ctx, id, r.Type, "contre_visite", r.Etat); err != nil {
				return err
			}
			var lim sql.NullString
			if err := tx.QueryRow(ctx, `SELECT MAX(limite) FROM echeance WHERE dossier_id = ? AND nom = ? AND statut = 'attente'`, id, contreVisiteEcheance).Scan(&lim); err != nil {
				return medconseil.Internal(err)
			}
			if lim.Valid && lim.String != "" {
				limite, _ = medconseil.ParseDate(lim.String[:min(10, len(lim.String))])
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO contre_visite (dossier_id, visite_le, rapport_le, conclusion, medecin_nom, medecin_rpps, employeur, limite, convocation_id, cree_par, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, p.visite.String(), p.recu.String(), p.in.Conclusion, p.in.ControleurNom, p.controleurRPPS, p.in.Employeur, dateOrEmpty(limite), nullID(convID), a.Login, ts(now)).Scan(&cvID); err != nil {
			return medconseil.Internal(err)
		}
		if acts {
			concl, _ := label(ContreVisiteConclusions, p.in.Conclusion)
			suite := "le service du contrôle médical se prononce (avis ou nouvel examen) ; les indemnités journalières ne sont suspendues que sur son avis (art. L315-1 II CSS)."
			if convID != 0 {
				suite = fmt.Sprintf("l'assuré est déjà convoqué par le service du contrôle médical (convocation n° %d).", convID)
			} else if p.in.Conclusion != "non_justifie" {
				suite = "le service du contrôle médical convoque l'assuré à un nouvel examen (art. L315-1 II 2° CSS) ; les indemnités journalières ne sont suspendues que sur son avis."
			}
			if _, err := tx.Notify(ctx, Notification{DossierID: id, Nature: "contre_visite", Date: today,
				Conclusion: fmt.Sprintf("Rapport de contre-visite patronale du %s reçu le %s : %s ; %s", p.visite.Francais(), p.recu.Francais(), strings.ToLower(concl[:1])+concl[1:], suite)}); err != nil {
				return err
			}
		}
		return tx.journal(ctx, a, "contre_visite.creation", objet, medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	if err != nil {
		return nil, err
	}
	list, err := db.ContreVisites(ctx, a, id, m)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == cvID {
			return &list[i], nil
		}
	}
	return nil, medconseil.Internal(fmt.Errorf("contre-visite %d not read back", cvID))
}

type transitionRoles struct {
	libelle string
	par     []string
	de      []medconseil.Etat
}

// ContreVisites lists the reports on dossier id, newest first, each with the
// state of the service's answer on the day of the request. Administrative class;
// the read is journaled.
func (db *DB) ContreVisites(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) ([]ContreVisite, error) {
	if m.Finalite == "" {
		m.Finalite = "contre_visite"
	}
	today := medconseil.DateOf(db.Now().In(parisTZ))
	var out []ContreVisite
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = nil
		_, classes, err := tx.gate(ctx, a, id, "contre_visite.lecture", m)
		if err != nil {
			return err
		}
		if !classes.Has(medconseil.Administratif) {
			return tx.journal(ctx, a, "contre_visite.lecture", fmt.Sprintf("dossier:%d", id), 0, m, ResultOK)
		}
		rows, err := tx.Query(ctx, `SELECT id, visite_le, rapport_le, conclusion, medecin_nom, medecin_rpps, employeur, limite, COALESCE(convocation_id, 0), cree_par, cree_le FROM contre_visite WHERE dossier_id = ? ORDER BY id DESC`, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		for rows.Next() {
			var c ContreVisite
			var visite, recu, limite, creeLe string
			var convID int64
			if err := rows.Scan(&c.ID, &visite, &recu, &c.Conclusion, &c.ControleurNom, &c.ControleurRPPS, &c.Employeur, &limite, &convID, &c.CreePar, &creeLe); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			c.DossierID = id
			c.VisiteLe, _ = medconseil.ParseDate(visite)
			c.RapportLe, _ = medconseil.ParseDate(recu)
			if limite != "" {
				c.Limite, _ = medconseil.ParseDate(limite)
			}
			c.CreeLe, _ = parseTS(creeLe)
			if convID != 0 {
				c.Suite, c.SuiteLe = "convocation", c.RapportLe
				c.SuiteLibelle = fmt.Sprintf("Nouvel examen : l'assuré était déjà convoqué (convocation n° %d)", convID)
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		for i := range out {
			if err := tx.contreVisiteSuite(ctx, &out[i], today); err != nil {
				return err
			}
		}
		return tx.journal(ctx, a, "contre_visite.lecture", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return out, err
}

// contreVisiteSuite finds what the service médical did after report c — the
// first convocation or avis recorded since its intake — and its state on today.
func (t *Tx) contreVisiteSuite(ctx context.Context, c *ContreVisite, today medconseil.Date) error {
	c.ConclusionLibelle, _ = label(ContreVisiteConclusions, c.Conclusion)
	c.RapportTardif = c.RapportLe.Sub(c.VisiteLe)*24 > rapportHeures
	c.ExamenObligatoire = c.Conclusion == "absent" || c.Conclusion == "examen_impossible"
	if c.Conclusion == "justifie" {
		c.Statut, c.StatutLibelle = "sans_objet", "Arrêt justifié : aucune suite n'est requise du service médical"
		return nil
	}
	since := ts(c.CreeLe)
	if c.Suite == "" {
		var cid int64
		var le string
		err := t.QueryRow(ctx, `SELECT id, cree_le FROM convocation WHERE dossier_id = ? AND cree_le >= ? ORDER BY cree_le, id LIMIT 1`, c.DossierID, since).Scan(&cid, &le)
		switch {
		case err == nil:
			at, _ := parseTS(le)
			c.Suite, c.SuiteLe = "convocation", medconseil.DateOf(at.In(parisTZ))
			c.SuiteLibelle = fmt.Sprintf("Nouvel examen : convocation n° %d du %s", cid, c.SuiteLe.Francais())
		case !errors.Is(err, sql.ErrNoRows):
			return medconseil.Internal(err)
		}
	}
	if c.Suite == "" {
		var le string
		err := t.QueryRow(ctx, `SELECT le FROM avis WHERE dossier_id = ? AND le >= ?`, c.DossierID, since).Scan(&le)
		switch {
		case err == nil:
			at, _ := parseTS(le)
			c.Suite, c.SuiteLe = "avis", medconseil.DateOf(at.In(parisTZ))
			c.SuiteLibelle = fmt.Sprintf("Avis du service médical rendu le %s", c.SuiteLe.Francais())
			if c.ExamenObligatoire {
				c.Avertissement = "L'assuré n'a pu être examiné par le médecin de l'employeur : un nouvel examen est obligatoire (article L315-1 II 2°) ; l'avis a été rendu sans convocation."
			}
		case !errors.Is(err, sql.ErrNoRows):
			return medconseil.Internal(err)
		}
	}
	switch {
	case c.Suite != "" && (c.Limite.IsZero() || !c.SuiteLe.After(c.Limite)):
		c.Statut, c.StatutLibelle = "satisfait", "Le service médical a agi dans le délai"
	case c.Suite != "":
		c.Statut = "satisfait_hors_delai"
		c.StatutLibelle = fmt.Sprintf("Le service médical a agi après le délai (dépassé de %d jour%s)", c.SuiteLe.Sub(c.Limite), plural(c.SuiteLe.Sub(c.Limite)))
	case c.Limite.IsZero():
		c.Statut, c.StatutLibelle = "en_cours", "En attente de l'avis ou du nouvel examen"
	case today.After(c.Limite):
		c.JoursRestants = c.Limite.Sub(today)
		c.Statut = "depasse"
		c.StatutLibelle = fmt.Sprintf("Délai dépassé de %d jour%s : ni avis ni nouvel examen (aucune décision implicite : les IJ restent dues tant que la caisse n'a pas suspendu sur avis)", -c.JoursRestants, plural(-c.JoursRestants))
	default:
		c.JoursRestants = c.Limite.Sub(today)
		c.Statut = "en_cours"
		c.StatutLibelle = fmt.Sprintf("Avis ou nouvel examen attendu au plus tard le %s (%d jour%s restant%s)", c.Limite.Francais(), c.JoursRestants, plural(c.JoursRestants), plural(c.JoursRestants))
	}
	return nil
}

func plural(n int) string {
	if n > 1 || n < -1 {
		return "s"
	}
	return ""
}
