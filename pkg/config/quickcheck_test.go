package config

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// slowValid is what readData did for every file before quickValid: the
// file is valid when toValue and the JSON Schema validator report nothing.
func slowValid(t testing.TB, root *yaml.Node) bool {
	var d diags
	value, dups, ok := toValue("f.yaml", root, &d)
	if !ok || len(dups) > 0 {
		return false
	}
	return len(validatorLeaves(t, value)) == 0 && len(d.list) == 0
}

// TestQuickCheckAgreesWithValidator generates files from the schema, most
// nearly valid and each with a few random mistakes (wrong types, unknown
// keys, values off an enum or a pattern, letter case, duplicates in lists,
// keys written twice, missing required keys), and checks that quickValid
// says valid exactly when the JSON Schema validator finds nothing.
func TestQuickCheckAgreesWithValidator(t *testing.T) {
	t.Parallel()
	if quickRoot() == nil {
		t.Fatal("the quick check does not interpret the embedded schema: every file takes the slow path")
	}
	doc := schemaDoc()
	valid, invalid := 0, 0
	for seed := range uint64(600) {
		g := &fileGen{r: rand.New(rand.NewPCG(seed, 16)), defs: doc["$defs"].(map[string]any)}
		g.mistakes = g.r.IntN(3) // 0: valid as far as the generator can tell
		root := g.node(doc, 0)
		text, err := yaml.Marshal(root)
		if err != nil {
			t.Fatal(err)
		}
		parsed, perr := ParseYAML("f.yaml", text)
		if perr != nil {
			continue
		}
		checkNarrowingChangesNothing(t, seed, parsed, text)
		checkSchemaErrorsMatch(t, seed, parsed, text)
		want := slowValid(t, parsed)
		if got := quickValid(parsed); got != want {
			t.Fatalf("seed %d: quickValid %v, validator %v, for:\n%s", seed, got, want, text)
		}
		if want {
			valid++
		} else {
			invalid++
		}
	}
	if valid < 60 || invalid < 60 {
		t.Errorf("too one-sided to mean much: %d valid files, %d invalid", valid, invalid)
	}
	if testing.Verbose() {
		t.Logf("%d valid files, %d invalid", valid, invalid)
	}
}

// checkNarrowingChangesNothing: the schema check of the narrowed value
// (toSchemaValue) reports what the check of the whole file did: the same
// problems and the same rejected pointers.
func checkNarrowingChangesNothing(t *testing.T, seed uint64, root *yaml.Node, text []byte) {
	t.Helper()
	check := func(convert func(string, *yaml.Node, *diags) (any, []string, bool)) ([]string, []string) {
		var d diags
		value, bad, ok := convert("f.yaml", root, &d)
		if ok {
			bad = append(bad, checkSchema("f.yaml", root, value, &d)...)
		}
		var msgs []string
		for _, x := range d.list.Sort() {
			msgs = append(msgs, x.Error())
		}
		slices.Sort(bad)
		return msgs, slices.Compact(bad)
	}
	wantMsgs, wantBad := check(toValue)
	gotMsgs, gotBad := check(toSchemaValue)
	if !slices.Equal(wantMsgs, gotMsgs) || !slices.Equal(wantBad, gotBad) {
		t.Fatalf("seed %d: narrowed check differs\nwhole:    %q %q\nnarrowed: %q %q\nfor:\n%s", seed, wantMsgs, wantBad, gotMsgs, gotBad, text)
	}
}

