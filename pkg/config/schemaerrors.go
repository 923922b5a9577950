package config

import (
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// schemaErrors checks a value (as toSchemaValue makes it) against the file
// schema and lists what fails, one leaf per failing keyword, as the JSON
// Schema validator (santhosh-tekuri/jsonschema v5) reports its leaf errors:
// the same keywords at the same instance pointers, with the messages
// describe reads. It interprets the keywords quickValid does, and so runs
// without the validator, whose package compiles every draft's meta-schema
// when a program starts (5 ms of every command's start-up).
// TestSchemaErrorsMatchTheValidator holds it to the validator.
func schemaErrors(value any) []schemaLeaf {
	s := quickRoot()
	if s == nil {
		panic("schema: the embedded schema uses a keyword connectsync does not interpret (see quickcheck.go)")
	}
	var out []schemaLeaf
	collectErrors(s, value, "", &out)
	return out
}

// schemaLeaf is one failing keyword.
type schemaLeaf struct {
	Instance string         // the value's JSON pointer
	Keyword  string         // the keyword that failed: type, enum, required, …
	Schema   map[string]any // the schema object holding the keyword
	Message  string         // as the validator words it (describe parses some)
}

func collectErrors(s *quickSchema, v any, loc string, out *[]schemaLeaf) {
	for s.refTo != nil {
		s = s.refTo // $ref stands alone (compileQuick checks)
	}
	fail := func(keyword, format string, args ...any) {
		*out = append(*out, schemaLeaf{Instance: loc, Keyword: keyword, Schema: s.raw, Message: fmt.Sprintf(format, args...)})
	}
	if s.types != nil && !typeMatches(s.types, v) {
		fail("type", "expected %s, but got %s", strings.Join(s.types, " or "), jsonTypeOf(v))
		return
	}
	if s.constant != nil && !jsonEqual(v, s.constant[0]) {
		fail("const", "value must be %#v", s.constant[0])
	}
	if s.enum != nil && !slices.ContainsFunc(s.enum, func(e any) bool { return jsonEqual(v, e) }) {
		fail("enum", "value must be one of the allowed values")
	}
	switch t := v.(type) {
	case map[string]any:
		var missing []string
		for _, name := range s.required {
			if _, ok := t[name]; !ok {
				missing = append(missing, validatorQuote(name))
			}
		}
		if len(missing) > 0 {
			fail("required", "missing properties: %s", strings.Join(missing, ", "))
		}
		var extra []string
		for name, pv := range t {
			if s.propertyNames != nil {
				collectErrors(s.propertyNames, name, loc+"/"+pointerToken(name), out)
			}
			if sub, ok := s.props[name]; ok {
				collectErrors(sub, pv, loc+"/"+pointerToken(name), out)
				continue
			}
			switch {
			case s.addl != nil:
				collectErrors(s.addl, pv, loc+"/"+pointerToken(name), out)
			case s.noAddl:
				extra = append(extra, validatorQuote(name))
			}
		}
		if len(extra) > 0 {
			slices.Sort(extra)
			fail("additionalProperties", "additionalProperties %s not allowed", strings.Join(extra, ", "))
		}
	case []any:
		if len(t) < s.minItems {
			fail("minItems", "minimum %d items required, but found %d items", s.minItems, len(t))
		}
		if s.uniqueItems {
		outer:
			for i := 1; i < len(t); i++ {
				for j := range i {
					if jsonEqual(t[i], t[j]) {
						fail("uniqueItems", "items at index %d and %d are equal", j, i)
						break outer
					}
				}
			}
		}
		if s.items != nil {
			for i, item := range t {
				collectErrors(s.items, item, fmt.Sprintf("%s/%d", loc, i), out)
			}
		}
	case string:
		if n := utf8.RuneCountInString(t); s.minLength > 0 && n < s.minLength {
			fail("minLength", "length must be >= %d, but got %d", s.minLength, n)
		}
		if s.pattern != nil && !s.pattern.MatchString(t) {
			fail("pattern", "does not match pattern %s", validatorQuote(s.pattern.String()))
		}
	}
}

// typeMatches is the type keyword: "integer" takes a number without a
// fraction too.
func typeMatches(types []string, v any) bool {
	vt := jsonTypeOf(v)
	for _, t := range types {
		if t == vt {
			return true
		}
		if t == "integer" && vt == "number" {
			if r, ok := new(big.Rat).SetString(fmt.Sprint(v)); ok && r.IsInt() {
				return true
			}
		}
	}
	return false
}

func jsonTypeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonEqual compares two JSON values as the validator does: numbers by
// value, lists item by item, objects key by key.
func jsonEqual(a, b any) bool {
	if jsonTypeOf(a) != jsonTypeOf(b) {
		return false
	}
	switch x := a.(type) {
	case []any:
		y := b.([]any)
		return len(x) == len(y) && listEqual(x, y)
	case map[string]any:
		y := b.(map[string]any)
		if len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return scalarEqual(a, b)
}

func listEqual(x, y []any) bool {
	for i := range x {
		if !jsonEqual(x[i], y[i]) {
			return false
		}
	}
	return true
}

// pointerToken is a key in a JSON pointer as the validator writes it:
// ~ and / escaped, then URL path escaping.
func pointerToken(key string) string {
	return url.PathEscape(escapePointer(key))
}

// validatorQuote quotes a name as the validator's messages do: 'name'.
func validatorQuote(s string) string {
	s = fmt.Sprintf("%q", s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}
