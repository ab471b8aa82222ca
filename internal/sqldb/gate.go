package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"medconseil"
	"medconseil/internal/authz"
)

// The one access gate. Every read of a dossier in the store — a dossier opened, a
// dossier referenced by another (a prolongation's initial arrêt, an AT/MP
// certificate's sinistre), a line of history or of a worklist — asks the policy
// here, and only here: classesOf and permitted are the only callers of
// authz.Policy.Classes and authz.Policy.Can on a stored dossier
// (registeredIdentity for which identity a reader sees). A dossier the
// reader may not see is answered exactly as a missing one, and the attempt is
// journaled in the same transaction.

// refusal is an answer of the gate: the transaction commits (the journal entry of
// the refused attempt is kept) and the caller receives Err.
type refusal struct{ Err error }

func (r *refusal) Error() string { return r.Err.Error() }

// writeGated runs fn in a write transaction; a *refusal returned by fn commits what
// fn wrote (the journal of the refusal) and is returned unwrapped.
func (db *DB) writeGated(ctx context.Context, fn func(*Tx) error) error {
	return db.writeGatedAsync(ctx, fn)()
}

// writeGatedAsync is writeGated returning the wait for the verdict once fn is
// queued (committer.enqueue): writes queued one after another keep their order.
func (db *DB) writeGatedAsync(ctx context.Context, fn func(*Tx) error) (wait func() error) {
	var refused *refusal
	gated := func(tx *Tx) error {
		refused = nil
		err := fn(tx)
		if r, ok := err.(*refusal); ok {
			refused = r
			return nil
		}
		return err
	}
	var verdict func() error
	if db.commit != nil {
		verdict = db.commit.enqueue(ctx, gated)
	} else {
		err := db.run(ctx, db.w, false, gated)
		verdict = func() error { return err }
	}
	return func() error {
		err := verdict()
		if err == nil && refused != nil {
			return refused.Err
		}
		return err
	}
}

// classesOf is the policy applied to one stored dossier: the field classes a may see.
func (t *Tx) classesOf(a *medconseil.Acteur, r *dossierRow) medconseil.FieldSet {
	return t.db.Policy.Classes(a, r.scope())
}

// permitted is the policy's answer on an action on one stored dossier.
func (t *Tx) permitted(a *medconseil.Acteur, action authz.Action, r *dossierRow) bool {
	return t.db.Policy.Can(a, action, r.scope())
}

// registeredIdentity reports whether a reads the assuré's registered identity on
// r, rather than the identity declared on this filing.
func (t *Tx) registeredIdentity(a *medconseil.Acteur, r *dossierRow) bool {
	return t.db.Policy.SeesRegisteredIdentity(a, r.scope())
}

// permis collects what a may do on a dossier it may see.
func (t *Tx) permis(a *medconseil.Acteur, r *dossierRow) medconseil.Permis {
	return medconseil.Permis{
		Avis:       r.Etat.Open() && t.permitted(a, authz.ActionAvis, r),
		Note:       t.permitted(a, authz.ActionNote, r),
		PreAnalyse: t.permitted(a, authz.ActionInstruire, r),
		Faits:      t.permitted(a, authz.ActionFaits, r),
	}
}

// loadRow reads the unprotected row of dossier id; ok is false when it does not exist.
func (t *Tx) loadRow(ctx context.Context, id int64) (*dossierRow, bool, error) {
	r, err := scanDossier(t.QueryRow(ctx, `SELECT `+dossierCols+` FROM dossier d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, medconseil.Internal(err)
	}
	return r, true, nil
}

// gate opens dossier id for a: its row and the classes a may see. A missing dossier
// and one a may not see give the same *refusal (ENOTFOUND), journaled under action.
func (t *Tx) gate(ctx context.Context, a *medconseil.Acteur, id int64, action string, m Meta) (*dossierRow, medconseil.FieldSet, error) {
	r, ok, err := t.loadRow(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	var classes medconseil.FieldSet
	if ok {
		classes = t.classesOf(a, r)
	}
	if classes == 0 {
		if err := t.journal(ctx, a, action, fmt.Sprintf("dossier:%d", id), 0, m, ResultRefused); err != nil {
			return nil, 0, err
		}
		if ok && leakFault("erreur-404") {
			return nil, 0, &refusal{t.leak404(ctx, r)}
		}
		return nil, 0, &refusal{medconseil.NotFound("Dossier")}
	}
	return r, classes, nil
}

// gateAct opens dossier id for a to do action: the gate, then the policy's
// permission for the action; a refused permission is journaled under event and
// answered with refused (a French sentence naming who may). A dossier a may not
// see at all is the gate's ENOTFOUND, as everywhere.
func (t *Tx) gateAct(ctx context.Context, a *medconseil.Acteur, id int64, event string, action authz.Action, refused string, m Meta) (*dossierRow, medconseil.FieldSet, error) {
	r, classes, err := t.gate(ctx, a, id, event, m)
	if err != nil {
		return nil, 0, err
	}
	if !t.permitted(a, action, r) {
		if err := t.journal(ctx, a, event, fmt.Sprintf("dossier:%d", id), 0, m, ResultRefused); err != nil {
			return nil, 0, err
		}
		return nil, 0, &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: refused}}
	}
	return r, classes, nil
}

// staleVersion is the conflict answered when the dossier changed since the user
// opened it at version (nil when it did not); then completes the advice.
func staleVersion(r *dossierRow, version int, then string) error {
	if r.Version == version {
		return nil
	}
	return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: fmt.Sprintf("le dossier a été modifié depuis que vous l'avez ouvert (version %d, vous aviez la version %d) : rouvrez-le%s", r.Version, version, then)}
}

// gateLink opens a dossier referenced by a filing (field names the reference): it
// must exist for a, be of the same assuré and of type typ, and a must see its
// classes need. Any failure — absent, hidden, another assuré, another type — is one
// and the same answer, so that a link never tells whether someone else's dossier
// exists; the attempt is journaled. what names the dossier in the message.
func (t *Tx) gateLink(ctx context.Context, a *medconseil.Acteur, id int64, field, what string, typ medconseil.TypeDossier, nir medconseil.NIR, need medconseil.FieldSet, m Meta) (*dossierRow, error) {
	r, ok, err := t.loadRow(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok && r.Type == typ && r.nir == string(nir) && t.classesOf(a, r)&need == need {
		if err := t.journal(ctx, a, "dossier.lien", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK); err != nil {
			return nil, err
		}
		return r, nil
	}
	if err := t.journal(ctx, a, "dossier.lien", fmt.Sprintf("dossier:%d", id), 0, m, ResultRefused); err != nil {
		return nil, err
	}
	return nil, &refusal{medconseil.FieldErrorf(field, "aucun %s n° %d n'existe pour cet assuré", what, id)}
}
