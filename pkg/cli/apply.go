package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/apply"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/render"
)

type applyOptions struct {
	commonOptions
	PlanFile        string
	AutoApprove     bool
	AllowMassDelete bool
	LockTimeout     time.Duration
	Plan            plan.Options
}

const (
	flagPlanFile        = "plan"
	flagAutoApprove     = "auto-approve"
	flagAllowMassDelete = "allow-mass-delete"
	flagLockTimeout     = "lock-timeout"
)

func applyCommand(env Env) *cli.Command {
	flags := append(apiFlags(), planFlags()...)
	flags = append(flags, formatFlag("text", "json"),
		&cli.StringFlag{Name: flagPlanFile, TakesFile: true, Usage: "apply this saved plan (from plan --out); refused if the accounts or the files changed since; without -f it reads the files the plan names"},
		&cli.BoolFlag{Name: flagAutoApprove, Usage: "do not ask for confirmation (required when stdin is not a terminal, e.g. in CI)"},
		&cli.BoolFlag{Name: flagAllowMassDelete, Usage: "allow a plan that deletes all of an account's existing configurations, or more than 30% of at least 4"},
		&cli.DurationFlag{Name: flagLockTimeout, Value: 5 * time.Minute, Usage: "how long to wait for another apply on the same account (on this machine) to finish"})
	return &cli.Command{
		Name:      "apply",
		Usage:     "make the live configurations match the files",
		ArgsUsage: "[FILE|DIR...]",
		Description: `Computes the plan (or loads a saved one) and shows it. With nothing to
change it says so and exits 0. Otherwise it asks for "yes" (unless
--auto-approve; without a terminal to ask on it refuses after showing the
plan), reads the accounts again so that a change made while it waited is
never reverted, and carries the plan out, account by account.

Deletes happen only with --prune or prune: true on the account, or state:
absent on a configuration. A failed apply can always be re-run: it repairs
what is left. Only apply needs the secrets' environment variables.

Ctrl-C at the prompt cancels. During the run the first Ctrl-C finishes the
call in flight and stops; a second one exits at once.

Two applies of one account on this machine run one after the other (a lock
per account, kept under $CONNECTSYNC_STATE_DIR, else $XDG_STATE_HOME or
~/.local/state); applies from several machines must be serialised by the
CI (e.g. a GitHub Actions concurrency group). An apply killed while
DocuSign was storing a create leaves a note there, and the next apply waits
for that create to land rather than make it twice. After the run the
accounts it created in are read once more, and configurations sharing a
name are named.

--format json prints a machine-readable report (schema/apply.schema.json)
on stdout instead of the text; the plan then goes to stderr.`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			common.needSecrets = true
			return runApply(c.Context, applyOptions{
				commonOptions:   common,
				PlanFile:        c.String(flagPlanFile),
				AutoApprove:     c.Bool(flagAutoApprove),
				AllowMassDelete: c.Bool(flagAllowMassDelete),
				LockTimeout:     c.Duration(flagLockTimeout),
				Plan:            readPlanOptions(c),
			}, env)
		},
	}
}

