package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"strings"
	"time"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/authz"
)

// Identity of the assuré: the registered record (table assure) holds the version in
// force; every change is a new row of assure_version, attributed (who, when, from
// which filing or with which motif). Only the roles the policy entitles to change
// the identity class (medical and administrative staff of the territory) change it;
// any other filer's declaration stays on its own dossier (dossier.decl_*), which is
// all that filer reads back.

// IdentiteVersion is one version of an assuré's registered identity.
type IdentiteVersion struct {
	Version         int               `json:"version"`
	Assure          medconseil.Assure `json:"assure"`
	MedecinTraitant medconseil.RPPS   `json:"medecin_traitant,omitempty"`
	Par             string            `json:"par"`
	Le              time.Time         `json:"le"`
	DossierID       int64             `json:"dossier_id,omitempty"`
	Motif           string            `json:"motif,omitempty"`
}

type identityRow struct {
	medconseil.Assure
	version int
	mt      string
}

func (t *Tx) readIdentity(ctx context.Context, nir medconseil.NIR) (*identityRow, bool, error) {
	r := &identityRow{}
	var n string
	err := t.QueryRow(ctx, `SELECT nir, nom, prenom, naissance, residence, version, medecin_traitant FROM assure WHERE nir = ?`, string(nir)).
		Scan(&n, &r.Nom, &r.Prenom, &r.Naissance, &r.Residence, &r.version, &r.mt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, medconseil.Internal(err)
	}
	r.NIR = medconseil.NIR(n)
	return r, true, nil
}

