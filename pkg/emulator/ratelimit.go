package emulator

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DocuSign's API rate limits (reference §7), applied per account:
//
//   - hourly: Limits.Hourly calls per clock hour; the window resets on the
//     hour and X-RateLimit-Reset is that moment in Unix epoch seconds.
//   - burst: at most Limits.Burst calls in any Limits.BurstWindow. DocuSign
//     does not say whether its 30-second window is fixed or sliding; the
//     emulator slides it, which lets fewer calls through at a window edge.
//
// Every call to an existing account's REST API counts, whatever its answer,
// except a call refused for exceeding a limit. Every such answer carries
// X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset,
// X-BurstLimit-Limit and X-BurstLimit-Remaining. No Retry-After is sent,
// since DocuSign documents none.

// Limits configures rate limiting. Zero fields take DocuSign's demo defaults.
type Limits struct {
	// Hourly is the number of calls per account per clock hour (default 3,000).
	Hourly int
	// Burst is the number of calls per account per BurstWindow (default 200,
	// the demo environment's; production allows 500).
	Burst int
	// BurstWindow is the burst window (default 30 s).
	BurstWindow time.Duration
	// ExceededStatus is the HTTP status of a rate-limited answer: 429 by
	// default; http.StatusBadRequest mimics DocuSign answering the limit
	// errorCode with 400, which it may do.
	ExceededStatus int
}

func (l Limits) withDefaults() Limits {
	if l.Hourly <= 0 {
		l.Hourly = 3000
	}
	if l.Burst <= 0 {
		l.Burst = 200
	}
	if l.BurstWindow <= 0 {
		l.BurstWindow = 30 * time.Second
	}
	if l.ExceededStatus == 0 {
		l.ExceededStatus = http.StatusTooManyRequests
	}
	return l
}

type limiter struct {
	mu       sync.Mutex
	limits   Limits
	accounts map[string]*usage
}

// usage is one account's consumption.
type usage struct {
	hour      time.Time   // start of the current clock hour
	hourCalls int         // calls counted in that hour
	recent    []time.Time // times of the calls in the burst window, oldest first
}

func newLimiter(l Limits) *limiter {
	return &limiter{limits: l.withDefaults(), accounts: make(map[string]*usage)}
}

func (l *limiter) set(limits Limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits = limits.withDefaults()
}

// take counts one call for account at now, sets the rate-limit headers on h,
// and returns a non-nil error if the call must be refused.
func (l *limiter) take(account string, now time.Time, h http.Header) *apiError {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.accounts[account]
	if u == nil {
		u = new(usage)
		l.accounts[account] = u
	}
	if hour := now.Truncate(time.Hour); !hour.Equal(u.hour) {
		u.hour, u.hourCalls = hour, 0
	}
	cut := 0
	for cut < len(u.recent) && !u.recent[cut].After(now.Add(-l.limits.BurstWindow)) {
		cut++
	}
	u.recent = u.recent[cut:]

	var refused *apiError
	switch {
	case u.hourCalls >= l.limits.Hourly:
		refused = &apiError{Status: l.limits.ExceededStatus, Code: CodeHourlyLimitExceeded, Message: messageHourlyLimitExceeded}
	case len(u.recent) >= l.limits.Burst:
		refused = &apiError{Status: l.limits.ExceededStatus, Code: CodeBurstLimitExceeded, Message: messageBurstLimitExceeded}
	default:
		u.hourCalls++
		u.recent = append(u.recent, now)
	}
	// Assigned directly rather than with Set, so the names go out spelled as
	// DocuSign spells them (Set would send X-Ratelimit-Limit).
	h["X-RateLimit-Limit"] = []string{strconv.Itoa(l.limits.Hourly)}
	h["X-RateLimit-Remaining"] = []string{strconv.Itoa(max(0, l.limits.Hourly-u.hourCalls))}
	h["X-RateLimit-Reset"] = []string{strconv.FormatInt(u.hour.Add(time.Hour).Unix(), 10)}
	h["X-BurstLimit-Limit"] = []string{strconv.Itoa(l.limits.Burst)}
	h["X-BurstLimit-Remaining"] = []string{strconv.Itoa(max(0, l.limits.Burst-len(u.recent)))}
	return refused
}
