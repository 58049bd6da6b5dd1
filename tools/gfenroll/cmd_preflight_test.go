package main

// End-to-end scenarios of `gfenroll preflight`: the real command (flags, loader, gates,
// probes, renderers, exit codes) against the loopback GitHub stand-in and the real
// kube-apiserver of e2e/kube/testenv.sh (skipped without it, failed under CI).
//
// Each row starts from a fixture overlay (materialized into a temp dir and pointed at
// its own fresh ARC namespaces), the matching stand-in scenario
// (e2e/github/scenarios/<fixture>.json) and the fully enrolled cluster state, then breaks
// one thing — in the overlay, on GitHub or in the cluster — and asserts the JSON findings
// and the exit codes with and without --strict. Every row also proves the promises of
// Read-only: only GET requests reached GitHub, only get/list/watch reached the apiserver
// (secrets as metadata only), and the token appears in no output or report file.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/github"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// cluster is a row's arranged Kubernetes state before it is created.
type cluster struct {
	en          kubetest.Enrollment
	ctrl, run   string   // the row's controller and runner namespaces
	grants      []string // namespaces where the preflight identity may read
	unreachable bool     // point the kubeconfig at a closed port instead
}

func (c *cluster) scaleSet(t *testing.T, name string) *kubetest.ScaleSet {
	t.Helper()
	ss := c.en.ScaleSet(name)
	if ss == nil {
		t.Fatalf("no scale set %s in the enrollment", name)
	}
	return ss
}

type preflightRow struct {
	name    string
	fixture string // e2e/overlays/<fixture> and e2e/github/scenarios/<fixture>.json
	overlay func(t *testing.T, root string)
	github  func(r *fakegh.Repo) // edits the overlay repository on the stand-in
	org     func(o *fakegh.Org)  // edits the organization on the stand-in (its runner groups)
	faults  []fakegh.Fault
	cluster func(t *testing.T, c *cluster)
	args    []string
	env     map[string]string // extra environment (GH_TOKEN is set unless noToken)
	noToken bool
	// want lists every blocker and warning as "severity rule", expected warnings with
	// " (expected)", in any order.
	want []string
	// strictCode is the exit code with --strict (without it the command exits 0).
	strictCode int
	// says are substrings of the text report (messages, next actions, summary).
	says []string
	// maxWall bounds the non-strict run (fault rows: the answer comes inside --timeout).
	maxWall time.Duration
}

