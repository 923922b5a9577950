package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/render"
	"github.com/connectsync/connectsync/schema"
)

type validateOptions struct {
	Files  []string
	Format string
}

func validateCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "check the files against the schema and the semantic rules (no network)",
		Description: `Reports every problem in one run, each with file:line:col and a fix.
Warnings do not fail. Exit 0 when valid, 1 when not.
With --format github (or in GitHub Actions) problems also become annotations.`,
		Flags: []cli.Flag{fileFlag(), formatFlag("text", "json", "github")},
		Action: func(c *cli.Context) error {
			files := append(c.StringSlice(flagFile), c.Args().Slice()...)
			return runValidate(c.Context, validateOptions{Files: files, Format: c.String(flagFormat)}, env)
		},
	}
}

func runValidate(ctx context.Context, o validateOptions, env Env) error {
	desired, ds := loadFiles(ctx, o.Files, env, false)
	sum := summarize(desired)
	inActions := env.Getenv("GITHUB_ACTIONS") == "true"
	switch o.Format {
	case "json":
		if err := render.DiagnosticsJSON(env.Stdout, ds, sum); err != nil {
			return err
		}
	case "github":
		render.DiagnosticsGitHub(env.Stdout, ds)
		render.DiagnosticsSummary(env.Stdout, ds, sum)
	default:
		if inActions {
			render.DiagnosticsGitHub(env.Stdout, ds)
		}
		render.DiagnosticsText(env.Stdout, ds, sum)
	}
	if ds.HasErrors() {
		return errReported
	}
	return nil
}

// loadFiles loads the files with the run's environment. Only a command that
// sends secrets (apply) needs their variables set; the others warn.
// CONNECTSYNC_MAX_FILE_SIZE (bytes) raises the size a file may have.
func loadFiles(ctx context.Context, files []string, env Env, needSecrets bool) (*config.Desired, config.Diagnostics) {
	opts := config.LoadOptions{LookupEnv: env.LookupEnv, SecretsOptional: !needSecrets, Context: ctx}
	var d *config.Diagnostic
	if opts.MaxFileSize, d = maxFileSize(env); d != nil {
		return nil, config.Diagnostics{*d}
	}
	return config.Load(files, opts)
}

// maxFileSize is CONNECTSYNC_MAX_FILE_SIZE (bytes), 0 when unset (the
// loader's default).
func maxFileSize(env Env) (int64, *config.Diagnostic) {
	v := env.Getenv("CONNECTSYNC_MAX_FILE_SIZE")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, &config.Diagnostic{Severity: config.SeverityError,
			Message: fmt.Sprintf("CONNECTSYNC_MAX_FILE_SIZE %q is not a positive number of bytes", v)}
	}
	return n, nil
}

func summarize(d *config.Desired) *render.ValidateSummary {
	if d == nil {
		return &render.ValidateSummary{}
	}
	declared := map[string]bool{}
	for _, c := range d.Configurations {
		declared[c.Pos.File+"\x00"+c.Path] = true
	}
	return &render.ValidateSummary{Files: len(d.Files), Accounts: len(d.Accounts), Configurations: len(declared), PerAccount: len(d.Configurations)}
}

func schemaCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of the file format (for editors)",
		Description: fmt.Sprintf(`Editors with yaml-language-server (VS Code's YAML extension, …) complete
and check the files when the first line says where the schema is:

   # yaml-language-server: $schema=%s`, schema.FileURL),
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			_, err := env.Stdout.Write(schema.File)
			return err
		},
	}
}
