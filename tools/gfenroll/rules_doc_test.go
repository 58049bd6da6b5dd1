package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
	"github.com/tinyland-inc/gf-enrollment/checks/planguard"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/github"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/checks/taxonomy"
	"github.com/tinyland-inc/gf-enrollment/checks/workflows"
	"github.com/tinyland-inc/gf-enrollment/ops/appsecret"
	"github.com/tinyland-inc/gf-enrollment/ops/pinupdate"
)

// docs/rules.md is the operators' rule reference: every rule id a gfenroll command can emit
// must have a row there, and every id the page lists must still exist (ids are stable, so
// a stale row means a rule was renamed, which the project promises never to do).
func TestRuleReferenceIsComplete(t *testing.T) {
	sources := map[string]func() []finding.Rule{
		"pins": pins.Rules, "taxonomy": taxonomy.Rules, "workflows": workflows.Rules,
		"preflight/github": github.Rules, "preflight/kube": kube.Rules,
		"planguard": planguard.Rules, "pinupdate": pinupdate.Rules, "appsecret": appsecret.Rules,
	}
	known := map[string]string{}
	for pkg, rules := range sources {
		for _, r := range rules() {
			if r.Summary == "" {
				t.Errorf("%s: rule %s has no summary", pkg, r.ID)
			}
			if prev, dup := known[r.ID]; dup && prev != pkg {
				t.Errorf("rule id %s is declared by both %s and %s", r.ID, prev, pkg)
			}
			known[r.ID] = pkg
		}
	}

	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	// A documented rule is a table row whose first cell is the backquoted id.
	row := regexp.MustCompile("(?m)^\\| `([a-z-]+/[a-z0-9-]+)` \\|")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	for id, pkg := range known {
		if !documented[id] {
			t.Errorf("rule %s (package %s) has no row in docs/rules.md", id, pkg)
		}
	}
	for id := range documented {
		if _, ok := known[id]; !ok && !strings.HasPrefix(id, "input/") {
			t.Errorf("docs/rules.md documents %s, which no package declares", id)
		}
	}
}
