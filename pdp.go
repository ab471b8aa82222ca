package medconseil

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Prévention de la désinsertion professionnelle (PDP, issue 13 part 7,
// REGULATIONS.md §16): the actions the PDP cell records on a dossier, their
// outcome, and the contacts with the médecin du travail, an outside party with
// no account and no access to the dossier.

// NaturePDP is the kind of a PDP action (closed list).
type NaturePDP string

// The PDP actions, each with its legal basis (REGULATIONS.md §16).
const (
	PDPRendezVousLiaison  NaturePDP = "rendez_vous_liaison"         // L1226-1-3, D1226-8-1 CT: arrêt > 30 days
	PDPVisitePreReprise   NaturePDP = "visite_pre_reprise"          // L4624-2-4, R4624-29 CT
	PDPSaisineMedecinTrav NaturePDP = "saisine_medecin_travail"     // D323-3 CSS: arrêt > 3 months
	PDPTempsPartielTherap NaturePDP = "temps_partiel_therapeutique" // L323-3 CSS; L433-1 al. 4 (AT/MP)
	PDPEssaiEncadre       NaturePDP = "essai_encadre"               // L323-3-1 1°, D323-6 ff. CSS
	PDPCRPE               NaturePDP = "crpe"                        // L5213-3-1 CT; R323-3-1 CSS
	PDPFormation          NaturePDP = "formation"                   // L323-3-1 al. 1 CSS
	PDPOrientationSocial  NaturePDP = "orientation_service_social"  // Carsat service social
	PDPInformationSPST    NaturePDP = "information_spst"            // L315-4 CSS, with the assuré's agreement
	PDPBilanInvalidite    NaturePDP = "bilan_invalidite"            // L341-3 CSS: anticipate invalidité
)

var pdpNatures = closedList[NaturePDP]{
	{PDPRendezVousLiaison, "Rendez-vous de liaison", "L1226-1-3 et D1226-8-1 du code du travail"},
	{PDPVisitePreReprise, "Visite de pré-reprise", "L4624-2-4 et R4624-29 du code du travail"},
	{PDPSaisineMedecinTrav, "Saisine du médecin du travail (arrêt de plus de 3 mois)", "D323-3 du code de la sécurité sociale"},
	{PDPTempsPartielTherap, "Temps partiel thérapeutique", "L323-3 (maladie) et L433-1 al. 4 (AT/MP) du code de la sécurité sociale"},
	{PDPEssaiEncadre, "Essai encadré", "L323-3-1 1° et D323-6 à D323-6-7 du code de la sécurité sociale"},
	{PDPCRPE, "Convention de rééducation professionnelle en entreprise (CRPE)", "L5213-3-1 du code du travail ; R323-3-1 du code de la sécurité sociale"},
	{PDPFormation, "Formation pendant l'arrêt", "L323-3-1 al. 1 du code de la sécurité sociale"},
	{PDPOrientationSocial, "Orientation vers le service social de la Carsat", "L4622-8-1 du code du travail (cellule PDP)"},
	{PDPInformationSPST, "Transmission d'informations au SPST (accord de l'assuré)", "L315-4 du code de la sécurité sociale"},
	{PDPBilanInvalidite, "Évaluation en vue d'une invalidité", "L341-3 du code de la sécurité sociale"},
}

// NaturesPDP lists the PDP actions in the order forms show them.
func NaturesPDP() []NaturePDP { return pdpNatures.codes() }

// Label is the French name of the action.
func (n NaturePDP) Label() string { return pdpNatures.label(n) }

// Source is the legal basis of the action.
func (n NaturePDP) Source() string { return pdpNatures.source(n) }

// IssuePDP is the outcome of a PDP action or of the whole follow-up (closed list).
type IssuePDP string

// Outcomes.
const (
	IssueRetourEmploi    IssuePDP = "retour_emploi"         // same post
	IssueRetourAmenage   IssuePDP = "retour_emploi_amenage" // post adapted (L4624-3 CT)
	IssueReclassement    IssuePDP = "reclassement"          // another post, same or other employer
	IssueFormationReconv IssuePDP = "reconversion"          // training towards another trade
	IssueInvalidite      IssuePDP = "invalidite"            // L341-1 CSS
	IssueInaptitude      IssuePDP = "inaptitude"            // inaptitude declared by the médecin du travail
	IssueRefusAssure     IssuePDP = "refus_assure"          // the assuré declined (rendez-vous de liaison: no consequence)
	IssueSansSuite       IssuePDP = "sans_suite"
)

var pdpIssues = closedList[IssuePDP]{
	{IssueRetourEmploi, "Retour à l'emploi (même poste)", ""},
	{IssueRetourAmenage, "Retour à l'emploi avec aménagement du poste", ""},
	{IssueReclassement, "Reclassement", ""},
	{IssueFormationReconv, "Reconversion / formation", ""},
	{IssueInvalidite, "Invalidité", ""},
	{IssueInaptitude, "Inaptitude", ""},
	{IssueRefusAssure, "Refus de l'assuré", ""},
	{IssueSansSuite, "Sans suite", ""},
}

// IssuesPDP lists the outcomes in the order forms show them.
func IssuesPDP() []IssuePDP { return pdpIssues.codes() }

// Label is the French name of the outcome.
func (i IssuePDP) Label() string { return pdpIssues.label(i) }

// ActionPDP is one action of the PDP cell on a dossier.
type ActionPDP struct {
	ID        int64     `json:"id"`
	DossierID int64     `json:"dossier"`
	Nature    NaturePDP `json:"nature"`
	Debut     Date      `json:"debut"`
	Fin       *Date     `json:"fin,omitempty"`
	Issue     IssuePDP  `json:"issue,omitempty"`
	Par       string    `json:"par"`
	Le        time.Time `json:"le"`
}

// Validate checks an action as entered, every field error at once. Essai
// encadré: 14 working days renewable, 28 at most in total (D323-6-2; counted here
// as Monday–Friday days); CRPE: 18 months at most (L5213-3-1 CT).
func (x ActionPDP) Validate(today Date) error {
	var errs []error
	if !pdpNatures.has(x.Nature) {
		errs = append(errs, FieldErrorf("nature", "nature d'action %q inconnue : choisir dans la liste (rendez-vous de liaison, visite de pré-reprise, essai encadré, CRPE…)", x.Nature))
	}
	if x.Debut.IsZero() {
		errs = append(errs, FieldErrorf("debut", "date de début manquante (JJ/MM/AAAA)"))
	} else if x.Debut.After(today.AddYears(1)) {
		errs = append(errs, FieldErrorf("debut", "date de début du %s : plus d'un an dans l'avenir", x.Debut.Francais()))
	}
	if x.Fin != nil && !x.Debut.IsZero() && x.Fin.Before(x.Debut) {
		errs = append(errs, FieldErrorf("fin", "la date de fin (%s) précède la date de début (%s)", x.Fin.Francais(), x.Debut.Francais()))
	}
	if x.Issue != "" && !pdpIssues.has(x.Issue) {
		errs = append(errs, FieldErrorf("issue", "issue %q inconnue : choisir dans la liste (retour à l'emploi, reclassement, invalidité…)", x.Issue))
	}
	if x.Fin != nil && !x.Debut.IsZero() && !x.Fin.Before(x.Debut) {
		switch x.Nature {
		case PDPEssaiEncadre:
			if n := WorkingDays(x.Debut, *x.Fin); n > 28 {
				errs = append(errs, FieldErrorf("fin", "un essai encadré dure 28 jours ouvrés au plus, renouvellement compris (article D323-6-2 du code de la sécurité sociale) : %d jours ouvrés du %s au %s", n, x.Debut.Francais(), x.Fin.Francais()))
			}
		case PDPCRPE:
			if x.Fin.After(x.Debut.AddMonths(18)) {
				errs = append(errs, FieldErrorf("fin", "une CRPE dure 18 mois au plus (article L5213-3-1 du code du travail) : fin au plus tard le %s", x.Debut.AddMonths(18).Francais()))
			}
		}
	}
	return errors.Join(errs...)
}

// WorkingDays counts the Monday-to-Friday days from d to e inclusive.
func WorkingDays(d, e Date) int {
	n := 0
	for x := d; !x.After(e); x = x.AddDays(1) {
		if w := x.Weekday(); w != time.Saturday && w != time.Sunday {
			n++
		}
	}
	return n
}

// CanalContact is how a contact took place (closed list).
type CanalContact string

var canaux = closedList[CanalContact]{
	{"telephone", "Téléphone", ""},
	{"courrier", "Courrier", ""},
	{"messagerie_securisee", "Messagerie sécurisée de santé", ""},
	{"reunion", "Réunion (cellule PDP, rendez-vous de liaison)", ""},
	{"visio", "Visioconférence", ""},
}

// CanauxContact lists the channels.
func CanauxContact() []CanalContact { return canaux.codes() }

// Label is the French name of the channel.
func (c CanalContact) Label() string { return canaux.label(c) }

// ContactMedecinTravail is a contact with the médecin du travail, logged on a
// dossier: he has no account and never reads the dossier (L4622-8-1 CT; the
// information reaches the SPST only with the assuré's agreement, L315-4 CSS).
// Resume is shown to the readers of its class (Clinique when a medical role
// wrote it, Administratif when the caisse's cell did); empty when hidden.
type ContactMedecinTravail struct {
	ID        int64        `json:"id"`
	DossierID int64        `json:"dossier"`
	Qui       string       `json:"qui"`
	Quand     Date         `json:"quand"`
	Canal     CanalContact `json:"canal"`
	Resume    string       `json:"resume,omitempty"`
	Masque    bool         `json:"resume_masque,omitempty"` // written by the medical team: not for this reader
	Par       string       `json:"par"`
	Le        time.Time    `json:"le"`
}

// Validate checks a contact as entered.
func (c ContactMedecinTravail) Validate(today Date) error {
	var errs []error
	if q := strings.TrimSpace(c.Qui); q == "" {
		errs = append(errs, FieldErrorf("qui", "nom du médecin du travail (et de son service de santé au travail) manquant"))
	} else if len([]rune(q)) > 200 {
		errs = append(errs, FieldErrorf("qui", "200 caractères au plus"))
	}
	if c.Quand.IsZero() {
		errs = append(errs, FieldErrorf("quand", "date du contact manquante (JJ/MM/AAAA)"))
	} else if c.Quand.After(today) {
		errs = append(errs, FieldErrorf("quand", "le contact du %s est dans l'avenir : on journalise un contact qui a eu lieu", c.Quand.Francais()))
	}
	if !canaux.has(c.Canal) {
		errs = append(errs, FieldErrorf("canal", "canal %q inconnu : téléphone, courrier, messagerie sécurisée, réunion ou visioconférence", c.Canal))
	}
	if r := strings.TrimSpace(c.Resume); r == "" {
		errs = append(errs, FieldErrorf("resume", "résumé du contact manquant"))
	} else if len([]rune(r)) > 4000 {
		errs = append(errs, FieldErrorf("resume", "4 000 caractères au plus"))
	}
	return errors.Join(errs...)
}

// SignalPDP is a désinsertion risk signal computed from the store.
type SignalPDP struct {
	Code        string   `json:"code"` // arret_30, arret_90, arret_180, arrets_repetes, atmp_sequelles
	Libelle     string   `json:"libelle"`
	Source      string   `json:"source"`
	Verifier    bool     `json:"a_verifier,omitempty"`
	DossierID   int64    `json:"dossier"`
	NIR         NIR      `json:"nir,omitempty"`
	Nom         string   `json:"nom,omitempty"`
	Prenom      string   `json:"prenom,omitempty"`
	Departement string   `json:"departement"`
	Debut       *Date    `json:"debut,omitempty"` // arrêt: start of the episode; AT/MP: consolidation
	Fin         *Date    `json:"fin,omitempty"`
	Jours       int      `json:"jours,omitempty"`  // duration of the episode
	Arrets      int      `json:"arrets,omitempty"` // repeated arrêts: how many initial arrêts
	Actions     int      `json:"actions"`          // PDP actions recorded on the dossier
	Issue       IssuePDP `json:"issue,omitempty"`  // latest outcome recorded
	Rang        int      `json:"-"`
}

func (s SignalPDP) String() string { return fmt.Sprintf("%s dossier %d", s.Code, s.DossierID) }

// closedList is a closed list of codes with their French labels (and, where the
// law gives one, their legal basis), in the order forms show them.
type closedList[T ~string] []struct {
	code          T
	label, source string
}

// codes lists the codes in order.
func (l closedList[T]) codes() []T {
	out := make([]T, len(l))
	for i, x := range l {
		out[i] = x.code
	}
	return out
}

// has reports whether c is in the list.
func (l closedList[T]) has(c T) bool {
	for _, x := range l {
		if x.code == c {
			return true
		}
	}
	return false
}

// label is the French name of c, or c itself when it is not in the list.
func (l closedList[T]) label(c T) string {
	for _, x := range l {
		if x.code == c {
			return x.label
		}
	}
	return string(c)
}

// source is the legal basis of c, empty when unknown.
func (l closedList[T]) source(c T) string {
	for _, x := range l {
		if x.code == c {
			return x.source
		}
	}
	return ""
}
