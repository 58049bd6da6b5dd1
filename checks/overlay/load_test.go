package overlay_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// fixtureCopy copies a base fixture overlay into a temp dir so a test can break it.
func fixtureCopy(t *testing.T, base string) string {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "unchanged")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), base)
	v := overlaytest.Variant{Name: "unchanged", Dir: empty, Base: base}
	if err := overlaytest.MaterializeTo(v, overlaytest.BaseDir(t, base), out); err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceWith(t *testing.T, root, rel string, make func(p string) error) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := make(p); err != nil {
		t.Fatal(err)
	}
}

func inputErrors(t *testing.T, err error) overlay.InputErrors {
	t.Helper()
	if err == nil {
		return nil
	}
	var ies overlay.InputErrors
	if !errors.As(err, &ies) {
		t.Fatalf("Load error is %T, want overlay.InputErrors: %v", err, err)
	}
	return ies
}

func TestLoadFixtures(t *testing.T) {
	for _, tt := range []struct {
		base          string
		tfvars        string
		workflows     []string
		expectWarning string
	}{
		{"tinyland-org", "tofu/stacks/arc-runners/tinyland.tfvars",
			[]string{".github/workflows/deploy-arc.yml", ".github/workflows/docker-images.yaml", ".github/workflows/enrollment.yml", ".github/workflows/validate.yml"}, ""},
		{"jess-personal", "tofu/stacks/arc-runners/jesssullivan.tfvars",
			[]string{".github/workflows/arc-deploy.yml", ".github/workflows/enrollment.yaml", ".github/workflows/validate.yml"}, "taxonomy/repo-registration-anchor"},
	} {
		t.Run(tt.base, func(t *testing.T) {
			root := overlaytest.BaseDir(t, tt.base)
			o, err := overlay.Load(root, overlay.Options{})
			if err != nil {
				t.Fatalf("fixture does not load cleanly:\n%v", err)
			}
			if o.Org == nil || o.Module == nil || len(o.Tfvars) != 1 || o.Tfvars[0].File != tt.tfvars {
				t.Fatalf("overlay = %+v", o)
			}
			var wfs []string
			for _, w := range o.Workflows {
				wfs = append(wfs, w.File)
			}
			if strings.Join(wfs, " ") != strings.Join(tt.workflows, " ") {
				t.Errorf("workflows = %v, want %v", wfs, tt.workflows)
			}
			// The pins agree in the fixture: the core override's commit is the org pin.
			var commit string
			for _, ov := range o.Module.Overrides {
				if ov.Kind == "git_override" && ov.ModuleName.Value == o.Org.Core.ModuleName.Value {
					commit = ov.Commit.Value
				}
			}
			if commit == "" || commit != o.Org.Core.PinnedCommit.Value {
				t.Errorf("fixture pins disagree: org %q, MODULE.bazel %q", o.Org.Core.PinnedCommit.Value, commit)
			}
			// Every extra set publishes its workflow label explicitly.
			for _, rs := range o.Tfvars[0].ExtraRunnerSets {
				found := false
				for _, l := range rs.RunnerLabels.Strings() {
					found = found || l == rs.RunnerLabel.Value
				}
				if !found {
					t.Errorf("set %s: runner_labels %v lack runner_label %s", rs.Key.Value, rs.RunnerLabels.Strings(), rs.RunnerLabel.Value)
				}
			}
			if got := strings.Join(o.Org.Enrollment.ExpectedWarnings.Strings(), ","); got != tt.expectWarning {
				t.Errorf("expected_warnings = %q, want %q", got, tt.expectWarning)
			}
		})
	}
}

