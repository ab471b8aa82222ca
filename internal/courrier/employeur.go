package courrier

import (
	"fmt"
	"strings"

	"medconseil"
)

// ModeleInformationEmployeur is the letter to the employer of an AT/MP recognised
// implicitly (R441-18: the caisse's decision, or its absence at the end of the
// délai, is notified to the victim and to the employer).
const ModeleInformationEmployeur = "information_employeur"

func init() {
	Modeles = append(Modeles, struct {
		Nom          string
		Destinataire Destinataire
		Description  string
	}{ModeleInformationEmployeur, Employeur, "Information de l'employeur d'une reconnaissance implicite d'AT/MP : dossier, décision, date d'effet, fondement, recours ; ni identité de l'assuré ni donnée clinique."})
}

// employeurContenu is what the employer's letter carries: the dossier and the
// decision, as the policy shows them to the employer (authz: RoleEmployeur), and
// neither the assuré's registered identity nor any clinical field.
var employeurContenu = medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Decision)

// lettreEmployeur is the employer's letter of an AT/MP implicit recognition; ok is
// false for any other decision or without an employer (SIRET) on the dossier.
func (d Decision) lettreEmployeur(decision string, effet medconseil.Date, rec Recours, signature []string, fondement string) (Notification, bool) {
	if d.Issue != IssueReconnaissanceImplicite || d.Type != medconseil.TypeATMP || strings.TrimSpace(d.Employeur) == "" {
		return Notification{}, false
	}
	body := []string{
		"Le délai dont disposait l'Assurance Maladie pour statuer sur le caractère professionnel de l'accident, de la maladie ou de la rechute déclaré(e) pour l'un(e) de vos salarié(e)s, dont le dossier porte le numéro rappelé ci-dessus, a expiré sans qu'une décision soit notifiée.",
		"Décision : " + decision + ".",
		"Date d'effet : " + DateLongue(effet) + ".",
	}
	if fondement != "" {
		body = append(body, fondement)
	}
	body = append(body,
		"Ce courrier ne comporte aucun élément médical (secret médical : article L1110-4 du code de la santé publique). Votre salarié(e) en reçoit notification de son côté.",
		"## Voies et délais de recours",
		fmt.Sprintf("Si vous contestez le caractère professionnel ainsi reconnu, vous pouvez saisir la commission de recours amiable de votre caisse dans un délai de %s à compter de la réception de ce courrier (articles L142-4 et R142-1-A du code de la sécurité sociale), puis le tribunal judiciaire (pôle social) dans un délai de %s à compter de sa décision ou de son rejet implicite.", moisEnLettres(rec.CMRAMois), moisEnLettres(rec.TribunalMois)),
	)
	return Notification{Contenu: employeurContenu, Lettre: Lettre{
		Modele: ModeleInformationEmployeur, Destinataire: Employeur,
		Adresse:     []string{"À l'attention de l'employeur", "SIRET " + strings.TrimSpace(d.Employeur)},
		Departement: d.Departement, Date: d.Date,
		Objet:       "Reconnaissance implicite du caractère professionnel — information de l'employeur",
		Appel:       "Madame, Monsieur,",
		Paragraphes: body,
		Formule:     "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
		Signature:   signature,
	}}, true
}
