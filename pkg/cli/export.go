package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/live"
	"github.com/connectsync/connectsync/pkg/render"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

type exportOptions struct {
	commonOptions
	All    bool
	Output string
	Force  bool
	Fix    bool
}

const (
	flagOutput = "output"
	flagForce  = "force"
	flagFix    = "fix"
)

func exportCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the live configurations as a connectsync file",
		Description: `Reads the selected accounts (one list call each) and writes their
configurations in the file format, so that planning the file shows no
changes: a way to start managing accounts that already have webhooks.

Fields equal to DocuSign's defaults are left out (a field left out is not
managed); read-only ones (connectId, disabledBy) too, except a connectId
that tells two configurations of one name apart. Secrets are never
exported (DocuSign does not return them): a configuration with a userName
gets password: ${env.CONNECT_PASSWORD_<NAME>}, one with an OAuth client
clientSecret: ${env.CONNECT_OAUTH_CLIENT_SECRET_<NAME>} (with several
accounts the alias is part of the name); set them before apply.
Every configuration connectsync may manage is exported, so that the plan
of the export has no create, no delete and nothing unmanaged; several of
one name are each pinned with their connectId. Values are written as
DocuSign stores them, letter case included (lower-case events draw a
warning from validate and a finding from audit); --fix writes DocuSign's
documented spelling instead, and the first plan shows those corrections.
Configurations connectsync never manages (Salesforce, integrator-managed)
and any the file format cannot express are left out and named in a
comment at the end; plan --prune never deletes them.

Without files, --all-accounts exports every account the credentials reach.`,
		Flags: append(append(apiFlags(), allAccountsFlags()...),
			&cli.StringFlag{Name: flagOutput, Aliases: []string{"o"}, TakesFile: true, Usage: "write the file here instead of stdout (refuses to overwrite without --force)"},
			&cli.BoolFlag{Name: flagForce, Usage: "overwrite the --output file"},
			&cli.BoolFlag{Name: flagFix, Usage: "write envelope and recipient events in DocuSign's sentence case (and eventData.version in lower case), each with a comment; the first plan then shows these corrections"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runExport(c.Context, exportOptions{commonOptions: common, All: c.Bool(flagAllAccounts), Output: c.String(flagOutput), Force: c.Bool(flagForce), Fix: c.Bool(flagFix)}, env)
		},
	}
}

func runExport(ctx context.Context, o exportOptions, env Env) error {
	if o.Output != "" && !o.Force {
		if _, err := os.Stat(o.Output); !errors.Is(err, fs.ErrNotExist) {
			return usageError(fmt.Sprintf("%s exists; pass --force to overwrite it, or choose another --output", o.Output))
		}
	}
	s, err := openAccounts(ctx, o.commonOptions, o.All, env)
	if err != nil {
		return err
	}
	defer s.Close()
	var accounts []config.Account
	var connects []config.Connect
	var failed []error
	for _, st := range live.Read(ctx, s.api, s.accounts, o.Concurrency, nil) {
		if st.Err != nil {
			failed = append(failed, st.Err)
			continue
		}
		accounts = append(accounts, st.Account)
		connects = append(connects, st.Connects...)
	}
	out, err := yamlfile.Export(accounts, connects, yamlfile.ExportOptions{Fix: o.Fix})
	if err != nil {
		return err
	}
	if o.Output == "" {
		if _, err := env.Stdout.Write(out.YAML); err != nil {
			return err
		}
	} else if err := writeExport(o.Output, out.YAML); err != nil {
		return fmt.Errorf("write the export: %w", err)
	}
	render.ExportSummary(env.Stderr, out, len(accounts), o.Output)
	for _, err := range failed {
		fmt.Fprintln(env.Stderr, "error:", errorText(err))
	}
	if len(failed) > 0 {
		return errReported
	}
	return nil
}

// writeExport writes the export to path. A regular file there (--force) is
// replaced through a temporary file, so that an export interrupted half way
// leaves the old file, not half of each; anything else (a new file, with
// the umask's permissions, or a pipe such as /dev/stdout) is written as is.
func writeExport(path string, data []byte) error {
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		return replaceFile(path, data)
	}
	return os.WriteFile(path, data, 0o644)
}
