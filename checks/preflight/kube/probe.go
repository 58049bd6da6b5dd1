// Package kube holds the live preflight's Kubernetes probes: the owner's
// GitHub App secret in both ARC namespaces, read as metadata only, and every expected
// runner scale set as an ARC AutoscalingRunnerSet with matching registration fields.
//
// The probes are read-only by construction: secrets go through the metadata client
// (PartialObjectMetadata GET, never the typed or dynamic client, so values never cross
// the wire), scale sets through a dynamic LIST, namespaces through a metadata GET. No
// create, update, patch or delete exists in this package; the e2e tests prove it from
// the apiserver's audit log.
//
// Independent calls run concurrently with per-call deadlines, so a full probe is two
// round trips deep at most (the namespace check only follows a not-found answer).
package kube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/internal/kubeconfig"
	"github.com/tinyland-inc/gf-enrollment/internal/redact"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// Config selects the cluster and bounds the probes.
type Config struct {
	// Kubeconfig is an explicit kubeconfig path; "" loads $KUBECONFIG, else ~/.kube/config.
	Kubeconfig string
	// Context overrides the overlay's context (Expectations.Context); "" uses that, and
	// when the overlay names none, the kubeconfig's current context.
	Context string
	// Timeout bounds each call (default 10s); the caller's ctx bounds the whole probe.
	Timeout time.Duration
	// Concurrency caps calls in flight (default 8; 1 runs them one after another).
	Concurrency int
	// UserAgent is sent with every request (default "gfenroll-preflight").
	UserAgent string
	// RESTConfig, when set, is used as is instead of loading a kubeconfig (tests).
	RESTConfig *rest.Config
}

const (
	defaultTimeout     = 10 * time.Second
	defaultConcurrency = 8
	listPageSize       = 250
)

var (
	// ScaleSetGVR is ARC's AutoscalingRunnerSet.
	ScaleSetGVR  = schema.GroupVersionResource{Group: "actions.github.com", Version: "v1alpha1", Resource: "autoscalingrunnersets"}
	secretGVR    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	namespaceGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// ScaleSetIDAnnotation is set by the ARC controller once the scale set is registered
// with GitHub (no prefix, as upstream).
const ScaleSetIDAnnotation = "runner-scale-set-id"

// Probe checks exp against the cluster and returns a report with Rules() registered and
// its findings appended (not finalized). It never returns an error: every failure is a
// finding with a next action, within ctx and the per-call Timeout.
func Probe(ctx context.Context, cfg Config, exp Expectations) *finding.Report {
	rep := &finding.Report{}
	rep.AddRules(Rules()...)
	if len(exp.Secrets) == 0 && len(exp.ScaleSets) == 0 {
		return rep
	}
	p, f := newProber(cfg, exp)
	if f != nil {
		rep.Add(*f)
		return rep
	}
	p.run(ctx)
	rep.Add(p.findings()...)
	return rep
}

type prober struct {
	cfg     Config
	exp     Expectations
	context string // resolved kube context name ("" when unknown)
	ctxPos  finding.Position
	meta    metadata.Interface
	dyn     dynamic.Interface

	secrets    []callResult                // parallel to exp.Secrets
	lists      map[string]*listResult      // runner namespace -> scale sets
	namespaces map[string]namespaceState   // namespaces checked after a not-found
	nsPos      map[string]finding.Position // where each namespace is declared
}

type callResult struct {
	ok  bool
	err error
}

type listResult struct {
	items []unstructured.Unstructured
	err   error
}

type namespaceState int

const (
	nsUnknown namespaceState = iota
	nsExists
	nsMissing
)

func newProber(cfg Config, exp Expectations) (*prober, *finding.Finding) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "gfenroll-preflight"
	}
	p := &prober{cfg: cfg, exp: exp}
	wanted := cfg.Context
	if wanted == "" {
		wanted = exp.Context.Value
		p.ctxPos = exp.Context.Pos
	}
	rc := cfg.RESTConfig
	p.context = wanted
	if rc == nil {
		// Standard discovery, so exec plugins, token files and $KUBECONFIG merging behave
		// as operators expect.
		loaded, name, err := kubeconfig.Load(kubeconfig.Source{Path: cfg.Kubeconfig, Env: os.Getenv("KUBECONFIG")}, wanted)
		if err != nil {
			return nil, &finding.Finding{
				Rule: RuleKubeConfig, Severity: finding.Blocker, Position: p.ctxPos,
				Message: fmt.Sprintf("cannot load the kubeconfig for context %s: %s", quoteOr(wanted, "(current)"), err.Error()),
				NextAction: fmt.Sprintf("Point the preflight at a kubeconfig that has context %s: set KUBECONFIG or pass --kubeconfig, or choose one with --context (kubectl config get-contexts lists them).",
					quoteOr(wanted, "<name>")),
			}
		}
		rc, p.context = loaded, name
	} else {
		rc = rest.CopyConfig(rc)
	}
	registerCredentials(rc)
	rc.UserAgent = cfg.UserAgent
	rc.Timeout = cfg.Timeout
	// The client-side limiter would serialize a large overlay's calls; the probe issues
	// a bounded, small number of reads.
	rc.QPS, rc.Burst = 100, 100
	var err error
	if p.meta, err = metadata.NewForConfig(rc); err == nil {
		p.dyn, err = dynamic.NewForConfig(rc)
	}
	if err != nil {
		return nil, &finding.Finding{
			Rule: RuleKubeConfig, Severity: finding.Blocker, Position: p.ctxPos,
			Message:    fmt.Sprintf("kubeconfig for context %s is unusable: %s", quoteOr(p.context, "(current)"), kubeconfig.HideHome(err.Error())),
			NextAction: "Fix the cluster entry of the kubeconfig (server URL, CA, credentials), then rerun the preflight.",
		}
	}
	return p, nil
}

