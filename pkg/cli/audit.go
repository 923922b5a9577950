package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/audit"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/listener"
	"github.com/connectsync/connectsync/pkg/render"
)

type auditOptions struct {
	commonOptions
	exitOptions
	Users bool
	All   bool
	Shard *audit.Shard
	// Since is the failure-log window (--since); NoDelivery skips it.
	Since      string
	NoDelivery bool
	sinceSet   bool
	// CheckTLS makes a TLS handshake with each managed https listener.
	CheckTLS bool
}

// exitOptions decide audit's exit code (audit and audit merge).
type exitOptions struct {
	DetailedExitcode bool
	// FailOn is the lowest severity whose findings count as drift under
	// --detailed-exitcode: high, medium, low, info, or none.
	FailOn string
}

const (
	flagFailOn   = "fail-on"
	flagUsers    = "users"
	flagCheckTLS = "check-tls"
)

func exitFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: flagDetailedExitcode, Usage: "exit 2 when there is drift or a finding at or above --fail-on (0: none, 1: error)"},
		choiceFlag(flagFailOn, "with --detailed-exitcode, the lowest finding severity that exits 2 (none: drift only)",
			config.SevHigh, config.SevMedium, config.SevLow, config.SevInfo, "none"),
	}
}

func readExitOptions(c *cli.Context) exitOptions {
	return exitOptions{DetailedExitcode: c.Bool(flagDetailedExitcode), FailOn: c.String(flagFailOn)}
}

func auditCommand(env Env) *cli.Command {
	flags := append(append(apiFlags(), allAccountsFlags()...), formatFlag("text", "json", "markdown"),
		&cli.BoolFlag{Name: flagUsers, Usage: "count the users each configuration covers (reads every page of users: one more call per configuration and page)"},
		&cli.StringFlag{Name: flagShard, Usage: "audit only shard I of N (e.g. 2/4), for a CI matrix; combine the JSON reports with audit merge"},
		sinceFlag("delivery failures"),
		&cli.BoolFlag{Name: flagNoDelivery, Usage: "do not read the failure log (one call per account less; no delivery-failures findings)"},
		&cli.BoolFlag{Name: flagCheckTLS, Usage: "make a TLS handshake (no request) with each managed https listener: tlsExpiring (within 30 days), tlsInvalid, tlsUnreachable findings"})
	return &cli.Command{
		Name:  "audit",
		Usage: "report drift, risky settings and coverage over many accounts",
		Description: `For every selected account, at most --concurrency at a time: the drift
against the files (what plan would change), the configurations left alone
(unmanaged: not in the files; ignored: Salesforce, integrator-managed, …),
the disabled ones, and the policy findings on every live custom and
customrecipient configuration, each with a severity and a fix. The rules
are the files' policy: block, or the defaults (HTTPS, HMAC, logging,
enabled; XML SIM forbidden). One account's failure is reported and the
others are still audited.

Delivery health: the failure log within --since (default 7d) gives each
configuration's failed deliveries (count, last error, last failure); each
configuration with failures is a delivery-failures finding of severity high
with the fix (connectsync failures, fix the listener, connectsync retry).
An account whose failure log cannot be read gets a note; --no-delivery
skips the call.

Listeners: an account with a configuration whose includeHMAC is on but no
HMAC key gets a noHmacKey finding (high; one more call per such account,
and a note when the keys cannot be read). --check-tls makes a TLS handshake,
sending nothing, with the https listener of each configuration the files
declare: a certificate expiring within 30 days is tlsExpiring (medium), one
that does not verify tlsInvalid (high), a listener that cannot be reached
from here tlsUnreachable (low).

Reading costs one list call and one failure-log call per account; --users
adds the users pages of every configuration. A progress bar shows on a
terminal for long runs.

CI: split the accounts with --shard I/N (an account's shard is a hash of
its id, so shards never overlap), write --format json, and combine the
reports with audit merge. In GitHub Actions the markdown report is also
appended to $GITHUB_STEP_SUMMARY.

Exit codes: 0 done, 1 an account could not be audited, and with
--detailed-exitcode 2 when there is drift or a finding at or above
--fail-on (default high).`,
		Flags: append(flags, exitFlags()...),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			o := auditOptions{commonOptions: common, exitOptions: readExitOptions(c), Users: c.Bool(flagUsers), All: c.Bool(flagAllAccounts),
				Since: c.String(flagSince), NoDelivery: c.Bool(flagNoDelivery), sinceSet: c.IsSet(flagSince), CheckTLS: c.Bool(flagCheckTLS)}
			if c.IsSet(flagShard) {
				sh, err := audit.ParseShard(c.String(flagShard))
				if err != nil {
					return usageError(err.Error())
				}
				o.Shard = &sh
			}
			return runAudit(c.Context, o, env)
		},
		Subcommands: []*cli.Command{auditMergeCommand(env)},
	}
}

func auditMergeCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "combine JSON audit reports (e.g. the shards of a CI matrix) into one",
		ArgsUsage: "FILES...",
		Description: `Reads reports written by audit --format json and prints one report in any
format; with one report, it renders it again (e.g. JSON as markdown).
Refuses reports of another format version, two reports of the same shard,
shards of different splits, and an account in two reports. Missing shards
are named on stderr; the others are still merged.`,
		Flags: append([]cli.Flag{formatFlag("text", "json", "markdown"), noColorFlag()}, exitFlags()...),
		Action: func(c *cli.Context) error {
			if !c.Args().Present() {
				return usageError("name the reports to merge: connectsync audit merge shard-1.json shard-2.json …")
			}
			return runAuditMerge(c.Args().Slice(), c.String(flagFormat), readExitOptions(c), c.Bool(flagNoColor) || env.noColor(), env)
		},
	}
}

func runAudit(ctx context.Context, o auditOptions, env Env) error {
	var deliveryWindow *delivery.Window
	if o.NoDelivery && o.sinceSet {
		return usageError("--since sets the window of the failure log, which --no-delivery skips: drop one of them")
	}
	if !o.NoDelivery {
		w, err := window(o.Since)
		if err != nil {
			return err
		}
		deliveryWindow = &w
	}
	s, err := openAccounts(ctx, o.commonOptions, o.All, env)
	if err != nil {
		return err
	}
	defer s.Close()
	targets := s.targets(o.Shard)
	bar := startProgress(env, len(targets), "accounts")
	opts := audit.Options{
		Tool: toolName(), Files: s.desired.Files, Policy: s.desired.Policy, Coverage: o.Users, Shard: o.Shard,
		Delivery: deliveryWindow, Concurrency: o.Concurrency, Done: bar.Add,
	}
	if o.CheckTLS {
		opts.CheckTLS = func(ctx context.Context, url string) (*listener.Certificate, error) {
			return listener.Handshake(ctx, url, o.HTTPTimeout, nil)
		}
	}
	rep := audit.Run(ctx, s.api, targets, opts)
	bar.Stop()
	return finishAudit(rep, o.Format, o.exitOptions, renderOptions(o.commonOptions, env), env)
}

func runAuditMerge(paths []string, format string, exit exitOptions, noColor bool, env Env) error {
	var named []audit.Named
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("read the report: %w", err)
		}
		rep, err := audit.Decode(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		named = append(named, audit.Named{Name: p, Report: rep})
	}
	rep, err := audit.Merge(named)
	if err != nil {
		return err
	}
	for _, m := range rep.Missing() {
		fmt.Fprintf(env.Stderr, "warning: no report of shard %s: its accounts are not in the merged report\n", m)
	}
	return finishAudit(rep, format, exit, render.Options{Color: env.StdoutIsTerminal && !noColor}, env)
}

// finishAudit writes the report, appends it to the GitHub job summary, and
// picks the exit code.
func finishAudit(rep *audit.Report, format string, exit exitOptions, ro render.Options, env Env) error {
	var err error
	switch format {
	case "json":
		err = render.AuditJSON(env.Stdout, rep)
	case "markdown":
		err = render.AuditMarkdown(env.Stdout, rep)
	default:
		render.AuditText(env.Stdout, rep, ro)
	}
	if err != nil {
		return err
	}
	if err := appendJobSummary(env, func(w io.Writer) error { return render.AuditMarkdown(w, rep) }); err != nil {
		fmt.Fprintln(env.Stderr, "warning: GITHUB_STEP_SUMMARY:", err)
	}
	for _, a := range rep.Accounts {
		if a.Error != "" {
			fmt.Fprintln(env.Stderr, "error:", render.Terminal(a.Error))
		}
	}
	switch {
	case rep.HasErrors():
		return errReported
	case exit.DetailedExitcode && (rep.HasDrift() || exit.FailOn != "none" && rep.Summary.Findings.AtLeast(exit.FailOn) > 0):
		return errChanges
	}
	return nil
}

// appendJobSummary appends markdown to $GITHUB_STEP_SUMMARY when running in
// GitHub Actions.
func appendJobSummary(env Env, write func(io.Writer) error) error {
	path := env.Getenv("GITHUB_STEP_SUMMARY")
	if env.Getenv("GITHUB_ACTIONS") != "true" || path == "" {
		return nil
	}
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
