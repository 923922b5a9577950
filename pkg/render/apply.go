package render

import (
	"fmt"
	"io"

	"github.com/connectsync/connectsync/pkg/apply"
	"github.com/connectsync/connectsync/pkg/plan"
)

// ApplyResult writes one line as a change finishes.
func ApplyResult(w io.Writer, r apply.Result, o Options) {
	what := Terminal(r.Name)
	if r.ConnectID != "" {
		what += " (connectId " + Terminal(r.ConnectID) + ")"
	}
	var line string
	switch r.Status {
	case apply.Done:
		past := map[plan.Action]string{plan.Create: "+ created", plan.Update: "~ updated", plan.Delete: "- deleted"}[r.Action]
		color := map[plan.Action]string{plan.Create: ansiGreen, plan.Update: ansiYellow, plan.Delete: ansiRed}[r.Action]
		line = o.paint(color, past) + " " + what
	case apply.Failed:
		line = o.paint(ansiRed, "✗ failed to "+string(r.Action)) + " " + what + ": " + Terminal(r.Err.Error())
	case apply.Skipped:
		line = o.paint(ansiDim, "  skipped "+string(r.Action)) + " " + what
	}
	if r.Note != "" {
		line += " (" + Terminal(r.Note) + ")"
	}
	fmt.Fprintf(w, "%s: %s\n", Terminal(r.Account), line)
}

// ApplyReport writes what apply did in the end, and what was not done.
func ApplyReport(w io.Writer, rep apply.Report, o Options) {
	var created, updated, deleted, failed, skipped int
	for _, a := range rep.Accounts {
		for _, r := range a.Results {
			switch {
			case r.Status == apply.Failed:
				failed++
			case r.Status == apply.Skipped:
				skipped++
			case r.Action == plan.Create:
				created++
			case r.Action == plan.Update:
				updated++
			case r.Action == plan.Delete:
				deleted++
			}
		}
	}
	done := fmt.Sprintf("%d created, %d updated, %d deleted", created, updated, deleted)
	if !rep.Failed() {
		fmt.Fprintf(w, "\n%s %s.\n", o.paint(ansiGreen, "Apply complete:"), done)
		return
	}
	fmt.Fprintf(w, "\n%s\n", o.paint(ansiRed, "Apply finished with errors:"))
	for _, a := range rep.Accounts {
		if a.Err != nil {
			fmt.Fprintf(w, "  %s: %s\n", Terminal(a.Alias), Terminal(a.Err.Error()))
		}
		for _, r := range a.Results {
			if r.Status == apply.Failed {
				fmt.Fprintf(w, "  %s: %s\n", Terminal(a.Alias), Terminal(r.Err.Error()))
			}
		}
	}
	fmt.Fprintf(w, "Done: %s; %d failed, %d skipped. Fix the cause and run apply again: it picks up what is left.\n", done, failed, skipped)
}
