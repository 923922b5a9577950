package docusign

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// burstServer is DocuSign's burst limit on the fake clock: at most limit
// calls per account in any 30-second window, else 429
// BURST_APIINVOCATION_LIMIT_EXCEEDED. It records when each call arrived.
type burstServer struct {
	t            *testing.T
	clock        *fakeClock
	limit        int
	reportLimit  bool // send X-BurstLimit-Limit
	reportRemain bool // send X-BurstLimit-Remaining

	mu       sync.Mutex
	arrivals []time.Time
	refused  int
}

func (b *burstServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := b.clock.Now()
	b.mu.Lock()
	inWindow := 0
	for _, at := range b.arrivals {
		if now.Sub(at) < burstWindow {
			inWindow++
		}
	}
	ok := inWindow < b.limit
	if ok {
		b.arrivals = append(b.arrivals, now)
		inWindow++
	} else {
		b.refused++
	}
	b.mu.Unlock()
	if b.reportLimit {
		w.Header().Set("X-BurstLimit-Limit", strconv.Itoa(b.limit))
	}
	if b.reportRemain {
		w.Header().Set("X-BurstLimit-Remaining", strconv.Itoa(b.limit-inWindow))
	}
	if !ok {
		writeError(w, http.StatusTooManyRequests, "BURST_APIINVOCATION_LIMIT_EXCEEDED", "The maximum number of burst API invocations has been exceeded.")
		return
	}
	writeJSON(w, http.StatusOK, `{"configurations":[],"totalRecords":"0"}`)
}

// maxInWindow is the most arrivals in any window of the given length.
func maxInWindow(times []time.Time, window time.Duration) int {
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func TestLimiterKeepsUnderBurstLimit(t *testing.T) {
	t.Parallel()
	type server struct {
		limit                     int
		reportLimit, reportRemain bool
	}
	tests := map[string]struct {
		server      server
		configured  int
		calls       int
		maxFakeTime time.Duration
	}{
		// 1000 calls at 200/30s take 150s at the very least; the limiter uses
		// half the window's budget once the first 45% are spent.
		"demo, no headers":           {server{limit: 200}, DemoBurstLimit, 1000, 300 * time.Second},
		"demo, remaining reported":   {server{limit: 200, reportLimit: true, reportRemain: true}, DemoBurstLimit, 1000, 300 * time.Second},
		"production, configured":     {server{limit: 500}, ProductionBurstLimit, 1000, 120 * time.Second},
		"production, from headers":   {server{limit: 500, reportLimit: true}, DemoBurstLimit, 1000, 120 * time.Second},
		"an apply of 100 changes":    {server{limit: 200, reportLimit: true, reportRemain: true}, DemoBurstLimit, 101, 5 * time.Second},
		"a tighter limit than given": {server{limit: 100, reportLimit: true}, DemoBurstLimit, 400, 300 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t, func(o *Options) { o.BurstLimit = tt.configured; o.Debug = nil })
			srv := &burstServer{t: t, clock: ts.clock, limit: tt.server.limit, reportLimit: tt.server.reportLimit, reportRemain: tt.server.reportRemain}
			ts.mux.Handle(connectURL, srv)
			ctx := context.Background()
			start := ts.clock.Now()
			for i := range tt.calls {
				if _, err := ts.client.ListConfigurations(ctx, testAccount); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if srv.refused > 0 {
				t.Errorf("the server refused %d calls with 429", srv.refused)
			}
			if got := maxInWindow(srv.arrivals, burstWindow); got > srv.limit {
				t.Errorf("%d calls in one 30s window, limit %d", got, srv.limit)
			}
			if took := ts.clock.Now().Sub(start); took > tt.maxFakeTime {
				t.Errorf("%d calls took %s (fake time), want under %s", tt.calls, took, tt.maxFakeTime)
			}
		})
	}
}

func TestLimiterUnderConcurrentReservations(t *testing.T) {
	t.Parallel()
	// 1000 callers reserving at the same instant, none answered yet, get
	// send times that never put more than 90% of the limit in any window;
	// 90% of the limit may go at once.
	for _, limit := range []int{DemoBurstLimit, ProductionBurstLimit} {
		l := newAccountLimit(limit, 30*time.Second)
		var sends []time.Time
		now := 0
		for range 1000 {
			res, err := l.reserve("a", testStart, time.Minute)
			d := res.wait
			if err != nil {
				t.Fatal(err)
			}
			if d == 0 {
				now++
			}
			sends = append(sends, testStart.Add(d))
		}
		if got, most := maxInWindow(sends, burstWindow), limit*90/100; got > most {
			t.Errorf("limit %d: %d sends in one window, want at most %d", limit, got, most)
		}
		if now < limit*80/100 {
			t.Errorf("limit %d: %d calls may go at once, want at least 80%% of the limit", limit, now)
		}
	}
}

