package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/courrier"
)

// The letters of the steps of the control procedures (docs/controle.md, table
// « Courriers »): each is produced in the transaction of the step, rendered by
// internal/courrier, sealed with its SHA-256 and cites the article it applies.

// Signatures of the letters of the caisse and the service médical: the director
// decides jointly with the médecin-conseil chef de service (L162-1-15; R148-1 II).
var signatureConjointe = []string{"Le directeur de la caisse primaire", "Le médecin-conseil chef de service"}

// professionnelLettre is the common part of a letter to the professional of r.
func professionnelLettre(r *ControleRow, modele, objet string, le medconseil.Date, paragraphes ...string) courrier.Lettre {
	adr := []string{"Professionnel de santé n° " + r.Professionnel}
	if r.RPPS != "" {
		adr = append(adr, "RPPS "+r.RPPS)
	}
	return courrier.Lettre{
		Modele:       modele,
		Destinataire: courrier.Professionnel,
		Adresse:      adr,
		Departement:  r.Departement,
		Date:         le,
		Objet:        objet,
		Mention:      "Lettre recommandée avec avis de réception",
		Appel:        "Madame, Monsieur,",
		Paragraphes:  paragraphes,
		Formule:      "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
		Signature:    signatureConjointe,
	}
}

// pendingLimit returns the limit of the pending deadline nom of procedure id
// (zero when none).
func (t *Tx) pendingLimit(ctx context.Context, id int64, nom string) (medconseil.Date, error) {
	var ls string
	err := t.QueryRow(ctx, `SELECT limite FROM controle_echeance WHERE controle_id = ? AND nom = ? AND statut = 'attente' ORDER BY id DESC LIMIT 1`, id, nom).Scan(&ls)
	if errors.Is(err, sql.ErrNoRows) {
		return medconseil.Date{}, nil
	}
	if err != nil {
		return medconseil.Date{}, medconseil.Internal(err)
	}
	d, _ := medconseil.ParseDate(ls)
	return d, nil
}

// jusquAu renders "jusqu'au <limit> inclus" or, without a pending deadline, the
// délai in words.
func jusquAu(limite medconseil.Date, delai string) string {
	if limite.IsZero() {
		return "dans un délai de " + delai
	}
	return "jusqu'au " + courrier.DateLongue(limite) + " inclus"
}

