package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/schema"
	"github.com/connectsync/connectsync/schema/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// fixtures are plans to render, one golden file per fixture per format:
// testdata/render/<name>.{txt,color.txt,json,md}.
func fixtures() map[string]*plan.Plan {
	pos := &config.Pos{File: "hooks.yaml", Line: 12, Col: 11}
	secretDesired := &config.Connect{Secrets: map[string]string{"password": "${env.LISTENER_PASSWORD}"}}
	return map[string]*plan.Plan{
		"mixed": {Accounts: []plan.Account{{
			Alias: "acme-prod", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", Fingerprint: "sha256:0f00",
			Changes: []plan.Change{
				{Action: plan.Update, Name: "orders", Account: "acme-prod", ConnectID: "22210641", Pos: pos, Desired: secretDesired, Fields: []plan.FieldChange{
					{Field: "urlToPublishTo", Before: "https://hooks.acme.com/docusign/orders/v1/listener", After: "https://hooks.acme.com/docusign/orders/v2/listener"},
					{Field: "events", Before: []string{"envelope-sent", "envelope-completed"}, After: []string{"envelope-completed", "envelope-voided"}},
					{Field: "enableLog", Before: false, After: true},
					{Field: "eventData.version", Before: "", After: "restv2.1"},
					{Field: "password", After: "s3cret-value", Sensitive: true, WriteOnly: true},
				}},
				{Action: plan.Update, Name: "invoices", Account: "acme-prod", ConnectID: "22210642", RenamedFrom: "billing", Pos: pos, Fields: []plan.FieldChange{
					{Field: "name", Before: "billing", After: "invoices"},
				}},
				{Action: plan.Create, Name: "signers", Account: "acme-prod", Pos: pos, Desired: secretDesired, Fields: []plan.FieldChange{
					{Field: "urlToPublishTo", After: "https://hooks.acme.com/signers"},
					{Field: "allUsers", After: true},
					{Field: "deliveryMode", After: "SIM"},
					{Field: "eventData.version", After: "restv2.1"},
					{Field: "events", After: []string{"recipient-completed"}},
					{Field: "password", After: "s3cret-value", Sensitive: true, WriteOnly: true},
				}},
				{Action: plan.Delete, Name: "legacy", Account: "acme-prod", ConnectID: "22210600", Reason: "state: absent", Pos: pos},
				{Action: plan.Delete, Name: "stray", Account: "acme-prod", ConnectID: "22210601", Reason: "not in the files (prune)"},
				{Action: plan.NoOp, Name: "same", Account: "acme-prod", ConnectID: "22210643", Pos: pos},
			},
			Unmanaged: []plan.Existing{{Name: "someone's hook", ConnectID: "22210650", Type: "custom", Reason: "not in the files"}},
			Ignored:   []plan.Existing{{Name: "DocuSign for Salesforce", ConnectID: "22210651", Type: "salesforce", Reason: "salesforce configuration: connectsync manages only custom and customrecipient"}},
		}, {
			Alias: "acme-eu", AccountID: "2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4", Fingerprint: "sha256:0f01",
			Changes: []plan.Change{{Action: plan.NoOp, Name: "orders", Account: "acme-eu", ConnectID: "1"}},
		}, {
			Alias: "acme-staging", AccountID: "6d2f8a4c-3e1b-4a7d-9c5e-0f1a2b3c4d5e", Fingerprint: "sha256:0f02",
			Changes: []plan.Change{
				{Action: plan.Delete, Name: "a", Account: "acme-staging", ConnectID: "7", Reason: "not in the files (prune)"},
				{Action: plan.Delete, Name: "b", Account: "acme-staging", ConnectID: "8", Reason: "not in the files (prune)"},
			},
			MassDelete: "deletes all 2 managed configurations of the account",
		}, {
			Alias: "acme-dup", AccountID: "1001", Fingerprint: "sha256:0f03",
			Errors: []string{`2 live configurations are named "orders" (connectId 1, 2); pin the one the file means with connectId: …`},
		}}},
		"empty": {Accounts: []plan.Account{{Alias: "demo", AccountID: "1001", Fingerprint: "sha256:0f04",
			Changes: []plan.Change{{Action: plan.NoOp, Name: "orders", Account: "demo", ConnectID: "1"},
				{Action: plan.NoOp, Name: "signers", Account: "demo", ConnectID: "2", Desired: secretDesired,
					Fields: []plan.FieldChange{{Field: "password", After: "s3cret-value", Sensitive: true, WriteOnly: true}}}}}}},
	}
}

func TestGolden(t *testing.T) {
	for name, p := range fixtures() {
		t.Run(name, func(t *testing.T) {
			var txt, color, js, md bytes.Buffer
			PlanText(&txt, p, Options{})
			PlanText(&color, p, Options{Color: true})
			if err := PlanJSON(&js, plan.NewDocument(p, "connectsync test", []string{"hooks.yaml"}, plan.Options{Prune: true})); err != nil {
				t.Fatal(err)
			}
			if err := PlanMarkdown(&md, p); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, name+".txt", txt.Bytes())
			assertGolden(t, name+".color.txt", color.Bytes())
			assertGolden(t, name+".json", js.Bytes())
			assertGolden(t, name+".md", md.Bytes())
			for _, out := range []*bytes.Buffer{&txt, &color, &js, &md} {
				if strings.Contains(out.String(), "s3cret-value") {
					t.Errorf("a secret value was printed:\n%s", out)
				}
			}
			if strings.Contains(txt.String(), "\x1b[") {
				t.Error("plain text has colour codes")
			}
		})
	}
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "render", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/render -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./pkg/render -update rewrites it):\n%s", path, diff)
	}
}

// TestPlanJSONSchema checks the JSON plan against its published schema.
func TestPlanJSONSchema(t *testing.T) {
	s, err := schematest.Compile(schema.PlanURL, schema.Plan)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range fixtures() {
		var b bytes.Buffer
		if err := PlanJSON(&b, plan.NewDocument(p, "connectsync test", nil, plan.Options{})); err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s: the JSON plan does not match schema/plan.schema.json: %#v", name, err)
		}
	}
}

// TestMarkdownFitsInAComment renders a plan far too big for one GitHub
// comment and checks the markdown is summarised under the limit.
func TestMarkdownFitsInAComment(t *testing.T) {
	p := &plan.Plan{}
	for a := range 300 {
		acct := plan.Account{Alias: fmt.Sprintf("account-%03d", a), AccountID: fmt.Sprint(1000 + a)}
		for c := range 20 {
			acct.Changes = append(acct.Changes, plan.Change{Action: plan.Create, Name: fmt.Sprintf("hook-%02d", c), Fields: []plan.FieldChange{
				{Field: "urlToPublishTo", After: strings.Repeat("https://hooks.example.com/x", 3)},
				{Field: "events", After: []string{"envelope-sent", "envelope-completed"}},
			}})
		}
		p.Accounts = append(p.Accounts, acct)
	}
	var b bytes.Buffer
	if err := PlanMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	if b.Len() > GitHubCommentLimit {
		t.Fatalf("markdown is %d characters, over GitHub's %d", b.Len(), GitHubCommentLimit)
	}
	for _, want := range []string{PlanMarker, "Plan: 6000 to create", "summarised to fit", "more accounts"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}
