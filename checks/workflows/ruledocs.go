package workflows

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ontoShared ends the next action of a rule whose fix moves a job onto a shared label.
const ontoShared = "; when that moves the job onto a shared label, the action also lists what the shared-label rules will ask of it there (actions pinned to full commit SHAs, `persist-credentials: false` on checkouts, a read-only default token, no secrets where pull requests reach)"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleUnknownLabel: {
		{Severity: "blocker",
			When:       "a self-hosted `runs-on` label (literal, list item, `{group, labels}`, or expanded from the matrix) is not a shared label; also an empty label",
			NextAction: "change `runs-on` to the shared label named in the action (`tinyland-nix`, ...); a genuinely new capability is added to the core first" + ontoShared},
	},
	RuleMintedLabel: {
		{Severity: "blocker",
			When:       "such a label carries the owner, a repository name, a scale-set name prefix or `personal` (`jesssullivan-nix`, `tinyland-infra-nix`, `personal-nix`)",
			NextAction: "target the shared capability label; do not create repo-specific runner labels to make enrollment appear green" + ontoShared},
	},
	RuleNoCapabilityLabel: {
		{Severity: "blocker",
			When:       "`runs-on` names only generic labels (`self-hosted`, `linux`, `x64`, `arm64`, ...), no label at all, or only a runner `group:`",
			NextAction: "add the shared capability label the job needs" + ontoShared},
	},
	RuleGitHubHosted: {
		{Severity: "blocker with `--forbid-github-hosted`",
			When:       "a GitHub-hosted label (`ubuntu-*`, `windows-*`, `macos-*`); allowed, with no finding, by default",
			NextAction: "move the job to a shared self-hosted label, or drop the flag" + ontoShared},
	},
	RuleRunnerGroup: {
		{Severity: "info",
			When:       "`runs-on: {group, labels}` with a shared label: the owner's scale set for that label must be in the group",
			NextAction: "—"},
	},
	RuleUnresolvedExpression: {
		{Severity: "warning",
			When:       "a `runs-on` expression the gate cannot expand: `inputs.*`, `vars.*`, `needs.*.outputs`, `fromJSON` of a computed value, a matrix computed at run time, a matrix value that is a list or mapping, a missing matrix key",
			NextAction: "list the labels statically (a literal, or a `strategy.matrix` list of shared labels), or declare the warning in `enrollment.expected_warnings`"},
	},
	RuleMissingRunsOn: {
		{Severity: "blocker",
			When:       "a job with neither `runs-on` nor `uses`",
			NextAction: "add `runs-on` with a shared label" + ontoShared},
	},
	RulePullRequestTarget: {
		{Severity: "blocker",
			When:       "a job on a shared self-hosted label is reachable from `pull_request_target`",
			NextAction: "remove the trigger (use `pull_request`), move the job off shared labels, or gate it with `if: github.event_name == 'push'`"},
	},
	RuleUntrustedSecrets: {
		{Severity: "blocker",
			When:       "a job on a shared self-hosted label reachable from a pull request references `secrets.*` (in steps, `env`, `with`, `run`, `if`, or the workflow-level `env`)",
			NextAction: "gate the job to trusted events, or move the secret to a job pull requests cannot reach"},
	},
	RuleUntrustedEnvironment: {
		{Severity: "blocker",
			When:       "such a job binds `environment:`",
			NextAction: "gate the job to trusted events, or drop `environment:`"},
	},
	RuleUntrustedWritePermissions: {
		{Severity: "blocker",
			When:       "such a job's token has a `write` scope or `write-all`, set on the job or inherited from the workflow",
			NextAction: "`permissions: contents: read`, or gate the job to trusted events"},
	},
	RuleDefaultPermissions: {
		{Severity: "blocker",
			When:       "a workflow with a job on a shared self-hosted label declares no workflow-level `permissions:` and such a job sets none of its own, so its token is the repository's default",
			NextAction: "`permissions: contents: read` at the top level; write scopes on the jobs that need them"},
		{Severity: "warning",
			When:       "the same, but every shared-label job sets its own `permissions:`",
			NextAction: "add the read-only workflow-level block"},
	},
	RuleWorkflowWritePermissions: {
		{Severity: "blocker",
			When:       "such a workflow's workflow-level `permissions:` is `write-all` or has a `write` scope (`id-token: write` included)",
			NextAction: "keep the workflow default read-only; grant the scope on the job that needs it"},
	},
	RuleActionNotPinned: {
		{Severity: "blocker",
			When:       "a step of a shared-label job `uses:` an action at a tag, branch, abbreviated or upper-case commit, or a `docker://` image by tag; local `./` actions and `docker://…@sha256:<digest>` are exempt",
			NextAction: "`uses: <action>@<40-hex> # <version>` (`gh api repos/<owner>/<repo>/commits/<tag> --jq .sha`)"},
	},
	RuleCheckoutPersistCredentials: {
		{Severity: "blocker",
			When:       "an `actions/checkout` step of a shared-label job lacks `persist-credentials: false` (or sets anything else)",
			NextAction: "add `persist-credentials: false` under `with:`"},
	},
	RuleCheckoutCredential: {
		{Severity: "blocker",
			When:       "such a checkout gets `token:` / `ssh-key:` carrying a stored secret or the job token (`github.token`, `secrets.GITHUB_TOKEN`) while a pull request reaches the job, or the credential is not declared in `enrollment.credentials` (`preferred`, `fallback` or `checkout`)",
			NextAction: "gate the job to trusted events and declare the credential, or drop the input"},
	},
	RuleRetiredCredential: {
		{Severity: "blocker",
			When:       "any job (any runner) or workflow-level `env` references `secrets.<NAME>` for a name in `enrollment.credentials.retired`",
			NextAction: "use the credential that replaced it, or un-retire the name"},
	},
}
