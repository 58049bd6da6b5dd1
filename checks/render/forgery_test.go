package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// forgingPayloads are values an overlay (or a file name, or an API answer) can carry that
// would forge a CI annotation, move a terminal's cursor or break a format if printed raw.
var forgingPayloads = []string{
	"x\n::error file=a.yaml,line=1::forged",
	"x\r::warning::forged by a carriage return",
	"x\r\n  ::notice::forged after blanks",
	"x\n\t\u00a0::error::forged after a tab and a no-break space",
	"::error::at the very start",
	":",
	"x\u2028::error::forged by a line separator",
	"x\u2029::error::forged by a paragraph separator",
	"x\u0085::error::forged by NEL",
	"colour \x1b[31mred\x1b[0m and \x1b]0;title\x07",
	"nul \x00 byte",
	"invalid \xff\xfe utf-8",
	"del \x7f and c1 \u009b",
	"bidi \u202etxt.exe\u202c \u2066isolate\u2069",
	"legacy ##[error]forged anywhere in a line",
	"zero\u200bwidth \ufeffbom",
}

// forgeryReport puts payload into every value a renderer prints: file names, rule ids,
// messages, next actions, table titles and cells, rule summaries and the tool name.
func forgeryReport(payload string) *finding.Report {
	rule := "gate/" + payload
	r := &finding.Report{Tool: "tool" + payload}
	r.AddRules(finding.Rule{ID: rule, Summary: payload, Help: payload}, finding.Rule{ID: "gate/plain", Summary: "plain"})
	r.Add(
		finding.Finding{Rule: rule, Severity: finding.Blocker, Position: finding.Position{File: payload, Line: 1, Column: 2},
			Message: payload, NextAction: payload},
		finding.Finding{Rule: "gate/plain", Severity: finding.Warning, Position: finding.Position{File: "dir/" + payload + ".yaml", Line: 3},
			Message: "warning " + payload, NextAction: "act " + payload},
		finding.Finding{Rule: rule, Severity: finding.Warning, Message: payload, NextAction: payload, Expected: true},
		finding.Finding{Rule: "gate/plain", Severity: finding.Info, Message: payload},
		finding.Finding{Rule: "gate/plain", Severity: finding.OK, Position: finding.Position{File: payload}, Message: payload},
	)
	r.Tables = []finding.Table{{Title: payload, Columns: []string{payload, "n"}, Rows: [][]string{{payload, payload}, {"a", payload}}}}
	r.Finalize()
	return r
}

// TestNoOutputCanBeForged: for every format and payload, no output line (after the blanks a
// CI runner strips) starts with "::" unless it is one of our own annotations in the github
// format, no line carries "##[", no raw control character appears, the JSON formats stay
// valid with the value recoverable, and JUnit stays well-formed XML.
func TestNoOutputCanBeForged(t *testing.T) {
	type output struct {
		name string
		// annotations is how many lines may start with "::" (our own workflow commands).
		annotations int
		write       func(io.Writer, *finding.Report) error
	}
	outputs := []output{{name: "markdown", write: func(w io.Writer, r *finding.Report) error { return WriteMarkdown(w, r, Options{}) }}}
	for _, f := range Formats() {
		o := output{name: string(f), write: func(w io.Writer, r *finding.Report) error { return Render(w, f, r, Options{FailOnWarning: true}) }}
		if f == GitHub {
			o.annotations = 4 // one per finding but the ok one
		}
		outputs = append(outputs, o)
	}
	for _, payload := range forgingPayloads {
		for _, out := range outputs {
			t.Run(fmt.Sprintf("%s/%q", out.name, payload), func(t *testing.T) {
				r := forgeryReport(payload)
				var b bytes.Buffer
				if err := out.write(&b, r); err != nil {
					t.Fatal(err)
				}
				text := b.String()
				commands := 0
				for i, line := range strings.Split(text, "\n") {
					if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
						commands++
						if !strings.HasPrefix(line, "::error ") && !strings.HasPrefix(line, "::warning ") && !strings.HasPrefix(line, "::notice ") {
							t.Errorf("line %d starts a workflow command that is not ours: %q", i+1, line)
						}
					}
					if strings.Contains(line, "##[") {
						t.Errorf("line %d carries a legacy workflow command: %q", i+1, line)
					}
				}
				if commands != out.annotations {
					t.Errorf("%d lines start with \"::\", want %d (our annotations):\n%s", commands, out.annotations, text)
				}
				for _, c := range text {
					if c != '\n' && finding.Unsafe(c) {
						t.Errorf("raw %U in output:\n%q", c, text)
						break
					}
				}
				checkWellFormed(t, out.name, b.Bytes(), payload)
			})
		}
	}
}

func checkWellFormed(t *testing.T, format string, out []byte, payload string) {
	t.Helper()
	// JSON cannot carry invalid UTF-8 (encoding/json writes U+FFFD for each bad byte); any
	// other value must come back as it was.
	var want string
	if b, err := json.Marshal(payload); err != nil || json.Unmarshal(b, &want) != nil {
		t.Fatalf("payload %q does not survive encoding/json itself", payload)
	}
	switch Format(format) {
	case JSON:
		back, err := finding.Decode(out)
		if err != nil {
			t.Fatalf("JSON does not decode: %v", err)
		}
		for _, f := range back.Findings {
			if f.Severity == finding.Blocker && (f.Message != want || f.File != want || f.NextAction != want) {
				t.Errorf("JSON blocker = %+v, want file, message and next action %q", f, want)
			}
		}
		if got := back.Tables[0].Title; got != want {
			t.Errorf("JSON table title = %q, want %q", got, want)
		}
	case SARIF:
		var log sarifLog
		if err := json.Unmarshal(out, &log); err != nil {
			t.Fatalf("SARIF is not JSON: %v", err)
		}
		for _, res := range log.Runs[0].Results {
			if got := res.Properties["nextAction"]; res.Level == "error" && got != want {
				t.Errorf("SARIF next action = %q, want %q", got, want)
			}
		}
	case JUnit:
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("JUnit is not well-formed XML: %v\n%s", err, out)
			}
		}
	}
}
