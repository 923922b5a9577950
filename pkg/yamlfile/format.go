package yamlfile

// How does fmt rewrite a file without losing anything?
//
// It parses the file with yaml.v3, which keeps every comment on the node it
// belongs to (HeadComment above, LineComment beside, FootComment below),
// rearranges that tree, and encodes it again:
//   - mapping keys in the schema's order (unknown keys after the known ones,
//     as written; merge keys "<<" first), each key moving with its value
//     and its comments;
//   - two-space indentation; the sections, accounts and configurations as
//     blocks; lists of scalars (events, userIds, accounts…) on one line,
//     unless an item carries a comment, which only a block keeps in place;
//     other small mappings (eventData, vars) as the author wrote them;
//   - one blank line between top-level sections and between configurations.
//
// yaml.v3 has two habits that would move comments: a key's LineComment is
// written after the *next* key when the value is a scalar or a flow list,
// so such comments are moved onto the value; and a comment inside a list in
// brackets that spans lines is dropped by its parser, so fmt refuses those.
// Blank lines are marked with a comment line before encoding and turned
// into empty lines after, since yaml.v3 has no notion of them.
//
// Whatever the rearranging does, the result is checked before it is
// returned: it must decode to the same value as the original (meaning), and
// hold the same comment lines. Otherwise Format fails and the file stays as
// it is. And since yaml.v3 does not always read a comment back onto the node
// it was written from, Format repeats until its output no longer changes.

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/connectsync/connectsync/pkg/config"
)

