package deploy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const (
	orgRel = "config/organization.yaml"
	tfRel  = "tofu/stacks/arc-runners/acme.tfvars"
)

func load(t *testing.T, org, tfvars string) *overlay.Overlay {
	t.Helper()
	o := &overlay.Overlay{}
	if org != "" {
		oc, errs := overlay.ParseOrg(orgRel, []byte(org))
		if len(errs) > 0 {
			t.Fatalf("ParseOrg: %v", errs)
		}
		o.Org = oc
	}
	if tfvars != "" {
		tv, errs := overlay.ParseTfvars(tfRel, []byte(tfvars))
		if len(errs) > 0 {
			t.Fatalf("ParseTfvars: %v", errs)
		}
		o.Tfvars = []*overlay.Tfvars{tv}
	}
	return o
}

// show renders a value as value@line:col[ default] key, the facts a consumer uses.
func show(v deploy.Value) string {
	d := ""
	if v.Defaulted {
		d = " default"
	}
	return fmt.Sprintf("%q@%d:%d%s %s", v.Value, v.Pos.Line, v.Pos.Column, d, v.Key)
}

func showCount(c deploy.Count) string {
	d := ""
	if c.Defaulted {
		d = " default"
	}
	return fmt.Sprintf("%d@%d:%d%s %s", c.Value, c.Pos.Line, c.Pos.Column, d, c.Key)
}

const orgSrc = `owner:
  slug: acme
  github_config_url: https://github.com/acme
  github_app_secret_name: acme-app
substrate:
  cluster:
    name: honey
    context: honey-ctx
`

// TestStackDefaults pins every stack-level value with and without the tfvars setting it.
func TestStackDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, org, tfvars string
		want              map[string]string
	}{
		{
			name: "empty tfvars, organization.yaml fills identity", org: orgSrc, tfvars: "# nothing\n",
			want: map[string]string{
				"url":        `"https://github.com/acme"@3:22 default github_config_url`,
				"secret":     `"acme-app"@4:27 default github_config_secret`,
				"context":    `"honey-ctx"@8:14 default cluster_context`,
				"ctrl":       `"arc-systems"@0:0 default controller_namespace`,
				"runner":     `"arc-runners"@0:0 default runner_namespace`,
				"group":      `"default"@0:0 default runner_group`,
				"policy":     `""@0:0 default runner_group_policy`,
				"atticCache": `"main"@0:0 default attic_cache`,
				"bazel":      `""@0:0 default bazel_cache_endpoint`,
			},
		},
		{
			name: "no organization.yaml either: the core's defaults", tfvars: "# nothing\n",
			want: map[string]string{
				"url":     `""@0:0 default github_config_url`,
				"secret":  `"github-app-secret"@0:0 default github_config_secret`,
				"context": `""@0:0 default cluster_context`,
			},
		},
		{
			name: "tfvars sets everything", org: orgSrc,
			tfvars: `github_config_url    = "https://github.com/acme/"
github_config_secret = "stack-app"
cluster_context      = "other"
controller_namespace = "ctrl"
runner_namespace     = "runners"
runner_group         = "acme-runners"
runner_group_policy  = "selected"
attic_cache          = "c"
bazel_cache_endpoint = "grpc://cache:9092"
`,
			want: map[string]string{
				"url":        `"https://github.com/acme/"@1:24 github_config_url`,
				"secret":     `"stack-app"@2:24 github_config_secret`,
				"context":    `"other"@3:24 cluster_context`,
				"ctrl":       `"ctrl"@4:24 controller_namespace`,
				"runner":     `"runners"@5:24 runner_namespace`,
				"group":      `"acme-runners"@6:24 runner_group`,
				"policy":     `"selected"@7:24 runner_group_policy`,
				"atticCache": `"c"@8:24 attic_cache`,
				"bazel":      `"grpc://cache:9092"@9:24 bazel_cache_endpoint`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := deploy.Of(load(t, tc.org, tc.tfvars))
			if len(m.Stacks) != 1 {
				t.Fatalf("%d stacks, want 1", len(m.Stacks))
			}
			st := m.Stacks[0]
			got := map[string]deploy.Value{
				"url": st.ConfigURL, "secret": st.ConfigSecret, "context": st.ClusterContext,
				"ctrl": st.ControllerNamespace, "runner": st.RunnerNamespace,
				"group": st.RunnerGroup, "policy": st.RunnerGroupPolicy,
				"atticCache": st.Caches.AtticCache, "bazel": st.Caches.BazelCacheEndpoint,
			}
			for k, want := range tc.want {
				if g := show(got[k]); g != want {
					t.Errorf("%s = %s, want %s", k, g, want)
				}
				if v := got[k]; v.File != tfRel {
					t.Errorf("%s: the key to edit is in %q, want %q", k, v.File, tfRel)
				}
			}
		})
	}
}

