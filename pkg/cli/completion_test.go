package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// runCompletionCLI runs one command line in-process with no terminal.
func runCompletionCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		LookupEnv: func(string) (string, bool) { return "", false }}
	code = Run(context.Background(), append([]string{"connectsync"}, args...), env)
	return out.String(), errOut.String(), code
}

// appCommand is a command of the app as a user types it: its words after
// "connectsync", and its flags as written (--file, -f).
type appCommand struct {
	path     []string
	commands []string
	flags    []string
}

// appCommands walks the app the tests run, so that the completion and man
// tests follow every command and flag added later.
func appCommands(t *testing.T) []appCommand {
	t.Helper()
	app := newApp(Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, LookupEnv: os.LookupEnv})
	app.Setup() // adds --help and --version, as a run does
	var out []appCommand
	names := func(cmds []*cli.Command) []string {
		var n []string
		for _, c := range cmds {
			if !c.Hidden {
				n = append(n, c.Names()...)
			}
		}
		return n
	}
	flags := func(fs []cli.Flag) []string {
		var n []string
		for _, f := range fs {
			for _, name := range f.Names() {
				n = append(n, dashed(name))
			}
		}
		return n
	}
	out = append(out, appCommand{commands: names(app.VisibleCommands()), flags: flags(app.VisibleFlags())})
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			p := append(slices.Clone(path), c.Name)
			f := flags(c.VisibleFlags())
			if !slices.Contains(f, "--help") {
				f = append(f, "--help", "-h")
			}
			out = append(out, appCommand{path: p, commands: names(c.VisibleCommands()), flags: f})
			walk(p, c.Subcommands)
		}
	}
	walk(nil, app.VisibleCommands())
	if len(out) < 10 {
		t.Fatalf("walked only %d commands", len(out))
	}
	return out
}

func TestCompletionShellArgument(t *testing.T) {
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}, {"completion", "bash", "zsh"}} {
		stdout, stderr, code := runCompletionCLI(t, args...)
		if code != ExitError || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 1 and nothing", args, code, stdout)
		}
		for _, shell := range completionShells {
			if !strings.Contains(stderr, shell) {
				t.Errorf("%v: the error does not name %s:\n%s", args, shell, stderr)
			}
		}
	}
	for _, shell := range completionShells {
		stdout, stderr, code := runCompletionCLI(t, "completion", shell)
		if code != ExitOK || !strings.Contains(stdout, "connectsync") || stderr != "" {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(stdout), stderr)
		}
	}
}

// completionCase is a command line being completed: the words before the
// cursor and the word under it; want is what the script must offer, nil
// meaning nothing (so the shell completes file names).
type completionCase struct {
	words []string
	cur   string
	want  []string
}

func completionCases(t *testing.T) []completionCase {
	var cases []completionCase
	for _, c := range appCommands(t) {
		words := append([]string{"connectsync"}, c.path...)
		cases = append(cases,
			completionCase{words: words, cur: "", want: c.commands},
			completionCase{words: words, cur: "-", want: c.flags})
	}
	return append(cases,
		completionCase{words: []string{"connectsync"}, cur: "pl", want: []string{"plan"}},
		completionCase{words: []string{"connectsync", "plan", "-f", "a.yaml"}, cur: "--de", want: []string{"--debug", "--detailed-exitcode"}},
		// The value of a flag is a file name, not a command.
		completionCase{words: []string{"connectsync", "plan", "--out"}, cur: "", want: nil},
		completionCase{words: []string{"connectsync", "audit", "-f"}, cur: "m", want: nil},
		// ... and a value that happens to be a command name is not one.
		completionCase{words: []string{"connectsync", "audit", "-f", "merge"}, cur: "", want: []string{"merge"}},
		completionCase{words: []string{"connectsync", "audit", "--shard=1/2"}, cur: "me", want: []string{"merge"}},
		completionCase{words: []string{"connectsync", "--no-such-flag", "audit", "merge"}, cur: "--f", want: []string{"--fail-on", "--format"}},
		completionCase{words: []string{"connectsync", "sandbox"}, cur: "s", want: []string{"serve"}},
		completionCase{words: []string{"connectsync", "completion"}, cur: "b", want: nil},
	)
}

