package cli

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/plan"
	"github.com/connectsync/connectsync/pkg/render"
)

func showCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "render a saved plan (from plan --out) as text, markdown or JSON",
		ArgsUsage: "PLANFILE",
		Description: `Reads a plan written by plan --out (or plan --format json) and prints it,
without calling DocuSign: e.g. to post a reviewed plan as markdown. A plan
edited after it was written, or a file that is not a plan, is refused.`,
		Flags: []cli.Flag{formatFlag("text", "markdown", "json"), noColorFlag()},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError(fmt.Sprintf("show takes one plan file (got %d arguments): connectsync show plan.json", c.NArg()))
			}
			doc, err := readSavedPlan(c.Args().First())
			if err != nil {
				return err
			}
			p := doc.Plan()
			switch c.String(flagFormat) {
			case "json":
				return render.PlanJSON(env.Stdout, doc)
			case "markdown":
				return render.PlanMarkdown(env.Stdout, p)
			}
			render.PlanText(env.Stdout, p, render.Options{Color: env.StdoutIsTerminal && !c.Bool(flagNoColor) && !env.noColor()})
			return nil
		},
	}
}

// readSavedPlan reads and checks a saved plan file.
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
			return usageError(fmt.Sprintf("the saved plan is stale: account %s (or its account id) changed since it was planned; plan again and review the new plan", a.Alias))
		}
	}
	if len(saved.Accounts) != len(now.Accounts) || !plan.SameChanges(saved, now) {
		return usageError("the saved plan is stale: the files (or -f/--account) changed since it was planned; plan again and review the new plan")
	}
	return nil
}