// stepLetter returns the letter step ev of procedure r (as it was before the step)
// produces with the inputs in, or false when the step produces none. It runs after
// the step's deadlines are written, so the letter states their limits.
func (t *Tx) stepLetter(ctx context.Context, r *ControleRow, def *controle.Def, ev string, in EventInput) (courrier.Lettre, bool, error) {
	le := in.Le
	num := r.ID
	switch def.Circuit {
	case controle.CircuitMSO:
		switch ev {
		case "proposer_mso":
			limite, err := t.pendingLimit(ctx, r.ID, "refus_mso")
			if err != nil {
				return courrier.Lettre{}, false, err
			}
			return professionnelLettre(r, "mso_objectifs", fmt.Sprintf("Procédure n° %d — proposition de mise sous objectif", num), le,
				"Après examen de vos observations, le directeur de la caisse, conjointement avec le médecin-conseil chef de service, vous propose une mise sous objectif de réduction de vos prescriptions d'arrêts de travail, au lieu d'une mise sous accord préalable (article L162-1-15 II du code de la sécurité sociale ; article R148-3).",
				"## Objectif",
				fmt.Sprintf("Réduire de %d %% le nombre de jours d'indemnités journalières prescrits, par rapport à votre moyenne de référence.", in.Objectif),
				fmt.Sprintf("Période de l'objectif : du %s au %s. Vos prescriptions seront suivies chaque mois à partir des données de l'assurance maladie ; un bilan vous sera notifié à la fin de la période (article R148-6).", courrier.DateLongue(in.Debut), courrier.DateLongue(in.Fin)),
				"## Votre réponse",
				fmt.Sprintf("Vous pouvez refuser cette proposition par lettre recommandée %s (article R148-4). Sans réponse de votre part dans ce délai, la mise sous objectif est réputée acceptée. En cas de refus, la procédure de mise sous accord préalable est poursuivie devant la commission (article R148-7).", jusquAu(limite, "15 jours")),
			), true, nil
		case "avis_commission":
			limite, err := t.pendingLimit(ctx, r.ID, "saisine_uncam")
			if err != nil {
				return courrier.Lettre{}, false, err
			}
			return professionnelLettre(r, "mso_avis_commission", fmt.Sprintf("Procédure n° %d — avis de la commission", num), le,
				fmt.Sprintf("La commission prévue à l'article R148-7 du code de la sécurité sociale, saisie de votre situation, a rendu le %s l'avis suivant :", courrier.DateLongue(le)),
				courrier.Typographie(in.Issue),
				fmt.Sprintf("Le directeur de la caisse peut, %s, saisir le directeur général de l'Union nationale des caisses d'assurance maladie pour avis conforme (article R148-8 ; article L162-1-15 II bis) ; à défaut, la procédure est abandonnée.", jusquAu(limite, "15 jours")),
			), true, nil
		case "decider_msap":
			duree := fmt.Sprintf("%d jours", in.Fin.Sub(in.Debut)+1)
			for n := 1; n <= 12; n++ {
				if end := in.Debut.AddMonths(n); end == in.Fin || end.AddDays(-1) == in.Fin {
					duree = fmt.Sprintf("%d mois", n)
					break
				}
			}
			return professionnelLettre(r, "msap_notification", fmt.Sprintf("Procédure n° %d — décision de mise sous accord préalable", num), le,
				"Après avis de la commission (article R148-7 du code de la sécurité sociale) et avis conforme du directeur général de l'Union nationale des caisses d'assurance maladie (article L162-1-15 II bis), le directeur de la caisse a décidé de vous placer sous accord préalable (article L162-1-15 I ; article R148-9).",
				"## Durée",
				fmt.Sprintf("Du %s au %s, soit %s (six mois au plus, article L162-1-15 I).", courrier.DateLongue(in.Debut), courrier.DateLongue(in.Fin), duree),
				"## Effet",
				"Pendant cette période, le versement des indemnités journalières dues au titre des arrêts de travail que vous prescrivez est subordonné à l'accord préalable du service du contrôle médical. Chaque arrêt que vous prescrivez est examiné par un praticien-conseil avant tout versement.",
				"Vous pouvez contester cette décision devant le tribunal judiciaire (pôle social) dans les conditions prévues aux articles L142-1 et suivants du code de la sécurité sociale.",
			), true, nil
		case "bilan_atteint", "bilan_manque":
			atteint := ev == "bilan_atteint"
			p := []string{
				fmt.Sprintf("La mise sous objectif du %s au %s vous fixait une réduction de %d %% des jours d'indemnités journalières prescrits (article R148-3 du code de la sécurité sociale).", courrier.DateLongue(r.Debut), courrier.DateLongue(r.Fin), r.ObjectifPct),
			}
			if n := strings.TrimSpace(in.Note); n != "" {
				p = append(p, "Bilan : "+courrier.Typographie(n))
			}
			if atteint {
				p = append(p, "L'objectif est atteint : la procédure est close (article R148-6).")
			} else {
				p = append(p, "L'objectif n'est pas atteint (article R148-6). Le directeur de la caisse peut engager à votre encontre la procédure de pénalité financière prévue à l'article L114-17-1 II 6° du code de la sécurité sociale (article R147-8 6°) ; vous en seriez informé par une notification distincte, avec le droit de présenter vos observations.")
			}
			return professionnelLettre(r, "mso_bilan", fmt.Sprintf("Procédure n° %d — bilan de la mise sous objectif", num), le, p...), true, nil
		case "abandonner", "uncam_defavorable":
			motif := "Le directeur de la caisse, conjointement avec le médecin-conseil chef de service, a décidé de ne pas donner suite à la procédure de mise sous objectif ou sous accord préalable engagée à votre égard (article R148-2 du code de la sécurité sociale)."
			if ev == "uncam_defavorable" {
				motif = "Le directeur général de l'Union nationale des caisses d'assurance maladie n'a pas rendu d'avis conforme à la mise sous accord préalable envisagée (article L162-1-15 II bis du code de la sécurité sociale) : la procédure engagée à votre égard est abandonnée (article R148-9)."
			}
			return professionnelLettre(r, "mso_abandon", fmt.Sprintf("Procédure n° %d — issue de la procédure", num), le, motif), true, nil
		}
	case controle.CircuitIndu:
		calc, err := t.controleIndu(ctx, r.ID)
		if err != nil || calc == nil {
			return courrier.Lettre{}, false, err
		}
		switch ev {
		case "notifier":
			limite, err := t.pendingLimit(ctx, r.ID, "observations")
			if err != nil {
				return courrier.Lettre{}, false, err
			}
			p := []string{
				fmt.Sprintf("Le contrôle de votre activité a établi l'inobservation des règles de tarification ou de facturation pour des prestations remboursées par l'assurance maladie (%s). En application de l'article L133-4 du code de la sécurité sociale, la caisse vous notifie le remboursement des sommes indûment versées.", r.Objet),
				"## Cause, nature et montant (article R133-9-1)",
				fmt.Sprintf("Prestations concernées : %d ligne(s) de prestations, payées du %s au %s.", len(calc.Lignes), courrier.DateLongue(firstPaid(calc)), courrier.DateLongue(lastPaid(calc))),
				fmt.Sprintf("Montant retenu : %s. Montant écarté car prescrit (paiement antérieur au %s, article L133-4 III) : %s.", calc.Retenu, courrier.DateLongue(calc.Limite), calc.Prescrit),
			}
			if calc.Majoration > 0 {
				p = append(p, fmt.Sprintf("Majoration de 10 %% pour fraude (article L133-4 I) : %s.", calc.Majoration))
			}
			p = append(p, fmt.Sprintf("Montant total à rembourser : %s. Le détail des prestations (dates de soins et de paiement, nature, montant) est tenu à votre disposition.", calc.Total),
				"## Vos droits",
				fmt.Sprintf("Vous pouvez, %s, payer cette somme, présenter vos observations écrites ou saisir la commission de recours amiable de la caisse (article R133-9-1 ; article R142-1). À défaut, une mise en demeure vous sera adressée.", jusquAu(limite, "2 mois")))
			l := professionnelLettre(r, "indu_notification_payer", fmt.Sprintf("Indu n° %d — notification de payer", num), le, p...)
			l.Signature = []string{"Le directeur de la caisse primaire"}
			return l, true, nil
		case "mettre_en_demeure":
			limite, err := t.pendingLimit(ctx, r.ID, "mise_en_demeure")
			if err != nil {
				return courrier.Lettre{}, false, err
			}
			maj := r.Montant.MulRatio(10, 100)
			l := professionnelLettre(r, "indu_mise_en_demeure", fmt.Sprintf("Indu n° %d — mise en demeure", num), le,
				fmt.Sprintf("La notification de payer de l'indu n° %d, d'un montant de %s, est restée sans paiement.", num, r.Montant),
				fmt.Sprintf("Vous êtes mis en demeure de payer cette somme, majorée de 10 %% (%s), soit %s, %s (article R133-9-1 ; article L133-4 du code de la sécurité sociale).", maj, r.Montant+maj, jusquAu(limite, "1 mois")),
				"À défaut, le directeur de la caisse pourra délivrer une contrainte, qui comporte tous les effets d'un jugement (article L133-4).",
			)
			l.Signature = []string{"Le directeur de la caisse primaire"}
			return l, true, nil
		}
	case controle.CircuitPenalite:
		switch ev {
		case "notifier":
			limite, err := t.pendingLimit(ctx, r.ID, "observations")
			if err != nil {
				return courrier.Lettre{}, false, err
			}
			p := []string{
				fmt.Sprintf("Le directeur de la caisse envisage de prononcer à votre encontre une pénalité financière en application de l'article L114-17-1 du code de la sécurité sociale, pour les faits suivants : %s.", courrier.Typographie(r.Objet)),
			}
			if sommes, err := t.parentIndu(ctx, r.ParentID); err != nil {
				return courrier.Lettre{}, false, err
			} else if sommes > 0 {
				p = append(p, fmt.Sprintf("Sommes concernées : %s (indu de la procédure n° %d).", sommes, r.ParentID))
			}
			p = append(p, fmt.Sprintf("Conformément à l'article R147-2, vous pouvez demander à être entendu ou présenter vos observations écrites %s. Le directeur décidera ensuite d'abandonner la procédure, de vous adresser un avertissement ou de saisir la commission prévue à l'article L114-17-1 V.", jusquAu(limite, "1 mois")))
			l := professionnelLettre(r, "penalite_notification_faits", fmt.Sprintf("Pénalité n° %d — notification des faits", num), le, p...)
			l.Signature = []string{"Le directeur de la caisse primaire"}
			return l, true, nil
		case "avertir":
			l := professionnelLettre(r, "penalite_avertissement", fmt.Sprintf("Pénalité n° %d — avertissement", num), le,
				fmt.Sprintf("Au vu de vos observations, le directeur de la caisse a décidé de ne pas prononcer de pénalité financière pour les faits suivants : %s, et vous adresse un avertissement (article R147-2 du code de la sécurité sociale).", courrier.Typographie(r.Objet)),
				"En cas de réitération des faits, une pénalité financière pourra être prononcée (article L114-17-1).",
			)
			l.Signature = []string{"Le directeur de la caisse primaire"}
			return l, true, nil
		case "prononcer":
			limite, err := t.pendingLimit(ctx, r.ID, "paiement")
			if err != nil {
				return courrier.Lettre{}, false, err
			}
			l := professionnelLettre(r, "penalite_notification", fmt.Sprintf("Pénalité n° %d — notification de la pénalité financière", num), le,
				fmt.Sprintf("Après avis de la commission et avis conforme du directeur général de l'Union nationale des caisses d'assurance maladie, le directeur de la caisse prononce à votre encontre une pénalité financière de %s pour les faits suivants : %s (article L114-17-1 du code de la sécurité sociale ; article R147-2).", in.Montant, courrier.Typographie(r.Objet)),
				fmt.Sprintf("Cette somme est à payer %s. À défaut, une mise en demeure vous sera adressée.", jusquAu(limite, "2 mois")),
				"Vous pouvez contester cette décision directement devant le tribunal judiciaire (pôle social), sans recours amiable préalable (article L114-17-2 ; article L142-4).",
			)
			l.Signature = []string{"Le directeur de la caisse primaire"}
			return l, true, nil
		}
	}
	return courrier.Lettre{}, false, nil
}

