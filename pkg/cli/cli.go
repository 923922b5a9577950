// Package cli wires connectsync's commands: each urfave/cli command reads its
// flags into an options struct and calls one run function, which writes
// through the writers it is given and returns an error. Only this package
// prints errors and picks exit codes (see "Exit codes" in README.md).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/render"
)

// Version and Commit are set at build time with -ldflags "-X …". Read them
// through buildInfo, which also knows what `go install …@v1.2.3` recorded.
var (
	Version = "dev"
	Commit  = "unknown"
)

// Exit codes (README "Exit codes").
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

// noColor reports whether NO_COLOR asks for no colour: set and not empty,
// as no-color.org defines it.
func (e Env) noColor() bool { return e.Getenv("NO_COLOR") != "" }

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
//
// The first Ctrl-C (or SIGTERM) cancels the run's context: commands that
// only read stop at once, and apply finishes the call in flight, then stops.
// A second one exits immediately, as Terraform does.
func Main() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		cancel()
		if _, ok := <-sigs; ok {
			fmt.Fprintln(os.Stderr, "\nInterrupted again: exiting now. A call in flight may or may not have been applied; run plan to see where things stand.")
			os.Exit(130)
		}
	}()
	return Run(ctx, os.Args, OSEnv())
}

// Run runs one command line and returns its exit code.
func Run(ctx context.Context, args []string, env Env) int {
	app := newApp(env)
	args, err := resolve(app, args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
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
			fmt.Fprintln(stderr, "error:", render.Terminal(ee.msg))
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		if docusign.IsOutcomeUnknown(err) {
			// What may have been done matters more than the interruption.
			fmt.Fprintln(stderr, "interrupted:", errorText(err))
			return ExitError
		}
		fmt.Fprintln(stderr, "interrupted")
		return ExitError
	}
	msg := errorText(err)
	if !strings.HasPrefix(msg, "error:") && !strings.Contains(msg, "\n") {
		msg = "error: " + msg
	}
	fmt.Fprintln(stderr, msg)
	return ExitError
}

// errorText is err's message made inert for a terminal (it may quote
// DocuSign's answers or the files): one line, or one line per error joined
// with errors.Join.
func errorText(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, e := range j.Unwrap() {
			lines = append(lines, errorText(e))
		}
		return strings.Join(lines, "\n")
	}
	return render.Terminal(err.Error())
}

func newApp(env Env) *cli.App {
	version, _ := buildInfo()
	app := &cli.App{
		Name:    "connectsync",
		Usage:   "DocuSign Connect configurations as code: validate, plan, apply, audit",
		Version: version,
		Description: `connectsync keeps DocuSign Connect configurations (account-level webhooks)
in YAML files: validate them, plan the changes against the live accounts,
apply them safely, and audit many accounts for drift and risky settings.

Try it without a DocuSign account, against the built-in sandbox:

   connectsync plan  --sandbox examples/quickstart.yaml
   connectsync apply --sandbox examples/quickstart.yaml

Files are given with -f or as arguments; without either, connectsync.yaml.
Credentials come from the environment: DOCUSIGN_ACCESS_TOKEN, or the JWT
grant with DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and
DOCUSIGN_PRIVATE_KEY_FILE (or DOCUSIGN_PRIVATE_KEY). See README.md.

Exit codes: 0 success (no changes with --detailed-exitcode), 1 error,
2 changes or drift (only with --detailed-exitcode).`,
		Reader:    env.Stdin,
		Writer:    env.Stdout,
		ErrWriter: env.Stderr,
		// Never exit from inside urfave/cli: Run maps errors to exit codes.
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			validateCommand(env),
			planCommand(env),
			applyCommand(env),
			showCommand(env),
			auditCommand(env),
			exportCommand(env),
			importCommand(env),
			fmtCommand(env),
			usersCommand(env),
			failuresCommand(env),
			logsCommand(env),
			retryCommand(env),
			republishCommand(env),
			probeCommand(env),
			hmacCommand(env),
			sandboxCommand(env),
			schemaCommand(env),
			versionCommand(env),
			completionCommand(env),
			manCommand(env),
		},
	}
	app.OnUsageError = usageErrorHandler(app.Flags, "connectsync")
	for _, c := range app.Commands {
		setUsageErrors(c, "connectsync")
	}
	return app
}

// setUsageErrors makes a bad flag a one-line error with a suggestion, for a
// command and its subcommands, instead of the help text.
func setUsageErrors(c *cli.Command, parent string) {
	full := parent + " " + c.Name
	c.OnUsageError = usageErrorHandler(c.Flags, full)
	c.HideHelpCommand = true
	for _, sub := range c.Subcommands {
		setUsageErrors(sub, full)
	}
}

