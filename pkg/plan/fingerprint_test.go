package plan

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/jsonout"
)

// oldFingerprint is Fingerprint as it was: the entries built, cloned
// without their secrets and marshalled. The oracle of the streaming one.
func oldFingerprint(accountID string, live []config.Connect) string {
	type entry struct {
		ID     string         `json:"id"`
		Name   string         `json:"name"`
		Fields map[string]any `json:"fields"`
	}
	entries := make([]entry, 0, len(live))
	secret := config.SecretFieldNames()
	for _, l := range live {
		fields := maps.Clone(l.Fields)
		for _, name := range secret {
			top, sub, nested := strings.Cut(name, ".")
			if !nested {
				delete(fields, top)
			} else if obj, ok := fields[top].(map[string]any); ok {
				obj = maps.Clone(obj)
				delete(obj, sub)
				fields[top] = obj
			}
		}
		entries = append(entries, entry{l.ConnectID, l.Name, fields})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.ID, b.ID) })
	data, _ := json.Marshal(struct {
		Account string  `json:"account"`
		Live    []entry `json:"live"`
	}{strings.ToLower(accountID), entries})
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestFingerprintMatchesEncodingJSON: saved plans carry fingerprints, so
// the streaming Fingerprint must give the very hash the marshalled one
// did, on live configurations of every shape (secrets, shared ids, odd
// strings, numbers, values json.Marshal refuses) and odd account ids.
func TestFingerprintMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	strs := []string{"", "a", "B", "22210641", "<&>", "line\u2028sep\u2029", "é\x00\x1f\x7f", "bad\xff\xfe", `"\`, "\b\f\n\r\t", "ÄccÖunt"}
	values := []any{nil, true, false, "x<y>", []string{}, []string(nil), []string{"a", "<b>"}, map[string]any{},
		map[string]any{"clientId": "c", "clientSecret": "s3cret", "customParameters": map[string]string{"b": "1", "a": "<2>"}},
		map[string]string{"z": "1", "a": "\u2028"}, []any{map[string]any{"id": "1", "active": "true"}, "s", 2.5},
		3.0, 1e21, 1e-7, int64(42), math.NaN(), map[string]string(nil), map[string]any(nil)}
	names := []string{"password", "oAuthConfiguration", "salesforceAuthcode", "eventData", "events", "urlToPublishTo", "zz", "Aa", "<x>"}
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 3))
		var live []config.Connect
		for range r.IntN(5) {
			c := config.Connect{ConnectID: strs[r.IntN(len(strs))], Name: strs[r.IntN(len(strs))]}
			if r.IntN(10) > 0 {
				c.Fields = map[string]any{}
				for range r.IntN(6) {
					c.Fields[names[r.IntN(len(names))]] = values[r.IntN(len(values))]
				}
			}
			live = append(live, c)
		}
		acct := strs[r.IntN(len(strs))]
		if got, want := Fingerprint(acct, live), oldFingerprint(acct, live); got != want {
			t.Fatalf("seed %d: %s, want %s for %q %#v", seed, got, want, acct, live)
		}
	}
	// And live configurations as FromWire makes them from DocuSign's answers.
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 4))
		var live []config.Connect
		for i := range r.IntN(6) {
			w := docusign.Configuration{ConnectID: fmt.Sprint(22210000 + r.IntN(4)), Name: strs[r.IntN(len(strs))],
				URLToPublishTo: strs[r.IntN(len(strs))], AllUsers: docusign.BoolPtr(i%2 == 0), Events: []string{strs[r.IntN(len(strs))]},
				Password: "pw", EventData: &docusign.EventData{Version: "restv2.1", IncludeData: []string{}},
				OAuthConfiguration: &docusign.OAuthConfig{ClientID: "c", ClientSecret: "s", CustomParameters: map[string]string{"k": strs[r.IntN(len(strs))]}}}
			live = append(live, config.FromWire("a", w))
		}
		if got, want := Fingerprint("A-1", live), oldFingerprint("A-1", live); got != want {
			t.Fatalf("seed %d: %s, want %s", seed, got, want)
		}
	}
}

// TestAppendJSONStringIsEncodingJSON compares the string writer with
// json.Marshal on every byte and on random strings.
func TestAppendJSONStringIsEncodingJSON(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	}
	for c := range 256 {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}) + "b")
	}
	for _, r := range []rune{'\u2028', '\u2029', '\ufffd', 'é', '😀', 0x10ffff} {
		check(string(r))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		check(string(b))
	}
}

// TestWriteOnlyFieldsIsCreateFieldsFiltered: writeOnlyFields lists exactly
// the write-only entries of createFields, in its order, without building
// the rest (it runs for every configuration a plan compares).
func TestWriteOnlyFieldsIsCreateFieldsFiltered(t *testing.T) {
	t.Parallel()
	values := map[string][]any{
		"password":           {"pw", "https://u:p@h"},
		"salesforceAuthcode": {"code"},
		"oAuthConfiguration": {map[string]any{}, map[string]any{"clientId": "c"}, map[string]any{"clientId": "c", "clientSecret": "s"}},
		"urlToPublishTo":     {"https://h", "https://u:p@h/x"},
		"userName":           {"svc"},
		"eventData":          {map[string]any{"version": "restv2.1"}},
	}
	r := rand.New(rand.NewPCG(8, 9))
	for range 2000 {
		d := config.Connect{Fields: map[string]any{}}
		for name, vs := range values {
			if r.IntN(2) == 0 {
				d.Fields[name] = vs[r.IntN(len(vs))]
			}
		}
		var want []FieldChange
		for _, fc := range createFields(d) {
			if fc.WriteOnly {
				want = append(want, fc)
			}
		}
		if got := writeOnlyFields(d); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v: %v, want %v", d.Fields, got, want)
		}
	}
}

// TestDocumentJSONIsEncodingJSON: the document written an account at a
// time is byte for byte what encoding/json wrote (indented for output,
// compact for the checksum), on plans of every kind the compute tests
// make, empty ones included, and on odd values.
func TestDocumentJSONIsEncodingJSON(t *testing.T) {
	t.Parallel()
	var docs []Document
	docs = append(docs, Document{}, NewDocument(&Plan{}, "t", nil, Options{}))
	r := rand.New(rand.NewPCG(10, 11))
	for n := range 200 {
		p := &Plan{}
		for i := range r.IntN(4) {
			a := Account{Alias: fmt.Sprintf("a%d<&>", i), AccountID: "id\u2028", Fingerprint: "sha256:x", MassDelete: []string{"", "deletes all 2"}[r.IntN(2)]}
			for j := range r.IntN(4) {
				pos := config.Pos{File: "f.yaml", Line: j, Col: 1}
				a.Changes = append(a.Changes, Change{Action: []Action{Create, Update, Delete, NoOp}[r.IntN(4)], Name: fmt.Sprintf("c%d", j), Account: a.Alias,
					Pos: &pos, Fields: []FieldChange{{Field: "urlToPublishTo", Before: nil, After: "https://h/<x>"}, {Field: "password", After: "pw", Sensitive: true, WriteOnly: true},
						{Field: "events", Before: []string{"a"}, After: []string{}}, {Field: "eventData.version", After: 1.5}}})
			}
			if r.IntN(2) == 0 {
				a.Unmanaged = []Existing{{Name: "u", ConnectID: "1", Reason: "not in the files"}}
				a.Errors = []string{"an error"}
			}
			p.Accounts = append(p.Accounts, a)
		}
		docs = append(docs, NewDocument(p, "connectsync 1.0", []string{"a.yaml"}, Options{Prune: n%2 == 0, Names: []string{"x"}[:n%2]}))
	}
	for i, d := range docs {
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		if err := d.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("document %d:\n%s\nwant\n%s", i, got.String(), want.String())
		}
		compact, _ := json.Marshal(d)
		var gotCompact strings.Builder
		if err := jsonout.Compact(&gotCompact, d); err != nil || gotCompact.String() != string(compact) {
			t.Fatalf("document %d compact:\n%s\nwant\n%s", i, gotCompact.String(), compact)
		}
	}
}
