package authz

import "medconseil"

// The PDP cell (prévention de la désinsertion professionnelle, REGULATIONS.md
// §16; issue 13 part 7). Two sides work together (L4622-8-1 CT; the assurance
// maladie's départemental cells join the CPAM, the service médical and the Carsat
// service social):
//   - the service médical's medical roles (praticien-conseil, médecin chef,
//     médecin régional, infirmier) in their territory: the signals, the actions,
//     the contacts with the médecin du travail, and — through the dossier — the
//     clinical content, as for any dossier of their territory;
//   - the caisse's PDP cell (role cellule_pdp, bound to a caisse): not medical
//     (R4127-104 CSP; L315-1 V CSS): the signals (durations, counts, dates), the
//     actions and outcomes, the contacts it logged itself; on the dossiers
//     concerned (arrêt, AT/MP, invalidité of its département) identity,
//     administrative fields and decision, never the diagnosis, the clinical text
//     or the summary of a contact written by the medical team.
// The administrative agents, the caisse's other agents, the assuré, prescribers,
// employers and the médecin du travail (no account) have no PDP access.

// pdpTypes are the dossier types PDP works on.
func pdpType(t medconseil.TypeDossier) bool {
	switch t {
	case medconseil.TypeArretTravail, medconseil.TypeATMP, medconseil.TypeInvalidite:
		return true
	}
	return false
}

// cellCovers reports whether a cellule_pdp habilitation covers the dossier.
func cellCovers(h medconseil.Habilitation, s Scope) bool {
	return h.Role == medconseil.RoleCellulePDP && pdpType(s.Type) &&
		(h.Territoire.Niveau == medconseil.NiveauCaisse && h.Territoire.Code == s.Departement || h.Territoire.Niveau == medconseil.NiveauNational)
}

// PDPAccess says whether a sees the PDP section of a dossier (signals, actions,
// contacts) and whether it reads clinical summaries (the medical team only).
// Whoever sees the section records actions and contacts on it.
func (p *Policy) PDPAccess(a *medconseil.Acteur, s Scope) (see, medical bool) {
	if a == nil || !pdpType(s.Type) {
		return false, false
	}
	if s.Region == "" && p.RegionOf != nil {
		s.Region = p.RegionOf(s.Departement)
	}
	for _, h := range a.Habilitations {
		switch {
		case medicalRole(h.Role) && covers(h.Territoire, s, p.SiteDepartement):
			see, medical = true, true
		case cellCovers(h, s):
			see = true
		}
	}
	return see, medical
}

func medicalRole(r medconseil.Role) bool { return medical(r) }

// PDPFilter is the territory of the PDP worklist, for the store to narrow in
// SQL (filterSQL); each row is then checked with PDPAccess.
func (p *Policy) PDPFilter(a *medconseil.Acteur) Filter {
	var f Filter
	if a == nil {
		return f
	}
	for _, h := range a.Habilitations {
		t := h.Territoire
		switch {
		case medical(h.Role):
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
		case h.Role == medconseil.RoleCellulePDP:
			switch t.Niveau {
			case medconseil.NiveauNational:
				f.All = true
			case medconseil.NiveauCaisse:
				f.Departements = append(f.Departements, t.Code)
			}
		}
	}
	return f
}

// SeesPDP reports whether a has the PDP worklist (the menu entry).
func SeesPDP(a *medconseil.Acteur) bool {
	if a == nil {
		return false
	}
	for _, h := range a.Habilitations {
		if medical(h.Role) || h.Role == medconseil.RoleCellulePDP {
			return true
		}
	}
	return false
}
