package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/render"
)

// hmac list|create|delete: the account's Connect HMAC keys, which sign the
// posts of every configuration with includeHMAC.

const flagKeyID = "key-id"

// hmacAPI is the HMAC key calls (docusign.Client and router have them).
type hmacAPI interface {
	ListHMACKeys(ctx context.Context, accountID string) ([]docusign.HMACKey, error)
	CreateHMACKey(ctx context.Context, accountID string) (docusign.NewHMACKey, error)
	DeleteHMACKey(ctx context.Context, accountID string, keyID int) error
}

func hmacCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "hmac",
		Usage: "list, create and delete the account's Connect HMAC keys",
		Description: `DocuSign signs every post of a configuration with includeHMAC with each of
the account's HMAC keys (X-DocuSign-Signature-1..N); a listener checks one.
These commands work on one account (--account, not needed when the files
declare one). Rotate a key by creating the new one, giving it to the
listener, then deleting the old one.`,
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the account's HMAC keys (as DocuSign shows them: truncated)",
				Description: `Prints each key's keyId (its 1-based place in DocuSign's list, which
hmac delete takes) and the key as DocuSign shows it, truncated.
Exit codes: 0 listed, 1 an error.`,
				Flags: apiFlags(),
				Action: func(c *cli.Context) error {
					common, err := readCommon(c, env)
					if err != nil {
						return err
					}
					return runHMACList(c.Context, common, env)
				},
			},
			{
				Name:  "create",
				Usage: "make a new HMAC key; it is shown this once",
				Description: `Asks DocuSign for a new key and prints it on stdout, alone on a line
(connectsync hmac create --account A > key works), or with --out FILE
writes it to a new file of mode 0600 (an existing file is refused) and
prints only where it is. DocuSign never shows the key again, and
connectsync never writes it to a log or a --debug trace.

The request is sent once: if its answer is lost, a key may exist that no
one has seen (hmac list shows it last): delete it and create another.
Exit codes: 0 created, 1 an error.`,
				Flags: append(apiFlags(), &cli.StringFlag{Name: flagOut, TakesFile: true, Usage: "write the key to this new file (mode 0600) instead of stdout"}),
				Action: func(c *cli.Context) error {
					common, err := readCommon(c, env)
					if err != nil {
						return err
					}
					return runHMACCreate(c.Context, common, c.String(flagOut), env)
				},
			},
			{
				Name:  "delete",
				Usage: "delete the HMAC key with a keyId (from hmac list)",
				Description: `Deletes key --key-id N (its place in hmac list, from 1); the keys after it
move up. Posts stop carrying its signature at once: a listener that checks
only this key then rejects them. Exit codes: 0 deleted, 1 an error.`,
				Flags: append(apiFlags(), &cli.IntFlag{Name: flagKeyID, Usage: "the keyId to delete (required; see hmac list)"}),
				Action: func(c *cli.Context) error {
					common, err := readCommon(c, env)
					if err != nil {
						return err
					}
					return runHMACDelete(c.Context, common, c.Int(flagKeyID), c.IsSet(flagKeyID), env)
				},
			},
		},
	}
}

func runHMACList(ctx context.Context, o commonOptions, env Env) error {
	s, err := openSession(ctx, o, env)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := oneAccount(s, "hmac list")
	if err != nil {
		return err
	}
	keys, err := s.api.ListHMACKeys(ctx, a.AccountID)
	if err != nil {
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	head := fmt.Sprintf("%s (%s): ", a.Alias, a.AccountID)
	switch len(keys) {
	case 0:
		fmt.Fprintf(env.Stdout, "%sno HMAC keys: configurations with includeHMAC send unsigned posts; make one with connectsync hmac create --account %s\n", head, a.Alias)
		return nil
	case 1:
		fmt.Fprintf(env.Stdout, "%s1 HMAC key\n", head)
	default:
		fmt.Fprintf(env.Stdout, "%s%d HMAC keys\n", head, len(keys))
	}
	for _, k := range keys {
		line := fmt.Sprintf("  %d  %s", k.ID, render.Terminal(k.Display))
		if k.Created != "" {
			line += "  created " + render.Terminal(k.Created)
		}
		fmt.Fprintln(env.Stdout, line)
	}
	return nil
}

func runHMACCreate(ctx context.Context, o commonOptions, out string, env Env) error {
	s, err := openSession(ctx, o, env)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := oneAccount(s, "hmac create")
	if err != nil {
		return err
	}
	// The file first, so that a key is never made with nowhere to put it.
	var f *os.File
	if out != "" {
		path := out
		if !filepath.IsAbs(path) && env.Dir != "" {
			path = filepath.Join(env.Dir, path)
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return usageError(fmt.Sprintf("--out %s exists: name a new file (a key is never written over another file)", out))
		}
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer f.Close()
	}
	k, err := s.api.CreateHMACKey(ctx, a.AccountID)
	if err != nil {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
		if docusign.IsOutcomeUnknown(err) {
			return fmt.Errorf("account %s: %w; a key may have been made that no one has seen: connectsync hmac list --account %s shows it last, delete it", a.Alias, err, a.Alias)
		}
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	id := "a new HMAC key"
	if k.ID > 0 {
		id = fmt.Sprintf("HMAC key %d", k.ID)
	}
	if f != nil {
		if _, err := fmt.Fprintln(f, k.Secret); err != nil {
			return fmt.Errorf("write the key to %s: %w (it exists at DocuSign: delete it with hmac delete)", out, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write the key to %s: %w (it exists at DocuSign: delete it with hmac delete)", out, err)
		}
		fmt.Fprintf(env.Stdout, "%s (%s): %s written to %s (mode 0600). DocuSign will not show it again.\n", a.Alias, a.AccountID, id, render.Terminal(out))
		return nil
	}
	fmt.Fprintf(env.Stderr, "%s (%s): %s made. This is the only time it is shown: store it now (a secret manager, the listener's configuration).\n", a.Alias, a.AccountID, id)
	fmt.Fprintln(env.Stdout, k.Secret)
	return nil
}

func runHMACDelete(ctx context.Context, o commonOptions, keyID int, set bool, env Env) error {
	s, err := openSession(ctx, o, env)
	if err != nil {
		return err
	}
	defer s.Close()
	if !set || keyID < 1 {
		return usageError("name the key to delete with --key-id N, its place in connectsync hmac list (from 1)")
	}
	a, err := oneAccount(s, "hmac delete")
	if err != nil {
		return err
	}
	if err := s.api.DeleteHMACKey(ctx, a.AccountID, keyID); err != nil {
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	fmt.Fprintf(env.Stdout, "%s (%s): HMAC key %d deleted; the keys after it moved up. Posts no longer carry its signature.\n", a.Alias, a.AccountID, keyID)
	return nil
}

// --- router -------------------------------------------------------------------

func (r router) ListHMACKeys(ctx context.Context, accountID string) ([]docusign.HMACKey, error) {
	c, err := r.client(accountID)
	if err != nil {
		return nil, err
	}
	return c.ListHMACKeys(ctx, accountID)
}

func (r router) CreateHMACKey(ctx context.Context, accountID string) (docusign.NewHMACKey, error) {
	c, err := r.client(accountID)
	if err != nil {
		return docusign.NewHMACKey{}, err
	}
	return c.CreateHMACKey(ctx, accountID)
}

func (r router) DeleteHMACKey(ctx context.Context, accountID string, keyID int) error {
	c, err := r.client(accountID)
	if err != nil {
		return err
	}
	return c.DeleteHMACKey(ctx, accountID, keyID)
}
