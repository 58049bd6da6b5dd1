package pinupdate

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleMoved: {
		{Severity: "ok",
			When:       "a pin was rewritten from the old to the new commit",
			NextAction: "—"},
	},
	RuleUnchanged: {
		{Severity: "ok",
			When:       "a pin already is the commit",
			NextAction: "—"},
	},
	RuleWouldMove: {
		{Severity: "blocker",
			When:       "`--check` and a pin differs from REF",
			NextAction: "`gfenroll pin REF` (or `just pin-refresh REF`), then rerun the strict preflight"},
	},
	RuleResolved: {
		{Severity: "info",
			When:       "REF was a name; says which route resolved it (`GF_CORE_PATH` or the GitHub commits API)",
			NextAction: "—"},
	},
	RuleQuoted: {
		{Severity: "info",
			When:       "a digits-only commit was double-quoted in YAML so it stays a string",
			NextAction: "—"},
	},
}
