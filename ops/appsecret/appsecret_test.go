package appsecret

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/render"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// rsaKey is one 2048-bit key per test binary (generation is the slow part).
func rsaKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func pkcs1PEM(t testing.TB) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey(t))})
}

func pkcs8PEM(t testing.TB) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func fingerprint(t testing.TB) string {
	der, err := x509.MarshalPKIXPublicKey(&rsaKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.StdEncoding.EncodeToString(sum[:])
}

const testOrg = `# Tinyland overlay facts.
owner:
  slug: tinyland-inc
  account_kind: organization
  repository: tinyland-inc/tinyland-infra
  github_config_url: https://github.com/tinyland-inc
  github_app_secret_name: github-app-secret

core:
  repository: tinyland-inc/GloriousFlywheel
  module_name: gloriousflywheel
  pinned_commit: 637b7167c400a842cdc7af0709b2251c0542a48a

substrate:
  cluster:
    name: honey
    context: honey
`

const testTfvars = `# ARC runner stack, Tinyland owner.
github_config_url    = "https://github.com/tinyland-inc"
github_config_secret = "github-app-secret"
cluster_context      = "honey"

nix_runner_name           = "tinyland-nix"
nix_runner_scale_set_name = "tinyland-nix"
`

const tfvarsRel = "tofu/stacks/arc-runners/tinyland.tfvars"

// fixture is a temp overlay repository (with .git), a key directory outside it, and the
// environment the command would see.
type fixture struct {
	root    string // overlay root == repository root
	keyDir  string
	keyPath string
	env     map[string]string
}

func newFixture(t *testing.T, files map[string]string) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{root: filepath.Join(base, "tinyland-infra"), keyDir: filepath.Join(base, "keys")}
	all := map[string]string{overlay.OrgFile: testOrg, tfvarsRel: testTfvars, ".git/HEAD": "ref: refs/heads/main\n"}
	for k, v := range files {
		all[k] = v
	}
	for rel, content := range all {
		if content == "" {
			continue
		}
		p := filepath.Join(f.root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(f.keyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	f.keyPath = filepath.Join(f.keyDir, "app.pem")
	writeKey(t, f.keyPath, pkcs1PEM(t), 0o600)
	f.env = map[string]string{EnvAppID: "123456", EnvInstallationID: "87654321", EnvPrivateKeyPath: f.keyPath}
	f.writeKubeconfig(t, "honey")
	return f
}

func writeKey(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) writeKubeconfig(t *testing.T, contexts ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\nclusters:\n- name: honey\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n")
	for _, c := range contexts {
		b.WriteString("- name: " + c + "\n  context:\n    cluster: honey\n    user: operator\n")
	}
	b.WriteString("users:\n- name: operator\n  user:\n    token: not-a-real-token\n")
	if len(contexts) > 0 {
		b.WriteString("current-context: " + contexts[0] + "\n")
	}
	if err := os.WriteFile(filepath.Join(f.keyDir, "kubeconfig"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) request() Request {
	return Request{OverlayRoot: f.root, Kubeconfig: filepath.Join(f.keyDir, "kubeconfig"),
		Getenv: func(k string) string { return f.env[k] }, UID: os.Getuid(), RetryCommand: "gfenroll arc-app-secret --apply --overlay-root ."}
}

func TestPrepareReadsTargetAndCredentials(t *testing.T) {
	f := newFixture(t, nil)
	plan, cfg, err := Prepare(f.request())
	if err != nil {
		t.Fatal(err)
	}
	tg := plan.Target
	if tg.SecretName != "github-app-secret" || tg.Context != "honey" || len(tg.Namespaces) != 2 ||
		tg.Namespaces[0].Name != "arc-systems" || tg.Namespaces[1].Name != "arc-runners" {
		t.Errorf("target = %+v", tg)
	}
	if !strings.Contains(tg.SecretFrom, "config/organization.yaml:7:27") || !strings.Contains(tg.ContextFrom, "config/organization.yaml:17:14") {
		t.Errorf("origins: %q %q", tg.SecretFrom, tg.ContextFrom)
	}
	c := plan.Creds
	if c.AppID != "123456" || c.InstallationID != "87654321" || c.KeyFormat != "PKCS#1" || c.KeyBits != 2048 || c.Fingerprint != fingerprint(t) {
		t.Errorf("creds = %+v", c)
	}
	if string(c.Key) != string(pkcs1PEM(t)) {
		t.Error("key bytes are not the file's bytes")
	}
	if cfg.Host != "https://127.0.0.1:1" {
		t.Errorf("rest config host = %q", cfg.Host)
	}

	s := plan.Secret("arc-runners")
	if *s.Name != "github-app-secret" || *s.Namespace != "arc-runners" || string(*s.Type) != "Opaque" ||
		string(s.Data[KeyAppID]) != "123456" || string(s.Data[KeyInstallationID]) != "87654321" || string(s.Data[KeyPrivateKey]) != string(pkcs1PEM(t)) ||
		len(s.Data) != 3 || s.Annotations[AnnotationFingerprint] != fingerprint(t) {
		t.Errorf("secret apply configuration is wrong: %v %v", s.Labels, s.Annotations)
	}
}

func TestNamespacesFromTfvars(t *testing.T) {
	f := newFixture(t, map[string]string{tfvarsRel: testTfvars + "controller_namespace = \"arc-ctl\"\nrunner_namespace     = \"arc-jobs\"\n" +
		"extra_runner_sets = {\n  heavy = {\n    github_config_url    = \"https://github.com/tinyland-inc\"\n    github_config_secret = \"heavy-app-secret\"\n    runner_label         = \"tinyland-nix-heavy\"\n  }\n}\n"})
	plan, _, err := Prepare(f.request())
	if err != nil {
		t.Fatal(err)
	}
	ns := plan.Target.Namespaces
	if len(ns) != 2 || ns[0].Name != "arc-ctl" || ns[1].Name != "arc-jobs" || !strings.Contains(ns[0].From, tfvarsRel+":8:") {
		t.Errorf("namespaces = %+v", ns)
	}
	if len(plan.Target.OtherSecrets) != 1 || !strings.HasPrefix(plan.Target.OtherSecrets[0], "heavy-app-secret (extra_runner_sets.heavy") {
		t.Errorf("other secrets = %v", plan.Target.OtherSecrets)
	}

	same := newFixture(t, map[string]string{tfvarsRel: testTfvars + "controller_namespace = \"arc\"\nrunner_namespace = \"arc\"\n"})
	plan, _, err = Prepare(same.request())
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Target.Namespaces) != 1 || plan.Target.Namespaces[0].Name != "arc" {
		t.Errorf("one namespace for both: %+v", plan.Target.Namespaces)
	}
}

func TestContextOverride(t *testing.T) {
	f := newFixture(t, nil)
	f.writeKubeconfig(t, "admin@honey")
	req := f.request()
	if _, _, err := Prepare(req); err == nil || !strings.Contains(err.Error(), `kube context "honey" is not in --kubeconfig`) || !strings.Contains(err.Error(), "it defines admin@honey") {
		t.Fatalf("err = %v", err)
	}
	req.Context = "admin@honey"
	plan, _, err := Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Target.ContextOverride != "honey" {
		t.Errorf("override = %q", plan.Target.ContextOverride)
	}
	r := plan.DryRun()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if !hasRule(r, RuleContextOverride) {
		t.Error("no context-override note")
	}
}

// refusalCase mutates a fixture; want lists fragments of the refusal text.
type refusalCase struct {
	name  string
	setup func(t *testing.T, f *fixture)
	files map[string]string
	want  []string
}

func TestRefusals(t *testing.T) {
	nonRoot := os.Getuid() != 0
	cases := []refusalCase{
		{name: "app id unset", setup: func(t *testing.T, f *fixture) { delete(f.env, EnvAppID) },
			want: []string{"GITHUB_APP_ID: GITHUB_APP_ID is not set; export it as the numeric App ID"}},
		{name: "app id zero", setup: func(t *testing.T, f *fixture) { f.env[EnvAppID] = "0" }, want: []string{"GITHUB_APP_ID is 0; it must be positive"}},
		{name: "app id leading zero", setup: func(t *testing.T, f *fixture) { f.env[EnvAppID] = "0123456" }, want: []string{`"0123456" has a leading zero`}},
		{name: "app id negative", setup: func(t *testing.T, f *fixture) { f.env[EnvAppID] = "-5" }, want: []string{`"-5" is not a positive decimal number`}},
		{name: "app id plus", setup: func(t *testing.T, f *fixture) { f.env[EnvAppID] = "+5" }, want: []string{`"+5" is not a positive decimal number`}},
		{name: "app id client id", setup: func(t *testing.T, f *fixture) { f.env[EnvAppID] = "Iv1.8a61f9b3a7aba766" }, want: []string{"is not a positive decimal number"}},
		{name: "app id blank", setup: func(t *testing.T, f *fixture) { f.env[EnvAppID] = "123456 " }, want: []string{`"123456 " has leading or trailing blanks`}},
		{name: "installation id overflow", setup: func(t *testing.T, f *fixture) { f.env[EnvInstallationID] = "9223372036854775808" },
			want: []string{"GITHUB_APP_INSTALLATION_ID", "does not fit a 64-bit integer"}},
		{name: "installation id hex", setup: func(t *testing.T, f *fixture) { f.env[EnvInstallationID] = "0x1f" }, want: []string{`"0x1f" is not a positive decimal`}},
		{name: "key path unset", setup: func(t *testing.T, f *fixture) { delete(f.env, EnvPrivateKeyPath) }, want: []string{"GITHUB_APP_PRIVATE_KEY_PATH is not set"}},
		{name: "key missing", setup: func(t *testing.T, f *fixture) { f.env[EnvPrivateKeyPath] = filepath.Join(f.keyDir, "nope.pem") },
			want: []string{"nope.pem: no such file or directory"}},
		{name: "key is a directory", setup: func(t *testing.T, f *fixture) { f.env[EnvPrivateKeyPath] = f.keyDir }, want: []string{"is a directory, not a regular file"}},
		{name: "key is a fifo", setup: func(t *testing.T, f *fixture) {
			p := filepath.Join(f.keyDir, "fifo.pem")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skip("mkfifo:", err)
			}
			f.env[EnvPrivateKeyPath] = p
		}, want: []string{"is a named pipe (FIFO), not a regular file"}},
		{name: "key mode 0644", setup: func(t *testing.T, f *fixture) { os.Chmod(f.keyPath, 0o644) }, want: []string{"has mode 0644", "chmod 600"}},
		{name: "key mode 0640", setup: func(t *testing.T, f *fixture) { os.Chmod(f.keyPath, 0o640) }, want: []string{"has mode 0640"}},
		{name: "key mode 0700", setup: func(t *testing.T, f *fixture) { os.Chmod(f.keyPath, 0o700) }, want: []string{"has mode 0700"}},
		{name: "key setuid", setup: func(t *testing.T, f *fixture) { os.Chmod(f.keyPath, 0o600|os.ModeSetuid) }, want: []string{"has mode 4600"}},
		{name: "key owned by another user", setup: func(t *testing.T, f *fixture) {
			if nonRoot {
				t.Skip("chown needs root")
			}
			if err := os.Chown(f.keyPath, 65534, 65534); err != nil {
				t.Skip(err)
			}
		}, want: []string{"is owned by uid 65534, not by you"}},
		{name: "key inside the overlay repository", setup: func(t *testing.T, f *fixture) {
			p := filepath.Join(f.root, "secrets", "app.pem")
			os.MkdirAll(filepath.Dir(p), 0o700)
			writeKey(t, p, pkcs1PEM(t), 0o600)
			f.env[EnvPrivateKeyPath] = p
		}, want: []string{"is inside the overlay repository", "move it outside"}},
		{name: "symlink outside pointing into the repository", setup: func(t *testing.T, f *fixture) {
			p := filepath.Join(f.root, "app.pem")
			writeKey(t, p, pkcs1PEM(t), 0o600)
			link := filepath.Join(f.keyDir, "link.pem")
			if err := os.Symlink(p, link); err != nil {
				t.Fatal(err)
			}
			f.env[EnvPrivateKeyPath] = link
		}, want: []string{"(symlink to ", "is inside the overlay repository"}},
		{name: "symlink to a key with a loose mode", setup: func(t *testing.T, f *fixture) {
			p := filepath.Join(f.keyDir, "loose.pem")
			writeKey(t, p, pkcs1PEM(t), 0o644)
			link := filepath.Join(f.keyDir, "link.pem")
			os.Symlink(p, link)
			f.env[EnvPrivateKeyPath] = link
		}, want: []string{"(symlink to ", "has mode 0644"}},
		{name: "not PEM", setup: func(t *testing.T, f *fixture) { writeKey(t, f.keyPath, []byte("just some text\n"), 0o600) }, want: []string{"is not a PEM file"}},
		{name: "damaged PEM", setup: func(t *testing.T, f *fixture) {
			writeKey(t, f.keyPath, []byte("-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n"), 0o600)
		}, want: []string{"damaged PEM block"}},
		{name: "garbage in a well-formed block", setup: func(t *testing.T, f *fixture) {
			writeKey(t, f.keyPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("not der")}), 0o600)
		}, want: []string{"does not parse as a PKCS#1 key"}},
		{name: "two blocks", setup: func(t *testing.T, f *fixture) { writeKey(t, f.keyPath, append(pkcs1PEM(t), pkcs8PEM(t)...), 0o600) },
			want: []string{"more than one PEM block"}},
		{name: "legacy encrypted", setup: func(t *testing.T, f *fixture) {
			writeKey(t, f.keyPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00000000000000000000000000000000"}, Bytes: []byte("x")}), 0o600)
		}, want: []string{"is encrypted with a passphrase", "openssl pkey"}},
		{name: "pkcs8 encrypted", setup: func(t *testing.T, f *fixture) {
			writeKey(t, f.keyPath, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("x")}), 0o600)
		}, want: []string{"is encrypted with a passphrase"}},
		{name: "openssh", setup: func(t *testing.T, f *fixture) {
			writeKey(t, f.keyPath, pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: []byte("openssh-key-v1")}), 0o600)
		}, want: []string{"is an OpenSSH key"}},
		{name: "public key", setup: func(t *testing.T, f *fixture) {
			der, _ := x509.MarshalPKIXPublicKey(&rsaKey(t).PublicKey)
			writeKey(t, f.keyPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
		}, want: []string{"holds a public key, not the private key"}},
		{name: "ecdsa pkcs8", setup: func(t *testing.T, f *fixture) {
			k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			der, _ := x509.MarshalPKCS8PrivateKey(k)
			writeKey(t, f.keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
		}, want: []string{"holds a ECDSA private key; GitHub App keys are RSA"}},
		{name: "huge file", setup: func(t *testing.T, f *fixture) { writeKey(t, f.keyPath, make([]byte, 100<<10), 0o600) },
			want: []string{"is larger than 64 KiB"}},
		{name: "secret name missing", files: map[string]string{overlay.OrgFile: strings.Replace(testOrg, "  github_app_secret_name: github-app-secret\n", "", 1)},
			want: []string{"config/organization.yaml:2:1: ", "has no owner.github_app_secret_name"}},
		{name: "secret names differ", files: map[string]string{tfvarsRel: strings.Replace(testTfvars, `"github-app-secret"`, `"github-app-secret-jesssullivan"`, 1)},
			want: []string{tfvarsRel + ":3:24: ", `github_config_secret "github-app-secret-jesssullivan" differs from owner.github_app_secret_name "github-app-secret" (config/organization.yaml:7:27)`}},
		{name: "tfvars secret missing", files: map[string]string{tfvarsRel: strings.Replace(testTfvars, "github_config_secret = \"github-app-secret\"\n", "", 1)},
			want: []string{"has no github_config_secret"}},
		{name: "bad secret name", files: map[string]string{
			overlay.OrgFile: strings.Replace(testOrg, "github_app_secret_name: github-app-secret", "github_app_secret_name: GitHub_App", 1),
			tfvarsRel:       strings.Replace(testTfvars, `"github-app-secret"`, `"GitHub_App"`, 1)},
			want: []string{`"GitHub_App" is not a valid Kubernetes secret name`}},
		{name: "contexts differ", files: map[string]string{tfvarsRel: strings.Replace(testTfvars, `cluster_context      = "honey"`, `cluster_context      = "sting"`, 1)},
			want: []string{`cluster_context "sting" differs from substrate.cluster.context "honey"`}},
		{name: "no context anywhere", files: map[string]string{
			overlay.OrgFile: strings.Replace(testOrg, "    context: honey\n", "", 1),
			tfvarsRel:       strings.Replace(testTfvars, "cluster_context      = \"honey\"\n", "", 1)},
			want: []string{"has no substrate.cluster.context"}},
		{name: "bad namespace", files: map[string]string{tfvarsRel: testTfvars + "runner_namespace = \"ARC_Runners\"\n"},
			want: []string{`runner_namespace "ARC_Runners" is not a valid namespace name`}},
		{name: "two tfvars", files: map[string]string{"tofu/stacks/arc-runners/other.tfvars": testTfvars},
			want: []string{"several ARC runner tfvars", "pass --tfvars PATH"}},
		{name: "no tfvars", files: map[string]string{}, setup: func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.root, tfvarsRel)) },
			want: []string{"no ARC runner tfvars found"}},
		{name: "context not in kubeconfig", setup: func(t *testing.T, f *fixture) { f.writeKubeconfig(t, "sting") },
			want: []string{`kube context "honey" is not in --kubeconfig`, "it defines sting"}},
		{name: "everything at once", setup: func(t *testing.T, f *fixture) {
			delete(f.env, EnvAppID)
			f.env[EnvInstallationID] = "007"
			os.Chmod(f.keyPath, 0o644)
		}, files: map[string]string{tfvarsRel: strings.Replace(testTfvars, `"github-app-secret"`, `"other"`, 1)},
			want: []string{"GITHUB_APP_ID is not set", `"007" has a leading zero`, "has mode 0644", `github_config_secret "other" differs`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.files)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			_, _, err := Prepare(f.request())
			var ies finding.InputErrors
			if !errors.As(err, &ies) {
				t.Fatalf("err = %v, want refusals", err)
			}
			text := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("refusal lacks %q:\n%s", w, text)
				}
			}
			assertNoKeyMaterial(t, text)
		})
	}
}