func preflightRows() []preflightRow {
	queued := func(r *fakegh.Repo) {
		r.Runs = append(r.Runs, &fakegh.Run{ID: 8815, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: fakegh.Duration(40 * time.Minute),
			Jobs: []*fakegh.Job{{ID: 88151, Name: "nix flake check", Status: "queued", Labels: []string{"tinyland-nix"}}}})
	}
	return []preflightRow{
		{name: "org overlay fully enrolled", fixture: "tinyland-org",
			args: []string{"--expected-core-ref", "main"},
			says: []string{"ok pins/expected-ref", "ok preflight/enrollment-proof", "ok preflight/core-read-credential", "ok preflight/app-installation", "0 blockers / 0 warnings"}},
		{name: "personal overlay with its expected anchor", fixture: "jess-personal",
			args: []string{"--fail-on-warning"},
			want: []string{"warning taxonomy/repo-registration-anchor (expected)"},
			says: []string{"info preflight/app-installation-unverified", "personal account Jesssullivan is not verified",
				"not verified (see preflight/app-installation-unverified)", "0 blockers / 0 warnings (1 expected)"}},
		{name: "core-checkout form", fixture: "jess-personal",
			args: []string{"@root", "tofu/stacks/arc-runners/jesssullivan.tfvars", "Jesssullivan/jesssullivan-infra", "--expected-core-ref", "main"},
			want: []string{"warning taxonomy/repo-registration-anchor (expected)"}},
		{name: "only the read token", fixture: "tinyland-org",
			github: func(r *fakegh.Repo) { r.Secrets = []string{"ATTIC_TOKEN", "GF_CORE_READ_TOKEN"} },
			want:   []string{"warning preflight/core-read-fallback"},
			says:   []string{"gh secret set GF_CORE_DEPLOY_KEY --repo tinyland-inc/tinyland-infra < core-read", "0 blockers / 1 warning"}},
		{name: "only the read token fails with --fail-on-warning", fixture: "tinyland-org",
			github: func(r *fakegh.Repo) { r.Secrets = []string{"GF_CORE_READ_TOKEN"} },
			args:   []string{"--fail-on-warning"}, strictCode: 1,
			want: []string{"warning preflight/core-read-fallback"}},
		{name: "only the read token, expected", fixture: "tinyland-org",
			github: func(r *fakegh.Repo) { r.Secrets = []string{"GF_CORE_READ_TOKEN"} },
			args:   []string{"--fail-on-warning", "--expect-warning", "preflight/core-read-fallback"},
			want:   []string{"warning preflight/core-read-fallback (expected)"}},
		{name: "no core-read credential", fixture: "tinyland-org", strictCode: 1,
			github: func(r *fakegh.Repo) { r.Secrets = []string{"ATTIC_TOKEN"} },
			want:   []string{"blocker preflight/core-read-credential-missing"},
			says:   []string{"neither GF_CORE_DEPLOY_KEY nor GF_CORE_READ_TOKEN", "1 blocker / 0 warnings"}},
		{name: "queued validation", fixture: "tinyland-org", strictCode: 1, github: queued,
			want: []string{"blocker preflight/validation-queued"},
			says: []string{"has waited 40m for a runner", "a queued run is not enrollment proof", "instead of adding labels"}},
		{name: "failing validation", fixture: "tinyland-org", strictCode: 1,
			github: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs, &fakegh.Run{ID: 8816, Name: "validate", Path: ".github/workflows/validate.yml", Status: "completed", Conclusion: "failure", Age: fakegh.Duration(20 * time.Minute)})
			},
			want: []string{"blocker preflight/validation-failing"},
			says: []string{"concluded failure: https://github.com/tinyland-inc/tinyland-infra/actions/runs/8816", "gh run rerun 8816 --repo tinyland-inc/tinyland-infra"}},
		{name: "no default-branch proof", fixture: "jess-personal", strictCode: 1,
			github: func(r *fakegh.Repo) { r.Runs[0].HeadBranch = "feature/ci" },
			want:   []string{"blocker preflight/enrollment-proof-missing", "warning taxonomy/repo-registration-anchor (expected)"},
			says:   []string{"Prove a default-branch workflow reaches the shared label"}},
		{name: "pin drift", fixture: "tinyland-org", strictCode: 1,
			overlay: func(t *testing.T, root string) {
				replaceIn(t, filepath.Join(root, "MODULE.bazel"), `commit = "637b7167c400a842cdc7af0709b2251c0542a48a"`, `commit = "defff7fb7d1f3457c5270ce2e57ac6077e797b1c"`)
			},
			want: []string{"blocker pins/drift"},
			says: []string{"gfenroll pin defff7fb7d1f3457c5270ce2e57ac6077e797b1c", "otherwise set MODULE.bazel git_override commit back to 637b7167c400a842cdc7af0709b2251c0542a48a"}},
		{name: "expected ref mismatch through the commits API", fixture: "tinyland-org", strictCode: 1,
			args: []string{"--expected-core-ref", "next"},
			want: []string{"blocker pins/expected-ref", "blocker pins/expected-ref"}, // one per pin
			says: []string{"defff7fb7d1f3457c5270ce2e57ac6077e797b1c"}},
		{name: "GitHub 500", fixture: "tinyland-org", strictCode: 1,
			faults: []fakegh.Fault{{Route: fakegh.RouteAny, Kind: fakegh.FaultStatus, Status: 500}},
			want:   []string{"blocker preflight/github-unavailable"},
			says:   []string{"GitHub answered 500", "githubstatus.com"}},
		{name: "GitHub hangs", fixture: "tinyland-org", strictCode: 1,
			faults:  []fakegh.Fault{{Route: fakegh.RouteWorkflowRuns, Kind: fakegh.FaultHang}},
			args:    []string{"--timeout", "3s"},
			maxWall: 6 * time.Second,
			want:    []string{"blocker preflight/github-unavailable"},
			says:    []string{"raise --timeout"}},
		{name: "429 Retry-After inside the timeout is waited out", fixture: "tinyland-org",
			faults: []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultRetryAfter, RetryAfter: fakegh.Duration(time.Second), Times: 1}}},
		{name: "429 Retry-After beyond the timeout", fixture: "tinyland-org", strictCode: 1,
			faults:  []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultRetryAfter, RetryAfter: fakegh.Duration(10 * time.Minute)}},
			args:    []string{"--timeout", "5s"},
			maxWall: 4 * time.Second,
			want:    []string{"blocker preflight/github-rate-limited"}},
		{name: "truncated JSON", fixture: "tinyland-org", strictCode: 1,
			faults: []fakegh.Fault{{Route: fakegh.RouteJobs, Kind: fakegh.FaultTruncate}},
			want:   []string{"blocker preflight/github-unavailable"},
			says:   []string{"malformed (truncated or invalid) JSON answer"}},
		{name: "no token", fixture: "tinyland-org", strictCode: 1, noToken: true,
			want: []string{"blocker preflight/github-token-missing"}},

		// Step 1 rows: the owner's App installation.
		{name: "App not installed with runner permissions", fixture: "tinyland-org", strictCode: 1,
			org:  func(o *fakegh.Org) { o.Installations = o.Installations[1:] },
			want: []string{"blocker " + github.RuleAppMissing},
			says: []string{"renovate (installation 51230001) has organization_self_hosted_runners: none",
				"Install the owner's ARC GitHub App on tinyland-inc", "owner GitHub App installed with runner permissions  blocked (1)"}},
		{name: "token may not read the App installations", fixture: "tinyland-org",
			org:  func(o *fakegh.Org) { o.DenyInstallations = true },
			says: []string{"info preflight/app-installation-unverified", "not verified (see preflight/app-installation-unverified)", "0 blockers / 0 warnings"}},

		// Admission rows: the declared runner group against the stand-in's organization.
		{name: "runner group missing", fixture: "tinyland-org", strictCode: 1,
			org:  func(o *fakegh.Org) { o.RunnerGroups = o.RunnerGroups[:2] },
			want: []string{"blocker " + github.RuleRunnerGroupMissing},
			says: []string{`organization tinyland-inc has no runner group "tinyland-honey" (it has: Default, tinyland-sting)`,
				"gh api -X POST orgs/tinyland-inc/actions/runner-groups -f name=tinyland-honey -f visibility=selected"}},
		{name: "runner group roster drift", fixture: "tinyland-org", strictCode: 1,
			org:  func(o *fakegh.Org) { o.RunnerGroups[2].RepositoryIDs = []int64{812345671, 790001234, 790007777} },
			want: []string{"blocker " + github.RuleRunnerGroupRoster, "blocker " + github.RuleRunnerGroupRoster},
			says: []string{"repository id 790004321 is on the declared roster", "gh api -X DELETE orgs/tinyland-inc/actions/runner-groups/7/repositories/790007777"}},
		{name: "runner group visibility drift", fixture: "tinyland-org", strictCode: 1,
			org:  func(o *fakegh.Org) { o.RunnerGroups[2].Visibility = "all" },
			want: []string{"blocker " + github.RuleRunnerGroupDrift},
			says: []string{"gh api -X PATCH orgs/tinyland-inc/actions/runner-groups/7 -f visibility=selected"}},
		{name: "token without runner-group permission", fixture: "tinyland-org", strictCode: 1,
			org:  func(o *fakegh.Org) { o.DenyRunnerGroups = true },
			want: []string{"blocker " + github.RuleRunnerGroupPermission},
			says: []string{`"Self-hosted runners" (read)`, "admin:org"}},
		{name: "scale set bound to another runner group", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { c.scaleSet(t, "tinyland-nix-heavy").RunnerGroup = "tinyland-sting" },
			want:    []string{"blocker " + kube.RuleScaleSetRunnerGroup},
			says:    []string{`registers into runner group "tinyland-sting", tfvars expects "tinyland-honey"`}},
		{name: "scale set in the Default group", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { c.scaleSet(t, "tinyland-docker").RunnerGroup = "" },
			want:    []string{"blocker " + kube.RuleScaleSetRunnerGroup},
			says:    []string{"(empty: GitHub's Default group)"}},

		// Kubernetes rows: the same command against the real apiserver.
		{name: "App secret missing in one namespace", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { delete(c.en.Secrets, c.run) },
			want:    []string{"blocker " + kube.RuleSecretMissing},
			says:    []string{"just arc-app-secret-apply"}},
		{name: "scale set missing", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) {
				c.scaleSet(t, "tinyland-nix-kvm").Namespace = c.ctrl // deployed in the wrong namespace
			},
			want: []string{"blocker " + kube.RuleScaleSetMissing}},
		{name: "scale set unregistered", fixture: "jess-personal", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { c.en.ScaleSets[0].ScaleSetID = 0 },
			want:    []string{"blocker " + kube.RuleScaleSetUnregistered, "warning taxonomy/repo-registration-anchor (expected)"}},
		{name: "label not published", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) {
				c.scaleSet(t, "tinyland-nix-compute-expansion").Labels = []string{"self-hosted", "linux"}
			},
			want: []string{"blocker " + kube.RuleLabelUnpublished}},
		{name: "wrong App secret on a scale set", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { c.scaleSet(t, "tinyland-docker").ConfigSecret = "some-other-secret" },
			want:    []string{"blocker " + kube.RuleScaleSetMismatch}},
		{name: "RBAC forbidden in one namespace", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { c.grants = []string{c.run} },
			want:    []string{"blocker " + kube.RuleKubeForbidden},
			says:    []string{"create rolebinding"}},
		{name: "cluster unreachable", fixture: "tinyland-org", strictCode: 1,
			cluster: func(t *testing.T, c *cluster) { c.unreachable = true },
			args:    []string{"--timeout", "5s"},
			maxWall: 8 * time.Second,
			want:    []string{"blocker " + kube.RuleKubeUnreachable}},
	}
}

