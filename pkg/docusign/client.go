package docusign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

const (
	apiPath             = "/restapi/v2.1"
	defaultTimeout      = 30 * time.Second
	defaultMaxRetries   = 4
	defaultMaxWait      = time.Minute
	defaultUserAgent    = "connectsync (+https://github.com/connectsync/connectsync)"
	maxResponseBody     = 10 << 20
	defaultMaxUserPages = 200
	defaultConcurrency  = 8
)

// Options configures a Client. Only Auth is required, plus a way to find each
// account's base URI: BaseURI, AccountBaseURIs, or AuthServer for userinfo.
// FromEnv fills in Auth, AuthServer, BaseURI and BurstLimit from the
// environment variables README.md lists ("Using it with DocuSign").
type Options struct {
	// HTTPClient sends the requests; nil (or a nil Transport) means a
	// transport made for this client: connections kept for reuse, one per
	// call in flight (Concurrency), HTTP/2 where the server offers it, and
	// no dial or TLS handshake bound other than Timeout. Its CheckRedirect
	// is replaced: no redirect is followed. Leave its Timeout zero, so that
	// Timeout alone bounds an attempt. A transport that skips TLS
	// verification is refused.
	HTTPClient *http.Client
	// Concurrency is how many calls the caller makes at once (its
	// --concurrency): the client's own transport keeps that many idle
	// connections per host, so that every call reuses one instead of
	// opening (and, against DocuSign, TLS-handshaking) a new one. Zero
	// means 8.
	Concurrency int
	// Auth supplies bearer tokens: StaticToken, or JWTConfig.TokenSource.
	Auth TokenSource
	// AuthServer is the OAuth server, used for userinfo: e.g.
	// https://account-d.docusign.com (a bare host means https), or
	// http://127.0.0.1:PORT for an emulator.
	AuthServer string
	// BaseURI, when set, is every account's base URI (DOCUSIGN_BASE_URI), e.g.
	// https://demo.docusign.net or http://127.0.0.1:PORT. Without /restapi.
	BaseURI string
	// AccountBaseURIs are base URIs by account id, from the user's file.
	AccountBaseURIs map[string]string
	// UserAgent is sent with every request; empty means a default naming connectsync.
	UserAgent string
	// Debug receives the HTTP trace, secrets redacted; nil means no trace.
	// The client writes one whole block at a time; clients that share a
	// writer need it to be safe for concurrent use.
	Debug io.Writer
	// Timeout bounds each attempt, getting a token, connecting and reading
	// the answer included, and nothing else cuts an attempt shorter. Zero
	// means 30 seconds; negative is refused.
	Timeout time.Duration
	// MaxRetries is how many times a failed call is retried. Zero means 4;
	// negative means never.
	MaxRetries int
	// MaxRateLimitWait is the longest the client waits for a spent hourly
	// budget to reset (or for Retry-After) before failing with
	// *RateLimitError. Zero means one minute.
	MaxRateLimitWait time.Duration
	// BurstLimit is DocuSign's burst limit per account, in calls per 30
	// seconds: DemoBurstLimit (the default) or ProductionBurstLimit. A limit
	// DocuSign reports in X-BurstLimit-Limit replaces it.
	BurstLimit int
	// Secrets are values never to be printed, whatever the server echoes:
	// the CLI passes the listener passwords and OAuth client secrets of the
	// files. The client adds what it knows itself (tokens, JWT assertions,
	// private key lines). See redact.go for the shortest value redacted.
	Secrets []string
	// MaxUserPages caps the pages ListUsers reads for one configuration,
	// so that a server that never stops paging cannot spend the account's
	// hourly budget. Zero means 200 (20,000 users).
	MaxUserPages int

	// Notice receives one-line messages a person should see without
	// --debug: a wait for a rate limit of a second or more ("account X:
	// waiting 30 s for DocuSign's burst limit"). It may be called from
	// several goroutines at once; nil means none.
	Notice func(message string)

	// Now and Sleep replace the clock, for tests; nil means the real ones.
	// Sleep must return early with ctx.Err() when ctx is done.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls the DocuSign eSignature REST API v2.1 Connect endpoints for
// any number of accounts. It is safe for concurrent use.
type Client struct {
	hc           *http.Client
	auth         TokenSource
	authServer   string // normalised, no trailing slash; "" if unknown
	baseURI      string
	accountBase  map[string]string // lower-case account id → base URI
	userAgent    string
	timeout      time.Duration
	maxRetries   int
	maxWait      time.Duration
	burstLimit   int
	maxUserPages int
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error
	trace        *tracer
	notice       func(string)
	red          *redactor // secret values to remove from server text

	limitsMu sync.Mutex
	limits   map[string]*accountLimit

	userInfoGroup singleflight.Group
	userInfoMu    sync.Mutex
	userInfo      *UserInfo
}

// New checks opts and returns a Client. It makes no request.
func New(opts Options) (*Client, error) {
	if opts.Auth == nil {
		return nil, errors.New("no credentials: Options.Auth is nil")
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("timeout %s: want a positive duration", opts.Timeout)
	}
	c := &Client{
		auth:         opts.Auth,
		accountBase:  map[string]string{},
		userAgent:    cmpOr(opts.UserAgent, defaultUserAgent),
		timeout:      cmpOr(opts.Timeout, defaultTimeout),
		maxRetries:   cmpOr(opts.MaxRetries, defaultMaxRetries),
		maxWait:      cmpOr(opts.MaxRateLimitWait, defaultMaxWait),
		burstLimit:   cmpOr(opts.BurstLimit, DemoBurstLimit),
		maxUserPages: cmpOr(opts.MaxUserPages, defaultMaxUserPages),
		now:          opts.Now,
		sleep:        opts.Sleep,
		notice:       opts.Notice,
		limits:       map[string]*accountLimit{},
	}
	c.red = newRedactor()
	if s, ok := opts.Auth.(interface{ secretRedactor() *redactor }); ok {
		c.red = s.secretRedactor() // it learns the assertions and tokens as it makes them
	}
	c.red.add(opts.Secrets...)
	if t, ok := opts.Auth.(staticToken); ok {
		c.red.add(string(t))
	}
	if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	var err error
	if opts.AuthServer != "" {
		if c.authServer, err = NormalizeAuthServer(opts.AuthServer); err != nil {
			return nil, fmt.Errorf("auth server: %w", err)
		}
	}
	if opts.BaseURI != "" {
		if c.baseURI, err = normalizeBaseURI(opts.BaseURI); err != nil {
			return nil, fmt.Errorf("base URI: %w", err)
		}
	}
	for id, u := range opts.AccountBaseURIs {
		if u == "" {
			continue
		}
		if c.accountBase[strings.ToLower(id)], err = normalizeBaseURI(u); err != nil {
			return nil, fmt.Errorf("base URI of account %s: %w", id, err)
		}
	}
	if c.hc, err = httpClient(opts.HTTPClient, c.timeout, cmpOr(opts.Concurrency, defaultConcurrency)); err != nil {
		return nil, err
	}
	if opts.Debug != nil {
		c.trace = &tracer{base: c.hc.Transport, w: opts.Debug, red: c.red}
		c.hc.Transport = c.trace
	}
	return c, nil
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// httpClient copies hc (or makes a default), refusing one that skips TLS
// verification. The copy follows no redirect (see RedirectError): a 3xx
// comes back as the answer. It has no overall timeout of its own, so that
// Options.Timeout alone bounds each attempt.
func httpClient(hc *http.Client, timeout time.Duration, concurrency int) (*http.Client, error) {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	if c.Transport == nil {
		c.Transport = newTransport(timeout, concurrency)
	}
	if t, ok := c.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
		return nil, errors.New("the HTTP client skips TLS verification (InsecureSkipVerify); refusing to send credentials with it")
	}
	c.CheckRedirect = refuseRedirect
	return &c, nil
}

// newTransport is http.DefaultTransport (proxy from the environment, TLS
// verified) tuned for many calls to few hosts: an idle connection kept per
// call in flight, so that each is reused rather than a new TCP connection
// and TLS handshake opened (DefaultTransport keeps 2 per host); HTTP/2
// where the server offers it (all calls then share one connection); and
// dial and handshake bounded by the attempt's own timeout, never a shorter
// hidden one (DefaultTransport's are 30 s and 10 s).
func newTransport(timeout time.Duration, concurrency int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = timeout
	t.ForceAttemptHTTP2 = true
	t.MaxIdleConnsPerHost = max(concurrency, 2)
	t.MaxIdleConns = max(t.MaxIdleConns, 2*concurrency)
	return t
}

// refuseRedirect is every client's CheckRedirect: the redirect answer itself
// is returned, so no request (and no Authorization header, no assertion)
// goes to the Location.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// isRedirect reports whether an answer points elsewhere.
func isRedirect(status int) bool { return status >= 300 && status <= 399 }

// newRedirectError describes a redirect answer, its Location redacted.
func newRedirectError(method, where string, resp *http.Response, red *redactor) *RedirectError {
	e := &RedirectError{Method: method, Path: where, Status: resp.StatusCode}
	if loc := resp.Header.Get("Location"); loc != "" {
		if u, err := resp.Request.URL.Parse(loc); err == nil {
			loc = redactURL(u)
		}
		e.Location = red.text(truncate(loc, 200))
	}
	return e
}

// checkScheme accepts https, and plain http only to a loopback host, so that
// no token ever crosses a network in clear.
func checkScheme(u *url.URL) error {
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", u.Redacted())
		}
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed only to loopback hosts (127.0.0.1, ::1, localhost); use https", u.Redacted())
	}
	return fmt.Errorf("%q: want an https:// URL", u.Redacted())
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseServerURL parses an https (or loopback http) URL and drops a trailing slash.
func parseServerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", raw)
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: want no query or fragment", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// NormalizeAuthServer turns an OAuth host setting (DOCUSIGN_AUTH_SERVER, a
// bare host such as account-d.docusign.com or a URL) into a URL without a
// trailing slash, refusing plain http except to loopback hosts.
func NormalizeAuthServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := parseServerURL(s)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// normalizeBaseURI accepts a base URI with or without /restapi (people paste
// either) and returns it without.
func normalizeBaseURI(s string) (string, error) {
	u, err := parseServerURL(s)
	if err != nil {
		return "", err
	}
	u.Path = strings.TrimSuffix(u.Path, "/v2.1")
	u.Path = strings.TrimSuffix(u.Path, "/restapi")
	return u.String(), nil
}

