package appsecret

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/internal/kubeconfig"
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

// ResolveTarget reads the target from a loaded overlay through the deploy model (which
// decides namespaces and secret names). contextFlag is --context ("" to use
// substrate.cluster.context). Every problem is returned at once.
func ResolveTarget(o *overlay.Overlay, contextFlag string) (*Target, finding.InputErrors) {
	var errs finding.InputErrors
	t := &Target{}
	if o.Org == nil {
		return nil, finding.InputErrors{refusal(finding.Position{File: overlay.OrgFile}, finding.KindMissing, "%s is missing", overlay.OrgFile)}
	}
	m := deploy.Of(o)
	orgFile := m.OrgFile

	name := m.AppSecret
	switch {
	case name.Defaulted:
		errs = append(errs, refusal(name.Pos, finding.KindMissing,
			"%s has no owner.github_app_secret_name; set it to the name of the ARC GitHub App secret (the tfvars github_config_secret)", orgFile))
	case len(validation.IsDNS1123Subdomain(name.Value)) > 0:
		errs = append(errs, refusal(name.Pos, finding.KindType,
			"owner.github_app_secret_name %q is not a valid Kubernetes secret name (%s)", name.Value, strings.Join(validation.IsDNS1123Subdomain(name.Value), "; ")))
	default:
		t.SecretName = name.Value
		t.SecretFrom = "owner.github_app_secret_name (" + name.Pos.String() + ")"
	}

	st, ie := oneStack(m)
	if ie != nil {
		errs = append(errs, ie)
	} else {
		errs = append(errs, t.fromStack(st, name)...)
	}

	errs = append(errs, t.resolveContext(m, st, contextFlag)...)
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

// oneStack returns the single ARC runner stack the namespaces come from.
func oneStack(m *deploy.Model) (*deploy.Stack, *finding.InputError) {
	switch len(m.Stacks) {
	case 0:
		return nil, refusal(finding.Position{File: overlay.TfvarsGlob}, finding.KindMissing,
			"no ARC runner tfvars found (%s); pass --tfvars PATH so the namespaces and github_config_secret can be read", overlay.TfvarsGlob)
	case 1:
		return m.Stacks[0], nil
	}
	var files []string
	for _, st := range m.Stacks {
		files = append(files, st.File)
	}
	return nil, refusal(finding.Position{File: m.Stacks[0].File}, finding.KindDuplicate,
		"several ARC runner tfvars (%s); pass --tfvars PATH to name the stack whose namespaces get the secret", strings.Join(files, ", "))
}

func (t *Target) fromStack(st *deploy.Stack, orgName deploy.Value) finding.InputErrors {
	var errs finding.InputErrors
	sec := st.ConfigSecret
	switch {
	case sec.Defaulted:
		errs = append(errs, refusal(finding.Position{File: st.File}, finding.KindMissing,
			"%s has no github_config_secret; set it to %q (owner.github_app_secret_name) so the scale sets read the secret this command writes", st.File, orgName.Value))
	case !orgName.Defaulted && sec.Value != orgName.Value:
		errs = append(errs, refusal(sec.Pos, KindMismatch,
			"github_config_secret %q differs from owner.github_app_secret_name %q (%s); the scale sets would not read the secret this command writes: make them equal, then rerun",
			sec.Value, orgName.Value, orgName.Pos))
	}
	seenOther := map[string]bool{}
	for _, s := range st.ScaleSets {
		if v := s.ConfigSecret.Value; s.Lane == "" && !s.ConfigSecret.Defaulted && v != orgName.Value && !seenOther[v] {
			seenOther[v] = true
			t.OtherSecrets = append(t.OtherSecrets, fmt.Sprintf("%s (%s, %s)", v, s.What(), s.ConfigSecret.Pos))
		}
	}
	for _, v := range []deploy.Value{st.ControllerNamespace, st.RunnerNamespace} {
		n := Namespace{Name: v.Value, From: fmt.Sprintf("%s (%s)", v.Key, v.Pos)}
		if v.Defaulted {
			n.From = v.Key + " default"
		}
		if msgs := validation.IsDNS1123Label(n.Name); len(msgs) > 0 {
			errs = append(errs, refusal(v.Pos, finding.KindType, "%s %q is not a valid namespace name (%s)", v.Key, n.Name, strings.Join(msgs, "; ")))
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

// resolveContext takes --context, else organization.yaml's own substrate.cluster.context:
// operator commands that write read organization.yaml, so a context only the tfvars names
// is not enough.
func (t *Target) resolveContext(m *deploy.Model, st *deploy.Stack, flagCtx string) finding.InputErrors {
	orgCtx := m.Context
	orgSet := !orgCtx.Defaulted
	if st != nil && orgSet && !st.ClusterContext.Defaulted && st.ClusterContext.Value != orgCtx.Value {
		return finding.InputErrors{refusal(st.ClusterContext.Pos, KindMismatch,
			"cluster_context %q differs from substrate.cluster.context %q (%s); the secret would go to another cluster than the runners: make them equal, then rerun",
			st.ClusterContext.Value, orgCtx.Value, orgCtx.Pos)}
	}
	switch {
	case flagCtx != "":
		t.Context, t.ContextFrom = flagCtx, "--context"
		if orgSet && orgCtx.Value != flagCtx {
			t.ContextOverride = orgCtx.Value
			t.ContextFrom = fmt.Sprintf("--context, overriding substrate.cluster.context %q (%s)", orgCtx.Value, orgCtx.Pos)
		}
	case orgSet:
		t.Context, t.ContextFrom = orgCtx.Value, "substrate.cluster.context ("+orgCtx.Pos.String()+")"
	default:
		pos := orgCtx.Pos
		if pos.File != m.OrgFile {
			pos = finding.Position{File: m.OrgFile}
		}
		return finding.InputErrors{refusal(pos, finding.KindMissing,
			"%s has no substrate.cluster.context; set it to the kubeconfig context of the ARC cluster (or pass --context NAME)", m.OrgFile)}
	}
	return nil
}

// KubeConfig loads the rest.Config for context from the kubeconfig (path from --kubeconfig,
// else $KUBECONFIG, else ~/.kube/config), without contacting the cluster. A context the
// kubeconfig does not define is refused with the contexts it does define.
func KubeConfig(path, kubeconfigEnv, context string) (*rest.Config, *finding.InputError) {
	at := finding.Position{File: "kubeconfig"}
	cfg, _, err := kubeconfig.Load(kubeconfig.Source{Path: path, Env: kubeconfigEnv}, context)
	var ke *kubeconfig.Error
	switch {
	case err == nil:
		return cfg, nil
	case errors.As(err, &ke) && ke.Undefined:
		have := "it defines no context"
		if len(ke.Defined) > 0 {
			have = "it defines " + strings.Join(ke.Defined, ", ")
		}
		return nil, refusal(at, KindContext, "kube context %q is not in %s (%s); add it, point --kubeconfig at the right file, or pass --context NAME", context, ke.Where, have)
	case errors.As(err, &ke) && ke.Unreadable:
		return nil, refusal(at, finding.KindRead, "%v", err)
	default:
		return nil, refusal(at, KindContext, "kube %v", err)
	}
}
