package fhirtest_test

import (
	"testing"

	"medconseil/internal/fhir/fhirtest"
)

// The validator rejects what R4 forbids: a test that could not fail would prove
// nothing about the resources the API produces.
func TestSchemaRejectsInvalid(t *testing.T) {
	valid := `{"resourceType":"Patient","id":"1","identifier":[{"system":"urn:oid:1.2.250.1.213.1.4.8","value":"185056748212337"}],"birthDate":"1985-05-01"}`
	if err := fhirtest.Validate([]byte(valid)); err != nil {
		t.Fatalf("valid Patient refused: %v", err)
	}
	for name, bad := range map[string]string{
		"unknown resource type":  `{"resourceType":"Dossier","id":"1"}`,
		"unknown element":        `{"resourceType":"Patient","nir":"185056748212337"}`,
		"bad date":               `{"resourceType":"Patient","birthDate":"01/05/1985"}`,
		"bad code in enum":       `{"resourceType":"Claim","status":"ouverte","use":"preauthorization"}`,
		"use not in value set":   `{"resourceType":"Claim","status":"active","use":"accord-prealable"}`,
		"identifier not a list":  `{"resourceType":"Patient","identifier":{"value":"x"}}`,
		"task status not in set": `{"resourceType":"Task","status":"en-cours","intent":"order"}`,
		"outcome without code":   `{"resourceType":"OperationOutcome","issue":[{"severity":"fatale","code":"invalid"}]}`,
	} {
		if err := fhirtest.Validate([]byte(bad)); err == nil {
			t.Errorf("%s: accepted %s", name, bad)
		}
	}
}
