package medconseil

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TypeDossier is the kind of request the Service médical gives an avis on (PRODUCT.md §2).
type TypeDossier string

// Dossier types.
const (
	TypeArretTravail TypeDossier = "arret_travail"
	TypeATMP         TypeDossier = "atmp"
	TypeALD          TypeDossier = "ald"
	TypeTransport    TypeDossier = "transport"
	TypeLPP          TypeDossier = "lpp"
	TypeKine         TypeDossier = "kine"
	TypeInvalidite   TypeDossier = "invalidite"
	TypeOrdonnance   TypeDossier = "ordonnance"
	TypeMTDents      TypeDossier = "mtdents"
	// TypeAccesDossier is an assuré's request for communication of the health
	// information the service médical holds on him (L1111-7 CSP, REGULATIONS.md §17),
	// filed by the DPO or a praticien, kept with its deadlines (lifecycle acces_dossier).
	TypeAccesDossier TypeDossier = "acces_dossier"
)

// Label returns the French name of the type.
func (t TypeDossier) Label() string {
	switch t {
	case TypeArretTravail:
		return "Arrêt de travail"
	case TypeATMP:
		return "Accident du travail / maladie professionnelle"
	case TypeALD:
		return "Protocole de soins ALD"
	case TypeTransport:
		return "Transport"
	case TypeLPP:
		return "Dispositif LPP"
	case TypeKine:
		return "Masso-kinésithérapie"
	case TypeInvalidite:
		return "Invalidité"
	case TypeOrdonnance:
		return "Contrôle d'ordonnance"
	case TypeMTDents:
		return "Examen bucco-dentaire"
	case TypeAccesDossier:
		return "Demande d'accès au dossier médical"
	}
	return string(t)
}

// Etat is the state of a dossier in its lifecycle.
type Etat string

// Lifecycle states (PRODUCT.md §2).
const (
	EtatRecue         Etat = "recue"
	EtatPreAnalysee   Etat = "preanalysee"
	EtatAInstruire    Etat = "a_instruire"
	EtatConvocation   Etat = "convocation"
	EtatExamen        Etat = "examen"
	EtatAvisRendu     Etat = "avis_rendu"
	EtatNotifiee      Etat = "notifiee"
	EtatAttentePieces Etat = "attente_pieces"
	EtatAccordTacite  Etat = "accord_tacite"
	EtatClassee       Etat = "classee"
	EtatContestee     Etat = "contestee"
)

// Etats lists the states in lifecycle order.
var Etats = []Etat{EtatRecue, EtatPreAnalysee, EtatAInstruire, EtatConvocation, EtatExamen,
	EtatAvisRendu, EtatNotifiee, EtatAttentePieces, EtatAccordTacite, EtatClassee, EtatContestee}

// Label returns the French name of the state.
func (e Etat) Label() string {
	switch e {
	case EtatRecue:
		return "Reçue"
	case EtatPreAnalysee:
		return "Pré-analysée"
	case EtatAInstruire:
		return "À instruire"
	case EtatConvocation:
		return "Convocation"
	case EtatExamen:
		return "Examen"
	case EtatAvisRendu:
		return "Avis rendu"
	case EtatNotifiee:
		return "Notifiée"
	case EtatAttentePieces:
		return "En attente de pièces"
	case EtatAccordTacite:
		return "Accord tacite"
	case EtatClassee:
		return "Classée"
	case EtatContestee:
		return "Contestée"
	}
	return string(e)
}

// Open reports whether a dossier in state e still awaits an avis.
func (e Etat) Open() bool {
	switch e {
	case EtatRecue, EtatPreAnalysee, EtatAInstruire, EtatConvocation, EtatExamen, EtatAttentePieces:
		return true
	}
	return false
}

// Assure is an insured person.
type Assure struct {
	NIR       NIR    `json:"nir"`
	Nom       string `json:"nom,omitempty"`
	Prenom    string `json:"prenom,omitempty"`
	Naissance Date   `json:"naissance,omitzero"`
	Residence string `json:"residence"` // INSEE code of the commune of residence
}

// Departement returns the département of residence, from the commune code
// ("67482" → "67", "2A004" → "2A", "97411" → "974").
func (a Assure) Departement() string { return DepartementOfCommune(a.Residence) }

// DepartementOfCommune returns the département of an INSEE commune code.
func DepartementOfCommune(c string) string {
	if len(c) != 5 {
		return ""
	}
	if strings.HasPrefix(c, "97") || strings.HasPrefix(c, "98") {
		return c[:3]
	}
	return c[:2]
}

