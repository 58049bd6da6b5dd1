package admission

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// gateRun carries one overlay's evaluation.
type gateRun struct {
	o    *overlay.Overlay
	m    *deploy.Model
	org  *overlay.OrgConfig
	decl overlay.RunnerGroupDecl
	orgF string
	r    *finding.Report
}

// Check evaluates the admission of one overlay. The report has Rules() registered and
// findings appended; the caller merges, marks expected warnings and finalizes.
func Check(_ context.Context, o *overlay.Overlay) *finding.Report {
	r := &finding.Report{}
	r.AddRules(rules...)
	if o == nil {
		return r
	}
	c := &gateRun{o: o, m: deploy.Of(o), org: o.Org, r: r}
	if c.org == nil {
		c.org = &overlay.OrgConfig{}
	}
	c.orgF = c.m.OrgFile
	c.decl = c.org.RunnerGroup
	if c.checkPersonal() {
		return r
	}
	c.checkMalformed()
	for _, st := range c.m.Stacks {
		c.checkPolicy(st)
		c.checkBinding(st.RunnerGroup, st.RunnerGroupPolicy.Value, "the stack")
		for _, s := range st.ScaleSets {
			if s.SetKey != "" && !s.RunnerGroup.Defaulted {
				c.checkBinding(s.RunnerGroup, st.RunnerGroupPolicy.Value, s.What())
			}
		}
	}
	c.checkRoster()
	c.checkCapacity()
	c.checkPublic()
	c.checkOwnRepository()
	c.checkWorkflows()
	return r
}

func (c *gateRun) add(rule string, sev finding.Severity, pos overlay.Pos, msg, next string) {
	if !pos.IsValid() {
		pos = overlay.Pos{File: c.orgF}
	}
	c.r.Add(finding.Finding{Rule: rule, Severity: sev, Position: pos, Message: msg, NextAction: next})
}

// isDefault reports whether a group name is GitHub's shared Default group.
func isDefault(name string) bool {
	return strings.EqualFold(strings.TrimSpace(name), deploy.DefaultRunnerGroup)
}

// declared is the declared group's name, "" when there is none usable.
func (c *gateRun) declared() string {
	if !c.decl.Set || !c.decl.Name.Set {
		return ""
	}
	return c.decl.Name.Value
}

// checkPersonal reports a runner group on a personal account; true means the overlay is
// personal and nothing else is judged.
func (c *gateRun) checkPersonal() bool {
	if c.org.Owner.AccountKind.Value != "personal" {
		return false
	}
	next := fmt.Sprintf("Personal accounts have no runner groups: move the repositories under an organization or enterprise and register there (github_config_url https://github.com/<org>), or delete runner_contract.runner_group from %s and runner_group from the tfvars and keep the repository registration anchor (declare taxonomy/repo-registration-anchor expected).", c.orgF)
	if c.decl.Set {
		c.add(RulePersonalAccount, finding.Blocker, c.decl.Pos,
			fmt.Sprintf("owner.account_kind is personal, but runner_contract.runner_group declares a runner group; GitHub has runner groups only for organizations and enterprises"), next)
	}
	for _, st := range c.m.Stacks {
		if !st.RunnerGroup.Defaulted {
			c.add(RulePersonalAccount, finding.Blocker, st.RunnerGroup.Pos,
				fmt.Sprintf("owner.account_kind is personal, but %s binds runner_group %q; a personal account has no runner groups to join", st.File, st.RunnerGroup.Value), next)
		}
	}
	return true
}

func (c *gateRun) checkMalformed() {
	for _, p := range c.decl.Problems {
		c.add(RuleDeclarationMalformed, finding.Blocker, p.Pos, p.Msg,
			fmt.Sprintf("Fix %s in %s (see the admission example in README.md).", p.Key, c.orgF))
	}
	if id := c.org.Owner.RepositoryID; id.Set {
		if n, err := strconv.ParseInt(id.Value, 10, 64); err != nil || n <= 0 {
			c.add(RuleDeclarationMalformed, finding.Blocker, id.Pos,
				fmt.Sprintf("owner.repository_id is %q, not a positive numeric repository id", id.Value),
				fmt.Sprintf("Set owner.repository_id in %s to the overlay repository's id: gh api repos/%s --jq .id", c.orgF, repoOr(c.org.Owner.Repository.Value)))
		}
	}
}

func repoOr(repo string) string {
	if repo == "" {
		return "<owner>/<repo>"
	}
	return repo
}

