package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
)

// run executes gfenroll with args, an environment map and optional stdin.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin),
		Getenv: func(k string) string { return env[k] }}
	code = registry.Run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

const plans = "../../e2e/plans/"

func TestPlanGuardCommand(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{name: "no-op plan passes", args: []string{"plan-guard", plans + "noop.json"}, code: 0,
			stdout: []string{"ok plan-guard/no-destroy", "0 blockers / 0 warnings"}},
		{name: "replace blocks", args: []string{"plan-guard", plans + "namespace-replace.json"}, code: 1,
			stdout: []string{"blocker plan-guard/destroy: kubernetes_namespace_v1.arc_runners will be REPLACED", "2 blockers / 0 warnings"}},
		{name: "delete blocks", args: []string{"plan-guard", plans + "secret-delete.json"}, code: 1,
			stdout: []string{`kubernetes_secret_v1.github_app["arc-systems"] will be DESTROYED (delete_because_no_resource_config)`}},
		{name: "allowed with exactly 1", env: map[string]string{"ALLOW_ARC_DESTROY": "1"}, args: []string{"plan-guard", plans + "secret-delete.json"}, code: 0,
			stdout: []string{"warning plan-guard/destroy: DESTROY ALLOWED by ALLOW_ARC_DESTROY=1", "0 blockers / 2 warnings"},
			stderr: []string{"!!! ALLOW_ARC_DESTROY=1: 2 destroy/replace finding(s) ALLOWED"}},
		{name: "allowed but fail-on-warning", env: map[string]string{"ALLOW_ARC_DESTROY": "1"}, args: []string{"plan-guard", plans + "secret-delete.json", "--fail-on-warning"}, code: 1},
		{name: "true stays blocked", env: map[string]string{"ALLOW_ARC_DESTROY": "true"}, args: []string{"plan-guard", plans + "secret-delete.json"}, code: 1,
			stdout: []string{`warning plan-guard/allow-destroy-value: ALLOW_ARC_DESTROY="true" is not exactly "1" (only the digit 1 counts, not a word), so destroys stay blocked`}},
		{name: "leading space stays blocked", env: map[string]string{"ALLOW_ARC_DESTROY": " 1"}, args: []string{"plan-guard", plans + "secret-delete.json"}, code: 1,
			stdout: []string{"(it has surrounding whitespace)"}},
		{name: "trailing space stays blocked", env: map[string]string{"ALLOW_ARC_DESTROY": "1 "}, args: []string{"plan-guard", plans + "secret-delete.json"}, code: 1},
		{name: "yes stays blocked", env: map[string]string{"ALLOW_ARC_DESTROY": "yes"}, args: []string{"plan-guard", plans + "namespace-replace.json"}, code: 1},
		{name: "forget is not a destroy", args: []string{"plan-guard", plans + "forget.json"}, code: 0, stdout: []string{"info plan-guard/forget"}},
		{name: "flags after the file", args: []string{"plan-guard", plans + "noop.json", "--format", "json"}, code: 0, stdout: []string{`"rule": "plan-guard/no-destroy"`}},
		{name: "flags before the file", args: []string{"plan-guard", "--quiet", plans + "noop.json"}, code: 0, stdout: []string{"0 blockers / 0 warnings"}},
		{name: "state is not a plan", args: []string{"plan-guard", plans + "invalid/state.json"}, code: 2, noStdout: true,
			stderr: []string{plans + "invalid/state.json: error input/type: this is state output"}},
		{name: "truncated", args: []string{"plan-guard", plans + "invalid/truncated.json"}, code: 2, noStdout: true,
			stderr: []string{"error input/syntax: truncated plan JSON"}},
		{name: "binary plan", args: []string{"plan-guard", plans + "invalid/binary.tfplan"}, code: 2, noStdout: true,
			stderr: []string{"binary plan file"}},
		{name: "wrong types", args: []string{"plan-guard", plans + "invalid/actions-string.json"}, code: 2, noStdout: true,
			stderr: []string{"change.actions must be a list of strings"}},
		{name: "missing file", args: []string{"plan-guard", "nope.json"}, code: 2, noStdout: true,
			stderr: []string{"nope.json: error input/missing: cannot read plan"}},
		{name: "no argument", args: []string{"plan-guard"}, code: 2, noStdout: true, stderr: []string{"want exactly one PLAN.json argument (got 0)"}},
		{name: "two arguments", args: []string{"plan-guard", plans + "noop.json", plans + "forget.json"}, code: 2, noStdout: true,
			stderr: []string{"(got 2)"}},
		{name: "bad flag after the file", args: []string{"plan-guard", plans + "noop.json", "--bogus"}, code: 2, noStdout: true,
			stderr: []string{"flag provided but not defined: -bogus"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.env, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tc.noStdout && stdout != "" {
				t.Errorf("refused input still printed a report:\n%s", stdout)
			}
		})
	}
}

