package authz

import "medconseil"

// DashboardScope is what a dashboard (GET /tableau-de-bord) may count for an
// actor: the dossiers of Filter, and whether small counts must be suppressed.
type DashboardScope struct {
	Filter Filter
	// Suppress: aggregated figures only, every count from 1 to SuppressBelow-1
	// masked (statistical secret: a statisticien reads no count small enough to
	// point at a person).
	Suppress bool
}

// SuppressBelow is the statistical-secret threshold of the statisticien's
// dashboard: a count n with 0 < n < SuppressBelow is shown as « < 5 ».
const SuppressBelow = 5

// Dashboard returns the dashboard scope of a: the médecin chef counts in the
// territory of its habilitation (its échelon), the médecin régional in its region,
// both with exact figures; a statisticien in its territory with small counts
// suppressed. Exact figures win when a holds both kinds of role (the exact scope
// then covers only the médecin chef's or régional's territories). ok is false for
// every other role: no dashboard exists for them.
func (p *Policy) Dashboard(a *medconseil.Acteur) (s DashboardScope, ok bool) {
	var exact, stat Filter
	add := func(f *Filter, t medconseil.Territoire) {
		switch t.Niveau {
		case medconseil.NiveauNational:
			f.All = true
		case medconseil.NiveauRegion:
			f.Regions = append(f.Regions, t.Code)
		case medconseil.NiveauEchelon:
			f.Departements = append(f.Departements, t.Code)
		case medconseil.NiveauSite:
			if p.SiteDepartement != nil {
				if d := p.SiteDepartement(t.Code); d != "" {
					f.Departements = append(f.Departements, d)
				}
			}
		}
	}
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional:
			add(&exact, h.Territoire)
		case medconseil.RoleStatisticien:
			add(&stat, h.Territoire)
		}
	}
	if !exact.Empty() {
		return DashboardScope{Filter: exact}, true
	}
	if !stat.Empty() {
		return DashboardScope{Filter: stat, Suppress: true}, true
	}
	return DashboardScope{}, false
}

// CanDashboard reports whether a has a dashboard: the médecin chef, the médecin
// régional and the statisticien land on it after login.
func (p *Policy) CanDashboard(a *medconseil.Acteur) bool {
	_, ok := p.Dashboard(a)
	return ok
}
