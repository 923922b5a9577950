package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Policy is the rules every configuration must meet (README.md, "Audit"). audit checks
// live configurations against it; validate checks the files.
type Policy struct {
	RequireHTTPS        bool
	AllowedHosts        []string // empty: any host
	RequireHMAC         bool
	RequireLogging      bool
	RequireEnabled      bool
	ForbiddenDataModels []string
	RequiredEvents      []string
	// Severity of each rule, by rule name (requireHttps, …).
	Severity map[string]string
	// Declared is true when the files hold a policy block.
	Declared bool
}

// Policy rule names, as written in the policy block.
const (
	RuleRequireHTTPS        = "requireHttps"
	RuleAllowedHosts        = "allowedHosts"
	RuleRequireHMAC         = "requireHmac"
	RuleRequireLogging      = "requireLogging"
	RuleRequireEnabled      = "requireEnabled"
	RuleForbiddenDataModels = "forbiddenDataModels"
	RuleRequiredEvents      = "requiredEvents"
)

// Troubleshooting rule names: reasons a live webhook silently delivers
// nothing (or less than meant), checked by audit whatever the policy says.
// Their severities can be changed in policy.severity like the others.
const (
	RuleEventLetterCase = "eventLetterCase"
	RuleNoTriggerEvents = "noTriggerEvents"
	RuleNoUsers         = "noUsers"
	RuleSoapNamespace   = "soapNamespace"
	RuleInvalidURL      = "invalidUrl"
)

// Listener rules: audit's checks of what a live configuration's listener
// will meet. noHmacKey needs the account's HMAC keys (read when a
// configuration has includeHMAC); the tls* rules need audit --check-tls.
// Their severities can be changed in policy.severity like the others.
const (
	RuleNoHMACKey      = "noHmacKey"
	RuleTLSExpiring    = "tlsExpiring"
	RuleTLSInvalid     = "tlsInvalid"
	RuleTLSUnreachable = "tlsUnreachable"
)

// Finding severities, worst first.
const (
	SevHigh   = "high"
	SevMedium = "medium"
	SevLow    = "low"
	SevInfo   = "info"
)

// SeverityRank orders severities: high is 0.
func SeverityRank(s string) int {
	switch s {
	case SevHigh:
		return 0
	case SevMedium:
		return 1
	case SevLow:
		return 2
	}
	return 3
}

// DefaultPolicy is what applies when the files declare none: HTTPS, HMAC,
// logging and enabled required; the deprecated XML SIM model forbidden.
func DefaultPolicy() Policy {
	return Policy{
		RequireHTTPS:        true,
		RequireHMAC:         true,
		RequireLogging:      true,
		RequireEnabled:      true,
		ForbiddenDataModels: []string{ModelXMLSIM},
		Severity: map[string]string{
			RuleRequireHTTPS:        SevHigh,
			RuleAllowedHosts:        SevHigh,
			RuleRequireHMAC:         SevMedium,
			RuleRequireLogging:      SevLow,
			RuleRequireEnabled:      SevLow,
			RuleForbiddenDataModels: SevMedium,
			RuleRequiredEvents:      SevMedium,
			RuleEventLetterCase:     SevHigh,
			RuleNoTriggerEvents:     SevHigh,
			RuleNoUsers:             SevHigh,
			RuleSoapNamespace:       SevMedium,
			RuleInvalidURL:          SevHigh,
			RuleNoHMACKey:           SevHigh,
			RuleTLSExpiring:         SevMedium,
			RuleTLSInvalid:          SevHigh,
			RuleTLSUnreachable:      SevLow,
		},
	}
}