// TestQuickCheckCases are the files a generator does not write: aliases,
// merge keys, keys written twice, a scalar file.
func TestQuickCheckCases(t *testing.T) {
	t.Parallel()
	base := header + good
	cases := map[string]string{
		"valid":                 base,
		"merge key":             "version: 1\naccounts:\n  - {alias: a, accountId: \"1\"}\nx: &d {allUsers: true}\nconfigurations:\n  - {<<: *d, name: n}\n",
		"anchor in defaults":    "version: 1\naccounts:\n  - &a {alias: a, accountId: \"1\"}\ndefaults: &d {allUsers: true}\nconfigurations:\n  - {name: n}\n",
		"alias to a mapping":    "version: 1\naccounts:\n  - &a {alias: a, accountId: \"1\"}\n  - *a\nconfigurations: []\n",
		"key written twice":     strings.Replace(base, "    allUsers: true\n", "    allUsers: true\n    allUsers: false\n", 1),
		"twice in unknown":      base + "  - name: x\n    eventData: {version: restv2.1, version: legacy}\n",
		"quoted boolean":        strings.Replace(base, "allUsers: true", "allUsers: \"true\"", 1),
		"yes is not a boolean":  strings.Replace(base, "allUsers: true", "allUsers: yes", 1),
		"version 1.0":           strings.Replace(base, "version: 1", "version: 1.0", 1),
		"version one":           strings.Replace(base, "version: 1", "version: \"1\"", 1),
		"scalar file":           "hello\n",
		"empty list":            strings.Replace(base, "events: [envelope-sent]", "events: []", 1),
		"repeated event":        strings.Replace(base, "events: [envelope-sent]", "events: [envelope-sent, envelope-sent]", 1),
		"timestamp as a string": strings.Replace(base, "name: orders", "name: 2001-12-14", 1),
		"huge int as a string":  strings.Replace(base, "name: orders", "name: 123456789012345678901234567890", 1),
		"odd keys":              "version: 1\naccounts:\n  - {alias: a, accountId: \"1\", vars: {\"a b\": x, \"c/d~e\": y}}\nconfigurations:\n  - {name: n, \"my key/~1\": 1, \"%41\": 2}\n",
		"long list, a repeat":   strings.Replace(base, "events: [envelope-sent]", "events: [envelope-sent, envelope-delivered, envelope-completed, envelope-declined, envelope-voided, envelope-resent, recipient-sent, recipient-delivered, recipient-completed, recipient-declined, recipient-autoresponded, recipient-authenticationfailed, recipient-resent, recipient-delegate, recipient-reassign, recipient-finish-later, envelope-purge, envelope-deleted, envelope-corrected, envelope-discard, recipient-sent]", 1),
	}
	for name, text := range cases {
		root, perr := ParseYAML("f.yaml", []byte(text))
		if perr != nil {
			t.Fatalf("%s: %v", name, perr)
		}
		checkSchemaErrorsMatch(t, 0, root, []byte(text))
		if got, want := quickValid(root), slowValid(t, root); got != want {
			t.Errorf("%s: quickValid %v, validator %v", name, got, want)
		}
	}
}

// fileGen writes a random file following the schema, with mistakes.
type fileGen struct {
	r        *rand.Rand
	defs     map[string]any
	mistakes int
}

func (g *fileGen) oops() bool {
	if g.mistakes > 0 && g.r.IntN(40) == 0 {
		g.mistakes--
		return true
	}
	return false
}

func scalarNode(value, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag}
}

// junk is a value of any type.
func (g *fileGen) junk() *yaml.Node {
	switch g.r.IntN(9) {
	case 0:
		return scalarNode("true", "!!bool")
	case 1:
		return scalarNode("true", "!!str")
	case 2:
		return scalarNode("1", "!!int")
	case 3:
		return scalarNode("1.5", "!!float")
	case 4:
		return scalarNode("", "!!null")
	case 5:
		return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{scalarNode("x", "!!str")}}
	case 6:
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{scalarNode("k", "!!str"), scalarNode("v", "!!str")}}
	case 7:
		return scalarNode("", "!!str")
	}
	return scalarNode(g.str(), "!!str")
}

var stringPool = []string{"SIM", "sim", "aggregate", "Aggregate", "restv2.1", "RESTV2.1", "legacy", "json", "xml", "XML",
	"${env.PW}", "${env.pw-1}", "hunter2", "https://hooks.example.com/x", "http://h", "ftp://h", "acme-prod", "a.b_c", "_x", "9x", "-x",
	"envelope-sent", "Envelope-Sent", "Completed", "completed", "recipient-sent", "22210641", "abc123", "é", "x y", "present", "absent", "demo", "high"}

