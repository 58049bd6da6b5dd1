package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/checker"
	"github.com/tinyland-inc/gf-enrollment/checks/enrollment"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// No combination of missing pieces yields 0 blockers: each required key of the table
// dropped, emptied, nulled or set to a placeholder, and every subset of the overlay's
// files removed, gives exit 1 with at least one blocker that carries a next action, and
// never exit 2 (absence is a blocker, not unusable input).
func TestMissingIsABlocker(t *testing.T) {
	work := inBases(t, "tinyland-org")
	base := filepath.Join(work, "tinyland-org")
	orgText := readText(t, filepath.Join(base, "config", "organization.yaml"))
	tfvarsText := readText(t, filepath.Join(base, "tofu", "stacks", "arc-runners", "tinyland.tfvars"))

	type variant struct {
		name string
		edit func(dir string)
	}
	var variants []variant
	for _, req := range enrollment.Required {
		leaf := req.Key[strings.LastIndex(req.Key, ".")+1:]
		for _, v := range []struct{ how, value string }{
			{"dropped", ""}, {"empty", `""`}, {"null", "null"}, {"todo", "TODO"}, {"changeme", "CHANGEME"},
			{"angle", "<replace-me>"}, {"replace-me", "REPLACE_ME"}, {"xxx", "xxx"},
		} {
			req, v := req, v
			if req.InTfvars && v.how == "dropped" {
				continue // an unset tfvars key takes its default (organization.yaml's or the core's)
			}
			variants = append(variants, variant{name: req.Key + "/" + v.how, edit: func(dir string) {
				if req.InTfvars {
					re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(leaf) + `\s*=.*$`)
					repl := leaf + " = " + quoteHCL(v.value)
					if v.how == "dropped" {
						repl = ""
					}
					writeText(t, filepath.Join(dir, "tofu", "stacks", "arc-runners", "tinyland.tfvars"), mustReplace(t, re, tfvarsText, repl))
					return
				}
				re := regexp.MustCompile(`(?m)^(\s+)` + regexp.QuoteMeta(leaf) + `:.*$`)
				repl := "${1}" + leaf + ": " + v.value
				if v.how == "dropped" {
					repl = ""
				}
				writeText(t, filepath.Join(dir, "config", "organization.yaml"), mustReplace(t, re, orgText, repl))
			}})
		}
	}
	files := []string{"config/organization.yaml", "MODULE.bazel", "tofu/stacks/arc-runners/tinyland.tfvars", ".github/workflows"}
	for mask := 1; mask < 1<<len(files); mask++ {
		var drop []string
		for i, f := range files {
			if mask&(1<<i) != 0 {
				drop = append(drop, f)
			}
		}
		variants = append(variants, variant{name: "without " + strings.Join(drop, "+"), edit: func(dir string) {
			for _, f := range drop {
				if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
					t.Fatal(err)
				}
			}
		}})
	}

	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			dir := fmt.Sprintf("v%d", i)
			copyOverlay(t, base, filepath.Join(work, dir))
			v.edit(filepath.Join(work, dir))
			res := run("check", "--overlay-root", dir, "--format", "json")
			if res.code != checker.ExitFindings {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			r := decode(t, res.stdout)
			blockers := 0
			for _, f := range r.Findings {
				if f.Severity == finding.Blocker {
					blockers++
					if strings.TrimSpace(f.NextAction) == "" {
						t.Errorf("blocker %s at %s has no next action", f.Rule, f.Position)
					}
				}
			}
			if blockers == 0 {
				t.Errorf("0 blockers:\n%s", res.stdout)
			}
		})
	}
}

func quoteHCL(v string) string {
	if v == "null" || strings.HasPrefix(v, `"`) {
		return v
	}
	return `"` + v + `"`
}

func mustReplace(t *testing.T, re *regexp.Regexp, text, repl string) string {
	t.Helper()
	if !re.MatchString(text) {
		t.Fatalf("fixture has no line matching %s", re)
	}
	return re.ReplaceAllString(text, repl)
}

func readText(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeText(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
