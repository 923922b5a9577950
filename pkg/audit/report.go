// Package audit builds the multi-account report of `connectsync audit`
// (README.md, "Audit, export and users"): per account the drift against the files (what a
// plan would change), the configurations left alone (unmanaged, ignored),
// the policy findings on every live configuration connectsync could manage,
// the disabled ones, each configuration's failed deliveries (the failure
// log within a window, a delivery-failures finding when there are any), and
// optionally how many users each one covers.
//
// Build is pure: it takes what was read and returns a Report, so tests need
// no server. Run does the reading (one list call per account, one
// failure-log call unless delivery is off, plus the users pages only when
// coverage is asked for). Shard splits accounts for CI
// matrices and Merge puts the shards' JSON reports back together.
package audit

import (
	"time"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
)

// FormatVersion is the version of the JSON report (audit --format json).
// Its JSON Schema is schema/audit.schema.json; merge refuses other versions.
const FormatVersion = "1"

// Report is the audit of every selected account: what `audit --format json`
// prints and `audit merge` reads. It holds no secret values.
type Report struct {
	FormatVersion string `json:"format_version"`
	Tool          string `json:"tool"`
	// Files are the files the drift was computed against.
	Files []string `json:"files"`
	// Policy says where the rules came from: "files" (a policy: block) or
	// "default" (config.DefaultPolicy).
	Policy string `json:"policy"`
	// Coverage is true when the users each configuration covers were
	// counted (audit --users); Configuration.Users is set only then.
	Coverage bool `json:"coverage"`
	// Shards are the parts of the account list this report covers: one for
	// an `audit --shard I/N` run, several after `audit merge`, none when
	// every selected account was audited in one run.
	Shards []Shard `json:"shards"`
	// Delivery is the window whose failure log was read; nil with
	// --no-delivery. Configuration.Delivery is set only when it is.
	Delivery *DeliveryWindow `json:"delivery,omitempty"`
	// TLSChecked is true when each managed https listener got a TLS
	// handshake (audit --check-tls).
	TLSChecked bool      `json:"tls_checked,omitempty"`
	Summary    Summary   `json:"summary"`
	Accounts   []Account `json:"accounts"`
}

// DeliveryWindow is the time range of the failure log an audit read.
type DeliveryWindow struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// Account is the audit of one account.
type Account struct {
	Alias     string `json:"alias"`
	AccountID string `json:"account_id"`
	// InFiles is false for an account found through userinfo
	// (--all-accounts) that the files do not declare: all of its
	// configurations are then unmanaged or ignored.
	InFiles bool `json:"in_files"`
	// Error is why the account could not be audited (read failed); the
	// other fields are then empty.
	Error string `json:"error,omitempty"`
	// PlanErrors are problems that stop the account from being planned,
	// such as two live configurations of one name.
	PlanErrors []string `json:"plan_errors,omitempty"`
	// DeliveryError is why the failure log could not be read: a note, the
	// rest of the account is audited.
	DeliveryError string `json:"delivery_error,omitempty"`
	// HMACError is why the account's HMAC keys could not be read: a note,
	// noHmacKey is then not checked.
	HMACError      string          `json:"hmac_error,omitempty"`
	Drift          Drift           `json:"drift"`
	Configurations []Configuration `json:"configurations"`
}

// Drift is what `plan` would change in an account.
type Drift struct {
	Create  int      `json:"create"`
	Update  int      `json:"update"`
	Delete  int      `json:"delete"`
	Changes []Change `json:"changes"`
}

// Any reports whether there is drift.
func (d Drift) Any() bool { return d.Create+d.Update+d.Delete > 0 }

// Change is one create, update or delete a plan would make. Fields names the
// fields an update changes (never their values: the plan shows those).
type Change struct {
	Action      string   `json:"action"`
	Name        string   `json:"name"`
	ConnectID   string   `json:"connect_id,omitempty"`
	RenamedFrom string   `json:"renamed_from,omitempty"`
	Fields      []string `json:"fields,omitempty"`
}

// Configuration statuses: declared in the files, not declared but of a type
// connectsync could manage, or never touched (other types, integrator-managed).
const (
	StatusManaged   = "managed"
	StatusUnmanaged = "unmanaged"
	StatusIgnored   = "ignored"
)

