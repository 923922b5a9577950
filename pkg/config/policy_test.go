package config_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
)

// liveConnect decodes a live configuration as DocuSign answers it.
func liveConnect(t *testing.T, body string) config.Connect {
	t.Helper()
	var w docusign.Configuration
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	return config.FromWire("acme", w)
}

// TestTroubleshoot: audit's rules for webhooks that silently deliver
// nothing, on live configurations shaped as DocuSign stores them (issue 10,
// item 5; issue 15, item 11 for the URL).
func TestTroubleshoot(t *testing.T) {
	t.Parallel()
	const base = `"connectId": "1", "name": "x", "configurationType": "custom", "urlToPublishTo": "https://h.example.com/x", "allowEnvelopePublish": "true", "enableLog": "true", "includeHMAC": "true"`
	tests := map[string]struct {
		body string
		want []string // rule names
	}{
		"healthy JSON SIM":      {`{` + base + `, "allUsers": "true", "deliveryMode": "SIM", "eventData": {"version": "restv2.1"}, "events": ["envelope-sent"]}`, nil},
		"healthy aggregate":     {`{` + base + `, "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["Sent"]}`, nil},
		"the recorded real one": {`{` + base + `, "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["sent", "delivered"], "recipientEvents": ["Sent"]}`, []string{"eventLetterCase"}},
		"lower-case recipient events": {`{` + base + `, "allUsers": "true", "deliveryMode": "Aggregate", "recipientEvents": ["completed"]}`,
			[]string{"eventLetterCase"}},
		"JSON SIM without events":     {`{` + base + `, "allUsers": "true", "deliveryMode": "SIM", "eventData": {"version": "restv2.1"}, "envelopeEvents": ["Sent"]}`, []string{"noTriggerEvents"}},
		"aggregate without events":    {`{` + base + `, "allUsers": "true", "deliveryMode": "", "events": ["envelope-sent"]}`, []string{"noTriggerEvents"}},
		"nobody covered":              {`{` + base + `, "allUsers": "false", "deliveryMode": "", "envelopeEvents": ["Sent"]}`, []string{"noUsers"}},
		"groups only cover someone":   {`{` + base + `, "allUsers": "false", "groupIds": ["7"], "deliveryMode": "", "envelopeEvents": ["Sent"]}`, nil},
		"SOAP without namespace":      {`{` + base + `, "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["Sent"], "useSoapInterface": "true", "soapNamespace": ""}`, []string{"soapNamespace"}},
		"a listener URL that is none": {`{"connectId": "1", "name": "x", "urlToPublishTo": "hooks.example.com/x", "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["Sent"]}`, []string{"invalidUrl"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range config.DefaultPolicy().Troubleshoot(liveConnect(t, tc.body)) {
				got = append(got, f.Rule)
				if f.Fix == "" || f.Message == "" || f.Severity == "" {
					t.Errorf("finding without a message, fix or severity: %+v", f)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rules %q, want %q", got, tc.want)
			}
		})
	}
}

// TestInvalidURLFailsClosed: the policy's URL rules cannot judge a URL that
// does not parse, so audit reports it as a high finding of its own rather
// than saying nothing (issue 15, item 11).
func TestInvalidURLFailsClosed(t *testing.T) {
	t.Parallel()
	c := liveConnect(t, `{"connectId": "1", "name": "x", "urlToPublishTo": "http://[::1", "allUsers": "true", "deliveryMode": "", "envelopeEvents": ["Sent"]}`)
	p := config.DefaultPolicy()
	var rules []string
	for _, f := range append(p.Troubleshoot(c), p.Check(c)...) {
		if f.Severity == config.SevHigh {
			rules = append(rules, f.Rule)
		}
	}
	if !slices.Contains(rules, "invalidUrl") {
		t.Fatalf("high findings %q, want invalidUrl", rules)
	}
}
