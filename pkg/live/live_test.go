package live

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
)

type lister struct {
	inFlight, peak atomic.Int32
}

func (l *lister) ListConfigurations(ctx context.Context, accountID string) ([]docusign.Configuration, error) {
	n := l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	for {
		p := l.peak.Load()
		if n <= p || l.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	if accountID == "bad" {
		return nil, errors.New("403 USER_LACKS_PERMISSIONS")
	}
	return []docusign.Configuration{{ConnectID: "1", Name: "hook-" + accountID, EnableLog: docusign.BoolPtr(true)}}, nil
}

// TestRead: states come back in the accounts' order, one failing account
// does not stop the others, and no more than concurrency are read at once.
func TestRead(t *testing.T) {
	t.Parallel()
	var accounts []config.Account
	for _, id := range []string{"a", "b", "bad", "c", "d", "e", "f"} {
		accounts = append(accounts, config.Account{Alias: "x-" + id, AccountID: id})
	}
	l := &lister{}
	var done atomic.Int32
	states := Read(context.Background(), l, accounts, 3, func(State) { done.Add(1) })
	if len(states) != len(accounts) || done.Load() != int32(len(accounts)) {
		t.Fatalf("%d states, %d done callbacks", len(states), done.Load())
	}
	for i, s := range states {
		if s.Account.Alias != accounts[i].Alias {
			t.Errorf("state %d is %s, want %s", i, s.Account.Alias, accounts[i].Alias)
		}
		if (s.Err != nil) != (s.Account.AccountID == "bad") {
			t.Errorf("%s: err %v", s.Account.Alias, s.Err)
		}
	}
	if got := states[0].Connects[0]; got.Name != "hook-a" || got.Account != "x-a" || got.Fields["enableLog"] != true {
		t.Errorf("converted: %+v", got)
	}
	if _, ok := states[0].WireByID("1"); !ok {
		t.Error("WireByID")
	}
	if p := l.peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d, want 2..3", p)
	}
}
