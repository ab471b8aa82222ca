package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/courrier"
)

// The letter to the assuré and the notifications to the caisse of a convocation
// (REGULATIONS.md §13.3, §13.4), written in the convocation's own transaction:
// the letter through AddCourrier (internal/courrier), the notifications through
// the outbox (Notify). Nothing clinical in either: the caisse receives dates,
// places and the administrative conclusion only (R4127-104 CSP, §17).

// slotWhen formats a slot's start: « lundi 7 décembre 2026 à 9 h 00 ».
func slotWhen(debut string) (medconseil.Date, string) {
	t, err := time.Parse(medconseil.CreneauLayout, debut)
	if err != nil {
		return medconseil.Date{}, debut
	}
	d := medconseil.DateOf(t)
	wd := int(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	return d, fmt.Sprintf("%s %s à %d h %02d", medconseil.Jours[wd], courrier.DateLongue(d), t.Hour(), t.Minute())
}

// ijDossier: the dossier types whose prestation is the IJ (the consequence of a
// no-show, L315-2 IV and L323-6 2°; AT/MP: L442-5 applies the same sanctions).
func ijDossier(t medconseil.TypeDossier) bool {
	return t == medconseil.TypeArretTravail || t == medconseil.TypeATMP
}

// onConvocation writes the convocation letter to the assuré and notifies the caisse.
func (t *Tx) onConvocation(ctx context.Context, a *medconseil.Acteur, r *dossierRow, c *medconseil.Convocation) error {
	today := medconseil.DateOf(t.now().In(parisTZ))
	day, when := slotWhen(c.Creneau.Debut)
	as, err := t.identity(ctx, a, r)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.ToUpper(as.Nom) + " " + as.Prenom)
	if name == "" {
		name = "Assuré n° " + medconseil.NIR(r.nir).Format()
	}
	place := c.Creneau.SiteNom + ", " + c.Creneau.Salle
	if c.Creneau.Adresse != "" {
		place += ", " + c.Creneau.Adresse
	}
	paras := []string{
		fmt.Sprintf("En application de l'article L315-2 du code de la sécurité sociale, le service du contrôle médical vous convoque le %s, %s, pour un examen par un praticien-conseil (dossier n° %d).", when, place, r.ID),
	}
	if c.Remplace != 0 {
		paras = append(paras, fmt.Sprintf("Cette convocation remplace la convocation n° %d%s.", c.Remplace, map[bool]string{true: " (" + c.Motif + ")", false: ""}[c.Motif != ""]))
	}
	paras = append(paras,
		"## Documents à apporter",
		"Une pièce d'identité avec photographie (votre identité est vérifiée à chaque examen, article L315-1 IV bis), votre carte Vitale, vos examens (radiographies, comptes rendus, analyses), vos ordonnances et traitements en cours, et tout document médical que vous jugez utile.",
		"## Si vous ne pouvez pas venir",
	)
	if ijDossier(r.Type) {
		paras = append(paras, "Prévenez le service sans délai : un nouveau rendez-vous vous sera proposé si votre motif est valable (hospitalisation, force majeure). Sans motif valable, l'absence à cette convocation ou le refus de l'examen conduit votre caisse à suspendre vos indemnités journalières (articles L315-2 IV et L323-6 2° du code de la sécurité sociale) ; l'absence de réponse peut en outre être sanctionnée par une pénalité financière (article L114-17-1 II 5°).")
	} else {
		paras = append(paras, "Prévenez le service sans délai : un nouveau rendez-vous vous sera proposé si votre motif est valable (hospitalisation, force majeure). Tout assuré est tenu de se soumettre aux contrôles du service médical (article L315-2 IV) ; l'absence de réponse à une convocation peut être sanctionnée par une pénalité financière (article L114-17-1 II 5°).")
	}
	paras = append(paras,
		"## Frais de transport",
		"Cette convocation vaut prescription médicale de transport (article R322-10-2) : vos frais de déplacement sont pris en charge sur la base du mode de transport le moins onéreux compatible avec votre état (article R322-10 2° b ; pour un accident du travail ou une maladie professionnelle, article L442-8). Conservez vos justificatifs ; le praticien-conseil vous demandera comment vous êtes venu.",
	)
	id, ref, err := t.AddCourrier(ctx, CourrierInput{
		DossierID: r.ID,
		Lettre: courrier.Lettre{
			Modele: "convocation_assure", Destinataire: courrier.Assure,
			Adresse:     []string{name, "Commune de résidence (INSEE) " + as.Residence},
			Departement: r.Departement, Date: today, Dossier: r.ID,
			Objet:       "Convocation au service du contrôle médical",
			Mention:     "Personnel et confidentiel",
			Appel:       "Madame, Monsieur,",
			Paragraphes: paras,
			Formule:     "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
			Signature:   []string{"Le service du contrôle médical"},
		},
		Contenu: medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif),
		Par:     a,
	})
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `UPDATE convocation SET courrier_id = ? WHERE id = ?`, id, c.ID); err != nil {
		return medconseil.Internal(err)
	}
	c.Lettre, c.LettreRef = fmt.Sprintf("/convocations/%d/lettre.pdf", c.ID), ref
	conclusion := fmt.Sprintf("Assuré convoqué au service du contrôle médical le %s, %s (convocation n° %d).", when, c.Creneau.SiteNom, c.ID)
	if c.Remplace != 0 {
		conclusion = fmt.Sprintf("Convocation n° %d reportée : assuré convoqué le %s, %s (convocation n° %d).", c.Remplace, when, c.Creneau.SiteNom, c.ID)
	}
	_ = day
	_, err = t.Notify(ctx, Notification{DossierID: r.ID, Nature: "convocation", Conclusion: conclusion, Date: today})
	return err
}

