package taxonomy

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Options are the taxonomy gate flags.
type Options struct {
	// AllowRepoRegistrationAnchor (--allow-repo-registration-anchor) makes a repository-scoped
	// github_config_url a warning instead of a blocker.
	AllowRepoRegistrationAnchor bool
	// Core (--core) checks the core's own stack: repository anchors are always blockers.
	Core bool
}

const defaultOrgFile = "config/organization.yaml"

// gateRun carries one overlay's evaluation.
type gateRun struct {
	o      *overlay.Overlay
	opts   Options
	r      *finding.Report
	shared labels.Set
	list   []string // shared labels in declaration order, for messages
	id     labels.Identity
	org    *overlay.OrgConfig // never nil inside the checks (an empty config when absent)
	orgF   string
	ghes   string // accepted GitHub Enterprise Server host ("" = github.com only)
}

// Check evaluates the runner taxonomy of one overlay. The report has the per-overlay rules
// registered (OverlayRules) and findings appended; the caller merges, marks expected
// warnings and finalizes.
func Check(_ context.Context, o *overlay.Overlay, opts Options) *finding.Report {
	r := &finding.Report{}
	r.AddRules(overlayRules...)
	if o == nil {
		return r
	}
	c := newGateRun(o, opts, r)
	c.checkDeclaredShared()
	for _, tv := range o.Tfvars {
		if tv == nil {
			continue
		}
		c.checkLaneLabels(tv)
		c.checkRunnerSets(tv)
		c.checkDuplicates(tv)
		c.checkCapacity(tv)
		c.checkCacheWiring(tv)
		c.checkConsistency(tv)
	}
	c.checkOrgCacheWiring()
	c.checkURLs()
	return r
}

func newGateRun(o *overlay.Overlay, opts Options, r *finding.Report) *gateRun {
	c := &gateRun{o: o, opts: opts, r: r, org: o.Org, orgF: defaultOrgFile}
	if c.org == nil {
		c.org = &overlay.OrgConfig{File: defaultOrgFile}
	}
	if c.org.File != "" {
		c.orgF = c.org.File
	}
	c.list = labels.Shared(o)
	c.shared = labels.NewSet(c.list)
	c.id = identity(o, c.shared)
	if u, ok := parseConfigURL(c.org.Owner.GithubConfigURL.Value, ""); ok && u.scheme == "https" && u.host != "github.com" && u.host != "" {
		c.ghes = u.host
	}
	return c
}

// identity is what a minted label would carry; scale-set names that are shared labels are
// dropped (see labels.Identity.WithoutShared).
func identity(o *overlay.Overlay, shared labels.Set) labels.Identity {
	return labels.IdentityOf(o).WithoutShared(shared)
}

func (c *gateRun) add(rule string, sev finding.Severity, pos overlay.Pos, msg, next string) {
	c.r.Add(finding.Finding{Rule: rule, Severity: sev, Position: pos, Message: msg, NextAction: next})
}

// sharedHint lists the shared labels for next actions.
func (c *gateRun) sharedHint() string { return strings.Join(c.list, ", ") }

// checkDeclaredShared checks runner_contract.shared_labels itself: an overlay must not
// declare an identity-shaped label as "shared" to get it past the gate.
func (c *gateRun) checkDeclaredShared() {
	sl := c.org.SharedLabels
	if !sl.Set {
		return
	}
	for _, v := range sl.Values {
		key := "runner_contract.shared_labels"
		if reason := labels.MintedReason(v.Value, c.id); reason != "" {
			c.add(RuleMintedLabel, finding.Blocker, posOr(v.Pos, sl.Pos, c.orgF),
				fmt.Sprintf("%s declares %q as a shared label, but it is minted: %s", key, v.Value, reason),
				fmt.Sprintf("Remove %q from %s in %s; shared labels are capability classes owned by the core (%s).", v.Value, key, c.orgF, strings.Join(labels.Core, ", ")))
			continue
		}
		if !labels.WellFormed(v.Value) {
			c.add(RuleMalformedLabel, finding.Blocker, posOr(v.Pos, sl.Pos, c.orgF),
				fmt.Sprintf("%s declares %q, which is not a capability label (tinyland-<nix|docker|dind>[-<capability>...])", key, v.Value),
				fmt.Sprintf("Remove or rename %q in %s of %s to a tinyland-<nix|docker|dind>[-<capability>] class the core provides.", v.Value, key, c.orgF))
		}
	}
}

