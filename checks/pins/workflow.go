package pins

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// pinEnvName matches env names that carry a core commit: GF_CORE_REF, CORE_REF,
// GF_EXPECTED_CORE_REF, GLORIOUS_FLYWHEEL_CORE_COMMIT, GF_CORE_SHA, GF_CORE_PINNED_COMMIT.
var pinEnvName = regexp.MustCompile(`(?i)(^|_)CORE(_PINNED)?_(REF|COMMIT|SHA)$`)

// workflowPin is one extra core pin found in a workflow.
type workflowPin struct {
	sha   string
	pos   overlay.Pos
	where string // human description: "env GF_CORE_REF of job deploy"
	key   string // what to edit: "jobs.deploy.env.GF_CORE_REF"
}

// checkWorkflows compares extra pin sources in workflows with the overlay's core pin.
func (c *gateRun) checkWorkflows() {
	ref := c.refPin()
	if ref == nil {
		return // no well-formed overlay pin to compare with; already a blocker
	}
	for _, wf := range c.o.Workflows {
		if wf == nil {
			continue
		}
		for _, wp := range c.workflowPins(wf) {
			if wp.sha == ref.sha {
				continue
			}
			c.r.Add(finding.Finding{
				Rule:     RuleWorkflowPin,
				Severity: finding.Warning,
				Position: wp.pos,
				Message: fmt.Sprintf("%s in %s pins the core at %s, but the overlay's core pin (%s) is %s",
					wp.where, wf.File, wp.sha, ref.what, ref.sha),
				NextAction: fmt.Sprintf("Set %s in %s to %s together with the pins, or, if this workflow deliberately runs another core authority commit (e.g. a deploy pinned for a state rehome), declare it expected: add %s to enrollment.expected_warnings in %s.",
					wp.key, wf.File, ref.sha, RuleWorkflowPin, c.orgFile()),
			})
		}
	}
}

// workflowPinsAt is the part of a pin-refresh next action that names the workflow pins of
// the core now at one of shas: gfenroll pin moves only the two pins, so a refresh that left
// these behind would trade the blocker for pins/workflow-pin warnings.
func (c *gateRun) workflowPinsAt(shas ...string) string {
	var keys []string
	for _, wf := range c.o.Workflows {
		if wf == nil {
			continue
		}
		for _, wp := range c.workflowPins(wf) {
			if slices.Contains(shas, wp.sha) {
				keys = append(keys, wp.key+" in "+wf.File)
			}
		}
	}
	if len(keys) == 0 {
		return ""
	}
	return " Move the workflow pins of the core with them (" + strings.Join(keys, ", ") + "), or declare " + RuleWorkflowPin + " expected where a workflow deliberately stays."
}

// workflowPins lists a workflow's literal 40-hex core pins, in file order of discovery
// (workflow env, then per job: env, uses, steps).
func (c *gateRun) workflowPins(wf *overlay.Workflow) []workflowPin {
	var out []workflowPin
	envPins := func(env map[string]overlay.String, where, keyPrefix string) {
		for _, k := range sortedKeys(env) {
			if !pinEnvName.MatchString(k) {
				continue
			}
			if sha, ok := coreref.NormalizeSHA(env[k].Value); ok {
				out = append(out, workflowPin{sha: sha, pos: env[k].Pos,
					where: fmt.Sprintf("env %s%s", k, where), key: keyPrefix + "env." + k})
			}
		}
	}
	envPins(wf.Env, "", "")
	for _, j := range wf.Jobs {
		if j == nil {
			continue
		}
		jobKey := "jobs." + j.ID.Value + "."
		envPins(j.Env, " of job "+j.ID.Value, jobKey)
		if sha, ok := c.coreUsesPin(j.Uses.Value); ok {
			out = append(out, workflowPin{sha: sha, pos: j.Uses.Pos,
				where: "reusable workflow " + j.Uses.Value + " of job " + j.ID.Value, key: jobKey + "uses"})
		}
		for i, s := range j.Steps {
			stepKey := fmt.Sprintf("%ssteps[%d].", jobKey, i)
			stepName := stepLabel(s, i)
			envPins(s.Env, fmt.Sprintf(" of step %s in job %s", stepName, j.ID.Value), stepKey)
			if sha, ok := c.coreUsesPin(s.Uses.Value); ok {
				out = append(out, workflowPin{sha: sha, pos: s.Uses.Pos,
					where: fmt.Sprintf("step %s (uses %s) in job %s", stepName, s.Uses.Value, j.ID.Value), key: stepKey + "uses"})
			}
			if isCheckout(s.Uses.Value) && c.repo != "" && SameRepository(s.With["repository"].Value, c.repo) {
				if sha, ok := coreref.NormalizeSHA(s.With["ref"].Value); ok {
					out = append(out, workflowPin{sha: sha, pos: s.With["ref"].Pos,
						where: fmt.Sprintf("actions/checkout of %s (step %s in job %s)", c.repo, stepName, j.ID.Value), key: stepKey + "with.ref"})
				}
			}
		}
	}
	return out
}

// coreUsesPin reads "<core owner>/<core name>[/path]@<40-hex>" (a core composite action
// or reusable workflow pinned by commit).
func (c *gateRun) coreUsesPin(uses string) (string, bool) {
	if c.repo == "" || uses == "" {
		return "", false
	}
	target, ref, ok := strings.Cut(strings.TrimSpace(uses), "@")
	if !ok {
		return "", false
	}
	parts := strings.SplitN(target, "/", 3)
	if len(parts) < 2 || !SameRepository(parts[0]+"/"+parts[1], c.repo) {
		return "", false
	}
	return coreref.NormalizeSHA(ref)
}

func isCheckout(uses string) bool {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(uses)), "@")
	return name == "actions/checkout"
}

func stepLabel(s overlay.Step, i int) string {
	if s.Name.Value != "" {
		return fmt.Sprintf("%q", s.Name.Value)
	}
	return fmt.Sprintf("#%d", i+1)
}

func sortedKeys(m map[string]overlay.String) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
