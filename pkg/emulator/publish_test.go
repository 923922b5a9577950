package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/connectevent"
)

// testListener is a Connect listener in httptest: it records every post and
// answers with the status set (200 by default).
type testListener struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	posts  []receivedPost
}

type receivedPost struct {
	header http.Header
	body   []byte
}

func newTestListener(t *testing.T) *testListener {
	l := &testListener{status: http.StatusOK}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.posts = append(l.posts, receivedPost{header: r.Header.Clone(), body: body})
		status := l.status
		l.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *testListener) answer(status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status = status
}

func (l *testListener) received() []receivedPost {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]receivedPost(nil), l.posts...)
}

const publishEnvelope = "93be49ab-1c2d-4e5f-8a9b-f752070d71ec"

// TestPublishDeliversSignedPosts: an event goes to every configuration that
// subscribes to it, in its data model, with basic auth and one signature per
// HMAC key, and a listener in httptest verifies each; the configurations
// that do not send it say why.
func TestPublishDeliversSignedPosts(t *testing.T) {
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	l := newTestListener(t)
	for range 2 {
		env.call("POST", connect(AccountAcme)+"/secret", nil)
	}
	keys, _ := env.e.HMACKeys(AccountAcme)
	base := map[string]any{"configurationType": "custom", "allowEnvelopePublish": "true", "allUsers": "true", "includeHMAC": "true"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	env.createConfig(AccountAcme, with(map[string]any{"name": "json-sim", "urlToPublishTo": l.URL + "/sim", "deliveryMode": "SIM",
		"eventData": map[string]any{"version": "restv2.1", "includeData": []string{"recipients"}}, "events": []string{"envelope-completed"},
		"userName": "listener", "password": "listener-pw-1"}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "xml-aggregate", "urlToPublishTo": l.URL + "/xml", "deliveryMode": "Aggregate",
		"envelopeEvents": []string{"Completed"}}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "json-aggregate", "urlToPublishTo": l.URL + "/agg", "deliveryMode": "aggregate",
		"eventData": map[string]any{"version": "restv2.1"}, "envelopeEvents": []string{"Completed"}, "includeHMAC": "false"}))
	skipped := map[string]string{
		"other event":     "envelope-completed is not in its events",
		"lower case":      `envelopeEvents holds "completed" not in DocuSign's sentence case "Completed"`,
		"disabled":        "allowEnvelopePublish is off",
		"paused":          "publishing is paused",
		"someone else":    "it does not cover the sender",
		"groups only":     "groupIds only",
		"remote listener": "is not on loopback",
	}
	env.createConfig(AccountAcme, with(map[string]any{"name": "other event", "urlToPublishTo": l.URL, "deliveryMode": "SIM",
		"eventData": map[string]any{"version": "restv2.1"}, "events": []string{"envelope-sent"}}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "lower case", "urlToPublishTo": l.URL, "envelopeEvents": []string{"completed"}}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "disabled", "urlToPublishTo": l.URL, "envelopeEvents": []string{"Completed"}, "allowEnvelopePublish": "false"}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "paused", "urlToPublishTo": l.URL, "envelopeEvents": []string{"Completed"}, "pausePublish": "true"}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "someone else", "urlToPublishTo": l.URL, "envelopeEvents": []string{"Completed"},
		"allUsers": "false", "userIds": []string{generatedUserID(AccountAcme, 1)}}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "groups only", "urlToPublishTo": l.URL, "envelopeEvents": []string{"Completed"},
		"allUsers": "false", "groupIds": []string{"42"}}))
	env.createConfig(AccountAcme, with(map[string]any{"name": "remote listener", "urlToPublishTo": "https://hooks.example.com/x", "envelopeEvents": []string{"Completed"}}))

	id, posts, err := env.e.Publish(t.Context(), PublishRequest{AccountID: AccountAcme, Event: "envelope-completed", EnvelopeID: publishEnvelope})
	if err != nil {
		t.Fatal(err)
	}
	if id != publishEnvelope || len(posts) != 10 {
		t.Fatalf("Publish = %s, %d posts", id, len(posts))
	}
	for _, p := range posts {
		if want, ok := skipped[p.Name]; ok {
			if !strings.Contains(p.Skipped, want) {
				t.Errorf("%s: skipped %q, want it to say %q", p.Name, p.Skipped, want)
			}
			continue
		}
		if !p.Delivered || p.Status != 200 || p.Skipped != "" {
			t.Errorf("%s: %+v, want delivered", p.Name, p)
		}
	}
	got := l.received()
	if len(got) != 3 {
		t.Fatalf("the listener received %d posts, want 3", len(got))
	}
	for _, r := range got {
		var model connectevent.Model
		switch ct := r.header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "application/json") && strings.Contains(string(r.body), `"envelopeSummary"`) && strings.Contains(string(r.body), `"signers"`):
			model = connectevent.JSONSIM
			if u, p, ok := basicAuth(r.header); !ok || u != "listener" || p != "listener-pw-1" {
				t.Errorf("json-sim post: basic auth %q %q %v", u, p, ok)
			}
		case strings.HasPrefix(ct, "application/json"):
			model = connectevent.JSONAggregate
		case strings.HasPrefix(ct, "text/xml"):
			model = connectevent.XMLAggregate
		default:
			t.Fatalf("content type %q", ct)
		}
		signed := model != connectevent.JSONAggregate
		if connectevent.Verify(r.header, r.body, keys[:1]) != signed || connectevent.Verify(r.header, r.body, keys[1:]) != signed {
			t.Errorf("%s: signatures verify with each key = %v, want %v (%v)", model, !signed, signed, r.header)
		}
		if signed && r.header.Get(connectevent.DigestHeader) != connectevent.DigestAlgorithm {
			t.Errorf("%s: no %s header", model, connectevent.DigestHeader)
		}
		if !strings.Contains(string(r.body), publishEnvelope) {
			t.Errorf("%s: the post does not name the envelope", model)
		}
	}
}

