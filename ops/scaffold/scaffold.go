// Package scaffold writes a new implementation overlay: the commented skeleton of every file
// enrollment reads (organization.yaml, MODULE.bazel, the ARC runner tfvars, the Bazel
// enrollment targets, a Justfile with the enrollment recipes and a validation workflow on a
// shared label), filled from a few validated inputs, so the hermetic gates pass at once and
// the preflight lists only the live steps left.
//
// Writing is all or nothing: every file is staged next to its target first, then put in
// place; without Force an existing file is never replaced (nothing is written at all), and
// when any step fails every file already placed is removed or restored.
package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Account kinds.
const (
	Organization = "organization"
	Personal     = "personal"
)

// Inputs are the facts a new overlay starts from.
type Inputs struct {
	Owner          string // GitHub owner (organization or user login)
	AccountKind    string // organization | personal
	CoreRepository string // OWNER/NAME of the core
	CoreModule     string // the core's Bazel module name
	CoreCommit     string // 40-hex lowercase commit both pins start at
	ClusterContext string // kubeconfig context of the ARC cluster
	// Repository is OWNER/NAME of the overlay repository (required for a personal
	// account, whose runners register at this repository).
	Repository string
}

var (
	ownerRe  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
	repoRe   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	moduleRe = regexp.MustCompile(`^[a-z](?:[a-z0-9._-]*[a-z0-9])?$`)
	shaRe    = regexp.MustCompile(`^[0-9a-f]{40}$`)
	// contextRe: kubeconfig context names are free-form, but what goes into YAML, HCL and
	// Starlark strings unquoted-safe is kept to printable characters without quotes.
	contextRe = regexp.MustCompile(`^[A-Za-z0-9@._:/-]{1,253}$`)
)

// Validate checks every input and returns all problems at once (flag names as the CLI
// spells them).
func (in Inputs) Validate() error {
	var errs []error
	bad := func(flag, val, want string) { errs = append(errs, fmt.Errorf("--%s %q: %s", flag, val, want)) }
	if !ownerRe.MatchString(in.Owner) {
		bad("owner", in.Owner, "want a GitHub login: letters, digits and single hyphens, not starting or ending with one, at most 39")
	}
	switch in.AccountKind {
	case Organization, Personal:
	default:
		bad("account-kind", in.AccountKind, "want organization or personal")
	}
	if !validRepo(in.CoreRepository) {
		bad("core-repository", in.CoreRepository, "want OWNER/NAME, e.g. tinyland-inc/GloriousFlywheel")
	}
	if !moduleRe.MatchString(in.CoreModule) {
		bad("core-module", in.CoreModule, "want a Bazel module name: lowercase letters, digits, '.', '_' and '-', starting with a letter")
	}
	if !shaRe.MatchString(in.CoreCommit) {
		bad("core-commit", in.CoreCommit, "want the full 40-character lowercase hex commit")
	}
	if !contextRe.MatchString(in.ClusterContext) {
		bad("cluster-context", in.ClusterContext, "want a non-empty kubeconfig context name (letters, digits, @ . _ : / -)")
	}
	switch {
	case in.Repository != "" && !validRepo(in.Repository):
		bad("repository", in.Repository, "want OWNER/NAME of the overlay repository")
	case in.Repository != "" && !strings.EqualFold(strings.SplitN(in.Repository, "/", 2)[0], in.Owner):
		bad("repository", in.Repository, fmt.Sprintf("the overlay repository must belong to --owner %s", in.Owner))
	case in.Repository == "" && in.AccountKind == Personal:
		errs = append(errs, errors.New("--repository is required with --account-kind personal: a personal account registers its runners at this repository"))
	}
	return errors.Join(errs...)
}

func validRepo(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && ownerRe.MatchString(owner) && repoRe.MatchString(name) && name != "." && name != ".."
}

// File is one file of the skeleton.
type File struct {
	Path    string // slash-separated, relative to the overlay root
	Content string
}

