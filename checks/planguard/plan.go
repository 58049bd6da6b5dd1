// Package planguard is the ARC destroy guard: it reads the JSON form of an OpenTofu
// or Terraform plan (`tofu show -json PLANFILE`) and turns every planned delete, including
// both kinds of replacement, into a blocker, unless the operator declared a destructive
// maintenance window with ALLOW_ARC_DESTROY=1.
//
// The guard never prints attribute values: plans carry sensitive values (the ARC App secret
// among them) and the guard has no business with them, so the parser does not even decode
// before/after.
package planguard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Plan is what the guard reads from a JSON plan.
type Plan struct {
	// File is the plan's path as the operator named it (findings point at it).
	File             string
	FormatVersion    string
	TerraformVersion string
	Changes          []Change
	Deferred         []Deferred
	// Errored is true when planning failed; such a plan cannot be applied.
	Errored bool
	// Complete is false when some changes were deferred to a later plan/apply round.
	// Nil when the producer predates the field (OpenTofu, Terraform < 1.8).
	Complete *bool
}

// Change is one resource_changes entry.
type Change struct {
	Address         string
	PreviousAddress string // set when a moved block (or rename) moves the object
	Mode            string // managed | data
	Type            string
	Deposed         string // deposed object key (left over from a failed create_before_destroy)
	Actions         []string
	ActionReason    string
	ReplacePaths    []string // rendered attribute paths that force a replacement
	Importing       bool
	ImportID        string
	Pos             finding.Position
}

// Deferred is one deferred_changes entry: a change the producer could not plan yet.
type Deferred struct {
	Reason string
	Change Change
}

// Actions the JSON plan format defines. A replace is a two-element list; the format's own
// documentation says to scan the list for "delete" to find every destroy, which is what
// Deletes does, so a future delete combination is still caught.
const (
	ActionNoOp   = "no-op"
	ActionCreate = "create"
	ActionRead   = "read"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionForget = "forget"
)

var knownActions = map[string]bool{
	ActionNoOp: true, ActionCreate: true, ActionRead: true,
	ActionUpdate: true, ActionDelete: true, ActionForget: true,
}

// Deletes reports whether the change destroys an object.
func (c Change) Deletes() bool { return hasAction(c.Actions, ActionDelete) }

// Forgets reports whether the change drops an object from state without destroying it.
func (c Change) Forgets() bool { return hasAction(c.Actions, ActionForget) }

// UnknownActions returns action names this guard does not know.
func (c Change) UnknownActions() []string {
	var out []string
	for _, a := range c.Actions {
		if !knownActions[a] {
			out = append(out, a)
		}
	}
	return out
}

func hasAction(actions []string, want string) bool {
	for _, a := range actions {
		if a == want {
			return true
		}
	}
	return false
}

// MaxPlanBytes bounds what the guard reads. The ARC stack's plans are tens of kilobytes;
// a gigabyte file is a mistake (or not a plan), and reading it would only exhaust memory.
const MaxPlanBytes = 256 << 20

