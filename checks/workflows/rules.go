// Package workflows is the workflows gate: every job of an overlay's GitHub
// Actions workflows must target shared capability labels, and jobs on shared self-hosted
// runners must not hand untrusted code secrets, deployment environments or a write token.
//
// # Rules
//
//	| id | severity | triggers when | next action |
//	|---|---|---|---|
//	| workflows/unknown-label | blocker | a self-hosted runs-on label (literal or expanded from the matrix) is not a shared label | target a shared capability label |
//	| workflows/minted-label | blocker | such a label carries an owner, repository, scale-set name or "personal" (labels.MintedReason) | target the shared label; never mint repo-specific labels to make enrollment look green |
//	| workflows/no-capability-label | blocker | runs-on names only generic labels (self-hosted, linux, x64, ...), no label at all, or only a runner group | add a shared capability label |
//	| workflows/github-hosted | blocker with --forbid-github-hosted | a GitHub-hosted label (ubuntu-*, windows-*, macos-*); allowed (no finding) by default | move the job to a shared label or drop the flag |
//	| workflows/runner-group | info | runs-on {group, labels} with a shared label | — |
//	| workflows/unresolved-expression | warning | a runs-on expression the gate cannot expand (inputs.*, needs.*.outputs, fromJSON of a computed value, a list/mapping matrix value, a computed matrix) | list the labels statically, or declare the warning expected |
//	| workflows/missing-runs-on | blocker | a job with neither runs-on nor uses | add runs-on with a shared label |
//	| workflows/pull-request-target | blocker | a job on a shared self-hosted label reachable from pull_request_target | remove the trigger or move the job off shared runners |
//	| workflows/untrusted-secrets | blocker | a job on a shared self-hosted label reachable from a pull request references secrets.* | gate the job to trusted events or drop the secret |
//	| workflows/untrusted-environment | blocker | such a job binds environment: | gate the job or drop the environment |
//	| workflows/untrusted-write-permissions | blocker | such a job has a write scope or write-all, its own or inherited from the workflow | set read-only permissions or gate the job |
//	| workflows/default-permissions | blocker / warning | a workflow with a shared-label job has no workflow-level permissions: (blocker when such a job sets none either, warning when each sets its own) | add permissions: contents: read at the top level |
//	| workflows/workflow-write-permissions | blocker | such a workflow's workflow-level permissions grant write (or write-all) | move write scopes to the jobs that need them |
//	| workflows/action-not-pinned | blocker | a shared-label job uses an action by tag/branch/short SHA, or a docker:// image by tag | pin the full commit SHA (or @sha256 digest) |
//	| workflows/checkout-persist-credentials | blocker | a checkout on a shared-label job without persist-credentials: false | add persist-credentials: false |
//	| workflows/checkout-credential | blocker | a checkout gets token:/ssh-key: carrying a stored secret or github.token in a job a pull request reaches, or not declared in enrollment.credentials | gate the job and declare the credential, or drop the input |
//	| workflows/retired-credential | blocker | any workflow references a name in enrollment.credentials.retired | use the replacement credential |
//
// # Decisions
//
// Labels match case-insensitively, as GitHub matches them. Generic labels (self-hosted,
// linux, x64, ...) may accompany a shared label; on their own they would land on any runner.
//
// "Reachable from a pull request" means: the workflow is triggered by pull_request,
// pull_request_review or pull_request_review_comment (events that run the pull request's
// code), directly or through a local reusable-workflow call (a caller job's `uses:
// ./.github/workflows/x.yml`, the caller's triggers filtered by the caller job's if:), and
// the job-level if: does not provably exclude that event. Only clear forms of if: count as
// gates (github.event_name == / != 'literal', contains(fromJSON('[...]'), github.event_name),
// combined with !, &&, ||); anything else leaves the job reachable. The same reachability
// decides pull_request_target. A reusable workflow that no workflow of the overlay calls
// has no pull-request reachability here: its callers are judged in their own repositories.
// needs: chains are followed: a job runs only for the events every job it needs runs for,
// unless its if: calls always(), failure() or cancelled(), which run after skipped needs.
//
// secrets.GITHUB_TOKEN is not counted as a secret reference: it is the job's own token,
// whose power is what `permissions:` sets, and untrusted-write-permissions judges that.
// A job without any permissions: gets the repository's default token permissions, which
// live in repository settings the gate cannot see (and are write for older repositories and
// many organizations), so workflows with shared-label jobs declare a read-only
// workflow-level block: workflows/default-permissions.
//
// Security rules apply only to jobs that provably run on a shared self-hosted label. A
// runs-on the gate cannot expand is an unresolved-expression warning, not a security
// verdict; the labels of a reusable-workflow call are the called workflow's business (a
// local one is checked in its own file).
package workflows

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RuleUnknownLabel               = "workflows/unknown-label"
	RuleMintedLabel                = "workflows/minted-label"
	RuleNoCapabilityLabel          = "workflows/no-capability-label"
	RuleGitHubHosted               = "workflows/github-hosted"
	RuleRunnerGroup                = "workflows/runner-group"
	RuleUnresolvedExpression       = "workflows/unresolved-expression"
	RuleMissingRunsOn              = "workflows/missing-runs-on"
	RulePullRequestTarget          = "workflows/pull-request-target"
	RuleUntrustedSecrets           = "workflows/untrusted-secrets"
	RuleUntrustedEnvironment       = "workflows/untrusted-environment"
	RuleUntrustedWritePermissions  = "workflows/untrusted-write-permissions"
	RuleDefaultPermissions         = "workflows/default-permissions"
	RuleActionNotPinned            = "workflows/action-not-pinned"
	RuleCheckoutPersistCredentials = "workflows/checkout-persist-credentials"
	RuleCheckoutCredential         = "workflows/checkout-credential"
	RuleWorkflowWritePermissions   = "workflows/workflow-write-permissions"
	RuleRetiredCredential          = "workflows/retired-credential"
)

