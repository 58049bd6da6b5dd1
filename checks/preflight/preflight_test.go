package preflight_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/gates"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"

	"k8s.io/client-go/rest"
)

// These tests need no cluster: the Kubernetes probes point at a closed loopback port and
// must end as one blocker, quickly, beside everything else.

type fixture struct {
	o  *overlay.Overlay
	gh *fakegh.Server
	c  *ghapi.Client
}

func load(t *testing.T, name string) fixture {
	t.Helper()
	root := filepath.Join(overlaytest.RepoRoot(t), "e2e/overlays", name)
	o, err := overlay.Load(root, overlay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(overlaytest.RepoRoot(t), "e2e/github/scenarios", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := fakegh.LoadScenario(data)
	if err != nil {
		t.Fatal(err)
	}
	gh := fakegh.Start(sc, fakegh.Options{})
	t.Cleanup(gh.Close)
	c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: gh.URL(), Token: gh.Token()})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{o: o, gh: gh, c: c}
}

func closedCluster(t *testing.T) kube.Config {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return kube.Config{RESTConfig: &rest.Config{Host: "https://" + addr}, Timeout: time.Second}
}

func verdicts(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity >= finding.Warning {
			v := f.Severity.String() + " " + f.Rule
			if f.Expected {
				v += " (expected)"
			}
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func TestRunCombinesEveryProbe(t *testing.T) {
	fx := load(t, "jess-personal")
	start := time.Now()
	res := preflight.Run(context.Background(), fx.o, preflight.Options{
		GitHub:  fx.c,
		Kube:    closedCluster(t),
		Timeout: 10 * time.Second,
		Gates:   gates.Flags{ExpectWarnings: []string{"preflight/core-read-fallback"}},
	})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run took %v with an unreachable cluster", d)
	}
	rep := res.Report
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	rep.Finalize()
	want := []string{"blocker " + kube.RuleKubeUnreachable, "warning taxonomy/repo-registration-anchor (expected)"}
	if got := verdicts(rep); !slices.Equal(got, want) {
		t.Errorf("verdicts %q, want %q", got, want)
	}
	// Every part ran: its rules are registered and the news-worthy oks are there.
	gates := map[string]bool{}
	for _, r := range rep.Rules {
		gates[finding.Gate(r.ID)] = true
	}
	for _, g := range []string{"pins", "taxonomy", "workflows", "preflight"} {
		if !gates[g] {
			t.Errorf("no %s rules registered", g)
		}
	}
	for _, rule := range []string{"pins/drift", "preflight/core-read-credential", "preflight/enrollment-proof"} {
		if !slices.ContainsFunc(rep.Findings, func(f finding.Finding) bool { return f.Rule == rule && f.Severity == finding.OK }) {
			t.Errorf("no ok %s", rule)
		}
	}
	if !slices.Equal(res.Declared, []string{"taxonomy/repo-registration-anchor"}) {
		t.Errorf("declared %q", res.Declared)
	}
	if !slices.Equal(res.Unmatched, []string{"preflight/core-read-fallback"}) {
		t.Errorf("unmatched %q", res.Unmatched)
	}
}

// The sequential baseline must be the same preflight, only slower: same findings.
func TestSequentialFindsTheSame(t *testing.T) {
	fx := load(t, "tinyland-org")
	opts := preflight.Options{GitHub: fx.c, Kube: closedCluster(t), Timeout: 10 * time.Second, Gates: gates.Flags{ExpectedCoreRef: "v1.4.0"}}
	a := preflight.Run(context.Background(), fx.o, opts).Report
	opts.Sequential = true
	b := preflight.Run(context.Background(), fx.o, opts).Report
	a.Finalize()
	b.Finalize()
	key := func(r *finding.Report) []string {
		var out []string
		for _, f := range r.Findings {
			// Ages in messages ("50m ago") may tick between the runs; rule, place and
			// severity may not differ.
			out = append(out, f.Severity.String()+" "+f.Rule+" "+f.Position.String())
		}
		return out
	}
	if !slices.Equal(key(a), key(b)) {
		t.Errorf("concurrent:\n  %s\nsequential:\n  %s", strings.Join(key(a), "\n  "), strings.Join(key(b), "\n  "))
	}
}

type stubResolver map[string]string

func (s stubResolver) Resolve(_ context.Context, name string) (string, error) {
	if sha, ok := s[name]; ok {
		return sha, nil
	}
	return "", coreref.ErrNotFound
}

func TestExpectedRefResolution(t *testing.T) {
	const pinned = "637b7167c400a842cdc7af0709b2251c0542a48a"
	commitCalls := func(gh *fakegh.Server) int {
		n := 0
		for _, r := range gh.Requests() {
			if r.Route == fakegh.RouteCommit {
				n++
			}
		}
		return n
	}
	ok := func(r *finding.Report) bool {
		return slices.ContainsFunc(r.Findings, func(f finding.Finding) bool { return f.Rule == "pins/expected-ref" && f.Severity == finding.OK })
	}
	t.Run("through GitHub when no checkout knows it", func(t *testing.T) {
		fx := load(t, "tinyland-org")
		res := preflight.Run(context.Background(), fx.o, preflight.Options{GitHub: fx.c, Kube: closedCluster(t), Gates: gates.Flags{ExpectedCoreRef: "main"}})
		if !ok(res.Report) || commitCalls(fx.gh) != 1 {
			t.Errorf("ok=%v, %d commit calls", ok(res.Report), commitCalls(fx.gh))
		}
	})
	t.Run("the local checkout first", func(t *testing.T) {
		fx := load(t, "tinyland-org")
		res := preflight.Run(context.Background(), fx.o, preflight.Options{GitHub: fx.c, Kube: closedCluster(t), Gates: gates.Flags{ExpectedCoreRef: "main"},
			CoreRef: stubResolver{"main": pinned}})
		if !ok(res.Report) || commitCalls(fx.gh) != 0 {
			t.Errorf("ok=%v, %d commit calls", ok(res.Report), commitCalls(fx.gh))
		}
	})
	t.Run("a SHA needs no lookup", func(t *testing.T) {
		fx := load(t, "tinyland-org")
		res := preflight.Run(context.Background(), fx.o, preflight.Options{GitHub: fx.c, Kube: closedCluster(t), Gates: gates.Flags{ExpectedCoreRef: strings.ToUpper(pinned)}})
		if !ok(res.Report) || commitCalls(fx.gh) != 0 {
			t.Errorf("ok=%v, %d commit calls", ok(res.Report), commitCalls(fx.gh))
		}
	})
	t.Run("unknown everywhere", func(t *testing.T) {
		fx := load(t, "tinyland-org")
		res := preflight.Run(context.Background(), fx.o, preflight.Options{GitHub: fx.c, Kube: closedCluster(t), Gates: gates.Flags{ExpectedCoreRef: "no-such-tag"},
			CoreRef: stubResolver{}})
		var f *finding.Finding
		for i := range res.Report.Findings {
			if x := &res.Report.Findings[i]; x.Rule == "pins/expected-ref" && x.Severity == finding.Blocker {
				f = x
			}
		}
		if f == nil {
			t.Fatal("no pins/expected-ref blocker")
		}
		if !strings.Contains(f.Message, "no-such-tag") || !strings.Contains(f.Message, "GitHub commits API") {
			t.Errorf("message %q", f.Message)
		}
		// We are the live preflight: suggesting it as the way out would send the operator
		// in a circle.
		if strings.Contains(f.NextAction, "live preflight") || strings.Contains(f.Message, "hermetically") {
			t.Errorf("hermetic wording in the live preflight: %q / %q", f.Message, f.NextAction)
		}
	})
}

func TestCallTimeout(t *testing.T) {
	for total, want := range map[time.Duration]time.Duration{
		time.Second: time.Second, 6 * time.Second: 2 * time.Second, 60 * time.Second: 10 * time.Second,
	} {
		if got := preflight.CallTimeout(total); got != want {
			t.Errorf("CallTimeout(%v) = %v, want %v", total, got, want)
		}
	}
}
