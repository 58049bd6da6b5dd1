package workflows

import (
	"fmt"
	"path"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghexpr"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// pullRequestEvents run a pull request's code (with secrets withheld from forks, but not
// from branches of the same repository), in the order messages prefer them.
var pullRequestEvents = []string{"pull_request", "pull_request_review", "pull_request_review_comment"}

const pullRequestTarget = "pull_request_target"

// trigger is how an event reaches a workflow.
type trigger struct {
	pos overlay.Pos // the on: entry (in this workflow or in the calling one)
	via string      // "" for the workflow's own trigger, else the calling job
}

func (t trigger) describe() string {
	if t.via != "" {
		return t.via
	}
	return fmt.Sprintf("on: at line %d", t.pos.Line)
}

// reachability computes which events start each workflow, following local reusable
// workflow calls: a workflow_call workflow runs for whatever its callers' triggers are,
// filtered by the calling job's if:.
type reachability struct {
	o    *overlay.Overlay
	repo string // owner/name of the overlay repository, lower case ("" when unknown)
	memo map[string]map[string]trigger
	busy map[string]bool
	// allowed is the gate run's events-a-job-runs-for (if: and needs: chains).
	allowed func(wf *overlay.Workflow, job *overlay.Job) ghexpr.EventSet
}

func newReachability(o *overlay.Overlay) *reachability {
	r := &reachability{o: o, memo: map[string]map[string]trigger{}, busy: map[string]bool{}}
	if o.Org != nil {
		r.repo = strings.ToLower(strings.TrimSpace(o.Org.Owner.Repository.Value))
	}
	return r
}

func (r *reachability) events(wf *overlay.Workflow) map[string]trigger {
	if ev, ok := r.memo[wf.File]; ok {
		return ev
	}
	out := map[string]trigger{}
	if r.busy[wf.File] {
		return out // a call cycle: GitHub rejects it; stop here
	}
	r.busy[wf.File] = true
	defer delete(r.busy, wf.File)
	callable := false
	for _, e := range wf.On {
		name := strings.ToLower(strings.TrimSpace(e.Name.Value))
		if name == "workflow_call" {
			callable = true
			continue
		}
		if _, dup := out[name]; !dup {
			out[name] = trigger{pos: e.Name.Pos}
		}
	}
	if callable {
		for _, caller := range r.o.Workflows {
			for _, job := range caller.Jobs {
				if job.Uses.Value == "" || !r.calls(job.Uses.Value, wf.File) {
					continue
				}
				allowed := jobAllowed(job)
				if r.allowed != nil {
					allowed = r.allowed(caller, job) // with the caller's needs: chain
				}
				callerEvents := r.events(caller)
				for _, name := range sortedKeys(callerEvents) {
					if _, have := out[name]; have || !allowed.Has(name) {
						continue
					}
					out[name] = trigger{pos: callerEvents[name].pos,
						via: fmt.Sprintf("through job %q of %s at line %d, which calls this workflow", job.ID.Value, caller.File, job.Uses.Pos.Line)}
				}
			}
		}
	}
	r.memo[wf.File] = out
	return out
}

// calls reports whether a job's uses: names the workflow file: ./.github/workflows/x.yml,
// or <this overlay's repository>/.github/workflows/x.yml@ref.
func (r *reachability) calls(uses, file string) bool {
	u := strings.TrimSpace(uses)
	if rest, ok := strings.CutPrefix(u, "./"); ok {
		return path.Clean(rest) == file
	}
	if r.repo == "" {
		return false
	}
	ref, _, _ := strings.Cut(u, "@")
	if len(ref) <= len(r.repo)+1 || !strings.EqualFold(ref[:len(r.repo)+1], r.repo+"/") {
		return false
	}
	return path.Clean(ref[len(r.repo)+1:]) == file
}

// jobAllowed is the set of events the job-level if: may let through (every event when the
// condition is absent or not a clear event gate).
func jobAllowed(job *overlay.Job) ghexpr.EventSet {
	if !job.If.Set || strings.TrimSpace(job.If.Value) == "" {
		return ghexpr.AllEvents()
	}
	n, ok, err := ghexpr.ParseCondition(job.If.Value)
	if err != nil || !ok {
		return ghexpr.AllEvents()
	}
	return ghexpr.EventsAllowed(n)
}

// allowed is the set of events for which job can run: what its own if: lets through and,
// unless that if: calls a status function that runs after skipped needs (always(),
// failure(), cancelled()), what every job it needs lets through: a job whose needed job
// was skipped is skipped too. Memoized per job; a needs cycle (GitHub rejects it) stops
// the walk.
func (c *gateRun) allowed(wf *overlay.Workflow, job *overlay.Job) ghexpr.EventSet {
	if s, ok := c.allow[job]; ok {
		return s
	}
	s := jobAllowed(job)
	if c.busy == nil {
		c.busy = map[*overlay.Job]bool{}
	}
	if len(job.Needs) > 0 && !c.busy[job] && !runsAfterSkipped(job) {
		c.busy[job] = true
		if c.jobsOf != wf {
			c.jobsOf, c.jobIndex = wf, make(map[string]*overlay.Job, len(wf.Jobs))
			for _, j := range wf.Jobs {
				c.jobIndex[j.ID.Value] = j
			}
		}
		for _, n := range job.Needs {
			if other := c.jobIndex[n.Value]; other != nil {
				s = s.Intersect(c.allowed(wf, other))
			}
		}
		delete(c.busy, job)
	}
	c.allow[job] = s
	return s
}

// runsAfterSkipped reports an if: with a status function other than success(), under which
// a job runs even when a job it needs was skipped.
func runsAfterSkipped(job *overlay.Job) bool {
	l := strings.ToLower(job.If.Value)
	for _, f := range []string{"always(", "failure(", "cancelled("} {
		if strings.Contains(l, f) {
			return true
		}
	}
	return false
}

// reachedJob is a job on a shared self-hosted label that a pull request can start.
type reachedJob struct {
	job   *overlay.Job
	use   sharedUse
	event string  // the pull request event that reaches it
	trig  trigger // how that event reaches the workflow
}

// gateNote explains, for a job with an if:, that the condition is not a recognised gate.
func (rj reachedJob) gateNote() string {
	if !rj.job.If.Set {
		return ""
	}
	return fmt.Sprintf("; its if: (line %d) does not provably exclude %s", rj.job.If.Pos.Line, rj.event)
}

// trustedGate is how next actions say "gate the job to trusted events".
const trustedGate = "with if: github.event_name == 'push' (or workflow_dispatch / schedule)"

// jobNames renders job ids for messages: `job "a"`, `jobs "a" and "b"`, at most five names.
func jobNames(ids []string) string {
	if len(ids) == 1 {
		return fmt.Sprintf("job %q", ids[0])
	}
	const show = 5
	var q []string
	for i, id := range ids {
		if i == show {
			break
		}
		q = append(q, fmt.Sprintf("%q", id))
	}
	if len(ids) > show {
		return fmt.Sprintf("jobs %s and %d more", strings.Join(q, ", "), len(ids)-show)
	}
	return fmt.Sprintf("jobs %s and %s", strings.Join(q[:len(q)-1], ", "), q[len(q)-1])
}

// reachedText is the shared opening of the untrusted-* messages for one or more jobs that
// have the same label, trigger and gate.
func reachedText(group []reachedJob) string {
	rj := group[0]
	ids := make([]string, len(group))
	for i, g := range group {
		ids[i] = g.job.ID.Value
	}
	if len(ids) == 1 {
		return fmt.Sprintf("%s runs on shared self-hosted label %q and is reachable from %s (%s)", jobNames(ids), rj.use.label, rj.event, rj.trig.describe())
	}
	return fmt.Sprintf("%s run on shared self-hosted label %q and are reachable from %s (%s)", jobNames(ids), rj.use.label, rj.event, rj.trig.describe())
}

func groupIDs(group []reachedJob) string {
	ids := make([]string, len(group))
	for i, g := range group {
		ids[i] = g.job.ID.Value
	}
	return jobNames(ids)
}

// checkSecurity applies the untrusted-code rules to what belongs to one job on a shared
// label. It returns the job when a pull request reaches it, for the workflow-level pass.
func (c *gateRun) checkSecurity(wf *overlay.Workflow, job *overlay.Job, use sharedUse) (reachedJob, bool) {
	events := c.reach.events(wf)
	allowed := c.allowed(wf, job)
	id := job.ID.Value

	if t, ok := events[pullRequestTarget]; ok && allowed.Has(pullRequestTarget) {
		at := t.pos
		if t.via != "" {
			at = use.pos // the trigger is in another file; point at what runs here
		}
		rj := reachedJob{job: job, use: use, event: pullRequestTarget, trig: t}
		c.add(RulePullRequestTarget, finding.Blocker, at,
			fmt.Sprintf("%s%s: fork code would run with the base repository's secrets and a write token on a shared runner", reachedText([]reachedJob{rj}), rj.gateNote()),
			fmt.Sprintf("Remove the pull_request_target trigger (use pull_request, which withholds secrets from forks), move job %q off the shared self-hosted labels, or gate it %s.", id, trustedGate))
	}

	rj := reachedJob{job: job, use: use}
	for _, e := range pullRequestEvents {
		if t, ok := events[e]; ok && allowed.Has(e) {
			rj.event, rj.trig = e, t
			break
		}
	}
	if rj.event == "" {
		return reachedJob{}, false
	}
	reached, gate := reachedText([]reachedJob{rj}), rj.gateNote()

	for _, ref := range job.SecretRefs {
		if isJobToken(ref) {
			continue
		}
		c.add(RuleUntrustedSecrets, finding.Blocker, ref.Pos,
			fmt.Sprintf("%s, but references %s%s", reached, secretText(ref), gate),
			fmt.Sprintf("Gate job %q in %s to trusted events %s, or move the secret to a job pull requests cannot reach; jobs pull requests reach on shared runners must be secret-free.", id, wf.File, trustedGate))
	}

	if job.Environment.Set {
		name := "an environment"
		if job.Environment.Value != "" {
			name = fmt.Sprintf("environment %q", job.Environment.Value)
		}
		c.add(RuleUntrustedEnvironment, finding.Blocker, job.Environment.Pos,
			fmt.Sprintf("%s, but binds %s%s", reached, name, gate),
			fmt.Sprintf("Gate job %q in %s to trusted events %s, or drop environment: from it; deployment environments are for trusted events.", id, wf.File, trustedGate))
	}

	if job.Permissions != nil {
		c.writePermissions(wf, []reachedJob{rj}, job.Permissions, "")
	}
	return rj, true
}

// checkWorkflowLevel reports what the workflow itself gives every reached job: secrets in
// the workflow-level env and inherited workflow permissions. Jobs in the same situation
// share one finding, so a large workflow yields one line per problem, not one per job.
func (c *gateRun) checkWorkflowLevel(wf *overlay.Workflow, reached []reachedJob) {
	inheriting := reached[:0:0]
	for _, rj := range reached {
		if rj.job.Permissions == nil {
			inheriting = append(inheriting, rj)
		}
	}
	for _, group := range groupReached(reached) {
		reachedMsg, gate := reachedText(group), group[0].gateNote()
		for _, ref := range wf.SecretRefs {
			if isJobToken(ref) {
				continue
			}
			c.add(RuleUntrustedSecrets, finding.Blocker, ref.Pos,
				fmt.Sprintf("%s, but the workflow-level env references %s%s", reachedMsg, secretText(ref), gate),
				fmt.Sprintf("Move the secret from the workflow-level env of %s into the jobs that need it and gate those to trusted events %s; %s must stay secret-free.", wf.File, trustedGate, groupIDs(group)))
		}
	}
	if wf.Permissions != nil {
		for _, group := range groupReached(inheriting) {
			c.writePermissions(wf, group, wf.Permissions, " (inherited from the workflow-level permissions)")
		}
	}
}

// groupReached groups jobs that share label, event, trigger and gate note, in job order.
func groupReached(reached []reachedJob) [][]reachedJob {
	index := map[string]int{}
	var groups [][]reachedJob
	for _, rj := range reached {
		key := rj.use.label + "|" + rj.event + "|" + rj.trig.describe() + "|" + rj.gateNote()
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], rj)
	}
	return groups
}

