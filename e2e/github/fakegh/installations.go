package fakegh

import (
	"net/http"
	"strconv"
	"time"
)

// Installation is one GitHub App installation on an organization
// (GET /orgs/{org}/installations).
type Installation struct {
	ID      int64  `json:"id"`
	AppID   int64  `json:"app_id"`
	AppSlug string `json:"app_slug"`
	// Permissions are GitHub's installation permissions object ("organization_self_hosted_runners":
	// "write", "administration": "write", "metadata": "read", ...).
	Permissions map[string]string `json:"permissions"`
	// RepositorySelection is "all" or "selected" (default "all").
	RepositorySelection string `json:"repository_selection,omitempty"`
	// SuspendedAge, when set, suspends the installation that long before the server's clock.
	SuspendedAge Duration `json:"suspended_age,omitempty"`
}

const installationsDocs = "https://docs.github.com/rest/orgs/orgs#list-app-installations-for-an-organization"

// installations lists an organization's App installations. GitHub answers 404 for an
// account that is not an organization and 403 when the token's user is not an owner or the
// token lacks the permission (DenyInstallations).
func (s *Server) installations(r *http.Request, p map[string]string) response {
	org := s.sc.org(p["org"])
	if org == nil {
		return notFound(installationsDocs)
	}
	if org.DenyInstallations {
		return forbidden(RouteInstallations, "You must be an organization owner to list its app installations.", installationsDocs)
	}
	created := s.opts.Now().Add(-180 * 24 * time.Hour).UTC()
	items := make([]any, 0, len(org.Installations))
	for _, in := range org.Installations {
		sel := in.RepositorySelection
		if sel == "" {
			sel = "all"
		}
		perms := map[string]string{}
		for k, v := range in.Permissions {
			perms[k] = v
		}
		id := strconv.FormatInt(in.ID, 10)
		item := map[string]any{
			"id":        in.ID,
			"client_id": "Iv1." + strconv.FormatInt(id64("client", in.AppSlug)%1_000_000_000, 16),
			"account": map[string]any{
				"login": org.Login, "id": id64("owner", org.Login), "node_id": nodeID("O_", org.Login),
				"type": "Organization", "site_admin": false,
				"html_url": "https://github.com/" + org.Login,
				"url":      apiBase(r, s.opts.PathPrefix) + "/users/" + org.Login,
			},
			"repository_selection":      sel,
			"access_tokens_url":         apiBase(r, s.opts.PathPrefix) + "/app/installations/" + id + "/access_tokens",
			"repositories_url":          apiBase(r, s.opts.PathPrefix) + "/installation/repositories",
			"html_url":                  "https://github.com/organizations/" + org.Login + "/settings/installations/" + id,
			"app_id":                    in.AppID,
			"app_slug":                  in.AppSlug,
			"target_id":                 id64("owner", org.Login),
			"target_type":               "Organization",
			"permissions":               perms,
			"events":                    []string{},
			"created_at":                ts(created),
			"updated_at":                ts(created.Add(24 * time.Hour)),
			"single_file_name":          nil,
			"has_multiple_single_files": false,
			"single_file_paths":         []string{},
			"suspended_by":              nil,
			"suspended_at":              nil,
		}
		if in.SuspendedAge > 0 {
			item["suspended_at"] = ts(s.opts.Now().Add(-time.Duration(in.SuspendedAge)))
			item["suspended_by"] = map[string]any{"login": "octo-owner", "id": id64("owner", "octo-owner"), "type": "User", "site_admin": false}
		}
		items = append(items, item)
	}
	page, link := paginate(r, items)
	return response{status: http.StatusOK, link: link, body: map[string]any{"total_count": len(items), "installations": page}}
}
