package courrier

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"medconseil"
	"medconseil/internal/rules"
)

// Issue is the kind of decision a notification announces.
type Issue string

// The decisions that produce notification letters.
const (
	IssueAvis                    Issue = "avis"                     // the avis of a praticien-conseil
	IssueAccordTacite            Issue = "accord_tacite"            // silence past the délai: approval (R322-10-4, D315-5)
	IssueReconnaissanceImplicite Issue = "reconnaissance_implicite" // silence past the délai: AT/MP recognised (R441-18)
)

// The models of the notification letters (docs/courriers.md).
const (
	ModeleNotificationAssure      = "notification_assure"
	ModeleInformationPrescripteur = "information_prescripteur"
	ModeleCopieCaisse             = "copie_caisse"
)

// Modeles lists the notification models with what each carries.
var Modeles = []struct {
	Nom          string
	Destinataire Destinataire
	Description  string
}{
	{ModeleNotificationAssure, Assure, "Notification de la décision à l'assuré : décision, date d'effet, voies et délais de recours (CMRA, 2 mois) ; jamais le motif médical."},
	{ModeleInformationPrescripteur, Prescripteur, "Réponse au prescripteur (échange confraternel) : décision, date d'effet et, pour un avis, le motif médical ; pli confidentiel."},
	{ModeleCopieCaisse, Caisse, "Copie pour la caisse : identité, dossier, décision et date d'effet ; aucune donnée clinique."},
}

// Decision is what the notifications of one decision say. Motif is the only
// clinical field: it goes to the prescriber alone.
type Decision struct {
	Issue       Issue
	Type        medconseil.TypeDossier
	Departement string          // of the dossier: the letterhead
	Date        medconseil.Date // the day of the decision, the date of the letters
	Sens        medconseil.Sens // IssueAvis only
	EffetAu     medconseil.Date // date of effect; the decision date when zero
	Motif       string          // clinical: the praticien-conseil's medical motif
	// Debut and Fin bound the arrêt de travail concerned, zero for another type.
	Debut, Fin medconseil.Date
	Assure     medconseil.Assure // registered identity: the assuré's and the caisse's letters
	// AssureDeclare is the identity declared on the filing: the prescriber's letter
	// (the prescriber does not read the registered identity).
	AssureDeclare medconseil.Assure
	AdresseLigne  string // the assuré's town line ("67000 STRASBOURG"), optional
	Prescripteur  medconseil.RPPS
	Signataire    string // name or login of the praticien-conseil; "" for a tacit decision
	// Fondement lists the legal basis of a tacit decision (the deadline's sources).
	Fondement []string
	// Employeur is the employer's SIRET of an AT/MP dossier: an implicit
	// recognition is also notified to the employer (R441-18), without identity.
	Employeur string
}

// Notification is one letter of a decision and the classes of data it carries
// (sqldb.CourrierInput.Contenu).
type Notification struct {
	Lettre  Lettre
	Contenu medconseil.FieldSet
}

// Recours is the voies et délais de recours printed on a notification, from the
// dated parameters internal/rules/parametres/contentieux.
type Recours struct {
	CMRAMois, RejetMois, TribunalMois int
	Sources                           []string // the titles of the references
}

var embeddedParams = sync.OnceValues(rules.LoadEmbedded)

// RecoursAt returns the délais de recours in force on d.
func RecoursAt(d medconseil.Date) (Recours, error) {
	params, err := embeddedParams()
	if err != nil {
		return Recours{}, medconseil.Internal(err)
	}
	var r Recours
	for _, p := range []struct {
		name string
		dst  *int
	}{
		{"contentieux/recours_cmra_mois", &r.CMRAMois},
		{"contentieux/cmra_silence_rejet_mois", &r.RejetMois},
		{"contentieux/recours_tribunal_mois", &r.TribunalMois},
	} {
		par, ok := params.Get(p.name)
		if !ok {
			return r, medconseil.Internal(fmt.Errorf("parameter %s missing", p.name))
		}
		per, ok := par.At(d)
		if !ok || per.Value.Kind != rules.Number {
			return r, medconseil.Errorf(medconseil.EREGLE, "aucun délai de recours (%s) en vigueur le %s", p.name, d.Francais())
		}
		*p.dst = int(per.Value.Num.Int())
		for _, ref := range per.References {
			r.Sources = append(r.Sources, ref.Title)
		}
	}
	return r, nil
}