// checkLabel judges one workflow-facing label value. key names what to edit.
func (c *gateRun) checkLabel(v overlay.String, file, key string) {
	label := v.Value
	if c.shared[label] {
		return
	}
	pos := posOr(v.Pos, overlay.Pos{}, file)
	// An extra set's runner_label must also be listed in its runner_labels
	// (taxonomy/label-not-published), so the fix names both keys: changing only one would
	// trade this blocker for that one.
	also := ""
	if set, ok := strings.CutSuffix(key, ".runner_label"); ok {
		also = fmt.Sprintf(" List that label in %s.runner_labels too (replacing %q there if it is listed), so the set publishes it.", set, label)
	}
	if reason := labels.MintedReason(label, c.id); reason != "" {
		c.add(RuleMintedLabel, finding.Blocker, pos,
			fmt.Sprintf("%s %q is a minted label: %s", key, label, reason),
			fmt.Sprintf("Set %s in %s to the shared capability label this runner provides (%s); owner, repository and scale-set identity belongs in runner_scale_set_name and github_config_url, never in a workflow label.%s", key, file, c.sharedHint(), also))
		return
	}
	if !labels.WellFormed(label) {
		c.add(RuleMalformedLabel, finding.Blocker, pos,
			fmt.Sprintf("%s %q is not a capability label: labels follow tinyland-<nix|docker|dind>[-<capability>...] in lower case", key, label),
			fmt.Sprintf("Set %s in %s to one of the shared capability labels (%s).%s", key, file, c.sharedHint(), also))
		return
	}
	c.add(RuleUnknownLabel, finding.Blocker, pos,
		fmt.Sprintf("%s %q is not a shared capability label (shared: %s)", key, label, c.sharedHint()),
		fmt.Sprintf("Set %s in %s to one of the shared capability labels (%s); a new capability class is added to the core's shared labels first, never minted in an overlay.%s", key, file, c.sharedHint(), also))
}

// checkLaneLabels: a deployed built-in lane publishes tinyland-<kind>, which must be in the
// shared list (it always is with the core's six; an overlay's own shared_labels may omit it).
func (c *gateRun) checkLaneLabels(tv *overlay.Tfvars) {
	for _, l := range tv.Lanes {
		if !l.Deployed() || c.shared[l.Label()] {
			continue
		}
		pos := lanePos(l, tv.File)
		c.add(RuleUnknownLabel, finding.Blocker, pos,
			fmt.Sprintf("the built-in %s lane is deployed and publishes %q, which runner_contract.shared_labels in %s does not list", l.Kind, l.Label(), c.orgF),
			fmt.Sprintf("Add %q to runner_contract.shared_labels in %s, or set deploy_%s_runner = false in %s.", l.Label(), c.orgF, l.Kind, tv.File))
	}
}

func lanePos(l overlay.Lane, file string) overlay.Pos {
	// A defaulted name has no position of its own; point at whatever configures the lane.
	for _, p := range []overlay.Pos{l.Deploy.Pos, l.ScaleSetName.Pos, l.RunnerName.Pos, l.MaxRunners.Pos, l.MinRunners.Pos} {
		if p.IsValid() && p.Line > 0 {
			return p
		}
	}
	return overlay.Pos{File: file}
}

// checkRunnerSets checks each extra runner set's labels, publication and runner type.
func (c *gateRun) checkRunnerSets(tv *overlay.Tfvars) {
	for _, rs := range tv.ExtraRunnerSets {
		key := setKey(rs)
		label := strings.TrimSpace(rs.RunnerLabel.Value)
		if label != "" {
			c.checkLabel(rs.RunnerLabel, tv.File, key+".runner_label")
		}
		for _, v := range rs.RunnerLabels.Values {
			if labels.IsGeneric(v.Value) || v.Value == label {
				continue
			}
			c.checkLabel(v, tv.File, key+".runner_labels")
		}
		c.checkPublished(tv, rs, label)
		c.checkRunnerType(tv, rs, label)
	}
}

// setKey is how a finding names an extra runner set's keys: extra_runner_sets.<key>.
func setKey(rs overlay.RunnerSet) string { return "extra_runner_sets." + rs.Key.Value }

func (c *gateRun) checkPublished(tv *overlay.Tfvars, rs overlay.RunnerSet, label string) {
	key := setKey(rs)
	name := setScaleSetName(rs)
	listed := false
	for _, v := range rs.RunnerLabels.Values {
		if v.Value == label {
			listed = true
		}
	}
	switch {
	case label == "":
		c.add(RuleLabelNotPublished, finding.Blocker, posOr(rs.Key.Pos, rs.Pos, tv.File),
			fmt.Sprintf("%s has no runner_label: its workflow label would be inferred from the scale-set name %q", key, nameOr(rs.RunnerScaleSetName.Value, rs.Key.Value)),
			fmt.Sprintf("Set %s.runner_label in %s to the shared capability label the set serves (%s) and list it in %s.runner_labels.", key, tv.File, c.sharedHint(), key))
	case label == name && !listed:
		how := "runner_scale_set_name is " + fmt.Sprintf("%q", name)
		if !rs.RunnerScaleSetName.Set || rs.RunnerScaleSetName.Value == "" {
			how = "runner_scale_set_name is unset, so the scale set is named after its label"
		}
		next := fmt.Sprintf("Add %q to %s.runner_labels in %s (and give the set an owner-distinct %s.runner_scale_set_name).", label, key, tv.File, key)
		if !c.shared[label] {
			// The label is no shared class (its own finding says why): publishing it would
			// publish a label the gate blocks, so the fix is a shared label, listed.
			next = fmt.Sprintf("Set %s.runner_label in %s to the shared capability label the set serves (%s) and list that label in %s.runner_labels.", key, tv.File, c.sharedHint(), key)
		}
		c.add(RuleLabelNotPublished, finding.Blocker, posOr(rs.RunnerLabel.Pos, rs.Pos, tv.File),
			fmt.Sprintf("%s publishes %q only through its scale-set name (%s): the label is inferred from the name, not published, and breaks once the name is made owner-distinct", key, label, how),
			next)
	}
}

