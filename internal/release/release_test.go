// Package release tests scripts/release.sh and the registry files in .bcr/: that two runs on
// one commit give byte-identical artifacts, and that the registry files have the fields and
// types the Bazel Central Registry requires (its metadata.schema.json and presubmit docs).
package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot is the repository root (this package is internal/release).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func skipUnderBazel(t *testing.T) {
	t.Helper()
	if os.Getenv("TEST_SRCDIR") != "" {
		t.Skip("reads the repository and runs git and go: run it with go test, not in a Bazel sandbox")
	}
}

// ---- metadata.json (bazel-central-registry metadata.schema.json) ----------------------------

var githubHandle = regexp.MustCompile(`^[-a-zA-Z0-9]*$`)

// checkMetadata applies metadata.schema.json of the Bazel Central Registry (commit
// 51181a817c98350d5c94d35b4c874ebe8f5e9c6a): required homepage, versions, maintainers,
// repository; no other keys than the schema's; each key's type; maintainers and repository
// non-empty; a maintainer's github handle matches ^[-a-zA-Z0-9]*$.
func checkMetadata(data []byte) []string {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, k := range []string{"homepage", "versions", "maintainers", "repository"} {
		if _, ok := doc[k]; !ok {
			bad("required key %q missing", k)
		}
	}
	allowed := map[string]bool{"$schema": true, "homepage": true, "maintainers": true, "repository": true,
		"versions": true, "yanked_versions": true, "deprecated": true}
	for k, v := range doc {
		if !allowed[k] {
			bad("key %q is not in the schema (additionalProperties: false)", k)
			continue
		}
		switch k {
		case "$schema", "homepage", "deprecated":
			if _, ok := v.(string); !ok {
				bad("%s must be a string, got %T", k, v)
			}
		case "yanked_versions":
			if _, ok := v.(map[string]any); !ok {
				bad("yanked_versions must be an object, got %T", v)
			}
		case "versions", "repository":
			items, ok := v.([]any)
			if !ok {
				bad("%s must be an array, got %T", k, v)
				continue
			}
			if k == "repository" && len(items) == 0 {
				bad("repository must have at least one item")
			}
			for i, it := range items {
				if _, ok := it.(string); !ok {
					bad("%s[%d] must be a string, got %T", k, i, it)
				}
			}
		case "maintainers":
			items, ok := v.([]any)
			if !ok || len(items) == 0 {
				bad("maintainers must be a non-empty array")
				continue
			}
			for i, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					bad("maintainers[%d] must be an object", i)
					continue
				}
				for mk, mv := range m {
					switch mk {
					case "github", "email", "name":
						s, ok := mv.(string)
						if !ok {
							bad("maintainers[%d].%s must be a string", i, mk)
						} else if mk == "github" && !githubHandle.MatchString(s) {
							bad("maintainers[%d].github %q does not match %s", i, s, githubHandle)
						}
					case "github_user_id":
						if f, ok := mv.(float64); !ok || f != float64(int64(f)) {
							bad("maintainers[%d].github_user_id must be an integer", i)
						}
					case "do_not_notify":
						if _, ok := mv.(bool); !ok {
							bad("maintainers[%d].do_not_notify must be a boolean", i)
						}
					}
				}
			}
		}
	}
	sort.Strings(errs)
	return errs
}

// ---- source.json -----------------------------------------------------------------------------

var sri = regexp.MustCompile(`^sha256-[A-Za-z0-9+/]{43}=$`)

// checkSource applies the BCR's rules for source.json (docs/README.md): type archive (the
// default; no type key or "archive"), a url the metadata's repository list allows, an
// integrity, strip_prefix, and patches named with their integrity (patch_strip an integer).
// template: the file is .bcr/source.template.json, whose integrity and placeholders
// publish-to-bcr fills in.
func checkSource(data []byte, repositories []string, template bool) []string {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	str := func(k string) string {
		v, ok := doc[k].(string)
		if !ok {
			bad("%s must be a string, got %T", k, doc[k])
		}
		return v
	}
	if t, ok := doc["type"]; ok && t != "archive" {
		bad("type must be archive (the BCR accepts no other), got %v", t)
	}
	url := str("url")
	integrity := str("integrity")
	str("strip_prefix")
	if !template && !sri.MatchString(integrity) {
		bad("integrity %q is not a sha256 SRI value", integrity)
	}
	allowed := false
	for _, r := range repositories {
		prefix := r
		if gh, ok := strings.CutPrefix(r, "github:"); ok {
			prefix = "https://github.com/" + gh
			if template {
				prefix = "https://github.com/{OWNER}/{REPO}"
			}
		}
		if strings.HasPrefix(url, strings.TrimSuffix(prefix, "/")+"/") {
			allowed = true
		}
	}
	if !allowed {
		bad("url %q is not under any repository of metadata.json %v", url, repositories)
	}
	if p, ok := doc["patches"]; ok {
		m, ok := p.(map[string]any)
		if !ok {
			bad("patches must be an object")
		}
		for name, v := range m {
			if s, ok := v.(string); !ok || !sri.MatchString(s) {
				bad("patches[%q] must be a sha256 SRI value, got %v", name, v)
			}
		}
		if f, ok := doc["patch_strip"].(float64); !ok || f != float64(int(f)) {
			bad("patch_strip must be an integer with patches")
		}
	}
	return errs
}

