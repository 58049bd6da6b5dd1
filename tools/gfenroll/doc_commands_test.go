package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// Every command a reader is shown — the sh blocks of the READMEs and docs/, and the
// Examples of every command's --help — is executed here against the fixture overlays, so a
// renamed flag, a missing target or a wrong path fails a test instead of a reader. gfenroll
// and enrollcheck run in-process in a sandbox laid out as the docs assume (the overlay as
// the working directory, ../jesssullivan-infra, ../GloriousFlywheel as a git checkout, an
// App key under ~/.config/gfenroll, a kubeconfig whose cluster does not answer). What
// cannot run here is skipped with its reason; testdata/doc-commands.golden lists every
// command with its exit code or that reason (go test ./tools/gfenroll -run TestDocCommands
// -update rewrites it).

// docCommand is one command line shown to a reader.
type docCommand struct {
	where string // "README.md:27" or "gfenroll pin --help"
	doc   string // "README.md" or "gfenroll pin --help": the golden names no line, so an edit above does not churn it
	block string // commands of one block share their exports
	line  string
}

// docSources are the documents whose sh blocks are commands, relative to the repo root.
func docSources(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	for _, pattern := range []string{"docs/*.md", "e2e/*/README.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(root, f)
			files = append(files, filepath.ToSlash(rel))
		}
	}
	sort.Strings(files[1:])
	return files
}

// shBlockCommands extracts the command lines of the ```sh blocks of a markdown file:
// comments dropped, continuation lines joined.
func shBlockCommands(name, text string) []docCommand {
	var out []docCommand
	in, block, pending, start := false, "", "", 0
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			in = trimmed == "```sh"
			block = fmt.Sprintf("%s:%d", name, i+1)
			continue
		}
		if !in {
			continue
		}
		if pending == "" {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, "\\") {
			pending += strings.TrimSpace(strings.TrimSuffix(trimmed, "\\")) + " "
			continue
		}
		full := strings.TrimSpace(pending + trimmed)
		pending = ""
		if full == "" || strings.HasPrefix(full, "#") {
			continue
		}
		out = append(out, docCommand{where: fmt.Sprintf("%s:%d", name, start), doc: name, block: block, line: full})
	}
	return out
}

// docWords splits a documented command line into words (shellWords, shared with the
// Justfile checks) after dropping its trailing comment; subst reports a $(...)
// substitution, which needs something live to produce its value.
func docWords(line string) (words []string, subst bool) {
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			line = line[:i]
		}
	}
	return shellWords(line), strings.Contains(line, "$(")
}

// docWorld is the sandbox the commands run in.
type docWorld struct {
	root    string // the repository
	dir     string // the sandbox
	overlay string // the working directory of overlay commands: ../tinyland-infra
	home    string
	plan    string // the plan file the plan-guard examples read
}

func newDocWorld(t *testing.T, root string) *docWorld {
	t.Helper()
	dir := t.TempDir()
	w := &docWorld{root: root, dir: dir, overlay: filepath.Join(dir, "tinyland-infra"), home: filepath.Join(dir, "home")}
	for name, base := range map[string]string{"tinyland-infra": "tinyland-org", "jesssullivan-infra": "jess-personal", "a": "tinyland-org", "b": "jess-personal"} {
		overlaytest.CopyBase(t, base, filepath.Join(dir, name))
	}
	plan, err := os.ReadFile(filepath.Join(root, "e2e", "plans", "namespace-replace.json"))
	if err != nil {
		t.Fatal(err)
	}
	w.plan = filepath.Join(w.overlay, "arc.plan.json")
	mustWrite(t, w.plan, plan, 0o644)

	// The App key the arc-app-secret examples name: mode 0600, outside the overlay.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	for _, name := range []string{"app.pem", "tinyland-arc.pem"} {
		mustWrite(t, filepath.Join(w.home, ".config", "gfenroll", name), pemKey, 0o600)
	}
	// A kubeconfig with the overlays' context, on a port nothing listens on: the live
	// probes fail fast, as findings.
	mustWrite(t, filepath.Join(w.home, ".kube", "config"), []byte(`apiVersion: v1
kind: Config
clusters: [{name: honey, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: me, user: {token: not-a-secret}}]
contexts: [{name: honey, context: {cluster: honey, user: me}}]
current-context: honey
`), 0o600)

	// ../GloriousFlywheel: a core checkout with a main branch and a v1.4.0 tag.
	core := filepath.Join(dir, "GloriousFlywheel")
	mustWrite(t, filepath.Join(core, "README.md"), []byte("core\n"), 0o644)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "core"}, {"tag", "v1.4.0"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = core
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "HOME="+w.home)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	return w
}

