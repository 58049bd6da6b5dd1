// Package ghurl parses GitHub configuration URLs, the github_config_url an ARC scale set
// registers against: https://<host>/<owner>, https://<host>/<owner>/<repo> or
// https://<host>/enterprises/<slug>. Every gate and probe that reads or compares such a
// URL goes through Parse, so "the same registration scope" means one thing everywhere.
package ghurl

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultHost is GitHub's public host.
const DefaultHost = "github.com"

// URL is a parsed configuration URL. Owner, Repo and Enterprise keep the spelling of the
// input; comparisons go through Key.
type URL struct {
	Scheme     string // lower case
	Host       string // lower case, without port
	Owner      string
	Repo       string // "" for an owner (organization or account) scope
	Enterprise string // set for https://<host>/enterprises/<slug>; Owner is then ""
	// Problems say what keeps the input from being the canonical form ARC expects
	// ("ends with a slash", "uses http:// instead of https://"); empty when canonical.
	Problems []string
}

// Parse reads raw and lists its problems. ok is false when no owner or enterprise could be
// read at all. ghesHost is a GitHub Enterprise Server host accepted besides github.com
// ("" accepts github.com only). Problems never echo credentials found in the URL.
func Parse(raw, ghesHost string) (u URL, ok bool) {
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" {
		return u, false
	}
	if trimmed != raw {
		u.Problems = append(u.Problems, "has leading or trailing whitespace")
	}
	p, err := url.Parse(trimmed)
	if err != nil || p.Host == "" {
		u.Problems = append(u.Problems, "is not an absolute URL")
		return u, false
	}
	u.Scheme = strings.ToLower(p.Scheme)
	u.Host = strings.ToLower(p.Hostname())
	if u.Scheme != "https" {
		u.Problems = append(u.Problems, fmt.Sprintf("uses %s:// instead of https://", u.Scheme))
	}
	if p.User != nil {
		u.Problems = append(u.Problems, "carries credentials")
	}
	if p.Port() != "" {
		u.Problems = append(u.Problems, "names a port")
	}
	if u.Host != DefaultHost && (ghesHost == "" || u.Host != strings.ToLower(ghesHost)) {
		u.Problems = append(u.Problems, fmt.Sprintf("is on host %s, not github.com (a GitHub Enterprise Server host is accepted only when owner.github_config_url in organization.yaml uses it)", u.Host))
	}
	if p.RawQuery != "" || p.Fragment != "" {
		u.Problems = append(u.Problems, "has a query or fragment")
	}
	if strings.HasSuffix(p.Path, "/") && p.Path != "/" {
		u.Problems = append(u.Problems, "ends with a slash")
	}
	segs := strings.FieldsFunc(p.Path, func(r rune) bool { return r == '/' })
	switch {
	case len(segs) == 0:
		u.Problems = append(u.Problems, "names no owner")
		return u, false
	case len(segs) == 2 && strings.EqualFold(segs[0], "enterprises"):
		u.Enterprise = segs[1]
		return u, true
	case len(segs) > 2:
		u.Problems = append(u.Problems, "has path segments after <owner>/<repo>")
	}
	u.Owner = segs[0]
	if len(segs) >= 2 {
		u.Repo = segs[1]
		if strings.HasSuffix(strings.ToLower(u.Repo), ".git") {
			u.Problems = append(u.Problems, "ends with .git")
			u.Repo = u.Repo[:len(u.Repo)-len(".git")]
		}
	}
	return u, true
}

// Key is the URL's registration scope for comparisons: host/owner[/repo] or
// host/enterprises/<slug>, lower case (GitHub resolves owner and repository names
// case-insensitively). It ignores the cosmetic problems (scheme, trailing slash, .git) that
// a shape check reports on its own, so one mistake is one finding.
func (u URL) Key() string {
	k := u.Host + "/" + u.Owner
	if u.Enterprise != "" {
		k = u.Host + "/enterprises/" + u.Enterprise
	}
	if u.Repo != "" {
		k += "/" + u.Repo
	}
	return strings.ToLower(k)
}

// RepoScoped reports whether the URL registers at repository scope.
func (u URL) RepoScoped() bool { return u.Enterprise == "" && u.Repo != "" }

// Canonical renders the URL the way ARC expects it: https, no trailing slash, no .git.
func (u URL) Canonical() string {
	host := u.Host
	if host == "" {
		host = DefaultHost
	}
	if u.Enterprise != "" {
		return "https://" + host + "/enterprises/" + u.Enterprise
	}
	s := "https://" + host + "/" + u.Owner
	if u.Repo != "" {
		s += "/" + u.Repo
	}
	return s
}

// OwnerURL is the owner scope of the URL (https://<host>/<owner>).
func (u URL) OwnerURL() string {
	host := u.Host
	if host == "" {
		host = DefaultHost
	}
	return "https://" + host + "/" + u.Owner
}

// Same reports whether a and b name the same registration scope. When either cannot be
// parsed, they are the same only when equal after trimming spaces.
func Same(a, b string) bool {
	ua, oka := Parse(a, "")
	ub, okb := Parse(b, "")
	if !oka || !okb {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return ua.Key() == ub.Key()
}

// Redact drops user information (credentials) from a URL, for messages.
func Redact(raw string) string {
	if p, err := url.Parse(strings.TrimSpace(raw)); err == nil && p.User != nil {
		p.User = nil
		return p.String()
	}
	return raw
}

// EnterpriseServerHost is the GitHub Enterprise Server host an overlay declares through its
// owner-level configuration URL (owner.github_config_url), or "" when that URL is on
// github.com or unreadable. Scale-set URLs on that host are then accepted as well.
func EnterpriseServerHost(ownerURL string) string {
	u, ok := Parse(ownerURL, "")
	if ok && u.Scheme == "https" && u.Host != DefaultHost && u.Host != "" {
		return u.Host
	}
	return ""
}
