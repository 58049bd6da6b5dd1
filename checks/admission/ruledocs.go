package admission

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleDeclarationMalformed: {
		{Severity: "blocker",
			When:       "`runner_contract.runner_group` is not a mapping; lacks `name`, `visibility`, `allows_public_repositories` or `restricted_to_workflows`; a boolean is quoted or not a YAML boolean; `visibility` is not `selected`/`all`/`private`; a `selected_repository_ids` item is not an unquoted positive number or repeats; a `selected_workflows` item is not a string; a `*_ruling` is empty; `owner.repository_id` is not a positive number",
			NextAction: "fix the named key in `config/organization.yaml`"},
	},
	RuleGroupMismatch: {
		{Severity: "blocker",
			When:       "the tfvars `runner_group` (or an extra set's own) is not the declared group's `name` (case-insensitive), or binds a named group `organization.yaml` does not declare",
			NextAction: "set `runner_group = \"<declared>\"` in the tfvars, or declare the group (and create it: `gh api -X POST orgs/<org>/actions/runner-groups -f name=<group> -f visibility=selected`)"},
	},
	RuleDefaultGroup: {
		{Severity: "blocker",
			When:       "under `runner_group_policy = \"organization-restricted\"` the stack or a set joins GitHub's shared Default group: `runner_group = \"default\"`/`\"Default\"`, or `runner_group` omitted (the core's default)",
			NextAction: "set `runner_group` to the declared, named group"},
	},
	RulePolicy: {
		{Severity: "blocker",
			When:       "`runner_group_policy` is `legacy-default` (the expired grandfather policy) or any other value the core does not know, or is unset while `organization.yaml` declares a group",
			NextAction: "set `runner_group_policy = \"organization-restricted\"`"},
	},
	RuleRosterIgnored: {
		{Severity: "blocker",
			When:       "`visibility: all` or `private` with a non-empty `selected_repository_ids`: GitHub ignores the roster and admits every (private) repository",
			NextAction: "set `visibility: selected` (and `gh api -X PATCH orgs/<org>/actions/runner-groups/<id> -f visibility=selected`), or drop the roster"},
	},
	RuleAdmitsNobody: {
		{Severity: "blocker",
			When:       "`visibility: selected` with an empty or absent roster; `restricted_to_workflows: true` without `selected_workflows`; every scale set bound to the dedicated group has `max_runners = 0`",
			NextAction: "list the repositories (`gh api -X PUT orgs/<org>/actions/runner-groups/<id>/repositories`) or workflows; or give a scale set capacity"},
	},
	RulePublicRepositories: {
		{Severity: "info",
			When:       "`allows_public_repositories: true`; quotes the declaration's `*_ruling` fields, or says none records why",
			NextAction: "—"},
	},
	RuleOwnRepository: {
		{Severity: "warning",
			When:       "`owner.repository_id` is on `selected_repository_ids` and no `*_ruling` field records the decision",
			NextAction: "record the decision in a `*_ruling` field, or remove the id"},
		{Severity: "info",
			When:       "the same, with a `*_ruling` field: the finding quotes it",
			NextAction: "—"},
	},
	RulePersonalAccount: {
		{Severity: "blocker",
			When:       "`owner.account_kind: personal` with a `runner_contract.runner_group` declaration or an explicit tfvars `runner_group`: personal accounts have no runner groups",
			NextAction: "move the repositories under an organization or enterprise scope, or delete the group and keep the repository registration anchor"},
	},
	RuleWorkflowGroup: {
		{Severity: "blocker",
			When:       "a job's `runs-on` `group:` is not the declared group (expressions are not judged)",
			NextAction: "set `runs-on.group` to the declared group"},
	},
}
