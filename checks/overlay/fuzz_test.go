package overlay_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// Fuzz targets for the loader's per-file entry points. `go test` runs them over the seed
// corpus (the fixture files plus tricky inputs); `go test -fuzz FuzzParseOrg` explores.
// Each asserts the parser never panics, returns a result or an error, and that every error
// and every value carries a position inside the file it names.

func addFixtureSeeds(f *testing.F, rels ...string) {
	f.Helper()
	for _, base := range []string{"tinyland-org", "jess-personal"} {
		dir := overlaytest.BaseDir(f, base)
		for _, rel := range rels {
			matches, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(rel)))
			for _, m := range matches {
				data, err := os.ReadFile(m)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data)
			}
		}
	}
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

// Inputs that have broken parsers before: encodings, line endings, nesting, sizes.
var commonSeeds = []string{
	"", " ", "\n\n", "\xef\xbb\xbf", "\xef\xbb\xbfa = 1\n", "\x00", "\xff\xfe\x00\x00", "\xc3\x28",
	"a\r\nb\r\n", "a\rb\r", "\u2028\u2029\u0085",
	strings.Repeat("[", 1000), strings.Repeat("{", 499) + strings.Repeat("}", 499),
	"é = \"é\"\n",
}

// lineBound is the most lines any of the parsers can count in data (YAML also breaks lines
// at a lone CR, NEL, LS and PS).
func lineBound(data []byte) int {
	n := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
	for _, sep := range []string{"\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(sep))
	}
	return n
}

func checkPos(t *testing.T, what string, p overlay.Pos, rel string, data []byte) {
	t.Helper()
	if p.File != rel {
		t.Fatalf("%s: position names file %q, want %q", what, p.File, rel)
	}
	if p.Line < 0 || p.Column < 0 || p.Line > lineBound(data) || p.Column > len(data)+1 {
		t.Fatalf("%s: position %d:%d outside the input (%d bytes)", what, p.Line, p.Column, len(data))
	}
}

func checkErrors(t *testing.T, rel string, data []byte, ok bool, errs overlay.InputErrors) {
	t.Helper()
	if !ok && len(errs) == 0 {
		t.Fatal("no result and no error")
	}
	for _, e := range errs {
		if e == nil || e.Kind == "" || e.Msg == "" {
			t.Fatalf("incomplete error %#v", e)
		}
		checkPos(t, "error "+e.Msg, e.Pos, rel, data)
		switch e.Kind {
		case overlay.KindSyntax, overlay.KindType, overlay.KindDuplicate, overlay.KindEncoding:
			if e.Pos.Line < 1 {
				t.Fatalf("%s error without a line: %v", e.Kind, e)
			}
		}
		if e.Kind == overlay.KindType || e.Kind == overlay.KindDuplicate {
			if e.Pos.Column < 1 {
				t.Fatalf("%s error without a column: %v", e.Kind, e)
			}
		}
	}
}

func checkString(t *testing.T, what string, s overlay.String, rel string, data []byte) {
	t.Helper()
	checkPos(t, what, s.Pos, rel, data)
	if s.Set && s.Pos.Line < 1 {
		t.Fatalf("%s is set but has no line: %+v", what, s)
	}
}

func FuzzParseOrg(f *testing.F) {
	addFixtureSeeds(f, "config/organization.yaml")
	addSeeds(f, commonSeeds...)
	addSeeds(f,
		orgSrc,
		"a: &a [*a]\n", "a: &a {<<: *a}\nb: *a\n", "<<: *x\n", "a: *b\n",
		"owner: {slug: [x]}\ncore: {pinned_commit: {a: b}}\n",
		"core:\n  pinned_commit: a\n  pinned_commit: b\n",
		"--- \nowner: {}\n--- \n", "%YAML 1.2\n---\nowner: {}\n", "!!binary owner: x\n",
		"owner: !!str\n", "? [a]\n: b\n", "owner:\n\tslug: x\n", "owner: |\n  x\n",
		"x: &a [&b [&c [*a, *b]]]\nowner: {slug: *a}\nsubstrate: {caches: {<<: [*a, *b]}}\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		const rel = "config/organization.yaml"
		org, errs := overlay.ParseOrg(rel, data)
		checkErrors(t, rel, data, org != nil, errs)
		if org == nil {
			return
		}
		for what, s := range map[string]overlay.String{
			"owner.slug": org.Owner.Slug, "owner.github_config_url": org.Owner.GithubConfigURL,
			"core.pinned_commit": org.Core.PinnedCommit, "core.module_name": org.Core.ModuleName,
			"cluster.context": org.Cluster.Context, "caches.attic_public_key": org.Caches.AtticPublicKey,
		} {
			checkString(t, what, s, rel, data)
		}
		for _, v := range org.SharedLabels.Values {
			checkString(t, "shared label", v, rel, data)
		}
	})
}

