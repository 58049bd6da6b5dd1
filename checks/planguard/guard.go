package planguard

import (
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RuleDestroy           = "plan-guard/destroy"
	RuleAllowDestroyValue = "plan-guard/allow-destroy-value"
	RuleUnknownAction     = "plan-guard/unknown-action"
	RuleErrored           = "plan-guard/errored"
	RuleDeferred          = "plan-guard/deferred"
	RuleForget            = "plan-guard/forget"
	RuleMoved             = "plan-guard/moved"
	RuleImport            = "plan-guard/import"
	RuleNoDestroy         = "plan-guard/no-destroy"
)

// AllowEnv is the environment variable that opens a destructive maintenance window.
const AllowEnv = "ALLOW_ARC_DESTROY"

// Rules lists every rule the guard can emit, in a stable order.
func Rules() []finding.Rule {
	return finding.WithDocs([]finding.Rule{
		{ID: RuleDestroy, Summary: "The plan destroys or replaces a resource",
			Help: "Any planned delete, including delete-then-create and create-then-delete replacements, blocks apply until the state-rehome or teardown decision is recorded. ALLOW_ARC_DESTROY=1 (exactly) turns each into a warning for an intended maintenance window."},
		{ID: RuleAllowDestroyValue, Summary: "ALLOW_ARC_DESTROY is set to something other than exactly 1",
			Help: "Only the exact value 1 allows destroys; true, yes or a value with spaces keeps them blocked so a typo never opens a maintenance window."},
		{ID: RuleUnknownAction, Summary: "The plan uses an action this guard does not know",
			Help: "The guard cannot tell whether an unknown action destroys anything, so it blocks; review the plan by hand or upgrade gfenroll."},
		{ID: RuleErrored, Summary: "Planning failed",
			Help: "A plan marked errored is partial and cannot be applied."},
		{ID: RuleDeferred, Summary: "Changes are deferred to a later plan",
			Help: "Deferred changes are planned again after this apply; run the guard on that next plan too."},
		{ID: RuleForget, Summary: "A resource leaves state without being destroyed",
			Help: "forget (a removed block with destroy = false) drops the object from state and leaves it running; it is not a destroy."},
		{ID: RuleMoved, Summary: "A resource moves to a new address",
			Help: "previous_address is set: a moved block (or state rehome) keeps the object; it is not a destroy."},
		{ID: RuleImport, Summary: "A resource is imported into state",
			Help: "An import adopts an existing object; it is not a destroy."},
		{ID: RuleNoDestroy, Summary: "The plan destroys nothing"},
	}, ruleDocs)
}

// Options is the guard's configuration.
type Options struct {
	// AllowDestroy is the value of ALLOW_ARC_DESTROY; AllowDestroySet is false when the
	// variable is unset.
	AllowDestroy    string
	AllowDestroySet bool
}

// OptionsFromEnv reads ALLOW_ARC_DESTROY through lookup (os.LookupEnv in production).
func OptionsFromEnv(lookup func(string) (string, bool)) Options {
	v, ok := lookup(AllowEnv)
	return Options{AllowDestroy: v, AllowDestroySet: ok}
}

// DestroyAllowed reports whether the environment opens the maintenance window: the value
// must be exactly "1", so `true`, `yes`, ` 1` and `1 ` never do.
func (o Options) DestroyAllowed() bool { return o.AllowDestroySet && o.AllowDestroy == "1" }

// Next actions, shared by every finding of a kind so the operator's queue lists each once.
const (
	nextBlocked = "Do not apply. Record the state-rehome or teardown decision for each destroyed resource " +
		"(or avoid the destroy, e.g. with a moved block), then re-plan; an intended destructive maintenance " +
		"window re-runs with ALLOW_ARC_DESTROY=1 just arc-apply."
	nextAllowed = "Confirm every destroy listed is part of the recorded maintenance decision before apply " +
		"continues, and unset ALLOW_ARC_DESTROY when the window closes."
	nextAllowValue = "Set ALLOW_ARC_DESTROY=1 exactly (no quotes, spaces or other words) if the destroy is " +
		"intended, or unset it."
	nextUnknown = "Review this change by hand with tofu show; upgrade gfenroll if the action is new in your OpenTofu/Terraform."
	nextErrored = "Fix the errors tofu plan reported, plan again, and run the guard on the new plan."
)

