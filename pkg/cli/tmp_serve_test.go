package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/emulator"
)

func TestTmpServe1000(t *testing.T) {
	if os.Getenv("TMPSERVE") == "" {
		t.Skip()
	}
	dir := "/tmp/perf/serve1000"
	os.MkdirAll(dir, 0o755)
	hooks, seed := scaleFixture(t, dir, 1000)
	srv, err := emulator.Start(emulator.Options{Seed: seed, SandboxKey: sandboxKey(), Limits: emulator.Limits{Hourly: 1 << 30, Burst: 1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	creds := srv.Emulator.SandboxCredentials()
	key := filepath.Join(dir, "key.pem")
	os.WriteFile(key, creds.PrivateKeyPEM, 0o600)
	env := fmt.Sprintf("export DOCUSIGN_AUTH_SERVER=%s DOCUSIGN_BASE_URI=%s DOCUSIGN_INTEGRATION_KEY=%s DOCUSIGN_USER_ID=%s DOCUSIGN_PRIVATE_KEY_FILE=%s HOOKS=%s\n", srv.URL, srv.URL, creds.IntegrationKey, creds.UserID, key, hooks)
	os.WriteFile(filepath.Join(dir, "env.sh"), []byte(env), 0o644)
	time.Sleep(time.Hour)
}
