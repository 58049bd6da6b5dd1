package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"

	rbacv1 "k8s.io/api/rbac/v1"
)

// The journey of a new owner, from gfenroll init to enrolled, against the GitHub stand-in
// and the real kube-apiserver: after each live step the preflight's queue shrinks by exactly
// that step, and the next actions printed before it named the action then taken.
func TestJourneyFromSkeletonToEnrolled(t *testing.T) {
	kenv := kubetest.Require(t)
	ctl, runNS := kenv.Namespace(t, "arc-systems"), kenv.Namespace(t, "arc-runners")
	user := kenv.NewUser(t, "journey-"+kubetest.Suffix(6), "honey")
	rules := append(kubetest.PreflightRules(), rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "create", "patch"}})
	kenv.Grant(t, ctl, user.Name, rules...)
	kenv.Grant(t, runNS, user.Name, rules...)

	root := filepath.Join(t.TempDir(), "acme-infra")
	if code, stdout, stderr := run(t, nil, "", initArgs(root, "acme-corp", "organization", "acme-corp/acme-infra")...); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	kubetest.RetargetTfvars(t, filepath.Join(root, "tofu/stacks/arc-runners/acme-corp.tfvars"), ctl, runNS)

	repo := &fakegh.Repo{FullName: "acme-corp/acme-infra", DefaultBranch: "main", Private: true}
	org := &fakegh.Org{Login: "acme-corp"}
	sc := &fakegh.Scenario{Repos: []*fakegh.Repo{repo}, Orgs: []*fakegh.Org{org}}
	const appID, installationID = "123456", "87654321"

	// preflight runs the non-strict preflight and returns its report and text.
	preflight := func(when string) (*finding.Report, string) {
		t.Helper()
		gh := fakegh.Start(sc, fakegh.Options{})
		defer gh.Close()
		jsonPath := filepath.Join(t.TempDir(), "report.json")
		code, stdout, stderr := runGfenroll(map[string]string{"GH_TOKEN": gh.Token()}, "preflight", "--overlay-root", root,
			"--github-api-url", gh.URL(), "--kubeconfig", user.Kubeconfig, "--output", "json="+jsonPath)
		if code != 0 {
			t.Fatalf("%s: preflight exit %d\n%s%s", when, code, stdout, stderr)
		}
		t.Logf("queue %s:\n%s", when, stdout)
		return readReport(t, jsonPath), stdout
	}
	blocked := func(r *finding.Report) []finding.Step {
		var out []finding.Step
		for _, f := range r.Findings {
			if f.Severity == finding.Blocker && !slices.Contains(out, f.Step) {
				out = append(out, f.Step)
			}
		}
		slices.Sort(out)
		return out
	}
	actionsOf := func(r *finding.Report, s finding.Step) string {
		var out []string
		for _, f := range r.Findings {
			if f.Severity == finding.Blocker && f.Step == s {
				out = append(out, f.NextAction)
			}
		}
		return strings.Join(out, "\n")
	}

	steps := []struct {
		step finding.Step
		says string // what the step's next actions name: the action the test then takes
		take func(t *testing.T)
		then string // what the report says once the step is taken ("" when nothing to add)
	}{
		{finding.StepApp, "Install the owner's ARC GitHub App on acme-corp", func(t *testing.T) {
			org.Installations = []*fakegh.Installation{{ID: 87654321, AppID: 123456, AppSlug: "acme-arc",
				Permissions: map[string]string{"organization_self_hosted_runners": "write", "metadata": "read"}}}
		}, "for arc-app-secret: GITHUB_APP_ID=" + appID + " GITHUB_APP_INSTALLATION_ID=" + installationID},
		{finding.StepAppSecret, "arc-app-secret", func(t *testing.T) {
			keyPath, _ := appKey(t)
			env := map[string]string{"GITHUB_APP_ID": appID, "GITHUB_APP_INSTALLATION_ID": installationID, "GITHUB_APP_PRIVATE_KEY_PATH": keyPath}
			if code, stdout, stderr := run(t, env, "", "arc-app-secret", "--apply", "--overlay-root", root, "--kubeconfig", user.Kubeconfig); code != 0 {
				t.Fatalf("arc-app-secret --apply: exit %d\n%s%s", code, stdout, stderr)
			}
		}, ""},
		{finding.StepCoreRead, "GF_CORE_DEPLOY_KEY", func(t *testing.T) { repo.Secrets = []string{"GF_CORE_DEPLOY_KEY"} }, ""},
		{finding.StepApply, "apply", func(t *testing.T) {
			// What the ARC controller creates once the plan is applied: the registered scale sets.
			o, err := overlay.Load(root, overlay.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range kubetest.EnrollmentFor(kube.NewExpectations(o)).ScaleSets {
				kenv.CreateScaleSet(t, s)
			}
		}, ""},
		{finding.StepProof, "default-branch", func(t *testing.T) {
			repo.Runs = []*fakegh.Run{{ID: 1, Name: "Validate", Path: ".github/workflows/validate.yml", HeadBranch: "main",
				Status: "completed", Conclusion: "success", Age: fakegh.Duration(10 * time.Minute),
				Jobs: []*fakegh.Job{{ID: 11, Name: "gates", Status: "completed", Conclusion: "success",
					Labels: []string{"self-hosted", "tinyland-nix"}, RunnerName: "acme-corp-nix-x7k2p-runner-q9w3z", RunnerGroupName: "Default"}}}}
		}, ""},
	}

	rep, _ := preflight("after init")
	want := []finding.Step{}
	for _, s := range steps {
		want = append(want, s.step)
	}
	if got := blocked(rep); !slices.Equal(got, want) {
		t.Fatalf("a fresh skeleton is blocked at steps %v, want exactly the live steps %v", got, want)
	}
	for i, s := range steps {
		if a := actionsOf(rep, s.step); !strings.Contains(a, s.says) {
			t.Fatalf("before step %d (%s) the next actions do not name %q:\n%s", s.step, s.step, s.says, a)
		}
		s.take(t)
		var text string
		rep, text = preflight(fmt.Sprintf("after step %d (%s)", s.step, s.step))
		if got := blocked(rep); !slices.Equal(got, want[i+1:]) {
			t.Fatalf("after step %d the queue is blocked at %v, want %v", s.step, got, want[i+1:])
		}
		if !strings.Contains(text, s.then) {
			t.Fatalf("after step %d the report does not say %q:\n%s", s.step, s.then, text)
		}
	}
	if rep.Summary.Blockers != 0 {
		t.Errorf("enrolled overlay still has %d blockers", rep.Summary.Blockers)
	}
}