// ---- presubmit.yml ---------------------------------------------------------------------------

type presubmitTask struct {
	Name         string   `yaml:"name"`
	Platform     string   `yaml:"platform"`
	Bazel        string   `yaml:"bazel"`
	BuildTargets []string `yaml:"build_targets"`
	TestTargets  []string `yaml:"test_targets"`
}

type presubmitMatrix struct {
	Platform []string `yaml:"platform"`
	Bazel    []string `yaml:"bazel"`
}

type presubmit struct {
	Matrix        *presubmitMatrix         `yaml:"matrix"`
	Tasks         map[string]presubmitTask `yaml:"tasks"`
	BCRTestModule *struct {
		ModulePath string                   `yaml:"module_path"`
		Matrix     presubmitMatrix          `yaml:"matrix"`
		Tasks      map[string]presubmitTask `yaml:"tasks"`
	} `yaml:"bcr_test_module"`
}

// checkPresubmit applies the BCR presubmit docs (docs/README.md "Presubmit", "Test module"):
// tasks follow Bazel CI's task syntax, each names its platform and its Bazel version ("BCR
// requires the bazel version to be specified for each task"), a test module's module_path
// holds a MODULE.bazel. Ours must also run Bazel 7, 8 and 9 and build and test the module.
func checkPresubmit(data []byte, root string) []string {
	var p presubmit
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return []string{"not the presubmit shape: " + err.Error()}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if p.BCRTestModule == nil {
		return []string{"no bcr_test_module"}
	}
	m := p.BCRTestModule
	if _, err := os.Stat(filepath.Join(root, m.ModulePath, "MODULE.bazel")); err != nil {
		bad("bcr_test_module.module_path %q holds no MODULE.bazel", m.ModulePath)
	}
	if len(m.Matrix.Platform) == 0 {
		bad("bcr_test_module.matrix.platform is empty")
	}
	want := []string{"7.x", "8.x", "9.x"}
	if strings.Join(m.Matrix.Bazel, " ") != strings.Join(want, " ") {
		bad("bcr_test_module.matrix.bazel = %v, want %v", m.Matrix.Bazel, want)
	}
	if len(m.Tasks) == 0 {
		bad("bcr_test_module has no tasks")
	}
	for name, task := range m.Tasks {
		if task.Bazel == "" || task.Platform == "" {
			bad("task %s must set platform and bazel", name)
		}
		if !containsAll(task.TestTargets, "//...") || !containsAll(task.BuildTargets, "//...") {
			bad("task %s must build and test //...", name)
		}
	}
	return errs
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || l == w
		}
		if !found {
			return false
		}
	}
	return true
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func repositories(t *testing.T, metadata []byte) []string {
	t.Helper()
	var m struct {
		Repository []string `json:"repository"`
	}
	if err := json.Unmarshal(metadata, &m); err != nil {
		t.Fatal(err)
	}
	return m.Repository
}

func reportAll(t *testing.T, what string, errs []string) {
	t.Helper()
	for _, e := range errs {
		t.Errorf("%s: %s", what, e)
	}
}

// TestBCRTemplates validates the committed .bcr files and the test module they name.
func TestBCRTemplates(t *testing.T) {
	skipUnderBazel(t)
	root := repoRoot(t)
	metadata := readFile(t, filepath.Join(root, ".bcr/metadata.template.json"))
	reportAll(t, "metadata.template.json", checkMetadata(metadata))
	reportAll(t, "source.template.json", checkSource(readFile(t, filepath.Join(root, ".bcr/source.template.json")), repositories(t, metadata), true))
	reportAll(t, "presubmit.yml", checkPresubmit(readFile(t, filepath.Join(root, ".bcr/presubmit.yml")), root))

	// The test module is a consumer without Go: it would have caught a rule set that needs
	// a Go toolchain the consumer did not ask for.
	module := string(readFile(t, filepath.Join(root, "e2e/bcr/MODULE.bazel")))
	for _, forbidden := range []string{`"rules_go"`, "go_sdk", `"gazelle"`, "go_deps"} {
		if strings.Contains(module, forbidden) {
			t.Errorf("e2e/bcr/MODULE.bazel mentions %s; the BCR test module must declare nothing Go", forbidden)
		}
	}
}

