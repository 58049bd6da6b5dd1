package pins

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// parsed is an enrolled overlay with one workflow read by the real parser.
func parsed(t *testing.T, src string) *overlay.Overlay {
	t.Helper()
	o := enrolled()
	wf, errs := overlay.ParseWorkflow(wfF, []byte(src))
	if len(errs) > 0 {
		t.Fatalf("ParseWorkflow: %v", errs)
	}
	o.Workflows = []*overlay.Workflow{wf}
	return o
}

// workflowFindings are the non-ok findings of the workflow rules, "severity rule @line:col".
func workflowFindings(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if IsWorkflowRule(f.Rule) && f.Severity != finding.OK {
			out = append(out, strings.TrimPrefix(f.Severity.String()+" "+f.Rule+" @"+f.Position.String(), ""))
		}
	}
	sort.Strings(out)
	return out
}

// shared is a deploy workflow on a shared label, pinned properly; {env}, {jobenv},
// {ref} and {run} vary per case.
func shared(repl ...string) string {
	src := `on: push
env:
{env}
jobs:
  deploy:
    runs-on: tinyland-nix
{jobenv}    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          repository: tinyland-inc/GloriousFlywheel
{ref}
          path: core
      - run: |
{run}
`
	v := map[string]string{"{env}": "  GF_CORE_REF: " + shaA, "{jobenv}": "", "{ref}": "          ref: ${{ env.GF_CORE_REF }}", "{run}": "          make"}
	for i := 0; i+1 < len(repl); i += 2 {
		v[repl[i]] = repl[i+1]
	}
	for k, x := range v {
		src = strings.ReplaceAll(src, k, x)
	}
	return src
}

