package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DocuSign's OAuth server, at the emulator's own host (reference §8).
//
// POST /oauth/token takes the JWT grant: a form with
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and an RS256-signed
// assertion. The signature is checked against the public key registered for
// the integration key in `iss`; `sub` must be a known user who consented to
// that key; `aud` must be the OAuth host without scheme (the request's Host,
// or one of Options.OAuthHosts); `iat` must not be in the future and `exp`
// must not have passed (no leeway); `scope` must hold both `signature` and
// `impersonation`. Errors use DocuSign's OAuth shape {"error": ...} with
// status 400, e.g. {"error":"consent_required"}.
//
// GET /oauth/userinfo answers the token's user in DocuSign's userinfo shape,
// each account with base_uri = the emulator's own base URL (no /restapi).
//
// Access tokens are opaque random strings, kept in memory only: a restart
// revokes them, and clients must sign a new assertion, as with the real JWT
// grant (which gives no refresh token).

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// defaultOAuthHosts are the `aud` values accepted besides the request's Host.
func defaultOAuthHosts() []string {
	return []string{"account-d.docusign.com", "account.docusign.com"}
}

type token struct {
	userID         string
	integrationKey string
	expires        time.Time
}

type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]token
}

// issue creates an access token and drops expired ones.
func (ts *tokenStore) issue(t token, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	value := base64.RawURLEncoding.EncodeToString(b)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tokens == nil {
		ts.tokens = make(map[string]token)
	}
	for k, old := range ts.tokens {
		if !now.Before(old.expires) {
			delete(ts.tokens, k)
		}
	}
	ts.tokens[value] = t
	return value, nil
}

// lookup returns the valid token named by an Authorization header.
func (ts *tokenStore) lookup(authorization string, now time.Time) (token, bool) {
	scheme, value, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return token{}, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[strings.TrimSpace(value)]
	if !ok || !now.Before(t.expires) {
		return token{}, false
	}
	return t, true
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// assertionClaims are the claims of DocuSign's JWT grant assertion.
type assertionClaims struct {
	Scope string `json:"scope"`
	jwt.RegisteredClaims
}

func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: "malformed form body"})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != jwtBearerGrant {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "unsupported_grant_type", Description: "only the JWT bearer grant is emulated"})
		return
	}
	claims, oerr := e.checkAssertion(r.PostForm.Get("assertion"), r.Host)
	if oerr != nil {
		writeJSON(w, oerr.Status, oerr)
		return
	}
	now := e.now()
	lifetime := e.opts.TokenLifetime
	value, err := e.tokens.issue(token{userID: claims.Subject, integrationKey: claims.Issuer, expires: now.Add(lifetime)}, now)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, &oauthError{Code: "server_error", Description: "could not create a token"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: value, TokenType: "Bearer", ExpiresIn: int64(lifetime / time.Second)})
}

// checkAssertion verifies a JWT grant assertion and returns its claims.
func (e *Emulator) checkAssertion(assertion, host string) (*assertionClaims, *oauthError) {
	if assertion == "" {
		return nil, &oauthError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "assertion is required"}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	claims := new(assertionClaims)
	keyFunc := func(t *jwt.Token) (any, error) {
		ik := e.st.findIntegrationKey(claims.Issuer)
		if ik == nil {
			return nil, errIssuerNotFound
		}
		return jwt.ParseRSAPublicKeyFromPEM([]byte(ik.PublicKeyPEM))
	}
	audiences := append([]string{host}, e.opts.OAuthHosts...)
	_, err := jwt.ParseWithClaims(assertion, claims, keyFunc,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithTimeFunc(e.now),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(audiences...),
	)
	switch {
	case errors.Is(err, errIssuerNotFound):
		return nil, invalidGrant("issuer_not_found")
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, invalidGrant("expired assertion")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return nil, invalidGrant("assertion is not valid yet")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return nil, invalidGrant("invalid audience: want the OAuth host name without scheme")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, invalidGrant("no_valid_keys_or_signatures")
	case err != nil:
		return nil, invalidGrant("invalid assertion")
	case claims.IssuedAt == nil:
		return nil, invalidGrant("iat is required")
	}
	scopes := strings.Fields(claims.Scope)
	if !slices.Contains(scopes, "signature") || !slices.Contains(scopes, "impersonation") {
		return nil, &oauthError{Status: http.StatusBadRequest, Code: "invalid_scope", Description: "scope must include signature and impersonation"}
	}
	u := e.st.findUser(claims.Subject)
	if u == nil {
		return nil, invalidGrant("user_not_found")
	}
	if !slices.ContainsFunc(u.Consents, func(k string) bool { return strings.EqualFold(k, claims.Issuer) }) {
		return nil, &oauthError{Status: http.StatusBadRequest, Code: "consent_required"}
	}
	return claims, nil
}

