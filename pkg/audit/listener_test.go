package audit

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/listener"
)

func rules(c Configuration) []string {
	var out []string
	for _, f := range c.Findings {
		out = append(out, f.Rule+"/"+f.Severity)
	}
	return out
}

func byName(a Account, name string) Configuration {
	for _, c := range a.Configurations {
		if c.Name == name {
			return c
		}
	}
	return Configuration{}
}

// TestListenerFindings: includeHMAC on an account without keys is a high
// noHmacKey finding (not when the keys could not be read: a note); with
// CheckTLS, a certificate expiring within 30 days is tlsExpiring (medium),
// one that does not verify tlsInvalid (high), a listener that cannot be
// reached tlsUnreachable (low), each with the severity the policy sets.
func TestListenerFindings(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 7, 9, 0, 0, 0, time.UTC)
	live := []config.Connect{
		liveConnect("soon", "1", jsonSIM("https://soon.example.com/")),
		liveConnect("bad", "2", jsonSIM("https://bad.example.com/")),
		liveConnect("gone", "3", jsonSIM("https://gone.example.com/")),
		liveConnect("fine", "4", with(jsonSIM("https://fine.example.com/"), "includeHMAC", false)),
	}
	tls := map[string]TLSCheck{
		"1": {Cert: &listener.Certificate{Issuer: "CN=R11", NotAfter: now.Add(5 * 24 * time.Hour)}},
		"2": {Err: &listener.TLSError{Address: "bad.example.com:443", Err: errors.New("x509: certificate has expired"), Cert: &listener.Certificate{Issuer: "CN=R11", NotAfter: now.Add(-time.Hour)}}},
		"3": {Err: &listener.TLSError{Address: "gone.example.com:443", Unreachable: true, Err: errors.New("connection refused")}},
		"4": {Cert: &listener.Certificate{Issuer: "CN=R11", NotAfter: now.Add(90 * 24 * time.Hour)}},
	}
	check := func(context.Context, string) (*listener.Certificate, error) { return nil, nil }
	policy := config.DefaultPolicy()
	rep := Build([]Input{{Account: prod, InFiles: true, Live: live, HMACRead: true, HMACKeys: 0, TLS: tls}},
		Options{Policy: policy, CheckTLS: check, Now: now})
	a := rep.Accounts[0]
	for name, want := range map[string][]string{
		"soon": {"noHmacKey/high", "tlsExpiring/medium"},
		"bad":  {"noHmacKey/high", "tlsInvalid/high"},
		"gone": {"noHmacKey/high", "tlsUnreachable/low"},
		"fine": {"requireHmac/medium"},
	} {
		got := rules(byName(a, name))
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: findings %v, want %s", name, got, w)
			}
		}
		if name == "fine" && len(got) != 1 {
			t.Errorf("fine: findings %v, want only requireHmac", got)
		}
	}
	if f := byName(a, "soon").Findings; !slices.ContainsFunc(f, func(f config.Finding) bool { return strings.Contains(f.Message, "in 5 days") }) {
		t.Errorf("tlsExpiring does not say when: %+v", f)
	}
	if !rep.TLSChecked {
		t.Errorf("TLSChecked is false")
	}

	// With keys, or keys not read (a note), no noHmacKey; without CheckTLS no tls findings.
	policy.Severity[config.RuleNoHMACKey] = config.SevLow
	for _, in := range []Input{
		{Account: prod, InFiles: true, Live: live, HMACRead: true, HMACKeys: 1, TLS: tls},
		{Account: prod, InFiles: true, Live: live, HMACErr: errors.New("HMAC keys not read: 400 USER_LACKS_PERMISSIONS")},
	} {
		rep := Build([]Input{in}, Options{Policy: policy, Now: now})
		for _, c := range rep.Accounts[0].Configurations {
			for _, r := range rules(c) {
				if strings.HasPrefix(r, "noHmacKey") || strings.HasPrefix(r, "tls") {
					t.Errorf("%s: finding %s", c.Name, r)
				}
			}
		}
		if in.HMACErr != nil && rep.Accounts[0].HMACError == "" {
			t.Errorf("the HMAC read error is not noted")
		}
		if rep.HasErrors() || rep.TLSChecked {
			t.Errorf("an HMAC read error fails the account, or TLSChecked without CheckTLS")
		}
	}
	rep = Build([]Input{{Account: prod, InFiles: true, Live: live, HMACRead: true}}, Options{Policy: policy})
	if got := rules(byName(rep.Accounts[0], "soon")); !slices.Contains(got, "noHmacKey/low") {
		t.Errorf("policy.severity does not set noHmacKey's severity: %v", got)
	}
}

// hmacAPI is a fakeAPI whose configurations have includeHMAC, with keys
// that fail to be read in one account.
type hmacAPI struct{ fakeAPI }

func (f *hmacAPI) ListConfigurations(_ context.Context, id string) ([]docusign.Configuration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []docusign.Configuration{{ConnectID: id + "-1", Name: "a", ConfigurationType: "custom", URLToPublishTo: "https://a.example.com/", IncludeHMAC: docusign.BoolPtr(true)},
		{ConnectID: id + "-2", Name: "b", ConfigurationType: "custom", URLToPublishTo: "https://a.example.com/"}}, nil
}

func (f *hmacAPI) ListHMACKeys(_ context.Context, id string) ([]docusign.HMACKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hmac++
	if id == "bad" {
		return nil, errors.New("400 USER_LACKS_PERMISSIONS")
	}
	return nil, nil
}

// TestRunReadsKeysAndTLS: the keys are read once per account with an
// includeHMAC configuration (a failure is a note), and each listener URL of
// the declared configurations gets one handshake.
func TestRunReadsKeysAndTLS(t *testing.T) {
	t.Parallel()
	api := &hmacAPI{fakeAPI{lists: map[string]int{}}}
	declared := []config.Connect{{Name: "a", Fields: map[string]any{}}, {Name: "b", Fields: map[string]any{}}}
	targets := []Target{{Account: config.Account{Alias: "good", AccountID: "good"}, InFiles: true, Desired: declared},
		{Account: config.Account{Alias: "bad", AccountID: "bad"}, InFiles: true, Desired: declared}}
	var handshakes []string
	var mu = make(chan struct{}, 1)
	check := func(_ context.Context, url string) (*listener.Certificate, error) {
		mu <- struct{}{}
		handshakes = append(handshakes, url)
		<-mu
		return &listener.Certificate{NotAfter: time.Now().Add(90 * 24 * time.Hour)}, nil
	}
	rep := Run(context.Background(), api, targets, Options{Policy: config.DefaultPolicy(), Concurrency: 2, CheckTLS: check})
	if api.hmac != 2 || len(handshakes) != 2 {
		t.Errorf("%d key reads, %d handshakes; want 2 and 2 (one per account and URL)", api.hmac, len(handshakes))
	}
	for _, a := range rep.Accounts {
		got := rules(byName(a, "a"))
		switch a.Alias {
		case "good":
			if !slices.Contains(got, "noHmacKey/high") || a.HMACError != "" {
				t.Errorf("good: %v, %q", got, a.HMACError)
			}
		case "bad":
			if slices.Contains(got, "noHmacKey/high") || !strings.Contains(a.HMACError, "HMAC keys not read") || a.Error != "" {
				t.Errorf("bad: %v, %q, %q", got, a.HMACError, a.Error)
			}
		}
	}
}
