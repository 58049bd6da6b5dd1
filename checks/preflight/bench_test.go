package preflight_test

import (
	"github.com/tinyland-inc/gf-enrollment/checks/finding"

	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/gates"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/github"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// benchLatency is the round trip added to every call on both servers.
const benchLatency = 50 * time.Millisecond

// benchScaleSets is the size of the benchmark overlay's runner stack.
const benchScaleSets = 20

// BenchmarkPreflightLatency runs the whole preflight of an overlay with 20 scale sets
// against the GitHub stand-in (50 ms injected per call) and the real kube-apiserver behind
// a TCP link with a 50 ms round trip (TLS handshake included, as for a remote cluster), and
// reports, measured side by side in each iteration:
//
//   - concurrent: the preflight as shipped;
//   - sequential: the same calls one after another (Options.Sequential);
//   - per-probe: one call per check one after another — a GET per scale set and per App
//     secret plus the same GitHub calls — which is what a shell preflight of kubectl/gh
//     calls does;
//
// and the speedups and the depth of the concurrent run in round trips (wall / latency).
// Needs the e2e kube test environment (checks/preflight/bench.sh starts one).
//
//	go test ./checks/preflight -run '^$' -bench PreflightLatency -benchtime 5x
func BenchmarkPreflightLatency(b *testing.B) {
	kenv := kubetest.Require(b)
	o, exp := benchOverlay(b)
	kenv.Enroll(b, kubetest.EnrollmentFor(exp))
	user := kenv.NewUser(b, "bench-"+kubetest.Suffix(6), "honey")
	for _, ns := range []string{exp.Secrets[0].Namespace.Value, exp.ScaleSets[0].Namespace.Value} {
		kenv.Grant(b, ns, user.Name, kubetest.PreflightRules()...)
	}
	rc := user.Config(b)
	link := newDelayLink(b, strings.TrimPrefix(rc.Host, "https://"), benchLatency)
	rc.Host = "https://" + link.Addr()

	gh := fakegh.Start(benchScenario(b), fakegh.Options{Latency: benchLatency})
	b.Cleanup(gh.Close)
	dt := &depthTracker{base: http.DefaultTransport}
	client, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: gh.URL(), Token: gh.Token(), HTTP: dt})
	if err != nil {
		b.Fatal(err)
	}
	opts := preflight.Options{
		Gates:   gates.Flags{ExpectedCoreRef: "main"}, // one commits-API lookup, as an operator's strict run makes
		GitHub:  client,
		Kube:    kube.Config{RESTConfig: rc, Timeout: 10 * time.Second},
		Timeout: 60 * time.Second,
	}

	run := func(seq bool) time.Duration {
		o2 := opts
		o2.Sequential = seq
		start := time.Now()
		res := preflight.Run(context.Background(), o, o2)
		wall := time.Since(start)
		rep := res.Report
		rep.Finalize()
		if rep.Summary.Blockers > 0 {
			var blockers []string
			for _, f := range rep.Findings {
				if f.Severity == finding.Blocker {
					blockers = append(blockers, f.Position.String()+" "+f.Rule+": "+f.Message)
				}
			}
			b.Fatalf("benchmark overlay is not enrolled:\n%s", strings.Join(blockers, "\n"))
		}
		return wall
	}
	var conc, seq, perProbe time.Duration
	var calls, depth int
	b.ResetTimer()
	for range b.N {
		before := len(gh.Requests())
		dt.reset()
		conc += run(false)
		calls = len(gh.Requests()) - before
		depth = max(depth, dt.depth())
		seq += run(true)
		perProbe += runPerProbe(b, o, exp, rc, client)
	}
	n := float64(b.N)
	b.ReportMetric(float64(conc.Milliseconds())/n, "concurrent-ms/op")
	b.ReportMetric(float64(seq.Milliseconds())/n, "sequential-ms/op")
	b.ReportMetric(float64(perProbe.Milliseconds())/n, "per-probe-ms/op")
	b.ReportMetric(float64(seq)/float64(conc), "x-vs-sequential")
	b.ReportMetric(float64(perProbe)/float64(conc), "x-vs-per-probe")
	b.ReportMetric(float64(conc)/n/float64(benchLatency), "round-trips-deep")
	b.ReportMetric(float64(calls), "github-calls")
	b.ReportMetric(float64(depth), "github-depth")
	b.ReportMetric(float64(len(exp.ScaleSets)), "scale-sets")
}

