package medconseil

// AT/MP pieces: the employer's or victim's déclaration and the certificats médicaux
// (initial, prolongation, final, rechute) of one sinistre (PRODUCT.md §2.2).
const (
	PieceDeclaration   = "declaration"
	PieceInitial       = "certificat_initial"
	PieceProlongation  = "certificat_prolongation"
	PieceFinal         = "certificat_final"
	PieceRechute       = "rechute"
	ChampSinistreID    = "sinistre_id"
	ChampMedecinTraita = "medecin_traitant"
)

var certificatsATMP = []string{PieceInitial, PieceProlongation, PieceFinal, PieceRechute}

func schemaATMP() *Schema {
	return &Schema{Type: TypeATMP, Titre: "Accident du travail / maladie professionnelle", Regles: "atmp", Champs: []Champ{
		{Nom: "piece", Libelle: "Pièce déposée", Kind: KindChoix, Requis: true, Options: choix(
			PieceDeclaration, "Déclaration d'accident du travail ou de maladie professionnelle",
			PieceInitial, "Certificat médical initial",
			PieceProlongation, "Certificat médical de prolongation",
			PieceFinal, "Certificat médical final (guérison ou consolidation)",
			PieceRechute, "Certificat médical de rechute")},
		{Nom: "risque", Libelle: "Risque", Kind: KindChoix, Requis: true, Options: choix("at", "Accident du travail (ou de trajet)", "mp", "Maladie professionnelle")},
		{Nom: ChampSinistreID, Libelle: "N° du dossier initial du sinistre (déclaration ou certificat initial)", Kind: KindDossier,
			Si: map[string][]string{"piece": certificatsATMP}, RequisSi: map[string][]string{"piece": {PieceProlongation, PieceFinal, PieceRechute}},
			Aide: "obligatoire pour une prolongation, un certificat final ou une rechute : le dossier du même sinistre"},
		{Nom: "date_sinistre", Libelle: "Date de l'accident ou de la première constatation médicale", Kind: KindDate, Requis: true},
		{Nom: "date_reception", Libelle: "Date de réception par la caisse", Kind: KindDate, Requis: true, Aide: "point de départ des délais d'instruction (jours francs)"},
		{Nom: "employeur_siret", Libelle: "SIRET de l'employeur", Kind: KindSIRET},
		{Nom: "lieu", Libelle: "Lieu de l'accident", Kind: KindTexte, Si: map[string][]string{"risque": {"at"}}},
		{Nom: "cim10", Libelle: "Code CIM-10 des lésions", Kind: KindCIM10, Requis: true, Si: map[string][]string{"piece": certificatsATMP}},
		{Nom: "lesions", Libelle: "Siège et nature des lésions", Kind: KindLong, Requis: true, Si: map[string][]string{"piece": certificatsATMP}},
		{Nom: "lateralite", Libelle: "Latéralité", Kind: KindChoix, Requis: true, Si: map[string][]string{"piece": {PieceInitial, PieceRechute}},
			Options: choix("droite", "Droite", "gauche", "Gauche", "bilaterale", "Bilatérale", "sans_objet", "Sans objet")},
		{Nom: "arret_jusqu_au", Libelle: "Arrêt de travail prescrit jusqu'au", Kind: KindDate, Si: map[string][]string{"piece": {PieceInitial, PieceProlongation, PieceRechute}}},
		{Nom: "conclusion", Libelle: "Conclusion du certificat final", Kind: KindChoix, Requis: true, Si: map[string][]string{"piece": {PieceFinal}}, Options: choix(
			"guerison", "Guérison avec retour à l'état antérieur",
			"guerison_apparente", "Guérison apparente avec possibilité de rechute ultérieure",
			"consolidation_avec_sequelles", "Consolidation avec séquelles")},
		{Nom: "date_consolidation", Libelle: "Date de guérison ou de consolidation", Kind: KindDate, Requis: true, Si: map[string][]string{"piece": {PieceFinal}}},
		{Nom: "sequelles", Libelle: "Séquelles décrites", Kind: KindLong, Si: map[string][]string{"piece": {PieceFinal}}},
		{Nom: "tableau_mp", Libelle: "N° du tableau de maladie professionnelle", Kind: KindTexte, Si: map[string][]string{"risque": {"mp"}}, Aide: "vide si la maladie n'est désignée par aucun tableau"},
		{Nom: "conditions_tableau_remplies", Libelle: "Conditions du tableau remplies", Kind: KindBool, Si: map[string][]string{"risque": {"mp"}}},
		{Nom: "condition_manquante", Libelle: "Condition du tableau non remplie", Kind: KindChoix, Si: map[string][]string{"risque": {"mp"}},
			Options: choix("delai_prise_en_charge", "Délai de prise en charge", "duree_exposition", "Durée d'exposition", "liste_travaux", "Liste limitative des travaux")},
		{Nom: "taux_ip_previsible", Libelle: "Taux d'incapacité permanente prévisible (%)", Kind: KindEntier, Si: map[string][]string{"risque": {"mp"}}},
		{Nom: "deces", Libelle: "Décès de la victime", Kind: KindBool},
		{Nom: "observations", Libelle: "Observations médicales", Kind: KindLong},
	}}
}
