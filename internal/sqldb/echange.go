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
	"medconseil/internal/courrier"
)

// The échange confraternel (issue 13 part 5; REGULATIONS.md §13.6; docs/echanges.md):
// every contact of the service médical with a treating doctor about a dossier —
// who (name, RPPS), when, the channel, who took the initiative, the outcome and a
// summary. The médecin chargé du contrôle does not interfere with the treatment,
// and tells the médecin traitant personally when he disagrees (R4127-103 CSP).
//
// Classes: the summary is clinical and is the service médical's own file, like
// the examination and the internal notes: sealed at rest (echange.resume_enc) and
// opened only for the medical team of the territory. Who, when, the channel and
// the outcome are administrative: whoever sees the dossier's administrative class
// sees them. Only the praticiens-conseils (and the médecins chef and régional) of
// the territory log an échange (authz.ActionAvis).

// Canaux is the closed list of channels of an échange, with their labels.
var Canaux = []struct{ Code, Libelle string }{
	{"telephone", "Téléphone"},
	{"courrier", "Courrier"},
	{"messagerie_securisee", "Messagerie sécurisée de santé"},
	{"visioconference", "Visioconférence"},
	{"rencontre", "Rencontre"},
}

// Initiatives is who started the échange.
var Initiatives = []struct{ Code, Libelle string }{
	{"service_medical", "Service médical"},
	{"medecin_traitant", "Médecin traitant"},
}

// EchangeIssues is the closed list of outcomes of an échange. reprise_convenue
// carries the date of return to work agreed, the one outcome notified to the
// caisse (a date, no clinical content).
var EchangeIssues = []struct{ Code, Libelle string }{
	{"information", "Information échangée, sans suite"},
	{"accord", "Accord sur la prise en charge"},
	{"reprise_convenue", "Reprise du travail convenue"},
	{"pieces_attendues", "Pièces médicales attendues du médecin traitant"},
	{"desaccord", "Désaccord persistant (R4127-103 : conseil départemental de l'ordre)"},
	{"sans_reponse", "Médecin non joint"},
}

func label(list []struct{ Code, Libelle string }, code string) (string, bool) {
	for _, x := range list {
		if x.Code == code {
			return x.Libelle, true
		}
	}
	return "", false
}

func codes(list []struct{ Code, Libelle string }) string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.Code
	}
	return strings.Join(out, ", ")
}

// EchangeInput is an échange as entered (API JSON or form): dates as written
// (AAAA-MM-JJ or JJ/MM/AAAA). Lettre asks for the letter to the médecin traitant.
type EchangeInput struct {
	MedecinNom  string `json:"medecin_nom"`
	MedecinRPPS string `json:"medecin_rpps"`
	Date        string `json:"date_contact"`
	Canal       string `json:"canal"`
	Initiative  string `json:"initiative"`
	Issue       string `json:"issue"`
	RepriseLe   string `json:"reprise_le"`
	Resume      string `json:"resume"`
	Lettre      bool   `json:"lettre"`
}

// Echange is one logged contact. Resume is empty for a reader outside the
// medical team (ResumeMasque then says a summary exists).
type Echange struct {
	ID                int64           `json:"id"`
	DossierID         int64           `json:"dossier"`
	MedecinNom        string          `json:"medecin_nom"`
	MedecinRPPS       string          `json:"medecin_rpps,omitempty"`
	Date              medconseil.Date `json:"date_contact"`
	Canal             string          `json:"canal"`
	CanalLibelle      string          `json:"canal_libelle"`
	Initiative        string          `json:"initiative"`
	IssueCode         string          `json:"issue"`
	IssueLibelle      string          `json:"issue_libelle"`
	RepriseLe         medconseil.Date `json:"reprise_le,omitzero"`
	Resume            string          `json:"resume,omitempty"`
	ResumeMasque      bool            `json:"resume_masque,omitempty"`
	CourrierID        int64           `json:"-"`
	Lettre            string          `json:"lettre,omitempty"` // the PDF's link
	LettreReference   string          `json:"lettre_reference,omitempty"`
	CreePar           string          `json:"cree_par"`
	CreeLe            time.Time       `json:"cree_le"`
	InitiativeLibelle string          `json:"initiative_libelle"`
}

