package pinupdate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileUpdate is one file to rewrite: Path on disk, Rel for messages, Old the content the
// edit was computed from, New the content to write.
type FileUpdate struct {
	Path string
	Rel  string
	Old  []byte
	New  []byte
}

// fsOps are the filesystem calls the commit makes, so tests can make one of them fail.
type fsOps struct {
	rename func(oldpath, newpath string) error
}

var osOps = fsOps{rename: os.Rename}

// CommitError says exactly what state the files are in after a failed commit.
type CommitError struct {
	// Changed lists the files that now hold the new content (empty when nothing changed).
	Changed []string
	Err     error
}

func (e *CommitError) Error() string {
	if len(e.Changed) == 0 {
		return fmt.Sprintf("%v; no file was changed", e.Err)
	}
	return fmt.Sprintf("%v; %s now hold(s) the new pin and the other file does not: restore it with git checkout -- %s, or rerun the command",
		e.Err, strings.Join(e.Changed, ", "), strings.Join(e.Changed, " "))
}

func (e *CommitError) Unwrap() error { return e.Err }

// Commit writes every update or none: each new content goes to a temporary file in the
// target's own directory (so the final rename is atomic on one filesystem), is fsynced,
// and only when all are durable are they renamed into place. If a later rename fails, the
// files already renamed get their old content back the same way, so a failure never leaves
// one pin moved without the other. A file that changed on disk since it was read is not
// overwritten.
func Commit(updates []FileUpdate) error { return commit(updates, osOps) }

func commit(updates []FileUpdate, ops fsOps) error {
	type staged struct {
		u    FileUpdate
		dest string // the real file (symlinks resolved, so a symlinked file stays a symlink)
		tmp  string
		mode os.FileMode
	}
	var stage []staged
	cleanup := func() {
		for _, s := range stage {
			if s.tmp != "" {
				os.Remove(s.tmp)
			}
		}
	}
	for _, u := range updates {
		dest, err := filepath.EvalSymlinks(u.Path)
		if err != nil {
			cleanup()
			return &CommitError{Err: fmt.Errorf("%s: %w", u.Rel, err)}
		}
		fi, err := os.Stat(dest)
		if err != nil {
			cleanup()
			return &CommitError{Err: fmt.Errorf("%s: %w", u.Rel, err)}
		}
		cur, err := os.ReadFile(dest)
		if err != nil {
			cleanup()
			return &CommitError{Err: fmt.Errorf("%s: %w", u.Rel, err)}
		}
		if !bytes.Equal(cur, u.Old) {
			cleanup()
			return &CommitError{Err: fmt.Errorf("%s changed on disk while the pin was being computed", u.Rel)}
		}
		tmp, err := writeTemp(dest, u.New, fi.Mode().Perm())
		if err != nil {
			cleanup()
			return &CommitError{Err: fmt.Errorf("%s: %w", u.Rel, err)}
		}
		stage = append(stage, staged{u: u, dest: dest, tmp: tmp, mode: fi.Mode().Perm()})
	}

	for i := range stage {
		s := &stage[i]
		if err := ops.rename(s.tmp, s.dest); err != nil {
			failure := fmt.Errorf("%s: %w", s.u.Rel, err)
			var changed []string
			// Put the files already renamed back, newest first.
			for j := i - 1; j >= 0; j-- {
				prev := stage[j]
				if rerr := restore(prev.dest, prev.u.Old, prev.mode, ops); rerr != nil {
					changed = append(changed, prev.u.Rel)
					failure = fmt.Errorf("%w; restoring %s failed too: %v", failure, prev.u.Rel, rerr)
				}
			}
			cleanup()
			return &CommitError{Changed: changed, Err: failure}
		}
		s.tmp = ""
		syncDir(filepath.Dir(s.dest))
	}
	return nil
}

// restore writes old content back over dest through a temp file and rename.
func restore(dest string, old []byte, mode os.FileMode, ops fsOps) error {
	tmp, err := writeTemp(dest, old, mode)
	if err != nil {
		return err
	}
	if err := ops.rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(dest))
	return nil
}

// writeTemp writes data to a new hidden file beside dest with dest's permissions, fsynced.
func writeTemp(dest string, data []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".gfenroll-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncDir makes a rename durable. Some filesystems refuse to fsync a directory; the
// rename itself has happened either way, so that error is not the operator's problem.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}
