// Package render turns plans, reports and diagnostics into text, JSON and
// markdown. It only reads the values it is given; the diff logic lives in
// pkg/plan, so a new format never touches it.
package render

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/plan"
)

// Options tune human-readable output.
type Options struct {
	// Color adds ANSI colours; only for a terminal, never under NO_COLOR.
	Color bool
}

// ANSI colours used by the text renderer.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
)

func (o Options) paint(color, s string) string {
	if !o.Color || s == "" {
		return s
	}
	return color + s + ansiReset
}

// value formats a normalised field value for people.
func value(v any) string {
	switch t := v.(type) {
	case nil:
		return "(unset)"
	case string:
		if t == "" {
			return `""`
		}
		return t
	case bool:
		return fmt.Sprint(t)
	case []string:
		return "[" + strings.Join(t, ", ") + "]"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = value(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[k] = v
		}
		return value(m)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + value(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// fieldLine describes one field change: "old → new", a set's additions and
// removals, or "(sensitive)", made inert for a terminal (the values are the
// server's and the files').
func fieldLine(c plan.Change, f plan.FieldChange) string { return Terminal(fieldText(c, f)) }

func fieldText(c plan.Change, f plan.FieldChange) string {
	if f.Sensitive || f.WriteOnly {
		s := plan.Sensitive
		if c.Desired != nil {
			if src, ok := c.Desired.Secrets[f.Field]; ok {
				s = fmt.Sprintf("(sensitive, from %s)", src)
			}
		}
		if f.WriteOnly && c.Action == plan.Update {
			s += "; write-only, sent again because DocuSign cannot show it"
		}
		return s
	}
	if c.Action == plan.Create {
		return value(f.After)
	}
	if def, ok := config.LookupField(f.Field); ok && def.Kind == config.KindSet {
		added, removed := setDiff(f.Before, f.After)
		var parts []string
		for _, a := range added {
			parts = append(parts, "+"+a)
		}
		for _, r := range removed {
			parts = append(parts, "-"+r)
		}
		if len(parts) > 0 {
			return strings.Join(parts, " ")
		}
	}
	return value(f.Before) + " → " + value(f.After)
}

func setDiff(before, after any) (added, removed []string) {
	toList := func(v any) []string {
		switch t := v.(type) {
		case []string:
			return t
		case []any:
			out := make([]string, 0, len(t))
			for _, x := range t {
				out = append(out, fmt.Sprint(x))
			}
			return out
		}
		return nil
	}
	b, a := toList(before), toList(after)
	for _, x := range a {
		if !slices.Contains(b, x) {
			added = append(added, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			removed = append(removed, x)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

// longStringDiff returns a character-level diff of two long strings, or ""
// when they are short or not both strings. Without colour it marks removed
// text [-like this-] and added text {+like this+}.
func longStringDiff(before, after any, o Options) string {
	b, ok1 := before.(string)
	a, ok2 := after.(string)
	if !ok1 || !ok2 || max(len(a), len(b)) < 40 {
		return ""
	}
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(b, a, false))
	var sb strings.Builder
	for _, d := range diffs {
		d.Text = Terminal(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			sb.WriteString(d.Text)
		case diffmatchpatch.DiffDelete:
			if o.Color {
				sb.WriteString(ansiRed + d.Text + ansiReset)
			} else {
				sb.WriteString("[-" + d.Text + "-]")
			}
		case diffmatchpatch.DiffInsert:
			if o.Color {
				sb.WriteString(ansiGreen + d.Text + ansiReset)
			} else {
				sb.WriteString("{+" + d.Text + "+}")
			}
		}
	}
	return sb.String()
}
