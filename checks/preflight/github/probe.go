// Package github holds the live preflight's GitHub probes: the overlay repository's
// Actions secret names (the core-read credential), its default branch, recent
// default-branch validation runs and the jobs' runner labels (enrollment proof). The probes
// read through the read-only client of internal/ghapi and turn its answers into findings.
package github

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	gogh "github.com/google/go-github/v89/github"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

// Defaults applied by Probe when a Config field is zero.
const (
	DefaultQueuedGrace = 15 * time.Minute
	DefaultRecentRuns  = 30
)

// Config tunes the probes.
type Config struct {
	// QueuedGrace is how long a run or job may wait for a runner before it is a blocker
	// (default 15m): ARC needs a moment to scale up from zero.
	QueuedGrace time.Duration
	// RecentRuns is how many recent default-branch runs per validation workflow are read
	// (one page; default 30, at most 100).
	RecentRuns int
	// ProofCandidates is how many recent successful runs per workflow have their jobs read
	// when looking for enrollment proof (default 3).
	ProofCandidates int
	// Sequential makes the same calls one after another instead of concurrently: the
	// baseline the latency benchmark compares against. Never useful in production.
	Sequential bool
	// BranchGuess is the default branch whose runs are read while the repository call
	// is in flight (default "main"; "-" waits for the repository's answer instead).
	BranchGuess string
}

// fanout runs calls concurrently, or in order when sequential.
type fanout struct {
	wg  sync.WaitGroup
	seq bool
}

func (f *fanout) Go(fn func()) {
	if f.seq {
		fn()
		return
	}
	f.wg.Go(fn)
}

func (f *fanout) Wait() { f.wg.Wait() }

func (p *prober) fan() *fanout { return &fanout{seq: p.cfg.Sequential} }

// Run statuses meaning "waiting for something" (GitHub's check-suite status enum).
var waitingStatus = map[string]bool{"queued": true, "waiting": true, "requested": true, "pending": true}

// Conclusions that make a completed run failing; cancelled, skipped, stale are passed over
// when looking for the latest verdict, neutral and success are not failing.
var (
	failingConclusion = map[string]bool{"failure": true, "timed_out": true, "startup_failure": true, "action_required": true}
	skippedConclusion = map[string]bool{"cancelled": true, "skipped": true, "stale": true}
)

// Probe reads the overlay repository on GitHub and judges the core-read credential, the
// recent default-branch validation runs and the enrollment proof. It never fails: every
// call GitHub does not answer usefully within ctx's deadline becomes a blocker naming what
// is left unverified. The report has Rules() registered.
func Probe(ctx context.Context, c *ghapi.Client, cfg Config, exp Expectations) *finding.Report {
	r := &finding.Report{}
	r.AddRules(Rules()...)
	if cfg.QueuedGrace <= 0 {
		cfg.QueuedGrace = DefaultQueuedGrace
	}
	if cfg.RecentRuns <= 0 {
		cfg.RecentRuns = DefaultRecentRuns
	}
	cfg.RecentRuns = min(cfg.RecentRuns, 100)
	if cfg.ProofCandidates <= 0 {
		cfg.ProofCandidates = 3
	}
	p := &prober{c: c, cfg: cfg, exp: exp, r: r}
	p.run(ctx)
	for i := range r.Findings {
		r.Findings[i].Message = c.Scrub(r.Findings[i].Message)
		r.Findings[i].NextAction = c.Scrub(r.Findings[i].NextAction)
	}
	return r
}

type prober struct {
	c   *ghapi.Client
	cfg Config
	exp Expectations
	r   *finding.Report

	owner, name string
	now         time.Time

	mu       sync.Mutex
	failures []failure
}

// failure is a call that failed, with what it was for and the rule that reports it.
type failure struct {
	what string // "list the Actions secret names"
	rule string
	ghapi.Failure
}

