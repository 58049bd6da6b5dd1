package scaffold

import (
	"fmt"
	"strings"
)

// CheckoutAction is actions/checkout pinned to a full commit (v4.2.2): shared runners run
// only actions pinned to an immutable commit.
const CheckoutAction = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683" // v4.2.2

// SharedLabel is the capability label the skeleton deploys and its workflow targets.
const SharedLabel = "tinyland-nix"

func (in Inputs) slug() string { return strings.ToLower(in.Owner) }

// configURL is where ARC registers: the owner, or for a personal account its repository.
func (in Inputs) configURL() string {
	if in.AccountKind == Personal {
		return "https://github.com/" + in.Repository
	}
	return "https://github.com/" + in.Owner
}

func (in Inputs) appSecret() string { return "github-app-secret-" + in.slug() }

func (in Inputs) org() string {
	var b strings.Builder
	fmt.Fprintf(&b, `# %s implementation overlay: the deployment facts GloriousFlywheel consumes.
#
# Written by gfenroll init. The core owns modules, runner images and the shared capability
# labels; this file owns who we are, which core commit we run and where our runners live.
# The enrollment gates (gfenroll check, bazel test //enrollment:all) read it together with
# MODULE.bazel and %s; keep them in step.

owner:
  slug: %s
  account_kind: %s
`, in.Owner, in.TfvarsPath(), in.Owner, in.AccountKind)
	if in.Repository != "" {
		fmt.Fprintf(&b, "  repository: %s\n", in.Repository)
	} else {
		b.WriteString("  # repository: <owner>/<overlay-repo>   (the preflight reads its Actions secrets and runs; or pass --repo)\n")
	}
	if in.AccountKind == Personal {
		b.WriteString("  # A personal account has no organization runner groups: ARC registers at this private\n  # repository (a registration anchor, never a workflow label).\n")
	} else {
		b.WriteString("  # Organization-scoped registration: runner groups exist, no repository anchor needed.\n")
	}
	fmt.Fprintf(&b, `  github_config_url: %q
  # Kubernetes secret with the owner's GitHub App credentials, in both ARC namespaces:
  # just arc-app-secret-apply writes it.
  github_app_secret_name: %s

core:
  repository: %s
  module_name: %s
  # Move together with the git_override in MODULE.bazel: gfenroll pin <sha> (just pin-refresh).
  pinned_commit: %q

substrate:
  cluster:
    name: %s
    context: %s

enrollment:
`, in.configURL(), in.appSecret(), in.CoreRepository, in.CoreModule, in.CoreCommit, in.ClusterContext, in.ClusterContext)
	if in.AccountKind == Personal {
		b.WriteString("  # The repository-scoped github_config_url above is the one known, accepted warning.\n  expected_warnings:\n    - taxonomy/repo-registration-anchor\n")
	} else {
		b.WriteString("  expected_warnings: []\n")
	}
	b.WriteString(`  credentials:
    preferred: [GF_CORE_DEPLOY_KEY]   # read-only deploy key of the core repository
    fallback: [GF_CORE_READ_TOKEN]
    info: [ATTIC_TOKEN]
  # Default-branch runs of these workflows on a shared label prove enrollment.
  validation_workflows: [validate.yml]
`)
	return b.String()
}

func (in Inputs) module() string {
	return fmt.Sprintf(`"""%s implementation overlay (written by gfenroll init).

Consumes the reusable GloriousFlywheel core through Bzlmod, pinned at one commit.
"""

module(
    name = %q,
    version = "0.0.0",
)

# Enrollment gates (enrollment / pins / taxonomy / workflows) as bazel test targets.
bazel_dep(name = "gf_enrollment", version = "0.1.0", dev_dependency = True)

# The core. The commit below must equal core.pinned_commit in config/organization.yaml;
# move both together: gfenroll pin <sha> (just pin-refresh <sha>).
bazel_dep(name = %q, version = "0.0.0")
git_override(
    module_name = %q,
    remote = "https://github.com/%s.git",
    commit = %q,
)
`, in.Owner, moduleName(in.Owner), in.CoreModule, in.CoreModule, in.CoreRepository, in.CoreCommit)
}

// moduleName is the overlay's own Bazel module name derived from the owner.
func moduleName(owner string) string {
	return strings.ReplaceAll(strings.ToLower(owner), "-", "_") + "_infra"
}

const rootBuild = `# Written by gfenroll init: lets //enrollment name the overlay's files.
exports_files(
    ["MODULE.bazel", "config/organization.yaml"] + glob(["tofu/stacks/arc-runners/*.tfvars"]),
)

filegroup(
    name = "workflows",
    srcs = glob([".github/workflows/*.yml", ".github/workflows/*.yaml"], allow_empty = True),
    visibility = ["//enrollment:__pkg__"],
)
`

func (in Inputs) tfvars() string {
	s := in.slug()
	return fmt.Sprintf(`# %s ARC runner stack (written by gfenroll init).
#
# Scale-set and release names are registration identities and must be unique on the
# cluster, hence the owner prefix; workflows target the shared capability label
# (%s), never these names. Keep in step with config/organization.yaml.

cluster_context      = %q
github_config_url    = %q
github_config_secret = %q

controller_namespace = "arc-systems"
runner_namespace     = "arc-runners"

# The built-in nix lane serves the shared label %s.
nix_runner_name           = "%s-nix"
nix_runner_scale_set_name = "%s-nix"
nix_min_runners           = 0
nix_max_runners           = 2

# Docker and dind lanes: enable when workflows need them (labels tinyland-docker, tinyland-dind).
deploy_docker_runner = false
deploy_dind_runner   = false
`, in.Owner, SharedLabel, in.ClusterContext, in.configURL(), in.appSecret(), SharedLabel, s, s)
}

