package checker

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Program is the whole main of a simple checker: it parses the common flags plus the
// checker's own, calls Check, renders the report and maps it to an exit code.
type Program struct {
	// Name is the command name (usage lines, report file names, the report's Tool).
	Name string
	// Usage is printed for --help above the flag list (e.g. "max-runners --overlay-root DIR").
	Usage string
	// Flags registers the checker's own flags (optional).
	Flags func(fs *flag.FlagSet)
	// Check judges the input. A non-nil error means the input was unusable: its message is
	// printed to stderr (one problem per line, "file:line:col: ..." where known) and the exit
	// code is 2 with no report written. args are the positional arguments after the flags.
	Check func(ctx context.Context, args []string) (*finding.Report, error)
	// Version is reported in SARIF.
	Version string
}

// Run executes the program with explicit arguments and streams (what tests call).
func (p Program) Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg := &Config{Name: p.Name, Version: p.Version, Getenv: getenv}
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	if p.Flags != nil {
		p.Flags(fs)
	}
	usage := func(w io.Writer) {
		if p.Usage != "" {
			fmt.Fprintf(w, "Usage: %s\n\n", p.Usage)
		}
		fmt.Fprintf(w, "Flags:\n")
		PrintFlags(w, fs)
	}
	if code, done := ParseFlags(fs, args, usage, stdout, stderr); done {
		return code
	}
	rep, err := p.Check(ctx, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, finding.Printable(strings.TrimRight(err.Error(), "\n")))
		return ExitInput
	}
	if err := cfg.Emit(stdout, rep); err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", p.Name, finding.PrintableLine(err.Error()))
		return ExitInput
	}
	return ExitCode(rep, cfg.FailOnWarning)
}

// Main runs the program on os.Args under the panic guard, cancelling its context on
// interrupt, and exits.
func (p Program) Main() {
	Exit(p.Name, func() int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return p.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	})
}