func mustWrite(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

// skipReasons are the commands that cannot run here and why, by their program; the
// short list of everything that does not run. Everything else runs.
var skipReasons = map[string]string{
	"tofu":   "needs OpenTofu and the ARC stack's state (plan-guard runs on a plan fixture instead)",
	"bazel":  "needs Bazel (the bazel-smoke and bzlmod stages run it)",
	"just":   "a Justfile recipe (TestJustfilesWithJust runs the recipes)",
	"source": "starts the kube-apiserver test environment (the kube-testenv stage)",
	// Installing a release: a download from the release host, then a checksum check and an
	// install of what it downloaded (the release stage builds and checks the same artifacts).
	"curl":      "downloads a release (the release stage builds and checks the same artifacts)",
	"sha256sum": "checks a downloaded release (the release stage checks SHA256SUMS)",
	"install":   "installs a downloaded release binary",
}

const (
	skipLiveGitHub = "needs a GitHub token and the live GitHub API"
	skipLiveApply  = "writes the App secret into a live cluster (ops/appsecret runs --apply against the real kube-apiserver)"
)

// skipReason says why words (a command without its variable assignments) cannot run
// here, or "".
func skipReason(words []string, assigned map[string]string) string {
	if r, ok := skipReasons[words[0]]; ok {
		return r
	}
	for _, k := range []string{"GITHUB_TOKEN", "GH_TOKEN"} {
		if _, ok := assigned[k]; ok {
			return skipLiveGitHub
		}
	}
	if len(words) > 1 && words[0] == "gfenroll" && words[1] == "arc-app-secret" && indexOf(words, "--apply") >= 0 {
		return skipLiveApply
	}
	return ""
}

var assignment = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)

// run executes one command line and returns what the golden file records for it.
func (w *docWorld) run(t *testing.T, exports map[string]string, c docCommand) string {
	t.Helper()
	words, subst := docWords(c.line)
	if words[0] == "export" {
		if subst {
			return "skip: " + skipLiveGitHub
		}
		for _, kv := range words[1:] {
			name, value, _ := strings.Cut(kv, "=")
			exports[name] = w.expand(value)
		}
		return "sets " + strings.Join(sortedKeys(exports), " ")
	}
	if r, ok := skipReasons[words[0]]; ok {
		return "skip: " + r
	}
	if subst {
		return "skip: " + skipLiveGitHub
	}
	var results []string
	for _, seg := range splitWords(words, "&&") {
		results = append(results, w.runSegment(t, exports, c, seg))
	}
	return strings.Join(results, "; ")
}

