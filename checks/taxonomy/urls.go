package taxonomy

import (
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// urlUse is one github_config_url setting.
type urlUse struct {
	v    overlay.String
	file string
	key  string
}

func (c *gateRun) urlUses() []urlUse {
	var uses []urlUse
	for _, st := range c.m.Stacks {
		if w := written(st.ConfigURL); w.Value != "" {
			uses = append(uses, urlUse{w, st.File, st.ConfigURL.Key})
		}
		for _, s := range st.ScaleSets {
			if w := written(s.ConfigURL); s.Lane == "" && w.Value != "" {
				uses = append(uses, urlUse{w, st.File, s.ConfigURL.Key})
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
		pos := finding.PosOr(use.v.Pos, overlay.Pos{}, use.file)
		u, ok := ghurl.Parse(use.v.Value, c.ghes)
		if len(u.Problems) > 0 {
			want := "https://github.com/<owner> or https://github.com/<owner>/<repo>"
			if ok {
				want = u.Canonical()
			}
			c.add(RuleConfigURL, finding.Blocker, pos,
				fmt.Sprintf("%s %q %s; ARC registers against the exact URL https://github.com/<owner>[/<repo>]", use.key, ghurl.Redact(use.v.Value), strings.Join(u.Problems, ", ")),
				fmt.Sprintf("Set %s in %s to %s.", use.key, use.file, want))
		}
		if !ok || u.Enterprise != "" {
			continue
		}
		if slug != "" && !strings.EqualFold(u.Owner, slug) {
			c.add(RuleOwnerMismatch, finding.Blocker, pos,
				fmt.Sprintf("%s registers under owner %q, but owner.slug in %s is %q", use.key, u.Owner, c.orgF, slug),
				fmt.Sprintf("Set %s in %s to https://github.com/%s%s; a set for owner %q belongs in that owner's own overlay.", use.key, use.file, slug, repoSuffix(u.Repo), u.Owner))
		}
		if !u.RepoScoped() {
			continue
		}
		k := u.Key()
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

func (c *gateRun) anchor(use urlUse, pos overlay.Pos, u ghurl.URL) {
	ownerURL := u.OwnerURL()
	base := fmt.Sprintf("%s %s registers ARC at repository scope (%s/%s)", use.key, u.Canonical(), u.Owner, u.Repo)
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
