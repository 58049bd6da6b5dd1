// Command custom-check is an example of a consumer's own enrollment checker. It enforces a
// local policy the built-in gates do not: every extra_runner_sets entry of the ARC runner
// tfvars sets max_runners, so no scale set can grow without bound on a shared cluster.
//
// It is built only from the public packages a consumer can import — overlay (the loader),
// finding (the result model) and checker (flags, formats, Bazel test outputs, exit codes) —
// and runs under the enrollment_check_test Bazel rule exactly like the built-in gates:
//
//	custom-check --overlay-root DIR [--tfvars PATH]... [--format ...] [--output FORMAT=PATH]...
package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// ruleMaxRunners is this checker's only rule. Custom rule ids use their own gate prefix so
// they never collide with the built-in pins/taxonomy/workflows rules.
var ruleMaxRunners = finding.Rule{
	ID:      "capacity/max-runners-set",
	Summary: "every extra runner set caps its size with max_runners",
	Help:    "A scale set without max_runners can take every node of the shared cluster; set an explicit cap per extra_runner_sets entry.",
}

func newProgram() checker.Program {
	var root string
	var tfvars checker.Strings
	return checker.Program{
		Name:  "custom-check",
		Usage: "custom-check --overlay-root DIR [--tfvars PATH]... [flags]",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&root, "overlay-root", ".", "overlay checkout `DIR`")
			fs.Var(&tfvars, "tfvars", "ARC runner tfvars `PATH` relative to the root (repeatable)")
		},
		Check: func(_ context.Context, _ []string) (*finding.Report, error) {
			o, err := overlay.Load(root, overlay.Options{Tfvars: tfvars})
			if err != nil {
				return nil, err // unusable input: the harness prints it and exits 2
			}
			return check(o), nil
		},
	}
}

// check is the policy itself: one blocker per extra runner set without max_runners, and one
// ok finding per stack that passes, so the report says what was looked at.
func check(o *overlay.Overlay) *finding.Report {
	r := &finding.Report{Tool: "custom-check"}
	r.AddRules(ruleMaxRunners)
	for _, tv := range o.Tfvars {
		capped := 0
		for _, set := range tv.ExtraRunnerSets {
			if set.MaxRunners.Set {
				capped++
				continue
			}
			r.Add(finding.Finding{
				Rule:     ruleMaxRunners.ID,
				Severity: finding.Blocker,
				Position: set.Pos,
				Message:  fmt.Sprintf("extra_runner_sets.%s sets no max_runners", set.Key.Value),
				NextAction: fmt.Sprintf("Add max_runners = <cap> to extra_runner_sets.%s in %s (the most runners the cluster may give this set).",
					set.Key.Value, tv.File),
			})
		}
		if capped > 0 && capped == len(tv.ExtraRunnerSets) {
			r.Add(finding.Finding{
				Rule: ruleMaxRunners.ID, Severity: finding.OK, Position: finding.Position{File: tv.File},
				Message: fmt.Sprintf("all %d extra runner sets set max_runners", capped),
			})
		}
	}
	return r
}

func main() { newProgram().Main() }