// runPerProbe is the one-call-per-check baseline: the hermetic gates, then every App secret
// and scale set with its own GET, then the GitHub probe and the core ref lookup, all in
// sequence. It checks what it reads, so the baseline cannot win by skipping work.
func runPerProbe(b *testing.B, o *overlay.Overlay, exp kube.Expectations, rc *rest.Config, client *ghapi.Client) time.Duration {
	ctx := context.Background()
	start := time.Now()
	// client-go's default client-side limit (5 QPS, burst 10) would throttle 22 calls in
	// a row; lift it as the probes do, so the baseline measures latency, not the limiter.
	rc = rest.CopyConfig(rc)
	rc.QPS, rc.Burst = 100, 100
	meta, err := metadata.NewForConfig(rest.CopyConfig(rc))
	if err != nil {
		b.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(rest.CopyConfig(rc))
	if err != nil {
		b.Fatal(err)
	}
	pins.Check(ctx, o, pins.Options{})
	for _, s := range exp.Secrets {
		if _, err := meta.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(s.Namespace.Value).Get(ctx, s.Name.Value, metav1.GetOptions{}); err != nil {
			b.Fatalf("secret %s/%s: %v", s.Namespace.Value, s.Name.Value, err)
		}
	}
	for _, s := range exp.ScaleSets {
		obj, err := dyn.Resource(kube.ScaleSetGVR).Namespace(s.Namespace.Value).Get(ctx, s.Name.Value, metav1.GetOptions{})
		if err != nil {
			b.Fatalf("scale set %s: %v", s.Name.Value, err)
		}
		if obj.GetAnnotations()[kube.ScaleSetIDAnnotation] == "" {
			b.Fatalf("scale set %s unregistered", s.Name.Value)
		}
	}
	rep := github.Probe(ctx, client, github.Config{Sequential: true}, github.ExpectationsFor(o, ""))
	if rep.Finalize(); rep.Summary.Blockers > 0 {
		b.Fatalf("github: %+v", rep.Findings)
	}
	if _, err := (ghapi.CommitResolver{Client: client, Repo: o.Org.Core.Repository.Value}).Resolve(ctx, "main"); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// benchOverlay is the tinyland-org fixture with a runner stack of 20 scale sets (the three
// built-in lanes and 17 extra sets) in fresh namespaces.
func benchOverlay(b *testing.B) (*overlay.Overlay, kube.Expectations) {
	root := filepath.Join(b.TempDir(), "bench-overlay")
	if err := overlaytest.MaterializeTo(overlaytest.Variant{Name: "bench", Dir: b.TempDir(), Base: "tinyland-org"}, overlaytest.BaseDir(b, "tinyland-org"), root); err != nil {
		b.Fatal(err)
	}
	sfx := kubetest.Suffix(6)
	var tf strings.Builder
	fmt.Fprintf(&tf, `cluster_context      = "honey"
github_config_url    = "https://github.com/tinyland-inc"
github_config_secret = "github-app-secret"
controller_namespace = "bench-sys-%[1]s"
runner_namespace     = "bench-run-%[1]s"

nix_runner_name              = "tinyland-nix"
nix_runner_scale_set_name    = "tinyland-nix"
docker_runner_name           = "tinyland-docker"
docker_runner_scale_set_name = "tinyland-docker"
deploy_docker_runner         = true
dind_runner_name             = "tinyland-dind"
dind_runner_scale_set_name   = "tinyland-dind"
deploy_dind_runner           = true

attic_server         = "http://attic.nix-cache.svc.cluster.local"
attic_cache          = "main"
attic_public_key     = "main:Vb5yOq0Zy3L2cQm1bQ8sKx4P7e1Yh9Wd3tXnA6uRf0c="
bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"

runner_group        = "tinyland-honey"
runner_group_policy = "organization-restricted"

extra_runner_sets = {
`, sfx)
	for i := range benchScaleSets - 3 {
		name := fmt.Sprintf("tinyland-nix-pool-%02d", i)
		fmt.Fprintf(&tf, "  %s = { github_config_url = \"https://github.com/tinyland-inc\", github_config_secret = \"github-app-secret\", runner_label = \"tinyland-nix\", runner_scale_set_name = %q, runner_labels = [\"self-hosted\", \"tinyland-nix\"], runner_type = \"nix\", max_runners = 1, attic_server = \"http://attic.nix-cache.svc.cluster.local\", bazel_cache_endpoint = \"grpc://bazel-cache.bazel-cache.svc.cluster.local:9092\" }\n", name, name)
	}
	tf.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(root, "tofu/stacks/arc-runners/tinyland.tfvars"), []byte(tf.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	o, err := overlay.Load(root, overlay.Options{})
	if err != nil {
		b.Fatalf("bench overlay: %v", err)
	}
	exp := kube.NewExpectations(o)
	if len(exp.ScaleSets) != benchScaleSets {
		b.Fatalf("bench overlay expects %d scale sets, want %d", len(exp.ScaleSets), benchScaleSets)
	}
	return o, exp
}

func benchScenario(b *testing.B) *fakegh.Scenario {
	data, err := os.ReadFile(filepath.Join(overlaytest.RepoRoot(b), "e2e/github/scenarios/tinyland-org.json"))
	if err != nil {
		b.Fatal(err)
	}
	sc, err := fakegh.LoadScenario(data)
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// depthTracker measures the causal depth of the GitHub calls: a request's depth is one
// more than the deepest answer received before it was sent (an upper bound).
type depthTracker struct {
	base http.RoundTripper
	mu   sync.Mutex
	done int
	max  int
}

func (d *depthTracker) RoundTrip(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	depth := d.done + 1
	d.max = max(d.max, depth)
	d.mu.Unlock()
	resp, err := d.base.RoundTrip(req)
	d.mu.Lock()
	d.done = max(d.done, depth)
	d.mu.Unlock()
	return resp, err
}

func (d *depthTracker) reset() {
	d.mu.Lock()
	d.done, d.max = 0, 0
	d.mu.Unlock()
}

func (d *depthTracker) depth() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.max
}
