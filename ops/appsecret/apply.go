package appsecret

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// FieldManager is the server-side apply field manager of every write.
const FieldManager = "gfenroll"

// Metadata the command puts on the Secret besides its data: who manages it, and the
// public-key fingerprint, so the secret's key can be compared across namespaces (and with
// GitHub's App settings page) from metadata alone, without reading the value.
const (
	LabelManagedBy         = "app.kubernetes.io/managed-by"
	AnnotationFingerprint  = "gf-enrollment.tinyland.dev/github-app-key-sha256"
	AnnotationAppID        = "gf-enrollment.tinyland.dev/github-app-id"
	managedByValue         = FieldManager
	userAgent              = "gfenroll/arc-app-secret"
	dryRunRoundDescription = "server-side dry run"
)

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RulePlan            = "arc-app-secret/plan"
	RuleApplied         = "arc-app-secret/applied"
	RuleNotWritten      = "arc-app-secret/not-written"
	RuleApplyFailed     = "arc-app-secret/apply-failed"
	RuleExtraKeys       = "arc-app-secret/extra-keys"
	RuleOtherSecret     = "arc-app-secret/other-secret"
	RuleContextOverride = "arc-app-secret/context-override"
)

// Rules lists every rule the command emits, in a stable order.
func Rules() []finding.Rule {
	return finding.WithDocs([]finding.Rule{
		{ID: RulePlan, Summary: "What --dry-run would write (nothing is written)"},
		{ID: RuleApplied, Summary: "The App secret is in place in a namespace (created, updated or unchanged)"},
		{ID: RuleNotWritten, Summary: "A namespace refused the secret in the server-side dry run, so nothing was written anywhere",
			Help: "--apply first server-side dry-runs the Secret in every namespace; any refusal (missing namespace, RBAC, a field conflict, an immutable type) stops before the first write."},
		{ID: RuleApplyFailed, Summary: "A write failed after the dry run passed; the report says what each namespace holds",
			Help: "Re-running is safe: apply is idempotent, namespaces already holding the secret report unchanged."},
		{ID: RuleExtraKeys, Summary: "The secret holds keys besides the three App keys",
			Help: "ARC refuses a secret carrying both a PAT (github_token) and App credentials; keys another field manager owns are not removed by apply."},
		{ID: RuleOtherSecret, Summary: "An extra runner set uses another secret, which this command does not write"},
		{ID: RuleContextOverride, Summary: "--context differs from organization.yaml's substrate.cluster.context"},
	}, ruleDocs)
}

// Plan is a fully validated run: where the secret goes and what it holds.
type Plan struct {
	Target *Target
	Creds  *Credentials
	// Kubeconfig names the kubeconfig for messages ("" = default loading rules).
	Kubeconfig string
	// ForceConflicts takes ownership of fields another field manager owns (--force-conflicts).
	ForceConflicts bool
	// RetryCommand is the exact command line to rerun, printed in failure next actions.
	RetryCommand string
}

// Secret is the apply configuration for one namespace: type Opaque, the three ARC keys.
func (p *Plan) Secret(namespace string) *corev1ac.SecretApplyConfiguration {
	return corev1ac.Secret(p.Target.SecretName, namespace).
		WithType(corev1.SecretTypeOpaque).
		WithLabels(map[string]string{LabelManagedBy: managedByValue}).
		WithAnnotations(map[string]string{
			AnnotationFingerprint: p.Creds.Fingerprint,
			AnnotationAppID:       p.Creds.AppID,
		}).
		WithData(map[string][]byte{
			KeyAppID:          []byte(p.Creds.AppID),
			KeyInstallationID: []byte(p.Creds.InstallationID),
			KeyPrivateKey:     p.Creds.Key,
		})
}

// Client is the cluster access apply needs; KubeClient is the real one, tests wrap it to
// inject failures.
type Client interface {
	// Current returns the secret's resourceVersion from its metadata (never its data);
	// found is false when it does not exist.
	Current(ctx context.Context, namespace, name string) (resourceVersion string, found bool, err error)
	// Apply server-side applies the secret (DryRun: All when dryRun) and returns the
	// resulting resourceVersion and data key names.
	Apply(ctx context.Context, s *corev1ac.SecretApplyConfiguration, force, dryRun bool) (resourceVersion string, keys []string, err error)
}

// KubeClient talks to a real cluster through client-go.
type KubeClient struct {
	typed kubernetes.Interface
	meta  metadata.Interface
}

// NewKubeClient builds the client for a rest.Config.
func NewKubeClient(cfg *rest.Config) (*KubeClient, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = userAgent
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes metadata client: %w", err)
	}
	return &KubeClient{typed: typed, meta: meta}, nil
}

var secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// Current implements Client with a metadata-only GET.
func (k *KubeClient) Current(ctx context.Context, namespace, name string) (string, bool, error) {
	m, err := k.meta.Resource(secretsGVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return m.ResourceVersion, true, nil
}

// Apply implements Client.
func (k *KubeClient) Apply(ctx context.Context, s *corev1ac.SecretApplyConfiguration, force, dryRun bool) (string, []string, error) {
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: force}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	got, err := k.typed.CoreV1().Secrets(*s.Namespace).Apply(ctx, s, opts)
	if err != nil {
		return "", nil, err
	}
	keys := make([]string, 0, len(got.Data))
	for key := range got.Data {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return got.ResourceVersion, keys, nil
}

// Apply writes the secret into every namespace. It first server-side dry-runs the secret
// in each namespace, so a missing namespace, an RBAC gap, a field conflict or an immutable
// type stops the run before the first write. Then it applies namespace by namespace and
// reports, per namespace, whether the secret was created, updated or unchanged (same
// resourceVersion), or exactly what each namespace holds when a write fails.
func (p *Plan) Apply(ctx context.Context, c Client) *finding.Report {
	r := p.baseReport()
	name := p.Target.SecretName
	nss := p.Target.Namespaces

	type state struct {
		before       string
		found, known bool
	}
	states := make([]state, len(nss))
	for i, ns := range nss {
		rv, found, err := c.Current(ctx, ns.Name, name)
		// A caller allowed to apply but not to get still gets a correct write; the
		// report then says "applied" instead of created/updated/unchanged.
		states[i] = state{before: rv, found: found, known: err == nil}
	}

	var refused []string
	for _, ns := range nss {
		if _, _, err := c.Apply(ctx, p.Secret(ns.Name), p.ForceConflicts, true); err != nil {
			refused = append(refused, ns.Name)
			r.Add(finding.Finding{Rule: RuleNotWritten, Severity: finding.Blocker,
				Message: fmt.Sprintf("%s/%s: the %s was refused: %s; nothing was written in any namespace (%s)",
					ns.Name, name, dryRunRoundDescription, p.scrub(err), nsList(nss)),
				NextAction: p.fixFor(err, ns.Name)})
		}
	}
	if len(refused) > 0 {
		return r
	}

	for i, ns := range nss {
		rv, keys, err := c.Apply(ctx, p.Secret(ns.Name), p.ForceConflicts, false)
		if err != nil {
			r.Add(finding.Finding{Rule: RuleApplyFailed, Severity: finding.Blocker,
				Message:    fmt.Sprintf("%s/%s: write failed: %s. %s", ns.Name, name, p.scrub(err), describeStates(nss, i)),
				NextAction: p.fixFor(err, ns.Name)})
			return r
		}
		st := states[i]
		var what string
		switch {
		case !st.known:
			what = fmt.Sprintf("applied (resourceVersion %s)", rv)
		case !st.found:
			what = fmt.Sprintf("created (resourceVersion %s)", rv)
		case st.before == rv:
			what = fmt.Sprintf("unchanged (resourceVersion %s)", rv)
		default:
			what = fmt.Sprintf("updated (resourceVersion %s -> %s)", st.before, rv)
		}
		r.Add(finding.Finding{Rule: RuleApplied, Severity: finding.OK,
			Message: fmt.Sprintf("%s/%s %s in context %s: keys %s, %s, %s; App %s, installation %s, key %s",
				ns.Name, name, what, p.Target.Context, KeyAppID, KeyInstallationID, KeyPrivateKey,
				p.Creds.AppID, p.Creds.InstallationID, p.Creds.Fingerprint)})
		p.extraKeys(r, ns.Name, keys)
	}
	return r
}

// describeStates says what every namespace holds when the write to nss[failed] failed:
// the earlier ones hold the new secret, the failed one and the later ones were not written.
func describeStates(nss []Namespace, failed int) string {
	var parts []string
	for i, ns := range nss {
		switch {
		case i < failed:
			parts = append(parts, ns.Name+" HOLDS the new secret")
		case i == failed:
			parts = append(parts, ns.Name+" was NOT written (it keeps whatever it held before)")
		default:
			parts = append(parts, ns.Name+" was NOT attempted (it keeps whatever it held before)")
		}
	}
	state := "State now: " + strings.Join(parts, "; ")
	if failed > 0 {
		state += ". The namespaces disagree until the rerun succeeds"
	}
	return state
}

// fixFor turns an API error into the operator's next action.
func (p *Plan) fixFor(err error, ns string) string {
	ctxName := p.Target.Context
	retry := p.RetryCommand
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Sprintf("Create namespace %s first (kubectl --context %s create namespace %s, or apply the ARC stack's namespaces), then rerun: %s", ns, ctxName, ns, retry)
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("Grant your identity get, create and patch on secrets in %s (kubectl --context %s -n %s create role gfenroll-app-secret --verb=get,create,patch --resource=secrets, plus a rolebinding; without rights there a missing namespace also answers forbidden, so check it exists), then rerun: %s", ns, ctxName, ns, retry)
	case apierrors.IsConflict(err):
		return fmt.Sprintf("Another field manager owns these keys with other values; if this App secret replaces them, rerun with --force-conflicts: %s --force-conflicts", retry)
	case apierrors.IsInvalid(err):
		return fmt.Sprintf("The existing secret cannot take this change (its type is immutable); delete it (kubectl --context %s -n %s delete secret %s) and rerun: %s", ctxName, ns, p.Target.SecretName, retry)
	case apierrors.IsUnauthorized(err):
		return fmt.Sprintf("Renew the credentials of kube context %s, then rerun: %s", ctxName, retry)
	}
	return fmt.Sprintf("Check that kube context %s reaches the cluster, then rerun (apply is idempotent): %s", ctxName, retry)
}

