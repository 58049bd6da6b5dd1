# tinyland-inc ARC runner stack on Honey.
#
# Scale-set names are registration identities; workflows target the shared capability
# labels (tinyland-nix, tinyland-nix-heavy, ...). Keep this file consistent with
# config/organization.yaml (App secret, config URL, cluster context, caches).

cluster_context      = "honey"
github_config_url    = "https://github.com/tinyland-inc"
github_config_secret = "github-app-secret"

controller_namespace = "arc-systems"
runner_namespace     = "arc-runners"

# --- Built-in lanes --------------------------------------------------------------
nix_runner_name           = "tinyland-nix"
nix_runner_scale_set_name = "tinyland-nix"
nix_min_runners           = 1
nix_max_runners           = 6

docker_runner_name           = "tinyland-docker"
docker_runner_scale_set_name = "tinyland-docker"
deploy_docker_runner         = true
docker_max_runners           = 4

dind_runner_name           = "tinyland-dind"
dind_runner_scale_set_name = "tinyland-dind"
deploy_dind_runner         = true
dind_max_runners           = 2

# --- Caches ----------------------------------------------------------------------
attic_server         = "http://attic.nix-cache.svc.cluster.local"
attic_cache          = "main"
attic_public_key     = "main:Vb5yOq0Zy3L2cQm1bQ8sKx4P7e1Yh9Wd3tXnA6uRf0c="
bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"

# --- Extra scale sets --------------------------------------------------------------
# Every set publishes its workflow label explicitly in runner_labels; ARC never infers
# a label from runner_scale_set_name. Each set names its own URL and caches (not inherited).
extra_runner_sets = {
  # Heavy Nix builds: two 64Gi slots on honey.
  tinyland-nix-heavy = {
    github_config_url     = "https://github.com/tinyland-inc"
    github_config_secret  = "github-app-secret"
    runner_label          = "tinyland-nix-heavy"
    runner_scale_set_name = "tinyland-nix-heavy"
    runner_labels         = ["self-hosted", "linux", "nix", "tinyland-nix-heavy"]
    runner_type           = "nix"
    min_runners           = 0
    max_runners           = 2
    memory_limit          = "64Gi"
    attic_server          = "http://attic.nix-cache.svc.cluster.local"
    bazel_cache_endpoint  = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"
  },

  # Fast-local scratch proof target on sting: same shared label, separate identity.
  "tinyland-nix-compute-expansion" = {
    github_config_url     = "https://github.com/tinyland-inc/tinyland.dev"
    github_config_secret  = "github-app-secret"
    runner_label          = "tinyland-nix"
    runner_scale_set_name = "tinyland-nix-compute-expansion"
    runner_labels = [
      "self-hosted",
      "tinyland-nix",   # the workflow-facing label, published explicitly
    ]
    runner_type = "nix"
    max_runners = 1
    attic_server = "http://attic.nix-cache.svc.cluster.local"
    bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"
  }

  tinyland-nix-kvm = { github_config_url = "https://github.com/tinyland-inc", runner_label = "tinyland-nix-kvm", runner_scale_set_name = "tinyland-nix-kvm", runner_labels = ["self-hosted", "tinyland-nix-kvm"], max_runners = 1, attic_server = "http://attic.nix-cache.svc.cluster.local", bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092" }
}

# Admission: every scale set joins the organization's tinyland-honey runner group
# (config/organization.yaml runner_contract.runner_group), never GitHub's Default group.
runner_group        = "tinyland-honey"
runner_group_policy = "organization-restricted"
