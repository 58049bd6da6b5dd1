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

	// The document is valid JSON. Walk the top-level object with a token decoder so each
	// resource change keeps the offset where it starts (findings point at it).
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{'
		return nil, fail(dec.InputOffset(), "syntax", "%v", err)
	}
	seen := map[string]int64{}
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return nil, fail(dec.InputOffset(), "syntax", "%v", err)
		}
		key, _ := keyTok.(string)
		valOff := skipSpace(data, dec.InputOffset(), ':')
		if _, dup := seen[key]; dup {
			return nil, fail(valOff, "duplicate", "key %q appears twice in the plan object", key)
		}
		seen[key] = valOff
		var perr error
		switch key {
		case "format_version":
			perr = decodeString(dec, &p.FormatVersion)
		case "terraform_version":
			perr = decodeString(dec, &p.TerraformVersion)
		case "errored":
			perr = decodeBool(dec, &p.Errored)
		case "complete":
			var b bool
			if perr = decodeBool(dec, &b); perr == nil {
				p.Complete = &b
			}
		case "resource_changes":
			perr = decodeArray(dec, data, func(off int64, raw json.RawMessage) error {
				c, err := parseChange(raw, "resource_changes entry")
				if err != nil {
					return &offsetError{off, err}
				}
				c.Pos = filePos(file, lines, off)
				p.Changes = append(p.Changes, c)
				return nil
			})
		case "deferred_changes":
			perr = decodeArray(dec, data, func(off int64, raw json.RawMessage) error {
				d, err := parseDeferred(raw)
				if err != nil {
					return &offsetError{off, err}
				}
				d.Change.Pos = filePos(file, lines, off)
				p.Deferred = append(p.Deferred, d)
				return nil
			})
		default:
			var skip json.RawMessage
			perr = dec.Decode(&skip)
		}
		if perr != nil {
			var oe *offsetError
			if errors.As(perr, &oe) {
				return nil, fail(oe.off, "type", "%v", oe.err)
			}
			return nil, fail(valOff, "type", "%s: %v", key, perr)
		}
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

// wireChange is the subset of a resource change the guard reads. Types are loose
// (RawMessage) where the guard reports a wrong type itself with a clearer message.
type wireChange struct {
	Address         *string         `json:"address"`
	PreviousAddress string          `json:"previous_address"`
	Mode            string          `json:"mode"`
	Type            string          `json:"type"`
	Deposed         string          `json:"deposed"`
	ActionReason    string          `json:"action_reason"`
	Change          json.RawMessage `json:"change"`
}

type wireChangeBody struct {
	Actions      json.RawMessage `json:"actions"`
	ReplacePaths json.RawMessage `json:"replace_paths"`
	Importing    json.RawMessage `json:"importing"`
}

func parseChange(raw json.RawMessage, what string) (Change, error) {
	var w wireChange
	if err := strictObject(raw, &w, what); err != nil {
		return Change{}, err
	}
	if w.Address == nil || *w.Address == "" {
		return Change{}, fmt.Errorf("%s has no address", what)
	}
	c := Change{
		Address: *w.Address, PreviousAddress: w.PreviousAddress, Mode: w.Mode, Type: w.Type,
		Deposed: w.Deposed, ActionReason: w.ActionReason,
	}
	if len(w.Change) == 0 || string(w.Change) == "null" {
		return Change{}, fmt.Errorf("%s %s has no change object", what, c.Address)
	}
	var body wireChangeBody
	if err := strictObject(w.Change, &body, what+" "+c.Address+" change"); err != nil {
		return Change{}, err
	}
	if len(body.Actions) == 0 || string(body.Actions) == "null" {
		return Change{}, fmt.Errorf("%s %s has no change.actions", what, c.Address)
	}
	if err := json.Unmarshal(body.Actions, &c.Actions); err != nil {
		return Change{}, fmt.Errorf("%s %s: change.actions must be a list of strings", what, c.Address)
	}
	if len(c.Actions) == 0 {
		return Change{}, fmt.Errorf("%s %s: change.actions is empty", what, c.Address)
	}
	if len(body.ReplacePaths) > 0 && string(body.ReplacePaths) != "null" {
		var paths [][]any
		if err := json.Unmarshal(body.ReplacePaths, &paths); err != nil {
			return Change{}, fmt.Errorf("%s %s: change.replace_paths must be a list of paths", what, c.Address)
		}
		for _, path := range paths {
			c.ReplacePaths = append(c.ReplacePaths, renderPath(path))
		}
	}
	if len(body.Importing) > 0 && string(body.Importing) != "null" {
		var imp struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body.Importing, &imp); err != nil {
			return Change{}, fmt.Errorf("%s %s: change.importing must be an object", what, c.Address)
		}
		c.Importing = true
		c.ImportID = imp.ID
	}
	return c, nil
}

