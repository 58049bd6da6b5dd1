package kube_test

// The preflight never prints a credential it holds, even when the API server quotes it: a
// loopback TLS server answers every call with a Forbidden Status whose message echoes the
// request's Authorization header, and the probe runs through a kubeconfig with each kind of
// credential client-go supports. The raw finding carries the echo (so the test exercises
// the path); no rendered format may.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/checks/render"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// envExecToken makes the test binary an exec credential plugin printing this token.
const envExecToken = "GFENROLL_TEST_EXEC_PLUGIN_TOKEN"

func TestMain(m *testing.M) {
	if tok := os.Getenv(envExecToken); tok != "" {
		json.NewEncoder(os.Stdout).Encode(map[string]any{
			"apiVersion": "client.authentication.k8s.io/v1",
			"kind":       "ExecCredential",
			"status":     map[string]string{"token": tok},
		})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestProbeNeverPrintsCredentials(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if _, pass, ok := r.BasicAuth(); ok {
			auth += " password " + pass
		}
		// A secret GET is denied naming the credential as the user (it ends up in the
		// suggested rolebinding); the scale-set LIST fails with it in the message.
		code, reason, msg := http.StatusForbidden, "Forbidden",
			fmt.Sprintf("secrets is forbidden: User %q cannot get resource \"secrets\"", auth)
		if strings.Contains(r.URL.Path, "autoscalingrunnersets") {
			code, reason, msg = http.StatusBadRequest, "BadRequest", "credential "+auth+" rejected"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{
			"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
			"status": "Failure", "reason": reason, "code": code, "message": msg,
		})
	}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	dir := t.TempDir()
	const (
		staticToken = "static-bearer-token-7f3a9c2e1b"
		fileToken   = "file-bearer-token-0d4e8b6a2c"
		execToken   = "exec-plugin-token-5c1f9e3d7a"
		password    = "basic-auth-password-8b2d"
	)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(fileToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		auth    clientcmdapi.AuthInfo
		secrets []string // must appear in no rendered output
	}{
		{"bearer token", clientcmdapi.AuthInfo{Token: staticToken}, []string{staticToken}},
		{"token file", clientcmdapi.AuthInfo{TokenFile: tokenFile}, []string{fileToken}},
		{"exec plugin", clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
			APIVersion: "client.authentication.k8s.io/v1", Command: os.Args[0],
			Env:             []clientcmdapi.ExecEnvVar{{Name: envExecToken, Value: execToken}},
			InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
		}}, []string{execToken}},
		{"basic auth", clientcmdapi.AuthInfo{Username: "operator", Password: password},
			[]string{password, base64.StdEncoding.EncodeToString([]byte("operator:" + password))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clientcmdapi.NewConfig()
			cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: srv.URL, CertificateAuthorityData: caPEM}
			auth := tc.auth
			cfg.AuthInfos["u"] = &auth
			cfg.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
			path := filepath.Join(t.TempDir(), "kubeconfig")
			if err := clientcmd.WriteToFile(*cfg, path); err != nil {
				t.Fatal(err)
			}
			exp := kube.Expectations{Secrets: []kube.SecretExpectation{{
				Name:      overlay.String{Value: "github-app-secret"},
				Namespace: overlay.String{Value: "arc-systems"},
				Purpose:   "owner GitHub App secret",
			}}, ScaleSets: []kube.ScaleSetExpectation{{
				Source: "nix lane", Namespace: overlay.String{Value: "arc-runners"}, ControllerNamespace: "arc-systems",
				Name: overlay.String{Value: "tinyland-nix"}, Label: overlay.String{Value: "tinyland-nix"},
			}}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep := kube.Probe(ctx, kube.Config{Kubeconfig: path, Context: "c", Timeout: 10 * time.Second}, exp)

			var echoed []string
			for _, f := range rep.Findings {
				if strings.Contains(f.Message, tc.secrets[0]) {
					echoed = append(echoed, "message")
				}
				if strings.Contains(f.NextAction, tc.secrets[0]) {
					echoed = append(echoed, "next action")
				}
			}
			if len(echoed) < 2 {
				raw, _ := json.MarshalIndent(rep.Findings, "", "  ")
				t.Fatalf("the server's echo reached only %v of the findings (want a message and a next action), so this test proves little:\n%s", echoed, raw)
			}
			rep.Finalize()
			var all strings.Builder
			for _, f := range render.Formats() {
				b, err := render.Bytes(f, rep, render.Options{})
				if err != nil {
					t.Fatal(err)
				}
				all.Write(b)
			}
			var md strings.Builder
			if err := render.WriteMarkdown(&md, rep, render.Options{}); err != nil {
				t.Fatal(err)
			}
			all.WriteString(md.String())
			for _, f := range rep.Findings {
				all.WriteString(finding.PrintableLine(f.Message))
			}
			out := all.String()
			for _, s := range tc.secrets {
				if strings.Contains(out, s) {
					t.Errorf("output holds the credential %q", s)
				}
			}
			if !strings.Contains(out, "[REDACTED]") {
				t.Errorf("no redaction marker in the output:\n%s", out)
			}
		})
	}
}
