package pinupdate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
)

const (
	oldSHA = "637b7167c400a842cdc7af0709b2251c0542a48a"
	newSHA = "defff7fb7d1f3457c5270ce2e57ac6077e797b1c"
	// digits only: YAML would read it as an integer unquoted.
	digitSHA = "1234567890123456789012345678901234567890"
)

// org builds an organization.yaml whose core block is coreBlock (already indented).
func org(coreBlock string) string {
	return `# Tinyland overlay facts.
owner:
  slug: tinyland-inc
  account_kind: organization
  repository: tinyland-inc/tinyland-infra
  github_config_url: https://github.com/tinyland-inc
  github_app_secret_name: github-app-secret

core:
  repository: tinyland-inc/GloriousFlywheel
  module_name: gloriousflywheel
` + coreBlock + `
substrate:
  cluster:
    name: honey
    context: honey
`
}

func module(overrideBlock string) string {
	return `module(name = "tinyland_infra", version = "0.0.0")

bazel_dep(name = "bazel_skylib", version = "1.8.2")
bazel_dep(name = "gloriousflywheel", version = "0.0.0")
` + overrideBlock
}

const standardOverride = `git_override(
    module_name = "gloriousflywheel",
    remote = "https://github.com/tinyland-inc/GloriousFlywheel.git",
    commit = "` + oldSHA + `",  # April 28 pin refresh
)
`

