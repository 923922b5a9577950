package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/connectsync/connectsync/pkg/audit"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/jsonout"
	"github.com/connectsync/connectsync/pkg/plan"
)

// AuditJSON writes the report as JSON (schema/audit.schema.json).
func AuditJSON(w io.Writer, r *audit.Report) error {
	ew := &runeEscaper{w: w}
	if err := jsonout.Indented(ew, r); err != nil {
		return err
	}
	return ew.flush()
}

// AuditText writes the report for people: a table of every account, then a
// block per account that has something to say (an error, drift, findings,
// configurations left alone or disabled, or coverage) with a table of its
// configurations, the changes a plan would make and each finding with its
// fix, then a summary line.
func AuditText(w io.Writer, r *audit.Report, o Options) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// Colour only in the last column: escape codes would upset the alignment.
	fmt.Fprintln(tw, "ACCOUNT\tDRIFT\tUNMANAGED\tIGNORED\tDISABLED\tFINDINGS")
	for _, a := range r.Accounts {
		if a.Error != "" {
			fmt.Fprintf(tw, "%s\terror\t-\t-\t-\t%s\n", Terminal(a.Alias), o.paint(ansiRed, "not audited"))
			continue
		}
		n := accountNumbers(a)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", Terminal(a.Alias), driftCounts(a), n.unmanaged, n.ignored, n.disabled, findingCounts(a.Findings(), o))
	}
	tw.Flush()
	for _, a := range r.Accounts {
		if accountQuiet(a, r.Coverage) {
			continue
		}
		fmt.Fprintln(w)
		auditAccountText(w, a, r.Coverage, o)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, auditSummaryLine(r))
}

func auditAccountText(w io.Writer, a audit.Account, coverage bool, o Options) {
	fmt.Fprintf(w, "%s (%s)%s\n", o.paint(ansiBold, Terminal(a.Alias)), Terminal(a.AccountID), map[bool]string{false: ", not in the files"}[a.InFiles])
	if a.Error != "" {
		fmt.Fprintf(w, "  %s %s\n", o.paint(ansiRed, "error:"), Terminal(a.Error))
		return
	}
	for _, e := range a.PlanErrors {
		fmt.Fprintf(w, "  %s %s\n", o.paint(ansiRed, "cannot plan:"), Terminal(e))
	}
	if a.DeliveryError != "" {
		fmt.Fprintf(w, "  %s delivery health unknown: %s\n", o.paint(ansiYellow, "note:"), Terminal(a.DeliveryError))
	}
	if a.HMACError != "" {
		fmt.Fprintf(w, "  %s HMAC keys unknown (noHmacKey not checked): %s\n", o.paint(ansiYellow, "note:"), Terminal(a.HMACError))
	}
	if len(a.Configurations) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := "  CONFIGURATION\tCONNECTID\tSTATUS\tDRIFT\tENABLED"
		if coverage {
			head += "\tUSERS"
		}
		fmt.Fprintln(tw, head+"\tFINDINGS")
		for _, c := range a.Configurations {
			row := fmt.Sprintf("  %s\t%s\t%s\t%s\t%s", Terminal(c.Name), Terminal(c.ConnectID), Terminal(c.Status), Terminal(dash(c.Drift)), yesNo(c.Disabled == ""))
			if coverage {
				row += "\t" + usersCell(c)
			}
			fmt.Fprintln(tw, row+"\t"+findingCounts(c.Severities(), o))
		}
		tw.Flush()
	}
	var notes []string
	for _, ch := range a.Drift.Changes {
		notes = append(notes, changeSummary(ch, o))
	}
	for _, c := range a.Configurations {
		if c.Disabled != "" {
			notes = append(notes, fmt.Sprintf("%s %s (connectId %s): %s", o.paint(ansiDim, "disabled "), Terminal(c.Name), Terminal(c.ConnectID), Terminal(c.Disabled)))
		}
		if c.UsersError != "" {
			notes = append(notes, fmt.Sprintf("%s %s (connectId %s): users not listed: %s", o.paint(ansiRed, "error:"), Terminal(c.Name), Terminal(c.ConnectID), Terminal(c.UsersError)))
		}
	}
	for _, c := range a.Configurations {
		for _, f := range c.Findings {
			notes = append(notes, fmt.Sprintf("%s %s (connectId %s): %s: %s", severityLabel(f.Severity, o), Terminal(c.Name), Terminal(c.ConnectID), Terminal(f.Rule), Terminal(f.Message)),
				"         fix: "+Terminal(f.Fix))
		}
	}
	if len(notes) > 0 && len(a.Configurations) > 0 {
		fmt.Fprintln(w)
	}
	for _, n := range notes {
		fmt.Fprintln(w, "  "+n)
	}
}

