package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/sync/errgroup"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/render"
)

// Delivery health: failures, logs, retry and republish (pkg/delivery
// builds the reports, pkg/render shows them).

// deliveryAPI is every call of the delivery commands (docusign.Client and
// router have them).
type deliveryAPI interface {
	ListFailures(ctx context.Context, accountID string, from, to time.Time) ([]docusign.LogEntry, error)
	ListLogs(ctx context.Context, accountID string, from, to time.Time) ([]docusign.LogEntry, error)
	GetLog(ctx context.Context, accountID, logID string, additionalInfo bool) (docusign.LogEntry, error)
	RetryEnvelopes(ctx context.Context, accountID string, envelopeIDs []string) ([]docusign.RetryResult, error)
	RepublishHistorical(ctx context.Context, accountID string, cfg docusign.Configuration, envelopeIDs []string) (docusign.PublishTransaction, error)
}

const (
	flagSince      = "since"
	flagEnvelope   = "envelope"
	flagAll        = "all"
	flagNoDelivery = "no-delivery"
	defaultSince   = "7d"
)

func sinceFlag(what string) cli.Flag {
	return &cli.StringFlag{Name: flagSince, Value: defaultSince,
		Usage: what + " since: a duration (7d, 24h, 90m), a date (2026-11-01, midnight UTC) or an RFC 3339 time"}
}

// window reads --since into the window ending now, rounded up to the
// second: to_date is sent in whole seconds, and must not leave out what
// failed earlier in this second.
func window(since string) (delivery.Window, error) {
	now := time.Now().UTC().Truncate(time.Second).Add(time.Second)
	start, err := delivery.ParseSince(since, now)
	if err != nil {
		return delivery.Window{}, usageError("--since " + err.Error())
	}
	return delivery.Window{Since: start, Until: now}, nil
}

// envelopeIDs checks --envelope values (repeatable, or comma-separated):
// each must be a GUID; each is kept once, in the order given.
func envelopeIDs(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if !isGUID(id) {
				return nil, usageError(fmt.Sprintf("--envelope %q is not an envelope id: DocuSign envelope ids are GUIDs such as 93be49ab-1c2d-4e5f-8a9b-f752070d71ec", id))
			}
			if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, id) }) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if r != '-' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// show writes a report in the chosen format (JSON the same way for all).
func show(o commonOptions, env Env, report any, text func(io.Writer, render.Options), markdown func(io.Writer) error) error {
	switch o.Format {
	case "json":
		return render.DeliveryJSON(env.Stdout, report)
	case "markdown":
		return markdown(env.Stdout)
	}
	text(env.Stdout, renderOptions(o, env))
	return nil
}

// readAccounts opens the selected accounts (with all, every account the
// credentials reach) and reads, for each (in alias order, at most
// --concurrency at once), its configurations and then what read returns.
func readAccounts(ctx context.Context, o commonOptions, all bool, env Env, read func(ctx context.Context, api deliveryAPI, accountID string) ([]docusign.LogEntry, error)) ([]delivery.Input, error) {
	s, err := openAccounts(ctx, o, all, env)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	targets := s.targets(nil)
	inputs := make([]delivery.Input, len(targets))
	var g errgroup.Group
	g.SetLimit(max(o.Concurrency, 1))
	for i, t := range targets {
		g.Go(func() error {
			a := t.Account
			in := delivery.Input{Alias: a.Alias, AccountID: a.AccountID}
			list, err := s.api.ListConfigurations(ctx, a.AccountID)
			if err == nil {
				in.Configs = delivery.ConfigsFromWire(list)
				in.Entries, err = read(ctx, s.api, a.AccountID)
			}
			if err != nil {
				in.Err = fmt.Errorf("account %s: %w", a.Alias, err)
			}
			inputs[i] = in
			return nil
		})
	}
	_ = g.Wait() // errors live in the inputs
	return inputs, nil
}

