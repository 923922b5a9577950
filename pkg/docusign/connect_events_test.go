package docusign

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The failure log, the Connect log, the retry queue and historical
// republish (connect_failures.go, connect_logs.go, connect_retry.go).

const (
	envelopeA = "93be49ab-1c2d-4e5f-8a9b-f752070d71ec"
	envelopeB = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
)

var (
	windowFrom = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	windowTo   = time.Date(2026, 11, 8, 8, 0, 0, 0, time.UTC)
)

func init() {
	for name, call := range map[string]func(context.Context, *Client) error{
		"ListFailures": func(ctx context.Context, c *Client) error {
			_, err := c.ListFailures(ctx, testAccount, windowFrom, windowTo)
			return err
		},
		"DeleteFailure": func(ctx context.Context, c *Client) error { return c.DeleteFailure(ctx, testAccount, AllFailures) },
		"ListLogs": func(ctx context.Context, c *Client) error {
			_, err := c.ListLogs(ctx, testAccount, windowFrom, windowTo)
			return err
		},
		"GetLog": func(ctx context.Context, c *Client) error {
			_, err := c.GetLog(ctx, testAccount, "3c4d", true)
			return err
		},
		"DeleteLog":  func(ctx context.Context, c *Client) error { return c.DeleteLog(ctx, testAccount, "3c4d") },
		"DeleteLogs": func(ctx context.Context, c *Client) error { return c.DeleteLogs(ctx, testAccount) },
		"RetryEnvelopes": func(ctx context.Context, c *Client) error {
			_, err := c.RetryEnvelopes(ctx, testAccount, []string{envelopeA})
			return err
		},
		"RetryEnvelope": func(ctx context.Context, c *Client) error {
			_, err := c.RetryEnvelope(ctx, testAccount, envelopeA)
			return err
		},
		"RepublishHistorical": func(ctx context.Context, c *Client) error {
			_, err := c.RepublishHistorical(ctx, testAccount, Configuration{Name: "orders"}, []string{envelopeA})
			return err
		},
	} {
		endpoints[name] = call
	}
}

func TestListFailures(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/failures", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if got, want := r.URL.Query().Get("from_date"), "2026-11-01T08:00:00Z"; got != want {
			t.Errorf("from_date = %q, want %q", got, want)
		}
		if got, want := r.URL.Query().Get("to_date"), "2026-11-08T08:00:00Z"; got != want {
			t.Errorf("to_date = %q, want %q", got, want)
		}
		serveFile(t, w, http.StatusOK, "connect-failures.json")
	})
	got, err := ts.client.ListFailures(context.Background(), testAccount, windowFrom, windowTo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	first := got[0]
	if first.EnvelopeID != envelopeA || first.ConnectID != "22210641" || first.RetryCount != 3 || first.FailureID == "" ||
		first.Error != "The remote server returned an error: (503) Server Unavailable." {
		t.Errorf("first entry = %+v", first)
	}
	if created, ok := ParseTime(first.Created); !ok || !created.Equal(time.Date(2026, 11, 6, 14, 2, 11, 353000000, time.UTC)) {
		t.Errorf("created %q parsed as %v %v", first.Created, created, ok)
	}
	if last, ok := ParseTime(got[1].LastTry); !ok || !last.Equal(time.Date(2026, 11, 7, 8, 5, 0, 0, time.UTC)) {
		t.Errorf("US-style lastTry %q parsed as %v %v", got[1].LastTry, last, ok)
	}
}

