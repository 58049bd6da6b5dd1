package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// inputLine is the one shape an unusable-input problem may take on stderr.
var inputLine = regexp.MustCompile(`^[^\s:][^:]*(:\d+(:\d+)?)?: error input/[a-z]+: \S.*$`)

const baseOverlay = "tinyland-org"

// variantFiles builds a variant of the base overlay from in-memory files (content
// overlaytest.DeleteMarker deletes a file) and symlinks, materializes it under a fresh work
// directory and returns that directory and the overlay's name in it.
func variantFiles(t *testing.T, files map[string]string, links map[string]string) (work, name string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("VARIANT", baseOverlay+"\nrules: input/any\n")
	for rel, content := range files {
		write(rel, content)
	}
	for rel, target := range links {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	root := overlaytest.Materialize(t, dir)
	return filepath.Dir(root), filepath.Base(root)
}

// TestBadInput: every kind of unusable input exits 2 with clear file:line problems on
// stderr, prints no report and writes nothing to --output paths.
func TestBadInput(t *testing.T) {
	const tfvars = "tofu/stacks/arc-runners/tinyland.tfvars"
	huge := strings.Repeat("# padding line to make an absurdly large tfvars file\n", 100_000) // ~5 MB

	for _, c := range []struct {
		name  string
		files map[string]string
		links map[string]string
		args  []string
		// first is a regexp the first stderr line must match.
		first string
		// usage marks a usage error (one hint line instead of input lines).
		usage bool
	}{
		{name: "missing root", args: []string{"--overlay-root", "absent"},
			first: `^absent: error input/missing: overlay root absent does not exist$`},
		{name: "root is a file", files: map[string]string{"plain": "x"}, args: []string{"--overlay-root", "OVERLAY/plain"},
			first: `^OVERLAY/plain: error input/read: `},
		{name: "malformed YAML", files: map[string]string{"config/organization.yaml": "owner:\n  slug: [tinyland\ncore: {\n"},
			first: `^config/organization\.yaml:\d+(:\d+)?: error input/syntax: `},
		{name: "duplicate YAML key", files: map[string]string{"config/organization.yaml": "owner:\n  slug: a\nowner:\n  slug: b\n"},
			first: `^config/organization\.yaml:3:1: error input/duplicate: `},
		{name: "wrong YAML type", files: map[string]string{"config/organization.yaml": "owner:\n  slug: [a, b]\n"},
			first: `^config/organization\.yaml:2:9: error input/type: `},
		{name: "malformed HCL", files: map[string]string{tfvars: "github_config_url = \"https://github.com/tinyland-inc\n\nextra_runner_sets = {\n"},
			first: `^tofu/stacks/arc-runners/tinyland\.tfvars:\d+:\d+: error input/syntax: `},
		{name: "malformed MODULE.bazel", files: map[string]string{"MODULE.bazel": "module(name = \"tinyland_infra\")\n\nbazel_dep(name = \"glorious_flywheel\", version = \"0.1.0\"\n"},
			first: `^MODULE\.bazel:\d+:\d+: error input/syntax: `},
		{name: "empty file", files: map[string]string{"config/organization.yaml": ""},
			first: `^config/organization\.yaml: error input/empty: `},
		{name: "binary garbage", files: map[string]string{tfvars: "\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\x00garbage"},
			first: `^tofu/stacks/arc-runners/tinyland\.tfvars(:\d+:\d+)?: error input/encoding: `},
		{name: "symlink loop",
			links: map[string]string{"config/organization.yaml": "organization.yaml"},
			first: `^config/organization\.yaml: error input/read: `},
		{name: "huge file", files: map[string]string{tfvars: huge},
			first: `^tofu/stacks/arc-runners/tinyland\.tfvars: error input/size: `},
		{name: "missing --tfvars file", args: []string{"--tfvars", "tofu/stacks/arc-runners/absent.tfvars"},
			first: `^tofu/stacks/arc-runners/absent\.tfvars: error input/missing: `},
		{name: "unknown flag", args: []string{"--nope"}, usage: true,
			first: `^gfenroll check: flag provided but not defined: -nope \(run gfenroll check --help\)$`},
		{name: "bad --output spec", args: []string{"--output", "report.json"}, usage: true,
			first: `^gfenroll check: invalid value "report.json" for flag -output: --output "report.json": want FORMAT=PATH`},
		{name: "unknown --output format", args: []string{"--output", "yaml=r.yaml"}, usage: true,
			first: `unknown format "yaml" \(want text, json, junit, github, sarif\)`},
		{name: "bad --format", args: []string{"--format", "xml"}, usage: true, first: `unknown format "xml"`},
		{name: "positional argument", args: []string{"extra"}, usage: true,
			first: `^gfenroll check: unexpected argument "extra"`},
		{name: "--tfvars with several roots", args: []string{"--overlay-root", "OVERLAY", "--tfvars", "x.tfvars"}, usage: true,
			first: `^gfenroll: --tfvars names the files of one overlay`},
	} {
		t.Run(c.name, func(t *testing.T) {
			work, name := variantFiles(t, c.files, c.links)
			t.Chdir(work)
			args := []string{"check"}
			if !slices.Contains(c.args, "--overlay-root") || slices.Contains(c.args, "--tfvars") {
				args = append(args, "--overlay-root", name)
			}
			for _, a := range c.args {
				args = append(args, strings.ReplaceAll(a, "OVERLAY", name))
			}
			outPath := filepath.Join(work, "reports", "r.json")
			args = append(args, "--output", "json="+outPath, "--output", "sarif="+filepath.Join(work, "reports", "r.sarif"))
			res := run(args...)

			if res.code != 2 {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("unusable input printed a report:\n%s", res.stdout)
			}
			if fileExists(filepath.Join(work, "reports")) {
				t.Errorf("unusable input wrote into the --output directory")
			}
			lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
			first := regexp.MustCompile(strings.ReplaceAll(c.first, "OVERLAY", regexp.QuoteMeta(name)))
			if !first.MatchString(lines[0]) {
				t.Errorf("first stderr line\n  %q\ndoes not match\n  %s", lines[0], first)
			}
			if c.usage {
				if len(lines) != 1 {
					t.Errorf("usage error is %d lines, want 1:\n%s", len(lines), res.stderr)
				}
				return
			}
			for _, l := range lines {
				if !inputLine.MatchString(l) {
					t.Errorf("stderr line is not \"file:line:col: error input/<kind>: message\": %q", l)
				}
			}
			if strings.Contains(res.stderr, "goroutine") || strings.Contains(res.stderr, work) {
				t.Errorf("stderr leaks a stack trace or the absolute path:\n%s", res.stderr)
			}
		})
	}
}
