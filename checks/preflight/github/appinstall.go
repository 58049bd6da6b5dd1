package github

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	gogh "github.com/google/go-github/v89/github"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/enrollment"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

// AppExpect is what step 1 of the enrollment sequence asks of GitHub: an App installed on
// the owner account with the runner permission every registration scope of the overlay's
// scale sets needs. ARC authenticates as that App: an organization-scope registration needs
// the organization permission "Self-hosted runners" (read and write), a repository-scope one
// the repository permission "Administration" (read and write) on that repository.
type AppExpect struct {
	Owner    string // owner.slug: the account the App must be installed on
	Personal bool   // owner.account_kind is personal
	Pos      finding.Position
	// Host is github.com or the Enterprise Server host the overlay declares.
	Host string
	// Targets are the distinct registration scopes under Owner, in deployment order.
	Targets []AppTarget
}

// AppTarget is one registration scope of the owner's scale sets.
type AppTarget struct {
	URL  string // canonical configuration URL
	Repo string // owner/name for a repository scope; "" for the owner scope
	Pos  finding.Position
	// Sets name the scale sets registering there ("the built-in nix lane", ...); empty
	// when the overlay deploys none yet and the owner-level URL stands in.
	Sets []string
}

// need is what the registration scope t asks of the App: the key of GitHub's installation
// permissions object, how GitHub's settings pages name that permission, and the scope in
// words.
func (t AppTarget) need() (key, title, scope string) {
	if t.Repo != "" {
		return "administration", `the repository permission "Administration" (read and write)`, "repository-scope registration at " + t.URL
	}
	return "organization_self_hosted_runners", `the organization permission "Self-hosted runners" (read and write)`, "organization-scope registration at " + t.URL
}

// granted is the level ("read", "write", "admin", "" when absent) an installation has of
// the permission t needs.
func (t AppTarget) granted(perms *gogh.InstallationPermissions) string {
	if t.Repo != "" {
		return perms.GetAdministration()
	}
	return perms.GetOrganizationSelfHostedRunners()
}

// appExpect derives step 1 from the overlay: nil while the owner is not named, is a
// skeleton's placeholder or is no account name (the enrollment gate reports those).
func appExpect(o *overlay.Overlay) *AppExpect {
	if o == nil || o.Org == nil {
		return nil
	}
	org := o.Org
	slug := strings.TrimSpace(org.Owner.Slug.Value)
	if enrollment.Placeholder(slug) || url.PathEscape(slug) != slug {
		return nil // no owner to ask GitHub about yet: the enrollment gate's blocker
	}
	m := deploy.Of(o)
	e := &AppExpect{
		Owner:    slug,
		Personal: org.Owner.AccountKind.Value == "personal",
		Pos:      finding.PosOr(org.Owner.Slug.Pos, org.Owner.Pos, m.OrgFile),
		Host:     ghurl.DefaultHost,
	}
	ghes := ghurl.EnterpriseServerHost(org.Owner.GithubConfigURL.Value)
	if ghes != "" {
		e.Host = ghes
	}
	seen := map[string]int{}
	add := func(raw string, pos finding.Position, set string) {
		u, ok := ghurl.Parse(raw, ghes)
		if !ok || u.Enterprise != "" || !strings.EqualFold(u.Owner, slug) {
			return // unreadable, enterprise or another owner's URL: the taxonomy gate's findings
		}
		if i, dup := seen[u.Key()]; dup {
			if set != "" {
				e.Targets[i].Sets = append(e.Targets[i].Sets, set)
			}
			return
		}
		t := AppTarget{URL: u.Canonical(), Pos: pos}
		if u.Repo != "" {
			t.Repo = u.Owner + "/" + u.Repo
		}
		if set != "" {
			t.Sets = []string{set}
		}
		seen[u.Key()] = len(e.Targets)
		e.Targets = append(e.Targets, t)
	}
	for _, st := range m.Stacks {
		for _, s := range st.ScaleSets {
			add(s.ConfigURL.Value, finding.PosOr(s.ConfigURL.Pos, s.Pos, st.File), s.What())
		}
	}
	if len(e.Targets) == 0 {
		// Nothing deployed yet: the owner-level URL, else the owner scope itself.
		add(org.Owner.GithubConfigURL.Value, finding.PosOr(org.Owner.GithubConfigURL.Pos, e.Pos, m.OrgFile), "")
	}
	if len(e.Targets) == 0 {
		e.Targets = []AppTarget{{URL: "https://" + e.Host + "/" + slug, Pos: e.Pos}}
	}
	return e
}

// settingsURL is where an organization owner installs Apps and approves permission changes.
func (e *AppExpect) settingsURL() string {
	return "https://" + e.Host + "/organizations/" + e.Owner + "/settings/installations"
}

