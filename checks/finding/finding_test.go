package finding

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSeverityTextRoundTrip(t *testing.T) {
	for _, s := range []Severity{OK, Info, Warning, Blocker} {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Severity
		if err := got.UnmarshalText(b); err != nil || got != s {
			t.Errorf("round trip of %v: got %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("error"); err == nil {
		t.Error(`ParseSeverity("error") succeeded; want an error naming the valid severities`)
	}
	if got := Severity(9).String(); got != "severity(9)" {
		t.Errorf("out-of-range String() = %q", got)
	}
}

func TestPositionString(t *testing.T) {
	for _, c := range []struct {
		p    Position
		want string
	}{
		{Position{}, ""},
		{Position{File: "a.yaml"}, "a.yaml"},
		{Position{File: "a.yaml", Line: 3}, "a.yaml:3"},
		{Position{File: "a.yaml", Line: 3, Column: 7}, "a.yaml:3:7"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.p, got, c.want)
		}
	}
}

func TestGate(t *testing.T) {
	if got := Gate("pins/drift"); got != "pins" {
		t.Errorf("Gate(pins/drift) = %q", got)
	}
	if got := Gate("plain"); got != "plain" {
		t.Errorf("Gate(plain) = %q", got)
	}
}

func sampleReport() *Report {
	r := &Report{}
	r.AddRules(Rule{ID: "pins/drift"}, Rule{ID: "taxonomy/repo-registration-anchor"}, Rule{ID: "workflows/runner-group"})
	r.AddRules(Rule{ID: "pins/drift"}) // duplicate ignored
	r.Add(
		Finding{Rule: "workflows/runner-group", Severity: Info, Position: Position{File: "b.yml", Line: 2}, Message: "group"},
		Finding{Rule: "taxonomy/repo-registration-anchor", Severity: Warning, Position: Position{File: "a.tfvars", Line: 6, Column: 24}, Message: "anchor", NextAction: "keep it private"},
		Finding{Rule: "pins/drift", Severity: Blocker, Message: "no file", NextAction: "refresh both pins"},
		Finding{Rule: "pins/drift", Severity: Blocker, Position: Position{File: "a.tfvars", Line: 1}, Message: "drift", NextAction: "refresh both pins"},
		Finding{Rule: "pins/drift", Severity: OK, Position: Position{File: "c.yaml", Line: 1}, Message: "agree"},
	)
	return r
}

func TestFinalizeSortsAndCounts(t *testing.T) {
	r := sampleReport()
	if len(r.Rules) != 3 {
		t.Fatalf("AddRules kept %d rules, want 3 (duplicates ignored)", len(r.Rules))
	}
	r.MarkExpected([]string{"taxonomy/repo-registration-anchor"})
	r.Finalize()
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.Position.String()+" "+f.Message)
	}
	want := []string{"a.tfvars:1 drift", "a.tfvars:6:24 anchor", "b.yml:2 group", "c.yaml:1 agree", " no file"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("order = %q, want %q", order, want)
	}
	wantSum := Summary{Blockers: 2, Warnings: 0, ExpectedWarnings: 1, Infos: 1, OKs: 1}
	if r.Summary != wantSum {
		t.Errorf("summary = %+v, want %+v", r.Summary, wantSum)
	}
}

func TestMarkExpectedReportsStaleExpectations(t *testing.T) {
	r := sampleReport()
	unmatched := r.MarkExpected([]string{"pins/drift", "taxonomy/repo-registration-anchor", "workflows/nope", "workflows/nope"})
	// pins/drift only has blockers: a blocker can never be waived as an expected warning.
	if want := []string{"pins/drift", "workflows/nope"}; !reflect.DeepEqual(unmatched, want) {
		t.Errorf("unmatched = %q, want %q", unmatched, want)
	}
	for _, f := range r.Findings {
		if f.Severity == Blocker && f.Expected {
			t.Errorf("blocker %s marked expected", f.Rule)
		}
	}
}

func TestNextActionsQueue(t *testing.T) {
	r := sampleReport()
	r.Add(Finding{Rule: "workflows/runner-group", Severity: Warning, Message: "w", NextAction: "fix the workflow"})
	r.MarkExpected([]string{"taxonomy/repo-registration-anchor"})
	r.Finalize()
	got := r.NextActions()
	// Blockers first, deduplicated; expected warnings never enter the queue.
	want := []string{"refresh both pins", "fix the workflow"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NextActions = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	if err := sampleReport().Validate(); err != nil {
		t.Fatalf("valid report rejected: %v", err)
	}
	r := sampleReport()
	r.Add(Finding{Rule: "pins/unregistered", Severity: Info, Message: "x"})
	r.Add(Finding{Rule: "pins/drift", Severity: Warning, Position: Position{File: "m", Line: 4}, Message: "no action"})
	err := r.Validate()
	if err == nil {
		t.Fatal("Validate accepted an unregistered rule and a warning without next action")
	}
	for _, want := range []string{`"pins/unregistered"`, "rule not registered", "m:4 has no next action"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %q lacks %q", err, want)
		}
	}
}

func TestMergeAndDecode(t *testing.T) {
	a := &Report{Tool: "gfenroll"}
	a.AddRules(Rule{ID: "pins/drift"})
	b := sampleReport()
	b.Tables = []Table{{Title: "capacity", Columns: []string{"label", "max"}, Rows: [][]string{{"tinyland-nix", "4"}}}}
	a.Merge(b)
	a.Merge(nil)
	a.Finalize()
	if len(a.Rules) != 3 || len(a.Findings) != 5 || len(a.Tables) != 1 {
		t.Fatalf("merge: %d rules, %d findings, %d tables", len(a.Rules), len(a.Findings), len(a.Tables))
	}
	buf, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a) {
		t.Errorf("decode(encode(r)) differs:\n got %+v\nwant %+v", back, a)
	}
	if _, err := Decode([]byte(`{"findings":[{"severity":"fatal"}]}`)); err == nil || !strings.Contains(err.Error(), "unknown severity") {
		t.Errorf("Decode of a bad severity: %v", err)
	}
}
