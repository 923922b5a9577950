package plan

// How does a desired configuration find its live one?
//
//  1. A pinned connectId (written in the file) wins.
//  2. Otherwise the name: exactly one managed live configuration with that
//     name matches; two is an error (never a guess: pin one).
//  3. Otherwise a name under previously: a rename, planned as an update of
//     the same connectId so that no webhook is ever missing.
//
// Only managed live configurations (custom and customrecipient, not
// integrator-managed) can match. Whatever live configuration nothing matched
// is unmanaged (deleted only with prune) or ignored (never touched).

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/yamlfile"
)

// Options tune Compute.
type Options struct {
	// Prune deletes unmanaged configurations in every account (--prune);
	// an account's own prune: true does the same for that account.
	Prune bool
	// RotateSecrets forces an update of every configuration that has
	// write-only fields, to push a rotated secret (--rotate-secrets).
	RotateSecrets bool
	// Names limits the plan to the configurations of these names (--name,
	// like Terraform's -target). Such a partial plan compares nothing
	// else, lists nothing as unmanaged and prunes nothing.
	Names []string
}

// AccountInput is one account's desired and live configurations.
type AccountInput struct {
	Account config.Account
	Desired []config.Connect
	Live    []config.Connect
}

// Compute returns the plan that makes each account's live configurations
// match its desired ones.
func Compute(accounts []AccountInput, opts Options) *Plan {
	p := &Plan{Accounts: []Account{}, Names: opts.Names}
	for _, in := range accounts {
		p.Accounts = append(p.Accounts, ComputeAccount(in, opts))
	}
	return p
}

// ComputeAccount is one account's part of Compute, for a caller that plans
// each account as soon as it is read (and then lets its live state go).
func ComputeAccount(in AccountInput, opts Options) Account {
	a := Account{
		Alias:       in.Account.Alias,
		AccountID:   in.Account.AccountID,
		Fingerprint: Fingerprint(in.Account.AccountID, in.Live),
		Changes:     []Change{},
		Unmanaged:   []Existing{},
		Ignored:     []Existing{},
	}
	partial := len(opts.Names) > 0
	claimed := map[string]string{} // live connectId → desired name that matched it
	ambiguous := map[string]bool{} // live connectIds the files name without saying which
	for i := range in.Desired {
		d := &in.Desired[i] // the plan points at it: a plan does not copy the files' configurations
		if partial && !slices.Contains(opts.Names, d.Name) {
			continue
		}
		// Errors name the place in the files, as every user error does.
		at := ""
		if p := d.Pos.String(); p != "" {
			at = p + ": "
		}
		live, twins, err := match(*d, in.Live)
		for _, t := range twins {
			if !ambiguous[t.ConnectID] {
				ambiguous[t.ConnectID] = true
				a.Ambiguous = append(a.Ambiguous, Existing{Name: t.Name, ConnectID: t.ConnectID, Type: t.Type(),
					Reason: fmt.Sprintf("%d live configurations are named %q and the files do not say which one they mean", len(twins), t.Name)})
			}
		}
		if err != "" {
			a.Errors = append(a.Errors, at+err)
			continue
		}
		if live != nil {
			if other, dup := claimed[live.ConnectID]; dup {
				a.Errors = append(a.Errors, fmt.Sprintf("%s%q and %q both match live configuration %s (%q); pin one with connectId or fix previously:",
					at, other, d.Name, live.ConnectID, live.Name))
				continue
			}
			claimed[live.ConnectID] = d.Name
		}
		c, ok := change(d, live, opts)
		if ok && c.Action == Update {
			if lost := secretsAnUpdateWouldClear(*d, *live); len(lost) > 0 {
				a.Errors = append(a.Errors, fmt.Sprintf("%s%q: an update would clear its %s: DocuSign does not return secrets, so connectsync cannot send them back; add %s to the file",
					at, d.Name, strings.Join(lost, " and "), secretHint(lost)))
				continue
			}
		}
		if ok {
			a.Changes = append(a.Changes, c)
		}
	}
	prune := (opts.Prune || in.Account.Prune) && !partial
	existing := 0 // live configurations connectsync may change
	for _, l := range in.Live {
		if !l.Managed() {
			if !partial {
				a.Ignored = append(a.Ignored, Existing{Name: l.Name, ConnectID: l.ConnectID, Type: l.Type(), Reason: ignoreReason(l)})
			}
			continue
		}
		existing++
		if _, ok := claimed[l.ConnectID]; ok || ambiguous[l.ConnectID] || partial {
			continue
		}
		// A configuration the file format cannot express could not have
		// been declared, so that it is not in the files says nothing: it is
		// left alone, and prune may not delete it.
		if why := yamlfile.Unexpressible(l); why != "" {
			a.Unexpressible = append(a.Unexpressible, Existing{Name: l.Name, ConnectID: l.ConnectID, Type: l.Type(), Reason: why})
			if prune {
				a.Errors = append(a.Errors, fmt.Sprintf("prune would delete %q (connectId %s), which the file format cannot express (%s); connectsync never deletes what a file could not have declared: delete it in DocuSign, or declare it with connectId: %q and state: absent",
					l.Name, l.ConnectID, why, l.ConnectID))
			}
			continue
		}
		if !prune {
			a.Unmanaged = append(a.Unmanaged, Existing{Name: l.Name, ConnectID: l.ConnectID, Type: l.Type(), Reason: "not in the files"})
			continue
		}
		a.Changes = append(a.Changes, Change{Action: Delete, Name: l.Name, Account: in.Account.Alias, ConnectID: l.ConnectID,
			Reason: "not in the files (prune)"})
	}
	a.MassDelete = massDelete(a.Changes, existing)
	slices.SortStableFunc(a.Changes, func(x, y Change) int {
		return cmp.Or(cmp.Compare(actionOrder(x.Action), actionOrder(y.Action)), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ConnectID, y.ConnectID))
	})
	for _, list := range [][]Existing{a.Unmanaged, a.Ignored, a.Ambiguous, a.Unexpressible} {
		slices.SortFunc(list, func(x, y Existing) int {
			return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ConnectID, y.ConnectID))
		})
	}
	return a
}

