package workflows

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const ci = ".github/workflows/ci.yml"

// testOverlay is a personal-account overlay (owner Jesssullivan, repository scheduling-kit,
// extra scale sets "honey-arc" and "tinyland-docker") with the core's shared labels, plus the given workflow
// files parsed by the real parser so positions are the parser's.
func testOverlay(t *testing.T, files map[string]string) *overlay.Overlay {
	t.Helper()
	o := &overlay.Overlay{Root: "testdata"}
	org := &overlay.OrgConfig{File: "config/organization.yaml"}
	org.Owner.Slug = overlay.String{Value: "Jesssullivan", Set: true}
	org.Owner.Repository = overlay.String{Value: "Jesssullivan/scheduling-kit", Set: true}
	o.Org = org
	o.Tfvars = []*overlay.Tfvars{{
		File:            "tofu/stacks/arc-runners/jesssullivan.tfvars",
		GithubConfigURL: overlay.String{Value: "https://github.com/Jesssullivan/scheduling-kit", Set: true},
		ExtraRunnerSets: []overlay.RunnerSet{
			{RunnerScaleSetName: overlay.String{Value: "honey-arc", Set: true}},
			{RunnerScaleSetName: overlay.String{Value: "tinyland-docker", Set: true}},
		},
	}}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		wf, errs := overlay.ParseWorkflow(name, []byte(files[name]))
		if len(errs) > 0 {
			t.Fatalf("ParseWorkflow(%s): %v", name, errs)
		}
		o.Workflows = append(o.Workflows, wf)
	}
	return o
}

func run(t *testing.T, opts Options, files map[string]string) *finding.Report {
	t.Helper()
	r := Check(context.Background(), testOverlay(t, files), opts)
	r.Finalize()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// brief renders findings as "file:line:col severity rule" (file omitted for ci.yml).
func brief(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		where := fmt.Sprintf("%d:%d", f.Line, f.Column)
		if f.File != ci {
			where = f.File + ":" + where
		}
		out = append(out, where+" "+f.Severity.String()+" "+f.Rule)
	}
	return out
}

type gateCase struct {
	name  string
	opts  Options
	files map[string]string // a single string goes to ci.yml via wf()
	want  []string
	// msgs are substrings the findings' messages (or next actions) must contain, in order
	// of the findings.
	msgs []string
	// hygiene keeps the findings of the step and permissions hygiene rules, which the
	// label and reachability tables leave out (their workflows are minimal on purpose).
	hygiene bool
}

// hygieneRules are judged in their own table (hygiene_test.go).
var hygieneRules = map[string]bool{
	RuleActionNotPinned: true, RuleCheckoutPersistCredentials: true, RuleCheckoutCredential: true,
	RuleDefaultPermissions: true, RuleWorkflowWritePermissions: true, RuleRetiredCredential: true,
}

func withoutHygiene(r *finding.Report) {
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		if !hygieneRules[f.Rule] {
			kept = append(kept, f)
		}
	}
	r.Findings = kept
}

func wf(src string) map[string]string { return map[string]string{ci: src} }

func runCases(t *testing.T, cases []gateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.opts, tc.files)
			if !tc.hygiene {
				withoutHygiene(r)
			}
			got := brief(r)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("findings:\n  %s\nwant:\n  %s\nfull:\n%s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "), dump(r))
			}
			for i, m := range tc.msgs {
				if m == "" {
					continue
				}
				f := r.Findings[i]
				if !strings.Contains(f.Message, m) && !strings.Contains(f.NextAction, m) {
					t.Errorf("finding %d (%s): %q / %q does not contain %q", i, f.Rule, f.Message, f.NextAction, m)
				}
			}
		})
	}
}

func dump(r *finding.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s: %s %s: %s\n    -> %s\n", f.Position, f.Severity, f.Rule, f.Message, f.NextAction)
	}
	return b.String()
}

