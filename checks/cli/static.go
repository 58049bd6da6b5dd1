package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
	"github.com/tinyland-inc/gf-enrollment/checks/taxonomy"
	"github.com/tinyland-inc/gf-enrollment/checks/workflows"
)

// EnvExpectedCoreRef is the default of --expected-core-ref.
const EnvExpectedCoreRef = "GF_EXPECTED_CORE_REF"

// GroupHermetic is the help group of the static gate commands.
const GroupHermetic = "Hermetic gates (no network; what the Bazel tests run)"

// gateFlags are the flags every hermetic gate command accepts, so one argument list (the
// Bazel macro's, a CI job's) works for check and for each single gate.
type gateFlags struct {
	overlays        OverlayFlags
	expectedCoreRef string
	allowAnchor     bool
	core            bool
	forbidHosted    bool
	workflowPins    bool
	expectWarnings  stringList
	report          checker.Config
}

func (g *gateFlags) register(fs *flag.FlagSet, env *Env) {
	g.overlays.Register(fs)
	fs.StringVar(&g.expectedCoreRef, "expected-core-ref", env.Getenv(EnvExpectedCoreRef),
		"both core pins must resolve to this `REF`: a 40-hex commit, or a branch/tag resolved in $GF_CORE_PATH (default $"+EnvExpectedCoreRef+")")
	fs.BoolVar(&g.allowAnchor, "allow-repo-registration-anchor", false,
		"a repo-scoped github_config_url is a warning, not a blocker (personal accounts; also enrollment.allow_repo_registration_anchor)")
	fs.BoolVar(&g.core, "core", false, "the overlay is the core's own stack: a repo registration anchor is always a blocker")
	fs.BoolVar(&g.forbidHosted, "forbid-github-hosted", false, "GitHub-hosted runs-on labels (ubuntu-latest, ...) are blockers")
	fs.BoolVar(&g.workflowPins, "workflow-pins", false,
		"judge the core references in workflows (pins/workflow-*) with the workflows gate, not the pins gate, so each gate reads only its own files (the Bazel rules set it)")
	fs.Var(&g.expectWarnings, "expect-warning", "warnings of this `RULE` are expected: shown, never failing (repeatable; adds to enrollment.expected_warnings)")
	g.report.RegisterFlags(fs)
}

// gate is one hermetic gate as the CLI runs it.
type gate struct {
	name        string
	needsTfvars bool
	rules       func(g *gateFlags) []finding.Rule // registered up front, in gate order
	check       func(ctx context.Context, env *Env, o *overlay.Overlay, g *gateFlags) *finding.Report
}