// writeIdentity stores next as version cur+1 (1 when new).
func (t *Tx) writeIdentity(ctx context.Context, cur *identityRow, next identityRow, par string, dossierID int64, motif string, now time.Time) error {
	next.version = 1
	if cur == nil {
		if _, err := t.Exec(ctx, `INSERT INTO assure (nir, nom, prenom, naissance, residence, cree_le, version, medecin_traitant) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
			string(next.NIR), next.Nom, next.Prenom, next.Naissance, next.Residence, ts(now), next.mt); err != nil {
			if isUniqueViolation(err) {
				return errIdemRace // another filing created the assuré meanwhile: retry
			}
			return medconseil.Internal(err)
		}
	} else {
		next.version = cur.version + 1
		res, err := t.Exec(ctx, `UPDATE assure SET nom = ?, prenom = ?, naissance = ?, residence = ?, medecin_traitant = ?, version = ? WHERE nir = ? AND version = ?`,
			next.Nom, next.Prenom, next.Naissance, next.Residence, next.mt, next.version, string(next.NIR), cur.version)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "nir", Message: "l'identité de l'assuré a été modifiée en même temps : recommencez"}
		}
		if next.Nom != cur.Nom {
			if err := t.syncNomAssure(ctx, next.NIR, next.Nom); err != nil {
				return err
			}
		}
	}
	if _, err := t.Exec(ctx, `INSERT INTO assure_version (nir, version, nom, prenom, naissance, residence, medecin_traitant, par, le, dossier_id, motif) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(next.NIR), next.version, next.Nom, next.Prenom, next.Naissance, next.Residence, next.mt, par, ts(now), nullInt(dossierID), motif); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// registerIdentityOn creates the assuré at its first filing (version 1,
// attributed to the filer), or records the filing's declared identity as a new
// version when the filer is entitled to change the identity class and it
// differs. A filer who is not entitled only completes fields still empty: its
// declaration stays on its dossier, and it reads back only that. cur is the
// registered identity the caller already read in this transaction (nil: the
// assuré is new).
func (t *Tx) registerIdentityOn(ctx context.Context, a *medconseil.Acteur, f *filing, scope authz.Scope, m Meta, now time.Time, cur *identityRow) error {
	decl := identityRow{Assure: f.assure, mt: string(f.medecinTrait)}
	if cur == nil {
		return t.writeIdentity(ctx, nil, decl, a.Login, 0, "premier dépôt", now)
	}
	next := *cur
	// The entitled roles change the identity; any filer may complete a field still
	// empty (never overwrite one), and the completion is a version like any other.
	entitled := t.db.Policy.Can(a, authz.ActionIdentite, scope)
	if decl.Nom != "" && (entitled || cur.Nom == "") {
		next.Nom = decl.Nom
	}
	if decl.Prenom != "" && (entitled || cur.Prenom == "") {
		next.Prenom = decl.Prenom
	}
	if !decl.Naissance.IsZero() && (entitled || cur.Naissance.IsZero()) {
		next.Naissance = decl.Naissance
	}
	if decl.Residence != "" && entitled {
		next.Residence = decl.Residence
	}
	// The médecin traitant declared on a protocole de soins (written by the médecin
	// traitant) is recorded when none is known yet; afterwards only the entitled roles change it.
	if decl.mt != "" && (cur.mt == "" || t.db.Policy.Can(a, authz.ActionIdentite, scope)) {
		next.mt = decl.mt
	}
	if next.Nom == cur.Nom && next.Prenom == cur.Prenom && next.Naissance == cur.Naissance && next.Residence == cur.Residence && next.mt == cur.mt {
		return nil
	}
	if err := t.writeIdentity(ctx, cur, next, a.Login, 0, "déclaration au dépôt", now); err != nil {
		return err
	}
	return t.journal(ctx, a, "identite.modification", "assure:"+string(cur.NIR), medconseil.FieldSet(0).With(medconseil.Identite), m, ResultOK)
}

// IdentiteChange is a change of an assuré's registered identity; empty fields are
// kept. Motif says why (état civil, déménagement…).
type IdentiteChange struct {
	Nom, Prenom     string
	Naissance       medconseil.Date
	Residence       string
	MedecinTraitant medconseil.RPPS
	Motif           string
}

// ChangeIdentity records a new version of the assuré's identity, attributed to a.
// Only roles entitled to the identity class on a dossier of this assuré change it;
// for anyone else the assuré does not exist (ENOTFOUND, journaled). The assuré is
// reached through its dossiers, so the gate's policy decides.
func (db *DB) ChangeIdentity(ctx context.Context, a *medconseil.Acteur, nir medconseil.NIR, c IdentiteChange, m Meta) (int, error) {
	var errs []error
	if strings.TrimSpace(c.Motif) == "" {
		errs = append(errs, medconseil.FieldErrorf("motif", "indiquer le motif du changement d'identité"))
	}
	for _, f := range []struct{ name, v string }{{"nom", c.Nom}, {"prenom", c.Prenom}, {"motif", c.Motif}} {
		if utf8.RuneCountInString(f.v) > 200 {
			errs = append(errs, medconseil.FieldErrorf(f.name, "200 caractères au plus"))
		}
	}
	if c.Residence != "" {
		if err := medconseil.ValidCommuneShape(c.Residence); err != nil {
			errs = append(errs, medconseil.Prefix("residence", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	var version int
	err := db.writeGated(ctx, func(tx *Tx) error {
		objet := "assure:" + string(nir)
		cur, ok, err := tx.readIdentity(ctx, nir)
		if err != nil {
			return err
		}
		entitled := false
		if ok {
			rows, err := tx.Query(ctx, `SELECT `+dossierCols+` FROM dossier d WHERE d.nir = ? ORDER BY d.id DESC LIMIT 200`, string(nir))
			if err != nil {
				return medconseil.Internal(err)
			}
			var rs []*dossierRow
			for rows.Next() {
				r, err := scanDossier(rows)
				if err != nil {
					rows.Close()
					return medconseil.Internal(err)
				}
				rs = append(rs, r)
			}
			rows.Close()
			for _, r := range rs {
				if tx.permitted(a, authz.ActionIdentite, r) {
					entitled = true
					break
				}
			}
		}
		if !entitled {
			if err := tx.journal(ctx, a, "identite.modification", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.NotFound("Assuré")}
		}
		next := *cur
		if c.Nom != "" {
			next.Nom = strings.TrimSpace(c.Nom)
		}
		if c.Prenom != "" {
			next.Prenom = strings.TrimSpace(c.Prenom)
		}
		if !c.Naissance.IsZero() {
			next.Naissance = c.Naissance
		}
		if c.Residence != "" {
			next.Residence = c.Residence
		}
		if c.MedecinTraitant != "" {
			next.mt = string(c.MedecinTraitant)
		}
		if err := tx.writeIdentity(ctx, cur, next, a.Login, 0, strings.TrimSpace(c.Motif), db.Now()); err != nil {
			return err
		}
		version = cur.version + 1
		return tx.journal(ctx, a, "identite.modification", objet, medconseil.FieldSet(0).With(medconseil.Identite), m, ResultOK)
	})
	return version, err
}

// IdentityVersions returns every version of the assuré's identity, newest first,
// to the roles entitled to change it; ENOTFOUND for anyone else. The read is journaled.
func (db *DB) IdentityVersions(ctx context.Context, a *medconseil.Acteur, nir medconseil.NIR, m Meta) ([]IdentiteVersion, error) {
	var out []IdentiteVersion
	err := db.writeGated(ctx, func(tx *Tx) error {
		objet := "assure:" + string(nir)
		rows, err := tx.Query(ctx, `SELECT `+dossierCols+` FROM dossier d WHERE d.nir = ? ORDER BY d.id DESC LIMIT 200`, string(nir))
		if err != nil {
			return medconseil.Internal(err)
		}
		var rs []*dossierRow
		for rows.Next() {
			r, err := scanDossier(rows)
			if err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		entitled := false
		for _, r := range rs {
			if tx.permitted(a, authz.ActionIdentite, r) {
				entitled = true
				break
			}
		}
		if !entitled {
			if err := tx.journal(ctx, a, "identite.lecture", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.NotFound("Assuré")}
		}
		vs, err := tx.Query(ctx, `SELECT version, nom, prenom, naissance, residence, medecin_traitant, par, le, dossier_id, motif FROM assure_version WHERE nir = ? ORDER BY version DESC`, string(nir))
		if err != nil {
			return medconseil.Internal(err)
		}
		defer vs.Close()
		for vs.Next() {
			var v IdentiteVersion
			var le, mt string
			var did sql.NullInt64
			if err := vs.Scan(&v.Version, &v.Assure.Nom, &v.Assure.Prenom, &v.Assure.Naissance, &v.Assure.Residence, &mt, &v.Par, &le, &did, &v.Motif); err != nil {
				return medconseil.Internal(err)
			}
			v.Assure.NIR, v.MedecinTraitant, v.DossierID = nir, medconseil.RPPS(mt), did.Int64
			v.Le, _ = parseTS(le)
			out = append(out, v)
		}
		if err := vs.Err(); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "identite.lecture", objet, medconseil.FieldSet(0).With(medconseil.Identite), m, ResultOK)
	})
	return out, err
}
