// Package authz is the one policy layer of the medical secret: from an acteur's
// roles and territories and a dossier's scope, which field classes it may see and
// which actions it may take (PRODUCT.md §1). The store applies it inside the
// transaction of every read and write.
package authz

import (
	"medconseil"
)

// Scope is what the policy needs to know of a dossier.
type Scope struct {
	Type         medconseil.TypeDossier
	Departement  string // échelon the dossier is routed to (département of residence)
	Region       string // INSEE region of that département
	Site         string // site in charge, when assigned
	Prescripteur medconseil.RPPS
	NIR          medconseil.NIR
	Employeur    string // SIRET, for AT/MP
}

// medical roles see everything medical in their territory.
func medical(r medconseil.Role) bool {
	switch r {
	case medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleInfirmier:
		return true
	}
	return false
}

// covers reports whether a Service médical territory covers the dossier. A site
// grant covers the dossiers of its échelon's département: staff of a site work the
// échelon's worklist.
func covers(t medconseil.Territoire, s Scope, siteDep func(string) string) bool {
	switch t.Niveau {
	case medconseil.NiveauNational:
		return true
	case medconseil.NiveauRegion:
		return t.Code == s.Region
	case medconseil.NiveauEchelon:
		return t.Code == s.Departement
	case medconseil.NiveauSite:
		return siteDep(t.Code) == s.Departement
	}
	return false
}

// Policy evaluates habilitations. SiteDepartement maps a site code to its
// département; RegionOf maps a département to its region.
type Policy struct {
	SiteDepartement func(site string) string
	RegionOf        func(dep string) string
}

// Default returns the policy over the Grand Est organisation.
func Default() *Policy { return Over(medconseil.GrandEst()) }

// Over returns the policy over an organisation (tests add a body of another region).
func Over(orgs []medconseil.Organisme) *Policy {
	sites := map[string]string{}
	regions := map[string]string{}
	for _, o := range orgs {
		if o.Type == medconseil.TypeSite {
			sites[o.Code] = o.Departement
		}
		if o.Departement != "" {
			regions[o.Departement] = o.Region
		}
	}
	return &Policy{
		SiteDepartement: func(s string) string { return sites[s] },
		RegionOf:        func(d string) string { return regions[d] },
	}
}

// Classes returns the field classes of a dossier that a may see. The empty set means
// the dossier does not exist for a.
func (p *Policy) Classes(a *medconseil.Acteur, s Scope) medconseil.FieldSet {
	if s.Region == "" && p.RegionOf != nil {
		s.Region = p.RegionOf(s.Departement)
	}
	var set medconseil.FieldSet
	all := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision)
	noClinical := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Decision)
	for _, h := range a.Habilitations {
		switch {
		case medical(h.Role):
			if covers(h.Territoire, s, p.SiteDepartement) {
				set |= all
			}
		case h.Role == medconseil.RoleAgentAdministratif:
			if covers(h.Territoire, s, p.SiteDepartement) {
				set |= noClinical
			}
		case h.Role == medconseil.RoleAgentCPAM:
			// The caisse of the assuré's département receives the outcome and dates only.
			if (h.Territoire.Niveau == medconseil.NiveauCaisse && h.Territoire.Code == s.Departement) ||
				h.Territoire.Niveau == medconseil.NiveauNational {
				set |= noClinical
			}
		case h.Role == medconseil.RoleProfessionnel:
			// Its own submissions and the answers to them (échange confraternel).
			if h.Territoire.Niveau == medconseil.NiveauRPPS && s.Prescripteur != "" && h.Territoire.Code == string(s.Prescripteur) {
				set |= all
			}
		case h.Role == medconseil.RoleAssure:
			if h.Territoire.Niveau == medconseil.NiveauNIR && h.Territoire.Code == string(s.NIR) {
				set |= noClinical
			}
		case h.Role == medconseil.RoleEmployeur:
			// AT/MP only: existence, dates, recognition outcome; never the diagnosis.
			// A sick-leave notice does not exist for the employer.
			if s.Type == medconseil.TypeATMP && h.Territoire.Niveau == medconseil.NiveauSIRET && s.Employeur != "" && h.Territoire.Code == s.Employeur {
				set |= medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Decision)
			}
		case h.Role == medconseil.RoleAuditeur:
			// The DPO handles the assurés' requests for access (L1111-7 CSP): those
			// dossiers exist for it, without clinical content; no other dossier does.
			if s.Type == medconseil.TypeAccesDossier && covers(h.Territoire, s, p.SiteDepartement) {
				set |= noClinical
			}
		case h.Role == medconseil.RoleCellulePDP:
			// The caisse's PDP cell: the arrêts, AT/MP and invalidité dossiers of its
			// département, without clinical content (pdp.go).
			if cellCovers(h, s) {
				set |= noClinical
			}
		}
		// statisticien, admin: no dossier exists for them.
	}
	return set
}

