package checker

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Guard runs fn and returns its exit code. A panic in fn becomes one line on stderr,
// "<name>: internal error: <value>; please report", and ExitInput: an operator never sees a
// stack trace, and a crashed checker never exits 0 or 1 as if it had judged the overlay.
// With GFENROLL_DEBUG=1 the stack follows the line.
func Guard(name string, stderr io.Writer, getenv func(string) string, fn func() int) (code int) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		msg := finding.PrintableLine(strings.ReplaceAll(fmt.Sprint(v), "\n", " "))
		if getenv(EnvDebug) == "1" {
			fmt.Fprintf(stderr, "%s: internal error: %s; please report\n%s", name, msg, debug.Stack())
		} else {
			fmt.Fprintf(stderr, "%s: internal error: %s; please report (%s=1 shows the stack)\n", name, msg, EnvDebug)
		}
		code = ExitInput
	}()
	return fn()
}

// Exit runs fn under Guard with the process's stderr and environment and exits with its code.
func Exit(name string, fn func() int) {
	os.Exit(Guard(name, os.Stderr, os.Getenv, fn))
}
