package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// checkConnect applies the semantic rules the schema cannot express to one
// configuration, after defaults and interpolation. A rule that reads a field
// the schema already rejected (broken) is skipped: one message per mistake.
//
// A rule is an error only where DocuSign itself refuses the value (see
// docs/docusign-fidelity.md); everything DocuSign accepts, and a live account
// can therefore hold, is a warning with the fix, so that any configuration
// an account holds can be written in a file (export, import).
func checkConnect(c Connect, broken map[string]bool, d *diags) {
	if c.Absent {
		return
	}
	anyBroken := func(fields ...string) bool {
		for _, f := range fields {
			if broken[f] {
				return true
			}
		}
		return false
	}
	at := func(field string) Pos {
		if p, ok := c.FieldPos[field]; ok {
			return p
		}
		return c.Pos
	}
	path := func(field string) string { return joinPath(c.Path, field) }

	if !anyBroken("urlToPublishTo") {
		checkURL(c, at, path, d)
	}
	if !anyBroken("allUsers", "allUsersExcept", "userIds", "groupIds") {
		checkUsers(c, at, path, d)
	}
	if !anyBroken("deliveryMode", "eventData", "events", "envelopeEvents", "recipientEvents") {
		checkDataModel(c, at, path, d)
	}
	checkLetterCase(c, at, path, d)
	checkName(c, path, d)
	if c.Type() == "customrecipient" && !anyBroken("configurationType", "events", "envelopeEvents") {
		for i, e := range c.Strings("events") {
			if !strings.HasPrefix(e, "recipient-") {
				item := fmt.Sprintf("events[%d]", i)
				d.warnf(at(item), path(item), fmt.Sprintf("remove %q, or use configurationType: custom", e),
					"a Recipient Connect (customrecipient) configuration reports on recipients: envelope events are not expected here")
			}
		}
		if len(c.Strings("envelopeEvents")) > 0 {
			d.warnf(at("envelopeEvents"), path("envelopeEvents"), "use recipientEvents, or configurationType: custom",
				"a Recipient Connect (customrecipient) configuration reports on recipients: envelopeEvents are not expected here")
		}
	}
	if _, set := c.Bool("allowEnvelopePublish"); !set && !broken["allowEnvelopePublish"] {
		d.warnf(c.Pos, path("allowEnvelopePublish"), "add allowEnvelopePublish: true to enable it (or false to keep it off on purpose)",
			"allowEnvelopePublish is not set: DocuSign creates the configuration disabled")
	}
	if soap, _ := c.Bool("useSoapInterface"); soap && c.String("soapNamespace") == "" {
		d.warnf(at("useSoapInterface"), path("useSoapInterface"), "add soapNamespace: … (the namespace of your SOAP listener)",
			"useSoapInterface without soapNamespace: DocuSign stores it, but a SOAP listener needs the namespace")
	}
	ed, _ := c.Fields["eventData"].(map[string]any)
	if f, _ := ed["format"].(string); strings.EqualFold(f, "json") && !strings.EqualFold(c.EventDataVersion(), "restv2.1") && !broken["eventData"] {
		d.errorf(at("eventData.format"), path("eventData.format"), "set eventData.version: restv2.1, or remove format",
			"eventData.format json needs eventData.version restv2.1 (the legacy format is XML only)")
	}
}

// checkName warns of a name that DocuSign might not keep as written (does
// it trim or clean names? UNCONFIRMED): plans match configurations by name,
// so a changed name would be created again by every apply (apply reports a
// create whose stored name differs). c.Pos is where the name is written.
func checkName(c Connect, path func(string) string, d *diags) {
	switch n := c.Name; {
	case strings.TrimSpace(n) != n:
		d.warnf(c.Pos, path("name"), fmt.Sprintf("write %q", excerpt(strings.TrimSpace(n))),
			"the name %q starts or ends with a space: DocuSign may store it without, and connectsync finds configurations by name", excerpt(n))
	case strings.ContainsFunc(n, unicode.IsControl):
		d.warnf(c.Pos, path("name"), "remove the control characters (tabs, line breaks, escapes)",
			"the name %q holds a control character: DocuSign may not store it as written, and consoles and logs show it garbled", excerpt(n))
	}
}

// sentenceCase maps the envelope and recipient statuses, in lower case, to
// the sentence case DocuSign's docs ask for.
var sentenceCase = map[string]map[string]string{
	"envelopeEvents":  {"sent": "Sent", "delivered": "Delivered", "completed": "Completed", "declined": "Declined", "voided": "Voided"},
	"recipientEvents": {"sent": "Sent", "autoresponded": "AutoResponded", "delivered": "Delivered", "completed": "Completed", "declined": "Declined", "authenticationfailed": "AuthenticationFailed"},
}

// SentenceCase returns the sentence-case spelling of an envelopeEvents or
// recipientEvents value, and whether it is a known one.
func SentenceCase(field, value string) (string, bool) {
	s, ok := sentenceCase[field][strings.ToLower(value)]
	return s, ok
}

// checkLetterCase warns about values DocuSign accepts in any letter case
// but documents in one: envelope and recipient statuses (sentence case) and
// eventData.version (lower case).
func checkLetterCase(c Connect, at func(string) Pos, path func(string) string, d *diags) {
	for _, field := range []string{"envelopeEvents", "recipientEvents"} {
		first := -1
		var wrong, right []string
		for i, e := range c.Strings(field) {
			if want, ok := SentenceCase(field, e); ok && want != e {
				if first < 0 {
					first = i
				}
				wrong, right = append(wrong, e), append(right, want)
			}
		}
		if first < 0 {
			continue
		}
		item := fmt.Sprintf("%s[%d]", field, first)
		what := fmt.Sprintf("event %q is", wrong[0])
		fix := fmt.Sprintf("write %q", right[0])
		if len(wrong) > 1 {
			what = "events " + strings.Join(quoted(wrong), ", ") + " are"
			fix = "write " + strings.Join(quoted(right), ", ")
		}
		d.warnf(at(item), path(item), fix+" (export --fix writes them so)",
			"%s not in DocuSign's sentence case: DocuSign stores such values, but its docs ask for sentence case and lower-case values may never fire", what)
	}
	if v := c.EventDataVersion(); v != "" && v != strings.ToLower(v) {
		d.warnf(at("eventData.version"), path("eventData.version"), fmt.Sprintf("write %q", strings.ToLower(v)),
			"eventData.version %q is not in DocuSign's letter case", v)
	}
}

