package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"
)

// appKey writes a fresh RSA App key (PKCS#1, as GitHub downloads it) with mode 0600 into
// a directory outside any overlay, and returns its path and bytes.
func appKey(t *testing.T) (string, []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	path := filepath.Join(t.TempDir(), "tinyland-arc.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// leaksKey reports whether text carries any part of the key: the PEM, its base64 or any
// body line.
func leaksKey(text string, key []byte) bool {
	if strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, base64.StdEncoding.EncodeToString(key)) {
		return true
	}
	for _, line := range strings.Split(string(key), "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(text, line) {
			return true
		}
	}
	return false
}

// TestArcAppSecretCommandOffline covers what needs no cluster: the dry run and the
// refusals, which contact nothing.
func TestArcAppSecretCommandOffline(t *testing.T) {
	root := copyOverlay(t)
	keyPath, key := appKey(t)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	// Points at a closed port: the dry run and the refusals must not try to reach it.
	os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: honey\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: x\ncurrent-context: honey\n"), 0o600)
	env := map[string]string{"GITHUB_APP_ID": "123456", "GITHUB_APP_INSTALLATION_ID": "87654321", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath}
	base := []string{"arc-app-secret", "--overlay-root", root, "--kubeconfig", kubeconfig}

	code, stdout, stderr := run(t, env, "", append(base, "--dry-run")...)
	if code != 0 || !strings.Contains(stdout, "dry run: would server-side apply Secret github-app-secret") ||
		!strings.Contains(stdout, "github_app_private_key      <redacted> RSA 2048-bit PKCS#1 key") || leaksKey(stdout+stderr, key) {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, env, "", append(base, "--dry-run", "--format", "json")...)
	if code != 0 || leaksKey(stdout, key) || !strings.Contains(stdout, `"rule": "arc-app-secret/plan"`) {
		t.Fatalf("json dry run: exit %d\n%s", code, stdout)
	}

	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		stderr string
	}{
		{"neither mode", env, base, "give exactly one of --dry-run or --apply"},
		{"both modes", env, append(base, "--dry-run", "--apply"), "give exactly one of --dry-run or --apply"},
		{"leading zero", map[string]string{"GITHUB_APP_ID": "0123456", "GITHUB_APP_INSTALLATION_ID": "87654321", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath},
			append(base, "--apply"), `GITHUB_APP_ID: error input/type: GITHUB_APP_ID "0123456" has a leading zero`},
		{"key path unset", map[string]string{"GITHUB_APP_ID": "1", "GITHUB_APP_INSTALLATION_ID": "2"},
			append(base, "--apply"), "GITHUB_APP_PRIVATE_KEY_PATH: error input/missing:"},
		{"unknown context", env, append(base, "--apply", "--context", "sting"), `kubeconfig: error input/context: kube context "sting" is not in --kubeconfig`},
		{"stray argument", env, append(base, "--apply", "extra"), `unexpected argument "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.env, "", tc.args...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.stderr) || leaksKey(stderr, key) {
				t.Errorf("exit %d\nstdout %q\nstderr %s", code, stdout, stderr)
			}
		})
	}

	// A loose key mode refuses with the fix, and says nothing was written.
	os.Chmod(keyPath, 0o644)
	code, _, stderr = run(t, env, "", append(base, "--apply")...)
	if code != 2 || !strings.Contains(stderr, "has mode 0644; a private key must be readable by you alone: chmod 600") ||
		!strings.Contains(stderr, "refused; nothing was written") {
		t.Errorf("loose mode: exit %d\n%s", code, stderr)
	}
}

// TestArcAppSecretCommandAgainstKubeAPIServer runs the command end to end against the real
// kube-apiserver: apply, rerun (nothing changes), and a refusal that writes nothing.
func TestArcAppSecretCommandAgainstKubeAPIServer(t *testing.T) {
	kenv := kubetest.Require(t)
	ctl := kenv.Namespace(t, "arc-systems")
	runNS := kenv.Namespace(t, "arc-runners")
	user := kenv.NewUser(t, "gfenroll-cli-"+kubetest.Suffix(6), "honey")
	rules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "create", "patch"}}}
	kenv.Grant(t, ctl, user.Name, rules...)
	kenv.Grant(t, runNS, user.Name, rules...)

	root := copyOverlay(t)
	tfvars := filepath.Join(root, "tofu/stacks/arc-runners/tinyland.tfvars")
	b, err := os.ReadFile(tfvars)
	if err != nil {
		t.Fatal(err)
	}
	// Point the stack's namespaces at this scenario's (keeping everything else as is).
	b = regexp.MustCompile(`(?m)^(controller_namespace\s*=\s*)"[^"]*"`).ReplaceAll(b, []byte(`${1}"`+ctl+`"`))
	b = regexp.MustCompile(`(?m)^(runner_namespace\s*=\s*)"[^"]*"`).ReplaceAll(b, []byte(`${1}"`+runNS+`"`))
	if !strings.Contains(string(b), ctl) || !strings.Contains(string(b), runNS) {
		t.Fatalf("fixture tfvars no longer sets both namespaces:\n%s", b)
	}
	if err := os.WriteFile(tfvars, b, 0o644); err != nil {
		t.Fatal(err)
	}
	keyPath, key := appKey(t)
	env := map[string]string{"GITHUB_APP_ID": "123456", "GITHUB_APP_INSTALLATION_ID": "87654321", "GITHUB_APP_PRIVATE_KEY_PATH": keyPath}
	args := []string{"arc-app-secret", "--apply", "--overlay-root", root, "--kubeconfig", user.Kubeconfig}

	code, stdout, stderr := run(t, env, "", args...)
	if code != 0 || strings.Count(stdout, "ok arc-app-secret/applied") != 2 || strings.Count(stdout, " created (resourceVersion ") != 2 || leaksKey(stdout+stderr, key) {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rv := map[string]string{}
	for _, ns := range []string{ctl, runNS} {
		sec, err := kenv.Clientset().CoreV1().Secrets(ns).Get(ctx, "github-app-secret", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if string(sec.Data["github_app_private_key"]) != string(key) || string(sec.Data["github_app_id"]) != "123456" ||
			string(sec.Data["github_app_installation_id"]) != "87654321" {
			t.Errorf("%s: stored data differs from the inputs", ns)
		}
		rv[ns] = sec.ResourceVersion
	}

	code, stdout, _ = run(t, env, "", args...)
	if code != 0 || strings.Count(stdout, " unchanged (resourceVersion ") != 2 {
		t.Fatalf("rerun: exit %d\n%s", code, stdout)
	}
	for _, ns := range []string{ctl, runNS} {
		sec, _ := kenv.Clientset().CoreV1().Secrets(ns).Get(ctx, "github-app-secret", metav1.GetOptions{})
		if sec.ResourceVersion != rv[ns] {
			t.Errorf("%s: rerun moved resourceVersion %s -> %s", ns, rv[ns], sec.ResourceVersion)
		}
	}

	// A refused run (secret names disagree) contacts nothing and writes nothing.
	os.WriteFile(tfvars, []byte(strings.Replace(string(b), `github_config_secret = "github-app-secret"`, `github_config_secret = "renamed"`, 1)), 0o644)
	code, stdout, stderr = run(t, env, "", args...)
	if code != 2 || stdout != "" || !strings.Contains(stderr, `github_config_secret "renamed" differs from owner.github_app_secret_name "github-app-secret"`) {
		t.Fatalf("refusal: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, ns := range []string{ctl, runNS} {
		if _, err := kenv.Clientset().CoreV1().Secrets(ns).Get(ctx, "renamed", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("%s: refused run wrote a secret: %v", ns, err)
		}
	}
}