// registerCredentials hands every credential of rc to the process-wide redactor, so an API
// server (or client-go) quoting one in an error cannot make the preflight print it: the
// static ones now, and whatever is actually sent (a token file's current content, an exec
// plugin's or auth provider's token) as each request leaves. The capturing transport sits
// inside the authentication wrappers client-go adds, so it sees their Authorization header.
func registerCredentials(rc *rest.Config) {
	redact.Register(rc.BearerToken, rc.Password)
	redact.RegisterPEM(rc.KeyData)
	redact.RegisterPEM(rc.CertData)
	if rc.AuthProvider != nil {
		for k, v := range rc.AuthProvider.Config {
			if k != "cmd-path" && k != "cmd-args" && k != "idp-issuer-url" && k != "client-id" {
				redact.Register(v)
			}
		}
	}
	rc.Wrap(func(rt http.RoundTripper) http.RoundTripper { return credentialCapture{rt} })
}

// credentialCapture registers the credential of every request's Authorization header.
type credentialCapture struct{ next http.RoundTripper }

func (c credentialCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.Header.Get("Authorization"); h != "" {
		redact.RegisterAuthorization(h)
	}
	return c.next.RoundTrip(req)
}

// prepare sizes the result slots: one per secret, one LIST per runner namespace.
func (p *prober) prepare() {
	p.secrets = make([]callResult, len(p.exp.Secrets))
	p.lists = map[string]*listResult{}
	p.namespaces = map[string]namespaceState{}
	p.nsPos = map[string]finding.Position{}
	for _, s := range p.exp.Secrets {
		p.notePos(s.Namespace)
	}
	for _, s := range p.exp.ScaleSets {
		p.notePos(s.Namespace)
		if p.lists[s.Namespace.Value] == nil {
			p.lists[s.Namespace.Value] = &listResult{}
		}
	}
}

