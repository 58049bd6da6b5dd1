package kube_test

// Scenarios against the real kube-apiserver of e2e/kube/testenv.sh (skipped when it is
// not running, failed under CI). Each scenario arranges its own unique namespaces and a
// fresh client-certificate identity, runs the probes as that identity through a normal
// kubeconfig, then checks the findings and the apiserver's audit log of that identity.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/overlaytest"
	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
	"github.com/tinyland-inc/gf-enrollment/e2e/kube/kubetest"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// scenario is one arranged cluster state plus the identity the probes run as.
type scenario struct {
	env  *kubetest.Env
	exp  kube.Expectations
	ctrl string
	run  string
	user kubetest.User
	en   kubetest.Enrollment
	// grants are the namespaces where user gets the preflight's read access.
	grants []string
	// viaEnv leaves Config.Kubeconfig empty so $KUBECONFIG is used.
	viaEnv bool
}

// arrange loads a fixture overlay, points its expectations at fresh namespaces, creates
// the fully enrolled state after mutate had its say, and grants a fresh identity the
// preflight's documented read access in the namespaces grant returns (nil: both).
func arrange(t *testing.T, fixture string, mutate func(s *scenario)) *scenario {
	t.Helper()
	env := kubetest.Require(t)
	root := filepath.Join(overlaytest.RepoRoot(t), "e2e", "overlays", fixture)
	o, err := overlay.Load(root, overlay.Options{})
	if err != nil {
		t.Fatalf("load %s: %v", fixture, err)
	}
	sfx := kubetest.Suffix(6)
	s := &scenario{env: env, ctrl: "arc-systems-" + sfx, run: "arc-runners-" + sfx}
	s.exp = kubetest.Retarget(kube.NewExpectations(o), map[string]string{"arc-systems": s.ctrl, "arc-runners": s.run})
	s.en = kubetest.EnrollmentFor(s.exp)
	s.user = env.NewUser(t, "preflight-"+sfx, "honey")
	s.grants = []string{s.ctrl, s.run}
	if mutate != nil {
		mutate(s)
	}
	env.Enroll(t, s.en)
	for _, ns := range s.grants {
		env.Grant(t, ns, s.user.Name, kubetest.PreflightRules()...)
	}
	return s
}

func (s *scenario) probe(t *testing.T, cfg kube.Config) *finding.Report {
	t.Helper()
	if cfg.Kubeconfig == "" && cfg.RESTConfig == nil && !s.viaEnv {
		cfg.Kubeconfig = s.user.Kubeconfig
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := kube.Probe(ctx, cfg, s.exp)
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	rep.Finalize()
	t.Logf("findings:\n%s", dump(rep))
	return rep
}

// verdicts lists "severity rule" of the findings at or above min, sorted.
func verdicts(rep *finding.Report, min finding.Severity) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Severity >= min {
			out = append(out, f.Severity.String()+" "+f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

func dump(rep *finding.Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "  %s: %s %s: %s\n", f.Position, f.Severity, f.Rule, f.Message)
		if f.NextAction != "" {
			fmt.Fprintf(&b, "      next: %s\n", f.NextAction)
		}
	}
	return b.String()
}

func expectVerdicts(t *testing.T, rep *finding.Report, want ...string) {
	t.Helper()
	got := verdicts(rep, finding.Warning)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("blockers/warnings:\n got %q\nwant %q\nfindings:\n%s", got, want, dump(rep))
	}
}

func findRule(t *testing.T, rep *finding.Report, rule string) finding.Finding {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Rule == rule && f.Severity >= finding.Warning {
			return f
		}
	}
	t.Fatalf("no %s finding:\n%s", rule, dump(rep))
	return finding.Finding{}
}

