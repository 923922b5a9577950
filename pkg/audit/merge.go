package audit

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Decode reads a JSON report, refusing one of another format version.
func Decode(r io.Reader) (*Report, error) {
	var probe struct {
		FormatVersion *string `json:"format_version"`
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON audit report: %w", err)
	}
	switch {
	case probe.FormatVersion == nil:
		return nil, errors.New("not an audit report (no format_version); write it with audit --format json")
	case *probe.FormatVersion != FormatVersion:
		return nil, fmt.Errorf("audit report format_version %q; this connectsync reads %q (run every shard with the same connectsync version)", *probe.FormatVersion, FormatVersion)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("not a JSON audit report: %w", err)
	}
	if rep.Accounts == nil {
		return nil, errors.New("not an audit report (no accounts)")
	}
	return &rep, nil
}

// Named is a report with the name of the file it came from, for messages.
type Named struct {
	Name   string
	Report *Report
}

// Merge combines reports (typically the shards of one audit) into one. It
// refuses reports that overlap: two with the same shard, shards of
// different splits, or one account in two reports. Missing shards are not an
// error (a failed CI job must not hide the others' findings); Missing says
// which they are. The result lists the shards merged and has its summary
// recounted.
func Merge(reports []Named) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("no reports to merge")
	}
	out := &Report{FormatVersion: FormatVersion, Tool: reports[0].Report.Tool, Coverage: true, TLSChecked: true, Shards: []Shard{}, Accounts: []Account{}}
	files := map[string]bool{}
	policies := map[string]bool{}
	shardFrom := map[int]string{}
	seen := map[string]string{} // lower-case account id → report name
	var errs []error
	var whole, sharded string // a report of every account, and one of a shard
	for _, n := range reports {
		r := n.Report
		if len(r.Shards) == 0 {
			whole = cmp.Or(whole, n.Name)
		} else {
			sharded = cmp.Or(sharded, n.Name)
		}
		out.Coverage = out.Coverage && r.Coverage
		out.TLSChecked = out.TLSChecked && r.TLSChecked
		if out.Delivery == nil {
			out.Delivery = r.Delivery // the shards of one run share the window
		}
		policies[r.Policy] = true
		for _, f := range r.Files {
			if !files[f] {
				files[f] = true
				out.Files = append(out.Files, f)
			}
		}
		for _, s := range r.Shards {
			if len(out.Shards) > 0 && out.Shards[0].Count != s.Count {
				errs = append(errs, fmt.Errorf("%s is shard %s but %s is shard %s: merge the shards of one split (the same N)", n.Name, s, shardFrom[out.Shards[0].Index], out.Shards[0]))
				continue
			}
			if prev, dup := shardFrom[s.Index]; dup {
				errs = append(errs, fmt.Errorf("%s and %s are both shard %s", prev, n.Name, s))
				continue
			}
			shardFrom[s.Index] = n.Name
			out.Shards = append(out.Shards, s)
		}
		for _, a := range r.Accounts {
			key := strings.ToLower(a.AccountID)
			if prev, dup := seen[key]; dup {
				errs = append(errs, fmt.Errorf("account %s (%s) is in both %s and %s", a.Alias, a.AccountID, prev, n.Name))
				continue
			}
			seen[key] = n.Name
			out.Accounts = append(out.Accounts, a)
		}
	}
	if whole != "" && sharded != "" {
		return nil, fmt.Errorf("%s audits every account (no --shard) but %s is a shard: merge the shards of one split", whole, sharded)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if out.Files == nil {
		out.Files = []string{}
	}
	out.Policy = "default"
	if policies["files"] {
		out.Policy = "files"
	}
	if len(policies) > 1 {
		out.Policy = "mixed"
	}
	slices.SortFunc(out.Shards, func(a, b Shard) int { return cmp.Compare(a.Index, b.Index) })
	SortAccounts(out.Accounts)
	out.Summarize()
	return out, nil
}

// Missing lists the shards of a split that a merged report lacks.
func (r *Report) Missing() []Shard {
	if len(r.Shards) == 0 {
		return nil
	}
	var out []Shard
	for i := 1; i <= r.Shards[0].Count; i++ {
		if !slices.ContainsFunc(r.Shards, func(s Shard) bool { return s.Index == i }) {
			out = append(out, Shard{Index: i, Count: r.Shards[0].Count})
		}
	}
	return out
}
