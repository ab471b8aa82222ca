package medconseil

func schemaInvalidite() *Schema {
	return &Schema{Type: TypeInvalidite, Titre: "Invalidité : demande de pension", Regles: "invalidite", Champs: []Champ{
		{Nom: "date_constat", Libelle: "Date du constat de l'état d'invalidité", Kind: KindDate, Requis: true},
		{Nom: "reduction_capacite_pct", Libelle: "Réduction de la capacité de travail ou de gain (%)", Kind: KindEntier, Requis: true},
		{Nom: "capable_activite", Libelle: "Capable d'exercer une activité rémunérée", Kind: KindBool},
		{Nom: "tierce_personne", Libelle: "Besoin de l'assistance d'une tierce personne", Kind: KindBool},
		{Nom: "exerce_activite", Libelle: "Exerce une activité professionnelle", Kind: KindBool},
		{Nom: "cim10", Libelle: "Affection principale (CIM-10)", Kind: KindCIM10, Requis: true},
		{Nom: "elements_medicaux", Libelle: "Éléments médicaux", Kind: KindLong},
	}}
}
