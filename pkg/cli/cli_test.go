package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/connectsync/connectsync/pkg/emulator"
)

// update rewrites the expected outputs in testdata/script/*.txtar.
var update = flag.Bool("update", false, "rewrite golden outputs in testdata")

// The test binary doubles as the connectsync binary for the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"connectsync": func() { os.Exit(Main()) },
	})
}

// sandboxKey is shared by every emulator the tests start: generating an RSA
// key per test would dominate the run time.
var sandboxKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// Accounts the example files and test scripts use.
var testAccounts = map[string]string{
	"4c8f6a2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b": "demo",
	"9a1b2c3d-4e5f-4a6b-8c7d-e8f901234567": "models-demo",
	"8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f": "acme-prod",
	"2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4": "acme-eu",
	"6d2f8a4c-3e1b-4a7d-9c5e-0f1a2b3c4d5e": "acme-staging",
	"11111111-2222-4333-8444-555555555555": "test",
}

// startEmulator runs an emulator on loopback for one test and returns it
// with the environment that points connectsync at it through the JWT grant,
// as a user would point it at DocuSign.
func startEmulator(t testing.TB, dir string) (*emulator.Server, map[string]string) {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{SandboxKey: sandboxKey()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for id, name := range testAccounts {
		if err := srv.Emulator.EnsureAccount(id, name); err != nil {
			t.Fatal(err)
		}
	}
	creds := srv.Emulator.SandboxCredentials()
	keyFile := filepath.Join(dir, "sandbox-key.pem")
	if err := os.WriteFile(keyFile, creds.PrivateKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, map[string]string{
		"DOCUSIGN_AUTH_SERVER":      srv.URL,
		"DOCUSIGN_BASE_URI":         srv.URL,
		"DOCUSIGN_INTEGRATION_KEY":  creds.IntegrationKey,
		"DOCUSIGN_USER_ID":          creds.UserID,
		"DOCUSIGN_PRIVATE_KEY_FILE": keyFile,
		"CONNECTSYNC_STATE_DIR":     filepath.Join(dir, "state"),
	}
}

// TestScripts runs the user journeys in testdata/script: each script gets an
// emulator on loopback and the credentials to reach it in its environment,
// plus these commands:
//
//	fault METHOD PATH KIND [STATUS[:CODE]|DELAY] [TIMES]   inject a fault (KIND: fail-before, fail-after, drop-before, drop-after, delay,
//	                                                       redirect (to the request's own URL), echo-before, echo-after (a fail whose message quotes the request and token));
//	                                                       retry-after=DURATION adds a Retry-After header to a fail
//	fault clear
//	live ACCOUNT_ID NAME COUNT               assert how many live configurations have that name
//	secret ACCOUNT_ID NAME FIELD VALUE       assert the stored write-only secret
//	calls ROUTE COUNT                        assert the calls to a route (list, create, update, get, delete, users, token, userinfo,
//	                                         failures, logs, getlog, retry, republish, secrets, secret-create, secret-delete)
//	                                         since `calls reset`
//	calls ROUTE COUNT wait                   wait until the route had that many calls since `calls reset`
//	calls reset
//	sleep DURATION
//	exitcode N PROGRAM ARGS...               run like exec and assert the exit code is N (e.g. 2 for --detailed-exitcode)
//	connectid ACCOUNT_ID NAME N VAR          set VAR to the connectId of the Nth (from 1) live configuration of that name
//	replay ACCOUNT_ID FILE                   create in the account, through the API as a console or script
//	                                         would, each configuration a recorded DocuSign answer holds
//	                                         (pkg/emulator/testdata/nango-*.json: a list, or a create's request)
//	failure ACCOUNT_ID NAME ENVELOPE ERROR   record a failed post of configuration NAME (as DocuSign does when a listener is down)
//	logentry ACCOUNT_ID NAME ENVELOPE STATUS [ERROR]  record a Connect log entry, with a debug log
//	republished ACCOUNT_ID COUNT [PASSWORD]  assert the historical republish batches stored (and the last one's password)
//	schemacheck delivery|audit FILE          assert FILE follows schema/delivery.schema.json or schema/audit.schema.json
//	listener start NAME [tls=DURATION|expired]  a Connect listener; see cmdListener (listener_test.go)
//	listener NAME answer STATUS|hang
//	listener NAME got COUNT [last] [key=KEY] [user=USER:PASSWORD] [signatures=N]
//	secretfile FILE VAR                      read a secret written to FILE into $VAR (to check it is never printed)
//	mode FILE PERM                           assert FILE's permission bits, e.g. 0600
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			srv, vars := startEmulator(env.T().(testing.TB), env.WorkDir)
			for k, v := range vars {
				env.Setenv(k, v)
			}
			env.Setenv("NO_COLOR", "")
			env.Setenv("CONNECTSYNC_STATE_DIR", filepath.Join(env.WorkDir, ".state"))
			// Under -race every process sleeps a second at exit, waiting for
			// late race reports; scripts run dozens of them.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			env.Values["emulator"] = srv.Emulator
			env.Values["server"] = srv
			env.Values["listeners"] = map[string]*scriptListener{}
			// examples/ are the ones users see: scripts copy from here.
			abs, err := filepath.Abs("../../examples")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", abs)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fault":       cmdFault,
			"live":        cmdLive,
			"secret":      cmdSecret,
			"calls":       cmdCalls,
			"exitcode":    cmdExitcode,
			"replay":      cmdReplay,
			"token":       cmdToken,
			"connectid":   cmdConnectID,
			"failure":     cmdFailure,
			"logentry":    cmdLogEntry,
			"republished": cmdRepublished,
			"schemacheck": cmdSchemaCheck,
			"listener":    cmdListener,
			"secretfile":  cmdSecretFile,
			"mode":        cmdMode,
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
		},
	})
}

