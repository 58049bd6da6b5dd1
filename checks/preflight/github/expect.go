package github

import (
	"path"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/labels"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Default credential policy: the deploy key is preferred, the read token is a
// compatibility fallback, the Attic secrets are context.
var (
	DefaultPreferred = []string{"GF_CORE_DEPLOY_KEY"}
	DefaultFallback  = []string{"GF_CORE_READ_TOKEN"}
	DefaultInfo      = []string{"ATTIC_TOKEN", "ATTIC_PUBLIC_KEY"}
)

// Expectations is what the overlay says the GitHub probes should find.
type Expectations struct {
	// Repo is the overlay repository, owner/name.
	Repo string
	// RepoPos is where Repo was declared (owner.repository), or zero for --repo.
	RepoPos finding.Position
	// CoreRepo is core.repository (for the deploy-key next action).
	CoreRepo string

	// Credential policy: Actions secret names. Preferred and Fallback both empty means the
	// overlay retired the core-read credential row (no finding).
	Preferred, Fallback, Info []string
	CredentialsPos            finding.Position
	// Retired are credential names the overlay retired (enrollment.credentials.retired):
	// already removed from Preferred, Fallback and Info, so never demanded or counted.
	Retired []string

	// Validation are the workflows whose default-branch runs prove enrollment. Empty means
	// every workflow of the repository.
	Validation []Workflow
	// SharedLabels are the capability labels a proving job must have run on.
	SharedLabels []string

	// RunnerGroup is the declared runner group to compare with GitHub (nil: none).
	RunnerGroup *RunnerGroupExpect
	// App is the owner's GitHub App installation step 1 asks for (nil: no owner named).
	App *AppExpect
}

// Workflow is one validation workflow.
type Workflow struct {
	// File is the path in the repository (".github/workflows/validate.yml").
	File string
	// Pos is where it was named: the enrollment.validation_workflows item, or the runs-on
	// that targets a shared label in the overlay's copy of the workflow.
	Pos finding.Position
	// Dispatchable reports a workflow_dispatch trigger in the overlay's copy, so the next
	// action can be "gh workflow run".
	Dispatchable bool
}

// ExpectationsFor derives the expectations from a loaded overlay; repo overrides
// owner.repository when not empty (--repo).
func ExpectationsFor(o *overlay.Overlay, repo string) Expectations {
	e := Expectations{
		Preferred:    DefaultPreferred,
		Fallback:     DefaultFallback,
		Info:         DefaultInfo,
		SharedLabels: labels.Shared(o),
	}
	var org *overlay.OrgConfig
	if o != nil {
		org = o.Org
	}
	if org != nil {
		e.Repo = org.Owner.Repository.Value
		if org.Owner.Repository.Set {
			e.RepoPos = org.Owner.Repository.Pos
		}
		e.CoreRepo = org.Core.Repository.Value
		en := org.Enrollment
		if en.PreferredCredentials.Set {
			e.Preferred = en.PreferredCredentials.Strings()
			e.CredentialsPos = en.PreferredCredentials.Pos
		}
		if en.FallbackCredentials.Set {
			e.Fallback = en.FallbackCredentials.Strings()
			if !e.CredentialsPos.IsValid() {
				e.CredentialsPos = en.FallbackCredentials.Pos
			}
		}
		if en.InfoSecrets.Set {
			e.Info = en.InfoSecrets.Strings()
		}
		e.Retired = en.RetiredCredentials.Strings()
		e.Preferred = withoutRetired(e.Preferred, e.Retired)
		e.Fallback = withoutRetired(e.Fallback, e.Retired)
		e.Info = withoutRetired(e.Info, e.Retired)
		if len(e.Preferred) == 0 && len(e.Fallback) > 0 {
			// The preferred names are all retired: what remains is the credential to have.
			e.Preferred, e.Fallback = e.Fallback, nil
		}
	}
	if repo != "" && !strings.EqualFold(repo, e.Repo) {
		e.Repo, e.RepoPos = repo, finding.Position{}
	}
	if !e.CredentialsPos.IsValid() {
		e.CredentialsPos = e.RepoPos
	}
	e.Validation = validationWorkflows(o, org, e.SharedLabels)
	e.RunnerGroup = runnerGroupExpect(org)
	e.App = appExpect(o)
	return e
}

// withoutRetired drops retired names (GitHub secret names are case-insensitive).
func withoutRetired(names, retired []string) []string {
	var out []string
	for _, n := range names {
		gone := false
		for _, r := range retired {
			if strings.EqualFold(strings.TrimSpace(r), n) {
				gone = true
				break
			}
		}
		if !gone {
			out = append(out, n)
		}
	}
	return out
}

// validationWorkflows: the configured list when the overlay has one, else the overlay's
// workflows with a job that runs on a shared label (matrix values included), else none
// (meaning every workflow).
func validationWorkflows(o *overlay.Overlay, org *overlay.OrgConfig, shared []string) []Workflow {
	byFile := map[string]*overlay.Workflow{}
	if o != nil {
		for _, wf := range o.Workflows {
			byFile[wf.File] = wf
		}
	}
	if org != nil && org.Enrollment.ValidationWorkflows.Set {
		var out []Workflow
		for _, v := range org.Enrollment.ValidationWorkflows.Values {
			file := v.Value
			if !strings.Contains(file, "/") {
				file = ".github/workflows/" + file
			}
			w := Workflow{File: file, Pos: v.Pos}
			if wf := byFile[file]; wf != nil {
				w.Dispatchable = dispatchable(wf)
			}
			out = append(out, w)
		}
		return out
	}
	sharedSet := map[string]bool{}
	for _, l := range shared {
		sharedSet[strings.ToLower(l)] = true
	}
	var out []Workflow
	if o == nil {
		return nil
	}
	for _, wf := range o.Workflows {
		if pos, ok := sharedTarget(wf, sharedSet); ok {
			out = append(out, Workflow{File: wf.File, Pos: pos, Dispatchable: dispatchable(wf)})
		}
	}
	return out
}

// sharedTarget finds the first runs-on (or matrix value feeding one) naming a shared label.
func sharedTarget(wf *overlay.Workflow, shared map[string]bool) (finding.Position, bool) {
	for _, job := range wf.Jobs {
		for _, l := range job.RunsOn.Labels {
			if shared[strings.ToLower(strings.TrimSpace(l.Value))] {
				return l.Pos, true
			}
		}
		if job.Matrix == nil || !job.RunsOn.Set || !mentionsMatrix(job.RunsOn) {
			continue
		}
		for _, vals := range job.Matrix.Axes {
			for _, v := range vals {
				if shared[strings.ToLower(v.Value)] {
					return job.RunsOn.Pos, true
				}
			}
		}
		for _, row := range job.Matrix.Include {
			for _, v := range row {
				if shared[strings.ToLower(v.Value)] {
					return job.RunsOn.Pos, true
				}
			}
		}
	}
	return finding.Position{}, false
}

func mentionsMatrix(r overlay.RunsOn) bool {
	for _, l := range r.Labels {
		if strings.Contains(l.Value, "matrix.") {
			return true
		}
	}
	return false
}

func dispatchable(wf *overlay.Workflow) bool {
	for _, ev := range wf.On {
		if ev.Name.Value == "workflow_dispatch" {
			return true
		}
	}
	return false
}

// base is the workflow file name the per-workflow runs endpoint takes.
func (w Workflow) base() string { return path.Base(w.File) }
