package emulator

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Running the emulator as a loopback HTTP(S) server: Start / StartTLS for
// tests and connectsync's --sandbox, Serve for `connectsync sandbox serve`.

// Defaults of `sandbox serve`.
const (
	DefaultAddr      = "127.0.0.1:8085"
	DefaultStatePath = ".connectsync/sandbox.json"
	// PrivateKeyFileName and CertFileName are written next to the state file.
	PrivateKeyFileName = "sandbox-private-key.pem"
	CertFileName       = "sandbox-tls-cert.pem"
)

// Server is an emulator listening on a loopback address.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234: the OAuth server
	// and the base URI of every account (the REST root is URL + "/restapi").
	URL      string
	Emulator *Emulator
	// CertPEM is the self-signed certificate of a TLS server, nil otherwise.
	// Clients trust it as a certificate authority.
	CertPEM []byte

	srv   *http.Server
	done  chan error
	conns atomic.Int64
}

// Connections is the number of TCP connections clients have opened to the
// server so far: a client that reuses its connections opens few.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Start runs a new emulator on 127.0.0.1 at a free port, over plain HTTP.
func Start(opts Options) (*Server, error) {
	return start("127.0.0.1:0", opts, false)
}

// StartTLS is Start over HTTPS with a fresh self-signed certificate for
// 127.0.0.1, ::1 and localhost (Server.CertPEM). DocuSign's SDKs hard-code
// https:// for the OAuth host, so they need this.
func StartTLS(opts Options) (*Server, error) {
	return start("127.0.0.1:0", opts, true)
}

func start(addr string, opts Options, useTLS bool) (*Server, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{
		Emulator: e,
		srv:      &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan error, 1),
	}
	s.srv.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	scheme := "http"
	if useTLS {
		certPEM, cert, err := selfSignedCert()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.CertPEM = certPEM
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String()
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server at once, closing open connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// shutdown stops the server gracefully, waiting for calls in flight.
func (s *Server) shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// checkLoopback refuses an address other than a loopback one: the emulator
// has a published private key and must not be reachable from the network.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q: the sandbox only serves loopback addresses (127.0.0.1, [::1], localhost)", addr)
}