// Format returns data (the content of the file name) in connectsync's
// canonical form. A file that is not valid YAML, holds several documents,
// writes a key twice or cannot be formatted without losing a comment is a
// config.Diagnostic naming the place. Formatting is idempotent: formatting
// the result again changes nothing.
func Format(name string, data []byte) ([]byte, error) {
	// yaml.v3 keeps the \r of CRLF line ends in comments and drops some
	// comments of CRLF files; the file's line ends are put back at the end.
	crlf := bytes.Contains(data, []byte("\r\n"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	out, err := formatOnce(name, data)
	if err != nil {
		return nil, err
	}
	// yaml.v3 may read a comment back attached to another node than the one
	// it was written from, and then write it elsewhere: passes repeat until
	// the text settles, so that fmt of fmt changes nothing.
	for pass := 1; ; pass++ {
		again, err := formatOnce(name, out)
		if err != nil {
			return nil, fmt.Errorf("%s: fmt cannot read back what it wrote (a bug in connectsync fmt; please report it); the file is left as it is: %v", name, err)
		}
		if bytes.Equal(again, out) {
			break
		}
		if pass == 3 {
			return nil, fmt.Errorf("%s: fmt does not settle on one layout (a bug in connectsync fmt; please report it); the file is left as it is", name)
		}
		out = again
	}
	if crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out, nil
}

// formatOnce is one pass of Format over text with "\n" line ends.
func formatOnce(name string, data []byte) ([]byte, error) {
	doc, err := parseDocument(name, data)
	if err != nil {
		return nil, err
	}
	if err := checkFlowComments(name, data, doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	var header string // the comment above the first key heads the file
	if len(root.Content) > 0 {
		header, root.Content[0].HeadComment = root.Content[0].HeadComment, ""
	}
	normalize(root, fileShape(), true)
	if len(root.Content) > 0 {
		root.Content[0].HeadComment = joinLines(header, root.Content[0].HeadComment)
		for i := 2; i < len(root.Content); i += 2 {
			markBlank(root.Content[i])
		}
		// Below a last section written on one line, yaml.v3 reads a comment
		// back as the file's last comment.
		if k, v := root.Content[len(root.Content)-2], root.Content[len(root.Content)-1]; k.FootComment != "" && !isBlock(v) {
			doc.FootComment = joinLines(k.FootComment, doc.FootComment)
			k.FootComment = ""
		}
		if seq := mapValue(root, "configurations"); seq != nil && seq.Kind == yaml.SequenceNode {
			for _, item := range seq.Content[min(1, len(seq.Content)):] {
				markBlank(item)
			}
		}
	}
	if err := checkAnchors(name, doc); err != nil {
		return nil, err
	}
	out, err := encode(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: fmt: %w", name, err)
	}
	out = blankLines(out)
	if err := samePayload(name, data, out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseDocument parses the file into its document node, with the loader's
// diagnostics for syntax errors, and refuses what fmt could not write back.
func parseDocument(name string, data []byte) (*yaml.Node, error) {
	doc, d := config.ParseDocument(name, data)
	if d != nil {
		return nil, *d
	}
	if root := doc.Content[0]; root.Kind != yaml.MappingNode {
		return nil, fileError(name, root.Line, root.Column, "the file is not a mapping of keys (version:, accounts:, configurations:)", "start it with version: 1")
	}
	if err := checkDuplicates(name, doc.Content[0]); err != nil {
		return nil, err
	}
	return doc, nil
}

// decode parses the first document, reading on to the end: yaml.v3
// attaches some comments only once it sees what follows them (yaml.Unmarshal
// stops before and loses them).
func decode(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc := &yaml.Node{}
	if err := dec.Decode(doc); err != nil {
		return nil, err
	}
	_ = dec.Decode(&yaml.Node{})
	return doc, nil
}

func fileError(name string, line, col int, msg, hint string) config.Diagnostic {
	return config.Diagnostic{Severity: config.SeverityError, Pos: config.Pos{File: name, Line: line, Col: col}, Message: msg, Hint: hint}
}

// checkDuplicates refuses a key written twice in one mapping (which of the
// two counts would depend on the order fmt puts them in), and a key with
// no name.
func checkDuplicates(name string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if isMerge(k) {
				continue
			}
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!null" && k.Value == "" {
				// yaml.v3 would write it back as a key named "".
				return fileError(name, k.Line, k.Column, "a key without a name", "write the key before the colon")
			}
			if first, dup := seen[k.Value]; dup {
				return fileError(name, k.Line, k.Column, fmt.Sprintf("key %q is written twice (first at line %d)", k.Value, first.Line), "keep one of them")
			}
			seen[k.Value] = k
		}
	}
	for _, c := range n.Content {
		if err := checkDuplicates(name, c); err != nil {
			return err
		}
	}
	return nil
}

// checkFlowComments refuses a list or mapping in brackets that spans lines
// and holds a comment: yaml.v3 drops some of those comments when parsing.
func checkFlowComments(name string, data []byte, doc *yaml.Node) error {
	lines := strings.Split(string(data), "\n")
	var bad *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if bad != nil {
			return
		}
		if (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && n.Style&yaml.FlowStyle != 0 {
			last := lastLine(n)
			for l := n.Line; l <= last && l <= len(lines); l++ {
				text := lines[l-1]
				if l == n.Line {
					text = text[min(max(n.Column-1, 0), len(text)):]
				}
				if l < last && config.StripComment(text) != text {
					bad = n
					return
				}
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
	if bad != nil {
		return fileError(name, bad.Line, bad.Column, "a comment inside a list or mapping in brackets that spans several lines cannot be kept",
			"write it as a block (one item per line) or move the comment above it")
	}
	return nil
}

// lastLine is the last line a node's text reaches, as far as its
// descendants tell (the closing bracket may be further down).
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// normalize rearranges n in place: keys in the schema's order, the styles
// of the canonical form, comments where yaml.v3 writes them back in place.
// block forces a mapping or list of mappings to be written as a block.
func normalize(n *yaml.Node, s *shape, block bool) {
	defer explicitNulls(n)
	switch n.Kind {
	case yaml.MappingNode:
		if block && len(n.Content) > 0 {
			n.Style &^= yaml.FlowStyle
		}
		// A comment below the last key closes the block: it stays last.
		var foot string
		if len(n.Content) > 0 {
			last := n.Content[len(n.Content)-2]
			foot, last.FootComment = last.FootComment, ""
		}
		sortKeys(n, s)
		if isBlock(n) && n.LineComment != "" {
			// A mapping that was in brackets: its comment goes on its first
			// line; yaml.v3 would write it on the next item's, or drop it.
			first, value := n.Content[0], n.Content[1]
			if isBlock(value) {
				first.LineComment = joinComments(first.LineComment, n.LineComment)
			} else {
				value.LineComment = joinComments(value.LineComment, n.LineComment)
			}
			n.LineComment = ""
		}
		if len(n.Content) > 0 {
			last := n.Content[len(n.Content)-2]
			last.FootComment = joinLines(last.FootComment, foot)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isMerge(k) {
				k.Tag = "" // yaml.v3 would write "!!merge <<"
			}
			sub := s.prop(k.Value)
			normalize(v, sub, block && s == fileShape()) // the sections are blocks
			if s != fileShape() {
				sinkFootComment(k, v)
			}
			if isBlock(v) && v.LineComment != "" {
				// A list or mapping that was in brackets has its comment
				// after the key now.
				k.LineComment = joinComments(k.LineComment, v.LineComment)
				v.LineComment = ""
			}
			if k.LineComment != "" && !isBlock(v) {
				// yaml.v3 writes a key's line comment after the next key
				// when the value sits on the key's line.
				v.LineComment = joinComments(k.LineComment, v.LineComment)
				k.LineComment = ""
			}
		}
		// A comment below a key that is not the last goes above the next
		// key: yaml.v3 writes a blank line after a foot comment, and its
		// parser drops a comment followed by a blank line in a mapping.
		for i := 2; i < len(n.Content); i += 2 {
			prev, k := n.Content[i-2], n.Content[i]
			k.HeadComment = joinLines(prev.FootComment, k.HeadComment)
			prev.FootComment = ""
		}
	case yaml.SequenceNode:
		if s != nil && s.items != nil && !s.objects {
			if flowable(n) {
				n.Style |= yaml.FlowStyle
			} else {
				n.Style &^= yaml.FlowStyle
			}
		}
		objects := s != nil && s.objects
		if objects && len(n.Content) > 0 {
			n.Style &^= yaml.FlowStyle
		}
		var items *shape
		if s != nil {
			items = s.items
		}
		for _, item := range n.Content {
			normalize(item, items, objects)
			if item.Kind == yaml.MappingNode && isBlock(item) && n.Style&yaml.FlowStyle == 0 {
				// Above the dash, not after it.
				first := item.Content[0]
				item.HeadComment = joinLines(item.HeadComment, first.HeadComment)
				first.HeadComment = ""
			}
		}
	}
}

// sinkFootComment moves the comment below a key whose value is a block
// down to the last key or item inside it: yaml.v3 reads a comment there
// back either way, depending on what follows, so only that place is a
// fixed point.
func sinkFootComment(k, v *yaml.Node) {
	for k.FootComment != "" && isBlock(v) {
		last := v.Content[len(v.Content)-1]
		if v.Kind == yaml.MappingNode {
			last = v.Content[len(v.Content)-2]
		}
		last.FootComment = joinLines(k.FootComment, last.FootComment)
		k.FootComment = ""
		if v.Kind == yaml.SequenceNode && isBlock(last) && last.Kind == yaml.MappingNode {
			k, v = last.Content[len(last.Content)-2], last.Content[len(last.Content)-1]
			k.FootComment, last.FootComment = last.FootComment, ""
			continue
		}
		if v.Kind == yaml.MappingNode {
			k, v = last, v.Content[len(v.Content)-1]
		}
	}
}

// explicitNulls writes as null the empty values in a list or mapping in
// brackets: yaml.v3 would write them as an empty quoted string ({x, y: } is
// {x: null, y: null}).
func explicitNulls(n *yaml.Node) {
	if n.Style&yaml.FlowStyle == 0 {
		return
	}
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode && c.ShortTag() == "!!null" && c.Value == "" {
			c.Value = "null"
		}
	}
}

// isBlock reports whether a value is written below its key (a non-empty
// block mapping or list) rather than on the key's line.
func isBlock(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0
}

// flowable reports whether a list can be written on one line and keep its
// comments: scalars only, none with a comment or a block scalar.
func flowable(n *yaml.Node) bool {
	if n.HeadComment != "" || n.FootComment != "" {
		return false
	}
	for _, c := range n.Content {
		switch {
		case c.Kind != yaml.ScalarNode && c.Kind != yaml.AliasNode,
			c.HeadComment != "" || c.LineComment != "" || c.FootComment != "",
			c.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			return false
		}
	}
	return true
}

// sortKeys orders a mapping's pairs: merge keys first, then the schema's
// keys in its order, then unknown keys as written.
func sortKeys(n *yaml.Node, s *shape) {
	type kv struct{ k, v *yaml.Node }
	pairs := make([]kv, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, kv{n.Content[i], n.Content[i+1]})
	}
	rank := func(p kv) int {
		if isMerge(p.k) {
			return -1
		}
		return s.rank(p.k.Value)
	}
	slices.SortStableFunc(pairs, func(a, b kv) int { return rank(a) - rank(b) })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && (k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0))
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func joinComments(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + " " + b
}

// blankMarker is a comment line that stands for a blank line until the
// encoded text is ready; it cannot occur in a file (it holds a NUL-free but
// unlikely sequence and is checked by samePayload's comment comparison).
const blankMarker = "#connectsync-fmt:blank-line"

// markBlank asks for a blank line above n (and above its comments).
func markBlank(n *yaml.Node) {
	n.HeadComment = joinLines(blankMarker, n.HeadComment)
}

func joinLines(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "\n" + b
}

// blankLines turns each marker line into one blank line, absorbing the
// blank lines yaml.v3 wrote just above it (after a foot comment).
func blankLines(out []byte) []byte {
	lines := strings.SplitAfter(string(out), "\n")
	kept := make([]string, 0, len(lines))
	for _, l := range lines {
		if strings.TrimSpace(l) == blankMarker {
			for len(kept) > 0 && strings.TrimSpace(kept[len(kept)-1]) == "" {
				kept = kept[:len(kept)-1]
			}
			kept = append(kept, "\n")
			continue
		}
		kept = append(kept, l)
	}
	return []byte(strings.Join(kept, ""))
}

// checkAnchors refuses a key order that would put an alias (*name) before
// its anchor (&name): YAML reads them in order, so the file would break.
func checkAnchors(name string, doc *yaml.Node) error {
	seen := map[string]bool{}
	var err error
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if err != nil {
			return
		}
		if n.Anchor != "" {
			seen[n.Anchor] = true
		}
		if n.Kind == yaml.AliasNode && !seen[n.Value] {
			err = fileError(name, n.Line, n.Column, fmt.Sprintf("the canonical key order would put alias *%s before its anchor &%s", n.Value, n.Value),
				"write the value out instead of the alias, or anchor it in a key that comes earlier in the schema's order")
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
	return err
}

// samePayload checks the formatted text against the original: the same
// value once decoded, and the same comment lines. Either failing is a bug
// in fmt, reported rather than written.
func samePayload(name string, before, after []byte) error {
	var b, a any
	if err := yaml.Unmarshal(before, &b); err != nil {
		// Such as aliases expanding past yaml.v3's bound ("billion laughs").
		return fileError(name, 1, 1, "fmt cannot read the file's values to check its work: "+strings.TrimPrefix(err.Error(), "yaml: "),
			"use fewer aliases (*name), or format the file by hand")
	}
	errA := yaml.Unmarshal(after, &a)
	if errA != nil || !reflect.DeepEqual(a, b) {
		return fmt.Errorf("%s: fmt would change what the file means (a bug in connectsync fmt; please report it); the file is left as it is", name)
	}
	docB, errB := decode(before)
	docA, errA := decode(after)
	if errB != nil || errA != nil || !slices.Equal(commentLines(docB), commentLines(docA)) {
		return fmt.Errorf("%s: fmt would lose or change a comment (a bug in connectsync fmt; please report it); the file is left as it is", name)
	}
	return nil
}

// commentLines lists the text of every comment in a tree, sorted, split at
// each "#" so that two comments joined on one line still count as both.
func commentLines(n *yaml.Node) []string {
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, l := range strings.FieldsFunc(c, func(r rune) bool { return r == '\n' || r == '#' }) {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	slices.Sort(out)
	return out
}
