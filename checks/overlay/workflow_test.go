package overlay

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const wfRel = ".github/workflows/ci.yml"

// lc renders a position as line:col for compact assertions.
func lc(p Pos) string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

func mustParseWorkflow(t *testing.T, src string) *Workflow {
	t.Helper()
	wf, errs := ParseWorkflow(wfRel, []byte(src))
	if len(errs) > 0 {
		t.Fatalf("ParseWorkflow: unexpected errors:\n%v", errs)
	}
	return wf
}

func jobByID(t *testing.T, wf *Workflow, id string) *Job {
	t.Helper()
	for _, j := range wf.Jobs {
		if j.ID.Value == id {
			return j
		}
	}
	t.Fatalf("no job %q", id)
	return nil
}

const realisticWorkflow = `# CI for the overlay: validation runs on the shared Nix lane.
name: validate
"on":
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  id-token: write

env:
  GF_CORE_REF: 637b7167c400a842cdc7af0709b2251c0542a48a
  CACHE_TOKEN: ${{ secrets.ATTIC_TOKEN }}

jobs:
  build:
    name: Build (${{ matrix.lane }})
    runs-on: ${{ matrix.runner }}
    strategy:
      fail-fast: false
      matrix:
        runner: [tinyland-nix, tinyland-docker]
        lane:
          - nix
          - docker
        include:
          - runner: tinyland-nix-heavy
            lane: heavy
        exclude:
          - runner: tinyland-docker
            lane: nix
    steps:
      - uses: actions/checkout@v4
        with:
          repository: tinyland-inc/GloriousFlywheel
          ref: ${{ env.GF_CORE_REF }}
          token: ${{ secrets.GF_CORE_READ_TOKEN }}
      - name: Build
        env:
          DEPLOY_KEY: ${{ secrets['GF_CORE_DEPLOY_KEY'] }}
        run: |
          echo "building"
          nix build --option extra-substituters "${{ secrets.ATTIC_URL }}"
  lint:
    runs-on: [self-hosted, linux, tinyland-nix]
    if: github.event_name == 'push' && secrets.LINT_KEY != ''
    environment:
      name: production
      url: https://example.test
    permissions: write-all
    steps:
      - run: echo lint
  grouped:
    runs-on:
      group: tinyland-runners
      labels: [tinyland-nix-kvm]
    environment: staging
    steps: [{run: "echo ${{ secrets.GROUP_KEY }}"}]
  call:
    uses: ./.github/workflows/reusable.yml
    secrets: inherit
`

