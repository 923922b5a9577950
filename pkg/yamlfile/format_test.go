package yamlfile_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

// TestFormatGolden pins fmt's output on files written the way people write
// them: testdata/fmt/NAME.yaml formats to NAME.golden.yaml, which is
// already canonical (fmt of fmt changes nothing).
func TestFormatGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob("testdata/fmt/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.yaml") {
			continue
		}
		t.Run(filepath.Base(in), func(t *testing.T) {
			t.Parallel()
			data := readFile(t, in)
			got, err := yamlfile.Format(in, data)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".yaml") + ".golden.yaml"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(string(readFile(t, golden)), string(got)); diff != "" {
				t.Errorf("%s (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
			again, err := yamlfile.Format(golden, got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), string(again)); diff != "" {
				t.Errorf("fmt of fmt changes it (-once +twice):\n%s", diff)
			}
			sameLoad(t, in, data, got)
		})
	}
}

// TestFormatRefuses: what fmt cannot write back is an error at its place,
// and nothing is returned.
func TestFormatRefuses(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ in, want string }{
		"tab indentation": {"version: 1\naccounts:\n\t- alias: a\n", "f.yaml:3:1: invalid YAML: a tab indents this line"},
		"unclosed list":   {"version: 1\nconfigurations:\n  - name: a\n    events: [envelope-sent\n    allUsers: true\n", "f.yaml:4:13: invalid YAML: this list ([) is never closed"},
		"empty":           {"# nothing yet\n", "f.yaml:1:1: the file is empty"},
		"two documents":   {"version: 1\n---\nversion: 1\n", "f.yaml:2:1: the file holds a second YAML document"},
		"duplicate key":   {"version: 1\nconfigurations:\n  - name: a\n    enableLog: true\n    enableLog: false\n", `f.yaml:5:5: key "enableLog" is written twice (first at line 4)`},
		"comment in flow": {"version: 1\nconfigurations:\n  - name: a\n    events: [ # the two we need\n      envelope-sent, envelope-completed]\n", "f.yaml:4:13: a comment inside a list or mapping in brackets that spans several lines cannot be kept"},
		"alias moves up":  {"version: 1\nconfigurations:\n  - name: a\n    enableLog: &on true\ndefaults:\n  includeHMAC: *on\n", "f.yaml:6:16: the canonical key order would put alias *on before its anchor &on"},
		"billion laughs": {"version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
			"f.yaml:1:1: fmt cannot read the file's values to check its work: document contains excessive aliasing"},
		"alias in a field": {"version: 1\nconfigurations:\n  - name: a\n    enableLog: &on true\n    allUsers: *on\n", "f.yaml:5:15: the canonical key order would put alias *on before its anchor &on"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := yamlfile.Format("f.yaml", []byte(tc.in))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || out != nil {
				t.Errorf("Format = %q, %v\nwant the error %q", out, err, tc.want)
			}
			var d config.Diagnostic
			if !errors.As(err, &d) {
				t.Errorf("the error is a %T, not a config.Diagnostic", err)
			}
		})
	}
}

// TestFormatKeepsMeaning is fmt's promise on every connectsync file in the
// repository (examples, the loader's fuzz seeds, export goldens, every
// YAML file of the CLI journeys) and on a generated corpus: the formatted
// text loads to the same desired state with the same diagnostics
// (positions aside), keeps every comment, and is a fixed point.
func TestFormatKeepsMeaning(t *testing.T) {
	t.Parallel()
	files := repoFiles(t)
	if len(files) < 50 {
		t.Fatalf("only %d files in the corpus", len(files))
	}
	formatted := 0
	for _, f := range files {
		out, err := yamlfile.Format(f.name, f.data)
		var d config.Diagnostic
		switch {
		case err != nil && errors.As(err, &d):
			continue // a file fmt refuses, with its place: nothing to compare
		case err != nil:
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		formatted++
		sameLoad(t, f.name, f.data, out)
		again, err := yamlfile.Format(f.name, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("%s: fmt of fmt changes it: %v\n%s", f.name, err, cmp.Diff(string(out), string(again)))
		}
	}
	if formatted < len(files)*3/4 {
		t.Errorf("only %d of %d files formatted", formatted, len(files))
	}
}

// TestFormatGeneratedCorpus writes files with random key order, styles,
// indentation, quoting, anchors and comments in every place a person puts
// them, each comment a unique word: fmt must keep each exactly once, and
// the file's meaning.
func TestFormatGeneratedCorpus(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		g := newGenerator(seed)
		data := g.file()
		name := fmt.Sprintf("generated-%d.yaml", seed)
		out, err := yamlfile.Format(name, data)
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, data)
			continue
		}
		for _, c := range g.comments {
			if n := bytes.Count(out, []byte(c+"\n")) + bytes.Count(out, []byte(c+"\r")) + bytes.Count(out, []byte(c+" ")); n != 1 {
				t.Errorf("%s: comment %q appears %d times in the output:\n%s\n-- formatted:\n%s", name, c, n, data, out)
			}
		}
		sameLoad(t, name, data, out)
		again, err := yamlfile.Format(name, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("%s: fmt of fmt changes it: %v\n%s", name, err, cmp.Diff(string(out), string(again)))
		}
	}
}

