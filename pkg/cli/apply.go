package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/apply"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/render"
)

type applyOptions struct {
	commonOptions
	PlanFile        string
	AutoApprove     bool
	AllowMassDelete bool
	Plan            plan.Options
}

const (
	flagPlanFile        = "plan"
	flagAutoApprove     = "auto-approve"
	flagAllowMassDelete = "allow-mass-delete"
)

func applyCommand(env Env) *cli.Command {
	flags := append(apiFlags(), planFlags()...)
	flags = append(flags,
		&cli.StringFlag{Name: flagPlanFile, TakesFile: true, Usage: "apply this saved plan (from plan --out); refused if the accounts or the files changed since"},
		&cli.BoolFlag{Name: flagAutoApprove, Usage: "do not ask for confirmation (required when stdin is not a terminal, e.g. in CI)"},
		&cli.BoolFlag{Name: flagAllowMassDelete, Usage: "allow a plan that deletes all of an account's managed configurations, or more than 30% of at least 4"})
	return &cli.Command{
		Name:  "apply",
		Usage: "make the live configurations match the files",
		Description: `Computes the plan (or loads a saved one), shows it, asks for "yes" (unless
--auto-approve) and carries it out, account by account. Deletes happen only
with --prune or prune: true on the account, or state: absent on a
configuration. A failed apply can always be re-run: it repairs what is left.`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runApply(c.Context, applyOptions{
				commonOptions:   common,
				PlanFile:        c.String(flagPlanFile),
				AutoApprove:     c.Bool(flagAutoApprove),
				AllowMassDelete: c.Bool(flagAllowMassDelete),
				Plan:            plan.Options{Prune: c.Bool(flagPrune), RotateSecrets: c.Bool(flagRotateSecrets)},
			}, env)
		},
	}
}

func runApply(ctx context.Context, o applyOptions, env Env) error {
	var saved *plan.Document
	if o.PlanFile != "" {
		if o.Plan.Prune || o.Plan.RotateSecrets {
			return usageError("--prune and --rotate-secrets belong to the plan: pass them to plan --out, then apply --plan applies what was planned")
		}
		doc, err := readSavedPlan(o.PlanFile)
		if err != nil {
			return err
		}
		saved = &doc
		o.Plan = doc.Options // apply what was planned, with the options it was planned with
	}
	if !o.AutoApprove && !env.StdinIsTerminal {
		return usageError("apply asks for confirmation, but stdin is not a terminal; review the plan and pass --auto-approve (as CI does)")
	}
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	p := computePlan(ctx, s, o.commonOptions, o.Plan)
	if saved != nil {
		if err := checkSaved(*saved, p.doc); err != nil {
			return err
		}
	}
	render.PlanText(env.Stdout, p.plan, renderOptions(o.commonOptions, env))
	p.failed = nil // the plan shows the accounts that could not be read
	if !p.plan.HasChanges() {
		return planExit(p, false, env)
	}
	if !o.AutoApprove {
		ok, err := confirm(env)
		if err != nil || !ok {
			fmt.Fprintln(env.Stdout, "Apply cancelled: nothing was changed.")
			return errReported
		}
	}
	fmt.Fprintln(env.Stdout)
	liveWire := map[string][]docusign.Configuration{}
	for alias, st := range p.states {
		liveWire[alias] = st.Wire
	}
	ro := renderOptions(o.commonOptions, env)
	rep := apply.Run(ctx, s.api, p.plan, apply.Options{
		Concurrency:     o.Concurrency,
		AllowMassDelete: o.AllowMassDelete,
		Live:            liveWire,
		OnResult:        func(r apply.Result) { render.ApplyResult(env.Stdout, r, ro) },
	})
	render.ApplyReport(env.Stdout, rep, ro)
	if err := planExit(p, false, env); err != nil {
		return err
	}
	if rep.Failed() {
		return errReported
	}
	return nil
}

func readSavedPlan(path string) (plan.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return plan.Document{}, fmt.Errorf("read the saved plan: %w", err)
	}
	defer f.Close()
	doc, err := plan.ReadDocument(f)
	if err != nil {
		return doc, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// checkSaved refuses a saved plan that no longer describes what apply would
// do: an account changed since it was planned, or the files did.
func checkSaved(saved, now plan.Document) error {
	fingerprints := map[string]string{}
	for _, a := range now.Accounts {
		fingerprints[a.Alias] = a.Fingerprint
	}
	for _, a := range saved.Accounts {
		fp, ok := fingerprints[a.Alias]
		switch {
		case !ok:
			return usageError(fmt.Sprintf("the saved plan is stale: account %s is in it but was not planned now (check -f and --account); plan again", a.Alias))
		case fp != a.Fingerprint:
			return usageError(fmt.Sprintf("the saved plan is stale: account %s changed since it was planned; plan again and review the new plan", a.Alias))
		}
	}
	if len(saved.Accounts) != len(now.Accounts) || !plan.SameChanges(saved, now) {
		return usageError("the saved plan is stale: the files (or -f/--account) changed since it was planned; plan again and review the new plan")
	}
	return nil
}

// confirm asks for "yes", as terraform does.
func confirm(env Env) (bool, error) {
	fmt.Fprint(env.Stdout, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, err
	}
	return strings.TrimSpace(line) == "yes", nil
}
