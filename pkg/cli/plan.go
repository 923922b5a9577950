package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/live"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/render"
)

type planOptions struct {
	commonOptions
	Out              string
	DetailedExitcode bool
	Plan             plan.Options
}

const (
	flagOut              = "out"
	flagDetailedExitcode = "detailed-exitcode"
	flagPrune            = "prune"
	flagRotateSecrets    = "rotate-secrets"
	flagName             = "name"
)

// planFlags are the flags that shape a plan (plan and apply).
func planFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: flagPrune, Usage: "plan to delete live configurations the files do not declare (never Salesforce or integrator-managed ones)"},
		&cli.BoolFlag{Name: flagRotateSecrets, Usage: "update every configuration with a write-only secret (password…), to push a rotated value"},
		&cli.StringSliceFlag{Name: flagName, Usage: "only the configuration of this name (repeatable): a partial plan that compares, lists and prunes nothing else"},
	}
}

func readPlanOptions(c *cli.Context) plan.Options {
	return plan.Options{Prune: c.Bool(flagPrune), RotateSecrets: c.Bool(flagRotateSecrets), Names: c.StringSlice(flagName)}
}

// checkNames refuses a --name that no selected account declares.
func checkNames(s *session, names []string) error {
	declared := map[string]bool{}
	var all []string
	byAccount := s.desired.ByAccount()
	for _, a := range s.accounts {
		for _, c := range byAccount[a.Alias] {
			if !declared[c.Name] {
				all = append(all, c.Name)
			}
			declared[c.Name] = true
		}
	}
	for _, n := range names {
		if declared[n] {
			continue
		}
		msg := fmt.Sprintf("--name %q: the files declare no configuration of that name for the selected accounts", n)
		if s := suggest(n, all); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return usageError(msg)
	}
	return nil
}

func planCommand(env Env) *cli.Command {
	flags := append(apiFlags(), formatFlag("text", "json", "markdown"),
		&cli.StringFlag{Name: flagOut, TakesFile: true, Usage: "also save the plan to this file, for apply --plan (no secrets in it)"},
		&cli.BoolFlag{Name: flagDetailedExitcode, Usage: "exit 2 when there are changes (0: none, 1: error)"})
	return &cli.Command{
		Name:      "plan",
		Usage:     "show what apply would change in each account, field by field",
		ArgsUsage: "[FILE|DIR...]",
		Description: `Reads the live configurations (one list call per account) and compares them
with the files. Nothing is changed. Only the fields the files set are
managed; live configurations the files do not declare are reported as
unmanaged, other types (Salesforce, …) and integrator-managed ones as ignored.
Secrets' environment variables are not needed (only apply sends them).

In GitHub Actions the plan is also appended to $GITHUB_STEP_SUMMARY.`,
		Flags: append(flags, planFlags()...),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runPlan(c.Context, planOptions{
				commonOptions:    common,
				Out:              c.String(flagOut),
				DetailedExitcode: c.Bool(flagDetailedExitcode),
				Plan:             readPlanOptions(c),
			}, env)
		},
	}
}

// planned is a computed plan with what it was computed from.
type planned struct {
	plan *plan.Plan
	doc  plan.Document
	// states are the live states read, by alias; failed ones carry Err.
	states map[string]live.State
	failed []error
}

// computePlan reads the selected accounts and computes their plan. Accounts
// that cannot be read are left out of the plan and listed in failed. Each
// account is planned as soon as it is read, and of its live state only
// what apply needs is kept (the configurations it updates, and the ids of
// all): a plan of many accounts holds one account's answers per call in
// flight, not all of them.
func computePlan(ctx context.Context, s *session, o commonOptions, opts plan.Options) planned {
	desired := s.desired.ByAccount()
	accounts := make([]plan.Account, len(s.accounts))
	states := make([]live.State, len(s.accounts))
	live.Each(ctx, s.api, s.accounts, o.Concurrency, func(i int, st live.State) {
		if st.Err == nil {
			accounts[i] = plan.ComputeAccount(plan.AccountInput{Account: st.Account, Desired: desired[st.Account.Alias], Live: st.Connects}, opts)
			keepForApply(accounts[i], &st)
		}
		st.Connects = nil
		states[i] = st
	})
	out := planned{states: map[string]live.State{}, plan: &plan.Plan{Accounts: []plan.Account{}, Names: opts.Names}}
	// An account that could not be read stays in the plan, in file order,
	// with the reason, so every format (and apply) shows it.
	for i, st := range states {
		out.states[st.Account.Alias] = st
		if st.Err != nil {
			out.failed = append(out.failed, st.Err)
			out.plan.Accounts = append(out.plan.Accounts, plan.Account{Alias: st.Account.Alias, AccountID: st.Account.AccountID, Changes: []plan.Change{},
				Unmanaged: []plan.Existing{}, Ignored: []plan.Existing{}, Errors: []string{st.Err.Error()}})
			continue
		}
		out.plan.Accounts = append(out.plan.Accounts, accounts[i])
	}
	out.doc = plan.NewDocument(out.plan, toolName(), s.desired.Files, opts)
	return out
}

