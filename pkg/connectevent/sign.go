package connectevent

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
)

// How DocuSign signs a Connect post (facts §11; DocuSign's own listener
// example, docusign/code-examples-node lib/connect/examples/validateWebhookMessage.js):
// for each of the account's HMAC keys, in order, X-DocuSign-Signature-N is
// base64(HMAC-SHA256(key, raw body)), the key taken as the text DocuSign
// shows (a base64-looking string that is NOT decoded first), N counting from
// 1; X-Authorization-Digest says the algorithm. A listener must check the
// raw bytes it received: re-serialised JSON has other bytes.

// Signature header names and the digest header's value.
const (
	SignatureHeaderPrefix = "X-DocuSign-Signature-"
	DigestHeader          = "X-Authorization-Digest"
	DigestAlgorithm       = "HMACSHA256"
)

// Signature is the value of one X-DocuSign-Signature header: the base64
// HMAC-SHA256 of body under key, the key used as written.
func Signature(key string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Sign sets X-DocuSign-Signature-1..N, one per key in order, and
// X-Authorization-Digest; with no key it sets nothing (an unsigned post).
func Sign(h http.Header, body []byte, keys []string) {
	for i, k := range keys {
		h.Set(SignatureHeaderPrefix+strconv.Itoa(i+1), Signature(k, body))
	}
	if len(keys) > 0 {
		h.Set(DigestHeader, DigestAlgorithm)
	}
}

// Verify reports whether some X-DocuSign-Signature-N header of h is the
// signature of body under one of keys, as a listener checks it (comparing
// in constant time). It is what the README's listener does, for tests.
func Verify(h http.Header, body []byte, keys []string) bool {
	for n := 1; ; n++ {
		got := h.Get(SignatureHeaderPrefix + strconv.Itoa(n))
		if got == "" {
			return false
		}
		gotMAC, err := base64.StdEncoding.DecodeString(got)
		if err != nil {
			continue
		}
		for _, k := range keys {
			mac := hmac.New(sha256.New, []byte(k))
			mac.Write(body)
			if hmac.Equal(gotMAC, mac.Sum(nil)) {
				return true
			}
		}
	}
}

// Credentials are what a post carries to authenticate itself to a
// listener: the configuration's basic-auth user and password (sent when
// UserName is set), and the account's HMAC keys.
type Credentials struct {
	UserName, Password string
	HMACKeys           []string
}

// String never shows the password or the keys.
func (c Credentials) String() string {
	return fmt.Sprintf("basic auth user %q, %d HMAC keys (secrets not shown)", c.UserName, len(c.HMACKeys))
}

// GoString keeps %#v from printing the secrets too.
func (c Credentials) GoString() string { return c.String() }

// NewRequest builds the POST of a payload to a listener as Connect sends
// it: the body, its Content-Type, basic auth and the signatures.
func NewRequest(ctx context.Context, url string, p Payload, c Credentials) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", p.ContentType)
	if c.UserName != "" {
		req.SetBasicAuth(c.UserName, c.Password)
	}
	Sign(req.Header, p.Body, c.HMACKeys)
	return req, nil
}