const lanesSrc = `github_config_url    = "https://github.com/acme"
github_config_secret = "acme-app"
attic_server         = "http://attic"
bazel_cache_endpoint = "grpc://bazel:9092"

docker_runner_name   = "acme-docker"
deploy_docker_runner = true
docker_max_runners   = 3

deploy_dind_runner        = true
dind_runner_scale_set_name = "acme-dind"
`

// TestLanes pins the built-in lanes: which deploy, their names, labels and capacity.
func TestLanes(t *testing.T) {
	m := deploy.Of(load(t, orgSrc, lanesSrc))
	var got []string
	for _, s := range m.Stacks[0].ScaleSets {
		got = append(got, strings.Join([]string{
			s.What(), "name " + show(s.Name), "release " + show(s.Release), "label " + show(s.Label),
			"type " + s.RunnerType.Value, "min " + showCount(s.MinRunners), "max " + showCount(s.MaxRunners),
			"attic " + s.Caches.AtticServer.Value, "bazel " + s.Caches.BazelCacheEndpoint.Value,
		}, " | "))
	}
	want := []string{
		// nix: deployed by default; every name defaulted, pointing at the file.
		`the built-in nix lane | name "tinyland-nix"@0:0 default nix_runner_scale_set_name | release "gh-nix"@0:0 default nix_runner_name | label "tinyland-nix"@0:0 default  | type nix | min 0@0:0 default nix_min_runners | max 5@0:0 default nix_max_runners | attic http://attic | bazel grpc://bazel:9092`,
		// docker: registered under its label, not its release name; defaults point at the lane.
		`the built-in docker lane | name "tinyland-docker"@7:24 default docker_runner_scale_set_name | release "acme-docker"@6:24 docker_runner_name | label "tinyland-docker"@7:24 default  | type docker | min 0@0:0 default docker_min_runners | max 3@8:24 docker_max_runners | attic  | bazel grpc://bazel:9092`,
		`the built-in dind lane | name "acme-dind"@11:30 dind_runner_scale_set_name | release "gh-dind"@10:29 default dind_runner_name | label "tinyland-dind"@11:30 default  | type dind | min 0@0:0 default dind_min_runners | max 5@0:0 default dind_max_runners | attic  | bazel `,
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("lanes:\n%s\nwant:\n%s", g, w)
	}
	if m.Stacks[0].ScaleSets[0].ConfigSecret.Value != "acme-app" || m.Stacks[0].ScaleSets[0].RunnerGroup.Value != "default" {
		t.Errorf("a lane uses the stack's secret and runner group: %+v", m.Stacks[0].ScaleSets[0])
	}
}

const setsSrc = `github_config_url    = "https://github.com/acme"
github_config_secret = "acme-app"
runner_group         = "acme-runners"
attic_server         = "http://attic"
deploy_nix_runner    = false

extra_runner_sets = {
  named = {
    github_config_url     = "https://github.com/acme/app"
    github_config_secret  = "app-secret"
    runner_label          = "tinyland-nix-heavy"
    runner_scale_set_name = "acme-heavy"
    runner_labels         = ["self-hosted", "tinyland-nix-heavy"]
    runner_type           = "nix"
    runner_group          = "heavy"
    min_runners           = 1
    max_runners           = 2
    attic_server          = "http://own-attic"
  }
  labelled = { runner_label = "tinyland-nix" }
  bare     = {}
}
`

