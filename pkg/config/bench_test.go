package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The benchmarks of issue 16 that run in-process. Each times the work and,
// in the same run, the floor it is compared with, alternating the two, and
// reports the median of the pair-by-pair ratios as x-floor. ns/op is the
// work alone. `make bench` runs them.

// benchConfig is one configuration of ten keys; bad writes enableLog as a
// value the schema refuses (one schema error).
func benchConfig(i int, bad bool) string {
	enable := "true"
	if bad {
		enable = "maybe"
	}
	return fmt.Sprintf(`  - name: orders-%05d
    urlToPublishTo: https://hooks.acme.com/x/%d
    allUsers: true
    deliveryMode: SIM
    eventData: { version: restv2.1 }
    events: [envelope-sent, envelope-completed]
    allowEnvelopePublish: true
    enableLog: %s
    includeHMAC: true
    requiresAcknowledgement: true
`, i, i, enable)
}

// benchFile writes a file of n configurations, the first bad of them with
// one schema error each.
func benchFile(b *testing.B, name string, n, bad int) string {
	var sb strings.Builder
	sb.WriteString(header)
	for i := range n {
		sb.WriteString(benchConfig(i, i < bad))
	}
	p := filepath.Join(b.TempDir(), name)
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// vsFloor runs work and floor in turn once per iteration, each from a
// collected heap, timing work as the benchmark's ns/op, and reports the
// median ratio work/floor in wall time (x-floor) and in CPU time, the
// process's user and system time (cpu-x-floor: steadier on a busy
// machine), and the median floor time.
func vsFloor(b *testing.B, work, floor func()) {
	var ratios, cpuRatios, floors []float64
	measure := func(f func()) (time.Duration, time.Duration) {
		runtime.GC()
		c0, t0 := cpuTime(), time.Now()
		f()
		return time.Since(t0), cpuTime() - c0
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		f, fc := measure(floor)
		runtime.GC()
		b.StartTimer()
		c0, t1 := cpuTime(), time.Now()
		work()
		w, wc := time.Since(t1), cpuTime()-c0
		b.StopTimer()
		ratios = append(ratios, float64(w)/float64(f))
		cpuRatios = append(cpuRatios, float64(wc)/float64(fc))
		floors = append(floors, float64(f.Microseconds())/1000)
		b.StartTimer()
	}
	b.ReportMetric(median(ratios), "x-floor")
	b.ReportMetric(median(cpuRatios), "cpu-x-floor")
	b.ReportMetric(median(floors), "floor-ms")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// BenchmarkValidate10k loads and validates a file of 10,000 configurations
// of ten keys, as validate does. Floor: a bare yaml.v3 parse of the same
// file into a yaml.Node (issue 16: at most 1.5×).
//
//	go test ./pkg/config -run '^$' -bench Validate10k -benchtime 10x
func BenchmarkValidate10k(b *testing.B) {
	p := benchFile(b, "big.yaml", 10000, 0)
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	vsFloor(b, func() {
		d, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv})
		if ds.HasErrors() || len(d.Configurations) != 10000 {
			b.Fatalf("want 10000 valid configurations: %v", ds)
		}
	}, func() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkValidate5kErrors validates 5,000 configurations with one schema
// error each. Floor: the same file without the errors (issue 16: the cost
// is linear in the errors, at most 2×).
//
//	go test ./pkg/config -run '^$' -bench Validate5kErrors -benchtime 5x
func BenchmarkValidate5kErrors(b *testing.B) {
	bad := benchFile(b, "bad.yaml", 5000, 5000)
	good := benchFile(b, "good.yaml", 5000, 0)
	vsFloor(b, func() {
		if _, ds := Load([]string{bad}, LoadOptions{LookupEnv: testEnv}); len(ds) != MaxDiagnostics+1 {
			b.Fatalf("want %d errors and a note on the rest, got %d", MaxDiagnostics, len(ds))
		}
	}, func() {
		if _, ds := Load([]string{good}, LoadOptions{LookupEnv: testEnv}); ds.HasErrors() {
			b.Fatal(ds)
		}
	})
}
