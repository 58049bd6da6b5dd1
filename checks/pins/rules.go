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
//	| pins/workflow-pin | warning | a workflow pins the core elsewhere (env *_CORE_REF / *_CORE_COMMIT / *_CORE_SHA = 40-hex, actions/checkout of the core repository with a 40-hex ref, or uses: <core repo>/...@<40-hex>) at a commit other than the overlay's pin | move it with the pins, or declare pins/workflow-pin in enrollment.expected_warnings when the workflow deliberately pins another authority commit |
//
// "pins agree at <sha>" is reported as an ok finding, since that is news an operator wants.
//
// Workflow pins are warnings, not blockers, by decision: a deploy workflow may
// legitimately pin a different "authority" commit (the Jess state rehome) while the
// overlay's enrollment pins stay on the selected core. Such an overlay lists
// pins/workflow-pin under enrollment.expected_warnings (or the CLI's --expect-warning), which
// keeps the difference visible without failing the gate. Only literal 40-hex values count as
// workflow pins; branch names and ${{ }} expressions are not pins.
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
)

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
	{ID: RuleWorkflowPin, Summary: "workflow core pins agree with the overlay pin",
		Help: "Workflow env values named *_CORE_REF/*_CORE_COMMIT/*_CORE_SHA, actions/checkout of the core repository and uses: of core actions at a 40-hex commit are extra pins; a deliberate difference (a deploy workflow on another authority commit) is declared in enrollment.expected_warnings."},
}

// Rules lists every rule the pins gate can emit, in a stable order.
func Rules() []finding.Rule { return finding.WithDocs(rules, ruleDocs) }