func TestLoadBadInputs(t *testing.T) {
	tests := []struct {
		name   string
		opts   overlay.Options
		break_ func(t *testing.T, root string)
		want   []string // "file kind: message substring", one per expected error, in order
		check  func(t *testing.T, o *overlay.Overlay)
	}{
		{name: "missing organization.yaml",
			break_: func(t *testing.T, r string) { os.Remove(filepath.Join(r, "config/organization.yaml")) },
			want:   []string{"config/organization.yaml missing: config/organization.yaml does not exist; every overlay root needs one"}},
		{name: "directory where organization.yaml belongs",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, "config/organization.yaml", func(p string) error { return os.Mkdir(p, 0o755) })
			},
			want: []string{"config/organization.yaml read: config/organization.yaml is a directory, not a file"}},
		{name: "symlink loop",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, "config/organization.yaml", func(p string) error { return os.Symlink("organization.yaml", p) })
			},
			want: []string{"config/organization.yaml read: config/organization.yaml is a symlink loop"}},
		{name: "two-link symlink loop",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, "config/organization.yaml", func(p string) error { return os.Symlink("other.yaml", p) })
				replaceWith(t, r, "config/other.yaml", func(p string) error { return os.Symlink("organization.yaml", p) })
			},
			want: []string{"config/organization.yaml read: config/organization.yaml is a symlink loop"}},
		{name: "dangling symlink",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, "config/organization.yaml", func(p string) error { return os.Symlink("../nowhere/org.yaml", p) })
			},
			want: []string{`config/organization.yaml read: config/organization.yaml is a dangling symlink (its target "../nowhere/org.yaml" does not exist)`}},
		{name: "empty organization.yaml",
			break_: func(t *testing.T, r string) { write(t, r, "config/organization.yaml", "") },
			want:   []string{"config/organization.yaml empty: file is empty"}},
		{name: "binary garbage",
			break_: func(t *testing.T, r string) {
				write(t, r, "config/organization.yaml", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			},
			want: []string{"config/organization.yaml:3:1 encoding: file contains a NUL byte"}},
		{name: "file over the default 4 MiB cap (sparse: proves the size is checked before reading)",
			break_: func(t *testing.T, r string) {
				f, err := os.Create(filepath.Join(r, "MODULE.bazel"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := f.Truncate(1 << 40); err != nil { // 1 TiB, sparse
					t.Skipf("no sparse files here: %v", err)
				}
			},
			want: []string{"MODULE.bazel size: file is 1048576 MiB, over the 4 MiB limit"}},
		{name: "file over a custom cap", opts: overlay.Options{MaxFileSize: 8 << 10},
			break_: func(t *testing.T, r string) {
				write(t, r, "config/organization.yaml", "# "+strings.Repeat("x", 10<<10)+"\n")
			},
			want: []string{"config/organization.yaml size: file is 10.0 KiB, over the 8.0 KiB limit"}},
		{name: "named pipe (must not block)",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, "MODULE.bazel", func(p string) error { return syscall.Mkfifo(p, 0o644) })
			},
			want: []string{"MODULE.bazel read: MODULE.bazel is a named pipe (FIFO), not a regular file"}},
		{name: "missing MODULE.bazel is not an input error",
			break_: func(t *testing.T, r string) { os.Remove(filepath.Join(r, "MODULE.bazel")) },
			check: func(t *testing.T, o *overlay.Overlay) {
				if o.Module != nil {
					t.Error("Module should be nil")
				}
			}},
		{name: "malformed MODULE.bazel",
			break_: func(t *testing.T, r string) { write(t, r, "MODULE.bazel", "bazel_dep(name = \"x\"\n\ngit_override(\n") },
			want:   []string{"MODULE.bazel:3:13 syntax: invalid Starlark"}},
		{name: "no tfvars found is not an input error",
			break_: func(t *testing.T, r string) { os.RemoveAll(filepath.Join(r, "tofu")) },
			check: func(t *testing.T, o *overlay.Overlay) {
				if len(o.Tfvars) != 0 {
					t.Error("Tfvars should be empty")
				}
			}},
		{name: "explicit tfvars that does not exist", opts: overlay.Options{Tfvars: []string{"tofu/stacks/arc-runners/missing.tfvars"}},
			want: []string{"tofu/stacks/arc-runners/missing.tfvars missing: tofu/stacks/arc-runners/missing.tfvars does not exist (named with --tfvars)"}},
		{name: "directory named like a tfvars",
			break_: func(t *testing.T, r string) {
				os.MkdirAll(filepath.Join(r, "tofu/stacks/arc-runners/a-dir.tfvars"), 0o755)
			},
			want: []string{"tofu/stacks/arc-runners/a-dir.tfvars read: tofu/stacks/arc-runners/a-dir.tfvars is a directory, not a file"}},
		{name: "workflows directory is a file",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, ".github/workflows", func(p string) error { return os.WriteFile(p, []byte("x"), 0o644) })
			},
			want: []string{".github/workflows read: .github/workflows is a file, not a directory"}},
		{name: "workflows directory is a symlink loop",
			break_: func(t *testing.T, r string) {
				replaceWith(t, r, ".github/workflows", func(p string) error { return os.Symlink("workflows", p) })
			},
			want: []string{".github/workflows read: .github/workflows is a symlink loop"}},
		{name: "binary workflow",
			break_: func(t *testing.T, r string) { write(t, r, ".github/workflows/zz.yml", "\x7fELF\x02\x01\x01\x00") },
			want:   []string{".github/workflows/zz.yml:1:8 encoding: file contains a NUL byte"}},
		{name: "empty workflow",
			break_: func(t *testing.T, r string) { write(t, r, ".github/workflows/empty.yaml", "\n") },
			want:   []string{".github/workflows/empty.yaml empty: file is empty"}},
		{name: "invalid UTF-8 tfvars",
			break_: func(t *testing.T, r string) {
				write(t, r, "tofu/stacks/arc-runners/tinyland.tfvars", "cluster_context = \"hon\xffey\"\n")
			},
			want: []string{"tofu/stacks/arc-runners/tinyland.tfvars:1:23 encoding: file is not valid UTF-8"}},
		{name: "errors in several files are all reported, in load order",
			break_: func(t *testing.T, r string) {
				write(t, r, "config/organization.yaml", "core:\n  pinned_commit: [a]\n")
				write(t, r, "MODULE.bazel", "bazel_dep(\"x\")\n")
				write(t, r, "tofu/stacks/arc-runners/tinyland.tfvars", "a = 1\na = 2\nnix_max_runners = \"x\"\n")
				write(t, r, ".github/workflows/aa.yml", "")
			},
			want: []string{
				"config/organization.yaml:2:18 type: core.pinned_commit: expected a string, got a list",
				"MODULE.bazel:1:11 type: bazel_dep takes keyword arguments only",
				"tofu/stacks/arc-runners/tinyland.tfvars:2:1 duplicate: duplicate attribute \"a\" (first set at line 1)",
				"tofu/stacks/arc-runners/tinyland.tfvars:3:19 type: nix_max_runners: expected a whole number",
				".github/workflows/aa.yml empty: file is empty",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fixtureCopy(t, "tinyland-org")
			if tt.break_ != nil {
				tt.break_(t, root)
			}
			done := make(chan struct{})
			var o *overlay.Overlay
			var err error
			go func() {
				defer close(done)
				o, err = overlay.Load(root, tt.opts)
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Load hangs")
			}
			errs := inputErrors(t, err)
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for i, w := range tt.want {
				got := errs[i].Pos.String() + " " + errs[i].Kind + ": " + errs[i].Msg
				if !strings.HasPrefix(got, w) {
					t.Errorf("error %d:\n got %s\nwant prefix %s", i, got, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), root) {
				t.Errorf("error leaks the absolute root: %v", err)
			}
			if o == nil {
				t.Fatal("Load returned a nil overlay")
			}
			if tt.check != nil {
				tt.check(t, o)
			}
		})
	}
}

