package pins

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const (
	shaA = "637b7167c400a842cdc7af0709b2251c0542a48a"
	shaB = "defff7fb7d1f3457c5270ce2e57ac6077e797b1c"
	org  = "config/organization.yaml"
	mod  = "MODULE.bazel"
	wfF  = ".github/workflows/deploy.yml"
)

func at(file string, line, col int) overlay.Pos {
	return overlay.Pos{File: file, Line: line, Column: col}
}

func str(v string, p overlay.Pos) overlay.String { return overlay.String{Value: v, Pos: p, Set: true} }

// enrolled is a minimal overlay whose pins agree: organization.yaml core block at lines 10-13,
// MODULE.bazel bazel_dep at line 5 and git_override at lines 7-11.
func enrolled() *overlay.Overlay {
	o := &overlay.Overlay{Root: "ov"}
	o.Org = &overlay.OrgConfig{File: org}
	o.Org.Core.Pos = at(org, 10, 1)
	o.Org.Core.Repository = str("tinyland-inc/GloriousFlywheel", at(org, 11, 15))
	o.Org.Core.ModuleName = str("glorious_flywheel", at(org, 12, 16))
	o.Org.Core.PinnedCommit = str(shaA, at(org, 13, 19))
	o.Module = &overlay.ModuleFile{
		File: mod,
		Deps: []overlay.BazelDep{
			{Name: str("rules_go", at(mod, 3, 17)), Pos: at(mod, 3, 1)},
			{Name: str("glorious_flywheel", at(mod, 5, 17)), Version: str("0.0.0", at(mod, 5, 48)), Pos: at(mod, 5, 1)},
		},
		Overrides: []overlay.Override{coreGit(shaA)},
	}
	return o
}

func coreGit(commit string) overlay.Override {
	return overlay.Override{
		Kind:       "git_override",
		ModuleName: str("glorious_flywheel", at(mod, 8, 19)),
		Remote:     str("https://github.com/tinyland-inc/GloriousFlywheel.git", at(mod, 9, 14)),
		Commit:     str(commit, at(mod, 10, 14)),
		Pos:        at(mod, 7, 1),
	}
}

// got renders findings as "severity rule @pos" lines, sorted, for comparison.
func got(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s @%s", f.Severity, f.Rule, f.Position))
	}
	sort.Strings(out)
	return out
}

type resolverFunc func(ctx context.Context, name string) (string, error)

func (f resolverFunc) Resolve(ctx context.Context, name string) (string, error) { return f(ctx, name) }
func (f resolverFunc) String() string                                           { return "the test resolver" }

