package docusign

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

func TestDebugTraceShowsAttemptsAndRedactsSecrets(t *testing.T) {
	t.Parallel()
	ts := setup(t, withJWT(t))
	tokens := &tokenEndpoint{t: t, clock: ts.clock}
	ts.mux.Handle("/oauth/token", tokens)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "3000")
		w.Header().Set("X-RateLimit-Remaining", "2999")
		w.Header().Set("X-RateLimit-Reset", "1782306000") // 2026-06-24T13:00:00Z
		w.Header().Set("X-BurstLimit-Limit", "200")
		w.Header().Set("X-BurstLimit-Remaining", "199")
		if calls.Add(1) == 1 {
			writeError(w, http.StatusBadRequest, "BURST_APIINVOCATION_LIMIT_EXCEEDED", "slow down")
			return
		}
		body, _ := io.ReadAll(r.Body)
		// Echo the request, as a server that returned write-only fields would.
		writeJSON(w, http.StatusOK, string(body))
	})
	// A PUT, because a rate-limited POST is not retried (the caller lists first).
	_, err := ts.client.UpdateConfiguration(context.Background(), testAccount, Configuration{
		ConnectID:          "22210641",
		Name:               "orders",
		URLToPublishTo:     "https://hookuser:h00kpass@hooks.example.com/docusign?token=qs-t0ken&x=1",
		UserName:           "listener-user",
		Password:           "listener-pa55",
		SalesforceAuthcode: "sf-c0de",
		OAuthConfiguration: &OAuthConfig{ClientID: "client-id", ClientSecret: "cl1ent-secret", AuthorizationServerURL: "https://auth.example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	trace := ts.trace.String()
	for _, want := range []string{
		"docusign: POST " + ts.url + "/oauth/token attempt=1 status=200 duration=",
		"  > assertion=REDACTED&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer\n",
		`  < {"access_token":"REDACTED","expires_in":3600,"token_type":"Bearer"}`,
		"docusign: PUT " + ts.url + connectURL + " attempt=1 status=400 duration=",
		"ratelimit=2999/3000 reset=2026-06-24T13:00:00Z burst=199/200\n",
		"docusign: wait ",
		"docusign: PUT " + ts.url + connectURL + " attempt=2 status=200 duration=",
		`"password":"REDACTED"`,
		`"salesforceAuthcode":"REDACTED"`,
		`"clientSecret":"REDACTED"`,
		`"clientId":"client-id"`,
		`"userName":"listener-user"`,
		`"urlToPublishTo":"https://REDACTED@hooks.example.com/docusign?token=REDACTED&x=1"`,
	} {
		if !strings.Contains(trace, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	for _, secret := range []string{"h00kpass", "hookuser", "qs-t0ken", "listener-pa55", "sf-c0de", "cl1ent-secret", "jwt-access-1", "eyJ", "PRIVATE KEY"} {
		if strings.Contains(trace, secret) {
			t.Errorf("the trace shows the secret %q", secret)
		}
	}
	if t.Failed() {
		t.Logf("trace:\n%s", trace)
	}
}

func TestDebugTraceOfTransportError(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.MaxRetries = -1 })
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err == nil {
		t.Fatal("no error")
	}
	if !regexp.MustCompile(`docusign: GET \S+/connect attempt=1 status=error duration=\S+ error=".*EOF"`).MatchString(ts.trace.String()) {
		t.Errorf("trace:\n%s", ts.trace)
	}
}

func TestNoTraceWithoutDebug(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.Debug = nil })
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) { serveFile(t, w, 200, "connect-list.json") })
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
	if ts.trace.String() != "" {
		t.Errorf("trace written without Debug:\n%s", ts.trace)
	}
}

func TestRedactBody(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		contentType, body, want string
	}{
		"token form": {"application/x-www-form-urlencoded", "grant_type=x&assertion=eyJhbGciOi.abc.def", "assertion=REDACTED&grant_type=x"},
		"nested JSON": {"application/json", `{"a":{"Password":"p","list":[{"access_token":"t"}]},"n":12345678901234567890,"empty":""}`,
			`{"a":{"Password":"REDACTED","list":[{"access_token":"REDACTED"}]},"empty":"","n":12345678901234567890}`},
		"empty password stays visible": {"application/json", `{"password":""}`, `{"password":""}`},
		"JSON without a content type":  {"", `{"refresh_token":"r"}`, `{"refresh_token":"REDACTED"}`},
		"URL in JSON":                  {"application/json", `{"u":"https://a:b@h/p?access_token=x&k=v"}`, `{"u":"https://REDACTED@h/p?access_token=REDACTED&k=v"}`},
		"HTML keeps its characters":    {"application/json", `{"u":"https://h/?a=1&b=<2>"}`, `{"u":"https://h/?a=1&b=<2>"}`},
		"text with a bearer token":     {"text/plain", "sent Authorization: Bearer abc.def-ghi to http://u:p@x", "sent Authorization: Bearer REDACTED to http://REDACTED@x"},
		"broken JSON":                  {"application/json", `{"password":"p"`, `{"password":"p"`}, // not JSON: only shapes are redacted
		"nothing":                      {"application/json", "  ", ""},
	}
	for name, tt := range tests {
		if got := redactBody(tt.contentType, []byte(tt.body)); got != tt.want {
			t.Errorf("%s: redactBody = %s, want %s", name, got, tt.want)
		}
	}
	long := redactBody("text/plain", []byte(strings.Repeat("x", maxTraceBody+10)))
	if !strings.HasSuffix(long, "... (10 bytes more)") || len(long) > maxTraceBody+30 {
		t.Errorf("a long body is not cut: %d bytes, ends %q", len(long), long[len(long)-30:])
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://demo.docusign.net/restapi/v2.1/accounts/1/connect":       "https://demo.docusign.net/restapi/v2.1/accounts/1/connect",
		"https://u:p@demo.docusign.net/x":                                 "https://REDACTED@demo.docusign.net/x",
		"http://127.0.0.1:1/oauth/auth?code=abc&client_id=k&state=s":      "http://127.0.0.1:1/oauth/auth?client_id=k&code=REDACTED&state=s",
		"https://h/x?Access_Token=abc&count=100&start_position=0&Token=z": "https://h/x?Access_Token=REDACTED&Token=REDACTED&count=100&start_position=0",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := redactURL(u); got != want {
			t.Errorf("redactURL(%s) = %s, want %s", in, got, want)
		}
	}
}
