package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/listener"
	"github.com/connectsync/connectsync/pkg/plan"
)

// Input is what was read of one account.
type Input struct {
	Account config.Account
	// InFiles is false for an account only userinfo named (--all-accounts).
	InFiles bool
	// Desired are the files' configurations for the account.
	Desired []config.Connect
	// Live are its live configurations (config.FromWire).
	Live []config.Connect
	// Err is why it could not be read; Live is then empty.
	Err error
	// Users are the users each live configuration covers, by connectId;
	// nil when coverage was not asked for.
	Users map[string]Users
	// Failures is the failure log within Options.Delivery, and FailuresErr
	// why it could not be read (a note in the report, not a failed account).
	Failures    []docusign.LogEntry
	FailuresErr error
	// HMACKeys is how many HMAC keys the account has, when HMACRead (they
	// are read when a configuration has includeHMAC); HMACErr why they
	// could not be read (a note).
	HMACKeys int
	HMACRead bool
	HMACErr  error
	// TLS are the TLS handshakes with the listeners (Options.CheckTLS), by
	// connectId.
	TLS map[string]TLSCheck
}

// TLSCheck is a TLS handshake with one listener: its certificate, or why
// the handshake failed (a *listener.TLSError).
type TLSCheck struct {
	URL  string
	Cert *listener.Certificate
	Err  error
}

// Users is the coverage of one configuration: how many users, or why they
// could not be listed.
type Users struct {
	Count int
	Err   error
}

// Options say what a report is about and, for Run, how to read it.
type Options struct {
	// Tool names the program, e.g. "connectsync 1.2.0".
	Tool  string
	Files []string
	// Policy is checked on every managed and unmanaged live configuration.
	Policy config.Policy
	// Coverage counts the users of every configuration (Run lists them;
	// Build expects them in the inputs).
	Coverage bool
	// Shard is the part of the accounts this run audits (nil: all).
	Shard *Shard
	// Delivery is the window of the failure log to read and report (Run
	// reads it; Build expects it in the inputs); nil leaves delivery out.
	Delivery *delivery.Window
	// CheckTLS, when set, makes a TLS handshake with the https listener of
	// every managed configuration (Run calls it; Build expects the results
	// in the inputs and reports tls* findings when it is set).
	CheckTLS func(ctx context.Context, url string) (*listener.Certificate, error)
	// Now is when certificates are judged (tlsExpiring); zero means time.Now().
	Now time.Time
	// Concurrency is how many accounts Run reads at once (at least 1).
	Concurrency int
	// Done, if not nil, is called by Run once per account when its part is
	// built, from several goroutines at once (for a progress bar).
	Done func()
}

// Build turns what was read into a report: the drift by plan.Compute (with
// each account's own prune setting), the policy findings and coverage.
func Build(inputs []Input, opts Options) *Report {
	r := newReport(opts, len(inputs))
	for _, in := range inputs {
		r.Accounts = append(r.Accounts, buildAccount(in, opts))
	}
	r.finish()
	return r
}

func newReport(opts Options, accounts int) *Report {
	r := &Report{
		FormatVersion: FormatVersion,
		Tool:          opts.Tool,
		Files:         slices.Clone(opts.Files),
		Policy:        "default",
		Coverage:      opts.Coverage,
		Shards:        []Shard{},
		Accounts:      make([]Account, 0, accounts),
	}
	if r.Files == nil {
		r.Files = []string{}
	}
	if opts.Policy.Declared {
		r.Policy = "files"
	}
	if opts.Shard != nil {
		r.Shards = append(r.Shards, *opts.Shard)
	}
	if opts.Delivery != nil {
		r.Delivery = &DeliveryWindow{Since: opts.Delivery.Since.UTC(), Until: opts.Delivery.Until.UTC()}
	}
	r.TLSChecked = opts.CheckTLS != nil
	return r
}

// finish sorts the accounts and counts the summary.
func (r *Report) finish() {
	SortAccounts(r.Accounts)
	r.Summarize()
}

// SortAccounts orders accounts by alias, then account id.
func SortAccounts(accounts []Account) {
	slices.SortFunc(accounts, func(a, b Account) int {
		return cmp.Or(cmp.Compare(a.Alias, b.Alias), cmp.Compare(a.AccountID, b.AccountID))
	})
}

