package docusign

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// oldDecode is Configuration.UnmarshalJSON as it was: every body decoded
// twice, the second time into a map to find the undeclared keys.
func oldDecode(data []byte) (Configuration, error) {
	var a configurationAlias
	if err := json.Unmarshal(data, &a); err != nil {
		return Configuration{}, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return Configuration{}, err
	}
	for k, v := range all {
		if _, ok := configurationKeys()[k]; ok {
			continue
		}
		if a.Unknown == nil {
			a.Unknown = map[string]json.RawMessage{}
		}
		a.Unknown[k] = v
	}
	return Configuration(a), nil
}

// TestDecodeMatchesTheDoubleDecode: the decoder that looks the keys over
// before decoding twice gives exactly what decoding twice gave, on the
// recorded answers and on generated bodies: known and unknown keys, keys
// in another letter case or escaped, nested values holding quotes,
// braces and escapes, spacing, null, duplicate keys.
func TestDecodeMatchesTheDoubleDecode(t *testing.T) {
	t.Parallel()
	var bodies [][]byte
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var list struct{ Configurations []json.RawMessage }
		if json.Unmarshal(data, &list) == nil {
			for _, c := range list.Configurations {
				bodies = append(bodies, c)
			}
		}
		bodies = append(bodies, data)
	}
	keys := []string{`"name"`, `"connectId"`, `"allUsers"`, `"eventData"`, `"events"`, `"futureField"`, `"NAME"`, `"allusers"`,
		`"na\u006de"`, `"with\"quote"`, `"urlToPublishTo"`, `"sfObjects"`, `"integratorManaged"`, `"oAuthConfiguration"`}
	values := []string{`"x"`, `"true"`, `true`, `null`, `""`, `12.5e3`, `[]`, `["a","b"]`, `{"version":"restv2.1","includeData":[]}`,
		`{"a":{"b":["}",{"c":"]"}]}}`, `"quote\"brace}"`, `"back\\slash"`, `[{"x":"{"}]`, `"\u00e9"`}
	r := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		var b strings.Builder
		b.WriteString(" {")
		for i := range r.IntN(6) {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%s%s :%s%s", []string{"", "\n  "}[r.IntN(2)], keys[r.IntN(len(keys))], []string{"", " "}[r.IntN(2)], values[r.IntN(len(values))])
		}
		b.WriteString("}\n")
		bodies = append(bodies, []byte(b.String()))
	}
	bodies = append(bodies, []byte("null"), []byte(`{}`), []byte(` { } `))
	for _, body := range bodies {
		want, wantErr := oldDecode(body)
		var got Configuration
		gotErr := json.Unmarshal(body, &got)
		if (wantErr != nil) != (gotErr != nil) {
			t.Fatalf("%s: error %v, want %v", body, gotErr, wantErr)
		}
		if wantErr != nil {
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s (-double decode +new):\n%s", body, diff)
		}
	}
}
