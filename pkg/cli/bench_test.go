package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/emulator"
)

// statusCounter counts the emulator's answers by status code.
type statusCounter struct {
	h       http.Handler
	tooMany atomic.Int64
}

func (s *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	s.h.ServeHTTP(rec, r)
	if rec.status == http.StatusTooManyRequests {
		s.tooMany.Add(1)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// runCLI runs one command line in-process against env vars and returns its
// exit code and output.
func runCLI(vars map[string]string, args ...string) (int, string) {
	var out bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out,
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	code := Run(context.Background(), append([]string{"connectsync"}, args...), env)
	return code, out.String()
}

// BenchmarkApplyUnderBurstLimit applies 100 creates and then 100 updates to
// one account back to back (about 205 calls in one 30-second window) against
// the emulator with DocuSign's demo limits (200 calls per 30 s per account):
// the client's limiter must pace the calls so that DocuSign never answers 429.
//
//	go test ./pkg/cli -run '^$' -bench ApplyUnderBurstLimit -benchtime 1x
func BenchmarkApplyUnderBurstLimit(b *testing.B) {
	const n = 100
	dir := b.TempDir()
	write := func(name, url string) string {
		var sb strings.Builder
		sb.WriteString("version: 1\naccounts:\n  - { alias: test, accountId: 11111111-2222-4333-8444-555555555555 }\n")
		sb.WriteString("defaults: { allUsers: true, deliveryMode: SIM, eventData: { version: restv2.1 }, events: [envelope-sent], allowEnvelopePublish: true }\nconfigurations:\n")
		for i := range n {
			fmt.Fprintf(&sb, "  - { name: hook-%03d, urlToPublishTo: %q }\n", i, url)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		return p
	}
	v1, v2 := write("v1.yaml", "https://hooks.example.com/v1"), write("v2.yaml", "https://hooks.example.com/v2")
	for b.Loop() {
		b.StopTimer()
		e, err := emulator.New(emulator.Options{SandboxKey: sandboxKey()})
		if err != nil {
			b.Fatal(err)
		}
		counter := &statusCounter{h: e}
		srv := httptest.NewServer(counter)
		if err := e.EnsureAccount("11111111-2222-4333-8444-555555555555", "test"); err != nil {
			b.Fatal(err)
		}
		creds := e.SandboxCredentials()
		key := filepath.Join(dir, "key.pem")
		if err := os.WriteFile(key, creds.PrivateKeyPEM, 0o600); err != nil {
			b.Fatal(err)
		}
		vars := map[string]string{"DOCUSIGN_AUTH_SERVER": srv.URL, "DOCUSIGN_BASE_URI": srv.URL,
			"DOCUSIGN_INTEGRATION_KEY": creds.IntegrationKey, "DOCUSIGN_USER_ID": creds.UserID, "DOCUSIGN_PRIVATE_KEY_FILE": key}
		b.StartTimer()
		start := time.Now()
		for _, f := range []string{v1, v2} {
			if code, out := runCLI(vars, "apply", "-f", f, "--auto-approve"); code != 0 || !strings.Contains(out, "Apply complete") {
				b.Fatalf("apply %s: exit %d\n%s", f, code, out)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/two-applies")
		b.ReportMetric(float64(e.Calls(emulator.RouteCreateConfiguration)+e.Calls(emulator.RouteUpdateConfiguration)), "writes")
		b.ReportMetric(float64(counter.tooMany.Load()), "429s")
		if c := counter.tooMany.Load(); c > 0 {
			b.Errorf("DocuSign answered 429 %d times: the client did not stay under the burst limit", c)
		}
		srv.Close()
	}
}
