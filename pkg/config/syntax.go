package config

import (
	"fmt"
	"strings"
)

// yaml.v3 reports a syntax error at the line where the construct it was
// reading began (an unclosed "[" on line 8 comes back as line 7; a bad
// indent on line 8 as line 5), and without a column. After it has failed,
// findSyntaxError scans the text itself for the usual mistakes and names the
// exact line and column of the offending character, with a one-line fix:
//
//   - a tab in the indentation;
//   - a quoted value that is never closed;
//   - a flow list or mapping ("[", "{") that is never closed;
//   - ": " inside a plain value (a second mapping on one line);
//   - a line indented deeper than a key that already has its value, or to a
//     column that matches no enclosing key or list item.
//
// It is a diagnosis of text YAML already refused, not a parser: when it
// finds nothing it knows, the caller falls back to yaml.v3's message.

// syntaxProblem is one mistake found in the text.
type syntaxProblem struct {
	line, col int // 1-based
	message   string
	hint      string
}

// textLine is one line of the file with what the scan needs of it.
type textLine struct {
	n      int    // 1-based line number
	text   string // without the newline
	indent int    // leading spaces
}

func findSyntaxError(data []byte) *syntaxProblem {
	var lines []textLine
	for i, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		lines = append(lines, textLine{n: i + 1, text: raw, indent: indent})
	}
	if p := findTab(lines); p != nil {
		return p
	}
	return scanStructure(lines)
}

// findTab reports a tab in a line's indentation (outside block scalars is
// where it matters; a tab there is always an error in YAML).
func findTab(lines []textLine) *syntaxProblem {
	blockIndent := -1
	for _, l := range lines {
		lead := l.text[:len(l.text)-len(strings.TrimLeft(l.text, " \t"))]
		if blockIndent >= 0 {
			if strings.TrimSpace(l.text) == "" || l.indent > blockIndent {
				continue
			}
			blockIndent = -1
		}
		if i := strings.IndexByte(lead, '\t'); i >= 0 && strings.TrimSpace(l.text) != "" {
			return &syntaxProblem{line: l.n, col: i + 1, message: "a tab indents this line; YAML allows only spaces for indentation",
				hint: "replace the tab with spaces"}
		}
		if startsBlockScalar(l.text) {
			blockIndent = l.indent
		}
	}
	return nil
}

// startsBlockScalar reports whether a line ends with | or > (and their
// modifiers): the lines below it that are indented deeper are text.
func startsBlockScalar(text string) bool {
	t := strings.TrimSpace(StripComment(text))
	for _, suffix := range []string{"|", ">", "|-", ">-", "|+", ">+"} {
		if strings.HasSuffix(t, " "+suffix) || strings.HasSuffix(t, ":"+suffix) || t == "- "+suffix || t == suffix {
			return true
		}
	}
	return false
}

// StripComment removes a # comment that is outside quotes from a line of
// YAML (a line of a block scalar is text, which the caller knows).
func StripComment(text string) string {
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || strings.ContainsRune(" \t[{,:-", rune(text[i-1])) {
				quote = c
			}
		case c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
			return text[:i]
		}
	}
	return text
}

// opener is an unclosed quote or bracket: where it is, and which.
type opener struct {
	line, col int
	char      byte
	indent    int // of its line
}

// indentLevel is one enclosing block entry: a key or a list item.
type indentLevel struct {
	indent int
	// hasValue: a "key: value" entry whose value is already on its line,
	// so that no key may be nested under it.
	hasValue bool
	line     int
}

