package workflows

import (
	"context"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const (
	checkoutPin = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
	deployKey   = "${{ secrets.GF_CORE_DEPLOY_KEY }}"
)

// hygienic is a workflow that passes every hygiene rule; {on}, {perm}, {job} and {steps}
// are replaced per case.
func hygienic(repl ...string) string {
	src := `name: ci
on: {on}
{perm}
jobs:
  build:
    runs-on: tinyland-nix
{job}    steps:
      - uses: ` + checkoutPin + `
        with:
          persist-credentials: false
{steps}`
	defaults := map[string]string{"{on}": "[push, pull_request]", "{perm}": "permissions:\n  contents: read", "{job}": "", "{steps}": ""}
	for i := 0; i+1 < len(repl); i += 2 {
		defaults[repl[i]] = repl[i+1]
	}
	for k, v := range defaults {
		src = strings.ReplaceAll(src, k, v)
	}
	return src
}

func TestHygiene(t *testing.T) {
	runCases(t, []gateCase{
		{name: "hygienic", hygiene: true, files: wf(hygienic())},
		{name: "tag-pinned checkout", hygiene: true,
			files: wf(strings.Replace(hygienic(), checkoutPin, "actions/checkout@v4", 1)),
			want:  []string{"9:15 blocker workflows/action-not-pinned"},
			msgs:  []string{"gh api repos/actions/checkout/commits/v4 --jq .sha"}},
		{name: "abbreviated and upper-case SHAs, local action and docker digest", hygiene: true,
			files: wf(hygienic("{steps}", `      - uses: actions/cache@11bd719
      - uses: actions/cache@11BD71901BBE5B1630CEEA73D27597364C9AF683
      - uses: ./.github/actions/setup
      - uses: docker://alpine@sha256:`+strings.Repeat("ab", 32)+`
      - uses: docker://alpine:3.20
      - run: echo`)),
			want: []string{"12:15 blocker workflows/action-not-pinned", "13:15 blocker workflows/action-not-pinned", "16:15 blocker workflows/action-not-pinned"},
			msgs: []string{"abbreviated commit", "upper-case commit", "by tag, not by digest"}},
		{name: "GitHub-hosted jobs are not judged", hygiene: true,
			files: wf(strings.Replace(strings.Replace(hygienic(), checkoutPin, "actions/checkout@v4", 1), "tinyland-nix", "ubuntu-latest", 1))},
		{name: "persist-credentials absent and true", hygiene: true,
			files: wf(hygienic("{steps}", "      - uses: "+checkoutPin+"\n      - uses: "+checkoutPin+"\n        with: {persist-credentials: true}\n")),
			want:  []string{"12:15 blocker workflows/checkout-persist-credentials", "14:37 blocker workflows/checkout-persist-credentials"}},
		{name: "job token into a checkout a pull request reaches", hygiene: true,
			files: wf(strings.Replace(hygienic(), "persist-credentials: false", "persist-credentials: false\n          token: ${{ github.token }}", 1)),
			want:  []string{"12:18 blocker workflows/checkout-credential"},
			msgs:  []string{"pull_request reaches the job"}},
		{name: "undeclared deploy key in a push-only job", hygiene: true,
			files: wf(strings.Replace(hygienic("{on}", "push"), "persist-credentials: false", "persist-credentials: false\n          ssh-key: "+deployKey, 1)),
			want:  []string{"12:20 blocker workflows/checkout-credential"},
			msgs:  []string{"does not declare that credential"}},
		{name: "no workflow permissions, a job inherits the default", hygiene: true,
			files: wf(hygienic("{perm}", "")),
			want:  []string{"2:1 blocker workflows/default-permissions"}},
		{name: "no workflow permissions, every job sets its own", hygiene: true,
			files: wf(hygienic("{perm}", "", "{job}", "    permissions: {contents: read}\n")),
			want:  []string{"2:1 warning workflows/default-permissions"}},
		{name: "workflow-level write", hygiene: true,
			files: wf(hygienic("{on}", "push", "{perm}", "permissions:\n  contents: read\n  id-token: write")),
			want:  []string{"5:13 blocker workflows/workflow-write-permissions"}},
		{name: "workflow-level write-all", hygiene: true,
			files: wf(hygienic("{on}", "push", "{perm}", "permissions: write-all")),
			want:  []string{"3:14 blocker workflows/workflow-write-permissions"}},
		{name: "a workflow only others call needs no block", hygiene: true,
			files: wf(hygienic("{on}", "workflow_call", "{perm}", ""))},
	})
}

func TestCheckoutCredentialDeclaredAndGated(t *testing.T) {
	withKey := func(on, jobIf string) string {
		return strings.Replace(hygienic("{on}", on, "{job}", jobIf), "persist-credentials: false", "persist-credentials: false\n          ssh-key: "+deployKey, 1)
	}
	cases := []struct {
		name, src string
		declare   func(e *overlay.EnrollmentConfig)
		want      string
	}{
		{"declared preferred, push only", withKey("push", ""), func(e *overlay.EnrollmentConfig) {
			e.PreferredCredentials = list("GF_CORE_DEPLOY_KEY")
		}, ""},
		{"declared in checkout:, gated job", withKey("[push, pull_request]", "    if: github.event_name == 'push'\n"), func(e *overlay.EnrollmentConfig) {
			e.CheckoutCredentials = list("gf_core_deploy_key")
		}, ""},
		{"declared, but pull requests reach the job", withKey("[push, pull_request]", ""), func(e *overlay.EnrollmentConfig) {
			e.PreferredCredentials = list("GF_CORE_DEPLOY_KEY")
		}, "12:20 blocker workflows/checkout-credential\n12:24 blocker workflows/untrusted-secrets"},
		{"declared, reached through needs of an ungated job", strings.Replace(withKey("[push, pull_request]", "    needs: [test]\n"), "jobs:\n", "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n", 1), func(e *overlay.EnrollmentConfig) {
			e.PreferredCredentials = list("GF_CORE_DEPLOY_KEY")
		}, "16:20 blocker workflows/checkout-credential\n16:24 blocker workflows/untrusted-secrets"},
		{"declared, gated through needs", strings.Replace(withKey("[push, pull_request]", "    needs: [test]\n"), "jobs:\n", "jobs:\n  test:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n", 1), func(e *overlay.EnrollmentConfig) {
			e.PreferredCredentials = list("GF_CORE_DEPLOY_KEY")
		}, ""},
		{"always() runs after a skipped need", strings.Replace(withKey("[push, pull_request]", "    needs: [test]\n    if: always()\n"), "jobs:\n", "jobs:\n  test:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n", 1), func(e *overlay.EnrollmentConfig) {
			e.PreferredCredentials = list("GF_CORE_DEPLOY_KEY")
		}, "18:20 blocker workflows/checkout-credential\n18:24 blocker workflows/untrusted-secrets"},
		{"retired wins over preferred", withKey("push", ""), func(e *overlay.EnrollmentConfig) {
			e.PreferredCredentials = list("GF_CORE_DEPLOY_KEY")
			e.RetiredCredentials = list("GF_CORE_DEPLOY_KEY")
		}, "12:24 blocker workflows/retired-credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := testOverlay(t, wf(c.src))
			c.declare(&o.Org.Enrollment)
			r := checkOverlay(t, o)
			if got := strings.Join(brief(r), "\n"); got != c.want {
				t.Fatalf("findings:\n%s\nwant:\n%s\nfull:\n%s", got, c.want, dump(r))
			}
		})
	}
}