// writePermissions reports write scopes (or write-all) of perms for the jobs of group.
func (c *gateRun) writePermissions(wf *overlay.Workflow, group []reachedJob, perms *overlay.Permissions, inherited string) {
	reached, gate := reachedText(group), group[0].gateNote()
	token := "its token has"
	if len(group) > 1 {
		token = "their tokens have"
	}
	it := "it"
	if len(group) > 1 {
		it = "them"
	}
	next := fmt.Sprintf("Give %s in %s a read-only token (permissions: contents: read), or gate %s to trusted events %s.", groupIDs(group), wf.File, it, trustedGate)
	if perms.Shorthand.Value == "write-all" {
		c.add(RuleUntrustedWritePermissions, finding.Blocker, perms.Shorthand.Pos,
			fmt.Sprintf("%s, but %s permissions: write-all%s%s", reached, token, inherited, gate), next)
		return
	}
	for _, scope := range sortedKeys(perms.Scopes) {
		if v := perms.Scopes[scope]; v.Value == "write" {
			c.add(RuleUntrustedWritePermissions, finding.Blocker, v.Pos,
				fmt.Sprintf("%s, but %s %s: write%s%s", reached, token, scope, inherited, gate), next)
		}
	}
}

// isJobToken reports secrets.GITHUB_TOKEN: the job's own token, whose power permissions:
// sets (and the write-permissions rule judges), not a stored secret.
func isJobToken(ref overlay.SecretRef) bool { return strings.EqualFold(ref.Name, "GITHUB_TOKEN") }

func secretText(ref overlay.SecretRef) string {
	if ref.Name == "" {
		return "the secrets context (a computed name or the whole context)"
	}
	return "secrets." + ref.Name
}