// TestExamplesAreFormatted: the examples users copy are in canonical form
// (fmt --check examples/ passes).
func TestExamplesAreFormatted(t *testing.T) {
	t.Parallel()
	for _, f := range globFiles(t, "../../examples/*.yaml", "../../examples/*/*.yaml") {
		out, err := yamlfile.Format(f.name, f.data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if diff := cmp.Diff(string(f.data), string(out)); diff != "" {
			t.Errorf("%s is not formatted; run connectsync fmt on it (-file +fmt):\n%s", f.name, diff)
		}
	}
}

// FuzzFormat: on any input fmt either refuses it with a diagnostic at a
// place, or returns a fixed point that loads like the input. Its own
// safety check failing (meaning or comments changed) is a failure here.
func FuzzFormat(f *testing.F) {
	for _, file := range repoFiles(f) {
		f.Add(file.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := yamlfile.Format("f.yaml", data)
		var d config.Diagnostic
		if err != nil && !errors.As(err, &d) {
			t.Fatalf("not a refusal of the input but a failure of fmt: %v", err)
		}
		if err != nil {
			return
		}
		sameLoad(t, "f.yaml", data, out)
		again, err := yamlfile.Format("f.yaml", out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("fmt of fmt changes it: %v\n%s", err, cmp.Diff(string(out), string(again)))
		}
	})
}

type file struct {
	name string
	data []byte
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func globFiles(t testing.TB, patterns ...string) []file {
	t.Helper()
	var out []file
	for _, p := range patterns {
		names, err := filepath.Glob(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			out = append(out, file{n, readFile(t, n)})
		}
	}
	return out
}

// repoFiles is every connectsync file the repository holds.
func repoFiles(t testing.TB) []file {
	t.Helper()
	files := globFiles(t, "../../examples/*.yaml", "../../examples/*/*.yaml", "testdata/*/*.yaml", "../config/testdata/*/*.yaml")
	seeds, err := filepath.Glob("../config/testdata/fuzz/*/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds { // go test fuzz v1, then []byte("…")
		lines := strings.SplitN(string(readFile(t, s)), "\n", 2)
		if len(lines) < 2 {
			continue
		}
		text, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lines[1]), "[]byte("), ")"))
		if err == nil {
			files = append(files, file{s, []byte(text)})
		}
	}
	scripts, err := filepath.Glob("../cli/testdata/script/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scripts {
		a, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".yaml") || strings.HasSuffix(f.Name, ".yml") {
				files = append(files, file{s + ":" + f.Name, f.Data})
			}
		}
	}
	return files
}

// sameLoad checks that two texts of one file load alike: the same desired
// state and the same diagnostics, wherever they were written.
func sameLoad(t testing.TB, name string, before, after []byte) {
	t.Helper()
	env := func(string) (string, bool) { return "from-env", true }
	opts := config.LoadOptions{LookupEnv: env}
	d1, ds1 := config.LoadSources([]config.Source{{Name: "f.yaml", Data: before}}, opts)
	d2, ds2 := config.LoadSources([]config.Source{{Name: "f.yaml", Data: after}}, opts)
	ignore := cmp.Options{
		cmpopts.IgnoreTypes(config.Pos{}, &config.Pos{}),
		cmpopts.IgnoreFields(config.Connect{}, "FieldPos"),
		cmpopts.SortSlices(func(a, b string) bool { return a < b }), // DefaultKeys follow the written order
		cmpopts.EquateEmpty(),
	}
	if diff := cmp.Diff(d1, d2, ignore); diff != "" {
		t.Errorf("%s: fmt changes the desired state (-before +after):\n%s\n-- before:\n%s\n-- after:\n%s", name, diff, before, after)
	}
	if diff := cmp.Diff(messages(ds1), messages(ds2)); diff != "" {
		t.Errorf("%s: fmt changes the diagnostics (-before +after):\n%s\n-- before:\n%s\n-- after:\n%s", name, diff, before, after)
	}
}

