// Package apply carries out a plan against the DocuSign API, account by
// account, and reports what happened to each change.
//
// Safety, in the order it matters:
//   - A plan an account cannot be planned for (errors) or that deletes too
//     much (mass delete, unless allowed) changes nothing in that account.
//   - Within an account, updates and creates run before deletes, and deletes
//     are skipped once anything failed, so a failure never leaves fewer
//     webhooks than before.
//   - A create whose outcome is unknown (any failure once it was sent: a
//     timeout, a 5xx, a dropped connection, a rate limit, a refused token,
//     an answer without a connectId) is never retried blindly: the account is
//     listed again and the name looked for first, so a lost response never
//     makes a duplicate.
//   - A delete that fails is checked by listing the account: if the
//     configuration is gone, it is reported deleted.
//   - An update sends the live object with the desired fields written over it
//     plus the write-only secrets, so fields the files do not manage are kept
//     whether DocuSign's PUT merges or replaces.
//   - Accounts run concurrently and independently: one account's failure does
//     not stop the others.
//   - Cancelling ctx (Ctrl-C) stops between changes: the call in flight is
//     finished, never cut off halfway (its answer is what says whether it
//     happened); the changes not started are reported as skipped.
package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
)

// API is what apply needs from DocuSign (docusign.Client implements it).
type API interface {
	ListConfigurations(ctx context.Context, accountID string) ([]docusign.Configuration, error)
	CreateConfiguration(ctx context.Context, accountID string, cfg docusign.Configuration) (docusign.Configuration, error)
	UpdateConfiguration(ctx context.Context, accountID string, cfg docusign.Configuration) (docusign.Configuration, error)
	DeleteConfiguration(ctx context.Context, accountID, connectID string) error
}

// Options tune Run.
type Options struct {
	// Concurrency is how many calls may be in flight at once, in all
	// accounts together (one account with many changes may use them all);
	// 1 applies one change after another.
	Concurrency     int
	AllowMassDelete bool
	// Live holds each account's live configurations in wire form, by alias,
	// as read for the plan: update bodies are built from them, so it needs
	// only those the plan updates when LiveIDs is given.
	Live map[string][]docusign.Configuration
	// LiveIDs holds the ids of every live configuration read for the plan,
	// by alias (nil: the ids in Live): a create whose answer was lost
	// looks for a configuration of its name that was not among them.
	LiveIDs map[string][]string
	// OnResult, if set, is called after each change (from several
	// goroutines at once), for progress output.
	OnResult func(Result)
	// CreateAttempts bounds how often a create whose outcome stays unknown
	// is tried (default 3).
	CreateAttempts int
	// BeforeCreate, if set, is called before a create is first sent, and
	// AfterCreate once its outcome is known (created, or certainly not):
	// a journal of creates in flight, so that a re-run after a kill can
	// wait for one DocuSign was still storing. AfterCreate is not called
	// while the outcome stays unknown.
	BeforeCreate, AfterCreate func(accountID, name string)
}

// Status is what became of one change.
type Status string

