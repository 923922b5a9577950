package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/connectsync/connectsync/pkg/cli"
	"github.com/connectsync/connectsync/pkg/render"
)

// These tests run the GitHub Action's steps (.github/action/connectsync.sh
// and sticky-comment.js, as action.yml calls them) on this machine, the way
// a runner would: inputs as INPUT_* variables, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and RUNNER_TEMP as temporary files, connectsync
// against the sandbox, and the pull-request comments against a fake GitHub
// API on loopback.

const (
	actionScript  = ".github/action/connectsync.sh"
	commentScript = ".github/action/sticky-comment.js"
	// runMainEnv makes the test binary act as connectsync (see TestMain).
	runMainEnv = "CONNECTSYNC_TEST_RUN_MAIN"
)

// TestMain lets the test binary stand in for the connectsync binary, so the
// action's script runs the code under test without a separate go build.
func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Exit(cli.Main())
	}
	os.Exit(m.Run())
}

// step is one run of a script, as a runner would start it.
type step struct {
	stdout, stderr string
	code           int
	outputs        map[string]string
}

// runStep runs a command with only the given environment (plus PATH and
// HOME unless given), never the test's own: a CI runner's GITHUB_* must not
// leak in. Every step gets a fresh GITHUB_OUTPUT, as in Actions.
func runStep(t *testing.T, env map[string]string, name string, args ...string) step {
	t.Helper()
	return runStepIn(t, "", env, name, args...)
}

// runStepIn is runStep in the directory dir ("": the test's own).
func runStepIn(t *testing.T, dir string, env map[string]string, name string, args ...string) step {
	t.Helper()
	out := filepath.Join(t.TempDir(), "github_output")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GITHUB_OUTPUT=" + out}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	s := step{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		s.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	s.outputs = readOutputs(t, out)
	return s
}

// readOutputs parses a GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER blocks. A name written twice is an error.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	set := func(name, value string) {
		if _, dup := outputs[name]; dup {
			t.Errorf("output %s written twice", name)
		}
		outputs[name] = value
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var value []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				value = append(value, lines[i])
			}
			if i == len(lines) {
				t.Errorf("output %s: no closing %s", name, delim)
			}
			set(name, strings.Join(value, "\n"))
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("GITHUB_OUTPUT line %q is neither name=value nor name<<DELIMITER", line)
			continue
		}
		set(name, value)
	}
	return outputs
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// needNode returns node, or skips outside CI when it is not installed
// (.ci/run installs it, so CI never skips).
func needNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed; CI needs it for the action's comment script")
		}
		t.Skip("node is not installed")
	}
	return node
}

// fakeGitHub serves the calls the comment script makes, over an in-memory
// list of one pull request's comments, two to a page so that the script has
// to follow Link headers. The token's identity: GET /user answers user, or
// 403 as it does for GITHUB_TOKEN (an installation token) when user is "";
// GraphQL's viewer is viewer, or the same as user when viewer is "".
type fakeGitHub struct {
	t        *testing.T
	token    string
	pageSize int
	user     string
	viewer   string

	mu       sync.Mutex
	nextID   int64
	comments []ghComment
	calls    []string
}

type ghComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	User    struct {
		Login string `json:"login"`
	} `json:"user"`
}

const fakeRepo, fakePR = "acme/webhooks", "7"

var (
	listPath  = "/repos/" + fakeRepo + "/issues/" + fakePR + "/comments"
	patchPath = regexp.MustCompile(`^/repos/` + fakeRepo + `/issues/comments/([0-9]+)$`)
)

func (g *fakeGitHub) add(login, body string) int64 {
	g.nextID++
	c := ghComment{ID: g.nextID, Body: body, HTMLURL: fmt.Sprintf("https://github.com/%s/pull/%s#issuecomment-%d", fakeRepo, fakePR, g.nextID)}
	c.User.Login = login
	g.comments = append(g.comments, c)
	return c.ID
}

func (g *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, r.Method+" "+r.URL.Path)
	if got := r.Header.Get("Authorization"); got != "Bearer "+g.token {
		g.t.Errorf("%s %s: Authorization %q", r.Method, r.URL, got)
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v == "" {
		g.t.Errorf("%s %s: no X-GitHub-Api-Version", r.Method, r.URL)
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/user" && r.Method == http.MethodGet:
		if g.user == "" {
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"login":%q,"type":"User"}`, g.user)
		return
	case r.URL.Path == "/graphql" && r.Method == http.MethodPost:
		var q struct {
			Query string `json:"query"`
		}
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil || !strings.Contains(q.Query, "viewer") {
			g.t.Errorf("graphql query %q: %v", q.Query, err)
		}
		fmt.Fprintf(w, `{"data":{"viewer":{"login":%q}}}`, cmp.Or(g.viewer, g.user))
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if r.Method != http.MethodGet {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
			g.t.Errorf("%s %s: body %v %q", r.Method, r.URL, err, in.Body)
		}
	}
	switch m := patchPath.FindStringSubmatch(r.URL.Path); {
	case r.URL.Path == listPath && r.Method == http.MethodGet:
		if pp := r.URL.Query().Get("per_page"); pp != "100" {
			g.t.Errorf("per_page=%q, want 100", pp)
		}
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			page, _ = strconv.Atoi(p)
		}
		lo := min((page-1)*g.pageSize, len(g.comments))
		hi := min(lo+g.pageSize, len(g.comments))
		if hi < len(g.comments) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?per_page=100&page=%d>; rel="next"`, r.Host, listPath, page+1))
		}
		json.NewEncoder(w).Encode(g.comments[lo:hi])
	case r.URL.Path == listPath && r.Method == http.MethodPost:
		id := g.add(cmp.Or(g.viewer, g.user), in.Body)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(g.comments[len(g.comments)-1])
		_ = id
	case m != nil && r.Method == http.MethodPatch:
		id, _ := strconv.ParseInt(m[1], 10, 64)
		for i := range g.comments {
			if g.comments[i].ID == id {
				g.comments[i].Body = in.Body
				json.NewEncoder(w).Encode(g.comments[i])
				return
			}
		}
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	default:
		g.t.Errorf("unexpected call %s %s", r.Method, r.URL)
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

