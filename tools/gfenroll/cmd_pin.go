package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/cli"
	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
	"github.com/tinyland-inc/gf-enrollment/ops/pinupdate"
)

func init() {
	registry.Register(&cli.Command{
		Name:    "pin",
		Group:   cli.GroupOperator,
		Summary: "move core.pinned_commit and the MODULE.bazel core git_override commit together to REF",
		Usage:   "pin REF [--overlay-root DIR] [--check] [flags]",
		Description: `REF is a 40-hex commit SHA (any case), or a branch, tag or abbreviated SHA of the
core resolved through the core checkout in $GF_CORE_PATH (git rev-parse, origin/<name>
first; never fetched) and then the GitHub commits API of core.repository (token from
GITHUB_TOKEN or GH_TOKEN; --github-api-url for GitHub Enterprise).

Only the two commit values change: every comment, quote style, line ending and other
byte of config/organization.yaml and MODULE.bazel (or the file a constant or include
puts the commit in) stays as it is. Both files are written through fsynced temp files
and renames; if the second rename fails the first file is restored, so the pins never
end up split. Nothing is written when either file has no pin to move (exit 2).

After the move the pins gate runs with REF as the expected core ref and its report is
printed (exit 1 if it still finds a blocker). --check writes nothing: it reports each
pin that differs from REF as a blocker (exit 1) and runs the pins gate as it stands.`,
		Examples: []string{
			"gfenroll pin 637b7167c400a842cdc7af0709b2251c0542a48a",
			"GF_CORE_PATH=../GloriousFlywheel gfenroll pin main --overlay-root ../tinyland-infra",
			"GITHUB_TOKEN=$(gh auth token) gfenroll pin v1.4.0 --check",
			"just pin-refresh main",
		},
		Rules: pinupdate.Rules,
		Bind: func(fs *flag.FlagSet, env *cli.Env) cli.RunFunc {
			root := fs.String("overlay-root", ".", "overlay checkout `DIR` whose pins move")
			check := fs.Bool("check", false, "write nothing; report what would change and exit 1 if a pin differs from REF")
			apiURL := fs.String("github-api-url", env.Getenv("GITHUB_API_URL"), "GitHub REST API root `URL` for resolving names (default https://api.github.com/, or $GITHUB_API_URL)")
			report := &checker.Config{}
			report.RegisterFlags(fs)
			return func(ctx context.Context, env *cli.Env, args []string) int {
				args, code, done := parseInterspersed(fs, args, env, "pin")
				if done {
					return code
				}
				if len(args) != 1 {
					fmt.Fprintf(env.Stderr, "%s pin: want exactly one REF argument (a 40-hex commit, branch or tag; got %d); run %s pin --help\n", env.Prog, len(args), env.Prog)
					return checker.ExitInput
				}
				displayRoot := cli.DisplayRoot(*root)
				rep, err := pinupdate.Run(ctx, pinupdate.Options{
					Root:  displayRoot,
					Ref:   args[0],
					Check: *check,
					ResolverFor: func(o *overlay.Overlay) coreref.Resolver {
						return pinResolver(env, o, *apiURL)
					},
				})
				if err != nil {
					var ce *pinupdate.CommitError
					if errors.As(err, &ce) {
						fmt.Fprintf(env.Stderr, "%s pin: write failed: %v\n", env.Prog, err)
						return checker.ExitInput
					}
					return checker.Refuse(env.Stderr, displayRoot, err)
				}
				return env.Finish("pin", report, rep)
			}
		},
	})
}

// pinResolver chains the routes that can turn a name into a core commit: the local core
// checkout ($GF_CORE_PATH) first, then the GitHub commits API of core.repository.
func pinResolver(env *cli.Env, o *overlay.Overlay, apiURL string) coreref.Resolver {
	var chain coreref.Chain
	if r := coreref.FromEnv(env.Getenv); r != nil {
		chain = append(chain, r)
	}
	repo := ""
	if o != nil && o.Org != nil {
		repo = strings.TrimSpace(o.Org.Core.Repository.Value)
	}
	if repo != "" {
		token, _ := ghapi.TokenFromEnv(env.Getenv)
		client, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: apiURL, Token: token})
		if err != nil {
			chain = append(chain, failingResolver{err})
		} else {
			chain = append(chain, ghapi.CommitResolver{Client: client, Repo: repo})
		}
	}
	if len(chain) == 0 {
		return nil
	}
	if len(chain) == 1 {
		return chain[0]
	}
	return chain
}

// failingResolver reports why a route could not be built (a bad --github-api-url) when a
// name actually needs resolving, instead of failing runs that pass a SHA.
type failingResolver struct{ err error }

func (f failingResolver) Resolve(context.Context, string) (string, error) { return "", f.err }
func (f failingResolver) String() string                                  { return "the GitHub commits API" }
