package pins

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/ghexpr"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/workflows"
)

// pinEnvName matches env names that carry a core commit: GF_CORE_REF, CORE_REF,
// GF_EXPECTED_CORE_REF, GLORIOUS_FLYWHEEL_CORE_COMMIT, GF_CORE_SHA, GF_CORE_PINNED_COMMIT.
var pinEnvName = regexp.MustCompile(`(?i)(^|_)CORE(_PINNED)?_(REF|COMMIT|SHA)$`)

// DefaultCoreRefEnv is the workflow env name that carries the core commit in every
// overlay; enrollment.core_ref_env adds others.
const DefaultCoreRefEnv = "GF_CORE_REF"

// CoreRefEnvNames are the workflow env names that carry the core commit, upper case:
// DefaultCoreRefEnv and the names of enrollment.core_ref_env.
func CoreRefEnvNames(o *overlay.Overlay) map[string]bool {
	names := map[string]bool{DefaultCoreRefEnv: true}
	if o != nil && o.Org != nil {
		for _, v := range o.Org.Enrollment.CoreRefEnv.Values {
			names[strings.ToUpper(strings.TrimSpace(v.Value))] = true
		}
	}
	return names
}

// MovedByPinUpdate reports whether the workflow-level env value k of wf is one that
// gfenroll pin moves with the two pins (a core ref env name; see CoreRefEnvNames).
func MovedByPinUpdate(names map[string]bool, k string) bool { return names[strings.ToUpper(k)] }

// workflowPin is one literal 40-hex core pin found in a workflow.
type workflowPin struct {
	sha   string
	pos   overlay.Pos
	where string // human description: "env GF_CORE_REF of job deploy"
	key   string // what to edit: "jobs.deploy.env.GF_CORE_REF"
}

// wfPass is the judgement of one workflow's core references.
type wfPass struct {
	c        *gateRun
	wf       *overlay.Workflow
	ref      *pin
	names    map[string]bool // core ref env names, upper case (see isCore)
	inScope  map[*overlay.Job]string
	anyScope bool
	used     map[string]bool // authority commits this workflow used
}

// checkWorkflows judges the core references of the overlay's workflows: on jobs that run
// on a shared self-hosted label every reference must be the pin (blockers), elsewhere a
// literal pin that differs is a pins/workflow-pin warning. A declared authority pin is
// allowed in the workflows it names.
func (c *gateRun) checkWorkflows() {
	ref := c.refPin()
	if ref == nil {
		return // no well-formed overlay pin to compare with; already a blocker
	}
	scope := workflows.NewScope(c.o)
	names := CoreRefEnvNames(c.o)
	usedAuthority := map[string]map[string]bool{} // workflow file -> commits used
	for _, wf := range c.o.Workflows {
		if wf == nil {
			continue
		}
		p := &wfPass{c: c, wf: wf, ref: ref, names: names, inScope: map[*overlay.Job]string{}, used: map[string]bool{}}
		for _, j := range wf.Jobs {
			if l, ok := scope.SharedLabel(j); ok {
				p.inScope[j] = l
				p.anyScope = true
			}
		}
		p.run()
		usedAuthority[wf.File] = p.used
	}
	c.checkAuthorityUse(usedAuthority)
}

// acceptable reports whether sha may appear in wf: the overlay pin, during drift either
// pin (pins/drift reports the one that moved), or an authority pin declared for wf.
func (c *gateRun) acceptable(wf *overlay.Workflow, sha string) (ok bool, authority *overlay.AuthorityPin) {
	for _, p := range c.validPins() {
		if p.sha == sha {
			return true, nil
		}
	}
	if a := c.authorityFor(wf.File, sha); a != nil {
		return true, a
	}
	return false, nil
}

// authorityFor finds the declared authority pin of commit sha naming workflow file.
func (c *gateRun) authorityFor(file, sha string) *overlay.AuthorityPin {
	if c.o.Org == nil {
		return nil
	}
	for i := range c.o.Org.Enrollment.AuthorityPins {
		a := &c.o.Org.Enrollment.AuthorityPins[i]
		if strings.TrimSpace(a.Commit.Value) != sha {
			continue
		}
		for _, w := range a.Workflows.Values {
			if workflowNamed(w.Value, file) {
				return a
			}
		}
	}
	return nil
}

// workflowNamed matches a declared workflow (deploy.yml or .github/workflows/deploy.yml).
func workflowNamed(declared, file string) bool {
	d := strings.TrimPrefix(strings.TrimSpace(declared), "./")
	if !strings.Contains(d, "/") {
		return path.Base(file) == d
	}
	return path.Clean(d) == file
}

