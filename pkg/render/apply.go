package render

import (
	"fmt"
	"io"
	"strings"

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
	if rep.Interrupted && failed == 0 {
		fmt.Fprintf(w, "\n%s %s; %d not started. Run apply again to finish: it picks up what is left.\n", o.paint(ansiYellow, "Apply interrupted:"), done, skipped)
		return
	}
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

// ApplyFormatVersion is the version of `apply --format json`; its JSON
// Schema is schema/apply.schema.json.
const ApplyFormatVersion = "1"

// ApplyDocument is apply's JSON report: per account of the plan, what was
// done to each change.
type ApplyDocument struct {
	FormatVersion string            `json:"format_version"`
	Tool          string            `json:"tool"`
	Summary       ApplySummary      `json:"summary"`
	Accounts      []ApplyAccountDoc `json:"accounts"`
}

// ApplySummary counts the results of an apply.
type ApplySummary struct {
	Created     int  `json:"created"`
	Updated     int  `json:"updated"`
	Deleted     int  `json:"deleted"`
	Failed      int  `json:"failed"`
	Skipped     int  `json:"skipped"`
	Interrupted bool `json:"interrupted"`
}

// ApplyAccountDoc is one account in apply's JSON report.
type ApplyAccountDoc struct {
	Alias     string `json:"alias"`
	AccountID string `json:"account_id"`
	// Error is why nothing was done in the account: it could not be read
	// or planned, or apply refused its plan.
	Error   string           `json:"error,omitempty"`
	Results []ApplyResultDoc `json:"results"`
}

// ApplyResultDoc is what became of one change.
type ApplyResultDoc struct {
	Action    string `json:"action"`
	Name      string `json:"name"`
	ConnectID string `json:"connect_id,omitempty"`
	Status    string `json:"status"`
	Note      string `json:"note,omitempty"`
	Error     string `json:"error,omitempty"`
}

// ApplyJSON writes apply's JSON report for the plan p and what rep did.
func ApplyJSON(w io.Writer, rep apply.Report, p *plan.Plan, tool string) error {
	doc := ApplyDocument{FormatVersion: ApplyFormatVersion, Tool: tool, Accounts: []ApplyAccountDoc{}}
	doc.Summary.Interrupted = rep.Interrupted
	byAlias := map[string]apply.AccountReport{}
	for _, a := range rep.Accounts {
		byAlias[a.Alias] = a
	}
	for _, pa := range p.Accounts {
		ad := ApplyAccountDoc{Alias: pa.Alias, AccountID: pa.AccountID, Results: []ApplyResultDoc{}}
		if len(pa.Errors) > 0 {
			ad.Error = strings.Join(pa.Errors, "; ")
		}
		ar := byAlias[pa.Alias]
		if ar.Err != nil {
			ad.Error = ar.Err.Error()
		}
		for _, r := range ar.Results {
			rd := ApplyResultDoc{Action: string(r.Action), Name: r.Name, ConnectID: r.ConnectID, Status: string(r.Status), Note: r.Note}
			if r.Err != nil {
				rd.Error = r.Err.Error()
			}
			switch {
			case r.Status == apply.Failed:
				doc.Summary.Failed++
			case r.Status == apply.Skipped:
				doc.Summary.Skipped++
			case r.Action == plan.Create:
				doc.Summary.Created++
			case r.Action == plan.Update:
				doc.Summary.Updated++
			case r.Action == plan.Delete:
				doc.Summary.Deleted++
			}
			ad.Results = append(ad.Results, rd)
		}
		doc.Accounts = append(doc.Accounts, ad)
	}
	return encodeJSON(w, doc, false)
}
