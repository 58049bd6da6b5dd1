// Package render turns a finding.Report into the formats operators and CI systems read: text
// for people (actionlint / conftest style), canonical JSON, JUnit XML for Bazel and CI test
// views, GitHub workflow commands plus a markdown step summary, and SARIF 2.1.0 for code
// scanning.
//
// Renderers only read the report; call Report.Finalize first so findings are sorted and the
// summary is current (package checker does this for you). No renderer ever prints a path the
// report does not carry, so reports stay free of absolute or sandbox paths.
//
// Every value is untrusted text (overlay files, file names, API answers). Every Write
// function first passes the report through finding.Report.Redacted, so no registered credential is
// written in any format; the line-oriented formats print every value through
// finding.Printable or finding.PrintableLine, and the JSON formats escape what
// finding.Unsafe names, so no value carries a raw control character or starts a line that
// a CI runner obeys.
package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Format names an output format as spelled on the command line.
type Format string

const (
	Text   Format = "text"
	JSON   Format = "json"
	JUnit  Format = "junit"
	GitHub Format = "github"
	SARIF  Format = "sarif"
)

// Formats lists every format in the order help texts show them.
func Formats() []Format { return []Format{Text, JSON, JUnit, GitHub, SARIF} }

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want %s)", s, formatList())
}

func formatList() string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// Extension is the conventional file extension for a format (used for report file names).
func (f Format) Extension() string {
	switch f {
	case JUnit:
		return "xml"
	case GitHub:
		return "github.txt"
	case Text:
		return "txt"
	}
	return string(f)
}

// Options tune rendering. The zero value is the default behaviour.
type Options struct {
	// Quiet hides ok findings in text and markdown output (they stay in JSON, and their
	// rules stay passing testcases in JUnit).
	Quiet bool
	// FailOnWarning renders unexpected warnings as JUnit failures, matching the exit code
	// of a --fail-on-warning run.
	FailOnWarning bool
	// ToolVersion is reported as the SARIF driver version when set.
	ToolVersion string
}

// Render writes r to w in format f.
func Render(w io.Writer, f Format, r *finding.Report, opts Options) error {
	switch f {
	case Text:
		return WriteText(w, r, opts)
	case JSON:
		return WriteJSON(w, r)
	case JUnit:
		return WriteJUnit(w, r, opts)
	case GitHub:
		return WriteGitHub(w, r, opts)
	case SARIF:
		return WriteSARIF(w, r, opts)
	}
	return fmt.Errorf("render: unknown format %q", f)
}

// Bytes renders r into memory (so a caller can write every output only after all rendered).
func Bytes(f Format, r *finding.Report, opts Options) ([]byte, error) {
	var b bytes.Buffer
	if err := Render(&b, f, r, opts); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// toolName is the producer shown in JUnit, SARIF and the step summary.
func toolName(r *finding.Report) string {
	if r.Tool != "" {
		return finding.PrintableLine(r.Tool)
	}
	return "checker"
}

// SummaryLine is the last line of every text report: "N blockers / M warnings", singular
// where the count is one, with " (K expected)" when the overlay declared K warnings expected.
func SummaryLine(s finding.Summary) string {
	line := plural(s.Blockers, "blocker") + " / " + plural(s.Warnings, "warning")
	if s.ExpectedWarnings > 0 {
		line += fmt.Sprintf(" (%d expected)", s.ExpectedWarnings)
	}
	return line
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// errWriter remembers the first write error so renderers can write line by line and check
// once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// rulesInOrder returns the report's evaluated rules followed by any rule a finding names
// that was not registered (a custom checker's slip must not make a finding vanish).
func rulesInOrder(r *finding.Report) []finding.Rule {
	out := append([]finding.Rule(nil), r.Rules...)
	seen := make(map[string]bool, len(out))
	for _, x := range out {
		seen[x.ID] = true
	}
	for _, f := range r.Findings {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			out = append(out, finding.Rule{ID: f.Rule})
		}
	}
	return out
}

// escapeUnsafeJSON writes the runes finding.Unsafe names as \uNNNN escapes in encoded JSON,
// and "##[" (a legacy workflow command anywhere in a line of a job log) as "#\u0023[".
// encoding/json already escapes C0 controls and the line separators but leaves DEL, C1
// controls and bidirectional overrides raw. Outside strings JSON text is ASCII without '#',
// so every such rune is inside a string and its escape decodes to the same value.
func escapeUnsafeJSON(b []byte) []byte {
	if bytes.IndexFunc(b, finding.Unsafe) < 0 && !bytes.Contains(b, []byte("##[")) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r != '\n' && r != '\t' && finding.Unsafe(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		case bytes.HasPrefix(b, []byte("##[")):
			out = append(out, `#\u0023[`...)
			n = len("##[")
		default:
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}
