package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleReport exercises every rendering concern: all severities, an expected warning,
// a rule with two blockers, a passing rule, a finding whose rule was never registered, a
// finding without a file and one without a column, characters every format must escape,
// a multi-line message and a table.
func sampleReport() *finding.Report {
	r := &finding.Report{Tool: "gfenroll"}
	r.AddRules(
		finding.Rule{ID: "pins/drift", Summary: "core.pinned_commit and the MODULE.bazel git_override commit agree", Help: "Both pins name the same 40-hex core commit."},
		finding.Rule{ID: "pins/expected-ref", Summary: "both pins resolve to the expected core ref"},
		finding.Rule{ID: "taxonomy/repo-registration-anchor", Summary: "github_config_url is owner-scoped"},
		finding.Rule{ID: "taxonomy/minted-label", Summary: "workflow-facing labels are shared capability classes"},
		finding.Rule{ID: "workflows/pull-request-target", Summary: "no pull_request_target on shared labels"},
	)
	r.Add(
		finding.Finding{Rule: "pins/drift", Severity: finding.Blocker,
			Position:   finding.Position{File: "config/organization.yaml", Line: 12, Column: 19},
			Message:    "core.pinned_commit 1111111111111111111111111111111111111111 differs from MODULE.bazel git_override commit 2222222222222222222222222222222222222222",
			NextAction: "Refresh both pins together: gfenroll pin <sha>, then rerun strict preflight."},
		finding.Finding{Rule: "pins/drift", Severity: finding.Blocker,
			Position:   finding.Position{File: "MODULE.bazel", Line: 9, Column: 14},
			Message:    "git_override commit 2222222222222222222222222222222222222222 differs from core.pinned_commit",
			NextAction: "Refresh both pins together: gfenroll pin <sha>, then rerun strict preflight."},
		finding.Finding{Rule: "taxonomy/repo-registration-anchor", Severity: finding.Warning,
			Position:   finding.Position{File: "tofu/stacks/arc-runners/jess.tfvars", Line: 3, Column: 21},
			Message:    "github_config_url https://github.com/Jess/infra is repo-scoped",
			NextAction: "Keep the anchor only while the account is personal.",
			Expected:   true},
		finding.Finding{Rule: "taxonomy/minted-label", Severity: finding.Warning,
			Position:   finding.Position{File: "tofu/stacks/arc-runners/jess.tfvars", Line: 40},
			Message:    "label \"jess-nix\" looks minted: 100% owner-shaped, a:b,c <x> & | pipe\nsecond line of detail",
			NextAction: "Use a shared label such as tinyland-nix."},
		finding.Finding{Rule: "pins/expected-ref", Severity: finding.Info,
			Message: "no expected core ref given; pins compared only with each other"},
		finding.Finding{Rule: "pins/drift", Severity: finding.OK,
			Position: finding.Position{File: ".github/workflows/ci.yml", Line: 5, Column: 7},
			Message:  "workflow pin agrees"},
		finding.Finding{Rule: "custom/unregistered", Severity: finding.Blocker,
			Position:   finding.Position{File: "dir with space/x:y.yaml", Line: 1, Column: 1},
			Message:    "control \x01 character and \"quotes\"",
			NextAction: "Register the rule."},
	)
	r.Tables = []finding.Table{{
		Title:   "Shared label capacity on cluster honey",
		Columns: []string{"LABEL", "MAX RUNNERS", "OVERLAYS"},
		Rows: [][]string{
			{"tinyland-nix", "12", "tinyland-org, jess-personal"},
			{"tinyland-nix-heavy", "3", "jess-personal"},
		},
	}}
	r.Finalize()
	return r
}

func cleanReport() *finding.Report {
	r := &finding.Report{Tool: "enrollcheck"}
	r.AddRules(finding.Rule{ID: "workflows/shared-label", Summary: "self-hosted runs-on labels are shared"})
	r.Finalize()
	return r
}

