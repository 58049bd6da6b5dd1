package workflows

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghexpr"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Options are the workflows gate flags.
type Options struct {
	// ForbidGitHubHosted makes GitHub-hosted runs-on labels blockers (--forbid-github-hosted).
	ForbidGitHubHosted bool
}

// Check evaluates every workflow of the overlay. The report has Rules() registered and
// findings appended; the caller merges, marks expected warnings and finalizes.
func Check(ctx context.Context, o *overlay.Overlay, opts Options) *finding.Report {
	r := &finding.Report{}
	r.AddRules(Rules()...)
	if o == nil {
		return r
	}
	c := newGateRun(o, opts, r)
	for _, wf := range o.Workflows {
		if ctx.Err() != nil {
			return r
		}
		var reached []reachedJob
		c.onShared = c.onShared[:0]
		for _, job := range wf.Jobs {
			if rj, ok := c.checkJob(wf, job); ok {
				reached = append(reached, rj)
			}
		}
		if len(reached) > 0 {
			c.checkWorkflowLevel(wf, reached)
		}
		c.checkWorkflowPermissions(wf)
		c.checkRetired(wf)
	}
	return r
}

func newGateRun(o *overlay.Overlay, opts Options, r *finding.Report) *gateRun {
	c := &gateRun{
		o:      o,
		opts:   opts,
		r:      r,
		shared: map[string]string{},
		seen:   map[string]bool{},
		allow:  map[*overlay.Job]ghexpr.EventSet{},
	}
	for _, l := range labels.Shared(o) {
		c.shared[strings.ToLower(l)] = l
		c.sharedList = append(c.sharedList, l)
	}
	// A lane registered under its shared label (scale set "tinyland-nix") is no identity,
	// as in the taxonomy gate.
	c.id = labels.IdentityOf(o).WithoutShared(labels.NewSet(c.sharedList))
	c.reach = newReachability(o)
	c.reach.allowed = c.allowed
	c.creds = newCredentialPolicy(o)
	return c
}

type gateRun struct {
	o          *overlay.Overlay
	opts       Options
	r          *finding.Report
	shared     map[string]string // lower-case label -> label as declared
	sharedList []string
	id         labels.Identity
	reach      *reachability
	seen       map[string]bool // findings already added (one label reached twice)
	allow      map[*overlay.Job]ghexpr.EventSet
	busy       map[*overlay.Job]bool
	jobsOf     *overlay.Workflow // the workflow jobIndex indexes
	jobIndex   map[string]*overlay.Job
	creds      credentialPolicy
	onShared   []sharedJob // jobs of the current workflow on a shared label
}

func (c *gateRun) add(rule string, sev finding.Severity, pos overlay.Pos, msg, next string) {
	key := fmt.Sprintf("%s|%s|%s", rule, pos, msg)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.r.Add(finding.Finding{Rule: rule, Severity: sev, Position: pos, Message: msg, NextAction: next})
}

// checkJob judges one job's labels and, when it runs on a shared label, its exposure to
// untrusted code. It returns the job when a pull request reaches it.
func (c *gateRun) checkJob(wf *overlay.Workflow, job *overlay.Job) (reachedJob, bool) {
	if job.Uses.Value != "" {
		// A reusable-workflow call runs on the called workflow's runners.
		return reachedJob{}, false
	}
	if !job.RunsOn.Set {
		c.add(RuleMissingRunsOn, finding.Blocker, job.Pos,
			fmt.Sprintf("job %q has neither runs-on nor uses", job.ID.Value),
			c.movedOnto(wf, job, fmt.Sprintf("Add runs-on with a shared capability label (e.g. %s) to job %q in %s.", c.example(), job.ID.Value, wf.File)))
		return reachedJob{}, false
	}
	exp := c.expand(job)
	for _, u := range exp.unresolved {
		c.unresolved(wf, job, u)
	}
	for _, alts := range exp.perLabel {
		for _, alt := range alts {
			for _, l := range alt.labels {
				c.judgeLabel(wf, job, l)
			}
		}
	}
	shared := c.judgeSets(wf, job, exp)
	if shared == nil {
		return reachedJob{}, false
	}
	c.onShared = append(c.onShared, sharedJob{job: job, use: *shared})
	c.checkSteps(wf, job, *shared)
	return c.checkSecurity(wf, job, *shared)
}

// example is the shared label suggested when nothing better matches.
func (c *gateRun) example() string {
	if _, ok := c.shared["tinyland-nix"]; ok || len(c.sharedList) == 0 {
		return "tinyland-nix"
	}
	return c.sharedList[0]
}

func (c *gateRun) isShared(l string) bool {
	_, ok := c.shared[strings.ToLower(l)]
	return ok
}

func (c *gateRun) sharedText() string { return strings.Join(c.sharedList, ", ") }

// where describes a label's origin for messages: nothing for a literal label, the runs-on
// that used it for a matrix value.
func where(l label) string {
	if l.via == "" {
		return ""
	}
	return " (" + l.via + ")"
}

