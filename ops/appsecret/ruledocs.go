package appsecret

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RulePlan: {
		{Severity: "info",
			When:       "`--dry-run`: what would be written (nothing is)",
			NextAction: "—"},
	},
	RuleApplied: {
		{Severity: "ok",
			When:       "a namespace holds the secret: created, updated (resourceVersion A -> B) or unchanged",
			NextAction: "—"},
	},
	RuleNotWritten: {
		{Severity: "blocker",
			When:       "the server-side dry run was refused in a namespace (missing namespace, RBAC, field conflict, immutable type); nothing was written anywhere",
			NextAction: "per cause: create the namespace; grant get/create/patch on secrets; `--force-conflicts`; delete the old secret — then rerun"},
	},
	RuleApplyFailed: {
		{Severity: "blocker",
			When:       "a write failed after the dry run passed; the message says which namespace holds the new secret and which was not written",
			NextAction: "fix the cause and rerun the printed command (apply is idempotent)"},
	},
	RuleExtraKeys: {
		{Severity: "warning",
			When:       "the secret also holds keys another manager owns (a `github_token` makes ARC reject it)",
			NextAction: "the printed `kubectl patch ... --type=json` removing them"},
	},
	RuleOtherSecret: {
		{Severity: "info",
			When:       "an `extra_runner_sets` entry uses another secret, which the command does not write",
			NextAction: "—"},
	},
	RuleContextOverride: {
		{Severity: "info",
			When:       "`--context` differs from `substrate.cluster.context`",
			NextAction: "—"},
	},
}
