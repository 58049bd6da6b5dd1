package taxonomy

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
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

const defaultOrgFile = deploy.DefaultOrgFile

// gateRun carries one overlay's evaluation.
type gateRun struct {
	o      *overlay.Overlay
	m      *deploy.Model
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
	for _, st := range c.m.Stacks {
		c.checkLaneLabels(st)
		c.checkRunnerSets(st)
		c.checkDuplicates(st)
		c.checkCapacity(st)
		c.checkCacheWiring(st)
		c.checkConsistency(st)
	}
	c.checkOrgCacheWiring()
	c.checkURLs()
	return r
}

func newGateRun(o *overlay.Overlay, opts Options, r *finding.Report) *gateRun {
	c := &gateRun{o: o, m: deploy.Of(o), opts: opts, r: r, org: o.Org, orgF: defaultOrgFile}
	if c.org == nil {
		c.org = &overlay.OrgConfig{File: defaultOrgFile}
	}
	if c.org.File != "" {
		c.orgF = c.org.File
	}
	c.list = labels.Shared(o)
	c.shared = labels.NewSet(c.list)
	c.id = identity(o, c.shared)
	c.ghes = ghurl.EnterpriseServerHost(c.org.Owner.GithubConfigURL.Value)
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
			c.add(RuleMintedLabel, finding.Blocker, finding.PosOr(v.Pos, sl.Pos, c.orgF),
				fmt.Sprintf("%s declares %q as a shared label, but it is minted: %s", key, v.Value, reason),
				fmt.Sprintf("Remove %q from %s in %s; shared labels are capability classes owned by the core (%s).", v.Value, key, c.orgF, strings.Join(labels.Core, ", ")))
			continue
		}
		if !labels.WellFormed(v.Value) {
			c.add(RuleMalformedLabel, finding.Blocker, finding.PosOr(v.Pos, sl.Pos, c.orgF),
				fmt.Sprintf("%s declares %q, which is not a capability label (tinyland-<nix|docker|dind>[-<capability>...])", key, v.Value),
				fmt.Sprintf("Remove or rename %q in %s of %s to a tinyland-<nix|docker|dind>[-<capability>] class the core provides.", v.Value, key, c.orgF))
		}
	}
}

