package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/schema"
	"github.com/connectsync/connectsync/schema/schematest"
)

func liveConnect(name, id string, fields map[string]any) config.Connect {
	return config.Connect{Account: "prod", Name: name, ConnectID: id, Fields: fields}
}

// jsonSIM is a configuration that breaks no default rule.
func jsonSIM(url string) map[string]any {
	return map[string]any{
		"configurationType": "custom", "urlToPublishTo": url, "allowEnvelopePublish": true, "allUsers": true,
		"deliveryMode": "SIM", "eventData": map[string]any{"version": "restv2.1"}, "events": []string{"envelope-completed"},
		"enableLog": true, "includeHMAC": true,
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

var prod = config.Account{Alias: "prod", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f"}

func TestBuild(t *testing.T) {
	t.Parallel()
	desired := []config.Connect{
		{Account: "prod", Name: "orders", Fields: map[string]any{"enableLog": true, "urlToPublishTo": "https://hooks.example.com/orders"}},
		{Account: "prod", Name: "new", Fields: jsonSIM("https://hooks.example.com/new")},
	}
	inputs := []Input{
		{
			Account: prod, InFiles: true, Desired: desired,
			Live: []config.Connect{
				liveConnect("orders", "1", with(jsonSIM("https://hooks.example.com/orders"), "enableLog", false)),
				liveConnect("stray", "2", with(jsonSIM("http://stray.example.com/x"), "allowEnvelopePublish", false, "includeHMAC", false)),
				liveConnect("sf", "3", map[string]any{"configurationType": "salesforce", "urlToPublishTo": "http://login.salesforce.com"}),
				liveConnect("paused", "4", with(jsonSIM("https://hooks.example.com/p"), "pausePublish", true, "disabledBy", "")),
			},
			Users: map[string]Users{"1": {Count: 242}, "2": {Err: errors.New("boom")}},
		},
		{Account: config.Account{Alias: "broken", AccountID: "1001"}, InFiles: true, Err: errors.New("account broken (1001): 403 USER_LACKS_PERMISSIONS")},
		{Account: config.Account{Alias: "dup", AccountID: "1002"}, InFiles: true,
			Desired: []config.Connect{{Account: "dup", Name: "a", Fields: map[string]any{"enableLog": true}}},
			Live:    []config.Connect{liveConnect("a", "5", jsonSIM("https://x.example.com")), liveConnect("a", "6", jsonSIM("https://y.example.com"))}},
	}
	r := Build(inputs, Options{Tool: "connectsync test", Files: []string{"hooks.yaml"}, Policy: config.DefaultPolicy(), Coverage: true, Shard: &Shard{2, 3}})

	if got := []string{r.Accounts[0].Alias, r.Accounts[1].Alias, r.Accounts[2].Alias}; !cmp.Equal(got, []string{"broken", "dup", "prod"}) {
		t.Errorf("accounts not sorted by alias: %v", got)
	}
	wantSummary := Summary{Accounts: 3, Failed: 1, Drifted: 2, Create: 1, Update: 1, Configurations: 6, Managed: 1, Unmanaged: 4, Ignored: 1, Disabled: 3,
		Findings: Severities{High: 1, Medium: 1, Low: 3}}
	if diff := cmp.Diff(wantSummary, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if !r.HasDrift() || !r.HasErrors() || r.Policy != "default" || !cmp.Equal(r.Shards, []Shard{{2, 3}}) {
		t.Errorf("report: drift %v errors %v policy %q shards %v", r.HasDrift(), r.HasErrors(), r.Policy, r.Shards)
	}

	p := r.Accounts[2]
	wantDrift := Drift{Create: 1, Update: 1, Changes: []Change{
		{Action: "update", Name: "orders", ConnectID: "1", Fields: []string{"enableLog"}},
		{Action: "create", Name: "new", Fields: []string{"configurationType", "urlToPublishTo", "allowEnvelopePublish", "allUsers", "deliveryMode", "eventData.version", "events", "enableLog", "includeHMAC"}},
	}}
	if diff := cmp.Diff(wantDrift, p.Drift); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	type row struct{ Name, Status, Drift, Disabled, Users, UsersError string }
	var rows []row
	for _, c := range p.Configurations {
		users := ""
		if c.Users != nil {
			users = fmt.Sprint(*c.Users)
		}
		rows = append(rows, row{c.Name, c.Status, c.Drift, c.Disabled, users, c.UsersError})
	}
	wantRows := []row{
		{"orders", StatusManaged, "update", "", "242", ""},
		{"paused", StatusUnmanaged, "", "publishing is paused (pausePublish)", "", ""},
		{"sf", StatusIgnored, "", "allowEnvelopePublish is off", "", ""},
		{"stray", StatusUnmanaged, "", "allowEnvelopePublish is off", "", "boom"},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("configurations (-want +got):\n%s", diff)
	}
	var rules []string
	for _, c := range p.Configurations {
		for _, f := range c.Findings {
			rules = append(rules, c.Name+":"+f.Severity+":"+f.Rule)
		}
	}
	// Worst first within a configuration; the Salesforce one is not checked.
	want := []string{"orders:low:requireLogging", "paused:low:requireEnabled", "stray:high:requireHttps", "stray:medium:requireHmac", "stray:low:requireEnabled"}
	if !cmp.Equal(rules, want) {
		t.Errorf("findings = %q, want %q", rules, want)
	}

	if a := r.Accounts[0]; a.Error == "" || len(a.Configurations) != 0 || a.Drift.Any() {
		t.Errorf("failed account: %+v", a)
	}
	if a := r.Accounts[1]; len(a.PlanErrors) != 1 || !a.Drifted() || a.Configurations[0].Status != StatusUnmanaged {
		t.Errorf("account with plan errors: %+v", a)
	}
}

func TestSeverities(t *testing.T) {
	t.Parallel()
	s := Severities{High: 1, Medium: 2, Low: 3, Info: 4}
	for sev, want := range map[string]int{config.SevHigh: 1, config.SevMedium: 3, config.SevLow: 6, config.SevInfo: 10} {
		if got := s.AtLeast(sev); got != want {
			t.Errorf("AtLeast(%s) = %d, want %d", sev, got, want)
		}
	}
}

// fakeAPI counts calls; accounts named in fail answer an error, and those
// in failLog an error for the failure log only.
type fakeAPI struct {
	mu       sync.Mutex
	lists    map[string]int
	users    int
	failures int
	hmac     int
	fail     map[string]bool
	failLog  map[string]bool
}

// ListFailures answers one failure of each account's first configuration.
func (f *fakeAPI) ListFailures(_ context.Context, id string, from, to time.Time) ([]docusign.LogEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures++
	if f.failLog[id] {
		return nil, errors.New("400 INVALID_REQUEST_PARAMETER")
	}
	return []docusign.LogEntry{{EnvelopeID: "e-" + id, ConnectID: id + "-1", Created: from.Add(time.Hour).Format(time.RFC3339), Error: "503"}}, nil
}

func (f *fakeAPI) ListConfigurations(_ context.Context, id string) ([]docusign.Configuration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists[id]++
	if f.fail[id] {
		return nil, errors.New("403 USER_LACKS_PERMISSIONS")
	}
	return []docusign.Configuration{{ConnectID: id + "-1", Name: "a"}, {ConnectID: id + "-2", Name: "b"}}, nil
}

// ListHMACKeys answers no key; the fake's configurations have no
// includeHMAC, so Run never asks.
func (f *fakeAPI) ListHMACKeys(_ context.Context, id string) ([]docusign.HMACKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hmac++
	return nil, nil
}

func (f *fakeAPI) ListUsers(_ context.Context, id, connectID string) ([]docusign.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users++
	return []docusign.User{{UserID: "u1"}, {UserID: "u2"}, {UserID: "u3"}}, nil
}

// TestRunCalls is the call budget of docs/benchmarks.md for audit: one list call per account, and users
// calls only when coverage is asked for (never for an account that failed).
func TestRunCalls(t *testing.T) {
	t.Parallel()
	var targets []Target
	for i := range 20 {
		targets = append(targets, Target{Account: config.Account{Alias: fmt.Sprintf("a%02d", i), AccountID: fmt.Sprint(1000 + i)}, InFiles: true})
	}
	window := &delivery.Window{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)}
	for _, coverage := range []bool{false, true} {
		t.Run(fmt.Sprintf("coverage=%v", coverage), func(t *testing.T) {
			t.Parallel()
			api := &fakeAPI{lists: map[string]int{}, fail: map[string]bool{"1003": true}}
			var mu sync.Mutex
			n := 0
			var dw *delivery.Window
			if coverage { // delivery on in one case, off in the other
				dw = window
			}
			r := Run(context.Background(), api, targets, Options{Policy: config.DefaultPolicy(), Concurrency: 4, Coverage: coverage, Delivery: dw, Done: func() {
				mu.Lock()
				n++
				mu.Unlock()
			}})
			for _, tg := range targets {
				if api.lists[tg.Account.AccountID] != 1 {
					t.Errorf("account %s listed %d times, want 1", tg.Account.AccountID, api.lists[tg.Account.AccountID])
				}
			}
			wantUsers := 0
			if coverage {
				wantUsers = 19 * 2 // two configurations in each account that could be read
			}
			if api.users != wantUsers {
				t.Errorf("%d users calls, want %d", api.users, wantUsers)
			}
			// One failure-log call per account, none with delivery off: the
			// log is read beside the list, so an account that cannot be
			// listed costs one failure-log call too.
			if want := map[bool]int{false: 0, true: 20}[coverage]; api.failures != want {
				t.Errorf("%d failure-log calls, want %d", api.failures, want)
			}
			if n != len(targets) {
				t.Errorf("Done called %d times, want %d", n, len(targets))
			}
			if r.Summary.Accounts != 20 || r.Summary.Failed != 1 || r.Summary.Configurations != 38 || r.Accounts[3].Error == "" || r.Accounts[3].Alias != "a03" {
				t.Errorf("summary %+v; a03: %+v", r.Summary, r.Accounts[3])
			}
			if got := r.Accounts[4].Configurations[0].Users; coverage != (got != nil) || coverage && *got != 3 {
				t.Errorf("users of a04's first configuration: %v", got)
			}
		})
	}
}

// TestBuildDelivery: each configuration with failed deliveries in the
// window is a high delivery-failures finding with the fix; a failure log
// that cannot be read is a note, not a failed account.
func TestBuildDelivery(t *testing.T) {
	t.Parallel()
	w := delivery.Window{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)}
	live := []config.Connect{
		liveConnect("orders", "1", jsonSIM("https://hooks.example.com/orders")),
		liveConnect("Legacy order webhook", "2", with(jsonSIM("http://legacy.example.com/x"), "includeHMAC", false)),
		liveConnect("sf", "3", map[string]any{"configurationType": "salesforce", "urlToPublishTo": "https://login.salesforce.com"}),
	}
	inputs := []Input{
		{Account: prod, InFiles: true, Live: live, Failures: []docusign.LogEntry{
			{EnvelopeID: "e1", ConnectID: "2", Created: "2026-11-06T10:00:00Z", LastTry: "2026-11-07T09:00:00.0000000Z", Error: "503 at https://u:pw@legacy.example.com/x"},
			{EnvelopeID: "e2", ConnectID: "2", Created: "2026-11-05T10:00:00Z", Error: "timeout"},
			{EnvelopeID: "e3", ConnectID: "3", Created: "2026-11-05T10:00:00Z", Error: "refused"},
			{EnvelopeID: "e4", ConnectID: "99", Created: "2026-11-05T10:00:00Z", Error: "deleted configuration"},
			{EnvelopeID: "e5", ConnectID: "1", Created: "2026-10-01T10:00:00Z", Error: "before the window"},
		}},
		{Account: config.Account{Alias: "eu", AccountID: "2b7e"}, InFiles: true, Live: live[:1], FailuresErr: errors.New("failure log not read: 400 X")},
	}
	r := Build(inputs, Options{Policy: config.DefaultPolicy(), Delivery: &w})
	if r.Delivery == nil || !r.Delivery.Since.Equal(w.Since) || r.Summary.DeliveryFailures != 3 || r.Summary.Failed != 0 || r.Summary.Findings.High != 3 {
		t.Fatalf("report: delivery %+v, summary %+v", r.Delivery, r.Summary)
	}
	eu, p := r.Accounts[0], r.Accounts[1]
	if eu.DeliveryError != "failure log not read: 400 X" || eu.Error != "" || eu.Configurations[0].Delivery != nil {
		t.Errorf("eu: %+v", eu)
	}
	byName := map[string]Configuration{}
	for _, c := range p.Configurations {
		byName[c.Name] = c
	}
	legacy := byName["Legacy order webhook"]
	if d := legacy.Delivery; d == nil || d.Failures != 2 || d.LastFailure.String() != "2026-11-07 09:00 UTC" || strings.Contains(d.LastError, "pw") {
		t.Errorf("legacy delivery: %+v", d)
	}
	want := config.Finding{Rule: RuleDeliveryFailures, Severity: config.SevHigh,
		Message: "2 failed deliveries since 2026-11-01 00:00 UTC, the last at 2026-11-07 09:00 UTC: 503 at https://REDACTED@legacy.example.com/x",
		Fix:     "connectsync failures --account prod --name 'Legacy order webhook'; fix the listener; connectsync retry --account prod --name 'Legacy order webhook' --all"}
	if diff := cmp.Diff(want, legacy.Findings[0]); diff != "" {
		t.Errorf("finding (-want +got):\n%s", diff)
	}
	if legacy.Findings[1].Severity != config.SevHigh || legacy.Findings[1].Rule != config.RuleRequireHTTPS {
		t.Errorf("findings not worst first: %+v", legacy.Findings)
	}
	// An ignored (Salesforce) configuration's failures are reported too:
	// its events are lost all the same.
	if sf := byName["sf"]; len(sf.Findings) != 1 || sf.Findings[0].Rule != RuleDeliveryFailures || sf.Delivery.Failures != 1 {
		t.Errorf("salesforce: %+v", sf)
	}
	if o := byName["orders"]; o.Delivery == nil || o.Delivery.Failures != 0 || len(o.Findings) != 0 {
		t.Errorf("orders (its only failure is before the window): %+v", o)
	}
	// Off: no delivery anywhere.
	off := Build(inputs[:1], Options{Policy: config.DefaultPolicy()})
	if off.Delivery != nil || off.Summary.DeliveryFailures != 0 || off.Accounts[0].Configurations[0].Delivery != nil {
		t.Errorf("delivery off: %+v", off)
	}
	// Merge keeps the window and the counts.
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Merge([]Named{{"r.json", back}})
	if err != nil || m.Delivery == nil || m.Summary.DeliveryFailures != 3 || m.Accounts[1].Configurations[0].Delivery.LastFailure.String() != "2026-11-07 09:00 UTC" {
		t.Errorf("merged: %+v, %v", m, err)
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Shard{"1/1": {1, 1}, "2/4": {2, 4}, " 3 / 3 ": {3, 3}} {
		if got, err := ParseShard(in); err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2", "0/4", "5/4", "1/0", "a/b", "-1/2", "1/2/3"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): no error", bad)
		}
	}
}

// TestShardPartition: every account is in exactly one shard, whatever the
// letter case of its id, and shards are of similar size.
func TestShardPartition(t *testing.T) {
	t.Parallel()
	const n, accounts = 4, 2000
	sizes := make([]int, n+1)
	for i := range accounts {
		id := fmt.Sprintf("%08x-2d4a-4b6c-9e8f-1a2b3c4d5e6f", i*7919)
		in := 0
		for s := 1; s <= n; s++ {
			if (Shard{s, n}).Has(id) {
				in++
				sizes[s]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards", id, in)
		}
		if ShardOf(id, n) != ShardOf(strings.ToUpper(id), n) {
			t.Fatalf("%s: the shard depends on letter case", id)
		}
	}
	for s := 1; s <= n; s++ {
		if sizes[s] < accounts/n*8/10 || sizes[s] > accounts/n*12/10 {
			t.Errorf("shard %d has %d of %d accounts", s, sizes[s], accounts)
		}
	}
}

func shardReport(t *testing.T, shard *Shard, accounts ...string) *Report {
	t.Helper()
	var inputs []Input
	for _, a := range accounts {
		inputs = append(inputs, Input{Account: config.Account{Alias: a, AccountID: "id-" + a}, InFiles: true,
			Live: []config.Connect{liveConnect("x", a+"1", jsonSIM("http://plain.example.com"))}})
	}
	r := Build(inputs, Options{Tool: "t", Files: []string{"f.yaml"}, Policy: config.DefaultPolicy(), Shard: shard})
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestMerge(t *testing.T) {
	t.Parallel()
	s1, s2, s3 := shardReport(t, &Shard{1, 3}, "b", "c"), shardReport(t, &Shard{3, 3}, "a"), shardReport(t, &Shard{1, 2}, "d")
	m, err := Merge([]Named{{"s1.json", s1}, {"s3.json", s2}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Summary.Accounts != 3 || m.Summary.Findings.High != 3 || m.Accounts[0].Alias != "a" || !cmp.Equal(m.Shards, []Shard{{1, 3}, {3, 3}}) {
		t.Errorf("merged: %+v", m)
	}
	if !cmp.Equal(m.Missing(), []Shard{{2, 3}}) {
		t.Errorf("Missing() = %v", m.Missing())
	}
	for name, tc := range map[string]struct {
		reports []Named
		want    string
	}{
		"same shard":     {[]Named{{"x.json", s1}, {"y.json", shardReport(t, &Shard{1, 3}, "z")}}, "x.json and y.json are both shard 1/3"},
		"other split":    {[]Named{{"x.json", s1}, {"y.json", s3}}, "y.json is shard 1/2 but x.json is shard 1/3"},
		"same account":   {[]Named{{"x.json", s1}, {"y.json", shardReport(t, &Shard{2, 3}, "c")}}, "account c (id-c) is in both x.json and y.json"},
		"whole and part": {[]Named{{"all.json", shardReport(t, nil, "q")}, {"y.json", s1}}, "all.json audits every account (no --shard) but y.json is a shard"},
		"nothing":        {nil, "no reports"},
	} {
		if _, err := Merge(tc.reports); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"format_version": "2", "accounts": []}`: `format_version "2"; this connectsync reads "1"`,
		`{"accounts": []}`:                        "no format_version",
		`{"format_version": "1"}`:                 "no accounts",
		`[1, 2]`:                                  "not a JSON audit report",
		`{"format_version": "1", "accounts": {}}`: "not a JSON audit report",
	} {
		if _, err := Decode(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%s): err = %v, want %q", in, err, want)
		}
	}
}

// TestSchema checks reports (plain, with coverage, merged) against
// schema/audit.schema.json, the contract CI scripts read.
func TestSchema(t *testing.T) {
	t.Parallel()
	sch, err := schematest.Compile(schema.AuditURL, schema.Audit)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge([]Named{{"a", shardReport(t, &Shard{1, 2}, "a")}, {"b", shardReport(t, &Shard{2, 2}, "b")}})
	if err != nil {
		t.Fatal(err)
	}
	covered := Build([]Input{{Account: prod, InFiles: false,
		Live:  []config.Connect{liveConnect("x", "1", jsonSIM("https://a.example.com")), liveConnect("y", "2", jsonSIM("https://b.example.com"))},
		Users: map[string]Users{"1": {Count: 3}, "2": {Err: errors.New("403")}}}}, Options{Policy: config.DefaultPolicy(), Coverage: true})
	w := delivery.Window{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)}
	delivered := Build([]Input{
		{Account: prod, InFiles: true, Live: []config.Connect{liveConnect("x", "1", jsonSIM("https://a.example.com"))},
			Failures: []docusign.LogEntry{{EnvelopeID: "e", ConnectID: "1", Created: "2026-11-02T00:00:00Z", Error: "503"}, {EnvelopeID: "f", ConnectID: "1", Created: "some day"}}},
		{Account: config.Account{Alias: "eu", AccountID: "2"}, InFiles: true, FailuresErr: errors.New("failure log not read")},
	}, Options{Policy: config.DefaultPolicy(), Delivery: &w})
	for name, r := range map[string]*Report{"shard": shardReport(t, &Shard{1, 2}, "a", "b"), "merged": merged, "covered": covered, "empty": Build(nil, Options{}), "delivery": delivered} {
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(r); err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v\n%s", name, err, b.String())
		}
	}
}
