package yamlfile_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// exportLive is what two accounts answer, shaped like DocuSign (string
// booleans, every default filled in): the emulator's sample foreign
// configurations, a Recipient Connect one with a password, a JSON SIM one
// with an OAuth client, and the awkward cases.
var exportLive = map[string]string{
	"acme": `[
  {"connectId": "1001", "name": "DocuSign for Salesforce", "configurationType": "salesforce", "urlToPublishTo": "https://login.salesforce.com/services/Soap/u/59.0",
   "allowEnvelopePublish": "true", "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["Sent", "Completed"], "recipientEvents": [], "allowSalesforcePublish": "true"},
  {"connectId": "1002", "name": "Integrator webhook", "configurationType": "custom", "urlToPublishTo": "https://hooks.integrator.example.net/docusign",
   "allowEnvelopePublish": "true", "allUsers": "true", "deliveryMode": "SIM", "events": ["envelope-sent"], "eventData": {"version": "restv2.1", "includeData": []}, "integratorManaged": "true"},
  {"connectId": "1003", "name": "Legacy order webhook", "configurationType": "custom", "urlToPublishTo": "http://legacy.example.com/docusign/connect",
   "allowEnvelopePublish": "true", "allUsers": "true", "allUsersExcept": "false", "deliveryMode": "Aggregate", "envelopeEvents": ["Sent", "Completed"], "recipientEvents": [],
   "eventData": {"version": "", "includeData": []}, "enableLog": "false", "requiresAcknowledgement": "true", "includeHMAC": "false", "includeDocuments": "true",
   "soapNamespace": "", "pausePublish": "false", "integratorManaged": "false"},
  {"connectId": "1004", "name": "orders", "configurationType": "custom", "urlToPublishTo": "https://hooks.example.com/orders?x=${y}",
   "allowEnvelopePublish": "false", "allUsers": "true", "deliveryMode": "SIM", "events": ["envelope-completed", "envelope-sent"], "envelopeEvents": [], "recipientEvents": [],
   "eventData": {"version": "restv2.1", "includeData": ["recipients"]}, "enableLog": "true", "includeHMAC": "true", "requiresAcknowledgement": "true", "disabledBy": "connect-failures"},
  {"connectId": "1005", "name": "orders", "configurationType": "custom", "urlToPublishTo": "https://hooks.example.com/orders2",
   "allowEnvelopePublish": "true", "allUsers": "true", "deliveryMode": "SIM", "events": ["envelope-completed"], "eventData": {"version": "restv2.1"}},
  {"connectId": "1006", "name": "no model", "configurationType": "custom", "urlToPublishTo": "https://hooks.example.com/x",
   "allowEnvelopePublish": "true", "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["Completed"]},
  {"connectId": "1007", "name": "from the future", "configurationType": "custom", "urlToPublishTo": "https://hooks.example.com/f",
   "allowEnvelopePublish": "true", "allUsers": "true", "deliveryMode": "SIM", "eventData": {"version": "restv2.1"}, "events": ["envelope-teleported"]}
]`,
	"globex": `[
  {"connectId": "2001", "name": "Globex signer updates", "configurationType": "customrecipient", "urlToPublishTo": "https://hooks.globex.example.com/docusign/recipients",
   "allowEnvelopePublish": "true", "allUsers": "false", "userIds": ["u1", "u2"], "deliveryMode": "Aggregate", "recipientEvents": ["Sent", "Completed"], "envelopeEvents": [],
   "enableLog": "true", "userName": "globex-listener", "requiresAcknowledgement": "true"},
  {"connectId": "2002", "name": "Globex JSON SIM", "configurationType": "custom", "urlToPublishTo": "https://hooks.globex.example.com/docusign/sim",
   "allowEnvelopePublish": "true", "allUsers": "true", "deliveryMode": "SIM", "events": ["envelope-sent", "envelope-completed"],
   "eventData": {"version": "restv2.1", "includeData": ["recipients"]}, "includeHMAC": "true", "enableLog": "true", "includeOAuth": "true",
   "oAuthConfiguration": {"authorizationServerUrl": "https://auth.globex.example.com/oauth/token", "clientId": "globex-connect", "scope": "webhooks", "customParameters": {"audience": "hooks"}}}
]`,
}

