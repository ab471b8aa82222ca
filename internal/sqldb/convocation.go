package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/authz"
)

// Convocations and examinations (issue 13, REGULATIONS.md §13). A convocation
// holds its slot through the partial unique index convocation_creneau_actif: two
// agents booking the same slot at once, on either engine, cannot both succeed.

func convMeta(m Meta) Meta {
	if m.Finalite == "" {
		m.Finalite = "convocation"
	}
	return m
}

// ConvocationInput books a slot for a dossier.
type ConvocationInput struct {
	CreneauID int64
	// HorsDepartement is the reason for convoking the assuré to a site outside
	// the département of the dossier (required then).
	HorsDepartement string
	// Version is the dossier's version as read; 0 skips the check (the API books
	// on the current version).
	Version int
}

// errSlotTaken is the French answer to the loser of a booking race.
var errSlotTaken = &medconseil.Error{Code: medconseil.ECONFLICT, Field: "creneau", Message: "ce créneau vient d'être réservé pour une autre convocation : choisissez-en un autre (la liste des créneaux libres a été mise à jour)"}

// slotRow is a slot with its site, read for a booking.
type slotRow struct {
	medconseil.Creneau
	dep string
}

func (t *Tx) slot(ctx context.Context, id int64) (*slotRow, error) {
	s := &slotRow{}
	err := t.QueryRow(ctx, `SELECT c.id, c.site, c.salle_id, sa.nom, sa.adresse, c.praticien, c.debut, c.fin, o.nom, o.departement, o.adresse
		FROM creneau c JOIN agenda_salle sa ON sa.id = c.salle_id JOIN organisme o ON o.code = c.site WHERE c.id = ?`, id).
		Scan(&s.ID, &s.Site, &s.SalleID, &s.Salle, &s.Adresse, &s.Praticien, &s.Debut, &s.Fin, &s.SiteNom, &s.dep, new(string))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, medconseil.FieldErrorf("creneau", "aucun créneau n° %d", id)
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	return s, nil
}

// Convoquer books a slot for dossier id and summons its assuré: the convocation
// is written, the dossier moves through its lifecycle's "convoquer" transition
// when its type has one (recorded without state change otherwise, or when it is
// already at the convocation state: a second convocation), and the letter and
// the caisse's notification follow in the same transaction (hooks below). The
// slot must be free, in the future and, outside the dossier's département, come
// with a reason.
func (db *DB) Convoquer(ctx context.Context, a *medconseil.Acteur, id int64, in ConvocationInput, m Meta) (*medconseil.Convocation, error) {
	return db.convoquer(ctx, a, id, in, 0, "", m)
}

func (db *DB) convoquer(ctx context.Context, a *medconseil.Acteur, id int64, in ConvocationInput, replaces int64, motif string, m Meta) (*medconseil.Convocation, error) {
	m = convMeta(m)
	var out *medconseil.Convocation
	err := db.writeGated(ctx, func(tx *Tx) error {
		c, err := tx.convoquer(ctx, a, id, in, replaces, motif, m)
		out = c
		return err
	})
	return out, err
}

