package emulator

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestJournalTornLastRecordIsIgnored: a crash while a record was being
// appended leaves it cut short; loading ignores it (it was never answered)
// and keeps every whole record before it.
func TestJournalTornLastRecordIsIgnored(t *testing.T) {
	t.Parallel()
	for name, tail := range map[string]string{
		"cut short":         `1c2d3e4f {"seq":99,"account":"`,
		"checksum mismatch": "00000000 {\"seq\":99,\"account\":\"" + AccountAcme + "\",\"delete\":\"1\",\"nextConnectId\":1}\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "sandbox.json")
			env := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed()})
			var ids []string
			for range 3 {
				ids = append(ids, env.createConfig(AccountAcme, newConfigBody("kept")))
			}
			appendTo(t, journalPath(path), tail)
			again := newEnv(t, Options{StatePath: path})
			if n := countNamed(t, again.e, "kept"); n != 3 {
				t.Errorf("%d configurations after the reload, want the 3 whole records", n)
			}
			if next := again.createConfig(AccountAcme, newConfigBody("next")); next <= ids[2] {
				t.Errorf("connectId %s after the reload is not after %s", next, ids[2])
			}
		})
	}
}

// TestJournalDamagedInTheMiddleIsAnError: a bad record followed by others
// is not a crash's torn tail: loading refuses, naming the journal.
func TestJournalDamagedInTheMiddleIsAnError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	env := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed()})
	env.createConfig(AccountAcme, newConfigBody("a"))
	data, err := os.ReadFile(journalPath(path))
	if err != nil {
		t.Fatal(err)
	}
	damaged := strings.Replace(string(data), `"name":"a"`, `"name":"b"`, 1) // the checksum no longer matches
	if err := os.WriteFile(journalPath(path), []byte(damaged+string(data)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: path, SandboxKey: testKey()}); err == nil || !strings.Contains(err.Error(), journalPath(path)) {
		t.Errorf("err = %v, want one naming the journal", err)
	}
}

// TestJournalConcurrentWritesAllLand: writes from many clients at once
// (fsynced together) are all on disk once answered, with distinct ids;
// snapshots taken meanwhile (every few records here) lose nothing; a
// record replayed over a snapshot that holds it changes nothing.
func TestJournalConcurrentWritesAllLand(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	env := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed()})
	env.e.journal.compactAt = 7
	var mu sync.Mutex
	ids := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				r := env.call("POST", connect(AccountAcme), newConfigBody(fmt.Sprintf("w%d-%d", w, i)))
				if r.status != http.StatusCreated {
					t.Errorf("create: %d %s", r.status, r.body)
					return
				}
				mu.Lock()
				ids[r.json(t)["connectId"].(string)] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(ids) != 80 {
		t.Fatalf("%d distinct connectIds for 80 creates", len(ids))
	}
	journal, _ := os.ReadFile(journalPath(path))
	again := newEnv(t, Options{StatePath: path})
	list, _ := again.e.Configurations(AccountAcme)
	found := 0
	for _, c := range list {
		if ids[c.ConnectID] {
			found++
		}
	}
	if found != 80 || len(list) != 80 {
		t.Errorf("after the reload %d of the 80 created, %d in all", found, len(list))
	}
	// A crash after a snapshot and before the journal was emptied: its
	// records are replayed over a snapshot that holds them.
	if err := os.WriteFile(journalPath(path), journal, 0o600); err != nil {
		t.Fatal(err)
	}
	third := newEnv(t, Options{StatePath: path})
	if list, _ := third.e.Configurations(AccountAcme); len(list) != 80 {
		t.Errorf("%d configurations after replaying records the snapshot holds, want 80", len(list))
	}
}

// TestHelperEmulatorWrites is not a test: run as a child process it serves
// an emulator on the state file JOURNAL_STATE and creates configurations
// one after another, printing each connectId once it is answered, until
// it is killed.
func TestHelperEmulatorWrites(t *testing.T) {
	path := os.Getenv("JOURNAL_STATE")
	if path == "" {
		t.Skip("helper process only")
	}
	env := newEnv(t, Options{StatePath: path, Seed: emptyAccountSeed()})
	for i := 0; ; i++ {
		id := env.createConfig(AccountAcme, newConfigBody(fmt.Sprintf("k%d", i)))
		fmt.Println(id)
	}
}

// TestKilledMidWriteLosesNoAnsweredWrite: an emulator killed (-9) while
// writing has, once reopened, every configuration it answered for, and a
// state it can go on from.
func TestKilledMidWriteLosesNoAnsweredWrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEmulatorWrites$")
	cmd.Env = append(os.Environ(), "JOURNAL_STATE="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	answered := map[string]bool{}
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for len(answered) < 30 && time.Now().Before(deadline) && sc.Scan() {
		answered[strings.TrimSpace(sc.Text())] = true
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(answered) < 30 {
		t.Fatalf("the helper answered %d creates", len(answered))
	}
	again := newEnv(t, Options{StatePath: path})
	list, _ := again.e.Configurations(AccountAcme)
	have := map[string]bool{}
	for _, c := range list {
		have[c.ConnectID] = true
	}
	for id := range answered {
		if !have[id] {
			t.Errorf("connectId %s was answered but is gone after the kill", id)
		}
	}
	again.createConfig(AccountAcme, newConfigBody("after"))
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
