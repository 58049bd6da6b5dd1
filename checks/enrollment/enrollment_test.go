package enrollment

import (
	"context"
	"slices"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

func TestPlaceholder(t *testing.T) {
	for _, v := range []string{"", "  ", "TODO", "todo", "CHANGEME", "change-me", "REPLACE_ME", "xxx", "XXXX", "<owner>",
		"https://github.com/<owner>", "null", "~", "tbd", "FIXME", "github-app-secret-TODO"} {
		if !Placeholder(v) {
			t.Errorf("Placeholder(%q) = false, want true", v)
		}
	}
	for _, v := range []string{"honey", "arc-systems", "https://github.com/tinyland-inc", "github-app-secret", "todoist-infra",
		"xx", "boxx", "tinyland-nix", "main:Vb5yOq0Zy3L2cQm1bQ8sKx4P7e1Yh9Wd3tXnA6uRf0c="} {
		if Placeholder(v) {
			t.Errorf("Placeholder(%q) = true, want false", v)
		}
	}
}

// Every finding names a registered rule and carries a next action, on the emptiest overlay
// and on one whose organization.yaml holds only placeholders.
func TestCheckReportsAreValid(t *testing.T) {
	placeholders := &overlay.OrgConfig{File: overlay.OrgFile}
	placeholders.Owner.Slug = overlay.String{Value: "<owner>", Set: true, Pos: overlay.Pos{File: overlay.OrgFile, Line: 2, Column: 9}}
	placeholders.Owner.GithubConfigURL = overlay.String{Value: "", Set: true}
	placeholders.Owner.GithubAppSecretName = overlay.String{Value: "CHANGEME", Set: true}
	placeholders.Cluster.Context = overlay.String{Value: "TODO", Set: true}
	placeholders.Core.Repository = overlay.String{Value: "REPLACE_ME", Set: true}
	for name, o := range map[string]*overlay.Overlay{
		"empty":        {},
		"placeholders": {Org: placeholders},
	} {
		r := Check(context.Background(), o)
		r.Finalize()
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if r.Summary.Blockers == 0 {
			t.Errorf("%s: 0 blockers", name)
		}
		var keys []string
		for _, f := range r.Findings {
			if f.Rule == RuleMissingKey {
				keys = append(keys, f.Message)
			}
			if f.Severity != finding.Blocker {
				t.Errorf("%s: %s is %s, want blocker", name, f.Rule, f.Severity)
			}
		}
		if name == "placeholders" && len(keys) != 5 {
			t.Errorf("placeholders: %d missing keys, want 5 (slug, URL, App secret, context, core.repository):\n%v", len(keys), keys)
		}
	}
	if got := Check(context.Background(), nil); len(got.Findings) != 0 || !slices.Equal(ruleIDs(got.Rules), ruleIDs(Rules())) {
		t.Errorf("nil overlay: %+v", got)
	}
}

func ruleIDs(rs []finding.Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}
