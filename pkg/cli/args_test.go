package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestNoCommandIgnoresAnArgument runs every command (and subcommand) with an
// extra word after its flags: each must fail and name the word, whether it
// reads it as a file or takes no arguments. No command may ignore it.
func TestNoCommandIgnoresAnArgument(t *testing.T) {
	dir := t.TempDir()
	eachCommand(func(path []string, c *cli.Command) {
		if c.Action == nil {
			return
		}
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			var out bytes.Buffer
			env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out,
				LookupEnv: func(string) (string, bool) { return "", false }, Dir: dir}
			args := append([]string{"connectsync"}, path...)
			args = append(args, "zzz-extra-word")
			code := Run(context.Background(), args, env)
			if code == ExitOK || !strings.Contains(out.String(), "zzz-extra-word") {
				t.Errorf("%s zzz-extra-word: exit %d, output does not name the word:\n%s", strings.Join(path, " "), code, out.String())
			}
		})
	})
}

// eachCommand calls fn with every command and subcommand (help aside) and
// the words that name it.
func eachCommand(fn func(path []string, c *cli.Command)) {
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			path := append(append([]string{}, prefix...), c.Name)
			fn(path, c)
			walk(path, c.Subcommands)
		}
	}
	walk(nil, newApp(Env{}).Commands)
}

// TestSandboxServeCreatesTheFilesAccounts: `sandbox serve -f FILES` creates
// the accounts the files declare, so that every example plans against the
// server (issue 11, item 14), and its banner says how.
func TestSandboxServeCreatesTheFilesAccounts(t *testing.T) {
	dir := t.TempDir()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, LookupEnv: func(string) (string, bool) { return "", false }}
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"connectsync", "sandbox", "serve", "--addr", "127.0.0.1:0", "--state", filepath.Join(dir, "state.json"), "../../examples/quickstart.yaml"}, env)
	}()
	waitFor(t, "the banner", func() bool { return strings.Contains(out.String(), "Stop with Ctrl-C.") })
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	for _, want := range []string{"4c8f6a2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "connectsync sandbox serve -f examples/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, out.String())
		}
	}
}

// TestAFlagWithoutItsValueTakesNoFileName: a flag that takes a value, written
// last with none, took the first file name as its value once the files were
// moved behind the flags: `plan a.yaml --name` planned connectsync.yaml for
// a configuration named "a.yaml"; `validate a.yaml --format` complained of
// the format "a.yaml". Every such flag of every command now says it needs a
// value, and so does one followed by another flag.
func TestAFlagWithoutItsValueTakesNoFileName(t *testing.T) {
	dir := t.TempDir()
	eachCommand(func(path []string, c *cli.Command) {
		for _, f := range c.Flags {
			if dg, ok := f.(cli.DocGenerationFlag); !ok || !dg.TakesValue() || c.Action == nil {
				continue
			}
			flag := "--" + f.Names()[0]
			lines := [][]string{
				append(append([]string{}, path...), "zzz.yaml", flag), // last
				append(append([]string{}, path...), flag, "--help"),   // before another flag
			}
			if len(path) == 1 { // before the command, whose name is no value either
				lines = append(lines, []string{flag, path[0], "zzz.yaml"})
			}
			for _, line := range lines {
				t.Run(strings.Join(line, " "), func(t *testing.T) {
					var out bytes.Buffer
					env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out,
						LookupEnv: func(string) (string, bool) { return "", false }, Dir: dir}
					args := append([]string{"connectsync"}, line...)
					code := Run(context.Background(), args, env)
					if code != ExitError || !strings.Contains(out.String(), "error: "+flag+" needs a value") {
						t.Errorf("%s: exit %d, output:\n%s", strings.Join(args, " "), code, out.String())
					}
				})
			}
		}
	})
}

// TestAOneValueFlagGivenTwiceIsRefused: urfave/cli keeps the last of two
// values (`--out a.json --out b.json` wrote only b.json, `--format json
// --format text` printed text); every flag of one value of every command
// now refuses a second, different one. Lists (-f, --account, …) repeat.
func TestAOneValueFlagGivenTwiceIsRefused(t *testing.T) {
	dir := t.TempDir()
	eachCommand(func(path []string, c *cli.Command) {
		for _, f := range c.Flags {
			dg, ok := f.(cli.DocGenerationFlag)
			if _, list := f.(*cli.StringSliceFlag); !ok || !dg.TakesValue() || list || c.Action == nil {
				continue
			}
			names := f.Names()
			second := "--" + names[len(names)-1] // the alias where there is one: -o then --output
			if len(names[len(names)-1]) == 1 {
				second = "-" + names[len(names)-1]
			}
			args := append(append([]string{"connectsync"}, path...), "--"+names[0], "1", second+"=2")
			t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
				var out bytes.Buffer
				env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out,
					LookupEnv: func(string) (string, bool) { return "", false }, Dir: dir}
				code := Run(context.Background(), args, env)
				if code != ExitError || !strings.Contains(out.String(), "error: --"+names[0]+` is given twice ("1", then "2") and takes one value`) {
					t.Errorf("exit %d, output:\n%s", code, out.String())
				}
			})
		}
	})
}
