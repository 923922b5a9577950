package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/audit"
	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/docusign"
)

func auditConnect(account, name, id string, fields map[string]any) config.Connect {
	return config.Connect{Account: account, Name: name, ConnectID: id, Fields: fields}
}

func sim(url string, kv ...any) map[string]any {
	m := map[string]any{"configurationType": "custom", "urlToPublishTo": url, "allowEnvelopePublish": true, "allUsers": true,
		"deliveryMode": "SIM", "eventData": map[string]any{"version": "restv2.1"}, "events": []string{"envelope-completed"},
		"enableLog": true, "includeHMAC": true}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// auditFixtures are reports to render, one golden file per fixture per
// format: testdata/audit/<name>.{txt,color.txt,json,md}.
func auditFixtures() map[string]*audit.Report {
	prod := config.Account{Alias: "acme-prod", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f"}
	eu := config.Account{Alias: "acme-eu", AccountID: "2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4"}
	mixed := []audit.Input{
		{Account: prod, InFiles: true,
			Desired: []config.Connect{
				{Account: "acme-prod", Name: "orders", Fields: map[string]any{"enableLog": true, "urlToPublishTo": "https://hooks.acme.com/orders"}},
				{Account: "acme-prod", Name: "signers", Fields: sim("https://hooks.acme.com/signers")},
				{Account: "acme-prod", Name: "old", Absent: true},
			},
			Live: []config.Connect{
				auditConnect("acme-prod", "orders", "22210641", sim("https://hooks.acme.com/orders", "enableLog", false)),
				auditConnect("acme-prod", "old", "22210642", sim("https://hooks.acme.com/old")),
				auditConnect("acme-prod", "someone's hook", "22210650", sim("http://user:pw@203.0.113.7/hook", "includeHMAC", false, "allowEnvelopePublish", false)),
				auditConnect("acme-prod", "legacy XML", "22210652", map[string]any{"configurationType": "custom", "urlToPublishTo": "https://hooks.acme.com/xml",
					"allowEnvelopePublish": true, "allUsers": true, "deliveryMode": "SIM", "envelopeEvents": []string{"Completed"}, "enableLog": true, "includeHMAC": true, "disabledBy": "connect-failures"}),
				auditConnect("acme-prod", "DocuSign for Salesforce", "22210651", map[string]any{"configurationType": "salesforce", "urlToPublishTo": "https://login.salesforce.com", "allowEnvelopePublish": true}),
			},
		},
		{Account: eu, InFiles: true, Live: []config.Connect{auditConnect("acme-eu", "orders", "1", sim("https://hooks.acme.com/orders"))},
			Desired: []config.Connect{{Account: "acme-eu", Name: "orders", Fields: map[string]any{"enableLog": true}}}},
		{Account: config.Account{Alias: "initech", AccountID: "c3d4e5f6-a7b8-4c91-8d2e-3f4a5b6c7d8e"}, InFiles: true,
			Err: errors.New("account initech (c3d4e5f6-a7b8-4c91-8d2e-3f4a5b6c7d8e): list configurations: 400 ACCOUNT_LACKS_PERMISSIONS: Connect is not enabled for this account.")},
		{Account: config.Account{Alias: "globex-sandbox", AccountID: "b2c3d4e5-f6a7-4b80-9c1d-2e3f4a5b6c7d"}, InFiles: false,
			Live: []config.Connect{auditConnect("globex-sandbox", "Globex | JSON <SIM>", "22300004", sim("https://hooks.globex.example.com/sim"))}},
	}
	covered := []audit.Input{{Account: eu, InFiles: true,
		Live: []config.Connect{
			auditConnect("acme-eu", "orders", "1", sim("https://hooks.acme.com/orders")),
			auditConnect("acme-eu", "signers", "2", sim("https://hooks.acme.com/signers")),
		},
		Desired: []config.Connect{{Account: "acme-eu", Name: "orders", Fields: map[string]any{"enableLog": true}}},
		Users:   map[string]audit.Users{"1": {Count: 242}, "2": {Err: errors.New("403 USER_LACKS_PERMISSIONS")}},
	}}
	w := delivery.Window{Since: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 8, 12, 0, 0, 0, time.UTC)}
	failing := []audit.Input{
		{Account: prod, InFiles: true,
			Desired: []config.Connect{{Account: "acme-prod", Name: "orders", Fields: map[string]any{"enableLog": true, "urlToPublishTo": "https://hooks.acme.com/orders"}}},
			Live: []config.Connect{
				auditConnect("acme-prod", "orders", "22210641", sim("https://hooks.acme.com/orders")),
				auditConnect("acme-prod", "Legacy order webhook", "22210642", sim("https://listener:s3cret@legacy.acme.com/hook")),
			},
			Failures: []docusign.LogEntry{
				{EnvelopeID: "93be49ab-1c2d-4e5f-8a9b-f752070d71ec", ConnectID: "22210642", ConfigURL: "https://listener:s3cret@legacy.acme.com/hook",
					Created: "2026-11-06T14:02:11.0000000Z", LastTry: "2026-11-08T09:12:40.0000000Z", RetryCount: 7, Error: "The remote server returned an error: (503) Server Unavailable."},
				{EnvelopeID: "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d", ConnectID: "22210642", Created: "2026-11-07T08:00:00Z", Error: "Unable to connect to the remote server"},
			}},
		{Account: eu, InFiles: true, Live: []config.Connect{auditConnect("acme-eu", "orders", "1", sim("https://hooks.acme.com/orders"))},
			Desired:     []config.Connect{{Account: "acme-eu", Name: "orders", Fields: map[string]any{"enableLog": true}}},
			FailuresErr: errors.New("failure log not read: list the Connect failure log of account 2b7e4d1a-9c3f-4e8a-b5d6-7f8091a2b3c4: 400 INVALID_REQUEST_PARAMETER")},
	}
	return map[string]*audit.Report{
		"delivery": audit.Build(failing, audit.Options{Tool: "connectsync test", Files: []string{"hooks.yaml"}, Policy: config.DefaultPolicy(), Delivery: &w}),
		"mixed":    audit.Build(mixed, audit.Options{Tool: "connectsync test", Files: []string{"hooks.yaml"}, Policy: config.DefaultPolicy()}),
		"clean":    audit.Build(mixed[1:2], audit.Options{Tool: "connectsync test", Files: []string{"hooks.yaml"}, Policy: config.DefaultPolicy(), Shard: &audit.Shard{Index: 2, Count: 4}}),
		"covered":  audit.Build(covered, audit.Options{Tool: "connectsync test", Files: []string{"hooks.yaml"}, Policy: config.DefaultPolicy(), Coverage: true}),
	}
}

func TestAuditGolden(t *testing.T) {
	for name, r := range auditFixtures() {
		t.Run(name, func(t *testing.T) {
			var txt, color, js, md bytes.Buffer
			AuditText(&txt, r, Options{})
			AuditText(&color, r, Options{Color: true})
			if err := AuditJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			if err := AuditMarkdown(&md, r); err != nil {
				t.Fatal(err)
			}
			for ext, got := range map[string]string{"txt": txt.String(), "color.txt": color.String(), "json": js.String(), "md": md.String()} {
				golden := filepath.Join("testdata", "audit", name+"."+ext)
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s (-want +got; go test -update rewrites it):\n%s", golden, diff)
				}
			}
			for _, out := range []string{txt.String(), js.String(), md.String()} {
				if strings.Contains(out, "user:pw") || strings.Contains(out, "s3cret") {
					t.Errorf("a URL's credentials leaked:\n%s", out)
				}
			}
		})
	}
}

