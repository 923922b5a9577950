package emulator

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestNodeSDKConformance drives the emulator with DocuSign's official Node
// SDK (testdata/conformance/node). It needs node and `npm ci` in that
// directory; without them it skips, unless CONNECTSYNC_REQUIRE_NODE=1 (as in
// CI), when it fails instead.
func TestNodeSDKConformance(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "conformance", "node"))
	if err != nil {
		t.Fatal(err)
	}
	required := os.Getenv("CONNECTSYNC_REQUIRE_NODE") == "1"
	missing := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format+" (CONNECTSYNC_REQUIRE_NODE=1)", args...)
		}
		t.Skipf(format+"; set CONNECTSYNC_REQUIRE_NODE=1 to make this a failure", args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed: skipping the Node SDK conformance test")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "docusign-esign")); err != nil {
		missing("%s/node_modules is missing (run `npm ci` there): skipping the Node SDK conformance test", dir)
	}
	t.Parallel()

	tmp := t.TempDir()
	srv, err := StartTLS(Options{StatePath: filepath.Join(tmp, "sandbox.json"), SandboxKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	creds := srv.Emulator.SandboxCredentials()
	keyFile := filepath.Join(tmp, PrivateKeyFileName)
	certFile := filepath.Join(tmp, CertFileName)
	if err := os.WriteFile(keyFile, creds.PrivateKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, srv.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "conformance.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"DOCUSIGN_AUTH_SERVER="+srv.URL,
		"DOCUSIGN_INTEGRATION_KEY="+creds.IntegrationKey,
		"DOCUSIGN_USER_ID="+creds.UserID,
		"DOCUSIGN_PRIVATE_KEY_FILE="+keyFile,
		"NODE_EXTRA_CA_CERTS="+certFile,
		"CONFORMANCE_NO_CONSENT_USER_ID="+NoConsentUserID,
	)
	out, err := cmd.CombinedOutput()
	t.Logf("node conformance.js:\n%s", out)
	if err != nil {
		t.Fatalf("Node SDK conformance failed: %v", err)
	}
}
