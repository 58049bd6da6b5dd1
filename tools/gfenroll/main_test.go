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
