package fakegh

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

// handle answers a matched, authorized GET.
func (s *Server) handle(r *http.Request, route Route, p map[string]string) response {
	switch route {
	case RouteRateLimit:
		return s.rateLimitBody()
	case RouteRunnerGroups, RouteRunnerGroupRepos:
		return s.runnerGroups(r, route, p)
	case RouteInstallations:
		return s.installations(r, p)
	}
	repo := s.sc.repo(p["owner"], p["repo"])
	if repo == nil {
		return notFound("https://docs.github.com/rest/repos/repos#get-a-repository")
	}
	switch route {
	case RouteRepo:
		return response{status: http.StatusOK, body: s.repoJSON(r, repo)}
	case RouteSecrets:
		return s.listSecrets(r, repo.Secrets, "")
	case RouteOrgSecrets:
		if repo.ownerType() != "Organization" {
			return notFound("https://docs.github.com/rest/actions/secrets#list-repository-organization-secrets")
		}
		return s.listSecrets(r, repo.OrgSecrets, "selected")
	case RouteRuns:
		return s.listRuns(r, repo, repo.Runs)
	case RouteWorkflowRuns:
		return s.listWorkflowRuns(r, repo, p["workflow_id"])
	case RouteJobs:
		return s.listJobs(r, repo, p["run_id"])
	case RouteCommit:
		return s.getCommit(r, repo, p["ref"])
	}
	return notFound("https://docs.github.com/rest")
}

// forbidden is GitHub's 403 for a token without an organization endpoint's permission: the
// headers name the fine-grained permission and the classic scopes the endpoint accepts.
func forbidden(route Route, msg, doc string) response {
	return response{status: http.StatusForbidden, header: http.Header{
		"X-Accepted-Github-Permissions": {acceptedPermissions(route)},
		"X-Accepted-Oauth-Scopes":       {acceptedScopes(route)},
	}, body: map[string]string{"message": msg, "documentation_url": doc, "status": "403"}}
}

func notFound(doc string) response {
	return response{status: http.StatusNotFound, body: map[string]string{
		"message": "Not Found", "documentation_url": doc, "status": "404"}}
}

// listSecrets lists secret names (visibility is set for organization secrets).
func (s *Server) listSecrets(r *http.Request, names []string, visibility string) response {
	created := s.opts.Now().Add(-90 * 24 * time.Hour).UTC()
	items := make([]any, 0, len(names))
	for i, name := range names {
		item := map[string]any{
			"name":       name,
			"created_at": ts(created.Add(time.Duration(i) * time.Hour)),
			"updated_at": ts(created.Add(time.Duration(i)*time.Hour + 24*time.Hour)),
		}
		if visibility != "" {
			item["visibility"] = visibility
		}
		items = append(items, item)
	}
	page, link := paginate(r, items)
	return response{status: http.StatusOK, link: link, body: map[string]any{
		"total_count": len(items), "secrets": page}}
}

// listRuns filters runs as GitHub does (branch, event, status-or-conclusion, head_sha),
// newest first.
func (s *Server) listRuns(r *http.Request, repo *Repo, runs []*Run) response {
	q := r.URL.Query()
	var sel []*Run
	for _, run := range runs {
		if b := q.Get("branch"); b != "" && s.headBranch(repo, run) != b {
			continue
		}
		if e := q.Get("event"); e != "" && event(run) != e {
			continue
		}
		if st := q.Get("status"); st != "" && run.Status != st && run.Conclusion != st {
			continue
		}
		if sha := q.Get("head_sha"); sha != "" && run.HeadSHA != sha {
			continue
		}
		sel = append(sel, run)
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if sel[i].Age != sel[j].Age {
			return sel[i].Age < sel[j].Age
		}
		return sel[i].ID > sel[j].ID
	})
	items := make([]any, len(sel))
	for i, run := range sel {
		items[i] = s.runJSON(r, repo, run)
	}
	page, link := paginate(r, items)
	return response{status: http.StatusOK, link: link, body: map[string]any{
		"total_count": len(items), "workflow_runs": page}}
}

func (s *Server) listWorkflowRuns(r *http.Request, repo *Repo, wf string) response {
	var runs []*Run
	known := false
	for _, run := range repo.Runs {
		if path.Base(run.Path) == wf || strconv.FormatInt(workflowID(run.Path), 10) == wf {
			known = true
			runs = append(runs, run)
		}
	}
	if !known {
		return notFound("https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow")
	}
	return s.listRuns(r, repo, runs)
}

func (s *Server) listJobs(r *http.Request, repo *Repo, runID string) response {
	for _, run := range repo.Runs {
		if strconv.FormatInt(run.ID, 10) != runID {
			continue
		}
		items := make([]any, len(run.Jobs))
		for i, j := range run.Jobs {
			items[i] = s.jobJSON(r, repo, run, j)
		}
		page, link := paginate(r, items)
		return response{status: http.StatusOK, link: link, body: map[string]any{
			"total_count": len(items), "jobs": page}}
	}
	return notFound("https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run")
}

