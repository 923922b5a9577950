package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Route patterns, as counted by (*Emulator).Calls: the method and the path
// with its parameters, in net/http.ServeMux syntax.
const (
	RouteListConfigurations  = "GET " + connectPath
	RouteCreateConfiguration = "POST " + connectPath
	RouteUpdateConfiguration = "PUT " + connectPath
	RouteGetConfiguration    = "GET " + configurationPath
	RouteDeleteConfiguration = "DELETE " + configurationPath
	RouteListUsers           = "GET " + configurationPath + "/users"
	RouteListAllUsers        = "GET " + configurationPath + "/all/users"
	RouteToken               = "POST /oauth/token"
	RouteUserInfo            = "GET /oauth/userinfo"

	RouteListFailures        = "GET " + connectPath + "/failures"
	RouteDeleteFailure       = "DELETE " + connectPath + "/failures/{failureId}"
	RouteListLogs            = "GET " + connectPath + "/logs"
	RouteDeleteLogs          = "DELETE " + connectPath + "/logs"
	RouteGetLog              = "GET " + connectPath + "/logs/{logId}"
	RouteDeleteLog           = "DELETE " + connectPath + "/logs/{logId}"
	RouteRetryEnvelopes      = "PUT " + connectPath + "/envelopes/retry_queue"
	RouteRetryEnvelope       = "PUT " + connectPath + "/envelopes/{envelopeId}/retry_queue"
	RouteRepublishHistorical = "POST " + connectPath + "/envelopes/publish/historical"

	RouteListSecrets  = "GET " + connectPath + "/secret"
	RouteCreateSecret = "POST " + connectPath + "/secret"
	RouteDeleteSecret = "DELETE " + connectPath + "/secret/{keyId}"
)

const (
	connectPath       = "/restapi/v2.1/accounts/{accountId}/connect"
	configurationPath = connectPath + "/{connectId}"
)

// DefaultTokenLifetime is the access-token lifetime DocuSign's example answer
// shows (expires_in 28800).
const DefaultTokenLifetime = 8 * time.Hour

// Options configures an Emulator. The zero value is a valid in-memory
// emulator with the default seed.
type Options struct {
	// StatePath, if set, keeps the state in this JSON file: loaded when it
	// exists (Seed is then ignored), written atomically after every change.
	StatePath string
	// Seed is the initial content of a new state; DefaultSeed() when nil.
	Seed *Seed
	// Faults is the initial fault injection; change it with SetLatency,
	// AddFault and ClearFaults.
	Faults Faults
	// Limits are the per-account rate limits; zero fields take DocuSign's
	// demo defaults (3,000 per hour, 200 per 30 s).
	Limits Limits
	// TokenLifetime is the access tokens' lifetime (DefaultTokenLifetime when zero).
	TokenLifetime time.Duration
	// Now is the clock for tokens, assertions and rate limits (time.Now when nil).
	Now func() time.Time
	// OAuthHosts are the JWT `aud` values accepted besides the Host the token
	// request came in on (default: account-d.docusign.com and account.docusign.com).
	OAuthHosts []string
	// BaseURI is the base_uri userinfo answers; by default the scheme and
	// host of the userinfo request, i.e. the emulator itself.
	BaseURI string
	// SandboxKey is the built-in sandbox integration's RSA key for a new
	// state; one is generated when nil. Tests share one to save time.
	SandboxKey *rsa.PrivateKey
	// Deliver says how the sandbox posts events to listeners (Publish and
	// the retry queue): loopback listeners only, unless AllowRemote.
	Deliver DeliverOptions
}

// Emulator is an in-process DocuSign Connect and OAuth server: an
// http.Handler serving /restapi/v2.1/accounts/{accountId}/connect...,
// /oauth/token and /oauth/userinfo. It is safe for concurrent use.
type Emulator struct {
	opts Options
	mux  *http.ServeMux
	// events serves the failure log, the Connect log and the envelopes
	// endpoints: their first segment is where mux has {connectId}, and
	// patterns such as logs/{logId} and {connectId}/users would conflict.
	events *http.ServeMux

	mu    sync.RWMutex // guards st and saved
	st    *state
	saved []byte // the state file's content, to roll back a change that could not be written
	// journal holds the configuration writes since the state file was
	// written (journal.go); nil without a StatePath.
	journal *journal

	tokens  tokenStore
	limiter *limiter
	faults  *faultSet
	calls   callCounter
}

