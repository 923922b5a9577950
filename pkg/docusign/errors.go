package docusign

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// ErrNotFound is wrapped by the error GetConfiguration returns when DocuSign
// answers with an empty list for the connectId. IsNotFound recognises it and
// DocuSign's own not-found answers alike.
var ErrNotFound = errors.New("not found")

// APIError is a non-2xx answer from the DocuSign REST API, DocuSign's
// errorDetails body included. Check for it with errors.As, or with the
// IsNotFound, IsPermission, IsAuth and IsRateLimited helpers.
// https://developers.docusign.com/docs/esign-rest-api/esign101/error-codes/
type APIError struct {
	Status    int    // HTTP status code
	ErrorCode string // DocuSign's errorCode, such as USER_LACKS_PERMISSIONS; empty if the body had none
	Message   string // DocuSign's message, or a summary of a body that was not DocuSign's JSON
	Method    string // HTTP method of the request
	Path      string // URL path and query of the request, secrets redacted
}

// Error prints the request, the status, DocuSign's code and message, and a
// hint saying what to do when one is known.
func (e *APIError) Error() string {
	return formatError(e.Method+" "+e.Path, e.Status, e.ErrorCode, e.Message, e.Hint())
}

// formatError prints "where: status code: message (hint)", leaving out the
// parts that are empty.
func formatError(where string, status int, code, message, hint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d", where, status)
	if code != "" {
		b.WriteString(" " + code)
	}
	if message != "" {
		b.WriteString(": " + message)
	}
	if hint != "" {
		b.WriteString(" (" + hint + ")")
	}
	return b.String()
}

// Hint says in a few words what a person can do about the error, or "".
func (e *APIError) Hint() string {
	switch {
	case e.rateLimited():
		return "DocuSign's API rate limit for the account is spent; try again later"
	case e.permission():
		return "the user must be an account administrator; is Connect enabled on the account?"
	case strings.EqualFold(e.ErrorCode, "PARTNER_AUTHENTICATION_FAILED"):
		return "the integration key is wrong, or belongs to the other environment (demo or production)"
	case e.badToken():
		return "the access token is bad or expired; get a new one, or use the JWT grant so it renews itself"
	case strings.EqualFold(e.ErrorCode, "USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT"):
		return "the user is not a member of this account; check the accountId"
	case e.Status >= 500:
		return "DocuSign, or a gateway in front of it, failed; try again later"
	}
	return ""
}

func (e *APIError) rateLimited() bool {
	return e.Status == http.StatusTooManyRequests || isRateLimitCode(e.ErrorCode)
}

func (e *APIError) permission() bool {
	return e.Status == http.StatusForbidden ||
		strings.EqualFold(e.ErrorCode, "USER_LACKS_PERMISSIONS") ||
		strings.EqualFold(e.ErrorCode, "ACCOUNT_LACKS_PERMISSIONS")
}

func (e *APIError) badToken() bool {
	return e.Status == http.StatusUnauthorized ||
		strings.EqualFold(e.ErrorCode, "USER_AUTHENTICATION_FAILED") ||
		strings.EqualFold(e.ErrorCode, "AUTHORIZATION_INVALID_TOKEN")
}

func (e *APIError) notFound() bool {
	return e.Status == http.StatusNotFound || strings.HasSuffix(strings.ToUpper(e.ErrorCode), "_NOT_FOUND")
}

// isRateLimitCode reports whether a DocuSign errorCode means "rate limited".
// DocuSign sends these with 429 or with 400, and spells some in mixed case
// (Hourly_Envelope_Polling_Limit_Exceeded), so the match ignores case.
func isRateLimitCode(code string) bool {
	c := strings.ToUpper(code)
	return strings.HasSuffix(c, "_LIMIT_EXCEEDED") &&
		(strings.HasPrefix(c, "HOURLY_") || strings.HasPrefix(c, "BURST_"))
}

// isHourlyLimitCode reports whether the code says the hourly budget, rather
// than the 30-second burst budget, is spent.
func isHourlyLimitCode(code string) bool {
	return isRateLimitCode(code) && strings.HasPrefix(strings.ToUpper(code), "HOURLY_")
}

// newAPIError builds the error for a non-2xx answer. The body is DocuSign's
// errorDetails when it can be read as such; anything else (an HTML page from a
// proxy, plain text, nothing) is summarised into Message. The server's text
// goes through red: it may echo a secret.
func newAPIError(method, path string, resp *http.Response, body []byte, red *redactor) *APIError {
	e := &APIError{Status: resp.StatusCode, Method: method, Path: path}
	var d struct {
		ErrorDetails
		OAuthError       string `json:"error"` // the OAuth server's shape, from userinfo
		OAuthDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &d) == nil {
		e.ErrorCode = red.text(truncate(cmpOr(d.ErrorCode, d.OAuthError), 200))
		e.Message = red.text(truncate(cmpOr(d.Message, d.OAuthDescription), 2000))
		if e.ErrorCode != "" || e.Message != "" {
			return e
		}
	}
	e.Message = summarizeBody(resp.Header.Get("Content-Type"), body, red)
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces    = regexp.MustCompile(`\s+`)
)

