package finding

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// InputError is input a command cannot use: a file that is missing, unreadable, not valid
// YAML/HCL/Starlark/JSON, a value of the wrong type, an environment variable or flag that
// makes no sense. It is not a finding: the command prints each as
// "file:line:col: error input/<Kind>: message" (WriteInputErrors) and exits 2 without a
// report.
type InputError struct {
	Pos  Position
	Kind string // one of the Kind* constants, or a command's own kind
	Msg  string
}

// Input error kinds (printed as input/<kind>).
const (
	KindMissing   = "missing"   // a required file or a file named on the command line does not exist
	KindRead      = "read"      // the path exists but cannot be read as a file (directory, symlink loop, permissions)
	KindEmpty     = "empty"     // the file has no content
	KindSize      = "size"      // the file is larger than the reader's limit
	KindEncoding  = "encoding"  // not UTF-8 text (NUL bytes, invalid sequences, UTF-16)
	KindSyntax    = "syntax"    // the YAML / HCL / Starlark / JSON parser rejected it
	KindDuplicate = "duplicate" // a key or argument given twice
	KindType      = "type"      // a value of the wrong type (a list where a string belongs, ...)
)

func (e *InputError) Error() string {
	where := e.Pos.String()
	if where == "" {
		where = "<input>"
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// InputErrors collects every input problem of one run (readers keep going after the first
// so an operator sees them all at once).
type InputErrors []*InputError

func (es InputErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Sorted orders errors of one file by position (parsers collect them in several passes).
func (es InputErrors) Sorted() InputErrors {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Pos.CompareInFile(es[j].Pos) < 0 })
	return es
}

// Err returns nil for an empty list, so `return errs.Err()` never yields a typed nil.
func (es InputErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// AsInputErrors returns the input problems err carries: an InputErrors or *InputError
// anywhere in its chain as they are, any other error as one KindRead problem.
func AsInputErrors(err error) InputErrors {
	if err == nil {
		return nil
	}
	var errs InputErrors
	if errors.As(err, &errs) {
		return errs
	}
	var one *InputError
	if errors.As(err, &one) {
		return InputErrors{one}
	}
	return InputErrors{{Kind: KindRead, Msg: err.Error()}}
}

// WriteInputErrors prints err (see AsInputErrors) as one line per problem:
//
//	file:line:col: error input/<kind>: message
//
// prefix, when not empty, is joined before each file (the overlay root when several are
// checked); where names the input of a problem that has no file (the overlay root, the
// plan argument). Every part is escaped with EscapeLine, so nothing from the input can
// break the line or forge another one.
func WriteInputErrors(w io.Writer, prefix, where string, err error) {
	for _, e := range AsInputErrors(err) {
		pos := e.Pos
		if pos.File == "" {
			pos.File = where
		} else if prefix != "" {
			pos.File = path.Join(filepath.ToSlash(prefix), pos.File)
		}
		kind := e.Kind
		if kind == "" {
			kind = KindRead
		}
		// Messages quote file content: whitespace runs (line breaks of a parser's message
		// too) become one space, then the rest is escaped.
		msg := PrintableLine(strings.Join(strings.Fields(e.Msg), " "))
		line := fmt.Sprintf("%s: error input/%s: %s", PrintableLine(pos.String()), PrintableLine(kind), msg)
		fmt.Fprintln(w, line)
	}
}

// DescribeMode names a file's type for a message about input that is not a regular file:
// "a directory", "a symbolic link", "a named pipe (FIFO)", "a socket", "a character
// device", "a device", else "a special file".
func DescribeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// PosOr returns p when it names a place, else fallback when that does, else the file
// itself: where a finding about an absent or defaulted value points.
func PosOr(p, fallback Position, file string) Position {
	if p.IsValid() {
		return p
	}
	if fallback.IsValid() {
		return fallback
	}
	return Position{File: file}
}
