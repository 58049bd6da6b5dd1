package overlay

import (
	"github.com/tinyland-inc/gf-enrollment/checks/finding"

	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"syscall"
)

// DefaultMaxFileSize caps each overlay file: configuration is kilobytes, so anything past a
// few megabytes is a mistake (a generated or binary file) and must not be read into memory.
const DefaultMaxFileSize = 4 << 20

// readFile reads path, displayed as rel in errors. It refuses, before reading, anything that
// is not a regular file (directories, FIFOs that would block, devices), follows symlinks
// but names loops and dangling links plainly, and never reads more than max bytes even if
// the file grows between the size check and the read. Messages name rel, never the
// absolute path, so they stay valid in cached Bazel test logs.
func readFile(path, rel string, max int64) ([]byte, *InputError) {
	at := Pos{File: rel}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, statError(path, rel, err)
	}
	switch {
	case fi.IsDir():
		return nil, &InputError{Pos: at, Kind: KindRead, Msg: rel + " is a directory, not a file"}
	case !fi.Mode().IsRegular():
		return nil, &InputError{Pos: at, Kind: KindRead,
			Msg: fmt.Sprintf("%s is %s, not a regular file", rel, finding.DescribeMode(fi.Mode()))}
	case fi.Size() > max:
		return nil, sizeError(rel, fi.Size(), max)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, statError(path, rel, err)
	}
	defer f.Close()
	// Sized from Stat (one allocation instead of ReadAll's doubling), with one spare byte
	// so a file that grew past the cap since Stat is still caught.
	data, err := readAtMost(f, fi.Size(), max)
	if err != nil {
		return nil, &InputError{Pos: at, Kind: KindRead, Msg: fmt.Sprintf("cannot read %s: %s", rel, errText(err))}
	}
	if int64(len(data)) > max {
		return nil, sizeError(rel, int64(len(data)), max)
	}
	return data, nil
}

// readAtMost reads r to EOF but never more than max+1 bytes, expecting about size.
func readAtMost(r io.Reader, size, max int64) ([]byte, error) {
	limit := max + 1
	if limit <= 0 { // max is math.MaxInt64: no cap
		limit = math.MaxInt64
	}
	buf := make([]byte, 0, min(size+1, limit))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // the file grew since Stat
		}
		end := cap(buf)
		if int64(end) > limit {
			end = int(limit)
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func sizeError(rel string, size, max int64) *InputError {
	return &InputError{Pos: Pos{File: rel}, Kind: KindSize,
		Msg: fmt.Sprintf("file is %s, over the %s limit for an overlay file", humanBytes(size), humanBytes(max))}
}

// statError explains why path cannot be opened. A missing path is KindMissing, everything
// else (loops, dangling links, permissions, a file where a directory belongs) KindRead.
func statError(path, rel string, err error) *InputError {
	at := Pos{File: rel}
	switch {
	case errors.Is(err, syscall.ELOOP):
		return &InputError{Pos: at, Kind: KindRead, Msg: rel + " is a symlink loop (too many levels of symbolic links)"}
	case errors.Is(err, fs.ErrNotExist):
		if li, lerr := os.Lstat(path); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			msg := rel + " is a dangling symlink"
			if target, rerr := os.Readlink(path); rerr == nil && !filepath.IsAbs(target) {
				msg += fmt.Sprintf(" (its target %q does not exist)", target)
			} else {
				msg += " (its target does not exist)"
			}
			return &InputError{Pos: at, Kind: KindRead, Msg: msg}
		}
		return &InputError{Pos: at, Kind: KindMissing, Msg: rel + " does not exist"}
	case errors.Is(err, syscall.ENOTDIR):
		return &InputError{Pos: at, Kind: KindRead, Msg: rel + ": a parent of this path is a file, not a directory"}
	case errors.Is(err, fs.ErrPermission):
		return &InputError{Pos: at, Kind: KindRead, Msg: rel + ": permission denied"}
	default:
		return &InputError{Pos: at, Kind: KindRead, Msg: fmt.Sprintf("cannot read %s: %s", rel, errText(err))}
	}
}

// errText strips the path from an *fs.PathError, which would otherwise carry the absolute
// path the loader opened.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