func TestPreflightScenarios(t *testing.T) {
	kenv := kubetest.Require(t)
	for _, row := range preflightRows() {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			runPreflightRow(t, kenv, row)
		})
	}
}

func runPreflightRow(t *testing.T, kenv *kubetest.Env, row preflightRow) {
	// Overlay: a private copy aimed at fresh namespaces.
	root := filepath.Join(t.TempDir(), row.fixture)
	empty := t.TempDir()
	if err := overlaytest.MaterializeTo(overlaytest.Variant{Name: row.fixture, Dir: empty, Base: row.fixture}, overlaytest.BaseDir(t, row.fixture), root); err != nil {
		t.Fatal(err)
	}
	if row.overlay != nil {
		row.overlay(t, root)
	}
	sfx := kubetest.Suffix(6)
	c := &cluster{ctrl: "arc-systems-" + sfx, run: "arc-runners-" + sfx}
	tfvars, _ := filepath.Glob(filepath.Join(root, "tofu/stacks/arc-runners/*.tfvars"))
	if len(tfvars) != 1 {
		t.Fatalf("fixture %s: want one tfvars file, have %v", row.fixture, tfvars)
	}
	kubetest.RetargetTfvars(t, tfvars[0], c.ctrl, c.run)

	// Cluster: the enrolled state, then the row's damage.
	o, err := overlay.Load(root, overlay.Options{})
	if err != nil {
		t.Fatalf("load materialized %s: %v", row.fixture, err)
	}
	c.en = kubetest.EnrollmentFor(kube.NewExpectations(o))
	c.grants = []string{c.ctrl, c.run}
	if row.cluster != nil {
		row.cluster(t, c)
	}
	kenv.Enroll(t, c.en)
	user := kenv.NewUser(t, "preflight-"+sfx, "honey")
	for _, ns := range c.grants {
		kenv.Grant(t, ns, user.Name, kubetest.PreflightRules()...)
	}
	kubeconfig := user.Kubeconfig
	if c.unreachable {
		kubeconfig = unreachableKubeconfig(t)
	}

	// GitHub: the fixture's stand-in scenario, then the row's damage.
	data, err := os.ReadFile(filepath.Join(overlaytest.RepoRoot(t), "e2e/github/scenarios", row.fixture+".json"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := fakegh.LoadScenario(data)
	if err != nil {
		t.Fatal(err)
	}
	if row.github != nil {
		row.github(sc.Repos[0])
	}
	if row.org != nil {
		row.org(sc.Orgs[0])
	}
	gh := fakegh.Start(sc, fakegh.Options{Faults: row.faults})
	defer gh.Close()

	env := map[string]string{"GH_TOKEN": gh.Token()}
	if row.noToken {
		env = map[string]string{}
	}
	for k, v := range row.env {
		env[k] = v
	}
	args := []string{"preflight"}
	hasRoot := false
	for _, a := range row.args {
		if a == "@root" {
			a, hasRoot = root, true
		}
		args = append(args, a)
	}
	if !hasRoot {
		args = append(args, "--overlay-root", root)
	}
	args = append(args, "--github-api-url", gh.URL(), "--kubeconfig", kubeconfig)

	// Non-strict: exit 0, JSON and SARIF reports written next to the text on stdout.
	out := t.TempDir()
	jsonPath, sarifPath := filepath.Join(out, "report.json"), filepath.Join(out, "report.sarif")
	nonStrict := append(append([]string(nil), args...), "--output", "json="+jsonPath, "--output", "sarif="+sarifPath)
	for i, a := range nonStrict { // --fail-on-warning implies --strict; keep it for the strict run
		if a == "--fail-on-warning" {
			nonStrict = append(nonStrict[:i:i], nonStrict[i+1:]...)
			break
		}
	}
	start := time.Now()
	code, stdout, stderr := runGfenroll(env, nonStrict...)
	wall := time.Since(start)
	if code != 0 {
		t.Fatalf("non-strict exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if row.maxWall > 0 && wall > row.maxWall {
		t.Errorf("preflight took %v, want under %v (--timeout must bound it)", wall, row.maxWall)
	}
	rep := readReport(t, jsonPath)
	if err := rep.Validate(); err != nil {
		t.Error(err)
	}
	if got, want := verdictList(rep), sortedCopy(row.want); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("blockers and warnings:\n  got  %q\n  want %q\nstdout:\n%s\nstderr:\n%s", got, want, stdout, stderr)
	}
	for _, s := range row.says {
		if !strings.Contains(stdout, s) {
			t.Errorf("text report lacks %q:\n%s", s, stdout)
		}
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, fmt.Sprintf("%d blocker", rep.Summary.Blockers)) {
		t.Errorf("last line %q is not the summary", last)
	}
	if rep.Summary.Blockers+rep.Summary.Warnings > 0 && !strings.Contains(stdout, "Next actions:\n  1. ") {
		t.Errorf("no numbered next actions:\n%s", stdout)
	}

	// Strict: the same findings, exit 1 on a blocker (or an unexpected warning with
	// --fail-on-warning).
	code, strictOut, strictErr := runGfenroll(env, append(append([]string(nil), args...), "--strict", "--format", "json")...)
	if code != row.strictCode {
		t.Errorf("strict exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, row.strictCode, strictOut, strictErr)
	}
	if strict, err := finding.Decode([]byte(strictOut)); err != nil {
		t.Errorf("strict --format json: %v", err)
	} else if got := verdictList(strict); strings.Join(got, "\n") != strings.Join(verdictList(rep), "\n") {
		t.Errorf("strict run found %q, non-strict %q", got, verdictList(rep))
	}

	// Read-only on both services, and the token nowhere.
	for _, req := range gh.Requests() {
		if req.Method != "GET" {
			t.Errorf("GitHub got %s %s", req.Method, req.Path)
		}
	}
	outputs := []string{stdout, stderr, strictOut, strictErr, readFile(t, jsonPath), readFile(t, sarifPath)}
	for i, o := range outputs {
		if strings.Contains(o, gh.Token()) {
			t.Errorf("output %d holds the GitHub token", i)
		}
	}
	if !c.unreachable {
		assertKubeReadOnly(t, kenv, user.Name)
	}
}

// assertKubeReadOnly: the identity only read, and no secret response carried data.
func assertKubeReadOnly(t *testing.T, kenv *kubetest.Env, user string) {
	t.Helper()
	events := kenv.AuditEvents(t, func(e kubetest.AuditEvent) bool { return e.User.Username == user })
	if len(events) == 0 {
		t.Errorf("no audit events for %s: did the kube probes run?", user)
	}
	for _, e := range events {
		switch e.Verb {
		case "get", "list", "watch":
		default:
			t.Errorf("preflight identity sent %s: %s", e.Verb, e)
		}
		if e.Resource() == "secrets" && e.ResponseCarriesData() {
			t.Errorf("secret data served to the preflight: %s", e)
		}
	}
}

func TestPreflightUsageErrors(t *testing.T) {
	fixture := filepath.Join(overlaytest.RepoRoot(t), "e2e/overlays/tinyland-org")
	const token = "ghp_usageTOKENmustNotLeak000000000000000"
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"two distinct overlays", []string{"--overlay-root", fixture, "--overlay-root", filepath.Join(fixture, "../jess-personal")}, "checks one overlay"},
		{"bad repo", []string{"--overlay-root", fixture, "--repo", "tinyland-infra"}, `--repo "tinyland-infra": want OWNER/NAME`},
		{"zero timeout", []string{"--overlay-root", fixture, "--timeout", "0s"}, "--timeout 0s: must be positive"},
		{"recent runs", []string{"--overlay-root", fixture, "--recent-runs", "500"}, "--recent-runs 500: must be 1-100"},
		{"positional and flag", []string{fixture, "--overlay-root", fixture}, "both given"},
		{"too many positionals", []string{fixture, "a.tfvars", "o/r", "extra"}, `unexpected argument "extra"`},
		{"credentials in the API URL", []string{"--overlay-root", fixture, "--github-api-url", "https://x:" + token + "@ghe.example.com/api/v3"}, "credentials in the URL are not accepted"},
		{"missing overlay", []string{"--overlay-root", filepath.Join(t.TempDir(), "nope")}, "error input/"},
		{"unknown flag", []string{"--overlay-root", fixture, "--bogus"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runGfenroll(map[string]string{"GH_TOKEN": token}, append([]string{"preflight"}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("a report on unusable input:\n%s", stdout)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tc.stderr)
			}
			if strings.Contains(stdout+stderr, token) {
				t.Errorf("output holds the token")
			}
		})
	}
}

// Without a cluster (and without the kube test environment) the command still ends inside
// --timeout with both GitHub and Kubernetes verdicts, non-strict exit 0, strict exit 1.
func TestPreflightClusterUnreachableNoTestenv(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(overlaytest.RepoRoot(t), "e2e/github/scenarios/tinyland-org.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := fakegh.LoadScenario(data)
	if err != nil {
		t.Fatal(err)
	}
	gh := fakegh.Start(sc, fakegh.Options{})
	defer gh.Close()
	root := filepath.Join(overlaytest.RepoRoot(t), "e2e/overlays/tinyland-org")
	args := []string{"preflight", "--overlay-root", root, "--github-api-url", gh.URL(), "--kubeconfig", unreachableKubeconfig(t), "--timeout", "4s", "--format", "json"}
	env := map[string]string{"GH_TOKEN": gh.Token()}
	start := time.Now()
	code, stdout, stderr := runGfenroll(env, args...)
	if code != 0 || time.Since(start) > 7*time.Second {
		t.Fatalf("exit %d after %v\nstderr: %s", code, time.Since(start), stderr)
	}
	rep, err := finding.Decode([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if got := verdictList(rep); strings.Join(got, ",") != "blocker "+kube.RuleKubeUnreachable {
		t.Errorf("verdicts %q", got)
	}
	var proof bool
	for _, f := range rep.Findings {
		proof = proof || (f.Rule == "preflight/enrollment-proof" && f.Severity == finding.OK)
	}
	if !proof {
		t.Errorf("GitHub verdicts missing:\n%s", stdout)
	}
	if code, _, _ := runGfenroll(env, append(args, "--strict")...); code != 1 {
		t.Errorf("strict exit %d, want 1", code)
	}
	if strings.Contains(stdout+stderr, gh.Token()) {
		t.Error("output holds the token")
	}
}

func runGfenroll(env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	e := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string { return env[k] }}
	code = registry.Run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// unreachableKubeconfig names context "honey" on a loopback port nobody listens on.
func unreachableKubeconfig(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["gone"] = &clientcmdapi.Cluster{Server: "https://" + addr, InsecureSkipTLSVerify: true}
	cfg.AuthInfos["nobody"] = &clientcmdapi.AuthInfo{Token: "not-a-real-token"}
	cfg.Contexts["honey"] = &clientcmdapi.Context{Cluster: "gone", AuthInfo: "nobody"}
	cfg.CurrentContext = "honey"
	path := filepath.Join(t.TempDir(), "kubeconfig-unreachable")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func readReport(t *testing.T, path string) *finding.Report {
	t.Helper()
	rep, err := finding.Decode([]byte(readFile(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	s := readFile(t, path)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// verdictList is every blocker and warning as "severity rule[ (expected)]", sorted.
func verdictList(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity < finding.Warning {
			continue
		}
		v := f.Severity.String() + " " + f.Rule
		if f.Expected {
			v += " (expected)"
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}