// Action is something done to a dossier.
type Action string

// Actions on dossiers.
const (
	ActionSubmit Action = "submit" // file a request (intake)
	ActionAvis   Action = "avis"   // give and sign an avis
	ActionNote   Action = "note"   // record a clinical note or examination
	ActionAssign Action = "assign" // assign / reassign to a praticien
	// ActionInstruire: see the pre-analysis and its alerts (they draw on the
	// assuré's whole history), confirm it or depart from it.
	ActionInstruire Action = "instruire"
	ActionFaits     Action = "faits"    // add the facts a rule set lacks (salary, hours)
	ActionIdentite  Action = "identite" // change the assuré's registered identity
)

// Can reports whether a may take action on a dossier of scope s.
func (p *Policy) Can(a *medconseil.Acteur, action Action, s Scope) bool {
	if s.Region == "" && p.RegionOf != nil {
		s.Region = p.RegionOf(s.Departement)
	}
	for _, h := range a.Habilitations {
		switch action {
		case ActionSubmit:
			switch h.Role {
			case medconseil.RoleProfessionnel:
				if h.Territoire.Niveau == medconseil.NiveauRPPS && h.Territoire.Code == string(s.Prescripteur) {
					return true
				}
			case medconseil.RoleAgentAdministratif, medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleInfirmier:
				if covers(h.Territoire, s, p.SiteDepartement) {
					return true
				}
			}
		case ActionAvis:
			// Only a praticien-conseil signs an avis; the infirmier prepares.
			switch h.Role {
			case medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional:
				if covers(h.Territoire, s, p.SiteDepartement) {
					return true
				}
			}
		case ActionNote, ActionInstruire:
			if medical(h.Role) && covers(h.Territoire, s, p.SiteDepartement) {
				return true
			}
		case ActionFaits, ActionIdentite:
			if (medical(h.Role) || h.Role == medconseil.RoleAgentAdministratif) && covers(h.Territoire, s, p.SiteDepartement) {
				return true
			}
		case ActionAssign:
			switch h.Role {
			case medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleAgentAdministratif:
				if covers(h.Territoire, s, p.SiteDepartement) {
					return true
				}
			}
		}
	}
	return false
}

// Filter narrows a listing of dossiers to those a may possibly see, so the store
// can select in SQL; each row is then checked with Classes.
type Filter struct {
	All           bool     // national habilitation: no narrowing
	Departements  []string // échelons, sites and caisses
	Regions       []string
	Prescripteurs []string
	NIRs          []string
	Employeurs    []string
}

// Empty reports whether the filter selects nothing.
func (f Filter) Empty() bool {
	return !f.All && len(f.Departements) == 0 && len(f.Regions) == 0 && len(f.Prescripteurs) == 0 && len(f.NIRs) == 0 && len(f.Employeurs) == 0
}

