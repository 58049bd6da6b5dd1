package render

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// jsonReport fixes the canonical field order: findings and summary first (what scripts
// read), then the evaluated rules, tables and the producer. Every finding carries every key,
// so `jq '.findings[].line'` never meets a missing field.
type jsonReport struct {
	Findings []jsonFinding   `json:"findings"`
	Summary  finding.Summary `json:"summary"`
	Rules    []finding.Rule  `json:"rules"`
	Tables   []finding.Table `json:"tables"`
	Tool     string          `json:"tool"`
}

type jsonFinding struct {
	Rule       string           `json:"rule"`
	Severity   finding.Severity `json:"severity"`
	File       string           `json:"file"`
	Line       int              `json:"line"`
	Column     int              `json:"column"`
	Message    string           `json:"message"`
	NextAction string           `json:"next_action"`
	Expected   bool             `json:"expected"`
}

// WriteJSON renders the canonical JSON report, indented, ending with a newline. It decodes
// back with finding.Decode.
func WriteJSON(w io.Writer, r *finding.Report) error {
	r = r.Redacted()
	out := jsonReport{
		Findings: make([]jsonFinding, 0, len(r.Findings)),
		Summary:  r.Summary,
		Rules:    rulesInOrder(r),
		Tables:   r.Tables,
		Tool:     r.Tool,
	}
	if out.Tables == nil {
		out.Tables = []finding.Table{}
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding{
			Rule: f.Rule, Severity: f.Severity,
			File: f.File, Line: f.Line, Column: f.Column,
			Message: f.Message, NextAction: f.NextAction, Expected: f.Expected,
		})
	}
	return encodeJSON(w, out)
}

// encodeJSON writes v indented, ending with a newline, with every finding.Unsafe rune
// escaped (JSON and SARIF share it).
func encodeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	// Messages quote YAML and HCL; "<" and "&" stay readable for people diffing goldens.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeUnsafeJSON(b.Bytes()))
	return err
}
