package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatePersistsAcrossRestarts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "sandbox.json")
	env := newEnv(t, Options{StatePath: path})
	id := env.createConfig(AccountAcme, map[string]any{
		"name": "persisted", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true, "password": "pw",
	})
	legacy := env.connectIDNamed(AccountAcme, "Legacy order webhook")
	if r := env.call("DELETE", connect(AccountAcme)+"/"+legacy, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d", r.status)
	}
	if err := env.e.EnsureAccount("7e6d5c4b-3a29-4817-9f6e-5d4c3b2a1908", "Created on first use"); err != nil {
		t.Fatal(err)
	}
	creds := env.e.SandboxCredentials()

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600: it holds secrets", info.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	// A new emulator on the same file sees everything; its seed is ignored.
	again := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed(), SandboxKey: otherKey()})
	if got := again.e.SandboxCredentials(); string(got.PrivateKeyPEM) != string(creds.PrivateKeyPEM) {
		t.Error("the sandbox key changed across a restart")
	}
	if n := countNamed(t, again.e, "persisted"); n != 1 {
		t.Errorf("%d configurations named persisted after reload", n)
	}
	if n := countNamed(t, again.e, "Legacy order webhook"); n != 0 {
		t.Error("a deleted configuration came back")
	}
	if pw, ok := again.e.StoredSecret(AccountAcme, id, SecretPassword); !ok || pw != "pw" {
		t.Errorf("password after reload: %q %v", pw, ok)
	}
	if r := again.call("GET", connect("7e6d5c4b-3a29-4817-9f6e-5d4c3b2a1908"), nil); r.status != http.StatusOK {
		t.Errorf("ensured account after reload: %d %s", r.status, r.body)
	}
	// connectIds keep counting up after a restart.
	if next := again.createConfig(AccountAcme, newConfigBody("next")); next <= id {
		t.Errorf("connectId %s after restart is not after %s", next, id)
	}
}

// TestStateFileIsValidJSONAfterEveryChange: after every answered change,
// what is on disk holds it: the state file (valid JSON) and its journal.
func TestStateFileIsValidJSONAfterEveryChange(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	env := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed()})
	for i := range 5 {
		env.createConfig(AccountAcme, newConfigBody("c"))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var st state
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("after change %d: %v", i, err)
		}
		if err := readJournal(journalPath(path), &st); err != nil {
			t.Fatalf("after change %d: %v", i, err)
		}
		if got := len(st.findAccount(AccountAcme).Configurations); got != i+1 {
			t.Errorf("after change %d the files hold %d configurations", i, got)
		}
	}
}

func TestFailedWriteRollsBack(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "sandbox.json")
	env := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed()})
	// With its directory gone, the state file cannot be written.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	r := env.call("POST", connect(AccountAcme), newConfigBody("lost"))
	if r.status != http.StatusInternalServerError || r.errorCode(t) != CodeUnspecifiedError {
		t.Errorf("got %d %s, want 500", r.status, r.body)
	}
	if n := countNamed(t, env.e, "lost"); n != 0 {
		t.Error("a change that could not be saved is still in memory")
	}
}

func TestCorruptStateFileIsAnError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	if err := os.WriteFile(path, []byte(`{"version":1,`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: path, SandboxKey: testKey()}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want one naming the file", err)
	}
}

func TestEnsureAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	tests := []struct {
		id      string
		wantErr bool
	}{
		{"8f3c1b9e-1111-4222-8333-944455556666", false},
		{"31415926", false},
		{"not-an-id", true},
	}
	for _, tt := range tests {
		err := env.e.EnsureAccount(tt.id, "")
		if (err != nil) != tt.wantErr {
			t.Errorf("EnsureAccount(%q) = %v", tt.id, err)
			continue
		}
		if tt.wantErr {
			continue
		}
		r := env.call("GET", connect(tt.id), nil)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.id, r.status, r.body)
		}
		kinds := map[string]int{}
		for _, c := range r.json(t)["configurations"].([]any) {
			c := c.(map[string]any)
			switch {
			case c["configurationType"] == "salesforce":
				kinds["salesforce"]++
			case c["integratorManaged"] == "true":
				kinds["integratorManaged"]++
			default:
				kinds["custom"]++
			}
		}
		if kinds["salesforce"] != 1 || kinds["integratorManaged"] != 1 || kinds["custom"] != 1 {
			t.Errorf("%s sample configurations: %v", tt.id, kinds)
		}
	}
	// An existing account is left alone, whatever the name.
	before, _ := env.e.Configurations(AccountAcme)
	if err := env.e.EnsureAccount(strings.ToUpper(AccountAcme), "Other name"); err != nil {
		t.Fatal(err)
	}
	if after, _ := env.e.Configurations(AccountAcme); len(after) != len(before) {
		t.Error("EnsureAccount changed an existing account")
	}
}

// TestWriteFileAtomic checks that a reader never sees a partly written state
// file while it is rewritten.
func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f.json")
	version := func(i int) []byte {
		b, _ := json.Marshal(map[string]any{"i": i, "pad": strings.Repeat("x", 64<<10)})
		return b
	}
	if err := writeFileAtomic(path, version(0), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	torn := make(chan string, 1)
	go func() {
		defer close(torn)
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(path)
			var v map[string]any
			if err != nil || json.Unmarshal(b, &v) != nil {
				torn <- fmt.Sprintf("read %d bytes, err %v", len(b), err)
				return
			}
		}
	}()
	for i := 1; i <= 50; i++ {
		if err := writeFileAtomic(path, version(i), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if msg, ok := <-torn; ok {
		t.Errorf("a reader saw a torn file: %s", msg)
	}
	if err := writeFileAtomic(filepath.Join(t.TempDir(), "missing", "f.json"), []byte("x"), 0o600); err == nil {
		t.Error("no error writing into a missing directory")
	}
}
