package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, every
// diagnostic must name the file, and a file that loads must give every
// configuration a place in the file.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		header + good,
		header + good + "    password: ${env.LISTENER_PASSWORD}\n",
		"version: 1\naccounts: &a\n  - {alias: x, accountId: \"1\"}\nconfigurations:\n  - <<: {name: y}\n    urlToPublishTo: ${var.h}\n",
		"version: 1\ndefaults: {eventData: {version: restv2.1}}\nconfigurations: [{name: a, events: [x]}]\n",
		"[1, 2]", "version: 1\nversion: 2\n", "\t- a", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, ds := Load([]string{p}, LoadOptions{LookupEnv: testEnv})
		for _, x := range ds {
			if x.Pos.File != p {
				t.Fatalf("diagnostic without the file: %+v", x)
			}
		}
		if d == nil {
			return
		}
		for _, c := range d.Configurations {
			if c.Pos.Line < 1 || c.Name == "" {
				t.Fatalf("configuration without a place or name: %+v", c)
			}
		}
	})
}

// FuzzInterpolate checks the reference syntax: no panic, text without "${"
// comes back unchanged, and an escaped "$${" always yields a literal "${".
func FuzzInterpolate(f *testing.F) {
	for _, seed := range []string{"plain", "${env.LISTENER_PASSWORD}", "${var.hooks}/x", "$${env.X}", "${", "${}", "${env.}", "a${var.hooks}b${env.ACCOUNT_ID}c", "$$${env.X}"} {
		f.Add(seed)
	}
	lk := Lookup{Env: testEnv, Vars: map[string]string{"hooks": "https://h"}, Account: "a"}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := interpolate(s, lk)
		if !strings.Contains(s, "${") && (err != nil || out != s) {
			t.Fatalf("%q changed to %q (%v)", s, out, err)
		}
		if err == nil && strings.Contains(s, "$${") && !strings.Contains(s, "$$${") && !strings.Contains(out, "${") {
			t.Fatalf("escaped reference in %q lost: %q", s, out)
		}
		if err != nil && (err.msg == "" || err.hint == "" && !strings.Contains(err.msg, "unknown")) {
			t.Fatalf("error without a message or hint for %q: %+v", s, err)
		}
	})
}
