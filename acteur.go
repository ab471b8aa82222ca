package medconseil

import (
	"fmt"
	"strings"
)

// Role is what a person does in the system (PRODUCT.md §1). A person may hold several
// roles, each bound to a territory.
type Role string

// The roles of the Service médical and of its partners.
const (
	RolePraticienConseil   Role = "praticien_conseil"   // gives and signs avis in its territory
	RoleMedecinChef        Role = "medecin_chef"        // médecin-conseil chef de service (chef d'échelon before 2025-10-01)
	RoleMedecinRegional    Role = "medecin_regional"    // médecin-conseil régional
	RoleInfirmier          Role = "infirmier"           // infirmier du service médical: medical data, cannot sign
	RoleAgentAdministratif Role = "agent_administratif" // identity, workflow, outcome; no clinical content
	RoleAgentCPAM          Role = "agent_cpam"          // identity and outcome only, for its caisse
	RoleEmployeur          Role = "employeur"           // AT/MP of its employees: existence, dates, outcome
	RoleProfessionnel      Role = "professionnel_sante" // its own submissions and the answers
	RoleAssure             Role = "assure"              // its own requests and outcomes
	RoleStatisticien       Role = "statisticien"        // pseudonymised analytics only
	RoleAuditeur           Role = "auditeur"            // DPO / auditor: the audit journal
	RoleAdmin              Role = "admin"               // accounts administration; no dossier content
	// RoleCellulePDP: the caisse's PDP cell (prévention de la désinsertion
	// professionnelle, REGULATIONS.md §16), bound to a caisse: the PDP signals and
	// actions of the arrêts, AT/MP and invalidité dossiers of its département,
	// identity and administrative fields, never anything clinical.
	RoleCellulePDP Role = "cellule_pdp"
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{
	RolePraticienConseil, RoleMedecinChef, RoleMedecinRegional, RoleInfirmier,
	RoleAgentAdministratif, RoleAgentCPAM, RoleEmployeur, RoleProfessionnel,
	RoleAssure, RoleStatisticien, RoleAuditeur, RoleAdmin,
	RoleCellulePDP,
}

var roleLabels = map[Role]string{
	RolePraticienConseil:   "Praticien-conseil",
	RoleMedecinChef:        "Médecin-conseil chef de service",
	RoleMedecinRegional:    "Médecin-conseil régional",
	RoleInfirmier:          "Infirmier du service médical",
	RoleAgentAdministratif: "Agent administratif du service médical",
	RoleAgentCPAM:          "Agent de CPAM",
	RoleEmployeur:          "Employeur",
	RoleProfessionnel:      "Professionnel de santé",
	RoleAssure:             "Assuré",
	RoleStatisticien:       "Statisticien",
	RoleAuditeur:           "Auditeur / DPO",
	RoleAdmin:              "Administrateur",
	RoleCellulePDP:         "Cellule PDP de la caisse (prévention de la désinsertion professionnelle)",
}

// Label returns the French name of the role.
func (r Role) Label() string {
	if l, ok := roleLabels[r]; ok {
		return l
	}
	return string(r)
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if _, ok := roleLabels[r]; !ok {
		return "", &Error{Code: EINVALID, Field: "role", Message: fmt.Sprintf("rôle %q inconnu", s)}
	}
	return r, nil
}

// Niveau is the kind of territory a role is bound to.
type Niveau string

// Territory levels. Caisse, RPPS, employer and NIR bind the partner roles to
// what is theirs.
const (
	NiveauNational Niveau = "national"
	NiveauRegion   Niveau = "region"  // code: INSEE region code, "44" for Grand Est
	NiveauEchelon  Niveau = "echelon" // code: département, "67"
	NiveauSite     Niveau = "site"    // code: site code, "S67-STRASBOURG"
	NiveauCaisse   Niveau = "caisse"  // code: département of the CPAM, "67"
	NiveauRPPS     Niveau = "rpps"    // code: RPPS number of the professional
	NiveauSIRET    Niveau = "siret"   // code: SIRET of the employer
	NiveauNIR      Niveau = "nir"     // code: the assuré's own NIR
)

// Territoire is where a role applies.
type Territoire struct {
	Niveau Niveau `json:"niveau"`
	Code   string `json:"code,omitempty"`
}

// String returns "echelon:67".
func (t Territoire) String() string {
	if t.Code == "" {
		return string(t.Niveau)
	}
	return string(t.Niveau) + ":" + t.Code
}

// ParseTerritoire reads "national", "region:44", "echelon:67", "caisse:67", "rpps:10001234567" …
func ParseTerritoire(s string) (Territoire, error) {
	n, code, _ := strings.Cut(strings.TrimSpace(s), ":")
	t := Territoire{Niveau: Niveau(n), Code: code}
	switch t.Niveau {
	case NiveauNational:
		if code == "" {
			return t, nil
		}
	case NiveauRegion, NiveauEchelon, NiveauSite, NiveauCaisse, NiveauRPPS, NiveauSIRET, NiveauNIR:
		if code != "" {
			return t, nil
		}
	}
	return Territoire{}, &Error{Code: EINVALID, Field: "territoire", Message: fmt.Sprintf("territoire %q illisible : écrire national, region:44, echelon:67, site:CODE, caisse:67, rpps:NUMERO, siret:NUMERO ou nir:NUMERO", s)}
}

// Habilitation is one role held on one territory.
type Habilitation struct {
	Role       Role       `json:"role"`
	Territoire Territoire `json:"territoire"`
}

// Acteur is an authenticated person (or API client) acting in the system.
type Acteur struct {
	ID            int64          `json:"id"`
	Login         string         `json:"login"`
	Nom           string         `json:"nom"`
	Habilitations []Habilitation `json:"habilitations"`
}

// Has reports whether a holds role r on any territory.
func (a *Acteur) Has(r Role) bool {
	for _, h := range a.Habilitations {
		if h.Role == r {
			return true
		}
	}
	return false
}

// FieldClass is a class of fields of a dossier, the unit the medical secret is
// enforced on.
type FieldClass uint8

// The four field classes.
const (
	Identite      FieldClass = 1 << iota // NIR, name, birth date, residence
	Administratif                        // type, nature, dates, prescriber, state, deadlines
	Clinique                             // CIM-10 code and label, motif, clinical notes, findings, avis motif
	Decision                             // avis given, its effect date, notification
)

// AllClasses lists the classes in order.
var AllClasses = []FieldClass{Identite, Administratif, Clinique, Decision}

// FieldSet is a set of field classes.
type FieldSet uint8

// Has reports whether s contains c.
func (s FieldSet) Has(c FieldClass) bool { return uint8(s)&uint8(c) != 0 }

// With returns s plus c.
func (s FieldSet) With(c FieldClass) FieldSet { return s | FieldSet(c) }

// Label returns the French name of the class.
func (c FieldClass) Label() string {
	switch c {
	case Identite:
		return "identité"
	case Administratif:
		return "administratif"
	case Clinique:
		return "clinique"
	case Decision:
		return "décision"
	}
	return "?"
}

// String lists the classes of s, comma-separated, as the audit journal records them.
func (s FieldSet) String() string {
	var parts []string
	for _, c := range AllClasses {
		if s.Has(c) {
			parts = append(parts, c.Label())
		}
	}
	return strings.Join(parts, ",")
}
