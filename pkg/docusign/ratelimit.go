package docusign

// How the client stays under DocuSign's rate limits.
//
// DocuSign counts calls per account in two budgets: an hourly one (3,000 by
// default, reset on the hour) and a burst one (200 calls per 30 seconds in
// demo, 500 in production), and reports both in response headers:
// X-RateLimit-Limit/Remaining/Reset (Reset is Unix epoch seconds) and
// X-BurstLimit-Limit/Remaining (no reset is documented).
// https://developers.docusign.com/platform/resource-limits/
//
// Each account gets an accountLimit with three brakes, all applied before a
// request is sent:
//
//  1. A log of the account's calls, each counted from the moment it is sent
//     until a window after its answer came back (DocuSign counted it at
//     some moment in between), or, while no answer has come, until a window
//     and an attempt's timeout after it was sent. The calls of others (other
//     applications, another connectsync run just before) count too: when an
//     answer's X-BurstLimit-Remaining says DocuSign counts more calls than
//     this client's answered ones, the difference counts until a window
//     after that answer. A call is sent only while fewer than 90% of the
//     burst limit are this client's and, with the others', fewer than the
//     limit; else when enough of them stop counting. So no 30-second window,
//     sliding or fixed, sees more than 90% of the limit arrive from this
//     client, nor more than the limit with what it knows of others, while a
//     large apply may spend its 90% at once and then goes on as fast as the
//     window lets calls fall out of it. (A token bucket must choose between
//     the two: it held 45% at once and refilled half the limit per window.)
//  2. When X-BurstLimit-Remaining says the budget is nearly spent (other
//     applications share it), calls are spaced so that the rest lasts the
//     window: window/remaining apart, or a whole window when none is left.
//     This pacing on the headers' word adds at most MaxRateLimitWait per
//     account in all: a server that says "0 left" after every call would
//     otherwise hold each call back a whole window, without end. Past that
//     the headers are ignored and DocuSign's 429 answers, each waited for and
//     retried a bounded number of times, do the braking.
//  3. When X-RateLimit-Remaining is 0 and the reset is ahead, the call waits
//     for the reset, or fails at once with *RateLimitError when that is longer
//     than Options.MaxRateLimitWait (as go-github's checkRateLimitBeforeDo).
//
// The limit DocuSign reports in X-BurstLimit-Limit replaces the configured one,
// unless it is below minBurstLimit: DocuSign's limits are in the hundreds,
// and a limit of 0 or 1 would pace calls a minute apart.

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	headerRateLimit      = "X-RateLimit-Limit"
	headerRateRemaining  = "X-RateLimit-Remaining"
	headerRateReset      = "X-RateLimit-Reset"
	headerBurstLimit     = "X-BurstLimit-Limit"
	headerBurstRemaining = "X-BurstLimit-Remaining"

	burstWindow = 30 * time.Second
	// minBurstLimit is the lowest X-BurstLimit-Limit believed.
	minBurstLimit = 10

	// DemoBurstLimit is DocuSign's burst limit in the demo environment: calls
	// per 30 seconds per account.
	DemoBurstLimit = 200
	// ProductionBurstLimit is DocuSign's burst limit in production.
	ProductionBurstLimit = 500
)

// rateHeaders is what one response said about the account's budgets. The
// has* fields say whether the header was there at all.
type rateHeaders struct {
	limit, remaining           int
	reset                      time.Time
	burstLimit, burstRemaining int

	hasRemaining, hasReset, hasBurstLimit, hasBurstRemaining bool
}

func parseRateHeaders(h http.Header) rateHeaders {
	var r rateHeaders
	r.limit, _ = headerInt(h, headerRateLimit)
	r.remaining, r.hasRemaining = headerInt(h, headerRateRemaining)
	r.reset, r.hasReset = parseUnix(h.Get(headerRateReset))
	r.burstLimit, r.hasBurstLimit = headerInt(h, headerBurstLimit)
	r.burstRemaining, r.hasBurstRemaining = headerInt(h, headerBurstRemaining)
	return r
}

func headerInt(h http.Header, key string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(key)))
	return n, err == nil
}

