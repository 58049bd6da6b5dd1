package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// fuzzTargets are the overlay files FuzzCheck replaces, one per parser.
var fuzzTargets = []string{
	"config/organization.yaml",
	"MODULE.bazel",
	"tofu/stacks/arc-runners/tinyland.tfvars",
	".github/workflows/validate.yml",
}

// FuzzCheck runs the whole check command (loader, every gate, the renderers) on the
// organization overlay with one file replaced by fuzzed bytes. Whatever the input, the
// command must end in one of its three exit codes: 2 with only input-error lines and no
// report, or 0/1 with a report that keeps the model's invariants (every blocker and warning
// has a next action) and no absolute path. A panic anywhere fails the target.
func FuzzCheck(f *testing.F) {
	base := filepath.Join(overlaytest.RepoRoot(f), "e2e", "overlays", "tinyland-org")
	for i, rel := range fuzzTargets {
		data, err := os.ReadFile(filepath.Join(base, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(0), []byte("owner:\n  slug: [a, b]\ncore: 3\n"))
	f.Add(uint8(2), []byte("extra_runner_sets = { x = { runner_label = 1 } }\n"))
	f.Add(uint8(3), []byte("on: pull_request_target\njobs:\n  a:\n    runs-on: ${{ matrix.x }}\n"))

	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		rel := fuzzTargets[int(which)%len(fuzzTargets)]
		root := filepath.Join(t.TempDir(), "overlay")
		copyOverlay(t, base, root)
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
		res := run("check", "--overlay-root", root, "--format", "json")
		switch res.code {
		case 2:
			if res.stdout != "" {
				t.Fatalf("exit 2 with a report on stdout")
			}
			for _, l := range strings.Split(strings.TrimRight(res.stderr, "\n"), "\n") {
				if !inputLine.MatchString(l) {
					t.Fatalf("exit 2 with a stderr line that is not an input error: %q", l)
				}
			}
		case 0, 1:
			r, err := finding.Decode([]byte(res.stdout))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if (res.code == 1) != (r.Summary.Blockers > 0) {
				t.Fatalf("exit %d with %d blockers", res.code, r.Summary.Blockers)
			}
			if strings.Contains(res.stdout, root) {
				t.Fatalf("report contains the absolute overlay path")
			}
		default:
			t.Fatalf("exit %d", res.code)
		}
	})
}
