package docusign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	apiPath           = "/restapi/v2.1"
	defaultTimeout    = 30 * time.Second
	defaultMaxRetries = 4
	defaultMaxWait    = time.Minute
	defaultUserAgent  = "connectsync (+https://github.com/connectsync/connectsync)"
	maxResponseBody   = 10 << 20
)

// Options configures a Client. Only Auth is required, plus a way to find each
// account's base URI: BaseURI, AccountBaseURIs, or AuthServer for userinfo.
// FromEnv fills in Auth, AuthServer, BaseURI and BurstLimit from the
// environment variables README.md lists ("Using it with DocuSign").
type Options struct {
	// HTTPClient sends the requests. Nil means a client with a 2-minute
	// overall timeout. A transport that skips TLS verification is refused.
	HTTPClient *http.Client
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
	// Timeout bounds each attempt, connecting and reading the answer included.
	// Zero means 30 seconds.
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

	// Now and Sleep replace the clock, for tests; nil means the real ones.
	// Sleep must return early with ctx.Err() when ctx is done.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls the DocuSign eSignature REST API v2.1 Connect endpoints for
// any number of accounts. It is safe for concurrent use.
type Client struct {
	hc          *http.Client
	auth        TokenSource
	authServer  string // normalised, no trailing slash; "" if unknown
	baseURI     string
	accountBase map[string]string // lower-case account id → base URI
	userAgent   string
	timeout     time.Duration
	maxRetries  int
	maxWait     time.Duration
	burstLimit  int
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	trace       *tracer

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
	c := &Client{
		auth:        opts.Auth,
		accountBase: map[string]string{},
		userAgent:   cmpOr(opts.UserAgent, defaultUserAgent),
		timeout:     cmpOr(opts.Timeout, defaultTimeout),
		maxRetries:  cmpOr(opts.MaxRetries, defaultMaxRetries),
		maxWait:     cmpOr(opts.MaxRateLimitWait, defaultMaxWait),
		burstLimit:  cmpOr(opts.BurstLimit, DemoBurstLimit),
		now:         opts.Now,
		sleep:       opts.Sleep,
		limits:      map[string]*accountLimit{},
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
	if c.hc, err = httpClient(opts.HTTPClient); err != nil {
		return nil, err
	}
	if opts.Debug != nil {
		c.trace = &tracer{base: c.hc.Transport, w: opts.Debug}
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
// verification and refusing redirects to plain http on other hosts than loopback.
func httpClient(hc *http.Client) (*http.Client, error) {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = 2 * time.Minute
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
	}
	if t, ok := c.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
		return nil, errors.New("the HTTP client skips TLS verification (InsecureSkipVerify); refusing to send credentials with it")
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkScheme(req.URL); err != nil {
			return fmt.Errorf("%w: %w", errRedirectRefused, err)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c, nil
}

// errRedirectRefused marks a redirect to an insecure URL; retrying cannot help.
var errRedirectRefused = errors.New("redirect refused")

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
		l = newAccountLimit(c.burstLimit)
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
		if lim != nil {
			wait, err := lim.reserve(r.account, c.now(), c.maxWait)
			if err != nil {
				return err
			}
			if err := c.wait(ctx, wait, "rate limit of account "+r.account); err != nil {
				return err
			}
		}
		res := c.attempt(ctx, r, u, attempt)
		if res.err == nil {
			if err := decodeBody(res.body, v); err != nil {
				return fmt.Errorf("%s %s: %w", r.method, path, err)
			}
			return nil
		}
		lastErr = res.err
		if ctx.Err() != nil {
			if r.method == http.MethodPost && res.sent && res.api == nil {
				return &OutcomeUnknownError{Method: r.method, Path: path, Err: res.err}
			}
			return res.err
		}
		var delay time.Duration
		switch api := res.api; {
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
			renewed = true
			attempt-- // a renewed token is not a retry
			continue
		case api.rateLimited():
			wait, err := c.rateLimitWait(r.account, res.resp, api)
			if err != nil {
				return err
			}
			delay = max(wait, backoff(rateLimitBackoff, attempt))
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
		if err := c.wait(ctx, delay, fmt.Sprintf("attempt %d failed: %s", attempt, firstLine(res.err))); err != nil {
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
}

// attempt makes one try: token, request, answer, within Options.Timeout.
func (c *Client) attempt(ctx context.Context, r *request, u *url.URL, n int) attemptResult {
	actx, cancel := context.WithTimeout(withAttempt(ctx, n), c.timeout)
	defer cancel()
	token, err := c.auth.Token(context.WithValue(actx, oauth2.HTTPClient, c.hc))
	if err != nil {
		return attemptResult{err: fmt.Errorf("authenticate: %w", err), beforeSend: true, retry: transientAuthError(err)}
	}
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
		return attemptResult{err: err, token: token, sent: classifyTransportError(err) != failNotSent}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return attemptResult{err: fmt.Errorf("%s %s: read answer: %w", r.method, redactURL(u), err), token: token, sent: true}
	}
	if r.account != "" {
		c.limit(r.account).observe(c.now(), parseRateHeaders(resp.Header))
	}
	res := attemptResult{resp: resp, body: data, token: token, sent: true}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.api = newAPIError(r.method, redactedPath(u), resp, data)
		res.err = res.api
	}
	return res
}

// rateLimitWait says how long to wait after a rate-limited answer, or
// returns *RateLimitError when that is longer than the client waits.
func (c *Client) rateLimitWait(account string, resp *http.Response, api *APIError) (time.Duration, error) {
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
		return 0, &RateLimitError{AccountID: account, Reset: reset, Wait: wait, MaxWait: c.maxWait, Err: api}
	}
	return wait, nil
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

// decodeBody decodes a 2xx JSON answer into v; nil v discards it.
func decodeBody(data []byte, v any) error {
	if v == nil {
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty answer, want JSON")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode answer: %w (%s)", err, summarizeBody("", data))
	}
	return nil
}
