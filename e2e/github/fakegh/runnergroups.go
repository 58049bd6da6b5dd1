package fakegh

import (
	"net/http"
	"strconv"
	"strings"
)

// Org is an organization: its runner groups and its GitHub App installations.
type Org struct {
	Login string `json:"login"`
	// RunnerGroups in GitHub's order (the Default group first, as GitHub lists it).
	RunnerGroups []*RunnerGroup `json:"runner_groups,omitempty"`
	// DenyRunnerGroups answers the runner-group endpoints with 403, as GitHub does for a
	// token without "Self-hosted runners" organization read (fine-grained) or admin:org
	// (classic).
	DenyRunnerGroups bool `json:"deny_runner_groups,omitempty"`
	// Installations are the organization's GitHub App installations.
	Installations []*Installation `json:"installations,omitempty"`
	// DenyInstallations answers GET /orgs/{org}/installations with 403, as GitHub does when
	// the token's user is not an organization owner or the token lacks organization
	// "Administration" read (fine-grained) or read:org (classic).
	DenyInstallations bool `json:"deny_installations,omitempty"`
}

// RunnerGroup is one organization (or enterprise-inherited) runner group.
type RunnerGroup struct {
	ID                       int64    `json:"id"`
	Name                     string   `json:"name"`
	Visibility               string   `json:"visibility"` // selected | all | private
	Default                  bool     `json:"default,omitempty"`
	Inherited                bool     `json:"inherited,omitempty"`
	AllowsPublicRepositories bool     `json:"allows_public_repositories,omitempty"`
	RestrictedToWorkflows    bool     `json:"restricted_to_workflows,omitempty"`
	SelectedWorkflows        []string `json:"selected_workflows,omitempty"`
	// RepositoryIDs is the roster of a selected group.
	RepositoryIDs []int64 `json:"repository_ids,omitempty"`
}

func (sc *Scenario) org(login string) *Org {
	for _, o := range sc.Orgs {
		if strings.EqualFold(o.Login, login) {
			return o
		}
	}
	return nil
}

// repoByID finds a scenario repository by id; unknown ids get a synthetic name.
func (sc *Scenario) repoByID(org string, id int64) (name string, private bool) {
	for _, r := range sc.Repos {
		if r.id() == id {
			return r.FullName, r.Private
		}
	}
	return org + "/repo-" + strconv.FormatInt(id, 10), true
}

// id is the repository's numeric id.
func (r *Repo) id() int64 {
	if r.ID != 0 {
		return r.ID
	}
	return id64("repo", r.FullName)
}

// visibleTo reports whether the group admits the repository (visible_to_repository).
func (g *RunnerGroup) visibleTo(r *Repo) bool {
	if !r.Private && !g.AllowsPublicRepositories {
		return false
	}
	switch g.Visibility {
	case "all":
		return true
	case "private":
		return r.Private
	}
	for _, id := range g.RepositoryIDs {
		if id == r.id() {
			return true
		}
	}
	return false
}

const runnerGroupDocs = "https://docs.github.com/rest/actions/self-hosted-runner-groups"

func (s *Server) runnerGroups(r *http.Request, route Route, p map[string]string) response {
	org := s.sc.org(p["org"])
	if org == nil {
		return notFound(runnerGroupDocs + "#list-self-hosted-runner-groups-for-an-organization")
	}
	if org.DenyRunnerGroups {
		return forbidden(route, "Resource not accessible by personal access token", runnerGroupDocs)
	}
	base := apiBase(r, s.opts.PathPrefix) + "/orgs/" + org.Login + "/actions/runner-groups/"
	if route == RouteRunnerGroups {
		var only *Repo
		if name := r.URL.Query().Get("visible_to_repository"); name != "" {
			if only = s.sc.repo(org.Login, name); only == nil {
				return notFound(runnerGroupDocs)
			}
		}
		items := []any{}
		for _, g := range org.RunnerGroups {
			if only != nil && !g.visibleTo(only) {
				continue
			}
			id := strconv.FormatInt(g.ID, 10)
			item := map[string]any{
				"id": g.ID, "name": g.Name, "visibility": g.Visibility, "default": g.Default,
				"runners_url":                     base + id + "/runners",
				"hosted_runners_url":              base + id + "/hosted-runners",
				"inherited":                       g.Inherited,
				"allows_public_repositories":      g.AllowsPublicRepositories,
				"restricted_to_workflows":         g.RestrictedToWorkflows,
				"selected_workflows":              append([]string{}, g.SelectedWorkflows...),
				"workflow_restrictions_read_only": g.Inherited,
			}
			if g.Visibility == "selected" {
				item["selected_repositories_url"] = base + id + "/repositories"
			}
			items = append(items, item)
		}
		page, link := paginate(r, items)
		return response{status: http.StatusOK, link: link, body: map[string]any{"total_count": len(items), "runner_groups": page}}
	}
	id, err := strconv.ParseInt(p["group_id"], 10, 64)
	var g *RunnerGroup
	for _, c := range org.RunnerGroups {
		if err == nil && c.ID == id {
			g = c
		}
	}
	if g == nil {
		return notFound(runnerGroupDocs + "#list-repository-access-to-a-self-hosted-runner-group-in-an-organization")
	}
	items := []any{}
	for _, rid := range g.RepositoryIDs {
		full, private := s.sc.repoByID(org.Login, rid)
		_, name, _ := strings.Cut(full, "/")
		items = append(items, map[string]any{
			"id": rid, "node_id": nodeID("R_", full), "name": name, "full_name": full, "private": private,
			"owner": map[string]any{"login": org.Login, "type": "Organization"},
			"url":   apiBase(r, s.opts.PathPrefix) + "/repos/" + full,
		})
	}
	page, link := paginate(r, items)
	return response{status: http.StatusOK, link: link, body: map[string]any{"total_count": len(items), "repositories": page}}
}
