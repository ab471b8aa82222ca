package authz

import "medconseil"

// ControleRoles returns the roles of a, among those of the control of
// professionals, whose territory covers département dep: the médecin-conseil chef
// de service, the médecin-conseil régional and the praticiens-conseils
// (L315-1 IV; L162-1-15; REGULATIONS.md §15). Infirmiers, agents, the caisse and
// the statisticien do not see the procedures: they name the patients concerned
// and rest on claims lines (health data).
func (p *Policy) ControleRoles(a *medconseil.Acteur, dep string) []medconseil.Role {
	if a == nil || dep == "" {
		return nil
	}
	s := Scope{Departement: dep}
	if p.RegionOf != nil {
		s.Region = p.RegionOf(dep)
	}
	var out []medconseil.Role
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RolePraticienConseil:
			if covers(h.Territoire, s, p.SiteDepartement) {
				out = append(out, h.Role)
			}
		}
	}
	return out
}

// SeesControle reports whether a has any role of the control of professionals
// (the menu entry and the lists; each procedure is checked against its territory).
func SeesControle(a *medconseil.Acteur) bool {
	return a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional) || a.Has(medconseil.RolePraticienConseil)
}