func (in Inputs) enrollmentBuild() string {
	var extra strings.Builder
	if in.Repository != "" {
		fmt.Fprintf(&extra, "    repo = %q,\n", in.Repository)
	}
	fmt.Fprintf(&extra, "    context = %q,\n", in.ClusterContext)
	if in.AccountKind == Personal {
		extra.WriteString("    # Personal account: the repository registration anchor is the expected warning.\n    allow_repo_registration_anchor = True,\n    expected_warnings = [\"taxonomy/repo-registration-anchor\"],\n")
	}
	return fmt.Sprintf(`# Written by gfenroll init: the hermetic enrollment gates as bazel tests
# (bazel test //enrollment:all) and the live preflight (bazel run //enrollment:enrollment_preflight).
load("@gf_enrollment//rules:defs.bzl", "enrollment_checks")

enrollment_checks(
    name = "enrollment",
    organization = "//:config/organization.yaml",
    module_bazel = "//:MODULE.bazel",
    tfvars = ["//:%s"],
    workflows = ["//:workflows"],
%s)
`, in.TfvarsPath(), extra.String())
}

func (in Inputs) justfile() string {
	base := strings.TrimPrefix(in.TfvarsPath(), "tofu/stacks/arc-runners/")
	return fmt.Sprintf(`# %s operator entry points (written by gfenroll init).
#
# Each recipe is one gfenroll call (the ARC plan/apply recipes add the tofu call around
# the destroy guard). Set GFENROLL to run another build of the CLI.
# Enrollment sequence: just enrollment-preflight prints the steps and the next actions.

set shell := ["bash", "-euo", "pipefail", "-c"]

gfenroll := env("GFENROLL", "gfenroll")
tfvars := %q
stack := "tofu/stacks/arc-runners"

# List the recipes.
default:
    @just --list

# Hermetic gates: enrollment, pins, taxonomy, workflows (no network).
enrollment-check:
    {{gfenroll}} check --overlay-root . --tfvars {{tfvars}}

# Read-only enrollment preflight: the steps done and left, and the next actions. Never fails on blockers.
enrollment-preflight:
    {{gfenroll}} preflight --overlay-root . --tfvars {{tfvars}}

# Strict preflight: exit 1 on any blocker; GF_EXPECTED_CORE_REF=<sha|branch|tag> asserts the selected core.
enrollment-preflight-strict:
    {{gfenroll}} preflight --overlay-root . --tfvars {{tfvars}} --strict --expected-core-ref "${GF_EXPECTED_CORE_REF:-}"

# Print the ARC GitHub App secret that --apply would write (GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID, GITHUB_APP_PRIVATE_KEY_PATH).
arc-app-secret-dry-run:
    {{gfenroll}} arc-app-secret --dry-run --overlay-root . --tfvars {{tfvars}}

# Write the ARC GitHub App secret into both ARC namespaces (server-side apply, idempotent).
arc-app-secret-apply:
    {{gfenroll}} arc-app-secret --apply --overlay-root . --tfvars {{tfvars}}

# Plan the ARC runner stack into arc.tfplan; review it with arc-plan-show.
arc-plan:
    tofu -chdir={{stack}} plan -var-file=%s -out=arc.tfplan

# Show the saved ARC plan, then run the destroy guard on it (read-only).
arc-plan-show:
    tofu -chdir={{stack}} show arc.tfplan && tofu -chdir={{stack}} show -json arc.tfplan | {{gfenroll}} plan-guard -

# Apply the saved ARC plan only if the destroy guard passes; an intended destroy needs ALLOW_ARC_DESTROY=1.
arc-apply:
    tofu -chdir={{stack}} show -json arc.tfplan | {{gfenroll}} plan-guard - && tofu -chdir={{stack}} apply arc.tfplan

# Move core.pinned_commit and the MODULE.bazel git_override together to REF (SHA, branch or tag).
pin-refresh REF:
    {{gfenroll}} pin "{{REF}}" --overlay-root .

# Report whether both core pins are at REF without writing (exit 1 when they are not).
pin-check REF:
    {{gfenroll}} pin "{{REF}}" --overlay-root . --check
`, in.Owner, in.TfvarsPath(), base)
}

func (in Inputs) workflow() string {
	return fmt.Sprintf(`# Validation on the shared label %[1]s (written by gfenroll init). A successful
# default-branch run of a job here is the enrollment proof the preflight looks for.
name: Validate

on:
  push:
    branches: [main]
  pull_request:

# Read-only token for every job.
permissions:
  contents: read

jobs:
  # Reachable from pull requests: no secrets, no environment, read-only.
  gates:
    runs-on: [self-hosted, %[1]s]
    steps:
      - uses: %[2]s
        with:
          persist-credentials: false
      - name: enrollment gates
        run: bazel test //enrollment:all

  # Default branch only: reads the core at the pinned commit with the read-only deploy key.
  core:
    if: github.event_name == 'push'
    runs-on: [self-hosted, %[1]s]
    steps:
      - uses: %[2]s
        with:
          persist-credentials: false
      - uses: %[2]s
        with:
          repository: %[3]s
          ref: %[4]s
          path: core
          ssh-key: ${{ secrets.GF_CORE_DEPLOY_KEY }}
          persist-credentials: false
      - name: build against the pinned core
        run: nix flake check --print-build-logs
`, SharedLabel, CheckoutAction, in.CoreRepository, in.CoreCommit)
}
