// Package render turns a finding.Report into the formats operators and CI systems read: text
// for people (actionlint / conftest style), canonical JSON, JUnit XML for Bazel and CI test
// views, GitHub workflow commands plus a markdown step summary, and SARIF 2.1.0 for code
// scanning.
//
// Renderers only read the report; call Report.Finalize first so findings are sorted and the
// summary is current (package checker does this for you). No renderer ever prints a path the
// report does not carry, so reports stay free of absolute or sandbox paths.
package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

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
		return r.Tool
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

// clean makes text from overlay files safe to print: invalid UTF-8 becomes U+FFFD and
// control characters other than newline and tab are shown as \xNN, so a crafted YAML value
// cannot move a terminal's cursor, forge a second finding line or break a log viewer.
func clean(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	if strings.IndexFunc(s, isHostileControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isHostileControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isHostileControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}
