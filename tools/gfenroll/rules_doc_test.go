package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docs/rules.md is the operators' rule reference: every rule id a gfenroll command can emit
// (the registered commands' Rules) must have a row there, and every id the page lists must
// still exist (ids are stable, so a stale row means a rule was renamed, which the project
// promises never to do).
func TestRuleReferenceIsComplete(t *testing.T) {
	known := map[string]string{}
	summary := map[string]string{}
	for _, c := range registry.Commands() {
		if c.Rules == nil {
			t.Errorf("command %s lists no rules", c.Name)
			continue
		}
		for _, r := range c.Rules() {
			if r.Summary == "" {
				t.Errorf("%s: rule %s has no summary", c.Name, r.ID)
			}
			if prev, dup := summary[r.ID]; dup && prev != r.Summary {
				t.Errorf("rule id %s is declared twice with different summaries (%s: %q)", r.ID, c.Name, r.Summary)
			}
			summary[r.ID] = r.Summary
			if _, seen := known[r.ID]; !seen {
				known[r.ID] = c.Name
			}
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
			t.Errorf("rule %s (command %s) has no row in docs/rules.md", id, pkg)
		}
	}
	for id := range documented {
		if _, ok := known[id]; !ok && !strings.HasPrefix(id, "input/") {
			t.Errorf("docs/rules.md documents %s, which no package declares", id)
		}
	}
}