// extraKeys warns when the secret holds more than the three App keys: a leftover
// github_token makes ARC refuse the secret ("both PAT and GitHub App credentials").
func (p *Plan) extraKeys(r *finding.Report, ns string, keys []string) {
	var extra []string
	for _, k := range keys {
		if k != KeyAppID && k != KeyInstallationID && k != KeyPrivateKey {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return
	}
	why := "ARC reads only the App keys"
	for _, k := range extra {
		if k == "github_token" {
			why = "ARC refuses a secret holding both a PAT (github_token) and App credentials"
		}
	}
	var ops []string
	for _, k := range extra {
		ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"/data/%s"}`, k))
	}
	r.Add(finding.Finding{Rule: RuleExtraKeys, Severity: finding.Warning,
		Message: fmt.Sprintf("%s/%s also holds key(s) %s, owned by another field manager; %s", ns, p.Target.SecretName, strings.Join(extra, ", "), why),
		NextAction: fmt.Sprintf("Remove the extra keys: kubectl --context %s -n %s patch secret %s --type=json -p '[%s]'",
			p.Target.Context, ns, p.Target.SecretName, strings.Join(ops, ","))})
}

// scrub removes any trace of the private key from a message that came from outside (an
// API error): the key as read, its base64 form (how the API transports it) and each line
// of its PEM body. No such message is expected to carry the key; this guarantees it.
func (p *Plan) scrub(err error) string {
	return scrubKey(err.Error(), p.Creds.Key)
}

func scrubKey(msg string, key []byte) string {
	if len(key) == 0 {
		return msg
	}
	const redacted = "[redacted]"
	msg = strings.ReplaceAll(msg, string(key), redacted)
	msg = strings.ReplaceAll(msg, base64.StdEncoding.EncodeToString(key), redacted)
	for _, line := range bytes.Split(key, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) >= 16 && !bytes.HasPrefix(line, []byte("-----")) {
			msg = strings.ReplaceAll(msg, string(line), redacted)
		}
	}
	return msg
}

func nsList(nss []Namespace) string {
	names := make([]string, len(nss))
	for i, n := range nss {
		names[i] = n.Name
	}
	return strings.Join(names, ", ")
}

// DryRun describes what --apply would write; it contacts nothing.
func (p *Plan) DryRun() *finding.Report {
	r := p.baseReport()
	r.Add(finding.Finding{Rule: RulePlan, Severity: finding.Info,
		Message: fmt.Sprintf("dry run: would server-side apply Secret %s (type Opaque, keys %s, %s, %s) into %s in kube context %s; nothing was written",
			p.Target.SecretName, KeyAppID, KeyInstallationID, KeyPrivateKey, nsList(p.Target.Namespaces), p.Target.Context)})
	return r
}

// baseReport carries the rules, the plan table and the notes every mode shows.
func (p *Plan) baseReport() *finding.Report {
	r := &finding.Report{}
	r.AddRules(Rules()...)
	t := p.Target
	if t.ContextOverride != "" {
		r.Add(finding.Finding{Rule: RuleContextOverride, Severity: finding.Info,
			Message: fmt.Sprintf("writing to kube context %s (--context) although organization.yaml names %s", t.Context, t.ContextOverride)})
	}
	for _, other := range t.OtherSecrets {
		r.Add(finding.Finding{Rule: RuleOtherSecret, Severity: finding.Info,
			Message: "secret " + other + " is not written by this command; it needs its own App credentials"})
	}
	var nsRows []string
	for _, n := range t.Namespaces {
		nsRows = append(nsRows, n.Name+" from "+n.From)
	}
	kubeconfig := p.Kubeconfig
	if kubeconfig == "" {
		kubeconfig = "$KUBECONFIG or ~/.kube/config"
	}
	key := fmt.Sprintf("<redacted> RSA %d-bit %s key from %s; public key %s", p.Creds.KeyBits, p.Creds.KeyFormat, p.Creds.KeyPath, p.Creds.Fingerprint)
	force := "no"
	if p.ForceConflicts {
		force = "yes (--force-conflicts)"
	}
	r.Tables = append(r.Tables, finding.Table{
		Title:   "ARC GitHub App secret",
		Columns: []string{"field", "value"},
		Rows: [][]string{
			{"kube context", t.Context + " from " + t.ContextFrom},
			{"kubeconfig", kubeconfig},
			{"namespaces", strings.Join(nsRows, "; ")},
			{"secret", t.SecretName + " (type Opaque) from " + t.SecretFrom},
			{KeyAppID, p.Creds.AppID + " from $" + EnvAppID},
			{KeyInstallationID, p.Creds.InstallationID + " from $" + EnvInstallationID},
			{KeyPrivateKey, key},
			{"write", "server-side apply, field manager " + FieldManager + ", force conflicts: " + force},
		},
	})
	return r
}
