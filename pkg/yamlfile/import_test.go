package yamlfile_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

// importLive is one account as DocuSign lists it: twins of one name, a
// listener with a password, what connectsync never manages, and a value
// this version's file format cannot express.
const importLive = `[
  {"connectId": "11", "name": "orders", "configurationType": "custom", "urlToPublishTo": "https://h.example.com/a", "allowEnvelopePublish": "true",
   "allUsers": "true", "deliveryMode": "SIM", "eventData": {"version": "restv2.1"}, "events": ["envelope-sent"], "enableLog": "false"},
  {"connectId": "12", "name": "orders", "configurationType": "custom", "urlToPublishTo": "https://h.example.com/b", "allowEnvelopePublish": "true",
   "allUsers": "true", "deliveryMode": "SIM", "eventData": {"version": "restv2.1"}, "events": ["envelope-completed"], "userName": "listener"},
  {"connectId": "13", "name": "signers", "configurationType": "customrecipient", "urlToPublishTo": "https://h.example.com/s", "allowEnvelopePublish": "false",
   "allUsers": "true", "deliveryMode": "", "recipientEvents": ["sent"], "eventData": {"version": ""}, "userName": "listener"},
  {"connectId": "14", "name": "DocuSign for Salesforce", "configurationType": "salesforce", "urlToPublishTo": "https://login.salesforce.com/x", "allUsers": "true"},
  {"connectId": "15", "name": "Integrator webhook", "configurationType": "custom", "urlToPublishTo": "https://i.example.net/x", "allUsers": "true", "integratorManaged": "true"},
  {"connectId": "16", "name": "from the future", "configurationType": "custom", "urlToPublishTo": "https://h.example.com/f", "allUsers": "true",
   "deliveryMode": "SIM", "eventData": {"version": "restv2.1"}, "events": ["envelope-teleported"]}
]`

const oneAccount = "version: 1\naccounts:\n  - alias: acme\n    accountId: e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b\n"

var acme = config.Account{Alias: "acme", AccountID: "e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b"}

func liveAcme(t *testing.T) []config.Connect {
	t.Helper()
	var wire []docusign.Configuration
	if err := json.Unmarshal([]byte(importLive), &wire); err != nil {
		t.Fatal(err)
	}
	var out []config.Connect
	for _, w := range wire {
		out = append(out, config.FromWire("acme", w))
	}
	return out
}

func loadYAML(t *testing.T, srcs ...config.Source) *config.Desired {
	t.Helper()
	d, ds := config.LoadSources(srcs, config.LoadOptions{LookupEnv: func(string) (string, bool) { return "x", true }})
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	return d
}

// importInto imports into f.yaml (and other files before it) and checks
// import's promise: the files load and plan no change for the entry.
func importInto(t *testing.T, file string, opts yamlfile.ImportOptions, others ...config.Source) yamlfile.Imported {
	t.Helper()
	target := config.Source{Name: "f.yaml", Data: []byte(file)}
	srcs := append(others, target)
	live := liveAcme(t)
	opts.Account = acme
	out, err := yamlfile.Import(target, loadYAML(t, srcs...), live, opts)
	if err != nil {
		t.Fatal(err)
	}
	srcs[len(srcs)-1].Data = out.YAML
	after := loadYAML(t, srcs...)
	p := plan.Compute([]plan.AccountInput{{Account: acme, Desired: after.ForAccount("acme"), Live: live}}, plan.Options{})
	for _, ch := range p.Accounts[0].Changes {
		if ch.ConnectID == out.Connect.ConnectID && ch.Action != plan.NoOp {
			t.Errorf("plan after import: %s %+v\n%s", ch.Action, ch.Fields, out.YAML)
		}
	}
	if errs := p.Accounts[0].Errors; len(errs) > 0 {
		t.Errorf("plan errors after import: %q", errs)
	}
	return out
}

