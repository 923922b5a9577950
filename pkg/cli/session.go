package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/connectsync/connectsync/pkg/apply"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/emulator"
	"github.com/connectsync/connectsync/pkg/lockfile"
	"github.com/connectsync/connectsync/pkg/render"
)

// api is every DocuSign call the commands make: apply's, plus users and
// the delivery commands'.
type api interface {
	apply.API
	ListUsers(ctx context.Context, accountID, connectID string) ([]docusign.User, error)
	deliveryAPI
	hmacAPI
}

// session is what a command that talks to DocuSign starts from: the files,
// the accounts selected, and a client (real, or the in-process sandbox).
type session struct {
	desired  *config.Desired
	accounts []config.Account
	api      api
	// clients by environment, for userinfo (--all-accounts).
	clients map[string]*docusign.Client
	sandbox *emulator.Server
	// sandboxLock holds the sandbox state for the session (sandboxlock.go).
	sandboxLock *lockfile.Lock
	// stderr is env.Stderr for every client's trace and notices: one lock,
	// so that accounts working at once never interleave their lines.
	stderr *lockedWriter
}

func (s *session) Close() {
	if s.sandbox != nil {
		s.sandbox.Close()
	}
	s.sandboxLock.Release()
}

// openSession loads and validates the files (printing warnings, and errors
// when there are any), selects the accounts, and connects.
func openSession(ctx context.Context, o commonOptions, env Env) (*session, error) {
	desired, ds := loadFiles(ctx, o.Files, env, o.needSecrets)
	if ds.HasErrors() {
		render.DiagnosticsText(env.Stderr, ds, nil)
		return nil, errReported
	}
	for _, d := range ds {
		fmt.Fprintln(env.Stderr, render.Terminal(d.Error()))
	}
	accounts, err := selectAccounts(desired, o.Accounts)
	if err != nil {
		return nil, err
	}
	return connect(ctx, &session{desired: desired, accounts: accounts}, o, env)
}

// connect connects s to the sandbox or to DocuSign.
func connect(ctx context.Context, s *session, o commonOptions, env Env) (*session, error) {
	s.stderr = &lockedWriter{w: env.Stderr}
	var err error
	if o.Sandbox {
		err = s.connectSandbox(ctx, o, env)
	} else {
		err = s.connectDocuSign(o, env)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// selectAccounts applies --account; without it every account is selected.
func selectAccounts(d *config.Desired, aliases []string) ([]config.Account, error) {
	if len(aliases) == 0 {
		return d.Accounts, nil
	}
	known := make([]string, len(d.Accounts))
	for i, a := range d.Accounts {
		known[i] = a.Alias
	}
	var out []config.Account
	for _, alias := range aliases {
		a, ok := d.Account(alias)
		if !ok {
			return nil, usageError(fmt.Sprintf("--account %q is not an account alias in the files (they declare %s)", alias, strings.Join(known, ", ")))
		}
		if !slices.ContainsFunc(out, func(x config.Account) bool { return x.Alias == alias }) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *session) connectSandbox(ctx context.Context, o commonOptions, env Env) error {
	if dir := filepath.Dir(o.SandboxState); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("sandbox state: %w", err)
		}
	}
	lock, err := lockSandbox(ctx, env, o.SandboxState, "connectsync --sandbox", o.SandboxWait)
	if err != nil {
		return err
	}
	s.sandboxLock = lock
	srv, err := emulator.Start(emulator.Options{StatePath: o.SandboxState})
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	s.sandbox = srv
	for _, a := range s.desired.Accounts {
		if err := srv.Emulator.EnsureAccount(a.AccountID, a.Alias); err != nil {
			return err
		}
	}
	creds := srv.Emulator.SandboxCredentials()
	ts, err := docusign.JWTConfig{
		IntegrationKey: creds.IntegrationKey,
		UserID:         creds.UserID,
		PrivateKeyPEM:  creds.PrivateKeyPEM,
		AuthServer:     srv.URL,
	}.TokenSource()
	if err != nil {
		return err
	}
	c, err := docusign.New(docusign.Options{Auth: ts, AuthServer: srv.URL, BaseURI: srv.URL, Debug: s.debugWriter(o), UserAgent: userAgent(), Timeout: o.HTTPTimeout, Concurrency: o.Concurrency,
		Secrets: secretValues(s.desired), Notice: s.notice})
	if err != nil {
		return err
	}
	if o.Verbose {
		fmt.Fprintf(env.Stderr, "Using the built-in sandbox at %s (state in %s), not DocuSign.\n", srv.URL, o.SandboxState)
	}
	s.api = c
	s.clients = map[string]*docusign.Client{"demo": c, "production": c}
	return nil
}

// connectDocuSign builds one client per environment (demo and production
// accounts use different OAuth hosts) from the environment variables.
func (s *session) connectDocuSign(o commonOptions, env Env) error {
	r := router{byAccount: map[string]*docusign.Client{}}
	s.clients = map[string]*docusign.Client{}
	for _, a := range s.desired.Accounts {
		c, err := s.environmentClient(o, env, a.Environment)
		if err != nil {
			return err
		}
		r.byAccount[a.AccountID] = c
	}
	s.api = r
	return nil
}

// environmentClient returns the client of an environment, building it on
// first use (also for --all-accounts when the files name no account).
func (s *session) environmentClient(o commonOptions, env Env, environment string) (*docusign.Client, error) {
	if c, done := s.clients[environment]; done {
		return c, nil
	}
	opts, warnings, err := docusign.FromEnv(env.Getenv, environment)
	if errors.Is(err, docusign.ErrNoCredentials) {
		return nil, usageError("no DocuSign credentials: set DOCUSIGN_ACCESS_TOKEN, or DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and DOCUSIGN_PRIVATE_KEY_FILE for the JWT grant (see README.md); or add --sandbox to try connectsync against the built-in emulator")
	}
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintln(env.Stderr, "warning:", w)
	}
	opts.AccountBaseURIs = map[string]string{}
	for _, acct := range s.desired.Accounts {
		if acct.BaseURI != "" {
			opts.AccountBaseURIs[acct.AccountID] = acct.BaseURI
		}
	}
	opts.Debug = s.debugWriter(o)
	opts.Notice = s.notice
	opts.UserAgent = userAgent()
	opts.Timeout = o.HTTPTimeout
	opts.Concurrency = o.Concurrency
	opts.Secrets = secretValues(s.desired)
	c, err := docusign.New(opts)
	if err != nil {
		return nil, err
	}
	s.clients[environment] = c
	return c, nil
}