// TestExtraSets pins an extra set's values: its own where written, else the documented
// default, with the key to edit.
func TestExtraSets(t *testing.T) {
	m := deploy.Of(load(t, orgSrc, setsSrc))
	sets := m.Stacks[0].ScaleSets
	if len(sets) != 3 {
		t.Fatalf("%d scale sets, want the three extra sets (nix lane not deployed)", len(sets))
	}
	for _, tc := range []struct {
		set  int
		what string
		got  deploy.Value
		want string
	}{
		{0, "name", sets[0].Name, `"acme-heavy"@12:29 extra_runner_sets.named.runner_scale_set_name`},
		{0, "release", sets[0].Release, `"named"@8:3 the extra_runner_sets key "named"`},
		{0, "label", sets[0].Label, `"tinyland-nix-heavy"@11:29 extra_runner_sets.named.runner_label`},
		{0, "type", sets[0].RunnerType, `"nix"@14:29 extra_runner_sets.named.runner_type`},
		{0, "url", sets[0].ConfigURL, `"https://github.com/acme/app"@9:29 extra_runner_sets.named.github_config_url`},
		{0, "secret", sets[0].ConfigSecret, `"app-secret"@10:29 extra_runner_sets.named.github_config_secret`},
		{0, "group", sets[0].RunnerGroup, `"heavy"@15:29 extra_runner_sets.named.runner_group`},
		{0, "attic", sets[0].Caches.AtticServer, `"http://own-attic"@18:29 extra_runner_sets.named.attic_server`},
		// Without a name the set registers under its label (the core passes runner_label as
		// runnerScaleSetName), not under its key.
		{1, "name", sets[1].Name, `"tinyland-nix"@20:31 default extra_runner_sets.labelled.runner_scale_set_name`},
		{1, "type", sets[1].RunnerType, `"nix"@20:3 default extra_runner_sets.labelled.runner_type`},
		// The set's entry does not inherit the stack's URL: no registration target.
		{1, "url", sets[1].ConfigURL, `""@20:3 default extra_runner_sets.labelled.github_config_url`},
		{1, "secret", sets[1].ConfigSecret, `"acme-app"@2:24 default extra_runner_sets.labelled.github_config_secret`},
		{1, "group", sets[1].RunnerGroup, `"acme-runners"@3:24 default extra_runner_sets.labelled.runner_group`},
		// Extra sets do not inherit the stack's caches.
		{1, "attic", sets[1].Caches.AtticServer, `""@20:3 default extra_runner_sets.labelled.attic_server`},
		{1, "bazel", sets[1].Caches.BazelCacheEndpoint, `""@20:3 default extra_runner_sets.labelled.bazel_cache_endpoint`},
		// The entry has no Attic cache name or key of its own: the stack's apply.
		{0, "attic cache", sets[0].Caches.AtticCache, `"main"@0:0 default attic_cache`},
		{1, "attic key", sets[1].Caches.AtticPublicKey, `""@0:0 default attic_public_key`},
		// Without a label either: the chart's fallback, the release name (the key).
		{2, "name", sets[2].Name, `"bare"@21:3 default extra_runner_sets.bare.runner_scale_set_name`},
		{2, "label", sets[2].Label, `""@21:3 default extra_runner_sets.bare.runner_label`},
	} {
		if g := show(tc.got); g != tc.want {
			t.Errorf("set %d %s = %s, want %s", tc.set, tc.what, g, tc.want)
		}
	}
	if g := showCount(sets[0].MinRunners) + " " + showCount(sets[0].MaxRunners); g != "1@16:29 extra_runner_sets.named.min_runners 2@17:29 extra_runner_sets.named.max_runners" {
		t.Errorf("named capacity = %s", g)
	}
	if g := showCount(sets[2].MaxRunners); g != "5@21:3 default extra_runner_sets.bare.max_runners" {
		t.Errorf("bare max = %s", g)
	}
	if g := strings.Join(sets[0].Labels(), ","); g != "tinyland-nix-heavy,self-hosted" {
		t.Errorf("named serves %s", g)
	}
	if g := sets[1].Labels(); len(g) != 1 || g[0] != "tinyland-nix" || len(sets[2].Labels()) != 0 {
		t.Errorf("labelled serves %v, bare serves %v", g, sets[2].Labels())
	}
	for _, s := range sets {
		if s.Namespace().Value != "arc-runners" || s.Stack != m.Stacks[0] {
			t.Errorf("%s: namespace %q", s.What(), s.Namespace().Value)
		}
	}
}

// TestExplicitEmptyRunnerType: OpenTofu keeps an explicit "" (only null takes the optional
// default), so the model keeps it for the gate to reject.
func TestExplicitEmptyRunnerType(t *testing.T) {
	m := deploy.Of(load(t, "", "extra_runner_sets = { x = { runner_label = \"tinyland-nix\", runner_type = \"\" } }\n"))
	if rt := m.Stacks[0].ScaleSets[1].RunnerType; rt.Defaulted || rt.Value != "" {
		t.Errorf("runner_type = %s, want the explicit empty value", show(rt))
	}
}

// TestOverlayLevel pins the overlay-wide values: context and cluster fall back to the
// first tfvars cluster_context, marked defaulted and editable in organization.yaml.
func TestOverlayLevel(t *testing.T) {
	m := deploy.Of(load(t, orgSrc, "cluster_context = \"x\"\n"))
	if g := show(m.Context) + " | " + show(m.Cluster) + " | " + show(m.AppSecret); g != `"honey-ctx"@8:14 substrate.cluster.context | "honey"@7:11 substrate.cluster.name | "acme-app"@4:27 owner.github_app_secret_name` {
		t.Errorf("overlay values = %s", g)
	}
	m = deploy.Of(load(t, "owner: {slug: acme}\n", "cluster_context = \"x\"\n"))
	if g := show(m.Context) + " | " + show(m.Cluster); g != `"x"@1:19 default substrate.cluster.context | "x"@1:19 default substrate.cluster.name` {
		t.Errorf("fallback = %s", g)
	}
	if m.Context.File != orgRel || m.AppSecret.Value != "" || !m.AppSecret.Defaulted {
		t.Errorf("context key file %q, app secret %s", m.Context.File, show(m.AppSecret))
	}
	if m := deploy.Of(nil); m == nil || len(m.Stacks) != 0 {
		t.Errorf("Of(nil) = %+v", m)
	}
}
