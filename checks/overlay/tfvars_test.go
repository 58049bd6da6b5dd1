package overlay_test

import (
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const tfRel = "tofu/stacks/arc-runners/x.tfvars"

const tfvarsSrc = `# comment
github_config_url    = "https://github.com/tinyland-inc"
github_config_secret = "github-app-secret"
cluster_context      = "honey"
runner_namespace     = "custom-runners"

nix_runner_name           = "tinyland-nix"
nix_runner_scale_set_name = "tinyland-nix"
nix_max_runners           = "6"   # OpenTofu converts "6" to 6
deploy_docker_runner      = true
dind_min_runners          = 0

attic_server = null
unknown_var  = { anything = [1, "two"] }

extra_runner_sets = {
  tinyland-nix-heavy = {
    runner_label          = "tinyland-nix-heavy"
    runner_scale_set_name = "tinyland-nix-heavy"
    runner_labels         = ["self-hosted", "tinyland-nix-heavy"]
    max_runners           = 2
  },
  "quoted-key" = { runner_label = "tinyland-nix", runner_labels = ["é", "tinyland-nix"], min_runners = 1 }
  bare = {
  }
}
`

func mustTfvars(t *testing.T, src string) *overlay.Tfvars {
	t.Helper()
	tv, errs := overlay.ParseTfvars(tfRel, []byte(src))
	if len(errs) > 0 || tv == nil {
		t.Fatalf("ParseTfvars: %v", errs)
	}
	return tv
}

func TestParseTfvarsValuesAndPositions(t *testing.T) {
	tv := mustTfvars(t, tfvarsSrc)
	if tv.GithubConfigURL.Value != "https://github.com/tinyland-inc" || where(tv.GithubConfigURL.Pos) != "2:24" || tv.GithubConfigURL.Pos.File != tfRel {
		t.Errorf("github_config_url = %+v", tv.GithubConfigURL)
	}
	// Defaults: controller namespace absent -> default, unset, at the file.
	if c := tv.ControllerNamespace; c.Set || c.Value != "arc-systems" || c.Pos != (overlay.Pos{File: tfRel}) {
		t.Errorf("controller_namespace = %+v, want default arc-systems unset", c)
	}
	if r := tv.RunnerNamespace; !r.Set || r.Value != "custom-runners" {
		t.Errorf("runner_namespace = %+v", r)
	}
	// null is absent, pointing at the value.
	if a := tv.AtticServer; a.Set || where(a.Pos) != "13:16" {
		t.Errorf("attic_server = null: %+v", a)
	}
	if len(tv.Lanes) != 3 || tv.Lanes[0].Kind != "nix" || tv.Lanes[1].Kind != "docker" || tv.Lanes[2].Kind != "dind" {
		t.Fatalf("lanes = %+v", tv.Lanes)
	}
	nix, docker, dind := tv.Lanes[0], tv.Lanes[1], tv.Lanes[2]
	if nix.MaxRunners.Value != 6 || !nix.MaxRunners.Set || where(nix.MaxRunners.Pos) != "9:29" {
		t.Errorf("nix_max_runners = %+v", nix.MaxRunners)
	}
	if nix.Deploy.Set || !nix.Deployed() || docker.Deploy.Value != true || !docker.Deployed() || dind.Deployed() {
		t.Errorf("deploy defaults: nix %+v docker %+v dind %+v", nix.Deploy, docker.Deploy, dind.Deploy)
	}
	if !dind.MinRunners.Set || dind.MinRunners.Value != 0 {
		t.Errorf("dind_min_runners = 0 must be set: %+v", dind.MinRunners)
	}
	if docker.ScaleSetName.Set {
		t.Errorf("absent docker scale set name is set: %+v", docker.ScaleSetName)
	}

	sets := tv.ExtraRunnerSets
	if len(sets) != 3 || sets[0].Key.Value != "tinyland-nix-heavy" || sets[1].Key.Value != "quoted-key" || sets[2].Key.Value != "bare" {
		t.Fatalf("extra sets in file order: %+v", sets)
	}
	heavy := sets[0]
	checks := []struct {
		name, got, want string
	}{
		{"entry", where(heavy.Pos), "17:3"},
		{"key", where(heavy.Key.Pos), "17:3"},
		{"runner_label", where(heavy.RunnerLabel.Pos), "18:29"},
		{"runner_scale_set_name", where(heavy.RunnerScaleSetName.Pos), "19:29"},
		{"runner_labels", where(heavy.RunnerLabels.Pos), "20:29"},
		{"runner_labels[1]", where(heavy.RunnerLabels.Values[1].Pos), "20:45"},
		{"max_runners", where(heavy.MaxRunners.Pos), "21:29"},
		{"absent runner_type", where(heavy.RunnerType.Pos), "17:3"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("heavy %s at %s, want %s", c.name, c.got, c.want)
		}
	}
	if heavy.MaxRunners.Value != 2 || strings.Join(heavy.RunnerLabels.Strings(), ",") != "self-hosted,tinyland-nix-heavy" || heavy.RunnerType.Set {
		t.Errorf("heavy = %+v", heavy)
	}
	q := sets[1]
	// One-line entry after multi-byte text: byte columns.
	if where(q.Pos) != "23:3" || where(q.RunnerLabel.Pos) != "23:35" || where(q.RunnerLabels.Values[1].Pos) != "23:74" || q.MinRunners.Value != 1 {
		t.Errorf("quoted-key = %+v (label at %s, labels[1] at %s)", q, where(q.RunnerLabel.Pos), where(q.RunnerLabels.Values[1].Pos))
	}
	if b := sets[2]; b.RunnerLabel.Set || where(b.RunnerLabel.Pos) != "24:3" || b.RunnerLabels.Set {
		t.Errorf("empty entry = %+v", b)
	}
}

func TestParseTfvarsInputErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"CR line ends", "# stack\rnix_max_runners = 2\r", "1:8 encoding: line ends with a bare carriage return, which OpenTofu does not read as a line break; save the file with LF (or CRLF) line ends\n"},
		{"string for a number", "nix_max_runners = \"x\"\n",
			"1:19 type: nix_max_runners: expected a whole number, got the string \"x\"\n"},
		{"fraction", "nix_max_runners = 1.5\n", "1:19 type: nix_max_runners: expected a whole number, got 1.5\n"},
		{"list for a string", "github_config_url = [\"a\"]\n", "1:21 type: github_config_url: expected a string, got a list\n"},
		{"string for a bool", "deploy_dind_runner = \"maybe\"\n",
			"1:22 type: deploy_dind_runner: expected a boolean (true or false), got the string \"maybe\"\n"},
		{"string for runner_labels", "extra_runner_sets = {\n  a = {\n    runner_labels = \"tinyland-nix\"\n  }\n}\n",
			"3:21 type: extra_runner_sets[\"a\"].runner_labels: expected a list of strings, got the string \"tinyland-nix\"\n"},
		{"nested wrong type", "extra_runner_sets = {\n  a = { max_runners = \"two\", runner_labels = [\"x\", [\"y\"], null] }\n}\n",
			"2:23 type: extra_runner_sets[\"a\"].max_runners: expected a whole number, got the string \"two\"\n" +
				"2:52 type: extra_runner_sets[\"a\"].runner_labels[1]: expected a string, got a list\n" +
				"2:59 type: extra_runner_sets[\"a\"].runner_labels[2]: expected a string, got null\n"},
		{"entry not an object", "extra_runner_sets = {\n  a = \"x\"\n}\n",
			"2:7 type: extra_runner_sets[\"a\"]: expected an object { runner_label = ..., ... }, got the string \"x\"\n"},
		{"sets not a map", "extra_runner_sets = [\"a\"]\n",
			"1:21 type: extra_runner_sets: expected a map of runner sets ({ name = { runner_label = ..., ... } }), got a list\n"},
		{"duplicate attribute", "cluster_context = \"a\"\ncluster_context = \"b\"\n",
			"2:1 duplicate: duplicate attribute \"cluster_context\" (first set at line 1)\n"},
		{"duplicate set key (bare and quoted)", "extra_runner_sets = {\n  a = {}\n  \"a\" = {}\n}\n",
			"3:3 duplicate: extra_runner_sets: duplicate key \"a\" (first given at line 2)\n"},
		{"duplicate field in a set", "extra_runner_sets = {\n  a = {\n    max_runners = 1\n    max_runners = 2\n  }\n}\n",
			"4:5 duplicate: extra_runner_sets[\"a\"]: duplicate key \"max_runners\" (first given at line 3)\n"},
		{"variable", "github_config_url = var.url\n",
			"1:21 syntax: invalid HCL: github_config_url: Variables not allowed: Variables may not be used here (a .tfvars file holds literal values only)\n"},
		{"function call", "runner_namespace = lower(\"X\")\n",
			"1:20 syntax: invalid HCL: runner_namespace: Function calls not allowed: Functions may not be called here (a .tfvars file holds literal values only)\n"},
		{"variable in a nested value", "extra_runner_sets = {\n  a = { runner_label = local.l }\n}\n",
			"2:24 syntax: invalid HCL: extra_runner_sets[\"a\"].runner_label: Variables not allowed: Variables may not be used here (a .tfvars file holds literal values only)\n"},
		{"block", "variable \"x\" {\n}\n", "1:1 syntax: blocks are not allowed in a variables file (found variable { ... }); write name = value\n"},
		{"missing equals", "cluster_context \"honey\"\n",
			"1:24 syntax: invalid HCL: Invalid block definition: A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header\n"},
		{"unclosed brace", "extra_runner_sets = {\n  a = {\n", "3:1 syntax: invalid HCL: Missing expression: Expected the start of an expression, but found the end of the file\n"},
		{"too deep", "x = " + strings.Repeat("{a = ", 501) + "\n", "1:2505 syntax: brackets nested deeper than 500 levels\n"},
		{"huge exponent literal (decimal text of it would never finish)", "nix_max_runners = 1e400000000\n",
			"1:19 syntax: number literal is too large (more than about 3000 decimal digits)\n"},
		{"huge exponent inside a template", "github_config_url = \"x${1e400000000}\"\n",
			"1:25 syntax: number literal is too large (more than about 3000 decimal digits)\n"},
		{"huge number in a string", "nix_max_runners = \"1e400000000\"\n",
			"1:19 type: nix_max_runners: expected a whole number, got an out-of-range number\n"},
		{"empty", "", "0:0 empty: file is empty\n"},
		{"invalid UTF-8", "a = \"\xc3\x28\"\n", "1:6 encoding: file is not valid UTF-8 (bad byte 0xC3 at offset 5)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := overlay.ParseTfvars(tfRel, []byte(tt.src))
			if got := errSummary(errs); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// Several problems in one file are all reported, and values that could be read are kept.
func TestParseTfvarsCollectsAll(t *testing.T) {
	tv, errs := overlay.ParseTfvars(tfRel, []byte("nix_max_runners = \"x\"\ndind_max_runners = [1]\ncluster_context = \"honey\"\n"))
	if len(errs) != 2 || errs[0].Pos.Line != 1 || errs[1].Pos.Line != 2 {
		t.Errorf("errors = %v", errs)
	}
	if tv == nil || tv.ClusterContext.Value != "honey" {
		t.Errorf("readable values lost: %+v", tv)
	}
}
