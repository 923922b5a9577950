package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/connectsync/connectsync/pkg/audit"
)

// AuditMarker starts every markdown audit report, so that a workflow can
// find its own earlier comment and update it.
const AuditMarker = "<!-- connectsync:audit -->"

// AuditMarkdown writes the report for a pull-request comment or a job
// summary: a table of every account, then one collapsible section per
// account with something to say. When the full text would not fit in a
// GitHub comment it is summarised: first without the configuration tables,
// then as the accounts table alone, cut short if it must be.
func AuditMarkdown(w io.Writer, r *audit.Report) error {
	var b bytes.Buffer
	for _, detail := range []mdDetail{mdFields, mdNames, mdCounts} {
		b.Reset()
		auditMarkdown(&b, r, detail)
		if b.Len() <= mdBudget {
			break
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func auditMarkdown(b *bytes.Buffer, r *audit.Report, detail mdDetail) {
	fmt.Fprintf(b, "%s\n### connectsync audit\n\n**%s**\n\n", AuditMarker, escapeMD(auditSummaryLine(r)))
	b.WriteString("| account | drift | unmanaged | ignored | disabled | findings |\n|---|---|---:|---:|---:|---|\n")
	for i, a := range r.Accounts {
		if detail == mdCounts && b.Len() > mdBudget-1024 {
			fmt.Fprintf(b, "| … and %d more accounts | | | | | |\n", len(r.Accounts)-i)
			break
		}
		if a.Error != "" {
			fmt.Fprintf(b, "| %s | **error** | | | | not audited |\n", cellCode(a.Alias))
			continue
		}
		n := accountNumbers(a)
		fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %s |\n", cellCode(a.Alias), driftCounts(a), n.unmanaged, n.ignored, n.disabled, findingCounts(a.Findings(), Options{}))
	}
	b.WriteString("\n")
	if detail != mdCounts {
		for _, a := range r.Accounts {
			if accountQuiet(a, r.Coverage) {
				continue
			}
			auditAccountMarkdown(b, a, r.Coverage, detail)
		}
	}
	if detail != mdFields {
		b.WriteString("_The report is summarised to fit in a comment; `audit --format json` has every detail._\n")
	}
}

func auditAccountMarkdown(b *bytes.Buffer, a audit.Account, coverage bool, detail mdDetail) {
	status := "error"
	if a.Error == "" {
		drift, findings := driftCounts(a), findingCounts(a.Findings(), Options{})
		if drift == "none" {
			drift = "no drift"
		}
		if findings == "-" {
			findings = "no findings"
		}
		status = drift + "; " + findings
	}
	fmt.Fprintf(b, "<details><summary><b>%s</b> (%s): %s</summary>\n\n", escapeMD(a.Alias), escapeMD(a.AccountID), escapeMD(status))
	if !a.InFiles {
		b.WriteString("Not in the files (found through userinfo).\n\n")
	}
	if a.Error != "" {
		fmt.Fprintf(b, "> [!CAUTION]\n> %s\n\n</details>\n\n", escapeMD(a.Error))
		return
	}
	for _, e := range a.PlanErrors {
		fmt.Fprintf(b, "> [!CAUTION]\n> %s\n\n", escapeMD(e))
	}
	if a.HMACError != "" {
		fmt.Fprintf(b, "> [!NOTE]\n> HMAC keys unknown (noHmacKey not checked): %s\n\n", escapeMD(a.HMACError))
	}
	if a.DeliveryError != "" {
		fmt.Fprintf(b, "> [!NOTE]\n> Delivery health unknown: %s\n\n", escapeMD(a.DeliveryError))
	}
	if detail == mdFields && len(a.Configurations) > 0 {
		head, rule := "| configuration | connectId | status | drift | enabled |", "|---|---|---|---|---|"
		if coverage {
			head, rule = head+" users |", rule+"---:|"
		}
		fmt.Fprintf(b, "%s findings |\n%s---|\n", head, rule)
		for _, c := range a.Configurations {
			row := fmt.Sprintf("| %s | %s | %s | %s | %s |", cellCode(c.Name), escapeMD(c.ConnectID), escapeMD(c.Status), escapeMD(dash(c.Drift)), yesNo(c.Disabled == ""))
			if coverage {
				row += " " + usersCell(c) + " |"
			}
			fmt.Fprintf(b, "%s %s |\n", row, findingCounts(c.Severities(), Options{}))
		}
		b.WriteString("\n")
	}
	if len(a.Drift.Changes) > 0 {
		b.WriteString("```diff\n")
		for _, ch := range a.Drift.Changes {
			b.WriteString(codeLine(changeSummary(ch, Options{})) + "\n")
		}
		b.WriteString("```\n\n")
	}
	var notes []string
	for _, c := range a.Configurations {
		for _, f := range c.Findings {
			notes = append(notes, fmt.Sprintf("- **%s** `%s` (connectId %s), %s: %s. Fix: %s", escapeMD(f.Severity), escapeCode(c.Name), escapeMD(c.ConnectID), escapeMD(f.Rule), escapeMD(strings.TrimRight(f.Message, ".")), escapeMD(f.Fix)))
		}
		if c.Disabled != "" {
			notes = append(notes, fmt.Sprintf("- disabled: `%s` (connectId %s): %s", escapeCode(c.Name), escapeMD(c.ConnectID), escapeMD(c.Disabled)))
		}
		if c.UsersError != "" {
			notes = append(notes, fmt.Sprintf("- users of `%s` not listed: %s", escapeCode(c.Name), escapeMD(c.UsersError)))
		}
	}
	if len(notes) > 0 {
		b.WriteString(strings.Join(notes, "\n") + "\n\n")
	}
	b.WriteString("</details>\n\n")
}

// cellCode writes s as code in a table cell: a "|" would end the cell even
// inside backticks, so GitHub wants it escaped.
func cellCode(s string) string {
	return "`" + strings.ReplaceAll(escapeCode(s), "|", `\|`) + "`"
}