func (p *wfPass) run() {
	p.checkEnv()
	for _, j := range p.wf.Jobs {
		if j == nil {
			continue
		}
		p.checkJobUses(j)
		label, in := p.inScope[j]
		jp := stepPass{wfPass: p, job: j, st: &overlay.Step{}, label: label, in: in}
		jp.checkLowerEnv(j.Env, fmt.Sprintf("job %q", j.ID.Value), fmt.Sprintf("jobs.%s.env.", j.ID.Value))
		for i := range j.Steps {
			st := &j.Steps[i]
			sp := stepPass{wfPass: p, job: j, st: st, i: i, label: label, in: in}
			sp.checkLowerEnv(st.Env, fmt.Sprintf("step %s of job %q", sp.name(), j.ID.Value), fmt.Sprintf("jobs.%s.steps[%d].env.", j.ID.Value, i))
			sp.checkUses()
			sp.checkCheckout()
			if in {
				sp.checkReads()
				sp.checkRun()
			}
		}
	}
}

// isCore reports a core ref env name; expressions read env case-insensitively.
func (p *wfPass) isCore(name string) bool { return p.names[strings.ToUpper(name)] }

// pinText is how messages name the pin values must have.
func (p *wfPass) pinText() string {
	return fmt.Sprintf("the core pin %s (%s)", p.ref.sha, p.ref.what)
}

func (p *wfPass) addPinWarning(wp workflowPin) {
	p.c.r.Add(finding.Finding{
		Rule:     RuleWorkflowPin,
		Severity: finding.Warning,
		Position: wp.pos,
		Message:  fmt.Sprintf("%s in %s pins the core at %s, but the overlay's core pin (%s) is %s", wp.where, p.wf.File, wp.sha, p.ref.what, p.ref.sha),
		NextAction: fmt.Sprintf("Set %s in %s to %s together with the pins, or, if this workflow deliberately runs another core authority commit, declare it in enrollment.authority_pins of %s (commit, workflows, reason).",
			wp.key, p.wf.File, p.ref.sha, p.c.orgFile()),
	})
}

// judgeOutside judges a literal value that names a core commit outside the shared
// runners: only a differing 40-hex pin is a (warning) finding, as before the shared-runner
// rules existed.
func (p *wfPass) judgeOutside(value string, wp workflowPin) {
	sha, ok := coreref.NormalizeSHA(value)
	if !ok {
		return
	}
	if fine, a := p.c.acceptable(p.wf, sha); fine {
		p.noteAuthority(a)
		return
	}
	wp.sha = sha
	p.addPinWarning(wp)
}

func (p *wfPass) noteAuthority(a *overlay.AuthorityPin) {
	if a != nil {
		p.used[strings.TrimSpace(a.Commit.Value)] = true
	}
}

// refProblem says what is wrong with a core ref value on a shared runner ("" when it is
// acceptable here).
func (p *wfPass) refProblem(value string) string {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return "empty, so the default branch is used"
	case strings.Contains(v, "${{") || strings.Contains(v, "$"):
		return fmt.Sprintf("%q, computed at run time, so it can name any commit", v)
	case coreref.IsFullSHA(v):
		if ok, a := p.c.acceptable(p.wf, v); ok {
			p.noteAuthority(a)
			return ""
		}
		return fmt.Sprintf("%s, another commit than %s", v, p.pinText())
	}
	return fmt.Sprintf("%q, %s", v, malformedWhy(v))
}

// checkEnv judges the workflow-level core ref env values.
func (p *wfPass) checkEnv() {
	for _, k := range sortedKeys(p.wf.Env) {
		v := p.wf.Env[k]
		switch {
		case p.isCore(k) && p.anyScope:
			if why := p.refProblem(v.Value); why != "" {
				p.c.add(RuleWorkflowCoreRefEnv, finding.Blocker, v.Pos,
					fmt.Sprintf("the workflow-level %s of %s is %s; jobs on shared runners build against it", k, p.wf.File, why),
					fmt.Sprintf("Set env.%s at the top of %s to the pinned commit %s (gfenroll pin %s moves it together with organization.yaml and MODULE.bazel).", k, p.wf.File, p.ref.sha, p.ref.sha))
			}
		case pinEnvName.MatchString(k) && p.anyScope:
			if sha, ok := coreref.NormalizeSHA(v.Value); ok {
				if why := p.refProblem(sha); why != "" {
					p.c.add(RuleWorkflowCoreRefEnv, finding.Blocker, v.Pos,
						fmt.Sprintf("the workflow-level %s of %s pins the core at %s", k, p.wf.File, why),
						fmt.Sprintf("Set env.%s in %s to the pinned commit %s, or declare the commit in enrollment.authority_pins of %s if this workflow deliberately runs it.", k, p.wf.File, p.ref.sha, p.c.orgFile()))
				}
			}
		case pinEnvName.MatchString(k) || p.isCore(k):
			p.judgeOutside(v.Value, workflowPin{pos: v.Pos, where: "env " + k, key: "env." + k})
		}
	}
}