func TestListFailuresWithoutWindowSendsNoDates(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/failures", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			t.Errorf("query %q, want none", r.URL.RawQuery)
		}
		writeJSON(w, http.StatusOK, `{"totalRecords":"0"}`)
	})
	if _, err := ts.client.ListFailures(context.Background(), testAccount, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// The reference does not say how an empty list looks, nor whether the
// failure endpoint always uses the failures key: every plausible form reads.
func TestLogListsAcceptEveryForm(t *testing.T) {
	t.Parallel()
	entry := `{"envelopeId":"` + envelopeA + `","connectId":"7"}`
	tests := map[string]struct {
		body string
		want int
	}{
		"empty body":             {"", 0},
		"null":                   {"null", 0},
		"empty object":           {"{}", 0},
		"only totalRecords":      {`{"totalRecords":"0"}`, 0},
		"empty lists":            {`{"failures":[],"logs":[],"totalRecords":"0"}`, 0},
		"null list":              {`{"failures":null,"logs":null}`, 0},
		"own key":                {`{"failures":[` + entry + `],"logs":[` + entry + `],"totalRecords":1}`, 1},
		"the other key":          {`{"logs":[` + entry + `,` + entry + `],"totalRecords":"2"}`, 2},
		"bare array":             {`[` + entry + `]`, 1},
		"number retryCount":      {`{"failures":[{"envelopeId":"x","retryCount":2}]}`, 1},
		"unknown fields ignored": {`{"failures":[{"envelopeId":"x","newIn2027":{"a":1}}],"page":"1"}`, 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			for _, p := range []string{"/failures", "/logs"} {
				ts.mux.HandleFunc(connectURL+p, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, tt.body)
				})
			}
			failures, err := ts.client.ListFailures(context.Background(), testAccount, windowFrom, windowTo)
			if err != nil || len(failures) != tt.want {
				t.Errorf("ListFailures: %d entries, %v; want %d", len(failures), err, tt.want)
			}
			logs, err := ts.client.ListLogs(context.Background(), testAccount, windowFrom, windowTo)
			if err != nil || len(logs) != tt.want {
				t.Errorf("ListLogs: %d entries, %v; want %d", len(logs), err, tt.want)
			}
		})
	}
}

func TestListLogsAndGetLog(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/logs", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if r.URL.Query().Get("from_date") == "" {
			t.Errorf("no from_date in %q", r.URL.RawQuery)
		}
		serveFile(t, w, http.StatusOK, "connect-logs.json")
	})
	ts.mux.HandleFunc(connectURL+"/logs/{id}", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if got := r.URL.Query().Get("additional_info"); got != "true" {
			t.Errorf("additional_info = %q, want true", got)
		}
		if r.PathValue("id") == "wrapped" {
			writeJSON(w, http.StatusOK, `{"logs":[{"logId":"other"},{"logId":"wrapped","envelopeId":"`+envelopeA+`"}],"totalRecords":"2"}`)
			return
		}
		serveFile(t, w, http.StatusOK, "connect-log-additional.json")
	})
	logs, err := ts.client.ListLogs(context.Background(), testAccount, windowFrom, windowTo)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].LogID != "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f" || logs[0].Status != "Completed" {
		t.Fatalf("logs = %+v", logs)
	}
	entry, err := ts.client.GetLog(context.Background(), testAccount, logs[0].LogID, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []DebugLog{
		{ConnectConfig: "orders", EventDateTime: "2026-11-07T09:12:40.1230000Z", EventDescription: "Posted to https://hooks.example.com/docusign", Payload: `{"event":"envelope-completed"}`},
		{ConnectConfig: "orders", ErrorDetails: &ErrorDetails{ErrorCode: "CONNECT_LISTENER_ERROR", Message: "503 Server Unavailable"}, EventDateTime: "2026-11-07T09:12:41.0000000Z", EventDescription: "Listener answered"},
	}
	if diff := cmp.Diff(want, entry.DebugLog); diff != "" {
		t.Errorf("connectDebugLog (-want +got):\n%s", diff)
	}
	wrapped, err := ts.client.GetLog(context.Background(), testAccount, "wrapped", true)
	if err != nil || wrapped.EnvelopeID != envelopeA {
		t.Errorf("wrapped answer: %+v, %v", wrapped, err)
	}
}