// assertReadOnlyAudit is the preflight's read-only contract as the apiserver saw it: the identity
// only read (get/list/watch), and every secret response it got was metadata only.
func (s *scenario) assertReadOnlyAudit(t *testing.T, user string) {
	t.Helper()
	events := s.env.AuditEvents(t, func(e kubetest.AuditEvent) bool { return e.User.Username == user })
	if len(events) == 0 {
		t.Fatalf("no audit events for %s", user)
	}
	var secretReads int
	for _, e := range events {
		switch e.Verb {
		case "get", "list", "watch":
		default:
			t.Errorf("preflight identity sent a %s: %s", e.Verb, e)
		}
		if e.Resource() != "secrets" {
			continue
		}
		if e.ResponseCarriesData() {
			t.Errorf("secret data was served to the preflight: %s", e)
		}
		switch k := e.ResponseKind(); {
		case e.Code() == 200 && (k == "PartialObjectMetadata" || k == "PartialObjectMetadataList"):
			secretReads++
		case e.Code() != 200 && k == "Status":
		default:
			t.Errorf("secret response of kind %q (code %d), want PartialObjectMetadata: %s", k, e.Code(), e)
		}
	}
	if secretReads == 0 && len(s.exp.Secrets) > 0 {
		t.Errorf("no successful metadata read of a secret in the audit log (%d events)", len(events))
	}
}

func TestProbeFullyEnrolledOrg(t *testing.T) {
	s := arrange(t, "tinyland-org", nil)
	rep := s.probe(t, kube.Config{})
	expectVerdicts(t, rep)
	// The news an operator wants: the App secret is in both namespaces, and every
	// expected scale set is registered.
	var oks []string
	for _, f := range rep.Findings {
		if f.Severity == finding.OK {
			oks = append(oks, f.Rule)
		}
	}
	if want := 1 + len(s.exp.ScaleSets); len(oks) != want || len(s.exp.ScaleSets) != 6 {
		t.Fatalf("ok findings %v for %d scale sets, want 1 secret + 6 scale sets:\n%s", oks, len(s.exp.ScaleSets), dump(rep))
	}
	sec := rep.Findings[0]
	for _, f := range rep.Findings {
		if f.Rule == kube.RuleSecretMissing {
			sec = f
		}
	}
	if want := fmt.Sprintf(`"github-app-secret" exists in %s and %s`, s.ctrl, s.run); !strings.Contains(sec.Message, want) {
		t.Errorf("secret ok message %q lacks %q", sec.Message, want)
	}
	assertAt(t, sec.Position, `github_config_secret = "github-app-secret"`)
	s.assertReadOnlyAudit(t, s.user.Name)
}

func TestProbeFullyEnrolledPersonal(t *testing.T) {
	s := arrange(t, "jess-personal", nil)
	rep := s.probe(t, kube.Config{})
	expectVerdicts(t, rep)
	if n := len(s.exp.ScaleSets); n != 2 {
		t.Errorf("jess-personal expects %d scale sets, want 2 (nix lane + one extra)", n)
	}
	s.assertReadOnlyAudit(t, s.user.Name)
}

func TestProbeSecretMissingInOneNamespace(t *testing.T) {
	s := arrange(t, "tinyland-org", func(s *scenario) { delete(s.en.Secrets, s.run) })
	rep := s.probe(t, kube.Config{})
	expectVerdicts(t, rep, "blocker "+kube.RuleSecretMissing)
	f := findRule(t, rep, kube.RuleSecretMissing)
	if !strings.Contains(f.Message, s.run) || strings.Contains(f.Message, s.ctrl) {
		t.Errorf("message should name only %s: %s", s.run, f.Message)
	}
	if !strings.Contains(f.NextAction, "just arc-app-secret-apply") {
		t.Errorf("next action: %s", f.NextAction)
	}
	assertAt(t, f.Position, `github_config_secret = "github-app-secret"`)
	s.assertReadOnlyAudit(t, s.user.Name)
}

// scaleSet returns the enrollment's scale set registering name.
func (s *scenario) scaleSet(t *testing.T, name string) *kubetest.ScaleSet {
	t.Helper()
	ss := s.en.ScaleSet(name)
	if ss == nil {
		t.Fatalf("no scale set %s in the enrollment", name)
	}
	return ss
}