// Statuses.
const (
	Done    Status = "done"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Result is what became of one change.
type Result struct {
	Account   string      `json:"account"`
	Action    plan.Action `json:"action"`
	Name      string      `json:"name"`
	ConnectID string      `json:"connect_id,omitempty"`
	Status    Status      `json:"status"`
	// Note explains a skip or a recovery ("the response was lost; …").
	Note string `json:"note,omitempty"`
	Err  error  `json:"-"`
}

// Report is what Run did, per account in plan order.
type Report struct {
	Accounts []AccountReport
	// Interrupted is set when ctx was cancelled before every change ran.
	Interrupted bool
}

// AccountReport is what Run did in one account.
type AccountReport struct {
	Alias   string
	Results []Result
	// Err is why nothing was done in the account (refused or unplannable).
	Err error
}

// Failed reports whether anything failed or was refused.
func (r Report) Failed() bool {
	for _, a := range r.Accounts {
		if a.Err != nil {
			return true
		}
		for _, res := range a.Results {
			if res.Status != Done {
				return true
			}
		}
	}
	return false
}

// ErrMassDelete refuses a plan that deletes too much of an account.
var ErrMassDelete = errors.New("refused: mass delete")

// Run applies every account's changes and reports each result.
func Run(ctx context.Context, api API, p *plan.Plan, opts Options) Report {
	if opts.CreateAttempts < 1 {
		opts.CreateAttempts = 3
	}
	if f := opts.OnResult; f != nil { // accounts report from several goroutines
		var mu sync.Mutex
		opts.OnResult = func(r Result) {
			mu.Lock()
			defer mu.Unlock()
			f(r)
		}
	}
	rep := Report{Accounts: make([]AccountReport, len(p.Accounts))}
	slots := make(chan struct{}, max(opts.Concurrency, 1)) // calls in flight
	var g errgroup.Group
	g.SetLimit(max(opts.Concurrency, 1))
	for i, a := range p.Accounts {
		g.Go(func() error {
			rep.Accounts[i] = runAccount(ctx, api, a, opts, slots)
			return nil
		})
	}
	_ = g.Wait()
	for _, a := range rep.Accounts {
		for _, r := range a.Results {
			if r.Status == Skipped && r.Note == noteInterrupted {
				rep.Interrupted = true
			}
		}
	}
	return rep
}

// noteInterrupted marks the changes not started because the run was cancelled.
const noteInterrupted = "interrupted before it started"

func runAccount(ctx context.Context, api API, a plan.Account, opts Options, slots chan struct{}) AccountReport {
	ar := AccountReport{Alias: a.Alias}
	var todo []plan.Change
	for _, c := range a.Changes {
		if c.Action != plan.NoOp {
			todo = append(todo, c)
		}
	}
	skipAll := func(note string) {
		for _, c := range todo {
			ar.Results = append(ar.Results, report(opts, Result{Account: a.Alias, Action: c.Action, Name: c.Name, ConnectID: c.ConnectID, Status: Skipped, Note: note}))
		}
	}
	switch {
	case len(a.Errors) > 0:
		ar.Err = fmt.Errorf("account %s cannot be applied: %s", a.Alias, strings.Join(a.Errors, "; "))
		skipAll("the account cannot be planned")
		return ar
	case a.MassDelete != "" && !opts.AllowMassDelete:
		ar.Err = fmt.Errorf("%w: account %s: the plan %s; re-run with --allow-mass-delete if that is intended", ErrMassDelete, a.Alias, a.MassDelete)
		skipAll("mass delete refused")
		return ar
	}
	acct := &accountRun{api: api, accountID: a.AccountID, alias: a.Alias, live: opts.Live[a.Alias], attempts: opts.CreateAttempts, opts: opts}
	if ids, ok := opts.LiveIDs[a.Alias]; ok {
		acct.ids = ids
	} else {
		for _, w := range acct.live {
			acct.ids = append(acct.ids, w.ConnectID)
		}
	}
	// A change once started runs to its end: its calls do not see the
	// cancellation, which only stops the next change from starting.
	callCtx := context.WithoutCancel(ctx)
	results := make([]Result, len(todo))
	out := &orderedReport{opts: opts, results: results, ready: make([]bool, len(todo))}
	var failed atomic.Bool
	// run carries out change i once it may start (start is called when it
	// has a slot, or is skipped): it checks the cancellation and the
	// earlier failures at that moment, as a run one change after another
	// does.
	run := func(i int, start func()) {
		c := todo[i]
		res := Result{Account: a.Alias, Action: c.Action, Name: c.Name, ConnectID: c.ConnectID}
		switch {
		case ctx.Err() != nil:
			start()
			res.Status, res.Note = Skipped, noteInterrupted
		case c.Action == plan.Delete && failed.Load():
			start()
			res.Status, res.Note = Skipped, "an earlier change in this account failed; nothing is deleted until a re-run succeeds"
		default:
			slots <- struct{}{}
			start()
			if ctx.Err() != nil { // cancelled while it waited for a slot
				<-slots
				res.Status, res.Note = Skipped, noteInterrupted
				break
			}
			res.ConnectID, res.Note, res.Err = acct.do(callCtx, c)
			<-slots
			res.Status = Done
			if res.Err != nil {
				res.Status = Failed
				failed.Store(true)
			}
		}
		out.done(i, res)
	}
	// Updates and creates first, side by side where independent, started
	// in plan order; then the deletes, one after the other, each skipped
	// once anything failed.
	after := dependencies(todo)
	started, finished := make([]chan struct{}, len(todo)), make([]chan struct{}, len(todo))
	var wg sync.WaitGroup
	prev := -1
	for i, c := range todo {
		started[i], finished[i] = make(chan struct{}), make(chan struct{})
		if c.Action == plan.Delete {
			continue
		}
		waitTurn := prev
		wg.Go(func() {
			defer close(finished[i])
			if waitTurn >= 0 {
				<-started[waitTurn]
			}
			for _, j := range after[i] {
				<-finished[j]
			}
			run(i, func() { close(started[i]) })
		})
		prev = i
	}
	wg.Wait()
	for i, c := range todo {
		if c.Action == plan.Delete {
			run(i, func() {})
		}
	}
	ar.Results = results
	return ar
}

// dependencies lists, for each update or create, the earlier ones it must
// wait for: those that touch the same configuration, by name (a create and
// a rename to that name, or two creates of one name), former name or
// connectId.
func dependencies(todo []plan.Change) [][]int {
	after := make([][]int, len(todo))
	last := map[string]int{} // key → the latest change holding it
	for i, c := range todo {
		if c.Action == plan.Delete {
			continue
		}
		keys := []string{"name\x00" + c.Name}
		if c.RenamedFrom != "" {
			keys = append(keys, "name\x00"+c.RenamedFrom)
		}
		if c.ConnectID != "" {
			keys = append(keys, "id\x00"+c.ConnectID)
		}
		for _, k := range keys {
			if j, ok := last[k]; ok && !slices.Contains(after[i], j) {
				after[i] = append(after[i], j)
			}
			last[k] = i
		}
	}
	return after
}

// orderedReport hands results to OnResult in plan order, whatever order
// they finish in, so that the progress a person reads is the plan's order.
type orderedReport struct {
	opts    Options
	mu      sync.Mutex
	results []Result
	ready   []bool
	next    int
}

func (o *orderedReport) done(i int, r Result) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.results[i], o.ready[i] = r, true
	for o.next < len(o.results) && o.ready[o.next] {
		report(o.opts, o.results[o.next])
		o.next++
	}
}