// onNoShow sends the caisse the proposal to suspend the IJ of an assuré who did
// not come or refused the examination without a valid reason (L315-2 IV; L323-6
// 2°; L442-5 for AT/MP): an administrative conclusion, no clinical field. For
// the other dossier types the caisse is informed of the absence (a pénalité
// financière is possible, L114-17-1 II 5°).
func (t *Tx) onNoShow(ctx context.Context, a *medconseil.Acteur, r *dossierRow, c *medconseil.Convocation) error {
	today := medconseil.DateOf(t.now().In(parisTZ))
	_, when := slotWhen(c.Creneau.Debut)
	what := "ne s'est pas présenté à"
	if c.Statut == medconseil.ConvRefus {
		what = "a refusé l'examen de"
	}
	if ijDossier(r.Type) {
		_, err := t.Notify(ctx, Notification{DossierID: r.ID, Nature: "suspension_ij", Date: today,
			Conclusion: fmt.Sprintf("Proposition de suspension des indemnités journalières : l'assuré %s la convocation du %s (n° %d) sans motif valable (art. L315-2 IV et L323-6 2° CSS).", what, when, c.ID)})
		return err
	}
	_, err := t.Notify(ctx, Notification{DossierID: r.ID, Nature: "convocation", Date: today,
		Conclusion: fmt.Sprintf("L'assuré %s la convocation du %s (n° %d) sans motif valable ; pénalité financière possible (art. L114-17-1 II 5° CSS).", what, when, c.ID)})
	return err
}

// ConvocationLettre returns the PDF of convocation cid's letter, through the
// letter's own gate (CourrierPDF): a convocation a may not see is ENOTFOUND.
func (db *DB) ConvocationLettre(ctx context.Context, a *medconseil.Acteur, cid int64, m Meta) (*Courrier, []byte, error) {
	var courrierID int64
	err := db.writeGated(ctx, func(tx *Tx) error {
		c, _, _, err := tx.gateConvocation(ctx, a, cid, "convocation.lettre", convMeta(m))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(courrier_id, 0) FROM convocation WHERE id = ?`, c.ID).Scan(&courrierID); err != nil {
			return medconseil.Internal(err)
		}
		if courrierID == 0 {
			return medconseil.NotFound("Courrier")
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return db.CourrierPDF(ctx, a, courrierID, m)
}
