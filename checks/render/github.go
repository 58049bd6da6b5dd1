package render

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// WriteGitHub renders GitHub Actions workflow commands, one annotation per finding:
//
//	::error file=config/organization.yaml,line=12,col=19,title=pins/drift::message%0ANext action: ...
//
// Blockers are errors and unexpected warnings warnings. Info findings and warnings the
// overlay declared expected are notices (shown, never alarming). Ok findings get no
// annotation. The plain summary line follows so the job log ends like the text report.
func WriteGitHub(w io.Writer, r *finding.Report, _ Options) error {
	r = r.Redacted()
	ew := &errWriter{w: w}
	for _, f := range r.Findings {
		cmd, title := "", f.Rule
		switch {
		case f.Severity == finding.Blocker:
			cmd = "error"
		case f.Severity == finding.Warning && f.Expected:
			cmd, title = "notice", f.Rule+" (expected warning)"
		case f.Severity == finding.Warning:
			cmd = "warning"
		case f.Severity == finding.Info:
			cmd = "notice"
		default:
			continue
		}
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(finding.PrintableLine(f.File)))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
				if f.Column > 0 {
					props = append(props, fmt.Sprintf("col=%d", f.Column))
				}
			}
		}
		props = append(props, "title="+escapeProperty(finding.PrintableLine(title)))
		msg := f.Message
		if f.NextAction != "" {
			msg += "\nNext action: " + f.NextAction
		}
		ew.printf("::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(finding.Printable(msg)))
	}
	ew.printf("%s\n", SummaryLine(r.Summary))
	return ew.err
}

// escapeData escapes a workflow command's message the way the runner unescapes it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty also escapes the property separators ':' and ','.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteMarkdown renders the report as GitHub-flavoured markdown for a job summary: a
// heading with the summary line, a findings table, the report's tables and the numbered
// next actions.
func WriteMarkdown(w io.Writer, r *finding.Report, opts Options) error {
	r = r.Redacted()
	ew := &errWriter{w: w}
	ew.printf("### %s: %s\n\n", mdText(toolName(r)), SummaryLine(r.Summary))

	var rows []finding.Finding
	for _, f := range r.Findings {
		if opts.Quiet && f.Severity == finding.OK {
			continue
		}
		rows = append(rows, f)
	}
	if len(rows) > 0 {
		ew.printf("| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
		for _, f := range rows {
			sev := f.Severity.String()
			if f.Expected {
				sev += " (expected)"
			}
			loc := ""
			if p := f.Position.String(); p != "" {
				loc = "`" + mdCode(p) + "`"
			}
			ew.printf("| %s | `%s` | %s | %s |\n", sev, mdCode(f.Rule), loc, mdCell(f.Message))
		}
		ew.printf("\n")
	}

	for _, t := range r.Tables {
		if t.Title != "" {
			ew.printf("**%s**\n\n", mdText(t.Title))
		}
		if len(t.Columns) > 0 {
			cells := make([]string, len(t.Columns))
			seps := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				cells[i], seps[i] = mdCell(c), "---"
			}
			ew.printf("| %s |\n|%s|\n", strings.Join(cells, " | "), strings.Join(seps, "|"))
		}
		for _, row := range t.Rows {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = mdCell(c)
			}
			ew.printf("| %s |\n", strings.Join(cells, " | "))
		}
		ew.printf("\n")
	}

	if actions := r.NextActions(); len(actions) > 0 {
		ew.printf("**Next actions**\n\n")
		for i, a := range actions {
			ew.printf("%d. %s\n", i+1, mdText(a))
		}
		ew.printf("\n")
	}
	return ew.err
}

// mdCell makes text safe inside a table cell: pipes escaped, newlines as <br>.
func mdCell(s string) string {
	s = mdText(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

// mdText keeps user-controlled text (YAML values end up in messages) from injecting HTML
// into the summary page.
func mdText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(strings.TrimRight(finding.Printable(s), "\n"))
}

// mdCode makes text safe inside an inline code span.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`, "\n", " ").Replace(finding.PrintableLine(s))
}

// StepSummaryEnv is the variable GitHub Actions sets to the job summary file.
const StepSummaryEnv = "GITHUB_STEP_SUMMARY"

// AppendStepSummary appends the markdown summary to the file named by $GITHUB_STEP_SUMMARY
// (never truncating it: several steps and checkers share one job summary). It does nothing
// when the variable is unset. getenv is os.Getenv in production.
func AppendStepSummary(getenv func(string) string, r *finding.Report, opts Options) error {
	path := getenv(StepSummaryEnv)
	if path == "" {
		return nil
	}
	md, err := markdownBytes(r, opts)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append step summary: %w", err)
	}
	if _, err := f.Write(md); err != nil {
		f.Close()
		return fmt.Errorf("append step summary %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append step summary %s: %w", path, err)
	}
	return nil
}

func markdownBytes(r *finding.Report, opts Options) ([]byte, error) {
	var b strings.Builder
	if err := WriteMarkdown(&b, r, opts); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
