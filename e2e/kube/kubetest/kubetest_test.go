package kubetest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
)

func ptr(v int64) *int64 { return &v }

// The hand-written CRD must keep every field the preflight reads: a server loaded with
// ARC v0.27.6's CRD would prune runnerScaleSetLabels and status.phase silently.
func TestScaleSetRoundTripsUnpruned(t *testing.T) {
	env := kubetest.Require(t)
	if env.Version != "v1.36.3" {
		t.Errorf("apiserver reports %q, want v1.36.3 (version ldflags)", env.Version)
	}
	ns := env.Namespace(t, "crd")
	got := env.CreateScaleSet(t, kubetest.ScaleSet{
		Namespace: ns, ScaleSetName: "tinyland-nix-heavy-compute-expansion",
		ConfigURL: "https://github.com/Jesssullivan", ConfigSecret: "github-app-secret-jesssullivan",
		Labels:     []string{"tinyland-nix-heavy", "self-hosted"},
		MinRunners: ptr(0), MaxRunners: ptr(1),
		ScaleSetID: 42, Phase: "Running",
	})
	// Read it back fresh, not the create response.
	obj, err := env.Dynamic().Resource(kubetest.ScaleSetGVR).Namespace(ns).Get(context.Background(), got.GetName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	labels, _, _ := unstructured.NestedStringSlice(obj.Object, "spec", "runnerScaleSetLabels")
	if strings.Join(labels, ",") != "tinyland-nix-heavy,self-hosted" {
		t.Errorf("runnerScaleSetLabels = %v after round trip", labels)
	}
	for path, want := range map[string]string{
		"spec.runnerScaleSetName": "tinyland-nix-heavy-compute-expansion",
		"spec.githubConfigUrl":    "https://github.com/Jesssullivan",
		"spec.githubConfigSecret": "github-app-secret-jesssullivan",
		"status.phase":            "Running",
	} {
		if v, _, _ := unstructured.NestedString(obj.Object, strings.Split(path, ".")...); v != want {
			t.Errorf("%s = %q, want %q", path, v, want)
		}
	}
	if n, _, _ := unstructured.NestedInt64(obj.Object, "spec", "maxRunners"); n != 1 {
		t.Errorf("spec.maxRunners = %d, want 1", n)
	}
	if _, ok, _ := unstructured.NestedMap(obj.Object, "spec", "template", "spec"); !ok {
		t.Error("spec.template was pruned")
	}
	if obj.GetAnnotations()["runner-scale-set-id"] != "42" {
		t.Errorf("annotations = %v", obj.GetAnnotations())
	}
}

func TestScaleSetSchemaRejects(t *testing.T) {
	env := kubetest.Require(t)
	ns := env.Namespace(t, "crd-reject")
	c := env.Dynamic().Resource(kubetest.ScaleSetGVR).Namespace(ns)
	strict := metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}
	for _, tc := range []struct {
		name   string
		mutate func(u *unstructured.Unstructured)
		want   string
	}{
		{"negative minRunners", func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, int64(-1), "spec", "minRunners")
		}, "spec.minRunners"},
		{"unknown spec field", func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "x", "spec", "scaleSetLabels")
		}, `unknown field "spec.scaleSetLabels"`},
		{"labels not strings", func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, []any{int64(1)}, "spec", "runnerScaleSetLabels")
		}, "spec.runnerScaleSetLabels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := kubetest.ScaleSet{Namespace: ns, ScaleSetName: "reject-" + kubetest.Suffix(5)}.Object()
			tc.mutate(u)
			_, err := c.Create(context.Background(), u, strict)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("create: err = %v, want one naming %q", err, tc.want)
			}
		})
	}
	t.Run("phase outside enum", func(t *testing.T) {
		u := env.CreateScaleSet(t, kubetest.ScaleSet{Namespace: ns, ScaleSetName: "phase-" + kubetest.Suffix(5)})
		u.Object["status"] = map[string]any{"phase": "Exploded"}
		_, err := c.UpdateStatus(context.Background(), u, metav1.UpdateOptions{})
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "status.phase") {
			t.Fatalf("update status: err = %v, want Invalid on status.phase", err)
		}
	})
}

func TestPrinterColumnsMatch014(t *testing.T) {
	env := kubetest.Require(t)
	crd, err := env.Dynamic().Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).
		Get(context.Background(), "autoscalingrunnersets.actions.github.com", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	if len(versions) != 1 {
		t.Fatalf("versions = %d", len(versions))
	}
	cols, _, _ := unstructured.NestedSlice(versions[0].(map[string]any), "additionalPrinterColumns")
	var got []string
	for _, c := range cols {
		m := c.(map[string]any)
		got = append(got, m["name"].(string)+"="+m["jsonPath"].(string))
	}
	want := []string{
		"Minimum Runners=.spec.minRunners", "Maximum Runners=.spec.maxRunners", "Current Runners=.status.currentRunners",
		"State=.status.state", "Pending Runners=.status.pendingEphemeralRunners", "Running Runners=.status.runningEphemeralRunners",
		"Finished Runners=.status.finishedEphemeralRunners", "Deleting Runners=.status.deletingEphemeralRunners",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("printer columns:\n got %v\nwant %v", got, want)
	}
}

// The helpers other packages rely on: a fresh identity sees only what it was granted,
// and the audit log shows what each request was served.
func TestUserGrantAndAudit(t *testing.T) {
	env := kubetest.Require(t)
	granted, denied := env.Namespace(t, "grant"), env.Namespace(t, "deny")
	for _, ns := range []string{granted, denied} {
		env.CreateSecret(t, ns, "github-app-secret", kubetest.AppSecretData())
	}
	user := env.NewUser(t, "kubetest-"+kubetest.Suffix(6), "honey")
	env.Grant(t, granted, user.Name, kubetest.PreflightRules()...)

	cfg := user.Config(t)
	cfg.UserAgent = "kubetest-self-test"
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	secrets := schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	if _, err := mc.Resource(secrets).Namespace(granted).Get(ctx, "github-app-secret", metav1.GetOptions{}); err != nil {
		t.Fatalf("granted namespace: %v", err)
	}
	if _, err := mc.Resource(secrets).Namespace(denied).Get(ctx, "github-app-secret", metav1.GetOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("denied namespace: err = %v, want Forbidden", err)
	}
	// A full read (what the preflight must never do) is visible as such in the log.
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dc.Resource(secrets).Namespace(granted).Get(ctx, "github-app-secret", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}

	events := env.AuditEvents(t, func(e kubetest.AuditEvent) bool { return e.User.Username == user.Name })
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%s %s %d %s data=%t", e.Namespace(), e.Verb, e.Code(), e.ResponseKind(), e.ResponseCarriesData()))
	}
	want := []string{
		granted + " get 200 PartialObjectMetadata data=false",
		denied + " get 403 Status data=false",
		granted + " get 200 Secret data=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit events of %s:\n%s\nwant:\n%s", user.Name, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
