package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// A stand-in for GitHub running one of the example workflows, enough for
// examples/github/audit.yml: jobs in the order of their needs:, a matrix,
// if: at job and step level (with the harness's expression evaluator),
// continue-on-error, steps.<id>.outputs/outcome and needs.<job>.result. The
// steps that use this repository's action run action.yml through
// compositeAction; checkout is a no-op; upload-artifact and
// download-artifact copy files through a directory; run: steps run in bash
// in the workspace, with a fake gh on PATH.

type workflowFile struct {
	Env  map[string]string `yaml:"env"`
	Jobs yaml.Node         `yaml:"jobs"` // a mapping, kept in file order
}

type workflowJob struct {
	Needs    any    `yaml:"needs"`
	If       string `yaml:"if"`
	Strategy struct {
		Matrix map[string][]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []workflowStep `yaml:"steps"`
}

type workflowStep struct {
	ID              string            `yaml:"id"`
	Name            string            `yaml:"name"`
	If              string            `yaml:"if"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	With            map[string]string `yaml:"with"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError bool              `yaml:"continue-on-error"`
}

// workflowRun is the result of every job (and matrix instance) of a run.
type workflowRun struct {
	results map[string]string            // job → success, failure, skipped
	steps   map[string]map[string]string // "job (shard)" → step id or name → outcome
	log     strings.Builder
}

// runWorkflow runs a workflow's jobs in file order (the example's needs:
// follow it). act is this repository's action; connectsyncArgs adds
// arguments to its steps (e.g. --sandbox, standing in for DocuSign).
func runWorkflow(t *testing.T, path string, r *actionRunner, secrets map[string]string, ws, artifacts string, connectsyncArgs func(command string) string) *workflowRun {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflowFile
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatal(err)
	}
	run := &workflowRun{results: map[string]string{}, steps: map[string]map[string]string{}}
	for i := 0; i+1 < len(wf.Jobs.Content); i += 2 {
		name := wf.Jobs.Content[i].Value
		var job workflowJob
		if err := wf.Jobs.Content[i+1].Decode(&job); err != nil {
			t.Fatal(err)
		}
		ctx := exprContext{}
		for k, v := range r.github {
			ctx["github."+k] = v
		}
		ctx["github.server_url"], ctx["github.repository"], ctx["github.run_id"] = "https://github.com", fakeRepo, "4242"
		ctx["runner.temp"] = r.runner["RUNNER_TEMP"]
		for k, v := range secrets {
			ctx["secrets."+k] = v
		}
		needsFailed := false
		var needs []string
		switch n := job.Needs.(type) {
		case string:
			needs = []string{n}
		case []any:
			for _, x := range n {
				needs = append(needs, x.(string))
			}
		}
		for _, n := range needs {
			ctx["needs."+n+".result"] = run.results[n]
			needsFailed = needsFailed || run.results[n] != "success"
		}
		for k, v := range wf.Env {
			ctx["env."+k] = v
		}
		ctx.setFailed(needsFailed)
		if !truthy(ctx.eval(t, condition(job.If))) {
			run.results[name] = "skipped"
			continue
		}
		instances := []map[string]string{nil}
		for key, values := range job.Strategy.Matrix {
			instances = nil
			for _, v := range values {
				instances = append(instances, map[string]string{key: strings.TrimSpace(yamlScalar(v))})
			}
		}
		result := "success"
		for _, matrix := range instances {
			jctx := exprContext{}
			for k, v := range ctx {
				jctx[k] = v
			}
			label := name
			for k, v := range matrix {
				jctx["matrix."+k] = v
				label += " (" + v + ")"
			}
			if !runJob(t, run, label, job, jctx, r, ws, artifacts, connectsyncArgs) {
				result = "failure"
			}
		}
		run.results[name] = result
	}
	return run
}

