package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestStartProgressOnlyOnATerminalOutsideCI(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		terminal bool
		env      map[string]string
		total    int
		want     bool
	}{
		"terminal":       {true, nil, 200, true},
		"not a terminal": {false, nil, 200, false},
		"CI":             {true, map[string]string{"CI": "true"}, 200, false},
		"GitHub Actions": {true, map[string]string{"GITHUB_ACTIONS": "true"}, 200, false},
		"dumb terminal":  {true, map[string]string{"TERM": "dumb"}, 200, false},
		"one account":    {true, nil, 1, false},
	} {
		env := Env{Stderr: &bytes.Buffer{}, StderrIsTerminal: tc.terminal, LookupEnv: func(k string) (string, bool) {
			v, ok := tc.env[k]
			return v, ok
		}}
		p := startProgress(env, tc.total, "accounts")
		if (p != nil) != tc.want {
			t.Errorf("%s: progress bar %v, want %v", name, p != nil, tc.want)
		}
		p.Add() // nil-safe
		p.Stop()
	}
}

func TestProgressDrawsAndErases(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := &lockedWriter{w: &buf}
	p := newProgress(w, 4, "accounts", 0, 5*time.Millisecond)
	for range 3 {
		p.Add()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		out := buf.String()
		w.mu.Unlock()
		if strings.Contains(out, "3/4 accounts [======================>       ]") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 3/4 bar drawn: %q", out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Stop()
	p.Stop() // twice is fine
	if out := buf.String(); !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the bar is not erased at the end: %q", out)
	}
}

// TestProgressQuietForShortRuns: nothing is drawn before the delay.
func TestProgressQuietForShortRuns(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgress(&buf, 4, "accounts", time.Hour, time.Millisecond)
	p.Add()
	p.Stop()
	if buf.Len() != 0 {
		t.Errorf("drawn before the delay: %q", buf.String())
	}
}
