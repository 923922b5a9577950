package plan

import (
	"fmt"
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
)

// FuzzApplyThenPlanIsEmpty checks the plan's central property: whatever the
// desired and live configurations, carrying out the plan (creates echoed the
// way DocuSign stores them, updates as the live object overlaid with the
// desired fields, deletes) and planning again gives no changes.
func FuzzApplyThenPlanIsEmpty(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{9, 200, 3, 17, 42, 0, 0, 1, 255, 128, 64, 32, 16, 8, 4, 2, 1})
	f.Add([]byte("rename and prune and sets"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &byteReader{data: data}
		var live []config.Connect
		for i := range r.next() % 5 {
			c := randomConnect(r, fmt.Sprintf("hook-%d", r.next()%4))
			w := config.ToWire(c)
			live = append(live, echo(t, acct.Alias, fmt.Sprint(1000+i), w))
		}
		var desired []config.Connect
		seen := map[string]bool{}
		for range r.next() % 5 {
			c := randomConnect(r, fmt.Sprintf("hook-%d", r.next()%5))
			if seen[c.Name] {
				continue
			}
			seen[c.Name] = true
			switch r.next() % 6 {
			case 0:
				c.Absent, c.Fields = true, map[string]any{}
			case 1:
				c.Previously = []string{fmt.Sprintf("hook-%d", r.next()%4)}
			}
			desired = append(desired, c)
		}
		opts := Options{Prune: r.next()%2 == 0}
		in := AccountInput{Account: acct, Desired: desired, Live: live}
		first := Compute([]AccountInput{in}, opts)
		if first.HasErrors() {
			return // ambiguous names and the like: nothing is applied
		}
		in.Live = applyToLive(t, first.Accounts[0], live)
		second := Compute([]AccountInput{in}, opts)
		if second.HasChanges() {
			t.Fatalf("second plan not empty:\nfirst:  %v\nsecond: %v", brief(first), brief(second))
		}
	})
}

// applyToLive carries out a plan on a live state the way DocuSign would.
func applyToLive(t *testing.T, a Account, live []config.Connect) []config.Connect {
	byID := map[string]config.Connect{}
	for _, l := range live {
		byID[l.ConnectID] = l
	}
	next := 5000
	for _, c := range a.Changes {
		switch c.Action {
		case Create:
			next++
			l := echo(t, acct.Alias, fmt.Sprint(next), config.ToWire(*c.Desired))
			byID[l.ConnectID] = l
		case Update:
			w := config.Overlay(toWire(byID[c.ConnectID]), *c.Desired)
			byID[c.ConnectID] = echo(t, acct.Alias, c.ConnectID, w)
		case Delete:
			delete(byID, c.ConnectID)
		}
	}
	out := make([]config.Connect, 0, len(byID))
	for _, l := range byID {
		out = append(out, l)
	}
	return out
}

func toWire(c config.Connect) docusign.Configuration {
	w := config.ToWire(c)
	w.ConnectID = c.ConnectID
	return w
}

type byteReader struct {
	data []byte
	i    int
}

func (r *byteReader) next() int {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[r.i%len(r.data)]
	r.i++
	return int(b)
}

// randomConnect builds a valid-looking desired configuration from fuzz bytes.
func randomConnect(r *byteReader, name string) config.Connect {
	pick := func(opts ...string) string { return opts[r.next()%len(opts)] }
	f := map[string]any{}
	if r.next()%2 == 0 {
		f["urlToPublishTo"] = pick("https://a.example.com/x", "https://b.example.com/y")
	}
	if r.next()%2 == 0 {
		f["allUsers"] = r.next()%2 == 0
	}
	if r.next()%3 == 0 {
		f["userIds"] = []string{pick("u1", "u2"), pick("u3", "u1")}
	}
	if r.next()%2 == 0 {
		f["deliveryMode"] = pick("SIM", "sim", "aggregate", "Aggregate")
	}
	if r.next()%2 == 0 {
		ed := map[string]any{}
		if r.next()%2 == 0 {
			ed["version"] = pick("restv2.1", "legacy")
		}
		if r.next()%2 == 0 {
			ed["includeData"] = []string{pick("tabs", "documents")}
		}
		f["eventData"] = ed
	}
	if r.next()%2 == 0 {
		f["events"] = []string{pick("envelope-sent", "envelope-completed"), pick("envelope-voided", "envelope-sent")}
	}
	if r.next()%3 == 0 {
		f["envelopeEvents"] = []string{pick("Completed", "Sent")}
	}
	for _, b := range []string{"enableLog", "includeHMAC", "allowEnvelopePublish", "requiresAcknowledgement", "includeDocuments"} {
		if r.next()%3 == 0 {
			f[b] = r.next()%2 == 0
		}
	}
	if r.next()%4 == 0 {
		f["password"] = pick("p1", "p2")
	}
	if r.next()%4 == 0 {
		f["configurationType"] = pick("custom", "customrecipient")
	}
	return config.Connect{Account: acct.Alias, Name: name, Fields: f}
}
