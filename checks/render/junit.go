package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// JUnit shape: one <testsuite> per gate, one <testcase> per evaluated rule (classname = the
// gate, name = the rule id), so Bazel's test.xml and CI test views list passing rules too.
// A rule with blockers gets one <failure> listing each blocker with its position; warnings
// go to <system-out> unless Options.FailOnWarning, where unexpected warnings fail the case
// like they fail the exit code. encoding/xml does the escaping (and replaces characters XML
// 1.0 cannot carry), so any message is safe.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element content escaped by xmlText, so multi-line finding blocks keep real
// line breaks in test.xml instead of &#xA; entities.
type junitText struct {
	Body string `xml:",innerxml"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",innerxml"`
}

// WriteJUnit renders JUnit XML.
func WriteJUnit(w io.Writer, r *finding.Report, opts Options) error {
	r = r.Redacted()
	byRule := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}

	doc := junitSuites{Name: toolName(r)}
	suiteIndex := map[string]int{}
	for _, rule := range rulesInOrder(r) {
		gate := finding.Gate(rule.ID)
		i, ok := suiteIndex[gate]
		if !ok {
			i = len(doc.Suites)
			suiteIndex[gate] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: finding.PrintableLine(gate)})
		}
		c := junitCaseFor(gate, rule, byRule[rule.ID], opts)
		s := &doc.Suites[i]
		s.Cases = append(s.Cases, c)
		s.Tests++
		doc.Tests++
		if c.Failure != nil {
			s.Failures++
			doc.Failures++
		}
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCaseFor(gate string, rule finding.Rule, fs []finding.Finding, opts Options) junitCase {
	c := junitCase{ClassName: finding.PrintableLine(gate), Name: finding.PrintableLine(rule.ID)}
	var failing, other []finding.Finding
	for _, f := range fs {
		fails := f.Severity == finding.Blocker ||
			(opts.FailOnWarning && f.Severity == finding.Warning && !f.Expected)
		if fails {
			failing = append(failing, f)
		} else {
			other = append(other, f)
		}
	}
	if len(failing) > 0 {
		c.Failure = &junitFailure{
			Message: failureMessage(failing),
			Type:    failing[0].Severity.String(),
			Body:    xmlText(findingBlock(failing)),
		}
	}
	if len(other) > 0 {
		c.SystemOut = &junitText{Body: xmlText(findingBlock(other))}
	}
	return c
}

// failureMessage is the one-line summary CI views show next to the test name.
func failureMessage(fs []finding.Finding) string {
	if len(fs) == 1 {
		return FindingLine(fs[0])
	}
	blockers, warnings := 0, 0
	for _, f := range fs {
		if f.Severity == finding.Blocker {
			blockers++
		} else {
			warnings++
		}
	}
	parts := []string{}
	if blockers > 0 {
		parts = append(parts, plural(blockers, "blocker"))
	}
	if warnings > 0 {
		parts = append(parts, plural(warnings, "warning"))
	}
	return strings.Join(parts, ", ") + "; first: " + FindingLine(fs[0])
}

// findingBlock lists findings as text lines, each followed by its next action.
func findingBlock(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(FindingLine(f))
		b.WriteString("\n")
		if f.NextAction != "" {
			b.WriteString("  next action: ")
			b.WriteString(indentContinuation(finding.Printable(f.NextAction), "    "))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// xmlText escapes s as XML character data with encoding/xml (which also replaces characters
// XML 1.0 cannot carry), then restores the newlines it wrote as &#xA;: inside element
// content a literal newline means the same and reads better.
func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writes to a bytes.Buffer cannot fail
	return strings.ReplaceAll(b.String(), "&#xA;", "\n")
}
