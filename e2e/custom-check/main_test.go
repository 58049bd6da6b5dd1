package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

const org = `# minimal organization config: the custom check reads only the tfvars
owner:
  slug: acme
  account_kind: organization
`

// writeOverlay creates an overlay whose tfvars holds the given extra_runner_sets body.
func writeOverlay(t *testing.T, extraSets string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"config/organization.yaml": org,
		"tofu/stacks/arc-runners/acme.tfvars": `github_config_url = "https://github.com/acme"

extra_runner_sets = {
` + extraSets + `}
`,
	}
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := newProgram().Run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

func TestMaxRunnersPolicy(t *testing.T) {
	for _, c := range []struct {
		name      string
		sets      string
		wantCode  int
		wantLines []string
	}{
		{
			name: "every set capped",
			sets: `  heavy = {
    runner_label = "tinyland-nix-heavy"
    max_runners  = 4
  }
`,
			wantCode:  0,
			wantLines: []string{"tofu/stacks/arc-runners/acme.tfvars: ok capacity/max-runners-set: all 1 extra runner sets set max_runners", "0 blockers / 0 warnings"},
		},
		{
			name: "one set uncapped",
			sets: `  heavy = {
    runner_label = "tinyland-nix-heavy"
    max_runners  = 4
  }
  gpu = {
    runner_label = "tinyland-nix-gpu"
  }
`,
			wantCode: 1,
			wantLines: []string{
				"tofu/stacks/arc-runners/acme.tfvars:8:3: blocker capacity/max-runners-set: extra_runner_sets.gpu sets no max_runners",
				"  1. Add max_runners = <cap> to extra_runner_sets.gpu in tofu/stacks/arc-runners/acme.tfvars (the most runners the cluster may give this set).",
				"1 blocker / 0 warnings",
			},
		},
		{name: "no extra sets", sets: "", wantCode: 0, wantLines: []string{"0 blockers / 0 warnings"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, nil, "--overlay-root", writeOverlay(t, c.sets))
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.wantCode, out, errOut)
			}
			for _, l := range c.wantLines {
				if !strings.Contains(out, l+"\n") {
					t.Errorf("output lacks line %q:\n%s", l, out)
				}
			}
		})
	}
}

// Under `bazel test` the harness writes JUnit and the undeclared reports with no code in
// the checker itself.
func TestBazelTestOutputs(t *testing.T) {
	root := writeOverlay(t, "  gpu = {\n    runner_label = \"tinyland-nix-gpu\"\n  }\n")
	outDir := t.TempDir()
	xmlFile := filepath.Join(outDir, "test.xml")
	code, _, _ := run(t, map[string]string{"XML_OUTPUT_FILE": xmlFile, "TEST_UNDECLARED_OUTPUTS_DIR": outDir}, "--overlay-root", root)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	b, err := os.ReadFile(xmlFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 || doc.Suites[0].Cases[0].Name != "capacity/max-runners-set" || doc.Suites[0].Cases[0].Failure == nil {
		t.Errorf("test.xml does not hold one failing capacity/max-runners-set case:\n%s", b)
	}
	js, err := os.ReadFile(filepath.Join(outDir, "custom-check.report.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := finding.Decode(js)
	if err != nil || rep.Summary.Blockers != 1 || rep.Tool != "custom-check" {
		t.Errorf("report json: %v %+v", err, rep)
	}
}

func TestUnusableInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := run(t, nil, "--overlay-root", filepath.Join(t.TempDir(), "absent"), "--output", "json="+out)
	if code != 2 || stdout != "" || !strings.Contains(stderr, ": error input/missing: ") || !strings.Contains(stderr, "does not exist") {
		t.Errorf("missing root: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("unusable input wrote %s", out)
	}
}

// Unusable input reaches the operator as the documented one line per problem, with exit 2
// and no report, through the harness alone (the checker returns the loader's error as is).
func TestBrokenFileHasTheInputPrefix(t *testing.T) {
	root := writeOverlay(t, "")
	tfvars := filepath.Join(root, "tofu/stacks/arc-runners/acme.tfvars")
	if err := os.WriteFile(tfvars, []byte("github_config_url = \"https://github.com/acme\"\nextra_runner_sets = {\n  gpu = \n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := run(t, nil, "--overlay-root", root, "--output", "json="+out)
	if code != 2 || stdout != "" {
		t.Fatalf("exit %d, want 2 and no report\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		if !strings.HasPrefix(line, "tofu/stacks/arc-runners/acme.tfvars:3:") || !strings.Contains(line, ": error input/syntax: ") {
			t.Errorf("stderr line %q is not file:line:col: error input/syntax: ...", line)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("unusable input wrote %s", out)
	}
}