// TestBashCompletion sources the script in bash and completes every command
// and the flags of every command, as bash would on TAB.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script, _, code := runCompletionCLI(t, "completion", "bash")
	if code != ExitOK {
		t.Fatal("completion bash failed")
	}
	file := filepath.Join(t.TempDir(), "connectsync.bash")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := completionCases(t)
	// One bash for every case: source the script, read which function it
	// registered for connectsync, and call it as bash does on TAB.
	var sh strings.Builder
	fmt.Fprintf(&sh, "source %s || exit 9\n", singleQuote(file))
	sh.WriteString("spec=$(complete -p connectsync) || exit 8\necho \"spec: $spec\"\nfn=$(sed -E 's/.* -F ([^ ]+) .*/\\1/' <<<\"$spec\")\n")
	for i, c := range cases {
		var q []string
		for _, w := range append(slices.Clone(c.words), c.cur) {
			q = append(q, singleQuote(w))
		}
		fmt.Fprintf(&sh, "COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); \"$fn\" connectsync %s %s; echo \"case %d: ${COMPREPLY[*]}\"\n",
			strings.Join(q, " "), len(c.words), singleQuote(c.cur), singleQuote(c.words[len(c.words)-1]), i)
	}
	out, err := exec.Command(bash, "--noprofile", "--norc", "-c", sh.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	got := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			got[k] = strings.Fields(v)
		}
	}
	if spec := strings.Join(got["spec"], " "); !strings.Contains(spec, "-o default") || !strings.HasSuffix(spec, " connectsync") {
		t.Errorf("complete -p connectsync: %q; want -o default (file names when no word fits)\n%s", spec, out)
	}
	for i, c := range cases {
		res, ok := got[fmt.Sprintf("case %d", i)]
		if !ok {
			t.Fatalf("case %d did not run:\n%s", i, out)
		}
		want := slices.Clone(c.want)
		slices.Sort(want)
		slices.Sort(res)
		if !slices.Equal(res, want) {
			t.Errorf("%s %q<TAB>: offered %q, want %q", strings.Join(c.words, " "), c.cur, res, want)
		}
	}
}

// TestFishCompletion runs fish's own completer over the script, when fish
// is installed; TestOtherCompletionsParse checks the syntax of the others.
func TestFishCompletion(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed")
	}
	script, _, _ := runCompletionCLI(t, "completion", "fish")
	file := filepath.Join(t.TempDir(), "connectsync.fish")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range completionCases(t) {
		if c.want == nil {
			continue // fish then offers the files of its working directory
		}
		line := strings.Join(append(slices.Clone(c.words), c.cur), " ")
		out, err := exec.Command(fish, "--no-config", "-c", "source "+file+"; complete -C "+singleQuote(line)).CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var res []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if name, _, _ := strings.Cut(l, "\t"); name != "" {
				res = append(res, name)
			}
		}
		want := slices.Clone(c.want)
		slices.Sort(want)
		slices.Sort(res)
		if !slices.Equal(res, want) {
			t.Errorf("fish: %s<TAB>: offered %q, want %q", line, res, want)
		}
	}
}

// TestZshCompletion runs the zsh function with _describe and _files
// stubbed (they need zsh's completion system, which only runs on a
// terminal): what it would offer, filtered by the typed prefix as
// _describe does.
func TestZshCompletion(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not installed")
	}
	script, _, _ := runCompletionCLI(t, "completion", "zsh")
	file := filepath.Join(t.TempDir(), "_connectsync")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := completionCases(t)
	var sh strings.Builder
	sh.WriteString("compdef() { :; }\n_files() { print -r -- 'offered: FILES'; }\n")
	sh.WriteString(`_describe() { local n=${@[-1]}; local -a c; c=("${(@P)n}"); print -r -- offered: ${c%%:*}; }` + "\n")
	fmt.Fprintf(&sh, "source %s || exit 9\n", singleQuote(file))
	for i, c := range cases {
		var q []string
		for _, w := range append(slices.Clone(c.words), c.cur) {
			q = append(q, singleQuote(w))
		}
		fmt.Fprintf(&sh, "print -r -- 'case %d'; words=(%s); CURRENT=%d; _connectsync\n", i, strings.Join(q, " "), len(c.words)+1)
	}
	out, err := exec.Command(zsh, "-f", "-c", sh.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("zsh: %v\n%s", err, out)
	}
	got := map[string][]string{}
	var current string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "case ") {
			current = line
			got[current] = []string{}
		} else if v, ok := strings.CutPrefix(line, "offered: "); ok {
			got[current] = append(got[current], strings.Fields(v)...)
		}
	}
	for i, c := range cases {
		res, ok := got[fmt.Sprintf("case %d", i)]
		if !ok {
			t.Fatalf("case %d did not run:\n%s", i, out)
		}
		var offered []string
		for _, w := range res {
			if w == "FILES" || strings.HasPrefix(w, c.cur) {
				offered = append(offered, w)
			}
		}
		want := slices.Clone(c.want)
		if len(want) == 0 {
			want = []string{"FILES"} // zsh has no -o default: the script asks for _files
		}
		slices.Sort(want)
		slices.Sort(offered)
		if !slices.Equal(offered, want) {
			t.Errorf("zsh: %s %q<TAB>: offered %q, want %q", strings.Join(c.words, " "), c.cur, offered, want)
		}
	}
}