func TestAcceptedKeyForms(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   func(t testing.TB) []byte
		mode   os.FileMode
		format string
	}{
		{"pkcs1 0600", pkcs1PEM, 0o600, "PKCS#1"},
		{"pkcs8 0400", pkcs8PEM, 0o400, "PKCS#8"},
		{"text around the block", func(t testing.TB) []byte {
			return append([]byte("Tinyland ARC App key, rotated 2026-04\n"), pkcs1PEM(t)...)
		}, 0o600, "PKCS#1"},
		{"crlf", func(t testing.TB) []byte { return []byte(strings.ReplaceAll(string(pkcs1PEM(t)), "\n", "\r\n")) }, 0o600, "PKCS#1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			data := tc.data(t)
			writeKey(t, f.keyPath, data, tc.mode)
			plan, _, err := Prepare(f.request())
			if err != nil {
				t.Fatal(err)
			}
			if plan.Creds.KeyFormat != tc.format || plan.Creds.Fingerprint != fingerprint(t) || string(plan.Creds.Key) != string(data) {
				t.Errorf("creds = %s %s", plan.Creds.KeyFormat, plan.Creds.Fingerprint)
			}
		})
	}

	// A symlink inside the repository that points outside it is fine: the key itself is
	// outside, and the symlink carries no secret.
	f := newFixture(t, nil)
	link := filepath.Join(f.root, "app.pem")
	if err := os.Symlink(f.keyPath, link); err != nil {
		t.Fatal(err)
	}
	f.env[EnvPrivateKeyPath] = link
	plan, _, err := Prepare(f.request())
	if err != nil {
		t.Fatal(err)
	}
	if plan.Creds.KeyTarget == "" {
		t.Error("symlink target not recorded")
	}
}

