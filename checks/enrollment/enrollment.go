// Package enrollment is the gate that asks whether an overlay has every piece enrollment
// needs at all: the files, and the keys the other gates and the live commands read. A
// piece that is absent, empty, null or still a skeleton placeholder (TODO, CHANGEME,
// <owner>, REPLACE_ME, xxx) is a blocker whose next action names what to create, with the
// content to write. Input that exists but cannot be read or parsed stays unusable input
// (exit 2); absence never is, so an empty directory gets its whole queue in one run.
//
// The required set is one table, Required. A piece another gate already reports when it is
// missing is not in it (the core pins: pins/core-undeclared, pins/org-pin-missing,
// pins/module-pin-missing), so each missing key is reported once.
//
// # Rules
//
//	| id | severity | triggers when | next action |
//	|---|---|---|---|
//	| enrollment/missing-file | blocker | config/organization.yaml, or every ARC runner tfvars (tofu/stacks/arc-runners/*.tfvars), is absent | create the file with the snippet shown (or gfenroll init) |
//	| enrollment/missing-key | blocker | a key of Required is absent, empty, null or a placeholder (in organization.yaml, or set so in a tfvars) | set the key to the value shown |
//	| enrollment/no-runner-set | blocker | a tfvars deploys no scale set (deploy_nix_runner = false and no extra_runner_sets) | deploy the nix lane or add an extra runner set |
//	| enrollment/no-validation-workflow | blocker | no workflow (of enrollment.validation_workflows when set) has a job on a shared label, so no default-branch run can prove enrollment | add a validation workflow on a shared label |
package enrollment

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/deploy"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Rule ids. Stable: never rename one, add a new id instead.
const (
	RuleMissingFile          = "enrollment/missing-file"
	RuleMissingKey           = "enrollment/missing-key"
	RuleNoRunnerSet          = "enrollment/no-runner-set"
	RuleNoValidationWorkflow = "enrollment/no-validation-workflow"
)

// Rules lists every rule of the gate.
func Rules() []finding.Rule {
	return finding.WithDocs([]finding.Rule{
		{ID: RuleMissingFile, Summary: "the overlay has config/organization.yaml and ARC runner tfvars",
			Help: "Without organization.yaml nothing names the owner, the core pin or the substrate; without tfvars nothing says which runners the overlay deploys. gfenroll init writes both."},
		{ID: RuleMissingKey, Summary: "every required key is set to a real value",
			Help: "Registration URL, App secret name, cluster context, owner slug and the ARC namespaces must be set; empty, null and placeholder values (TODO, CHANGEME, <...>, REPLACE_ME, xxx) count as missing."},
		{ID: RuleNoRunnerSet, Summary: "each ARC runner stack deploys at least one scale set",
			Help: "A stack with deploy_nix_runner = false and no extra_runner_sets registers no runner, so no job can run on a shared label."},
		{ID: RuleNoValidationWorkflow, Summary: "a validation workflow runs on a shared label",
			Help: "Enrollment is proven by a successful default-branch run of a job on a shared label; without such a workflow the proof cannot exist."},
	}, ruleDocs)
}

// Requirement is one key enrollment needs.
type Requirement struct {
	// Key is the dotted key in organization.yaml, or the tfvars attribute.
	Key string
	// InTfvars: the key belongs to each ARC runner tfvars (else to organization.yaml).
	InTfvars bool
	// Why says what reads the key.
	Why string
	// Example is the value shown in the next action.
	Example string
	// placeholderOnly: an empty value is another gate's finding; only placeholders are ours.
	placeholderOnly bool
	org             func(*overlay.OrgConfig) overlay.String
	tfvars          func(*overlay.Tfvars) overlay.String
}

