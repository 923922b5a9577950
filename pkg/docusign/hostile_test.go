package docusign

// Tests against a hostile (or broken) server on loopback: redirects,
// answers that lack what they must carry, pages that never end, echoes of
// secrets. Each reproduces a defect found by a red-team pass (issue 15).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for name, call := range endpoints {
			t.Run(name+"/"+http.StatusText(status), func(t *testing.T) {
				t.Parallel()
				ts := setup(t)
				var redirected, followed atomic.Int32
				// Every Connect route redirects to /elsewhere, which answers
				// like a list: a client that follows the redirect sees a 200.
				redirect := func(w http.ResponseWriter, r *http.Request) {
					redirected.Add(1)
					http.Redirect(w, r, ts.url+"/elsewhere", status)
				}
				ts.mux.HandleFunc(connectURL, redirect)
				ts.mux.HandleFunc(connectURL+"/", redirect)
				ts.mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
					followed.Add(1)
					serveFile(t, w, http.StatusOK, "connect-list.json")
				})
				err := call(context.Background(), ts.client)
				var re *RedirectError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want a *RedirectError", err)
				}
				if !strings.Contains(err.Error(), "/elsewhere") {
					t.Errorf("error %q does not name the location", err)
				}
				if n := followed.Load(); n != 0 {
					t.Errorf("the redirect was followed %d times", n)
				}
				if n := redirected.Load(); n != 1 {
					t.Errorf("%d requests, want 1: a redirect is not retried", n)
				}
			})
		}
	}
}

func TestAuthorizationNeverSentToAnotherOrigin(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int32
	// Same host, another port: Go's own redirect policy would forward the
	// Authorization header there.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		writeJSON(w, http.StatusOK, `{"configurations":[]}`)
	}))
	t.Cleanup(other.Close)
	ts := setup(t)
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	})
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err == nil {
		t.Error("a redirected list was trusted")
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the other origin received the Authorization header %d times", n)
	}
}

func TestRedirectLocationIsRedacted(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.Secrets = []string{"listener-pw-42"} })
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://user:url-pw-7@evil.example/x?access_token=qs-token-9&pw=listener-pw-42")
		w.WriteHeader(http.StatusFound)
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{"url-pw-7", "qs-token-9", "listener-pw-42"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "evil.example") {
		t.Errorf("error %q does not name the location's host", err)
	}
}

func TestTokenRequestNotRedirected(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		writeJSON(w, http.StatusOK, `{"access_token":"stolen","expires_in":3600}`)
	}))
	t.Cleanup(other.Close)
	ts := setup(t, withJWT(t))
	ts.mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		// 307 repeats the POST, assertion included, at the new location.
		http.Redirect(w, r, other.URL+"/oauth/token", http.StatusTemporaryRedirect)
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	var re *RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *RedirectError", err)
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the assertion was posted to the redirect's location %d times", n)
	}
}

func TestCreateWithoutConnectIDIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc("POST "+connectURL, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusCreated, `{"name":"orders"}`)
	})
	_, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "orders"})
	if !IsOutcomeUnknown(err) {
		t.Fatalf("err = %v, want IsOutcomeUnknown: an answer without a connectId proves nothing", err)
	}
	if !strings.Contains(err.Error(), "connectId") {
		t.Errorf("error %q does not say the connectId is missing", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
}

// Secret values of the tests below: a listener password with characters that
// JSON and URLs escape, an OAuth client secret, and the access token.
const (
	echoPassword     = `pw"<l1stener>&42`
	echoClientSecret = "cl1ent-secret-0f-the-files"
)

// echoServer answers every call with status and a body that quotes the
// request back: its body and its bearer token (without "Bearer"), in the
// shape given, as a careless server or gateway may.
func echoServer(t *testing.T, ts *testServer, status int, shape string) {
	ts.mux.HandleFunc("/restapi/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		echo := fmt.Sprintf("cannot process %s with token %s", body, token)
		switch shape {
		case "errorDetails":
			data, _ := json.Marshal(map[string]string{"errorCode": "INVALID_REQUEST_BODY", "message": echo})
			writeJSON(w, status, string(data))
		case "oauth":
			data, _ := json.Marshal(map[string]string{"error": "invalid_token", "error_description": echo})
			writeJSON(w, status, string(data))
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprintf(w, "<html><title>%s</title></html>", echo)
		case "text":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			io.WriteString(w, echo)
		case "malformed 2xx":
			writeJSON(w, status, "{not json "+echo)
		}
	})
}

