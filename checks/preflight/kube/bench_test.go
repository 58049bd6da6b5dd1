package kube_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"

	"k8s.io/client-go/rest"
)

const benchLatency = 50 * time.Millisecond

// latencyProxy forwards to the test apiserver after sleeping per request, the way a
// remote cluster answers; it counts the requests.
func latencyProxy(b *testing.B, env *kubetest.Env) (*rest.Config, *atomic.Int64) {
	b.Helper()
	admin := env.Admin()
	target, err := url.Parse(admin.Host)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := rest.TransportFor(admin) // trusts the test CA, authenticates as admin
	if err != nil {
		b.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = tr
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		time.Sleep(benchLatency)
		rp.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return &rest.Config{Host: srv.URL}, &calls
}

// BenchmarkProbeLatency measures the Kubernetes probes of an overlay with 20 scale sets
// with 50 ms added to every call: concurrent (the default) against the same calls one
// after another, reported as one ratio. Needs the e2e test environment.
//
//	go test -run '^$' -bench ProbeLatency -benchtime 5x ./checks/preflight/kube/
func BenchmarkProbeLatency(b *testing.B) {
	env := kubetest.Require(b)
	sfx := kubetest.Suffix(6)
	ctrl, run := "bench-sys-"+sfx, "bench-run-"+sfx
	const file = "tofu/stacks/arc-runners/bench.tfvars"
	at := func(v string, line int) overlay.String {
		return overlay.String{Value: v, Pos: overlay.Pos{File: file, Line: line, Column: 1}, Set: true}
	}
	exp := kube.Expectations{Context: at("honey", 1)}
	for _, ns := range []string{ctrl, run} {
		exp.Secrets = append(exp.Secrets, kube.SecretExpectation{Name: at("github-app-secret", 2), Namespace: at(ns, 3), Purpose: "owner GitHub App secret"})
	}
	for i := range 20 {
		name := fmt.Sprintf("bench-set-%02d", i)
		exp.ScaleSets = append(exp.ScaleSets, kube.ScaleSetExpectation{
			Source: "extra_runner_sets." + name, Namespace: at(run, 3), ControllerNamespace: ctrl,
			Name: at(name, 10+i), Label: at("tinyland-nix", 10+i),
			ConfigURL: at("https://github.com/acme", 4), ConfigSecret: at("github-app-secret", 2),
		})
	}
	env.Enroll(b, kubetest.EnrollmentFor(exp))
	cfg, calls := latencyProxy(b, env)

	probe := func(concurrency int) (time.Duration, int64) {
		before := calls.Load()
		start := time.Now()
		rep := kube.Probe(context.Background(), kube.Config{RESTConfig: cfg, Concurrency: concurrency, Timeout: 10 * time.Second}, exp)
		wall := time.Since(start)
		rep.Finalize()
		if rep.Summary.Blockers+rep.Summary.Warnings != 0 {
			b.Fatalf("benchmark overlay not enrolled: %+v", rep.Findings)
		}
		if n := countOK(rep); n != 21 {
			b.Fatalf("%d ok findings, want 21", n)
		}
		return wall, calls.Load() - before
	}
	var conc, seq time.Duration
	var n int64
	b.ResetTimer()
	for range b.N {
		w, c := probe(0)
		conc += w
		n = c
		w, _ = probe(1)
		seq += w
	}
	b.ReportMetric(float64(conc.Milliseconds())/float64(b.N), "concurrent-ms/op")
	b.ReportMetric(float64(seq.Milliseconds())/float64(b.N), "sequential-ms/op")
	b.ReportMetric(float64(seq)/float64(conc), "speedup")
	b.ReportMetric(float64(conc)/float64(b.N)/float64(benchLatency), "round-trips-deep")
	b.ReportMetric(float64(n), "calls")
}

func countOK(rep *finding.Report) int {
	n := 0
	for _, f := range rep.Findings {
		if f.Severity == finding.OK {
			n++
		}
	}
	return n
}
