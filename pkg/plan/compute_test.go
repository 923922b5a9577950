package plan

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
)

var acct = config.Account{Alias: "prod", AccountID: "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f"}

// live decodes a configuration the way the real API returns it: every flag
// a string, DocuSign's defaults filled in (recorded create response shape).
func live(t *testing.T, id, name string, overrides string) config.Connect {
	t.Helper()
	base := fmt.Sprintf(`{"connectId": %q, "name": %q, "configurationType": "custom",
	  "urlToPublishTo": "https://hooks.acme.com/x", "allowEnvelopePublish": "true", "allUsers": "true",
	  "allUsersExcept": "false", "deliveryMode": "SIM", "eventData": {"version": "restv2.1", "includeData": []},
	  "events": ["envelope-completed", "envelope-sent"], "envelopeEvents": [], "recipientEvents": [],
	  "enableLog": "true", "requiresAcknowledgement": "true", "includeHMAC": "true",
	  "signMessageWithX509Certificate": "false", "requireMutualTls": "false", "includeDocuments": "false",
	  "includeCertificateOfCompletion": "false", "includeDocumentFields": "false", "includeEnvelopeVoidReason": "false",
	  "includeSenderAccountasCustomField": "false", "includeTimeZoneInformation": "false",
	  "includeCertSoapHeader": "false", "useSoapInterface": "false", "soapNamespace": "", "pausePublish": "false",
	  "includeOAuth": "false", "enableOAuthPerConfiguration": "false", "integratorManaged": "false"}`, id, name)
	var obj map[string]any
	if err := json.Unmarshal([]byte(base), &obj); err != nil {
		t.Fatal(err)
	}
	if overrides != "" {
		var o map[string]any
		if err := json.Unmarshal([]byte(overrides), &o); err != nil {
			t.Fatal(err)
		}
		for k, v := range o {
			if v == nil {
				delete(obj, k)
			} else {
				obj[k] = v
			}
		}
	}
	data, _ := json.Marshal(obj)
	var w docusign.Configuration
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	return config.FromWire(acct.Alias, w)
}

// desired is a configuration as a file declares it (only managed fields).
func desired(name string, fields map[string]any) config.Connect {
	f := map[string]any{
		"urlToPublishTo": "https://hooks.acme.com/x", "allUsers": true, "deliveryMode": "SIM",
		"eventData": map[string]any{"version": "restv2.1"}, "events": []string{"envelope-sent", "envelope-completed"},
		"allowEnvelopePublish": true, "enableLog": true, "includeHMAC": true,
	}
	for k, v := range fields {
		if v == nil {
			delete(f, k)
		} else {
			f[k] = v
		}
	}
	return config.Connect{Account: acct.Alias, Name: name, Fields: f, Pos: config.Pos{File: "c.yaml", Line: 1, Col: 1}}
}

// brief renders a plan compactly for comparison: one line per change.
func brief(p *Plan) []string {
	var out []string
	for _, a := range p.Accounts {
		for _, c := range a.Changes {
			line := fmt.Sprintf("%s %s", c.Action, c.Name)
			if c.ConnectID != "" {
				line += " #" + c.ConnectID
			}
			if c.RenamedFrom != "" {
				line += " from " + c.RenamedFrom
			}
			if c.Action == Update {
				var fs []string
				for _, f := range c.Fields {
					fs = append(fs, f.Field)
				}
				line += " [" + strings.Join(fs, " ") + "]"
			}
			out = append(out, line)
		}
		for _, u := range a.Unmanaged {
			out = append(out, "unmanaged "+u.Name)
		}
		for _, i := range a.Ignored {
			out = append(out, "ignored "+i.Name)
		}
		for _, x := range a.Ambiguous {
			out = append(out, "ambiguous "+x.Name+" #"+x.ConnectID)
		}
		for _, x := range a.Unexpressible {
			out = append(out, "unexpressible "+x.Name+" #"+x.ConnectID)
		}
		for _, e := range a.Errors {
			out = append(out, "error "+e)
		}
		if a.MassDelete != "" {
			out = append(out, "mass-delete "+a.MassDelete)
		}
	}
	return out
}