func TestCheck(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(o *overlay.Overlay)
		opts   Options
		want   []string
		// msg, when set, must appear in the first non-ok finding's message.
		msg string
	}{
		{
			name: "enrolled",
			want: []string{"ok pins/drift @config/organization.yaml:13:19"},
		},
		{
			name:   "drift",
			mutate: func(o *overlay.Overlay) { o.Module.Overrides[0].Commit.Value = shaB },
			want:   []string{"blocker pins/drift @config/organization.yaml:13:19"},
			msg:    "is " + shaA + " but MODULE.bazel git_override commit (MODULE.bazel:10:14) is " + shaB,
		},
		{
			name:   "org pin missing",
			mutate: func(o *overlay.Overlay) { o.Org.Core.PinnedCommit = overlay.String{Pos: at(org, 10, 1)} },
			want:   []string{"blocker pins/org-pin-missing @config/organization.yaml:10:1"},
		},
		{
			name:   "no organization.yaml",
			mutate: func(o *overlay.Overlay) { o.Org = nil },
			// MODULE.bazel cannot be judged without core.module_name; only the missing org pin shows.
			want: []string{"blocker pins/org-pin-missing @config/organization.yaml"},
		},
		{
			name:   "core undeclared",
			mutate: func(o *overlay.Overlay) { o.Org.Core.ModuleName = overlay.String{Pos: at(org, 10, 1)} },
			want:   []string{"blocker pins/core-undeclared @config/organization.yaml:10:1"},
			msg:    "core.module_name",
		},
		{
			name:   "malformed org pin abbreviated",
			mutate: func(o *overlay.Overlay) { o.Org.Core.PinnedCommit.Value = shaA[:12] },
			want:   []string{"blocker pins/malformed @config/organization.yaml:13:19"},
			msg:    "config/organization.yaml core.pinned_commit \"637b7167c400\" is an abbreviated commit (12 of 40 hex digits)",
		},
		{
			name:   "malformed module pin upper case",
			mutate: func(o *overlay.Overlay) { o.Module.Overrides[0].Commit.Value = strings.ToUpper(shaA) },
			want:   []string{"blocker pins/malformed @MODULE.bazel:10:14"},
			msg:    "MODULE.bazel git_override commit",
		},
		{
			name:   "malformed org pin branch name",
			mutate: func(o *overlay.Overlay) { o.Org.Core.PinnedCommit.Value = "main" },
			want:   []string{"blocker pins/malformed @config/organization.yaml:13:19"},
			msg:    "not a commit SHA",
		},
		{
			name:   "no MODULE.bazel",
			mutate: func(o *overlay.Overlay) { o.Module = nil },
			want:   []string{"blocker pins/module-pin-missing @MODULE.bazel"},
		},
		{
			name:   "no bazel_dep on the core",
			mutate: func(o *overlay.Overlay) { o.Module.Deps = o.Module.Deps[:1] },
			want:   []string{"blocker pins/module-pin-missing @MODULE.bazel:7:1", "ok pins/drift @config/organization.yaml:13:19"},
			msg:    "override without the dependency pins nothing",
		},
		{
			name:   "no override for the core",
			mutate: func(o *overlay.Overlay) { o.Module.Overrides = nil },
			want:   []string{"blocker pins/module-pin-missing @MODULE.bazel:5:1"},
			msg:    "no git_override",
		},
		{
			name:   "git_override without commit",
			mutate: func(o *overlay.Overlay) { o.Module.Overrides[0].Commit = overlay.String{Pos: at(mod, 7, 1)} },
			want:   []string{"blocker pins/module-pin-missing @MODULE.bazel:7:1"},
		},
		{
			name: "git_override by tag",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides[0].Commit = overlay.String{Pos: at(mod, 7, 1)}
				o.Module.Overrides[0].Tag = str("v1.2.0", at(mod, 10, 11))
			},
			want: []string{"blocker pins/override-kind @MODULE.bazel:10:11"},
			msg:  `follows tag = "v1.2.0" instead of a commit`,
		},
		{
			name: "archive_override of the core",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides[0] = overlay.Override{Kind: "archive_override", ModuleName: str("glorious_flywheel", at(mod, 8, 19)),
					URLs: overlay.StringList{Values: []overlay.String{str("https://github.com/tinyland-inc/GloriousFlywheel/archive/"+shaA+".tar.gz", at(mod, 9, 12))}, Set: true},
					Pos:  at(mod, 7, 1)}
			},
			want: []string{"blocker pins/override-kind @MODULE.bazel:7:1"},
			msg:  "with archive_override",
		},
		{
			name: "local_path_override of the core",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides[0] = overlay.Override{Kind: "local_path_override", ModuleName: str("glorious_flywheel", at(mod, 8, 19)),
					Path: str("../GloriousFlywheel", at(mod, 9, 12)), Pos: at(mod, 7, 1)}
			},
			want: []string{"blocker pins/override-kind @MODULE.bazel:7:1"},
		},
		{
			name: "two overrides of the core",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides = append(o.Module.Overrides, overlay.Override{Kind: "single_version_override",
					ModuleName: str("glorious_flywheel", at(mod, 14, 19)), Pos: at(mod, 13, 1)})
			},
			want: []string{"blocker pins/override-kind @MODULE.bazel:13:1", "ok pins/drift @config/organization.yaml:13:19"},
			msg:  "more than once",
		},
		{
			name: "remote is a fork",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides[0].Remote.Value = "https://github.com/someone/GloriousFlywheel.git"
			},
			want: []string{"blocker pins/remote-mismatch @MODULE.bazel:9:14", "blocker pins/remote-mismatch @config/organization.yaml:11:15", "ok pins/drift @config/organization.yaml:13:19"},
			msg:  "never move the build to a fork",
		},
		{
			name: "remote in ssh form and other case matches",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides[0].Remote.Value = "git@github.com:Tinyland-Inc/gloriousflywheel.git"
			},
			want: []string{"ok pins/drift @config/organization.yaml:13:19"},
		},
		{
			name: "other module fetches the core repository at another commit",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides = append(o.Module.Overrides, overlay.Override{Kind: "git_override",
					ModuleName: str("gf_tofu_modules", at(mod, 14, 19)),
					Remote:     str("https://github.com/tinyland-inc/GloriousFlywheel", at(mod, 15, 14)),
					Commit:     str(shaB, at(mod, 16, 14)), Pos: at(mod, 13, 1)})
			},
			want: []string{"blocker pins/core-remote-other-module @MODULE.bazel:16:14", "ok pins/drift @config/organization.yaml:13:19"},
		},
		{
			name: "other module of the core repository at the same commit is fine",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides = append(o.Module.Overrides, overlay.Override{Kind: "git_override",
					ModuleName: str("gf_tofu_modules", at(mod, 14, 19)),
					Remote:     str("https://github.com/tinyland-inc/GloriousFlywheel", at(mod, 15, 14)),
					Commit:     str(shaA, at(mod, 16, 14)), Pos: at(mod, 13, 1)})
			},
			want: []string{"ok pins/drift @config/organization.yaml:13:19"},
		},
		{
			name: "other module archive from the core repository",
			mutate: func(o *overlay.Overlay) {
				o.Module.Overrides = append(o.Module.Overrides, overlay.Override{Kind: "archive_override",
					ModuleName: str("gf_tofu_modules", at(mod, 14, 19)),
					URLs:       overlay.StringList{Values: []overlay.String{str("https://codeload.github.com/tinyland-inc/GloriousFlywheel/tar.gz/refs/heads/main", at(mod, 15, 12))}, Set: true},
					Pos:        at(mod, 13, 1)})
			},
			want: []string{"blocker pins/core-remote-other-module @MODULE.bazel:15:12", "ok pins/drift @config/organization.yaml:13:19"},
		},
		{
			name: "expected ref as SHA matches",
			opts: Options{ExpectedCoreRef: strings.ToUpper(shaA)},
			want: []string{"ok pins/drift @config/organization.yaml:13:19", "ok pins/expected-ref @config/organization.yaml:13:19"},
		},
		{
			name: "expected ref as SHA differs",
			opts: Options{ExpectedCoreRef: shaB},
			want: []string{
				"blocker pins/expected-ref @MODULE.bazel:10:14",
				"blocker pins/expected-ref @config/organization.yaml:13:19",
				"ok pins/drift @config/organization.yaml:13:19",
			},
			msg: "gfenroll pin " + shaB,
		},
		{
			name: "expected ref name without resolver",
			opts: Options{ExpectedCoreRef: "main"},
			want: []string{"blocker pins/expected-ref @", "ok pins/drift @config/organization.yaml:13:19"},
			msg:  "cannot be resolved hermetically: no local core checkout is configured (GF_CORE_PATH is unset)",
		},
		{
			name: "expected ref name resolved",
			opts: Options{ExpectedCoreRef: "main", Resolver: resolverFunc(func(_ context.Context, n string) (string, error) { return shaA, nil })},
			want: []string{"ok pins/drift @config/organization.yaml:13:19", "ok pins/expected-ref @config/organization.yaml:13:19"},
		},
		{
			name: "expected ref name unresolvable",
			opts: Options{ExpectedCoreRef: "release-9", Resolver: resolverFunc(func(_ context.Context, n string) (string, error) {
				return "", fmt.Errorf("the test resolver does not know %q: %w", n, coreref.ErrNotFound)
			})},
			want: []string{"blocker pins/expected-ref @", "ok pins/drift @config/organization.yaml:13:19"},
			msg:  `expected core ref "release-9" cannot be resolved hermetically: the test resolver does not know "release-9"`,
		},
		{
			name: "expected ref skipped when no pin is usable",
			mutate: func(o *overlay.Overlay) {
				o.Org.Core.PinnedCommit.Value = "x"
				o.Module.Overrides[0].Commit.Value = "y"
			},
			opts: Options{ExpectedCoreRef: shaB},
			want: []string{"blocker pins/malformed @MODULE.bazel:10:14", "blocker pins/malformed @config/organization.yaml:13:19"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := enrolled()
			if c.mutate != nil {
				c.mutate(o)
			}
			r := Check(context.Background(), o, c.opts)
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			g := got(r)
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if strings.Join(g, "\n") != strings.Join(want, "\n") {
				t.Fatalf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
			}
			if c.msg != "" {
				var all []string
				for _, f := range r.Findings {
					if f.Severity != finding.OK {
						all = append(all, f.Message+" | "+f.NextAction)
					}
				}
				if !strings.Contains(strings.Join(all, "\n"), c.msg) {
					t.Errorf("no finding mentions %q:\n%s", c.msg, strings.Join(all, "\n"))
				}
			}
			for _, f := range r.Findings {
				if strings.Contains(f.Message+f.NextAction, "/tmp/") {
					t.Errorf("absolute path in %q", f.Message)
				}
			}
		})
	}
}