// New returns an emulator with the state from opts.StatePath if that file
// exists, and otherwise a new state from opts.Seed (written to StatePath if set).
func New(opts Options) (*Emulator, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.OAuthHosts == nil {
		opts.OAuthHosts = defaultOAuthHosts()
	}
	e := &Emulator{
		opts:    opts,
		limiter: newLimiter(opts.Limits),
		faults:  newFaultSet(opts.Faults),
	}
	if err := e.initState(); err != nil {
		return nil, err
	}
	e.mux = e.routes()
	e.events = e.eventRoutes()
	return e, nil
}

func (e *Emulator) initState() error {
	if e.opts.StatePath != "" {
		st, ok, err := loadState(e.opts.StatePath)
		if err != nil {
			return err
		}
		if ok {
			if err := readJournal(journalPath(e.opts.StatePath), st); err != nil {
				return err
			}
			// Start from a snapshot of everything (the journal emptied).
			e.st = st
			e.journal = newJournal(journalPath(e.opts.StatePath), st.JournalSeq)
			return e.persist()
		}
		if err := os.MkdirAll(filepath.Dir(e.opts.StatePath), 0o700); err != nil {
			return fmt.Errorf("create state directory: %w", err)
		}
	}
	seed := e.opts.Seed
	if seed == nil {
		seed = DefaultSeed()
	}
	key := e.opts.SandboxKey
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return fmt.Errorf("generate sandbox key: %w", err)
		}
	}
	st, err := newState(seed, key, e.now())
	if err != nil {
		return err
	}
	e.st = st
	if e.opts.StatePath != "" {
		e.journal = newJournal(journalPath(e.opts.StatePath), 0)
	}
	if err := e.persist(); err != nil {
		return err
	}
	return nil
}

// persist writes the whole state file after a change, the journal's
// pending records first; the caller holds e.mu for writing. If the write
// fails, the in-memory state is rolled back to what is on disk, so memory
// and files never disagree. Configuration writes append to the journal
// instead (journalWrite, committed).
func (e *Emulator) persist() error {
	if e.opts.StatePath == "" {
		return nil
	}
	j := e.journal
	if err := j.drain(); err != nil {
		if errors.Is(err, errRollback) {
			return e.rollbackLocked()
		}
		return err
	}
	j.mu.Lock()
	e.st.JournalSeq = j.durable
	j.mu.Unlock()
	b, err := e.st.encode()
	if err == nil {
		err = writeFileAtomic(e.opts.StatePath, b, 0o600)
	}
	if err != nil {
		j.mu.Lock()
		j.broken = fmt.Errorf("save emulator state: %w", err)
		j.mu.Unlock()
		if e.saved == nil {
			return j.broken
		}
		return e.rollbackLocked()
	}
	// The snapshot holds every record: start the journal afresh.
	j.mu.Lock()
	if err := os.Remove(j.path); err == nil || errors.Is(err, fs.ErrNotExist) {
		j.size, j.records = 0, nil
	}
	j.mu.Unlock()
	e.saved = b
	return nil
}

func (e *Emulator) now() time.Time { return e.opts.Now() }

// ServeHTTP serves the emulated DocuSign API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isEventsPath(r.URL.Path) {
		e.events.ServeHTTP(w, r)
		return
	}
	e.mux.ServeHTTP(w, r)
}

// eventSegments are the Connect sub-resources e.events serves.
var eventSegments = []string{"failures", "logs", "envelopes", "secret"}

// isEventsPath reports whether a path is /restapi/v2.1/accounts/{id}/connect/
// followed by failures, logs, envelopes or secret.
func isEventsPath(path string) bool {
	parts := strings.Split(path, "/")
	return len(parts) >= 7 && parts[1] == "restapi" && parts[2] == "v2.1" && parts[3] == "accounts" && parts[5] == "connect" &&
		slices.Contains(eventSegments, parts[6])
}

