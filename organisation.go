package medconseil

// TypeOrganisme is the kind of body in the organisation.
type TypeOrganisme string

// The bodies: the Service médical's own hierarchy, and beside it the caisses.
const (
	TypeCnam    TypeOrganisme = "cnam"
	TypeDRSM    TypeOrganisme = "drsm"    // direction régionale du service médical
	TypeEchelon TypeOrganisme = "echelon" // échelon local du service médical, one per département
	TypeSite    TypeOrganisme = "site"
	TypeCPAM    TypeOrganisme = "cpam" // caisse primaire: pays benefits, receives outcomes only
	// TypeServiceMedical is the service médical (contrôle médical) inside a CPAM, under
	// a médecin-conseil directeur médical, since 1 October 2025 (décret 2025-599).
	TypeServiceMedical TypeOrganisme = "service_medical"
	TypeCarsat         TypeOrganisme = "carsat" // retirement, inaptitude
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
	Debut       Date          `json:"debut,omitzero"` // first day the body exists (zero: always)
	Fin         Date          `json:"fin,omitzero"`   // last day (zero: still exists)
}

// EnVigueur reports whether the body exists on d.
func (o Organisme) EnVigueur(d Date) bool {
	return (o.Debut.IsZero() || !d.Before(o.Debut)) && (o.Fin.IsZero() || !d.After(o.Fin))
}

// The reorganisation of the service du contrôle médical (décret n° 2025-599 du 30 juin
// 2025, JORFTEXT000051824581; R315-2, R315-5, R315-6 in their versions of 1 October
// 2025; REGULATIONS.md §13.0): from 1 October 2025, in each CPAM, the contrôle médical
// is entrusted to praticiens-conseils under a médecin-conseil directeur médical; the
// former échelons locaux and the direction régionale were transferred to the caisses
// by 31 December 2025 at the latest. The medical secret between the service médical
// and the caisse's administrative staff is unchanged (L315-1, R4127-104).
var (
	// Reorganisation2025 is the first day of the service médical inside the CPAM.
	Reorganisation2025 = NewDate(2025, 10, 1)
	// FinTransfertEchelons is the last day by which the échelons were transferred.
	FinTransfertEchelons = NewDate(2025, 12, 31)
)

// Organisation is one dated state of the organisation.
type Organisation struct {
	Nom         string
	Debut, Fin  Date // zero: open
	Texte, Lien string
	Organismes  []Organisme
	Description string
}

// OrganisationsGrandEst returns the successive organisations of the Service médical
// in Grand Est: the direction régionale and its échelons until 30 September 2025,
// then the service médical of each CPAM.
func OrganisationsGrandEst() []Organisation {
	all := GrandEst()
	at := func(d Date) []Organisme {
		var out []Organisme
		for _, o := range all {
			if o.EnVigueur(d) {
				out = append(out, o)
			}
		}
		return out
	}
	return []Organisation{
		{Nom: "Direction régionale du service médical et échelons locaux", Fin: Reorganisation2025.AddDays(-1),
			Description: "DRSM Grand Est à Strasbourg, un échelon local par département, des sites rattachés aux échelons.",
			Organismes:  at(Reorganisation2025.AddDays(-1))},
		{Nom: "Service médical de chaque CPAM", Debut: Reorganisation2025,
			Texte:       "Décret n° 2025-599 du 30 juin 2025 relatif à l'organisation du service du contrôle médical",
			Lien:        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000051824581",
			Description: "Dans chaque CPAM, le contrôle médical est confié aux praticiens-conseils placés sous l'autorité d'un médecin-conseil directeur médical ; les échelons sont transférés aux caisses au plus tard le 31 décembre 2025 ; le service reste dirigé par la CNAM (médecin-conseil national).",
			Organismes:  at(Reorganisation2025)},
	}
}

// OrganisationAt returns the organisation in force on d.
func OrganisationAt(d Date) Organisation {
	orgs := OrganisationsGrandEst()
	for i := len(orgs) - 1; i >= 0; i-- {
		if orgs[i].Debut.IsZero() || !d.Before(orgs[i].Debut) {
			return orgs[i]
		}
	}
	return orgs[0]
}

// ServiceMedical returns the body of the service médical that covers département dep
// on date d: the échelon local before 1 October 2025, the service médical of the
// département's CPAM from then on (the default for new dossiers).
func ServiceMedical(dep string, d Date) (Organisme, bool) {
	for _, o := range GrandEst() {
		if o.Departement == dep && o.EnVigueur(d) && (o.Type == TypeEchelon || o.Type == TypeServiceMedical) {
			return o, true
		}
	}
	return Organisme{}, false
}

// RegionGrandEst is the INSEE code of the Grand Est region.
const RegionGrandEst = "44"

// AlsaceMoselle reports whether a département applies the local law of
// Alsace-Moselle (extra public holidays, régime local).
func AlsaceMoselle(dep string) bool { return dep == "57" || dep == "67" || dep == "68" }

// GrandEst returns every body of the Service médical in Grand Est, dated: the
// direction régionale in Strasbourg and its 10 échelons (one per département) until
// 30 September 2025; from 1 October 2025 the service médical of each CPAM (décret
// 2025-599); the 18 sites, attached to the service médical of their CPAM; the CPAM of
// each département and the two Carsat. The brochure (docs/seeds) gives the échelons
// and the count of sites; the list of site towns is ours, one per préfecture plus
// the large sub-prefectures.
func GrandEst() []Organisme {
	old := Reorganisation2025.AddDays(-1)
	orgs := []Organisme{
		{Code: "CNAM", Type: TypeCnam, Nom: "Caisse nationale de l'Assurance Maladie", Commune: "75056", Adresse: "50 avenue du Professeur André Lemierre, 75020 Paris"},
		{Code: "DRSM-44", Type: TypeDRSM, Nom: "Direction régionale du Service médical Grand Est", Parent: "CNAM", Region: RegionGrandEst, Commune: "67482", Adresse: "22 rue de l'Université, 67000 Strasbourg", Fin: old},
		{Code: "CARSAT-AM", Type: TypeCarsat, Nom: "Carsat Alsace-Moselle", Region: RegionGrandEst, Commune: "67482"},
		{Code: "CARSAT-NE", Type: TypeCarsat, Nom: "Carsat Nord-Est", Region: RegionGrandEst, Commune: "54395"},
	}
	for _, d := range grandEstDepartements {
		orgs = append(orgs,
			Organisme{Code: "ELSM-" + d.code, Type: TypeEchelon, Nom: "Échelon local du service médical " + d.article + d.nom, Parent: "DRSM-44", Region: RegionGrandEst, Departement: d.code, Commune: d.chefLieu, Fin: old},
			Organisme{Code: "CPAM-" + d.code, Type: TypeCPAM, Nom: d.cpam, Region: RegionGrandEst, Departement: d.code, Commune: d.chefLieu},
			Organisme{Code: "SM-" + d.code, Type: TypeServiceMedical, Nom: "Service médical de la " + d.cpam, Parent: "CPAM-" + d.code, Region: RegionGrandEst, Departement: d.code, Commune: d.chefLieu, Debut: Reorganisation2025},
		)
		for _, s := range d.sites {
			orgs = append(orgs, Organisme{Code: "S" + d.code + "-" + s.code, Type: TypeSite, Nom: "Site de " + s.nom, Parent: "SM-" + d.code, Region: RegionGrandEst, Departement: d.code, Commune: s.commune})
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
