package ghapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
)

const repoName = "tinyland-inc/tinyland-infra"

// enrolled is a repository the client can read.
func enrolled() *fakegh.Repo {
	return &fakegh.Repo{FullName: repoName, DefaultBranch: "main", Private: true, Secrets: []string{"GF_CORE_DEPLOY_KEY"}}
}

// assertReadOnlyAndSilent: only GETs reached the server, and the token appears nowhere.
func assertReadOnlyAndSilent(t *testing.T, srv *fakegh.Server, outputs ...string) {
	t.Helper()
	for _, req := range srv.Requests() {
		if req.Method != "GET" {
			t.Errorf("%s %s sent; the client is read-only", req.Method, req.Path)
		}
	}
	for _, o := range outputs {
		if strings.Contains(o, srv.Token()) {
			t.Errorf("output holds the token")
		}
	}
}

func TestWriteRefusedBeforeTheNetwork(t *testing.T) {
	srv := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{enrolled()}}, fakegh.Options{})
	defer srv.Close()
	c, err := NewClient(ClientConfig{APIURL: srv.URL(), Token: srv.Token()})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		req, err := c.gh.NewRequest(context.Background(), m, "repos/"+repoName+"/actions/secrets/GF_CORE_DEPLOY_KEY", map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.gh.Do(req, nil)
		if err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%s: %v", m, err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestTokenStaysOnTheAPIHost(t *testing.T) {
	// The client is configured for api's host; a request that ends up at another host (an
	// absolute URL in a Link header, say) must not carry the token there.
	api := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{enrolled()}}, fakegh.Options{})
	defer api.Close()
	other := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{enrolled()}}, fakegh.Options{})
	defer other.Close()
	c, err := NewClient(ClientConfig{APIURL: api.URL(), Token: api.Token()})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := c.gh.NewRequest(context.Background(), "GET", other.URL()+"repos/"+repoName, nil)
	_, err = c.gh.Do(req, nil)
	if err == nil {
		t.Fatal("the other host answered an unauthenticated request")
	}
	if strings.Contains(err.Error(), api.Token()) {
		t.Errorf("error holds the token: %v", err)
	}
	reqs := other.Requests()
	if len(reqs) != 1 || reqs[0].AuthScheme != "" {
		t.Errorf("request to another host: %+v", reqs)
	}
}

func TestCommitResolver(t *testing.T) {
	sha := strings.Repeat("637b7167", 5)
	core := &fakegh.Repo{FullName: "tinyland-inc/GloriousFlywheel", Refs: map[string]string{"main": sha, "v1.4.0": sha}}
	srv := fakegh.Start(&fakegh.Scenario{Repos: []*fakegh.Repo{core}}, fakegh.Options{})
	defer srv.Close()
	c, err := NewClient(ClientConfig{APIURL: srv.URL(), Token: srv.Token()})
	if err != nil {
		t.Fatal(err)
	}
	res := CommitResolver{Client: c, Repo: core.FullName}
	for _, ref := range []string{"main", "v1.4.0"} {
		got, err := res.Resolve(context.Background(), ref)
		if err != nil || got != sha {
			t.Errorf("%s: %q %v", ref, got, err)
		}
	}
	_, err = res.Resolve(context.Background(), "release-9")
	if err == nil || !strings.Contains(err.Error(), "ref not found") || !strings.Contains(err.Error(), `"release-9"`) {
		t.Errorf("unknown ref: %v", err)
	}
	_, err = CommitResolver{Client: c, Repo: "tinyland-inc/missing"}.Resolve(context.Background(), "main")
	if err == nil || !strings.Contains(err.Error(), "not visible to the token (404)") {
		t.Errorf("unknown repo: %v", err)
	}
	noTok, _ := NewClient(ClientConfig{APIURL: srv.URL()})
	if _, err := (CommitResolver{Client: noTok, Repo: core.FullName}).Resolve(context.Background(), "main"); err == nil || !strings.Contains(err.Error(), "no token") {
		t.Errorf("no token: %v", err)
	}
	assertReadOnlyAndSilent(t, srv)
}

func TestNewClientRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"ftp://x/", "api.github.com", "https://user:hunter2@ghe.example.com/api/v3", "http://%zz"} {
		_, err := NewClient(ClientConfig{APIURL: u, Token: "tok"})
		if err == nil {
			t.Errorf("%q accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks URL credentials: %v", err)
		}
	}
}

func TestTokenFromEnv(t *testing.T) {
	env := map[string]string{"GH_TOKEN": "b", "GITHUB_TOKEN": "  "}
	tok, from := TokenFromEnv(func(k string) string { return env[k] })
	if tok != "b" || from != "GH_TOKEN" {
		t.Errorf("%q %q", tok, from)
	}
	env["GITHUB_TOKEN"] = "a"
	if tok, from = TokenFromEnv(func(k string) string { return env[k] }); tok != "a" || from != "GITHUB_TOKEN" {
		t.Errorf("%q %q", tok, from)
	}
}

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 40 * time.Second: "40s", 15 * time.Minute: "15m", 2*time.Hour + 5*time.Minute: "2h5m",
		26 * time.Hour: "26h", 50 * time.Hour: "2d2h", 72 * time.Hour: "3d",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