func TestLabels(t *testing.T) {
	runCases(t, []gateCase{
		{name: "shared string", files: wf("on: push\njobs:\n  a:\n    runs-on: tinyland-nix\n")},
		{name: "shared label in another case", files: wf("on: push\njobs:\n  a:\n    runs-on: Tinyland-Nix\n")},
		{name: "mixed generic and shared", files: wf("on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux, tinyland-nix]\n")},
		{name: "unknown label",
			files: wf("on: push\njobs:\n  a:\n    runs-on: my-runner\n"),
			want:  []string{"4:14 blocker workflows/unknown-label"},
			msgs:  []string{`job "a" runs on "my-runner", which is not a shared capability label (shared: tinyland-nix, tinyland-docker`}},
		{name: "capability-shaped but not shared",
			files: wf("on: push\njobs:\n  a:\n    runs-on: [self-hosted, tinyland-nix-huge]\n"),
			want:  []string{"4:28 blocker workflows/unknown-label"},
			msgs:  []string{"capability-shaped but not in this overlay's shared labels"}},
		{name: "owner-minted label",
			files: wf("on: push\njobs:\n  a:\n    runs-on: jesssullivan-nix\n"),
			want:  []string{"4:14 blocker workflows/minted-label"},
			msgs:  []string{"do not create repo-specific runner labels to make enrollment appear green"}},
		{name: "personal label suggests the matching capability",
			files: wf("on: push\njobs:\n  a:\n    runs-on: [self-hosted, personal-nix-heavy]\n"),
			want:  []string{"4:28 blocker workflows/minted-label"},
			msgs:  []string{"Target the shared capability label tinyland-nix-heavy instead of \"personal-nix-heavy\""}},
		{name: "repository-minted label",
			files: wf("on: push\njobs:\n  a:\n    runs-on: scheduling-kit-docker\n"),
			want:  []string{"4:14 blocker workflows/minted-label"},
			msgs:  []string{`it carries the repository name "scheduling-kit"`}},
		{name: "a scale set named like a shared label is no identity",
			files: map[string]string{ci: "on: push\njobs:\n  a:\n    runs-on: tinyland-docker-xl\n"},
			want:  []string{"4:14 blocker workflows/unknown-label"}},
		{name: "scale-set-minted label",
			files: wf("on: push\njobs:\n  a:\n    runs-on: honey-arc-nix\n"),
			want:  []string{"4:14 blocker workflows/minted-label"},
			msgs:  []string{`scale-set name "honey-arc"`}},
		{name: "generic labels only",
			files: wf("on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n"),
			want:  []string{"4:14 blocker workflows/no-capability-label"},
			msgs:  []string{"only generic labels, so it would land on any self-hosted runner"}},
		{name: "bare self-hosted",
			files: wf("on: push\njobs:\n  a:\n    runs-on: self-hosted\n"),
			want:  []string{"4:14 blocker workflows/no-capability-label"}},
		{name: "empty list",
			files: wf("on: push\njobs:\n  a:\n    runs-on: []\n"),
			want:  []string{"4:14 blocker workflows/no-capability-label"},
			msgs:  []string{"names no label"}},
		{name: "group only",
			files: wf("on: push\njobs:\n  a:\n    runs-on:\n      group: jess-runners\n"),
			want:  []string{"5:14 blocker workflows/no-capability-label"},
			msgs:  []string{`selects runner group "jess-runners" without a capability label`}},
		{name: "group with a shared label",
			files: wf("on: push\njobs:\n  a:\n    runs-on:\n      group: honey\n      labels: tinyland-nix-heavy\n"),
			want:  []string{"5:14 info workflows/runner-group"},
			msgs:  []string{`runs in runner group "honey" on shared label "tinyland-nix-heavy"`}},
		{name: "group with a bad label",
			files: wf("on: push\njobs:\n  a:\n    runs-on: {group: honey, labels: [jesssullivan-nix]}\n"),
			want:  []string{"4:38 blocker workflows/minted-label"}},
		{name: "github-hosted allowed by default",
			files: wf("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n  b:\n    runs-on: macos-15\n")},
		{name: "github-hosted forbidden",
			opts:  Options{ForbidGitHubHosted: true},
			files: wf("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"),
			want:  []string{"4:14 blocker workflows/github-hosted"},
			msgs:  []string{"drop --forbid-github-hosted"}},
		{name: "missing runs-on",
			files: wf("on: push\njobs:\n  build:\n    steps: [{run: make}]\n"),
			want:  []string{"3:3 blocker workflows/missing-runs-on"}},
		{name: "reusable call has no labels to check",
			files: wf("on: push\njobs:\n  call:\n    uses: octo/shared/.github/workflows/build.yml@v1\n    secrets: inherit\n")},
		{name: "empty label",
			files: wf("on: push\njobs:\n  a:\n    runs-on: ''\n"),
			want:  []string{"4:14 blocker workflows/unknown-label"}},
	})
}

