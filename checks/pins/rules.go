// Package pins is the core pin contract gate. An implementation overlay pins the
// GloriousFlywheel core twice — core.pinned_commit in config/organization.yaml and the core
// git_override commit in MODULE.bazel — and both must be full commits that agree, so a green
// overlay never mixes one Bzlmod dependency with a different operator-facing authority note.
// Drift is fixed by refreshing both pins together, never by changing labels or live state.
//
// # Rules
//
//	| id | severity | triggers when | next action |
//	|---|---|---|---|
//	| pins/core-undeclared | blocker | organization.yaml lacks core.module_name or core.repository, so the core pin cannot be located or verified | set core.module_name / core.repository in config/organization.yaml |
//	| pins/org-pin-missing | blocker | no config/organization.yaml core.pinned_commit (absent or empty) | set core.pinned_commit to the selected core commit (gfenroll pin <sha>) |
//	| pins/module-pin-missing | blocker | no MODULE.bazel; no bazel_dep(name = <core.module_name>); no git_override for it; a git_override without commit | add bazel_dep + git_override(module_name, remote, commit) to MODULE.bazel |
//	| pins/malformed | blocker | a pin that is not a full 40-character lowercase hex commit (abbreviated, upper case, a branch name); the finding names the file | replace the value in that file with the full lowercase SHA (gfenroll pin <sha>) |
//	| pins/drift | blocker | both pins are well formed and differ | refresh both pins together: gfenroll pin <sha> (just pin-refresh), then rerun strict preflight; never change labels or live state for drift |
//	| pins/override-kind | blocker | the core is overridden by archive_override, local_path_override, single_version_override (or any non-git override), more than once, or by a git_override that follows a tag or branch instead of a commit | use exactly one git_override(module_name = <core>, remote, commit = <40-hex>) |
//	| pins/remote-mismatch | blocker | the core git_override remote is missing or is not core.repository | point remote at https://github.com/<core.repository>.git |
//	| pins/core-remote-other-module | blocker | a git_override / archive_override of another module fetches the core repository at a commit other than the core pin (a second, unchecked core version) | pin that override to the core commit too, or remove it |
//	| pins/expected-ref | blocker | --expected-core-ref / GF_EXPECTED_CORE_REF is set and a pin is not that commit, or the ref is a name that cannot be resolved hermetically | refresh both pins to the expected commit; or set GF_CORE_PATH / pass a 40-hex SHA / run the live preflight |
//	| pins/module-name-mismatch | blocker | core.module_name names no module of MODULE.bazel, which overrides exactly one module from core.repository under another name | set core.module_name to that name |
//	| pins/workflow-core-ref-env | blocker | on a workflow with a shared-label job: the workflow-level GF_CORE_REF (or an enrollment.core_ref_env name) is not the exact lowercase 40-hex pin, is defined again by a job or step, or is read by a step while unset; another *_CORE_REF/COMMIT/SHA value on a shared-label job is another commit | set env.GF_CORE_REF: <pin> once, at workflow level |
//	| pins/workflow-core-checkout | blocker | a shared-label job checks out core.repository with no ref, a branch or tag, another commit or an expression | ref: <pin> (or ${{ env.GF_CORE_REF }} at the pin) |
//	| pins/workflow-core-uses | blocker | a core action (shared-label job) or core reusable workflow (any job) at anything but the pin | uses: <target>@<pin> |
//	| pins/workflow-core-fetch | blocker | a run: step of a shared-label job clones/fetches the core, or runs nix run/build/develop/shell/flake on a core flake reference, at anything but the pin | build from the pinned checkout or name the pin in the reference |
//	| pins/workflow-pin | info / warning | info: a workflow runs a declared authority pin (enrollment.authority_pins); warning: a declared authority pin unused by a workflow it names, or a differing literal 40-hex pin in a job off the shared runners | remove the stale declaration; move the pin with the pins or declare it |
//
// "pins agree at <sha>" is reported as an ok finding, since that is news an operator wants.
//
// # Decisions
//
// The remote mismatch is reported at both core.repository and the MODULE.bazel remote, and
// the advice never moves the build to a fork: the build is what the overlay consumes, so
// the disagreement is resolved towards the canonical core.
//
// Workflows are part of the pin contract where they run on shared runners: a core reference
// there (env, checkout, uses, run:) must be the pin, and is a blocker otherwise. A workflow
// may deliberately run a second authority commit when enrollment.authority_pins declares
// it for that workflow; pins/workflow-pin keeps its id for that declaration (info where
// used, a warning when stale) and for the older warning on jobs off the shared runners.
// When the two pins drift and the workflows follow one of them, pins/drift is reported
// once, at the pin that moved, naming the workflows that follow the other.
package pins

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RuleCoreUndeclared        = "pins/core-undeclared"
	RuleOrgPinMissing         = "pins/org-pin-missing"
	RuleModulePinMissing      = "pins/module-pin-missing"
	RuleMalformed             = "pins/malformed"
	RuleDrift                 = "pins/drift"
	RuleOverrideKind          = "pins/override-kind"
	RuleRemoteMismatch        = "pins/remote-mismatch"
	RuleCoreRemoteOtherModule = "pins/core-remote-other-module"
	RuleExpectedRef           = "pins/expected-ref"
	RuleWorkflowPin           = "pins/workflow-pin"
	RuleWorkflowCoreRefEnv    = "pins/workflow-core-ref-env"
	RuleWorkflowCoreCheckout  = "pins/workflow-core-checkout"
	RuleWorkflowCoreUses      = "pins/workflow-core-uses"
	RuleWorkflowCoreFetch     = "pins/workflow-core-fetch"
	RuleModuleNameMismatch    = "pins/module-name-mismatch"
)

