package checker

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/render"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func report(sev ...finding.Severity) *finding.Report {
	r := &finding.Report{}
	r.AddRules(finding.Rule{ID: "demo/rule", Summary: "demo"})
	for i, s := range sev {
		r.Add(finding.Finding{Rule: "demo/rule", Severity: s, Position: finding.Position{File: "a.yaml", Line: i + 1, Column: 1},
			Message: "m", NextAction: "do it"})
	}
	return r
}

func TestParseOutput(t *testing.T) {
	for _, c := range []struct {
		spec    string
		want    Output
		wantErr string
	}{
		{spec: "json=out/r.json", want: Output{render.JSON, "out/r.json"}},
		{spec: "sarif=a=b.sarif", want: Output{render.SARIF, "a=b.sarif"}},
		{spec: "report.json", wantErr: "want FORMAT=PATH"},
		{spec: "yaml=r.yaml", wantErr: `unknown format "yaml"`},
		{spec: "json=", wantErr: "empty path"},
		{spec: "=x", wantErr: "unknown format"},
	} {
		got, err := ParseOutput(c.spec)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseOutput(%q) error = %v, want %q", c.spec, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseOutput(%q) = %+v, %v; want %+v", c.spec, got, err, c.want)
		}
	}
}

func TestFlags(t *testing.T) {
	var c Config
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--format", "json", "--output", "sarif=a.sarif", "--output=junit=b.xml", "--quiet", "--fail-on-warning"}); err != nil {
		t.Fatal(err)
	}
	if c.Format != render.JSON || len(c.Outputs) != 2 || !c.Quiet || !c.FailOnWarning {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range [][]string{
		{"--format", "yaml"},
		{"--output", "nonsense"},
		{"--output", "json=a", "--output", "sarif=./a"},
	} {
		var c Config
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		c.RegisterFlags(fs)
		if err := fs.Parse(bad); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

func TestExitCode(t *testing.T) {
	expectedWarning := report(finding.Warning)
	expectedWarning.MarkExpected([]string{"demo/rule"})
	for _, c := range []struct {
		name          string
		r             *finding.Report
		failOnWarning bool
		want          int
	}{
		{"clean", report(finding.OK, finding.Info), false, 0},
		{"blocker", report(finding.Blocker), false, 1},
		{"warning", report(finding.Warning), false, 0},
		{"warning strict", report(finding.Warning), true, 1},
		{"expected warning strict", expectedWarning, true, 0},
	} {
		c.r.Finalize()
		if got := ExitCode(c.r, c.failOnWarning); got != c.want {
			t.Errorf("%s: ExitCode = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestEmitWritesEveryOutputAndStdout(t *testing.T) {
	dir := t.TempDir()
	c := &Config{Name: "pins", Format: render.Text, Getenv: env(nil), Outputs: []Output{
		{render.JSON, filepath.Join(dir, "nested", "r.json")},
		{render.SARIF, filepath.Join(dir, "r.sarif")},
	}}
	var out bytes.Buffer
	r := report(finding.Blocker)
	if err := c.Emit(&out, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "1 blocker / 0 warnings\n") {
		t.Errorf("stdout:\n%s", out.String())
	}
	if r.Tool != "pins" || r.Summary.Blockers != 1 {
		t.Errorf("Emit did not default the tool and finalize: %+v", r)
	}
	b, err := os.ReadFile(filepath.Join(dir, "nested", "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	if back, err := finding.Decode(b); err != nil || back.Summary.Blockers != 1 {
		t.Errorf("json output: %v %+v", err, back)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.sarif")); err != nil {
		t.Error(err)
	}
	assertNoTempFiles(t, dir)
}

func TestEmitUnderBazelTest(t *testing.T) {
	dir := t.TempDir()
	xmlPath := filepath.Join(dir, "test.xml")
	undeclared := filepath.Join(dir, "test.outputs")
	if err := os.Mkdir(undeclared, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Config{Name: "taxonomy", Format: render.Text, Getenv: env(map[string]string{
		EnvXMLOutputFile: xmlPath, EnvUndeclaredOutputs: undeclared,
	})}
	if err := c.Emit(new(bytes.Buffer), report(finding.Blocker, finding.Warning)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.Tests != 1 || doc.Failures != 1 {
		t.Errorf("test.xml: %v %+v\n%s", err, doc, b)
	}
	for _, name := range []string{"taxonomy.report.txt", "taxonomy.report.json", "taxonomy.report.sarif"} {
		b, err := os.ReadFile(filepath.Join(undeclared, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if bytes.Contains(b, []byte(dir)) {
			t.Errorf("%s contains the absolute temp path %s", name, dir)
		}
	}
}

func TestEmitNoBazelOutputsOutsideBazelTest(t *testing.T) {
	dir := t.TempDir()
	c := &Config{Name: "x", Format: render.Text, Getenv: env(map[string]string{EnvUndeclaredOutputs: dir})}
	if err := c.Emit(new(bytes.Buffer), report()); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %d files to the undeclared outputs dir without XML_OUTPUT_FILE", len(entries))
	}
}

func TestEmitGitHubAppendsStepSummary(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	for _, c := range []*Config{
		{Format: render.GitHub},
		{Format: render.Text, Outputs: []Output{{render.GitHub, filepath.Join(t.TempDir(), "gh.txt")}}},
		{Format: render.JSON},
	} {
		c.Getenv = env(map[string]string{render.StepSummaryEnv: summary})
		if err := c.Emit(new(bytes.Buffer), report(finding.Blocker)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(summary)
	if n := strings.Count(string(b), "### checker: 1 blocker / 0 warnings"); n != 2 {
		t.Errorf("step summary appended %d times, want 2 (github stdout and github file, not json):\n%s", n, b)
	}
}

func TestEmitWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Config{Format: render.Text, Getenv: env(nil), Outputs: []Output{
		{render.JSON, filepath.Join(blocker, "r.json")}, // parent is a file
	}}
	var out bytes.Buffer
	err := c.Emit(&out, report(finding.OK))
	if err == nil || !strings.Contains(err.Error(), "r.json") {
		t.Fatalf("Emit error = %v, want one naming the report path", err)
	}
	if out.Len() != 0 {
		t.Errorf("a failed run printed a report:\n%s", out.String())
	}
	assertNoTempFiles(t, dir)
}

func TestWriteFileAtomicReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.txt")
	for _, content := range []string{"first, long content\n", "second\n"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("content %q, want %q", b, content)
		}
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode())
	}
	assertNoTempFiles(t, filepath.Dir(path))
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

func TestGuard(t *testing.T) {
	var stderr bytes.Buffer
	code := Guard("demo", &stderr, env(nil), func() int { panic(errors.New("boom\nsecond line")) })
	if code != ExitInput {
		t.Errorf("code %d, want %d", code, ExitInput)
	}
	if got := stderr.String(); strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "demo: internal error: boom second line; please report") {
		t.Errorf("panic line %q", got)
	}
	stderr.Reset()
	Guard("demo", &stderr, env(map[string]string{EnvDebug: "1"}), func() int { panic("boom") })
	if !strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("GFENROLL_DEBUG=1 shows no stack:\n%s", stderr.String())
	}
	if code := Guard("demo", &stderr, env(nil), func() int { return 1 }); code != 1 {
		t.Errorf("Guard changed a normal exit code to %d", code)
	}
}

func TestProgram(t *testing.T) {
	var limit int
	p := Program{
		Name:  "demo",
		Usage: "demo [--limit N] FILE...",
		Flags: func(fs *flag.FlagSet) { fs.IntVar(&limit, "limit", 0, "blockers above this") },
		Check: func(_ context.Context, args []string) (*finding.Report, error) {
			switch {
			case len(args) == 0:
				return nil, finding.InputErrors{
					{Pos: finding.Position{File: "a.yaml", Line: 3, Column: 1}, Kind: finding.KindSyntax, Msg: "bad\nvalue"},
					{Pos: finding.Position{File: "b.yaml"}, Kind: finding.KindMissing, Msg: "no such file"},
				}
			case args[0] == "plain":
				return nil, errors.New("cannot read input")
			case args[0] == "forged":
				return nil, &finding.InputError{Pos: finding.Position{File: "::error file=x::pwned\n::warning::x.yaml", Line: 1}, Kind: finding.KindSyntax, Msg: "m"}
			}
			if limit > 0 {
				return report(finding.Blocker), nil
			}
			return report(finding.OK), nil
		},
	}
	dir := t.TempDir()
	outPath := filepath.Join(dir, "r.json")
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := p.Run(context.Background(), args, &stdout, &stderr, env(nil))
		return code, stdout.String(), stderr.String()
	}

	if code, out, _ := run("--help"); code != 0 || !strings.Contains(out, "Usage: demo [--limit N]") || !strings.Contains(out, "-output") {
		t.Errorf("--help: %d\n%s", code, out)
	}
	if code, _, errOut := run("--nope"); code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "demo --help") {
		t.Errorf("unknown flag: %d %q", code, errOut)
	}
	// Unusable input: the documented line per problem, exit 2, no report.
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "a.yaml:3:1: error input/syntax: bad value\nb.yaml: error input/missing: no such file\n"},
		{[]string{"plain"}, "demo: error input/read: cannot read input\n"},
		{[]string{"forged"}, "\\x3a:error file=x::pwned\\x0a::warning::x.yaml:1: error input/syntax: m\n"},
	} {
		code, out, errOut := run(append([]string{"--output", "json=" + outPath}, c.args...)...)
		if code != 2 || out != "" || errOut != c.want {
			t.Errorf("input error %q: exit %d, stdout %q\nstderr %q\nwant   %q", c.args, code, out, errOut, c.want)
		}
	}
	if _, err := os.Stat(outPath); !os.IsNotExist(err) {
		t.Errorf("an input error wrote %s", outPath)
	}
	if code, out, _ := run("--format", "json", "x"); code != 0 || !strings.Contains(out, `"tool": "demo"`) {
		t.Errorf("clean run: %d\n%s", code, out)
	}
	if code, _, _ := run("--limit", "1", "x"); code != 1 {
		t.Errorf("blocker run exit %d, want 1", code)
	}
}

// A report target that is not a regular file or a new path is refused before anything is
// written: renaming over it would replace a device node, a FIFO another process reads, a
// symlink (and not its target) or a directory's name.
func TestEmitRefusesSpecialTargets(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.json")
	if err := os.WriteFile(target, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		mode       os.FileMode // what the path must still be
		says       string
	}{
		{"fifo", fifo, os.ModeNamedPipe, "a named pipe (FIFO), not a regular file"},
		{"symlink", link, os.ModeSymlink, "a symbolic link, not a regular file"},
		{"directory", sub, os.ModeDir, "a directory, not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			first := filepath.Join(dir, c.name+"-first.json")
			cfg := &Config{Format: render.Text, Getenv: env(nil), Outputs: []Output{{render.JSON, first}, {render.JSON, c.path}}}
			var out bytes.Buffer
			err := cfg.Emit(&out, report(finding.Blocker))
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Emit error = %v, want one saying %q", err, c.says)
			}
			if out.Len() != 0 {
				t.Errorf("printed a report:\n%s", out.String())
			}
			if _, err := os.Lstat(first); !os.IsNotExist(err) {
				t.Errorf("the first output was written: %v", err)
			}
			st, err := os.Lstat(c.path)
			if err != nil || st.Mode().Type() != c.mode {
				t.Errorf("%s is no longer what it was: %v %v", c.path, st.Mode(), err)
			}
			if b, _ := os.ReadFile(target); string(b) != "keep\n" {
				t.Errorf("the symlink's target changed: %q", b)
			}
			// The flag refuses it at parse time, before a command does any work.
			var outs outputsFlag
			if err := outs.Set("json=" + c.path); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("--output json=%s: %v", c.path, err)
			}
			assertNoTempFiles(t, dir)
		})
	}
}