func TestServerEchoesAreRedacted(t *testing.T) {
	t.Parallel()
	secrets := []string{echoPassword, echoClientSecret, testToken}
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusInternalServerError} {
		for _, shape := range []string{"errorDetails", "oauth", "html", "text"} {
			t.Run(fmt.Sprint(status, " ", shape), func(t *testing.T) {
				t.Parallel()
				ts := setup(t, func(o *Options) { o.Secrets = []string{echoPassword, echoClientSecret}; o.MaxRetries = 1 })
				echoServer(t, ts, status, shape)
				cfg := Configuration{Name: "orders", Password: echoPassword,
					OAuthConfiguration: &OAuthConfig{ClientID: "id", ClientSecret: echoClientSecret}}
				_, err := ts.client.CreateConfiguration(context.Background(), testAccount, cfg)
				if err == nil {
					t.Fatal("no error")
				}
				for _, s := range secrets {
					if strings.Contains(err.Error(), s) {
						t.Errorf("the error shows %q: %v", s, err)
					}
					if strings.Contains(ts.trace.String(), s) || strings.Contains(ts.trace.String(), jsonEscaped(s)) {
						t.Errorf("the trace shows %q:\n%s", s, ts.trace)
					}
				}
				if !strings.Contains(err.Error(), "cannot process") {
					t.Errorf("the error lost the server's message: %v", err)
				}
			})
		}
	}
	t.Run("malformed 2xx", func(t *testing.T) {
		t.Parallel()
		ts := setup(t, func(o *Options) { o.Secrets = []string{echoPassword} })
		echoServer(t, ts, http.StatusOK, "malformed 2xx")
		_, err := ts.client.UpdateConfiguration(context.Background(), testAccount, Configuration{ConnectID: "1", Name: "orders", Password: echoPassword})
		if err == nil || strings.Contains(err.Error(), echoPassword) || strings.Contains(err.Error(), testToken) {
			t.Errorf("err = %v, want an error without the secrets", err)
		}
	})
}

func jsonEscaped(s string) string {
	data, _ := json.Marshal(s)
	return strings.Trim(string(data), `"`)
}

func TestJWTSecretsEchoedAreRedacted(t *testing.T) {
	t.Parallel()
	var keyLine string
	for line := range strings.Lines(string(pkcs1PEM())) {
		if !strings.HasPrefix(line, "-----") {
			keyLine = strings.TrimSpace(line) // any line of the key will do
			break
		}
	}
	var assertion atomic.Value
	ts := setup(t, withJWT(t))
	ts.mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		assertion.Store(r.PostForm.Get("assertion"))
		data, _ := json.Marshal(map[string]string{"error": "invalid_grant",
			"error_description": "assertion " + r.PostForm.Get("assertion") + " does not match key " + keyLine})
		writeJSON(w, http.StatusBadRequest, string(data))
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if err == nil {
		t.Fatal("no error")
	}
	a, _ := assertion.Load().(string)
	if a == "" {
		t.Fatal("no assertion was posted")
	}
	for name, s := range map[string]string{"assertion": a, "key line": keyLine} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error shows the %s: %v", name, err)
		}
		if strings.Contains(ts.trace.String(), s) {
			t.Errorf("the trace shows the %s", name)
		}
	}
}

func TestObtainedTokenEchoedIsRedacted(t *testing.T) {
	t.Parallel()
	ts := setup(t, withJWT(t))
	ts.mux.Handle("/oauth/token", &tokenEndpoint{t: t, clock: ts.clock})
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		writeError(w, http.StatusForbidden, "USER_LACKS_PERMISSIONS", "token "+tok+" may not do this")
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if err == nil || strings.Contains(err.Error(), "jwt-access-1") || strings.Contains(ts.trace.String(), "jwt-access-1") {
		t.Errorf("err = %v, want the obtained token redacted (trace too)", err)
	}
}

func TestShortSecretsAreNotRedacted(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.Secrets = []string{"abc", "wxyz"} })
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusBadRequest, "INVALID", "abcdef wxyz")
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	// Three characters are below minSecretLen: redacting them would blank
	// ordinary words. Four are redacted.
	if err == nil || !strings.Contains(err.Error(), "abcdef "+redacted) {
		t.Errorf("err = %v, want %q", err, "abcdef "+redacted)
	}
}

