package github

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// Rule ids of the GitHub probes. Stable: never rename one, add a new id instead.
const (
	RuleTokenMissing       = "preflight/github-token-missing"
	RuleAuth               = "preflight/github-auth"
	RuleAccess             = "preflight/github-access"
	RuleRateLimited        = "preflight/github-rate-limited"
	RuleUnavailable        = "preflight/github-unavailable"
	RuleCredential         = "preflight/core-read-credential"
	RuleCredentialFallback = "preflight/core-read-fallback"
	RuleCredentialMissing  = "preflight/core-read-credential-missing"
	RuleInfoSecret         = "preflight/attic-secret"
	RuleValidationQueued   = "preflight/validation-queued"
	RuleValidationFailing  = "preflight/validation-failing"
	RuleProof              = "preflight/enrollment-proof"
	RuleProofMissing       = "preflight/enrollment-proof-missing"

	RuleAppInstalled  = "preflight/app-installation"
	RuleAppMissing    = "preflight/app-installation-missing"
	RuleAppUnverified = "preflight/app-installation-unverified"

	RuleRunnerGroupMissing    = "preflight/runner-group-missing"
	RuleRunnerGroupDrift      = "preflight/runner-group-drift"
	RuleRunnerGroupRoster     = "preflight/runner-group-roster"
	RuleRunnerGroupReach      = "preflight/runner-group-reach"
	RuleRunnerGroupPermission = "preflight/runner-group-permission"
)

