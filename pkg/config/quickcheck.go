package config

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// A valid file need not go through the JSON Schema validator, which wants
// the whole file converted to generic values first and costs more than
// parsing it. quickValid answers one question on the YAML node tree itself:
// is this file free of everything the slow path would report (a key written
// twice, too many values through aliases, any schema error)? Only when it
// says no does readData take the slow path, which finds and describes each
// problem exactly as before.
//
// It interprets the keywords the embedded schema uses (type, properties,
// additionalProperties, required, items, enum, const, pattern, minLength,
// minItems, uniqueItems, propertyNames, $ref) with the validator's rules; a
// schema with any other keyword is not interpreted at all (every file takes
// the slow path). TestQuickCheckAgreesWithValidator holds it to the
// validator on thousands of generated files.

// quickSchema is one schema object, compiled for quickValid.
type quickSchema struct {
	raw           map[string]any // the schema object as written, for hints
	types         []string       // JSON types allowed; nil allows every type
	props         map[string]*quickSchema
	addl          *quickSchema // additionalProperties as a schema
	noAddl        bool         // additionalProperties: false
	required      []string
	items         *quickSchema
	enum          []any
	constant      []any // one value when const is given
	pattern       *regexp.Regexp
	minLength     int
	minItems      int
	uniqueItems   bool
	propertyNames *quickSchema
	ref           string // "#/$defs/name", resolved into refTo
	refTo         *quickSchema
}

// annotations are keywords that do not affect validation.
var annotations = map[string]bool{"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"examples": true, "default": true, "writeOnly": true, "readOnly": true, "deprecated": true, "$defs": true}

// quickRoot is the file schema compiled for quickValid, or nil when it uses
// a keyword quickValid does not interpret. Compiled on first use.
var quickRoot = sync.OnceValue(func() *quickSchema {
	doc := schemaDoc()
	defs := map[string]*quickSchema{}
	root, err := compileQuick(doc, defs)
	if err != nil {
		return nil
	}
	rawDefs, _ := doc["$defs"].(map[string]any)
	for name, d := range rawDefs {
		m, ok := d.(map[string]any)
		if !ok {
			return nil
		}
		if defs[name], err = compileQuick(m, defs); err != nil {
			return nil
		}
	}
	var link func(s *quickSchema) bool
	seen := map[*quickSchema]bool{}
	link = func(s *quickSchema) bool {
		if s == nil || seen[s] {
			return true
		}
		seen[s] = true
		if s.ref != "" {
			name, ok := strings.CutPrefix(s.ref, "#/$defs/")
			if s.refTo = defs[name]; !ok || s.refTo == nil {
				return false
			}
		}
		for _, p := range s.props {
			if !link(p) {
				return false
			}
		}
		return link(s.addl) && link(s.items) && link(s.propertyNames) && link(s.refTo)
	}
	if !link(root) {
		return nil
	}
	return root
})

func compileQuick(m map[string]any, defs map[string]*quickSchema) (*quickSchema, error) {
	s := &quickSchema{raw: m}
	for k, v := range m {
		if annotations[k] {
			continue
		}
		var err error
		switch k {
		case "type":
			switch t := v.(type) {
			case string:
				s.types = []string{t}
			case []any:
				for _, x := range t {
					str, ok := x.(string)
					if !ok {
						return nil, fmt.Errorf("type %v", v)
					}
					s.types = append(s.types, str)
				}
			default:
				return nil, fmt.Errorf("type %v", v)
			}
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("properties")
			}
			s.props = map[string]*quickSchema{}
			for name, p := range props {
				pm, ok := p.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("property %s", name)
				}
				if s.props[name], err = compileQuick(pm, defs); err != nil {
					return nil, err
				}
			}
		case "additionalProperties":
			switch a := v.(type) {
			case bool:
				s.noAddl = !a
			case map[string]any:
				s.addl, err = compileQuick(a, defs)
			default:
				return nil, fmt.Errorf("additionalProperties")
			}
		case "required":
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("required")
			}
			for _, x := range list {
				str, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("required")
				}
				s.required = append(s.required, str)
			}
		case "items", "propertyNames":
			sub, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s", k)
			}
			c, err := compileQuick(sub, defs)
			if err != nil {
				return nil, err
			}
			if k == "items" {
				s.items = c
			} else {
				s.propertyNames = c
			}
		case "enum":
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("enum")
			}
			s.enum = list
		case "const":
			s.constant = []any{v}
		case "pattern":
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("pattern")
			}
			if s.pattern, err = regexp.Compile(str); err != nil {
				return nil, err
			}
		case "minLength", "minItems":
			f, ok := v.(float64)
			if !ok || f < 0 || f != float64(int(f)) {
				return nil, fmt.Errorf("%s", k)
			}
			if k == "minLength" {
				s.minLength = int(f)
			} else {
				s.minItems = int(f)
			}
		case "uniqueItems":
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("uniqueItems")
			}
			s.uniqueItems = b
		case "$ref":
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("$ref")
			}
			s.ref = str
		default:
			return nil, fmt.Errorf("keyword %s is not interpreted", k)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.ref != "" && (s.types != nil || s.props != nil || s.addl != nil || s.noAddl || s.required != nil || s.items != nil ||
		s.enum != nil || s.constant != nil || s.pattern != nil || s.minLength != 0 || s.minItems != 0 || s.uniqueItems || s.propertyNames != nil) {
		return nil, fmt.Errorf("$ref beside other keywords is not interpreted")
	}
	return s, nil
}

