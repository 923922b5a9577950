package jsonout

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type item struct {
	Name  string         `json:"name"`
	Tags  []string       `json:"tags,omitempty"`
	Extra map[string]any `json:"extra"`
	HTML  string         `json:"html"`
}

type custom struct{ v string }

func (c custom) MarshalJSON() ([]byte, error) { return json.Marshal("custom:" + c.v) }

type doc struct {
	Version  string          `json:"version"`
	Skipped  string          `json:"-"`
	Empty    string          `json:"empty,omitempty"`
	Zero     time.Time       `json:"zero,omitzero"`
	When     time.Time       `json:"when"`
	Ptr      *item           `json:"ptr,omitempty"`
	Items    []item          `json:"items"`
	NilItems []item          `json:"nil_items"`
	Opt      []item          `json:"opt,omitempty"`
	Custom   custom          `json:"custom"`
	Nested   struct{ A int } `json:"nested"`
	Plain    int
}

// TestWritesWhatEncodingJSONWrites compares Indented and Compact with
// json.Encoder (indented) and json.Marshal on documents with lists of
// structs (written an element at a time), empty and nil lists, omitted
// fields, "-" tags, embedded structs, ",string" fields, pointers, custom marshalers and HTML characters.
func TestWritesWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	docs := []any{
		doc{},
		doc{Version: "1", Empty: "e", When: time.Unix(1, 0).UTC(), Ptr: &item{Name: "p"}, Items: []item{}, Custom: custom{"x"}},
		&doc{Items: []item{{Name: "a<b>&", Tags: []string{"t"}, Extra: map[string]any{"z": 1, "a": []any{"\u2028"}}}, {Name: "b"}}, Opt: []item{{}}},
		(*doc)(nil),
		struct{ List []item }{List: []item{{Name: "x"}}},
		struct {
			item
			N int `json:"n,string"`
		}{item{Name: "embedded"}, 3},
	}
	for i, d := range docs {
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		if err := Indented(&got, d); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d indented:\n%s\nwant\n%s", i, got.String(), want.String())
		}
		compact, _ := json.Marshal(d)
		got.Reset()
		if err := Compact(&got, d); err != nil || got.String() != string(compact) {
			t.Errorf("%d compact:\n%s\nwant\n%s", i, got.String(), compact)
		}
	}
}