// own returns the comments of the token's identity (the bot, for
// GITHUB_TOKEN) whose first line is the marker.
func (g *fakeGitHub) own(marker string) []ghComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []ghComment
	for _, c := range g.comments {
		if first, _, _ := strings.Cut(c.Body, "\n"); first == marker && c.User.Login == cmp.Or(g.viewer, g.user) {
			out = append(out, c)
		}
	}
	return out
}

func (g *fakeGitHub) takeCalls() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	calls := g.calls
	g.calls = nil
	return calls
}

func (g *fakeGitHub) bodies() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	for _, c := range g.comments {
		b.WriteString(c.Body)
	}
	return b.String()
}

// webhooksYAML is the repository's configuration in the tests: the quick
// start's webhook, with a secret from the environment.
const webhooksYAML = `version: 1
accounts:
  - alias: demo
    accountId: 4c8f6a2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b
    environment: demo
configurations:
  - name: orders-completed
    urlToPublishTo: https://hooks.example.com/docusign/orders
    allUsers: true
    deliveryMode: SIM
    eventData: { version: restv2.1 }
    events: [envelope-sent, envelope-completed]
    allowEnvelopePublish: true
    enableLog: true
    includeHMAC: true
    password: ${env.LISTENER_PASSWORD}
`

// goBuildsConnectsync is a fake go for the install step: "go build -o PATH"
// puts there a connectsync that is this test binary (see TestMain), so the
// action's own install step runs without compiling anything. Under -race the
// binary would sleep a second at exit; atexit_sleep_ms=0 saves that.
func goBuildsConnectsync(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fake := fmt.Sprintf(`#!/usr/bin/env bash
[ "$1" = build ] || exit 3
while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done
printf '#!/bin/sh\nGORACE="${GORACE:+$GORACE }atexit_sleep_ms=0" %s=1 exec %%s "$@"\n' '%s' > "$out"
chmod +x "$out"
`, runMainEnv, self)
	return filepath.Dir(fakeBinary(t, "go", fake))
}

// actionRunner is the environment of a job that uses the action: the
// runner's variables, the repository checked out in ws, and a fake GitHub
// API for the comments.
type actionRunner struct {
	act     *compositeAction
	runner  map[string]string
	github  map[string]string
	summary string
}

func newActionRunner(t *testing.T, ws, apiURL, token string) *actionRunner {
	t.Helper()
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(t.TempDir(), "step_summary")
	return &actionRunner{
		act: loadAction(t),
		runner: map[string]string{
			"PATH":                goBuildsConnectsync(t) + string(os.PathListSeparator) + os.Getenv("PATH"),
			"CI":                  "true",
			"GITHUB_ACTIONS":      "true",
			"GITHUB_ACTION_PATH":  root,
			"GITHUB_STEP_SUMMARY": summary,
			"GITHUB_REPOSITORY":   fakeRepo,
			"GITHUB_SERVER_URL":   "https://github.com",
			"GITHUB_API_URL":      apiURL,
			"GITHUB_RUN_ID":       "4242",
			"GITHUB_WORKSPACE":    ws,
			"RUNNER_OS":           "Linux",
			"RUNNER_TEMP":         t.TempDir(),
		},
		github: map[string]string{
			"token":                             token,
			"sha":                               "fedcba9876543210fedcba9876543210fedcba98",
			"event.pull_request.number":         fakePR,
			"event.pull_request.head.sha":       "0123456789abcdef0123456789abcdef01234567",
			"event.pull_request.head.repo.fork": "false",
		},
		summary: summary,
	}
}

// uses runs the action as a workflow step: with its inputs, and env its
// step's env: (the secrets).
func (r *actionRunner) uses(t *testing.T, with, env map[string]string) actionRun {
	t.Helper()
	with = merge(map[string]string{"setup-go": "false", "working-directory": r.runner["GITHUB_WORKSPACE"]}, with)
	return r.act.run(t, merge(r.runner, env), r.github, with)
}

// planBody is a markdown plan without its marker line: what a comment
// holds under its own marker.
func planBody(md string) string {
	return strings.TrimSpace(strings.TrimPrefix(md, render.PlanMarker+"\n"))
}

