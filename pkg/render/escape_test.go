package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/apply"
	"github.com/connectsync/connectsync/pkg/audit"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
)

// Hostile text as a server (names, ids, URLs, error messages) or a file may
// carry it: an OSC sequence that sets the terminal's title, a CR/LF that
// forges an output line, HTML and a backtick that break out of a markdown
// code span, and a bidi override.
const (
	osc   = "\x1b]0;pwned\x07"
	forge = "\r\nNo changes."
	html  = "</code><img src=x>`"
	bidi  = "evil\u202Etxt.exe\u2066"
)

var hostile = []string{osc, forge, html, bidi}

func hostilePlan() *plan.Plan {
	return &plan.Plan{Accounts: []plan.Account{{
		Alias: "acme", AccountID: "1001", Fingerprint: "sha256:00",
		Changes: []plan.Change{
			{Action: plan.Create, Name: osc, Account: "acme", Fields: []plan.FieldChange{
				{Field: "urlToPublishTo", After: "https://hooks.example.com/" + html},
				{Field: "events", After: []string{forge}},
			}},
			{Action: plan.Update, Name: forge, Account: "acme", ConnectID: bidi, RenamedFrom: html, Fields: []plan.FieldChange{
				{Field: "name", Before: html, After: forge},
				{Field: "urlToPublishTo", Before: "https://hooks.example.com/listener/" + osc, After: "https://hooks.example.com/listener/" + forge, Note: "case " + forge},
			}},
			{Action: plan.Delete, Name: html, Account: "acme", ConnectID: osc, Reason: "not in the files (prune)"},
			{Action: plan.NoOp, Name: bidi, Account: "acme", ConnectID: "4"},
		},
		Unmanaged:     []plan.Existing{{Name: forge, ConnectID: html, Type: "custom"}},
		Ignored:       []plan.Existing{{Name: osc, ConnectID: "9", Type: "salesforce", Reason: "salesforce: " + bidi}},
		Ambiguous:     []plan.Existing{{Name: html, ConnectID: forge, Type: "custom", Reason: osc}},
		Unexpressible: []plan.Existing{{Name: forge, ConnectID: osc, Type: "custom", Reason: html}},
	}, {
		Alias: "broken", AccountID: "1002", Fingerprint: "sha256:01",
		Errors: []string{"list configurations: 400 INVALID: " + forge + osc},
	}}}
}

func hostileAudit() *audit.Report {
	acct := config.Account{Alias: "acme", AccountID: "1001"}
	return audit.Build([]audit.Input{
		{Account: acct, InFiles: true,
			Desired: []config.Connect{{Account: "acme", Name: forge, Fields: map[string]any{"enableLog": true}}},
			Live: []config.Connect{
				auditConnect("acme", forge, html, sim("http://hooks.example.com/"+osc, "enableLog", false)),
				auditConnect("acme", osc+html, "2", sim("https://hooks.example.com/x", "disabledBy", bidi+forge)),
			},
			Users: map[string]audit.Users{html: {Err: errors.New("403 " + forge)}}},
		{Account: config.Account{Alias: "broken", AccountID: "1002"}, InFiles: true, Err: errors.New("list: 400 " + forge + html)},
	}, audit.Options{Tool: "connectsync test", Policy: config.DefaultPolicy(), Coverage: true})
}

// ourColours are the SGR codes the text renderer itself writes.
var ourColours = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// assertInertText fails if out could drive a terminal or forge a line.
func assertInertText(t *testing.T, what, out string) {
	t.Helper()
	rest := ourColours.ReplaceAllString(out, "")
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u2066"} {
		if strings.Contains(rest, bad) {
			t.Errorf("%s: raw %q reaches the terminal:\n%s", what, bad, out)
		}
	}
	for line := range strings.Lines(rest) {
		if strings.HasPrefix(line, "No changes.") {
			t.Errorf("%s: a forged line %q:\n%s", what, line, out)
		}
	}
}

// assertInertMarkdown fails if out could render HTML, break a code span or
// forge a line, besides what assertInertText checks.
func assertInertMarkdown(t *testing.T, what, out string) {
	t.Helper()
	assertInertText(t, what, out)
	fenced := false
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue // literal text, HTML included
		}
		// Code spans pair up: an odd count means a span was broken out of
		// (escaped backticks, \`, do not count). Inside a span the text is
		// literal; outside, no HTML of the data may remain.
		prose := strings.ReplaceAll(line, "\\`", "")
		if strings.Count(prose, "`")%2 != 0 {
			t.Errorf("%s: unbalanced code span in %q", what, line)
		}
		prose = codeSpan.ReplaceAllString(prose, "")
		for _, bad := range []string{"<img", "</code>"} {
			if strings.Contains(prose, bad) {
				t.Errorf("%s: %q renders in %q", what, bad, line)
			}
		}
	}
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// assertInertJSON checks that JSON escapes it all by encoding, and that the
// values survive the round trip unchanged. (HTML matters only where the
// JSON could be read as HTML; apply --format json leaves it unescaped.)
func assertInertJSON(t *testing.T, what string, out []byte) {
	t.Helper()
	bad := []string{"\x1b", "\x07", "\r", "\u202e", "\u2066"}
	if what != "apply JSON" {
		bad = append(bad, "<img", "</code>")
	}
	for _, bad := range bad {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("%s: raw %q in JSON", what, bad)
		}
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, h := range hostile {
		if !strings.Contains(anyString(v), h) {
			t.Errorf("%s: %q did not survive the JSON round trip", what, h)
		}
	}
}

