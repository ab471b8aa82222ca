package medconseil

func schemaLPP() *Schema {
	return &Schema{Type: TypeLPP, Titre: "Dispositif LPP : demande d'accord préalable", Regles: "lpp", Champs: []Champ{
		{Nom: "date_prescription", Libelle: "Date de prescription", Kind: KindDate, Requis: true},
		{Nom: "code_lpp", Libelle: "Code LPP du dispositif", Kind: KindLPP, Requis: true},
		{Nom: "categorie", Libelle: "Catégorie", Kind: KindChoix, Requis: true, Options: choix(
			"grand_appareillage", "Grand appareillage", "vph", "Véhicule pour personne handicapée",
			"chut_decharge_avant_pied", "CHUT de décharge de l'avant-pied", "chut_decharge_talon", "CHUT de décharge du talon",
			"chut_volume_avant_pied", "CHUT pour augmentation du volume de l'avant-pied", "chup", "Chaussure orthopédique (CHUP)",
			"coussin_positionnement", "Coussin de série de positionnement", "autre", "Autre")},
		{Nom: "indication", Libelle: "Indication", Kind: KindChoix, Options: choix(
			"post_chirurgicale", "Post-chirurgicale", "traumatique", "Traumatique", "medicale", "Médicale",
			"inflammation_oedeme_trouble_trophique", "Inflammation, œdème ou trouble trophique", "autre", "Autre")},
		{Nom: "derniere_delivrance", Libelle: "Date de la dernière délivrance", Kind: KindDate},
		{Nom: "cim10", Libelle: "Affection (CIM-10)", Kind: KindCIM10},
		{Nom: "motif", Libelle: "Éléments médicaux justifiant le dispositif", Kind: KindLong},
	}}
}
