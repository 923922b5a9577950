package docusign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The account's Connect HMAC keys (reference §2, §11): the keys DocuSign
// signs each post of a configuration with includeHMAC with.
//
//	GET    connect/secret          the keys, truncated
//	POST   connect/secret          a new key, shown once
//	DELETE connect/secret/{keyId}  keyId: the key's 1-based index in the list
//
// DocuSign documents no answer body for GET and POST (UNCONFIRMED), so the
// answers are read in every plausible shape: a bare list or a string, or an
// object holding the list under any key (DocuSign's Admin API uses
// {"secrets": [strings]} for organization keys); each item a string or an
// object with the key under secret, secretKey, hmacSecret, key or value. The
// trace never shows these answers (debug.go), and a new key is added to the
// redaction by value as soon as it is read.

// HMACKey is one of an account's HMAC keys as DocuSign lists them.
type HMACKey struct {
	// ID is the keyId DeleteHMACKey takes: its 1-based index in the list.
	ID int
	// Display is the key as DocuSign shows it, truncated. A value that
	// looks whole is cut here, so a key is never displayed.
	Display string
	// Created is when the key was made, as DocuSign writes it ("" when it
	// does not say).
	Created string
}

// NewHMACKey is a key CreateHMACKey made. Secret is shown once and must be
// handled as a secret.
type NewHMACKey struct {
	// ID is its keyId; 0 when DocuSign's answer did not place it in the list.
	ID     int
	Secret string
}

// String never shows the key.
func (k NewHMACKey) String() string { return fmt.Sprintf("HMAC key %d (secret not shown)", k.ID) }

// GoString keeps %#v from printing the key too.
func (k NewHMACKey) GoString() string { return k.String() }

// secretItem is one key of an answer, in whatever form it came.
type secretItem struct {
	value, created string
}

var (
	secretValueKeys   = []string{"secret", "secretkey", "hmacsecret", "key", "value", "secretvalue"}
	secretCreatedKeys = []string{"createddatetime", "created", "createddate", "creationdate"}
	secretListKeys    = []string{"secrets", "hmacsecrets", "connectsecrets", "keys", "items"}
)

// decodeSecrets reads the keys of a GET or POST answer (see above). Its
// errors quote an HTML page (a proxy's sign-in page, say) but no other
// answer, which may hold a key.
func decodeSecrets(data []byte, red *redactor) ([]secretItem, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		if data[0] == '<' {
			return nil, fmt.Errorf("decode answer: %s", summarizeBody("text/html", data, red))
		}
		return nil, fmt.Errorf("decode answer: not JSON (%d bytes, not shown: it may hold a key)", len(data))
	}
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case string:
		list = []any{x}
	case map[string]any:
		found := false
		for k, val := range x {
			if arr, ok := val.([]any); ok && containsLower(secretListKeys, k) {
				list, found = arr, true
				break
			}
		}
		if !found {
			list = []any{x}
		}
	default:
		return nil, errors.New("the answer is neither a list nor an object of HMAC keys")
	}
	var out []secretItem
	for _, item := range list {
		switch x := item.(type) {
		case string:
			out = append(out, secretItem{value: x})
		case map[string]any:
			var it secretItem
			for k, val := range x {
				s, _ := val.(string)
				switch {
				case containsLower(secretValueKeys, k) && it.value == "":
					it.value = s
				case containsLower(secretCreatedKeys, k):
					it.created = s
				}
			}
			out = append(out, it)
		}
	}
	return out, nil
}

func containsLower(list []string, k string) bool {
	k = strings.ToLower(k)
	for _, s := range list {
		if s == k {
			return true
		}
	}
	return false
}

// looksTruncated reports whether a listed value is a key cut for display
// rather than a whole key.
func looksTruncated(s string) bool {
	return len(s) < 16 || strings.Contains(s, "...") || strings.Contains(s, "…") || strings.Contains(s, "*")
}

// displayKey shows a listed value, cutting one that looks whole.
func displayKey(s string) string {
	if looksTruncated(s) {
		return s
	}
	return s[:4] + "..."
}

// ListHMACKeys returns the account's HMAC keys as DocuSign lists them
// (truncated), in keyId order.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/getconnectsecret/
func (c *Client) ListHMACKeys(ctx context.Context, accountID string) ([]HMACKey, error) {
	var raw rawAnswer
	err := c.call(ctx, http.MethodGet, accountID, "connect/secret", nil, &raw)
	var items []secretItem
	if err == nil {
		items, err = decodeSecrets(raw, c.red)
	}
	if err != nil {
		return nil, fmt.Errorf("list the HMAC keys of account %s: %w", accountID, err)
	}
	out := make([]HMACKey, len(items))
	for i, it := range items {
		if !looksTruncated(it.value) {
			c.red.add(it.value) // a whole key listed by mistake stays out of any later text
		}
		out[i] = HMACKey{ID: i + 1, Display: c.red.text(displayKey(it.value)), Created: c.red.text(it.created)}
	}
	return out, nil
}

// CreateHMACKey makes a new HMAC key for the account and returns it: the
// only time DocuSign shows a key in full. The key is added to the client's
// redaction at once, so no error or trace shows it. Like every POST it is
// sent once: after a lost answer (IsOutcomeUnknown) a key may exist that no
// one has seen; list the keys and delete it.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/createconnectsecret/
func (c *Client) CreateHMACKey(ctx context.Context, accountID string) (NewHMACKey, error) {
	var raw rawAnswer
	err := c.call(ctx, http.MethodPost, accountID, "connect/secret", nil, &raw)
	var items []secretItem
	if err == nil {
		items, err = decodeSecrets(raw, c.red)
	}
	if err != nil {
		return NewHMACKey{}, fmt.Errorf("create an HMAC key in account %s: %w", accountID, err)
	}
	for _, it := range items {
		if !looksTruncated(it.value) {
			c.red.add(it.value)
		}
	}
	// The new key is the one shown whole; the last of them if several are.
	at := -1
	for i, it := range items {
		if !looksTruncated(it.value) {
			at = i
		}
	}
	if at < 0 {
		return NewHMACKey{}, fmt.Errorf("create an HMAC key in account %s: DocuSign's answer holds no whole key, so the new key cannot be shown: delete it (connectsync hmac list shows it last) and try again", accountID)
	}
	k := NewHMACKey{Secret: items[at].value}
	if len(items) > 1 {
		k.ID = at + 1
	}
	return k, nil
}

// DeleteHMACKey deletes the key with this keyId (its 1-based index in
// ListHMACKeys); the keys after it move up.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/deleteconnectsecret/
func (c *Client) DeleteHMACKey(ctx context.Context, accountID string, keyID int) error {
	err := errors.New("keyId must be 1 or more")
	if keyID >= 1 {
		err = c.call(ctx, http.MethodDelete, accountID, "connect/secret/"+strconv.Itoa(keyID), nil, nil)
	}
	if err != nil {
		return fmt.Errorf("delete HMAC key %d of account %s: %w", keyID, accountID, err)
	}
	return nil
}

// isSecretPath reports whether a request path is one of the HMAC key
// endpoints, whose answers the trace never shows.
func isSecretPath(path string) bool {
	return strings.Contains(path, "/connect/secret")
}
