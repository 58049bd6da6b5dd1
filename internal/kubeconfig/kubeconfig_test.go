package kubeconfig_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/internal/kubeconfig"
)

// config is a kubeconfig with one cluster per context, at server https://<context>.example:6443.
func config(current string, contexts ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\nclusters:\n")
	for _, c := range contexts {
		b.WriteString("- name: " + c + "\n  cluster:\n    server: https://" + c + ".example:6443\n")
	}
	b.WriteString("users:\n- name: u\n  user:\n    token: not-a-secret\ncontexts:\n")
	for _, c := range contexts {
		b.WriteString("- name: " + c + "\n  context:\n    cluster: " + c + "\n    user: u\n")
	}
	if current != "" {
		b.WriteString("current-context: " + current + "\n")
	}
	return b.String()
}

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	write(t, filepath.Join(home, ".kube", "config"), config("home-ctx", "home-ctx"))
	a := write(t, filepath.Join(dir, "a"), config("a1", "a1", "a2"))
	b := write(t, filepath.Join(dir, "b"), config("b1", "b1"))
	for _, tc := range []struct {
		name       string
		src        kubeconfig.Source
		context    string
		wantCtx    string
		wantServer string
	}{
		{"explicit path, current context", kubeconfig.Source{Path: a, Env: b, Home: home}, "", "a1", "https://a1.example:6443"},
		{"explicit path, named context", kubeconfig.Source{Path: a, Home: home}, "a2", "a2", "https://a2.example:6443"},
		{"$KUBECONFIG list, first file's current context", kubeconfig.Source{Env: b + string(os.PathListSeparator) + a, Home: home}, "", "b1", "https://b1.example:6443"},
		{"$KUBECONFIG list, context from the second file", kubeconfig.Source{Env: b + string(os.PathListSeparator) + a, Home: home}, "a2", "a2", "https://a2.example:6443"},
		{"~/.kube/config", kubeconfig.Source{Home: home}, "", "home-ctx", "https://home-ctx.example:6443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, ctx, err := kubeconfig.Load(tc.src, tc.context)
			if err != nil {
				t.Fatal(err)
			}
			if ctx != tc.wantCtx || cfg.Host != tc.wantServer || cfg.BearerToken != "not-a-secret" {
				t.Errorf("context %q host %q, want %q %q", ctx, cfg.Host, tc.wantCtx, tc.wantServer)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	emptyHome := filepath.Join(dir, "empty-home")
	brokenHome := filepath.Join(dir, "broken-home")
	write(t, filepath.Join(home, ".kube", "config"), config("x", "x", "sting"))
	write(t, filepath.Join(brokenHome, ".kube", "config"), "apiVersion: v1\nkind: Config\nclusters: [oops\n")
	t.Chdir(dir)
	write(t, filepath.Join(dir, "rel.yaml"), config("", "only"))
	for _, tc := range []struct {
		name    string
		src     kubeconfig.Source
		context string
		want    string
	}{
		{"undefined context lists the defined ones", kubeconfig.Source{Home: home}, "honey",
			`context "honey" is not in ~/.kube/config (it defines sting, x)`},
		{"explicit relative path is named as given", kubeconfig.Source{Path: "rel.yaml", Home: home}, "honey",
			`context "honey" is not in --kubeconfig rel.yaml (it defines only)`},
		{"no current context and none asked for", kubeconfig.Source{Path: "rel.yaml", Home: home}, "",
			`cannot use --kubeconfig rel.yaml: invalid configuration`},
		{"missing explicit file", kubeconfig.Source{Path: "absent.yaml", Home: home}, "x",
			`cannot load --kubeconfig absent.yaml: stat absent.yaml: no such file or directory`},
		{"no kubeconfig at all", kubeconfig.Source{Home: emptyHome}, "",
			`cannot use ~/.kube/config: invalid configuration`},
		{"broken default file", kubeconfig.Source{Home: brokenHome}, "x",
			`cannot load ~/.kube/config: error loading config file "~/.kube/config"`},
		{"$KUBECONFIG named as such", kubeconfig.Source{Env: filepath.Join(dir, "rel.yaml"), Home: home}, "honey",
			`context "honey" is not in $KUBECONFIG (it defines only)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := kubeconfig.Load(tc.src, tc.context)
			var ke *kubeconfig.Error
			if !errors.As(err, &ke) {
				t.Fatalf("error %v is not a *kubeconfig.Error", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want prefix %q", err, tc.want)
			}
			for _, abs := range []string{home, emptyHome, brokenHome} {
				if strings.Contains(err.Error(), abs) {
					t.Errorf("error %q prints the absolute home path %s", err, abs)
				}
			}
		})
	}
}