var exportAccounts = []config.Account{
	{Alias: "acme", AccountID: "e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b", Environment: "demo"},
	{Alias: "globex", AccountID: "b2c3d4e5-f6a7-4b80-9c1d-2e3f4a5b6c7d", Environment: "production", BaseURI: "https://na3.docusign.net"},
}

// exportFixture exports the named accounts of exportLive (all without names).
func exportFixture(t *testing.T, aliases ...string) ([]config.Account, map[string][]config.Connect, yamlfile.Exported) {
	t.Helper()
	var accounts []config.Account
	live := map[string][]config.Connect{}
	for _, a := range exportAccounts {
		if len(aliases) > 0 && !strings.Contains(strings.Join(aliases, ","), a.Alias) {
			continue
		}
		accounts = append(accounts, a)
		var wire []docusign.Configuration
		if err := json.Unmarshal([]byte(exportLive[a.Alias]), &wire); err != nil {
			t.Fatal(err)
		}
		for _, w := range wire {
			live[a.Alias] = append(live[a.Alias], config.FromWire(a.Alias, w))
		}
	}
	var all []config.Connect
	for _, l := range live {
		all = append(all, l...)
	}
	out, err := yamlfile.Export(accounts, all, yamlfile.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return accounts, live, out
}

// TestExportPlansEmpty is export's promise: load the exported file and plan
// it against the accounts it came from, and nothing changes.
func TestExportPlansEmpty(t *testing.T) {
	t.Parallel()
	for name, aliases := range map[string][]string{"one account": {"globex"}, "two accounts": nil, "awkward account": {"acme"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			accounts, live, out := exportFixture(t, aliases...)
			path := filepath.Join(t.TempDir(), "exported.yaml")
			if err := os.WriteFile(path, out.YAML, 0o644); err != nil {
				t.Fatal(err)
			}
			env := func(name string) (string, bool) { return "from-env", strings.HasPrefix(name, "CONNECT_") }
			desired, ds := config.Load([]string{path}, config.LoadOptions{LookupEnv: env})
			if ds.HasErrors() {
				t.Fatalf("the exported file does not load:\n%v\n%s", ds, out.YAML)
			}
			var inputs []plan.AccountInput
			for _, a := range desired.Accounts {
				inputs = append(inputs, plan.AccountInput{Account: a, Desired: desired.ForAccount(a.Alias), Live: live[a.Alias]})
			}
			p := plan.Compute(inputs, plan.Options{})
			if s := p.Summary(); p.HasChanges() || p.HasErrors() || s.Unmanaged > 0 || s.Ambiguous > 0 {
				t.Errorf("plan of the exported file: %+v\n%s", s, out.YAML)
			}
			// With prune, too: the export declares everything prune could
			// delete; what it could not express is held back, never deleted.
			pruned := plan.Compute(inputs, plan.Options{Prune: true})
			if s := pruned.Summary(); s.Delete > 0 {
				t.Errorf("plan --prune of the exported file deletes: %+v\n%s", s, out.YAML)
			}
			for _, a := range pruned.Accounts {
				if len(a.Errors) != len(a.Unexpressible) {
					t.Errorf("plan --prune errors other than held-back configurations: %q", a.Errors)
				}
			}
			if diff := cmp.Diff(accounts, desired.Accounts, cmpAccount); diff != "" {
				t.Errorf("accounts (-exported +loaded):\n%s", diff)
			}
		})
	}
}

var cmpAccount = cmp.Comparer(func(a, b config.Account) bool {
	return a.Alias == b.Alias && a.AccountID == b.AccountID && a.Environment == b.Environment && a.BaseURI == b.BaseURI
})

