package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/ops/scaffold"
)

const initCommit = "637b7167c400a842cdc7af0709b2251c0542a48a"

func initArgs(dir, owner, kind, repo string) []string {
	args := []string{"init", "--dir", dir, "--owner", owner, "--account-kind", kind,
		"--core-repository", "tinyland-inc/GloriousFlywheel", "--core-module", "gloriousflywheel",
		"--core-commit", initCommit, "--cluster-context", "honey"}
	if repo != "" {
		args = append(args, "--repository", repo)
	}
	return args
}

// listFiles returns every file under dir, slash-separated and sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// A fresh skeleton passes every hermetic gate at once: 0 blockers, and for a personal
// account only the declared, expected repository-anchor warning.
func TestInitSkeletonPassesCheck(t *testing.T) {
	for _, tc := range []struct {
		owner, kind, repo string
		expected          []string
	}{
		{"acme-corp", "organization", "acme-corp/acme-infra", nil},
		{"acme-corp", "organization", "", nil},
		{"Jane-Doe", "personal", "Jane-Doe/jane-infra", []string{"taxonomy/repo-registration-anchor"}},
	} {
		t.Run(tc.kind+"/"+tc.repo, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "overlay")
			code, stdout, stderr := run(t, nil, "", initArgs(dir, tc.owner, tc.kind, tc.repo)...)
			if code != 0 {
				t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
			}
			in := scaffold.Inputs{Owner: tc.owner}
			want := []string{".github/workflows/validate.yml", "BUILD.bazel", "Justfile", "MODULE.bazel",
				"config/organization.yaml", "enrollment/BUILD.bazel", in.TfvarsPath()}
			slices.Sort(want)
			if got := listFiles(t, dir); !slices.Equal(got, want) {
				t.Errorf("wrote %v, want %v", got, want)
			}
			code, stdout, stderr = run(t, nil, "", "check", "--overlay-root", dir, "--format", "json")
			if code != 0 {
				t.Fatalf("check of a fresh skeleton: exit %d\n%s%s", code, stdout, stderr)
			}
			var r finding.Report
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatal(err)
			}
			var expected []string
			for _, f := range r.Findings {
				switch {
				case f.Severity == finding.Blocker || (f.Severity == finding.Warning && !f.Expected):
					t.Errorf("fresh skeleton: %s %s: %s", f.Severity, f.Rule, f.Message)
				case f.Expected:
					expected = append(expected, f.Rule)
				}
			}
			if !slices.Equal(expected, tc.expected) {
				t.Errorf("expected warnings %v, want %v", expected, tc.expected)
			}
			// The Justfile's gfenroll lines are valid invocations of this binary.
			b, err := os.ReadFile(filepath.Join(dir, "Justfile"))
			if err != nil {
				t.Fatal(err)
			}
			recipes, _ := parseJustText(t, "Justfile", string(b), map[string]string{"REF": initCommit})
			for _, name := range []string{"enrollment-check", "enrollment-preflight", "enrollment-preflight-strict", "arc-app-secret-dry-run",
				"arc-app-secret-apply", "arc-plan", "arc-plan-show", "arc-apply", "pin-refresh", "pin-check"} {
				r := recipes[name]
				if r == nil {
					t.Errorf("recipe %s is missing", name)
					continue
				}
				for _, line := range r.body {
					for _, cmd := range simpleCommands(line) {
						if words := stripEnvAssignments(shellWords(cmd)); len(words) > 0 && words[0] == "gfenroll" {
							checkInvocation(t, name, words)
						}
					}
				}
			}
		})
	}
}

// Without --force an existing file is never replaced and nothing at all is written.
func TestInitRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Justfile"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, nil, "", initArgs(dir, "acme-corp", "organization", "")...)
	if code != 2 || !strings.Contains(stderr, "Justfile: error input/exists: Justfile already exists") {
		t.Fatalf("exit %d, want 2 naming Justfile\n%s%s", code, stdout, stderr)
	}
	if got := listFiles(t, dir); !slices.Equal(got, []string{"Justfile"}) {
		t.Errorf("files after a refused init: %v, want only the existing Justfile", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Justfile")); string(b) != "mine\n" {
		t.Errorf("existing Justfile changed: %q", b)
	}
	// --force replaces it.
	if code, stdout, stderr := run(t, nil, "", append(initArgs(dir, "acme-corp", "organization", ""), "--force")...); code != 0 {
		t.Fatalf("--force: exit %d\n%s%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Justfile")); !strings.Contains(string(b), "enrollment-preflight") {
		t.Errorf("--force left the Justfile as it was")
	}
}

// Inputs are validated before anything is written: every problem is named at once.
func TestInitValidatesInputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "overlay")
	for _, tc := range []struct {
		name string
		edit func([]string) []string
		want string
	}{
		{"short sha", func(a []string) []string { return set(a, "--core-commit", "637b716") }, `--core-commit "637b716": want the full 40-character lowercase hex commit`},
		{"upper-case sha", func(a []string) []string { return set(a, "--core-commit", strings.ToUpper(initCommit)) }, "--core-commit"},
		{"bad owner", func(a []string) []string { return set(a, "--owner", "acme_corp") }, `--owner "acme_corp"`},
		{"leading hyphen", func(a []string) []string { return set(a, "--owner", "-acme") }, `--owner "-acme"`},
		{"bad kind", func(a []string) []string { return set(a, "--account-kind", "org") }, `--account-kind "org"`},
		{"bad core repo", func(a []string) []string { return set(a, "--core-repository", "GloriousFlywheel") }, "--core-repository"},
		{"bad module", func(a []string) []string { return set(a, "--core-module", "Glorious Flywheel") }, "--core-module"},
		{"empty context", func(a []string) []string { return set(a, "--cluster-context", "") }, "--cluster-context"},
		{"quote in context", func(a []string) []string { return set(a, "--cluster-context", `a"b`) }, "--cluster-context"},
		{"repo of another owner", func(a []string) []string { return append(a, "--repository", "other/acme-infra") }, "must belong to --owner"},
		{"personal without repository", func(a []string) []string { return set(a, "--account-kind", "personal") }, "--repository is required"},
		{"no dir", func(a []string) []string { return set(a, "--dir", "") }, "--dir is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, nil, "", tc.edit(initArgs(dir, "acme-corp", "organization", ""))...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 2 with %q\n%s%s", code, tc.want, stdout, stderr)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("invalid input wrote %s", dir)
			}
		})
	}
}

// A write that fails part way leaves nothing behind: the files already placed are removed
// and the directories init created are gone.
func TestInitIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	// The workflow is written last; a directory in its place makes that rename fail.
	if err := os.MkdirAll(filepath.Join(dir, ".github", "workflows", "validate.yml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".github", "workflows", "validate.yml", "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, nil, "", append(initArgs(dir, "acme-corp", "organization", ""), "--force")...)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, stdout, stderr)
	}
	if got := listFiles(t, dir); !slices.Equal(got, []string{".github/workflows/validate.yml/keep"}) {
		t.Errorf("a failed init left %v", got)
	}
	for _, d := range []string{"config", "enrollment", "tofu"} {
		if _, err := os.Stat(filepath.Join(dir, d)); !os.IsNotExist(err) {
			t.Errorf("a failed init left the directory %s", d)
		}
	}
}

func set(args []string, flag, value string) []string {
	out := slices.Clone(args)
	i := slices.Index(out, flag)
	out[i+1] = value
	return out
}
