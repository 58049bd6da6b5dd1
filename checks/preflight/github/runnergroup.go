package github

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gogh "github.com/google/go-github/v89/github"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

// RunnerGroupExpect is the runner group organization.yaml declares
// (runner_contract.runner_group), as the live probe compares it with GitHub. Fields the
// declaration does not give well-formed are not compared (the admission gate reports them).
type RunnerGroupExpect struct {
	Org  string // the organization that owns the group (owner.slug)
	Name string
	Pos  finding.Position
	File string

	Visibility    string
	VisibilityPos finding.Position
	Public        *bool
	PublicPos     finding.Position
	Restricted    *bool
	RestrictedPos finding.Position
	Workflows     []string // nil: not declared
	WorkflowsPos  finding.Position
	Roster        []int64
	RosterSet     bool
	RosterPos     finding.Position
}

// runnerGroupExpect builds the expectation from an organization overlay's declaration; nil
// when there is nothing to compare (no declaration, no name, or a personal account).
func runnerGroupExpect(org *overlay.OrgConfig) *RunnerGroupExpect {
	if org == nil || org.Owner.AccountKind.Value == "personal" {
		return nil
	}
	d := org.RunnerGroup
	if !d.Set || !d.Name.Set || org.Owner.Slug.Value == "" {
		return nil
	}
	e := &RunnerGroupExpect{Org: org.Owner.Slug.Value, Name: d.Name.Value, Pos: d.Name.Pos, File: org.File}
	if d.Visibility.Set && slices.Contains(overlay.RunnerGroupVisibilities, d.Visibility.Value) {
		e.Visibility, e.VisibilityPos = d.Visibility.Value, d.Visibility.Pos
	}
	if b := d.AllowsPublicRepositories; b.Set {
		e.Public, e.PublicPos = &b.Value, b.Pos
	}
	if b := d.RestrictedToWorkflows; b.Set {
		e.Restricted, e.RestrictedPos = &b.Value, b.Pos
	}
	if d.SelectedWorkflows.Set {
		e.Workflows, e.WorkflowsPos = append([]string{}, d.SelectedWorkflows.Strings()...), d.SelectedWorkflows.Pos
	}
	e.RosterSet, e.RosterPos = d.RosterSet, d.RosterPos
	for _, id := range d.SelectedRepositoryIDs {
		e.Roster = append(e.Roster, id.Value)
	}
	return e
}

// maxListPages bounds a paginated listing (100 items a page).
const maxListPages = 50

// listPages reads every page of a listing by following the Link header's next page.
func listPages(list func(page int) (*gogh.Response, error)) error {
	for page, n := 1, 0; page > 0; n++ {
		if n >= maxListPages {
			return fmt.Errorf("more than %d pages", maxListPages)
		}
		resp, err := list(page)
		if err != nil {
			return err
		}
		page = resp.NextPage
	}
	return nil
}