// checkJobUses judges jobs.<id>.uses of a core reusable workflow: it runs on the core's
// shared labels whatever the calling job says, so it is always judged.
func (p *wfPass) checkJobUses(j *overlay.Job) {
	target, ref, ok := p.c.coreUses(j.Uses.Value)
	if !ok {
		return
	}
	if why := p.refProblem(ref); why != "" {
		p.c.add(RuleWorkflowCoreUses, finding.Blocker, j.Uses.Pos,
			fmt.Sprintf("job %q of %s calls the core's reusable workflow %s at %s", j.ID.Value, p.wf.File, target, why),
			fmt.Sprintf("Call %s@%s (the pinned commit) in job %q of %s.", target, p.ref.sha, j.ID.Value, p.wf.File))
	}
}

type stepPass struct {
	*wfPass
	job   *overlay.Job
	st    *overlay.Step
	i     int
	label string
	in    bool
}

func (s *stepPass) name() string { return stepLabel(*s.st, s.i) }

func (s *stepPass) where() string {
	return fmt.Sprintf("step %s of job %q (on shared label %q)", s.name(), s.job.ID.Value, s.label)
}

// env looks up a variable as the step sees it: step env, then job env, then workflow env.
func (s *stepPass) env(name string) (overlay.String, bool) {
	for _, m := range []map[string]overlay.String{s.st.Env, s.job.Env, s.wf.Env} {
		if v, ok := m[name]; ok {
			return v, true
		}
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
	}
	return overlay.String{}, false
}

func (s *stepPass) checkUses() {
	target, ref, ok := s.c.coreUses(s.st.Uses.Value)
	if !ok {
		return
	}
	if !s.in {
		s.judgeOutside(ref, workflowPin{pos: s.st.Uses.Pos,
			where: fmt.Sprintf("step %s (uses %s) in job %s", s.name(), s.st.Uses.Value, s.job.ID.Value),
			key:   fmt.Sprintf("jobs.%s.steps[%d].uses", s.job.ID.Value, s.i)})
		return
	}
	if why := s.refProblem(ref); why != "" {
		s.c.add(RuleWorkflowCoreUses, finding.Blocker, s.st.Uses.Pos,
			fmt.Sprintf("%s in %s uses the core's %s at %s", s.where(), s.wf.File, target, why),
			fmt.Sprintf("Use %s@%s (the pinned commit) in %s of job %q in %s.", target, s.ref.sha, s.name(), s.job.ID.Value, s.wf.File))
	}
}

// checkCheckout judges actions/checkout of the core repository.
func (s *stepPass) checkCheckout() {
	repoVal := s.st.With["repository"]
	if !isCheckout(s.st.Uses.Value) || s.c.repo == "" || !SameRepository(repoVal.Value, s.c.repo) {
		return
	}
	ref, has := s.st.With["ref"]
	key := fmt.Sprintf("jobs.%s.steps[%d].with.ref", s.job.ID.Value, s.i)
	if !s.in {
		if has {
			s.judgeOutside(ref.Value, workflowPin{pos: ref.Pos,
				where: fmt.Sprintf("actions/checkout of %s (step %s in job %s)", s.c.repo, s.name(), s.job.ID.Value), key: key})
		}
		return
	}
	next := fmt.Sprintf("Set ref: %s (the pinned commit) on the checkout of %s in %s of job %q in %s, or ref: ${{ env.%s }} with env.%s: %s at the top of the workflow.",
		s.ref.sha, s.c.repo, s.name(), s.job.ID.Value, s.wf.File, DefaultCoreRefEnv, DefaultCoreRefEnv, s.ref.sha)
	if !has || strings.TrimSpace(ref.Value) == "" {
		at := repoVal.Pos
		if has {
			at = ref.Pos
		}
		s.c.add(RuleWorkflowCoreCheckout, finding.Blocker, at,
			fmt.Sprintf("%s in %s checks out the core repository %s without a ref:, so it gets the default branch, not %s", s.where(), s.wf.File, s.c.repo, s.pinText()),
			next)
		return
	}
	value := ref.Value
	if name, ok := envReference(value); ok {
		if s.isCore(name) {
			return // the core ref env rules judge the variable itself
		}
		v, found := s.env(name)
		if !found {
			s.c.add(RuleWorkflowCoreCheckout, finding.Blocker, ref.Pos,
				fmt.Sprintf("%s in %s checks out the core at ${{ env.%s }}, which no env: sets: an empty ref gets the default branch", s.where(), s.wf.File, name),
				next)
			return
		}
		value = v.Value
	}
	if why := s.refProblem(value); why != "" {
		s.c.add(RuleWorkflowCoreCheckout, finding.Blocker, ref.Pos,
			fmt.Sprintf("%s in %s checks out the core repository %s at %s", s.where(), s.wf.File, s.c.repo, why),
			next)
	}
}

