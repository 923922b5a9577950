package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/connectsync/connectsync/pkg/plan"
)

// PlanMarker starts every markdown plan, so that a workflow can find its own
// earlier pull-request comment and update it instead of adding another.
const PlanMarker = "<!-- connectsync:plan -->"

// GitHubCommentLimit is the most characters a GitHub comment may hold.
const GitHubCommentLimit = 65536

// mdBudget leaves room under GitHubCommentLimit for a workflow's own lines.
const mdBudget = GitHubCommentLimit - 2048

// PlanMarkdown writes a plan for a pull-request comment or a job summary:
// one collapsible section per account with changes. When the full text
// would not fit in a GitHub comment it is summarised: first without field
// details, then as counts only.
func PlanMarkdown(w io.Writer, p *plan.Plan) error {
	for _, detail := range []mdDetail{mdFields, mdNames, mdCounts} {
		var b bytes.Buffer
		planMarkdown(&b, p, detail)
		if b.Len() <= mdBudget || detail == mdCounts {
			_, err := w.Write(b.Bytes())
			return err
		}
	}
	return nil
}

type mdDetail int

const (
	mdFields mdDetail = iota // every field change
	mdNames                  // one line per change
	mdCounts                 // counts per account only
)

func planMarkdown(b *bytes.Buffer, p *plan.Plan, detail mdDetail) {
	s := p.Summary()
	fmt.Fprintf(b, "%s\n### connectsync plan\n\n**%s**\n\n", PlanMarker, summaryLine(s))
	if note := partialNote(p); note != "" {
		fmt.Fprintf(b, "> [!NOTE]\n> %s\n\n", escapeMD(note))
	}
	var quiet []string
	summarised := detail != mdFields
	for i, a := range p.Accounts {
		as := a.Summary()
		if as.Create+as.Update+as.Delete+as.Errors == 0 && a.MassDelete == "" {
			quiet = append(quiet, "`"+escapeCode(a.Alias)+"`")
			continue
		}
		if detail == mdCounts || b.Len() > mdBudget-4096 {
			summarised = true
			fmt.Fprintf(b, "- **%s**: %s\n", escapeMD(a.Alias), accountCounts(as))
			if b.Len() > mdBudget-1024 {
				fmt.Fprintf(b, "- … and %d more accounts\n", len(p.Accounts)-i-1)
				break
			}
			continue
		}
		fmt.Fprintf(b, "<details><summary><b>%s</b> (%s): %s</summary>\n\n", escapeMD(a.Alias), escapeMD(a.AccountID), accountCounts(as))
		for _, e := range a.Errors {
			fmt.Fprintf(b, "> [!CAUTION]\n> %s\n\n", escapeMD(e))
		}
		if a.MassDelete != "" {
			fmt.Fprintf(b, "> [!WARNING]\n> This plan %s; apply refuses it without `--allow-mass-delete`.\n\n", escapeMD(a.MassDelete))
		}
		for _, c := range a.Changes {
			if c.Action == plan.NoOp && len(c.Fields) > 0 {
				fmt.Fprintf(b, "> [!NOTE]\n> `%s`: %s\n\n", escapeCode(c.Name), escapeMD(writeOnlyNote(c)))
			}
		}
		if as.Create+as.Update+as.Delete > 0 {
			b.WriteString("```diff\n")
			for _, c := range a.Changes {
				if c.Action == plan.NoOp {
					continue
				}
				changeMarkdown(b, c, detail)
			}
			b.WriteString("```\n\n")
		}
		if len(a.Unmanaged)+len(a.Ignored)+len(a.Ambiguous)+len(a.Unexpressible) > 0 {
			var left []string
			for _, x := range a.Ambiguous {
				left = append(left, fmt.Sprintf("`%s` (ambiguous, connectId %s: %s)", escapeCode(x.Name), escapeMD(x.ConnectID), escapeMD(x.Reason)))
			}
			for _, x := range a.Unexpressible {
				left = append(left, fmt.Sprintf("`%s` (inexpressible, connectId %s: the file format cannot express it: %s; never pruned)", escapeCode(x.Name), escapeMD(x.ConnectID), escapeMD(x.Reason)))
			}
			for _, u := range a.Unmanaged {
				left = append(left, fmt.Sprintf("`%s` (unmanaged)", escapeCode(u.Name)))
			}
			for _, x := range a.Ignored {
				left = append(left, fmt.Sprintf("`%s` (ignored: %s)", escapeCode(x.Name), escapeMD(x.Reason)))
			}
			fmt.Fprintf(b, "Left alone: %s\n\n", strings.Join(left, ", "))
		}
		b.WriteString("</details>\n\n")
	}
	if len(quiet) > 0 {
		fmt.Fprintf(b, "No changes in %s.\n", strings.Join(quiet, ", "))
	}
	if summarised {
		b.WriteString("\n_The plan is summarised to fit in a comment; the job log has every field._\n")
	}
}

func changeMarkdown(b *bytes.Buffer, c plan.Change, detail mdDetail) {
	sign, verb := "+", "create"
	switch c.Action {
	case plan.Update:
		sign, verb = "~", "update"
		if c.RenamedFrom != "" {
			verb = "rename " + c.RenamedFrom + " →"
		}
	case plan.Delete:
		sign, verb = "-", "delete"
	}
	line := fmt.Sprintf("%s %s %s", sign, verb, c.Name)
	if c.ConnectID != "" {
		line += " (connectId " + c.ConnectID + ")"
	}
	if c.Reason != "" {
		line += " [" + c.Reason + "]"
	}
	b.WriteString(codeLine(line) + "\n")
	if detail != mdFields {
		return
	}
	for _, f := range c.Fields {
		if f.Field == "name" && c.RenamedFrom != "" {
			continue
		}
		b.WriteString(codeLine(fmt.Sprintf("%s     %s: %s", sign, f.Field, fieldLine(c, f))) + "\n")
	}
}

// PlanJSON writes the plan's JSON document (secrets replaced).
func PlanJSON(w io.Writer, doc plan.Document) error {
	ew := &runeEscaper{w: w}
	if err := doc.WriteJSON(ew); err != nil {
		return err
	}
	return ew.flush()
}
