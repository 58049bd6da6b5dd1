package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/gates"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/github"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

// EnvGitHubAPIURL is the default of --github-api-url; GitHub Actions sets it on every
// runner, so the preflight inside a GitHub Enterprise Server workflow finds its API.
const EnvGitHubAPIURL = "GITHUB_API_URL"

func init() {
	registry.Register(&cli.Command{
		Name:    "preflight",
		Group:   cli.GroupLive,
		Summary: "read-only live preflight: core-read secret, validation runs, pins, App secret and ARC scale sets",
		Usage:   "preflight [OVERLAY [TFVARS [REPO]]] [--overlay-root DIR] [--tfvars PATH] [--repo OWNER/NAME] [--strict] [flags]",
		Description: `Proves the overlay's enrollment against the live services, reading only:
  GitHub (token from GITHUB_TOKEN, else GH_TOKEN; never printed):
    - Actions secret names of the overlay repository: the preferred core-read
      credential (GF_CORE_DEPLOY_KEY) is ok, only the fallback (GF_CORE_READ_TOKEN) a
      warning, neither a blocker; ATTIC_* are context (enrollment.credentials);
    - recent default-branch runs of the validation workflows: queued beyond
      --queued-grace or failing is a blocker; a successful run whose job ran on a
      shared label is the enrollment proof, and without one that is a blocker;
    - --expected-core-ref names (branch/tag) through the commits API when
      $GF_CORE_PATH does not resolve them;
    - the declared runner group (runner_contract.runner_group): it exists, its
      settings and repositories match, the overlay repository can use it.
  Kubernetes (kubeconfig context substrate.cluster.context unless --context):
    - the owner's GitHub App secret in both ARC namespaces, as metadata only;
    - every expected AutoscalingRunnerSet, its registration fields, runner group,
      label and id.
  And the hermetic gates (pins, taxonomy, workflows, admission).

Probes run concurrently within --timeout; a service that does not answer is a
blocker with a next action, never a hang. The report ends with the numbered next
actions (the enrollment queue) and "N blockers / M warnings".

Exit codes: 0 without --strict (unless the input is unusable: 2); with --strict, 1
on any blocker. --fail-on-warning implies --strict and also fails on warnings the
overlay does not declare expected (enrollment.expected_warnings, --expect-warning).

The positional form mirrors the core checkout's wrapper:
  gfenroll preflight ../tinyland-infra tofu/stacks/arc-runners/tinyland.tfvars tinyland-inc/tinyland-infra --strict`,
		Examples: []string{
			"gfenroll preflight --overlay-root . --tfvars tofu/stacks/arc-runners/tinyland.tfvars",
			"GF_EXPECTED_CORE_REF=main gfenroll preflight --overlay-root . --strict",
			"gfenroll preflight ../jesssullivan-infra tofu/stacks/arc-runners/jesssullivan.tfvars Jesssullivan/jesssullivan-infra --expected-core-ref main --strict",
			"gfenroll preflight --overlay-root . --strict --format github --output json=preflight.json",
			"gfenroll preflight --overlay-root . --github-api-url https://ghe.example.com/api/v3 --context honey-admin",
		},
		Rules: func() []finding.Rule { return slices.Concat(gates.Rules(), github.Rules(), kube.Rules()) },
		Bind:  bindPreflight,
	})
}

type preflightFlags struct {
	overlays    cli.OverlayFlags
	repo        string
	strict      bool
	kubeContext string
	kubeconfig  string
	apiURL      string
	timeout     time.Duration
	queuedGrace time.Duration
	recentRuns  int
	gates       gates.Flags
	report      checker.Config
}

func bindPreflight(fs *flag.FlagSet, env *cli.Env) cli.RunFunc {
	f := &preflightFlags{}
	f.overlays.Register(fs)
	// The preflight judges one overlay: its repository and its cluster.
	fs.Lookup("overlay-root").Usage = "overlay checkout `DIR` (one overlay; default .)"
	fs.StringVar(&f.repo, "repo", "", "overlay repository `OWNER/NAME` on GitHub (default owner.repository)")
	fs.BoolVar(&f.strict, "strict", false, "exit 1 on any blocker (default: report only, exit 0)")
	fs.StringVar(&f.kubeContext, "context", "", "kubeconfig context `NAME` (default substrate.cluster.context)")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig `PATH` (default $KUBECONFIG, then ~/.kube/config)")
	fs.StringVar(&f.apiURL, "github-api-url", env.Getenv(EnvGitHubAPIURL),
		"GitHub REST API root `URL` (GitHub Enterprise Server: https://HOST/api/v3; default $"+EnvGitHubAPIURL+", then https://api.github.com)")
	fs.DurationVar(&f.timeout, "timeout", preflight.DefaultTimeout, "bound on the whole preflight `DURATION`; unanswered probes become blockers")
	fs.DurationVar(&f.queuedGrace, "queued-grace", github.DefaultQueuedGrace, "how long a validation run may wait for a runner before it is a blocker")
	fs.IntVar(&f.recentRuns, "recent-runs", github.DefaultRecentRuns, "recent default-branch runs read per validation workflow (1-100)")
	f.gates.Register(fs, env.Getenv, true)
	f.report.RegisterFlags(fs)
	return func(ctx context.Context, env *cli.Env, args []string) int {
		if err := f.positionals(fs, args); err != nil {
			fmt.Fprintf(env.Stderr, "%s preflight: %v (run %s preflight --help)\n", env.Prog, err, env.Prog)
			return checker.ExitInput
		}
		return runPreflight(ctx, env, f)
	}
}

