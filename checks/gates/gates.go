// Package gates is the one list of the hermetic enrollment gates: each gate's name, help,
// rules, check and the flags they share. The gate commands of gfenroll and enrollcheck
// (check and one command per gate), the live preflight and the rule reference are all
// built from All, so a new gate is added here once and appears everywhere.
//
// A new rule of an existing gate goes into that gate's package (its Rules() list and its
// Check); a new gate is a package with the same shape plus one entry in All.
package gates

import (
	"context"
	"flag"

	"github.com/tinyland-inc/gf-enrollment/checks/admission"
	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/enrollment"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
	"github.com/tinyland-inc/gf-enrollment/checks/taxonomy"
	"github.com/tinyland-inc/gf-enrollment/checks/workflows"
)

// EnvExpectedCoreRef is the default of --expected-core-ref.
const EnvExpectedCoreRef = "GF_EXPECTED_CORE_REF"

// Flags are the options of every gate. Every command that runs gates accepts all of them,
// so one argument list (the Bazel macro's, a CI job's) works for check and for each gate.
type Flags struct {
	ExpectedCoreRef             string
	AllowRepoRegistrationAnchor bool
	Core                        bool
	ForbidGitHubHosted          bool
	// WorkflowPins judges core pins in workflows with the workflows gate instead of the
	// pins gate (hermetic commands only; the Bazel rules set it).
	WorkflowPins bool
	// ExpectWarnings are rule ids whose warnings are expected (--expect-warning).
	ExpectWarnings []string
}

// Register adds the gate flags to fs; getenv gives defaults from the environment. live is
// the preflight's variant: names in --expected-core-ref also resolve through GitHub, and
// --workflow-pins (a split for hermetic caching) does not exist.
func (f *Flags) Register(fs *flag.FlagSet, getenv func(string) string, live bool) {
	refHelp := "both core pins must resolve to this `REF`: a 40-hex commit, or a branch/tag resolved in $GF_CORE_PATH (default $" + EnvExpectedCoreRef + ")"
	if live {
		refHelp = "both core pins must resolve to this `REF`: a 40-hex commit, or a branch/tag resolved in $GF_CORE_PATH, else through GitHub (default $" + EnvExpectedCoreRef + ")"
	}
	fs.StringVar(&f.ExpectedCoreRef, "expected-core-ref", getenv(EnvExpectedCoreRef), refHelp)
	fs.BoolVar(&f.AllowRepoRegistrationAnchor, "allow-repo-registration-anchor", false,
		"a repo-scoped github_config_url is a warning, not a blocker (personal accounts; also enrollment.allow_repo_registration_anchor)")
	fs.BoolVar(&f.Core, "core", false, "the overlay is the core's own stack: a repo registration anchor is always a blocker")
	fs.BoolVar(&f.ForbidGitHubHosted, "forbid-github-hosted", false, "GitHub-hosted runs-on labels (ubuntu-latest, ...) are blockers")
	if !live {
		fs.BoolVar(&f.WorkflowPins, "workflow-pins", false,
			"judge core pins in workflows (pins/workflow-pin) with the workflows gate, not the pins gate, so each gate reads only its own files (the Bazel rules set it)")
	}
	fs.Var((*checker.Strings)(&f.ExpectWarnings), "expect-warning", "warnings of this `RULE` are expected: shown, never failing (repeatable; adds to enrollment.expected_warnings)")
}

// Context is what a gate may use beyond the overlay and the flags.
type Context struct {
	// Resolver resolves a named --expected-core-ref (nil: no route).
	Resolver coreref.Resolver
	// Live is set by the live preflight, whose Resolver already asks GitHub.
	Live bool
}

// Gate is one hermetic gate.
type Gate struct {
	Name string
	// Summary, Description and Examples are the help of the gate's own command.
	Summary     string
	Description string
	Examples    []string
	// NeedsTfvars: an overlay without ARC runner tfvars gives the gate nothing to judge,
	// which is unusable input rather than a pass.
	NeedsTfvars bool
	// Estate: with several overlays the gate also checks them against each other.
	Estate bool
	// Rules lists every rule the gate can emit (the rule reference).
	Rules func() []finding.Rule
	// Registered lists the rules a run with f registers up front, in report order.
	Registered func(f *Flags) []finding.Rule
	// Check evaluates one overlay.
	Check func(ctx context.Context, o *overlay.Overlay, f *Flags, c Context) *finding.Report
}

