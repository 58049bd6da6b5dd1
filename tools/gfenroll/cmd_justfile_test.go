package main

import (
	"bufio"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/cli"
)

// The example overlays' Justfiles are documentation operators copy, so every gfenroll
// line in them must be a valid invocation of this binary: the command exists, every flag
// parses, and the positional arguments are what the command takes. just itself is used
// too when it is installed (apt has no package for it; npm's rust-just works).

var overlayJustfiles = []string{"../../e2e/overlays/tinyland-org/Justfile", "../../e2e/overlays/jess-personal/Justfile"}

// coreJustfileDoc holds the core checkout's recipes as a ```just block.
const coreJustfileDoc = "../../docs/core-justfile.md"

// recipe is one parsed recipe: its parameters and body lines with {{...}} expanded.
type recipe struct {
	name   string
	params []string
	body   []string
}

var (
	assignRe = regexp.MustCompile(`^([a-z_]+)\s*:=\s*(.+)$`)
	headerRe = regexp.MustCompile(`^([a-z][a-z0-9-]*)((?:\s+\*?[A-Z_]+)*)\s*:\s*$`)
	envRe    = regexp.MustCompile(`^env\("([A-Z_]+)",\s*"([^"]*)"\)$`)
	interpRe = regexp.MustCompile(`\{\{\s*([A-Za-z_]+(?:\(\))?)\s*\}\}`)
	// justFuncs are the just functions the recipes call, with sample values.
	justFuncs = map[string]string{"justfile_directory()": "/src/GloriousFlywheel"}
)

// parseJustfile reads the subset of just syntax the example Justfiles use: string and
// env(...) assignments, recipes with positional (and *variadic) parameters, 4-space bodies.
// args gives sample values of parameters, per recipe ("recipe.PARAM") or for all ("PARAM").
func parseJustfile(t *testing.T, path string, args map[string]string) (map[string]*recipe, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseJustText(t, path, string(b), args)
}

func parseJustText(t *testing.T, path, text string, args map[string]string) (map[string]*recipe, []string) {
	t.Helper()
	vars := map[string]string{}
	recipes := map[string]*recipe{}
	var order []string
	var cur *recipe
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "    ") && cur != nil:
			body := strings.TrimPrefix(strings.TrimSpace(line), "@")
			body = interpRe.ReplaceAllStringFunc(body, func(m string) string {
				name := interpRe.FindStringSubmatch(m)[1]
				if v, ok := vars[name]; ok {
					return v
				}
				if v, ok := justFuncs[name]; ok {
					return v
				}
				if v, ok := args[cur.name+"."+name]; ok {
					return v
				}
				if v, ok := args[name]; ok {
					return v
				}
				t.Errorf("%s: recipe %s uses undefined {{%s}}", path, cur.name, name)
				return m
			})
			cur.body = append(cur.body, body)
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "set "):
			// blank, comment or setting
		case assignRe.MatchString(line):
			m := assignRe.FindStringSubmatch(line)
			v := strings.TrimSpace(m[2])
			if e := envRe.FindStringSubmatch(v); e != nil {
				v = e[2]
			} else {
				v = strings.Trim(v, `"`)
			}
			vars[m[1]] = v
			cur = nil
		case headerRe.MatchString(line):
			m := headerRe.FindStringSubmatch(line)
			cur = &recipe{name: m[1]}
			for _, p := range strings.Fields(m[2]) {
				cur.params = append(cur.params, strings.TrimPrefix(p, "*"))
			}
			recipes[cur.name] = cur
			order = append(order, cur.name)
		default:
			t.Errorf("%s: line not understood by the recipe check: %q", path, line)
		}
	}
	return recipes, order
}