func TestDeletes(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var seen []string
	record := func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+strings.TrimPrefix(r.URL.Path, connectURL))
		writeJSON(w, http.StatusOK, `{}`) // connectDeleteFailureResult has no fields
	}
	ts.mux.HandleFunc(connectURL+"/failures/{id}", record)
	ts.mux.HandleFunc(connectURL+"/logs/{id}", record)
	ts.mux.HandleFunc(connectURL+"/logs", func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+strings.TrimPrefix(r.URL.Path, connectURL))
		w.WriteHeader(http.StatusOK) // empty body, as the spec documents
	})
	ctx := context.Background()
	for _, err := range []error{
		ts.client.DeleteFailure(ctx, testAccount, AllFailures),
		ts.client.DeleteFailure(ctx, testAccount, "8e2f"),
		ts.client.DeleteLog(ctx, testAccount, "3c4d"),
		ts.client.DeleteLogs(ctx, testAccount),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"DELETE /failures/all", "DELETE /failures/8e2f", "DELETE /logs/3c4d", "DELETE /logs"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	for name, err := range map[string]error{
		"DeleteFailure": ts.client.DeleteFailure(ctx, testAccount, ""),
		"DeleteLog":     ts.client.DeleteLog(ctx, testAccount, ""),
		"GetLog":        func() error { _, err := ts.client.GetLog(ctx, testAccount, "", false); return err }(),
		"RetryEnvelope": func() error { _, err := ts.client.RetryEnvelope(ctx, testAccount, ""); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), "no ") {
			t.Errorf("%s without an id: %v", name, err)
		}
	}
}

func TestRetryEnvelopes(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/envelopes/retry_queue", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		testJSONBody(t, r, `{"envelopeIds":["`+envelopeA+`","`+envelopeB+`"]}`)
		serveFile(t, w, http.StatusOK, "connect-retry.json")
	})
	got, err := ts.client.RetryEnvelopes(context.Background(), testAccount, []string{envelopeA, envelopeB})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ConfigID != "22210641" || got[0].Refused() || !got[1].Refused() {
		t.Errorf("results = %+v", got)
	}
}

func TestRetryEnvelope(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/envelopes/{id}/retry_queue", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		if r.PathValue("id") != envelopeA {
			t.Errorf("envelope in the path: %q", r.PathValue("id"))
		}
		writeJSON(w, http.StatusOK, `{"retryQueue":[{"envelopeId":"`+envelopeA+`","status":"Success"}]}`)
	})
	got, err := ts.client.RetryEnvelope(context.Background(), testAccount, envelopeA)
	if err != nil || len(got) != 1 || got[0].Refused() {
		t.Errorf("RetryEnvelope = %+v, %v", got, err)
	}
}

// A long list goes in batches; a failed batch returns the results so far
// and names the envelopes it did not send.
func TestRetryEnvelopesBatches(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.MaxRetries = -1 })
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL+"/envelopes/retry_queue", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		var body struct{ EnvelopeIDs []string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		if len(body.EnvelopeIDs) > RetryBatchSize {
			t.Errorf("batch of %d envelopes", len(body.EnvelopeIDs))
		}
		if n == 3 {
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "no")
			return
		}
		var results []string
		for _, id := range body.EnvelopeIDs {
			results = append(results, fmt.Sprintf(`{"envelopeId":%q,"status":"Success"}`, id))
		}
		writeJSON(w, http.StatusOK, `{"retryQueue":[`+strings.Join(results, ",")+`]}`)
	})
	var ids []string
	for i := range 250 {
		ids = append(ids, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
	}
	got, err := ts.client.RetryEnvelopes(context.Background(), testAccount, ids)
	if calls.Load() != 3 || len(got) != 200 {
		t.Errorf("%d calls, %d results; want 3 and 200", calls.Load(), len(got))
	}
	if err == nil || !strings.Contains(err.Error(), ids[200]) || strings.Contains(err.Error(), ids[199]) {
		t.Errorf("err = %v, want it to name the unsent envelopes only", err)
	}
}

