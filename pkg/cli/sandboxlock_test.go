package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/emulator"
	"github.com/connectsync/connectsync/pkg/lockfile"
)

// TestParallelSandboxRunsShareTheState (issue 11, item 13): applies with
// --sandbox started together on one state file each create their
// configurations; afterwards every one of them is there, once, and no
// connectId was handed out twice. Without the lock each run read the state,
// wrote its own back and lost the others' creates.
func TestParallelSandboxRunsShareTheState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "sandbox", "state.json")
	type run struct{ alias, account, prefix string }
	runs := []run{
		{"a1", "11111111-0000-4000-8000-000000000001", "p"},
		{"a2", "11111111-0000-4000-8000-000000000002", "q"},
		{"a3", "11111111-0000-4000-8000-000000000003", "r"},
		{"a1", "11111111-0000-4000-8000-000000000001", "s"}, // the same account as the first
	}
	var files []string
	for i, r := range runs {
		var b strings.Builder
		fmt.Fprintf(&b, "version: 1\naccounts:\n  - { alias: %s, accountId: %s }\n", r.alias, r.account)
		b.WriteString("defaults: { allUsers: true, deliveryMode: SIM, eventData: { version: restv2.1 }, events: [envelope-sent], allowEnvelopePublish: true }\nconfigurations:\n")
		for j := range 4 {
			fmt.Fprintf(&b, "  - { name: %s%d, urlToPublishTo: \"https://hooks.example.com/%s%d\" }\n", r.prefix, j, r.prefix, j)
		}
		f := filepath.Join(dir, fmt.Sprintf("f%d.yaml", i))
		if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	env := append(os.Environ(), "CONNECTSYNC_STATE_DIR="+filepath.Join(dir, "apply-state"), "NO_COLOR=1",
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	var wg sync.WaitGroup
	outs := make([]string, len(files))
	for i, f := range files {
		wg.Go(func() {
			cmd := exec.Command("connectsync", "apply", "--sandbox", "--sandbox-state", state, "--auto-approve", "-f", f)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			outs[i] = string(out)
			if err != nil {
				t.Errorf("run %d: %v\n%s", i, err, out)
			}
		})
	}
	wg.Wait()
	e, err := emulator.New(emulator.Options{StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range runs {
		list, err := e.Configurations(r.account)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, c := range list {
			count[c.Name]++
			if other, dup := ids[c.ConnectID]; dup && other != r.account+"/"+c.Name {
				t.Errorf("connectId %s is both %s and %s/%s", c.ConnectID, other, r.account, c.Name)
			}
			ids[c.ConnectID] = r.account + "/" + c.Name
		}
		for j := range 4 {
			if n := count[fmt.Sprintf("%s%d", r.prefix, j)]; n != 1 {
				t.Errorf("account %s holds %d configurations named %s%d, want 1", r.alias, n, r.prefix, j)
			}
		}
	}
	if !strings.Contains(strings.Join(outs, ""), "Waiting for the sandbox state") && testing.Verbose() {
		t.Log("no run had to wait (they did not overlap)")
	}
}

// TestSandboxLockTimeout: a run that finds the state held by a sandbox
// server waits up to --sandbox-lock-timeout, saying whom it waits for, then
// fails naming the server and how to use it instead.
func TestSandboxLockTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, "sandbox.json")
	holder := lockfile.Me("connectsync sandbox serve")
	holder.URL = "http://127.0.0.1:8085"
	l, err := lockfile.Acquire(context.Background(), state+".lock", holder, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if err := l.Update(holder); err != nil {
		t.Fatal(err)
	}
	file := writeHooks(t, dir, "x")
	start := time.Now()
	code, out := runCLI(map[string]string{"CONNECTSYNC_STATE_DIR": dir}, "plan", "--sandbox", "--sandbox-state", state, "--sandbox-lock-timeout", "300ms", "-f", file)
	if code != ExitError || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("exit %d after %s\n%s", code, time.Since(start), out)
	}
	for _, want := range []string{
		"Waiting for the sandbox state " + state + ": pid " + fmt.Sprint(os.Getpid()),
		"the sandbox state " + state + " is in use by pid",
		"sandbox server at http://127.0.0.1:8085",
		"DOCUSIGN_BASE_URI=http://127.0.0.1:8085",
		"another --sandbox-state",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
