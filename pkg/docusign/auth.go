package docusign

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// TokenSource supplies the bearer token for API calls, and must be safe for
// concurrent use. The Client passes its own *http.Client in ctx under the
// golang.org/x/oauth2 key oauth2.HTTPClient, so that token requests share its
// timeouts and debug trace.
//
// A source that can renew its token may also have the method
// Invalidate(token string); after DocuSign answers 401 the Client calls it
// and retries once with a new token.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken returns a TokenSource that always returns token: an access
// token obtained elsewhere (DOCUSIGN_ACCESS_TOKEN). It cannot be renewed.
func StaticToken(token string) TokenSource { return staticToken(token) }

type staticToken string

func (t staticToken) Token(context.Context) (string, error) {
	if t == "" {
		return "", errors.New("the access token is empty")
	}
	return string(t), nil
}

// String keeps the token out of logs that print the value.
func (t staticToken) String() string { return "StaticToken(" + redacted + ")" }

// GoString keeps the token out of %#v.
func (t staticToken) GoString() string { return t.String() }

// DefaultRedirectURI is the redirect URI put in consent URLs when none is
// configured (DOCUSIGN_REDIRECT_URI). DocuSign's own JWT code examples use
// it; it must be one of the integration key's redirect URIs.
const DefaultRedirectURI = "https://developers.docusign.com/platform/auth/consent"

const (
	jwtGrantType      = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	assertionLifetime = time.Hour // DocuSign's maximum
	// defaultTokenLifetime is assumed when the token answer has no expires_in.
	defaultTokenLifetime = 30 * time.Minute
	maxRenewMargin       = 5 * time.Minute
	tokenFetchTimeout    = 30 * time.Second
)

// DefaultScopes are the scopes JWTConfig asks for when Scopes is empty:
// "signature" for the eSignature API and "impersonation" for the JWT grant.
var DefaultScopes = []string{"signature", "impersonation"}

// JWTConfig is the JWT grant (RS256) that gets access tokens for a user
// without a browser: the integration key signs an assertion with its RSA
// private key, and the OAuth server trades it for a token.
// https://developers.docusign.com/platform/auth/jwt/jwt-get-token/
type JWTConfig struct {
	IntegrationKey string           // the app's integration key (client id): claim iss
	UserID         string           // the GUID of the user to act as: claim sub
	PrivateKeyPEM  []byte           // the integration key's RSA private key, PKCS#1 or PKCS#8 PEM
	AuthServer     string           // e.g. https://account-d.docusign.com, a bare host (https), or http://127.0.0.1:PORT
	Scopes         []string         // nil means DefaultScopes
	RedirectURI    string           // for ConsentURL; "" means DefaultRedirectURI
	HTTPClient     *http.Client     // used when ctx carries none; nil means a 30-second-timeout client
	Now            func() time.Time // the clock for iat, exp and renewal; nil means time.Now (for tests)
}

// String prints the configuration without the private key.
func (c JWTConfig) String() string {
	return fmt.Sprintf("JWTConfig{IntegrationKey: %q, UserID: %q, AuthServer: %q, PrivateKeyPEM: %s}",
		c.IntegrationKey, c.UserID, c.AuthServer, redacted)
}

// GoString prints the configuration without the private key.
func (c JWTConfig) GoString() string { return c.String() }

func (c JWTConfig) scopes() []string {
	if len(c.Scopes) == 0 {
		return DefaultScopes
	}
	return c.Scopes
}

// ConsentURL is the page where the user grants the integration key consent
// to act for them, needed once before the JWT grant works: scopes separated
// by %20 (not +), as DocuSign requires.
// https://developers.docusign.com/platform/auth/consent/obtaining-individual-consent/
func (c JWTConfig) ConsentURL() string {
	server, err := NormalizeAuthServer(c.AuthServer)
	if err != nil {
		server = "https://" + strings.TrimPrefix(c.AuthServer, "https://")
	}
	scopes := make([]string, 0, len(c.scopes()))
	for _, s := range c.scopes() {
		scopes = append(scopes, url.QueryEscape(s))
	}
	return server + "/oauth/auth?response_type=code" +
		"&scope=" + strings.Join(scopes, "%20") +
		"&client_id=" + url.QueryEscape(c.IntegrationKey) +
		"&redirect_uri=" + url.QueryEscape(cmpOr(c.RedirectURI, DefaultRedirectURI))
}

