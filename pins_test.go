package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestActionPinsAreCurrent: every third-party action the workflows, the
// examples and action.yml use is pinned by a full commit SHA with its release
// in a comment (a tag can be moved; a commit cannot), each action at one
// commit everywhere, so that an update reaches every file (Dependabot sees
// only .github/workflows and action.yml). The examples use this action by
// its major tag, as users should.
func TestActionPinsAreCurrent(t *testing.T) {
	files := append(workflowFiles(t), "action.yml")
	uses := regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned := regexp.MustCompile(`^([\w.-]+/[\w./-]+)@([0-9a-f]{40})$`)
	release := regexp.MustCompile(`^\s+# (v\d+\.\d+\.\d+)\b`)
	type pin struct{ sha, version, file string }
	seen := map[string]pin{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(src), -1) {
			ref, comment := m[1], m[2]
			switch {
			case ref == "./":
				continue
			case strings.HasPrefix(ref, "connectsync/connectsync@"):
				if !strings.HasPrefix(f, "examples/") || ref != "connectsync/connectsync@v1" {
					t.Errorf("%s: uses %s; the examples use connectsync/connectsync@v1, the repository's own workflows ./", f, ref)
				}
				continue
			}
			p := pinned.FindStringSubmatch(ref)
			r := release.FindStringSubmatch(comment)
			if p == nil || r == nil {
				t.Errorf("%s: uses: %s%s; want OWNER/REPO@<40-hex commit> # vX.Y.Z", f, ref, comment)
				continue
			}
			if prev, ok := seen[p[1]]; ok && (prev.sha != p[2] || prev.version != r[1]) {
				t.Errorf("%s pins %s@%s (%s), but %s pins it at %s (%s)", f, p[1], p[2], r[1], prev.file, prev.sha, prev.version)
			}
			seen[p[1]] = pin{p[2], r[1], f}
		}
	}
	for _, want := range []string{"actions/checkout", "actions/setup-go", "actions/upload-artifact", "actions/download-artifact", "goreleaser/goreleaser-action"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("no file uses %s; is workflowFiles missing one?", want)
		}
	}
}