// Configuration is one live configuration of an account.
type Configuration struct {
	Name      string `json:"name"`
	ConnectID string `json:"connect_id"`
	Type      string `json:"type"`
	// Status is managed, unmanaged or ignored.
	Status string `json:"status"`
	// Reason says why an ignored or unmanaged configuration is left alone.
	Reason string `json:"reason,omitempty"`
	// URL is urlToPublishTo, credentials redacted.
	URL string `json:"url,omitempty"`
	// DataModel is json-sim, json-aggregate, xml-aggregate or xml-sim.
	DataModel string `json:"data_model,omitempty"`
	// Disabled says why the configuration delivers nothing ("" when it
	// does): allowEnvelopePublish off, publishing paused, or disabled by DocuSign.
	Disabled string `json:"disabled,omitempty"`
	// Drift is the plan's action on a managed configuration: update or
	// delete (state: absent), "" when it matches the files.
	Drift string `json:"drift,omitempty"`
	// Findings are the policy rules it breaks; only managed and unmanaged
	// configurations are checked (ignored ones are not connectsync's to fix).
	Findings []config.Finding `json:"findings"`
	// Users is how many users it covers (only with coverage).
	Users *int `json:"users,omitempty"`
	// UsersError is why the users could not be listed (only with coverage).
	UsersError string `json:"users_error,omitempty"`
	// Delivery is its failed deliveries in the report's window (only when
	// the failure log was read).
	Delivery *Delivery `json:"delivery,omitempty"`
}

// Delivery is a configuration's health in the failure log.
type Delivery struct {
	Failures    int           `json:"failures"`
	LastError   string        `json:"last_error,omitempty"`
	LastFailure delivery.Time `json:"last_failure,omitzero"`
}

// Summary counts a report.
type Summary struct {
	Accounts int `json:"accounts"`
	// Failed accounts could not be audited.
	Failed int `json:"failed"`
	// Drifted accounts have drift or plan errors.
	Drifted        int        `json:"drifted"`
	Create         int        `json:"create"`
	Update         int        `json:"update"`
	Delete         int        `json:"delete"`
	Configurations int        `json:"configurations"`
	Managed        int        `json:"managed"`
	Unmanaged      int        `json:"unmanaged"`
	Ignored        int        `json:"ignored"`
	Disabled       int        `json:"disabled"`
	Findings       Severities `json:"findings"`
	// DeliveryFailures counts the failed deliveries of every configuration
	// in the window.
	DeliveryFailures int `json:"delivery_failures"`
}

// Severities counts findings by severity.
type Severities struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
	Info   int `json:"info"`
}

// Total is the number of findings.
func (s Severities) Total() int { return s.High + s.Medium + s.Low + s.Info }

// AtLeast counts the findings at or above a severity (config.SevHigh…).
func (s Severities) AtLeast(severity string) int {
	n := 0
	for sev, count := range map[string]int{config.SevHigh: s.High, config.SevMedium: s.Medium, config.SevLow: s.Low, config.SevInfo: s.Info} {
		if config.SeverityRank(sev) <= config.SeverityRank(severity) {
			n += count
		}
	}
	return n
}

// Add counts one finding of a severity.
func (s *Severities) Add(severity string) {
	switch severity {
	case config.SevHigh:
		s.High++
	case config.SevMedium:
		s.Medium++
	case config.SevLow:
		s.Low++
	default:
		s.Info++
	}
}

// Severities counts a configuration's findings by severity.
func (c *Configuration) Severities() Severities {
	var s Severities
	for _, f := range c.Findings {
		s.Add(f.Severity)
	}
	return s
}

// Findings counts an account's findings by severity.
func (a *Account) Findings() Severities {
	var s Severities
	for _, c := range a.Configurations {
		for _, f := range c.Findings {
			s.Add(f.Severity)
		}
	}
	return s
}

// Drifted reports whether the account's live state differs from the files
// (or cannot be compared with them).
func (a *Account) Drifted() bool { return a.Drift.Any() || len(a.PlanErrors) > 0 }

// Summarize recounts the summary from the accounts.
func (r *Report) Summarize() {
	s := Summary{Accounts: len(r.Accounts)}
	for i := range r.Accounts {
		a := &r.Accounts[i]
		if a.Error != "" {
			s.Failed++
			continue
		}
		if a.Drifted() {
			s.Drifted++
		}
		s.Create += a.Drift.Create
		s.Update += a.Drift.Update
		s.Delete += a.Drift.Delete
		for _, c := range a.Configurations {
			s.Configurations++
			switch c.Status {
			case StatusManaged:
				s.Managed++
			case StatusUnmanaged:
				s.Unmanaged++
			case StatusIgnored:
				s.Ignored++
			}
			if c.Disabled != "" {
				s.Disabled++
			}
			for _, f := range c.Findings {
				s.Findings.Add(f.Severity)
			}
			if c.Delivery != nil {
				s.DeliveryFailures += c.Delivery.Failures
			}
		}
	}
	r.Summary = s
}

// HasDrift reports whether any account has drift or plan errors.
func (r *Report) HasDrift() bool { return r.Summary.Drifted > 0 }

// HasErrors reports whether any account could not be audited.
func (r *Report) HasErrors() bool { return r.Summary.Failed > 0 }
