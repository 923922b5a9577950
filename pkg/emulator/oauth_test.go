package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// assertion signs a JWT grant assertion; change edits the claims first.
func assertion(t *testing.T, key *rsa.PrivateKey, aud string, now time.Time, change func(jwt.MapClaims)) string {
	t.Helper()
	claims := jwt.MapClaims{
		"iss":   SandboxIntegrationKey,
		"sub":   SandboxUserID,
		"aud":   aud,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"scope": "signature impersonation",
	}
	if change != nil {
		change(claims)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (env *testEnv) requestToken(form url.Values) response {
	env.t.Helper()
	resp, err := env.srv.Client().PostForm(env.srv.URL+"/oauth/token", form)
	if err != nil {
		env.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func jwtForm(a string) url.Values {
	return url.Values{"grant_type": {jwtBearerGrant}, "assertion": {a}}
}

func TestJWTGrant(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	env := newEnv(t, Options{Now: clock.Now, TokenLifetime: time.Hour})
	host := strings.TrimPrefix(env.srv.URL, "http://")
	now := clock.Now()

	tests := []struct {
		name   string
		form   url.Values
		status int
		err    string
	}{
		{"valid", jwtForm(assertion(t, testKey(), host, now, nil)), 200, ""},
		{"valid with a configured OAuth host", jwtForm(assertion(t, testKey(), "account-d.docusign.com", now, nil)), 200, ""},
		{"valid with aud as a list", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["aud"] = []string{host} })), 200, ""},
		{"bad signature", jwtForm(assertion(t, otherKey(), host, now, nil)), 400, "invalid_grant"},
		{"HS256", jwtForm(func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": SandboxIntegrationKey, "sub": SandboxUserID, "aud": host, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "signature impersonation"}).SignedString([]byte("k"))
			return s
		}()), 400, "invalid_grant"},
		{"aud with scheme", jwtForm(assertion(t, testKey(), "http://"+host, now, nil)), 400, "invalid_grant"},
		{"wrong aud", jwtForm(assertion(t, testKey(), "account.example.com", now, nil)), 400, "invalid_grant"},
		{"expired", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() })), 400, "invalid_grant"},
		{"no exp", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { delete(c, "exp") })), 400, "invalid_grant"},
		{"no iat", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { delete(c, "iat") })), 400, "invalid_grant"},
		{"issued in the future", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() })), 400, "invalid_grant"},
		{"unknown iss", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["iss"] = "00000000-0000-4000-8000-000000000000" })), 400, "invalid_grant"},
		{"unknown sub", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["sub"] = "00000000-0000-4000-8000-000000000000" })), 400, "invalid_grant"},
		{"no consent", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["sub"] = NoConsentUserID })), 400, "consent_required"},
		{"scope without impersonation", jwtForm(assertion(t, testKey(), host, now, func(c jwt.MapClaims) { c["scope"] = "signature" })), 400, "invalid_scope"},
		{"no assertion", url.Values{"grant_type": {jwtBearerGrant}}, 400, "invalid_request"},
		{"other grant", url.Values{"grant_type": {"client_credentials"}}, 400, "unsupported_grant_type"},
		{"garbage assertion", jwtForm("not.a.jwt"), 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.requestToken(tt.form)
			m := r.json(t)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.err != "" {
				if m["error"] != tt.err {
					t.Errorf("error %v, want %s (%s)", m["error"], tt.err, r.body)
				}
				return
			}
			if m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || m["access_token"] == "" {
				t.Errorf("token answer %s", r.body)
			}
			if r := env.callAs(m["access_token"].(string), "GET", connect(AccountAcme), nil); r.status != http.StatusOK {
				t.Errorf("the token does not work: %d %s", r.status, r.body)
			}
		})
	}
}

func TestTokenExpires(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	env := newEnv(t, Options{Now: clock.Now, TokenLifetime: time.Hour})
	if r := env.call("GET", connect(AccountAcme), nil); r.status != http.StatusOK {
		t.Fatalf("fresh token: %d", r.status)
	}
	clock.Advance(time.Hour)
	if r := env.call("GET", connect(AccountAcme), nil); r.status != http.StatusUnauthorized || r.errorCode(t) != CodeUserAuthenticationFailed {
		t.Errorf("expired token: %d %s", r.status, r.body)
	}
}