func (s *Server) getCommit(r *http.Request, repo *Repo, ref string) response {
	sha, ok := repo.Refs[ref]
	if !ok && hex40.MatchString(ref) {
		for _, v := range repo.Refs {
			if v == ref {
				sha, ok = v, true
			}
		}
	}
	if !ok {
		return response{status: http.StatusUnprocessableEntity, body: map[string]string{
			"message":           "No commit found for SHA: " + ref,
			"documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
			"status":            "422"}}
	}
	if accept := r.Header.Get("Accept"); strings.Contains(accept, "vnd.github.sha") || strings.Contains(accept, "vnd.github.v3.sha") {
		return response{status: http.StatusOK, raw: []byte(sha), contentType: "application/vnd.github.sha; charset=utf-8"}
	}
	base := apiBase(r, s.opts.PathPrefix)
	return response{status: http.StatusOK, body: map[string]any{
		"sha":      sha,
		"node_id":  nodeID("C", sha),
		"url":      fmt.Sprintf("%s/repos/%s/commits/%s", base, repo.FullName, sha),
		"html_url": fmt.Sprintf("https://github.com/%s/commit/%s", repo.FullName, sha),
		"commit": map[string]any{
			"message": "fixture commit",
			"author":  map[string]any{"name": "fixture", "email": "fixture@example.invalid", "date": ts(s.opts.Now().Add(-48 * time.Hour))},
		},
		"parents": []any{},
		"files":   []any{},
	}}
}

func (s *Server) rateLimitBody() response {
	s.mu.Lock()
	rem, reset := s.remaining, s.resetAt.Unix()
	s.mu.Unlock()
	core := map[string]any{"limit": rateLimit, "remaining": rem, "used": rateLimit - rem, "reset": reset}
	return response{status: http.StatusOK, body: map[string]any{
		"resources": map[string]any{"core": core}, "rate": core}}
}

func (s *Server) repoJSON(r *http.Request, repo *Repo) map[string]any {
	base := apiBase(r, s.opts.PathPrefix)
	visibility := "public"
	if repo.Private {
		visibility = "private"
	}
	created := s.opts.Now().Add(-400 * 24 * time.Hour)
	return map[string]any{
		"id":        repo.id(),
		"node_id":   nodeID("R_", repo.FullName),
		"name":      repo.Name(),
		"full_name": repo.FullName,
		"private":   repo.Private,
		"owner": map[string]any{
			"login":      repo.Owner(),
			"id":         id64("owner", repo.Owner()),
			"node_id":    nodeID("O_", repo.Owner()),
			"type":       repo.ownerType(),
			"site_admin": false,
			"html_url":   "https://github.com/" + repo.Owner(),
			"url":        base + "/users/" + repo.Owner(),
		},
		"html_url":       "https://github.com/" + repo.FullName,
		"description":    nil,
		"fork":           false,
		"url":            base + "/repos/" + repo.FullName,
		"visibility":     visibility,
		"default_branch": repo.defaultBranch(),
		"archived":       false,
		"disabled":       false,
		"created_at":     ts(created),
		"updated_at":     ts(s.opts.Now().Add(-time.Hour)),
		"pushed_at":      ts(s.opts.Now().Add(-time.Hour)),
		"permissions": map[string]bool{
			"admin": false, "maintain": false, "push": false, "triage": false, "pull": true,
		},
	}
}

func (s *Server) headBranch(repo *Repo, run *Run) string {
	if run.HeadBranch != "" {
		return run.HeadBranch
	}
	return repo.defaultBranch()
}

func event(run *Run) string {
	if run.Event == "" {
		return "push"
	}
	return run.Event
}

