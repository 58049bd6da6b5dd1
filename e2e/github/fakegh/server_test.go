package fakegh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v89/github"
)

func scenario() *Scenario {
	var secrets []string
	for i := range 75 {
		secrets = append(secrets, fmt.Sprintf("SECRET_%02d", i))
	}
	return &Scenario{Repos: []*Repo{{
		FullName:      "tinyland-inc/tinyland-infra",
		DefaultBranch: "main",
		Private:       true,
		Secrets:       secrets,
		Refs:          map[string]string{"main": strings.Repeat("ab", 20)},
		Runs: []*Run{
			{ID: 11, Name: "validate", Path: ".github/workflows/validate.yml", Status: "completed", Conclusion: "success", Age: Duration(3 * time.Hour),
				Jobs: []*Job{{ID: 111, Name: "build", Status: "completed", Conclusion: "success", Labels: []string{"tinyland-nix"}, RunnerName: "tinyland-nix-abc-runner-xyz", RunnerGroupName: "Default"}}},
			{ID: 12, Name: "validate", Path: ".github/workflows/validate.yml", Status: "queued", Age: Duration(time.Hour)},
			{ID: 13, Name: "validate", Path: ".github/workflows/validate.yml", HeadBranch: "feature", Status: "completed", Conclusion: "failure", Age: Duration(30 * time.Minute)},
		},
	}}}
}

func client(t *testing.T, s *Server, token string) *gh.Client {
	t.Helper()
	opts := []gh.ClientOptionsFunc{gh.WithURLs(gh.Ptr(s.URL()), gh.Ptr(s.URL())), gh.WithDisableRateLimitCheck()}
	if token != "" {
		opts = append(opts, gh.WithAuthToken(token))
	}
	c, err := gh.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuthRequired(t *testing.T) {
	s := Start(scenario(), Options{})
	defer s.Close()
	for _, tc := range []struct {
		name, header string
		status       int
		msg          string
	}{
		{"none", "", 401, "Requires authentication"},
		{"wrong", "Bearer nope", 401, "Bad credentials"},
		{"basic", "Basic " + s.Token(), 401, "Bad credentials"},
		{"bearer", "Bearer " + s.Token(), 200, ""},
		{"token", "token " + s.Token(), 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL()+"repos/tinyland-inc/tinyland-infra", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if resp.Header.Get("X-GitHub-Request-Id") == "" {
				t.Error("no x-github-request-id")
			}
			if tc.msg != "" {
				var e struct{ Message, Status, DocumentationURL string }
				if err := json.Unmarshal(body, &e); err != nil || e.Message != tc.msg || e.Status != "401" {
					t.Errorf("error body %s (err %v), want message %q status \"401\"", body, err, tc.msg)
				}
			}
		})
	}
	for _, r := range s.Requests() {
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), s.Token()) {
			t.Fatalf("request log holds the token: %s", b)
		}
	}
}

func TestRepoAndPagination(t *testing.T) {
	s := Start(scenario(), Options{})
	defer s.Close()
	c := client(t, s, s.Token())
	ctx := context.Background()

	repo, resp, err := c.Repositories.Get(ctx, "Tinyland-Inc", "tinyland-infra") // case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if repo.GetDefaultBranch() != "main" || !repo.GetPrivate() || repo.GetOwner().GetType() != "Organization" {
		t.Errorf("repo = %+v", repo)
	}
	if resp.Rate.Limit != 5000 || resp.Rate.Remaining != 4999 || resp.Rate.Reset.IsZero() {
		t.Errorf("rate = %+v", resp.Rate)
	}

	var names []string
	var pages []int
	opt := &gh.ListOptions{PerPage: 30}
	for {
		sec, resp, err := c.Actions.ListRepoSecrets(ctx, "tinyland-inc", "tinyland-infra", opt)
		if err != nil {
			t.Fatal(err)
		}
		if sec.TotalCount != 75 {
			t.Fatalf("total_count %d", sec.TotalCount)
		}
		pages = append(pages, len(sec.Secrets))
		for _, x := range sec.Secrets {
			names = append(names, x.Name)
		}
		if resp.NextPage == 0 {
			if resp.LastPage != 0 {
				t.Errorf("last page advertised on the last page")
			}
			break
		}
		if resp.LastPage != 3 {
			t.Errorf("LastPage = %d, want 3", resp.LastPage)
		}
		opt.Page = resp.NextPage
	}
	if fmt.Sprint(pages) != "[30 30 15]" || len(names) != 75 || names[74] != "SECRET_74" {
		t.Errorf("pages %v, %d names", pages, len(names))
	}

	// One page: no Link header at all, as on GitHub.
	req, _ := http.NewRequest("GET", s.URL()+"repos/tinyland-inc/tinyland-infra/actions/secrets?per_page=100", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if l := r2.Header.Get("Link"); l != "" {
		t.Errorf("Link on a single page: %q", l)
	}
}

