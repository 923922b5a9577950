package docusign

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// normalizeWire rewrites a decoded JSON value the way DocuSign reads it, so
// that an original body and its re-encoding can be compared: booleans become
// "true"/"false" strings, and "" (DocuSign's "not set") is dropped.
func normalizeWire(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if s, ok := val.(string); ok && s == "" {
				continue
			}
			out[k] = normalizeWire(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = normalizeWire(x[i])
		}
		return out
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return v
}

func decodeAny(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestConfigurationRoundTrip(t *testing.T) {
	t.Parallel()
	bodies := map[string][]byte{}
	for _, name := range []string{"connect-create.json", "connect-create-request.json", "connect-update.json", "connect-update-request.json"} {
		bodies[name] = readTestdata(t, name)
	}
	var list struct{ Configurations []json.RawMessage }
	if err := json.Unmarshal(readTestdata(t, "connect-list.json"), &list); err != nil {
		t.Fatal(err)
	}
	for i, raw := range list.Configurations {
		bodies["connect-list.json#"+string(rune('0'+i))] = raw
	}
	bodies["unknown and secret fields"] = []byte(`{"connectId":"1","name":"x","password":"p","fieldAdded2027":{"deep":[1,"two",null]},"flagAdded2027":"true",
		"oAuthConfiguration":{"clientId":"c","clientSecret":"s","customParameters":{"a":"b"}},"userIds":[],"sfObjects":[{"id":"o","active":"true","selectFields":[{"sfField":"f"}]}]}`)

	for name, original := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var cfg Configuration
			if err := json.Unmarshal(original, &cfg); err != nil {
				t.Fatal(err)
			}
			encoded, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// Nothing is lost or changed on the wire, up to DocuSign's own equivalences.
			if diff := cmp.Diff(normalizeWire(decodeAny(t, original)), normalizeWire(decodeAny(t, encoded))); diff != "" {
				t.Errorf("re-encoded body differs (-original +encoded):\n%s", diff)
			}
			// Booleans always go out as DocuSign's strings.
			if strings.Contains(string(encoded), ":true") || strings.Contains(string(encoded), ":false") {
				t.Errorf("encoded with JSON booleans: %s", encoded)
			}
			var again Configuration
			if err := json.Unmarshal(encoded, &again); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(cfg, again); diff != "" {
				t.Errorf("decode(encode(decode(x))) differs (-first +second):\n%s", diff)
			}
		})
	}
}

func TestConfigurationEncoding(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cfg  Configuration
		want string
	}{
		"zero":         {Configuration{}, `{}`},
		"string flags": {Configuration{Name: "n", AllUsers: BoolPtr(true), EnableLog: BoolPtr(false)}, `{"name":"n","allUsers":"true","enableLog":"false"}`},
		"empty list is sent": {Configuration{UserIDs: []string{}, Events: []string{"envelope-sent"}},
			`{"userIds":[],"events":["envelope-sent"]}`},
		"unknown kept": {Configuration{Name: "n", Unknown: map[string]json.RawMessage{"newField": json.RawMessage(`"v"`)}},
			`{"name":"n","newField":"v"}`},
		"unknown never overrides a declared field": {
			Configuration{Name: "typed", Unknown: map[string]json.RawMessage{"name": json.RawMessage(`"raw"`), "password": json.RawMessage(`"raw"`)}},
			`{"name":"typed"}`},
		"event data": {Configuration{EventData: &EventData{Version: "restv2.1", IncludeData: []string{"recipients"}}},
			`{"eventData":{"version":"restv2.1","includeData":["recipients"]}}`},
	}
	for name, tt := range tests {
		got, err := json.Marshal(tt.cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(decodeAny(t, []byte(tt.want)), decodeAny(t, got)); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", name, diff)
		}
	}
}

func TestBoolCodec(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`"true"`: true, `"True"`: true, `" TRUE "`: true, `true`: true,
		`"false"`: false, `false`: false, `""`: false, `null`: false,
	} {
		var b Bool
		if err := json.Unmarshal([]byte(in), &b); err != nil || bool(b) != want {
			t.Errorf("Bool from %s = %v, %v; want %v", in, b, err, want)
		}
	}
	for _, in := range []string{`"yes"`, `1`, `"1"`, `{}`} {
		var b Bool
		if err := json.Unmarshal([]byte(in), &b); err == nil {
			t.Errorf("Bool from %s: no error", in)
		}
	}
	for b, want := range map[Bool]string{true: `"true"`, false: `"false"`} {
		if got, _ := json.Marshal(b); string(got) != want {
			t.Errorf("Bool %v encodes as %s, want %s", b, got, want)
		}
	}
}

func TestIntCodec(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{`"4"`: 4, `4`: 4, `" 7 "`: 7, `""`: 0, `null`: 0, `"-1"`: -1} {
		var n Int
		if err := json.Unmarshal([]byte(in), &n); err != nil || int(n) != want {
			t.Errorf("Int from %s = %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{`"four"`, `"4.5"`, `true`} {
		var n Int
		if err := json.Unmarshal([]byte(in), &n); err == nil {
			t.Errorf("Int from %s: no error", in)
		}
	}
	if got, _ := json.Marshal(Int(20)); string(got) != `"20"` {
		t.Errorf("Int 20 encodes as %s", got)
	}
}

func TestDecodeListUsersAndUserInfo(t *testing.T) {
	t.Parallel()
	var list ConfigurationList
	if err := json.Unmarshal(readTestdata(t, "connect-list.json"), &list); err != nil {
		t.Fatal(err)
	}
	if list.TotalRecords != 4 || len(list.Configurations) != 4 {
		t.Errorf("list: %d of %d", len(list.Configurations), list.TotalRecords)
	}

	var page UserPage
	if err := json.Unmarshal(readTestdata(t, "connect-users-page.json"), &page); err != nil {
		t.Fatal(err)
	}
	want := UserPage{
		AllUsersSelected: true, StartPosition: 0, EndPosition: 0, ResultSetSize: 1, TotalSetSize: 3,
		NextURI: "/v2.1/accounts/96bfbc88-de80-40a4-9fb7-f047e656eaaf/connect/22210617/users?start_position=1&count=1",
		Users: []User{{UserID: "b1e4c1a2-0000-4000-8000-000000000001", UserName: "Ada Admin", Email: "ada@example.com",
			UserStatus: "Active", UserType: "CompanyUser"}},
	}
	if diff := cmp.Diff(want, page); diff != "" {
		t.Errorf("users page (-want +got):\n%s", diff)
	}

	var info UserInfo
	if err := json.Unmarshal(readTestdata(t, "userinfo.json"), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Accounts) != 2 || !bool(info.Accounts[0].IsDefault) || bool(info.Accounts[1].IsDefault) ||
		info.Accounts[1].BaseURI != "https://demo.docusign.net" || info.Sub != "4799e5e9-1559-4915-9862-cf4713bbcacc" {
		t.Errorf("userinfo = %+v", info)
	}
	// Some SDKs stringify is_default.
	var acct UserAccount
	if err := json.Unmarshal([]byte(`{"account_id":"a","is_default":"true"}`), &acct); err != nil || !bool(acct.IsDefault) {
		t.Errorf("is_default as a string: %+v, %v", acct, err)
	}
}