// workflowRuleIDs are the rules judged on workflow files (CheckWorkflowPins).
var workflowRuleIDs = map[string]bool{
	RuleWorkflowPin: true, RuleWorkflowCoreRefEnv: true, RuleWorkflowCoreCheckout: true,
	RuleWorkflowCoreUses: true, RuleWorkflowCoreFetch: true,
}

// IsWorkflowRule reports the rules CheckWorkflowPins evaluates and Options.SkipWorkflowPins
// leaves out.
func IsWorkflowRule(id string) bool { return workflowRuleIDs[id] }

var rules = []finding.Rule{
	{ID: RuleCoreUndeclared, Summary: "organization.yaml names the core module and repository",
		Help: "core.module_name and core.repository in config/organization.yaml identify which bazel_dep/git_override is the core pin and which remote it must fetch."},
	{ID: RuleOrgPinMissing, Summary: "organization.yaml pins the core (core.pinned_commit)",
		Help: "core.pinned_commit is the operator-facing authority pin; it must be present."},
	{ID: RuleModulePinMissing, Summary: "MODULE.bazel pins the core with bazel_dep + git_override(commit)",
		Help: "The Bzlmod pin is the bazel_dep on core.module_name plus its git_override commit."},
	{ID: RuleMalformed, Summary: "core pins are full 40-character lowercase commit SHAs",
		Help: "Abbreviated, upper-case or symbolic pins cannot be compared and may move; both pins must be full lowercase SHAs."},
	{ID: RuleDrift, Summary: "core.pinned_commit and the MODULE.bazel git_override commit agree",
		Help: "Split pins mix one Bzlmod dependency with a different authority note. Refresh both files together; drift is never a reason to change labels or live ARC state."},
	{ID: RuleOverrideKind, Summary: "the core is overridden by exactly one git_override at a commit",
		Help: "archive_override, local_path_override or single_version_override of the core, several overrides, or a git_override following a tag or branch bypass the commit pin."},
	{ID: RuleRemoteMismatch, Summary: "the core git_override fetches core.repository",
		Help: "A git_override remote other than core.repository consumes a fork or another repository under the core's name."},
	{ID: RuleCoreRemoteOtherModule, Summary: "no other module override fetches the core repository at another commit",
		Help: "A git_override or archive_override of another module that fetches the core repository at a different commit brings a second, unchecked core version into the build."},
	{ID: RuleExpectedRef, Summary: "both pins are the expected core ref (--expected-core-ref / GF_EXPECTED_CORE_REF)",
		Help: "A 40-hex ref is compared directly; a branch or tag is resolved through GF_CORE_PATH (git rev-parse, never fetched) or, in the live preflight, GitHub."},
	{ID: RuleWorkflowPin, Summary: "second authority pins are declared and used; pins off the shared runners agree",
		Help: "A workflow may run another core commit on purpose when enrollment.authority_pins declares it for that workflow (info where it is used, a warning when the declaration is unused). Jobs that do not run on a shared self-hosted label get a warning for a literal 40-hex pin that differs from the overlay's."},
	{ID: RuleWorkflowCoreRefEnv, Summary: "the workflow-level core ref env is the pinned commit, set once",
		Help: "GF_CORE_REF (and enrollment.core_ref_env names) at workflow level must be the exact lowercase 40-hex pin; a job or step must not redefine it, and a step that reads ${{ env.GF_CORE_REF }} needs it set (an empty ref checks out the default branch). Other *_CORE_REF/COMMIT/SHA values on shared runners must be the pin."},
	{ID: RuleWorkflowCoreCheckout, Summary: "checkouts of the core repository on shared runners are at the pin",
		Help: "actions/checkout with repository: <core.repository> needs ref: <pin> (or ${{ env.GF_CORE_REF }} set to it); a branch, a tag, another commit, an expression or no ref at all floats."},
	{ID: RuleWorkflowCoreUses, Summary: "core actions and reusable workflows are used at the pin",
		Help: "uses: <core owner>/<core name>/...@<ref> runs the core's code at <ref>; anything but the pinned commit (or a declared authority pin) floats."},
	{ID: RuleWorkflowCoreFetch, Summary: "run: steps on shared runners do not fetch the core around the pin",
		Help: "git clone/fetch of the core repository, and nix run/build/develop/shell/flake on github:<core>[/<ref>] or ?ref=/?rev= references whose revision is not the pin, build against another core than the pinned checkout."},
	{ID: RuleModuleNameMismatch, Summary: "core.module_name is the module MODULE.bazel overrides from the core repository",
		Help: "When MODULE.bazel overrides exactly one module from core.repository under another name than core.module_name, the names disagree; organization.yaml is corrected, the build is not changed to a misspelt name."},
}

// Rules lists every rule the pins gate can emit, in a stable order.
func Rules() []finding.Rule { return finding.WithDocs(rules, ruleDocs) }
