// Package schematest compiles connectsync's JSON Schemas with a JSON Schema
// validator, for the tests that check a JSON output (or the file format)
// against its schema. connectsync itself does not link the validator: its
// package compiles every draft's meta-schema when a program starts, which
// every command would pay for (pkg/config interprets the file schema's
// keywords itself, held to the validator by its tests).
package schematest

import (
	"bytes"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Compile compiles one of the schemas of package schema (draft 2020-12);
// url is its $id and doc its bytes, e.g. Compile(schema.PlanURL, schema.Plan).
func Compile(url string, doc []byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(url, bytes.NewReader(doc)); err != nil {
		return nil, err
	}
	return c.Compile(url)
}