func TestRunsAndJobs(t *testing.T) {
	s := Start(scenario(), Options{})
	defer s.Close()
	c := client(t, s, s.Token())
	ctx := context.Background()
	runs, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx, "tinyland-inc", "tinyland-infra", &gh.ListWorkflowRunsOptions{Branch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs.WorkflowRuns {
		got = append(got, fmt.Sprintf("%d:%s/%s", r.GetID(), r.GetStatus(), r.GetConclusion()))
	}
	// Newest first; the feature-branch run is filtered out.
	if strings.Join(got, " ") != "12:queued/ 11:completed/success" {
		t.Errorf("runs = %v", got)
	}
	wr, _, err := c.Actions.ListWorkflowRunsByFileName(ctx, "tinyland-inc", "tinyland-infra", "validate.yml", &gh.ListWorkflowRunsOptions{Status: "success"})
	if err != nil || len(wr.WorkflowRuns) != 1 || wr.WorkflowRuns[0].GetID() != 11 {
		t.Fatalf("workflow runs by status=success: %v %v", wr, err)
	}
	if _, _, err := c.Actions.ListWorkflowRunsByFileName(ctx, "tinyland-inc", "tinyland-infra", "nope.yml", nil); !is404(err) {
		t.Errorf("unknown workflow: %v, want 404", err)
	}
	jobs, _, err := c.Actions.ListWorkflowJobs(ctx, "tinyland-inc", "tinyland-infra", 11, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := jobs.Jobs[0]
	if fmt.Sprint(j.Labels) != "[tinyland-nix]" || j.GetRunnerName() == "" || j.GetConclusion() != "success" || j.GetRunID() != 11 {
		t.Errorf("job = %+v", j)
	}
	q, _, err := c.Actions.ListWorkflowJobs(ctx, "tinyland-inc", "tinyland-infra", 12, nil)
	if err != nil || q.GetTotalCount() != 0 {
		t.Errorf("queued run jobs: %v %v", q, err)
	}
}

func TestCommitRefs(t *testing.T) {
	s := Start(scenario(), Options{})
	defer s.Close()
	c := client(t, s, s.Token())
	ctx := context.Background()
	sha, _, err := c.Repositories.GetCommitSHA1(ctx, "tinyland-inc", "tinyland-infra", "main", "")
	if err != nil || sha != strings.Repeat("ab", 20) {
		t.Fatalf("sha %q err %v", sha, err)
	}
	_, _, err = c.Repositories.GetCommitSHA1(ctx, "tinyland-inc", "tinyland-infra", "no-such-branch", "")
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || !strings.Contains(er.Message, "No commit found") {
		t.Fatalf("unknown ref: %v", err)
	}
	commit, _, err := c.Repositories.GetCommit(ctx, "tinyland-inc", "tinyland-infra", "main", nil)
	if err != nil || commit.GetSHA() != strings.Repeat("ab", 20) {
		t.Fatalf("json commit: %v %v", commit, err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("status 500 then recovers", func(t *testing.T) {
		s := Start(scenario(), Options{Faults: []Fault{{Route: RouteRepo, Kind: FaultStatus, Times: 1}}})
		defer s.Close()
		c := client(t, s, s.Token())
		_, resp, err := c.Repositories.Get(ctx, "tinyland-inc", "tinyland-infra")
		if err == nil || resp.StatusCode != 500 {
			t.Fatalf("first call: %v", err)
		}
		if _, _, err := c.Repositories.Get(ctx, "tinyland-inc", "tinyland-infra"); err != nil {
			t.Fatalf("second call: %v", err)
		}
		log := s.Requests()
		if log[0].Fault == "" || log[1].Fault != "" || log[0].Status != 500 || log[1].Status != 200 {
			t.Errorf("log = %+v", log)
		}
	})
	t.Run("429 retry-after", func(t *testing.T) {
		s := Start(scenario(), Options{Faults: []Fault{{Route: RouteSecrets, Kind: FaultRetryAfter, RetryAfter: Duration(1500 * time.Millisecond)}}})
		defer s.Close()
		c := client(t, s, s.Token())
		_, resp, err := c.Actions.ListRepoSecrets(ctx, "tinyland-inc", "tinyland-infra", nil)
		if err == nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
			t.Fatalf("got %v, header %q", err, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("secondary", func(t *testing.T) {
		s := Start(scenario(), Options{Faults: []Fault{{Route: RouteAny, Kind: FaultSecondary, RetryAfter: Duration(3 * time.Second)}}})
		defer s.Close()
		c := client(t, s, s.Token())
		_, _, err := c.Repositories.Get(ctx, "tinyland-inc", "tinyland-infra")
		var ae *gh.AbuseRateLimitError
		if !errors.As(err, &ae) || ae.GetRetryAfter() != 3*time.Second {
			t.Fatalf("got %T %v", err, err)
		}
	})
	t.Run("primary", func(t *testing.T) {
		s := Start(scenario(), Options{Faults: []Fault{{Route: RouteRuns, Kind: FaultPrimary, ResetIn: Duration(90 * time.Second)}}})
		defer s.Close()
		c := client(t, s, s.Token())
		_, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx, "tinyland-inc", "tinyland-infra", nil)
		var re *gh.RateLimitError
		if !errors.As(err, &re) || re.Rate.Remaining != 0 || time.Until(re.Rate.Reset.Time) < 80*time.Second {
			t.Fatalf("got %T %v", err, err)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s := Start(scenario(), Options{Faults: []Fault{{Route: RouteJobs, Kind: FaultTruncate}}})
		defer s.Close()
		c := client(t, s, s.Token())
		_, _, err := c.Actions.ListWorkflowJobs(ctx, "tinyland-inc", "tinyland-infra", 11, nil)
		if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("hang ends with the client deadline", func(t *testing.T) {
		s := Start(scenario(), Options{Faults: []Fault{{Route: RouteRepo, Kind: FaultHang}}})
		defer s.Close()
		c := client(t, s, s.Token())
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, _, err := c.Repositories.Get(cctx, "tinyland-inc", "tinyland-infra")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("latency", func(t *testing.T) {
		s := Start(scenario(), Options{Latency: 30 * time.Millisecond})
		defer s.Close()
		c := client(t, s, s.Token())
		start := time.Now()
		if _, _, err := c.Repositories.Get(ctx, "tinyland-inc", "tinyland-infra"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Fatalf("answered in %v, before the injected latency", d)
		}
	})
}

func TestOnlyReadMethodsAnswer(t *testing.T) {
	s := Start(scenario(), Options{})
	defer s.Close()
	req, _ := http.NewRequest("PUT", s.URL()+"repos/tinyland-inc/tinyland-infra/actions/secrets/GF_CORE_DEPLOY_KEY", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("PUT answered %d", resp.StatusCode)
	}
	log := s.Requests()
	if len(log) != 1 || log[0].Method != "PUT" || log[0].Status != 404 {
		t.Fatalf("log = %+v", log)
	}
}

func TestAPIVersionHeader(t *testing.T) {
	s := Start(scenario(), Options{})
	defer s.Close()
	for v, want := range map[string]int{"2022-11-28": 200, "2026-03-10": 200, "1999-01-01": 400} {
		req, _ := http.NewRequest("GET", s.URL()+"repos/tinyland-inc/tinyland-infra", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token())
		req.Header.Set("X-GitHub-Api-Version", v)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("version %s: %d, want %d", v, resp.StatusCode, want)
		}
	}
}

func TestPathPrefixForEnterprise(t *testing.T) {
	s := Start(scenario(), Options{PathPrefix: "/api/v3"})
	defer s.Close()
	if !strings.HasSuffix(s.URL(), "/api/v3/") {
		t.Fatalf("URL %s", s.URL())
	}
	c := client(t, s, s.Token())
	if _, _, err := c.Repositories.Get(context.Background(), "tinyland-inc", "tinyland-infra"); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", strings.TrimSuffix(s.URL(), "api/v3/")+"repos/tinyland-inc/tinyland-infra", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unprefixed path answered %d", resp.StatusCode)
	}
}

func TestLoadScenario(t *testing.T) {
	sc, err := LoadScenario([]byte(`{"repos":[{"full_name":"a/b","runs":[{"id":1,"name":"v","path":".github/workflows/v.yml","status":"queued","age":"20m"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(sc.Repos[0].Runs[0].Age) != 20*time.Minute {
		t.Errorf("age = %v", sc.Repos[0].Runs[0].Age)
	}
	for _, bad := range []string{`{"repos":[{"full_name":"nope"}]}`, `{"repoz":[]}`, `{"repos":[{"full_name":"a/b","runs":[{"age":"soon"}]}]}`} {
		if _, err := LoadScenario([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func is404(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response.StatusCode == 404
}

func TestOrganizationSecrets(t *testing.T) {
	sc := scenario()
	sc.Repos[0].OrgSecrets = []string{"GF_CORE_DEPLOY_KEY"}
	sc.Repos = append(sc.Repos, &Repo{FullName: "Jesssullivan/jesssullivan-infra", OwnerType: "User"})
	s := Start(sc, Options{})
	defer s.Close()
	c := client(t, s, s.Token())
	sec, _, err := c.Actions.ListRepoOrgSecrets(context.Background(), "tinyland-inc", "tinyland-infra", nil)
	if err != nil || sec.TotalCount != 1 || sec.Secrets[0].Name != "GF_CORE_DEPLOY_KEY" || sec.Secrets[0].Visibility != "selected" {
		t.Fatalf("org secrets: %+v %v", sec, err)
	}
	// A personal account has no organization secrets: 404, as on GitHub.
	if _, _, err := c.Actions.ListRepoOrgSecrets(context.Background(), "Jesssullivan", "jesssullivan-infra", nil); !is404(err) {
		t.Errorf("user repo: %v, want 404", err)
	}
}

func TestOrganizationInstallations(t *testing.T) {
	sc := scenario()
	org := &Org{Login: "tinyland-inc"}
	for i := range 35 {
		org.Installations = append(org.Installations, &Installation{ID: int64(1000 + i), AppID: int64(i + 1), AppSlug: fmt.Sprintf("app-%02d", i),
			Permissions: map[string]string{"metadata": "read"}})
	}
	org.Installations[34].Permissions["organization_self_hosted_runners"] = "write"
	org.Installations[34].SuspendedAge = Duration(48 * time.Hour)
	org.Installations[0].RepositorySelection = "selected"
	sc.Orgs = []*Org{org}
	s := Start(sc, Options{})
	defer s.Close()
	c := client(t, s, s.Token())
	ctx := context.Background()

	var got []*gh.Installation
	opt := &gh.ListOptions{PerPage: 30}
	for {
		page, resp, err := c.Organizations.ListInstallations(ctx, "Tinyland-Inc", opt) // case-insensitive
		if err != nil {
			t.Fatal(err)
		}
		if page.GetTotalCount() != 35 {
			t.Fatalf("total_count %d", page.GetTotalCount())
		}
		got = append(got, page.Installations...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(got) != 35 {
		t.Fatalf("%d installations over the pages, want 35", len(got))
	}
	first, last := got[0], got[34]
	if first.GetRepositorySelection() != "selected" || first.GetAccount().GetLogin() != "tinyland-inc" || first.GetTargetType() != "Organization" ||
		first.GetAppSlug() != "app-00" || first.SuspendedAt != nil || !strings.HasSuffix(first.GetHTMLURL(), "/organizations/tinyland-inc/settings/installations/1000") {
		t.Errorf("first installation = %+v", first)
	}
	if last.GetRepositorySelection() != "all" || last.GetPermissions().GetOrganizationSelfHostedRunners() != "write" || last.SuspendedAt == nil {
		t.Errorf("last installation = %+v", last)
	}

	// Not an organization: 404. A token whose user may not read them: 403 naming the
	// permission and the classic scopes.
	if _, _, err := c.Organizations.ListInstallations(ctx, "Jesssullivan", nil); !is404(err) {
		t.Errorf("unknown organization: %v, want 404", err)
	}
	denied := Start(&Scenario{Orgs: []*Org{{Login: "tinyland-inc", DenyInstallations: true}}}, Options{})
	defer denied.Close()
	_, _, err := client(t, denied, denied.Token()).Organizations.ListInstallations(ctx, "tinyland-inc", nil)
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusForbidden ||
		er.Response.Header.Get("X-Accepted-GitHub-Permissions") != "organization_administration=read" ||
		!strings.Contains(er.Response.Header.Get("X-Accepted-OAuth-Scopes"), "read:org") {
		t.Errorf("denied: %v", err)
	}
}