// eventRoutes registers the failure log, Connect log, retry queue,
// historical republish and HMAC key endpoints (connect_failures.go,
// connect_logs.go, connect_retry.go, connect_secret.go).
func (e *Emulator) eventRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	api := func(route string, h apiHandler) {
		mux.Handle(route, e.instrument(true, e.connectAPI(h)))
	}
	api(RouteListFailures, e.listFailures)
	api(RouteDeleteFailure, e.deleteFailure)
	api(RouteListLogs, e.listLogs)
	api(RouteDeleteLogs, e.deleteLogs)
	api(RouteGetLog, e.getLog)
	api(RouteDeleteLog, e.deleteLog)
	api(RouteRetryEnvelopes, e.retryEnvelopes)
	api(RouteRetryEnvelope, e.retryEnvelope)
	api(RouteRepublishHistorical, e.republishHistorical)
	api(RouteListSecrets, e.listSecrets)
	api(RouteCreateSecret, e.createSecret)
	api(RouteDeleteSecret, e.deleteSecret)
	allowed := map[string][]string{
		connectPath + "/secret":                             {"GET", "POST"},
		connectPath + "/secret/{keyId}":                     {"DELETE"},
		connectPath + "/failures":                           {"GET"},
		connectPath + "/failures/{failureId}":               {"DELETE"},
		connectPath + "/logs":                               {"GET", "DELETE"},
		connectPath + "/logs/{logId}":                       {"GET", "DELETE"},
		connectPath + "/envelopes/retry_queue":              {"PUT"},
		connectPath + "/envelopes/{envelopeId}/retry_queue": {"PUT"},
		connectPath + "/envelopes/publish/historical":       {"POST"},
	}
	for p, methods := range allowed {
		mux.Handle(p, e.instrument(true, methodNotAllowed(methods)))
	}
	mux.Handle("/", e.instrument(true, http.HandlerFunc(notFound)))
	return mux
}

// routes registers every route. Method-less patterns answer 405 in
// DocuSign's error shape (net/http's own 404 and 405 are plain text).
func (e *Emulator) routes() *http.ServeMux {
	mux := http.NewServeMux()
	api := func(route string, h apiHandler) {
		mux.Handle(route, e.instrument(true, e.connectAPI(h)))
	}
	api(RouteListConfigurations, e.listConfigurations)
	api(RouteCreateConfiguration, e.createConfiguration)
	api(RouteUpdateConfiguration, e.updateConfiguration)
	api(RouteGetConfiguration, e.getConfiguration)
	api(RouteDeleteConfiguration, e.deleteConfiguration)
	api(RouteListUsers, e.listUsers)
	api(RouteListAllUsers, e.listAllUsers)
	mux.Handle(RouteToken, e.instrument(false, http.HandlerFunc(e.handleToken)))
	mux.Handle(RouteUserInfo, e.instrument(false, http.HandlerFunc(e.handleUserInfo)))
	mux.Handle(RoutePublish, e.instrument(false, http.HandlerFunc(e.handlePublish)))

	allowed := map[string][]string{
		connectPath:                      {"GET", "POST", "PUT"},
		configurationPath:                {"GET", "DELETE"},
		configurationPath + "/users":     {"GET"},
		configurationPath + "/all/users": {"GET"},
		"/oauth/token":                   {"POST"},
		"/oauth/userinfo":                {"GET"},
	}
	for p, methods := range allowed {
		limited := strings.HasPrefix(p, "/restapi/")
		mux.Handle(p, e.instrument(limited, methodNotAllowed(methods)))
	}
	// Other Connect endpoints (oauth, mobile_notifiers) exist at DocuSign
	// but are not emulated.
	mux.Handle(connectPath+"/{rest...}", e.instrument(true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first, _, _ := strings.Cut(r.PathValue("rest"), "/")
		if isReservedConnectID(first) {
			notEmulated(w, r)
			return
		}
		notFound(w, r)
	})))
	mux.Handle("/", e.instrument(false, http.HandlerFunc(notFound)))
	return mux
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, &apiError{Code: CodeResourceNotFound, Message: "The URL provided does not resolve to a resource."})
}