func parseDeferred(raw json.RawMessage) (Deferred, error) {
	var w struct {
		Reason         string          `json:"reason"`
		ResourceChange json.RawMessage `json:"resource_change"`
	}
	if err := strictObject(raw, &w, "deferred_changes entry"); err != nil {
		return Deferred{}, err
	}
	if len(w.ResourceChange) == 0 || string(w.ResourceChange) == "null" {
		return Deferred{}, fmt.Errorf("deferred_changes entry has no resource_change")
	}
	c, err := parseChange(w.ResourceChange, "deferred_changes resource_change")
	if err != nil {
		return Deferred{}, err
	}
	return Deferred{Reason: w.Reason, Change: c}, nil
}

// strictObject decodes an object, turning encoding/json's type errors into one sentence.
func strictObject(raw json.RawMessage, v any, what string) error {
	if t := firstByte(raw); t != '{' {
		return fmt.Errorf("%s must be an object, got %s", what, jsonKind(t))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s: field %q must be a %s, got %s", what, te.Field, te.Type.Kind(), te.Value)
		}
		return fmt.Errorf("%s: %v", what, err)
	}
	return nil
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
		case float64:
			fmt.Fprintf(&b, "[%d]", int64(v))
		default:
			fmt.Fprintf(&b, "[%v]", v)
		}
	}
	return b.String()
}

// offsetError carries the byte offset of the array element that was wrong.
type offsetError struct {
	off int64
	err error
}

func (e *offsetError) Error() string { return e.err.Error() }

func decodeString(dec *json.Decoder, dst *string) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if firstByte(raw) != '"' {
		return fmt.Errorf("must be a string, got %s", jsonKind(firstByte(raw)))
	}
	return json.Unmarshal(raw, dst)
}

func decodeBool(dec *json.Decoder, dst *bool) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if t := firstByte(raw); t != 't' && t != 'f' {
		return fmt.Errorf("must be a boolean, got %s", jsonKind(t))
	}
	return json.Unmarshal(raw, dst)
}

// decodeArray walks an array value element by element, handing each element's raw bytes and
// start offset to fn. null is an empty array (producers omit or null empty lists).
func decodeArray(dec *json.Decoder, data []byte, fn func(off int64, raw json.RawMessage) error) error {
	start := skipSpace(data, dec.InputOffset(), ':')
	if start < int64(len(data)) && data[start] != '[' {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if string(raw) == "null" {
			return nil
		}
		return fmt.Errorf("must be a list, got %s", jsonKind(firstByte(raw)))
	}
	if _, err := dec.Token(); err != nil { // '['
		return err
	}
	for dec.More() {
		off := skipSpace(data, dec.InputOffset(), ',')
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(off, raw); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ']'
	return err
}

// skipSpace returns the offset of the first byte at or after off that is neither blank nor
// the separator sep (the decoder's offset can sit before a ':' or ',').
func skipSpace(data []byte, off int64, sep byte) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', sep:
			off++
		default:
			return off
		}
	}
	return off
}

func firstByte(raw []byte) byte {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return 0
	}
	return t[0]
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

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
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
