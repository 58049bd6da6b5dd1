package github

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
)

const infraID = 812345671

func declaredGroup() *RunnerGroupExpect {
	f, t := false, false
	pos := func(line int) finding.Position {
		return finding.Position{File: "config/organization.yaml", Line: line, Column: 5}
	}
	return &RunnerGroupExpect{Org: "tinyland-inc", Name: "tinyland-honey", Pos: pos(48), File: "config/organization.yaml",
		Visibility: "selected", VisibilityPos: pos(49), Public: &f, PublicPos: pos(50), Restricted: &t, RestrictedPos: pos(51),
		Roster: []int64{infraID, 790001234}, RosterSet: true, RosterPos: pos(53)}
}

// honeyOrg is the organization as it should be: many groups (more than one page), the
// declared one inherited from the enterprise on the last page.
func honeyOrg() *fakegh.Org {
	o := &fakegh.Org{Login: "tinyland-inc", RunnerGroups: []*fakegh.RunnerGroup{{ID: 1, Name: "Default", Visibility: "all", Default: true}}}
	for i := range 120 {
		o.RunnerGroups = append(o.RunnerGroups, &fakegh.RunnerGroup{ID: int64(100 + i), Name: fmt.Sprintf("team-%03d", i), Visibility: "selected", RepositoryIDs: []int64{790009999}})
	}
	o.RunnerGroups = append(o.RunnerGroups, &fakegh.RunnerGroup{ID: 7, Name: "tinyland-honey", Visibility: "selected", Inherited: false,
		RepositoryIDs: []int64{infraID, 790001234}})
	return o
}

func group(o *fakegh.Org, name string) *fakegh.RunnerGroup {
	for _, g := range o.RunnerGroups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func TestProbeRunnerGroup(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(o *fakegh.Org)
		want     []string // sorted "severity rule" of the runner-group findings
		contains []string
	}{
		{name: "as declared"},
		{name: "group missing", edit: func(o *fakegh.Org) { group(o, "tinyland-honey").Name = "tinyland-sting" },
			want: []string{"blocker preflight/runner-group-missing"},
			contains: []string{`organization tinyland-inc has no runner group "tinyland-honey"`,
				"gh api -X POST orgs/tinyland-inc/actions/runner-groups -f name=tinyland-honey -f visibility=selected -F allows_public_repositories=false -F restricted_to_workflows=false -F 'selected_repository_ids[]=812345671' -F 'selected_repository_ids[]=790001234'"}},
		{name: "roster drift", edit: func(o *fakegh.Org) { group(o, "tinyland-honey").RepositoryIDs = []int64{infraID, 790005555} },
			want: []string{"blocker preflight/runner-group-roster", "blocker preflight/runner-group-roster"},
			contains: []string{"repository id 790001234 is on the declared roster",
				"gh api -X PUT orgs/tinyland-inc/actions/runner-groups/7/repositories/790001234",
				"GitHub admits tinyland-inc/repo-790005555 (id 790005555)",
				"gh api -X DELETE orgs/tinyland-inc/actions/runner-groups/7/repositories/790005555"}},
		{name: "visibility drift", edit: func(o *fakegh.Org) { group(o, "tinyland-honey").Visibility = "all" },
			want:     []string{"blocker preflight/runner-group-drift"},
			contains: []string{`runner group "tinyland-honey" on GitHub has visibility all`, "gh api -X PATCH orgs/tinyland-inc/actions/runner-groups/7 -f visibility=selected"}},
		{name: "settings drift on an inherited group", edit: func(o *fakegh.Org) {
			g := group(o, "tinyland-honey")
			g.Inherited, g.AllowsPublicRepositories, g.RestrictedToWorkflows = true, true, true
			g.SelectedWorkflows = []string{"tinyland-inc/tinyland-infra/.github/workflows/validate.yml@refs/heads/main"}
		}, want: []string{"blocker preflight/runner-group-drift", "blocker preflight/runner-group-drift"},
			contains: []string{"allows_public_repositories true", "restricted_to_workflows true", "the group is inherited"}},
		{name: "overlay repository not admitted", edit: func(o *fakegh.Org) { group(o, "tinyland-honey").RepositoryIDs = []int64{790001234} },
			want:     []string{"blocker preflight/runner-group-reach", "blocker preflight/runner-group-roster"},
			contains: []string{"not visible to the overlay repository tinyland-inc/tinyland-infra"}},
		{name: "token without the permission", edit: func(o *fakegh.Org) { o.DenyRunnerGroups = true },
			want:     []string{"blocker preflight/runner-group-permission"},
			contains: []string{`"Self-hosted runners" (read)`, "admin:org", "organization_self_hosted_runners=read"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			org := honeyOrg()
			if tc.edit != nil {
				tc.edit(org)
			}
			repo := enrolled()
			repo.ID = infraID
			exp := expectations()
			exp.RunnerGroup = declaredGroup()
			r, srv := probeScenario(t, &fakegh.Scenario{Repos: []*fakegh.Repo{repo}, Orgs: []*fakegh.Org{org}}, exp)
			var got []string
			for _, v := range verdicts(r) {
				if strings.Contains(v, "runner-group") {
					got = append(got, v)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("verdicts %q, want %q%s", got, tc.want, dump(r))
			}
			all := dump(r)
			for _, s := range tc.contains {
				if !strings.Contains(all, s) {
					t.Errorf("no finding holds %q%s", s, all)
				}
			}
			// Every page of the group listing was read: the declared group is on page 2.
			pages := 0
			for _, q := range srv.Requests() {
				if q.Route == fakegh.RouteRunnerGroups && strings.Contains(q.RawQuery, "page=2") {
					pages++
				}
			}
			if !org.DenyRunnerGroups && pages == 0 {
				t.Error("the second page of runner groups was never read")
			}
		})
	}
}
