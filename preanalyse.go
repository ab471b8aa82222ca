package medconseil

import "time"

// PreAnalyse is the automatic pre-analysis of a dossier at intake: the decision of
// the type's rule set on the dossier's data and the assuré's history held in the
// store, with its reasons, legal references and rule-set version. It is a
// proposition to the praticien, who confirms it or departs from it with a motif.
type PreAnalyse struct {
	Regles       string          `json:"regles"`            // rule set (internal/rules)
	Version      string          `json:"version,omitempty"` // dated version of the logic
	Issue        string          `json:"issue,omitempty"`   // outcome code, "" when it could not run
	IssueLibelle string          `json:"issue_libelle,omitempty"`
	Motifs       []MotifRegle    `json:"motifs,omitempty"`
	Resultats    []ResultatRegle `json:"resultats,omitempty"`
	// Manquants lists the facts the rule set needs and the dossier lacks; an agent
	// adds them (POST /api/v1/dossiers/{id}/faits) and the pre-analysis runs again.
	Manquants []FaitManquant   `json:"manquants,omitempty"`
	Erreur    string           `json:"erreur,omitempty"` // why the rule set could not decide
	Le        time.Time        `json:"le,omitzero"`
	Suite     *SuitePreAnalyse `json:"suite,omitempty"`
}

// MotifRegle is one reason of the decision, with its legal references.
type MotifRegle struct {
	Code       string      `json:"code"`
	Message    string      `json:"message"`
	References []Reference `json:"references,omitempty"`
}

// Reference is a legal text a rule applies.
type Reference struct {
	Titre string `json:"titre"`
	Href  string `json:"href,omitempty"`
}

// ResultatRegle is a figure the rule set computed (a deadline, a number of days).
type ResultatRegle struct {
	Libelle string `json:"libelle"`
	Valeur  string `json:"valeur"`
}

// FaitManquant is a fact the rule set needs that the dossier lacks.
type FaitManquant struct {
	Nom     string `json:"nom"`
	Libelle string `json:"libelle"`
}

// Suites of a pre-analysis.
const (
	SuiteConfirmee = "confirmee"
	SuiteEcartee   = "ecartee"
)

// SuitePreAnalyse is the praticien's answer to the proposition.
type SuitePreAnalyse struct {
	Sens  string    `json:"sens"` // confirmee or ecartee
	Motif string    `json:"motif,omitempty"`
	Par   string    `json:"par"`
	Le    time.Time `json:"le,omitzero"`
}

// Fait is a fact about the assuré's rights (salary, hours worked) that a rule set
// needs; its value is text in the form the rule set reads ("9000,00", "455",
// "2008-09-01").
type Fait struct {
	Nom     string
	Libelle string
	Kind    Kind
	Requis  bool // the rule set cannot decide without it
	// Groupe names facts of which one is enough (hours or contributions open the
	// rights): the rule set cannot decide without at least one of the group.
	Groupe string
}

// FaitsOf lists the facts of a type's rule set that no intake form carries.
func FaitsOf(t TypeDossier) []Fait {
	switch t {
	case TypeArretTravail:
		return []Fait{
			{Nom: "salaires_3_derniers_mois", Libelle: "Salaires bruts des 3 mois précédant l'arrêt", Kind: KindMontant, Requis: true},
			{Nom: "date_immatriculation", Libelle: "Date d'immatriculation", Kind: KindDate},
			{Nom: "heures_3_mois", Libelle: "Heures salariées sur 3 mois", Kind: KindEntier, Groupe: "ouverture"},
			{Nom: "heures_12_mois", Libelle: "Heures salariées sur 12 mois", Kind: KindEntier, Groupe: "ouverture"},
			{Nom: "cotisations_6_mois", Libelle: "Salaires soumis à cotisation sur 6 mois", Kind: KindMontant, Groupe: "ouverture"},
			{Nom: "cotisations_12_mois", Libelle: "Salaires soumis à cotisation sur 12 mois", Kind: KindMontant, Groupe: "ouverture"},
		}
	case TypeInvalidite:
		return []Fait{
			{Nom: "date_immatriculation", Libelle: "Date d'immatriculation", Kind: KindDate, Requis: true},
			{Nom: "heures_12_mois", Libelle: "Heures salariées sur 12 mois", Kind: KindEntier, Groupe: "ouverture"},
			{Nom: "cotisations_12_mois", Libelle: "Salaires soumis à cotisation sur 12 mois", Kind: KindMontant, Groupe: "ouverture"},
		}
	}
	return nil
}

// Antecedent is one earlier dossier of the assuré, as the pre-analysis reads it
// (with the system's rights, inside the intake transaction; what it concludes is
// shown to medical roles only).
type Antecedent struct {
	ID           int64
	Type         TypeDossier
	RecueLe      time.Time
	Prescripteur RPPS
	Arret        *ArretTravail // arrêts: dates, nature, clinical code
	Demande      *Demande      // other types: every field
	Sens         Sens          // avis given, if any
}

// Instruction is what the pre-analysis runs on: the new dossier, the assuré's
// history in the store and the facts known.
type Instruction struct {
	ID              int64
	Type            TypeDossier
	Departement     string
	RecueLe         time.Time
	Assure          Assure
	Prescripteur    RPPS
	MedecinTraitant RPPS
	Arret           *ArretTravail
	Demande         *Demande
	Faits           map[string]string
	Historique      []Antecedent
}
