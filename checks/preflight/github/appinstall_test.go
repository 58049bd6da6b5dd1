package github

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
)

func orgScope() AppTarget {
	return AppTarget{URL: "https://github.com/tinyland-inc", Pos: finding.Position{File: "tofu/stacks/arc-runners/tinyland.tfvars", Line: 8, Column: 24},
		Sets: []string{"the built-in nix lane"}}
}

func repoScope() AppTarget {
	return AppTarget{URL: "https://github.com/tinyland-inc/tinyland.dev", Repo: "tinyland-inc/tinyland.dev",
		Pos: finding.Position{File: "tofu/stacks/arc-runners/tinyland.tfvars", Line: 40, Column: 29}, Sets: []string{"extra_runner_sets.tinyland-dev"}}
}

// arcApp is an App installation ARC can register organization runners with; filler are
// unrelated installations, enough to push arcApp onto the second page.
func arcApp() *fakegh.Installation {
	return &fakegh.Installation{ID: 51234567, AppID: 901234, AppSlug: "tinyland-arc",
		Permissions: map[string]string{"organization_self_hosted_runners": "write", "metadata": "read"}}
}

func filler(n int) []*fakegh.Installation {
	out := make([]*fakegh.Installation, n)
	for i := range out {
		out[i] = &fakegh.Installation{ID: int64(60000000 + i), AppID: int64(3000 + i), AppSlug: fmt.Sprintf("helper-%03d", i),
			RepositorySelection: "selected", Permissions: map[string]string{"contents": "read", "metadata": "read"}}
	}
	return out
}

func TestProbeAppInstallation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		installs []*fakegh.Installation
		deny     bool
		noOrg    bool // the account is not an organization on GitHub (404)
		personal bool
		targets  []AppTarget
		want     string // "severity rule" of each step-1 finding, in order
		contains []string
	}{
		{name: "installed, on the second page", installs: append(filler(110), arcApp()),
			want:     "ok preflight/app-installation",
			contains: []string{"tinyland-arc (installation 51234567) is installed on tinyland-inc with organization_self_hosted_runners: write", "for arc-app-secret: GITHUB_APP_ID=901234 GITHUB_APP_INSTALLATION_ID=51234567 (tinyland-arc)"}},
		{name: "no App installed", want: "blocker preflight/app-installation-missing",
			contains: []string{"installed: none", `the organization permission "Self-hosted runners" (read and write)`, "https://github.com/organizations/tinyland-inc/settings/installations"}},
		{name: "only read permission", installs: []*fakegh.Installation{{ID: 7, AppSlug: "runner-viewer", Permissions: map[string]string{"organization_self_hosted_runners": "read"}}},
			want: "blocker preflight/app-installation-missing", contains: []string{"runner-viewer (installation 7) has organization_self_hosted_runners: read"}},
		{name: "suspended", installs: []*fakegh.Installation{func() *fakegh.Installation { a := arcApp(); a.SuspendedAge = dur(72 * time.Hour); return a }()},
			want: "blocker preflight/app-installation-missing", contains: []string{"tinyland-arc (installation 51234567) is suspended since"}},
		{name: "repository scope needs administration", installs: []*fakegh.Installation{arcApp()}, targets: []AppTarget{repoScope()},
			want:     "blocker preflight/app-installation-missing",
			contains: []string{"has administration: none", `the repository permission "Administration" (read and write)`, "on tinyland-inc/tinyland.dev (or all repositories of tinyland-inc)"}},
		{name: "repository scope on all repositories", targets: []AppTarget{orgScope(), repoScope()},
			installs: []*fakegh.Installation{{ID: 9, AppSlug: "tinyland-arc", Permissions: map[string]string{"organization_self_hosted_runners": "write", "administration": "write"}}},
			want:     "ok preflight/app-installation\nok preflight/app-installation"},
		{name: "repository scope on selected repositories", targets: []AppTarget{repoScope()},
			installs: []*fakegh.Installation{{ID: 9, AppSlug: "tinyland-arc", RepositorySelection: "selected", Permissions: map[string]string{"administration": "write"}}},
			want:     "info preflight/app-installation-unverified",
			contains: []string{"whether they include tinyland-inc/tinyland.dev is not verified"}},
		{name: "token may not list installations", installs: []*fakegh.Installation{arcApp()}, deny: true,
			want:     "info preflight/app-installation-unverified",
			contains: []string{"403", `"Administration" (read)`, "read:org"}},
		{name: "not an organization on GitHub", noOrg: true,
			want: "info preflight/app-installation-unverified", contains: []string{"404"}},
		{name: "personal account", personal: true, want: "info preflight/app-installation-unverified",
			contains: []string{"personal account tinyland-inc is not verified"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			org := &fakegh.Org{Login: "tinyland-inc", Installations: tc.installs, DenyInstallations: tc.deny}
			sc := &fakegh.Scenario{Repos: []*fakegh.Repo{enrolled()}, Orgs: []*fakegh.Org{org}}
			if tc.noOrg {
				sc.Orgs = nil
			}
			exp := expectations()
			exp.App = &AppExpect{Owner: "tinyland-inc", Personal: tc.personal, Host: "github.com",
				Pos: finding.Position{File: "config/organization.yaml", Line: 3, Column: 9}, Targets: tc.targets}
			if exp.App.Targets == nil {
				exp.App.Targets = []AppTarget{orgScope()}
			}
			r, srv := probeScenario(t, sc, exp)
			var got []string
			for _, f := range r.Findings {
				if strings.HasPrefix(f.Rule, "preflight/app-installation") {
					got = append(got, f.Severity.String()+" "+f.Rule)
					if f.Step != finding.StepApp {
						t.Errorf("%s is at step %d, want %d", f.Rule, f.Step, finding.StepApp)
					}
				}
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("step-1 findings %q, want %q%s", got, tc.want, dump(r))
			}
			all := dump(r)
			for _, s := range tc.contains {
				if !strings.Contains(all, s) {
					t.Errorf("no finding holds %q%s", s, all)
				}
			}
			// Nothing else of the probe changes: the enrolled repository stays clean.
			for _, v := range verdicts(r) {
				if strings.HasPrefix(v, "blocker") && !strings.Contains(v, "app-installation") {
					t.Errorf("unexpected %s%s", v, all)
				}
			}
			calls := 0
			for _, q := range srv.Requests() {
				if q.Route == fakegh.RouteInstallations {
					calls++
				}
			}
			if tc.personal && calls != 0 {
				t.Errorf("a personal account's installations were asked for (%d calls): no token may read them", calls)
			}
			if !tc.personal && calls == 0 {
				t.Error("the organization's installations were never read")
			}
		})
	}
}

