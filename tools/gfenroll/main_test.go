package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/cli"
)

// Every registered command (including those other files add in init) must bind its flags
// and print its help without running: a command whose help panics or is empty is caught
// here, not by an operator.
func TestEveryCommandHasHelp(t *testing.T) {
	cmds := registry.Commands()
	names := map[string]bool{}
	for _, c := range cmds {
		names[c.Name] = true
		var stdout, stderr bytes.Buffer
		env := &cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		if code := registry.Run(context.Background(), env, []string{c.Name, "--help"}); code != 0 {
			t.Errorf("%s --help: exit %d, stderr %q", c.Name, code, stderr.String())
		}
		if !strings.HasPrefix(stdout.String(), "Usage: gfenroll "+c.Name) || !strings.Contains(stdout.String(), "Flags:") {
			t.Errorf("%s --help prints no usage:\n%s", c.Name, stdout.String())
		}
	}
	for _, want := range []string{"check", "pins", "taxonomy", "workflows"} {
		if !names[want] {
			t.Errorf("command %s is not registered", want)
		}
	}
}

// The preflight judges one overlay, so its help must not call --overlay-root repeatable
// (check's does: several overlays are also an estate), and a second one is refused.
func TestPreflightHelpMatchesOneOverlay(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		env := &cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		return registry.Run(context.Background(), env, args), stdout.String(), stderr.String()
	}
	for _, c := range []struct {
		cmd        string
		repeatable bool
	}{{"preflight", false}, {"check", true}} {
		_, help, _ := run(c.cmd, "--help")
		var usage string
		lines := strings.Split(help, "\n")
		for i, l := range lines {
			if strings.TrimSpace(l) == "--overlay-root DIR" && i+1 < len(lines) {
				usage = lines[i+1]
			}
		}
		if usage == "" {
			t.Fatalf("%s --help has no --overlay-root:\n%s", c.cmd, help)
		}
		if got := strings.Contains(usage, "repeatable"); got != c.repeatable {
			t.Errorf("%s --help: --overlay-root called repeatable = %v, want %v:\n%s", c.cmd, got, c.repeatable, help)
		}
	}
	if code, _, stderr := run("preflight", "--overlay-root", "a", "--overlay-root", "b"); code != 2 || !strings.Contains(stderr, "more than once") {
		t.Errorf("preflight with two --overlay-root: exit %d, %q", code, stderr)
	}
}
