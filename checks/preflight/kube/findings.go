package kube

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghurl"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const scaleSetResource = "autoscalingrunnersets.actions.github.com"

// collector turns call results into findings, folding the same failure of many calls
// (an unreachable cluster, rejected credentials, a missing grant) into one finding.
type collector struct {
	p            *prober
	out          []finding.Finding
	unreachable  error
	unauthorized error
	forbidden    map[string]*forbiddenNS
	apiErrors    map[string]bool
}

type forbiddenNS struct {
	user        string
	secretNames map[string]bool
	scaleSets   bool
}

// failed records a failed read that is not a plain not-found. It returns false when err
// is nil or a not-found (the caller handles those).
func (c *collector) failed(err error, ns, resource, name string) bool {
	if err == nil || apierrors.IsNotFound(err) {
		return false
	}
	var status apierrors.APIStatus
	switch {
	case apierrors.IsForbidden(err):
		f := c.forbidden[ns]
		if f == nil {
			f = &forbiddenNS{secretNames: map[string]bool{}}
			c.forbidden[ns] = f
		}
		if f.user == "" {
			f.user = forbiddenUser(err)
		}
		if resource == "secrets" {
			f.secretNames[name] = true
		} else {
			f.scaleSets = true
		}
	case apierrors.IsUnauthorized(err):
		if c.unauthorized == nil {
			c.unauthorized = err
		}
	case errors.As(err, &status) && !isDeadline(err):
		key := ns + "\x00" + resource + "\x00" + err.Error()
		if !c.apiErrors[key] {
			c.apiErrors[key] = true
			what := resource + " " + name
			if name == "" {
				what = "list " + resource
			}
			c.out = append(c.out, finding.Finding{
				Rule: RuleKubeAPIError, Severity: finding.Blocker, Position: c.p.nsPos[ns],
				Message: fmt.Sprintf("context %s: reading %s in namespace %s failed: %v",
					quoteOr(c.p.context, "(current)"), what, ns, err),
				NextAction: fmt.Sprintf("Check the API server's health (%s get --raw /readyz?verbose) and rerun the preflight.", c.p.kubectl()),
			})
		}
	default:
		if c.unreachable == nil {
			c.unreachable = err
		}
	}
	return true
}

var forbiddenUserRE = regexp.MustCompile(`User "([^"]+)" cannot`)