// envReference reads a value that is exactly ${{ env.NAME }} (or env['NAME']).
func envReference(v string) (string, bool) {
	sp, ok := ghexpr.IsSingle(v)
	if !ok {
		return "", false
	}
	n, err := ghexpr.Parse(sp.Expr)
	if err != nil {
		return "", false
	}
	path, ok := ghexpr.Path(n)
	refs := ghexpr.ContextRefs(sp.Expr, "env")
	if !ok || len(path) != 2 || path[0] != "env" || len(refs) != 1 {
		return "", false
	}
	return refs[0].Name, true // as written: Path lowers the case
}

// checkReads judges reads of a core ref env name that nothing sets.
func (s *stepPass) checkReads() {
	type read struct {
		name string
		pos  overlay.Pos
	}
	var reads []read
	scan := func(v string, at func(off int) overlay.Pos) {
		for _, r := range ghexpr.ContextRefsInTemplate(v, "env") {
			if s.isCore(r.Name) {
				reads = append(reads, read{r.Name, at(r.Off)})
			}
		}
	}
	for _, m := range []map[string]overlay.String{s.st.With, s.st.Env} {
		for _, k := range sortedKeys(m) {
			v := m[k]
			scan(v.Value, func(int) overlay.Pos { return v.Pos })
		}
	}
	if s.st.Run.Set {
		scan(s.st.Run.Value, s.st.Run.At)
	}
	for _, r := range reads {
		if _, ok := s.env(r.name); ok {
			continue
		}
		s.c.add(RuleWorkflowCoreRefEnv, finding.Blocker, r.pos,
			fmt.Sprintf("%s in %s reads ${{ env.%s }}, but the workflow sets no %s: the value is empty and a checkout or flake reference gets the default branch", s.where(), s.wf.File, r.name, r.name),
			fmt.Sprintf("Add env.%s: %s (the pinned commit) at the top of %s.", r.name, s.ref.sha, s.wf.File))
	}
}

// checkLowerEnv judges core pins in a job or step env: on a shared runner a core ref env
// name is declared at workflow level only, and another *_CORE_REF/COMMIT/SHA value must be
// the pin; elsewhere a differing literal pin is a warning.
func (s *stepPass) checkLowerEnv(env map[string]overlay.String, level, keyPrefix string) {
	for _, k := range sortedKeys(env) {
		v := env[k]
		switch {
		case !s.isCore(k) && !pinEnvName.MatchString(k):
		case !s.in:
			s.judgeOutside(v.Value, workflowPin{pos: v.Pos, where: fmt.Sprintf("env %s of %s", k, level), key: keyPrefix + k})
		case s.isCore(k):
			s.defined(k, v, level, keyPrefix+k)
		default:
			if sha, ok := coreref.NormalizeSHA(v.Value); ok {
				if why := s.refProblem(sha); why != "" {
					s.c.add(RuleWorkflowCoreRefEnv, finding.Blocker, v.Pos,
						fmt.Sprintf("env %s of %s in %s pins the core at %s", k, level, s.wf.File, why),
						fmt.Sprintf("Set %s%s in %s to the pinned commit %s, or declare the commit in enrollment.authority_pins of %s if this workflow deliberately runs it.", keyPrefix, k, s.wf.File, s.ref.sha, s.c.orgFile()))
				}
			}
		}
	}
}

