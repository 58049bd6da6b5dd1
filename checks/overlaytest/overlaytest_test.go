package overlaytest

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTree creates files under dir; a value starting with "->" makes a symlink, and a key
// ending in "/" a directory.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(rel, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(rel, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(strings.TrimPrefix(content, "->"), p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// readTree maps every path under dir to its content ("->target" for links, "/" for dirs).
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "->" + target
		case d.IsDir():
			out[rel+"/"] = ""
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var baseTree = map[string]string{
	"config/organization.yaml":           "owner: {slug: base}\n",
	"MODULE.bazel":                       "bazel_dep(name = \"x\")\n",
	"tofu/stacks/arc-runners/a.tfvars":   "a = 1\n",
	".github/workflows/validate.yml":     "on: push\n",
	".github/workflows/deploy.yml":       "on: push\n",
	"README.md":                          "base\n",
	"docs/notes/keep.md":                 "keep\n",
	"tofu/stacks/arc-runners/backend.tf": "terraform {}\n",
}

var variantTree = map[string]string{
	"VARIANT":                          "base\nrules: pins/drift taxonomy/minted-label\nCore pin drifts.\n",
	"expected.txt":                     "golden, not copied\n",
	"expected.json":                    "{}\n",
	"config/organization.yaml":         "owner: {slug: changed}\n",
	"MODULE.bazel":                     DeleteMarker + "\n",
	".github/workflows":                DeleteMarker, // deletes a whole directory
	"tofu/stacks/arc-runners/b.tfvars": "b = 2\n",
	"README.md/":                       "", // a directory where the base has a file
	"docs/notes/loop.md":               "->loop.md",
	"docs/notes/expected.txt":          "nested expected.* files are overlay files\n",
}

var wantTree = map[string]string{
	"config/":                            "",
	"config/organization.yaml":           "owner: {slug: changed}\n",
	"tofu/":                              "",
	"tofu/stacks/":                       "",
	"tofu/stacks/arc-runners/":           "",
	"tofu/stacks/arc-runners/a.tfvars":   "a = 1\n",
	"tofu/stacks/arc-runners/b.tfvars":   "b = 2\n",
	"tofu/stacks/arc-runners/backend.tf": "terraform {}\n",
	".github/":                           "",
	"README.md/":                         "",
	"docs/":                              "",
	"docs/notes/":                        "",
	"docs/notes/keep.md":                 "keep\n",
	"docs/notes/loop.md":                 "->loop.md",
	"docs/notes/expected.txt":            "nested expected.* files are overlay files\n",
}

func TestMaterializeTo(t *testing.T) {
	tmp := t.TempDir()
	base, variant := filepath.Join(tmp, "base"), filepath.Join(tmp, "drift-case")
	writeTree(t, base, baseTree)
	writeTree(t, variant, variantTree)
	v, err := ParseVariant(variant)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	if err := MaterializeTo(v, base, out); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, out); !reflect.DeepEqual(got, wantTree) {
		t.Errorf("materialized tree:\n got %v\nwant %v", got, wantTree)
	}
	if got := readTree(t, base); !reflect.DeepEqual(got, readTreeWant(baseTree)) {
		t.Errorf("base was modified: %v", got)
	}
	if err := MaterializeTo(v, base, out); err == nil {
		t.Error("materializing into an existing directory succeeded")
	}
}

// readTreeWant adds the directories readTree reports to a file map.
func readTreeWant(files map[string]string) map[string]string {
	out := map[string]string{}
	for rel, c := range files {
		out[rel] = c
		for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
			out[filepath.ToSlash(d)+"/"] = ""
		}
	}
	return out
}

func TestParseVariant(t *testing.T) {
	tests := []struct {
		name, content string
		want          Variant
		wantErr       string
	}{
		{name: "rules", content: "tinyland-org\nrules: pins/drift  taxonomy/minted-label\nWhy it breaks.\nMore.\n",
			want: Variant{Base: "tinyland-org", Rules: []string{"pins/drift", "taxonomy/minted-label"}, Description: "Why it breaks.\nMore."}},
		{name: "args", content: "tinyland-org\nrules: pins/expected-ref\nargs: --expected-core-ref main --core\nDescription.\n",
			want: Variant{Base: "tinyland-org", Rules: []string{"pins/expected-ref"}, Args: []string{"--expected-core-ref", "main", "--core"}, Description: "Description."}},
		{name: "args only on line 3", content: "tinyland-org\nrules: a/b\nText.\nargs: --core\n",
			want: Variant{Base: "tinyland-org", Rules: []string{"a/b"}, Description: "Text.\nargs: --core"}},
		{name: "no rules", content: "jess-personal\nrules:\n", want: Variant{Base: "jess-personal"}},
		{name: "pass case", content: "tinyland-org\nrules: none\nAn exemption.\n", want: Variant{Base: "tinyland-org", Pass: true, Description: "An exemption."}},
		{name: "crlf and spaces", content: " tinyland-org \r\nrules: a/b\r\n", want: Variant{Base: "tinyland-org", Rules: []string{"a/b"}}},
		{name: "missing rules line", content: "tinyland-org\n", wantErr: "line 2"},
		{name: "bad rules line", content: "tinyland-org\nbreaks: a/b\n", wantErr: "line 2"},
		{name: "empty base", content: "\nrules: a/b\n", wantErr: "line 1"},
		{name: "path base", content: "../etc\nrules: a/b\n", wantErr: "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "case")
			writeTree(t, dir, map[string]string{"VARIANT": tt.content})
			got, err := ParseVariant(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Name, tt.want.Dir = "case", dir
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := ParseVariant(t.TempDir()); err == nil {
		t.Error("a directory without VARIANT parsed")
	}
}

func TestVariantsListsOnlyCaseDirs(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"b-case/VARIANT":    "tinyland-org\nrules: x/y\n",
		"a-case/VARIANT":    "jess-personal\nrules: z/w\n",
		"not-a-case/README": "x\n",
		"stray-file":        "x\n",
	})
	vs := Variants(t, dir)
	if len(vs) != 2 || vs[0].Name != "a-case" || vs[1].Name != "b-case" || vs[1].Rules[0] != "x/y" {
		t.Errorf("Variants = %+v", vs)
	}
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"tinyland-org", "jess-personal"} {
		if dir := BaseDir(t, base); !strings.HasPrefix(dir, root) {
			t.Errorf("BaseDir(%s) = %s, not under %s", base, dir, root)
		}
	}
	if !declaresModule([]byte("// x\nmodule github.com/tinyland-inc/gf-enrollment\n")) || declaresModule([]byte("module example.com/other\n")) {
		t.Error("declaresModule")
	}
}

// Every committed broken case must materialize without copying its control files.
func TestCommittedVariantsMaterialize(t *testing.T) {
	dir := filepath.Join(RepoRoot(t), "e2e", "overlays", "broken")
	vs := Variants(t, dir)
	if len(vs) == 0 {
		t.Fatalf("no broken variants in %s", dir)
	}
	for _, v := range vs {
		out := Materialize(t, v.Dir)
		for _, own := range []string{"VARIANT", "expected.txt", "expected.json"} {
			if _, err := os.Lstat(filepath.Join(out, own)); err == nil {
				t.Errorf("%s: %s copied into the overlay", v.Name, own)
			}
		}
	}
}