// TestExportGolden pins the file itself: defaults dropped, secrets as
// placeholders, what is left out named in comments.
func TestExportGolden(t *testing.T) {
	t.Parallel()
	for name, aliases := range map[string][]string{"two-accounts": nil, "one-account": {"globex"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, out := exportFixture(t, aliases...)
			golden := filepath.Join("testdata", "export", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, out.YAML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(out.YAML)); diff != "" {
				t.Errorf("%s (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
		})
	}
}

func TestExportReport(t *testing.T) {
	t.Parallel()
	_, _, out := exportFixture(t)
	if want := []string{"CONNECT_OAUTH_CLIENT_SECRET_GLOBEX_GLOBEX_JSON_SIM", "CONNECT_PASSWORD_GLOBEX_GLOBEX_SIGNER_UPDATES"}; !cmp.Equal(out.EnvVars, want) {
		t.Errorf("EnvVars = %q, want %q", out.EnvVars, want)
	}
	if out.Configurations != 6 {
		t.Errorf("Configurations = %d, want 6", out.Configurations)
	}
	wantLeft := []string{
		`acme: "DocuSign for Salesforce" (connectId 1001): salesforce configuration`,
		`acme: "Integrator webhook" (connectId 1002): integrator-managed`,
		`acme: "from the future" (connectId 1007): the file format cannot express it as it is: unknown event "envelope-teleported"`,
	}
	if len(out.Left) != len(wantLeft) {
		t.Fatalf("Left = %q", out.Left)
	}
	for i, w := range wantLeft {
		if !strings.HasPrefix(out.Left[i], w) {
			t.Errorf("Left[%d] = %q, want it to start with %q", i, out.Left[i], w)
		}
	}
	for _, secret := range []string{"globex-listener-password", "from-env"} {
		if strings.Contains(string(out.YAML), secret) {
			t.Errorf("the export holds %q", secret)
		}
	}
}

// TestExportKeepsURLCredentialsOut: a listener URL with user:password@ in
// it becomes a placeholder, like any other secret.
func TestExportKeepsURLCredentialsOut(t *testing.T) {
	t.Parallel()
	acct := config.Account{Alias: "demo", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", Environment: "demo"}
	live := config.Connect{Account: "demo", Name: "orders", ConnectID: "1", Fields: map[string]any{
		"configurationType": "custom", "urlToPublishTo": "https://bob:pa55word@hooks.example.com/x",
		"allUsers": true, "deliveryMode": "SIM", "allowEnvelopePublish": true,
		"eventData": map[string]any{"version": "restv2.1"}, "events": []string{"envelope-sent"},
	}}
	out, err := yamlfile.Export([]config.Account{acct}, []config.Connect{live}, yamlfile.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out.YAML), "pa55word") || !strings.Contains(string(out.YAML), "urlToPublishTo: ${env.CONNECT_URL_ORDERS}") {
		t.Errorf("export:\n%s", out.YAML)
	}
	if len(out.EnvVars) != 1 || out.EnvVars[0] != "CONNECT_URL_ORDERS" {
		t.Errorf("env vars: %v", out.EnvVars)
	}
}

// TestExportFix: export writes what DocuSign stores; --fix writes the
// documented spelling with a comment on each corrected value, and counts them.
func TestExportFix(t *testing.T) {
	t.Parallel()
	acct := config.Account{Alias: "a", AccountID: "e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b"}
	l := liveConnect(t, `{"connectId": "1", "name": "x", "configurationType": "custom", "urlToPublishTo": "https://h.example.com/x", "allowEnvelopePublish": "true",
		"allUsers": "true", "deliveryMode": "aggregate", "eventData": {"version": "RESTv2.1"}, "envelopeEvents": ["sent", "sent", "Completed"], "recipientEvents": ["completed"]}`)
	l.Account = acct.Alias
	plain, err := yamlfile.Export([]config.Account{acct}, []config.Connect{l}, yamlfile.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"envelopeEvents: [sent, Completed]\n", "recipientEvents: [completed]\n", "eventData: {version: RESTv2.1}\n"} {
		if !strings.Contains(string(plain.YAML), want) {
			t.Errorf("export without --fix lacks %q:\n%s", want, plain.YAML)
		}
	}
	fixed, err := yamlfile.Export([]config.Account{acct}, []config.Connect{l}, yamlfile.ExportOptions{Fix: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"envelopeEvents: [Sent, Completed] # corrected from [sent, Completed]: DocuSign's docs ask for sentence case\n",
		"recipientEvents: [Completed] # corrected from [completed]",
		"version: restv2.1 # corrected from \"RESTv2.1\": DocuSign writes it in lower case\n",
	} {
		if !strings.Contains(string(fixed.YAML), want) {
			t.Errorf("export --fix lacks %q:\n%s", want, fixed.YAML)
		}
	}
	if fixed.Corrected != 3 || plain.Corrected != 0 {
		t.Errorf("Corrected = %d with --fix, %d without; want 3 and 0", fixed.Corrected, plain.Corrected)
	}
}

// liveConnect decodes a live configuration as DocuSign answers it.
func liveConnect(t *testing.T, body string) config.Connect {
	t.Helper()
	var w docusign.Configuration
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	return config.FromWire("acme", w)
}