func (s *stepPass) defined(name string, v overlay.String, level, key string) {
	over := "defines"
	if _, ok := s.wf.Env[name]; ok {
		over = "overrides the workflow-level"
	}
	s.c.add(RuleWorkflowCoreRefEnv, finding.Blocker, v.Pos,
		fmt.Sprintf("%s in %s %s %s (%q); the core ref is declared once, at workflow level, so no job can drift from it", level, s.wf.File, over, name, v.Value),
		fmt.Sprintf("Delete %s from %s and set env.%s: %s (the pinned commit) at the top of the workflow.", key, s.wf.File, name, s.ref.sha))
}

// checkRun judges core fetches in a run: script.
func (s *stepPass) checkRun() {
	for _, f := range coreFetches(s.st.Run.Value, s.c.repo) {
		rev := f.rev
		if exp, ok := s.expand(rev); ok {
			rev = exp
		}
		if f.cmd == "git fetch" {
			for _, a := range f.args {
				if ok, auth := s.c.acceptable(s.wf, a); ok {
					s.noteAuthority(auth)
					rev = a
				}
			}
		}
		why := ""
		switch {
		case rev == "" && strings.HasPrefix(f.cmd, "git "):
			why = "outside the pinned checkout (a clone or fetch follows the remote's branches)"
		case rev == "":
			why = "without a revision, so it gets the default branch"
		default:
			why = s.refProblem(rev)
		}
		if why == "" {
			continue
		}
		if rev != "" && !strings.HasPrefix(why, "outside") {
			why = "at " + why
		}
		s.c.add(RuleWorkflowCoreFetch, finding.Blocker, s.st.Run.At(f.off),
			fmt.Sprintf("%s in %s runs %s on the core (%s) %s", s.where(), s.wf.File, f.cmd, f.ref, why),
			fmt.Sprintf("Build from the pinned checkout (actions/checkout of %s with ref: %s) or name the pinned commit in the reference: github:%s/%s#<attr>.", s.c.repo, s.ref.sha, repoOr(s.c.repo), s.ref.sha))
	}
}

// expand replaces ${{ env.X }}, $X and ${X} with the values the step sees; false when one
// cannot be known.
func (s *stepPass) expand(v string) (string, bool) {
	if !strings.Contains(v, "$") {
		return v, true
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		switch {
		case strings.HasPrefix(v[i:], "${{"):
			end := strings.Index(v[i:], "}}")
			if end < 0 {
				return v, false
			}
			name, ok := envReference(v[i : i+end+2])
			val, found := s.env(name)
			if !ok || !found {
				return v, false
			}
			b.WriteString(val.Value)
			i += end + 2
		case v[i] == '$':
			j := i + 1
			braced := j < len(v) && v[j] == '{'
			if braced {
				j++
			}
			k := j
			for k < len(v) && (v[k] == '_' || v[k] >= 'A' && v[k] <= 'Z' || v[k] >= 'a' && v[k] <= 'z' || v[k] >= '0' && v[k] <= '9') {
				k++
			}
			val, found := s.env(v[j:k])
			if k == j || !found || (braced && (k >= len(v) || v[k] != '}')) {
				return v, false
			}
			b.WriteString(val.Value)
			if braced {
				k++
			}
			i = k
		default:
			b.WriteByte(v[i])
			i++
		}
	}
	return b.String(), true
}

// checkAuthorityUse reports declared authority pins that no named workflow uses (the
// declaration outlived the deploy it was for) and says, once per workflow, which declared
// authority commit a workflow runs.
func (c *gateRun) checkAuthorityUse(used map[string]map[string]bool) {
	if c.o.Org == nil {
		return
	}
	for _, a := range c.o.Org.Enrollment.AuthorityPins {
		sha := strings.TrimSpace(a.Commit.Value)
		if !coreref.IsFullSHA(sha) {
			continue // pins/malformed
		}
		if len(a.Workflows.Values) == 0 {
			c.add(RuleWorkflowPin, finding.Warning, a.Pos,
				fmt.Sprintf("enrollment.authority_pins declares commit %s for no workflow, so it allows nothing", sha),
				fmt.Sprintf("List the workflows that run %s under workflows: of the entry in %s, or remove the entry.", sha, c.orgFile()))
		}
		for _, w := range a.Workflows.Values {
			var files []string
			for f := range used {
				if workflowNamed(w.Value, f) {
					files = append(files, f)
				}
			}
			sort.Strings(files)
			usedHere := false
			for _, f := range files {
				if used[f][sha] {
					usedHere = true
					reason := strings.TrimSpace(a.Reason.Value)
					if reason == "" {
						reason = "no reason given"
					}
					c.add(RuleWorkflowPin, finding.Info, w.Pos,
						fmt.Sprintf("%s runs the core at the declared authority commit %s (%s), not the overlay pin", f, sha, reason), "")
				}
			}
			if !usedHere {
				what := "does not use it"
				if len(files) == 0 {
					what = "is not a workflow of this overlay"
				}
				c.add(RuleWorkflowPin, finding.Warning, w.Pos,
					fmt.Sprintf("enrollment.authority_pins declares commit %s for %s, which %s", sha, w.Value, what),
					fmt.Sprintf("Remove %s from the authority pin's workflows in %s (or the whole entry when no workflow runs %s any more).", w.Value, c.orgFile(), sha))
			}
		}
	}
}