// actionOrder is the order apply runs changes in: updates (renames among
// them) and creates before deletes, so a failure never leaves an account
// with fewer webhooks than it started with.
func actionOrder(a Action) int {
	return map[Action]int{Update: 0, Create: 1, Delete: 2, NoOp: 3}[a]
}

func ignoreReason(l config.Connect) string {
	if im, _ := l.Bool("integratorManaged"); im {
		return "integrator-managed: an integration owns it"
	}
	return l.Type() + " configuration: connectsync manages only custom and customrecipient"
}

// EntryOf is the entry of desired that a plan matches to the live
// configuration with connectId id (live is the account's whole list): by
// its pin, else by its name or one it had (previously). ok is false when
// no entry matches it, or several do (a plan error).
func EntryOf(desired, live []config.Connect, id string) (entry config.Connect, ok bool) {
	n := 0
	for _, d := range desired {
		if found, _, _ := match(d, live); !d.Absent && found != nil && found.ConnectID == id {
			entry, n = d, n+1
		}
	}
	if n != 1 {
		return config.Connect{}, false
	}
	return entry, true
}

// match finds the live configuration d refers to, or nil, or explains why
// it cannot tell. twins are the live configurations d's name fits when
// several do: they are left alone until the file pins one.
func match(d config.Connect, live []config.Connect) (found *config.Connect, twins []config.Connect, problem string) {
	if d.ConnectID != "" {
		for i := range live {
			if live[i].ConnectID != d.ConnectID {
				continue
			}
			if !live[i].Managed() {
				return nil, nil, fmt.Sprintf("%q pins connectId %s, which is a %s; connectsync never touches it", d.Name, d.ConnectID, ignoreReason(live[i]))
			}
			return &live[i], nil, ""
		}
		if d.Absent {
			return nil, nil, ""
		}
		return nil, nil, fmt.Sprintf("%q pins connectId %s, which does not exist in the account; remove the pin to create it", d.Name, d.ConnectID)
	}
	for _, name := range append([]string{d.Name}, d.Previously...) {
		var same []*config.Connect
		var foreign *config.Connect
		for i := range live {
			if live[i].Name != name {
				continue
			}
			if live[i].Managed() {
				same = append(same, &live[i])
			} else {
				foreign = &live[i]
			}
		}
		switch {
		case len(same) == 1:
			return same[0], nil, ""
		case len(same) > 1:
			ids := make([]string, len(same))
			for i, f := range same {
				ids[i] = f.ConnectID
				twins = append(twins, *f)
			}
			return nil, twins, fmt.Sprintf("%d live configurations are named %q (connectId %s) and the entry does not say which one it means: pin it with connectId: \"%s\" (or the other id); nothing in this account is changed until then, and neither is pruned",
				len(same), name, strings.Join(ids, ", "), ids[0])
		case foreign != nil && name == d.Name && !d.Absent:
			return nil, nil, fmt.Sprintf("%q is the name of a live %s; give yours another name", d.Name, ignoreReason(*foreign))
		}
	}
	return nil, nil, ""
}

