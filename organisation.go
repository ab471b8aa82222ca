package medconseil

// TypeOrganisme is the kind of body in the organisation.
type TypeOrganisme string

// The bodies: the Service médical's own hierarchy, and beside it the caisses.
const (
	TypeCnam    TypeOrganisme = "cnam"
	TypeDRSM    TypeOrganisme = "drsm"    // direction régionale du service médical
	TypeEchelon TypeOrganisme = "echelon" // échelon local du service médical, one per département
	TypeSite    TypeOrganisme = "site"
	TypeCPAM    TypeOrganisme = "cpam"   // caisse primaire: pays benefits, receives outcomes only
	TypeCarsat  TypeOrganisme = "carsat" // retirement, inaptitude
)

// Organisme is one body of the organisation.
type Organisme struct {
	Code        string        `json:"code"`
	Type        TypeOrganisme `json:"type"`
	Nom         string        `json:"nom"`
	Parent      string        `json:"parent,omitempty"`      // code of the parent body
	Region      string        `json:"region,omitempty"`      // INSEE region code
	Departement string        `json:"departement,omitempty"` // département served (échelon, site, CPAM)
	Commune     string        `json:"commune,omitempty"`     // INSEE code of the seat
	Adresse     string        `json:"adresse,omitempty"`
}

// RegionGrandEst is the INSEE code of the Grand Est region.
const RegionGrandEst = "44"

// AlsaceMoselle reports whether a département applies the local law of
// Alsace-Moselle (extra public holidays, régime local).
func AlsaceMoselle(dep string) bool { return dep == "57" || dep == "67" || dep == "68" }

// GrandEst returns the organisation of the Service médical Grand Est: the direction
// régionale in Strasbourg, its 10 échelons (one per département) and 18 sites, with the
// CPAM of each département and the two Carsat. The brochure (docs/seeds) gives the
// échelons and the count of sites; the list of site towns is ours, one per
// préfecture plus the large sub-prefectures.
func GrandEst() []Organisme {
	orgs := []Organisme{
		{Code: "CNAM", Type: TypeCnam, Nom: "Caisse nationale de l'Assurance Maladie", Commune: "75056", Adresse: "50 avenue du Professeur André Lemierre, 75020 Paris"},
		{Code: "DRSM-44", Type: TypeDRSM, Nom: "Direction régionale du Service médical Grand Est", Parent: "CNAM", Region: RegionGrandEst, Commune: "67482", Adresse: "22 rue de l'Université, 67000 Strasbourg"},
		{Code: "CARSAT-AM", Type: TypeCarsat, Nom: "Carsat Alsace-Moselle", Region: RegionGrandEst, Commune: "67482"},
		{Code: "CARSAT-NE", Type: TypeCarsat, Nom: "Carsat Nord-Est", Region: RegionGrandEst, Commune: "54395"},
	}
	for _, d := range grandEstDepartements {
		orgs = append(orgs,
			Organisme{Code: "ELSM-" + d.code, Type: TypeEchelon, Nom: "Échelon local du service médical " + d.article + d.nom, Parent: "DRSM-44", Region: RegionGrandEst, Departement: d.code, Commune: d.chefLieu},
			Organisme{Code: "CPAM-" + d.code, Type: TypeCPAM, Nom: d.cpam, Region: RegionGrandEst, Departement: d.code, Commune: d.chefLieu},
		)
		for _, s := range d.sites {
			orgs = append(orgs, Organisme{Code: "S" + d.code + "-" + s.code, Type: TypeSite, Nom: "Site de " + s.nom, Parent: "ELSM-" + d.code, Region: RegionGrandEst, Departement: d.code, Commune: s.commune})
		}
	}
	return orgs
}

// GrandEstDepartements lists the codes of the 10 départements of Grand Est.
func GrandEstDepartements() []string {
	out := make([]string, len(grandEstDepartements))
	for i, d := range grandEstDepartements {
		out[i] = d.code
	}
	return out
}

// DepartementNom returns the name of a Grand Est département, "" for another.
func DepartementNom(code string) string {
	for _, d := range grandEstDepartements {
		if d.code == code {
			return d.nom
		}
	}
	return ""
}

type siteDef struct{ code, nom, commune string }

var grandEstDepartements = []struct {
	code, nom, article, chefLieu, cpam string
	sites                              []siteDef
}{
	{"08", "Ardennes", "des ", "08105", "CPAM des Ardennes", []siteDef{{"CHARLEVILLE", "Charleville-Mézières", "08105"}}},
	{"10", "Aube", "de l'", "10387", "CPAM de l'Aube", []siteDef{{"TROYES", "Troyes", "10387"}}},
	{"51", "Marne", "de la ", "51108", "CPAM de la Marne", []siteDef{{"CHALONS", "Châlons-en-Champagne", "51108"}, {"REIMS", "Reims", "51454"}}},
	{"52", "Haute-Marne", "de la ", "52121", "CPAM de la Haute-Marne", []siteDef{{"CHAUMONT", "Chaumont", "52121"}}},
	{"54", "Meurthe-et-Moselle", "de ", "54395", "CPAM de Meurthe-et-Moselle", []siteDef{{"NANCY", "Nancy", "54395"}, {"BRIEY", "Briey", "54099"}}},
	{"55", "Meuse", "de la ", "55029", "CPAM de la Meuse", []siteDef{{"BAR", "Bar-le-Duc", "55029"}, {"VERDUN", "Verdun", "55545"}}},
	{"57", "Moselle", "de la ", "57463", "CPAM de Moselle", []siteDef{{"METZ", "Metz", "57463"}, {"THIONVILLE", "Thionville", "57672"}, {"SARREGUEMINES", "Sarreguemines", "57631"}}},
	{"67", "Bas-Rhin", "du ", "67482", "CPAM du Bas-Rhin", []siteDef{{"STRASBOURG", "Strasbourg", "67482"}, {"HAGUENAU", "Haguenau", "67180"}}},
	{"68", "Haut-Rhin", "du ", "68066", "CPAM du Haut-Rhin", []siteDef{{"COLMAR", "Colmar", "68066"}, {"MULHOUSE", "Mulhouse", "68224"}}},
	{"88", "Vosges", "des ", "88160", "CPAM des Vosges", []siteDef{{"EPINAL", "Épinal", "88160"}, {"SAINTDIE", "Saint-Dié-des-Vosges", "88413"}}},
}
