package docusign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failThen answers the first len(failures) calls with failures[i] and every
// later call with ok.
func failThen(calls *atomic.Int32, ok http.HandlerFunc, failures ...http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		if n <= len(failures) {
			failures[n-1](w, r)
			return
		}
		ok(w, r)
	}
}

func status(code int, errorCode string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeError(w, code, errorCode, "made-up failure")
	}
}

func TestRetriedOn5xxForGETAndPUT(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		path string
		ok   http.HandlerFunc
		call func(context.Context, *Client) error
	}{
		"GET list": {connectURL, okFile(t, http.StatusOK, "connect-list.json"), endpoints["ListConfigurations"]},
		"GET one":  {connectURL + "/22210617", okFile(t, http.StatusOK, "connect-list-one.json"), endpoints["GetConfiguration"]},
		"PUT":      {connectURL, okFile(t, http.StatusOK, "connect-update.json"), endpoints["UpdateConfiguration"]},
		"users":    {connectURL + "/22210617/users", serveUsers(t, new(atomic.Int32), 3, true), endpoints["ListUsers"]},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			var calls atomic.Int32
			ts.mux.HandleFunc(tt.path, failThen(&calls, tt.ok, status(502, ""), status(503, "")))
			if err := tt.call(context.Background(), ts.client); err != nil {
				t.Fatal(err)
			}
			if got := calls.Load(); got != 3 {
				t.Errorf("%d calls, want 3 (two failures, then success)", got)
			}
			if n := len(ts.clock.sleeps); n != 2 {
				t.Errorf("slept %d times, want 2 back-offs", n)
			}
		})
	}
}

func okFile(t *testing.T, status int, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { serveFile(t, w, status, name) }
}

func TestGiveUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.MaxRetries = 2 })
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeError(w, http.StatusServiceUnavailable, "", "down")
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	var api *APIError
	if !errors.As(err, &api) || api.Status != 503 || !strings.Contains(err.Error(), "giving up after 3 attempts") {
		t.Errorf("err = %v, want a 503 APIError after 3 attempts", err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls, want 3", calls.Load())
	}
	if n := len(ts.clock.sleeps); n != 2 {
		t.Errorf("slept %d times, want 2 (no sleep after the last attempt)", n)
	}
}

func TestPOSTNotRetriedWhenOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		handler func(t *testing.T) http.HandlerFunc
		want    string
	}{
		"500": {func(t *testing.T) http.HandlerFunc { return status(500, "") }, "500"},
		"503 HTML": {func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(503)
				fmt.Fprint(w, "<title>Service Unavailable</title>")
			}
		}, "Service Unavailable"},
		"dropped connection": {func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) }
		}, "EOF"},
		"timeout": {func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { waitForClient(r) } // longer than Options.Timeout
		}, "deadline exceeded"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Only the timeout case needs a short timeout; a generous one keeps
			// it from firing before the request reaches a loaded test server.
			timeout := 30 * time.Second
			if name == "timeout" {
				timeout = 5 * time.Second // the handler waits for the client to give up
			}
			ts := setup(t, func(o *Options) { o.Timeout = timeout })
			var calls atomic.Int32
			h := tt.handler(t)
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				h(w, r)
			})
			_, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "orders"})
			if !IsOutcomeUnknown(err) {
				t.Fatalf("err = %v, want IsOutcomeUnknown", err)
			}
			for _, want := range []string{"outcome unknown", tt.want, `create configuration "orders"`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if calls.Load() != 1 {
				t.Errorf("%d calls, want 1: a create must not be retried blindly", calls.Load())
			}
		})
	}
}

func TestPOSTRetriedWhenNeverSent(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: the connection is refused, nothing is sent.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ts := setup(t, func(o *Options) { o.BaseURI = "http://" + addr; o.MaxRetries = 2 })
	_, err = ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "orders"})
	if err == nil || IsOutcomeUnknown(err) {
		t.Fatalf("err = %v, want a plain connection error", err)
	}
	if n := strings.Count(ts.trace.String(), "POST http://"+addr); n != 3 {
		t.Errorf("%d attempts in the trace, want 3:\n%s", n, ts.trace)
	}
}

