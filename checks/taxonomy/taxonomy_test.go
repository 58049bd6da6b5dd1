package taxonomy

import (
	"context"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

func set0(o *overlay.Overlay) *overlay.RunnerSet { return &o.Tfvars[0].ExtraRunnerSets[0] }

func TestCheck(t *testing.T) {
	type tc struct {
		name   string
		base   func() *overlay.Overlay
		mutate func(o *overlay.Overlay)
		opts   Options
		want   []string
		msg    string // must appear in some non-ok finding's message or next action
	}
	cases := []tc{
		{name: "tinyland enrolled", base: tinyland},
		{name: "jess enrolled with its anchor warning", base: jess,
			want: []string{"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:  "owner.account_kind is personal"},

		// labels
		{name: "personal label in an extra set", base: jess,
			mutate: func(o *overlay.Overlay) { set0(o).RunnerLabel.Value = "personal-nix" },
			want:   []string{"blocker taxonomy/minted-label @tofu/stacks/arc-runners/jesssullivan.tfvars:34:29", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:    `"personal"`},
		{name: "repository label", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabel.Value = "tinyland-infra-nix"
				set0(o).RunnerLabels.Values[3].Value = "tinyland-infra-nix"
			},
			want: []string{"blocker taxonomy/minted-label @tofu/stacks/arc-runners/tinyland.tfvars:44:29"},
			msg:  `repository name "tinyland-infra"`},
		{name: "owner label", base: jess,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabels.Values = append(set0(o).RunnerLabels.Values, str("jesssullivan-docker", at(jessTV, 21, 60)))
			},
			want: []string{"blocker taxonomy/minted-label @tofu/stacks/arc-runners/jesssullivan.tfvars:21:60", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:  "extra_runner_sets.tinyland-nix-heavy-compute-expansion.runner_labels"},
		{name: "scale-set prefix label", base: jess,
			mutate: func(o *overlay.Overlay) { set0(o).RunnerLabel.Value = "tinyland-nix-heavy-compute-expansion-big" },
			want:   []string{"blocker taxonomy/minted-label @tofu/stacks/arc-runners/jesssullivan.tfvars:34:29", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:    "scale-set name"},
		{name: "unknown label", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabel.Value = "tinyland-nix-rust"
				set0(o).RunnerLabels.Values[3].Value = "tinyland-nix-rust"
			},
			want: []string{"blocker taxonomy/unknown-label @tofu/stacks/arc-runners/tinyland.tfvars:44:29"},
			msg:  "not a shared capability label"},
		{name: "a scale-set name that is a shared label does not mint its extensions", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabel.Value = "tinyland-nix-heavy-arm"
				set0(o).RunnerLabels.Values[3].Value = "tinyland-nix-heavy-arm"
			},
			want: []string{"blocker taxonomy/unknown-label @tofu/stacks/arc-runners/tinyland.tfvars:44:29"}},
		{name: "malformed label", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabel.Value = "Tinyland-Nix-Heavy"
				set0(o).RunnerLabels.Values[3].Value = "Tinyland-Nix-Heavy"
			},
			want: []string{"blocker taxonomy/malformed-label @tofu/stacks/arc-runners/tinyland.tfvars:44:29"}},
		{name: "generic runner_labels are fine, a hosted one is not", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabels.Values = append(set0(o).RunnerLabels.Values, str("x64", at(tinyTV, 27, 70)), str("ubuntu-latest", at(tinyTV, 27, 80)))
			},
			want: []string{"blocker taxonomy/malformed-label @tofu/stacks/arc-runners/tinyland.tfvars:27:80"}},
		{name: "declared shared labels override the core six", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				o.Org.SharedLabels = list(at(orgF, 30, 5), "tinyland-nix", "tinyland-nix-heavy", "tinyland-nix-kvm", "tinyland-dind")
			},
			// docker lane is deployed but tinyland-docker is not declared shared
			want: []string{"blocker taxonomy/unknown-label @tofu/stacks/arc-runners/tinyland.tfvars:22:32"},
			msg:  "deploy_docker_runner = false"},
		{name: "a minted label declared shared is still minted", base: jess,
			mutate: func(o *overlay.Overlay) {
				o.Org.SharedLabels = list(at(orgF, 30, 5), "tinyland-nix", "tinyland-nix-heavy", "jesssullivan-nix-big")
			},
			want: []string{"blocker taxonomy/minted-label @config/organization.yaml:30:26", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"}},

		// scale sets and publication
		{name: "scale-set name duplicate", base: jess,
			mutate: func(o *overlay.Overlay) { set0(o).RunnerScaleSetName.Value = "jesssullivan-nix" },
			want:   []string{"blocker taxonomy/scale-set-name-duplicate @tofu/stacks/arc-runners/jesssullivan.tfvars:35:29", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:    `both register the scale-set name "jesssullivan-nix"`},
		{name: "helm release duplicate", base: jess,
			mutate: func(o *overlay.Overlay) { set0(o).Key.Value = "jesssullivan-nix" },
			want:   []string{"blocker taxonomy/scale-set-name-duplicate @tofu/stacks/arc-runners/jesssullivan.tfvars:31:3", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:    "Helm release name"},
		{name: "undeployed lane does not collide", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				o.Tfvars[0].Lanes[2].Deploy.Value = false
				o.Tfvars[0].Lanes[2].ScaleSetName = str("tinyland-nix-heavy", at(tinyTV, 19, 25))
			}},
		{name: "label without runner_label is inferred from the name", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabel = overlay.String{Pos: at(tinyTV, 22, 3)}
				set0(o).RunnerLabels.Values = set0(o).RunnerLabels.Values[:3]
			},
			want: []string{"blocker taxonomy/label-not-published @tofu/stacks/arc-runners/tinyland.tfvars:41:3"},
			msg:  "inferred from the scale-set name"},
		{name: "label equal to the scale-set name only", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).RunnerLabels.Values = set0(o).RunnerLabels.Values[:3] },
			want:   []string{"blocker taxonomy/label-not-published @tofu/stacks/arc-runners/tinyland.tfvars:44:29"},
			msg:    "inferred from the name"},
		{name: "label equal to the defaulted scale-set name", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerScaleSetName = overlay.String{Pos: at(tinyTV, 22, 3)}
				set0(o).RunnerLabels.Values = set0(o).RunnerLabels.Values[:3]
			},
			want: []string{"blocker taxonomy/label-not-published @tofu/stacks/arc-runners/tinyland.tfvars:44:29"},
			msg:  "runner_scale_set_name is unset"},
		{name: "runner type mismatch", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).RunnerType.Value = "docker" },
			want:   []string{"blocker taxonomy/runner-type @tofu/stacks/arc-runners/tinyland.tfvars:47:29"}},
		{name: "runner type defaults to nix", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				rs := set0(o)
				rs.RunnerType = overlay.String{Pos: rs.Pos}
				rs.RunnerLabel.Value = "tinyland-dind"
				rs.RunnerLabels.Values[3].Value = "tinyland-dind"
			},
			want: []string{"blocker taxonomy/runner-type @tofu/stacks/arc-runners/tinyland.tfvars:44:29"},
			msg:  `core default "nix"`},
		{name: "runner_labels publishes a label of another class", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerLabels.Values = append(set0(o).RunnerLabels.Values, str("tinyland-docker", at(tinyTV, 27, 90)))
			},
			want: []string{"blocker taxonomy/runner-type @tofu/stacks/arc-runners/tinyland.tfvars:27:90"}},
		{name: "runner type unknown", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).RunnerType.Value = "kvm" },
			want:   []string{"blocker taxonomy/runner-type @tofu/stacks/arc-runners/tinyland.tfvars:47:29"}},

		// URLs
		{name: "trailing slash", base: tinyland,
			mutate: func(o *overlay.Overlay) { o.Tfvars[0].GithubConfigURL.Value = "https://github.com/tinyland-inc/" },
			want:   []string{"blocker taxonomy/config-url @tofu/stacks/arc-runners/tinyland.tfvars:8:24"},
			msg:    "ends with a slash"},
		{name: "http and credentials are reported, credentials never echoed", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).GithubConfigURL.Value = "http://user:hunter2@github.com/tinyland-inc"
			},
			want: []string{"blocker taxonomy/config-url @tofu/stacks/arc-runners/tinyland.tfvars:42:29"},
			msg:  "uses http:// instead of https://, carries credentials"},
		{name: "other host", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).GithubConfigURL.Value = "https://gitlab.com/tinyland-inc" },
			want:   []string{"blocker taxonomy/config-url @tofu/stacks/arc-runners/tinyland.tfvars:42:29"}},
		{name: "GHES host declared in organization.yaml", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				o.Org.Owner.GithubConfigURL.Value = "https://ghe.tinyland.dev/tinyland-inc"
				o.Tfvars[0].GithubConfigURL.Value = "https://ghe.tinyland.dev/tinyland-inc"
				set0(o).GithubConfigURL.Value = "https://ghe.tinyland.dev/tinyland-inc"
			}},
		{name: "enterprise scope", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).GithubConfigURL.Value = "https://github.com/enterprises/tinyland" }},
		{name: "owner mismatch", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).GithubConfigURL.Value = "https://github.com/Jesssullivan" },
			want:   []string{"blocker taxonomy/owner-mismatch @tofu/stacks/arc-runners/tinyland.tfvars:42:29"}},
		{name: "owner differs only in case", base: jess,
			mutate: func(o *overlay.Overlay) {
				set0(o).GithubConfigURL.Value = "https://github.com/jesssullivan/jesssullivan-infra"
			},
			want: []string{"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"}},
		{name: "org repo anchor without opt-in", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).GithubConfigURL.Value = "https://github.com/tinyland-inc/tinyland.dev"
			},
			want: []string{"blocker taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/tinyland.tfvars:42:29"},
			msg:  "enrollment.allow_repo_registration_anchor: true"},
		{name: "org repo anchor with enrollment opt-in", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).GithubConfigURL.Value = "https://github.com/tinyland-inc/tinyland.dev"
				o.Org.Enrollment.AllowRepoRegistrationAnchor = overlay.Bool{Value: true, Pos: at(orgF, 40, 35), Set: true}
			},
			want: []string{"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/tinyland.tfvars:42:29"}},
		{name: "org repo anchor with the flag", base: tinyland,
			opts: Options{AllowRepoRegistrationAnchor: true},
			mutate: func(o *overlay.Overlay) {
				set0(o).GithubConfigURL.Value = "https://github.com/tinyland-inc/tinyland.dev"
			},
			want: []string{"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/tinyland.tfvars:42:29"}},
		{name: "personal anchor in the core stack", base: jess, opts: Options{Core: true, AllowRepoRegistrationAnchor: true},
			want: []string{"blocker taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:  "core's own stack"},
		{name: "two anchors", base: jess,
			mutate: func(o *overlay.Overlay) { set0(o).GithubConfigURL.Value = "https://github.com/Jesssullivan/tummycrypt" },
			want:   []string{"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:32:29", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"}},

		// consistency
		{name: "secret name differs", base: tinyland,
			mutate: func(o *overlay.Overlay) { o.Tfvars[0].GithubConfigSecret.Value = "arc-github-app" },
			want:   []string{"blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars:43:29", "blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars:58:29", "blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars:9:24"}},
		{name: "secret name missing in tfvars", base: jess,
			mutate: func(o *overlay.Overlay) {
				o.Tfvars[0].GithubConfigSecret = overlay.String{Pos: overlay.Pos{File: jessTV}}
			},
			want: []string{"blocker taxonomy/consistency @tofu/stacks/arc-runners/jesssullivan.tfvars", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:  "core's default"},
		{name: "secret name missing in organization.yaml", base: jess,
			mutate: func(o *overlay.Overlay) { o.Org.Owner.GithubAppSecretName = overlay.String{Pos: at(orgF, 3, 1)} },
			want:   []string{"blocker taxonomy/consistency @config/organization.yaml:3:1", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"}},
		{name: "cluster context differs", base: tinyland,
			mutate: func(o *overlay.Overlay) { o.Tfvars[0].ClusterContext.Value = "sting" },
			want:   []string{"blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars:7:24"}},
		{name: "config URL differs only by trailing slash is config-url, not consistency", base: tinyland,
			mutate: func(o *overlay.Overlay) { o.Org.Owner.GithubConfigURL.Value = "https://github.com/tinyland-inc/" },
			want:   []string{"blocker taxonomy/config-url @config/organization.yaml:13:22"}},
		{name: "extra set cache endpoint differs", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).BazelCacheEndpoint.Value = "grpc://bazel-cache.other.svc:9092" },
			want:   []string{"blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars:52:29"}},
		{name: "attic key mismatch", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				o.Tfvars[0].AtticPublicKey.Value = "main:l/gpjG5GLg1Gczmn5K97n5iSIRcsaWerICzdXqiBYT8="
			},
			want: []string{"blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars:33:24"}},

		// cache wiring
		{name: "attic server without key anywhere", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				o.Org.Caches.AtticPublicKey = overlay.String{Pos: at(orgF, 18, 3)}
				o.Tfvars[0].AtticPublicKey = overlay.String{Pos: overlay.Pos{File: tinyTV}}
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/tinyland.tfvars:31:24"}},
		{name: "attic server without key, organization.yaml only", base: jess,
			mutate: func(o *overlay.Overlay) {
				o.Org.Caches.AtticPublicKey = overlay.String{}
				o.Tfvars[0].AtticPublicKey = overlay.String{}
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/jesssullivan.tfvars:24:20", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"}},
		{name: "executor without cache in a set", base: jess,
			mutate: func(o *overlay.Overlay) {
				set0(o).BazelCacheEndpoint = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelExecutorEndpoint = str("grpc://gf-reapi-cell.gf-rbe.svc.cluster.local:8980", at(jessTV, 24, 29))
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/jesssullivan.tfvars:24:29", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg:  `Add bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092" to extra_runner_sets.tinyland-nix-heavy-compute-expansion in tofu/stacks/arc-runners/jesssullivan.tfvars (executor-backed mode needs a remote cache).`},
		{name: "executor without cache at top level", base: jess,
			mutate: func(o *overlay.Overlay) {
				o.Tfvars[0].BazelExecutorEndpoint = str("grpc://gf-reapi-cell.gf-rbe.svc.cluster.local:8980", at(jessTV, 13, 29))
				o.Org.Caches.BazelCacheEndpoint = overlay.String{}
				o.Tfvars[0].BazelCacheEndpoint = overlay.String{}
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/jesssullivan.tfvars:13:29", "warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"}},

		// extra sets carry their own registration URL and caches
		{name: "extra set without config URL", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).GithubConfigURL = overlay.String{Pos: set0(o).Pos} },
			want:   []string{"blocker taxonomy/extra-set-config-url @tofu/stacks/arc-runners/tinyland.tfvars:41:3"},
			msg:    `Add github_config_url = "https://github.com/tinyland-inc" to extra_runner_sets.tinyland-nix-heavy in tofu/stacks/arc-runners/tinyland.tfvars`},
		{name: "extra set with an empty config URL", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).GithubConfigURL.Value = " " },
			want:   []string{"blocker taxonomy/extra-set-config-url @tofu/stacks/arc-runners/tinyland.tfvars:41:3"}},
		{name: "nix extra set without attic_server", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).AtticServer = overlay.String{Pos: set0(o).Pos} },
			want:   []string{"blocker taxonomy/extra-set-caches @tofu/stacks/arc-runners/tinyland.tfvars:41:3"},
			msg:    `Add attic_server = "http://attic.nix-cache.svc.cluster.local" to extra_runner_sets.tinyland-nix-heavy in tofu/stacks/arc-runners/tinyland.tfvars; or`},
		{name: "nix extra set without any cache, values from organization.yaml", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).AtticServer = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelCacheEndpoint = overlay.String{Pos: set0(o).Pos}
				o.Tfvars[0].BazelCacheEndpoint = overlay.String{Pos: overlay.Pos{File: tinyTV}}
			},
			want: []string{"blocker taxonomy/consistency @tofu/stacks/arc-runners/tinyland.tfvars",
				"blocker taxonomy/extra-set-caches @tofu/stacks/arc-runners/tinyland.tfvars:41:3"},
			msg: `bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092" to extra_runner_sets.tinyland-nix-heavy`},
		{name: "docker extra set needs only the bazel cache", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				rs := set0(o)
				rs.RunnerType.Value, rs.RunnerLabel.Value, rs.RunnerLabels.Values[3].Value = "docker", "tinyland-docker", "tinyland-docker"
				rs.RunnerLabels.Values = append(rs.RunnerLabels.Values[:1], rs.RunnerLabels.Values[3])
				rs.AtticServer = overlay.String{Pos: rs.Pos}
				rs.BazelCacheEndpoint = overlay.String{Pos: rs.Pos}
			},
			want: []string{"blocker taxonomy/extra-set-caches @tofu/stacks/arc-runners/tinyland.tfvars:41:3"},
			msg:  `(runner_type docker) is not wired to its caches: it sets no bazel_cache_endpoint;`},
		{name: "dind extra set with its bazel cache is wired", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				rs := set0(o)
				rs.RunnerType.Value, rs.RunnerLabel.Value, rs.RunnerLabels.Values[3].Value = "dind", "tinyland-dind", "tinyland-dind"
				rs.RunnerLabels.Values = append(rs.RunnerLabels.Values[:1], rs.RunnerLabels.Values[3])
				rs.AtticServer = overlay.String{Pos: rs.Pos}
			}},
		{name: "unknown runner type is not judged for caches", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).RunnerType.Value = "kvm"
				set0(o).AtticServer = overlay.String{Pos: set0(o).Pos}
			},
			want: []string{"blocker taxonomy/runner-type @tofu/stacks/arc-runners/tinyland.tfvars:47:29"}},
		{name: "cache-exempt extra set", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).AtticServer = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelCacheEndpoint = overlay.String{Pos: set0(o).Pos}
				o.Org.Enrollment.CacheExemptSets = list(at(orgF, 30, 22), "tinyland-nix-heavy")
			}},
		{name: "cache exemption names another set", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).AtticServer = overlay.String{Pos: set0(o).Pos}
				o.Org.Enrollment.CacheExemptSets = list(at(orgF, 30, 22), "tinyland-nix")
			},
			want: []string{"blocker taxonomy/extra-set-caches @tofu/stacks/arc-runners/tinyland.tfvars:41:3"}},
		{name: "personal set without caches and no Attic key anywhere", base: jess,
			mutate: func(o *overlay.Overlay) {
				set0(o).AtticServer = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelCacheEndpoint = overlay.String{Pos: set0(o).Pos}
				o.Org.Caches.AtticPublicKey = overlay.String{}
				o.Tfvars[0].AtticPublicKey = overlay.String{}
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/jesssullivan.tfvars:24:20",
				"blocker taxonomy/extra-set-caches @tofu/stacks/arc-runners/jesssullivan.tfvars:31:3",
				"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg: `Add attic_server = "http://attic.nix-cache.svc.cluster.local" and bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092" to extra_runner_sets.tinyland-nix-heavy-compute-expansion in tofu/stacks/arc-runners/jesssullivan.tfvars, and attic_public_key = "<cache-name>:<public key>" at the top level of tofu/stacks/arc-runners/jesssullivan.tfvars; or, if the set deliberately runs without caches, list "tinyland-nix-heavy-compute-expansion" in enrollment.cache_exempt_sets in config/organization.yaml.`},
		{name: "an exempt set's executor without cache stays a blocker", base: jess,
			mutate: func(o *overlay.Overlay) {
				o.Org.Enrollment.CacheExemptSets = list(at(orgF, 30, 22), "tinyland-nix-heavy-compute-expansion")
				set0(o).AtticServer = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelCacheEndpoint = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelExecutorEndpoint = str("grpc://gf-reapi-cell.gf-rbe.svc.cluster.local:8980", at(jessTV, 42, 29))
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/jesssullivan.tfvars:42:29",
				"warning taxonomy/repo-registration-anchor @tofu/stacks/arc-runners/jesssullivan.tfvars:6:24"},
			msg: "needs a remote cache), or remove extra_runner_sets.tinyland-nix-heavy-compute-expansion.bazel_executor_endpoint."},
		{name: "executor without cache is asked for once", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				set0(o).BazelCacheEndpoint = overlay.String{Pos: set0(o).Pos}
				set0(o).BazelExecutorEndpoint = str("grpc://gf-reapi-cell.gf-rbe.svc.cluster.local:8980", at(tinyTV, 52, 29))
			},
			want: []string{"blocker taxonomy/cache-wiring @tofu/stacks/arc-runners/tinyland.tfvars:52:29"}},

		// capacity
		{name: "min above max", base: tinyland,
			mutate: func(o *overlay.Overlay) { set0(o).MinRunners.Value = 3 },
			want:   []string{"blocker taxonomy/capacity @tofu/stacks/arc-runners/tinyland.tfvars:48:29"}},
		{name: "negative lane max", base: tinyland,
			mutate: func(o *overlay.Overlay) { o.Tfvars[0].Lanes[0].MaxRunners.Value = -1 },
			want:   []string{"blocker taxonomy/capacity @tofu/stacks/arc-runners/tinyland.tfvars:18:29"}},
		{name: "undeployed lane bounds are not judged", base: tinyland,
			mutate: func(o *overlay.Overlay) {
				o.Tfvars[0].Lanes[2].Deploy.Value = false
				o.Tfvars[0].Lanes[2].MaxRunners = num(-3, at(tinyTV, 20, 25))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.base()
			if c.mutate != nil {
				c.mutate(o)
			}
			r := Check(context.Background(), o, c.opts)
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			got, want := findings(r), sorted(c.want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("findings:%s\nwant:%s\nmessages:%s", joined(got), joined(want), joined(messages(r)))
			}
			if c.msg != "" && !strings.Contains(strings.Join(messages(r), "\n"), c.msg) {
				t.Errorf("no finding mentions %q:%s", c.msg, joined(messages(r)))
			}
			for _, m := range messages(r) {
				if strings.Contains(m, "hunter2") {
					t.Errorf("credential echoed: %s", m)
				}
			}
		})
	}
}

