package emulator

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func newConfigBody(name string) map[string]any {
	return map[string]any{"name": name, "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true}
}

// countNamed counts the stored configurations with a name.
func countNamed(t *testing.T, e *Emulator, name string) int {
	t.Helper()
	configs, err := e.Configurations(AccountAcme)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range configs {
		if c.Name == name {
			n++
		}
	}
	return n
}

func TestFaultsAroundCommit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		rule       FaultRule
		wantStatus int
		wantCode   string
		dropped    bool
		stored     bool
	}{
		{"5xx before commit", FaultRule{Kind: FaultFailBeforeCommit}, 503, CodeUnspecifiedError, false, false},
		{"5xx after commit", FaultRule{Kind: FaultFailAfterCommit, Status: 500}, 500, CodeUnspecifiedError, false, true},
		{"429 before commit", FaultRule{Kind: FaultFailBeforeCommit, Status: 429}, 429, CodeBurstLimitExceeded, false, false},
		{"400 rate limit before commit", FaultRule{Kind: FaultFailBeforeCommit, Status: 400, ErrorCode: CodeHourlyLimitExceeded}, 400, CodeHourlyLimitExceeded, false, false},
		{"drop before commit", FaultRule{Kind: FaultDropBeforeCommit}, 0, "", true, false},
		{"drop after commit", FaultRule{Kind: FaultDropAfterCommit}, 0, "", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t, Options{Seed: emptyAccountSeed()})
			rule := tt.rule
			rule.Method, rule.Path = "POST", "/restapi/v2.1/accounts/{accountId}/connect"
			env.e.AddFault(rule)
			// A GET on the same path is not affected.
			if r := env.call("GET", connect(AccountAcme), nil); r.status != http.StatusOK {
				t.Fatalf("GET: %d", r.status)
			}

			req, _ := http.NewRequest("POST", env.srv.URL+connect(AccountAcme), strings.NewReader(`{"name":"f","configurationType":"custom","urlToPublishTo":"https://example.com/h","allUsers":"true"}`))
			req.Header.Set("Authorization", "Bearer "+env.token)
			resp, err := env.srv.Client().Do(req)
			if tt.dropped {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got status %d, want a dropped connection", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
				r := response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
				if r.status != tt.wantStatus || r.errorCode(t) != tt.wantCode {
					t.Errorf("got %d %s, want %d %s", r.status, r.body, tt.wantStatus, tt.wantCode)
				}
				if r.header.Get("X-RateLimit-Limit") == "" {
					t.Error("an injected answer should still carry the rate-limit headers")
				}
			}
			if got := countNamed(t, env.e, "f"); got != map[bool]int{false: 0, true: 1}[tt.stored] {
				t.Errorf("%d configurations stored, want stored=%v", got, tt.stored)
			}
			// The rule fired once; the next create goes through.
			if env.e.PendingFaults() != 0 {
				t.Errorf("%d rules pending", env.e.PendingFaults())
			}
			env.createConfig(AccountAcme, newConfigBody("after"))
		})
	}
}

