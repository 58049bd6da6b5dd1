package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

var update = flag.Bool("update", false, "rewrite golden files (expected.txt/expected.json of the overlay cases, testdata/golden)")

// gfenroll is the registry the tests run: the static commands under the real binary name,
// so goldens read exactly like `gfenroll check` output.
func gfenroll() *Registry { return NewRegistry("gfenroll", StaticCommands()...) }

// run executes args in-process with a hermetic environment (no GF_* variables leak in from
// the developer's shell).
func run(args ...string) result { return runRegistry(gfenroll(), nil, args...) }

// isInputCase reports a case whose rules are all input/<kind>: unusable input, exit 2.
func isInputCase(rules []string) bool {
	for _, r := range rules {
		if finding.Gate(r) != "input" {
			return false
		}
	}
	return len(rules) > 0
}

// TestOverlayGoldens runs `gfenroll check` on every base overlay and every broken variant,
// compares text and JSON with the goldens, checks the exit code, and asserts each variant
// breaks exactly the rules its VARIANT names: no more (a case must isolate one problem) and
// no less (the rule must really fire).
func TestOverlayGoldens(t *testing.T) {
	repo := overlaytest.RepoRoot(t)
	overlays := filepath.Join(repo, "e2e", "overlays")

	t.Run("base", func(t *testing.T) {
		bases := baseOverlays(t, overlays)
		if len(bases) < 2 {
			t.Fatalf("found %d base overlays in %s, want the organization and the personal one", len(bases), overlays)
		}
		for _, name := range bases {
			t.Run(name, func(t *testing.T) {
				work := t.TempDir()
				copyOverlay(t, filepath.Join(overlays, name), filepath.Join(work, name))
				golden := filepath.Join("testdata", "golden", name)
				checkCase(t, work, name, nil, nil, golden+".expected.txt", golden+".expected.json")
			})
		}
	})

	t.Run("broken", func(t *testing.T) {
		variants := overlaytest.Variants(t, filepath.Join(overlays, "broken"))
		if len(variants) == 0 {
			t.Fatal("no broken variants found")
		}
		for _, v := range variants {
			t.Run(v.Name, func(t *testing.T) {
				if len(v.Rules) == 0 && !v.Pass {
					t.Fatalf("VARIANT of %s names no rules on its second line (a pass case says \"rules: none\")", v.Name)
				}
				root := overlaytest.Materialize(t, v.Dir)
				work := filepath.Dir(root)
				// An --overlay-root in the case's args (VARIANT line 3) names another base
				// overlay, for estate cases; it is copied next to the case.
				args := v.Args
				for i := 0; i+1 < len(args); i++ {
					if args[i] == "--overlay-root" {
						copyOverlay(t, filepath.Join(overlays, args[i+1]), filepath.Join(work, args[i+1]))
					}
				}
				checkCase(t, work, v.Name, args, v.Rules,
					filepath.Join(v.Dir, "expected.txt"), filepath.Join(v.Dir, "expected.json"))
			})
		}
	})
}

// checkCase runs check from work (so every root is a short relative path and no temp path
// reaches an output) on the overlay work/name plus args.
func checkCase(t *testing.T, work, name string, args, rules []string, txtGolden, jsonGolden string) {
	t.Chdir(work)
	jsonOut := filepath.Join(t.TempDir(), "report.json")
	full := append([]string{"check", "--overlay-root", name}, args...)
	res := run(append(full, "--output", "json="+jsonOut)...)

	if isInputCase(rules) {
		if res.code != 2 || res.stdout != "" {
			t.Fatalf("input case: exit %d (want 2), stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
		}
		if _, err := os.Stat(jsonOut); !os.IsNotExist(err) {
			t.Errorf("input case wrote a report")
		}
		checkGolden(t, txtGolden, []byte(res.stderr))
		var kinds []string
		for _, line := range strings.Split(strings.TrimSpace(res.stderr), "\n") {
			if _, after, ok := strings.Cut(line, ": error "); ok {
				kind, _, _ := strings.Cut(after, ":")
				kinds = append(kinds, kind)
			}
		}
		assertSameSet(t, "input error kinds", kinds, rules)
		return
	}

	checkGolden(t, txtGolden, []byte(res.stdout))
	js, err := os.ReadFile(jsonOut)
	if err != nil {
		t.Fatalf("exit %d, no JSON report: %v\nstderr:\n%s", res.code, err, res.stderr)
	}
	checkGolden(t, jsonGolden, js)

	rep, err := finding.Decode(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Errorf("report breaks the model's invariants: %v", err)
	}
	var broken []string
	for _, f := range rep.Findings {
		if f.Severity == finding.Blocker || (f.Severity == finding.Warning && !f.Expected) {
			broken = append(broken, f.Rule)
		}
		if filepath.IsAbs(f.File) || strings.Contains(f.File, work) {
			t.Errorf("finding %s has a non-relative file %q", f.Rule, f.File)
		}
	}
	assertSameSet(t, "rules broken (blockers and unexpected warnings)", broken, rules)

	want := 1
	if len(rules) == 0 {
		want = 0
	}
	if res.code != want {
		hint := ""
		if want == 1 && rep.Summary.Blockers == 0 {
			hint = " (a case breaking only warning rules needs \"args: --fail-on-warning\" on line 3 of VARIANT)"
		}
		t.Errorf("exit %d, want %d%s\nstderr:\n%s", res.code, want, hint, res.stderr)
	}
}

func assertSameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	set := func(xs []string) []string {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		out := make([]string, 0, len(m))
		for x := range m {
			out = append(out, x)
		}
		sort.Strings(out)
		return out
	}
	g, w := set(got), set(want)
	if strings.Join(g, " ") != strings.Join(w, " ") {
		t.Errorf("%s = [%s], want [%s] (VARIANT line 2)", what, strings.Join(g, " "), strings.Join(w, " "))
	}
}

func baseOverlays(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && fileExists(filepath.Join(dir, e.Name(), "config", "organization.yaml")) {
			out = append(out, e.Name())
		}
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// copyOverlay copies a base overlay (an empty variant applied to it).
func copyOverlay(t *testing.T, src, dst string) {
	t.Helper()
	if fileExists(dst) {
		return
	}
	if err := overlaytest.MaterializeTo(overlaytest.Variant{Name: filepath.Base(dst), Dir: t.TempDir()}, src, dst); err != nil {
		t.Fatal(err)
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if !filepath.IsAbs(path) {
		// Relative goldens live in this package; tests may have changed directory.
		path = filepath.Join(packageDir, path)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./checks/cli -update, then review the new golden)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (if the change is intended: go test ./checks/cli -update, review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// packageDir is this package's directory, captured before any test changes directory.
var packageDir = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return wd
}()
