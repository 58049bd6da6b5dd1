package kube

import (
	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Expectations is what the overlay says must exist in the cluster, each value with the
// position of the file value that declares it (or of the enclosing block when the value
// is a default), so a finding points at what an operator would edit.
type Expectations struct {
	// Context is the kube context the overlay names (organization.yaml
	// substrate.cluster.context, else the tfvars cluster_context). Config.Context wins.
	Context overlay.String
	// Secrets are (secret, namespace) pairs that must exist, deduplicated.
	Secrets []SecretExpectation
	// ScaleSets are the runner scale sets that must exist, in tfvars order: the deployed
	// built-in lanes, then extra_runner_sets.
	ScaleSets []ScaleSetExpectation
}

// SecretExpectation is one App secret that must exist in one namespace.
type SecretExpectation struct {
	Name      overlay.String
	Namespace overlay.String
	// Purpose says why the secret is expected, for messages ("owner GitHub App secret").
	Purpose string
}

// ScaleSetExpectation is one AutoscalingRunnerSet the overlay deploys.
type ScaleSetExpectation struct {
	// Source names the tfvars declaration: "nix lane", "extra_runner_sets.<key>".
	Source    string
	Namespace overlay.String
	// ControllerNamespace is where the ARC controller and listeners run (for next actions).
	ControllerNamespace string
	// Name is the expected spec.runnerScaleSetName (the GitHub registration identity).
	Name overlay.String
	// Label is the workflow-facing label that must be in spec.runnerScaleSetLabels.
	Label        overlay.String
	ConfigURL    overlay.String
	ConfigSecret overlay.String
	// RunnerGroup is the expected spec.runnerGroup (the GitHub runner group the set
	// registers into; ARC treats an empty value as the Default group); RunnerGroupKey is
	// the tfvars key that sets it.
	RunnerGroup    overlay.String
	RunnerGroupKey string
}

// NewExpectations derives what the Kubernetes probes check from a loaded overlay, through
// the deploy model (which decides every default; see package deploy). Lanes and
// extra_runner_sets of every tfvars file count. Secrets expected:
//   - each stack's App secret (githubConfigSecret) in its controller and runner namespace;
//   - the owner's App secret (owner.github_app_secret_name) there too when it names another
//     secret (the taxonomy gate reports the disagreement; here both must exist);
//   - an extra set's own github_config_secret in the runner namespace;
//   - with no tfvars at all, the owner's App secret in the core's default namespaces
//     (there are then no scale sets to expect).
func NewExpectations(o *overlay.Overlay) Expectations {
	var exp Expectations
	if o == nil {
		return exp
	}
	m := deploy.Of(o)
	exp.Context = fromModel(m.Context)
	seen := map[[2]string]bool{}
	addSecret := func(name, ns deploy.Value, purpose string) {
		if name.Value == "" {
			return
		}
		k := [2]string{name.Value, ns.Value}
		if seen[k] {
			return
		}
		seen[k] = true
		exp.Secrets = append(exp.Secrets, SecretExpectation{Name: fromModel(name), Namespace: fromModel(ns), Purpose: purpose})
	}
	for _, st := range m.Stacks {
		if m.AppSecret.Value != "" && m.AppSecret.Value != st.ConfigSecret.Value {
			addSecret(m.AppSecret, st.ControllerNamespace, "owner GitHub App secret (organization.yaml)")
			addSecret(m.AppSecret, st.RunnerNamespace, "owner GitHub App secret (organization.yaml)")
		}
		addSecret(st.ConfigSecret, st.ControllerNamespace, "owner GitHub App secret")
		addSecret(st.ConfigSecret, st.RunnerNamespace, "owner GitHub App secret")
		for _, s := range st.ScaleSets {
			source := s.Lane + " lane"
			if s.Lane == "" {
				source = s.What()
				if !s.ConfigSecret.Defaulted {
					addSecret(s.ConfigSecret, st.RunnerNamespace, "githubConfigSecret of "+s.What())
				}
			}
			exp.ScaleSets = append(exp.ScaleSets, ScaleSetExpectation{
				Source:              source,
				Namespace:           fromModel(st.RunnerNamespace),
				ControllerNamespace: st.ControllerNamespace.Value,
				Name:                fromModel(s.Name),
				Label:               fromModel(s.Label),
				ConfigURL:           fromModel(s.ConfigURL),
				ConfigSecret:        fromModel(s.ConfigSecret),
				RunnerGroup:         fromModel(s.RunnerGroup),
				RunnerGroupKey:      s.RunnerGroup.Key,
			})
		}
	}
	if len(m.Stacks) == 0 && m.AppSecret.Value != "" {
		// No ARC stack file to say otherwise: the owner's App secret still belongs in
		// the core's default namespaces.
		for _, ns := range []string{deploy.DefaultControllerNamespace, deploy.DefaultRunnerNamespace} {
			addSecret(m.AppSecret, deploy.Value{Value: ns, Pos: m.AppSecret.Pos}, "owner GitHub App secret")
		}
	}
	return exp
}

// fromModel carries a model value into the probe's expectation form.
func fromModel(v deploy.Value) overlay.String {
	return overlay.String{Value: v.Value, Pos: v.Pos, Set: !v.Defaulted}
}
