package kube

// Hermetic tests: expectations derived from the fixture overlays, and the verdicts the
// probe draws from answers (read results are injected, no server needed). The same
// paths against a real kube-apiserver are in integration_test.go.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func loadFixture(t *testing.T, name string) *overlay.Overlay {
	t.Helper()
	o, err := overlay.Load(filepath.Join(overlaytest.RepoRoot(t), "e2e", "overlays", name), overlay.Options{})
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return o
}

func TestRulesStable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if !strings.HasPrefix(r.ID, "preflight/") || r.Summary == "" || seen[r.ID] {
			t.Errorf("bad or duplicate rule %+v", r)
		}
		seen[r.ID] = true
	}
	for _, id := range []string{"preflight/app-secret-missing", "preflight/scale-set-missing", "preflight/scale-set-unregistered",
		"preflight/scale-set-label-unpublished", "preflight/scale-set-mismatch", "preflight/kube-forbidden", "preflight/kube-unreachable"} {
		if !seen[id] {
			t.Errorf("rule %s missing", id)
		}
	}
}

func TestExpectationsFromFixtures(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		context string
		secrets []string // name@namespace
		sets    []string // source: name label url secret
	}{
		{
			fixture: "tinyland-org", context: "honey",
			secrets: []string{"github-app-secret@arc-systems", "github-app-secret@arc-runners"},
			sets: []string{
				"nix lane: tinyland-nix tinyland-nix https://github.com/tinyland-inc github-app-secret",
				"docker lane: tinyland-docker tinyland-docker https://github.com/tinyland-inc github-app-secret",
				"dind lane: tinyland-dind tinyland-dind https://github.com/tinyland-inc github-app-secret",
				"extra_runner_sets.tinyland-nix-heavy: tinyland-nix-heavy tinyland-nix-heavy https://github.com/tinyland-inc github-app-secret",
				"extra_runner_sets.tinyland-nix-compute-expansion: tinyland-nix-compute-expansion tinyland-nix https://github.com/tinyland-inc github-app-secret",
				// No github_config_secret in the entry: the stack's secret.
				"extra_runner_sets.tinyland-nix-kvm: tinyland-nix-kvm tinyland-nix-kvm https://github.com/tinyland-inc github-app-secret",
			},
		},
		{
			fixture: "jess-personal", context: "honey",
			secrets: []string{"github-app-secret-jesssullivan@arc-systems", "github-app-secret-jesssullivan@arc-runners"},
			sets: []string{
				// docker and dind are not deployed.
				"nix lane: jesssullivan-nix tinyland-nix https://github.com/Jesssullivan/jesssullivan-infra github-app-secret-jesssullivan",
				"extra_runner_sets.tinyland-nix-heavy-compute-expansion: tinyland-nix-heavy-compute-expansion tinyland-nix-heavy https://github.com/Jesssullivan github-app-secret-jesssullivan",
			},
		},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			exp := NewExpectations(loadFixture(t, tc.fixture))
			if exp.Context.Value != tc.context || !exp.Context.Pos.IsValid() {
				t.Errorf("context = %+v", exp.Context)
			}
			var secrets, sets []string
			for _, s := range exp.Secrets {
				secrets = append(secrets, s.Name.Value+"@"+s.Namespace.Value)
				if !s.Name.Pos.IsValid() || s.Name.Pos.Line == 0 {
					t.Errorf("secret %s has no line position", s.Name.Value)
				}
			}
			for _, s := range exp.ScaleSets {
				sets = append(sets, fmt.Sprintf("%s: %s %s %s %s", s.Source, s.Name.Value, s.Label.Value, s.ConfigURL.Value, s.ConfigSecret.Value))
				if s.Name.Pos.Line == 0 || s.Label.Pos.File == "" || s.ControllerNamespace != "arc-systems" || s.Namespace.Value != "arc-runners" {
					t.Errorf("scale set %s: positions/namespaces %+v", s.Name.Value, s)
				}
			}
			if got, want := strings.Join(secrets, "\n"), strings.Join(tc.secrets, "\n"); got != want {
				t.Errorf("secrets:\n%s\nwant:\n%s", got, want)
			}
			if got, want := strings.Join(sets, "\n"), strings.Join(tc.sets, "\n"); got != want {
				t.Errorf("scale sets:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func str(v, file string, line int) overlay.String {
	return overlay.String{Value: v, Pos: overlay.Pos{File: file, Line: line, Column: 1}, Set: true}
}

const tfvarsFile = "tofu/stacks/arc-runners/x.tfvars"

func TestExpectationsDefaults(t *testing.T) {
	o := &overlay.Overlay{Org: &overlay.OrgConfig{File: "config/organization.yaml"}}
	o.Org.Owner.GithubAppSecretName = str("owner-app", "config/organization.yaml", 5)
	o.Org.Owner.GithubConfigURL = str("https://github.com/acme", "config/organization.yaml", 4)
	tv := &overlay.Tfvars{
		File:               tfvarsFile,
		GithubConfigSecret: str("stack-app", tfvarsFile, 2),
		ClusterContext:     str("from-tfvars", tfvarsFile, 1),
		Lanes: []overlay.Lane{
			{Kind: "nix"}, // deployed by default, no names: core default release name
			{Kind: "docker", RunnerName: str("acme-docker", tfvarsFile, 7), Deploy: overlay.Bool{Value: true, Set: true}},
			{Kind: "dind"}, // not deployed by default
		},
		ExtraRunnerSets: []overlay.RunnerSet{{
			Key: str("acme-heavy", tfvarsFile, 10), RunnerLabel: str("tinyland-nix-heavy", tfvarsFile, 11),
			GithubConfigSecret: str("heavy-app", tfvarsFile, 12), Pos: overlay.Pos{File: tfvarsFile, Line: 10},
		}},
	}
	o.Tfvars = []*overlay.Tfvars{tv}
	exp := NewExpectations(o)

	if exp.Context.Value != "from-tfvars" {
		t.Errorf("context %q, want the tfvars cluster_context when organization.yaml names none", exp.Context.Value)
	}
	var sets []string
	for _, s := range exp.ScaleSets {
		sets = append(sets, fmt.Sprintf("%s %s@%s %s %s %s", s.Source, s.Name.Value, s.Name.Pos, s.Label.Value, s.ConfigURL.Value, s.ConfigSecret.Value))
	}
	want := []string{
		// No scale-set names: the core registers each set under its label (the chart falls
		// back to the release name only when that is empty), never under gh-<kind> or the key.
		"nix lane tinyland-nix@" + tfvarsFile + " tinyland-nix https://github.com/acme stack-app",
		"docker lane tinyland-docker@" + tfvarsFile + ":7:1 tinyland-docker https://github.com/acme stack-app",
		// An extra set does not inherit the stack's URL: none is expected of the live
		// object (the taxonomy gate reports the missing registration target).
		"extra_runner_sets.acme-heavy tinyland-nix-heavy@" + tfvarsFile + ":11:1 tinyland-nix-heavy  heavy-app",
	}
	if strings.Join(sets, "\n") != strings.Join(want, "\n") {
		t.Errorf("scale sets:\n%s\nwant:\n%s", strings.Join(sets, "\n"), strings.Join(want, "\n"))
	}
	var secrets []string
	for _, s := range exp.Secrets {
		secrets = append(secrets, s.Name.Value+"@"+s.Namespace.Value)
	}
	wantSecrets := "owner-app@arc-systems owner-app@arc-runners stack-app@arc-systems stack-app@arc-runners heavy-app@arc-runners"
	if strings.Join(secrets, " ") != wantSecrets {
		t.Errorf("secrets %v, want %s", secrets, wantSecrets)
	}
}

func TestExpectationsWithoutTfvars(t *testing.T) {
	o := &overlay.Overlay{Org: &overlay.OrgConfig{File: "config/organization.yaml"}}
	o.Org.Owner.GithubAppSecretName = str("owner-app", "config/organization.yaml", 5)
	exp := NewExpectations(o)
	var got []string
	for _, s := range exp.Secrets {
		got = append(got, fmt.Sprintf("%s@%s %s", s.Name.Value, s.Namespace.Value, s.Namespace.Pos))
	}
	want := "owner-app@arc-systems config/organization.yaml:5:1|owner-app@arc-runners config/organization.yaml:5:1"
	if strings.Join(got, "|") != want || len(exp.ScaleSets) != 0 {
		t.Errorf("secrets %q, scale sets %d; want %q and none", got, len(exp.ScaleSets), want)
	}
}

// judge runs the verdict half of the probe on injected answers.
type answers struct {
	secrets    map[string]error // "name@ns" -> nil (present) or the error
	lists      map[string][]unstructured.Unstructured
	listErrs   map[string]error
	namespaces map[string]namespaceState
}

func judge(t *testing.T, exp Expectations, a answers) *finding.Report {
	t.Helper()
	p := &prober{cfg: Config{Timeout: defaultTimeout}, exp: exp, context: "honey"}
	p.prepare()
	for i, s := range exp.Secrets {
		err, ok := a.secrets[s.Name.Value+"@"+s.Namespace.Value]
		if !ok {
			err = apierrors.NewNotFound(secretGVR.GroupResource(), s.Name.Value)
		}
		p.secrets[i] = callResult{ok: err == nil, err: err}
	}
	for ns, lr := range p.lists {
		lr.items, lr.err = a.lists[ns], a.listErrs[ns]
	}
	for ns, st := range a.namespaces {
		p.namespaces[ns] = st
	}
	rep := &finding.Report{}
	rep.AddRules(Rules()...)
	rep.Add(p.findings()...)
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	rep.Finalize()
	return rep
}

func simpleExp() Expectations {
	ns := func(v string, line int) overlay.String { return str(v, tfvarsFile, line) }
	set := func(name, label string, line int) ScaleSetExpectation {
		return ScaleSetExpectation{Source: name, Namespace: ns("arc-runners", 3), ControllerNamespace: "arc-systems",
			Name: str(name, tfvarsFile, line), Label: str(label, tfvarsFile, line+1),
			ConfigURL: str("https://github.com/acme", tfvarsFile, 1), ConfigSecret: str("app", tfvarsFile, 2)}
	}
	return Expectations{
		Context: str("honey", "config/organization.yaml", 20),
		Secrets: []SecretExpectation{
			{Name: str("app", tfvarsFile, 2), Namespace: ns("arc-systems", 4), Purpose: "owner GitHub App secret"},
			{Name: str("app", tfvarsFile, 2), Namespace: ns("arc-runners", 3), Purpose: "owner GitHub App secret"},
		},
		ScaleSets: []ScaleSetExpectation{set("acme-nix", "tinyland-nix", 10), set("acme-heavy", "tinyland-nix-heavy", 20)},
	}
}

func ars(objName, setName string, labels []string, id string, mut ...func(map[string]any)) unstructured.Unstructured {
	spec := map[string]any{"githubConfigUrl": "https://github.com/acme/", "githubConfigSecret": "app"}
	if setName != "" {
		spec["runnerScaleSetName"] = setName
	}
	if labels != nil {
		ls := make([]any, len(labels))
		for i, l := range labels {
			ls[i] = l
		}
		spec["runnerScaleSetLabels"] = ls
	}
	u := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "actions.github.com/v1alpha1", "kind": "AutoscalingRunnerSet",
		"metadata": map[string]any{"name": objName, "namespace": "arc-runners"},
		"spec":     spec, "status": map[string]any{"phase": "Running"},
	}}
	if id != "" {
		u.SetAnnotations(map[string]string{ScaleSetIDAnnotation: id})
	}
	for _, m := range mut {
		m(u.Object)
	}
	return u
}