func (w *docWorld) runSegment(t *testing.T, exports map[string]string, c docCommand, words []string) string {
	t.Helper()
	var stdin io.Reader = strings.NewReader("")
	if parts := splitWords(words, "|"); len(parts) == 2 {
		// `tofu show -json PLAN | gfenroll plan-guard -`: the plan fixture stands in for
		// what tofu would print.
		if parts[0][0] != "tofu" {
			t.Fatalf("%s: a pipe from %q: only tofu show is understood", c.where, parts[0][0])
		}
		data, err := os.ReadFile(w.plan)
		if err != nil {
			t.Fatal(err)
		}
		stdin, words = bytes.NewReader(data), parts[1]
	}
	if i := indexOf(words, ">"); i >= 0 {
		words = words[:i] // the redirected output is already in the sandbox (the plan)
	}
	env := map[string]string{"HOME": w.home, "KUBECONFIG": filepath.Join(w.home, ".kube", "config")}
	for k, v := range exports {
		env[k] = v
	}
	assigned := map[string]string{}
	for len(words) > 0 && assignment.MatchString(words[0]) {
		name, value, _ := strings.Cut(words[0], "=")
		env[name], assigned[name] = w.expand(value), value
		words = words[1:]
	}
	if len(words) == 0 {
		return "sets " + strings.Join(sortedKeys(assigned), " ")
	}
	if reason := skipReason(words, assigned); reason != "" {
		return "skip: " + reason
	}
	for i := range words {
		words[i] = w.expand(words[i])
	}

	var reg *cli.Registry
	dir := w.overlay
	switch {
	case words[0] == "gfenroll":
		reg, words = registry, words[1:]
	case words[0] == "enrollcheck":
		reg, words = cli.NewRegistry("enrollcheck", cli.StaticCommands()...), words[1:]
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./tools/gfenroll":
		reg, words, dir = registry, words[3:], w.root
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./tools/enrollcheck":
		reg, words, dir = cli.NewRegistry("enrollcheck", cli.StaticCommands()...), words[3:], w.root
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./checks/overlaytest/cmd/materialize":
		v, err := overlaytest.ParseVariant(filepath.Join(w.root, words[3]))
		if err != nil {
			t.Fatalf("%s: %v", c.where, err)
		}
		if err := overlaytest.MaterializeTo(v, overlaytest.BaseDir(t, v.Base), words[4]); err != nil {
			t.Fatalf("%s: %v", c.where, err)
		}
		return "materialized"
	case len(words) > 1 && words[0] == "go" && words[1] == "test":
		for _, a := range words[2:] {
			if strings.HasPrefix(a, "./") {
				if fi, err := os.Stat(filepath.Join(w.root, strings.TrimSuffix(a, "/..."))); err != nil || !fi.IsDir() {
					t.Errorf("%s: go test names %s, which is no package directory", c.where, a)
				}
			}
		}
		return "packages exist"
	case words[0] == "cd" || strings.HasSuffix(words[0], ".sh"):
		p := filepath.Join(w.root, words[len(words)-1])
		if words[0] != "cd" {
			p = filepath.Join(w.root, words[0])
		}
		fi, err := os.Stat(p)
		if err != nil || (words[0] != "cd" && fi.Mode()&0o111 == 0) {
			t.Errorf("%s: %q names no executable script or directory in the repository", c.where, c.line)
		}
		return "exists"
	default:
		t.Errorf("%s: %q: no rule to run or skip it; add one to runSegment or skipReasons", c.where, c.line)
		return "unknown"
	}
	for _, a := range words {
		if strings.Contains(a, "e2e/") && !filepath.IsAbs(a) {
			dir = w.root // a path into the repository's fixtures
		}
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	e := &cli.Env{Stdout: &stdout, Stderr: &stderr, Stdin: stdin, Prog: "gfenroll",
		Getenv: func(k string) string { return env[k] }}
	for k, v := range env {
		t.Setenv(k, v) // libraries that read the environment themselves (client-go)
	}
	code := reg.Run(context.Background(), e, words)
	if code == 2 || strings.Contains(stderr.String(), "flag provided but not defined") {
		t.Errorf("%s: %q: exit %d (usage or unusable input)\nstderr: %s", c.where, c.line, code, stderr.String())
	}
	return fmt.Sprintf("exit %d", code)
}

// expand resolves what the docs' paths assume: ~ is the sandbox home, /tmp/ the sandbox.
func (w *docWorld) expand(s string) string {
	if rest, ok := strings.CutPrefix(s, "~/"); ok {
		return filepath.Join(w.home, rest)
	}
	if rest, ok := strings.CutPrefix(s, "/tmp/"); ok {
		return filepath.Join(w.dir, "tmp", rest)
	}
	return s
}

func splitWords(words []string, sep string) [][]string {
	var out [][]string
	cur := []string{}
	for _, w := range words {
		if w == sep {
			out = append(out, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, w)
	}
	return append(out, cur)
}

func indexOf(words []string, s string) int {
	for i, w := range words {
		if w == s {
			return i
		}
	}
	return -1
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestDocCommands(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not available: the core checkout of the sandbox needs it")
	}
	root := overlaytest.RepoRoot(t)
	var cmds []docCommand
	for _, name := range docSources(t, root) {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, shBlockCommands(name, string(data))...)
	}
	for _, c := range registry.Commands() {
		for _, ex := range c.Examples {
			cmds = append(cmds, docCommand{where: "gfenroll " + c.Name + " --help", doc: "gfenroll " + c.Name + " --help", block: "help " + c.Name + ": " + ex, line: ex})
		}
	}
	if len(cmds) < 40 {
		t.Fatalf("found only %d documented commands", len(cmds))
	}

	var golden strings.Builder
	golden.WriteString("# Every documented command and what it did in the sandbox (TestDocCommands).\n")
	exports := map[string]map[string]string{}
	w := newDocWorld(t, root)
	for _, c := range cmds {
		if exports[c.block] == nil {
			exports[c.block] = map[string]string{}
		}
		fmt.Fprintf(&golden, "%s: %s\n  => %s\n", c.doc, c.line, w.run(t, exports[c.block], c))
	}

	path := filepath.Join(root, "tools", "gfenroll", "testdata", "doc-commands.golden")
	if *update {
		mustWrite(t, path, []byte(golden.String()), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tools/gfenroll -run TestDocCommands -update)", err)
	}
	if string(want) != golden.String() {
		t.Errorf("documented commands behave differently from testdata/doc-commands.golden (review, then go test ./tools/gfenroll -run TestDocCommands -update):\n%s", lineDiff(string(want), golden.String()))
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, a, c)
		}
	}
	return b.String()
}

func TestDocWords(t *testing.T) {
	words, subst := docWords(`GF_X=main gfenroll pin "a b" 'c'   # comment`)
	if strings.Join(words, "|") != "GF_X=main|gfenroll|pin|a b|c" || subst {
		t.Errorf("docWords = %q, %v", words, subst)
	}
	if _, subst := docWords(`export GH_TOKEN=$(gh auth token)`); !subst {
		t.Error("$(...) not reported")
	}
	got := shBlockCommands("x.md", "text\n```sh\n# c\ngfenroll a \\\n  --b\n\n```\n```text\ngfenroll no\n```\n")
	if len(got) != 1 || got[0].line != "gfenroll a --b" || got[0].where != "x.md:4" || got[0].doc != "x.md" {
		t.Errorf("shBlockCommands = %+v", got)
	}
}