// Troubleshoot returns the reasons a live configuration delivers nothing,
// or less than it seems to: events DocuSign may not fire, no trigger
// events, nobody covered, a SOAP listener without its namespace, a listener
// URL that is not one. Unlike Check, these do not depend on the policy's
// rules, only on its severities.
func (p Policy) Troubleshoot(c Connect) []Finding {
	var out []Finding
	add := func(rule, field, fix, format string, args ...any) {
		out = append(out, p.Finding(rule, field, fix, format, args...))
	}
	if raw := c.String("urlToPublishTo"); raw != "" {
		if u, err := url.Parse(raw); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			add(RuleInvalidURL, "urlToPublishTo", "set urlToPublishTo to the listener's https:// URL",
				"urlToPublishTo %q is not an absolute http(s) URL: DocuSign cannot deliver to it, and the URL rules cannot check it", Redact(raw))
		}
	}
	for _, field := range []string{"envelopeEvents", "recipientEvents"} {
		var wrong, right []string
		for _, e := range c.Strings(field) {
			if want, ok := SentenceCase(field, e); ok && want != e {
				wrong, right = append(wrong, e), append(right, want)
			}
		}
		if len(wrong) > 0 {
			add(RuleEventLetterCase, field, fmt.Sprintf("write them in sentence case: %s (export --fix writes them so)", strings.Join(right, ", ")),
				"%s holds %s, not in DocuSign's sentence case: DocuSign stores such values, but they may never fire", field, strings.Join(quoted(wrong), ", "))
		}
	}
	switch model := c.DataModel(); model {
	case "":
		// deliveryMode unknown (a desired configuration that leaves it out).
	case ModelJSONSIM:
		if len(c.Strings("events")) == 0 {
			add(RuleNoTriggerEvents, "events", "add events: [envelope-sent, envelope-completed, …]",
				"no trigger events: the JSON SIM model sends only the events listed, so it never fires")
		}
	default:
		if len(c.Strings("envelopeEvents"))+len(c.Strings("recipientEvents")) == 0 {
			add(RuleNoTriggerEvents, "envelopeEvents", "add envelopeEvents: [Sent, Completed] (or recipientEvents)",
				"no trigger events: the %s model sends only the envelope and recipient events listed, so it never fires", modelTitle(model))
		}
	}
	all, _ := c.Bool("allUsers")
	if !all && len(c.Strings("userIds")) == 0 && len(c.Strings("groupIds")) == 0 {
		add(RuleNoUsers, "allUsers", "set allUsers: true, or list userIds",
			"covers nobody: neither allUsers nor userIds (nor groupIds), so no envelope is reported")
	}
	if soap, _ := c.Bool("useSoapInterface"); soap && c.String("soapNamespace") == "" {
		add(RuleSoapNamespace, "soapNamespace", "set soapNamespace to the SOAP listener's namespace, or useSoapInterface: false",
			"useSoapInterface is on without soapNamespace: a SOAP listener needs the namespace")
	}
	return out
}

// SeverityOf is a rule's severity, medium when the policy names none.
func (p Policy) SeverityOf(rule string) string { return p.severity(rule) }

// Finding is a finding of rule at the policy's severity, its message
// formatted from format and args. Without args the message is format
// itself, not a copy: an audit of 25,000 configurations holds each
// finding's text until the report is written.
func (p Policy) Finding(rule, field, fix, format string, args ...any) Finding {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return Finding{Rule: rule, Severity: p.severity(rule), Field: field, Fix: fix, Message: msg}
}

// severity is a rule's severity, medium when the policy names none.
func (p Policy) severity(rule string) string {
	if s := p.Severity[rule]; s != "" {
		return s
	}
	return SevMedium
}

func quoted(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Finding is one policy rule a configuration breaks.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// Check returns the rules c breaks. A field c does not set counts as
// DocuSign's default (what a create would give it).
func (p Policy) Check(c Connect) []Finding {
	var out []Finding
	add := func(rule, field, fix, format string, args ...any) {
		out = append(out, p.Finding(rule, field, fix, format, args...))
	}
	flag := func(name string) bool {
		v, ok := c.Bool(name)
		if !ok {
			f, _ := LookupField(name)
			v, _ = f.Default.(bool)
		}
		return v
	}
	if raw := c.String("urlToPublishTo"); raw != "" {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			if p.RequireHTTPS && u.Scheme != "https" && !IsLoopback(u.Hostname()) {
				add(RuleRequireHTTPS, "urlToPublishTo", "publish to an https:// URL",
					"publishes over plain HTTP to %s", u.Hostname())
			}
			if len(p.AllowedHosts) > 0 && !hostAllowed(u.Hostname(), p.AllowedHosts) {
				add(RuleAllowedHosts, "urlToPublishTo", "publish to one of "+strings.Join(p.AllowedHosts, ", ")+", or add the host to policy.allowedHosts",
					"publishes to %s, which policy.allowedHosts does not list", u.Hostname())
			}
		}
	}
	if p.RequireHMAC && !flag("includeHMAC") {
		add(RuleRequireHMAC, "includeHMAC", "set includeHMAC: true and add an HMAC key under Connect settings",
			"messages are not signed (includeHMAC is off), so the listener cannot tell them from forgeries")
	}
	if p.RequireLogging && !flag("enableLog") {
		add(RuleRequireLogging, "enableLog", "set enableLog: true", "Connect logging is off (enableLog), so failed deliveries leave no trace")
	}
	if p.RequireEnabled && !flag("allowEnvelopePublish") {
		add(RuleRequireEnabled, "allowEnvelopePublish", "set allowEnvelopePublish: true, or delete the configuration",
			"the configuration is disabled (allowEnvelopePublish is off) and delivers nothing")
	}
	if p.RequireEnabled && flag("pausePublish") {
		add(RuleRequireEnabled, "pausePublish", "set pausePublish: false", "publishing is paused (pausePublish): events are queued, not delivered")
	}
	if m := c.DataModel(); m != "" && slices.Contains(p.ForbiddenDataModels, m) {
		fix := "move to JSON SIM: deliveryMode: SIM, eventData: {version: restv2.1}, events: [...]"
		add(RuleForbiddenDataModels, "deliveryMode", fix, "uses the %s data model, which the policy forbids%s", modelTitle(m), map[bool]string{true: " (deprecated by DocuSign)"}[m == ModelXMLSIM])
	}
	for _, e := range p.RequiredEvents {
		if missing, field := missingEvent(c, e); missing {
			add(RuleRequiredEvents, field, fmt.Sprintf("add %s to %s", e, field), "does not subscribe to the required event %s", e)
		}
	}
	return out
}

