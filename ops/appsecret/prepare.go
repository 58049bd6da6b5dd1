package appsecret

import (
	"k8s.io/client-go/rest"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Request is one invocation's inputs.
type Request struct {
	OverlayRoot string
	Tfvars      []string // --tfvars
	Context     string   // --context ("" = substrate.cluster.context)
	Kubeconfig  string   // --kubeconfig ("" = $KUBECONFIG, ~/.kube/config)
	// Getenv reads GITHUB_APP_* and KUBECONFIG (os.Getenv in production).
	Getenv func(string) string
	// UID is the caller's user id; the key file must be owned by it.
	UID            int
	ForceConflicts bool
	RetryCommand   string
}

// Prepare validates every input — overlay, App credentials, kube context — and returns
// the plan and the rest.Config of the target context. Nothing is contacted. The error,
// when not nil, is finding.InputErrors listing every problem found.
func Prepare(req Request) (*Plan, *rest.Config, error) {
	o, err := overlay.Load(req.OverlayRoot, overlay.Options{Tfvars: req.Tfvars})
	if err != nil {
		return nil, nil, err
	}
	var errs finding.InputErrors
	target, terrs := ResolveTarget(o, req.Context)
	errs = append(errs, terrs...)
	creds, cerrs := ReadCredentials(req.Getenv, RepoRoot(req.OverlayRoot), req.UID)
	errs = append(errs, cerrs...)
	var cfg *rest.Config
	if target != nil {
		var ie *finding.InputError
		if cfg, ie = KubeConfig(req.Kubeconfig, req.Getenv("KUBECONFIG"), target.Context); ie != nil {
			errs = append(errs, ie)
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return &Plan{Target: target, Creds: creds, Kubeconfig: req.Kubeconfig,
		ForceConflicts: req.ForceConflicts, RetryCommand: req.RetryCommand}, cfg, nil
}
