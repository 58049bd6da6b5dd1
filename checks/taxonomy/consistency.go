package taxonomy

import (
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// pair is one organization.yaml fact and the tfvars key that must carry the same value.
type pair struct {
	orgKey, tfKey string
	org, tf       overlay.String
	// identity facts (URL, secret, context) are required on both sides: operator commands
	// read organization.yaml, ARC reads the tfvars. Cache facts are compared only when
	// organization.yaml declares them.
	identity bool
	same     func(a, b string) bool
}

func sameExact(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

// sameEndpoint ignores a trailing slash.
func sameEndpoint(a, b string) bool {
	return strings.TrimRight(strings.TrimSpace(a), "/") == strings.TrimRight(strings.TrimSpace(b), "/")
}

// sameConfigURL compares host/owner/repo case-insensitively; shape problems are config-url's.
func sameConfigURL(a, b string) bool {
	ua, oka := parseConfigURL(a, "")
	ub, okb := parseConfigURL(b, "")
	if !oka || !okb {
		return sameExact(a, b)
	}
	return ua.key() == ub.key()
}

func (c *gateRun) checkConsistency(tv *overlay.Tfvars) {
	org := c.org
	pairs := []pair{
		{"owner.github_config_url", "github_config_url", org.Owner.GithubConfigURL, tv.GithubConfigURL, true, sameConfigURL},
		{"owner.github_app_secret_name", "github_config_secret", org.Owner.GithubAppSecretName, tv.GithubConfigSecret, true, sameExact},
		{"substrate.cluster.context", "cluster_context", org.Cluster.Context, tv.ClusterContext, true, sameExact},
		{"substrate.caches.attic_server", "attic_server", org.Caches.AtticServer, tv.AtticServer, false, sameEndpoint},
		{"substrate.caches.attic_cache", "attic_cache", org.Caches.AtticCache, tv.AtticCache, false, sameExact},
		{"substrate.caches.attic_public_key", "attic_public_key", org.Caches.AtticPublicKey, tv.AtticPublicKey, false, sameExact},
		{"substrate.caches.bazel_cache_endpoint", "bazel_cache_endpoint", org.Caches.BazelCacheEndpoint, tv.BazelCacheEndpoint, false, sameEndpoint},
	}
	for _, p := range pairs {
		ov, tvv := strings.TrimSpace(p.org.Value), strings.TrimSpace(p.tf.Value)
		switch {
		case ov == "" && tvv == "":
		case ov != "" && tvv == "":
			c.add(RuleConsistency, finding.Blocker, posOr(p.tf.Pos, overlay.Pos{}, tv.File),
				fmt.Sprintf("%s does not set %s, but %s in %s is %q; the runners would use the core's default instead", tv.File, p.tfKey, p.orgKey, c.orgF, redact(p.org.Value)),
				fmt.Sprintf("Set %s = %q in %s (the value of %s in %s).", p.tfKey, redact(p.org.Value), tv.File, p.orgKey, c.orgF))
		case ov == "" && tvv != "":
			if !p.identity {
				continue
			}
			c.add(RuleConsistency, finding.Blocker, posOr(p.org.Pos, overlay.Pos{}, c.orgF),
				fmt.Sprintf("%s does not set %s, but %s in %s is %q; operator commands read it from %s", c.orgF, p.orgKey, p.tfKey, tv.File, redact(p.tf.Value), c.orgF),
				fmt.Sprintf("Set %s to %q in %s.", p.orgKey, redact(p.tf.Value), c.orgF))
		case !p.same(ov, tvv):
			c.add(RuleConsistency, finding.Blocker, posOr(p.tf.Pos, overlay.Pos{}, tv.File),
				fmt.Sprintf("%s %q in %s differs from %s %q in %s (%s)", p.tfKey, redact(p.tf.Value), tv.File, p.orgKey, redact(p.org.Value), c.orgF, p.org.Pos),
				fmt.Sprintf("Make %s in %s and %s in %s the same value; both files describe one deployment.", p.tfKey, tv.File, p.orgKey, c.orgF))
		}
	}
	c.checkSetConsistency(tv)
}

// checkSetConsistency: an extra runner set that sets its own secret or cache endpoints must
// use the overlay's (one owner, one GitHub App secret, one cache substrate).
func (c *gateRun) checkSetConsistency(tv *overlay.Tfvars) {
	overlayValue := func(tfv, orgv overlay.String, tfKey, orgKey string) (string, string) {
		if strings.TrimSpace(tfv.Value) != "" {
			return tfv.Value, tv.File + " " + tfKey
		}
		if strings.TrimSpace(orgv.Value) != "" {
			return orgv.Value, c.orgF + " " + orgKey
		}
		return "", ""
	}
	secret, secretFrom := overlayValue(tv.GithubConfigSecret, c.org.Owner.GithubAppSecretName, "github_config_secret", "owner.github_app_secret_name")
	attic, atticFrom := overlayValue(tv.AtticServer, c.org.Caches.AtticServer, "attic_server", "substrate.caches.attic_server")
	bazel, bazelFrom := overlayValue(tv.BazelCacheEndpoint, c.org.Caches.BazelCacheEndpoint, "bazel_cache_endpoint", "substrate.caches.bazel_cache_endpoint")
	for _, rs := range tv.ExtraRunnerSets {
		k := setKey(rs)
		for _, f := range []struct {
			field      string
			v          overlay.String
			want, from string
			same       func(a, b string) bool
		}{
			{"github_config_secret", rs.GithubConfigSecret, secret, secretFrom, sameExact},
			{"attic_server", rs.AtticServer, attic, atticFrom, sameEndpoint},
			{"bazel_cache_endpoint", rs.BazelCacheEndpoint, bazel, bazelFrom, sameEndpoint},
		} {
			got := strings.TrimSpace(f.v.Value)
			if got == "" || f.want == "" || f.same(got, f.want) {
				continue
			}
			c.add(RuleConsistency, finding.Blocker, posOr(f.v.Pos, rs.Pos, tv.File),
				fmt.Sprintf("%s.%s %q differs from the overlay's %q (%s)", k, f.field, redact(f.v.Value), redact(f.want), f.from),
				fmt.Sprintf("Set %s.%s in %s to %q, or remove it so the set uses the overlay's value.", k, f.field, tv.File, redact(f.want)))
		}
	}
}

// checkCacheWiring: attic_server needs attic_public_key; an executor needs a cache.
func (c *gateRun) checkCacheWiring(tv *overlay.Tfvars) {
	key := strings.TrimSpace(tv.AtticPublicKey.Value)
	if key == "" {
		key = strings.TrimSpace(c.org.Caches.AtticPublicKey.Value)
	}
	if strings.TrimSpace(tv.AtticServer.Value) != "" && strings.TrimSpace(tv.AtticPublicKey.Value) == "" && strings.TrimSpace(c.org.Caches.AtticPublicKey.Value) == "" {
		c.add(RuleCacheWiring, finding.Blocker, posOr(tv.AtticServer.Pos, overlay.Pos{}, tv.File),
			fmt.Sprintf("attic_server %q is set in %s without attic_public_key: Nix runners cannot verify substitutes from the cache", tv.AtticServer.Value, tv.File),
			fmt.Sprintf("Set attic_public_key = \"<cache-name>:<public key>\" in %s and substrate.caches.attic_public_key in %s (public material; it travels with the cache endpoint).", tv.File, c.orgF))
	}
	if strings.TrimSpace(tv.BazelExecutorEndpoint.Value) != "" && strings.TrimSpace(tv.BazelCacheEndpoint.Value) == "" {
		c.add(RuleCacheWiring, finding.Blocker, posOr(tv.BazelExecutorEndpoint.Pos, overlay.Pos{}, tv.File),
			fmt.Sprintf("bazel_executor_endpoint %q is set in %s without bazel_cache_endpoint: executor-backed mode requires a remote cache", tv.BazelExecutorEndpoint.Value, tv.File),
			fmt.Sprintf("Set bazel_cache_endpoint in %s (and substrate.caches.bazel_cache_endpoint in %s), or remove bazel_executor_endpoint.", tv.File, c.orgF))
	}
	for _, rs := range tv.ExtraRunnerSets {
		k := setKey(rs)
		if strings.TrimSpace(rs.AtticServer.Value) != "" && key == "" {
			c.add(RuleCacheWiring, finding.Blocker, posOr(rs.AtticServer.Pos, rs.Pos, tv.File),
				fmt.Sprintf("%s.attic_server %q is set but neither %s nor %s sets attic_public_key", k, rs.AtticServer.Value, tv.File, c.orgF),
				fmt.Sprintf("Set attic_public_key in %s (and substrate.caches.attic_public_key in %s).", tv.File, c.orgF))
		}
		if strings.TrimSpace(rs.BazelExecutorEndpoint.Value) != "" && strings.TrimSpace(rs.BazelCacheEndpoint.Value) == "" {
			c.add(RuleCacheWiring, finding.Blocker, posOr(rs.BazelExecutorEndpoint.Pos, rs.Pos, tv.File),
				fmt.Sprintf("%s sets bazel_executor_endpoint %q without a bazel_cache_endpoint of its own: executor-backed mode requires a remote cache", k, rs.BazelExecutorEndpoint.Value),
				fmt.Sprintf("Set %s.bazel_cache_endpoint in %s, or remove %s.bazel_executor_endpoint.", k, tv.File, k))
		}
	}
}

// checkOrgCacheWiring: organization.yaml's own cache block.
func (c *gateRun) checkOrgCacheWiring() {
	ca := c.org.Caches
	if strings.TrimSpace(ca.AtticServer.Value) != "" && strings.TrimSpace(ca.AtticPublicKey.Value) == "" {
		// Reported against the tfvars when a tfvars sets attic_server without any key, so
		// one missing key is one finding.
		for _, tv := range c.o.Tfvars {
			if tv != nil && strings.TrimSpace(tv.AtticServer.Value) != "" && strings.TrimSpace(tv.AtticPublicKey.Value) == "" {
				return
			}
		}
		c.add(RuleCacheWiring, finding.Blocker, posOr(ca.AtticServer.Pos, ca.Pos, c.orgF),
			fmt.Sprintf("substrate.caches.attic_server %q is set in %s without substrate.caches.attic_public_key", ca.AtticServer.Value, c.orgF),
			fmt.Sprintf("Set substrate.caches.attic_public_key = \"<cache-name>:<public key>\" in %s (public material; it travels with the cache endpoint).", c.orgF))
	}
}
