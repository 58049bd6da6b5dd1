package taxonomy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const (
	orgF   = "config/organization.yaml"
	tinyTV = "tofu/stacks/arc-runners/tinyland.tfvars"
	jessTV = "tofu/stacks/arc-runners/jesssullivan.tfvars"
)

func at(file string, line, col int) overlay.Pos {
	return overlay.Pos{File: file, Line: line, Column: col}
}

func str(v string, p overlay.Pos) overlay.String { return overlay.String{Value: v, Pos: p, Set: true} }

func num(v int64, p overlay.Pos) overlay.Int { return overlay.Int{Value: v, Pos: p, Set: true} }

func list(p overlay.Pos, vs ...string) overlay.StringList {
	l := overlay.StringList{Pos: p, Set: true}
	for i, v := range vs {
		l.Values = append(l.Values, str(v, at(p.File, p.Line, p.Column+1+i*10)))
	}
	return l
}

// lanes returns the three built-in lanes with nothing set (nix deployed by default).
func lanes() []overlay.Lane {
	var ls []overlay.Lane
	for _, k := range overlay.LaneKinds {
		ls = append(ls, overlay.Lane{Kind: k})
	}
	return ls
}

// tinyland builds an organization overlay that passes the gate: org-scoped URL, nix and
// docker lanes under their default names, and one heavy extra set that publishes its label.
func tinyland() *overlay.Overlay {
	o := &overlay.Overlay{Root: "e2e/overlays/tinyland-org"}
	org := &overlay.OrgConfig{File: orgF}
	org.Owner.Pos = at(orgF, 3, 1)
	org.Owner.Slug = str("tinyland-inc", at(orgF, 4, 9))
	org.Owner.AccountKind = str("organization", at(orgF, 5, 17))
	org.Owner.Repository = str("tinyland-inc/tinyland-infra", at(orgF, 6, 15))
	org.Owner.GithubConfigURL = str("https://github.com/tinyland-inc", at(orgF, 7, 22))
	org.Owner.GithubAppSecretName = str("github-app-secret", at(orgF, 8, 27))
	org.Cluster.Pos = at(orgF, 15, 3)
	org.Cluster.Name = str("honey", at(orgF, 16, 11))
	org.Cluster.Context = str("honey", at(orgF, 17, 14))
	org.Caches.Pos = at(orgF, 18, 3)
	org.Caches.AtticServer = str("http://attic.nix-cache.svc.cluster.local", at(orgF, 19, 19))
	org.Caches.AtticCache = str("main", at(orgF, 20, 18))
	org.Caches.AtticPublicKey = str("main:eaUydxuDu7xBoy5cCo3MdknYAkVyTIASQ7DGuwxa+XA=", at(orgF, 21, 23))
	org.Caches.BazelCacheEndpoint = str("grpc://bazel-cache.nix-cache.svc.cluster.local:9092", at(orgF, 22, 27))
	o.Org = org

	tv := &overlay.Tfvars{File: tinyTV}
	tv.ClusterContext = str("honey", at(tinyTV, 5, 25))
	tv.GithubConfigURL = str("https://github.com/tinyland-inc", at(tinyTV, 6, 25))
	tv.GithubConfigSecret = str("github-app-secret", at(tinyTV, 7, 25))
	tv.AtticServer = str("http://attic.nix-cache.svc.cluster.local", at(tinyTV, 9, 25))
	tv.AtticCache = str("main", at(tinyTV, 10, 25))
	tv.AtticPublicKey = str("main:eaUydxuDu7xBoy5cCo3MdknYAkVyTIASQ7DGuwxa+XA=", at(tinyTV, 11, 25))
	tv.BazelCacheEndpoint = str("grpc://bazel-cache.nix-cache.svc.cluster.local:9092", at(tinyTV, 12, 25))
	tv.Lanes = lanes()
	tv.Lanes[0].MaxRunners = num(4, at(tinyTV, 15, 25))
	tv.Lanes[1].Deploy = overlay.Bool{Value: true, Pos: at(tinyTV, 17, 25), Set: true}
	tv.ExtraRunnerSets = []overlay.RunnerSet{{
		Key:                str("tinyland-nix-heavy", at(tinyTV, 22, 3)),
		GithubConfigURL:    str("https://github.com/tinyland-inc", at(tinyTV, 23, 29)),
		GithubConfigSecret: str("github-app-secret", at(tinyTV, 24, 29)),
		RunnerLabel:        str("tinyland-nix-heavy", at(tinyTV, 25, 29)),
		RunnerScaleSetName: str("tinyland-nix-heavy", at(tinyTV, 26, 29)),
		RunnerLabels:       list(at(tinyTV, 27, 29), "self-hosted", "nix", "linux", "tinyland-nix-heavy"),
		RunnerType:         str("nix", at(tinyTV, 28, 29)),
		MinRunners:         num(0, at(tinyTV, 29, 29)),
		MaxRunners:         num(2, at(tinyTV, 30, 29)),
		AtticServer:        str("http://attic.nix-cache.svc.cluster.local", at(tinyTV, 31, 29)),
		BazelCacheEndpoint: str("grpc://bazel-cache.nix-cache.svc.cluster.local:9092", at(tinyTV, 32, 29)),
		Pos:                at(tinyTV, 22, 3),
	}}
	o.Tfvars = []*overlay.Tfvars{tv}
	return o
}