// baseURIFor finds an account's base URI: Options.BaseURI, the account's
// entry in Options.AccountBaseURIs, or the userinfo answer.
func (c *Client) baseURIFor(ctx context.Context, accountID string) (string, error) {
	if c.baseURI != "" {
		return c.baseURI, nil
	}
	if u, ok := c.accountBase[strings.ToLower(accountID)]; ok {
		return u, nil
	}
	if c.authServer == "" {
		return "", fmt.Errorf("no base URI for account %s: set DOCUSIGN_BASE_URI or the account's baseUri, or give an auth server to ask userinfo", accountID)
	}
	info, err := c.UserInfo(ctx)
	if err != nil {
		return "", fmt.Errorf("find the base URI of account %s: %w", accountID, err)
	}
	for _, a := range info.Accounts {
		if strings.EqualFold(a.AccountID, accountID) {
			u, err := normalizeBaseURI(a.BaseURI)
			if err != nil {
				return "", fmt.Errorf("base URI of account %s from userinfo: %w", accountID, err)
			}
			return u, nil
		}
	}
	return "", &UnknownAccountError{AccountID: accountID, Reachable: info.Accounts}
}

// UserInfo returns who the credentials belong to and which accounts they
// reach, with each account's base URI. The answer is fetched once (also under
// concurrent calls) and cached; DocuSign asks clients to cache it.
// https://developers.docusign.com/platform/auth/reference/user-info/
func (c *Client) UserInfo(ctx context.Context) (UserInfo, error) {
	if cached := c.cachedUserInfo(); cached != nil {
		return *cached, nil
	}
	if c.authServer == "" {
		return UserInfo{}, errors.New("userinfo: no auth server configured")
	}
	return sharedCall(ctx, &c.userInfoGroup, "userinfo", c.timeout*time.Duration(c.maxRetries+1), func(ctx context.Context) (UserInfo, error) {
		if cached := c.cachedUserInfo(); cached != nil { // fetched while this caller was on its way
			return *cached, nil
		}
		var info UserInfo
		r := &request{method: http.MethodGet, url: c.authServer + "/oauth/userinfo"}
		if err := c.do(ctx, r, &info); err != nil {
			return UserInfo{}, fmt.Errorf("userinfo: %w", err)
		}
		c.userInfoMu.Lock()
		c.userInfo = &info
		c.userInfoMu.Unlock()
		return info, nil
	})
}

