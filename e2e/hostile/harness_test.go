// Package hostile runs gfenroll, built once, as a subprocess on malformed and adversarial
// inputs: every file the commands read (organization.yaml, MODULE.bazel, tfvars,
// workflows, plan JSON, the App private key) and their flags. Each case asserts the
// input contract:
//
//   - the expected exit code (2: unusable input, with `file:line:col: error input/<kind>:`
//     naming the right line; 1: blockers on readable input; 0: accepted);
//   - no panic, goroutine dump or "internal error";
//   - on exit 2 no --output file (not even a partial one); otherwise the report is written;
//   - no line of any output, left-trimmed, starts with "::" (a workflow command the
//     Actions runner obeys) except the tool's own annotations in --format github, and no
//     raw escape byte;
//   - the process ends (a generous hard timeout, a failure) within a generous memory
//     bound. Wall time and peak RSS of every case are printed as benchmark-style figures,
//     never asserted as times.
//
// Cases that need a fix of another change carry fixedBy; -hostile.pending=skip skips
// them (the default runs them, so they fail until the fix is in).
package hostile

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

var pending = flag.String("hostile.pending", "run",
	"cases whose fix lands in another change (fixedBy): run (they fail until it does) or skip")

const (
	// hardTimeout only stops a hang; reaching it fails the case.
	hardTimeout = 60 * time.Second
	// maxRSS is a generous bound on the child's peak resident memory.
	maxRSS = 1 << 30
	// baseOverlay is the enrolled fixture overlay every overlay case starts from.
	baseOverlay = "tinyland-org"
	// nobody is the unprivileged identity of the unreadable-file cases when run as root.
	nobody = 65534
)

// tcase is one hostile input and what gfenroll must do with it.
type tcase struct {
	name  string
	class string
	// fixedBy names the change this case needs (it fails before that change is merged).
	fixedBy string
	// prepare edits the scene (the overlay copy, extra files) before the run.
	prepare func(s *scene)
	// args follow "gfenroll"; "OV" stands for the overlay directory (relative to the
	// case directory, the working directory of the run).
	args []string
	// env adds environment variables (KEY=VALUE); "OV" and "DIR" are replaced as in args.
	env []string
	// stdin, when set, is fed to the process.
	stdin func(s *scene) io.Reader
	// exits lists the accepted exit codes.
	exits []int
	// at is where the input error must point on exit 2 (nil: no positional check).
	at *pos
	// usage: exit 2 is a usage error (one hint line on stderr, no input-error line).
	usage bool
	// help: exit 2 with free-form guidance on stderr (no line-shape check).
	help bool
	// noOutput: the command takes no --output flag (or the case sets its own).
	noOutput bool
	// asNobody runs the command as an unprivileged user (uid/gid 65534 under root).
	asNobody bool
	// format is the --format of the run ("" = text).
	format string
	// forbid and require are texts no output may hold / some output must hold
	// (after expansion, so they may name scene variables).
	forbid, require []string
	// absent are files (relative to the case directory) that must not exist after the run.
	absent []string
}

// pos is the expected position of an input error. line 0: the line must name the file
// with no particular line (a file that cannot be read at all).
type pos struct {
	file string
	line int
}

func at(file string, line int) *pos { return &pos{file: file, line: line} }

func exit(codes ...int) []int { return codes }

// figure is one case's cost, printed after the run.
type figure struct {
	name string
	wall time.Duration
	rss  int64 // bytes
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
	// suiteDir holds the binary and every scene, world-readable so the unprivileged
	// cases can reach them.
	suiteDir string

	figMu   sync.Mutex
	figures []figure
)

// launcherEnv switches the test binary into launcher mode (see launch).
const launcherEnv = "GFENROLL_HOSTILE_LAUNCH"

func TestMain(m *testing.M) {
	if spec := os.Getenv(launcherEnv); spec != "" {
		os.Exit(launch(spec, os.Args[1:]))
	}
	flag.Parse()
	dir, err := os.MkdirTemp("", "gfenroll-hostile-")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	suiteDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	printFigures()
	os.Exit(code)
}

