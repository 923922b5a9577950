package config

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// oldFromWire is FromWire as it was: the whole configuration marshalled to
// JSON and read back as a generic object. The oracle of the direct one.
func oldFromWire(account string, w docusign.Configuration) Connect {
	raw := wireObject(w)
	c := Connect{Account: account, Name: w.Name, ConnectID: w.ConnectID, Fields: map[string]any{}}
	for _, f := range Fields {
		if v, ok := raw[f.Name]; ok {
			c.Fields[f.Name] = fromJSON(f, v)
		}
	}
	if _, ok := c.Fields["deliveryMode"]; !ok {
		c.Fields["deliveryMode"] = ""
	}
	if w.IntegratorManaged != nil {
		c.Fields["integratorManaged"] = bool(*w.IntegratorManaged)
	}
	if w.DisabledBy != "" {
		c.Fields["disabledBy"] = w.DisabledBy
	}
	return c
}

// TestFromWireMatchesTheJSONRoundTrip: on recorded DocuSign answers and on
// random configurations (every field present or not, nil and empty lists,
// empty maps, strings with HTML characters, line separators and bytes
// that are not UTF-8, unknown fields, Salesforce objects), FromWire gives
// exactly what the JSON round trip gave.
func TestFromWireMatchesTheJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var recorded []docusign.Configuration
	for _, glob := range []string{"../docusign/testdata/connect-*.json", "../emulator/testdata/nango-*.json"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var list docusign.ConfigurationList
			if json.Unmarshal(data, &list) == nil {
				recorded = append(recorded, list.Configurations...)
			}
			var one docusign.Configuration
			if json.Unmarshal(data, &one) == nil && one.Name != "" {
				recorded = append(recorded, one)
			}
		}
	}
	if len(recorded) < 5 {
		t.Fatalf("only %d recorded configurations", len(recorded))
	}
	for i, w := range recorded {
		if diff := cmp.Diff(oldFromWire("a", w), FromWire("a", w)); diff != "" {
			t.Fatalf("recorded %d (-round trip +direct):\n%s", i, diff)
		}
	}
	for seed := range uint64(2000) {
		r := rand.New(rand.NewPCG(seed, 7))
		var w docusign.Configuration
		fillRandom(r, reflect.ValueOf(&w).Elem(), 0)
		if diff := cmp.Diff(oldFromWire("a", w), FromWire("a", w)); diff != "" {
			t.Fatalf("seed %d (-round trip +direct):\n%s\nconfiguration: %#v", seed, diff, w)
		}
	}
}

var randomStrings = []string{"", "", "x", "SIM", "true", "https://h.example.com/a?b=1&c=<2>", "line\u2028sep", "é", "bad\xffbyte", "\xc3", "tab\tnew\nline", `quote"back\slash`}

// fillRandom gives every field of v a random value, often the zero one.
func fillRandom(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(randomStrings[r.IntN(len(randomStrings))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int:
		v.SetInt(int64(r.IntN(5)))
	case reflect.Pointer:
		if r.IntN(3) == 0 || depth > 3 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(r, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && r.IntN(3) > 0 {
				fillRandom(r, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		switch r.IntN(3) {
		case 0:
			return // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // empty, not nil
		default:
			if depth > 3 {
				return
			}
			n := 1 + r.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fillRandom(r, v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		switch r.IntN(3) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for range 1 + r.IntN(3) {
				k := reflect.New(v.Type().Key()).Elem()
				fillRandom(r, k, depth+1)
				if v.Type().Elem() == reflect.TypeFor[json.RawMessage]() {
					raw := []string{`{"b":2,"a":"<x>"}`, `[1, 2.50, "y"]`, `"s"`, `true`, `null`, `12345678901234567890`}[r.IntN(6)]
					m.SetMapIndex(reflect.ValueOf("unknown-"+k.String()), reflect.ValueOf(json.RawMessage(raw)))
					continue
				}
				e := reflect.New(v.Type().Elem()).Elem()
				fillRandom(r, e, depth+1)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	}
}
