package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/emulator"
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

// applyEnv is a terminal-less or terminal Env over the emulator's variables.
func applyEnv(vars map[string]string, stdin io.Reader, out io.Writer, terminal bool) Env {
	return Env{
		Stdin: stdin, Stdout: out, Stderr: out, StdinIsTerminal: terminal,
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
}

func writeHooks(t *testing.T, dir string, names ...string) string {
	t.Helper()
	body := "version: 1\naccounts:\n  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }\nconfigurations:\n"
	if len(names) == 0 {
		body += "  []\n"
	}
	for _, n := range names {
		body += fmt.Sprintf("  - { name: %s, urlToPublishTo: \"https://hooks.example.com/%s\", allUsers: true, deliveryMode: SIM, eventData: { version: restv2.1 }, events: [envelope-sent], allowEnvelopePublish: true }\n", n, n)
	}
	file := filepath.Join(dir, "hooks.yaml")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// syncBuffer is a bytes.Buffer safe to read while a run writes to it.
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

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// Issue 11, item 4: with nothing to change, apply says so and exits 0, with
// no prompt, even without a terminal; with changes and no terminal it
// refuses only after showing the plan.
func TestApplyWithoutTerminal(t *testing.T) {
	dir := t.TempDir()
	_, vars := startEmulator(t, dir)
	file := writeHooks(t, dir)
	var out bytes.Buffer
	code := Run(context.Background(), []string{"connectsync", "apply", file}, applyEnv(vars, strings.NewReader(""), &out, false))
	if code != ExitOK || !strings.Contains(out.String(), "No changes") || strings.Contains(out.String(), "yes") || strings.Contains(out.String(), "error") {
		t.Fatalf("nothing to change: exit %d\n%s", code, out.String())
	}
	file = writeHooks(t, dir, "orders")
	out.Reset()
	code = Run(context.Background(), []string{"connectsync", "apply", file}, applyEnv(vars, strings.NewReader(""), &out, false))
	plan, refusal := strings.Index(out.String(), "+ create orders"), strings.Index(out.String(), "stdin is not a terminal")
	if code != ExitError || plan < 0 || refusal < plan {
		t.Fatalf("changes without a terminal: exit %d, want the plan then the refusal\n%s", code, out.String())
	}
}

// Issue 11, item 5: Ctrl-C at the prompt cancels at once: "Apply
// cancelled.", exit 1, nothing written; later typing is not read.
func TestApplyCtrlCAtPrompt(t *testing.T) {
	dir := t.TempDir()
	srv, vars := startEmulator(t, dir)
	file := writeHooks(t, dir, "orders")
	stdin, _ := io.Pipe() // nobody ever types
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- Run(ctx, []string{"connectsync", "apply", file}, applyEnv(vars, stdin, out, true)) }()
	waitFor(t, "the prompt", func() bool { return strings.Contains(out.String(), "Only 'yes' will be accepted") })
	srv.Emulator.ResetCalls()
	cancel()
	select {
	case code := <-done:
		if code != ExitError || !strings.Contains(out.String(), "Apply cancelled: nothing was changed.") {
			t.Fatalf("exit %d\n%s", code, out.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl-C at the prompt did not cancel")
	}
	if n := srv.Emulator.Calls(emulator.RouteCreateConfiguration); n != 0 {
		t.Fatalf("%d creates after Ctrl-C", n)
	}
}

// Issue 11, item 5: during the run, Ctrl-C lets the calls in flight finish
// and stops: the configurations being created are created, the rest not
// started, exit 1 and a report that says so. One at a time (--concurrency
// 1) that is one configuration; with writes side by side, as many as were
// in flight (issue 16).
func TestApplyCtrlCDuringRun(t *testing.T) {
	for _, inFlight := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d in flight", inFlight), func(t *testing.T) { ctrlCDuringRun(t, inFlight) })
	}
}

func ctrlCDuringRun(t *testing.T, inFlight int) {
	dir := t.TempDir()
	srv, vars := startEmulator(t, dir)
	file := writeHooks(t, dir, "a1", "a2", "a3")
	srv.Emulator.AddFault(emulator.FaultRule{Method: "POST", Path: "/restapi/v2.1/accounts/*/connect", Kind: emulator.FaultDelay, Delay: 300 * time.Millisecond, Times: -1})
	srv.Emulator.ResetCalls()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"connectsync", "apply", file, "--auto-approve", "--concurrency", fmt.Sprint(inFlight)}, applyEnv(vars, strings.NewReader(""), out, false))
	}()
	waitFor(t, "the first creates", func() bool { return srv.Emulator.Calls(emulator.RouteCreateConfiguration) == inFlight })
	cancel()
	code := <-done
	want := fmt.Sprintf("Apply interrupted: %d created, 0 updated, 0 deleted; %d not started.", inFlight, 3-inFlight)
	if code != ExitError || !strings.Contains(out.String(), "+ created a1") || !strings.Contains(out.String(), want) {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	list, err := srv.Emulator.Configurations("11111111-2222-4333-8444-555555555555")
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, c := range list {
		if strings.HasPrefix(c.Name, "a") && len(c.Name) == 2 {
			created++
		}
	}
	if created != inFlight || srv.Emulator.Calls(emulator.RouteCreateConfiguration) != inFlight {
		t.Fatalf("%d created, %d create calls; want the %d in flight only", created, srv.Emulator.Calls(emulator.RouteCreateConfiguration), inFlight)
	}
}

