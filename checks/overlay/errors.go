package overlay

import (
	"fmt"
	"strings"
)

// InputError is input the gates cannot use: a file that is missing, unreadable, not valid
// YAML/HCL/Starlark, or a value of the wrong type. The CLI prints each as
// "file:line:col: error input/<Kind>: message" and exits 2 without a report.
type InputError struct {
	Pos  Pos
	Kind string // missing | read | syntax | type | duplicate | size | encoding
	Msg  string
}

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

// Err returns nil for an empty list, so `return errs.Err()` never yields a typed nil.
func (es InputErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
