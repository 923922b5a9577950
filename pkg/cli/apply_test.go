package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyAsksForYes drives apply as on a terminal: anything but "yes"
// cancels without a change (exit 1); "yes" applies. Exit codes of plan's
// --detailed-exitcode are checked on the way.
func TestApplyAsksForYes(t *testing.T) {
	dir := t.TempDir()
	_, vars := startEmulator(t, dir)
	file := filepath.Join(dir, "hooks.yaml")
	if err := os.WriteFile(file, []byte(`version: 1
accounts:
  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }
configurations:
  - { name: asked, urlToPublishTo: "https://hooks.example.com/a", allUsers: true, deliveryMode: SIM, eventData: { version: restv2.1 }, events: [envelope-sent], allowEnvelopePublish: true }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) (int, string) {
		var out bytes.Buffer
		env := Env{
			Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &out, StdinIsTerminal: true,
			LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		}
		return Run(context.Background(), append([]string{"connectsync"}, args...), env), out.String()
	}
	if code, out := run("", "plan", "-f", file, "--detailed-exitcode"); code != ExitChanges {
		t.Fatalf("plan with changes: exit %d, want 2\n%s", code, out)
	}
	for _, answer := range []string{"no\n", "y\n", "YES please\n", ""} {
		code, out := run(answer, "apply", "-f", file)
		if code != ExitError || !strings.Contains(out, "Only 'yes' will be accepted") || !strings.Contains(out, "Apply cancelled: nothing was changed.") {
			t.Fatalf("answer %q: exit %d\n%s", answer, code, out)
		}
	}
	if code, out := run("", "plan", "-f", file, "--detailed-exitcode"); code != ExitChanges {
		t.Fatalf("a cancelled apply changed something: exit %d\n%s", code, out)
	}
	if code, out := run("yes\n", "apply", "-f", file); code != ExitOK || !strings.Contains(out, "Apply complete: 1 created") {
		t.Fatalf("yes: exit %d\n%s", code, out)
	}
	if code, out := run("", "plan", "-f", file, "--detailed-exitcode"); code != ExitOK {
		t.Fatalf("plan after apply: exit %d, want 0\n%s", code, out)
	}
}
