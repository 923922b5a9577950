package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/connectsync/connectsync/pkg/config"
)

// ValidateSummary is what a valid (or invalid) set of files holds, for the
// last line of validate's output.
type ValidateSummary struct {
	Files          int `json:"files"`
	Accounts       int `json:"accounts"`
	Configurations int `json:"configurations"`
	// PerAccount counts configurations after expansion to each account.
	PerAccount int `json:"per_account"`
}

// ValidateReport is validate's JSON output.
type ValidateReport struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	Summary       *ValidateSummary `json:"summary,omitempty"`
	Errors        int              `json:"errors"`
	Warnings      int              `json:"warnings"`
	Diagnostics   []JSONDiagnostic `json:"diagnostics"`
}

// JSONDiagnostic is one problem in validate's JSON output.
type JSONDiagnostic struct {
	Severity string      `json:"severity"`
	File     string      `json:"file"`
	Line     int         `json:"line,omitempty"`
	Col      int         `json:"col,omitempty"`
	Path     string      `json:"path,omitempty"`
	Message  string      `json:"message"`
	Hint     string      `json:"hint,omitempty"`
	Also     *config.Pos `json:"also,omitempty"`
}

// DiagnosticsText writes one line per problem, compiler style
// (file:line:col: severity: path: message; hint), then a summary line.
func DiagnosticsText(w io.Writer, ds config.Diagnostics, sum *ValidateSummary) {
	for _, d := range ds {
		fmt.Fprintln(w, diagnosticLine(d))
	}
	if len(ds) > 0 {
		fmt.Fprintln(w)
	}
	DiagnosticsSummary(w, ds, sum)
}

// DiagnosticsSummary writes validate's last line: valid, with what the files
// hold, or invalid, with the counts.
func DiagnosticsSummary(w io.Writer, ds config.Diagnostics, sum *ValidateSummary) {
	errs, warns := ds.Count(config.SeverityError), ds.Count(config.SeverityWarning)
	if errs > 0 {
		fmt.Fprintf(w, "Invalid: %s, %s.\n", plural(errs, "error"), plural(warns, "warning"))
		return
	}
	line := fmt.Sprintf("Valid: %s, %s, %s", plural(sum.Files, "file"), plural(sum.Accounts, "account"), plural(sum.Configurations, "configuration"))
	if sum.PerAccount != sum.Configurations {
		line += fmt.Sprintf(" (%d across accounts)", sum.PerAccount)
	}
	if warns > 0 {
		line += ", " + plural(warns, "warning")
	}
	fmt.Fprintln(w, line+".")
}

// Diagnostic writes one diagnostic on its own line, as validate does.
func Diagnostic(w io.Writer, d config.Diagnostic) { fmt.Fprintln(w, diagnosticLine(d)) }

// diagnosticLine is one diagnostic, made inert for a terminal: paths and
// messages quote the files.
func diagnosticLine(d config.Diagnostic) string { return Terminal(diagnosticText(d)) }

func diagnosticText(d config.Diagnostic) string {
	var b strings.Builder
	if p := d.Pos.String(); p != "" {
		b.WriteString(p + ": ")
	}
	b.WriteString(string(d.Severity) + ": ")
	if d.Path != "" {
		b.WriteString(d.Path + ": ")
	}
	b.WriteString(d.Text())
	return b.String()
}

// DiagnosticsJSON writes validate's machine-readable report.
func DiagnosticsJSON(w io.Writer, ds config.Diagnostics, sum *ValidateSummary) error {
	r := ValidateReport{
		FormatVersion: "1",
		Valid:         !ds.HasErrors(),
		Errors:        ds.Count(config.SeverityError),
		Warnings:      ds.Count(config.SeverityWarning),
		Diagnostics:   []JSONDiagnostic{},
	}
	if r.Valid {
		r.Summary = sum
	}
	for _, d := range ds {
		r.Diagnostics = append(r.Diagnostics, JSONDiagnostic{
			Severity: string(d.Severity), File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col,
			Path: d.Path, Message: d.Message, Hint: d.Hint, Also: d.Also,
		})
	}
	return writeJSON(w, r)
}

// DiagnosticsGitHub writes GitHub Actions workflow commands, which GitHub
// shows as annotations on the file and line:
// ::error file=F,line=L,col=C,title=T::message
func DiagnosticsGitHub(w io.Writer, ds config.Diagnostics) {
	for _, d := range ds {
		kind := "error"
		switch d.Severity {
		case config.SeverityWarning:
			kind = "warning"
		case config.SeverityNote:
			kind = "notice"
		}
		props := []string{"file=" + escapeProperty(Terminal(d.Pos.File))}
		if d.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line), fmt.Sprintf("col=%d", d.Pos.Col))
		}
		title := "connectsync"
		if d.Path != "" {
			title += ": " + d.Path
		}
		props = append(props, "title="+escapeProperty(Terminal(title)))
		fmt.Fprintf(w, "::%s %s::%s\n", kind, strings.Join(props, ","), escapeData(Terminal(d.Text())))
	}
}

// escapeData and escapeProperty follow the workflow-command escaping of
// GitHub's actions/toolkit (core/src/command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	if strings.HasSuffix(word, "y") && !strings.HasSuffix(word, "ey") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y")) // entry, delivery
	}
	return fmt.Sprintf("%d %ss", n, word)
}