// change builds the change that takes live (nil: none) to d.
func change(d *config.Connect, live *config.Connect, opts Options) (Change, bool) {
	c := Change{Name: d.Name, Account: d.Account, Pos: &d.Pos, Desired: d}
	switch {
	case d.Absent && live == nil:
		return c, false
	case d.Absent:
		c.Action, c.ConnectID, c.Reason = Delete, live.ConnectID, "state: absent"
		c.Name = live.Name
		return c, true
	case live == nil:
		c.Action = Create
		c.Fields = createFields(*d)
		return c, true
	}
	c.ConnectID = live.ConnectID
	if live.Name != d.Name {
		c.RenamedFrom = live.Name
		c.Fields = append(c.Fields, FieldChange{Field: "name", Before: live.Name, After: d.Name})
	}
	c.Fields = append(c.Fields, diffFields(*d, *live)...)
	writeOnly := writeOnlyFields(*d)
	switch {
	case len(c.Fields) > 0:
		c.Action = Update
	case len(writeOnly) > 0 && opts.RotateSecrets:
		c.Action, c.Reason = Update, "rotate secrets"
	default:
		// Nothing to compare differs. Write-only fields are listed so that
		// output can say they were not sent (--rotate-secrets sends them).
		c.Action, c.Fields = NoOp, writeOnly
		return c, true
	}
	c.Fields = append(c.Fields, writeOnly...)
	return c, true
}

// secretsAnUpdateWouldClear lists the write-only secrets a live
// configuration evidently uses (a listener userName implies a password; an
// OAuth clientId a clientSecret) but the file does not set. DocuSign does
// not return them, so an update could only send the object without them,
// and a PUT that replaces would clear them.
func secretsAnUpdateWouldClear(d, live config.Connect) []string {
	var lost []string
	if live.String("userName") != "" {
		if _, ok := d.Fields["password"]; !ok {
			lost = append(lost, "password")
		}
	}
	lo, _ := live.Fields["oAuthConfiguration"].(map[string]any)
	if id, _ := lo["clientId"].(string); id != "" {
		do, _ := d.Fields["oAuthConfiguration"].(map[string]any)
		if _, ok := do["clientSecret"]; !ok {
			lost = append(lost, "oAuthConfiguration.clientSecret")
		}
	}
	return lost
}

func secretHint(lost []string) string {
	var parts []string
	for _, f := range lost {
		if f == "password" {
			parts = append(parts, "password: ${env.NAME}")
		} else {
			parts = append(parts, "oAuthConfiguration: {clientSecret: ${env.NAME}}")
		}
	}
	return strings.Join(parts, " and ")
}

// createFields lists every field the file sets, as a create sends it.
func createFields(d config.Connect) []FieldChange {
	var out []FieldChange
	for _, f := range config.Fields {
		v, ok := d.Fields[f.Name]
		if !ok {
			continue
		}
		if f.Kind == config.KindObject {
			obj := v.(map[string]any)
			for _, sub := range f.Sub {
				if sv, ok := obj[sub.Name]; ok {
					out = append(out, FieldChange{Field: f.Name + "." + sub.Name, After: sv, Sensitive: sub.Secret, WriteOnly: sub.WriteOnly})
				}
			}
			continue
		}
		out = append(out, FieldChange{Field: f.Name, After: v, Sensitive: f.Secret || hasCredentials(v), WriteOnly: f.WriteOnly})
	}
	return out
}

// writeOnlyFields lists the write-only fields d sets. They cannot be
// compared, so an update sends them again (an update without them might
// clear them).
func writeOnlyFields(d config.Connect) []FieldChange {
	var out []FieldChange
	for _, f := range writeOnly() {
		v, ok := d.Fields[f.Name]
		if !ok {
			continue
		}
		if f.Kind == config.KindObject {
			obj := v.(map[string]any)
			for _, sub := range f.Sub {
				if sv, ok := obj[sub.Name]; ok && sub.WriteOnly {
					out = append(out, FieldChange{Field: f.Name + "." + sub.Name, After: sv, Sensitive: sub.Secret, WriteOnly: true})
				}
			}
			continue
		}
		out = append(out, FieldChange{Field: f.Name, After: v, Sensitive: f.Secret || hasCredentials(v), WriteOnly: true})
	}
	return out
}

// writeOnly are the fields, in the field table's order, that are
// write-only or hold write-only keys: what createFields would list of a
// configuration with WriteOnly set, without listing the rest first.
var writeOnly = sync.OnceValue(func() []config.Field {
	var out []config.Field
	for _, f := range config.Fields {
		if f.WriteOnly || slices.ContainsFunc(f.Sub, func(s config.Field) bool { return s.WriteOnly }) {
			out = append(out, f)
		}
	}
	return out
})

