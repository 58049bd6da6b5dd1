package gates

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Starlark cannot read this package, so the Bazel macro keeps its own list of gate tests;
// this test makes it follow All: one test per hermetic gate, plus the live preflight.
func TestBazelMacroListsEveryGate(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "rules", "private", "checks.bzl"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range All {
		names = append(names, g.Name)
	}
	list := func(re string) []string {
		m := regexp.MustCompile(re).FindSubmatch(b)
		if m == nil {
			t.Fatalf("rules/private/checks.bzl has no match for %s", re)
		}
		var out []string
		for _, q := range regexp.MustCompile(`"([a-z-]+)"`).FindAllSubmatch(m[1], -1) {
			out = append(out, string(q[1]))
		}
		return out
	}
	if got := list(`(?m)^GATES = \[([^\]]*)\]`); !slices.Equal(got, append(slices.Clone(names), "preflight")) {
		t.Errorf("GATES = %q, want %q plus preflight", got, names)
	}
	if got := list(`for gate in \[([^\]]*)\]:`); !slices.Equal(got, names) {
		t.Errorf("the macro makes tests for %q, want %q", got, names)
	}
}

// Every gate is complete, and its rules belong to it.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range All {
		if g.Name == "" || g.Summary == "" || g.Description == "" || len(g.Examples) == 0 || g.Rules == nil || g.Registered == nil || g.Check == nil {
			t.Errorf("gate %q is incomplete", g.Name)
			continue
		}
		if seen[g.Name] {
			t.Errorf("gate %s listed twice", g.Name)
		}
		seen[g.Name] = true
		for _, r := range g.Rules() {
			if !strings.HasPrefix(r.ID, g.Name+"/") {
				t.Errorf("gate %s lists rule %s", g.Name, r.ID)
			}
		}
	}
	if got := Named("workflows", "pins"); len(got) != 2 || got[0].Name != "pins" {
		t.Errorf("Named keeps All's order: %v", got)
	}
}

// The preflight's flags are the hermetic ones less --workflow-pins.
func TestFlags(t *testing.T) {
	hermetic, live := flag.NewFlagSet("h", flag.ContinueOnError), flag.NewFlagSet("l", flag.ContinueOnError)
	var fh, fl Flags
	env := func(k string) string { return map[string]string{EnvExpectedCoreRef: "main"}[k] }
	fh.Register(hermetic, env, false)
	fl.Register(live, env, true)
	if err := hermetic.Parse([]string{"--workflow-pins", "--expect-warning", "a/b", "--expect-warning", "c/d", "--core"}); err != nil {
		t.Fatal(err)
	}
	if !fh.WorkflowPins || !fh.Core || !slices.Equal(fh.ExpectWarnings, []string{"a/b", "c/d"}) || fh.ExpectedCoreRef != "main" {
		t.Errorf("parsed %+v", fh)
	}
	if live.Lookup("workflow-pins") != nil || live.Lookup("forbid-github-hosted") == nil {
		t.Error("live flags: want every gate flag but --workflow-pins")
	}
	if err := hermetic.Parse([]string{"--expect-warning", " "}); err == nil {
		t.Error("an empty --expect-warning was accepted")
	}
}
