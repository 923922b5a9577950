package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/connectsync/connectsync/schema"
	"github.com/connectsync/connectsync/schema/schematest"
)

// The JSON Schema validator connectsync used before it interpreted the
// file schema itself (schemaErrors, quickValid): the oracle of both.

var validatorSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return schematest.Compile(schema.FileURL, schema.File)
})

// validatorLeaves validates value with the validator and returns its leaf
// errors as schemaLeaf, as describe used to read them.
func validatorLeaves(t testing.TB, value any) []schemaLeaf {
	s, err := validatorSchema()
	if err != nil {
		t.Fatal(err)
	}
	var ve *jsonschema.ValidationError
	if !errors.As(s.Validate(value), &ve) {
		return nil
	}
	var out []schemaLeaf
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, schemaLeaf{Instance: e.InstanceLocation, Keyword: lastToken(e.KeywordLocation),
				Schema: schemaNode(e.AbsoluteKeywordLocation), Message: e.Message})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// validatorCheck is checkSchema as it was, with the validator.
func validatorCheck(t testing.TB, file string, root *yaml.Node, value any, d *diags) []string {
	var bad []string
	for _, leaf := range validatorLeaves(t, value) {
		bad = append(bad, describe(file, root, leaf, d)...)
	}
	return bad
}

// checkSchemaErrorsMatch: on one file's value, schemaErrors lists the
// validator's leaves (keyword, pointer, schema object; the messages describe
// reads), and checkSchema reports the same problems.
func checkSchemaErrorsMatch(t *testing.T, seed uint64, root *yaml.Node, text []byte) {
	t.Helper()
	var d0 diags
	value, _, ok := toValue("f.yaml", root, &d0)
	if !ok {
		return
	}
	key := func(l schemaLeaf) string {
		msg := ""
		switch l.Keyword {
		case "type", "required", "uniqueItems":
			msg = l.Message
		}
		return l.Instance + " " + l.Keyword + " " + msg + " " + strconv.Quote(strings.Join(propertyNames(l.Schema), ",")) + strconv.Quote(strings.Join(stringList(l.Schema), ","))
	}
	var want, got []string
	for _, l := range validatorLeaves(t, value) {
		want = append(want, key(l))
	}
	for _, l := range schemaErrors(value) {
		got = append(got, key(l))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Fatalf("seed %d: leaves differ\nvalidator: %q\nours:      %q\nfor:\n%s", seed, want, got, text)
	}
	var dv, dg diags
	wantBad := validatorCheck(t, "f.yaml", root, value, &dv)
	gotBad := checkSchema("f.yaml", root, value, &dg)
	slices.Sort(wantBad)
	slices.Sort(gotBad)
	if dv.list.Sort().Error() != dg.list.Sort().Error() || !slices.Equal(wantBad, gotBad) {
		t.Fatalf("seed %d: problems differ\nvalidator: %s %q\nours:      %s %q\nfor:\n%s", seed, dv.list.Error(), wantBad, dg.list.Error(), gotBad, text)
	}
}

// schemaNode returns the schema object that holds the failing keyword, from
// an absolute keyword location such as …schema.json#/$defs/configuration/additionalProperties.
func schemaNode(absLocation string) map[string]any {
	_, frag, _ := strings.Cut(absLocation, "#")
	toks := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(toks) > 0 {
		toks = toks[:len(toks)-1] // drop the keyword itself
	}
	var cur any = schemaDoc()
	for _, t := range toks {
		if t == "" {
			continue
		}
		t = pointerUnescaper.Replace(t)
		switch v := cur.(type) {
		case map[string]any:
			cur = v[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i >= len(v) {
				return nil
			}
			cur = v[i]
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

func lastToken(p string) string {
	return p[strings.LastIndex(p, "/")+1:]
}
