// Package admission is the admission gate: which repositories may be assigned jobs of the
// overlay's scale sets. Registration under the owner's App is not admission: GitHub runner
// groups decide which repositories reach a scale set, so the overlay declares its group in
// organization.yaml (runner_contract.runner_group), binds its ARC stack to it in the tfvars
// (runner_group, runner_group_policy, a set's own runner_group) and workflows that name a
// group (runs-on: {group: ...}) name that one.
//
// # Rules
//
//	| id | severity | triggers when | next action |
//	|---|---|---|---|
//	| admission/declaration-malformed | blocker | runner_contract.runner_group is not a mapping, lacks name, visibility, allows_public_repositories or restricted_to_workflows, has a quoted or non-boolean boolean, an unknown visibility, a non-numeric, non-positive or repeated repository id, a selected_workflows item that is not a string, an empty *_ruling; or owner.repository_id is not a positive number | fix the key named in organization.yaml |
//	| admission/group-mismatch | blocker | the tfvars runner_group (or a set's own runner_group) differs from the declared group's name, or binds a named group that organization.yaml does not declare | set runner_group in the tfvars to the declared name (or declare the group) |
//	| admission/default-group | blocker | under runner_group_policy = "organization-restricted" a stack or set joins GitHub's shared Default group (runner_group "default"/"Default", written or by omission) | set runner_group to the declared, named group |
//	| admission/policy | blocker | runner_group_policy is expired (legacy-default) or unknown, or unset while organization.yaml declares a group | set runner_group_policy = "organization-restricted" |
//	| admission/roster-ignored | blocker | visibility all or private with a non-empty selected_repository_ids: GitHub ignores the roster and admits every (private) repository | set visibility: selected, or drop the roster |
//	| admission/admits-nobody | blocker | visibility selected with an empty roster; restricted_to_workflows without selected_workflows; or every scale set bound to the dedicated group has max_runners = 0 | add the repositories (or workflows), or give a scale set capacity |
//	| admission/public-repositories | info | allows_public_repositories: true (quotes the *_ruling fields) | none: context |
//	| admission/own-repository-on-roster | warning (info when a *_ruling field records the decision) | owner.repository_id is on the roster: the overlay repository itself may run jobs on the shared runners | record the decision in a *_ruling field, or remove the id |
//	| admission/personal-account | blocker | owner.account_kind personal with a runner-group declaration or a tfvars runner_group: personal accounts have no runner groups | move the repositories under an organization or enterprise, or drop the group and keep the repository registration anchor |
//	| admission/workflow-group | blocker | a job's runs-on group is not the declared group | name the declared group in runs-on |
//
// Decisions:
//   - Group names compare case-insensitively (GitHub treats runner group names so); "default"
//     in any case is GitHub's shared Default group, which is what the core's arc-runner
//     module binds when runner_group is omitted.
//   - Any *_ruling field of the declaration counts as the recorded decision for both public
//     admission and the overlay's own repository on the roster; the findings quote it.
//   - The overlay's own repository is recognised only by owner.repository_id; without it
//     admission/own-repository-on-roster is not evaluated (the repository's name alone
//     cannot be matched against numeric ids hermetically; the live preflight asks GitHub).
//   - A personal overlay gets only admission/personal-account: the other rules would judge
//     a group that cannot exist.
//   - A runs-on group written as an expression is not judged.
package admission

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RuleDeclarationMalformed = "admission/declaration-malformed"
	RuleGroupMismatch        = "admission/group-mismatch"
	RuleDefaultGroup         = "admission/default-group"
	RulePolicy               = "admission/policy"
	RuleRosterIgnored        = "admission/roster-ignored"
	RuleAdmitsNobody         = "admission/admits-nobody"
	RulePublicRepositories   = "admission/public-repositories"
	RuleOwnRepository        = "admission/own-repository-on-roster"
	RulePersonalAccount      = "admission/personal-account"
	RuleWorkflowGroup        = "admission/workflow-group"
)

// Runner-group policies of the core's arc-runners stack.
const (
	// PolicyRestricted requires a named, non-Default runner group.
	PolicyRestricted = "organization-restricted"
	// PolicyLegacyDefault is the expired grandfather policy that allowed the Default group.
	PolicyLegacyDefault = "legacy-default"
)

// KnownPolicies are the policies the core's stack accepts today.
var KnownPolicies = []string{PolicyRestricted}

var rules = []finding.Rule{
	{ID: RuleDeclarationMalformed, Summary: "the runner-group declaration is well-formed",
		Help: "runner_contract.runner_group is one mapping with name, visibility (selected, all, private), allows_public_repositories and restricted_to_workflows (unquoted YAML booleans), optional selected_workflows and selected_repository_ids (unique positive numeric ids) and optional *_ruling texts."},
	{ID: RuleGroupMismatch, Summary: "organization.yaml and the tfvars name the same runner group",
		Help: "Every scale set registers into the tfvars runner_group (or its own); admission is what organization.yaml declares. A different name admits a different set of repositories."},
	{ID: RuleDefaultGroup, Summary: "no Default group under the restricted policy",
		Help: "GitHub's shared Default group admits every repository of the organization. The core binds it when runner_group is omitted; organization-restricted requires a named group."},
	{ID: RulePolicy, Summary: "runner_group_policy is one the core knows",
		Help: "The core's arc-runners stack knows organization-restricted; legacy-default is the expired grandfather policy."},
	{ID: RuleRosterIgnored, Summary: "a roster only with visibility: selected",
		Help: "GitHub enforces selected_repository_ids only for visibility selected; with all or private the roster is ignored and every (private) repository is admitted."},
	{ID: RuleAdmitsNobody, Summary: "the runner group admits someone",
		Help: "An empty roster under visibility selected, restricted_to_workflows without selected_workflows, or a dedicated group whose scale sets all have max_runners = 0 runs no job."},
	{ID: RulePublicRepositories, Summary: "public-repository admission is explicit",
		Help: "allows_public_repositories: true lets jobs of public repositories (and their forks' pull requests) reach the runners; reported with the recorded ruling."},
	{ID: RuleOwnRepository, Summary: "the overlay repository on its own roster is a recorded decision",
		Help: "With owner.repository_id on selected_repository_ids the infrastructure repository itself runs jobs on the shared runners; a *_ruling field records that this is intended."},
	{ID: RulePersonalAccount, Summary: "personal accounts declare no runner group",
		Help: "GitHub runner groups exist for organizations and enterprises only; a personal overlay registers at repository scope (the repository registration anchor)."},
	{ID: RuleWorkflowGroup, Summary: "runs-on groups name the declared group",
		Help: "A job with runs-on: {group: X} waits for a runner of group X; any other group than the declared one never gets the overlay's runners."},
}

// Rules lists every rule of the gate, in report order.
func Rules() []finding.Rule { return finding.WithDocs(rules, ruleDocs) }