// parentIndu returns the total of the indu of procedure parent or of its
// children (the sums a pénalité concerns).
func (t *Tx) parentIndu(ctx context.Context, parent int64) (medconseil.Montant, error) {
	if parent == 0 {
		return 0, nil
	}
	var s int64
	if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(i.total), 0) FROM controle_indu i JOIN controle c ON c.id = i.controle_id WHERE c.id = ? OR c.parent_id = ?`, parent, parent).Scan(&s); err != nil {
		return 0, medconseil.Internal(err)
	}
	return medconseil.Montant(s), nil
}

func firstPaid(c *controle.CalculIndu) medconseil.Date {
	var d medconseil.Date
	for _, l := range c.Lignes {
		if !l.Prescrite && (d.IsZero() || l.Paiement.Before(d)) {
			d = l.Paiement
		}
	}
	return d
}

func lastPaid(c *controle.CalculIndu) medconseil.Date {
	var d medconseil.Date
	for _, l := range c.Lignes {
		if !l.Prescrite && l.Paiement.After(d) {
			d = l.Paiement
		}
	}
	return d
}

// ConvocationAudition is the hearing of the professional (R148-1 I; R147-2).
type ConvocationAudition struct {
	Le    medconseil.Date // date of the letter
	Jour  medconseil.Date // day of the hearing
	Heure string          // "14h30"
	Lieu  string
}

// ConvoquerAudition sends the convocation of the professional of procedure id
// (an MSO/MSAP notified, or a pénalité notified) to his hearing: the letter, a line
// in the history and the journal, in one transaction. The hearing must fall within
// the pending observations délai.
func (db *DB) ConvoquerAudition(ctx context.Context, a *medconseil.Acteur, id int64, c ConvocationAudition, m Meta) (cid int64, err error) {
	c.Heure, c.Lieu = strings.TrimSpace(c.Heure), strings.TrimSpace(c.Lieu)
	today := medconseil.DateOf(db.Now())
	var errs []error
	if c.Le.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("le", "date du courrier manquante (jj/mm/aaaa)"))
	} else if c.Le.After(today) {
		errs = append(errs, medconseil.FieldErrorf("le", "la date du courrier (%s) est dans le futur", c.Le.Francais()))
	}
	if c.Jour.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("jour", "jour de l'audition manquant (jj/mm/aaaa)"))
	} else if !c.Le.IsZero() && !c.Jour.After(c.Le) {
		errs = append(errs, medconseil.FieldErrorf("jour", "l'audition (%s) doit suivre la date du courrier (%s)", c.Jour.Francais(), c.Le.Francais()))
	}
	if !validHeure(c.Heure) {
		errs = append(errs, medconseil.FieldErrorf("heure", "heure de l'audition illisible : écrire 14h30 ou 14:30"))
	}
	if c.Lieu == "" || len(c.Lieu) > 300 {
		errs = append(errs, medconseil.FieldErrorf("lieu", "lieu de l'audition manquant (300 caractères au plus)"))
	}
	err = db.writeGated(ctx, func(tx *Tx) error {
		r, roles, err := tx.controleGate(ctx, a, id, "controle.convocation", m)
		if err != nil {
			return err
		}
		if !slices.Contains(roles, medconseil.RoleMedecinChef) && !slices.Contains(roles, medconseil.RoleMedecinRegional) {
			if err := tx.controleJournal(ctx, a, "controle.convocation", id, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "la convocation du professionnel est réservée au médecin-conseil chef de service (ou régional)"}}
		}
		var article string
		switch {
		case r.Circuit == controle.CircuitMSO && r.Etape == "notifiee":
			article = "R148-1 I"
		case r.Circuit == controle.CircuitPenalite && r.Etape == "notifiee":
			article = "R147-2"
		default:
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "jour", Message: "la convocation à l'audition se fait pendant le délai d'observations (procédure MSO/MSAP ou pénalité notifiée)"}
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		limite, err := tx.pendingLimit(ctx, id, "observations")
		if err != nil {
			return err
		}
		if !limite.IsZero() && c.Jour.After(limite) {
			return medconseil.FieldErrorf("jour", "l'audition (%s) doit se tenir dans le délai d'observations, au plus tard le %s (%s)", c.Jour.Francais(), limite.Francais(), article)
		}
		l := professionnelLettre(r, "convocation_audition", fmt.Sprintf("Procédure n° %d — convocation à un entretien", r.ID), c.Le,
			fmt.Sprintf("Dans le cadre de la procédure n° %d qui vous a été notifiée, vous avez la possibilité d'être entendu (article %s du code de la sécurité sociale).", r.ID, article),
			fmt.Sprintf("Nous vous proposons un entretien le %s à %s, %s.", courrier.DateLongue(c.Jour), c.Heure, courrier.Typographie(c.Lieu)),
			"Vous pouvez vous faire assister de la personne de votre choix. Si vous ne pouvez pas vous présenter, vous pouvez adresser vos observations écrites dans le même délai ou nous proposer une autre date.",
		)
		if r.Circuit == controle.CircuitPenalite {
			l.Signature = []string{"Le directeur de la caisse primaire"}
		}
		cid, _, err = tx.addControleCourrier(ctx, a, id, l)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("Audition fixée le %s à %s, %s", c.Jour.Francais(), c.Heure, c.Lieu)
		if err := tx.addControleEvent(ctx, id, "convoquer", string(r.Etape), c.Le, a.Login, note); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE controle SET maj_le = ? WHERE id = ?`, ts(db.Now()), id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.convocation", id, m, ResultOK)
	})
	return cid, err
}

func validHeure(s string) bool {
	s = strings.ReplaceAll(s, ":", "h")
	h, mn, ok := strings.Cut(s, "h")
	if !ok || len(h) < 1 || len(h) > 2 || len(mn) > 2 {
		return false
	}
	var hh, mm int
	if _, err := fmt.Sscanf(h, "%d", &hh); err != nil || hh < 0 || hh > 23 {
		return false
	}
	if mn != "" {
		if len(mn) != 2 {
			return false
		}
		if _, err := fmt.Sscanf(mn, "%d", &mm); err != nil || mm < 0 || mm > 59 {
			return false
		}
	}
	return true
}