// reportAccountErrors names the accounts that could not be read on stderr.
func reportAccountErrors(inputs []delivery.Input, env Env) error {
	failed := false
	for _, in := range inputs {
		if in.Err != nil {
			fmt.Fprintln(env.Stderr, "error:", render.Terminal(docusign.RedactText(in.Err.Error())))
			failed = true
		}
	}
	if failed {
		return errReported
	}
	return nil
}

// checkSelected refuses a --name or --connect-id that names no configuration
// of the accounts read, or a --name and --connect-id that disagree. A
// connectId of the failure log counts too: its configuration may have been
// deleted since, and its failures are still listed under that id.
func checkSelected(sel configSelector, inputs []delivery.Input) error {
	var names, aliases, unread []string
	for _, in := range inputs {
		if in.Err != nil {
			unread = append(unread, in.Alias)
			continue
		}
		aliases = append(aliases, in.Alias)
		for _, c := range in.Configs {
			if sel.picks(c.Name, c.ConnectID) {
				return sel.disagree(in.Alias, c.Name)
			}
			if q := sel.describe(c.Name, c.ConnectID); !slices.Contains(names, q) {
				names = append(names, q)
			}
		}
		if sel.ConnectID != "" && sel.Name == "" && slices.ContainsFunc(in.Entries, func(e docusign.LogEntry) bool { return e.ConnectID == sel.ConnectID }) {
			return nil
		}
	}
	if len(aliases) == 0 {
		return nil // nothing was read: the account errors say why
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	slices.Sort(names)
	what := fmt.Sprintf("named %q", sel.Name)
	if sel.ConnectID != "" {
		what = "with connectId " + sel.ConnectID
	}
	msg := fmt.Sprintf("no configuration %s in account %s (they have %s)", what, strings.Join(aliases, ", "), strings.Join(names, ", "))
	if len(unread) > 0 {
		msg += fmt.Sprintf("; account %s could not be read (above)", strings.Join(unread, ", "))
	}
	return usageError(msg)
}

// --- failures ---------------------------------------------------------------

type failuresOptions struct {
	commonOptions
	All   bool
	Since string
	// Target chooses the failures of one configuration (--name, --connect-id).
	Target configSelector
}

func failuresCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "failures",
		Usage: "list the failed deliveries in Connect's failure log, per account",
		Description: `Reads the failure log of every selected account within --since (default
7d; sent to DocuSign as from_date and to_date) and prints, per account,
each configuration with failures (count, last failure, listener, last
error) and every failed delivery, newest first: envelope, configuration
name (resolved from its connectId) and connectId, error, created, last try
and retry count. Listener credentials (user:password@) are redacted.

DocuSign records a failure when a listener does not acknowledge a post of a
configuration with requiresAcknowledgement, retries it for a while, then
gives up: fix the listener, then put the envelopes back on the retry queue
with connectsync retry.

Reading costs two calls per account (the configurations, to name the
failures, and the failure log). Exit codes: 0 done (failures or not), 1 an
account could not be read or a usage error.`,
		Flags: append(append(apiFlags(), allAccountsFlags()...), formatFlag("text", "json", "markdown"), sinceFlag("failures"),
			&cli.StringFlag{Name: flagName, Usage: "only the failures of the configurations of this name"},
			&cli.StringFlag{Name: flagConnectID, Usage: "only the failures of the configuration with this connectId (where several share a name)"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runFailures(c.Context, failuresOptions{commonOptions: common, All: c.Bool(flagAllAccounts), Since: c.String(flagSince), Target: selectorOf(c)}, env)
		},
	}
}

