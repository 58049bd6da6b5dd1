package workflows

import (
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// movedOnto completes a next action that moves a job onto a shared self-hosted label with
// what the job must change as well: the rules for jobs on shared labels (pinned actions,
// checkouts without persisted credentials, a read-only default token, no secrets where pull
// requests reach) do not apply to it yet, so they are judged now as if it ran there, and
// following the advice creates no new blocker. A job that already runs on a shared label
// in some combination has those findings of its own; its advice stays as it is.
func (c *gateRun) movedOnto(wf *overlay.Workflow, job *overlay.Job, next string) string {
	if c.runsOnShared(job) {
		return next
	}
	demands := c.demandsOnShared(wf, job)
	if len(demands) == 0 {
		return next
	}
	return next + " On a shared label the job must also: " + strings.Join(demands, " ")
}

// runsOnShared reports a job whose runs-on can produce a shared label.
func (c *gateRun) runsOnShared(job *overlay.Job) bool {
	for _, set := range c.expand(job).sets {
		for _, l := range set.labels {
			if c.isShared(strings.TrimSpace(l.value)) {
				return true
			}
		}
	}
	return false
}

// demandsOnShared runs the shared-label rules on job as if it ran on the example shared
// label, into a scratch report, and returns their next actions in order, each once.
func (c *gateRun) demandsOnShared(wf *overlay.Workflow, job *overlay.Job) []string {
	sim := *c
	sim.r = &finding.Report{}
	sim.seen = map[string]bool{}
	use := sharedUse{label: c.example(), pos: job.RunsOn.Pos}
	sim.onShared = []sharedJob{{job: job, use: use}}
	sim.checkSteps(wf, job, use)
	if rj, ok := sim.checkSecurity(wf, job, use); ok {
		sim.checkWorkflowLevel(wf, []reachedJob{rj})
	}
	sim.checkWorkflowPermissions(wf)
	var out []string
	said := map[string]bool{}
	for _, f := range sim.r.Findings {
		if f.Severity == finding.Info || f.NextAction == "" || said[f.NextAction] {
			continue
		}
		said[f.NextAction] = true
		out = append(out, f.NextAction)
	}
	return out
}
