package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/connectsync/connectsync/pkg/emulator"
	"github.com/connectsync/connectsync/schema"
	"github.com/connectsync/connectsync/schema/schematest"
)

// connectID finds the connectId of a live configuration by name.
func connectID(ts *testscript.TestScript, accountID, name string) string {
	list, err := emu(ts).Configurations(accountID)
	ts.Check(err)
	for _, c := range list {
		if c.Name == name {
			return c.ConnectID
		}
	}
	ts.Fatalf("no configuration %q in account %s", name, accountID)
	return ""
}

// cmdFailure records a failed post, as DocuSign does when a listener does
// not acknowledge one. NAME may be id:CONNECTID, for one of two
// configurations of a name.
func cmdFailure(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: failure ACCOUNT_ID NAME|id:CONNECTID ENVELOPE ERROR")
	}
	id, pinned := strings.CutPrefix(args[1], "id:")
	if !pinned {
		id = connectID(ts, args[0], args[1])
	}
	_, err := emu(ts).RecordFailure(args[0], emulator.Delivery{ConnectID: id, EnvelopeID: args[2], Status: "Completed", Error: args[3]})
	ts.Check(err)
}

// cmdLogEntry records a Connect log entry with a two-step debug log.
func cmdLogEntry(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 && len(args) != 5 {
		ts.Fatalf("usage: logentry ACCOUNT_ID NAME ENVELOPE STATUS [ERROR]")
	}
	d := emulator.Delivery{ConnectID: connectID(ts, args[0], args[1]), EnvelopeID: args[2], Status: args[3]}
	d.Debug = []emulator.DebugLog{{ConnectConfig: args[1], EventDescription: "Posted envelope-" + strings.ToLower(args[3]),
		Payload: `{"event":"envelope-` + strings.ToLower(args[3]) + `","data":{"envelopeId":"` + args[2] + `"}}`}}
	if len(args) == 5 {
		d.Error = args[4]
		d.Debug = append(d.Debug, emulator.DebugLog{ConnectConfig: args[1], EventDescription: "Listener answered",
			ErrorDetails: &emulator.ErrorDetail{ErrorCode: "LISTENER_ERROR", Message: args[4]}})
	}
	id, err := emu(ts).RecordLog(args[0], d)
	ts.Check(err)
	if id == "" {
		ts.Fatalf("nothing logged: is enableLog on for %q?", args[1])
	}
}

// cmdRepublished checks the historical republish batches the emulator took.
func cmdRepublished(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 && len(args) != 3 {
		ts.Fatalf("usage: republished ACCOUNT_ID COUNT [PASSWORD]")
	}
	got, err := emu(ts).Republishes(args[0])
	ts.Check(err)
	if want, _ := strconv.Atoi(args[1]); len(got) != want {
		ts.Fatalf("%d republish batches, want %d", len(got), want)
	}
	if len(args) == 3 && (len(got) == 0 || got[len(got)-1].Password != args[2]) {
		ts.Fatalf("the last republish batch did not carry the expected password")
	}
}

// cmdSchemaCheck validates a JSON output against its embedded schema.
func cmdSchemaCheck(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: schemacheck delivery|audit FILE")
	}
	schemas := map[string][2]any{"delivery": {schema.DeliveryURL, schema.Delivery}, "audit": {schema.AuditURL, schema.Audit}}
	s, ok := schemas[args[0]]
	if !ok {
		ts.Fatalf("unknown schema %q", args[0])
	}
	sch, err := schematest.Compile(s[0].(string), s[1].([]byte))
	ts.Check(err)
	var doc any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &doc))
	if err := sch.Validate(doc); (err == nil) == neg {
		ts.Fatalf("%s against the %s schema: %v", args[1], args[0], err)
	}
}

func TestEnvelopeIDs(t *testing.T) {
	t.Parallel()
	a, b := "93be49ab-1c2d-4e5f-8a9b-f752070d71ec", "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	got, err := envelopeIDs([]string{a, strings.ToUpper(a) + ", " + b, b})
	if err != nil || len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("envelopeIDs = %v, %v; want each once, in order", got, err)
	}
	for _, bad := range []string{"", "93be49ab", a + "0", strings.Replace(a, "-", "x", 1), "93be49ab-1c2d-4e5f-8a9b-f752070d71eg"} {
		if _, err := envelopeIDs([]string{bad}); err == nil || !strings.Contains(err.Error(), strconv.Quote(bad)) {
			t.Errorf("envelopeIDs(%q): err = %v, want it named", bad, err)
		}
	}
}

