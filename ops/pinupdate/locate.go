package pinupdate

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Syntax is the language of the file a pin lives in; it decides which quoting is legal.
type Syntax int

const (
	YAML Syntax = iota
	Starlark
)

// Span is where a pin's value text sits in its file: data[Start:End] is exactly the value
// (inside its quotes, when quoted). Replacing those bytes and nothing else is how the edit
// preserves every comment, quote style and line ending around it.
type Span struct {
	Start, End int
	// Quote is the opening quote ("", `"`, `'`, `"""`, `'''`), for messages and for deciding
	// whether a plain YAML scalar needs quoting.
	Quote string
}

// LocateValue finds the value text want at pos (1-based line, 1-based byte column, as the
// overlay model reports) in data. It refuses anything it cannot replace byte-exactly: a
// position that does not hold the value, escapes, block scalars, aliases.
func LocateValue(data []byte, pos finding.Position, want string, syntax Syntax) (Span, error) {
	off, err := offsetOf(data, pos.Line, pos.Column)
	if err != nil {
		return Span{}, err
	}
	if want == "" {
		return Span{}, fmt.Errorf("the value is empty")
	}
	switch syntax {
	case YAML:
		return locateYAML(data, off, want)
	default:
		return locateStarlark(data, off, want)
	}
}

// offsetOf turns a 1-based line and byte column into a byte offset, counting only '\n' as
// a line break (so CRLF files work: the '\r' is just the last byte of each line).
func offsetOf(data []byte, line, col int) (int, error) {
	if line < 1 || col < 1 {
		return 0, fmt.Errorf("the parser gave no position for the value")
	}
	start := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[start:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end of the file", line)
		}
		start += i + 1
	}
	end := len(data)
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		end = start + i
	}
	off := start + col - 1
	if off >= end {
		return 0, fmt.Errorf("column %d is past the end of line %d", col, line)
	}
	return off, nil
}

func locateYAML(data []byte, off int, want string) (Span, error) {
	// A node may carry a tag or an anchor before its value: `!!str abc`, `&core abc`.
	for off < len(data) && (data[off] == '!' || data[off] == '&') {
		for off < len(data) && !isBlank(data[off]) {
			off++
		}
		for off < len(data) && (data[off] == ' ' || data[off] == '\t') {
			off++
		}
	}
	if off >= len(data) {
		return Span{}, fmt.Errorf("the value ends the file unexpectedly")
	}
	switch c := data[off]; c {
	case '*':
		return Span{}, fmt.Errorf("the value is an alias (%s); point the anchor's value at the new commit by hand, or write the commit in place", firstWord(data[off:]))
	case '|', '>':
		return Span{}, fmt.Errorf("the value is a block scalar (%c); write the commit as a plain or quoted scalar", c)
	case '"', '\'':
		end := bytes.IndexByte(data[off+1:], c)
		if end < 0 {
			return Span{}, fmt.Errorf("unterminated %c-quoted value", c)
		}
		inner := data[off+1 : off+1+end]
		if string(inner) != want || bytes.ContainsAny(inner, "\\\n") {
			return Span{}, fmt.Errorf("the quoted value at this position is %q, not the parsed %q (escapes or line breaks inside the quotes); write the commit without them", inner, want)
		}
		return Span{Start: off + 1, End: off + 1 + end, Quote: string(c)}, nil
	default:
		end := off + len(want)
		if end > len(data) || string(data[off:end]) != want {
			return Span{}, fmt.Errorf("the text at this position is not the parsed value %q", want)
		}
		if end < len(data) && !plainScalarEnds(data, end) {
			return Span{}, fmt.Errorf("the plain value at this position continues past %q (a multi-line scalar?)", want)
		}
		return Span{Start: off, End: end}, nil
	}
}

// plainScalarEnds reports whether a plain YAML scalar can end right before data[i].
func plainScalarEnds(data []byte, i int) bool {
	switch data[i] {
	case ' ', '\t', '\r', '\n', ',', ']', '}':
		return true
	}
	return false
}

func locateStarlark(data []byte, off int, want string) (Span, error) {
	if data[off] == 'r' || data[off] == 'R' {
		off++ // a raw string has no escapes; its body is what we compare anyway
	}
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if !bytes.HasPrefix(data[off:], []byte(q)) {
			continue
		}
		bodyStart := off + len(q)
		end := bytes.Index(data[bodyStart:], []byte(q))
		if end < 0 {
			return Span{}, fmt.Errorf("unterminated string")
		}
		inner := data[bodyStart : bodyStart+end]
		if string(inner) != want || bytes.ContainsAny(inner, "\\\n") {
			return Span{}, fmt.Errorf("the string at this position is %q, not the parsed %q (escapes or line breaks inside it); write the commit as a plain string literal", inner, want)
		}
		return Span{Start: bodyStart, End: bodyStart + end, Quote: q}, nil
	}
	return Span{}, fmt.Errorf("the value at this position is not a string literal (%s)", firstWord(data[off:]))
}

// ReplaceValue returns data with the span replaced by sha. In YAML a plain scalar stays
// plain unless the new text would read as something other than a string (forty decimal
// digits are an integer to YAML, "1234e5..." a float): then it is double-quoted, the only
// change beyond the value itself, so every YAML reader still sees a string.
func ReplaceValue(data []byte, s Span, sha string, syntax Syntax) (out []byte, quoted bool) {
	text := sha
	if syntax == YAML && s.Quote == "" && !plainIsString(sha) {
		text = `"` + sha + `"`
		quoted = true
	}
	out = make([]byte, 0, len(data)+len(text)-(s.End-s.Start))
	out = append(out, data[:s.Start]...)
	out = append(out, text...)
	out = append(out, data[s.End:]...)
	return out, quoted
}

// plainIsString reports whether v written as a plain YAML scalar resolves to a string.
func plainIsString(v string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+v+"\n"), &n); err != nil || len(n.Content) == 0 {
		return false
	}
	m := n.Content[0]
	return len(m.Content) == 2 && m.Content[1].Tag == "!!str"
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func firstWord(b []byte) string {
	i := 0
	for i < len(b) && i < 40 && !isBlank(b[i]) && b[i] != ',' && b[i] != ')' {
		i++
	}
	return string(b[:i])
}