func emu(ts *testscript.TestScript) *emulator.Emulator {
	return ts.Value("emulator").(*emulator.Emulator)
}

func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 1 && args[0] == "clear" {
		emu(ts).ClearFaults()
		return
	}
	// retry-after=DURATION, anywhere after the kind, adds a Retry-After header.
	var retryAfter time.Duration
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		d, ok := strings.CutPrefix(a, "retry-after=")
		if ok {
			var err error
			retryAfter, err = time.ParseDuration(d)
			ts.Check(err)
		}
		return ok
	})
	if len(args) < 3 {
		ts.Fatalf("usage: fault METHOD PATH KIND [STATUS] [TIMES] [retry-after=DURATION] | fault clear")
	}
	kinds := map[string]emulator.FaultKind{
		"fail-before": emulator.FaultFailBeforeCommit, "fail-after": emulator.FaultFailAfterCommit,
		"drop-before": emulator.FaultDropBeforeCommit, "drop-after": emulator.FaultDropAfterCommit,
		"delay": emulator.FaultDelay, "redirect": emulator.FaultRedirect, "slow-commit": emulator.FaultSlowCommit,
		"echo-before": emulator.FaultFailBeforeCommit, "echo-after": emulator.FaultFailAfterCommit,
	}
	r := emulator.FaultRule{Method: args[0], Path: args[1], Kind: kinds[args[2]], Echo: strings.HasPrefix(args[2], "echo-"), RetryAfter: retryAfter}
	if r.Kind == 0 {
		ts.Fatalf("unknown fault kind %q", args[2])
	}
	if len(args) > 3 {
		if r.Kind == emulator.FaultDelay || r.Kind == emulator.FaultSlowCommit {
			d, err := time.ParseDuration(args[3])
			ts.Check(err)
			r.Delay = d
		} else {
			// STATUS or STATUS:ERRORCODE, e.g. 400:BURST_APIINVOCATION_LIMIT_EXCEEDED
			status, code, _ := strings.Cut(args[3], ":")
			r.Status, _ = strconv.Atoi(status)
			r.ErrorCode = code
		}
	}
	if len(args) > 4 {
		r.Times, _ = strconv.Atoi(args[4])
	}
	emu(ts).AddFault(r)
}

func cmdLive(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: live ACCOUNT_ID NAME COUNT")
	}
	list, err := emu(ts).Configurations(args[0])
	ts.Check(err)
	n := 0
	for _, c := range list {
		if c.Name == args[1] {
			n++
		}
	}
	if want, _ := strconv.Atoi(args[2]); (n == want) == neg {
		ts.Fatalf("account %s has %d configurations named %q, want %s%d", args[0], n, args[1], map[bool]string{true: "not "}[neg], want)
	}
}

