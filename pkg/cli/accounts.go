package cli

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/audit"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
)

const (
	flagAllAccounts = "all-accounts"
	flagEnvironment = "environment"
	flagShard       = "shard"
)

// allAccountsFlags are --all-accounts and, for when the files declare no
// account, the environment to ask.
func allAccountsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: flagAllAccounts,
			Usage: "also every account the credentials reach (OAuth userinfo); accounts not in the files get an alias from their name (no files needed)"},
		&cli.StringFlag{Name: flagEnvironment, Value: "demo",
			Usage: "with --all-accounts and no account in the files: the DocuSign environment to ask, demo or production"},
	}
}

// openAccounts opens a session like openSession. With all (--all-accounts)
// it adds every account the credentials reach that the files do not
// declare, and when no -f is given and connectsync.yaml does not exist it
// starts from no files at all (the default policy, nothing managed), so
// that an account can be audited or exported before any file exists.
func openAccounts(ctx context.Context, o commonOptions, all bool, env Env) (*session, error) {
	if !all {
		return openSession(ctx, o, env)
	}
	if len(o.Accounts) > 0 {
		return nil, usageError("--all-accounts selects every account the credentials reach; drop --account")
	}
	var s *session
	var err error
	if _, statErr := os.Stat(config.DefaultFile); len(o.Files) == 0 && statErr != nil {
		s, err = connect(ctx, &session{desired: &config.Desired{Policy: config.DefaultPolicy()}}, o, env)
	} else {
		s, err = openSession(ctx, o, env)
	}
	if err != nil {
		return nil, err
	}
	if err := s.discover(ctx, o, env); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// discover adds to the selected accounts every account userinfo lists that
// the files do not declare, asking each environment the files use
// (--environment when they name no account). Each gets an alias made from its name and
// calls go to the client of the environment that listed it.
func (s *session) discover(ctx context.Context, o commonOptions, env Env) error {
	var envs []string
	for _, a := range s.desired.Accounts {
		envs = append(envs, a.Environment)
	}
	slices.Sort(envs)
	envs = slices.Compact(envs)
	if len(envs) == 0 {
		if o.Environment != "demo" && o.Environment != "production" {
			return usageError(fmt.Sprintf("--environment %q: use demo or production", o.Environment))
		}
		envs = []string{o.Environment}
	}
	known := map[string]bool{}
	taken := map[string]bool{}
	for _, a := range s.desired.Accounts {
		known[strings.ToLower(a.AccountID)] = true
		taken[a.Alias] = true
	}
	asked := map[*docusign.Client]bool{}
	for _, e := range envs {
		c, err := s.environmentClient(o, env, e)
		if err != nil {
			return err
		}
		if asked[c] {
			continue
		}
		asked[c] = true
		info, err := c.UserInfo(ctx)
		if err != nil {
			return fmt.Errorf("--all-accounts: list the accounts the credentials reach (%s): %w", e, err)
		}
		for _, ua := range info.Accounts {
			if known[strings.ToLower(ua.AccountID)] {
				continue
			}
			known[strings.ToLower(ua.AccountID)] = true
			alias := config.SuggestAlias(ua.AccountName, ua.AccountID, func(a string) bool { return taken[a] })
			taken[alias] = true
			s.accounts = append(s.accounts, config.Account{Alias: alias, AccountID: ua.AccountID, Environment: e})
			if r, ok := s.api.(router); ok {
				r.byAccount[ua.AccountID] = c
			}
		}
	}
	return nil
}

// targets returns the selected accounts in shard (nil: all) with what the
// files want of each, in alias order.
func (s *session) targets(shard *audit.Shard) []audit.Target {
	var out []audit.Target
	desired := s.desired.ByAccount()
	declared := map[string]bool{}
	for _, a := range s.desired.Accounts {
		declared[a.Alias] = true
	}
	for _, a := range s.accounts {
		if shard != nil && !shard.Has(a.AccountID) {
			continue
		}
		out = append(out, audit.Target{Account: a, InFiles: declared[a.Alias], Desired: desired[a.Alias]})
	}
	slices.SortFunc(out, func(a, b audit.Target) int { return cmp.Compare(a.Account.Alias, b.Account.Alias) })
	return out
}