// Load reads and parses the plan at path. display is the name findings and errors use
// (normally the path exactly as the operator typed it).
func Load(path, display string) (*Plan, error) {
	fi, err := os.Stat(path)
	if err != nil {
		kind := "read"
		if errors.Is(err, os.ErrNotExist) {
			kind = "missing"
		}
		return nil, inputErr(display, 0, 0, kind, "cannot read plan: %s", unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, inputErr(display, 0, 0, "read", "not a regular file (want the output of `tofu show -json PLANFILE > plan.json`)")
	}
	if fi.Size() > MaxPlanBytes {
		return nil, inputErr(display, 0, 0, "size", "plan JSON is %d bytes, over the %d MiB limit", fi.Size(), MaxPlanBytes>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputErr(display, 0, 0, "read", "cannot read plan: %s", unwrapPathError(err))
	}
	return Parse(display, data)
}

// unwrapPathError drops the *PathError's path (the caller already names the file).
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse reads a JSON plan. Input that is not a plan (a binary plan file, a state, another
// JSON document, a truncated file, fields of the wrong type) is an finding.InputErrors
// naming the file, line and column and the reason.
func Parse(file string, data []byte) (*Plan, error) {
	p := &Plan{File: file}
	lines := newLineIndex(data)
	fail := func(off int64, kind, format string, args ...any) error {
		line, col := lines.position(off)
		return inputErr(file, line, col, kind, format, args...)
	}
	// failFile is a problem of the whole document (no useful line).
	failFile := func(kind, format string, args ...any) error {
		return inputErr(file, 0, 0, kind, format, args...)
	}

	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, failFile("syntax", "empty file; want the output of `tofu show -json PLANFILE`")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, failFile("syntax", "this is a binary plan file (a zip archive); convert it first: tofu show -json %s > plan.json", file)
	case trimmed[0] != '{':
		if !json.Valid(data) {
			return nil, syntaxError(file, data, lines)
		}
		return nil, fail(int64(len(data)-len(trimmed)), "type", "top-level value is not a JSON object; want the output of `tofu show -json PLANFILE`")
	}
	if !json.Valid(data) {
		return nil, syntaxError(file, data, lines)
	}

	// The document is valid JSON. Walk it token by token with exact field names, so each
	// resource change keeps the offset where it starts (findings point at it) and no key
	// can be given twice or in another case (see reader).
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &reader{dec: dec, data: data, lines: lines}
	seen := map[string]int64{}
	err := r.fields("the plan object", func(key string, keyOff int64) error {
		if err := checkSpelling("the plan object", key, keyOff, planKeys, planKeysRead); err != nil {
			return err
		}
		seen[key] = r.next()
		switch key {
		case "format_version":
			v, err := r.str(key, false)
			p.FormatVersion = v
			return err
		case "terraform_version":
			v, err := r.str(key, true)
			p.TerraformVersion = v
			return err
		case "errored":
			v, err := r.boolean(key)
			p.Errored = v
			return err
		case "complete":
			v, err := r.boolean(key)
			p.Complete = &v
			return err
		case "resource_changes":
			return r.array(key, func(off int64) error {
				c, err := r.change("resource_changes entry")
				if err != nil {
					return err
				}
				c.Pos = filePos(file, lines, off)
				p.Changes = append(p.Changes, c)
				return nil
			})
		case "deferred_changes":
			return r.array(key, func(off int64) error {
				d, err := r.deferred()
				if err != nil {
					return err
				}
				d.Change.Pos = filePos(file, lines, off)
				p.Deferred = append(p.Deferred, d)
				return nil
			})
		case "resource_drift":
			// Changes made outside OpenTofu, found while refreshing: not planned actions,
			// but still part of the plan a reader must be able to read.
			return r.array(key, func(int64) error { return r.objectValue(key + " entry") })
		case "output_changes", "planned_values", "prior_state", "configuration", "variables":
			return r.objectValue(key)
		default:
			return r.skip(key)
		}
	})
	if err != nil {
		var pe *planError
		if errors.As(err, &pe) {
			return nil, fail(pe.off, pe.kind, "%s", pe.msg)
		}
		return nil, failFile("syntax", "%v", err)
	}

	if _, ok := seen["format_version"]; !ok {
		if _, isState := seen["values"]; isState {
			return nil, failFile("type", "this is state output (`tofu show -json` without a plan file), not a plan; run: tofu plan -out=arc.tfplan && tofu show -json arc.tfplan > plan.json")
		}
		return nil, failFile("type", "not a plan: no format_version; want the output of `tofu show -json PLANFILE`")
	}
	if err := checkFormatVersion(p.FormatVersion); err != nil {
		return nil, fail(seen["format_version"], "type", "%v", err)
	}
	_, hasPlanned := seen["planned_values"]
	_, hasChanges := seen["resource_changes"]
	if !hasPlanned && !hasChanges {
		if _, isState := seen["values"]; isState {
			return nil, failFile("type", "this is state output (`tofu show -json` without a plan file), not a plan; run: tofu plan -out=arc.tfplan && tofu show -json arc.tfplan > plan.json")
		}
		return nil, failFile("type", "not a plan: neither planned_values nor resource_changes is present")
	}
	return p, nil
}

// checkFormatVersion accepts major version 1 (the format promises that minor versions only
// add fields) and rejects anything else, as the format's documentation asks consumers to.
func checkFormatVersion(v string) error {
	major, _, ok := strings.Cut(v, ".")
	if !ok || major == "" {
		return fmt.Errorf("format_version %q is not MAJOR.MINOR", v)
	}
	n, err := strconv.Atoi(major)
	if err != nil {
		return fmt.Errorf("format_version %q is not MAJOR.MINOR", v)
	}
	if n != 1 {
		return fmt.Errorf("format_version %q is not supported (this guard reads format 1.x); upgrade gfenroll", v)
	}
	return nil
}

// Field names of the plan format (format 1.x): the ones the guard reads, and all it knows,
// so an unknown key that looks like a misspelling of a read one is caught (checkSpelling).
var (
	planKeysRead = []string{"format_version", "terraform_version", "resource_changes", "deferred_changes", "errored", "complete", "planned_values"}
	planKeys     = setOf(planKeysRead, "variables", "resource_drift", "output_changes", "prior_state", "configuration",
		"relevant_attributes", "checks", "timestamp", "applyable", "action_invocations", "deferred_action_invocations",
		"values") // values: a state, reported as such below

	changeKeysRead = []string{"address", "previous_address", "mode", "type", "deposed", "change", "action_reason"}
	changeKeys     = setOf(changeKeysRead, "module_address", "name", "index", "provider_name", "identity")

	bodyKeysRead = []string{"actions", "replace_paths", "importing"}
	bodyKeys     = setOf(bodyKeysRead, "before", "after", "after_unknown", "before_sensitive", "after_sensitive",
		"generated_config", "before_identity", "after_identity")

	deferredKeysRead = []string{"reason", "resource_change"}
	deferredKeys     = setOf(deferredKeysRead)
)

func setOf(lists []string, more ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range append(append([]string(nil), lists...), more...) {
		m[k] = true
	}
	return m
}

// objectValue skips a value that must be an object (or null).
func (r *reader) objectValue(what string) error {
	if b, _ := r.peek(); b == 'n' {
		return r.skip(what)
	}
	return r.object(what, func(string, int64) error { return r.skip(what) })
}

// change reads one resource change object. what names it until its address is known.
func (r *reader) change(what string) (Change, error) {
	var c Change
	start := r.next()
	hasAddress, hasBody, hasActions := false, false, false
	name := func() string {
		if c.Address != "" {
			return what + " " + c.Address
		}
		return what
	}
	err := r.fields(what, func(key string, keyOff int64) error {
		if err := checkSpelling(name(), key, keyOff, changeKeys, changeKeysRead); err != nil {
			return err
		}
		var err error
		switch key {
		case "address":
			c.Address, err = r.str(name()+": address", true)
			hasAddress = c.Address != ""
		case "previous_address":
			c.PreviousAddress, err = r.str(name()+": previous_address", true)
		case "mode":
			c.Mode, err = r.str(name()+": mode", true)
		case "type":
			c.Type, err = r.str(name()+": type", true)
		case "deposed":
			c.Deposed, err = r.str(name()+": deposed", true)
		case "action_reason":
			c.ActionReason, err = r.str(name()+": action_reason", true)
		case "change":
			if b, _ := r.peek(); b == 'n' {
				return r.skip(key)
			}
			hasBody = true
			err = r.fields(name()+": change", func(key string, keyOff int64) error {
				if err := checkSpelling(name()+": change", key, keyOff, bodyKeys, bodyKeysRead); err != nil {
					return err
				}
				switch key {
				case "actions":
					hasActions = true
					return r.actions(name(), &c)
				case "replace_paths":
					return r.replacePaths(name(), &c)
				case "importing":
					return r.importing(name(), &c)
				default:
					return r.skip(key)
				}
			})
		default:
			err = r.skip(key)
		}
		return err
	})
	var pe *planError
	if errors.As(err, &pe) && c.Address != "" && strings.HasPrefix(pe.msg, what+":") {
		pe.msg = name() + pe.msg[len(what):] // a problem of the entry itself, found after its address
	}
	switch {
	case err != nil:
		return Change{}, err
	case !hasAddress:
		return Change{}, errAt(start, "type", "%s has no address", what)
	case !hasBody:
		return Change{}, errAt(start, "type", "%s %s has no change object", what, c.Address)
	case !hasActions:
		return Change{}, errAt(start, "type", "%s %s has no change.actions", what, c.Address)
	}
	return c, nil
}

// actions reads change.actions: a non-empty list of strings. null, an empty list or any
// other element is unusable input: the guard must see every action to rule out a delete.
func (r *reader) actions(what string, c *Change) error {
	b, off := r.peek()
	if b != '[' {
		return errAt(off, "type", "%s: change.actions must be a list of strings, got %s", what, jsonKind(b))
	}
	err := r.array(what, func(off int64) error {
		a, err := r.str(what, false)
		if err != nil {
			b, _ := r.peek()
			return errAt(off, "type", "%s: change.actions must be a list of strings, got an element that is %s", what, jsonKind(b))
		}
		c.Actions = append(c.Actions, a)
		return nil
	})
	if err == nil && len(c.Actions) == 0 {
		return errAt(off, "type", "%s: change.actions is empty", what)
	}
	return err
}

// replacePaths reads change.replace_paths: a list of paths, each a list of attribute names
// and indexes.
func (r *reader) replacePaths(what string, c *Change) error {
	bad := func(off int64) error {
		return errAt(off, "type", "%s: change.replace_paths must be a list of paths", what)
	}
	return r.array(what+": change.replace_paths", func(off int64) error {
		if b, _ := r.peek(); b != '[' {
			return bad(off)
		}
		var steps []any
		err := r.array(what, func(off int64) error {
			switch b, _ := r.peek(); {
			case b == '"' || b == '-' || (b >= '0' && b <= '9'):
				t, _, err := r.token()
				steps = append(steps, t)
				return err
			default:
				return bad(off)
			}
		})
		c.ReplacePaths = append(c.ReplacePaths, renderPath(steps))
		return err
	})
}

// importing reads change.importing: an object (or null) whose id names the adopted object.
func (r *reader) importing(what string, c *Change) error {
	b, off := r.peek()
	switch b {
	case 'n':
		return r.skip("importing")
	case '{':
	default:
		return errAt(off, "type", "%s: change.importing must be an object, got %s", what, jsonKind(b))
	}
	c.Importing = true
	return r.fields(what+": change.importing", func(key string, _ int64) error {
		if key != "id" {
			return r.skip(key)
		}
		id, err := r.str(what+": change.importing.id", true)
		c.ImportID = id
		return err
	})
}

// deferred reads one deferred_changes entry.
func (r *reader) deferred() (Deferred, error) {
	var d Deferred
	start := r.next()
	has := false
	err := r.fields("deferred_changes entry", func(key string, keyOff int64) error {
		if err := checkSpelling("deferred_changes entry", key, keyOff, deferredKeys, deferredKeysRead); err != nil {
			return err
		}
		var err error
		switch key {
		case "reason":
			d.Reason, err = r.str("deferred_changes entry: reason", true)
		case "resource_change":
			if b, _ := r.peek(); b == 'n' {
				return r.skip(key)
			}
			has = true
			d.Change, err = r.change("deferred_changes resource_change")
		default:
			err = r.skip(key)
		}
		return err
	})
	if err == nil && !has {
		return Deferred{}, errAt(start, "type", "deferred_changes entry has no resource_change")
	}
	return d, err
}

// renderPath turns ["metadata", 0, "name"] into metadata[0].name.
func renderPath(steps []any) string {
	var b strings.Builder
	for _, s := range steps {
		switch v := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		case json.Number:
			fmt.Fprintf(&b, "[%s]", v)
		default:
			fmt.Fprintf(&b, "[%v]", v)
		}
	}
	return b.String()
}

func jsonKind(b byte) string {
	switch b {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "a number"
}

// syntaxError reports invalid JSON at the place the decoder stopped, saying "truncated"
// when the file simply ends early (an interrupted `tofu show -json > plan.json`).
func syntaxError(file string, data []byte, lines lineIndex) error {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := se.Offset
		if off > 0 {
			off-- // Offset counts the offending byte; point at it
		}
		line, col := lines.position(off)
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			return inputErr(file, line, col, "syntax", "truncated plan JSON (%v); re-run tofu show -json PLANFILE > plan.json", se)
		}
		return inputErr(file, line, col, "syntax", "invalid JSON: %v", se)
	}
	if err != nil {
		return inputErr(file, 0, 0, "syntax", "invalid JSON: %v", err)
	}
	return inputErr(file, 0, 0, "syntax", "invalid JSON")
}

func inputErr(file string, line, col int, kind, format string, args ...any) error {
	return finding.InputErrors{{
		Pos:  finding.Position{File: file, Line: line, Column: col},
		Kind: kind,
		Msg:  fmt.Sprintf(format, args...),
	}}
}

func filePos(file string, lines lineIndex, off int64) finding.Position {
	line, col := lines.position(off)
	return finding.Position{File: file, Line: line, Column: col}
}

// lineIndex maps byte offsets to 1-based line and column (columns count bytes; plan JSON
// escapes non-ASCII in addresses rarely enough that this is what editors show too).
type lineIndex []int64

// A line ends at "\n", "\r\n" or a lone "\r" (JSON allows each as whitespace).
func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' || b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (l lineIndex) position(off int64) (line, col int) {
	lo, hi := 0, len(l)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, int(off-l[lo]) + 1
}