// positionals takes the core checkout's wrapper form OVERLAY [TFVARS [REPO]], with flags allowed
// after each of them (Go's flag package stops at the first positional argument).
func (f *preflightFlags) positionals(fs *flag.FlagSet, args []string) error {
	var pos []string
	for len(args) > 0 {
		if strings.HasPrefix(args[0], "-") && args[0] != "-" {
			if err := fs.Parse(args); err != nil {
				return err
			}
			args = fs.Args()
			continue
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) > 3 {
		return fmt.Errorf("unexpected argument %q (positional form: OVERLAY [TFVARS [REPO]])", pos[3])
	}
	set := func(i int, name string, dst func(string)) error {
		if i >= len(pos) {
			return nil
		}
		if isSet(fs, name) {
			return fmt.Errorf("argument %q and --%s both given; use one", pos[i], name)
		}
		dst(pos[i])
		return nil
	}
	return errors.Join(
		set(0, "overlay-root", func(v string) { f.overlays.Roots = []string{v} }),
		set(1, "tfvars", func(v string) { f.overlays.Tfvars = []string{v} }),
		set(2, "repo", func(v string) { f.repo = v }),
	)
}

func isSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}

func (f *preflightFlags) validate() error {
	var errs []error
	if len(f.overlays.Roots) > 1 {
		errs = append(errs, errors.New("--overlay-root given more than once: the preflight checks one overlay (its repository and cluster) at a time"))
	}
	if f.repo != "" {
		owner, name, ok := strings.Cut(f.repo, "/")
		if !ok || owner == "" || name == "" || strings.ContainsAny(name, "/ ") {
			errs = append(errs, fmt.Errorf("--repo %q: want OWNER/NAME, e.g. tinyland-inc/tinyland-infra", f.repo))
		}
	}
	if f.timeout <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %v: must be positive", f.timeout))
	}
	if f.queuedGrace <= 0 {
		errs = append(errs, fmt.Errorf("--queued-grace %v: must be positive", f.queuedGrace))
	}
	if f.recentRuns < 1 || f.recentRuns > 100 {
		errs = append(errs, fmt.Errorf("--recent-runs %d: must be 1-100 (one page of GitHub's list)", f.recentRuns))
	}
	return errors.Join(errs...)
}

func runPreflight(ctx context.Context, env *cli.Env, f *preflightFlags) int {
	if err := f.validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(env.Stderr, "%s preflight: %s\n", env.Prog, line)
		}
		return checker.ExitInput
	}
	token, _ := ghapi.TokenFromEnv(env.Getenv)
	client, err := ghapi.NewClient(ghapi.ClientConfig{
		APIURL:      f.apiURL,
		Token:       token,
		CallTimeout: preflight.CallTimeout(f.timeout),
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s preflight: %s\n", env.Prog, finding.PrintableLine(err.Error()))
		return checker.ExitInput
	}
	overlays, ok := f.overlays.Load(env)
	if !ok {
		return checker.ExitInput
	}
	o := overlays[0]

	gateFlags := f.gates
	gateFlags.ExpectedCoreRef = strings.TrimSpace(gateFlags.ExpectedCoreRef)
	res := preflight.Run(ctx, o, preflight.Options{
		Repo:        f.repo,
		Gates:       gateFlags,
		CoreRef:     coreref.FromEnv(env.Getenv),
		GitHub:      client,
		GitHubProbe: github.Config{QueuedGrace: f.queuedGrace, RecentRuns: f.recentRuns},
		Kube:        kube.Config{Kubeconfig: f.kubeconfig, Context: f.kubeContext},
		Timeout:     f.timeout,
	})
	rep := res.Report
	staleExpectations(env, o, res, f.gates.ExpectWarnings)

	// Without --strict the report is the enrollment queue, not a verdict: exit 0.
	f.report.ReportOnly = !f.strict
	return env.Finish("preflight", &f.report, rep)
}

// staleExpectations notes on stderr the expectations that matched no warning: a stale
// entry in enrollment.expected_warnings would silently hide a future warning of its rule.
func staleExpectations(env *cli.Env, o *overlay.Overlay, res preflight.Result, flagged []string) {
	for _, id := range res.Unmatched {
		switch {
		case slices.Contains(res.Declared, id):
			where := ""
			if o.Org != nil {
				where = " in " + o.Org.File
			}
			fmt.Fprintf(env.Stderr, "%s: note: enrollment.expected_warnings%s lists %s, which raised no warning in this run; remove it once the cause is gone\n",
				env.Prog, finding.PrintableLine(where), finding.PrintableLine(id))
		case slices.Contains(flagged, id):
			fmt.Fprintf(env.Stderr, "%s: note: --expect-warning %s matched no warning\n", env.Prog, finding.PrintableLine(id))
		}
	}
}
