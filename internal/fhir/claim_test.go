package fhir_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/fhir"
	"medconseil/internal/fhir/fhirtest"
)

// The Claims of docs/fhir read into exactly the JSON input of docs/dossiers (the
// intake's documented form), plus the identity the example omits.
func TestParseClaimMatchesDossierExamples(t *testing.T) {
	for _, typ := range []string{"transport", "kine", "lpp"} {
		t.Run(typ, func(t *testing.T) {
			body, err := os.ReadFile("../../docs/fhir/claim-" + typ + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := fhirtest.Validate(body); err != nil {
				t.Fatalf("docs/fhir/claim-%s.json is not valid FHIR R4: %v", typ, err)
			}
			f, err := fhir.ParseClaim(body)
			if err != nil {
				t.Fatalf("ParseClaim: %v", err)
			}
			raw, err := os.ReadFile("../../docs/dossiers/" + typ + ".example.json")
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			json.Unmarshal(raw, &want)
			got := map[string]any{}
			for k, v := range f.Fields {
				var x any
				json.Unmarshal(v, &x)
				got[k] = x
			}
			for k, v := range want {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(v) {
					t.Errorf("field %s = %s, want %s (from %s)", k, g, mustJSON(v), f.Path(k))
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok && k != "nom" && k != "prenom" && k != "naissance" {
					t.Errorf("extra field %s = %v", k, got[k])
				}
			}
			if f.Identifier != "https://logiciel-prescripteur.example/demandes|"+strings.ToUpper(typ)+"-2026-0001" && typ != "transport" {
				t.Errorf("identifier %q", f.Identifier)
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Bad input: each problem names its element by FHIRPath, all at once.
func TestParseClaimErrors(t *testing.T) {
	base, err := os.ReadFile("../../docs/fhir/claim-transport.json")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(c map[string]any)) []byte {
		var c map[string]any
		json.Unmarshal(base, &c)
		fn(c)
		b, _ := json.Marshal(c)
		return b
	}
	for _, tc := range []struct {
		name  string
		body  []byte
		paths []string
	}{
		{"other resource", []byte(`{"resourceType":"Patient"}`), []string{"Claim.resourceType"}},
		{"not preauthorization", edit(func(c map[string]any) { c["use"] = "claim" }), []string{"Claim.use"}},
		{"unknown profile", edit(func(c map[string]any) { c["meta"] = map[string]any{"profile": []any{"http://example.org/x"}} }), []string{"Claim.meta.profile[0]"}},
		{"patient without NIR", edit(func(c map[string]any) {
			c["contained"].([]any)[0].(map[string]any)["identifier"] = []any{}
		}), []string{"Claim.contained[0].identifier"}},
		{"NIR in another system", edit(func(c map[string]any) {
			c["contained"].([]any)[0].(map[string]any)["identifier"] = []any{map[string]any{"system": "urn:oid:1.2.3", "value": "1"}}
		}), []string{"Claim.contained[0].identifier[0].system"}},
		{"diagnosis not ICD-10", edit(func(c map[string]any) {
			c["diagnosis"].([]any)[0].(map[string]any)["diagnosisCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "254837009"}}}
		}), []string{"Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].system"}},
		{"provider in another system", edit(func(c map[string]any) {
			c["provider"] = map[string]any{"identifier": map[string]any{"system": "urn:oid:1.2.250.1.71.4.2.2", "value": "750160012"}}
		}), []string{"Claim.provider.identifier.system"}},
		{"unknown field and element", edit(func(c map[string]any) {
			c["supportingInfo"].([]any)[2].(map[string]any)["category"] = map[string]any{"coding": []any{map[string]any{"system": fhir.SystemChamp, "code": "couleur"}}}
			c["careTeam"] = []any{}
		}), []string{"Claim.careTeam", "Claim.supportingInfo[2].category"}},
		{"kind in the wrong value", edit(func(c map[string]any) {
			si := c["supportingInfo"].([]any)[6].(map[string]any)
			delete(si, "valueQuantity")
			si["valueString"] = "490"
		}), []string{"Claim.supportingInfo[6].valueQuantity"}},
		{"other dossier type", edit(func(c map[string]any) {
			c["subType"] = map[string]any{"coding": []any{map[string]any{"system": fhir.SystemTypeDossier, "code": "arret_travail"}}}
		}), []string{"Claim.subType.coding[0].code"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fhir.ParseClaim(tc.body)
			if err == nil {
				t.Fatal("accepted")
			}
			got := map[string]bool{}
			for _, fe := range medconseil.FieldErrors(err) {
				got[fe.Field] = true
				if fe.Message == "" {
					t.Errorf("%s: empty message", fe.Field)
				}
			}
			for _, p := range tc.paths {
				if !got[p] {
					t.Errorf("no error at %s; got %v", p, got)
				}
			}
		})
	}
}

// Every resource the mapping produces is valid FHIR R4, with and without the
// classes a reader may be denied.
func TestResourcesValid(t *testing.T) {
	recue := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	d := &medconseil.Dossier{ID: 7, Type: medconseil.TypeTransport, Etat: medconseil.EtatAInstruire, Version: 3, Departement: "67",
		Assure:       &medconseil.Assure{NIR: "185056748212337", Nom: "MARTIN", Prenom: "Paul", Naissance: medconseil.NewDate(1985, 5, 12), Residence: "67482"},
		Prescripteur: "10001234567", RecueLe: recue, Echeance: medconseil.NewDate(2026, 11, 17),
		Demande: &medconseil.Demande{Type: medconseil.TypeTransport, Valeurs: map[string]medconseil.Valeur{
			"date_demande": {D: medconseil.NewDate(2026, 11, 2)}, "mode": {S: "vsl"}, "distance_km": {N: 490},
			"etat_aide_au_deplacement": {B: true}, "cim10": {S: "C509"}, "motif": {S: "recours"}}},
		Visible: medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision)}
	caisse := *d
	caisse.Demande, caisse.Prescripteur = nil, ""
	decided := *d
	decided.Etat, decided.Avis = medconseil.EtatAvisRendu, &medconseil.Avis{Sens: medconseil.SensJustifie, Le: recue.Add(48 * time.Hour)}
	tacite := *d
	tacite.Etat = medconseil.EtatAccordTacite
	dec := fhir.Decision{AccordTacite: medconseil.NewDate(2026, 11, 17)}
	p, _ := fhir.PatientOf(d, recue)
	arret := &medconseil.Dossier{ID: 9, Type: medconseil.TypeArretTravail, Etat: medconseil.EtatAInstruire, Version: 1, Departement: "67", RecueLe: recue, Prescripteur: "10001234567",
		Arret: &medconseil.ArretTravail{Nature: medconseil.NatureProlongation, InitialID: 8, Debut: medconseil.NewDate(2026, 11, 2), Fin: medconseil.NewDate(2026, 11, 20), CIM10: "M545", Libelle: "lombalgie", Motif: "port de charges"}}
	arretCaisse := *arret
	arretCaisse.Arret = &medconseil.ArretTravail{Nature: medconseil.NatureProlongation, Debut: arret.Arret.Debut, Fin: arret.Arret.Fin}
	atmp := &medconseil.Dossier{ID: 10, Type: medconseil.TypeATMP, RecueLe: recue, Demande: &medconseil.Demande{Type: medconseil.TypeATMP, Valeurs: map[string]medconseil.Valeur{}}}
	qr := func(d *medconseil.Dossier) fhir.Resource {
		r, ok := fhir.QuestionnaireResponseOf(d, recue)
		if !ok {
			t.Fatalf("no QuestionnaireResponse for %s", d.Type)
		}
		return r
	}
	resources := map[string]fhir.Resource{
		"Claim":                fhir.ClaimOf(d, recue),
		"Claim (caisse)":       fhir.ClaimOf(&caisse, recue),
		"ClaimResponse queued": fhir.ClaimResponseOf(d, recue, dec),
		"ClaimResponse accord": fhir.ClaimResponseOf(&decided, recue, fhir.Decision{}),
		"ClaimResponse tacite": fhir.ClaimResponseOf(&tacite, recue, dec),
		"Task":                 fhir.TaskOf(d, recue),
		"Patient":              p,
		"Practitioner":         fhir.PractitionerOf("10001234567"),
		"Organization":         fhir.OrganizationOf(medconseil.Organisme{Code: "ELSM67", Type: medconseil.TypeEchelon, Nom: "Échelon local du Bas-Rhin", Parent: "DRSM44", Commune: "67482", Adresse: "Strasbourg"}),
		"CapabilityStatement":  fhir.Capability("medconseil test", recue),
		"OperationOutcome":     fhir.Outcome([]fhir.Issue{{Code: medconseil.EINVALID, Message: "NIR invalide", Expression: "Claim.contained[0].identifier[0].value"}}),
		"DocumentReference (list)": fhir.DocumentReferenceOf(fhir.Lettre{ID: 3, DossierID: 7, Reference: "SM-67/2026/000003", Modele: "accord_transport",
			Destinataire: "assure", Objet: "Votre demande de transport", CreeLe: recue, Taille: 2048}, "http://localhost/fhir"),
		"DocumentReference (read)": fhir.DocumentReferenceOf(fhir.Lettre{ID: 3, DossierID: 7, Reference: "SM-67/2026/000003", Modele: "accord_transport",
			Destinataire: "assure", Objet: "Votre demande de transport", CreeLe: recue, PDF: []byte("%PDF-1.4")}, "http://localhost/fhir"),
		"Binary":                         fhir.BinaryOf(3, []byte("%PDF-1.4")),
		"QuestionnaireResponse (arrêt)":  qr(arret),
		"QuestionnaireResponse (caisse)": qr(&arretCaisse),
		"QuestionnaireResponse (AT/MP)":  qr(atmp),
		"Bundle":                         fhir.Bundle("http://localhost/fhir", "Task", nil, []fhir.Resource{fhir.TaskOf(d, recue)}, 30, 2, 10),
	}
	for name, r := range resources {
		if err := fhirtest.ValidateValue(r); err != nil {
			b, _ := json.MarshalIndent(r, "", " ")
			t.Errorf("%s is not valid FHIR R4: %v\n%s", name, err, b)
		}
	}
	// The caisse's Claim carries no clinical element.
	b, _ := json.Marshal(resources["Claim (caisse)"])
	for _, clinical := range []string{"C50.9", "recours", "diagnosis", "supportingInfo"} {
		if strings.Contains(string(b), clinical) {
			t.Errorf("Claim without the clinical class shows %q: %s", clinical, b)
		}
	}
	b, _ = json.Marshal(resources["QuestionnaireResponse (caisse)"])
	if strings.Contains(string(b), "M54.5") || strings.Contains(string(b), "lombalgie") || !strings.Contains(string(b), "2026-11-20") {
		t.Errorf("arrêt without the clinical class: %s", b)
	}
	// The tacit approval date and the preAuthRef.
	if got := resources["ClaimResponse queued"]["extension"]; mustJSON(got) != `[{"url":"`+fhir.ExtAccordTacite+`","valueDate":"2026-11-17"}]` {
		t.Errorf("queued ClaimResponse extension = %s", mustJSON(got))
	}
	if resources["ClaimResponse queued"]["outcome"] != "queued" || resources["ClaimResponse queued"]["preAuthRef"] != nil {
		t.Errorf("queued ClaimResponse: %s", mustJSON(resources["ClaimResponse queued"]))
	}
	if resources["ClaimResponse tacite"]["preAuthRef"] != "MC-7" || resources["ClaimResponse accord"]["outcome"] != "complete" {
		t.Errorf("decided ClaimResponses: %s / %s", mustJSON(resources["ClaimResponse tacite"]), mustJSON(resources["ClaimResponse accord"]))
	}
}

// A deliberately invalid resource is refused by the same validator.
func TestValidatorCatchesMappingMistake(t *testing.T) {
	c := fhir.ClaimOf(&medconseil.Dossier{ID: 1, Type: medconseil.TypeKine, RecueLe: time.Now()}, time.Now())
	c["use"] = "pre-authorization" // not in the R4 value set
	if err := fhirtest.ValidateValue(c); err == nil {
		t.Fatal("a Claim with use = pre-authorization passed the R4 schema")
	}
	delete(c, "use")
	c["status"] = "active"
	c["patient"] = map[string]any{"ref": "Patient/1"} // Reference has no element "ref"
	if err := fhirtest.ValidateValue(c); err == nil {
		t.Fatal("a Claim with a misspelt Reference passed the R4 schema")
	}
}
