package ghapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gogh "github.com/google/go-github/v89/github"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
)

// CommitResolver resolves a core ref (branch, tag or abbreviated SHA) through GitHub's
// commits API, GET /repos/{core}/commits/{ref} with the SHA media type: one small GET.
// It implements coreref.Resolver for the pins gate in live mode (and `gfenroll pin`).
type CommitResolver struct {
	Client *Client
	// Repo is the core repository, owner/name (core.repository).
	Repo string
}

var _ coreref.Resolver = CommitResolver{}

func (r CommitResolver) String() string {
	return fmt.Sprintf("the GitHub commits API (%s)", r.Repo)
}

// Resolve implements coreref.Resolver. An unknown ref wraps coreref.ErrNotFound; any other
// error says why GitHub could not be asked. Errors never carry the token.
func (r CommitResolver) Resolve(ctx context.Context, name string) (string, error) {
	owner, repo, ok := strings.Cut(r.Repo, "/")
	if !ok || owner == "" || repo == "" {
		return "", fmt.Errorf("resolve %q through GitHub: core.repository %q is not owner/name", name, r.Repo)
	}
	if r.Client == nil || !r.Client.HasToken() {
		return "", fmt.Errorf("resolve %q through GitHub: no token in %s", name, strings.Join(TokenEnv, " or "))
	}
	sha, _, err := r.Client.gh.Repositories.GetCommitSHA1(ctx, owner, repo, name, "")
	if err != nil {
		var er *gogh.ErrorResponse
		if errors.As(err, &er) && er.Response != nil {
			switch er.Response.StatusCode {
			case 422: // "No commit found for SHA: <ref>"
				return "", fmt.Errorf("%w: %s has no branch, tag or commit %q (GitHub commits API)", coreref.ErrNotFound, r.Repo, name)
			case 404: // the repository itself, or the token cannot see it
				return "", fmt.Errorf("resolve %q through the GitHub commits API: %s is not visible to the token (404); give it read access (fine-grained: Contents read) or check core.repository", name, r.Repo)
			}
		}
		f := Classify(err, r.Client.now())
		return "", errors.New(r.Client.Scrub(fmt.Sprintf("resolve %q through the GitHub commits API of %s: %s", name, r.Repo, f.Detail)))
	}
	sha = strings.ToLower(strings.TrimSpace(sha))
	if !coreref.IsFullSHA(sha) {
		return "", fmt.Errorf("resolve %q through the GitHub commits API of %s: answer is not a commit SHA", name, r.Repo)
	}
	return sha, nil
}