func messages(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Message+" | "+f.NextAction)
	}
	return out
}

// TestNextActionsNameFileAndKey: every blocker/warning tells the operator which file and
// which key to change.
func TestNextActionsNameFileAndKey(t *testing.T) {
	o := jess()
	rs := set0(o)
	rs.RunnerLabel.Value = "personal-nix"
	rs.GithubConfigSecret.Value = "other"
	rs.MinRunners = num(5, at(jessTV, 25, 29))
	o.Tfvars[0].ClusterContext.Value = "sting"
	r := Check(context.Background(), o, Options{})
	if len(r.Findings) < 5 {
		t.Fatalf("expected several findings, got%s", joined(findings(r)))
	}
	for _, f := range r.Findings {
		if f.Severity < finding.Warning {
			continue
		}
		if !strings.Contains(f.NextAction, ".tfvars") && !strings.Contains(f.NextAction, "organization.yaml") {
			t.Errorf("%s next action names no file: %s", f.Rule, f.NextAction)
		}
		if f.Line == 0 && f.Rule != RuleConsistency {
			t.Errorf("%s points at a file top, not a value: %s", f.Rule, f.Position)
		}
	}
}

func TestAnchorSeenTwiceIsOneFinding(t *testing.T) {
	o := jess()
	set0(o).GithubConfigURL = str("https://github.com/Jesssullivan/jesssullivan-infra", at(jessTV, 33, 29))
	r := Check(context.Background(), o, Options{})
	n := 0
	for _, f := range r.Findings {
		if f.Rule == RuleRepoAnchor {
			n++
			if !strings.Contains(f.Message, "(also used by "+jessTV+" extra_runner_sets.tinyland-nix-heavy-compute-expansion.github_config_url, "+orgF+" owner.github_config_url)") {
				t.Errorf("anchor message should list the other uses: %s", f.Message)
			}
		}
	}
	if n != 1 {
		t.Fatalf("anchor findings = %d, want 1", n)
	}
	if unmatched := r.MarkExpected([]string{RuleRepoAnchor}); len(unmatched) > 0 {
		t.Fatal(unmatched)
	}
	r.Finalize()
	if r.Summary.Blockers != 0 || r.Summary.Warnings != 0 || r.Summary.ExpectedWarnings != 1 {
		t.Fatalf("summary %+v", r.Summary)
	}
}

func TestRules(t *testing.T) {
	r := Check(context.Background(), nil, Options{})
	if len(r.Rules) != len(OverlayRules()) || len(r.Findings) != 0 {
		t.Fatalf("nil overlay: %d rules, %d findings", len(r.Rules), len(r.Findings))
	}
	seen := map[string]bool{}
	for _, x := range Rules() {
		if !strings.HasPrefix(x.ID, "taxonomy/") || seen[x.ID] || x.Summary == "" || x.Help == "" {
			t.Errorf("bad rule %+v", x)
		}
		seen[x.ID] = true
	}
	if len(Rules()) != len(OverlayRules())+len(EstateRules()) {
		t.Error("Rules() must be the overlay rules followed by the estate rules")
	}
	// An overlay with nothing in it must not panic and reports nothing it cannot see.
	empty := Check(context.Background(), &overlay.Overlay{Tfvars: []*overlay.Tfvars{{File: tinyTV}}}, Options{})
	if err := empty.Validate(); err != nil {
		t.Fatal(err)
	}
}