// secretValues are the values of every secret field the files set
// (listener passwords, OAuth client secrets…), for the client to redact
// from whatever DocuSign echoes back.
func secretValues(d *config.Desired) []string {
	var out []string
	for _, c := range d.Configurations {
		for _, name := range config.SecretFieldNames() {
			top, sub, nested := strings.Cut(name, ".")
			v := c.Fields[top]
			if nested {
				m, _ := v.(map[string]any)
				v = m[sub]
			}
			if s, ok := v.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// debugWriter is where --debug traces go: stderr, one writer shared by
// every account's goroutine.
func (s *session) debugWriter(o commonOptions) io.Writer {
	if !o.Debug {
		return nil
	}
	return s.stderr
}

// notice prints what the client says a person should know, such as a
// long wait for a rate limit, on stderr.
func (s *session) notice(msg string) {
	fmt.Fprintln(s.stderr, render.Terminal(msg))
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func userAgent() string { v, _ := buildInfo(); return "connectsync/" + v }

// router sends each call to the client of the account's environment.
type router struct{ byAccount map[string]*docusign.Client }

func (r router) client(accountID string) (*docusign.Client, error) {
	c, ok := r.byAccount[accountID]
	if !ok {
		return nil, fmt.Errorf("account %s is not in the files", accountID)
	}
	return c, nil
}

func (r router) ListConfigurations(ctx context.Context, accountID string) ([]docusign.Configuration, error) {
	c, err := r.client(accountID)
	if err != nil {
		return nil, err
	}
	return c.ListConfigurations(ctx, accountID)
}

func (r router) CreateConfiguration(ctx context.Context, accountID string, cfg docusign.Configuration) (docusign.Configuration, error) {
	c, err := r.client(accountID)
	if err != nil {
		return docusign.Configuration{}, err
	}
	return c.CreateConfiguration(ctx, accountID, cfg)
}

func (r router) UpdateConfiguration(ctx context.Context, accountID string, cfg docusign.Configuration) (docusign.Configuration, error) {
	c, err := r.client(accountID)
	if err != nil {
		return docusign.Configuration{}, err
	}
	return c.UpdateConfiguration(ctx, accountID, cfg)
}

func (r router) DeleteConfiguration(ctx context.Context, accountID, connectID string) error {
	c, err := r.client(accountID)
	if err != nil {
		return err
	}
	return c.DeleteConfiguration(ctx, accountID, connectID)
}

func (r router) ListUsers(ctx context.Context, accountID, connectID string) ([]docusign.User, error) {
	c, err := r.client(accountID)
	if err != nil {
		return nil, err
	}
	return c.ListUsers(ctx, accountID, connectID)
}

// account returns the selected account with this alias.
func (s *session) account(alias string) (config.Account, bool) {
	for _, a := range s.accounts {
		if a.Alias == alias {
			return a, true
		}
	}
	return config.Account{}, false
}

// firstLine is an error's first line, for one-line notices.
func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}
