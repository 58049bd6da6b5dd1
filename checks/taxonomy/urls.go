package taxonomy

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// configURL is a parsed github_config_url.
type configURL struct {
	scheme     string
	host       string
	owner      string
	repo       string
	enterprise string // https://github.com/enterprises/<slug>
	problems   []string
}

// key is the URL's identity for comparisons: host/owner[/repo], lowercased, ignoring the
// cosmetic problems (trailing slash, .git) that config-url reports on its own.
func (u configURL) key() string {
	k := u.host + "/" + u.owner
	if u.enterprise != "" {
		k = u.host + "/enterprises/" + u.enterprise
	}
	if u.repo != "" {
		k += "/" + u.repo
	}
	return strings.ToLower(k)
}

// parseConfigURL parses raw and lists what keeps it from being the canonical
// https://<host>/<owner>[/<repo>]. ok is false when nothing usable could be read.
// ghes is an additionally accepted host. Credentials in the URL are never echoed.
func parseConfigURL(raw, ghes string) (configURL, bool) {
	var u configURL
	if strings.TrimSpace(raw) == "" {
		return u, false
	}
	if strings.TrimSpace(raw) != raw {
		u.problems = append(u.problems, "has leading or trailing whitespace")
	}
	p, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || p.Host == "" {
		u.problems = append(u.problems, "is not an absolute URL")
		return u, false
	}
	u.scheme = strings.ToLower(p.Scheme)
	u.host = strings.ToLower(p.Hostname())
	if u.scheme != "https" {
		u.problems = append(u.problems, fmt.Sprintf("uses %s:// instead of https://", u.scheme))
	}
	if p.User != nil {
		u.problems = append(u.problems, "carries credentials")
	}
	if p.Port() != "" {
		u.problems = append(u.problems, "names a port")
	}
	if u.host != "github.com" && (ghes == "" || u.host != ghes) {
		u.problems = append(u.problems, fmt.Sprintf("is on host %s, not github.com (a GitHub Enterprise Server host is accepted only when owner.github_config_url in organization.yaml uses it)", u.host))
	}
	if p.RawQuery != "" || p.Fragment != "" {
		u.problems = append(u.problems, "has a query or fragment")
	}
	path := p.Path
	if strings.HasSuffix(path, "/") && path != "/" {
		u.problems = append(u.problems, "ends with a slash")
	}
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	switch {
	case len(segs) == 0:
		u.problems = append(u.problems, "names no owner")
		return u, false
	case len(segs) == 2 && strings.EqualFold(segs[0], "enterprises"):
		u.enterprise = segs[1]
		return u, true
	case len(segs) > 2:
		u.problems = append(u.problems, "has path segments after <owner>/<repo>")
	}
	u.owner = segs[0]
	if len(segs) >= 2 {
		u.repo = segs[1]
		if strings.HasSuffix(strings.ToLower(u.repo), ".git") {
			u.problems = append(u.problems, "ends with .git")
			u.repo = u.repo[:len(u.repo)-len(".git")]
		}
	}
	return u, true
}

// redact drops user info from a URL for messages.
func redact(raw string) string {
	if p, err := url.Parse(strings.TrimSpace(raw)); err == nil && p.User != nil {
		p.User = nil
		return p.String()
	}
	return raw
}

// canonical renders the URL the way ARC expects it.
func (u configURL) canonical() string {
	host := u.host
	if host == "" {
		host = "github.com"
	}
	if u.enterprise != "" {
		return "https://" + host + "/enterprises/" + u.enterprise
	}
	s := "https://" + host + "/" + u.owner
	if u.repo != "" {
		s += "/" + u.repo
	}
	return s
}

// urlUse is one github_config_url setting.
type urlUse struct {
	v    overlay.String
	file string
	key  string
}

func (c *gateRun) urlUses() []urlUse {
	var uses []urlUse
	for _, tv := range c.o.Tfvars {
		if tv == nil {
			continue
		}
		if tv.GithubConfigURL.Value != "" {
			uses = append(uses, urlUse{tv.GithubConfigURL, tv.File, "github_config_url"})
		}
		for _, rs := range tv.ExtraRunnerSets {
			if rs.GithubConfigURL.Value != "" {
				uses = append(uses, urlUse{rs.GithubConfigURL, tv.File, setKey(rs) + ".github_config_url"})
			}
		}
	}
	if v := c.org.Owner.GithubConfigURL; v.Value != "" {
		uses = append(uses, urlUse{v, c.orgF, "owner.github_config_url"})
	}
	return uses
}