func TestFloatingCoreReferences(t *testing.T) {
	f := ".github/workflows/deploy.yml:"
	cases := []struct {
		name   string
		src    string
		mutate func(o *overlay.Overlay)
		want   []string
		msg    string // in the first finding's message or next action
	}{
		{name: "pinned", src: shared()},
		{name: "literal pin ref", src: shared("{ref}", "          ref: "+shaA)},
		{name: "env is a branch", src: shared("{env}", "  GF_CORE_REF: main"),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "3:16"}, msg: "to the pinned commit " + shaA},
		{name: "env is an expression", src: shared("{env}", "  GF_CORE_REF: ${{ vars.GF_CORE_REF }}"),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "3:16"}, msg: "computed at run time"},
		{name: "env upper case", src: shared("{env}", "  GF_CORE_REF: "+strings.ToUpper(shaA)),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "3:16"}, msg: "upper case"},
		{name: "env another commit", src: shared("{env}", "  GF_CORE_REF: "+shaB),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "3:16"}, msg: "another commit"},
		{name: "configured env name", src: shared("{env}", "  GF_CORE_REF: "+shaA+"\n  CORE_PIN: main"),
			mutate: func(o *overlay.Overlay) {
				o.Org.Enrollment.CoreRefEnv = overlay.StringList{Set: true, Values: []overlay.String{str("CORE_PIN", at(orgFile, 30, 5))}}
			},
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "4:13"}},
		{name: "job overrides", src: shared("{jobenv}", "    env:\n      GF_CORE_REF: "+shaA+"\n"),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "8:20"}, msg: "overrides the workflow-level GF_CORE_REF"},
		{name: "missing while read", src: shared("{env}", "  OTHER: x"),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "11:16"}, msg: "the value is empty"},
		{name: "missing while a script reads it", src: shared("{env}", "  OTHER: x", "{ref}", "          ref: "+shaA, "{run}", "          echo ${{ env.GF_CORE_REF }}"),
			want: []string{"blocker pins/workflow-core-ref-env @" + f + "14:20"}},
		{name: "checkout without ref", src: shared("{ref}", ""),
			want: []string{"blocker pins/workflow-core-checkout @" + f + "10:23"}, msg: "default branch"},
		{name: "checkout at a branch", src: shared("{ref}", "          ref: main"),
			want: []string{"blocker pins/workflow-core-checkout @" + f + "11:16"}, msg: "ref: " + shaA},
		{name: "checkout at another commit", src: shared("{ref}", "          ref: "+shaB),
			want: []string{"blocker pins/workflow-core-checkout @" + f + "11:16"}},
		{name: "checkout at an input", src: shared("{ref}", "          ref: ${{ inputs.core_ref }}"),
			want: []string{"blocker pins/workflow-core-checkout @" + f + "11:16"}},
		{name: "checkout of another case of the repository", src: strings.Replace(shared("{ref}", "          ref: main"), "tinyland-inc/GloriousFlywheel", "Tinyland-Inc/gloriousflywheel", 1),
			want: []string{"blocker pins/workflow-core-checkout @" + f + "11:16"}},
		{name: "core action at main", src: shared("{run}", "          make\n      - uses: tinyland-inc/GloriousFlywheel/.github/actions/setup@main"),
			want: []string{"blocker pins/workflow-core-uses @" + f + "15:15"}, msg: "tinyland-inc/GloriousFlywheel/.github/actions/setup@" + shaA},
		{name: "core action at the pin", src: shared("{run}", "          make\n      - uses: tinyland-inc/GloriousFlywheel/.github/actions/setup@"+shaA)},
		{name: "git clone and fetch", src: shared("{run}", "          git clone https://github.com/tinyland-inc/GloriousFlywheel core2\n          git -C core2 fetch git@github.com:tinyland-inc/GloriousFlywheel.git "+shaA+"\n          git fetch ssh://git@github.com/tinyland-inc/GloriousFlywheel main")},
		{name: "nix flake refs", src: shared("{run}", strings.Join([]string{
			"          nix build github:tinyland-inc/GloriousFlywheel#runner",
			"          nix run github:tinyland-inc/GloriousFlywheel/main#gfenroll",
			"          nix develop 'github:tinyland-inc/GloriousFlywheel?ref=release'",
			"          nix build github:tinyland-inc/GloriousFlywheel/" + shaA + "#ok",
			"          nix flake lock --override-input gf \\",
			"            github:tinyland-inc/GloriousFlywheel?rev=" + shaB,
			"          nix shell github:tinyland-inc/GloriousFlywheel/${{ env.GF_CORE_REF }}#ok",
			"          nix build \"github:tinyland-inc/GloriousFlywheel/$GF_CORE_REF#ok\"",
			"          echo github:tinyland-inc/GloriousFlywheel/main # not a nix command",
			"          nix build github:someone/GloriousFlywheel/main#fork-of-nothing",
		}, "\n"))},
	}
	cases[len(cases)-2].want = []string{"blocker pins/workflow-core-fetch @" + f + "14:21", "blocker pins/workflow-core-fetch @" + f + "16:21"}
	cases[len(cases)-2].msg = "outside the pinned checkout"
	cases[len(cases)-1].want = []string{
		"blocker pins/workflow-core-fetch @" + f + "14:21",
		"blocker pins/workflow-core-fetch @" + f + "15:19",
		"blocker pins/workflow-core-fetch @" + f + "16:23",
		"blocker pins/workflow-core-fetch @" + f + "19:13",
	}
	cases[len(cases)-1].msg = "without a revision"
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := parsed(t, c.src)
			if c.mutate != nil {
				c.mutate(o)
			}
			r := Check(context.Background(), o, Options{})
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			g := workflowFindings(r)
			if strings.Join(g, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("findings:\n  %s\nwant:\n  %s\nall: %+v", strings.Join(g, "\n  "), strings.Join(c.want, "\n  "), r.Findings)
			}
			if c.msg != "" {
				var first finding.Finding
				for _, f := range r.Findings {
					if IsWorkflowRule(f.Rule) {
						first = f
						break
					}
				}
				if !strings.Contains(first.Message+" | "+first.NextAction, c.msg) {
					t.Errorf("%q not in %q | %q", c.msg, first.Message, first.NextAction)
				}
			}
		})
	}
}

func TestGitHubHostedJobsKeepTheWarning(t *testing.T) {
	o := parsed(t, strings.Replace(shared("{ref}", "          ref: "+shaB), "tinyland-nix", "ubuntu-latest", 1))
	r := Check(context.Background(), o, Options{})
	if g := workflowFindings(r); strings.Join(g, ",") != "warning pins/workflow-pin @.github/workflows/deploy.yml:11:16" {
		t.Fatalf("findings %v", g)
	}
	o = parsed(t, strings.Replace(shared("{ref}", "          ref: main"), "tinyland-nix", "ubuntu-latest", 1))
	if g := workflowFindings(Check(context.Background(), o, Options{})); len(g) != 0 {
		t.Fatalf("a GitHub-hosted job is not judged: %v", g)
	}
}