func methodNotAllowed(methods []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("connectId"); id != "" && isReservedConnectID(id) {
			notEmulated(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, &apiError{Code: CodeMethodNotAllowed, Message: fmt.Sprintf("The HTTP method %s is not allowed here.", r.Method)})
	}
}

// isReservedConnectID reports whether a {connectId} segment is really one of
// DocuSign's other Connect endpoints.
func isReservedConnectID(id string) bool {
	return slices.Contains([]string{"oauth", "mobile_notifiers"}, id)
}

func notEmulated(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotImplemented, &apiError{Code: CodeNotImplemented, Message: fmt.Sprintf("%s %s exists at DocuSign but is not emulated by connectsync.", r.Method, r.URL.Path)})
}

// instrument wraps a route with what every request goes through: the call
// counter, latency, rate limiting (REST routes only) and fault injection.
func (e *Emulator) instrument(limited bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.Pattern
		if !strings.Contains(route, " ") { // a method-less pattern: 404, 405, 501
			route = r.Method + " " + route
		}
		e.calls.add(route)
		if !sleep(r.Context(), e.faults.getLatency()) {
			return
		}
		if limited {
			if err := e.rateLimit(r, w.Header()); err != nil {
				writeJSON(w, err.Status, err)
				return
			}
		}
		fault := e.faults.fire(r.Method, r.URL.Path)
		var echoed string
		if fault != nil && fault.Echo {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			echoed = echo(r, body)
		}
		answer := func() {
			err := fault.answer()
			if echoed != "" {
				err.Message = echoed
			}
			if fault.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(fault.RetryAfter.Seconds())))
			}
			writeJSON(w, err.Status, err)
		}
		if fault != nil {
			switch fault.Kind {
			case FaultFailBeforeCommit:
				answer()
				return
			case FaultRedirect:
				fault.redirect(w, r)
				return
			case FaultDropBeforeCommit:
				panic(http.ErrAbortHandler)
			case FaultSlowCommit:
				// Read the whole request now, then store it late, whatever
				// became of the client meanwhile.
				body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
				r = r.Clone(context.WithoutCancel(r.Context()))
				r.Body = io.NopCloser(bytes.NewReader(body))
				time.Sleep(fault.Delay)
			}
		}
		rec := &recorder{header: w.Header()}
		h.ServeHTTP(rec, r)
		if fault != nil {
			switch fault.Kind {
			case FaultFailAfterCommit:
				answer()
				return
			case FaultDropAfterCommit:
				// net/http closes the connection without an answer and without logging.
				panic(http.ErrAbortHandler)
			case FaultDelay:
				if !sleep(r.Context(), fault.Delay) {
					return
				}
			}
		}
		rec.flush(w)
	})
}

// rateLimit counts the call against its account, if the account exists.
func (e *Emulator) rateLimit(r *http.Request, h http.Header) *apiError {
	e.mu.RLock()
	a := e.st.findAccount(r.PathValue("accountId"))
	var id string
	if a != nil {
		id = a.AccountID
	}
	e.mu.RUnlock()
	if id == "" {
		return nil
	}
	return e.limiter.take(id, e.now(), h)
}

// recorder holds a handler's answer so a fault can replace it after the
// handler has committed its change.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

func (rec *recorder) flush(w http.ResponseWriter) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

// writeJSON answers v as DocuSign does: application/json; charset=utf-8,
// without HTML escaping (so "&" in a URL stays "&"). A nil v answers an
// empty body, as DocuSign's DELETE does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, `{"errorCode":%q,"message":"could not encode the answer"}`, CodeUnspecifiedError)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// Credentials are the built-in sandbox integration's: what connectsync or a
// DocuSign SDK needs for the JWT grant against the emulator.
type Credentials struct {
	IntegrationKey string
	UserID         string
	// PrivateKeyPEM is the RSA private key (PKCS #1 PEM, as DocuSign hands
	// them out). It is a secret: never print or log it.
	PrivateKeyPEM []byte
}

// String never shows the private key, so printing Credentials by mistake leaks nothing.
func (c Credentials) String() string {
	return fmt.Sprintf("integration key %s, user %s, private key (sensitive)", c.IntegrationKey, c.UserID)
}

// GoString keeps %#v from printing the private key too.
func (c Credentials) GoString() string { return c.String() }

