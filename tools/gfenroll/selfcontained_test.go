package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// outsideReference matches a pointer to a document that is not in the repository: a
// specification section, an issue number, the design notes the project started from.
// Comments and docs say the rule itself instead, so a reader needs nothing else.
var outsideReference = regexp.MustCompile(`\bSPEC\b|(?i:\bspec (?:§|[0-9])|\bissue #?[0-9]+|\bthe seeds\b|\bseeds')`)

// selfContainedFile reports the files the check reads: code, docs, Starlark, scripts, BUILD
// files, recipes and fixture texts.
func selfContainedFile(name string) bool {
	switch filepath.Ext(name) {
	case ".go", ".md", ".bzl", ".sh", ".yaml", ".yml", ".tfvars":
		return true
	}
	switch name {
	case "BUILD", "BUILD.bazel", "Justfile", "VARIANT", "MODULE.bazel", "WORKSPACE.bazel":
		return true
	}
	return false
}

func TestNoReferencesOutsideTheRepository(t *testing.T) {
	root := overlaytest.RepoRoot(t)
	self, err := filepath.Abs("selfcontained_test.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "bazel-")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !selfContainedFile(d.Name()) || p == self {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if m := outsideReference.FindString(line); m != "" {
				rel, _ := filepath.Rel(root, p)
				t.Errorf("%s:%d: %q refers to a document outside the repository; say the rule itself", rel, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d files under %s", checked, root)
	}
}

func TestOutsideReferencePattern(t *testing.T) {
	for _, s := range []string{"gate pins (SPEC 3.1)", "see spec §2", "issue 2", "Issue #12", "the seeds' defaults", "The seeds record"} {
		if !outsideReference.MatchString(s) {
			t.Errorf("%q not caught", s)
		}
	}
	for _, s := range []string{"spec.runnerScaleSetName", "an --output spec", "fuzz seed corpora", "addSeeds(f, seeds...)", "type Spec struct", "no issue here"} {
		if outsideReference.MatchString(s) {
			t.Errorf("%q flagged", s)
		}
	}
}