func buildAccount(in Input, opts Options) Account {
	a := Account{
		Alias:          in.Account.Alias,
		AccountID:      in.Account.AccountID,
		InFiles:        in.InFiles,
		Drift:          Drift{Changes: []Change{}},
		Configurations: []Configuration{},
	}
	if in.Err != nil {
		a.Error = in.Err.Error()
		return a
	}
	p := plan.Compute([]plan.AccountInput{{Account: in.Account, Desired: in.Desired, Live: in.Live}}, plan.Options{})
	pa := p.Accounts[0]
	a.PlanErrors = pa.Errors
	status := map[string]string{} // connectId → status
	reason := map[string]string{}
	drift := map[string]string{}
	for _, u := range pa.Unmanaged {
		status[u.ConnectID], reason[u.ConnectID] = StatusUnmanaged, u.Reason
	}
	for _, x := range pa.Ignored {
		status[x.ConnectID], reason[x.ConnectID] = StatusIgnored, x.Reason
	}
	// Left alone like unmanaged ones, with the reason: a name the files
	// declare without a pin, or a configuration no file could declare.
	for _, x := range pa.Ambiguous {
		status[x.ConnectID], reason[x.ConnectID] = StatusUnmanaged, "ambiguous: "+x.Reason
	}
	for _, x := range pa.Unexpressible {
		status[x.ConnectID], reason[x.ConnectID] = StatusUnmanaged, "the file format cannot express it: "+x.Reason
	}
	for _, c := range pa.Changes {
		if c.ConnectID != "" {
			status[c.ConnectID] = StatusManaged
			if c.Action != plan.NoOp {
				drift[c.ConnectID] = string(c.Action)
			}
		}
		if c.Action == plan.NoOp {
			continue
		}
		ch := Change{Action: string(c.Action), Name: c.Name, ConnectID: c.ConnectID, RenamedFrom: c.RenamedFrom}
		for _, f := range c.Fields {
			if !f.WriteOnly || c.Action == plan.Create {
				ch.Fields = append(ch.Fields, f.Field)
			}
		}
		a.Drift.Changes = append(a.Drift.Changes, ch)
		switch c.Action {
		case plan.Create:
			a.Drift.Create++
		case plan.Update:
			a.Drift.Update++
		case plan.Delete:
			a.Drift.Delete++
		}
	}
	health := deliveryHealth(in, opts, &a)
	if in.HMACErr != nil {
		a.HMACError = docusign.RedactText(in.HMACErr.Error())
	}
	noKey := noHMACKey(in, opts)
	shared := map[string]int{} // configurations per name: a fix names a twin by its connectId
	for _, l := range in.Live {
		shared[l.Name]++
	}
	a.Configurations = make([]Configuration, 0, len(in.Live))
	for _, l := range in.Live {
		c := Configuration{
			Name:      l.Name,
			ConnectID: l.ConnectID,
			Type:      l.Type(),
			Status:    status[l.ConnectID],
			Reason:    reason[l.ConnectID],
			URL:       config.Redact(l.String("urlToPublishTo")),
			DataModel: l.DataModel(),
			Disabled:  disabled(l),
			Drift:     drift[l.ConnectID],
			Findings:  []config.Finding{},
		}
		if c.Status == "" {
			// Not matched because the account could not be planned (plan errors).
			c.Status = StatusUnmanaged
			if !l.Managed() {
				c.Status = StatusIgnored
			}
		}
		if l.Managed() {
			c.Findings = append(c.Findings, opts.Policy.Troubleshoot(l)...)
			c.Findings = append(c.Findings, opts.Policy.Check(l)...)
			c.Findings = append(c.Findings, listenerFindings(in, l, opts, noKey)...)
			slices.SortStableFunc(c.Findings, func(x, y config.Finding) int {
				return cmp.Compare(config.SeverityRank(x.Severity), config.SeverityRank(y.Severity))
			})
		}
		if h, ok := health[l.ConnectID]; ok {
			c.Delivery = noFailures
			if h.Failures > 0 {
				c.Delivery = &Delivery{Failures: h.Failures, LastError: h.LastError, LastFailure: h.LastFailure}
				c.Findings = append([]config.Finding{deliveryFinding(a.Alias, l, shared[l.Name] > 1, h, *opts.Delivery)}, c.Findings...)
			}
		}
		if opts.Coverage {
			if u, ok := in.Users[l.ConnectID]; ok && u.Err != nil {
				c.UsersError = u.Err.Error()
			} else if ok {
				c.Users = &u.Count
			}
		}
		a.Configurations = append(a.Configurations, c)
	}
	slices.SortFunc(a.Configurations, func(x, y Configuration) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ConnectID, y.ConnectID))
	})
	return a
}

// noFailures is the Delivery of every configuration with no failure in the
// window: one value shared by all of them (a report is written and read,
// never changed), not 25,000 copies in a large audit.
var noFailures = &Delivery{}

// disabled says why a configuration delivers nothing, "" when it delivers.
func disabled(c config.Connect) string {
	if by := c.String("disabledBy"); by != "" {
		return "disabled by " + by
	}
	if on, _ := c.Bool("allowEnvelopePublish"); !on {
		return "allowEnvelopePublish is off"
	}
	if paused, _ := c.Bool("pausePublish"); paused {
		return "publishing is paused (pausePublish)"
	}
	return ""
}

// RuleDeliveryFailures is the finding of a configuration with failed
// deliveries in the window: DocuSign could not reach its listener.
const RuleDeliveryFailures = "delivery-failures"

