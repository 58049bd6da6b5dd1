// Package finding is the result model every enrollment gate speaks: a finding is one
// rule's verdict on one place in an overlay, and a Report is the ordered set of findings of
// one run plus the rules that were evaluated (so JUnit and SARIF can list passing rules too).
//
// The package is public on purpose: a consumer's custom checker builds a Report with it and
// hands it to package render, so its output and exit codes match the built-in gates.
package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Severity orders findings by how much they block enrollment.
type Severity int

const (
	// OK records a rule that passed at a specific place worth showing (e.g. "deploy key present").
	OK Severity = iota
	// Info is context an operator should know but need not act on.
	Info
	// Warning needs attention; it fails only with --fail-on-warning unless declared expected.
	Warning
	// Blocker means the overlay is not enrolled; strict runs and hermetic gates exit 1.
	Blocker
)

var severityNames = [...]string{OK: "ok", Info: "info", Warning: "warning", Blocker: "blocker"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity is the inverse of String.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want blocker, warning, info or ok)", s)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Position is a place in a file. Line and Column are 1-based; zero means unknown.
// File is relative to the overlay root (never absolute: cached Bazel results must stay
// valid on another runner).
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// CompareInFile orders two positions of one file by line, then column (-1, 0, +1).
func (p Position) CompareInFile(q Position) int {
	if c := cmp.Compare(p.Line, q.Line); c != 0 {
		return c
	}
	return cmp.Compare(p.Column, q.Column)
}

// IsValid reports whether the position names at least a file.
func (p Position) IsValid() bool { return p.File != "" }

// String renders file:line:col, dropping unknown parts.
func (p Position) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

// Finding is one verdict. Rule is a stable id "<gate>/<name>" (e.g. "pins/drift").
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Position
	Message string `json:"message"`
	// NextAction tells the operator exactly what to do; required for blockers and warnings.
	NextAction string `json:"next_action,omitempty"`
	// Expected marks a warning the overlay declared as expected (e.g. its personal-boundary
	// registration anchor): shown, counted apart, never failing.
	Expected bool `json:"expected,omitempty"`
	// Step is the enrollment step the finding belongs to (its rule's; set by Finalize).
	Step Step `json:"step"`
}

// Step is one step of the enrollment sequence an owner walks, in order.
type Step int

// The enrollment steps. A rule that declares none belongs to StepOverlay.
const (
	StepOverlay      Step = iota // overlay files and pins
	StepApp                      // owner GitHub App installed with runner permissions
	StepAppSecret                // App secret in both ARC namespaces
	StepCoreRead                 // core-read credential
	StepCachePublish             // optional cache-publish token
	StepPreflight                // preflight clean
	StepPlan                     // plan reviewed
	StepApply                    // apply behind the destroy guard
	StepProof                    // default-branch proof on a shared label
)

var stepNames = [...]string{
	StepOverlay:      "overlay files and pins",
	StepApp:          "owner GitHub App installed with runner permissions",
	StepAppSecret:    "App secret in both ARC namespaces",
	StepCoreRead:     "core-read credential",
	StepCachePublish: "cache-publish token (optional)",
	StepPreflight:    "preflight clean",
	StepPlan:         "plan reviewed",
	StepApply:        "apply behind the destroy guard",
	StepProof:        "default-branch proof on a shared label",
}

// Steps lists every step in order.
func Steps() []Step {
	out := make([]Step, len(stepNames))
	for i := range out {
		out[i] = Step(i)
	}
	return out
}

func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return fmt.Sprintf("step(%d)", int(s))
	}
	return stepNames[s]
}

// Rule describes a rule a gate evaluates. Every finding's Rule must be registered.
type Rule struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Help is a longer explanation (SARIF fullDescription / docs).
	Help string `json:"help,omitempty"`
	// Step is the enrollment step the rule's findings belong to (default StepOverlay).
	Step Step `json:"step,omitempty"`
	// Docs are the rule's rows in the rule reference (docs/rules.md), one per severity it
	// is reported with. Documentation only: never part of a report's output.
	Docs []RuleDoc `json:"-"`
}

// RuleDoc is one row of the rule reference: when a rule is reported with a severity, and
// what the operator does then. Markdown.
type RuleDoc struct {
	Severity   string // "blocker", "warning", "blocker with --strict", ...
	When       string // what triggers it
	NextAction string // the fix; "—" where there is nothing to do
}

// WithDocs returns a copy of rules with each rule's Docs taken from docs (keyed by id).
func WithDocs(rules []Rule, docs map[string][]RuleDoc) []Rule {
	out := append([]Rule(nil), rules...)
	for i := range out {
		out[i].Docs = docs[out[i].ID]
	}
	return out
}

// Gate returns the gate part of a rule id ("pins" for "pins/drift").
func Gate(ruleID string) string {
	if i := strings.IndexByte(ruleID, '/'); i >= 0 {
		return ruleID[:i]
	}
	return ruleID
}

