// Package kubetest gives Go integration tests a handle on the real kube-apiserver that
// e2e/kube/testenv.sh starts: admin and restricted clients, per-scenario namespaces,
// secrets, AutoscalingRunnerSets, RBAC grants, fresh client-certificate identities, and
// the parsed audit log.
//
// Tests call Require first; it skips when no test environment is running, except under
// CI (then it fails, so a missing server never passes silently). Objects are created
// with the admin identity in unique namespaces and never deleted: the test environment
// runs no controller-manager, so a deleted namespace would stay Terminating forever.
package kubetest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// EnvVar names the state directory of a running test environment (written by
// `testenv.sh start` into its env file).
const EnvVar = "GFENROLL_KUBE_TESTENV"

// ScaleSetGVR is the AutoscalingRunnerSet resource of ARC gha-runner-scale-set.
var ScaleSetGVR = schema.GroupVersionResource{Group: "actions.github.com", Version: "v1alpha1", Resource: "autoscalingrunnersets"}

// Env is a running test environment.
type Env struct {
	Dir        string // state dir ($GFENROLL_KUBE_TESTENV)
	URL        string // https://127.0.0.1:PORT
	Version    string // the apiserver's gitVersion, e.g. v1.36.3
	CAFile     string
	caKeyFile  string
	AuditLog   string
	Restricted User // the static-token identity, kubeconfig context "honey"
	// AdminKubeconfig authenticates as system:masters; tests use it to arrange scenarios.
	AdminKubeconfig string

	admin   *rest.Config
	typed   kubernetes.Interface
	dynamic dynamic.Interface
}

// User is an identity with its own kubeconfig file.
type User struct {
	Name       string
	Kubeconfig string
	Context    string
}

// Config loads the user's rest.Config through the normal kubeconfig path.
func (u User) Config(t testing.TB) *rest.Config {
	t.Helper()
	cfg, err := loadKubeconfig(u.Kubeconfig, u.Context)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	return cfg
}

// Require returns the running test environment, or skips the test when there is none
// (fails instead when $CI is set).
func Require(t testing.TB) *Env {
	t.Helper()
	dir := os.Getenv(EnvVar)
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("kubetest: $%s is not set but $CI is: start the test environment with e2e/kube/testenv.sh start and source its env file", EnvVar)
		}
		t.Skipf("no kube test environment ($%s unset); run e2e/kube/stage.sh or testenv.sh start", EnvVar)
	}
	env, err := load(dir)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	return env
}

func load(dir string) (*Env, error) {
	vars, err := readEnvFile(filepath.Join(dir, "env"))
	if err != nil {
		return nil, err
	}
	get := func(k string) (string, error) {
		v := vars[k]
		if v == "" {
			return "", fmt.Errorf("%s/env does not set %s", dir, k)
		}
		return v, nil
	}
	e := &Env{Dir: dir}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"GFENROLL_KUBE_URL", &e.URL},
		{"GFENROLL_KUBE_VERSION", &e.Version},
		{"GFENROLL_KUBE_CA", &e.CAFile},
		{"GFENROLL_KUBE_CA_KEY", &e.caKeyFile},
		{"GFENROLL_KUBE_AUDIT_LOG", &e.AuditLog},
		{"GFENROLL_KUBE_ADMIN_KUBECONFIG", &e.AdminKubeconfig},
		{"GFENROLL_KUBE_RESTRICTED_KUBECONFIG", &e.Restricted.Kubeconfig},
		{"GFENROLL_KUBE_RESTRICTED_CONTEXT", &e.Restricted.Context},
		{"GFENROLL_KUBE_RESTRICTED_USER", &e.Restricted.Name},
	} {
		if *f.dst, err = get(f.key); err != nil {
			return nil, err
		}
	}
	if e.admin, err = loadKubeconfig(e.AdminKubeconfig, ""); err != nil {
		return nil, err
	}
	e.admin.UserAgent = "gfenroll-kubetest-admin"
	if e.typed, err = kubernetes.NewForConfig(e.admin); err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	if e.dynamic, err = dynamic.NewForConfig(e.admin); err != nil {
		return nil, fmt.Errorf("admin dynamic client: %w", err)
	}
	return e, nil
}

// readEnvFile parses the `export K='V'` lines testenv.sh writes.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("test environment env file: %w", err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export ")
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		vars[k] = strings.Trim(v, "'")
	}
	return vars, sc.Err()
}

func loadKubeconfig(path, context string) (*rest.Config, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: path},
		&clientcmd.ConfigOverrides{CurrentContext: context},
	).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig %s: %w", path, err)
	}
	return cfg, nil
}

// Admin returns a copy of the admin rest.Config (system:masters).
func (e *Env) Admin() *rest.Config { return rest.CopyConfig(e.admin) }

// Clientset returns the admin typed clientset.
func (e *Env) Clientset() kubernetes.Interface { return e.typed }

// Dynamic returns the admin dynamic client.
func (e *Env) Dynamic() dynamic.Interface { return e.dynamic }

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Suffix returns n random lowercase hex characters, for unique names.
func Suffix(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)[:n]
}

// Namespace creates a namespace named prefix-<random> and returns its name.
func (e *Env) Namespace(t testing.TB, prefix string) string {
	t.Helper()
	name := strings.Trim(prefix, "-") + "-" + Suffix(8)
	if len(name) > 63 {
		t.Fatalf("kubetest: namespace name %q longer than 63 characters", name)
	}
	e.CreateNamespace(t, name)
	return name
}

// CreateNamespace creates a namespace with an exact name.
func (e *Env) CreateNamespace(t testing.TB, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := e.typed.CoreV1().Namespaces().Create(ctx(t), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("kubetest: create namespace %s: %v", name, err)
	}
}