func runApply(ctx context.Context, o applyOptions, env Env) error {
	var saved *plan.Document
	if o.PlanFile != "" {
		if o.Plan.Prune || o.Plan.RotateSecrets || len(o.Plan.Names) > 0 {
			return usageError("--prune, --rotate-secrets and --name belong to the plan: pass them to plan --out, then apply --plan applies what was planned")
		}
		doc, err := readSavedPlan(o.PlanFile)
		if err != nil {
			return err
		}
		saved = &doc
		o.Plan = doc.Options // apply what was planned, with the options it was planned with
		if len(o.Files) == 0 {
			o.Files = doc.Files // the files the plan was computed from
		}
	}
	// The plan is for the person deciding; with --format json stdout holds
	// only the report.
	human := env.Stdout
	if o.Format == "json" {
		human = env.Stderr
	}
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := checkNames(s, o.Plan.Names); err != nil {
		return err
	}
	// Hold every account for the whole apply: a second apply waits and then
	// plans from what this one left, instead of creating everything again.
	held, err := lockAccounts(ctx, env, s.accounts, o.LockTimeout, o.HTTPTimeout)
	if err != nil {
		return err
	}
	defer held.release()
	if err := held.settle(ctx, env, s.accounts, s.api); err != nil {
		return err
	}
	p := computePlan(ctx, s, o.commonOptions, o.Plan)
	if err := ctx.Err(); err != nil {
		return err
	}
	if saved != nil {
		if err := checkSaved(*saved, p.doc); err != nil {
			return err
		}
	}
	ro := renderOptions(o.commonOptions, env)
	render.PlanText(human, p.plan, ro)
	p.failed = nil // the plan shows the accounts that could not be read
	if !p.plan.HasChanges() {
		if o.Format == "json" {
			if err := render.ApplyJSON(env.Stdout, apply.Report{}, p.plan, toolName()); err != nil {
				return err
			}
		}
		return planExit(p, false, env)
	}
	if !o.AutoApprove {
		if !env.StdinIsTerminal {
			return usageError("apply asks for confirmation, but stdin is not a terminal: review the plan above and pass --auto-approve (as CI does), or apply a reviewed plan with plan --out FILE, then apply --plan FILE --auto-approve")
		}
		ok, err := confirm(ctx, env, human)
		if err != nil || !ok {
			fmt.Fprintln(human, "\nApply cancelled: nothing was changed.")
			return errReported
		}
		// The answer may have taken minutes: read the accounts again, so
		// that a change made meanwhile (a console edit, another apply) is
		// never reverted or duplicated by acting on the old state.
		fresh := computePlan(ctx, s, o.commonOptions, o.Plan)
		if err := ctx.Err(); err != nil {
			fmt.Fprintln(human, "\nApply cancelled: nothing was changed.")
			return errReported
		}
		if err := sameLiveState(p.doc, fresh.doc); err != nil {
			return err
		}
		p = fresh
	}
	fmt.Fprintln(human)
	liveWire := map[string][]docusign.Configuration{}
	for alias, st := range p.states {
		liveWire[alias] = st.Wire
	}
	rep := apply.Run(ctx, s.api, p.plan, apply.Options{
		Concurrency:     o.Concurrency,
		AllowMassDelete: o.AllowMassDelete,
		Live:            liveWire,
		OnResult:        func(r apply.Result) { render.ApplyResult(human, r, ro) },
		BeforeCreate:    held.creating,
		AfterCreate:     held.created,
	})
	render.ApplyReport(human, rep, ro)
	reportTwins(ctx, env, s, rep)
	if o.Format == "json" {
		if err := render.ApplyJSON(env.Stdout, rep, p.plan, toolName()); err != nil {
			return err
		}
	}
	if err := planExit(p, false, env); err != nil {
		return err
	}
	if rep.Failed() {
		return errReported
	}
	return nil
}

// reportTwins reads once more each account where apply created something
// and names the configurations that share a name there, with what to do:
// two of one name stop every later plan of that name until one is pinned.
func reportTwins(ctx context.Context, env Env, s *session, rep apply.Report) {
	for _, a := range rep.Accounts {
		if !slices.ContainsFunc(a.Results, func(r apply.Result) bool { return r.Action == plan.Create && r.Status == apply.Done }) {
			continue
		}
		acct, ok := s.account(a.Alias)
		if !ok {
			continue
		}
		list, err := s.api.ListConfigurations(ctx, acct.AccountID)
		if err != nil {
			fmt.Fprintf(env.Stderr, "warning: account %s: could not read it again to look for configurations sharing a name: %s\n", a.Alias, firstLine(err))
			continue
		}
		ids := map[string][]string{}
		var names []string
		for _, w := range list {
			if !config.FromWire(a.Alias, w).Managed() {
				continue
			}
			if len(ids[w.Name]) == 0 {
				names = append(names, w.Name)
			}
			ids[w.Name] = append(ids[w.Name], w.ConnectID)
		}
		for _, n := range names {
			if len(ids[n]) > 1 {
				fmt.Fprintf(env.Stderr, "warning: account %s holds %d configurations named %q (connectId %s): keep one by pinning it in the file with connectId: %q, and delete the others in DocuSign or with an entry of their connectId and state: absent\n",
					a.Alias, len(ids[n]), n, strings.Join(ids[n], ", "), ids[n][0])
			}
		}
	}
}

// sameLiveState refuses to go on when an account changed between the plan
// that was shown and the state read after the confirmation.
func sameLiveState(shown, now plan.Document) error {
	fingerprints := map[string]string{}
	for _, a := range now.Accounts {
		fingerprints[a.Alias] = a.Fingerprint
	}
	var changed []string
	for _, a := range shown.Accounts {
		if fingerprints[a.Alias] != a.Fingerprint {
			changed = append(changed, a.Alias)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return usageError(fmt.Sprintf("account %s changed while apply waited for confirmation (a console edit, or another apply?); nothing was written: run apply again to see the new plan",
		strings.Join(changed, ", ")))
}

// confirm asks for "yes", as terraform does. Ctrl-C (ctx done) cancels at
// once, even while the line is being typed.
func confirm(ctx context.Context, env Env, w io.Writer) (bool, error) {
	fmt.Fprint(w, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(w)
		return false, ctx.Err()
	case line := <-answer:
		return strings.TrimSpace(line) == "yes", nil
	}
}
