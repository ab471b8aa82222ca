package medconseil

// TransportEtats are the patient's conditions that justify a mode of transport
// (arrêté du 23 décembre 2006), as the transport rule set reads them.
var TransportEtats = []string{"allonge_ou_demi_assis", "surveillance_ou_oxygene", "brancardage_ou_portage", "asepsie",
	"aide_au_deplacement", "deficience_intellectuelle_tiers", "hygiene_rigoureuse"}

func schemaTransport() *Schema {
	return &Schema{Type: TypeTransport, Titre: "Transport : demande d'accord préalable", Regles: "transport", Champs: []Champ{
		{Nom: "date_demande", Libelle: "Date d'envoi de la demande", Kind: KindDate, Requis: true, Aide: "le silence de 15 jours vaut accord (R322-10-4)"},
		{Nom: "date_transport", Libelle: "Date du transport (ou du premier de la série)", Kind: KindDate},
		{Nom: "mode", Libelle: "Mode de transport", Kind: KindChoix, Requis: true, Options: choix(
			"ambulance", "Ambulance", "vsl", "VSL", "taxi", "Taxi conventionné", "vehicule_personnel", "Véhicule personnel",
			"transports_en_commun", "Transports en commun", "avion", "Avion", "bateau", "Bateau")},
		{Nom: "depart", Libelle: "Commune de départ (code INSEE)", Kind: KindCommune},
		{Nom: "destination_finess", Libelle: "Établissement de destination (FINESS)", Kind: KindFINESS},
		{Nom: "destination_commune", Libelle: "Commune de destination (code INSEE)", Kind: KindCommune},
		{Nom: "distance_km", Libelle: "Distance aller (km)", Kind: KindEntier, Requis: true},
		{Nom: "serie_nombre_sur_2_mois", Libelle: "Nombre de transports de la série sur 2 mois", Kind: KindEntier},
		{Nom: "camsp_cmpp", Libelle: "Enfant suivi en CAMSP ou CMPP", Kind: KindBool},
		{Nom: "urgence", Libelle: "Urgence attestée", Kind: KindBool},
		{Nom: "serie_en_lien_avec_ald", Libelle: "Série en lien avec une ALD", Kind: KindBool},
		{Nom: "etat_allonge_ou_demi_assis", Libelle: "Transport allongé ou demi-assis", Kind: KindBool},
		{Nom: "etat_surveillance_ou_oxygene", Libelle: "Surveillance ou oxygène", Kind: KindBool},
		{Nom: "etat_brancardage_ou_portage", Libelle: "Brancardage ou portage", Kind: KindBool},
		{Nom: "etat_asepsie", Libelle: "Asepsie", Kind: KindBool},
		{Nom: "etat_aide_au_deplacement", Libelle: "Aide au déplacement", Kind: KindBool},
		{Nom: "etat_deficience_intellectuelle_tiers", Libelle: "Déficience nécessitant un tiers", Kind: KindBool},
		{Nom: "etat_hygiene_rigoureuse", Libelle: "Hygiène rigoureuse", Kind: KindBool},
		{Nom: "cim10", Libelle: "Affection motivant le transport (CIM-10)", Kind: KindCIM10},
		{Nom: "motif", Libelle: "Éléments médicaux justifiant le transport", Kind: KindLong},
	}}
}
