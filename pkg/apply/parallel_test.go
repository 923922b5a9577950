package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
)

// watchedAPI is fakeAPI with each write held a moment, recording how many
// calls were in flight at once, in all and per configuration name, and
// whether a delete ever overlapped an update or a create.
type watchedAPI struct {
	*fakeAPI
	mu             sync.Mutex
	inFlight       int
	maxInFlight    int
	byName         map[string]int
	sameNameRace   bool
	writesInFlight int // updates and creates
	deleteEarly    bool
	// lose, if set, says which creates are stored with their answer lost.
	lose func(name string) bool
}

func (w *watchedAPI) enter(name string, write bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight++
	w.maxInFlight = max(w.maxInFlight, w.inFlight)
	if w.byName[name]++; w.byName[name] > 1 {
		w.sameNameRace = true
	}
	if write {
		w.writesInFlight++
	} else if w.writesInFlight > 0 {
		w.deleteEarly = true
	}
}

func (w *watchedAPI) leave(name string, write bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight--
	w.byName[name]--
	if write {
		w.writesInFlight--
	}
}

func (w *watchedAPI) CreateConfiguration(ctx context.Context, accountID string, c docusign.Configuration) (docusign.Configuration, error) {
	w.enter(c.Name, true)
	defer w.leave(c.Name, true)
	time.Sleep(2 * time.Millisecond)
	created, err := w.fakeAPI.CreateConfiguration(ctx, accountID, c)
	if err == nil && w.lose != nil && w.lose(c.Name) {
		return docusign.Configuration{}, &docusign.OutcomeUnknownError{Method: "POST", Path: "/connect", Err: errors.New("connection reset")}
	}
	return created, err
}

func (w *watchedAPI) UpdateConfiguration(ctx context.Context, accountID string, c docusign.Configuration) (docusign.Configuration, error) {
	w.enter(c.Name, true)
	defer w.leave(c.Name, true)
	time.Sleep(2 * time.Millisecond)
	return w.fakeAPI.UpdateConfiguration(ctx, accountID, c)
}

func (w *watchedAPI) DeleteConfiguration(ctx context.Context, accountID, connectID string) error {
	w.enter("id:"+connectID, false)
	defer w.leave("id:"+connectID, false)
	return w.fakeAPI.DeleteConfiguration(ctx, accountID, connectID)
}

// TestParallelWritesInOneAccount: with --concurrency 8, the creates and
// updates of one account run side by side (never more than 8 at once),
// every configuration is created exactly once even when answers are lost,
// two creates of one name never overlap, the deletes start only after
// every update and create has finished, and the results come in plan order.
func TestParallelWritesInOneAccount(t *testing.T) {
	t.Parallel()
	var live []docusign.Configuration
	var changes []plan.Change
	for i := range 10 {
		id := fmt.Sprint(i + 1)
		live = append(live, docusign.Configuration{ConnectID: id, Name: fmt.Sprintf("u%d", i)})
		changes = append(changes, plan.Change{Action: plan.Update, Name: fmt.Sprintf("u%d", i), ConnectID: id, Desired: desired(fmt.Sprintf("u%d", i))})
	}
	for i := range 30 {
		changes = append(changes, plan.Change{Action: plan.Create, Name: fmt.Sprintf("c%d", i), Desired: desired(fmt.Sprintf("c%d", i))})
	}
	// Two creates of one name (a plan never holds these, but if it did,
	// they must not race) and a rename onto a created name.
	changes = append(changes, plan.Change{Action: plan.Create, Name: "twin", Desired: desired("twin")},
		plan.Change{Action: plan.Create, Name: "twin", Desired: desired("twin")},
		plan.Change{Action: plan.Update, Name: "c3", RenamedFrom: "u9", ConnectID: "10", Desired: desired("c3")})
	live = append(live, docusign.Configuration{ConnectID: "99", Name: "gone"})
	changes = append(changes, plan.Change{Action: plan.Delete, Name: "gone", ConnectID: "99"})

	f := newFake(live...)
	lost := map[string]bool{"c0": true, "c6": true, "c13": true, "c20": true, "c27": true}
	api := &watchedAPI{fakeAPI: f, byName: map[string]int{}, lose: func(name string) bool { return lost[name] }}
	var order []string
	rep := Run(context.Background(), api, &plan.Plan{Accounts: []plan.Account{{Alias: "a", AccountID: "acct", Changes: changes}}},
		Options{Concurrency: 8, Live: map[string][]docusign.Configuration{"a": live},
			OnResult: func(r Result) { order = append(order, string(r.Action)+" "+r.Name) }})
	if rep.Failed() {
		t.Fatalf("failed: %v", statuses(rep))
	}
	if api.maxInFlight < 2 || api.maxInFlight > 8 {
		t.Errorf("%d calls in flight at most, want 2 to 8", api.maxInFlight)
	}
	if api.sameNameRace {
		t.Error("two writes of one configuration name overlapped")
	}
	if api.deleteEarly {
		t.Error("a delete started while an update or create was in flight")
	}
	for i := range 30 {
		if n := f.count(fmt.Sprintf("c%d", i)); n != 1 && !(i == 3 && n == 2) { // c3 is also u9's new name
			t.Errorf("%d configurations named c%d, want 1", n, i)
		}
	}
	if n := f.count("twin"); n != 2 {
		t.Errorf("%d twins, want the 2 the plan asked for", n)
	}
	var want []string
	for _, c := range changes {
		want = append(want, string(c.Action)+" "+c.Name)
	}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("results reported out of plan order:\n%v\nwant\n%v", order, want)
	}
}

// TestParallelFailureHoldsDeletesBack: a failed update among parallel
// writes still keeps every delete of the account from running.
func TestParallelFailureHoldsDeletesBack(t *testing.T) {
	t.Parallel()
	live := []docusign.Configuration{{ConnectID: "1", Name: "u"}, {ConnectID: "2", Name: "d"}}
	f := newFake(live...)
	f.updateErr = errors.New("400 UNSPECIFIED_ERROR")
	changes := []plan.Change{{Action: plan.Update, Name: "u", ConnectID: "1", Desired: desired("u")}}
	for i := range 5 {
		changes = append(changes, plan.Change{Action: plan.Create, Name: fmt.Sprintf("c%d", i), Desired: desired(fmt.Sprintf("c%d", i))})
	}
	changes = append(changes, plan.Change{Action: plan.Delete, Name: "d", ConnectID: "2"})
	rep := Run(context.Background(), f, &plan.Plan{Accounts: []plan.Account{{Alias: "a", Changes: changes}}},
		Options{Concurrency: 8, Live: map[string][]docusign.Configuration{"a": live}})
	got := statuses(rep)
	if got[len(got)-1] != "delete d skipped" || f.count("d") != 1 {
		t.Errorf("the delete ran after a failure: %v", got)
	}
}
