package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
)

// fakeAPI records calls and stores configurations; hooks let a test fail or
// lose a call.
type fakeAPI struct {
	mu    sync.Mutex
	calls []string
	store map[string]docusign.Configuration
	next  int
	// createErr, if set, is called before a create is stored and after:
	// return an error before to refuse it, or lost=true to store it and lose
	// the answer.
	createFault func(n int) (err error, lost bool)
	creates     int
	updateErr   error
	bodies      []docusign.Configuration
	// deleteFault, if set, decides a delete's error and whether it happened.
	deleteFault func() (err error, happened bool)
	// storeName, if set, is the name a create stores for the name sent.
	storeName func(string) string
}

func newFake(live ...docusign.Configuration) *fakeAPI {
	f := &fakeAPI{store: map[string]docusign.Configuration{}, next: 100}
	for _, c := range live {
		f.store[c.ConnectID] = c
	}
	return f
}

func (f *fakeAPI) ListConfigurations(ctx context.Context, accountID string) ([]docusign.Configuration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "list")
	var out []docusign.Configuration
	for _, c := range f.store {
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeAPI) CreateConfiguration(ctx context.Context, accountID string, c docusign.Configuration) (docusign.Configuration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "create "+c.Name)
	f.creates++
	var lost bool
	if f.createFault != nil {
		var err error
		if err, lost = f.createFault(f.creates); err != nil && !lost {
			return docusign.Configuration{}, err
		}
	}
	f.next++
	c.ConnectID = fmt.Sprint(f.next)
	if f.storeName != nil {
		c.Name = f.storeName(c.Name)
	}
	f.store[c.ConnectID] = c
	if lost {
		return docusign.Configuration{}, &docusign.OutcomeUnknownError{Method: "POST", Path: "/connect", Err: errors.New("connection reset")}
	}
	return c, nil
}

func (f *fakeAPI) UpdateConfiguration(ctx context.Context, accountID string, c docusign.Configuration) (docusign.Configuration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "update "+c.Name)
	f.bodies = append(f.bodies, c)
	if f.updateErr != nil {
		return docusign.Configuration{}, f.updateErr
	}
	f.store[c.ConnectID] = c
	return c, nil
}

func (f *fakeAPI) DeleteConfiguration(ctx context.Context, accountID, connectID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "delete "+connectID)
	if f.deleteFault != nil {
		err, happened := f.deleteFault()
		if happened {
			delete(f.store, connectID)
		}
		return err
	}
	delete(f.store, connectID)
	return nil
}

func (f *fakeAPI) count(name string) int {
	n := 0
	for _, c := range f.store {
		if c.Name == name {
			n++
		}
	}
	return n
}

func desired(name string) *config.Connect {
	return &config.Connect{Name: name, Fields: map[string]any{"urlToPublishTo": "https://h/" + name, "enableLog": true, "password": "pw"}}
}

func statuses(r Report) []string {
	var out []string
	for _, a := range r.Accounts {
		if a.Err != nil {
			out = append(out, "account: "+a.Err.Error())
		}
		for _, res := range a.Results {
			out = append(out, fmt.Sprintf("%s %s %s", res.Action, res.Name, res.Status))
		}
	}
	return out
}

