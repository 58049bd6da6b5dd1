package finding

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tinyland-inc/gf-enrollment/internal/redact"
)

// Text from overlay files, file names and API answers ends up in messages, positions,
// rule ids and table cells. Printable and PrintableLine are the one way such text is made
// safe to print, shared by every renderer, the input-error lines and the notes on stderr:
//
//   - registered credentials are redacted (package internal/redact);
//   - invalid UTF-8 becomes U+FFFD;
//   - control characters (C0 but tab and, in Printable, newline; DEL; C1), the Unicode
//     line and paragraph separators, bidirectional overrides and invisible marks are
//     shown as \xNN or \uNNNN, so a value cannot move a terminal's cursor, reorder what a
//     reviewer sees or split a line where a log reader splits it;
//   - a line of the value whose first non-blank character is ':' gets it shown as \x3a,
//     and "##[" anywhere as "#\x23[": CI runners (GitHub Actions strips leading
//     blanks) obey lines starting with "::" and the legacy "##[command]" anywhere in a
//     line, so no value can forge a workflow command. The value's first line is treated
//     as a line start too, since renderers put values at the start of lines.
//
// Machine formats (JSON, SARIF) carry values verbatim with their own escaping instead;
// they use Unsafe and redact.String.

// Printable returns s made safe to print, keeping newlines (callers indent continuation
// lines) and tabs. CRLF counts as one newline.
func Printable(s string) string { return escape(s, true) }

// PrintableLine is Printable for text that must stay on one line: newlines are escaped too.
func PrintableLine(s string) string { return escape(s, false) }

// Unsafe reports whether r must never appear raw in any output (newline and tab aside,
// which line-oriented formats handle themselves).
func Unsafe(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // bidi marks
		r >= 0x202a && r <= 0x202e, // bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069: // bidi isolates
		return true
	case r == 0x200b, r == 0xfeff: // zero-width space, byte order mark
		return true
	}
	return false
}

func escape(s string, keepNewlines bool) string {
	s = redact.String(s)
	if !needsEscape(s, keepNewlines) {
		return s
	}
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
			lineStart = true
		case r == '\n' || Unsafe(r):
			writeEscaped(&b, r)
			lineStart = false
		case r == ':' && lineStart:
			b.WriteString(`\x3a`)
			lineStart = false
		case r == '#' && strings.HasPrefix(s[i:], "##["):
			b.WriteString(`#\x23[`)
			n = len("##[")
			lineStart = false
		default:
			b.WriteRune(r)
			lineStart = lineStart && unicode.IsSpace(r)
		}
		i += n
	}
	return b.String()
}

// needsEscape is the fast path: most text has nothing to escape.
func needsEscape(s string, keepNewlines bool) bool {
	if !utf8.ValidString(s) || strings.Contains(s, "##[") {
		return true
	}
	lineStart := true
	for _, r := range s {
		switch {
		case r == '\n':
			if !keepNewlines {
				return true
			}
			lineStart = true
		case Unsafe(r):
			return true
		case r == ':' && lineStart:
			return true
		default:
			lineStart = lineStart && unicode.IsSpace(r)
		}
	}
	return false
}

func writeEscaped(b *strings.Builder, r rune) {
	if r <= 0xff {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	fmt.Fprintf(b, `\u%04x`, r)
}

// Redacted returns a copy of r with every registered credential removed from every string
// it carries (findings, rules, tables, the tool name). Package render passes each report
// through it before writing any format, so formats that carry values verbatim (JSON,
// SARIF) are covered as well as the printable ones.
func (r *Report) Redacted() *Report {
	if r == nil {
		return nil
	}
	out := *r
	out.Tool = redact.String(r.Tool)
	out.Rules = make([]Rule, len(r.Rules))
	for i, x := range r.Rules {
		out.Rules[i] = Rule{ID: redact.String(x.ID), Summary: redact.String(x.Summary), Help: redact.String(x.Help)}
	}
	if r.Rules == nil {
		out.Rules = nil
	}
	out.Findings = make([]Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Rule = redact.String(f.Rule)
		f.File = redact.String(f.File)
		f.Message = redact.String(f.Message)
		f.NextAction = redact.String(f.NextAction)
		out.Findings[i] = f
	}
	if r.Findings == nil {
		out.Findings = nil
	}
	if r.Tables != nil {
		out.Tables = make([]Table, len(r.Tables))
		for i, t := range r.Tables {
			nt := Table{Title: redact.String(t.Title), Columns: redactAll(t.Columns)}
			if t.Rows != nil {
				nt.Rows = make([][]string, len(t.Rows))
				for j, row := range t.Rows {
					nt.Rows[j] = redactAll(row)
				}
			}
			out.Tables[i] = nt
		}
	}
	return &out
}

func redactAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = redact.String(s)
	}
	return out
}
