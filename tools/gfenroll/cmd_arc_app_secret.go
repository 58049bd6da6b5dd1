package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/ops/appsecret"
)

func init() {
	registry.Register(&cli.Command{
		Name:    "arc-app-secret",
		Group:   cli.GroupOperator,
		Summary: "write the owner's ARC GitHub App secret into both ARC namespaces (--dry-run | --apply)",
		Usage:   "arc-app-secret --dry-run|--apply --overlay-root DIR [--tfvars PATH] [--context NAME] [--kubeconfig PATH] [flags]",
		Description: `The secret name is owner.github_app_secret_name of config/organization.yaml (it must
equal the tfvars github_config_secret), the kube context substrate.cluster.context (or
--context), the namespaces the tfvars controller_namespace and runner_namespace
(defaults arc-systems, arc-runners). The App credentials come from the environment:

  GITHUB_APP_ID                the numeric App ID (positive decimal, no leading zero)
  GITHUB_APP_INSTALLATION_ID   the installation ID (same form)
  GITHUB_APP_PRIVATE_KEY_PATH  the App's .pem private key (RSA, PKCS#1 or PKCS#8): a regular
                               file (a symlink is followed and its target checked), owned
                               by you, mode 0600 or 0400, outside the overlay repository

Any problem refuses the run before anything is contacted (exit 2, one line per problem
naming the input and the fix). The private key is never printed, in any form; the plan
shows its public-key SHA-256 fingerprint, as GitHub's App settings page does.

--dry-run prints the plan and contacts nothing. --apply server-side applies (field manager
gfenroll) a Secret of type Opaque with keys github_app_id, github_app_installation_id and
github_app_private_key into each namespace: first a server-side dry run in every
namespace (so a missing namespace, missing RBAC or a field conflict writes nothing), then
the writes, reporting per namespace created / updated / unchanged (a rerun changes
nothing: same resourceVersion). Conflicts with another field manager are not forced
unless --force-conflicts. Needs get, create and patch on secrets in both namespaces.`,
		Examples: []string{
			"GITHUB_APP_ID=123456 GITHUB_APP_INSTALLATION_ID=87654321 GITHUB_APP_PRIVATE_KEY_PATH=~/.config/gfenroll/app.pem gfenroll arc-app-secret --dry-run --overlay-root .",
			"gfenroll arc-app-secret --apply --overlay-root . --tfvars tofu/stacks/arc-runners/tinyland.tfvars",
			"gfenroll arc-app-secret --apply --overlay-root ../jesssullivan-infra --kubeconfig ~/.kube/honey.yaml",
			"just arc-app-secret-dry-run && just arc-app-secret-apply",
		},
		Rules: appsecret.Rules,
		Bind: func(fs *flag.FlagSet, env *cli.Env) cli.RunFunc {
			var tfvars checker.Strings
			dryRun := fs.Bool("dry-run", false, "print what would be written; contact nothing")
			apply := fs.Bool("apply", false, "server-side apply the secret into both namespaces")
			root := fs.String("overlay-root", ".", "overlay checkout `DIR`")
			fs.Var(&tfvars, "tfvars", "ARC runner stack variables `PATH`, relative to the overlay root (default: the one tofu/stacks/arc-runners/*.tfvars)")
			kubeContext := fs.String("context", "", "kube context `NAME` (default substrate.cluster.context of organization.yaml)")
			kubeconfig := fs.String("kubeconfig", "", "kubeconfig `PATH` (default $KUBECONFIG, then ~/.kube/config)")
			force := fs.Bool("force-conflicts", false, "take over keys another field manager owns with other values (e.g. a secret first made with kubectl)")
			timeout := fs.Duration("timeout", time.Minute, "give up on the cluster after `DURATION`")
			report := &checker.Config{}
			report.RegisterFlags(fs)
			return func(ctx context.Context, env *cli.Env, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(env.Stderr, "%s arc-app-secret: unexpected argument %q (flags only; run %s arc-app-secret --help)\n", env.Prog, args[0], env.Prog)
					return checker.ExitInput
				}
				if *dryRun == *apply {
					fmt.Fprintf(env.Stderr, "%s arc-app-secret: give exactly one of --dry-run or --apply\n", env.Prog)
					return checker.ExitInput
				}
				displayRoot := cli.DisplayRoot(*root)
				plan, cfg, err := appsecret.Prepare(appsecret.Request{
					OverlayRoot: displayRoot, Tfvars: tfvars, Context: *kubeContext, Kubeconfig: *kubeconfig,
					Getenv: env.Getenv, UID: os.Getuid(), ForceConflicts: *force,
					RetryCommand: retryCommand(env.Prog, displayRoot, tfvars, *kubeContext, *kubeconfig, *force),
				})
				if err != nil {
					finding.WriteInputErrors(env.Stderr, "", displayRoot, err)
					fmt.Fprintf(env.Stderr, "%s arc-app-secret: refused; nothing was written\n", env.Prog)
					return checker.ExitInput
				}
				rep := plan.DryRun()
				if *apply {
					client, err := appsecret.NewKubeClient(cfg)
					if err != nil {
						fmt.Fprintf(env.Stderr, "%s arc-app-secret: %v; nothing was written\n", env.Prog, err)
						return checker.ExitInput
					}
					actx, cancel := context.WithTimeout(ctx, *timeout)
					defer cancel()
					rep = plan.Apply(actx, client)
				}
				return env.Finish("arc-app-secret", report, rep)
			}
		},
	})
}

// retryCommand is the command line that repeats this apply, for failure next actions.
func retryCommand(prog, root string, tfvars []string, kubeContext, kubeconfig string, force bool) string {
	parts := []string{prog, "arc-app-secret", "--apply", "--overlay-root", shellQuote(root)}
	for _, t := range tfvars {
		parts = append(parts, "--tfvars", shellQuote(t))
	}
	if kubeContext != "" {
		parts = append(parts, "--context", shellQuote(kubeContext))
	}
	if kubeconfig != "" {
		parts = append(parts, "--kubeconfig", shellQuote(kubeconfig))
	}
	if force {
		parts = append(parts, "--force-conflicts")
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
