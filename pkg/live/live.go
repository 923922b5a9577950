// Package live reads the live Connect configurations of many accounts at
// once, for plan, apply and audit: one list call per account, accounts in
// parallel up to a limit, one account's failure reported beside the others.
package live

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
)

// Lister lists an account's configurations (docusign.Client does).
type Lister interface {
	ListConfigurations(ctx context.Context, accountID string) ([]docusign.Configuration, error)
}

// State is one account's live configurations, in wire form (to build update
// bodies from) and as config.Connect (to compare with the files).
type State struct {
	Account  config.Account
	Wire     []docusign.Configuration
	Connects []config.Connect
	// IDs are the ids of the configurations read, when Wire was trimmed
	// to fewer (see cli's computePlan); nil otherwise.
	IDs []string
	// Err is why the account could not be read; the others are still read.
	Err error
}

// WireByID returns the wire form of the configuration with id connectID.
func (s State) WireByID(connectID string) (docusign.Configuration, bool) {
	for _, w := range s.Wire {
		if w.ConnectID == connectID {
			return w, true
		}
	}
	return docusign.Configuration{}, false
}

// Read lists every account's configurations, at most concurrency at a time,
// and returns their states in the order of accounts. done, if not nil, is
// called as each account finishes (from several goroutines at once).
func Read(ctx context.Context, l Lister, accounts []config.Account, concurrency int, done func(State)) []State {
	states := make([]State, len(accounts))
	Each(ctx, l, accounts, concurrency, func(i int, s State) {
		states[i] = s
		if done != nil {
			done(s)
		}
	})
	return states
}

// Each is Read for a caller that uses each account's state as it comes and
// keeps only what it needs of it: fn gets the state of accounts[i] (from
// several goroutines at once), and Each keeps none.
func Each(ctx context.Context, l Lister, accounts []config.Account, concurrency int, fn func(i int, s State)) {
	var g errgroup.Group
	g.SetLimit(max(concurrency, 1))
	for i, a := range accounts {
		g.Go(func() error {
			s := State{Account: a}
			wire, err := l.ListConfigurations(ctx, a.AccountID)
			if err != nil {
				s.Err = fmt.Errorf("account %s: %w", a.Alias, err) // the client names the call and the account id
			} else {
				s.Wire = wire
				s.Connects = make([]config.Connect, 0, len(wire))
				for _, w := range wire {
					s.Connects = append(s.Connects, config.FromWire(a.Alias, w))
				}
			}
			fn(i, s)
			return nil
		})
	}
	_ = g.Wait() // every goroutine returns nil: errors live in the states
}
