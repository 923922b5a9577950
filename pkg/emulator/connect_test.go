package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The recorded real answers (testdata/nango-*.json) are the yardstick: the
// emulator must answer the same keys with the same values for the same request.

func TestCreateMatchesRecordedAnswer(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	fx := readFixture(t, "nango-create.json")

	r := env.call("POST", connect(AccountAcme), fx["request"])
	if r.status != http.StatusCreated {
		t.Fatalf("status %d, want 201 (the spec's; the recording's 200 came through a proxy): %s", r.status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	got := r.json(t)
	want := fx["response"].(map[string]any)
	if id, _ := got["connectId"].(string); !isAccountNumber(id) {
		t.Errorf("connectId %q is not a numeric string", got["connectId"])
	}
	got["connectId"], want["connectId"] = "ID", "ID"
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("create answer differs from the recorded one (-recorded +emulator):\n%s", d)
	}
}

func TestUpdateMatchesRecordedAnswer(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	fx := readFixture(t, "nango-update.json")
	id := env.createConfig(AccountAcme, map[string]any{
		"name": "Test Connect", "configurationType": "custom", "urlToPublishTo": "https://example.com/webhook", "allUsers": "true",
	})

	req := fx["request"].(map[string]any)
	req["connectId"] = id
	r := env.call("PUT", connect(AccountAcme), req)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	got := r.json(t)
	want := fx["response"].(map[string]any)
	want["connectId"] = id
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("update answer differs from the recorded one (-recorded +emulator):\n%s", d)
	}
}

