package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/connectsync/connectsync/schema"
)

// The validator's own messages ("additionalProperties 'x' not allowed") name
// neither a place nor a fix. checkSchema takes each failing keyword
// (schemaErrors), finds the YAML node behind its JSON pointer and writes a
// message in the file's own terms, with a did-you-mean where one helps.

// schemaDoc is the schema as a plain JSON value: what quickValid and
// schemaErrors interpret, and where hints read enums and property names.
var schemaDoc = sync.OnceValue(func() map[string]any {
	var doc map[string]any
	if err := json.Unmarshal(schema.File, &doc); err != nil {
		panic("schema: embedded schema is not JSON: " + err.Error())
	}
	return doc
})

// checkSchema validates one file's value and returns the JSON pointers of
// the values it found wrong.
func checkSchema(file string, root *yaml.Node, value any, d *diags) []string {
	var bad []string
	for _, leaf := range schemaErrors(value) {
		bad = append(bad, describe(file, root, leaf, d)...)
	}
	return bad
}

// describe turns one failing keyword into diagnostics and returns the
// pointers of the values at fault: for an unknown or missing key, the key's
// own pointer, so that the rest of its mapping can still be checked.
func describe(file string, root *yaml.Node, ve schemaLeaf, d *diags) (bad []string) {
	bad = []string{ve.Instance}
	n, _, path := nodeAt(root, ve.Instance)
	pos := posOf(file, n)
	keyword := ve.Keyword
	schemaAt := ve.Schema
	field := fieldName(ve.Instance)

	switch keyword {
	case "additionalProperties", "unevaluatedProperties":
		bad = nil
		allowed := propertyNames(schemaAt)
		for _, p := range pairs(n) {
			k := p.key.Value
			if slices.Contains(allowed, k) {
				continue
			}
			kpos, kpath := posOf(file, p.key), joinPath(path, k)
			bad = append(bad, ve.Instance+"/"+k)
			if why, ok := ReadOnlyFields[k]; ok {
				d.errorf(kpos, kpath, "remove it", "%s is read-only: %s", k, why)
				continue
			}
			d.errorf(kpos, kpath, didYouMean(k, allowed), "unknown key %q", k)
		}
	case "required":
		bad = nil
		for _, missing := range missingProperties(ve.Message) {
			bad = append(bad, ve.Instance+"/"+missing)
			d.errorf(pos, path, "add "+missing+": …", "missing required key %q", missing)
		}
	case "type":
		want := ve.Message
		if i := strings.Index(want, ", but got"); i > 0 {
			want = strings.TrimPrefix(want[:i], "expected ")
		}
		hint := ""
		switch {
		case want == "boolean" && n.Kind == yaml.ScalarNode && (strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "false")):
			hint = fmt.Sprintf("write %s without quotes: connectsync sends DocuSign's string form itself", strings.ToLower(n.Value))
		case want == "boolean":
			hint = "write true or false"
		case want == "array" && n.Kind == yaml.ScalarNode:
			hint = fmt.Sprintf("write a list, e.g. [%s]", excerpt(n.Value))
		case want == "string" && n.Kind == yaml.ScalarNode:
			hint = fmt.Sprintf("quote it: %q", excerpt(n.Value))
		}
		if path == "" && n.Kind == yaml.ScalarNode {
			// The whole file is one value: text that is not a connectsync
			// file at all. Quote none of it (it may be a key file).
			d.errorf(pos, path, "a connectsync file starts with version: 1 (see examples/quickstart.yaml)", "the file is not a mapping of keys: it holds plain text")
			return
		}
		d.errorf(pos, path, hint, "%s must be %s, not %s", field, article(want), describeNode(n))
	case "enum":
		allowed := stringList(schemaAt)
		what := "value"
		if strings.HasSuffix(strings.ToLower(field), "events") {
			what = "event"
		}
		if s := suggest(n.Value, allowed); s != "" && strings.EqualFold(s, n.Value) {
			d.errorf(pos, path, fmt.Sprintf("write %q%s", s, caseNote(field)), "%s %q has the wrong letter case", what, excerpt(n.Value))
			return
		}
		d.errorf(pos, path, didYouMean(n.Value, allowed), "unknown %s %q", what, excerpt(n.Value))
	case "const":
		d.errorf(pos, path, "write version: 1", "unsupported file version %q", excerpt(n.Value))
	case "pattern":
		describePattern(field, n, pos, path, d)
	case "minLength":
		d.errorf(pos, path, "remove the key to leave the field as it is in DocuSign: an empty value cannot be sent reliably (DocuSign leaves empty fields out)",
			"%s must not be empty", field)
	case "minItems":
		d.errorf(pos, path, "remove the key to mean every account", "%s must not be an empty list", field)
	case "uniqueItems":
		i, j := duplicateIndexes(ve.Message)
		if n.Kind == yaml.SequenceNode && j < len(n.Content) {
			dup := resolve(n.Content[j])
			d.errorf(posOf(file, dup), fmt.Sprintf("%s[%d]", path, j), "remove one of them",
				"%q is listed twice (also at index %d)", excerpt(dup.Value), i)
			return
		}
		d.errorf(pos, path, "remove the repeated value", "%s lists a value twice", field)
	default:
		d.errorf(pos, path, "", "%s", ve.Message)
	}
	return bad
}