func (c *Client) cachedUserInfo() *UserInfo {
	c.userInfoMu.Lock()
	defer c.userInfoMu.Unlock()
	return c.userInfo
}

// sharedCall runs fetch once for all concurrent callers with the same group
// and key. The first caller starts it detached from its own cancellation,
// since the others wait on it too, and bounded by timeout; each caller waits
// for the result or for its own ctx, whichever comes first.
func sharedCall[T any](ctx context.Context, g *singleflight.Group, key string, timeout time.Duration, fetch func(context.Context) (T, error)) (T, error) {
	ch := g.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		return fetch(fctx)
	})
	var zero T
	select {
	case <-ctx.Done():
		return zero, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return zero, res.Err
		}
		return res.Val.(T), nil
	}
}

// request is one API call, kept so that every attempt can rebuild it.
type request struct {
	method  string
	account string // the account whose budget the call spends; "" for OAuth calls
	url     string
	body    []byte // JSON; nil for none
}

// path is the request's URL path and query, secrets redacted, as errors show it.
func (r *request) path() string {
	u, err := url.Parse(r.url)
	if err != nil {
		return "(unparsable URL)"
	}
	return redactedPath(u)
}

// newRequest builds a call to path (relative, e.g. "connect/123") under the
// account's REST root {baseUri}/restapi/v2.1/accounts/{accountId}/, with body
// encoded as JSON when not nil.
func (c *Client) newRequest(ctx context.Context, method, accountID, path string, body any) (*request, error) {
	if accountID == "" {
		return nil, errors.New("no account id")
	}
	if strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("path %q must be relative", path)
	}
	base, err := c.baseURIFor(ctx, accountID)
	if err != nil {
		return nil, err
	}
	r := &request{
		method:  method,
		account: accountID,
		url:     base + apiPath + "/accounts/" + url.PathEscape(accountID) + "/" + path,
	}
	if body != nil {
		if r.body, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
	}
	return r, nil
}

