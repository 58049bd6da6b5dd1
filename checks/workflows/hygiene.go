package workflows

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghexpr"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// sharedJob is a job that runs on a shared self-hosted label.
type sharedJob struct {
	job *overlay.Job
	use sharedUse
}

// credentialPolicy is what organization.yaml says about credentials: which may be handed
// to actions/checkout by trusted jobs, and which are retired. Names are upper case (GitHub
// secret names are case-insensitive); the job token is GITHUB_TOKEN.
type credentialPolicy struct {
	checkout map[string]bool
	retired  map[string]overlay.String // name -> its declaration
	file     string
}

func newCredentialPolicy(o *overlay.Overlay) credentialPolicy {
	p := credentialPolicy{checkout: map[string]bool{}, retired: map[string]overlay.String{}, file: overlay.OrgFile}
	if o == nil || o.Org == nil {
		return p
	}
	if o.Org.File != "" {
		p.file = o.Org.File
	}
	e := o.Org.Enrollment
	for _, v := range e.RetiredCredentials.Values {
		p.retired[strings.ToUpper(strings.TrimSpace(v.Value))] = v
	}
	// Explicitly declared core-read credentials exist to check out the core; the checkout
	// list names any other. The built-in defaults are not a declaration.
	for _, l := range []overlay.StringList{e.PreferredCredentials, e.FallbackCredentials, e.CheckoutCredentials} {
		for _, v := range l.Values {
			n := credentialName(v.Value)
			if _, gone := p.retired[n]; !gone {
				p.checkout[n] = true
			}
		}
	}
	return p
}

// credentialName normalizes a declared name; github.token and GITHUB_TOKEN are the same.
func credentialName(s string) string {
	n := strings.ToUpper(strings.TrimSpace(s))
	if n == "GITHUB.TOKEN" {
		return "GITHUB_TOKEN"
	}
	return n
}

var (
	fullSHA   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	anySHA    = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)
	dockerPin = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
)

// checkSteps applies the step hygiene rules to one job on a shared label.
func (c *gateRun) checkSteps(wf *overlay.Workflow, job *overlay.Job, use sharedUse) {
	for i, st := range job.Steps {
		uses := strings.TrimSpace(st.Uses.Value)
		if uses == "" {
			continue
		}
		step := stepName(st, i) // cheap: only a name or an index
		c.checkActionPinned(wf, job, use, st, step)
		if isCheckout(uses) {
			c.checkCheckout(wf, job, use, st, step)
		}
	}
}

func stepName(s overlay.Step, i int) string {
	if s.Name.Value != "" {
		return fmt.Sprintf("step %q", s.Name.Value)
	}
	return fmt.Sprintf("step #%d", i+1)
}

// isCheckout reports actions/checkout at any ref.
func isCheckout(uses string) bool {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(uses)), "@")
	return name == "actions/checkout"
}

// checkActionPinned requires a full commit SHA for every action but local ones and docker
// images pinned by digest: a tag or branch can be moved to other code after review, and the
// code runs on a runner other jobs share.
func (c *gateRun) checkActionPinned(wf *overlay.Workflow, job *overlay.Job, use sharedUse, st overlay.Step, step string) {
	uses := strings.TrimSpace(st.Uses.Value)
	id := job.ID.Value
	on := func() string { return fmt.Sprintf("job %q runs on shared self-hosted label %q", id, use.label) }
	switch {
	case strings.HasPrefix(uses, "./"):
		return
	case strings.HasPrefix(uses, "docker://"):
		if dockerPin.MatchString(uses) {
			return
		}
		c.add(RuleActionNotPinned, finding.Blocker, st.Uses.Pos,
			fmt.Sprintf("%s and %s runs the container image %s by tag, not by digest", on(), step, strings.TrimPrefix(uses, "docker://")),
			fmt.Sprintf("Pin the image of %s in job %q of %s by digest: uses: docker://<image>@sha256:<digest> (docker buildx imagetools inspect <image> prints it).", step, id, wf.File))
		return
	}
	action, ref, ok := strings.Cut(uses, "@")
	if !ok {
		return // GitHub rejects uses: without a ref; nothing to pin
	}
	if fullSHA.MatchString(ref) {
		return
	}
	what := fmt.Sprintf("a tag or branch (%q), which can be moved to other code", ref)
	version := ref
	switch {
	case strings.Contains(ref, "${{"):
		what = fmt.Sprintf("an expression (%q)", ref)
	case anySHA.MatchString(ref) && len(ref) < 40:
		what, version = fmt.Sprintf("an abbreviated commit (%q)", ref), "<version>"
	case anySHA.MatchString(ref) && len(ref) == 40:
		what, version = fmt.Sprintf("an upper-case commit (%q)", ref), "<version>"
	}
	owner, repo, _ := strings.Cut(action, "/")
	repo, _, _ = strings.Cut(repo, "/")
	c.add(RuleActionNotPinned, finding.Blocker, st.Uses.Pos,
		fmt.Sprintf("%s and %s uses %s at %s, not a full commit SHA", on(), step, action, what),
		fmt.Sprintf("Pin %s in job %q of %s to the full commit SHA with the version as a comment: uses: %s@<40-hex> # %s (gh api repos/%s/%s/commits/%s --jq .sha prints it).",
			action, id, wf.File, action, version, owner, repo, strings.ToLower(ref)))
}

