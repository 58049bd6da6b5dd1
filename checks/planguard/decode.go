package planguard

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// reader walks a JSON document (already known to be valid) token by token, knowing the byte
// offset of every value. The guard reads plans with it instead of json.Unmarshal because
// Unmarshal matches field names case-insensitively and keeps the last of duplicate keys:
// with it, "actions" given twice, or "ACTIONS" beside "actions", would let a crafted plan
// show the guard a different change than another reader of the same file sees. Here every
// field name is matched exactly and every object, at every level, is checked for keys
// given twice or differing only in case.
type reader struct {
	dec   *json.Decoder
	data  []byte
	lines lineIndex
}

// planError is a problem at a byte offset of the plan; Parse turns it into an input error
// with the line and column.
type planError struct {
	off  int64
	kind string
	msg  string
}

func (e *planError) Error() string { return e.msg }

func errAt(off int64, kind, format string, args ...any) error {
	return &planError{off: off, kind: kind, msg: fmt.Sprintf(format, args...)}
}

// next returns the offset of the next token (the decoder's offset can sit before the
// blank, ':' or ',' that precede it).
func (r *reader) next() int64 {
	off := r.dec.InputOffset()
	for off < int64(len(r.data)) {
		switch r.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// peek is the first byte of the next value: '{', '[', '"', 't', 'f', 'n' or a digit/'-'.
func (r *reader) peek() (byte, int64) {
	off := r.next()
	if off >= int64(len(r.data)) {
		return 0, off
	}
	return r.data[off], off
}

// token reads one token; the document is valid JSON, so an error here is a bug in the walk
// and is reported as unusable input rather than trusted.
func (r *reader) token() (json.Token, int64, error) {
	off := r.next()
	t, err := r.dec.Token()
	if err != nil {
		return nil, off, errAt(off, "syntax", "invalid JSON: %v", err)
	}
	return t, off, nil
}

// fields reads an object of the plan format (the plan, a resource change, its change body):
// like object, and keys that differ only in case are rejected too, since encoding/json and
// other case-folding readers would take either for the field.
func (r *reader) fields(what string, field func(key string, keyOff int64) error) error {
	return r.readObject(what, true, field)
}

// object reads the object at the current position, calling field for each key in the
// order written; field must consume the value (skip it if nothing else). what names the
// object in messages. A key given twice is rejected; keys differing in case are distinct
// (attribute values such as Kubernetes labels may hold "App" and "app").
func (r *reader) object(what string, field func(key string, keyOff int64) error) error {
	return r.readObject(what, false, field)
}

func (r *reader) readObject(what string, foldCase bool, field func(key string, keyOff int64) error) error {
	b, off := r.peek()
	if b != '{' {
		return errAt(off, "type", "%s must be an object, got %s", what, jsonKind(b))
	}
	if _, _, err := r.token(); err != nil {
		return err
	}
	var seen keySet
	var folded map[string]string
	if foldCase {
		folded = map[string]string{}
	}
	for r.dec.More() {
		t, keyOff, err := r.token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if first, dup := seen.add(key, keyOff); dup {
			line, col := r.lines.position(first)
			return errAt(keyOff, "duplicate", "%s: key %q appears twice (first at line %d, column %d); a JSON reader may take either value", what, key, line, col)
		}
		if foldCase {
			if other, clash := folded[foldKey(key)]; clash {
				return errAt(keyOff, "duplicate", "%s: keys %q and %q differ only in case; a JSON reader may take either value", what, other, key)
			}
			folded[foldKey(key)] = key
		}
		if err := field(key, keyOff); err != nil {
			return err
		}
	}
	_, _, err := r.token() // '}'
	return err
}

// keySet remembers an object's keys and their offsets. Most objects in a plan have a
// handful of keys, which a slice checks faster than a map is built; large ones (a map of
// labels, say) switch to a map so the check stays linear.
type keySet struct {
	small []keyAt
	large map[string]int64
}

type keyAt struct {
	key string
	off int64
}

const keySetSmall = 16

// add records key at off; when it was already there, it returns the first offset and true.
func (s *keySet) add(key string, off int64) (int64, bool) {
	if s.large != nil {
		if first, dup := s.large[key]; dup {
			return first, true
		}
		s.large[key] = off
		return 0, false
	}
	for _, k := range s.small {
		if k.key == key {
			return k.off, true
		}
	}
	if len(s.small) < keySetSmall {
		s.small = append(s.small, keyAt{key, off})
		return 0, false
	}
	s.large = make(map[string]int64, 2*keySetSmall)
	for _, k := range s.small {
		s.large[k.key] = k.off
	}
	s.large[key] = off
	return 0, false
}

// array reads the array at the current position, calling elem for each element (which must
// consume it). null reads as an empty array: producers null or omit empty lists.
func (r *reader) array(what string, elem func(off int64) error) error {
	b, off := r.peek()
	switch b {
	case 'n':
		_, _, err := r.token()
		return err
	case '[':
	default:
		return errAt(off, "type", "%s must be a list, got %s", what, jsonKind(b))
	}
	if _, _, err := r.token(); err != nil {
		return err
	}
	for r.dec.More() {
		_, off := r.peek()
		if err := elem(off); err != nil {
			return err
		}
	}
	_, _, err := r.token() // ']'
	return err
}

// skip consumes one value of any shape, still checking every object in it for duplicate
// keys. Nesting is bounded by encoding/json's own depth limit, which the document passed.
func (r *reader) skip(what string) error {
	switch b, _ := r.peek(); b {
	case '{':
		return r.object(what, func(string, int64) error { return r.skip(what) })
	case '[':
		return r.array(what, func(int64) error { return r.skip(what) })
	default:
		_, _, err := r.token()
		return err
	}
}

// str reads a string; null reads as "" when nullOK (optional fields producers may null).
func (r *reader) str(what string, nullOK bool) (string, error) {
	b, off := r.peek()
	if b == 'n' && nullOK {
		_, _, err := r.token()
		return "", err
	}
	if b != '"' {
		return "", errAt(off, "type", "%s must be a string, got %s", what, jsonKind(b))
	}
	t, _, err := r.token()
	if err != nil {
		return "", err
	}
	s, _ := t.(string)
	return s, nil
}

// boolean reads true or false; null is a type error (a producer that writes the field
// writes a boolean, and a guessed default could hide a failed plan).
func (r *reader) boolean(what string) (bool, error) {
	b, off := r.peek()
	if b != 't' && b != 'f' {
		return false, errAt(off, "type", "%s must be a boolean, got %s", what, jsonKind(b))
	}
	t, _, err := r.token()
	if err != nil {
		return false, err
	}
	v, _ := t.(bool)
	return v, nil
}

// checkSpelling rejects a key that is not one of known but looks like a misspelling of a
// key the guard reads (same letters but for case, '-' for '_', or an edit or two away):
// a reader that tolerates such keys (encoding/json folds case) may act on a value this
// guard never saw.
func checkSpelling(what, key string, keyOff int64, known map[string]bool, read []string) error {
	if known[key] {
		return nil
	}
	norm := foldKey(strings.ReplaceAll(key, "-", "_"))
	for _, want := range read {
		limit := 1
		if len(want) >= 7 {
			limit = 2
		}
		if w := foldKey(want); norm == w || editDistance(norm, w, limit) <= limit {
			return errAt(keyOff, "type", "%s: unknown key %q looks like a misspelling of %q; the guard reads field names exactly, so it cannot tell which one a plan reader would use (if this is a new plan field, upgrade gfenroll)", what, key, want)
		}
	}
	return nil
}

// foldKey maps every letter to one representative of its Unicode case-folding orbit (the
// smallest), so two keys encoding/json would match to one field name ("ACTIONS", "actions",
// and "actionſ" with a long s) map to the same string.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// editDistance is the Levenshtein distance of a and b, or limit+1 as soon as it is known to
// exceed limit (keys are short; the bound keeps a long hostile key cheap).
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
