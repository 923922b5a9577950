package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/schema"
	"github.com/connectsync/connectsync/schema/schematest"
)

const (
	envOrder1041 = "93be49ab-1c2d-4e5f-8a9b-f752070d71ec"
	envOrder1042 = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	envNDA       = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
)

// deliveryFixtures are the reports to render, one golden file per fixture
// per format: testdata/delivery/<name>.{txt,color.txt,json,md}. Listener
// URLs carry credentials ("s3cret") that must never show.
func deliveryFixtures() map[string]any {
	now := time.Date(2026, 11, 8, 12, 0, 0, 0, time.UTC)
	week := delivery.Window{Since: now.Add(-7 * 24 * time.Hour), Until: now}
	configs := []delivery.Config{
		{ConnectID: "22210641", Name: "orders", URL: "https://listener:s3cret@hooks.acme.com/orders"},
		{ConnectID: "22210642", Name: "signers | EU", URL: "https://hooks.acme.com/signers"},
	}
	failures := []docusign.LogEntry{
		{FailureID: "f1", EnvelopeID: envOrder1041, ConnectID: "22210641", ConfigURL: "https://listener:s3cret@hooks.acme.com/orders",
			Error: "The remote server returned an error: (503) Server Unavailable.", Created: "2026-11-06T14:02:11.0000000Z", LastTry: "2026-11-08T09:12:40.0000000Z", RetryCount: 7, Status: "Completed"},
		{FailureID: "f2", EnvelopeID: envOrder1042, ConnectID: "22210641", ConfigURL: "https://listener:s3cret@hooks.acme.com/orders",
			Error: "Unable to connect to the remote server", Created: "2026-11-07T08:00:00Z", LastTry: "2026-11-07T08:30:00Z", RetryCount: 2, Status: "Sent"},
		{FailureID: "f3", EnvelopeID: envNDA, ConnectID: "22200001", ConfigURL: "https://old.acme.com/hook", Error: "404 <html>Not Found</html>", Created: "2026-11-05T10:00:00Z"},
		// Untrusted text: a terminal escape, a forged line and a bidi override.
		{FailureID: "f4", EnvelopeID: envNDA + "\x1b]0;pwned\x07", ConnectID: "22210642", Error: "503\x1b[2J\r\nNo failed deliveries.\u202e", Created: "2026-11-04T10:00:00Z\u202e"},
	}
	failuresReport := delivery.BuildFailures([]delivery.Input{
		{Alias: "acme-prod", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", Configs: configs, Entries: failures},
		{Alias: "acme-eu", AccountID: "2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4", Configs: configs},
		{Alias: "initech", AccountID: "c3d4e5f6-a7b8-4c91-8d2e-3f4a5b6c7d8e", Err: errors.New("account initech: list the Connect failure log: 400 ACCOUNT_LACKS_PERMISSIONS: Connect is not enabled for this account.")},
	}, delivery.Options{Tool: "connectsync test", Window: week})

	logs := []docusign.LogEntry{
		{LogID: "l1", EnvelopeID: envNDA, ConnectID: "22210642", Created: "2026-11-08T07:00:00Z", Status: "Sent"},
		{LogID: "l2", EnvelopeID: envNDA, ConnectID: "22210642", Created: "2026-11-08T10:00:00Z", Status: "Completed", Error: "503 Server Unavailable",
			DebugLog: []docusign.DebugLog{
				{ConnectConfig: "signers | EU", EventDateTime: "2026-11-08T10:00:00.1000000Z", EventDescription: "Posted to https://user:s3cret@hooks.acme.com/signers", Payload: `{"event":"envelope-completed","data":{"envelopeId":"` + envNDA + `"}}`},
				{ConnectConfig: "signers | EU", EventDateTime: "2026-11-08T10:00:01Z", EventDescription: "Listener answered", ErrorDetails: &docusign.ErrorDetails{ErrorCode: "LISTENER_ERROR", Message: "503 Server Unavailable"}},
			}},
	}
	logsReport := delivery.BuildLogs([]delivery.Input{{Alias: "acme-eu", AccountID: "2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4", Configs: configs, Entries: logs}},
		delivery.Options{Tool: "connectsync test", Window: week})
	oneEnvelope := delivery.BuildLogs([]delivery.Input{{Alias: "acme-eu", AccountID: "2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4", Configs: configs, Entries: logs[1:]}},
		delivery.Options{Tool: "connectsync test", Window: week, Envelope: envNDA})

	since := week.Since
	retry := delivery.BuildRetry(delivery.RetryInput{
		Alias: "acme-prod", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", Selection: "all", Since: &since, Name: "orders", Configs: configs,
		Requested: []string{envOrder1041, envOrder1042},
		Results: []docusign.RetryResult{
			{EnvelopeID: envOrder1041, ConfigID: "22210641", ConfigURL: "https://listener:s3cret@hooks.acme.com/orders", Status: "Success", StatusMessage: "Queued for republish."},
			{EnvelopeID: envOrder1042, Status: "Failed", StatusMessage: "The envelope has no failure in the Connect failure log of this account."},
		},
	}, "connectsync test")
	republish := delivery.BuildRepublish("acme-prod", "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f", configs[0], []string{envOrder1041, envOrder1042},
		docusign.PublishTransaction{ID: "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c", ProcessingStatus: "processing", EnvelopeCount: 2, SubmittedForPublishing: 2,
			SubmissionDate: "2026-11-08T12:00:00.0000000Z"}, "connectsync test")
	return map[string]any{
		"failures": failuresReport, "logs": logsReport, "logs-envelope": oneEnvelope, "retry": retry, "republish": republish,
	}
}

func renderDelivery(t *testing.T, report any, color bool) (txt, js, md string) {
	t.Helper()
	var tb, jb, mb bytes.Buffer
	o := Options{Color: color}
	var err error
	switch r := report.(type) {
	case *delivery.FailuresReport:
		FailuresText(&tb, r, o)
		err = FailuresMarkdown(&mb, r)
	case *delivery.LogsReport:
		LogsText(&tb, r, o)
		err = LogsMarkdown(&mb, r)
	case *delivery.RetryReport:
		RetryText(&tb, r, o)
		err = RetryMarkdown(&mb, r)
	case *delivery.RepublishReport:
		RepublishText(&tb, r, o)
		err = RepublishMarkdown(&mb, r)
	default:
		t.Fatalf("unknown report %T", report)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := DeliveryJSON(&jb, report); err != nil {
		t.Fatal(err)
	}
	return tb.String(), jb.String(), mb.String()
}

func TestDeliveryGolden(t *testing.T) {
	sch, err := schematest.Compile(schema.DeliveryURL, schema.Delivery)
	if err != nil {
		t.Fatal(err)
	}
	for name, report := range deliveryFixtures() {
		t.Run(name, func(t *testing.T) {
			txt, js, md := renderDelivery(t, report, false)
			color, _, _ := renderDelivery(t, report, true)
			for ext, got := range map[string]string{"txt": txt, "color.txt": color, "json": js, "md": md} {
				golden := filepath.Join("testdata", "delivery", name+"."+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s (-want +got; go test -update rewrites it):\n%s", golden, diff)
				}
				if strings.Contains(got, "s3cret") {
					t.Errorf("%s: a listener's credentials leaked:\n%s", golden, got)
				}
				if ext != "color.txt" && strings.ContainsAny(got, "\x1b\x07\r\u202e") || strings.Contains(got, "\nNo failed deliveries.") {
					t.Errorf("%s: untrusted text is not inert:\n%q", golden, got)
				}
			}
			var doc any
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("the JSON does not follow schema/delivery.schema.json: %v", err)
			}
		})
	}
}

// The schema refuses what it should: a document of one kind in the shape
// of another, and unknown keys.
func TestDeliverySchemaRefuses(t *testing.T) {
	sch, err := schematest.Compile(schema.DeliveryURL, schema.Delivery)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{
		"unknown kind":    `{"format_version":"1","kind":"probe","tool":"x"}`,
		"wrong shape":     `{"format_version":"1","kind":"retry","tool":"x","since":"2026-11-01T00:00:00Z","until":"2026-11-08T00:00:00Z","summary":{"accounts":0,"failed":0,"failures":0,"configurations":0},"accounts":[]}`,
		"other version":   `{"format_version":"2","kind":"logs","tool":"x","since":"2026-11-01T00:00:00Z","until":"2026-11-08T00:00:00Z","summary":{"accounts":0,"failed":0,"entries":0,"errors":0},"accounts":[]}`,
		"unknown outcome": `{"format_version":"1","kind":"retry","tool":"x","account":"a","account_id":"b","selection":"all","summary":{"requested":1,"accepted":1,"refused":0,"not_sent":0},"results":[{"envelope_id":"e","outcome":"maybe"}]}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		if sch.Validate(v) == nil {
			t.Errorf("%s: the schema accepts %s", name, doc)
		}
	}
}