// Issue 15, item 2: a console edit made while apply waits for "yes" is
// never reverted: apply reads the account again after the answer and stops
// without writing when it changed.
func TestApplyConsoleEditWhileWaiting(t *testing.T) {
	dir := t.TempDir()
	srv, vars := startEmulator(t, dir)
	const acct = "11111111-2222-4333-8444-555555555555"
	file := writeHooks(t, dir, "orders")
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"connectsync", "apply", file, "--auto-approve"}, applyEnv(vars, strings.NewReader(""), &out, false)); code != ExitOK {
		t.Fatalf("setup: exit %d\n%s", code, out.String())
	}
	// The file now wants logging on; apply waits for "yes" …
	body, _ := os.ReadFile(file)
	os.WriteFile(file, bytes.Replace(body, []byte("allowEnvelopePublish: true }"), []byte("allowEnvelopePublish: true, enableLog: true }"), 1), 0o644)
	stdin, typed := io.Pipe()
	outb := &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- Run(context.Background(), []string{"connectsync", "apply", file}, applyEnv(vars, stdin, outb, true))
	}()
	waitFor(t, "the prompt", func() bool { return strings.Contains(outb.String(), "Only 'yes' will be accepted") })
	// … while an admin changes the listener URL in the console.
	consoleEdit(t, srv, acct, "orders", "https://hooks.example.com/edited-in-console")
	srv.Emulator.ResetCalls()
	io.WriteString(typed, "yes\n")
	code := <-done
	if code != ExitError || !strings.Contains(outb.String(), "account test changed while apply waited for confirmation") {
		t.Fatalf("exit %d\n%s", code, outb.String())
	}
	if n := srv.Emulator.Calls(emulator.RouteUpdateConfiguration); n != 0 {
		t.Fatalf("%d updates after the console edit", n)
	}
	list, _ := srv.Emulator.Configurations(acct)
	for _, c := range list {
		if c.Name == "orders" && c.URLToPublishTo != "https://hooks.example.com/edited-in-console" {
			t.Fatalf("the console edit was reverted: %s", c.URLToPublishTo)
		}
	}
}

// consoleEdit changes a configuration's URL through the API, as an admin
// in DocuSign's console would.
func consoleEdit(t *testing.T, srv *emulator.Server, accountID, name, url string) {
	t.Helper()
	tok, err := srv.Emulator.IssueToken(emulator.SandboxUserID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := docusign.New(docusign.Options{Auth: docusign.StaticToken(tok), BaseURI: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListConfigurations(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range list {
		if cfg.Name == name {
			cfg.URLToPublishTo = url
			if _, err := c.UpdateConfiguration(context.Background(), accountID, cfg); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no configuration %q", name)
}