const matrixJob = `on: push
jobs:
  build:
    runs-on: %s
    strategy:
      matrix:
%s
`

func matrixWF(runsOn, matrix string) map[string]string {
	return wf(fmt.Sprintf(matrixJob, runsOn, matrix))
}

func TestMatrixExpansion(t *testing.T) {
	runCases(t, []gateCase{
		{name: "all values shared",
			files: matrixWF("${{ matrix.runner }}", "        runner: [tinyland-nix, tinyland-docker]")},
		{name: "bad value reported at the matrix value",
			files: matrixWF("${{ matrix.runner }}", "        runner:\n          - tinyland-nix\n          - jesssullivan-nix"),
			want:  []string{"9:13 blocker workflows/minted-label"},
			msgs:  []string{"(strategy.matrix value used by runs-on at line 4)"}},
		{name: "key lookup ignores case",
			files: matrixWF("${{ matrix.Runner }}", "        runner: [my-runner]"),
			want:  []string{"7:18 blocker workflows/unknown-label"}},
		{name: "excluded value never runs",
			files: matrixWF("${{ matrix.runner }}", "        runner: [tinyland-nix, my-runner]\n        os: [linux]\n        exclude:\n          - runner: my-runner")},
		{name: "partly excluded value still runs",
			files: matrixWF("${{ matrix.runner }}", "        runner: [tinyland-nix, my-runner]\n        os: [linux, darwin]\n        exclude:\n          - {runner: my-runner, os: linux}"),
			want:  []string{"7:32 blocker workflows/unknown-label"}},
		{name: "include adds a value",
			files: matrixWF("${{ matrix.runner }}", "        runner: [tinyland-nix]\n        include:\n          - runner: personal-docker"),
			want:  []string{"9:21 blocker workflows/minted-label"}},
		{name: "include-only key",
			files: matrixWF("[self-hosted, '${{ matrix.lane }}']", "        os: [linux]\n        include:\n          - lane: tinyland-dind")},
		{name: "template label",
			files: matrixWF("tinyland-${{ matrix.lane }}", "        lane: [nix, docker, gpu2]"),
			want:  []string{"7:29 blocker workflows/unknown-label"},
			msgs:  []string{`runs on "tinyland-gpu2" (strategy.matrix value used by runs-on at line 4)`}},
		{name: "object matrix values",
			files: matrixWF("${{ matrix.config.runner }}", "        config:\n          - {runner: tinyland-nix, os: linux}\n          - {runner: bad-runner, os: linux}"),
			want:  []string{"9:22 blocker workflows/unknown-label"}},
		{name: "list matrix value cannot be checked",
			files: matrixWF("${{ matrix.runner }}", "        runner:\n          - tinyland-nix\n          - [self-hosted, tinyland-nix]"),
			want:  []string{"9:13 warning workflows/unresolved-expression"},
			msgs:  []string{"this matrix value is a list or mapping"}},
		{name: "missing matrix key",
			files: matrixWF("${{ matrix.runner }}", "        os: [linux]"),
			want:  []string{"4:14 warning workflows/unresolved-expression"},
			msgs:  []string{"strategy.matrix has no key runner"}},
		{name: "computed matrix",
			files: matrixWF("${{ matrix.runner }}", "        runner: ${{ fromJSON(needs.setup.outputs.runners) }}"),
			want:  []string{"7:17 warning workflows/unresolved-expression"},
			msgs:  []string{"this matrix axis is computed at run time"}},
		{name: "whole matrix computed",
			files: wf("on: push\njobs:\n  a:\n    runs-on: ${{ matrix.runner }}\n    strategy:\n      matrix: ${{ fromJSON(inputs.matrix) }}\n"),
			want:  []string{"4:14 warning workflows/unresolved-expression"},
			msgs:  []string{"the matrix is computed at run time by ${{ fromJSON(inputs.matrix) }}"}},
		{name: "no matrix at all",
			files: wf("on: push\njobs:\n  a:\n    runs-on: ${{ matrix.runner }}\n"),
			want:  []string{"4:14 warning workflows/unresolved-expression"},
			msgs:  []string{"the job has no strategy.matrix"}},
	})
}

