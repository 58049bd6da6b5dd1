package github

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

const repoName = "tinyland-inc/tinyland-infra"

// enrolled is a repository that passes every GitHub probe.
func enrolled() *fakegh.Repo {
	return &fakegh.Repo{
		FullName:      repoName,
		DefaultBranch: "main",
		Private:       true,
		Secrets:       []string{"ATTIC_PUBLIC_KEY", "GF_CORE_DEPLOY_KEY"},
		Runs: []*fakegh.Run{
			{ID: 901, Name: "validate", Path: ".github/workflows/validate.yml", Status: "completed", Conclusion: "success", Age: dur(2 * time.Hour),
				Jobs: []*fakegh.Job{
					{ID: 9011, Name: "lint", Status: "completed", Conclusion: "success", Labels: []string{"ubuntu-latest"}},
					{ID: 9012, Name: "nix build", Status: "completed", Conclusion: "success", Labels: []string{"tinyland-nix"}, RunnerName: "tinyland-nix-x7k2p-runner-9qz4d"},
				}},
			{ID: 902, Name: "validate", Path: ".github/workflows/validate.yml", HeadBranch: "renovate/nix", Event: "pull_request", Status: "completed", Conclusion: "failure", Age: dur(time.Hour)},
		},
	}
}

func expectations() Expectations {
	return Expectations{
		Repo:         repoName,
		RepoPos:      finding.Position{File: "config/organization.yaml", Line: 4, Column: 15},
		CoreRepo:     "tinyland-inc/GloriousFlywheel",
		Preferred:    DefaultPreferred,
		Fallback:     DefaultFallback,
		Info:         DefaultInfo,
		Validation:   []Workflow{{File: ".github/workflows/validate.yml", Pos: finding.Position{File: ".github/workflows/validate.yml", Line: 14, Column: 14}, Dispatchable: true}},
		SharedLabels: labels.Core,
	}
}

func dur(d time.Duration) fakegh.Duration { return fakegh.Duration(d) }

// probeScenario runs the probe with exp against a stand-in serving sc and returns the
// finalized report, checked by Validate, and the server (closed when the test ends).
func probeScenario(t *testing.T, sc *fakegh.Scenario, exp Expectations) (*finding.Report, *fakegh.Server) {
	t.Helper()
	srv := fakegh.Start(sc, fakegh.Options{})
	t.Cleanup(srv.Close)
	c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: srv.URL(), Token: srv.Token(), Backoff: 10 * time.Millisecond, CallTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := Probe(ctx, c, Config{}, exp)
	r.Finalize()
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
	return r, srv
}

// retiring derives the credential policy, as ExpectationsFor does, from an organization.yaml
// that retires the given names and declares nothing else about credentials.
func retiring(names ...string) func(e *Expectations) {
	return func(e *Expectations) {
		o := &overlay.Overlay{Org: &overlay.OrgConfig{File: "config/organization.yaml"}}
		o.Org.Owner.Repository = overlay.String{Value: e.Repo, Pos: e.RepoPos, Set: true}
		l := overlay.StringList{Set: true}
		for _, n := range names {
			l.Values = append(l.Values, overlay.String{Value: n, Set: true})
		}
		o.Org.Enrollment.RetiredCredentials = l
		d := ExpectationsFor(o, "")
		e.Preferred, e.Fallback, e.Info, e.Retired = d.Preferred, d.Fallback, d.Info, d.Retired
	}
}

type probeCase struct {
	name    string
	edit    func(r *fakegh.Repo)
	exp     func(e *Expectations)
	faults  []fakegh.Fault
	token   string // "" = the server's; "-" = none
	timeout time.Duration
	// want is the sorted "severity rule" list of non-info findings.
	want []string
	// contains are substrings some finding message or next action must hold.
	contains []string
	// absent are substrings no finding may hold.
	absent []string
	// maxWall bounds the probe's wall time (faults must end inside --timeout).
	maxWall time.Duration
	// sequential makes the calls one after another, in a fixed order.
	sequential bool
}

