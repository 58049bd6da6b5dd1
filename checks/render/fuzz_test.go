package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"unicode"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// FuzzRenderers feeds arbitrary text (overlay values end up in messages, files and table
// cells) through every format and checks each stays well-formed: JSON and SARIF parse and
// JSON round-trips, JUnit is valid XML, the text report ends with the summary line, no
// value can start a workflow command (only the github format's own annotations start a line
// with "::") and no raw control character is written.
func FuzzRenderers(f *testing.F) {
	f.Add("core.pinned_commit 1111 differs", "config/organization.yaml", 12, 19, "gfenroll pin <sha>", uint8(3), "tinyland-nix")
	f.Add("a\nb\r\n::error::forged", "dir:x,y%z.yaml", 0, 0, "", uint8(2), "|cell|")
	f.Add("\x00\x1b[2J<&>\"'", "", 1, 0, "]]>", uint8(0), "\xff\xfe")
	f.Add("x\u2028::error::a", "f\n \u00a0::warning::b", 2, 3, "##[error]c", uint8(3), ":")
	f.Fuzz(func(t *testing.T, msg, file string, line, col int, next string, sev uint8, cell string) {
		r := &finding.Report{Tool: "fuzz"}
		r.AddRules(finding.Rule{ID: "fuzz/rule", Summary: msg})
		r.Add(finding.Finding{
			Rule: "fuzz/rule", Severity: finding.Severity(sev % 4),
			Position: finding.Position{File: file, Line: line, Column: col},
			Message:  msg, NextAction: next,
		})
		r.Tables = []finding.Table{{Title: cell, Columns: []string{cell, "n"}, Rows: [][]string{{cell, msg}}}}
		r.Finalize()

		for _, format := range Formats() {
			out, err := Bytes(format, r, Options{})
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			for _, l := range strings.Split(string(out), "\n") {
				if format != GitHub && strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") {
					t.Fatalf("%s: a value starts a workflow command: %q", format, l)
				}
				if strings.Contains(l, "##[") {
					t.Fatalf("%s: a value carries a legacy workflow command: %q", format, l)
				}
			}
			if i := bytes.IndexFunc(out, func(r rune) bool { return r != '\n' && finding.Unsafe(r) }); i >= 0 {
				t.Fatalf("%s: raw control character at byte %d: %q", format, i, out)
			}
			switch format {
			case JSON:
				back, err := finding.Decode(out)
				if err != nil {
					t.Fatalf("JSON does not decode: %v", err)
				}
				if len(back.Findings) != 1 || back.Findings[0].Rule != "fuzz/rule" {
					t.Fatalf("JSON round trip lost the finding: %+v", back.Findings)
				}
			case SARIF:
				var v map[string]any
				if err := json.Unmarshal(out, &v); err != nil {
					t.Fatalf("SARIF is not JSON: %v", err)
				}
			case JUnit:
				var v struct {
					XMLName xml.Name `xml:"testsuites"`
				}
				if err := xml.Unmarshal(out, &v); err != nil {
					t.Fatalf("JUnit is not valid XML: %v\n%s", err, out)
				}
			case Text:
				lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
				if lines[len(lines)-1] != SummaryLine(r.Summary) {
					t.Fatalf("text does not end with the summary line:\n%s", out)
				}
			case GitHub:
				lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
				for _, l := range lines[:len(lines)-1] {
					if !strings.HasPrefix(l, "::") {
						t.Fatalf("a value broke a workflow command across lines: %q", l)
					}
				}
			}
		}
	})
}
