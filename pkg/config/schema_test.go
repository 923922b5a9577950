package config

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/schema"
)

// TestSchemaCoversDocuSign checks the schema against DocuSign's own OpenAPI
// subset (testdata/reference): every writable connectCustomConfiguration
// field is in the schema, read-only ones are not, and the field table agrees
// with the schema on names and on which fields are booleans.
func TestSchemaCoversDocuSign(t *testing.T) {
	data, err := os.ReadFile("../../testdata/reference/docusign-connect-openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var oas struct {
		Definitions map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(data, &oas); err != nil {
		t.Fatal(err)
	}
	var writable []string
	for name := range oas.Definitions["connectCustomConfiguration"].Properties {
		if _, ro := ReadOnlyFields[name]; !ro {
			writable = append(writable, name)
		}
	}
	sort.Strings(writable)

	var s struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Type string `json:"type"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.File, &s); err != nil {
		t.Fatal(err)
	}
	inDefaults := keys(s.Defs["connectFields"].Properties)
	if diff := cmp.Diff(without(writable, "name"), inDefaults); diff != "" {
		t.Errorf("defaults properties vs DocuSign's writable fields without name (-docusign +schema):\n%s", diff)
	}
	ours := []string{"accounts", "connectId", "previously", "state"}
	inConf := keys(s.Defs["configuration"].Properties)
	if diff := cmp.Diff(writable, without(inConf, ours...)); diff != "" {
		t.Errorf("configuration properties vs DocuSign's writable fields (-docusign +schema):\n%s", diff)
	}
	var table []string
	for _, f := range Fields {
		table = append(table, f.Name)
		schemaBool := s.Defs["connectFields"].Properties[f.Name].Type == "boolean"
		if schemaBool != (f.Kind == KindBool) {
			t.Errorf("%s: schema boolean=%v, field table KindBool=%v", f.Name, schemaBool, f.Kind == KindBool)
		}
	}
	sort.Strings(table)
	if diff := cmp.Diff(without(writable, "name"), table); diff != "" {
		t.Errorf("field table vs DocuSign's writable fields (-docusign +table):\n%s", diff)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return slices.Contains(drop, s) })
}