func TestRunsOnExpressions(t *testing.T) {
	job := func(runsOn string) map[string]string {
		return wf("on: workflow_dispatch\njobs:\n  a:\n    runs-on: " + runsOn + "\n")
	}
	runCases(t, []gateCase{
		{name: "input", files: job("${{ inputs.runner }}"),
			want: []string{"4:14 warning workflows/unresolved-expression"},
			msgs: []string{"runs-on of job \"a\" uses ${{ inputs.runner }}, which cannot be expanded hermetically (a workflow input, chosen by whoever triggers or calls the workflow)"}},
		{name: "job output", files: job("${{ fromJSON(needs.setup.outputs.runners) }}"),
			want: []string{"4:14 warning workflows/unresolved-expression"}},
		{name: "select idiom with known branches", files: job(`${{ github.event_name == 'push' && 'tinyland-nix' || 'ubuntu-latest' }}`)},
		{name: "select idiom with a bad branch", files: job(`${{ github.event_name == 'push' && 'tinyland-nix' || 'jess-box' }}`),
			want: []string{"4:14 blocker workflows/unknown-label"}},
		{name: "fallback after an input", files: job(`${{ inputs.runner || 'tinyland-nix' }}`),
			want: []string{"4:14 warning workflows/unresolved-expression"},
			msgs: []string{"(inputs.runner: a workflow input"}},
		{name: "fromJSON literal list", files: job(`${{ fromJSON('["self-hosted","tinyland-nix"]') }}`)},
		{name: "fromJSON literal list of generic labels", files: job(`${{ fromJSON('["self-hosted","linux"]') }}`),
			want: []string{"4:14 blocker workflows/no-capability-label"}},
		{name: "unresolved entry suppresses the generic-only verdict", files: job(`[self-hosted, "${{ inputs.lane }}"]`),
			want: []string{"4:28 warning workflows/unresolved-expression"}},
		{name: "syntax error", files: job(`${{ matrix.runner == }}`),
			want: []string{"4:14 warning workflows/unresolved-expression"},
			msgs: []string{"not a valid expression"}},
	})
}

const prWorkflow = `name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  build:
    runs-on: %s
%s    steps:
      - uses: actions/checkout@v4
      - run: make
        env:
          TOKEN: ${{ secrets.DEPLOY_TOKEN }}
`

// prJob is a job on runsOn in a push+pull_request workflow that uses secrets.DEPLOY_TOKEN
// (line 15, column 22); extra is inserted before steps (4-space indented lines).
func prJob(runsOn, extra string) map[string]string {
	return wf(fmt.Sprintf(prWorkflow, runsOn, extra))
}