func checkURL(c Connect, at func(string) Pos, path func(string) string, d *diags) {
	raw, ok := c.Fields["urlToPublishTo"].(string)
	if !ok {
		d.errorf(c.Pos, path("urlToPublishTo"), "add urlToPublishTo: https://… (here or under defaults:)",
			"urlToPublishTo is missing: DocuSign needs a listener URL")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		d.errorf(at("urlToPublishTo"), path("urlToPublishTo"), "write an absolute URL, e.g. https://hooks.example.com/docusign",
			"urlToPublishTo %q is not an absolute http(s) URL", excerpt(Redact(raw)))
		return
	}
	if u.User != nil {
		d.warnf(at("urlToPublishTo"), path("urlToPublishTo"), "use userName and password: ${env.NAME} instead",
			"urlToPublishTo carries credentials")
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		d.warnf(at("urlToPublishTo"), path("urlToPublishTo"), "use https://",
			"urlToPublishTo uses plain HTTP: DocuSign requires HTTPS in production")
	}
}

func checkUsers(c Connect, at func(string) Pos, path func(string) string, d *diags) {
	all, _ := c.Bool("allUsers")
	except, _ := c.Bool("allUsersExcept")
	users, groups := c.Strings("userIds"), c.Strings("groupIds")
	switch {
	case !all && len(users) == 0 && len(groups) == 0:
		d.errorf(at("allUsers"), path("allUsers"), "set allUsers: true, or list userIds (or groupIds)",
			"the configuration tracks nobody's envelopes")
	case !all && len(users) == 0:
		d.warnf(at("groupIds"), path("groupIds"), "add userIds, or set allUsers: true",
			"groupIds alone: DocuSign documents userIds as required when allUsers is false, so it may refuse this")
	case all && len(users) > 0 && !except:
		d.warnf(at("userIds"), path("userIds"), "remove userIds, or set allUsersExcept: true to exclude them",
			"userIds has no effect when allUsers is true")
	}
}

func checkDataModel(c Connect, at func(string) Pos, path func(string) string, d *diags) {
	if _, ok := c.Fields["deliveryMode"]; !ok {
		d.warnf(c.Pos, path("deliveryMode"),
			"add deliveryMode: SIM with eventData: {version: restv2.1} and events: [...] (JSON SIM, the model DocuSign recommends)",
			"deliveryMode is not set: a new configuration gets DocuSign's default (aggregate), and an existing one keeps its own")
		return
	}
	events := c.Strings("events")
	legacy := len(c.Strings("envelopeEvents")) + len(c.Strings("recipientEvents"))
	switch model := c.DataModel(); model {
	case ModelJSONSIM:
		if legacy > 0 {
			field := "envelopeEvents"
			if len(c.Strings(field)) == 0 {
				field = "recipientEvents"
			}
			d.warnf(at(field), path(field), "list them in events instead: ["+strings.Join(simNames(c), ", ")+"]",
				"%s is not used by the JSON SIM model (deliveryMode SIM with eventData.version restv2.1)", field)
		} else if len(events) == 0 {
			d.warnf(c.Pos, path("events"), "add events: [envelope-sent, envelope-completed]",
				"the configuration has no trigger events: the JSON SIM model sends only the events listed, so it never fires")
		}
	default:
		if len(events) > 0 {
			d.warnf(at("events"), path("events"),
				"use envelopeEvents/recipientEvents (sentence case, e.g. Completed), or set deliveryMode: SIM with eventData.version: restv2.1",
				"events is only used by the JSON SIM model, and this is %s", modelTitle(model))
		} else if legacy == 0 {
			d.warnf(c.Pos, path("envelopeEvents"), "add envelopeEvents: [Completed] or recipientEvents: [...]",
				"the configuration has no trigger events: the %s model needs envelopeEvents or recipientEvents, so it never fires", modelTitle(model))
		}
		if model == ModelXMLSIM {
			d.warnf(at("deliveryMode"), path("deliveryMode"),
				"move to JSON SIM: eventData: {version: restv2.1} with events: [...]",
				"the XML SIM model (deliveryMode SIM without eventData.version restv2.1) is deprecated by DocuSign")
		}
	}
}

func modelTitle(model string) string {
	switch model {
	case ModelJSONSIM:
		return "JSON SIM"
	case ModelJSONAggregate:
		return "JSON aggregate"
	case ModelXMLAggregate:
		return "XML aggregate"
	case ModelXMLSIM:
		return "XML SIM"
	}
	return model
}

// simNames maps legacy statuses (Completed) to JSON SIM event names
// (envelope-completed), for hints.
func simNames(c Connect) []string {
	var out []string
	for _, e := range c.Strings("envelopeEvents") {
		out = append(out, "envelope-"+strings.ToLower(e))
	}
	for _, e := range c.Strings("recipientEvents") {
		out = append(out, "recipient-"+strings.ToLower(e))
	}
	return out
}

// IsLoopback reports whether host (a name or an address) is the local machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Redact removes credentials from a URL string (user:pass@host).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User("REDACTED")
	return u.String()
}