// forbiddenUser extracts the identity from the apiserver's RBAC denial message, so the
// suggested rolebinding names the right subject.
func forbiddenUser(err error) string {
	if m := forbiddenUserRE.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

func (p *prober) findings() []finding.Finding {
	c := &collector{p: p, forbidden: map[string]*forbiddenNS{}, apiErrors: map[string]bool{}}
	c.namespaceFindings()
	c.secretFindings()
	for _, ns := range sortedKeys(p.lists) {
		c.scaleSetFindings(ns, p.lists[ns])
	}
	c.accessFindings()
	return c.out
}

func (c *collector) namespaceFindings() {
	for _, ns := range sortedKeys(c.p.namespaces) {
		if c.p.namespaces[ns] != nsMissing {
			continue
		}
		c.out = append(c.out, finding.Finding{
			Rule: RuleNamespaceMissing, Severity: finding.Blocker, Position: c.p.nsPos[ns],
			Message: fmt.Sprintf("namespace %q does not exist in context %s", ns, quoteOr(c.p.context, "(current)")),
			NextAction: "Create the ARC namespaces by applying the overlay's ARC runner stack: just arc-plan, review it (just arc-plan-show), then just arc-apply; " +
				"or fix controller_namespace / runner_namespace in the tfvars.",
		})
	}
}

func (c *collector) secretFindings() {
	type state struct {
		present, missing []string
		exp              SecretExpectation
	}
	var order []string
	by := map[string]*state{}
	for i, s := range c.p.exp.Secrets {
		st := by[s.Name.Value]
		if st == nil {
			st = &state{exp: s}
			by[s.Name.Value] = st
			order = append(order, s.Name.Value)
		}
		ns := s.Namespace.Value
		r := c.p.secrets[i]
		switch {
		case r.ok:
			st.present = append(st.present, ns)
		case c.failed(r.err, ns, "secrets", s.Name.Value):
		case c.p.namespaces[ns] == nsMissing:
			// reported once as namespace-missing
		default:
			st.missing = append(st.missing, ns)
			c.out = append(c.out, c.secretMissing(s))
		}
	}
	for _, name := range order {
		st := by[name]
		if len(st.missing) == 0 && len(st.present) > 0 && len(st.present) == len(c.expectedNamespaces(name)) {
			c.out = append(c.out, finding.Finding{
				Rule: RuleSecretMissing, Severity: finding.OK, Position: st.exp.Name.Pos,
				Message: fmt.Sprintf("%s %q exists in %s (checked as metadata only)", st.exp.Purpose, name, joinAnd(st.present)),
			})
		}
	}
}

func (c *collector) expectedNamespaces(secret string) []string {
	var out []string
	for _, s := range c.p.exp.Secrets {
		if s.Name.Value == secret {
			out = append(out, s.Namespace.Value)
		}
	}
	return out
}

func (c *collector) secretMissing(s SecretExpectation) finding.Finding {
	msg := fmt.Sprintf("%s %q is missing in namespace %q", s.Purpose, s.Name.Value, s.Namespace.Value)
	next := "Write the owner App secret into both ARC namespaces with the overlay wrapper: export GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY_PATH, " +
		"run just arc-app-secret-dry-run, then just arc-app-secret-apply (gfenroll arc-app-secret --apply)."
	if !strings.HasPrefix(s.Purpose, "owner") {
		next = fmt.Sprintf("Create secret %q in namespace %q with the App keys github_app_id, github_app_installation_id and github_app_private_key (%s -n %s create secret generic %s --from-file=...), "+
			"or point the scale set's github_config_secret at the owner App secret.", s.Name.Value, s.Namespace.Value, c.p.kubectl(), s.Namespace.Value, s.Name.Value)
	}
	return finding.Finding{Rule: RuleSecretMissing, Severity: finding.Blocker, Position: s.Name.Pos, Message: msg, NextAction: next}
}

func (c *collector) scaleSetFindings(ns string, lr *listResult) {
	var want []ScaleSetExpectation
	for _, s := range c.p.exp.ScaleSets {
		if s.Namespace.Value == ns {
			want = append(want, s)
		}
	}
	if lr.err != nil {
		if apierrors.IsNotFound(lr.err) {
			// A namespaced LIST answers 404 only when the resource type is not served.
			c.out = append(c.out, finding.Finding{
				Rule: RuleCRDMissing, Severity: finding.Blocker, Position: want[0].Name.Pos,
				Message: fmt.Sprintf("context %s does not serve %s/v1alpha1: the ARC gha-runner-scale-set-controller CRDs are not installed, so no scale set can exist",
					quoteOr(c.p.context, "(current)"), scaleSetResource),
				NextAction: "Install the ARC controller (gha-runner-scale-set-controller 0.14 or newer) through the overlay's ARC runner stack: just arc-plan, review it, then just arc-apply.",
			})
			return
		}
		c.failed(lr.err, ns, scaleSetResource, "")
		return
	}
	if c.p.namespaces[ns] == nsMissing {
		return // reported once as namespace-missing
	}
	for _, w := range want {
		c.checkScaleSet(w, lr.items)
	}
}

// matchScaleSets finds the AutoscalingRunnerSets registering name: by
// spec.runnerScaleSetName, else by metadata.name (the controller's fallback when the
// spec leaves the name empty, and the chart's object name).
func matchScaleSets(name string, items []unstructured.Unstructured) (matches []*unstructured.Unstructured, byObjectName bool) {
	for i := range items {
		if n, _, _ := unstructured.NestedString(items[i].Object, "spec", "runnerScaleSetName"); n == name {
			matches = append(matches, &items[i])
		}
	}
	if len(matches) > 0 {
		return matches, false
	}
	for i := range items {
		if items[i].GetName() == name {
			return []*unstructured.Unstructured{&items[i]}, true
		}
	}
	return nil, false
}

func (c *collector) checkScaleSet(w ScaleSetExpectation, items []unstructured.Unstructured) {
	k := c.p.kubectl()
	ns := w.Namespace.Value
	matches, byObjectName := matchScaleSets(w.Name.Value, items)
	if len(matches) == 0 {
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetMissing, Severity: finding.Blocker, Position: w.Name.Pos,
			Message: fmt.Sprintf("no AutoscalingRunnerSet in namespace %q registers runnerScaleSetName %q (%s)", ns, w.Name.Value, w.Source),
			NextAction: fmt.Sprintf("Deploy the scale set with the overlay's ARC runner stack: just arc-plan, review it (just arc-plan-show), then just arc-apply; %s -n %s get autoscalingrunnersets lists what exists.",
				k, ns),
		})
		return
	}
	ars := matches[0]
	ref := fmt.Sprintf("AutoscalingRunnerSet %s/%s", ns, ars.GetName())
	if len(matches) > 1 {
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = m.GetName()
		}
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetMismatch, Severity: finding.Blocker, Position: w.Name.Pos,
			Message: fmt.Sprintf("%d AutoscalingRunnerSets in namespace %q register runnerScaleSetName %q (%s): they collide on one GitHub registration",
				len(matches), ns, w.Name.Value, strings.Join(names, ", ")),
			NextAction: fmt.Sprintf("Keep one scale set per registration name: remove the stray release through its owning stack (just arc-plan shows it), then rerun the preflight; %s -n %s get autoscalingrunnersets -o wide lists them.", k, ns),
		})
	}
	spec := func(field string) string {
		v, _, _ := unstructured.NestedString(ars.Object, "spec", field)
		return v
	}
	fixSpec := "Make the tfvars and the deployed scale set agree: correct the tfvars value if it is wrong, otherwise re-apply the ARC runner stack (just arc-plan, review, just arc-apply)."

	if got := spec("runnerScaleSetName"); byObjectName && got != "" && got != w.Name.Value {
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetMismatch, Severity: finding.Blocker, Position: w.Name.Pos,
			Message:    fmt.Sprintf("%s registers runnerScaleSetName %q, tfvars expects %q (%s)", ref, got, w.Name.Value, w.Source),
			NextAction: fixSpec,
		})
	}
	if want := w.ConfigURL.Value; want != "" {
		if got := spec("githubConfigUrl"); !ghurl.Same(got, want) {
			c.out = append(c.out, finding.Finding{
				Rule: RuleScaleSetMismatch, Severity: finding.Blocker, Position: w.ConfigURL.Pos,
				Message:    fmt.Sprintf("%s has githubConfigUrl %s, tfvars expects %q (%s): it registers in another scope", ref, quoteOr(got, "(empty)"), want, w.Source),
				NextAction: fixSpec,
			})
		}
	}
	if want := w.ConfigSecret.Value; want != "" {
		if got := spec("githubConfigSecret"); got != want {
			c.out = append(c.out, finding.Finding{
				Rule: RuleScaleSetMismatch, Severity: finding.Blocker, Position: w.ConfigSecret.Pos,
				Message:    fmt.Sprintf("%s reads githubConfigSecret %s, tfvars expects %q (%s)", ref, quoteOr(got, "(empty)"), want, w.Source),
				NextAction: fixSpec,
			})
		}
	}

	if want := w.RunnerGroup.Value; want != "" {
		got := spec("runnerGroup")
		shown := quoteOr(got, "(empty: GitHub's Default group)")
		if got == "" {
			got = "default"
		}
		if !strings.EqualFold(got, want) {
			key := w.RunnerGroupKey
			if key == "" {
				key = "runner_group"
			}
			c.out = append(c.out, finding.Finding{
				Rule: RuleScaleSetRunnerGroup, Severity: finding.Blocker, Position: w.RunnerGroup.Pos,
				Message: fmt.Sprintf("%s registers into runner group %s, tfvars expects %q (%s): repositories the declared group admits never get its runners",
					ref, shown, want, w.Source),
				NextAction: fmt.Sprintf("Re-apply the ARC runner stack so the scale set joins %q (just arc-plan, review, just arc-apply); if the tfvars is wrong, correct %s first. A registered scale set keeps its group until it is re-created.", want, key),
			})
		}
	}

	labels, _, _ := unstructured.NestedStringSlice(ars.Object, "spec", "runnerScaleSetLabels")
	if w.Label.Value != "" && !contains(labels, w.Label.Value) {
		f := finding.Finding{
			Rule: RuleLabelUnpublished, Severity: finding.Blocker, Position: w.Label.Pos,
			Message: fmt.Sprintf("%s does not publish the workflow label %q in runnerScaleSetLabels (has %s): jobs with runs-on: %s never reach it",
				ref, w.Label.Value, listOrNone(labels), w.Label.Value),
			NextAction: fmt.Sprintf("Publish %q through the chart value scaleSetLabels (gha-runner-scale-set 0.14+) in the ARC runner stack and re-apply it (just arc-plan, just arc-apply); "+
				"ARC sends labels only when it first registers a scale set, so a registered one must be re-created.", w.Label.Value),
		}
		if spec("runnerScaleSetName") == w.Label.Value || (spec("runnerScaleSetName") == "" && ars.GetName() == w.Label.Value) {
			// GitHub publishes the scale-set name as a label, so jobs do reach it; the
			// contract still wants the label explicit (names are registration identity).
			f.Severity = finding.Warning
			f.Message = fmt.Sprintf("%s publishes %q only implicitly, as its scale-set name; runnerScaleSetLabels does not list it (has %s)",
				ref, w.Label.Value, listOrNone(labels))
		}
		c.out = append(c.out, f)
	}

	id, idErr := scaleSetID(ars.GetAnnotations())
	if idErr != "" {
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetUnregistered, Severity: finding.Blocker, Position: w.Name.Pos,
			Message: fmt.Sprintf("%s (%s) is not registered with GitHub: %s", ref, w.Source, idErr),
			NextAction: fmt.Sprintf("Find why ARC did not register %q: %s -n %s describe autoscalingrunnerset %s and %s -n %s logs -l app.kubernetes.io/part-of=gha-rs-controller --tail=200 "+
				"(usual causes: App secret missing or wrong, App not installed for the githubConfigUrl owner, runner group not visible).",
				w.Name.Value, k, ns, ars.GetName(), k, w.ControllerNamespace),
		})
	} else {
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetUnregistered, Severity: finding.OK, Position: w.Name.Pos,
			Message: fmt.Sprintf("scale set %q (%s) is registered as id %d", w.Name.Value, w.Source, id),
		})
	}

	phase, _, _ := unstructured.NestedString(ars.Object, "status", "phase")
	switch phase {
	case "":
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetPhase, Severity: finding.Info, Position: w.Name.Pos,
			Message: fmt.Sprintf("%s reports no status.phase (controller older than gha-runner-scale-set 0.14, or not reconciled yet)", ref),
		})
	case "Outdated":
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetPhase, Severity: finding.Warning, Position: w.Name.Pos,
			Message: fmt.Sprintf("%s is Outdated: the controller shut the scale set down because its runner version is deprecated", ref),
			NextAction: "Upgrade the ARC controller and scale-set charts together (same major.minor) in the ARC runner stack, then just arc-plan and just arc-apply; " +
				"the controller re-creates the scale set.",
		})
	default:
		c.out = append(c.out, finding.Finding{
			Rule: RuleScaleSetPhase, Severity: finding.Info, Position: w.Name.Pos,
			Message: fmt.Sprintf("%s phase %s", ref, phase),
		})
	}
}