func (s *Server) runJSON(r *http.Request, repo *Repo, run *Run) map[string]any {
	base := apiBase(r, s.opts.PathPrefix)
	created := s.opts.Now().Add(-time.Duration(run.Age)).UTC()
	sha := run.HeadSHA
	if sha == "" {
		sha = fmt.Sprintf("%040x", id64("sha", fmt.Sprint(run.ID)))
	}
	api := fmt.Sprintf("%s/repos/%s/actions/runs/%d", base, repo.FullName, run.ID)
	started, attempt := created, 1
	if run.RerunAge > 0 {
		started, attempt = s.opts.Now().Add(-time.Duration(run.RerunAge)).UTC(), 2
	}
	repoMin := map[string]any{
		"id": repo.id(), "name": repo.Name(), "full_name": repo.FullName,
		"private": repo.Private, "owner": map[string]any{"login": repo.Owner(), "type": repo.ownerType()},
		"html_url": "https://github.com/" + repo.FullName,
	}
	return map[string]any{
		"id":              run.ID,
		"name":            run.Name,
		"node_id":         nodeID("WFR_", fmt.Sprint(run.ID)),
		"head_branch":     s.headBranch(repo, run),
		"head_sha":        sha,
		"path":            run.Path,
		"display_title":   run.Name,
		"run_number":      run.ID % 10000,
		"run_attempt":     attempt,
		"event":           event(run),
		"status":          run.Status,
		"conclusion":      nullable(run.Conclusion),
		"workflow_id":     workflowID(run.Path),
		"check_suite_id":  id64("suite", fmt.Sprint(run.ID)),
		"url":             api,
		"html_url":        fmt.Sprintf("https://github.com/%s/actions/runs/%d", repo.FullName, run.ID),
		"jobs_url":        api + "/jobs",
		"logs_url":        api + "/logs",
		"workflow_url":    fmt.Sprintf("%s/repos/%s/actions/workflows/%d", base, repo.FullName, workflowID(run.Path)),
		"created_at":      ts(created),
		"updated_at":      ts(created.Add(time.Minute)),
		"run_started_at":  ts(started),
		"pull_requests":   []any{},
		"repository":      repoMin,
		"head_repository": repoMin,
	}
}

func (s *Server) jobJSON(r *http.Request, repo *Repo, run *Run, j *Job) map[string]any {
	base := apiBase(r, s.opts.PathPrefix)
	created := s.opts.Now().Add(-time.Duration(run.Age)).UTC()
	var started, completed any
	if j.Status == "in_progress" || j.Status == "completed" {
		started = ts(created.Add(10 * time.Second))
	}
	if j.Status == "completed" {
		completed = ts(created.Add(5 * time.Minute))
	}
	labels := j.Labels
	if labels == nil {
		labels = []string{}
	}
	var groupID any
	if j.RunnerGroupName != "" {
		groupID = 1
	}
	return map[string]any{
		"id":                j.ID,
		"run_id":            run.ID,
		"run_url":           fmt.Sprintf("%s/repos/%s/actions/runs/%d", base, repo.FullName, run.ID),
		"run_attempt":       1,
		"node_id":           nodeID("CR_", fmt.Sprint(j.ID)),
		"head_sha":          run.HeadSHA,
		"head_branch":       s.headBranch(repo, run),
		"url":               fmt.Sprintf("%s/repos/%s/actions/jobs/%d", base, repo.FullName, j.ID),
		"html_url":          fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", repo.FullName, run.ID, j.ID),
		"status":            j.Status,
		"conclusion":        nullable(j.Conclusion),
		"created_at":        ts(created),
		"started_at":        started,
		"completed_at":      completed,
		"name":              j.Name,
		"steps":             []any{},
		"check_run_url":     fmt.Sprintf("%s/repos/%s/check-runs/%d", base, repo.FullName, j.ID),
		"labels":            labels,
		"runner_id":         nullableID(j.RunnerName),
		"runner_name":       nullable(j.RunnerName),
		"runner_group_id":   groupID,
		"runner_group_name": nullable(j.RunnerGroupName),
		"workflow_name":     run.Name,
	}
}

// paginate applies per_page (default 30, max 100) and page (from 1) and builds GitHub's
// Link header (next/last/first/prev), keeping the other query parameters.
func paginate(r *http.Request, items []any) ([]any, string) {
	q := r.URL.Query()
	perPage := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (len(items)+perPage-1)/perPage)
	lo := min((page-1)*perPage, len(items))
	hi := min(lo+perPage, len(items))
	out := items[lo:hi]
	if last == 1 {
		return out, "" // GitHub omits Link when everything fits on one page
	}
	link := func(p int, rel string) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("per_page", strconv.Itoa(perPage))
		q2.Set("page", strconv.Itoa(p))
		u := url.URL{Scheme: scheme(r), Host: r.Host, Path: r.URL.Path, RawQuery: q2.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var parts []string
	if page > 1 {
		parts = append(parts, link(page-1, "prev"))
	}
	if page < last {
		parts = append(parts, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		parts = append(parts, link(1, "first"))
	}
	return out, strings.Join(parts, ", ")
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func apiBase(r *http.Request, prefix string) string {
	return scheme(r) + "://" + r.Host + prefix
}

func ts(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableID(runner string) any {
	if runner == "" {
		return nil
	}
	return id64("runner", runner) % 100000
}

func workflowID(p string) int64 { return id64("workflow", p) % 100000000 }

// id64 derives a stable positive id from a name, so ids survive scenario edits.
func id64(kind, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(kind + "\x00" + name))
	return int64(h.Sum64()>>2) % 1_000_000_000_000
}

func nodeID(prefix, name string) string {
	return fmt.Sprintf("%s%x", prefix, id64("node", name))
}
