// Command enrollcheck is the hermetic enrollment checker: check and the gate commands
// (pins, taxonomy, workflows, admission) of gfenroll and nothing else. It never links a GitHub or Kubernetes
// client (a test asserts it), so the Bazel rules can build and cache it cheaply and its
// results depend only on the overlay files.
package main

import "github.com/tinyland-inc/gf-enrollment/checks/cli"

// version is stamped by release builds: -ldflags "-X main.version=v1.2.3".
var version string

func main() {
	r := cli.NewRegistry("enrollcheck", cli.StaticCommands()...)
	r.SetVersion(version)
	r.Main()
}
