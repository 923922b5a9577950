package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/live"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/render"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

type importOptions struct {
	commonOptions
	Name      string
	ConnectID string
}

func importCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "add one live configuration to an existing file, keeping the file as it is",
		ArgsUsage: "[FILE]",
		Description: `Reads one account (one list call) and adds one of its configurations to
a file, rendered as export writes it (fields at DocuSign's defaults left
out, secrets as ${env.CONNECT_…} placeholders, connectId pinned when the
account holds several of that name, accounts: [ALIAS] when the files
declare several accounts), so that plan shows no change for it. Fields the
files' defaults set are written even at DocuSign's default, so the entry
does not inherit them.

   connectsync import --account acme-prod --name orders -f webhooks.yaml

--account names the one account to read (an alias the files declare);
without -f or a FILE argument, connectsync.yaml is the file.

The entry goes after the last configuration, at that list's indentation
(a configurations: key is added at the end when there is none; an empty
configurations: [] is replaced). Everything else in the file stays byte
for byte: comments, order, quoting, blank lines, line ends. With several
-f, all are read (accounts, defaults, what is declared) and the entry
goes into the last one, which must be a file.

Refused, with the reason: a configuration the files already declare for
the account (same name, same pinned connectId, or renamed from it with
previously), named at its file:line:col; a Salesforce or
integrator-managed configuration; one the file format cannot express.
A --name shared by several live configurations lists their connectIds:
choose one with --connect-id. Before writing, import loads the files with
the new entry and plans it: anything but no change is refused and nothing
is written. The secret variables to set are printed on stderr.`,
		Flags: append(apiFlags(),
			&cli.StringFlag{Name: flagName, Usage: "the live configuration's name"},
			&cli.StringFlag{Name: flagConnectID, Usage: "the live configuration's connectId (needed when several share a name)"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runImport(c.Context, importOptions{commonOptions: common, Name: c.String(flagName), ConnectID: c.String(flagConnectID)}, env)
		},
	}
}

func runImport(ctx context.Context, o importOptions, env Env) error {
	if len(o.Files) == 0 {
		o.Files = []string{config.DefaultFile}
	}
	target := filepath.Clean(o.Files[len(o.Files)-1])
	switch st, err := os.Stat(target); {
	case errors.Is(err, fs.ErrNotExist):
		return usageError(fmt.Sprintf("import adds to an existing file, and %s does not exist (export writes a new one)", target))
	case err != nil:
		return err
	case st.IsDir():
		return usageError(fmt.Sprintf("import writes into a file, and %s is a directory: give the file last (-f %s -f FILE)", target, target))
	case o.Name == "" && o.ConnectID == "":
		return usageError("import needs --name NAME or --connect-id ID: the live configuration to add")
	case len(o.Accounts) != 1:
		return usageError("import needs one --account ALIAS: the account to read the configuration from")
	}
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	acct := s.accounts[0]
	state := live.Read(ctx, s.api, []config.Account{acct}, 1, nil)[0]
	if state.Err != nil {
		return state.Err
	}
	srcs, err := readSources(o.Files, env)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(srcs, func(src config.Source) bool { return src.Name == target })
	out, err := yamlfile.Import(srcs[i], s.desired, state.Connects, yamlfile.ImportOptions{Account: acct, Name: o.Name, ConnectID: o.ConnectID})
	if err != nil {
		return err
	}
	srcs[i].Data = out.YAML
	if err := plansNoChange(srcs, acct, state.Connects, out, env); err != nil {
		return err
	}
	if err := replaceFile(target, out.YAML); err != nil {
		return err
	}
	render.ImportSummary(env.Stderr, out, acct.Alias, target)
	return nil
}

// readSources reads the files paths stand for, as Load does.
func readSources(paths []string, env Env) ([]config.Source, error) {
	max, d := maxFileSize(env)
	if d != nil {
		return nil, d
	}
	files, ds := config.Expand(paths)
	if ds.HasErrors() {
		return nil, ds
	}
	var srcs []config.Source
	for _, f := range files {
		data, d := config.ReadFile(f, max)
		if d != nil {
			return nil, d
		}
		srcs = append(srcs, config.Source{Name: f, Data: data})
	}
	return srcs, nil
}

// plansNoChange is import's promise, checked before anything is written:
// the files with the new entry load, and planning them against the live
// configurations changes nothing in the one imported. Placeholders whose
// variables are not set stand in for their values (a URL with credentials
// cannot be compared then, so it is not).
func plansNoChange(srcs []config.Source, acct config.Account, live []config.Connect, out yamlfile.Imported, env Env) error {
	placeholder := map[string]bool{}
	for _, v := range out.EnvVars {
		placeholder[v] = true
	}
	lookup := func(name string) (string, bool) {
		if v, ok := env.LookupEnv(name); ok {
			return v, ok
		}
		if placeholder[name] {
			return "https://stand-in.invalid/", true
		}
		return "", false
	}
	desired, ds := config.LoadSources(srcs, config.LoadOptions{LookupEnv: lookup, SecretsOptional: true})
	if ds.HasErrors() {
		return fmt.Errorf("import: the file would not load with the new entry; nothing written:\n%w", ds)
	}
	p := plan.Compute([]plan.AccountInput{{Account: acct, Desired: desired.ForAccount(acct.Alias), Live: live}}, plan.Options{})
	c := out.Connect
	for _, ch := range p.Accounts[0].Changes {
		if ch.ConnectID != c.ConnectID && !(ch.Action == plan.Create && ch.Name == c.Name) {
			continue
		}
		var fields []string
		for _, f := range ch.Fields {
			_, unset := env.LookupEnv(out.Placeholders[f.Field])
			if f.WriteOnly || (out.Placeholders[f.Field] != "" && !unset) {
				continue
			}
			fields = append(fields, f.Field)
		}
		if ch.Action == plan.Create || len(fields) > 0 {
			return fmt.Errorf("import: with the new entry, plan would %s %q (%s); nothing written (please report this)", ch.Action, c.Name, strings.Join(fields, ", "))
		}
		return nil
	}
	return fmt.Errorf("import: with the new entry, plan does not match %q (connectId %s): %s; nothing written (please report this)",
		c.Name, c.ConnectID, strings.Join(p.Accounts[0].Errors, "; "))
}
