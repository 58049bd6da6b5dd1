package github

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleCredential: {
		{Severity: "ok",
			When:       "a preferred credential name (`enrollment.credentials.preferred`, default `GF_CORE_DEPLOY_KEY`) is among the repository's Actions secrets (or an organization secret visible to it)",
			NextAction: "—"},
	},
	RuleCredentialFallback: {
		{Severity: "warning",
			When:       "only a fallback name (default `GF_CORE_READ_TOKEN`) is present",
			NextAction: "`gh repo deploy-key add core-read.pub --repo <core>` (read-only) + `gh secret set GF_CORE_DEPLOY_KEY --repo <repo> < core-read`, then delete the fallback"},
	},
	RuleCredentialMissing: {
		{Severity: "blocker",
			When:       "neither a preferred nor a fallback name is present (no finding when the overlay configures both lists empty)",
			NextAction: "the same deploy-key commands"},
	},
	RuleInfoSecret: {
		{Severity: "info",
			When:       "each `enrollment.credentials.info` name (default `ATTIC_TOKEN`, `ATTIC_PUBLIC_KEY`) is present or absent: push validation may publish / pull requests stay read-only",
			NextAction: "—"},
	},
	RuleValidationQueued: {
		{Severity: "blocker",
			When:       "a default-branch run of a validation workflow, or a job of a running one, has waited for a runner longer than `--queued-grace` (15m); the message names the `runs-on` labels it waits for. Never proof, never a reason for a new label",
			NextAction: "finish the owner registration path: App secret in both namespaces (`just arc-app-secret-apply`), scale sets registered"},
	},
	RuleValidationFailing: {
		{Severity: "blocker",
			When:       "the latest completed default-branch run concluded `failure`, `timed_out`, `startup_failure` or `action_required` (cancelled/skipped/stale runs are passed over)",
			NextAction: "fix the failure at the run URL, push or `gh run rerun <id> --repo <repo>`"},
	},
	RuleProof: {
		{Severity: "ok",
			When:       "a successful default-branch run has a successful job whose `labels` include a shared capability label; names the run URL",
			NextAction: "—"},
	},
	RuleProofMissing: {
		{Severity: "blocker",
			When:       "no such run among the recent ones (none at all, none succeeded, or they ran only on other labels)",
			NextAction: "`gh workflow run <file> --repo <repo> --ref <branch>` (when the workflow has `workflow_dispatch`) or push to the default branch"},
	},
	RuleTokenMissing: {
		{Severity: "blocker",
			When:       "neither `GITHUB_TOKEN` nor `GH_TOKEN` is set",
			NextAction: "export a token with Metadata, Actions and Secrets read"},
	},
	RuleAuth: {
		{Severity: "blocker",
			When:       "GitHub answered 401",
			NextAction: "refresh the token (for the host of `--github-api-url`)"},
	},
	RuleAccess: {
		{Severity: "blocker",
			When:       "403 (not a rate limit) or 404: the repository is misnamed or the token lacks a permission; quotes `X-Accepted-GitHub-Permissions`",
			NextAction: "fix `--repo` / `owner.repository`, grant read access"},
	},
	RuleRateLimited: {
		{Severity: "blocker",
			When:       "a primary limit (`x-ratelimit-remaining: 0`) resets, or a 429/secondary limit's `Retry-After` ends, after `--timeout`",
			NextAction: "wait until the reset, or use a token with its own budget"},
	},
	RuleUnavailable: {
		{Severity: "blocker",
			When:       "no usable answer after retries inside `--timeout`: 5xx, per-call timeout, dropped connection, truncated or invalid JSON",
			NextAction: "check GitHub's status and `--github-api-url`, or raise `--timeout`"},
	},
	RuleRunnerGroupMissing: {
		{Severity: "blocker",
			When:       "the declared `runner_contract.runner_group.name` is not among the organization's runner groups (`GET /orgs/{org}/actions/runner-groups`, every page; enterprise-inherited groups included; case-insensitive)",
			NextAction: "create it before the first plan/apply: `gh api -X POST orgs/<org>/actions/runner-groups -f name=<name> -f visibility=selected -F allows_public_repositories=false -F restricted_to_workflows=false -F 'selected_repository_ids[]=<id>'...`"},
	},
	RuleRunnerGroupDrift: {
		{Severity: "blocker",
			When:       "the group's `visibility`, `allows_public_repositories`, `restricted_to_workflows` or `selected_workflows` on GitHub differs from the declaration (one finding per field)",
			NextAction: "`gh api -X PATCH orgs/<org>/actions/runner-groups/<id> -f visibility=...` (for an inherited group: the enterprise settings), or change the declaration"},
	},
	RuleRunnerGroupRoster: {
		{Severity: "blocker",
			When:       "a declared repository id GitHub does not admit, or an admitted repository the roster does not list (`GET .../runner-groups/{id}/repositories`, every page); each id named",
			NextAction: "`gh api -X PUT orgs/<org>/actions/runner-groups/<id>/repositories/<repo id>` / `gh api -X DELETE ...`, or edit `selected_repository_ids`"},
	},
	RuleRunnerGroupReach: {
		{Severity: "blocker",
			When:       "the group is not in `GET /orgs/{org}/actions/runner-groups?visible_to_repository=<overlay repo>`",
			NextAction: "admit the overlay repository (`gh api -X PUT .../repositories/$(gh api repos/<repo> --jq .id)`)"},
	},
	RuleAppInstalled: {
		{Severity: "ok",
			When:       "an installation listed by `GET /orgs/{org}/installations` (every page) has the runner permission at `write` or `admin` and is not suspended: `organization_self_hosted_runners` for an organization-scope `github_config_url`, `administration` (on all repositories) for a repository-scope one; the message names its `GITHUB_APP_ID` and `GITHUB_APP_INSTALLATION_ID`, the values `arc-app-secret` takes",
			NextAction: "—"},
	},
	RuleAppMissing: {
		{Severity: "blocker",
			When:       "no installation on the organization has that permission (none installed, only `read`, or suspended); the message lists each installation's level",
			NextAction: "install the owner's ARC GitHub App with organization \"Self-hosted runners\" read and write (organization scope) or repository \"Administration\" read and write (repository scope), plus \"Metadata\" read, at `https://github.com/organizations/<org>/settings/installations`; use its installation id for `arc-app-secret`"},
	},
	RuleAppUnverified: {
		{Severity: "info",
			When:       "step 1 cannot be read with this token: a personal account (GitHub shows its installations only to the App), a repository scope whose App is installed on selected repositories (the selection is visible only to the App), or the installations call answered 403/404 (the token's user must be an organization owner; fine-grained organization \"Administration\" read, classic `read:org`). The steps table then shows step 1 as not verified, never done",
			NextAction: "check the installation in the account's settings, or rerun with an owner's token that may read it"},
	},
	RuleRunnerGroupPermission: {
		{Severity: "blocker",
			When:       "a runner-group call answered 403: admission is unverified",
			NextAction: "grant the token the organization permission \"Self-hosted runners\" (read) (fine-grained) or `admin:org` (classic: `gh auth refresh -s admin:org`)"},
	},
}