// probeRunnerGroup compares the declared runner group with GitHub: the group exists (own or
// enterprise-inherited), its settings and roster match, and the overlay repository can use it.
func (p *prober) probeRunnerGroup(ctx context.Context) {
	e := p.exp.RunnerGroup
	if e == nil {
		return
	}
	org := e.Org
	var (
		groups, visible []*gogh.RunnerGroup
		errAll, errVis  error
	)
	wg := p.fan()
	wg.Go(func() {
		errAll = listPages(func(page int) (*gogh.Response, error) {
			gs, resp, err := p.c.REST().Actions.ListOrganizationRunnerGroups(ctx, org, &gogh.ListOrgRunnerGroupOptions{ListOptions: gogh.ListOptions{PerPage: 100, Page: page}})
			if err == nil {
				groups = append(groups, gs.RunnerGroups...)
			}
			return resp, err
		})
	})
	sameOrg := strings.EqualFold(p.owner, org)
	if sameOrg {
		wg.Go(func() {
			errVis = listPages(func(page int) (*gogh.Response, error) {
				gs, resp, err := p.c.REST().Actions.ListOrganizationRunnerGroups(ctx, org, &gogh.ListOrgRunnerGroupOptions{ListOptions: gogh.ListOptions{PerPage: 100, Page: page}, VisibleToRepository: p.name})
				if err == nil {
					visible = append(visible, gs.RunnerGroups...)
				}
				return resp, err
			})
		})
	}
	wg.Wait()
	if errAll != nil {
		p.runnerGroupFailure(errAll, e, "list the runner groups of "+org)
		return
	}
	var g *gogh.RunnerGroup
	for _, c := range groups {
		if strings.EqualFold(c.GetName(), e.Name) {
			g = c
			break
		}
	}
	if g == nil {
		names := make([]string, 0, len(groups))
		for _, c := range groups {
			names = append(names, c.GetName())
		}
		p.add(RuleRunnerGroupMissing, finding.Blocker, e.Pos,
			fmt.Sprintf("organization %s has no runner group %q (it has: %s); the ARC stack does not create it, and the scale sets cannot register into a missing group", org, e.Name, strings.Join(names, ", ")),
			"Create the group before the first plan/apply: "+createCommand(e)+".")
		return
	}
	id := g.GetID()
	edit := fmt.Sprintf("gh api -X PATCH orgs/%s/actions/runner-groups/%d", org, id)
	if g.GetInherited() {
		edit = "change it in the enterprise's runner-group settings (the group is inherited; the organization cannot edit it)"
	}
	drift := func(pos finding.Position, what, want, got, flag string) {
		p.add(RuleRunnerGroupDrift, finding.Blocker, pos,
			fmt.Sprintf("runner group %q on GitHub has %s %s, but %s declares %s", e.Name, what, got, e.File, want),
			fmt.Sprintf("Make GitHub match the declaration: %s %s (or, if GitHub is right, change the declaration in %s).", edit, flag, e.File))
	}
	if e.Visibility != "" && g.GetVisibility() != e.Visibility {
		drift(e.VisibilityPos, "visibility", e.Visibility, g.GetVisibility(), "-f visibility="+e.Visibility)
	}
	if e.Public != nil && g.GetAllowsPublicRepositories() != *e.Public {
		drift(e.PublicPos, "allows_public_repositories", strconv.FormatBool(*e.Public), strconv.FormatBool(g.GetAllowsPublicRepositories()), "-F allows_public_repositories="+strconv.FormatBool(*e.Public))
	}
	if e.Restricted != nil && g.GetRestrictedToWorkflows() != *e.Restricted {
		drift(e.RestrictedPos, "restricted_to_workflows", strconv.FormatBool(*e.Restricted), strconv.FormatBool(g.GetRestrictedToWorkflows()), "-F restricted_to_workflows="+strconv.FormatBool(*e.Restricted))
	}
	if e.Workflows != nil && !sameSet(e.Workflows, g.SelectedWorkflows) {
		flags := make([]string, 0, len(e.Workflows))
		for _, w := range e.Workflows {
			flags = append(flags, "-f 'selected_workflows[]="+w+"'")
		}
		drift(e.WorkflowsPos, "selected_workflows", "["+strings.Join(e.Workflows, ", ")+"]", "["+strings.Join(g.SelectedWorkflows, ", ")+"]", strings.Join(flags, " "))
	}
	if g.GetVisibility() == "selected" && e.Visibility == "selected" {
		p.compareRoster(ctx, e, id)
	}
	if sameOrg {
		if errVis != nil {
			p.runnerGroupFailure(errVis, e, "list the runner groups visible to "+p.exp.Repo)
			return
		}
		reach := false
		for _, c := range visible {
			reach = reach || c.GetID() == id
		}
		if !reach {
			p.add(RuleRunnerGroupReach, finding.Blocker, e.Pos,
				fmt.Sprintf("runner group %q is not visible to the overlay repository %s (GitHub's visible_to_repository): its validation jobs cannot reach the scale sets", e.Name, p.exp.Repo),
				fmt.Sprintf("Admit the repository: gh api -X PUT orgs/%s/actions/runner-groups/%d/repositories/$(gh api repos/%s --jq .id) (and add the id to selected_repository_ids in %s), or use another repository for validation.", org, id, p.exp.Repo, e.File))
		}
	}
}