func cmdConnectID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: connectid ACCOUNT_ID NAME N VAR")
	}
	list, err := emu(ts).Configurations(args[0])
	ts.Check(err)
	want, _ := strconv.Atoi(args[2])
	for _, c := range list {
		if c.Name == args[1] {
			if want--; want == 0 {
				ts.Setenv(args[3], c.ConnectID)
				return
			}
		}
	}
	ts.Fatalf("account %s has fewer than %s configurations named %q", args[0], args[2], args[1])
}

func cmdSecret(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: secret ACCOUNT_ID NAME FIELD VALUE")
	}
	list, err := emu(ts).Configurations(args[0])
	ts.Check(err)
	for _, c := range list {
		if c.Name != args[1] {
			continue
		}
		got, ok := emu(ts).StoredSecret(args[0], c.ConnectID, args[2])
		if (ok && got == args[3]) == neg {
			ts.Fatalf("stored %s of %q is not as expected (set: %v)", args[2], args[1], ok)
		}
		return
	}
	ts.Fatalf("no configuration %q in account %s", args[1], args[0])
}

func cmdCalls(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 1 && args[0] == "reset" {
		emu(ts).ResetCalls()
		return
	}
	if len(args) != 2 && len(args) != 3 {
		ts.Fatalf("usage: calls ROUTE COUNT [wait] | calls reset")
	}
	routes := map[string]string{
		"list": emulator.RouteListConfigurations, "create": emulator.RouteCreateConfiguration,
		"update": emulator.RouteUpdateConfiguration, "get": emulator.RouteGetConfiguration,
		"delete": emulator.RouteDeleteConfiguration, "users": emulator.RouteListUsers,
		"token": emulator.RouteToken, "userinfo": emulator.RouteUserInfo,
		"failures": emulator.RouteListFailures, "logs": emulator.RouteListLogs, "getlog": emulator.RouteGetLog,
		"retry": emulator.RouteRetryEnvelopes, "republish": emulator.RouteRepublishHistorical,
		"secrets": emulator.RouteListSecrets, "secret-create": emulator.RouteCreateSecret, "secret-delete": emulator.RouteDeleteSecret,
	}
	route, ok := routes[args[0]]
	if !ok {
		ts.Fatalf("unknown route %q", args[0])
	}
	if len(args) == 3 && args[2] == "wait" { // calls ROUTE COUNT wait: until there are that many (30 s at most)
		want, _ := strconv.Atoi(args[1])
		for deadline := time.Now().Add(30 * time.Second); emu(ts).Calls(route) < want; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				ts.Fatalf("%d calls to %q after 30 s, want %d", emu(ts).Calls(route), route, want)
			}
		}
		return
	}
	got := emu(ts).Calls(route)
	if want, _ := strconv.Atoi(args[1]); (got == want) == neg {
		ts.Fatalf("%d calls to %q, want %d (all: %v)", got, args[0], want, describeCalls(emu(ts).CallCounts()))
	}
}

func describeCalls(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	return strings.Join(parts, ", ")
}

// cmdReplay creates the configurations of a recorded real DocuSign
// exchange in an account, by POSTing each one's JSON (without its
// connectId) as DocuSign stored it: the account then holds what real
// accounts hold (lower-case events, deliveryMode "", twins of one name).
func cmdReplay(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: replay ACCOUNT_ID FILE")
	}
	data, err := os.ReadFile(filepath.Join("../emulator/testdata", args[1]))
	ts.Check(err)
	var rec struct {
		Request  map[string]any `json:"request"`
		Response struct {
			Configurations []map[string]any `json:"configurations"`
		} `json:"response"`
	}
	ts.Check(json.Unmarshal(data, &rec))
	configs := rec.Response.Configurations
	if len(configs) == 0 && rec.Request != nil {
		configs = []map[string]any{rec.Request}
	}
	srv := ts.Value("server").(*emulator.Server)
	tok, err := srv.Emulator.IssueToken(emulator.SandboxUserID)
	ts.Check(err)
	for _, c := range configs {
		delete(c, "connectId")
		body, _ := json.Marshal(c)
		req, _ := http.NewRequest("POST", srv.URL+"/restapi/v2.1/accounts/"+args[0]+"/connect", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			ts.Fatalf("replay %q: %d %s", c["name"], resp.StatusCode, answer)
		}
	}
}

// cmdToken issues an access token for the sandbox user, so that a script
// knows a token's value and can check it is never printed.
func cmdToken(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: token VAR")
	}
	tok, err := emu(ts).IssueToken(emulator.SandboxUserID)
	ts.Check(err)
	ts.Setenv(args[0], tok)
}
