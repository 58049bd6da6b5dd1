package enrollment

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleMissingFile: {
		{Severity: "blocker",
			When:       "`config/organization.yaml`, or every ARC runner tfvars (`tofu/stacks/arc-runners/*.tfvars`), is absent",
			NextAction: "create the file with the snippet shown (or `gfenroll init`)"},
	},
	RuleMissingKey: {
		{Severity: "blocker",
			When:       "a required key is absent, empty, null or a placeholder (`TODO`, `CHANGEME`, `<...>`, `REPLACE_ME`, `xxx`)",
			NextAction: "set the key to the value shown"},
	},
	RuleNoRunnerSet: {
		{Severity: "blocker",
			When:       "a tfvars deploys no scale set (`deploy_nix_runner = false`, no `extra_runner_sets`)",
			NextAction: "deploy the nix lane or add an extra runner set"},
	},
	RuleNoValidationWorkflow: {
		{Severity: "blocker",
			When:       "no workflow (of `enrollment.validation_workflows` when set) has a job on a shared label",
			NextAction: "add a validation workflow on a shared label (the snippet shown, or `gfenroll init`)"},
	},
}
