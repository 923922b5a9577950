package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// A small stand-in for the GitHub runner, enough to run action.yml's own
// composite steps here: it reads action.yml, fills in the inputs (with their
// defaults), evaluates the ${{ }} expressions of each step's if: and env:,
// runs each run: with bash as `shell: bash` does, collects each step's
// GITHUB_OUTPUT into steps.<id>.outputs, and evaluates the action's outputs.
// uses: steps (actions/setup-go) are not run; the tests turn them off through
// their inputs.
//
// The expressions it evaluates are the ones action.yml uses: context
// references, 'strings', ==, !=, !, &&, || and the status functions. Anything
// else fails the test, so a new kind of expression in action.yml is noticed.

// compositeAction is action.yml as the runner reads it.
type compositeAction struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Name  string            `yaml:"name"`
			If    string            `yaml:"if"`
			Uses  string            `yaml:"uses"`
			Run   string            `yaml:"run"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func loadAction(t *testing.T) *compositeAction {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a compositeAction
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q", a.Runs.Using)
	}
	return &a
}

// actionRun is what one `uses:` of the action did.
type actionRun struct {
	outputs map[string]string // the action's outputs
	steps   map[string]step   // by step id, the steps that ran
	failed  bool              // a step failed, so the workflow step fails
	log     string            // everything the steps printed
}

// run runs the action's steps as a `uses:` step with these with: inputs.
// runner is the runner's environment (GITHUB_*, RUNNER_TEMP, PATH…) plus the
// workflow step's env:, and github the github.* context.
func (a *compositeAction) run(t *testing.T, runner, github, with map[string]string) actionRun {
	t.Helper()
	ctx := exprContext{}
	for k, v := range github {
		ctx["github."+k] = v
	}
	for name, in := range a.Inputs {
		ctx["inputs."+name] = ctx.substitute(t, in.Default)
	}
	for name, v := range with {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("with: %s is not an input of action.yml", name)
		}
		ctx["inputs."+name] = v
	}
	r := actionRun{steps: map[string]step{}}
	var log strings.Builder
	for _, s := range a.Runs.Steps {
		cond := strings.TrimSpace(s.If)
		if cond == "" {
			cond = "success()"
		} else if !regexp.MustCompile(`\b(success|failure|always|cancelled)\(\)`).MatchString(cond) {
			cond = "success() && (" + unwrap(cond) + ")"
		}
		ctx.setFailed(r.failed)
		if !truthy(ctx.eval(t, unwrap(cond))) {
			continue
		}
		if s.Uses != "" {
			t.Fatalf("step %q (uses: %s) would run: the test runner cannot run actions; turn it off through an input", s.Name, s.Uses)
		}
		if s.Shell != "bash" {
			t.Fatalf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		env := map[string]string{}
		for k, v := range runner {
			env[k] = v
		}
		for k, v := range s.Env {
			env[k] = ctx.substitute(t, v)
		}
		st := runBash(t, s.Run, env)
		log.WriteString(st.stdout + st.stderr)
		for k, v := range st.outputs {
			ctx["steps."+s.ID+".outputs."+k] = v
		}
		if st.code != 0 {
			r.failed = true
		}
		r.steps[s.ID] = st
	}
	r.outputs = map[string]string{}
	for name, o := range a.Outputs {
		r.outputs[name] = ctx.substitute(t, o.Value)
	}
	r.log = log.String()
	return r
}

// runBash runs a run: block as `shell: bash` does (bash --noprofile --norc
// -eo pipefail FILE), with only the given environment (see runStep).
func runBash(t *testing.T, script string, env map[string]string) step {
	t.Helper()
	file := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return runStep(t, env, "bash", "--noprofile", "--norc", "-eo", "pipefail", file)
}

// exprContext holds the contexts by dotted name ("inputs.command",
// "steps.run.outputs.json", "github.token"); failed is what success() and
// failure() look at.
type exprContext map[string]any

var (
	exprTemplate = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	exprRef      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)
	exprString   = regexp.MustCompile(`^'([^']*)'$`)
)

// failed is kept under a key no expression can name.
func (c exprContext) setFailed(v bool) { c[" failed"] = v }

func unwrap(s string) string {
	s = strings.TrimSpace(s)
	if m := exprTemplate.FindStringSubmatch(s); m != nil && m[0] == s {
		return m[1]
	}
	return s
}

// substitute replaces every ${{ expr }} in s with its value as a string.
func (c exprContext) substitute(t *testing.T, s string) string {
	t.Helper()
	return exprTemplate.ReplaceAllStringFunc(s, func(m string) string {
		return str(c.eval(t, exprTemplate.FindStringSubmatch(m)[1]))
	})
}

// eval evaluates an expression with GitHub's rules for the operators it
// knows: || and && yield an operand, not a boolean; == on strings ignores
// case; a missing property is null.
func (c exprContext) eval(t *testing.T, expr string) any {
	t.Helper()
	expr = strings.TrimSpace(expr)
	if enclosed(expr) {
		return c.eval(t, expr[1:len(expr)-1])
	}
	if parts := splitTop(expr, "||"); len(parts) > 1 {
		var v any
		for _, p := range parts {
			if v = c.eval(t, p); truthy(v) {
				return v
			}
		}
		return v
	}
	if parts := splitTop(expr, "&&"); len(parts) > 1 {
		var v any
		for _, p := range parts {
			if v = c.eval(t, p); !truthy(v) {
				return v
			}
		}
		return v
	}
	for _, op := range []string{"==", "!="} {
		if parts := splitTop(expr, op); len(parts) == 2 {
			eq := strings.EqualFold(str(c.eval(t, parts[0])), str(c.eval(t, parts[1])))
			return eq == (op == "==")
		}
	}
	if strings.HasPrefix(expr, "!") && !strings.HasPrefix(expr, "!=") {
		return !truthy(c.eval(t, expr[1:]))
	}
	failed, _ := c[" failed"].(bool)
	switch expr {
	case "success()":
		return !failed
	case "failure()":
		return failed
	case "always()":
		return true
	case "cancelled()":
		return false
	case "true", "false":
		return expr == "true"
	}
	if m := exprString.FindStringSubmatch(expr); m != nil {
		return m[1]
	}
	if exprRef.MatchString(expr) {
		if v, ok := c[expr]; ok {
			return v
		}
		if strings.HasPrefix(expr, "inputs.") {
			t.Fatalf("expression names %s, which is not an input", expr)
		}
		return nil
	}
	t.Fatalf("expression %q is beyond this test runner", expr)
	return nil
}

// splitTop splits an expression at op outside parentheses and quotes.
func splitTop(expr, op string) []string {
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(expr); i++ {
		switch ch := expr[i]; {
		case ch == '\'':
			quoted = !quoted
		case quoted:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case depth == 0 && strings.HasPrefix(expr[i:], op):
			parts = append(parts, expr[start:i])
			i += len(op) - 1
			start = i + 1
		}
	}
	return append(parts, expr[start:])
}

// enclosed reports whether expr is one parenthesised expression, "(…)".
func enclosed(expr string) bool {
	if !strings.HasPrefix(expr, "(") || !strings.HasSuffix(expr, ")") {
		return false
	}
	depth := 0
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i < len(expr)-1 {
				return false
			}
		}
	}
	return true
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	}
	panic(fmt.Sprintf("value %v", v))
}

func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return "true"
		}
		return "false"
	case string:
		return v
	}
	panic(fmt.Sprintf("value %v", v))
}