// anyString joins every string in a decoded JSON value.
func anyString(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x + "\x00")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

func TestHostileTextIsInertInEveryFormat(t *testing.T) {
	t.Parallel()
	p := hostilePlan()
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		PlanText(&b, p, Options{Color: color})
		assertInertText(t, "plan text", b.String())
	}
	var md bytes.Buffer
	if err := PlanMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	assertInertMarkdown(t, "plan markdown", md.String())
	var js bytes.Buffer
	if err := PlanJSON(&js, plan.NewDocument(p, "connectsync test", []string{"hooks.yaml"}, plan.Options{})); err != nil {
		t.Fatal(err)
	}
	assertInertJSON(t, "plan JSON", js.Bytes())

	r := hostileAudit()
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		AuditText(&b, r, Options{Color: color})
		assertInertText(t, "audit text", b.String())
	}
	md.Reset()
	if err := AuditMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	assertInertMarkdown(t, "audit markdown", md.String())
	js.Reset()
	if err := AuditJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	assertInertJSON(t, "audit JSON", js.Bytes())

	var b bytes.Buffer
	res := apply.Result{Account: "acme", Action: plan.Update, Name: osc, ConnectID: html, Status: apply.Failed, Err: errors.New("400: " + forge), Note: bidi}
	ApplyResult(&b, res, Options{Color: true})
	ApplyResult(&b, apply.Result{Account: forge, Action: plan.Create, Name: html, ConnectID: osc, Status: apply.Done, Note: forge}, Options{})
	ApplyReport(&b, apply.Report{Accounts: []apply.AccountReport{{Alias: "acme", Results: []apply.Result{res}, Err: errors.New(forge)}}}, Options{})
	assertInertText(t, "apply lines", b.String())
	js.Reset()
	if err := ApplyJSON(&js, apply.Report{Accounts: []apply.AccountReport{{Alias: "acme", Results: []apply.Result{res}}}}, hostilePlan(), "connectsync test"); err != nil {
		t.Fatal(err)
	}
	assertInertJSON(t, "apply JSON", js.Bytes())

	b.Reset()
	u := NewUsers("acme", "1001", forge, osc, []docusign.User{{UserID: html, UserName: osc, Email: forge, UserStatus: bidi}})
	UsersText(&b, u)
	assertInertText(t, "users text", b.String())
	js.Reset()
	if err := UsersJSON(&js, u); err != nil {
		t.Fatal(err)
	}
	assertInertJSON(t, "users JSON", js.Bytes())

	b.Reset()
	ds := config.Diagnostics{{Severity: config.SeverityError, Pos: config.Pos{File: "hooks.yaml", Line: 3, Col: 9}, Path: "configurations[0].name", Message: "bad name " + forge + osc + bidi}}
	DiagnosticsText(&b, ds, nil)
	DiagnosticsGitHub(&b, ds)
	assertInertText(t, "diagnostics", b.String())
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"orders":              "orders",
		"Überweisung → ok 日本": "Überweisung → ok 日本",
		osc:                   `\x1b]0;pwned\x07`,
		forge:                 `\r\nNo changes.`,
		"a\tb\x7f\u0085":      `a\tb\x7f\u0085`,
		bidi:                  `evil\u202etxt.exe\u2066`,
		"bad \xff byte":       `bad \xff byte`,
	} {
		if got := Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
		if got := Terminal(Terminal(in)); got != want {
			t.Errorf("Terminal is not idempotent on %q: %q", in, got)
		}
	}
}

func TestMarkdownHelpers(t *testing.T) {
	t.Parallel()
	if got, want := escapeCode(html), "</code><img src=x>'"; got != want {
		t.Errorf("escapeCode = %q, want %q (no backtick: inside a span the rest is literal)", got, want)
	}
	if got, want := escapeMD(html), "&lt;/code&gt;&lt;img src=x&gt;\\`"; got != want {
		t.Errorf("escapeMD = %q, want %q", got, want)
	}
	if got, want := codeLine("+ create ```x"+forge), `+ create '''x\r\nNo changes.`; got != want {
		t.Errorf("codeLine = %q, want %q", got, want)
	}
}

// TestRuneEscaperAcrossWrites: the escaping writer gives the same output
// however its input is cut into writes, a rune cut in two included.
func TestRuneEscaperAcrossWrites(t *testing.T) {
	t.Parallel()
	in := []byte("{\"a\": \"x\u202ey\u0085z é \u2028 😀\"}\n")
	var whole strings.Builder
	e := &runeEscaper{w: &whole}
	e.Write(in)
	e.flush()
	if strings.ContainsRune(whole.String(), '\u202e') || !strings.Contains(whole.String(), `\u202e`) || !strings.Contains(whole.String(), "é") {
		t.Fatalf("not escaped: %q", whole.String())
	}
	for cut := range len(in) {
		var got strings.Builder
		e := &runeEscaper{w: &got}
		e.Write(in[:cut])
		e.Write(in[cut:])
		e.flush()
		if got.String() != whole.String() {
			t.Errorf("cut at %d: %q, want %q", cut, got.String(), whole.String())
		}
	}
}