var gates = []gate{
	{
		name: "pins",
		rules: func(g *gateFlags) []finding.Rule {
			return without(pins.Rules(), g.workflowPins, pins.IsWorkflowRule)
		},
		check: func(ctx context.Context, env *Env, o *overlay.Overlay, g *gateFlags) *finding.Report {
			return pins.Check(ctx, o, pins.Options{ExpectedCoreRef: g.expectedCoreRef, Resolver: coreref.FromEnv(env.Getenv),
				SkipWorkflowPins: g.workflowPins})
		},
	},
	{
		name:        "taxonomy",
		needsTfvars: true,
		// Estate rules are registered only when the estate check runs (several roots), so a
		// single-overlay JUnit report never lists them as passed.
		rules: func(*gateFlags) []finding.Rule { return taxonomy.OverlayRules() },
		check: func(ctx context.Context, _ *Env, o *overlay.Overlay, g *gateFlags) *finding.Report {
			return taxonomy.Check(ctx, o, taxonomy.Options{AllowRepoRegistrationAnchor: g.allowAnchor, Core: g.core})
		},
	},
	{
		name: "workflows",
		rules: func(g *gateFlags) []finding.Rule {
			if g.workflowPins {
				return append(workflows.Rules(), pins.CheckWorkflowPins(nil).Rules...)
			}
			return workflows.Rules()
		},
		check: func(ctx context.Context, _ *Env, o *overlay.Overlay, g *gateFlags) *finding.Report {
			r := workflows.Check(ctx, o, workflows.Options{ForbidGitHubHosted: g.forbidHosted})
			if g.workflowPins {
				r.Merge(pins.CheckWorkflowPins(o))
			}
			return r
		},
	},
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

func gatesNamed(names ...string) []gate {
	var out []gate
	for _, g := range gates {
		for _, n := range names {
			if g.name == n {
				out = append(out, g)
			}
		}
	}
	return out
}

const commonExamplesNote = "\nSeveral formats in one run: --format text --output json=report.json --output sarif=report.sarif"

// StaticCommands returns the hermetic gate commands: check (every gate) and one command
// per gate. Both binaries register them.
func StaticCommands() []*Command {
	cmds := []*Command{{
		Name:    "check",
		Group:   GroupHermetic,
		Summary: "run every hermetic gate (pins, taxonomy, workflows) on one or more overlays",
		Usage:   "check --overlay-root DIR [--overlay-root DIR2 ...] [flags]",
		Description: `Loads config/organization.yaml, MODULE.bazel, the ARC runner tfvars and
.github/workflows of each overlay and runs the pins, taxonomy and workflows gates.
With several --overlay-root values each overlay is checked, and then all of them
together: scale-set names colliding on one cluster are blockers, and a table shows
each shared label's summed max_runners per cluster (a local cap is not a global cap).

Positions are relative to the overlay root (prefixed with the root when several
overlays are checked). Warnings listed in the overlay's enrollment.expected_warnings
or with --expect-warning are shown as expected and never fail.
` + commonExamplesNote,
		Examples: []string{
			"gfenroll check --overlay-root e2e/overlays/tinyland-org",
			"gfenroll check --overlay-root . --expected-core-ref main --output sarif=enrollment.sarif",
			"gfenroll check --overlay-root ../tinyland-infra --overlay-root ../jesssullivan-infra",
			"GF_CORE_PATH=../GloriousFlywheel gfenroll check --overlay-root . --expected-core-ref v1.4.0 --format github",
		},
		Bind: gateCommand("check", gates, true),
	}}
	for _, spec := range []struct {
		name, summary, description string
		examples                   []string
	}{
		{"pins", "check the core pin contract: organization.yaml and MODULE.bazel agree (and match --expected-core-ref)",
			`core.pinned_commit in config/organization.yaml and the git_override commit of the
core module in MODULE.bazel must both be full 40-hex commits and agree. With
--expected-core-ref (or $GF_EXPECTED_CORE_REF) both must resolve to that ref: a 40-hex
ref is compared directly, a branch or tag is resolved in the core checkout named by
$GF_CORE_PATH; a name that cannot be resolved hermetically is a blocker.`,
			[]string{"gfenroll pins --overlay-root .", "GF_CORE_PATH=../GloriousFlywheel gfenroll pins --overlay-root . --expected-core-ref main"}},
		{"taxonomy", "check runner labels, scale sets and org/tfvars consistency (labels are capability classes)",
			`Every workflow-facing label of the ARC runner tfvars must be a shared capability
class (tinyland-<nix|docker|dind>[-suffix]); labels minted from the owner, a
repository or a scale-set name are blockers. Scale-set names must be unique and the
label published explicitly; github_config_url must be owner-scoped (a repo anchor is
a warning only with --allow-repo-registration-anchor or a personal account); the
organization.yaml and tfvars must agree on URL, App secret, cluster and caches.`,
			[]string{"gfenroll taxonomy --overlay-root . --tfvars tofu/stacks/arc-runners/tinyland.tfvars",
				"gfenroll taxonomy --overlay-root ../a --overlay-root ../b   # also scale-set collisions and capacity"}},
		{"workflows", "check workflow runs-on labels and the security of jobs on shared self-hosted runners",
			`Every self-hosted runs-on label (string, list, {group, labels}, matrix expressions)
must be a shared capability label. On shared labels pull_request_target is a blocker,
and a job reachable from pull_request must be gated to push/workflow_dispatch/schedule
or be secret-free (no secrets.*, no environment:, read-only permissions).`,
			[]string{"gfenroll workflows --overlay-root .", "gfenroll workflows --overlay-root . --forbid-github-hosted --format github"}},
	} {
		cmds = append(cmds, &Command{
			Name:        spec.name,
			Group:       GroupHermetic,
			Summary:     spec.summary,
			Usage:       spec.name + " --overlay-root DIR [flags]",
			Description: spec.description + "\n\nTakes the same flags as check, so one argument list serves every gate." + commonExamplesNote,
			Examples:    spec.examples,
			Bind:        gateCommand(spec.name, gatesNamed(spec.name), spec.name == "taxonomy"),
		})
	}
	return cmds
}

// gateCommand binds the shared flags and returns a runner for the given gates. estate
// turns on the multi-overlay check when several roots are given.
func gateCommand(name string, selected []gate, estate bool) func(*flag.FlagSet, *Env) RunFunc {
	return func(fs *flag.FlagSet, env *Env) RunFunc {
		g := &gateFlags{}
		g.register(fs, env)
		return func(ctx context.Context, env *Env, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(env.Stderr, "%s %s: unexpected argument %q (flags only; run %s %s --help)\n", env.Prog, name, args[0], env.Prog, name)
				return checker.ExitInput
			}
			g.report.Name = name
			g.report.Version = env.Version
			g.report.Getenv = env.Getenv
			return runGates(ctx, env, g, selected, estate)
		}
	}
}

