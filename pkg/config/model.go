package config

import (
	"slices"
	"strings"
)

// Desired is everything the files declare, validated: the accounts, the
// configurations expanded per account with defaults merged and variables
// interpolated, and the policy.
type Desired struct {
	Files          []string
	Accounts       []Account
	Configurations []Connect // sorted by account alias, then name
	Policy         Policy
	// DefaultKeys names the fields the defaults block sets (dotted for the
	// keys of nested objects, e.g. eventData.version): every configuration
	// inherits them unless it writes its own.
	DefaultKeys []string
}

// Account is a DocuSign account the files manage.
type Account struct {
	Alias       string
	AccountID   string
	Environment string // demo or production
	BaseURI     string // optional; without /restapi
	Vars        map[string]string
	Prune       bool
	Pos         Pos
}

// Account returns the account with the given alias.
func (d *Desired) Account(alias string) (Account, bool) {
	i := slices.IndexFunc(d.Accounts, func(a Account) bool { return a.Alias == alias })
	if i < 0 {
		return Account{}, false
	}
	return d.Accounts[i], true
}

// ForAccount returns the configurations declared for one account.
func (d *Desired) ForAccount(alias string) []Connect {
	var out []Connect
	for _, c := range d.Configurations {
		if c.Account == alias {
			out = append(out, c)
		}
	}
	return out
}

// ByAccount returns the configurations declared for each account, by
// alias. When Configurations is sorted by account (as Load leaves it) they
// are parts of it, not copies: read them, do not change them.
func (d *Desired) ByAccount() map[string][]Connect {
	out := map[string][]Connect{}
	all := d.Configurations
	if !slices.IsSortedFunc(all, func(a, b Connect) int { return strings.Compare(a.Account, b.Account) }) {
		for _, c := range all {
			out[c.Account] = append(out[c.Account], c)
		}
		return out
	}
	for start := 0; start < len(all); {
		end := start + 1
		for end < len(all) && all[end].Account == all[start].Account {
			end++
		}
		out[all[start].Account] = all[start:end:end]
		start = end
	}
	return out
}

// Connect is one Connect configuration, desired (from the files) or live
// (from the API, converted by FromWire): the same type on both sides, so that
// the plan compares like with like and export writes it back as a file.
type Connect struct {
	Account string // account alias
	Name    string
	// ConnectID is DocuSign's id: the live one, or a pin written in the file.
	ConnectID string
	// Previously lists former names (desired only): renames, not delete+create.
	Previously []string
	// Absent asks for the configuration to be deleted (state: absent).
	Absent bool
	// Fields holds DocuSign fields by their API name, normalised: booleans as
	// bool, lists as []string, eventData and oAuthConfiguration as
	// map[string]any. A desired Connect holds only the fields the file sets,
	// which are the fields connectsync manages.
	Fields map[string]any
	// Secrets names, for each secret field, where its value came from
	// (e.g. "${env.LISTENER_PASSWORD}"), so that output can say so without
	// printing the value. Desired only.
	Secrets map[string]string

	Pos Pos
	// FieldPos is where each field was written (dotted for nested keys).
	FieldPos map[string]Pos
	// Path names the entry in its file, e.g. configurations[3].
	Path string
}

// Type returns the configurationType, "custom" when unset.
func (c Connect) Type() string {
	if t, ok := c.Fields["configurationType"].(string); ok && t != "" {
		return t
	}
	return "custom"
}

// Bool returns a boolean field and whether it is set.
func (c Connect) Bool(name string) (value, set bool) {
	v, ok := c.Fields[name].(bool)
	return v, ok
}

// String returns a string field, "" when unset.
func (c Connect) String(name string) string {
	s, _ := c.Fields[name].(string)
	return s
}

// Strings returns a list field, nil when unset.
func (c Connect) Strings(name string) []string {
	s, _ := c.Fields[name].([]string)
	return s
}

// EventDataVersion returns eventData.version, "" when unset.
func (c Connect) EventDataVersion() string {
	ed, _ := c.Fields["eventData"].(map[string]any)
	v, _ := ed["version"].(string)
	return v
}

// DataModel names how the configuration sends events: json-sim,
// json-aggregate, xml-aggregate or xml-sim; "" when deliveryMode is unset.
// DocuSign reports deliveryMode "" when a create left it out, and its
// ConnectConfigurations page names aggregation the default, so "" is
// aggregate; both fields are read in any letter case, as DocuSign does.
func (c Connect) DataModel() string {
	mode, set := c.Fields["deliveryMode"].(string)
	if !set {
		return ""
	}
	json := strings.EqualFold(c.EventDataVersion(), "restv2.1")
	switch strings.ToLower(mode) {
	case "sim":
		if json {
			return ModelJSONSIM
		}
		return ModelXMLSIM
	case "aggregate", "":
		if json {
			return ModelJSONAggregate
		}
		return ModelXMLAggregate
	}
	return ""
}

// The four Connect data models.
const (
	ModelJSONSIM       = "json-sim"
	ModelJSONAggregate = "json-aggregate"
	ModelXMLAggregate  = "xml-aggregate"
	ModelXMLSIM        = "xml-sim"
)

// Managed reports whether connectsync may manage a configuration of this type:
// only custom and customrecipient ones, never integrator-managed ones.
func (c Connect) Managed() bool {
	if im, _ := c.Bool("integratorManaged"); im {
		return false
	}
	t := c.Type()
	return t == "custom" || t == "customrecipient"
}
