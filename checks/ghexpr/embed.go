package ghexpr

import "strings"

// Span is one `${{ ... }}` occurrence inside a string value.
type Span struct {
	Start   int    // byte offset of "${{"
	End     int    // byte offset just after "}}" (len(s) when unclosed)
	Expr    string // the text between the braces, untrimmed
	ExprOff int    // byte offset of Expr in s
	Closed  bool   // false when the string ends before "}}"
}

// Embedded finds every `${{ ... }}` in s. A "}}" inside a '...' literal does not close the
// expression, matching how the runner reads templates. An unclosed expression runs to the
// end of s (and is reported with Closed=false) so callers can still search it.
func Embedded(s string) []Span {
	var out []Span
	i := 0
	for {
		k := strings.Index(s[i:], "${{")
		if k < 0 {
			return out
		}
		start := i + k
		exprOff := start + 3
		end, closed := closeOf(s, exprOff)
		sp := Span{Start: start, ExprOff: exprOff, Closed: closed}
		if closed {
			sp.Expr = s[exprOff:end]
			sp.End = end + 2
		} else {
			sp.Expr = s[exprOff:]
			sp.End = len(s)
		}
		out = append(out, sp)
		i = sp.End
	}
}

// closeOf returns the offset of the "}}" closing an expression that starts at from.
func closeOf(s string, from int) (int, bool) {
	i := from
	for i < len(s) {
		switch {
		case s[i] == '\'':
			_, end, ok := scanString(s, i)
			if !ok {
				return len(s), false
			}
			i = end
		case strings.HasPrefix(s[i:], "}}"):
			return i, true
		default:
			i++
		}
	}
	return len(s), false
}

// IsSingle reports whether s (trimmed) is exactly one closed `${{ ... }}` and nothing else,
// returning that span. Such a value evaluates to the expression's own type (a list stays a
// list); any surrounding text makes the whole value a string.
func IsSingle(s string) (Span, bool) {
	spans := Embedded(s)
	if len(spans) != 1 || !spans[0].Closed {
		return Span{}, false
	}
	sp := spans[0]
	if strings.TrimSpace(s[:sp.Start]) != "" || strings.TrimSpace(s[sp.End:]) != "" {
		return Span{}, false
	}
	return sp, true
}