func report(opts Options, r Result) Result {
	if opts.OnResult != nil {
		opts.OnResult(r)
	}
	return r
}

// accountRun applies changes in one account.
type accountRun struct {
	api       API
	accountID string
	alias     string
	live      []docusign.Configuration
	ids       []string // of every live configuration at plan time
	attempts  int
	opts      Options
}

func (r *accountRun) wire(connectID string) (docusign.Configuration, bool) {
	for _, w := range r.live {
		if w.ConnectID == connectID {
			return w, true
		}
	}
	return docusign.Configuration{}, false
}

// do carries out one change and returns the configuration's id.
func (r *accountRun) do(ctx context.Context, c plan.Change) (id, note string, err error) {
	switch c.Action {
	case plan.Update:
		live, ok := r.wire(c.ConnectID)
		if !ok {
			return c.ConnectID, "", fmt.Errorf("update %q: live configuration %s is not in the state read for the plan", c.Name, c.ConnectID)
		}
		// The client's errors name the call, the configuration and the account.
		_, err := r.api.UpdateConfiguration(ctx, r.accountID, config.Overlay(live, *c.Desired))
		return c.ConnectID, "", err
	case plan.Delete:
		return r.delete(ctx, c)
	case plan.Create:
		return r.create(ctx, c)
	}
	return c.ConnectID, "", nil
}

