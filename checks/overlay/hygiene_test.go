package overlay

import (
	"strings"
	"testing"
)

func TestScriptPositions(t *testing.T) {
	src := `on: push
jobs:
  a:
    runs-on: tinyland-nix
    needs: [b, "c"]
    steps:
      - run: |
          echo one
            nix build github:o/core/main#x
      - run: "git clone https://github.com/o/core"
      - run: git fetch https://github.com/o/core
      - run: >
          folded github:o/core
  b:
    runs-on: tinyland-nix
    needs: c
    steps: [{run: echo}]
  c: {runs-on: tinyland-nix, steps: [{run: "a\tb github:o/core"}]}
`
	wf := mustParseWorkflow(t, src)
	if lc(wf.OnPos) != "1:1" {
		t.Errorf("OnPos %s", lc(wf.OnPos))
	}
	a := jobByID(t, wf, "a")
	var needs []string
	for _, n := range a.Needs {
		needs = append(needs, n.Value+"@"+lc(n.Pos))
	}
	if got := strings.Join(needs, " "); got != "b@5:13 c@5:16" {
		t.Errorf("needs %s", got)
	}
	if b := jobByID(t, wf, "b"); len(b.Needs) != 1 || b.Needs[0].Value != "c" {
		t.Errorf("needs of b: %+v", b.Needs)
	}
	for _, c := range []struct {
		job  string
		step int
		word string
		want string
	}{
		{"a", 0, "github:", "9:23"},
		{"a", 0, "echo", "8:11"},
		{"a", 1, "https:", "10:25"},
		{"a", 2, "https:", "11:24"},
		{"a", 3, "github:", "12:14"}, // folded: the script's own position
		{"c", 0, "github:", "18:44"}, // an escape: likewise,
	} {
		s := jobByID(t, wf, c.job).Steps[c.step].Run
		off := strings.Index(s.Value, c.word)
		if off < 0 || !s.Set {
			t.Fatalf("%s step %d: %q not in %q", c.job, c.step, c.word, s.Value)
		}
		if got := lc(s.At(off)); got != c.want {
			t.Errorf("%s step %d %q at %s, want %s", c.job, c.step, c.word, got, c.want)
		}
	}
}

func TestParseOrgHygieneDeclarations(t *testing.T) {
	org, errs := ParseOrg(OrgFile, []byte(`enrollment:
  core_ref_env: [GLORIOUS_FLYWHEEL_CORE_COMMIT]
  credentials:
    retired: [GF_CORE_READ_TOKEN]
    checkout: [GITHUB_TOKEN]
  authority_pins:
    - commit: defff7fb7d1f3457c5270ce2e57ac6077e797b1c
      workflows: [deploy.yml]
      reason: state rehome
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	e := org.Enrollment
	if e.CoreRefEnv.Strings()[0] != "GLORIOUS_FLYWHEEL_CORE_COMMIT" || e.RetiredCredentials.Strings()[0] != "GF_CORE_READ_TOKEN" ||
		e.CheckoutCredentials.Strings()[0] != "GITHUB_TOKEN" {
		t.Errorf("lists: %+v", e)
	}
	if len(e.AuthorityPins) != 1 {
		t.Fatalf("authority pins: %+v", e.AuthorityPins)
	}
	p := e.AuthorityPins[0]
	if p.Commit.Value != "defff7fb7d1f3457c5270ce2e57ac6077e797b1c" || lc(p.Commit.Pos) != "7:15" ||
		p.Workflows.Strings()[0] != "deploy.yml" || p.Reason.Value != "state rehome" || lc(p.Pos) != "7:7" {
		t.Errorf("authority pin: %+v", p)
	}
	_, errs = ParseOrg(OrgFile, []byte("enrollment:\n  authority_pins: [x]\n"))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "enrollment.authority_pins[0]") {
		t.Errorf("errors: %v", errs)
	}
}
