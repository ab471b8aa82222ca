package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/rules"
)

// controleParams are the dated parameters the control circuits read (embedded,
// immutable: parsed once).
var controleParams = sync.OnceValues(rules.LoadEmbedded)

// Proposition is an imported flag of the targeting list.
type Proposition struct {
	ID            int64
	Lot           string
	Professionnel string
	Anomalie      string
	Score         float64
	Explication   string
	Departement   string
	ImporteLe     string
	ControleID    int64
}

// ControleRow is a procedure in a list.
type ControleRow struct {
	ID            int64
	Circuit       controle.Circuit
	Etape         controle.Etape
	EtapeLibelle  string
	Version       int
	Departement   string
	Professionnel string
	RPPS          string
	Anomalie      string
	DossierID     int64
	ParentID      int64
	Objet         string
	ObjectifPct   int
	Debut, Fin    medconseil.Date
	Montant       medconseil.Montant
	Issue         string
	OuvertLe      string
	MajLe         string
	Prochaine     *ControleEcheance // the next pending deadline
}

// ControleEvenement is one step of a procedure.
type ControleEvenement struct {
	Rang      int
	Evenement string
	Libelle   string
	Etape     string
	Le        medconseil.Date
	SaisiLe   string
	Par       string
	Note      string
}

// ControleEcheance is a deadline of a procedure.
type ControleEcheance struct {
	Nom, Libelle, Statut, Effet, Duree, Reference, Href string
	Depuis, Limite                                      medconseil.Date
	Verifier                                            bool
	Depassee                                            bool // pending and past its limit
}

// ControleElement is a party, a pièce or an argument of a contentieux.
type ControleElement struct {
	Rang    int
	Genre   string
	Partie  string
	Contenu string
	Le      string
	Par     string
}

// ControleSuivi is one month of an MSO objective.
type ControleSuivi struct {
	Mois       string
	Arrets     int
	Jours      int
	CibleJours int
	Atteint    bool
}

// MsapArret is an arrêt filed under an MSAP.
type MsapArret struct {
	DossierID int64
	Statut    string
	Depuis    string
	DecideLe  string
	DecidePar string
}

// ControleView is a procedure as shown to the médecin-conseil.
type ControleView struct {
	ControleRow
	Def         *controle.Def
	Roles       []medconseil.Role
	Possibles   []controle.Transition // transitions a may make now
	Evenements  []ControleEvenement
	Echeances   []ControleEcheance
	Suivi       []ControleSuivi
	Elements    []ControleElement
	Indu        *controle.CalculIndu
	Arrets      []MsapArret
	Enfants     []ControleRow
	Proposition *Proposition
	Courriers   []ControleCourrier
}

// Finale reports whether the procedure is over.
func (v *ControleView) Finale() bool {
	s, _ := v.Def.Etape(v.Etape)
	return s.Finale
}

const controleCols = `c.id, c.circuit, c.etape, c.version, c.departement, c.professionnel, c.rpps, c.anomalie, COALESCE(c.dossier_id, 0), COALESCE(c.parent_id, 0), c.objet, COALESCE(c.objectif_pct, 0), c.periode_debut, c.periode_fin, COALESCE(c.montant, 0), c.issue, c.ouvert_le, c.maj_le`

func scanControle(s scanner) (*ControleRow, error) {
	var r ControleRow
	var debut, fin string
	var montant int64
	if err := s.Scan(&r.ID, &r.Circuit, &r.Etape, &r.Version, &r.Departement, &r.Professionnel, &r.RPPS, &r.Anomalie, &r.DossierID, &r.ParentID, &r.Objet, &r.ObjectifPct, &debut, &fin, &montant, &r.Issue, &r.OuvertLe, &r.MajLe); err != nil {
		return nil, err
	}
	r.Debut, _ = medconseil.ParseDate(debut)
	r.Fin, _ = medconseil.ParseDate(fin)
	r.Montant = medconseil.Montant(montant)
	if d, ok := controle.Get(r.Circuit); ok {
		r.EtapeLibelle = d.Label(r.Etape)
	}
	return &r, nil
}