// probeAppInstallation verifies step 1 through GitHub's list of the organization's App
// installations. A personal account's installations, and an installation's selected
// repositories, are visible only to the App itself: those are reported as not verified,
// never as done.
func (p *prober) probeAppInstallation(ctx context.Context) {
	e := p.exp.App
	if e == nil {
		return
	}
	if e.Personal {
		p.add(RuleAppUnverified, finding.Info, e.Pos,
			fmt.Sprintf("the GitHub App installation on the personal account %s is not verified: GitHub shows a user account's installations only to the App itself, never to a personal access token (registration scopes: %s)", e.Owner, targetURLs(e.Targets)),
			fmt.Sprintf("Check https://%s/settings/installations, signed in as %s: the App whose id and installation id go into arc-app-secret is listed there with that permission.", e.Host, e.Owner))
		return
	}
	var installs []*gogh.Installation
	err := listPages(func(page int) (*gogh.Response, error) {
		r, resp, err := p.c.REST().Organizations.ListInstallations(ctx, e.Owner, &gogh.ListOptions{PerPage: 100, Page: page})
		if err == nil && r != nil {
			installs = append(installs, r.Installations...)
		}
		return resp, err
	})
	if err != nil {
		f := ghapi.Classify(err, p.now)
		if f.Kind != ghapi.FailAccess {
			p.fail(err, "list the GitHub App installations of "+e.Owner)
			return
		}
		p.add(RuleAppUnverified, finding.Info, e.Pos,
			fmt.Sprintf("the token may not list the GitHub App installations of %s (%d: %s), so step 1 is not verified; to verify it, use a token of an owner of %s with the organization permission \"Administration\" (read) (fine-grained) or the read:org scope (classic)", e.Owner, f.Status, f.Detail, e.Owner),
			fmt.Sprintf("Rerun the preflight with a token of an owner of %s that may read its App installations (fine-grained: organization permission \"Administration\" read; classic: gh auth refresh -s read:org).", e.Owner))
		return
	}
	for _, t := range e.Targets {
		p.judgeInstallations(e, t, installs)
	}
}

// judgeInstallations reports whether some installation serves the registration scope t.
func (p *prober) judgeInstallations(e *AppExpect, t AppTarget, installs []*gogh.Installation) {
	perm, title, scope := t.need()
	var ready, selected, lacking, env []string
	for _, in := range installs {
		name := fmt.Sprintf("%s (installation %d)", in.GetAppSlug(), in.GetID())
		level := t.granted(in.GetPermissions())
		switch {
		case level != "write" && level != "admin":
			lacking = append(lacking, fmt.Sprintf("%s has %s: %s", name, perm, orNone(level)))
		case in.SuspendedAt != nil:
			lacking = append(lacking, fmt.Sprintf("%s is suspended since %s", name, in.SuspendedAt.UTC().Format("2006-01-02")))
		case t.Repo != "" && in.GetRepositorySelection() == "selected":
			selected = append(selected, name)
		default:
			ready = append(ready, name)
			env = append(env, fmt.Sprintf("GITHUB_APP_ID=%d GITHUB_APP_INSTALLATION_ID=%d (%s)", in.GetAppID(), in.GetID(), in.GetAppSlug()))
		}
	}
	switch {
	case len(ready) > 0:
		// The ids are not secret, and they are what step 2's arc-app-secret asks for.
		p.add(RuleAppInstalled, finding.OK, t.Pos,
			fmt.Sprintf("%s is installed on %s with %s: write, as the %s%s needs; for arc-app-secret: %s", strings.Join(ready, ", "), e.Owner, perm, scope, setsNote(t), strings.Join(env, " or ")),
			"")
	case len(selected) > 0:
		p.add(RuleAppUnverified, finding.Info, t.Pos,
			fmt.Sprintf("%s has %s: write on selected repositories of %s; whether they include %s is not verified (GitHub lists an installation's repositories only to the App itself)", strings.Join(selected, ", "), perm, e.Owner, t.Repo),
			fmt.Sprintf("Check that %s lists %s under Repository access at %s.", strings.Join(selected, ", "), t.Repo, e.settingsURL()))
	default:
		have := "none"
		if len(lacking) > 0 {
			have = strings.Join(lacking, ", ")
		}
		target := e.Owner
		if t.Repo != "" {
			target = t.Repo + " (or all repositories of " + e.Owner + ")"
		}
		p.add(RuleAppMissing, finding.Blocker, t.Pos,
			fmt.Sprintf("no GitHub App installed on %s has %s: write, which the %s%s needs, so ARC cannot register its scale sets; installed: %s", e.Owner, perm, scope, setsNote(t), have),
			fmt.Sprintf("Install the owner's ARC GitHub App on %s with %s and the repository permission \"Metadata\" (read-only), or grant an installed App that permission and approve the change: %s; then use its installation id as GITHUB_APP_INSTALLATION_ID for arc-app-secret and rerun the preflight.", target, title, e.settingsURL()))
	}
}

func orNone(level string) string {
	if level == "" {
		return "none"
	}
	return level
}

func setsNote(t AppTarget) string {
	if len(t.Sets) == 0 {
		return ""
	}
	return " (" + strings.Join(t.Sets, ", ") + ")"
}

func targetURLs(ts []AppTarget) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.URL
	}
	return strings.Join(out, ", ")
}
