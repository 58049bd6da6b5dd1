// Command gfenroll is the full enrollment CLI: the hermetic gates (check, pins, taxonomy,
// workflows) plus the live preflight and the operator commands.
//
// Adding a command: create cmd_<name>.go in this directory with
//
//	func init() {
//		registry.Register(&cli.Command{
//			Name: "preflight", Group: cli.GroupLive, Summary: "...", Usage: "...",
//			Examples: []string{"gfenroll preflight --overlay-root . --strict"},
//			Bind: func(fs *flag.FlagSet, env *cli.Env) cli.RunFunc { ... },
//		})
//	}
//
// registry is initialised before any init function runs (package-level variables first),
// and each command lives in its own file so work on different commands never touches the
// same file. Reuse cli.OverlayFlags and checker.Config for the common flags, and end every
// run through the one emission path — env.Finish(name, &cfg, report) for a report,
// checker.Refuse(stderr, where, err) for unusable input — so every command speaks the same
// flags, formats, output guarantees and exit codes.
package main

import "github.com/tinyland-inc/gf-enrollment/checks/cli"

// version is stamped by release builds: -ldflags "-X main.version=v1.2.3".
var version string

// registry holds every gfenroll command; cmd_<name>.go files add theirs in init().
var registry = cli.NewRegistry("gfenroll", cli.StaticCommands()...)

func main() {
	registry.SetVersion(version)
	registry.Main()
}
