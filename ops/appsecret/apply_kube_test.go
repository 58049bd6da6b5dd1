package appsecret

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/render"
	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"
)

// These tests run against the real kube-apiserver of e2e/kube/testenv.sh (skipped when it
// is not running, failing under CI). Each scenario gets fresh namespaces and a fresh
// client-certificate identity holding only the RBAC the command documents: get, create
// and patch on secrets.

func writerRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "create", "patch"}}}
}

type kubeScenario struct {
	env      *kubetest.Env
	ctl, run string // namespaces
	user     kubetest.User
	fix      *fixture
	plan     *Plan
	client   *KubeClient
}

// newKubeScenario makes two namespaces (the second only when createRun), an identity
// allowed to write secrets in the namespaces listed in grant, and an overlay pointing at them.
func newKubeScenario(t *testing.T, createRun bool, grantCtl, grantRun bool) *kubeScenario {
	t.Helper()
	env := kubetest.Require(t)
	s := &kubeScenario{env: env}
	s.ctl = env.Namespace(t, "arc-systems")
	s.run = "arc-runners-" + kubetest.Suffix(8)
	if createRun {
		env.CreateNamespace(t, s.run)
	}
	s.user = env.NewUser(t, "gfenroll-operator-"+kubetest.Suffix(6), "honey")
	if grantCtl {
		env.Grant(t, s.ctl, s.user.Name, writerRules()...)
	}
	if grantRun && createRun {
		env.Grant(t, s.run, s.user.Name, writerRules()...)
	}
	s.fix = newFixture(t, map[string]string{tfvarsRel: testTfvars +
		"controller_namespace = \"" + s.ctl + "\"\nrunner_namespace     = \"" + s.run + "\"\n"})
	s.prepare(t)
	return s
}

func (s *kubeScenario) prepare(t *testing.T) {
	t.Helper()
	req := s.fix.request()
	req.Kubeconfig = s.user.Kubeconfig
	plan, cfg, err := Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewKubeClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.plan, s.client = plan, client
}

func kctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// stored reads the secret as the admin (nil when absent).
func (s *kubeScenario) stored(t *testing.T, ns string) *corev1.Secret {
	t.Helper()
	sec, err := s.env.Clientset().CoreV1().Secrets(ns).Get(kctx(t), "github-app-secret", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func applyReport(t *testing.T, s *kubeScenario, c Client) *finding.Report {
	t.Helper()
	r := s.plan.Apply(kctx(t), c)
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	for _, f := range render.Formats() {
		b, err := render.Bytes(f, r, render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		assertNoKeyMaterialOf(t, string(b), s.plan.Creds.Key)
	}
	return r
}

func messages(r *finding.Report, rule string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f.Message)
		}
	}
	return out
}

func TestKubeApplyCreatesThenChangesNothing(t *testing.T) {
	s := newKubeScenario(t, true, true, true)

	r := applyReport(t, s, s.client)
	applied := messages(r, RuleApplied)
	if r.Summary.Blockers != 0 || len(applied) != 2 || !strings.Contains(applied[0], "created (resourceVersion ") {
		t.Fatalf("first apply: %s", dump(r))
	}
	rvs := map[string]string{}
	for _, ns := range []string{s.ctl, s.run} {
		sec := s.stored(t, ns)
		if sec == nil {
			t.Fatalf("%s: no secret", ns)
		}
		want := map[string]string{KeyAppID: "123456", KeyInstallationID: "87654321", KeyPrivateKey: string(pkcs1PEM(t))}
		if len(sec.Data) != 3 || sec.Type != corev1.SecretTypeOpaque {
			t.Errorf("%s: type %s, keys %d", ns, sec.Type, len(sec.Data))
		}
		for k, v := range want {
			if string(sec.Data[k]) != v {
				t.Errorf("%s: stored %s differs from the input", ns, k)
			}
		}
		if sec.Labels[LabelManagedBy] != "gfenroll" || sec.Annotations[AnnotationFingerprint] != fingerprint(t) {
			t.Errorf("%s: metadata %v %v", ns, sec.Labels, sec.Annotations)
		}
		if len(sec.ManagedFields) != 1 || sec.ManagedFields[0].Manager != FieldManager || sec.ManagedFields[0].Operation != metav1.ManagedFieldsOperationApply {
			t.Errorf("%s: managed fields %+v", ns, sec.ManagedFields)
		}
		rvs[ns] = sec.ResourceVersion
	}

	// A rerun changes nothing: the same resourceVersion in both namespaces.
	r = applyReport(t, s, s.client)
	applied = messages(r, RuleApplied)
	if r.Summary.Blockers != 0 || len(applied) != 2 {
		t.Fatalf("rerun: %s", dump(r))
	}
	for i, ns := range []string{s.ctl, s.run} {
		if got := s.stored(t, ns).ResourceVersion; got != rvs[ns] {
			t.Errorf("%s: rerun changed resourceVersion %s -> %s", ns, rvs[ns], got)
		}
		if !strings.Contains(applied[i], ns+"/github-app-secret unchanged (resourceVersion "+rvs[ns]+")") {
			t.Errorf("rerun report: %s", applied[i])
		}
	}

	// Rotating the key updates both namespaces to the new key.
	k2, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	newPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k2)})
	writeKey(t, s.fix.keyPath, newPEM, 0o600)
	s.prepare(t)
	r = applyReport(t, s, s.client)
	applied = messages(r, RuleApplied)
	if len(applied) != 2 || !strings.Contains(applied[0], "updated (resourceVersion "+rvs[s.ctl]+" -> ") {
		t.Fatalf("rotation: %s", dump(r))
	}
	for _, ns := range []string{s.ctl, s.run} {
		if string(s.stored(t, ns).Data[KeyPrivateKey]) != string(newPEM) {
			t.Errorf("%s: key not rotated", ns)
		}
	}
}

