package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestNoCommandIgnoresAnArgument runs every command (and subcommand) with an
// extra word after its flags: each must fail and name the word, whether it
// reads it as a file or takes no arguments. No command may ignore it.
func TestNoCommandIgnoresAnArgument(t *testing.T) {
	dir := t.TempDir()
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			path := append(append([]string{}, prefix...), c.Name)
			if c.Action != nil {
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
			}
			walk(path, c.Subcommands)
		}
	}
	walk(nil, newApp(Env{}).Commands)
}