// checkCheckout requires persist-credentials: false and keeps credentials out of checkouts
// that untrusted events reach or that the overlay has not declared.
func (c *gateRun) checkCheckout(wf *overlay.Workflow, job *overlay.Job, use sharedUse, st overlay.Step, step string) {
	id := job.ID.Value
	on := func() string { return fmt.Sprintf("job %q runs on shared self-hosted label %q", id, use.label) }
	pc, set := st.With["persist-credentials"]
	switch {
	case !set:
		c.add(RuleCheckoutPersistCredentials, finding.Blocker, st.Uses.Pos,
			fmt.Sprintf("%s and %s checks out without persist-credentials: false, so the token stays in .git/config on the shared runner for every later step", on(), step),
			fmt.Sprintf("Add persist-credentials: false under with: of %s in job %q of %s; a step that must push gets the token explicitly.", step, id, wf.File))
	case !strings.EqualFold(strings.TrimSpace(pc.Value), "false"):
		c.add(RuleCheckoutPersistCredentials, finding.Blocker, pc.Pos,
			fmt.Sprintf("%s and %s sets persist-credentials: %s; only a literal false keeps the token out of .git/config on the shared runner", on(), step, pc.Value),
			fmt.Sprintf("Set persist-credentials: false under with: of %s in job %q of %s.", step, id, wf.File))
	}
	for _, input := range []string{"token", "ssh-key"} {
		v, ok := st.With[input]
		if !ok || !strings.Contains(v.Value, "${{") {
			continue
		}
		for _, cred := range checkoutCredentials(v.Value) {
			c.judgeCheckoutCredential(wf, job, step, input, v, cred)
		}
	}
}

// checkoutCredentials names the credentials a with: value carries: stored secrets
// (secrets.NAME; "" when computed) and the job token (github.token, secrets.GITHUB_TOKEN).
func checkoutCredentials(value string) []string {
	var out []string
	for _, r := range ghexpr.SecretRefsInTemplate(value, false) {
		out = append(out, credentialName(r.Name))
	}
	for _, r := range ghexpr.ContextRefsInTemplate(value, "github") {
		if strings.EqualFold(r.Name, "token") {
			out = append(out, "GITHUB_TOKEN")
		}
	}
	return out
}

func (c *gateRun) judgeCheckoutCredential(wf *overlay.Workflow, job *overlay.Job, step, input string, v overlay.String, cred string) {
	id := job.ID.Value
	what := "secrets." + cred
	switch cred {
	case "":
		what = "a secret with a computed name"
	case "GITHUB_TOKEN":
		what = "the job token (github.token)"
	}
	if _, retired := c.creds.retired[cred]; retired && cred != "" {
		return // workflows/retired-credential reports it
	}
	untrusted := ""
	events, allowed := c.reach.events(wf), c.allowed(wf, job)
	for _, e := range append([]string{pullRequestTarget}, pullRequestEvents...) {
		if _, ok := events[e]; ok && allowed.Has(e) {
			untrusted = e
			break
		}
	}
	switch {
	case untrusted != "":
		c.add(RuleCheckoutCredential, finding.Blocker, v.Pos,
			fmt.Sprintf("%s in job %q hands %s to actions/checkout (%s:), and %s reaches the job: code from a pull request runs next to that credential on a shared runner", step, id, what, input, untrusted),
			fmt.Sprintf("Drop %s: from the checkout, or gate job %q in %s to trusted events %s and keep the credential declared in enrollment.credentials of %s.", input, id, wf.File, trustedGate, c.creds.file))
	case cred == "" || !c.creds.checkout[cred]:
		name := cred
		if name == "" {
			name = "<NAME>"
		}
		c.add(RuleCheckoutCredential, finding.Blocker, v.Pos,
			fmt.Sprintf("%s in job %q hands %s to actions/checkout (%s:), but organization.yaml does not declare that credential for checkouts", step, id, what, input),
			fmt.Sprintf("Declare it in %s under enrollment.credentials (preferred/fallback for the core-read credential, else checkout: [%s]), or drop %s: from the checkout in %s.", c.creds.file, name, input, wf.File))
	}
}