func TestUntrustedSecrets(t *testing.T) {
	runCases(t, []gateCase{
		{name: "pull request reaches a secret",
			files: prJob("tinyland-nix", ""),
			want:  []string{"15:22 blocker workflows/untrusted-secrets"},
			msgs:  []string{`job "build" runs on shared self-hosted label "tinyland-nix" and is reachable from pull_request (on: at line 5), but references secrets.DEPLOY_TOKEN`}},
		{name: "matrix-expanded shared label",
			files: wf("on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ${{ matrix.r }}\n    strategy: {matrix: {r: [tinyland-nix]}}\n    steps: [{run: 'echo ${{ secrets.X }}'}]\n"),
			want:  []string{"7:29 blocker workflows/untrusted-secrets"}},
		{name: "push gate", files: prJob("tinyland-nix", "    if: github.event_name == 'push'\n")},
		{name: "negated pull_request gate", files: prJob("tinyland-nix", "    if: ${{ github.event_name != 'pull_request' }}\n")},
		{name: "contains gate", files: prJob("tinyland-nix", "    if: contains(fromJSON('[\"push\", \"workflow_dispatch\"]'), github.event_name)\n")},
		{name: "disabled job", files: prJob("tinyland-nix", "    if: false\n")},
		{name: "tag gate does not exclude pull requests",
			files: prJob("tinyland-nix", "    if: startsWith(github.ref, 'refs/tags/')\n"),
			want:  []string{"16:22 blocker workflows/untrusted-secrets"},
			msgs:  []string{"its if: (line 11) does not provably exclude pull_request"}},
		{name: "GitHub-hosted job is not judged", files: prJob("ubuntu-latest", "")},
		{name: "unknown label is judged as a label only", files: prJob("my-box", ""),
			want: []string{"10:14 blocker workflows/unknown-label"}},
		{name: "GITHUB_TOKEN is governed by permissions",
			files: wf("on: pull_request\npermissions: {contents: read}\njobs:\n  a:\n    runs-on: tinyland-nix\n    steps: [{run: 'gh pr view', env: {GH_TOKEN: '${{ secrets.GITHUB_TOKEN }}'}}]\n")},
		{name: "push-only workflow", files: wf("on: [push, schedule]\njobs:\n  a:\n    runs-on: tinyland-nix\n    environment: prod\n    permissions: write-all\n    steps: [{run: 'echo ${{ secrets.X }}'}]\n")},
		{name: "workflow env secret reaches the job",
			files: wf("on: pull_request\npermissions: read-all\nenv:\n  KEY: ${{ secrets.KEY }}\njobs:\n  a:\n    runs-on: [self-hosted, tinyland-nix]\n    steps: [{run: make}]\n"),
			want:  []string{"4:12 blocker workflows/untrusted-secrets"}},
		{name: "secret in a bare if",
			files: wf("on: pull_request\npermissions: read-all\njobs:\n  a:\n    runs-on: tinyland-nix\n    steps:\n      - if: secrets.KEY != ''\n        run: make\n"),
			want:  []string{"7:13 blocker workflows/untrusted-secrets"}},
		{name: "pull_request_review runs PR code too",
			files: wf("on: pull_request_review\npermissions: read-all\njobs:\n  a:\n    runs-on: tinyland-nix\n    steps: [{run: 'echo ${{ secrets[''KEY''] }}'}]\n"),
			want:  []string{"6:29 blocker workflows/untrusted-secrets"},
			msgs:  []string{"reachable from pull_request_review"}},
		{name: "dynamic secret",
			files: wf("on: pull_request\npermissions: read-all\njobs:\n  a:\n    runs-on: tinyland-nix\n    steps: [{run: 'echo ${{ toJSON(secrets) }}'}]\n"),
			want:  []string{"6:36 blocker workflows/untrusted-secrets"},
			msgs:  []string{"references the secrets context (a computed name or the whole context)"}},
	})
}