// keepForApply keeps of an account's live configurations what apply needs:
// those an update rewrites (its body is built from them), and the ids of
// all (a create whose answer is lost looks for a configuration that was
// not there before).
func keepForApply(a plan.Account, st *live.State) {
	updated := map[string]bool{}
	for _, c := range a.Changes {
		if c.Action == plan.Update {
			updated[c.ConnectID] = true
		}
	}
	var keep []docusign.Configuration
	st.IDs = make([]string, len(st.Wire))
	for i, w := range st.Wire {
		st.IDs[i] = w.ConnectID
		if updated[w.ConnectID] {
			keep = append(keep, w)
		}
	}
	st.Wire = keep
}

func runPlan(ctx context.Context, o planOptions, env Env) error {
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := checkNames(s, o.Plan.Names); err != nil {
		return err
	}
	p := computePlan(ctx, s, o.commonOptions, o.Plan)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writePlan(env, o.Format, p, renderOptions(o.commonOptions, env)); err != nil {
		return err
	}
	if o.Format == "text" {
		p.failed = nil // the plan itself says which accounts failed, and why
	}
	if err := appendStepSummary(env, p.plan); err != nil {
		fmt.Fprintln(env.Stderr, "warning: GITHUB_STEP_SUMMARY:", err)
	}
	if o.Out != "" {
		if err := saveDocument(o.Out, p.doc); err != nil {
			return err
		}
		if o.Format == "text" {
			fmt.Fprintf(env.Stdout, "\nSaved the plan to %s. Apply exactly this plan with:\n  connectsync apply --plan %s%s\n", o.Out, o.Out, filesArgs(o.commonOptions))
		}
	}
	return planExit(p, o.DetailedExitcode, env)
}

// planExit reports accounts that could not be read or planned (exit 1),
// else exit 2 under --detailed-exitcode when there are changes.
func planExit(p planned, detailed bool, env Env) error {
	for _, err := range p.failed {
		fmt.Fprintln(env.Stderr, "error:", errorText(err))
	}
	if len(p.failed) > 0 || p.plan.HasErrors() {
		return errReported
	}
	if detailed && p.plan.HasChanges() {
		return errChanges
	}
	return nil
}

func writePlan(env Env, format string, p planned, ro render.Options) error {
	switch format {
	case "json":
		return render.PlanJSON(env.Stdout, p.doc)
	case "markdown":
		return render.PlanMarkdown(env.Stdout, p.plan)
	}
	render.PlanText(env.Stdout, p.plan, ro)
	return nil
}

// renderOptions turns colour on only for a terminal, never under
// --no-color or NO_COLOR.
func renderOptions(o commonOptions, env Env) render.Options {
	return render.Options{Color: env.StdoutIsTerminal && !o.NoColor}
}

// appendStepSummary adds the markdown plan to the job summary when running
// in GitHub Actions.
func appendStepSummary(env Env, p *plan.Plan) error {
	return appendJobSummary(env, func(w io.Writer) error { return render.PlanMarkdown(w, p) })
}

func saveDocument(path string, doc plan.Document) error {
	var b bytes.Buffer
	if err := render.PlanJSON(&b, doc); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	return nil
}

// filesArgs repeats the -f and --sandbox flags for a suggested command.
func filesArgs(o commonOptions) string {
	var s string
	for _, f := range o.Files {
		s += " -f " + f
	}
	for _, a := range o.Accounts {
		s += " --account " + a
	}
	if o.Sandbox {
		s += " --sandbox"
	}
	return s
}
