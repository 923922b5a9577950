package cli

// What apply keeps on this machine so that two applies, or a killed one and
// its re-run, never duplicate a configuration:
//
//   - a lock per account (pkg/lockfile), held from before the plan is read
//     until the apply ends, so that two applies of one account run one
//     after the other, each planning from what the other left;
//   - a journal of the creates in flight per account: an apply killed while
//     DocuSign was still storing its create leaves the entry behind, and the
//     next apply waits for that create to land (up to one HTTP attempt's
//     time after it was sent) before it reads the account, so that it finds
//     the configuration instead of creating it again.
//
// Both live under the state directory: $CONNECTSYNC_STATE_DIR, else
// $XDG_STATE_HOME/connectsync, else ~/.local/state/connectsync. They
// serialise applies on one machine only; applies from several machines (CI
// runners) must be serialised by the CI (a GitHub concurrency group).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/live"
	"github.com/connectsync/connectsync/pkg/lockfile"
)

// stateDir is where apply keeps its locks and journal.
func stateDir(env Env) string {
	if d := env.Getenv("CONNECTSYNC_STATE_DIR"); d != "" {
		return d
	}
	if d := env.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "connectsync")
	}
	if home := env.Getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "connectsync")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("connectsync-%d", os.Getuid()))
}

// accountFile names an account's file under dir: account ids are GUIDs or
// numbers, compared without case.
func accountFile(dir, accountID, ext string) string {
	return filepath.Join(dir, "account-"+strings.ToLower(filepath.Base(accountID))+ext)
}

// applyState is one apply's hold on its accounts.
type applyState struct {
	dir     string
	locks   []*lockfile.Lock
	mu      sync.Mutex // guards the journal files of this process
	timeout time.Duration
}

// lockAccounts takes the lock of every account, in account id order (so two
// applies of overlapping accounts cannot deadlock), waiting up to wait for
// each and saying on stderr whom it waits for.
func lockAccounts(ctx context.Context, env Env, accounts []config.Account, wait, httpTimeout time.Duration) (*applyState, error) {
	st := &applyState{dir: stateDir(env), timeout: httpTimeout}
	ids := make([]string, 0, len(accounts))
	alias := map[string]string{}
	for _, a := range accounts {
		id := strings.ToLower(a.AccountID)
		ids = append(ids, id)
		alias[id] = a.Alias
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	me := lockfile.Me("connectsync apply")
	for _, id := range ids {
		path := accountFile(filepath.Join(st.dir, "locks"), id, ".lock")
		l, err := lockfile.Acquire(ctx, path, me, wait, func(h lockfile.Holder) {
			fmt.Fprintf(env.Stderr, "Waiting for another apply on account %s to finish (%s); connectsync applies one account at a time (up to --lock-timeout %s).\n", alias[id], h, wait)
		})
		var held *lockfile.HeldError
		switch {
		case errors.As(err, &held):
			st.release()
			return nil, usageError(fmt.Sprintf("another apply on account %s is running (%s); waited %s: run apply again once it has finished, or raise --lock-timeout",
				alias[id], held.Holder, wait))
		case err != nil:
			st.release()
			return nil, err
		}
		st.locks = append(st.locks, l)
	}
	return st, nil
}

func (st *applyState) release() {
	for _, l := range st.locks {
		l.Release()
	}
	st.locks = nil
}

// pendingCreate is a create sent and not yet known to have landed.
type pendingCreate struct {
	Name    string    `json:"name"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

func (st *applyState) journal(accountID string) string {
	return accountFile(filepath.Join(st.dir, "pending"), accountID, ".json")
}

func (st *applyState) readPending(accountID string) []pendingCreate {
	var list []pendingCreate
	if data, err := os.ReadFile(st.journal(accountID)); err == nil {
		_ = json.Unmarshal(data, &list)
	}
	return list
}

func (st *applyState) writePending(accountID string, list []pendingCreate) error {
	path := st.journal(accountID)
	if len(list) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, _ := json.Marshal(list)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// creating records a create about to be sent (apply.Options.BeforeCreate).
func (st *applyState) creating(accountID, name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	list := append(st.readPending(accountID), pendingCreate{Name: name, PID: os.Getpid(), Started: time.Now()})
	_ = st.writePending(accountID, list)
}

// created forgets a create whose outcome is known (apply.Options.AfterCreate).
func (st *applyState) created(accountID, name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	list := slices.DeleteFunc(st.readPending(accountID), func(p pendingCreate) bool { return p.Name == name && p.PID == os.Getpid() })
	_ = st.writePending(accountID, list)
}

// settle waits for the creates an earlier, killed apply left in flight to
// land before the account is read: DocuSign may still be storing one when
// the re-run starts, and the re-run would not see it and create it again.
// It reads the account every second and stops waiting once each pending
// name is there, or once each was sent one HTTP attempt's time (plus a
// margin) ago; then it forgets them: the plan that follows reads the account.
func (st *applyState) settle(ctx context.Context, env Env, accounts []config.Account, lister live.Lister) error {
	const margin = 5 * time.Second
	for _, a := range accounts {
		list := st.readPending(a.AccountID)
		if len(list) == 0 {
			continue
		}
		var until time.Time
		var names []string
		for _, p := range list {
			names = append(names, p.Name)
			if t := p.Started.Add(st.timeout + margin); t.After(until) {
				until = t
			}
		}
		told := false
		for time.Now().Before(until) && !allPresent(ctx, lister, a.AccountID, names) {
			if !told {
				fmt.Fprintf(env.Stderr, "An earlier apply on account %s was stopped while creating %s; waiting up to %s for DocuSign to finish storing it before reading the account.\n",
					a.Alias, quoteAll(names), time.Until(until).Round(time.Second))
				told = true
			}
			t := time.NewTimer(min(time.Second, time.Until(until)))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		st.mu.Lock()
		err := st.writePending(a.AccountID, nil)
		st.mu.Unlock()
		if err != nil {
			return fmt.Errorf("apply journal of account %s: %w", a.Alias, err)
		}
	}
	return nil
}

// allPresent reports whether the account holds a configuration of each name.
func allPresent(ctx context.Context, lister live.Lister, accountID string, names []string) bool {
	list, err := lister.ListConfigurations(ctx, accountID)
	if err != nil {
		return false
	}
	for _, n := range names {
		if !slices.ContainsFunc(list, func(w docusign.Configuration) bool { return w.Name == n }) {
			return false
		}
	}
	return true
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