// Dossier is one request under instruction. Which of its fields are filled depends
// on what the caller may see: Visible says which field classes were disclosed, and
// the store leaves the others empty.
type Dossier struct {
	ID           int64             `json:"id"`
	Type         TypeDossier       `json:"type"`
	Etat         Etat              `json:"etat"`
	Version      int               `json:"version"`
	Departement  string            `json:"departement"` // échelon the dossier is routed to
	Assure       *Assure           `json:"assure,omitempty"`
	Prescripteur RPPS              `json:"prescripteur,omitempty"`
	RecueLe      time.Time         `json:"recue_le,omitzero"`
	Echeance     Date              `json:"echeance,omitzero"`
	AttribueA    string            `json:"attribue_a,omitempty"` // login of the praticien in charge
	Arret        *ArretTravail     `json:"arret,omitempty"`
	Avis         *Avis             `json:"avis,omitempty"`
	Alertes      []Alerte          `json:"alertes,omitempty"`
	Notes        []NoteClinique    `json:"notes,omitempty"`
	Historique   []Dossier         `json:"historique,omitempty"` // the assuré\'s other arrêts, as far as visible
	Demande      *Demande          `json:"demande,omitempty"`    // the typed request of the other types
	PreAnalyse   *PreAnalyse       `json:"preanalyse,omitempty"` // medical roles only
	Faits        map[string]string `json:"faits,omitempty"`      // facts added for the rule set (administratif)
	Visible      FieldSet          `json:"-"`
	// Permis says what the reader may do on this dossier, as the store's gate decided:
	// the web layer shows the forms from it and holds no policy of its own.
	Permis Permis `json:"-"`
}

// Permis is what the reader of a dossier may do with it.
type Permis struct {
	Avis       bool // give and sign the avis
	Note       bool // record a clinical note
	PreAnalyse bool // see the pre-analysis and alerts, confirm or depart from it
	Faits      bool // add missing facts
}

// Nature is the kind of sick-leave notice.
type Nature string

// Natures of an avis d'arrêt de travail (Cerfa 10170).
const (
	NatureInitial      Nature = "initial"
	NatureProlongation Nature = "prolongation"
	NatureTPT          Nature = "tpt" // temps partiel thérapeutique
)

// Label returns the French name of the nature.
func (n Nature) Label() string {
	switch n {
	case NatureInitial:
		return "Initial"
	case NatureProlongation:
		return "Prolongation"
	case NatureTPT:
		return "Temps partiel thérapeutique"
	}
	return string(n)
}

// ArretTravail is an avis d'arrêt de travail. Debut, Fin, Nature, InitialID and
// Teleconsultation are administrative; CIM10, Libelle and Motif are clinical.
type ArretTravail struct {
	Nature           Nature `json:"nature"`
	InitialID        int64  `json:"initial_id,omitempty"`
	Debut            Date   `json:"debut"`
	Fin              Date   `json:"fin"`
	Teleconsultation bool   `json:"teleconsultation"`
	CIM10            CIM10  `json:"cim10,omitempty"`
	Libelle          string `json:"libelle,omitempty"`
	Motif            string `json:"motif,omitempty"`
}

// Jours returns the number of calendar days covered, both ends included.
func (a ArretTravail) Jours() int { return a.Fin.Sub(a.Debut) + 1 }