// The retry-queue PUT is safe to repeat: a 503 is retried.
func TestRetryQueueRetriedOn5xx(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL+"/envelopes/retry_queue", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeError(w, http.StatusServiceUnavailable, "", "busy")
			return
		}
		w.WriteHeader(http.StatusOK) // queued without a per-envelope answer
	})
	got, err := ts.client.RetryEnvelopes(context.Background(), testAccount, []string{envelopeA})
	if err != nil || len(got) != 0 || calls.Load() != 2 {
		t.Errorf("got %+v, %v after %d calls; want no results, no error, 2 calls", got, err, calls.Load())
	}
}

func TestRetryResultRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    RetryResult
		want bool
	}{
		{RetryResult{Status: "Success"}, false},
		{RetryResult{Status: "success", StatusMessage: "the listener failed before"}, false},
		{RetryResult{Status: "Queued"}, false},
		{RetryResult{Status: "Sent"}, false},
		{RetryResult{}, false},
		{RetryResult{Status: "Failed"}, true},
		{RetryResult{Status: "ERROR"}, true},
		{RetryResult{Status: "EnvelopeNotFound"}, true},
		{RetryResult{Status: "Invalid envelope id"}, true},
		{RetryResult{StatusMessage: "Unable to queue the envelope"}, true},
	}
	for _, tt := range tests {
		if got := tt.r.Refused(); got != tt.want {
			t.Errorf("%+v: Refused = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestRepublishHistorical(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/envelopes/publish/historical", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{
			"config": {"name":"orders","configurationType":"custom","urlToPublishTo":"https://hooks.example.com/docusign",
				"allowEnvelopePublish":"true","eventData":{"version":"restv2.1","format":"json"},"password":"listener-secret"},
			"envelopes": ["`+envelopeA+`","`+envelopeB+`"]}`)
		serveFile(t, w, http.StatusCreated, "connect-publish-historical.json")
	})
	tx, err := ts.client.RepublishHistorical(context.Background(), testAccount, Configuration{
		ConnectID: "22210641", Name: "orders", ConfigurationType: "custom", URLToPublishTo: "https://hooks.example.com/docusign",
		AllowEnvelopePublish: BoolPtr(true), EventData: &EventData{Version: "restv2.1", Format: "json"}, Password: "listener-secret",
	}, []string{envelopeA, envelopeB})
	if err != nil {
		t.Fatal(err)
	}
	if tx.ID != "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c" || tx.ProcessingStatus != "processing" || tx.EnvelopeCount != 2 || tx.SubmittedForPublishing != 2 || tx.SubmittedBy == nil {
		t.Errorf("transaction = %+v", tx)
	}
}

// The republish POST is not retried once it may have reached DocuSign.
func TestRepublishNotRetriedWhenOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL+"/envelopes/publish/historical", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeError(w, http.StatusBadGateway, "", "bad gateway")
	})
	_, err := ts.client.RepublishHistorical(context.Background(), testAccount, Configuration{Name: "orders"}, []string{envelopeA})
	if !IsOutcomeUnknown(err) || calls.Load() != 1 {
		t.Errorf("err = %v after %d calls; want IsOutcomeUnknown after 1", err, calls.Load())
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 11, 7, 9, 12, 40, 0, time.UTC)
	for _, s := range []string{
		"2026-11-07T09:12:40Z", "2026-11-07T09:12:40.0000000Z", "2026-11-07T09:12:40", "2026-11-07T10:12:40+01:00",
		"2026-11-07 09:12:40", "11/7/2026 9:12:40 AM", " 2026-11-07T09:12:40.000Z ",
	} {
		if got, ok := ParseTime(s); !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-13-01"} {
		if _, ok := ParseTime(s); ok {
			t.Errorf("ParseTime(%q) ok, want not", s)
		}
	}
}

func TestRedactText(t *testing.T) {
	t.Parallel()
	got := RedactText("could not post to https://listener:s3cret@hooks.example.com/x?token=abc: 401")
	if strings.Contains(got, "s3cret") || strings.Contains(got, "abc") || !strings.Contains(got, "hooks.example.com") {
		t.Errorf("RedactText = %q", got)
	}
}
