package kube

import (
	"context"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/taxonomy"
)

// TestUnnamedSetsOneAnswer is the regression test for the two derivations that disagreed:
// two extra_runner_sets entries with the same runner_label and no runner_scale_set_name
// register the same scale-set name. The taxonomy gate reports the collision, and the
// preflight expects that same name for both (not two names made from the map keys).
func TestUnnamedSetsOneAnswer(t *testing.T) {
	const rel = "tofu/stacks/arc-runners/acme.tfvars"
	src := `github_config_url    = "https://github.com/acme"
github_config_secret = "acme-app"
extra_runner_sets = {
  heavy-a = { github_config_url = "https://github.com/acme", runner_label = "tinyland-nix-heavy", runner_labels = ["tinyland-nix-heavy"] }
  heavy-b = { github_config_url = "https://github.com/acme", runner_label = "tinyland-nix-heavy", runner_labels = ["tinyland-nix-heavy"] }
}
`
	tv, errs := overlay.ParseTfvars(rel, []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	o := &overlay.Overlay{Tfvars: []*overlay.Tfvars{tv}}

	var model []string
	for _, s := range deploy.Of(o).Stacks[0].ScaleSets[1:] { // after the nix lane
		model = append(model, s.Name.Value)
	}
	var expected []string
	for _, s := range NewExpectations(o).ScaleSets[1:] {
		expected = append(expected, s.Name.Value)
	}
	want := "tinyland-nix-heavy tinyland-nix-heavy"
	if strings.Join(model, " ") != want || strings.Join(expected, " ") != want {
		t.Errorf("scale-set names: model %v, preflight %v; want both %q", model, expected, want)
	}

	rep := taxonomy.Check(context.Background(), o, taxonomy.Options{})
	var dups []string
	for _, f := range rep.Findings {
		if f.Rule == taxonomy.RuleScaleSetDuplicate {
			dups = append(dups, f.Position.String()+" "+f.Message)
		}
	}
	if len(dups) != 1 || !strings.Contains(dups[0], `extra_runner_sets.heavy-b and extra_runner_sets.heavy-a`) || !strings.Contains(dups[0], `"tinyland-nix-heavy"`) || !strings.HasPrefix(dups[0], rel+":5:") {
		t.Errorf("taxonomy duplicates = %q, want one collision on tinyland-nix-heavy at heavy-b's label", dups)
	}
}