func writeOverlay(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// changedMiddle returns what differs between a and b once the common prefix and suffix
// are removed: the exact edit.
func changedMiddle(a, b string) (from, to string) {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return a[p : len(a)-s], b[p : len(b)-s]
}

// assertOnlyPinChanged checks that the file's only change is old -> new. Shared SHA
// prefixes/suffixes shrink the middle, so compare by re-applying the replacement.
func assertOnlyPinChanged(t *testing.T, rel, before, after, oldV, newV string) {
	t.Helper()
	if strings.Count(before, oldV) != 1 {
		t.Fatalf("%s: test setup: %q occurs %d times", rel, oldV, strings.Count(before, oldV))
	}
	if want := strings.Replace(before, oldV, newV, 1); after != want {
		from, to := changedMiddle(before, after)
		t.Errorf("%s: edit is %q -> %q, want exactly the pin value %q -> %q", rel, from, to, oldV, newV)
	}
}

func TestMoveBothPinsPreservesFormatting(t *testing.T) {
	cases := []struct {
		name      string
		orgCore   string
		modBlock  string
		extra     map[string]string
		sha       string
		orgNew    string // expected replacement text in organization.yaml ("" = sha)
		modFile   string // file holding the commit ("" = MODULE.bazel)
		wantQuote bool
	}{
		{name: "plain yaml, standard override",
			orgCore: "  pinned_commit: " + oldSHA + "\n", modBlock: standardOverride},
		{name: "double-quoted yaml with comment on the same line",
			orgCore: `  pinned_commit: "` + oldSHA + `"   # selected 2026-04-28` + "\n", modBlock: standardOverride},
		{name: "single-quoted yaml, single-quoted starlark",
			orgCore:  "  pinned_commit: '" + oldSHA + "'\n",
			modBlock: "git_override(module_name = 'gloriousflywheel', remote = 'https://github.com/tinyland-inc/GloriousFlywheel.git', commit = '" + oldSHA + "')\n"},
		{name: "comment lines around commit on its own line",
			orgCore:  "  # the pin\n  pinned_commit: " + oldSHA + " # trailing\n  # after\n",
			modBlock: "git_override(\n    module_name = \"gloriousflywheel\",\n    remote = \"https://github.com/tinyland-inc/GloriousFlywheel.git\",\n    # Keep in step with organization.yaml.\n    commit =\n        \"" + oldSHA + "\",\n)\n"},
		{name: "multiple git_overrides, core second",
			orgCore:  "  pinned_commit: " + oldSHA + "\n",
			modBlock: "bazel_dep(name = \"rules_nixpkgs_core\", version = \"0.13.0\")\ngit_override(\n    module_name = \"rules_nixpkgs_core\",\n    remote = \"https://github.com/tweag/rules_nixpkgs.git\",\n    commit = \"b39456a33a1d5ba0fbc5a1c5ef8f5b7f0b2d6a11\",\n    strip_prefix = \"core\",\n)\n" + standardOverride},
		{name: "commit through a constant",
			orgCore:  "  pinned_commit: " + oldSHA + "\n",
			modBlock: "GF_CORE_COMMIT = \"" + oldSHA + "\"  # selected core\n\ngit_override(\n    module_name = \"gloriousflywheel\",\n    remote = \"https://github.com/tinyland-inc/GloriousFlywheel.git\",\n    commit = GF_CORE_COMMIT,\n)\n"},
		{name: "override in an included file",
			orgCore:  "  pinned_commit: " + oldSHA + "\n",
			modBlock: "include(\"//bazel:core.MODULE.bazel\")\n",
			extra:    map[string]string{"bazel/core.MODULE.bazel": "# Core pin lives here.\n" + standardOverride},
			modFile:  "bazel/core.MODULE.bazel"},
		{name: "flow mapping in yaml",
			orgCore:  "", // replaced below
			modBlock: standardOverride},
		{name: "anchor and tag on the yaml value",
			orgCore: "  pinned_commit: &core_sha !!str " + oldSHA + "\n", modBlock: standardOverride},
		{name: "digits-only commit gets quoted in plain yaml",
			orgCore: "  pinned_commit: " + oldSHA + "\n", modBlock: standardOverride,
			sha: digitSHA, orgNew: `"` + digitSHA + `"`, wantQuote: true},
		{name: "digits-only commit into quoted yaml stays as is",
			orgCore: "  pinned_commit: \"" + oldSHA + "\"\n", modBlock: standardOverride, sha: digitSHA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orgText := org(tc.orgCore)
			if tc.name == "flow mapping in yaml" {
				orgText = strings.Replace(org(""), "core:\n  repository: tinyland-inc/GloriousFlywheel\n  module_name: gloriousflywheel\n",
					"core: {repository: tinyland-inc/GloriousFlywheel, module_name: gloriousflywheel, pinned_commit: "+oldSHA+"}\n", 1)
			}
			files := map[string]string{overlay.OrgFile: orgText, overlay.ModuleBazel: module(tc.modBlock)}
			for k, v := range tc.extra {
				files[k] = v
			}
			root := writeOverlay(t, files)
			sha := tc.sha
			if sha == "" {
				sha = newSHA
			}
			r, err := Run(context.Background(), Options{Root: root, Ref: sha})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			r.Finalize()
			if r.Summary.Blockers != 0 {
				t.Errorf("pins gate after the move has blockers:\n%v", r.Findings)
			}
			if countRule(r, RuleMoved) != 2 || countRule(r, RuleQuoted) != b2i(tc.wantQuote) {
				t.Errorf("moved=%d quoted=%d; findings %v", countRule(r, RuleMoved), countRule(r, RuleQuoted), r.Findings)
			}
			if !hasOKContaining(r, pins.RuleDrift, "pins agree at "+sha) {
				t.Errorf("pins gate did not confirm agreement: %v", r.Findings)
			}

			orgNew := tc.orgNew
			if orgNew == "" {
				orgNew = sha
			}
			after := readFile(t, root, overlay.OrgFile)
			assertOnlyPinChanged(t, overlay.OrgFile, files[overlay.OrgFile], after, oldSHA, orgNew)
			modFile := tc.modFile
			if modFile == "" {
				modFile = overlay.ModuleBazel
			}
			assertOnlyPinChanged(t, modFile, files[modFile], readFile(t, root, modFile), oldSHA, sha)
			assertNoTempFiles(t, root)
		})
	}
}

