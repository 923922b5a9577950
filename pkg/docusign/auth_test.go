package docusign

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

const (
	testIntegrationKey = "7f2a9c3e-5b1d-4e8f-9a6c-2d4b8e1f3a5c"
	testUserID         = "4799e5e9-1559-4915-9862-cf4713bbcacc"
)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func pkcs1PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKey())})
}

func pkcs8PEM(t *testing.T) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(testKey())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// withJWT makes setup's client use the JWT grant against the test server,
// on the fake clock.
func withJWT(t *testing.T, modify ...func(*JWTConfig)) func(*Options) {
	return func(o *Options) {
		cfg := JWTConfig{
			IntegrationKey: testIntegrationKey,
			UserID:         testUserID,
			PrivateKeyPEM:  pkcs1PEM(),
			AuthServer:     o.AuthServer,
			Now:            o.Now,
		}
		for _, m := range modify {
			m(&cfg)
		}
		ts, err := cfg.TokenSource()
		if err != nil {
			t.Fatal(err)
		}
		o.Auth = ts
	}
}

// verifyAssertion checks the RS256 signature twice: with crypto/rsa alone,
// independent of any JWT library, and with golang-jwt's parser. It returns
// the header and the claims.
func verifyAssertion(t *testing.T, assertion string, now time.Time) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		t.Fatalf("assertion has %d parts, want 3", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&testKey().PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("RS256 signature does not verify with the public key: %v", err)
	}
	for i, v := range []*map[string]any{&header, &claims} {
		data, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(data, v) != nil {
			t.Fatalf("part %d is not base64url JSON: %v", i, err)
		}
	}
	_, err = jwt.Parse(assertion, func(*jwt.Token) (any, error) { return &testKey().PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(testIntegrationKey), jwt.WithSubject(testUserID),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		t.Errorf("golang-jwt refuses the assertion: %v", err)
	}
	return header, claims
}

// tokenEndpoint is a JWT-grant token endpoint that hands out jwt-access-1,
// jwt-access-2... and records the assertions.
type tokenEndpoint struct {
	t         *testing.T
	clock     *fakeClock
	expiresIn int
	delay     time.Duration
	calls     atomic.Int32
}

func (e *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := e.calls.Add(1)
	testMethod(e.t, r, http.MethodPost)
	testHeader(e.t, r, "Content-Type", "application/x-www-form-urlencoded")
	testFormValues(e.t, r, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}})
	now := e.clock.Now()
	header, claims := verifyAssertion(e.t, r.PostForm.Get("assertion"), now)
	if diff := cmp.Diff(map[string]any{"alg": "RS256", "typ": "JWT"}, header); diff != "" {
		e.t.Errorf("JWT header (-want +got):\n%s", diff)
	}
	wantClaims := map[string]any{
		"iss":   testIntegrationKey,
		"sub":   testUserID,
		"aud":   r.Host, // the OAuth host without scheme: 127.0.0.1:PORT
		"iat":   float64(now.Unix()),
		"exp":   float64(now.Add(time.Hour).Unix()),
		"scope": "signature impersonation",
	}
	if diff := cmp.Diff(wantClaims, claims); diff != "" {
		e.t.Errorf("JWT claims (-want +got):\n%s", diff)
	}
	time.Sleep(e.delay)
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":"jwt-access-%d","token_type":"Bearer","expires_in":%d}`, n, cmpOr(e.expiresIn, 3600)))
}

// serveBearer answers the list call for any account, recording the tokens used.
func serveBearer(t *testing.T, mux *http.ServeMux, tokens *sync.Map) {
	mux.HandleFunc("GET /restapi/v2.1/accounts/{account}/connect", func(w http.ResponseWriter, r *http.Request) {
		tokens.Store(r.Header.Get("Authorization"), true)
		serveFile(t, w, http.StatusOK, "connect-list.json")
	})
}

func tokenSet(m *sync.Map) []string {
	var s []string
	m.Range(func(k, _ any) bool { s = append(s, k.(string)); return true })
	return s
}