// TestOverlayThroughSymlink: an overlay root reached through a symlink still protects the
// real repository.
func TestOverlayThroughSymlink(t *testing.T) {
	f := newFixture(t, nil)
	p := filepath.Join(f.root, "keys", "app.pem")
	os.MkdirAll(filepath.Dir(p), 0o700)
	writeKey(t, p, pkcs1PEM(t), 0o600)
	f.env[EnvPrivateKeyPath] = p
	alias := filepath.Join(t.TempDir(), "overlay-link")
	if err := os.Symlink(f.root, alias); err != nil {
		t.Fatal(err)
	}
	req := f.request()
	req.OverlayRoot = alias
	if _, _, err := Prepare(req); err == nil || !strings.Contains(err.Error(), "is inside the overlay repository") {
		t.Fatalf("err = %v", err)
	}
}

func TestRepoRootFindsGitAbove(t *testing.T) {
	f := newFixture(t, nil)
	sub := filepath.Join(f.root, "overlays", "tinyland")
	os.MkdirAll(sub, 0o755)
	real, _ := filepath.EvalSymlinks(f.root)
	if got := RepoRoot(sub); got != real {
		t.Errorf("RepoRoot = %s, want %s", got, real)
	}
	noGit := t.TempDir()
	real, _ = filepath.EvalSymlinks(noGit)
	if got := RepoRoot(noGit); got != real {
		t.Errorf("RepoRoot without .git = %s, want the overlay root", got)
	}
}

