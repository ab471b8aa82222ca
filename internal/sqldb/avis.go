package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/authz"
)

// AvisVersion is an avis replaced by a correction: what it said, who gave it,
// and who replaced it, when and why. Motif and MotifCorrection are clinical.
type AvisVersion struct {
	Numero          int             `json:"numero"`
	Sens            medconseil.Sens `json:"sens"`
	EffetAu         medconseil.Date `json:"effet_au,omitzero"`
	Motif           string          `json:"motif,omitempty"`
	Par             string          `json:"par"`
	Le              time.Time       `json:"le"`
	RemplacePar     string          `json:"remplace_par"`
	RemplaceLe      time.Time       `json:"remplace_le"`
	MotifCorrection string          `json:"motif_correction,omitempty"`
}

// CorrectAvis replaces the avis in force on dossier id (read at version) by v, for
// the reason motifCorrection (required). The replaced avis is kept in avis_version
// and shown in the history; the new one is notified to the caisse (outbox) in the
// same transaction. Only a praticien-conseil who may give the avis corrects it.
func (db *DB) CorrectAvis(ctx context.Context, a *medconseil.Acteur, id int64, version int, v medconseil.Avis, motifCorrection string, m Meta) (newVersion int, err error) {
	motifCorrection = strings.TrimSpace(motifCorrection)
	if m.Finalite == "" {
		m.Finalite = "avis"
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		r, classes, err := tx.gateAct(ctx, a, id, "avis.correction", authz.ActionAvis, "seul un praticien-conseil de ce territoire peut rectifier un avis", m)
		if err != nil {
			return err
		}
		if err := staleVersion(r, version, ""); err != nil {
			return err
		}
		var numero int
		var sens, motif, par, le string
		var effet sql.NullString
		err = tx.QueryRow(ctx, `SELECT numero, sens, effet_au, motif_enc, par, le FROM avis WHERE dossier_id = ?`, id).Scan(&numero, &sens, &effet, &motif, &par, &le)
		if errors.Is(err, sql.ErrNoRows) {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "sens", Message: "aucun avis n'a encore été rendu sur ce dossier : rendre l'avis plutôt que le rectifier"}
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		var errs []error
		if motifCorrection == "" {
			errs = append(errs, medconseil.FieldErrorf("motif_correction", "indiquer pourquoi l'avis est rectifié"))
		} else if utf8.RuneCountInString(motifCorrection) > 4000 {
			errs = append(errs, medconseil.FieldErrorf("motif_correction", "motif de rectification trop long (4 000 caractères au plus)"))
		}
		d, err := tx.disclose(ctx, a, r, classes)
		if err != nil {
			return err
		}
		errs = append(errs, v.Validate(d.Arret))
		if err := errors.Join(errs...); err != nil {
			return err
		}
		now := db.Now()
		mc, err := db.seal("avis_version", id, fmt.Sprintf("motif_correction:%d", numero), motifCorrection)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO avis_version (dossier_id, numero, sens, effet_au, motif_enc, par, le, remplace_par, remplace_le, motif_correction_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, numero, sens, effet, motif, par, le, a.Login, ts(now), mc); err != nil {
			return medconseil.Internal(err)
		}
		newMotif, err := db.seal("avis", id, "motif", v.Motif)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE avis SET numero = ?, sens = ?, effet_au = ?, motif_enc = ?, par = ?, le = ? WHERE dossier_id = ?`,
			numero+1, string(v.Sens), v.EffetAu, newMotif, a.Login, ts(now), id); err != nil {
			return medconseil.Internal(err)
		}
		newVersion = r.Version + 1
		res, err := tx.Exec(ctx, `UPDATE dossier SET version = ?, maj_le = ? WHERE id = ? AND version = ?`, newVersion, ts(now), id, r.Version)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "le dossier a été modifié en même temps : rouvrez-le"}
		}
		if _, err := tx.Notify(ctx, Notification{DossierID: id, Nature: "avis", Conclusion: "Avis rectifié — " + AvisConclusion(r.Type, v), Date: medconseil.DateOf(now)}); err != nil {
			return err
		}
		return tx.journal(ctx, a, "avis.correction", objet, medconseil.FieldSet(0).With(medconseil.Clinique).With(medconseil.Decision), m, ResultOK)
	})
	return newVersion, err
}

// AvisHistory returns the replaced avis of dossier id, oldest first, through the
// gate: the decision to those who see it, the motifs to those who see the clinical
// class. Journaled when there is something to show.
func (db *DB) AvisHistory(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) ([]AvisVersion, error) {
	var out []AvisVersion
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = nil
		r, classes, err := tx.gate(ctx, a, id, "avis.historique", m)
		if err != nil {
			return err
		}
		if !classes.Has(medconseil.Decision) {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT numero, sens, effet_au, motif_enc, par, le, remplace_par, remplace_le, motif_correction_enc FROM avis_version WHERE dossier_id = ? ORDER BY numero`, r.ID)
		if err != nil {
			return medconseil.Internal(err)
		}
		type enc struct{ motif, correction string }
		var sealed []enc
		for rows.Next() {
			var v AvisVersion
			var sens, le, rle string
			var e enc
			if err := rows.Scan(&v.Numero, &sens, &v.EffetAu, &e.motif, &v.Par, &le, &v.RemplacePar, &rle, &e.correction); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			v.Sens = medconseil.Sens(sens)
			v.Le, _ = parseTS(le)
			v.RemplaceLe, _ = parseTS(rle)
			out = append(out, v)
			sealed = append(sealed, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		if len(out) == 0 {
			return nil
		}
		seen := medconseil.FieldSet(0).With(medconseil.Decision)
		if classes.Has(medconseil.Clinique) {
			seen = seen.With(medconseil.Clinique)
			for i := range out {
				if out[i].Motif, err = db.open("avis", id, "motif", sealed[i].motif); err != nil {
					return err
				}
				if out[i].MotifCorrection, err = db.open("avis_version", id, fmt.Sprintf("motif_correction:%d", out[i].Numero), sealed[i].correction); err != nil {
					return err
				}
			}
		}
		return tx.journal(ctx, a, "avis.historique", fmt.Sprintf("dossier:%d", id), seen, m, ResultOK)
	})
	return out, err
}

