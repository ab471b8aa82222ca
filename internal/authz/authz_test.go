package authz_test

import (
	"testing"

	"medconseil"
	"medconseil/internal/authz"
)

func acteur(r medconseil.Role, n medconseil.Niveau, code string) *medconseil.Acteur {
	return &medconseil.Acteur{Login: "x", Habilitations: []medconseil.Habilitation{{Role: r, Territoire: medconseil.Territoire{Niveau: n, Code: code}}}}
}

var all = medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision)

func TestTerritories(t *testing.T) {
	p := authz.Default()
	arret67 := authz.Scope{Type: medconseil.TypeArretTravail, Departement: "67", Prescripteur: "10001234567", NIR: "185056748212337"}
	tests := []struct {
		name string
		a    *medconseil.Acteur
		want medconseil.FieldSet
	}{
		{"site of the échelon", acteur(medconseil.RoleInfirmier, medconseil.NiveauSite, "S67-HAGUENAU"), all},
		{"site of another échelon", acteur(medconseil.RoleInfirmier, medconseil.NiveauSite, "S68-COLMAR"), 0},
		{"unknown site", acteur(medconseil.RolePraticienConseil, medconseil.NiveauSite, "S99-NULLEPART"), 0},
		{"region", acteur(medconseil.RoleMedecinRegional, medconseil.NiveauRegion, "44"), all},
		{"other region", acteur(medconseil.RoleMedecinRegional, medconseil.NiveauRegion, "11"), 0},
		{"national", acteur(medconseil.RolePraticienConseil, medconseil.NiveauNational, ""), all},
		{"CPAM given an échelon grant sees nothing", acteur(medconseil.RoleAgentCPAM, medconseil.NiveauEchelon, "67"), 0},
		{"assuré, own", acteur(medconseil.RoleAssure, medconseil.NiveauNIR, "185056748212337"), all &^ medconseil.FieldSet(medconseil.Clinique)},
		{"assuré, other", acteur(medconseil.RoleAssure, medconseil.NiveauNIR, "285056748212337"), 0},
		{"employer, sick leave", acteur(medconseil.RoleEmployeur, medconseil.NiveauSIRET, "12345678900011"), 0},
	}
	for _, tt := range tests {
		if got := p.Classes(tt.a, arret67); got != tt.want {
			t.Errorf("%s: Classes = %s, want %s", tt.name, got, tt.want)
		}
	}
	at := authz.Scope{Type: medconseil.TypeATMP, Departement: "67", Employeur: "12345678900011"}
	if got := p.Classes(acteur(medconseil.RoleEmployeur, medconseil.NiveauSIRET, "12345678900011"), at); got.Has(medconseil.Clinique) || !got.Has(medconseil.Decision) || got.Has(medconseil.Identite) {
		t.Errorf("employer on its AT/MP: %s, want administratif and décision only", got)
	}
}

func TestActions(t *testing.T) {
	p := authz.Default()
	s := authz.Scope{Type: medconseil.TypeArretTravail, Departement: "67", Prescripteur: "10001234567"}
	tests := []struct {
		a      *medconseil.Acteur
		action authz.Action
		want   bool
	}{
		{acteur(medconseil.RolePraticienConseil, medconseil.NiveauEchelon, "67"), authz.ActionAvis, true},
		{acteur(medconseil.RoleInfirmier, medconseil.NiveauEchelon, "67"), authz.ActionAvis, false},
		{acteur(medconseil.RoleInfirmier, medconseil.NiveauEchelon, "67"), authz.ActionNote, true},
		{acteur(medconseil.RoleAgentAdministratif, medconseil.NiveauEchelon, "67"), authz.ActionNote, false},
		{acteur(medconseil.RoleAgentAdministratif, medconseil.NiveauEchelon, "67"), authz.ActionSubmit, true},
		{acteur(medconseil.RoleAgentCPAM, medconseil.NiveauCaisse, "67"), authz.ActionSubmit, false},
		{acteur(medconseil.RoleProfessionnel, medconseil.NiveauRPPS, "10001234567"), authz.ActionSubmit, true},
		{acteur(medconseil.RoleProfessionnel, medconseil.NiveauRPPS, "10009999999"), authz.ActionSubmit, false},
		{acteur(medconseil.RoleProfessionnel, medconseil.NiveauRPPS, "10001234567"), authz.ActionAvis, false},
		{acteur(medconseil.RolePraticienConseil, medconseil.NiveauEchelon, "57"), authz.ActionAvis, false},
	}
	for _, tt := range tests {
		if got := p.Can(tt.a, tt.action, s); got != tt.want {
			h := tt.a.Habilitations[0]
			t.Errorf("%s@%s %s: %v, want %v", h.Role, h.Territoire, tt.action, got, tt.want)
		}
	}
}