func TestDriftNeverSuggestsLabelOrLiveChanges(t *testing.T) {
	o := enrolled()
	o.Module.Overrides[0].Commit.Value = shaB
	r := Check(context.Background(), o, Options{})
	for _, f := range r.Findings {
		if f.Rule != RuleDrift || f.Severity != finding.Blocker {
			continue
		}
		if !strings.Contains(f.NextAction, "gfenroll pin") || !strings.Contains(f.NextAction, "strict preflight") {
			t.Errorf("drift next action lacks the refresh command: %s", f.NextAction)
		}
		if !strings.Contains(f.NextAction, "do not change runner labels or live ARC state") {
			t.Errorf("drift next action must steer away from labels/live state: %s", f.NextAction)
		}
		return
	}
	t.Fatal("no drift blocker")
}

func TestRulesRegisteredAndStable(t *testing.T) {
	r := Check(context.Background(), &overlay.Overlay{}, Options{})
	if len(r.Rules) != len(Rules()) {
		t.Fatalf("Check registered %d rules, Rules() has %d", len(r.Rules), len(Rules()))
	}
	seen := map[string]bool{}
	for _, x := range Rules() {
		if !strings.HasPrefix(x.ID, "pins/") || seen[x.ID] || x.Summary == "" {
			t.Errorf("bad rule %+v", x)
		}
		seen[x.ID] = true
	}
	if r := Check(context.Background(), nil, Options{}); len(r.Findings) != 0 {
		t.Errorf("nil overlay produced findings")
	}
}