// AvisDraft is an avis being typed, kept on the server per user and dossier so
// that it survives the end of a session. Sealed whole as clinical.
type AvisDraft struct {
	Sens    string    `json:"sens"`
	EffetAu string    `json:"effet_au"`
	Motif   string    `json:"motif"`
	Le      time.Time `json:"-"`
}

func draftColumn(userID int64) string { return fmt.Sprintf("contenu:%d", userID) }

// SaveDraft keeps a's draft avis on dossier id (replacing the previous one), for a
// praticien who may give the avis. Journaled.
func (db *DB) SaveDraft(ctx context.Context, a *medconseil.Acteur, id int64, d AvisDraft, m Meta) error {
	if m.Finalite == "" {
		m.Finalite = "avis"
	}
	if utf8.RuneCountInString(d.Motif) > 10000 || len(d.Sens) > 20 || len(d.EffetAu) > 20 {
		return medconseil.FieldErrorf("motif", "brouillon trop long (10 000 caractères au plus)")
	}
	return db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		_, _, err := tx.gateAct(ctx, a, id, "avis.brouillon", authz.ActionAvis, "seul un praticien-conseil de ce territoire peut préparer un avis", m)
		if err != nil {
			return err
		}
		b, err := json.Marshal(d)
		if err != nil {
			return medconseil.Internal(err)
		}
		sealed, err := db.seal("brouillon_avis", id, draftColumn(a.ID), string(b))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO brouillon_avis (utilisateur_id, dossier_id, contenu_enc, le) VALUES (?, ?, ?, ?)
			ON CONFLICT (utilisateur_id, dossier_id) DO UPDATE SET contenu_enc = excluded.contenu_enc, le = excluded.le`, a.ID, id, sealed, ts(db.Now())); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "avis.brouillon", objet, medconseil.FieldSet(0).With(medconseil.Clinique), m, ResultOK)
	})
}

// Draft returns a's draft avis on dossier id, nil when there is none; a must still
// be allowed to give the avis. Journaled when one is returned.
func (db *DB) Draft(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) (*AvisDraft, error) {
	if m.Finalite == "" {
		m.Finalite = "avis"
	}
	var out *AvisDraft
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = nil
		var sealed, le string
		err := tx.QueryRow(ctx, `SELECT contenu_enc, le FROM brouillon_avis WHERE utilisateur_id = ? AND dossier_id = ?`, a.ID, id).Scan(&sealed, &le)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		r, _, err := tx.gate(ctx, a, id, "avis.brouillon.lecture", m)
		if err != nil {
			return err
		}
		if !tx.permitted(a, authz.ActionAvis, r) {
			return nil
		}
		plain, err := db.open("brouillon_avis", id, draftColumn(a.ID), sealed)
		if err != nil {
			return err
		}
		var d AvisDraft
		if err := json.Unmarshal([]byte(plain), &d); err != nil {
			return medconseil.Internal(err)
		}
		d.Le, _ = parseTS(le)
		out = &d
		return tx.journal(ctx, a, "avis.brouillon.lecture", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Clinique), m, ResultOK)
	})
	return out, err
}
