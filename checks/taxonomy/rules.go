// Package taxonomy is the runner taxonomy gate and the multi-overlay estate check.
//
// Workflow-facing runner labels are capability classes shared by every overlay
// (tinyland-nix, tinyland-nix-heavy, ...). Owner, repository and scale-set identity is
// registration plumbing (github_config_url, runner_scale_set_name, Helm release names) and
// must never leak into a label. The gate reads organization.yaml and the ARC tfvars.
//
// # Rules
//
//	| id | severity | triggers when | next action |
//	|---|---|---|---|
//	| taxonomy/unknown-label | blocker | a well-formed label (runner_label, runner_labels, a deployed built-in lane) is not in the shared list (runner_contract.shared_labels, else the core's six) | use a shared label in that key; new classes are added to the core first |
//	| taxonomy/malformed-label | blocker | a label (or a declared shared label) breaks tinyland-<nix|docker|dind>[-<capability>...] | rename it to a shared capability label |
//	| taxonomy/minted-label | blocker | a label carries "personal", the owner slug, a repository name, or starts with a scale-set name | replace it with the shared capability label; identity stays in runner_scale_set_name / github_config_url |
//	| taxonomy/scale-set-name-duplicate | blocker | two deployed scale sets (built-in lanes + extra_runner_sets) of one tfvars share a runnerScaleSetName or a Helm release name | give each an owner-distinct runner_scale_set_name / key |
//	| taxonomy/label-not-published | blocker | an extra runner set has no runner_label, or its label equals its scale-set name without being listed in runner_labels: the label would only be inferred from the name | set runner_label (and list it in runner_labels) explicitly |
//	| taxonomy/runner-type | blocker | an extra set's runner_type is not nix/docker/dind, or differs from the class of its runner_label or of a capability label in runner_labels (runner_type defaults to nix) | make runner_type match the label class |
//	| taxonomy/config-url | blocker | a github_config_url is not exactly https://github.com/<owner> or https://github.com/<owner>/<repo> (http, trailing slash, .git, other host, extra path) | write the canonical URL |
//	| taxonomy/repo-registration-anchor | warning or blocker | a repository-scoped github_config_url: warning when the overlay opts in (--allow-repo-registration-anchor, owner.account_kind: personal, enrollment.allow_repo_registration_anchor: true); blocker otherwise, and always with --core | declare the warning expected, or register at owner scope |
//	| taxonomy/owner-mismatch | blocker | a github_config_url's owner is not owner.slug | register under the overlay's own owner, or move the set to that owner's overlay |
//	| taxonomy/consistency | blocker | organization.yaml and tfvars disagree (or one side is missing): config URL, App secret name, cluster context, attic server/cache/public key, bazel cache endpoint; an extra set's own secret / attic_server / bazel_cache_endpoint differs from the overlay's | make both files name the same value |
//	| taxonomy/cache-wiring | blocker | attic_server without attic_public_key (organization.yaml, tfvars or an extra set); bazel_executor_endpoint without bazel_cache_endpoint | add the missing key |
//	| taxonomy/extra-set-caches | blocker | an extra set not listed in enrollment.cache_exempt_sets lacks the caches of its runner_type: nix needs its own attic_server and bazel_cache_endpoint (and the stack's attic_public_key), docker/dind their own bazel_cache_endpoint | add the keys to the set (snippet in the next action), or list the set in enrollment.cache_exempt_sets |
//	| taxonomy/extra-set-config-url | blocker | an extra set has no github_config_url of its own (the core does not inherit the stack's) | add github_config_url to the set |
//	| taxonomy/capacity | blocker | a negative min_runners / max_runners, or min_runners > max_runners | fix the bounds |
//	| taxonomy/estate-scale-set-collision | blocker | (estate) two overlays on one cluster deploy the same scale-set or Helm release name into the same runner namespace | rename one overlay's scale set owner-distinctly |
//	| taxonomy/estate-shared-capacity | info | (estate) a shared label is served by scale sets of more than one overlay on one cluster: max_runners are local caps, not a global cap | none: context |
//
// Decisions:
//   - The core's arc-runner module publishes runner_label in the scale set's labels, so a set
//     whose runner_label differs from its scale-set name publishes it explicitly even when
//     runner_labels lists only generic labels (the personal overlay's compute-expansion set does so). A set without
//     runner_label, or whose label is its scale-set name and nothing else, relies on ARC
//     inferring the label from the name: a blocker.
//   - Scale-set names, release names, namespaces, secrets and every other default come from
//     package deploy (a built-in lane registers as tinyland-<kind>, an extra set as its
//     runner_label), the same model the preflight and arc-app-secret read.
//   - A github_config_url on another host than github.com is accepted (as GitHub Enterprise
//     Server) only when organization.yaml owner.github_config_url uses that same host.
//     https://github.com/enterprises/<slug> (enterprise scope) is accepted and is neither an
//     anchor nor checked against owner.slug.
//   - A repository anchor is reported once per distinct URL, at its first use.
package taxonomy

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RuleUnknownLabel         = "taxonomy/unknown-label"
	RuleMalformedLabel       = "taxonomy/malformed-label"
	RuleMintedLabel          = "taxonomy/minted-label"
	RuleScaleSetDuplicate    = "taxonomy/scale-set-name-duplicate"
	RuleLabelNotPublished    = "taxonomy/label-not-published"
	RuleRunnerType           = "taxonomy/runner-type"
	RuleConfigURL            = "taxonomy/config-url"
	RuleRepoAnchor           = "taxonomy/repo-registration-anchor"
	RuleOwnerMismatch        = "taxonomy/owner-mismatch"
	RuleConsistency          = "taxonomy/consistency"
	RuleCacheWiring          = "taxonomy/cache-wiring"
	RuleExtraSetCaches       = "taxonomy/extra-set-caches"
	RuleExtraSetConfigURL    = "taxonomy/extra-set-config-url"
	RuleCapacity             = "taxonomy/capacity"
	RuleEstateCollision      = "taxonomy/estate-scale-set-collision"
	RuleEstateSharedCapacity = "taxonomy/estate-shared-capacity"
)

