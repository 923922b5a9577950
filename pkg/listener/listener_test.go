package listener_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/connectevent"
	"github.com/connectsync/connectsync/pkg/listener"
	"github.com/connectsync/connectsync/pkg/listener/listenertest"
)

func post(t *testing.T, client *http.Client, url string) (listener.Result, error) {
	t.Helper()
	req, err := connectevent.NewRequest(t.Context(), url, connectevent.Payload{Body: []byte(`{}`), ContentType: "application/json"},
		connectevent.Credentials{UserName: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	return listener.Post(client, req)
}

func TestPostReportsTheAnswer(t *testing.T) {
	ca, err := listenertest.NewCA("Test CA")
	if err != nil {
		t.Fatal(err)
	}
	notAfter := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	srv, err := listenertest.NewServer(ca, notAfter, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "https://elsewhere.example.com/", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("down for maintenance\nline two"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client := listener.Client(5*time.Second, ca.Pool())
	res, err := post(t, client, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Status != 503 || res.Body != "down for maintenance" || res.TLS == nil || !res.TLS.NotAfter.Equal(notAfter) ||
		!strings.Contains(res.TLS.Issuer, "Test CA") {
		t.Errorf("result %+v (TLS %+v)", res, res.TLS)
	}
	if !res.TLS.ExpiresWithin(time.Now(), 30*24*time.Hour) || res.TLS.ExpiresWithin(time.Now(), time.Hour) {
		t.Errorf("ExpiresWithin is wrong for a certificate that expires in 72 hours")
	}
	// A redirect is the answer: not followed.
	res, err = post(t, client, srv.URL+"/moved")
	if err != nil || res.Status != http.StatusFound || res.Location != "https://elsewhere.example.com/" {
		t.Errorf("redirect: %+v, %v", res, err)
	}
	// Without the test CA, the certificate does not verify.
	_, err = post(t, listener.Client(5*time.Second, nil), srv.URL)
	var te *listener.TLSError
	if !errors.As(err, &te) || te.Unreachable || te.Cert == nil || !strings.Contains(te.Cert.Issuer, "Test CA") {
		t.Errorf("untrusted: %v", err)
	}
}

func TestPostTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // then net/http notices the client leaving and ends the context
		<-r.Context().Done()
	}))
	defer srv.Close()
	start := time.Now()
	_, err := post(t, listener.Client(150*time.Millisecond, nil), srv.URL)
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("a listener that never answers: %v after %s", err, time.Since(start))
	}
}

func TestHandshake(t *testing.T) {
	ca, err := listenertest.NewCA("Test CA")
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Errorf("Handshake sent a request: %s", r.URL) })
	good, _ := listenertest.NewServer(ca, time.Now().Add(90*24*time.Hour), ok)
	defer good.Close()
	expired, _ := listenertest.NewServer(ca, time.Now().Add(-time.Hour), ok)
	defer expired.Close()

	cert, err := listener.Handshake(t.Context(), good.URL, 5*time.Second, ca.Pool())
	if err != nil || cert.ExpiresWithin(time.Now(), 30*24*time.Hour) {
		t.Errorf("good: %+v, %v", cert, err)
	}
	_, err = listener.Handshake(t.Context(), expired.URL, 5*time.Second, ca.Pool())
	var te *listener.TLSError
	if !errors.As(err, &te) || te.Unreachable || te.Cert == nil || !te.Cert.NotAfter.Before(time.Now()) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired: %v", err)
	}
	_, err = listener.Handshake(t.Context(), good.URL, 5*time.Second, nil)
	if !errors.As(err, &te) || te.Unreachable {
		t.Errorf("unknown authority: %v", err)
	}
	closed := httptest.NewServer(ok)
	url := strings.Replace(closed.URL, "http://", "https://", 1)
	closed.Close()
	_, err = listener.Handshake(t.Context(), url, 5*time.Second, nil)
	if !errors.As(err, &te) || !te.Unreachable {
		t.Errorf("nothing listening: %v", err)
	}
	if _, err := listener.Handshake(t.Context(), "http://127.0.0.1/", time.Second, nil); err == nil {
		t.Errorf("an http URL was accepted")
	}
}
