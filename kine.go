package medconseil

func schemaKine() *Schema {
	return &Schema{Type: TypeKine, Titre: "Masso-kinésithérapie : demande d'accord préalable", Regles: "kine", Champs: []Champ{
		{Nom: "date_prescription", Libelle: "Date de prescription", Kind: KindDate, Requis: true},
		{Nom: "situation", Libelle: "Situation pathologique (référentiel)", Kind: KindChoix, Requis: true, Options: choix(
			"entorse_cheville", "Entorse de la cheville", "prothese_hanche", "Prothèse de hanche", "prothese_genou", "Prothèse de genou",
			"ligament_croise", "Ligamentoplastie du croisé antérieur", "meniscectomie", "Méniscectomie",
			"coiffe_rotateurs_operee", "Coiffe des rotateurs opérée", "lombalgie", "Lombalgie",
			"fracture_avant_bras", "Fracture de l'avant-bras", "fracture_coude", "Fracture du coude",
			"rachis_cervical", "Rachis cervical", "tendinopathie_coiffe", "Tendinopathie de la coiffe", "autre", "Autre")},
		{Nom: "seances_prevues", Libelle: "Nombre de séances prévues", Kind: KindEntier, Requis: true},
		{Nom: "seances_anterieures", Libelle: "Séances déjà faites sur 12 mois (hors demandes enregistrées)", Kind: KindEntier},
		{Nom: "date_intervention", Libelle: "Date de l'intervention chirurgicale", Kind: KindDate},
		{Nom: "cim10", Libelle: "Affection (CIM-10)", Kind: KindCIM10},
		{Nom: "bilan", Libelle: "Bilan diagnostic kinésithérapique", Kind: KindLong},
	}}
}