// coreUses reads "<core owner>/<core name>[/path]@<ref>" (a core composite action or
// reusable workflow) into its target and ref.
func (c *gateRun) coreUses(uses string) (target, ref string, ok bool) {
	if c.repo == "" || uses == "" {
		return "", "", false
	}
	target, ref, ok = strings.Cut(strings.TrimSpace(uses), "@")
	if !ok {
		return "", "", false
	}
	parts := strings.SplitN(target, "/", 3)
	if len(parts) < 2 || !SameRepository(parts[0]+"/"+parts[1], c.repo) {
		return "", "", false
	}
	return target, ref, true
}

// literalPins lists a workflow's literal 40-hex core pins (env *_CORE_REF/COMMIT/SHA,
// core checkouts, core uses) in every job: what pins/drift counts to tell which of two
// disagreeing pins moved.
func (c *gateRun) literalPins(wf *overlay.Workflow) []workflowPin {
	var out []workflowPin
	envPins := func(env map[string]overlay.String) {
		for _, k := range sortedKeys(env) {
			if !pinEnvName.MatchString(k) {
				continue
			}
			if sha, ok := coreref.NormalizeSHA(env[k].Value); ok {
				out = append(out, workflowPin{sha: sha, pos: env[k].Pos})
			}
		}
	}
	uses := func(u overlay.String) {
		if _, ref, ok := c.coreUses(u.Value); ok {
			if sha, ok := coreref.NormalizeSHA(ref); ok {
				out = append(out, workflowPin{sha: sha, pos: u.Pos})
			}
		}
	}
	envPins(wf.Env)
	for _, j := range wf.Jobs {
		if j == nil {
			continue
		}
		envPins(j.Env)
		uses(j.Uses)
		for _, s := range j.Steps {
			envPins(s.Env)
			uses(s.Uses)
			if isCheckout(s.Uses.Value) && c.repo != "" && SameRepository(s.With["repository"].Value, c.repo) {
				if sha, ok := coreref.NormalizeSHA(s.With["ref"].Value); ok {
					out = append(out, workflowPin{sha: sha, pos: s.With["ref"].Pos})
				}
			}
		}
	}
	return out
}

func isCheckout(uses string) bool {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(uses)), "@")
	return name == "actions/checkout"
}

func stepLabel(s overlay.Step, i int) string {
	if s.Name.Value != "" {
		return fmt.Sprintf("%q", s.Name.Value)
	}
	return fmt.Sprintf("#%d", i+1)
}

func sortedKeys(m map[string]overlay.String) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// workflowPinsAt is the part of a pin-refresh next action that names the literal workflow
// pins of the core now at one of shas that gfenroll pin does not move itself (it moves the
// workflow-level core ref env values that follow the pins), so following the advice leaves
// no workflow behind.
func (c *gateRun) workflowPinsAt(shas ...string) string {
	var at []string
	for _, wf := range c.o.Workflows {
		if wf == nil {
			continue
		}
		for _, wp := range c.literalPins(wf) {
			if slices.Contains(shas, wp.sha) && !c.movedByPin(wf, wp.pos) {
				at = append(at, wp.pos.String())
			}
		}
	}
	if len(at) == 0 {
		return ""
	}
	return " Move the workflow pins of the core with them (" + strings.Join(at, ", ") + "), or declare a workflow that deliberately stays under enrollment.authority_pins."
}

// movedByPin: the literal pin at pos is a workflow-level core ref env value, which
// gfenroll pin moves itself.
func (c *gateRun) movedByPin(wf *overlay.Workflow, pos overlay.Pos) bool {
	names := CoreRefEnvNames(c.o)
	for k, v := range wf.Env {
		if v.Pos == pos && MovedByPinUpdate(names, k) {
			return true
		}
	}
	return false
}
