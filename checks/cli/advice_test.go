package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
)

// edit replaces the first old in file (root-relative) with new.
type edit struct{ file, old, new string }

// adviceFix is what an operator does when following a broken case's next action: advice
// is a phrase of that next action (so a reworded action points here), edits and args are
// the mechanical change it asks for.
type adviceFix struct {
	advice string
	edits  []edit
	args   []string // replaces the case's args (VARIANT line 3) when the advice is a flag
}

const (
	tinyTfvars = "tofu/stacks/arc-runners/tinyland.tfvars"
	jessTfvars = "tofu/stacks/arc-runners/jesssullivan.tfvars"
	validate   = ".github/workflows/validate.yml"
	corePin    = "637b7167c400a842cdc7af0709b2251c0542a48a"
	otherPin   = "defff7fb7d1f3457c5270ce2e57ac6077e797b1c"
	// Stand-ins for what the advised `gh api repos/<action>/commits/<tag> --jq .sha` prints:
	// the gate judges the form of a pin (full lowercase SHA), it resolves no tag. The
	// fixtures pin actions/checkout v4.2.2 at checkoutV4.
	checkoutV4   = "11bd71901bbe5b1630ceea73d27597364c9af683"
	actionlintV2 = "3a24062651993d40fed1019b58ac6fbdfbf276cc"
)

