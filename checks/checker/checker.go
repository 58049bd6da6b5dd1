// Package checker is the small harness every enrollment checker main uses — the built-in
// gates through package cli, and a consumer's own checker directly — so all of them share
// flags, output files, Bazel test integration, exit codes and crash behaviour:
//
//   - --format FORMAT (stdout) and repeatable --output FORMAT=PATH (files), FORMAT one of
//     text, json, junit, github, sarif; --quiet hides ok findings; --fail-on-warning.
//   - Under `bazel test` ($XML_OUTPUT_FILE set) JUnit also goes to $XML_OUTPUT_FILE and
//     text, JSON and SARIF reports to $TEST_UNDECLARED_OUTPUTS_DIR/<name>.report.{txt,json,sarif}.
//   - With the github format, a markdown summary is appended to $GITHUB_STEP_SUMMARY.
//   - Files are written atomically (temp file + rename) and all or nothing: a failed run
//     leaves no partial report and no report of a run that failed. Only regular files or new
//     paths are written; a device, FIFO, symlink or directory is refused with exit 2.
//   - Exit codes: 0 no blocker, 1 blockers (or unexpected warnings with --fail-on-warning),
//     2 unusable input or usage; a panic becomes one line and exit 2.
//
// A minimal custom checker:
//
//	func main() {
//		checker.Program{Name: "max-runners", Check: check}.Main()
//	}
//
//	func check(ctx context.Context, args []string) (*finding.Report, error) { ... }
package checker

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/render"
)

// Exit codes shared by every checker (docs/ARCHITECTURE.md "Exit codes").
const (
	ExitOK       = 0 // no blocker
	ExitFindings = 1 // at least one blocker, or an unexpected warning with --fail-on-warning
	ExitInput    = 2 // unusable input or usage; no report
)

// Bazel test environment variables (Bazel test encyclopedia).
const (
	EnvXMLOutputFile     = "XML_OUTPUT_FILE"
	EnvUndeclaredOutputs = "TEST_UNDECLARED_OUTPUTS_DIR"
	// EnvDebug set to 1 shows the stack of an internal error.
	EnvDebug = "GFENROLL_DEBUG"
)

// Output is one --output FORMAT=PATH.
type Output struct {
	Format render.Format
	Path   string
}

// ParseOutput parses a FORMAT=PATH spec.
func ParseOutput(spec string) (Output, error) {
	name, path, ok := strings.Cut(spec, "=")
	if !ok {
		return Output{}, fmt.Errorf("--output %q: want FORMAT=PATH, e.g. --output sarif=report.sarif", spec)
	}
	f, err := render.ParseFormat(name)
	if err != nil {
		return Output{}, fmt.Errorf("--output %q: %w", spec, err)
	}
	if strings.TrimSpace(path) == "" {
		return Output{}, fmt.Errorf("--output %q: empty path", spec)
	}
	return Output{Format: f, Path: path}, nil
}

// Config holds the common checker flags and where reports go.
type Config struct {
	// Name is the checker's name: the report's Tool when the report has none, and the base
	// of the report files under $TEST_UNDECLARED_OUTPUTS_DIR (<Name>.report.json).
	Name          string
	Format        render.Format
	Outputs       []Output
	FailOnWarning bool
	Quiet         bool
	// Version is reported as the SARIF driver version.
	Version string
	// Getenv reads the environment; nil means os.Getenv (tests inject their own).
	Getenv func(string) string
	// ReportOnly makes Finish exit 0 whatever the findings, unless FailOnWarning is set
	// (the non-strict live preflight: its report is the enrollment queue, not a verdict).
	ReportOnly bool
}

// RegisterFlags adds --format, --output, --quiet and --fail-on-warning to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	if c.Format == "" {
		c.Format = render.Text
	}
	fs.Var((*formatFlag)(&c.Format), "format", "stdout `FORMAT`: text, json, junit, github or sarif")
	fs.Var((*outputsFlag)(&c.Outputs), "output", "also write a report in `FORMAT=PATH` (repeatable; parent directories are created)")
	fs.BoolVar(&c.Quiet, "quiet", false, "hide ok findings in text and markdown output")
	fs.BoolVar(&c.FailOnWarning, "fail-on-warning", false, "exit 1 on a warning the overlay did not declare expected")
}

