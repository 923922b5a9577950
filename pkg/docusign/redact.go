package docusign

// Redaction by value. debug.go removes secrets it can recognise by key or
// shape (a "password" field, "Bearer …", user:pass@ in a URL). That is not
// enough for a server that echoes a request in free text, as DocuSign's error
// messages may ("The password 'hunter22' is invalid"), so every text a server
// sends that reaches an error or the trace also goes through a redactor that
// knows the secret values themselves:
//
//   - Options.Secrets: the files' listener passwords and OAuth client secrets;
//   - the access token sent with each request (static or obtained);
//   - each JWT assertion the client signs, and every line of the private key.
//
// Each value is also matched in the forms a server may echo it in: JSON
// string escaping (with and without HTML escaping), URL query and path
// escaping. Values shorter than minSecretLen are not redacted: a two- or
// three-character string occurs in ordinary words and would blank out
// messages without protecting anything worth the name.

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// minSecretLen is the shortest value redacted by value.
const minSecretLen = 4

// redactor replaces known secret values. It only grows, may be shared (a
// JWT token source and every client using it share one) and is safe for
// concurrent use. A nil *redactor redacts by shape only.
type redactor struct {
	mu     sync.Mutex
	values map[string]bool
	repl   atomic.Pointer[strings.Replacer]
}

func newRedactor() *redactor { return &redactor{values: map[string]bool{}} }

// add registers secret values (and their escaped forms).
func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, v := range values {
		if len(v) < minSecretLen || r.values[v] {
			continue
		}
		for _, form := range secretForms(v) {
			if len(form) >= minSecretLen && !r.values[form] {
				r.values[form] = true
				changed = true
			}
		}
	}
	if !changed {
		return
	}
	// Longest first: where two values overlap, the longer one wins.
	forms := make([]string, 0, len(r.values))
	for v := range r.values {
		forms = append(forms, v)
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(forms))
	for _, v := range forms {
		pairs = append(pairs, v, redacted)
	}
	r.repl.Store(strings.NewReplacer(pairs...))
}

// addPEM registers every line of a PEM block's body, so that no part of a
// private key survives an echo, whether of the whole text or of a line.
func (r *redactor) addPEM(pemText []byte) {
	var lines []string
	for line := range strings.Lines(string(pemText)) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "-----") {
			lines = append(lines, line)
		}
	}
	r.add(lines...)
}

// secretForms are v as a server may echo it: as is, escaped in a JSON
// string (with and without HTML escaping), escaped in a URL.
func secretForms(v string) []string {
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			forms = append(forms, strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`))
		}
	}
	return forms
}

// text removes every known secret value, then secrets recognisable by shape.
func (r *redactor) text(s string) string {
	if r != nil {
		if repl := r.repl.Load(); repl != nil {
			s = repl.Replace(s)
		}
	}
	return redactText(s)
}

// redactedError is err with its message redacted; errors.Is and errors.As
// still see the original, so that a failure is classified as before.
type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// wrap returns err with its text redacted (nil stays nil).
func (r *redactor) wrap(err error) error {
	if err == nil {
		return nil
	}
	msg := r.text(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{err: err, msg: msg}
}
