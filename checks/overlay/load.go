package overlay

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Options tune Load.
type Options struct {
	// Tfvars replaces the default discovery (TfvarsGlob). Relative paths are relative to the
	// overlay root; absolute paths are taken as is (and shown root-relative when inside it).
	Tfvars []string
	// MaxFileSize caps each file read (default DefaultMaxFileSize).
	MaxFileSize int64
}

// WorkflowsDir holds the overlay's GitHub Actions workflows.
const WorkflowsDir = ".github/workflows"

// Load reads an overlay root into the model. It reads every file it can and collects every
// input problem, so an operator sees them all in one run. The error, when not nil, is
// InputErrors; the returned overlay then holds whatever could be read and must not be
// judged as if it were complete.
//
// Absence is not unusable input: a missing config/organization.yaml leaves Org nil, a
// missing MODULE.bazel leaves Module nil, no tfvars found leaves Tfvars empty and a missing
// .github/workflows leaves Workflows empty; the enrollment and pins gates report each as a
// blocker with what to create. A file named explicitly (--tfvars) must exist.
func Load(root string, opts Options) (*Overlay, error) {
	l := &loader{root: root, max: opts.MaxFileSize}
	if l.max <= 0 {
		l.max = DefaultMaxFileSize
	}
	o := &Overlay{Root: root}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		msg := fmt.Sprintf("overlay root %s is not a directory", root)
		kind := KindRead
		if os.IsNotExist(err) {
			msg, kind = fmt.Sprintf("overlay root %s does not exist", root), KindMissing
		} else if err != nil {
			msg = fmt.Sprintf("cannot read overlay root %s: %s", root, errText(err))
		}
		return o, InputErrors{{Kind: kind, Msg: msg}}
	}

	if data := l.read(l.path(OrgFile), OrgFile, false); data != nil {
		org, errs := ParseOrg(OrgFile, data)
		o.Org = org
		l.errs = append(l.errs, errs...)
	}
	o.Module = l.loadModule()
	l.explicit = map[string]bool{}
	for _, tf := range l.tfvarsFiles(opts.Tfvars) {
		l.explicit[tf.rel] = tf.explicit
		if data := l.read(tf.path, tf.rel, true); data != nil {
			tv, errs := ParseTfvars(tf.rel, data)
			if tv != nil {
				o.Tfvars = append(o.Tfvars, tv)
			}
			l.errs = append(l.errs, errs...)
		}
	}
	for _, rel := range l.workflowFiles() {
		data := l.read(l.path(rel), rel, true)
		if data == nil {
			continue
		}
		// The common checks run here so every file kind fails the same way on binary or
		// empty input, whoever implements its parser.
		if ie := checkText(rel, data); ie != nil {
			l.errs = append(l.errs, ie)
			continue
		}
		wf, errs := ParseWorkflow(rel, data)
		if wf != nil {
			o.Workflows = append(o.Workflows, wf)
		}
		l.errs = append(l.errs, errs...)
	}
	if o.Org == nil && !l.hasErrorFor(OrgFile) && l.exists(OrgFile) {
		// Defensive: never hand back a nil Org without saying why.
		l.errs = append(l.errs, &InputError{Pos: Pos{File: OrgFile}, Kind: KindSyntax, Msg: "organization config could not be read"})
	}
	return o, l.errs.Err()
}

type loader struct {
	root     string
	max      int64
	explicit map[string]bool // rel paths of tfvars named explicitly
	errs     InputErrors
}

// exists reports whether the root-relative path names something on disk.
func (l *loader) exists(rel string) bool {
	_, err := os.Lstat(l.path(rel))
	return err == nil
}

func (l *loader) hasErrorFor(rel string) bool {
	for _, e := range l.errs {
		if e.Pos.File == rel {
			return true
		}
	}
	return false
}

// path turns a root-relative slash path into one to open.
func (l *loader) path(rel string) string { return filepath.Join(l.root, filepath.FromSlash(rel)) }

// read reads the file at full, shown as rel in errors. Missing files are errors only when
// required.
func (l *loader) read(full, rel string, required bool) []byte {
	data, ie := readFile(full, rel, l.max)
	if ie != nil {
		if ie.Kind == KindMissing && !required {
			return nil
		}
		if ie.Kind == KindMissing && l.explicit[rel] {
			ie.Msg = rel + " does not exist (named with --tfvars)"
		}
		l.errs = append(l.errs, ie)
		return nil
	}
	return data
}

// maxIncludeDepth bounds include() chains (Bazel itself rejects cycles).
const maxIncludeDepth = 16