// shellWords splits one simple command, honouring single and double quotes; a
// ${VAR:-} expansion stands for a sample value.
func shellWords(s string) []string {
	s = regexp.MustCompile(`\$\{[A-Z_]+:-[^}]*\}`).ReplaceAllString(s, "main")
	var words []string
	var cur strings.Builder
	in := byte(0)
	have := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case in != 0 && c == in:
			in = 0
		case in != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			in, have = c, true
		case c == ' ' || c == '\t':
			if have {
				words = append(words, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		words = append(words, cur.String())
	}
	return words
}

// simpleCommands splits a body line at |, && and ; (none of the recipes quote them).
func simpleCommands(line string) []string {
	return regexp.MustCompile(`\s*(?:\|\||&&|\||;)\s*`).Split(line, -1)
}

// positionalRange is how many arguments each command takes besides its flags
// (preflight has the core wrapper's form OVERLAY [TFVARS [REPO]]).
var positionalRange = map[string][2]int{"plan-guard": {1, 1}, "pin": {1, 1}, "preflight": {0, 3}}

// stripEnvAssignments drops leading NAME=value words (the recipe sets GF_CORE_PATH for
// one command).
func stripEnvAssignments(words []string) []string {
	for len(words) > 0 && regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(words[0]) {
		words = words[1:]
	}
	return words
}

func checkInvocation(t *testing.T, where string, words []string) string {
	t.Helper()
	if len(words) < 2 {
		t.Errorf("%s: bare gfenroll", where)
		return ""
	}
	c := registry.Lookup(words[1])
	if c == nil {
		t.Errorf("%s: gfenroll has no command %q", where, words[1])
		return ""
	}
	fs := flag.NewFlagSet(words[1], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := &cli.Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }, Prog: "gfenroll"}
	c.Bind(fs, env)
	if err := fs.Parse(words[2:]); err != nil {
		t.Errorf("%s: %v", where, err)
		return c.Name
	}
	pos, code, done := parseInterspersed(fs, fs.Args(), env, c.Name)
	if done {
		t.Errorf("%s: flags do not parse (exit %d)", where, code)
		return c.Name
	}
	if r := positionalRange[c.Name]; len(pos) < r[0] || len(pos) > r[1] {
		t.Errorf("%s: %d positional arguments %v, want %d to %d", where, len(pos), pos, r[0], r[1])
	}
	return c.Name
}

func TestJustfileRecipesAreValidInvocations(t *testing.T) {
	const sampleRef = "637b7167c400a842cdc7af0709b2251c0542a48a"
	for _, path := range overlayJustfiles {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			recipes, _ := parseJustfile(t, path, map[string]string{"REF": sampleRef})
			for _, name := range []string{"enrollment-preflight", "enrollment-preflight-strict", "arc-app-secret-dry-run",
				"arc-app-secret-apply", "arc-plan", "arc-plan-show", "arc-apply", "pin-refresh"} {
				if recipes[name] == nil {
					t.Errorf("recipe %s is missing", name)
				}
			}
			calls := map[string][]string{}
			for _, r := range recipes {
				for i, line := range r.body {
					for _, cmd := range simpleCommands(line) {
						words := stripEnvAssignments(shellWords(cmd))
						if len(words) == 0 {
							continue
						}
						switch words[0] {
						case "gfenroll":
							if name := checkInvocation(t, r.name+" line "+string(rune('1'+i)), words); name != "" {
								calls[r.name] = append(calls[r.name], name)
							}
						case "tofu", "just":
							calls[r.name] = append(calls[r.name], words[0]+" "+strings.Join(words[1:], " "))
						default:
							t.Errorf("recipe %s runs %q; recipes call gfenroll (or tofu around the guard)", r.name, words[0])
						}
					}
				}
			}

			// The contract of each recipe.
			expect := func(recipe string, seq ...string) {
				got := calls[recipe]
				j := 0
				for _, c := range got {
					if j < len(seq) && strings.HasPrefix(c, seq[j]) {
						j++
					}
				}
				if j < len(seq) {
					t.Errorf("recipe %s runs %q, want in order %q", recipe, got, seq)
				}
			}
			expect("enrollment-preflight", "preflight")
			expect("enrollment-preflight-strict", "preflight")
			expect("arc-app-secret-dry-run", "arc-app-secret")
			expect("arc-app-secret-apply", "arc-app-secret")
			expect("arc-plan", "tofu -chdir=tofu/stacks/arc-runners plan")
			expect("arc-plan-show", "tofu -chdir=tofu/stacks/arc-runners show arc.tfplan", "tofu -chdir=tofu/stacks/arc-runners show -json", "plan-guard")
			expect("arc-apply", "tofu -chdir=tofu/stacks/arc-runners show -json", "plan-guard", "tofu -chdir=tofu/stacks/arc-runners apply arc.tfplan")
			expect("pin-refresh", "pin")

			strict := strings.Join(recipes["enrollment-preflight-strict"].body, "\n")
			if !strings.Contains(strict, "--strict") || !strings.Contains(strict, "GF_EXPECTED_CORE_REF") {
				t.Errorf("enrollment-preflight-strict must pass --strict and honour GF_EXPECTED_CORE_REF: %s", strict)
			}
			if !strings.Contains(strings.Join(recipes["arc-app-secret-dry-run"].body, ""), "--dry-run") ||
				!strings.Contains(strings.Join(recipes["arc-app-secret-apply"].body, ""), "--apply") {
				t.Error("arc-app-secret recipes must pass --dry-run / --apply")
			}
			if len(recipes["pin-refresh"].params) != 1 || recipes["pin-refresh"].params[0] != "REF" {
				t.Errorf("pin-refresh takes REF, got %v", recipes["pin-refresh"].params)
			}

			// Every file a recipe names exists in the overlay.
			dir := filepath.Dir(path)
			for _, r := range recipes {
				for _, line := range r.body {
					for _, m := range regexp.MustCompile(`tofu/stacks/arc-runners/[a-z-]+\.tfvars|-var-file=([a-z-]+\.tfvars)`).FindAllStringSubmatch(line, -1) {
						rel := m[0]
						if m[1] != "" {
							rel = "tofu/stacks/arc-runners/" + m[1]
						}
						if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
							t.Errorf("recipe %s names %s, which the overlay lacks", r.name, rel)
						}
					}
				}
			}
		})
	}
}