func runFailures(ctx context.Context, o failuresOptions, env Env) error {
	w, err := window(o.Since)
	if err != nil {
		return err
	}
	inputs, err := readAccounts(ctx, o.commonOptions, o.All, env, func(ctx context.Context, api deliveryAPI, accountID string) ([]docusign.LogEntry, error) {
		return api.ListFailures(ctx, accountID, w.Since, w.Until)
	})
	if err != nil {
		return err
	}
	if o.Target.given() {
		if err := checkSelected(o.Target, inputs); err != nil {
			reportAccountErrors(inputs, env) // an unread account may hold it
			return err
		}
	}
	rep := delivery.BuildFailures(inputs, delivery.Options{Tool: toolName(), Window: w, Name: o.Target.Name, ConnectID: o.Target.ConnectID})
	if err := show(o.commonOptions, env, rep, func(w io.Writer, ro render.Options) { render.FailuresText(w, rep, ro) },
		func(w io.Writer) error { return render.FailuresMarkdown(w, rep) }); err != nil {
		return err
	}
	return reportAccountErrors(inputs, env)
}

// --- logs -------------------------------------------------------------------

type logsOptions struct {
	commonOptions
	All      bool
	Since    string
	Envelope string
}

func logsCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "logs",
		Usage: "list Connect's event logs, per account; one envelope's posts in detail",
		Description: `Reads the Connect log of every selected account within --since (default
7d) and prints each entry, newest first: envelope, status posted,
configuration and whether the post succeeded. DocuSign logs only the posts
of configurations with enableLog: true, and keeps the 100 most recent
entries for 15 days.

With --envelope ID, only that envelope's entries, each with DocuSign's
debug log (additional_info: every step of the post, the listener's answer
and the payload); an envelope with no entries is an error naming it.

Reading costs two calls per account, plus one per entry with --envelope.
Exit codes: 0 done, 1 an account could not be read, the envelope has no
entries, or a usage error.`,
		Flags: append(append(apiFlags(), allAccountsFlags()...), formatFlag("text", "json", "markdown"), sinceFlag("entries"),
			&cli.StringFlag{Name: flagEnvelope, Usage: "only this envelope's entries, with DocuSign's debug log of each post"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runLogs(c.Context, logsOptions{commonOptions: common, All: c.Bool(flagAllAccounts), Since: c.String(flagSince), Envelope: c.String(flagEnvelope)}, env)
		},
	}
}

func runLogs(ctx context.Context, o logsOptions, env Env) error {
	w, err := window(o.Since)
	if err != nil {
		return err
	}
	if o.Envelope != "" {
		ids, err := envelopeIDs([]string{o.Envelope})
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return usageError("--envelope takes one envelope id")
		}
		o.Envelope = ids[0]
	}
	inputs, err := readAccounts(ctx, o.commonOptions, o.All, env, func(ctx context.Context, api deliveryAPI, accountID string) ([]docusign.LogEntry, error) {
		entries, err := api.ListLogs(ctx, accountID, w.Since, w.Until)
		if err != nil || o.Envelope == "" {
			return entries, err
		}
		// One envelope: each of its entries again, with the debug log.
		var detailed []docusign.LogEntry
		for _, e := range entries {
			if !strings.EqualFold(e.EnvelopeID, o.Envelope) {
				continue
			}
			if e.LogID != "" {
				full, err := api.GetLog(ctx, accountID, e.LogID, true)
				if err != nil {
					return nil, err
				}
				e = full
			}
			detailed = append(detailed, e)
		}
		return detailed, nil
	})
	if err != nil {
		return err
	}
	rep := delivery.BuildLogs(inputs, delivery.Options{Tool: toolName(), Window: w, Envelope: o.Envelope})
	if o.Envelope != "" && rep.Summary.Entries == 0 && rep.Summary.Failed < rep.Summary.Accounts {
		var aliases []string
		for _, a := range rep.Accounts {
			if a.Error == "" {
				aliases = append(aliases, a.Alias)
			}
		}
		reportAccountErrors(inputs, env)
		return usageError(fmt.Sprintf("no Connect log entries of envelope %s in account %s since %s: DocuSign logs only the posts of configurations with enableLog: true, and keeps them 15 days",
			o.Envelope, strings.Join(aliases, ", "), w.Since.Format("2006-01-02 15:04 UTC")))
	}
	if err := show(o.commonOptions, env, rep, func(w io.Writer, ro render.Options) { render.LogsText(w, rep, ro) },
		func(w io.Writer) error { return render.LogsMarkdown(w, rep) }); err != nil {
		return err
	}
	return reportAccountErrors(inputs, env)
}

