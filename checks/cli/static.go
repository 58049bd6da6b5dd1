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
	"github.com/tinyland-inc/gf-enrollment/checks/gates"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/taxonomy"
)

// EnvExpectedCoreRef is the default of --expected-core-ref.
const EnvExpectedCoreRef = gates.EnvExpectedCoreRef

// GroupHermetic is the help group of the static gate commands.
const GroupHermetic = "Hermetic gates (no network; what the Bazel tests run)"

// gateFlags are the flags every hermetic gate command accepts: the overlays, the gates'
// own and the report flags.
type gateFlags struct {
	overlays OverlayFlags
	gates    gates.Flags
	report   checker.Config
}

func (g *gateFlags) register(fs *flag.FlagSet, env *Env) {
	g.overlays.Register(fs)
	g.gates.Register(fs, env.Getenv, false)
	g.report.RegisterFlags(fs)
}

const commonExamplesNote = "\nSeveral formats in one run: --format text --output json=report.json --output sarif=report.sarif"

// StaticCommands returns the hermetic gate commands: check (every gate) and one command
// per gate. Both binaries register them.
func StaticCommands() []*Command {
	cmds := []*Command{{
		Name:    "check",
		Group:   GroupHermetic,
		Summary: "run every hermetic gate (pins, taxonomy, workflows, admission) on one or more overlays",
		Usage:   "check --overlay-root DIR [--overlay-root DIR2 ...] [flags]",
		Description: `Loads config/organization.yaml, MODULE.bazel, the ARC runner tfvars and
.github/workflows of each overlay and runs the pins, taxonomy, workflows and admission gates.
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
		Rules: gates.Rules,
		Bind:  gateCommand("check", gates.All),
	}}
	for _, g := range gates.All {
		cmds = append(cmds, &Command{
			Name:        g.Name,
			Group:       GroupHermetic,
			Summary:     g.Summary,
			Usage:       g.Name + " --overlay-root DIR [flags]",
			Description: g.Description + "\n\nTakes the same flags as check, so one argument list serves every gate." + commonExamplesNote,
			Examples:    g.Examples,
			Rules:       g.Rules,
			Bind:        gateCommand(g.Name, gates.Named(g.Name)),
		})
	}
	return cmds
}

// gateCommand binds the shared flags and returns a runner for the given gates.
func gateCommand(name string, selected []gates.Gate) func(*flag.FlagSet, *Env) RunFunc {
	return func(fs *flag.FlagSet, env *Env) RunFunc {
		g := &gateFlags{}
		g.register(fs, env)
		return func(ctx context.Context, env *Env, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(env.Stderr, "%s %s: unexpected argument %q (flags only; run %s %s --help)\n", env.Prog, name, args[0], env.Prog, name)
				return checker.ExitInput
			}
			return runGates(ctx, env, name, g, selected)
		}
	}
}

func runGates(ctx context.Context, env *Env, name string, g *gateFlags, selected []gates.Gate) int {
	overlays, ok := g.overlays.Load(env)
	if !ok {
		return checker.ExitInput
	}
	estate := false
	for _, gt := range selected {
		// With the enrollment gate in the run, missing tfvars is its blocker; a gate run
		// alone that needs them has nothing to judge without them.
		if gt.NeedsTfvars && !runsEnrollment(selected) && !RequireTfvars(env, overlays) {
			return checker.ExitInput
		}
		estate = estate || gt.Estate
	}

	rep := &finding.Report{Tool: env.Prog}
	ran := map[string]bool{}
	for _, gt := range selected {
		rep.AddRules(gt.Registered(&g.gates)...)
		ran[gt.Name] = true
	}
	gctx := gates.Context{Resolver: coreref.FromEnv(env.Getenv)}
	multi := len(overlays) > 1
	for _, o := range overlays {
		or := &finding.Report{}
		for _, gt := range selected {
			or.Merge(gt.Check(ctx, o, &g.gates, gctx))
		}
		declared := declaredExpectedWarnings(o)
		unmatched := or.MarkExpected(append(append([]string(nil), g.gates.ExpectWarnings...), declared...))
		staleNotes(env, o, declared, unmatched, ran, multi)
		if multi {
			PrefixPositions(or, o.Root)
		}
		rep.Merge(or)
	}
	if estate && multi {
		// Estate findings belong to no single overlay, so only --expect-warning applies.
		est := taxonomy.CheckEstate(overlays)
		est.MarkExpected(g.gates.ExpectWarnings)
		rep.Merge(est)
	}
	for _, id := range g.gates.ExpectWarnings {
		if ran[finding.Gate(id)] && !markedExpected(rep, id) {
			fmt.Fprintf(env.Stderr, "%s: note: --expect-warning %s matched no warning\n", env.Prog, finding.PrintableLine(id))
		}
	}

	return env.Finish(name, &g.report, rep)
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
			env.Prog, finding.PrintableLine(where), finding.PrintableLine(id))
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

// runsEnrollment reports whether the enrollment gate (which reports missing files) is selected.
func runsEnrollment(selected []gates.Gate) bool {
	return slices.ContainsFunc(selected, func(g gates.Gate) bool { return g.Name == "enrollment" })
}