func basicAuth(h http.Header) (string, string, bool) {
	r := &http.Request{Header: h}
	return r.BasicAuth()
}

// TestPublishFailureRetryDelivered: a listener that answers 503 leaves a
// failure (requiresAcknowledgement) and a log entry (enableLog); the retry
// queue posts again: still failing, the failure is back with retryCount 1;
// once the listener is fixed, the retried post is delivered and the failure
// log is empty.
func TestPublishFailureRetryDelivered(t *testing.T) {
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	l := newTestListener(t)
	l.answer(http.StatusServiceUnavailable)
	connectID := env.createConfig(AccountAcme, map[string]any{"name": "orders", "configurationType": "custom", "allowEnvelopePublish": "true",
		"allUsers": "true", "urlToPublishTo": l.URL, "deliveryMode": "SIM", "eventData": map[string]any{"version": "restv2.1"},
		"events": []string{"envelope-completed"}, "enableLog": "true"})
	_, posts, err := env.e.Publish(t.Context(), PublishRequest{AccountID: AccountAcme, Event: "envelope-completed", EnvelopeID: publishEnvelope})
	if err != nil {
		t.Fatal(err)
	}
	if p := posts[0]; p.Delivered || p.Status != 503 || p.FailureID == "" || p.LogID == "" ||
		p.Error != "The remote server returned an error: (503) Service Unavailable." {
		t.Fatalf("post: %+v", p)
	}
	fails, _ := env.e.Failures(AccountAcme)
	if len(fails) != 1 || fails[0].ConnectID != connectID || fails[0].EnvelopeID != publishEnvelope || fails[0].RetryCount != "0" || fails[0].Status != "Completed" {
		t.Fatalf("failure log: %+v", fails)
	}
	logs, _ := env.e.Logs(AccountAcme)
	if len(logs) != 1 || logs[0].Error == "" || len(logs[0].ConnectDebugLog) != 1 || !strings.Contains(logs[0].ConnectDebugLog[0].Payload, `"event":"envelope-completed"`) {
		t.Fatalf("log: %+v", logs)
	}

	retry := func() {
		t.Helper()
		r := env.call("PUT", connect(AccountAcme)+"/envelopes/retry_queue", map[string]any{"envelopeIds": []string{publishEnvelope}})
		if r.status != http.StatusOK || !strings.Contains(string(r.body), RetryStatusQueued) {
			t.Fatalf("retry: %d %s", r.status, r.body)
		}
	}
	retry()
	if n := len(l.received()); n != 2 {
		t.Fatalf("the retry queue posted %d times in all, want 2", n)
	}
	var second map[string]any
	json.Unmarshal(l.received()[1].body, &second)
	if second["retryCount"] != float64(1) {
		t.Errorf("the retried post says retryCount %v, want 1", second["retryCount"])
	}
	fails, _ = env.e.Failures(AccountAcme)
	if len(fails) != 1 || fails[0].RetryCount != "1" {
		t.Fatalf("a retry that fails again: failure log %+v, want one entry with retryCount 1", fails)
	}

	l.answer(http.StatusOK)
	retry()
	if fails, _ = env.e.Failures(AccountAcme); len(fails) != 0 {
		t.Fatalf("a retry that is delivered leaves %+v in the failure log", fails)
	}
	if n := len(l.received()); n != 3 {
		t.Errorf("%d posts in all, want 3", n)
	}
	if logs, _ = env.e.Logs(AccountAcme); len(logs) != 3 || logs[2].Error != "" {
		t.Errorf("the Connect log: %d entries, last error %q", len(logs), logs[len(logs)-1].Error)
	}
}