// mois writes a number of months in words, as a notification does.
func moisEnLettres(n int) string {
	words := map[int]string{1: "un", 2: "deux", 3: "trois", 4: "quatre", 6: "six"}
	if w, ok := words[n]; ok {
		return w + " mois"
	}
	return fmt.Sprintf("%d mois", n)
}

// civilite returns « Monsieur » or « Madame » from the NIR's sex digit.
func civilite(n medconseil.NIR) (titre, appel string) {
	if len(n) == 15 {
		switch n.Sex() {
		case 1:
			return "Monsieur", "Monsieur,"
		case 2:
			return "Madame", "Madame,"
		}
	}
	return "", "Madame, Monsieur,"
}

func nomComplet(a medconseil.Assure) string {
	return strings.TrimSpace(strings.TrimSpace(a.Prenom) + " " + strings.ToUpper(strings.TrimSpace(a.Nom)))
}

// objetDe names the request in a letter's object and text.
func objetDe(t medconseil.TypeDossier) string {
	switch t {
	case medconseil.TypeArretTravail:
		return "votre arrêt de travail"
	case medconseil.TypeATMP:
		return "votre déclaration d'accident du travail ou de maladie professionnelle"
	case medconseil.TypeALD:
		return "votre protocole de soins (affection de longue durée)"
	case medconseil.TypeTransport:
		return "votre demande d'accord préalable de transport"
	case medconseil.TypeLPP:
		return "votre demande d'accord préalable (dispositif médical)"
	case medconseil.TypeKine:
		return "votre demande d'accord préalable de masso-kinésithérapie"
	case medconseil.TypeInvalidite:
		return "votre demande de pension d'invalidité"
	case medconseil.TypeOrdonnance:
		return "votre ordonnance"
	case medconseil.TypeMTDents:
		return "votre examen bucco-dentaire"
	}
	return "votre demande"
}

// decisionText returns the decision's wording and its date of effect.
func (d Decision) decisionText() (decision string, effet medconseil.Date, err error) {
	effet = d.EffetAu
	if effet.IsZero() {
		effet = d.Date
	}
	switch d.Issue {
	case IssueAvis:
		switch {
		case d.Type == medconseil.TypeArretTravail && d.Sens == medconseil.SensJustifie:
			decision = "arrêt de travail médicalement justifié"
			if !d.Debut.IsZero() {
				effet = d.Debut
			}
		case d.Type == medconseil.TypeArretTravail && d.Sens == medconseil.SensNonJustifie:
			decision = "arrêt de travail non justifié médicalement à compter de la date d'effet"
		case d.Sens == medconseil.SensJustifie:
			decision = "avis favorable du service médical"
		case d.Sens == medconseil.SensNonJustifie:
			decision = "avis défavorable du service médical"
		default:
			return "", effet, medconseil.FieldErrorf("sens", "sens de l'avis %q inconnu", d.Sens)
		}
	case IssueAccordTacite:
		decision = "accord tacite : faute de réponse dans le délai réglementaire, la demande est réputée acceptée"
	case IssueReconnaissanceImplicite:
		decision = "reconnaissance implicite du caractère professionnel : faute de décision notifiée dans le délai, l'accident, la maladie ou la rechute est reconnu"
	default:
		return "", effet, medconseil.FieldErrorf("issue", "décision %q inconnue", d.Issue)
	}
	return decision, effet, nil
}