// TestAuditMarkdownFits: a report of hundreds of accounts with findings
// everywhere still fits in a GitHub comment, summarised.
func TestAuditMarkdownFits(t *testing.T) {
	var inputs []audit.Input
	for i := range 1500 {
		alias := fmt.Sprintf("account-%04d", i)
		var live []config.Connect
		for j := range 3 {
			live = append(live, auditConnect(alias, fmt.Sprintf("hook-%02d", j), fmt.Sprint(i*100+j), sim("http://plain.example.com/x", "includeHMAC", false)))
		}
		inputs = append(inputs, audit.Input{Account: config.Account{Alias: alias, AccountID: fmt.Sprint(1000 + i)}, InFiles: true, Live: live})
	}
	for _, n := range []int{3, 60, 1500} {
		var b bytes.Buffer
		r := audit.Build(inputs[:n], audit.Options{Policy: config.DefaultPolicy()})
		if err := AuditMarkdown(&b, r); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if b.Len() > GitHubCommentLimit || !strings.HasPrefix(out, AuditMarker) {
			t.Errorf("%d accounts: %d characters (limit %d)", n, b.Len(), GitHubCommentLimit)
		}
		summarised := strings.Contains(out, "summarised to fit")
		if summarised != (n > 3) {
			t.Errorf("%d accounts: summarised = %v", n, summarised)
		}
		if n == 1500 && !strings.Contains(out, "more accounts") {
			t.Errorf("%d accounts: the table is not cut short", n)
		}
	}
}