// --- retry ------------------------------------------------------------------

type retryOptions struct {
	commonOptions
	All       bool
	Envelopes []string
	Since     string
	// Target chooses the failures of one configuration (--name,
	// --connect-id; with --all only).
	Target configSelector
	// sinceSet says --since was given (it only applies to --all).
	sinceSet bool
}

func retryCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "retry",
		Usage: "put failed deliveries back on DocuSign's retry queue",
		Description: `Puts envelopes on the Connect retry queue of one account, so that DocuSign
posts them to the listeners again, and prints DocuSign's answer per
envelope. Name the account with --account (not needed when the files
declare one) and the envelopes with either:

   --all            every envelope of the failure log within --since
                    (default 7d); only the configuration's with --name
                    or --connect-id
   --envelope ID    these envelopes (repeatable, or comma-separated)

Each envelope is sent once per run, however often it failed or is named.
Fix the listener first (connectsync failures shows why posts fail): a retry
to a listener that is still down fails again.

Exit codes: 0 DocuSign accepted every envelope, 1 it refused some (each is
named on stderr), a call failed, or a usage error.`,
		Flags: append(apiFlags(), formatFlag("text", "json", "markdown"),
			&cli.BoolFlag{Name: flagAll, Usage: "every envelope of the account's failure log within --since"},
			&cli.StringSliceFlag{Name: flagEnvelope, Usage: "an envelope to retry (repeatable, or comma-separated)"},
			sinceFlag("with --all, the failures"),
			&cli.StringFlag{Name: flagName, Usage: "with --all, only the failures of the configurations of this name"},
			&cli.StringFlag{Name: flagConnectID, Usage: "with --all, only the failures of the configuration with this connectId (where several share a name)"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runRetry(c.Context, retryOptions{commonOptions: common, All: c.Bool(flagAll), Envelopes: c.StringSlice(flagEnvelope),
				Since: c.String(flagSince), Target: selectorOf(c), sinceSet: c.IsSet(flagSince)}, env)
		},
	}
}

// oneAccount is the single account a command works on: --account, or the
// only account of the files.
func oneAccount(s *session, command string) (config.Account, error) {
	if len(s.accounts) == 1 {
		return s.accounts[0], nil
	}
	var aliases []string
	for _, a := range s.accounts {
		aliases = append(aliases, a.Alias)
	}
	return config.Account{}, usageError(fmt.Sprintf("%s works on one account: add --account ALIAS (one of %s)", command, strings.Join(aliases, ", ")))
}

