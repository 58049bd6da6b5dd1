// Package overlaytest builds overlays for tests from the fixtures in e2e/overlays.
//
// A broken variant is a directory (e2e/overlays/broken/<case>/) holding a file VARIANT and
// only the files that differ from its base overlay:
//
//	VARIANT          line 1: the base overlay's name (a directory in e2e/overlays)
//	                 line 2: "rules: a/b c/d" — the rule ids the case must break; "rules: none"
//	                 for a pass case, which must break nothing (e.g. a declared exemption)
//	                 line 3, optional: "args: --core ..." — extra CLI flags for the case
//	                 further lines: free text describing the case
//	expected.*       golden outputs; never copied into the overlay
//	<path>           replaces <path> of the base (same root-relative path); a file whose
//	                 content is exactly the delete marker removes <path> (file or directory)
//
// Symlinks in a variant are copied as symlinks, so a case can hold a symlink loop or a
// dangling link. Shell users (the Bazel smoke) run the same code through
// `go run ./checks/overlaytest/cmd/materialize VARIANT_DIR OUT_DIR`.
package overlaytest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// DeleteMarker is the whole content of a variant file that deletes its path from the base.
const DeleteMarker = "# gfenroll-fixture: delete"

// ModulePath is the Go module whose root RepoRoot finds.
const ModulePath = "github.com/tinyland-inc/gf-enrollment"

// Variant is a parsed VARIANT file.
type Variant struct {
	Name        string   // the case directory's base name
	Dir         string   // the case directory
	Base        string   // base overlay name (e.g. "tinyland-org")
	Rules       []string // rule ids the case must break, in the order written
	Pass        bool     // "rules: none": the case must break no rule
	Args        []string // extra CLI flags from an optional "args:" line 3
	Description string   // lines after the second, trimmed
}

// ParseVariant reads dir/VARIANT.
func ParseVariant(dir string) (Variant, error) {
	data, err := os.ReadFile(filepath.Join(dir, "VARIANT"))
	if err != nil {
		return Variant{}, fmt.Errorf("variant %s: %w", filepath.Base(dir), err)
	}
	v := Variant{Name: filepath.Base(dir), Dir: dir}
	sc := bufio.NewScanner(bytes.NewReader(data))
	var desc []string
	lines := 0
	for n := 1; sc.Scan(); n++ {
		lines = n
		line := strings.TrimSpace(sc.Text())
		switch n {
		case 1:
			v.Base = line
		case 2:
			rest, ok := strings.CutPrefix(line, "rules:")
			if !ok {
				return Variant{}, fmt.Errorf("variant %s: line 2 of VARIANT must be \"rules: <rule-id> ...\", got %q", v.Name, line)
			}
			switch f := strings.Fields(rest); {
			case len(f) == 1 && f[0] == "none":
				v.Pass = true
			case len(f) > 0:
				v.Rules = f
			}
		default:
			if rest, ok := strings.CutPrefix(line, "args:"); ok && n == 3 {
				v.Args = strings.Fields(rest)
				continue
			}
			desc = append(desc, line)
		}
	}
	if lines < 2 {
		return Variant{}, fmt.Errorf("variant %s: line 2 of VARIANT is missing; it must be \"rules: <rule-id> ...\"", v.Name)
	}
	if v.Base == "" || strings.ContainsAny(v.Base, `/\`) || v.Base == "." || v.Base == ".." {
		return Variant{}, fmt.Errorf("variant %s: line 1 of VARIANT must name a base overlay in e2e/overlays, got %q", v.Name, v.Base)
	}
	v.Description = strings.TrimSpace(strings.Join(desc, "\n"))
	return v, nil
}

// Variants lists the variant directories (those holding a VARIANT file) under dir, sorted
// by name.
func Variants(tb testing.TB, dir string) []Variant {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatalf("list variants: %v", err)
	}
	var out []Variant
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, "VARIANT")); err != nil {
			continue
		}
		v, err := ParseVariant(sub)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Materialize builds the full overlay of the variant in variantDir inside a fresh
// tb.TempDir() and returns its root.
func Materialize(tb testing.TB, variantDir string) string {
	tb.Helper()
	v, err := ParseVariant(variantDir)
	if err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(tb.TempDir(), v.Name)
	if err := MaterializeTo(v, BaseDir(tb, v.Base), out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// BaseDir is the directory of the base overlay named base.
func BaseDir(tb testing.TB, base string) string {
	tb.Helper()
	dir := filepath.Join(RepoRoot(tb), "e2e", "overlays", base)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		tb.Fatalf("base overlay %q: no directory e2e/overlays/%s", base, base)
	}
	return dir
}

// CopyBase copies the base overlay named base (e2e/overlays/<base>) to dst, for tests that
// edit an overlay in place.
func CopyBase(tb testing.TB, base, dst string) {
	tb.Helper()
	if err := copyTree(BaseDir(tb, base), dst); err != nil {
		tb.Fatalf("copy base overlay %q: %v", base, err)
	}
}

// MaterializeTo copies baseDir to out (which must not exist) and applies variant v.
func MaterializeTo(v Variant, baseDir, out string) error {
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("materialize %s: %s already exists", v.Name, out)
	}
	if err := copyTree(baseDir, out); err != nil {
		return fmt.Errorf("materialize %s: copy base %s: %w", v.Name, v.Base, err)
	}
	err := filepath.WalkDir(v.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(v.Dir, p)
		if rel == "." {
			return nil
		}
		if isControlFile(rel) {
			return nil
		}
		dst := filepath.Join(out, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if err := os.RemoveAll(dst); err != nil {
				return err
			}
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, dst)
		case d.IsDir():
			// A directory where the base has a file replaces the file.
			if fi, err := os.Lstat(dst); err == nil && !fi.IsDir() {
				if err := os.Remove(dst); err != nil {
					return err
				}
			}
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if isDeleteMarker(data) {
			return os.RemoveAll(dst)
		}
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, fi.Mode().Perm())
	})
	if err != nil {
		return fmt.Errorf("materialize %s: %w", v.Name, err)
	}
	return nil
}

// isControlFile reports the variant's own files, which describe the case rather than
// belong to the overlay: VARIANT and expected.* at the variant's top level.
func isControlFile(rel string) bool {
	if strings.ContainsRune(rel, filepath.Separator) {
		return false
	}
	return rel == "VARIANT" || strings.HasPrefix(rel, "expected.")
}

func isDeleteMarker(data []byte) bool {
	return string(bytes.TrimRight(data, "\r\n")) == DeleteMarker
}

// copyTree copies regular files, directories and symlinks (as links) from src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, fi.Mode().Perm())
	})
}

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// RepoRoot is the root of this Go module (the directory whose go.mod declares
// ModulePath), found by walking up from the working directory. GFENROLL_REPO_ROOT
// overrides it (e.g. under Bazel, where tests run in a runfiles tree).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	rootOnce.Do(func() { rootDir, rootErr = FindRepoRoot() })
	if rootErr != nil {
		tb.Fatal(rootErr)
	}
	return rootDir
}

// FindRepoRoot is RepoRoot for commands, which have no testing.TB.
func FindRepoRoot() (string, error) {
	if env := os.Getenv("GFENROLL_REPO_ROOT"); env != "" {
		return filepath.Abs(env)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declaresModule(data) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repo root not found: no go.mod declaring " + ModulePath + " above the working directory (set GFENROLL_REPO_ROOT)")
		}
		dir = parent
	}
}

func declaresModule(gomod []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == ModulePath {
			return true
		}
	}
	return false
}