func TestParseWorkflowRealistic(t *testing.T) {
	wf := mustParseWorkflow(t, realisticWorkflow)
	if wf.Name.Value != "validate" || wf.File != wfRel {
		t.Errorf("name/file = %q/%q", wf.Name.Value, wf.File)
	}
	var events []string
	for _, e := range wf.On {
		events = append(events, e.Name.Value+"@"+lc(e.Name.Pos))
	}
	if want := []string{"push@4:3", "pull_request@6:3", "workflow_dispatch@7:3"}; !reflect.DeepEqual(events, want) {
		t.Errorf("On = %v, want %v", events, want)
	}
	if wf.Permissions == nil || wf.Permissions.Scopes["id-token"].Value != "write" || lc(wf.Permissions.Scopes["id-token"].Pos) != "11:13" {
		t.Errorf("workflow permissions = %+v", wf.Permissions)
	}
	if wf.Env["GF_CORE_REF"].Value != "637b7167c400a842cdc7af0709b2251c0542a48a" {
		t.Errorf("env = %+v", wf.Env)
	}

	build := jobByID(t, wf, "build")
	if got := build.RunsOn.Labels; len(got) != 1 || got[0].Value != "${{ matrix.runner }}" || lc(got[0].Pos) != "20:14" {
		t.Errorf("build runs-on = %+v", got)
	}
	mx := build.Matrix
	if mx == nil {
		t.Fatal("build has no matrix")
	}
	axis := func(name string) []string {
		var out []string
		for _, v := range mx.Axes[name] {
			out = append(out, v.Value+"@"+lc(v.Pos))
		}
		return out
	}
	if got, want := axis("runner"), []string{"tinyland-nix@24:18", "tinyland-docker@24:32"}; !reflect.DeepEqual(got, want) {
		t.Errorf("runner axis = %v, want %v", got, want)
	}
	if got, want := axis("lane"), []string{"nix@26:13", "docker@27:13"}; !reflect.DeepEqual(got, want) {
		t.Errorf("lane axis = %v, want %v", got, want)
	}
	if len(mx.Include) != 1 || mx.Include[0]["runner"].Value != "tinyland-nix-heavy" || lc(mx.Include[0]["runner"].Pos) != "29:21" {
		t.Errorf("include = %+v", mx.Include)
	}
	if len(mx.Exclude) != 1 || mx.Exclude[0]["lane"].Value != "nix" {
		t.Errorf("exclude = %+v", mx.Exclude)
	}
	if len(build.Steps) != 2 || build.Steps[0].Uses.Value != "actions/checkout@v4" ||
		build.Steps[0].With["repository"].Value != "tinyland-inc/GloriousFlywheel" || lc(build.Steps[0].Pos) != "35:9" {
		t.Errorf("steps = %+v", build.Steps)
	}
	// Workflow-level env references are kept once, on the workflow.
	assertRefs(t, "workflow", wf.SecretRefs, []string{"ATTIC_TOKEN@15:20"})
	assertRefs(t, "build", build.SecretRefs, []string{
		"GF_CORE_READ_TOKEN@39:22",
		"GF_CORE_DEPLOY_KEY@42:27",
		"ATTIC_URL@45:54", // inside the literal block scalar, on its own line
	})

	lint := jobByID(t, wf, "lint")
	var labels []string
	for _, l := range lint.RunsOn.Labels {
		labels = append(labels, l.Value+"@"+lc(l.Pos))
	}
	if want := []string{"self-hosted@47:15", "linux@47:28", "tinyland-nix@47:35"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("lint labels = %v, want %v", labels, want)
	}
	if lint.If.Value != "github.event_name == 'push' && secrets.LINT_KEY != ''" {
		t.Errorf("lint if = %q", lint.If.Value)
	}
	if lint.Environment.Value != "production" || !lint.Environment.Set || lc(lint.Environment.Pos) != "50:13" {
		t.Errorf("lint environment = %+v", lint.Environment)
	}
	if lint.Permissions == nil || lint.Permissions.Shorthand.Value != "write-all" || lc(lint.Permissions.Pos) != "52:18" {
		t.Errorf("lint permissions = %+v", lint.Permissions)
	}
	// A bare if: is an expression: its secrets reference counts.
	assertRefs(t, "lint", lint.SecretRefs, []string{"LINT_KEY@48:40"})

	grouped := jobByID(t, wf, "grouped")
	if grouped.RunsOn.Group.Value != "tinyland-runners" || lc(grouped.RunsOn.Group.Pos) != "57:14" ||
		len(grouped.RunsOn.Labels) != 1 || lc(grouped.RunsOn.Labels[0].Pos) != "58:16" {
		t.Errorf("grouped runs-on = %+v", grouped.RunsOn)
	}
	if grouped.Environment.Value != "staging" {
		t.Errorf("grouped environment = %+v", grouped.Environment)
	}
	assertRefs(t, "grouped", grouped.SecretRefs, []string{"GROUP_KEY@60:29"})

	call := jobByID(t, wf, "call")
	if call.Uses.Value != "./.github/workflows/reusable.yml" || call.RunsOn.Set {
		t.Errorf("call = %+v", call)
	}
	// secrets: inherit is a (dynamic) reference.
	assertRefs(t, "call", call.SecretRefs, []string{"@63:14"})
}

func assertRefs(t *testing.T, job string, refs []SecretRef, want []string) {
	t.Helper()
	var got []string
	for _, r := range refs {
		got = append(got, r.Name+"@"+lc(r.Pos))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s secret refs = %v, want %v", job, got, want)
	}
}

