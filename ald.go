package medconseil

func schemaALD() *Schema {
	return &Schema{Type: TypeALD, Titre: "Protocole de soins ALD (Cerfa 11626)", Regles: "ald", Champs: []Champ{
		{Nom: "date_protocole", Libelle: "Date du protocole de soins", Kind: KindDate, Requis: true},
		{Nom: "cim10", Libelle: "Affection (code CIM-10)", Kind: KindCIM10, Requis: true},
		{Nom: "renouvellement", Libelle: "Renouvellement d'une exonération en cours", Kind: KindBool},
		{Nom: "admis_avant_27_juin_2011", Libelle: "ALD 12 admise avant le 27 juin 2011", Kind: KindBool},
		{Nom: "criteres_hors_liste", Libelle: "Critères d'une ALD hors liste (31) ou polypathologie (32) réunis", Kind: KindBool},
		{Nom: "duree_demandee_mois", Libelle: "Durée d'exonération demandée (mois)", Kind: KindEntier},
		{Nom: ChampMedecinTraita, Libelle: "Médecin traitant rédacteur (RPPS)", Kind: KindRPPS},
		{Nom: "soins", Libelle: "Actes et prestations prévus", Kind: KindLong, Requis: true},
		{Nom: "elements_medicaux", Libelle: "Éléments médicaux", Kind: KindLong},
	}}
}
