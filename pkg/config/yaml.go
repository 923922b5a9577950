package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file turns YAML into the generic JSON-like value the schema validator
// wants, while keeping the yaml.Node tree so that every value keeps its line
// and column. A JSON pointer from the validator is resolved back to a node.

// ParseYAML parses one file into its root node (the yaml.v3 tree keeps
// every line, column and comment). A syntax error becomes a diagnostic at
// the offending character when findSyntaxError recognises the mistake, else
// at the line yaml.v3 names (it gives no column). An empty file is an error,
// and so is a second document after "---": it would be ignored.
func ParseYAML(file string, data []byte) (*yaml.Node, *Diagnostic) {
	doc, d := ParseDocument(file, data)
	if d != nil {
		return nil, d
	}
	return doc.Content[0], nil
}

// ParseDocument is ParseYAML's document node, which also holds the
// comments above and below the root (fmt keeps them). It reads on to the
// end of the file: yaml.v3 attaches some comments only once it sees what
// follows them.
func ParseDocument(file string, data []byte) (*yaml.Node, *Diagnostic) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, syntaxDiagnostic(file, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Diagnostic{Severity: SeverityError, Pos: Pos{File: file, Line: 1, Col: 1},
			Message: "the file is empty", Hint: "start it with version: 1"}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF) || isEmptyDocument(&next) && errors.Is(dec.Decode(&yaml.Node{}), io.EOF):
	case err != nil:
		return nil, syntaxDiagnostic(file, data, err)
	default:
		return nil, &Diagnostic{Severity: SeverityError, Pos: Pos{File: file, Line: next.Line, Col: 1},
			Message: "the file holds a second YAML document (after ---); connectsync reads one document per file and would ignore it",
			Hint:    "put each document in a file of its own: connectsync reads several files at once"}
	}
	return &doc, nil
}

// isEmptyDocument: a trailing "---" followed by nothing (or only comments).
func isEmptyDocument(d *yaml.Node) bool {
	if len(d.Content) != 1 {
		return len(d.Content) == 0
	}
	n := d.Content[0]
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == ""
}