// changeSummary is one line of drift: "~ update NAME (connectId N): fields".
func changeSummary(ch audit.Change, o Options) string {
	head := changeHead(plan.Change{Action: plan.Action(ch.Action), Name: ch.Name, ConnectID: ch.ConnectID, RenamedFrom: ch.RenamedFrom}, o)
	if len(ch.Fields) > 0 && plan.Action(ch.Action) == plan.Update {
		head += ": " + Terminal(strings.Join(ch.Fields, ", "))
	}
	return head
}

func severityLabel(sev string, o Options) string {
	label := fmt.Sprintf("%-8s", sev)
	switch sev {
	case config.SevHigh:
		return o.paint(ansiRed, label)
	case config.SevMedium:
		return o.paint(ansiYellow, label)
	}
	return label
}

type counts struct{ unmanaged, ignored, disabled int }

func accountNumbers(a audit.Account) counts {
	var n counts
	for _, c := range a.Configurations {
		switch c.Status {
		case audit.StatusUnmanaged:
			n.unmanaged++
		case audit.StatusIgnored:
			n.ignored++
		}
		if c.Disabled != "" {
			n.disabled++
		}
	}
	return n
}

// accountQuiet reports whether an account needs no block of its own: read,
// no drift, no findings, nothing left alone or disabled, no coverage asked.
func accountQuiet(a audit.Account, coverage bool) bool {
	n := accountNumbers(a)
	return a.Error == "" && !a.Drifted() && a.Findings().Total() == 0 && n == counts{} && !coverage && a.DeliveryError == "" && a.HMACError == ""
}

func driftCounts(a audit.Account) string {
	if len(a.PlanErrors) > 0 {
		return "cannot plan"
	}
	if !a.Drift.Any() {
		return "none"
	}
	return accountCounts(plan.Summary{Create: a.Drift.Create, Update: a.Drift.Update, Delete: a.Drift.Delete})
}

// findingCounts is "1 high, 2 low", or "-" for none.
func findingCounts(s audit.Severities, o Options) string {
	var parts []string
	for _, x := range []struct {
		n     int
		sev   string
		color string
	}{{s.High, config.SevHigh, ansiRed}, {s.Medium, config.SevMedium, ansiYellow}, {s.Low, config.SevLow, ""}, {s.Info, config.SevInfo, ""}} {
		if x.n > 0 {
			part := fmt.Sprintf("%d %s", x.n, x.sev)
			if x.color != "" {
				part = o.paint(x.color, part)
			}
			parts = append(parts, part)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func usersCell(c audit.Configuration) string {
	if c.Users == nil {
		return "?"
	}
	return strconv.Itoa(*c.Users)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// auditSummaryLine is the report's last line.
func auditSummaryLine(r *audit.Report) string {
	s := r.Summary
	line := "Audit: " + plural(s.Accounts, "account")
	if s.Failed > 0 {
		line += fmt.Sprintf(" (%d failed)", s.Failed)
	}
	if s.Drifted == 0 {
		line += ", no drift"
	} else {
		line += fmt.Sprintf(", %d with drift (%d to create, %d to update, %d to delete)", s.Drifted, s.Create, s.Update, s.Delete)
	}
	if s.Findings.Total() == 0 {
		line += "; no findings"
	} else {
		line += "; findings: " + findingCounts(s.Findings, Options{})
	}
	line += fmt.Sprintf("; %s: %d managed, %d unmanaged, %d ignored, %d disabled", plural(s.Configurations, "configuration"), s.Managed, s.Unmanaged, s.Ignored, s.Disabled)
	if s.DeliveryFailures > 0 && r.Delivery != nil {
		line += fmt.Sprintf("; %s since %s", plural(s.DeliveryFailures, "failed delivery"), day(r.Delivery.Since))
	}
	line += "."
	return line + shardNote(r)
}

// shardNote says which part of the accounts a report covers: a single
// shard, or the shards a merge lacks; nothing when it covers them all.
func shardNote(r *audit.Report) string {
	missing := r.Missing()
	switch {
	case len(missing) > 0 && len(r.Shards) > 1:
		return fmt.Sprintf(" (shards %s; missing %s)", shardList(r.Shards), shardList(missing))
	case len(missing) > 0:
		return fmt.Sprintf(" (shard %s)", r.Shards[0])
	}
	return ""
}

func shardList(shards []audit.Shard) string {
	names := make([]string, len(shards))
	for i, s := range shards {
		names[i] = s.String()
	}
	return strings.Join(names, ", ")
}