func TestUntrustedEnvironmentAndPermissions(t *testing.T) {
	base := "on: pull_request\n%sjobs:\n  a:\n    runs-on: tinyland-docker\n%s    steps: [{run: make}]\n"
	f := func(wfLevel, jobLevel string) map[string]string { return wf(fmt.Sprintf(base, wfLevel, jobLevel)) }
	runCases(t, []gateCase{
		{name: "environment string",
			files: f("permissions: read-all\n", "    environment: production\n"),
			want:  []string{"6:18 blocker workflows/untrusted-environment"},
			msgs:  []string{`binds environment "production"`}},
		{name: "environment mapping",
			files: f("permissions: read-all\n", "    environment:\n      name: staging\n      url: https://x\n"),
			want:  []string{"7:13 blocker workflows/untrusted-environment"}},
		{name: "environment gated", files: f("permissions: read-all\n", "    if: github.event_name == 'workflow_dispatch'\n    environment: production\n")},
		{name: "job write scope",
			files: f("", "    permissions:\n      contents: read\n      pull-requests: write\n"),
			want:  []string{"7:22 blocker workflows/untrusted-write-permissions"},
			msgs:  []string{"its token has pull-requests: write"}},
		{name: "inherited write-all",
			files: f("permissions: write-all\n", ""),
			want:  []string{"2:14 blocker workflows/untrusted-write-permissions"},
			msgs:  []string{"write-all (inherited from the workflow-level permissions)"}},
		{name: "inherited id-token write",
			files: f("permissions:\n  contents: read\n  id-token: write\n", ""),
			want:  []string{"4:13 blocker workflows/untrusted-write-permissions"}},
		{name: "job read overrides workflow write", files: f("permissions: write-all\n", "    permissions: read-all\n")},
		{name: "empty permissions map is read-none", files: f("permissions: {}\n", "")},
	})
}

// TestWorkflowLevelGrouping: what the workflow gives every job (env secrets, inherited
// permissions) is one finding per problem naming the jobs, not one per job.
func TestWorkflowLevelGrouping(t *testing.T) {
	jobs := func(n int, extra string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "  j%d:\n    runs-on: tinyland-nix\n%s    steps: [{run: make}]\n", i, extra)
		}
		return b.String()
	}
	runCases(t, []gateCase{
		{name: "two jobs share a workflow env secret and write-all",
			files: wf("on: pull_request\npermissions: write-all\nenv:\n  KEY: ${{ secrets.KEY }}\njobs:\n" + jobs(2, "")),
			want:  []string{"2:14 blocker workflows/untrusted-write-permissions", "4:12 blocker workflows/untrusted-secrets"},
			msgs: []string{`jobs "j0" and "j1" run on shared self-hosted label "tinyland-nix" and are reachable from pull_request (on: at line 1), but their tokens have permissions: write-all (inherited`,
				`jobs "j0" and "j1" run on shared self-hosted label "tinyland-nix" and are reachable from pull_request (on: at line 1), but the workflow-level env references secrets.KEY`}},
		{name: "many jobs are counted, not listed",
			files: wf("on: pull_request\npermissions: read-all\nenv:\n  KEY: ${{ secrets.KEY }}\njobs:\n" + jobs(8, "")),
			want:  []string{"4:12 blocker workflows/untrusted-secrets"},
			msgs:  []string{`jobs "j0", "j1", "j2", "j3", "j4" and 3 more run on`}},
		{name: "a job with its own permissions does not inherit",
			files: wf("on: pull_request\npermissions: {contents: write}\njobs:\n" + jobs(1, "") + "  own:\n    runs-on: tinyland-nix\n    permissions: read-all\n    steps: [{run: make}]\n"),
			want:  []string{"2:25 blocker workflows/untrusted-write-permissions"},
			msgs:  []string{`job "j0" runs on`}},
	})
}

func TestPullRequestTarget(t *testing.T) {
	runCases(t, []gateCase{
		{name: "shared label",
			files: wf("on:\n  pull_request_target:\n    types: [labeled]\npermissions: read-all\njobs:\n  a:\n    runs-on: tinyland-nix\n    steps: [{run: make}]\n"),
			want:  []string{"2:3 blocker workflows/pull-request-target"},
			msgs:  []string{"Remove the pull_request_target trigger"}},
		{name: "GitHub-hosted label", files: wf("on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n")},
		{name: "job gated to push", files: wf("on: [push, pull_request_target]\njobs:\n  a:\n    if: github.event_name == 'push'\n    runs-on: tinyland-nix\n    steps: [{run: make}]\n")},
		{name: "gate on the fork check is not clear",
			files: wf("on: [pull_request_target]\njobs:\n  a:\n    if: github.event.pull_request.head.repo.full_name == github.repository\n    runs-on: tinyland-nix\n    steps: [{run: make}]\n"),
			want:  []string{"1:6 blocker workflows/pull-request-target"}},
	})
}

