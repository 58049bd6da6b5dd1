// Package deploy computes what an overlay's ARC runner stacks deploy: for every tfvars file,
// the deployed built-in lanes and extra runner sets with every default of the core's
// arc-runners stack and of ARC's gha-runner-scale-set chart applied. The taxonomy gate, the
// estate check, the live preflight and arc-app-secret all read this one model, so a default
// is decided once and every consumer gives the same answer.
//
// Every derived value keeps where it came from (Pos), whether a default supplied it
// (Defaulted), and the key an operator edits to set it (Key in File), so a finding can both
// point at the value and say what to change.
//
// The defaults, and why:
//
//   - which lanes deploy: overlay.Lane.Deployed (nix unless deploy_nix_runner = false;
//     docker and dind only when deploy_<kind>_runner = true).
//   - runnerScaleSetName (the GitHub registration identity): the explicit scale-set name
//     (<kind>_runner_scale_set_name, extra_runner_sets.<key>.runner_scale_set_name), else the
//     workflow label, else the Helm release name. The core's arc-runner module passes the
//     set's runner_label as the chart value runnerScaleSetName; the chart writes
//     spec.runnerScaleSetName only when that value is non-empty, and both the chart (object
//     name) and the controller fall back to the release name otherwise. So a built-in lane
//     without a scale-set name registers as tinyland-<kind>, not as its release name, and
//     an extra set without one registers as its runner_label, not as its map key.
//   - Helm release name: <kind>_runner_name (core default gh-<kind>) for a lane, the map key
//     for an extra set.
//   - workflow-facing label: tinyland-<kind> for a lane (fixed by the core), runner_label for
//     an extra set (no default: the core requires it). The published labels
//     (runnerScaleSetLabels) are the lane's label, or the set's runner_labels as written.
//   - runner type: the lane's kind; runner_type for an extra set, default nix.
//   - namespaces: controller_namespace (default arc-systems) and runner_namespace (default
//     arc-runners); every scale set of a stack lives in its runner namespace.
//   - App secret (githubConfigSecret): the stack's github_config_secret, else
//     organization.yaml owner.github_app_secret_name, else github-app-secret. The core
//     itself falls back to github-app-secret when the tfvars is silent; the model takes the
//     organization's name first because that silence is already a taxonomy/consistency
//     blocker whose fix is to write the organization's name, and the live checks should look
//     for the secret the overlay means. An extra set uses its own github_config_secret, else
//     the stack's (the core's extra_runner_sets type defaults it to github-app-secret, the
//     stack's own default; overlays name it per set).
//   - github config URL: the stack's github_config_url, else owner.github_config_url. An
//     extra set has only its own: the core's extra_runner_sets entry does not inherit the
//     stack's URL, so a set without one has no registration target; its ConfigURL is then
//     empty (defaulted, at the set's declaration) and the taxonomy gate reports it.
//   - caches: the stack's attic_server, attic_cache (core default main), attic_public_key,
//     bazel_cache_endpoint and bazel_executor_endpoint. The core wires them into the
//     built-in lanes by kind (nix: Attic and Bazel, docker: Bazel, dind: none). Extra sets do
//     NOT inherit the stack's cache endpoints: a set carries only the attic_server,
//     bazel_cache_endpoint and bazel_executor_endpoint its own entry sets. The set's entry
//     has no attic_cache or attic_public_key, so for those the set uses the stack's values
//     (kept as the stack's, with the stack's key to edit).
//   - runner group: runner_group (core default "default", GitHub's shared Default group);
//     an extra set's own runner_group, else the stack's. runner_group_policy has no default.
//   - capacity: <kind>_min_runners / <kind>_max_runners or the set's min_runners /
//     max_runners; core defaults 0 and 5.
//   - cluster: the kube context is substrate.cluster.context, else the first tfvars
//     cluster_context; a stack's own context is its cluster_context, else the
//     organization's. The cluster identity (for the estate check) is substrate.cluster.name,
//     else the first tfvars cluster_context.
package deploy

