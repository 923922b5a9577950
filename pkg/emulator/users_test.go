package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// connectIDNamed finds a configuration's connectId by name.
func (env *testEnv) connectIDNamed(accountID, name string) string {
	env.t.Helper()
	configs, err := env.e.Configurations(accountID)
	if err != nil {
		env.t.Fatal(err)
	}
	for _, c := range configs {
		if c.Name == name {
			return c.ConnectID
		}
	}
	env.t.Fatalf("no configuration %q in %s", name, accountID)
	return ""
}

func TestUsersPagination(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	id := env.connectIDNamed(AccountAcme, "Legacy order webhook") // allUsers
	const total = 242

	for _, count := range []int{0, 7, 100, 500} {
		t.Run(fmt.Sprintf("count=%d", count), func(t *testing.T) {
			pageSize := min(max(count, DefaultUsersCount*boolInt(count == 0)), MaxUsersCount)
			seen := map[string]bool{}
			path := connect(AccountAcme) + "/" + id + "/users"
			if count > 0 {
				path += "?count=" + strconv.Itoa(count)
			}
			for page := 0; ; page++ {
				r := env.call("GET", path, nil)
				if r.status != http.StatusOK {
					t.Fatalf("page %d: %d %s", page, r.status, r.body)
				}
				m := r.json(t)
				start := page * pageSize
				n := min(pageSize, total-start)
				want := map[string]any{
					"allUsersSelected": "true",
					"startPosition":    strconv.Itoa(start),
					"endPosition":      strconv.Itoa(start + n - 1),
					"resultSetSize":    strconv.Itoa(n),
					"totalSetSize":     strconv.Itoa(total),
				}
				for k, v := range want {
					if m[k] != v {
						t.Errorf("page %d: %s = %#v, want %q", page, k, m[k], v)
					}
				}
				if (page == 0) != (m["previousUri"] == nil) {
					t.Errorf("page %d: previousUri = %#v", page, m["previousUri"])
				}
				for _, u := range m["users"].([]any) {
					user := u.(map[string]any)
					for _, k := range []string{"userId", "userName", "email", "userStatus"} {
						if s, _ := user[k].(string); s == "" {
							t.Errorf("user without %s: %v", k, user)
						}
					}
					seen[user["userId"].(string)] = true
				}
				next, _ := m["nextUri"].(string)
				if next == "" {
					if start+n != total {
						t.Errorf("nextUri null on page %d of a list of %d", page, total)
					}
					break
				}
				if page > total {
					t.Fatal("nextUri never ends")
				}
				path = "/restapi" + next
			}
			if len(seen) != total {
				t.Errorf("saw %d distinct users, want %d", len(seen), total)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestUsersCoverage(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	id := env.connectIDNamed(AccountGlobex, "Globex signer updates")
	r := env.call("GET", connect(AccountGlobex)+"/"+id+"/users", nil)
	m := r.json(t)
	var got []string
	for _, u := range m["users"].([]any) {
		got = append(got, u.(map[string]any)["userId"].(string))
	}
	want := []string{generatedUserID(AccountGlobex, 1), generatedUserID(AccountGlobex, 2), generatedUserID(AccountGlobex, 3)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("covered users (-want +got):\n%s", d)
	}
	if m["allUsersSelected"] != "false" || m["nextUri"] != nil || m["previousUri"] != nil {
		t.Errorf("page fields: %s", r.body)
	}

	all := env.call("GET", connect(AccountGlobex)+"/"+id+"/all/users", nil).json(t)
	if all["totalSetSize"] != "13" {
		t.Errorf("all users totalSetSize = %v, want 13", all["totalSetSize"])
	}
	if _, ok := all["allUsersSelected"]; ok {
		t.Error("/all/users has no allUsersSelected")
	}
	included := 0
	for _, u := range all["users"].([]any) {
		if u.(map[string]any)["isIncluded"] == "true" {
			included++
		}
	}
	if included != 3 {
		t.Errorf("%d users isIncluded, want 3", included)
	}
}

func TestUsersFiltersAndParameters(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	base := connect(AccountAcme) + "/" + env.connectIDNamed(AccountAcme, "Legacy order webhook") + "/users"
	tests := []struct {
		query string
		total string
		code  string
	}{
		{"?email_substring=USER001.", "1", ""},
		{"?user_name_substring=sample%20user%2000", "9", ""},
		{"?status=Closed", "4", ""},
		{"?status=closed,ActivationSent", "14", ""},
		{"?start_position=500", "242", ""},
		{"?count=0", "", CodeInvalidRequestParameter},
		{"?count=ten", "", CodeInvalidRequestParameter},
		{"?start_position=-1", "", CodeInvalidRequestParameter},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := env.call("GET", base+tt.query, nil)
			if tt.code != "" {
				if r.status != http.StatusBadRequest || r.errorCode(t) != tt.code {
					t.Errorf("got %d %s, want 400 %s", r.status, r.body, tt.code)
				}
				return
			}
			m := r.json(t)
			if m["totalSetSize"] != tt.total {
				t.Errorf("totalSetSize = %v, want %s", m["totalSetSize"], tt.total)
			}
		})
	}
	t.Run("empty page", func(t *testing.T) {
		m := env.call("GET", base+"?start_position=500", nil).json(t)
		if d := cmp.Diff([]any{}, m["users"]); d != "" || m["resultSetSize"] != "0" || m["nextUri"] != nil {
			t.Errorf("empty page: %v", m)
		}
	})
}