func runRetry(ctx context.Context, o retryOptions, env Env) error {
	// The files first: an argument is a file, and a bad one is named before
	// anything else.
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case o.All == (len(o.Envelopes) > 0):
		return usageError("name the envelopes to retry: --all (every envelope of the failure log within --since) or --envelope ID (repeatable), not both")
	case !o.All && (o.sinceSet || o.Target.given()):
		return usageError("--since, --name and --connect-id choose failures for --all; with --envelope the envelopes are named already")
	}
	var w delivery.Window
	var requested []string
	if o.All {
		w, err = window(o.Since)
	} else {
		requested, err = envelopeIDs(o.Envelopes)
	}
	if err != nil {
		return err
	}
	a, err := oneAccount(s, "retry")
	if err != nil {
		return err
	}
	list, err := s.api.ListConfigurations(ctx, a.AccountID)
	if err != nil {
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	configs := delivery.ConfigsFromWire(list)
	in := delivery.RetryInput{Alias: a.Alias, AccountID: a.AccountID, Selection: "envelopes", Configs: configs}
	if o.All {
		in.Selection, in.Since, in.Name, in.ConnectID = "all", &w.Since, o.Target.Name, o.Target.ConnectID
		entries, err := s.api.ListFailures(ctx, a.AccountID, w.Since, w.Until)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.Alias, err)
		}
		if o.Target.given() {
			if err := checkSelected(o.Target, []delivery.Input{{Alias: a.Alias, Configs: configs, Entries: entries}}); err != nil {
				return err
			}
		}
		for _, f := range delivery.Failures(entries, configs, w) {
			if delivery.Selected(f, o.Target.Name, o.Target.ConnectID) && !slices.ContainsFunc(requested, func(x string) bool { return strings.EqualFold(x, f.EnvelopeID) }) {
				requested = append(requested, f.EnvelopeID)
			}
		}
	}
	in.Requested = requested
	if len(requested) > 0 {
		in.Results, in.Err = s.api.RetryEnvelopes(ctx, a.AccountID, requested)
	}
	rep := delivery.BuildRetry(in, toolName())
	if err := show(o.commonOptions, env, rep, func(w io.Writer, ro render.Options) { render.RetryText(w, rep, ro) },
		func(w io.Writer) error { return render.RetryMarkdown(w, rep) }); err != nil {
		return err
	}
	failed := false
	for _, l := range rep.Refused() {
		fmt.Fprintf(env.Stderr, "error: DocuSign refused to retry envelope %s: %s\n", render.Terminal(l.EnvelopeID), render.Terminal(cmpOr(l.Message, l.Status)))
		failed = true
	}
	if in.Err != nil {
		fmt.Fprintln(env.Stderr, "error:", render.Terminal(rep.Error))
		failed = true
	}
	if failed {
		return errReported
	}
	return nil
}

func cmpOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// --- republish ----------------------------------------------------------------

type republishOptions struct {
	commonOptions
	Target    configSelector
	Envelopes []string
}

func republishCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "republish",
		Usage: "send existing envelopes again through one configuration (historical republish)",
		Description: `Asks DocuSign to post existing envelopes to the listener of one
configuration again, whether or not they failed (POST
connect/envelopes/publish/historical), e.g. after a listener lost data.
Name the account with --account (not needed when the files declare one),
the configuration with --name (or --connect-id, where several share the
name) and the envelopes with --envelope (repeatable, or comma-separated;
each is sent once).

DocuSign takes the whole configuration in the request, so connectsync sends
the live one, with its password from the files when they declare it (DocuSign
never returns it; its variable must then be set, as for apply; without a
password the posts carry none). DocuSign
sends JSON only: configurations of the XML models, Salesforce and eOriginal
are refused. It publishes in the background; eSignature Admin, Bulk Actions
Log, shows the progress.

The request is never repeated once it may have reached DocuSign: if the
answer is lost, check the Bulk Actions Log before running it again.

Exit codes: 0 submitted, 1 refused, failed or a usage error.`,
		Flags: append(apiFlags(), formatFlag("text", "json", "markdown"),
			&cli.StringFlag{Name: flagName, Usage: "the configuration to publish through (this or --connect-id is required)"},
			connectIDFlag(),
			&cli.StringSliceFlag{Name: flagEnvelope, Usage: "an envelope to republish (required; repeatable, or comma-separated)"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			common.needSecrets = true // the listener's password goes to DocuSign
			return runRepublish(c.Context, republishOptions{commonOptions: common, Target: selectorOf(c), Envelopes: c.StringSlice(flagEnvelope)}, env)
		},
	}
}