func TestListMatchesRecordedAnswer(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	fx := readFixture(t, "nango-list.json")
	want := fx["response"].(map[string]any)

	// Create each recorded configuration from its own answer, as a client
	// that re-sends what it read would.
	for _, item := range want["configurations"].([]any) {
		body := maps.Clone(item.(map[string]any))
		delete(body, "connectId")
		item.(map[string]any)["connectId"] = env.createConfig(AccountAcme, body)
	}
	r := env.call("GET", connect(AccountAcme), nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if d := cmp.Diff(want, r.json(t)); d != "" {
		t.Errorf("list answer differs from the recorded one (-recorded +emulator):\n%s", d)
	}
}

func TestDeleteMatchesRecordedAnswer(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	fx := readFixture(t, "nango-delete.json")
	id := env.createConfig(AccountAcme, map[string]any{
		"name": "x", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true,
	})

	r := env.call("DELETE", connect(AccountAcme)+"/"+id, nil)
	if r.status != int(fx["status"].(float64)) || len(r.body) != 0 || r.header.Get("Content-Length") != fx["contentLength"] {
		t.Errorf("delete: status %d, Content-Length %q, body %q; want %v, %v, empty", r.status, r.header.Get("Content-Length"), r.body, fx["status"], fx["contentLength"])
	}
	if r := env.call("GET", connect(AccountAcme)+"/"+id, nil); r.errorCode(t) != CodeConfigurationNotFound {
		t.Errorf("get after delete: %d %s", r.status, r.body)
	}
	// The Node SDK sends "{}" as the body of a DELETE: it must be ignored.
	id = env.createConfig(AccountAcme, map[string]any{
		"name": "y", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true,
	})
	if r := env.call("DELETE", connect(AccountAcme)+"/"+id, "{}"); r.status != http.StatusOK {
		t.Errorf("delete with a {} body: %d %s", r.status, r.body)
	}
}

func TestGetAnswersTheListWrapper(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	list := env.call("GET", connect(AccountAcme), nil).json(t)
	first := list["configurations"].([]any)[0].(map[string]any)

	r := env.call("GET", connect(AccountAcme)+"/"+first["connectId"].(string), nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := map[string]any{"configurations": []any{first}, "totalRecords": "1"}
	if d := cmp.Diff(want, r.json(t)); d != "" {
		t.Errorf("get (-want +got):\n%s", d)
	}
}

func TestEmptyListHasNoConfigurationsKey(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	r := env.call("GET", connect(AccountAcme), nil)
	if d := cmp.Diff(map[string]any{"totalRecords": "0"}, r.json(t)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestFlagsAcceptBooleansAndStrings(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	tests := []struct {
		name string
		sent any
		want string
	}{
		{"json true", true, "true"},
		{"json false", false, "false"},
		{"string true", "true", "true"},
		{"string True", "True", "true"},
		{"string FALSE", "FALSE", "false"},
		{"empty string means default", "", "false"},
		{"null means default", nil, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.call("POST", connect(AccountAcme), map[string]any{
				"name": tt.name, "configurationType": "custom", "urlToPublishTo": "https://example.com/h",
				"allUsers": true, "includeHMAC": tt.sent,
			})
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := r.json(t)["includeHMAC"]; got != tt.want {
				t.Errorf("includeHMAC = %#v, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultsOfAMinimalCreate(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	r := env.call("POST", connect(AccountAcme), `{"name":"min","configurationType":"custom","urlToPublishTo":"https://example.com/h","allUsers":"true"}`)
	got := r.json(t)
	if len(got) != 29 {
		t.Errorf("%d keys, want the 29 DocuSign always answers: %v", len(got), slices.Sorted(maps.Keys(got)))
	}
	for k, v := range got {
		s, isString := v.(string)
		switch k {
		case "envelopeEvents", "recipientEvents":
			if d := cmp.Diff([]any{}, v); d != "" {
				t.Errorf("%s: %s", k, d)
			}
		case "eventData":
			if d := cmp.Diff(map[string]any{"version": "", "includeData": []any{}}, v); d != "" {
				t.Errorf("eventData: %s", d)
			}
		case "requiresAcknowledgement", "allUsers":
			if s != "true" {
				t.Errorf("%s = %#v, want \"true\"", k, v)
			}
		case "deliveryMode", "soapNamespace":
			if s != "" || !isString {
				t.Errorf("%s = %#v, want \"\"", k, v)
			}
		case "connectId", "name", "configurationType", "urlToPublishTo":
		default:
			if s != "false" {
				t.Errorf("%s = %#v, want \"false\"", k, v)
			}
		}
	}
	for _, absent := range []string{"userIds", "groupIds", "events", "password", "userName", "sfObjects", "oAuthConfiguration", "disabledBy", "allowSalesforcePublish", "salesforceApiVersion"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s present though never set", absent)
		}
	}
}

func TestValuesAreStoredVerbatim(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	got := env.call("POST", connect(AccountAcme), map[string]any{
		"name": "verbatim", "configurationType": "custom", "urlToPublishTo": "https://example.com/h?a=1&b=2", "allUsers": true,
		"deliveryMode": "aggregate", "envelopeEvents": []string{"completed", "Sent"}, "recipientEvents": []string{"DELIVERED"},
		"eventData": map[string]any{"version": "restv2.1", "format": "json", "includeData": []string{"recipients", "tabs"}},
		"userIds":   []string{"u1"}, "groupIds": []string{"g1"}, "userName": "listener",
	})
	m := got.json(t)
	want := map[string]any{
		"urlToPublishTo":  "https://example.com/h?a=1&b=2",
		"deliveryMode":    "aggregate",
		"envelopeEvents":  []any{"completed", "Sent"},
		"recipientEvents": []any{"DELIVERED"},
		"eventData":       map[string]any{"version": "restv2.1", "format": "json", "includeData": []any{"recipients", "tabs"}},
		"userIds":         []any{"u1"},
		"groupIds":        []any{"g1"},
		"userName":        "listener",
	}
	for k, w := range want {
		if d := cmp.Diff(w, m[k]); d != "" {
			t.Errorf("%s (-sent +stored):\n%s", k, d)
		}
	}
	if strings.Contains(string(got.body), `\u0026`) {
		t.Errorf("& is escaped in the answer: %s", got.body)
	}
}

func TestServerSetFieldsAreIgnoredOnCreate(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	m := env.call("POST", connect(AccountAcme), map[string]any{
		"connectId": "123", "name": "x", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true,
		"integratorManaged": true, "disabledBy": "someone", "someFieldDocuSignDoesNotHave": "x", "ALLOWENVELOPEPUBLISH": "true",
	}).json(t)
	if m["connectId"] == "123" || m["integratorManaged"] != "false" || m["disabledBy"] != nil {
		t.Errorf("server-set fields taken from the request: %v", m)
	}
	if _, ok := m["someFieldDocuSignDoesNotHave"]; ok {
		t.Error("unknown field echoed")
	}
	if m["allowEnvelopePublish"] != "true" {
		t.Errorf("field names should match without regard to case: allowEnvelopePublish = %v", m["allowEnvelopePublish"])
	}
}

func TestSecretsAreNeverAnswered(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	body := map[string]any{
		"name": "secret", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true,
		"userName": "listener", "password": "hunter2", "salesforceAuthcode": "sf-code",
		"oAuthConfiguration": map[string]any{"authorizationServerUrl": "https://auth.example.com", "clientId": "cid", "clientSecret": "csecret", "scope": "s"},
	}
	created := env.call("POST", connect(AccountAcme), body)
	id := created.json(t)["connectId"].(string)
	body["connectId"] = id
	answers := []response{
		created,
		env.call("PUT", connect(AccountAcme), body),
		env.call("GET", connect(AccountAcme), nil),
		env.call("GET", connect(AccountAcme)+"/"+id, nil),
	}
	for i, r := range answers {
		for _, secret := range []string{"hunter2", "sf-code", "csecret", "clientSecret", "password", "salesforceAuthcode"} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("answer %d contains %q: %s", i, secret, r.body)
			}
		}
	}
	if oauth, _ := answers[3].json(t)["configurations"].([]any)[0].(map[string]any)["oAuthConfiguration"].(map[string]any); oauth["clientId"] != "cid" {
		t.Errorf("oAuthConfiguration without its secret should still be answered: %v", oauth)
	}
	for field, want := range map[string]string{SecretPassword: "hunter2", SecretSalesforceAuthcode: "sf-code", SecretOAuthClientSecret: "csecret"} {
		if got, ok := env.e.StoredSecret(AccountAcme, id, field); !ok || got != want {
			t.Errorf("StoredSecret(%s) = %q, %v; want %q", field, got, ok, want)
		}
	}
}

func TestPutReplaces(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	id := env.createConfig(AccountAcme, map[string]any{
		"name": "full", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true,
		"enableLog": true, "includeHMAC": true, "requiresAcknowledgement": false, "events": []string{"envelope-sent"},
		"userName": "listener", "password": "hunter2", "deliveryMode": "SIM",
	})
	r := env.call("PUT", connect(AccountAcme), map[string]any{
		"connectId": id, "name": "renamed", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true,
	})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	for k, want := range map[string]any{"name": "renamed", "enableLog": "false", "includeHMAC": "false", "requiresAcknowledgement": "true", "deliveryMode": "", "events": nil, "userName": nil} {
		if m[k] != want {
			t.Errorf("after a PUT without it, %s = %#v, want the default %#v", k, m[k], want)
		}
	}
	if _, ok := env.e.StoredSecret(AccountAcme, id, SecretPassword); ok {
		t.Error("a PUT without password should clear it")
	}
}

func TestPutKeepsServerSetFields(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	var managed map[string]any
	for _, c := range env.call("GET", connect(AccountAcme), nil).json(t)["configurations"].([]any) {
		if c.(map[string]any)["integratorManaged"] == "true" {
			managed = c.(map[string]any)
		}
	}
	if managed == nil {
		t.Fatal("default seed has no integrator-managed configuration")
	}
	managed["integratorManaged"] = "false"
	r := env.call("PUT", connect(AccountAcme), managed)
	if got := r.json(t)["integratorManaged"]; got != "true" {
		t.Errorf("integratorManaged = %v after a PUT, want the stored \"true\"", got)
	}
}

func TestDuplicateNamesAreAllowed(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	body := map[string]any{"name": "same", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true}
	a, b := env.createConfig(AccountAcme, body), env.createConfig(AccountAcme, body)
	if a == b {
		t.Fatalf("both creates got connectId %s", a)
	}
	if got := env.call("GET", connect(AccountAcme), nil).json(t)["totalRecords"]; got != "2" {
		t.Errorf("totalRecords = %v, want 2", got)
	}
}

func TestAccountNumberAddressesTheAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	byGUID := env.call("GET", connect(AccountAcme), nil)
	for _, id := range []string{"18204415", strings.ToUpper(AccountAcme)} {
		r := env.call("GET", connect(id), nil)
		if r.status != http.StatusOK || string(r.body) != string(byGUID.body) {
			t.Errorf("GET via %s: %d %s", id, r.status, r.body)
		}
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	valid := func() map[string]any {
		return map[string]any{"name": "v", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": "true"}
	}
	tests := []struct {
		name   string
		change func(map[string]any)
		raw    string
		code   string
	}{
		{name: "valid", change: func(map[string]any) {}},
		{name: "missing name", change: func(m map[string]any) { delete(m, "name") }, code: CodeNameRequired},
		{name: "blank name", change: func(m map[string]any) { m["name"] = "  " }, code: CodeNameRequired},
		{name: "missing type", change: func(m map[string]any) { delete(m, "configurationType") }, code: CodeConfigurationTypeRequired},
		{name: "unknown type", change: func(m map[string]any) { m["configurationType"] = "webhook" }, code: CodeInvalidConfigurationType},
		{name: "type in wrong case", change: func(m map[string]any) { m["configurationType"] = "Custom" }, code: CodeInvalidConfigurationType},
		{name: "missing url", change: func(m map[string]any) { delete(m, "urlToPublishTo") }, code: CodeURLRequired},
		{name: "relative url", change: func(m map[string]any) { m["urlToPublishTo"] = "/hooks" }, code: CodeInvalidURL},
		{name: "ftp url", change: func(m map[string]any) { m["urlToPublishTo"] = "ftp://example.com/h" }, code: CodeInvalidURL},
		{name: "http url accepted", change: func(m map[string]any) { m["urlToPublishTo"] = "http://example.com/h" }},
		// DocuSign's create page: custom and customrecipient only.
		{name: "salesforce is not created here", change: func(m map[string]any) { m["configurationType"] = "salesforce"; delete(m, "urlToPublishTo") }, code: CodeInvalidConfigurationType},
		{name: "eOriginal is not created here", change: func(m map[string]any) { m["configurationType"] = "eOriginal" }, code: CodeInvalidConfigurationType},
		{name: "allUsers false without userIds", change: func(m map[string]any) { m["allUsers"] = false }, code: CodeUsersRequired},
		// Accounts hold configurations with groupIds alone (issue 10).
		{name: "groupIds alone", change: func(m map[string]any) { m["allUsers"] = false; m["groupIds"] = []string{"g"} }},
		{name: "allUsers false with userIds", change: func(m map[string]any) { m["allUsers"] = false; m["userIds"] = []string{"u"} }},
		{name: "deliveryMode any case", change: func(m map[string]any) { m["deliveryMode"] = "sim" }},
		{name: "bad deliveryMode", change: func(m map[string]any) { m["deliveryMode"] = "batch" }, code: CodeInvalidDeliveryMode},
		{name: "unknown SIM event", change: func(m map[string]any) { m["events"] = []string{"envelope-snt"} }, code: CodeInvalidEvent},
		{name: "SIM event in wrong case", change: func(m map[string]any) { m["events"] = []string{"Envelope-Sent"} }, code: CodeInvalidEvent},
		{name: "unknown envelope event", change: func(m map[string]any) { m["envelopeEvents"] = []string{"Signed"} }, code: CodeInvalidEvent},
		{name: "recipient event any case", change: func(m map[string]any) { m["recipientEvents"] = []string{"authenticationFailed"} }},
		{name: "bad eventData version", change: func(m map[string]any) { m["eventData"] = map[string]any{"version": "v3"} }, code: CodeInvalidEventData},
		{name: "json format needs restv2.1", change: func(m map[string]any) { m["eventData"] = map[string]any{"format": "json"} }, code: CodeInvalidEventData},
		{name: "bad includeData", change: func(m map[string]any) { m["eventData"] = map[string]any{"includeData": []string{"everything"}} }, code: CodeInvalidEventData},
		{name: "flag not a boolean", change: func(m map[string]any) { m["enableLog"] = "yes" }, code: CodeInvalidRequestBody},
		{name: "flag a number", change: func(m map[string]any) { m["enableLog"] = 1 }, code: CodeInvalidRequestBody},
		{name: "string field a number", change: func(m map[string]any) { m["name"] = 7 }, code: CodeInvalidRequestBody},
		{name: "malformed JSON", raw: `{"name":`, code: CodeInvalidRequestBody},
		{name: "empty body", raw: " ", code: CodeInvalidRequestBody},
		{name: "array body", raw: `[]`, code: CodeInvalidRequestBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any = tt.raw
			if tt.raw == "" {
				m := valid()
				tt.change(m)
				body = m
			}
			r := env.call("POST", connect(AccountAcme), body)
			if tt.code == "" {
				if r.status != http.StatusCreated {
					t.Errorf("status %d, want 201: %s", r.status, r.body)
				}
				return
			}
			if r.status != http.StatusBadRequest || r.errorCode(t) != tt.code {
				t.Errorf("got %d %s, want 400 %s", r.status, r.body, tt.code)
			}
			if msg, _ := r.json(t)["message"].(string); msg == "" || strings.Contains(msg, "emulator.") {
				t.Errorf("message %q should say what is wrong without Go names", msg)
			}
		})
	}
}

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed()})
	id := env.createConfig(AccountAcme, map[string]any{"name": "u", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true})
	tests := []struct {
		name string
		body map[string]any
		code string
	}{
		{"no connectId", map[string]any{"name": "u", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true}, CodeConnectIDRequired},
		{"unknown connectId", map[string]any{"connectId": "999", "name": "u", "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true}, CodeConfigurationNotFound},
		{"no name", map[string]any{"connectId": id, "configurationType": "custom", "urlToPublishTo": "https://example.com/h", "allUsers": true}, CodeNameRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.call("PUT", connect(AccountAcme), tt.body)
			if r.status != http.StatusBadRequest || r.errorCode(t) != tt.code {
				t.Errorf("got %d %s, want 400 %s", r.status, r.body, tt.code)
			}
		})
	}
	// A refused update changes nothing.
	if got := env.call("GET", connect(AccountAcme)+"/"+id, nil).json(t)["configurations"].([]any)[0].(map[string]any)["name"]; got != "u" {
		t.Errorf("name = %v after refused updates", got)
	}
}

func TestAccessErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	noConsentToken, err := env.e.IssueToken(NoConsentUserID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		token  string
		path   string
		status int
		code   string
	}{
		{"no token", "", connect(AccountAcme), 401, CodeUserAuthenticationFailed},
		{"unknown token", "forged", connect(AccountAcme), 401, CodeUserAuthenticationFailed},
		{"unknown account", env.token, connect("00000000-0000-4000-8000-000000000000"), 400, CodeUserNotInAccount},
		{"not a member", env.token, connect(AccountHooli), 400, CodeUserNotInAccount},
		{"other user, not a member", noConsentToken, connect(AccountGlobex), 400, CodeUserNotInAccount},
		{"connect disabled", env.token, connect(AccountInitech), 400, CodeAccountLacksPermissions},
		{"not an admin", env.token, connect(AccountUmbrella), 403, CodeUserLacksPermissions},
		{"unknown connectId", env.token, connect(AccountAcme) + "/424242", 400, CodeConfigurationNotFound},
		{"users of unknown connectId", env.token, connect(AccountAcme) + "/424242/users", 400, CodeConfigurationNotFound},
		{"endpoint not emulated", env.token, connect(AccountAcme) + "/mobile_notifiers", 501, CodeNotImplemented},
		{"deeper endpoint not emulated", env.token, connect(AccountAcme) + "/oauth/x", 501, CodeNotImplemented},
		{"unknown path", env.token, "/restapi/v2.1/accounts/" + AccountAcme + "/envelopes", 404, CodeResourceNotFound},
		{"unknown path under connect", env.token, connect(AccountAcme) + "/424242/nothing/here", 404, CodeResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.callAs(tt.token, "GET", tt.path, nil)
			if r.status != tt.status || r.errorCode(t) != tt.code {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
			if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
		})
	}
	t.Run("connect disabled message mentions Connect", func(t *testing.T) {
		msg := env.call("GET", connect(AccountInitech), nil).json(t)["message"].(string)
		if !strings.Contains(msg, "Connect") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("method not allowed", func(t *testing.T) {
		r := env.call("DELETE", connect(AccountAcme), nil)
		if r.status != http.StatusMethodNotAllowed || r.errorCode(t) != CodeMethodNotAllowed || r.header.Get("Allow") != "GET, POST, PUT" {
			t.Errorf("got %d %s Allow=%q", r.status, r.body, r.header.Get("Allow"))
		}
	})
}

func TestConfigurationsAccessor(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{})
	got, err := env.e.Configurations(AccountGlobex)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), "globex-listener-password") || strings.Contains(string(b), "globex-oauth-client-secret") {
		t.Errorf("Configurations leaks a secret: %s", b)
	}
	if _, err := env.e.Configurations("nope"); err == nil {
		t.Error("no error for an unknown account")
	}
}

func TestConcurrentChanges(t *testing.T) {
	t.Parallel()
	env := newEnv(t, Options{Seed: emptyAccountSeed(), StatePath: t.TempDir() + "/state.json"})
	const workers, each = 8, 10
	ids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r := env.call("POST", connect(AccountAcme), newConfigBody(fmt.Sprintf("w%d-%d", w, i)))
				if r.status != http.StatusCreated {
					t.Errorf("create: %d %s", r.status, r.body)
					return
				}
				ids <- r.json(t)["connectId"].(string)
				env.call("GET", connect(AccountAcme), nil)
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("connectId %s handed out twice", id)
		}
		seen[id] = true
	}
	if got := env.call("GET", connect(AccountAcme), nil).json(t)["totalRecords"]; got != strconv.Itoa(workers*each) {
		t.Errorf("totalRecords = %v", got)
	}
}
