package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/gates"
	"github.com/tinyland-inc/gf-enrollment/checks/planguard"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/github"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/ops/appsecret"
	"github.com/tinyland-inc/gf-enrollment/ops/pinupdate"
)

var update = flag.Bool("update", false, "rewrite the generated tables of docs/rules.md")

// ruleRefCommand is how a contributor regenerates the rule reference.
const ruleRefCommand = "go test ./tools/gfenroll -run TestRuleReference -update"

// ruleSource is one generated table of docs/rules.md: a name its marker uses and the rules
// of one gate or command.
type ruleSource struct {
	name  string
	rules []finding.Rule
}

// ruleSources is every rule a gfenroll command can emit, by table of docs/rules.md: the
// hermetic gates from their registry, then the live probes and the operator commands. The
// one list of them; the page and its freshness follow from it, and TestRuleReference checks
// it against the rules every registered command declares.
func ruleSources() []ruleSource {
	var out []ruleSource
	for _, g := range gates.All {
		out = append(out, ruleSource{g.Name, g.Rules()})
	}
	return append(out,
		ruleSource{"preflight/github", github.Rules()}, ruleSource{"preflight/kube", kube.Rules()},
		ruleSource{"plan-guard", planguard.Rules()}, ruleSource{"pin-update", pinupdate.Rules()},
		ruleSource{"arc-app-secret", appsecret.Rules()})
}

// generatedTable matches one generated block: its marker line naming the source, the table,
// and the end marker.
var generatedTable = regexp.MustCompile(`(?s)(<!-- generated rules: ([a-z/-]+) [^\n]*-->\n)(.*?)(<!-- end generated rules -->)`)

// unescapedCellBreak finds what would break a markdown table row: a line break, or a '|'
// not written as '\|'.
var unescapedCellBreak = regexp.MustCompile(`\n|(^|[^\\])\|`)

// renderRuleTable is the markdown table of a source's rules: one row per documented
// severity, in Rules() order.
func renderRuleTable(rules []finding.Rule) string {
	var b strings.Builder
	b.WriteString("| id | severity | triggers when | next action |\n|---|---|---|---|\n")
	for _, r := range rules {
		for _, d := range r.Docs {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, d.Severity, d.When, d.NextAction)
		}
	}
	return b.String()
}

// renderRuleReference replaces every generated table in page; it fails on a marker that
// names no source and on a source without a marker.
func renderRuleReference(page string, sources []ruleSource) (string, error) {
	byName := map[string][]finding.Rule{}
	for _, s := range sources {
		byName[s.name] = s.rules
	}
	used := map[string]bool{}
	var errs []string
	out := generatedTable.ReplaceAllStringFunc(page, func(block string) string {
		m := generatedTable.FindStringSubmatch(block)
		rules, ok := byName[m[2]]
		if !ok {
			errs = append(errs, fmt.Sprintf("marker %q names no rule source (known: see ruleSources)", m[2]))
			return block
		}
		used[m[2]] = true
		return m[1] + renderRuleTable(rules) + m[4]
	})
	for _, s := range sources {
		if !used[s.name] {
			errs = append(errs, fmt.Sprintf("rules of %s have no table: add a line \"<!-- generated rules: %s (%s) -->\" and \"<!-- end generated rules -->\" where they belong", s.name, s.name, ruleRefCommand))
		}
	}
	if len(errs) > 0 {
		return "", fmt.Errorf("docs/rules.md: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// docs/rules.md is the operators' rule reference. Its tables are generated from each
// gate's and command's Rules(), so a new or renamed rule changes the page; this test fails
// while the committed page differs from what Rules() says.
func TestRuleReference(t *testing.T) {
	sources := ruleSources()
	declared := map[string]string{}
	for _, s := range sources {
		for _, r := range s.rules {
			if r.Summary == "" {
				t.Errorf("%s: rule %s has no summary", s.name, r.ID)
			}
			if len(r.Docs) == 0 {
				t.Errorf("%s: rule %s has no rule reference row: add it to ruleDocs in its package, then run %s", s.name, r.ID, ruleRefCommand)
			}
			for _, d := range r.Docs {
				if d.Severity == "" || d.When == "" || d.NextAction == "" || unescapedCellBreak.MatchString(d.Severity+"\\"+d.When+"\\"+d.NextAction) {
					t.Errorf("%s: rule %s has a reference row with an empty cell, a line break or an unescaped '|': %+v", s.name, r.ID, d)
				}
			}
			if prev, dup := declared[r.ID]; dup {
				t.Errorf("rule id %s is declared by both %s and %s", r.ID, prev, s.name)
			}
			declared[r.ID] = s.name
		}
	}

	// Every rule a registered command declares has its table.
	for _, c := range registry.Commands() {
		if c.Rules == nil {
			t.Errorf("command %s lists no rules", c.Name)
			continue
		}
		for _, r := range c.Rules() {
			if _, ok := declared[r.ID]; !ok {
				t.Errorf("command %s emits %s, which no rule source of docs/rules.md lists: add its package's Rules to ruleSources", c.Name, r.ID)
			}
		}
	}

	path := filepath.Join("..", "..", "docs", "rules.md")
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := renderRuleReference(string(page), sources)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if want != string(page) {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote %s", path)
		}
		return
	}
	if want != string(page) {
		got := strings.Split(string(page), "\n")
		exp := strings.Split(want, "\n")
		for i := 0; i < len(got) || i < len(exp); i++ {
			var g, e string
			if i < len(got) {
				g = got[i]
			}
			if i < len(exp) {
				e = exp[i]
			}
			if g != e {
				t.Fatalf("docs/rules.md is stale (first difference at line %d):\n have: %s\n want: %s\nregenerate it with: %s", i+1, g, e, ruleRefCommand)
			}
		}
	}
}

// The generator itself: a marker without a source, and a source without a marker, fail.
func TestRenderRuleReference(t *testing.T) {
	rules := []finding.Rule{{ID: "x/y", Summary: "s", Docs: []finding.RuleDoc{{Severity: "blocker", When: "w", NextAction: "n"}, {Severity: "ok", When: "fine", NextAction: "—"}}}}
	page := "intro\n<!-- generated rules: x (cmd) -->\nold\n<!-- end generated rules -->\nafter\n"
	got, err := renderRuleReference(page, []ruleSource{{"x", rules}})
	want := "intro\n<!-- generated rules: x (cmd) -->\n| id | severity | triggers when | next action |\n|---|---|---|---|\n| `x/y` | blocker | w | n |\n| `x/y` | ok | fine | — |\n<!-- end generated rules -->\nafter\n"
	if err != nil || got != want {
		t.Errorf("render = %q, %v\nwant %q", got, err, want)
	}
	if _, err := renderRuleReference(page, []ruleSource{{"x", rules}, {"z", rules}}); err == nil || !strings.Contains(err.Error(), "rules of z have no table") {
		t.Errorf("source without a table: err = %v", err)
	}
	if _, err := renderRuleReference(page, nil); err == nil || !strings.Contains(err.Error(), `marker "x"`) {
		t.Errorf("marker without a source: err = %v", err)
	}
}
