package yamlfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

const newEntry = "- name: new\n  allUsers: true\n"

// TestInsertEntry: the entry goes in as text, everything else stays byte
// for byte.
func TestInsertEntry(t *testing.T) {
	t.Parallel()
	const head = "version: 1\naccounts:\n  - alias: a\n    accountId: \"1\"\n"
	for name, tc := range map[string]struct {
		in, want string
		line     int
	}{
		"after the last item, spaced like the items": {
			in:   head + "configurations:\n  - name: x\n    allUsers: true\n\n  - name: y\n    allUsers: true\n",
			want: head + "configurations:\n  - name: x\n    allUsers: true\n\n  - name: y\n    allUsers: true\n\n  - name: new\n    allUsers: true\n",
			line: 12,
		},
		"compact items stay compact": {
			in:   head + "configurations:\n  - name: x\n  - name: y\n",
			want: head + "configurations:\n  - name: x\n  - name: y\n  - name: new\n    allUsers: true\n",
			line: 8,
		},
		"comments before and after": {
			in: head + "# the hooks\nconfigurations: # all of them\n  # x first\n  - name: x # the x\n    allUsers: true\n    # trailing note on x\n\n# the policy\npolicy:\n  requireHttps: true\n",
			want: head + "# the hooks\nconfigurations: # all of them\n  # x first\n  - name: x # the x\n    allUsers: true\n    # trailing note on x\n\n  - name: new\n    allUsers: true\n" +
				"\n# the policy\npolicy:\n  requireHttps: true\n",
			line: 12,
		},
		"trailing comment lines under the list at the end": {
			in:   head + "configurations:\n  - name: x\n  # - name: old (commented out)\n  #   allUsers: true\n",
			want: head + "configurations:\n  - name: x\n  # - name: old (commented out)\n  #   allUsers: true\n\n  - name: new\n    allUsers: true\n",
			line: 10,
		},
		"a comment at the margin after the list stays after the entry": {
			in:   head + "configurations:\n  - name: x\n# end of file\n",
			want: head + "configurations:\n  - name: x\n\n  - name: new\n    allUsers: true\n# end of file\n",
			line: 8,
		},
		"no final newline": {
			in:   head + "configurations:\n  - name: x\n    allUsers: true",
			want: head + "configurations:\n  - name: x\n    allUsers: true\n\n  - name: new\n    allUsers: true",
			line: 9,
		},
		"CRLF": {
			in:   strings.ReplaceAll(head+"configurations:\n  - name: x # c\n\npolicy: {}\n", "\n", "\r\n"),
			want: strings.ReplaceAll(head+"configurations:\n  - name: x # c\n\n  - name: new\n    allUsers: true\n\npolicy: {}\n", "\n", "\r\n"),
			line: 8,
		},
		"dashes at the key's column, four-space items": {
			in:   head + "configurations:\n- name: x\n    # note\n  enableLog: true\nversion2: 1\n",
			want: head + "configurations:\n- name: x\n    # note\n  enableLog: true\n\n- name: new\n  allUsers: true\nversion2: 1\n",
			line: 10,
		},
		"a block scalar with blank lines and hashes ends the last item": {
			in:   head + "configurations:\n  - name: x\n    note: |\n      line one\n\n      # not a comment\npolicy: {}\n",
			want: head + "configurations:\n  - name: x\n    note: |\n      line one\n\n      # not a comment\n\n  - name: new\n    allUsers: true\npolicy: {}\n",
			line: 12,
		},
		"empty flow list, its comment kept": {
			in:   head + "configurations: [] # none yet\npolicy: {}\n",
			want: head + "configurations: # none yet\n  - name: new\n    allUsers: true\npolicy: {}\n",
			line: 6,
		},
		"empty flow list with spaces": {
			in:   head + "configurations: [ ]\n",
			want: head + "configurations:\n  - name: new\n    allUsers: true\n",
			line: 6,
		},
		"null": {
			in:   head + "configurations: ~\n",
			want: head + "configurations:\n  - name: new\n    allUsers: true\n",
			line: 6,
		},
		"nothing after the key": {
			in:   head + "configurations: # soon\npolicy: {}\n",
			want: head + "configurations: # soon\n  - name: new\n    allUsers: true\npolicy: {}\n",
			line: 6,
		},
		"only accounts": {
			in:   head,
			want: head + "\nconfigurations:\n  - name: new\n    allUsers: true\n",
			line: 7,
		},
		"only accounts, ending with a blank line and no final newline": {
			in:   head + "# more later",
			want: head + "# more later\n\nconfigurations:\n  - name: new\n    allUsers: true",
			line: 8,
		},
		"indented document": {
			in:   "  version: 1\n  configurations:\n    - name: x\n",
			want: "  version: 1\n  configurations:\n    - name: x\n\n    - name: new\n      allUsers: true\n",
			line: 5,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, line, err := insertEntry("f.yaml", []byte(tc.in), []byte(newEntry))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if line != tc.line {
				t.Errorf("line = %d, want %d", line, tc.line)
			}
			// The entry is the last configuration, and starts on that line.
			doc, err := decode([]byte(strings.ReplaceAll(string(got), "\r\n", "\n")))
			if err != nil {
				t.Fatal(err)
			}
			seq := mapValue(doc.Content[0], "configurations")
			last := seq.Content[len(seq.Content)-1]
			if mapValue(last, "name").Value != "new" || last.Line != tc.line {
				t.Errorf("the last configuration is %q at line %d", mapValue(last, "name").Value, last.Line)
			}
		})
	}
}

// TestInsertEntryRefuses: what import cannot add to without rewriting the
// file is an error naming the place, with the fix.
func TestInsertEntryRefuses(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ in, want string }{
		"tab":              {"version: 1\nconfigurations:\n\t- name: x\n", "f.yaml:3:1: invalid YAML: a tab indents this line"},
		"flow list":        {"version: 1\nconfigurations: [{name: x}]\n", "f.yaml:2:17: configurations is written in brackets ([...]); import adds to a block list; run connectsync fmt"},
		"flow file":        {"{version: 1, configurations: []}\n", "f.yaml:1:1: the file is written as one mapping in braces"},
		"alias":            {"version: 1\nx: &l []\nconfigurations: *l\n", "f.yaml:3:17: configurations is an alias (*l)"},
		"not a list":       {"version: 1\nconfigurations: {name: x}\n", "f.yaml:2:17: configurations is not a list"},
		"not a mapping":    {"- version: 1\n", "f.yaml:1:1: the file is not a mapping of keys"},
		"two documents":    {"version: 1\n---\nversion: 1\n", "f.yaml:2:1: the file holds a second YAML document"},
		"empty":            {"# nothing\n", "f.yaml:1:1: the file is empty"},
		"bracket unclosed": {"version: 1\nconfigurations: [\n]\n", "f.yaml:2:17: configurations: [ is closed on another line"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, _, err := insertEntry("f.yaml", []byte(tc.in), []byte(newEntry))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || out != nil {
				t.Errorf("got %q, %v\nwant the error %q", out, err, tc.want)
			}
		})
	}
}

func TestEntryText(t *testing.T) {
	t.Parallel()
	n := &yaml.Node{Kind: yaml.MappingNode, HeadComment: "disabled"}
	yAdd(n, "name", yStr("a"))
	yAdd(n, "events", yFlowList([]string{"x", "y"}))
	got, err := entryText(n)
	if err != nil {
		t.Fatal(err)
	}
	if want := "# disabled\n- name: a\n  events: [x, y]\n"; string(got) != want {
		t.Errorf("entryText = %q, want %q", got, want)
	}
}