func TestImportRefuses(t *testing.T) {
	t.Parallel()
	declared := oneAccount + "defaults:\n  urlToPublishTo: https://h.example.com/x\n" +
		"configurations:\n  - name: signers\n    allUsers: true\n  - name: renamed\n    previously: [old]\n    allUsers: true\n" +
		"  - name: orders\n    connectId: \"11\"\n    allUsers: true\n"
	for name, tc := range map[string]struct {
		file      string
		name, id  string
		wantError string
	}{
		"unknown name":      {oneAccount, "order", "", `account acme has no configuration named "order"; did you mean "orders"?`},
		"unknown id":        {oneAccount, "", "99", `account acme has no configuration with connectId 99 (it has: "orders" 11, "orders" 12, `},
		"name and id apart": {oneAccount, "signers", "11", `connectId 11 of account acme is named "orders", not "signers"`},
		"twins by name":     {oneAccount, "orders", "", `account acme has 2 configurations named "orders" (connectIds 11, 12); choose one with --connect-id`},
		"salesforce":        {oneAccount, "DocuSign for Salesforce", "", `cannot import "DocuSign for Salesforce" (connectId 14): salesforce configuration: connectsync manages only custom and customrecipient`},
		"integrator":        {oneAccount, "Integrator webhook", "", `cannot import "Integrator webhook" (connectId 15): integrator-managed: an integration owns it`},
		"inexpressible":     {oneAccount, "from the future", "", `cannot import "from the future" (connectId 16): the file format cannot express it as it is: unknown event "envelope-teleported"`},
		"declared by name":  {declared, "signers", "", `f.yaml:8:11: the files already declare "signers" for account acme; nothing to import`},
		"declared by pin":   {declared, "", "11", `f.yaml:13:11: the files already declare connectId 11 (as "orders") for account acme`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			target := config.Source{Name: "f.yaml", Data: []byte(tc.file)}
			out, err := yamlfile.Import(target, loadYAML(t, target), liveAcme(t), yamlfile.ImportOptions{Account: acme, Name: tc.name, ConnectID: tc.id})
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantError) {
				t.Errorf("Import = %v\nwant the error %q", err, tc.wantError)
			}
			if out.YAML != nil {
				t.Errorf("Import returned a file with its error")
			}
		})
	}
	// previously: the live "old" is already managed by its new name.
	live := append(liveAcme(t), config.Connect{Account: "acme", Name: "old", ConnectID: "17", Fields: map[string]any{
		"configurationType": "custom", "urlToPublishTo": "https://h.example.com/o", "allUsers": true}})
	target := config.Source{Name: "f.yaml", Data: []byte(declared)}
	_, err := yamlfile.Import(target, loadYAML(t, target), live, yamlfile.ImportOptions{Account: acme, Name: "old"})
	if want := `f.yaml:10:11: "renamed" renames "old" (previously) for account acme, so the files already manage it`; err == nil || err.Error() != want {
		t.Errorf("Import = %v\nwant %q", err, want)
	}
}

// TestImportRendersLikeExport: the entry is export's, fitted to the files:
// pinned among twins, the account named when the files have several,
// defaults overridden, secret variables not shared by accident.
func TestImportRendersLikeExport(t *testing.T) {
	t.Parallel()
	t.Run("twin, pinned, with its password", func(t *testing.T) {
		t.Parallel()
		out := importInto(t, oneAccount, yamlfile.ImportOptions{ConnectID: "12"})
		want := oneAccount + `
configurations:
  - name: orders
    connectId: "12" # pinned: the account has several configurations of this name
    urlToPublishTo: https://h.example.com/b
    allowEnvelopePublish: true
    allUsers: true
    deliveryMode: SIM
    eventData: {version: restv2.1}
    events: [envelope-completed]
    userName: listener
    # secret: DocuSign never returns it; every update sends it, and one without it would clear it.
    # Set CONNECT_PASSWORD_ORDERS before apply.
    password: ${env.CONNECT_PASSWORD_ORDERS}
`
		if string(out.YAML) != want {
			t.Errorf("got:\n%s\nwant:\n%s", out.YAML, want)
		}
		if out.Line != 7 || len(out.EnvVars) != 1 || out.EnvVars[0] != "CONNECT_PASSWORD_ORDERS" || out.Placeholders["password"] != "CONNECT_PASSWORD_ORDERS" {
			t.Errorf("Line %d, EnvVars %q, Placeholders %v", out.Line, out.EnvVars, out.Placeholders)
		}
	})
	t.Run("defaults are overridden, several accounts named", func(t *testing.T) {
		t.Parallel()
		accounts := config.Source{Name: "accounts.yaml", Data: []byte(oneAccount + "  - alias: other\n    accountId: b2c3d4e5-f6a7-4b80-9c1d-2e3f4a5b6c7d\n" +
			"defaults:\n  enableLog: true\n  deliveryMode: SIM\n  configurationType: custom\n  eventData: {version: restv2.1, includeData: [recipients]}\n  requiresAcknowledgement: true\n")}
		out := importInto(t, "version: 1\n", yamlfile.ImportOptions{Name: "signers"}, accounts)
		for _, want := range []string{
			"    accounts: [acme]\n", "    enableLog: false\n", "    deliveryMode: \"\" # DocuSign's default: aggregate\n", "    configurationType: customrecipient\n",
			"    eventData: {version: \"\", includeData: []}\n", "    requiresAcknowledgement: true\n",
			"    password: ${env.CONNECT_PASSWORD_ACME_SIGNERS}\n",
		} {
			if !strings.Contains(string(out.YAML), want) {
				t.Errorf("lacks %q:\n%s", want, out.YAML)
			}
		}
	})
	t.Run("a variable the files use is not shared", func(t *testing.T) {
		t.Parallel()
		file := oneAccount + "configurations:\n  - name: orders\n    connectId: \"11\"\n    urlToPublishTo: https://h.example.com/a\n    allUsers: true\n    userName: x\n    password: ${env.CONNECT_PASSWORD_ORDERS}\n"
		out := importInto(t, file, yamlfile.ImportOptions{ConnectID: "12"})
		if !strings.Contains(string(out.YAML), "password: ${env.CONNECT_PASSWORD_ORDERS_12}\n") || !strings.Contains(string(out.YAML), `connectId: "12" # pinned`) {
			t.Errorf("got:\n%s", out.YAML)
		}
	})
}
