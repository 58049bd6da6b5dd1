package overlay

import (
	"fmt"
	"sort"
	"strings"
)

// InputError is input the gates cannot use: a file that is missing, unreadable, not valid
// YAML/HCL/Starlark, or a value of the wrong type. The CLI prints each as
// "file:line:col: error input/<Kind>: message" and exits 2 without a report.
type InputError struct {
	Pos  Pos
	Kind string // one of the Kind* constants
	Msg  string
}

// Input error kinds (the CLI prints them as input/<kind>).
const (
	KindMissing   = "missing"   // a required file or a file named on the command line does not exist
	KindRead      = "read"      // the path exists but cannot be read as a file (directory, symlink loop, permissions)
	KindEmpty     = "empty"     // the file has no content
	KindSize      = "size"      // the file is larger than Options.MaxFileSize
	KindEncoding  = "encoding"  // not UTF-8 text (NUL bytes, invalid sequences, UTF-16)
	KindSyntax    = "syntax"    // the YAML / HCL / Starlark parser rejected it
	KindDuplicate = "duplicate" // a key or argument given twice
	KindType      = "type"      // a value of the wrong type (a list where a string belongs, ...)
)

func (e *InputError) Error() string {
	where := e.Pos.String()
	if where == "" {
		where = "<overlay>"
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// InputErrors collects every input problem of one load (loading keeps going after the first
// so an operator sees them all at once).
type InputErrors []*InputError

func (es InputErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// sorted orders errors of one file by position (parsers collect them in several passes).
func (es InputErrors) sorted() InputErrors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Pos, es[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return es
}

// Err returns nil for an empty list, so `return errs.Err()` never yields a typed nil.
func (es InputErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
