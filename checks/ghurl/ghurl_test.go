package ghurl_test

import (
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		raw, ghes string
		ok        bool
		key       string
		canonical string
		problems  string // joined with "; "
		repoScope bool
	}{
		{raw: "https://github.com/tinyland-inc", ok: true, key: "github.com/tinyland-inc", canonical: "https://github.com/tinyland-inc"},
		{raw: "https://github.com/Jesssullivan/jesssullivan-infra", ok: true, key: "github.com/jesssullivan/jesssullivan-infra", canonical: "https://github.com/Jesssullivan/jesssullivan-infra", repoScope: true},
		{raw: "https://github.com/acme/", ok: true, key: "github.com/acme", canonical: "https://github.com/acme", problems: "ends with a slash"},
		{raw: "http://github.com/acme/app.git", ok: true, key: "github.com/acme/app", canonical: "https://github.com/acme/app", problems: "uses http:// instead of https://; ends with .git", repoScope: true},
		{raw: " https://github.com/acme", ok: true, key: "github.com/acme", canonical: "https://github.com/acme", problems: "has leading or trailing whitespace"},
		{raw: "https://user:tok@github.com:8443/acme?x=1", ok: true, key: "github.com/acme", canonical: "https://github.com/acme", problems: "carries credentials; names a port; has a query or fragment"},
		{raw: "https://ghe.example.com/acme", ok: true, key: "ghe.example.com/acme", canonical: "https://ghe.example.com/acme", problems: "is on host ghe.example.com, not github.com (a GitHub Enterprise Server host is accepted only when owner.github_config_url in organization.yaml uses it)"},
		{raw: "https://GHE.example.com/acme", ghes: "ghe.example.com", ok: true, key: "ghe.example.com/acme", canonical: "https://ghe.example.com/acme"},
		{raw: "https://github.com/enterprises/big", ok: true, key: "github.com/enterprises/big", canonical: "https://github.com/enterprises/big"},
		{raw: "https://github.com/a/b/c", ok: true, key: "github.com/a/b", canonical: "https://github.com/a/b", problems: "has path segments after <owner>/<repo>", repoScope: true},
		{raw: "https://github.com", ok: false, problems: "names no owner"},
		{raw: "github.com/acme", ok: false, problems: "is not an absolute URL"},
		{raw: "", ok: false},
	} {
		u, ok := ghurl.Parse(tc.raw, tc.ghes)
		if ok != tc.ok {
			t.Errorf("Parse(%q) ok = %v, want %v", tc.raw, ok, tc.ok)
			continue
		}
		if got := strings.Join(u.Problems, "; "); got != tc.problems {
			t.Errorf("Parse(%q) problems %q, want %q", tc.raw, got, tc.problems)
		}
		if !ok {
			continue
		}
		if u.Key() != tc.key || u.Canonical() != tc.canonical || u.RepoScoped() != tc.repoScope {
			t.Errorf("Parse(%q): key %q canonical %q repo-scoped %v; want %q %q %v", tc.raw, u.Key(), u.Canonical(), u.RepoScoped(), tc.key, tc.canonical, tc.repoScope)
		}
		if strings.Contains(strings.Join(u.Problems, " "), "tok") {
			t.Errorf("Parse(%q) echoes the credential: %v", tc.raw, u.Problems)
		}
	}
}

func TestSame(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://github.com/Acme", "https://github.com/acme/", true},
		{"https://github.com/acme/app", "https://github.com/acme/app.git", true},
		{"https://github.com/acme", "https://github.com/acme/app", false},
		{"https://github.com/acme", "https://github.com/other", false},
		{"https://github.com/enterprises/acme", "https://github.com/acme", false},
		{"not a url", "not a url", true},
		{"not a url", "https://github.com/acme", false},
	} {
		if got := ghurl.Same(tc.a, tc.b); got != tc.want {
			t.Errorf("Same(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := ghurl.Redact("https://x:secret@github.com/acme"); strings.Contains(got, "secret") || !strings.Contains(got, "github.com/acme") {
		t.Errorf("Redact kept the credential or lost the URL: %q", got)
	}
	if got := ghurl.Redact("https://github.com/acme"); got != "https://github.com/acme" {
		t.Errorf("Redact changed a clean URL: %q", got)
	}
}

// TestParseOwnerRepo pins owner, repository and problem counts of the shapes overlays write.
func TestParseOwnerRepo(t *testing.T) {
	cases := []struct {
		raw      string
		ok       bool
		owner    string
		repo     string
		problems int
	}{
		{"https://github.com/tinyland-inc", true, "tinyland-inc", "", 0},
		{"https://github.com/Jesssullivan/jesssullivan-infra", true, "Jesssullivan", "jesssullivan-infra", 0},
		{"https://github.com/tinyland-inc/", true, "tinyland-inc", "", 1},
		{"https://github.com/tinyland-inc/tinyland.dev.git", true, "tinyland-inc", "tinyland.dev", 1},
		{"https://github.com/a/b/c", true, "a", "b", 1},
		{"https://github.com/a?x=1", true, "a", "", 1},
		{"https://github.com:443/a", true, "a", "", 1},
		{"https://github.com", false, "", "", 1},
		{"github.com/a", false, "", "", 1},
		{"", false, "", "", 0},
		{" https://github.com/a", true, "a", "", 1},
	}
	for _, c := range cases {
		u, ok := ghurl.Parse(c.raw, "")
		if ok != c.ok || u.Owner != c.owner || u.Repo != c.repo || len(u.Problems) != c.problems {
			t.Errorf("Parse(%q) = %+v, %v", c.raw, u, ok)
		}
	}
}
