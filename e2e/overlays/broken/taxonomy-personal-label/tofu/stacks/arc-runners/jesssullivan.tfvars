# Jesssullivan ARC runner stack (personal boundary) on Honey.
#
# Scale-set names below are owner registration identities (jesssullivan-*), unique on the
# shared cluster. They are NOT workflow labels.

github_config_url    = "https://github.com/Jesssullivan/jesssullivan-infra" # private anchor
github_config_secret = "github-app-secret-jesssullivan"
cluster_context      = "honey"

# controller_namespace / runner_namespace: core defaults (arc-systems / arc-runners).

nix_runner_name           = "jesssullivan-nix"
nix_runner_scale_set_name = "jesssullivan-nix"
nix_max_runners           = 2

docker_runner_name           = "jesssullivan-docker"
docker_runner_scale_set_name = "jesssullivan-docker"
deploy_docker_runner         = false

dind_runner_name             = "jesssullivan-dind"
dind_runner_scale_set_name   = "jesssullivan-dind"
deploy_dind_runner           = false

attic_server     = "http://attic.nix-cache.svc.cluster.local"
attic_cache      = "main"
attic_public_key = "main:Vb5yOq0Zy3L2cQm1bQ8sKx4P7e1Yh9Wd3tXnA6uRf0c="

bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"

extra_runner_sets = {
  tinyland-nix-heavy-compute-expansion = {
    github_config_url     = "https://github.com/Jesssullivan"
    github_config_secret  = "github-app-secret-jesssullivan"
    runner_label          = "personal-nix"
    runner_scale_set_name = "tinyland-nix-heavy-compute-expansion"
    runner_labels         = ["self-hosted", "nix", "linux", "tinyland-nix-heavy"]
    runner_type           = "nix"
    max_runners           = 1 # a local cap, not a global cap for tinyland-nix-heavy
    attic_server          = "http://attic.nix-cache.svc.cluster.local"
    bazel_cache_endpoint  = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"
  }
}
