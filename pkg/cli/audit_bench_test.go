package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/emulator"
)

// Sizes of the audit benchmark of docs/benchmarks.md: 200 accounts of 25 configurations
// each, with 25 ms of emulator latency on every request.
const (
	auditBenchAccounts = 200
	auditBenchConfigs  = 25
	auditBenchLatency  = 25 * time.Millisecond
)

// BenchmarkAudit runs `connectsync audit` as a user would: as its own
// process, against an emulator on loopback, at the default concurrency. It
// reports the wall time per run (ns/op), the process's peak RSS and the API
// calls per run. The accounts and configurations are seeded, not created
// through the path measured. Every fifth configuration has drifted from the
// files (logging off), so the run computes drift and findings for real.
//
//	go test ./pkg/cli -run '^$' -bench '^BenchmarkAudit$' -benchtime 5x
//	CONNECTSYNC_BIN=$PWD/bin/connectsync go test ./pkg/cli -run '^$' -bench '^BenchmarkAudit$' -benchtime 5x
func BenchmarkAudit(b *testing.B) {
	benchScale(b, []string{fmt.Sprintf(`"accounts": %d,`, auditBenchAccounts), `"failed": 0,`, fmt.Sprintf(`"update": %d,`, auditBenchAccounts*auditBenchConfigs/5)},
		"audit", "--format", "json", "--detailed-exitcode")
}

// BenchmarkPlan is BenchmarkAudit for `connectsync plan`: the same 200
// accounts of 25 configurations at 25 ms latency, 1,000 updates to plan.
//
//	go test ./pkg/cli -run '^$' -bench '^BenchmarkPlan$' -benchtime 5x
func BenchmarkPlan(b *testing.B) {
	benchScale(b, []string{fmt.Sprintf(`"update": %d,`, auditBenchAccounts*auditBenchConfigs/5), `"errors": 0`},
		"plan", "--format", "json", "--detailed-exitcode")
}

// benchScale runs a command over the scale fixture b.N times, checks that
// it exits 2 (changes) with want in its output, and reports peak RSS, API
// calls per run and the wall time as a share of the sequential lower bound
// (one list call per account, one after another, plus the token call).
func benchScale(b *testing.B, want []string, args ...string) {
	dir := b.TempDir()
	hooks, seed := auditBenchFixture(b, dir)
	srv, err := emulator.Start(emulator.Options{
		Seed: seed, SandboxKey: sandboxKey(),
		Faults: emulator.Faults{Latency: auditBenchLatency},
		Limits: emulator.Limits{Hourly: 1 << 30, Burst: 1 << 30}, // b.N runs must not hit the hourly budget
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	creds := srv.Emulator.SandboxCredentials()
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, creds.PrivateKeyPEM, 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(),
		"DOCUSIGN_AUTH_SERVER="+srv.URL, "DOCUSIGN_BASE_URI="+srv.URL,
		"DOCUSIGN_INTEGRATION_KEY="+creds.IntegrationKey, "DOCUSIGN_USER_ID="+creds.UserID,
		"DOCUSIGN_PRIVATE_KEY_FILE="+keyFile, "NO_COLOR=1")

	// The test binary is connectsync too (TestMain puts it on PATH);
	// CONNECTSYNC_BIN measures another build, e.g. bin/connectsync.
	bin := "connectsync"
	if b := os.Getenv("CONNECTSYNC_BIN"); b != "" {
		bin = b
	}
	floorBin := buildFloor(b) // measures the peak RSS (runMeasured)
	var maxRSS float64
	srv.Emulator.ResetCalls()
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		p := runMeasured(b, floorBin, env, bin, append(args, "-f", hooks)...)
		elapsed += p.wall
		if p.code != ExitChanges {
			b.Fatalf("%s: exit %d (want 2: changes)\n%.2000s", args[0], p.code, p.out)
		}
		for _, w := range want {
			if !strings.Contains(p.out, w) {
				b.Fatalf("the output lacks %s: %.2000s", w, p.out)
			}
		}
		maxRSS = max(maxRSS, p.rssMB)
	}
	b.StopTimer()
	perRun := elapsed / time.Duration(b.N)
	sequential := time.Duration(auditBenchAccounts+1) * auditBenchLatency
	b.ReportMetric(float64(perRun)/float64(sequential), "of-sequential")
	b.ReportMetric(maxRSS, "peak-RSS-MB")
	for name, route := range map[string]string{"list": emulator.RouteListConfigurations, "users": emulator.RouteListUsers, "token": emulator.RouteToken} {
		b.ReportMetric(float64(srv.Emulator.Calls(route))/float64(b.N), name+"-calls/op")
	}
}

// auditBenchFixture writes the files (every account, 25 configurations
// each, URLs from the account's vars) and the seed that matches them.
func auditBenchFixture(b testing.TB, dir string) (string, *emulator.Seed) {
	return scaleFixture(b, dir, auditBenchAccounts)
}

// scaleFixture is auditBenchFixture for any number of accounts.
func scaleFixture(b testing.TB, dir string, accounts int) (string, *emulator.Seed) {
	return scaleFixtureN(b, dir, accounts, auditBenchConfigs)
}

// scaleFixtureN is scaleFixture with configs configurations per account.
func scaleFixtureN(b testing.TB, dir string, accounts, configs int) (string, *emulator.Seed) {
	seed := &emulator.Seed{}
	var file strings.Builder
	file.WriteString("version: 1\naccounts:\n")
	for i := range accounts {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1)
		fmt.Fprintf(&file, "  - { alias: acct-%03d, accountId: %s, vars: { n: \"%d\" } }\n", i, id, i)
		sa := emulator.SeedAccount{AccountID: id, Name: fmt.Sprintf("Bench %03d", i)}
		for j := range configs {
			c := emulator.Configuration{
				Name: fmt.Sprintf("hook-%02d", j), ConfigurationType: "custom",
				URLToPublishTo:       fmt.Sprintf("https://hooks.example.com/%d/%d", i, j),
				AllowEnvelopePublish: emulator.True, AllUsers: emulator.True, DeliveryMode: "SIM",
				Events:    []string{"envelope-sent", "envelope-completed"},
				EventData: &emulator.EventData{Version: "restv2.1"}, EnableLog: emulator.True, IncludeHMAC: emulator.True,
			}
			if j%5 == 0 {
				c.EnableLog = emulator.False
			}
			sa.Configurations = append(sa.Configurations, c)
		}
		seed.Accounts = append(seed.Accounts, sa)
	}
	file.WriteString(`defaults:
  allUsers: true
  allowEnvelopePublish: true
  deliveryMode: SIM
  eventData: { version: restv2.1 }
  events: [envelope-sent, envelope-completed]
  enableLog: true
  includeHMAC: true
configurations:
`)
	for j := range configs {
		fmt.Fprintf(&file, "  - { name: hook-%02d, urlToPublishTo: \"https://hooks.example.com/${var.n}/%d\" }\n", j, j)
	}
	hooks := filepath.Join(dir, "hooks.yaml")
	if err := os.WriteFile(hooks, []byte(file.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return hooks, seed
}
