package render

import (
	"io"
	"net/url"
	"path/filepath"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// SARIF 2.1.0, written with plain structs (the subset code-scanning consumers read) rather
// than a SARIF library: the format is stable and a dependency would be linked into every
// hermetic checker.
//
// Paths are relative to the overlay root and carry uriBaseId SRCROOT; run.originalUriBaseIds
// declares SRCROOT without a uri, which SARIF defines as "the consumer supplies the base"
// (GitHub code scanning uses the checkout), so no absolute path enters the file.

const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	srcRoot      = "SRCROOT"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds"`
	Results            []sarifResult               `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version,omitempty"`
	Rules   []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifMessage   `json:"shortDescription"`
	FullDescription  *sarifMessage  `json:"fullDescription,omitempty"`
	Help             *sarifMessage  `json:"help,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifMessage       `json:"message"`
	Locations    []sarifLocation    `json:"locations,omitempty"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   map[string]string  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI         string        `json:"uri,omitempty"`
	URIBaseID   string        `json:"uriBaseId,omitempty"`
	Description *sarifMessage `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// WriteSARIF renders a SARIF 2.1.0 log with one run. Blockers are level "error", warnings
// "warning" (a declared-expected warning also carries an external suppression, so code
// scanning files it as dismissed), info "note". Ok findings are not results: a passing rule
// is visible as a rule of the driver.
func WriteSARIF(w io.Writer, r *finding.Report, opts Options) error {
	r = r.Redacted()
	rules := rulesInOrder(r)
	index := make(map[string]int, len(rules))
	driver := sarifDriver{Name: toolName(r), Version: opts.ToolVersion, Rules: make([]sarifRule, 0, len(rules))}
	for i, x := range rules {
		index[x.ID] = i
		sr := sarifRule{ID: x.ID, ShortDescription: sarifMessage{Text: x.Summary}}
		if sr.ShortDescription.Text == "" {
			sr.ShortDescription.Text = x.ID
		}
		if x.Help != "" {
			sr.FullDescription = &sarifMessage{Text: x.Help}
			sr.Help = &sarifMessage{Text: x.Help}
		}
		sr.Properties = map[string]any{"tags": []string{finding.Gate(x.ID)}}
		driver.Rules = append(driver.Rules, sr)
	}

	run := sarifRun{
		Tool: sarifTool{Driver: driver},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{
			srcRoot: {Description: &sarifMessage{Text: "The root of the checked overlay; every uri is relative to it."}},
		},
		Results: []sarifResult{},
	}
	for _, f := range r.Findings {
		level := ""
		switch f.Severity {
		case finding.Blocker:
			level = "error"
		case finding.Warning:
			level = "warning"
		case finding.Info:
			level = "note"
		default:
			continue
		}
		res := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: level, Message: sarifMessage{Text: f.Message}}
		if f.NextAction != "" {
			res.Message.Text += "\nNext action: " + f.NextAction
			res.Properties = map[string]string{"nextAction": f.NextAction}
		}
		if f.Expected {
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: "declared expected by the overlay"}}
		}
		if f.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifactLoc{URI: sarifURI(f.File), URIBaseID: srcRoot},
			}}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
			}
			res.Locations = []sarifLocation{loc}
		}
		run.Results = append(run.Results, res)
	}

	return encodeJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifURI turns a root-relative path into a relative URI reference (forward slashes,
// percent-encoded), as SARIF requires for artifactLocation.uri.
func sarifURI(path string) string {
	return (&url.URL{Path: filepath.ToSlash(path)}).String()
}