// diffFields compares the fields d sets with live, normalised: absent equals
// DocuSign's default, sets ignore order, deliveryMode ignores case, nested
// objects compare key by key. Write-only fields are skipped.
func diffFields(d, live config.Connect) []FieldChange {
	var out []FieldChange
	for _, f := range config.Fields {
		v, ok := d.Fields[f.Name]
		if !ok || f.WriteOnly {
			continue
		}
		lv, has := live.Fields[f.Name]
		if f.Kind == config.KindObject {
			lobj, _ := lv.(map[string]any)
			for _, sub := range f.Sub {
				sv, ok := v.(map[string]any)[sub.Name]
				if !ok || sub.WriteOnly {
					continue
				}
				lsv, lhas := lobj[sub.Name]
				if !equal(f.Name+"."+sub.Name, sub, sv, lsv, lhas) {
					out = append(out, FieldChange{Field: f.Name + "." + sub.Name, Before: absentAsNil(lsv, lhas), After: sv, Sensitive: sub.Secret})
				}
			}
			continue
		}
		if !equal(f.Name, f, v, lv, has) {
			fc := FieldChange{Field: f.Name, Before: absentAsNil(lv, has), After: v, Sensitive: f.Secret || hasCredentials(v) || hasCredentials(lv)}
			if f.Kind == config.KindSet && has && slices.Equal(foldedSet(v), foldedSet(lv)) {
				fc.Note = "letter case only: DocuSign stores what it is sent; its docs ask for sentence case, and lower-case events may never fire"
			}
			out = append(out, fc)
		}
	}
	return out
}

func absentAsNil(v any, has bool) any {
	if !has {
		return nil
	}
	return v
}

// equal compares a desired value with a live one (has=false: absent).
func equal(name string, f config.Field, desired, live any, has bool) bool {
	if !has {
		if f.Default == nil {
			return isEmpty(desired)
		}
		live = f.Default
	}
	switch f.Kind {
	case config.KindBool:
		return desired == live
	case config.KindString:
		ds, _ := desired.(string)
		ls, _ := live.(string)
		switch name {
		case "eventData.version": // DocuSign reports its default, legacy, as "", and reads any letter case
			return strings.EqualFold(legacyAsEmpty(ds), legacyAsEmpty(ls))
		case "deliveryMode": // DocuSign reports its default, aggregate, as ""
			return strings.EqualFold(aggregateAsEmpty(ds), aggregateAsEmpty(ls))
		}
		if f.FoldCase {
			return strings.EqualFold(ds, ls)
		}
		return ds == ls
	case config.KindSet:
		return slices.Equal(sortedSet(desired), sortedSet(live))
	case config.KindList:
		dl, _ := desired.([]string)
		ll, _ := live.([]string)
		return slices.Equal(dl, ll)
	}
	return canonical(desired) == canonical(live)
}

func legacyAsEmpty(s string) string {
	if strings.EqualFold(s, "legacy") {
		return ""
	}
	return s
}

func aggregateAsEmpty(s string) string {
	if strings.EqualFold(s, "aggregate") {
		return ""
	}
	return s
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []string:
		return len(t) == 0
	case map[string]string:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

// foldedSet is a set's values in lower case, sorted, for telling a change
// of letter case from a change of values.
func foldedSet(v any) []string {
	list, _ := v.([]string)
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedSet(v any) []string {
	list, _ := v.([]string)
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

// canonical renders a value as JSON in DocuSign's string form (booleans as
// "true"), so that a file's true and the API's "true" compare equal.
func canonical(v any) string {
	data, _ := json.Marshal(config.WireValue(v))
	return string(data)
}

// hasCredentials reports whether a value is a URL with user:password in it.
func hasCredentials(v any) bool {
	s, _ := v.(string)
	return config.Redact(s) != s
}

// massDelete explains why the deletes are too many to apply without
// --allow-mass-delete: every existing configuration connectsync may change
// in the account (custom and customrecipient, not integrator-managed), or
// more than 30% of them when there are at least 4. "" when they are not.
func massDelete(changes []Change, existing int) string {
	deletes := 0
	for _, c := range changes {
		if c.Action == Delete {
			deletes++
		}
	}
	switch {
	case deletes == 0:
		return ""
	case deletes == existing && existing == 1:
		return "deletes the account's only existing configuration that connectsync may change (custom or customrecipient)"
	case deletes == existing:
		return fmt.Sprintf("deletes all %d existing configurations of the account that connectsync may change (custom and customrecipient)", existing)
	case existing >= 4 && deletes*10 > existing*3:
		return fmt.Sprintf("deletes %d of the %d existing configurations of the account that connectsync may change (more than 30%%)", deletes, existing)
	}
	return ""
}
