package taxonomy

import (
	"fmt"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// checkDuplicates: within one stack (one runner namespace), deployed scale sets must not
// share a runnerScaleSetName or a Helm release name.
func (c *gateRun) checkDuplicates(st *deploy.Stack) {
	firstName := map[string]*deploy.ScaleSet{}
	firstRel := map[string]*deploy.ScaleSet{}
	ns := st.RunnerNamespace.Value
	for _, s := range st.ScaleSets {
		if p, dup := firstName[s.Name.Value]; dup {
			c.add(RuleScaleSetDuplicate, finding.Blocker, s.Name.Pos,
				fmt.Sprintf("%s and %s (%s) both register the scale-set name %q in namespace %s", s.What(), p.What(), p.Name.Pos, s.Name.Value, ns),
				fmt.Sprintf("Give %s an owner-distinct name: set %s in %s (names are registration identity, not labels).", s.What(), s.Name.Key, st.File))
		} else {
			firstName[s.Name.Value] = s
		}
		if p, dup := firstRel[s.Release.Value]; dup {
			c.add(RuleScaleSetDuplicate, finding.Blocker, s.Release.Pos,
				fmt.Sprintf("%s and %s (%s) both use the Helm release name %q in namespace %s", s.What(), p.What(), p.Release.Pos, s.Release.Value, ns),
				fmt.Sprintf("Rename %s in %s so each scale set has its own Helm release.", s.Release.Key, st.File))
		} else {
			firstRel[s.Release.Value] = s
		}
	}
}