func TestPlanGuardStdin(t *testing.T) {
	data, err := os.ReadFile(plans + "create-before-destroy.json")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, nil, string(data), "plan-guard", "-", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule string `json:"rule"`
			File string `json:"file"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 || rep.Findings[0].File != "<stdin>" || rep.Findings[0].Rule != "plan-guard/destroy" {
		t.Errorf("findings = %+v", rep.Findings)
	}
}

const (
	fixtureSHA = "637b7167c400a842cdc7af0709b2251c0542a48a"
	otherSHA   = "defff7fb7d1f3457c5270ce2e57ac6077e797b1c"
)

// copyOverlay copies the tinyland-org fixture overlay into a temp dir.
func copyOverlay(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "tinyland-infra")
	overlaytest.CopyBase(t, "tinyland-org", dst)
	return dst
}

func TestPinCommand(t *testing.T) {
	root := copyOverlay(t)
	org := filepath.Join(root, "config/organization.yaml")
	mod := filepath.Join(root, "MODULE.bazel")
	orgBefore, _ := os.ReadFile(org)
	modBefore, _ := os.ReadFile(mod)

	// --check against another commit: exit 1, nothing written.
	code, stdout, stderr := run(t, nil, "", "pin", otherSHA, "--overlay-root", root, "--check")
	if code != 1 || !strings.Contains(stdout, "blocker pin-update/would-move") || !strings.Contains(stdout, "gfenroll pin "+otherSHA) {
		t.Fatalf("check: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(org); !bytes.Equal(b, orgBefore) {
		t.Fatal("--check wrote organization.yaml")
	}

	// Move: exit 0, diff is exactly the two values (and the deploy workflow's GF_CORE_REF,
	// which follows them), pins gate confirms.
	code, stdout, stderr = run(t, nil, "", "pin", otherSHA, "--overlay-root", root)
	if code != 0 || strings.Count(stdout, "ok pin-update/moved") != 3 || !strings.Contains(stdout, "pins agree at "+otherSHA) {
		t.Fatalf("pin: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for path, before := range map[string][]byte{org: orgBefore, mod: modBefore} {
		after, _ := os.ReadFile(path)
		if want := bytes.Replace(before, []byte(fixtureSHA), []byte(otherSHA), 1); !bytes.Equal(after, want) {
			t.Errorf("%s: more than the pin changed", path)
		}
	}

	// --check at the new commit: exit 0.
	if code, stdout, _ = run(t, nil, "", "pin", otherSHA, "--overlay-root", root, "--check"); code != 0 || strings.Count(stdout, "ok pin-update/unchanged") != 3 {
		t.Errorf("check after move: exit %d\n%s", code, stdout)
	}

	// Refusal: a name without any resolver route and no core.repository token.
	code, stdout, stderr = run(t, nil, "", "pin", "main", "--overlay-root", root)
	if code != 2 || stdout != "" || !strings.Contains(stderr, "error input/missing: cannot resolve \"main\"") || !strings.Contains(stderr, "no token in GITHUB_TOKEN or GH_TOKEN") {
		t.Errorf("unresolvable name: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if code, _, stderr = run(t, nil, "", "pin", "--overlay-root", root); code != 2 || !strings.Contains(stderr, "want exactly one REF") {
		t.Errorf("no REF: exit %d %s", code, stderr)
	}
}

// TestPinResolvesThroughCoreCheckout uses a real git repository as GF_CORE_PATH.
func TestPinResolvesThroughCoreCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	core := t.TempDir()
	gitEnv := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"commit", "-q", "--allow-empty", "-m", "core"}, {"tag", "v1.4.0"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = core, gitEnv
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	head, err := exec.Command("git", "-C", core, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.TrimSpace(string(head))

	root := copyOverlay(t)
	code, stdout, stderr := run(t, map[string]string{"GF_CORE_PATH": core}, "", "pin", "v1.4.0", "--overlay-root", root)
	if code != 0 || !strings.Contains(stdout, "v1.4.0 resolved to "+sha+" through the local core checkout (GF_CORE_PATH)") || strings.Count(stdout, "ok pin-update/moved") != 3 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, core) {
		t.Error("output carries the core checkout's absolute path")
	}
}

// TestPinResolvesThroughGitHub uses the loopback GitHub stand-in for the commits API.
func TestPinResolvesThroughGitHub(t *testing.T) {
	srv := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{{
		FullName: "tinyland-inc/GloriousFlywheel",
		Refs:     map[string]string{"main": otherSHA},
	}}}, fakegh.Options{})
	defer srv.Close()
	env := map[string]string{"GITHUB_TOKEN": srv.Token()}

	root := copyOverlay(t)
	code, stdout, stderr := run(t, env, "", "pin", "main", "--overlay-root", root, "--github-api-url", srv.URL())
	if code != 0 || !strings.Contains(stdout, "main resolved to "+otherSHA+" through the GitHub commits API (tinyland-inc/GloriousFlywheel)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, env, "", "pin", "no-such-branch", "--overlay-root", root, "--github-api-url", srv.URL())
	if code != 2 || !strings.Contains(stderr, `has no branch, tag or commit "no-such-branch"`) {
		t.Errorf("unknown ref: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, srv.Token()) {
		t.Error("token in output")
	}
	for _, req := range srv.Requests() {
		if req.Method != "GET" {
			t.Errorf("pin sent %s %s", req.Method, req.Path)
		}
	}
}

// A report target that is not a regular file or a new path is refused when the flags are
// parsed, before any command does its work: pin moves no pin, and every command exits 2
// without a report and leaves the target as it was.
func TestSpecialReportTargetRefusedBeforeWork(t *testing.T) {
	root := copyOverlay(t)
	org := filepath.Join(root, "config/organization.yaml")
	orgBefore, _ := os.ReadFile(org)
	fifo := filepath.Join(t.TempDir(), "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(overlaytest.RepoRoot(t), "e2e/plans/helm-upgrade.json")
	for _, args := range [][]string{
		{"pin", otherSHA, "--overlay-root", root, "--output", "json=" + fifo},
		{"check", "--overlay-root", root, "--output", "sarif=" + fifo},
		{"plan-guard", plan, "--output", "json=" + fifo},
	} {
		code, stdout, stderr := run(t, nil, "", args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "is a named pipe (FIFO), not a regular file") {
			t.Errorf("%s: exit %d\nstdout %q\nstderr %q", args[0], code, stdout, stderr)
		}
		if st, err := os.Lstat(fifo); err != nil || st.Mode().Type() != os.ModeNamedPipe {
			t.Errorf("%s replaced the FIFO: %v %v", args[0], st.Mode(), err)
		}
	}
	if b, _ := os.ReadFile(org); !bytes.Equal(b, orgBefore) {
		t.Error("pin moved the pins although its report could not be written")
	}
}