// limit returns the account's limiter, creating it on first use.
func (c *Client) limit(accountID string) *accountLimit {
	key := strings.ToLower(accountID)
	c.limitsMu.Lock()
	defer c.limitsMu.Unlock()
	l, ok := c.limits[key]
	if !ok {
		l = newAccountLimit(c.burstLimit, c.timeout)
		c.limits[key] = l
	}
	return l
}

// do sends r, retrying as retry.go describes, and decodes a 2xx JSON answer
// into v (nil to discard it).
func (c *Client) do(ctx context.Context, r *request, v any) error {
	u, err := url.Parse(r.url)
	if err != nil {
		return err
	}
	path := redactedPath(u)
	var lim *accountLimit
	if r.account != "" {
		lim = c.limit(r.account)
	}
	var (
		lastErr   error
		uncertain bool // an earlier attempt may have reached DocuSign
		renewed   bool // the token was already renewed after a 401
	)
	for attempt := 1; ; attempt++ {
		if attempt > c.maxRetries+1 {
			if attempt == 2 {
				return lastErr
			}
			return fmt.Errorf("giving up after %d attempts: %w", attempt-1, lastErr)
		}
		var call *counted // the call's entry in the account's log
		if lim != nil {
			res, err := lim.reserve(r.account, c.now(), c.maxWait)
			if err != nil {
				return err
			}
			if res.stoppedPacing {
				c.notify("account %s: DocuSign's burst-limit headers keep saying the budget is spent; no longer waiting on their word (429 answers are still waited for)", r.account)
			}
			if err := c.rateWait(ctx, r.account, res.wait, res.hourly); err != nil {
				lim.done(res.call, c.now(), false)
				return err
			}
			call = res.call
		}
		res := c.attempt(ctx, r, u, attempt)
		if lim != nil {
			lim.done(call, c.now(), res.sent)
		}
		if res.err == nil {
			if err := decodeBody(res.body, v, c.red); err != nil {
				return fmt.Errorf("%s %s: %w", r.method, path, err)
			}
			return nil
		}
		lastErr = res.err
		if ctx.Err() != nil {
			err := res.err
			if !errors.Is(err, ctx.Err()) {
				// An answer came back as the context ended: the run stopped
				// (a command says "interrupted"), and the answer is kept.
				err = fmt.Errorf("%w; the last answer: %w", ctx.Err(), res.err)
			}
			// A POST that may have been applied stays outcome-unknown, as
			// below: no answer, or one that does not say it was refused.
			if api := res.api; r.method == http.MethodPost && res.sent &&
				(api == nil || api.Status >= 500 || api.rateLimited() || api.badToken()) {
				return &OutcomeUnknownError{Method: r.method, Path: path, Err: err}
			}
			return err
		}
		var (
			delay               time.Duration
			rateLimited, hourly bool // delay is a wait for a rate limit
		)
		switch api := res.api; {
		case res.final:
			return res.err
		case res.beforeSend:
			if !res.retry {
				return res.err
			}
			delay = backoff(backoffBase, attempt)
		case api == nil: // transport failure
			switch classifyTransportError(res.err) {
			case failPermanent:
				return res.err
			case failUncertain:
				if r.method == http.MethodPost {
					return &OutcomeUnknownError{Method: r.method, Path: path, Err: res.err}
				}
				uncertain = true
			}
			delay = backoff(backoffBase, attempt)
		case api.badToken() && !renewed:
			inv, ok := c.auth.(interface{ Invalidate(token string) })
			if !ok {
				return api
			}
			inv.Invalidate(res.token)
			if r.method == http.MethodPost {
				// A server may store a create and still refuse the token:
				// the caller lists before it tries again (with a new token).
				return &OutcomeUnknownError{Method: r.method, Path: path, Err: api}
			}
			renewed = true
			attempt-- // a renewed token is not a retry
			continue
		case api.rateLimited():
			wait, isHourly, err := c.rateLimitWait(r.account, res.resp, api)
			if err != nil {
				return err
			}
			delay, rateLimited, hourly = max(wait, backoff(rateLimitBackoff, attempt)), true, isHourly
			if r.method == http.MethodPost {
				// Wait out the limit, then let the caller list before it
				// tries again: a server may have stored the create anyway.
				if err := c.rateWait(ctx, r.account, delay, hourly); err != nil {
					return err
				}
				return &OutcomeUnknownError{Method: r.method, Path: path, Err: api}
			}
		case api.Status >= 500:
			if r.method == http.MethodPost {
				return &OutcomeUnknownError{Method: r.method, Path: path, Err: api}
			}
			uncertain = true
			delay = backoff(backoffBase, attempt)
		case api.notFound() && uncertain && r.method == http.MethodDelete:
			return nil // the lost attempt did delete it
		default:
			return api
		}
		if attempt > c.maxRetries {
			continue // report without waiting
		}
		if rateLimited {
			err = c.rateWait(ctx, r.account, delay, hourly)
		} else {
			err = c.wait(ctx, delay, fmt.Sprintf("attempt %d failed: %s", attempt, firstLine(res.err)))
		}
		if err != nil {
			return err
		}
	}
}

