package emulator

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// Opt-in fault injection for tests and benchmarks, and counting of calls.
//
// A request first waits Faults.Latency. Then the first rule matching its
// method and path fires (and uses up one of its Times):
//
//   - FaultFailBeforeCommit answers Status without running the handler, so
//     nothing is stored;
//   - FaultFailAfterCommit runs the handler (a create, update or delete is
//     stored) and then answers Status instead of the real answer;
//   - FaultDropBeforeCommit / FaultDropAfterCommit close the connection with no
//     answer, before or after the handler ran;
//   - FaultDelay runs the handler, then holds the answer for Delay (longer
//     than a client's timeout, to lose an answer whose change was stored);
//   - FaultSlowCommit holds the request for Delay before the handler runs,
//     and then stores it whether or not the client is still there: a server
//     that is still storing a create when the client dies (kill -9);
//   - FaultRedirect answers Status (302 by default) pointing at Location,
//     without running the handler: DocuSign sends no redirects on these
//     routes, but a proxy or a hostile server may.
//
// With Echo, a Fail answer's message quotes the request back, its body and
// its bearer token, as a careless server or gateway may: the client must
// redact what it knows to be secret.
//
// Rules are checked after the rate limiter counted the call, so a failed call
// still uses the budget, as a real one would.

// FaultKind says what a FaultRule does.
type FaultKind int

// Fault kinds.
const (
	// FaultFailBeforeCommit answers FaultRule.Status without running the handler: nothing is stored.
	FaultFailBeforeCommit FaultKind = iota + 1
	// FaultFailAfterCommit runs the handler, so a change is stored, then answers FaultRule.Status.
	FaultFailAfterCommit
	// FaultDropBeforeCommit closes the connection without an answer; nothing is stored.
	FaultDropBeforeCommit
	// FaultDropAfterCommit stores the change, then closes the connection without an answer.
	FaultDropAfterCommit
	// FaultDelay stores the change, then holds the answer for FaultRule.Delay.
	FaultDelay
	// FaultRedirect answers FaultRule.Status (302 by default) with a Location
	// header; nothing is stored.
	FaultRedirect
	// FaultSlowCommit waits FaultRule.Delay, then runs the handler even if
	// the client has gone: the change is stored late.
	FaultSlowCommit
)

// FaultRule injects a fault into matching requests.
type FaultRule struct {
	// Method matches the HTTP method; empty matches any.
	Method string
	// Path matches the URL path segment by segment: "*" (or a path.Match
	// pattern) within a segment, and a "{name}" segment matches any one
	// segment, so the Route* patterns' paths work as is. Empty matches any.
	Path string
	// Times is how many matching requests the rule fires for: 0 means once,
	// a negative number means every time until ClearFaults.
	Times int
	Kind  FaultKind
	// Status is the answer of a Fail kind: 503 by default. 429 (or 400 with a
	// rate-limit ErrorCode) imitates DocuSign's rate limiting.
	Status int
	// ErrorCode and Message make the errorDetails body; by default
	// BURST_APIINVOCATION_LIMIT_EXCEEDED for 429 and UNSPECIFIED_ERROR otherwise.
	ErrorCode string
	Message   string
	// Delay is how long FaultDelay holds the answer.
	Delay time.Duration
	// Echo makes a Fail answer's message quote the request: its body and
	// its bearer token.
	Echo bool
	// RetryAfter, when set, adds a Retry-After header (whole seconds) to a
	// Fail answer, as a gateway in front of DocuSign may send.
	RetryAfter time.Duration
	// Location is where FaultRedirect points; empty means the request's own
	// URL (a client that follows it turns a POST into a GET that succeeds).
	Location string
}

// Faults configures fault injection at construction (see Options.Faults).
type Faults struct {
	// Latency is added to every request, OAuth included, before anything else.
	Latency time.Duration
	Rules   []FaultRule
}

type faultSet struct {
	mu      sync.Mutex
	latency time.Duration
	rules   []*FaultRule
}

func newFaultSet(f Faults) *faultSet {
	fs := &faultSet{latency: f.Latency}
	for _, r := range f.Rules {
		fs.add(r)
	}
	return fs
}

func (fs *faultSet) add(r FaultRule) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if r.Times == 0 {
		r.Times = 1
	}
	fs.rules = append(fs.rules, &r)
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = nil
}

func (fs *faultSet) setLatency(d time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.latency = d
}

func (fs *faultSet) getLatency() time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.latency
}

// pending is the number of rules that have not used up their Times.
func (fs *faultSet) pending() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.rules)
}

// fire returns a copy of the first rule matching the request and uses up one
// of its Times, or nil.
func (fs *faultSet) fire(method, urlPath string) *FaultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if (r.Method != "" && !strings.EqualFold(r.Method, method)) || !pathMatches(r.Path, urlPath) {
			continue
		}
		fired := *r
		if r.Times > 0 {
			r.Times--
			if r.Times == 0 {
				fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			}
		}
		return &fired
	}
	return nil
}

// redirect sends a FaultRedirect answer.
func (r *FaultRule) redirect(w http.ResponseWriter, req *http.Request) {
	status := r.Status
	if status == 0 {
		status = http.StatusFound
	}
	loc := r.Location
	if loc == "" {
		loc = req.URL.RequestURI()
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(status)
}

// echo is what an Echo rule quotes: the request's body and bearer token.
func echo(req *http.Request, body []byte) string {
	token := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
	return fmt.Sprintf("The request %s could not be processed for token %s", body, token)
}

// answer is the error a Fail rule sends.
func (r *FaultRule) answer() *apiError {
	e := &apiError{Status: r.Status, Code: r.ErrorCode, Message: r.Message}
	if e.Status == 0 {
		e.Status = http.StatusServiceUnavailable
	}
	if e.Code == "" {
		e.Code = CodeUnspecifiedError
		if e.Status == http.StatusTooManyRequests {
			e.Code = CodeBurstLimitExceeded
		}
	}
	if e.Message == "" {
		switch e.Code {
		case CodeBurstLimitExceeded:
			e.Message = messageBurstLimitExceeded
		case CodeHourlyLimitExceeded:
			e.Message = messageHourlyLimitExceeded
		default:
			e.Message = messageInjectedError
		}
	}
	return e
}

// pathMatches matches a URL path against a FaultRule.Path pattern.
func pathMatches(pattern, urlPath string) bool {
	if pattern == "" {
		return true
	}
	want := strings.Split(strings.Trim(pattern, "/"), "/")
	have := strings.Split(strings.Trim(urlPath, "/"), "/")
	if len(want) != len(have) {
		return false
	}
	for i, w := range want {
		if strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") {
			continue
		}
		if ok, err := path.Match(w, have[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// sleep waits d or until ctx is done; it reports whether the whole wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// callCounter counts requests per route pattern ("METHOD /path/{param}").
type callCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *callCounter) add(route string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[string]int)
	}
	c.counts[route]++
}

func (c *callCounter) get(route string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[route]
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	maps.Copy(out, c.counts)
	return out
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = nil
}