// Required is the required set: every key enrollment needs that no other gate reports
// missing. The core pin keys (core.repository, core.module_name, core.pinned_commit, the
// MODULE.bazel bazel_dep and git_override) are the pins gate's; their placeholders are
// judged here because the pins gate accepts any non-empty repository or module name.
var Required = []Requirement{
	{Key: "owner.slug", Why: "the GitHub owner the overlay enrolls", Example: "<owner>",
		org: func(c *overlay.OrgConfig) overlay.String { return c.Owner.Slug }},
	{Key: "owner.github_config_url", Why: "where ARC registers the runners", Example: "https://github.com/<owner>",
		org: func(c *overlay.OrgConfig) overlay.String { return c.Owner.GithubConfigURL }},
	{Key: "owner.github_app_secret_name", Why: "the Kubernetes secret holding the GitHub App credentials (arc-app-secret writes it)", Example: "github-app-secret",
		org: func(c *overlay.OrgConfig) overlay.String { return c.Owner.GithubAppSecretName }},
	{Key: "substrate.cluster.context", Why: "the kubeconfig context of the ARC cluster (preflight, arc-app-secret)", Example: "<kube-context>",
		org: func(c *overlay.OrgConfig) overlay.String { return c.Cluster.Context }},
	{Key: "core.repository", Why: "where the core is fetched from", Example: "tinyland-inc/GloriousFlywheel", placeholderOnly: true,
		org: func(c *overlay.OrgConfig) overlay.String { return c.Core.Repository }},
	{Key: "core.module_name", Why: "the core's Bazel module", Example: "gloriousflywheel", placeholderOnly: true,
		org: func(c *overlay.OrgConfig) overlay.String { return c.Core.ModuleName }},
	{Key: "github_config_url", InTfvars: true, Why: "where ARC registers the runners", Example: "https://github.com/<owner>",
		tfvars: func(t *overlay.Tfvars) overlay.String { return t.GithubConfigURL }},
	{Key: "github_config_secret", InTfvars: true, Why: "the App secret the scale sets mount", Example: "github-app-secret",
		tfvars: func(t *overlay.Tfvars) overlay.String { return t.GithubConfigSecret }},
	{Key: "cluster_context", InTfvars: true, Why: "the cluster the stack is applied to", Example: "<kube-context>",
		tfvars: func(t *overlay.Tfvars) overlay.String { return t.ClusterContext }},
	{Key: "controller_namespace", InTfvars: true, Why: "the ARC controller namespace (holds the App secret)", Example: deploy.DefaultControllerNamespace,
		tfvars: func(t *overlay.Tfvars) overlay.String { return t.ControllerNamespace }},
	{Key: "runner_namespace", InTfvars: true, Why: "the runner namespace (holds the App secret and the scale sets)", Example: deploy.DefaultRunnerNamespace,
		tfvars: func(t *overlay.Tfvars) overlay.String { return t.RunnerNamespace }},
}

// placeholderWords are values real skeletons ship with.
var placeholderWords = []string{"todo", "tbd", "fixme", "changeme", "change-me", "change_me", "replace_me", "replace-me", "replaceme", "null", "~"}

var (
	angle   = regexp.MustCompile(`<[^<>]*>`)
	xs      = regexp.MustCompile(`^[xX]{3,}$`)
	shouted = regexp.MustCompile(`(^|[^A-Za-z])(TODO|CHANGEME|CHANGE_ME|REPLACE_ME|FIXME)([^A-Za-z]|$)`)
)

// Placeholder reports whether v is empty or a value a skeleton ships with instead of a real one.
func Placeholder(v string) bool {
	s := strings.TrimSpace(v)
	if s == "" || xs.MatchString(s) || angle.MatchString(s) || shouted.MatchString(s) {
		return true
	}
	return slices.Contains(placeholderWords, strings.ToLower(s))
}

const orgFile = overlay.OrgFile

// OrgSnippet is a minimal organization.yaml, in YAML flow style so it fits one line of the
// next-action queue.
const OrgSnippet = `{owner: {slug: <owner>, account_kind: organization, repository: <owner>/<overlay-repo>, github_config_url: "https://github.com/<owner>", github_app_secret_name: github-app-secret}, core: {repository: tinyland-inc/GloriousFlywheel, module_name: gloriousflywheel, pinned_commit: <40-hex>}, substrate: {cluster: {name: <cluster>, context: <kube-context>}}}`

