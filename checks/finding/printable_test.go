package finding

import (
	"strings"
	"testing"
	"unicode"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct {
		in, text, line string
	}{
		{"plain value", "plain value", "plain value"},
		{"two\nlines", "two\nlines", `two\x0alines`},
		{"crlf\r\nline", "crlf\nline", `crlf\x0aline`},
		{"bare\rreturn", `bare\x0dreturn`, `bare\x0dreturn`},
		{"x\n::error file=a::forged", "x\n\\x3a:error file=a::forged", `x\x0a::error file=a::forged`},
		{"x\n  \t::warning::forged", "x\n  \t\\x3a:warning::forged", `x\x0a  	::warning::forged`},
		{"::error::first line", `\x3a:error::first line`, `\x3a:error::first line`},
		{"\u00a0::error::nbsp", "\u00a0\\x3a:error::nbsp", "\u00a0\\x3a:error::nbsp"},
		{"mid ::text stays", "mid ::text stays", "mid ::text stays"},
		{"legacy ##[error]cmd", `legacy #\x23[error]cmd`, `legacy #\x23[error]cmd`},
		{"esc \x1b[2J nul \x00 del \x7f c1 \u0085", `esc \x1b[2J nul \x00 del \x7f c1 \x85`, `esc \x1b[2J nul \x00 del \x7f c1 \x85`},
		{"sep\u2028para\u2029", `sep\u2028para\u2029`, `sep\u2028para\u2029`},
		{"bidi \u202egnp.exe\u202c \u2066x\u2069", `bidi \u202egnp.exe\u202c \u2066x\u2069`, `bidi \u202egnp.exe\u202c \u2066x\u2069`},
		{"bad \xff utf8", "bad \uFFFD utf8", "bad \uFFFD utf8"},
		{"tab\tkept", "tab\tkept", "tab\tkept"},
		{"ünïcødé — ok", "ünïcødé — ok", "ünïcødé — ok"},
	} {
		if got := Printable(tc.in); got != tc.text {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := PrintableLine(tc.in); got != tc.line {
			t.Errorf("PrintableLine(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}

// TestPrintableProperties: whatever the input, the output has no unsafe rune, no line
// (after the blanks a CI runner strips) starting with "::", no "##[", and PrintableLine no
// newline.
func TestPrintableProperties(t *testing.T) {
	parts := []string{"a", "::", ":", "\n", "\r", "\r\n", " ", "\t", "\u00a0", "\u2028", "\u0085", "#", "##[", "[", "\x1b", "\x00", "\xff", "\u202e", "error"}
	var inputs []string
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				inputs = append(inputs, a+b+c)
			}
		}
	}
	for _, in := range inputs {
		for name, fn := range map[string]func(string) string{"Printable": Printable, "PrintableLine": PrintableLine} {
			out := fn(in)
			if name == "PrintableLine" && strings.Contains(out, "\n") {
				t.Errorf("%s(%q) = %q has a newline", name, in, out)
			}
			if strings.Contains(out, "##[") {
				t.Errorf("%s(%q) = %q has a legacy workflow command", name, in, out)
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), ":") {
					t.Errorf("%s(%q) = %q has a line starting with ':'", name, in, out)
				}
			}
			for _, r := range out {
				if Unsafe(r) {
					t.Errorf("%s(%q) = %q keeps %U", name, in, out, r)
				}
			}
		}
	}
}