func TestSeededIntegrationKey(t *testing.T) {
	t.Parallel()
	pub, err := x509.MarshalPKIXPublicKey(&otherKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	const ik = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
	const user = "11111111-2222-4333-8444-555555555555"
	seed := &Seed{
		IntegrationKeys: []IntegrationKey{{IntegrationKey: ik, PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}},
		Users:           []User{{UserID: user, Name: "Casey", Email: "casey@example.com", Consents: []string{ik}}},
		Accounts:        []SeedAccount{{AccountID: AccountAcme, Name: "A", Users: []AccountUser{{UserID: user, Admin: true}}}},
	}
	env := newEnv(t, Options{Seed: seed})
	host := strings.TrimPrefix(env.srv.URL, "http://")
	ok := assertion(t, otherKey(), host, time.Now(), func(c jwt.MapClaims) { c["iss"], c["sub"] = ik, user })
	if r := env.requestToken(jwtForm(ok)); r.status != http.StatusOK {
		t.Errorf("seeded key: %d %s", r.status, r.body)
	}
	// The sandbox key cannot sign for another integration key.
	forged := assertion(t, testKey(), host, time.Now(), func(c jwt.MapClaims) { c["iss"], c["sub"] = ik, user })
	if r := env.requestToken(jwtForm(forged)); r.status != http.StatusBadRequest {
		t.Errorf("forged: %d %s", r.status, r.body)
	}
	// The sandbox user has no consent for the seeded key.
	noConsent := assertion(t, otherKey(), host, time.Now(), func(c jwt.MapClaims) { c["iss"] = ik })
	if r := env.requestToken(jwtForm(noConsent)); r.json(t)["error"] != "consent_required" {
		t.Errorf("sandbox user with the seeded key: %s", r.body)
	}
}

func TestUserInfo(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	r := env.call("GET", "/oauth/userinfo", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var info struct {
		Sub      string `json:"sub"`
		Name     string `json:"name"`
		Email    string `json:"email"`
		Accounts []struct {
			AccountID    string          `json:"account_id"`
			IsDefault    json.RawMessage `json:"is_default"`
			AccountName  string          `json:"account_name"`
			BaseURI      string          `json:"base_uri"`
			Organization *struct {
				OrganizationID string `json:"organization_id"`
			} `json:"organization"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(r.body, &info); err != nil {
		t.Fatal(err)
	}
	if info.Sub != SandboxUserID || info.Email == "" || info.Name == "" {
		t.Errorf("user fields: %s", r.body)
	}
	var ids, defaults []string
	for _, a := range info.Accounts {
		ids = append(ids, a.AccountID)
		if string(a.IsDefault) == "true" {
			defaults = append(defaults, a.AccountID)
		} else if string(a.IsDefault) != "false" {
			t.Errorf("is_default = %s, want a JSON boolean", a.IsDefault)
		}
		if a.BaseURI != env.srv.URL {
			t.Errorf("base_uri = %q, want the emulator's own %q without /restapi", a.BaseURI, env.srv.URL)
		}
	}
	// Hooli is not listed: the sandbox user is not a member.
	if d := cmp.Diff([]string{AccountAcme, AccountGlobex, AccountInitech, AccountUmbrella}, ids); d != "" {
		t.Errorf("accounts (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{AccountAcme}, defaults); d != "" {
		t.Errorf("default accounts (-want +got):\n%s", d)
	}
	if info.Accounts[0].Organization == nil || info.Accounts[0].Organization.OrganizationID == "" {
		t.Errorf("Acme should carry its organization: %s", r.body)
	}

	bad := env.callAs("nope", "GET", "/oauth/userinfo", nil)
	if bad.status != http.StatusUnauthorized || bad.json(t)["error"] != "invalid_token" {
		t.Errorf("bad token: %d %s", bad.status, bad.body)
	}
}

func TestUserInfoBaseURIOption(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{BaseURI: "https://demo.example.net/"})
	r := env.call("GET", "/oauth/userinfo", nil)
	if !strings.Contains(string(r.body), `"base_uri":"https://demo.example.net"`) {
		t.Errorf("base_uri not taken from Options.BaseURI: %s", r.body)
	}
}