func FuzzParseModule(f *testing.F) {
	addFixtureSeeds(f, "MODULE.bazel")
	addSeeds(f, commonSeeds...)
	addSeeds(f,
		moduleSrc,
		"bazel_dep(\"x\")\n", "git_override(module_name = \"a\", commit = \"1\", commit = \"2\")\n",
		"git_override(module_name = X, commit = X)\nX = 1\n", "include(\"//:a.MODULE.bazel\")\n",
		"archive_override(module_name = \"a\", urls = [1, \"x\", None])\n",
		"def f():\n  bazel_dep(name = \"x\")\n", "x = \"\"\"\n", "bazel_dep(name = \"a\"\n",
		"bazel_dep(**{\"name\": \"a\"})\n", "bazel_dep(*[1])\n", "a.b_override(module_name = \"x\")\n",
		"type X = int\n", "if True:\n  pass\n", "x = [i for i in []]\n", "\tbazel_dep()\n",
	)
	// Operator chains at and past the limit the parser is protected by.
	addSeeds(f, "x = 1"+strings.Repeat("+1", 255)+"\n", "x = 1"+strings.Repeat("+1", 300)+"\n",
		"x = a"+strings.Repeat(".b", 300)+"\n", "x = not "+strings.Repeat("not ", 300)+"a\n",
		"x = 1"+strings.Repeat(" if a else 1", 150)+"\n", "x = \"\"\"+\"\"\""+strings.Repeat("+1", 300)+"\n")
	addSeeds(f, "x = "+strings.Repeat("-", 300)+"1\n", "x = 1"+strings.Repeat("*-1", 300)+"\n",
		"bazel_dep(name = \"a\" + "+strings.Repeat("\"b\" + ", 300)+"\"c\")\n",
		"git_override(module_name = \"a\", commit = ["+strings.Repeat("not ", 300)+"1])\n",
		"# pins\rgit_override(module_name = \"a\", commit = \"1\")\r")
	f.Fuzz(func(t *testing.T, data []byte) {
		const rel = "MODULE.bazel"
		mf, errs := overlay.ParseModule(rel, data)
		checkErrors(t, rel, data, mf != nil, errs)
		if mf == nil {
			return
		}
		for _, d := range mf.Deps {
			checkPos(t, "bazel_dep", d.Pos, rel, data)
			checkString(t, "bazel_dep name", d.Name, rel, data)
		}
		for _, o := range mf.Overrides {
			checkPos(t, o.Kind, o.Pos, rel, data)
			checkString(t, o.Kind+" module_name", o.ModuleName, rel, data)
			checkString(t, o.Kind+" commit", o.Commit, rel, data)
			for _, u := range o.URLs.Values {
				checkString(t, o.Kind+" url", u, rel, data)
			}
		}
	})
}

func FuzzParseTfvars(f *testing.F) {
	addFixtureSeeds(f, "tofu/stacks/arc-runners/*.tfvars")
	addSeeds(f, commonSeeds...)
	addSeeds(f,
		tfvarsSrc,
		"a = 1\na = 2\n", "extra_runner_sets = {\n a = {}\n \"a\" = {}\n}\n",
		"extra_runner_sets = { a = { runner_labels = \"x\", max_runners = \"y\" } }\n",
		"extra_runner_sets = { (var.x) = {} }\n", "extra_runner_sets = { 1 = { max_runners = 1e400 } }\n",
		"nix_max_runners = 99999999999999999999999\n", "nix_max_runners = -1.5\n",
		"x = <<EOT\nhello\nEOT\n", "x = \"${var.y}\"\n", "x = [for v in [] : v]\n", "block {\n}\n",
		"x = {\n", "extra_runner_sets = null\n", "extra_runner_sets = { a = null }\n",
		"extra_runner_sets = { a = { runner_labels = [null, [], {}] } }\n", "x = 1 ? 2 : 3\n",
		"nix_max_runners = 1e400000000\n", "github_config_url = \"1e400000000\"\nnix_max_runners = \"1e400000000\"\n",
		"x = \"${1e99 * 1e99}\"\n",
	)
	// Operator chains at and past the limit the parser is protected by, in every place an
	// expression can hide: a value, a template, a heredoc, nested conditionals.
	addSeeds(f, "zz = "+strings.Repeat("!", 255)+"true\n", "zz = "+strings.Repeat("-", 300)+"1\n",
		"zz = 1"+strings.Repeat("+1", 300)+"\n", "zz = \"${1"+strings.Repeat("+1", 300)+"}\"\n",
		"zz = <<EOT\n${1"+strings.Repeat("*1", 300)+"}\nEOT\n", "zz = "+strings.Repeat("true ? 1 : ", 150)+"1\n",
		"zz = [1\n"+strings.Repeat("+1\n", 300)+"]\n")
	addSeeds(f, "extra_runner_sets = { a = { max_runners = "+strings.Repeat("-", 300)+"1 } }\n",
		"extra_runner_sets = { a = { runner_labels = ["+strings.Repeat("!", 300)+"true] } }\n",
		"zz = 1"+strings.Repeat("+-1", 300)+"\n", "zz = {a = 1"+strings.Repeat(" || !1", 300)+"}\n",
		"# stack\rnix_max_runners = "+strings.Repeat("-", 300)+"1\r")
	f.Fuzz(func(t *testing.T, data []byte) {
		const rel = "tofu/stacks/arc-runners/x.tfvars"
		tv, errs := overlay.ParseTfvars(rel, data)
		checkErrors(t, rel, data, tv != nil, errs)
		if tv == nil {
			return
		}
		if len(tv.Lanes) != len(overlay.LaneKinds) {
			t.Fatalf("lanes = %d", len(tv.Lanes))
		}
		checkString(t, "github_config_url", tv.GithubConfigURL, rel, data)
		for _, l := range tv.Lanes {
			checkString(t, l.Kind+" scale set", l.ScaleSetName, rel, data)
		}
		for _, rs := range tv.ExtraRunnerSets {
			checkPos(t, "runner set", rs.Pos, rel, data)
			checkString(t, "runner_label", rs.RunnerLabel, rel, data)
			for _, l := range rs.RunnerLabels.Values {
				checkString(t, "runner_labels item", l, rel, data)
			}
		}
	})
}
