package docusign

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// connCounter is a server that counts the TCP connections made to it and
// answers every list call after a short pause, so that calls overlap.
type connCounter struct {
	srv    *httptest.Server
	conns  atomic.Int64
	protos sync.Map // "HTTP/1.1", "HTTP/2.0" seen
}

func newConnCounter(t *testing.T, http2 bool) *connCounter {
	cc := &connCounter{}
	cc.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cc.protos.Store(r.Proto, true)
		time.Sleep(5 * time.Millisecond)
		writeJSON(w, http.StatusOK, `{"configurations":[{"connectId":"1","name":"a"}],"totalRecords":"1"}`)
	}))
	cc.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cc.conns.Add(1)
		}
	}
	if http2 {
		cc.srv.EnableHTTP2 = true
		cc.srv.StartTLS()
	} else {
		cc.srv.Start()
	}
	t.Cleanup(cc.srv.Close)
	return cc
}

// listAll makes calls list calls, concurrency at a time.
func listAll(t *testing.T, c *Client, calls, concurrency int) {
	var g errgroup.Group
	g.SetLimit(concurrency)
	for range calls {
		g.Go(func() error {
			_, err := c.ListConfigurations(context.Background(), testAccount)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestConnectionsAreReused: 200 calls in waves of 8 over the client's own
// transport open 8 TCP connections (one per call in flight), each reused
// wave after wave; http.DefaultTransport keeps only 2 idle per host, so it
// dials 6 more each wave (17–48 in a plain run of 200, 8 at a time), each a
// TLS handshake against DocuSign. The pause between waves lets net/http put
// each connection back in its pool, which it does just after the caller has
// read the answer: a call that starts in that instant dials, which on a
// loaded machine made 10 connections of a run without pauses.
func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	cc := newConnCounter(t, false)
	c, err := New(Options{Auth: StaticToken(testToken), BaseURI: cc.srv.URL, Concurrency: 8, BurstLimit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for range 25 {
		listAll(t, c, 8, 8)
		time.Sleep(20 * time.Millisecond)
	}
	if n := cc.conns.Load(); n > 8+1 {
		t.Errorf("200 calls in waves of 8 opened %d connections, want 8", n)
	}
}

// TestHTTP2WhereOffered: against a server that offers HTTP/2 the calls
// share one connection once it is open (calls that start together before
// any is open each dial, and the transport keeps one of those).
func TestHTTP2WhereOffered(t *testing.T) {
	t.Parallel()
	cc := newConnCounter(t, true)
	roots := x509.NewCertPool()
	roots.AddCert(cc.srv.Certificate())
	tr := newTransport(30*time.Second, 8)
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	c, err := New(Options{Auth: StaticToken(testToken), BaseURI: cc.srv.URL, HTTPClient: &http.Client{Transport: tr}, BurstLimit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	listAll(t, c, 1, 1) // the first call opens the connection (as the token call does for plan)
	listAll(t, c, 50, 8)
	if _, ok := cc.protos.Load("HTTP/2.0"); !ok {
		t.Error("the calls did not use HTTP/2")
	}
	if n := cc.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (HTTP/2 multiplexes the calls)", n)
	}
}

// TestOwnTransportKeepsTheHardening: the client's own transport verifies
// TLS (a self-signed server is refused), bounds dialling and the TLS
// handshake by Options.Timeout and nothing shorter, and the client follows
// no redirect.
func TestOwnTransportKeepsTheHardening(t *testing.T) {
	t.Parallel()
	cc := newConnCounter(t, true)
	c, err := New(Options{Auth: StaticToken(testToken), BaseURI: cc.srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListConfigurations(context.Background(), testAccount); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a self-signed server was not refused: %v", err)
	}
	c, err = New(Options{Auth: StaticToken(testToken), BaseURI: "https://demo.docusign.net", Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T", c.hc.Transport)
	}
	if tr.TLSHandshakeTimeout != 5*time.Minute || tr.ResponseHeaderTimeout != 0 || c.hc.Timeout != 0 {
		t.Errorf("a bound shorter than the 5m timeout: handshake %s, response header %s, client %s", tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout, c.hc.Timeout)
	}
	if tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify {
		t.Error("TLS verification is off")
	}
	if c.hc.CheckRedirect == nil {
		t.Error("redirects are followed")
	}
}
