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
			When:       "the core `git_override` has no `remote`, or its remote is not `core.repository` (https, ssh and scp forms compare equal; case-insensitive); reported at both `core.repository` and the remote, each naming the other",
			NextAction: "make both name the canonical core (the message says which repository the build fetches); correct the one naming a fork or a typo, never move the build to a fork"},
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
		{Severity: "info",
			When:       "a workflow runs the core at an authority commit that `enrollment.authority_pins` declares for it",
			NextAction: "—"},
		{Severity: "warning",
			When:       "a declared authority pin names a workflow that does not use it (or no such workflow exists); or a job that does not run on a shared self-hosted label (GitHub-hosted, unresolvable `runs-on`) carries a literal 40-hex core pin (env `*_CORE_REF`/`*_CORE_COMMIT`/`*_CORE_SHA`, core checkout `ref`, core `uses:`) other than the overlay pin",
			NextAction: "remove the stale declaration; move the pin with the overlay pins, or declare it in `enrollment.authority_pins`"},
	},
	RuleModuleNameMismatch: {
		{Severity: "blocker",
			When:       "`core.module_name` names no module of `MODULE.bazel`, which overrides exactly one module from `core.repository` under another name; reported at `core.module_name`, and the remaining checks use the module `MODULE.bazel` consumes",
			NextAction: "set `core.module_name` to the name `MODULE.bazel` uses (not a new `bazel_dep` for the misspelt name)"},
	},
	RuleWorkflowCoreRefEnv: {
		{Severity: "blocker",
			When:       "on a workflow with a job on a shared self-hosted label: the workflow-level `GF_CORE_REF` (or a name in `enrollment.core_ref_env`) is not the exact lowercase 40-hex pin (a branch, an expression, upper case, another commit); a job or step defines that name again; a step reads `${{ env.GF_CORE_REF }}` and nothing sets it; another `*_CORE_REF`/`*_CORE_COMMIT`/`*_CORE_SHA` env value on a shared-label job is a 40-hex commit other than the pin",
			NextAction: "set `env.GF_CORE_REF: <pin>` once, at workflow level (the pinned SHA is in the action)"},
	},
	RuleWorkflowCoreCheckout: {
		{Severity: "blocker",
			When:       "a job on a shared label runs `actions/checkout` of `core.repository` (owner case-insensitive) with no `ref:`, a branch or tag, another commit, or an expression; `${{ env.X }}` is resolved through the step, job and workflow `env`",
			NextAction: "`ref: <pin>`, or `ref: ${{ env.GF_CORE_REF }}` with the workflow-level value at the pin"},
	},
	RuleWorkflowCoreUses: {
		{Severity: "blocker",
			When:       "`uses: <core owner>/<core name>[/path]@<ref>` (a core composite action in a step of a shared-label job, or a core reusable workflow called by any job) at anything but the pin",
			NextAction: "`uses: <target>@<pin>`"},
	},
	RuleWorkflowCoreFetch: {
		{Severity: "blocker",
			When:       "a `run:` step of a shared-label job bypasses the pinned checkout: `git clone` / `git fetch` of the core repository (https, ssh, scp forms; a fetch naming the pinned commit is fine), or `nix run\\|build\\|develop\\|shell\\|flake` on `github:<core>[/<ref>]`, `github:<core>?ref=…` / `?rev=…` or `git+https`/`git+ssh` URLs of the core whose revision is not the pin (`${{ env.X }}`, `$X`, `${X}` resolve through `env`)",
			NextAction: "build from the pinned checkout, or name the pin: `github:<core>/<pin>#<attr>`"},
	},
}
