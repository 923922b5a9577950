package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// commonOptions are the flags most commands share (README.md, "Commands").
type commonOptions struct {
	Files        []string
	Accounts     []string
	Format       string
	NoColor      bool
	Sandbox      bool
	SandboxState string
	Concurrency  int
	Verbose      bool
	Debug        bool
	HTTPTimeout  time.Duration
	// Environment is --environment, for --all-accounts without accounts in the files.
	Environment string
}

// Flag names shared by several commands.
const (
	flagFile         = "file"
	flagAccount      = "account"
	flagFormat       = "format"
	flagNoColor      = "no-color"
	flagSandbox      = "sandbox"
	flagSandboxState = "sandbox-state"
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
		Usage: "a file, or a directory of *.yaml/*.yml files (repeatable; default connectsync.yaml)"}
}

func formatFlag(formats ...string) cli.Flag {
	return &cli.StringFlag{Name: flagFormat, Value: formats[0],
		Usage: "output format: " + strings.Join(formats, ", ")}
}

// apiFlags are the flags of commands that talk to DocuSign.
func apiFlags() []cli.Flag {
	return []cli.Flag{
		fileFlag(),
		&cli.StringSliceFlag{Name: flagAccount, Usage: "only this account alias (repeatable; default every account in the files)"},
		&cli.BoolFlag{Name: flagNoColor, Usage: "no colour in the output (NO_COLOR is honoured too)"},
		&cli.BoolFlag{Name: flagSandbox, Usage: "use the built-in DocuSign Connect emulator instead of DocuSign (no account needed)"},
		&cli.StringFlag{Name: flagSandboxState, Value: defaultSandboxState, TakesFile: true, Usage: "where --sandbox keeps its state"},
		&cli.IntFlag{Name: flagConcurrency, Value: 8, Usage: "accounts in flight at once"},
		&cli.BoolFlag{Name: flagVerbose, Aliases: []string{"v"}, Usage: "say more about what happens"},
		&cli.BoolFlag{Name: flagDebug, Usage: "trace every HTTP call to stderr (tokens and secrets redacted)"},
		&cli.DurationFlag{Name: flagHTTPTimeout, Value: 30 * time.Second, Usage: "give up on one HTTP attempt after this long (it is retried; a create is checked first)"},
	}
}

func readCommon(c *cli.Context, env Env) (commonOptions, error) {
	o := commonOptions{
		Files:        c.StringSlice(flagFile),
		Accounts:     c.StringSlice(flagAccount),
		Format:       c.String(flagFormat),
		NoColor:      c.Bool(flagNoColor),
		Sandbox:      c.Bool(flagSandbox),
		SandboxState: c.String(flagSandboxState),
		Concurrency:  c.Int(flagConcurrency),
		Verbose:      c.Bool(flagVerbose),
		Debug:        c.Bool(flagDebug),
		HTTPTimeout:  c.Duration(flagHTTPTimeout),
		Environment:  c.String(flagEnvironment),
	}
	if _, set := env.LookupEnv("NO_COLOR"); set {
		o.NoColor = true
	}
	if c.IsSet(flagConcurrency) && o.Concurrency < 1 {
		return o, usageError("--concurrency must be at least 1")
	}
	if o.Concurrency < 1 {
		o.Concurrency = 8
	}
	return o, checkFormat(c)
}

// checkFormat refuses a --format the command does not offer.
func checkFormat(c *cli.Context) error {
	for _, f := range c.Command.Flags {
		sf, ok := f.(*cli.StringFlag)
		if !ok || sf.Name != flagFormat {
			continue
		}
		allowed := strings.Split(strings.TrimPrefix(sf.Usage, "output format: "), ", ")
		if v := c.String(flagFormat); !slices.Contains(allowed, v) {
			return usageError(fmt.Sprintf("unknown --format %q; use one of %s", v, strings.Join(allowed, ", ")))
		}
	}
	return nil
}

func usageError(msg string) error { return &exitError{code: ExitError, msg: msg} }
