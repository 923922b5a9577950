package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/emulator"
)

// Issue 16's command benchmarks. Each runs connectsync as its own process,
// as a user does, and the floor it is compared with in the same run, in
// turn, and reports the median of the pair-by-pair ratios (x-floor). `make
// bench` runs them; docs/benchmarks.md has the figures.

// proc is one finished process.
type proc struct {
	wall  time.Duration
	rssMB float64
	code  int
	out   string
}

// runMeasured is runProc through the floor program's -run (see
// testdata/benchfloor), so that the peak RSS is the command's own.
func runMeasured(b *testing.B, floorBin string, env []string, bin string, args ...string) proc {
	b.Helper()
	rssFile := filepath.Join(b.TempDir(), "rss")
	p := runProc(b, append(slices.Clone(env), "BENCH_RSS_FILE="+rssFile), floorBin, append([]string{"-run", bin}, args...)...)
	data, err := os.ReadFile(rssFile)
	if err != nil {
		b.Fatalf("peak RSS of %s: %v", bin, err)
	}
	kb, _ := strconv.ParseFloat(strings.TrimSpace(string(data)), 64)
	p.rssMB = kb / 1024
	return p
}

// runProc runs bin with args and env and returns how it went. Its peak
// RSS is at least this process's (see runMeasured).
func runProc(b *testing.B, env []string, bin string, args ...string) proc {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	p := proc{wall: time.Since(start), out: string(out) + stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		p.code = ee.ExitCode()
	case err != nil:
		b.Fatalf("%s: %v", bin, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.rssMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return p
}

// connectsyncBin is the binary measured: the test binary (TestMain makes it
// connectsync), or CONNECTSYNC_BIN, e.g. the release build bin/connectsync.
func connectsyncBin() string {
	if b := os.Getenv("CONNECTSYNC_BIN"); b != "" {
		return b
	}
	return "connectsync"
}

// emulatorEnv is the environment that points connectsync at srv through
// the JWT grant.
func emulatorEnv(b *testing.B, srv *emulator.Server, dir string) []string {
	return emulatorURLEnv(b, srv.URL, srv.Emulator, dir)
}

func emulatorURLEnv(b *testing.B, url string, e *emulator.Emulator, dir string) []string {
	creds := e.SandboxCredentials()
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, creds.PrivateKeyPEM, 0o600); err != nil {
		b.Fatal(err)
	}
	return append(os.Environ(),
		"DOCUSIGN_AUTH_SERVER="+url, "DOCUSIGN_BASE_URI="+url,
		"DOCUSIGN_INTEGRATION_KEY="+creds.IntegrationKey, "DOCUSIGN_USER_ID="+creds.UserID,
		"DOCUSIGN_PRIVATE_KEY_FILE="+keyFile, "NO_COLOR=1")
}

func accountIDs(seed *emulator.Seed) []string {
	ids := make([]string, len(seed.Accounts))
	for i, a := range seed.Accounts {
		ids[i] = a.AccountID
	}
	return ids
}

// ratios collects pair-by-pair ratios and reports their median.
type ratios struct{ work, floor, ratio []float64 }

func (r *ratios) add(work, floor float64) {
	r.work, r.floor = append(r.work, work), append(r.floor, floor)
	r.ratio = append(r.ratio, work/floor)
}

func (r *ratios) report(b *testing.B, unit string) {
	b.ReportMetric(medianOf(r.work), unit)
	b.ReportMetric(medianOf(r.floor), "floor-"+unit)
	b.ReportMetric(medianOf(r.ratio), "x-floor")
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// buildFloor builds testdata/benchfloor, the bare client the plan
// benchmarks compare connectsync with, and returns its path.
func buildFloor(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "benchfloor")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/benchfloor").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// floorEnv is the environment of the bare client for these accounts.
func floorEnv(srv *emulator.Server, token string, seed *emulator.Seed, concurrency int) []string {
	return append(os.Environ(), "BENCH_FLOOR_URL="+srv.URL, "BENCH_FLOOR_TOKEN="+token,
		"BENCH_FLOOR_ACCOUNTS="+strings.Join(accountIDs(seed), ","), fmt.Sprintf("BENCH_FLOOR_CONCURRENCY=%d", concurrency))
}

// BenchmarkPlanVsBareClient runs `connectsync plan` over 200 accounts of 25
// configurations with 25 ms of latency per request, at --concurrency 8 and
// 32. Floor: a bare Go client (testdata/benchfloor, a program of its own)
// doing the same 200 list calls at the same concurrency with JSON
// decoding, its token issued beforehand (issue 16: at most 1.2× at 32).
// Both are whole processes, started in turn. It also reports the TCP
// connections the plan opened (at most one per concurrent call).
//
//	go test ./pkg/cli -run '^$' -bench PlanVsBareClient -benchtime 10x
func BenchmarkPlanVsBareClient(b *testing.B) {
	for _, conc := range []int{8, 32} {
		b.Run(fmt.Sprintf("concurrency-%d", conc), func(b *testing.B) {
			dir := b.TempDir()
			hooks, seed := scaleFixture(b, dir, auditBenchAccounts)
			srv, err := emulator.Start(emulator.Options{Seed: seed, SandboxKey: sandboxKey(),
				Faults: emulator.Faults{Latency: auditBenchLatency}, Limits: emulator.Limits{Hourly: 1 << 30, Burst: 1 << 30}})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			env := emulatorEnv(b, srv, dir)
			token, err := srv.Emulator.IssueToken(emulator.SandboxUserID)
			if err != nil {
				b.Fatal(err)
			}
			floorBin, fenv := buildFloor(b), floorEnv(srv, token, seed, conc)
			var r ratios
			var conns []float64
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				f := runProc(b, fenv, floorBin)
				if f.code != 0 {
					b.Fatalf("floor: exit %d\n%s", f.code, f.out)
				}
				floor := f.wall
				before := srv.Connections()
				b.StartTimer()
				p := runProc(b, env, connectsyncBin(), "plan", "--format", "json", "--detailed-exitcode", "--concurrency", fmt.Sprint(conc), "-f", hooks)
				b.StopTimer()
				if p.code != ExitChanges || !strings.Contains(p.out, fmt.Sprintf(`"update": %d,`, auditBenchAccounts*auditBenchConfigs/5)) {
					b.Fatalf("plan: exit %d (want 2)\n%.2000s", p.code, p.out)
				}
				conns = append(conns, float64(srv.Connections()-before))
				r.add(float64(p.wall.Microseconds())/1000, float64(floor.Microseconds())/1000)
				b.StartTimer()
			}
			r.report(b, "ms")
			b.ReportMetric(medianOf(conns), "connections")
		})
	}
}

// BenchmarkPlanMemory runs `connectsync plan` over 1,000 accounts of 25
// configurations and reports its peak RSS (issue 16: at most 120 MB).
// Floor: the bare client (testdata/benchfloor) listing the same accounts
// and holding every answer to the end.
//
//	go test ./pkg/cli -run '^$' -bench PlanMemory -benchtime 3x
func BenchmarkPlanMemory(b *testing.B) {
	const accounts = 1000
	dir := b.TempDir()
	hooks, seed := scaleFixture(b, dir, accounts)
	srv, err := emulator.Start(emulator.Options{Seed: seed, SandboxKey: sandboxKey(),
		Limits: emulator.Limits{Hourly: 1 << 30, Burst: 1 << 30}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	env := emulatorEnv(b, srv, dir)
	token, err := srv.Emulator.IssueToken(emulator.SandboxUserID)
	if err != nil {
		b.Fatal(err)
	}
	floorBin, fenv := buildFloor(b), floorEnv(srv, token, seed, 8)
	var r ratios
	var audits []float64
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		f := runMeasured(b, floorBin, fenv, floorBin)
		if f.code != 0 {
			b.Fatalf("floor: exit %d\n%s", f.code, f.out)
		}
		b.StartTimer()
		p := runMeasured(b, floorBin, env, connectsyncBin(), "plan", "--format", "json", "--detailed-exitcode", "-f", hooks)
		if p.code != ExitChanges || !strings.Contains(p.out, fmt.Sprintf(`"update": %d,`, accounts*auditBenchConfigs/5)) {
			b.Fatalf("plan: exit %d (want 2)\n%.2000s", p.code, p.out)
		}
		r.add(p.rssMB, f.rssMB)
		b.StopTimer()
		a := runMeasured(b, floorBin, env, connectsyncBin(), "audit", "--format", "json", "-f", hooks)
		if a.code != 0 {
			b.Fatalf("audit: exit %d\n%.2000s", a.code, a.out)
		}
		audits = append(audits, a.rssMB)
		b.StartTimer()
		if testing.Verbose() {
			b.Logf("plan %.1f MB, audit %.1f MB, floor %.1f MB", p.rssMB, a.rssMB, f.rssMB)
		}
	}
	r.report(b, "peak-RSS-MB")
	// The audit of the same accounts, run right after each plan: its peak
	// RSS should stay below the plan's (audit/plan < 1).
	b.ReportMetric(medianOf(audits), "audit-peak-RSS-MB")
	b.ReportMetric(medianOf(audits)/medianOf(r.work), "audit/plan")
}

// BenchmarkApplyBurst creates 400 configurations in one account whose burst
// limit is DocuSign's production one (500 calls per 30 s), with 25 ms of
// latency, and counts the emulator's 429 answers (there must be none).
// Floor: a bare client posting the same 400 creates, as many at a time as
// connectsync's default --concurrency (8), with no limiter at all.
//
//	go test ./pkg/cli -run '^$' -bench ApplyBurst -benchtime 3x
func BenchmarkApplyBurst(b *testing.B) {
	const n, acct = 400, "11111111-2222-4333-8444-555555555555"
	dir := b.TempDir()
	var sb strings.Builder
	sb.WriteString("version: 1\naccounts:\n  - { alias: test, accountId: " + acct + ", environment: production }\n")
	sb.WriteString("defaults: { allUsers: true, deliveryMode: SIM, eventData: { version: restv2.1 }, events: [envelope-sent], allowEnvelopePublish: true }\nconfigurations:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  - { name: hook-%03d, urlToPublishTo: \"https://hooks.example.com/v1\" }\n", i)
	}
	file := filepath.Join(dir, "hooks.yaml")
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	// Each run gets a fresh account: 400 creates spend most of a window.
	start := func() (*emulator.Emulator, *httptest.Server, *statusCounter) {
		seed := &emulator.Seed{Accounts: []emulator.SeedAccount{{AccountID: acct, Name: "Burst"}}}
		e, err := emulator.New(emulator.Options{Seed: seed, SandboxKey: sandboxKey(),
			Faults: emulator.Faults{Latency: auditBenchLatency}, Limits: emulator.Limits{Burst: 500}})
		if err != nil {
			b.Fatal(err)
		}
		counter := &statusCounter{h: e}
		return e, httptest.NewServer(counter), counter
	}
	var r ratios
	var tooMany []float64
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		fe, fsrv, fcount := start()
		token, err := fe.IssueToken(emulator.SandboxUserID)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := bareCreate(context.Background(), fsrv.URL, token, acct, n, 8); err != nil {
			b.Fatal(err)
		}
		floor := time.Since(t0)
		if fcount.tooMany.Load() > 0 {
			b.Fatalf("the floor got %d answers 429", fcount.tooMany.Load())
		}
		fsrv.Close()
		e, srv, count := start()
		env := emulatorURLEnv(b, srv.URL, e, dir)
		b.StartTimer()
		p := runProc(b, env, connectsyncBin(), "apply", "--auto-approve", "-f", file)
		b.StopTimer()
		if p.code != 0 || !strings.Contains(p.out, fmt.Sprintf("Apply complete: %d created", n)) {
			b.Fatalf("apply: exit %d\n%.3000s", p.code, p.out)
		}
		tooMany = append(tooMany, float64(count.tooMany.Load()))
		if c := count.tooMany.Load(); c > 0 {
			b.Errorf("DocuSign answered 429 %d times", c)
		}
		srv.Close()
		r.add(p.wall.Seconds(), floor.Seconds())
		b.StartTimer()
	}
	r.report(b, "s")
	b.ReportMetric(medianOf(tooMany), "429s")
}

