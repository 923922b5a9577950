package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSyntaxErrorsAtTheirPlace: a YAML syntax error is reported at the line
// and column of the offending character with a fix, not where yaml.v3's
// parser started the construct (issue 11, item 6: an unclosed "[" on line 8
// was reported at 7:1, a bad indent on line 8 at 5:1).
func TestSyntaxErrorsAtTheirPlace(t *testing.T) {
	t.Parallel()
	const head = "version: 1\naccounts:\n  - alias: a\n    accountId: 11111111-2222-4333-8444-555555555555\nconfigurations:\n  - name: x\n    urlToPublishTo: https://x.example.com\n"
	tests := map[string]struct {
		body string
		want string // file:line:col: message start
	}{
		"unclosed bracket": {head + "    events: [envelope-sent, envelope-completed\n    allUsers: true\n",
			"8:13 error: invalid YAML: this list ([) is never closed; close it with ]"},
		"unclosed bracket at the end": {head + "    events: [envelope-sent,\n",
			"8:13 error: invalid YAML: this list ([) is never closed"},
		"unclosed brace": {head + "    eventData: { version: restv2.1\n    allUsers: true\n",
			"8:16 error: invalid YAML: this mapping ({) is never closed"},
		"bad indent, deeper": {head + "      allUsers: true\n    enableLog: true\n",
			"8:7 error: invalid YAML: this line is indented deeper than the key on line 7, which already has its value; indent it to column 5"},
		"bad indent, between levels": {head + "   allUsers: true\n",
			"8:4 error: invalid YAML: this line's indentation (column 4) lines up with no key or list item above it; indent it to column 5 like line 7, or to column 3 like line 6"},
		"tab": {"version: 1\naccounts:\n\t- alias: a\n",
			"3:1 error: invalid YAML: a tab indents this line; YAML allows only spaces for indentation; replace the tab with spaces"},
		"unclosed double quote": {head + "    deliveryMode: \"SIM\n    allUsers: true\n",
			"8:19 error: invalid YAML: this quoted value is never closed; close it with \""},
		"unclosed single quote": {head + "    deliveryMode: 'SIM\n    allUsers: true\n",
			"8:19 error: invalid YAML: this quoted value is never closed; close it with '"},
		"colon in a plain value": {head + "    userName: ops: team\n",
			"8:18 error: invalid YAML: a second \": \" on this line"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, got := load(t, tc.body)
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestSyntaxScanAcceptsValidYAML: the scanner must not invent problems in
// what YAML accepts (it only runs after yaml.v3 failed, but a false report
// earlier in the file would hide the real one).
func TestSyntaxScanAcceptsValidYAML(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"multi-line flow":  "a:\n  events: [x,\n    y]\n  b: 1\n",
		"multi-line quote": "a: \"one\n  two\"\nb: 1\n",
		"block scalar":     "a: |\n  text: with colon\n    deeper\nb: 1\n",
		"list of maps":     "list:\n  - name: x\n    url: y\n  - name: z\n",
		"nested":           "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
		"comments":         "a: 1 # note: with colon\n# b: [\nc: 'it''s'\n",
		"plain multi-line": "- one\n  two\n- three\n",
	} {
		if p := findSyntaxError([]byte(body)); p != nil {
			t.Errorf("%s: found %d:%d %s", name, p.line, p.col, p.message)
		}
	}
}

// TestSyntaxScanNeverPanics feeds the scanner every prefix of every example
// file, and each with one byte replaced by a character that breaks YAML:
// whatever the text, it answers (or not) without panicking.
func TestSyntaxScanNeverPanics(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../examples/*.yaml")
	more, _ := filepath.Glob("../../examples/models/*.yaml")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(data); i += 3 {
			findSyntaxError(data[:i])
			for _, c := range []byte{'[', '"', '\'', '\t', ':', '{', '-', '|'} {
				mutated := bytes.Clone(data)
				mutated[i] = c
				findSyntaxError(mutated)
			}
		}
	}
}

func FuzzSyntaxScan(f *testing.F) {
	f.Add([]byte("a: [b,\n c: 'd\n\t- e: f: g\n"))
	f.Fuzz(func(t *testing.T, data []byte) { findSyntaxError(data) })
}

// TestSecondDocumentIsNotIgnored: a file with a second YAML document after
// "---" was loaded as its first document alone; the second one's
// configurations vanished without a word (and a plan with prune would have
// deleted them). A trailing "---" with nothing after it loses nothing.
func TestSecondDocumentIsNotIgnored(t *testing.T) {
	t.Parallel()
	const head = "version: 1\naccounts:\n  - alias: a\n    accountId: 11111111-2222-4333-8444-555555555555\nconfigurations:\n  - name: x\n    urlToPublishTo: https://x.example.com\n    events: [envelope-sent]\n    deliveryMode: SIM\n    eventData: {version: restv2.1}\n    allUsers: true\n    allowEnvelopePublish: true\n"
	for name, tc := range map[string]struct{ body, want string }{
		"second document": {head + "---\nconfigurations:\n  - name: y\n",
			"13:1 error: the file holds a second YAML document (after ---); connectsync reads one document per file and would ignore it; put each document in a file of its own"},
		"second document, syntax error": {head + "---\nconfigurations: [\n",
			"error: invalid YAML"},
		"third document after an empty one": {head + "---\n---\nconfigurations: []\n",
			"13:1 error: the file holds a second YAML document"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, got := load(t, tc.body)
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	for _, body := range []string{head + "---\n", "---\n" + head, head + "---\n# nothing more\n", head + "...\n"} {
		if d, got := load(t, body); d == nil || len(got) != 0 {
			t.Errorf("%q: got %q, want it loaded without a word", body, got)
		}
	}
}
