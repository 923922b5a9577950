package docusign

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	// baseURLPath prefixes every route of the test server, as go-github does,
	// so that a request built from an absolute path misses the mux and fails.
	baseURLPath = "/api-prefix"
	testAccount = "96bfbc88-de80-40a4-9fb7-f047e656eaaf" // the account of the recordings
	testToken   = "t0ken-for-tests-only"
	connectURL  = "/restapi/v2.1/accounts/" + testAccount + "/connect"
)

var testStart = time.Date(2026, 6, 24, 12, 30, 0, 0, time.UTC)

// fakeClock is Options.Now and Options.Sleep: sleeping moves the time on at
// once, so tests of waits take no real time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.sleeps = append(f.sleeps, d)
	return nil
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeClock) Slept() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var total time.Duration
	for _, d := range f.sleeps {
		total += d
	}
	return total
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a trace.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is what setup returns.
type testServer struct {
	client *Client
	mux    *http.ServeMux // routes without baseURLPath
	url    string         // server URL with baseURLPath: the base URI and auth server
	clock  *fakeClock
	trace  *syncBuffer
	opts   Options
}

// setup starts a test server and a client pointed at it (BaseURI and
// AuthServer both at url), with a static token, the fake clock and the debug
// trace on. modify changes the options before New. When the test ends it
// checks that the trace never shows the token.
func setup(t *testing.T, modify ...func(*Options)) *testServer {
	t.Helper()
	mux := http.NewServeMux()
	handler := http.NewServeMux()
	handler.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, mux))
	handler.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside %s (an absolute path?): %s %s", baseURLPath, r.Method, r.URL)
		http.Error(w, "outside the base path", http.StatusBadGateway)
	})
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)

	ts := &testServer{mux: mux, url: server.URL + baseURLPath, clock: &fakeClock{now: testStart}, trace: &syncBuffer{}}
	ts.opts = Options{
		HTTPClient: server.Client(),
		Auth:       StaticToken(testToken),
		AuthServer: ts.url,
		BaseURI:    ts.url,
		Debug:      ts.trace,
		Now:        ts.clock.Now,
		Sleep:      ts.clock.Sleep,
	}
	for _, m := range modify {
		m(&ts.opts)
	}
	c, err := New(ts.opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts.client = c
	t.Cleanup(func() {
		if strings.Contains(ts.trace.String(), testToken) {
			t.Errorf("the debug trace shows the access token:\n%s", ts.trace)
		}
	})
	return ts
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if got := r.Method; got != want {
		t.Errorf("request method: %v, want %v", got, want)
	}
}

func testHeader(t *testing.T, r *http.Request, header, want string) {
	t.Helper()
	if got := r.Header.Get(header); got != want {
		t.Errorf("header %s: %q, want %q", header, got, want)
	}
}

// testJSONBody checks that the request body is the JSON want, compared as
// values (key order and spacing do not matter).
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	data, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var got, wantV any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("request body is not JSON: %v: %s", err, data)
	}
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	if diff := cmp.Diff(wantV, got); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
}

func testFormValues(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	if err := r.ParseForm(); err != nil {
		t.Fatalf("parse form: %v", err)
	}
	for k, v := range want {
		if diff := cmp.Diff(v, r.PostForm[k]); diff != "" {
			t.Errorf("form value %s (-want +got):\n%s", k, diff)
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// serveFile answers with a recorded body, as DocuSign sends it.
func serveFile(t *testing.T, w http.ResponseWriter, status int, name string) {
	t.Helper()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(readTestdata(t, name))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// writeError answers with DocuSign's errorDetails body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, fmt.Sprintf(`{"errorCode":%q,"message":%q}`, code, message))
}

// dropConnection closes the connection without an answer: a lost response.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Fatalf("hijack: %v", err)
	}
	conn.Close()
}

// serveUserInfo answers /oauth/userinfo with the accounts given, each at base.
func serveUserInfo(mux *http.ServeMux, calls *atomic.Int32, base string, accounts ...string) {
	mux.HandleFunc("GET /oauth/userinfo", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var list []string
		for i, id := range accounts {
			list = append(list, fmt.Sprintf(`{"account_id":%q,"is_default":%t,"account_name":"Account %d","base_uri":%q}`, id, i == 0, i, base))
		}
		writeJSON(w, http.StatusOK, `{"sub":"4799e5e9-1559-4915-9862-cf4713bbcacc","name":"Susan Smart","email":"s@example.com","accounts":[`+strings.Join(list, ",")+`]}`)
	})
}