// TestPublishOutcomes: no acknowledgement wanted, no failure; a listener
// that does not answer in time or cannot be reached fails as DocuSign words
// it; a customrecipient configuration fires for its covered signer.
func TestPublishOutcomes(t *testing.T) {
	env := newEnv(t, Options{Seed: emptyAccountSeed(), Deliver: DeliverOptions{Timeout: 3 * time.Second}})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // then net/http notices the client leaving and ends the context
		<-r.Context().Done()
	}))
	defer slow.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	l := newTestListener(t)
	l.answer(http.StatusInternalServerError)
	cfg := func(name, url string, extra map[string]any) {
		m := map[string]any{"name": name, "configurationType": "custom", "allowEnvelopePublish": "true", "allUsers": "true",
			"urlToPublishTo": url, "envelopeEvents": []string{"Sent"}, "recipientEvents": []string{"Completed"}}
		for k, v := range extra {
			m[k] = v
		}
		env.createConfig(AccountAcme, m)
	}
	cfg("no ack", l.URL, map[string]any{"requiresAcknowledgement": "false"})
	cfg("slow", slow.URL, nil)
	cfg("down", down.URL, nil)
	signer := generatedUserID(AccountAcme, 1)
	cfg("recipient connect", l.URL, map[string]any{"configurationType": "customrecipient", "allUsers": "false", "userIds": []string{signer},
		"envelopeEvents": []string{}, "recipientEvents": []string{"Completed"}})

	_, posts, err := env.e.Publish(context.Background(), PublishRequest{AccountID: AccountAcme, Event: "envelope-sent", EnvelopeID: publishEnvelope})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Post{}
	for _, p := range posts {
		byName[p.Name] = p
	}
	if p := byName["no ack"]; p.Delivered || p.Status != 500 || p.FailureID != "" {
		t.Errorf("no ack: %+v, want a 500 and no failure recorded", p)
	}
	if p := byName["slow"]; p.Error != "The operation has timed out" || p.FailureID == "" {
		t.Errorf("slow: %+v", p)
	}
	if p := byName["down"]; p.Error != "Unable to connect to the remote server" || p.FailureID == "" {
		t.Errorf("down: %+v", p)
	}
	if p := byName["recipient connect"]; !strings.Contains(p.Skipped, "Sent is not in its envelopeEvents") {
		t.Errorf("recipient connect on envelope-sent: %+v", p)
	}
	_, posts, _ = env.e.Publish(context.Background(), PublishRequest{AccountID: AccountAcme, Event: "recipient-completed", EnvelopeID: publishEnvelope})
	for _, p := range posts {
		if p.Name == "recipient connect" && (p.Skipped != "" || p.Status != 500) {
			t.Errorf("recipient connect on recipient-completed for its signer: %+v", p)
		}
	}
	if _, _, err := env.e.Publish(context.Background(), PublishRequest{AccountID: AccountAcme, Event: "template-created"}); err == nil {
		t.Errorf("a template event was accepted")
	}
	if _, _, err := env.e.Publish(context.Background(), PublishRequest{AccountID: AccountAcme, Event: "envelope-sent", EnvelopeID: "not-a-guid"}); err == nil {
		t.Errorf("a bad envelope id was accepted")
	}
}

// TestPublishEndpoint: `sandbox serve` exposes Publish over HTTP.
func TestPublishEndpoint(t *testing.T) {
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	l := newTestListener(t)
	env.createConfig(AccountAcme, map[string]any{"name": "orders", "configurationType": "custom", "allowEnvelopePublish": "true",
		"allUsers": "true", "urlToPublishTo": l.URL, "envelopeEvents": []string{"Completed"}})
	r := env.callAs("", "POST", "/connectsync/sandbox/accounts/"+AccountAcme+"/publish", map[string]any{"event": "envelope-completed", "envelopeId": publishEnvelope})
	if r.status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	var out struct {
		EnvelopeID string `json:"envelopeId"`
		Posts      []struct {
			Name      string `json:"name"`
			Delivered bool   `json:"delivered"`
			Status    int    `json:"status"`
		} `json:"posts"`
	}
	json.Unmarshal(r.body, &out)
	if out.EnvelopeID != publishEnvelope || len(out.Posts) != 1 || !out.Posts[0].Delivered || len(l.received()) != 1 {
		t.Errorf("answer %s", r.body)
	}
	if r := env.callAs("", "POST", "/connectsync/sandbox/accounts/"+AccountAcme+"/publish", map[string]any{"event": "envelope-snt"}); r.status != http.StatusBadRequest {
		t.Errorf("a bad event: %d %s", r.status, r.body)
	}
}