// Strings is a repeatable flag of non-empty strings (--overlay-root, --tfvars,
// --expect-warning): each use appends one value.
type Strings []string

func (s *Strings) String() string { return strings.Join(*s, ",") }

// Set appends v; a blank value is a usage error.
func (s *Strings) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty value")
	}
	*s = append(*s, v)
	return nil
}

type formatFlag render.Format

func (f *formatFlag) String() string { return string(*f) }
func (f *formatFlag) Set(s string) error {
	v, err := render.ParseFormat(s)
	if err != nil {
		return err
	}
	*f = formatFlag(v)
	return nil
}

type outputsFlag []Output

func (o *outputsFlag) String() string {
	var parts []string
	for _, x := range *o {
		parts = append(parts, string(x.Format)+"="+x.Path)
	}
	return strings.Join(parts, ",")
}

func (o *outputsFlag) Set(s string) error {
	out, err := ParseOutput(s)
	if err != nil {
		return err
	}
	if err := CheckTarget(out.Path); err != nil {
		return err
	}
	for _, x := range *o {
		if filepath.Clean(x.Path) == filepath.Clean(out.Path) {
			return fmt.Errorf("--output %q: %s is already the target of --output %s=%s", s, out.Path, x.Format, x.Path)
		}
	}
	*o = append(*o, out)
	return nil
}

func (c *Config) getenv(k string) string {
	if c.Getenv != nil {
		return c.Getenv(k)
	}
	return os.Getenv(k)
}

func (c *Config) renderOptions() render.Options {
	return render.Options{Quiet: c.Quiet, FailOnWarning: c.FailOnWarning, ToolVersion: c.Version}
}

func (c *Config) reportName() string {
	if c.Name != "" {
		return c.Name
	}
	return "checker"
}

// Files lists every report file this run writes: the --output files, then the Bazel test
// outputs when running under `bazel test`.
func (c *Config) Files() []Output {
	files := append([]Output(nil), c.Outputs...)
	if xml := c.getenv(EnvXMLOutputFile); xml != "" {
		files = append(files, Output{Format: render.JUnit, Path: xml})
		if dir := c.getenv(EnvUndeclaredOutputs); dir != "" {
			for _, f := range []render.Format{render.Text, render.JSON, render.SARIF} {
				files = append(files, Output{Format: f, Path: filepath.Join(dir, c.reportName()+".report."+f.Extension())})
			}
		}
	}
	return files
}

// Emit finalizes r (sorting findings, recomputing the summary; Tool defaults to Name),
// renders every requested format, and then writes all of it or nothing: the report files
// are staged beside their targets, the GitHub step summary is appended when the github
// format is requested, the files are renamed into place and finally the --format report
// goes to stdout. If any step fails, every file is put back as it was (new files and
// directories removed, replaced ones restored, the step summary truncated to its old size)
// and the error says why: the caller exits 2 without leaving a partial set of reports.
// A target that is not a regular file or a new path is refused before anything is written.
func (c *Config) Emit(stdout io.Writer, r *finding.Report) (err error) {
	if r.Tool == "" {
		r.Tool = c.reportName()
	}
	r.Finalize()
	opts := c.renderOptions()

	rendered := map[render.Format][]byte{}
	renderOnce := func(f render.Format) ([]byte, error) {
		if b, ok := rendered[f]; ok {
			return b, nil
		}
		b, err := render.Bytes(f, r, opts)
		if err != nil {
			return nil, fmt.Errorf("render %s report: %w", f, err)
		}
		rendered[f] = b
		return b, nil
	}

	files := c.Files()
	github := c.Format == render.GitHub
	contents := make([][]byte, len(files))
	for i, out := range files {
		if err := CheckTarget(out.Path); err != nil {
			return err
		}
		b, err := renderOnce(out.Format)
		if err != nil {
			return err
		}
		contents[i] = b
		github = github || out.Format == render.GitHub
	}
	main, err := renderOnce(c.Format)
	if err != nil {
		return err
	}

	set := &fileSet{}
	var summary *summaryMark
	defer func() {
		if err == nil {
			set.Done()
			return
		}
		err = errors.Join(err, set.Rollback(), summary.restore())
	}()
	for i, out := range files {
		if err := set.Stage(out.Path, contents[i]); err != nil {
			return err
		}
	}
	if github {
		if summary, err = markSummary(c.getenv(render.StepSummaryEnv)); err != nil {
			return err
		}
		if err := render.AppendStepSummary(c.getenv, r, opts); err != nil {
			return err
		}
	}
	if err := set.Commit(); err != nil {
		return err
	}
	if _, err := stdout.Write(main); err != nil {
		return fmt.Errorf("write the report to stdout: %w", err)
	}
	return nil
}

