package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/connectsync/connectsync/pkg/plan"
)

// PlanText writes a plan the way terraform does: one block per account,
// "+ create", "~ update" (field: old → new), "- delete", then the
// configurations left alone, then a summary line.
func PlanText(w io.Writer, p *plan.Plan, o Options) {
	if note := partialNote(p); note != "" {
		fmt.Fprintf(w, "%s %s\n\n", o.paint(ansiYellow, "note:"), Terminal(note))
	}
	for _, a := range p.Accounts {
		accountText(w, a, o)
	}
	fmt.Fprintln(w, summaryLine(p.Summary()))
}

func accountText(w io.Writer, a plan.Account, o Options) {
	s := a.Summary()
	fmt.Fprintf(w, "%s %s (%s): %s\n", o.paint(ansiBold, "Account"), o.paint(ansiBold, Terminal(a.Alias)), Terminal(a.AccountID), accountCounts(s))
	for _, e := range a.Errors {
		fmt.Fprintf(w, "  %s %s\n", o.paint(ansiRed, "error:"), Terminal(e))
	}
	if a.MassDelete != "" {
		fmt.Fprintf(w, "  %s this plan %s; apply refuses it without --allow-mass-delete\n", o.paint(ansiRed, "warning:"), Terminal(a.MassDelete))
	}
	for _, c := range a.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		fmt.Fprintln(w)
		changeText(w, c, o)
	}
	for _, c := range a.Changes {
		if c.Action == plan.NoOp && len(c.Fields) > 0 {
			fmt.Fprintf(w, "\n  %s %s: %s\n", o.paint(ansiDim, "note:"), Terminal(c.Name), Terminal(writeOnlyNote(c)))
		}
	}
	if len(a.Unmanaged)+len(a.Ignored)+len(a.Ambiguous)+len(a.Unexpressible) > 0 {
		fmt.Fprintln(w)
	}
	for _, x := range a.Ambiguous {
		fmt.Fprintf(w, "  %s %s (connectId %s): %s; left alone (never pruned)\n", o.paint(ansiYellow, "ambiguous"), Terminal(x.Name), Terminal(x.ConnectID), Terminal(x.Reason))
	}
	for _, x := range a.Unexpressible {
		fmt.Fprintf(w, "  %s %s (connectId %s): the file format cannot express it (%s); left alone (never pruned)\n", o.paint(ansiYellow, "inexpressible"), Terminal(x.Name), Terminal(x.ConnectID), Terminal(x.Reason))
	}
	for _, u := range a.Unmanaged {
		fmt.Fprintf(w, "  %s %s (connectId %s): not in the files; left alone (--prune deletes it)\n", o.paint(ansiDim, "unmanaged"), Terminal(u.Name), Terminal(u.ConnectID))
	}
	for _, i := range a.Ignored {
		fmt.Fprintf(w, "  %s %s (connectId %s): %s\n", o.paint(ansiDim, "ignored  "), Terminal(i.Name), Terminal(i.ConnectID), Terminal(i.Reason))
	}
	fmt.Fprintln(w)
}

func changeText(w io.Writer, c plan.Change, o Options) {
	head := changeHead(c, o)
	if c.Reason != "" {
		head += " [" + Terminal(c.Reason) + "]"
	}
	fmt.Fprintln(w, "  "+head)
	width := 0
	for _, f := range c.Fields {
		if f.Field != "name" || c.RenamedFrom == "" {
			width = max(width, len(f.Field))
		}
	}
	for _, f := range c.Fields {
		if f.Field == "name" && c.RenamedFrom != "" {
			continue // the heading says it
		}
		fmt.Fprintf(w, "      %-*s  %s\n", width+1, Terminal(f.Field)+":", fieldLine(c, f))
		if f.Note != "" {
			fmt.Fprintf(w, "      %-*s  %s\n", width+1, "", o.paint(ansiDim, "("+Terminal(f.Note)+")"))
		}
		if !f.Sensitive && !f.WriteOnly {
			if d := longStringDiff(f.Before, f.After, o); d != "" {
				fmt.Fprintf(w, "      %-*s  %s\n", width+1, "", d)
			}
		}
	}
}

func accountCounts(s plan.Summary) string {
	if s.Create+s.Update+s.Delete == 0 {
		if s.Errors > 0 {
			return "cannot plan"
		}
		return "no changes"
	}
	var parts []string
	for _, x := range []struct {
		n    int
		verb string
	}{{s.Create, "create"}, {s.Update, "update"}, {s.Delete, "delete"}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", x.n, x.verb))
		}
	}
	return strings.Join(parts, ", ")
}

// changeHead is a change's first line: "~ update NAME (connectId N)",
// "~ rename OLD → NEW", "+ create NAME", "- delete NAME".
func changeHead(c plan.Change, o Options) string {
	var head string
	name := Terminal(c.Name)
	switch c.Action {
	case plan.Create:
		head = o.paint(ansiGreen, "+ create") + " " + name
	case plan.Update:
		head = o.paint(ansiYellow, "~ update") + " " + name
		if c.RenamedFrom != "" {
			head = o.paint(ansiYellow, "~ rename") + " " + Terminal(c.RenamedFrom) + " → " + name
		}
	case plan.Delete:
		head = o.paint(ansiRed, "- delete") + " " + name
	}
	if c.ConnectID != "" {
		head += fmt.Sprintf(" (connectId %s)", Terminal(c.ConnectID))
	}
	return head
}

// summaryLine is the plan's last line.
func summaryLine(s plan.Summary) string {
	var line string
	switch {
	case s.Create+s.Update+s.Delete == 0 && s.Errors > 0:
		line = "No changes in the accounts that could be planned."
	case s.Create+s.Update+s.Delete == 0:
		line = "No changes: the live configurations match the files."
	default:
		line = fmt.Sprintf("Plan: %d to create, %d to update, %d to delete.", s.Create, s.Update, s.Delete)
	}
	var extra []string
	if s.NoOp > 0 {
		extra = append(extra, fmt.Sprintf("%d unchanged", s.NoOp))
	}
	if s.Unmanaged > 0 {
		extra = append(extra, fmt.Sprintf("%d unmanaged", s.Unmanaged))
	}
	if s.Ignored > 0 {
		extra = append(extra, fmt.Sprintf("%d ignored", s.Ignored))
	}
	if s.Ambiguous > 0 {
		extra = append(extra, fmt.Sprintf("%d ambiguous", s.Ambiguous))
	}
	if s.Unexpressible > 0 {
		extra = append(extra, fmt.Sprintf("%d inexpressible", s.Unexpressible))
	}
	if s.Errors > 0 {
		extra = append(extra, plural(s.Errors, "error"))
	}
	if len(extra) > 0 {
		line += " (" + strings.Join(extra, ", ") + ")"
	}
	return line
}

// partialNote says that a plan limited with --name leaves the rest alone.
func partialNote(p *plan.Plan) string {
	if len(p.Names) == 0 {
		return ""
	}
	return fmt.Sprintf("partial plan (--name %s): no other configuration is compared, listed or pruned", strings.Join(p.Names, ", "))
}

// writeOnlyNote explains the write-only fields of an unchanged configuration:
// they cannot be compared, so they were not sent.
func writeOnlyNote(c plan.Change) string {
	names := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		names[i] = f.Field
	}
	return fmt.Sprintf("%s cannot be compared (DocuSign does not return it) and is sent with the next update; --rotate-secrets sends it now",
		strings.Join(names, " and "))
}
