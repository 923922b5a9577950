package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// FormatVersion is the version of the JSON plan document (plan --format json
// and saved plans). Its JSON Schema is schema/plan.schema.json.
const FormatVersion = "1"

// Sensitive replaces every secret value in documents and output.
const Sensitive = "(sensitive)"

// Document is the JSON form of a plan: what `plan --format json` prints and
// what `plan --out` saves. It holds no secret values.
type Document struct {
	FormatVersion string    `json:"format_version"`
	Tool          string    `json:"tool"`
	Files         []string  `json:"files"`
	Options       Options   `json:"options"`
	Summary       Summary   `json:"summary"`
	Accounts      []Account `json:"accounts"`
}

// MarshalJSON names the options in the document's style.
func (o Options) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Prune         bool `json:"prune"`
		RotateSecrets bool `json:"rotate_secrets"`
	}{o.Prune, o.RotateSecrets})
}

// UnmarshalJSON reads the options back from a saved plan.
func (o *Options) UnmarshalJSON(data []byte) error {
	var v struct {
		Prune         bool `json:"prune"`
		RotateSecrets bool `json:"rotate_secrets"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	o.Prune, o.RotateSecrets = v.Prune, v.RotateSecrets
	return nil
}

// NewDocument builds the JSON document of p, with every sensitive value
// replaced by "(sensitive)".
func NewDocument(p *Plan, tool string, files []string, opts Options) Document {
	doc := Document{FormatVersion: FormatVersion, Tool: tool, Files: slices.Clone(files), Options: opts, Summary: p.Summary()}
	if doc.Files == nil {
		doc.Files = []string{}
	}
	for _, a := range p.Accounts {
		a.Changes = nonNil(slices.Clone(a.Changes))
		a.Unmanaged = nonNil(a.Unmanaged)
		a.Ignored = nonNil(a.Ignored)
		for i, c := range a.Changes {
			c.Fields = slices.Clone(c.Fields)
			for j, f := range c.Fields {
				if f.Sensitive {
					if f.Before != nil {
						f.Before = Sensitive
					}
					if f.After != nil {
						f.After = Sensitive
					}
					c.Fields[j] = f
				}
			}
			a.Changes[i] = c
		}
		doc.Accounts = append(doc.Accounts, a)
	}
	if doc.Accounts == nil {
		doc.Accounts = []Account{}
	}
	return doc
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ReadDocument reads a saved plan, refusing another format version.
func ReadDocument(r io.Reader) (Document, error) {
	var doc Document
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return doc, fmt.Errorf("not a connectsync plan file: %w", err)
	}
	if doc.FormatVersion != FormatVersion {
		return doc, fmt.Errorf("plan file format_version %q is not %q; plan again with this version of connectsync", doc.FormatVersion, FormatVersion)
	}
	return doc, nil
}

// SameChanges reports whether two documents plan the same changes (ignoring
// how they were produced), which is how apply tells a saved plan still holds.
func SameChanges(a, b Document) bool {
	strip := func(d Document) []byte {
		type acct struct {
			Alias      string   `json:"alias"`
			Changes    []Change `json:"changes"`
			MassDelete string   `json:"mass_delete"`
			Errors     []string `json:"errors"`
		}
		var list []acct
		for _, x := range d.Accounts {
			var changes []Change
			for _, c := range x.Changes {
				if c.Action != NoOp {
					c.Pos = nil
					changes = append(changes, c)
				}
			}
			list = append(list, acct{x.Alias, changes, x.MassDelete, x.Errors})
		}
		data, _ := json.Marshal(struct {
			Options  Options
			Accounts []acct
		}{d.Options, list})
		return data
	}
	return string(strip(a)) == string(strip(b))
}
