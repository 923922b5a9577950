package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkValidate10k loads and validates a file of 10,000 configurations
// (docs/benchmarks.md: under 1 s). Run: go test ./pkg/config -bench Validate10k -benchmem
func BenchmarkValidate10k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(header)
	for i := range 10000 {
		sb.WriteString(strings.Replace(good, "name: orders", fmt.Sprintf("name: orders-%05d", i), 1))
	}
	p := filepath.Join(b.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		d, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv})
		if ds.HasErrors() || len(d.Configurations) != 10000 {
			b.Fatalf("want 10000 valid configurations: %v", ds)
		}
	}
}