// Check evaluates the plan. The report has Rules() registered and findings appended.
func Check(p *Plan, opts Options) *finding.Report {
	r := &finding.Report{}
	r.AddRules(Rules()...)
	allowed := opts.DestroyAllowed()

	file := finding.Position{File: p.File}
	if p.Errored {
		r.Add(finding.Finding{Rule: RuleErrored, Severity: finding.Blocker, Position: file,
			Message:    "planning failed (errored: true); this plan is partial and cannot be applied",
			NextAction: nextErrored})
	}

	var counts actionCounts
	deletes := 0
	judge := func(c Change, deferred string) {
		counts.add(c)
		if unknown := c.UnknownActions(); len(unknown) > 0 {
			r.Add(finding.Finding{Rule: RuleUnknownAction, Severity: finding.Blocker, Position: c.Pos,
				Message: fmt.Sprintf("%s has action %s that this guard does not know, so it cannot rule out a destroy%s",
					c.Address, quoteList(unknown), deferred),
				NextAction: nextUnknown})
		}
		switch {
		case c.Deletes():
			deletes++
			f := finding.Finding{Rule: RuleDestroy, Severity: finding.Blocker, Position: c.Pos,
				Message: describeDestroy(c) + deferred, NextAction: nextBlocked}
			if allowed {
				f.Severity = finding.Warning
				f.Message = "DESTROY ALLOWED by ALLOW_ARC_DESTROY=1: " + f.Message
				f.NextAction = nextAllowed
			}
			r.Add(f)
		case c.Forgets():
			r.Add(finding.Finding{Rule: RuleForget, Severity: finding.Info, Position: c.Pos,
				Message: describeForget(c) + deferred})
		}
		if c.PreviousAddress != "" && c.PreviousAddress != c.Address && !c.Deletes() {
			r.Add(finding.Finding{Rule: RuleMoved, Severity: finding.Info, Position: c.Pos,
				Message: fmt.Sprintf("%s moves from %s (%s)%s", c.Address, c.PreviousAddress, strings.Join(c.Actions, ", "), deferred)})
		}
		if c.Importing && !c.Deletes() {
			msg := c.Address + " will be imported"
			if c.ImportID != "" {
				msg += fmt.Sprintf(" from existing object %q", c.ImportID)
			}
			r.Add(finding.Finding{Rule: RuleImport, Severity: finding.Info, Position: c.Pos, Message: msg + deferred})
		}
	}
	for _, c := range p.Changes {
		judge(c, "")
	}
	for _, d := range p.Deferred {
		reason := d.Reason
		if reason == "" {
			reason = "no reason given"
		}
		r.Add(finding.Finding{Rule: RuleDeferred, Severity: finding.Info, Position: d.Change.Pos,
			Message: fmt.Sprintf("%s is deferred (%s): proposed %s, planned for real in a later round; run the guard on that plan too",
				d.Change.Address, reason, strings.Join(d.Change.Actions, ", "))})
		// A deferred delete is judged like a planned one: it is what the next round intends.
		judge(d.Change, " (deferred change)")
	}
	if p.Complete != nil && !*p.Complete && len(p.Deferred) == 0 {
		r.Add(finding.Finding{Rule: RuleDeferred, Severity: finding.Info, Position: file,
			Message: "the plan is incomplete (complete: false): after this apply, plan again and run the guard on the new plan"})
	}

	if opts.AllowDestroySet && !allowed && opts.AllowDestroy != "" && opts.AllowDestroy != "0" {
		sev := finding.Info
		if deletes > 0 {
			sev = finding.Warning
		}
		r.Add(finding.Finding{Rule: RuleAllowDestroyValue, Severity: sev,
			Message:    fmt.Sprintf("%s=%q is not exactly \"1\"%s, so destroys stay blocked", AllowEnv, opts.AllowDestroy, whyNotOne(opts.AllowDestroy)),
			NextAction: nextAllowValue})
	}

	if deletes == 0 && !p.Errored {
		r.Add(finding.Finding{Rule: RuleNoDestroy, Severity: finding.OK, Position: file,
			Message: "no resource is destroyed or replaced: " + counts.String()})
	}
	return r
}

// whyNotOne explains the common near misses.
func whyNotOne(v string) string {
	switch t := strings.TrimSpace(v); {
	case t == "1":
		return " (it has surrounding whitespace)"
	case strings.EqualFold(t, "true") || strings.EqualFold(t, "yes") || strings.EqualFold(t, "on") || strings.EqualFold(t, "y"):
		return " (only the digit 1 counts, not a word)"
	}
	return ""
}

// describeDestroy says what happens to the object, in the order the tool will do it.
func describeDestroy(c Change) string {
	var what string
	subject := c.Address
	if c.Deposed != "" {
		subject = fmt.Sprintf("deposed object %s of %s", c.Deposed, c.Address)
	}
	switch strings.Join(c.Actions, ",") {
	case "delete":
		what = subject + " will be DESTROYED"
	case "delete,create":
		what = subject + " will be REPLACED: destroyed first, then re-created"
	case "create,delete":
		what = subject + " will be REPLACED: a new object is created, then the old one DESTROYED"
	default:
		what = fmt.Sprintf("%s will be DESTROYED (actions: %s)", subject, strings.Join(c.Actions, ", "))
	}
	var why []string
	if c.ActionReason != "" {
		why = append(why, c.ActionReason)
	}
	if len(c.ReplacePaths) > 0 {
		why = append(why, "forced by "+strings.Join(c.ReplacePaths, ", "))
	}
	if c.PreviousAddress != "" && c.PreviousAddress != c.Address {
		why = append(why, "moved from "+c.PreviousAddress)
	}
	if len(why) > 0 {
		what += " (" + strings.Join(why, "; ") + ")"
	}
	return what
}

func describeForget(c Change) string {
	if hasAction(c.Actions, ActionCreate) {
		return c.Address + " will be replaced, but the old object is left running and only removed from state (forget, not a destroy)"
	}
	return c.Address + " will be removed from state and left running (forget, not a destroy)"
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// actionCounts is the one-line summary of a plan without destroys.
type actionCounts map[string]int

func (a *actionCounts) add(c Change) {
	if *a == nil {
		*a = actionCounts{}
	}
	switch {
	case c.Deletes():
		(*a)["destroy"]++
	case c.Forgets():
		(*a)["forget"]++
	case hasAction(c.Actions, ActionCreate):
		(*a)["create"]++
	case hasAction(c.Actions, ActionUpdate):
		(*a)["update"]++
	case hasAction(c.Actions, ActionRead):
		(*a)["read"]++
	default:
		(*a)["unchanged"]++
	}
	if c.PreviousAddress != "" && c.PreviousAddress != c.Address {
		(*a)["move"]++
	}
	if c.Importing {
		(*a)["import"]++
	}
}

func (a actionCounts) String() string {
	order := []string{"create", "update", "import", "move", "forget", "read", "unchanged"}
	var parts []string
	for _, k := range order {
		if n := a[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(parts) == 0 {
		return "the plan has no resource changes"
	}
	return strings.Join(parts, ", ")
}