func TestRun(t *testing.T) {
	t.Parallel()
	lostOnce := func(n int) (error, bool) { return errors.New("lost"), n == 1 }
	refusedOnce := func(n int) (error, bool) {
		if n == 1 {
			return &docusign.OutcomeUnknownError{Method: "POST", Err: errors.New("timeout before sending")}, false
		}
		return nil, false
	}
	alwaysUnknown := func(int) (error, bool) {
		return &docusign.OutcomeUnknownError{Method: "POST", Err: errors.New("503")}, false
	}
	tests := map[string]struct {
		account   plan.Account
		live      []docusign.Configuration
		fault     func(int) (error, bool)
		delFault  func() (error, bool)
		updateErr error
		allowMass bool
		want      []string
		wantCalls []string
		wantCount map[string]int
	}{
		"create, update, delete in that order": {
			account: plan.Account{Alias: "a", Changes: []plan.Change{
				{Action: plan.Update, Name: "u", ConnectID: "1", Desired: desired("u")},
				{Action: plan.Create, Name: "c", Desired: desired("c")},
				{Action: plan.Delete, Name: "d", ConnectID: "2"},
				{Action: plan.NoOp, Name: "same", ConnectID: "3"},
			}},
			live:      []docusign.Configuration{{ConnectID: "1", Name: "u"}, {ConnectID: "2", Name: "d"}, {ConnectID: "3", Name: "same"}},
			want:      []string{"update u done", "create c done", "delete d done"},
			wantCalls: []string{"update u", "create c", "delete 2"},
		},
		"a lost create answer is found by listing, not created twice": {
			account:   plan.Account{Alias: "a", Changes: []plan.Change{{Action: plan.Create, Name: "c", Desired: desired("c")}}},
			fault:     lostOnce,
			want:      []string{"create c done"},
			wantCalls: []string{"create c", "list"},
			wantCount: map[string]int{"c": 1},
		},
		"an unknown outcome that did not create is tried again": {
			account:   plan.Account{Alias: "a", Changes: []plan.Change{{Action: plan.Create, Name: "c", Desired: desired("c")}}},
			fault:     refusedOnce,
			want:      []string{"create c done"},
			wantCalls: []string{"create c", "list", "create c"},
			wantCount: map[string]int{"c": 1},
		},
		"a create that never goes through gives up after the attempts": {
			account:   plan.Account{Alias: "a", Changes: []plan.Change{{Action: plan.Create, Name: "c", Desired: desired("c")}}},
			fault:     alwaysUnknown,
			want:      []string{"create c failed"},
			wantCalls: []string{"create c", "list", "create c", "list", "create c", "list"},
			wantCount: map[string]int{"c": 0},
		},
		"a delete whose answer was lost is found gone by listing, and reported deleted": {
			account:   plan.Account{Alias: "a", Changes: []plan.Change{{Action: plan.Delete, Name: "d", ConnectID: "2"}}},
			live:      []docusign.Configuration{{ConnectID: "2", Name: "d"}, {ConnectID: "3", Name: "e"}},
			delFault:  func() (error, bool) { return errors.New("giving up after 5 attempts: EOF"), true },
			want:      []string{"delete d done"},
			wantCalls: []string{"delete 2", "list"},
		},
		"a delete that failed and did not happen is reported failed": {
			account:   plan.Account{Alias: "a", Changes: []plan.Change{{Action: plan.Delete, Name: "d", ConnectID: "2"}}},
			live:      []docusign.Configuration{{ConnectID: "2", Name: "d"}, {ConnectID: "3", Name: "e"}},
			delFault:  func() (error, bool) { return errors.New("403 USER_LACKS_PERMISSIONS"), false },
			want:      []string{"delete d failed"},
			wantCalls: []string{"delete 2", "list"},
		},
		"a failure holds deletes back": {
			account: plan.Account{Alias: "a", Changes: []plan.Change{
				{Action: plan.Update, Name: "u", ConnectID: "1", Desired: desired("u")},
				{Action: plan.Delete, Name: "d", ConnectID: "2"},
			}},
			live:      []docusign.Configuration{{ConnectID: "1", Name: "u"}, {ConnectID: "2", Name: "d"}},
			updateErr: errors.New("400 UNSPECIFIED_ERROR"),
			want:      []string{"update u failed", "delete d skipped"},
			wantCalls: []string{"update u"},
		},
		"mass delete is refused": {
			account:   plan.Account{Alias: "a", MassDelete: "deletes all 1", Changes: []plan.Change{{Action: plan.Delete, Name: "d", ConnectID: "2"}}},
			live:      []docusign.Configuration{{ConnectID: "2", Name: "d"}},
			want:      []string{"account: refused: mass delete: account a: the plan deletes all 1; re-run with --allow-mass-delete if that is intended", "delete d skipped"},
			wantCalls: nil,
		},
		"mass delete allowed": {
			account:   plan.Account{Alias: "a", MassDelete: "deletes all 1", Changes: []plan.Change{{Action: plan.Delete, Name: "d", ConnectID: "2"}}},
			live:      []docusign.Configuration{{ConnectID: "2", Name: "d"}},
			allowMass: true,
			want:      []string{"delete d done"},
			wantCalls: []string{"delete 2"},
		},
		"an account that cannot be planned is not touched": {
			account:   plan.Account{Alias: "a", Errors: []string{"two named x"}, Changes: []plan.Change{{Action: plan.Create, Name: "c", Desired: desired("c")}}},
			want:      []string{"account: account a cannot be applied: two named x", "create c skipped"},
			wantCalls: nil,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(tc.live...)
			f.createFault, f.updateErr, f.deleteFault = tc.fault, tc.updateErr, tc.delFault
			rep := Run(context.Background(), f, &plan.Plan{Accounts: []plan.Account{tc.account}},
				Options{AllowMassDelete: tc.allowMass, Live: map[string][]docusign.Configuration{"a": tc.live}})
			if diff := cmp.Diff(tc.want, statuses(rep)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, f.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			for n, want := range tc.wantCount {
				if got := f.count(n); got != want {
					t.Errorf("%d configurations named %q, want %d", got, n, want)
				}
			}
			all := strings.Join(statuses(rep), " ")
			if want := strings.Contains(all, "failed") || strings.Contains(all, "skipped"); rep.Failed() != want {
				t.Errorf("Failed() = %v for %v", rep.Failed(), statuses(rep))
			}
		})
	}
}

