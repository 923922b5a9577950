// Package plan computes what it takes to make live Connect configurations
// match the files: a Plan of creates, updates and deletes, field by field.
// Compute is pure (no I/O, no clock), so it is tested with literal values and
// the same Plan feeds every renderer, the saved plan file and apply.
package plan

import (
	"github.com/connectsync/connectsync/pkg/config"
)

// Action is what a change does to a live configuration.
type Action string

// Actions. NoOp changes are kept in the plan so that output can count them.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	NoOp   Action = "no-op"
)

// Plan is the changes for every selected account.
type Plan struct {
	Accounts []Account `json:"accounts"`
	// Names, when set (--name), limits the plan to those configurations:
	// the others are not compared, listed or pruned.
	Names []string `json:"-"`
}

// Account is the part of a plan for one account.
type Account struct {
	Alias     string `json:"alias"`
	AccountID string `json:"account_id"`
	// Fingerprint identifies the live state the plan was computed from, so
	// that apply can refuse a saved plan once the account has changed.
	Fingerprint string   `json:"fingerprint"`
	Changes     []Change `json:"changes"`
	// Unmanaged are live configurations the files do not declare, left alone
	// (deleted only with prune).
	Unmanaged []Existing `json:"unmanaged"`
	// Ignored are live configurations connectsync never touches: other types
	// (Salesforce, eOriginal, …) and integrator-managed ones.
	Ignored []Existing `json:"ignored"`
	// Ambiguous are live configurations that share a name the files declare
	// without saying which one they mean (no connectId pin). They are never
	// matched, pruned or counted as unmanaged; the account has an error.
	Ambiguous []Existing `json:"ambiguous,omitempty"`
	// Unexpressible are live configurations the file format cannot express
	// (export leaves them out): the files could not have declared them, so
	// they are never pruned; a plan with prune that would delete one stops
	// the account with an error instead.
	Unexpressible []Existing `json:"unexpressible,omitempty"`
	// MassDelete is set when the plan deletes so much of the account that
	// apply refuses it without --allow-mass-delete (README.md, "Safety rails").
	MassDelete string `json:"mass_delete,omitempty"`
	// Errors are problems that stop this account from being planned, such as
	// two live configurations with the same name.
	Errors []string `json:"errors,omitempty"`
}

// Change is one create, update, delete or no-op.
//
// For a Create, Fields lists every field the file sets (Before is nil). For
// an Update, Fields lists the fields that differ, plus write-only fields,
// which are sent with every write. For a Delete, Fields is empty.
type Change struct {
	Action  Action `json:"action"`
	Name    string `json:"name"`
	Account string `json:"account"`
	// ConnectID is the live configuration's id (updates, deletes, no-ops).
	ConnectID string `json:"connect_id,omitempty"`
	// RenamedFrom is the live name when the file renames it (previously:).
	RenamedFrom string        `json:"renamed_from,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	Fields      []FieldChange `json:"fields,omitempty"`
	// Pos is where the file declares the configuration (not for prunes).
	Pos *config.Pos `json:"pos,omitempty"`

	// Desired is the configuration as the files want it (nil for prunes).
	Desired *config.Connect `json:"-"`
}

// FieldChange is one field that changes. Before and After are normalised
// values (bool, string, []string, map…); nil means absent.
type FieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Sensitive values are never shown: renderers print "(sensitive)".
	Sensitive bool `json:"sensitive,omitempty"`
	// WriteOnly fields are not returned by the API, so they cannot be
	// compared; they are sent with every create and update.
	WriteOnly bool `json:"write_only,omitempty"`
	// Note says why a change is worth making when the values look alike,
	// e.g. that only the letter case of events differs.
	Note string `json:"note,omitempty"`
}

// Existing is a live configuration the plan leaves alone.
type Existing struct {
	Name      string `json:"name"`
	ConnectID string `json:"connect_id"`
	Type      string `json:"type"`
	Reason    string `json:"reason"`
}

// Summary counts a plan's changes.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Delete    int `json:"delete"`
	NoOp      int `json:"no_op"`
	Unmanaged int `json:"unmanaged"`
	Ignored   int `json:"ignored"`
	Ambiguous int `json:"ambiguous"`
	// Unexpressible counts live configurations the file format cannot
	// express, left alone.
	Unexpressible int `json:"unexpressible"`
	Errors        int `json:"errors"`
}

// Summary counts the changes of every account.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, a := range p.Accounts {
		as := a.Summary()
		s.Create += as.Create
		s.Update += as.Update
		s.Delete += as.Delete
		s.NoOp += as.NoOp
		s.Unmanaged += as.Unmanaged
		s.Ignored += as.Ignored
		s.Ambiguous += as.Ambiguous
		s.Unexpressible += as.Unexpressible
		s.Errors += as.Errors
	}
	return s
}

// Summary counts one account's changes.
func (a *Account) Summary() Summary {
	s := Summary{Unmanaged: len(a.Unmanaged), Ignored: len(a.Ignored), Ambiguous: len(a.Ambiguous), Unexpressible: len(a.Unexpressible), Errors: len(a.Errors)}
	for _, c := range a.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Delete:
			s.Delete++
		case NoOp:
			s.NoOp++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	s := p.Summary()
	return s.Create+s.Update+s.Delete > 0
}

// HasErrors reports whether any account could not be planned.
func (p *Plan) HasErrors() bool {
	for _, a := range p.Accounts {
		if len(a.Errors) > 0 {
			return true
		}
	}
	return false
}