func (t *Tx) convoquer(ctx context.Context, a *medconseil.Acteur, id int64, in ConvocationInput, replaces int64, motif string, m Meta) (*medconseil.Convocation, error) {
	db := t.db
	objet := fmt.Sprintf("dossier:%d", id)
	r, _, err := t.gate(ctx, a, id, "convocation.creation", m)
	if err != nil {
		return nil, err
	}
	if !t.mayConvoke(a, r) {
		if err := t.journal(ctx, a, "convocation.creation", objet, 0, m, ResultRefused); err != nil {
			return nil, err
		}
		return nil, &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "seuls les agents administratifs et les praticiens-conseils du territoire convoquent un assuré"}}
	}
	if in.Version != 0 && in.Version != r.Version {
		return nil, &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: fmt.Sprintf("le dossier a été modifié depuis que vous l'avez ouvert (version %d, vous aviez la version %d)", r.Version, in.Version)}
	}
	if in.CreneauID <= 0 {
		return nil, medconseil.FieldErrorf("creneau", "créneau manquant : choisissez un créneau proposé")
	}
	s, err := t.slot(ctx, in.CreneauID)
	if err != nil {
		return nil, err
	}
	if read, _ := db.Policy.AgendaAccess(a, s.Site); !read {
		return nil, medconseil.FieldErrorf("creneau", "aucun créneau n° %d", in.CreneauID)
	}
	now := db.Now().In(parisTZ)
	if s.Debut <= now.Format(medconseil.CreneauLayout) {
		return nil, medconseil.FieldErrorf("creneau", "le créneau du %s est passé : choisissez un créneau à venir", frDateTime(s.Debut))
	}
	in.HorsDepartement = strings.TrimSpace(in.HorsDepartement)
	if s.dep != r.Departement && in.HorsDepartement == "" {
		return nil, medconseil.FieldErrorf("hors_departement", "le site %s est hors du département du dossier (%s) : indiquez le motif de cette convocation hors département (par exemple à la demande de l'assuré, plus proche de son domicile)", s.SiteNom, medconseil.DepartementNom(r.Departement))
	}
	if len([]rune(in.HorsDepartement)) > 300 {
		return nil, medconseil.FieldErrorf("hors_departement", "motif trop long (300 caractères au plus)")
	}
	var pending int64
	err = t.QueryRow(ctx, `SELECT id FROM convocation WHERE dossier_id = ? AND statut = 'prevue' AND actif = 1`, id).Scan(&pending)
	switch {
	case err == nil && pending != replaces:
		return nil, &medconseil.Error{Code: medconseil.ECONFLICT, Field: "creneau", Message: fmt.Sprintf("le dossier a déjà une convocation prévue (n° %d) : reportez-la plutôt que d'en créer une seconde", pending)}
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return nil, medconseil.Internal(err)
	}
	rang := 1
	if replaces != 0 {
		if err := t.QueryRow(ctx, `SELECT rang FROM convocation WHERE id = ?`, replaces).Scan(&rang); err != nil {
			return nil, medconseil.Internal(err)
		}
	}
	var cid int64
	err = t.QueryRow(ctx, `INSERT INTO convocation (dossier_id, creneau_id, statut, actif, rang, remplace, motif, hors_dep, cree_par, cree_le) VALUES (?, ?, 'prevue', 1, ?, ?, ?, ?, ?, ?) RETURNING id`,
		id, s.ID, rang, nullID(replaces), motif, in.HorsDepartement, a.Login, ts(db.Now())).Scan(&cid)
	if isUniqueViolation(err) {
		return nil, errSlotTaken
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	if err := t.dossierEvent(ctx, a, r, "convoquer", medconseil.EtatConvocation); err != nil {
		return nil, err
	}
	conv := &medconseil.Convocation{ID: cid, DossierID: id, Creneau: s.Creneau, Statut: medconseil.ConvPrevue, Rang: rang, Remplace: replaces, Motif: motif, HorsDep: in.HorsDepartement, CreePar: a.Login, CreeLe: db.Now()}
	if err := t.onConvocation(ctx, a, r, conv); err != nil {
		return nil, err
	}
	if err := t.journal(ctx, a, "convocation.creation", objet, medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK); err != nil {
		return nil, err
	}
	return conv, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// dossierEvent moves dossier r through event ev of its lifecycle when the
// transition exists from its current state; a dossier already in state target,
// or of a type without that event, keeps its state (the convocation is recorded
// all the same). A transition that exists but not from the current state is
// refused with the possible ones.
func (t *Tx) dossierEvent(ctx context.Context, a *medconseil.Acteur, r *dossierRow, ev string, target medconseil.Etat) error {
	l, ok := t.db.Lifecycle.Get(r.Type)
	if !ok || r.Etat == target {
		return nil
	}
	tr, ok := l.Transition(ev, r.Etat)
	if !ok {
		known := false
		for _, x := range l.Transitions {
			known = known || x.Evenement == ev
		}
		if !known {
			return nil
		}
		return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "creneau", Message: fmt.Sprintf("un dossier %s à l'état « %s » ne peut plus être mis en « %s »", strings.ToLower(r.Type.Label()), r.Etat.Label(), target.Label())}
	}
	etat := tr.Vers
	res, err := t.Exec(ctx, `UPDATE dossier SET etat = ?, version = version + 1, maj_le = ? WHERE id = ? AND version = ?`, string(etat), ts(t.now()), r.ID, r.Version)
	if err != nil {
		return medconseil.Internal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "le dossier a été modifié en même temps : rouvrez-le"}
	}
	r.Etat, r.Version = etat, r.Version+1
	return t.LifecycleEvent(ctx, r.ID, r.Type, ev, etat)
}