// deliveryHealth counts each live configuration's failures in the window,
// by connectId (every configuration gets an entry, 0 when clean); nil when
// delivery is not audited or the failure log could not be read (noted).
func deliveryHealth(in Input, opts Options, a *Account) map[string]delivery.Health {
	if opts.Delivery == nil {
		return nil
	}
	if in.FailuresErr != nil {
		a.DeliveryError = docusign.RedactText(in.FailuresErr.Error())
		return nil
	}
	configs := make([]delivery.Config, len(in.Live))
	health := make(map[string]delivery.Health, len(in.Live))
	for i, l := range in.Live {
		configs[i] = delivery.Config{ConnectID: l.ConnectID, Name: l.Name, URL: l.String("urlToPublishTo")}
		health[l.ConnectID] = delivery.Health{}
	}
	for _, h := range delivery.ByConfiguration(delivery.Failures(in.Failures, configs, *opts.Delivery)) {
		if _, live := health[h.ConnectID]; live && h.ConnectID != "" {
			health[h.ConnectID] = h
		}
	}
	return health
}

// deliveryFinding is the high finding of a configuration whose deliveries
// fail, with the commands that fix it: they name it by --name, or by
// --connect-id when another configuration of the account has its name
// (twin).
func deliveryFinding(alias string, l config.Connect, twin bool, h delivery.Health, w delivery.Window) config.Finding {
	msg := fmt.Sprintf("%s since %s", pluralFailures(h.Failures), w.Since.UTC().Format("2006-01-02 15:04 UTC"))
	if !h.LastFailure.IsZero() {
		msg += ", the last at " + h.LastFailure.String()
	}
	if h.LastError != "" {
		msg += ": " + h.LastError
	}
	target := "--account " + shellQuote(alias) + " --name " + shellQuote(l.Name)
	if twin {
		target = "--account " + shellQuote(alias) + " --connect-id " + shellQuote(l.ConnectID)
	}
	return config.Finding{
		Rule: RuleDeliveryFailures, Severity: config.SevHigh, Message: msg,
		Fix: fmt.Sprintf("connectsync failures %s; fix the listener; connectsync retry %s --all", target, target),
	}
}

func pluralFailures(n int) string {
	if n == 1 {
		return "1 failed delivery"
	}
	return fmt.Sprintf("%d failed deliveries", n)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// noHMACKey is the noHmacKey finding of the account's configurations with
// includeHMAC when the account has no HMAC key, nil otherwise: built once,
// shared by every configuration it applies to.
func noHMACKey(in Input, opts Options) *config.Finding {
	if !in.HMACRead || in.HMACKeys > 0 {
		return nil
	}
	f := opts.Policy.Finding(config.RuleNoHMACKey, "includeHMAC", fmt.Sprintf("connectsync hmac create --account %s, then give the key to the listener", shellQuote(in.Account.Alias)),
		"includeHMAC is on, but the account has no HMAC key: DocuSign signs nothing, so a listener that checks X-DocuSign-Signature-1 rejects every post")
	return &f
}

// listenerFindings are what the configuration's listener will meet: no
// HMAC key to sign with (noKey, when the account has none), and with
// CheckTLS its certificate (tlsExpiring within 30 days, tlsInvalid,
// tlsUnreachable).
func listenerFindings(in Input, l config.Connect, opts Options, noKey *config.Finding) []config.Finding {
	var out []config.Finding
	add := func(rule, field, fix, format string, args ...any) {
		out = append(out, opts.Policy.Finding(rule, field, fix, format, args...))
	}
	if on, _ := l.Bool("includeHMAC"); on && noKey != nil {
		out = append(out, *noKey)
	}
	check, ok := in.TLS[l.ConnectID]
	if opts.CheckTLS == nil || !ok {
		return out
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var te *listener.TLSError
	switch {
	case check.Err == nil && check.Cert != nil && check.Cert.ExpiresWithin(now, ExpiryWarning):
		add(config.RuleTLSExpiring, "urlToPublishTo", "renew the listener's certificate",
			"the listener's certificate (issued by %s) expires %s, in %d days: DocuSign's posts fail once it has",
			check.Cert.Issuer, check.Cert.NotAfter.UTC().Format("2006-01-02 15:04 UTC"), int(check.Cert.NotAfter.Sub(now).Hours()/24))
	case errors.As(check.Err, &te) && te.Unreachable:
		add(config.RuleTLSUnreachable, "urlToPublishTo", "check the listener is up and reachable (from DocuSign, it may be: audit runs elsewhere)",
			"no TLS connection to the listener %s from here: %s", te.Address, docusign.RedactText(te.Err.Error()))
	case check.Err != nil:
		msg := docusign.RedactText(check.Err.Error())
		if errors.As(check.Err, &te) && te.Cert != nil {
			msg = fmt.Sprintf("%s (certificate issued by %s, expires %s)", docusign.RedactText(te.Err.Error()), te.Cert.Issuer, te.Cert.NotAfter.UTC().Format("2006-01-02 15:04 UTC"))
		}
		add(config.RuleTLSInvalid, "urlToPublishTo", "give the listener a certificate from a public certificate authority, valid and for its host name",
			"the listener's TLS certificate does not verify, so DocuSign cannot deliver: %s", msg)
	}
	return out
}

// ExpiryWarning is how long before its expiry a listener's certificate is a
// tlsExpiring finding.
const ExpiryWarning = 30 * 24 * time.Hour