func TestProbeScaleSetFaults(t *testing.T) {
	kubetest.Require(t)
	for _, tc := range []struct {
		name   string
		mutate func(t *testing.T, s *scenario)
		want   []string
		// the finding of rule wantRule must point at this tfvars text and say this.
		wantRule, atText, says string
	}{
		{
			name: "missing",
			mutate: func(t *testing.T, s *scenario) {
				var keep []kubetest.ScaleSet
				for _, ss := range s.en.ScaleSets {
					if ss.ScaleSetName != "tinyland-nix-kvm" {
						keep = append(keep, ss)
					}
				}
				s.en.ScaleSets = keep
			},
			want:     []string{"blocker " + kube.RuleScaleSetMissing},
			wantRule: kube.RuleScaleSetMissing, atText: `runner_scale_set_name = "tinyland-nix-kvm"`, says: `"tinyland-nix-kvm"`,
		},
		{
			name:     "unregistered",
			mutate:   func(t *testing.T, s *scenario) { s.scaleSet(t, "tinyland-docker").ScaleSetID = 0 },
			want:     []string{"blocker " + kube.RuleScaleSetUnregistered},
			wantRule: kube.RuleScaleSetUnregistered, atText: `docker_runner_scale_set_name = "tinyland-docker"`, says: "runner-scale-set-id is absent",
		},
		{
			name:     "id not a positive int",
			mutate:   func(t *testing.T, s *scenario) { s.scaleSet(t, "tinyland-docker").IDAnnotation = "-3" },
			want:     []string{"blocker " + kube.RuleScaleSetUnregistered},
			wantRule: kube.RuleScaleSetUnregistered, atText: `docker_runner_scale_set_name = "tinyland-docker"`, says: `"-3" is not a positive id`,
		},
		{
			name: "label not published",
			mutate: func(t *testing.T, s *scenario) {
				s.scaleSet(t, "tinyland-nix-compute-expansion").Labels = []string{"self-hosted", "linux"}
			},
			want:     []string{"blocker " + kube.RuleLabelUnpublished},
			wantRule: kube.RuleLabelUnpublished, atText: `runner_label          = "tinyland-nix"`, says: `"tinyland-nix" in runnerScaleSetLabels (has ["self-hosted", "linux"])`,
		},
		{
			name:     "label only implicit through the name",
			mutate:   func(t *testing.T, s *scenario) { s.scaleSet(t, "tinyland-nix-heavy").Labels = nil },
			want:     []string{"warning " + kube.RuleLabelUnpublished},
			wantRule: kube.RuleLabelUnpublished, atText: `runner_label          = "tinyland-nix-heavy"`, says: "only implicitly",
		},
		{
			name:     "wrong secret",
			mutate:   func(t *testing.T, s *scenario) { s.scaleSet(t, "tinyland-nix").ConfigSecret = "some-other-secret" },
			want:     []string{"blocker " + kube.RuleScaleSetMismatch},
			wantRule: kube.RuleScaleSetMismatch, atText: `github_config_secret = "github-app-secret"`, says: `githubConfigSecret "some-other-secret"`,
		},
		{
			name: "wrong URL",
			mutate: func(t *testing.T, s *scenario) {
				s.scaleSet(t, "tinyland-nix-heavy").ConfigURL = "https://github.com/tinyland-inc/tinyland.dev"
			},
			want:     []string{"blocker " + kube.RuleScaleSetMismatch},
			wantRule: kube.RuleScaleSetMismatch, atText: `github_config_url     = "https://github.com/tinyland-inc"`, says: "registers in another scope",
		},
		{
			name: "found by object name with another registration name",
			mutate: func(t *testing.T, s *scenario) {
				ss := s.scaleSet(t, "tinyland-dind")
				ss.Name, ss.ScaleSetName = "tinyland-dind", "tinyland-dind-old"
			},
			want:     []string{"blocker " + kube.RuleScaleSetMismatch},
			wantRule: kube.RuleScaleSetMismatch, atText: `dind_runner_scale_set_name = "tinyland-dind"`, says: `registers runnerScaleSetName "tinyland-dind-old"`,
		},
		{
			name:     "outdated",
			mutate:   func(t *testing.T, s *scenario) { s.scaleSet(t, "tinyland-nix").Phase = "Outdated" },
			want:     []string{"warning " + kube.RuleScaleSetPhase},
			wantRule: kube.RuleScaleSetPhase, atText: `nix_runner_scale_set_name = "tinyland-nix"`, says: "is Outdated",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := arrange(t, "tinyland-org", func(s *scenario) { tc.mutate(t, s) })
			rep := s.probe(t, kube.Config{})
			expectVerdicts(t, rep, tc.want...)
			f := findRule(t, rep, tc.wantRule)
			if !strings.Contains(f.Message, tc.says) {
				t.Errorf("message %q lacks %q", f.Message, tc.says)
			}
			assertAt(t, f.Position, tc.atText)
			s.assertReadOnlyAudit(t, s.user.Name)
		})
	}
}