const reusable = `on:
  workflow_call:
    secrets:
      DEPLOY_KEY:
        required: true
jobs:
  deploy:
    runs-on: tinyland-nix
    permissions: {contents: read}
    steps:
      - run: deploy
        env:
          KEY: ${{ secrets.DEPLOY_KEY }}
`

func TestReusableWorkflows(t *testing.T) {
	const callee = ".github/workflows/deploy.yml"
	caller := func(on, ifLine, uses string) string {
		return "on: " + on + "\npermissions: read-all\njobs:\n  call:\n" + ifLine + "    uses: " + uses + "\n    secrets: inherit\n"
	}
	runCases(t, []gateCase{
		{name: "called from a pull request workflow",
			files: map[string]string{ci: caller("[pull_request]", "", "./.github/workflows/deploy.yml"), callee: reusable},
			want:  []string{callee + ":13:20 blocker workflows/untrusted-secrets"},
			msgs:  []string{`reachable from pull_request (through job "call" of .github/workflows/ci.yml at line 5, which calls this workflow)`}},
		{name: "called through the repository name",
			files: map[string]string{ci: caller("pull_request", "", "jesssullivan/scheduling-kit/.github/workflows/deploy.yml@main"), callee: reusable},
			want:  []string{callee + ":13:20 blocker workflows/untrusted-secrets"}},
		{name: "caller gated to push",
			files: map[string]string{ci: caller("[push, pull_request]", "    if: github.event_name == 'push'\n", "./.github/workflows/deploy.yml"), callee: reusable}},
		{name: "called from pull_request_target",
			files: map[string]string{ci: caller("pull_request_target", "", "./.github/workflows/deploy.yml"), callee: reusable},
			want:  []string{callee + ":8:14 blocker workflows/pull-request-target"}},
		{name: "not called here", files: map[string]string{callee: reusable}},
		{name: "another repository's workflow of the same name",
			files: map[string]string{ci: caller("pull_request", "", "octo/other/.github/workflows/deploy.yml@v1"), callee: reusable}},
	})
}

func TestRulesRegistered(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if !strings.HasPrefix(r.ID, "workflows/") || r.Summary == "" || r.Help == "" || seen[r.ID] {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.ID] = true
	}
	r := Check(context.Background(), nil, Options{})
	if len(r.Rules) != len(Rules()) || len(r.Findings) != 0 {
		t.Errorf("nil overlay: %d rules, %d findings", len(r.Rules), len(r.Findings))
	}
}

// BenchmarkCheck judges 20 copies of a realistic matrix + security workflow (one overlay's
// worth of workflows in the estate bench).
func BenchmarkCheck(b *testing.B) {
	src := fmt.Sprintf(prWorkflow, "${{ matrix.runner }}", "    strategy:\n      matrix:\n        runner: [tinyland-nix, tinyland-nix-heavy, my-runner]\n        os: [linux, darwin]\n        exclude: [{runner: my-runner, os: darwin}]\n")
	o := &overlay.Overlay{}
	for i := 0; i < 20; i++ {
		wf, errs := overlay.ParseWorkflow(fmt.Sprintf(".github/workflows/w%02d.yml", i), []byte(src))
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		o.Workflows = append(o.Workflows, wf)
	}
	ctx := context.Background()
	for b.Loop() {
		// Per workflow: the unknown label and the untrusted secret, plus the checkout by
		// tag without persist-credentials: false (action-not-pinned, checkout-persist-credentials).
		if r := Check(ctx, o, Options{}); len(r.Findings) != 80 {
			b.Fatalf("%d findings, want 80", len(r.Findings))
		}
	}
}