func TestDeleteLostAnswerThenNotFoundIsSuccess(t *testing.T) {
	t.Parallel()
	tests := map[string]http.HandlerFunc{
		"dropped connection": nil, // set below: needs t
		"502":                status(502, ""),
	}
	for name, first := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if first == nil {
				first = func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) }
			}
			ts := setup(t)
			var calls atomic.Int32
			ts.mux.HandleFunc(connectURL+"/22210617", failThen(&calls, status(404, "RESOURCE_NOT_FOUND"), first))
			if err := ts.client.DeleteConfiguration(context.Background(), testAccount, "22210617"); err != nil {
				t.Fatalf("err = %v, want success: the lost attempt deleted it", err)
			}
			if calls.Load() != 2 {
				t.Errorf("%d calls, want 2", calls.Load())
			}
		})
	}
}

func TestDeleteNotFoundWithoutLostAnswerIsAnError(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/22210617", status(404, "RESOURCE_NOT_FOUND"))
	err := ts.client.DeleteConfiguration(context.Background(), testAccount, "22210617")
	if !IsNotFound(err) {
		t.Errorf("err = %v, want IsNotFound", err)
	}
}

func TestGETRetriedAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, failThen(&calls, okFile(t, http.StatusOK, "connect-list.json"),
		func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) }))
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
}

// waitForClient holds the answer until the client gives up (or a minute).
// The server notices a closed connection only once the body is read.
func waitForClient(r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute): // only a guard: the client leaves far sooner
	}
}

func hourlyLimit(reset time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "3000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		writeError(w, http.StatusBadRequest, "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "The maximum number of hourly API invocations has been exceeded.")
	}
}

func TestRateLimitWaitsForReset(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, failThen(&calls, okFile(t, http.StatusOK, "connect-list.json"), hourlyLimit(testStart.Add(20*time.Second))))
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
	if slept := ts.clock.Slept(); slept < 20*time.Second || slept > 25*time.Second {
		t.Errorf("slept %s, want about 20s (until X-RateLimit-Reset)", slept)
	}
	if !strings.Contains(ts.trace.String(), "reset=2026-06-24T12:30:20Z") {
		t.Errorf("the trace does not show the reset:\n%s", ts.trace)
	}
}

func TestRateLimitGivesUpWhenResetTooFar(t *testing.T) {
	t.Parallel()
	tests := map[string]http.HandlerFunc{
		"reset in 2h": hourlyLimit(testStart.Add(2 * time.Hour)),
		"no reset header": func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusTooManyRequests, "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "x")
		},
		"Retry-After 600": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "600")
			writeError(w, http.StatusTooManyRequests, "", "slow down")
		},
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			var calls atomic.Int32
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				h(w, r)
			})
			_, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "orders"})
			var rl *RateLimitError
			if !errors.As(err, &rl) || !IsRateLimited(err) {
				t.Fatalf("err = %v, want *RateLimitError", err)
			}
			if rl.AccountID != testAccount || rl.Reset.IsZero() || rl.Wait <= time.Minute {
				t.Errorf("RateLimitError = %+v", rl)
			}
			if calls.Load() != 1 || ts.clock.Slept() != 0 {
				t.Errorf("%d calls and slept %s; want 1 call and no wait", calls.Load(), ts.clock.Slept())
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, failThen(&calls, okFile(t, http.StatusOK, "connect-list.json"),
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			writeError(w, http.StatusTooManyRequests, "", "slow down")
		}))
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
	if slept := ts.clock.Slept(); slept < 7*time.Second {
		t.Errorf("slept %s, want at least Retry-After's 7s", slept)
	}
}

