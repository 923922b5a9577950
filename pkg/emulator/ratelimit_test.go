package emulator

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2026, 3, 1, 12, 20, 5, 0, time.UTC))
	env := newEnv(t, Options{Now: clock.Now})
	paths := []struct{ method, path string }{
		{"GET", connect(AccountAcme)},
		{"GET", connect(AccountAcme) + "/424242"}, // an error answer
		{"POST", connect(AccountAcme)},            // a validation error
		{"GET", connect(AccountInitech)},          // Connect disabled
		{"DELETE", connect(AccountAcme)},          // 405
		{"GET", connect("18204415") + "/secret"},  // 501, by account number
		{"GET", connect(AccountAcme) + "/424242/users"},
	}
	wantReset := strconv.FormatInt(time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC).Unix(), 10)
	used := map[string]int{}
	for _, p := range paths {
		r := env.call(p.method, p.path, "{}")
		account := AccountAcme
		if p.path == connect(AccountInitech) {
			account = AccountInitech
		}
		used[account]++
		want := map[string]string{
			"X-RateLimit-Limit":      "3000",
			"X-RateLimit-Remaining":  strconv.Itoa(3000 - used[account]),
			"X-RateLimit-Reset":      wantReset,
			"X-BurstLimit-Limit":     "200",
			"X-BurstLimit-Remaining": strconv.Itoa(200 - used[account]),
		}
		for h, v := range want {
			if got := r.header.Get(h); got != v {
				t.Errorf("%s %s (%d): %s = %q, want %q", p.method, p.path, r.status, h, got, v)
			}
		}
	}
	if r := env.call("GET", "/oauth/userinfo", nil); r.header.Get("X-RateLimit-Limit") != "" {
		t.Error("OAuth answers should carry no rate-limit headers")
	}
	// The names go out spelled as DocuSign spells them, not canonicalised.
	rec := httptest.NewRecorder()
	env.e.ServeHTTP(rec, httptest.NewRequest("GET", connect(AccountAcme), nil))
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-BurstLimit-Limit", "X-BurstLimit-Remaining"} {
		if _, ok := rec.Header()[h]; !ok {
			t.Errorf("header %s not spelled as DocuSign does: %v", h, rec.Header())
		}
	}
}

func TestBurstLimit(t *testing.T) {
	t.Parallel()
	for _, status := range []int{0, http.StatusBadRequest} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			env := newEnv(t, Options{Now: clock.Now, Limits: Limits{Burst: 3, ExceededStatus: status}})
			for i := range 3 {
				if r := env.call("GET", connect(AccountAcme), nil); r.status != http.StatusOK {
					t.Fatalf("call %d: %d", i, r.status)
				}
				clock.Advance(time.Second)
			}
			want := http.StatusTooManyRequests
			if status != 0 {
				want = status
			}
			r := env.call("GET", connect(AccountAcme), nil)
			if r.status != want || r.errorCode(t) != CodeBurstLimitExceeded || r.json(t)["message"] == "" {
				t.Errorf("4th call: %d %s", r.status, r.body)
			}
			if r.header.Get("X-BurstLimit-Remaining") != "0" {
				t.Errorf("X-BurstLimit-Remaining = %q", r.header.Get("X-BurstLimit-Remaining"))
			}
			// Another account has its own budget.
			if r := env.call("GET", connect(AccountGlobex), nil); r.status != http.StatusOK {
				t.Errorf("other account: %d", r.status)
			}
			// The window slides: 30 s after the first call, one call is free again.
			clock.Advance(27 * time.Second)
			if r := env.call("GET", connect(AccountAcme), nil); r.status != http.StatusOK {
				t.Errorf("after the window: %d %s", r.status, r.body)
			}
		})
	}
}

func TestHourlyLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2026, 3, 1, 12, 59, 0, 0, time.UTC))
	env := newEnv(t, Options{Now: clock.Now})
	env.e.SetLimits(Limits{Hourly: 2, Burst: 100})
	for range 2 {
		env.call("GET", connect(AccountAcme), nil)
	}
	r := env.call("GET", connect(AccountAcme), nil)
	if r.status != http.StatusTooManyRequests || r.errorCode(t) != CodeHourlyLimitExceeded || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("3rd call: %d %s remaining=%q", r.status, r.body, r.header.Get("X-RateLimit-Remaining"))
	}
	clock.Advance(time.Minute) // 13:00: a new hour
	r = env.call("GET", connect(AccountAcme), nil)
	if r.status != http.StatusOK || r.header.Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("next hour: %d remaining=%q", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
}