// convRow reads one convocation with its slot.
func (t *Tx) convocation(ctx context.Context, id int64) (*medconseil.Convocation, error) {
	c := &medconseil.Convocation{}
	var statut, creeLe, suiteLe string
	var remplace, valable, courrierID sql.NullInt64
	err := t.QueryRow(ctx, `SELECT v.id, v.dossier_id, v.statut, v.rang, v.remplace, v.motif, v.hors_dep, v.motif_valable, v.cree_par, v.cree_le, v.suite_par, v.suite_le, v.courrier_id,
		c.id, c.site, c.salle_id, sa.nom, sa.adresse, c.praticien, c.debut, c.fin, o.nom, o.adresse
		FROM convocation v JOIN creneau c ON c.id = v.creneau_id JOIN agenda_salle sa ON sa.id = c.salle_id JOIN organisme o ON o.code = c.site WHERE v.id = ?`, id).
		Scan(&c.ID, &c.DossierID, &statut, &c.Rang, &remplace, &c.Motif, &c.HorsDep, &valable, &c.CreePar, &creeLe, &c.SuitePar, &suiteLe, &courrierID,
			&c.Creneau.ID, &c.Creneau.Site, &c.Creneau.SalleID, &c.Creneau.Salle, &c.Creneau.Adresse, &c.Creneau.Praticien, &c.Creneau.Debut, &c.Creneau.Fin, &c.Creneau.SiteNom, new(string))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	c.Statut, c.Remplace = medconseil.StatutConvocation(statut), remplace.Int64
	if courrierID.Valid {
		c.Lettre = fmt.Sprintf("/convocations/%d/lettre.pdf", c.ID)
		t.QueryRow(ctx, `SELECT reference FROM courrier WHERE id = ?`, courrierID.Int64).Scan(&c.LettreRef)
	}
	if valable.Valid {
		v := valable.Int64 == 1
		c.Valable = &v
	}
	c.CreeLe, _ = parseTS(creeLe)
	if suiteLe != "" {
		c.SuiteLe, _ = parseTS(suiteLe)
	}
	c.Creneau.ConvocationID, c.Creneau.DossierID = c.ID, c.DossierID
	return c, nil
}

// gateConvocation opens convocation cid through its dossier's gate: a
// convocation of a dossier a may not see is ENOTFOUND, as a missing one.
func (t *Tx) gateConvocation(ctx context.Context, a *medconseil.Acteur, cid int64, action string, m Meta) (*medconseil.Convocation, *dossierRow, medconseil.FieldSet, error) {
	c, err := t.convocation(ctx, cid)
	if err != nil {
		return nil, nil, 0, err
	}
	if c == nil {
		if err := t.journal(ctx, a, action, fmt.Sprintf("convocation:%d", cid), 0, m, ResultRefused); err != nil {
			return nil, nil, 0, err
		}
		return nil, nil, 0, &refusal{medconseil.NotFound("Convocation")}
	}
	r, classes, err := t.gate(ctx, a, c.DossierID, action, m)
	if err != nil {
		var ref *refusal
		if errors.As(err, &ref) {
			return nil, nil, 0, &refusal{medconseil.NotFound("Convocation")}
		}
		return nil, nil, 0, err
	}
	return c, r, classes, nil
}

