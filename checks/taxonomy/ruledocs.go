package taxonomy

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleUnknownLabel: {
		{Severity: "blocker",
			When:       "a well-formed label (`runner_label`, an entry of `runner_labels`, a deployed built-in lane's `tinyland-<kind>`) is not in the shared list (`runner_contract.shared_labels`, else the core's six)",
			NextAction: "use a shared label in that key; a new class is added to the core first"},
	},
	RuleMalformedLabel: {
		{Severity: "blocker",
			When:       "a label (or a declared shared label) breaks `tinyland-<nix\\|docker\\|dind>[-<capability>...]` (lower case, alphanumeric suffixes)",
			NextAction: "rename it to a shared capability label"},
	},
	RuleMintedLabel: {
		{Severity: "blocker",
			When:       "a label carries `personal`, the owner slug, a repository name, or starts with a scale-set name (also when declared in `runner_contract.shared_labels`)",
			NextAction: "replace it with the shared capability label (an extra set's `runner_label`: list the new label in its `runner_labels` too); identity stays in `runner_scale_set_name` / `github_config_url`"},
	},
	RuleScaleSetDuplicate: {
		{Severity: "blocker",
			When:       "two deployed scale sets of one tfvars (built-in lanes + `extra_runner_sets`, one runner namespace) share a `runnerScaleSetName` or a Helm release name",
			NextAction: "give each an owner-distinct `*_runner_scale_set_name` / `runner_scale_set_name` / key"},
	},
	RuleLabelNotPublished: {
		{Severity: "blocker",
			When:       "an extra runner set has no `runner_label`, or its label equals its scale-set name without being listed in `runner_labels`: ARC would only infer it from the name",
			NextAction: "set `runner_label` to a shared capability label and list it in `runner_labels`; a label equal to the scale-set name that is a shared label only needs listing"},
	},
	RuleRunnerType: {
		{Severity: "blocker",
			When:       "an extra set's `runner_type` is not `nix`/`docker`/`dind`, or differs from the class of its `runner_label` or of any capability label in its `runner_labels` (`runner_type` defaults to `nix`)",
			NextAction: "make `runner_type` match the label class"},
	},
	RuleConfigURL: {
		{Severity: "blocker",
			When:       "a `github_config_url` (organization.yaml, tfvars, extra set) is not exactly `https://github.com/<owner>` or `https://github.com/<owner>/<repo>`: http, trailing slash, `.git`, port, credentials (never echoed), query, extra path, other host",
			NextAction: "write the canonical URL given in the next action"},
	},
	RuleRepoAnchor: {
		{Severity: "warning",
			When:       "a repository-scoped `github_config_url` in an overlay that opts in (`--allow-repo-registration-anchor`, `owner.account_kind: personal`, `enrollment.allow_repo_registration_anchor: true`)",
			NextAction: "declare it in `enrollment.expected_warnings`; keep workflows on shared labels"},
		{Severity: "blocker",
			When:       "the same without opt-in, and always with `--core` (the core's own stack)",
			NextAction: "register at owner scope `https://github.com/<owner>`, or opt in"},
	},
	RuleOwnerMismatch: {
		{Severity: "blocker",
			When:       "a `github_config_url`'s owner is not `owner.slug` (case-insensitive)",
			NextAction: "register under the overlay's owner; another owner's set belongs in that owner's overlay"},
	},
	RuleConsistency: {
		{Severity: "blocker",
			When:       "`config/organization.yaml` and a tfvars disagree, or one side is missing: `owner.github_config_url` ↔ `github_config_url`, `owner.github_app_secret_name` ↔ `github_config_secret`, `substrate.cluster.context` ↔ `cluster_context` (required both sides); `substrate.caches.{attic_server, attic_cache, attic_public_key, bazel_cache_endpoint}` ↔ same keys (when organization.yaml declares them); an extra set's own `github_config_secret` / `attic_server` / `bazel_cache_endpoint` differs from the overlay's",
			NextAction: "make both files name the same value"},
	},
	RuleCacheWiring: {
		{Severity: "blocker",
			When:       "`attic_server` without `attic_public_key` (organization.yaml, tfvars or an extra set); `bazel_executor_endpoint` without `bazel_cache_endpoint` (top level, or an extra set without its own)",
			NextAction: "add the missing key"},
	},
	RuleExtraSetCaches: {
		{Severity: "blocker",
			When:       "an extra runner set not listed in `enrollment.cache_exempt_sets` lacks the caches of its `runner_type` (extra sets do not inherit the stack's): `nix` needs its own `attic_server` and `bazel_cache_endpoint` (the Attic key and cache name are the stack's `attic_public_key` / `attic_cache`), `docker` / `dind` their own `bazel_cache_endpoint`; a set whose `bazel_executor_endpoint` lacks a cache is `taxonomy/cache-wiring` instead, exempt or not",
			NextAction: "add the exact lines the next action gives (the overlay's own values) to the set, or list the set's key in `enrollment.cache_exempt_sets` when it deliberately runs without caches"},
	},
	RuleExtraSetConfigURL: {
		{Severity: "blocker",
			When:       "an extra runner set has no `github_config_url` of its own (the core does not inherit the stack's): the scale set has no registration target",
			NextAction: "add `github_config_url = \"<the stack's URL>\"` to the set"},
	},
	RuleCapacity: {
		{Severity: "blocker",
			When:       "a negative `min_runners` / `max_runners`, or `min_runners` > `max_runners` (deployed lanes, extra sets)",
			NextAction: "fix the bounds"},
	},
	RuleEstateCollision: {
		{Severity: "blocker",
			When:       "(estate check: several `--overlay-root` values) two overlays on one cluster (`substrate.cluster.name`, else tfvars `cluster_context`) deploy the same scale-set name or Helm release name into the same runner namespace",
			NextAction: "make the name owner-distinct in one of the two named files; labels stay unchanged"},
	},
	RuleEstateSharedCapacity: {
		{Severity: "info",
			When:       "(estate check: several `--overlay-root` values) a shared label is served by scale sets of more than one overlay on one cluster (their `max_runners` are local caps, not a global cap); also notes an overlay left out because it names no cluster",
			NextAction: "—"},
	},
}