// BenchmarkValidateStartup runs the release build's `validate` on a file
// of one configuration: process start and every package's init included
// (issue 16: at most 25 ms). Floor: an empty Go program's process.
//
//	go test ./pkg/cli -run '^$' -bench ValidateStartup -benchtime 20x
func BenchmarkValidateStartup(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "connectsync")
	if out, err := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", bin, "../..").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty+".go", []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("go", "build", "-o", empty, empty+".go").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "tiny.yaml")
	tiny := "version: 1\naccounts:\n  - { alias: prod, accountId: 8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f }\nconfigurations:\n" +
		"  - { name: orders, urlToPublishTo: \"https://hooks.acme.com/x\", allUsers: true, deliveryMode: SIM, eventData: { version: restv2.1 }, events: [envelope-sent], allowEnvelopePublish: true }\n"
	if err := os.WriteFile(file, []byte(tiny), 0o644); err != nil {
		b.Fatal(err)
	}
	env := os.Environ()
	var r ratios
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		f := runProc(b, env, empty)
		b.StartTimer()
		p := runProc(b, env, bin, "validate", "-f", file)
		if p.code != 0 {
			b.Fatalf("validate: exit %d\n%s", p.code, p.out)
		}
		r.add(float64(p.wall.Microseconds())/1000, float64(f.wall.Microseconds())/1000)
	}
	r.report(b, "ms")
}

// TestPlanReusesConnections: a plan of 80 accounts at --concurrency 8
// opens at most 8 TCP connections to DocuSign (here the emulator), one
// per call in flight, each reused (the default transport opened dozens).
func TestPlanReusesConnections(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hooks, seed := scaleFixtureN(t, dir, 80, 2)
	srv, err := emulator.Start(emulator.Options{Seed: seed, SandboxKey: sandboxKey(), Faults: emulator.Faults{Latency: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	creds := srv.Emulator.SandboxCredentials()
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, creds.PrivateKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DOCUSIGN_AUTH_SERVER": srv.URL, "DOCUSIGN_BASE_URI": srv.URL, "DOCUSIGN_INTEGRATION_KEY": creds.IntegrationKey,
		"DOCUSIGN_USER_ID": creds.UserID, "DOCUSIGN_PRIVATE_KEY_FILE": keyFile, "CONNECTSYNC_STATE_DIR": filepath.Join(dir, "state")}
	if code, out := runCLI(vars, "plan", "--concurrency", "8", "-f", hooks); code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	if n := srv.Connections(); n > 8 {
		t.Errorf("plan of 80 accounts at --concurrency 8 opened %d connections, want at most 8", n)
	}
}
