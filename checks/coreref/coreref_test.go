package coreref

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitRepo builds a throwaway core checkout:
//
//	c1 <- c2 (local main, tag v1.0 annotated on c1, lightweight tag light on c2)
//	refs/remotes/origin/main -> c1 (so local main is "ahead" of the published branch)
//	refs/remotes/origin/release -> c2 (exists only as a remote-tracking branch)
func gitRepo(t *testing.T) (dir, c1, c2 string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir = t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(gitlessEnviron(),
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
			"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q", "-b", "main")
	run("commit", "-q", "--allow-empty", "-m", "one")
	c1 = run("rev-parse", "HEAD")
	run("tag", "-a", "v1.0", "-m", "release one")
	run("commit", "-q", "--allow-empty", "-m", "two")
	c2 = run("rev-parse", "HEAD")
	run("tag", "light")
	run("update-ref", "refs/remotes/origin/main", c1)
	run("update-ref", "refs/remotes/origin/release", c2)
	return dir, c1, c2
}

func TestGitCheckoutResolve(t *testing.T) {
	dir, c1, c2 := gitRepo(t)
	g := GitCheckout{Dir: dir}
	cases := []struct {
		name, want string
	}{
		{"main", c1},            // origin/main wins over the local branch that is ahead
		{"release", c2},         // only a remote-tracking branch
		{"origin/release", c2},  // spelled out
		{"v1.0", c1},            // annotated tag is peeled to its commit
		{"light", c2},           // lightweight tag
		{"refs/tags/v1.0", c1},  // full ref name
		{"refs/heads/main", c2}, // the local branch when asked for explicitly
		{c2[:10], c2},           // abbreviated SHA
		{c1, c1},                // full SHA
	}
	for _, c := range cases {
		got, err := g.Resolve(context.Background(), c.name)
		if err != nil {
			t.Errorf("Resolve(%q): %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("Resolve(%q) = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestGitCheckoutNotFound(t *testing.T) {
	dir, _, _ := gitRepo(t)
	_, err := GitCheckout{Dir: dir}.Resolve(context.Background(), "does-not-exist")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if strings.Contains(err.Error(), dir) {
		t.Errorf("error leaks the checkout path: %v", err)
	}
	if !strings.Contains(err.Error(), "never fetched") {
		t.Errorf("error should say the checkout is not fetched: %v", err)
	}
}

func TestGitCheckoutNotARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	_, err := GitCheckout{Dir: dir}.Resolve(context.Background(), "main")
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want a git failure distinct from not-found", err)
	}
	if strings.Contains(err.Error(), dir) {
		t.Errorf("error leaks the checkout path: %v", err)
	}
	if !strings.Contains(err.Error(), "GF_CORE_PATH") {
		t.Errorf("error should name GF_CORE_PATH: %v", err)
	}

	_, err = GitCheckout{Dir: filepath.Join(dir, "missing")}.Resolve(context.Background(), "main")
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("missing dir: err = %v", err)
	}
}

func TestGitCheckoutRejectsExpressions(t *testing.T) {
	g := GitCheckout{Dir: t.TempDir(), Git: "/nonexistent/git-must-not-run"}
	for _, name := range []string{"", "-h", "--output=/tmp/x", "main~1", "HEAD^", "@{-1}", "a..b", "@", "ma in", "x:y"} {
		_, err := g.Resolve(context.Background(), name)
		if err == nil || strings.Contains(err.Error(), "cannot run git") {
			t.Errorf("Resolve(%q) err = %v, want rejection before running git", name, err)
		}
	}
}

func TestGitCheckoutTimeout(t *testing.T) {
	// A stand-in git that hangs, as a checkout on a stalled network mount would.
	bin := filepath.Join(t.TempDir(), "git")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	g := GitCheckout{Dir: t.TempDir(), Git: bin, Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := g.Resolve(context.Background(), "main")
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Errorf("a timeout must not read as not-found: %v", err)
	}
	// Not a timing assertion on performance: only that the bound was applied at all
	// (the stand-in sleeps 30s).
	if time.Since(start) > 20*time.Second {
		t.Errorf("timeout not applied")
	}
}

func TestGitCheckoutIgnoresInheritedGitDir(t *testing.T) {
	dir, c1, _ := gitRepo(t)
	other, _, _ := gitRepo(t)
	t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
	got, err := GitCheckout{Dir: dir}.Resolve(context.Background(), "v1.0")
	if err != nil || got != c1 {
		t.Fatalf("Resolve = %q, %v; want %s from GF_CORE_PATH, not GIT_DIR", got, err, c1)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if r := FromEnv(get); r != nil {
		t.Fatalf("FromEnv without GF_CORE_PATH = %v, want nil", r)
	}
	env[EnvCorePath] = "  /some/core  "
	r := FromEnv(get)
	g, ok := r.(GitCheckout)
	if !ok || g.Dir != "/some/core" {
		t.Fatalf("FromEnv = %#v", r)
	}
	if strings.Contains(Describe(r), "/some/core") {
		t.Errorf("Describe leaks the path: %s", Describe(r))
	}
}

type fakeResolver struct {
	sha string
	err error
	n   *int
}

func (f fakeResolver) Resolve(context.Context, string) (string, error) {
	if f.n != nil {
		*f.n++
	}
	return f.sha, f.err
}

func TestChain(t *testing.T) {
	sha := strings.Repeat("ab", 20)
	calls := 0
	notFound := fakeResolver{err: errors.New("local: " + ErrNotFound.Error()), n: &calls}
	wrapped := fakeResolver{err: &ChainError{Errs: []error{ErrNotFound}}}
	hit := fakeResolver{sha: sha, n: &calls}
	never := fakeResolver{sha: "never", n: &calls}

	got, err := Chain{notFound, nil, hit, never}.Resolve(context.Background(), "main")
	if err != nil || got != sha {
		t.Fatalf("Chain = %q, %v", got, err)
	}
	if calls != 2 {
		t.Errorf("calls = %d, want the chain to stop at the first hit", calls)
	}

	_, err = Chain{notFound, wrapped}.Resolve(context.Background(), "main")
	if err == nil || !strings.Contains(err.Error(), "local: ref not found") {
		t.Fatalf("err = %v, want every reason", err)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is(ErrNotFound) false through the chain")
	}

	if _, err := (Chain{}).Resolve(context.Background(), "main"); err == nil {
		t.Error("empty chain resolved")
	}
	if _, err := (Chain{nil}).Resolve(context.Background(), "main"); err == nil {
		t.Error("chain of nils resolved")
	}
}

func TestIsFullSHA(t *testing.T) {
	for s, want := range map[string]bool{
		strings.Repeat("a", 40):                    true,
		"637b7167c400a842cdc7af0709b2251c0542a48a": true,
		strings.Repeat("A", 40):                    false,
		strings.Repeat("a", 39):                    false,
		strings.Repeat("a", 41):                    false,
		strings.Repeat("g", 40):                    false,
		"":                                         false,
	} {
		if got := IsFullSHA(s); got != want {
			t.Errorf("IsFullSHA(%q) = %v", s, got)
		}
	}
	if s, ok := NormalizeSHA(" " + strings.Repeat("AB", 20) + "\n"); !ok || s != strings.Repeat("ab", 20) {
		t.Errorf("NormalizeSHA = %q, %v", s, ok)
	}
}
