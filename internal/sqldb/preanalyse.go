package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/authz"
)

// preAnalyse fills d's pre-analysis for its reader: the proposition and the alerts
// for the medical roles (d.Permis.PreAnalyse), the missing facts for whoever may add
// them (d.Permis.Faits). An alert about another dossier names it only if the reader
// may see that dossier (through the gate); otherwise it says that another dossier,
// not visible to the reader, is concerned.
func (t *Tx) preAnalyse(ctx context.Context, a *medconseil.Acteur, d *medconseil.Dossier) error {
	var regles, enc, manquants, suite, suiteMotif, suitePar, suiteLe string
	err := t.QueryRow(ctx, `SELECT regles, contenu_enc, manquants, suite, suite_motif_enc, suite_par, suite_le FROM preanalyse WHERE dossier_id = ?`, d.ID).
		Scan(&regles, &enc, &manquants, &suite, &suiteMotif, &suitePar, &suiteLe)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return medconseil.Internal(err)
	}
	p := &medconseil.PreAnalyse{Regles: regles}
	if d.Permis.PreAnalyse {
		plain, err := t.db.open("preanalyse", d.ID, "contenu", enc)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(plain), p); err != nil {
			return medconseil.Internal(err)
		}
		if suite != "" {
			s := &medconseil.SuitePreAnalyse{Sens: suite, Par: suitePar}
			s.Le, _ = parseTS(suiteLe)
			if s.Motif, err = t.db.open("preanalyse", d.ID, "suite_motif", suiteMotif); err != nil {
				return err
			}
			p.Suite = s
		}
		alerts, err := t.storedAlerts(ctx, a, d.ID)
		if err != nil {
			return err
		}
		d.Alertes = append(d.Alertes, alerts...)
	} else if err := json.Unmarshal([]byte(manquants), &p.Manquants); err != nil {
		return medconseil.Internal(err)
	}
	if !d.Permis.Faits {
		p.Manquants = nil
	}
	d.PreAnalyse = p
	return nil
}

// needsClinical lists the alerts whose message quotes the other dossier's clinical content.
var needsClinical = map[string]bool{"cim10_modifie": true, "libelle_modifie": true}

func (t *Tx) storedAlerts(ctx context.Context, a *medconseil.Acteur, id int64) ([]medconseil.Alerte, error) {
	rows, err := t.Query(ctx, `SELECT rang, code, message_enc, ref_id FROM alerte WHERE dossier_id = ? ORDER BY rang`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	type stored struct {
		rang      int
		code, enc string
		ref       sql.NullInt64
	}
	var ss []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.rang, &s.code, &s.enc, &s.ref); err != nil {
			rows.Close()
			return nil, medconseil.Internal(err)
		}
		ss = append(ss, s)
	}
	rows.Close()
	var out []medconseil.Alerte
	for _, s := range ss {
		al := medconseil.Alerte{Code: s.code, RefID: s.ref.Int64}
		visible := true
		if s.ref.Valid {
			r, ok, err := t.loadRow(ctx, s.ref.Int64)
			if err != nil {
				return nil, err
			}
			need := medconseil.FieldSet(0).With(medconseil.Administratif)
			if needsClinical[s.code] {
				need = need.With(medconseil.Clinique)
			}
			visible = ok && t.classesOf(a, r)&need == need
		}
		if visible {
			msg, err := t.db.open("alerte", id, fmt.Sprintf("message:%d", s.rang), s.enc)
			if err != nil {
				return nil, err
			}
			al.Message = msg
		} else {
			al.RefID = 0
			al.Message = fmt.Sprintf("Alerte « %s » : elle concerne un autre dossier de l'assuré, qui relève d'un territoire que vous ne couvrez pas.", strings.ReplaceAll(s.code, "_", " "))
		}
		out = append(out, al)
	}
	return out, nil
}

