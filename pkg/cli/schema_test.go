package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/schema"
	"github.com/connectsync/connectsync/schema/schematest"
)

// TestJSONOutputsMatchTheirSchemas runs the commands as a script would and
// checks each JSON output against its published schema: validate (valid
// and invalid files), users, plan, audit and apply (changes, no changes, a
// refused account).
func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	dir := t.TempDir()
	_, vars := startEmulator(t, dir)
	vars["LISTENER_PASSWORD"] = "s3cret"
	good := writeHooks(t, dir, "orders", "signers")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\naccounts:\n  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }\nconfigurations:\n  - { name: x, urlToPublishTo: 7, events: [envelope-snt], nope: 1 }\n"), 0o644)
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, []byte("version: 1\naccounts:\n  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }\nconfigurations: []\n"), 0o644)
	run := func(args ...string) []byte {
		var out, errb bytes.Buffer
		env := applyEnv(vars, strings.NewReader(""), &out, false)
		env.Stderr = &errb
		Run(context.Background(), append([]string{"connectsync"}, args...), env)
		if out.Len() == 0 {
			t.Fatalf("%v printed nothing on stdout; stderr:\n%s", args, errb.String())
		}
		return out.Bytes()
	}
	cases := []struct {
		url  string
		doc  []byte
		args []string
	}{
		{schema.ValidateURL, schema.Validate, []string{"validate", "--format", "json", good}},
		{schema.ValidateURL, schema.Validate, []string{"validate", "--format", "json", bad}},
		{schema.PlanURL, schema.Plan, []string{"plan", "--format", "json", good}},
		{schema.ApplyURL, schema.Apply, []string{"apply", "--format", "json", "--auto-approve", good}},
		{schema.ApplyURL, schema.Apply, []string{"apply", "--format", "json", "--auto-approve", good}},
		{schema.ApplyURL, schema.Apply, []string{"apply", "--format", "json", "--auto-approve", "--prune", empty}},
		{schema.UsersURL, schema.Users, []string{"users", "--format", "json", "--name", "orders", good}},
		{schema.AuditURL, schema.Audit, []string{"audit", "--format", "json", good}},
	}
	for _, tc := range cases {
		s, err := schematest.Compile(tc.url, tc.doc)
		if err != nil {
			t.Fatal(err)
		}
		out := run(tc.args...)
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", tc.args, err, out)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%v does not match %s: %#v\n%s", tc.args, tc.url, err, out)
		}
	}
}
