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
	Name      string
	ConnectID string
}

const (
	flagConnectID = "connect-id"
)

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
			&cli.StringFlag{Name: flagConnectID, Usage: "the configuration's connectId (instead of --name)"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runUsers(c.Context, usersOptions{commonOptions: common, Name: c.String(flagName), ConnectID: c.String(flagConnectID)}, env)
		},
	}
}

func runUsers(ctx context.Context, o usersOptions, env Env) error {
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	if (o.Name == "") == (o.ConnectID == "") {
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
	id, name := o.ConnectID, o.Name
	if id == "" {
		list, err := s.api.ListConfigurations(ctx, a.AccountID)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.Alias, err)
		}
		var ids, names []string
		for _, c := range list {
			if c.Name == name {
				ids = append(ids, c.ConnectID)
			}
			names = append(names, fmt.Sprintf("%q", c.Name))
		}
		switch len(ids) {
		case 0:
			if len(names) == 0 {
				names = []string{"none"}
			}
			return usageError(fmt.Sprintf("account %s has no configuration named %q (it has %s)", a.Alias, name, strings.Join(names, ", ")))
		case 1:
			id = ids[0]
		default:
			return usageError(fmt.Sprintf("account %s has %d configurations named %q (connectId %s): pick one with --connect-id", a.Alias, len(ids), name, strings.Join(ids, ", ")))
		}
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