// TestDeliveryUsageErrors: mistakes on the delivery commands are named,
// say what to do, and exit 1, most before any call; --help says enough.
// In-process (the journeys are in testdata/script/delivery-*.txtar).
func TestDeliveryUsageErrors(t *testing.T) {
	dir := t.TempDir()
	srv, vars := startEmulator(t, dir)
	vars["LISTENER_PASSWORD"] = "listener-pw-7f3a"
	for name, content := range map[string]string{
		"hooks.yaml": `version: 1
accounts:
  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }
`,
		"secret.yaml": `version: 1
accounts:
  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }
configurations:
  - { name: orders, urlToPublishTo: "https://hooks.example.com/orders", allUsers: true, deliveryMode: SIM,
      eventData: { version: restv2.1 }, events: [envelope-completed], userName: hook, password: "${env.UNSET_LISTENER_PASSWORD}" }
`,
		"two.yaml": `version: 1
accounts:
  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }
  - { alias: globex, accountId: b2c3d4e5-f6a7-4b80-9c1d-2e3f4a5b6c7d }
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Dir: dir,
			LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
		for i, a := range args {
			if strings.HasSuffix(a, ".yaml") {
				args[i] = filepath.Join(dir, a)
			}
		}
		return Run(context.Background(), append([]string{"connectsync"}, args...), env), out.String(), errOut.String()
	}
	const env1 = "93be49ab-1c2d-4e5f-8a9b-f752070d71ec"
	tests := []struct {
		args  []string
		want  string // in stderr
		calls bool   // whether DocuSign may be called
	}{
		{[]string{"failures", "-f", "hooks.yaml", "--since", "yesterday"},
			`error: --since "yesterday" is not a duration, a date or a time; use a duration such as 7d, 24h or 90m, a date such as 2026-11-01 (midnight UTC), or an RFC 3339 time such as 2026-11-01T08:00:00Z`, false},
		{[]string{"failures", "-f", "hooks.yaml", "--since", "2999-01-01"}, `"2999-01-01" is in the future`, false},
		{[]string{"failures", "-f", "hooks.yaml", "--since", "0h"}, `"0h" is no time at all`, false},
		{[]string{"failures", "-f", "hooks.yaml", "--name", "nope"},
			`no configuration named "nope" in account test (they have "DocuSign for Salesforce", "Integrator webhook", "Legacy order webhook")`, true},
		{[]string{"failures", "-f", "hooks.yaml", "--account", "nope"}, `--account "nope" is not an account alias in the files`, false},
		{[]string{"failures", "-f", "hooks.yaml", "--format", "yaml"}, `--format "yaml": use one of text, json, markdown`, false},
		{[]string{"failures", "missing.yaml"}, "missing.yaml", false}, // arguments are files, like -f
		{[]string{"logs", "-f", "hooks.yaml", "--envelope", "12345"}, `--envelope "12345" is not an envelope id: DocuSign envelope ids are GUIDs`, false},
		{[]string{"logs", "-f", "hooks.yaml", "--since", "a week"}, `--since "a week" is not a duration`, false},
		{[]string{"logs", "-f", "hooks.yaml", "--envelope", env1}, "no Connect log entries of envelope " + env1 + " in account test since", true},
		{[]string{"retry", "-f", "hooks.yaml"}, "name the envelopes to retry: --all (every envelope of the failure log within --since) or --envelope ID (repeatable), not both", false},
		{[]string{"retry", "-f", "hooks.yaml", "--all", "--envelope", env1}, "not both", false},
		{[]string{"retry", "-f", "hooks.yaml", "--envelope", env1, "--name", "orders"}, "--since, --name and --connect-id choose failures for --all; with --envelope the envelopes are named already", false},
		{[]string{"retry", "-f", "hooks.yaml", "--envelope", env1, "--since", "24h"}, "--since, --name and --connect-id choose failures for --all", false},
		{[]string{"retry", "-f", "two.yaml", "--all"}, "retry works on one account: add --account ALIAS (one of test, globex)", false},
		{[]string{"retry", "-f", "hooks.yaml", "--all", "--name", "nope"}, `no configuration named "nope" in account test`, true},
		{[]string{"retry", "-f", "hooks.yaml", "--envelope", "nope"}, `--envelope "nope" is not an envelope id`, false},
		{[]string{"retry", "-f", "hooks.yaml", "--all", "--since", "soon"}, `--since "soon" is not a duration`, false},
		{[]string{"republish", "-f", "hooks.yaml", "--envelope", env1}, "name the configuration and the envelopes: connectsync republish --account ALIAS --name CONFIG (or --connect-id ID) --envelope ID", false},
		{[]string{"republish", "-f", "hooks.yaml", "--connect-id", "99999999", "--envelope", env1},
			`account test has no configuration with connectId 99999999 (it has "DocuSign for Salesforce" (connectId `, true},
		{[]string{"republish", "-f", "hooks.yaml", "--name", "x"}, "name the configuration and the envelopes", false},
		{[]string{"republish", "-f", "two.yaml", "--name", "x", "--envelope", env1}, "republish works on one account: add --account ALIAS (one of test, globex)", false},
		{[]string{"republish", "-f", "hooks.yaml", "--name", "nope", "--envelope", env1},
			`account test has no configuration named "nope" (it has "DocuSign for Salesforce", "Integrator webhook", "Legacy order webhook")`, true},
		{[]string{"republish", "-f", "hooks.yaml", "--name", "DocuSign for Salesforce", "--envelope", env1},
			`"DocuSign for Salesforce" is a salesforce configuration: DocuSign's historical republish supports custom and customrecipient ones only`, true},
		{[]string{"republish", "-f", "hooks.yaml", "--name", "Legacy order webhook", "--envelope", env1},
			`"Legacy order webhook" uses an XML data model: DocuSign's historical republish sends JSON only (eventData.version restv2.1); for failed posts use connectsync retry`, true},
		{[]string{"republish", "-f", "hooks.yaml", "--name", "x", "--envelope", "order-1041"}, `--envelope "order-1041" is not an envelope id`, false},
		// republish sends the password: its variable must be set, as for apply.
		{[]string{"republish", "-f", "secret.yaml", "--name", "orders", "--envelope", env1}, "UNSET_LISTENER_PASSWORD", false},
		{[]string{"audit", "-f", "hooks.yaml", "--since", "soon"}, `--since "soon" is not a duration`, false},
		{[]string{"audit", "-f", "hooks.yaml", "--since", "1d", "--no-delivery"}, "--since sets the window of the failure log, which --no-delivery skips", false},
	}
	for _, tt := range tests {
		srv.Emulator.ResetCalls()
		code, _, stderr := run(tt.args...)
		if code != ExitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 1 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
		for route, n := range srv.Emulator.CallCounts() {
			if n > 0 && !tt.calls && route != emulator.RouteToken && route != emulator.RouteUserInfo {
				t.Errorf("%s: %d calls to %s before refusing", strings.Join(tt.args, " "), n, route)
			}
		}
		if n := srv.Emulator.Calls(emulator.RouteRepublishHistorical) + srv.Emulator.Calls(emulator.RouteRetryEnvelopes); n > 0 {
			t.Errorf("%s: a refused command changed something (%d retry or republish calls)", strings.Join(tt.args, " "), n)
		}
	}

	for cmd, want := range map[string][]string{
		"failures":  {"--since value", "--name value", "--all-accounts", "--format value", "newest first", "Exit codes"},
		"logs":      {"--envelope value", "enableLog", "15 days", "Exit codes"},
		"retry":     {"--all ", "--envelope value", "Each envelope is sent once per run", "Exit codes: 0 DocuSign accepted every envelope, 1 it refused some"},
		"republish": {"--name value", "--envelope value", "Bulk Actions", "never repeated", "Exit codes"},
		"audit":     {"--no-delivery", "--since value", "delivery-failures finding of severity high"},
	} {
		code, out, _ := run(cmd, "--help")
		for _, w := range want {
			if code != ExitOK || !strings.Contains(out, w) {
				t.Errorf("%s --help (exit %d) does not say %q:\n%s", cmd, code, w, out)
			}
		}
	}
}

// TestDeliveryJSONMatchesSchema runs the delivery commands as a script
// would, with failures and log entries to report, and checks each JSON
// output against schema/delivery.schema.json (TestJSONOutputsMatchTheirSchemas
// does the same for the other commands).
func TestDeliveryJSONMatchesSchema(t *testing.T) {
	dir := t.TempDir()
	srv, vars := startEmulator(t, dir)
	good := writeHooks(t, dir, "orders", "signers")
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
	run("apply", "--auto-approve", good)
	const account, failed, never = "11111111-2222-4333-8444-555555555555", "93be49ab-1c2d-4e5f-8a9b-f752070d71ec", "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	list, err := srv.Emulator.Configurations(account)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Name == "orders" {
			if _, err := srv.Emulator.RecordFailure(account, emulator.Delivery{ConnectID: c.ConnectID, EnvelopeID: failed, Error: "503"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sch, err := schematest.Compile(schema.DeliveryURL, schema.Delivery)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"failures", "--format", "json", good},
		{"logs", "--format", "json", good},
		{"retry", "--format", "json", "--envelope", never, good}, // refused: exit 1, still a report
		{"retry", "--format", "json", "--all", good},
		{"republish", "--format", "json", "--name", "orders", "--envelope", failed, good},
	} {
		out := run(args...)
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%v does not match the delivery schema: %#v\n%s", args, err, out)
		}
	}
}