// summaryMark remembers the GitHub step summary file as it was before this run appended to
// it, so a failed run can take its part back.
type summaryMark struct {
	path    string
	existed bool
	size    int64
}

func markSummary(path string) (*summaryMark, error) {
	if path == "" {
		return nil, nil
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &summaryMark{path: path}, nil
	case err != nil:
		return nil, fmt.Errorf("append step summary: %w", err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("append step summary: %s is %s, not a regular file", path, finding.DescribeMode(st.Mode()))
	}
	return &summaryMark{path: path, existed: true, size: st.Size()}, nil
}

func (m *summaryMark) restore() error {
	if m == nil {
		return nil
	}
	if !m.existed {
		return ignoreMissing(os.Remove(m.path))
	}
	if err := os.Truncate(m.path, m.size); err != nil {
		return fmt.Errorf("undo the step summary of a failed run: %w", err)
	}
	return nil
}

// Finish is the one way a checker run ends once it has a report: Emit, then the exit code.
// A failure to emit is printed to stderr as "<who>: <error>" (escaped, redacted) and
// returns ExitInput; otherwise ExitCode decides, or ExitOK for a ReportOnly run.
func (c *Config) Finish(stdout, stderr io.Writer, who string, r *finding.Report) int {
	if err := c.Emit(stdout, r); err != nil {
		msg := err.Error()
		fmt.Fprintf(stderr, "%s: %s\n", who, finding.PrintableLine(strings.Join(strings.Fields(msg), " ")))
		return ExitInput
	}
	if c.ReportOnly && !c.FailOnWarning {
		return ExitOK
	}
	return ExitCode(r, c.FailOnWarning)
}

// Refuse ends a run whose input is unusable: each problem of err is printed as
// "file:line:col: error input/<kind>: message" (finding.WriteInputErrors; where names the
// input of a problem without a file) and the code is ExitInput, with no report written.
func Refuse(stderr io.Writer, where string, err error) int {
	finding.WriteInputErrors(stderr, "", where, err)
	return ExitInput
}

// ExitCode maps a finalized report to the process exit code: 1 with any blocker, or with
// an unexpected warning when failOnWarning is set; else 0.
func ExitCode(r *finding.Report, failOnWarning bool) int {
	if r.Summary.Blockers > 0 || (failOnWarning && r.Summary.Warnings > 0) {
		return ExitFindings
	}
	return ExitOK
}

// WriteFileAtomic writes data to path through a temporary file in the same directory and a
// rename, so readers (and a failed run) never see a partial file. Missing parent
// directories are created. A path that is not a regular file or a new path is refused
// (CheckTarget).
func WriteFileAtomic(path string, data []byte) (err error) {
	set := &fileSet{}
	if err := set.Stage(path, data); err != nil {
		return errors.Join(err, set.Rollback())
	}
	if err := set.Commit(); err != nil {
		return errors.Join(err, set.Rollback())
	}
	set.Done()
	return nil
}

// ParseFlags parses args into fs with the conventions every checker shares: -h/--help
// prints usage to stdout and returns (ExitOK, true); a bad flag prints one line plus a hint
// to stderr and returns (ExitInput, true). done=false means carry on.
func ParseFlags(fs *flag.FlagSet, args []string, usage func(io.Writer), stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return ExitOK, false
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return ExitOK, true
	default:
		fmt.Fprintf(stderr, "%s: %s (run %s --help)\n", fs.Name(), finding.PrintableLine(err.Error()), fs.Name())
		return ExitInput, true
	}
}

// PrintFlags lists fs's flags GNU-style ("--name VALUE"), which is how every document and
// example spells them (Go's flag package accepts one or two dashes). A backquoted word in a
// flag's usage names its value, as with flag.PrintDefaults.
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + strings.ToUpper(kind)
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "[]" {
			usage += fmt.Sprintf(" (default %q)", def)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}