func TestParseWorkflowForms(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// check renders the parsed thing under test as a string.
		check func(*Workflow) string
		want  string
	}{
		{"on string", "on: push\njobs: {a: {runs-on: tinyland-nix}}\n", events, "push@1:5"},
		{"on list", "on: [push, pull_request_target]\njobs: {a: {runs-on: tinyland-nix}}\n", events, "push@1:6 pull_request_target@1:12"},
		{"on map with null and config", "on:\n  pull_request_target:\n    types: [labeled]\n  schedule:\n    - cron: '0 0 * * *'\njobs: {a: {runs-on: x}}\n", events, "pull_request_target@2:3 schedule@4:3"},
		{"runs-on string", "on: push\njobs:\n  a:\n    runs-on: tinyland-nix\n", labelsOf("a"), "tinyland-nix@4:14"},
		{"runs-on quoted", "on: push\njobs:\n  a:\n    runs-on: 'tinyland-nix'\n", labelsOf("a"), "tinyland-nix@4:14"},
		{"runs-on block list", "on: push\njobs:\n  a:\n    runs-on:\n      - self-hosted\n      - tinyland-nix\n", labelsOf("a"), "self-hosted@5:9 tinyland-nix@6:9"},
		{"runs-on group with label string", "on: push\njobs:\n  a:\n    runs-on: {group: g, labels: tinyland-nix}\n", labelsOf("a"), "group=g@4:22 tinyland-nix@4:33"},
		{"runs-on group only", "on: push\njobs:\n  a:\n    runs-on:\n      group: arc\n", labelsOf("a"), "group=arc@5:14"},
		{"runs-on expression in list", "on: push\njobs:\n  a:\n    runs-on: [self-hosted, '${{ matrix.lane }}']\n", labelsOf("a"), "self-hosted@4:15 ${{ matrix.lane }}@4:28"},
		{"runs-on through anchor", "on: push\njobs:\n  a:\n    runs-on: &r [tinyland-nix]\n  b:\n    runs-on: *r\n", labelsOf("b"), "tinyland-nix@4:18"},
		{"matrix expression", "on: push\njobs:\n  a:\n    runs-on: ${{ matrix.r }}\n    strategy:\n      matrix: ${{ fromJSON(needs.s.outputs.m) }}\n", matrixOf("a"), "expr=${{ fromJSON(needs.s.outputs.m) }}@6:15"},
		{"matrix axis expression", "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        os: ${{ fromJSON(inputs.os) }}\n        v: [1, 2]\n", matrixOf("a"), "os=[${{ fromJSON(inputs.os) }}@7:13] v=[1@8:13 2@8:16]"},
		{"matrix include expression", "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        include: ${{ fromJSON(inputs.rows) }}\n", matrixOf("a"), "expr=${{ fromJSON(inputs.rows) }}@7:18"},
		{"matrix object values flattened", "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        config:\n          - {runner: tinyland-nix, os: linux}\n          - {runner: [a, b]}\n", matrixOf("a"),
			"config=[<placeholder>@8:13 <placeholder>@9:13] config.os=[linux@8:40] config.runner=[tinyland-nix@8:22 <placeholder>@9:22]"},
		{"environment expression", "on: push\njobs:\n  a:\n    runs-on: x\n    environment: ${{ inputs.env }}\n", envOf("a"), "${{ inputs.env }}@5:18"},
		{"environment map without name", "on: push\njobs:\n  a:\n    runs-on: x\n    environment:\n      url: https://x\n", envOf("a"), "set@5:5"},
		{"permissions empty map", "on: push\npermissions: {}\njobs: {a: {runs-on: x}}\n", func(w *Workflow) string {
			return fmt.Sprintf("%q %d", w.Permissions.Shorthand.Value, len(w.Permissions.Scopes))
		}, `"" 0`},
		{"bool if", "on: push\njobs:\n  a:\n    runs-on: x\n    if: false\n", func(w *Workflow) string { return w.Jobs[0].If.Value }, "false"},
		{"merge key in job", "on: push\nx-base: &base\n  runs-on: tinyland-nix\n  env: {K: '${{ secrets.K }}'}\njobs:\n  a:\n    <<: *base\n    steps: [{run: echo}]\n", func(w *Workflow) string {
			return labelsOf("a")(w) + " " + refsOf(w.Jobs[0])
		}, "tinyland-nix@3:12 K@4:17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := mustParseWorkflow(t, tt.src)
			if got := tt.check(wf); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func events(w *Workflow) string {
	var out []string
	for _, e := range w.On {
		out = append(out, e.Name.Value+"@"+lc(e.Name.Pos))
	}
	return strings.Join(out, " ")
}

func findJob(w *Workflow, id string) *Job {
	for _, j := range w.Jobs {
		if j.ID.Value == id {
			return j
		}
	}
	return nil
}

func labelsOf(id string) func(*Workflow) string {
	return func(w *Workflow) string {
		j := findJob(w, id)
		if j == nil {
			return "no job " + id
		}
		var out []string
		if j.RunsOn.Group.Set {
			out = append(out, "group="+j.RunsOn.Group.Value+"@"+lc(j.RunsOn.Group.Pos))
		}
		for _, l := range j.RunsOn.Labels {
			out = append(out, l.Value+"@"+lc(l.Pos))
		}
		return strings.Join(out, " ")
	}
}

func matrixOf(id string) func(*Workflow) string {
	return func(w *Workflow) string {
		j := findJob(w, id)
		if j == nil || j.Matrix == nil {
			return "no matrix"
		}
		var out []string
		if j.Matrix.Expr.Set {
			out = append(out, "expr="+j.Matrix.Expr.Value+"@"+lc(j.Matrix.Expr.Pos))
		}
		keys := make([]string, 0, len(j.Matrix.Axes))
		for k := range j.Matrix.Axes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var vs []string
			for _, v := range j.Matrix.Axes[k] {
				s := v.Value
				if !v.Set {
					s = "<placeholder>"
				}
				vs = append(vs, s+"@"+lc(v.Pos))
			}
			out = append(out, k+"=["+strings.Join(vs, " ")+"]")
		}
		return strings.Join(out, " ")
	}
}

func envOf(id string) func(*Workflow) string {
	return func(w *Workflow) string {
		e := findJob(w, id).Environment
		if e.Value == "" && e.Set {
			return "set@" + lc(e.Pos)
		}
		return e.Value + "@" + lc(e.Pos)
	}
}

func refsOf(j *Job) string {
	var out []string
	for _, r := range j.SecretRefs {
		out = append(out, r.Name+"@"+lc(r.Pos))
	}
	return strings.Join(out, " ")
}

// TestSecretRefPositions pins the position mapping from a value offset back to the file for
// every scalar style.
func TestSecretRefPositions(t *testing.T) {
	tests := []struct {
		name, step, want string
	}{
		{"plain", "run: echo ${{ secrets.A }}", "A@5:23"},
		{"double quoted", `run: "echo \"${{ secrets.A }}\""`, "A@5:26"},
		{"single quoted index", `run: 'echo ${{ secrets[''A''] }}'`, "A@5:24"},
		{"literal block", "run: |\n          echo one\n            echo ${{ secrets.A }} ${{ secrets.B }}", "A@7:22 B@7:39"},
		{"literal block comment on indicator", "run: | # needs secrets.X\n          echo ${{ secrets.A }}", "A@6:20"},
		{"folded block", "run: >-\n          echo one\n          two ${{ secrets.A }}", "A@7:19"},
		{"plain multi-line", "run: echo one\n          ${{ secrets.A }}", "A@6:15"},
		{"secrets word outside expression first", "run: |\n          # rotate secrets yearly\n          echo ${{ secrets.A }}", "A@7:20"},
		{"escape spelling the word falls back", `run: "${{ \x73ecrets.A }}"`, "A@5:14"},
		{"toJSON(secrets)", "run: echo '${{ toJSON(secrets) }}'", "@5:31"},
		{"non-ASCII before the reference (byte columns)", "run: echo é ${{ secrets.A }}", "A@5:26"},
		{"non-ASCII before the scalar", "{name: é, run: '${{ secrets.A }}'}", "A@5:30"},
		{"step if without braces", "if: secrets.A != ''\n        run: echo", "A@5:13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The step starts on line 5, column 9 ("      - " is eight characters).
			full := "on: push\njobs:\n  a:\n    steps:\n      - " + tt.step + "\n    runs-on: x\n"
			wf := mustParseWorkflow(t, full)
			if got := refsOf(wf.Jobs[0]); got != tt.want {
				t.Errorf("refs = %s, want %s\nfile:\n%s", got, tt.want, numbered(full))
			}
		})
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%3d| %s\n", i+1, l)
	}
	return b.String()
}

func TestParseWorkflowInputErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line:col kind: message substring"
	}{
		{"empty", "", []string{"0:0 empty: file is empty"}},
		{"comments only", "# nothing here\n", []string{"0:0 empty: no YAML document"}},
		{"garbage", "\x00\x01\x02", []string{"1:1 encoding: NUL byte"}},
		{"not yaml", "on: [push\njobs: {", []string{"syntax: invalid YAML"}},
		{"scalar document", "just text\n", []string{"1:1 type: workflow: expected a mapping"}},
		{"no on", "jobs: {a: {runs-on: x}}\n", []string{"0:0 type: workflow has no on: section"}},
		{"on number", "on: 5\njobs: {a: {runs-on: x}}\n", []string{"1:5 type: on: expected an event name"}},
		{"no jobs", "on: push\n", []string{"0:0 type: workflow has no jobs: section"}},
		{"jobs list", "on: push\njobs:\n  - runs-on: x\n", []string{"3:3 type: jobs: expected a mapping of job ids to jobs, got a list"}},
		{"jobs empty", "on: push\njobs: {}\n", []string{"2:7 type: jobs: defines no job"}},
		{"job scalar", "on: push\njobs:\n  a: tinyland-nix\n", []string{"3:6 type: jobs.a: expected a mapping"}},
		{"runs-on number", "on: push\njobs:\n  a:\n    runs-on: 42\n", []string{"4:14 type: jobs.a.runs-on: expected a runner label, a list of labels or a mapping with group:/labels:, got the number 42"}},
		{"runs-on null", "on: push\njobs:\n  a:\n    runs-on:\n", []string{"4:13 type: jobs.a.runs-on: expected a runner label"}},
		{"runs-on list item bool", "on: push\njobs:\n  a:\n    runs-on: [self-hosted, true]\n", []string{"4:28 type: jobs.a.runs-on[1]: expected a runner label, got the boolean true"}},
		{"runs-on mapping without group or labels", "on: push\njobs:\n  a:\n    runs-on: {label: x}\n", []string{"4:14 type: jobs.a.runs-on: expected group: and/or labels:"}},
		{"runs-on labels mapping", "on: push\njobs:\n  a:\n    runs-on: {labels: {a: b}}\n", []string{"4:23 type: jobs.a.runs-on.labels: expected a runner label or a list"}},
		{"duplicate job", "on: push\njobs:\n  a:\n    runs-on: x\n  a:\n    runs-on: y\n", []string{"5:3 duplicate: duplicate key \"a\" (first given at line 3)"}},
		{"duplicate runs-on", "on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n", []string{"5:5 duplicate: duplicate key \"runs-on\""}},
		{"permissions bad shorthand", "on: push\npermissions: write\njobs: {a: {runs-on: x}}\n", []string{"2:14 type: permissions: expected read-all, write-all or a mapping"}},
		{"permissions bad level", "on: push\njobs:\n  a:\n    runs-on: x\n    permissions:\n      contents: admin\n", []string{"6:17 type: jobs.a.permissions.contents: expected read, write or none, got \"admin\""}},
		{"steps mapping", "on: push\njobs:\n  a:\n    runs-on: x\n    steps: {run: x}\n", []string{"5:12 type: jobs.a.steps: expected a list of steps"}},
		{"step scalar", "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [echo]\n", []string{"5:13 type: jobs.a.steps[0]: expected a mapping"}},
		{"matrix axis scalar", "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        os: linux\n", []string{"7:13 type: jobs.a.strategy.matrix.os: expected a list of values"}},
		{"environment list", "on: push\njobs:\n  a:\n    runs-on: x\n    environment: [a]\n", []string{"5:18 type: jobs.a.environment: expected an environment name"}},
		{"with list value", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@v1\n        with: {x: [1]}\n", []string{"7:19 type: jobs.a.steps[0].with.x: expected a string"}},
		{"two documents", "on: push\njobs: {a: {runs-on: x}}\n---\non: push\n", []string{"4:1 syntax: more than one YAML document"}},
		{"several problems at once", "on: push\njobs:\n  a:\n    runs-on: 1\n  b:\n    runs-on: [2]\n", []string{"4:14 type:", "6:15 type:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := ParseWorkflow(wfRel, []byte(tt.src))
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), errs)
			}
			for i, e := range errs {
				if e.Pos.File != wfRel {
					t.Errorf("error %d file = %q", i, e.Pos.File)
				}
				got := fmt.Sprintf("%s %s: %s", lc(e.Pos), e.Kind, e.Msg)
				w := tt.want[i]
				prefix, msg, _ := strings.Cut(w, ": ")
				if !strings.HasPrefix(got, prefix) && !strings.Contains(got, prefix) {
					t.Errorf("error %d = %q, want prefix %q", i, got, prefix)
				}
				if msg != "" && !strings.Contains(e.Msg, msg) {
					t.Errorf("error %d = %q, want message containing %q", i, got, msg)
				}
			}
		})
	}
}

