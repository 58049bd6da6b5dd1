package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// tree maps every path under dir to its content ("->target" for links, "/" for dirs).
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case rel == ".":
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			out[rel] = "->" + target
			return err
		case d.IsDir():
			out[rel] = "/"
		default:
			data, err := os.ReadFile(p)
			out[rel] = string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The command builds exactly the overlay the Go tests see, for a variant using every
// feature (replace, CRLF delete marker, delete a file, a directory over a file, a link).
func TestMaterializeMatchesLibrary(t *testing.T) {
	tmp := t.TempDir()
	variant := filepath.Join(tmp, "case")
	files := map[string]string{
		"VARIANT":                          "tinyland-org\nrules: pins/drift\n",
		"expected.txt":                     "x\n",
		"config/organization.yaml":         "changed: true\n",
		"MODULE.bazel":                     overlaytest.DeleteMarker + "\r\n",
		".github/workflows/new.yml":        "on: push\n",
		".github/workflows/deploy-arc.yml": overlaytest.DeleteMarker,
		"README.md/keep":                   "dir over file\n",
	}
	for rel, content := range files {
		p := filepath.Join(variant, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := filepath.Join(variant, "tofu", "stacks", "arc-runners")
	if err := os.MkdirAll(links, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop.tfvars", filepath.Join(links, "loop.tfvars")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "nested", "out")
	var stderr bytes.Buffer
	if code := run([]string{variant, out}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, want := tree(t, out), tree(t, overlaytest.Materialize(t, variant))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("command and library differ:\n cmd %v\n lib %v", got, want)
	}
	if _, ok := got["MODULE.bazel"]; ok {
		t.Error("delete marker with CRLF did not delete MODULE.bazel")
	}
	if got["config/organization.yaml"] != "changed: true\n" || got["README.md/keep"] == "" {
		t.Error("variant files were not laid over the base")
	}
	if _, ok := got[".github/workflows/validate.yml"]; !ok {
		t.Error("base file missing from the materialized overlay")
	}
}

func TestUsageAndInputErrorsExit2(t *testing.T) {
	tmp := t.TempDir()
	committed := filepath.Join(overlaytest.RepoRoot(t), "e2e", "overlays", "broken", "pins-drift")
	noBase := filepath.Join(tmp, "no-base")
	if err := os.MkdirAll(noBase, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(noBase, "VARIANT"), []byte("no-such-overlay\nrules: a/b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{},
		{committed},
		{tmp, filepath.Join(tmp, "x")},    // no VARIANT
		{noBase, filepath.Join(tmp, "y")}, // unknown base overlay
		{committed, tmp},                  // OUT_DIR exists
	} {
		var stderr bytes.Buffer
		if code := run(args, &stderr); code != 2 || !strings.HasPrefix(stderr.String(), "materialize: ") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("run %v: exit %d, stderr %q; want exit 2 and one materialize: line", args, code, stderr.String())
		}
	}
}
