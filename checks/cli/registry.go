// Package cli is the gfenroll command tree: a registry of subcommands that both binaries
// share, plus the hermetic gate commands (check and one per gate of checks/gates).
//
// tools/enrollcheck registers only StaticCommands and so links nothing that talks to
// GitHub or Kubernetes; tools/gfenroll registers the same plus the live and operator
// commands, each from its own cmd_<name>.go through func init().
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Env is what a command may touch of the process: its streams and environment. Tests
// build one around buffers and a map.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	// Getenv reads an environment variable (os.Getenv in production).
	Getenv func(string) string
	// Prog is the binary name used in messages and usage ("gfenroll", "enrollcheck").
	Prog string
	// Version is the binary's version (SARIF driver version, --version).
	Version string
}

// Finish is the one end of every command that has a report: the report is named after the
// binary and the command, emitted through cfg (files all or nothing, then stdout) and mapped
// to the exit code; a failure to emit prints one line "<prog> <command>: <error>" and
// returns ExitInput.
func (env *Env) Finish(command string, cfg *checker.Config, rep *finding.Report) int {
	rep.Tool = env.Prog
	cfg.Name, cfg.Version, cfg.Getenv = command, env.Version, env.Getenv
	return cfg.Finish(env.Stdout, env.Stderr, env.Prog+" "+command, rep)
}

// Help groups of the commands outside this package, so both binaries' help reads alike.
const (
	GroupLive     = "Live checks (network, read-only)"
	GroupOperator = "Operator commands"
)

// RunFunc runs a command whose flags are parsed; args are the remaining positional
// arguments. It returns the process exit code (checker.ExitOK/ExitFindings/ExitInput).
type RunFunc func(ctx context.Context, env *Env, args []string) int

// Command is one subcommand.
type Command struct {
	// Name is the subcommand word ("check", "preflight", "plan-guard").
	Name string
	// Group heads the command's section in `help` ("Hermetic gates", "Live checks",
	// "Operator commands"); commands keep registration order within a group.
	Group string
	// Summary is the one line `help` lists.
	Summary string
	// Usage is the synopsis after the program name ("check --overlay-root DIR [flags]").
	Usage string
	// Description is shown by `<cmd> --help` between the synopsis and the flags.
	Description string
	// Examples are full command lines shown by `<cmd> --help`.
	Examples []string
	// Rules lists every rule the command's reports can carry; the rule reference is checked
	// against the registered commands' rules, so every command that reports sets it.
	Rules func() []finding.Rule
	// Bind registers the command's flags on fs (env gives flag defaults from the
	// environment) and returns the function that runs once they are parsed.
	Bind func(fs *flag.FlagSet, env *Env) RunFunc
}

// Registry is a binary's set of commands.
type Registry struct {
	prog    string
	version string
	cmds    []*Command
	byName  map[string]*Command
}

// NewRegistry creates a registry for the binary prog holding cmds.
func NewRegistry(prog string, cmds ...*Command) *Registry {
	r := &Registry{prog: prog, byName: map[string]*Command{}}
	r.Register(cmds...)
	return r
}

// Register adds commands. A duplicate or malformed command is a programming error caught
// by the binaries' tests, so it panics at init time rather than misbehaving later.
func (r *Registry) Register(cmds ...*Command) {
	for _, c := range cmds {
		if c == nil || c.Name == "" || c.Bind == nil || c.Summary == "" {
			panic(fmt.Sprintf("cli: command %+v needs Name, Summary and Bind", c))
		}
		if strings.HasPrefix(c.Name, "-") || c.Name == "help" || c.Name == "version" {
			panic(fmt.Sprintf("cli: command name %q is reserved", c.Name))
		}
		if _, dup := r.byName[c.Name]; dup {
			panic(fmt.Sprintf("cli: command %q registered twice", c.Name))
		}
		r.byName[c.Name] = c
		r.cmds = append(r.cmds, c)
	}
}

// SetVersion sets the version --version prints; empty keeps the build-info version.
func (r *Registry) SetVersion(v string) { r.version = v }

// Commands returns the registered commands in help order.
func (r *Registry) Commands() []*Command {
	groups := []string{}
	seen := map[string]bool{}
	for _, c := range r.cmds {
		if !seen[c.Group] {
			seen[c.Group] = true
			groups = append(groups, c.Group)
		}
	}
	rank := map[string]int{}
	for i, g := range groups {
		rank[g] = i
	}
	out := append([]*Command(nil), r.cmds...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Group] < rank[out[j].Group] })
	return out
}

// Lookup returns the command named name, or nil.
func (r *Registry) Lookup(name string) *Command { return r.byName[name] }

// Version is the binary's version: the one set with SetVersion (release builds stamp it
// with -ldflags), else the module version or VCS revision Go recorded in the binary.
func (r *Registry) Version() string {
	if r.version != "" {
		return r.version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel+" + rev
}

// Main runs the binary on os.Args under the panic guard and exits with the command's code.
// SIGINT or SIGTERM cancels the command's context; see runUntilSignal for how the process
// still exits promptly when the command is busy in code that never looks at it.
func (r *Registry) Main() {
	checker.Exit(r.prog, func() int {
		sigs := make(chan os.Signal, 2)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sigs)
		env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv}
		return r.runUntilSignal(env, os.Args[1:], sigs, interruptGrace)
	})
}