// attemptResult is the outcome of one attempt.
type attemptResult struct {
	resp       *http.Response // nil after a transport failure
	body       []byte
	api        *APIError // set for a non-2xx answer
	err        error     // nil on 2xx
	token      string    // the token sent
	sent       bool      // the request may have reached the server
	beforeSend bool      // failed before sending: getting a token or building the request
	retry      bool      // with beforeSend: the failure is transient
	final      bool      // no retry can help: a redirect
}

// attempt makes one try: token, request, answer, within Options.Timeout.
func (c *Client) attempt(ctx context.Context, r *request, u *url.URL, n int) attemptResult {
	actx, cancel := context.WithTimeout(withAttempt(ctx, n), c.timeout)
	defer cancel()
	token, err := c.auth.Token(context.WithValue(actx, oauth2.HTTPClient, c.hc))
	if err != nil {
		return attemptResult{err: c.red.wrap(fmt.Errorf("authenticate: %w", err)), beforeSend: true, retry: transientAuthError(err)}
	}
	c.red.add(token)
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, r.url, body)
	if err != nil {
		return attemptResult{err: err, beforeSend: true}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redactURL(u)
		}
		// A malformed answer is quoted in the error: redact it.
		return attemptResult{err: c.red.wrap(err), token: token, sent: classifyTransportError(err) != failNotSent}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return attemptResult{err: c.red.wrap(fmt.Errorf("%s %s: read answer: %w", r.method, redactURL(u), err)), token: token, sent: true}
	}
	if r.account != "" {
		c.limit(r.account).observe(c.now(), parseRateHeaders(resp.Header))
	}
	res := attemptResult{resp: resp, body: data, token: token, sent: true}
	if isRedirect(resp.StatusCode) {
		res.err, res.final = newRedirectError(r.method, redactedPath(u), resp, c.red), true
		return res
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.api = newAPIError(r.method, redactedPath(u), resp, data, c.red)
		res.err = res.api
	}
	return res
}