import (
	"github.com/tinyland-inc/gf-enrollment/checks/finding"

	"slices"
	"strconv"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Defaults of the core's arc-runners stack and arc-runner module.
const (
	DefaultControllerNamespace = overlay.DefaultControllerNamespace
	DefaultRunnerNamespace     = overlay.DefaultRunnerNamespace
	DefaultConfigSecret        = "github-app-secret"
	DefaultRunnerGroup         = "default"
	DefaultRunnerType          = "nix"
	DefaultAtticCache          = "main"
	DefaultMinRunners          = 0
	DefaultMaxRunners          = 5
)

// DefaultOrgFile is where organization.yaml lives when the overlay has none to name it.
const DefaultOrgFile = overlay.OrgFile

// Value is one derived string.
type Value struct {
	Value string
	// Pos is where the value is written; for a default, where it came from (the
	// organization.yaml value it fell back to) or where the operator would write it (the
	// lane's or set's declaration, else the file).
	Pos overlay.Pos
	// Defaulted is true when no key of this scale set or stack set the value.
	Defaulted bool
	// Key is the key an operator edits to set the value, in File.
	Key  string
	File string
}

// Count is one derived runner count.
type Count struct {
	Value     int64
	Pos       overlay.Pos
	Defaulted bool
	Key       string
	File      string
}

// Caches are the cache coordinates a stack or a scale set carries.
type Caches struct {
	AtticServer           Value
	AtticCache            Value
	AtticPublicKey        Value
	BazelCacheEndpoint    Value
	BazelExecutorEndpoint Value
}

// Model is what one overlay deploys.
type Model struct {
	// OrgFile is organization.yaml's root-relative path.
	OrgFile string
	// Context is the kube context the overlay's stacks target.
	Context Value
	// Cluster is the cluster identity for the estate check ("" when the overlay names none).
	Cluster Value
	// AppSecret is owner.github_app_secret_name: the App secret operator commands write.
	AppSecret Value
	// Stacks are the tfvars files in load order.
	Stacks []*Stack
}

// Stack is one ARC runner stack (one tfvars file).
type Stack struct {
	File                string
	ConfigURL           Value
	ConfigSecret        Value
	ClusterContext      Value
	ControllerNamespace Value
	RunnerNamespace     Value
	RunnerGroup         Value
	RunnerGroupPolicy   Value
	Caches              Caches
	// ScaleSets are the deployed scale sets: built-in lanes that are deployed (in
	// overlay.LaneKinds order), then every extra runner set in file order.
	ScaleSets []*ScaleSet
}

// ScaleSet is one deployed ARC runner scale set (one gha-runner-scale-set release).
type ScaleSet struct {
	Stack *Stack
	// Lane is the built-in lane kind (nix, docker, dind); "" for an extra runner set.
	Lane string
	// SetKey is the extra_runner_sets key; "" for a lane.
	SetKey string
	// Pos is where the lane or set is declared.
	Pos overlay.Pos
	// Name is spec.runnerScaleSetName, the GitHub registration identity.
	Name Value
	// Release is the Helm release name.
	Release Value
	// Label is the workflow-facing label (runs-on).
	Label Value
	// Published are the labels written to runnerScaleSetLabels.
	Published    []Value
	RunnerType   Value
	ConfigURL    Value
	ConfigSecret Value
	RunnerGroup  Value
	// Caches are what this scale set itself is wired with (see the package doc).
	Caches     Caches
	MinRunners Count
	MaxRunners Count
}

// What names the scale set in messages: "the built-in nix lane", "extra_runner_sets.heavy".
func (s *ScaleSet) What() string {
	if s.Lane != "" {
		return "the built-in " + s.Lane + " lane"
	}
	return "extra_runner_sets." + s.SetKey
}

// Namespace is the runner namespace the scale set is deployed into.
func (s *ScaleSet) Namespace() Value { return s.Stack.RunnerNamespace }

// Labels are the labels the scale set serves: its workflow label, then its published
// labels, without repeats or empty values.
func (s *ScaleSet) Labels() []string {
	out := make([]string, 0, 1+len(s.Published))
	add := func(l string) {
		if l == "" || slices.Contains(out, l) {
			return
		}
		out = append(out, l)
	}
	add(s.Label.Value)
	for _, v := range s.Published {
		add(v.Value)
	}
	return out
}

// Of computes the model of a loaded overlay. It never fails: absent values are defaults.
func Of(o *overlay.Overlay) *Model {
	m := &Model{OrgFile: DefaultOrgFile}
	if o == nil {
		return m
	}
	org := o.Org
	if org == nil {
		org = &overlay.OrgConfig{}
	}
	if org.File != "" {
		m.OrgFile = org.File
	}
	orgPos := finding.PosOr(org.Owner.Pos, overlay.Pos{}, m.OrgFile)
	m.AppSecret = fromOrg(org.Owner.GithubAppSecretName, orgPos, m.OrgFile, "owner.github_app_secret_name")
	m.Context = fromOrg(org.Cluster.Context, finding.PosOr(org.Cluster.Pos, overlay.Pos{}, m.OrgFile), m.OrgFile, "substrate.cluster.context")
	m.Cluster = fromOrg(org.Cluster.Name, finding.PosOr(org.Cluster.Pos, overlay.Pos{}, m.OrgFile), m.OrgFile, "substrate.cluster.name")
	for _, tv := range o.Tfvars {
		if tv == nil {
			continue
		}
		if ctx := tv.ClusterContext.Value; strings.TrimSpace(ctx) != "" {
			if m.Context.Value == "" {
				m.Context = Value{Value: ctx, Pos: tv.ClusterContext.Pos, Defaulted: true, Key: "substrate.cluster.context", File: m.OrgFile}
			}
			if m.Cluster.Value == "" {
				m.Cluster = Value{Value: ctx, Pos: tv.ClusterContext.Pos, Defaulted: true, Key: "substrate.cluster.name", File: m.OrgFile}
			}
		}
		m.Stacks = append(m.Stacks, stackOf(tv, org, m.OrgFile))
	}
	return m
}

// fromOrg reads an organization.yaml value; unset, it is an empty default to be set at key.
func fromOrg(s overlay.String, fallback overlay.Pos, file, key string) Value {
	if strings.TrimSpace(s.Value) == "" {
		return Value{Pos: finding.PosOr(s.Pos, fallback, file), Defaulted: true, Key: key, File: file}
	}
	return Value{Value: s.Value, Pos: finding.PosOr(s.Pos, fallback, file), Key: key, File: file}
}

// own is a value the tfvars sets itself (Set and not blank), else ok is false. The value
// is kept as written: label and name checks judge exactly what ARC would receive.
func own(s overlay.String, fallback overlay.Pos, file, key string) (Value, bool) {
	if !s.Set || strings.TrimSpace(s.Value) == "" {
		return Value{}, false
	}
	return Value{Value: s.Value, Pos: finding.PosOr(s.Pos, fallback, file), Key: key, File: file}, true
}

// or is the tfvars value at key, else def (marked defaulted, pointing at the default's
// source when it has one, else at fallback).
func or(s overlay.String, fallback overlay.Pos, file, key string, def Value) Value {
	if v, ok := own(s, fallback, file, key); ok {
		return v
	}
	d := Value{Value: def.Value, Pos: def.Pos, Defaulted: true, Key: key, File: file}
	if !d.Pos.IsValid() || d.Value == "" {
		d.Pos = finding.PosOr(s.Pos, fallback, file)
	}
	return d
}

// literal is a core default with no source of its own.
func literal(v string) Value { return Value{Value: v} }

func stackOf(tv *overlay.Tfvars, org *overlay.OrgConfig, orgFile string) *Stack {
	f := tv.File
	file := overlay.Pos{File: f}
	st := &Stack{File: f}
	orgURL := fromOrg(org.Owner.GithubConfigURL, overlay.Pos{}, orgFile, "")
	orgSecret := fromOrg(org.Owner.GithubAppSecretName, overlay.Pos{}, orgFile, "")
	orgCtx := fromOrg(org.Cluster.Context, overlay.Pos{}, orgFile, "")
	secretDefault := orgSecret
	if secretDefault.Value == "" {
		secretDefault = literal(DefaultConfigSecret)
	}
	st.ConfigURL = or(tv.GithubConfigURL, file, f, "github_config_url", orgURL)
	st.ConfigSecret = or(tv.GithubConfigSecret, file, f, "github_config_secret", secretDefault)
	st.ClusterContext = or(tv.ClusterContext, file, f, "cluster_context", orgCtx)
	st.ControllerNamespace = or(tv.ControllerNamespace, file, f, "controller_namespace", literal(DefaultControllerNamespace))
	st.RunnerNamespace = or(tv.RunnerNamespace, file, f, "runner_namespace", literal(DefaultRunnerNamespace))
	st.RunnerGroup = or(tv.RunnerGroup, file, f, "runner_group", literal(DefaultRunnerGroup))
	st.RunnerGroupPolicy = or(tv.RunnerGroupPolicy, file, f, "runner_group_policy", literal(""))
	st.Caches = Caches{
		AtticServer:           or(tv.AtticServer, file, f, "attic_server", literal("")),
		AtticCache:            or(tv.AtticCache, file, f, "attic_cache", literal(DefaultAtticCache)),
		AtticPublicKey:        or(tv.AtticPublicKey, file, f, "attic_public_key", literal("")),
		BazelCacheEndpoint:    or(tv.BazelCacheEndpoint, file, f, "bazel_cache_endpoint", literal("")),
		BazelExecutorEndpoint: or(tv.BazelExecutorEndpoint, file, f, "bazel_executor_endpoint", literal("")),
	}
	for _, l := range tv.Lanes {
		if l.Deployed() {
			st.ScaleSets = append(st.ScaleSets, laneOf(st, l))
		}
	}
	for _, rs := range tv.ExtraRunnerSets {
		st.ScaleSets = append(st.ScaleSets, setOf(st, rs))
	}
	return st
}

// lanePos is where a built-in lane is declared: the first of its keys the tfvars sets,
// else the file. A defaulted lane value points here.
func lanePos(l overlay.Lane, file string) overlay.Pos {
	for _, p := range []overlay.Pos{l.Deploy.Pos, l.ScaleSetName.Pos, l.RunnerName.Pos, l.MaxRunners.Pos, l.MinRunners.Pos} {
		if p.IsValid() && p.Line > 0 {
			return p
		}
	}
	return overlay.Pos{File: file}
}

func laneOf(st *Stack, l overlay.Lane) *ScaleSet {
	f := st.File
	decl := lanePos(l, f)
	label := l.Label()
	s := &ScaleSet{Stack: st, Lane: l.Kind, Pos: decl}
	s.Name = or(l.ScaleSetName, decl, f, l.Kind+"_runner_scale_set_name", Value{Value: label, Pos: decl})
	s.Release = or(l.RunnerName, decl, f, l.Kind+"_runner_name", Value{Value: "gh-" + l.Kind, Pos: decl})
	// The label is fixed by the core; it is published where the scale set is named.
	s.Label = Value{Value: label, Pos: s.Name.Pos, Defaulted: true, File: f}
	s.Published = []Value{s.Label}
	s.RunnerType = Value{Value: l.Kind, Pos: decl, Defaulted: true, File: f}
	s.ConfigURL, s.ConfigSecret, s.RunnerGroup = st.ConfigURL, st.ConfigSecret, st.RunnerGroup
	switch l.Kind {
	case "nix":
		s.Caches = Caches{AtticServer: st.Caches.AtticServer, AtticCache: st.Caches.AtticCache, AtticPublicKey: st.Caches.AtticPublicKey,
			BazelCacheEndpoint: st.Caches.BazelCacheEndpoint, BazelExecutorEndpoint: st.Caches.BazelExecutorEndpoint}
	case "docker":
		s.Caches = Caches{BazelCacheEndpoint: st.Caches.BazelCacheEndpoint, BazelExecutorEndpoint: st.Caches.BazelExecutorEndpoint}
	}
	s.MinRunners = count(l.MinRunners, decl, f, l.Kind+"_min_runners", DefaultMinRunners)
	s.MaxRunners = count(l.MaxRunners, decl, f, l.Kind+"_max_runners", DefaultMaxRunners)
	return s
}

// setKeyPrefix is how findings name an extra runner set's keys: extra_runner_sets.<key>.
func setKeyPrefix(key string) string { return "extra_runner_sets." + key }

func setOf(st *Stack, rs overlay.RunnerSet) *ScaleSet {
	f := st.File
	decl := finding.PosOr(rs.Pos, overlay.Pos{}, f)
	k := setKeyPrefix(rs.Key.Value)
	s := &ScaleSet{Stack: st, SetKey: rs.Key.Value, Pos: decl}
	s.Release = Value{Value: rs.Key.Value, Pos: finding.PosOr(rs.Key.Pos, decl, f), Key: "the extra_runner_sets key " + strconv.Quote(rs.Key.Value), File: f}
	s.Label = or(rs.RunnerLabel, decl, f, k+".runner_label", literal(""))
	nameDefault := Value{Value: s.Label.Value, Pos: s.Label.Pos}
	if nameDefault.Value == "" {
		nameDefault = Value{Value: s.Release.Value, Pos: s.Release.Pos}
	}
	s.Name = or(rs.RunnerScaleSetName, decl, f, k+".runner_scale_set_name", nameDefault)
	for _, v := range rs.RunnerLabels.Values {
		s.Published = append(s.Published, Value{Value: v.Value, Pos: finding.PosOr(v.Pos, decl, f), Key: k + ".runner_labels", File: f})
	}
	// An explicit runner_type is kept even when empty: OpenTofu fills only a null optional
	// attribute, and the core's module rejects "".
	s.RunnerType = Value{Value: DefaultRunnerType, Pos: decl, Defaulted: true, Key: k + ".runner_type", File: f}
	if rs.RunnerType.Set {
		s.RunnerType = Value{Value: rs.RunnerType.Value, Pos: finding.PosOr(rs.RunnerType.Pos, decl, f), Key: k + ".runner_type", File: f}
	}
	s.ConfigURL = or(rs.GithubConfigURL, decl, f, k+".github_config_url", literal(""))
	s.ConfigSecret = or(rs.GithubConfigSecret, decl, f, k+".github_config_secret", st.ConfigSecret)
	s.RunnerGroup = or(rs.RunnerGroup, decl, f, k+".runner_group", st.RunnerGroup)
	s.Caches = Caches{
		AtticServer:           or(rs.AtticServer, decl, f, k+".attic_server", literal("")),
		AtticCache:            st.Caches.AtticCache,
		AtticPublicKey:        st.Caches.AtticPublicKey,
		BazelCacheEndpoint:    or(rs.BazelCacheEndpoint, decl, f, k+".bazel_cache_endpoint", literal("")),
		BazelExecutorEndpoint: or(rs.BazelExecutorEndpoint, decl, f, k+".bazel_executor_endpoint", literal("")),
	}
	s.MinRunners = count(rs.MinRunners, decl, f, k+".min_runners", DefaultMinRunners)
	s.MaxRunners = count(rs.MaxRunners, decl, f, k+".max_runners", DefaultMaxRunners)
	return s
}

func count(n overlay.Int, fallback overlay.Pos, file, key string, def int64) Count {
	if n.Set {
		return Count{Value: n.Value, Pos: finding.PosOr(n.Pos, fallback, file), Key: key, File: file}
	}
	return Count{Value: def, Pos: finding.PosOr(n.Pos, fallback, file), Defaulted: true, Key: key, File: file}
}
