package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/emulator"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

// randomConfiguration is a connectCustomConfiguration body with a random
// choice of what real accounts hold: any letter case, empty defaults,
// twins of one name, no trigger events, groups only, plain http, SOAP
// without a namespace, listener credentials and OAuth clients.
func randomConfiguration(r *rand.Rand) map[string]any {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	some := func(xs ...string) []string {
		var out []string
		for _, x := range xs {
			if r.IntN(3) == 0 {
				out = append(out, x)
			}
		}
		if r.IntN(8) == 0 && len(out) > 0 {
			out = append(out, out[0]) // a repeat, as a careless script sends
		}
		return out
	}
	flag := func() any { return []any{true, false, "true", "false", "TRUE"}[r.IntN(5)] }
	c := map[string]any{
		"name":              pick("orders", "signers", "Orders", "billing hooks", "twin", "twin", "x/y: z"),
		"configurationType": pick("custom", "custom", "customrecipient"),
		"urlToPublishTo":    pick("https://hooks.example.com/a", "http://legacy.example.com/c", "https://h.example.com/x?y=1&z=${a}", "https://127.0.0.1:8443/h"),
	}
	if r.IntN(2) == 0 {
		c["allUsers"] = true
	} else if r.IntN(2) == 0 {
		c["userIds"] = []string{"2f9c4e1a-7b3d-4c5e-8f6a-9b0c1d2e3f4a", "u-" + pick("1", "2")}
		c["allUsers"] = false
	} else {
		c["groupIds"] = []string{pick("17", "42")}
	}
	if r.IntN(5) == 0 && c["allUsers"] == true {
		c["allUsersExcept"] = true
		c["userIds"] = []string{"u-3"}
	}
	if m := pick("", "SIM", "sim", "Aggregate", "aggregate", "-"); m != "-" {
		c["deliveryMode"] = m
	}
	if r.IntN(2) == 0 {
		c["events"] = some("envelope-sent", "envelope-completed", "envelope-voided", "recipient-completed", "recipient-declined")
	}
	if r.IntN(2) == 0 {
		c["envelopeEvents"] = some("Sent", "sent", "Delivered", "COMPLETED", "completed", "Voided")
	}
	if r.IntN(2) == 0 {
		c["recipientEvents"] = some("Sent", "AutoResponded", "autoresponded", "Completed", "declined")
	}
	ed := map[string]any{}
	if v := pick("", "legacy", "restv2.1", "RESTv2.1", "-"); v != "-" {
		ed["version"] = v
		if strings.EqualFold(v, "restv2.1") && r.IntN(2) == 0 {
			ed["format"] = "json"
		}
	}
	if r.IntN(3) == 0 {
		ed["includeData"] = some("recipients", "documents", "custom_fields", "tabs")
	}
	if len(ed) > 0 {
		c["eventData"] = ed
	}
	for _, f := range []string{"allowEnvelopePublish", "enableLog", "includeHMAC", "requiresAcknowledgement", "includeDocuments",
		"useSoapInterface", "pausePublish", "requireMutualTls", "includeTimeZoneInformation", "includeSenderAccountasCustomField"} {
		if r.IntN(3) == 0 {
			c[f] = flag()
		}
	}
	if c["useSoapInterface"] != nil && r.IntN(2) == 0 {
		c["soapNamespace"] = "urn:example:" + pick("a", "b")
	}
	if r.IntN(5) == 0 {
		c["userName"] = "listener"
		c["password"] = "pw-" + pick("1", "2")
	}
	if r.IntN(6) == 0 {
		c["includeOAuth"] = true
		c["oAuthConfiguration"] = map[string]any{"authorizationServerUrl": "https://auth.example.com/token", "clientId": "cid", "clientSecret": "cs", "scope": "hooks"}
	}
	return c
}

// TestEverythingStorableIsAdoptable is issue 10's property: for any
// configuration the emulator stores, export then plan has no create, no
// delete, nothing unmanaged or ambiguous, and with prune deletes nothing.
func TestEverythingStorableIsAdoptable(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{SandboxKey: sandboxKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for seed := range uint64(40) {
		checkAdoptable(t, srv, seed)
	}
}

// FuzzEverythingStorableIsAdoptable explores more seeds (go test -fuzz).
func FuzzEverythingStorableIsAdoptable(f *testing.F) {
	srv, err := emulator.Start(emulator.Options{SandboxKey: sandboxKey()})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	f.Add(uint64(1))
	f.Fuzz(func(t *testing.T, seed uint64) { checkAdoptable(t, srv, seed) })
}

func checkAdoptable(t *testing.T, srv *emulator.Server, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	accountID := fmt.Sprintf("00000000-0000-4000-8000-%012d", seed)
	if err := srv.Emulator.EnsureAccount(accountID, "adopt"); err != nil {
		t.Fatal(err)
	}
	tok, err := srv.Emulator.IssueToken(emulator.SandboxUserID)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for range 10 {
		body, _ := json.Marshal(randomConfiguration(r))
		req, _ := http.NewRequest("POST", srv.URL+"/restapi/v2.1/accounts/"+accountID+"/connect", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusCreated {
			stored++
		}
	}
	client, err := docusign.New(docusign.Options{Auth: docusign.StaticToken(tok), BaseURI: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	wire, err := client.ListConfigurations(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	acct := config.Account{Alias: "adopt", AccountID: accountID, Environment: "demo"}
	var live []config.Connect
	managed := 0
	for _, w := range wire {
		c := config.FromWire(acct.Alias, w)
		live = append(live, c)
		if c.Managed() {
			managed++
		}
	}
	out, err := yamlfile.Export([]config.Account{acct}, live, yamlfile.ExportOptions{})
	if err != nil {
		t.Fatalf("seed %d: export: %v", seed, err)
	}
	path := filepath.Join(t.TempDir(), "exported.yaml")
	os.WriteFile(path, out.YAML, 0o644)
	desired, ds := config.Load([]string{path}, config.LoadOptions{LookupEnv: func(n string) (string, bool) { return "set", strings.HasPrefix(n, "CONNECT_") }})
	if ds.HasErrors() {
		t.Fatalf("seed %d: the export does not load:\n%s\n%s", seed, ds.Error(), out.YAML)
	}
	for _, prune := range []bool{false, true} {
		p := plan.Compute([]plan.AccountInput{{Account: acct, Desired: desired.ForAccount(acct.Alias), Live: live}}, plan.Options{Prune: prune})
		if s := p.Summary(); s.Create+s.Update+s.Delete+s.Unmanaged+s.Ambiguous+s.Unexpressible+s.Errors > 0 || s.NoOp != managed {
			t.Fatalf("seed %d (prune %v, %d stored): %+v\n%v\n%s", seed, prune, stored, s, p.Accounts[0].Errors, out.YAML)
		}
	}
}
