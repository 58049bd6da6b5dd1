package kube

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// Rule ids of the Kubernetes probes. Stable: never rename one, add a new id instead.
const (
	RuleKubeConfig           = "preflight/kube-config-invalid"
	RuleKubeNotChecked       = "preflight/kube-not-checked"
	RuleKubeUnreachable      = "preflight/kube-unreachable"
	RuleKubeUnauthorized     = "preflight/kube-unauthorized"
	RuleKubeForbidden        = "preflight/kube-forbidden"
	RuleKubeAPIError         = "preflight/kube-api-error"
	RuleNamespaceMissing     = "preflight/namespace-missing"
	RuleSecretMissing        = "preflight/app-secret-missing"
	RuleCRDMissing           = "preflight/arc-crd-missing"
	RuleScaleSetMissing      = "preflight/scale-set-missing"
	RuleScaleSetMismatch     = "preflight/scale-set-mismatch"
	RuleLabelUnpublished     = "preflight/scale-set-label-unpublished"
	RuleScaleSetUnregistered = "preflight/scale-set-unregistered"
	RuleScaleSetPhase        = "preflight/scale-set-phase"
	RuleScaleSetRunnerGroup  = "preflight/scale-set-runner-group"
)

var rules = []finding.Rule{
	{ID: RuleKubeNotChecked, Step: finding.StepAppSecret, Summary: "the cluster checks ran (the overlay names a cluster context and something to look for)",
		Help: "Without ARC runner tfvars and an App secret name there is nothing to look for, and without a cluster context the current kubeconfig context may be another cluster; either is a blocker rather than a silently skipped check."},
	{ID: RuleKubeConfig, Step: finding.StepAppSecret, Summary: "the kubeconfig or the selected context cannot be loaded",
		Help: "The Kubernetes probes load the kubeconfig the standard way ($KUBECONFIG or ~/.kube/config, exec plugins included) and select --context, else the overlay's substrate.cluster.context."},
	{ID: RuleKubeUnreachable, Step: finding.StepAppSecret, Summary: "the cluster did not answer within the deadline (connection, TLS or timeout)"},
	{ID: RuleKubeUnauthorized, Step: finding.StepAppSecret, Summary: "the cluster rejected the credentials of the selected context"},
	{ID: RuleKubeForbidden, Step: finding.StepAppSecret, Summary: "the preflight identity lacks a read permission it needs",
		Help: "The preflight needs get on the App secrets (it fetches them as metadata only) in both ARC namespaces and get/list on autoscalingrunnersets.actions.github.com in the runner namespace. RBAC cannot grant metadata-only reads; the preflight never requests secret data."},
	{ID: RuleKubeAPIError, Step: finding.StepAppSecret, Summary: "the cluster answered a read with an unexpected error"},
	{ID: RuleNamespaceMissing, Step: finding.StepAppSecret, Summary: "an ARC namespace named by the tfvars does not exist"},
	{ID: RuleSecretMissing, Step: finding.StepAppSecret, Summary: "the owner's GitHub App secret exists in both ARC namespaces",
		Help: "ARC reads githubConfigSecret from the scale set's namespace; the overlay convention keeps the same App secret in the controller namespace too. Checked as PartialObjectMetadata: values are never read."},
	{ID: RuleCRDMissing, Step: finding.StepApply, Summary: "the cluster does not serve AutoscalingRunnerSet (actions.github.com/v1alpha1)"},
	{ID: RuleScaleSetMissing, Step: finding.StepApply, Summary: "every expected runner scale set exists as an AutoscalingRunnerSet in the runner namespace"},
	{ID: RuleScaleSetMismatch, Step: finding.StepApply, Summary: "the AutoscalingRunnerSet's runnerScaleSetName, githubConfigUrl or githubConfigSecret differs from the tfvars"},
	{ID: RuleLabelUnpublished, Step: finding.StepApply, Summary: "the workflow-facing label is in the scale set's runnerScaleSetLabels",
		Help: "runnerScaleSetName is a registration identity; workflows target the shared capability label, which must be published through runnerScaleSetLabels (gha-runner-scale-set 0.14+ chart value scaleSetLabels)."},
	{ID: RuleScaleSetUnregistered, Step: finding.StepApply, Summary: "the scale set is registered with GitHub (annotation runner-scale-set-id > 0)"},
	{ID: RuleScaleSetRunnerGroup, Step: finding.StepApply, Summary: "the AutoscalingRunnerSet's spec.runnerGroup is the tfvars runner group",
		Help: "spec.runnerGroup decides which GitHub runner group the scale set registers into (empty: the Default group); it must be the group organization.yaml declares and the tfvars binds."},
	{ID: RuleScaleSetPhase, Step: finding.StepApply, Summary: "the scale set's status.phase as the ARC controller reports it (Outdated is a warning)"},
}

// Rules lists every rule the Kubernetes probes can emit, in a stable order.
func Rules() []finding.Rule { return finding.WithDocs(rules, ruleDocs) }
