package yamlfile

// How does import add an entry without touching the rest of the file?
//
// It edits the text, not the node tree: re-encoding a whole file with
// yaml.v3 would move comments, drop blank lines and change quoting. The
// parsed tree only says where things are (line and column); the entry,
// rendered on its own, goes in as lines:
//   - after the last item of configurations, at the column of that list's
//     dashes, past the item's own lines and the comment lines indented
//     under the list that follow it (they belong to the list, not to what
//     comes next); separated by a blank line when the items are;
//   - for "configurations: []" (or ~, null, nothing), in place of the
//     empty value, the key's comment kept;
//   - without a configurations key, in a new one at the end of the file.
// Line ends follow the file's (CRLF stays CRLF), a file without a final
// newline still ends without one, and every other byte stays where it was.

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// insertEntry adds entry (one list item as text, its dash at column 0,
// lines ended by "\n") to the configurations list of data, the content of
// the file name. It returns the new content and the entry's first line.
func insertEntry(name string, data, entry []byte) ([]byte, int, error) {
	doc, err := parseDocument(name, bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	if err != nil {
		return nil, 0, err
	}
	t := newText(data)
	root := doc.Content[0]
	if root.Style&yaml.FlowStyle != 0 {
		return nil, 0, fileError(name, root.Line, root.Column, "the file is written as one mapping in braces ({...}); import adds to a block list",
			"run connectsync fmt on it first")
	}
	var key, seq *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "configurations" {
			key, seq = root.Content[i], root.Content[i+1]
		}
	}
	switch {
	case key == nil:
		// A new section at the end, after a blank line.
		block := "configurations:\n" + indent(string(entry), 2)
		line := t.lines() + 2 // the entry's line, after "configurations:"
		if !t.endsBlank() {
			block = "\n" + block
			line++
		}
		return t.insert(len(t.data), block), line, nil
	case seq.Kind == yaml.AliasNode:
		return nil, 0, fileError(name, seq.Line, seq.Column, "configurations is an alias (*"+seq.Value+"); import adds to a list written out",
			"write the list out, or add the entry by hand")
	case seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle != 0 && len(seq.Content) > 0:
		return nil, 0, fileError(name, seq.Line, seq.Column, "configurations is written in brackets ([...]); import adds to a block list",
			"run connectsync fmt on the file first, which writes it as a block")
	case seq.Kind == yaml.SequenceNode && len(seq.Content) > 0:
		return t.appendItem(seq, entry)
	case seq.Kind == yaml.SequenceNode || (seq.Kind == yaml.ScalarNode && seq.ShortTag() == "!!null"):
		// configurations: [] / ~ / null / nothing: the value becomes the list.
		at := key.Column - 1 + 2
		out, err := t.replaceEmpty(name, key, seq, indent(string(entry), at))
		return out, key.Line + 1, err
	}
	return nil, 0, fileError(name, seq.Line, seq.Column, "configurations is not a list", "write it as a list of configurations (- name: …)")
}

// indent puts n spaces before every non-empty line of s.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "")
}

// text is a file's content cut into lines that keep their line ends.
type text struct {
	data  []byte
	eol   string
	start []int // byte offset of each line; one past the last is len(data)
}

