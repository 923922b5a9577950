package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/render"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

type fmtOptions struct {
	Files []string
	Check bool
}

const flagCheck = "check"

func fmtCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "rewrite files in the canonical layout, keeping every comment (--check for CI)",
		ArgsUsage: "[FILE|DIR...]",
		Description: `Rewrites each file (a directory stands for its *.yaml and *.yml files;
without any, connectsync.yaml) in one layout, so that reviews show what
changed and not how it was typed:

   keys in the schema's order (name, accounts, connectId, previously, state,
   then the DocuSign fields as plans list them); two-space indentation; the
   sections, accounts and configurations as blocks; lists of values (events,
   envelopeEvents, recipientEvents, userIds, groupIds, includeData,
   accounts…) on one line; one blank line between top-level sections and
   between configurations.

Every comment is kept, with the key it was written on; quoting, ${...}
references, anchors and aliases are kept. fmt never changes what a file
means: it checks that the result reads back to the same values with the
same comments, or leaves the file as it is. It refuses, with file:line:col,
a file that is not valid YAML, holds two documents, writes a key twice,
has a comment inside a list in brackets that spans lines (yaml.v3 would
drop it), or whose alias would come before its anchor once keys are
reordered.

Without --check, the files that changed are listed. With --check nothing is
written: the files that would change are listed on stdout and the exit
code is 1 if there are any (0 otherwise), for CI. Unreadable or invalid
files exit 1 either way.`,
		Flags: []cli.Flag{fileFlag(),
			&cli.BoolFlag{Name: flagCheck, Usage: "write nothing; list the files that are not formatted and exit 1 if there are any"}},
		Action: func(c *cli.Context) error {
			files := append(c.StringSlice(flagFile), c.Args().Slice()...)
			return runFmt(c.Context, fmtOptions{Files: files, Check: c.Bool(flagCheck)}, env)
		},
	}
}

func runFmt(_ context.Context, o fmtOptions, env Env) error {
	max, d := maxFileSize(env)
	if d != nil {
		return usageError(d.Message)
	}
	files, ds := config.Expand(o.Files)
	for _, d := range ds {
		render.Diagnostic(env.Stderr, d)
	}
	failed := len(ds) > 0
	changed := 0
	for _, name := range files {
		data, d := config.ReadFile(name, max)
		if d != nil {
			render.Diagnostic(env.Stderr, *d)
			failed = true
			continue
		}
		out, err := yamlfile.Format(name, data)
		if err != nil {
			var d config.Diagnostic
			if errors.As(err, &d) {
				render.Diagnostic(env.Stderr, d)
			} else {
				fmt.Fprintln(env.Stderr, "error:", errorText(err))
			}
			failed = true
			continue
		}
		if bytes.Equal(out, data) {
			continue
		}
		changed++
		if !o.Check {
			if err := replaceFile(name, out); err != nil {
				fmt.Fprintln(env.Stderr, "error:", errorText(err))
				failed = true
				continue
			}
		}
		fmt.Fprintln(env.Stdout, render.Terminal(name))
	}
	if failed || (o.Check && changed > 0) {
		return errReported
	}
	return nil
}

// replaceFile writes data over the regular file name through a temporary
// file in the same directory and a rename, so that an interrupted write
// never leaves half a file; the file keeps its permissions.
func replaceFile(name string, data []byte) error {
	if real, err := filepath.EvalSymlinks(name); err == nil {
		name = real // a link stays a link to the rewritten file
	}
	st, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	// On disk before the rename: a crash must leave the old file or the
	// new one, never an empty one.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
