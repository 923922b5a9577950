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
		},
	}
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
		out = append(out, Finding{Rule: rule, Severity: p.Severity[rule], Field: field, Fix: fix, Message: fmt.Sprintf(format, args...)})
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
