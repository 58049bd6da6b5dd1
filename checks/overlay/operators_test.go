package overlay_test

import (
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Operator chains the parsers would recurse through (hclsyntax, until the goroutine stack
// overflows) or extend quadratically (buildtools) are one syntax error at the operator that
// goes past the limit, found before either parser runs.
func TestOperatorChainsAreBounded(t *testing.T) {
	const limitMsg = "syntax: expression chains more than 256 operators; write the value as a literal\n"
	long := func(unit string, n int) string { return strings.Repeat(unit, n) }
	tfvars := []struct{ name, src, want string }{
		{"bangs", "zz = " + long("!", 300000) + "true\n", "1:262 " + limitMsg},
		{"minuses", "zz = " + long("-", 300000) + "1\n", "1:262 " + limitMsg},
		{"plus terms", "zz = 1" + long("+1", 1000000) + "\n", "1:519 " + limitMsg},
		{"second line", "a = 1\nzz = 1" + long("*1", 300) + "\n", "2:519 " + limitMsg},
		{"in a template", "zz = \"${1" + long("+1", 300) + "}\"\n", "1:522 " + limitMsg},
		{"in a heredoc", "zz = <<EOT\nx ${1" + long("+1", 300) + "}\nEOT\n", "2:518 " + limitMsg},
		{"nested conditionals", "zz = " + long("true ? 1 : ", 200) + "1\n", "1:1419 " + limitMsg},
		{"across lines in brackets", "zz = [1\n" + long("+1\n", 300) + "]\n", "258:1 " + limitMsg},
		{"line ending in an operator", "zz = 1 +\n" + long("1 +\n", 300) + "1\n", "257:3 " + limitMsg},
		{"parenthesised", "zz = (" + long("-", 300) + "1) + 1\n", "1:263 " + limitMsg},
		{"halves add up along one path only", "zz = (" + long("-", 100) + "1) + (" + long("-", 200) + "(1" + long("+1", 100) + "))\n", "1:425 " + limitMsg},
	}
	for _, tt := range tfvars {
		t.Run("tfvars/"+tt.name, func(t *testing.T) {
			_, errs := overlay.ParseTfvars(tfRel, []byte(tt.src))
			if got := errSummary(errs); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	module := []struct{ name, src, want string }{
		{"plus terms", "x = 1" + long("+1", 40000) + "\n", "1:518 " + limitMsg},
		{"attribute chain", "x = a" + long(".b", 40000) + "\n", "1:518 " + limitMsg},
		{"call chain", "x = f" + long("()", 40000) + "\n", "1:518 " + limitMsg},
		{"continued lines", "x = 1 \\\n" + long("+1 \\\n", 300) + "+1\n", "258:1 " + limitMsg},
		{"continued CRLF lines", "x = 1 \\\r\n" + long("+1 \\\r\n", 300) + "+1\r\n", "258:1 " + limitMsg},
		{"or chain", "x = a" + long(" or a", 300) + "\n", "1:1287 " + limitMsg},
		{"conditional chain", "x = 1" + long(" if a else 1", 200) + "\n", "1:1543 " + limitMsg},
		{"many short chains", long("x = 1"+long("+1", 200)+"\n", 101), "101:6 syntax: file has more than 20000 operators; MODULE.bazel declares modules with literal arguments\n"},
	}
	for _, tt := range module {
		t.Run("module/"+tt.name, func(t *testing.T) {
			_, errs := overlay.ParseModule("MODULE.bazel", []byte(tt.src))
			if got := errSummary(errs); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// What real files hold stays readable: operators inside strings, heredocs and comments do
// not count, and separate values do not add up.
func TestOperatorLimitLeavesRealFilesAlone(t *testing.T) {
	many := func(unit string, n int) string { return strings.Repeat(unit, n) }
	tfvars := []string{
		"github_config_url = \"" + many("-+!", 1000) + "\"\n",
		"# " + many("-", 5000) + "\n// " + many("+", 5000) + "\n/* " + many("!", 5000) + " */\nnix_max_runners = 1\n",
		"attic_public_key = <<EOT\n" + many("-----+++\n", 500) + "EOT\n",
		"nix_max_runners = -1\n" + many("nix_min_runners_x = -1\n", 1000),
		"extra_runner_sets = {\n" + many("  a = { min_runners = -1, max_runners = -2 }\n", 1) + "}\nx = [" + many("-1, ", 5000) + "]\n",
		"x = {\n" + many("  k = -1\n", 2000) + "}\n",
		"x = \"$${" + many("+", 1000) + "}\"\n",
	}
	for i, src := range tfvars {
		_, errs := overlay.ParseTfvars(tfRel, []byte(src))
		for _, e := range errs {
			if strings.Contains(e.Msg, "operators") {
				t.Errorf("tfvars %d: %s", i, e)
			}
		}
	}
	module := []string{
		"x = \"" + many("+", 5000) + "\"\n",
		"x = '''\n" + many("- a + b\n", 1000) + "'''\n",
		"# " + many("-", 5000) + "\n",
		many("go_deps.from_file(go_mod = \"//:go.mod\")\n", 300),
		"x = [" + many("-1, ", 5000) + "]\n",
	}
	for i, src := range module {
		_, errs := overlay.ParseModule("MODULE.bazel", []byte(src))
		for _, e := range errs {
			if strings.Contains(e.Msg, "operators") {
				t.Errorf("module %d: %s", i, e)
			}
		}
	}
}