func TestNewRequestHeaders(t *testing.T) {
	t.Parallel()
	ts := setup(t, func(o *Options) { o.UserAgent = "connectsync/test" })
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		testHeader(t, r, "Authorization", "Bearer "+testToken)
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "User-Agent", "connectsync/test")
		testHeader(t, r, "Content-Type", "application/json")
		writeJSON(w, http.StatusCreated, `{"connectId":"1"}`)
	})
	if _, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{Name: "n"}); err != nil {
		t.Fatal(err)
	}
}

func TestNewRequestRefusesBadInput(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	})
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"no account":            func() error { _, err := ts.client.ListConfigurations(ctx, ""); return err },
		"get without connectId": func() error { _, err := ts.client.GetConfiguration(ctx, testAccount, ""); return err },
		"update without id": func() error {
			_, err := ts.client.UpdateConfiguration(ctx, testAccount, Configuration{Name: "x"})
			return err
		},
		"delete without id":      func() error { return ts.client.DeleteConfiguration(ctx, testAccount, "") },
		"users without id":       func() error { _, err := ts.client.ListUsers(ctx, testAccount, ""); return err },
		"absolute internal path": func() error { return ts.client.call(ctx, http.MethodGet, testAccount, "/connect", nil, nil) },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	tests := map[string]struct {
		opts Options
		want string
	}{
		"no auth":                  {Options{BaseURI: "https://demo.docusign.net"}, "Options.Auth is nil"},
		"http base URI":            {Options{Auth: StaticToken("x"), BaseURI: "http://demo.docusign.net"}, "plain http is allowed only to loopback"},
		"http auth server":         {Options{Auth: StaticToken("x"), AuthServer: "http://account-d.docusign.com"}, "plain http"},
		"http account base URI":    {Options{Auth: StaticToken("x"), AccountBaseURIs: map[string]string{"a": "http://10.0.0.1:80"}}, "base URI of account a"},
		"http on a lookalike host": {Options{Auth: StaticToken("x"), BaseURI: "http://127.0.0.1.example.com"}, "plain http"},
		"ftp":                      {Options{Auth: StaticToken("x"), BaseURI: "ftp://demo.docusign.net"}, "want an https:// URL"},
		"query in base URI":        {Options{Auth: StaticToken("x"), BaseURI: "https://demo.docusign.net/?a=b"}, "no query"},
		"insecure TLS":             {Options{Auth: StaticToken("x"), HTTPClient: insecure}, "InsecureSkipVerify"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewAcceptsLoopbackHTTP(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://127.0.0.1:8085", "http://127.3.4.5", "http://[::1]:9000", "http://localhost:1", "https://demo.docusign.net", "https://na3.docusign.net/restapi"} {
		if _, err := New(Options{Auth: StaticToken("x"), BaseURI: u, AuthServer: u}); err != nil {
			t.Errorf("New with %s: %v", u, err)
		}
	}
}

func TestNormalizeBaseURI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://demo.docusign.net":               "https://demo.docusign.net",
		"https://demo.docusign.net/":              "https://demo.docusign.net",
		"https://demo.docusign.net/restapi":       "https://demo.docusign.net",
		"https://demo.docusign.net/restapi/v2.1/": "https://demo.docusign.net",
		" http://127.0.0.1:8085/prefix ":          "http://127.0.0.1:8085/prefix",
	} {
		got, err := normalizeBaseURI(in)
		if err != nil || got != want {
			t.Errorf("normalizeBaseURI(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"account-d.docusign.com":        "https://account-d.docusign.com",
		"https://account.docusign.com/": "https://account.docusign.com",
		"http://127.0.0.1:8085":         "http://127.0.0.1:8085",
	} {
		got, err := NormalizeAuthServer(in)
		if err != nil || got != want {
			t.Errorf("NormalizeAuthServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestBaseURIOrder(t *testing.T) {
	t.Parallel()
	const other = "a4ec37d6-04a4-4f2c-a7a4-5cd0e4c8b9d1"
	var hits sync.Map
	ts := setup(t)
	for _, prefix := range []string{"/override", "/file", "/userinfo"} {
		ts.mux.HandleFunc(prefix+"/restapi/v2.1/accounts/{account}/connect", func(w http.ResponseWriter, r *http.Request) {
			hits.Store(r.PathValue("account"), prefix)
			serveFile(t, w, http.StatusOK, "connect-list.json")
		})
	}
	var userinfoCalls atomic.Int32
	serveUserInfo(ts.mux, &userinfoCalls, ts.url+"/userinfo", testAccount, other)

	newClient := func(o Options) *Client {
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	o := ts.opts
	o.BaseURI = ""
	o.AccountBaseURIs = map[string]string{strings.ToUpper(testAccount): ts.url + "/file/restapi"}
	c := newClient(o)
	for _, id := range []string{testAccount, other} {
		if _, err := c.ListConfigurations(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := hits.Load(testAccount); got != "/file" {
		t.Errorf("account with a file base URI went to %v, want /file", got)
	}
	if got, _ := hits.Load(other); got != "/userinfo" {
		t.Errorf("account without a file base URI went to %v, want /userinfo", got)
	}

	o.BaseURI = ts.url + "/override"
	c = newClient(o)
	for _, id := range []string{testAccount, other} {
		if _, err := c.ListConfigurations(ctx, id); err != nil {
			t.Fatal(err)
		}
		if got, _ := hits.Load(id); got != "/override" {
			t.Errorf("with BaseURI, account %s went to %v, want /override", id, got)
		}
	}
	if n := userinfoCalls.Load(); n != 1 {
		t.Errorf("userinfo called %d times, want 1", n)
	}
}

func TestUserInfoFetchedOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	const other = "a4ec37d6-04a4-4f2c-a7a4-5cd0e4c8b9d1"
	var calls atomic.Int32
	ts := setup(t, func(o *Options) { o.BaseURI = "" })
	release := make(chan struct{})
	ts.mux.HandleFunc("GET /oauth/userinfo", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testHeader(t, r, "Authorization", "Bearer "+testToken)
		<-release // hold the answer so that every caller is waiting on it
		body := strings.ReplaceAll(string(readTestdata(t, "userinfo.json")), "https://demo.docusign.net", ts.url)
		writeJSON(w, http.StatusOK, body)
	})
	ts.mux.HandleFunc("GET /restapi/v2.1/accounts/{account}/connect", func(w http.ResponseWriter, r *http.Request) {
		serveFile(t, w, http.StatusOK, "connect-list.json")
	})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		id := testAccount
		if i%2 == 1 {
			id = other
		}
		wg.Go(func() {
			_, err := ts.client.ListConfigurations(context.Background(), id)
			errs <- err
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("userinfo called %d times, want 1", n)
	}
	info, err := ts.client.UserInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Accounts) != 2 || !bool(info.Accounts[0].IsDefault) || info.Email != "susan.smart@example.com" {
		t.Errorf("UserInfo = %+v", info)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("userinfo called %d times after UserInfo, want 1 (cached)", n)
	}
}

func TestUnknownAccount(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ts := setup(t, func(o *Options) { o.BaseURI = "" })
	serveUserInfo(ts.mux, &calls, ts.url, testAccount)
	for _, id := range []string{"0f0f0f0f-0000-0000-0000-000000000000", "12345678"} {
		_, err := ts.client.ListConfigurations(context.Background(), id)
		var unknown *UnknownAccountError
		if !errors.As(err, &unknown) {
			t.Fatalf("err = %v, want *UnknownAccountError", err)
		}
		msg := err.Error()
		for _, want := range []string{"the credentials don't reach account " + id, "accounts they reach: " + testAccount + ` ("Account 0")`} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not contain %q", msg, want)
			}
		}
		if numeric := id == "12345678"; numeric != strings.Contains(msg, "use the GUID") {
			t.Errorf("GUID hint for %s: %q", id, msg)
		}
	}
}

func TestUserInfoPlainHTTPBaseURIRefused(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ts := setup(t, func(o *Options) { o.BaseURI = "" })
	serveUserInfo(ts.mux, &calls, "http://demo.docusign.net", testAccount)
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if err == nil || !strings.Contains(err.Error(), "plain http is allowed only to loopback") {
		t.Errorf("err = %v, want a refusal of plain http", err)
	}
}

func TestNoBaseURIAtAll(t *testing.T) {
	t.Parallel()
	c, err := New(Options{Auth: StaticToken("x")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListConfigurations(context.Background(), testAccount)
	if err == nil || !strings.Contains(err.Error(), "DOCUSIGN_BASE_URI") {
		t.Errorf("err = %v, want advice naming DOCUSIGN_BASE_URI", err)
	}
}

func TestRedirectToPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://demo.docusign.net/restapi", http.StatusFound)
	})
	_, err := ts.client.ListConfigurations(context.Background(), testAccount)
	var re *RedirectError
	if !errors.As(err, &re) || re.Location != "http://demo.docusign.net/restapi" {
		t.Errorf("err = %v, want the redirect to http://demo.docusign.net/restapi refused", err)
	}
}
