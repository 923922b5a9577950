package emulator

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:8085", ":8085", "192.0.2.10:8085", "[::]:8085", "example.com:8085", "nonsense"} {
		err := Serve(context.Background(), ServeConfig{Addr: addr, StatePath: filepath.Join(t.TempDir(), "s.json")}, io.Discard)
		if err == nil {
			t.Errorf("Serve(%q) listened", addr)
		}
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	statePath := filepath.Join(dir, "sandbox.json")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeConfig{Addr: "127.0.0.1:0", StatePath: statePath, TLS: true, Options: Options{SandboxKey: testKey()}}, pw)
		pw.Close()
	}()

	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Stop with") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	text := out.String()
	var base string
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "  export DOCUSIGN_BASE_URI="); ok {
			base = v
		}
	}
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("no DOCUSIGN_BASE_URI in the output:\n%s", text)
	}
	keyFile := filepath.Join(dir, PrivateKeyFileName)
	certFile := filepath.Join(dir, CertFileName)
	for _, want := range []string{
		"DOCUSIGN_AUTH_SERVER=" + base, "DOCUSIGN_INTEGRATION_KEY=" + SandboxIntegrationKey, "DOCUSIGN_USER_ID=" + SandboxUserID,
		"DOCUSIGN_PRIVATE_KEY_FILE=" + keyFile, "NODE_EXTRA_CA_CERTS=" + certFile, AccountAcme, AccountInitech, "requestJWTUserToken",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "PRIVATE KEY-----") {
		t.Error("the private key was printed")
	}
	info, err := os.Stat(keyFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", info, err)
	}

	// A client trusting the printed certificate gets a token with the key file.
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	keyPEM, _ := os.ReadFile(keyFile)
	key, err := parseKeyForTest(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.PostForm(base+"/oauth/token", jwtForm(assertion(t, key, strings.TrimPrefix(base, "https://"), time.Now(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("token over TLS: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop after cancel")
	}
	if _, err := client.Get(base + "/oauth/userinfo"); err == nil {
		t.Error("still serving after cancel")
	}
}

func TestStartTLSBaseURI(t *testing.T) {
	t.Parallel()
	srv, err := StartTLS(Options{SandboxKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CertPEM) {
		t.Fatal("CertPEM is not a PEM certificate")
	}
	tok, _ := srv.Emulator.IssueToken(SandboxUserID)
	req, _ := http.NewRequest("GET", srv.URL+"/oauth/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"base_uri":"`+srv.URL+`"`) || !strings.HasPrefix(srv.URL, "https://") {
		t.Errorf("base_uri should be the https URL %s: %s", srv.URL, body)
	}
}

func TestStartAndClose(t *testing.T) {
	t.Parallel()
	srv, err := Start(Options{SandboxKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || srv.CertPEM != nil {
		t.Errorf("URL %s", srv.URL)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestCredentialsDoNotPrintTheKey(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SandboxKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	c := e.SandboxCredentials()
	for _, s := range []string{c.String(), c.GoString()} {
		if strings.Contains(s, "PRIVATE") || !strings.Contains(s, c.IntegrationKey) {
			t.Errorf("%q", s)
		}
	}
	if _, err := parseKeyForTest(c.PrivateKeyPEM); err != nil {
		t.Errorf("PrivateKeyPEM: %v", err)
	}
}