func yamlScalar(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

// condition is an if: as GitHub reads it: success() unless it names a
// status function.
func condition(cond string) string {
	cond = unwrap(cond)
	switch {
	case cond == "":
		return "success()"
	case regexp.MustCompile(`\b(success|failure|always|cancelled)\(\)`).MatchString(cond):
		return cond
	}
	return "success() && (" + cond + ")"
}

// runJob runs one job (one matrix instance) and reports whether it succeeded.
func runJob(t *testing.T, run *workflowRun, label string, job workflowJob, ctx exprContext, r *actionRunner, ws, artifacts string, connectsyncArgs func(string) string) bool {
	t.Helper()
	failed := false
	outcomes := map[string]string{}
	run.steps[label] = outcomes
	for _, s := range job.Steps {
		key := s.ID
		if key == "" {
			key = cmpOr(s.Name, s.Uses)
		}
		ctx.setFailed(failed)
		if !truthy(ctx.eval(t, condition(s.If))) {
			outcomes[key] = "skipped"
			continue
		}
		env := map[string]string{}
		for k, v := range ctx {
			if name, ok := strings.CutPrefix(k, "env."); ok {
				env[name] = v.(string)
			}
		}
		for k, v := range s.Env {
			env[k] = ctx.substitute(t, v)
		}
		with := map[string]string{}
		for k, v := range s.With {
			with[k] = ctx.substitute(t, v)
		}
		ok := true
		outputs := map[string]string{}
		switch action, _, _ := strings.Cut(s.Uses, "@"); {
		case s.Run != "":
			st := runStepIn(t, ws, merge(r.runner, env), "bash", "--noprofile", "--norc", "-eo", "pipefail", writeScript(t, s.Run))
			run.log.WriteString(st.stdout + st.stderr)
			ok, outputs = st.code == 0, st.outputs
		case action == "actions/checkout":
		case action == "actions/upload-artifact":
			ok = copyArtifact(t, filepath.Join(ws, with["path"]), filepath.Join(artifacts, with["name"], filepath.Base(with["path"])), with["if-no-files-found"] == "error")
		case action == "actions/download-artifact":
			dirs, _ := filepath.Glob(filepath.Join(artifacts, with["pattern"]))
			for _, d := range dirs {
				files, _ := filepath.Glob(filepath.Join(d, "*"))
				for _, f := range files {
					copyArtifact(t, f, filepath.Join(ws, with["path"], filepath.Base(f)), true)
				}
			}
		case action == "connectsync/connectsync":
			with["args"] = strings.TrimSpace(with["args"] + " " + connectsyncArgs(with["command"]))
			with = merge(map[string]string{"setup-go": "false", "working-directory": ws}, with)
			a := r.act.run(t, merge(r.runner, env), r.github, with)
			run.log.WriteString(a.log)
			ok, outputs = !a.failed, a.outputs
		default:
			t.Fatalf("%s: step %q uses %s, which this test cannot run", label, key, s.Uses)
		}
		for k, v := range outputs {
			ctx["steps."+s.ID+".outputs."+k] = v
		}
		outcome := "success"
		if !ok {
			outcome = "failure"
			if !s.ContinueOnError {
				failed = true
			}
		}
		if s.ID != "" {
			ctx["steps."+s.ID+".outcome"] = outcome
		}
		outcomes[key] = outcome
	}
	return !failed
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func writeScript(t *testing.T, script string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func copyArtifact(t *testing.T, from, to string, required bool) bool {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		return !required
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}

// fakeGh logs every gh call; `gh issue list` answers OPEN_ISSUE (empty: none).
const fakeGh = `#!/usr/bin/env bash
printf '[%s]' "$@" >> "$GH_LOG"; echo >> "$GH_LOG"
for a in "$@"; do
	if [ "$prev" = --body-file ]; then cp "$a" "$GH_LOG.body"; fi
	prev=$a
done
if [ "$1 $2" = "issue list" ]; then echo "${OPEN_ISSUE:-}"; fi
exit 0
`

// TestAuditWorkflow runs examples/github/audit.yml against the sandbox:
// four shards, the merge and the drift issue, with every account readable,
// and with one account that cannot be read.
func TestAuditWorkflow(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("examples/multi-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox's seeded account Hooli is one its user cannot read.
	withHooli := strings.Replace(string(src), "\ndefaults:", "\n  - { alias: hooli, accountId: f5a6b7c8-d9e0-4fb3-8a4b-5c6d7e8f9a0b, vars: { hooks: https://hooks.acme.com/hooli } }\n\ndefaults:", 1)
	if withHooli == string(src) {
		t.Fatal("could not add the unreadable account")
	}
	tests := []struct {
		name       string
		files      string
		openIssue  string
		wantShards map[string]string // shard → audit job result
		wantReport string            // the report job's result
		wantGh     []string          // the gh commands run (first two words)
		wantBody   []string          // in the issue body
		applyFirst bool              // make the sandbox match the files first
	}{{
		name:       "drift in every account",
		files:      string(src),
		wantReport: "failure",
		wantGh:     []string{"label create", "issue list", "issue create"},
		wantBody:   []string{"acme-prod", "acme-eu", "acme-staging"},
	}, {
		name:       "one account cannot be read",
		files:      withHooli,
		openIssue:  "12",
		wantReport: "failure",
		wantGh:     []string{"label create", "issue list", "issue edit"},
		wantBody:   []string{"acme-prod", "acme-eu", "acme-staging", "<b>hooli</b>", `USER\_DOES\_NOT\_BELONG\_TO\_SPECIFIED\_ACCOUNT`},
	}, {
		name: "no drift closes the issue",
		// One account, which apply makes match (the sandbox seeds a risky
		// unmanaged webhook, which goes).
		files:      webhooksYAML + "  - name: Legacy order webhook\n    state: absent\n",
		openIssue:  "12",
		applyFirst: true,
		wantReport: "success",
		wantGh:     []string{"issue list", "issue close"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws, artifacts := t.TempDir(), t.TempDir()
			if err := os.MkdirAll(filepath.Join(ws, "connectsync"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(ws, "connectsync", "accounts.yaml"), []byte(tt.files), 0o644); err != nil {
				t.Fatal(err)
			}
			r := newActionRunner(t, ws, "http://127.0.0.1:1", "unused")
			ghLog := filepath.Join(t.TempDir(), "gh.log")
			r.runner["PATH"] = filepath.Dir(fakeBinary(t, "gh", fakeGh)) + string(os.PathListSeparator) + r.runner["PATH"]
			r.runner["GH_LOG"], r.runner["OPEN_ISSUE"] = ghLog, tt.openIssue
			secrets := map[string]string{"LISTENER_PASSWORD": "listener-s3cret"}
			if tt.applyFirst {
				a := r.uses(t, map[string]string{"command": "apply", "files": "connectsync/", "args": "--sandbox --auto-approve --allow-mass-delete"}, secrets)
				if a.failed {
					t.Fatalf("apply:\n%s", a.log)
				}
			}
			run := runWorkflow(t, "examples/github/audit.yml", r, secrets, ws, artifacts, func(command string) string {
				if command == "audit" {
					return "--sandbox" // the sandbox answers instead of DocuSign
				}
				return ""
			})
			log := run.log.String()

			// Every shard that read its accounts succeeded; the one with
			// hooli failed, but kept and uploaded its report.
			reports, _ := filepath.Glob(filepath.Join(artifacts, "connectsync-audit-*", "report-*.json"))
			if len(reports) != 4 {
				t.Errorf("%d shard reports uploaded, want 4: %v\n%v\n%s", len(reports), reports, run.steps, log)
			}
			failedShards := 0
			for label, steps := range run.steps {
				if !strings.HasPrefix(label, "audit (") {
					continue
				}
				if steps["audit"] == "failure" {
					failedShards++
					if steps["Name the report after its shard"] != "success" || steps[auditUploadKey(t)] != "success" {
						t.Errorf("%s: the audit failed and its report was not kept: %v", label, steps)
					}
				}
			}
			wantFailed := 0
			if strings.Contains(tt.files, "hooli") {
				wantFailed = 1
			}
			if failedShards != wantFailed || (wantFailed > 0) != (run.results["audit"] == "failure") {
				t.Errorf("%d shards failed (audit job %s), want %d", failedShards, run.results["audit"], wantFailed)
			}
			if run.results["report"] != tt.wantReport {
				t.Errorf("report job %s, want %s\n%s", run.results["report"], tt.wantReport, log)
			}

			b, _ := os.ReadFile(ghLog)
			var gh []string
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				f := strings.FieldsFunc(line, func(r rune) bool { return r == '[' || r == ']' })
				if len(f) >= 2 {
					gh = append(gh, f[0]+" "+f[1])
				}
			}
			if !slices.Equal(gh, tt.wantGh) {
				t.Errorf("gh ran %q, want %q\n%s", gh, tt.wantGh, log)
			}
			body, _ := os.ReadFile(ghLog + ".body")
			for _, want := range tt.wantBody {
				if !strings.Contains(string(body), want) {
					t.Errorf("the issue body lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

// auditUploadKey is how runJob names the upload step of audit.yml (it has
// no id or name).
func auditUploadKey(t *testing.T) string {
	src, err := os.ReadFile("examples/github/audit.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`uses: (actions/upload-artifact@\S+)`).FindSubmatch(src)
	if m == nil {
		t.Fatal("audit.yml uploads no artifact")
	}
	return string(m[1])
}