func printFigures() {
	if len(figures) == 0 {
		return
	}
	sort.Slice(figures, func(i, j int) bool { return figures[i].name < figures[j].name })
	var wall time.Duration
	var peak figure
	for _, f := range figures {
		fmt.Printf("BenchmarkHostile/%s \t1\t%12d ns/op\t%8.1f MiB-maxrss\n", f.name, f.wall.Nanoseconds(), float64(f.rss)/(1<<20))
		wall += f.wall
		if f.rss > peak.rss {
			peak = f
		}
	}
	fmt.Printf("hostile: %d runs, %.1f s of child wall time in total; largest peak RSS %.1f MiB (%s)\n",
		len(figures), wall.Seconds(), float64(peak.rss)/(1<<20), peak.name)
}

// launch runs args as a child and writes its peak RSS to the file named in spec
// ("RSSFILE" or "RSSFILE:UID"), then exits with the child's code.
//
// Linux carries a process's memory high-water mark across execve, and a child forked
// from the test process starts with the test process's (hundreds of MB of case data), so
// the child's own peak would be invisible. This small launcher, started fresh, forks the
// command itself: the command's figure is then its own (plus the launcher's few MB).
func launch(spec string, args []string) int {
	rssFile, uid, asOther := strings.Cut(spec, ":")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, launcherEnv+"=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	// The command dies with the launcher (the hard timeout kills the launcher).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if asOther {
		var id uint32
		fmt.Sscan(uid, &id)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: id, Gid: id, NoSetGroups: true}
	}
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintln(os.Stderr, "hostile launcher:", err)
		return 125
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		os.WriteFile(rssFile, []byte(fmt.Sprint(ru.Maxrss*1024)), 0o644) // kilobytes on Linux
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// gfenroll builds the command once per test binary.
func gfenroll(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binPath = filepath.Join(suiteDir, "gfenroll")
		cmd := exec.Command("go", "build", "-o", binPath, "./tools/gfenroll")
		cmd.Dir = overlaytest.RepoRoot(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build ./tools/gfenroll: %v\n%s", err, out)
			return
		}
		binErr = os.Chmod(binPath, 0o755)
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// scene is one case's directory: the working directory of the run, holding the overlay
// copy (ov/), the case's other files and the --output directory (out/).
type scene struct {
	t   *testing.T
	dir string
	// vars are replaced in args, env, forbid and require (e.g. a server's URL).
	vars map[string]string
}

const ovDir = "ov"

func newScene(t *testing.T) *scene {
	dir, err := os.MkdirTemp(suiteDir, "case-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Restore permissions a case took away, so the tree can be removed.
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	return &scene{t: t, dir: dir}
}

// path is rel (slash-separated, relative to the case directory) as an absolute path.
func (s *scene) path(rel string) string { return filepath.Join(s.dir, filepath.FromSlash(rel)) }

// overlay copies the base overlay to ov/.
func (s *scene) overlay() {
	overlaytest.CopyBase(s.t, baseOverlay, s.path(ovDir))
}

func (s *scene) read(rel string) string {
	b, err := os.ReadFile(s.path(rel))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func (s *scene) write(rel string, data []byte) {
	p := s.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	os.Remove(p)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// replace swaps the whole line n (1-based) of rel for text (which may hold newlines).
func (s *scene) replaceLine(rel string, n int, text string) {
	lines := strings.SplitAfter(s.read(rel), "\n")
	if n < 1 || n > len(lines) {
		s.t.Fatalf("%s has no line %d", rel, n)
	}
	nl := ""
	if strings.HasSuffix(lines[n-1], "\n") {
		nl = "\n"
	}
	lines[n-1] = text + nl
	s.write(rel, []byte(strings.Join(lines, "")))
}

// replaceAll replaces every occurrence of old in rel, which must occur.
func (s *scene) replaceAll(rel, old, new string) {
	data := s.read(rel)
	if !strings.Contains(data, old) {
		s.t.Fatalf("%s does not contain %q", rel, old)
	}
	s.write(rel, []byte(strings.ReplaceAll(data, old, new)))
}

func (s *scene) remove(rel string) {
	if err := os.RemoveAll(s.path(rel)); err != nil {
		s.t.Fatal(err)
	}
}

// special replaces rel with something that is not a regular file.
func (s *scene) special(rel, kind string) {
	p := s.path(rel)
	s.remove(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	var err error
	switch kind {
	case "directory":
		err = os.Mkdir(p, 0o755)
	case "symlink loop":
		err = os.Symlink(filepath.Base(p), p)
	case "symlink cycle":
		other := p + ".other"
		if err = os.Symlink(filepath.Base(p), other); err == nil {
			err = os.Symlink(filepath.Base(other), p)
		}
	case "dangling symlink":
		err = os.Symlink("does-not-exist", p)
	case "fifo":
		err = syscall.Mkfifo(p, 0o644)
	case "unreadable":
		if err = os.WriteFile(p, []byte("not for you\n"), 0o644); err == nil {
			err = os.Chmod(p, 0)
		}
	default:
		s.t.Fatalf("unknown special file kind %q", kind)
	}
	if err != nil {
		s.t.Fatalf("make %s %s: %v", kind, rel, err)
	}
}

// big writes a file of n bytes: head, then filler lines, then tail.
func (s *scene) big(rel string, n int, head, filler, tail string) {
	p := s.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	buf := bytes.NewBufferString(head)
	for buf.Len() < n-len(tail) {
		buf.WriteString(filler)
	}
	buf.WriteString(tail)
	if _, err := f.Write(buf.Bytes()); err != nil {
		s.t.Fatal(err)
	}
}

// result is one run of gfenroll.
type result struct {
	code           int
	stdout, stderr string
	wall           time.Duration
	rss            int64
}

func (s *scene) run(c tcase, args []string) result {
	t := s.t
	// Build (once) before the hard timeout starts: on a loaded machine the first build
	// alone can take longer than any run may.
	bin := gfenroll(t)
	ctx, cancel := context.WithTimeout(context.Background(), hardTimeout)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rssFile := filepath.Join(t.TempDir(), "rss")
	spec := rssFile
	if c.asNobody && os.Geteuid() == 0 {
		spec += fmt.Sprintf(":%d", nobody)
	}
	cmd := exec.CommandContext(ctx, self, append([]string{bin}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = []string{launcherEnv + "=" + spec, "PATH=/usr/bin:/bin", "HOME=" + s.dir, "LANG=C.UTF-8", "KUBECONFIG=" + s.path("kubeconfig")}
	for _, e := range c.env {
		cmd.Env = append(cmd.Env, s.expand(e))
	}
	if c.stdin != nil {
		cmd.Stdin = c.stdin(s)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("gfenroll %s did not end within %v (killed)\nstderr:\n%s", strings.Join(args, " "), hardTimeout, clip(stderr.String()))
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run gfenroll: %v", err)
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), wall: wall}
	if r.code == 125 && strings.HasPrefix(r.stderr, "hostile launcher:") {
		if c.asNobody {
			t.Skipf("cannot run as uid %d here: %s", nobody, r.stderr)
		}
		t.Fatalf("run gfenroll: %s", r.stderr)
	}
	data, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatalf("no peak RSS from the launcher: %v", err)
	}
	fmt.Sscan(string(data), &r.rss)
	return r
}

func (s *scene) expand(a string) string {
	for k, v := range s.vars {
		a = strings.ReplaceAll(a, k, v)
	}
	a = strings.ReplaceAll(a, "DIR", s.dir)
	return strings.ReplaceAll(a, "OV", ovDir)
}

// commandsWithOutput take --output FORMAT=PATH.
var commandsWithOutput = map[string]bool{"check": true, "pins": true, "taxonomy": true, "workflows": true,
	"plan-guard": true, "arc-app-secret": true, "preflight": true}

const reportRel = "out/report.json"

var (
	panicLike = regexp.MustCompile(`(?m)^panic: |(?m)^goroutine \d+ \[|(?m)^fatal error: |runtime error: |(?i)internal error|(?m)^\[signal `)
	// inputLine is the one shape of an unusable-input problem on stderr.
	inputLine = regexp.MustCompile(`^\S.*?(:(\d+)(:(\d+))?)?: error input/[a-z][a-z-]*: \S`)
)

// forgedMark is in every forging payload; a line starting with a workflow command that
// holds it was forged by input.
const forgedMark = "FORGED"

func runCase(t *testing.T, c tcase) {
	if c.fixedBy != "" && *pending == "skip" {
		t.Skipf("needs %s (-hostile.pending=run runs it)", c.fixedBy)
	}
	t.Parallel()
	s := newScene(t)
	if c.prepare != nil {
		c.prepare(s)
	}
	args := make([]string, 0, len(c.args)+4)
	for _, a := range c.args {
		args = append(args, s.expand(a))
	}
	if c.format != "" {
		args = append(args, "--format", c.format)
	}
	wantReport := !c.noOutput && len(args) > 0 && commandsWithOutput[args[0]]
	if wantReport {
		args = append(args, "--output", "json="+reportRel)
	}
	r := s.run(c, args)
	figMu.Lock()
	figures = append(figures, figure{name: t.Name()[len("TestHostile/"):], wall: r.wall, rss: r.rss})
	figMu.Unlock()

	if c.fixedBy != "" {
		t.Logf("this case needs %s", c.fixedBy)
	}
	show := func() string {
		return fmt.Sprintf("gfenroll %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, clip(r.stdout), clip(r.stderr))
	}
	if m := panicLike.FindString(r.stdout + r.stderr); m != "" {
		t.Errorf("crash or internal error (%q):\n%s", m, show())
	}
	if r.rss > maxRSS {
		t.Errorf("peak RSS %d MiB, over the %d MiB bound", r.rss>>20, maxRSS>>20)
	}
	if !contains(c.exits, r.code) {
		t.Errorf("exit %d, want %v\n%s", r.code, c.exits, show())
	}
	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	if wantReport {
		data, err := os.ReadFile(s.path(reportRel))
		switch {
		case r.code == 2 && err == nil:
			t.Errorf("exit 2 left the --output file %s behind (%d bytes)", reportRel, len(data))
		case r.code != 2 && err != nil:
			t.Errorf("exit %d but no --output report: %v", r.code, err)
		case err == nil:
			outputs[reportRel] = string(data)
		}
		if r.code == 2 {
			if left := leftovers(s.path("out")); len(left) > 0 {
				t.Errorf("exit 2 left files in the --output directory: %v", left)
			}
		}
	}
	for name, out := range outputs {
		checkUnforgeable(t, c.format, name, out)
		for _, f := range c.forbid {
			if f = s.expand(f); strings.Contains(out, f) {
				t.Errorf("%s holds %q:\n%s", name, clip(f), show())
			}
		}
	}
	for _, rel := range c.absent {
		if _, err := os.Lstat(s.path(rel)); err == nil {
			t.Errorf("%s exists after the run (exit %d)", rel, r.code)
		}
	}
	for _, want := range c.require {
		want = s.expand(want)
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("no output holds %q\n%s", want, show())
		}
	}
	if r.code != 2 {
		return
	}
	if c.help {
		if strings.TrimSpace(r.stderr) == "" {
			t.Errorf("exit 2 with nothing on stderr")
		}
		return
	}
	if c.usage {
		if n := strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") + 1; n != 1 || !strings.HasPrefix(r.stderr, "gfenroll") {
			t.Errorf("a usage error is one line starting with \"gfenroll\"; got %d lines:\n%s", n, show())
		}
		return
	}
	checkInputLines(t, c, r.stderr, show)
}

// checkInputLines: stderr names the input problem in the one shape, at the expected file
// and line, with a column when it names a line.
func checkInputLines(t *testing.T, c tcase, stderr string, show func() string) {
	t.Helper()
	var found []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "error input/") {
			if !inputLine.MatchString(l) {
				t.Errorf("input-error line not in the form file:line:col: error input/<kind>: message:\n  %q", l)
			}
			found = append(found, l)
		}
	}
	if len(found) == 0 {
		t.Errorf("exit 2 without an error input/<kind> line\n%s", show())
		return
	}
	if c.at == nil {
		return
	}
	prefix := c.at.file + ":"
	if c.at.line == 0 {
		prefix = c.at.file
	} else {
		prefix += fmt.Sprint(c.at.line) + ":"
	}
	for _, l := range found {
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		rest := l[len(prefix):]
		if c.at.line == 0 {
			if regexp.MustCompile(`^(:\d+(:\d+)?)?: error input/`).MatchString(rest) {
				return
			}
			continue
		}
		if regexp.MustCompile(`^\d+: error input/`).MatchString(rest) {
			return
		}
		t.Errorf("input error names %s line %d but no column: %q", c.at.file, c.at.line, l)
		return
	}
	want := c.at.file
	if c.at.line > 0 {
		want = fmt.Sprintf("%s:%d:COL", c.at.file, c.at.line)
	}
	t.Errorf("no input-error line names %s\n%s", want, show())
}

// checkUnforgeable: nothing from input starts a workflow-command line or smuggles a raw
// escape byte into the output.
func checkUnforgeable(t *testing.T, format, name, out string) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 {
		t.Errorf("%s holds a raw escape byte: %q", name, around(out, i))
	}
	if strings.ContainsRune(out, '\r') && format != "junit" && format != "json" && format != "sarif" {
		t.Errorf("%s holds a raw carriage return", name)
	}
	for _, l := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeft(l, " \t\r\v\f")
		if !strings.HasPrefix(trimmed, "::") {
			continue
		}
		own := format == "github" && (name == "stdout" || name == "stderr") && trimmed == l && !startedByInput(l)
		if !own {
			t.Errorf("%s has a line input can use to forge a workflow command: %q", name, clip(l))
		}
	}
}