// controleAction journals an action on a procedure with the finalité "controle".
func (t *Tx) controleJournal(ctx context.Context, a *medconseil.Acteur, action string, id int64, m Meta, result string) error {
	m.Finalite = "controle"
	return t.journal(ctx, a, action, fmt.Sprintf("controle:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, result)
}

// ImportPropositions stores the targeting list ps (the output of « medconseil
// detect --json ») as lot: each flag becomes a proposition of the département of
// its professional (the first two characters of PFS_EXE_NUM, or dep). Only a
// médecin chef or régional covering the département may import; the flags of
// départements a does not cover are skipped and counted. A flag already in the lot
// is skipped (the import can be replayed). One transaction.
func (db *DB) ImportPropositions(ctx context.Context, a *medconseil.Acteur, lot string, ps []controle.Proposition, dep string, m Meta) (imported, skipped int, err error) {
	lot = strings.TrimSpace(lot)
	if lot == "" || len(lot) > 80 {
		return 0, 0, medconseil.FieldErrorf("lot", "nom du lot manquant ou trop long (80 caractères au plus), par exemple « campagne IJ 2026-S1 »")
	}
	now := db.Now()
	err = db.Write(ctx, func(tx *Tx) error {
		imported, skipped = 0, 0
		for i, p := range ps {
			d := dep
			if d == "" && len(p.Professionnel) >= 2 && medconseil.DepartementNom(p.Professionnel[:2]) != "" {
				d = p.Professionnel[:2]
			}
			if d == "" || medconseil.DepartementNom(d) == "" {
				return medconseil.FieldErrorf("departement", "signalement n° %d (%s) : département du professionnel inconnu ; indiquer le département de la liste", i+1, p.Professionnel)
			}
			roles := db.Policy.ControleRoles(a, d)
			if !slices.Contains(roles, medconseil.RoleMedecinChef) && !slices.Contains(roles, medconseil.RoleMedecinRegional) {
				skipped++
				continue
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM controle_proposition WHERE lot = ? AND professionnel = ? AND anomalie = ?`, lot, p.Professionnel, p.Anomalie).Scan(&n); err != nil {
				return medconseil.Internal(err)
			}
			if n > 0 {
				skipped++
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO controle_proposition (lot, professionnel, anomalie, score, explication, departement, importe_le, importe_par) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				lot, p.Professionnel, p.Anomalie, p.Score, p.Explication, d, ts(now), a.Login); err != nil {
				return medconseil.Internal(err)
			}
			imported++
		}
		if imported == 0 && skipped == len(ps) && len(ps) > 0 {
			// Nothing a may import: journal the attempt as refused.
			return tx.controleJournal(ctx, a, "controle.import", 0, m, ResultRefused)
		}
		return tx.controleJournal(ctx, a, "controle.import", 0, m, ResultOK)
	})
	return imported, skipped, err
}

// Propositions lists the propositions of the départements a works in, best score
// first, journaled.
func (db *DB) Propositions(ctx context.Context, a *medconseil.Acteur, m Meta) ([]Proposition, error) {
	var out []Proposition
	err := db.Write(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT id, lot, professionnel, anomalie, score, explication, departement, importe_le, COALESCE(controle_id, 0) FROM controle_proposition ORDER BY score DESC, id LIMIT 2000`)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p Proposition
			if err := rows.Scan(&p.ID, &p.Lot, &p.Professionnel, &p.Anomalie, &p.Score, &p.Explication, &p.Departement, &p.ImporteLe, &p.ControleID); err != nil {
				return medconseil.Internal(err)
			}
			if len(db.Policy.ControleRoles(a, p.Departement)) > 0 {
				out = append(out, p)
			}
		}
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.propositions", 0, m, ResultOK)
	})
	return out, err
}

// Controles lists the procedures of the départements a works in, open first.
func (db *DB) Controles(ctx context.Context, a *medconseil.Acteur, m Meta) ([]ControleRow, error) {
	var out []ControleRow
	err := db.Write(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT `+controleCols+` FROM controle c ORDER BY c.maj_le DESC, c.id DESC LIMIT 2000`)
		if err != nil {
			return medconseil.Internal(err)
		}
		var all []*ControleRow
		for rows.Next() {
			r, err := scanControle(rows)
			if err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			if len(db.Policy.ControleRoles(a, r.Departement)) > 0 {
				all = append(all, r)
			}
		}
		rows.Close()
		for _, r := range all {
			e, err := tx.controleEcheances(ctx, r.ID, true)
			if err != nil {
				return err
			}
			if len(e) > 0 {
				r.Prochaine = &e[0]
			}
			out = append(out, *r)
		}
		return tx.controleJournal(ctx, a, "controle.liste", 0, m, ResultOK)
	})
	return out, err
}

// controleGate opens procedure id for a: absent, or outside a's territory and
// roles, is the same ENOTFOUND, journaled.
func (t *Tx) controleGate(ctx context.Context, a *medconseil.Acteur, id int64, action string, m Meta) (*ControleRow, []medconseil.Role, error) {
	r, err := scanControle(t.QueryRow(ctx, `SELECT `+controleCols+` FROM controle c WHERE c.id = ?`, id))
	var roles []medconseil.Role
	if err == nil {
		roles = t.db.Policy.ControleRoles(a, r.Departement)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, medconseil.Internal(err)
	}
	if len(roles) == 0 {
		if err := t.controleJournal(ctx, a, action, id, m, ResultRefused); err != nil {
			return nil, nil, err
		}
		return nil, nil, &refusal{medconseil.NotFound("Procédure")}
	}
	return r, roles, nil
}

// OpenMSO opens the MSO/MSAP procedure on the professional of proposition propID:
// step "proposée", the RPPS under which the professional prescribes the arrêts (the
// MSAP matches the arrêts filed with it). A médecin chef or régional of the
// proposition's département only; a proposition opens one procedure.
func (db *DB) OpenMSO(ctx context.Context, a *medconseil.Acteur, propID int64, rpps string, m Meta) (id int64, err error) {
	rp, perr := medconseil.ParseRPPS(strings.TrimSpace(rpps))
	if perr != nil {
		return 0, medconseil.FieldErrorf("rpps", "numéro RPPS du professionnel illisible (11 chiffres) : il sert à reconnaître ses arrêts pendant une MSAP")
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		var p Proposition
		err := tx.QueryRow(ctx, `SELECT id, professionnel, anomalie, score, explication, departement, COALESCE(controle_id, 0) FROM controle_proposition WHERE id = ?`, propID).
			Scan(&p.ID, &p.Professionnel, &p.Anomalie, &p.Score, &p.Explication, &p.Departement, &p.ControleID)
		var roles []medconseil.Role
		if err == nil {
			roles = db.Policy.ControleRoles(a, p.Departement)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return medconseil.Internal(err)
		}
		if len(roles) == 0 {
			if err := tx.controleJournal(ctx, a, "controle.ouverture", 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.NotFound("Proposition")}
		}
		if !slices.Contains(roles, medconseil.RoleMedecinChef) && !slices.Contains(roles, medconseil.RoleMedecinRegional) {
			if err := tx.controleJournal(ctx, a, "controle.ouverture", 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "l'ouverture d'une procédure MSO/MSAP est réservée au médecin-conseil chef de service (ou régional)"}}
		}
		if p.ControleID != 0 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: fmt.Sprintf("cette proposition a déjà ouvert la procédure n° %d", p.ControleID)}
		}
		objet := fmt.Sprintf("%s — score %.1f", p.Anomalie, p.Score)
		id, err = tx.insertControle(ctx, a, controle.MSO, p.Departement, p.Professionnel, string(rp), p.Anomalie, objet, p.ID, 0, 0)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE controle_proposition SET controle_id = ? WHERE id = ?`, id, p.ID); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.ouverture", id, m, ResultOK)
	})
	return id, err
}

// insertControle writes a new procedure at its initial step, its opening event and
// the deadlines the opening starts.
func (t *Tx) insertControle(ctx context.Context, a *medconseil.Acteur, def *controle.Def, dep, pro, rpps, anomalie, objet string, propID, parentID, dossierID int64) (int64, error) {
	return t.insertControleAt(ctx, a, def, def.Initial, dep, pro, rpps, anomalie, objet, propID, parentID, dossierID)
}

