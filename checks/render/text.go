package render

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// WriteText renders the human report:
//
//	config/organization.yaml:12:19: blocker pins/drift: message
//	MODULE.bazel:9:14: warning taxonomy/repo-registration-anchor: message (expected)
//
//	<tables>
//
//	Next actions:
//	  1. ...
//
//	1 blocker / 0 warnings (1 expected)
//
// Sections are separated by one blank line and omitted when empty; the summary line is
// always last so scripts can `tail -n1`.
func WriteText(w io.Writer, r *finding.Report, opts Options) error {
	r = r.Redacted()
	ew := &errWriter{w: w}
	wrote := false
	section := func() {
		if wrote {
			ew.printf("\n")
		}
		wrote = true
	}

	var lines []string
	for _, f := range r.Findings {
		if opts.Quiet && f.Severity == finding.OK {
			continue
		}
		lines = append(lines, FindingLine(f))
	}
	if len(lines) > 0 {
		section()
		for _, l := range lines {
			ew.printf("%s\n", l)
		}
	}

	for _, t := range r.Tables {
		section()
		writeTextTable(ew, t)
	}

	if actions := r.NextActions(); len(actions) > 0 {
		section()
		ew.printf("Next actions:\n")
		for i, a := range actions {
			ew.printf("  %d. %s\n", i+1, indentContinuation(finding.Printable(a), "     "))
		}
	}

	section()
	ew.printf("%s\n", SummaryLine(r.Summary))
	return ew.err
}

// FindingLine is one finding in text form: "file:line:col: severity rule: message", with
// " (expected)" for a declared-expected warning. A finding without a file starts with its
// severity. Continuation lines of a multi-line message are indented so every finding still
// starts at column 1 and grep/problem matchers see one finding per unindented line.
func FindingLine(f finding.Finding) string {
	var b strings.Builder
	if pos := f.Position.String(); pos != "" {
		b.WriteString(finding.PrintableLine(pos))
		b.WriteString(": ")
	}
	b.WriteString(f.Severity.String())
	b.WriteString(" ")
	b.WriteString(finding.PrintableLine(f.Rule))
	b.WriteString(": ")
	b.WriteString(indentContinuation(finding.Printable(f.Message), "    "))
	if f.Expected {
		b.WriteString(" (expected)")
	}
	return b.String()
}

func indentContinuation(s, indent string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// writeTextTable prints a titled grid with columns padded to their widest cell; the last
// column is not padded so no line carries trailing blanks.
func writeTextTable(ew *errWriter, t finding.Table) {
	if t.Title != "" {
		ew.printf("%s:\n", finding.PrintableLine(t.Title))
	}
	var rows [][]string
	if len(t.Columns) > 0 {
		rows = append(rows, t.Columns)
	}
	rows = append(rows, t.Rows...)
	var width []int
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = finding.PrintableLine(c)
			if j >= len(width) {
				width = append(width, 0)
			}
			width[j] = max(width[j], utf8.RuneCountInString(cells[j]))
		}
		rows[i] = cells
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for j, c := range row {
			b.WriteString(c)
			if j < len(row)-1 {
				b.WriteString(strings.Repeat(" ", width[j]-utf8.RuneCountInString(c)+2))
			}
		}
		ew.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
}
