package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/connectsync/connectsync/pkg/connectevent"
	"github.com/connectsync/connectsync/pkg/listener/listenertest"
)

// scriptListener is a Connect listener a test script starts: it records
// every post and answers as told.
type scriptListener struct {
	srv    *httptest.Server
	mu     sync.Mutex
	answer string // a status code, or "hang"
	posts  []scriptPost
}

type scriptPost struct {
	path   string
	header http.Header
	body   []byte
}

func (l *scriptListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.posts = append(l.posts, scriptPost{path: r.URL.Path, header: r.Header.Clone(), body: body})
	answer := l.answer
	l.mu.Unlock()
	if answer == "hang" {
		select { // until the client gives up (the body is read, so net/http notices)
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	}
	status, _ := strconv.Atoi(answer)
	w.WriteHeader(status)
	w.Write([]byte(http.StatusText(status)))
}

// cmdListener runs the listeners of a script:
//
//	listener start NAME [tls=DURATION|tls=expired]  start one; $NAME_URL is its URL; with tls its certificate
//	                                                 (signed by $WORK/NAME-ca.pem) expires after DURATION, or has expired
//	listener NAME answer STATUS|hang                 what it answers from now on (200 at first)
//	listener NAME got COUNT [last] [key=KEY] [user=USER:PASSWORD] [signatures=N]
//	                                                 assert it received COUNT posts, each (or with last, the
//	                                                 last) signed so that one X-DocuSign-Signature verifies
//	                                                 with KEY, with that basic auth and N signatures
func cmdListener(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: listener start NAME [tls=...] | listener NAME answer STATUS|hang | listener NAME got COUNT [last] [path=P] [key=K] [user=U:P] [signatures=N]")
	}
	if args[0] == "start" {
		name := args[1]
		l := &scriptListener{answer: "200"}
		if len(args) > 2 && strings.HasPrefix(args[2], "tls=") {
			ca, err := listenertest.NewCA("connectsync test CA " + name)
			ts.Check(err)
			notAfter := time.Now().Add(-time.Hour)
			if v := strings.TrimPrefix(args[2], "tls="); v != "expired" {
				d, err := time.ParseDuration(v)
				ts.Check(err)
				notAfter = time.Now().Add(d)
			}
			l.srv, err = listenertest.NewServer(ca, notAfter, l)
			ts.Check(err)
			ts.Check(os.WriteFile(ts.MkAbs(name+"-ca.pem"), ca.PEM, 0o644))
		} else {
			l.srv = httptest.NewServer(l)
		}
		ts.Defer(l.srv.Close)
		ts.Setenv(name+"_URL", l.srv.URL)
		listeners(ts)[name] = l
		return
	}
	l, ok := listeners(ts)[args[0]]
	if !ok {
		ts.Fatalf("no listener %q (listener start %s first)", args[0], args[0])
	}
	switch args[1] {
	case "answer":
		l.mu.Lock()
		l.answer = args[2]
		l.mu.Unlock()
	case "got":
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		l.mu.Lock()
		posts := append([]scriptPost(nil), l.posts...)
		l.mu.Unlock()
		if (len(posts) == want) == neg {
			ts.Fatalf("listener %s received %d posts, want %d", args[0], len(posts), want)
		}
		for _, opt := range args[3:] {
			if opt == "last" && len(posts) > 0 { // the checks after it are of the last post only
				posts = posts[len(posts)-1:]
				continue
			}
			if p, ok := strings.CutPrefix(opt, "path="); ok { // the checks after it are of the posts to that path
				posts = slices.DeleteFunc(posts, func(x scriptPost) bool { return x.path != p })
				if len(posts) == 0 {
					ts.Fatalf("listener %s received no post to %s", args[0], p)
				}
				continue
			}
			k, v, _ := strings.Cut(opt, "=")
			for i, p := range posts {
				switch k {
				case "key":
					if !connectevent.Verify(p.header, p.body, []string{v}) {
						ts.Fatalf("post %d to %s: no X-DocuSign-Signature verifies with the key", i+1, args[0])
					}
					if p.header.Get(connectevent.DigestHeader) != connectevent.DigestAlgorithm {
						ts.Fatalf("post %d to %s: no %s: %s header", i+1, args[0], connectevent.DigestHeader, connectevent.DigestAlgorithm)
					}
				case "user":
					user, pass, _ := strings.Cut(v, ":")
					r := &http.Request{Header: p.header}
					if u, pw, ok := r.BasicAuth(); !ok || u != user || pw != pass {
						ts.Fatalf("post %d to %s: basic auth is not the configuration's", i+1, args[0])
					}
				case "signatures":
					n, _ := strconv.Atoi(v)
					got := 0
					for p.header.Get(connectevent.SignatureHeaderPrefix+strconv.Itoa(got+1)) != "" {
						got++
					}
					if got != n {
						ts.Fatalf("post %d to %s: %d signatures, want %d", i+1, args[0], got, n)
					}
				default:
					ts.Fatalf("unknown check %q", opt)
				}
			}
		}
	default:
		ts.Fatalf("unknown listener command %q", args[1])
	}
}

func listeners(ts *testscript.TestScript) map[string]*scriptListener {
	m, _ := ts.Value("listeners").(map[string]*scriptListener)
	return m
}

// cmdSecretFile reads a secret a command wrote to a file into a variable,
// so the script can check it is never printed: secretfile FILE VAR.
func cmdSecretFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: secretfile FILE VAR")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	v := strings.TrimSpace(string(b))
	if v == "" {
		ts.Fatalf("%s is empty", args[0])
	}
	ts.Setenv(args[1], v)
	// VAR_RE matches the value literally in stdout/stderr checks: a
	// base64 key holds + and /, which a regexp would read otherwise.
	ts.Setenv(args[1]+"_RE", regexp.QuoteMeta(v))
}

// cmdMode asserts a file's permission bits: mode FILE 0600.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode FILE PERM")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	if got := fi.Mode().Perm(); (uint64(got) == want) == neg {
		ts.Fatalf("%s has mode %#o, want %#o", args[0], got, want)
	}
}
