package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
)

// inBases copies the named base overlays into a fresh work directory, changes into it and
// returns it; the overlays are then addressed by their names.
func inBases(t *testing.T, names ...string) string {
	t.Helper()
	repo := overlaytest.RepoRoot(t)
	work := t.TempDir()
	for _, n := range names {
		copyOverlay(t, filepath.Join(repo, "e2e", "overlays", n), filepath.Join(work, n))
	}
	t.Chdir(work)
	return work
}

func decode(t *testing.T, js string) *finding.Report {
	t.Helper()
	r, err := finding.Decode([]byte(js))
	if err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	return r
}

func rulesOf(r *finding.Report, sev finding.Severity) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity == sev {
			out = append(out, f.Rule)
		}
	}
	return out
}

// The expected core ref defaults to $GF_EXPECTED_CORE_REF; the flag overrides it.
func TestExpectedCoreRefFromEnvironment(t *testing.T) {
	inBases(t, "tinyland-org")
	const other = "0123456789abcdef0123456789abcdef01234567"
	env := map[string]string{EnvExpectedCoreRef: other}

	res := runRegistry(gfenroll(), env, "pins", "--overlay-root", "tinyland-org", "--format", "json")
	if res.code != 1 || !slices.Contains(rulesOf(decode(t, res.stdout), finding.Blocker), pins.RuleExpectedRef) {
		t.Errorf("GF_EXPECTED_CORE_REF=%s: exit %d, want a %s blocker:\n%s", other, res.code, pins.RuleExpectedRef, res.stdout)
	}
	res = runRegistry(gfenroll(), nil, "pins", "--overlay-root", "tinyland-org", "--expected-core-ref", other, "--format", "json")
	if res.code != 1 {
		t.Errorf("--expected-core-ref: exit %d, want 1", res.code)
	}
	// The flag wins over the environment: the pinned commit itself passes.
	o, err := overlay.Load("tinyland-org", overlay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pinned := o.Org.Core.PinnedCommit.Value
	if res := runRegistry(gfenroll(), env, "pins", "--overlay-root", "tinyland-org", "--expected-core-ref", pinned); res.code != 0 {
		t.Errorf("--expected-core-ref %s with GF_EXPECTED_CORE_REF=%s: exit %d, want 0 (the flag wins)\n%s", pinned, other, res.code, res.stdout)
	}
}

// Every gate command runs only its own rules; check runs every gate's rules.
func TestGateCommandsRunTheirRules(t *testing.T) {
	inBases(t, "tinyland-org")
	for _, cmd := range []string{"check", "pins", "taxonomy", "workflows", "admission"} {
		res := run(cmd, "--overlay-root", "tinyland-org", "--format", "json")
		if res.code != 0 {
			t.Errorf("%s on the clean overlay: exit %d\n%s%s", cmd, res.code, res.stdout, res.stderr)
			continue
		}
		gates := map[string]bool{}
		for _, r := range decode(t, res.stdout).Rules {
			gates[finding.Gate(r.ID)] = true
		}
		want := []string{cmd}
		if cmd == "check" {
			want = []string{"enrollment", "pins", "taxonomy", "workflows", "admission"}
		}
		if len(gates) != len(want) {
			t.Errorf("%s evaluated the rules of gates %v, want %v", cmd, gates, want)
		}
		for _, g := range want {
			if !gates[g] {
				t.Errorf("%s did not evaluate the %s rules", cmd, g)
			}
		}
	}
}

// Several roots: each overlay's findings carry its root, the estate table appears, and an
// overlay's declared expected warnings apply to that overlay only.
func TestSeveralOverlays(t *testing.T) {
	inBases(t, "tinyland-org", "jess-personal")
	res := run("check", "--overlay-root", "tinyland-org", "--overlay-root", "jess-personal", "--format", "json")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := decode(t, res.stdout)
	roots := map[string]bool{}
	for _, f := range r.Findings {
		root, _, _ := strings.Cut(f.File, "/")
		roots[root] = true
		if f.Severity == finding.Warning && !f.Expected {
			t.Errorf("unexpected warning %s at %s: jess-personal declares its anchor expected", f.Rule, f.Position)
		}
	}
	if !roots["tinyland-org"] || !roots["jess-personal"] || len(roots) != 2 {
		t.Errorf("findings are not prefixed with their overlay root: %v", roots)
	}
	if len(r.Tables) == 0 {
		t.Errorf("no per-cluster capacity table with several overlays")
	}
	text := run("check", "--overlay-root", "tinyland-org", "--overlay-root", "jess-personal").stdout
	for _, tb := range r.Tables {
		if !strings.Contains(text, tb.Title+":\n") {
			t.Errorf("text output lacks table %q:\n%s", tb.Title, text)
		}
	}

	if res := run("check", "--overlay-root", "tinyland-org", "--overlay-root", "./tinyland-org/"); res.code != 2 || !strings.Contains(res.stderr, "names the same overlay") {
		t.Errorf("the same overlay twice: exit %d %q", res.code, res.stderr)
	}
}

// --expect-warning adds to the overlay's declared expectations, and --fail-on-warning fails
// only on warnings nobody declared.
func TestExpectedWarnings(t *testing.T) {
	inBases(t, "jess-personal")
	res := run("check", "--overlay-root", "jess-personal", "--fail-on-warning", "--format", "json")
	r := decode(t, res.stdout)
	if res.code != 0 || r.Summary.ExpectedWarnings == 0 || r.Summary.Warnings != 0 {
		t.Fatalf("jess-personal declares its warnings expected: exit %d summary %+v", res.code, r.Summary)
	}
	text := run("check", "--overlay-root", "jess-personal").stdout
	if !strings.Contains(text, " (expected)\n") || !strings.Contains(text, "(1 expected)") && !strings.Contains(text, " expected)\n") {
		t.Errorf("text does not mark expected warnings:\n%s", text)
	}

	res = run("check", "--overlay-root", "jess-personal", "--expect-warning", "workflows/not-a-rule")
	if res.code != 0 || !strings.Contains(res.stderr, "--expect-warning workflows/not-a-rule matched no warning") {
		t.Errorf("a stale --expect-warning is not noted: exit %d stderr %q", res.code, res.stderr)
	}
	if res := run("pins", "--overlay-root", "jess-personal", "--expect-warning", "taxonomy/whatever"); strings.Contains(res.stderr, "matched no warning") {
		t.Errorf("pins notes an expectation for a gate it did not run: %q", res.stderr)
	}
}

// All outputs of one run agree, land atomically, and hold no absolute path.
func TestSeveralOutputsOneRun(t *testing.T) {
	work := inBases(t, "jess-personal")
	res := run("check", "--overlay-root", "jess-personal", "--format", "sarif",
		"--output", "json=out/r.json", "--output", "junit=out/r.xml", "--output", "text=out/r.txt", "--output", "github=out/r.github")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, `"version": "2.1.0"`) {
		t.Errorf("stdout is not SARIF:\n%.200s", res.stdout)
	}
	for _, name := range []string{"r.json", "r.xml", "r.txt", "r.github"} {
		b, err := os.ReadFile(filepath.Join(work, "out", name))
		if err != nil {
			t.Error(err)
			continue
		}
		if strings.Contains(string(b), work) {
			t.Errorf("%s contains the absolute overlay path", name)
		}
	}
	txt, _ := os.ReadFile(filepath.Join(work, "out", "r.txt"))
	if want := run("check", "--overlay-root", "jess-personal").stdout; string(txt) != want {
		t.Errorf("--output text differs from stdout text")
	}
}

