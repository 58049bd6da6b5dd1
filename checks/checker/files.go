package checker

import (
	"github.com/tinyland-inc/gf-enrollment/checks/finding"

	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// CheckTarget refuses a report path that is not a regular file or a new path. A report is
// written by renaming a temporary file over the path, which would replace a device node
// (/dev/null as root), a FIFO another process reads, a symlink, or a directory's name:
// none of those is a report file, so naming one is unusable input.
func CheckTarget(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("report %s: %w", path, err)
	case st.Mode().IsRegular():
		return nil
	}
	return fmt.Errorf("report %s is %s, not a regular file: name a regular file or a new path", path, finding.DescribeMode(st.Mode()))
}

// fileSet writes several report files all or nothing: Stage writes each to a temporary
// file beside its target, Commit renames them into place (keeping a hard link to every file
// it replaces), and Rollback — after any failure, up to and including the step that comes
// after Commit — removes the temporary files, puts every replaced file back, removes the
// new ones and the directories Stage created. Done drops the kept originals.
type fileSet struct {
	staged   []stagedFile
	madeDirs []string // created by Stage, parents first
	done     bool
}

type stagedFile struct {
	path, tmp string
	backup    string // a hard link to the replaced file; "" when the path was new
	committed bool
}

// Stage checks path (CheckTarget) and writes data to a temporary file in its directory,
// creating missing parent directories.
func (s *fileSet) Stage(path string, data []byte) error {
	if err := CheckTarget(path); err != nil {
		return err
	}
	if err := s.mkdirAll(filepath.Dir(path)); err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	s.staged = append(s.staged, stagedFile{path: path, tmp: tmp.Name()})
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}

// mkdirAll creates dir and its missing parents, recording each one it made.
func (s *fileSet) mkdirAll(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	slices.Reverse(missing)
	for _, d := range missing {
		switch err := os.Mkdir(d, 0o755); {
		case err == nil:
			s.madeDirs = append(s.madeDirs, d)
		case !errors.Is(err, fs.ErrExist):
			return err
		}
	}
	return nil
}

// Commit renames every staged file over its target, re-checking each target first (it may
// have changed since Stage).
func (s *fileSet) Commit() error {
	for i := range s.staged {
		f := &s.staged[i]
		if err := CheckTarget(f.path); err != nil {
			return err
		}
		if _, err := os.Lstat(f.path); err == nil {
			if err := f.keepOriginal(); err != nil {
				return fmt.Errorf("write report %s: keep the current file until the run succeeds: %w", f.path, err)
			}
		}
		if err := os.Rename(f.tmp, f.path); err != nil {
			return fmt.Errorf("write report %s: %w", f.path, err)
		}
		f.committed = true
	}
	return nil
}

// keepOriginal keeps the file about to be replaced as f.backup: a hard link, or a copy
// where the file system has no hard links.
func (f *stagedFile) keepOriginal() error {
	backup := f.tmp + ".orig"
	if err := os.Link(f.path, backup); err == nil {
		f.backup = backup
		return nil
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(backup, data, 0o644); err != nil {
		os.Remove(backup)
		return err
	}
	f.backup = backup
	return nil
}

// Rollback undoes everything Stage and Commit did; errors are joined (the run fails anyway).
func (s *fileSet) Rollback() error {
	if s.done {
		return nil
	}
	s.done = true
	var errs []error
	for i := len(s.staged) - 1; i >= 0; i-- {
		f := s.staged[i]
		switch {
		case f.committed && f.backup != "":
			errs = append(errs, os.Rename(f.backup, f.path))
		case f.committed:
			errs = append(errs, os.Remove(f.path))
		default:
			errs = append(errs, ignoreMissing(os.Remove(f.tmp)))
			if f.backup != "" {
				errs = append(errs, os.Remove(f.backup))
			}
		}
	}
	for i := len(s.madeDirs) - 1; i >= 0; i-- {
		errs = append(errs, os.Remove(s.madeDirs[i]))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("undo the reports of a failed run: %w", err)
	}
	return nil
}

// Done ends a successful run: the replaced originals kept for Rollback go.
func (s *fileSet) Done() {
	s.done = true
	for _, f := range s.staged {
		if f.backup != "" {
			os.Remove(f.backup)
		}
	}
}

func ignoreMissing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
