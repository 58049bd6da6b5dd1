package kubetest

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/preflight/kube"
)

// Enrollment is the cluster state of an enrolled overlay: namespaces, App secrets and
// registered scale sets. EnrollmentFor derives it from the preflight's expectations;
// scenarios then break one thing (drop a secret, unregister a scale set) before Enroll.
type Enrollment struct {
	// Namespaces are created first (exact names, so use unique ones).
	Namespaces []string
	// Secrets maps namespace -> App secret names to create there.
	Secrets map[string][]string
	// ScaleSets are created with strict field validation; Phase goes through status.
	ScaleSets []ScaleSet
}

// ScaleSet returns the scale set that registers name, so a scenario can break exactly one;
// nil when the enrollment has none.
func (e *Enrollment) ScaleSet(name string) *ScaleSet {
	for i := range e.ScaleSets {
		if e.ScaleSets[i].ScaleSetName == name {
			return &e.ScaleSets[i]
		}
	}
	return nil
}

// Retarget rewrites every namespace in exp through rename (old -> new), so a scenario
// can run an overlay's expectations against its own unique namespaces.
func Retarget(exp kube.Expectations, rename map[string]string) kube.Expectations {
	re := func(s string) string {
		if n, ok := rename[s]; ok {
			return n
		}
		return s
	}
	out := exp
	out.Secrets = append([]kube.SecretExpectation(nil), exp.Secrets...)
	for i := range out.Secrets {
		out.Secrets[i].Namespace.Value = re(out.Secrets[i].Namespace.Value)
	}
	out.ScaleSets = append([]kube.ScaleSetExpectation(nil), exp.ScaleSets...)
	for i := range out.ScaleSets {
		out.ScaleSets[i].Namespace.Value = re(out.ScaleSets[i].Namespace.Value)
		out.ScaleSets[i].ControllerNamespace = re(out.ScaleSets[i].ControllerNamespace)
	}
	return out
}

// EnrollmentFor is the fully enrolled state for exp: every expected secret, and every
// expected scale set registered (ids from 1001), publishing its label next to
// "self-hosted", phase Running.
func EnrollmentFor(exp kube.Expectations) Enrollment {
	en := Enrollment{Secrets: map[string][]string{}}
	seenNS := map[string]bool{}
	addNS := func(ns string) {
		if !seenNS[ns] {
			seenNS[ns] = true
			en.Namespaces = append(en.Namespaces, ns)
		}
	}
	for _, s := range exp.Secrets {
		addNS(s.Namespace.Value)
		en.Secrets[s.Namespace.Value] = append(en.Secrets[s.Namespace.Value], s.Name.Value)
	}
	for i, s := range exp.ScaleSets {
		addNS(s.Namespace.Value)
		en.ScaleSets = append(en.ScaleSets, ScaleSet{
			Namespace:    s.Namespace.Value,
			ScaleSetName: s.Name.Value,
			ConfigURL:    s.ConfigURL.Value,
			ConfigSecret: s.ConfigSecret.Value,
			RunnerGroup:  s.RunnerGroup.Value,
			Labels:       []string{"self-hosted", s.Label.Value},
			ScaleSetID:   int64(1001 + i),
			Phase:        "Running",
		})
	}
	return en
}

// Enroll creates the enrollment's namespaces, secrets and scale sets.
func (e *Env) Enroll(t testing.TB, en Enrollment) {
	t.Helper()
	for _, ns := range en.Namespaces {
		e.CreateNamespace(t, ns)
	}
	for _, ns := range sortedNS(en.Secrets) {
		for _, name := range en.Secrets[ns] {
			e.CreateSecret(t, ns, name, AppSecretData())
		}
	}
	for _, s := range en.ScaleSets {
		e.CreateScaleSet(t, s)
	}
}

func sortedNS(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var nsAssign = regexp.MustCompile(`(?m)^(\s*)(controller_namespace|runner_namespace)(\s*=\s*)"[^"]*"`)

// RetargetTfvars rewrites controller_namespace and runner_namespace in a materialized
// overlay's tfvars file (appending them when the file relies on the defaults), so a
// command-level test can point a real overlay at its scenario's unique namespaces.
func RetargetTfvars(t testing.TB, path, controllerNS, runnerNS string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	want := map[string]string{"controller_namespace": controllerNS, "runner_namespace": runnerNS}
	seen := map[string]bool{}
	out := nsAssign.ReplaceAllStringFunc(string(data), func(m string) string {
		sub := nsAssign.FindStringSubmatch(m)
		seen[sub[2]] = true
		return fmt.Sprintf("%s%s%s%q", sub[1], sub[2], sub[3], want[sub[2]])
	})
	for _, k := range []string{"controller_namespace", "runner_namespace"} {
		if !seen[k] {
			out += fmt.Sprintf("\n%s = %q\n", k, want[k])
		}
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatalf("kubetest: %v", err)
	}
}