func parseUnix(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// parseRetryAfter reads a Retry-After header (seconds or an HTTP date).
// DocuSign does not document one, but gateways in front of it may send it.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// accountLimit paces the calls to one account. See the comment at the top of
// the file.
type accountLimit struct {
	mu      sync.Mutex
	limit   int           // burst calls allowed per window
	timeout time.Duration // an attempt's longest time (Options.Timeout)
	// counted are the calls that count against the window now or later,
	// each until its end.
	counted []*counted
	// others are the calls DocuSign counted that are not this client's
	// (X-BurstLimit-Remaining), until othersEnd.
	others    int
	othersEnd time.Time

	// From the latest response.
	burstRemaining    int
	hasBurstRemaining bool
	hourlyRemaining   int
	hasHourly         bool
	reset             time.Time

	next time.Time // earliest next send while the burst budget is nearly spent

	headerWaits    time.Duration // added so far by believing X-BurstLimit-Remaining
	headerSlot     time.Time     // the latest slot the headers pushed a call to
	ignoreHeaderBR bool          // that pacing used up its allowance: rely on 429s
}

// counted is one call in the log: it counts until end; answered once its
// answer came.
type counted struct {
	end      time.Time
	answered bool
}

// burstShare is the part of the burst limit one client spends in a
// window: the rest is margin (DocuSign's window edges, other applications
// starting up).
const burstShare = 0.9

// reservation is when a call may go, and why it waits.
type reservation struct {
	wait   time.Duration
	hourly bool // waiting for the hourly budget's reset, not the burst limit
	// stoppedPacing: from now on X-BurstLimit-Remaining is ignored, its
	// pacing having added maxWait already.
	stoppedPacing bool
	// call is the call's entry in the log, for done.
	call *counted
}

func newAccountLimit(limit int, timeout time.Duration) *accountLimit {
	return &accountLimit{limit: limit, timeout: timeout}
}

// budget is how many calls may count at once.
func (l *accountLimit) budget() int { return max(int(float64(l.limit)*burstShare), 1) }

// reserve books the next send and says how long to wait before it. It
// returns a *RateLimitError, booking nothing, when the hourly budget is spent
// for longer than maxWait.
func (l *accountLimit) reserve(account string, now time.Time, maxWait time.Duration) (reservation, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var hourly time.Duration
	if l.hasHourly && l.hourlyRemaining <= 0 && l.reset.After(now) {
		hourly = l.reset.Sub(now)
		if hourly > maxWait {
			return reservation{}, &RateLimitError{AccountID: account, Reset: l.reset, Wait: hourly, MaxWait: maxWait}
		}
	}
	var res reservation
	// What the headers add (others' calls, pacing when the budget is nearly
	// spent) is believed up to maxWait per account in all: a server that
	// says "spent" after every call must not hold each call a window.
	own := l.slot(now, false)
	wait := own
	if !l.ignoreHeaderBR {
		wait = max(own, l.slot(now, true))
	}
	if spacing, low := l.burstSpacing(); low && l.next.After(now.Add(wait)) {
		wait = l.next.Sub(now)
		defer func() { l.next = now.Add(res.wait).Add(spacing) }()
	}
	if wait > own {
		// Calls waiting side by side for the same moment wait once: what
		// counts is how far the headers push the latest slot.
		slot := now.Add(wait)
		extra := slot.Sub(later(l.headerSlot, now.Add(own)))
		if l.headerWaits+max(extra, 0) > maxWait {
			l.ignoreHeaderBR, res.stoppedPacing = true, true
			wait = own
		} else {
			l.headerWaits += max(extra, 0)
			l.headerSlot = later(l.headerSlot, slot)
		}
	}
	// Until its answer comes, the call counts as long as it could: a
	// window after the latest moment DocuSign could receive it.
	res.call = &counted{end: now.Add(wait + l.timeout + burstWindow)}
	l.counted = append(l.counted, res.call)
	res.wait, res.hourly = max(wait, hourly), hourly > wait
	return res, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// slot is how long a call must wait until fewer than the budget count:
// this client's calls under 90% of the limit; with others, them and the
// calls of others the headers told of under the whole limit (the last
// tenth is paced by burstSpacing).
func (l *accountLimit) slot(now time.Time, others bool) time.Duration {
	l.counted = slices.DeleteFunc(l.counted, func(c *counted) bool { return !c.end.After(now) })
	type ending struct {
		at    time.Time
		calls int
	}
	ends := make([]ending, 0, len(l.counted)+1)
	total := len(l.counted)
	for _, c := range l.counted {
		ends = append(ends, ending{c.end, 1})
	}
	if others && l.others > 0 && l.othersEnd.After(now) {
		ends = append(ends, ending{l.othersEnd, l.others})
		total += l.others
	}
	budget := l.budget()
	if others {
		budget = l.limit
	}
	over := total - budget + 1 // calls that must stop counting first
	if over <= 0 {
		return 0
	}
	slices.SortFunc(ends, func(a, b ending) int { return a.at.Compare(b.at) })
	for _, e := range ends {
		if over -= e.calls; over <= 0 {
			return e.at.Sub(now)
		}
	}
	return ends[len(ends)-1].at.Sub(now)
}

// done records how a call ended: answered at now (it counts a window
// from now), or never sent (it does not count at all).
func (l *accountLimit) done(c *counted, now time.Time, sent bool) {
	if c == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !sent {
		c.end = time.Time{}
		return
	}
	c.answered = true
	if end := now.Add(burstWindow); end.Before(c.end) {
		c.end = end
	}
}

// burstSpacing says whether the burst budget DocuSign last reported is nearly
// spent (a tenth or less left) and, if so, how far apart calls must be for
// the rest to last a window: window/remaining, or a whole window when none is left.
func (l *accountLimit) burstSpacing() (time.Duration, bool) {
	if !l.hasBurstRemaining || l.ignoreHeaderBR || l.burstRemaining > max(l.limit/10, 1) {
		return 0, false
	}
	if l.burstRemaining <= 0 {
		return burstWindow, true
	}
	return burstWindow / time.Duration(l.burstRemaining), true
}

// observe records what a response said about the budgets.
func (l *accountLimit) observe(now time.Time, r rateHeaders) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.hasBurstLimit && r.burstLimit >= minBurstLimit {
		l.limit = r.burstLimit
	}
	if r.hasBurstRemaining {
		// DocuSign counts limit-remaining calls now; those not among this
		// client's answered ones (this answer's call included) are others'.
		mine := 1
		for _, c := range l.counted {
			if c.answered && c.end.After(now) {
				mine++
			}
		}
		l.others, l.othersEnd = max(l.limit-r.burstRemaining-mine, 0), now.Add(burstWindow)
		l.burstRemaining, l.hasBurstRemaining = r.burstRemaining, true
		// The next call keeps its distance from this answer too.
		if spacing, low := l.burstSpacing(); low && now.Add(spacing).After(l.next) {
			l.next = now.Add(spacing)
		}
	}
	if r.hasRemaining {
		l.hourlyRemaining, l.hasHourly = r.remaining, true
		if r.hasReset {
			l.reset = r.reset
		}
	}
}
