// Package cli wires connectsync's commands: each urfave/cli command reads its
// flags into an options struct and calls one run function, which writes
// through the writers it is given and returns an error. Only this package
// prints errors and picks exit codes (README.md, "Commands").
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Version and Commit are set at build time with -ldflags "-X …".
var (
	Version = "dev"
	Commit  = "unknown"
)

// Exit codes (README.md, "Commands").
const (
	ExitOK      = 0
	ExitError   = 1
	ExitChanges = 2 // only with --detailed-exitcode: success, and there are changes
)

// Env is what a run may touch outside itself: its streams and environment.
// Tests give it buffers and a map.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	LookupEnv      func(string) (string, bool)
	// StdinIsTerminal and StdoutIsTerminal decide prompting and colour.
	StdinIsTerminal, StdoutIsTerminal, StderrIsTerminal bool
	// Dir is the working directory relative paths start from ("" = process cwd).
	Dir string
}

// Getenv returns an environment variable, "" when unset.
func (e Env) Getenv(name string) string {
	v, _ := e.LookupEnv(name)
	return v
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	return Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		LookupEnv:        os.LookupEnv,
		StdinIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// Main runs connectsync with the process's arguments and environment and
// returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args, OSEnv())
}

// Run runs one command line and returns its exit code.
func Run(ctx context.Context, args []string, env Env) int {
	app := newApp(env)
	err := app.RunContext(ctx, reorder(app, args))
	return exitCode(err, env.Stderr)
}

// exitError carries an exit code and has already been reported (or needs no
// message), such as "there are changes" under --detailed-exitcode.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// errChanges is returned under --detailed-exitcode when there are changes.
var errChanges = &exitError{code: ExitChanges}

// errReported means the command already printed why it failed.
var errReported = &exitError{code: ExitError}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "error:", ee.msg)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "interrupted")
		return ExitError
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "error:") && !strings.Contains(msg, "\n") {
		msg = "error: " + msg
	}
	fmt.Fprintln(stderr, msg)
	return ExitError
}

func newApp(env Env) *cli.App {
	return &cli.App{
		Name:    "connectsync",
		Usage:   "DocuSign Connect configurations as code: validate, plan, apply, audit",
		Version: Version,
		Description: `connectsync keeps DocuSign Connect configurations (account-level webhooks)
in YAML files: validate them, plan the changes against the live accounts,
apply them safely, and audit many accounts for drift and risky settings.

Try it without a DocuSign account, against the built-in sandbox:

   connectsync plan  --sandbox -f examples/quickstart.yaml
   connectsync apply --sandbox -f examples/quickstart.yaml

Credentials come from the environment: DOCUSIGN_ACCESS_TOKEN, or the JWT
grant with DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and
DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY). See README.md.

Exit codes: 0 success (no changes with --detailed-exitcode), 1 error,
2 changes or drift (only with --detailed-exitcode).`,
		Reader:          env.Stdin,
		Writer:          env.Stdout,
		ErrWriter:       env.Stderr,
		HideHelpCommand: true,
		Suggest:         true,
		// Never exit from inside urfave/cli: Run maps errors to exit codes.
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			validateCommand(env),
			planCommand(env),
			applyCommand(env),
			auditCommand(env),
			exportCommand(env),
			usersCommand(env),
			sandboxCommand(env),
			schemaCommand(env),
			versionCommand(env),
			completionCommand(env),
			manCommand(env),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(env.Stderr, "error: unknown command %q; run connectsync --help\n", name)
		},
	}
}

func versionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and commit",
		Action: func(c *cli.Context) error {
			version, commit := buildVersion()
			fmt.Fprintf(env.Stdout, "connectsync %s (commit %s)\n", version, commit)
			return nil
		},
	}
}

// buildVersion is the version and commit set with -ldflags (make build), or
// else what the Go toolchain recorded (go install …@v1.2.3).
func buildVersion() (version, commit string) {
	version, commit = Version, Commit
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version, commit
	}
	if version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && commit == "unknown" {
			commit = s.Value
		}
	}
	return version, commit
}

// reorder lets flags come after positional arguments (urfave/cli stops at
// the first one): for the command found in args, flags anywhere after the
// program name move in front of the positionals. "--" ends flags as usual.
func reorder(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmds, flags := app.Commands, app.Flags
	var path, opts, rest []string
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			opts = append(opts, a)
			if takesValue(cmdFlags(cmds, path, flags), a) && !strings.Contains(a, "=") && i+1 < len(args) {
				i++
				opts = append(opts, args[i])
			}
			continue
		}
		if len(rest) == 0 {
			if sub := findCommand(cmds, path, a); sub != nil {
				path = append(path, a)
				continue
			}
		}
		rest = append(rest, a)
	}
	out := append([]string{args[0]}, path...)
	out = append(out, opts...)
	return append(out, rest...)
}

func findCommand(cmds []*cli.Command, path []string, name string) *cli.Command {
	list := cmds
	for _, p := range path {
		c := lookupCommand(list, p)
		if c == nil {
			return nil
		}
		list = c.Subcommands
	}
	return lookupCommand(list, name)
}

func lookupCommand(list []*cli.Command, name string) *cli.Command {
	for _, c := range list {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

func cmdFlags(cmds []*cli.Command, path []string, app []cli.Flag) []cli.Flag {
	if len(path) == 0 {
		return app
	}
	if c := findCommand(cmds, path[:len(path)-1], path[len(path)-1]); c != nil {
		return c.Flags
	}
	return app
}

// takesValue reports whether a flag (as written, e.g. "-f" or "--out")
// consumes the next argument.
func takesValue(flags []cli.Flag, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if dg, ok := f.(cli.DocGenerationFlag); ok {
				return dg.TakesValue()
			}
		}
	}
	return false
}
