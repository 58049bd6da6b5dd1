package kube

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// ruleDocs are the rule reference rows of docs/rules.md, generated from Rules() by
// `go test ./tools/gfenroll -run TestRuleReference -update`: one row per severity a rule
// is reported with (markdown).
var ruleDocs = map[string][]finding.RuleDoc{
	RuleKubeNotChecked: {
		{Severity: "blocker",
			When:       "the cluster cannot be checked: no ARC runner tfvars and no App secret name (nothing to look for), or no cluster context (`substrate.cluster.context`, `cluster_context`, `--context`), which would fall back to the kubeconfig's current context",
			NextAction: "create the tfvars / set `substrate.cluster.context` (the same next action as the enrollment gate's)"},
	},
	RuleKubeConfig: {
		{Severity: "blocker",
			When:       "the kubeconfig cannot be loaded, or the context does not exist in it",
			NextAction: "fix `--kubeconfig`/`$KUBECONFIG` or `--context` / `substrate.cluster.context`"},
	},
	RuleKubeUnreachable: {
		{Severity: "blocker",
			When:       "connection refused, TLS failure or deadline exceeded for the context",
			NextAction: "check the context reaches the cluster (`kubectl --context <ctx> get --raw /readyz`: VPN, server URL, CA) and rerun"},
	},
	RuleKubeUnauthorized: {
		{Severity: "blocker",
			When:       "the API server answered 401 for the context's credentials",
			NextAction: "refresh the context's credentials (`kubectl auth whoami` shows the identity)"},
	},
	RuleKubeForbidden: {
		{Severity: "blocker",
			When:       "RBAC denied a read; one finding per namespace naming the verb and resource",
			NextAction: "the exact `kubectl create role … --verb=get --resource=secrets --resource-name=<secret>` (and `--verb=get,list --resource=autoscalingrunnersets.actions.github.com`) plus the matching `kubectl create rolebinding` for the identity named in the 403"},
	},
	RuleKubeAPIError: {
		{Severity: "blocker",
			When:       "another unexpected API error",
			NextAction: "check the API server's health (`kubectl get --raw /readyz?verbose`)"},
	},
	RuleNamespaceMissing: {
		{Severity: "blocker",
			When:       "a controller or runner namespace from the tfvars does not exist",
			NextAction: "apply the overlay's ARC runner stack (`just arc-plan`, review, `just arc-apply`)"},
	},
	RuleSecretMissing: {
		{Severity: "blocker (ok when present)",
			When:       "the owner's App secret is absent from the controller or the runner namespace",
			NextAction: "`just arc-app-secret-dry-run`, then `just arc-app-secret-apply` (`gfenroll arc-app-secret --apply`)"},
	},
	RuleCRDMissing: {
		{Severity: "blocker",
			When:       "the cluster does not serve `AutoscalingRunnerSet`",
			NextAction: "install the ARC controller (gha-runner-scale-set-controller 0.14+) through the ARC runner stack"},
	},
	RuleScaleSetMissing: {
		{Severity: "blocker",
			When:       "an expected scale set (deployed built-in lane or `extra_runner_sets` entry) has no `AutoscalingRunnerSet` with that `runnerScaleSetName`",
			NextAction: "deploy it with the ARC runner stack (`just arc-plan`, `just arc-apply`)"},
	},
	RuleScaleSetMismatch: {
		{Severity: "blocker",
			When:       "the scale set's `githubConfigUrl` or `githubConfigSecret` differs from the tfvars, or it is registered under another name",
			NextAction: "re-apply the stack so the live spec matches the tfvars"},
	},
	RuleLabelUnpublished: {
		{Severity: "blocker; warning when the label equals the scale-set name only",
			When:       "the workflow label is not in `spec.runnerScaleSetLabels`",
			NextAction: "publish it through the chart value `scaleSetLabels` (0.14+) and re-apply"},
	},
	RuleScaleSetUnregistered: {
		{Severity: "blocker (ok when registered)",
			When:       "annotation `runner-scale-set-id` is absent or not an integer > 0",
			NextAction: "inspect the scale set and the controller logs (`kubectl describe autoscalingrunnerset`, `kubectl logs -l app.kubernetes.io/part-of=gha-rs-controller`); usually the App secret or its installation scope"},
	},
	RuleScaleSetPhase: {
		{Severity: "info; warning for `Outdated`",
			When:       "reports `status.phase` (`Pending`, `Running`, `Outdated`)",
			NextAction: "for `Outdated`: upgrade controller and scale-set charts together (same major.minor)"},
	},
	RuleScaleSetRunnerGroup: {
		{Severity: "blocker",
			When:       "an expected `AutoscalingRunnerSet`'s `spec.runnerGroup` (empty = GitHub's Default group) is not the tfvars runner group (`runner_group` or the set's own; case-insensitive)",
			NextAction: "re-apply the ARC runner stack (`just arc-plan`, `just arc-apply`), after correcting the tfvars key if it is wrong"},
	},
}
