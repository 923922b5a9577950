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