// missingEvent reports whether c lacks a required event, checking JSON SIM
// names (envelope-completed) against events and legacy statuses (Completed)
// against envelopeEvents/recipientEvents, each only for the models that use it.
func missingEvent(c Connect, e string) (bool, string) {
	model := c.DataModel()
	if strings.Contains(e, "-") {
		if model != ModelJSONSIM {
			return false, ""
		}
		return !slices.Contains(c.Strings("events"), e), "events"
	}
	if model == ModelJSONSIM || model == "" {
		return false, ""
	}
	has := slices.ContainsFunc(c.Strings("envelopeEvents"), func(s string) bool { return strings.EqualFold(s, e) }) ||
		slices.ContainsFunc(c.Strings("recipientEvents"), func(s string) bool { return strings.EqualFold(s, e) })
	return !has, "envelopeEvents"
}

func hostAllowed(host string, allowed []string) bool {
	host = strings.ToLower(host)
	for _, a := range allowed {
		a = strings.ToLower(a)
		if suffix, ok := strings.CutPrefix(a, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		if host == a {
			return true
		}
	}
	return false
}

func (l *loader) readPolicy(f *fileDoc) {
	m := child(f.root, "policy")
	if m == nil || m.Kind != yaml.MappingNode || f.broken("/policy") {
		return
	}
	if !l.claimBlock(&l.polPos, f, m, "policy") {
		return
	}
	p := DefaultPolicy() // keys the block leaves out keep their default
	p.Declared = true
	decode := func(key string, into any) {
		if n := child(m, key); n != nil {
			_ = n.Decode(into)
		}
	}
	decode(RuleRequireHTTPS, &p.RequireHTTPS)
	decode(RuleAllowedHosts, &p.AllowedHosts)
	decode(RuleRequireHMAC, &p.RequireHMAC)
	decode(RuleRequireLogging, &p.RequireLogging)
	decode(RuleRequireEnabled, &p.RequireEnabled)
	decode(RuleForbiddenDataModels, &p.ForbiddenDataModels)
	decode(RuleRequiredEvents, &p.RequiredEvents)
	for _, kv := range pairs(child(m, "severity")) {
		p.Severity[kv.key.Value] = resolve(kv.value).Value
	}
	l.out.Policy = p
}

// checkPolicy reports the findings of a declared policy on a desired
// configuration: high ones fail validation, the rest are warnings. Without a
// policy block the built-in defaults are for audit only; the semantic rules
// already warn about plain HTTP and XML SIM. An unset allowEnvelopePublish is
// left to the semantic warning, which says the same.
func (l *loader) checkPolicy(c Connect) {
	if c.Absent || !l.out.Policy.Declared {
		return
	}
	for _, f := range l.out.Policy.Check(c) {
		if _, set := c.Fields[f.Field]; f.Rule == RuleRequireEnabled && !set {
			continue
		}
		pos, ok := c.FieldPos[f.Field]
		if !ok {
			pos = c.Pos
		}
		sev := SeverityWarning
		if f.Severity == SevHigh {
			sev = SeverityError
		}
		l.d.add(sev, pos, joinPath(c.Path, f.Field), f.Fix, "policy %s: %s", f.Rule, f.Message)
	}
}