func runRepublish(ctx context.Context, o republishOptions, env Env) error {
	s, err := openSession(ctx, o.commonOptions, env) // the files first, as for retry
	if err != nil {
		return err
	}
	defer s.Close()
	if !o.Target.given() || len(o.Envelopes) == 0 {
		return usageError("name the configuration and the envelopes: connectsync republish --account ALIAS --name CONFIG (or --connect-id ID) --envelope ID [--envelope ID …]")
	}
	ids, err := envelopeIDs(o.Envelopes)
	if err != nil {
		return err
	}
	a, err := oneAccount(s, "republish")
	if err != nil {
		return err
	}
	list, err := s.api.ListConfigurations(ctx, a.AccountID)
	if err != nil {
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	cfg, err := republishConfiguration(a, o.Target, list)
	if err != nil {
		return err
	}
	if d, ok := fileEntry(s.desired.ForAccount(a.Alias), list, cfg); ok {
		cfg.Password = d.String("password")
	}
	if cfg.UserName != "" && cfg.Password == "" {
		fmt.Fprintf(env.Stderr, "warning: %q authenticates to its listener as %q, but DocuSign never returns the password and the files do not give it: the republished posts carry no password\n", cfg.Name, cfg.UserName)
	}
	tx, err := s.api.RepublishHistorical(ctx, a.AccountID, cfg, ids)
	if err != nil {
		if docusign.IsOutcomeUnknown(err) {
			return fmt.Errorf("account %s: %w; the batch may have started: check eSignature Admin, Bulk Actions Log, before running republish again", a.Alias, err)
		}
		return fmt.Errorf("account %s: %w", a.Alias, err)
	}
	rep := delivery.BuildRepublish(a.Alias, a.AccountID, delivery.Config{ConnectID: cfg.ConnectID, Name: cfg.Name, URL: cfg.URLToPublishTo}, ids, tx, toolName())
	return show(o.commonOptions, env, rep, func(w io.Writer, ro render.Options) { render.RepublishText(w, rep, ro) },
		func(w io.Writer) error { return render.RepublishMarkdown(w, rep) })
}

// republishConfiguration finds the one live configuration of that name and
// checks DocuSign can republish through it (JSON, custom types).
func republishConfiguration(a config.Account, sel configSelector, list []docusign.Configuration) (docusign.Configuration, error) {
	cfg, err := sel.find(a.Alias, list)
	if err != nil {
		return cfg, err
	}
	name := cfg.Name
	switch {
	case cfg.ConfigurationType != "custom" && cfg.ConfigurationType != "customrecipient":
		return cfg, usageError(fmt.Sprintf("%q is a %s configuration: DocuSign's historical republish supports custom and customrecipient ones only", name, cfg.ConfigurationType))
	case cfg.EventData == nil || cfg.EventData.Version != "restv2.1" || strings.EqualFold(cfg.EventData.Format, "xml"):
		return cfg, usageError(fmt.Sprintf("%q uses an XML data model: DocuSign's historical republish sends JSON only (eventData.version restv2.1); for failed posts use connectsync retry", name))
	}
	return cfg, nil
}

// --- router -------------------------------------------------------------------

func (r router) ListFailures(ctx context.Context, accountID string, from, to time.Time) ([]docusign.LogEntry, error) {
	c, err := r.client(accountID)
	if err != nil {
		return nil, err
	}
	return c.ListFailures(ctx, accountID, from, to)
}

func (r router) ListLogs(ctx context.Context, accountID string, from, to time.Time) ([]docusign.LogEntry, error) {
	c, err := r.client(accountID)
	if err != nil {
		return nil, err
	}
	return c.ListLogs(ctx, accountID, from, to)
}

func (r router) GetLog(ctx context.Context, accountID, logID string, additionalInfo bool) (docusign.LogEntry, error) {
	c, err := r.client(accountID)
	if err != nil {
		return docusign.LogEntry{}, err
	}
	return c.GetLog(ctx, accountID, logID, additionalInfo)
}

func (r router) RetryEnvelopes(ctx context.Context, accountID string, envelopeIDs []string) ([]docusign.RetryResult, error) {
	c, err := r.client(accountID)
	if err != nil {
		return nil, err
	}
	return c.RetryEnvelopes(ctx, accountID, envelopeIDs)
}

func (r router) RepublishHistorical(ctx context.Context, accountID string, cfg docusign.Configuration, envelopeIDs []string) (docusign.PublishTransaction, error) {
	c, err := r.client(accountID)
	if err != nil {
		return docusign.PublishTransaction{}, err
	}
	return c.RepublishHistorical(ctx, accountID, cfg, envelopeIDs)
}