// create posts a new configuration. When the outcome is unknown it lists the
// account and looks for a configuration of that name that was not there
// before: found, the create happened; not found, it is tried again.
func (r *accountRun) create(ctx context.Context, c plan.Change) (id, note string, err error) {
	if r.opts.BeforeCreate != nil {
		r.opts.BeforeCreate(r.accountID, c.Name)
	}
	known := true
	defer func() {
		if known && r.opts.AfterCreate != nil {
			r.opts.AfterCreate(r.accountID, c.Name)
		}
	}()
	body := config.ToWire(*c.Desired)
	before := map[string]bool{}
	for _, id := range r.ids {
		before[id] = true
	}
	for attempt := 1; ; attempt++ {
		created, err := r.api.CreateConfiguration(ctx, r.accountID, body)
		if err == nil {
			if created.Name != "" && created.Name != c.Name {
				// Plans match by name: a name DocuSign changed on the way (it
				// could trim or clean it; UNCONFIRMED) would be created again
				// by every apply.
				err = fmt.Errorf("created %q as connectId %s, but DocuSign stored its name as %q: write that name in the files (or pin connectId: %q), or the next apply creates it again",
					c.Name, created.ConnectID, created.Name, created.ConnectID)
			}
			return created.ConnectID, note, err
		}
		if !docusign.IsOutcomeUnknown(err) {
			return "", note, fmt.Errorf("create %q: %w", c.Name, err)
		}
		found, lerr := r.findNew(ctx, c.Name, before)
		switch {
		case lerr != nil:
			known = false
			return "", note, fmt.Errorf("create %q: %w; and listing the account to check whether it was created failed: %v (re-run to repair)", c.Name, err, lerr)
		case len(found) == 1:
			return found[0], "the response was lost; the configuration was created", nil
		case len(found) > 1:
			return "", note, fmt.Errorf("create %q: %d new configurations of that name appeared (connectId %s); delete the extra ones", c.Name, len(found), strings.Join(found, ", "))
		case attempt >= r.attempts:
			return "", note, fmt.Errorf("create %q: %w (tried %d times; it was not created)", c.Name, err, attempt)
		}
		note = fmt.Sprintf("retried after: %v", firstLine(err))
	}
}

// delete deletes a configuration. When the DELETE fails (its answer lost
// and the retries refused, say) it lists the account: if the configuration is
// gone, the delete happened and is reported done.
func (r *accountRun) delete(ctx context.Context, c plan.Change) (id, note string, err error) {
	err = r.api.DeleteConfiguration(ctx, r.accountID, c.ConnectID)
	if err == nil {
		return c.ConnectID, "", nil
	}
	list, lerr := r.api.ListConfigurations(ctx, r.accountID)
	if lerr != nil {
		return c.ConnectID, "", fmt.Errorf("%w; and listing the account to check whether it is gone failed: %v (re-run to repair)", err, lerr)
	}
	if !slices.ContainsFunc(list, func(w docusign.Configuration) bool { return w.ConnectID == c.ConnectID }) {
		return c.ConnectID, fmt.Sprintf("the DELETE failed (%s), but the configuration is gone", firstLine(err)), nil
	}
	return c.ConnectID, "", err
}

func (r *accountRun) findNew(ctx context.Context, name string, before map[string]bool) ([]string, error) {
	list, err := r.api.ListConfigurations(ctx, r.accountID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, w := range list {
		if w.Name == name && !before[w.ConnectID] {
			ids = append(ids, w.ConnectID)
		}
	}
	return ids, nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