// AnswerPreAnalyse records the praticien's answer to the pre-analysis of dossier id
// opened at version: confirmed, or departed from with a motif. Only the roles that
// may give the avis answer; the motif is clinical and encrypted.
func (db *DB) AnswerPreAnalyse(ctx context.Context, a *medconseil.Acteur, id int64, version int, sens, motif string, m Meta) (int, error) {
	motif = strings.TrimSpace(motif)
	switch sens {
	case medconseil.SuiteConfirmee:
	case medconseil.SuiteEcartee:
		if motif == "" {
			return 0, medconseil.FieldErrorf("motif", "s'écarter de la pré-analyse demande un motif")
		}
	case "":
		return 0, medconseil.FieldErrorf("sens", "choisir « confirmee » ou « ecartee »")
	default:
		return 0, medconseil.FieldErrorf("sens", "suite %q inconnue : confirmee ou ecartee", sens)
	}
	if utf8.RuneCountInString(motif) > 10000 {
		return 0, medconseil.FieldErrorf("motif", "motif trop long (10 000 caractères au plus)")
	}
	var newVersion int
	err := db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		r, _, err := tx.gateAct(ctx, a, id, "preanalyse.suite", authz.ActionAvis, "seul un praticien-conseil de ce territoire confirme ou écarte la pré-analyse", m)
		if err != nil {
			return err
		}
		if err := staleVersion(r, version, ""); err != nil {
			return err
		}
		enc, err := db.seal("preanalyse", id, "suite_motif", motif)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE preanalyse SET suite = ?, suite_motif_enc = ?, suite_par = ?, suite_le = ? WHERE dossier_id = ?`, sens, enc, a.Login, ts(db.Now()), id)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "sens", Message: "ce dossier n'a pas de pré-analyse"}
		}
		newVersion = r.Version + 1
		if _, err := tx.Exec(ctx, `UPDATE dossier SET version = ?, maj_le = ? WHERE id = ?`, newVersion, ts(db.Now()), id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "preanalyse.suite", objet, medconseil.FieldSet(0).With(medconseil.Clinique), m, ResultOK)
	})
	return newVersion, err
}

// AddFacts adds the facts the rule set lacks (salaries, hours) to dossier id opened
// at version, then runs the pre-analysis again. The agents and medical staff of
// the territory may; the facts are administrative.
func (in *Intake) AddFacts(ctx context.Context, a *medconseil.Acteur, id int64, version int, faits map[string]string, m Meta) (int, error) {
	if len(faits) == 0 {
		return 0, medconseil.FieldErrorf("faits", "aucun fait à ajouter")
	}
	db := in.DB
	var newVersion int
	err := db.writeGated(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		r, _, err := tx.gateAct(ctx, a, id, "faits.saisie", authz.ActionFaits, "seuls les agents et les personnels médicaux du territoire complètent les faits d'un dossier", m)
		if err != nil {
			return err
		}
		if err := checkFaits(r.Type, faits); err != nil {
			return err
		}
		if err := staleVersion(r, version, ""); err != nil {
			return err
		}
		now := db.Now()
		for k, v := range faits {
			if _, err := tx.Exec(ctx, `DELETE FROM dossier_fait WHERE dossier_id = ? AND nom = ?`, id, k); err != nil {
				return medconseil.Internal(err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO dossier_fait (dossier_id, nom, valeur, par, le) VALUES (?, ?, ?, ?, ?)`, id, k, strings.TrimSpace(v), a.Login, ts(now)); err != nil {
				return medconseil.Internal(err)
			}
		}
		if in.Analyst != nil {
			if err := tx.runPreAnalyse(ctx, in.Analyst, id, now); err != nil {
				return err
			}
		}
		newVersion = r.Version + 1
		if _, err := tx.Exec(ctx, `UPDATE dossier SET version = ?, maj_le = ? WHERE id = ?`, newVersion, ts(now), id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "faits.saisie", objet, medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	return newVersion, err
}