func (c *gateRun) checkPolicy(st *deploy.Stack) {
	p := st.RunnerGroupPolicy
	set := "Set runner_group_policy = \"" + PolicyRestricted + "\" in " + st.File + " (the policies the core knows: " + strings.Join(KnownPolicies, ", ") + ")."
	switch {
	case p.Value == PolicyRestricted:
	case p.Value == PolicyLegacyDefault:
		c.add(RulePolicy, finding.Blocker, p.Pos,
			fmt.Sprintf("runner_group_policy %q is the expired grandfather policy; the core knows %s", p.Value, strings.Join(KnownPolicies, ", ")), set)
	case p.Value != "":
		c.add(RulePolicy, finding.Blocker, p.Pos,
			fmt.Sprintf("runner_group_policy %q is not a policy the core knows (%s)", p.Value, strings.Join(KnownPolicies, ", ")), set)
	case c.decl.Set:
		c.add(RulePolicy, finding.Blocker, p.Pos,
			fmt.Sprintf("%s sets no runner_group_policy, but %s declares runner group %q: nothing makes the stack hold to it", st.File, c.orgF, c.declared()), set)
	}
}

// checkBinding judges one runner_group value (the stack's, or a set's own).
func (c *gateRun) checkBinding(g deploy.Value, policy, what string) {
	want := c.declared()
	how := "binds runner_group " + strconv.Quote(g.Value)
	if g.Defaulted {
		how = "omits runner_group, so the core binds GitHub's shared Default group"
	}
	declare := fmt.Sprintf("Declare the group in %s under runner_contract.runner_group (name, visibility: selected, allows_public_repositories, restricted_to_workflows, selected_repository_ids) and create it: gh api -X POST orgs/%s/actions/runner-groups -f name=<group> -f visibility=selected.",
		c.orgF, ownerOr(c.org.Owner.Slug.Value))
	switch {
	case policy == PolicyRestricted && isDefault(g.Value):
		next := declare
		if want != "" && !isDefault(want) {
			next = fmt.Sprintf("Set %s = %q in %s.", g.Key, want, g.File)
		}
		c.add(RuleDefaultGroup, finding.Blocker, g.Pos,
			fmt.Sprintf("%s of %s %s under runner_group_policy %q, which requires a named non-Default group", what, g.File, how, PolicyRestricted), next)
	case want != "" && !strings.EqualFold(g.Value, want):
		c.add(RuleGroupMismatch, finding.Blocker, g.Pos,
			fmt.Sprintf("%s of %s %s, but %s declares runner group %q", what, g.File, how, c.orgF, want),
			fmt.Sprintf("Set %s = %q in %s (or change runner_contract.runner_group.name in %s if the group was renamed).", g.Key, want, g.File, c.orgF))
	case !c.decl.Set && !g.Defaulted && !isDefault(g.Value):
		c.add(RuleGroupMismatch, finding.Blocker, g.Pos,
			fmt.Sprintf("%s of %s binds runner group %q, but %s declares no runner group: nothing states which repositories it admits", what, g.File, g.Value, c.orgF),
			strings.Replace(declare, "<group>", g.Value, 1))
	}
}

func ownerOr(slug string) string {
	if slug == "" {
		return "<org>"
	}
	return slug
}

func (c *gateRun) checkRoster() {
	d := c.decl
	if !d.Set || !d.Visibility.Set {
		return
	}
	org := ownerOr(c.org.Owner.Slug.Value)
	switch d.Visibility.Value {
	case "all", "private":
		if len(d.SelectedRepositoryIDs) > 0 {
			c.add(RuleRosterIgnored, finding.Blocker, d.Visibility.Pos,
				fmt.Sprintf("runner group %q has visibility %s and a roster of %d repositories: GitHub ignores selected_repository_ids unless visibility is selected, so every %srepository of %s is admitted",
					c.declared(), d.Visibility.Value, len(d.SelectedRepositoryIDs), map[string]string{"all": "", "private": "private "}[d.Visibility.Value], org),
				fmt.Sprintf("Set runner_contract.runner_group.visibility: selected in %s (and on GitHub: gh api -X PATCH orgs/%s/actions/runner-groups/<id> -f visibility=selected), or delete selected_repository_ids if every repository is meant.", c.orgF, org))
		}
	case "selected":
		if len(d.SelectedRepositoryIDs) == 0 && !hasProblem(d, "selected_repository_ids") {
			c.add(RuleAdmitsNobody, finding.Blocker, d.RosterPos,
				fmt.Sprintf("runner group %q has visibility selected and an empty roster: it admits no repository", c.declared()),
				fmt.Sprintf("List the admitted repository ids under runner_contract.runner_group.selected_repository_ids in %s (gh api repos/<owner>/<repo> --jq .id) and set them on GitHub: gh api -X PUT orgs/%s/actions/runner-groups/<id>/repositories --input - <<< '{\"selected_repository_ids\":[...]}'.", c.orgF, org))
		}
	}
	if d.RestrictedToWorkflows.Value && len(d.SelectedWorkflows.Values) == 0 && !hasProblem(d, "selected_workflows") {
		c.add(RuleAdmitsNobody, finding.Blocker, d.RestrictedToWorkflows.Pos,
			fmt.Sprintf("runner group %q is restricted_to_workflows without selected_workflows: no workflow may use it", c.declared()),
			fmt.Sprintf("List the allowed workflow refs under runner_contract.runner_group.selected_workflows in %s (owner/repo/.github/workflows/file.yml@ref), or set restricted_to_workflows: false.", c.orgF))
	}
}