// summarizeBody turns a body that is not DocuSign's error JSON into one short,
// redacted line: the <title> of an HTML page, or the start of the text.
func summarizeBody(contentType string, body []byte, red *redactor) string {
	text := string(body)
	mediaType, _, _ := mime.ParseMediaType(contentType)
	isHTML := strings.Contains(mediaType, "html") || strings.HasPrefix(strings.TrimSpace(strings.ToLower(text)), "<")
	if isHTML {
		if m := htmlTitle.FindStringSubmatch(text); m != nil {
			text = m[1]
		} else {
			text = htmlTag.ReplaceAllString(text, " ")
		}
	}
	// Redact before cutting, so that a cut cannot leave half a secret.
	text = red.text(strings.TrimSpace(spaces.ReplaceAllString(text, " ")))
	if text == "" {
		return ""
	}
	text = truncate(text, 200)
	if mediaType == "" {
		mediaType = "untyped"
	}
	if isHTML || !strings.Contains(mediaType, "json") {
		return fmt.Sprintf("unexpected %s answer, not from the DocuSign API?: %s", mediaType, text)
	}
	return text
}

// RedirectError reports an answer that redirects elsewhere (3xx). The client
// follows no redirect: the DocuSign API does not send them for these calls,
// and following one would turn a POST into a GET, trust an answer from
// another place, or carry the token there.
type RedirectError struct {
	Method   string // HTTP method of the request
	Path     string // URL of the request (path only for the REST API), secrets redacted
	Status   int    // the 3xx status
	Location string // where the answer pointed, secrets redacted
}

// Error names the request and where the answer pointed.
func (e *RedirectError) Error() string {
	loc := e.Location
	if loc == "" {
		loc = "(no Location header)"
	}
	return fmt.Sprintf("%s %s: %d redirect to %s refused: connectsync follows no redirect (is the base URI or auth server right?)",
		e.Method, e.Path, e.Status, loc)
}

// OutcomeUnknownError reports a request that may or may not have taken effect:
// a POST answered with a 5xx, a rate limit (after its wait) or a refused
// token (after renewing it), answered 2xx without the new connectId, or whose
// answer was lost to a timeout or a dropped connection. The client never
// retries those, because a retried create can make a duplicate; the caller
// should list the configurations and look for the name before trying again.
type OutcomeUnknownError struct {
	Method string // HTTP method, always POST today
	Path   string // URL path of the request, secrets redacted
	Err    error  // what happened: an *APIError, a timeout, a connection error
}

