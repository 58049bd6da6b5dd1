package planguard

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleDestroy: {
		{Severity: "blocker",
			When:       "a resource change (or deferred change) whose actions contain `delete`: `[\"delete\"]`, `[\"delete\",\"create\"]`, `[\"create\",\"delete\"]`, a deposed object; the message names the address, the order, `action_reason` and `replace_paths`",
			NextAction: "do not apply; record the state-rehome or teardown decision (or avoid the destroy with a `moved` block), re-plan; an intended window reruns with `ALLOW_ARC_DESTROY=1 just arc-apply`"},
		{Severity: "warning",
			When:       "the same with `ALLOW_ARC_DESTROY` exactly `1` (\"DESTROY ALLOWED\")",
			NextAction: "confirm every destroy is the recorded decision; unset `ALLOW_ARC_DESTROY` after the window"},
	},
	RuleAllowDestroyValue: {
		{Severity: "warning (info without destroys)",
			When:       "`ALLOW_ARC_DESTROY` is set to anything but exactly `1` (`true`, `yes`, ` 1`, `1 `; `0` and empty are plain \"no\")",
			NextAction: "set it to exactly `1`, or unset it"},
	},
	RuleUnknownAction: {
		{Severity: "blocker",
			When:       "an action the guard does not know, so a destroy cannot be ruled out",
			NextAction: "review the change by hand; upgrade gfenroll"},
	},
	RuleErrored: {
		{Severity: "blocker",
			When:       "the plan has `errored: true`",
			NextAction: "fix the plan errors and plan again"},
	},
	RuleDeferred: {
		{Severity: "info",
			When:       "a `deferred_changes` entry, or `complete: false`",
			NextAction: "— (run the guard on the next plan too)"},
	},
	RuleForget: {
		{Severity: "info",
			When:       "`[\"forget\"]` / `[\"create\",\"forget\"]`: leaves state, keeps running",
			NextAction: "—"},
	},
	RuleMoved: {
		{Severity: "info",
			When:       "`previous_address` differs from `address`",
			NextAction: "—"},
	},
	RuleImport: {
		{Severity: "info",
			When:       "`change.importing` is set",
			NextAction: "—"},
	},
	RuleNoDestroy: {
		{Severity: "ok",
			When:       "nothing is destroyed; the message counts the actions",
			NextAction: "—"},
	},
}