// ListFilter returns the filter of the dossiers a may list.
func (p *Policy) ListFilter(a *medconseil.Acteur) Filter {
	var f Filter
	for _, h := range a.Habilitations {
		t := h.Territoire
		switch {
		case medical(h.Role) || h.Role == medconseil.RoleAgentAdministratif:
			switch t.Niveau {
			case medconseil.NiveauNational:
				f.All = true
			case medconseil.NiveauRegion:
				f.Regions = append(f.Regions, t.Code)
			case medconseil.NiveauEchelon:
				f.Departements = append(f.Departements, t.Code)
			case medconseil.NiveauSite:
				if d := p.SiteDepartement(t.Code); d != "" {
					f.Departements = append(f.Departements, d)
				}
			}
		case h.Role == medconseil.RoleAgentCPAM || h.Role == medconseil.RoleCellulePDP:
			// The PDP cell's rows are then narrowed by Classes to the types it works on.
			if t.Niveau == medconseil.NiveauCaisse {
				f.Departements = append(f.Departements, t.Code)
			} else if t.Niveau == medconseil.NiveauNational {
				f.All = true
			}
		case h.Role == medconseil.RoleProfessionnel && t.Niveau == medconseil.NiveauRPPS:
			f.Prescripteurs = append(f.Prescripteurs, t.Code)
		case h.Role == medconseil.RoleAssure && t.Niveau == medconseil.NiveauNIR:
			f.NIRs = append(f.NIRs, t.Code)
		case h.Role == medconseil.RoleEmployeur && t.Niveau == medconseil.NiveauSIRET:
			f.Employeurs = append(f.Employeurs, t.Code)
		}
	}
	return f
}

// CanAudit reports whether a may read and verify the audit journal.
func CanAudit(a *medconseil.Acteur) bool {
	return a.Has(medconseil.RoleAuditeur)
}

// CanAdminUsers reports whether a may manage accounts.
func CanAdminUsers(a *medconseil.Acteur) bool { return a.Has(medconseil.RoleAdmin) }

// SeesClinical reports whether a habilitation opens clinical data: the medical
// roles in their territory, and a professionnel de santé for its own submissions.
// Granting one needs a médecin chef's approval (separation of duties, four eyes).
func SeesClinical(h medconseil.Habilitation) bool {
	return medical(h.Role) || h.Role == medconseil.RoleProfessionnel
}

// CanApproveGrant reports whether approver may approve giving habilitation h (or
// resetting the password of an account that holds it): a médecin chef or médecin
// régional whose territory covers h's territory. A habilitation bound to an RPPS
// number has no territory: any médecin chef may approve it. The store also refuses
// an approval by the account that asked for it or by the account that receives it.
func (p *Policy) CanApproveGrant(approver *medconseil.Acteur, h medconseil.Habilitation) bool {
	for _, a := range approver.Habilitations {
		if a.Role != medconseil.RoleMedecinChef && a.Role != medconseil.RoleMedecinRegional {
			continue
		}
		if p.territoryCovers(a.Territoire, h.Territoire) {
			return true
		}
	}
	return false
}

// territoryCovers reports whether territory outer contains territory inner.
func (p *Policy) territoryCovers(outer, inner medconseil.Territoire) bool {
	if outer.Niveau == medconseil.NiveauNational {
		return true
	}
	if inner.Niveau == medconseil.NiveauRPPS {
		return true
	}
	dep := ""
	switch inner.Niveau {
	case medconseil.NiveauEchelon, medconseil.NiveauCaisse:
		dep = inner.Code
	case medconseil.NiveauSite:
		dep = p.SiteDepartement(inner.Code)
	}
	switch outer.Niveau {
	case medconseil.NiveauRegion:
		if inner.Niveau == medconseil.NiveauRegion {
			return inner.Code == outer.Code
		}
		return dep != "" && p.RegionOf != nil && p.RegionOf(dep) == outer.Code
	case medconseil.NiveauEchelon:
		return dep != "" && dep == outer.Code && inner.Niveau != medconseil.NiveauRegion && inner.Niveau != medconseil.NiveauNational
	case medconseil.NiveauSite:
		return inner.Niveau == medconseil.NiveauSite && inner.Code == outer.Code
	}
	return false
}

// SeesInternalNotes reports whether a reads the internal clinical notes of a
// dossier (the medical team of its territory); a prescriber reads only the notes
// addressed to it.
func (p *Policy) SeesInternalNotes(a *medconseil.Acteur, s Scope) bool {
	if s.Region == "" && p.RegionOf != nil {
		s.Region = p.RegionOf(s.Departement)
	}
	for _, h := range a.Habilitations {
		if medical(h.Role) && covers(h.Territoire, s, p.SiteDepartement) {
			return true
		}
	}
	return false
}
