package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"medconseil"
	"medconseil/internal/authz"
)

// Natures of a request awaiting a médecin chef's approval.
const (
	NatureHabilitation = "habilitation" // grant a habilitation that opens clinical data
	NatureMotDePasse   = "mot_de_passe" // reset the password of an account holding one
)

// Demande is a request of an administrator that a médecin chef of the territory
// approves or refuses (four eyes: two accounts, one of them medical).
type Demande struct {
	ID           int64                   `json:"id"`
	Login        string                  `json:"login"`
	Nom          string                  `json:"nom"`
	Nature       string                  `json:"nature"`
	Habilitation medconseil.Habilitation `json:"habilitation"`
	DemandePar   string                  `json:"demande_par"`
	DemandeLe    time.Time               `json:"demande_le"`
	Statut       string                  `json:"statut"`
	// Approvable is true when the reader may approve it.
	Approvable bool `json:"-"`
}

// request records a pending request.
func (t *Tx) request(ctx context.Context, by *medconseil.Acteur, uid int64, nature string, h medconseil.Habilitation, passwordHash string) error {
	var byID any
	if by != nil && by.ID != 0 {
		byID = by.ID
	}
	login := ""
	if by != nil {
		login = by.Login
	}
	if _, err := t.Exec(ctx, `INSERT INTO habilitation_demande (utilisateur_id, nature, role, niveau, code, password_hash, demande_par, demande_par_id, demande_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		uid, nature, string(h.Role), string(h.Territoire.Niveau), h.Territoire.Code, passwordHash, login, byID, ts(t.now())); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// Demandes lists the pending requests a may see: every one for an administrator,
// those it may approve for a médecin chef; nothing for others.
func (db *DB) Demandes(ctx context.Context, a *medconseil.Acteur) ([]Demande, error) {
	var out []Demande
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT d.id, u.login, u.nom, d.nature, d.role, d.niveau, d.code, d.demande_par, d.demande_le, d.statut, d.utilisateur_id, COALESCE(d.demande_par_id, 0)
			FROM habilitation_demande d JOIN utilisateur u ON u.id = d.utilisateur_id WHERE d.statut = 'en_attente' ORDER BY d.id`)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var d Demande
			var role, niveau, le string
			var uid, byID int64
			if err := rows.Scan(&d.ID, &d.Login, &d.Nom, &d.Nature, &role, &niveau, &d.Habilitation.Territoire.Code, &d.DemandePar, &le, &d.Statut, &uid, &byID); err != nil {
				return medconseil.Internal(err)
			}
			d.Habilitation.Role, d.Habilitation.Territoire.Niveau = medconseil.Role(role), medconseil.Niveau(niveau)
			d.DemandeLe, _ = parseTS(le)
			d.Approvable = a.ID != uid && a.ID != byID && db.Policy.CanApproveGrant(a, d.Habilitation)
			if d.Approvable || authz.CanAdminUsers(a) {
				out = append(out, d)
			}
		}
		return rows.Err()
	})
	return out, err
}

// DecideRequest approves or refuses a pending request. Only a médecin chef (or
// régional) whose territory covers the habilitation decides, and never the account
// that asked nor the account concerned. Approving sets the account's password to
// passwordHash, chosen by the approver (the administrator never knows a password
// that opens clinical data: the one it typed is replaced), ends the account's
// sessions and tokens, and grants the habilitation for a grant request. A request
// the caller may not decide is EFORBIDDEN and journaled.
func (db *DB) DecideRequest(ctx context.Context, by *medconseil.Acteur, id int64, approve bool, passwordHash string, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		lock := ""
		if tx.db.dialect == Postgres {
			lock = " FOR UPDATE OF d"
		}
		var d Demande
		var role, niveau string
		var uid, byID int64
		err := tx.QueryRow(ctx, `SELECT d.nature, d.role, d.niveau, d.code, d.statut, d.utilisateur_id, COALESCE(d.demande_par_id, 0), u.login
			FROM habilitation_demande d JOIN utilisateur u ON u.id = d.utilisateur_id WHERE d.id = ?`+lock, id).
			Scan(&d.Nature, &role, &niveau, &d.Habilitation.Territoire.Code, &d.Statut, &uid, &byID, &d.Login)
		if errors.Is(err, sql.ErrNoRows) {
			return medconseil.NotFound("Demande")
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		d.Habilitation.Role, d.Habilitation.Territoire.Niveau = medconseil.Role(role), medconseil.Niveau(niveau)
		objet := fmt.Sprintf("demande:%d", id)
		refuse := func(msg string) error {
			if err := tx.journal(ctx, by, "demande.decision", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: msg}
		}
		switch {
		case by == nil || by.ID == 0:
			return refuse("une demande se décide depuis un compte de médecin chef")
		case by.ID == uid:
			return refuse("vous ne pouvez pas approuver une demande qui vous concerne")
		case by.ID == byID:
			return refuse("l'auteur d'une demande ne peut pas l'approuver lui-même (principe des quatre yeux)")
		case !db.Policy.CanApproveGrant(by, d.Habilitation):
			return refuse("seul un médecin chef du territoire " + d.Habilitation.Territoire.String() + " peut décider de cette demande")
		case d.Statut != "en_attente":
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: "cette demande a déjà été décidée"}
		case approve && passwordHash == "":
			return medconseil.FieldErrorf("password", "mot de passe manquant : le médecin chef qui approuve choisit le mot de passe du compte et le remet à son titulaire")
		}
		statut, action := "refusee", "demande.refus"
		if approve {
			statut, action = "approuvee", "demande.approbation"
		}
		if _, err := tx.Exec(ctx, `UPDATE habilitation_demande SET statut = ?, decide_par = ?, decide_le = ? WHERE id = ?`, statut, by.Login, ts(db.Now()), id); err != nil {
			return medconseil.Internal(err)
		}
		if err := tx.journal(ctx, by, action, objet, 0, m, ResultOK); err != nil {
			return err
		}
		if !approve {
			return nil
		}
		switch d.Nature {
		case NatureHabilitation:
			if _, err := tx.Exec(ctx, `INSERT INTO habilitation (utilisateur_id, role, niveau, code) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				uid, role, niveau, d.Habilitation.Territoire.Code); err != nil {
				return medconseil.Internal(err)
			}
			if err := tx.journal(ctx, by, "compte.habilitation", "utilisateur:"+d.Login, 0, m, ResultOK); err != nil {
				return err
			}
		case NatureMotDePasse:
		default:
			return medconseil.Internal(fmt.Errorf("demande %d: nature %q", id, d.Nature))
		}
		return tx.setPassword(ctx, by, uid, d.Login, passwordHash, m)
	})
}