// TestActionPlanApplyComment runs action.yml's steps the way the example
// workflows use them, against the sandbox and a fake GitHub API: validate;
// plan with a comment (changes); apply the saved plan; plan with a comment
// again (no changes: the same comment is edited); a failed plan (the comment
// says so); a tagged plan (its own comment). It checks the outputs, the job
// summary, the comments, and that no secret is ever printed or posted.
func TestActionPlanApplyComment(t *testing.T) {
	needNode(t)
	const secret = "listener-s3cret-c4nary"
	const token = "ghs_fakeT0kenNeverPrinted"

	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "connectsync"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "connectsync", "webhooks.yaml"), []byte(webhooksYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	gh := &fakeGitHub{t: t, token: token, pageSize: 2, viewer: "github-actions[bot]"}
	gh.add("alice", "Looks good to me.")
	// Someone else's comment that starts with the marker: never edited.
	const impostor = render.PlanMarker + "\n### connectsync plan\n\nNo changes. (written by mallory)"
	gh.add("mallory", impostor)
	gh.add("bob", "As the bot says:\n"+render.PlanMarker+"\nnothing else")
	stagingID := gh.add("github-actions[bot]", "<!-- connectsync:plan:staging -->\n### connectsync plan\n\nstaging")
	gh.add("carol", "One more thing.")
	gh.add("dave", "And another.")
	srv := httptest.NewServer(gh)
	defer srv.Close()
	r := newActionRunner(t, ws, srv.URL, token)
	secrets := map[string]string{"LISTENER_PASSWORD": secret}

	var printed strings.Builder // everything the steps printed or wrote
	uses := func(with, env map[string]string) actionRun {
		t.Helper()
		run := r.uses(t, merge(map[string]string{"files": "connectsync/"}, with), env)
		printed.WriteString(run.log)
		for _, k := range []string{"json", "markdown"} {
			if p := run.outputs[k]; p != "" {
				printed.WriteString(readFile(t, p))
			}
		}
		return run
	}
	check := func(name string, run actionRun, failed bool, outputs map[string]string) {
		t.Helper()
		if run.failed != failed {
			t.Fatalf("%s: failed = %v, want %v\n%s", name, run.failed, failed, run.log)
		}
		for k, want := range outputs {
			if got := run.outputs[k]; got != want {
				t.Fatalf("%s: output %s = %q, want %q\n%s", name, k, got, want, run.log)
			}
		}
	}

	// Pull request: validate, with placeholders for the secrets.
	v := uses(map[string]string{"command": "validate"}, map[string]string{"LISTENER_PASSWORD": "placeholder"})
	check("validate", v, false, map[string]string{"exitcode": "0", "has-changes": "false", "markdown": "", "comment-url": ""})
	var diag struct {
		Valid *bool `json:"valid"`
	}
	if err := json.Unmarshal([]byte(readFile(t, v.outputs["json"])), &diag); err != nil || diag.Valid == nil || !*diag.Valid {
		t.Errorf("validate json: %v %s", err, readFile(t, v.outputs["json"]))
	}
	if _, ran := v.steps["comment"]; ran {
		t.Error("validate without comment: true ran the comment step")
	}

	// Pull request: the first plan has changes, and the step still succeeds.
	p1 := uses(map[string]string{"command": "plan", "args": "--sandbox", "comment": "true"}, secrets)
	check("first plan", p1, false, map[string]string{"exitcode": "2", "has-changes": "true"})
	md1 := readFile(t, p1.outputs["markdown"])
	if !strings.HasPrefix(md1, render.PlanMarker+"\n") || !strings.Contains(md1, "orders-completed") {
		t.Errorf("first plan markdown:\n%s", md1)
	}
	if sum := readFile(t, r.summary); !strings.Contains(sum, md1) {
		t.Errorf("the job summary does not hold the markdown plan:\n%s", sum)
	}
	var doc struct {
		FormatVersion string `json:"format_version"`
	}
	if err := json.Unmarshal([]byte(readFile(t, p1.outputs["json"])), &doc); err != nil || doc.FormatVersion == "" {
		t.Errorf("saved plan: %v", err)
	}
	own := gh.own(render.PlanMarker)
	if len(own) != 1 || !strings.Contains(own[0].Body, planBody(md1)) {
		t.Fatalf("after the first plan, own comments = %+v", own)
	}
	id := own[0].ID
	if p1.outputs["comment-url"] != own[0].HTMLURL {
		t.Errorf("comment-url %q, want %q", p1.outputs["comment-url"], own[0].HTMLURL)
	}
	if !strings.Contains(own[0].Body, "commit `0123456`") || !strings.Contains(own[0].Body, "https://github.com/acme/webhooks/actions/runs/4242") {
		t.Errorf("the comment's footer names no commit or run:\n%s", own[0].Body)
	}
	wantCalls := []string{"GET /user", "POST /graphql", "GET " + listPath, "GET " + listPath, "GET " + listPath, "POST " + listPath}
	if calls := gh.takeCalls(); !slices.Equal(calls, wantCalls) {
		t.Errorf("first comment: calls %v, want %v: who the token is (GITHUB_TOKEN cannot GET /user: GraphQL's viewer), three pages listed, then a POST", calls, wantCalls)
	}

	// Merge: apply exactly the saved plan.
	a := uses(map[string]string{"command": "apply", "args": "--sandbox --plan " + p1.outputs["json"] + " --auto-approve"}, secrets)
	check("apply", a, false, map[string]string{"exitcode": "0", "has-changes": "false"})
	if md := readFile(t, a.outputs["markdown"]); !strings.HasPrefix(md, "<!-- connectsync:apply -->\n") || !strings.Contains(md, "created orders-completed") || !strings.Contains(readFile(t, r.summary), "### connectsync apply") {
		t.Errorf("apply markdown or summary:\n%s", md)
	}

	// The next plan has no changes; the comment is edited, not added.
	p2 := uses(map[string]string{"command": "plan", "args": "--sandbox", "comment": "true"}, secrets)
	check("second plan", p2, false, map[string]string{"exitcode": "0", "has-changes": "false"})
	own = gh.own(render.PlanMarker)
	md2 := readFile(t, p2.outputs["markdown"])
	if len(own) != 1 || own[0].ID != id || !strings.Contains(own[0].Body, planBody(md2)) || strings.Contains(own[0].Body, planBody(md1)) {
		t.Fatalf("after the second plan, own comments = %+v", own)
	}
	if calls := gh.takeCalls(); calls[len(calls)-1] != fmt.Sprintf("PATCH /repos/%s/issues/comments/%d", fakeRepo, id) {
		t.Errorf("second comment: calls %v, want a PATCH of comment %d", calls, id)
	}

	// A failed plan (an unknown account) fails the step and says so in the
	// same comment, without quoting the error. (A missing secret no longer
	// fails a plan: only apply needs secrets.)
	p3 := uses(map[string]string{"command": "plan", "args": "--sandbox --account no-such-alias", "comment": "true"}, secrets)
	check("failed plan", p3, true, map[string]string{"exitcode": "1", "has-changes": "false", "json": ""})
	if p3.steps["comment"].code != 0 {
		t.Errorf("the comment step did not run after the failed plan:\n%s", p3.log)
	}
	own = gh.own(render.PlanMarker)
	if len(own) != 1 || own[0].ID != id || !strings.Contains(own[0].Body, "The plan failed") || strings.Contains(own[0].Body, "no-such-alias") {
		t.Fatalf("after the failed plan, own comments = %+v", own)
	}

	// A tagged plan keeps its own comment: the staging one is edited.
	p4 := uses(map[string]string{"command": "plan", "args": "--sandbox", "comment": "true", "comment-tag": "staging"}, secrets)
	check("tagged plan", p4, false, map[string]string{"has-changes": "false"})
	staging := gh.own("<!-- connectsync:plan:staging -->")
	if len(staging) != 1 || staging[0].ID != stagingID || !strings.Contains(staging[0].Body, planBody(md2)) {
		t.Errorf("tagged comment: %+v", staging)
	}
	if own := gh.own(render.PlanMarker); len(own) != 1 || !strings.Contains(own[0].Body, "The plan failed") {
		t.Errorf("the tagged plan touched the untagged comment: %+v", own)
	}
	gh.mu.Lock()
	if n := len(gh.comments); n != 7 {
		t.Errorf("%d comments, want the 6 others and one plan comment", n)
	}
	if b := gh.comments[1].Body; b != impostor {
		t.Errorf("another author's comment starting with the marker was edited: %q", b)
	}
	if b := gh.comments[2].Body; !strings.HasPrefix(b, "As the bot says:") {
		t.Errorf("a human comment quoting the marker was edited: %q", b)
	}
	gh.mu.Unlock()

	for _, leak := range []string{secret, token} {
		for where, text := range map[string]string{"output": printed.String(), "summary": readFile(t, r.summary), "comments": gh.bodies()} {
			if strings.Contains(text, leak) {
				t.Errorf("the secret %q appears in the %s", leak, where)
			}
		}
	}
}

