package overlay_test

import (
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const moduleSrc = `"""Overlay module."""

module(name = "tinyland_infra", version = "0.0.0")

bazel_dep(name = "bazel_skylib", version = "1.8.2")

CORE = "637b7167c400a842cdc7af0709b2251c0542a48a"

# the core
bazel_dep(
    name = "gloriousflywheel",
    version = "0.0.0",
    repo_name = "gf",
)
git_override(
    module_name = "gloriousflywheel",
    remote = "git@github.com:tinyland-inc/GloriousFlywheel.git",
    commit = CORE,
    branch = "main",
)
archive_override(module_name = "a", urls = ["https://x/a.tar.gz", "https://y/a.tar.gz"], strip_prefix = "a")
archive_override(module_name = "b", url = "https://x/b.tar.gz")
local_path_override(module_name = "c", path = "../c")
single_version_override(module_name = "d", version = "1.0")
git_override(module_name = "e", remote = "https://e", tag = "v1")
use_repo(ext, "x")
`

func TestParseModule(t *testing.T) {
	mf, errs := overlay.ParseModule("MODULE.bazel", []byte(moduleSrc))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(mf.Deps) != 2 {
		t.Fatalf("deps = %+v", mf.Deps)
	}
	core := mf.Deps[1]
	if core.Name.Value != "gloriousflywheel" || where(core.Pos) != "10:1" || where(core.Name.Pos) != "11:12" ||
		core.RepoName.Value != "gf" || core.Version.Value != "0.0.0" {
		t.Errorf("core dep = %+v", core)
	}
	if d := mf.Deps[0]; d.RepoName.Set || where(d.RepoName.Pos) != "5:1" {
		t.Errorf("absent repo_name = %+v, want unset at the call", d.RepoName)
	}
	kinds := make([]string, len(mf.Overrides))
	for i, o := range mf.Overrides {
		kinds[i] = o.Kind + ":" + o.ModuleName.Value
	}
	if got := strings.Join(kinds, " "); got != "git_override:gloriousflywheel archive_override:a archive_override:b local_path_override:c single_version_override:d git_override:e" {
		t.Errorf("overrides = %s", got)
	}
	g := mf.Overrides[0]
	// A constant's value points at its literal: that is the text a pin refresh edits.
	if g.Commit.Value != "637b7167c400a842cdc7af0709b2251c0542a48a" || where(g.Commit.Pos) != "7:8" {
		t.Errorf("commit via constant = %+v", g.Commit)
	}
	if g.Remote.Value != "git@github.com:tinyland-inc/GloriousFlywheel.git" || where(g.Remote.Pos) != "17:14" || g.Branch.Value != "main" || g.Tag.Set {
		t.Errorf("git_override = %+v", g)
	}
	if where(g.Pos) != "15:1" {
		t.Errorf("override at %s, want 15:1", where(g.Pos))
	}
	a := mf.Overrides[1]
	if len(a.URLs.Values) != 2 || a.URLs.Values[1].Value != "https://y/a.tar.gz" || where(a.URLs.Values[1].Pos) != "21:67" {
		t.Errorf("archive urls = %+v", a.URLs)
	}
	if b := mf.Overrides[2]; len(b.URLs.Values) != 1 || b.URLs.Values[0].Value != "https://x/b.tar.gz" {
		t.Errorf("archive url = %+v", b.URLs)
	}
	if c := mf.Overrides[3]; c.Path.Value != "../c" {
		t.Errorf("local path = %+v", c.Path)
	}
	if e := mf.Overrides[5]; e.Tag.Value != "v1" || e.Commit.Set {
		t.Errorf("tag override = %+v", e)
	}
}

// Byte columns, not rune columns, after multi-byte characters.
func TestParseModuleByteColumns(t *testing.T) {
	mf, errs := overlay.ParseModule("MODULE.bazel", []byte("bazel_dep(name = \"é\", version = \"1\")\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if v := mf.Deps[0].Version; where(v.Pos) != "1:34" {
		t.Errorf("version at %s, want 1:34", where(v.Pos))
	}
}

func TestParseModuleInputErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"syntax error", "bazel_dep(name = \"a\"\ngit_override(\n", "2:13 syntax: invalid Starlark: syntax error near git_override\n"},
		{"unterminated string", "bazel_dep(name = \"a)\n", "1:21 syntax: invalid Starlark: unexpected newline in string\n"},
		{"bad indent", "bazel_dep(name = \"a\")\n  x = 1\n", "2:3 syntax: invalid Starlark: syntax error near indent\n"},
		{"positional argument", "bazel_dep(\"a\", version = \"1\")\n", "1:11 type: bazel_dep takes keyword arguments only (name = value)\n"},
		{"duplicate argument", "git_override(module_name = \"a\", commit = \"1\", commit = \"2\")\n", "1:47 duplicate: git_override: argument commit given twice\n"},
		{"computed value", "git_override(module_name = \"a\", commit = \"1\" + \"2\")\n",
			"1:42 type: git_override commit: expected a string literal, got an expression (computed values cannot be checked statically)\n"},
		{"unknown constant", "git_override(module_name = \"a\", commit = SHA)\n",
			"1:42 type: git_override commit: SHA is not a string constant assigned earlier in this file\n"},
		{"constant used before assignment", "git_override(module_name = \"a\", commit = SHA)\nSHA = \"x\"\n",
			"1:42 type: git_override commit: SHA is not a string constant assigned earlier in this file\n"},
		{"list for a string", "bazel_dep(name = [\"a\"])\n", "1:18 type: bazel_dep name: expected a string literal, got a list\n"},
		{"too deep", "x = " + strings.Repeat("[", 600) + "\n", "1:505 syntax: brackets nested deeper than 500 levels\n"},
		{"CR line ends", "# pins\rbazel_dep(name = \"a\")\r", "1:7 encoding: line ends with a bare carriage return, which Bazel does not read as a line break; save the file with LF (or CRLF) line ends\n"},
		{"one bare CR among LF lines", "bazel_dep(name = \"a\")\nx = 1\ry = 2\n", "2:6 encoding: line ends with a bare carriage return, which Bazel does not read as a line break; save the file with LF (or CRLF) line ends\n"},
		{"empty", "\n\n", "0:0 empty: file is empty\n"},
		{"binary", "\x7fELF\x02\x01\x01\x00\x00", "1:8 encoding: file contains a NUL byte at offset 7; it looks like binary data, not text\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := overlay.ParseModule("MODULE.bazel", []byte(tt.src))
			if got := errSummary(errs); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// The parser must not write into the caller's buffer (buildtools appends a newline).
func TestParseModuleDoesNotMutateInput(t *testing.T) {
	buf := make([]byte, 0, 64)
	buf = append(buf, "bazel_dep(name = \"a\")"...)
	spare := buf[:cap(buf)]
	spare[len(buf)] = 'Z'
	if _, errs := overlay.ParseModule("MODULE.bazel", buf); len(errs) > 0 {
		t.Fatal(errs)
	}
	if spare[len(buf)] != 'Z' {
		t.Error("ParseModule wrote past the end of its input slice")
	}
}
