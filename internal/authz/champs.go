package authz

import (
	"medconseil"
)

// Field classes of every field of every dossier type (PRODUCT.md §1): the policy
// reads the class of a field, never the type of the dossier. The store files each
// field by its class — identity in the versioned assuré record, administrative
// fields in clear, clinical free text and codes encrypted — and discloses a field
// only when its class is visible to the reader. A test checks that every field of
// every schema has a class here and that nothing here is unknown.
var (
	// commonClasses are the fields every request carries.
	commonClasses = map[string]medconseil.FieldClass{
		"nir": medconseil.Identite, "residence": medconseil.Identite, "nom": medconseil.Identite,
		"prenom": medconseil.Identite, "naissance": medconseil.Identite,
		"prescripteur": medconseil.Administratif,
	}
	typeClasses = map[medconseil.TypeDossier]map[string]medconseil.FieldClass{
		medconseil.TypeArretTravail: {
			"nature": adm, "initial_id": adm, "debut": adm, "fin": adm, "teleconsultation": adm,
			"cim10": cli, "libelle": cli, "motif": cli,
		},
		medconseil.TypeATMP: {
			"piece": adm, "risque": adm, "sinistre_id": adm, "date_sinistre": adm, "date_reception": adm,
			"employeur_siret": adm, "lieu": adm, "arret_jusqu_au": adm, "date_consolidation": adm, "deces": adm,
			"cim10": cli, "lesions": cli, "lateralite": cli, "conclusion": cli, "sequelles": cli,
			"tableau_mp": cli, "conditions_tableau_remplies": cli, "condition_manquante": cli,
			"taux_ip_previsible": cli, "observations": cli,
		},
		medconseil.TypeALD: {
			"date_protocole": adm, "renouvellement": adm, "admis_avant_27_juin_2011": adm, "duree_demandee_mois": adm,
			"medecin_traitant": adm,
			"cim10":            cli, "criteres_hors_liste": cli, "soins": cli, "elements_medicaux": cli,
		},
		medconseil.TypeTransport: {
			"date_demande": adm, "date_transport": adm, "mode": adm, "depart": adm, "destination_finess": adm,
			"destination_commune": adm, "distance_km": adm, "serie_nombre_sur_2_mois": adm, "camsp_cmpp": adm, "urgence": adm,
			"serie_en_lien_avec_ald": cli, "etat_allonge_ou_demi_assis": cli, "etat_surveillance_ou_oxygene": cli,
			"etat_brancardage_ou_portage": cli, "etat_asepsie": cli, "etat_aide_au_deplacement": cli,
			"etat_deficience_intellectuelle_tiers": cli, "etat_hygiene_rigoureuse": cli, "cim10": cli, "motif": cli,
		},
		medconseil.TypeLPP: {
			"date_prescription": adm, "code_lpp": adm, "categorie": adm, "derniere_delivrance": adm,
			"indication": cli, "cim10": cli, "motif": cli,
		},
		medconseil.TypeKine: {
			"date_prescription": adm, "seances_prevues": adm, "seances_anterieures": adm,
			"situation": cli, "date_intervention": cli, "cim10": cli, "bilan": cli,
		},
		medconseil.TypeInvalidite: {
			"date_constat": adm, "exerce_activite": adm,
			"reduction_capacite_pct": cli, "capable_activite": cli, "tierce_personne": cli, "cim10": cli, "elements_medicaux": cli,
		},
		medconseil.TypeOrdonnance: {
			"date_prescription": adm, "regime": adm, "classe": adm, "substance": adm, "duree_jours": adm,
			"ordonnance_securisee": adm, "doses_en_toutes_lettres": adm, "chevauchement": adm, "mention_chevauchement": adm,
			"renouvellement_indique": adm, "hors_indication_remboursable": adm, "mention_nr": adm, "hors_amm": adm,
			"mention_hors_amm": adm, "cadre_compassionnel": adm, "mention_cadre": adm, "pharmacie_finess": adm,
			"medicament": cli, "signalement": cli,
		},
	}
)

const (
	adm = medconseil.Administratif
	cli = medconseil.Clinique
)

// ClassOf returns the class of field nom of a dossier of type t; ok is false for a
// field that has none (the store refuses to file it). The facts a rule set needs
// (salaries, hours) are administrative.
func ClassOf(t medconseil.TypeDossier, nom string) (medconseil.FieldClass, bool) {
	if c, ok := commonClasses[nom]; ok {
		return c, true
	}
	if c, ok := typeClasses[t][nom]; ok {
		return c, true
	}
	for _, f := range medconseil.FaitsOf(t) {
		if f.Nom == nom {
			return medconseil.Administratif, true
		}
	}
	return 0, false
}

// ClassifiedFields lists the fields that have a class for type t (tests use it to
// check the schemas both ways).
func ClassifiedFields(t medconseil.TypeDossier) []string {
	var out []string
	for n := range typeClasses[t] {
		out = append(out, n)
	}
	return out
}

// SeesRegisteredIdentity reports whether a reads the assuré's registered identity
// (the versioned record) on a dossier of scope s. A prescriber reads only the
// identity it declared on its own submission: it never learns a name another
// doctor entered.
func (p *Policy) SeesRegisteredIdentity(a *medconseil.Acteur, s Scope) bool {
	if s.Region == "" && p.RegionOf != nil {
		s.Region = p.RegionOf(s.Departement)
	}
	for _, h := range a.Habilitations {
		switch {
		case medical(h.Role) || h.Role == medconseil.RoleAgentAdministratif:
			if covers(h.Territoire, s, p.SiteDepartement) {
				return true
			}
		case h.Role == medconseil.RoleAgentCPAM:
			if (h.Territoire.Niveau == medconseil.NiveauCaisse && h.Territoire.Code == s.Departement) || h.Territoire.Niveau == medconseil.NiveauNational {
				return true
			}
		case h.Role == medconseil.RoleAssure:
			if h.Territoire.Niveau == medconseil.NiveauNIR && h.Territoire.Code == string(s.NIR) {
				return true
			}
		case h.Role == medconseil.RoleCellulePDP:
			if cellCovers(h, s) {
				return true
			}
		}
	}
	return false
}

// CanSubmitAny reports whether a may file some request (the menu entry).
func CanSubmitAny(a *medconseil.Acteur) bool {
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RoleProfessionnel, medconseil.RoleAgentAdministratif, medconseil.RolePraticienConseil,
			medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RoleInfirmier:
			return true
		}
	}
	return false
}

// CanList reports whether a has any worklist (the menu entry).
func (p *Policy) CanList(a *medconseil.Acteur) bool { return !p.ListFilter(a).Empty() }
