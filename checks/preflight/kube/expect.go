package kube

import (
	"fmt"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Defaults of the core's ARC runner stack (tofu/stacks/arc-runners/variables.tf) for
// values an overlay's tfvars may leave unset.
const (
	DefaultControllerNamespace = "arc-systems"
	DefaultRunnerNamespace     = "arc-runners"
	DefaultConfigSecret        = "github-app-secret"
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
	// Static are findings visible without the cluster (e.g. two different App secret
	// names); Probe reports them with its own findings.
	Static []finding.Finding
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
}

// Expectations derives what the Kubernetes probes check from a loaded overlay. Lanes and
// extra_runner_sets of every tfvars file count; defaults follow the core's stack:
//   - namespaces arc-systems / arc-runners;
//   - a lane's scale-set name is <kind>_runner_scale_set_name, else <kind>_runner_name,
//     else the core's default release name gh-<kind> (the chart registers the release
//     name when runnerScaleSetName is unset); its label is tinyland-<kind>;
//   - an extra set's scale-set name is runner_scale_set_name, else its map key (the
//     release name); its URL and secret default to the stack's github_config_url /
//     github_config_secret;
//   - the stack's URL defaults to organization.yaml owner.github_config_url and its
//     secret to owner.github_app_secret_name (then to github-app-secret);
//   - with no tfvars at all, the owner's App secret is still expected in arc-systems
//     and arc-runners (there are then no scale sets to expect).
func NewExpectations(o *overlay.Overlay) Expectations {
	var exp Expectations
	if o == nil {
		return exp
	}
	var orgSecret, orgURL overlay.String
	if org := o.Org; org != nil {
		orgSecret, orgURL = org.Owner.GithubAppSecretName, org.Owner.GithubConfigURL
		exp.Context = org.Cluster.Context
	}
	seen := map[[2]string]bool{}
	addSecret := func(name, ns overlay.String, purpose string) {
		if name.Value == "" {
			return
		}
		k := [2]string{name.Value, ns.Value}
		if seen[k] {
			return
		}
		seen[k] = true
		exp.Secrets = append(exp.Secrets, SecretExpectation{Name: name, Namespace: ns, Purpose: purpose})
	}

	for _, tv := range o.Tfvars {
		if tv == nil {
			continue
		}
		filePos := overlay.Pos{File: tv.File}
		if exp.Context.Value == "" && tv.ClusterContext.Value != "" {
			exp.Context = tv.ClusterContext
		}
		ctrlNS := orDefault(tv.ControllerNamespace, DefaultControllerNamespace, filePos)
		runNS := orDefault(tv.RunnerNamespace, DefaultRunnerNamespace, filePos)

		stackSecret := tv.GithubConfigSecret
		switch {
		case stackSecret.Value == "" && orgSecret.Value != "":
			stackSecret = orgSecret
		case stackSecret.Value == "":
			stackSecret = defaulted(DefaultConfigSecret, filePos)
		case orgSecret.Value != "" && orgSecret.Value != stackSecret.Value:
			exp.Static = append(exp.Static, finding.Finding{
				Rule:     RuleSecretNameMismatch,
				Severity: finding.Blocker,
				Position: stackSecret.Pos,
				Message: fmt.Sprintf("github_config_secret %q differs from organization.yaml owner.github_app_secret_name %q: the scale sets read one secret, the App secret wrapper writes the other",
					stackSecret.Value, orgSecret.Value),
				NextAction: fmt.Sprintf("Name one App secret in both files: set github_config_secret in %s and owner.github_app_secret_name in %s to the same value, then rerun the preflight.",
					tv.File, orgSecret.Pos.File),
			})
			addSecret(orgSecret, ctrlNS, "owner GitHub App secret (organization.yaml)")
			addSecret(orgSecret, runNS, "owner GitHub App secret (organization.yaml)")
		}
		stackURL := tv.GithubConfigURL
		if stackURL.Value == "" {
			stackURL = orgURL
		}
		addSecret(stackSecret, ctrlNS, "owner GitHub App secret")
		addSecret(stackSecret, runNS, "owner GitHub App secret")

		for _, l := range tv.Lanes {
			if !l.Deployed() {
				continue
			}
			name := l.ScaleSetName
			if name.Value == "" {
				name = l.RunnerName
			}
			if name.Value == "" {
				name = defaulted("gh-"+l.Kind, lanePos(l, filePos))
			}
			exp.ScaleSets = append(exp.ScaleSets, ScaleSetExpectation{
				Source:              l.Kind + " lane",
				Namespace:           runNS,
				ControllerNamespace: ctrlNS.Value,
				Name:                name,
				Label:               defaulted(l.Label(), name.Pos),
				ConfigURL:           stackURL,
				ConfigSecret:        stackSecret,
			})
		}
		for _, rs := range tv.ExtraRunnerSets {
			name := rs.RunnerScaleSetName
			if name.Value == "" {
				name = rs.Key
			}
			url := rs.GithubConfigURL
			if url.Value == "" {
				url = stackURL
			}
			secret := rs.GithubConfigSecret
			if secret.Value == "" {
				secret = stackSecret
			} else {
				addSecret(secret, runNS, "githubConfigSecret of extra_runner_sets."+rs.Key.Value)
			}
			label := rs.RunnerLabel
			if !label.Set {
				label.Pos = rs.Pos
			}
			exp.ScaleSets = append(exp.ScaleSets, ScaleSetExpectation{
				Source:              "extra_runner_sets." + rs.Key.Value,
				Namespace:           runNS,
				ControllerNamespace: ctrlNS.Value,
				Name:                name,
				Label:               label,
				ConfigURL:           url,
				ConfigSecret:        secret,
			})
		}
	}
	if len(o.Tfvars) == 0 && orgSecret.Value != "" {
		// No ARC stack file to say otherwise: the owner's App secret still belongs in
		// the core's default namespaces.
		for _, ns := range []string{DefaultControllerNamespace, DefaultRunnerNamespace} {
			addSecret(orgSecret, defaulted(ns, orgSecret.Pos), "owner GitHub App secret")
		}
	}
	return exp
}

func orDefault(s overlay.String, def string, pos overlay.Pos) overlay.String {
	if s.Value != "" {
		return s
	}
	if !s.Pos.IsValid() {
		s.Pos = pos
	}
	s.Value = def
	return s
}

func defaulted(v string, pos overlay.Pos) overlay.String {
	return overlay.String{Value: v, Pos: pos}
}

// lanePos is where a lane is declared: its first set variable, else the file.
func lanePos(l overlay.Lane, file overlay.Pos) overlay.Pos {
	for _, p := range []overlay.Pos{l.ScaleSetName.Pos, l.RunnerName.Pos, l.Deploy.Pos} {
		if p.IsValid() {
			return p
		}
	}
	return file
}