func TestSpentBudgetStopsBeforeSending(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(testStart.Add(45*time.Minute).Unix(), 10))
		serveFile(t, w, http.StatusOK, "connect-list.json")
	})
	ctx := context.Background()
	if _, err := ts.client.ListConfigurations(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	_, err := ts.client.ListConfigurations(ctx, testAccount)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Err != nil {
		t.Fatalf("err = %v, want *RateLimitError raised before sending", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
	// Once the reset has passed, calls go out again.
	ts.clock.Advance(46 * time.Minute)
	if _, err := ts.client.ListConfigurations(ctx, testAccount); err != nil {
		t.Errorf("after the reset: %v", err)
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	// The real sleep: the context must cut it short.
	ts := setup(t, func(o *Options) { o.Sleep = nil; o.MaxRetries = 100 })
	ts.mux.HandleFunc(connectURL, status(503, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ts.client.ListConfigurations(ctx, testAccount)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %s; the context ended at 300ms", d)
	}
}

// cutShort are a call that is safe to repeat and a create, for the tests of
// a context that ends during a call: only the create's outcome is unknown
// (it may have been stored).
var cutShort = map[string]struct {
	call        func(context.Context, *Client) error
	wantUnknown bool
}{
	"GET":  {endpoints["ListConfigurations"], false},
	"POST": {endpoints["CreateConfiguration"], true},
}

func TestContextCancelledDuringRequest(t *testing.T) {
	t.Parallel()
	for name, tt := range cutShort {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			var calls atomic.Int32
			ctx, cancel := context.WithCancel(context.Background())
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				cancel()
				waitForClient(r)
			})
			err := tt.call(ctx, ts.client)
			if !errors.Is(err, context.Canceled) || IsOutcomeUnknown(err) != tt.wantUnknown {
				t.Errorf("err = %v; want context.Canceled, outcome unknown %v", err, tt.wantUnknown)
			}
			if calls.Load() != 1 {
				t.Errorf("%d calls, want 1", calls.Load())
			}
		})
	}
}

func TestBackoffFullJitter(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 20; attempt++ {
		ceiling := min(backoffBase<<min(attempt, 15), backoffCap)
		var maxSeen time.Duration
		for range 200 {
			d := backoff(backoffBase, attempt)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, outside [0, %s]", attempt, d, ceiling)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceiling/4 {
			t.Errorf("backoff(%d) never above %s in 200 draws; ceiling %s", attempt, maxSeen, ceiling)
		}
	}
}

func TestClassifyTransportError(t *testing.T) {
	t.Parallel()
	tls := httptest.NewUnstartedServer(http.NotFoundHandler())
	tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tls.StartTLS()
	defer tls.Close()
	_, certErr := http.Get(tls.URL) // the default client does not trust the test CA
	refusedL, _ := net.Listen("tcp", "127.0.0.1:0")
	refusedAddr := refusedL.Addr().String()
	refusedL.Close()
	_, refusedErr := http.Get("http://" + refusedAddr)
	tests := map[string]struct {
		err  error
		want transportFailure
	}{
		"untrusted certificate": {certErr, failPermanent},
		"connection refused":    {refusedErr, failNotSent},
		"unknown host":          {&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, failPermanent},
		"DNS timeout":           {&net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}, failNotSent},
		"EOF":                   {errors.New("EOF"), failUncertain},
	}
	for name, tt := range tests {
		if got := classifyTransportError(tt.err); got != tt.want {
			t.Errorf("%s: classifyTransportError(%v) = %v, want %v", name, tt.err, got, tt.want)
		}
	}
}

// TestContextEndedAsAnErrorArrives: when the run's context ends (Ctrl-C, a
// deadline) just as DocuSign's error answer comes back, the call reports
// that the context ended, with the answer, not the answer alone: the
// command must say "interrupted", not blame DocuSign. (A CI run saw a 503
// come back with the deadline already past.) A create that got a 503 stays
// outcome-unknown all the same: it may have been stored.
func TestContextEndedAsAnErrorArrives(t *testing.T) {
	t.Parallel()
	for name, tt := range cutShort {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for range 20 {
				ts := setup(t)
				ctx, cancel := context.WithCancel(context.Background())
				ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
					cancel()
					writeError(w, http.StatusServiceUnavailable, "", "down")
				})
				err := tt.call(ctx, ts.client)
				if !errors.Is(err, context.Canceled) || IsOutcomeUnknown(err) != tt.wantUnknown {
					t.Fatalf("err = %v; want context.Canceled, outcome unknown %v", err, tt.wantUnknown)
				}
			}
		})
	}
}
