package delivery

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/docusign"
)

var (
	now    = time.Date(2026, 11, 8, 12, 0, 0, 0, time.UTC)
	week   = Window{Since: now.Add(-7 * 24 * time.Hour), Until: now}
	orders = Config{ConnectID: "101", Name: "orders", URL: "https://hooks.example.com/orders"}
	sign   = Config{ConnectID: "102", Name: "signers", URL: "https://hook:pw@hooks.example.com/signers"}
)

const (
	envA = "93be49ab-1c2d-4e5f-8a9b-f752070d71ec"
	envB = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	envC = "4b7e1c2a-9d3f-4e6b-8a1c-2f3e4d5c6b7a"
)

func TestParseSince(t *testing.T) {
	t.Parallel()
	ok := map[string]time.Time{
		"7d":                        now.Add(-7 * 24 * time.Hour),
		"24h":                       now.Add(-24 * time.Hour),
		"90m":                       now.Add(-90 * time.Minute),
		"1d12h":                     now.Add(-36 * time.Hour),
		" 2026-11-01 ":              time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"2026-11-01T08:00:00Z":      time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
		"2026-11-01T09:00:00+01:00": time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
	}
	for s, want := range ok {
		if got, err := ParseSince(s, now); err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for s, why := range map[string]string{
		"":           "not a duration",
		"7":          "not a duration",
		"a week":     "not a duration",
		"0h":         "no time at all",
		"-2h":        "not a duration",
		"2026-13-01": "not a duration",
		"2027-01-01": "in the future",
		"10ms":       "not a duration",
	} {
		_, err := ParseSince(s, now)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), SinceForms) {
			t.Errorf("ParseSince(%q): err = %v, want %q and the accepted forms", s, err, why)
		}
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	entries := []docusign.LogEntry{
		{FailureID: "f1", EnvelopeID: envA, ConnectID: "101", ConfigURL: "https://listener:s3cret@hooks.example.com/orders",
			Error: "could not post to https://listener:s3cret@hooks.example.com/orders: 503", Created: "2026-11-06T14:00:00.0000000Z", LastTry: "2026-11-07T09:12:00Z", RetryCount: 3, Status: "Completed"},
		{FailureID: "f2", EnvelopeID: envB, ConnectID: "999", ConfigURL: "https://gone.example.com", Error: "timeout", Created: "2026-11-07T10:00:00Z"},
		// No connectId: named by its URL.
		{FailureID: "f3", EnvelopeID: envC, ConfigURL: "https://REDACTED@hooks.example.com/signers", Error: "refused", Created: "11/8/2026 8:00:00 AM"},
		// Made before the window but tried within it: kept.
		{FailureID: "f4", EnvelopeID: envC, ConnectID: "101", Created: "2026-10-01T00:00:00Z", LastTry: "2026-11-08T11:00:00Z"},
		// Entirely before the window: left out, even if DocuSign answered it.
		{FailureID: "f5", EnvelopeID: envC, ConnectID: "101", Created: "2026-10-01T00:00:00Z", LastTry: "2026-10-02T00:00:00Z"},
		// Unreadable dates: kept, shown as written.
		{FailureID: "f6", EnvelopeID: envA, ConnectID: "102", Created: "sometime"},
	}
	got := Failures(entries, []Config{orders, sign}, week)
	var ids []string
	for _, f := range got {
		ids = append(ids, f.FailureID+":"+f.Configuration)
	}
	// Newest first; unreadable dates last.
	if diff := cmp.Diff([]string{"f3:signers", "f2:", "f1:orders", "f4:orders", "f6:signers"}, ids); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	f1 := got[2]
	if strings.Contains(f1.URL+f1.Error, "s3cret") || !strings.Contains(f1.URL, "REDACTED@hooks.example.com") {
		t.Errorf("credentials not redacted: %+v", f1)
	}
	if f1.RetryCount != 3 || f1.Created.String() != "2026-11-06 14:00 UTC" || got[4].Created.String() != "sometime" {
		t.Errorf("f1 = %+v, f6 created %q", f1, got[4].Created)
	}

	health := ByConfiguration(got)
	type row struct {
		Name, ID      string
		N             int
		Last, LastErr string
	}
	var rows []row
	for _, h := range health {
		rows = append(rows, row{h.Configuration, h.ConnectID, h.Failures, h.LastFailure.String(), h.LastError})
	}
	want := []row{
		{"orders", "101", 2, "2026-11-08 11:00 UTC", ""},
		{"signers", "102", 2, "2026-11-08 08:00 UTC", "refused"},
		{"", "999", 1, "2026-11-07 10:00 UTC", "timeout"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("by configuration (-want +got):\n%s", diff)
	}
}

func TestBuildFailures(t *testing.T) {
	t.Parallel()
	inputs := []Input{
		{Alias: "prod", AccountID: "a1", Configs: []Config{orders, sign}, Entries: []docusign.LogEntry{
			{EnvelopeID: envA, ConnectID: "101", Created: "2026-11-07T10:00:00Z", Error: "503"},
			{EnvelopeID: envB, ConnectID: "102", Created: "2026-11-07T11:00:00Z", Error: "timeout"},
		}},
		{Alias: "eu", AccountID: "a2", Configs: []Config{orders}},
		{Alias: "broken", AccountID: "a3", Err: errors.New("403 USER_LACKS_PERMISSIONS at https://u:pw@x.example.com")},
	}
	r := BuildFailures(inputs, Options{Tool: "connectsync test", Window: week, Name: "orders"})
	if diff := cmp.Diff(FailuresSummary{Accounts: 3, Failed: 1, Failures: 1, Configurations: 1}, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if r.Kind != KindFailures || r.FormatVersion != FormatVersion || !r.Since.Equal(week.Since) || r.Name != "orders" {
		t.Errorf("report header: %+v", r)
	}
	if got := r.Accounts[0].Failures; len(got) != 1 || got[0].EnvelopeID != envA {
		t.Errorf("--name orders kept %+v", got)
	}
	if r.Accounts[1].Failures == nil || r.Accounts[1].Configurations == nil {
		t.Error("an account without failures has nil lists (JSON null)")
	}
	if e := r.Accounts[2].Error; strings.Contains(e, "pw@") || !strings.Contains(e, "USER_LACKS_PERMISSIONS") {
		t.Errorf("error = %q", e)
	}
}

func TestBuildLogs(t *testing.T) {
	t.Parallel()
	entries := []docusign.LogEntry{
		{LogID: "l1", EnvelopeID: envA, ConnectID: "101", Created: "2026-11-07T10:00:00Z", Status: "Sent"},
		{LogID: "l2", EnvelopeID: envA, ConnectID: "101", Created: "2026-11-07T11:00:00Z", Status: "Completed", Error: "503",
			DebugLog: []docusign.DebugLog{{ConnectConfig: "orders", EventDateTime: "2026-11-07T11:00:01Z", EventDescription: "Posted to https://u:pw@hooks.example.com",
				ErrorDetails: &docusign.ErrorDetails{ErrorCode: "E", Message: "503"}, Payload: `{"x":1}`}}},
		{LogID: "l3", EnvelopeID: envB, ConnectID: "102", Created: "2026-11-07T12:00:00Z"},
		{LogID: "l0", EnvelopeID: envA, ConnectID: "101", Created: "2026-10-01T12:00:00Z"},
	}
	r := BuildLogs([]Input{{Alias: "prod", AccountID: "a1", Configs: []Config{orders, sign}, Entries: entries}}, Options{Window: week, Envelope: strings.ToUpper(envA)})
	got := r.Accounts[0].Entries
	if len(got) != 2 || got[0].LogID != "l2" || got[1].LogID != "l1" || got[0].Configuration != "orders" {
		t.Fatalf("entries = %+v", got)
	}
	d := got[0].Debug[0]
	if d.ErrorCode != "E" || d.ErrorMessage != "503" || strings.Contains(d.Description, "pw@") || d.Time.String() != "2026-11-07 11:00 UTC" {
		t.Errorf("debug = %+v", d)
	}
	if r.Summary != (LogsSummary{Accounts: 1, Entries: 2, Errors: 1}) {
		t.Errorf("summary = %+v", r.Summary)
	}
}

func TestBuildRetry(t *testing.T) {
	t.Parallel()
	since := week.Since
	in := RetryInput{
		Alias: "prod", AccountID: "a1", Selection: "all", Since: &since, Name: "orders", Configs: []Config{orders, sign},
		Requested: []string{envA, envB, envC},
		Results: []docusign.RetryResult{
			{EnvelopeID: envA, ConfigID: "101", Status: "Success"},
			{EnvelopeID: strings.ToUpper(envA), ConfigID: "102", Status: "Failed", StatusMessage: "listener https://u:pw@x.example.com refused"},
			{EnvelopeID: envB, Status: "Queued"},
			{EnvelopeID: "ffffffff-0000-4000-8000-000000000000", Status: "Success"},
		},
	}
	r := BuildRetry(in, "connectsync test")
	type row struct{ Env, Config, Outcome string }
	var rows []row
	for _, l := range r.Results {
		rows = append(rows, row{l.EnvelopeID, l.Configuration, l.Outcome})
	}
	want := []row{
		{envA, "orders", OutcomeAccepted}, {envA, "signers", OutcomeRefused}, {envB, "", OutcomeAccepted},
		{envC, "", OutcomeAccepted}, {"ffffffff-0000-4000-8000-000000000000", "", OutcomeAccepted},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if r.Summary != (RetrySummary{Requested: 3, Accepted: 2, Refused: 1}) {
		t.Errorf("summary = %+v", r.Summary)
	}
	if refused := r.Refused(); len(refused) != 1 || refused[0].EnvelopeID != envA || strings.Contains(refused[0].Message, "pw@") {
		t.Errorf("refused = %+v", refused)
	}

	// A call failed part way: envelopes without an answer were not sent.
	in.Results, in.Err = in.Results[:1], errors.New("retry envelopes ...: 503")
	r = BuildRetry(in, "t")
	if r.Summary != (RetrySummary{Requested: 3, Accepted: 1, NotSent: 2}) || r.Error == "" || r.Results[1].Outcome != OutcomeNotSent {
		t.Errorf("after a failed call: %+v", r)
	}
}

func TestBuildRepublish(t *testing.T) {
	t.Parallel()
	tx := docusign.PublishTransaction{ID: "tx", ProcessingStatus: "processing", EnvelopeCount: 2, SubmittedForPublishing: 2, ErrorCount: 1,
		ErrorRollups: []docusign.PublishErrorRollup{{ErrorType: "ENVELOPE_NOT_FOUND", Count: 1}}, SubmissionDate: "2026-11-08T12:00:00.0000000Z"}
	r := BuildRepublish("prod", "a1", Config{ConnectID: "101", Name: "orders", URL: "https://u:pw@hooks.example.com"}, []string{envA, envB}, tx, "t")
	if r.Kind != KindRepublish || r.Transaction.Submitted != 2 || r.Transaction.ErrorTypes[0].Count != 1 || strings.Contains(r.URL, "pw") ||
		r.Transaction.SubmissionDate.String() != "2026-11-08 12:00 UTC" {
		t.Errorf("report = %+v", r)
	}
}

func TestTimeJSON(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"2026-11-07T09:12:40.1230000Z": `"2026-11-07T09:12:40Z"`, "soon": `"soon"`} {
		b, err := json.Marshal(ParseTime(in))
		if err != nil || string(b) != want {
			t.Errorf("marshal %q = %s, %v; want %s", in, b, err, want)
		}
		var back Time
		if err := json.Unmarshal(b, &back); err != nil || back.String() != ParseTime(in).String() {
			t.Errorf("round trip of %q: %v %v", in, back, err)
		}
	}
	type wrap struct {
		T Time `json:"t,omitzero"`
	}
	if b, _ := json.Marshal(wrap{}); string(b) != "{}" {
		t.Errorf("zero time: %s, want it left out", b)
	}
}