// messages are the diagnostics without their places, and without the text
// they quote from the file: fmt may spell a value differently (null for an
// empty value in brackets, quotes), never make it mean something else,
// which samePayload and the desired state check.
func messages(ds config.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, quoted.ReplaceAllString(string(d.Severity)+" "+d.Path+": "+d.Message+"; "+d.Hint, `"…"`))
	}
	slices.Sort(out)
	return out
}

var quoted = regexp.MustCompile(`"[^"]*"`)

// generator writes random connectsync files as text, the way people do:
// any key order, block or flow, indented by 2 or 4, list items under their
// key or indented, quoted or not, with comments above, beside and below.
type generator struct {
	r        *rand.Rand
	b        strings.Builder
	comments []string
	indent   int  // spaces per level
	outdent  bool // list items at their key's column
	anchored bool // an eventData anchor exists
}

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, 42))
	return &generator{r: r, indent: []int{2, 4}[r.IntN(2)], outdent: r.IntN(3) == 0}
}

func (g *generator) chance(n int) bool { return g.r.IntN(n) == 0 }

// comment returns a new unique comment.
func (g *generator) comment() string {
	c := fmt.Sprintf("#c%d", len(g.comments))
	g.comments = append(g.comments, c)
	return c
}

// line writes text at column col, maybe with a comment beside it.
func (g *generator) line(col int, text string) {
	g.b.WriteString(strings.Repeat(" ", col) + text)
	if g.chance(5) {
		g.b.WriteString(" " + g.comment())
	}
	g.b.WriteString("\n")
}

// head may write a blank line and comment lines above something.
func (g *generator) head(col int) {
	if g.chance(8) {
		g.b.WriteString("\n")
	}
	for g.chance(5) {
		g.b.WriteString(strings.Repeat(" ", col) + g.comment() + "\n")
	}
}

