package workflows

import (
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Scope tells which jobs of an overlay run on its shared self-hosted labels, with the same
// runs-on expansion (matrix values, the cond && 'a' || 'b' idiom) the gate judges labels
// with. Gates whose workflow rules apply only to shared runners (pins) scope them with it.
type Scope struct{ c *gateRun }

// NewScope prepares the shared labels of o.
func NewScope(o *overlay.Overlay) *Scope {
	return &Scope{c: newGateRun(o, Options{}, &finding.Report{})}
}

// SharedLabel returns the first shared label job can run on, and false when it provably
// runs on none (GitHub-hosted, other labels, a reusable-workflow call) or its runs-on
// cannot be expanded to one.
func (s *Scope) SharedLabel(job *overlay.Job) (string, bool) {
	if job == nil || job.Uses.Value != "" || !job.RunsOn.Set {
		return "", false
	}
	for _, set := range s.c.expand(job).sets {
		for _, l := range set.labels {
			if v, ok := s.c.shared[strings.ToLower(strings.TrimSpace(l.value))]; ok {
				return v, true
			}
		}
	}
	return "", false
}