func (p *prober) compareRoster(ctx context.Context, e *RunnerGroupExpect, id int64) {
	var got []*gogh.Repository
	err := listPages(func(page int) (*gogh.Response, error) {
		rs, resp, err := p.c.REST().Actions.ListRepositoryAccessRunnerGroup(ctx, e.Org, id, &gogh.ListOptions{PerPage: 100, Page: page})
		if err == nil {
			got = append(got, rs.Repositories...)
		}
		return resp, err
	})
	if err != nil {
		p.runnerGroupFailure(err, e, fmt.Sprintf("list the repositories of runner group %q", e.Name))
		return
	}
	have := map[int64]string{}
	for _, r := range got {
		have[r.GetID()] = r.GetFullName()
	}
	want := map[int64]bool{}
	for _, w := range e.Roster {
		want[w] = true
		if _, ok := have[w]; !ok {
			p.add(RuleRunnerGroupRoster, finding.Blocker, e.RosterPos,
				fmt.Sprintf("repository id %d is on the declared roster of runner group %q but GitHub does not admit it", w, e.Name),
				fmt.Sprintf("Admit it: gh api -X PUT orgs/%s/actions/runner-groups/%d/repositories/%d (or remove %d from selected_repository_ids in %s).", e.Org, id, w, w, e.File))
		}
	}
	for _, r := range got {
		if !want[r.GetID()] {
			p.add(RuleRunnerGroupRoster, finding.Blocker, e.RosterPos,
				fmt.Sprintf("GitHub admits %s (id %d) to runner group %q, but the declared roster does not list it", r.GetFullName(), r.GetID(), e.Name),
				fmt.Sprintf("Remove it: gh api -X DELETE orgs/%s/actions/runner-groups/%d/repositories/%d (or add %d to selected_repository_ids in %s if it belongs).", e.Org, id, r.GetID(), r.GetID(), e.File))
		}
	}
}

// runnerGroupFailure reports a failed runner-group call: a 403 names the token permission,
// anything else goes with the other failed calls.
func (p *prober) runnerGroupFailure(err error, e *RunnerGroupExpect, what string) {
	f := ghapi.Classify(err, p.now)
	if f.Status == 403 && f.Kind == ghapi.FailAccess {
		p.add(RuleRunnerGroupPermission, finding.Blocker, e.Pos,
			fmt.Sprintf("the token may not %s (403: %s): runner-group admission is unverified", what, f.Detail),
			fmt.Sprintf("Give the token read access to the organization's runner groups: a fine-grained token needs the organization permission \"Self-hosted runners\" (read) on %s; a classic token needs the admin:org scope (gh auth refresh -s admin:org); then rerun the preflight.", e.Org))
		return
	}
	p.fail(err, what)
}

func createCommand(e *RunnerGroupExpect) string {
	vis := e.Visibility
	if vis == "" {
		vis = "selected"
	}
	cmd := fmt.Sprintf("gh api -X POST orgs/%s/actions/runner-groups -f name=%s -f visibility=%s", e.Org, e.Name, vis)
	if e.Public != nil {
		cmd += " -F allows_public_repositories=" + strconv.FormatBool(*e.Public)
	}
	if e.Restricted != nil {
		cmd += " -F restricted_to_workflows=" + strconv.FormatBool(*e.Restricted)
	}
	for _, w := range e.Workflows {
		cmd += " -f 'selected_workflows[]=" + w + "'"
	}
	if vis == "selected" {
		for _, id := range e.Roster {
			cmd += " -F 'selected_repository_ids[]=" + strconv.FormatInt(id, 10) + "'"
		}
	}
	return cmd
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
