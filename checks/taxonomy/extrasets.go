package taxonomy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// checkExtraSetWiring: an extra runner set carries only what its own entry writes (see
// package deploy), so each set must name its registration URL and the caches its runner
// type uses. The next actions give the exact lines to add, with the overlay's own values.
func (c *gateRun) checkExtraSetWiring(st *deploy.Stack) {
	for _, s := range st.ScaleSets {
		if s.Lane != "" {
			continue
		}
		c.checkExtraSetURL(st, s)
		if !c.cacheExempt(s) {
			c.checkExtraSetCaches(st, s)
		}
	}
}

// cacheExempt: organization.yaml enrollment.cache_exempt_sets lists the extra set's key.
func (c *gateRun) cacheExempt(s *deploy.ScaleSet) bool {
	if s.Lane != "" {
		return false
	}
	for _, v := range c.org.Enrollment.CacheExemptSets.Values {
		if strings.TrimSpace(v.Value) == s.SetKey {
			return true
		}
	}
	return false
}

func (c *gateRun) checkExtraSetURL(st *deploy.Stack, s *deploy.ScaleSet) {
	if strings.TrimSpace(s.ConfigURL.Value) != "" {
		return
	}
	url := c.overlayValue(st.ConfigURL, c.org.Owner.GithubConfigURL, "https://github.com/<owner>")
	c.add(RuleExtraSetConfigURL, finding.Blocker, s.Pos,
		fmt.Sprintf("%s sets no github_config_url: an extra runner set does not inherit the stack's, so the scale set has no registration target", s.What()),
		fmt.Sprintf("Add github_config_url = %s to %s in %s (a set registering for another owner belongs in that owner's overlay).", strconv.Quote(url), s.What(), st.File))
}

// checkExtraSetCaches: nix sets use Attic and the Bazel cache, docker and dind sets the
// Bazel cache. Another runner_type is the runner-type rule's finding. A set whose
// bazel_executor_endpoint lacks a cache endpoint is already a cache-wiring blocker with the
// same fix, so that key is not asked for twice.
func (c *gateRun) checkExtraSetCaches(st *deploy.Stack, s *deploy.ScaleSet) {
	kind := s.RunnerType.Value
	if kind != "nix" && kind != "docker" && kind != "dind" {
		return
	}
	ca := s.Caches
	var missing, lines []string
	var topLevel, noKey string
	if kind == "nix" && strings.TrimSpace(written(ca.AtticServer).Value) == "" {
		missing = append(missing, "attic_server")
		lines = append(lines, "attic_server = "+strconv.Quote(c.overlayValue(st.Caches.AtticServer, c.org.Caches.AtticServer, "<attic server URL>")))
		if strings.TrimSpace(written(ca.AtticPublicKey).Value) == "" {
			noKey = " (and the stack sets no attic_public_key)"
			topLevel = "attic_public_key = " + strconv.Quote(c.overlayValue(st.Caches.AtticPublicKey, c.org.Caches.AtticPublicKey, "<cache-name>:<public key>"))
		}
	}
	if strings.TrimSpace(written(ca.BazelCacheEndpoint).Value) == "" && strings.TrimSpace(written(ca.BazelExecutorEndpoint).Value) == "" {
		missing = append(missing, "bazel_cache_endpoint")
		lines = append(lines, "bazel_cache_endpoint = "+strconv.Quote(c.overlayValue(st.Caches.BazelCacheEndpoint, c.org.Caches.BazelCacheEndpoint, "<bazel cache endpoint>")))
	}
	if len(lines) == 0 {
		return
	}
	next := fmt.Sprintf("Add %s to %s in %s", strings.Join(lines, " and "), s.What(), st.File)
	if topLevel != "" {
		next += fmt.Sprintf(", and %s at the top level of %s", topLevel, st.File)
	}
	next += fmt.Sprintf("; or, if the set deliberately runs without caches, list %q in enrollment.cache_exempt_sets in %s.", s.SetKey, c.orgF)
	c.add(RuleExtraSetCaches, finding.Blocker, s.Pos,
		fmt.Sprintf("%s (runner_type %s) is not wired to its caches: it sets no %s%s; extra runner sets do not inherit the stack's caches, so its jobs would build without them", s.What(), kind, strings.Join(missing, " and no "), noKey),
		next)
}

// overlayValue is what the overlay means for a stack value: the tfvars' own, else
// organization.yaml's, else the placeholder. Credentials in a URL are never echoed.
func (c *gateRun) overlayValue(stack deploy.Value, org overlay.String, placeholder string) string {
	if v := strings.TrimSpace(written(stack).Value); v != "" {
		return ghurl.Redact(v)
	}
	if v := strings.TrimSpace(org.Value); v != "" {
		return ghurl.Redact(v)
	}
	return placeholder
}
