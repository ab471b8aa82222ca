// Package fhir maps medconseil's domain to FHIR R4 resources (JSON) and back:
// FR Core Patient, Practitioner and Organization, a request for prior agreement as
// a Claim (use = preauthorization) answered by a ClaimResponse in the shape of the
// HL7 Da Vinci Prior Authorization Support guide, Task for a dossier's state,
// DocumentReference for letters, Bundle for searches and OperationOutcome (in
// French) for every error. It holds no policy and no store: the web layer reads
// dossiers through the store's access gate and hands what the gate disclosed to
// the functions here, which only write the elements they were given.
//
// Resources are plain maps (encoding/json writes their keys sorted): the tests
// check every resource produced against the official FHIR R4 JSON schema.
package fhir

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"medconseil"
)

// Resource is one FHIR resource or element as JSON.
type Resource = map[string]any

// FHIRVersion is the version of FHIR served.
const FHIRVersion = "4.0.1"

// ContentType is the only format served (JSON; no XML, no RDF).
const ContentType = "application/fhir+json"

// Identifier systems (OIDs of the ANS / INSEE registries).
const (
	// SystemINS is the INS (matricule INS, here the NIR) as FR Core names it.
	SystemINS = "urn:oid:1.2.250.1.213.1.4.8"
	// SystemRPPS is the national identifier of health professionals (IDNPS: "8" + RPPS).
	SystemRPPS = "urn:oid:1.2.250.1.71.4.2.1"
	// SystemFINESS is the FINESS number of an establishment.
	SystemFINESS = "urn:oid:1.2.250.1.71.4.2.2"
	// SystemICD10 is the CIM-10 (ICD-10) as HL7 names it.
	SystemICD10 = "http://hl7.org/fhir/sid/icd-10"
	// SystemFRIdentifierType is FR Core's identifier type code system (INS-NIR, IDNPS).
	SystemFRIdentifierType = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
	// SystemClaimType is HL7's claim type code system.
	SystemClaimType = "http://terminology.hl7.org/CodeSystem/claim-type"
	// SystemProcessPriority is HL7's process priority code system.
	SystemProcessPriority = "http://terminology.hl7.org/CodeSystem/processpriority"
	// SystemAdjudication is HL7's adjudication category code system.
	SystemAdjudication = "http://terminology.hl7.org/CodeSystem/adjudication"
)

// FR Core profiles (Interop'Santé, hl7.fhir.fr.core 2.1.0) the resources claim in
// meta.profile.
const (
	ProfilePatient      = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient"
	ProfilePractitioner = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner"
	ProfileOrganization = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization"
	// ExtInseeCode is FR Core's extension carrying the INSEE code of an address's commune.
	ExtInseeCode = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
)

// Base is the canonical base of medconseil's own code systems and extensions. The
// .invalid domain says plainly that it resolves nowhere: a deployment publishing
// its definitions replaces it (docs/fhir.md).
const Base = "https://medconseil.invalid/fhir"

// medconseil's own code systems and extensions.
const (
	SystemTypeDossier   = Base + "/CodeSystem/type-dossier"   // our dossier types
	SystemChamp         = Base + "/CodeSystem/champ-demande"  // the fields of a request (docs/dossiers)
	SystemEtat          = Base + "/CodeSystem/etat-dossier"   // the lifecycle's states
	SystemDecision      = Base + "/CodeSystem/decision"       // accord, refus, en_attente, accord_tacite
	SystemOrganisme     = Base + "/CodeSystem/type-organisme" // cnam, drsm, echelon, cpam…
	SystemCodeOrganisme = Base + "/NamingSystem/organisme"    // our codes of organisations
	SystemDossier       = Base + "/NamingSystem/dossier"      // our dossier numbers
	SystemCourrier      = Base + "/NamingSystem/courrier"     // our letters' reference numbers
	ExtAccordTacite     = Base + "/StructureDefinition/date-accord-tacite"
)

// PreAuthTypes are the dossier types filed as a Claim with use = preauthorization.
var PreAuthTypes = []medconseil.TypeDossier{medconseil.TypeTransport, medconseil.TypeKine, medconseil.TypeLPP}

// IsPreAuth reports whether t is filed as a Claim.
func IsPreAuth(t medconseil.TypeDossier) bool {
	for _, p := range PreAuthTypes {
		if p == t {
			return true
		}
	}
	return false
}

func coding(system, code, display string) Resource {
	c := Resource{"system": system, "code": code}
	if display != "" {
		c["display"] = display
	}
	return c
}

func concept(system, code, display string) Resource {
	return Resource{"coding": []any{coding(system, code, display)}}
}

func ref(typ string, id any) Resource {
	return Resource{"reference": fmt.Sprintf("%s/%v", typ, id)}
}

func instant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func metaOf(version int, updated time.Time, profiles ...string) Resource {
	m := Resource{}
	if version > 0 {
		m["versionId"] = strconv.Itoa(version)
	}
	if !updated.IsZero() {
		m["lastUpdated"] = instant(updated)
	}
	if len(profiles) > 0 {
		ps := make([]any, len(profiles))
		for i, p := range profiles {
			ps[i] = p
		}
		m["profile"] = ps
	}
	return m
}

// IDNPS is the national identifier of a professional with an RPPS number.
func IDNPS(r medconseil.RPPS) string { return "8" + string(r) }

// rppsOf reads an RPPS number from the IDNPS ("8" + 11 digits) or the bare number.
func rppsOf(v string) string {
	if len(v) == 12 && v[0] == '8' {
		return v[1:]
	}
	return v
}

// decimal writes centimes as a JSON decimal number, never through a float.
func decimal(centimes int64) json.Number {
	sign := ""
	if centimes < 0 {
		sign, centimes = "-", -centimes
	}
	return json.Number(fmt.Sprintf("%s%d.%02d", sign, centimes/100, centimes%100))
}
