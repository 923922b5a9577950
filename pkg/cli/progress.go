package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress is a one-line progress bar on stderr for runs over many
// accounts: "  37/200 accounts [=======>            ] 1.2s". It shows only
// on a terminal, never in CI logs, and only once the run has taken a
// while, so quick runs print nothing extra. Stop erases it.
type progress struct {
	w        io.Writer
	total    int
	label    string
	delay    time.Duration // nothing is drawn before this
	interval time.Duration
	start    time.Time

	done     atomic.Int64
	stop     chan struct{}
	stopOnce sync.Once
	finished chan struct{}
}

// Progress bar timing: drawn after progressDelay, redrawn every progressInterval.
const (
	progressDelay    = time.Second
	progressInterval = 100 * time.Millisecond
)

// startProgress starts a bar for total steps when stderr is a terminal
// outside CI; otherwise it returns nil, whose methods do nothing.
func startProgress(env Env, total int, label string) *progress {
	if !env.StderrIsTerminal || total < 2 || env.Getenv("CI") != "" || env.Getenv("GITHUB_ACTIONS") == "true" || env.Getenv("TERM") == "dumb" {
		return nil
	}
	return newProgress(env.Stderr, total, label, progressDelay, progressInterval)
}

func newProgress(w io.Writer, total int, label string, delay, interval time.Duration) *progress {
	p := &progress{w: w, total: total, label: label, delay: delay, interval: interval, start: time.Now(),
		stop: make(chan struct{}), finished: make(chan struct{})}
	go p.run()
	return p
}

// Add counts one step done; it may be called from many goroutines.
func (p *progress) Add() {
	if p != nil {
		p.done.Add(1)
	}
}

// Stop erases the bar and waits until it is gone.
func (p *progress) Stop() {
	if p == nil {
		return
	}
	p.stopOnce.Do(func() { close(p.stop) })
	<-p.finished
}

func (p *progress) run() {
	defer close(p.finished)
	wait := time.NewTimer(p.delay)
	defer wait.Stop()
	select {
	case <-p.stop:
		return
	case <-wait.C:
	}
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		p.draw()
		select {
		case <-p.stop:
			fmt.Fprint(p.w, "\r\x1b[K")
			return
		case <-tick.C:
		}
	}
}

func (p *progress) draw() {
	const width = 30
	done := min(int(p.done.Load()), p.total)
	filled := width * done / p.total
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	fmt.Fprintf(p.w, "\r%*d/%d %s [%s] %.1fs\x1b[K", len(fmt.Sprint(p.total)), done, p.total, p.label, bar, time.Since(p.start).Seconds())
}
