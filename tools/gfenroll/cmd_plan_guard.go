package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/planguard"
)

func init() {
	registry.Register(&cli.Command{
		Name:    "plan-guard",
		Group:   cli.GroupOperator,
		Summary: "block an ARC apply whose plan destroys or replaces anything (unless ALLOW_ARC_DESTROY=1)",
		Usage:   "plan-guard PLAN.json [flags]   (PLAN.json from tofu show -json PLANFILE; - reads stdin)",
		Description: `Reads the JSON form of an OpenTofu or Terraform plan (tofu show -json PLANFILE,
terraform show -json PLANFILE; format_version 1.x). Every resource change whose actions
contain delete is a blocker naming the resource address and the reason: a plain delete,
a replace (delete then create, or create then delete) and a deposed object alike.

ALLOW_ARC_DESTROY=1 (exactly the digit 1) opens a destructive maintenance window: each
destroy is then a loud warning and the command exits 0. Any other value (true, yes,
" 1", "1 ") keeps destroys blocked and says why.

forget (a removed block with destroy = false), moves (previous_address), imports and
deferred changes are reported as info. Attribute values are never read or printed.
Input that is not a plan (a state, a binary plan file, truncated or mistyped JSON)
exits 2 with the file, line and reason.`,
		Examples: []string{
			"tofu -chdir=tofu/stacks/arc-runners show -json arc.tfplan > arc.plan.json && gfenroll plan-guard arc.plan.json",
			"tofu show -json arc.tfplan | gfenroll plan-guard -",
			"ALLOW_ARC_DESTROY=1 gfenroll plan-guard arc.plan.json   # recorded maintenance window",
			"gfenroll plan-guard arc.plan.json --format github --output sarif=plan-guard.sarif",
		},
		Rules: planguard.Rules,
		Bind: func(fs *flag.FlagSet, env *cli.Env) cli.RunFunc {
			report := &checker.Config{}
			report.RegisterFlags(fs)
			return func(ctx context.Context, env *cli.Env, args []string) int {
				args, code, done := parseInterspersed(fs, args, env, "plan-guard")
				if done {
					return code
				}
				if len(args) != 1 {
					fmt.Fprintf(env.Stderr, "%s plan-guard: want exactly one PLAN.json argument (got %d); run %s plan-guard --help\n", env.Prog, len(args), env.Prog)
					return checker.ExitInput
				}
				plan, err := loadPlan(args[0], env.Stdin)
				if err != nil {
					return checker.Refuse(env.Stderr, args[0], err)
				}
				opts := planguard.OptionsFromEnv(func(k string) (string, bool) {
					v := env.Getenv(k)
					return v, v != ""
				})
				rep := planguard.Check(plan, opts)
				code = env.Finish("plan-guard", report, rep)
				if code != checker.ExitInput && opts.DestroyAllowed() && rep.Summary.Warnings > 0 {
					fmt.Fprintf(env.Stderr, "%s plan-guard: !!! %s=1: %d destroy/replace finding(s) ALLOWED; this apply deletes live ARC resources !!!\n",
						env.Prog, planguard.AllowEnv, rep.Summary.Warnings)
				}
				return code
			}
		},
	})
}

// loadPlan reads the plan file, or stdin for "-".
func loadPlan(arg string, stdin io.Reader) (*planguard.Plan, error) {
	if arg != "-" {
		return planguard.Load(arg, arg)
	}
	if stdin == nil {
		return nil, fmt.Errorf("no standard input")
	}
	data, err := io.ReadAll(io.LimitReader(stdin, planguard.MaxPlanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read plan from stdin: %w", err)
	}
	if len(data) > planguard.MaxPlanBytes {
		return nil, fmt.Errorf("plan on stdin is over the %d MiB limit", planguard.MaxPlanBytes>>20)
	}
	return planguard.Parse("<stdin>", data)
}

// parseInterspersed lets flags follow positional arguments (gfenroll pin REF --check,
// gfenroll plan-guard plan.json --format json), as the documented command lines write
// them: Go's flag package stops at the first positional, so the rest is parsed again
// after each one.
func parseInterspersed(fs *flag.FlagSet, args []string, env *cli.Env, name string) (positional []string, code int, done bool) {
	for len(args) > 0 {
		if args[0] == "--" {
			return append(positional, args[1:]...), 0, false
		}
		positional = append(positional, args[0])
		usage := func(w io.Writer) { fmt.Fprintf(w, "run %s %s --help for the flags\n", env.Prog, name) }
		if code, done := checker.ParseFlags(fs, args[1:], usage, env.Stdout, env.Stderr); done {
			return nil, code, true
		}
		args = fs.Args()
	}
	return positional, 0, false
}
