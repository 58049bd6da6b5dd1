// Command materialize builds the full overlay of a broken variant for shell users such as
// the Bazel smoke:
//
//	go run ./checks/overlaytest/cmd/materialize VARIANT_DIR OUT_DIR
//
// It is checks/overlaytest.MaterializeTo behind a command line, so the Go tests and the
// shell users see the same overlay from one implementation. The base overlay named on the
// first line of VARIANT_DIR/VARIANT is e2e/overlays/<base> of the repository holding the
// working directory (GFENROLL_REPO_ROOT overrides). OUT_DIR must not exist yet. Usage and
// input errors print one "materialize: ..." line and exit 2.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "materialize: "+format+"\n", a...)
		return 2
	}
	if len(args) != 2 {
		return fail("usage: materialize VARIANT_DIR OUT_DIR")
	}
	v, err := overlaytest.ParseVariant(filepath.Clean(args[0]))
	if err != nil {
		return fail("%v", err)
	}
	root, err := overlaytest.FindRepoRoot()
	if err != nil {
		return fail("%v", err)
	}
	base := filepath.Join(root, "e2e", "overlays", v.Base)
	if fi, err := os.Stat(base); err != nil || !fi.IsDir() {
		return fail("variant %s: base overlay %q not found in %s", v.Name, v.Base, filepath.Dir(base))
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(args[1])), 0o755); err != nil {
		return fail("%v", err)
	}
	if err := overlaytest.MaterializeTo(v, base, filepath.Clean(args[1])); err != nil {
		return fail("%v", err)
	}
	return 0
}