func TestProbe(t *testing.T) {
	cases := []probeCase{
		{name: "enrolled", want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			contains: []string{`ran job "nix build" on shared label tinyland-nix: https://github.com/tinyland-inc/tinyland-infra/actions/runs/901`}},
		{name: "only the read token",
			edit: func(r *fakegh.Repo) { r.Secrets = []string{"GF_CORE_READ_TOKEN"} },
			want: []string{"ok preflight/enrollment-proof", "warning preflight/core-read-fallback"},
			contains: []string{"compatibility fallback GF_CORE_READ_TOKEN",
				"gh secret set GF_CORE_DEPLOY_KEY --repo tinyland-inc/tinyland-infra < core-read",
				"gh repo deploy-key add core-read.pub --repo tinyland-inc/GloriousFlywheel"}},
		{name: "no credential",
			edit:     func(r *fakegh.Repo) { r.Secrets = []string{"ATTIC_TOKEN"} },
			want:     []string{"blocker preflight/core-read-credential-missing", "ok preflight/enrollment-proof"},
			contains: []string{"neither GF_CORE_DEPLOY_KEY nor GF_CORE_READ_TOKEN", "ATTIC_TOKEN is set"}},
		{name: "deploy key as an organization secret",
			edit:     func(r *fakegh.Repo) { r.Secrets = nil; r.OrgSecrets = []string{"GF_CORE_DEPLOY_KEY"} },
			want:     []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			contains: []string{"organization secret visible to the repository"}},
		{name: "credential policy configured",
			edit: func(r *fakegh.Repo) { r.Secrets = []string{"CORE_SSH_KEY"} },
			exp:  func(e *Expectations) { e.Preferred = []string{"CORE_SSH_KEY"}; e.Fallback = nil; e.Info = nil },
			want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "credential row retired",
			edit: func(r *fakegh.Repo) { r.Secrets = nil },
			exp:  func(e *Expectations) { e.Preferred = nil; e.Fallback = nil },
			want: []string{"ok preflight/enrollment-proof"}},
		{name: "a retired fallback is never counted",
			edit:   func(r *fakegh.Repo) { r.Secrets = []string{"GF_CORE_READ_TOKEN"} },
			exp:    retiring("gf_core_read_token"),
			want:   []string{"blocker preflight/core-read-credential-missing", "ok preflight/enrollment-proof"},
			absent: []string{"GF_CORE_READ_TOKEN"}},
		{name: "a retired deploy key is never demanded",
			edit:   func(r *fakegh.Repo) { r.Secrets = []string{"GF_CORE_READ_TOKEN"} },
			exp:    retiring("GF_CORE_DEPLOY_KEY"),
			want:   []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			absent: []string{"GF_CORE_DEPLOY_KEY"}},
		{name: "queued beyond the grace period",
			edit: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs, &fakegh.Run{ID: 903, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: dur(40 * time.Minute),
					Jobs: []*fakegh.Job{{ID: 9031, Name: "nix build", Status: "queued", Labels: []string{"tinyland-nix"}}}})
			},
			want: []string{"blocker preflight/validation-queued", "ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			contains: []string{`"validate" run #903 on main has waited 40m for a runner (grace 15m)`, "runs-on tinyland-nix", "a queued run is not enrollment proof",
				"instead of adding labels", "just arc-app-secret-apply"}},
		{name: "re-run of an old run, queued briefly",
			edit: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs, &fakegh.Run{ID: 907, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: dur(30 * time.Hour), RerunAge: dur(2 * time.Minute)})
			},
			want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "re-run of an old run, queued long",
			edit: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs, &fakegh.Run{ID: 907, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: dur(30 * time.Hour), RerunAge: dur(20 * time.Minute)})
			},
			want:     []string{"blocker preflight/validation-queued", "ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			contains: []string{"has waited 20m"}},
		{name: "queued within the grace period",
			edit: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs, &fakegh.Run{ID: 903, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: dur(3 * time.Minute)})
			},
			want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "queued only: never proof",
			edit: func(r *fakegh.Repo) {
				r.Runs = []*fakegh.Run{{ID: 903, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: dur(26 * time.Hour)}}
			},
			want:     []string{"blocker preflight/enrollment-proof-missing", "blocker preflight/validation-queued", "ok preflight/core-read-credential"},
			contains: []string{"waited 26h", "gh workflow run validate.yml --repo tinyland-inc/tinyland-infra --ref main"}},
		{name: "in-progress run with a job waiting",
			edit: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs, &fakegh.Run{ID: 904, Name: "validate", Path: ".github/workflows/validate.yml", Status: "in_progress", Age: dur(50 * time.Minute),
					Jobs: []*fakegh.Job{
						{ID: 9041, Name: "lint", Status: "completed", Conclusion: "success", Labels: []string{"ubuntu-latest"}},
						{ID: 9042, Name: "heavy build", Status: "queued", Labels: []string{"tinyland-nix-heavy"}},
					}})
			},
			want:     []string{"blocker preflight/validation-queued", "ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			contains: []string{`(job "heavy build")`, "runs-on tinyland-nix-heavy"}},
		{name: "latest completed run failing",
			edit: func(r *fakegh.Repo) {
				r.Runs = append(r.Runs,
					&fakegh.Run{ID: 905, Name: "validate", Path: ".github/workflows/validate.yml", Status: "completed", Conclusion: "failure", Age: dur(30 * time.Minute)},
					&fakegh.Run{ID: 906, Name: "validate", Path: ".github/workflows/validate.yml", Status: "completed", Conclusion: "cancelled", Age: dur(10 * time.Minute)})
			},
			want:     []string{"blocker preflight/validation-failing", "ok preflight/core-read-credential", "ok preflight/enrollment-proof"},
			contains: []string{"concluded failure: https://github.com/tinyland-inc/tinyland-infra/actions/runs/905", "gh run rerun 905 --repo tinyland-inc/tinyland-infra"}},
		{name: "success on hosted runners only",
			edit: func(r *fakegh.Repo) { r.Runs[0].Jobs = r.Runs[0].Jobs[:1] },
			want: []string{"blocker preflight/enrollment-proof-missing", "ok preflight/core-read-credential"},
			contains: []string{"the latest successful one ran with runs-on ubuntu-latest: https://github.com/tinyland-inc/tinyland-infra/actions/runs/901",
				"Prove a default-branch workflow reaches the shared label"}},
		{name: "no default-branch runs",
			edit:     func(r *fakegh.Repo) { r.Runs = r.Runs[1:] },
			want:     []string{"blocker preflight/enrollment-proof-missing", "ok preflight/core-read-credential"},
			contains: []string{"no main runs of .github/workflows/validate.yml on GitHub yet"}},
		{name: "all workflows when none is named",
			exp:  func(e *Expectations) { e.Validation = nil },
			want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "default branch is not main",
			edit: func(r *fakegh.Repo) { r.DefaultBranch = "trunk"; r.Runs[0].HeadBranch = "trunk" },
			want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}, contains: []string{"on trunk"}},
		{name: "no token", token: "-",
			want:     []string{"blocker preflight/github-token-missing"},
			contains: []string{"GITHUB_TOKEN or GH_TOKEN", "export GH_TOKEN=$(gh auth token)"}},
		{name: "rejected token", token: "ghp_revokedrevokedrevokedrevoked0000",
			want: []string{"blocker preflight/github-auth"}, contains: []string{"Bad credentials"}},
		{name: "repository not visible",
			exp:      func(e *Expectations) { e.Repo = "tinyland-inc/typo-infra" },
			want:     []string{"blocker preflight/github-access"},
			contains: []string{"tinyland-inc/typo-infra: could not list the Actions secret names, read the repository"}},
		{name: "secrets forbidden",
			faults:   []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultStatus, Status: 403}},
			want:     []string{"blocker preflight/github-access", "ok preflight/enrollment-proof"},
			contains: []string{"secrets=read", "the core-read credential is unverified"}},
		{name: "500 once is retried",
			faults: []fakegh.Fault{{Route: fakegh.RouteAny, Kind: fakegh.FaultStatus, Times: 2}},
			want:   []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "500 always",
			faults:   []fakegh.Fault{{Route: fakegh.RouteRuns, Kind: fakegh.FaultStatus}, {Route: fakegh.RouteWorkflowRuns, Kind: fakegh.FaultStatus}},
			want:     []string{"blocker preflight/github-unavailable", "ok preflight/core-read-credential"},
			contains: []string{"GitHub answered 500 Server Error", "the validation runs and the enrollment proof are unverified", "githubstatus"}},
		{name: "hang ends inside the timeout", timeout: 1500 * time.Millisecond, maxWall: 2500 * time.Millisecond,
			faults:   []fakegh.Fault{{Route: fakegh.RouteJobs, Kind: fakegh.FaultHang}},
			want:     []string{"blocker preflight/github-unavailable", "ok preflight/core-read-credential"},
			contains: []string{"could not list the jobs of run https://github.com/tinyland-inc/tinyland-infra/actions/runs/901: no answer within --timeout", "raise --timeout"}},
		{name: "429 Retry-After within the timeout is waited out", timeout: 10 * time.Second,
			faults: []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultRetryAfter, RetryAfter: dur(time.Second), Times: 1}},
			want:   []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "429 Retry-After beyond the timeout", timeout: 2 * time.Second, maxWall: 1500 * time.Millisecond,
			faults:   []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultRetryAfter, RetryAfter: dur(time.Minute)}},
			want:     []string{"blocker preflight/github-rate-limited", "ok preflight/enrollment-proof"},
			contains: []string{"Retry-After beyond --timeout"}},
		{name: "secondary limit", timeout: 2 * time.Second, maxWall: 1500 * time.Millisecond,
			faults:   []fakegh.Fault{{Route: fakegh.RouteRepo, Kind: fakegh.FaultSecondary, RetryAfter: dur(5 * time.Minute)}},
			want:     []string{"blocker preflight/github-rate-limited", "ok preflight/core-read-credential"},
			contains: []string{"secondary rate limit", "Wait 5m"}},
		// In order, the secret names are read first; a secondary limit on them must not
		// keep the later calls from being sent (a client-side rate-limit memory would refuse
		// them, so the report would depend on which call finished first).
		{name: "secondary limit leaves the other calls alone", timeout: 2 * time.Second, sequential: true,
			faults:   []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultSecondary, RetryAfter: dur(5 * time.Minute)}},
			want:     []string{"blocker preflight/github-rate-limited", "ok preflight/enrollment-proof"},
			contains: []string{"secondary rate limit", "Wait 5m"}},
		{name: "primary limit resetting within the timeout", timeout: 10 * time.Second,
			faults: []fakegh.Fault{{Route: fakegh.RouteRepo, Kind: fakegh.FaultPrimary, ResetIn: dur(time.Second), Times: 1}},
			want:   []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "primary limit beyond the timeout", timeout: 2 * time.Second, maxWall: 1500 * time.Millisecond,
			faults:   []fakegh.Fault{{Route: fakegh.RouteAny, Kind: fakegh.FaultPrimary, ResetIn: dur(45 * time.Minute)}},
			want:     []string{"blocker preflight/github-rate-limited"},
			contains: []string{"primary rate limit exhausted", "or use a token with its own rate budget"}},
		{name: "truncated JSON once is retried",
			faults: []fakegh.Fault{{Route: fakegh.RouteJobs, Kind: fakegh.FaultTruncate, Times: 1}},
			want:   []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
		{name: "truncated JSON always",
			faults:   []fakegh.Fault{{Route: fakegh.RouteSecrets, Kind: fakegh.FaultTruncate}},
			want:     []string{"blocker preflight/github-unavailable", "ok preflight/enrollment-proof"},
			contains: []string{"malformed (truncated or invalid) JSON answer after 3 attempts"}},
		{name: "deploy key on the third page",
			edit: func(r *fakegh.Repo) {
				r.Secrets = nil
				for i := range 230 {
					r.Secrets = append(r.Secrets, fmt.Sprintf("APP_SECRET_%03d", i))
				}
				r.Secrets = append(r.Secrets, "GF_CORE_DEPLOY_KEY")
			},
			want: []string{"ok preflight/core-read-credential", "ok preflight/enrollment-proof"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			repo := enrolled()
			if tc.edit != nil {
				tc.edit(repo)
			}
			srv := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{repo}}, fakegh.Options{Faults: tc.faults})
			defer srv.Close()
			token := srv.Token()
			switch tc.token {
			case "-":
				token = ""
			case "":
			default:
				token = tc.token
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: srv.URL(), Token: token, Backoff: 10 * time.Millisecond, CallTimeout: timeout / 3})
			if err != nil {
				t.Fatal(err)
			}
			exp := expectations()
			if tc.exp != nil {
				tc.exp(&exp)
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			start := time.Now()
			r := Probe(ctx, c, Config{Sequential: tc.sequential}, exp)
			wall := time.Since(start)
			r.Finalize()

			if err := r.Validate(); err != nil {
				t.Error(err)
			}
			if got := verdicts(r); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("verdicts:\n  %s\nwant:\n  %s\nfindings: %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "), dump(r))
			}
			text := dump(r)
			for _, s := range tc.contains {
				if !strings.Contains(text, s) {
					t.Errorf("no finding mentions %q: %s", s, text)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(text, s) {
					t.Errorf("a finding mentions %q: %s", s, text)
				}
			}
			if tc.maxWall > 0 && wall > tc.maxWall {
				t.Errorf("probe took %v, want under %v", wall, tc.maxWall)
			}
			assertReadOnlyAndSilent(t, srv, text)
		})
	}
}