// loadModule reads MODULE.bazel and the files it includes.
func (l *loader) loadModule() *ModuleFile {
	data := l.read(l.path(ModuleBazel), ModuleBazel, false)
	if data == nil {
		return nil
	}
	mf, errs := ParseModule(ModuleBazel, data)
	l.errs = append(l.errs, errs...)
	if mf == nil {
		return nil
	}
	seen := map[string]bool{ModuleBazel: true}
	queue := []struct {
		inc   String
		depth int
	}{}
	for _, inc := range mf.Includes {
		queue = append(queue, struct {
			inc   String
			depth int
		}{inc, 1})
	}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		rel, ok := includePath(q.inc.Value)
		switch {
		case !ok:
			l.errs = append(l.errs, &InputError{Pos: q.inc.Pos, Kind: KindType,
				Msg: fmt.Sprintf("include %q: expected a label in this module ending in .MODULE.bazel (//path:name.MODULE.bazel)", q.inc.Value)})
			continue
		case seen[rel]:
			continue
		case q.depth > maxIncludeDepth:
			l.errs = append(l.errs, &InputError{Pos: q.inc.Pos, Kind: KindRead,
				Msg: fmt.Sprintf("include %q: includes nested deeper than %d levels", q.inc.Value, maxIncludeDepth)})
			continue
		}
		seen[rel] = true
		data, ie := readFile(l.path(rel), rel, l.max)
		if ie != nil {
			ie.Msg = fmt.Sprintf("%s (included from %s)", ie.Msg, q.inc.Pos)
			l.errs = append(l.errs, ie)
			continue
		}
		sub, errs := ParseModule(rel, data)
		l.errs = append(l.errs, errs...)
		if sub == nil {
			continue
		}
		mf.Deps = append(mf.Deps, sub.Deps...)
		mf.Overrides = append(mf.Overrides, sub.Overrides...)
		for _, inc := range sub.Includes {
			queue = append(queue, struct {
				inc   String
				depth int
			}{inc, q.depth + 1})
		}
	}
	return mf
}

// includePath maps an include label of the root module ("//pkg:name.MODULE.bazel",
// ":name.MODULE.bazel") to a root-relative path.
func includePath(label string) (string, bool) {
	var pkg, name string
	switch {
	case strings.HasPrefix(label, "//"):
		var ok bool
		pkg, name, ok = strings.Cut(label[2:], ":")
		if !ok {
			return "", false
		}
	case strings.HasPrefix(label, ":"):
		name = label[1:]
	default:
		return "", false
	}
	if !strings.HasSuffix(name, ".MODULE.bazel") || strings.Contains(pkg, "..") || strings.Contains(name, "..") {
		return "", false
	}
	return path.Join(pkg, name), true
}

type tfvarsFile struct {
	path, rel string
	explicit  bool // named with --tfvars (Options.Tfvars)
}

// tfvarsFiles lists the tfvars to read: the explicit ones, or the sorted default glob.
func (l *loader) tfvarsFiles(explicit []string) []tfvarsFile {
	if len(explicit) > 0 {
		out := make([]tfvarsFile, 0, len(explicit))
		for _, p := range explicit {
			full := p
			if !filepath.IsAbs(p) {
				full = filepath.Join(l.root, p)
			}
			out = append(out, tfvarsFile{path: full, rel: l.display(p, full), explicit: true})
		}
		return out
	}
	dir := filepath.Join(l.root, filepath.FromSlash(path.Dir(TfvarsGlob)))
	names := l.listDir(dir, path.Dir(TfvarsGlob), func(n string) bool { return strings.HasSuffix(n, ".tfvars") })
	out := make([]tfvarsFile, 0, len(names))
	for _, n := range names {
		rel := path.Join(path.Dir(TfvarsGlob), n)
		out = append(out, tfvarsFile{path: filepath.Join(dir, n), rel: rel})
	}
	return out
}

// display is how a user-given path appears in positions: root-relative when it lies inside
// the root, else exactly as given (the user wrote it, so it may be absolute).
func (l *loader) display(given, full string) string {
	if absRoot, err := filepath.Abs(l.root); err == nil {
		if absFull, err := filepath.Abs(full); err == nil {
			if rel, err := filepath.Rel(absRoot, absFull); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return filepath.ToSlash(rel)
			}
		}
	}
	return filepath.ToSlash(given)
}

func (l *loader) workflowFiles() []string {
	dir := filepath.Join(l.root, filepath.FromSlash(WorkflowsDir))
	names := l.listDir(dir, WorkflowsDir, func(n string) bool {
		return strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")
	})
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = path.Join(WorkflowsDir, n)
	}
	return out
}

// listDir returns the sorted names in dir accepted by keep. A missing directory is empty;
// one that exists but cannot be listed is an error.
func (l *loader) listDir(dir, rel string, keep func(string) bool) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			if li, lerr := os.Lstat(dir); lerr != nil || li.Mode()&os.ModeSymlink == 0 {
				return nil
			}
		}
		ie := statError(dir, rel, err)
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			ie = &InputError{Pos: Pos{File: rel}, Kind: KindRead, Msg: rel + " is a file, not a directory"}
		}
		l.errs = append(l.errs, ie)
		return nil
	}
	var names []string
	for _, e := range entries {
		if keep(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
