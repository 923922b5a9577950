package docusign

// Tests against a hostile (or broken) server on loopback: redirects,
// answers that lack what they must carry, pages that never end, echoes of
// secrets. Each reproduces a defect found by a red-team pass (issue 15).

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
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
				ts.mux.HandleFunc(connectURL+"/", func(w http.ResponseWriter, r *http.Request) {
					redirected.Add(1)
					http.Redirect(w, r, ts.url+"/elsewhere", status)
				})
				ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
					redirected.Add(1)
					http.Redirect(w, r, ts.url+"/elsewhere", status)
				})
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
