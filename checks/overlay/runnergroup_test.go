package overlay_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

func TestRunnerGroupDeclaration(t *testing.T) {
	const head = "owner: {slug: acme}\nrunner_contract:\n  runner_group:\n"
	for _, tc := range []struct {
		name, body string
		want       string // rendered declaration
		problems   string // "line:col key: msg" lines
	}{
		{name: "well-formed", body: `    name: acme-runners
    visibility: selected
    allows_public_repositories: false
    restricted_to_workflows: true
    selected_workflows: [acme/infra/.github/workflows/ci.yml@refs/heads/main]
    selected_repository_ids: [101, 202]
    public_repositories_ruling: "no public repositories"
`, want: `name="acme-runners"@4:11 visibility="selected"@5:17 public=false@6:33 restricted=true@7:30 workflows=[acme/infra/.github/workflows/ci.yml@refs/heads/main] roster=[101@9:31 202@9:36]@9:30 rulings=[public_repositories_ruling="no public repositories"@10:33]`},
		{name: "missing keys", body: "    name: acme-runners\n",
			want: `name="acme-runners"@4:11 visibility=""@3:3 public=false@3:3 restricted=false@3:3 workflows=[] roster=[]@3:3 rulings=[]`,
			problems: "3:3 runner_contract.runner_group.visibility: runner_contract.runner_group has no visibility\n" +
				"3:3 runner_contract.runner_group.allows_public_repositories: runner_contract.runner_group has no allows_public_repositories\n" +
				"3:3 runner_contract.runner_group.restricted_to_workflows: runner_contract.runner_group has no restricted_to_workflows\n"},
		{name: "string boolean, bad ids, unknown visibility", body: `    name: acme-runners
    visibility: internal
    allows_public_repositories: "true"
    restricted_to_workflows: no
    selected_repository_ids: [101, "202", 101, -3, acme/infra]
    own_ruling: ""
`, want: `name="acme-runners"@4:11 visibility="internal"@5:17 public=false@6:33 restricted=false@7:30 workflows=[] roster=[101@8:31]@8:30 rulings=[]`,
			problems: `5:17 runner_contract.runner_group.visibility: runner_contract.runner_group.visibility is "internal"; GitHub knows selected, all, private
6:33 runner_contract.runner_group.allows_public_repositories: runner_contract.runner_group.allows_public_repositories must be a YAML boolean (true or false, unquoted), got "true"
7:30 runner_contract.runner_group.restricted_to_workflows: runner_contract.runner_group.restricted_to_workflows must be a YAML boolean (true or false, unquoted), got "no"
8:36 runner_contract.runner_group.selected_repository_ids: runner_contract.runner_group.selected_repository_ids[1] must be a positive numeric repository id (unquoted), got "202"
8:43 runner_contract.runner_group.selected_repository_ids: runner_contract.runner_group.selected_repository_ids[2] repeats repository id 101 (first at index 0)
8:48 runner_contract.runner_group.selected_repository_ids: runner_contract.runner_group.selected_repository_ids[3] must be a positive numeric repository id (unquoted), got the number -3
8:52 runner_contract.runner_group.selected_repository_ids: runner_contract.runner_group.selected_repository_ids[4] must be a positive numeric repository id (unquoted), got "acme/infra"
9:17 runner_contract.runner_group.own_ruling: runner_contract.runner_group.own_ruling must be a non-empty text recording the decision, got ""
`},
		{name: "not a mapping", body: "    - acme-runners\n",
			want:     `name=""@3:3 visibility=""@3:3 public=false@3:3 restricted=false@3:3 workflows=[] roster=[]@3:3 rulings=[]`,
			problems: "4:5 runner_contract.runner_group: runner_contract.runner_group must be a mapping (name:, visibility:, ...), got a list\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			org := mustOrg(t, head+tc.body)
			rg := org.RunnerGroup
			if !rg.Set {
				t.Fatal("declaration not seen")
			}
			var ids, rulings, wfs []string
			for _, id := range rg.SelectedRepositoryIDs {
				ids = append(ids, fmt.Sprintf("%d@%s", id.Value, where(id.Pos)))
			}
			for _, r := range rg.Rulings {
				rulings = append(rulings, fmt.Sprintf("%s=%q@%s", r.Key, r.Value.Value, where(r.Value.Pos)))
			}
			wfs = rg.SelectedWorkflows.Strings()
			got := fmt.Sprintf("name=%q@%s visibility=%q@%s public=%t@%s restricted=%t@%s workflows=[%s] roster=[%s]@%s rulings=[%s]",
				rg.Name.Value, where(rg.Name.Pos), rg.Visibility.Value, where(rg.Visibility.Pos),
				rg.AllowsPublicRepositories.Value, where(rg.AllowsPublicRepositories.Pos),
				rg.RestrictedToWorkflows.Value, where(rg.RestrictedToWorkflows.Pos),
				strings.Join(wfs, " "), strings.Join(ids, " "), where(rg.RosterPos), strings.Join(rulings, " "))
			if got != tc.want {
				t.Errorf("declaration\n got %s\nwant %s", got, tc.want)
			}
			var b strings.Builder
			for _, p := range rg.Problems {
				fmt.Fprintf(&b, "%s %s: %s\n", where(p.Pos), p.Key, p.Msg)
			}
			if b.String() != tc.problems {
				t.Errorf("problems\n got:\n%s\nwant:\n%s", b.String(), tc.problems)
			}
		})
	}
}

func TestRunnerGroupAbsentAndRepositoryID(t *testing.T) {
	org := mustOrg(t, "owner: {slug: acme, repository_id: 4242}\nrunner_contract: {shared_labels: [tinyland-nix]}\n")
	if org.RunnerGroup.Set || len(org.RunnerGroup.Problems) != 0 {
		t.Errorf("absent declaration: %+v", org.RunnerGroup)
	}
	if org.Owner.RepositoryID.Value != "4242" || !org.Owner.RepositoryID.Set {
		t.Errorf("owner.repository_id = %+v", org.Owner.RepositoryID)
	}
	// A second runner_group block is a duplicate key: unusable input, not a finding.
	_, errs := overlay.ParseOrg(orgRel, []byte("runner_contract:\n  runner_group: {name: a}\n  runner_group: {name: b}\n"))
	if !strings.Contains(errSummary(errs), `3:3 duplicate: duplicate key "runner_group" (first given at line 2)`) {
		t.Errorf("duplicate block: %s", errSummary(errs))
	}
}