func newText(data []byte) *text {
	t := &text{data: data, eol: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		t.eol = "\r\n"
	}
	for i := 0; i < len(data); {
		t.start = append(t.start, i)
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return t
}

// lines is the number of lines.
func (t *text) lines() int { return len(t.start) }

// line returns line n (1-based) without its line end.
func (t *text) line(n int) string {
	end := len(t.data)
	if n < len(t.start) {
		end = t.start[n]
	}
	return strings.TrimRight(string(t.data[t.start[n-1]:end]), "\r\n")
}

// end is the offset just past line n, line end included.
func (t *text) end(n int) int {
	if n < len(t.start) {
		return t.start[n]
	}
	return len(t.data)
}

func (t *text) endsWithNewline() bool { return len(t.data) > 0 && t.data[len(t.data)-1] == '\n' }

// endsBlank reports whether the file ends with an empty line (or is empty).
func (t *text) endsBlank() bool {
	return t.lines() == 0 || (t.endsWithNewline() && strings.TrimSpace(t.line(t.lines())) == "")
}

// insert puts block (lines ended by "\n") at offset at, which is the start
// of a line or the end of the file, in the file's line ends. At the end of
// a file without a final newline, the block starts a new line and the file
// still ends without one.
func (t *text) insert(at int, block string) []byte {
	if at == len(t.data) && len(t.data) > 0 && !t.endsWithNewline() {
		block = "\n" + strings.TrimSuffix(block, "\n")
	}
	block = strings.ReplaceAll(block, "\n", t.eol)
	out := make([]byte, 0, len(t.data)+len(block))
	out = append(out, t.data[:at]...)
	out = append(out, block...)
	return append(out, t.data[at:]...)
}

// appendItem inserts entry after the last item of a block list.
func (t *text) appendItem(seq *yaml.Node, entry []byte) ([]byte, int, error) {
	dash := seq.Column - 1
	last := seq.Content[len(seq.Content)-1]
	after := t.itemEnd(last.Line, dash)
	block := indent(string(entry), dash)
	line := after + 1
	if t.blankBefore(seq.Content[len(seq.Content)-1], dash) || len(seq.Content) == 1 {
		block = "\n" + block
		line++
	}
	return t.insert(t.end(after), block), line, nil
}

// itemEnd is the last line of the list item starting on line first, whose
// dash is at column dash (0-based): its own lines, then the comment lines
// indented at least to the dash that follow it. What comes after a line at
// the dash's indentation or less (the next key, the next item) is not the
// item's.
func (t *text) itemEnd(first, dash int) int {
	last := first
	for n := first + 1; n <= t.lines(); n++ {
		l := t.line(n)
		trimmed := strings.TrimSpace(l)
		ind := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case trimmed == "":
		case strings.HasPrefix(trimmed, "#"):
			if ind < dash {
				return last
			}
			last = n
		case ind <= dash:
			return last
		default:
			last = n
		}
	}
	return last
}

// blankBefore reports whether a blank line separates item from what is
// above it (its head comment lines aside): the list's items are spaced.
func (t *text) blankBefore(item *yaml.Node, dash int) bool {
	n := item.Line - 1
	for n >= 1 {
		l := t.line(n)
		trimmed := strings.TrimSpace(l)
		if trimmed == "" {
			return true
		}
		if !strings.HasPrefix(trimmed, "#") {
			return false
		}
		n--
	}
	return false
}

// replaceEmpty puts block (the list, indented) in place of an empty
// configurations value: [] or ~ or null after the key, or nothing. The
// rest of the key's line (a comment) stays on it.
func (t *text) replaceEmpty(name string, key, value *yaml.Node, block string) ([]byte, error) {
	if value.Line != key.Line {
		return nil, fileError(name, value.Line, value.Column, "configurations has its empty value on a line of its own", "write configurations: [] on one line")
	}
	l := t.line(key.Line)
	from := value.Column - 1
	to := from
	switch {
	case value.Kind == yaml.SequenceNode: // [ ] on this line
		if i := strings.IndexByte(l[from:], ']'); i >= 0 {
			to = from + i + 1
		} else {
			return nil, fileError(name, value.Line, value.Column, "configurations: [ is closed on another line", "write configurations: [] on one line")
		}
	case value.Value != "": // ~ or null
		to = from + len(value.Value)
	default: // nothing after the colon
		from = len(l)
		to = from
	}
	if from > len(l) {
		from, to = len(l), len(l)
	}
	head := strings.TrimRight(l[:from], " ")
	rest := l[to:]
	if strings.TrimSpace(rest) == "" {
		rest = ""
	}
	lineStart := t.start[key.Line-1]
	newLine := head + rest + "\n" + block
	lineEnd := t.end(key.Line)
	hadEOL := lineEnd > lineStart && t.data[lineEnd-1] == '\n'
	if !hadEOL {
		newLine = strings.TrimSuffix(newLine, "\n")
	}
	newLine = strings.ReplaceAll(newLine, "\n", t.eol)
	out := make([]byte, 0, len(t.data)+len(newLine))
	out = append(out, t.data[:lineStart]...)
	out = append(out, newLine...)
	return append(out, t.data[lineEnd:]...), nil
}

// entryText renders one configurations item with yaml.v3: "- name: …".
func entryText(n *yaml.Node) ([]byte, error) {
	out, err := encode(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return out, nil
}