func TestOtherCompletionsParse(t *testing.T) {
	for shell, check := range map[string][]string{"zsh": {"zsh", "-n"}, "powershell": {"pwsh", "-NoProfile", "-Command", "$null = [ScriptBlock]::Create((Get-Content -Raw $args[0]))"}} {
		t.Run(shell, func(t *testing.T) {
			bin, err := exec.LookPath(check[0])
			if err != nil {
				t.Skipf("%s is not installed", check[0])
			}
			script, _, _ := runCompletionCLI(t, "completion", shell)
			file := filepath.Join(t.TempDir(), "script")
			if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, append(check[1:], file)...).CombinedOutput(); err != nil {
				t.Errorf("%s does not parse the script: %v\n%s", check[0], err, out)
			}
		})
	}
}

// TestManDocumentsEverything: the man page has a section for every command
// (in order, subcommands one level down) that names each of its flags.
func TestManDocumentsEverything(t *testing.T) {
	page, stderr, code := runCompletionCLI(t, "man")
	if code != ExitOK || stderr != "" {
		t.Fatalf("man: exit %d, %s", code, stderr)
	}
	if !strings.HasPrefix(page, ".nh\n.TH connectsync 1") {
		t.Errorf("not a section 1 man page:\n%.200s", page)
	}
	// The page as text: roff escapes out, one entry per heading.
	plain := strings.NewReplacer(`\-`, "-", `\&`, "", `\fB`, "", `\fP`, "", `\fI`, "").Replace(page)
	heading := regexp.MustCompile(`(?m)^\.(SH|SS) (.*)$`)
	type section struct{ level, title, body string }
	var sections []section
	locs := heading.FindAllStringSubmatchIndex(plain, -1)
	for i, l := range locs {
		end := len(plain)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		sections = append(sections, section{plain[l[2]:l[3]], plain[l[4]:l[5]], plain[l[1]:end]})
	}
	at := 0
	for _, c := range appCommands(t) {
		if len(c.path) == 0 {
			continue
		}
		level := "SH"
		if len(c.path) > 1 {
			level = "SS"
		}
		name := c.path[len(c.path)-1]
		found := -1
		for i := at; i < len(sections); i++ {
			if names := strings.Split(sections[i].title, ", "); sections[i].level == level && slices.Contains(names, name) {
				found = i
				break
			}
		}
		if found < 0 {
			t.Errorf("man: no .%s section for %q after section %d", level, strings.Join(c.path, " "), at)
			continue
		}
		at = found + 1
		for _, f := range c.flags {
			if f == "--help" || f == "-h" {
				continue // every command has it; the page says so once
			}
			if !regexp.MustCompile(`(^|[^-\w])` + regexp.QuoteMeta(f) + `\b`).MatchString(sections[found].body) {
				t.Errorf("man: section %q does not document %s", strings.Join(c.path, " "), f)
			}
		}
	}
	for _, want := range []string{"--help", "--version", "*.yaml"} {
		if !strings.Contains(plain, want) {
			t.Errorf("man: %q missing", want)
		}
	}
	if groff, err := exec.LookPath("groff"); err == nil {
		cmd := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww", "-z")
		cmd.Stdin = strings.NewReader(page)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("groff -man -ww: %v\n%s", err, out)
		}
	}
}