func workflow(jobs ...*overlay.Job) *overlay.Workflow {
	return &overlay.Workflow{File: wfF, Jobs: jobs}
}

func TestWorkflowPins(t *testing.T) {
	env := func(k, v string, p overlay.Pos) map[string]overlay.String {
		return map[string]overlay.String{k: str(v, p)}
	}
	cases := []struct {
		name string
		wf   *overlay.Workflow
		want []string
	}{
		{
			name: "workflow env agrees",
			wf:   &overlay.Workflow{File: wfF, Env: env("GF_CORE_REF", shaA, at(wfF, 4, 16))},
		},
		{
			name: "workflow env disagrees",
			wf:   &overlay.Workflow{File: wfF, Env: env("GF_CORE_REF", shaB, at(wfF, 4, 16))},
			want: []string{"warning pins/workflow-pin @.github/workflows/deploy.yml:4:16"},
		},
		{
			name: "job env *_CORE_COMMIT disagrees",
			wf:   workflow(&overlay.Job{ID: str("deploy", at(wfF, 9, 3)), Env: env("GLORIOUS_FLYWHEEL_CORE_COMMIT", shaB, at(wfF, 11, 38))}),
			want: []string{"warning pins/workflow-pin @.github/workflows/deploy.yml:11:38"},
		},
		{
			name: "branch names and expressions are not pins",
			wf: workflow(&overlay.Job{ID: str("deploy", at(wfF, 9, 3)), Env: map[string]overlay.String{
				"GF_CORE_REF":    str("main", at(wfF, 11, 20)),
				"GF_CORE_COMMIT": str("${{ vars.GF_CORE_COMMIT }}", at(wfF, 12, 23)),
				"OTHER_REF":      str(shaB, at(wfF, 13, 18)),
			}}),
		},
		{
			name: "checkout of the core at another commit",
			wf: workflow(&overlay.Job{ID: str("deploy", at(wfF, 9, 3)), Steps: []overlay.Step{
				{Uses: str("actions/checkout@v4", at(wfF, 14, 15))},
				{Uses: str("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", at(wfF, 16, 15)), With: map[string]overlay.String{
					"repository": str("tinyland-inc/GloriousFlywheel", at(wfF, 18, 23)),
					"ref":        str(shaB, at(wfF, 19, 16)),
				}},
			}}),
			want: []string{"warning pins/workflow-pin @.github/workflows/deploy.yml:19:16"},
		},
		{
			name: "checkout of another repository is not a core pin",
			wf: workflow(&overlay.Job{ID: str("deploy", at(wfF, 9, 3)), Steps: []overlay.Step{
				{Uses: str("actions/checkout@v4", at(wfF, 16, 15)), With: map[string]overlay.String{
					"repository": str("tinyland-inc/tinyland-infra", at(wfF, 18, 23)),
					"ref":        str(shaB, at(wfF, 19, 16)),
				}},
			}}),
		},
		{
			name: "core action and reusable workflow pinned elsewhere",
			wf: workflow(&overlay.Job{ID: str("validate", at(wfF, 9, 3)),
				Uses: str("tinyland-inc/GloriousFlywheel/.github/workflows/validate.yml@"+shaB, at(wfF, 10, 11)),
				Steps: []overlay.Step{
					{Uses: str("tinyland-inc/GloriousFlywheel/.github/actions/nix-setup@"+shaA, at(wfF, 14, 15))},
					{Uses: str("tinyland-inc/GloriousFlywheel/.github/actions/attic@"+shaB, at(wfF, 15, 15))},
				}}),
			// A core reusable workflow runs on the core's shared labels whatever the caller's
			// runner: always judged. The step is on no shared label: the old warning.
			want: []string{"blocker pins/workflow-core-uses @.github/workflows/deploy.yml:10:11", "warning pins/workflow-pin @.github/workflows/deploy.yml:15:15"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := enrolled()
			o.Workflows = []*overlay.Workflow{c.wf}
			r := Check(context.Background(), o, Options{})
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			var g []string
			for _, s := range got(r) {
				if !strings.HasPrefix(s, "ok pins/drift") {
					g = append(g, s)
				}
			}
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if strings.Join(g, "\n") != strings.Join(want, "\n") {
				t.Fatalf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
			}
			for _, f := range r.Findings {
				if f.Rule == RuleWorkflowPin && !strings.Contains(f.NextAction, "enrollment.authority_pins") {
					t.Errorf("workflow-pin next action must say how to declare an authority pin: %s", f.NextAction)
				}
			}
		})
	}
}

