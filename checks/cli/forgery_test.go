package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/render"
)

// forgedCommand is what a value tries to print as a line of its own (no slash: it is also
// part of file names).
const forgedCommand = "::error file=MODULE.bazel,line=1::forged"

// assertUnforgeable fails when out (stdout or stderr of one run) has a line that a CI
// runner would take as a workflow command and that is not one of ours (own counts the
// github format's annotations), or a raw control character.
func assertUnforgeable(t *testing.T, what, out string, own int) {
	t.Helper()
	commands := 0
	for i, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") {
			commands++
			if own == 0 || !(strings.HasPrefix(l, "::error ") || strings.HasPrefix(l, "::warning ") || strings.HasPrefix(l, "::notice ")) {
				t.Errorf("%s line %d is a forged workflow command: %q", what, i+1, l)
			}
		}
		if strings.Contains(l, "##[") {
			t.Errorf("%s line %d carries a legacy workflow command: %q", what, i+1, l)
		}
	}
	if commands != own {
		t.Errorf("%s has %d lines starting with \"::\", want %d:\n%s", what, commands, own, out)
	}
	for _, r := range out {
		if r != '\n' && finding.Unsafe(r) {
			t.Errorf("%s carries a raw %U:\n%q", what, r, out)
			break
		}
	}
}

// TestValuesCannotForgeOutputLines: overlay values and file names with newlines, escape
// sequences and workflow commands reach stderr notes, input-error lines and every report
// format without starting a line of their own.
func TestValuesCannotForgeOutputLines(t *testing.T) {
	const tfvarsDir = "tofu/stacks/arc-runners/"
	payload := "\n" + forgedCommand + " \x1b[31mred\x1b[0m \u2028" + forgedCommand + " ##[error]legacy"
	yamlPayload := strings.NewReplacer("\n", `\n`, "\x1b", `\e`, "\u2028", `\L`).Replace(payload)

	t.Run("expected_warnings note", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(overlaytest.RepoRoot(t), "e2e", "overlays", baseOverlay, "config", "organization.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		org := string(b)
		org = strings.Replace(org, "expected_warnings: []", `expected_warnings: ["pins/drift`+yamlPayload+`"]`, 1)
		work, name := variantFiles(t, map[string]string{"config/organization.yaml": org}, nil)
		t.Chdir(work)
		for _, f := range render.Formats() {
			res := run("check", "--overlay-root", name, "--format", string(f))
			if res.code == 2 {
				t.Fatalf("exit 2:\n%s", res.stderr)
			}
			if !strings.Contains(res.stderr, "note: enrollment.expected_warnings") {
				t.Fatalf("no stale-expectation note, so this case proves nothing:\n%s", res.stderr)
			}
			assertUnforgeable(t, "stderr", res.stderr, 0)
			own := 0
			if f == render.GitHub {
				own = annotations(t, name)
			}
			assertUnforgeable(t, string(f)+" report", res.stdout, own)
		}
	})

	t.Run("input error in a file whose name forges a line", func(t *testing.T) {
		work, name := variantFiles(t, map[string]string{tfvarsDir + "x" + payload + ".tfvars": "broken = {\n"}, nil)
		t.Chdir(work)
		res := run("check", "--overlay-root", name)
		if res.code != 2 || !strings.Contains(res.stderr, "error input/") {
			t.Fatalf("exit %d, want 2 with an input error:\n%s\n%s", res.code, res.stderr, res.stdout)
		}
		assertUnforgeable(t, "stderr", res.stderr, 0)
		lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], tfvarsDir+`x\x0a::error`) || !strings.Contains(lines[0], ".tfvars:2:1: error input/syntax: ") {
			t.Errorf("want one input problem naming the escaped file, got:\n%s", res.stderr)
		}
	})

	t.Run("missing --tfvars named with a forged line", func(t *testing.T) {
		work, name := variantFiles(t, nil, nil)
		t.Chdir(work)
		res := run("check", "--overlay-root", name, "--tfvars", tfvarsDir+"absent"+payload+".tfvars")
		if res.code != 2 {
			t.Fatalf("exit %d, want 2:\n%s", res.code, res.stderr)
		}
		assertUnforgeable(t, "stderr", res.stderr, 0)
		if n := strings.Count(strings.TrimRight(res.stderr, "\n"), "\n"); n != 0 {
			t.Errorf("one missing file printed %d lines:\n%s", n+1, res.stderr)
		}
	})
}

// annotations is how many workflow commands the github format may print for the overlay:
// one per finding that is not ok.
func annotations(t *testing.T, name string) int {
	t.Helper()
	res := run("check", "--overlay-root", name, "--format", "json")
	var rep finding.Report
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("json report: %v", err)
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Severity != finding.OK {
			n++
		}
	}
	return n
}