// All is every hermetic gate, in report order.
var All = []Gate{
	{
		Name:    "enrollment",
		Summary: "check that every file and key enrollment requires is present (not empty, null or a placeholder)",
		Description: `config/organization.yaml and at least one ARC runner tfvars must exist; the
registration URL, App secret name, cluster context, owner slug and ARC namespaces
must be set to real values (empty, null, TODO, CHANGEME, <...>, REPLACE_ME, xxx count
as missing); each stack deploys a scale set; a validation workflow runs on a shared
label. Everything missing is reported in one run, each with the content to write;
gfenroll init writes a skeleton that passes.`,
		Examples:   []string{"gfenroll enrollment --overlay-root .", "gfenroll enrollment --overlay-root . --format json"},
		Rules:      enrollment.Rules,
		Registered: func(*Flags) []finding.Rule { return enrollment.Rules() },
		Check: func(ctx context.Context, o *overlay.Overlay, _ *Flags, _ Context) *finding.Report {
			return enrollment.Check(ctx, o)
		},
	},
	{
		Name:    "pins",
		Summary: "check the core pin contract: organization.yaml and MODULE.bazel agree (and match --expected-core-ref)",
		Description: `core.pinned_commit in config/organization.yaml and the git_override commit of the
core module in MODULE.bazel must both be full 40-hex commits and agree. With
--expected-core-ref (or $GF_EXPECTED_CORE_REF) both must resolve to that ref: a 40-hex
ref is compared directly, a branch or tag is resolved in the core checkout named by
$GF_CORE_PATH; a name that cannot be resolved hermetically is a blocker.`,
		Examples: []string{"gfenroll pins --overlay-root .", "GF_CORE_PATH=../GloriousFlywheel gfenroll pins --overlay-root . --expected-core-ref main"},
		Rules:    pins.Rules,
		Registered: func(f *Flags) []finding.Rule {
			return without(pins.Rules(), f.WorkflowPins, pins.IsWorkflowRule)
		},
		Check: func(ctx context.Context, o *overlay.Overlay, f *Flags, c Context) *finding.Report {
			return pins.Check(ctx, o, pins.Options{ExpectedCoreRef: f.ExpectedCoreRef, Resolver: c.Resolver,
				Live: c.Live, SkipWorkflowPins: f.WorkflowPins})
		},
	},
	{
		Name:    "taxonomy",
		Summary: "check runner labels, scale sets and org/tfvars consistency (labels are capability classes)",
		Description: `Every workflow-facing label of the ARC runner tfvars must be a shared capability
class (tinyland-<nix|docker|dind>[-suffix]); labels minted from the owner, a
repository or a scale-set name are blockers. Scale-set names must be unique and the
label published explicitly; github_config_url must be owner-scoped (a repo anchor is
a warning only with --allow-repo-registration-anchor or a personal account); the
organization.yaml and tfvars must agree on URL, App secret, cluster and caches.`,
		Examples: []string{"gfenroll taxonomy --overlay-root . --tfvars tofu/stacks/arc-runners/tinyland.tfvars",
			"gfenroll taxonomy --overlay-root ../a --overlay-root ../b   # also scale-set collisions and capacity"},
		NeedsTfvars: true,
		Estate:      true,
		Rules:       taxonomy.Rules,
		// Estate rules are registered only when the estate check runs (several roots), so a
		// single-overlay JUnit report never lists them as passed.
		Registered: func(*Flags) []finding.Rule { return taxonomy.OverlayRules() },
		Check: func(ctx context.Context, o *overlay.Overlay, f *Flags, _ Context) *finding.Report {
			return taxonomy.Check(ctx, o, taxonomy.Options{AllowRepoRegistrationAnchor: f.AllowRepoRegistrationAnchor, Core: f.Core})
		},
	},
	{
		Name:    "workflows",
		Summary: "check workflow runs-on labels and the security of jobs on shared self-hosted runners",
		Description: `Every self-hosted runs-on label (string, list, {group, labels}, matrix expressions)
must be a shared capability label. On shared labels pull_request_target is a blocker,
and a job reachable from pull_request must be gated to push/workflow_dispatch/schedule
or be secret-free (no secrets.*, no environment:, read-only permissions).`,
		Examples: []string{"gfenroll workflows --overlay-root .", "gfenroll workflows --overlay-root . --forbid-github-hosted --format github"},
		Rules:    workflows.Rules,
		Registered: func(f *Flags) []finding.Rule {
			if f.WorkflowPins {
				return append(workflows.Rules(), pins.CheckWorkflowPins(nil).Rules...)
			}
			return workflows.Rules()
		},
		Check: func(ctx context.Context, o *overlay.Overlay, f *Flags, _ Context) *finding.Report {
			r := workflows.Check(ctx, o, workflows.Options{ForbidGitHubHosted: f.ForbidGitHubHosted})
			if f.WorkflowPins {
				r.Merge(pins.CheckWorkflowPins(o))
			}
			return r
		},
	},
	{
		Name:    "admission",
		Summary: "check runner-group admission: organization.yaml's runner group, the tfvars binding and workflow groups agree",
		Description: `Registration is not admission: GitHub runner groups decide which repositories reach
the scale sets. runner_contract.runner_group in config/organization.yaml must be
well-formed (name, visibility selected|all|private, allows_public_repositories,
restricted_to_workflows, numeric selected_repository_ids); the tfvars runner_group
(and each set's own) must name it, never GitHub's Default group under
runner_group_policy "organization-restricted"; the roster must be enforced
(visibility selected) and admit someone; workflows naming a group must name it.
Personal accounts have no runner groups.`,
		Examples:   []string{"gfenroll admission --overlay-root .", "gfenroll admission --overlay-root . --tfvars tofu/stacks/arc-runners/tinyland.tfvars"},
		Rules:      admission.Rules,
		Registered: func(*Flags) []finding.Rule { return admission.Rules() },
		Check: func(ctx context.Context, o *overlay.Overlay, _ *Flags, _ Context) *finding.Report {
			return admission.Check(ctx, o)
		},
	},
}

// Named returns the gates of All with the given names, in All's order.
func Named(names ...string) []Gate {
	var out []Gate
	for _, g := range All {
		for _, n := range names {
			if g.Name == n {
				out = append(out, g)
			}
		}
	}
	return out
}

// Rules lists every rule of every gate, in gate order.
func Rules() []finding.Rule {
	var out []finding.Rule
	for _, g := range All {
		out = append(out, g.Rules()...)
	}
	return out
}

// without returns rules less those drop selects, when cond holds.
func without(rules []finding.Rule, cond bool, drop func(id string) bool) []finding.Rule {
	if !cond {
		return rules
	}
	out := rules[:0:0]
	for _, r := range rules {
		if !drop(r.ID) {
			out = append(out, r)
		}
	}
	return out
}