// syntaxDiagnostic places a yaml.v3 parse error as well as it can.
func syntaxDiagnostic(file string, data []byte, err error) *Diagnostic {
	if p := findSyntaxError(data); p != nil {
		return &Diagnostic{Severity: SeverityError, Pos: Pos{File: file, Line: p.line, Col: p.col},
			Message: "invalid YAML: " + p.message, Hint: p.hint}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{File: file, Line: 1, Col: 1}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(msg, m[0])
	}
	hint := "check the indentation and that every key is followed by a colon"
	if strings.Contains(msg, "found character that cannot start any token") {
		hint = "YAML does not allow tabs for indentation; use spaces"
	}
	// yaml.v3 gives the line where the construct began for some errors, so
	// the mistake may be a line or two further down.
	return &Diagnostic{Severity: SeverityError, Pos: pos, Message: "invalid YAML at or after this line: " + msg, Hint: hint}
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): `)

func posOf(file string, n *yaml.Node) Pos {
	return Pos{File: file, Line: n.Line, Col: n.Column}
}

// resolve follows YAML aliases (*anchor) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pair is one key and its value in a mapping, after merge keys are applied.
type pair struct{ key, value *yaml.Node }

// pairs lists a mapping's entries, expanding YAML merge keys (<<: *anchor).
// Keys written in the mapping itself win over merged ones.
func pairs(n *yaml.Node) []pair {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	own := make([]pair, 0, len(n.Content)/2)
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			v = resolve(v)
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				merged = append(merged, pairs(s)...)
			}
			continue
		}
		own = append(own, pair{k, v})
	}
	for _, m := range merged {
		if lookup(own, m.key.Value) == nil {
			own = append(own, m)
		}
	}
	return own
}

// mapEntries yields a mapping's entries as pairs lists them, without
// making the list when the mapping has no merge key (the common case).
func mapEntries(n *yaml.Node) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(k, v *yaml.Node) bool) {
		n = resolve(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if isMergeKey(n.Content[i]) {
				for _, p := range pairs(n) {
					if !yield(p.key, p.value) {
						return
					}
				}
				return
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i], n.Content[i+1]) {
				return
			}
		}
	}
}

func isMergeKey(k *yaml.Node) bool { return k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) }

func lookup(ps []pair, key string) *pair {
	for i := range ps {
		if ps[i].key.Value == key {
			return &ps[i]
		}
	}
	return nil
}

// child returns the value under key in a mapping node, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if p := lookup(pairs(n), key); p != nil {
		return resolve(p.value)
	}
	return nil
}

// maxValues bounds how many values a file may expand to. YAML aliases can
// make a small file expand exponentially ("billion laughs"); no real
// connectsync file comes near this.
const maxValues = 2_000_000

// converter turns a node tree into the JSON-like value the validator accepts
// (map[string]any, []any, string, bool, int64, float64, nil), reporting
// duplicate keys, which yaml.v3 leaves in the node tree, and collecting their
// JSON pointers in dups.
type converter struct {
	file  string
	d     *diags
	dups  []string
	count int
	// item, when set, narrows each configuration to what the schema needs
	// to see (see toSchemaValue).
	item *quickSchema
}

// toValue converts a node tree; ok is false (and reported) when it expands
// past maxValues.
func toValue(file string, n *yaml.Node, d *diags) (value any, dups []string, ok bool) {
	c := &converter{file: file, d: d}
	v := c.value(n, "", "")
	if c.count > maxValues {
		d.errorf(Pos{File: file, Line: 1, Col: 1}, "", "use fewer aliases (*name); a file this large is not needed",
			"the file expands to more than %d values through YAML aliases", maxValues)
		return nil, nil, false
	}
	return v, c.dups, true
}

// toSchemaValue is toValue for the schema check, with each configuration
// narrowed: a key whose value quickValid finds valid is left out (the
// required ones kept). The schema checks each key of a configuration on
// its own, so it reports the same; it just has less to convert and check,
// and a file of many configurations with a mistake each is checked in time
// linear in the mistakes, not in everything written.
func toSchemaValue(file string, n *yaml.Node, d *diags) (value any, dups []string, ok bool) {
	c := &converter{file: file, d: d, item: configurationSchema()}
	v := c.value(n, "", "")
	if c.count > maxValues {
		d.errorf(Pos{File: file, Line: 1, Col: 1}, "", "use fewer aliases (*name); a file this large is not needed",
			"the file expands to more than %d values through YAML aliases", maxValues)
		return nil, nil, false
	}
	return v, c.dups, true
}

func (c *converter) value(n *yaml.Node, path, pointer string) any {
	if c.count++; c.count > maxValues {
		return nil
	}
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		seen := map[string]*yaml.Node{}
		narrow := c.item != nil && strings.HasPrefix(pointer, "/configurations/") && strings.Count(pointer, "/") == 2
		for _, p := range pairs(n) {
			key := p.key.Value
			if first, dup := seen[key]; dup {
				c.d.errorf(posOf(c.file, p.key), joinPath(path, key), "keep one of them",
					"key %q is written twice (first at line %d)", key, first.Line)
				c.dups = append(c.dups, pointer+"/"+escapePointer(key))
				continue
			}
			seen[key] = p.key
			if narrow {
				if sub, known := c.item.props[key]; known && !slices.Contains(c.item.required, key) {
					q := quickWalk{count: c.count}
					if q.valid(sub, p.value) {
						c.count = q.count // counted, as converting it would
						continue
					}
				}
			}
			m[key] = c.value(p.value, joinPath(path, key), pointer+"/"+escapePointer(key))
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			s = append(s, c.value(item, fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%s/%d", pointer, i)))
		}
		return s
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

func escapePointer(key string) string { return pointerEscaper.Replace(key) }

// joinPath appends a mapping key to a path: configurations[2] + events.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// nodeAt resolves a JSON pointer (/configurations/2/events/0) against the
// tree. It returns the deepest node it reached, the key node of the last
// mapping step (nil for sequences), and the path in file notation.
func nodeAt(root *yaml.Node, pointer string) (n, key *yaml.Node, path string) {
	n = resolve(root)
	if pointer == "" || pointer == "/" {
		return n, nil, ""
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = pointerUnescaper.Replace(tok)
		switch n.Kind {
		case yaml.MappingNode:
			p := lookup(pairs(n), tok)
			if p == nil {
				return n, key, path
			}
			n, key, path = resolve(p.value), p.key, joinPath(path, tok)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n, key, path
			}
			n, key, path = resolve(n.Content[i]), nil, fmt.Sprintf("%s[%d]", path, i)
		default:
			return n, key, path
		}
	}
	return n, key, path
}