// assertAt checks that pos points at the start of text in the fixture tfvars file.
func assertAt(t *testing.T, pos finding.Position, text string) {
	t.Helper()
	if pos.File != "tofu/stacks/arc-runners/tinyland.tfvars" || pos.Line == 0 {
		t.Fatalf("position %s, want the tinyland.tfvars line of %q", pos, text)
	}
	data, err := os.ReadFile(filepath.Join(overlaytest.RepoRoot(t), "e2e/overlays/tinyland-org", pos.File))
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Split(string(data), "\n")[pos.Line-1]
	if !strings.Contains(line, text) {
		t.Errorf("position %s is line %q, want one containing %q", pos, line, text)
	}
}

func TestProbeNamespaceMissing(t *testing.T) {
	s := arrange(t, "tinyland-org", func(s *scenario) {
		// Nothing in the controller namespace: it does not exist at all.
		delete(s.en.Secrets, s.ctrl)
		s.en.Namespaces = []string{s.run}
		s.grants = []string{s.run}
	})
	// Namespaces are cluster-scoped: only an identity that may get them can tell a
	// missing namespace from a missing secret. Use the admin kubeconfig.
	rep := s.probe(t, kube.Config{Kubeconfig: s.env.AdminKubeconfig, Context: "gfenroll-testenv-admin"})
	expectVerdicts(t, rep, "blocker "+kube.RuleNamespaceMissing)
	if f := findRule(t, rep, kube.RuleNamespaceMissing); !strings.Contains(f.Message, s.ctrl) {
		t.Errorf("message %q does not name %s", f.Message, s.ctrl)
	}
}

// RBAC forbidden on one namespace, with the static-token identity of the testenv and
// its "honey" context (as the overlays name it), loaded through $KUBECONFIG.
func TestProbeForbiddenOneNamespace(t *testing.T) {
	env := kubetest.Require(t)
	s := arrange(t, "tinyland-org", func(s *scenario) { s.viaEnv = true })
	env.Grant(t, s.run, env.Restricted.Name, kubetest.PreflightRules()...)
	t.Setenv("KUBECONFIG", env.Restricted.Kubeconfig)
	rep := s.probe(t, kube.Config{})
	expectVerdicts(t, rep, "blocker "+kube.RuleKubeForbidden)
	f := findRule(t, rep, kube.RuleKubeForbidden)
	for _, want := range []string{s.ctrl, `"gfenroll-preflight"`, "get secrets (github-app-secret)"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q lacks %q", f.Message, want)
		}
	}
	wantCmd := fmt.Sprintf("kubectl --context honey -n %s create role gfenroll-preflight-secrets --verb=get --resource=secrets --resource-name=github-app-secret && "+
		"kubectl --context honey -n %s create rolebinding gfenroll-preflight-secrets --role=gfenroll-preflight-secrets --user=gfenroll-preflight", s.ctrl, s.ctrl)
	if !strings.Contains(f.NextAction, wantCmd) {
		t.Errorf("next action:\n %s\nwant it to contain:\n %s", f.NextAction, wantCmd)
	}
	// The granted namespace was still checked: the scale sets are reported registered.
	var registered int
	for _, f := range rep.Findings {
		if f.Rule == kube.RuleScaleSetUnregistered && f.Severity == finding.OK {
			registered++
		}
	}
	if registered != len(s.exp.ScaleSets) {
		t.Errorf("%d scale sets reported registered, want %d", registered, len(s.exp.ScaleSets))
	}
	s.assertReadOnlyAudit(t, env.Restricted.Name)
}

func TestProbeScaleSetListForbidden(t *testing.T) {
	s := arrange(t, "jess-personal", nil)
	other := s.env.NewUser(t, "preflight-nolist-"+kubetest.Suffix(4), "honey")
	for _, ns := range []string{s.ctrl, s.run} {
		s.env.Grant(t, ns, other.Name, kubetest.PreflightRules()[0]) // secrets only
	}
	rep := s.probe(t, kube.Config{Kubeconfig: other.Kubeconfig})
	expectVerdicts(t, rep, "blocker "+kube.RuleKubeForbidden)
	f := findRule(t, rep, kube.RuleKubeForbidden)
	if want := "--verb=get,list --resource=autoscalingrunnersets.actions.github.com"; !strings.Contains(f.NextAction, want) {
		t.Errorf("next action %q lacks %q", f.NextAction, want)
	}
}