func TestAuthorityPins(t *testing.T) {
	declare := func(o *overlay.Overlay, commit string, workflows ...string) {
		l := overlay.StringList{Set: true}
		for i, w := range workflows {
			l.Values = append(l.Values, str(w, at(orgFile, 41+i, 9)))
		}
		o.Org.Enrollment.AuthorityPins = append(o.Org.Enrollment.AuthorityPins, overlay.AuthorityPin{
			Commit: str(commit, at(orgFile, 40, 15)), Workflows: l, Reason: str("state rehome", at(orgFile, 44, 15)), Pos: at(orgFile, 40, 7)})
	}
	src := shared("{env}", "  GF_CORE_REF: "+shaB)
	for _, c := range []struct {
		name   string
		commit string
		wfs    []string
		want   []string
	}{
		{"declared for this workflow", shaB, []string{"deploy.yml"}, []string{"info pins/workflow-pin @config/organization.yaml:41:9"}},
		{"declared by path", shaB, []string{".github/workflows/deploy.yml"}, []string{"info pins/workflow-pin @config/organization.yaml:41:9"}},
		{"declared for another workflow", shaB, []string{"validate.yml"}, []string{
			"blocker pins/workflow-core-ref-env @.github/workflows/deploy.yml:3:16",
			"warning pins/workflow-pin @config/organization.yaml:41:9"}},
		{"declared for no workflow", shaB, nil, []string{
			"blocker pins/workflow-core-ref-env @.github/workflows/deploy.yml:3:16",
			"warning pins/workflow-pin @config/organization.yaml:40:7"}},
		{"malformed declaration", shaB[:12], []string{"deploy.yml"}, []string{
			"blocker pins/workflow-core-ref-env @.github/workflows/deploy.yml:3:16"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := parsed(t, src)
			declare(o, c.commit, c.wfs...)
			r := Check(context.Background(), o, Options{})
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if g := workflowFindings(r); strings.Join(g, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(c.want, "\n  "))
			}
			if c.commit != shaB {
				if !strings.Contains(strings.Join(got(r), ","), "blocker pins/malformed @config/organization.yaml:40:15") {
					t.Errorf("malformed authority pin not reported: %v", got(r))
				}
			}
		})
	}
}

func TestModuleNameMismatch(t *testing.T) {
	o := enrolled()
	o.Org.Core.ModuleName.Value = "glorious_flywheeel"
	r := Check(context.Background(), o, Options{})
	g := got(r)
	want := []string{"blocker pins/module-name-mismatch @config/organization.yaml:12:16", "ok pins/drift @config/organization.yaml:13:19"}
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
	f := r.Findings[0]
	if !strings.Contains(f.NextAction, `core.module_name in config/organization.yaml to "glorious_flywheel"`) || strings.Contains(f.NextAction, "bazel_dep") {
		t.Errorf("next action: %s", f.NextAction)
	}
}

// One moved pin is reported once, at the pin that moved, with the workflows that follow
// the other; the workflows are not each blamed.
func TestDriftNamesThePinThatMoved(t *testing.T) {
	o := parsed(t, shared())
	o.Org.Core.PinnedCommit.Value = shaB // organization.yaml moved alone
	r := Check(context.Background(), o, Options{})
	g := got(r)
	if strings.Join(g, "\n") != "blocker pins/drift @config/organization.yaml:13:19" {
		t.Fatalf("findings %v", g)
	}
	f := r.Findings[0]
	for _, want := range []string{"core.pinned_commit moved to " + shaB + " alone", "1 workflow pin (.github/workflows/deploy.yml:3:16) still follow " + shaA, "gfenroll pin", "back to " + shaA, "do not change runner labels or live ARC state"} {
		if !strings.Contains(f.Message+" | "+f.NextAction, want) {
			t.Errorf("%q not in %s | %s", want, f.Message, f.NextAction)
		}
	}

	o = parsed(t, shared())
	o.Module.Overrides[0].Commit.Value = shaB // MODULE.bazel moved alone
	r = Check(context.Background(), o, Options{})
	if g := got(r); strings.Join(g, "\n") != "blocker pins/drift @MODULE.bazel:10:14" {
		t.Fatalf("findings %v", g)
	}
}
