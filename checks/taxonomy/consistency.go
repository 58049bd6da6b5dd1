package taxonomy

import (
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
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

// written is what the tfvars itself writes for a stack value: nothing when the model
// supplied a default (then the position is the file, where the key would go).
func written(v deploy.Value) overlay.String {
	if v.Defaulted {
		return overlay.String{Pos: overlay.Pos{File: v.File}}
	}
	return overlay.String{Value: v.Value, Pos: v.Pos, Set: true}
}

func (c *gateRun) checkConsistency(st *deploy.Stack) {
	org := c.org
	pairs := []pair{
		{"owner.github_config_url", "github_config_url", org.Owner.GithubConfigURL, written(st.ConfigURL), true, ghurl.Same},
		{"owner.github_app_secret_name", "github_config_secret", org.Owner.GithubAppSecretName, written(st.ConfigSecret), true, sameExact},
		{"substrate.cluster.context", "cluster_context", org.Cluster.Context, written(st.ClusterContext), true, sameExact},
		{"substrate.caches.attic_server", "attic_server", org.Caches.AtticServer, written(st.Caches.AtticServer), false, sameEndpoint},
		{"substrate.caches.attic_cache", "attic_cache", org.Caches.AtticCache, written(st.Caches.AtticCache), false, sameExact},
		{"substrate.caches.attic_public_key", "attic_public_key", org.Caches.AtticPublicKey, written(st.Caches.AtticPublicKey), false, sameExact},
		{"substrate.caches.bazel_cache_endpoint", "bazel_cache_endpoint", org.Caches.BazelCacheEndpoint, written(st.Caches.BazelCacheEndpoint), false, sameEndpoint},
	}
	for _, p := range pairs {
		ov, tvv := strings.TrimSpace(p.org.Value), strings.TrimSpace(p.tf.Value)
		switch {
		case ov == "" && tvv == "":
		case ov != "" && tvv == "":
			c.add(RuleConsistency, finding.Blocker, finding.PosOr(p.tf.Pos, overlay.Pos{}, st.File),
				fmt.Sprintf("%s does not set %s, but %s in %s is %q; the runners would use the core's default instead", st.File, p.tfKey, p.orgKey, c.orgF, ghurl.Redact(p.org.Value)),
				fmt.Sprintf("Set %s = %q in %s (the value of %s in %s).", p.tfKey, ghurl.Redact(p.org.Value), st.File, p.orgKey, c.orgF))
		case ov == "" && tvv != "":
			if !p.identity {
				continue
			}
			c.add(RuleConsistency, finding.Blocker, finding.PosOr(p.org.Pos, overlay.Pos{}, c.orgF),
				fmt.Sprintf("%s does not set %s, but %s in %s is %q; operator commands read it from %s", c.orgF, p.orgKey, p.tfKey, st.File, ghurl.Redact(p.tf.Value), c.orgF),
				fmt.Sprintf("Set %s to %q in %s.", p.orgKey, ghurl.Redact(p.tf.Value), c.orgF))
		case !p.same(ov, tvv):
			c.add(RuleConsistency, finding.Blocker, finding.PosOr(p.tf.Pos, overlay.Pos{}, st.File),
				fmt.Sprintf("%s %q in %s differs from %s %q in %s (%s)", p.tfKey, ghurl.Redact(p.tf.Value), st.File, p.orgKey, ghurl.Redact(p.org.Value), c.orgF, p.org.Pos),
				fmt.Sprintf("Make %s in %s and %s in %s the same value; both files describe one deployment.", p.tfKey, st.File, p.orgKey, c.orgF))
		}
	}
	c.checkSetConsistency(st)
}

// checkSetConsistency: an extra runner set that sets its own secret or cache endpoints must
// use the overlay's (one owner, one GitHub App secret, one cache substrate).
func (c *gateRun) checkSetConsistency(st *deploy.Stack) {
	overlayValue := func(tfv deploy.Value, orgv overlay.String, orgKey string) (string, string) {
		if w := written(tfv); strings.TrimSpace(w.Value) != "" {
			return w.Value, st.File + " " + tfv.Key
		}
		if strings.TrimSpace(orgv.Value) != "" {
			return orgv.Value, c.orgF + " " + orgKey
		}
		return "", ""
	}
	secret, secretFrom := overlayValue(st.ConfigSecret, c.org.Owner.GithubAppSecretName, "owner.github_app_secret_name")
	attic, atticFrom := overlayValue(st.Caches.AtticServer, c.org.Caches.AtticServer, "substrate.caches.attic_server")
	bazel, bazelFrom := overlayValue(st.Caches.BazelCacheEndpoint, c.org.Caches.BazelCacheEndpoint, "substrate.caches.bazel_cache_endpoint")
	for _, s := range st.ScaleSets {
		if s.Lane != "" {
			continue
		}
		k := s.What()
		for _, f := range []struct {
			field      string
			v          deploy.Value
			want, from string
			same       func(a, b string) bool
		}{
			{"github_config_secret", s.ConfigSecret, secret, secretFrom, sameExact},
			{"attic_server", s.Caches.AtticServer, attic, atticFrom, sameEndpoint},
			{"bazel_cache_endpoint", s.Caches.BazelCacheEndpoint, bazel, bazelFrom, sameEndpoint},
		} {
			got := strings.TrimSpace(written(f.v).Value)
			if got == "" || f.want == "" || f.same(got, f.want) {
				continue
			}
			c.add(RuleConsistency, finding.Blocker, f.v.Pos,
				fmt.Sprintf("%s.%s %q differs from the overlay's %q (%s)", k, f.field, ghurl.Redact(f.v.Value), ghurl.Redact(f.want), f.from),
				fmt.Sprintf("Set %s.%s in %s to %q, or remove it so the set uses the overlay's value.", k, f.field, st.File, ghurl.Redact(f.want)))
		}
	}
}

// checkCacheWiring: attic_server needs attic_public_key; an executor needs a cache.
func (c *gateRun) checkCacheWiring(st *deploy.Stack) {
	ca := st.Caches
	atticServer := written(ca.AtticServer).Value
	stackKey := strings.TrimSpace(written(ca.AtticPublicKey).Value)
	orgKey := strings.TrimSpace(c.org.Caches.AtticPublicKey.Value)
	key := stackKey
	if key == "" {
		key = orgKey
	}
	if strings.TrimSpace(atticServer) != "" && key == "" {
		c.add(RuleCacheWiring, finding.Blocker, ca.AtticServer.Pos,
			fmt.Sprintf("attic_server %q is set in %s without attic_public_key: Nix runners cannot verify substitutes from the cache", atticServer, st.File),
			fmt.Sprintf("Set attic_public_key = \"<cache-name>:<public key>\" in %s and substrate.caches.attic_public_key in %s (public material; it travels with the cache endpoint).", st.File, c.orgF))
	}
	if exec := written(ca.BazelExecutorEndpoint).Value; strings.TrimSpace(exec) != "" && strings.TrimSpace(written(ca.BazelCacheEndpoint).Value) == "" {
		c.add(RuleCacheWiring, finding.Blocker, ca.BazelExecutorEndpoint.Pos,
			fmt.Sprintf("bazel_executor_endpoint %q is set in %s without bazel_cache_endpoint: executor-backed mode requires a remote cache", exec, st.File),
			fmt.Sprintf("Set bazel_cache_endpoint in %s (and substrate.caches.bazel_cache_endpoint in %s), or remove bazel_executor_endpoint.", st.File, c.orgF))
	}
	for _, s := range st.ScaleSets {
		if s.Lane != "" {
			continue // a lane carries the stack's caches, judged above
		}
		k := s.What()
		// Without any key, a stack attic_server is already the one finding (same fix).
		if v := written(s.Caches.AtticServer).Value; strings.TrimSpace(v) != "" && key == "" && strings.TrimSpace(atticServer) == "" {
			c.add(RuleCacheWiring, finding.Blocker, s.Caches.AtticServer.Pos,
				fmt.Sprintf("%s.attic_server %q is set but neither %s nor %s sets attic_public_key", k, v, st.File, c.orgF),
				fmt.Sprintf("Set attic_public_key in %s (and substrate.caches.attic_public_key in %s).", st.File, c.orgF))
		}
		if v := written(s.Caches.BazelExecutorEndpoint).Value; strings.TrimSpace(v) != "" && strings.TrimSpace(written(s.Caches.BazelCacheEndpoint).Value) == "" {
			// Removing the executor is advised only for a cache-exempt set: any other set
			// needs the cache endpoint anyway (taxonomy/extra-set-caches).
			next := fmt.Sprintf("Add bazel_cache_endpoint = %q to %s in %s (executor-backed mode needs a remote cache).",
				c.overlayValue(st.Caches.BazelCacheEndpoint, c.org.Caches.BazelCacheEndpoint, "<bazel cache endpoint>"), k, st.File)
			if c.cacheExempt(s) {
				next = strings.TrimSuffix(next, ".") + fmt.Sprintf(", or remove %s.bazel_executor_endpoint.", k)
			}
			c.add(RuleCacheWiring, finding.Blocker, s.Caches.BazelExecutorEndpoint.Pos,
				fmt.Sprintf("%s sets bazel_executor_endpoint %q without a bazel_cache_endpoint of its own: executor-backed mode requires a remote cache", k, v),
				next)
		}
	}
	c.checkExtraSetWiring(st)
}

// checkOrgCacheWiring: organization.yaml's own cache block.
func (c *gateRun) checkOrgCacheWiring() {
	ca := c.org.Caches
	if strings.TrimSpace(ca.AtticServer.Value) != "" && strings.TrimSpace(ca.AtticPublicKey.Value) == "" {
		// Reported against the tfvars when a tfvars sets attic_server without any key, so
		// one missing key is one finding.
		for _, st := range c.m.Stacks {
			if strings.TrimSpace(written(st.Caches.AtticServer).Value) != "" && strings.TrimSpace(written(st.Caches.AtticPublicKey).Value) == "" {
				return
			}
		}
		c.add(RuleCacheWiring, finding.Blocker, finding.PosOr(ca.AtticServer.Pos, ca.Pos, c.orgF),
			fmt.Sprintf("substrate.caches.attic_server %q is set in %s without substrate.caches.attic_public_key", ca.AtticServer.Value, c.orgF),
			fmt.Sprintf("Set substrate.caches.attic_public_key = \"<cache-name>:<public key>\" in %s (public material; it travels with the cache endpoint).", c.orgF))
	}
}
