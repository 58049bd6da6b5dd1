package admission_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/admission"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const orgHead = `owner:
  slug: acme
  account_kind: %KIND%
  repository: acme/infra
  repository_id: 11
runner_contract:
`

const group = `  runner_group:
    name: acme-runners
    visibility: selected
    allows_public_repositories: false
    restricted_to_workflows: false
    selected_repository_ids: [22, 33]
`

const bound = `runner_group        = "acme-runners"
runner_group_policy = "organization-restricted"
`

// load writes an overlay (organization.yaml, one tfvars, optional workflow) and loads it.
func load(t *testing.T, kind, contract, tfvars, workflow string) *overlay.Overlay {
	t.Helper()
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("config/organization.yaml", strings.ReplaceAll(orgHead, "%KIND%", kind)+contract+"  shared_labels: [tinyland-nix]\n")
	write("tofu/stacks/arc-runners/acme.tfvars", "github_config_url = \"https://github.com/acme\"\n"+tfvars)
	if workflow != "" {
		write(".github/workflows/ci.yml", workflow)
	}
	o, err := overlay.Load(root, overlay.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return o
}

func TestCheck(t *testing.T) {
	ci := func(groupName string) string {
		return "on: push\njobs:\n  build:\n    runs-on:\n      group: " + groupName + "\n      labels: tinyland-nix\n    steps: [{run: make}]\n"
	}
	for _, tc := range []struct {
		name                       string
		kind, contract, tfvars, wf string
		want                       []string // "rule severity" of every finding, in report order
	}{
		{name: "bound and declared", kind: "organization", contract: group, tfvars: bound, wf: ci("ACME-runners")},
		{name: "no declaration, no binding (not yet enrolled in admission)", kind: "organization", tfvars: ""},
		{name: "named group without declaration", kind: "organization", tfvars: "runner_group = \"acme-runners\"\n",
			want: []string{"admission/group-mismatch blocker"}},
		{name: "omitted group under restricted policy", kind: "organization", contract: group, tfvars: "runner_group_policy = \"organization-restricted\"\n",
			want: []string{"admission/default-group blocker"}},
		{name: "omitted group and policy", kind: "organization", contract: group, tfvars: "",
			want: []string{"admission/policy blocker", "admission/group-mismatch blocker"}},
		{name: "set in its own group", kind: "organization", contract: group,
			tfvars: bound + "extra_runner_sets = {\n  heavy = { runner_label = \"tinyland-nix\", runner_group = \"heavy\" }\n}\n",
			want:   []string{"admission/group-mismatch blocker"}},
		{name: "expression group is not judged", kind: "organization", contract: group, tfvars: bound, wf: ci("${{ vars.GROUP }}")},
		{name: "workflow group elsewhere", kind: "organization", contract: group, tfvars: bound, wf: ci("other"),
			want: []string{"admission/workflow-group blocker"}},
		{name: "restricted without workflows", kind: "organization",
			contract: strings.Replace(group, "restricted_to_workflows: false", "restricted_to_workflows: true", 1), tfvars: bound,
			want: []string{"admission/admits-nobody blocker"}},
		{name: "restricted with workflows", kind: "organization",
			contract: strings.Replace(group, "restricted_to_workflows: false", "restricted_to_workflows: true\n    selected_workflows: [acme/infra/.github/workflows/ci.yml@refs/heads/main]", 1), tfvars: bound},
		{name: "private visibility with roster", kind: "organization",
			contract: strings.Replace(group, "visibility: selected", "visibility: private", 1), tfvars: bound,
			want: []string{"admission/roster-ignored blocker"}},
		{name: "private visibility without roster", kind: "organization",
			contract: strings.Replace(strings.Replace(group, "visibility: selected", "visibility: private", 1), "    selected_repository_ids: [22, 33]\n", "", 1), tfvars: bound},
		{name: "own repository with ruling, public admission", kind: "organization",
			contract: strings.Replace(strings.Replace(group, "[22, 33]", "[11, 22]", 1), "allows_public_repositories: false", "allows_public_repositories: true\n    public_ruling: docs site builds", 1), tfvars: bound,
			want: []string{"admission/public-repositories info", "admission/own-repository-on-roster info"}},
		{name: "own repository without ruling", kind: "organization",
			contract: strings.Replace(group, "[22, 33]", "[11, 22]", 1), tfvars: bound,
			want: []string{"admission/own-repository-on-roster warning"}},
		{name: "personal account binding a group in tfvars only", kind: "personal", tfvars: "runner_group = \"mine\"\n",
			want: []string{"admission/personal-account blocker"}},
		{name: "personal account without group", kind: "personal", tfvars: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := load(t, tc.kind, tc.contract, tc.tfvars, tc.wf)
			r := admission.Check(context.Background(), o)
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Rule+" "+f.Severity.String())
				if f.Severity >= finding.Warning && f.NextAction == "" {
					t.Errorf("%s has no next action", f.Rule)
				}
				if !f.Position.IsValid() {
					t.Errorf("%s has no position", f.Rule)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %q, want %q\n%+v", got, tc.want, r.Findings)
			}
			r.Finalize()
			if err := r.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

// The zero-capacity rule looks at every scale set of the group: one with capacity is enough.
func TestAdmitsNobodyNeedsEverySetAtZero(t *testing.T) {
	zero := bound + "nix_max_runners = 0\nextra_runner_sets = {\n  heavy = { runner_label = \"tinyland-nix\", max_runners = %N% }\n}\n"
	for n, want := range map[string]int{"0": 1, "2": 0} {
		o := load(t, "organization", group, strings.ReplaceAll(zero, "%N%", n), "")
		r := admission.Check(context.Background(), o)
		if got := len(r.Findings); got != want {
			t.Errorf("max_runners %s: %d findings %+v, want %d", n, got, r.Findings, want)
		}
	}
}
