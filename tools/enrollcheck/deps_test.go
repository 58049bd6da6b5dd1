package main

import (
	"os/exec"
	"strings"
	"testing"
)

// forbidden are import path prefixes the hermetic checker must never link: its results must
// depend only on the overlay files (so Bazel may cache them), and it must stay cheap to
// build for every overlay's `bazel test`.
var forbidden = []string{
	"k8s.io/",
	"sigs.k8s.io/",
	"github.com/google/go-github",
	"golang.org/x/oauth2",
	"github.com/tinyland-inc/gf-enrollment/checks/preflight",
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi",
}

// TestHermeticDependencies asserts the dependency closure of this binary with `go list
// -deps` (the same view the linker gets), so a new import anywhere under checks/cli that
// drags in a network client fails here rather than in an overlay's Bazel build.
func TestHermeticDependencies(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	sawCLI := false
	for _, d := range deps {
		if d == "github.com/tinyland-inc/gf-enrollment/checks/cli" {
			sawCLI = true
		}
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("hermetic checker links %s (forbidden prefix %s); move the import out of the static commands", d, f)
			}
		}
	}
	if !sawCLI {
		t.Fatalf("go list -deps did not list checks/cli; the dependency view is wrong:\n%s", out)
	}
	t.Logf("%d non-standard packages linked:\n  %s", len(deps), strings.Join(deps, "\n  "))
}
