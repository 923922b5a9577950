package emulator

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testKey (the sandbox key of most tests) and otherKey are RSA keys shared
// by the tests: generating a key per test would dominate the run time under -race.
var (
	testKey  = sync.OnceValue(generateTestKey)
	otherKey = sync.OnceValue(generateTestKey)
)

func generateTestKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEnv is an emulator behind an httptest server, with a token for the sandbox user.
type testEnv struct {
	t     *testing.T
	e     *Emulator
	srv   *httptest.Server
	token string
}

func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	if opts.SandboxKey == nil {
		opts.SandboxKey = testKey()
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	tok, err := e.IssueToken(SandboxUserID)
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	return &testEnv{t: t, e: e, srv: srv, token: tok}
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value, failing the test if it is not JSON.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// errorCode returns the errorCode of a REST error body.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	code, _ := r.json(t)["errorCode"].(string)
	return code
}

// call sends a request with the sandbox user's token. body may be nil, a
// string (sent as is) or a value (sent as JSON).
func (env *testEnv) call(method, path string, body any) response {
	env.t.Helper()
	return env.callAs(env.token, method, path, body)
}

func (env *testEnv) callAs(token, method, path string, body any) response {
	env.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			env.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, env.srv.URL+path, rd)
	if err != nil {
		env.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := env.srv.Client().Do(req)
	if err != nil {
		env.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		env.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// connect is the Connect path of an account.
func connect(accountID string) string { return "/restapi/v2.1/accounts/" + accountID + "/connect" }

// emptyAccountSeed is a seed with one account (AccountAcme's id), no
// configurations, the sandbox user as administrator and a few users.
func emptyAccountSeed() *Seed {
	return &Seed{Accounts: []SeedAccount{{AccountID: AccountAcme, Name: "Empty", GenerateUsers: 3}}}
}

// createConfig creates a configuration and returns its connectId.
func (env *testEnv) createConfig(accountID string, body any) string {
	env.t.Helper()
	r := env.call("POST", connect(accountID), body)
	if r.status != http.StatusCreated {
		env.t.Fatalf("create: status %d: %s", r.status, r.body)
	}
	id, _ := r.json(env.t)["connectId"].(string)
	return id
}

// readFixture loads a testdata JSON file.
func readFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// parseKeyForTest reads an RSA private key PEM.
func parseKeyForTest(pemBytes []byte) (*rsa.PrivateKey, error) {
	return jwt.ParseRSAPrivateKeyFromPEM(pemBytes)
}