// TestWorkflowPinExpected shows the personal overlay's shape: the deploy workflow pins another
// authority commit, the overlay declares the warning expected, and nothing fails.
func TestWorkflowPinExpected(t *testing.T) {
	o := enrolled()
	o.Workflows = []*overlay.Workflow{{File: wfF, Env: map[string]overlay.String{"GF_CORE_REF": str(shaB, at(wfF, 4, 16))}}}
	r := Check(context.Background(), o, Options{})
	if unmatched := r.MarkExpected([]string{RuleWorkflowPin}); len(unmatched) != 0 {
		t.Fatalf("unmatched expectations %v", unmatched)
	}
	r.Finalize()
	if r.Summary.Blockers != 0 || r.Summary.Warnings != 0 || r.Summary.ExpectedWarnings != 1 {
		t.Fatalf("summary %+v", r.Summary)
	}
}

// TestExpectedRefThroughGitCheckout runs the gate against a real git checkout.
func TestExpectedRefThroughGitCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q", "-b", "main")
	run("commit", "-q", "--allow-empty", "-m", "core")
	head := run("rev-parse", "HEAD")
	run("tag", "v2.0")

	o := enrolled()
	o.Org.Core.PinnedCommit.Value = head
	o.Module.Overrides[0].Commit.Value = head
	res := coreref.GitCheckout{Dir: dir}

	r := Check(context.Background(), o, Options{ExpectedCoreRef: "v2.0", Resolver: res})
	if g := got(r); len(g) != 2 || g[1] != "ok pins/expected-ref @config/organization.yaml:13:19" {
		t.Fatalf("findings %v", g)
	}

	r = Check(context.Background(), o, Options{ExpectedCoreRef: "no-such-branch", Resolver: res})
	var f *finding.Finding
	for i := range r.Findings {
		if r.Findings[i].Rule == RuleExpectedRef {
			f = &r.Findings[i]
		}
	}
	if f == nil || f.Severity != finding.Blocker {
		t.Fatalf("findings %v", got(r))
	}
	if strings.Contains(f.Message, dir) {
		t.Errorf("message leaks the checkout path: %s", f.Message)
	}
	for _, want := range []string{"GF_CORE_PATH", "40-hex", "gfenroll preflight"} {
		if !strings.Contains(f.NextAction, want) {
			t.Errorf("next action lacks %q: %s", want, f.NextAction)
		}
	}
}

