package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// header starts every test file: one account with vars.
const header = `version: 1
accounts:
  - alias: prod
    accountId: 8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f
    vars: { hooks: https://hooks.acme.com }
configurations:
`

// good is a valid JSON SIM configuration body; cases replace lines of it.
const good = `  - name: orders
    urlToPublishTo: https://hooks.acme.com/x
    allUsers: true
    deliveryMode: SIM
    eventData: { version: restv2.1 }
    events: [envelope-sent]
    allowEnvelopePublish: true
`

func testEnv(name string) (string, bool) {
	switch name {
	case "LISTENER_PASSWORD":
		return "hunter2-secret", true
	case "ACCOUNT_ID":
		return "11111111-2222-3333-4444-555555555555", true
	}
	return "", false
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// load writes body to c.yaml and returns its diagnostics as
// "line:col severity: message" strings, hints included.
func load(t *testing.T, body string) (*Desired, []string) {
	t.Helper()
	dir := t.TempDir()
	p := writeFile(t, dir, "c.yaml", body)
	d, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv})
	var got []string
	for _, x := range ds {
		got = append(got, strings.TrimPrefix(x.Pos.String(), p+":")+" "+string(x.Severity)+": "+x.Text())
	}
	return d, got
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body string
		want []string // substrings, one per diagnostic, in order
	}{
		"valid JSON SIM": {body: header + good},
		"valid JSON aggregate": {body: header + strings.NewReplacer(
			"deliveryMode: SIM", "deliveryMode: Aggregate", "events: [envelope-sent]", "envelopeEvents: [Completed]\n    recipientEvents: [AutoResponded]").Replace(good)},
		"valid XML aggregate": {body: header + strings.NewReplacer(
			"deliveryMode: SIM", "deliveryMode: aggregate", "    eventData: { version: restv2.1 }\n", "", "events: [envelope-sent]", "envelopeEvents: [Completed]").Replace(good)},
		"XML SIM is deprecated": {body: header + strings.NewReplacer(
			"    eventData: { version: restv2.1 }\n", "", "events: [envelope-sent]", "envelopeEvents: [Completed]").Replace(good),
			want: []string{"10:19 warning: the XML SIM model (deliveryMode SIM without eventData.version restv2.1) is deprecated by DocuSign; move to JSON SIM"}},
		"deliveryMode in any case": {body: header + strings.Replace(good, "SIM", "sim", 1)},
		"unknown deliveryMode": {body: header + strings.Replace(good, "SIM", "SIMM", 1),
			want: []string{`10:19 error: unknown deliveryMode "SIMM"; did you mean "SIM"?`}},
		"neither allUsers nor userIds": {body: header + strings.Replace(good, "allUsers: true", "allUsers: false", 1),
			want: []string{"9:15 error: the configuration tracks nobody's envelopes; set allUsers: true, or list userIds (or groupIds)"}},
		"userIds instead of allUsers": {body: header + strings.Replace(good, "allUsers: true", "userIds: [2f9c4e1a-7b3d-4c5e-8f6a-9b0c1d2e3f4a]", 1)},
		"groupIds instead of allUsers": {body: header + strings.Replace(good, "allUsers: true", "groupIds: [\"17\"]", 1),
			want: []string{"9:15 warning: groupIds alone: DocuSign documents userIds as required when allUsers is false"}},
		"allUsers with userIds": {body: header + strings.Replace(good, "allUsers: true", "allUsers: true\n    userIds: [u1]", 1),
			want: []string{"10:14 warning: userIds has no effect when allUsers is true; remove userIds, or set allUsersExcept: true"}},
		"allUsersExcept with userIds": {body: header + strings.Replace(good, "allUsers: true", "allUsers: true\n    allUsersExcept: true\n    userIds: [u1]", 1)},
		"JSON SIM without events": {body: header + strings.Replace(good, "    events: [envelope-sent]\n", "", 1),
			want: []string{"7:11 warning: the configuration has no trigger events: the JSON SIM model sends only the events listed, so it never fires; add events: [envelope-sent, envelope-completed]"}},
		"JSON SIM with envelopeEvents": {body: header + strings.Replace(good, "events: [envelope-sent]", "envelopeEvents: [Completed, Voided]", 1),
			want: []string{"12:21 warning: envelopeEvents is not used by the JSON SIM model (deliveryMode SIM with eventData.version restv2.1); list them in events instead: [envelope-completed, envelope-voided]"}},
		"aggregate with events": {body: header + strings.Replace(good, "deliveryMode: SIM", "deliveryMode: aggregate", 1),
			want: []string{"12:13 warning: events is only used by the JSON SIM model, and this is JSON aggregate; use envelopeEvents/recipientEvents"}},
		"aggregate without events": {body: header + strings.NewReplacer("deliveryMode: SIM", "deliveryMode: aggregate", "    events: [envelope-sent]\n", "").Replace(good),
			want: []string{"7:11 warning: the configuration has no trigger events: the JSON aggregate model needs envelopeEvents or recipientEvents, so it never fires"}},
		"missing deliveryMode": {body: header + strings.Replace(good, "    deliveryMode: SIM\n", "", 1),
			want: []string{"7:11 warning: deliveryMode is not set: a new configuration gets DocuSign's default (aggregate), and an existing one keeps its own; add deliveryMode: SIM with eventData: {version: restv2.1}"}},
		"lower-case envelopeEvents": {body: header + strings.NewReplacer("deliveryMode: SIM", "deliveryMode: aggregate", "events: [envelope-sent]", "envelopeEvents: [completed, Sent]").Replace(good),
			want: []string{`12:22 warning: event "completed" is not in DocuSign's sentence case: DocuSign stores such values, but its docs ask for sentence case and lower-case values may never fire; write "Completed"`}},
		"recipientEvents sentence case": {body: header + strings.NewReplacer("deliveryMode: SIM", "deliveryMode: aggregate", "events: [envelope-sent]", "recipientEvents: [autoresponded]").Replace(good),
			want: []string{`12:23 warning: event "autoresponded" is not in DocuSign's sentence case: DocuSign stores such values, but its docs ask for sentence case and lower-case values may never fire; write "AutoResponded"`}},
		// Issue 10: what DocuSign stores, the files can say (with a warning).
		"deliveryMode as DocuSign reports it by default":      {body: header + strings.NewReplacer("deliveryMode: SIM", `deliveryMode: ""`, "    eventData: { version: restv2.1 }\n", "", "events: [envelope-sent]", "envelopeEvents: [Completed]").Replace(good)},
		"eventData.version as DocuSign reports it by default": {body: header + strings.NewReplacer("deliveryMode: SIM", "deliveryMode: aggregate", "version: restv2.1", `version: ""`, "events: [envelope-sent]", "envelopeEvents: [Completed]").Replace(good)},
		"eventData.version in another letter case": {body: header + strings.Replace(good, "version: restv2.1", "version: RESTv2.1", 1),
			want: []string{`11:27 warning: eventData.version "RESTv2.1" is not in DocuSign's letter case; write "restv2.1"`}},
		"mixed-case envelopeEvents": {body: header + strings.NewReplacer("deliveryMode: SIM", "deliveryMode: aggregate", "events: [envelope-sent]", "envelopeEvents: [COMPLETED]").Replace(good),
			want: []string{`12:22 warning: event "COMPLETED" is not in DocuSign's sentence case`}},
		"unknown envelopeEvents value": {body: header + strings.NewReplacer("deliveryMode: SIM", "deliveryMode: aggregate", "events: [envelope-sent]", "envelopeEvents: [Complete]").Replace(good),
			want: []string{`12:22 error: unknown event "Complete"; did you mean "Completed"?`}},
		"unknown eventData.version": {body: header + strings.Replace(good, "version: restv2.1", "version: rest2.1", 1),
			want: []string{`11:27 error: unknown eventData.version "rest2.1"; did you mean "restv2.1"?`}},
		"soap namespace empty as DocuSign's default": {body: header + good + "    soapNamespace: \"\"\n"},
		// Issue 11, item 7: every independent problem in one run: an unknown
		// event does not hide that envelopeEvents is not used by JSON SIM.
		"unknown event and the wrong list": {body: header + strings.Replace(good, "events: [envelope-sent]", "events: [envelope-sent]\n    envelopeEvents: [Sentt]", 1),
			want: []string{`13:21 warning: envelopeEvents is not used by the JSON SIM model`, `13:22 error: unknown event "Sentt"; did you mean "Sent"?`}},
		"unknown SIM event": {body: header + strings.Replace(good, "envelope-sent", "envelope-snt", 1),
			want: []string{`12:14 error: unknown event "envelope-snt"; did you mean "envelope-sent"?`}},
		"upper-case SIM event": {body: header + strings.Replace(good, "envelope-sent", "Envelope-Sent", 1),
			want: []string{`12:14 error: event "Envelope-Sent" has the wrong letter case; write "envelope-sent" (DocuSign's event names are lower case)`}},
		"recipient connect with envelope events": {body: header + strings.NewReplacer("  - name: orders\n", "  - name: orders\n    configurationType: customrecipient\n", "[envelope-sent]", "[recipient-sent, envelope-sent]").Replace(good),
			want: []string{`13:30 warning: a Recipient Connect (customrecipient) configuration reports on recipients: envelope events are not expected here; remove "envelope-sent", or use configurationType: custom`}},
		"recipient connect valid": {body: header + strings.NewReplacer("  - name: orders\n", "  - name: orders\n    configurationType: customrecipient\n", "[envelope-sent]", "[recipient-sent]").Replace(good)},
		"salesforce type refused": {body: header + strings.Replace(good, "  - name: orders\n", "  - name: orders\n    configurationType: salesforce\n", 1),
			want: []string{`8:24 error: unknown value "salesforce"; use one of "custom", "customrecipient"`}},
		"allowEnvelopePublish omitted": {body: header + strings.Replace(good, "    allowEnvelopePublish: true\n", "", 1),
			want: []string{"7:11 warning: allowEnvelopePublish is not set: DocuSign creates the configuration disabled"}},
		"relative URL": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "hooks.acme.com/x", 1),
			want: []string{`8:21 error: urlToPublishTo "hooks.acme.com/x" is not an absolute http(s) URL`}},
		"plain http": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "http://hooks.acme.com/x", 1),
			want: []string{"8:21 warning: urlToPublishTo uses plain HTTP: DocuSign requires HTTPS in production; use https://"}},
		"plain http to loopback": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "http://127.0.0.1:8080/x", 1)},
		"credentials in URL": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "https://u:p@hooks.acme.com/x", 1),
			want: []string{"8:21 warning: urlToPublishTo carries credentials; use userName and password"}},
		"unknown key": {body: header + good + "    includeHmac: true\n",
			want: []string{`14:5 error: unknown key "includeHmac"; did you mean "includeHMAC"?`}},
		"read-only key": {body: header + good + "    disabledBy: admin\n",
			want: []string{"14:5 error: disabledBy is read-only: DocuSign sets it when it disables a configuration; remove it"}},
		"quoted boolean": {body: header + strings.Replace(good, "allUsers: true", `allUsers: "true"`, 1),
			want: []string{`9:15 error: allUsers must be a boolean (true or false), not the string "true"; write true without quotes`}},
		"literal secret": {body: header + good + "    password: hunter2\n",
			want: []string{"14:15 error: password is a secret: it may only come from the environment, never from the file; write password: ${env.NAME}"}},
		"secret from env": {body: header + good + "    password: ${env.LISTENER_PASSWORD}\n"},
		"credential env": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "https://h/${env.DOCUSIGN_ACCESS_TOKEN}", 1),
			want: []string{"8:21 error: ${env.DOCUSIGN_ACCESS_TOKEN} is connectsync's own credential; a file may not read it"}},
		"unset env": {body: header + good + "    password: ${env.NOPE}\n",
			want: []string{"14:15 error: environment variable NOPE is not set (or is empty); export NOPE=…"}},
		"var": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "${var.hooks}/x", 1)},
		"unknown var": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "${var.hook}/x", 1),
			want: []string{`8:21 error: var "hook" is not set for account prod; did you mean "hooks"?`}},
		"bad reference": {body: header + strings.Replace(good, "https://hooks.acme.com/x", "${vars.hooks}/x", 1),
			want: []string{`8:21 error: unknown reference namespace "vars" in ${vars.hooks}; did you mean "var"?`}},
		"unknown account": {body: header + strings.Replace(good, "  - name: orders\n", "  - name: orders\n    accounts: [prd]\n", 1),
			want: []string{`8:16 error: unknown account "prd"; did you mean "prod"?`}},
		"duplicate name": {body: header + good + good,
			want: []string{`14:11 error: configuration "orders" is declared twice for account prod (see also`}},
		"duplicate key": {body: header + good + "    allUsers: false\n",
			want: []string{`14:5 error: key "allUsers" is written twice (first at line 9); keep one of them`}},
		"duplicate event": {body: header + strings.Replace(good, "[envelope-sent]", "[envelope-sent, envelope-sent]", 1),
			want: []string{`12:29 error: "envelope-sent" is listed twice (also at index 0); remove one of them`}},
		"missing name": {body: header + strings.Replace(good, "  - name: orders\n    urlToPublishTo", "  - urlToPublishTo", 1),
			want: []string{`7:5 error: missing required key "name"; add name: …`}},
		"rename onto a declared name": {body: header + good + strings.NewReplacer("name: orders", "name: orders2\n    previously: [orders]").Replace(good),
			want: []string{`14:11 error: "orders2" lists "orders" under previously, but "orders" is still declared`}},
		"absent needs only a name": {body: header + "  - name: gone\n    state: absent\n"},
		"eventData format json with legacy": {body: header + strings.NewReplacer("    eventData: { version: restv2.1 }\n", "    eventData: { format: json }\n", "events: [envelope-sent]", "envelopeEvents: [Completed]").Replace(good),
			want: []string{"10:19 warning: the XML SIM model", "11:26 error: eventData.format json needs eventData.version restv2.1"}},
		"name with a trailing space": {body: header + strings.Replace(good, "name: orders", `name: "orders "`, 1),
			want: []string{`7:11 warning: the name "orders " starts or ends with a space: DocuSign may store it without, and connectsync finds configurations by name; write "orders"`}},
		"name with a control character": {body: header + strings.Replace(good, "name: orders", `name: "orders\tnew"`, 1),
			want: []string{`7:11 warning: the name "orders\tnew" holds a control character`}},
		"soap without namespace": {body: header + good + "    useSoapInterface: true\n",
			want: []string{"14:23 warning: useSoapInterface without soapNamespace: DocuSign stores it, but a SOAP listener needs the namespace"}},
		"wrong version": {body: strings.Replace(header, "version: 1", "version: 2", 1) + good,
			want: []string{`1:10 error: unsupported file version "2"; write version: 1`}},
		"no version": {body: strings.Replace(header, "version: 1\n", "", 1) + good,
			want: []string{`1:1 error: missing required key "version"; add version: …`}},
		"invalid YAML": {body: header + "  - name: [unclosed\n",
			want: []string{"7:11 error: invalid YAML: this list ([) is never closed; close it with ] on the same line"}},
		"bad accountId": {body: strings.Replace(header, "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", "acme", 1) + good,
			want: []string{`4:16 error: accountId "acme" is neither a GUID nor an account number`}},
		"the same account in another letter case": {body: strings.Replace(header, "    vars: { hooks: https://hooks.acme.com }\n", "    vars: { hooks: https://hooks.acme.com }\n  - { alias: again, accountId: 8F3C1B9E-2D4A-4B6C-9E8F-1A2B3C4D5E6F }\n", 1) + good,
			want: []string{`6:32 error: account 8F3C1B9E-2D4A-4B6C-9E8F-1A2B3C4D5E6F is declared twice (aliases "prod" and "again") (see also`}},
		"accountId from env": {body: strings.Replace(header, "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", "${env.ACCOUNT_ID}", 1) + good},
		"no accounts": {body: "version: 1\nconfigurations:\n" + good,
			want: []string{"3:5 error: no account is declared for this configuration; add an accounts: list"}},
		"empty file": {body: "", want: []string{"1:1 error: the file is empty; start it with version: 1"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, got := load(t, tc.body)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("diagnostic %d:\n got: %s\nwant: %s…", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestDefaultsMergeAndExpansion(t *testing.T) {
	t.Parallel()
	body := `version: 1
accounts:
  - { alias: a, accountId: "1001", vars: { host: https://a.example.com } }
  - { alias: b, accountId: "1002", vars: { host: https://b.example.com } }
defaults:
  allUsers: true
  deliveryMode: SIM
  eventData: { version: restv2.1 }
  allowEnvelopePublish: true
  enableLog: true
configurations:
  - name: x
    urlToPublishTo: ${var.host}/hook
    eventData: { includeData: [tabs] }
    events: [envelope-completed]
    enableLog: false
    password: ${env.LISTENER_PASSWORD}
  - name: only-b
    accounts: [b]
    urlToPublishTo: https://b.example.com/only
    events: [envelope-sent]
`
	d, diags := load(t, body)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	var got []string
	for _, c := range d.Configurations {
		got = append(got, c.Account+"/"+c.Name)
	}
	if diff := cmp.Diff([]string{"a/x", "b/only-b", "b/x"}, got); diff != "" {
		t.Fatalf("configurations (-want +got):\n%s", diff)
	}
	bx := d.Configurations[2]
	want := map[string]any{
		"allUsers": true, "deliveryMode": "SIM", "allowEnvelopePublish": true,
		"enableLog":      false, // the configuration wins over defaults
		"eventData":      map[string]any{"version": "restv2.1", "includeData": []string{"tabs"}},
		"events":         []string{"envelope-completed"},
		"urlToPublishTo": "https://b.example.com/hook",
		"password":       "hunter2-secret",
	}
	if diff := cmp.Diff(want, bx.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"password": "${env.LISTENER_PASSWORD}"}, bx.Secrets); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	if p := bx.FieldPos["allUsers"]; p.Line != 6 {
		t.Errorf("allUsers comes from defaults at line 6, got %v", p)
	}
}

func TestSeveralFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "accounts.yaml", "version: 1\naccounts:\n  - { alias: a, accountId: \"1001\" }\n")
	writeFile(t, dir, "one.yml", "version: 1\nconfigurations:\n"+good)
	writeFile(t, dir, "two.yaml", "version: 1\nconfigurations:\n"+good)
	writeFile(t, dir, "notes.txt", "ignored")
	_, ds := Load([]string{dir}, LoadOptions{LookupEnv: testEnv})
	if len(ds) != 1 {
		t.Fatalf("want one duplicate error, got %v", ds)
	}
	d := ds[0]
	if d.Pos.File != filepath.Join(dir, "two.yaml") || d.Also == nil || d.Also.File != filepath.Join(dir, "one.yml") {
		t.Errorf("duplicate must name both files, got %s", d.Error())
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	_, ds := Load([]string{"does-not-exist.yaml"}, LoadOptions{})
	if len(ds) != 1 || !strings.Contains(ds[0].Error(), "does-not-exist.yaml: cannot read: no such file or directory") {
		t.Errorf("got %v", ds)
	}
}

func TestExamplesValidate(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"quickstart.yaml", "multi-account.yaml", "recipient-connect.yaml", "models"} {
		d, ds := Load([]string{filepath.Join("..", "..", "examples", p)}, LoadOptions{LookupEnv: testEnv})
		if ds.HasErrors() || d == nil {
			t.Errorf("examples/%s does not validate:\n%s", p, ds.Error())
		}
	}
}

// TestAliasBomb: a few lines of YAML aliases that expand to millions of
// values are refused quickly instead of exhausting memory.
func TestAliasBomb(t *testing.T) {
	t.Parallel()
	body := "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		body += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	_, got := load(t, body)
	if len(got) != 1 || !strings.Contains(got[0], "expands to more than 2000000 values through YAML aliases") {
		t.Fatalf("got %v", got)
	}
}

// TestSecretsOptional: validate (no network) only warns about an unset
// secret, so that a pull request from a fork, which has no secrets, validates.
func TestSecretsOptional(t *testing.T) {
	t.Parallel()
	_, ds := Load([]string{writeFile(t, t.TempDir(), "c.yaml", header+good+"    password: ${env.NOPE}\n")}, LoadOptions{LookupEnv: testEnv, SecretsOptional: true})
	if ds.HasErrors() || len(ds) != 1 || !strings.Contains(ds[0].Error(), "environment variable NOPE is not set (or is empty); apply will need it") {
		t.Fatalf("got:\n%s", ds.Error())
	}
}