var errIssuerNotFound = errors.New("issuer not found")

// userInfo is DocuSign's userinfo answer.
type userInfo struct {
	Sub        string            `json:"sub"`
	Name       string            `json:"name"`
	GivenName  string            `json:"given_name"`
	FamilyName string            `json:"family_name"`
	Created    string            `json:"created"`
	Email      string            `json:"email"`
	Accounts   []userInfoAccount `json:"accounts"`
}

type userInfoAccount struct {
	AccountID    string        `json:"account_id"`
	IsDefault    bool          `json:"is_default"` // a JSON boolean here, unlike the REST API
	AccountName  string        `json:"account_name"`
	BaseURI      string        `json:"base_uri"`
	Organization *organization `json:"organization,omitempty"`
}

type organization struct {
	OrganizationID string `json:"organization_id"`
	Links          []link `json:"links"`
}

type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

func (e *Emulator) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	t, ok := e.tokens.lookup(r.Header.Get("Authorization"), e.now())
	if !ok {
		writeJSON(w, http.StatusUnauthorized, &oauthError{Code: "invalid_token", Description: "The access token provided is expired, revoked or malformed."})
		return
	}
	base := e.baseURI(r)
	e.mu.RLock()
	defer e.mu.RUnlock()
	u := e.st.findUser(t.userID)
	if u == nil {
		writeJSON(w, http.StatusUnauthorized, &oauthError{Code: "invalid_token", Description: "The user of this token no longer exists."})
		return
	}
	given, family, _ := strings.Cut(u.Name, " ")
	info := userInfo{
		Sub: u.UserID, Name: u.Name, GivenName: given, FamilyName: family,
		Created: "2024-01-15T09:30:00.000", Email: u.Email, Accounts: []userInfoAccount{},
	}
	for _, a := range e.st.Accounts {
		if a.member(u.UserID) == nil {
			continue
		}
		ua := userInfoAccount{AccountID: a.AccountID, AccountName: a.Name, BaseURI: base}
		if strings.EqualFold(a.AccountID, u.DefaultAccountID) {
			ua.IsDefault = true
		}
		if a.OrganizationID != "" {
			ua.Organization = &organization{
				OrganizationID: a.OrganizationID,
				Links:          []link{{Rel: "self", Href: base + "/organizations/" + a.OrganizationID}},
			}
		}
		info.Accounts = append(info.Accounts, ua)
	}
	// Exactly one account is the default: the first one unless the user names one.
	if len(info.Accounts) > 0 && !slices.ContainsFunc(info.Accounts, func(a userInfoAccount) bool { return a.IsDefault }) {
		info.Accounts[0].IsDefault = true
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, info)
}

// baseURI is the base_uri userinfo answers: Options.BaseURI, or the scheme and
// host the request came in on.
func (e *Emulator) baseURI(r *http.Request) string {
	if e.opts.BaseURI != "" {
		return strings.TrimSuffix(e.opts.BaseURI, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