// failureRule is the rule that reports each kind of failed call.
var failureRule = map[ghapi.FailureKind]string{
	ghapi.FailAuth:        RuleAuth,
	ghapi.FailAccess:      RuleAccess,
	ghapi.FailRateLimited: RuleRateLimited,
	ghapi.FailUnavailable: RuleUnavailable,
}

// sub is a prober of the same repository and clock that reports into r and keeps its own
// failures, so concurrent parts never share a failure list.
func (p *prober) sub(r *finding.Report) *prober {
	return &prober{c: p.c, cfg: p.cfg, exp: p.exp, r: r, owner: p.owner, name: p.name, now: p.now}
}

func (p *prober) fail(err error, what string) {
	gf := ghapi.Classify(err, p.c.Now())
	f := failure{what: what, rule: failureRule[gf.Kind], Failure: gf}
	p.mu.Lock()
	p.failures = append(p.failures, f)
	p.mu.Unlock()
}

func (p *prober) add(rule string, sev finding.Severity, pos finding.Position, msg, next string) {
	p.r.Add(finding.Finding{Rule: rule, Severity: sev, Position: pos, Message: msg, NextAction: next})
}

func (p *prober) run(ctx context.Context) {
	owner, name, ok := strings.Cut(p.exp.Repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		p.add(RuleAccess, finding.Blocker, p.exp.RepoPos,
			fmt.Sprintf("overlay repository %q is not owner/name, so GitHub cannot be asked about it", p.exp.Repo),
			"Set owner.repository in config/organization.yaml (or pass --repo OWNER/NAME), then rerun the preflight.")
		return
	}
	p.owner, p.name = owner, name
	if !p.c.HasToken() {
		p.add(RuleTokenMissing, finding.Blocker, p.exp.RepoPos,
			fmt.Sprintf("no GitHub token in %s: the secret names and validation runs of %s cannot be read", strings.Join(ghapi.TokenEnv, " or "), p.exp.Repo),
			fmt.Sprintf("Export a token that can read %s (fine-grained: Metadata, Actions and Secrets read; e.g. export GH_TOKEN=$(gh auth token)), then rerun the preflight.", p.exp.Repo))
		return
	}
	p.now = p.c.Now()

	// The runs depend on the default branch, which costs a round trip to learn. Most
	// repositories' is "main": read its runs while the repository answers, and only when
	// the guess is wrong read them again for the real branch. The common case is then two
	// round trips deep (runs → jobs), not three.
	guess := p.cfg.BranchGuess
	if guess == "" {
		guess = "main"
	}
	speculate := !p.cfg.Sequential && guess != "-"
	var (
		wg       = p.fan()
		secrets  secretNames
		branch   string
		repoErr  error
		runsData []*workflowRuns
	)
	wg.Go(func() { secrets = p.listSecrets(ctx) })
	// The runner-group and App-installation probes write their own reports, merged once
	// every call is back.
	rg, app := p.sub(&finding.Report{}), p.sub(&finding.Report{})
	wg.Go(func() { rg.probeRunnerGroup(ctx) })
	wg.Go(func() { app.probeAppInstallation(ctx) })
	wg.Go(func() {
		var guessed runsResult
		spec := p.fan()
		if speculate {
			spec.Go(func() { guessed = p.runsFor(ctx, guess) })
		}
		repo, _, err := p.c.REST().Repositories.Get(ctx, owner, name)
		if err != nil {
			repoErr = err
			p.fail(err, "read the repository (its default branch)")
			spec.Wait()
			return
		}
		branch = repo.GetDefaultBranch()
		var rr runsResult
		if speculate && branch == guess {
			spec.Wait()
			rr = guessed
		} else {
			// A wrong guess: read the real branch now, not after the guess's jobs.
			rr = p.runsFor(ctx, branch)
			spec.Wait()
		}
		runsData = rr.data
		p.mu.Lock()
		p.failures = append(p.failures, rr.failures...)
		p.mu.Unlock()
	})
	wg.Wait()
	for _, sub := range []*prober{app, rg} {
		p.r.Add(sub.r.Findings...)
		p.failures = append(p.failures, sub.failures...)
	}

	p.judgeCredentials(secrets)
	if repoErr == nil {
		p.judgeRuns(branch, runsData)
	}
	p.reportFailures()
}

