package pins

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleCoreUndeclared: {
		{Severity: "blocker",
			When:       "`config/organization.yaml` lacks `core.module_name` or `core.repository`, so the core pin cannot be located or verified",
			NextAction: "set the key in `config/organization.yaml`"},
	},
	RuleOrgPinMissing: {
		{Severity: "blocker",
			When:       "`core.pinned_commit` is absent or empty (or there is no `config/organization.yaml`)",
			NextAction: "set it to the selected core commit: `gfenroll pin <sha>`"},
	},
	RuleModulePinMissing: {
		{Severity: "blocker",
			When:       "no `MODULE.bazel`; no `bazel_dep(name = <core.module_name>)`; no override of the core at all; a core `git_override` without `commit`",
			NextAction: "add `bazel_dep` + `git_override(module_name, remote, commit)`, then `gfenroll pin <sha>`"},
	},
	RuleMalformed: {
		{Severity: "blocker",
			When:       "a pin is not a full 40-character lowercase hex SHA (abbreviated, upper case, a branch name); the message names the file",
			NextAction: "replace it with the full lowercase SHA: `gfenroll pin <sha>`"},
	},
	RuleDrift: {
		{Severity: "blocker",
			When:       "both pins are well formed and differ",
			NextAction: "refresh both pins together: `gfenroll pin <sha>` (or `just pin-refresh`), then rerun the strict preflight; do not change labels or live ARC state"},
		{Severity: "ok",
			When:       "\"pins agree at `<sha>`\"",
			NextAction: "—"},
	},
	RuleOverrideKind: {
		{Severity: "blocker",
			When:       "the core is overridden by `archive_override`, `local_path_override`, `single_version_override` (any non-git override), more than once, or by a `git_override` following `tag`/`branch` instead of `commit`",
			NextAction: "keep exactly one `git_override(module_name = <core>, remote, commit = <40-hex>)`"},
	},
	RuleRemoteMismatch: {
		{Severity: "blocker",
			When:       "the core `git_override` has no `remote`, or its remote is not `core.repository` (https, ssh and scp forms compare equal; case-insensitive)",
			NextAction: "point `remote` at `https://github.com/<core.repository>.git`"},
	},
	RuleCoreRemoteOtherModule: {
		{Severity: "blocker",
			When:       "a `git_override` (or GitHub `archive_override`) of another module fetches the core repository at a commit other than the core pin: a second, unchecked core version",
			NextAction: "pin that override to the core commit too, or remove it"},
	},
	RuleExpectedRef: {
		{Severity: "blocker",
			When:       "`--expected-core-ref` / `GF_EXPECTED_CORE_REF` is set and a pin is not that commit; or the ref is a name that cannot be resolved hermetically",
			NextAction: "`gfenroll pin <expected sha>`; or set `GF_CORE_PATH` to a core checkout, pass a 40-hex SHA, or run the live preflight (resolves through GitHub)"},
		{Severity: "ok",
			When:       "both pins are the expected core ref",
			NextAction: "—"},
	},
	RuleWorkflowPin: {
		{Severity: "warning",
			When:       "a workflow pins the core elsewhere at another commit than the overlay pin: an `env` value (workflow, job or step) named `*_CORE_REF` / `*_CORE_COMMIT` / `*_CORE_SHA` holding a 40-hex SHA; an `actions/checkout` step of the core repository with a 40-hex `ref`; a `uses: <core repo>/...@<40-hex>` (core action or reusable workflow)",
			NextAction: "move it with the pins, or declare `pins/workflow-pin` in `enrollment.expected_warnings` when the workflow deliberately pins another authority commit"},
	},
}
