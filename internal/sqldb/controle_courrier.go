package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/courrier"
)

// ControleCourrier is a stored letter of a procedure, without its PDF.
type ControleCourrier struct {
	ID        int64
	Reference string
	Modele    string
	Objet     string
	Date      medconseil.Date
	Par       string
	Taille    int64
	SHA256    string
}

// addControleCourrier renders letter l (internal/courrier) for procedure id and
// stores it sealed with its SHA-256, in t; journaled.
func (t *Tx) addControleCourrier(ctx context.Context, a *medconseil.Acteur, id int64, l courrier.Lettre) (int64, string, error) {
	if err := l.Validate(); err != nil {
		return 0, "", err
	}
	ent, ok := courrier.EnteteDe(l.Departement, l.Date)
	if !ok {
		return 0, "", medconseil.FieldErrorf("le", "aucun service médical ne couvre le département %s le %s", l.Departement, l.Date.Francais())
	}
	now := t.now()
	var cid int64
	if err := t.QueryRow(ctx, `INSERT INTO controle_courrier (controle_id, reference, modele, objet, date_courrier, cree_le, par, taille, sha256, pdf_enc) VALUES (?, '', ?, ?, ?, ?, ?, 0, '', '') RETURNING id`,
		id, l.Modele, l.Objet, l.Date.String(), ts(now), a.Login).Scan(&cid); err != nil {
		return 0, "", medconseil.Internal(err)
	}
	ref := courrier.Reference(ent.Organisme.Code+"/CTL", l.Date.Year(), cid)
	l.Reference = ref
	pdf, err := l.PDF()
	if err != nil {
		return 0, "", err
	}
	sum := sha256.Sum256(pdf)
	sealed, err := t.db.seal("controle_courrier", cid, "pdf", base64.StdEncoding.EncodeToString(pdf))
	if err != nil {
		return 0, "", err
	}
	if _, err := t.Exec(ctx, `UPDATE controle_courrier SET reference = ?, taille = ?, sha256 = ?, pdf_enc = ? WHERE id = ?`, ref, len(pdf), hex.EncodeToString(sum[:]), sealed, cid); err != nil {
		return 0, "", medconseil.Internal(err)
	}
	return cid, ref, t.journal(ctx, a, "controle.courrier", fmt.Sprintf("controle:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), Meta{Finalite: "controle"}, ResultOK)
}

// notificationMSO is the letter notifying the professional of the MSO/MSAP
// procedure (L162-1-15; R148-1 I): the facts and figures of his practice against
// the reference average, and his right to be heard or to write within the délai.
func notificationMSO(r *ControleRow, p *Proposition, le, limite medconseil.Date) courrier.Lettre {
	faits := "Le service du contrôle médical a analysé votre activité de prescription."
	if p != nil {
		faits = fmt.Sprintf("Le service du contrôle médical a analysé votre activité de prescription (%s) : %s", p.Anomalie, courrier.Typographie(p.Explication))
	}
	return courrier.Lettre{
		Modele:       "notification_mso_msap",
		Destinataire: courrier.Professionnel,
		Adresse:      []string{"Professionnel de santé n° " + r.Professionnel, "RPPS " + r.RPPS},
		Departement:  r.Departement,
		Date:         le,
		Objet:        fmt.Sprintf("Procédure de mise sous objectif ou sous accord préalable n° %d — notification", r.ID),
		Mention:      "Lettre recommandée avec avis de réception",
		Appel:        "Docteur,",
		Paragraphes: []string{
			faits,
			"Ces chiffres sont significativement supérieurs à la moyenne des prescriptions des professionnels de votre région exerçant une activité comparable (article L162-1-15 I du code de la sécurité sociale).",
			fmt.Sprintf("Conformément à l'article R148-1 du même code, vous pouvez être entendu, assisté de la personne de votre choix, ou présenter vos observations écrites jusqu'au %s inclus.", courrier.DateLongue(limite)),
			"À l'issue de ce délai, le directeur de la caisse décidera, conjointement avec le médecin-conseil chef de service, de l'abandon de la procédure, d'une proposition de mise sous objectif ou de la poursuite vers une mise sous accord préalable.",
		},
		Formule:   "Veuillez agréer, Docteur, l'expression de nos salutations distinguées.",
		Signature: []string{"Le directeur de la caisse primaire", "Le médecin-conseil chef de service"},
	}
}

// letterOnEvent writes the letters a step produces: the notification of an
// MSO/MSAP procedure, and those of stepLetter (controle_lettres.go).
func (t *Tx) letterOnEvent(ctx context.Context, a *medconseil.Acteur, r *ControleRow, def *controle.Def, ev string, in EventInput) error {
	le := in.Le
	if def.Circuit != controle.CircuitMSO || ev != "notifier" {
		l, ok, err := t.stepLetter(ctx, r, def, ev, in)
		if err != nil || !ok {
			return err
		}
		_, _, err = t.addControleCourrier(ctx, a, r.ID, l)
		return err
	}
	var limite medconseil.Date
	var ls string
	err := t.QueryRow(ctx, `SELECT limite FROM controle_echeance WHERE controle_id = ? AND nom = 'observations' AND statut = 'attente'`, r.ID).Scan(&ls)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return medconseil.Internal(err)
	}
	limite, _ = medconseil.ParseDate(ls)
	var p Proposition
	var pp *Proposition
	err = t.QueryRow(ctx, `SELECT p.anomalie, p.explication FROM controle_proposition p JOIN controle c ON c.proposition_id = p.id WHERE c.id = ?`, r.ID).Scan(&p.Anomalie, &p.Explication)
	if err == nil {
		pp = &p
	} else if !errors.Is(err, sql.ErrNoRows) {
		return medconseil.Internal(err)
	}
	_, _, err = t.addControleCourrier(ctx, a, r.ID, notificationMSO(r, pp, le, limite))
	return err
}

func (t *Tx) controleCourriers(ctx context.Context, id int64) ([]ControleCourrier, error) {
	rows, err := t.Query(ctx, `SELECT id, reference, modele, objet, date_courrier, par, taille, sha256 FROM controle_courrier WHERE controle_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []ControleCourrier
	for rows.Next() {
		var c ControleCourrier
		var d string
		if err := rows.Scan(&c.ID, &c.Reference, &c.Modele, &c.Objet, &d, &c.Par, &c.Taille, &c.SHA256); err != nil {
			return nil, medconseil.Internal(err)
		}
		c.Date, _ = medconseil.ParseDate(d)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ControleCourrierPDF returns letter cid of a procedure, through the gate of its
// procedure; journaled.
func (db *DB) ControleCourrierPDF(ctx context.Context, a *medconseil.Acteur, cid int64, m Meta) (ref string, pdf []byte, err error) {
	err = db.writeGated(ctx, func(tx *Tx) error {
		var id int64
		var enc string
		err := tx.QueryRow(ctx, `SELECT controle_id, reference, pdf_enc FROM controle_courrier WHERE id = ?`, cid).Scan(&id, &ref, &enc)
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.controleJournal(ctx, a, "controle.courrier.lecture", 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{medconseil.NotFound("Courrier")}
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		if _, _, err := tx.controleGate(ctx, a, id, "controle.courrier.lecture", m); err != nil {
			return &refusal{medconseil.NotFound("Courrier")}
		}
		plain, err := db.open("controle_courrier", cid, "pdf", enc)
		if err != nil {
			return err
		}
		if pdf, err = base64.StdEncoding.DecodeString(plain); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.courrier.lecture", id, m, ResultOK)
	})
	return ref, pdf, err
}