func TestSameRepository(t *testing.T) {
	for _, c := range []struct {
		remote, repo string
		want         bool
	}{
		{"https://github.com/tinyland-inc/GloriousFlywheel.git", "tinyland-inc/GloriousFlywheel", true},
		{"https://github.com/tinyland-inc/GloriousFlywheel/", "tinyland-inc/GloriousFlywheel", true},
		{"git@github.com:tinyland-inc/GloriousFlywheel.git", "tinyland-inc/GloriousFlywheel", true},
		{"ssh://git@github.com:22/tinyland-inc/GloriousFlywheel.git", "tinyland-inc/GloriousFlywheel", true},
		{"https://x-access-token@github.com/TINYLAND-INC/gloriousflywheel", "tinyland-inc/GloriousFlywheel", true},
		{"https://github.com/tinyland-inc/GloriousFlywheel", "github.com/tinyland-inc/GloriousFlywheel", true},
		{"https://ghe.example.com/tinyland-inc/GloriousFlywheel", "tinyland-inc/GloriousFlywheel", false},
		{"https://github.com/tinyland-inc/GloriousFlywheel-infra-overlays", "tinyland-inc/GloriousFlywheel", false},
		{"https://github.com/someone/GloriousFlywheel", "tinyland-inc/GloriousFlywheel", false},
		{"", "tinyland-inc/GloriousFlywheel", false},
		{"https://github.com/", "", false},
	} {
		if got := SameRepository(c.remote, c.repo); got != c.want {
			t.Errorf("SameRepository(%q, %q) = %v", c.remote, c.repo, got)
		}
	}
}

// SkipWorkflowPins and CheckWorkflowPins split the gate along file lines: together they
// report exactly what Check reports, and neither registers the other's rules.
func TestWorkflowPinSplit(t *testing.T) {
	o := enrolled()
	o.Workflows = []*overlay.Workflow{{File: wfF, Env: map[string]overlay.String{"GF_CORE_REF": str(shaB, at(wfF, 4, 16))}}}

	whole := Check(context.Background(), o, Options{})
	skipped := Check(context.Background(), o, Options{SkipWorkflowPins: true})
	alone := CheckWorkflowPins(o)

	ids := func(r *finding.Report) (out []string) {
		for _, f := range r.Findings {
			out = append(out, f.Severity.String()+" "+f.Rule)
		}
		return out
	}
	if got := ids(alone); len(got) != 1 || got[0] != "warning "+RuleWorkflowPin {
		t.Errorf("CheckWorkflowPins findings = %v, want one warning %s", got, RuleWorkflowPin)
	}
	if len(alone.Rules) != len(workflowRuleIDs) {
		t.Errorf("CheckWorkflowPins registered %v, want the %d workflow rules", alone.Rules, len(workflowRuleIDs))
	}
	for _, r := range alone.Rules {
		if !IsWorkflowRule(r.ID) {
			t.Errorf("CheckWorkflowPins registered %s", r.ID)
		}
	}
	for _, f := range skipped.Findings {
		if IsWorkflowRule(f.Rule) {
			t.Errorf("SkipWorkflowPins still reported %s", f.Rule)
		}
	}
	for _, r := range skipped.Rules {
		if IsWorkflowRule(r.ID) {
			t.Errorf("SkipWorkflowPins still registered %s", r.ID)
		}
	}
	if got, want := len(skipped.Findings)+len(alone.Findings), len(whole.Findings); got != want {
		t.Errorf("split reports %d findings, whole gate %d", got, want)
	}
	// A missing MODULE.bazel is the pins gate's business, not the workflow pins'.
	o.Module = nil
	for _, f := range CheckWorkflowPins(o).Findings {
		if !IsWorkflowRule(f.Rule) {
			t.Errorf("CheckWorkflowPins reported %s", f.Rule)
		}
	}
}