// The registration scopes come from where the overlay's scale sets register, one per scope,
// and only those under the owner.
func TestAppExpect(t *testing.T) {
	load := func(t *testing.T, fixture string, edit func(root string)) *overlay.Overlay {
		t.Helper()
		root := filepath.Join(t.TempDir(), fixture)
		if err := overlaytest.MaterializeTo(overlaytest.Variant{Name: fixture, Dir: t.TempDir(), Base: fixture}, overlaytest.BaseDir(t, fixture), root); err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(root)
		}
		o, err := overlay.Load(root, overlay.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	rewrite := func(t *testing.T, path, old, new string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s: %q not found (%v)", path, old, err)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	describe := func(e *AppExpect) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s personal=%v host=%s", e.Owner, e.Personal, e.Host)
		for _, tg := range e.Targets {
			fmt.Fprintf(&b, "\n%s repo=%q at %s sets=%d", tg.URL, tg.Repo, tg.Pos, len(tg.Sets))
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, fixture string
		edit          func(t *testing.T, root string)
		want          string
	}{
		{name: "organization", fixture: "tinyland-org",
			want: "tinyland-inc personal=false host=github.com\nhttps://github.com/tinyland-inc repo=\"\" at tofu/stacks/arc-runners/tinyland.tfvars:8:24 sets=6"},
		{name: "personal with a repository anchor", fixture: "jess-personal",
			want: "Jesssullivan personal=true host=github.com\nhttps://github.com/Jesssullivan/jesssullivan-infra repo=\"Jesssullivan/jesssullivan-infra\" at tofu/stacks/arc-runners/jesssullivan.tfvars:6:24 sets=1\nhttps://github.com/Jesssullivan repo=\"\" at tofu/stacks/arc-runners/jesssullivan.tfvars:32:29 sets=1"},
		{name: "a set under another owner is not the owner's App", fixture: "tinyland-org",
			edit: func(t *testing.T, root string) {
				rewrite(t, filepath.Join(root, "tofu/stacks/arc-runners/tinyland.tfvars"), `tinyland-nix-kvm = { github_config_url = "https://github.com/tinyland-inc"`, `tinyland-nix-kvm = { github_config_url = "https://github.com/someone-else"`)
			},
			want: "tinyland-inc personal=false host=github.com\nhttps://github.com/tinyland-inc repo=\"\" at tofu/stacks/arc-runners/tinyland.tfvars:8:24 sets=5"},
		{name: "no tfvars: the owner-level URL", fixture: "tinyland-org",
			edit: func(t *testing.T, root string) {
				if err := os.RemoveAll(filepath.Join(root, "tofu")); err != nil {
					t.Fatal(err)
				}
			},
			want: "tinyland-inc personal=false host=github.com\nhttps://github.com/tinyland-inc repo=\"\" at config/organization.yaml:13:22 sets=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := load(t, tc.fixture, func(root string) {
				if tc.edit != nil {
					tc.edit(t, root)
				}
			})
			e := appExpect(o)
			if e == nil {
				t.Fatal("no expectation")
			}
			if got := describe(e); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	for _, slug := range []string{"", "  ", "<owner>", "TODO", "acme corp", "acme/corp"} {
		o := &overlay.Overlay{Org: &overlay.OrgConfig{}}
		o.Org.Owner.Slug = overlay.String{Value: slug, Set: true}
		if appExpect(o) != nil {
			t.Errorf("owner.slug %q: GitHub would be asked about an owner the overlay does not name", slug)
		}
	}
}