// TfvarsSnippet is a minimal ARC runner stack (statements separated by "; ", one per line in the file).
const TfvarsSnippet = `cluster_context = "<kube-context>"; github_config_url = "https://github.com/<owner>"; github_config_secret = "github-app-secret"; controller_namespace = "arc-systems"; runner_namespace = "arc-runners"; nix_runner_name = "<owner>-nix"; nix_runner_scale_set_name = "<owner>-nix"`

// WorkflowSnippet is the job a validation workflow needs.
const WorkflowSnippet = `on: {push: {branches: [main]}, pull_request: {}}; permissions: {contents: read}; jobs: {validate: {runs-on: [self-hosted, tinyland-nix], steps: [{uses: "actions/checkout@<40-hex>", with: {persist-credentials: false}}, {run: "nix flake check"}]}}`

const initHint = " (gfenroll init writes a complete commented skeleton)"

// Check evaluates one overlay.
func Check(_ context.Context, o *overlay.Overlay) *finding.Report {
	r := &finding.Report{}
	r.AddRules(Rules()...)
	if o == nil {
		return r
	}
	add := func(rule string, pos overlay.Pos, msg, next string) {
		r.Add(finding.Finding{Rule: rule, Severity: finding.Blocker, Position: pos, Message: msg, NextAction: next})
	}
	owner := ""
	if o.Org == nil {
		add(RuleMissingFile, overlay.Pos{File: orgFile},
			orgFile+" does not exist, so nothing names the owner, its registration, App secret, cluster or core pin",
			"Create "+orgFile+" with: "+OrgSnippet+initHint+".")
	} else {
		owner = strings.TrimSpace(o.Org.Owner.Slug.Value)
		file := o.Org.File
		if file == "" {
			file = orgFile
		}
		for _, req := range Required {
			if req.org == nil {
				continue
			}
			v := req.org(o.Org)
			if req.placeholderOnly && strings.TrimSpace(v.Value) == "" {
				continue // the pins gate reports it missing
			}
			if !Placeholder(v.Value) {
				continue
			}
			pos := v.Pos
			if !pos.IsValid() {
				pos = overlay.Pos{File: file}
			}
			add(RuleMissingKey, pos, fmt.Sprintf("%s %s %s; it names %s", file, req.Key, absent(v), req.Why),
				KeyAction(req, file, owner))
		}
	}

	m := deploy.Of(o)
	if len(o.Tfvars) == 0 {
		dir := path.Dir(overlay.TfvarsGlob)
		add(RuleMissingFile, overlay.Pos{File: dir},
			fmt.Sprintf("no ARC runner tfvars (%s), so the overlay deploys no runners and the preflight has no scale set to look for", overlay.TfvarsGlob),
			TfvarsAction())
	}
	for _, st := range m.Stacks {
		tv := tfvarsOf(o, st.File)
		for _, req := range Required {
			if req.tfvars == nil || tv == nil {
				continue
			}
			// Unset, a key takes its default (organization.yaml's value, whose absence is
			// reported above, or the core's); set to empty, null or a placeholder it is
			// passed to the stack as is.
			v := req.tfvars(tv)
			explicitNull := !v.Set && v.Pos.Line > 0
			if !explicitNull && (!v.Set || !Placeholder(v.Value)) {
				continue
			}
			how := absent(v)
			if explicitNull {
				how = "is null"
			}
			add(RuleMissingKey, v.Pos, fmt.Sprintf("%s %s %s; it names %s", st.File, req.Key, how, req.Why),
				fmt.Sprintf("Set %s in %s to %q (or delete the line to take the default).", req.Key, st.File, example(req.Example, owner)))
		}
		if len(st.ScaleSets) == 0 {
			add(RuleNoRunnerSet, overlay.Pos{File: st.File},
				fmt.Sprintf("%s deploys no scale set (deploy_nix_runner = false and no extra_runner_sets)", st.File),
				fmt.Sprintf("Deploy the nix lane in %s (remove deploy_nix_runner = false; set nix_runner_scale_set_name = \"<owner>-nix\") or add an extra_runner_sets entry with runner_label on a shared label.", st.File))
		}
	}
	checkValidationWorkflow(o, add)
	return r
}