// interruptGrace is how long a command may take to wind down once its context is
// cancelled (a live probe returns what it has; an output being renamed into place lands).
const interruptGrace = 2 * time.Second

// runUntilSignal runs the command in its own goroutine so that a signal is answered even
// while the command is busy in a parser or another CPU-bound step that does not watch its
// context. The first signal cancels the context and names the signal on stderr; a command
// that returns within grace exits with its own code. Otherwise, or on a second signal, the
// process gives up with 128+signal (130 for SIGINT, 143 for SIGTERM), as shells do.
func (r *Registry) runUntilSignal(env *Env, args []string, sigs <-chan os.Signal, grace time.Duration) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- checker.Guard(r.prog, env.Stderr, env.Getenv, func() int { return r.Run(ctx, env, args) })
	}()
	var sig os.Signal
	select {
	case code := <-done:
		return code
	case sig = <-sigs:
	}
	cancel()
	fmt.Fprintf(env.Stderr, "%s: %s received; stopping (a second signal stops at once)\n", r.prog, signalName(sig))
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case code := <-done:
		return code
	case sig = <-sigs:
	case <-timer.C:
	}
	fmt.Fprintf(env.Stderr, "%s: stopped by %s before the command finished; nothing more is written\n", r.prog, signalName(sig))
	return signalExitCode(sig)
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// signalExitCode is the shell convention for a process ended by a signal: 128+number.
func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// Run dispatches args (without the program name) and returns the exit code.
func (r *Registry) Run(ctx context.Context, env *Env, args []string) int {
	env.Prog = r.prog
	if env.Version == "" {
		env.Version = r.Version()
	}
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 {
		r.usage(env.Stderr)
		return checker.ExitInput
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := r.Lookup(args[1])
			if c == nil {
				return r.unknown(env, args[1])
			}
			r.commandUsage(env, c, env.Stdout)
			return checker.ExitOK
		}
		r.usage(env.Stdout)
		return checker.ExitOK
	case "version", "-version", "--version":
		fmt.Fprintf(env.Stdout, "%s %s\n", r.prog, env.Version)
		return checker.ExitOK
	default:
		if strings.HasPrefix(name, "-") {
			fmt.Fprintf(env.Stderr, "%s: flag %s before the command; flags follow it, e.g. %s check --overlay-root DIR (run %s help)\n",
				r.prog, finding.PrintableLine(name), r.prog, r.prog)
			return checker.ExitInput
		}
		c := r.Lookup(name)
		if c == nil {
			return r.unknown(env, name)
		}
		return r.runCommand(ctx, env, c, args[1:])
	}
}

func (r *Registry) unknown(env *Env, name string) int {
	names := make([]string, 0, len(r.cmds))
	for _, c := range r.Commands() {
		names = append(names, c.Name)
	}
	fmt.Fprintf(env.Stderr, "%s: unknown command %q (commands: %s; run %s help)\n",
		r.prog, name, strings.Join(names, ", "), r.prog)
	return checker.ExitInput
}

func (r *Registry) runCommand(ctx context.Context, env *Env, c *Command, args []string) int {
	fs := flag.NewFlagSet(r.prog+" "+c.Name, flag.ContinueOnError)
	run := c.Bind(fs, env)
	usage := func(w io.Writer) { r.commandUsage(env, c, w) }
	if code, done := checker.ParseFlags(fs, args, usage, env.Stdout, env.Stderr); done {
		return code
	}
	return run(ctx, env, fs.Args())
}

// usage prints the command list.
func (r *Registry) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s <command> [flags]\n", r.prog)
	group := "\x00"
	for _, c := range r.Commands() {
		if c.Group != group {
			group = c.Group
			title := group
			if title == "" {
				title = "Commands"
			}
			fmt.Fprintf(w, "\n%s:\n", title)
		}
		fmt.Fprintf(w, "  %-16s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags and examples; '%s --version' prints the version.\n", r.prog, r.prog)
	fmt.Fprintf(w, "Exit codes: 0 no blocker, 1 blockers, 2 unusable input or usage.\n")
}

// commandUsage prints one command's synopsis, description, flags and examples.
func (r *Registry) commandUsage(env *Env, c *Command, w io.Writer) {
	fs := flag.NewFlagSet(r.prog+" "+c.Name, flag.ContinueOnError)
	c.Bind(fs, env)
	synopsis := c.Usage
	if synopsis == "" {
		synopsis = c.Name + " [flags]"
	}
	fmt.Fprintf(w, "Usage: %s %s\n\n%s\n", r.prog, synopsis, c.Summary)
	if c.Description != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.Description, "\n"))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	checker.PrintFlags(w, fs)
	if len(c.Examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.Examples {
			// Examples are written for gfenroll; show them with this binary's name.
			fmt.Fprintf(w, "  %s\n", strings.Replace(e, "gfenroll ", r.prog+" ", 1))
		}
	}
}