// Rules lists every rule the GitHub probes can emit, in a stable order.
func Rules() []finding.Rule {
	return finding.WithDocs([]finding.Rule{
		{ID: RuleTokenMissing, Step: finding.StepCoreRead, Summary: "A GitHub token (GITHUB_TOKEN or GH_TOKEN) is needed to read the overlay repository's secret names and runs.",
			Help: "The preflight reads metadata only (Actions secret names, workflow runs, jobs, the default branch). A fine-grained token with Metadata, Actions and Secrets read access on the overlay repository is enough; the value is never printed."},
		{ID: RuleAuth, Step: finding.StepCoreRead, Summary: "GitHub rejected the token (401).",
			Help: "The token in GITHUB_TOKEN / GH_TOKEN is expired, revoked or for another GitHub host than --github-api-url."},
		{ID: RuleAccess, Step: finding.StepCoreRead, Summary: "The token cannot read something the preflight needs (403/404).",
			Help: "GitHub answers 404 for repositories a token cannot see and 403 for missing fine-grained permissions; the X-Accepted-GitHub-Permissions header names the permission the endpoint needs."},
		{ID: RuleRateLimited, Step: finding.StepCoreRead, Summary: "GitHub's rate limit did not reset within --timeout.",
			Help: "Primary limits (x-ratelimit-remaining: 0) are waited out until x-ratelimit-reset, and secondary limits for Retry-After, when that fits in --timeout; otherwise the probe reports what it could not verify."},
		{ID: RuleUnavailable, Step: finding.StepCoreRead, Summary: "GitHub gave no usable answer within --timeout (5xx, timeout, dropped connection or malformed JSON, after retries).",
			Help: "Each call is retried with backoff inside the overall --timeout; what is left unverified is a blocker, never a silent pass."},
		{ID: RuleCredential, Step: finding.StepCoreRead, Summary: "The overlay repository has the preferred core-read credential (default GF_CORE_DEPLOY_KEY).",
			Help: "Preferred path: a read-only deploy key on the core repository whose private key is the overlay's Actions secret GF_CORE_DEPLOY_KEY. Names come from enrollment.credentials.preferred."},
		{ID: RuleCredentialFallback, Step: finding.StepCoreRead, Summary: "Only the compatibility fallback core-read credential (default GF_CORE_READ_TOKEN) is configured.",
			Help: "A least-privilege read token still works but is the compatibility path; replace it with a read-only deploy key. Names come from enrollment.credentials.fallback."},
		{ID: RuleCredentialMissing, Step: finding.StepCoreRead, Summary: "The overlay repository has no core-read credential: the overlay cannot read the core.",
			Help: "Neither a preferred nor a fallback credential name is among the repository's Actions secrets."},
		{ID: RuleInfoSecret, Step: finding.StepCachePublish, Summary: "Cache credentials present or absent (default ATTIC_TOKEN, ATTIC_PUBLIC_KEY): context, never a failure.",
			Help: "ATTIC_TOKEN lets trusted push validation publish warmed Nix outputs to the shared Attic cache; pull-request validation stays read-only with ATTIC_PUBLIC_KEY. Names come from enrollment.credentials.info."},
		{ID: RuleValidationQueued, Step: finding.StepProof, Summary: "A default-branch validation run or job has waited for a runner beyond the grace period.",
			Help: "A run queued on a shared label means the owner's registration path (GitHub App secret, registered ARC scale sets) is incomplete. It is never enrollment proof and never a reason to mint a new label."},
		{ID: RuleValidationFailing, Step: finding.StepProof, Summary: "The latest completed default-branch validation run failed.",
			Help: "Failure, timed_out, startup_failure and action_required count as failing; cancelled and skipped runs are passed over."},
		{ID: RuleProof, Step: finding.StepProof, Summary: "Enrollment proof: a successful default-branch run whose job ran on a shared capability label.",
			Help: "The job's runs-on labels (job.labels) include a shared label and the job succeeded."},
		{ID: RuleProofMissing, Step: finding.StepProof, Summary: "No successful default-branch run reached a shared capability label yet.",
			Help: "Prove a default-branch workflow reaches the shared label before counting the owner as enrolled authority."},
		{ID: RuleAppInstalled, Step: finding.StepApp, Summary: "A GitHub App installed on the owner has the runner permission each registration scope of the overlay's scale sets needs.",
			Help: "Read from GitHub's list of the organization's App installations: organization-scope registration needs the organization permission Self-hosted runners (write), repository-scope registration the repository permission Administration (write), from an installation that is not suspended."},
		{ID: RuleAppMissing, Step: finding.StepApp, Summary: "No GitHub App installed on the owner has the runner permission a registration scope needs: ARC cannot register the scale sets.",
			Help: "Every installation of the organization is read (all pages); each one's permission level and suspension are named in the message."},
		{ID: RuleAppUnverified, Step: finding.StepApp, Summary: "The App installation could not be verified with this token; step 1 is then not counted as done.",
			Help: "A personal account's installations and an installation's selected repositories are visible only to the App itself; an organization's installations need a token of an organization owner (fine-grained: organization Administration read; classic: read:org)."},
		{ID: RuleRunnerGroupMissing, Step: finding.StepApp, Summary: "The declared runner group does not exist in the organization on GitHub.",
			Help: "The organization's runner groups (own and enterprise-inherited, every page) are searched by name; the ARC stack does not create the group, so it must exist before the first plan/apply."},
		{ID: RuleRunnerGroupDrift, Step: finding.StepApp, Summary: "The runner group's settings on GitHub differ from the declaration.",
			Help: "visibility, allows_public_repositories, restricted_to_workflows and selected_workflows are compared with runner_contract.runner_group."},
		{ID: RuleRunnerGroupRoster, Step: finding.StepApp, Summary: "The runner group's repositories on GitHub differ from the declared roster.",
			Help: "Each declared id GitHub does not admit, and each admitted repository the roster does not list, is named."},
		{ID: RuleRunnerGroupReach, Step: finding.StepApp, Summary: "The overlay repository cannot use the declared runner group.",
			Help: "GitHub's visible_to_repository listing of the organization's runner groups does not include the group for the overlay repository."},
		{ID: RuleRunnerGroupPermission, Step: finding.StepApp, Summary: "The token may not read the organization's runner groups (403).",
			Help: "Fine-grained tokens need the organization permission Self-hosted runners (read); classic tokens need admin:org. Admission is then unverified: a blocker, never skipped."},
	}, ruleDocs)
}