// TestDryRunReport pins the plan text (fingerprint and temp paths masked) and proves no
// format carries any part of the private key.
func TestDryRunReport(t *testing.T) {
	f := newFixture(t, nil)
	plan, _, err := Prepare(f.request())
	if err != nil {
		t.Fatal(err)
	}
	r := plan.DryRun()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	for _, format := range render.Formats() {
		b, err := render.Bytes(format, r, render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		assertNoKeyMaterial(t, string(b))
		if format == render.Text {
			if !strings.Contains(string(b), fingerprint(t)) {
				t.Error("text plan lacks the public key fingerprint")
			}
			got := strings.ReplaceAll(strings.ReplaceAll(string(b), fingerprint(t), "SHA256:<fingerprint>"), f.keyDir, "<keys>")
			golden(t, "testdata/dry-run.txt", got)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ops/appsecret -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// assertNoKeyMaterial fails when text contains the private key in any form: the PEM, any
// line of its body, its base64, or the base64 of the DER.
func assertNoKeyMaterial(t *testing.T, text string) {
	t.Helper()
	for _, p := range [][]byte{pkcs1PEM(t), pkcs8PEM(t)} {
		if strings.Contains(text, string(p)) || strings.Contains(text, base64.StdEncoding.EncodeToString(p)) {
			t.Fatal("output contains the private key")
		}
		for _, line := range strings.Split(string(p), "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(text, line) {
				t.Fatalf("output contains a line of the private key: %q", line)
			}
		}
	}
	der := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(rsaKey(t)))
	if strings.Contains(text, der[:40]) {
		t.Fatal("output contains the key's DER in base64")
	}
	if regexp.MustCompile(`BEGIN [A-Z ]*PRIVATE KEY`).MatchString(text) {
		t.Fatal("output contains a PEM private key header")
	}
}

func TestScrubKey(t *testing.T) {
	key := pkcs1PEM(t)
	lines := strings.Split(string(key), "\n")
	msg := "apply failed: " + string(key) + " / " + base64.StdEncoding.EncodeToString(key) + " / " + lines[3]
	got := scrubKey(msg, key)
	assertNoKeyMaterial(t, got)
	if !strings.HasPrefix(got, "apply failed: [redacted]") {
		t.Errorf("scrubbed = %q", got)
	}
}

func hasRule(r *finding.Report, id string) bool {
	for _, f := range r.Findings {
		if f.Rule == id {
			return true
		}
	}
	return false
}