// TokenSource checks the configuration and returns a TokenSource that runs
// the grant when needed. The token is cached, shared by every caller (every
// account), renewed shortly before DocuSign says it expires (expires_in) and
// fetched only once when many callers need it at the same moment.
func (c JWTConfig) TokenSource() (TokenSource, error) {
	var missing []string
	if c.IntegrationKey == "" {
		missing = append(missing, "integration key")
	}
	if c.UserID == "" {
		missing = append(missing, "user id")
	}
	if len(c.PrivateKeyPEM) == 0 {
		missing = append(missing, "private key")
	}
	if c.AuthServer == "" {
		missing = append(missing, "auth server")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("JWT grant: missing %s", strings.Join(missing, ", "))
	}
	server, err := NormalizeAuthServer(c.AuthServer)
	if err != nil {
		return nil, fmt.Errorf("JWT grant: auth server: %w", err)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(c.PrivateKeyPEM)
	if err != nil {
		// Never quote the key: the error says only what is wrong with it.
		return nil, fmt.Errorf("JWT grant: the private key is not an RSA private key in PEM form: %w", err)
	}
	u, _ := url.Parse(server)
	s := &jwtSource{cfg: c, key: key, tokenURL: server + "/oauth/token", aud: u.Host, now: c.Now, red: newRedactor()}
	s.red.addPEM(c.PrivateKeyPEM)
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// jwtSource is the TokenSource of a JWTConfig.
type jwtSource struct {
	cfg      JWTConfig
	key      *rsa.PrivateKey
	tokenURL string
	aud      string // the OAuth host without scheme, as DocuSign wants it
	now      func() time.Time
	red      *redactor // the key's lines, and each assertion and token made

	group   singleflight.Group
	mu      sync.Mutex
	token   string
	renewAt time.Time
}

// String keeps the key and the token out of logs that print the value.
func (s *jwtSource) String() string { return "JWT" + s.cfg.String() }

// GoString keeps the key and the token out of %#v.
func (s *jwtSource) GoString() string { return s.String() }

// secretRedactor shares the source's secrets with the Client using it.
func (s *jwtSource) secretRedactor() *redactor { return s.red }

// Token returns the cached token, or runs the grant once for all callers.
func (s *jwtSource) Token(ctx context.Context) (string, error) {
	if t, ok := s.cached(); ok {
		return t, nil
	}
	// The caller's deadline (the Client's attempt: Options.Timeout) bounds
	// the grant; tokenFetchTimeout only when the caller set none.
	timeout := tokenFetchTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	return sharedCall(ctx, &s.group, "token", timeout, func(ctx context.Context) (string, error) {
		if t, ok := s.cached(); ok { // fetched while this caller was on its way
			return t, nil
		}
		return s.fetch(ctx)
	})
}

func (s *jwtSource) cached() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, s.token != "" && s.now().Before(s.renewAt)
}

// Invalidate drops token if it is the cached one, so that the next Token call
// runs the grant again.
func (s *jwtSource) Invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token = ""
	}
}

