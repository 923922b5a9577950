package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/config"
)

// commonOptions are the flags most commands share (README "Commands").
type commonOptions struct {
	// Files are -f values and the command's arguments, in that order.
	Files        []string
	Accounts     []string
	Format       string
	NoColor      bool
	Sandbox      bool
	SandboxState string
	// SandboxWait bounds the wait for another run that uses the sandbox
	// state (--sandbox-lock-timeout).
	SandboxWait time.Duration
	Concurrency int
	Verbose     bool
	Debug       bool
	HTTPTimeout time.Duration
	// Environment is --environment, for --all-accounts without accounts in the files.
	Environment string
	// needSecrets is set by apply and republish, the commands that send secrets:
	// their variables must be set. Others warn and go on.
	needSecrets bool
}

// Flag names shared by several commands.
const (
	flagFile         = "file"
	flagAccount      = "account"
	flagFormat       = "format"
	flagNoColor      = "no-color"
	flagSandbox      = "sandbox"
	flagSandboxState = "sandbox-state"
	flagSandboxWait  = "sandbox-lock-timeout"
	flagConcurrency  = "concurrency"
	flagVerbose      = "verbose"
	flagDebug        = "debug"
	flagHTTPTimeout  = "http-timeout"
)

// defaultSandboxState is where --sandbox keeps the emulator's state, so that
// plan → apply → plan persists between runs.
const defaultSandboxState = ".connectsync/sandbox.json"

func fileFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: flagFile, Aliases: []string{"f"}, TakesFile: true,
		Usage: "a file, or a directory of *.yaml/*.yml files (repeatable; files may also be given as arguments; default connectsync.yaml)"}
}

// choiceFlag is a flag whose value is one of a few words, declared once here
// and checked the same way for every command: the first value is the default.
func choiceFlag(name, usage string, values ...string) *cli.StringFlag {
	return &cli.StringFlag{Name: name, Value: values[0], Usage: usage + ": " + strings.Join(values, ", "),
		Action: func(_ *cli.Context, v string) error {
			if !slices.Contains(values, v) {
				return usageError(fmt.Sprintf("--%s %q: use one of %s", name, v, strings.Join(values, ", ")))
			}
			return nil
		}}
}

func formatFlag(formats ...string) cli.Flag {
	return choiceFlag(flagFormat, "output format", formats...)
}

func noColorFlag() cli.Flag {
	return &cli.BoolFlag{Name: flagNoColor, Usage: "no colour in the output (a non-empty NO_COLOR does the same)"}
}

// apiFlags are the flags of commands that talk to DocuSign.
func apiFlags() []cli.Flag {
	return []cli.Flag{
		fileFlag(),
		&cli.StringSliceFlag{Name: flagAccount, Usage: "only this account alias (repeatable; default every account in the files)"},
		noColorFlag(),
		&cli.BoolFlag{Name: flagSandbox, Usage: "use the built-in DocuSign Connect emulator instead of DocuSign (no account needed)"},
		&cli.StringFlag{Name: flagSandboxState, Value: defaultSandboxState, TakesFile: true, Usage: "where --sandbox keeps its state"},
		sandboxWaitFlag(),
		&cli.IntFlag{Name: flagConcurrency, Value: 8, Usage: "calls in flight at once: accounts read side by side, and writes within an account"},
		&cli.BoolFlag{Name: flagVerbose, Aliases: []string{"v"}, Usage: "say more about what happens"},
		&cli.BoolFlag{Name: flagDebug, Usage: "trace every HTTP call to stderr (tokens and secrets redacted)"},
		&cli.DurationFlag{Name: flagHTTPTimeout, Value: 30 * time.Second, Usage: "give up on one HTTP attempt (getting a token included) after this long; must be positive (it is retried; a create is checked first)"},
	}
}

// readCommon reads the shared flags. Arguments are files, like -f: a
// command that reads files takes them either way.
func readCommon(c *cli.Context, env Env) (commonOptions, error) {
	o := commonOptions{
		Files:        append(c.StringSlice(flagFile), c.Args().Slice()...),
		Accounts:     c.StringSlice(flagAccount),
		Format:       c.String(flagFormat),
		NoColor:      c.Bool(flagNoColor) || env.noColor(),
		Sandbox:      c.Bool(flagSandbox),
		SandboxState: c.String(flagSandboxState),
		SandboxWait:  c.Duration(flagSandboxWait),
		Concurrency:  c.Int(flagConcurrency),
		Verbose:      c.Bool(flagVerbose),
		Debug:        c.Bool(flagDebug),
		HTTPTimeout:  c.Duration(flagHTTPTimeout),
		Environment:  c.String(flagEnvironment),
	}
	if o.HTTPTimeout <= 0 {
		return o, usageError(fmt.Sprintf("--http-timeout must be positive, e.g. 30s or 5m (got %s)", o.HTTPTimeout))
	}
	if c.IsSet(flagConcurrency) && o.Concurrency < 1 {
		return o, usageError("--concurrency must be at least 1")
	}
	if o.Concurrency < 1 {
		o.Concurrency = 8
	}
	return o, nil
}

// sandboxWaitFlag is --sandbox-lock-timeout: one run at a time uses a
// sandbox state file.
func sandboxWaitFlag() cli.Flag {
	return &cli.DurationFlag{Name: flagSandboxWait, Value: time.Minute, Usage: "how long to wait for another run (or a sandbox serve) that uses the sandbox state"}
}

func usageError(msg string) error { return &exitError{code: ExitError, msg: msg} }

// suggest returns the closest of candidates to word, or "".
func suggest(word string, candidates []string) string { return config.Suggest(word, candidates) }

// writeJSON writes v indented, as every JSON output of connectsync is.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
