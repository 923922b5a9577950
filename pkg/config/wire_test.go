package config

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// liveJSON is shaped like a real DocuSign answer (recorded create response):
// every flag a string, defaults filled in, and a field this version of
// connectsync does not know.
const liveJSON = `{
  "connectId": "22210641", "name": "orders", "configurationType": "custom",
  "urlToPublishTo": "https://hooks.acme.com/x", "allowEnvelopePublish": "true",
  "allUsers": "true", "allUsersExcept": "false", "deliveryMode": "SIM",
  "eventData": {"version": "restv2.1", "includeData": []},
  "events": ["envelope-completed", "envelope-sent"],
  "envelopeEvents": [], "recipientEvents": [],
  "enableLog": "false", "requiresAcknowledgement": "true", "includeHMAC": "false",
  "integratorManaged": "false", "soapNamespace": "",
  "someFutureField": {"x": "1"}
}`

func TestFromWire(t *testing.T) {
	t.Parallel()
	var w docusign.Configuration
	if err := json.Unmarshal([]byte(liveJSON), &w); err != nil {
		t.Fatal(err)
	}
	c := FromWire("prod", w)
	want := map[string]any{
		"configurationType": "custom", "urlToPublishTo": "https://hooks.acme.com/x",
		"allowEnvelopePublish": true, "allUsers": true, "allUsersExcept": false, "deliveryMode": "SIM",
		"eventData":      map[string]any{"version": "restv2.1", "includeData": []string{}},
		"events":         []string{"envelope-completed", "envelope-sent"},
		"envelopeEvents": []string{}, "recipientEvents": []string{},
		"enableLog": false, "requiresAcknowledgement": true, "includeHMAC": false,
		"integratorManaged": false,
	}
	if diff := cmp.Diff(want, c.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if c.ConnectID != "22210641" || c.Name != "orders" || c.Account != "prod" || !c.Managed() {
		t.Errorf("identity: %+v", c)
	}
}

func TestOverlay(t *testing.T) {
	t.Parallel()
	var live docusign.Configuration
	if err := json.Unmarshal([]byte(liveJSON), &live); err != nil {
		t.Fatal(err)
	}
	desired := Connect{Name: "orders", ConnectID: "22210641", Fields: map[string]any{
		"enableLog": true,
		"eventData": map[string]any{"includeData": []string{"tabs"}},
		"password":  "s3cret",
	}}
	body, err := json.Marshal(Overlay(live, desired))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"enableLog":       "true",                                                              // desired, in DocuSign's string form
		"allUsers":        "true",                                                              // live, kept
		"eventData":       map[string]any{"version": "restv2.1", "includeData": []any{"tabs"}}, // merged key by key
		"password":        "s3cret",
		"connectId":       "22210641",
		"someFutureField": map[string]any{"x": "1"}, // unknown to us, sent back as it was
	}
	for k, want := range checks {
		if diff := cmp.Diff(want, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
}

func TestToWireRoundTrip(t *testing.T) {
	t.Parallel()
	desired := Connect{Name: "n", Fields: map[string]any{
		"urlToPublishTo": "https://h/x", "allUsers": true, "deliveryMode": "SIM",
		"eventData":          map[string]any{"version": "restv2.1", "includeData": []string{"tabs"}},
		"events":             []string{"envelope-sent"},
		"includeHMAC":        false,
		"oAuthConfiguration": map[string]any{"clientId": "c", "customParameters": map[string]string{"a": "b"}},
	}}
	w := ToWire(desired)
	if w.ConfigurationType != "custom" {
		t.Errorf("a create without configurationType must send custom, got %q", w.ConfigurationType)
	}
	back := FromWire("", w)
	delete(back.Fields, "configurationType")
	if diff := cmp.Diff(desired.Fields, back.Fields); diff != "" {
		t.Errorf("round trip (-desired +back):\n%s", diff)
	}
}
