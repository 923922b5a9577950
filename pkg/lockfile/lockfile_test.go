package lockfile

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHelperHoldsLock is not a test: run as a child process it takes the
// lock named by LOCKFILE_PATH, says so on stdout, and holds it until killed.
func TestHelperHoldsLock(t *testing.T) {
	path := os.Getenv("LOCKFILE_PATH")
	if path == "" {
		t.Skip("helper process only")
	}
	if _, err := Acquire(context.Background(), path, Me("holder"), time.Second, nil); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("held\n")
	time.Sleep(time.Minute)
}

// holdInChild takes the lock in another process and returns it running.
func holdInChild(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsLock$")
	cmd.Env = append(os.Environ(), "LOCKFILE_PATH="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf[:4]) != "held" {
		t.Fatalf("child did not take the lock: %q %v", buf, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestLockIsExclusiveAcrossProcesses: while another process holds the lock,
// Acquire waits, names the holder, and gives up after the wait; once the
// holder is killed (-9: the OS releases flock), it gets the lock at once.
func TestLockIsExclusiveAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "account-x.lock")
	child := holdInChild(t, path)
	var noticed Holder
	start := time.Now()
	_, err := Acquire(context.Background(), path, Me("apply"), 300*time.Millisecond, func(h Holder) { noticed = h })
	var held *HeldError
	if !errors.As(err, &held) || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("got %v after %s, want *HeldError after the wait", err, time.Since(start))
	}
	if noticed.PID != child.Process.Pid || held.Holder.PID != child.Process.Pid || noticed.Command != "holder" {
		t.Fatalf("holder %+v / %+v, want pid %d", noticed, held.Holder, child.Process.Pid)
	}
	if msg := held.Error(); !strings.Contains(msg, "pid "+strconv.Itoa(child.Process.Pid)) {
		t.Errorf("message %q does not name the holder", msg)
	}
	child.Process.Signal(os.Kill)
	child.Wait()
	l, err := Acquire(context.Background(), path, Me("apply"), 5*time.Second, nil)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	if h := Read(path); h.PID != os.Getpid() || h.Command != "apply" {
		t.Errorf("holder after taking it: %+v", h)
	}
	l.Release()
}

// TestAcquireHonoursCancellation: Ctrl-C while waiting stops the wait.
func TestAcquireHonoursCancellation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.lock")
	holdInChild(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := Acquire(ctx, path, Me("apply"), time.Minute, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