// jess builds the personal-account overlay of the seeds: a repository registration anchor
// (expected warning), owner-distinct scale-set names, no cache substrate, and a
// compute-expansion set that serves tinyland-nix-heavy and is declared cache-exempt.
func jess() *overlay.Overlay {
	o := &overlay.Overlay{Root: "e2e/overlays/jess-personal/"}
	org := &overlay.OrgConfig{File: orgF}
	org.Owner.Pos = at(orgF, 3, 1)
	org.Owner.Slug = str("Jesssullivan", at(orgF, 4, 9))
	org.Owner.AccountKind = str("personal", at(orgF, 5, 17))
	org.Owner.Repository = str("Jesssullivan/jesssullivan-infra", at(orgF, 6, 15))
	org.Owner.GithubConfigURL = str("https://github.com/Jesssullivan/jesssullivan-infra", at(orgF, 7, 22))
	org.Owner.GithubAppSecretName = str("github-app-secret-jesssullivan", at(orgF, 8, 27))
	org.Cluster.Name = str("honey", at(orgF, 16, 11))
	org.Cluster.Context = str("honey", at(orgF, 17, 14))
	org.Enrollment.CacheExemptSets = list(at(orgF, 30, 22), "tinyland-nix-heavy-compute-expansion")
	o.Org = org

	tv := &overlay.Tfvars{File: jessTV}
	tv.ClusterContext = str("honey", at(jessTV, 5, 25))
	tv.GithubConfigURL = str("https://github.com/Jesssullivan/jesssullivan-infra", at(jessTV, 6, 25))
	tv.GithubConfigSecret = str("github-app-secret-jesssullivan", at(jessTV, 7, 25))
	tv.Lanes = lanes()
	tv.Lanes[0].RunnerName = str("jesssullivan-nix", at(jessTV, 10, 29))
	tv.Lanes[0].ScaleSetName = str("jesssullivan-nix", at(jessTV, 11, 29))
	tv.Lanes[0].MaxRunners = num(2, at(jessTV, 12, 29))
	tv.ExtraRunnerSets = []overlay.RunnerSet{{
		Key:                str("tinyland-nix-heavy-compute-expansion", at(jessTV, 16, 3)),
		GithubConfigURL:    str("https://github.com/Jesssullivan/jesssullivan-infra", at(jessTV, 17, 29)),
		GithubConfigSecret: str("github-app-secret-jesssullivan", at(jessTV, 18, 29)),
		RunnerLabel:        str("tinyland-nix-heavy", at(jessTV, 19, 29)),
		RunnerScaleSetName: str("tinyland-nix-heavy-compute-expansion", at(jessTV, 20, 29)),
		RunnerLabels:       list(at(jessTV, 21, 29), "self-hosted", "nix", "linux"),
		RunnerType:         str("nix", at(jessTV, 22, 29)),
		MaxRunners:         num(1, at(jessTV, 23, 29)),
		Pos:                at(jessTV, 16, 3),
	}}
	o.Tfvars = []*overlay.Tfvars{tv}
	return o
}

// findings renders a report's findings as sorted "severity rule @pos" lines.
func findings(r *finding.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s @%s", f.Severity, f.Rule, f.Position))
	}
	sort.Strings(out)
	return out
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

func joined(xs []string) string { return "\n  " + strings.Join(xs, "\n  ") }