func (g *generator) scalar(s string) string {
	switch g.r.IntN(4) {
	case 0:
		return strconv.Quote(s)
	case 1:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return s
}

// kv is one key and how to write it (and its value) at a column.
type kv struct {
	key   string
	write func(col int, key string)
}

func (g *generator) plain(v string) func(int, string) {
	return func(col int, key string) { g.line(col, key+": "+v) }
}

func (g *generator) list(items ...string) func(int, string) {
	return func(col int, key string) {
		if g.chance(2) {
			g.line(col, key+": ["+strings.Join(items, ", ")+"]")
			return
		}
		g.line(col, key+":")
		c := col + g.indent
		if g.outdent {
			c = col
		}
		for _, it := range items {
			g.head(c)
			g.line(c, "- "+it)
		}
	}
}

func (g *generator) mapping(pairs []kv) func(int, string) {
	return func(col int, key string) {
		g.line(col, key+":")
		for _, p := range pairs {
			g.head(col + g.indent)
			p.write(col+g.indent, p.key)
		}
	}
}

// pick keeps the first n pairs and each other one with probability 1/2,
// shuffled.
func (g *generator) pick(n int, pairs []kv) []kv {
	out := slices.Clone(pairs[:n])
	for _, p := range pairs[n:] {
		if g.chance(2) {
			out = append(out, p)
		}
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// items writes a list of mappings under key.
func (g *generator) items(col int, key string, list [][]kv) {
	g.line(col, key+":")
	dash := col + g.indent
	if g.outdent {
		dash = col
	}
	for _, pairs := range list {
		g.head(dash)
		for i, p := range pairs {
			if i > 0 {
				g.head(dash + 2)
			}
			mark := g.b.Len()
			p.write(dash+2, p.key)
			if i == 0 { // the first pair goes on the dash's line
				text := []byte(g.b.String())
				copy(text[mark+dash:], "- ")
				g.b.Reset()
				g.b.Write(text)
			}
		}
		if g.chance(6) {
			g.b.WriteString(strings.Repeat(" ", dash+2) + g.comment() + "\n")
		}
	}
}

func (g *generator) file() []byte {
	if g.chance(2) {
		g.b.WriteString("# yaml-language-server: $schema=../schema/connectsync.schema.json\n" + g.comment() + "\n")
		if g.chance(2) {
			g.b.WriteString("\n")
		}
	}
	aliases := []string{"a1", "a2"}
	sections := []kv{
		{"version", g.plain("1")},
		{"accounts", func(col int, key string) {
			if g.chance(4) {
				g.line(col, key+":")
				for i, alias := range aliases {
					g.line(col+g.indent, fmt.Sprintf("- { alias: %s, accountId: 1111111%d-2222-4333-8444-555555555555 }", alias, i))
				}
				return
			}
			var list [][]kv
			for i, alias := range aliases {
				list = append(list, g.pick(2, []kv{
					{"alias", g.plain(g.scalar(alias))},
					{"accountId", g.plain(g.scalar(fmt.Sprintf("1111111%d-2222-4333-8444-555555555555", i)))},
					{"environment", g.plain("demo")},
					{"vars", g.mapping([]kv{{"hooks", g.plain(g.scalar("https://hooks.example.com"))}})},
				}))
			}
			g.items(col, key, list)
		}},
		{"defaults", func(col int, key string) {
			// An alias here could come before its anchor once defaults moves up.
			anchored := g.anchored
			g.anchored = false
			g.mapping(g.pick(1, g.fields()))(col, key)
			g.anchored = anchored || g.anchored
		}},
		{"configurations", func(col int, key string) {
			if g.chance(10) {
				g.line(col, key+": []")
				return
			}
			var list [][]kv
			for i := range 1 + g.r.IntN(3) {
				list = append(list, g.pick(1, append([]kv{{"name", g.plain(g.scalar(fmt.Sprintf("hook %d", i)))}},
					append(g.fields(), kv{"accounts", g.list(aliases[:1+g.r.IntN(2)]...)})...)))
			}
			g.items(col, key, list)
		}},
		{"policy", func(col int, key string) {
			g.mapping(g.pick(1, []kv{
				{"requireHttps", g.plain("true")},
				{"allowedHosts", g.list(`"*.example.com"`, "hooks.example.com")},
				{"requiredEvents", g.list("envelope-completed")},
				{"severity", g.mapping([]kv{{"requireLogging", g.plain("medium")}})},
			}))(col, key)
		}},
	}
	for _, s := range g.pick(1, sections) {
		g.head(0)
		s.write(0, s.key)
	}
	if g.chance(3) {
		g.b.WriteString(g.comment() + "\n")
	}
	if g.chance(8) {
		return []byte(strings.ReplaceAll(g.b.String(), "\n", "\r\n"))
	}
	return []byte(g.b.String())
}

// fields are configuration fields with values the loader accepts.
func (g *generator) fields() []kv {
	eventData := func(col int, key string) {
		if g.anchored && g.chance(3) {
			g.line(col, key+": *ed")
			return
		}
		if g.anchored && g.chance(3) {
			g.line(col, key+": {<<: *ed, format: json}")
			return
		}
		anchor := ""
		if !g.anchored && g.chance(3) {
			anchor, g.anchored = " &ed", true
		}
		if g.chance(2) {
			g.line(col, key+":"+anchor+" {version: restv2.1, includeData: [recipients]}")
			return
		}
		g.line(col, key+":"+anchor)
		g.head(col + g.indent)
		g.line(col+g.indent, "version: restv2.1")
		g.head(col + g.indent)
		g.list("recipients", "tabs")(col+g.indent, "includeData")
	}
	return []kv{
		{"urlToPublishTo", g.plain(g.scalar([]string{"${var.hooks}/docusign", "https://x.example.com/a#frag", "https://x.example.com/$${literal}"}[g.r.IntN(3)]))},
		{"colour", g.plain("blue")}, // unknown: an error that must stay the same
		{"allUsers", g.plain("true")},
		{"deliveryMode", g.plain("SIM")},
		{"eventData", eventData},
		{"events", g.list("envelope-sent", "envelope-completed")},
		{"enableLog", g.plain("true")},
		{"includeHMAC", g.plain("false")},
		{"userName", g.plain(g.scalar("listener"))},
		{"password", g.plain(g.scalar("${env.LISTENER_PASSWORD}"))},
		{"allowEnvelopePublish", g.plain("true")},
	}
}