func singleBlockerReport() *finding.Report {
	r := &finding.Report{Tool: "gfenroll"}
	r.AddRules(finding.Rule{ID: "pins/drift", Summary: "pins agree"}, finding.Rule{ID: "pins/format", Summary: "pins are 40-hex"})
	r.Add(finding.Finding{Rule: "pins/drift", Severity: finding.Blocker,
		Position: finding.Position{File: "MODULE.bazel", Line: 2, Column: 1}, Message: "drift", NextAction: "Run gfenroll pin <sha>."})
	r.Finalize()
	return r
}

type goldenCase struct {
	name   string
	report func() *finding.Report
	format Format
	opts   Options
	ext    string
}

func goldenCases() []goldenCase {
	var cs []goldenCase
	for _, rep := range []struct {
		name string
		fn   func() *finding.Report
	}{{"sample", sampleReport}, {"clean", cleanReport}, {"single", singleBlockerReport}} {
		for _, f := range Formats() {
			cs = append(cs, goldenCase{rep.name, rep.fn, f, Options{ToolVersion: "v0.0.0-test"}, f.Extension()})
		}
	}
	cs = append(cs,
		goldenCase{"sample-quiet", sampleReport, Text, Options{Quiet: true}, "txt"},
		goldenCase{"sample-fail-on-warning", sampleReport, JUnit, Options{FailOnWarning: true}, "xml"},
	)
	return cs
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		name := c.name + "." + c.ext
		t.Run(name, func(t *testing.T) {
			got, err := Bytes(c.format, c.report(), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", name), got)
		})
	}
	t.Run("sample.md", func(t *testing.T) {
		got, err := markdownBytes(sampleReport(), Options{Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, filepath.Join("testdata", "sample.md"), got)
	})
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./checks/render -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run go test ./checks/render -update and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestSummaryLine(t *testing.T) {
	for _, c := range []struct {
		s    finding.Summary
		want string
	}{
		{finding.Summary{}, "0 blockers / 0 warnings"},
		{finding.Summary{Blockers: 1}, "1 blocker / 0 warnings"},
		{finding.Summary{Blockers: 2, Warnings: 1}, "2 blockers / 1 warning"},
		{finding.Summary{Warnings: 3, ExpectedWarnings: 1}, "0 blockers / 3 warnings (1 expected)"},
		{finding.Summary{ExpectedWarnings: 2, Infos: 4, OKs: 9}, "0 blockers / 0 warnings (2 expected)"},
	} {
		if got := SummaryLine(c.s); got != c.want {
			t.Errorf("SummaryLine(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestTextLastLineIsSummary(t *testing.T) {
	for _, rep := range []*finding.Report{sampleReport(), cleanReport(), singleBlockerReport()} {
		out, err := Bytes(Text, rep, Options{})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if last := lines[len(lines)-1]; last != SummaryLine(rep.Summary) {
			t.Errorf("last line %q, want summary %q", last, SummaryLine(rep.Summary))
		}
	}
}

func TestTextQuietHidesOnlyOK(t *testing.T) {
	out, _ := Bytes(Text, sampleReport(), Options{Quiet: true})
	if strings.Contains(string(out), " ok pins/drift") {
		t.Errorf("quiet text still shows an ok finding:\n%s", out)
	}
	if !strings.Contains(string(out), "info pins/expected-ref") {
		t.Errorf("quiet text hides info findings:\n%s", out)
	}
	loud, _ := Bytes(Text, sampleReport(), Options{})
	if !strings.Contains(string(loud), ".github/workflows/ci.yml:5:7: ok pins/drift: workflow pin agrees") {
		t.Errorf("default text hides the ok finding:\n%s", loud)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rep := sampleReport()
	out, err := Bytes(JSON, rep, Options{})
	if err != nil {
		t.Fatal(err)
	}
	back, err := finding.Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Findings, rep.Findings) {
		t.Errorf("findings changed in a JSON round trip:\n got %+v\nwant %+v", back.Findings, rep.Findings)
	}
	if back.Summary != rep.Summary || back.Tool != rep.Tool || !reflect.DeepEqual(back.Tables, rep.Tables) {
		t.Errorf("summary/tool/tables changed in a JSON round trip: %+v", back)
	}
	// Every finding carries every key, in the documented order.
	var raw struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	keys := []string{`"rule"`, `"severity"`, `"file"`, `"line"`, `"column"`, `"message"`, `"next_action"`, `"expected"`}
	for _, f := range raw.Findings {
		last := -1
		for _, k := range keys {
			i := bytes.Index(f, []byte(k))
			if i <= last {
				t.Fatalf("finding %s: key %s missing or out of order", f, k)
			}
			last = i
		}
	}
	if !bytes.HasPrefix(out, []byte("{\n  \"findings\": [")) {
		t.Errorf("JSON report does not start with findings:\n%.60s", out)
	}
}

// junitDoc mirrors the JUnit XML we promise, read back with encoding/xml.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			ClassName string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitRoundTrip(t *testing.T) {
	for _, failOnWarning := range []bool{false, true} {
		rep := sampleReport()
		out, err := Bytes(JUnit, rep, Options{FailOnWarning: failOnWarning})
		if err != nil {
			t.Fatal(err)
		}
		var doc junitDoc
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("JUnit output is not valid XML: %v\n%s", err, out)
		}
		rules := rulesInOrder(rep)
		if doc.Tests != len(rules) {
			t.Errorf("tests=%d, want one per rule (%d)", doc.Tests, len(rules))
		}
		cases := map[string]bool{}
		failures, sumTests := 0, 0
		for _, s := range doc.Suites {
			sumTests += s.Tests
			suiteFailures := 0
			for _, c := range s.Cases {
				cases[c.Name] = true
				if c.ClassName != s.Name || finding.Gate(c.Name) != s.Name {
					t.Errorf("case %s in suite %s has classname %s", c.Name, s.Name, c.ClassName)
				}
				if c.Failure != nil {
					suiteFailures++
				}
			}
			if suiteFailures != s.Failures {
				t.Errorf("suite %s failures=%d, counted %d", s.Name, s.Failures, suiteFailures)
			}
			failures += suiteFailures
		}
		if failures != doc.Failures || sumTests != doc.Tests {
			t.Errorf("totals %d/%d disagree with suites %d/%d", doc.Tests, doc.Failures, sumTests, failures)
		}
		for _, x := range rules {
			if !cases[x.ID] {
				t.Errorf("rule %s has no testcase", x.ID)
			}
		}
		// Every blocker appears with its position in its rule's failure.
		for _, f := range rep.Findings {
			if f.Severity != finding.Blocker {
				continue
			}
			found := false
			for _, s := range doc.Suites {
				for _, c := range s.Cases {
					if c.Name == f.Rule && c.Failure != nil && strings.Contains(c.Failure.Body, f.Position.String()+": blocker") {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("blocker %s at %s missing from its testcase failure", f.Rule, f.Position)
			}
		}
		wantFailures := 2 // pins/drift, custom/unregistered
		if failOnWarning {
			wantFailures = 3 // + the unexpected taxonomy/minted-label warning; the expected one never fails
		}
		if doc.Failures != wantFailures {
			t.Errorf("failOnWarning=%v: failures=%d, want %d", failOnWarning, doc.Failures, wantFailures)
		}
	}
}

func TestSARIFShape(t *testing.T) {
	out, err := Bytes(SARIF, sampleReport(), Options{ToolVersion: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			OriginalURIBaseIDs map[string]json.RawMessage `json:"originalUriBaseIds"`
			Results            []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Suppressions []struct {
					Kind string `json:"kind"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 log with one run: version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "gfenroll" || run.Tool.Driver.Version != "1.2.3" {
		t.Errorf("driver = %+v", run.Tool.Driver)
	}
	if _, ok := run.OriginalURIBaseIDs["SRCROOT"]; !ok || bytes.Contains(run.OriginalURIBaseIDs["SRCROOT"], []byte(`"uri"`)) {
		t.Errorf("SRCROOT must be declared without an absolute uri: %s", run.OriginalURIBaseIDs["SRCROOT"])
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == "" {
			t.Errorf("rule without id or shortDescription: %+v", r)
		}
	}
	levels := map[string]int{}
	for _, res := range run.Results {
		levels[res.Level]++
		if res.RuleIndex < 0 || res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s has ruleIndex %d not pointing at its rule", res.RuleID, res.RuleIndex)
		}
		for _, l := range res.Locations {
			a := l.PhysicalLocation.ArtifactLocation
			if a.URIBaseID != "SRCROOT" || strings.HasPrefix(a.URI, "/") || strings.Contains(a.URI, "file:") || strings.Contains(a.URI, " ") {
				t.Errorf("location %+v is not a relative, encoded SRCROOT uri", a)
			}
			if reg := l.PhysicalLocation.Region; reg != nil && reg.StartLine < 1 {
				t.Errorf("region startLine %d", reg.StartLine)
			}
		}
		if res.RuleID == "taxonomy/repo-registration-anchor" && (len(res.Suppressions) != 1 || res.Suppressions[0].Kind != "external") {
			t.Errorf("expected warning not suppressed: %+v", res.Suppressions)
		}
	}
	// 3 blockers, 2 warnings, 1 info; the ok finding is not a result.
	if want := map[string]int{"error": 3, "warning": 2, "note": 1}; !reflect.DeepEqual(levels, want) {
		t.Errorf("levels = %v, want %v", levels, want)
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got, want := escapeData("100% a\r\nb:c,d"), "100%25 a%0D%0Ab:c,d"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("dir/x:y,z%\n"), "dir/x%3Ay%2Cz%25%0A"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
	out, _ := Bytes(GitHub, sampleReport(), Options{})
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if strings.HasPrefix(line, "::") {
			// A command line must not be split by an unescaped newline and has exactly the
			// "::cmd props::" framing.
			if strings.Count(line, "::") < 2 {
				t.Errorf("malformed command %q", line)
			}
		}
	}
	if !strings.Contains(string(out), "::error file=dir with space/x%3Ay.yaml,line=1,col=1,title=custom/unregistered::") {
		t.Errorf("file property not escaped:\n%s", out)
	}
	if !strings.Contains(string(out), "::notice file=tofu/stacks/arc-runners/jess.tfvars,line=3,col=21,title=taxonomy/repo-registration-anchor (expected warning)::") {
		t.Errorf("expected warning is not a notice:\n%s", out)
	}
	if strings.Contains(string(out), "workflow pin agrees") {
		t.Errorf("ok finding annotated:\n%s", out)
	}
}

func TestAppendStepSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == StepSummaryEnv {
			return path
		}
		return ""
	}
	for i := 0; i < 2; i++ {
		if err := AppendStepSummary(env, singleBlockerReport(), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "earlier step\n") || strings.Count(string(b), "### gfenroll: 1 blocker / 0 warnings") != 2 {
		t.Errorf("summary not appended twice after earlier content:\n%s", b)
	}
	if err := AppendStepSummary(func(string) string { return "" }, singleBlockerReport(), Options{}); err != nil {
		t.Errorf("unset GITHUB_STEP_SUMMARY must be a no-op, got %v", err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "text, json, junit, github, sarif") {
		t.Errorf("ParseFormat(yaml) error %v should list the formats", err)
	}
}

// A value from an overlay file must never put a raw control character (an ANSI escape, a
// carriage return forging a line) into any output.
func TestNoRawControlCharacters(t *testing.T) {
	rep := sampleReport()
	rep.Findings[0].Message = "evil \x1b[2J\rforged line\x00 \xff"
	rep.Findings[0].NextAction = "act \x1b]8;;x\x07 now"
	for _, f := range Formats() {
		out, err := Bytes(f, rep, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range out {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				t.Errorf("%s output has raw control byte %#x at %d", f, c, i)
				break
			}
		}
	}
}
