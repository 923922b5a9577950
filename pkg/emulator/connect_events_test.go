package emulator

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The failure log, the Connect log, the retry queue and historical
// republish (delivery.go, connect_failures.go, connect_logs.go, connect_retry.go).

// seedNow is the clock of these tests: the default seed's relative times
// ("26h ago") are dated from it.
var seedNow = time.Date(2026, 11, 8, 12, 0, 0, 0, time.UTC)

const (
	acmeFailedOld = "4b7e1c2a-9d3f-4e6b-8a1c-2f3e4d5c6b7a" // 26 h ago, retried 7 times
	acmeFailedNew = "7c2d9e4f-1a3b-4c5d-8e6f-9a0b1c2d3e4f" // 3 h ago
	otherEnvelope = "11111111-0000-4000-8000-000000000001"
)

func newClockEnv(t *testing.T, opts Options) (*testEnv, *fakeClock) {
	t.Helper()
	clock := newFakeClock(seedNow)
	opts.Now = clock.Now
	return newEnv(t, opts), clock
}

func (r response) list(t *testing.T, key string) []map[string]any {
	t.Helper()
	raw, _ := r.json(t)[key].([]any)
	var out []map[string]any
	for _, x := range raw {
		out = append(out, x.(map[string]any))
	}
	return out
}

func legacyConnectID(t *testing.T, env *testEnv) string {
	t.Helper()
	list, err := env.e.Configurations(AccountAcme)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Name == "Legacy order webhook" {
			return c.ConnectID
		}
	}
	t.Fatal("no Legacy order webhook in Acme")
	return ""
}

