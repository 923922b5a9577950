package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a place in a file: where a value was written.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String formats p as file:line:col, which editors and GitHub annotations link.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity says whether a diagnostic fails validation.
type Severity string

// Severities, from worst to mildest. Only errors fail validation.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note"
)

// Diagnostic is one problem found in the files, with where it is and how to fix it.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`
	// Path names the value in the file, e.g. configurations[2].events[0].
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	// Hint says how to fix it, e.g. `did you mean "envelope-sent"?`.
	Hint string `json:"hint,omitempty"`
	// Also is a second place involved, e.g. the first of two duplicates.
	Also *Pos `json:"also,omitempty"`
}

// Error formats d as `file:line:col: path: message; hint`.
func (d Diagnostic) Error() string {
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if d.Severity != SeverityError && d.Severity != "" {
		b.WriteString(string(d.Severity))
		b.WriteString(": ")
	}
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Text())
	return b.String()
}

// Text is the message and its hint, without the place.
func (d Diagnostic) Text() string {
	msg := d.Message
	if d.Also != nil {
		msg += " (see also " + d.Also.String() + ")"
	}
	if d.Hint != "" {
		msg += "; " + d.Hint
	}
	return msg
}

// Diagnostics is every problem found in one run. It implements error so that a
// load that found errors can return it; use HasErrors to tell errors from warnings.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	lines := make([]string, 0, len(ds))
	for _, d := range ds {
		lines = append(lines, d.Error())
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == SeverityError })
}

// Count returns how many diagnostics have severity s.
func (ds Diagnostics) Count(s Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Sort orders diagnostics by file, line and column, then message, and drops
// exact repeats (a default merged into many configurations reports once).
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(ds, func(a, b Diagnostic) bool {
		return a.Pos == b.Pos && a.Message == b.Message && a.Severity == b.Severity && a.Hint == b.Hint
	})
}

// diags collects diagnostics while loading.
type diags struct{ list Diagnostics }

func (c *diags) add(sev Severity, pos Pos, path, hint, format string, args ...any) {
	c.list = append(c.list, Diagnostic{Severity: sev, Pos: pos, Path: path, Hint: hint, Message: fmt.Sprintf(format, args...)})
}

func (c *diags) errorf(pos Pos, path, hint, format string, args ...any) {
	c.add(SeverityError, pos, path, hint, format, args...)
}

func (c *diags) warnf(pos Pos, path, hint, format string, args ...any) {
	c.add(SeverityWarning, pos, path, hint, format, args...)
}