// absent says how a required value is missing.
func absent(v overlay.String) string {
	switch {
	case !v.Set:
		return "is not set"
	case strings.TrimSpace(v.Value) == "":
		return "is empty"
	default:
		return fmt.Sprintf("is the placeholder %q", v.Value)
	}
}

// checkValidationWorkflow requires one workflow (of enrollment.validation_workflows when
// declared) with a job whose runs-on names a shared label.
func checkValidationWorkflow(o *overlay.Overlay, add func(string, overlay.Pos, string, string)) {
	shared := labels.NewSet(labels.Shared(o))
	var named []string
	pos := overlay.Pos{File: overlay.WorkflowsDir}
	if o.Org != nil && len(o.Org.Enrollment.ValidationWorkflows.Values) > 0 {
		named = o.Org.Enrollment.ValidationWorkflows.Strings()
		pos = o.Org.Enrollment.ValidationWorkflows.Pos
	}
	for _, wf := range o.Workflows {
		if len(named) > 0 && !slices.Contains(named, path.Base(wf.File)) {
			continue
		}
		for _, j := range wf.Jobs {
			if onShared(j, shared) {
				return
			}
		}
	}
	which := "no workflow in " + overlay.WorkflowsDir
	if len(named) > 0 {
		which = "none of enrollment.validation_workflows (" + strings.Join(named, ", ") + ")"
	}
	add(RuleNoValidationWorkflow, pos,
		which+" has a job on a shared label, so no default-branch run can prove enrollment",
		fmt.Sprintf("Add %s/validate.yml with: %s%s.", overlay.WorkflowsDir, WorkflowSnippet, initHint))
}

// onShared reports whether a job can run on a shared label: a literal runs-on label is
// one, or runs-on is an expression and the job's matrix offers one. (The workflows gate
// judges every expansion; here it is enough that a shared label is targeted at all.)
func onShared(j *overlay.Job, shared labels.Set) bool {
	expr := false
	for _, l := range j.RunsOn.Labels {
		if shared[l.Value] {
			return true
		}
		expr = expr || strings.Contains(l.Value, "${{")
	}
	if !expr || j.Matrix == nil {
		return false
	}
	for _, vs := range j.Matrix.Axes {
		for _, v := range vs {
			if shared[v.Value] {
				return true
			}
		}
	}
	for _, row := range j.Matrix.Include {
		for _, v := range row {
			if shared[v.Value] {
				return true
			}
		}
	}
	return false
}

// example fills the owner into an example value when the overlay names a real one.
func example(v, owner string) string {
	if owner == "" || Placeholder(owner) {
		return v
	}
	return strings.ReplaceAll(v, "<owner>", owner)
}

func tfvarsOf(o *overlay.Overlay, file string) *overlay.Tfvars {
	for _, tv := range o.Tfvars {
		if tv.File == file {
			return tv
		}
	}
	return nil
}

// TfvarsAction is the next action for an overlay without ARC runner tfvars. The live
// preflight gives the same sentence, so the queue lists it once.
func TfvarsAction() string {
	return fmt.Sprintf("Create %s/<owner>.tfvars with: %s%s.", path.Dir(overlay.TfvarsGlob), TfvarsSnippet, initHint)
}

// KeyAction is the next action for a missing organization.yaml key of file.
func KeyAction(req Requirement, file, owner string) string {
	return fmt.Sprintf("Set %s in %s to %s.", req.Key, file, example(req.Example, owner))
}

// RequirementOf returns the entry of Required for key.
func RequirementOf(key string) Requirement {
	for _, r := range Required {
		if r.Key == key {
			return r
		}
	}
	panic("enrollment: no requirement " + key)
}
