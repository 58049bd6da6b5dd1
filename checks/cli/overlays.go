package cli

import (
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// OverlayFlags are --overlay-root (repeatable) and --tfvars (repeatable), shared by every
// command that reads overlays.
type OverlayFlags struct {
	Roots  []string
	Tfvars []string
}

// Register adds the flags to fs.
func (f *OverlayFlags) Register(fs *flag.FlagSet) {
	fs.Var((*checker.Strings)(&f.Roots), "overlay-root", "overlay checkout `DIR` (repeatable: several overlays are also checked against each other; default .)")
	fs.Var((*checker.Strings)(&f.Tfvars), "tfvars", "ARC runner stack variables `PATH`, relative to the overlay root (repeatable; default tofu/stacks/arc-runners/*.tfvars)")
}

// Load loads every overlay root. Problems with the input are printed to env.Stderr, one
// line each as "file:line:col: error input/<kind>: message", and ok is false: the caller
// exits 2 without writing any report.
func (f *OverlayFlags) Load(env *Env) (overlays []*overlay.Overlay, ok bool) {
	roots := f.Roots
	if len(roots) == 0 {
		roots = []string{"."}
	}
	if len(roots) > 1 && len(f.Tfvars) > 0 {
		fmt.Fprintf(env.Stderr, "%s: --tfvars names the files of one overlay; with several --overlay-root each overlay uses %s (check them one by one to pass --tfvars)\n",
			env.Prog, overlay.TfvarsGlob)
		return nil, false
	}
	multi := len(roots) > 1
	seen := map[string]string{}
	display := make([]string, 0, len(roots))
	for _, given := range roots {
		root := DisplayRoot(given)
		if prev, dup := seen[root]; dup {
			fmt.Fprintf(env.Stderr, "%s: --overlay-root %s names the same overlay as --overlay-root %s\n", env.Prog, finding.PrintableLine(given), finding.PrintableLine(prev))
			return nil, false
		}
		seen[root] = given
		display = append(display, root)
	}
	// Loaded concurrently (an estate check may name hundreds of roots); errors are still
	// printed in the order the roots were given.
	loaded, errs := overlay.LoadAll(display, overlay.Options{Tfvars: f.Tfvars})
	ok = true
	for i, root := range display {
		if err := errs[i]; err != nil {
			prefix := ""
			if multi {
				prefix = root
			}
			finding.WriteInputErrors(env.Stderr, prefix, root, err)
			ok = false
			continue
		}
		overlays = append(overlays, loaded[i])
	}
	if !ok {
		return nil, false
	}
	return overlays, true
}

// RequireTfvars reports every overlay without tfvars (the taxonomy gate has nothing to
// judge then, which must not pass as a clean result). It returns false after printing.
func RequireTfvars(env *Env, overlays []*overlay.Overlay) bool {
	ok := true
	for _, o := range overlays {
		if len(o.Tfvars) > 0 {
			continue
		}
		ok = false
		dir := path.Dir(overlay.TfvarsGlob)
		searched := path.Join(filepath.ToSlash(o.Root), overlay.TfvarsGlob)
		if len(overlays) > 1 {
			dir = path.Join(filepath.ToSlash(o.Root), dir)
		}
		finding.WriteInputErrors(env.Stderr, "", "", &finding.InputError{Pos: finding.Position{File: dir}, Kind: finding.KindMissing,
			Msg: fmt.Sprintf("no ARC runner tfvars found: searched %s; pass --tfvars PATH to name them", searched)})
	}
	return ok
}

// DisplayRoot is the overlay root as it appears in multi-overlay reports: the path as given,
// cleaned, and made relative to the working directory when it lies under it, so an
// absolute --overlay-root does not put an absolute path into a report.
func DisplayRoot(given string) string {
	root := filepath.Clean(given)
	if filepath.IsAbs(root) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, root); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				root = rel
			}
		}
	}
	return root
}

// PrefixPositions puts root in front of every finding's file (a finding without a file gets
// the root itself), so findings of several overlays stay distinguishable.
func PrefixPositions(r *finding.Report, root string) {
	root = filepath.ToSlash(root)
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.File == "" {
			f.File = root
			f.Line, f.Column = 0, 0
			continue
		}
		f.File = path.Join(root, f.File)
	}
}