func describePattern(field string, n *yaml.Node, pos Pos, path string, d *diags) {
	switch field {
	case "password", "salesforceAuthcode", "clientSecret":
		d.errorf(pos, path, fmt.Sprintf("write %s: ${env.NAME} and set NAME in the environment", field),
			"%s is a secret: it may only come from the environment, never from the file", field)
	case "deliveryMode":
		d.errorf(pos, path, didYouMean(n.Value, []string{"SIM", "aggregate"}), "unknown deliveryMode %q", excerpt(n.Value))
	case "envelopeEvents", "recipientEvents":
		var known []string
		for _, v := range sentenceCase[field] {
			known = append(known, v)
		}
		sort.Strings(known)
		d.errorf(pos, path, didYouMean(n.Value, known), "unknown event %q", excerpt(n.Value))
	case "version":
		d.errorf(pos, path, didYouMean(n.Value, []string{"restv2.1", "legacy"}), "unknown eventData.version %q", excerpt(n.Value))
	case "format":
		d.errorf(pos, path, didYouMean(n.Value, []string{"json", "xml"}), "unknown eventData.format %q", excerpt(n.Value))
	case "alias":
		d.errorf(pos, path, "use letters, digits, '.', '_' and '-', starting with a letter or digit", "invalid alias %q", excerpt(n.Value))
	case "connectId":
		d.errorf(pos, path, "connectId is DocuSign's numeric id, e.g. \"22210641\"", "invalid connectId %q", excerpt(n.Value))
	case "baseUri":
		d.errorf(pos, path, "write the base URI with its scheme, e.g. https://na3.docusign.net", "invalid baseUri %q", excerpt(n.Value))
	default:
		if strings.HasPrefix(path, "accounts") && strings.Contains(path, ".vars") {
			d.errorf(pos, path, "use letters, digits and '_', starting with a letter or '_'", "invalid variable name")
			return
		}
		d.errorf(pos, path, "", "%s: invalid value %q", field, excerpt(n.Value))
	}
}

func propertyNames(s map[string]any) []string {
	props, _ := s["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func stringList(s map[string]any) []string {
	list, _ := s["enum"].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if str, ok := v.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

func missingProperties(msg string) []string {
	_, list, ok := strings.Cut(msg, "missing properties: ")
	if !ok {
		return nil
	}
	var out []string
	for _, p := range strings.Split(list, ", ") {
		out = append(out, strings.Trim(p, `'"`))
	}
	return out
}

func duplicateIndexes(msg string) (i, j int) {
	fmt.Sscanf(msg, "items at index %d and %d are equal", &i, &j)
	return i, j
}

// fieldName is the last key in a pointer, skipping list indexes.
func fieldName(pointer string) string {
	toks := strings.Split(pointer, "/")
	for k := len(toks) - 1; k >= 0; k-- {
		if _, err := strconv.Atoi(toks[k]); err != nil && toks[k] != "" {
			return toks[k]
		}
	}
	return "the file"
}

func caseNote(field string) string {
	switch field {
	case "envelopeEvents", "recipientEvents":
		return " (DocuSign's sentence case)"
	case "events":
		return " (DocuSign's event names are lower case)"
	}
	return ""
}

func article(t string) string {
	switch t {
	case "boolean":
		return "a boolean (true or false)"
	case "array":
		return "a list"
	case "object":
		return "a mapping (key: value)"
	case "string":
		return "a string"
	case "integer", "number":
		return "a number"
	}
	return t
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "empty"
	case "!!str":
		return fmt.Sprintf("the string %q", excerpt(n.Value))
	}
	return n.Value
}

// excerpt cuts a value from the file for a message: its first line, at
// most 40 characters. Messages quote the offending line, never more of the
// file (a value may be text pasted from elsewhere, a key file even).
func excerpt(s string) string {
	s, _, cut := strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	} else if cut {
		return s + "…"
	}
	return s
}
