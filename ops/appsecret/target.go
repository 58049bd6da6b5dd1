package appsecret

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Namespace is one namespace the secret goes into, and where that choice came from.
type Namespace struct {
	Name string
	From string // "controller_namespace (tofu/...tfvars:9:24)" or "controller_namespace default"
}

// Target is where the secret goes: its name, the kube context and both namespaces, each
// with the place in the overlay that decided it (printed in the plan so an operator can
// check every choice against the overlay).
type Target struct {
	SecretName  string
	SecretFrom  string
	Context     string
	ContextFrom string
	Namespaces  []Namespace
	// OtherSecrets are secret names extra_runner_sets use that this command does not
	// write (each needs its own credentials).
	OtherSecrets []string
	// ContextOverride is set when --context differs from organization.yaml.
	ContextOverride string
}

// ResolveTarget reads the target from a loaded overlay. contextFlag is --context ("" to
// use substrate.cluster.context). Every problem is returned at once.
func ResolveTarget(o *overlay.Overlay, contextFlag string) (*Target, finding.InputErrors) {
	var errs finding.InputErrors
	t := &Target{}
	org := o.Org
	if org == nil {
		return nil, finding.InputErrors{refusal(finding.Position{File: overlay.OrgFile}, finding.KindMissing, "%s is missing", overlay.OrgFile)}
	}
	orgFile := org.File
	if orgFile == "" {
		orgFile = overlay.OrgFile
	}

	name := org.Owner.GithubAppSecretName
	switch {
	case !name.Set || strings.TrimSpace(name.Value) == "":
		errs = append(errs, refusal(posOr(name.Pos, org.Owner.Pos, orgFile), finding.KindMissing,
			"%s has no owner.github_app_secret_name; set it to the name of the ARC GitHub App secret (the tfvars github_config_secret)", orgFile))
	case len(validation.IsDNS1123Subdomain(name.Value)) > 0:
		errs = append(errs, refusal(name.Pos, finding.KindType,
			"owner.github_app_secret_name %q is not a valid Kubernetes secret name (%s)", name.Value, strings.Join(validation.IsDNS1123Subdomain(name.Value), "; ")))
	default:
		t.SecretName = name.Value
		t.SecretFrom = "owner.github_app_secret_name (" + name.Pos.String() + ")"
	}

	tv, ie := oneTfvars(o)
	if ie != nil {
		errs = append(errs, ie)
	} else {
		errs = append(errs, t.fromTfvars(tv, name)...)
	}

	errs = append(errs, t.resolveContext(org, orgFile, tv, contextFlag)...)
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

// oneTfvars returns the single ARC runner stack the namespaces come from.
func oneTfvars(o *overlay.Overlay) (*overlay.Tfvars, *finding.InputError) {
	switch len(o.Tfvars) {
	case 0:
		return nil, refusal(finding.Position{File: overlay.TfvarsGlob}, finding.KindMissing,
			"no ARC runner tfvars found (%s); pass --tfvars PATH so the namespaces and github_config_secret can be read", overlay.TfvarsGlob)
	case 1:
		return o.Tfvars[0], nil
	}
	var files []string
	for _, tv := range o.Tfvars {
		files = append(files, tv.File)
	}
	return nil, refusal(finding.Position{File: o.Tfvars[0].File}, finding.KindDuplicate,
		"several ARC runner tfvars (%s); pass --tfvars PATH to name the stack whose namespaces get the secret", strings.Join(files, ", "))
}

func (t *Target) fromTfvars(tv *overlay.Tfvars, orgName overlay.String) finding.InputErrors {
	var errs finding.InputErrors
	sec := tv.GithubConfigSecret
	switch {
	case !sec.Set || strings.TrimSpace(sec.Value) == "":
		errs = append(errs, refusal(posOr(sec.Pos, finding.Position{}, tv.File), finding.KindMissing,
			"%s has no github_config_secret; set it to %q (owner.github_app_secret_name) so the scale sets read the secret this command writes", tv.File, orgName.Value))
	case orgName.Set && sec.Value != orgName.Value:
		errs = append(errs, refusal(sec.Pos, KindMismatch,
			"github_config_secret %q differs from owner.github_app_secret_name %q (%s); the scale sets would not read the secret this command writes: make them equal, then rerun",
			sec.Value, orgName.Value, orgName.Pos))
	}
	seenOther := map[string]bool{}
	for _, rs := range tv.ExtraRunnerSets {
		if v := rs.GithubConfigSecret.Value; v != "" && v != orgName.Value && !seenOther[v] {
			seenOther[v] = true
			t.OtherSecrets = append(t.OtherSecrets, fmt.Sprintf("%s (extra_runner_sets.%s, %s)", v, rs.Key.Value, rs.GithubConfigSecret.Pos))
		}
	}
	for _, ns := range []struct {
		key string
		v   overlay.String
		def string
	}{
		{"controller_namespace", tv.ControllerNamespace, overlay.DefaultControllerNamespace},
		{"runner_namespace", tv.RunnerNamespace, overlay.DefaultRunnerNamespace},
	} {
		n := Namespace{Name: ns.v.Value, From: fmt.Sprintf("%s (%s)", ns.key, ns.v.Pos)}
		if !ns.v.Set || ns.v.Value == "" {
			n = Namespace{Name: ns.def, From: ns.key + " default"}
		}
		if msgs := validation.IsDNS1123Label(n.Name); len(msgs) > 0 {
			errs = append(errs, refusal(ns.v.Pos, finding.KindType, "%s %q is not a valid namespace name (%s)", ns.key, n.Name, strings.Join(msgs, "; ")))
			continue
		}
		if len(t.Namespaces) == 1 && t.Namespaces[0].Name == n.Name {
			// One namespace for controller and runners: one write, not two.
			t.Namespaces[0].From += " and " + n.From
			continue
		}
		t.Namespaces = append(t.Namespaces, n)
	}
	return errs
}

func (t *Target) resolveContext(org *overlay.OrgConfig, orgFile string, tv *overlay.Tfvars, flagCtx string) finding.InputErrors {
	orgCtx := org.Cluster.Context
	if tv != nil && orgCtx.Set && tv.ClusterContext.Set && tv.ClusterContext.Value != orgCtx.Value {
		return finding.InputErrors{refusal(tv.ClusterContext.Pos, KindMismatch,
			"cluster_context %q differs from substrate.cluster.context %q (%s); the secret would go to another cluster than the runners: make them equal, then rerun",
			tv.ClusterContext.Value, orgCtx.Value, orgCtx.Pos)}
	}
	switch {
	case flagCtx != "":
		t.Context, t.ContextFrom = flagCtx, "--context"
		if orgCtx.Set && orgCtx.Value != flagCtx {
			t.ContextOverride = orgCtx.Value
			t.ContextFrom = fmt.Sprintf("--context, overriding substrate.cluster.context %q (%s)", orgCtx.Value, orgCtx.Pos)
		}
	case orgCtx.Set && orgCtx.Value != "":
		t.Context, t.ContextFrom = orgCtx.Value, "substrate.cluster.context ("+orgCtx.Pos.String()+")"
	default:
		return finding.InputErrors{refusal(posOr(orgCtx.Pos, org.Cluster.Pos, orgFile), finding.KindMissing,
			"%s has no substrate.cluster.context; set it to the kubeconfig context of the ARC cluster (or pass --context NAME)", orgFile)}
	}
	return nil
}

// KubeConfig loads the rest.Config for context from the kubeconfig (path from --kubeconfig,
// else $KUBECONFIG, else ~/.kube/config), without contacting the cluster. A context the
// kubeconfig does not define is refused with the contexts it does define.
func KubeConfig(path, kubeconfigEnv, context string) (*rest.Config, *finding.InputError) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	where := "the kubeconfig"
	switch {
	case path != "":
		rules = &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
		where = "--kubeconfig " + path
	case kubeconfigEnv != "":
		rules.Precedence = splitList(kubeconfigEnv)
		where = "$KUBECONFIG"
	}
	at := finding.Position{File: "kubeconfig"}
	raw, err := rules.Load()
	if err != nil {
		return nil, refusal(at, finding.KindRead, "cannot load %s: %v", where, err)
	}
	if _, ok := raw.Contexts[context]; !ok {
		var names []string
		for n := range raw.Contexts {
			names = append(names, n)
		}
		sort.Strings(names)
		have := "it defines no context"
		if len(names) > 0 {
			have = "it defines " + strings.Join(names, ", ")
		}
		return nil, refusal(at, KindContext, "kube context %q is not in %s (%s); add it, point --kubeconfig at the right file, or pass --context NAME", context, where, have)
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, context, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		return nil, refusal(at, KindContext, "kube context %q in %s is unusable: %v", context, where, err)
	}
	return cfg, nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ":") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func posOr(p, fallback finding.Position, file string) finding.Position {
	if p.IsValid() {
		return p
	}
	if fallback.IsValid() {
		return fallback
	}
	return finding.Position{File: file}
}
