package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The account's Connect HMAC keys (reference §2, §11):
//
//	GET    .../connect/secret          → 200 {"secrets":["Vc2r...", ...]}        every key, truncated
//	POST   .../connect/secret          → 201 {"secrets":["Vc2r...", ..., "<new>"]} the new key in full, last
//	DELETE .../connect/secret/{keyId}  → 200, empty body                       keyId: 1-based index
//
// DocuSign documents no answer body for these (UNCONFIRMED). The emulator
// answers the shape DocuSign's Admin API documents for organization HMAC
// secrets ({"secrets": [strings]}), with only the new key in full, last in
// the list: a client that finds the new key there copes with a bare list or
// a list of one.

// hmacKey is one of an account's HMAC keys as stored. Secret is the key
// itself, which signs every post of a configuration with includeHMAC.
type hmacKey struct {
	Secret  string    `json:"secret"`
	Created time.Time `json:"created"`
}

// truncatedKeyLen is how many leading characters of a key GET shows.
const truncatedKeyLen = 4

// truncateKey shows the start of a key, as DocuSign lists keys "truncated
// to preserve security" (its exact form is UNCONFIRMED).
func truncateKey(secret string) string {
	if len(secret) <= truncatedKeyLen {
		return "..."
	}
	return secret[:truncatedKeyLen] + "..."
}

// secretList is the answer of GET and POST .../connect/secret.
type secretList struct {
	Secrets []string `json:"secrets"`
}

func (a *account) truncatedKeys() secretList {
	out := secretList{Secrets: []string{}}
	for _, k := range a.HMACKeys {
		out.Secrets = append(out.Secrets, truncateKey(k.Secret))
	}
	return out
}

// newHMACSecret makes a key like DocuSign's: 32 random bytes in base64, a
// 44-character string that signs as its text.
func newHMACSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate HMAC key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func (e *Emulator) listSecrets(r *http.Request, accountID string) (int, any, *apiError) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return http.StatusOK, e.st.findAccount(accountID).truncatedKeys(), nil
}

func (e *Emulator) createSecret(r *http.Request, accountID string) (int, any, *apiError) {
	secret, err := newHMACSecret()
	if err != nil {
		return 0, nil, internalError(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	a.HMACKeys = append(a.HMACKeys, hmacKey{Secret: secret, Created: e.now().UTC()})
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	out := a.truncatedKeys()
	out.Secrets[len(out.Secrets)-1] = secret
	return http.StatusCreated, out, nil
}

func (e *Emulator) deleteSecret(r *http.Request, accountID string) (int, any, *apiError) {
	raw := strings.TrimSpace(r.PathValue("keyId"))
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, nil, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. keyId %q is the 1-based index of a key, e.g. 1.", raw)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	if n > len(a.HMACKeys) {
		return 0, nil, badRequest(CodeHMACKeyNotFound, "The account has %d HMAC keys: there is no key %d.", len(a.HMACKeys), n)
	}
	a.HMACKeys = append(a.HMACKeys[:n-1], a.HMACKeys[n:]...)
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusOK, nil, nil
}

// HMACKeys returns an account's HMAC keys in full, in keyId order, for
// tests and listeners that verify the sandbox's signatures. They are
// secrets: never print them.
func (e *Emulator) HMACKeys(accountID string) ([]string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(accountID)
	if a == nil {
		return nil, fmt.Errorf("no account %s", accountID)
	}
	out := make([]string, len(a.HMACKeys))
	for i, k := range a.HMACKeys {
		out[i] = k.Secret
	}
	return out, nil
}