// TestActionAuditShards runs audit.yml's jobs through action.yml against
// the sandbox: two shards (drift, so has-changes, and the step succeeds),
// then audit merge over their reports with a glob. Each run adds its report
// to the job summary once.
func TestActionAuditShards(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	src, err := os.ReadFile("examples/multi-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "accounts.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	r := newActionRunner(t, ws, "http://127.0.0.1:1", "unused")
	secrets := map[string]string{"LISTENER_PASSWORD": "listener-s3cret"}
	for _, shard := range []string{"1", "2"} {
		run := r.uses(t, map[string]string{"command": "audit", "files": "accounts.yaml", "args": "--sandbox --shard " + shard + "/2"}, secrets)
		if run.failed || run.outputs["exitcode"] != "2" || run.outputs["has-changes"] != "true" {
			t.Fatalf("shard %s: failed %v, outputs %v\n%s", shard, run.failed, run.outputs, run.log)
		}
		if md := readFile(t, run.outputs["markdown"]); !strings.HasPrefix(md, render.AuditMarker+"\n") {
			t.Errorf("shard %s markdown:\n%s", shard, md)
		}
		// audit.yml: cp "$REPORT" "report-$SHARD.json", then upload/download.
		if err := os.MkdirAll(filepath.Join(ws, "reports"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, "reports", "report-"+shard+".json"), []byte(readFile(t, run.outputs["json"])), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := r.uses(t, map[string]string{"command": "audit merge", "args": "reports/report-*.json"}, nil)
	if run.failed || run.outputs["exitcode"] != "2" || run.outputs["has-changes"] != "true" {
		t.Fatalf("merge: failed %v, outputs %v\n%s", run.failed, run.outputs, run.log)
	}
	md := readFile(t, run.outputs["markdown"])
	for _, want := range []string{"acme-prod", "acme-eu", "acme-staging"} {
		if !strings.Contains(md, want) {
			t.Errorf("merged markdown has no %q:\n%s", want, md)
		}
	}
	var rep struct {
		Shards   []any `json:"shards"`
		Accounts []any `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(readFile(t, run.outputs["json"])), &rep); err != nil || len(rep.Shards) != 2 || len(rep.Accounts) != 3 {
		t.Errorf("merged json: %v, %d shards, %d accounts; want 2 and 3", err, len(rep.Shards), len(rep.Accounts))
	}
	if n := strings.Count(readFile(t, r.summary), render.AuditMarker); n != 3 {
		t.Errorf("the job summary holds %d audit reports, want 3 (two shards and the merge)", n)
	}
}

// TestActionValidateInvalid: errors become annotations, the step fails, and
// the json output still holds the diagnostics.
func TestActionValidateInvalid(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	// An unknown event on line 16 (a typo); the unset secret is only a warning.
	invalid := strings.Replace(webhooksYAML, "    password:", "    recipientEvents: [Sentt]\n    password:", 1)
	if err := os.WriteFile(filepath.Join(ws, "webhooks.yaml"), []byte(invalid), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newActionRunner(t, ws, "http://127.0.0.1:1", "unused")
	run := r.uses(t, map[string]string{"command": "validate", "files": "webhooks.yaml"}, nil)
	if !run.failed || run.outputs["exitcode"] != "1" || run.outputs["has-changes"] != "false" {
		t.Fatalf("failed %v, outputs %v\n%s", run.failed, run.outputs, run.log)
	}
	if !strings.Contains(run.steps["run"].stdout, "::error file=webhooks.yaml,line=16,col=23,") {
		t.Errorf("no annotation for the unknown event:\n%s", run.log)
	}
	if !strings.Contains(run.steps["run"].stdout, "::warning file=webhooks.yaml,line=17,col=15,") {
		t.Errorf("no warning for the unset ${env.LISTENER_PASSWORD}:\n%s", run.log)
	}
	var diag struct {
		Valid  bool `json:"valid"`
		Errors int  `json:"errors"`
	}
	if err := json.Unmarshal([]byte(readFile(t, run.outputs["json"])), &diag); err != nil || diag.Valid || diag.Errors != 1 {
		t.Errorf("json output: %v %+v", err, diag)
	}
}

// TestActionValidateAnnotationsFromRepositoryRoot: GitHub resolves an
// annotation's file= from the repository root, so with working-directory
// set the paths connectsync prints (relative to it) get that directory in
// front; the text output keeps them as connectsync wrote them.
func TestActionValidateAnnotationsFromRepositoryRoot(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	invalid := strings.Replace(webhooksYAML, "    password:", "    recipientEvents: [Sentt]\n    password:", 1)
	if err := os.MkdirAll(filepath.Join(ws, "infra", "connectsync"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "infra", "connectsync", "webhooks.yaml"), []byte(invalid), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "infra", "accounts.yaml"), []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newActionRunner(t, ws, "http://127.0.0.1:1", "unused")
	for _, tt := range []struct{ wd, files, want string }{
		{filepath.Join(ws, "infra"), "connectsync/webhooks.yaml", "::error file=infra/connectsync/webhooks.yaml,line=16,col=23,"},
		{filepath.Join(ws, "infra", "connectsync"), "webhooks.yaml", "::error file=infra/connectsync/webhooks.yaml,line=16,col=23,"},
		{filepath.Join(ws, "infra", "connectsync"), "../connectsync/webhooks.yaml", "::error file=infra/connectsync/webhooks.yaml,line=16,col=23,"},
		{filepath.Join(ws, "infra", "connectsync"), filepath.Join(ws, "infra", "connectsync", "webhooks.yaml"), "::error file=infra/connectsync/webhooks.yaml,line=16,col=23,"},
	} {
		run := r.uses(t, map[string]string{"command": "validate", "files": tt.files, "working-directory": tt.wd}, nil)
		out := run.steps["run"].stdout
		if !run.failed || !strings.Contains(out, tt.want) {
			t.Errorf("working-directory %s, files %s: want %q in\n%s", strings.TrimPrefix(tt.wd, ws), tt.files, tt.want, out)
		}
		if strings.Count(out, "::warning file=infra/connectsync/webhooks.yaml,line=17,") != 1 {
			t.Errorf("working-directory %s: the warning's path:\n%s", strings.TrimPrefix(tt.wd, ws), out)
		}
	}
}

// TestCommentErrors: a refused token gives a message that says what to fix
// and never the token; no pull request means no comment and no API call.
func TestCommentErrors(t *testing.T) {
	t.Parallel()
	node := needNode(t)
	md := filepath.Join(t.TempDir(), "plan.md")
	if err := os.WriteFile(md, []byte(render.PlanMarker+"\nplan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gh := &fakeGitHub{t: t, token: "the-right-token", pageSize: 100}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gh.mu.Lock()
		gh.calls = append(gh.calls, r.Method+" "+r.URL.Path)
		gh.mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
	}))
	defer srv.Close()
	env := map[string]string{
		"GITHUB_API_URL": srv.URL, "GITHUB_REPOSITORY": fakeRepo, "GITHUB_TOKEN": "ghs_secretTokenValue",
		"CONNECTSYNC_PR": fakePR, "CONNECTSYNC_MARKDOWN": md,
	}
	s := runStep(t, env, node, commentScript)
	if s.code != 1 || !strings.Contains(s.stdout, "pull-requests: write") || strings.Contains(s.stdout+s.stderr, "ghs_secretTokenValue") {
		t.Errorf("403: exit %d\n%s%s", s.code, s.stdout, s.stderr)
	}

	env["CONNECTSYNC_PR"] = ""
	gh.takeCalls()
	if s := runStep(t, env, node, commentScript); s.code != 0 || len(gh.takeCalls()) != 0 {
		t.Errorf("no pull request: exit %d\n%s%s", s.code, s.stdout, s.stderr)
	}

	env["CONNECTSYNC_PR"] = fakePR
	env["GITHUB_API_URL"] = "http://api.example.com"
	if s := runStep(t, env, node, commentScript); s.code != 1 || !strings.Contains(s.stdout, "not https") {
		t.Errorf("plain http to a remote host: exit %d\n%s%s", s.code, s.stdout, s.stderr)
	}
}

// fakeConnectsync stands in for connectsync where a test pins the exact
// arguments the action passes: it logs them, one [arg] each, and answers
// audit and audit merge as the real one does (exit 2: drift), but with a
// markdown report that lacks the marker line, which the action adds.
const fakeConnectsync = `#!/usr/bin/env bash
printf '[%s]' "$@" >> "$FAKE_LOG"; echo >> "$FAKE_LOG"
case "$1 $2" in
"audit merge")
	case " $* " in
	*" markdown "*) printf '### connectsync audit\n\nDrift in 1 account.\n' ;;
	*) printf '{"format_version":"1","merged":true}\n'; exit 2 ;;
	esac ;;
audit*) printf '{"format_version":"1","shard":true}\n'; exit 2 ;;
esac
exit 0
`

func fakeBinary(t *testing.T, name, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestActionAudit(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	for _, f := range []string{"reports/report-2.json", "reports/report-1.json", "reports/notes.txt"} {
		if err := os.MkdirAll(filepath.Join(ws, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := map[string]string{
		"CONNECTSYNC":             fakeBinary(t, "connectsync", fakeConnectsync),
		"RUNNER_TEMP":             t.TempDir(),
		"INPUT_WORKING_DIRECTORY": ws,
	}
	tests := []struct {
		name     string
		inputs   map[string]string
		wantCode int
		wantLog  []string // argv of each connectsync run; JSON stands for the json output
	}{{
		name:   "shard",
		inputs: map[string]string{"INPUT_COMMAND": "audit", "INPUT_FILES": "connectsync/", "INPUT_ARGS": "--shard 2/4"},
		wantLog: []string{
			"[audit][--format][json][--detailed-exitcode][-f][connectsync/][--shard][2/4]",
			"[audit][merge][JSON][--format][markdown]",
		},
	}, {
		name:     "shard, fail on drift",
		inputs:   map[string]string{"INPUT_COMMAND": "audit", "INPUT_ARGS": "--shard 1/4", "INPUT_FAIL_ON_CHANGES": "true"},
		wantCode: 2,
		wantLog: []string{
			"[audit][--format][json][--detailed-exitcode][--shard][1/4]",
			"[audit][merge][JSON][--format][markdown]",
		},
	}, {
		name:   "merge",
		inputs: map[string]string{"INPUT_COMMAND": "audit merge", "INPUT_FILES": "ignored.yaml", "INPUT_ARGS": "reports/report-*.json"},
		wantLog: []string{
			"[audit][merge][--format][json][--detailed-exitcode][reports/report-1.json][reports/report-2.json]",
			"[audit][merge][--format][markdown][reports/report-1.json][reports/report-2.json]",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "argv")
			s := runStep(t, merge(base, tt.inputs, map[string]string{"FAKE_LOG": log}), "bash", actionScript, "run")
			if s.code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", s.code, tt.wantCode, s.stdout, s.stderr)
			}
			if s.outputs["exitcode"] != "2" || s.outputs["has-changes"] != "true" {
				t.Errorf("outputs %v", s.outputs)
			}
			if j := readFile(t, s.outputs["json"]); !strings.Contains(j, `"format_version"`) {
				t.Errorf("json output holds %q", j)
			}
			if md := readFile(t, s.outputs["markdown"]); md != "<!-- connectsync:audit -->\n### connectsync audit\n\nDrift in 1 account.\n" {
				t.Errorf("markdown output holds %q", md)
			}
			got := strings.ReplaceAll(readFile(t, log), s.outputs["json"], "JSON")
			if want := strings.Join(tt.wantLog, "\n") + "\n"; got != want {
				t.Errorf("connectsync ran as\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestActionInputsAreNotEvaluated: inputs are split into words and nothing
// else, so no input can run a command.
func TestActionInputsAreNotEvaluated(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	log := filepath.Join(t.TempDir(), "argv")
	s := runStep(t, map[string]string{
		"CONNECTSYNC":             fakeBinary(t, "connectsync", fakeConnectsync),
		"FAKE_LOG":                log,
		"RUNNER_TEMP":             t.TempDir(),
		"INPUT_WORKING_DIRECTORY": ws,
		"INPUT_COMMAND":           "version",
		"INPUT_ARGS":              "$(touch pwned1) `touch pwned2` ;touch pwned3 \"$HOME\" nomatch-*.yaml",
	}, "bash", actionScript, "run")
	if s.code != 0 || s.outputs["exitcode"] != "0" || s.outputs["has-changes"] != "false" || s.outputs["json"] != "" {
		t.Errorf("exit %d, outputs %v\n%s", s.code, s.outputs, s.stderr)
	}
	want := "[version][$(touch][pwned1)][`touch][pwned2`][;touch][pwned3][\"$HOME\"][nomatch-*.yaml]\n"
	if got := readFile(t, log); got != want {
		t.Errorf("connectsync ran as\n%s\nwant\n%s", got, want)
	}
	if m, _ := filepath.Glob(filepath.Join(ws, "pwned*")); len(m) > 0 {
		t.Errorf("an input ran a command: %v", m)
	}
}

// fakeGo logs how the install step calls go and writes a stand-in binary
// where go build -o or go install (GOBIN) would.
const fakeGo = `#!/usr/bin/env bash
printf 'cwd=%s GOBIN=%s ' "$PWD" "${GOBIN:-}" >> "$FAKE_LOG"; printf '[%s]' "$@" >> "$FAKE_LOG"; echo >> "$FAKE_LOG"
out=
case $1 in
build) while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done ;;
install) out=$GOBIN/connectsync ;;
*) exit 3 ;;
esac
printf '#!/bin/sh\necho "connectsync fake (commit fake)"\n' > "$out"; chmod +x "$out"
`

// TestActionBuild: the install step's answer when connectsync must be built
// (a branch or commit ref, version: local, a module version), then the build
// step. The release downloads are in action_release_test.go.
func TestActionBuild(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	goDir := filepath.Dir(fakeBinary(t, "go", fakeGo))
	// Where a runner puts the action for uses: connectsync/connectsync@SHA.
	const sha = "0123456789abcdef0123456789abcdef01234567"
	downloaded := filepath.Join(t.TempDir(), "_actions", "connectsync", "connectsync", sha)
	if err := os.MkdirAll(downloaded, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "main.go"} {
		if err := os.WriteFile(filepath.Join(downloaded, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// sourceBuild is how the build step runs go for a source build in dir.
	sourceBuild := func(dir, version string) string {
		return "cwd=" + dir + " GOBIN= [build][-trimpath][-buildvcs=false][-tags][urfave_cli_no_docs][-ldflags][-X github.com/connectsync/connectsync/pkg/cli.Version=" + version +
			" -X github.com/connectsync/connectsync/pkg/cli.Commit=COMMIT][-o][TEMP/connectsync-bin/connectsync][.]"
	}
	tests := []struct {
		name      string
		env       map[string]string
		wantBuild string // install's build output
		wantErr   string
		wantLog   string // with RUNNER_TEMP written as TEMP and the source as SRC
	}{{
		name:      "a branch: the action's source",
		env:       map[string]string{"INPUT_VERSION": "", "GITHUB_ACTION_PATH": root, "ACTION_REF": "main"},
		wantBuild: "source",
		wantLog:   sourceBuild("SRC", "main"),
	}, {
		name:      "a commit, read from the action's path when github.action_ref is empty",
		env:       map[string]string{"INPUT_VERSION": "", "GITHUB_ACTION_PATH": downloaded, "ACTION_REF": ""},
		wantBuild: "source",
		wantLog:   sourceBuild("ACT", sha),
	}, {
		name:      "uses: ./ (no ref)",
		env:       map[string]string{"INPUT_VERSION": "", "GITHUB_ACTION_PATH": root, "ACTION_REF": ""},
		wantBuild: "source",
		wantLog:   sourceBuild("SRC", "local"),
	}, {
		name:      "local, as uses: ./ has no ref",
		env:       map[string]string{"INPUT_VERSION": "local", "GITHUB_ACTION_PATH": root, "ACTION_REF": "v1.2.3"},
		wantBuild: "source",
		wantLog:   sourceBuild("SRC", "v1.2.3"),
	}, {
		name:      "a module version",
		env:       map[string]string{"INPUT_VERSION": "latest"},
		wantBuild: "module",
		wantLog:   "cwd=CWD GOBIN=TEMP/connectsync-bin [install][github.com/connectsync/connectsync@latest]",
	}, {
		name:    "not a version",
		env:     map[string]string{"INPUT_VERSION": "v1;rm -rf /"},
		wantErr: "is not a module version",
	}, {
		name:      "no source to build",
		env:       map[string]string{"INPUT_VERSION": ""},
		wantBuild: "source",
		wantErr:   "holds no connectsync source",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			temp, log := t.TempDir(), filepath.Join(t.TempDir(), "go.log")
			ghPath := filepath.Join(t.TempDir(), "github_path")
			dir := t.TempDir()
			env := merge(tt.env, map[string]string{"RUNNER_TEMP": temp, "FAKE_LOG": log, "GITHUB_PATH": ghPath,
				"PATH": goDir + string(os.PathListSeparator) + os.Getenv("PATH")})
			step := func(mode string, extra map[string]string) (step, string) {
				cmd := exec.Command("bash", filepath.Join(root, actionScript), mode)
				cmd.Dir = dir
				out := filepath.Join(t.TempDir(), "github_output")
				if err := os.WriteFile(out, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				cmd.Env = []string{"GITHUB_OUTPUT=" + out}
				for k, v := range merge(env, extra) {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
				b, err := cmd.CombinedOutput()
				s := step{stdout: string(b)}
				if ee, ok := err.(*exec.ExitError); ok {
					s.code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				s.outputs = readOutputs(t, out)
				return s, string(b)
			}
			inst, out := step("install", nil)
			if tt.wantBuild == "" {
				if inst.code == 0 || !strings.Contains(out, tt.wantErr) {
					t.Errorf("install: exit %d, output\n%s\nwant %q", inst.code, out, tt.wantErr)
				}
				return
			}
			if inst.code != 0 || inst.outputs["build"] != tt.wantBuild || inst.outputs["path"] != "" {
				t.Fatalf("install: exit %d, outputs %v, want build=%s\n%s", inst.code, inst.outputs, tt.wantBuild, out)
			}
			b, out := step("build", map[string]string{"BUILD": inst.outputs["build"]})
			if tt.wantErr != "" {
				if b.code == 0 || !strings.Contains(out, tt.wantErr) {
					t.Errorf("build: exit %d, output\n%s\nwant %q", b.code, out, tt.wantErr)
				}
				if _, err := os.Stat(log); err == nil {
					t.Errorf("go ran: %s", readFile(t, log))
				}
				return
			}
			if b.code != 0 {
				t.Fatalf("build: exit %d\n%s", b.code, out)
			}
			got := readFile(t, log)
			got = strings.ReplaceAll(got, temp, "TEMP")
			got = strings.ReplaceAll(got, downloaded, "ACT")
			got = strings.ReplaceAll(got, root, "SRC")
			got = strings.ReplaceAll(got, dir, "CWD")
			got = regexp.MustCompile(`Commit=[0-9a-z]+`).ReplaceAllString(got, "Commit=COMMIT")
			if got != tt.wantLog+"\n" {
				t.Errorf("go ran as\n%s\nwant\n%s", got, tt.wantLog)
			}
			bin := filepath.Join(temp, "connectsync-bin", "connectsync")
			if b.outputs["path"] != bin {
				t.Errorf("outputs %v, want path=%s", b.outputs, bin)
			}
			if p := readFile(t, ghPath); p != filepath.Dir(bin)+"\n" {
				t.Errorf("GITHUB_PATH holds %q", p)
			}
			if !strings.Contains(out, "connectsync fake") {
				t.Errorf("the installed binary did not run:\n%s", out)
			}
		})
	}
}

// TestActionAuditKeepsReportOfFailedAccount: audit exits 1 when an account
// cannot be read, but its report still holds the others, so the action keeps
// it (a merge of shards must not lose a whole shard to one account).
func TestActionAuditKeepsReportOfFailedAccount(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	// The sandbox's seeded account Hooli is one its user cannot reach.
	files := webhooksYAML[:strings.Index(webhooksYAML, "configurations:")] +
		"  - { alias: hooli, accountId: f5a6b7c8-d9e0-4fb3-8a4b-5c6d7e8f9a0b }\n" +
		webhooksYAML[strings.Index(webhooksYAML, "configurations:"):]
	if err := os.WriteFile(filepath.Join(ws, "webhooks.yaml"), []byte(files), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newActionRunner(t, ws, "http://127.0.0.1:1", "unused")
	run := r.uses(t, map[string]string{"command": "audit", "files": "webhooks.yaml", "args": "--sandbox"},
		map[string]string{"LISTENER_PASSWORD": "listener-s3cret"})
	if !run.failed || run.outputs["exitcode"] != "1" {
		t.Fatalf("want a failed step with exit code 1: failed %v, outputs %v\n%s", run.failed, run.outputs, run.log)
	}
	var rep struct {
		Accounts []struct {
			Alias string `json:"alias"`
			Error string `json:"error"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(readFile(t, run.outputs["json"])), &rep); err != nil || len(rep.Accounts) != 2 {
		t.Fatalf("json output %q: %v, %d accounts; want both", run.outputs["json"], err, len(rep.Accounts))
	}
	if md := readFile(t, run.outputs["markdown"]); !strings.Contains(md, "hooli") || !strings.Contains(md, "demo") {
		t.Errorf("markdown lacks an account:\n%s", md)
	}
}