// Reporter reschedules convocation cid on another slot at the assuré's request
// (or the service's): the old convocation is kept as « reportée » with the reason,
// the new one names it (remplace), so the history shows every move.
func (db *DB) Reporter(ctx context.Context, a *medconseil.Acteur, cid int64, creneau int64, motif, horsDep string, m Meta) (*medconseil.Convocation, error) {
	m = convMeta(m)
	motif = strings.TrimSpace(motif)
	if motif == "" {
		return nil, medconseil.FieldErrorf("motif", "motif du report manquant (par exemple : à la demande de l'assuré, hospitalisation)")
	}
	if len([]rune(motif)) > 300 {
		return nil, medconseil.FieldErrorf("motif", "motif trop long (300 caractères au plus)")
	}
	var out *medconseil.Convocation
	err := db.writeGated(ctx, func(tx *Tx) error {
		old, r, _, err := tx.gateConvocation(ctx, a, cid, "convocation.report", m)
		if err != nil {
			return err
		}
		if !tx.mayConvoke(a, r) {
			if err := tx.journal(ctx, a, "convocation.report", fmt.Sprintf("convocation:%d", cid), 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "seuls les agents administratifs et les praticiens-conseils du territoire reportent une convocation"}}
		}
		if old.Statut != medconseil.ConvPrevue {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "creneau", Message: fmt.Sprintf("la convocation n° %d est « %s » : seule une convocation prévue se reporte", cid, old.Statut.Label())}
		}
		if _, err := tx.Exec(ctx, `UPDATE convocation SET statut = 'reportee', actif = 0, suite_par = ?, suite_le = ? WHERE id = ?`, a.Login, ts(db.Now()), cid); err != nil {
			return medconseil.Internal(err)
		}
		c, err := tx.convoquer(ctx, a, old.DossierID, ConvocationInput{CreneauID: creneau, HorsDepartement: horsDep}, cid, motif, m)
		out = c
		return err
	})
	return out, err
}

// Presence is what happened at the convocation's date.
type Presence struct {
	Present bool
	// Refus: present but refused the examination.
	Refus bool
	// MotifValable: for an absence or a refusal, whether the reason given is valid
	// (hospitalisation, force majeure, convocation not received…).
	MotifValable bool
	// Geo locates communes for the second convocation booked after a valid
	// excuse (nil: the sites of the dossier's département first).
	Geo Geo
}

