package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary run Main as the command-line tool (see TestMain), so the
// signal tests exercise the real process: signal delivery, exit code and stderr.
const childEnv = "GFENROLL_CLI_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		NewRegistry("enrollcheck", append(StaticCommands(), signalTestCommands()...)...).Main()
		return
	}
	os.Exit(m.Run())
}

// signalTestCommands stand for the two kinds of work a signal can interrupt: spin is busy
// in code that never looks at its context (as a parser is), wait watches it.
func signalTestCommands() []*Command {
	ready := func(env *Env) { fmt.Fprintln(env.Stderr, "ready") }
	return []*Command{
		{Name: "spin", Summary: "burn CPU until killed", Bind: func(*flag.FlagSet, *Env) RunFunc {
			return func(_ context.Context, env *Env, _ []string) int {
				ready(env)
				for n := 0; ; n++ {
					if n < 0 {
						return 0
					}
				}
			}
		}},
		{Name: "wait", Summary: "wait for cancellation", Bind: func(*flag.FlagSet, *Env) RunFunc {
			return func(ctx context.Context, env *Env, _ []string) int {
				ready(env)
				<-ctx.Done()
				fmt.Fprintln(env.Stderr, "cancelled")
				return 1
			}
		}},
	}
}

// TestSignals: SIGINT and SIGTERM end every command promptly. A command that watches its
// context returns its own code; one busy elsewhere is abandoned after a grace period (or
// at the second signal) with 128+signal.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	cases := []struct {
		name    string
		command string
		signals []syscall.Signal
		code    int
		stderr  []string
		absent  string
	}{
		{"busy command, SIGTERM", "spin", []syscall.Signal{syscall.SIGTERM}, 143,
			[]string{"enrollcheck: SIGTERM received; stopping", "enrollcheck: stopped by SIGTERM before the command finished"}, ""},
		{"busy command, SIGINT twice", "spin", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 130,
			[]string{"enrollcheck: SIGINT received; stopping", "enrollcheck: stopped by SIGINT"}, ""},
		{"command watching its context", "wait", []syscall.Signal{syscall.SIGTERM}, 1,
			[]string{"enrollcheck: SIGTERM received; stopping", "cancelled"}, "stopped by"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tc.command)
			cmd.Env = append(os.Environ(), childEnv+"=1")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			var got []string
			deadline := time.After(time.Minute) // bounds the whole exchange; no step sleeps
			// next reads stderr up to a line starting with want ("" reads until the process
			// closes it by exiting).
			next := func(want string) {
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							if want != "" {
								t.Fatalf("stderr closed before %q; got %q", want, got)
							}
							return
						}
						got = append(got, l)
						if want != "" && strings.HasPrefix(l, want) {
							return
						}
					case <-deadline:
						cmd.Process.Kill()
						t.Fatalf("no %q on stderr within a minute; got %q", want, got)
					}
				}
			}
			next("ready")
			for i, s := range tc.signals {
				if err := cmd.Process.Signal(s); err != nil {
					t.Fatal(err)
				}
				if i+1 < len(tc.signals) {
					next("enrollcheck: " + signalName(s) + " received") // the next one is a second signal
				}
			}
			next("")
			if err := cmd.Wait(); err != nil {
				if _, ok := err.(*exec.ExitError); !ok {
					t.Fatal(err)
				}
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit code %d, want %d; stderr %q", code, tc.code, got)
			}
			all := strings.Join(got, "\n")
			for _, w := range tc.stderr {
				if !strings.Contains(all, w) {
					t.Errorf("stderr lacks %q:\n%s", w, all)
				}
			}
			if tc.absent != "" && strings.Contains(all, tc.absent) {
				t.Errorf("stderr has %q:\n%s", tc.absent, all)
			}
		})
	}
}