// Notifications returns the letters of a decision: to the assuré (decision, date
// of effect, voies et délais de recours), to the prescriber when there is one
// (with the medical motif of an avis, under medical secret), and the copy for the
// caisse (no clinical field). Each carries only what its addressee may read.
func (d Decision) Notifications() ([]Notification, error) {
	if d.Date.IsZero() {
		return nil, errors.New("courrier: decision without a date")
	}
	decision, effet, err := d.decisionText()
	if err != nil {
		return nil, err
	}
	rec, err := RecoursAt(d.Date)
	if err != nil {
		return nil, err
	}
	d.Motif, d.Signataire = Imprimable(d.Motif), Imprimable(d.Signataire)
	d.Assure.Nom, d.Assure.Prenom, d.AdresseLigne = Imprimable(d.Assure.Nom), Imprimable(d.Assure.Prenom), Imprimable(d.AdresseLigne)
	id := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Decision)
	titre, appel := civilite(d.Assure.NIR)
	nom := nomComplet(d.Assure)
	adresse := []string{strings.TrimSpace(titre + " " + nom)}
	if d.AdresseLigne != "" {
		adresse = append(adresse, d.AdresseLigne)
	}
	cpam := "CPAM"
	for _, o := range medconseil.GrandEst() {
		if o.Type == medconseil.TypeCPAM && o.Departement == d.Departement {
			cpam = o.Nom
		}
	}
	objet := objetDe(d.Type)
	periode := ""
	if !d.Debut.IsZero() {
		periode = fmt.Sprintf(" du %s au %s", DateLongue(d.Debut), DateLongue(d.Fin))
	}
	signature := []string{"Le praticien-conseil"}
	if d.Signataire != "" {
		signature = append(signature, d.Signataire)
	} else {
		signature = []string{"Pour le service médical", "Le médecin-conseil directeur médical"}
	}
	var fondement string
	if len(d.Fondement) > 0 {
		fondement = "Fondement : " + strings.Join(d.Fondement, " ; ") + "."
	}
	lignes := func(extra ...string) []string {
		out := []string{
			"Décision : " + decision + ".",
			"Date d'effet : " + DateLongue(effet) + ".",
		}
		return append(out, extra...)
	}

	// To the assuré.
	intro := fmt.Sprintf("Le service médical de l'Assurance Maladie a examiné %s%s. Voici sa conclusion, transmise ce jour à votre caisse, la %s.", objet, periode, cpam)
	if d.Issue != IssueAvis {
		intro = fmt.Sprintf("Le délai dont disposait l'Assurance Maladie pour se prononcer sur %s%s a expiré sans qu'une décision vous soit notifiée.", objet, periode)
	}
	body := append([]string{intro}, lignes()...)
	if fondement != "" {
		body = append(body, fondement)
	}
	body = append(body,
		"Les raisons médicales de cette décision ne figurent pas dans ce courrier, dont la caisse reçoit copie. Vous pouvez en obtenir communication, directement ou par l'intermédiaire du médecin que vous désignez (article L1111-7 du code de la santé publique).",
		"## Voies et délais de recours",
		fmt.Sprintf("Si vous contestez cette décision pour un motif d'ordre médical, vous pouvez saisir la commission médicale de recours amiable (CMRA) dans un délai de %s à compter de la réception de ce courrier. Votre recours, écrit et accompagné d'une copie de ce courrier, est adressé par lettre recommandée avec avis de réception ou par tout moyen conférant date certaine au secrétariat de la commission médicale de recours amiable, %s (articles L142-4, R142-1-A et R142-8 du code de la sécurité sociale).", moisEnLettres(rec.CMRAMois), cpam),
		fmt.Sprintf("Si la commission ne s'est pas prononcée dans un délai de %s à compter de votre recours, celui-ci est réputé rejeté (article R142-8-5). Vous pouvez alors saisir le tribunal judiciaire (pôle social) dans un délai de %s à compter de la décision de la commission ou de ce rejet implicite (article R142-1-A).", moisEnLettres(rec.RejetMois), moisEnLettres(rec.TribunalMois)),
	)
	out := []Notification{{Contenu: id, Lettre: Lettre{
		Modele: ModeleNotificationAssure, Destinataire: Assure, Adresse: adresse,
		Departement: d.Departement, Date: d.Date,
		Objet:       "Décision concernant " + objet,
		Appel:       appel,
		Paragraphes: body,
		Formule:     "Je vous prie d'agréer, " + strings.TrimSuffix(appel, ",") + ", l'expression de mes salutations distinguées.",
		Signature:   signature,
		Copies:      []string{cpam},
	}}}

	// To the prescriber: the medical answer, under medical secret.
	if d.Prescripteur != "" {
		decl := d.AssureDeclare
		if decl.NIR == "" {
			decl = d.Assure
		}
		dt, _ := civilite(decl.NIR)
		patient := strings.TrimSpace(dt + " " + nomComplet(medconseil.Assure{Nom: Imprimable(decl.Nom), Prenom: Imprimable(decl.Prenom)}))
		if !decl.Naissance.IsZero() {
			patient += ", né(e) le " + DateLongue(decl.Naissance)
		}
		pb := []string{
			fmt.Sprintf("Vous avez prescrit ou adressé au service médical la demande de votre patient(e) %s (%s%s). Je vous informe de la conclusion du service médical.", patient, strings.ToLower(d.Type.Label()), periode),
		}
		pb = append(pb, lignes()...)
		contenu := id
		if d.Issue == IssueAvis && strings.TrimSpace(d.Motif) != "" {
			pb = append(pb, "Motif médical de l'avis : "+strings.TrimSpace(d.Motif))
			contenu = contenu.With(medconseil.Clinique)
		}
		if fondement != "" {
			pb = append(pb, fondement)
		}
		pb = append(pb,
			"Votre patient(e) est informé(e) de cette décision par courrier, sans le motif médical ; la caisse n'en reçoit que la conclusion. Il ou elle peut la contester devant la commission médicale de recours amiable dans un délai de "+moisEnLettres(rec.CMRAMois)+".",
			"Je reste à votre disposition pour en échanger (article R4127-56 du code de la santé publique).",
		)
		out = append(out, Notification{Contenu: contenu, Lettre: Lettre{
			Modele: ModeleInformationPrescripteur, Destinataire: Prescripteur,
			Adresse:     []string{"Docteur", "Prescripteur RPPS " + string(d.Prescripteur)},
			Departement: d.Departement, Date: d.Date,
			Mention:     "Personnel et confidentiel — secret médical",
			Objet:       "Conclusion du service médical pour votre patient(e)",
			Appel:       "Cher Confrère,",
			Paragraphes: pb,
			Formule:     "Je vous prie de croire, cher Confrère, à l'assurance de mes sentiments confraternels.",
			Signature:   signature,
		}})
	}

	// The caisse's copy: the outcome only.
	cb := []string{
		fmt.Sprintf("Conclusion du service médical sur le dossier de l'assuré(e) %s, n° de sécurité sociale %s : %s%s.", nom, strings.ReplaceAll(d.Assure.NIR.Format(), " ", "\u00a0"), strings.ToLower(d.Type.Label()), periode),
	}
	cb = append(cb, lignes()...)
	if fondement != "" {
		cb = append(cb, fondement)
	}
	cb = append(cb,
		"Les éléments médicaux du dossier ne sont pas transmis à la caisse (secret médical : articles L315-1 du code de la sécurité sociale et R4127-104 du code de la santé publique).",
		"L'assuré(e) reçoit la notification de cette décision avec les voies et délais de recours (commission médicale de recours amiable, "+moisEnLettres(rec.CMRAMois)+").",
	)
	out = append(out, Notification{Contenu: id, Lettre: Lettre{
		Modele: ModeleCopieCaisse, Destinataire: Caisse,
		Adresse:     []string{cpam, "Service des prestations"},
		Departement: d.Departement, Date: d.Date,
		Mention:     "Copie",
		Objet:       "Conclusion du service médical — copie pour la caisse",
		Paragraphes: cb,
		Signature:   signature,
	}})

	// To the employer of an AT/MP recognised implicitly (employeur.go).
	if n, ok := d.lettreEmployeur(decision, effet, rec, signature, fondement); ok {
		out = append(out, n)
	}
	return out, nil
}

// Imprimable replaces in s what the letters' fonts cannot print (an emoji in a
// free text) by « ? », so that a decision is never refused for its letter.
func Imprimable(s string) string {
	return strings.Map(func(r rune) rune {
		if _, ok := encode(r); ok || r == '\n' {
			return r
		}
		if r == '\t' || r == '\r' {
			return ' '
		}
		return '?'
	}, s)
}
