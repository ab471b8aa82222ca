package main

import (
	"medconseil"
	"medconseil/internal/demo"
)

// mixedDossier returns the n-th request of the mixed intake bench: the eight types
// in turn, each a valid request of docs/dossiers, on assuré nir (a thousand assurés,
// so that the pre-analysis reads a growing history).
func mixedDossier(n int64, nir medconseil.NIR) map[string]any {
	common := func(typ string) map[string]any {
		return map[string]any{"type": typ, "nir": string(nir), "residence": "67482", "prescripteur": demo.PrescripteurRPPS}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	switch n % 8 {
	case 0:
		return with(common("arret_travail"), "nature", "initial", "debut", "2026-11-02", "fin", "2026-11-20", "cim10", "M545", "libelle", "lombalgie",
			"motif", "douleur lombaire aiguë après port de charge", "teleconsultation", false,
			"faits", map[string]string{"salaires_3_derniers_mois": "7500,00", "heures_3_mois": "455", "date_immatriculation": "2008-09-01"})
	case 1:
		return with(common("atmp"), "piece", "certificat_initial", "risque", "at", "date_sinistre", "2026-11-02", "date_reception", "2026-11-04",
			"cim10", "S836", "lesions", "entorse du genou droit", "lateralite", "droite")
	case 2:
		return with(common("ald"), "date_protocole", "2026-11-02", "cim10", "E119", "soins", "suivi trimestriel, HbA1c, fond d'œil")
	case 3:
		return with(common("transport"), "date_demande", "2026-11-02", "mode", "vsl", "distance_km", 490, "etat_aide_au_deplacement", true,
			"motif", "consultation de recours à Paris")
	case 4:
		return with(common("lpp"), "date_prescription", "2026-11-02", "code_lpp", "2183855", "categorie", "chut_decharge_avant_pied", "indication", "post_chirurgicale")
	case 5:
		return with(common("kine"), "date_prescription", "2026-11-02", "situation", "prothese_genou", "seances_prevues", 40)
	case 6:
		return with(common("invalidite"), "naissance", "1985-05-14", "date_constat", "2026-11-02", "reduction_capacite_pct", 75, "cim10", "G35",
			"faits", map[string]string{"date_immatriculation": "2004-09-01", "heures_12_mois": "1200"})
	}
	return with(common("ordonnance"), "date_prescription", "2026-11-02", "medicament", "tramadol 50 mg", "regime", "liste_I", "classe", "tramadol",
		"duree_jours", 84, "signalement", "12 semaines de tramadol sur une ordonnance")
}