// assertReadOnlyAndSilent: only GETs reached the server, and the token appears nowhere.
func assertReadOnlyAndSilent(t *testing.T, srv *fakegh.Server, outputs ...string) {
	t.Helper()
	for _, req := range srv.Requests() {
		if req.Method != "GET" {
			t.Errorf("%s %s sent; the preflight is read-only", req.Method, req.Path)
		}
	}
	for _, o := range outputs {
		if strings.Contains(o, srv.Token()) {
			t.Errorf("output holds the token")
		}
	}
}

func verdicts(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity != finding.Info {
			out = append(out, f.Severity.String()+" "+f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

// dump renders findings one per line, unescaped, for substring checks and failure output.
func dump(r *finding.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n  %s %s %s: %s", f.Position, f.Severity, f.Rule, f.Message)
		if f.NextAction != "" {
			fmt.Fprintf(&b, "\n      next: %s", f.NextAction)
		}
	}
	return b.String()
}

// The probe graph is two round trips deep when the default branch is the guessed "main"
// (runs → jobs, with the repository and the secrets listing beside them) and three when
// it is not (repository → runs → jobs). depthTracker measures that causally: a request's
// depth is one more than the deepest answer received before it was sent, an upper bound
// of the real dependency depth.
func TestProbeDepth(t *testing.T) {
	for _, tc := range []struct {
		branch string
		depth  int
	}{{"main", 2}, {"trunk", 3}} {
		t.Run(tc.branch, func(t *testing.T) {
			repo := enrolled()
			repo.DefaultBranch = tc.branch
			for i := range 250 {
				repo.Secrets = append(repo.Secrets, fmt.Sprintf("S%03d", i)) // three pages
			}
			exp := expectations()
			for i := range 6 {
				file := fmt.Sprintf(".github/workflows/v%d.yml", i)
				repo.Runs = append(repo.Runs, &fakegh.Run{ID: int64(1000 + i), Name: file, Path: file, Status: "completed", Conclusion: "success", Age: dur(time.Hour),
					Jobs: []*fakegh.Job{{ID: int64(2000 + i), Name: "b", Status: "completed", Conclusion: "success", Labels: []string{"tinyland-nix"}}}})
				exp.Validation = append(exp.Validation, Workflow{File: file})
			}
			// The latency only has to exceed scheduling noise, so that answers of one round
			// do not arrive before requests of the same round leave.
			// On a loaded machine (load average 25 on 2 cores) 100 ms was not always enough.
			srv := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{repo}}, fakegh.Options{Latency: 300 * time.Millisecond})
			defer srv.Close()
			dt := &depthTracker{base: http.DefaultTransport}
			c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: srv.URL(), Token: srv.Token(), HTTP: dt})
			if err != nil {
				t.Fatal(err)
			}
			r := Probe(context.Background(), c, Config{}, exp)
			if r.Finalize(); r.Summary.Blockers != 0 {
				t.Fatalf("blockers: %s", dump(r))
			}
			if dt.calls < 14 {
				t.Errorf("only %d calls; the scenario needs at least 14", dt.calls)
			}
			if dt.max > tc.depth {
				t.Errorf("%d calls %d round trips deep; want at most %d", dt.calls, dt.max, tc.depth)
			}
		})
	}
}

type depthTracker struct {
	base  http.RoundTripper
	mu    sync.Mutex
	done  int // deepest answer received so far
	max   int
	calls int
}

func (d *depthTracker) RoundTrip(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	depth := d.done + 1
	d.calls++
	d.max = max(d.max, depth)
	d.mu.Unlock()
	resp, err := d.base.RoundTrip(req)
	d.mu.Lock()
	d.done = max(d.done, depth)
	d.mu.Unlock()
	return resp, err
}
