package emulator

import (
	"encoding/base64"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func secrets(t *testing.T, r response) []string {
	t.Helper()
	raw, _ := r.json(t)["secrets"].([]any)
	out := []string{}
	for _, s := range raw {
		out = append(out, s.(string))
	}
	return out
}

func TestHMACKeys(t *testing.T) {
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	path := connect(AccountAcme) + "/secret"

	r := env.call("GET", path, nil)
	if r.status != http.StatusOK || len(secrets(t, r)) != 0 {
		t.Fatalf("a new account lists %d %s, want 200 and no keys", r.status, r.body)
	}

	// POST answers 201 with the new key in full, last; the others truncated.
	var created []string
	for i := range 3 {
		r := env.call("POST", path, nil)
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		list := secrets(t, r)
		if len(list) != i+1 {
			t.Fatalf("create %d answers %d keys", i+1, len(list))
		}
		key := list[i]
		if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 32 {
			t.Errorf("new key %q is not 32 bytes of base64 like DocuSign's", key)
		}
		for _, old := range list[:i] {
			if !strings.HasSuffix(old, "...") || len(old) != truncatedKeyLen+3 {
				t.Errorf("an older key is answered as %q, not truncated", old)
			}
		}
		created = append(created, key)
	}
	stored, _ := env.e.HMACKeys(AccountAcme)
	if !slices.Equal(stored, created) {
		t.Fatalf("stored keys %v, created %v", stored, created)
	}

	// GET lists every key truncated, never in full.
	r = env.call("GET", path, nil)
	list := secrets(t, r)
	for i, k := range list {
		if k != created[i][:truncatedKeyLen]+"..." {
			t.Errorf("key %d listed as %q", i+1, k)
		}
		if strings.Contains(string(r.body), created[i]) {
			t.Errorf("GET answers key %d in full", i+1)
		}
	}

	// DELETE takes the 1-based index; the keys after it move up.
	if r := env.call("DELETE", path+"/2", nil); r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("delete 2: %d %s", r.status, r.body)
	}
	stored, _ = env.e.HMACKeys(AccountAcme)
	if !slices.Equal(stored, []string{created[0], created[2]}) {
		t.Errorf("after deleting key 2: %v", stored)
	}
	for _, c := range []struct {
		keyID, code string
	}{{"0", CodeInvalidRequestParameter}, {"x", CodeInvalidRequestParameter}, {"3", CodeHMACKeyNotFound}} {
		if r := env.call("DELETE", path+"/"+c.keyID, nil); r.status != http.StatusBadRequest || r.errorCode(t) != c.code {
			t.Errorf("delete %s: %d %s, want 400 %s", c.keyID, r.status, r.body, c.code)
		}
	}
	if r := env.call("PUT", path, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT secret: %d", r.status)
	}
	// The usual checks: a member who is not an administrator may not.
	if r := env.call("GET", connect(AccountUmbrella)+"/secret", nil); r.status == http.StatusOK {
		t.Errorf("Umbrella (not administrator) lists keys: %d", r.status)
	}
}

// TestImportsOnlyTheFormat: the emulator imports no connectsync package but
// the leaf that writes DocuSign's message format (pkg/connectevent), so it
// cannot share anything else with the client it is checked against.
func TestImportsOnlyTheFormat(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		if strings.HasPrefix(imp, "github.com/connectsync/connectsync/") && imp != "github.com/connectsync/connectsync/pkg/connectevent" {
			t.Errorf("the emulator imports %s: only pkg/connectevent (DocuSign's message format) is allowed", imp)
		}
	}
}