// CreateSecret creates an Opaque secret.
func (e *Env) CreateSecret(t testing.TB, namespace, name string, data map[string]string) {
	t.Helper()
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type:       corev1.SecretTypeOpaque,
		StringData: data,
	}
	if _, err := e.typed.CoreV1().Secrets(namespace).Create(ctx(t), s, metav1.CreateOptions{}); err != nil {
		t.Fatalf("kubetest: create secret %s/%s: %v", namespace, name, err)
	}
}

// AppSecretData is a syntactically valid ARC GitHub App secret (fake values).
func AppSecretData() map[string]string {
	return map[string]string{
		"github_app_id":              "123456",
		"github_app_installation_id": "654321",
		"github_app_private_key":     "-----BEGIN RSA PRIVATE KEY-----\nkubetest-not-a-key\n-----END RSA PRIVATE KEY-----\n",
	}
}

// ScaleSet describes an AutoscalingRunnerSet to create. Zero values are omitted.
type ScaleSet struct {
	Namespace string
	// Name is metadata.name; defaults to ScaleSetName.
	Name         string
	ScaleSetName string // spec.runnerScaleSetName
	ConfigURL    string // spec.githubConfigUrl
	ConfigSecret string // spec.githubConfigSecret
	RunnerGroup  string // spec.runnerGroup
	Labels       []string
	MinRunners   *int64
	MaxRunners   *int64
	// ScaleSetID sets the runner-scale-set-id annotation the controller writes on
	// registration (0: absent). IDAnnotation overrides it verbatim (e.g. "abc").
	ScaleSetID   int64
	IDAnnotation string
	// Phase is written through the status subresource ("" : no status).
	Phase string
}

// Object renders the scale set as an unstructured AutoscalingRunnerSet.
func (s ScaleSet) Object() *unstructured.Unstructured {
	name := s.Name
	if name == "" {
		name = s.ScaleSetName
	}
	spec := map[string]any{
		"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "runner", "image": "ghcr.io/actions/actions-runner:latest", "command": []any{"/home/runner/run.sh"}},
		}}},
	}
	set := func(k, v string) {
		if v != "" {
			spec[k] = v
		}
	}
	set("runnerScaleSetName", s.ScaleSetName)
	set("githubConfigUrl", s.ConfigURL)
	set("githubConfigSecret", s.ConfigSecret)
	set("runnerGroup", s.RunnerGroup)
	if s.Labels != nil {
		ls := make([]any, len(s.Labels))
		for i, l := range s.Labels {
			ls[i] = l
		}
		spec["runnerScaleSetLabels"] = ls
	}
	if s.MinRunners != nil {
		spec["minRunners"] = *s.MinRunners
	}
	if s.MaxRunners != nil {
		spec["maxRunners"] = *s.MaxRunners
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "actions.github.com/v1alpha1",
		"kind":       "AutoscalingRunnerSet",
		"metadata":   map[string]any{"name": name, "namespace": s.Namespace},
		"spec":       spec,
	}}
	ann := map[string]string{}
	switch {
	case s.IDAnnotation != "":
		ann["runner-scale-set-id"] = s.IDAnnotation
	case s.ScaleSetID != 0:
		ann["runner-scale-set-id"] = fmt.Sprint(s.ScaleSetID)
	}
	if len(ann) > 0 {
		u.SetAnnotations(ann)
	}
	return u
}

// CreateScaleSet creates the AutoscalingRunnerSet with strict field validation (an
// unknown or pruned field fails the test instead of vanishing), then writes its status
// when Phase is set. It returns the object as stored.
func (e *Env) CreateScaleSet(t testing.TB, s ScaleSet) *unstructured.Unstructured {
	t.Helper()
	c := e.dynamic.Resource(ScaleSetGVR).Namespace(s.Namespace)
	got, err := c.Create(ctx(t), s.Object(), metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict})
	if err != nil {
		t.Fatalf("kubetest: create AutoscalingRunnerSet %s/%s: %v", s.Namespace, s.ScaleSetName, err)
	}
	if s.Phase == "" {
		return got
	}
	got.Object["status"] = map[string]any{"phase": s.Phase, "currentRunners": int64(0)}
	got, err = c.UpdateStatus(ctx(t), got, metav1.UpdateOptions{FieldValidation: metav1.FieldValidationStrict})
	if err != nil {
		t.Fatalf("kubetest: update status of AutoscalingRunnerSet %s/%s: %v", s.Namespace, s.ScaleSetName, err)
	}
	return got
}

// Grant creates a Role with the given rules and binds it to user in namespace, and
// returns once the grant is in effect (see WaitAllowed).
func (e *Env) Grant(t testing.TB, namespace, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	name := "kubetest-" + Suffix(6)
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, Rules: rules}
	if _, err := e.typed.RbacV1().Roles(namespace).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
		t.Fatalf("kubetest: create role %s/%s: %v", namespace, name, err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	if _, err := e.typed.RbacV1().RoleBindings(namespace).Create(ctx(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatalf("kubetest: create rolebinding %s/%s: %v", namespace, name, err)
	}
	e.WaitAllowed(t, namespace, user, rules...)
}

// PreflightRules is the read access the live preflight documents as its minimum: get on
// secrets (it fetches them as metadata only) and get/list on AutoscalingRunnerSets.
func PreflightRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}},
		{APIGroups: []string{"actions.github.com"}, Resources: []string{"autoscalingrunnersets"}, Verbs: []string{"get", "list"}},
	}
}

// newRESTClient returns a raw REST client for non-resource paths such as /version.
func newRESTClient(cfg *rest.Config) (rest.Interface, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return cs.Discovery().RESTClient(), nil
}
