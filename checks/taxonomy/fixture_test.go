package taxonomy

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

const (
	orgF   = "config/organization.yaml"
	tinyTV = "tofu/stacks/arc-runners/tinyland.tfvars"
	jessTV = "tofu/stacks/arc-runners/jesssullivan.tfvars"
)

func at(file string, line, col int) overlay.Pos {
	return overlay.Pos{File: file, Line: line, Column: col}
}

func str(v string, p overlay.Pos) overlay.String { return overlay.String{Value: v, Pos: p, Set: true} }

func num(v int64, p overlay.Pos) overlay.Int { return overlay.Int{Value: v, Pos: p, Set: true} }

func list(p overlay.Pos, vs ...string) overlay.StringList {
	l := overlay.StringList{Pos: p, Set: true}
	for i, v := range vs {
		l.Values = append(l.Values, str(v, at(p.File, p.Line, p.Column+1+i*10)))
	}
	return l
}

// fixture loads the real fixture overlay e2e/overlays/<name> afresh (tests mutate it) and
// gives it the root-relative name reports print.
func fixture(name string) *overlay.Overlay {
	root, err := overlaytest.FindRepoRoot()
	if err != nil {
		panic(err)
	}
	o, err := overlay.Load(filepath.Join(root, "e2e", "overlays", name), overlay.Options{})
	if err != nil {
		panic(fmt.Sprintf("fixture %s: %v", name, err))
	}
	o.Root = "e2e/overlays/" + name
	return o
}

// tinyland is the organization overlay (e2e/overlays/tinyland-org): org-scoped URL, three
// deployed lanes, extra sets tinyland-nix-heavy, tinyland-nix-compute-expansion and
// tinyland-nix-kvm, all publishing their labels.
func tinyland() *overlay.Overlay { return fixture("tinyland-org") }

// jess is the personal-account overlay (e2e/overlays/jess-personal): a repository
// registration anchor (expected warning), owner-distinct scale-set names, and a
// compute-expansion set that serves tinyland-nix-heavy.
func jess() *overlay.Overlay { return fixture("jess-personal") }

// findings renders a report's findings as sorted "severity rule @pos" lines.
func findings(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s @%s", f.Severity, f.Rule, f.Position))
	}
	sort.Strings(out)
	return out
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

func joined(xs []string) string { return "\n  " + strings.Join(xs, "\n  ") }
