// Package labels holds the runner label vocabulary shared by the taxonomy and workflows
// gates: the core's capability classes, the label grammar, GitHub-hosted labels, and the
// detection of "minted" labels that smuggle an owner, repository or scale-set identity into
// a workflow-facing label.
package labels

import (
	"regexp"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Core are the core's shared capability classes, used when an overlay does not declare
// runner_contract.shared_labels.
var Core = []string{
	"tinyland-nix",
	"tinyland-docker",
	"tinyland-dind",
	"tinyland-nix-heavy",
	"tinyland-nix-kvm",
	"tinyland-nix-gpu",
}

// grammar is tinyland-<nix|docker|dind>[-<capability suffix>...]; suffixes are lowercase
// alphanumerics so a label never carries dots, underscores or upper case from a repo name.
var grammar = regexp.MustCompile(`^tinyland-(nix|docker|dind)(-[a-z0-9]+)*$`)

// WellFormed reports whether label follows the capability-label grammar.
func WellFormed(label string) bool { return grammar.MatchString(label) }

// Set is a set of labels.
type Set map[string]bool

// NewSet builds a set.
func NewSet(ls []string) Set {
	s := make(Set, len(ls))
	for _, l := range ls {
		s[l] = true
	}
	return s
}

// Shared returns the overlay's shared capability labels: runner_contract.shared_labels when
// declared, else Core.
func Shared(o *overlay.Overlay) []string {
	if o != nil && o.Org != nil && o.Org.SharedLabels.Set {
		return o.Org.SharedLabels.Strings()
	}
	return append([]string(nil), Core...)
}

// Generic self-hosted labels GitHub and ARC attach to runners; they select no capability and
// are allowed next to a shared label (runs-on: [self-hosted, tinyland-nix]).
var generic = NewSet([]string{"self-hosted", "linux", "x64", "arm64", "arm", "nix"})

// IsGeneric reports whether label is a generic self-hosted runner label.
func IsGeneric(label string) bool { return generic[strings.ToLower(label)] }

var hostedPrefixes = []string{"ubuntu-", "windows-", "macos-"}

// IsGitHubHosted reports whether label names a GitHub-hosted runner image
// (ubuntu-latest, ubuntu-24.04, ubuntu-24.04-arm, windows-2025, macos-15-xlarge, ...).
func IsGitHubHosted(label string) bool {
	l := strings.ToLower(label)
	for _, p := range hostedPrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// Identity is what a minted label would smuggle in: owner slugs, repository names and
// scale-set names (registration identities) of the overlays being checked.
type Identity struct {
	Owners    []string
	Repos     []string
	ScaleSets []string
}

// IdentityOf collects the identities an overlay declares.
func IdentityOf(o *overlay.Overlay) Identity {
	var id Identity
	if o == nil {
		return id
	}
	if org := o.Org; org != nil {
		id.Owners = appendNonEmpty(id.Owners, org.Owner.Slug.Value)
		if owner, repo, ok := strings.Cut(org.Owner.Repository.Value, "/"); ok {
			id.Owners = appendNonEmpty(id.Owners, owner)
			id.Repos = appendNonEmpty(id.Repos, repo)
		}
	}
	for _, tv := range o.Tfvars {
		for _, u := range []string{tv.GithubConfigURL.Value} {
			if owner, repo := ownerRepo(u); owner != "" {
				id.Owners = appendNonEmpty(id.Owners, owner)
				id.Repos = appendNonEmpty(id.Repos, repo)
			}
		}
		for _, l := range tv.Lanes {
			id.ScaleSets = appendNonEmpty(id.ScaleSets, l.ScaleSetName.Value)
			id.ScaleSets = appendNonEmpty(id.ScaleSets, l.RunnerName.Value)
		}
		for _, rs := range tv.ExtraRunnerSets {
			if owner, repo := ownerRepo(rs.GithubConfigURL.Value); owner != "" {
				id.Owners = appendNonEmpty(id.Owners, owner)
				id.Repos = appendNonEmpty(id.Repos, repo)
			}
			id.ScaleSets = appendNonEmpty(id.ScaleSets, rs.RunnerScaleSetName.Value)
		}
	}
	return id
}

// ownerRepo is the owner and repository a configuration URL registers under ("" when it
// is not an owner or repository URL).
func ownerRepo(u string) (owner, repo string) {
	p, ok := ghurl.Parse(u, "")
	if !ok || p.Enterprise != "" {
		return "", ""
	}
	return p.Owner, p.Repo
}

func appendNonEmpty(xs []string, v string) []string {
	if v == "" {
		return xs
	}
	for _, x := range xs {
		if x == v {
			return xs
		}
	}
	return append(xs, v)
}

// tokens lowercases s and splits it on every non-alphanumeric rune, so "Jesssullivan",
// "tinyland.dev" and "tinyland_dev" compare as token sequences.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

func containsSeq(hay, needle []string) bool {
	if len(needle) == 0 || len(needle) > len(hay) {
		return false
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		match := true
		for j := range needle {
			if hay[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// MintedReason says why label is a minted (identity-shaped) label, or "" when it is not.
// Shared labels are never minted: the caller checks membership first. The core's own
// "tinyland" capability prefix is not an identity even when an owner is named tinyland.
func MintedReason(label string, id Identity) string {
	lt := tokens(label)
	if containsSeq(lt, []string{"personal"}) {
		return "it carries \"personal\", an account boundary, not a capability"
	}
	for _, s := range id.ScaleSets {
		st := tokens(s)
		if len(st) > 0 && len(st) <= len(lt) && equalSeq(lt[:len(st)], st) {
			return "it starts with the scale-set name " + quote(s) + " (registration identity, not a capability)"
		}
	}
	for _, o := range id.Owners {
		if ot := tokens(o); !equalSeq(ot, []string{"tinyland"}) && containsSeq(lt, ot) {
			return "it carries the owner " + quote(o)
		}
	}
	for _, r := range id.Repos {
		if rt := tokens(r); containsSeq(lt, rt) && !equalSeq(rt, []string{"tinyland"}) {
			return "it carries the repository name " + quote(r)
		}
	}
	return ""
}

func equalSeq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func quote(s string) string { return "\"" + s + "\"" }

// WithoutShared drops scale-set names that are themselves shared labels. An organization's
// built-in lane is often registered under its label (scale set "tinyland-nix"); as a
// "scale-set prefix" it would make every tinyland-nix-* label look minted and hide the real
// finding (an unknown capability label).
func (id Identity) WithoutShared(shared Set) Identity {
	var sets []string
	for _, s := range id.ScaleSets {
		if !shared[s] {
			sets = append(sets, s)
		}
	}
	id.ScaleSets = sets
	return id
}