func TestCRLFAndBOMFiles(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	orgText := "\uFEFF" + crlf(org("  pinned_commit: \""+oldSHA+"\" # quoted\n"))
	modText := crlf(module(standardOverride))
	root := writeOverlay(t, map[string]string{overlay.OrgFile: orgText, overlay.ModuleBazel: modText})
	if _, err := Run(context.Background(), Options{Root: root, Ref: strings.ToUpper(newSHA)}); err != nil {
		t.Fatal(err)
	}
	assertOnlyPinChanged(t, overlay.OrgFile, orgText, readFile(t, root, overlay.OrgFile), oldSHA, newSHA)
	assertOnlyPinChanged(t, overlay.ModuleBazel, modText, readFile(t, root, overlay.ModuleBazel), oldSHA, newSHA)
}

func TestRealFixtureOverlay(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tinyland-org")
	overlaytest.CopyBase(t, "tinyland-org", root)
	before := map[string]string{}
	// The deploy workflow's GF_CORE_REF follows the pin, so it moves with it.
	const deploy = ".github/workflows/deploy-arc.yml"
	for _, rel := range []string{overlay.OrgFile, overlay.ModuleBazel, deploy} {
		before[rel] = readFile(t, root, rel)
	}
	r, err := Run(context.Background(), Options{Root: root, Ref: newSHA})
	if err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	for rel, b := range before {
		assertOnlyPinChanged(t, rel, b, readFile(t, root, rel), oldSHA, newSHA)
	}
	if countRule(r, RuleMoved) != 3 {
		t.Errorf("findings: %v", r.Findings)
	}
	if r.Summary.Blockers != 0 {
		t.Errorf("the overlay is not green after the move: %v", r.Findings)
	}
}

// A workflow core ref at a declared authority commit stays; one following the pin moves,
// in the same file as another that does (two spans, one rewrite).
func TestWorkflowCoreRefsMoveWithThePins(t *testing.T) {
	const wf = ".github/workflows/deploy.yml"
	authority := strings.Repeat("c", 40)
	files := map[string]string{
		overlay.OrgFile:     org("  pinned_commit: " + oldSHA + "\n"),
		overlay.ModuleBazel: module(standardOverride),
		wf: "on: push\nenv:\n  GF_CORE_REF: " + oldSHA + "  # the pin\n  CORE_PIN: '" + oldSHA + "'\n  OTHER_REF: " + authority + "\n" +
			"jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n",
	}
	files[overlay.OrgFile] += "enrollment:\n  core_ref_env: [CORE_PIN, OTHER_REF]\n  authority_pins: [{commit: " + authority + ", workflows: [deploy.yml], reason: rehome}]\n"
	root := writeOverlay(t, files)
	r, err := Run(context.Background(), Options{Root: root, Ref: newSHA})
	if err != nil {
		t.Fatal(err)
	}
	if countRule(r, RuleMoved) != 4 {
		t.Errorf("findings: %v", r.Findings)
	}
	want := strings.ReplaceAll(files[wf], oldSHA, newSHA)
	if got := readFile(t, root, wf); got != want {
		t.Errorf("workflow after the move:\n%s\nwant:\n%s", got, want)
	}
}