// rateLimitWait says how long to wait after a rate-limited answer, and
// whether for the hourly budget, or returns *RateLimitError when that is
// longer than the client waits.
func (c *Client) rateLimitWait(account string, resp *http.Response, api *APIError) (time.Duration, bool, error) {
	now := c.now()
	var wait time.Duration
	var reset time.Time
	h := parseRateHeaders(resp.Header)
	if isHourlyLimitCode(api.ErrorCode) || h.hasRemaining && h.remaining <= 0 {
		reset = h.reset
		if !h.hasReset {
			reset = nextHour(now)
		}
		wait = max(reset.Sub(now), 0)
	}
	if ra, ok := parseRetryAfter(resp.Header, now); ok && ra > wait {
		wait, reset = ra, now.Add(ra)
	}
	if wait > c.maxWait {
		return 0, false, &RateLimitError{AccountID: account, Reset: reset, Wait: wait, MaxWait: c.maxWait, Err: api}
	}
	return wait, !reset.IsZero() && wait > 0 && (isHourlyLimitCode(api.ErrorCode) || h.hasRemaining && h.remaining <= 0), nil
}

// rateWait waits d for an account's rate limit, announcing (Options.Notice)
// a wait of a second or more.
func (c *Client) rateWait(ctx context.Context, account string, d time.Duration, hourly bool) error {
	what := "DocuSign's burst limit"
	if hourly {
		what = "DocuSign's hourly API limit to reset"
	}
	if d >= time.Second {
		c.notify("account %s: waiting %d s for %s", account, int(math.Ceil(d.Seconds())), what)
	}
	return c.wait(ctx, d, fmt.Sprintf("%s of account %s", what, account))
}

// notify sends a message to Options.Notice, if set.
func (c *Client) notify(format string, args ...any) {
	if c.notice != nil {
		c.notice(fmt.Sprintf(format, args...))
	}
}

// wait sleeps for d unless ctx ends first, tracing why.
func (c *Client) wait(ctx context.Context, d time.Duration, why string) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.trace.logf("wait %s: %s", d.Round(time.Millisecond), why)
	return c.sleep(ctx, d)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return truncate(s, 200)
}

// decodeBody decodes a 2xx JSON answer into v; nil v discards it, and a
// *rawAnswer takes the body as it is, even empty, for answers whose shape
// the caller must guess.
func decodeBody(data []byte, v any, red *redactor) error {
	if v == nil {
		return nil
	}
	if raw, ok := v.(*rawAnswer); ok {
		*raw = append((*raw)[:0], data...)
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty answer, want JSON")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode answer: %w (%s)", err, summarizeBody("", data, red))
	}
	return nil
}