func (t *Tx) insertControleAt(ctx context.Context, a *medconseil.Acteur, def *controle.Def, etape controle.Etape, dep, pro, rpps, anomalie, objet string, propID, parentID, dossierID int64) (int64, error) {
	now := t.now()
	var id int64
	if err := t.QueryRow(ctx, `INSERT INTO controle (circuit, etape, version, departement, professionnel, rpps, anomalie, proposition_id, parent_id, dossier_id, objet, ouvert_le, ouvert_par, maj_le)
		VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(def.Circuit), string(etape), dep, pro, rpps, anomalie, nullInt(propID), nullInt(parentID), nullInt(dossierID), objet, ts(now), a.Login, ts(now)).Scan(&id); err != nil {
		return 0, medconseil.Internal(err)
	}
	today := medconseil.DateOf(now)
	if err := t.addControleEvent(ctx, id, controle.Ouverture, string(etape), today, a.Login, ""); err != nil {
		return 0, err
	}
	return id, t.startControleEcheances(ctx, def, id, controle.Ouverture, etape, today, medconseil.Date{})
}

func (t *Tx) addControleEvent(ctx context.Context, id int64, ev, etape string, le medconseil.Date, par, note string) error {
	var rang int
	if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(rang), 0) + 1 FROM controle_evenement WHERE controle_id = ?`, id).Scan(&rang); err != nil {
		return medconseil.Internal(err)
	}
	enc := ""
	if note != "" {
		var err error
		if enc, err = t.db.seal("controle_evenement", id, fmt.Sprintf("note:%d", rang), note); err != nil {
			return err
		}
	}
	if _, err := t.Exec(ctx, `INSERT INTO controle_evenement (controle_id, rang, evenement, etape, le, saisi_le, par, note_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, rang, ev, etape, le.String(), ts(t.now()), par, enc); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// startControleEcheances cancels the pending deadlines that do not run in etape and
// writes those ev starts, counted from the day of the event (from).
func (t *Tx) startControleEcheances(ctx context.Context, def *controle.Def, id int64, ev string, etape controle.Etape, from, fin medconseil.Date) error {
	now := t.now()
	rows, err := t.Query(ctx, `SELECT id, nom FROM controle_echeance WHERE controle_id = ? AND statut = 'attente'`, id)
	if err != nil {
		return medconseil.Internal(err)
	}
	type pending struct {
		id  int64
		nom string
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.nom); err != nil {
			rows.Close()
			return medconseil.Internal(err)
		}
		ps = append(ps, p)
	}
	rows.Close()
	started := def.Started(ev, etape)
	for _, p := range ps {
		x, ok := def.Echeance(p.nom)
		restarted := slices.ContainsFunc(started, func(s controle.Echeance) bool { return s.Nom == p.nom })
		if !ok || !slices.Contains(x.TantQue, etape) || restarted {
			if _, err := t.Exec(ctx, `UPDATE controle_echeance SET statut = 'annulee', traite_le = ? WHERE id = ? AND statut = 'attente'`, ts(now), p.id); err != nil {
				return medconseil.Internal(err)
			}
		}
	}
	params, err := controleParams()
	if err != nil {
		return medconseil.Internal(err)
	}
	for _, x := range started {
		pl, err := controle.Plan(params, x, from, fin)
		if err != nil {
			return medconseil.Internal(err)
		}
		verifier := 0
		if pl.Verifier {
			verifier = 1
		}
		if _, err := t.Exec(ctx, `INSERT INTO controle_echeance (controle_id, nom, libelle, depuis, limite, due, vers, effet, duree, reference, href, verifier, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, x.Nom, x.Libelle, from.String(), pl.Limite.String(), pl.Limite.AddDays(1).String(), string(x.Vers), x.Effet, pl.Duree, pl.Reference, pl.Href, verifier, ts(now)); err != nil {
			return medconseil.Internal(err)
		}
	}
	return nil
}

// EventInput is what a step records.
type EventInput struct {
	Le       medconseil.Date
	Note     string
	Issue    string
	Objectif int
	Debut    medconseil.Date
	Fin      medconseil.Date
	Montant  medconseil.Montant
}

// ControleEvent moves procedure id through transition ev: a must hold one of the
// transition's roles over the procedure's département, the procedure must be at
// version and in a starting step; the inputs the transition needs are checked (the
// MSO period of 4 to 6 months, R148-3; the MSAP of 6 months at most, L162-1-15 I;
// the pénalité within its ceiling, L114-17-1 III). Step, event, deadlines and
// journal in one transaction.
func (db *DB) ControleEvent(ctx context.Context, a *medconseil.Acteur, id int64, version int, ev string, in EventInput, m Meta) (newVersion int, err error) {
	err = db.writeGated(ctx, func(tx *Tx) error {
		action := "controle." + ev
		r, roles, err := tx.controleGate(ctx, a, id, action, m)
		if err != nil {
			return err
		}
		def, _ := controle.Get(r.Circuit)
		tr, ok := def.Transition(ev, r.Etape)
		if !ok {
			var possible []string
			for _, p := range def.Possible(r.Etape) {
				possible = append(possible, p.Evenement)
			}
			if len(possible) == 0 {
				possible = []string{"aucune (procédure terminée)"}
			}
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "evenement", Message: fmt.Sprintf("« %s » est impossible à l'étape « %s » ; étapes possibles : %s", ev, def.Label(r.Etape), strings.Join(possible, ", "))}
		}
		if !tr.Allows(roles) {
			if err := tx.controleJournal(ctx, a, action, id, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: fmt.Sprintf("« %s » est réservé au médecin-conseil chef de service (ou régional)", tr.Libelle)}}
		}
		if r.Version != version {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: fmt.Sprintf("la procédure a été modifiée depuis que vous l'avez ouverte (version %d, vous aviez la version %d) : rouvrez-la", r.Version, version)}
		}
		if err := tx.checkEventInput(ctx, r, tr, &in); err != nil {
			return err
		}
		now := db.Now()
		newVersion = r.Version + 1
		sets := `etape = ?, version = ?, maj_le = ?`
		args := []any{string(tr.Vers), newVersion, ts(now)}
		if slices.Contains(tr.Saisies, controle.SaisieObjectif) {
			sets += `, objectif_pct = ?`
			args = append(args, in.Objectif)
		}
		if slices.Contains(tr.Saisies, controle.SaisiePeriode) {
			sets += `, periode_debut = ?, periode_fin = ?`
			args = append(args, in.Debut.String(), in.Fin.String())
		}
		if slices.Contains(tr.Saisies, controle.SaisieIssue) {
			sets += `, issue = ?`
			args = append(args, in.Issue)
		}
		if slices.Contains(tr.Saisies, controle.SaisieMontant) {
			sets += `, montant = ?`
			args = append(args, int64(in.Montant))
		}
		args = append(args, id, r.Version)
		res, err := tx.Exec(ctx, `UPDATE controle SET `+sets+` WHERE id = ? AND version = ?`, args...)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "la procédure a été modifiée en même temps : rouvrez-la"}
		}
		note := in.Note
		if in.Issue != "" {
			note = strings.TrimSpace(in.Issue + "\n" + note)
		}
		if err := tx.addControleEvent(ctx, id, ev, string(tr.Vers), in.Le, a.Login, note); err != nil {
			return err
		}
		fin := in.Fin
		if err := tx.startControleEcheances(ctx, def, id, ev, tr.Vers, in.Le, fin); err != nil {
			return err
		}
		if err := tx.letterOnEvent(ctx, a, r, def, ev, in); err != nil {
			return err
		}
		return tx.controleJournal(ctx, a, action, id, m, ResultOK)
	})
	return newVersion, err
}