var overlayRules = []finding.Rule{
	{ID: RuleUnknownLabel, Summary: "workflow-facing labels are shared capability labels",
		Help: "runner_label, runner_labels and deployed built-in lanes must use labels from runner_contract.shared_labels, else the core's six. New classes are added to the core first."},
	{ID: RuleMalformedLabel, Summary: "labels follow tinyland-<nix|docker|dind>[-<capability>...]",
		Help: "Capability labels are lowercase, start with tinyland-nix, tinyland-docker or tinyland-dind, and add only lowercase alphanumeric capability suffixes."},
	{ID: RuleMintedLabel, Summary: "no minted (owner, repository, scale-set or personal) labels",
		Help: "Labels such as personal-nix, <repo>-nix or <owner>-docker turn identity into taxonomy. Identity belongs in runner_scale_set_name and github_config_url."},
	{ID: RuleScaleSetDuplicate, Summary: "scale-set and Helm release names are unique within the overlay",
		Help: "runnerScaleSetName is ARC registration identity and the Helm release name a Kubernetes identity; two deployed sets of one runner namespace must not share either."},
	{ID: RuleLabelNotPublished, Summary: "each extra runner set publishes its workflow label explicitly",
		Help: "A set without runner_label, or whose label is only its scale-set name, relies on ARC inferring the label from the name, which breaks as soon as the name is made owner-distinct."},
	{ID: RuleRunnerType, Summary: "runner_type matches the label's class",
		Help: "runner_type (nix, docker, dind; default nix) selects the runner image; a tinyland-docker label on a nix runner routes jobs to the wrong image."},
	{ID: RuleConfigURL, Summary: "github_config_url is https://github.com/<owner>[/<repo>]",
		Help: "ARC registers against the exact URL; http, a trailing slash, .git, extra path segments or another host register elsewhere or not at all."},
	{ID: RuleRepoAnchor, Summary: "repository-scoped registration only where the overlay opts in",
		Help: "A repository URL is a private registration anchor: a warning for overlays that opt in (personal accounts have no org runner groups), a blocker otherwise and always in the core's own stack."},
	{ID: RuleOwnerMismatch, Summary: "github_config_url registers under the overlay's owner",
		Help: "The URL's owner must be owner.slug: the overlay's GitHub App is installed for that owner only."},
	{ID: RuleConsistency, Summary: "organization.yaml and tfvars name the same deployment facts",
		Help: "Config URL, App secret name, cluster context and cache coordinates in organization.yaml must match the tfvars; extra runner sets use the overlay's secret and caches."},
	{ID: RuleCacheWiring, Summary: "cache endpoints travel with their keys",
		Help: "attic_server needs attic_public_key for substituter reads; bazel_executor_endpoint needs a bazel_cache_endpoint."},
	{ID: RuleExtraSetCaches, Summary: "extra runner sets are wired to the caches their runner type uses",
		Help: "Extra runner sets do not inherit the stack's caches: a nix set needs its own attic_server (with the stack's attic_public_key) and bazel_cache_endpoint, a docker or dind set its own bazel_cache_endpoint, unless enrollment.cache_exempt_sets lists the set."},
	{ID: RuleExtraSetConfigURL, Summary: "every extra runner set names its registration URL",
		Help: "An extra runner set does not inherit the stack's github_config_url: without its own the scale set has no registration target."},
	{ID: RuleCapacity, Summary: "runner bounds are non-negative with min_runners <= max_runners",
		Help: "Negative bounds or min_runners above max_runners are rejected by ARC or pin capacity at an unintended value."},
}

var estateRules = []finding.Rule{
	{ID: RuleEstateCollision, Summary: "scale-set and Helm release names are unique across overlays on one cluster",
		Help: "Overlays sharing a cluster and runner namespace must use owner-distinct runnerScaleSetName values and Helm release names."},
	{ID: RuleEstateSharedCapacity, Summary: "per-cluster capacity of shared labels across overlays",
		Help: "max_runners is a local cap for one overlay's scale set, not a global cap for the shared label; Kubernetes scheduling is the global backpressure."},
}

// Rules lists every rule the taxonomy gate can emit, in a stable order: the per-overlay
// rules (registered by Check) followed by the estate rules (registered by CheckEstate).
func Rules() []finding.Rule {
	out := append([]finding.Rule(nil), overlayRules...)
	return finding.WithDocs(append(out, estateRules...), ruleDocs)
}

// OverlayRules are the rules Check evaluates.
func OverlayRules() []finding.Rule { return append([]finding.Rule(nil), overlayRules...) }

// EstateRules are the rules CheckEstate evaluates.
func EstateRules() []finding.Rule { return append([]finding.Rule(nil), estateRules...) }