func TestRetiredCredential(t *testing.T) {
	o := testOverlay(t, wf(hygienic("{on}", "push", "{steps}", `      - run: make
        env:
          TOKEN: ${{ secrets.gf_core_read_token }}
          OTHER: ${{ secrets.ATTIC_TOKEN }}
`)+"env:\n  T: ${{ secrets.GF_CORE_READ_TOKEN }}\n"))
	o.Org.Enrollment.RetiredCredentials = list("GF_CORE_READ_TOKEN")
	r := checkOverlay(t, o)
	got := strings.Join(brief(r), "\n")
	want := "14:22 blocker workflows/retired-credential\n17:10 blocker workflows/retired-credential"
	if got != want {
		t.Fatalf("findings:\n%s\nwant:\n%s\nfull:\n%s", got, want, dump(r))
	}
}

func list(names ...string) overlay.StringList {
	l := overlay.StringList{Set: true}
	for i, n := range names {
		l.Values = append(l.Values, overlay.String{Value: n, Set: true, Pos: overlay.Pos{File: "config/organization.yaml", Line: 40 + i, Column: 7}})
	}
	return l
}

func checkOverlay(t *testing.T, o *overlay.Overlay) *finding.Report {
	t.Helper()
	r := Check(context.Background(), o, Options{})
	r.Finalize()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// A reusable workflow called by a job that needs an event-gated job runs only for those
// events: the needs: chain of the caller counts too.
func TestNeedsChainThroughAReusableCall(t *testing.T) {
	called := "on: workflow_call\njobs:\n  deploy:\n    runs-on: tinyland-nix\n    steps:\n      - run: make\n        env: {T: '${{ secrets.DEPLOY_TOKEN }}'}\n"
	caller := func(gate string) string {
		return "on: [push, pull_request]\npermissions: {contents: read}\njobs:\n  gate:\n" + gate +
			"    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n  call:\n    needs: gate\n    uses: ./.github/workflows/deploy.yml\n"
	}
	runCases(t, []gateCase{
		{name: "needed job gated to push", files: map[string]string{ci: caller("    if: github.event_name == 'push'\n"), ".github/workflows/deploy.yml": called}},
		{name: "needed job ungated", files: map[string]string{ci: caller(""), ".github/workflows/deploy.yml": called},
			want: []string{".github/workflows/deploy.yml:7:23 blocker workflows/untrusted-secrets"}},
	})
}

// Advice that moves a job onto a shared label also names what the shared-label rules will
// ask of it there, so following it creates no new blocker; a job that already runs on a
// shared label has those findings of its own and keeps its advice unchanged.
func TestAdviceOntoSharedLabel(t *testing.T) {
	exposed := `    steps:
      - uses: actions/checkout@v4
      - uses: raven-actions/actionlint@v2
        env:
          TOKEN: ${{ secrets.LINT_TOKEN }}
`
	demands := []string{
		"uses: actions/checkout@<40-hex> # v4",
		"Add persist-credentials: false under with: of step #1",
		"uses: raven-actions/actionlint@<40-hex> # v2",
		"Gate job \"lint\" in " + ci + " to trusted events",
		"Add permissions: contents: read at the top level of " + ci,
	}
	cases := []struct {
		name, src, rule string
		opts            Options
		want            []string // substrings of the rule's next action, in order
		none            bool     // the next action has no demands
	}{
		{name: "GitHub-hosted, forbidden", opts: Options{ForbidGitHubHosted: true}, rule: RuleGitHubHosted,
			src: "on: [push, pull_request]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n" + exposed, want: demands},
		{name: "generic labels only", rule: RuleNoCapabilityLabel,
			src: "on: [push, pull_request]\njobs:\n  lint:\n    runs-on: [self-hosted, linux]\n" + exposed, want: demands},
		{name: "no runs-on", rule: RuleMissingRunsOn,
			src: "on: [push, pull_request]\njobs:\n  lint:\n" + exposed, want: demands},
		{name: "unknown label", rule: RuleUnknownLabel,
			src: "on: [push, pull_request]\njobs:\n  lint:\n    runs-on: my-runner\n" + exposed, want: demands},
		{name: "hygienic job: nothing to add", opts: Options{ForbidGitHubHosted: true}, rule: RuleGitHubHosted, none: true,
			src: strings.Replace(hygienic(), "runs-on: tinyland-nix", "runs-on: ubuntu-latest", 1)},
		{name: "already on a shared label in another matrix row", rule: RuleUnknownLabel, none: true,
			src: "on: [push, pull_request]\njobs:\n  lint:\n    strategy:\n      matrix:\n        r: [tinyland-nix, my-runner]\n    runs-on: ${{ matrix.r }}\n" + exposed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.opts, wf(tc.src))
			var next []string
			for _, f := range r.Findings {
				if f.Rule == tc.rule {
					next = append(next, f.NextAction)
				}
			}
			if len(next) != 1 {
				t.Fatalf("%d %s findings, want 1:\n%s", len(next), tc.rule, dump(r))
			}
			_, demands, found := strings.Cut(next[0], " On a shared label the job must also: ")
			if tc.none {
				if found {
					t.Fatalf("next action adds demands: %s", next[0])
				}
				return
			}
			if !found {
				t.Fatalf("next action names no demands: %s", next[0])
			}
			at := 0
			for _, w := range tc.want {
				i := strings.Index(demands[at:], w)
				if i < 0 {
					t.Fatalf("demands lack %q (in order):\n%s", w, demands)
				}
				at += i + len(w)
			}
		})
	}
}
