// Package lockfile is a lock held by one process at a time, across
// processes on one machine, that says who holds it: connectsync takes one
// per account for the whole of an apply, so that two applies never plan
// and write the same account at once (which duplicates every create).
//
// The lock is an flock(2) on the file (through github.com/gofrs/flock), so
// the operating system releases it when the holder exits, even on kill -9:
// a lock is never left stale. The file also holds the holder's pid,
// command, host and start time, for the message of whoever waits.
package lockfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// Holder says who holds a lock.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
	// URL is where the holder serves what the lock guards, if it does (a
	// sandbox server), so that whoever waits can use it instead.
	URL string `json:"url,omitempty"`
}

// String names the holder for a message: "pid 1234 on build-7, apply, since 10:04:05".
func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	s := fmt.Sprintf("pid %d", h.PID)
	if h.Host != "" {
		s += " on " + h.Host
	}
	if h.Command != "" {
		s += ", " + h.Command
	}
	if !h.Since.IsZero() {
		s += ", since " + h.Since.Local().Format("15:04:05")
	}
	return s
}

// Me describes this process, doing command.
func Me(command string) Holder {
	host, _ := os.Hostname()
	return Holder{PID: os.Getpid(), Command: command, Host: host, Since: time.Now()}
}

// Lock is a held lock.
type Lock struct{ f *flock.Flock }

// HeldError reports a lock still held by another process after waiting.
type HeldError struct {
	Path   string
	Holder Holder
	Waited time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is held by %s; waited %s", e.Path, e.Holder, e.Waited.Round(time.Second))
}

// pollEvery is how often a waiting process tries the lock again.
const pollEvery = 50 * time.Millisecond

// Acquire takes the lock at path (creating the file and its directory),
// waiting up to wait while another process holds it. notice, if not nil,
// is called once, with the holder, when Acquire has to wait. It returns
// *HeldError when the wait runs out, and ctx's error when ctx ends first.
func Acquire(ctx context.Context, path string, me Holder, wait time.Duration, notice func(Holder)) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := f.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		holder := Read(path)
		if notice != nil {
			notice(holder)
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		ok, err = f.TryLockContext(wctx, pollEvery)
		if !ok || err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) || !ok {
				return nil, &HeldError{Path: path, Holder: Read(path), Waited: wait}
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
	}
	data, _ := json.Marshal(me)
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		f.Unlock()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Read returns who holds (or last held) the lock at path, as far as its
// file says.
func Read(path string) Holder {
	var h Holder
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &h)
	}
	return h
}

// Update rewrites what the lock's file says about its holder.
func (l *Lock) Update(h Holder) error {
	data, _ := json.Marshal(h)
	return os.WriteFile(l.f.Path(), append(data, '\n'), 0o600)
}

// Release lets the next process take the lock.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	return l.f.Unlock()
}