func TestLoadRoot(t *testing.T) {
	dir := t.TempDir()
	_, err := overlay.Load(filepath.Join(dir, "nope"), overlay.Options{})
	if errs := inputErrors(t, err); len(errs) != 1 || errs[0].Kind != overlay.KindMissing || !strings.Contains(errs[0].Msg, "does not exist") {
		t.Errorf("missing root: %v", err)
	}
	write(t, dir, "file", "x")
	_, err = overlay.Load(filepath.Join(dir, "file"), overlay.Options{})
	if errs := inputErrors(t, err); len(errs) != 1 || errs[0].Kind != overlay.KindRead || !strings.Contains(errs[0].Msg, "not a directory") {
		t.Errorf("file as root: %v", err)
	}
}

func TestLoadTfvarsSelection(t *testing.T) {
	root := fixtureCopy(t, "jess-personal")
	write(t, root, "tofu/stacks/arc-runners/a-first.tfvars", "cluster_context = \"a\"\n")
	write(t, root, "tofu/stacks/arc-runners/notes.md", "not a tfvars\n")
	outside := filepath.Join(t.TempDir(), "elsewhere.tfvars")
	if err := os.WriteFile(outside, []byte("cluster_context = \"out\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	absInside := filepath.Join(root, "tofu", "stacks", "arc-runners", "jesssullivan.tfvars")
	tests := []struct {
		name  string
		opts  overlay.Options
		files []string
	}{
		{"default discovery is sorted and only *.tfvars", overlay.Options{},
			[]string{"tofu/stacks/arc-runners/a-first.tfvars", "tofu/stacks/arc-runners/jesssullivan.tfvars"}},
		{"explicit relative to the root, in the given order",
			overlay.Options{Tfvars: []string{"tofu/stacks/arc-runners/jesssullivan.tfvars", "./tofu/stacks/arc-runners/a-first.tfvars"}},
			[]string{"tofu/stacks/arc-runners/jesssullivan.tfvars", "tofu/stacks/arc-runners/a-first.tfvars"}},
		{"absolute inside the root is shown root-relative", overlay.Options{Tfvars: []string{absInside}},
			[]string{"tofu/stacks/arc-runners/jesssullivan.tfvars"}},
		{"absolute outside the root is shown as given", overlay.Options{Tfvars: []string{outside}},
			[]string{filepath.ToSlash(outside)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := overlay.Load(root, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tv := range o.Tfvars {
				got = append(got, tv.File)
				if tv.ClusterContext.Pos.File != tv.File {
					t.Errorf("positions name %q, file is %q", tv.ClusterContext.Pos.File, tv.File)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.files, " ") {
				t.Errorf("tfvars = %v, want %v", got, tt.files)
			}
		})
	}
}

func TestLoadModuleIncludes(t *testing.T) {
	root := fixtureCopy(t, "tinyland-org")
	write(t, root, "MODULE.bazel", "module(name = \"x\")\ninclude(\"//bazel:core.MODULE.bazel\")\ninclude(\":self.MODULE.bazel\")\n")
	write(t, root, "bazel/core.MODULE.bazel", "bazel_dep(name = \"gloriousflywheel\", version = \"0.0.0\")\n"+
		"git_override(module_name = \"gloriousflywheel\", remote = \"r\", commit = \"637b7167c400a842cdc7af0709b2251c0542a48a\")\n"+
		"include(\"//:MODULE.bazel\")\n") // a cycle back to the root is read once
	write(t, root, "self.MODULE.bazel", "include(\":self.MODULE.bazel\")\nbazel_dep(name = \"z\")\n")
	o, err := overlay.Load(root, overlay.Options{})
	if errs := inputErrors(t, err); len(errs) != 1 || !strings.Contains(errs[0].Msg, `include "//:MODULE.bazel"`) {
		t.Fatalf("want one error for the non-.MODULE.bazel include, got %v", err)
	}
	if len(o.Module.Deps) != 2 || len(o.Module.Overrides) != 1 {
		t.Fatalf("module = %+v", o.Module)
	}
	ov := o.Module.Overrides[0]
	if ov.Commit.Pos.File != "bazel/core.MODULE.bazel" || where(ov.Commit.Pos) != "2:71" {
		t.Errorf("included override commit at %v", ov.Commit.Pos)
	}

	write(t, root, "MODULE.bazel", "include(\"//bazel:missing.MODULE.bazel\")\ninclude(\"@other//:x.MODULE.bazel\")\n")
	_, err = overlay.Load(root, overlay.Options{})
	errs := inputErrors(t, err)
	if len(errs) != 2 || errs[0].Kind != overlay.KindMissing || errs[1].Kind != overlay.KindType ||
		!strings.Contains(errs[0].Msg, "included from MODULE.bazel:1:9") {
		t.Errorf("include errors: %v", err)
	}
}

func TestLoadAllKeepsOrder(t *testing.T) {
	tiny, jess := overlaytest.BaseDir(t, "tinyland-org"), overlaytest.BaseDir(t, "jess-personal")
	missing := filepath.Join(t.TempDir(), "missing")
	roots := []string{jess, missing, tiny, jess, tiny}
	overlays, errs := overlay.LoadAll(roots, overlay.Options{})
	if len(overlays) != len(roots) || len(errs) != len(roots) {
		t.Fatalf("got %d overlays, %d errors for %d roots", len(overlays), len(errs), len(roots))
	}
	for i, r := range roots {
		want, wantErr := overlay.Load(r, overlay.Options{})
		if (errs[i] == nil) != (wantErr == nil) || overlays[i].Root != want.Root {
			t.Errorf("root %d (%s): LoadAll gave %v / %v, Load gave %v / %v", i, r, overlays[i].Root, errs[i], want.Root, wantErr)
		}
		if want.Org != nil && overlays[i].Org.Owner.Slug != want.Org.Owner.Slug {
			t.Errorf("root %d: different content", i)
		}
	}
	if o, e := overlay.LoadAll(nil, overlay.Options{}); len(o) != 0 || len(e) != 0 {
		t.Error("LoadAll(nil) returned results")
	}
}
