package medconseil

func schemaOrdonnance() *Schema {
	return &Schema{Type: TypeOrdonnance, Titre: "Contrôle d'ordonnance : signalement", Regles: "ordonnance", Champs: []Champ{
		{Nom: "date_prescription", Libelle: "Date de la prescription", Kind: KindDate, Requis: true},
		{Nom: "medicament", Libelle: "Médicament prescrit", Kind: KindTexte, Requis: true},
		{Nom: "regime", Libelle: "Régime du médicament", Kind: KindChoix, Requis: true, Options: choix(
			"stupefiant", "Stupéfiant", "liste_I", "Liste I", "liste_II", "Liste II", "non_liste", "Non listé")},
		{Nom: "classe", Libelle: "Classe", Kind: KindChoix, Options: choix(
			"hypnotique", "Hypnotique", "anxiolytique", "Anxiolytique", "tramadol", "Tramadol", "codeine", "Codéine", "dihydrocodeine", "Dihydrocodéine", "autre", "Autre")},
		{Nom: "substance", Libelle: "Substance (stupéfiant)", Kind: KindChoix, Si: map[string][]string{"regime": {"stupefiant"}}, Options: choix(
			"morphine_orale_lp", "Morphine orale LP", "morphine_orale_non_lp", "Morphine orale non LP", "hydromorphone", "Hydromorphone",
			"fentanyl_transdermique", "Fentanyl transdermique", "methylphenidate", "Méthylphénidate")},
		{Nom: "duree_jours", Libelle: "Durée de traitement prescrite (jours, renouvellements compris)", Kind: KindEntier, Requis: true},
		{Nom: "ordonnance_securisee", Libelle: "Ordonnance sécurisée", Kind: KindBool},
		{Nom: "doses_en_toutes_lettres", Libelle: "Doses écrites en toutes lettres", Kind: KindBool},
		{Nom: "chevauchement", Libelle: "Chevauchement avec une prescription antérieure", Kind: KindBool},
		{Nom: "mention_chevauchement", Libelle: "Mention expresse du chevauchement", Kind: KindBool},
		{Nom: "renouvellement_indique", Libelle: "Nombre de renouvellements indiqué", Kind: KindBool},
		{Nom: "hors_indication_remboursable", Libelle: "Hors indication remboursable", Kind: KindBool},
		{Nom: "mention_nr", Libelle: "Mention « NR »", Kind: KindBool},
		{Nom: "hors_amm", Libelle: "Prescription hors AMM", Kind: KindBool},
		{Nom: "mention_hors_amm", Libelle: "Mention « hors AMM »", Kind: KindBool},
		{Nom: "cadre_compassionnel", Libelle: "Cadre de prescription compassionnelle", Kind: KindBool},
		{Nom: "mention_cadre", Libelle: "Mention du cadre", Kind: KindChoix, Options: choix("RTU", "RTU", "CPC", "CPC")},
		{Nom: "pharmacie_finess", Libelle: "Pharmacie signalante (FINESS)", Kind: KindFINESS},
		{Nom: "signalement", Libelle: "Motif du signalement", Kind: KindLong, Requis: true},
	}}
}