func (g *fileGen) str() string { return stringPool[g.r.IntN(len(stringPool))] }

func (g *fileGen) resolveRef(s map[string]any) map[string]any {
	if ref, ok := s["$ref"].(string); ok {
		return g.defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	}
	return s
}

func (g *fileGen) node(s map[string]any, depth int) *yaml.Node {
	s = g.resolveRef(s)
	if g.oops() || depth > 6 {
		return g.junk()
	}
	if enum, ok := s["enum"].([]any); ok {
		v := fmt.Sprint(enum[g.r.IntN(len(enum))])
		if g.oops() {
			v = strings.ToUpper(v)
		}
		return scalarNode(v, "!!str")
	}
	if c, ok := s["const"]; ok {
		return scalarNode(fmt.Sprint(c), "!!int")
	}
	switch t, _ := s["type"].(string); t {
	case "boolean":
		return scalarNode([]string{"true", "false", "True", "FALSE"}[g.r.IntN(4)], "!!bool")
	case "string":
		if ex, ok := s["examples"].([]any); ok && g.r.IntN(3) > 0 {
			return scalarNode(fmt.Sprint(ex[g.r.IntN(len(ex))]), "!!str")
		}
		pattern, ok := s["pattern"].(string)
		if !ok && g.r.IntN(3) > 0 {
			return scalarNode(fmt.Sprintf("value-%d", g.r.IntN(1000)), "!!str")
		}
		if ok && g.r.IntN(4) > 0 { // mostly a value that fits
			re := regexp.MustCompile(pattern)
			fits := slices.DeleteFunc(slices.Clone(stringPool), func(v string) bool { return !re.MatchString(v) })
			if len(fits) > 0 {
				return scalarNode(fits[g.r.IntN(len(fits))], "!!str")
			}
		}
		return scalarNode(g.str(), "!!str")
	case "array":
		items, _ := s["items"].(map[string]any)
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for range g.r.IntN(4) {
			if items == nil {
				n.Content = append(n.Content, g.junk())
				continue
			}
			item := g.node(items, depth+1)
			n.Content = append(n.Content, item)
			if item.Kind == yaml.ScalarNode && g.oops() {
				n.Content = append(n.Content, scalarNode(item.Value, item.Tag)) // listed twice
			}
		}
		return n
	case "object":
		return g.object(s, depth)
	}
	return g.junk()
}

func (g *fileGen) object(s map[string]any, depth int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	props, _ := s["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	var required []string
	list, _ := s["required"].([]any)
	for _, r := range list {
		required = append(required, r.(string))
	}
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, scalarNode(k, "!!str"), v) }
	for _, k := range names {
		req := slices.Contains(required, k)
		if (req && !g.oops()) || (!req && g.r.IntN(5) == 0) || (depth == 0 && g.r.IntN(5) > 0) {
			add(k, g.node(props[k].(map[string]any), depth+1))
			if g.oops() {
				add(k, g.node(props[k].(map[string]any), depth+1)) // written twice
			}
		}
	}
	if addl, ok := s["additionalProperties"].(map[string]any); ok {
		for i := range g.r.IntN(3) {
			key := fmt.Sprintf("v%d", i)
			if g.oops() {
				key = "bad-name"
			}
			add(key, g.node(addl, depth+1))
		}
	}
	if g.oops() {
		add("enabledLog", scalarNode("true", "!!bool")) // a key the schema does not know
	}
	return n
}

// TestFieldsFitTheLoadersScratch: prepare keeps a configuration's fields
// in arrays of maxFields entries.
func TestFieldsFitTheLoadersScratch(t *testing.T) {
	if len(Fields) > maxFields {
		t.Fatalf("%d fields, maxFields is %d: raise it", len(Fields), maxFields)
	}
}
