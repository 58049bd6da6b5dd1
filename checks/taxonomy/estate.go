package taxonomy

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// estateMember is one overlay of a cluster with its deployed scale sets.
type estateMember struct {
	root   string
	sets   []*deploy.ScaleSet
	shared labels.Set
}

// CheckEstate checks several overlays together: overlays that target one cluster (by
// substrate.cluster.name, falling back to the tfvars cluster_context) must not deploy the
// same scale-set or Helm release name into the same runner namespace, and a table per
// cluster shows each shared label's summed max_runners across overlays, since each
// max_runners is a local cap, not a global one. Positions are prefixed with each overlay's
// root as given, so findings of different overlays can be told apart.
func CheckEstate(overlays []*overlay.Overlay) *finding.Report {
	r := &finding.Report{}
	r.AddRules(estateRules...)

	clusters := map[string][]estateMember{}
	seenRoot := map[string]bool{}
	for _, o := range overlays {
		if o == nil || seenRoot[o.Root] {
			continue
		}
		seenRoot[o.Root] = true
		root := rootLabel(o.Root)
		m := deploy.Of(o)
		cluster := strings.TrimSpace(m.Cluster.Value)
		if cluster == "" {
			file := defaultOrgFile
			if o.Org != nil && o.Org.File != "" {
				file = o.Org.File
			}
			r.Add(finding.Finding{Rule: RuleEstateSharedCapacity, Severity: finding.Info,
				Position: prefixed(root, overlay.Pos{File: file}),
				Message:  fmt.Sprintf("overlay %s names no cluster (substrate.cluster.name in %s or cluster_context in its tfvars), so it is left out of the per-cluster estate check", root, file)})
			continue
		}
		member := estateMember{root: root, shared: labels.NewSet(labels.Shared(o))}
		for _, st := range m.Stacks {
			member.sets = append(member.sets, st.ScaleSets...)
		}
		clusters[cluster] = append(clusters[cluster], member)
	}

	names := make([]string, 0, len(clusters))
	for n := range clusters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, cluster := range names {
		members := clusters[cluster]
		estateCollisions(r, cluster, members)
		estateCapacity(r, cluster, members)
	}
	return r
}

// rootLabel is the overlay root as given, in slash form without a trailing slash.
func rootLabel(root string) string {
	if root == "" {
		return "."
	}
	return path.Clean(filepath.ToSlash(root))
}

func prefixed(root string, p overlay.Pos) overlay.Pos {
	if p.File == "" {
		return p
	}
	p.File = path.Join(root, p.File)
	return p
}

// estateCollisions reports identities deployed by two different overlays into one
// namespace of one cluster. Duplicates inside one overlay are Check's business.
func estateCollisions(r *finding.Report, cluster string, members []estateMember) {
	type owner struct {
		m *estateMember
		s *deploy.ScaleSet
	}
	for _, kind := range []struct {
		what  string
		id    func(s *deploy.ScaleSet) deploy.Value
		label string
	}{
		{"scale-set name", func(s *deploy.ScaleSet) deploy.Value { return s.Name }, "runnerScaleSetName"},
		{"Helm release name", func(s *deploy.ScaleSet) deploy.Value { return s.Release }, "Helm release"},
	} {
		first := map[string]owner{}
		for i := range members {
			m := &members[i]
			for _, s := range m.sets {
				ns := s.Namespace().Value
				k := ns + "\x00" + kind.id(s).Value
				prev, dup := first[k]
				if !dup {
					first[k] = owner{m, s}
					continue
				}
				if prev.m == m {
					continue
				}
				r.Add(finding.Finding{
					Rule:     RuleEstateCollision,
					Severity: finding.Blocker,
					Position: prefixed(m.root, kind.id(s).Pos),
					Message: fmt.Sprintf("%s %q in namespace %s on cluster %s is used by both overlay %s (%s, %s) and overlay %s (%s, %s)",
						kind.what, kind.id(s).Value, ns, cluster,
						prev.m.root, prev.s.What(), prefixed(prev.m.root, kind.id(prev.s).Pos),
						m.root, s.What(), prefixed(m.root, kind.id(s).Pos)),
					NextAction: fmt.Sprintf("Make the %s owner-distinct: change %s in %s or %s in %s (e.g. prefix it with the owner); workflow labels stay unchanged.",
						kind.label, kind.id(prev.s).Key, path.Join(prev.m.root, prev.s.Stack.File), kind.id(s).Key, path.Join(m.root, s.Stack.File)),
				})
			}
		}
	}
}

// contribution is one scale set serving a label.
type contribution struct {
	root string
	set  *deploy.ScaleSet
}

// estateCapacity adds the per-cluster table and an info finding for every shared label
// served by more than one overlay.
func estateCapacity(r *finding.Report, cluster string, members []estateMember) {
	byLabel := map[string][]contribution{}
	for i := range members {
		m := &members[i]
		for _, s := range m.sets {
			for _, l := range s.Labels() {
				if m.shared[l] {
					byLabel[l] = append(byLabel[l], contribution{m.root, s})
				}
			}
		}
	}
	ls := make([]string, 0, len(byLabel))
	for l := range byLabel {
		ls = append(ls, l)
	}
	sort.Strings(ls)

	t := finding.Table{
		Title:   fmt.Sprintf("Cluster %s: shared label capacity (each max_runners is a local cap, not a global cap)", cluster),
		Columns: []string{"label", "overlays", "scale sets (max_runners)", "summed max_runners"},
	}
	for _, l := range ls {
		cs := byLabel[l]
		roots := map[string]bool{}
		var sets []string
		var sum int64
		unset := 0
		for _, c := range cs {
			roots[c.root] = true
			max := "core default"
			if c.set.MaxRunners.Defaulted {
				unset++
			} else {
				sum += c.set.MaxRunners.Value
				max = strconv.FormatInt(c.set.MaxRunners.Value, 10)
			}
			sets = append(sets, fmt.Sprintf("%s: %s (%s)", c.root, c.set.Name.Value, max))
		}
		total := strconv.FormatInt(sum, 10)
		switch {
		case unset > 0 && unset == len(cs):
			total = fmt.Sprintf("%d set(s) at the core default", unset)
		case unset > 0:
			total += fmt.Sprintf(" + %d set(s) at the core default", unset)
		}
		t.Rows = append(t.Rows, []string{l, strconv.Itoa(len(roots)), strings.Join(sets, "; "), total})
		if len(roots) > 1 {
			r.Add(finding.Finding{
				Rule:     RuleEstateSharedCapacity,
				Severity: finding.Info,
				Position: prefixed(cs[0].root, cs[0].set.Name.Pos),
				Message: fmt.Sprintf("shared label %s on cluster %s is served by %d overlays (%s); their max_runners sum to %s. Each max_runners is a local cap for one overlay's scale set, not a global cap for the label: when jobs arrive together, Kubernetes scheduling is the only global backpressure",
					l, cluster, len(roots), abbreviate(sets, maxListed), total),
			})
		}
	}
	r.Tables = append(r.Tables, t)
}

// maxListed bounds the scale sets named in one message; the table lists them all.
const maxListed = 6

// abbreviate joins xs, naming at most max of them, so a large estate keeps one-line messages.
func abbreviate(xs []string, max int) string {
	if len(xs) <= max {
		return strings.Join(xs, "; ")
	}
	return fmt.Sprintf("%s; and %d more in the capacity table", strings.Join(xs[:max], "; "), len(xs)-max)
}
