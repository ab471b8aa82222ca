package fhir

import "time"

// Capability is the CapabilityStatement of GET /fhir/metadata: what this server
// serves, its search parameters and the profiles its resources claim.
func Capability(software string, date time.Time) Resource {
	sp := func(name, typ, doc string) Resource {
		return Resource{"name": name, "type": typ, "documentation": doc}
	}
	common := []any{
		sp("_lastUpdated", "date", "dernière mise à jour du dossier : préfixes ge, gt, le, lt (ex. ge2026-11-01)"),
		sp("_count", "number", "entrées par page, 50 au plus (20 par défaut) ; liens de pagination dans Bundle.link"),
	}
	withCommon := func(ps ...any) []any { return append(ps, common...) }
	patient := sp("patient", "reference", "Patient/N, l'assuré du dossier N : les ressources de cet assuré (même NIR)")
	ident := sp("identifier", "token", "NIR de l'assuré : "+SystemINS+"|NIR")
	read := []any{Resource{"code": "read"}, Resource{"code": "search-type"}}
	res := []any{
		Resource{"type": "Patient", "profile": ProfilePatient, "interaction": read,
			"searchParam": withCommon(ident)},
		Resource{"type": "Practitioner", "profile": ProfilePractitioner, "interaction": []any{Resource{"code": "read"}}},
		Resource{"type": "Organization", "profile": ProfileOrganization, "interaction": read,
			"searchParam": []any{sp("type", "token", "cnam, drsm, echelon, site, cpam, service_medical, carsat"), sp("_count", "number", "entrées par page")}},
		Resource{"type": "Claim", "interaction": []any{Resource{"code": "read"}, Resource{"code": "search-type"}, Resource{"code": "create"}},
			"conditionalCreate": true,
			"documentation":     "Demande d'accord préalable (transport, kiné, LPP), use = preauthorization ; If-None-Exist: identifier=system|valeur rend la création idempotente",
			"searchParam": withCommon(patient, ident, sp("status", "token", "active"),
				sp("use", "token", "preauthorization"))},
		Resource{"type": "ClaimResponse", "interaction": read,
			"documentation": "Réponse à la demande, forme du guide HL7 Da Vinci Prior Authorization Support : outcome, disposition, preAuthRef, date d'accord tacite",
			"searchParam":   withCommon(patient, ident, sp("request", "reference", "Claim/N"))},
		Resource{"type": "Task", "interaction": read,
			"documentation": "État du dossier, pour tous les types de dossier",
			"searchParam":   withCommon(patient, ident, sp("status", "token", "received, in-progress, on-hold, completed"))},
		Resource{"type": "QuestionnaireResponse", "interaction": read,
			"documentation": "Avis d'arrêt de travail (Cerfa S3116) et pièces AT/MP (certificat médical S6909…) : les réponses au formulaire, en lecture",
			"searchParam":   withCommon(patient, ident)},
		Resource{"type": "DocumentReference", "interaction": read,
			"documentation": "Courriers du dossier (PDF) ; la lecture d'un courrier est un téléchargement, journalisé",
			"searchParam":   []any{sp("related", "reference", "Task/N ou Claim/N : les courriers du dossier N que le lecteur peut lire")}},
		Resource{"type": "Binary", "interaction": []any{Resource{"code": "read"}}, "documentation": "Le PDF d'un courrier"},
		Resource{"type": "OperationOutcome"},
	}
	return Resource{"resourceType": "CapabilityStatement", "status": "active", "date": date.UTC().Format("2006-01-02"),
		"publisher": "medconseil", "kind": "instance", "fhirVersion": FHIRVersion,
		"software":       Resource{"name": software},
		"implementation": Resource{"description": "API FHIR R4 de medconseil (service du contrôle médical)"},
		"format":         []any{ContentType, "json"},
		"rest": []any{Resource{"mode": "server",
			"documentation": "Authentification : jeton d'API (Authorization: Bearer, POST /api/v1/tokens). Toute lecture passe par la même porte d'accès, la même politique du secret médical et le même journal que l'API JSON.",
			"security":      Resource{"description": "Jeton porteur de l'API medconseil ; un compte ne voit que ce que son rôle et son territoire autorisent"},
			"resource":      res}},
	}
}
