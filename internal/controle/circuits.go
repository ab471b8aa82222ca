package controle

import "medconseil"

var (
	chef      = []medconseil.Role{medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional}
	medicaux  = []medconseil.Role{medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional, medconseil.RolePraticienConseil}
	nonFinaux = []Etape{"proposee", "notifiee", "audition", "mso_proposee", "commission", "avis_commission", "uncam", "decision_msap"}
)

// MSO is the MSO/MSAP procedure on a prescriber (L162-1-15 version 1/2/2024;
// R148-1 to R148-9; REGULATIONS.md §8, §15.2). The director of the caisse decides
// jointly with the médecin-conseil chef de service; the médecin chef (or
// régional) records the decisions, the praticiens the hearing and the follow-up.
var MSO = &Def{
	Circuit: CircuitMSO,
	Libelle: "Procédure MSO / MSAP",
	Initial: "proposee",
	Etapes: []EtapeDef{
		{Code: "proposee", Libelle: "Proposée (ciblage)"},
		{Code: "notifiee", Libelle: "Notifiée au professionnel — délai d'observations"},
		{Code: "audition", Libelle: "Audition ou observations — décision du directeur attendue"},
		{Code: "mso_proposee", Libelle: "MSO proposée — délai de refus"},
		{Code: "mso", Libelle: "MSO en cours (objectif suivi chaque mois)"},
		{Code: "mso_bilan", Libelle: "Bilan de la MSO"},
		{Code: "commission", Libelle: "MSAP — commission saisie"},
		{Code: "avis_commission", Libelle: "MSAP — avis de la commission rendu"},
		{Code: "uncam", Libelle: "MSAP — avis conforme de l'UNCAM demandé"},
		{Code: "decision_msap", Libelle: "MSAP — décision du directeur attendue"},
		{Code: "msap", Libelle: "MSAP en cours — arrêts soumis à accord préalable"},
		{Code: "abandonnee", Libelle: "Abandonnée", Finale: true},
		{Code: "objectif_atteint", Libelle: "MSO — objectif atteint", Finale: true},
		{Code: "objectif_manque", Libelle: "MSO — objectif non atteint : procédure de pénalité", Finale: true},
		{Code: "msap_terminee", Libelle: "MSAP terminée", Finale: true},
	},
	Transitions: []Transition{
		{Evenement: "notifier", Libelle: "Notifier au professionnel les faits, ses chiffres et la moyenne de référence", De: []Etape{"proposee"}, Vers: "notifiee", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-1 I"},
		{Evenement: "entendre", Libelle: "Enregistrer l'audition (procès-verbal) ou les observations écrites", De: []Etape{"notifiee"}, Vers: "audition", Par: medicaux, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R148-1 I"},
		{Evenement: "proposer_mso", Libelle: "Proposer une mise sous objectif (objectif et période de 4 à 6 mois)", De: []Etape{"audition"}, Vers: "mso_proposee", Par: chef, Saisies: []Saisie{SaisieDate, SaisieObjectif, SaisiePeriode}, Source: "R148-3"},
		{Evenement: "accepter_mso", Libelle: "Acceptation de la MSO par le professionnel", De: []Etape{"mso_proposee"}, Vers: "mso", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-4"},
		{Evenement: "refuser_mso", Libelle: "Refus de la MSO (lettre recommandée) : saisine de la commission pour la MSAP", De: []Etape{"mso_proposee"}, Vers: "commission", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-4 ; R148-7"},
		{Evenement: "saisir_commission", Libelle: "Poursuivre vers la MSAP : saisir la commission", De: []Etape{"audition"}, Vers: "commission", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-1 II ; R148-7"},
		{Evenement: "avis_commission", Libelle: "Enregistrer l'avis de la commission (besoin et durée de la MSAP)", De: []Etape{"commission"}, Vers: "avis_commission", Par: chef, Saisies: []Saisie{SaisieDate, SaisieIssue}, Source: "R148-7"},
		{Evenement: "saisir_uncam", Libelle: "Saisir le directeur général de l'UNCAM pour avis conforme", De: []Etape{"avis_commission"}, Vers: "uncam", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-8 ; L162-1-15 II bis"},
		{Evenement: "uncam_favorable", Libelle: "Avis conforme favorable de l'UNCAM", De: []Etape{"uncam"}, Vers: "decision_msap", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-8"},
		{Evenement: "uncam_defavorable", Libelle: "Avis défavorable de l'UNCAM : abandon", De: []Etape{"uncam"}, Vers: "abandonnee", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R148-9"},
		{Evenement: "decider_msap", Libelle: "Décision motivée de MSAP (dates de début et de fin, 6 mois au plus)", De: []Etape{"decision_msap"}, Vers: "msap", Par: chef, Saisies: []Saisie{SaisieDate, SaisiePeriode}, Source: "R148-9 ; L162-1-15 I"},
		{Evenement: "bilan_atteint", Libelle: "Bilan : objectif atteint", De: []Etape{"mso_bilan"}, Vers: "objectif_atteint", Par: chef, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R148-6"},
		{Evenement: "bilan_manque", Libelle: "Bilan : objectif non atteint (pénalité, R147-8 6°)", De: []Etape{"mso_bilan"}, Vers: "objectif_manque", Par: chef, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R148-6 ; L114-17-1 II 6°"},
		{Evenement: "abandonner", Libelle: "Abandonner la procédure", De: nonFinaux, Vers: "abandonnee", Par: chef, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R148-2"},
	},
	Echeances: []Echeance{
		{Nom: "observations", Libelle: "Délai d'audition ou d'observations du professionnel", Apres: "notifier", Parametre: "mso_observations_mois", TantQue: []Etape{"notifiee"}, Vers: "audition", Effet: "délai écoulé : le directeur décide de la suite"},
		{Nom: "choix_directeur", Libelle: "Décision du directeur (abandon, MSO ou MSAP)", Apres: "entendre", Parametre: "mso_choix_directeur_mois", TantQue: []Etape{"audition"}, Vers: "abandonnee", Effet: "sans décision, la procédure est abandonnée (R148-2)"},
		{Nom: "choix_directeur", Libelle: "Décision du directeur (abandon, MSO ou MSAP)", Apres: "observations", Parametre: "mso_choix_directeur_mois", TantQue: []Etape{"audition"}, Vers: "abandonnee", Effet: "sans décision, la procédure est abandonnée (R148-2)"},
		{Nom: "refus_mso", Libelle: "Délai de refus de la MSO", Apres: "proposer_mso", Parametre: "mso_refus_jours", TantQue: []Etape{"mso_proposee"}, Vers: "mso", Effet: "silence : la MSO est acceptée (R148-4)"},
		{Nom: "fin_mso", Libelle: "Fin de la période de l'objectif", Apres: "proposer_mso", FinPeriode: true, TantQue: []Etape{"mso_proposee", "mso"}, Vers: "mso_bilan", Effet: "période écoulée : bilan"},
		{Nom: "bilan", Libelle: "Notification du bilan de la MSO", Apres: "fin_mso", Parametre: "mso_bilan_mois", TantQue: []Etape{"mso_bilan"}, Effet: "rappel : bilan à notifier au plus tard ce jour (R148-6)"},
		{Nom: "avis_commission", Libelle: "Avis de la commission", Apres: "saisir_commission", Parametre: "msap_commission_mois", TantQue: []Etape{"commission"}, Vers: "avis_commission", Effet: "avis réputé rendu (R148-7)"},
		{Nom: "avis_commission", Libelle: "Avis de la commission", Apres: "refuser_mso", Parametre: "msap_commission_mois", TantQue: []Etape{"commission"}, Vers: "avis_commission", Effet: "avis réputé rendu (R148-7)"},
		{Nom: "saisine_uncam", Libelle: "Saisine de l'UNCAM par le directeur", Apres: "avis_commission", Parametre: "msap_saisine_uncam_jours", TantQue: []Etape{"avis_commission"}, Vers: "abandonnee", Effet: "sans saisine, la procédure est abandonnée (R148-8)"},
		{Nom: "avis_uncam", Libelle: "Avis conforme de l'UNCAM", Apres: "saisir_uncam", Parametre: "msap_avis_uncam_mois", TantQue: []Etape{"uncam"}, Vers: "decision_msap", Effet: "silence : avis favorable (R148-8)"},
		{Nom: "decision_msap", Libelle: "Décision de MSAP", Apres: "uncam_favorable", Parametre: "msap_decision_jours", TantQue: []Etape{"decision_msap"}, Vers: "abandonnee", Effet: "sans décision, la procédure est abandonnée (R148-9)"},
		{Nom: "decision_msap", Libelle: "Décision de MSAP", Apres: "avis_uncam", Parametre: "msap_decision_jours", TantQue: []Etape{"decision_msap"}, Vers: "abandonnee", Effet: "sans décision, la procédure est abandonnée (R148-9)"},
		{Nom: "fin_msap", Libelle: "Fin de la mise sous accord préalable", Apres: "decider_msap", FinPeriode: true, TantQue: []Etape{"msap"}, Vers: "msap_terminee", Effet: "fin de la MSAP : les arrêts ne sont plus soumis à accord préalable"},
	},
}

// Indu is the recovery of an indu from a professional (L133-4 version
// 31/12/2025; R133-9-1 version 8/7/2019; REGULATIONS.md §15.4).
var Indu = &Def{
	Circuit: CircuitIndu,
	Libelle: "Indu",
	Initial: "calcule",
	Etapes: []EtapeDef{
		{Code: "calcule", Libelle: "Calculé — notification de payer à envoyer"},
		{Code: "notifie", Libelle: "Notification de payer envoyée — délai de paiement ou d'observations"},
		{Code: "cra", Libelle: "Commission de recours amiable saisie"},
		{Code: "mise_en_demeure", Libelle: "Mise en demeure (majoration de 10 %)"},
		{Code: "contrainte", Libelle: "Contrainte délivrée"},
		{Code: "recouvre", Libelle: "Recouvré", Finale: true},
		{Code: "annule", Libelle: "Annulé", Finale: true},
	},
	Transitions: []Transition{
		{Evenement: "notifier", Libelle: "Envoyer la notification de payer (cause, nature, montant, dates de paiement)", De: []Etape{"calcule"}, Vers: "notifie", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R133-9-1"},
		{Evenement: "saisir_cra", Libelle: "Recours amiable du professionnel", De: []Etape{"notifie"}, Vers: "cra", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R133-9-1 ; R142-1"},
		{Evenement: "mettre_en_demeure", Libelle: "Mettre en demeure de payer", De: []Etape{"notifie", "cra"}, Vers: "mise_en_demeure", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R133-9-1"},
		{Evenement: "delivrer_contrainte", Libelle: "Délivrer une contrainte", De: []Etape{"mise_en_demeure"}, Vers: "contrainte", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "L133-4 ; R133-9-1"},
		{Evenement: "constater_paiement", Libelle: "Constater le paiement", De: []Etape{"notifie", "cra", "mise_en_demeure", "contrainte"}, Vers: "recouvre", Par: chef, Saisies: []Saisie{SaisieDate}},
		{Evenement: "annuler", Libelle: "Annuler l'indu (recours accueilli, erreur)", De: []Etape{"calcule", "notifie", "cra", "mise_en_demeure", "contrainte"}, Vers: "annule", Par: chef, Saisies: []Saisie{SaisieDate, SaisieNote}},
	},
	Echeances: []Echeance{
		{Nom: "observations", Libelle: "Paiement ou observations du professionnel", Apres: "notifier", Parametre: "indu_observations_mois", TantQue: []Etape{"notifie"}, Effet: "rappel : délai écoulé, mise en demeure possible (R133-9-1)"},
		{Nom: "mise_en_demeure", Libelle: "Délai de la mise en demeure", Apres: "mettre_en_demeure", Parametre: "indu_mise_en_demeure_mois", TantQue: []Etape{"mise_en_demeure"}, Effet: "rappel : délai écoulé, contrainte possible (R133-9-1)"},
	},
}

// Penalite is the pénalité financière (L114-17-1 version 1/1/2026; L114-17-2;
// R147-2; REGULATIONS.md §15.3).
var Penalite = &Def{
	Circuit: CircuitPenalite,
	Libelle: "Pénalité financière",
	Initial: "envisagee",
	Etapes: []EtapeDef{
		{Code: "envisagee", Libelle: "Envisagée — notification des faits à envoyer"},
		{Code: "notifiee", Libelle: "Faits et montant notifiés — délai d'observations"},
		{Code: "observations", Libelle: "Observations reçues — décision du directeur"},
		{Code: "commission", Libelle: "Commission saisie"},
		{Code: "avis_commission", Libelle: "Avis de la commission rendu"},
		{Code: "uncam", Libelle: "Avis conforme de l'UNCAM demandé"},
		{Code: "prononcee", Libelle: "Pénalité notifiée — payable dans les 2 mois"},
		{Code: "avertissement", Libelle: "Avertissement", Finale: true},
		{Code: "payee", Libelle: "Payée", Finale: true},
		{Code: "abandonnee", Libelle: "Abandonnée", Finale: true},
	},
	Transitions: []Transition{
		{Evenement: "notifier", Libelle: "Notifier les faits et le montant envisagé", De: []Etape{"envisagee"}, Vers: "notifiee", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R147-2"},
		{Evenement: "observations", Libelle: "Enregistrer l'audition ou les observations", De: []Etape{"notifiee"}, Vers: "observations", Par: medicaux, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R147-2"},
		{Evenement: "avertir", Libelle: "Adresser un avertissement", De: []Etape{"notifiee", "observations", "avis_commission"}, Vers: "avertissement", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R147-2"},
		{Evenement: "saisir_commission", Libelle: "Saisir la commission (R147-3)", De: []Etape{"notifiee", "observations"}, Vers: "commission", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R147-2 ; R147-3"},
		{Evenement: "avis_commission", Libelle: "Enregistrer l'avis de la commission (matérialité, gravité, montant)", De: []Etape{"commission"}, Vers: "avis_commission", Par: chef, Saisies: []Saisie{SaisieDate, SaisieIssue}, Source: "R147-2"},
		{Evenement: "saisir_uncam", Libelle: "Demander l'avis conforme de l'UNCAM", De: []Etape{"avis_commission"}, Vers: "uncam", Par: chef, Saisies: []Saisie{SaisieDate}, Source: "R147-2"},
		{Evenement: "prononcer", Libelle: "Notifier la pénalité (montant, dans la limite du plafond)", De: []Etape{"uncam"}, Vers: "prononcee", Par: chef, Saisies: []Saisie{SaisieDate, SaisieMontant}, Source: "R147-2 ; L114-17-1 III"},
		{Evenement: "constater_paiement", Libelle: "Constater le paiement", De: []Etape{"prononcee"}, Vers: "payee", Par: chef, Saisies: []Saisie{SaisieDate}},
		{Evenement: "abandonner", Libelle: "Abandonner (ou avis défavorable de l'UNCAM)", De: []Etape{"envisagee", "notifiee", "observations", "commission", "avis_commission", "uncam"}, Vers: "abandonnee", Par: chef, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R147-2"},
	},
	Echeances: []Echeance{
		{Nom: "observations", Libelle: "Audition ou observations du professionnel", Apres: "notifier", Parametre: "penalite_observations_mois", TantQue: []Etape{"notifiee"}, Effet: "rappel : délai écoulé, le directeur décide sous 15 jours (R147-2)"},
		{Nom: "decision", Libelle: "Décision du directeur après les observations", Apres: "observations", Parametre: "penalite_decision_jours", TantQue: []Etape{"observations"}, Effet: "rappel : décision attendue (R147-2)"},
		{Nom: "avis_commission", Libelle: "Avis de la commission", Apres: "saisir_commission", Parametre: "penalite_commission_mois", TantQue: []Etape{"commission"}, Vers: "avis_commission", Effet: "avis réputé rendu (R147-2)"},
		{Nom: "saisine_uncam", Libelle: "Demande d'avis conforme à l'UNCAM", Apres: "avis_commission", Parametre: "penalite_decision_jours", TantQue: []Etape{"avis_commission"}, Vers: "abandonnee", Effet: "sans suite dans les 15 jours, la procédure est abandonnée (R147-2)"},
		{Nom: "avis_uncam", Libelle: "Avis conforme de l'UNCAM (silence = favorable), puis notification sous 15 jours", Apres: "saisir_uncam", Parametre: "msap_avis_uncam_mois", TantQue: []Etape{"uncam"}, Effet: "rappel : avis réputé favorable ; pénalité à notifier sous 15 jours (R147-2)"},
		{Nom: "paiement", Libelle: "Paiement de la pénalité", Apres: "prononcer", Parametre: "penalite_paiement_mois", TantQue: []Etape{"prononcee"}, Effet: "rappel : mise en demeure possible (R147-2)"},
	},
}

// Contentieux is a recourse against a decision: an assuré's (or employer's)
// contestation d'ordre médical before the CMRA then the tribunal judiciaire, pôle
// social (L142-1 1°, R142-8 to R142-8-5, R142-10-1, R142-16; REGULATIONS.md
// §14.2, §14.4), or a professional's action against a pénalité or an MSAP, brought
// directly before the tribunal (L142-4 al. 3; L114-17-2).
var Contentieux = &Def{
	Circuit: CircuitContentieux,
	Libelle: "Contentieux",
	Initial: "recours_cmra",
	Etapes: []EtapeDef{
		{Code: "recours_cmra", Libelle: "Recours devant la CMRA — rapport médical à transmettre"},
		{Code: "rapport_transmis", Libelle: "Rapport médical transmis — observations du requérant"},
		{Code: "avis_cmra", Libelle: "Avis de la CMRA rendu (s'impose à l'organisme)"},
		{Code: "rejet_implicite", Libelle: "Rejet implicite (silence de 4 mois)"},
		{Code: "tribunal", Libelle: "Tribunal judiciaire, pôle social, saisi"},
		{Code: "expertise", Libelle: "Expertise ordonnée"},
		{Code: "jugement", Libelle: "Jugement rendu"},
		{Code: "clos", Libelle: "Clos", Finale: true},
	},
	Transitions: []Transition{
		{Evenement: "transmettre_rapport", Libelle: "Transmettre l'intégralité du rapport médical et l'avis à la CMRA", De: []Etape{"recours_cmra"}, Vers: "rapport_transmis", Par: medicaux, Saisies: []Saisie{SaisieDate}, Source: "R142-8-2 ; L142-6"},
		{Evenement: "avis_cmra", Libelle: "Enregistrer l'avis de la CMRA", De: []Etape{"recours_cmra", "rapport_transmis"}, Vers: "avis_cmra", Par: medicaux, Saisies: []Saisie{SaisieDate, SaisieIssue}, Source: "R142-8-5 ; L142-7-1"},
		{Evenement: "saisir_tribunal", Libelle: "Saisine du pôle social du tribunal judiciaire", De: []Etape{"avis_cmra", "rejet_implicite"}, Vers: "tribunal", Par: medicaux, Saisies: []Saisie{SaisieDate}, Source: "R142-10-1"},
		{Evenement: "ordonner_expertise", Libelle: "Expertise ordonnée par le tribunal", De: []Etape{"tribunal"}, Vers: "expertise", Par: medicaux, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R142-16 ; R142-16-1"},
		{Evenement: "rapport_expertise", Libelle: "Dépôt du rapport d'expertise", De: []Etape{"expertise"}, Vers: "tribunal", Par: medicaux, Saisies: []Saisie{SaisieDate, SaisieNote}, Source: "R142-16"},
		{Evenement: "juger", Libelle: "Enregistrer le jugement", De: []Etape{"tribunal", "expertise"}, Vers: "jugement", Par: medicaux, Saisies: []Saisie{SaisieDate, SaisieIssue}},
		{Evenement: "clore", Libelle: "Clore le contentieux", De: []Etape{"avis_cmra", "rejet_implicite", "jugement"}, Vers: "clos", Par: chef, Saisies: []Saisie{SaisieDate}},
	},
	Echeances: []Echeance{
		{Nom: "rapport", Libelle: "Transmission du rapport médical par le praticien-conseil", Apres: Ouverture, Parametre: "cmra_rapport_jours", TantQue: []Etape{"recours_cmra"}, Effet: "rappel : rapport en retard (R142-8-2)"},
		{Nom: "silence_cmra", Libelle: "Silence de la CMRA", Apres: Ouverture, Parametre: "cmra_silence_mois", TantQue: []Etape{"recours_cmra", "rapport_transmis"}, Vers: "rejet_implicite", Effet: "rejet implicite du recours (R142-8-5)"},
		{Nom: "observations", Libelle: "Observations du requérant sur le rapport", Apres: "transmettre_rapport", Parametre: "cmra_observations_jours", TantQue: []Etape{"rapport_transmis"}, Effet: "rappel : délai d'observations écoulé (R142-8-3)"},
		{Nom: "recours_tribunal", Libelle: "Saisine du tribunal après l'avis", Apres: "avis_cmra", Parametre: "tribunal_recours_mois", TantQue: []Etape{"avis_cmra"}, Vers: "clos", Effet: "délai de recours écoulé : décision définitive (R142-1-A III)"},
		{Nom: "recours_tribunal", Libelle: "Saisine du tribunal après le rejet implicite", Apres: "silence_cmra", Parametre: "tribunal_recours_mois", TantQue: []Etape{"rejet_implicite"}, Vers: "clos", Effet: "délai de recours écoulé : décision définitive (R142-1-A III)"},
	},
}

// Circuits lists every circuit.
var Circuits = []*Def{MSO, Indu, Penalite, Contentieux}