// selfSignedCert makes a certificate for the loopback names that is its own
// certificate authority, so it can be trusted with NODE_EXTRA_CA_CERTS or
// SSL_CERT_FILE.
func selfSignedCert() (certPEM []byte, cert tls.Certificate, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, cert, fmt.Errorf("generate TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, cert, fmt.Errorf("generate TLS serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "connectsync sandbox (127.0.0.1)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, cert, fmt.Errorf("create TLS certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// ServeConfig configures Serve.
type ServeConfig struct {
	// Addr is the loopback address to listen on (DefaultAddr when empty).
	Addr string
	// StatePath is the state file (DefaultStatePath when empty). The sandbox
	// private key (and with TLS the certificate) is written next to it.
	StatePath string
	// SeedPath is a seed file for a new state (the default seed when empty).
	SeedPath string
	// TLS serves HTTPS with a self-signed certificate, as DocuSign's SDKs need.
	TLS bool
	// Accounts are created (as EnsureAccount does) when the state lacks
	// them: the accounts of the connectsync files a user wants to try.
	Accounts []NamedAccount
	// Options sets the rest (faults, limits, ...); its StatePath and Seed are
	// replaced by the fields above.
	Options Options
	// Listening, if set, is called with the server's URL once it listens.
	Listening func(url string)
}

// NamedAccount is an account id and the name to create it with.
type NamedAccount struct{ ID, Name string }

// Serve runs the emulator on cfg.Addr until ctx is cancelled, after printing
// to stdout how to point connectsync or a DocuSign SDK at it. The sandbox
// private key is written to a 0600 file and only its path is printed.
func Serve(ctx context.Context, cfg ServeConfig, stdout io.Writer) error {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.StatePath == "" {
		cfg.StatePath = DefaultStatePath
	}
	opts := cfg.Options
	opts.StatePath, opts.Seed = cfg.StatePath, nil
	if cfg.SeedPath != "" {
		seed, err := LoadSeed(cfg.SeedPath)
		if err != nil {
			return err
		}
		opts.Seed = seed
	}
	s, err := start(cfg.Addr, opts, cfg.TLS)
	if err != nil {
		return err
	}
	for _, a := range cfg.Accounts {
		if err := s.Emulator.EnsureAccount(a.ID, a.Name); err != nil {
			s.Close()
			return err
		}
	}
	dir := filepath.Dir(cfg.StatePath)
	keyFile := filepath.Join(dir, PrivateKeyFileName)
	if err := writeFileAtomic(keyFile, s.Emulator.SandboxCredentials().PrivateKeyPEM, 0o600); err != nil {
		s.Close()
		return fmt.Errorf("write sandbox private key: %w", err)
	}
	var certFile string
	if cfg.TLS {
		certFile = filepath.Join(dir, CertFileName)
		if err := writeFileAtomic(certFile, s.CertPEM, 0o644); err != nil {
			s.Close()
			return fmt.Errorf("write sandbox certificate: %w", err)
		}
	}
	if cfg.Listening != nil {
		cfg.Listening(s.URL)
	}
	printInstructions(stdout, s, cfg.StatePath, keyFile, certFile)

	select {
	case <-ctx.Done():
	case err := <-s.done:
		// The server stopped by itself; report why.
		s.done <- err
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.shutdown(shutdownCtx)
}

func printInstructions(w io.Writer, s *Server, statePath, keyFile, certFile string) {
	creds := s.Emulator.SandboxCredentials()
	hostPort := strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
	fmt.Fprintf(w, "connectsync sandbox: DocuSign Connect emulator listening on %s\n", s.URL)
	fmt.Fprintf(w, "State file: %s\n", statePath)
	if certFile != "" {
		fmt.Fprintf(w, "TLS certificate (self-signed; trust it as a CA): %s\n", certFile)
	}
	fmt.Fprintf(w, "\nPoint connectsync at it:\n")
	fmt.Fprintf(w, "  export DOCUSIGN_AUTH_SERVER=%s\n", s.URL)
	fmt.Fprintf(w, "  export DOCUSIGN_BASE_URI=%s\n", s.URL)
	fmt.Fprintf(w, "  export DOCUSIGN_INTEGRATION_KEY=%s\n", creds.IntegrationKey)
	fmt.Fprintf(w, "  export DOCUSIGN_USER_ID=%s\n", creds.UserID)
	fmt.Fprintf(w, "  export DOCUSIGN_PRIVATE_KEY_FILE=%s\n", keyFile)
	if certFile != "" {
		fmt.Fprintf(w, "  export SSL_CERT_FILE=%s   # Go and OpenSSL clients\n", certFile)
		fmt.Fprintf(w, "  export NODE_EXTRA_CA_CERTS=%s   # Node SDK\n", certFile)
	}
	fmt.Fprintf(w, "\nA DocuSign SDK, unchanged, takes the same values: OAuth base path %s (the SDKs prepend https://", hostPort)
	if certFile == "" {
		fmt.Fprintf(w, ", so run with TLS for them")
	}
	fmt.Fprintf(w, "), REST base path %s/restapi. In Node:\n", s.URL)
	fmt.Fprintf(w, "  api.setOAuthBasePath(%q)\n", hostPort)
	fmt.Fprintf(w, "  const { body } = await api.requestJWTUserToken(%q, %q, ['signature', 'impersonation'], fs.readFileSync(%q), 3600)\n", creds.IntegrationKey, creds.UserID, keyFile)
	fmt.Fprintf(w, "\nA token by hand: POST %s/oauth/token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and\n", s.URL)
	fmt.Fprintf(w, "assertion = an RS256 JWT signed with the key file: iss=%s sub=%s aud=%s scope=\"signature impersonation\" iat exp.\n", creds.IntegrationKey, creds.UserID, hostPort)
	fmt.Fprintf(w, "Then GET %s/oauth/userinfo with \"Authorization: Bearer <access_token>\" lists the accounts.\n", s.URL)
	fmt.Fprintf(w, "\nAccounts:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  ACCOUNT ID\tNUMBER\tNAME\tSANDBOX USER\n")
	for _, a := range s.Emulator.accounts() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.id, a.number, a.name, a.access)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nDeliver an event to the listeners of an account's configurations (loopback ones only,\n")
	fmt.Fprintf(w, "unless --allow-remote-listeners), signed with its HMAC keys:\n")
	fmt.Fprintf(w, "  curl -X POST %s/connectsync/sandbox/accounts/ACCOUNT_ID/publish -d '{\"event\":\"envelope-completed\"}'\n", s.URL)
	fmt.Fprintf(w, "\nAny connectsync file works against it once its accounts exist: start the sandbox with\n")
	fmt.Fprintf(w, "  connectsync sandbox serve -f examples/   (or your own files), then, with the variables above:\n")
	fmt.Fprintf(w, "  connectsync plan -f examples/quickstart.yaml\n")
	fmt.Fprintf(w, "\nStop with Ctrl-C.\n")
}

type accountSummary struct{ id, number, name, access string }

// accounts summarises the accounts and the sandbox user's access to each.
func (e *Emulator) accounts() []accountSummary {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []accountSummary
	for _, a := range e.st.Accounts {
		access := "no access"
		if m := a.member(SandboxUserID); m != nil {
			access = "member (not admin)"
			if m.Admin {
				access = "admin"
			}
		}
		if !a.ConnectEnabled {
			access += ", Connect disabled"
		}
		out = append(out, accountSummary{a.AccountID, a.AccountNumber, a.Name, access})
	}
	return out
}
