package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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
	// Checksum is the SHA-256 of the document without it (see Seal), so that
	// apply --plan can tell a plan edited by hand from one that went stale.
	Checksum string `json:"checksum"`
}

// jsonOptions is how Options are written in documents.
type jsonOptions struct {
	Prune         bool     `json:"prune"`
	RotateSecrets bool     `json:"rotate_secrets"`
	Names         []string `json:"names,omitempty"`
}

// MarshalJSON names the options in the document's style.
func (o Options) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonOptions(o))
}

// UnmarshalJSON reads the options back from a saved plan.
func (o *Options) UnmarshalJSON(data []byte) error {
	var v jsonOptions
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	o.Prune, o.RotateSecrets, o.Names = v.Prune, v.RotateSecrets, v.Names
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
	doc.Seal()
	return doc
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Plan returns the plan a document describes, for rendering a saved plan
// (sensitive values stay "(sensitive)").
func (d Document) Plan() *Plan {
	return &Plan{Accounts: d.Accounts, Names: d.Options.Names}
}

// Seal sets the document's checksum over everything else in it.
func (d *Document) Seal() {
	d.Checksum = ""
	d.Checksum = d.sum()
}

func (d Document) sum() string {
	d.Checksum = ""
	data, _ := json.Marshal(d)
	h := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(h[:])
}

// ReadDocument reads a saved plan (plan --out, or plan --format json),
// telling apart another kind of JSON, another format version and a plan
// edited after it was written.
func ReadDocument(r io.Reader) (Document, error) {
	var doc Document
	data, err := io.ReadAll(io.LimitReader(r, maxDocument+1))
	if err != nil {
		return doc, err
	}
	if len(data) > maxDocument {
		return doc, fmt.Errorf("not a connectsync plan: larger than %d MB", maxDocument>>20)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return doc, fmt.Errorf("not a connectsync plan (not a JSON object: %v); write one with connectsync plan --out FILE", err)
	}
	if _, isPlan := keys["options"]; !isPlan {
		what := "another kind of JSON"
		if _, ok := keys["policy"]; ok {
			what = "an audit report"
		} else if _, ok := keys["diagnostics"]; ok {
			what = "a validate report"
		}
		return doc, fmt.Errorf("not a connectsync plan: it is %s; write a plan with connectsync plan --out FILE", what)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return doc, fmt.Errorf("not a connectsync plan: %w", err)
	}
	if doc.FormatVersion != FormatVersion {
		return doc, fmt.Errorf("plan format_version %q is not %q; plan again with this version of connectsync", doc.FormatVersion, FormatVersion)
	}
	if doc.Checksum == "" || doc.Checksum != doc.sum() {
		return doc, errors.New("the plan was changed after connectsync wrote it (its checksum does not match); a saved plan is applied exactly as planned: plan again instead of editing it")
	}
	return doc, nil
}

// maxDocument bounds a plan file: real ones are far smaller.
const maxDocument = 64 << 20

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