func hasProblem(d overlay.RunnerGroupDecl, key string) bool {
	for _, p := range d.Problems {
		if p.Key == "runner_contract.runner_group."+key {
			return true
		}
	}
	return false
}

// checkCapacity: a dedicated group whose scale sets all have max_runners = 0 runs nothing.
func (c *gateRun) checkCapacity() {
	want := c.declared()
	if want == "" || isDefault(want) {
		return
	}
	var bound []*deploy.ScaleSet
	for _, st := range c.m.Stacks {
		for _, s := range st.ScaleSets {
			if strings.EqualFold(s.RunnerGroup.Value, want) {
				if s.MaxRunners.Value != 0 {
					return
				}
				bound = append(bound, s)
			}
		}
	}
	if len(bound) == 0 {
		return
	}
	names := make([]string, len(bound))
	for i, s := range bound {
		names[i] = s.What()
	}
	first := bound[0].MaxRunners
	c.add(RuleAdmitsNobody, finding.Blocker, first.Pos,
		fmt.Sprintf("every scale set in runner group %q has max_runners = 0 (%s): the group admits repositories but runs no job", want, strings.Join(names, ", ")),
		fmt.Sprintf("Give at least one of them capacity: set %s above 0 in %s.", first.Key, first.File))
}

func (c *gateRun) rulings() string {
	var parts []string
	for _, r := range c.decl.Rulings {
		parts = append(parts, fmt.Sprintf("%s: %q", r.Key, r.Value.Value))
	}
	return strings.Join(parts, "; ")
}

func (c *gateRun) checkPublic() {
	d := c.decl
	if !d.Set || !d.AllowsPublicRepositories.Value {
		return
	}
	msg := fmt.Sprintf("runner group %q admits public repositories (allows_public_repositories: true)", c.declared())
	if r := c.rulings(); r != "" {
		msg += "; ruling: " + r
	} else {
		msg += "; no *_ruling field records why"
	}
	c.add(RulePublicRepositories, finding.Info, d.AllowsPublicRepositories.Pos, msg, "")
}

func (c *gateRun) checkOwnRepository() {
	d := c.decl
	id, err := strconv.ParseInt(c.org.Owner.RepositoryID.Value, 10, 64)
	if !d.Set || err != nil || id <= 0 {
		return
	}
	for _, v := range d.SelectedRepositoryIDs {
		if v.Value != id {
			continue
		}
		repo := repoOr(c.org.Owner.Repository.Value)
		msg := fmt.Sprintf("the overlay repository %s (id %d) is on the roster of runner group %q: the infrastructure repository itself runs jobs on the shared runners", repo, id, c.declared())
		if r := c.rulings(); r != "" {
			c.add(RuleOwnRepository, finding.Info, v.Pos, msg+"; ruling: "+r, "")
			return
		}
		c.add(RuleOwnRepository, finding.Warning, v.Pos, msg,
			fmt.Sprintf("Record the decision in a *_ruling field of runner_contract.runner_group in %s (e.g. overlay_repository_ruling: \"...\"), or remove %d from selected_repository_ids.", c.orgF, id))
		return
	}
}

func (c *gateRun) checkWorkflows() {
	want := c.declared()
	if want == "" {
		return
	}
	for _, wf := range c.o.Workflows {
		for _, job := range wf.Jobs {
			g := job.RunsOn.Group
			if !g.Set || strings.Contains(g.Value, "${{") || strings.EqualFold(g.Value, want) {
				continue
			}
			c.add(RuleWorkflowGroup, finding.Blocker, g.Pos,
				fmt.Sprintf("job %q runs on runner group %q, but the overlay's runners are in %q", job.ID.Value, g.Value, want),
				fmt.Sprintf("Set runs-on.group of job %q in %s to %q.", job.ID.Value, wf.File, want))
		}
	}
}