type echangeParsed struct {
	in        EchangeInput
	rpps      string
	le, repri medconseil.Date
}

func (in EchangeInput) parse(today medconseil.Date) (echangeParsed, error) {
	p := echangeParsed{in: in}
	var errs []error
	p.in.MedecinNom = strings.TrimSpace(in.MedecinNom)
	switch n := len([]rune(p.in.MedecinNom)); {
	case n == 0:
		errs = append(errs, medconseil.FieldErrorf("medecin_nom", "nom du médecin traitant manquant"))
	case n > 200:
		errs = append(errs, medconseil.FieldErrorf("medecin_nom", "nom du médecin trop long (200 caractères au plus)"))
	}
	if strings.TrimSpace(in.MedecinRPPS) != "" {
		r, err := medconseil.ParseRPPS(in.MedecinRPPS)
		if err != nil {
			errs = append(errs, medconseil.FieldErrorf("medecin_rpps", "%s", err.(*medconseil.Error).Message))
		}
		p.rpps = string(r)
	}
	if d, err := medconseil.ParseDate(strings.TrimSpace(in.Date)); err != nil {
		errs = append(errs, medconseil.FieldErrorf("date_contact", "date de l'échange : %s", err.(*medconseil.Error).Message))
	} else if d.After(today) {
		errs = append(errs, medconseil.FieldErrorf("date_contact", "date de l'échange (%s) dans le futur : on enregistre un échange qui a eu lieu", d.Francais()))
	} else {
		p.le = d
	}
	if _, ok := label(Canaux, in.Canal); !ok {
		errs = append(errs, medconseil.FieldErrorf("canal", "canal « %s » inconnu : %s", in.Canal, codes(Canaux)))
	}
	if _, ok := label(Initiatives, in.Initiative); !ok {
		errs = append(errs, medconseil.FieldErrorf("initiative", "initiative « %s » inconnue : %s", in.Initiative, codes(Initiatives)))
	}
	if _, ok := label(EchangeIssues, in.Issue); !ok {
		errs = append(errs, medconseil.FieldErrorf("issue", "issue « %s » inconnue : %s", in.Issue, codes(EchangeIssues)))
	}
	if in.Issue == "reprise_convenue" {
		if d, err := medconseil.ParseDate(strings.TrimSpace(in.RepriseLe)); err != nil {
			errs = append(errs, medconseil.FieldErrorf("reprise_le", "date de reprise convenue : %s", err.(*medconseil.Error).Message))
		} else {
			p.repri = d
		}
	} else if strings.TrimSpace(in.RepriseLe) != "" {
		errs = append(errs, medconseil.FieldErrorf("reprise_le", "une date de reprise ne s'indique qu'avec l'issue « reprise_convenue »"))
	}
	p.in.Resume = strings.TrimSpace(in.Resume)
	switch n := len([]rune(p.in.Resume)); {
	case n == 0:
		errs = append(errs, medconseil.FieldErrorf("resume", "résumé de l'échange manquant"))
	case n > 20000:
		errs = append(errs, medconseil.FieldErrorf("resume", "résumé trop long (20 000 caractères au plus)"))
	}
	return p, errors.Join(errs...)
}