// writesBy lists the non-dry-run writes (create, patch, update, delete) the identity made.
// It fails when the audit log shows no dry-run patch by the identity either: then the log
// was not read, and "no writes" would prove nothing.
func writesBy(t *testing.T, env *kubetest.Env, user string) []kubetest.AuditEvent {
	t.Helper()
	var writes []kubetest.AuditEvent
	dryRuns := 0
	for _, e := range env.AuditEvents(t, func(e kubetest.AuditEvent) bool { return e.User.Username == user }) {
		switch e.Verb {
		case "create", "patch", "update", "delete":
			if strings.Contains(e.RequestURI, "dryRun=All") {
				dryRuns++
			} else {
				writes = append(writes, e)
			}
		}
	}
	if dryRuns == 0 {
		t.Fatalf("the audit log shows no dry-run apply by %s", user)
	}
	return writes
}

func TestKubeRefusalsWriteNothing(t *testing.T) {
	t.Run("missing namespace", func(t *testing.T) {
		s := newKubeScenario(t, false, true, false)
		// Without rights in a namespace the apiserver answers 403 before it looks the
		// namespace up; an operator with cluster-wide secret rights sees the 404.
		grantClusterWide(t, s.env, s.user.Name, writerRules()...)
		r := applyReport(t, s, s.client)
		notWritten := messages(r, RuleNotWritten)
		if r.Summary.Blockers != 1 || len(notWritten) != 1 || !strings.Contains(notWritten[0], s.run+"/github-app-secret: the server-side dry run was refused") ||
			!strings.Contains(notWritten[0], "nothing was written in any namespace") {
			t.Fatalf("findings: %s", dump(r))
		}
		if na := r.NextActions(); len(na) != 1 || !strings.Contains(na[0], "Create namespace "+s.run) {
			t.Errorf("next actions: %v", na)
		}
		if s.stored(t, s.ctl) != nil {
			t.Error("the existing namespace got the secret although the other namespace refused it")
		}
		if w := writesBy(t, s.env, s.user.Name); len(w) != 0 {
			t.Errorf("writes reached the server: %v", w)
		}
	})
	t.Run("rbac gap in the second namespace", func(t *testing.T) {
		s := newKubeScenario(t, true, true, false)
		r := applyReport(t, s, s.client)
		if r.Summary.Blockers != 1 || !strings.Contains(strings.Join(messages(r, RuleNotWritten), ""), "forbidden") {
			t.Fatalf("findings: %s", dump(r))
		}
		if na := r.NextActions(); len(na) != 1 || !strings.Contains(na[0], "Grant your identity get, create and patch on secrets in "+s.run) {
			t.Errorf("next actions: %v", na)
		}
		if s.stored(t, s.ctl) != nil || s.stored(t, s.run) != nil {
			t.Error("a secret was written")
		}
		if w := writesBy(t, s.env, s.user.Name); len(w) != 0 {
			t.Errorf("writes reached the server: %v", w)
		}
	})
	t.Run("conflict with a secret made by kubectl", func(t *testing.T) {
		s := newKubeScenario(t, true, true, true)
		// The ad hoc way an operator may have made it: kubectl create secret, other values.
		s.env.CreateSecret(t, s.run, "github-app-secret", kubetest.AppSecretData())
		before := s.stored(t, s.run)
		r := applyReport(t, s, s.client)
		nw := strings.Join(messages(r, RuleNotWritten), "\n")
		if r.Summary.Blockers != 1 || !strings.Contains(nw, "conflict") {
			t.Fatalf("findings: %s", dump(r))
		}
		if na := r.NextActions(); len(na) != 1 || !strings.Contains(na[0], "--force-conflicts") {
			t.Errorf("next actions: %v", na)
		}
		if s.stored(t, s.ctl) != nil || s.stored(t, s.run).ResourceVersion != before.ResourceVersion {
			t.Error("a namespace was written despite the conflict")
		}

		// --force-conflicts takes the keys over.
		s.plan.ForceConflicts = true
		r = applyReport(t, s, s.client)
		if r.Summary.Blockers != 0 || len(messages(r, RuleApplied)) != 2 {
			t.Fatalf("forced: %s", dump(r))
		}
		if got := s.stored(t, s.run); string(got.Data[KeyPrivateKey]) != string(pkcs1PEM(t)) || string(got.Data[KeyAppID]) != "123456" {
			t.Error("forced apply did not write the App credentials")
		}
	})
}