// RecordPresence records whether the assuré came (REGULATIONS.md §13.3). Present:
// the dossier moves to its examination state. Absent or refusing without a valid
// reason: the caisse receives the proposal to suspend the IJ (L315-2 IV; L323-6
// 2°), an administrative conclusion without any clinical field; with a valid
// reason: a second convocation is to be fixed (practice, verify CNAM instructions).
func (db *DB) RecordPresence(ctx context.Context, a *medconseil.Acteur, cid int64, p Presence, m Meta) (*medconseil.Convocation, error) {
	m = convMeta(m)
	var out *medconseil.Convocation
	err := db.writeGated(ctx, func(tx *Tx) error {
		c, r, _, err := tx.gateConvocation(ctx, a, cid, "convocation.presence", m)
		if err != nil {
			return err
		}
		if !tx.mayConvoke(a, r) && !tx.permitted(a, authz.ActionNote, r) {
			if err := tx.journal(ctx, a, "convocation.presence", fmt.Sprintf("convocation:%d", cid), 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "la présence est constatée par le service médical du territoire"}}
		}
		if c.Statut != medconseil.ConvPrevue {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "present", Message: fmt.Sprintf("la convocation n° %d est déjà « %s »", cid, c.Statut.Label())}
		}
		statut := medconseil.ConvPresente
		var valable any
		switch {
		case p.Present && p.Refus:
			statut, valable = medconseil.ConvRefus, boolInt(p.MotifValable)
		case !p.Present:
			statut, valable = medconseil.ConvAbsente, boolInt(p.MotifValable)
			if start, err := time.ParseInLocation(medconseil.CreneauLayout, c.Creneau.Debut, parisTZ); err == nil && db.Now().Before(start) {
				return medconseil.FieldErrorf("present", "la convocation est le %s : l'absence ne se constate qu'à partir de l'heure du rendez-vous", frDateTime(c.Creneau.Debut))
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE convocation SET statut = ?, motif_valable = ?, suite_par = ?, suite_le = ? WHERE id = ?`, string(statut), valable, a.Login, ts(db.Now()), cid); err != nil {
			return medconseil.Internal(err)
		}
		c.Statut, c.SuitePar, c.SuiteLe = statut, a.Login, db.Now()
		if valable != nil {
			v := p.MotifValable
			c.Valable = &v
		}
		switch {
		case statut == medconseil.ConvPresente:
			if err := tx.dossierEvent(ctx, a, r, "examiner", medconseil.EtatExamen); err != nil {
				return err
			}
			c.Suite = "Examen à enregistrer."
		case p.MotifValable:
			// A valid excuse: the slot is given back and a new convocation is to be fixed.
			if _, err := tx.Exec(ctx, `UPDATE convocation SET actif = 0 WHERE id = ?`, cid); err != nil {
				return medconseil.Internal(err)
			}
			if err := tx.secondeConvocation(ctx, a, r, c, p.Geo, m); err != nil {
				return err
			}
		default:
			if err := tx.onNoShow(ctx, a, r, c); err != nil {
				return err
			}
			c.Suite = "Sans motif valable : proposition de suspension des indemnités journalières transmise à la caisse (L315-2 IV et L323-6 2° CSS)."
		}
		out = c
		return tx.journal(ctx, a, "convocation.presence", fmt.Sprintf("convocation:%d", cid), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return out, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Convocations lists the convocations of dossier id, oldest first, each with its
// examination when a belongs to the medical team of the territory: an administrative agent sees dates, places and statuses, never the
// examination. The read is journaled.
func (db *DB) Convocations(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) ([]medconseil.Convocation, error) {
	m = convMeta(m)
	var out []medconseil.Convocation
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = out[:0]
		r, classes, err := tx.gate(ctx, a, id, "convocation.lecture", m)
		if err != nil {
			return err
		}
		// The examination is the service médical's own file, like its internal
		// notes: the medical team of the territory only — not the prescriber, who
		// sees the clinical content of its own submissions (R4127-104, §17).
		medicalTeam := classes.Has(medconseil.Clinique) && db.Policy.SeesInternalNotes(a, r.scope())
		rows, err := tx.Query(ctx, `SELECT id FROM convocation WHERE dossier_id = ? ORDER BY id`, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		var ids []int64
		for rows.Next() {
			var x int64
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			ids = append(ids, x)
		}
		rows.Close()
		seen := medconseil.FieldSet(0).With(medconseil.Administratif)
		for _, x := range ids {
			c, err := tx.convocation(ctx, x)
			if err != nil {
				return err
			}
			if medicalTeam {
				e, err := tx.examen(ctx, x)
				if err != nil {
					return err
				}
				if e != nil {
					seen = seen.With(medconseil.Clinique)
				}
				c.Examen = e
			}
			out = append(out, *c)
		}
		return tx.journal(ctx, a, "convocation.lecture", fmt.Sprintf("dossier:%d", id), seen, m, ResultOK)
	})
	return out, err
}

func (t *Tx) examen(ctx context.Context, cid int64) (*medconseil.Examen, error) {
	e := &medconseil.Examen{ConvocationID: cid}
	var ident int
	var inter, clin, concl, le string
	err := t.QueryRow(ctx, `SELECT identite_verifiee, transport, interrogatoire_enc, clinique_enc, conclusions_enc, maj_par, maj_le FROM examen WHERE convocation_id = ?`, cid).
		Scan(&ident, &e.Transport, &inter, &clin, &concl, &e.MajPar, &le)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	e.IdentiteVerifiee = ident == 1
	e.MajLe, _ = parseTS(le)
	for _, f := range []struct {
		col string
		dst *string
		enc string
	}{{"interrogatoire", &e.Interrogatoire, inter}, {"clinique", &e.Clinique, clin}, {"conclusions", &e.Conclusions, concl}} {
		if *f.dst, err = t.db.open("examen", cid, f.col, f.enc); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// SaveExamen records the examination of convocation cid (REGULATIONS.md §13.5):
// accueil (identity check, L315-1 IV bis; transport, R322-10-2), interrogatoire,
// examen clinique and conclusions, the three texts encrypted at rest. The medical
// team of the territory records it; the conclusions are the praticien-conseil's
// (the infirmier prepares the accueil, the interrogatoire and the examen clinique
// under the praticien's responsibility and written protocol, L315-1 VIII). An
// empty text leaves the stored one unchanged, so each phase can be saved in turn.
func (db *DB) SaveExamen(ctx context.Context, a *medconseil.Acteur, cid int64, e medconseil.Examen, m Meta) error {
	if m.Finalite == "" {
		m.Finalite = "instruction"
	}
	var errs []error
	for _, f := range []struct{ name, v string }{{"interrogatoire", e.Interrogatoire}, {"examen_clinique", e.Clinique}, {"conclusions", e.Conclusions}} {
		if len(f.v) > 20000 {
			errs = append(errs, medconseil.FieldErrorf(f.name, "texte trop long (20 000 caractères au plus)"))
		}
	}
	if e.Transport != "" && !contains(medconseil.Transports, e.Transport) {
		errs = append(errs, medconseil.FieldErrorf("transport", "mode de transport inconnu : %s", strings.Join(medconseil.Transports, ", ")))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return db.writeGated(ctx, func(tx *Tx) error {
		c, r, _, err := tx.gateConvocation(ctx, a, cid, "examen.saisie", m)
		if err != nil {
			return err
		}
		objet := fmt.Sprintf("convocation:%d", cid)
		if !tx.permitted(a, authz.ActionNote, r) {
			if err := tx.journal(ctx, a, "examen.saisie", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "l'examen est enregistré par l'équipe médicale du territoire (praticien-conseil, infirmier)"}}
		}
		if strings.TrimSpace(e.Conclusions) != "" && !tx.permitted(a, authz.ActionAvis, r) {
			if err := tx.journal(ctx, a, "examen.saisie", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.FieldErrorf("conclusions", "les conclusions de l'examen sont celles du praticien-conseil : l'infirmier enregistre l'accueil, l'entretien et l'examen clinique")}
		}
		if c.Statut != medconseil.ConvPresente {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "present", Message: fmt.Sprintf("la convocation n° %d est « %s » : constatez d'abord la présence de l'assuré", cid, c.Statut.Label())}
		}
		old, err := tx.examen(ctx, cid)
		if err != nil {
			return err
		}
		if old == nil {
			old = &medconseil.Examen{}
		}
		merge := func(n, o string) string {
			if strings.TrimSpace(n) == "" {
				return o
			}
			return n
		}
		e.Interrogatoire, e.Clinique, e.Conclusions = merge(e.Interrogatoire, old.Interrogatoire), merge(e.Clinique, old.Clinique), merge(e.Conclusions, old.Conclusions)
		if e.Transport == "" {
			e.Transport = old.Transport
		}
		e.IdentiteVerifiee = e.IdentiteVerifiee || old.IdentiteVerifiee
		var sealed [3]string
		for i, f := range []struct{ col, v string }{{"interrogatoire", e.Interrogatoire}, {"clinique", e.Clinique}, {"conclusions", e.Conclusions}} {
			if f.v == "" {
				continue
			}
			if sealed[i], err = db.seal("examen", cid, f.col, f.v); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO examen (convocation_id, dossier_id, identite_verifiee, transport, interrogatoire_enc, clinique_enc, conclusions_enc, maj_par, maj_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (convocation_id) DO UPDATE SET identite_verifiee = excluded.identite_verifiee, transport = excluded.transport, interrogatoire_enc = excluded.interrogatoire_enc,
			clinique_enc = excluded.clinique_enc, conclusions_enc = excluded.conclusions_enc, maj_par = excluded.maj_par, maj_le = excluded.maj_le`,
			cid, c.DossierID, boolInt(e.IdentiteVerifiee), e.Transport, sealed[0], sealed[1], sealed[2], a.Login, ts(db.Now())); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "examen.saisie", objet, medconseil.FieldSet(0).With(medconseil.Clinique), m, ResultOK)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