// AddEchange logs an échange on dossier id, in one transaction: the row with its
// summary sealed, the letter to the médecin traitant when asked (AddCourrier), the
// notification to the caisse when a return to work was agreed, and the journal.
// A dossier a may not see is ENOTFOUND (journaled); a reader who sees it but is
// not of its medical team is EFORBIDDEN.
func (db *DB) AddEchange(ctx context.Context, a *medconseil.Acteur, id int64, in EchangeInput, m Meta) (*Echange, error) {
	if m.Finalite == "" {
		m.Finalite = "instruction"
	}
	today := medconseil.DateOf(db.Now().In(parisTZ))
	p, err := in.parse(today)
	if err != nil {
		return nil, err
	}
	var out *Echange
	err = db.writeGated(ctx, func(tx *Tx) error {
		r, _, err := tx.gate(ctx, a, id, "echange.creation", m)
		if err != nil {
			return err
		}
		objet := fmt.Sprintf("dossier:%d", id)
		if !tx.permitted(a, authz.ActionAvis, r) {
			if err := tx.journal(ctx, a, "echange.creation", objet, 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "l'échange confraternel est tenu par les praticiens-conseils du territoire (article R4127-103 CSP)"}}
		}
		now := db.Now()
		var eid int64
		if err := tx.QueryRow(ctx, `INSERT INTO echange (dossier_id, medecin_rpps, medecin_nom, le, canal, initiative, issue, reprise_le, cree_par, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, p.rpps, p.in.MedecinNom, p.le.String(), p.in.Canal, p.in.Initiative, p.in.Issue, dateOrEmpty(p.repri), a.Login, ts(now)).Scan(&eid); err != nil {
			return medconseil.Internal(err)
		}
		sealed, err := db.seal("echange", eid, "resume", p.in.Resume)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE echange SET resume_enc = ? WHERE id = ?`, sealed, eid); err != nil {
			return medconseil.Internal(err)
		}
		e := &Echange{ID: eid, DossierID: id, MedecinNom: p.in.MedecinNom, MedecinRPPS: p.rpps, Date: p.le, Canal: p.in.Canal, Initiative: p.in.Initiative,
			IssueCode: p.in.Issue, RepriseLe: p.repri, Resume: p.in.Resume, CreePar: a.Login, CreeLe: now}
		e.decorate()
		if p.in.Lettre {
			if err := tx.echangeLettre(ctx, a, r, e, today); err != nil {
				return err
			}
		}
		if p.in.Issue == "reprise_convenue" {
			if _, err := tx.Notify(ctx, Notification{DossierID: id, Nature: "echange", Date: today,
				Conclusion: fmt.Sprintf("Échange confraternel du %s avec le médecin traitant : reprise du travail convenue le %s.", p.le.Francais(), p.repri.Francais())}); err != nil {
				return err
			}
		}
		out = e
		return tx.journal(ctx, a, "echange.creation", objet, medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Clinique), m, ResultOK)
	})
	return out, err
}

func dateOrEmpty(d medconseil.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func (e *Echange) decorate() {
	e.CanalLibelle, _ = label(Canaux, e.Canal)
	e.IssueLibelle, _ = label(EchangeIssues, e.IssueCode)
	e.InitiativeLibelle, _ = label(Initiatives, e.Initiative)
	if e.CourrierID != 0 {
		e.Lettre = fmt.Sprintf("/courriers/%d.pdf", e.CourrierID)
	}
}

// echangeLettre writes the letter model to the médecin traitant: it confirms the
// échange and its outcome, doctor to doctor. It carries no clinical content (the
// summary stays in the service médical's file): identity and administrative
// classes, readable by whoever reads those of the dossier.
func (t *Tx) echangeLettre(ctx context.Context, a *medconseil.Acteur, r *dossierRow, e *Echange, today medconseil.Date) error {
	as, err := t.identity(ctx, a, r)
	if err != nil {
		return err
	}
	patient := strings.TrimSpace(strings.ToUpper(as.Nom) + " " + as.Prenom)
	if patient == "" {
		patient = "assuré n° " + medconseil.NIR(r.nir).Format()
	}
	dest := []string{"Docteur " + e.MedecinNom}
	if e.MedecinRPPS != "" {
		dest = append(dest, "RPPS "+e.MedecinRPPS)
	}
	canal := strings.ToLower(e.CanalLibelle)
	paras := []string{
		fmt.Sprintf("Je fais suite à notre échange (%s) du %s au sujet de votre patient(e) %s (dossier n° %d, %s).", canal, courrier.DateLongue(e.Date), patient, r.ID, strings.ToLower(r.Type.Label())),
		"Conformément à l'article R4127-103 du code de la santé publique, le médecin chargé du contrôle n'intervient pas dans le traitement ; je tenais à vous faire part personnellement de l'avis du service médical sur la situation de votre patient(e).",
	}
	switch e.IssueCode {
	case "reprise_convenue":
		paras = append(paras, fmt.Sprintf("Nous sommes convenus d'une reprise du travail le %s.", courrier.DateLongue(e.RepriseLe)))
	case "pieces_attendues":
		paras = append(paras, "Je vous remercie de bien vouloir m'adresser, sous pli confidentiel à l'attention du médecin-conseil, les éléments médicaux évoqués (comptes rendus, examens complémentaires).")
	case "desaccord":
		paras = append(paras, "Nos appréciations divergent ; vous pouvez me joindre pour en discuter. À défaut d'accord, la difficulté peut être soumise au conseil départemental de l'ordre (article R4127-103).")
	case "accord":
		paras = append(paras, "Je vous confirme notre accord sur la prise en charge envisagée.")
	default:
		paras = append(paras, "Je reste à votre disposition pour tout élément complémentaire.")
	}
	paras = append(paras, "Votre patient(e) n'a pas fait opposition à cet échange ; ce courrier est couvert par le secret médical.")
	cid, ref, err := t.AddCourrier(ctx, CourrierInput{
		DossierID: r.ID,
		Lettre: courrier.Lettre{
			Modele: "echange_medecin_traitant", Destinataire: courrier.MedecinTraitant,
			Adresse: dest, Departement: r.Departement, Date: today, Dossier: r.ID,
			Objet:       "Échange confraternel au sujet de votre patient(e)",
			Mention:     "Personnel et confidentiel — secret médical",
			Appel:       "Cher(e) Confrère,",
			Paragraphes: paras,
			Formule:     "Je vous prie de croire, cher(e) Confrère, à l'assurance de mes sentiments confraternels.",
			Signature:   []string{"Le praticien-conseil", a.Login},
		},
		Contenu: medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif),
		Par:     a,
	})
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `UPDATE echange SET courrier_id = ? WHERE id = ?`, cid, e.ID); err != nil {
		return medconseil.Internal(err)
	}
	e.CourrierID, e.LettreReference = cid, ref
	e.decorate()
	return nil
}