func TestFaultTimesAndClear(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	env.e.AddFault(FaultRule{Method: "get", Path: "/restapi/v2.1/accounts/*/connect", Times: 2, Kind: FaultFailBeforeCommit})
	for i, want := range []int{503, 503, 200} {
		if r := env.call("GET", connect(AccountAcme), nil); r.status != want {
			t.Errorf("call %d: %d, want %d", i, r.status, want)
		}
	}
	env.e.AddFault(FaultRule{Times: -1, Kind: FaultFailBeforeCommit, Status: 502})
	for range 3 {
		if r := env.call("GET", "/oauth/userinfo", nil); r.status != 502 {
			t.Errorf("unlimited rule: %d", r.status)
		}
	}
	env.e.ClearFaults()
	if r := env.call("GET", "/oauth/userinfo", nil); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultDelayOutlastsClientTimeout(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	env.e.AddFault(FaultRule{Method: "POST", Kind: FaultDelay, Delay: time.Minute})
	// Long enough for the request to reach a loaded test server, far
	// shorter than the delay.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", env.srv.URL+connect(AccountAcme), strings.NewReader(`{"name":"slow","configurationType":"custom","urlToPublishTo":"https://example.com/h","allUsers":true}`))
	req.Header.Set("Authorization", "Bearer "+env.token)
	start := time.Now()
	if resp, err := env.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("got %d before the client timeout", resp.StatusCode)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("the client waited %v", time.Since(start))
	}
	// The change was stored although the client never saw the answer. On a
	// loaded machine the handler may still be on its way: wait a little.
	deadline := time.Now().Add(30 * time.Second)
	for countNamed(t, env.e, "slow") != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := countNamed(t, env.e, "slow"); got != 1 {
		t.Errorf("%d stored", got)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	const latency = 3 * time.Second // far above a loaded machine's answer time
	env := newEnv(t, Options{Faults: Faults{Latency: latency}})
	start := time.Now()
	env.call("GET", connect(AccountAcme), nil)
	if d := time.Since(start); d < latency {
		t.Errorf("answer after %v, want at least %v", d, latency)
	}
	env.e.SetLatency(0)
	start = time.Now()
	env.call("GET", connect(AccountAcme), nil)
	if d := time.Since(start); d >= latency {
		t.Errorf("answer after %v with the latency set to 0", d)
	}
}

func TestCallCounts(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	id := env.createConfig(AccountAcme, newConfigBody("c"))
	env.call("GET", connect(AccountAcme), nil)
	env.call("GET", connect(AccountAcme), nil)
	env.call("GET", connect(AccountAcme)+"/"+id, nil)
	env.call("DELETE", connect(AccountAcme), nil)
	env.call("GET", "/oauth/userinfo", nil)
	want := map[string]int{
		RouteCreateConfiguration: 1,
		RouteListConfigurations:  2,
		RouteGetConfiguration:    1,
		"DELETE " + connectPath:  1,
		RouteUserInfo:            1,
	}
	got := env.e.CallCounts()
	for route, n := range want {
		if got[route] != n || env.e.Calls(route) != n {
			t.Errorf("%s: %d calls, want %d", route, got[route], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("counted routes %v", got)
	}
	env.e.ResetCalls()
	if n := len(env.e.CallCounts()); n != 0 {
		t.Errorf("%d routes after ResetCalls", n)
	}
}

func TestPathMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything", true},
		{"/restapi/v2.1/accounts/{accountId}/connect", "/restapi/v2.1/accounts/abc/connect", true},
		{"/restapi/v2.1/accounts/*/connect/*", "/restapi/v2.1/accounts/abc/connect/123", true},
		{"/restapi/v2.1/accounts/*/connect", "/restapi/v2.1/accounts/abc/connect/123", false},
		{"/restapi/v2.1/accounts/abc/connect", "/restapi/v2.1/accounts/def/connect", false},
		{"/oauth/*", "/oauth/token", true},
	}
	for _, tt := range tests {
		if got := pathMatches(tt.pattern, tt.path); got != tt.want {
			t.Errorf("pathMatches(%q, %q) = %v", tt.pattern, tt.path, got)
		}
	}
}

func TestFaultEchoQuotesTheRequest(t *testing.T) {
	t.Parallel()
	for _, kind := range []FaultKind{FaultFailBeforeCommit, FaultFailAfterCommit} {
		env := newEnv(t, Options{Seed: emptyAccountSeed()})
		env.e.AddFault(FaultRule{Method: "POST", Kind: kind, Status: 400, Echo: true})
		r := env.call("POST", connect(AccountAcme), map[string]any{"name": "e", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true, "password": "echo-me-42"})
		if r.status != 400 || !bytes.Contains(r.body, []byte("echo-me-42")) || !bytes.Contains(r.body, []byte(env.token)) {
			t.Errorf("kind %d: got %d %s, want 400 quoting the password and the token", kind, r.status, r.body)
		}
		if got, want := countNamed(t, env.e, "e"), map[FaultKind]int{FaultFailBeforeCommit: 0, FaultFailAfterCommit: 1}[kind]; got != want {
			t.Errorf("kind %d: %d stored, want %d", kind, got, want)
		}
	}
}

func TestFaultRedirect(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	env.e.AddFault(FaultRule{Method: "POST", Kind: FaultRedirect, Status: 301})
	env.e.AddFault(FaultRule{Method: "GET", Kind: FaultRedirect, Location: "http://127.0.0.1:1/elsewhere"})
	client := env.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tt := range []struct{ method, wantLoc string }{{"POST", connect(AccountAcme)}, {"GET", "http://127.0.0.1:1/elsewhere"}} {
		req, _ := http.NewRequest(tt.method, env.srv.URL+connect(AccountAcme), strings.NewReader(`{"name":"r"}`))
		req.Header.Set("Authorization", "Bearer "+env.token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode > 399 || resp.Header.Get("Location") != tt.wantLoc {
			t.Errorf("%s: %d to %q, want a redirect to %q", tt.method, resp.StatusCode, resp.Header.Get("Location"), tt.wantLoc)
		}
	}
	if countNamed(t, env.e, "r") != 0 {
		t.Error("a redirected create was stored")
	}
}
