package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/listener"
	"github.com/connectsync/connectsync/pkg/live"
)

// API is every DocuSign call an audit makes (docusign.Client has them).
type API interface {
	live.Lister
	ListUsers(ctx context.Context, accountID, connectID string) ([]docusign.User, error)
	ListFailures(ctx context.Context, accountID string, from, to time.Time) ([]docusign.LogEntry, error)
	ListHMACKeys(ctx context.Context, accountID string) ([]docusign.HMACKey, error)
}

// tlsTimeout bounds one TLS handshake of --check-tls.
const tlsTimeout = 10 * time.Second

// Target is an account to audit and what the files want of it.
type Target struct {
	Account config.Account
	InFiles bool
	Desired []config.Connect
}

// Run audits every target, at most opts.Concurrency accounts at a time:
// one list call per account, one failure-log call unless opts.Delivery is
// nil, and then, only with opts.Coverage, the users of each of its
// configurations (every page). Each account's part of the
// report is built as soon as it is read, so only the accounts in flight are
// held in memory and the work overlaps the waiting. One account's failure
// is kept in its part and does not stop the others.
func Run(ctx context.Context, api API, targets []Target, opts Options) *Report {
	r := newReport(opts, len(targets))
	r.Accounts = r.Accounts[:len(targets)]
	var g errgroup.Group
	g.SetLimit(max(opts.Concurrency, 1))
	for i, t := range targets {
		g.Go(func() error {
			r.Accounts[i] = buildAccount(read(ctx, api, t, opts), opts)
			if opts.Done != nil {
				opts.Done()
			}
			return nil
		})
	}
	_ = g.Wait() // every goroutine returns nil: errors live in the accounts
	r.finish()
	return r
}

// read lists one account's configurations and, side by side with that
// (the two calls do not depend on each other, and the audit's time is
// their latency), its failure log (with opts.Delivery); then, when the
// configurations could be read, its HMAC keys (when a configuration it may
// manage has includeHMAC), the TLS of its managed listeners (with
// opts.CheckTLS) and their users (with coverage).
func read(ctx context.Context, api API, t Target, opts Options) Input {
	type failures struct {
		list []docusign.LogEntry
		err  error
	}
	var failed chan failures
	if opts.Delivery != nil {
		failed = make(chan failures, 1)
		go func() {
			list, err := api.ListFailures(ctx, t.Account.AccountID, opts.Delivery.Since, opts.Delivery.Until)
			failed <- failures{list, err}
		}()
	}
	st := live.Read(ctx, api, []config.Account{t.Account}, 1, nil)[0]
	in := Input{Account: t.Account, InFiles: t.InFiles, Desired: t.Desired, Live: st.Connects, Err: st.Err}
	if failed != nil {
		f := <-failed
		if in.Err == nil {
			in.Failures, in.FailuresErr = f.list, f.err
			if in.FailuresErr != nil {
				in.FailuresErr = fmt.Errorf("failure log not read: %w", in.FailuresErr)
			}
		}
	}
	if in.Err == nil && slices.ContainsFunc(in.Live, func(c config.Connect) bool { on, _ := c.Bool("includeHMAC"); return on && c.Managed() }) {
		keys, err := api.ListHMACKeys(ctx, t.Account.AccountID)
		in.HMACKeys, in.HMACRead = len(keys), err == nil
		if err != nil {
			in.HMACErr = fmt.Errorf("HMAC keys not read: %w", err)
		}
	}
	if opts.CheckTLS != nil && in.Err == nil {
		in.TLS = checkTLS(ctx, in.Live, t.Desired, opts.CheckTLS)
	}
	if opts.Coverage && in.Err == nil {
		in.Users = make(map[string]Users, len(in.Live))
		for _, c := range in.Live {
			users, err := api.ListUsers(ctx, t.Account.AccountID, c.ConnectID)
			in.Users[c.ConnectID] = Users{Count: len(users), Err: err}
		}
	}
	return in
}

// checkTLS makes one handshake per https listener of the managed live
// configurations (those the files declare), sharing it between
// configurations that publish to the same URL.
func checkTLS(ctx context.Context, live, desired []config.Connect, check func(context.Context, string) (*listener.Certificate, error)) map[string]TLSCheck {
	declared := map[string]bool{}
	for _, d := range desired {
		if !d.Absent {
			declared[d.Name] = true
		}
	}
	out := map[string]TLSCheck{}
	byURL := map[string]TLSCheck{}
	for _, l := range live {
		u := l.String("urlToPublishTo")
		if !l.Managed() || !declared[l.Name] || !strings.HasPrefix(strings.ToLower(u), "https://") {
			continue
		}
		c, done := byURL[u]
		if !done {
			hctx, cancel := context.WithTimeout(ctx, tlsTimeout)
			cert, err := check(hctx, u)
			cancel()
			c = TLSCheck{URL: u, Cert: cert, Err: err}
			byURL[u] = c
		}
		out[l.ConnectID] = c
	}
	return out
}
