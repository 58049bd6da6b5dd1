package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/ops/scaffold"
)

func init() {
	registry.Register(&cli.Command{
		Name:    "init",
		Group:   cli.GroupOperator,
		Summary: "write a new overlay's commented skeleton that passes the hermetic gates at once",
		Usage: "init --dir DIR --owner OWNER --account-kind organization|personal --core-repository OWNER/NAME " +
			"--core-module NAME --core-commit SHA --cluster-context CTX [--repository OWNER/REPO] [--force]",
		Description: `Writes config/organization.yaml, MODULE.bazel (bazel_dep + git_override of the core
at --core-commit), BUILD.bazel, tofu/stacks/arc-runners/<owner>.tfvars (owner-distinct
scale-set names on the shared label tinyland-nix), enrollment/BUILD.bazel
(enrollment_checks), a Justfile with the enrollment recipes and
.github/workflows/validate.yml (actions pinned to full commits, persist-credentials
false, read-only permissions, secrets only on the default branch, the core checked out
at the pin). A personal account registers at --repository (required then) and
declares that anchor's warning expected.

Every input is validated before anything is written. An existing file is never
replaced (exit 2, nothing written) unless --force; the files are written all or
nothing. Then gfenroll check passes, and gfenroll preflight lists the live steps left.`,
		Examples: []string{
			"gfenroll init --dir ../acme-corp-infra --owner acme-corp --account-kind organization --core-repository tinyland-inc/GloriousFlywheel --core-module gloriousflywheel --core-commit 637b7167c400a842cdc7af0709b2251c0542a48a --cluster-context honey --repository acme-corp/acme-infra",
			"gfenroll init --dir ../jane-infra --owner jane --account-kind personal --repository jane/jane-infra --core-repository tinyland-inc/GloriousFlywheel --core-module gloriousflywheel --core-commit 637b7167c400a842cdc7af0709b2251c0542a48a --cluster-context honey",
		},
		// init emits no findings: it writes files or refuses its input (exit 2).
		Rules: func() []finding.Rule { return nil },
		Bind: func(fs *flag.FlagSet, env *cli.Env) cli.RunFunc {
			var in scaffold.Inputs
			dir := fs.String("dir", "", "overlay `DIR` to write into (created when missing)")
			fs.StringVar(&in.Owner, "owner", "", "GitHub `OWNER` (organization or user) the overlay enrolls")
			fs.StringVar(&in.AccountKind, "account-kind", "", "`KIND` of the owner: organization or personal")
			fs.StringVar(&in.CoreRepository, "core-repository", "", "core repository `OWNER/NAME`, e.g. tinyland-inc/GloriousFlywheel")
			fs.StringVar(&in.CoreModule, "core-module", "", "the core's Bazel module `NAME`, e.g. gloriousflywheel")
			fs.StringVar(&in.CoreCommit, "core-commit", "", "core commit `SHA` (40 lowercase hex) both pins start at")
			fs.StringVar(&in.ClusterContext, "cluster-context", "", "kubeconfig `CONTEXT` of the ARC cluster")
			fs.StringVar(&in.Repository, "repository", "", "the overlay repository `OWNER/REPO` (required for a personal account)")
			force := fs.Bool("force", false, "replace the skeleton's files where they exist")
			return func(ctx context.Context, env *cli.Env, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(env.Stderr, "%s init: unexpected argument %q (flags only; run %s init --help)\n", env.Prog, args[0], env.Prog)
					return checker.ExitInput
				}
				err := in.Validate()
				if *dir == "" {
					err = joinLines(err, "--dir is required: the overlay directory to write into")
				}
				if err != nil {
					for _, line := range strings.Split(err.Error(), "\n") {
						fmt.Fprintf(env.Stderr, "%s init: %s\n", env.Prog, line)
					}
					return checker.ExitInput
				}
				files := in.Files()
				if err := scaffold.Write(*dir, files, *force); err != nil {
					return checker.Refuse(env.Stderr, cli.DisplayRoot(*dir), err)
				}
				for _, f := range files {
					fmt.Fprintf(env.Stdout, "wrote %s\n", f.Path)
				}
				fmt.Fprintf(env.Stdout, "\nNext: %s check --overlay-root %s, then %s preflight --overlay-root %s for the live steps left.\n",
					env.Prog, cli.DisplayRoot(*dir), env.Prog, cli.DisplayRoot(*dir))
				return checker.ExitOK
			}
		},
	})
}

func joinLines(err error, line string) error {
	if err == nil {
		return fmt.Errorf("%s", line)
	}
	return fmt.Errorf("%w\n%s", err, line)
}
