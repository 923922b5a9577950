package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/connectsync/connectsync/pkg/delivery"
)

// Delivery health: the failures, logs, retry and republish commands
// (pkg/delivery builds what these show).

// Markers start the markdown of each delivery report, so that a workflow
// can find its own earlier comment.
const (
	FailuresMarker  = "<!-- connectsync:failures -->"
	LogsMarker      = "<!-- connectsync:logs -->"
	RetryMarker     = "<!-- connectsync:retry -->"
	RepublishMarker = "<!-- connectsync:republish -->"
)

// textErrorWidth is how much of an error a text table shows; JSON has it all.
const textErrorWidth = 100

// DeliveryJSON writes any delivery report as JSON (schema/delivery.schema.json),
// inert like every JSON output (writeJSON).
func DeliveryJSON(w io.Writer, report any) error { return writeJSON(w, report) }

// Every text in these reports came from DocuSign or the files: the text
// renderers pass it through Terminal (inert below, or clip, which calls it), the
// markdown ones through escapeMD and escapeCode.

// inert is Terminal, short for the many values of the tables below.
func inert(s string) string { return Terminal(s) }

// clip makes s one inert line of at most n characters (never cut inside a
// character), marking the cut.
func clip(s string, n int) string {
	s = Terminal(strings.Join(strings.Fields(s), " "))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// named is "NAME (CONNECTID)", or the connectId alone for a configuration
// that no longer exists.
func named(name, connectID string) string {
	switch {
	case name != "" && connectID != "":
		return fmt.Sprintf("%s (%s)", inert(name), inert(connectID))
	case name != "":
		return inert(name)
	case connectID != "":
		return "connectId " + inert(connectID) + " (not found)"
	}
	return "-"
}

func cellOr(tm delivery.Time) string {
	if tm.IsZero() {
		return "-"
	}
	return inert(tm.String())
}

// FailuresText writes the failures report for people: per account, the
// configurations with failures (count, last failure and error, listener),
// then every failed delivery, newest first; then a summary line.
func FailuresText(w io.Writer, r *delivery.FailuresReport, o Options) {
	for i, a := range r.Accounts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := fmt.Sprintf("%s (%s)", o.paint(ansiBold, inert(a.Alias)), inert(a.AccountID))
		switch {
		case a.Error != "":
			fmt.Fprintf(w, "%s: %s %s\n", head, o.paint(ansiRed, "error:"), inert(a.Error))
			continue
		case len(a.Failures) == 0:
			fmt.Fprintf(w, "%s: no failed deliveries since %s\n", head, day(r.Since))
			continue
		}
		fmt.Fprintf(w, "%s: %s since %s\n", head, o.paint(ansiRed, plural(len(a.Failures), "failed delivery")), day(r.Since))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CONFIGURATION\tCONNECTID\tFAILURES\tLAST FAILURE\tLISTENER\tLAST ERROR")
		for _, h := range a.Configurations {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", dash(inert(h.Configuration)), dash(inert(h.ConnectID)), h.Failures, cellOr(h.LastFailure), dash(inert(h.URL)), dash(clip(h.LastError, textErrorWidth)))
		}
		tw.Flush()
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CREATED\tLAST TRY\tRETRIES\tENVELOPE\tCONFIGURATION\tERROR")
		for _, f := range a.Failures {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", cellOr(f.Created), cellOr(f.LastTry), f.RetryCount, inert(f.EnvelopeID), named(f.Configuration, f.ConnectID), dash(clip(f.Error, textErrorWidth)))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, failuresSummaryLine(r))
}

// selection says which configuration's failures a --name or --connect-id
// chose: ` of configuration "orders"`, ` of configuration connectId 12`;
// "" when neither was given.
func selection(name, connectID string) string {
	switch {
	case name != "" && connectID != "":
		return fmt.Sprintf(" of configuration %q (connectId %s)", inert(name), inert(connectID))
	case name != "":
		return fmt.Sprintf(" of configuration %q", inert(name))
	case connectID != "":
		return " of configuration connectId " + inert(connectID)
	}
	return ""
}

func failuresSummaryLine(r *delivery.FailuresReport) string {
	s := r.Summary
	of := selection(r.Name, r.ConnectID)
	line := fmt.Sprintf("No failed deliveries%s since %s in %s.", of, day(r.Since), plural(s.Accounts-s.Failed, "account"))
	if s.Failures > 0 {
		line = fmt.Sprintf("Failures: %s in %s%s since %s.", plural(s.Failures, "failed delivery"), plural(s.Configurations, "configuration"), of, day(r.Since))
	}
	if s.Failed > 0 {
		line += fmt.Sprintf(" %s could not be read.", plural(s.Failed, "account"))
	}
	return line
}

// FailuresMarkdown writes the failures report for a pull-request comment or
// a job summary, cut short to fit in a GitHub comment.
func FailuresMarkdown(w io.Writer, r *delivery.FailuresReport) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n### connectsync failures\n\n**%s**\n\n", FailuresMarker, escapeMD(failuresSummaryLine(r)))
	for _, a := range r.Accounts {
		fmt.Fprintf(&b, "#### %s (%s)\n\n", escapeMD(a.Alias), escapeMD(a.AccountID))
		switch {
		case a.Error != "":
			fmt.Fprintf(&b, "> [!CAUTION]\n> %s\n\n", escapeMD(a.Error))
			continue
		case len(a.Failures) == 0:
			fmt.Fprintf(&b, "No failed deliveries since %s.\n\n", day(r.Since))
			continue
		}
		b.WriteString("| configuration | connectId | failures | last failure | listener | last error |\n|---|---|---:|---|---|---|\n")
		for _, h := range a.Configurations {
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", codeOrDash(h.Configuration), mdCell(h.ConnectID), h.Failures, mdCell(cellOr(h.LastFailure)), codeOrDash(h.URL), mdCell(h.LastError))
		}
		b.WriteString("\n| created | last try | retries | envelope | configuration | error |\n|---|---|---:|---|---|---|\n")
		for i, f := range a.Failures {
			if b.Len() > mdBudget-1024 {
				fmt.Fprintf(&b, "| … and %d more | | | | | |\n", len(a.Failures)-i)
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", mdCell(cellOr(f.Created)), mdCell(cellOr(f.LastTry)), f.RetryCount, codeOrDash(f.EnvelopeID), mdCell(named(f.Configuration, f.ConnectID)), mdCell(f.Error))
		}
		b.WriteString("\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// codeOrDash is s as code in a table cell, or "-" when empty.
func codeOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return cellCode(s)
}

// mdCell is text in a table cell: escaped, on one line, "|" escaped.
func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return escapeMD(clip(s, 300)) // escapeMD escapes "|" too
}

// LogsText writes the Connect log entries per account, newest first; with
// logs --envelope, each entry's steps (DocuSign's debug log) too.
func LogsText(w io.Writer, r *delivery.LogsReport, o Options) {
	for i, a := range r.Accounts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := fmt.Sprintf("%s (%s)", o.paint(ansiBold, inert(a.Alias)), inert(a.AccountID))
		switch {
		case a.Error != "":
			fmt.Fprintf(w, "%s: %s %s\n", head, o.paint(ansiRed, "error:"), inert(a.Error))
			continue
		case len(a.Entries) == 0:
			fmt.Fprintf(w, "%s: no Connect log entries since %s\n", head, day(r.Since))
			continue
		}
		fmt.Fprintf(w, "%s: %s since %s\n", head, plural(len(a.Entries), "log entry"), day(r.Since))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CREATED\tENVELOPE\tSTATUS\tCONFIGURATION\tRESULT")
		for _, l := range a.Entries {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", cellOr(l.Created), inert(l.EnvelopeID), dash(inert(l.Status)), named(l.Configuration, l.ConnectID), logResult(l, o))
		}
		tw.Flush()
		for _, l := range a.Entries {
			if len(l.Debug) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n  %s %s, %s (log %s):\n", cellOr(l.Created), dash(inert(l.Status)), named(l.Configuration, l.ConnectID), dash(inert(l.LogID)))
			for _, d := range l.Debug {
				fmt.Fprintf(w, "    %s  %s%s\n", cellOr(d.Time), dash(clip(d.Description, textErrorWidth)), debugError(d))
				if d.Payload != "" {
					fmt.Fprintf(w, "      payload (%d bytes): %s\n", len(d.Payload), clip(d.Payload, 200))
				}
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, logsSummaryLine(r))
}

func logResult(l delivery.LogLine, o Options) string {
	if l.Error != "" {
		return o.paint(ansiRed, "error: ") + clip(l.Error, textErrorWidth)
	}
	return "delivered"
}

func debugError(d delivery.DebugLine) string {
	if d.ErrorCode == "" && d.ErrorMessage == "" {
		return ""
	}
	return fmt.Sprintf(" [error %s]", strings.TrimSpace(inert(d.ErrorCode)+" "+clip(d.ErrorMessage, textErrorWidth)))
}

func logsSummaryLine(r *delivery.LogsReport) string {
	s := r.Summary
	of := ""
	if r.Envelope != "" {
		of = " of envelope " + inert(r.Envelope)
	}
	line := fmt.Sprintf("Logs: %s%s (%d with an error) in %s since %s.", plural(s.Entries, "entry"), of, s.Errors, plural(s.Accounts-s.Failed, "account"), day(r.Since))
	if s.Failed > 0 {
		line += fmt.Sprintf(" %s could not be read.", plural(s.Failed, "account"))
	}
	return line
}

// LogsMarkdown writes the Connect log entries as markdown tables.
func LogsMarkdown(w io.Writer, r *delivery.LogsReport) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n### connectsync logs\n\n**%s**\n\n", LogsMarker, escapeMD(logsSummaryLine(r)))
	for _, a := range r.Accounts {
		fmt.Fprintf(&b, "#### %s (%s)\n\n", escapeMD(a.Alias), escapeMD(a.AccountID))
		switch {
		case a.Error != "":
			fmt.Fprintf(&b, "> [!CAUTION]\n> %s\n\n", escapeMD(a.Error))
			continue
		case len(a.Entries) == 0:
			fmt.Fprintf(&b, "No Connect log entries since %s.\n\n", day(r.Since))
			continue
		}
		b.WriteString("| created | envelope | status | configuration | result |\n|---|---|---|---|---|\n")
		for i, l := range a.Entries {
			if b.Len() > mdBudget-1024 {
				fmt.Fprintf(&b, "| … and %d more | | | | |\n", len(a.Entries)-i)
				break
			}
			result := "delivered"
			if l.Error != "" {
				result = "error: " + l.Error
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(cellOr(l.Created)), codeOrDash(l.EnvelopeID), mdCell(l.Status), mdCell(named(l.Configuration, l.ConnectID)), mdCell(result))
			for _, d := range l.Debug {
				fmt.Fprintf(&b, "| | | | ↳ %s | %s |\n", mdCell(cellOr(d.Time)), mdCell(d.Description+debugError(d)))
			}
		}
		b.WriteString("\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// RetryText writes DocuSign's answer per envelope and a summary line.
func RetryText(w io.Writer, r *delivery.RetryReport, o Options) {
	fmt.Fprintf(w, "%s (%s): %s\n", o.paint(ansiBold, inert(r.Account)), inert(r.AccountID), retrySelection(r))
	if len(r.Results) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  ENVELOPE\tCONFIGURATION\tDOCUSIGN STATUS\tMESSAGE\tOUTCOME")
		for _, l := range r.Results {
			outcome := l.Outcome
			if outcome != delivery.OutcomeAccepted {
				outcome = o.paint(ansiRed, outcome)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", inert(l.EnvelopeID), retryConfig(l), dash(clip(l.Status, textErrorWidth)), dash(clip(l.Message, textErrorWidth)), outcome)
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, retrySummaryLine(r))
}

func retryConfig(l delivery.RetryLine) string {
	if l.Configuration == "" && l.ConnectID == "" {
		return "-"
	}
	return named(l.Configuration, l.ConnectID)
}

func retrySelection(r *delivery.RetryReport) string {
	if r.Selection == "envelopes" {
		return plural(r.Summary.Requested, "envelope") + " named on the command line"
	}
	what := "every envelope in the failure log" + selection(r.Name, r.ConnectID)
	if r.Since != nil {
		what += " since " + day(*r.Since)
	}
	return what
}

func retrySummaryLine(r *delivery.RetryReport) string {
	s := r.Summary
	if s.Requested == 0 {
		return "Retry: nothing to retry."
	}
	line := fmt.Sprintf("Retry: %s put on DocuSign's retry queue: %d accepted, %d refused", plural(s.Requested, "envelope"), s.Accepted, s.Refused)
	if s.NotSent > 0 {
		line += fmt.Sprintf(", %d not sent", s.NotSent)
	}
	return line + "."
}

// RetryMarkdown writes the retry answer as a markdown table.
func RetryMarkdown(w io.Writer, r *delivery.RetryReport) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n### connectsync retry\n\n**%s**\n\n%s (%s): %s.\n\n", RetryMarker, escapeMD(retrySummaryLine(r)), escapeMD(r.Account), escapeMD(r.AccountID), escapeMD(retrySelection(r)))
	if len(r.Results) > 0 {
		b.WriteString("| envelope | configuration | DocuSign status | message | outcome |\n|---|---|---|---|---|\n")
		for _, l := range r.Results {
			outcome := l.Outcome
			if outcome != delivery.OutcomeAccepted {
				outcome = "**" + outcome + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", codeOrDash(l.EnvelopeID), mdCell(retryConfig(l)), mdCell(l.Status), mdCell(l.Message), outcome)
		}
		b.WriteString("\n")
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "> [!CAUTION]\n> %s\n\n", escapeMD(r.Error))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// RepublishText writes the batch a historical republish started.
func RepublishText(w io.Writer, r *delivery.RepublishReport, o Options) {
	fmt.Fprintf(w, "%s (%s): historical republish of %s through %q (connectId %s) to %s\n",
		o.paint(ansiBold, inert(r.Account)), inert(r.AccountID), plural(len(r.Envelopes), "envelope"), inert(r.Configuration), inert(r.ConnectID), inert(r.URL))
	for _, line := range republishLines(r) {
		fmt.Fprintln(w, "  "+inert(line))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, republishSummaryLine(r))
}

func republishLines(r *delivery.RepublishReport) []string {
	t := r.Transaction
	lines := []string{"envelopes: " + strings.Join(r.Envelopes, ", ")}
	if t.ID == "" && t.ProcessingStatus == "" {
		return append(lines, "DocuSign accepted the batch without details")
	}
	lines = append(lines,
		fmt.Sprintf("transaction %s: %s, submitted %s", dash(t.ID), dash(t.ProcessingStatus), cellOr(t.SubmissionDate)),
		fmt.Sprintf("%s, %d submitted for publishing, %d processed, %d needing no action, %d with errors",
			plural(t.Envelopes, "envelope"), t.Submitted, t.Processed, t.NoActionRequired, t.Errors))
	for _, e := range t.ErrorTypes {
		lines = append(lines, fmt.Sprintf("error %s: %s", e.Type, plural(e.Count, "envelope")))
	}
	for _, e := range t.FileLevelErrors {
		lines = append(lines, "error: "+e)
	}
	if t.ResultsURI != "" {
		lines = append(lines, "results: "+t.ResultsURI)
	}
	return lines
}

func republishSummaryLine(r *delivery.RepublishReport) string {
	return "Republish: " + plural(len(r.Envelopes), "envelope") + " submitted; DocuSign publishes them in the background " +
		"(eSignature Admin, Bulk Actions Log, shows the progress)."
}

// RepublishMarkdown writes the republish batch as markdown.
func RepublishMarkdown(w io.Writer, r *delivery.RepublishReport) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n### connectsync republish\n\n**%s**\n\n%s (%s), configuration %s (connectId %s), listener %s:\n\n",
		RepublishMarker, escapeMD(republishSummaryLine(r)), escapeMD(r.Account), escapeMD(r.AccountID), cellCode(r.Configuration), escapeMD(r.ConnectID), cellCode(r.URL))
	for _, line := range republishLines(r) {
		b.WriteString("- " + escapeMD(line) + "\n")
	}
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}