func TestCheckMode(t *testing.T) {
	files := map[string]string{
		overlay.OrgFile:     org("  pinned_commit: " + oldSHA + "\n"),
		overlay.ModuleBazel: module(standardOverride),
	}
	root := writeOverlay(t, files)
	r, err := Run(context.Background(), Options{Root: root, Ref: newSHA, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	if countRule(r, RuleWouldMove) != 2 || r.Summary.Blockers != 2 {
		t.Errorf("want 2 would-move blockers, got %v", r.Findings)
	}
	for _, f := range r.Findings {
		if f.Rule == RuleWouldMove && (!strings.Contains(f.Message, oldSHA) || !strings.Contains(f.Message, newSHA) || !strings.Contains(f.NextAction, "gfenroll pin "+newSHA)) {
			t.Errorf("would-move finding lacks old/new/next action: %+v", f)
		}
	}
	for rel, content := range files {
		if readFile(t, root, rel) != content {
			t.Errorf("--check wrote %s", rel)
		}
	}

	// Already at the ref: nothing would move, exit-0 report.
	r, err = Run(context.Background(), Options{Root: root, Ref: oldSHA, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	if r.Summary.Blockers != 0 || countRule(r, RuleUnchanged) != 2 {
		t.Errorf("at the ref: %v", r.Findings)
	}
}

func TestAlreadyAtRefWritesNothing(t *testing.T) {
	files := map[string]string{
		overlay.OrgFile:     org("  pinned_commit: " + oldSHA + "\n"),
		overlay.ModuleBazel: module(standardOverride),
	}
	root := writeOverlay(t, files)
	stamp := filepath.Join(root, overlay.ModuleBazel)
	fi0, _ := os.Stat(stamp)
	r, err := Run(context.Background(), Options{Root: root, Ref: oldSHA})
	if err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	if countRule(r, RuleUnchanged) != 2 || countRule(r, RuleMoved) != 0 || r.Summary.Blockers != 0 {
		t.Errorf("findings: %v", r.Findings)
	}
	fi1, _ := os.Stat(stamp)
	if !os.SameFile(fi0, fi1) {
		t.Error("MODULE.bazel was replaced although nothing changed")
	}
}

func TestMovesOnlyTheDriftedPin(t *testing.T) {
	files := map[string]string{
		overlay.OrgFile:     org("  pinned_commit: " + newSHA + "\n"),
		overlay.ModuleBazel: module(standardOverride),
	}
	root := writeOverlay(t, files)
	r, err := Run(context.Background(), Options{Root: root, Ref: newSHA})
	if err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	if countRule(r, RuleUnchanged) != 1 || countRule(r, RuleMoved) != 1 || r.Summary.Blockers != 0 {
		t.Errorf("findings: %v", r.Findings)
	}
	if readFile(t, root, overlay.OrgFile) != files[overlay.OrgFile] {
		t.Error("organization.yaml changed")
	}
}

func TestRefusals(t *testing.T) {
	orgOK := org("  pinned_commit: " + oldSHA + "\n")
	modOK := module(standardOverride)
	cases := []struct {
		name     string
		files    map[string]string
		ref      string
		resolver fakeResolver
		want     []string // fragments, each in some refusal line
	}{
		{name: "no pinned_commit", files: map[string]string{overlay.OrgFile: org(""), overlay.ModuleBazel: modOK},
			want: []string{"config/organization.yaml:9:1: ", "has no core.pinned_commit to move"}},
		{name: "empty pinned_commit", files: map[string]string{overlay.OrgFile: org("  pinned_commit:\n"), overlay.ModuleBazel: modOK},
			want: []string{"has no core.pinned_commit to move"}},
		{name: "no MODULE.bazel", files: map[string]string{overlay.OrgFile: orgOK},
			want: []string{"MODULE.bazel is missing"}},
		{name: "no git_override", files: map[string]string{overlay.OrgFile: orgOK, overlay.ModuleBazel: module("")},
			want: []string{`has no git_override(module_name = "gloriousflywheel"`}},
		{name: "archive_override of the core", files: map[string]string{overlay.OrgFile: orgOK,
			overlay.ModuleBazel: module("archive_override(module_name = \"gloriousflywheel\", urls = [\"https://example.com/gf.tar.gz\"])\n")},
			want: []string{"overridden by archive_override, which has no commit to move"}},
		{name: "git_override by tag", files: map[string]string{overlay.OrgFile: orgOK,
			overlay.ModuleBazel: module("git_override(module_name = \"gloriousflywheel\", remote = \"r\", tag = \"v1.2.0\")\n")},
			want: []string{`has tag = "v1.2.0" instead of a commit`}},
		{name: "two core overrides", files: map[string]string{overlay.OrgFile: orgOK, overlay.ModuleBazel: module(standardOverride + standardOverride)},
			want: []string{`overrides "gloriousflywheel" 2 times`}},
		{name: "alias in yaml", files: map[string]string{
			overlay.OrgFile:     "pins:\n  core: &sha " + oldSHA + "\n" + org("  pinned_commit: *sha\n"),
			overlay.ModuleBazel: modOK},
			want: []string{"cannot edit config/organization.yaml core.pinned_commit in place: the value is an alias (*sha)"}},
		{name: "block scalar", files: map[string]string{overlay.OrgFile: org("  pinned_commit: |-\n    " + oldSHA + "\n"), overlay.ModuleBazel: modOK},
			want: []string{"block scalar"}},
		{name: "both files without pins at once", files: map[string]string{overlay.OrgFile: org(""), overlay.ModuleBazel: module("")},
			want: []string{"has no core.pinned_commit to move", "has no git_override"}},
		{name: "module_name unset", files: map[string]string{
			overlay.OrgFile:     strings.Replace(orgOK, "  module_name: gloriousflywheel\n", "", 1),
			overlay.ModuleBazel: modOK},
			want: []string{"core.module_name is not set"}},
		{name: "name without resolver", files: map[string]string{overlay.OrgFile: orgOK, overlay.ModuleBazel: modOK},
			ref: "main", want: []string{`"main" is not a 40-hex commit SHA and there is no way to resolve a name`}},
		{name: "abbreviated sha without resolver", files: map[string]string{overlay.OrgFile: orgOK, overlay.ModuleBazel: modOK},
			ref: "637b716", want: []string{"not a 40-hex commit SHA"}},
		{name: "resolver fails", files: map[string]string{overlay.OrgFile: orgOK, overlay.ModuleBazel: modOK},
			ref: "release-9", resolver: fakeResolver{}, want: []string{`cannot resolve "release-9" to a core commit: fake: "release-9": ref not found`}},
		{name: "empty ref", files: map[string]string{overlay.OrgFile: orgOK, overlay.ModuleBazel: modOK},
			ref: " ", want: []string{"REF is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := writeOverlay(t, tc.files)
			ref := tc.ref
			if ref == "" {
				ref = newSHA
			}
			opts := Options{Root: root, Ref: ref}
			if tc.resolver != nil {
				opts.Resolver = tc.resolver
			}
			_, err := Run(context.Background(), opts)
			var ies finding.InputErrors
			if !errors.As(err, &ies) {
				t.Fatalf("err = %v (%T), want a refusal", err, err)
			}
			text := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("refusal %q lacks %q", text, w)
				}
			}
			for rel, content := range tc.files {
				if readFile(t, root, rel) != content {
					t.Errorf("%s was written despite the refusal", rel)
				}
			}
			assertNoTempFiles(t, root)
		})
	}
}

type fakeResolver map[string]string

func (f fakeResolver) Resolve(_ context.Context, name string) (string, error) {
	if s, ok := f[name]; ok {
		return s, nil
	}
	return "", fmt.Errorf("fake: %q: %w", name, errNotFound)
}

func (f fakeResolver) String() string { return "the fake resolver" }

var errNotFound = errors.New("ref not found")

func TestResolvesNames(t *testing.T) {
	root := writeOverlay(t, map[string]string{
		overlay.OrgFile:     org("  pinned_commit: " + oldSHA + "\n"),
		overlay.ModuleBazel: module(standardOverride),
	})
	r, err := Run(context.Background(), Options{Root: root, Ref: "main", Resolver: fakeResolver{"main": newSHA}})
	if err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	found := false
	for _, f := range r.Findings {
		if f.Rule == RuleResolved && f.Message == "main resolved to "+newSHA+" through the fake resolver" {
			found = true
		}
	}
	if !found || countRule(r, RuleMoved) != 2 {
		t.Errorf("findings: %v", r.Findings)
	}
	_, err = Run(context.Background(), Options{Root: root, Ref: "bad", Resolver: fakeResolver{"bad": "main"}})
	if err == nil || !strings.Contains(err.Error(), `resolved "bad" to "main", which is not a full commit SHA`) {
		t.Errorf("err = %v", err)
	}
}

// TestSecondRenameFailureRestoresFirst injects a failing rename for the second file and
// checks the first is restored: one pin never moves without the other.
func TestSecondRenameFailureRestoresFirst(t *testing.T) {
	root := writeOverlay(t, map[string]string{"a.yaml": "pin: old-a\n", "b.bazel": "commit = \"old-b\"\n"})
	updates := []FileUpdate{
		{Path: filepath.Join(root, "a.yaml"), Rel: "a.yaml", Old: []byte("pin: old-a\n"), New: []byte("pin: new-a\n")},
		{Path: filepath.Join(root, "b.bazel"), Rel: "b.bazel", Old: []byte("commit = \"old-b\"\n"), New: []byte("commit = \"new-b\"\n")},
	}
	calls := 0
	failSecond := fsOps{rename: func(from, to string) error {
		calls++
		if strings.HasSuffix(to, "b.bazel") {
			return errors.New("injected: read-only file system")
		}
		return os.Rename(from, to)
	}}
	err := commit(updates, failSecond)
	var ce *CommitError
	if !errors.As(err, &ce) || len(ce.Changed) != 0 || !strings.Contains(err.Error(), "b.bazel: injected") || !strings.Contains(err.Error(), "no file was changed") {
		t.Fatalf("err = %v", err)
	}
	if got := readFile(t, root, "a.yaml"); got != "pin: old-a\n" {
		t.Errorf("a.yaml = %q, want it restored", got)
	}
	if got := readFile(t, root, "b.bazel"); got != "commit = \"old-b\"\n" {
		t.Errorf("b.bazel = %q", got)
	}
	if calls != 3 { // a, b (fails), restore a
		t.Errorf("rename calls = %d, want 3", calls)
	}
	assertNoTempFiles(t, root)

	// When the restore fails too, the error names the file left changed.
	failAfterFirst := fsOps{rename: func(from, to string) error {
		calls++
		if calls > 1 {
			return errors.New("injected: disk gone")
		}
		return os.Rename(from, to)
	}}
	calls = 0
	err = commit(updates, failAfterFirst)
	if !errors.As(err, &ce) || len(ce.Changed) != 1 || ce.Changed[0] != "a.yaml" ||
		!strings.Contains(err.Error(), "a.yaml now hold(s) the new pin") || !strings.Contains(err.Error(), "git checkout -- a.yaml") {
		t.Fatalf("err = %v", err)
	}
	assertNoTempFiles(t, root)
}

func TestCommitRefusesConcurrentChange(t *testing.T) {
	root := writeOverlay(t, map[string]string{"a.yaml": "pin: edited-meanwhile\n", "b.bazel": "x\n"})
	err := Commit([]FileUpdate{
		{Path: filepath.Join(root, "b.bazel"), Rel: "b.bazel", Old: []byte("x\n"), New: []byte("y\n")},
		{Path: filepath.Join(root, "a.yaml"), Rel: "a.yaml", Old: []byte("pin: old\n"), New: []byte("pin: new\n")},
	})
	if err == nil || !strings.Contains(err.Error(), "a.yaml changed on disk") {
		t.Fatalf("err = %v", err)
	}
	if readFile(t, root, "b.bazel") != "x\n" {
		t.Error("b.bazel written although a.yaml was refused")
	}
	assertNoTempFiles(t, root)
}

func TestCommitKeepsModeAndSymlinks(t *testing.T) {
	root := writeOverlay(t, map[string]string{"real/MODULE.bazel": "commit = \"a\"\n"})
	real := filepath.Join(root, "real/MODULE.bazel")
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "MODULE.bazel")
	if err := os.Symlink("real/MODULE.bazel", link); err != nil {
		t.Fatal(err)
	}
	if err := Commit([]FileUpdate{{Path: link, Rel: "MODULE.bazel", Old: []byte("commit = \"a\"\n"), New: []byte("commit = \"b\"\n")}}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a regular file")
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", fi.Mode().Perm())
	}
	if readFile(t, root, "real/MODULE.bazel") != "commit = \"b\"\n" {
		t.Error("target not updated")
	}
}

func TestLocateValue(t *testing.T) {
	cases := []struct {
		name, data string
		line, col  int
		want       string
		syntax     Syntax
		span       string // the text the span covers; "" = want an error
		errText    string
	}{
		{"plain", "a: abc\n", 1, 4, "abc", YAML, "abc", ""},
		{"plain flow", "a: {b: abc, c: d}\n", 1, 8, "abc", YAML, "abc", ""},
		{"plain then comment", "a: abc # c\n", 1, 4, "abc", YAML, "abc", ""},
		{"plain continues", "a: abcdef\n", 1, 4, "abc", YAML, "", "continues"},
		{"wrong column", "a: abc\n", 1, 2, "abc", YAML, "", "not the parsed value"},
		{"double", "a: \"abc\"\n", 1, 4, "abc", YAML, "abc", ""},
		{"escape", "a: \"a\\x62c\"\n", 1, 4, "abc", YAML, "", "escapes"},
		{"past line", "a: b\n", 1, 9, "b", YAML, "", "past the end of line 1"},
		{"past file", "a: b\n", 4, 1, "b", YAML, "", "past the end of the file"},
		{"no position", "a: b\n", 0, 0, "b", YAML, "", "no position"},
		{"starlark double", "commit = \"abc\",\n", 1, 10, "abc", Starlark, "abc", ""},
		{"starlark triple", "commit = \"\"\"abc\"\"\",\n", 1, 10, "abc", Starlark, "abc", ""},
		{"starlark raw", "commit = r'abc',\n", 1, 10, "abc", Starlark, "abc", ""},
		{"starlark ident", "commit = X,\n", 1, 10, "abc", Starlark, "", "not a string literal (X)"},
		{"starlark unterminated", "commit = \"abc\n", 1, 10, "abc", Starlark, "", "unterminated string"},
		{"starlark line break", "commit = \"\"\"abc\ndef\"\"\"\n", 1, 10, "abc", Starlark, "", "escapes or line breaks"},
	}
	for _, tc := range cases {
		s, err := LocateValue([]byte(tc.data), finding.Position{File: "f", Line: tc.line, Column: tc.col}, tc.want, tc.syntax)
		switch {
		case tc.span == "" && (err == nil || !strings.Contains(err.Error(), tc.errText)):
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.errText)
		case tc.span != "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.span != "" && tc.data[s.Start:s.End] != tc.span:
			t.Errorf("%s: span covers %q", tc.name, tc.data[s.Start:s.End])
		}
	}
}

func TestPlainIsString(t *testing.T) {
	for v, want := range map[string]bool{
		newSHA: true, oldSHA: true, digitSHA: false,
		"1234567890123456789012345678901234567e90": false, // a float to YAML
		"0000000000000000000000000000000000000000": false,
		"1111111111111111111111111111111111111e1a": true,
	} {
		if got := plainIsString(v); got != want {
			t.Errorf("plainIsString(%s) = %v, want %v", v, got, want)
		}
	}
}

func countRule(r *finding.Report, rule string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

func hasOKContaining(r *finding.Report, rule, text string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Severity == finding.OK && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertNoTempFiles(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".gfenroll-") {
			t.Errorf("temp file left behind: %s", p)
		}
		return nil
	})
}