func TestJWTGrant(t *testing.T) {
	t.Parallel()
	for name, key := range map[string][]byte{"PKCS#1": pkcs1PEM(), "PKCS#8": pkcs8PEM(t)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t, withJWT(t, func(c *JWTConfig) { c.PrivateKeyPEM = key }))
			tokens := &tokenEndpoint{t: t, clock: ts.clock}
			ts.mux.Handle("/oauth/token", tokens)
			var used sync.Map
			serveBearer(t, ts.mux, &used)
			if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"Bearer jwt-access-1"}, tokenSet(&used)); diff != "" {
				t.Errorf("tokens used (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJWTTokenSharedAcrossAccounts(t *testing.T) {
	t.Parallel()
	ts := setup(t, withJWT(t))
	tokens := &tokenEndpoint{t: t, clock: ts.clock, delay: 50 * time.Millisecond}
	ts.mux.Handle("/oauth/token", tokens)
	var used sync.Map
	serveBearer(t, ts.mux, &used)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			if _, err := ts.client.ListConfigurations(context.Background(), fmt.Sprintf("account-%d", i%3)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := tokens.calls.Load(); n != 1 {
		t.Errorf("token endpoint called %d times, want 1", n)
	}
	if diff := cmp.Diff([]string{"Bearer jwt-access-1"}, tokenSet(&used)); diff != "" {
		t.Errorf("tokens used (-want +got):\n%s", diff)
	}
}

func TestJWTTokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	ts := setup(t, withJWT(t))
	tokens := &tokenEndpoint{t: t, clock: ts.clock, expiresIn: 600} // renewed 120s (a fifth) before the end
	ts.mux.Handle("/oauth/token", tokens)
	var used sync.Map
	serveBearer(t, ts.mux, &used)
	list := func() {
		t.Helper()
		if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
			t.Fatal(err)
		}
	}
	list()
	ts.clock.Advance(470 * time.Second)
	list()
	if n := tokens.calls.Load(); n != 1 {
		t.Errorf("at 470s of 600: %d token calls, want 1 (cached)", n)
	}
	ts.clock.Advance(20 * time.Second)
	list()
	if n := tokens.calls.Load(); n != 2 {
		t.Errorf("at 490s of 600: %d token calls, want 2 (renewed)", n)
	}
	if diff := cmp.Diff([]string{"Bearer jwt-access-1", "Bearer jwt-access-2"}, tokenSet(&used), sortStrings); diff != "" {
		t.Errorf("tokens used (-want +got):\n%s", diff)
	}
}

var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestJWT401RenewsTokenOnce(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		call      func(context.Context, *Client) error
		rejectAll bool
		wantCalls int32
	}{
		"GET, new token works":   {endpoints["ListConfigurations"], false, 2},
		"PUT, new token works":   {endpoints["UpdateConfiguration"], false, 2},
		"GET, every token fails": {endpoints["ListConfigurations"], true, 2},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t, withJWT(t))
			tokens := &tokenEndpoint{t: t, clock: ts.clock}
			ts.mux.Handle("/oauth/token", tokens)
			var calls atomic.Int32
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if tt.rejectAll || r.Header.Get("Authorization") == "Bearer jwt-access-1" {
					writeError(w, http.StatusUnauthorized, "USER_AUTHENTICATION_FAILED", "The access token provided is expired, revoked or malformed.")
					return
				}
				serveFile(t, w, http.StatusCreated, "connect-create.json")
			})
			err := tt.call(context.Background(), ts.client)
			if tt.rejectAll {
				if !IsAuth(err) || IsOutcomeUnknown(err) {
					t.Errorf("err = %v, want an auth error", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != tt.wantCalls || tokens.calls.Load() != 2 {
				t.Errorf("%d API calls and %d token calls, want %d and 2", calls.Load(), tokens.calls.Load(), tt.wantCalls)
			}
		})
	}
}