// TestValidatorsReject proves the checks above can fail: each broken document is rejected
// with the reason.
func TestValidatorsReject(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
		check           func([]byte) []string
	}{
		{"metadata without maintainers", `{"homepage":"h","versions":[],"repository":["github:a/b"]}`, `required key "maintainers" missing`, checkMetadata},
		{"metadata with an unknown key", `{"homepage":"h","versions":[],"maintainers":[{"github":"x"}],"repository":["github:a/b"],"owner":"x"}`, `key "owner" is not in the schema`, checkMetadata},
		{"metadata with a bad handle", `{"homepage":"h","versions":[],"maintainers":[{"github":"a b"}],"repository":["github:a/b"]}`, `does not match`, checkMetadata},
		{"metadata with versions a string", `{"homepage":"h","versions":"1.0","maintainers":[{"github":"x"}],"repository":["github:a/b"]}`, `versions must be an array`, checkMetadata},
		{"source from another repository", `{"url":"https://example.com/x.tar.gz","integrity":"sha256-` + strings.Repeat("A", 43) + `=","strip_prefix":"x"}`, `is not under any repository`,
			func(b []byte) []string { return checkSource(b, []string{"github:a/b"}, false) }},
		{"source of type git_repository", `{"type":"git_repository","url":"https://github.com/a/b/x.tar.gz","integrity":"sha256-` + strings.Repeat("A", 43) + `=","strip_prefix":"x"}`, `type must be archive`,
			func(b []byte) []string { return checkSource(b, []string{"github:a/b"}, false) }},
		{"presubmit without bazel in a task", "bcr_test_module:\n  module_path: e2e/bcr\n  matrix: {platform: [debian11], bazel: [7.x, 8.x, 9.x]}\n  tasks:\n    t: {platform: debian11, build_targets: ['//...'], test_targets: ['//...']}\n", `must set platform and bazel`,
			func(b []byte) []string { return checkPresubmit(b, filepath.Join("..", "..")) }},
		{"presubmit with a misspelt key", "bcr_test_module:\n  module_path: e2e/bcr\n  matrix: {platform: [debian11], bazel: [7.x, 8.x, 9.x]}\n  tasks:\n    t: {platform: debian11, bazel: 7.x, test_target: ['//...']}\n", `not the presubmit shape`,
			func(b []byte) []string { return checkPresubmit(b, filepath.Join("..", "..")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.check([]byte(tc.doc))
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("errors %q, want one containing %q", errs, tc.want)
			}
		})
	}
}

// TestDevDepsPatchApplies keeps .bcr/patches/go_dev_deps.patch in step with MODULE.bazel:
// its one hunk must replace exactly the IS_RELEASE = False line.
func TestDevDepsPatchApplies(t *testing.T) {
	skipUnderBazel(t)
	root := repoRoot(t)
	patch := string(readFile(t, filepath.Join(root, ".bcr/patches/go_dev_deps.patch")))
	var line int
	if _, err := fmt.Sscanf(patch[strings.Index(patch, "@@"):], "@@ -%d,1", &line); err != nil {
		t.Fatalf("cannot read the hunk of go_dev_deps.patch: %v", err)
	}
	lines := strings.Split(string(readFile(t, filepath.Join(root, "MODULE.bazel"))), "\n")
	if line < 1 || line > len(lines) || lines[line-1] != "IS_RELEASE = False" {
		t.Errorf("go_dev_deps.patch replaces line %d of MODULE.bazel, which is not `IS_RELEASE = False`; fix the hunk's line numbers", line)
	}
}

// ---- the release script ----------------------------------------------------------------------

func sriOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

func runRelease(t *testing.T, root, version, out string, env ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "scripts/release.sh"), version, out)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "GF_RELEASE_ALLOW_DIRTY=1"), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/release.sh %s: %v\n%s", version, err, b)
	}
}

func listFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// archiveFile returns one file of the release's source archive.
func archiveFile(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s not in the archive", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// TestReleaseReproducible runs scripts/release.sh twice on the current commit and compares
// every artifact byte for byte, then checks what the artifacts say about each other. It
// cross-compiles both checkers for every platform, so it runs only when GF_RELEASE_TEST=1
// (the release stage of scripts/test.sh sets it); GF_RELEASE_PLATFORMS narrows the platforms,
// GF_RELEASE_TEST_COLD=1 gives the second run an empty Go build cache.
func TestReleaseReproducible(t *testing.T) {
	skipUnderBazel(t)
	if os.Getenv("GF_RELEASE_TEST") == "" {
		t.Skip("cross-compiles 8 binaries twice: set GF_RELEASE_TEST=1 (scripts/test.sh release)")
	}
	root := repoRoot(t)
	const version = "1.2.3-rc.1"
	a, b := t.TempDir(), t.TempDir()
	runRelease(t, root, version, a)
	var second []string
	if os.Getenv("GF_RELEASE_TEST_COLD") != "" {
		second = append(second, "GOCACHE="+t.TempDir())
	}
	runRelease(t, root, version, b, second...)

	fa, fb := listFiles(t, a), listFiles(t, b)
	var names []string
	for name := range fa {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !bytes.Equal(fa[name], fb[name]) {
			t.Errorf("%s differs between two runs on one commit", name)
		}
	}
	if len(fa) != len(fb) {
		t.Errorf("the runs wrote %d and %d files", len(fa), len(fb))
	}

	platforms := strings.Fields(os.Getenv("GF_RELEASE_PLATFORMS"))
	if len(platforms) == 0 {
		platforms = []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"}
	}
	integrity := string(fa["integrity.bzl"])
	for _, p := range platforms {
		for _, bin := range []string{"enrollcheck", "gfenroll"} {
			name := bin + "-" + p
			data, ok := fa[name]
			if !ok {
				t.Errorf("%s missing", name)
				continue
			}
			sum := sha256.Sum256(data)
			entry := fmt.Sprintf("%q: {\n        \"sha256\": %q,\n        \"url\": %q,\n    }", name, hex.EncodeToString(sum[:]), name)
			if !strings.Contains(integrity, entry) {
				t.Errorf("integrity.bzl lacks %s", entry)
			}
		}
	}
	host := runtime.GOOS + "_" + runtime.GOARCH
	for _, bin := range []string{"enrollcheck", "gfenroll"} {
		if _, ok := fa[bin+"-"+host]; !ok {
			continue
		}
		out, err := exec.Command(filepath.Join(a, bin+"-"+host), "--version").Output()
		if err != nil || strings.TrimSpace(string(out)) != bin+" "+version {
			t.Errorf("%s --version = %q (%v), want %q", bin, out, err, bin+" "+version)
		}
	}

	archiveName := "gf_enrollment-v" + version + ".tar.gz"
	archive := fa[archiveName]
	prefix := "gf_enrollment-" + version + "/"
	if got := archiveFile(t, archive, prefix+"rules/private/integrity.bzl"); !bytes.Equal(got, fa["integrity.bzl"]) {
		t.Errorf("the archive's rules/private/integrity.bzl is not the release's integrity.bzl")
	}
	entry := "modules/gf_enrollment/" + version + "/"
	module := string(fa[entry+"MODULE.bazel"])
	for _, want := range []string{`version = "` + version + `",`, "\nIS_RELEASE = True\n"} {
		if !strings.Contains(module, want) {
			t.Errorf("the registry's MODULE.bazel lacks %q", want)
		}
	}
	if archived := string(archiveFile(t, archive, prefix+"MODULE.bazel")); strings.Replace(archived, "IS_RELEASE = False", "IS_RELEASE = True", 1) != module {
		t.Errorf("the registry's MODULE.bazel is not the archive's with go_dev_deps.patch applied")
	}
	metadata := fa["modules/gf_enrollment/metadata.json"]
	reportAll(t, "metadata.json", checkMetadata(metadata))
	source := fa[entry+"source.json"]
	reportAll(t, "source.json", checkSource(source, repositories(t, metadata), false))
	var src struct {
		Integrity string            `json:"integrity"`
		URL       string            `json:"url"`
		Patches   map[string]string `json:"patches"`
	}
	if err := json.Unmarshal(source, &src); err != nil {
		t.Fatal(err)
	}
	if src.Integrity != sriOf(archive) {
		t.Errorf("source.json integrity %s, the archive's is %s", src.Integrity, sriOf(archive))
	}
	if !strings.HasSuffix(src.URL, "/v"+version+"/"+archiveName) {
		t.Errorf("source.json url %s does not name the release's archive", src.URL)
	}
	if got, want := src.Patches["go_dev_deps.patch"], sriOf(fa[entry+"patches/go_dev_deps.patch"]); got != want {
		t.Errorf("source.json patch integrity %s, want %s", got, want)
	}
}