// runsResult is the runs and jobs read for one branch, with the failures of those calls
// kept apart until the branch is known to be the default one.
type runsResult struct {
	data     []*workflowRuns
	failures []failure
}

func (p *prober) runsFor(ctx context.Context, branch string) runsResult {
	sub := p.sub(p.r)
	data := sub.listRuns(ctx, branch)
	sub.fetchJobs(ctx, data)
	return runsResult{data: data, failures: sub.failures}
}

// ---- secrets ---------------------------------------------------------------------------

type secretNames struct {
	repo, org map[string]bool
	repoErr   bool   // the repository secrets could not be listed (a failure is recorded)
	orgNote   string // why organization secrets could not be read, when that matters
}

// listSecrets reads the repository's Actions secret names and the organization secret names
// visible to it, concurrently. Organization secrets are a second source only: a personal
// account has none (404), and a token without org access should not block a repository
// that holds its own credential.
func (p *prober) listSecrets(ctx context.Context) secretNames {
	var s secretNames
	wg := p.fan()
	wg.Go(func() {
		names, err := listAllNames(p.fan, func(opt *gogh.ListOptions) (*gogh.Secrets, *gogh.Response, error) {
			return p.c.REST().Actions.ListRepoSecrets(ctx, p.owner, p.name, opt)
		})
		if err != nil {
			s.repoErr = true
			p.fail(err, "list the Actions secret names")
			return
		}
		s.repo = names
	})
	wg.Go(func() {
		names, err := listAllNames(p.fan, func(opt *gogh.ListOptions) (*gogh.Secrets, *gogh.Response, error) {
			return p.c.REST().Actions.ListRepoOrgSecrets(ctx, p.owner, p.name, opt)
		})
		if err != nil {
			if f := ghapi.Classify(err, p.now); f.Status != 404 {
				s.orgNote = "organization secrets visible to the repository could not be read (" + p.c.Scrub(f.Detail) + ")"
			}
			return
		}
		s.org = names
	})
	wg.Wait()
	return s
}