// quickValid reports whether the file whose tree is root would pass
// toValue and checkSchema without a single diagnostic.
func quickValid(root *yaml.Node) bool {
	s := quickRoot()
	if s == nil {
		return false
	}
	q := quickWalk{}
	return q.valid(s, root)
}

// quickWalk counts the values visited, as toValue does, to stop where it
// would report too many.
type quickWalk struct{ count int }

func (q *quickWalk) valid(s *quickSchema, n *yaml.Node) bool {
	if q.count++; q.count > maxValues {
		return false
	}
	n = resolve(n)
	for s.refTo != nil {
		s = s.refTo // compileQuick allows $ref only beside annotations
	}
	switch n.Kind {
	case yaml.MappingNode:
		return q.object(s, n)
	case yaml.SequenceNode:
		return q.array(s, n)
	case yaml.ScalarNode:
		return s.scalar(quickScalar(n))
	}
	return false // a document or an alias to nothing: let the slow path say
}

// anySchema allows every value; walking a value with it still counts it
// and finds keys written twice in it, as toValue does.
var anySchema = &quickSchema{}

func (s *quickSchema) allows(jsonType string) bool {
	if s.types == nil {
		return true
	}
	for _, t := range s.types {
		if t == jsonType || (t == "number" && jsonType == "integer") {
			return true
		}
	}
	return false
}

func (q *quickWalk) object(s *quickSchema, n *yaml.Node) bool {
	if !s.allows("object") || s.enum != nil || s.constant != nil {
		return false
	}
	ps := pairs(n)
	if hasDuplicateKey(ps) {
		return false
	}
	for _, p := range ps {
		key := p.key.Value
		if s.propertyNames != nil && !s.propertyNames.scalar(key) {
			return false
		}
		sub, ok := s.props[key]
		switch {
		case ok:
		case s.noAddl:
			return false
		case s.addl != nil:
			sub = s.addl
		default:
			sub = anySchema
		}
		if !q.valid(sub, p.value) {
			return false
		}
	}
	for _, r := range s.required {
		if lookup(ps, r) == nil {
			return false
		}
	}
	return true
}

func (q *quickWalk) array(s *quickSchema, n *yaml.Node) bool {
	if !s.allows("array") || s.enum != nil || s.constant != nil || len(n.Content) < s.minItems {
		return false
	}
	items := s.items
	if items == nil {
		items = anySchema
	}
	for _, item := range n.Content {
		if !q.valid(items, item) {
			return false
		}
	}
	if s.uniqueItems {
		// Only lists of scalars are compared here; equal lists of other
		// values are for the validator to find.
		vals := make([]any, len(n.Content))
		for i, item := range n.Content {
			item = resolve(item)
			if item.Kind != yaml.ScalarNode {
				return false
			}
			vals[i] = quickScalar(item)
			for _, v := range vals[:i] {
				if scalarEqual(v, vals[i]) {
					return false
				}
			}
		}
	}
	return true
}

// scalar checks a scalar value (as toValue converts it) against s.
func (s *quickSchema) scalar(v any) bool {
	switch t := v.(type) {
	case nil:
		if !s.allows("null") {
			return false
		}
	case bool:
		if !s.allows("boolean") {
			return false
		}
	case string:
		if !s.allows("string") {
			return false
		}
		if s.minLength > 0 && utf8.RuneCountInString(t) < s.minLength {
			return false
		}
		if s.pattern != nil && !s.pattern.MatchString(t) {
			return false
		}
	case int64:
		if !s.allows("integer") {
			return false
		}
	case float64:
		if !s.allows("number") && !(s.allows("integer") && t == float64(int64(t))) {
			return false
		}
	default:
		return false
	}
	if s.enum != nil && !containsScalar(s.enum, v) {
		return false
	}
	return s.constant == nil || scalarEqual(s.constant[0], v)
}

// hasDuplicateKey reports a key written twice in one mapping.
func hasDuplicateKey(ps []pair) bool {
	if len(ps) <= 16 {
		for i := range ps {
			for _, o := range ps[:i] {
				if o.key.Value == ps[i].key.Value {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		if seen[p.key.Value] {
			return true
		}
		seen[p.key.Value] = true
	}
	return false
}

func containsScalar(list []any, v any) bool {
	for _, x := range list {
		if scalarEqual(x, v) {
			return true
		}
	}
	return false
}

// scalarEqual compares two JSON scalars as the validator does: numbers by
// value whatever their Go type.
func scalarEqual(a, b any) bool {
	if isNumber(a) && isNumber(b) {
		x, ok1 := new(big.Rat).SetString(fmt.Sprint(a))
		y, ok2 := new(big.Rat).SetString(fmt.Sprint(b))
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	switch a.(type) {
	case nil, bool, string:
		return a == b
	}
	return false
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

// quickScalar is scalarValue without yaml's reflection for the common tags.
func quickScalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!str":
		return n.Value
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
	}
	return scalarValue(n)
}

// configurationSchema is the quick schema of one configuration, nil when
// the schema is not interpreted or is not a plain object schema.
func configurationSchema() *quickSchema {
	s := quickRoot()
	if s == nil || s.props["configurations"] == nil || s.props["configurations"].items == nil {
		return nil
	}
	item := s.props["configurations"].items
	for item.refTo != nil {
		item = item.refTo
	}
	if item.props == nil || item.addl != nil {
		return nil
	}
	return item
}
