package render

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// FuzzRenderers feeds arbitrary text (overlay values end up in messages, files and table
// cells) through every format and checks each stays well-formed: JSON and SARIF parse and
// JSON round-trips, JUnit is valid XML, the text report ends with the summary line, and no
// value can start a second GitHub workflow command.
func FuzzRenderers(f *testing.F) {
	f.Add("core.pinned_commit 1111 differs", "config/organization.yaml", 12, 19, "gfenroll pin <sha>", uint8(3), "tinyland-nix")
	f.Add("a\nb\r\n::error::forged", "dir:x,y%z.yaml", 0, 0, "", uint8(2), "|cell|")
	f.Add("\x00\x1b[2J<&>\"'", "", 1, 0, "]]>", uint8(0), "\xff\xfe")
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
