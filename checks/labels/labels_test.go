package labels

import "testing"

func TestWellFormed(t *testing.T) {
	for label, want := range map[string]bool{
		"tinyland-nix":              true,
		"tinyland-nix-heavy":        true,
		"tinyland-docker":           true,
		"tinyland-dind":             true,
		"tinyland-nix-kvm-large":    true,
		"tinyland-rust":             false,
		"tinyland-nix-":             false,
		"Tinyland-nix":              false,
		"tinyland-nix_heavy":        false,
		"personal-nix":              false,
		"jesssullivan-nix":          false,
		"tinyland-nix-tinyland.dev": false,
	} {
		if got := WellFormed(label); got != want {
			t.Errorf("WellFormed(%q) = %v, want %v", label, got, want)
		}
	}
}

func TestMintedReason(t *testing.T) {
	id := Identity{
		Owners:    []string{"Jesssullivan", "tinyland-inc"},
		Repos:     []string{"jesssullivan-infra", "tinyland.dev"},
		ScaleSets: []string{"jesssullivan-nix", "tinyland-nix-heavy-compute-expansion"},
	}
	cases := []struct {
		label  string
		minted bool
	}{
		{"personal-nix", true},
		{"tinyland-nix-personal", true},
		{"jesssullivan-nix", true},
		{"jesssullivan-docker", true},
		{"tinyland-inc-nix", true},
		{"tinyland-dev-nix", true},
		{"tinyland-nix-tinyland-dev", true},
		{"tinyland-nix", false},
		{"tinyland-nix-heavy", false},
		{"tinyland-docker", false},
		{"tinyland-nix-compute", false},
	}
	for _, c := range cases {
		got := MintedReason(c.label, id)
		if (got != "") != c.minted {
			t.Errorf("MintedReason(%q) = %q, want minted=%v", c.label, got, c.minted)
		}
	}
}

func TestIsGitHubHosted(t *testing.T) {
	for label, want := range map[string]bool{
		"ubuntu-latest": true, "ubuntu-24.04-arm": true, "windows-2025": true, "macos-15": true,
		"tinyland-nix": false, "self-hosted": false,
	} {
		if got := IsGitHubHosted(label); got != want {
			t.Errorf("IsGitHubHosted(%q) = %v, want %v", label, got, want)
		}
	}
}

func TestWithoutShared(t *testing.T) {
	id := Identity{Owners: []string{"tinyland-inc"}, ScaleSets: []string{"tinyland-nix", "tinyland-nix-compute-expansion"}}
	if r := MintedReason("tinyland-nix-rust", id); r == "" {
		t.Fatal("precondition: the lane's scale-set name makes the label look minted")
	}
	trimmed := id.WithoutShared(NewSet(Core))
	if r := MintedReason("tinyland-nix-rust", trimmed); r != "" {
		t.Errorf("still minted after WithoutShared: %s", r)
	}
	if r := MintedReason("tinyland-nix-compute-expansion-big", trimmed); r == "" {
		t.Error("a non-shared scale-set prefix must stay minted")
	}
	if len(id.ScaleSets) != 2 {
		t.Error("WithoutShared modified its receiver")
	}
}