// Exec credential plugins work because the kubeconfig is loaded the standard way.
func TestProbeExecPluginKubeconfig(t *testing.T) {
	env := kubetest.Require(t)
	s := arrange(t, "jess-personal", nil)
	env.Grant(t, s.ctrl, env.Restricted.Name, kubetest.PreflightRules()...)
	env.Grant(t, s.run, env.Restricted.Name, kubetest.PreflightRules()...)
	restricted, err := clientcmd.LoadFromFile(env.Restricted.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	token := restricted.AuthInfos[restricted.Contexts[env.Restricted.Context].AuthInfo].Token
	dir := t.TempDir()
	plugin := filepath.Join(dir, "credential-plugin")
	cred := fmt.Sprintf(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":%q}}`, token)
	if err := os.WriteFile(plugin, []byte("#!/bin/sh\ncat <<'EOF'\n"+cred+"\nEOF\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := restricted.DeepCopy()
	cfg.AuthInfos = map[string]*clientcmdapi.AuthInfo{"exec-user": {Exec: &clientcmdapi.ExecConfig{
		APIVersion: "client.authentication.k8s.io/v1", Command: plugin, InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}}}
	cfg.Contexts["honey"].AuthInfo = "exec-user"
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	rep := s.probe(t, kube.Config{Kubeconfig: path})
	expectVerdicts(t, rep)
}

func TestProbeUnusableClusterAccess(t *testing.T) {
	env := kubetest.Require(t)
	s := arrange(t, "jess-personal", nil)

	refused := closedPort(t)
	hang := blackHole(t)
	for _, tc := range []struct {
		name    string
		mutate  func(c *clientcmdapi.Config)
		context string
		timeout time.Duration
		rule    string
		says    string
	}{
		{name: "closed port", mutate: func(c *clientcmdapi.Config) { c.Clusters["gfenroll-testenv"].Server = "https://" + refused },
			rule: kube.RuleKubeUnreachable, says: "connection refused"},
		{name: "black hole", mutate: func(c *clientcmdapi.Config) { c.Clusters["gfenroll-testenv"].Server = "https://" + hang },
			timeout: 400 * time.Millisecond, rule: kube.RuleKubeUnreachable, says: "no answer within 400ms"},
		{name: "untrusted server certificate", mutate: func(c *clientcmdapi.Config) {
			c.Clusters["gfenroll-testenv"].CertificateAuthorityData = selfSignedPEM(t)
			c.Clusters["gfenroll-testenv"].CertificateAuthority = ""
		}, rule: kube.RuleKubeUnreachable, says: "TLS failure"},
		{name: "rejected token", mutate: func(c *clientcmdapi.Config) {
			for _, a := range c.AuthInfos {
				a.Token = "not-a-valid-token"
			}
		}, rule: kube.RuleKubeUnauthorized, says: "401"},
		{name: "unknown context", context: "no-such-context", rule: kube.RuleKubeConfig, says: `context "no-such-context" is not in --kubeconfig`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := clientcmd.LoadFromFile(env.Restricted.Kubeconfig)
			if err != nil {
				t.Fatal(err)
			}
			if tc.mutate != nil {
				tc.mutate(cfg)
			}
			path := filepath.Join(t.TempDir(), "kubeconfig")
			if err := clientcmd.WriteToFile(*cfg, path); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			rep := s.probe(t, kube.Config{Kubeconfig: path, Context: tc.context, Timeout: tc.timeout})
			wall := time.Since(start)
			expectVerdicts(t, rep, "blocker "+tc.rule)
			f := findRule(t, rep, tc.rule)
			if !strings.Contains(f.Message, tc.says) {
				t.Errorf("message %q lacks %q", f.Message, tc.says)
			}
			if tc.context == "" && !strings.Contains(f.Message, `context "honey"`) {
				t.Errorf("message %q does not name the context", f.Message)
			}
			if tc.timeout > 0 && wall > 10*tc.timeout {
				// Not a speed assertion: a hang would take the 30 s test deadline.
				t.Errorf("probe took %v with a %v per-call timeout", wall, tc.timeout)
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// blackHole accepts connections and never answers, like a dropped route after the SYN.
func blackHole(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// selfSignedPEM is a CA that did not sign the apiserver's certificate.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "untrusted-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
