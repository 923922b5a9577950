package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile files (issue 15, item 8): a file set is read only as regular
// files inside the tree it names, up to a size, with every problem kept
// short, and loading stops when the run is cancelled.

// TestSymlinkOutOfTheDirectoryIsRefused: a symlink in a config directory
// that points out of it is not followed, and the target's content (here a
// private key) never reaches an error or annotation.
func TestSymlinkOutOfTheDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	secret := filepath.Join(root, "key.pem")
	os.WriteFile(secret, []byte("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBc2VjcmV0LWtleS1tYXRlcmlhbA\n-----END EC PRIVATE KEY-----\n"), 0o600)
	dir := filepath.Join(root, "hooks")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(header+good), 0o644)
	if err := os.Symlink(secret, filepath.Join(dir, "b.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, ds := Load([]string{dir}, LoadOptions{LookupEnv: testEnv})
	out := ds.Error()
	if !ds.HasErrors() || !strings.Contains(out, "b.yaml: is a symlink to a file outside") || strings.Contains(out, "MHcCAQEE") {
		t.Fatalf("got:\n%s", out)
	}
	// A symlink that stays inside the tree is fine.
	os.Remove(filepath.Join(dir, "b.yaml"))
	os.Mkdir(filepath.Join(dir, "shared"), 0o755)
	os.WriteFile(filepath.Join(dir, "shared", "more.yaml.txt"), []byte("version: 1\n"), 0o644)
	os.Symlink(filepath.Join("shared", "more.yaml.txt"), filepath.Join(dir, "b.yaml"))
	if _, ds := Load([]string{dir}, LoadOptions{LookupEnv: testEnv}); ds.HasErrors() {
		t.Fatalf("a symlink inside the tree: %s", ds.Error())
	}
}

// TestFileContentIsNotQuoted: a file that is not YAML of ours (a private key
// passed by mistake) is refused without quoting it.
func TestFileContentIsNotQuoted(t *testing.T) {
	t.Parallel()
	_, got := load(t, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBc2VjcmV0LWtleS1tYXRlcmlhbA\n-----END EC PRIVATE KEY-----\n")
	if len(got) != 1 || strings.Contains(strings.Join(got, "\n"), "MHcCAQEE") || !strings.Contains(got[0], "not a mapping") {
		t.Fatalf("got %q", got)
	}
	_, got = load(t, header+good+"    userName: \"line one\\nMHcCAQEEIBc2VjcmV0\"\n    soapNamespace: [x]\n    urlToPublishTo: 7\n")
	if strings.Contains(strings.Join(got, "\n"), "MHcCAQEE") {
		t.Fatalf("a value's second line was quoted: %q", got)
	}
}

// TestFIFOIsRefusedNotRead: a FIFO (or a device such as /dev/zero) among
// the files is refused at once instead of hanging or filling memory.
func TestFIFOIsRefusedNotRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan Diagnostics, 1)
	go func() {
		_, ds := Load([]string{dir}, LoadOptions{LookupEnv: testEnv})
		done <- ds
	}()
	select {
	case ds := <-done:
		if !strings.Contains(ds.Error(), "pipe.yaml: is not a regular file") {
			t.Fatalf("got:\n%s", ds.Error())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("loading a directory with a FIFO hangs")
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, ds := Load([]string{"/dev/zero"}, LoadOptions{LookupEnv: testEnv})
		if !strings.Contains(ds.Error(), "/dev/zero: is not a regular file") {
			t.Fatalf("/dev/zero: %s", ds.Error())
		}
	}
}

// TestFileSizeCap: a file larger than the cap is refused by its size, not
// read (the default is 16 MB).
func TestFileSizeCap(t *testing.T) {
	t.Parallel()
	p := writeFile(t, t.TempDir(), "big.yaml", header+good+"# "+strings.Repeat("x", 4096)+"\n")
	_, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv, MaxFileSize: 1024})
	if !strings.Contains(ds.Error(), "is larger than 1024 bytes") {
		t.Fatalf("got:\n%s", ds.Error())
	}
	if _, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv}); ds.HasErrors() {
		t.Fatalf("under the default cap: %s", ds.Error())
	}
}

// TestDiagnosticsAreCapped: a file with thousands of mistakes reports the
// first ones and how many more there are, not megabytes of lines.
func TestDiagnosticsAreCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < MaxDiagnostics+500; i++ {
		b.WriteString("  - name: c" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "\n    nope: 1\n")
	}
	_, ds := Load([]string{writeFile(t, t.TempDir(), "c.yaml", b.String())}, LoadOptions{LookupEnv: testEnv})
	last := ds[len(ds)-1]
	if len(ds) != MaxDiagnostics+1 || !strings.Contains(last.Message, "more problems are not shown") {
		t.Fatalf("%d diagnostics, last %q", len(ds), last.Message)
	}
}

// TestLoadHonoursCancellation: a cancelled run stops loading.
func TestLoadHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := writeFile(t, t.TempDir(), "c.yaml", header+good)
	_, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv, Context: ctx})
	if !strings.Contains(ds.Error(), "interrupted") {
		t.Fatalf("got:\n%s", ds.Error())
	}
}

// TestSecretVariableInAPlainField: the variable that holds a secret may not
// also fill a plain field, which plans and pull-request comments print
// (issue 15, item 5), directly or through an account var.
func TestSecretVariableInAPlainField(t *testing.T) {
	t.Parallel()
	body := header + strings.Replace(good, "https://hooks.acme.com/x", "https://hooks.acme.com/${env.LISTENER_PASSWORD}", 1) +
		"    password: ${env.LISTENER_PASSWORD}\n"
	_, got := load(t, body)
	if len(got) != 1 || !strings.Contains(got[0], "8:21 error: ${env.LISTENER_PASSWORD} is the secret of configurations[0].password (") ||
		!strings.Contains(got[0], "plans and pull-request comments print urlToPublishTo") {
		t.Fatalf("got %q", got)
	}
	viaVar := strings.Replace(header, "vars: { hooks: https://hooks.acme.com }", "vars: { hooks: \"https://${env.LISTENER_PASSWORD}.acme.com\" }", 1) +
		strings.Replace(good, "https://hooks.acme.com/x", "${var.hooks}/x", 1) + "    password: ${env.LISTENER_PASSWORD}\n"
	_, got = load(t, viaVar)
	if len(got) != 1 || !strings.Contains(got[0], "error: ${env.LISTENER_PASSWORD} is the secret of configurations[0].password") {
		t.Fatalf("through a var: got %q", got)
	}
}

// TestDirectoryReadsYAMLInAnyLetterCase: a directory's Orders.YAML is one
// of its config files, as orders.yaml is. Skipped without a word, its
// configurations would be missing from the plan, and --prune would delete
// their live twins.
func TestDirectoryReadsYAMLInAnyLetterCase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(header+good), 0o644)
	os.WriteFile(filepath.Join(dir, "B.YAML"), []byte("version: 1\nconfigurations:\n"+strings.Replace(good, "orders", "billing", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "c.Yml"), []byte("version: 1\nconfigurations:\n"+strings.Replace(good, "orders", "returns", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a config file"), 0o644)
	d, ds := Load([]string{dir}, LoadOptions{LookupEnv: testEnv})
	if ds.HasErrors() {
		t.Fatal(ds.Error())
	}
	var names []string
	for _, c := range d.Configurations {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "billing,orders,returns" || len(d.Files) != 3 {
		t.Errorf("read %q from %q, want billing, orders and returns from the three YAML files", names, d.Files)
	}
}