func TestParseWorkflowAliases(t *testing.T) {
	// An anchor defined in one job and used in another references the secret in both.
	src := "on: pull_request\njobs:\n  a:\n    runs-on: x\n    env: &e\n      K: ${{ secrets.K }}\n  b:\n    runs-on: x\n    env: *e\n"
	wf := mustParseWorkflow(t, src)
	for _, j := range wf.Jobs {
		if got := refsOf(j); got != "K@6:14" {
			t.Errorf("job %s refs = %s, want K@6:14", j.ID.Value, got)
		}
	}
	// A self-referencing anchor must not hang the scan.
	if _, errs := ParseWorkflow(wfRel, []byte("on: push\njobs:\n  a:\n    runs-on: x\n    env: &x {k: [*x]}\n")); len(errs) == 0 {
		t.Log("self-referencing anchor accepted")
	}
}

// TestParseWorkflowAliasBomb checks that a file built to multiply nodes through anchors is
// refused (or scanned) quickly instead of exploding.
func TestParseWorkflowAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("on: push\nx0: &a0 ['${{ secrets.A }}', '${{ secrets.B }}']\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("jobs:\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "  j%d:\n    runs-on: x\n    env: {K: *a29}\n", i)
	}
	wf, _ := ParseWorkflow(wfRel, []byte(b.String()))
	if wf == nil || len(wf.Jobs) != 200 {
		t.Fatalf("jobs not parsed")
	}
	if got := refsOf(wf.Jobs[199]); got != "A@2:15 B@2:35" {
		t.Errorf("refs through the alias chain = %s", got)
	}
}