// Summary counts findings by severity. Warnings excludes expected warnings.
type Summary struct {
	Blockers         int `json:"blockers"`
	Warnings         int `json:"warnings"`
	ExpectedWarnings int `json:"expected_warnings"`
	Infos            int `json:"infos"`
	OKs              int `json:"ok"`
}

// Report is the canonical output of one run.
type Report struct {
	// Tool names the producer ("gfenroll", or a custom checker's name).
	Tool string `json:"tool,omitempty"`
	// Rules lists every rule evaluated, in evaluation order.
	Rules    []Rule    `json:"rules,omitempty"`
	Findings []Finding `json:"findings"`
	// Tables carries extra tabular context (e.g. per-cluster label capacity).
	Tables  []Table `json:"tables,omitempty"`
	Summary Summary `json:"summary"`
}

// Table is a small titled grid shown after the findings in text/markdown output.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// AddRules registers rules as evaluated, ignoring ids already present.
func (r *Report) AddRules(rules ...Rule) {
	seen := make(map[string]bool, len(r.Rules))
	for _, x := range r.Rules {
		seen[x.ID] = true
	}
	for _, x := range rules {
		if !seen[x.ID] {
			seen[x.ID] = true
			r.Rules = append(r.Rules, x)
		}
	}
}

// Add appends findings.
func (r *Report) Add(fs ...Finding) { r.Findings = append(r.Findings, fs...) }

// Merge appends another report's rules, findings and tables.
func (r *Report) Merge(o *Report) {
	if o == nil {
		return
	}
	r.AddRules(o.Rules...)
	r.Findings = append(r.Findings, o.Findings...)
	r.Tables = append(r.Tables, o.Tables...)
}

// MarkExpected flags warnings whose rule id is in expected. It returns the ids that
// matched no warning, so a caller can say an expectation is stale.
func (r *Report) MarkExpected(expected []string) (unmatched []string) {
	want := map[string]bool{}
	for _, e := range expected {
		want[e] = false
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Severity != Warning {
			continue
		}
		if _, ok := want[f.Rule]; ok {
			f.Expected = true
			want[f.Rule] = true
		}
	}
	for _, e := range expected {
		if !want[e] {
			unmatched = append(unmatched, e)
			want[e] = true // report each once
		}
	}
	return unmatched
}

// Finalize sorts findings (by file, line, column, rule; findings without a file last
// within their severity-independent order) and recomputes the summary. Call it once, before
// rendering.
func (r *Report) Finalize() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if (a.File == "") != (b.File == "") {
			return a.File != ""
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if c := a.Position.CompareInFile(b.Position); c != 0 {
			return c < 0
		}
		return a.Rule < b.Rule
	})
	steps := make(map[string]Step, len(r.Rules))
	for _, x := range r.Rules {
		steps[x.ID] = x.Step
	}
	for i := range r.Findings {
		r.Findings[i].Step = steps[r.Findings[i].Rule]
	}
	var s Summary
	for _, f := range r.Findings {
		switch f.Severity {
		case Blocker:
			s.Blockers++
		case Warning:
			if f.Expected {
				s.ExpectedWarnings++
			} else {
				s.Warnings++
			}
		case Info:
			s.Infos++
		case OK:
			s.OKs++
		}
	}
	r.Summary = s
}

// Validate checks the model's own invariants: every finding names a registered rule and
// every blocker or warning carries a next action. Gates' tests call it.
func (r *Report) Validate() error {
	known := map[string]bool{}
	for _, x := range r.Rules {
		known[x.ID] = true
	}
	var errs []string
	for _, f := range r.Findings {
		if !known[f.Rule] {
			errs = append(errs, fmt.Sprintf("finding %q at %s: rule not registered", f.Rule, f.Position))
		}
		if (f.Severity == Blocker || f.Severity == Warning) && strings.TrimSpace(f.NextAction) == "" {
			errs = append(errs, fmt.Sprintf("%s finding %q at %s has no next action", f.Severity, f.Rule, f.Position))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid report:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// NextActions returns the distinct next actions of blockers then warnings (unexpected
// first), in enrollment-step order, then finding order: the operator's enrollment queue.
func (r *Report) NextActions() []string {
	var out []string
	seen := map[string]bool{}
	ordered := append([]Finding(nil), r.Findings...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Step < ordered[j].Step })
	for _, pass := range []func(Finding) bool{
		func(f Finding) bool { return f.Severity == Blocker },
		func(f Finding) bool { return f.Severity == Warning && !f.Expected },
	} {
		for _, f := range ordered {
			if pass(f) && f.NextAction != "" && !seen[f.NextAction] {
				seen[f.NextAction] = true
				out = append(out, f.NextAction)
			}
		}
	}
	return out
}

// Decode reads a canonical JSON report (as written by render's JSON format).
func Decode(b []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	return &r, nil
}
