package pins

import (
	"net/url"
	"regexp"
	"strings"
)

// scpLike matches git's scp-style remote "git@github.com:owner/name.git".
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(.+)$`)

// repoKey normalizes a git remote or a core.repository value to "host/owner/name",
// lowercased (GitHub owners and repository names are case-insensitive), without scheme,
// credentials, port, ".git" or slashes at either end. A bare "owner/name" means github.com.
func repoKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var host, path string
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		host, path = u.Hostname(), u.Path
	case scpLike.MatchString(s):
		m := scpLike.FindStringSubmatch(s)
		host, path = m[1], m[2]
	default:
		first, rest, _ := strings.Cut(strings.Trim(s, "/"), "/")
		if strings.Contains(first, ".") && rest != "" {
			host, path = first, rest
		} else {
			host, path = "github.com", s
		}
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	path = strings.Trim(path, "/")
	if path == "" {
		return ""
	}
	return strings.ToLower(host + "/" + path)
}

// repoPath is the owner/name part of a repository reference.
func repoPath(s string) string {
	k := repoKey(s)
	if _, p, ok := strings.Cut(k, "/"); ok {
		// keep the caller's spelling (case) when it was a bare owner/name
		if strings.EqualFold(strings.Trim(s, "/"), p) {
			return strings.Trim(s, "/")
		}
		return p
	}
	return s
}

// SameRepository reports whether a git remote points at the repository named by repo
// (owner/name, host/owner/name or any remote URL form).
func SameRepository(remote, repo string) bool {
	a, b := repoKey(remote), repoKey(repo)
	return a != "" && a == b
}

// archiveFromRepo reports whether an archive URL is served from repo's GitHub archive or
// codeload endpoints (https://github.com/<o>/<n>/archive/..., codeload.github.com/<o>/<n>/...).
func archiveFromRepo(rawURL, repo string) bool {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" {
		return false
	}
	want := repoKey(repo)
	_, wantPath, _ := strings.Cut(want, "/")
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return false
	}
	got := strings.ToLower(parts[0] + "/" + strings.TrimSuffix(parts[1], ".git"))
	host := strings.ToLower(u.Hostname())
	wantHost, _, _ := strings.Cut(want, "/")
	if host == "codeload.github.com" {
		host = "github.com"
	}
	return host == wantHost && got == wantPath
}