// Error says what is unknown and why.
func (e *OutcomeUnknownError) Error() string {
	var api *APIError
	if errors.As(e.Err, &api) {
		return fmt.Sprintf("outcome unknown, DocuSign may or may not have applied the request: %v", e.Err)
	}
	return fmt.Sprintf("%s %s: outcome unknown, DocuSign may or may not have applied the request: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// RateLimitError reports that an account's DocuSign API budget is spent for
// longer than the client waits (Options.MaxRateLimitWait). DocuSign allows,
// by default, 3,000 calls an hour per account for all applications together.
// https://developers.docusign.com/platform/resource-limits/
type RateLimitError struct {
	AccountID string        // the account whose budget is spent
	Reset     time.Time     // when DocuSign says the budget refills; zero if it did not say
	Wait      time.Duration // how long until Reset when the client gave up
	MaxWait   time.Duration // the longest the client was willing to wait
	Err       error         // the *APIError that reported the limit; nil if the client stopped before sending
}

// Error says until when the budget is spent.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	if e.AccountID != "" {
		fmt.Fprintf(&b, "account %s: ", e.AccountID)
	}
	b.WriteString("DocuSign's API rate limit is spent")
	if !e.Reset.IsZero() {
		fmt.Fprintf(&b, " until %s (in %s)", e.Reset.UTC().Format("15:04:05 MST"), e.Wait.Round(time.Second))
	}
	fmt.Fprintf(&b, ", longer than the client waits (%s); try again later", e.MaxWait)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the answer that reported the limit, if any.
func (e *RateLimitError) Unwrap() error { return e.Err }

// UnknownAccountError reports an account id that the OAuth userinfo answer
// does not list, so the credentials cannot reach it.
type UnknownAccountError struct {
	AccountID string        // the account asked for
	Reachable []UserAccount // the accounts the credentials do reach
}

// Error names the account and the accounts the credentials reach.
func (e *UnknownAccountError) Error() string {
	var names []string
	for _, a := range e.Reachable {
		names = append(names, fmt.Sprintf("%s (%q)", a.AccountID, a.AccountName))
	}
	reach := "none"
	if len(names) > 0 {
		reach = strings.Join(names, ", ")
	}
	msg := fmt.Sprintf("the credentials don't reach account %s; accounts they reach: %s", e.AccountID, reach)
	if e.AccountID != "" && strings.Trim(e.AccountID, "0123456789") == "" {
		msg += "; userinfo lists account GUIDs (the \"API Account ID\"), so use the GUID or set the account's baseUri"
	}
	return msg
}

// OAuthError is an error answer from the DocuSign OAuth server (the token or
// userinfo endpoint), such as invalid_grant, with advice on the usual causes.
// consent_required is reported as *ConsentRequiredError instead.
// https://developers.docusign.com/platform/auth/jwt/jwt-get-token/
type OAuthError struct {
	Status      int    // HTTP status code
	Code        string // OAuth "error", e.g. invalid_grant; empty if the body had none
	Description string // OAuth "error_description", or a summary of a non-JSON body
	URL         string // the OAuth endpoint, redacted
}

// Error prints the endpoint, the status, the OAuth error and advice.
func (e *OAuthError) Error() string {
	return formatError(e.URL, e.Status, e.Code, e.Description, e.Hint())
}

// Hint says in a few words what a person can do about the error, or "".
func (e *OAuthError) Hint() string {
	switch strings.ToLower(e.Description) {
	case "no_valid_keys_or_signatures":
		return "the private key does not belong to the integration key; check DOCUSIGN_PRIVATE_KEY_FILE"
	case "user_not_found":
		return "DOCUSIGN_USER_ID must be the user's GUID (API Username), in the same environment"
	case "issuer_not_found", "client_id_not_registered":
		return "the integration key is unknown to this OAuth server; demo keys work only with account-d.docusign.com"
	case "invalid_request":
		return "the JWT assertion was refused; is this machine's clock right?"
	}
	switch strings.ToLower(e.Code) {
	case "invalid_grant":
		return "the JWT grant was refused: check that DOCUSIGN_USER_ID is the user's GUID, the private key belongs " +
			"to the integration key, the auth server matches the account's environment, and the clock is right"
	case "invalid_client", "unauthorized_client":
		return "the integration key is wrong, or not enabled for the JWT grant in this environment"
	case "invalid_scope":
		return "the integration key may not ask for the signature and impersonation scopes"
	}
	switch {
	case e.Status == http.StatusUnauthorized:
		return "the access token is bad or expired"
	case e.Status >= 500:
		return "the DocuSign OAuth server failed; try again later"
	}
	return ""
}

// ConsentRequiredError reports that the user has not yet granted the
// integration key consent to act for them (OAuth error consent_required).
// Consent is given once, by opening URL in a browser and signing in as the
// user (or by an organisation administrator for the whole organisation).
// https://developers.docusign.com/platform/auth/consent/
type ConsentRequiredError struct {
	URL string // the consent URL to open in a browser
}

// Error tells the person to open the consent URL.
func (e *ConsentRequiredError) Error() string {
	return "the user has not granted consent to the integration key: open this URL in a browser, " +
		"sign in as that user and accept, then run again: " + e.URL
}

// IsNotFound reports whether err says the thing asked for does not exist:
// HTTP 404, an errorCode ending in _NOT_FOUND, or ErrNotFound.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var e *APIError
	return errors.As(err, &e) && e.notFound()
}

// IsPermission reports whether err says the user may not do this: HTTP 403,
// USER_LACKS_PERMISSIONS or ACCOUNT_LACKS_PERMISSIONS.
func IsPermission(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.permission()
}

// IsAuth reports whether err is about the credentials: a bad or expired
// token, a bad integration key, a refused JWT grant, or missing consent.
func IsAuth(err error) bool {
	var (
		api     *APIError
		oauth   *OAuthError
		consent *ConsentRequiredError
	)
	switch {
	case errors.As(err, &consent), errors.As(err, &oauth):
		return true
	case errors.As(err, &api):
		return api.badToken() || strings.EqualFold(api.ErrorCode, "PARTNER_AUTHENTICATION_FAILED")
	}
	return false
}

// IsRateLimited reports whether err says DocuSign's rate limit was hit: HTTP
// 429, a *_LIMIT_EXCEEDED errorCode (with any status), or *RateLimitError.
func IsRateLimited(err error) bool {
	var (
		rl  *RateLimitError
		api *APIError
	)
	return errors.As(err, &rl) || errors.As(err, &api) && api.rateLimited()
}

// IsOutcomeUnknown reports whether err is an *OutcomeUnknownError: a create
// that may have happened. List and look for the name before trying again.
func IsOutcomeUnknown(err error) bool {
	var e *OutcomeUnknownError
	return errors.As(err, &e)
}