var rules = []finding.Rule{
	{ID: RuleUnknownLabel, Summary: "self-hosted runs-on labels are shared capability labels",
		Help: "Workflows target the shared capability classes (runner_contract.shared_labels, else the core's six). A label outside them reaches no shared scale set, or a private one."},
	{ID: RuleMintedLabel, Summary: "runs-on labels carry no owner, repository, scale-set or personal identity",
		Help: "A label minted from an owner, repository or scale-set name makes a workflow depend on one registration identity instead of a capability; do not create repo-specific runner labels to make enrollment appear green."},
	{ID: RuleNoCapabilityLabel, Summary: "every self-hosted runs-on names a capability label",
		Help: "Generic labels (self-hosted, linux, x64, ...) or a runner group alone select any runner; add the shared capability label the job needs."},
	{ID: RuleGitHubHosted, Summary: "GitHub-hosted runners only where policy allows them",
		Help: "GitHub-hosted labels (ubuntu-*, windows-*, macos-*) are allowed by default and blockers with --forbid-github-hosted."},
	{ID: RuleRunnerGroup, Summary: "runner groups narrow a shared label",
		Help: "runs-on {group, labels} with a shared label runs on the group's runners carrying that label; the owner's scale set for the label must be in the group."},
	{ID: RuleUnresolvedExpression, Summary: "runs-on expressions expand to checkable labels",
		Help: "The gate expands ${{ matrix.x }} over the job's matrix, literals and the cond && 'a' || 'b' idiom; inputs, job outputs, variables and computed matrices cannot be checked hermetically."},
	{ID: RuleMissingRunsOn, Summary: "every job has runs-on (or calls a reusable workflow)",
		Help: "A job without runs-on or uses is rejected by GitHub and never reaches a shared label."},
	{ID: RulePullRequestTarget, Summary: "no pull_request_target on shared self-hosted runners",
		Help: "pull_request_target runs with the base repository's secrets and a write token; fork code reaching it on a shared self-hosted runner can take over the runner and its credentials."},
	{ID: RuleUntrustedSecrets, Summary: "jobs pull requests reach on shared runners are secret-free",
		Help: "A job on a shared self-hosted label that a pull request can trigger must not reference secrets.* (secrets.GITHUB_TOKEN excepted: its power is set by permissions) unless its job-level if: gates it to trusted events."},
	{ID: RuleUntrustedEnvironment, Summary: "jobs pull requests reach on shared runners bind no environment",
		Help: "Deployment environments carry secrets and protection rules meant for trusted events; a job a pull request can trigger must not bind one unless its if: gates it to trusted events."},
	{ID: RuleUntrustedWritePermissions, Summary: "jobs pull requests reach on shared runners have a read-only token",
		Help: "Write scopes (or write-all), set on the job or inherited from the workflow, hand untrusted code a token that can change the repository; use read scopes unless the job's if: gates it to trusted events."},
	{ID: RuleDefaultPermissions, Summary: "workflows with jobs on shared runners declare workflow-level permissions",
		Help: "Without a workflow-level permissions: block every job that sets none gets the repository's default token, which may be write and lives in settings the gate cannot see. A blocker when a job on a shared label inherits the default, a warning when each sets its own."},
	{ID: RuleActionNotPinned, Summary: "actions on shared runners are pinned to full commit SHAs",
		Help: "A tag or branch can be moved to other code after review; on a shared runner that code runs next to other jobs' caches and credentials. Local ./ actions and docker:// images pinned by @sha256 digest are exempt."},
	{ID: RuleCheckoutPersistCredentials, Summary: "checkouts on shared runners set persist-credentials: false",
		Help: "actions/checkout defaults to leaving the token in .git/config, readable by every later step and, on a reused runner, by what runs after the job."},
	{ID: RuleCheckoutCredential, Summary: "checkouts on shared runners get stored credentials only in trusted, declared jobs",
		Help: "A token: or ssh-key: input carrying a stored secret or github.token needs a job no pull request reaches (needs: chains count) and the credential declared in enrollment.credentials (preferred, fallback or checkout)."},
	{ID: RuleWorkflowWritePermissions, Summary: "workflow-level permissions are read-only",
		Help: "Workflow-level permissions are every job's default; write scopes (or write-all) belong on the job that needs them."},
	{ID: RuleRetiredCredential, Summary: "no workflow references a retired credential",
		Help: "Names in enrollment.credentials.retired are gone: a workflow that still reads one fails, or keeps alive a credential the overlay has retired."},
}

// Rules lists every rule the gate can emit, in a stable order.
func Rules() []finding.Rule { return finding.WithDocs(rules, ruleDocs) }