func TestStaticToken401IsNotRetried(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeError(w, http.StatusUnauthorized, "AUTHORIZATION_INVALID_TOKEN", "The access token provided is expired, revoked or malformed.")
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if !IsAuth(err) || !strings.Contains(err.Error(), "access token is bad or expired") {
		t.Errorf("err = %v, want an auth error with advice", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
}

func TestConsentRequired(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		redirect string
		want     string // after the server URL
	}{
		"default redirect": {"", "/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=" + testIntegrationKey +
			"&redirect_uri=https%3A%2F%2Fdevelopers.docusign.com%2Fplatform%2Fauth%2Fconsent"},
		"DOCUSIGN_REDIRECT_URI": {"http://localhost:8080/callback?x=1", "/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=" + testIntegrationKey +
			"&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback%3Fx%3D1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t, withJWT(t, func(c *JWTConfig) { c.RedirectURI = tt.redirect }))
			var tokenCalls atomic.Int32
			ts.mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
				tokenCalls.Add(1)
				writeJSON(w, http.StatusBadRequest, `{"error":"consent_required"}`)
			})
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				t.Error("the API was called without a token")
			})
			_, err := ts.client.ListConfigurations(context.Background(), testAccount)
			var consent *ConsentRequiredError
			if !errors.As(err, &consent) || !IsAuth(err) {
				t.Fatalf("err = %v, want *ConsentRequiredError", err)
			}
			if consent.URL != ts.url+tt.want {
				t.Errorf("consent URL\n got %s\nwant %s", consent.URL, ts.url+tt.want)
			}
			if !strings.Contains(err.Error(), "open this URL in a browser") || !strings.Contains(err.Error(), consent.URL) {
				t.Errorf("error %q does not say to open the URL", err)
			}
			if tokenCalls.Load() != 1 {
				t.Errorf("token endpoint called %d times, want 1 (consent is not transient)", tokenCalls.Load())
			}
		})
	}
}

func TestConsentURLOfDocuSign(t *testing.T) {
	t.Parallel()
	got := JWTConfig{IntegrationKey: "abc", AuthServer: "account-d.docusign.com"}.ConsentURL()
	want := "https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=abc&redirect_uri=https%3A%2F%2Fdevelopers.docusign.com%2Fplatform%2Fauth%2Fconsent"
	if got != want {
		t.Errorf("ConsentURL\n got %s\nwant %s", got, want)
	}
}

func TestOAuthErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		status    int
		ctype     string
		body      string
		wantCalls int32 // token calls; more than 1 means it was retried
		wantInMsg []string
	}{
		"invalid_grant, wrong key": {400, "application/json", `{"error":"invalid_grant","error_description":"no_valid_keys_or_signatures"}`, 1,
			[]string{"400 invalid_grant: no_valid_keys_or_signatures", "private key does not belong to the integration key"}},
		"invalid_grant, user": {400, "application/json", `{"error":"invalid_grant","error_description":"user_not_found"}`, 1,
			[]string{"DOCUSIGN_USER_ID must be the user's GUID"}},
		"invalid_grant, other": {400, "application/json", `{"error":"invalid_grant"}`, 1,
			[]string{"the JWT grant was refused", "the clock is right"}},
		"invalid_client": {400, "application/json", `{"error":"invalid_client"}`, 1, []string{"integration key is wrong"}},
		"HTML 503": {503, "text/html", "<html><title>Service Unavailable</title></html>", 5,
			[]string{"giving up after 5 attempts", "503", "Service Unavailable", "OAuth server failed"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t, withJWT(t))
			var calls atomic.Int32
			ts.mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			_, err := ts.client.ListConfigurations(context.Background(), testAccount)
			var oe *OAuthError
			if !errors.As(err, &oe) || !IsAuth(err) || oe.Status != tt.status {
				t.Fatalf("err = %v, want *OAuthError %d", err, tt.status)
			}
			for _, want := range tt.wantInMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("%d token calls, want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}

func TestTokenEndpointRecovers(t *testing.T) {
	t.Parallel()
	ts := setup(t, withJWT(t))
	tokens := &tokenEndpoint{t: t, clock: ts.clock}
	var calls atomic.Int32
	ts.mux.HandleFunc("POST /oauth/token", failThen(&calls, tokens.ServeHTTP, status(502, "")))
	var used sync.Map
	serveBearer(t, ts.mux, &used)
	if _, err := ts.client.ListConfigurations(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
}

func TestJWTConfigRefusesBadSettings(t *testing.T) {
	t.Parallel()
	good := JWTConfig{IntegrationKey: "k", UserID: "u", PrivateKeyPEM: pkcs1PEM(), AuthServer: "account-d.docusign.com"}
	notRSA := []byte("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n")
	tests := map[string]struct {
		modify func(*JWTConfig)
		want   string
	}{
		"no integration key": {func(c *JWTConfig) { c.IntegrationKey = "" }, "missing integration key"},
		"nothing":            {func(c *JWTConfig) { *c = JWTConfig{} }, "missing integration key, user id, private key, auth server"},
		"garbage key":        {func(c *JWTConfig) { c.PrivateKeyPEM = []byte("hunter2-not-a-key") }, "not an RSA private key in PEM form"},
		"not RSA":            {func(c *JWTConfig) { c.PrivateKeyPEM = notRSA }, "not an RSA private key"},
		"plain http":         {func(c *JWTConfig) { c.AuthServer = "http://account-d.docusign.com" }, "plain http is allowed only to loopback"},
	}
	for name, tt := range tests {
		cfg := good
		tt.modify(&cfg)
		_, err := cfg.TokenSource()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tt.want)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "bm90IGEga2V5")) {
			t.Errorf("%s: the error quotes the key: %v", name, err)
		}
	}
}

func TestCredentialsNotPrinted(t *testing.T) {
	t.Parallel()
	cfg := JWTConfig{IntegrationKey: "k", UserID: "u", PrivateKeyPEM: pkcs1PEM(), AuthServer: "account-d.docusign.com"}
	src, err := cfg.TokenSource()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{StaticToken("sekrit-token"), cfg, &cfg, src, Options{Auth: StaticToken("sekrit-token")}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "sekrit-token") || strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, string(pkcs1PEM()[40:80])) ||
				strings.Contains(out, testKey().D.String()[:20]) {
				t.Errorf("%s of %T shows a secret: %s", verb, v, out)
			}
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	privateFile := filepath.Join(dir, "private.pem")
	openFile := filepath.Join(dir, "open.pem")
	for path, mode := range map[string]os.FileMode{privateFile: 0o600, openFile: 0o644} {
		if err := os.WriteFile(path, pkcs1PEM(), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notakey.pem"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	oneLine := strings.ReplaceAll(string(pkcs1PEM()), "\n", `\n`)
	jwtVars := map[string]string{"DOCUSIGN_INTEGRATION_KEY": "k", "DOCUSIGN_USER_ID": "u", "DOCUSIGN_PRIVATE_KEY_FILE": privateFile}
	with := func(base map[string]string, extra ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	tests := map[string]struct {
		env          map[string]string
		environment  string
		wantJWT      bool
		wantServer   string
		wantBase     string
		wantBurst    int
		wantWarnings []string
		wantErr      string
		wantNoCreds  bool
	}{
		"access token, demo": {env: map[string]string{"DOCUSIGN_ACCESS_TOKEN": "tok"}, environment: "demo",
			wantServer: "https://account-d.docusign.com", wantBurst: 200},
		"access token, production": {env: map[string]string{"DOCUSIGN_ACCESS_TOKEN": "tok"}, environment: "production",
			wantServer: "https://account.docusign.com", wantBurst: 500},
		"JWT with a private key file": {env: jwtVars, environment: "demo", wantJWT: true, wantServer: "https://account-d.docusign.com", wantBurst: 200},
		"JWT with an open key file": {env: with(jwtVars, "DOCUSIGN_PRIVATE_KEY_FILE", openFile), environment: "demo", wantJWT: true,
			wantServer: "https://account-d.docusign.com", wantBurst: 200,
			wantWarnings: []string{"private key file " + openFile + " is open to group or others (mode 0644); restrict it with: chmod 600 " + openFile}},
		"JWT with PEM text on one line": {env: map[string]string{"DOCUSIGN_INTEGRATION_KEY": "k", "DOCUSIGN_USER_ID": "u", "DOCUSIGN_PRIVATE_KEY": oneLine},
			environment: "production", wantJWT: true, wantServer: "https://account.docusign.com", wantBurst: 500},
		"both key settings": {env: with(jwtVars, "DOCUSIGN_PRIVATE_KEY", "x"), environment: "demo", wantJWT: true,
			wantServer: "https://account-d.docusign.com", wantBurst: 200,
			wantWarnings: []string{"both DOCUSIGN_PRIVATE_KEY_FILE and DOCUSIGN_PRIVATE_KEY are set; using DOCUSIGN_PRIVATE_KEY_FILE"}},
		"token wins over JWT": {env: with(jwtVars, "DOCUSIGN_ACCESS_TOKEN", "tok"), environment: "demo",
			wantServer: "https://account-d.docusign.com", wantBurst: 200,
			wantWarnings: []string{"DOCUSIGN_ACCESS_TOKEN is set, so the JWT grant variables are ignored"}},
		"emulator on loopback": {env: with(jwtVars, "DOCUSIGN_AUTH_SERVER", "http://127.0.0.1:8085", "DOCUSIGN_BASE_URI", "http://127.0.0.1:8085/"),
			environment: "demo", wantJWT: true, wantServer: "http://127.0.0.1:8085", wantBase: "http://127.0.0.1:8085", wantBurst: 200},
		"auth server host only": {env: with(jwtVars, "DOCUSIGN_AUTH_SERVER", "account.docusign.com"), environment: "demo", wantJWT: true,
			wantServer: "https://account.docusign.com", wantBurst: 200},
		"nothing set":          {env: map[string]string{}, environment: "demo", wantNoCreds: true, wantErr: "set DOCUSIGN_ACCESS_TOKEN, or DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY)"},
		"only blanks":          {env: map[string]string{"DOCUSIGN_ACCESS_TOKEN": "  "}, environment: "demo", wantNoCreds: true, wantErr: "no DocuSign credentials"},
		"JWT missing the user": {env: map[string]string{"DOCUSIGN_INTEGRATION_KEY": "k", "DOCUSIGN_PRIVATE_KEY_FILE": privateFile}, environment: "demo", wantErr: "missing: DOCUSIGN_USER_ID"},
		"JWT missing the key":  {env: map[string]string{"DOCUSIGN_INTEGRATION_KEY": "k", "DOCUSIGN_USER_ID": "u"}, environment: "demo", wantErr: "missing: DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY)"},
		"key file not a key": {env: with(jwtVars, "DOCUSIGN_PRIVATE_KEY_FILE", filepath.Join(dir, "notakey.pem")), environment: "demo",
			wantErr: "notakey.pem: JWT grant: the private key is not an RSA private key in PEM form"},
		"key text not a key": {env: map[string]string{"DOCUSIGN_INTEGRATION_KEY": "k", "DOCUSIGN_USER_ID": "u", "DOCUSIGN_PRIVATE_KEY": "hunter2"}, environment: "demo",
			wantErr: "DOCUSIGN_PRIVATE_KEY: JWT grant: the private key is not an RSA private key"},
		"key file missing": {env: with(jwtVars, "DOCUSIGN_PRIVATE_KEY_FILE", filepath.Join(dir, "nope.pem")), environment: "demo", wantErr: "DOCUSIGN_PRIVATE_KEY_FILE: open"},
		"plain http auth server": {env: with(jwtVars, "DOCUSIGN_AUTH_SERVER", "http://account-d.docusign.com"), environment: "demo",
			wantErr: "DOCUSIGN_AUTH_SERVER: \"http://account-d.docusign.com\": plain http is allowed only to loopback"},
		"plain http base URI": {env: with(jwtVars, "DOCUSIGN_BASE_URI", "http://demo.docusign.net"), environment: "demo", wantErr: "DOCUSIGN_BASE_URI"},
		"unknown environment": {env: jwtVars, environment: "staging", wantErr: `unknown environment "staging": want demo or production`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts, warnings, err := FromEnv(func(k string) string { return tt.env[k] }, tt.environment)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrNoCredentials) != tt.wantNoCreds {
					t.Errorf("errors.Is(err, ErrNoCredentials) = %v", !tt.wantNoCreds)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, isJWT := opts.Auth.(*jwtSource); isJWT != tt.wantJWT {
				t.Errorf("Auth is %T, want JWT %v", opts.Auth, tt.wantJWT)
			}
			if opts.AuthServer != tt.wantServer || opts.BaseURI != tt.wantBase || opts.BurstLimit != tt.wantBurst {
				t.Errorf("AuthServer %q BaseURI %q BurstLimit %d; want %q %q %d", opts.AuthServer, opts.BaseURI, opts.BurstLimit, tt.wantServer, tt.wantBase, tt.wantBurst)
			}
			if diff := cmp.Diff(tt.wantWarnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if _, err := New(opts); err != nil {
				t.Errorf("New(FromEnv options): %v", err)
			}
		})
	}
}