func TestCompute(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		desired []config.Connect
		live    func(t *testing.T) []config.Connect
		opts    Options
		prune   bool
		want    []string
	}{
		"create": {
			desired: []config.Connect{desired("orders", nil)},
			live:    func(t *testing.T) []config.Connect { return nil },
			want:    []string{"create orders"},
		},
		"no change despite string booleans, defaults and event order": {
			desired: []config.Connect{desired("orders", map[string]any{"requiresAcknowledgement": true, "includeDocuments": false, "userIds": []string{}})},
			live:    func(t *testing.T) []config.Connect { return []config.Connect{live(t, "1", "orders", "")} },
			want:    []string{"no-op orders #1"},
		},
		"deliveryMode compares ignoring case": {
			desired: []config.Connect{desired("orders", map[string]any{"deliveryMode": "Aggregate", "events": nil, "envelopeEvents": []string{"Completed"}})},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", `{"deliveryMode": "aggregate", "events": null, "envelopeEvents": ["Completed"]}`)}
			},
			want: []string{"no-op orders #1"},
		},
		"update only the fields that differ": {
			desired: []config.Connect{desired("orders", map[string]any{"enableLog": false, "events": []string{"envelope-sent", "envelope-voided"}})},
			live:    func(t *testing.T) []config.Connect { return []config.Connect{live(t, "1", "orders", "")} },
			want:    []string{"update orders #1 [events enableLog]"},
		},
		"fields the file does not set are not managed": {
			desired: []config.Connect{{Account: "prod", Name: "orders", Fields: map[string]any{"enableLog": true}}},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", `{"includeHMAC": "false", "urlToPublishTo": "https://elsewhere/y"}`)}
			},
			want: []string{"no-op orders #1"},
		},
		"nested eventData compares key by key": {
			desired: []config.Connect{desired("orders", map[string]any{"eventData": map[string]any{"includeData": []string{"tabs"}}})},
			live:    func(t *testing.T) []config.Connect { return []config.Connect{live(t, "1", "orders", "")} },
			want:    []string{"update orders #1 [eventData.includeData]"},
		},
		"eventData.version legacy equals DocuSign's empty default": {
			desired: []config.Connect{desired("orders", map[string]any{"eventData": map[string]any{"version": "legacy"}})},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", `{"eventData": {"version": "", "includeData": []}}`)}
			},
			want: []string{"no-op orders #1"},
		},
		"write-only alone is no change": {
			desired: []config.Connect{desired("orders", map[string]any{"password": "s3cret"})},
			live:    func(t *testing.T) []config.Connect { return []config.Connect{live(t, "1", "orders", "")} },
			want:    []string{"no-op orders #1"},
		},
		"write-only is sent with any update": {
			desired: []config.Connect{desired("orders", map[string]any{"password": "s3cret", "enableLog": false})},
			live:    func(t *testing.T) []config.Connect { return []config.Connect{live(t, "1", "orders", "")} },
			want:    []string{"update orders #1 [enableLog password]"},
		},
		"rotate secrets forces the update": {
			desired: []config.Connect{desired("orders", map[string]any{"password": "s3cret"}), desired("other", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "other", "")}
			},
			opts: Options{RotateSecrets: true},
			want: []string{"update orders #1 [password]", "no-op other #2"},
		},
		"an update that would clear a secret the file does not set is refused": {
			desired: []config.Connect{desired("orders", map[string]any{"enableLog": false})},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", `{"userName": "connect", "oAuthConfiguration": {"clientId": "c"}}`)}
			},
			want: []string{`error c.yaml:1:1: "orders": an update would clear its password and oAuthConfiguration.clientSecret: DocuSign does not return secrets, so connectsync cannot send them back; add password: ${env.NAME} and oAuthConfiguration: {clientSecret: ${env.NAME}} to the file`},
		},
		"an unchanged configuration with an unset secret is fine": {
			desired: []config.Connect{desired("orders", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", `{"userName": "connect"}`)}
			},
			want: []string{"no-op orders #1"},
		},
		"rename through previously": {
			desired: []config.Connect{func() config.Connect {
				d := desired("orders-completed", nil)
				d.Previously = []string{"orders"}
				return d
			}()},
			live: func(t *testing.T) []config.Connect { return []config.Connect{live(t, "1", "orders", "")} },
			want: []string{"update orders-completed #1 from orders [name]"},
		},
		"pinned connectId": {
			desired: []config.Connect{func() config.Connect { d := desired("orders", nil); d.ConnectID = "2"; return d }()},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "orders", `{"enableLog": "false"}`)}
			},
			want: []string{"update orders #2 [enableLog]", "unmanaged orders"},
		},
		"two live with the same name is an error": {
			desired: []config.Connect{desired("orders", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "orders", "")}
			},
			want: []string{"ambiguous orders #1", "ambiguous orders #2",
				`error c.yaml:1:1: 2 live configurations are named "orders" (connectId 1, 2) and the entry does not say which one it means: pin it with connectId: "1" (or the other id); nothing in this account is changed until then, and neither is pruned`},
		},
		// Issue 11 item 10 and issue 10 item 3: two live configurations of a
		// name the files declare are neither "unmanaged" nor pruned.
		// DocuSign reports its defaults as "" and reads any letter case.
		"deliveryMode aggregate equals DocuSign's empty default": {
			desired: []config.Connect{desired("agg", map[string]any{"deliveryMode": "aggregate", "eventData": map[string]any{"version": "LEGACY"},
				"events": nil, "envelopeEvents": []string{"Completed"}})},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "agg", `{"deliveryMode": "", "eventData": {"version": "", "includeData": []}, "events": null, "envelopeEvents": ["Completed"]}`)}
			},
			want: []string{"no-op agg #1"},
		},
		"letter case of events is a change, with its reason": {
			desired: []config.Connect{desired("agg", map[string]any{"deliveryMode": "aggregate", "eventData": nil, "events": nil, "envelopeEvents": []string{"Sent", "Completed"}})},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "agg", `{"deliveryMode": "", "eventData": {"version": ""}, "events": null, "envelopeEvents": ["sent", "completed"]}`)}
			},
			want: []string{"update agg #1 [envelopeEvents]"},
		},
		"prune never deletes configurations of an ambiguous name": {
			desired: []config.Connect{desired("orders", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "orders", ""), live(t, "3", "stray", "")}
			},
			prune: true,
			want: []string{"delete stray #3", "ambiguous orders #1", "ambiguous orders #2",
				`error c.yaml:1:1: 2 live configurations are named "orders" (connectId 1, 2) and the entry does not say which one it means: pin it with connectId: "1" (or the other id); nothing in this account is changed until then, and neither is pruned`},
		},
		"prune never deletes what the file format cannot express": {
			desired: []config.Connect{desired("orders", nil)},
			live: func(t *testing.T) []config.Connect {
				// An event DocuSign added after the schema was written.
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "future", `{"events": ["envelope-teleported"]}`)}
			},
			prune: true,
			want: []string{"no-op orders #1", "unexpressible future #2",
				`error prune would delete "future" (connectId 2), which the file format cannot express (unknown event "envelope-teleported"; did you mean "envelope-deleted"?); connectsync never deletes what a file could not have declared: delete it in DocuSign, or declare it with connectId: "2" and state: absent`},
		},
		"--name limits the plan and turns prune off": {
			desired: []config.Connect{desired("orders", map[string]any{"enableLog": false}), desired("signers", map[string]any{"enableLog": false})},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "signers", ""), live(t, "3", "stray", ""),
					live(t, "4", "Salesforce", `{"configurationType": "salesforce"}`)}
			},
			prune: true,
			opts:  Options{Names: []string{"orders"}},
			want:  []string{"update orders #1 [enableLog]"},
		},
		"absent deletes": {
			desired: []config.Connect{{Account: "prod", Name: "old", Absent: true}, desired("keep", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "old", ""), live(t, "2", "keep", "")}
			},
			want: []string{"delete old #1", "no-op keep #2"},
		},
		"absent and already gone": {
			desired: []config.Connect{{Account: "prod", Name: "old", Absent: true}},
			live:    func(t *testing.T) []config.Connect { return nil },
			want:    nil,
		},
		"unmanaged and ignored are left alone": {
			desired: []config.Connect{desired("orders", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "orders", ""), live(t, "2", "stray", ""),
					live(t, "3", "Salesforce", `{"configurationType": "salesforce"}`),
					live(t, "4", "partner", `{"integratorManaged": "true"}`)}
			},
			want: []string{"no-op orders #1", "unmanaged stray", "ignored Salesforce", "ignored partner"},
		},
		"prune deletes unmanaged, never ignored": {
			desired: []config.Connect{desired("a", nil), desired("b", nil), desired("c", nil), desired("d", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "a", ""), live(t, "2", "b", ""), live(t, "3", "c", ""), live(t, "4", "d", ""),
					live(t, "5", "stray", ""), live(t, "6", "Salesforce", `{"configurationType": "salesforce"}`)}
			},
			opts: Options{Prune: true},
			want: []string{"delete stray #5", "no-op a #1", "no-op b #2", "no-op c #3", "no-op d #4", "ignored Salesforce"},
		},
		"account prune": {
			desired: []config.Connect{desired("a", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "a", ""), live(t, "2", "stray", "")}
			},
			prune: true,
			want:  []string{"delete stray #2", "no-op a #1"},
		},
		"mass delete: everything": {
			desired: nil,
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "a", ""), live(t, "2", "b", "")}
			},
			opts: Options{Prune: true},
			want: []string{"delete a #1", "delete b #2", "mass-delete deletes all 2 existing configurations of the account that connectsync may change (custom and customrecipient)"},
		},
		"mass delete: over 30% of at least 4": {
			desired: []config.Connect{desired("a", nil), desired("b", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "1", "a", ""), live(t, "2", "b", ""), live(t, "3", "c", ""), live(t, "4", "d", "")}
			},
			opts: Options{Prune: true},
			want: []string{"delete c #3", "delete d #4", "no-op a #1", "no-op b #2",
				"mass-delete deletes 2 of the 4 existing configurations of the account that connectsync may change (more than 30%)"},
		},
		"a name taken by an ignored configuration": {
			desired: []config.Connect{desired("Salesforce", nil)},
			live: func(t *testing.T) []config.Connect {
				return []config.Connect{live(t, "3", "Salesforce", `{"configurationType": "salesforce"}`)}
			},
			want: []string{"ignored Salesforce",
				`error c.yaml:1:1: "Salesforce" is the name of a live salesforce configuration: connectsync manages only custom and customrecipient; give yours another name`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := acct
			a.Prune = tc.prune
			p := Compute([]AccountInput{{Account: a, Desired: tc.desired, Live: tc.live(t)}}, tc.opts)
			if diff := cmp.Diff(tc.want, brief(p)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApplyThenPlanIsEmpty applies each example's plan to a DocuSign-like
// echo of the writes (string booleans, defaults filled in, events reordered)
// and checks that planning again changes nothing.
func TestApplyThenPlanIsEmpty(t *testing.T) {
	t.Parallel()
	env := func(string) (string, bool) { return "secret-value", true }
	for _, ex := range []string{"quickstart.yaml", "multi-account.yaml", "recipient-connect.yaml", "models"} {
		d, ds := config.Load([]string{filepath.Join("..", "..", "examples", ex)}, config.LoadOptions{LookupEnv: env})
		if ds.HasErrors() {
			t.Fatalf("%s: %v", ex, ds)
		}
		for _, a := range d.Accounts {
			in := AccountInput{Account: a, Desired: d.ForAccount(a.Alias)}
			first := Compute([]AccountInput{in}, Options{})
			for i, c := range first.Accounts[0].Changes {
				if c.Action == Create {
					in.Live = append(in.Live, echo(t, a.Alias, fmt.Sprint(100+i), config.ToWire(*c.Desired)))
				}
			}
			second := Compute([]AccountInput{in}, Options{})
			if second.HasChanges() {
				t.Errorf("%s/%s: second plan not empty: %v", ex, a.Alias, brief(second))
			}
		}
	}
}

// echo stores a create the way DocuSign answers it: every flag a string,
// the defaults it fills in, lists reversed, write-only fields dropped.
func echo(t *testing.T, alias, id string, w docusign.Configuration) config.Connect {
	t.Helper()
	data, _ := json.Marshal(w)
	var obj map[string]any
	_ = json.Unmarshal(data, &obj)
	obj["connectId"] = id
	for _, f := range config.Fields {
		if _, ok := obj[f.Name]; !ok {
			switch d := f.Default.(type) {
			case bool:
				obj[f.Name] = fmt.Sprint(d)
			case string:
				obj[f.Name] = d
			case []string:
				if f.Name != "userIds" && f.Name != "groupIds" && f.Name != "events" {
					obj[f.Name] = []any{}
				}
			}
		}
		if list, ok := obj[f.Name].([]any); ok {
			for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
				list[i], list[j] = list[j], list[i]
			}
		}
	}
	if _, ok := obj["eventData"]; !ok {
		obj["eventData"] = map[string]any{"version": "", "includeData": []any{}}
	}
	delete(obj, "password")
	data, _ = json.Marshal(obj)
	var back docusign.Configuration
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return config.FromWire(alias, back)
}

func TestFingerprintIgnoresSecretsAndOrder(t *testing.T) {
	t.Parallel()
	a, b := live(t, "1", "a", ""), live(t, "2", "b", "")
	withSecret := live(t, "1", "a", `{"password": "hash-of-secret"}`)
	const acct = "11111111-2222-4333-8444-555555555555"
	if Fingerprint(acct, []config.Connect{a, b}) != Fingerprint(strings.ToUpper(acct), []config.Connect{b, withSecret}) {
		t.Error("fingerprint depends on order, on a secret, or on the account id's letter case")
	}
	changed := live(t, "1", "a", `{"enableLog": "false"}`)
	if Fingerprint(acct, []config.Connect{a, b}) == Fingerprint(acct, []config.Connect{changed, b}) {
		t.Error("fingerprint misses a changed field")
	}
}

// TestFingerprintNamesTheAccount: two empty accounts (or two that look the
// same) must not share a fingerprint, or a saved plan for one would apply
// to the other (issue 15, item 3).
func TestFingerprintNamesTheAccount(t *testing.T) {
	t.Parallel()
	if Fingerprint("11111111-2222-4333-8444-555555555555", nil) == Fingerprint("22222222-2222-4333-8444-555555555555", nil) {
		t.Error("two empty accounts have the same fingerprint")
	}
}

// TestLetterCaseNote: an update that only changes the letter case of
// events says so, so a reviewer knows why "sent" → "Sent" matters.
func TestLetterCaseNote(t *testing.T) {
	t.Parallel()
	d := desired("agg", map[string]any{"deliveryMode": "aggregate", "eventData": nil, "events": nil, "envelopeEvents": []string{"Sent", "Completed"}})
	l := live(t, "1", "agg", `{"deliveryMode": "", "events": null, "envelopeEvents": ["sent", "completed"]}`)
	p := Compute([]AccountInput{{Account: config.Account{Alias: "prod"}, Desired: []config.Connect{d}, Live: []config.Connect{l}}}, Options{})
	fields := p.Accounts[0].Changes[0].Fields
	if len(fields) != 1 || !strings.HasPrefix(fields[0].Note, "letter case only") {
		t.Fatalf("fields: %+v", fields)
	}
	d.Fields["envelopeEvents"] = []string{"Sent", "Voided"}
	p = Compute([]AccountInput{{Account: config.Account{Alias: "prod"}, Desired: []config.Connect{d}, Live: []config.Connect{l}}}, Options{})
	if f := p.Accounts[0].Changes[0].Fields[0]; f.Note != "" {
		t.Fatalf("a change of values is not a letter-case change: %+v", f)
	}
}