func (s *jwtSource) fetch(ctx context.Context) (string, error) {
	now := s.now()
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":   s.cfg.IntegrationKey,
		"sub":   s.cfg.UserID,
		"aud":   s.aud,
		"iat":   now.Unix(),
		"exp":   now.Add(assertionLifetime).Unix(),
		"scope": strings.Join(s.cfg.scopes(), " "),
	}).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("sign the JWT assertion: %w", err)
	}
	s.red.add(assertion)
	form := url.Values{"grant_type": {jwtGrantType}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.httpClient(ctx).Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = s.tokenURL
		}
		return "", s.red.wrap(fmt.Errorf("get a token: %w", err))
	}
	defer resp.Body.Close()
	if isRedirect(resp.StatusCode) {
		return "", newRedirectError(http.MethodPost, s.tokenURL, resp, s.red)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", s.red.wrap(fmt.Errorf("get a token: read answer: %w", err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", s.oauthError(resp, body)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   Int    `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.AccessToken == "" {
		return "", fmt.Errorf("get a token: %s answered %d without an access_token (%s)",
			s.tokenURL, resp.StatusCode, s.red.text(redactBody(resp.Header.Get("Content-Type"), body)))
	}
	s.red.add(answer.AccessToken)
	lifetime := time.Duration(answer.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = defaultTokenLifetime
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = answer.AccessToken
	// Renew a little before the end: a fifth of the lifetime, at most 5 minutes.
	s.renewAt = now.Add(lifetime - min(lifetime/5, maxRenewMargin))
	return s.token, nil
}

// httpClient is the client in ctx (oauth2.HTTPClient), else the configured
// one, following no redirect either way: a 307 would post the assertion to
// wherever it points.
func (s *jwtSource) httpClient(ctx context.Context) *http.Client {
	hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok || hc == nil {
		hc = s.cfg.HTTPClient
	}
	var c http.Client
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = refuseRedirect
	return &c
}

// oauthError turns an error answer of the token endpoint into
// *ConsentRequiredError or *OAuthError.
func (s *jwtSource) oauthError(resp *http.Response, body []byte) error {
	var answer struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &answer)
	if answer.Error == "consent_required" {
		return &ConsentRequiredError{URL: s.cfg.ConsentURL()}
	}
	e := &OAuthError{Status: resp.StatusCode, Code: s.red.text(truncate(answer.Error, 200)), Description: s.red.text(truncate(answer.Description, 2000)), URL: s.tokenURL}
	if e.Code == "" && e.Description == "" {
		e.Description = cmpOr(summarizeBody(resp.Header.Get("Content-Type"), body, s.red), http.StatusText(resp.StatusCode))
	}
	return e
}

// transientAuthError reports whether getting a token may work if tried again.
func transientAuthError(err error) bool {
	var oe *OAuthError
	if errors.As(err, &oe) {
		return oe.Status >= 500 || oe.Status == http.StatusTooManyRequests
	}
	var ue *url.Error
	return errors.As(err, &ue) && classifyTransportError(err) != failPermanent
}

// ErrNoCredentials is wrapped by FromEnv's error when no credentials are set
// at all, so that a caller can suggest an alternative (such as a sandbox).
var ErrNoCredentials = errors.New("no DocuSign credentials: set DOCUSIGN_ACCESS_TOKEN, or DOCUSIGN_INTEGRATION_KEY, " +
	"DOCUSIGN_USER_ID and DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY) for the JWT grant")

// DefaultAuthServer returns DocuSign's OAuth host for an account
// environment: account-d.docusign.com for demo, account.docusign.com for
// production.
func DefaultAuthServer(environment string) (string, error) {
	switch strings.ToLower(environment) {
	case "demo", "":
		return "https://account-d.docusign.com", nil
	case "production":
		return "https://account.docusign.com", nil
	}
	return "", fmt.Errorf("unknown environment %q: want demo or production", environment)
}

// FromEnv reads the environment variables of README.md ("Using it with DocuSign") through getenv (os.Getenv
// in the CLI) for accounts of one environment ("demo", the default, or
// "production") and returns Options with Auth, AuthServer, BaseURI and
// BurstLimit set, plus warnings for the caller to print:
//
//   - DOCUSIGN_ACCESS_TOKEN: a bearer token used as is;
//   - otherwise DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and
//     DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY, PEM text): the JWT grant;
//   - DOCUSIGN_AUTH_SERVER overrides the OAuth host of the environment;
//   - DOCUSIGN_BASE_URI overrides every account's base URI;
//   - DOCUSIGN_REDIRECT_URI overrides DefaultRedirectURI in consent URLs.
//
// With no credentials set at all, the error wraps ErrNoCredentials. A private
// key file that group or others may read gets a warning.
func FromEnv(getenv func(string) string, environment string) (Options, []string, error) {
	var (
		opts     Options
		warnings []string
		err      error
	)
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	server := env("DOCUSIGN_AUTH_SERVER")
	if server == "" {
		if server, err = DefaultAuthServer(environment); err != nil {
			return Options{}, nil, err
		}
	}
	if opts.AuthServer, err = NormalizeAuthServer(server); err != nil {
		return Options{}, nil, fmt.Errorf("DOCUSIGN_AUTH_SERVER: %w", err)
	}
	if base := env("DOCUSIGN_BASE_URI"); base != "" {
		if opts.BaseURI, err = normalizeBaseURI(base); err != nil {
			return Options{}, nil, fmt.Errorf("DOCUSIGN_BASE_URI: %w", err)
		}
	}
	opts.BurstLimit = DemoBurstLimit
	if strings.EqualFold(environment, "production") {
		opts.BurstLimit = ProductionBurstLimit
	}

	jwtVars := map[string]string{}
	for _, name := range []string{"DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID", "DOCUSIGN_PRIVATE_KEY_FILE", "DOCUSIGN_PRIVATE_KEY"} {
		if v := env(name); v != "" {
			jwtVars[name] = v
		}
	}
	if token := env("DOCUSIGN_ACCESS_TOKEN"); token != "" {
		if len(jwtVars) > 0 {
			warnings = append(warnings, "DOCUSIGN_ACCESS_TOKEN is set, so the JWT grant variables are ignored")
		}
		opts.Auth = StaticToken(token)
		return opts, warnings, nil
	}
	if len(jwtVars) == 0 {
		return Options{}, nil, ErrNoCredentials
	}
	var missing []string
	for _, name := range []string{"DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID"} {
		if jwtVars[name] == "" {
			missing = append(missing, name)
		}
	}
	keyFile, keyText := jwtVars["DOCUSIGN_PRIVATE_KEY_FILE"], jwtVars["DOCUSIGN_PRIVATE_KEY"]
	if keyFile == "" && keyText == "" {
		missing = append(missing, "DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY)")
	}
	if len(missing) > 0 {
		return Options{}, nil, fmt.Errorf("the JWT grant needs DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY); missing: %s",
			strings.Join(missing, ", "))
	}
	var pem []byte
	keyVar := "DOCUSIGN_PRIVATE_KEY"
	if keyFile != "" {
		keyVar = "DOCUSIGN_PRIVATE_KEY_FILE " + keyFile
		if keyText != "" {
			warnings = append(warnings, "both DOCUSIGN_PRIVATE_KEY_FILE and DOCUSIGN_PRIVATE_KEY are set; using DOCUSIGN_PRIVATE_KEY_FILE")
		}
		if pem, err = os.ReadFile(keyFile); err != nil {
			return Options{}, nil, fmt.Errorf("DOCUSIGN_PRIVATE_KEY_FILE: %w", err)
		}
		if w := keyFileWarning(keyFile); w != "" {
			warnings = append(warnings, w)
		}
	} else {
		// CI secret stores often keep a PEM on one line with literal \n.
		if !strings.Contains(keyText, "\n") {
			keyText = strings.ReplaceAll(keyText, `\n`, "\n")
		}
		pem = []byte(keyText)
	}
	ts, err := JWTConfig{
		IntegrationKey: jwtVars["DOCUSIGN_INTEGRATION_KEY"],
		UserID:         jwtVars["DOCUSIGN_USER_ID"],
		PrivateKeyPEM:  pem,
		AuthServer:     opts.AuthServer,
		RedirectURI:    env("DOCUSIGN_REDIRECT_URI"),
	}.TokenSource()
	if err != nil {
		return Options{}, nil, fmt.Errorf("%s: %w", keyVar, err)
	}
	opts.Auth = ts
	return opts, warnings, nil
}

// keyFileWarning warns about a private key file open to group or others.
func keyFileWarning(path string) string {
	if runtime.GOOS == "windows" {
		return "" // Windows permission bits say nothing about other users
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("private key file %s is open to group or others (mode %04o); restrict it with: chmod 600 %s",
		path, fi.Mode().Perm(), path)
}