func present() map[string]error {
	return map[string]error{"app@arc-systems": nil, "app@arc-runners": nil}
}

func verdictList(rep *finding.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Severity >= finding.Warning {
			out = append(out, f.Severity.String()+" "+f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

func TestVerdicts(t *testing.T) {
	forbidden := func(resource, ns, user string) error {
		return apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "app",
			fmt.Errorf("User %q cannot get resource %q in API group \"\" in the namespace %q", user, resource, ns))
	}
	enrolled := []unstructured.Unstructured{
		ars("acme-nix", "acme-nix", []string{"self-hosted", "tinyland-nix"}, "7"),
		ars("acme-heavy", "", []string{"tinyland-nix-heavy"}, "8"), // found by object name
	}
	for _, tc := range []struct {
		name string
		a    answers
		want []string
		// a finding of rule `rule` must contain all of says (in message + next action).
		rule string
		says []string
	}{
		{name: "enrolled", a: answers{secrets: present(), lists: map[string][]unstructured.Unstructured{"arc-runners": enrolled}}},
		{
			name: "secret missing in one namespace",
			a:    answers{secrets: map[string]error{"app@arc-systems": nil}, lists: map[string][]unstructured.Unstructured{"arc-runners": enrolled}},
			want: []string{"blocker " + RuleSecretMissing}, rule: RuleSecretMissing, says: []string{`"arc-runners"`, "just arc-app-secret-apply"},
		},
		{
			name: "namespace missing folds its objects",
			a:    answers{secrets: map[string]error{"app@arc-systems": nil}, namespaces: map[string]namespaceState{"arc-runners": nsMissing}},
			want: []string{"blocker " + RuleNamespaceMissing}, rule: RuleNamespaceMissing, says: []string{`"arc-runners" does not exist in context "honey"`},
		},
		{
			name: "CRD not served",
			a: answers{secrets: present(), listErrs: map[string]error{"arc-runners": apierrors.NewNotFound(
				schema.GroupResource{Group: "actions.github.com", Resource: "autoscalingrunnersets"}, "")}},
			want: []string{"blocker " + RuleCRDMissing}, rule: RuleCRDMissing, says: []string{"gha-runner-scale-set-controller"},
		},
		{
			name: "two scale sets claim one name",
			a: answers{secrets: present(), lists: map[string][]unstructured.Unstructured{"arc-runners": append(enrolled,
				ars("acme-nix-copy", "acme-nix", []string{"tinyland-nix"}, "9"))}},
			want: []string{"blocker " + RuleScaleSetMismatch}, rule: RuleScaleSetMismatch, says: []string{"2 AutoscalingRunnerSets", "acme-nix, acme-nix-copy"},
		},
		{
			name: "no labels at all, name differs from label",
			a: answers{secrets: present(), lists: map[string][]unstructured.Unstructured{"arc-runners": {
				ars("acme-nix", "acme-nix", nil, "7"), enrolled[1]}}},
			want: []string{"blocker " + RuleLabelUnpublished}, rule: RuleLabelUnpublished, says: []string{"(has none)", "scaleSetLabels"},
		},
		{
			name: "URL differs only by case and trailing slash",
			a: answers{secrets: present(), lists: map[string][]unstructured.Unstructured{"arc-runners": {
				ars("acme-nix", "acme-nix", []string{"tinyland-nix"}, "7", func(o map[string]any) {
					o["spec"].(map[string]any)["githubConfigUrl"] = "https://github.com/ACME/"
				}), enrolled[1]}}},
		},
		{
			name: "empty githubConfigSecret",
			a: answers{secrets: present(), lists: map[string][]unstructured.Unstructured{"arc-runners": {
				ars("acme-nix", "acme-nix", []string{"tinyland-nix"}, "7", func(o map[string]any) {
					delete(o["spec"].(map[string]any), "githubConfigSecret")
				}), enrolled[1]}}},
			want: []string{"blocker " + RuleScaleSetMismatch}, rule: RuleScaleSetMismatch, says: []string{"githubConfigSecret (empty)"},
		},
		{
			name: "unregistered: id zero",
			a: answers{secrets: present(), lists: map[string][]unstructured.Unstructured{"arc-runners": {
				ars("acme-nix", "acme-nix", []string{"tinyland-nix"}, "0"), enrolled[1]}}},
			want: []string{"blocker " + RuleScaleSetUnregistered}, rule: RuleScaleSetUnregistered,
			says: []string{`"0" is not a positive id`, "kubectl --context honey -n arc-systems logs"},
		},
		{
			name: "service account denied secrets and scale sets",
			a: answers{
				secrets:  map[string]error{"app@arc-systems": nil, "app@arc-runners": forbidden("secrets", "arc-runners", "system:serviceaccount:ci:preflight")},
				listErrs: map[string]error{"arc-runners": forbidden("autoscalingrunnersets", "arc-runners", "system:serviceaccount:ci:preflight")},
			},
			want: []string{"blocker " + RuleKubeForbidden}, rule: RuleKubeForbidden,
			says: []string{
				"get secrets (app) or list autoscalingrunnersets.actions.github.com",
				"create role gfenroll-preflight-secrets --verb=get --resource=secrets --resource-name=app",
				"create role gfenroll-preflight-scale-sets --verb=get,list --resource=autoscalingrunnersets.actions.github.com",
				"--serviceaccount=ci:preflight",
			},
		},
		{
			name: "server errors and rejected credentials fold",
			a: answers{
				secrets:  map[string]error{"app@arc-systems": apierrors.NewUnauthorized("no"), "app@arc-runners": apierrors.NewUnauthorized("no")},
				listErrs: map[string]error{"arc-runners": apierrors.NewInternalError(errors.New("etcd down"))},
			},
			want: []string{"blocker " + RuleKubeAPIError, "blocker " + RuleKubeUnauthorized}, rule: RuleKubeAPIError, says: []string{"etcd down", "/readyz"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := judge(t, simpleExp(), tc.a)
			got := verdictList(rep)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("verdicts %q, want %q\n%+v", got, tc.want, rep.Findings)
			}
			if tc.rule == "" {
				return
			}
			for _, f := range rep.Findings {
				if f.Rule != tc.rule || f.Severity < finding.Warning {
					continue
				}
				text := f.Message + " | " + f.NextAction
				for _, s := range tc.says {
					if !strings.Contains(text, s) {
						t.Errorf("%s finding lacks %q:\n%s", tc.rule, s, text)
					}
				}
				if !f.Position.IsValid() {
					t.Errorf("%s finding has no position", tc.rule)
				}
				return
			}
			t.Fatalf("no %s finding", tc.rule)
		})
	}
}

func TestScaleSetID(t *testing.T) {
	for _, tc := range []struct {
		ann    map[string]string
		id     int
		reason string
	}{
		{map[string]string{"runner-scale-set-id": "12"}, 12, ""},
		{nil, 0, "absent"},
		{map[string]string{"runner-scale-set-id": ""}, 0, "not a positive id"},
		{map[string]string{"runner-scale-set-id": "0"}, 0, "not a positive id"},
		{map[string]string{"runner-scale-set-id": "x1"}, 0, "not a positive id"},
		{map[string]string{"actions.github.com/runner-scale-set-id": "3"}, 0, "absent"},
	} {
		id, reason := scaleSetID(tc.ann)
		if id != tc.id || (tc.reason == "") != (reason == "") || !strings.Contains(reason, tc.reason) {
			t.Errorf("scaleSetID(%v) = %d, %q; want %d, %q", tc.ann, id, reason, tc.id, tc.reason)
		}
	}
}

func TestForbiddenUser(t *testing.T) {
	err := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "x",
		errors.New(`User "alice@example.com" cannot get resource "secrets" in API group "" in the namespace "arc-systems"`))
	if u := forbiddenUser(err); u != "alice@example.com" {
		t.Errorf("forbiddenUser = %q", u)
	}
	if u := forbiddenUser(errors.New("forbidden")); u != "" {
		t.Errorf("forbiddenUser on an unknown message = %q", u)
	}
}

// An overlay with nothing to check makes no call at all (and needs no kubeconfig).
func TestProbeNothingExpected(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
	rep := Probe(t.Context(), Config{}, Expectations{})
	if len(rep.Findings) != 0 || len(rep.Rules) != len(Rules()) {
		t.Errorf("report %+v", rep)
	}
}

// A kubeconfig under the home directory (where the default one lives) is named as ~/...
// when it cannot be loaded, never by this machine's absolute path.
func TestKubeconfigErrorNamesHomeRelativePath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := filepath.Join(home, ".kube", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("apiVersion: v1\nkind: Config\nclusters: {{{\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, f := newProber(Config{Kubeconfig: path}, Expectations{})
	if f == nil || f.Rule != RuleKubeConfig {
		t.Fatalf("finding = %+v, want %s", f, RuleKubeConfig)
	}
	if strings.Contains(f.Message, home) || !strings.Contains(f.Message, "~/.kube/config") {
		t.Errorf("message = %q, want ~/.kube/config and not %s", f.Message, home)
	}
}