// TfvarsPath is where the skeleton's ARC runner stack lives.
func (in Inputs) TfvarsPath() string {
	return "tofu/stacks/arc-runners/" + strings.ToLower(in.Owner) + ".tfvars"
}

// Files renders the skeleton. Inputs must be valid.
func (in Inputs) Files() []File {
	return []File{
		{"config/organization.yaml", in.org()},
		{"MODULE.bazel", in.module()},
		{"BUILD.bazel", rootBuild},
		{in.TfvarsPath(), in.tfvars()},
		{"enrollment/BUILD.bazel", in.enrollmentBuild()},
		{"Justfile", in.justfile()},
		{".github/workflows/validate.yml", in.workflow()},
	}
}

// Write writes files under dir, all or nothing. Without force an existing file is an error
// naming every such file, and nothing is written.
func Write(dir string, files []File, force bool) error {
	var exists []*finding.InputError
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path))); err == nil && !force {
			exists = append(exists, &finding.InputError{Pos: finding.Position{File: f.Path}, Kind: KindExists,
				Msg: f.Path + " already exists; init never overwrites a file (--force replaces the skeleton's files)"})
		}
	}
	if len(exists) > 0 {
		return finding.InputErrors(exists)
	}
	w := &writer{dir: dir}
	if err := w.write(files, force); err != nil {
		w.rollback()
		return err
	}
	return nil
}

type writer struct {
	dir      string
	dirs     []string          // directories created, deepest last
	staged   []string          // temp files not yet placed
	placed   []string          // targets placed
	restored map[string][]byte // previous content of replaced targets (force)
}

func (w *writer) write(files []File, force bool) error {
	w.restored = map[string][]byte{}
	targets := make([]string, len(files))
	for i, f := range files {
		target := filepath.Join(w.dir, filepath.FromSlash(f.Path))
		targets[i] = target
		if err := w.mkdirAll(filepath.Dir(target)); err != nil {
			return fmt.Errorf("create directory for %s: %w", f.Path, err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), ".gfenroll-init-*")
		if err != nil {
			return fmt.Errorf("stage %s: %w", f.Path, err)
		}
		w.staged = append(w.staged, tmp.Name())
		_, werr := tmp.WriteString(f.Content)
		serr := tmp.Sync()
		cerr := tmp.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			return fmt.Errorf("stage %s: %w", f.Path, err)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return fmt.Errorf("stage %s: %w", f.Path, err)
		}
	}
	for i, f := range files {
		tmp, target := w.staged[i], targets[i]
		if force {
			if old, err := os.ReadFile(target); err == nil {
				w.restored[target] = old
			}
			if err := os.Rename(tmp, target); err != nil {
				return fmt.Errorf("write %s: %w", f.Path, err)
			}
		} else {
			// A hard link never replaces an existing file: a file created since the check
			// above makes this fail instead of being overwritten.
			if err := os.Link(tmp, target); err != nil {
				return fmt.Errorf("write %s: %w", f.Path, err)
			}
			os.Remove(tmp)
		}
		w.staged[i] = ""
		w.placed = append(w.placed, target)
	}
	return nil
}

func (w *writer) mkdirAll(d string) error {
	if fi, err := os.Stat(d); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", d)
		}
		return nil
	}
	if err := w.mkdirAll(filepath.Dir(d)); err != nil {
		return err
	}
	if err := os.Mkdir(d, 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	w.dirs = append(w.dirs, d)
	return nil
}

// rollback removes staged and placed files (restoring replaced ones) and the directories
// the write created.
func (w *writer) rollback() {
	for _, t := range w.staged {
		if t != "" {
			os.Remove(t)
		}
	}
	for _, p := range w.placed {
		if old, ok := w.restored[p]; ok {
			os.WriteFile(p, old, 0o644)
			continue
		}
		os.Remove(p)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(w.dirs)))
	for _, d := range w.dirs {
		os.Remove(d)
	}
}

// KindExists is the input-error kind of a file init would overwrite.
const KindExists = "exists"
