package fhir

import (
	"fmt"
	"time"

	"medconseil"
)

// Questionnaires of medconseil reproducing the regulated forms: the avis d'arrêt
// de travail (Cerfa S3116) and the pieces of an AT/MP dossier (certificat médical
// S6909, déclaration, rechute…). No public FHIR guide covers them (docs/fhir.md).
const (
	QuestionnaireArret = Base + "/Questionnaire/arret-travail"
	QuestionnaireATMP  = Base + "/Questionnaire/atmp"
)

// IsCertificat reports whether dossiers of type t are served as QuestionnaireResponse.
func IsCertificat(t medconseil.TypeDossier) bool {
	return t == medconseil.TypeArretTravail || t == medconseil.TypeATMP
}

func answerItem(linkID, text string, answer Resource) Resource {
	return Resource{"linkId": linkID, "text": text, "answer": []any{answer}}
}

// QuestionnaireResponseOf is an arrêt de travail or an AT/MP piece as the answers
// to the form it was filed on, one item per field the reader was disclosed (the
// store leaves out the classes it may not see, so does the resource): dates as
// valueDate, closed lists as valueCoding of our champ system, CIM-10 as valueCoding
// of ICD-10, numbers as valueInteger, the dossier it refers to (initial arrêt,
// sinistre) as valueReference to its Task. ok is false for the other types.
func QuestionnaireResponseOf(d *medconseil.Dossier, updated time.Time) (Resource, bool) {
	if !IsCertificat(d.Type) {
		return nil, false
	}
	var items []any
	q := QuestionnaireATMP
	if d.Type == medconseil.TypeArretTravail {
		q = QuestionnaireArret
	}
	if a := d.Arret; a != nil {
		if a.Nature != "" {
			items = append(items, answerItem("nature", "Nature de l'arrêt", Resource{"valueCoding": coding(SystemChamp+"/nature", string(a.Nature), a.Nature.Label())}))
		}
		if a.InitialID != 0 {
			items = append(items, answerItem("initial_id", "Arrêt initial", Resource{"valueReference": ref("Task", a.InitialID)}))
		}
		if !a.Debut.IsZero() {
			items = append(items, answerItem("debut", "Début de l'arrêt", Resource{"valueDate": a.Debut.String()}))
		}
		if !a.Fin.IsZero() {
			items = append(items, answerItem("fin", "Fin de l'arrêt", Resource{"valueDate": a.Fin.String()}))
			items = append(items, answerItem("teleconsultation", "Prescrit en téléconsultation", Resource{"valueBoolean": a.Teleconsultation}))
		}
		if a.CIM10 != "" {
			items = append(items, answerItem("cim10", "Affection (CIM-10)", Resource{"valueCoding": coding(SystemICD10, a.CIM10.Dotted(), "")}))
		}
		if a.Libelle != "" {
			items = append(items, answerItem("libelle", "Libellé de l'affection", Resource{"valueString": a.Libelle}))
		}
		if a.Motif != "" {
			items = append(items, answerItem("motif", "Éléments d'ordre médical", Resource{"valueString": a.Motif}))
		}
	}
	if d.Demande != nil {
		s, _ := medconseil.SchemaOf(d.Type)
		for _, ch := range s.Champs {
			v, ok := d.Demande.Valeurs[ch.Nom]
			if !ok {
				continue
			}
			var ans Resource
			switch ch.Kind {
			case medconseil.KindDate:
				ans = Resource{"valueDate": v.D.String()}
			case medconseil.KindBool:
				ans = Resource{"valueBoolean": v.B}
			case medconseil.KindEntier:
				ans = Resource{"valueInteger": v.N}
			case medconseil.KindMontant:
				ans = Resource{"valueDecimal": decimal(v.N)}
			case medconseil.KindDossier:
				ans = Resource{"valueReference": ref("Task", v.N)}
			case medconseil.KindCIM10:
				ans = Resource{"valueCoding": coding(SystemICD10, medconseil.CIM10(v.S).Dotted(), "")}
			case medconseil.KindChoix:
				ans = Resource{"valueCoding": coding(SystemChamp+"/"+ch.Nom, v.S, ch.Display(v))}
			default:
				ans = Resource{"valueString": v.S}
			}
			items = append(items, answerItem(ch.Nom, ch.Libelle, ans))
		}
	}
	r := Resource{"resourceType": "QuestionnaireResponse", "id": fmt.Sprint(d.ID), "meta": metaOf(d.Version, updated),
		"identifier":    Resource{"system": SystemDossier, "value": fmt.Sprint(d.ID)},
		"questionnaire": q,
		"status":        "completed",
		"subject":       ref("Patient", d.ID),
		"authored":      instant(d.RecueLe),
	}
	if d.Prescripteur != "" {
		r["author"] = Resource{"reference": "Practitioner/" + string(d.Prescripteur)}
	}
	if len(items) > 0 {
		r["item"] = items
	}
	return r, true
}
