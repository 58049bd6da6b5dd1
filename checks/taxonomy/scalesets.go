package taxonomy

import (
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// scaleSet is one deployed ARC runner scale set of a tfvars file, with its identities as the
// core derives them (see the package doc for the defaults).
type scaleSet struct {
	file      string
	what      string // "the built-in nix lane", "extra_runner_sets.heavy"
	name      string // runnerScaleSetName
	namePos   overlay.Pos
	nameKey   string // the key that sets it
	release   string // Helm release name
	relPos    overlay.Pos
	relKey    string
	namespace string
	labels    []string // shared labels it serves
	max       overlay.Int
	defMax    bool // max_runners unset: the core default applies
}

// deployedScaleSets lists a tfvars file's deployed scale sets: built-in lanes that are
// deployed, then extra runner sets in file order.
func deployedScaleSets(tv *overlay.Tfvars, shared labels.Set) []scaleSet {
	ns := strings.TrimSpace(tv.RunnerNamespace.Value)
	if ns == "" {
		ns = "arc-runners"
	}
	var out []scaleSet
	for _, l := range tv.Lanes {
		if !l.Deployed() {
			continue
		}
		s := scaleSet{file: tv.File, what: "the built-in " + l.Kind + " lane", namespace: ns,
			name: l.ScaleSetName.Value, namePos: l.ScaleSetName.Pos, nameKey: l.Kind + "_runner_scale_set_name",
			release: l.RunnerName.Value, relPos: l.RunnerName.Pos, relKey: l.Kind + "_runner_name",
			labels: []string{l.Label()}, max: l.MaxRunners, defMax: !l.MaxRunners.Set}
		if s.name == "" {
			s.name, s.namePos = l.Label(), lanePos(l, tv.File)
		}
		if s.release == "" {
			s.release, s.relPos = "gh-"+l.Kind, lanePos(l, tv.File)
		}
		out = append(out, s)
	}
	for _, rs := range tv.ExtraRunnerSets {
		k := setKey(rs)
		s := scaleSet{file: tv.File, what: k, namespace: ns,
			name: setScaleSetName(rs), namePos: posOr(rs.RunnerScaleSetName.Pos, rs.Pos, tv.File), nameKey: k + ".runner_scale_set_name",
			release: rs.Key.Value, relPos: posOr(rs.Key.Pos, rs.Pos, tv.File), relKey: "the extra_runner_sets key " + fmt.Sprintf("%q", rs.Key.Value),
			max: rs.MaxRunners, defMax: !rs.MaxRunners.Set}
		if !rs.RunnerScaleSetName.Set || rs.RunnerScaleSetName.Value == "" {
			s.namePos = posOr(rs.RunnerLabel.Pos, rs.Pos, tv.File)
		}
		seen := map[string]bool{}
		for _, l := range append([]string{rs.RunnerLabel.Value}, rs.RunnerLabels.Strings()...) {
			if shared[l] && !seen[l] {
				seen[l] = true
				s.labels = append(s.labels, l)
			}
		}
		out = append(out, s)
	}
	return out
}

// setScaleSetName is an extra set's runnerScaleSetName: runner_scale_set_name, else (as in
// the core module) its runner_label, else its key.
func setScaleSetName(rs overlay.RunnerSet) string {
	for _, v := range []string{rs.RunnerScaleSetName.Value, rs.RunnerLabel.Value, rs.Key.Value} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// checkDuplicates: within one tfvars (one runner namespace), deployed scale sets must not
// share a runnerScaleSetName or a Helm release name.
func (c *gateRun) checkDuplicates(tv *overlay.Tfvars) {
	sets := deployedScaleSets(tv, c.shared)
	firstName := map[string]int{}
	firstRel := map[string]int{}
	for i, s := range sets {
		if j, dup := firstName[s.name]; dup {
			p := sets[j]
			c.add(RuleScaleSetDuplicate, finding.Blocker, s.namePos,
				fmt.Sprintf("%s and %s (%s) both register the scale-set name %q in namespace %s", s.what, p.what, p.namePos, s.name, s.namespace),
				fmt.Sprintf("Give %s an owner-distinct name: set %s in %s (names are registration identity, not labels).", s.what, s.nameKey, tv.File))
		} else {
			firstName[s.name] = i
		}
		if j, dup := firstRel[s.release]; dup {
			p := sets[j]
			c.add(RuleScaleSetDuplicate, finding.Blocker, s.relPos,
				fmt.Sprintf("%s and %s (%s) both use the Helm release name %q in namespace %s", s.what, p.what, p.relPos, s.release, s.namespace),
				fmt.Sprintf("Rename %s in %s so each scale set has its own Helm release.", s.relKey, tv.File))
		} else {
			firstRel[s.release] = i
		}
	}
}