// SandboxCredentials returns the built-in sandbox integration's credentials.
// The key pair is generated with a new state and kept in the state file, so
// they survive restarts.
func (e *Emulator) SandboxCredentials() Credentials {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return Credentials{
		IntegrationKey: SandboxIntegrationKey,
		UserID:         SandboxUserID,
		PrivateKeyPEM:  []byte(e.st.Sandbox.PrivateKeyPEM),
	}
}

// EnsureAccount creates the account if no account has this id (GUID or
// account number), for connectsync's --sandbox: the sandbox user is its
// administrator, it has a few sample users, the sample foreign
// configurations (Salesforce, integrator-managed, unmanaged custom) and one
// random HMAC key. An existing account is left as it is. The change is
// persisted.
func (e *Emulator) EnsureAccount(accountID, name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st.findAccount(accountID) != nil {
		return nil
	}
	// Set up for Connect like the accounts people try connectsync on: with
	// one HMAC key (its value is seen only through HMACKeys; make your own
	// with POST .../connect/secret to verify the sandbox's signatures).
	key, err := newHMACSecret()
	if err != nil {
		return err
	}
	sa := SeedAccount{AccountID: accountID, Name: name, GenerateUsers: 5, SampleConfigurations: true, HMACKeys: []string{key}}
	if err := e.st.addAccount(sa, e.now()); err != nil {
		return fmt.Errorf("ensure sandbox account: %w", err)
	}
	return e.persist()
}

// StoredSecret returns a write-only field as stored, for tests: the API never
// answers these. field is SecretPassword, SecretSalesforceAuthcode or
// SecretOAuthClientSecret; ok is false if the configuration or the value
// does not exist.
func (e *Emulator) StoredSecret(accountID, connectID, field string) (value string, ok bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(accountID)
	if a == nil {
		return "", false
	}
	i := a.configuration(connectID)
	if i < 0 {
		return "", false
	}
	return a.Configurations[i].secret(field)
}

// Configurations returns an account's stored configurations as the API
// answers them (secrets removed), for tests that check state without a call.
func (e *Emulator) Configurations(accountID string) ([]Configuration, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(accountID)
	if a == nil {
		return nil, fmt.Errorf("no account %s", accountID)
	}
	out := make([]Configuration, len(a.Configurations))
	for i, c := range a.Configurations {
		out[i] = c.clone().public()
	}
	return out, nil
}

// IssueToken returns a valid access token for a user without the JWT grant,
// for tests and for DOCUSIGN_ACCESS_TOKEN.
func (e *Emulator) IssueToken(userID string) (string, error) {
	e.mu.RLock()
	u := e.st.findUser(userID)
	e.mu.RUnlock()
	if u == nil {
		return "", fmt.Errorf("no user %s", userID)
	}
	now := e.now()
	return e.tokens.issue(token{userID: u.UserID, integrationKey: SandboxIntegrationKey, expires: now.Add(e.opts.TokenLifetime)}, now)
}

// SetLatency sets the delay added to every request.
func (e *Emulator) SetLatency(d time.Duration) { e.faults.setLatency(d) }

// AddFault adds a fault rule; rules are tried in the order added.
func (e *Emulator) AddFault(r FaultRule) { e.faults.add(r) }

// ClearFaults removes every fault rule (the latency stays).
func (e *Emulator) ClearFaults() { e.faults.clear() }

// PendingFaults is the number of rules that have not fired all their Times.
func (e *Emulator) PendingFaults() int { return e.faults.pending() }

// SetLimits replaces the rate limits; counts so far are kept.
func (e *Emulator) SetLimits(l Limits) { e.limiter.set(l) }

// Calls is the number of requests to a route since the start or ResetCalls:
// a Route* constant, or for an answer of the catch-all patterns (404, 405,
// 501) the method and the pattern, e.g. "DELETE /restapi/v2.1/accounts/{accountId}/connect".
func (e *Emulator) Calls(route string) int { return e.calls.get(route) }

// CallCounts returns the count of every route called so far.
func (e *Emulator) CallCounts() map[string]int { return e.calls.snapshot() }

// ResetCalls sets every call count to zero.
func (e *Emulator) ResetCalls() { e.calls.reset() }
