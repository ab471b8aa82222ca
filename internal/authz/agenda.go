package authz

import "medconseil"

// AgendaAccess says what a may do with the agenda of a site (issue 13): read it
// (the medical roles and the administrative agents whose territory covers the
// site's département: the staff of the site) and manage it — rooms, recurring
// plages, absences — (the administrative agents and the médecins chefs and
// régionaux of that territory). The agenda holds dates, places and dossier
// numbers, never anything clinical; the caisse, the assuré, prescribers and
// employers have no access to it.
func (p *Policy) AgendaAccess(a *medconseil.Acteur, site string) (read, manage bool) {
	dep := p.SiteDepartement(site)
	if dep == "" {
		return false, false
	}
	s := Scope{Departement: dep}
	if p.RegionOf != nil {
		s.Region = p.RegionOf(dep)
	}
	for _, h := range a.Habilitations {
		if !covers(h.Territoire, s, p.SiteDepartement) {
			continue
		}
		switch h.Role {
		case medconseil.RoleAgentAdministratif, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional:
			read, manage = true, true
		case medconseil.RolePraticienConseil, medconseil.RoleInfirmier:
			read = true
		}
	}
	return read, manage
}