// listAllNames reads every page of a secrets listing: the first page names the last one
// (Link rel="last"), and the rest are fetched concurrently so a long list costs one more
// round trip, not one per page.
func listAllNames(fan func() *fanout, list func(*gogh.ListOptions) (*gogh.Secrets, *gogh.Response, error)) (map[string]bool, error) {
	first, resp, err := list(&gogh.ListOptions{PerPage: 100})
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, s := range first.Secrets {
		names[s.Name] = true
	}
	last := resp.LastPage
	if last == 0 && resp.NextPage > 0 {
		// A Link with next but no last (allowed by RFC 8288): walk it.
		for next := resp.NextPage; next > 0; {
			page, r2, err := list(&gogh.ListOptions{PerPage: 100, Page: next})
			if err != nil {
				return nil, err
			}
			for _, s := range page.Secrets {
				names[s.Name] = true
			}
			next = r2.NextPage
		}
		return names, nil
	}
	if last > 1 {
		pages := make([]*gogh.Secrets, last+1)
		errs := make([]error, last+1)
		wg := fan()
		for pg := 2; pg <= last; pg++ {
			wg.Go(func() { pages[pg], _, errs[pg] = list(&gogh.ListOptions{PerPage: 100, Page: pg}) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		for _, pg := range pages[2:] {
			for _, s := range pg.Secrets {
				names[s.Name] = true
			}
		}
	}
	return names, nil
}

func (p *prober) judgeCredentials(s secretNames) {
	pos := p.exp.CredentialsPos
	repo := p.exp.Repo
	if s.repoErr {
		return // the failure finding says the credential is unverified
	}
	present := func(names []string) (string, string) {
		for _, n := range names {
			if s.repo[n] {
				return n, ""
			}
		}
		for _, n := range names {
			if s.org[n] {
				return n, " (organization secret visible to the repository)"
			}
		}
		return "", ""
	}
	core := p.exp.CoreRepo
	if core == "" {
		core = "<core owner/repo>"
	}
	if len(p.exp.Preferred)+len(p.exp.Fallback) > 0 {
		preferred := firstOr(p.exp.Preferred, "GF_CORE_DEPLOY_KEY")
		setKey := fmt.Sprintf("create a read-only deploy key on %s (gh repo deploy-key add core-read.pub --repo %s --title %s-core-read) and store its private key as the overlay secret: gh secret set %s --repo %s < core-read",
			core, core, p.name, preferred, repo)
		if n, where := present(p.exp.Preferred); n != "" {
			p.add(RuleCredential, finding.OK, pos, fmt.Sprintf("%s has the preferred core-read credential %s%s", repo, n, where), "")
		} else if n, where := present(p.exp.Fallback); n != "" {
			p.add(RuleCredentialFallback, finding.Warning, pos,
				fmt.Sprintf("%s reads the core only through the compatibility fallback %s%s; the preferred credential is %s", repo, n, where, strings.Join(p.exp.Preferred, " or ")),
				"Replace the fallback with the preferred credential: "+setKey+"; then delete "+n+" and rerun the preflight.")
		} else {
			msg := fmt.Sprintf("%s has %s among its Actions secrets: workflows cannot read the core", repo, noneOf(append(append([]string(nil), p.exp.Preferred...), p.exp.Fallback...)))
			if s.orgNote != "" {
				msg += "; " + s.orgNote
			}
			p.add(RuleCredentialMissing, finding.Blocker, pos, msg,
				"Configure a core-read credential: "+setKey+"; then rerun the preflight.")
		}
	}
	for _, n := range p.exp.Info {
		switch {
		case s.repo[n] || s.org[n]:
			p.add(RuleInfoSecret, finding.Info, pos, infoPresent(n), "")
		default:
			p.add(RuleInfoSecret, finding.Info, pos, infoAbsent(n), "")
		}
	}
}

func infoPresent(n string) string {
	switch n {
	case "ATTIC_TOKEN":
		return "ATTIC_TOKEN is set: trusted push validation may publish warmed Nix outputs to the shared Attic cache; pull requests stay read-only"
	case "ATTIC_PUBLIC_KEY":
		return "ATTIC_PUBLIC_KEY is set: validation can attach the shared Attic cache as a substituter"
	}
	return n + " is set"
}

func infoAbsent(n string) string {
	switch n {
	case "ATTIC_TOKEN":
		return "ATTIC_TOKEN is not set: validation pulls from the shared Attic cache but does not publish (set it only if trusted push validation should)"
	case "ATTIC_PUBLIC_KEY":
		return "ATTIC_PUBLIC_KEY is not set: validation cannot verify substitutes from the shared Attic cache"
	}
	return n + " is not set"
}

// ---- runs and jobs -----------------------------------------------------------------------

// workflowRuns is the recent default-branch runs of one validation workflow (wf.File ""
// means all workflows), plus the jobs read for some of them.
type workflowRuns struct {
	wf       Workflow
	runs     []*gogh.WorkflowRun
	failed   bool // listing failed (a failure is recorded)
	notFound bool // GitHub does not know the workflow file (never ran on GitHub)

	jobs      map[int64][]*gogh.WorkflowJob
	jobFailed map[int64]bool
}

// listRuns reads one page of recent default-branch runs per validation workflow, all
// workflows concurrently.
func (p *prober) listRuns(ctx context.Context, branch string) []*workflowRuns {
	wfs := p.exp.Validation
	if len(wfs) == 0 {
		wfs = []Workflow{{Pos: p.exp.RepoPos}}
	}
	out := make([]*workflowRuns, len(wfs))
	wg := p.fan()
	for i, wf := range wfs {
		out[i] = &workflowRuns{wf: wf, jobs: map[int64][]*gogh.WorkflowJob{}, jobFailed: map[int64]bool{}}
		wg.Go(func() {
			opt := &gogh.ListWorkflowRunsOptions{Branch: branch, ListOptions: gogh.ListOptions{PerPage: p.cfg.RecentRuns}}
			var (
				runs *gogh.WorkflowRuns
				err  error
			)
			if wf.File == "" {
				runs, _, err = p.c.REST().Actions.ListRepositoryWorkflowRuns(ctx, p.owner, p.name, opt)
			} else {
				runs, _, err = p.c.REST().Actions.ListWorkflowRunsByFileName(ctx, p.owner, p.name, wf.base(), opt)
			}
			if err != nil {
				if f := ghapi.Classify(err, p.now); f.Status == 404 && wf.File != "" {
					out[i].notFound = true
					return
				}
				out[i].failed = true
				p.fail(err, "list the recent "+branch+" runs of "+wf.label())
				return
			}
			for _, run := range runs.WorkflowRuns {
				// The branch filter is GitHub's; keep only runs of the default branch itself
				// should an intermediary ignore it.
				if run.GetHeadBranch() == branch {
					out[i].runs = append(out[i].runs, run)
				}
			}
			sort.SliceStable(out[i].runs, func(a, b int) bool {
				return created(out[i].runs[a]).After(created(out[i].runs[b]))
			})
		})
	}
	wg.Wait()
	return out
}

// fetchJobs reads, concurrently across all workflows, the jobs of the runs that matter:
// the newest successful runs (proof candidates) and the runs waiting beyond the grace
// period (to name the labels they wait for).
func (p *prober) fetchJobs(ctx context.Context, data []*workflowRuns) {
	type want struct {
		w   *workflowRuns
		run *gogh.WorkflowRun
	}
	var wants []want
	for _, w := range data {
		success, waiting := 0, 0
		for _, run := range w.runs {
			switch {
			case run.GetStatus() == "completed" && run.GetConclusion() == "success" && success < p.cfg.ProofCandidates:
				success++
				wants = append(wants, want{w, run})
			case run.GetStatus() != "completed" && p.now.Sub(attemptStart(run)) > p.cfg.QueuedGrace && waiting < 2:
				waiting++
				wants = append(wants, want{w, run})
			}
		}
	}
	results := make([][]*gogh.WorkflowJob, len(wants))
	errs := make([]error, len(wants))
	wg := p.fan()
	for i, x := range wants {
		wg.Go(func() { results[i], errs[i] = p.listJobs(ctx, x.run.GetID()) })
	}
	wg.Wait()
	for i, x := range wants {
		if errs[i] != nil {
			x.w.jobFailed[x.run.GetID()] = true
			p.fail(errs[i], fmt.Sprintf("list the jobs of run %s", x.run.GetHTMLURL()))
			continue
		}
		x.w.jobs[x.run.GetID()] = results[i]
	}
}

// listJobs reads every job of a run's latest attempt, following Link pagination.
func (p *prober) listJobs(ctx context.Context, runID int64) ([]*gogh.WorkflowJob, error) {
	var all []*gogh.WorkflowJob
	opt := &gogh.ListWorkflowJobsOptions{Filter: "latest", ListOptions: gogh.ListOptions{PerPage: 100}}
	for pages := 0; pages < 20; pages++ {
		jobs, resp, err := p.c.REST().Actions.ListWorkflowJobs(ctx, p.owner, p.name, runID, opt)
		if err != nil {
			return nil, err
		}
		all = append(all, jobs.Jobs...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	return all, nil
}

func (p *prober) judgeRuns(branch string, data []*workflowRuns) {
	shared := map[string]bool{}
	for _, l := range p.exp.SharedLabels {
		shared[strings.ToLower(l)] = true
	}
	var (
		best          *proof
		unverified    bool
		latestSuccess *gogh.WorkflowRun
		latestLabels  []string
	)
	for _, w := range data {
		if w.failed {
			unverified = true
			continue
		}
		p.judgeWaiting(branch, w)
		p.judgeFailing(branch, w)
		for _, run := range w.runs {
			if run.GetStatus() != "completed" || run.GetConclusion() != "success" {
				continue
			}
			jobs, ok := w.jobs[run.GetID()]
			if !ok {
				if w.jobFailed[run.GetID()] {
					unverified = true
				}
				continue
			}
			if latestSuccess == nil || created(run).After(created(latestSuccess)) {
				latestSuccess, latestLabels = run, jobLabels(jobs)
			}
			if job, label := provingJob(jobs, shared); job != nil {
				if best == nil || created(run).After(created(best.run)) {
					best = &proof{w: w, run: run, job: job, label: label}
				}
				break
			}
		}
	}
	switch {
	case best != nil:
		p.add(RuleProof, finding.OK, best.w.wf.Pos,
			fmt.Sprintf("%s run #%d on %s (%s ago) ran job %q on shared label %s: %s",
				runName(best.run), best.run.GetRunNumber(), branch, ghapi.HumanDuration(p.now.Sub(created(best.run))),
				best.job.GetName(), best.label, best.run.GetHTMLURL()), "")
	case unverified:
		// A failure finding already says the proof could not be verified.
	default:
		p.add(RuleProofMissing, finding.Blocker, p.proofPos(data), p.proofMissingMessage(branch, data, latestSuccess, latestLabels), p.proofAction(branch, data))
	}
}

type proof struct {
	w     *workflowRuns
	run   *gogh.WorkflowRun
	job   *gogh.WorkflowJob
	label string
}

// provingJob is the first successful job whose runs-on labels include a shared label.
func provingJob(jobs []*gogh.WorkflowJob, shared map[string]bool) (*gogh.WorkflowJob, string) {
	for _, j := range jobs {
		if j.GetStatus() != "completed" || j.GetConclusion() != "success" {
			continue
		}
		for _, l := range j.Labels {
			if shared[strings.ToLower(l)] {
				return j, l
			}
		}
	}
	return nil, ""
}

// judgeWaiting reports the oldest run (or job of a running run) waiting for a runner
// beyond the grace period. A queued run is never proof, and never a reason for a new label.
func (p *prober) judgeWaiting(branch string, w *workflowRuns) {
	type stale struct {
		run    *gogh.WorkflowRun
		age    time.Duration
		labels []string
		job    string
	}
	var oldest *stale
	count := 0
	for _, run := range w.runs {
		if run.GetStatus() == "completed" {
			continue
		}
		var s *stale
		if waitingStatus[run.GetStatus()] {
			if age := p.now.Sub(attemptStart(run)); age > p.cfg.QueuedGrace {
				s = &stale{run: run, age: age, labels: waitingLabels(w.jobs[run.GetID()])}
			}
		} else {
			// in_progress: a job of it may still wait for a runner.
			for _, j := range w.jobs[run.GetID()] {
				if !waitingStatus[j.GetStatus()] {
					continue
				}
				since := j.GetCreatedAt().Time
				if since.IsZero() {
					since = attemptStart(run)
				}
				if age := p.now.Sub(since); age > p.cfg.QueuedGrace {
					s = &stale{run: run, age: age, labels: j.Labels, job: j.GetName()}
					break
				}
			}
		}
		if s != nil {
			count++
			if oldest == nil || s.age > oldest.age {
				oldest = s
			}
		}
	}
	if oldest == nil {
		return
	}
	what := fmt.Sprintf("%s run #%d on %s", runName(oldest.run), oldest.run.GetRunNumber(), branch)
	if oldest.job != "" {
		what += fmt.Sprintf(" (job %q)", oldest.job)
	}
	msg := fmt.Sprintf("%s has waited %s for a runner (grace %s): %s", what, ghapi.HumanDuration(oldest.age), ghapi.HumanDuration(p.cfg.QueuedGrace), oldest.run.GetHTMLURL())
	if len(oldest.labels) > 0 {
		msg += fmt.Sprintf("; it asks for runs-on %s", strings.Join(oldest.labels, ", "))
	}
	if count > 1 {
		msg += fmt.Sprintf("; %d runs of this workflow are waiting", count)
	}
	msg += "; a queued run is not enrollment proof"
	p.add(RuleValidationQueued, finding.Blocker, w.wf.Pos, msg,
		"Finish the owner registration path instead of adding labels: the GitHub App secret in both ARC namespaces (just arc-app-secret-apply / gfenroll arc-app-secret --apply) and the ARC scale sets registered for the shared label (see the Kubernetes findings); then rerun the strict preflight.")
}

// waitingLabels are the runs-on labels of a run's jobs still waiting for a runner.
func waitingLabels(jobs []*gogh.WorkflowJob) []string {
	seen := map[string]bool{}
	var out []string
	for _, j := range jobs {
		if !waitingStatus[j.GetStatus()] {
			continue
		}
		for _, l := range j.Labels {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// judgeFailing reports the latest completed run when it failed.
func (p *prober) judgeFailing(branch string, w *workflowRuns) {
	for _, run := range w.runs {
		if run.GetStatus() != "completed" || skippedConclusion[run.GetConclusion()] {
			continue
		}
		if !failingConclusion[run.GetConclusion()] {
			return
		}
		p.add(RuleValidationFailing, finding.Blocker, w.wf.Pos,
			fmt.Sprintf("the latest completed %s run of %s (#%d, %s ago) concluded %s: %s",
				branch, runName(run), run.GetRunNumber(), ghapi.HumanDuration(p.now.Sub(created(run))), run.GetConclusion(), run.GetHTMLURL()),
			fmt.Sprintf("Fix the failure shown at %s, then push to %s or re-run it (gh run rerun %d --repo %s) and rerun the strict preflight.",
				run.GetHTMLURL(), branch, run.GetID(), p.exp.Repo))
		return
	}
}

func (p *prober) proofMissingMessage(branch string, data []*workflowRuns, latest *gogh.WorkflowRun, labels []string) string {
	var names []string
	for _, w := range data {
		names = append(names, w.wf.label())
	}
	shared := strings.Join(p.exp.SharedLabels, ", ")
	if latest != nil {
		l := "no labels"
		if len(labels) > 0 {
			l = "runs-on " + strings.Join(labels, ", ")
		}
		return fmt.Sprintf("no successful %s run of %s ran a job on a shared label (%s); the latest successful one ran with %s: %s",
			branch, strings.Join(names, ", "), shared, l, latest.GetHTMLURL())
	}
	total := 0
	for _, w := range data {
		total += len(w.runs)
	}
	if total == 0 {
		return fmt.Sprintf("no %s runs of %s on GitHub yet, so nothing proves a default-branch workflow reaches a shared label (%s)",
			branch, strings.Join(names, ", "), shared)
	}
	return fmt.Sprintf("none of the %d recent %s runs of %s succeeded, so nothing proves a default-branch workflow reaches a shared label (%s)",
		total, branch, strings.Join(names, ", "), shared)
}

func (p *prober) proofAction(branch string, data []*workflowRuns) string {
	for _, w := range data {
		if w.wf.Dispatchable {
			return fmt.Sprintf("Prove a default-branch workflow reaches the shared label: gh workflow run %s --repo %s --ref %s (or push to %s), then rerun the strict preflight once it succeeds.",
				w.wf.base(), p.exp.Repo, branch, branch)
		}
	}
	return fmt.Sprintf("Prove a default-branch workflow reaches the shared label: push a commit to %s of %s that runs a validation workflow on it, then rerun the strict preflight once it succeeds.",
		branch, p.exp.Repo)
}

func (p *prober) proofPos(data []*workflowRuns) finding.Position {
	for _, w := range data {
		if w.wf.Pos.IsValid() {
			return w.wf.Pos
		}
	}
	return p.exp.RepoPos
}

// reportFailures turns failed calls into blockers, one per kind of failure, naming every
// check it left unverified.
func (p *prober) reportFailures() {
	type key struct{ rule, detail string }
	var order []key
	groups := map[key][]failure{}
	for _, f := range p.failures {
		k := key{f.rule, f.Detail}
		switch {
		case f.rule == RuleAuth:
			k.detail = "" // one finding for a rejected token, however many calls hit it
		case f.Class != "":
			k.detail = f.Class
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].rule != order[j].rule {
			return order[i].rule < order[j].rule
		}
		return order[i].detail < order[j].detail
	})
	for _, k := range order {
		fs := groups[k]
		// Calls fail in whatever order they finish; the first after sorting speaks for the group.
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].what != fs[j].what {
				return fs[i].what < fs[j].what
			}
			return fs[i].Detail < fs[j].Detail
		})
		var whats []string
		for _, f := range fs {
			whats = append(whats, f.what)
		}
		sort.Strings(whats)
		msg := fmt.Sprintf("%s: could not %s: %s; %s unverified", p.exp.Repo, strings.Join(dedupe(whats), ", "), fs[0].Detail, consequence(fs))
		p.add(k.rule, finding.Blocker, p.exp.RepoPos, msg, fs[0].Next+", then rerun the preflight.")
	}
}

// consequence says which verdicts a set of failures leaves open, always in the same words
// and order (the failures arrive in whatever order concurrent calls finished).
func consequence(fs []failure) string {
	secret, runs, groups := false, false, false
	for _, f := range fs {
		switch {
		case strings.Contains(f.what, "secret"):
			secret = true
		case strings.Contains(f.what, "runner group"):
			groups = true
		default:
			runs = true
		}
	}
	var parts []string
	if runs || (!secret && !groups) {
		parts = append(parts, "the validation runs", "the enrollment proof")
	}
	if secret {
		parts = append(parts, "the core-read credential")
	}
	if groups {
		parts = append(parts, "the runner-group admission")
	}
	if len(parts) == 1 {
		return parts[0] + " is"
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " are"
}

func (w Workflow) label() string {
	if w.File == "" {
		return "any workflow"
	}
	return w.File
}

// attemptStart is when the run's latest attempt started waiting: run_started_at resets on
// a re-run, so a re-run of an old run is not mistaken for a long wait.
func attemptStart(run *gogh.WorkflowRun) time.Time {
	c, s := created(run), run.GetRunStartedAt().Time
	if s.After(c) {
		return s
	}
	return c
}

func created(run *gogh.WorkflowRun) time.Time {
	if t := run.GetCreatedAt(); !t.IsZero() {
		return t.Time
	}
	return run.GetRunStartedAt().Time
}

func runName(run *gogh.WorkflowRun) string {
	if n := run.GetName(); n != "" {
		return fmt.Sprintf("%q", n)
	}
	return run.GetPath()
}

func jobLabels(jobs []*gogh.WorkflowJob) []string {
	seen := map[string]bool{}
	var out []string
	for _, j := range jobs {
		for _, l := range j.Labels {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

// noneOf words the absence of every name: "no X", "neither X nor Y", "none of X, Y, Z".
func noneOf(xs []string) string {
	switch len(xs) {
	case 1:
		return "no " + xs[0]
	case 2:
		return "neither " + xs[0] + " nor " + xs[1]
	}
	return "none of " + strings.Join(xs, ", ")
}

func dedupe(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