func TestFailureLog(t *testing.T) {
	t.Parallel()
	env, _ := newClockEnv(t, Options{})
	r := env.call("GET", connect(AccountAcme)+"/failures", nil)
	if r.status != http.StatusOK || r.json(t)["totalRecords"] != "2" {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	failures := r.list(t, "failures")
	id := legacyConnectID(t, env)
	first := failures[0]
	want := map[string]any{
		"accountId":  AccountAcme,
		"configUrl":  "http://legacy.example.com/docusign/connect",
		"connectId":  id,
		"created":    "2026-11-07T10:00:00.0000000Z",
		"email":      "user001.18204415@example.com",
		"envelopeId": acmeFailedOld,
		"error":      "The remote server returned an error: (503) Server Unavailable.",
		"failureId":  first["failureId"],
		"failureUri": "/v2.1/accounts/" + AccountAcme + "/connect/failures/" + first["failureId"].(string),
		"lastTry":    "2026-11-08T11:20:00.0000000Z",
		"retryCount": "7",
		"retryUri":   "/v2.1/accounts/" + AccountAcme + "/connect/envelopes/" + acmeFailedOld + "/retry_queue",
		"status":     "Completed",
		"subject":    "Please sign: order 1041",
		"userName":   "Sample User 001",
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first failure (-want +got):\n%s", diff)
	}
	if !isGUID(first["failureId"].(string)) {
		t.Errorf("failureId %v is not a GUID", first["failureId"])
	}

	// The window: created within [from_date, to_date], any accepted form.
	for q, n := range map[string]int{
		"?from_date=2026-11-08T08:00:00Z":                                      1,
		"?from_date=2026-11-08T08:00:00.0000000Z&to_date=2026-11-08T10:00:00Z": 1,
		"?from_date=2026-11-01":                                                2,
		"?to_date=2026-11-08T00:00:00Z":                                        1,
		"?from_date=2026-11-08T09:30:00":                                       0,
	} {
		r := env.call("GET", connect(AccountAcme)+"/failures"+q, nil)
		if got := len(r.list(t, "failures")); r.status != 200 || got != n {
			t.Errorf("%s: %d failures (%d %s), want %d", q, got, r.status, r.body, n)
		}
	}
	// The empty list: no failures key, totalRecords "0".
	if r := env.call("GET", connect(AccountAcme)+"/failures?from_date=2026-11-08T11:59:00Z", nil); string(r.body) != `{"totalRecords":"0"}` {
		t.Errorf("empty list: %s", r.body)
	}
	for _, q := range []string{"?from_date=yesterday", "?to_date=2026-13-01", "?from_date=2026-11-08&to_date=2026-11-01"} {
		if r := env.call("GET", connect(AccountAcme)+"/failures"+q, nil); r.status != 400 || r.errorCode(t) != CodeInvalidRequestParameter {
			t.Errorf("%s: got %d %s, want 400 INVALID_REQUEST_PARAMETER", q, r.status, r.body)
		}
	}
}

func TestDeleteFailure(t *testing.T) {
	t.Parallel()
	env, _ := newClockEnv(t, Options{})
	failures := env.call("GET", connect(AccountAcme)+"/failures", nil).list(t, "failures")
	r := env.call("DELETE", connect(AccountAcme)+"/failures/"+failures[0]["failureId"].(string), nil)
	if r.status != 200 || string(r.body) != "{}" {
		t.Errorf("delete one: %d %s, want 200 {}", r.status, r.body)
	}
	if left := env.call("GET", connect(AccountAcme)+"/failures", nil).list(t, "failures"); len(left) != 1 || left[0]["envelopeId"] != acmeFailedNew {
		t.Errorf("left: %v", left)
	}
	if r := env.call("DELETE", connect(AccountAcme)+"/failures/"+failures[0]["failureId"].(string), nil); r.status != 400 || r.errorCode(t) != CodeFailureNotFound {
		t.Errorf("delete again: %d %s", r.status, r.body)
	}
	if r := env.call("DELETE", connect(AccountAcme)+"/failures/all", nil); r.status != 200 {
		t.Errorf("delete all: %d %s", r.status, r.body)
	}
	if got, _ := env.e.Failures(AccountAcme); len(got) != 0 {
		t.Errorf("%d failures after delete all", len(got))
	}
}

func TestRecordFailure(t *testing.T) {
	t.Parallel()
	env, clock := newClockEnv(t, Options{})
	id := legacyConnectID(t, env)
	first, err := env.e.RecordFailure(AccountAcme, Delivery{ConnectID: id, EnvelopeID: otherEnvelope, Status: "Sent", Error: "timeout"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	again, err := env.e.RecordFailure(AccountAcme, Delivery{ConnectID: id, EnvelopeID: strings.ToUpper(otherEnvelope), Error: "503"})
	if err != nil || again != first {
		t.Fatalf("second failure of the same post: id %q, %v; want the same entry %q", again, err, first)
	}
	got, _ := env.e.Failures(AccountAcme)
	last := got[len(got)-1]
	if len(got) != 3 || last.RetryCount != "1" || last.Error != "503" || last.Status != "Sent" || last.LastTry != "2026-11-08T13:00:00.0000000Z" || last.Created != "2026-11-08T12:00:00.0000000Z" {
		t.Errorf("updated entry: %+v (of %d)", last, len(got))
	}
	for name, d := range map[string]Delivery{
		"unknown configuration": {ConnectID: "424242", EnvelopeID: otherEnvelope},
		"no envelope":           {ConnectID: id},
	} {
		if _, err := env.e.RecordFailure(AccountAcme, d); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := env.e.RecordFailure("00000000-0000-4000-8000-000000000000", Delivery{ConnectID: id, EnvelopeID: otherEnvelope}); err == nil {
		t.Error("unknown account: no error")
	}
}

func TestConnectLog(t *testing.T) {
	t.Parallel()
	env, clock := newClockEnv(t, Options{})
	r := env.call("GET", connect(AccountGlobex)+"/logs", nil)
	logs := r.list(t, "logs")
	if r.status != 200 || r.json(t)["totalRecords"] != "2" || len(logs) != 2 || logs[0]["status"] != "Sent" || logs[0]["logId"] == nil {
		t.Fatalf("logs: %d %s", r.status, r.body)
	}
	if _, ok := logs[0]["connectDebugLog"]; ok {
		t.Error("the list answers connectDebugLog")
	}

	cfgs, _ := env.e.Configurations(AccountGlobex)
	var sim, signers string
	for _, c := range cfgs {
		switch c.Name {
		case "Globex JSON SIM":
			sim = c.ConnectID
		case "Globex signer updates":
			signers = c.ConnectID
		}
	}
	debug := []DebugLog{{ConnectConfig: "Globex JSON SIM", EventDateTime: WireTime(seedNow), EventDescription: "Posted", Payload: `{"event":"envelope-sent"}`},
		{ConnectConfig: "Globex JSON SIM", ErrorDetails: &ErrorDetail{ErrorCode: "LISTENER_ERROR", Message: "503"}, EventDateTime: WireTime(seedNow)}}
	logID, err := env.e.RecordLog(AccountGlobex, Delivery{ConnectID: sim, EnvelopeID: otherEnvelope, Status: "Sent", Error: "503", Debug: debug})
	if err != nil || logID == "" {
		t.Fatalf("RecordLog: %q %v", logID, err)
	}
	plain := env.call("GET", connect(AccountGlobex)+"/logs/"+logID, nil).json(t)
	if _, ok := plain["connectDebugLog"]; ok || plain["logId"] != logID || plain["error"] != "503" {
		t.Errorf("without additional_info: %v", plain)
	}
	full := env.call("GET", connect(AccountGlobex)+"/logs/"+logID+"?additional_info=true", nil)
	if got := full.list(t, "connectDebugLog"); len(got) != 2 || got[1]["errorDetails"].(map[string]any)["errorCode"] != "LISTENER_ERROR" {
		t.Errorf("with additional_info: %s", full.body)
	}
	if r := env.call("GET", connect(AccountGlobex)+"/logs/"+logID+"?additional_info=maybe", nil); r.status != 400 {
		t.Errorf("additional_info=maybe: %d", r.status)
	}
	if r := env.call("GET", connect(AccountGlobex)+"/logs/nope", nil); r.status != 400 || r.errorCode(t) != CodeLogNotFound {
		t.Errorf("unknown logId: %d %s", r.status, r.body)
	}

	// enableLog off: nothing is logged, as at DocuSign.
	env.call("PUT", connect(AccountGlobex), map[string]any{"connectId": signers, "name": "Globex signer updates", "configurationType": "customrecipient",
		"urlToPublishTo": "https://hooks.globex.example.com/docusign/recipients", "allUsers": true, "enableLog": false})
	if id, err := env.e.RecordLog(AccountGlobex, Delivery{ConnectID: signers, EnvelopeID: otherEnvelope}); err != nil || id != "" {
		t.Errorf("RecordLog with enableLog off: %q %v, want nothing recorded", id, err)
	}

	// Deletes: one, then all.
	if r := env.call("DELETE", connect(AccountGlobex)+"/logs/"+logID, nil); r.status != 200 || len(r.body) != 0 {
		t.Errorf("delete one: %d %s", r.status, r.body)
	}
	if r := env.call("DELETE", connect(AccountGlobex)+"/logs/"+logID, nil); r.status != 400 {
		t.Errorf("delete again: %d", r.status)
	}
	env.call("DELETE", connect(AccountGlobex)+"/logs", nil)
	if got, _ := env.e.Logs(AccountGlobex); len(got) != 0 {
		t.Errorf("%d logs after delete all", len(got))
	}

	// Retention: the 100 most recent, for 15 days.
	for range MaxLogEntries + 5 {
		if _, err := env.e.RecordLog(AccountGlobex, Delivery{ConnectID: sim, EnvelopeID: otherEnvelope}); err != nil {
			t.Fatal(err)
		}
	}
	if got := env.call("GET", connect(AccountGlobex)+"/logs", nil).json(t)["totalRecords"]; got != "100" {
		t.Errorf("totalRecords %v after 105 posts, want 100", got)
	}
	clock.Advance(LogRetention + time.Minute)
	if env.token, err = env.e.IssueToken(SandboxUserID); err != nil { // the old one expired
		t.Fatal(err)
	}
	if got := env.call("GET", connect(AccountGlobex)+"/logs", nil).json(t)["totalRecords"]; got != "0" {
		t.Errorf("totalRecords %v after 15 days, want 0", got)
	}
}

func TestRetryQueue(t *testing.T) {
	t.Parallel()
	env, _ := newClockEnv(t, Options{})
	id := legacyConnectID(t, env)
	r := env.call("PUT", connect(AccountAcme)+"/envelopes/retry_queue", map[string]any{
		"envelopeIds": []string{acmeFailedOld, otherEnvelope, strings.ToUpper(acmeFailedOld), "not-an-envelope"},
		"synchronous": "false",
	})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	want := []map[string]any{
		{"configId": id, "configUrl": "http://legacy.example.com/docusign/connect", "envelopeId": acmeFailedOld, "status": RetryStatusQueued, "statusMessage": "Queued for republish."},
		{"envelopeId": otherEnvelope, "status": RetryStatusRefused, "statusMessage": "The envelope has no failure in the Connect failure log of this account."},
		{"envelopeId": "not-an-envelope", "status": RetryStatusRefused, "statusMessage": "Invalid envelope id: want a GUID."},
	}
	if diff := cmp.Diff(want, r.list(t, "retryQueue")); diff != "" {
		t.Errorf("retryQueue (-want +got):\n%s", diff)
	}
	// The retried envelope left the failure log; the other is retried alone.
	if left, _ := env.e.Failures(AccountAcme); len(left) != 1 || left[0].EnvelopeID != acmeFailedNew {
		t.Errorf("failure log after the retry: %+v", left)
	}
	one := env.call("PUT", connect(AccountAcme)+"/envelopes/"+acmeFailedNew+"/retry_queue", nil)
	if got := one.list(t, "retryQueue"); one.status != 200 || len(got) != 1 || got[0]["status"] != RetryStatusQueued {
		t.Errorf("one envelope: %d %s", one.status, one.body)
	}
	if left, _ := env.e.Failures(AccountAcme); len(left) != 0 {
		t.Errorf("%d failures left", len(left))
	}

	for name, tt := range map[string]struct {
		body any
		code string
	}{
		"synchronous":   {map[string]any{"envelopeIds": []string{acmeFailedNew}, "synchronous": true}, CodeInvalidRequestParameter},
		"no envelopes":  {map[string]any{"envelopeIds": []string{}}, CodeInvalidRequestBody},
		"no body":       {"", CodeInvalidRequestBody},
		"not an object": {`["x"]`, CodeInvalidRequestBody},
	} {
		if r := env.call("PUT", connect(AccountAcme)+"/envelopes/retry_queue", tt.body); r.status != 400 || r.errorCode(t) != tt.code {
			t.Errorf("%s: %d %s, want 400 %s", name, r.status, r.body, tt.code)
		}
	}
}

func TestRepublishHistorical(t *testing.T) {
	t.Parallel()
	env, _ := newClockEnv(t, Options{})
	config := map[string]any{
		"name": "orders", "configurationType": "custom", "urlToPublishTo": "https://hooks.example.com/docusign", "allowEnvelopePublish": "true",
		"allUsers": "true", "deliveryMode": "SIM", "events": []string{"envelope-completed"}, "eventData": map[string]any{"version": "restv2.1", "format": "json"},
		"password": "listener-secret",
	}
	r := env.call("POST", connect(AccountAcme)+"/envelopes/publish/historical", map[string]any{"config": config, "envelopes": []string{acmeFailedOld, otherEnvelope, acmeFailedOld}})
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	tx := r.json(t)
	if tx["processingStatus"] != "processing" || tx["envelopeCount"] != "2" || tx["submittedForPublishingEnvelopeCount"] != "2" ||
		tx["submissionDate"] != "2026-11-08T12:00:00.0000000Z" || !isGUID(tx["envelopePublishTransactionId"].(string)) ||
		tx["submittedByUserInfo"].(map[string]any)["userId"] != SandboxUserID {
		t.Errorf("transaction: %s", r.body)
	}
	stored, _ := env.e.Republishes(AccountAcme)
	if len(stored) != 1 || stored[0].TransactionID != tx["envelopePublishTransactionId"] || stored[0].Name != "orders" || len(stored[0].Envelopes) != 2 || stored[0].Password != "listener-secret" {
		t.Errorf("stored: %+v", stored)
	}

	with := func(kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range config {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	for name, tt := range map[string]struct {
		body any
		code string
		msg  string
	}{
		"no config":        {map[string]any{"envelopes": []string{acmeFailedOld}}, CodeInvalidRequestBody, "config"},
		"no envelopes":     {map[string]any{"config": config}, CodeInvalidRequestBody, "envelopes"},
		"bad envelope":     {map[string]any{"config": config, "envelopes": []string{"order-1041"}}, CodeInvalidRequestParameter, "order-1041"},
		"invalid config":   {map[string]any{"config": with("name", ""), "envelopes": []string{acmeFailedOld}}, CodeNameRequired, ""},
		"salesforce":       {map[string]any{"config": with("configurationType", "salesforce"), "envelopes": []string{acmeFailedOld}}, CodeInvalidConfigurationType, "salesforce"},
		"xml":              {map[string]any{"config": with("eventData", map[string]any{"version": "restv2.1", "format": "xml"}), "envelopes": []string{acmeFailedOld}}, CodeInvalidEventData, "JSON"},
		"legacy data":      {map[string]any{"config": with("eventData", nil, "events", nil, "envelopeEvents", []string{"Completed"}, "deliveryMode", "Aggregate"), "envelopes": []string{acmeFailedOld}}, CodeInvalidEventData, "restv2.1"},
		"malformed config": {`{"config": "orders", "envelopes": []}`, CodeInvalidRequestBody, ""},
	} {
		r := env.call("POST", connect(AccountAcme)+"/envelopes/publish/historical", tt.body)
		if r.status != 400 || r.errorCode(t) != tt.code || !strings.Contains(string(r.body), tt.msg) {
			t.Errorf("%s: %d %s, want 400 %s mentioning %s", name, r.status, r.body, tt.code, tt.msg)
		}
	}
	if stored, _ := env.e.Republishes(AccountAcme); len(stored) != 1 {
		t.Errorf("%d batches stored after refusals, want 1", len(stored))
	}
}

func TestEventEndpointsRouting(t *testing.T) {
	t.Parallel()
	env, _ := newClockEnv(t, Options{})
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"POST", connect(AccountAcme) + "/failures", 405, CodeMethodNotAllowed, "GET"},
		{"GET", connect(AccountAcme) + "/failures/x", 405, CodeMethodNotAllowed, "DELETE"},
		{"PUT", connect(AccountAcme) + "/logs", 405, CodeMethodNotAllowed, "GET, DELETE"},
		{"GET", connect(AccountAcme) + "/envelopes/retry_queue", 405, CodeMethodNotAllowed, "PUT"},
		{"GET", connect(AccountAcme) + "/envelopes/publish/historical", 405, CodeMethodNotAllowed, "POST"},
		{"GET", connect(AccountAcme) + "/envelopes", 404, CodeResourceNotFound, ""},
		{"GET", connect(AccountAcme) + "/logs/1/users", 404, CodeResourceNotFound, ""},
		{"GET", connect(AccountInitech) + "/failures", 400, CodeAccountLacksPermissions, ""},
		{"GET", connect(AccountUmbrella) + "/logs", 403, CodeUserLacksPermissions, ""},
		{"PUT", connect(AccountHooli) + "/envelopes/retry_queue", 400, CodeUserNotInAccount, ""},
	}
	for _, tt := range tests {
		r := env.call(tt.method, tt.path, nil)
		if r.status != tt.status || r.errorCode(t) != tt.code || r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d %s (Allow %q), want %d %s (Allow %q)", tt.method, tt.path, r.status, r.body, r.header.Get("Allow"), tt.status, tt.code, tt.allow)
		}
	}
	// The configuration endpoints are unaffected, and calls are counted by route.
	env.e.ResetCalls()
	env.call("GET", connect(AccountAcme)+"/failures", nil)
	env.call("GET", connect(AccountAcme)+"/failures", nil)
	env.call("PUT", connect(AccountAcme)+"/envelopes/"+acmeFailedNew+"/retry_queue", nil)
	if r := env.call("GET", connect(AccountAcme)+"/"+legacyConnectID(t, env)+"/users?count=1", nil); r.status != 200 {
		t.Errorf("users: %d", r.status)
	}
	if env.e.Calls(RouteListFailures) != 2 || env.e.Calls(RouteRetryEnvelope) != 1 || env.e.Calls(RouteListUsers) != 1 {
		t.Errorf("calls: %v", env.e.CallCounts())
	}
	// Rate-limit headers on the new routes too.
	if r := env.call("GET", connect(AccountAcme)+"/logs", nil); r.header.Get("X-RateLimit-Remaining") == "" {
		t.Error("no rate-limit headers on GET .../logs")
	}
}

func TestDeliveryStatePersists(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	env, _ := newClockEnv(t, Options{StatePath: path})
	id := legacyConnectID(t, env)
	if _, err := env.e.RecordFailure(AccountAcme, Delivery{ConnectID: id, EnvelopeID: otherEnvelope, Error: "timeout"}); err != nil {
		t.Fatal(err)
	}
	env.call("PUT", connect(AccountAcme)+"/envelopes/"+acmeFailedOld+"/retry_queue", nil)
	again, _ := newClockEnv(t, Options{StatePath: path, SandboxKey: otherKey()})
	got, _ := again.e.Failures(AccountAcme)
	var envelopes []string
	for _, f := range got {
		envelopes = append(envelopes, f.EnvelopeID)
	}
	if diff := cmp.Diff([]string{acmeFailedNew, otherEnvelope}, envelopes); diff != "" {
		t.Errorf("failures after a restart (-want +got):\n%s", diff)
	}
	// New ids never repeat the old ones after a restart.
	newID, _ := again.e.RecordFailure(AccountAcme, Delivery{ConnectID: id, EnvelopeID: acmeFailedOld})
	for _, f := range got {
		if f.FailureID == newID {
			t.Errorf("failureId %s handed out twice", newID)
		}
	}
}

func TestSeedDeliveries(t *testing.T) {
	t.Parallel()
	custom := Configuration{Name: "orders", ConfigurationType: "custom", URLToPublishTo: "https://hooks.example.com/x", AllUsers: True}
	seed := func(failures, logs []SeedDelivery) *Seed {
		return &Seed{Accounts: []SeedAccount{{AccountID: AccountAcme, Configurations: []Configuration{custom}, Failures: failures, Logs: logs}}}
	}
	good := SeedDelivery{Configuration: "orders", EnvelopeID: otherEnvelope, Created: "2026-11-08T10:00:00Z", RetryCount: 2, LastTryAgo: "30m"}
	env, _ := newClockEnv(t, Options{Seed: seed([]SeedDelivery{good}, nil)})
	got, _ := env.e.Failures(AccountAcme)
	if len(got) != 1 || got[0].Created != "2026-11-08T10:00:00.0000000Z" || got[0].LastTry != "2026-11-08T11:30:00.0000000Z" || got[0].RetryCount != "2" {
		t.Errorf("seeded failure: %+v", got)
	}
	bad := func(mod func(*SeedDelivery)) SeedDelivery { d := good; mod(&d); return d }
	for name, tt := range map[string]struct {
		seed *Seed
		want string
	}{
		"unknown configuration": {seed([]SeedDelivery{bad(func(d *SeedDelivery) { d.Configuration = "nope" })}, nil), `no configuration "nope"`},
		"bad envelope":          {seed([]SeedDelivery{bad(func(d *SeedDelivery) { d.EnvelopeID = "x" })}, nil), "envelopeId must be a GUID"},
		"ago and created":       {seed([]SeedDelivery{bad(func(d *SeedDelivery) { d.Ago = "1h" })}, nil), "not both"},
		"bad ago":               {seed([]SeedDelivery{bad(func(d *SeedDelivery) { d.Created, d.Ago = "", "soon" })}, nil), "ago"},
		"bad created":           {seed([]SeedDelivery{bad(func(d *SeedDelivery) { d.Created = "yesterday" })}, nil), "RFC 3339"},
		"last try before":       {seed([]SeedDelivery{bad(func(d *SeedDelivery) { d.LastTryAgo = "3d" })}, nil), "before"},
		"log without enableLog": {seed(nil, []SeedDelivery{good}), "enableLog off"},
	} {
		if _, err := New(Options{Seed: tt.seed, SandboxKey: testKey(), Now: newFakeClock(seedNow).Now}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tt.want)
		}
	}
}

func TestParseAgo(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]time.Duration{"90m": 90 * time.Minute, "3h": 3 * time.Hour, "2d": 48 * time.Hour, "1d12h": 36 * time.Hour} {
		if got, err := parseAgo(s); err != nil || got != want {
			t.Errorf("parseAgo(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "x", "-1h", "2w"} {
		if _, err := parseAgo(s); err == nil && s != "" {
			t.Errorf("parseAgo(%q): no error", s)
		}
	}
}
