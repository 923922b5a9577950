package audit

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/live"
)

// API is every DocuSign call an audit makes (docusign.Client has them).
type API interface {
	live.Lister
	ListUsers(ctx context.Context, accountID, connectID string) ([]docusign.User, error)
}

// Target is an account to audit and what the files want of it.
type Target struct {
	Account config.Account
	InFiles bool
	Desired []config.Connect
}

// ReadOptions tune Read.
type ReadOptions struct {
	// Concurrency is how many accounts are read at once (at least 1).
	Concurrency int
	// Coverage lists the users of every live configuration, all pages.
	Coverage bool
	// Done, if not nil, is called once per account when it is fully read,
	// from several goroutines at once (for a progress bar).
	Done func()
}

// Read reads every target: one list call per account, all accounts at most
// Concurrency at a time, and then, only with Coverage, the users of each
// live configuration (every page). One account's failure is kept in its
// Input and does not stop the others. Inputs come back in targets' order.
func Read(ctx context.Context, api API, targets []Target, opts ReadOptions) []Input {
	accounts := make([]config.Account, len(targets))
	for i, t := range targets {
		accounts[i] = t.Account
	}
	var listed func(live.State)
	if !opts.Coverage && opts.Done != nil {
		listed = func(live.State) { opts.Done() }
	}
	states := live.Read(ctx, api, accounts, opts.Concurrency, listed)
	inputs := make([]Input, len(targets))
	for i, t := range targets {
		inputs[i] = Input{Account: t.Account, InFiles: t.InFiles, Desired: t.Desired, Live: states[i].Connects, Err: states[i].Err}
	}
	if !opts.Coverage {
		return inputs
	}
	var g errgroup.Group
	g.SetLimit(max(opts.Concurrency, 1))
	for i := range inputs {
		g.Go(func() error {
			in := &inputs[i]
			if in.Err == nil {
				in.Users = readUsers(ctx, api, in.Account, in.Live)
			}
			if opts.Done != nil {
				opts.Done()
			}
			return nil
		})
	}
	_ = g.Wait() // errors live in the inputs
	return inputs
}

// readUsers lists the users of each configuration of one account, one
// configuration after the other.
func readUsers(ctx context.Context, api API, a config.Account, connects []config.Connect) map[string]Users {
	out := make(map[string]Users, len(connects))
	for _, c := range connects {
		users, err := api.ListUsers(ctx, a.AccountID, c.ConnectID)
		out[c.ConnectID] = Users{Count: len(users), Err: err}
	}
	return out
}