// runnerTypes are the core's runner types; the default is nix.
var runnerTypes = map[string]bool{"nix": true, "docker": true, "dind": true}

func (c *gateRun) checkRunnerType(tv *overlay.Tfvars, rs overlay.RunnerSet, label string) {
	key := setKey(rs)
	rt := strings.TrimSpace(rs.RunnerType.Value)
	if rs.RunnerType.Set && !runnerTypes[rt] {
		c.add(RuleRunnerType, finding.Blocker, posOr(rs.RunnerType.Pos, rs.Pos, tv.File),
			fmt.Sprintf("%s.runner_type %q is not a core runner type (nix, docker, dind)", key, rs.RunnerType.Value),
			fmt.Sprintf("Set %s.runner_type in %s to nix, docker or dind, matching the label's class.", key, tv.File))
		return
	}
	effective, defaulted := rt, false
	if effective == "" {
		effective, defaulted = "nix", true
	}
	what := fmt.Sprintf("runner_type %q", effective)
	if defaulted {
		what = "runner_type (unset, so the core default \"nix\")"
	}
	// runner_label, then any other capability label the set publishes in runner_labels.
	cands := []overlay.String{rs.RunnerLabel}
	for _, v := range rs.RunnerLabels.Values {
		if v.Value != label {
			cands = append(cands, v)
		}
	}
	for i, v := range cands {
		class := labelClass(v.Value)
		if class == "" || class == effective {
			continue // not a capability label (the label findings say so), or it matches
		}
		pos := posOr(v.Pos, rs.Pos, tv.File)
		if i == 0 && !defaulted {
			pos = posOr(rs.RunnerType.Pos, rs.Pos, tv.File)
		}
		c.add(RuleRunnerType, finding.Blocker, pos,
			fmt.Sprintf("%s serves %q on a %s runner: %s does not match the label's class %q", key, v.Value, effective, what, class),
			fmt.Sprintf("Set %s.runner_type = %q in %s, or publish only %s-class labels from this set.", key, class, tv.File, effective))
	}
}

// labelClass returns nix, docker or dind for a well-formed capability label.
func labelClass(label string) string {
	if !labels.WellFormed(label) {
		return ""
	}
	rest := strings.TrimPrefix(label, "tinyland-")
	class, _, _ := strings.Cut(rest, "-")
	return class
}

func (c *gateRun) checkCapacity(tv *overlay.Tfvars) {
	for _, l := range tv.Lanes {
		if !l.Deployed() {
			continue
		}
		c.bounds(tv.File, l.MinRunners, l.MaxRunners, l.Kind+"_min_runners", l.Kind+"_max_runners", "the built-in "+l.Kind+" lane")
	}
	for _, rs := range tv.ExtraRunnerSets {
		k := setKey(rs)
		c.bounds(tv.File, rs.MinRunners, rs.MaxRunners, k+".min_runners", k+".max_runners", k)
	}
}

func (c *gateRun) bounds(file string, min, max overlay.Int, minKey, maxKey, what string) {
	bad := false
	for _, b := range []struct {
		v   overlay.Int
		key string
	}{{min, minKey}, {max, maxKey}} {
		if b.v.Set && b.v.Value < 0 {
			bad = true
			c.add(RuleCapacity, finding.Blocker, posOr(b.v.Pos, overlay.Pos{}, file),
				fmt.Sprintf("%s = %d is negative", b.key, b.v.Value),
				fmt.Sprintf("Set %s in %s to 0 or more.", b.key, file))
		}
	}
	if !bad && min.Set && max.Set && min.Value > max.Value {
		c.add(RuleCapacity, finding.Blocker, posOr(min.Pos, overlay.Pos{}, file),
			fmt.Sprintf("%s has %s = %d above %s = %d", what, minKey, min.Value, maxKey, max.Value),
			fmt.Sprintf("Lower %s or raise %s in %s so that min_runners <= max_runners.", minKey, maxKey, file))
	}
}

// posOr returns p when it names a file, else fallback, else the file itself.
func posOr(p, fallback overlay.Pos, file string) overlay.Pos {
	if p.IsValid() {
		return p
	}
	if fallback.IsValid() {
		return fallback
	}
	return overlay.Pos{File: file}
}

func nameOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