func usageErrorHandler(flags []cli.Flag, command string) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
			name = "--" + strings.TrimLeft(name, "-")
			var names []string
			for _, f := range flags {
				for _, n := range f.Names() {
					names = append(names, "--"+n)
				}
			}
			msg = fmt.Sprintf("unknown flag %s for %q", name, command)
			if s := suggest(name, names); s != "" {
				msg += fmt.Sprintf("; did you mean %s?", s)
			}
			return usageError(msg + fmt.Sprintf(" (%s --help lists the flags)", command))
		}
		return usageError(fmt.Sprintf("%s (%s --help says more)", msg, command))
	}
}

func versionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and commit",
		Flags: []cli.Flag{formatFlag("text", "json")},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			version, commit := buildInfo()
			if c.String(flagFormat) == "json" {
				return writeJSON(env.Stdout, struct {
					Version  string `json:"version"`
					Commit   string `json:"commit"`
					Go       string `json:"go"`
					Platform string `json:"platform"`
				}{version, commit, runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH})
			}
			fmt.Fprintf(env.Stdout, "connectsync %s (commit %s)\n", version, commit)
			return nil
		},
	}
}

// buildInfo is the one source of the version and commit (--version,
// version, the User-Agent, plan and report files): what -ldflags set (make
// build, releases), or else what the Go toolchain recorded (go install
// …@v1.2.3, or a build from a git checkout).
var buildInfo = sync.OnceValues(func() (version, commit string) {
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
})

// toolName names this build in plan and report files: "connectsync v1.2.3".
func toolName() string {
	v, _ := buildInfo()
	return "connectsync " + v
}

// noArgs refuses arguments on a command that takes none: nothing the user
// typed is ignored.
func noArgs(c *cli.Context) error {
	if c.Args().Present() {
		return usageError(fmt.Sprintf("%s takes no arguments (got %q)", c.Command.Name, c.Args().First()))
	}
	return nil
}

// resolve checks the command words before urfave/cli sees them (which
// reports an unknown command and exits 0), turns `help X` into `X --help`,
// and lets flags come after positional arguments (urfave/cli stops at the
// first one): for the command found, flags anywhere after the program name
// move in front of the positionals. "--" ends flags as usual.
func resolve(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	// The command is the first word that is not a flag or a flag's value.
	start := -1
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			continue
		}
		if lookupCommand(app.Commands, a) != nil || a == "help" || a == "h" {
			start = i
			break
		}
		if prev := args[i-1]; i > 1 && strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") && anyTakesValue(app.Commands, prev) {
			continue // the value of a flag written before the command
		}
		return nil, unknownCommand(a, app.Commands, "connectsync")
	}
	if start < 0 {
		return args, nil // flags only: --help, --version, or nothing
	}
	if args[start] == "help" || args[start] == "h" { // urfave/cli adds the help command itself
		return helpArgs(app, args[0], args[start+1:])
	}
	return reorder(app, args, start)
}

// helpArgs turns `help [COMMAND...]` into `[COMMAND...] --help`, refusing
// an unknown command.
func helpArgs(app *cli.App, prog string, words []string) ([]string, error) {
	out := []string{prog}
	list, name := app.Commands, "connectsync"
	for _, w := range words {
		c := lookupCommand(list, w)
		if c == nil {
			return nil, unknownCommand(w, list, name)
		}
		out = append(out, c.Name)
		list, name = c.Subcommands, name+" "+c.Name
	}
	return append(out, "--help"), nil
}