func FuzzParseWorkflow(f *testing.F) {
	f.Add([]byte(realisticWorkflow))
	f.Add([]byte("on: push\njobs:\n  a:\n    runs-on: [self-hosted, '${{ matrix.lane }}']\n    strategy:\n      matrix:\n        lane: [tinyland-nix]\n        include: [{lane: x, extra: {a: [1]}}]\n"))
	f.Add([]byte("on:\n  pull_request_target:\njobs:\n  a:\n    runs-on: {group: g, labels: tinyland-nix}\n    environment: {name: prod}\n    permissions: write-all\n    steps:\n      - run: |\n          echo ${{ secrets['X'] }}\n"))
	f.Add([]byte("on: push\nx: &b {runs-on: x}\njobs:\n  a:\n    <<: *b\n    env: &e {k: [*e]}\n"))
	f.Add([]byte("on: push\njobs:\n  a:\n    runs-on: 42\n  a:\n    runs-on: [true]\n"))
	f.Add([]byte("\xef\xbb\xbfon: push\njobs: {a: {runs-on: \"${{ secrets.A }}\\u0073ecrets\"}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		wf, errs := ParseWorkflow(wfRel, data)
		for _, e := range errs {
			if e.Pos.File != wfRel || e.Msg == "" || e.Kind == "" {
				t.Fatalf("malformed input error: %+v", e)
			}
		}
		if wf == nil {
			if len(errs) == 0 {
				t.Fatal("nil workflow without errors")
			}
			return
		}
		for _, j := range wf.Jobs {
			for _, r := range j.SecretRefs {
				if r.Pos.File != wfRel || r.Pos.Line < 1 || r.Pos.Column < 1 {
					t.Fatalf("secret ref without a position: %+v", r)
				}
			}
		}
	})
}

// BenchmarkParseWorkflow parses the realistic workflow (about 1.7 KB, four jobs).
func BenchmarkParseWorkflow(b *testing.B) {
	data := []byte(realisticWorkflow)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, errs := ParseWorkflow(wfRel, data); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