// scaleSetID applies the controller's own test: registered means the annotation parses
// to an int greater than 0. It returns a reason when it does not.
func scaleSetID(ann map[string]string) (int, string) {
	v, ok := ann[ScaleSetIDAnnotation]
	if !ok {
		return 0, "annotation " + ScaleSetIDAnnotation + " is absent"
	}
	id, err := strconv.Atoi(v)
	if err != nil || id <= 0 {
		return 0, fmt.Sprintf("annotation %s=%q is not a positive id", ScaleSetIDAnnotation, v)
	}
	return id, ""
}

// accessFindings folds the per-call failures into one finding per cause.
func (c *collector) accessFindings() {
	ctxName := quoteOr(c.p.context, "(current)")
	if c.unreachable != nil {
		c.out = append(c.out, finding.Finding{
			Rule: RuleKubeUnreachable, Severity: finding.Blocker, Position: c.p.ctxPos,
			Message: fmt.Sprintf("context %s: the cluster did not answer (%s); the App secret and scale-set checks could not run",
				ctxName, describeTransport(c.unreachable, c.p.cfg.Timeout.String())),
			NextAction: fmt.Sprintf("Check that context %s reaches the cluster (%s get --raw /readyz; VPN, server URL, CA), then rerun the preflight.",
				ctxName, c.p.kubectl()),
		})
	}
	if c.unauthorized != nil {
		c.out = append(c.out, finding.Finding{
			Rule: RuleKubeUnauthorized, Severity: finding.Blocker, Position: c.p.ctxPos,
			Message: fmt.Sprintf("context %s: the cluster rejected the credentials (401 Unauthorized)", ctxName),
			NextAction: fmt.Sprintf("Refresh the credentials of context %s (log in again or renew the token; %s auth whoami shows the identity), then rerun the preflight.",
				ctxName, c.p.kubectl()),
		})
	}
	for _, ns := range sortedKeys(c.forbidden) {
		c.out = append(c.out, c.forbiddenFinding(ns, c.forbidden[ns]))
	}
}