// Echanges lists the échanges of dossier id, newest first: the summary for the
// medical team of the territory only. The read is journaled with the classes shown.
func (db *DB) Echanges(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) (list []Echange, medicalTeam bool, err error) {
	if m.Finalite == "" {
		m.Finalite = "instruction"
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		list = nil
		r, classes, err := tx.gate(ctx, a, id, "echange.lecture", m)
		if err != nil {
			return err
		}
		if !classes.Has(medconseil.Administratif) {
			return tx.journal(ctx, a, "echange.lecture", fmt.Sprintf("dossier:%d", id), 0, m, ResultOK)
		}
		medicalTeam = classes.Has(medconseil.Clinique) && db.Policy.SeesInternalNotes(a, r.scope())
		rows, err := tx.Query(ctx, `SELECT id, medecin_rpps, medecin_nom, le, canal, initiative, issue, reprise_le, resume_enc, COALESCE(courrier_id, 0), cree_par, cree_le FROM echange WHERE dossier_id = ? ORDER BY le DESC, id DESC`, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		var sealed []string
		for rows.Next() {
			var e Echange
			var le, reprise, enc, creeLe string
			if err := rows.Scan(&e.ID, &e.MedecinRPPS, &e.MedecinNom, &le, &e.Canal, &e.Initiative, &e.IssueCode, &reprise, &enc, &e.CourrierID, &e.CreePar, &creeLe); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			e.DossierID = id
			e.Date, _ = medconseil.ParseDate(le)
			if reprise != "" {
				e.RepriseLe, _ = medconseil.ParseDate(reprise)
			}
			e.CreeLe, _ = parseTS(creeLe)
			list, sealed = append(list, e), append(sealed, enc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		seen := medconseil.FieldSet(0).With(medconseil.Administratif)
		for i := range list {
			e := &list[i]
			if e.CourrierID != 0 {
				var ref sql.NullString
				tx.QueryRow(ctx, `SELECT reference FROM courrier WHERE id = ?`, e.CourrierID).Scan(&ref)
				e.LettreReference = ref.String
			}
			e.decorate()
			if sealed[i] == "" {
				continue
			}
			if !medicalTeam {
				e.ResumeMasque = true
				continue
			}
			if e.Resume, err = db.open("echange", e.ID, "resume", sealed[i]); err != nil {
				return err
			}
			seen = seen.With(medconseil.Clinique)
		}
		return tx.journal(ctx, a, "echange.lecture", fmt.Sprintf("dossier:%d", id), seen, m, ResultOK)
	})
	return list, medicalTeam, err
}