// adviceFixes covers every broken case whose next action is a mechanical edit.
var adviceFixes = map[string]adviceFix{
	"admission-declaration-malformed": {advice: "Fix runner_contract.runner_group.allows_public_repositories in config/organization.yaml", edits: []edit{
		{"config/organization.yaml", `allows_public_repositories: "false"`, `allows_public_repositories: false`},
		{"config/organization.yaml", `- "790001234" #`, `- 790001234 #`}}},
	"admission-default-group": {advice: `Set runner_group = "tinyland-honey" in tofu/stacks/arc-runners/tinyland.tfvars`, edits: []edit{{tinyTfvars,
		`runner_group_policy = "organization-restricted"`, "runner_group        = \"tinyland-honey\"\nrunner_group_policy = \"organization-restricted\""}}},
	"admission-default-group-set": {advice: `Set extra_runner_sets.tinyland-nix-heavy.runner_group = "tinyland-honey"`, edits: []edit{{tinyTfvars, `runner_group          = "Default"`, `runner_group          = "tinyland-honey"`}}},
	"admission-empty-roster":      {advice: "List the admitted repository ids under runner_contract.runner_group.selected_repository_ids", edits: []edit{{"config/organization.yaml", "selected_repository_ids: []", "selected_repository_ids: [790001234]"}}},
	"admission-group-mismatch":    {advice: `Set runner_group = "tinyland-honey"`, edits: []edit{{tinyTfvars, `"tinyland-sting"`, `"tinyland-honey"`}}},
	"admission-own-repository": {advice: "Record the decision in a *_ruling field", edits: []edit{{"config/organization.yaml",
		"restricted_to_workflows: false\n", "restricted_to_workflows: false\n    overlay_repository_ruling: \"tinyland-infra validates itself on Honey\"\n"}}},
	"admission-personal-group": {advice: "delete runner_contract.runner_group from config/organization.yaml", edits: []edit{{"config/organization.yaml", `runner_contract:
  runner_group:
    name: jess-runners
    visibility: selected
    allows_public_repositories: false
    restricted_to_workflows: false
    selected_repository_ids: [700000001]
`, ""}}},
	"admission-policy-expired": {advice: `Set runner_group_policy = "organization-restricted"`, edits: []edit{{tinyTfvars, `"legacy-default"`, `"organization-restricted"`}}},
	"admission-policy-unknown": {advice: `Set runner_group_policy = "organization-restricted"`, edits: []edit{{tinyTfvars, `"org-restricted"`, `"organization-restricted"`}}},
	"admission-roster-ignored": {advice: "Set runner_contract.runner_group.visibility: selected", edits: []edit{{"config/organization.yaml", "visibility: all", "visibility: selected"}}},
	"admission-workflow-group": {advice: `to "tinyland-honey"`, edits: []edit{{validate, "group: tinyland-sting", "group: tinyland-honey"}}},
	"admission-zero-capacity":  {advice: "set nix_max_runners above 0", edits: []edit{{tinyTfvars, "nix_max_runners           = 0", "nix_max_runners           = 6"}}},
	"pins-archive-override": {advice: "Replace the archive_override in MODULE.bazel with git_override(", edits: []edit{{"MODULE.bazel",
		`archive_override(
    module_name = "gloriousflywheel",
    urls = ["https://github.com/tinyland-inc/GloriousFlywheel/archive/refs/heads/main.tar.gz"],
    strip_prefix = "GloriousFlywheel-main",`,
		`git_override(
    module_name = "gloriousflywheel",
    remote = "https://github.com/tinyland-inc/GloriousFlywheel.git",
    commit = "` + corePin + `",`}}},
	"pins-core-remote-other-module": {advice: "to the core commit as well", edits: []edit{{"MODULE.bazel", `commit = "` + otherPin + `",
    strip_prefix = "tofu"`, `commit = "` + corePin + `",
    strip_prefix = "tofu"`}}},
	"pins-core-undeclared":      {advice: "Set core.module_name in config/organization.yaml", edits: []edit{{"config/organization.yaml", "\n  repository: tinyland-inc/GloriousFlywheel\n", "\n  repository: tinyland-inc/GloriousFlywheel\n  module_name: gloriousflywheel\n"}}},
	"pins-core-repository-fork": {advice: "Correct the one that names a fork or a typo; never move the build to a fork", edits: []edit{{"config/organization.yaml", "repository: jsullivan/GloriousFlywheel", "repository: tinyland-inc/GloriousFlywheel"}}},
	"pins-drift":                {advice: "otherwise set MODULE.bazel git_override commit back to " + corePin, edits: []edit{{"MODULE.bazel", otherPin, corePin}}},
	// gfenroll pin moves the organization.yaml and MODULE.bazel pins and the workflow-level
	// GF_CORE_REF together; these are the bytes it rewrites.
	"pins-expected-ref-mismatch": {advice: "Refresh both pins together to the expected core commit: gfenroll pin " + otherPin, edits: []edit{
		{"MODULE.bazel", corePin, otherPin}, {"config/organization.yaml", corePin, otherPin},
		{".github/workflows/deploy-arc.yml", corePin, otherPin}}},
	"pins-expected-ref-unresolvable": {advice: "pass the full 40-hex commit SHA as --expected-core-ref", args: []string{"--expected-core-ref", corePin}},
	"pins-git-override-branch":       {advice: `Replace branch = "main" with commit = "<40-hex>"`, edits: []edit{{"MODULE.bazel", `branch = "main",`, `commit = "` + corePin + `",`}}},
	"pins-malformed":                 {advice: "full 40-character lowercase commit SHA", edits: []edit{{"config/organization.yaml", `pinned_commit: "637b7167c400"`, `pinned_commit: "` + corePin + `"`}}},
	"pins-missing-module-override": {advice: `git_override(module_name = "gloriousflywheel", remote = "https://github.com/tinyland-inc/GloriousFlywheel.git", commit = "<40-hex>") to MODULE.bazel`,
		edits: []edit{{"MODULE.bazel", `bazel_dep(name = "gloriousflywheel", version = "0.0.0")`, `bazel_dep(name = "gloriousflywheel", version = "0.0.0")
git_override(
    module_name = "gloriousflywheel",
    remote = "https://github.com/tinyland-inc/GloriousFlywheel.git",
    commit = "` + corePin + `",
)`}}},
	"pins-module-name-mismatch":   {advice: `Set core.module_name in config/organization.yaml to "gloriousflywheel"`, edits: []edit{{"config/organization.yaml", "module_name: glorious_flywheel", "module_name: gloriousflywheel"}}},
	"pins-org-pin-missing":        {advice: "Set core.pinned_commit in config/organization.yaml", edits: []edit{{"config/organization.yaml", "\n  repository: tinyland-inc/GloriousFlywheel\n", "\n  repository: tinyland-inc/GloriousFlywheel\n  pinned_commit: " + corePin + "\n"}}},
	"pins-remote-mismatch":        {advice: "Correct the one that names a fork or a typo; never move the build to a fork", edits: []edit{{"MODULE.bazel", "https://github.com/Jesssullivan/GloriousFlywheel.git", "https://github.com/tinyland-inc/GloriousFlywheel.git"}}},
	"pins-workflow-core-checkout": {advice: "Set ref: " + corePin + " (the pinned commit) on the checkout of tinyland-inc/GloriousFlywheel", edits: []edit{{".github/workflows/arc-deploy.yml", "ref: state-rehome", "ref: " + corePin}}},
	"pins-workflow-core-fetch": {advice: "Build from the pinned checkout (actions/checkout of tinyland-inc/GloriousFlywheel with ref: " + corePin + ") or name the pinned commit in the reference: github:tinyland-inc/GloriousFlywheel/" + corePin + "#<attr>", edits: []edit{{validate,
		`      - name: Enrollment gates from the pinned core
        run: |
          git clone git@github.com:tinyland-inc/GloriousFlywheel.git ../core
          nix run github:tinyland-inc/GloriousFlywheel#gfenroll -- check --overlay-root .`,
		`      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          repository: tinyland-inc/GloriousFlywheel
          ref: ` + corePin + `
          path: core
          ssh-key: ${{ secrets.GF_CORE_DEPLOY_KEY }}
          persist-credentials: false
      - name: Enrollment gates from the pinned core
        run: |
          nix run github:tinyland-inc/GloriousFlywheel/` + corePin + `#gfenroll -- check --overlay-root .`}}},
	"pins-workflow-core-ref-env": {advice: "Set env.GF_CORE_REF at the top of .github/workflows/deploy-arc.yml to the pinned commit " + corePin, edits: []edit{
		{".github/workflows/deploy-arc.yml", "  GF_CORE_REF: main\n", "  GF_CORE_REF: " + corePin + "\n"},
		// and "Delete jobs.plan-apply.env.GF_CORE_REF", the second next action
		{".github/workflows/deploy-arc.yml", "      GF_CORE_REF: " + corePin + "\n", ""}}},
	"pins-workflow-core-uses": {advice: "Use tinyland-inc/GloriousFlywheel/.github/actions/nix-setup@" + corePin + " (the pinned commit)", edits: []edit{{validate, "nix-setup@" + otherPin, "nix-setup@" + corePin}}},
	"pins-workflow-pin":       {advice: "Remove validate.yml from the authority pin's workflows in config/organization.yaml", edits: []edit{{"config/organization.yaml", "workflows: [deploy-arc.yml, validate.yml]", "workflows: [deploy-arc.yml]"}}},

	"taxonomy-cache-wiring": {advice: `Add bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092" to extra_runner_sets.tinyland-nix-heavy-compute-expansion`, edits: []edit{{jessTfvars,
		`    bazel_executor_endpoint = "grpc://gf-reapi-cell.gf-rbe.svc.cluster.local:8980"` + "\n",
		`    bazel_executor_endpoint = "grpc://gf-reapi-cell.gf-rbe.svc.cluster.local:8980"` + "\n" + `    bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"` + "\n"}}},
	"taxonomy-capacity":                {advice: "Lower nix_min_runners", edits: []edit{{jessTfvars, "nix_min_runners           = 3", "nix_min_runners           = 1"}}},
	"taxonomy-config-url":              {advice: "to https://github.com/tinyland-inc.", edits: []edit{{tinyTfvars, `"https://github.com/tinyland-inc/"`, `"https://github.com/tinyland-inc"`}}},
	"taxonomy-consistency-secret-name": {advice: "the same value", edits: []edit{{"config/organization.yaml", "github_app_secret_name: github-app-secret-tinyland", "github_app_secret_name: github-app-secret"}}},
	"taxonomy-estate-collision":        {advice: "prefix it with the owner", edits: []edit{{jessTfvars, `nix_runner_scale_set_name = "tinyland-nix"`, `nix_runner_scale_set_name = "jesssullivan-tinyland-nix"`}}},
	"taxonomy-label-not-published":     {advice: `Add "tinyland-nix-kvm" to extra_runner_sets.tinyland-nix-kvm.runner_labels`, edits: []edit{{tinyTfvars, `runner_labels = ["self-hosted"], max_runners = 1,`, `runner_labels = ["self-hosted", "tinyland-nix-kvm"], max_runners = 1,`}}},
	"taxonomy-extra-set-caches": {advice: `Add attic_server = "http://attic.nix-cache.svc.cluster.local" and bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092" to extra_runner_sets.tinyland-nix-compute-expansion`, edits: []edit{
		{tinyTfvars, "    attic_server          = \"http://attic.nix-cache.svc.cluster.local\"\n  },", "    attic_server          = \"http://attic.nix-cache.svc.cluster.local\"\n    bazel_cache_endpoint  = \"grpc://bazel-cache.bazel-cache.svc.cluster.local:9092\"\n  },"},
		{tinyTfvars, "    runner_type = \"nix\"\n    max_runners = 1\n  }", "    runner_type = \"nix\"\n    max_runners = 1\n    attic_server = \"http://attic.nix-cache.svc.cluster.local\"\n    bazel_cache_endpoint = \"grpc://bazel-cache.bazel-cache.svc.cluster.local:9092\"\n  }"}}},
	"taxonomy-extra-set-config-url": {advice: `Add github_config_url = "https://github.com/tinyland-inc" to extra_runner_sets.tinyland-nix-kvm`, edits: []edit{{tinyTfvars, "tinyland-nix-kvm = { ", `tinyland-nix-kvm = { github_config_url = "https://github.com/tinyland-inc", `}}},
	"taxonomy-label-not-shared-unpublished": {advice: "to the shared capability label the set serves", edits: []edit{{tinyTfvars,
		`runner_label = "tinyland-nix-arm", runner_scale_set_name = "tinyland-nix-arm", runner_labels = ["self-hosted"]`,
		`runner_label = "tinyland-nix-kvm", runner_scale_set_name = "tinyland-nix-arm", runner_labels = ["self-hosted", "tinyland-nix-kvm"]`}}},
	"taxonomy-malformed-label": {advice: "runner_labels in tofu/stacks/arc-runners/tinyland.tfvars to one of the shared capability labels", edits: []edit{{tinyTfvars, `"self-hosted", "tinyland-nix-kvm", "tinyland_nix_kvm"]`, `"self-hosted", "tinyland-nix-kvm"]`}}},
	"taxonomy-org-repo-anchor": {advice: "to the owner scope https://github.com/tinyland-inc", edits: []edit{{tinyTfvars, `"https://github.com/tinyland-inc/tinyland.dev"`, `"https://github.com/tinyland-inc"`}}},
	"taxonomy-owner-label":     {advice: "to the shared capability label this runner provides", edits: []edit{{jessTfvars, `"tinyland-nix-heavy", "jesssullivan-docker"]`, `"tinyland-nix-heavy"]`}}},
	"taxonomy-owner-mismatch":  {advice: "github_config_url in tofu/stacks/arc-runners/tinyland.tfvars to https://github.com/tinyland-inc", edits: []edit{{tinyTfvars, `tinyland-nix-kvm = { github_config_url = "https://github.com/Jesssullivan"`, `tinyland-nix-kvm = { github_config_url = "https://github.com/tinyland-inc"`}}},
	"taxonomy-personal-label":  {advice: "runner_label in tofu/stacks/arc-runners/jesssullivan.tfvars to the shared capability label", edits: []edit{{jessTfvars, `runner_label          = "personal-nix"`, `runner_label          = "tinyland-nix-heavy"`}}},
	"taxonomy-repo-label":      {advice: "runner_label in tofu/stacks/arc-runners/tinyland.tfvars to the shared capability label", edits: []edit{{tinyTfvars, `runner_label          = "tinyland-infra-nix"`, `runner_label          = "tinyland-nix"`}}},
	"taxonomy-runner-type":     {advice: `runner_type = "nix"`, edits: []edit{{tinyTfvars, `runner_type = "docker"`, `runner_type = "nix"`}}},
	"taxonomy-scale-set-duplicate": {advice: "an owner-distinct name", edits: []edit{{tinyTfvars, `runner_scale_set_name = "tinyland-nix-heavy"
    runner_labels = [`, `runner_scale_set_name = "tinyland-nix-compute-expansion"
    runner_labels = [`}}},
	"taxonomy-unknown-label": {advice: "runner_label in tofu/stacks/arc-runners/tinyland.tfvars to one of the shared capability labels", edits: []edit{
		{tinyTfvars, `runner_label          = "tinyland-nix-arm64"`, `runner_label          = "tinyland-nix-heavy"`},
		{tinyTfvars, `"nix", "tinyland-nix-arm64"]`, `"nix", "tinyland-nix-heavy"]`}}},

	"wf-action-not-pinned":   {advice: "to the full commit SHA with the version as a comment: uses: actions/checkout@<40-hex> # v4", edits: []edit{{".github/workflows/enrollment.yml", "uses: actions/checkout@v4", "uses: actions/checkout@" + checkoutV4 + " # v4"}}},
	"wf-checkout-credential": {advice: "Drop token: from the checkout", edits: []edit{{validate, "          persist-credentials: false\n          token: ${{ github.token }}\n", "          persist-credentials: false\n"}}},
	"wf-checkout-persist-credentials": {advice: "Add persist-credentials: false under with: of step #1", edits: []edit{{".github/workflows/enrollment.yaml",
		"uses: actions/checkout@" + checkoutV4 + " # v4.2.2\n", "uses: actions/checkout@" + checkoutV4 + " # v4.2.2\n        with: {persist-credentials: false}\n"}}},
	"wf-default-permissions": {advice: "Add permissions: contents: read at the top level of .github/workflows/enrollment.yml (next to on:)", edits: []edit{{".github/workflows/enrollment.yml", "\njobs:\n", "\npermissions:\n  contents: read\n\njobs:\n"}}},
	"wf-generic-only":        {advice: "Add the shared capability label the job needs (e.g. tinyland-nix)", edits: []edit{{".github/workflows/enrollment.yml", "runs-on: [self-hosted, linux]", "runs-on: [self-hosted, linux, tinyland-nix]"}}},
	"wf-github-hosted-forbidden": {advice: `Move job "actionlint" to a shared self-hosted label (e.g. tinyland-nix), or drop --forbid-github-hosted if GitHub-hosted runners are allowed for this overlay. On a shared label the job must also: Pin raven-actions/actionlint in job "actionlint" of .github/workflows/validate.yml to the full commit SHA with the version as a comment: uses: raven-actions/actionlint@<40-hex> # v2`,
		edits: []edit{{validate, "  actionlint:\n    runs-on: ubuntu-latest", "  actionlint:\n    runs-on: tinyland-nix"}, {validate, "uses: raven-actions/actionlint@v2", "uses: raven-actions/actionlint@" + actionlintV2 + " # v2"}}},
	"wf-group-bad-label":            {advice: "to tinyland-nix-heavy", edits: []edit{{validate, "labels: [self-hosted, nix-heavy]", "labels: tinyland-nix-heavy"}}},
	"wf-matrix-bad-label":           {advice: "to tinyland-nix;", edits: []edit{{validate, "          - tinyland-nix-xl\n", "          - tinyland-nix\n"}}},
	"wf-missing-runs-on":            {advice: "Add runs-on with a shared capability label (e.g. tinyland-nix)", edits: []edit{{".github/workflows/enrollment.yaml", "  gates:\n", "  gates:\n    runs-on: tinyland-nix\n"}}},
	"wf-needs-chain-pr-secrets":     {advice: `Gate job "sign" in .github/workflows/docker-images.yaml to trusted events with if: github.event_name == 'push'`, edits: []edit{{".github/workflows/docker-images.yaml", "  sign:\n    needs: build\n", "  sign:\n    needs: build\n    if: github.event_name == 'push'\n"}}},
	"wf-personal-label":             {advice: `tinyland-nix instead of "personal-nix"`, edits: []edit{{validate, "[self-hosted, personal-nix]", "[self-hosted, tinyland-nix]"}}},
	"wf-pr-environment":             {advice: "or drop environment:", edits: []edit{{validate, "    environment: honey-jesssullivan\n", ""}}},
	"wf-pr-secrets":                 {advice: "with if: github.event_name == 'push'", edits: []edit{{validate, "  cache-publish:\n    needs: [nix-check]\n", "  cache-publish:\n    needs: [nix-check]\n    if: github.event_name == 'push'\n"}}},
	"wf-pr-write-permissions":       {advice: "or gate it to trusted events with if: github.event_name == 'push'", edits: []edit{{".github/workflows/docker-images.yaml", "  push:\n    needs: [build, integration]\n", "  push:\n    needs: [build, integration]\n    if: github.event_name == 'push'\n"}}},
	"wf-pull-request-target":        {advice: "Remove the pull_request_target trigger (use pull_request", edits: []edit{{".github/workflows/enrollment.yml", "  pull_request_target:\n", "  pull_request:\n"}}},
	"wf-repo-label":                 {advice: `tinyland-nix instead of "tinyland-infra-nix"`, edits: []edit{{validate, "[self-hosted, tinyland-infra-nix]", "[self-hosted, tinyland-nix]"}}},
	"wf-reusable-pr-secrets":        {advice: "with if: github.event_name == 'push'", edits: []edit{{".github/workflows/attic-publish.yml", "  publish:\n    runs-on: tinyland-nix\n", "  publish:\n    if: github.event_name == 'push'\n    runs-on: tinyland-nix\n"}}},
	"wf-retired-credential":         {advice: "Replace secrets.GF_CORE_READ_TOKEN in .github/workflows/validate.yml with the credential that replaced it (enrollment.credentials.preferred)", edits: []edit{{validate, "secrets.GF_CORE_READ_TOKEN", "secrets.GF_CORE_DEPLOY_KEY"}}},
	"wf-unresolved-expression":      {advice: "a strategy.matrix list of shared labels", edits: []edit{{validate, "runs-on: ${{ vars.NIX_RUNNER_LABEL }}", "runs-on: ${{ matrix.runner }}\n    strategy:\n      matrix:\n        runner: [tinyland-nix, tinyland-nix-heavy]"}}},
	"wf-workflow-write-permissions": {advice: "Move id-token: write from the workflow-level permissions: of .github/workflows/deploy-arc.yml to the jobs that need it", edits: []edit{{".github/workflows/deploy-arc.yml", "\npermissions:\n  contents: read\n  id-token: write\n", "\npermissions:\n  contents: read\n"}}},
}