// TestCommentAuthorFromUserToken: with a user's token (GET /user answers),
// the comment is that user's; the bot's comment with the same marker is
// someone else's and stays as it is.
func TestCommentAuthorFromUserToken(t *testing.T) {
	t.Parallel()
	node := needNode(t)
	md := filepath.Join(t.TempDir(), "plan.md")
	if err := os.WriteFile(md, []byte(render.PlanMarker+"\nthe new plan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gh := &fakeGitHub{t: t, token: "a-user-token", pageSize: 100, user: "ci-bot"}
	botID := gh.add("github-actions[bot]", render.PlanMarker+"\nthe bot's plan")
	mineID := gh.add("CI-Bot", render.PlanMarker+"\nmy old plan") // logins compare without case
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := map[string]string{
		"GITHUB_API_URL": srv.URL, "GITHUB_REPOSITORY": fakeRepo, "GITHUB_TOKEN": "a-user-token",
		"CONNECTSYNC_PR": fakePR, "CONNECTSYNC_MARKDOWN": md,
	}
	if s := runStep(t, env, node, commentScript); s.code != 0 {
		t.Fatalf("exit %d\n%s%s", s.code, s.stdout, s.stderr)
	}
	gh.mu.Lock()
	defer gh.mu.Unlock()
	if len(gh.comments) != 2 || gh.comments[0].ID != botID || gh.comments[0].Body != render.PlanMarker+"\nthe bot's plan" {
		t.Errorf("the bot's comment changed: %+v", gh.comments)
	}
	if gh.comments[1].ID != mineID || !strings.Contains(gh.comments[1].Body, "the new plan") {
		t.Errorf("the token's own comment was not updated: %+v", gh.comments)
	}
	if want := []string{"GET /user", "GET " + listPath, fmt.Sprintf("PATCH /repos/%s/issues/comments/%d", fakeRepo, mineID)}; !slices.Equal(gh.calls, want) {
		t.Errorf("calls %v, want %v", gh.calls, want)
	}
}

// TestActionScriptShellcheck runs shellcheck over the action's script
// (actionlint checks the run: blocks of the workflows, not this file).
func TestActionScriptShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; .ci/run installs it")
		}
		t.Skip("shellcheck is not installed")
	}
	if out, err := exec.Command(sc, "--shell=bash", actionScript).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s", actionScript, err, out)
	}
}