// startedByInput: an annotation line whose command part (before the message) carries the
// forging mark was started by input, not by the tool.
func startedByInput(l string) bool {
	cmd := l
	if i := strings.Index(l[2:], "::"); i >= 0 {
		cmd = l[:i+2]
	}
	return strings.Contains(cmd, forgedMark) || strings.HasPrefix(l, "::error file=x::")
}

func leftovers(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

func around(s string, i int) string {
	lo, hi := max(0, i-40), min(len(s), i+40)
	return s[lo:hi]
}

// TestHostile runs every case.
func TestHostile(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range allCases() {
		name := c.class + "/" + c.name
		if seen[name] {
			t.Fatalf("duplicate case name %s", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) { runCase(t, c) })
	}
}

// TestCaseCount keeps the suite at least as broad as the contract asks.
func TestCaseCount(t *testing.T) {
	n, byClass, pendingByClass, byFix, needFix := 0, map[string]int{}, map[string]int{}, map[string]int{}, 0
	for _, c := range allCases() {
		n++
		byClass[c.class]++
		if c.fixedBy != "" {
			needFix++
			pendingByClass[c.class]++
			byFix[c.fixedBy]++
			t.Logf("pending %s/%s: needs %s", c.class, c.name, c.fixedBy)
		}
	}
	if n < 150 {
		t.Errorf("%d hostile cases, want at least 150", n)
	}
	classes := make([]string, 0, len(byClass))
	for k := range byClass {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, k := range classes {
		t.Logf("%-18s %3d cases, %2d need a fix from another change", k, byClass[k], pendingByClass[k])
	}
	fixes := make([]string, 0, len(byFix))
	for fix := range byFix {
		fixes = append(fixes, fix)
	}
	sort.Strings(fixes)
	for _, fix := range fixes {
		t.Logf("needs %q: %d", fix, byFix[fix])
	}
	t.Logf("%d cases, %d of them need a fix from another change", n, needFix)
}
