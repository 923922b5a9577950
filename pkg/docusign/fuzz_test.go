package docusign

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzConfigurationCodec feeds arbitrary JSON to the wire codec: decoding
// never panics, and whatever decodes re-encodes to a fixed point in
// DocuSign's own form (booleans as "true"/"false" strings), unknown fields
// included.
func FuzzConfigurationCodec(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"name":"a","allUsers":true,"enableLog":"False","eventData":{"version":"restv2.1"},"future":{"x":[1,2]}}`))
	f.Add([]byte(`{"allowEnvelopePublish":"","userIds":[],"totalRecords":"3"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Configuration
		if json.Unmarshal(data, &c) != nil {
			return
		}
		once, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var c2 Configuration
		if err := json.Unmarshal(once, &c2); err != nil {
			t.Fatalf("decode own output %s: %v", once, err)
		}
		twice, err := json.Marshal(c2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("not a fixed point:\n%s\n%s", once, twice)
		}
		var generic map[string]any
		if err := json.Unmarshal(once, &generic); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"allUsers", "enableLog", "allowEnvelopePublish", "includeHMAC", "requiresAcknowledgement"} {
			if v, ok := generic[k]; ok && v != "true" && v != "false" {
				t.Fatalf("%s encoded as %#v, not DocuSign's string boolean", k, v)
			}
		}
	})
}