// Under bazel test the command writes JUnit to $XML_OUTPUT_FILE and reports named after
// the command into $TEST_UNDECLARED_OUTPUTS_DIR.
func TestBazelTestEnvironment(t *testing.T) {
	work := inBases(t, "tinyland-org")
	outs := filepath.Join(work, "test.outputs")
	if err := os.Mkdir(outs, 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XML_OUTPUT_FILE": filepath.Join(work, "test.xml"), "TEST_UNDECLARED_OUTPUTS_DIR": outs}
	if res := runRegistry(gfenroll(), env, "taxonomy", "--overlay-root", "tinyland-org"); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, name := range []string{"test.xml", "test.outputs/taxonomy.report.json", "test.outputs/taxonomy.report.sarif", "test.outputs/taxonomy.report.txt"} {
		if !fileExists(filepath.Join(work, name)) {
			t.Errorf("%s not written", name)
		}
	}
	xml, _ := os.ReadFile(filepath.Join(work, "test.xml"))
	if !strings.Contains(string(xml), `<testcase classname="taxonomy" name="taxonomy/`) {
		t.Errorf("test.xml has no rule-level taxonomy testcases:\n%s", xml)
	}
}

// --workflow-pins moves the workflow rules (pins/workflow-pin and the other pins/workflow-*)
// from the pins gate to the workflows gate (what the
// Bazel rules do, so each test reads only its own files): the pins gate then neither reports
// nor registers it, the workflows gate does both, and check reports it exactly once.
func TestWorkflowPinsFlagMovesTheRule(t *testing.T) {
	repo := overlaytest.RepoRoot(t)
	root := overlaytest.Materialize(t, filepath.Join(repo, "e2e", "overlays", "broken", "pins-workflow-pin"))
	count := func(r *finding.Report) (findings int, registered bool) {
		for _, f := range r.Findings {
			if f.Rule == pins.RuleWorkflowPin {
				findings++
			}
		}
		for _, x := range r.Rules {
			registered = registered || x.ID == pins.RuleWorkflowPin
		}
		return findings, registered
	}
	for _, c := range []struct {
		args           []string
		wantFindings   int
		wantRegistered bool
	}{
		// The case has one declared authority pin in use (info) and one stale (warning).
		{[]string{"check"}, 2, true},
		{[]string{"check", "--workflow-pins"}, 2, true},
		{[]string{"pins"}, 2, true},
		{[]string{"pins", "--workflow-pins"}, 0, false},
		{[]string{"workflows"}, 0, false},
		{[]string{"workflows", "--workflow-pins"}, 2, true},
	} {
		res := run(append(c.args, "--overlay-root", root, "--format", "json")...)
		if res.code != 0 {
			t.Errorf("%v: exit %d (a warning alone must not fail)\n%s", c.args, res.code, res.stderr)
			continue
		}
		n, reg := count(decode(t, res.stdout))
		if n != c.wantFindings || reg != c.wantRegistered {
			t.Errorf("%v: %d %s findings (registered %v), want %d (registered %v)",
				c.args, n, pins.RuleWorkflowPin, reg, c.wantFindings, c.wantRegistered)
		}
	}
}