func (c *gateRun) judgeLabel(wf *overlay.Workflow, job *overlay.Job, l label) {
	v := strings.TrimSpace(l.value)
	switch {
	case v == "":
		c.add(RuleUnknownLabel, finding.Blocker, l.pos,
			fmt.Sprintf("job %q has an empty runs-on label%s", job.ID.Value, where(l)),
			c.movedOnto(wf, job, fmt.Sprintf("Set the runs-on label of job %q to a shared capability label (%s).", job.ID.Value, c.sharedText())))
	case c.isShared(v), labels.IsGeneric(v):
	case labels.IsGitHubHosted(v):
		if c.opts.ForbidGitHubHosted {
			c.add(RuleGitHubHosted, finding.Blocker, l.pos,
				fmt.Sprintf("job %q runs on the GitHub-hosted label %q%s, and this check forbids GitHub-hosted runners", job.ID.Value, v, where(l)),
				c.movedOnto(wf, job, fmt.Sprintf("Move job %q to a shared self-hosted label (e.g. %s), or drop --forbid-github-hosted if GitHub-hosted runners are allowed for this overlay.", job.ID.Value, c.example())))
		}
	default:
		target := c.suggest(v)
		if reason := labels.MintedReason(v, c.id); reason != "" {
			c.add(RuleMintedLabel, finding.Blocker, l.pos,
				fmt.Sprintf("job %q runs on %q%s: a minted label, %s; workflows target shared capability labels (%s)", job.ID.Value, v, where(l), reason, c.sharedText()),
				c.movedOnto(wf, job, fmt.Sprintf("Target the shared capability label %s instead of %q in %s; do not create repo-specific runner labels to make enrollment appear green.", target, v, wf.File)))
			return
		}
		msg := fmt.Sprintf("job %q runs on %q%s, which is not a shared capability label (shared: %s)", job.ID.Value, v, where(l), c.sharedText())
		if labels.WellFormed(v) {
			msg += "; it is capability-shaped but not in this overlay's shared labels"
		}
		c.add(RuleUnknownLabel, finding.Blocker, l.pos, msg,
			c.movedOnto(wf, job, fmt.Sprintf("Change runs-on of job %q in %s to %s; a capability that is genuinely new belongs in the core's shared labels, not in one overlay.", job.ID.Value, wf.File, target)))
	}
}

// suggest names the shared label whose capability words the label carries (personal-nix-heavy
// → tinyland-nix-heavy), or lists them all.
func (c *gateRun) suggest(label string) string {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(label), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words[w] = true
	}
	best, bestN := "", 0
	for _, s := range c.sharedList {
		caps := strings.Split(strings.TrimPrefix(strings.ToLower(s), "tinyland-"), "-")
		all := true
		for _, w := range caps {
			if !words[w] {
				all = false
				break
			}
		}
		if all && len(caps) > bestN {
			best, bestN = s, len(caps)
		}
	}
	if best != "" {
		return best
	}
	return "one of the shared labels (" + c.sharedText() + ")"
}

// sharedUse is the shared label that puts a job on shared self-hosted runners.
type sharedUse struct {
	label string
	pos   overlay.Pos
}

// judgeSets judges each label combination runs-on can produce and returns the first shared
// label the job can run on (nil when none).
func (c *gateRun) judgeSets(wf *overlay.Workflow, job *overlay.Job, exp expansion) *sharedUse {
	ro := job.RunsOn
	if len(ro.Labels) == 0 {
		if ro.Group.Set {
			c.add(RuleNoCapabilityLabel, finding.Blocker, ro.Group.Pos,
				fmt.Sprintf("job %q selects runner group %q without a capability label; it would run on any runner of the group", job.ID.Value, ro.Group.Value),
				c.movedOnto(wf, job, fmt.Sprintf("Add labels: [%s] (the capability the job needs) next to group: in job %q.", c.example(), job.ID.Value)))
		} else {
			c.add(RuleNoCapabilityLabel, finding.Blocker, ro.Pos,
				fmt.Sprintf("runs-on of job %q names no label", job.ID.Value),
				c.movedOnto(wf, job, fmt.Sprintf("Set runs-on of job %q to a shared capability label (e.g. %s).", job.ID.Value, c.example())))
		}
		return nil
	}
	var first *sharedUse
	for _, set := range exp.sets {
		var hasShared, hasOther bool
		for _, l := range set.labels {
			v := strings.TrimSpace(l.value)
			switch {
			case c.isShared(v):
				hasShared = true
				if first == nil {
					first = &sharedUse{label: c.shared[strings.ToLower(v)], pos: l.pos}
				}
			case labels.IsGeneric(v):
			default:
				hasOther = true // hosted or already reported as unknown/minted
			}
		}
		if hasShared || hasOther || set.incomplete {
			continue
		}
		at, names := ro.Pos, make([]string, 0, len(set.labels))
		for _, l := range set.labels {
			names = append(names, l.value)
		}
		if len(set.labels) > 0 && set.labels[0].via != "" {
			at = set.labels[0].pos
		}
		c.add(RuleNoCapabilityLabel, finding.Blocker, at,
			fmt.Sprintf("job %q runs on [%s]: only generic labels, so it would land on any self-hosted runner", job.ID.Value, strings.Join(names, ", ")),
			c.movedOnto(wf, job, fmt.Sprintf("Add the shared capability label the job needs (e.g. %s) to runs-on of job %q.", c.example(), job.ID.Value)))
	}
	if first != nil && ro.Group.Set {
		c.add(RuleRunnerGroup, finding.Info, ro.Group.Pos,
			fmt.Sprintf("job %q runs in runner group %q on shared label %q; the owner's scale set for that label must be in the group", job.ID.Value, ro.Group.Value, first.label), "")
	}
	return first
}

func (c *gateRun) unresolved(wf *overlay.Workflow, job *overlay.Job, u unresolvedExpr) {
	msg := fmt.Sprintf("runs-on of job %q uses %s, which cannot be expanded hermetically", job.ID.Value, u.expr)
	if u.why != "" {
		msg += " (" + u.why + ")"
	}
	msg += "; the labels it yields are not checked"
	c.add(RuleUnresolvedExpression, finding.Warning, u.pos, msg,
		c.movedOnto(wf, job, fmt.Sprintf("Make runs-on of job %q in %s statically checkable (a literal shared label, or a strategy.matrix list of shared labels), or declare %s in enrollment.expected_warnings.", job.ID.Value, wf.File, RuleUnresolvedExpression)))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
