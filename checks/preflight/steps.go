package preflight

import (
	"fmt"
	"strconv"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// StepsTable is the enrollment sequence as this run saw it: each step done, blocked, or not
// yet checked. A step counts as done only on positive evidence (an ok finding of the step,
// or for the overlay step the hermetic gates having run without a blocker); a step no probe
// could verify in this run (no token, a token without the permission, a personal account's
// App installation) is never counted done.
func StepsTable(r *finding.Report) finding.Table {
	stepOf := map[string]finding.Step{}
	for _, x := range r.Rules {
		stepOf[x.ID] = x.Step
	}
	blockers := map[finding.Step]int{}
	oks := map[finding.Step]int{}
	infos := map[finding.Step]int{}
	total := 0
	for _, f := range r.Findings {
		s := stepOf[f.Rule]
		switch f.Severity {
		case finding.Blocker:
			blockers[s]++
			total++
		case finding.OK:
			oks[s]++
		case finding.Info:
			infos[s]++
		}
	}
	t := finding.Table{Title: "Enrollment steps", Columns: []string{"step", "what", "status"}}
	for _, s := range finding.Steps() {
		var status string
		switch {
		case blockers[s] > 0:
			status = fmt.Sprintf("blocked (%d)", blockers[s])
		case s == finding.StepOverlay:
			status = "done"
		case s == finding.StepApp && infos[s] > 0:
			// An unverified registration scope keeps the step from counting as done, even
			// when another scope was verified.
			status = "not verified (see preflight/app-installation-unverified)"
			if oks[s] > 0 {
				status = "partly verified (see preflight/app-installation-unverified)"
			}
		case s == finding.StepCachePublish:
			status = "optional"
			if infos[s] > 0 || oks[s] > 0 {
				status = "optional (see the cache secrets above)"
			}
		case s == finding.StepPreflight:
			status = "done"
			if total > 0 {
				status = fmt.Sprintf("blocked (%d in earlier steps)", total)
			}
		case s == finding.StepPlan:
			status = "not checked by the preflight (review it: just arc-plan-show)"
		case oks[s] > 0:
			status = "done"
		default:
			status = "not yet checked"
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(int(s)), s.String(), status})
	}
	return t
}