func unknownCommand(word string, list []*cli.Command, parent string) error {
	var names []string
	for _, c := range list {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	msg := fmt.Sprintf("unknown command %q", word)
	if parent != "connectsync" {
		msg += fmt.Sprintf(" for %q (its commands: %s)", parent, strings.Join(names, ", "))
	}
	if s := suggest(word, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usageError(msg + fmt.Sprintf(" (%s --help lists the commands)", parent))
}

// reorder builds the argument list urfave/cli can parse: the program, the
// command path (subcommands included), every flag, then the positionals.
func reorder(app *cli.App, args []string, start int) ([]string, error) {
	cmd := lookupCommand(app.Commands, args[start])
	path := []string{cmd.Name}
	name := "connectsync " + cmd.Name
	var opts, rest []string
	// flagAt copies the flag at args[i] to opts, with its value if it takes
	// one, and returns the index of the last word used. The value must come
	// before end (the command word, or the end of the line): without this
	// check a flag written last with no value took the first file name as
	// its value once the files moved to the end (`plan a.yaml --name`
	// planned connectsync.yaml for a configuration named "a.yaml").
	flagAt := func(i, end int) (int, error) {
		a := args[i]
		opts = append(opts, a)
		if !takesValue(cmd.Flags, a) || strings.Contains(a, "=") {
			return i, nil
		}
		switch {
		case i+1 == end || args[i+1] == "--":
			return i, usageError(fmt.Sprintf("%s needs a value: %s VALUE (%s --help says more)", a, a, name))
		case isFlagOf(cmd.Flags, args[i+1]):
			return i, usageError(fmt.Sprintf("%s needs a value, and %s after it is a flag: write %s VALUE (or %s=%s if that is the value)", a, args[i+1], a, a, args[i+1]))
		}
		opts = append(opts, args[i+1])
		return i + 1, nil
	}
	var err error
	for i := 1; i < start && err == nil; i++ { // flags written before the command
		i, err = flagAt(i, start)
	}
	for i := start + 1; i < len(args) && err == nil; i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			i, err = flagAt(i, len(args))
			continue
		}
		if len(rest) == 0 && len(cmd.Subcommands) > 0 {
			if sub := lookupCommand(cmd.Subcommands, a); sub != nil {
				cmd = sub
				path = append(path, sub.Name)
				name += " " + sub.Name
				continue
			}
			if cmd.Action == nil { // a group of commands takes no arguments of its own
				return nil, unknownCommand(a, cmd.Subcommands, name)
			}
		}
		rest = append(rest, a)
	}
	if err != nil {
		return nil, err
	}
	if cmd.Action == nil && len(cmd.Subcommands) > 0 && !slices.Contains(opts, "--help") && !slices.Contains(opts, "-h") {
		var names []string
		for _, s := range cmd.Subcommands {
			names = append(names, s.Name)
		}
		return nil, usageError(fmt.Sprintf("%s needs a command: %s (%s --help says more)", name, strings.Join(names, ", "), name))
	}
	if err := checkRepeats(cmd.Flags, opts); err != nil {
		return nil, err
	}
	out := append([]string{args[0]}, path...)
	out = append(out, opts...)
	return append(out, rest...), nil
}

// checkRepeats refuses a flag of one value given twice with different
// values (urfave/cli keeps the last: `--out a.json --out b.json` wrote
// only b.json). Repeatable flags (-f, --account, …) are lists.
func checkRepeats(flags []cli.Flag, opts []string) error {
	seen := map[string]string{}
	for i := 0; i < len(opts); i++ {
		name, value, inline := strings.Cut(strings.TrimLeft(opts[i], "-"), "=")
		f := flagNamed(flags, name)
		if f == nil {
			continue
		}
		dg, ok := f.(cli.DocGenerationFlag)
		if !ok || !dg.TakesValue() {
			continue
		}
		if !inline && i+1 < len(opts) {
			i++
			value = opts[i]
		}
		if _, list := f.(*cli.StringSliceFlag); list {
			continue
		}
		key := f.Names()[0]
		if before, twice := seen[key]; twice && before != value {
			return usageError(fmt.Sprintf("--%s is given twice (%q, then %q) and takes one value: give it once", key, before, value))
		}
		seen[key] = value
	}
	return nil
}

func flagNamed(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

func lookupCommand(list []*cli.Command, name string) *cli.Command {
	for _, c := range list {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// anyTakesValue reports whether some command has a flag, written as arg,
// that takes a value (so that `connectsync -f x.yaml plan` works).
func anyTakesValue(cmds []*cli.Command, arg string) bool {
	for _, c := range cmds {
		if takesValue(c.Flags, arg) || anyTakesValue(c.Subcommands, arg) {
			return true
		}
	}
	return false
}

// isFlagOf reports whether arg is written as one of the flags (e.g. "--prune").
func isFlagOf(flags []cli.Flag, arg string) bool {
	if !strings.HasPrefix(arg, "-") {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return flagNamed(flags, name) != nil || name == "help" || name == "h"
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

// CommandNames lists every command as help shows it, subcommands as
// "audit merge", for the README's table (and its test).
func CommandNames() []string {
	var out []string
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			if c.Action != nil {
				out = append(out, prefix+c.Name)
			}
			walk(prefix+c.Name+" ", c.Subcommands)
		}
	}
	walk("", newApp(Env{}).Commands)
	return append(out, "help")
}