func TestKubeExtraKeysWarn(t *testing.T) {
	s := newKubeScenario(t, true, true, true)
	s.env.CreateSecret(t, s.ctl, "github-app-secret", map[string]string{"github_token": "ghp_not_a_real_token"})
	r := applyReport(t, s, s.client)
	extra := messages(r, RuleExtraKeys)
	if r.Summary.Blockers != 0 || len(extra) != 1 || !strings.Contains(extra[0], s.ctl+"/github-app-secret also holds key(s) github_token") ||
		!strings.Contains(extra[0], "ARC refuses a secret holding both a PAT") {
		t.Fatalf("findings: %s", dump(r))
	}
	if na := r.NextActions(); len(na) != 1 || !strings.Contains(na[0], `{"op":"remove","path":"/data/github_token"}`) {
		t.Errorf("next actions: %v", na)
	}
}

// failSecondWrite passes everything through except the real (non-dry-run) write to one
// namespace: the state a network drop between the two writes leaves.
type failSecondWrite struct {
	Client
	ns string
}

func (f failSecondWrite) Apply(ctx context.Context, s *corev1ac.SecretApplyConfiguration, force, dryRun bool) (string, []string, error) {
	if !dryRun && *s.Namespace == f.ns {
		return "", nil, errors.New("injected: connection reset by peer")
	}
	return f.Client.Apply(ctx, s, force, dryRun)
}

func TestKubeSecondWriteFailureSaysWhatEachNamespaceHolds(t *testing.T) {
	s := newKubeScenario(t, true, true, true)
	r := applyReport(t, s, failSecondWrite{Client: s.client, ns: s.run})
	failed := messages(r, RuleApplyFailed)
	if r.Summary.Blockers != 1 || len(failed) != 1 {
		t.Fatalf("findings: %s", dump(r))
	}
	for _, want := range []string{
		s.run + "/github-app-secret: write failed: injected: connection reset by peer",
		s.ctl + " HOLDS the new secret",
		s.run + " was NOT written (it keeps whatever it held before)",
		"The namespaces disagree until the rerun succeeds",
	} {
		if !strings.Contains(failed[0], want) {
			t.Errorf("message lacks %q:\n%s", want, failed[0])
		}
	}
	if na := r.NextActions(); len(na) != 1 || !strings.Contains(na[0], "gfenroll arc-app-secret --apply --overlay-root .") {
		t.Errorf("next actions: %v", na)
	}
	if ok := messages(r, RuleApplied); len(ok) != 1 || !strings.HasPrefix(ok[0], s.ctl+"/github-app-secret created") {
		t.Errorf("the namespace written before the failure is not reported: %v", ok)
	}
	if s.stored(t, s.ctl) == nil || s.stored(t, s.run) != nil {
		t.Fatal("server state does not match the report")
	}

	// The retry converges: the first namespace is unchanged, the second created.
	r = applyReport(t, s, s.client)
	applied := messages(r, RuleApplied)
	if len(applied) != 2 || !strings.Contains(applied[0], "unchanged") || !strings.Contains(applied[1], "created") {
		t.Fatalf("retry: %s", dump(r))
	}
}

func assertNoKeyMaterialOf(t *testing.T, text string, key []byte) {
	t.Helper()
	if scrubKey(text, key) != text {
		t.Fatal("output carries private key material")
	}
	if strings.Contains(text, "PRIVATE KEY") {
		t.Fatal("output carries a PEM private key header")
	}
}

// dump renders a report for failure messages (a Finding prints as its position only).
func dump(r *finding.Report) string {
	b, _ := render.Bytes(render.Text, r, render.Options{})
	return "\n" + string(b)
}

// grantClusterWide binds a ClusterRole with rules to user in every namespace.
func grantClusterWide(t *testing.T, env *kubetest.Env, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	name := "gfenroll-appsecret-" + kubetest.Suffix(6)
	cs := env.Clientset().RbacV1()
	if _, err := cs.ClusterRoles().Create(kctx(t), &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	if _, err := cs.ClusterRoleBindings().Create(kctx(t), crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	env.WaitAllowed(t, "", user, rules...)
}
