// Package preflight is the live, read-only enrollment preflight: it runs the
// hermetic gates of checks/gates (pins — with expected core refs resolved through GitHub when no local
// checkout knows them — taxonomy and workflows) together with the GitHub probes
// (checks/preflight/github) and the Kubernetes probes (checks/preflight/kube), all
// concurrently under one deadline, and merges them into one report whose next actions
// are the operator's enrollment queue.
//
// Latency is the design constraint: every probe is a short dependency chain of reads
// (GitHub: repository → runs → jobs; Kubernetes: list → namespace check after a miss;
// pins: one commits lookup), and the chains run side by side, so a preflight is at most
// three round trips deep whatever the number of scale sets, workflows or secret pages.
package preflight

import (
	"context"
	"sync"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/gates"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/github"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

// DefaultTimeout bounds a whole preflight run.
const DefaultTimeout = 60 * time.Second

// Options configure one run.
type Options struct {
	// Repo overrides owner.repository (--repo OWNER/NAME).
	Repo string
	// Gates are the gate flags, as the hermetic commands take them. Both pins must resolve
	// to Gates.ExpectedCoreRef: a name is resolved by CoreRef first (a local checkout), then
	// by GitHub's commits API on core.repository. Gates.ExpectWarnings (--expect-warning)
	// adds to enrollment.expected_warnings.
	Gates   gates.Flags
	CoreRef coreref.Resolver

	// GitHub is the read-only client (NewClient). It may lack a token: the probes then
	// report preflight/github-token-missing.
	GitHub      *ghapi.Client
	GitHubProbe github.Config

	// Kube selects the cluster (kubeconfig, --context) and the per-call timeout.
	Kube kube.Config

	// Timeout bounds the whole run (default 60s); every probe ends inside it.
	Timeout time.Duration

	// Sequential runs every probe, and every call inside the probes, one after another:
	// the baseline of the latency benchmark. Never useful otherwise.
	Sequential bool
}

// Result is a run's report (not finalized) and the expectation bookkeeping.
type Result struct {
	Report *finding.Report
	// Declared are the overlay's enrollment.expected_warnings.
	Declared []string
	// Unmatched are expected rule ids (declared or --expect-warning) that matched no
	// warning in this run.
	Unmatched []string
}

// CallTimeout is the per-call deadline derived from the overall one: long enough for a slow
// answer, short enough that a hung call leaves room for a retry inside the run.
func CallTimeout(total time.Duration) time.Duration {
	return min(max(total/3, time.Second), 10*time.Second)
}

// probe is one independent part of the preflight.
type probe struct {
	name string
	run  func(ctx context.Context) *finding.Report
}

// Run performs the preflight on a loaded overlay. It never fails: unreachable services,
// refused permissions and timeouts are blockers with next actions in the report.
func Run(ctx context.Context, o *overlay.Overlay, opts Options) Result {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	probes := probesFor(o, opts)
	reports := make([]*finding.Report, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		if opts.Sequential {
			reports[i] = p.run(ctx)
			continue
		}
		wg.Go(func() { reports[i] = p.run(ctx) })
	}
	wg.Wait()

	rep := &finding.Report{}
	for _, r := range reports { // probe order, not completion order: stable output
		rep.Merge(r)
	}
	var declared []string
	if o != nil && o.Org != nil {
		declared = o.Org.Enrollment.ExpectedWarnings.Strings()
	}
	unmatched := rep.MarkExpected(append(append([]string(nil), declared...), opts.Gates.ExpectWarnings...))
	return Result{Report: rep, Declared: declared, Unmatched: unmatched}
}

// probesFor lists the preflight's independent parts in report order.
func probesFor(o *overlay.Overlay, opts Options) []probe {
	ghCfg := opts.GitHubProbe
	ghCfg.Sequential = ghCfg.Sequential || opts.Sequential
	kubeCfg := opts.Kube
	if kubeCfg.Timeout <= 0 {
		kubeCfg.Timeout = CallTimeout(opts.Timeout)
	}
	if opts.Sequential {
		kubeCfg.Concurrency = 1
	}
	var probes []probe
	gctx := gates.Context{Resolver: coreResolver(o, opts), Live: true}
	for _, g := range gates.All {
		probes = append(probes, probe{g.Name, func(ctx context.Context) *finding.Report {
			return g.Check(ctx, o, &opts.Gates, gctx)
		}})
	}
	return append(probes,
		probe{"github", func(ctx context.Context) *finding.Report {
			return github.Probe(ctx, opts.GitHub, ghCfg, github.ExpectationsFor(o, opts.Repo))
		}},
		probe{"kube", func(ctx context.Context) *finding.Report {
			return kube.Probe(ctx, kubeCfg, kube.NewExpectations(o))
		}},
	)
}

// coreResolver chains the local checkout (when configured) before GitHub's commits API on
// core.repository, so a branch or tag resolves in live mode without GF_CORE_PATH.
func coreResolver(o *overlay.Overlay, opts Options) coreref.Resolver {
	var chain coreref.Chain
	if opts.CoreRef != nil {
		chain = append(chain, opts.CoreRef)
	}
	if opts.GitHub != nil && o != nil && o.Org != nil && o.Org.Core.Repository.Value != "" {
		chain = append(chain, ghapi.CommitResolver{Client: opts.GitHub, Repo: o.Org.Core.Repository.Value})
	}
	switch len(chain) {
	case 0:
		return nil
	case 1:
		return chain[0]
	}
	return chain
}