// TestJustfilesWithJust runs just itself when it is installed: the files parse, list, and
// every recipe's dry run expands to the command the recipe check validated.
func TestJustfilesWithJust(t *testing.T) {
	just := os.Getenv("JUST")
	if just == "" {
		var err error
		if just, err = exec.LookPath("just"); err != nil {
			t.Skip("just is not installed (npm install -g rust-just, or set $JUST)")
		}
	}
	core := filepath.Join(t.TempDir(), "Justfile")
	if err := os.WriteFile(core, []byte(justBlock(t, coreJustfileDoc)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(just, "--justfile", core, "--dry-run", "implementation-overlay-preflight",
		"../tinyland-infra", "tofu/stacks/arc-runners/tinyland.tfvars", "tinyland-inc/tinyland-infra", "--expected-core-ref", "main", "--strict").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `gfenroll preflight "../tinyland-infra" "tofu/stacks/arc-runners/tinyland.tfvars" "tinyland-inc/tinyland-infra" --expected-core-ref main --strict`) {
		t.Errorf("just --dry-run implementation-overlay-preflight: %v\n%s", err, out)
	}
	for _, path := range overlayJustfiles {
		abs, _ := filepath.Abs(path)
		out, err := exec.Command(just, "--justfile", abs, "--list").CombinedOutput()
		if err != nil {
			t.Fatalf("just --list %s: %v\n%s", path, err, out)
		}
		recipes, order := parseJustfile(t, path, map[string]string{"REF": "main"})
		for _, name := range order {
			if name == "default" {
				continue
			}
			if !strings.Contains(string(out), name) {
				t.Errorf("just --list lacks %s", name)
			}
			args := []string{"--justfile", abs, "--dry-run", name}
			if len(recipes[name].params) > 0 {
				args = append(args, "main")
			}
			cmd := exec.Command(just, args...)
			cmd.Env = append(os.Environ(), "GFENROLL=gfenroll")
			dry, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("just --dry-run %s: %v\n%s", name, err, dry)
				continue
			}
			if got, want := strings.TrimSpace(string(dry)), strings.Join(recipes[name].body, "\n"); got != want {
				t.Errorf("just --dry-run %s:\n%s\nwant:\n%s", name, got, want)
			}
		}
	}
}

// justBlock returns the ```just block of a markdown file.
func justBlock(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```just\n(.*?)```").FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("%s has no ```just block", path)
	}
	return m[1]
}

// coreSamples are the documented invocations of the core recipes.
var coreSamples = map[string]string{
	"implementation-overlay-preflight.OVERLAY":  "../tinyland-infra",
	"implementation-overlay-preflight.TFVARS":   "tofu/stacks/arc-runners/tinyland.tfvars",
	"implementation-overlay-preflight.REPO":     "tinyland-inc/tinyland-infra",
	"implementation-overlay-preflight.FLAGS":    "--expected-core-ref main --strict",
	"implementation-overlay-arc-secret.OVERLAY": "../jesssullivan-infra",
	"implementation-overlay-arc-secret.FLAGS":   "--dry-run",
	"implementation-overlay-pin.OVERLAY":        "../tinyland-infra",
	"implementation-overlay-pin.REF":            "main",
}

func TestCoreJustfileSnippet(t *testing.T) {
	recipes, _ := parseJustText(t, coreJustfileDoc, justBlock(t, coreJustfileDoc), coreSamples)
	want := map[string]string{
		"implementation-overlay-preflight":  "preflight",
		"implementation-overlay-arc-secret": "arc-app-secret",
		"implementation-overlay-pin":        "pin",
	}
	for name, cmd := range want {
		r := recipes[name]
		if r == nil {
			t.Errorf("recipe %s is missing", name)
			continue
		}
		if len(r.body) != 1 {
			t.Errorf("%s: want one command line, got %d", name, len(r.body))
			continue
		}
		words := stripEnvAssignments(shellWords(r.body[0]))
		if len(words) < 2 || words[0] != "gfenroll" || words[1] != cmd {
			t.Errorf("%s runs %v, want gfenroll %s", name, words, cmd)
			continue
		}
		checkInvocation(t, name, words)
	}
	if p := recipes["implementation-overlay-preflight"]; p != nil && strings.Join(p.params, " ") != "OVERLAY TFVARS REPO FLAGS" {
		t.Errorf("implementation-overlay-preflight takes %v, want OVERLAY TFVARS REPO *FLAGS", p.params)
	}
}
