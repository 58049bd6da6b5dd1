package cli

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
)

type result struct {
	code           int
	stdout, stderr string
}

func runRegistry(r *Registry, env map[string]string, args ...string) result {
	var stdout, stderr bytes.Buffer
	e := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Version: "v9.9.9-test"}
	code := r.Run(context.Background(), e, args)
	return result{code, stdout.String(), stderr.String()}
}

func testRegistry() (*Registry, *[]string) {
	var got []string
	echo := &Command{
		Name: "echo", Group: "Group B", Summary: "print the words", Usage: "echo [--upper] WORD...",
		Description: "Prints its arguments.", Examples: []string{"gfenroll echo --upper hi"},
		Bind: func(fs *flag.FlagSet, env *Env) RunFunc {
			upper := fs.Bool("upper", false, "print in upper case")
			return func(_ context.Context, env *Env, args []string) int {
				s := strings.Join(args, " ")
				if *upper {
					s = strings.ToUpper(s)
				}
				got = append(got, s)
				env.Stdout.Write([]byte(s + "\n"))
				return 0
			}
		},
	}
	first := &Command{Name: "first", Group: "Group A", Summary: "first command",
		Bind: func(*flag.FlagSet, *Env) RunFunc { return func(context.Context, *Env, []string) int { return 1 } }}
	later := &Command{Name: "later", Group: "Group A", Summary: "registered last, listed with group A",
		Bind: func(*flag.FlagSet, *Env) RunFunc { return func(context.Context, *Env, []string) int { return 0 } }}
	r := NewRegistry("tool", first, echo)
	r.Register(later)
	return r, &got
}

func TestRegistryDispatch(t *testing.T) {
	r, got := testRegistry()
	if res := runRegistry(r, nil, "echo", "--upper", "a", "b"); res.code != 0 || res.stdout != "A B\n" || len(*got) != 1 {
		t.Errorf("echo: %+v", res)
	}
	if res := runRegistry(r, nil, "first"); res.code != 1 {
		t.Errorf("exit code not passed through: %+v", res)
	}
}

func TestRegistryUsageErrors(t *testing.T) {
	r, got := testRegistry()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "Usage: tool <command>"},
		{[]string{"nope"}, `tool: unknown command "nope" (commands: first, later, echo; run tool help)`},
		{[]string{"--overlay-root", "x"}, "tool: flag --overlay-root before the command"},
		{[]string{"echo", "--nope"}, "tool echo: flag provided but not defined: -nope (run tool echo --help)"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
	} {
		res := runRegistry(r, nil, c.args...)
		if res.code != 2 || !strings.Contains(res.stderr, c.want) || res.stdout != "" {
			t.Errorf("%q: exit %d stdout %q stderr %q; want exit 2 and %q", c.args, res.code, res.stdout, res.stderr, c.want)
		}
		if c.args != nil && strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("%q: usage error is not one line: %q", c.args, res.stderr)
		}
	}
	if len(*got) != 0 {
		t.Errorf("a command ran on a usage error: %q", *got)
	}
}

func TestRegistryHelp(t *testing.T) {
	r, _ := testRegistry()
	res := runRegistry(r, nil, "help")
	if res.code != 0 {
		t.Fatalf("help exit %d", res.code)
	}
	// Groups in order of first registration; commands in registration order within them.
	a, first, later, b, echo := strings.Index(res.stdout, "Group A:"), strings.Index(res.stdout, "  first "),
		strings.Index(res.stdout, "  later "), strings.Index(res.stdout, "Group B:"), strings.Index(res.stdout, "  echo ")
	if !(a >= 0 && a < first && first < later && later < b && b < echo) {
		t.Errorf("help order wrong:\n%s", res.stdout)
	}
	for _, args := range [][]string{{"help", "echo"}, {"echo", "--help"}, {"echo", "-h"}} {
		res := runRegistry(r, nil, args...)
		for _, want := range []string{"Usage: tool echo [--upper] WORD...", "Prints its arguments.", "  --upper\n      print in upper case", "Examples:\n  tool echo --upper hi"} {
			if res.code != 0 || !strings.Contains(res.stdout, want) {
				t.Errorf("%q: exit %d, output lacks %q:\n%s", args, res.code, want, res.stdout)
			}
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if res := runRegistry(r, nil, args...); res.code != 0 || res.stdout != "tool v9.9.9-test\n" {
			t.Errorf("%q: %+v", args, res)
		}
	}
}

func TestRegisterRejectsMistakes(t *testing.T) {
	ok := func(*flag.FlagSet, *Env) RunFunc { return nil }
	for _, c := range []*Command{
		{Name: "first", Summary: "duplicate", Bind: ok},
		{Name: "help", Summary: "reserved", Bind: ok},
		{Name: "-x", Summary: "flag-like", Bind: ok},
		{Name: "nobind", Summary: "no bind"},
		{Name: "nosummary", Bind: ok},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", c.Name)
				}
			}()
			r, _ := testRegistry()
			r.Register(c)
		}()
	}
}