// run performs the reads: every secret GET and scale-set LIST at once, then a namespace
// GET for namespaces where something was not found.
func (p *prober) run(ctx context.Context) {
	p.prepare()
	g := newGroup(ctx, p.cfg.Concurrency)
	for i, s := range p.exp.Secrets {
		g.go_(func(ctx context.Context) {
			p.secrets[i] = p.getSecretMetadata(ctx, s.Namespace.Value, s.Name.Value)
		})
	}
	for ns, lr := range p.lists {
		g.go_(func(ctx context.Context) {
			lr.items, lr.err = p.listScaleSets(ctx, ns)
		})
	}
	g.wait(p.cfg.Timeout)

	// Second round trip, only on the not-found path: tell a missing namespace from a
	// missing object (a namespaced GET answers 404 for both; a LIST answers empty).
	check := map[string]bool{}
	for i, s := range p.exp.Secrets {
		if apierrors.IsNotFound(p.secrets[i].err) {
			check[s.Namespace.Value] = true
		}
	}
	for ns, lr := range p.lists {
		if lr.err == nil && len(lr.items) == 0 {
			check[ns] = true
		}
	}
	var mu sync.Mutex
	g = newGroup(ctx, p.cfg.Concurrency)
	for ns := range check {
		g.go_(func(ctx context.Context) {
			st := p.namespaceState(ctx, ns)
			mu.Lock()
			p.namespaces[ns] = st
			mu.Unlock()
		})
	}
	g.wait(p.cfg.Timeout)
}

func (p *prober) notePos(ns overlay.String) {
	if _, ok := p.nsPos[ns.Value]; !ok {
		p.nsPos[ns.Value] = ns.Pos
	}
}

// getSecretMetadata fetches one secret as PartialObjectMetadata: the server answers
// with metadata only, so no secret value is ever received.
func (p *prober) getSecretMetadata(ctx context.Context, ns, name string) callResult {
	_, err := p.meta.Resource(secretGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	return callResult{ok: err == nil, err: err}
}

func (p *prober) listScaleSets(ctx context.Context, ns string) ([]unstructured.Unstructured, error) {
	var items []unstructured.Unstructured
	opts := metav1.ListOptions{Limit: listPageSize}
	for {
		l, err := p.dyn.Resource(ScaleSetGVR).Namespace(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		items = append(items, l.Items...)
		if l.GetContinue() == "" {
			return items, nil
		}
		opts.Continue = l.GetContinue()
	}
}

func (p *prober) namespaceState(ctx context.Context, ns string) namespaceState {
	_, err := p.meta.Resource(namespaceGVR).Get(ctx, ns, metav1.GetOptions{})
	switch {
	case err == nil:
		return nsExists
	case apierrors.IsNotFound(err):
		return nsMissing
	default:
		return nsUnknown // e.g. no cluster-scope get on namespaces: say nothing more
	}
}

// group runs calls with bounded concurrency, each under its own deadline.
type group struct {
	ctx context.Context
	sem chan struct{}
	wg  sync.WaitGroup
	fns []func(context.Context)
}

func newGroup(ctx context.Context, n int) *group {
	return &group{ctx: ctx, sem: make(chan struct{}, n)}
}

func (g *group) go_(fn func(context.Context)) { g.fns = append(g.fns, fn) }

func (g *group) wait(timeout time.Duration) {
	for _, fn := range g.fns {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			select {
			case g.sem <- struct{}{}:
			case <-g.ctx.Done():
				fn(g.ctx) // fails fast with the context's error
				return
			}
			defer func() { <-g.sem }()
			ctx, cancel := context.WithTimeout(g.ctx, timeout)
			defer cancel()
			fn(ctx)
		}()
	}
	g.wg.Wait()
	g.fns = nil
}

func quoteOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return fmt.Sprintf("%q", s)
}

// kubectl is the command prefix for next actions, naming the context when known.
func (p *prober) kubectl() string {
	if p.context == "" {
		return "kubectl"
	}
	return "kubectl --context " + p.context
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// errors.Is helper kept here so classify.go reads cleanly.
var errDeadline = context.DeadlineExceeded

func isDeadline(err error) bool {
	return errors.Is(err, errDeadline) || strings.Contains(err.Error(), "context deadline exceeded") ||
		strings.Contains(err.Error(), "Client.Timeout")
}