func runGates(ctx context.Context, env *Env, g *gateFlags, selected []gate, estate bool) int {
	overlays, ok := g.overlays.Load(env)
	if !ok {
		return checker.ExitInput
	}
	for _, gt := range selected {
		if gt.needsTfvars && !RequireTfvars(env, overlays) {
			return checker.ExitInput
		}
	}

	rep := &finding.Report{Tool: env.Prog}
	ran := map[string]bool{}
	for _, gt := range selected {
		rep.AddRules(gt.rules(g)...)
		ran[gt.name] = true
	}
	multi := len(overlays) > 1
	for _, o := range overlays {
		or := &finding.Report{}
		for _, gt := range selected {
			or.Merge(gt.check(ctx, env, o, g))
		}
		declared := declaredExpectedWarnings(o)
		unmatched := or.MarkExpected(append(append([]string(nil), g.expectWarnings...), declared...))
		staleNotes(env, o, declared, unmatched, ran, multi)
		if multi {
			PrefixPositions(or, o.Root)
		}
		rep.Merge(or)
	}
	if estate && multi {
		// Estate findings belong to no single overlay, so only --expect-warning applies.
		est := taxonomy.CheckEstate(overlays)
		est.MarkExpected(g.expectWarnings)
		rep.Merge(est)
	}
	for _, id := range g.expectWarnings {
		if ran[finding.Gate(id)] && !markedExpected(rep, id) {
			fmt.Fprintf(env.Stderr, "%s: note: --expect-warning %s matched no warning\n", env.Prog, id)
		}
	}

	if err := g.report.Emit(env.Stdout, rep); err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", env.Prog, err)
		return checker.ExitInput
	}
	return checker.ExitCode(rep, g.report.FailOnWarning)
}

// declaredExpectedWarnings are the rule ids the overlay's enrollment.expected_warnings lists.
func declaredExpectedWarnings(o *overlay.Overlay) []string {
	if o.Org == nil {
		return nil
	}
	return o.Org.Enrollment.ExpectedWarnings.Strings()
}

// staleNotes tells the operator about expectations the overlay declares that no longer
// match a warning of a gate that ran: a stale entry would silently hide a future warning.
func staleNotes(env *Env, o *overlay.Overlay, declared, unmatched []string, ran map[string]bool, multi bool) {
	for _, id := range unmatched {
		if !slices.Contains(declared, id) || !ran[finding.Gate(id)] {
			continue
		}
		where := ""
		if o.Org != nil {
			where = " in " + o.Org.File
			if multi {
				where = " in " + strings.TrimSuffix(o.Root, "/") + "/" + o.Org.File
			}
		}
		fmt.Fprintf(env.Stderr, "%s: note: enrollment.expected_warnings%s lists %s, which raised no warning; remove it once the cause is gone\n",
			env.Prog, where, id)
	}
}

// markedExpected reports whether some warning of rule id was marked expected.
func markedExpected(r *finding.Report, id string) bool {
	for _, f := range r.Findings {
		if f.Rule == id && f.Expected {
			return true
		}
	}
	return false
}