// failingWriter is a stdout that cannot be written (a closed pipe).
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// When any later step fails — another output, the step summary, stdout — no output of the
// run stays behind: new files and directories are gone, replaced files hold their old
// content, and the step summary is as it was.
func TestEmitAllOrNothing(t *testing.T) {
	for _, c := range []struct {
		name       string
		laterFile  bool // a later --output cannot be written
		badSummary bool // $GITHUB_STEP_SUMMARY is a directory
		stdout     io.Writer
		says       string
	}{
		{name: "later output", laterFile: true, stdout: new(bytes.Buffer), says: "r3.json"},
		{name: "step summary", badSummary: true, stdout: new(bytes.Buffer), says: "step summary"},
		{name: "stdout", stdout: failingWriter{}, says: "broken pipe"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			existing := filepath.Join(dir, "old.sarif")
			if err := os.WriteFile(existing, []byte("old report\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			summary := filepath.Join(dir, "summary.md")
			if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.badSummary {
				summary = filepath.Join(dir, "summary-dir")
				os.Mkdir(summary, 0o755)
			}
			outs := []Output{
				{render.JSON, filepath.Join(dir, "new", "deeper", "r1.json")},
				{render.SARIF, existing},
				{render.GitHub, filepath.Join(dir, "r2.txt")},
			}
			if c.laterFile {
				blocker := filepath.Join(dir, "plain")
				os.WriteFile(blocker, nil, 0o644)
				outs = append(outs, Output{render.JSON, filepath.Join(blocker, "r3.json")})
			}
			cfg := &Config{Format: render.Text, Outputs: outs, Getenv: env(map[string]string{render.StepSummaryEnv: summary})}
			err := cfg.Emit(c.stdout, report(finding.Blocker))
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Emit error = %v, want one naming %q", err, c.says)
			}
			for _, p := range []string{filepath.Join(dir, "new"), filepath.Join(dir, "r2.txt")} {
				if _, err := os.Lstat(p); !os.IsNotExist(err) {
					t.Errorf("%s stayed behind after a failed run", p)
				}
			}
			if b, _ := os.ReadFile(existing); string(b) != "old report\n" {
				t.Errorf("replaced report not restored: %q", b)
			}
			if !c.badSummary {
				if b, _ := os.ReadFile(summary); string(b) != "earlier step\n" {
					t.Errorf("step summary not restored: %q", b)
				}
			}
			assertNoTempFiles(t, dir)
		})
	}
}