func (c *collector) forbiddenFinding(ns string, f *forbiddenNS) finding.Finding {
	k := c.p.kubectl()
	who := quoteOr(f.user, "the preflight identity")
	subject := "--user=<preflight identity>"
	if f.user != "" {
		subject = "--user=" + f.user
		if rest, ok := strings.CutPrefix(f.user, "system:serviceaccount:"); ok {
			subject = "--serviceaccount=" + rest
		}
	}
	var denied, cmds []string
	grant := func(role, verbs, resource string, names []string) {
		cmd := fmt.Sprintf("%s -n %s create role %s --verb=%s --resource=%s", k, ns, role, verbs, resource)
		for _, n := range names {
			cmd += " --resource-name=" + n
		}
		cmds = append(cmds, cmd, fmt.Sprintf("%s -n %s create rolebinding %s --role=%s %s", k, ns, role, role, subject))
	}
	if len(f.secretNames) > 0 {
		names := sortedKeys(f.secretNames)
		denied = append(denied, "get secrets ("+strings.Join(names, ", ")+")")
		// get on the named secrets only: the preflight reads them as metadata, and RBAC
		// cannot express "metadata only", so grant no more than the named objects.
		grant("gfenroll-preflight-secrets", "get", "secrets", names)
	}
	if f.scaleSets {
		denied = append(denied, "list "+scaleSetResource)
		grant("gfenroll-preflight-scale-sets", "get,list", scaleSetResource, nil)
	}
	return finding.Finding{
		Rule: RuleKubeForbidden, Severity: finding.Blocker, Position: c.p.nsPos[ns],
		Message: fmt.Sprintf("context %s: %s may not %s in namespace %q (403 Forbidden); those checks were skipped",
			quoteOr(c.p.context, "(current)"), who, strings.Join(denied, " or "), ns),
		NextAction: fmt.Sprintf("Grant the preflight read access in namespace %s: %s", ns, strings.Join(cmds, " && ")),
	}
}

// describeTransport names the failure class. It drops the request URL client-go wraps
// around transport errors (method, path, query): the cause is what an operator acts on.
func describeTransport(err error, timeout string) string {
	if isDeadline(err) {
		return "no answer within " + timeout
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	msg := cause.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "connection refused: " + msg
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:"):
		return "TLS failure: " + msg
	default:
		return msg
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	default:
		return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
	}
}