// scanStructure walks the block structure line by line: quotes and flow
// brackets that stay open into a line that starts a new key, plain values
// with ": " inside, and indentation that fits no enclosing level.
func scanStructure(lines []textLine) *syntaxProblem {
	var stack []indentLevel
	var open []opener // quotes and brackets still open at the end of the last line
	blockIndent := -1
	for _, l := range lines {
		trimmed := strings.TrimSpace(l.text)
		if blockIndent >= 0 {
			if trimmed == "" || l.indent > blockIndent {
				continue
			}
			blockIndent = -1
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || trimmed == "---" || trimmed == "..." {
			continue
		}
		if len(open) > 0 {
			// Something left open on an earlier line: fine if this line
			// continues it, wrong if it starts a new key or item at the
			// opener's level or less.
			if o := open[len(open)-1]; l.indent <= o.indent && looksLikeNewEntry(trimmed) {
				return unclosed(o)
			}
		} else if p := checkIndent(l, trimmed, &stack); p != nil {
			return p
		}
		var problem *syntaxProblem
		var complete bool
		open, complete, problem = scanLine(l, open)
		if problem != nil {
			return problem
		}
		if top := len(stack) - 1; len(open) == 0 && top >= 0 && stack[top].line == l.n {
			// "key: value" and "- key: value" have their value; "- value"
			// may go on as a plain scalar on the next lines.
			stack[top].hasValue = complete && !(strings.HasPrefix(trimmed, "- ") && stack[top].indent == l.indent)
		}
		if len(open) == 0 && startsBlockScalar(l.text) {
			blockIndent = l.indent
		}
	}
	if len(open) > 0 {
		return unclosed(open[len(open)-1])
	}
	return nil
}

// checkIndent fits a line into the stack of enclosing entries, or says why
// it does not fit.
func checkIndent(l textLine, trimmed string, stack *[]indentLevel) *syntaxProblem {
	st := *stack
	var popped *indentLevel // the nearest level this line left
	for len(st) > 0 && st[len(st)-1].indent > l.indent {
		popped = &st[len(st)-1]
		st = st[:len(st)-1]
	}
	if len(st) > 0 {
		top := st[len(st)-1]
		switch {
		case popped != nil && top.indent < l.indent:
			*stack = st
			return &syntaxProblem{line: l.n, col: l.indent + 1,
				message: fmt.Sprintf("this line's indentation (column %d) lines up with no key or list item above it", l.indent+1),
				hint:    fmt.Sprintf("indent it to column %d like line %d, or to column %d like line %d", popped.indent+1, popped.line, top.indent+1, top.line)}
		case top.indent < l.indent && top.hasValue && looksLikeNewEntry(trimmed):
			*stack = st
			return &syntaxProblem{line: l.n, col: l.indent + 1,
				message: fmt.Sprintf("this line is indented deeper than the key on line %d, which already has its value", top.line),
				hint:    fmt.Sprintf("indent it to column %d like that key", top.indent+1)}
		}
	}
	if len(st) == 0 || st[len(st)-1].indent < l.indent {
		st = append(st, indentLevel{indent: l.indent})
	}
	st[len(st)-1].line, st[len(st)-1].hasValue = l.n, false
	// "- key: value": the item's content is a level of its own, at the
	// column after the dash, where its sibling keys line up.
	if rest, ok := strings.CutPrefix(trimmed, "- "); ok {
		inner := l.indent + 2 + len(rest) - len(strings.TrimLeft(rest, " "))
		if looksLikeNewEntry(strings.TrimLeft(rest, " ")) {
			st = append(st, indentLevel{indent: inner, line: l.n})
		}
	}
	*stack = st
	return nil
}

// looksLikeNewEntry reports whether a trimmed line starts a block mapping
// key ("name:") or a list item ("- ").
func looksLikeNewEntry(t string) bool {
	if strings.HasPrefix(t, "- ") || t == "-" {
		return true
	}
	key, _, ok := strings.Cut(t, ":")
	return ok && key != "" && !strings.ContainsAny(key, "\"'[]{},#") && (len(t) == len(key)+1 || t[len(key)+1] == ' ')
}

func unclosed(o opener) *syntaxProblem {
	switch o.char {
	case '"', '\'':
		return &syntaxProblem{line: o.line, col: o.col, message: "this quoted value is never closed",
			hint: fmt.Sprintf("close it with %c at the end of the value", o.char)}
	case '[':
		return &syntaxProblem{line: o.line, col: o.col, message: "this list ([) is never closed",
			hint: "close it with ] on the same line: events: [envelope-sent, envelope-completed]"}
	}
	return &syntaxProblem{line: o.line, col: o.col, message: "this mapping ({) is never closed",
		hint: "close it with } on the same line: { version: restv2.1 }"}
}

// scanLine reads one line's quotes and brackets, carrying those still open
// from earlier lines. complete says the line is "key: value" (or "- value")
// with the value on the line, so nothing may be nested under it.
func scanLine(l textLine, open []opener) ([]opener, bool, *syntaxProblem) {
	text := l.text
	// Where a scalar may start: after indentation, "- ", ": ", "[", "{", ",".
	atStart := true
	plain := false // inside a plain (unquoted) scalar
	sawKey := false
	valueOnLine := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if n := len(open); n > 0 && (open[n-1].char == '"' || open[n-1].char == '\'') {
			q := open[n-1].char
			if c == q {
				if q == '\'' && i+1 < len(text) && text[i+1] == '\'' {
					i++ // '' is an escaped quote
					continue
				}
				open = open[:n-1]
				atStart, plain = false, false
			} else if c == '\\' && q == '"' {
				i++
			}
			continue
		}
		switch {
		case c == ' ' || c == '\t':
			if !plain {
				continue
			}
			// A plain scalar may hold spaces; " #" starts a comment.
			if i+1 < len(text) && text[i+1] == '#' {
				return open, sawKey && valueOnLine, nil
			}
			continue
		case c == '#' && (i == 0 || text[i-1] == ' '):
			return open, sawKey && valueOnLine, nil
		case atStart && (c == '"' || c == '\''):
			open = append(open, opener{line: l.n, col: i + 1, char: c, indent: l.indent})
			valueOnLine = valueOnLine || sawKey
			continue
		case atStart && c == '-' && (i+1 == len(text) || text[i+1] == ' ') && !plain:
			continue // a list item's dash: a scalar may start after it
		case c == '[' || c == '{':
			if atStart || inFlow(open) {
				open = append(open, opener{line: l.n, col: i + 1, char: c, indent: l.indent})
				atStart, plain = true, false
				valueOnLine = valueOnLine || sawKey
				continue
			}
		case (c == ']' || c == '}') && inFlow(open):
			want := byte('[')
			if c == '}' {
				want = '{'
			}
			if open[len(open)-1].char == want {
				open = open[:len(open)-1]
			}
			atStart, plain = false, false
			continue
		case c == ',' && inFlow(open):
			atStart, plain = true, false
			continue
		case c == ':' && (i+1 == len(text) || text[i+1] == ' '):
			if plain && sawKey && !inFlow(open) {
				return open, false, &syntaxProblem{line: l.n, col: i + 1,
					message: "a second \": \" on this line: YAML reads it as a mapping inside the value",
					hint:    "quote the value: key: \"text: with a colon\""}
			}
			if !inFlow(open) {
				sawKey = true
			}
			atStart, plain = true, false
			continue
		}
		if atStart {
			atStart, plain = false, true
			if sawKey {
				valueOnLine = true
			}
		}
	}
	trimmed := strings.TrimSpace(text)
	if strings.HasPrefix(trimmed, "- ") && !sawKey && len(open) == 0 {
		valueOnLine = true // "- value": a complete list item
		return open, true, nil
	}
	return open, sawKey && valueOnLine && len(open) == 0, nil
}

func inFlow(open []opener) bool {
	for _, o := range open {
		if o.char == '[' || o.char == '{' {
			return true
		}
	}
	return false
}