func TestListUsersStopsWhenAPageRepeats(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	// Whatever start_position asks, the same page, and a huge totalSetSize.
	ts.mux.HandleFunc(connectURL+"/1/users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, `{"users":[{"userId":"u0"},{"userId":"u1"}],"resultSetSize":"2","totalSetSize":"1000000","startPosition":"0","endPosition":"1","nextUri":"/next"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // only a guard against a loop
	defer cancel()
	_, err := ts.client.ListUsers(ctx, testAccount, "1")
	if err == nil || !strings.Contains(err.Error(), "same users again") {
		t.Errorf("err = %v, want an error saying the page repeats", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (the first page and its repeat)", n)
	}
}

func TestListUsersCapsPages(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.MaxUserPages = 5 })
	var calls atomic.Int32
	// Every page is new, and the total keeps promising more.
	ts.mux.HandleFunc(connectURL+"/1/users", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"users":[{"userId":"u%d"}],"resultSetSize":"1","totalSetSize":"1000000"}`, n))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // only a guard against a loop
	defer cancel()
	_, err := ts.client.ListUsers(ctx, testAccount, "1")
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 pages") || !strings.Contains(err.Error(), "1000000") {
		t.Errorf("err = %v, want an error naming the cap of 5 pages and DocuSign's total", err)
	}
	if n := calls.Load(); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
}

func TestListUsersSkipsUsersSeenOnAnEarlierPage(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	// The second page overlaps the first by one user (a user added between
	// the calls shifts the list): still every user once.
	ts.mux.HandleFunc(connectURL+"/1/users", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("start_position") == "0" {
			writeJSON(w, http.StatusOK, `{"users":[{"userId":"a"},{"userId":"b"}],"totalSetSize":"3"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"users":[{"userId":"b"},{"userId":"c"}],"totalSetSize":"3"}`)
	})
	users, err := ts.client.ListUsers(context.Background(), testAccount, "1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.UserID)
	}
	if strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("users %v, want a,b,c", ids)
	}
}

// TestPOSTAnsweredIsNeverRetriedBlindly: a server may store a create and
// still answer 429 or 401. The client never sends a POST again itself: it
// waits for the limit (or renews the token) and reports an unknown outcome,
// so that the caller lists the account before trying again.
func TestPOSTAnsweredIsNeverRetriedBlindly(t *testing.T) {
	t.Parallel()
	retryAfter := func(status int, code string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "5")
			writeError(w, status, code, "slow down")
		}
	}
	tests := map[string]struct {
		jwt       bool
		answer    http.HandlerFunc
		wantSleep time.Duration
	}{
		"429 burst":                   {answer: retryAfter(http.StatusTooManyRequests, "BURST_APIINVOCATION_LIMIT_EXCEEDED"), wantSleep: 5 * time.Second},
		"429 without code":            {answer: retryAfter(http.StatusTooManyRequests, ""), wantSleep: 5 * time.Second},
		"400 burst code":              {answer: retryAfter(http.StatusBadRequest, "BURST_APIINVOCATION_LIMIT_EXCEEDED"), wantSleep: 5 * time.Second},
		"400 hourly, reset in 20 s":   {answer: hourlyLimit(testStart.Add(20 * time.Second)), wantSleep: 20 * time.Second},
		"401, token renewable (JWT)":  {jwt: true, answer: status(http.StatusUnauthorized, "USER_AUTHENTICATION_FAILED")},
		"401 code with 400 (JWT)":     {jwt: true, answer: status(http.StatusBadRequest, "AUTHORIZATION_INVALID_TOKEN")},
		"503 (unchanged: as before)":  {answer: status(http.StatusServiceUnavailable, "")},
		"dropped (unchanged: before)": {answer: nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mods []func(*Options)
			if tt.jwt {
				mods = append(mods, withJWT(t))
			}
			ts := setup(t, mods...)
			if tt.jwt {
				ts.mux.Handle("/oauth/token", &tokenEndpoint{t: t, clock: ts.clock})
			}
			var calls atomic.Int32
			ts.mux.HandleFunc("POST "+connectURL, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if tt.answer == nil {
					dropConnection(t, w)
					return
				}
				tt.answer(w, r)
			})
			_, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "orders"})
			if !IsOutcomeUnknown(err) {
				t.Fatalf("err = %v, want IsOutcomeUnknown", err)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d POSTs, want 1: the client must not send a create again without a list first", n)
			}
			if got := ts.clock.Slept(); got < tt.wantSleep {
				t.Errorf("slept %s, want at least %s before reporting", got, tt.wantSleep)
			}
		})
	}
}

func TestPOSTWithStaticToken401IsAnAuthError(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc("POST "+connectURL, status(http.StatusUnauthorized, "USER_AUTHENTICATION_FAILED"))
	_, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "orders"})
	if !IsAuth(err) || IsOutcomeUnknown(err) {
		t.Errorf("err = %v, want an auth error: a token that cannot be renewed will not work on a retry", err)
	}
}

// deadlineRecorder is a transport that records the deadline each request
// carries: the client's timeout, whichever way it is imposed.
type deadlineRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	left map[string]time.Duration // by path: time left when sent
}

func (d *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if dl, ok := req.Context().Deadline(); ok {
		d.mu.Lock()
		d.left[req.URL.Path] = time.Until(dl)
		d.mu.Unlock()
	}
	return d.base.RoundTrip(req)
}

// TestTimeoutGovernsEachAttempt: --http-timeout 5m must give an attempt five
// minutes; the default HTTP client used to cut it at 2, and the JWT grant at 30 s.
func TestTimeoutGovernsEachAttempt(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	// One clock for the assertion's iat and the endpoint's check of it: with
	// time.Now on one side, a second that ends between the two fails it.
	clock := &fakeClock{now: time.Now()}
	mux.Handle("/oauth/token", &tokenEndpoint{t: t, clock: clock})
	mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, `{"configurations":[]}`) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := JWTConfig{IntegrationKey: testIntegrationKey, UserID: testUserID, PrivateKeyPEM: pkcs1PEM(), AuthServer: srv.URL, Now: clock.Now}
	ts, err := cfg.TokenSource()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Auth: ts, AuthServer: srv.URL, BaseURI: srv.URL, Timeout: 5 * time.Minute}) // the default HTTP client
	if err != nil {
		t.Fatal(err)
	}
	rec := &deadlineRecorder{base: c.hc.Transport, left: map[string]time.Duration{}}
	c.hc.Transport = rec
	if _, err := c.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/oauth/token", connectURL} {
		if left := rec.left[path]; left < 4*time.Minute {
			t.Errorf("%s was sent with %s left, want about 5m (Options.Timeout)", path, left.Round(time.Second))
		}
	}
}

func TestNegativeTimeoutRefused(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{Auth: StaticToken("x"), Timeout: -time.Second}); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("err = %v, want a negative timeout refused", err)
	}
}

// TestBurstHeadersCannotStallEveryCall: a server that says after every call
// that the burst budget is spent (or that the limit is 1) must not make the
// client wait a window per call without end. Pacing on those headers is
// bounded (MaxRateLimitWait in all, per account) and announced.
func TestBurstHeadersCannotStallEveryCall(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ limit, remaining string }{
		"remaining 0":          {"200", "0"},
		"remaining 1":          {"200", "1"},
		"limit 1, remaining 0": {"1", "0"},
		"limit 0, remaining 1": {"0", "1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var notices []string
			var mu sync.Mutex
			ts := setup(t, func(o *Options) {
				o.Notice = func(msg string) { mu.Lock(); notices = append(notices, msg); mu.Unlock() }
			})
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-BurstLimit-Limit", tt.limit)
				w.Header().Set("X-BurstLimit-Remaining", tt.remaining)
				writeJSON(w, http.StatusOK, `{"configurations":[]}`)
			})
			for range 10 {
				if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
					t.Fatal(err)
				}
			}
			if got := ts.clock.Slept(); got > defaultMaxWait+time.Second {
				t.Errorf("10 calls waited %s in all, want at most %s", got, defaultMaxWait)
			}
			mu.Lock()
			defer mu.Unlock()
			all := strings.Join(notices, "\n")
			if !strings.Contains(all, "waiting 30 s for DocuSign's burst limit") || !strings.Contains(all, "no longer") {
				t.Errorf("notices %q, want the waits and the end of pacing announced", notices)
			}
		})
	}
}

func TestRateLimitWaitsAreAnnounced(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		answer http.HandlerFunc
		want   string
	}{
		"429 with Retry-After": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusTooManyRequests, "BURST_APIINVOCATION_LIMIT_EXCEEDED", "slow down")
		}, "account " + testAccount + ": waiting 30 s for DocuSign's burst limit"},
		"hourly, reset in 20 s": {hourlyLimit(testStart.Add(20 * time.Second)), "account " + testAccount + ": waiting 20 s for DocuSign's hourly API limit"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var notices []string
			ts := setup(t, func(o *Options) { o.Notice = func(msg string) { notices = append(notices, msg) } })
			var calls atomic.Int32
			ts.mux.HandleFunc(connectURL, failThen(&calls, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, `{"configurations":[]}`)
			}, tt.answer))
			if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
				t.Fatal(err)
			}
			if len(notices) != 1 || !strings.HasPrefix(notices[0], tt.want) {
				t.Errorf("notices %q, want one starting %q", notices, tt.want)
			}
		})
	}
}
