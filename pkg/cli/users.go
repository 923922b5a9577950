package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/render"
)

type usersOptions struct {
	commonOptions
	Target configSelector
}

func usersCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "users",
		Usage:     "list the users a configuration covers",
		ArgsUsage: "[FILE|DIR...]",
		Description: `Lists the users whose envelopes one live configuration reports on (every
page of DocuSign's connect/{connectId}/users): with allUsers every user of
the account, otherwise its userIds. Name the configuration with --name
(one list call finds it) or --connect-id, and the account with --account
(not needed when the files declare one account).`,
		Flags: append(apiFlags(), formatFlag("text", "json"),
			&cli.StringFlag{Name: flagName, Usage: "the configuration's name"},
			connectIDFlag()),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runUsers(c.Context, usersOptions{commonOptions: common, Target: selectorOf(c)}, env)
		},
	}
}

func runUsers(ctx context.Context, o usersOptions, env Env) error {
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	if !o.Target.given() {
		return usageError("name one configuration: --name NAME or --connect-id ID")
	}
	if len(s.accounts) != 1 {
		var aliases []string
		for _, a := range s.accounts {
			aliases = append(aliases, a.Alias)
		}
		return usageError(fmt.Sprintf("users reads one account: add --account ALIAS (one of %s)", strings.Join(aliases, ", ")))
	}
	a := s.accounts[0]
	id, name := o.Target.ConnectID, o.Target.Name
	if name != "" { // one list call finds it (and checks a --connect-id given beside)
		list, err := s.api.ListConfigurations(ctx, a.AccountID)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.Alias, err)
		}
		cfg, err := o.Target.find(a.Alias, list)
		if err != nil {
			return err
		}
		id = cfg.ConnectID
	}
	users, err := s.api.ListUsers(ctx, a.AccountID, id)
	if err != nil {
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	doc := render.NewUsers(a.Alias, a.AccountID, name, id, users)
	if o.Format == "json" {
		return render.UsersJSON(env.Stdout, doc)
	}
	render.UsersText(env.Stdout, doc)
	return nil
}
