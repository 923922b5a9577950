// Package listener talks to a Connect listener the way DocuSign does, to
// test it: Post sends one Connect post (built by pkg/connectevent) and says
// how the listener answered, and Handshake checks its TLS certificate
// without sending anything. `connectsync probe` uses the first, `audit
// --check-tls` the second.
package listener

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Certificate is what a listener's TLS certificate says.
type Certificate struct {
	Subject  string
	Issuer   string
	NotAfter time.Time
	DNSNames []string
}

func certificate(c *x509.Certificate) *Certificate {
	return &Certificate{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotAfter: c.NotAfter, DNSNames: c.DNSNames}
}

// ExpiresWithin reports whether the certificate is expired or expires
// within d of now.
func (c *Certificate) ExpiresWithin(now time.Time, d time.Duration) bool {
	return c != nil && c.NotAfter.Before(now.Add(d))
}

// Result is how a listener answered a post.
type Result struct {
	Status  int
	Latency time.Duration
	// Location is where a redirect answer points (not followed).
	Location string
	// Body is the start of the answer's body, one line.
	Body string
	// TLS is the listener's certificate (https only).
	TLS *Certificate
}

// OK reports whether the listener acknowledged the post (2xx).
func (r Result) OK() bool { return r.Status >= 200 && r.Status <= 299 }

// maxBody is how much of an answer is read.
const maxBody = 64 << 10

// Client returns the client to post with: timeout bounds the whole post,
// TLS is verified (with roots, or the system's when nil), and no redirect
// is followed, so a 3xx is the answer and basic auth never goes elsewhere.
func Client(timeout time.Duration, roots *x509.CertPool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{
		Transport:     t,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Post sends req with client and reports the answer.
func Post(client *http.Client, req *http.Request) (Result, error) {
	start := time.Now()
	resp, err := client.Do(req)
	res := Result{Latency: time.Since(start)}
	if err != nil {
		return res, describe(err, req.URL)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	res.Latency = time.Since(start)
	res.Status = resp.StatusCode
	res.Location = resp.Header.Get("Location")
	res.Body = firstLine(string(body))
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		res.TLS = certificate(resp.TLS.PeerCertificates[0])
	}
	return res, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// TLSError is a TLS handshake that failed: the certificate did not verify
// (Unreachable false; Cert is the certificate presented), or the listener
// could not be reached at all.
type TLSError struct {
	Address     string
	Unreachable bool
	Cert        *Certificate
	Err         error
}

func (e *TLSError) Error() string {
	if e.Unreachable {
		return fmt.Sprintf("%s: cannot connect: %v", e.Address, e.Err)
	}
	return fmt.Sprintf("%s: the TLS certificate does not verify: %v", e.Address, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// describe turns a transport error into a TLSError when TLS is why.
func describe(err error, u *url.URL) error {
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		te := &TLSError{Address: address(u), Err: cve.Err}
		if len(cve.UnverifiedCertificates) > 0 {
			te.Cert = certificate(cve.UnverifiedCertificates[0])
		}
		return te
	}
	return err
}

// address is host:port of an http(s) URL.
func address(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// Handshake makes a TLS handshake with an https listener, sending no
// request, and returns its certificate once verified (with roots, or the
// system's when nil). A failure is a *TLSError. It refuses a URL that is
// not https.
func Handshake(ctx context.Context, rawURL string, timeout time.Duration, roots *x509.CertPool) (*Certificate, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an https URL", rawURL)
	}
	addr := address(u)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := &tls.Dialer{Config: &tls.Config{ServerName: u.Hostname(), RootCAs: roots, MinVersion: tls.VersionTLS12}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var cve *tls.CertificateVerificationError
		if errors.As(err, &cve) {
			te := &TLSError{Address: addr, Err: cve.Err}
			if len(cve.UnverifiedCertificates) > 0 {
				te.Cert = certificate(cve.UnverifiedCertificates[0])
			}
			return nil, te
		}
		var rec tls.RecordHeaderError
		var alert tls.AlertError
		if errors.As(err, &rec) || errors.As(err, &alert) {
			return nil, &TLSError{Address: addr, Err: err} // it answered, not with a TLS we accept
		}
		return nil, &TLSError{Address: addr, Unreachable: true, Err: err}
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	if len(state.PeerCertificates) == 0 {
		return nil, &TLSError{Address: addr, Err: errors.New("no certificate presented")}
	}
	return certificate(state.PeerCertificates[0]), nil
}
