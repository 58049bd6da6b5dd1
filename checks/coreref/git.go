package coreref

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// EnvCorePath names the environment variable pointing at a local core checkout.
const EnvCorePath = "GF_CORE_PATH"

// DefaultGitTimeout bounds one resolution. rev-parse on a local repository answers in
// milliseconds; the bound only matters when the checkout sits on a hung network mount.
const DefaultGitTimeout = 10 * time.Second

// GitCheckout resolves names in a local core checkout with `git rev-parse`. It is
// read-only and hermetic: it never fetches, never prompts and refuses any network
// transport, so a name the checkout does not know is reported, not looked up.
type GitCheckout struct {
	// Dir is the checkout (work tree or bare repository).
	Dir string
	// Timeout bounds one Resolve call; zero means DefaultGitTimeout.
	Timeout time.Duration
	// Git is the git executable; empty means "git" from PATH.
	Git string
}

// FromEnv returns a GitCheckout for $GF_CORE_PATH, or nil when it is unset or empty.
// getenv is os.Getenv in production and a map lookup in tests.
func FromEnv(getenv func(string) string) Resolver {
	if getenv == nil {
		getenv = os.Getenv
	}
	dir := strings.TrimSpace(getenv(EnvCorePath))
	if dir == "" {
		return nil
	}
	return GitCheckout{Dir: dir}
}

// String implements fmt.Stringer for messages; it names the variable, not the path.
func (g GitCheckout) String() string { return "the local core checkout (" + EnvCorePath + ")" }

// Resolve implements Resolver. It tries the remote-tracking branch origin/<name> first,
// because an expected core ref names the core as published on GitHub and a local branch of
// the same name may carry unpushed or stale commits; then <name> itself (tags, local
// branches, full ref names, abbreviated SHAs).
func (g GitCheckout) Resolve(ctx context.Context, name string) (string, error) {
	if err := validName(name); err != nil {
		return "", fmt.Errorf("%s: %w", g, err)
	}
	if g.Dir == "" {
		return "", fmt.Errorf("%s: not configured", g)
	}
	if st, err := os.Stat(g.Dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s: not a directory", g)
	}
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = DefaultGitTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	candidates := []string{"refs/remotes/origin/" + name, name}
	if strings.HasPrefix(name, "refs/") || strings.HasPrefix(name, "origin/") {
		candidates = candidates[1:]
	}
	for _, c := range candidates {
		sha, found, err := g.revParse(ctx, c)
		if err != nil {
			return "", err
		}
		if found {
			return sha, nil
		}
	}
	return "", fmt.Errorf("%s does not know %q (tried origin/%s and %s; it is never fetched, so run `git fetch` there first if the ref is new): %w",
		g, name, strings.TrimPrefix(name, "origin/"), name, ErrNotFound)
}

// revParse runs `git rev-parse --verify --quiet <rev>^{commit}`. found is false when git
// answers that the name does not exist (exit 1 with --quiet); err is set when git itself
// could not run or the directory is not a repository.
func (g GitCheckout) revParse(ctx context.Context, rev string) (sha string, found bool, err error) {
	bin := g.Git
	if bin == "" {
		bin = "git"
	}
	// protocol.allow=never makes any transport fail instead of touching the network, which
	// also stops a partial clone from lazily fetching a missing object.
	cmd := exec.CommandContext(ctx, bin,
		"-C", g.Dir,
		"-c", "protocol.allow=never",
		"rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	cmd.Env = append(gitlessEnviron(),
		"GIT_TERMINAL_PROMPT=0",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_NO_LAZY_FETCH=1",
		"GIT_CONFIG_NOSYSTEM=1",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return "", false, fmt.Errorf("%s: git rev-parse did not answer within the timeout: %w", g, ctx.Err())
	}
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		out := strings.TrimSpace(stdout.String())
		if !IsFullSHA(out) {
			return "", false, fmt.Errorf("%s: git rev-parse printed %q, not a commit id", g, firstLine(out))
		}
		return out, true, nil
	case errors.As(runErr, &exit) && exit.ExitCode() == 1 && strings.TrimSpace(stderr.String()) == "":
		// --verify --quiet: the name does not resolve to a commit here.
		return "", false, nil
	case errors.As(runErr, &exit):
		return "", false, fmt.Errorf("%s: git: %s", g, sanitize(firstLine(stderr.String()), g.Dir))
	default:
		return "", false, fmt.Errorf("%s: cannot run git: %v", g, sanitize(runErr.Error(), g.Dir))
	}
}

// validName rejects names git could read as an option or a revision expression
// (main~1, HEAD^, @{-1}, a..b), so a flag value can only ever be a plain ref name or a
// SHA prefix.
func validName(name string) error {
	switch {
	case name == "":
		return errors.New("empty ref name")
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("ref name %q starts with '-'", name)
	case name == "@", strings.Contains(name, "@{"), strings.Contains(name, ".."),
		strings.ContainsAny(name, " \t\r\n\x00~^:?*[\\"):
		return fmt.Errorf("ref name %q is a revision expression, not a branch, tag or commit name", name)
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// sanitize removes the checkout path from git's messages ("fatal: not a git repository:
// '/home/…'"), keeping reports free of absolute paths.
func sanitize(msg, dir string) string {
	if dir != "" {
		msg = strings.ReplaceAll(msg, dir, "$"+EnvCorePath)
	}
	return msg
}

// gitlessEnviron is the process environment without GIT_* variables: an inherited GIT_DIR
// or GIT_WORK_TREE (set inside git hooks, for instance) would silently point rev-parse at
// another repository than $GF_CORE_PATH.
func gitlessEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return env
}