// notMechanical are the broken cases whose fix is a decision, not an edit, and why.
var notMechanical = map[string]string{
	"wf-input-runs-on-number": "unusable input (exit 2): there is no next action, the file is rejected",
	// The enrollment cases miss whole files whose values (owner, registration URL, App
	// secret, cluster context) the operator chooses; the advice is the snippet or gfenroll
	// init, whose output passing check is TestInitSkeletonPassesCheck (tools/gfenroll).
	"enrollment-empty":        "new files with values the operator chooses (gfenroll init)",
	"enrollment-nearly-empty": "new keys and tfvars with values the operator chooses (gfenroll init)",
	"enrollment-skeleton-org": "new files with values the operator chooses (gfenroll init)",
}

// Following a broken case's next action fixes it without creating a new problem: after the
// advised edit the case's rules no longer fire, and nothing fires that did not before.
func TestFollowingTheAdviceFixesTheCase(t *testing.T) {
	overlays := filepath.Join(overlaytest.RepoRoot(t), "e2e", "overlays")
	seen := map[string]bool{}
	for _, v := range overlaytest.Variants(t, filepath.Join(overlays, "broken")) {
		seen[v.Name] = true
		if v.Pass {
			continue // a pass case ("rules: none") has no advice to follow
		}
		fix, ok := adviceFixes[v.Name]
		if !ok {
			if _, why := notMechanical[v.Name]; !why {
				t.Errorf("broken case %s has no entry in adviceFixes (or notMechanical with the reason)", v.Name)
			}
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			root := overlaytest.Materialize(t, v.Dir)
			work := filepath.Dir(root)
			for i := 0; i+1 < len(v.Args); i++ {
				if v.Args[i] == "--overlay-root" {
					overlaytest.CopyBase(t, v.Args[i+1], filepath.Join(work, v.Args[i+1]))
				}
			}
			t.Chdir(work)
			before, actions := problems(t, v.Name, v.Args)
			if !strings.Contains(actions, fix.advice) {
				t.Fatalf("the next actions no longer say %q; update the fix to what they advise now:\n%s", fix.advice, actions)
			}
			for _, e := range fix.edits {
				p := filepath.Join(root, filepath.FromSlash(e.file))
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(data), e.old) {
					t.Fatalf("%s does not contain %q", e.file, e.old)
				}
				if err := os.WriteFile(p, []byte(strings.Replace(string(data), e.old, e.new, 1)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := v.Args
			if fix.args != nil {
				args = fix.args
			}
			after, afterActions := problems(t, v.Name, args)
			for _, r := range v.Rules {
				for _, p := range after {
					if strings.HasPrefix(p, r+" ") {
						t.Errorf("after the advised fix %s still fires: %s", r, p)
					}
				}
			}
			was := map[string]bool{}
			for _, p := range before {
				was[p] = true
			}
			for _, p := range after {
				if !was[p] {
					t.Errorf("the advised fix created a new problem: %s\nnext actions now:\n%s", p, afterActions)
				}
			}
		})
	}
	for name := range adviceFixes {
		if !seen[name] {
			t.Errorf("adviceFixes names %s, which is no broken case", name)
		}
	}
}

// problems runs check on the overlay name in the working directory and returns its
// blockers and unexpected warnings ("rule file:line") and its next actions.
func problems(t *testing.T, name string, args []string) ([]string, string) {
	t.Helper()
	res := run(append([]string{"check", "--overlay-root", name, "--format", "json"}, args...)...)
	if res.code == 2 {
		t.Fatalf("check: exit 2\n%s", res.stderr)
	}
	rep, err := finding.Decode([]byte(res.stdout))
	if err != nil {
		t.Fatalf("check output: %v", err)
	}
	var out []string
	var actions strings.Builder
	for _, f := range rep.Findings {
		if f.Severity == finding.Blocker || (f.Severity == finding.Warning && !f.Expected) {
			out = append(out, f.Rule+" "+f.File)
			actions.WriteString(f.NextAction + "\n")
		}
	}
	sort.Strings(out)
	return out, actions.String()
}