// checkEventInput checks the inputs of a transition, every error at once.
func (t *Tx) checkEventInput(ctx context.Context, r *ControleRow, tr *controle.Transition, in *EventInput) error {
	var errs []error
	today := medconseil.DateOf(t.now())
	in.Note, in.Issue = strings.TrimSpace(in.Note), strings.TrimSpace(in.Issue)
	if in.Le.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("le", "date de l'événement manquante (jj/mm/aaaa)"))
	} else if in.Le.After(today) {
		errs = append(errs, medconseil.FieldErrorf("le", "la date de l'événement (%s) est dans le futur", in.Le.Francais()))
	}
	if len(in.Note) > 8000 {
		errs = append(errs, medconseil.FieldErrorf("note", "note trop longue (8 000 caractères au plus)"))
	}
	params, err := controleParams()
	if err != nil {
		return medconseil.Internal(err)
	}
	for _, s := range tr.Saisies {
		switch s {
		case controle.SaisieNote:
			if in.Note == "" && (tr.Evenement == "entendre" || tr.Evenement == "abandonner" || tr.Evenement == "observations") {
				errs = append(errs, medconseil.FieldErrorf("note", "résumé (procès-verbal, observations ou motif) manquant"))
			}
		case controle.SaisieIssue:
			if in.Issue == "" || len(in.Issue) > 2000 {
				errs = append(errs, medconseil.FieldErrorf("issue", "sens de l'avis ou du jugement manquant (2 000 caractères au plus)"))
			}
		case controle.SaisieObjectif:
			if in.Objectif < 1 || in.Objectif > 90 {
				errs = append(errs, medconseil.FieldErrorf("objectif", "objectif de réduction en pourcentage, entre 1 et 90 (la campagne 2025-2026 vise −20 à −30 %%)"))
			}
		case controle.SaisiePeriode:
			if in.Debut.IsZero() || in.Fin.IsZero() {
				errs = append(errs, medconseil.FieldErrorf("debut", "dates de début et de fin de la période manquantes"))
				continue
			}
			if !in.Fin.After(in.Debut) {
				errs = append(errs, medconseil.FieldErrorf("fin", "la fin (%s) doit suivre le début (%s)", in.Fin.Francais(), in.Debut.Francais()))
				continue
			}
			if tr.Evenement == "proposer_mso" {
				lo, _, e1 := controle.Value(params, "mso_periode_min_mois", in.Debut)
				hi, _, e2 := controle.Value(params, "mso_periode_max_mois", in.Debut)
				if e1 != nil || e2 != nil {
					return medconseil.Internal(errors.Join(e1, e2))
				}
				if in.Fin.Before(in.Debut.AddMonths(int(lo.Int()))) || in.Fin.After(in.Debut.AddMonths(int(hi.Int()))) {
					errs = append(errs, medconseil.FieldErrorf("fin", "la période de la MSO dure de %d à %d mois (R148-3 1°) : du %s, la fin tombe entre le %s et le %s", lo.Int(), hi.Int(), in.Debut.Francais(), in.Debut.AddMonths(int(lo.Int())).Francais(), in.Debut.AddMonths(int(hi.Int())).Francais()))
				}
			}
			if tr.Evenement == "decider_msap" {
				hi, _, err := controle.Value(params, "msap_duree_max_mois", in.Debut)
				if err != nil {
					return medconseil.Internal(err)
				}
				if in.Fin.After(in.Debut.AddMonths(int(hi.Int()))) {
					errs = append(errs, medconseil.FieldErrorf("fin", "la MSAP dure %d mois au plus (L162-1-15 I) : fin au plus tard le %s", hi.Int(), in.Debut.AddMonths(int(hi.Int())).Francais()))
				}
			}
		case controle.SaisieMontant:
			if in.Montant <= 0 {
				errs = append(errs, medconseil.FieldErrorf("montant", "montant de la pénalité manquant"))
				continue
			}
			// L114-17-1 III: at most 70 % of the sums concerned (the parent's indu).
			if r.ParentID != 0 {
				var sommes int64
				err := t.QueryRow(ctx, `SELECT COALESCE(MAX(i.total), 0) FROM controle_indu i JOIN controle c ON c.id = i.controle_id WHERE c.id = ? OR c.parent_id = ?`, r.ParentID, r.ParentID).Scan(&sommes)
				if err != nil {
					return medconseil.Internal(err)
				}
				if sommes > 0 {
					taux, _, err := controle.Value(params, "penalite_plafond_taux", in.Le)
					if err != nil {
						return medconseil.Internal(err)
					}
					if plafond := medconseil.Montant(sommes).MulRatio(taux.N, taux.D); in.Montant > plafond {
						errs = append(errs, medconseil.FieldErrorf("montant", "la pénalité (%s) dépasse le plafond de %s %% des sommes concernées, soit %s (L114-17-1 III)", in.Montant, taux.Francais(), plafond))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Controle reads procedure id for a, with its steps, deadlines, follow-up,
// elements, indu and the arrêts under MSAP; journaled.
func (db *DB) Controle(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) (*ControleView, error) {
	var v *ControleView
	err := db.writeGated(ctx, func(tx *Tx) error {
		r, roles, err := tx.controleGate(ctx, a, id, "controle.lecture", m)
		if err != nil {
			return err
		}
		def, _ := controle.Get(r.Circuit)
		v = &ControleView{ControleRow: *r, Def: def, Roles: roles}
		for _, tr := range def.Possible(r.Etape) {
			if tr.Allows(roles) {
				v.Possibles = append(v.Possibles, tr)
			}
		}
		if v.Evenements, err = tx.controleEvents(ctx, def, id); err != nil {
			return err
		}
		if v.Echeances, err = tx.controleEcheances(ctx, id, false); err != nil {
			return err
		}
		if v.Suivi, err = tx.controleSuivi(ctx, id); err != nil {
			return err
		}
		if v.Elements, err = tx.controleElements(ctx, id); err != nil {
			return err
		}
		if v.Indu, err = tx.controleIndu(ctx, id); err != nil {
			return err
		}
		if v.Arrets, err = tx.msapArrets(ctx, id); err != nil {
			return err
		}
		if v.Courriers, err = tx.controleCourriers(ctx, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+controleCols+` FROM controle c WHERE c.parent_id = ? ORDER BY c.id`, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		for rows.Next() {
			c, err := scanControle(rows)
			if err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			v.Enfants = append(v.Enfants, *c)
		}
		rows.Close()
		var p Proposition
		err = tx.QueryRow(ctx, `SELECT p.id, p.lot, p.professionnel, p.anomalie, p.score, p.explication, p.departement, p.importe_le FROM controle_proposition p JOIN controle c ON c.proposition_id = p.id WHERE c.id = ?`, id).
			Scan(&p.ID, &p.Lot, &p.Professionnel, &p.Anomalie, &p.Score, &p.Explication, &p.Departement, &p.ImporteLe)
		if err == nil {
			v.Proposition = &p
		} else if !errors.Is(err, sql.ErrNoRows) {
			return medconseil.Internal(err)
		}
		m.Finalite = "controle"
		return tx.journal(ctx, a, "controle.lecture", fmt.Sprintf("controle:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Clinique), m, ResultOK)
	})
	return v, err
}

func (t *Tx) controleEvents(ctx context.Context, def *controle.Def, id int64) ([]ControleEvenement, error) {
	rows, err := t.Query(ctx, `SELECT rang, evenement, etape, le, saisi_le, par, note_enc FROM controle_evenement WHERE controle_id = ? ORDER BY rang`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []ControleEvenement
	for rows.Next() {
		var e ControleEvenement
		var le, enc string
		if err := rows.Scan(&e.Rang, &e.Evenement, &e.Etape, &le, &e.SaisiLe, &e.Par, &enc); err != nil {
			return nil, medconseil.Internal(err)
		}
		e.Le, _ = medconseil.ParseDate(le)
		if enc != "" {
			if e.Note, err = t.db.open("controle_evenement", id, fmt.Sprintf("note:%d", e.Rang), enc); err != nil {
				return nil, err
			}
		}
		e.Libelle = "Ouverture de la procédure"
		if e.Evenement == "convoquer" {
			e.Libelle = "Convocation du professionnel à l'audition envoyée"
		} else if e.Evenement != controle.Ouverture {
			e.Libelle = e.Evenement
			for _, tr := range def.Transitions {
				if tr.Evenement == e.Evenement {
					e.Libelle = tr.Libelle
					break
				}
			}
			if x, ok := def.Echeance(e.Evenement); ok {
				e.Libelle = "Échéance : " + x.Libelle + " — " + x.Effet
			}
		}
		e.Etape = def.Label(controle.Etape(e.Etape))
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) controleEcheances(ctx context.Context, id int64, pendingOnly bool) ([]ControleEcheance, error) {
	q := `SELECT nom, libelle, statut, effet, duree, reference, href, depuis, limite, verifier FROM controle_echeance WHERE controle_id = ?`
	if pendingOnly {
		q += ` AND statut = 'attente'`
	}
	rows, err := t.Query(ctx, q+` ORDER BY CASE statut WHEN 'attente' THEN 0 ELSE 1 END, limite, id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	today := medconseil.DateOf(t.now())
	var out []ControleEcheance
	for rows.Next() {
		var e ControleEcheance
		var depuis, limite string
		var v int
		if err := rows.Scan(&e.Nom, &e.Libelle, &e.Statut, &e.Effet, &e.Duree, &e.Reference, &e.Href, &depuis, &limite, &v); err != nil {
			return nil, medconseil.Internal(err)
		}
		e.Depuis, _ = medconseil.ParseDate(depuis)
		e.Limite, _ = medconseil.ParseDate(limite)
		e.Verifier = v == 1
		e.Depassee = e.Statut == "attente" && e.Limite.Before(today)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) controleSuivi(ctx context.Context, id int64) ([]ControleSuivi, error) {
	rows, err := t.Query(ctx, `SELECT mois, arrets, jours, cible_jours, atteint FROM controle_suivi WHERE controle_id = ? ORDER BY mois`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []ControleSuivi
	for rows.Next() {
		var s ControleSuivi
		var at int
		if err := rows.Scan(&s.Mois, &s.Arrets, &s.Jours, &s.CibleJours, &at); err != nil {
			return nil, medconseil.Internal(err)
		}
		s.Atteint = at == 1
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *Tx) controleElements(ctx context.Context, id int64) ([]ControleElement, error) {
	rows, err := t.Query(ctx, `SELECT rang, genre, partie, contenu_enc, le, par FROM controle_element WHERE controle_id = ? ORDER BY rang`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []ControleElement
	for rows.Next() {
		var e ControleElement
		var enc string
		if err := rows.Scan(&e.Rang, &e.Genre, &e.Partie, &enc, &e.Le, &e.Par); err != nil {
			return nil, medconseil.Internal(err)
		}
		if e.Contenu, err = t.db.open("controle_element", id, fmt.Sprintf("contenu:%d", e.Rang), enc); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) controleIndu(ctx context.Context, id int64) (*controle.CalculIndu, error) {
	var enc string
	err := t.QueryRow(ctx, `SELECT trace_enc FROM controle_indu WHERE controle_id = ?`, id).Scan(&enc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	plain, err := t.db.open("controle_indu", id, "trace", enc)
	if err != nil {
		return nil, err
	}
	var c controle.CalculIndu
	if err := json.Unmarshal([]byte(plain), &c); err != nil {
		return nil, medconseil.Internal(err)
	}
	return &c, nil
}

func (t *Tx) msapArrets(ctx context.Context, id int64) ([]MsapArret, error) {
	rows, err := t.Query(ctx, `SELECT dossier_id, statut, depuis, decide_le, decide_par FROM msap_arret WHERE controle_id = ? ORDER BY dossier_id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []MsapArret
	for rows.Next() {
		var a MsapArret
		if err := rows.Scan(&a.DossierID, &a.Statut, &a.Depuis, &a.DecideLe, &a.DecidePar); err != nil {
			return nil, medconseil.Internal(err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AddElement adds a party, a pièce or an argument to a procedure (a contentieux
// mostly): its content is encrypted (a pièce may be a medical certificate).
func (db *DB) AddElement(ctx context.Context, a *medconseil.Acteur, id int64, genre, partie, contenu string, m Meta) error {
	genre, partie, contenu = strings.TrimSpace(genre), strings.TrimSpace(partie), strings.TrimSpace(contenu)
	var errs []error
	if genre != "partie" && genre != "piece" && genre != "argument" {
		errs = append(errs, medconseil.FieldErrorf("genre", "nature de l'élément : partie, piece ou argument"))
	}
	if partie == "" || len(partie) > 200 {
		errs = append(errs, medconseil.FieldErrorf("partie", "partie concernée manquante (assuré, caisse, professionnel, employeur…), 200 caractères au plus"))
	}
	if contenu == "" || len(contenu) > 8000 {
		errs = append(errs, medconseil.FieldErrorf("contenu", "contenu manquant (8 000 caractères au plus)"))
	}
	return db.writeGated(ctx, func(tx *Tx) error {
		if _, _, err := tx.controleGate(ctx, a, id, "controle.element", m); err != nil {
			return err
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		var rang int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(rang), 0) + 1 FROM controle_element WHERE controle_id = ?`, id).Scan(&rang); err != nil {
			return medconseil.Internal(err)
		}
		enc, err := db.seal("controle_element", id, fmt.Sprintf("contenu:%d", rang), contenu)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO controle_element (controle_id, rang, genre, partie, contenu_enc, le, par) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, rang, genre, partie, enc, ts(db.Now()), a.Login); err != nil {
			return medconseil.Internal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE controle SET maj_le = ? WHERE id = ?`, ts(db.Now()), id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.element", id, m, ResultOK)
	})
}

// RecordSuivi stores the MSO follow-up measured from the data (controle.SuiviMensuel):
// for each month, the days prescribed against the target (the reference mean of
// the months before the procedure, reduced by the objective, R148-3 and R148-5).
// reference is that mean in days per month.
func (db *DB) RecordSuivi(ctx context.Context, a *medconseil.Acteur, id int64, reference int, mois []controle.Mois, m Meta) error {
	return db.writeGated(ctx, func(tx *Tx) error {
		r, _, err := tx.controleGate(ctx, a, id, "controle.suivi", m)
		if err != nil {
			return err
		}
		if r.Circuit != controle.CircuitMSO || r.ObjectifPct == 0 {
			return medconseil.FieldErrorf("objectif", "le suivi mensuel suppose une MSO proposée avec son objectif")
		}
		if reference <= 0 {
			return medconseil.FieldErrorf("reference", "moyenne de référence (jours prescrits par mois avant la procédure) manquante")
		}
		cible := reference * (100 - r.ObjectifPct) / 100
		now := db.Now()
		for _, mo := range mois {
			at := 0
			if mo.Jours <= cible {
				at = 1
			}
			if _, err := tx.Exec(ctx, `DELETE FROM controle_suivi WHERE controle_id = ? AND mois = ?`, id, mo.Mois); err != nil {
				return medconseil.Internal(err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO controle_suivi (controle_id, mois, arrets, jours, cible_jours, atteint, maj_le) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, mo.Mois, mo.Arrets, mo.Jours, cible, at, ts(now)); err != nil {
				return medconseil.Internal(err)
			}
		}
		return tx.controleJournal(ctx, a, "controle.suivi", id, m, ResultOK)
	})
}

// OpenIndu opens the recovery of an indu computed from the claims lines of a
// confirmed anomaly of procedure parentID (or on its own, parentID 0, for the
// professional sel.Professionnel in département dep): the computation and its
// trace are stored with the procedure, in one transaction.
func (db *DB) OpenIndu(ctx context.Context, a *medconseil.Acteur, parentID int64, dep string, sel controle.Selection, in controle.InduInput, lines []controle.Ligne, m Meta) (id int64, err error) {
	params, err := controleParams()
	if err != nil {
		return 0, medconseil.Internal(err)
	}
	calc, err := controle.ComputeIndu(params, lines, in)
	if err != nil {
		return 0, err
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		rpps, anomalie := "", ""
		if parentID != 0 {
			p, _, err := tx.controleGate(ctx, a, parentID, "controle.indu", m)
			if err != nil {
				return err
			}
			dep, rpps, anomalie = p.Departement, p.RPPS, p.Anomalie
		}
		roles := db.Policy.ControleRoles(a, dep)
		if !slices.Contains(roles, medconseil.RoleMedecinChef) && !slices.Contains(roles, medconseil.RoleMedecinRegional) {
			if err := tx.controleJournal(ctx, a, "controle.indu", parentID, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le calcul d'un indu est réservé au médecin-conseil chef de service (ou régional) du département"}}
		}
		objet := fmt.Sprintf("soins du %s au %s, %d lignes", sel.Du.Francais(), sel.Au.Francais(), len(lines))
		id, err = tx.insertControle(ctx, a, controle.Indu, dep, sel.Professionnel, rpps, anomalie, objet, 0, parentID, 0)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE controle SET montant = ? WHERE id = ?`, int64(calc.Total), id); err != nil {
			return medconseil.Internal(err)
		}
		sj, _ := json.Marshal(sel)
		tj, _ := json.Marshal(calc)
		enc, err := db.seal("controle_indu", id, "trace", string(tj))
		if err != nil {
			return err
		}
		fraude := 0
		if in.Fraude {
			fraude = 1
		}
		conn := ""
		if !in.Connaissance.IsZero() {
			conn = in.Connaissance.String()
		}
		if _, err := tx.Exec(ctx, `INSERT INTO controle_indu (controle_id, selection, calcul, fraude, connaissance, retenu, prescrit, majoration, total, lignes, trace_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, string(sj), in.Calcul.String(), fraude, conn, int64(calc.Retenu), int64(calc.Prescrit), int64(calc.Majoration), int64(calc.Total), len(lines), enc); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.indu", id, m, ResultOK)
	})
	return id, err
}

// OpenPenalite opens a pénalité procedure from procedure parentID (an MSO whose
// objective was missed, R147-8 6°; an indu, L114-17-1 II 1°), with its ground.
func (db *DB) OpenPenalite(ctx context.Context, a *medconseil.Acteur, parentID int64, motif string, m Meta) (id int64, err error) {
	motif = strings.TrimSpace(motif)
	err = db.writeGated(ctx, func(tx *Tx) error {
		p, roles, err := tx.controleGate(ctx, a, parentID, "controle.penalite", m)
		if err != nil {
			return err
		}
		if !slices.Contains(roles, medconseil.RoleMedecinChef) && !slices.Contains(roles, medconseil.RoleMedecinRegional) {
			if err := tx.controleJournal(ctx, a, "controle.penalite", parentID, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "l'engagement d'une pénalité est réservé au médecin-conseil chef de service (ou régional)"}}
		}
		if motif == "" || len(motif) > 500 {
			return medconseil.FieldErrorf("motif", "motif de la pénalité manquant (par exemple « L114-17-1 II 6° : objectif de MSO non atteint »), 500 caractères au plus")
		}
		id, err = tx.insertControle(ctx, a, controle.Penalite, p.Departement, p.Professionnel, p.RPPS, p.Anomalie, motif, 0, parentID, 0)
		if err != nil {
			return err
		}
		return tx.controleJournal(ctx, a, "controle.penalite", id, m, ResultOK)
	})
	return id, err
}

// ContentieuxInput opens a contentieux.
type ContentieuxInput struct {
	Voie      string // "cmra" (medical dispute, L142-1 1°) or "tribunal" (pénalité, MSAP: no recours préalable, L142-4 al. 3)
	Requerant string // the party bringing it
	Objet     string
	Recu      medconseil.Date // the day the recourse was received
	// DelaiInopposable: the notification did not state the voies et délais de
	// recours, so a recourse after 2 months is not time-barred (R142-1-A III).
	DelaiInopposable bool
}

func (in *ContentieuxInput) check(today medconseil.Date) error {
	in.Voie, in.Requerant, in.Objet = strings.TrimSpace(in.Voie), strings.TrimSpace(in.Requerant), strings.TrimSpace(in.Objet)
	var errs []error
	if in.Voie != "cmra" && in.Voie != "tribunal" {
		errs = append(errs, medconseil.FieldErrorf("voie", "voie de recours : cmra (contestation d'ordre médical) ou tribunal (pénalité, MSAP : pas de recours préalable)"))
	}
	if in.Requerant == "" || len(in.Requerant) > 200 {
		errs = append(errs, medconseil.FieldErrorf("requerant", "requérant manquant (assuré, employeur, professionnel), 200 caractères au plus"))
	}
	if in.Objet == "" || len(in.Objet) > 500 {
		errs = append(errs, medconseil.FieldErrorf("objet", "objet du recours manquant (500 caractères au plus)"))
	}
	if in.Recu.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("recu", "date de réception du recours manquante (jj/mm/aaaa)"))
	} else if in.Recu.After(today) {
		errs = append(errs, medconseil.FieldErrorf("recu", "la date de réception (%s) est dans le futur", in.Recu.Francais()))
	}
	return errors.Join(errs...)
}

// OpenContentieuxDossier opens the contentieux of an assuré (or employer)
// contesting the avis of casework dossier dossierID: the dossier is opened through
// the access gate (a must see its clinical content: a médecin of its territory),
// must be notified (or already contested), and moves to "contestée" through its own
// lifecycle (which starts its CMRA silence deadline); the contentieux keeps the
// dossier out of the purge.
func (db *DB) OpenContentieuxDossier(ctx context.Context, a *medconseil.Acteur, dossierID int64, in ContentieuxInput, m Meta) (id int64, err error) {
	cerr := in.check(medconseil.DateOf(db.Now()))
	err = db.writeGated(ctx, func(tx *Tx) error {
		r, classes, err := tx.gate(ctx, a, dossierID, "controle.contentieux", m)
		if err != nil {
			return err
		}
		roles := db.Policy.ControleRoles(a, r.Departement)
		if !classes.Has(medconseil.Clinique) || len(roles) == 0 {
			if err := tx.journal(ctx, a, "controle.contentieux", fmt.Sprintf("dossier:%d", dossierID), 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le suivi d'un contentieux médical est réservé aux médecins-conseils du territoire du dossier"}}
		}
		if cerr != nil {
			return cerr
		}
		if in.Voie != "cmra" {
			return medconseil.FieldErrorf("voie", "la contestation d'un avis d'ordre médical passe d'abord par la CMRA (L142-4 ; R142-8)")
		}
		switch r.Etat {
		case medconseil.EtatNotifiee:
			l, ok := db.Lifecycle.Get(r.Type)
			if ok {
				if _, ok := l.Transition("contester", r.Etat); ok {
					res, err := tx.Exec(ctx, `UPDATE dossier SET etat = ?, version = version + 1, maj_le = ? WHERE id = ? AND version = ?`, string(medconseil.EtatContestee), ts(db.Now()), r.ID, r.Version)
					if err != nil {
						return medconseil.Internal(err)
					}
					if n, _ := res.RowsAffected(); n != 1 {
						return &medconseil.Error{Code: medconseil.ECONFLICT, Message: "le dossier a été modifié en même temps : rouvrez-le"}
					}
					if err := tx.LifecycleEvent(ctx, r.ID, r.Type, "contester", medconseil.EtatContestee); err != nil {
						return err
					}
				}
			}
		case medconseil.EtatContestee:
		default:
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "dossier", Message: fmt.Sprintf("le dossier n° %d est à l'état « %s » : seul un avis notifié peut être contesté", r.ID, r.Etat.Label())}
		}
		if err := tx.checkContestationDelai(ctx, r.ID, &in); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM controle WHERE dossier_id = ? AND circuit = ? AND etape <> 'clos'`, r.ID, string(controle.CircuitContentieux)).Scan(&n); err != nil {
			return medconseil.Internal(err)
		}
		if n > 0 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: fmt.Sprintf("un contentieux est déjà ouvert sur le dossier n° %d", r.ID)}
		}
		objet := fmt.Sprintf("%s — %s (dossier %s n° %d)", in.Requerant, in.Objet, strings.ToLower(r.Type.Label()), r.ID)
		if in.DelaiInopposable {
			objet += " — délai de recours non opposable (notification sans voies et délais de recours)"
		}
		id, err = tx.insertContentieux(ctx, a, in, r.Departement, "", "", 0, r.ID, objet)
		if err != nil {
			return err
		}
		if err := tx.journal(ctx, a, "controle.contentieux", fmt.Sprintf("dossier:%d", dossierID), medconseil.FieldSet(0).With(medconseil.Administratif), Meta{Adresse: m.Adresse, Finalite: "controle"}, ResultOK); err != nil {
			return err
		}
		return tx.controleJournal(ctx, a, "controle.contentieux", id, m, ResultOK)
	})
	return id, err
}

// OpenContentieuxControle opens the contentieux of a professional against a
// procedure (pénalité, MSAP, indu): before the tribunal directly for a pénalité
// (L114-17-2; L142-4 al. 3).
func (db *DB) OpenContentieuxControle(ctx context.Context, a *medconseil.Acteur, parentID int64, in ContentieuxInput, m Meta) (id int64, err error) {
	cerr := in.check(medconseil.DateOf(db.Now()))
	err = db.writeGated(ctx, func(tx *Tx) error {
		p, _, err := tx.controleGate(ctx, a, parentID, "controle.contentieux", m)
		if err != nil {
			return err
		}
		if cerr != nil {
			return cerr
		}
		objet := fmt.Sprintf("%s — %s", in.Requerant, in.Objet)
		id, err = tx.insertContentieux(ctx, a, in, p.Departement, p.Professionnel, p.RPPS, parentID, 0, objet)
		if err != nil {
			return err
		}
		return tx.controleJournal(ctx, a, "controle.contentieux", id, m, ResultOK)
	})
	return id, err
}

func (t *Tx) insertContentieux(ctx context.Context, a *medconseil.Acteur, in ContentieuxInput, dep, pro, rpps string, parentID, dossierID int64, objet string) (int64, error) {
	etape := controle.Contentieux.Initial
	if in.Voie == "tribunal" {
		etape = "tribunal"
	}
	id, err := t.insertControleAt(ctx, a, controle.Contentieux, etape, dep, pro, rpps, "", objet, 0, parentID, dossierID)
	if err != nil {
		return 0, err
	}
	// The délais of the CMRA run from the introduction of the recourse (R142-8-5),
	// not from the day it was keyed in: re-plan them from in.Recu.
	if _, err := t.Exec(ctx, `DELETE FROM controle_echeance WHERE controle_id = ?`, id); err != nil {
		return 0, medconseil.Internal(err)
	}
	if _, err := t.Exec(ctx, `UPDATE controle_evenement SET le = ? WHERE controle_id = ?`, in.Recu.String(), id); err != nil {
		return 0, medconseil.Internal(err)
	}
	if err := t.startControleEcheances(ctx, controle.Contentieux, id, controle.Ouverture, etape, in.Recu, medconseil.Date{}); err != nil {
		return 0, err
	}
	enc, err := t.db.seal("controle_element", id, "contenu:1", in.Requerant)
	if err != nil {
		return 0, err
	}
	if _, err := t.Exec(ctx, `INSERT INTO controle_element (controle_id, rang, genre, partie, contenu_enc, le, par) VALUES (?, 1, 'partie', 'requérant', ?, ?, ?)`, id, enc, ts(t.now()), a.Login); err != nil {
		return 0, medconseil.Internal(err)
	}
	return id, nil
}

// msapOnFiled is called in the intake transaction of every dossier: an arrêt
// de travail prescribed by a professional whose MSAP runs on its start date enters
// the casework as needing the prior agreement of the service du contrôle médical
// (L162-1-15 I): a msap_arret row in state « attente_accord » and an alert on the
// dossier naming the procedure.
func (t *Tx) msapOnFiled(ctx context.Context, id int64, prescripteur medconseil.RPPS, ar *medconseil.ArretTravail) error {
	if ar == nil || prescripteur == "" {
		return nil
	}
	var cid int64
	var debut, fin string
	err := t.QueryRow(ctx, `SELECT id, periode_debut, periode_fin FROM controle WHERE rpps = ? AND circuit = ? AND etape = 'msap' AND periode_debut <= ? AND periode_fin >= ? ORDER BY id LIMIT 1`,
		string(prescripteur), string(controle.CircuitMSO), ar.Debut.String(), ar.Debut.String()).Scan(&cid, &debut, &fin)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return medconseil.Internal(err)
	}
	now := t.now()
	if _, err := t.Exec(ctx, `INSERT INTO msap_arret (dossier_id, controle_id, statut, depuis) VALUES (?, ?, 'attente_accord', ?)`, id, cid, ts(now)); err != nil {
		return medconseil.Internal(err)
	}
	var rang int
	if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(rang), -1) + 1 FROM alerte WHERE dossier_id = ?`, id).Scan(&rang); err != nil {
		return medconseil.Internal(err)
	}
	d1, _ := medconseil.ParseDate(debut)
	d2, _ := medconseil.ParseDate(fin)
	msg := fmt.Sprintf("Prescripteur sous MSAP du %s au %s (procédure n° %d) : les IJ de cet arrêt ne sont versées qu'après l'accord préalable du service du contrôle médical (L162-1-15 I).", d1.Francais(), d2.Francais(), cid)
	enc, err := t.db.seal("alerte", id, fmt.Sprintf("message:%d", rang), msg)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `INSERT INTO alerte (dossier_id, rang, code, message_enc, ref_id) VALUES (?, ?, ?, ?, NULL)`, id, rang, "msap_accord_prealable", enc); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// MsapStatut returns the MSAP state of arrêt dossierID ("" when not under MSAP).
func (db *DB) MsapStatut(ctx context.Context, dossierID int64) (statut string, controleID int64, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `SELECT statut, controle_id FROM msap_arret WHERE dossier_id = ?`, dossierID).Scan(&statut, &controleID)
		if errors.Is(err, sql.ErrNoRows) {
			statut, controleID = "", 0
			return nil
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		return nil
	})
	return statut, controleID, err
}

// MsapDecision records the médecin-conseil's prior agreement (or refusal) on
// arrêt dossierID filed under an MSAP: the arrêt must be visible to a (gate) and a
// must be a médecin-conseil of the procedure's territory.
func (db *DB) MsapDecision(ctx context.Context, a *medconseil.Acteur, dossierID int64, accord bool, motif string, m Meta) error {
	motif = strings.TrimSpace(motif)
	return db.writeGated(ctx, func(tx *Tx) error {
		if _, _, err := tx.gate(ctx, a, dossierID, "controle.msap_accord", m); err != nil {
			return err
		}
		var cid int64
		var statut string
		err := tx.QueryRow(ctx, `SELECT controle_id, statut FROM msap_arret WHERE dossier_id = ?`, dossierID).Scan(&cid, &statut)
		if errors.Is(err, sql.ErrNoRows) {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: fmt.Sprintf("l'arrêt n° %d n'est pas soumis à accord préalable (aucune MSAP de son prescripteur)", dossierID)}
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		if _, _, err := tx.controleGate(ctx, a, cid, "controle.msap_accord", m); err != nil {
			return err
		}
		if statut != "attente_accord" {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: "l'accord préalable de cet arrêt a déjà été décidé"}
		}
		if !accord && motif == "" {
			return medconseil.FieldErrorf("motif", "motif du refus d'accord préalable manquant")
		}
		s := "accord"
		if !accord {
			s = "refus"
		}
		enc := ""
		if motif != "" {
			if enc, err = db.seal("msap_arret", dossierID, "motif", motif); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE msap_arret SET statut = ?, decide_le = ?, decide_par = ?, motif_enc = ? WHERE dossier_id = ? AND statut = 'attente_accord'`, s, ts(db.Now()), a.Login, enc, dossierID); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "controle.msap_"+s, fmt.Sprintf("dossier:%d", dossierID), medconseil.FieldSet(0).With(medconseil.Administratif), Meta{Adresse: m.Adresse, Finalite: "controle"}, ResultOK)
	})
}

// FireControleDeadlines fires the deadlines of the procedures due on or before
// until: each claimed once (conditional UPDATE), the step changed when the
// deadline has an effect, the deadlines that follow started, journaled — one
// transaction per deadline. The scheduler calls it with FireDeadlines.
func (db *DB) FireControleDeadlines(ctx context.Context, until medconseil.Date) (fired int, err error) {
	type due struct {
		id, cid int64
		nom     string
		limite  string
	}
	var dues []due
	err = db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, controle_id, nom, limite FROM controle_echeance WHERE statut = 'attente' AND due <= ? ORDER BY due, id LIMIT 1000`, until.String())
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.cid, &d.nom, &d.limite); err != nil {
				return medconseil.Internal(err)
			}
			dues = append(dues, d)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	for _, d := range dues {
		if err := ctx.Err(); err != nil {
			return fired, err
		}
		err := db.Write(ctx, func(tx *Tx) error {
			now := db.Now()
			res, err := tx.Exec(ctx, `UPDATE controle_echeance SET statut = 'declenchee', traite_le = ? WHERE id = ? AND statut = 'attente'`, ts(now), d.id)
			if err != nil {
				return medconseil.Internal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // fired or cancelled meanwhile
			}
			r, err := scanControle(tx.QueryRow(ctx, `SELECT `+controleCols+` FROM controle c WHERE c.id = ?`, d.cid))
			if err != nil {
				return medconseil.Internal(err)
			}
			def, _ := controle.Get(r.Circuit)
			x, ok := def.Echeance(d.nom)
			if !ok || !slices.Contains(x.TantQue, r.Etape) {
				_, err := tx.Exec(ctx, `UPDATE controle_echeance SET statut = 'annulee' WHERE id = ?`, d.id)
				return err
			}
			etape := r.Etape
			if x.Vers != "" {
				etape = x.Vers
				if _, err := tx.Exec(ctx, `UPDATE controle SET etape = ?, version = version + 1, maj_le = ? WHERE id = ?`, string(etape), ts(now), d.cid); err != nil {
					return medconseil.Internal(err)
				}
			}
			day, _ := medconseil.ParseDate(d.limite)
			day = day.AddDays(1)
			if err := tx.addControleEvent(ctx, d.cid, x.Nom, string(etape), day, "systeme", ""); err != nil {
				return err
			}
			if err := tx.startControleEcheances(ctx, def, d.cid, x.Nom, etape, day, medconseil.Date{}); err != nil {
				return err
			}
			fired++
			return tx.journal(ctx, &medconseil.Acteur{Login: "echeancier"}, "controle.echeance."+x.Nom, fmt.Sprintf("controle:%d", d.cid), 0, Meta{Finalite: "echeance"}, ResultOK)
		})
		if err != nil {
			return fired, err
		}
	}
	return fired, nil
}

// controleProtectedDossiers is the condition, on dossier alias a, that it is under
// a contentieux (any contentieux opened from it: evidence in a procedure that is
// open or may be reopened) or is an arrêt filed under an MSAP whose procedure is
// not over (REGULATIONS.md §14, §15.2). The purge excludes such dossiers.
func controleProtectedDossiers(a string) string {
	var finals []string
	for _, s := range controle.MSO.Etapes {
		if s.Finale {
			finals = append(finals, "'"+string(s.Code)+"'")
		}
	}
	return `NOT EXISTS (SELECT 1 FROM controle pc WHERE pc.dossier_id = ` + a + `.id)
		AND NOT EXISTS (SELECT 1 FROM msap_arret pm JOIN controle pmc ON pmc.id = pm.controle_id WHERE pm.dossier_id = ` + a + `.id AND pmc.etape NOT IN (` + strings.Join(finals, ", ") + `))`
}