// checkWorkflowPermissions requires a workflow-level permissions: block that is read-only,
// in workflows with a job on a shared label. Without the block every job that sets none
// gets the repository's default token, which the gate cannot see and which is write for
// older repositories and many organizations; a job that needs more says so itself.
//
// A workflow only other workflows call (on: workflow_call alone) runs with its caller's
// token, which the caller's own block sets; it needs none of its own.
func (c *gateRun) checkWorkflowPermissions(wf *overlay.Workflow) {
	if len(c.onShared) == 0 || onlyCalled(wf) {
		return
	}
	var bare []string
	for _, sj := range c.onShared {
		if sj.job.Permissions == nil {
			bare = append(bare, sj.job.ID.Value)
		}
	}
	first := c.onShared[0]
	at := wf.OnPos
	if !at.IsValid() {
		at = overlay.Pos{File: wf.File}
	}
	next := fmt.Sprintf("Add permissions: contents: read at the top level of %s (next to on:), and grant write scopes only on the jobs that need them.", wf.File)
	switch {
	case wf.Permissions == nil && len(bare) > 0:
		c.add(RuleDefaultPermissions, finding.Blocker, at,
			fmt.Sprintf("%s declares no workflow-level permissions:, so %s on shared self-hosted label %q %s the repository's default token, which may be write", wf.File, jobNames(bare), first.use.label, verb(bare, "gets", "get")),
			next)
	case wf.Permissions == nil:
		c.add(RuleDefaultPermissions, finding.Warning, at,
			fmt.Sprintf("%s declares no workflow-level permissions:; its jobs on shared labels set their own, but a job added later would get the repository's default token", wf.File),
			next)
	case wf.Permissions.Shorthand.Value == "write-all":
		c.add(RuleWorkflowWritePermissions, finding.Blocker, wf.Permissions.Shorthand.Pos,
			fmt.Sprintf("%s grants permissions: write-all at workflow level, to every job including %s on shared self-hosted label %q", wf.File, jobNames([]string{first.job.ID.Value}), first.use.label),
			fmt.Sprintf("Replace the workflow-level permissions: of %s with contents: read and grant write scopes on the jobs that need them.", wf.File))
	default:
		for _, scope := range sortedKeys(wf.Permissions.Scopes) {
			if v := wf.Permissions.Scopes[scope]; v.Value == "write" {
				c.add(RuleWorkflowWritePermissions, finding.Blocker, v.Pos,
					fmt.Sprintf("%s grants %s: write at workflow level, to every job including %s on shared self-hosted label %q", wf.File, scope, jobNames([]string{first.job.ID.Value}), first.use.label),
					fmt.Sprintf("Move %s: write from the workflow-level permissions: of %s to the jobs that need it; keep the workflow default read-only.", scope, wf.File))
			}
		}
	}
}

func verb(ids []string, one, many string) string {
	if len(ids) == 1 {
		return one
	}
	return many
}

// checkRetired reports every reference to a retired credential, in any job: a retired
// name that a workflow still reads either fails at run time or keeps a credential alive
// that the overlay says is gone.
func (c *gateRun) checkRetired(wf *overlay.Workflow) {
	if len(c.creds.retired) == 0 {
		return
	}
	report := func(ref overlay.SecretRef, where string) {
		decl, ok := c.creds.retired[strings.ToUpper(ref.Name)]
		if !ok || ref.Name == "" {
			return
		}
		c.add(RuleRetiredCredential, finding.Blocker, ref.Pos,
			fmt.Sprintf("%s references secrets.%s, which %s retires (%s:%d)", where, ref.Name, c.creds.file, decl.Pos.File, decl.Pos.Line),
			fmt.Sprintf("Replace secrets.%s in %s with the credential that replaced it (enrollment.credentials.preferred), then delete the secret; or remove %s from enrollment.credentials.retired in %s if it is still in use.", ref.Name, wf.File, ref.Name, c.creds.file))
	}
	for _, ref := range wf.SecretRefs {
		report(ref, "the workflow-level env of "+wf.File)
	}
	for _, job := range wf.Jobs {
		for _, ref := range job.SecretRefs {
			report(ref, fmt.Sprintf("job %q of %s", job.ID.Value, wf.File))
		}
	}
}

func onlyCalled(wf *overlay.Workflow) bool {
	for _, e := range wf.On {
		if !strings.EqualFold(strings.TrimSpace(e.Name.Value), "workflow_call") {
			return false
		}
	}
	return len(wf.On) > 0
}