// TestUpdateKeepsUnmanagedFields: an update sends the live object with the
// desired fields written over it, so fields the files do not set (and fields
// this version does not know) are sent back unchanged, plus the write-only
// password.
func TestUpdateKeepsUnmanagedFields(t *testing.T) {
	t.Parallel()
	live := docusign.Configuration{ConnectID: "1", Name: "u", IncludeHMAC: docusign.BoolPtr(true), URLToPublishTo: "https://old",
		Unknown: map[string]json.RawMessage{"futureField": json.RawMessage(`"kept"`)}}
	f := newFake(live)
	p := &plan.Plan{Accounts: []plan.Account{{Alias: "a", Changes: []plan.Change{{Action: plan.Update, Name: "u", ConnectID: "1", Desired: desired("u")}}}}}
	rep := Run(context.Background(), f, p, Options{Live: map[string][]docusign.Configuration{"a": {live}}})
	if rep.Failed() {
		t.Fatalf("failed: %v", statuses(rep))
	}
	body := f.bodies[0]
	if body.IncludeHMAC == nil || !*body.IncludeHMAC || body.URLToPublishTo != "https://h/u" || body.Password != "pw" || body.ConnectID != "1" ||
		string(body.Unknown["futureField"]) != `"kept"` {
		t.Errorf("update body: %+v", body)
	}
}

func TestCancelledSkipsTheRest(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := newFake()
	p := &plan.Plan{Accounts: []plan.Account{{Alias: "a", Changes: []plan.Change{{Action: plan.Create, Name: "c", Desired: desired("c")}}}}}
	rep := Run(ctx, f, p, Options{})
	if diff := cmp.Diff([]string{"create c skipped"}, statuses(rep)); diff != "" || len(f.calls) != 0 {
		t.Errorf("(-want +got):\n%s\ncalls %v", diff, f.calls)
	}
}

// TestCreateReportsANameDocuSignChanged: plans match configurations by
// name, so a create whose name the server stored differently (trimmed, say:
// whether DocuSign does is UNCONFIRMED) would be created again by every
// apply. The create is reported failed, with the stored name and the
// connectId to pin, instead of "created".
func TestCreateReportsANameDocuSignChanged(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.storeName = strings.TrimSpace
	p := &plan.Plan{Accounts: []plan.Account{{Alias: "a", Changes: []plan.Change{{Action: plan.Create, Name: "orders ", Desired: desired("orders ")}}}}}
	rep := Run(context.Background(), f, p, Options{})
	res := rep.Accounts[0].Results
	if !rep.Failed() || len(res) != 1 || res[0].ConnectID != "101" || res[0].Err == nil ||
		!strings.Contains(res[0].Err.Error(), `created "orders " as connectId 101, but DocuSign stored its name as "orders": write that name in the files (or pin connectId: "101")`) {
		t.Fatalf("got %+v", res)
	}
	if f.creates != 1 {
		t.Errorf("%d creates, want 1", f.creates)
	}
}