// Validate returns every problem of the notice at once, each naming its field.
func (a ArretTravail) Validate() error {
	var errs []error
	switch a.Nature {
	case NatureInitial:
		if a.InitialID != 0 {
			errs = append(errs, FieldErrorf("initial_id", "un arrêt initial ne se rattache à aucun autre arrêt"))
		}
	case NatureProlongation, NatureTPT:
		if a.InitialID == 0 && a.Nature == NatureProlongation {
			errs = append(errs, FieldErrorf("initial_id", "une prolongation doit indiquer l'arrêt initial qu'elle prolonge"))
		}
	case "":
		errs = append(errs, FieldErrorf("nature", "nature manquante : initial, prolongation ou tpt"))
	default:
		errs = append(errs, FieldErrorf("nature", "nature %q inconnue : initial, prolongation ou tpt", a.Nature))
	}
	if a.Debut.IsZero() {
		errs = append(errs, FieldErrorf("debut", "date de début manquante"))
	}
	if a.Fin.IsZero() {
		errs = append(errs, FieldErrorf("fin", "date de fin manquante"))
	}
	if !a.Debut.IsZero() && !a.Fin.IsZero() && a.Fin.Before(a.Debut) {
		errs = append(errs, FieldErrorf("fin", "la fin (%s) précède le début (%s)", a.Fin.Francais(), a.Debut.Francais()))
	}
	if !a.Debut.IsZero() && !a.Fin.IsZero() && a.Jours() > 366 {
		errs = append(errs, FieldErrorf("fin", "un avis d'arrêt couvre au plus un an (ici %d jours)", a.Jours()))
	}
	if a.CIM10 == "" {
		errs = append(errs, FieldErrorf("cim10", "code CIM-10 manquant"))
	}
	if !Visible(a.Libelle) {
		errs = append(errs, FieldErrorf("libelle", "libellé du diagnostic manquant (vide ou fait de caractères invisibles)"))
	} else if err := CheckText("libelle", a.Libelle, 500); err != nil {
		errs = append(errs, err)
	}
	if err := CheckOptionalText("motif", a.Motif, 10000); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Sens is the outcome of an avis.
type Sens string

// Outcomes of an avis on an arrêt de travail.
const (
	SensJustifie    Sens = "justifie"
	SensNonJustifie Sens = "non_justifie"
)

// Label returns the French wording of the outcome.
func (s Sens) Label() string {
	switch s {
	case SensJustifie:
		return "Justifié"
	case SensNonJustifie:
		return "Non justifié"
	}
	return string(s)
}

// Avis is the médecin-conseil's opinion on a dossier. Sens, EffetAu, Par and Le are
// the decision; Motif is clinical.
type Avis struct {
	Sens    Sens      `json:"sens"`
	EffetAu Date      `json:"effet_au,omitzero"` // "non justifié à compter du"
	Motif   string    `json:"motif,omitempty"`
	Par     string    `json:"par,omitempty"`
	Le      time.Time `json:"le,omitzero"`
}

// Validate checks an avis against the arrêt it concerns.
func (v Avis) Validate(a *ArretTravail) error {
	var errs []error
	switch v.Sens {
	case SensJustifie:
		if !v.EffetAu.IsZero() {
			errs = append(errs, FieldErrorf("effet_au", "un avis « justifié » ne porte pas de date d'effet"))
		}
	case SensNonJustifie:
		if v.EffetAu.IsZero() {
			errs = append(errs, FieldErrorf("effet_au", "indiquer à compter de quelle date l'arrêt n'est plus justifié"))
		} else if a != nil && (v.EffetAu.Before(a.Debut) || v.EffetAu.After(a.Fin)) {
			errs = append(errs, FieldErrorf("effet_au", "la date d'effet doit se situer dans l'arrêt, du %s au %s", a.Debut.Francais(), a.Fin.Francais()))
		}
		if strings.TrimSpace(v.Motif) == "" {
			errs = append(errs, FieldErrorf("motif", "un avis défavorable doit être motivé"))
		}
	case "":
		errs = append(errs, FieldErrorf("sens", "choisir « justifié » ou « non justifié »"))
	default:
		errs = append(errs, FieldErrorf("sens", "sens %q inconnu : justifie ou non_justifie", v.Sens))
	}
	if len(v.Motif) > 10000 {
		errs = append(errs, FieldErrorf("motif", "motif trop long (10 000 caractères au plus)"))
	}
	return errors.Join(errs...)
}

// Alerte is something the praticien must look at. Alerts about a change of
// diagnosis are clinical.
type Alerte struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	RefID   int64  `json:"ref_id,omitempty"` // the other dossier it concerns, shown only if the reader may see it
}

// TerminologyAlerts compares a prolongation with the notice it prolongs: the caisse
// reads "lombalgie" and "douleur lombaire" as two different affections, so any change
// of CIM-10 code or of wording between linked certificates is flagged.
func TerminologyAlerts(initial, prolongation ArretTravail) []Alerte {
	var out []Alerte
	if initial.CIM10 != prolongation.CIM10 {
		out = append(out, Alerte{Code: "cim10_modifie", Message: fmt.Sprintf("Le code CIM-10 diffère de l'arrêt initial : %s (initial) ≠ %s (prolongation).", initial.CIM10.Dotted(), prolongation.CIM10.Dotted())})
	}
	if normaliseLibelle(initial.Libelle) != normaliseLibelle(prolongation.Libelle) {
		out = append(out, Alerte{Code: "libelle_modifie", Message: fmt.Sprintf("Le libellé diffère de l'arrêt initial : « %s » ≠ « %s ». Pour la caisse, deux libellés différents désignent deux affections différentes.", initial.Libelle, prolongation.Libelle)})
	}
	return out
}

// normaliseLibelle ignores case, surrounding and repeated spaces only: accents and
// words are kept, since another word is another affection for the caisse.
func normaliseLibelle(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// NoteClinique is a clinical note or examination finding recorded on a dossier.
// An internal note stays within the medical team of the Service médical; a note
// addressed to the prescriber is the échange confraternel and the prescriber reads it.
type NoteClinique struct {
	Auteur       string    `json:"auteur"`
	Le           time.Time `json:"le"`
	Texte        string    `json:"texte"`
	Destinataire string    `json:"destinataire"` // NoteInterne or NotePrescripteur
}

// Addressees of a clinical note.
const (
	NoteInterne      = "interne"      // the medical team only
	NotePrescripteur = "prescripteur" // also the prescriber of the dossier
)