// checkLabel judges one workflow-facing label value. key names what to edit.
func (c *gateRun) checkLabel(v deploy.Value, file, key string) {
	label := v.Value
	if c.shared[label] {
		return
	}
	pos := finding.PosOr(v.Pos, overlay.Pos{}, file)
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
func (c *gateRun) checkLaneLabels(st *deploy.Stack) {
	for _, s := range st.ScaleSets {
		if s.Lane == "" || c.shared[s.Label.Value] {
			continue
		}
		c.add(RuleUnknownLabel, finding.Blocker, s.Pos,
			fmt.Sprintf("the built-in %s lane is deployed and publishes %q, which runner_contract.shared_labels in %s does not list", s.Lane, s.Label.Value, c.orgF),
			fmt.Sprintf("Add %q to runner_contract.shared_labels in %s, or set deploy_%s_runner = false in %s.", s.Label.Value, c.orgF, s.Lane, st.File))
	}
}

// checkRunnerSets checks each extra runner set's labels, publication and runner type.
func (c *gateRun) checkRunnerSets(st *deploy.Stack) {
	for _, s := range st.ScaleSets {
		if s.Lane != "" {
			continue
		}
		key := s.What()
		label := s.Label.Value
		if label != "" {
			c.checkLabel(s.Label, st.File, key+".runner_label")
		}
		for _, v := range s.Published {
			if labels.IsGeneric(v.Value) || v.Value == label {
				continue
			}
			c.checkLabel(v, st.File, key+".runner_labels")
		}
		c.checkPublished(st, s)
		c.checkRunnerType(st, s)
	}
}

func (c *gateRun) checkPublished(st *deploy.Stack, s *deploy.ScaleSet) {
	key := s.What()
	label := s.Label.Value
	listed := false
	for _, v := range s.Published {
		if v.Value == label {
			listed = true
		}
	}
	switch {
	case label == "":
		c.add(RuleLabelNotPublished, finding.Blocker, s.Release.Pos,
			fmt.Sprintf("%s has no runner_label: its workflow label would be inferred from the scale-set name %q", key, s.Name.Value),
			fmt.Sprintf("Set %s.runner_label in %s to the shared capability label the set serves (%s) and list it in %s.runner_labels.", key, st.File, c.sharedHint(), key))
	case label == s.Name.Value && !listed:
		how := "runner_scale_set_name is " + fmt.Sprintf("%q", s.Name.Value)
		if s.Name.Defaulted {
			how = "runner_scale_set_name is unset, so the scale set is named after its label"
		}
		next := fmt.Sprintf("Add %q to %s.runner_labels in %s (and give the set an owner-distinct %s.runner_scale_set_name).", label, key, st.File, key)
		if !c.shared[label] {
			// The label is no shared class (its own finding says why): publishing it would
			// publish a label the gate blocks, so the fix is a shared label, listed.
			next = fmt.Sprintf("Set %s.runner_label in %s to the shared capability label the set serves (%s) and list that label in %s.runner_labels.", key, st.File, c.sharedHint(), key)
		}
		c.add(RuleLabelNotPublished, finding.Blocker, s.Label.Pos,
			fmt.Sprintf("%s publishes %q only through its scale-set name (%s): the label is inferred from the name, not published, and breaks once the name is made owner-distinct", key, label, how),
			next)
	}
}

// runnerTypes are the core's runner types; the default is nix.
var runnerTypes = map[string]bool{"nix": true, "docker": true, "dind": true}

func (c *gateRun) checkRunnerType(st *deploy.Stack, s *deploy.ScaleSet) {
	key := s.What()
	rt := s.RunnerType
	if !rt.Defaulted && !runnerTypes[strings.TrimSpace(rt.Value)] {
		c.add(RuleRunnerType, finding.Blocker, rt.Pos,
			fmt.Sprintf("%s.runner_type %q is not a core runner type (nix, docker, dind)", key, rt.Value),
			fmt.Sprintf("Set %s.runner_type in %s to nix, docker or dind, matching the label's class.", key, st.File))
		return
	}
	what := fmt.Sprintf("runner_type %q", rt.Value)
	if rt.Defaulted {
		what = fmt.Sprintf("runner_type (unset, so the core default %q)", rt.Value)
	}
	// runner_label, then any other capability label the set publishes in runner_labels.
	cands := []deploy.Value{s.Label}
	for _, v := range s.Published {
		if v.Value != s.Label.Value {
			cands = append(cands, v)
		}
	}
	for i, v := range cands {
		class := labelClass(v.Value)
		if class == "" || class == strings.TrimSpace(rt.Value) {
			continue // not a capability label (the label findings say so), or it matches
		}
		pos := v.Pos
		if i == 0 && !rt.Defaulted {
			pos = rt.Pos
		}
		c.add(RuleRunnerType, finding.Blocker, pos,
			fmt.Sprintf("%s serves %q on a %s runner: %s does not match the label's class %q", key, v.Value, rt.Value, what, class),
			fmt.Sprintf("Set %s.runner_type = %q in %s, or publish only %s-class labels from this set.", key, class, st.File, rt.Value))
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

func (c *gateRun) checkCapacity(st *deploy.Stack) {
	for _, s := range st.ScaleSets {
		c.bounds(st.File, s.MinRunners, s.MaxRunners, s.What())
	}
}

func (c *gateRun) bounds(file string, min, max deploy.Count, what string) {
	bad := false
	for _, b := range []deploy.Count{min, max} {
		if !b.Defaulted && b.Value < 0 {
			bad = true
			c.add(RuleCapacity, finding.Blocker, b.Pos,
				fmt.Sprintf("%s = %d is negative", b.Key, b.Value),
				fmt.Sprintf("Set %s in %s to 0 or more.", b.Key, file))
		}
	}
	if !bad && !min.Defaulted && !max.Defaulted && min.Value > max.Value {
		c.add(RuleCapacity, finding.Blocker, min.Pos,
			fmt.Sprintf("%s has %s = %d above %s = %d", what, min.Key, min.Value, max.Key, max.Value),
			fmt.Sprintf("Lower %s or raise %s in %s so that min_runners <= max_runners.", min.Key, max.Key, file))
	}
}