// checkURLs: shape (config-url), owner (owner-mismatch) and scope (repo-registration-anchor)
// of every github_config_url.
func (c *gateRun) checkURLs() {
	slug := strings.TrimSpace(c.org.Owner.Slug.Value)
	anchors := map[string]int{} // URL key -> index of the anchor finding
	for _, use := range c.urlUses() {
		pos := posOr(use.v.Pos, overlay.Pos{}, use.file)
		u, ok := parseConfigURL(use.v.Value, c.ghes)
		if len(u.problems) > 0 {
			want := "https://github.com/<owner> or https://github.com/<owner>/<repo>"
			if ok {
				want = u.canonical()
			}
			c.add(RuleConfigURL, finding.Blocker, pos,
				fmt.Sprintf("%s %q %s; ARC registers against the exact URL https://github.com/<owner>[/<repo>]", use.key, redact(use.v.Value), strings.Join(u.problems, ", ")),
				fmt.Sprintf("Set %s in %s to %s.", use.key, use.file, want))
		}
		if !ok || u.enterprise != "" {
			continue
		}
		if slug != "" && !strings.EqualFold(u.owner, slug) {
			c.add(RuleOwnerMismatch, finding.Blocker, pos,
				fmt.Sprintf("%s registers under owner %q, but owner.slug in %s is %q", use.key, u.owner, c.orgF, slug),
				fmt.Sprintf("Set %s in %s to https://github.com/%s%s; a set for owner %q belongs in that owner's own overlay.", use.key, use.file, slug, repoSuffix(u.repo), u.owner))
		}
		if u.repo == "" {
			continue
		}
		k := u.key()
		if i, seen := anchors[k]; seen {
			c.r.Findings[i].Message = addUse(c.r.Findings[i].Message, use)
			continue
		}
		anchors[k] = len(c.r.Findings)
		c.anchor(use, pos, u)
	}
}

func repoSuffix(repo string) string {
	if repo == "" {
		return ""
	}
	return "/" + repo
}

// addUse notes another setting that uses an already reported anchor URL.
func addUse(msg string, use urlUse) string {
	const marker = " (also used by "
	if i := strings.LastIndex(msg, marker); i >= 0 && strings.HasSuffix(msg, ")") {
		return msg[:len(msg)-1] + ", " + use.file + " " + use.key + ")"
	}
	return msg + marker + use.file + " " + use.key + ")"
}

func (c *gateRun) anchor(use urlUse, pos overlay.Pos, u configURL) {
	owner := u.owner
	ownerURL := "https://" + nameOr(u.host, "github.com") + "/" + owner
	base := fmt.Sprintf("%s %s registers ARC at repository scope (%s/%s)", use.key, u.canonical(), owner, u.repo)
	if c.opts.Core {
		c.add(RuleRepoAnchor, finding.Blocker, pos,
			base+"; the core's own stack must never carry a repository or personal-account registration anchor",
			fmt.Sprintf("Set %s in %s to the owner scope %s; repository anchors belong only in a private implementation overlay.", use.key, use.file, ownerURL))
		return
	}
	why := ""
	switch {
	case c.opts.AllowRepoRegistrationAnchor:
		why = "--allow-repo-registration-anchor is set"
	case c.org.Enrollment.AllowRepoRegistrationAnchor.Value:
		why = "enrollment.allow_repo_registration_anchor is true"
	case strings.EqualFold(strings.TrimSpace(c.org.Owner.AccountKind.Value), "personal"):
		why = "owner.account_kind is personal, and personal accounts have no organization runner groups"
	}
	if why != "" {
		c.add(RuleRepoAnchor, finding.Warning, pos,
			base+": private registration plumbing, allowed because "+why+"; it must never become a workflow label",
			fmt.Sprintf("Keep workflows on shared labels; if this anchor is intended, declare it expected by adding %s to enrollment.expected_warnings in %s (retire it once the owner has an organization or enterprise runner scope).", RuleRepoAnchor, c.orgF))
		return
	}
	c.add(RuleRepoAnchor, finding.Blocker, pos,
		base+", but this overlay has not opted into repository registration anchors",
		fmt.Sprintf("Set %s in %s to the owner scope %s; if the overlay deliberately needs a private repository anchor, opt in with enrollment.allow_repo_registration_anchor: true in %s (or --allow-repo-registration-anchor).", use.key, use.file, ownerURL, c.orgF))
}
