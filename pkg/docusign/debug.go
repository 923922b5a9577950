package docusign

// The debug trace (Options.Debug) and the redaction it relies on.
//
// Every HTTP attempt the client makes, to the REST API and to the OAuth server
// alike, goes through tracer, which writes one block per attempt:
//
//	docusign: GET https://demo.docusign.net/restapi/v2.1/accounts/123/connect attempt=1 status=200 duration=84ms ratelimit=2987/3000 reset=2026-06-24T13:00:00Z burst=498/500
//	  > {"name":"orders","password":"REDACTED"}
//	  < {"configurations":[...],"totalRecords":"4"}
//
// ">" is the request body and "<" the response body, each redacted and cut at
// maxTraceBody bytes; the answers of the HMAC key endpoints are never shown. Header values are never written, except the rate-limit
// ones. Secrets are removed by key (sensitiveKeys, for JSON objects, forms and
// query strings) and by shape (credentials in URLs, bearer tokens) wherever
// they appear.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

const (
	redacted     = "REDACTED"
	maxTraceBody = 4 << 10
)

// sensitiveKeys are the JSON object keys, form fields and query parameters
// whose values never appear in a trace or an error, compared in lower case.
var sensitiveKeys = map[string]bool{
	"authorization":      true,
	"access_token":       true,
	"refresh_token":      true,
	"id_token":           true,
	"token":              true,
	"assertion":          true,
	"client_secret":      true,
	"clientsecret":       true,
	"password":           true,
	"salesforceauthcode": true,
	"code":               true, // an OAuth authorization code, in forms and queries
}

func isSensitive(key string) bool { return sensitiveKeys[strings.ToLower(key)] }

var (
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"']+@`)
	secretParam    = regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|token|assertion|client_secret|password|code)=[^&\s"']+`)
	bearerToken    = regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+`)
)

// redactText removes secrets that can be recognised by their shape in free
// text: user:password@ in URLs, secret query parameters, bearer tokens.
func redactText(s string) string {
	s = urlCredentials.ReplaceAllString(s, "${1}"+redacted+"@")
	s = secretParam.ReplaceAllString(s, "${1}="+redacted)
	return bearerToken.ReplaceAllString(s, "Bearer "+redacted)
}

// RedactText removes the secrets that can be recognised by their shape
// (user:password@ in URLs, secret query parameters, bearer tokens) from text
// DocuSign answered, such as a failure log's listener URL and error, for
// callers that print it.
func RedactText(s string) string { return redactText(s) }

// redactURL prints u with its credentials and secret query values replaced.
func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(redacted)
	}
	c.RawQuery = redactQuery(c.RawQuery)
	return c.String()
}

// redactedPath prints the path and query of u, secrets replaced: the form
// errors use, since the host is known from the configuration.
func redactedPath(u *url.URL) string {
	p := u.EscapedPath()
	if q := redactQuery(u.RawQuery); q != "" {
		p += "?" + q
	}
	return p
}

func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return redactText(raw)
	}
	for k := range q {
		if isSensitive(k) {
			q[k] = []string{redacted}
		}
	}
	return q.Encode()
}

// redactBody prints a request or response body for the trace, secrets
// replaced: JSON by key and by shape, forms by field, anything else by shape.
func redactBody(contentType string, body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if mediaType == "application/x-www-form-urlencoded" {
		return truncate(redactQuery(string(body)), maxTraceBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(redactJSON(v)); err == nil {
			return truncate(strings.TrimSpace(b.String()), maxTraceBody)
		}
	}
	return truncate(redactText(string(body)), maxTraceBody)
}

func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if isSensitive(k) {
				if s, ok := val.(string); !ok || s != "" {
					x[k] = redacted
				}
				continue
			}
			x[k] = redactJSON(val)
		}
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
		}
	case string:
		return redactText(x)
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d bytes more)", len(s)-n)
}

type attemptKey struct{}

// withAttempt records the attempt number for the trace.
func withAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}

// tracer is an http.RoundTripper that writes the debug trace.
type tracer struct {
	base http.RoundTripper
	mu   sync.Mutex // one block at a time, so concurrent calls don't interleave
	w    io.Writer
	red  *redactor // secret values, removed from every block
}

// RoundTrip sends req through the base transport and writes its block. It
// buffers the response body so that it can be both traced and read.
func (t *tracer) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	var respBody []byte
	if err == nil {
		var readErr error
		respBody, readErr = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		resp.Body.Close()
		var rest io.Reader = bytes.NewReader(respBody)
		if readErr != nil {
			rest = io.MultiReader(rest, errReader{readErr})
		}
		resp.Body = io.NopCloser(rest)
	}
	t.write(req, reqBody, resp, respBody, time.Since(start), err)
	return resp, err
}

func (t *tracer) write(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, d time.Duration, err error) {
	var b strings.Builder
	attempt, _ := req.Context().Value(attemptKey{}).(int)
	if attempt == 0 {
		attempt = 1
	}
	fmt.Fprintf(&b, "docusign: %s %s attempt=%d", req.Method, redactURL(req.URL), attempt)
	if err != nil {
		fmt.Fprintf(&b, " status=error duration=%s error=%q\n", d.Round(time.Microsecond), redactText(err.Error()))
	} else {
		fmt.Fprintf(&b, " status=%d duration=%s%s\n", resp.StatusCode, d.Round(time.Microsecond), traceRateHeaders(resp.Header))
	}
	if s := redactBody(req.Header.Get("Content-Type"), reqBody); s != "" {
		b.WriteString("  > " + s + "\n")
	}
	if resp != nil {
		if s := redactBody(resp.Header.Get("Content-Type"), respBody); s != "" {
			if isSecretPath(req.URL.Path) {
				s = fmt.Sprintf("(%d bytes, not traced: HMAC keys)", len(respBody))
			}
			b.WriteString("  < " + s + "\n")
		}
	}
	block := t.red.text(b.String())
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.w, block)
}

// logf writes one line that is not an HTTP attempt, such as a wait. A nil
// tracer writes nothing.
func (t *tracer) logf(format string, args ...any) {
	if t == nil {
		return
	}
	line := t.red.text(fmt.Sprintf("docusign: "+format+"\n", args...))
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.w, line)
}

func traceRateHeaders(h http.Header) string {
	var b strings.Builder
	if l, r := h.Get(headerRateLimit), h.Get(headerRateRemaining); l != "" || r != "" {
		fmt.Fprintf(&b, " ratelimit=%s/%s", r, l)
	}
	if v := h.Get(headerRateReset); v != "" {
		if t, ok := parseUnix(v); ok {
			v = t.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(&b, " reset=%s", v)
	}
	if l, r := h.Get(headerBurstLimit), h.Get(headerBurstRemaining); l != "" || r != "" {
		fmt.Fprintf(&b, " burst=%s/%s", r, l)
	}
	if v := h.Get("Retry-After"); v != "" {
		fmt.Fprintf(&b, " retry-after=%s", v)
	}
	return b.String()
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