// TestLimiterSpendsTheBudgetAndRefills: a large apply sends 90% of the
// limit at once, then one call as each falls out of the window (a window
// after its answer), so that a second window's worth goes 30 s later, not
// drip-fed; DocuSign never answers 429.
func TestLimiterSpendsTheBudgetAndRefills(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.BurstLimit = ProductionBurstLimit; o.Debug = nil })
	srv := &burstServer{t: t, clock: ts.clock, limit: 500, reportLimit: true}
	ts.mux.Handle(connectURL, srv)
	start := ts.clock.Now()
	for i := range 900 {
		if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.refused > 0 {
		t.Errorf("%d calls refused with 429", srv.refused)
	}
	first := 0
	for _, at := range srv.arrivals {
		if at.Equal(start) {
			first++
		}
	}
	if first != 450 {
		t.Errorf("%d calls went at once, want 450 (90%% of 500)", first)
	}
	if took := ts.clock.Now().Sub(start); took > 31*time.Second {
		t.Errorf("900 calls took %s (fake time), want one window", took)
	}
}

func TestLimiterSlowsWhenBudgetNearlySpent(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		remaining string
		wantWait  time.Duration
	}{
		"4 left of 200": {"4", 7500 * time.Millisecond}, // 30s / 4
		"none left":     {"0", 30 * time.Second},
		"plenty left":   {"150", 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-BurstLimit-Limit", "200")
				w.Header().Set("X-BurstLimit-Remaining", tt.remaining)
				writeJSON(w, http.StatusOK, `{"totalRecords":"0"}`)
			})
			for range 2 {
				if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
					t.Fatal(err)
				}
			}
			if got := ts.clock.Slept(); got != tt.wantWait {
				t.Errorf("waited %s before the second call, want %s", got, tt.wantWait)
			}
		})
	}
}

func TestHourlyBudgetSpentWaitsForShortReset(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(testStart.Add(40*time.Second).Unix(), 10))
		}
		writeJSON(w, http.StatusOK, `{"totalRecords":"0"}`)
	})
	for range 2 {
		if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
			t.Fatal(err)
		}
	}
	if got := ts.clock.Slept(); got != 40*time.Second {
		t.Errorf("waited %s, want 40s until the hourly reset", got)
	}
}

func TestAccountsHaveTheirOwnBudget(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc("GET /restapi/v2.1/accounts/{account}/connect", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("account") == "spent" {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(testStart.Add(time.Hour).Unix(), 10))
		}
		writeJSON(w, http.StatusOK, `{"totalRecords":"0"}`)
	})
	ctx := context.Background()
	for _, id := range []string{"spent", "fresh", "fresh"} {
		if _, err := ts.client.ListConfigurations(ctx, id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if _, err := ts.client.ListConfigurations(ctx, "SPENT"); !IsRateLimited(err) {
		t.Errorf("spent account (any letter case): err = %v, want rate limited", err)
	}
}

func TestParseRateHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	// As recorded through Nango's proxy, plus DocuSign's burst headers.
	h.Set("x-ratelimit-limit", "5000")
	h.Set("x-ratelimit-remaining", "4807")
	h.Set("x-ratelimit-reset", "1782304352")
	h.Set("X-BurstLimit-Limit", "500")
	h.Set("X-BurstLimit-Remaining", "499")
	got := parseRateHeaders(h)
	want := rateHeaders{limit: 5000, remaining: 4807, reset: time.Unix(1782304352, 0), burstLimit: 500, burstRemaining: 499,
		hasRemaining: true, hasReset: true, hasBurstLimit: true, hasBurstRemaining: true}
	if got != want {
		t.Errorf("parseRateHeaders = %+v, want %+v", got, want)
	}
	if got := parseRateHeaders(http.Header{"X-Ratelimit-Remaining": {"lots"}}); got.hasRemaining || got.hasReset {
		t.Errorf("garbage headers parsed as %+v", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]time.Duration{
		"7":                             7 * time.Second,
		"0":                             0,
		"Wed, 24 Jun 2026 12:31:00 GMT": time.Minute,
		"Wed, 24 Jun 2026 12:00:00 GMT": 0, // in the past
	} {
		got, ok := parseRetryAfter(http.Header{"Retry-After": {value}}, testStart)
		if !ok || got != want {
			t.Errorf("Retry-After %q = %s, %v; want %s", value, got, ok, want)
		}
	}
	for _, value := range []string{"", "soon", "-3"} {
		if _, ok := parseRetryAfter(http.Header{"Retry-After": {value}}, testStart); ok {
			t.Errorf("Retry-After %q parsed", value)
		}
	}
}

// TestLimiterCountsOthersCalls: another client spent half the window just
// before (DocuSign says so in X-BurstLimit-Remaining): this one, 8 calls at
// a time, spends the rest, waits for the window, and is never refused. (On
// this instant clock the pacing on X-BurstLimit-Remaining alone would do;
// with real answers in flight it did not: BenchmarkApplyUnderBurstLimit,
// two applies back to back against the emulator, saw 12 answers 429.)
func TestLimiterCountsOthersCalls(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.Debug = nil })
	srv := &burstServer{t: t, clock: ts.clock, limit: 200, reportLimit: true, reportRemain: true}
	for range 100 {
		srv.arrivals = append(srv.arrivals, ts.clock.Now()) // the other client's calls
	}
	ts.mux.Handle(connectURL, srv)
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err) // the first answer tells of the others
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 18 {
				if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.refused > 0 {
		t.Errorf("%d calls refused with 429: the others' calls were not counted", srv.refused)
	}
}
