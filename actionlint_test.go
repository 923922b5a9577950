package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// The GitHub Actions files: the project's own workflows, the examples users
// copy, and the action itself. They are linted here, on every go test, with
// actionlint's Go API.

// exampleUses is how the examples name this repository's action.
var exampleUses = regexp.MustCompile(`uses: connectsync/connectsync@[A-Za-z0-9._/-]+`)

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", ".github/workflows/*.yaml", "examples/github/*.yml", "examples/github/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, want := range []string{".github/workflows/ci.yml", "examples/github/plan.yml", "examples/github/apply.yml", "examples/github/audit.yml"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s is missing", want)
		}
	}
	return files
}

// newLinter returns a linter that runs shellcheck on run: scripts when it is
// installed (actionlint skips that check otherwise).
func newLinter(t *testing.T, out *bytes.Buffer) (*actionlint.Linter, *actionlint.Project) {
	t.Helper()
	opts := &actionlint.LinterOptions{Color: actionlint.ColorOptionKindNever}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	l, err := actionlint.NewLinter(out, opts)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	proj, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	return l, proj
}

func TestWorkflowsPassActionlint(t *testing.T) {
	var out bytes.Buffer
	l, proj := newLinter(t, &out)
	errs, err := l.LintFiles(workflowFiles(t), proj)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Errorf("actionlint: %d errors:\n%s", len(errs), out.String())
	}
}

// TestExamplesMatchTheAction lints each example again with its
// connectsync/connectsync@ref steps pointing at the local action (uses: ./),
// so that actionlint checks every with: input and steps.*.outputs.* they use
// against action.yml.
func TestExamplesMatchTheAction(t *testing.T) {
	files, err := filepath.Glob("examples/github/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !exampleUses.Match(src) {
				t.Fatalf("%s does not use connectsync/connectsync@…", f)
			}
			local := exampleUses.ReplaceAll(src, []byte("uses: ./"))
			var out bytes.Buffer
			l, proj := newLinter(t, &out)
			errs, err := l.Lint(f, local, proj)
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) > 0 {
				t.Errorf("actionlint, with uses: ./ (the local action.yml): %d errors:\n%s", len(errs), out.String())
			}
		})
	}
}

// actionFile is the part of action.yml this test reads itself.
type actionFile struct {
	Inputs  map[string]yaml.Node `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string           `yaml:"using"`
		Steps []map[string]any `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionMetadata parses action.yml with actionlint's own metadata parser
// (what a workflow's uses: ./ goes through), then lints the composite steps
// as the steps of a workflow job whose inputs are the action's inputs and
// whose outputs are the action's outputs: that checks every ${{ }} in
// action.yml, the step ids the outputs read, and the inputs of the actions
// the steps use. It also checks that the scripts the steps run exist.
func TestActionMetadata(t *testing.T) {
	_, proj := newLinter(t, &bytes.Buffer{})
	meta, _, err := actionlint.NewLocalActionsCache(proj, nil).FindMetadata("./")
	if err != nil {
		t.Fatal(err)
	}
	if meta == nil {
		t.Fatal("no action.yml at the repository root")
	}
	if meta.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", meta.Runs.Using)
	}
	for _, in := range []string{"command", "files", "args", "version", "working-directory", "comment", "github-token"} {
		if _, ok := meta.Inputs[in]; !ok {
			t.Errorf("input %q is missing", in)
		}
	}
	for _, o := range []string{"exitcode", "has-changes", "json", "markdown"} {
		if _, ok := meta.Outputs[o]; !ok {
			t.Errorf("output %q is missing", o)
		}
	}

	src, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(src, &a); err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Runs.Steps {
		run, _ := s["run"].(string)
		for _, m := range regexp.MustCompile(`\$GITHUB_ACTION_PATH/([^" ]+)`).FindAllStringSubmatch(run, -1) {
			if _, err := os.Stat(m[1]); err != nil {
				t.Errorf("step %q runs %s: %v", s["name"], m[1], err)
			}
		}
	}

	wf, err := workflowOfAction(a)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	l, _ := newLinter(t, &out)
	errs, err := l.Lint("action.yml (as a workflow job)", wf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Errorf("actionlint on action.yml's steps: %d errors:\n%s\nin:\n%s", len(errs), out.String(), wf)
	}
}

// workflowOfAction turns a composite action into a workflow that actionlint
// checks the same way: inputs become workflow_call inputs (so inputs.* is
// typed), outputs become job outputs, and the steps become the job's steps.
func workflowOfAction(a actionFile) ([]byte, error) {
	inputs := map[string]any{}
	for name := range a.Inputs {
		inputs[name] = map[string]any{"type": "string", "required": false}
	}
	outputs := map[string]string{}
	for name, o := range a.Outputs {
		outputs[name] = o.Value
	}
	wf := map[string]any{
		"on": map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{
			"action": map[string]any{
				"runs-on": "ubuntu-latest",
				"outputs": outputs,
				"steps":   a.Runs.Steps,
			},
		},
	}
	return yaml.Marshal(wf)
}

// TestWorkflowsUseOnlyKnownSecrets keeps the examples to the secrets the
// docs tell users to create.
func TestWorkflowsUseOnlyKnownSecrets(t *testing.T) {
	known := []string{"DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID", "DOCUSIGN_PRIVATE_KEY", "LISTENER_PASSWORD"}
	doc, err := os.ReadFile("docs/github-actions.md")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("examples/github/*.yml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`secrets\.([A-Za-z0-9_]+)`).FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(known, m[1]) {
				t.Errorf("%s uses secrets.%s, which docs/github-actions.md does not list", f, m[1])
			}
		}
		if regexp.MustCompile(`(?m)^\s*pull_request_target\s*:`).Match(src) {
			t.Errorf("%s uses pull_request_target: it would hand secrets to forks", f)
		}
	}
	for _, k := range known {
		if !bytes.Contains(doc, []byte(k)) {
			t.Errorf("docs/github-actions.md does not mention the secret %s", k)
		}
	}
}
