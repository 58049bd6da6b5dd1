package pins

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// Options are the pins gate flags.
type Options struct {
	// ExpectedCoreRef is --expected-core-ref / GF_EXPECTED_CORE_REF: a 40-hex SHA (compared
	// directly) or a branch/tag name (resolved through Resolver). Empty skips the check.
	ExpectedCoreRef string
	// Resolver resolves a non-SHA ExpectedCoreRef; nil means no hermetic route exists
	// (GF_CORE_PATH unset), which is reported as a blocker when a name must be resolved.
	Resolver coreref.Resolver
	// Live is set by the live preflight, whose Resolver already asks GitHub: an unresolved
	// name is then reported without suggesting the live preflight as the way out.
	Live bool
	// SkipWorkflowPins leaves pins/workflow-pin out (neither evaluated nor registered): a
	// caller that evaluates it with the workflows, through CheckWorkflowPins, sets it. The
	// Bazel rules do, so that an edited workflow re-runs the workflows test alone.
	SkipWorkflowPins bool
}

// Default file names used in positions when the model has none (a missing file).
const (
	orgFile    = "config/organization.yaml"
	moduleFile = "MODULE.bazel"
)

// Next actions repeated by several findings; identical strings are listed once in the
// report's enrollment queue.
const (
	actionRefresh = "Refresh both pins together to the selected core commit: gfenroll pin <sha> (or just pin-refresh), then rerun the strict preflight; do not change runner labels or live ARC state to work around pin drift."
)

// pin is one well-formed core pin the gate found.
type pin struct {
	sha  string
	pos  overlay.Pos
	what string // "config/organization.yaml core.pinned_commit"
}

// gateRun carries one evaluation.
type gateRun struct {
	o    *overlay.Overlay
	opts Options
	r    *finding.Report

	module string // core.module_name ("" when undeclared)
	repo   string // core.repository ("" when undeclared)

	orgPin    *pin
	modulePin *pin
}

// Check evaluates the core pin contract of one overlay. The report has Rules() registered
// and findings appended; the caller merges, marks expected warnings and finalizes.
func Check(ctx context.Context, o *overlay.Overlay, opts Options) *finding.Report {
	r := &finding.Report{}
	for _, rule := range Rules() {
		if !(opts.SkipWorkflowPins && IsWorkflowRule(rule.ID)) {
			r.AddRules(rule)
		}
	}
	if o == nil {
		return r
	}
	c := &gateRun{o: o, opts: opts, r: r}
	c.checkOrg()
	c.checkModule()
	c.checkDrift()
	c.checkExpected(ctx)
	if !opts.SkipWorkflowPins {
		c.checkWorkflows()
	}
	return r
}

// CheckWorkflowPins evaluates the workflow rules alone (IsWorkflowRule): the core
// references workflows carry,
// compared with the overlay's pin (organization.yaml, else MODULE.bazel). Problems with
// those two files are the business of Check and are not reported here. Together with
// Options.SkipWorkflowPins it lets a caller judge workflow files without the pin files'
// other rules, and the pin files without the workflows.
func CheckWorkflowPins(o *overlay.Overlay) *finding.Report {
	r := &finding.Report{}
	for _, rule := range Rules() {
		if IsWorkflowRule(rule.ID) {
			r.AddRules(rule)
		}
	}
	if o == nil {
		return r
	}
	// Locate the reference pin; the findings of that pass belong to Check.
	c := &gateRun{o: o, r: &finding.Report{}}
	c.checkOrg()
	c.checkModule()
	c.r = r
	c.checkWorkflows()
	return r
}

func (c *gateRun) add(rule string, sev finding.Severity, pos overlay.Pos, msg, next string) {
	c.r.Add(finding.Finding{Rule: rule, Severity: sev, Position: pos, Message: msg, NextAction: next})
}

// checkOrg reads core.{module_name, repository, pinned_commit}.
func (c *gateRun) checkOrg() {
	org := c.o.Org
	if org == nil {
		c.add(RuleOrgPinMissing, finding.Blocker, overlay.Pos{File: orgFile},
			"there is no config/organization.yaml, so the overlay has no core.pinned_commit",
			"Create config/organization.yaml with core.repository, core.module_name and core.pinned_commit set to the selected core commit.")
		return
	}
	file := fileOr(org.File, orgFile)
	core := org.Core
	c.module = strings.TrimSpace(core.ModuleName.Value)
	c.repo = strings.TrimSpace(core.Repository.Value)
	for _, f := range []struct {
		key string
		v   overlay.String
		eg  string
	}{
		{"core.module_name", core.ModuleName, "the core's Bazel module name, as in its MODULE.bazel module(name = ...)"},
		{"core.repository", core.Repository, "owner/name of the core repository, e.g. tinyland-inc/GloriousFlywheel"},
	} {
		if strings.TrimSpace(f.v.Value) == "" {
			c.add(RuleCoreUndeclared, finding.Blocker, finding.PosOr(f.v.Pos, core.Pos, file),
				fmt.Sprintf("%s does not set %s, so the core pin cannot be located or verified", file, f.key),
				fmt.Sprintf("Set %s in %s to %s.", f.key, file, f.eg))
		}
	}

	p := core.PinnedCommit
	v := strings.TrimSpace(p.Value)
	switch {
	case v == "":
		c.add(RuleOrgPinMissing, finding.Blocker, finding.PosOr(p.Pos, core.Pos, file),
			fmt.Sprintf("%s has no core.pinned_commit", file),
			fmt.Sprintf("Set core.pinned_commit in %s to the selected core commit, together with the MODULE.bazel git_override commit: gfenroll pin <sha>.", file))
	case !coreref.IsFullSHA(v):
		c.add(RuleMalformed, finding.Blocker, finding.PosOr(p.Pos, core.Pos, file),
			fmt.Sprintf("%s core.pinned_commit %q is %s", file, p.Value, malformedWhy(v)),
			fmt.Sprintf("Replace core.pinned_commit in %s with the full 40-character lowercase commit SHA, together with MODULE.bazel: gfenroll pin <sha>.", file))
	default:
		c.orgPin = &pin{sha: v, pos: finding.PosOr(p.Pos, core.Pos, file), what: file + " core.pinned_commit"}
	}
	for _, a := range org.Enrollment.AuthorityPins {
		if v := strings.TrimSpace(a.Commit.Value); !coreref.IsFullSHA(v) {
			c.add(RuleMalformed, finding.Blocker, finding.PosOr(a.Commit.Pos, a.Pos, file),
				fmt.Sprintf("%s enrollment.authority_pins commit %q is %s", file, a.Commit.Value, malformedWhy(v)),
				fmt.Sprintf("Set the authority pin's commit in %s to the full 40-character lowercase commit SHA the named workflows run.", file))
		}
	}
}

// malformedWhy says what is wrong with a pin that is not a full lowercase SHA.
func malformedWhy(v string) string {
	l := strings.ToLower(v)
	switch {
	case coreref.IsFullSHA(l):
		return "upper case; pins are compared as lowercase SHAs"
	case isHex(l) && len(l) < 40:
		return fmt.Sprintf("an abbreviated commit (%d of 40 hex digits)", len(l))
	case isHex(l):
		return fmt.Sprintf("%d hex digits, not 40", len(l))
	default:
		return "not a commit SHA (a branch or tag name moves; pin the full 40-hex commit)"
	}
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f') {
			return false
		}
	}
	return true
}

// checkModule finds bazel_dep + git_override for the core in MODULE.bazel.
func (c *gateRun) checkModule() {
	m := c.o.Module
	if m == nil {
		c.add(RuleModulePinMissing, finding.Blocker, overlay.Pos{File: moduleFile},
			"there is no MODULE.bazel, so the overlay does not consume the core through Bzlmod",
			c.addPinAction(moduleFile))
		return
	}
	file := fileOr(m.File, moduleFile)
	if c.module == "" {
		// Without core.module_name nothing in MODULE.bazel can be identified as the core
		// (pins/core-undeclared says so); still catch overrides of the core repository.
		c.checkOtherModules(file, nil)
		return
	}

	c.checkModuleName(m, file)
	var dep *overlay.BazelDep
	for i := range m.Deps {
		if m.Deps[i].Name.Value == c.module {
			dep = &m.Deps[i]
			break
		}
	}
	var core []*overlay.Override
	for i := range m.Overrides {
		if m.Overrides[i].ModuleName.Value == c.module {
			core = append(core, &m.Overrides[i])
		}
	}

	if dep == nil {
		pos := overlay.Pos{File: file}
		if len(core) > 0 {
			pos = core[0].Pos
		}
		msg := fmt.Sprintf("%s has no bazel_dep(name = %q), so the overlay does not consume the core through Bzlmod", file, c.module)
		if len(core) > 0 {
			msg = fmt.Sprintf("%s overrides %q but has no bazel_dep(name = %q); an override without the dependency pins nothing", file, c.module, c.module)
		}
		c.add(RuleModulePinMissing, finding.Blocker, pos, msg, c.addPinAction(file))
	}
	if len(core) == 0 {
		pos := overlay.Pos{File: file}
		if dep != nil {
			pos = dep.Pos
		}
		if dep != nil {
			c.add(RuleModulePinMissing, finding.Blocker, pos,
				fmt.Sprintf("%s has bazel_dep(name = %q) but no git_override for it, so the core version floats with the registry", file, c.module),
				c.addPinAction(file))
		}
		c.checkOtherModules(file, nil)
		return
	}

	var git *overlay.Override
	for i, ov := range core {
		if i > 0 {
			c.add(RuleOverrideKind, finding.Blocker, ov.Pos,
				fmt.Sprintf("%s overrides module %q more than once (%s here, %s at line %d); Bazel accepts one override per module",
					file, c.module, ov.Kind, core[0].Kind, core[0].Pos.Line),
				fmt.Sprintf("Keep exactly one git_override(module_name = %q, remote = ..., commit = ...) in %s and delete the other overrides of the core.", c.module, file))
			continue
		}
		if ov.Kind != "git_override" {
			c.add(RuleOverrideKind, finding.Blocker, ov.Pos,
				fmt.Sprintf("%s overrides the core module %q with %s%s; the core must be pinned by git_override at a commit", file, c.module, ov.Kind, overrideDetail(ov)),
				fmt.Sprintf("Replace the %s in %s with git_override(module_name = %q, remote = \"https://github.com/%s.git\", commit = \"<40-hex>\"), then run gfenroll pin <sha>.", ov.Kind, file, c.module, repoOr(c.repo)))
			continue
		}
		git = ov
	}
	if git != nil {
		c.checkCoreGitOverride(file, git)
	}
	var skip *overlay.Override
	if git != nil {
		skip = git
	}
	c.checkOtherModules(file, skip)
}

// checkModuleName catches a core.module_name that MODULE.bazel does not know while it
// overrides exactly one module from the core repository: the names disagree, and the
// overlay's file is what to correct (Bazel would reject an override whose name is not the
// fetched module's). The checks then continue with the module MODULE.bazel uses.
func (c *gateRun) checkModuleName(m *overlay.ModuleFile, file string) {
	if c.repo == "" {
		return
	}
	for _, d := range m.Deps {
		if d.Name.Value == c.module {
			return
		}
	}
	var names []string
	var first *overlay.Override
	for i := range m.Overrides {
		ov := &m.Overrides[i]
		if ov.ModuleName.Value == c.module {
			return
		}
		if ov.Kind == "git_override" && SameRepository(ov.Remote.Value, c.repo) && !slices.Contains(names, ov.ModuleName.Value) {
			names = append(names, ov.ModuleName.Value)
			first = ov
		}
	}
	if len(names) != 1 || names[0] == "" {
		return
	}
	org := c.o.Org
	c.add(RuleModuleNameMismatch, finding.Blocker, finding.PosOr(org.Core.ModuleName.Pos, org.Core.Pos, c.orgFile()),
		fmt.Sprintf("core.module_name %q in %s disagrees with MODULE.bazel, which overrides the core repository %s as module %q (%s)", c.module, c.orgFile(), c.repo, names[0], finding.PosOr(first.ModuleName.Pos, first.Pos, file)),
		fmt.Sprintf("Set core.module_name in %s to %q, the name MODULE.bazel consumes the core under.", c.orgFile(), names[0]))
	c.module = names[0]
}

func overrideDetail(ov *overlay.Override) string {
	switch {
	case ov.Path.Value != "":
		return fmt.Sprintf(" (path %q: whatever that checkout holds, unpinned)", ov.Path.Value)
	case len(ov.URLs.Values) > 0:
		return " (an archive URL, not a commit the pin contract can compare)"
	case ov.Kind == "single_version_override":
		return " (a registry version, not the core commit)"
	}
	return ""
}

func (c *gateRun) addPinAction(file string) string {
	return fmt.Sprintf("Add bazel_dep(name = %q, version = ...) and git_override(module_name = %q, remote = \"https://github.com/%s.git\", commit = \"<40-hex>\") to %s, then run gfenroll pin <sha> to set both pins.",
		moduleOr(c.module), moduleOr(c.module), repoOr(c.repo), file)
}

func (c *gateRun) checkCoreGitOverride(file string, ov *overlay.Override) {
	// remote
	switch remote := strings.TrimSpace(ov.Remote.Value); {
	case remote == "":
		c.add(RuleRemoteMismatch, finding.Blocker, finding.PosOr(ov.Remote.Pos, ov.Pos, file),
			fmt.Sprintf("the core git_override in %s has no remote", file),
			fmt.Sprintf("Set remote = \"https://github.com/%s.git\" in the git_override(module_name = %q) of %s.", repoOr(c.repo), c.module, file))
	case c.repo != "" && !SameRepository(remote, c.repo):
		remotePos := finding.PosOr(ov.Remote.Pos, ov.Pos, file)
		repoPos := finding.PosOr(c.o.Org.Core.Repository.Pos, c.o.Org.Core.Pos, c.orgFile())
		next := fmt.Sprintf("Make core.repository in %s and the remote of git_override(module_name = %q) in %s name the same repository, the canonical core: the build fetches %s today. Correct the one that names a fork or a typo; never move the build to a fork to match organization.yaml.",
			c.orgFile(), c.module, file, remote)
		c.add(RuleRemoteMismatch, finding.Blocker, repoPos,
			fmt.Sprintf("core.repository %q names another repository than the core git_override remote %q (%s), which is what the build fetches", c.repo, remote, remotePos), next)
		c.add(RuleRemoteMismatch, finding.Blocker, remotePos,
			fmt.Sprintf("the core git_override remote %q is not core.repository %q (%s)", remote, c.repo, repoPos), next)
	}

	commit := strings.TrimSpace(ov.Commit.Value)
	floating := ""
	switch {
	case ov.Tag.Value != "":
		floating = fmt.Sprintf("tag = %q", ov.Tag.Value)
	case ov.Branch.Value != "":
		floating = fmt.Sprintf("branch = %q", ov.Branch.Value)
	}
	if floating != "" {
		c.add(RuleOverrideKind, finding.Blocker, finding.PosOr(firstSetPos(ov.Tag, ov.Branch), ov.Pos, file),
			fmt.Sprintf("the core git_override in %s follows %s instead of a commit, so the Bzlmod pin can move without a change to the overlay", file, floating),
			fmt.Sprintf("Replace %s with commit = \"<40-hex>\" in the git_override(module_name = %q) of %s: gfenroll pin <sha>.", floating, c.module, file))
	}
	switch {
	case commit == "" && floating == "":
		c.add(RuleModulePinMissing, finding.Blocker, ov.Pos,
			fmt.Sprintf("the core git_override in %s has no commit", file),
			fmt.Sprintf("Add commit = \"<40-hex>\" to the git_override(module_name = %q) of %s: gfenroll pin <sha>.", c.module, file))
	case commit == "":
	case !coreref.IsFullSHA(commit):
		c.add(RuleMalformed, finding.Blocker, finding.PosOr(ov.Commit.Pos, ov.Pos, file),
			fmt.Sprintf("%s git_override commit %q is %s", file, ov.Commit.Value, malformedWhy(commit)),
			fmt.Sprintf("Replace the git_override commit in %s with the full 40-character lowercase commit SHA, together with core.pinned_commit: gfenroll pin <sha>.", file))
	default:
		c.modulePin = &pin{sha: commit, pos: finding.PosOr(ov.Commit.Pos, ov.Pos, file), what: file + " git_override commit"}
	}
}

// checkOtherModules finds overrides of other modules that fetch the core repository: a
// second core version brought in under another module name.
func (c *gateRun) checkOtherModules(file string, coreOverride *overlay.Override) {
	if c.repo == "" {
		return
	}
	ref := c.refPin()
	for i := range c.o.Module.Overrides {
		ov := &c.o.Module.Overrides[i]
		if ov == coreOverride || (c.module != "" && ov.ModuleName.Value == c.module) {
			continue
		}
		switch ov.Kind {
		case "git_override":
			if !SameRepository(ov.Remote.Value, c.repo) {
				continue
			}
			commit := strings.ToLower(strings.TrimSpace(ov.Commit.Value))
			if ref != nil && commit == ref.sha {
				continue // a second module of the core repository at the same commit
			}
			at := "at commit " + quoteOr(ov.Commit.Value, "(none)")
			if ov.Tag.Value != "" {
				at = fmt.Sprintf("at tag %q", ov.Tag.Value)
			} else if ov.Branch.Value != "" {
				at = fmt.Sprintf("at branch %q", ov.Branch.Value)
			}
			c.add(RuleCoreRemoteOtherModule, finding.Blocker, finding.PosOr(ov.Commit.Pos, ov.Pos, file),
				fmt.Sprintf("git_override(module_name = %q) in %s fetches the core repository %s %s%s", ov.ModuleName.Value, file, c.repo, at, c.vsRef(ref)),
				fmt.Sprintf("Pin git_override(module_name = %q) in %s to the core commit as well (commit = %q), or remove it if the module is not needed.", ov.ModuleName.Value, file, shaOr(ref)))
		case "archive_override":
			for _, u := range ov.URLs.Values {
				if !archiveFromRepo(u.Value, c.repo) {
					continue
				}
				if ref != nil && strings.Contains(strings.ToLower(u.Value), ref.sha) {
					continue
				}
				c.add(RuleCoreRemoteOtherModule, finding.Blocker, finding.PosOr(u.Pos, ov.Pos, file),
					fmt.Sprintf("archive_override(module_name = %q) in %s downloads the core repository %s from %q%s", ov.ModuleName.Value, file, c.repo, u.Value, c.vsRef(ref)),
					fmt.Sprintf("Fetch module %q from the core commit (git_override with commit = %q) in %s, or remove the override.", ov.ModuleName.Value, shaOr(ref), file))
				break
			}
		}
	}
}

func (c *gateRun) vsRef(ref *pin) string {
	if ref == nil {
		return ""
	}
	return fmt.Sprintf(", not the core pin %s", ref.sha)
}

// refPin is the overlay's core pin used as reference for secondary pins: the
// organization.yaml pin when well formed, else the MODULE.bazel one.
func (c *gateRun) refPin() *pin {
	if c.orgPin != nil {
		return c.orgPin
	}
	return c.modulePin
}

func (c *gateRun) checkDrift() {
	o, m := c.orgPin, c.modulePin
	if o == nil || m == nil {
		return
	}
	if o.sha == m.sha {
		c.add(RuleDrift, finding.OK, o.pos,
			fmt.Sprintf("pins agree at %s (%s and %s)", o.sha, o.what, m.what), "")
		return
	}
	followOrg, followModule := c.followers(o.sha), c.followers(m.sha)
	moved, kept, followers := o, m, followModule
	switch {
	case len(followModule) > 0 && len(followOrg) == 0:
	case len(followOrg) > 0 && len(followModule) == 0:
		moved, kept, followers = m, o, followOrg
	default:
		c.add(RuleDrift, finding.Blocker, o.pos,
			fmt.Sprintf("core pin drift: %s is %s but %s (%s) is %s", o.what, o.sha, m.what, m.pos, m.sha),
			actionRefresh)
		return
	}
	c.add(RuleDrift, finding.Blocker, moved.pos,
		fmt.Sprintf("core pin drift: %s moved to %s alone; %s (%s) and %s still follow %s", moved.what, moved.sha, kept.what, kept.pos, pinList(followers), kept.sha),
		fmt.Sprintf("If %s is the selected core commit, refresh every pin to it: gfenroll pin %s, then set the workflow pins (%s) to it; otherwise set %s back to %s. Rerun the strict preflight; do not change runner labels or live ARC state to work around pin drift.",
			moved.sha, moved.sha, pinFiles(followers), moved.what, kept.sha))
}

// followers lists the literal workflow pins at sha (for telling which pin moved).
func (c *gateRun) followers(sha string) []workflowPin {
	var out []workflowPin
	for _, wf := range c.o.Workflows {
		if wf == nil {
			continue
		}
		for _, wp := range c.literalPins(wf) {
			if wp.sha == sha {
				out = append(out, wp)
			}
		}
	}
	return out
}

func pinList(wps []workflowPin) string {
	const show = 3
	var at []string
	for i, wp := range wps {
		if i == show {
			at = append(at, fmt.Sprintf("%d more", len(wps)-show))
			break
		}
		at = append(at, wp.pos.String())
	}
	noun := "workflow pins"
	if len(wps) == 1 {
		noun = "workflow pin"
	}
	return fmt.Sprintf("%d %s (%s)", len(wps), noun, strings.Join(at, ", "))
}

func pinFiles(wps []workflowPin) string {
	var files []string
	for _, wp := range wps {
		if !slices.Contains(files, wp.pos.File) {
			files = append(files, wp.pos.File)
		}
	}
	return strings.Join(files, ", ")
}

func (c *gateRun) checkExpected(ctx context.Context) {
	ref := strings.TrimSpace(c.opts.ExpectedCoreRef)
	if ref == "" {
		return
	}
	pins := c.validPins()
	if len(pins) == 0 {
		return // nothing to compare; the missing/malformed pins are already blockers
	}
	sha, isSHA := coreref.NormalizeSHA(ref)
	how := "given as a commit"
	if !isSHA {
		if c.opts.Resolver == nil {
			c.add(RuleExpectedRef, finding.Blocker, overlay.Pos{},
				fmt.Sprintf("expected core ref %q is not a 40-hex commit and cannot be resolved hermetically: no local core checkout is configured (%s is unset)", ref, coreref.EnvCorePath),
				unresolvableAction(ref))
			return
		}
		resolved, err := c.opts.Resolver.Resolve(ctx, ref)
		if err != nil && c.opts.Live {
			c.add(RuleExpectedRef, finding.Blocker, overlay.Pos{},
				fmt.Sprintf("expected core ref %q cannot be resolved: %v", ref, err),
				"Check that --expected-core-ref / GF_EXPECTED_CORE_REF names a branch, tag or commit of the core (or pass its full 40-hex SHA) and that GitHub answers, then rerun the strict preflight.")
			return
		}
		if err != nil {
			c.add(RuleExpectedRef, finding.Blocker, overlay.Pos{},
				fmt.Sprintf("expected core ref %q cannot be resolved hermetically: %v", ref, err),
				unresolvableAction(ref))
			return
		}
		sha = resolved
		how = "resolved through " + coreref.Describe(c.opts.Resolver)
	}
	label := ref
	if !isSHA {
		label = fmt.Sprintf("%s (%s, %s)", ref, sha, how)
	}
	mismatch := false
	for _, p := range pins {
		if p.sha != sha {
			mismatch = true
			c.add(RuleExpectedRef, finding.Blocker, p.pos,
				fmt.Sprintf("%s %s is not the expected core ref %s", p.what, p.sha, label),
				fmt.Sprintf("Refresh both pins together to the expected core commit: gfenroll pin %s (or just pin-refresh), then rerun the strict preflight; if the expected ref is wrong, correct --expected-core-ref / GF_EXPECTED_CORE_REF instead.%s", sha, c.workflowPinsAt(p.sha)))
		}
	}
	if !mismatch {
		c.add(RuleExpectedRef, finding.OK, pins[0].pos,
			fmt.Sprintf("core pins are the expected core ref %s", label), "")
	}
}

func unresolvableAction(ref string) string {
	return fmt.Sprintf("Set %s to a core checkout that has fetched %q, pass the full 40-hex commit SHA as --expected-core-ref / GF_EXPECTED_CORE_REF, or run the live preflight (gfenroll preflight --expected-core-ref %s), which resolves the ref through GitHub.", coreref.EnvCorePath, ref, ref)
}

func (c *gateRun) validPins() []*pin {
	var out []*pin
	for _, p := range []*pin{c.orgPin, c.modulePin} {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

func (c *gateRun) orgFile() string {
	if c.o.Org != nil && c.o.Org.File != "" {
		return c.o.Org.File
	}
	return orgFile
}

func fileOr(f, def string) string {
	if f != "" {
		return f
	}
	return def
}

func firstSetPos(ss ...overlay.String) overlay.Pos {
	for _, s := range ss {
		if s.Value != "" {
			return s.Pos
		}
	}
	return overlay.Pos{}
}

func repoOr(r string) string {
	if r == "" {
		return "<core.repository>"
	}
	return strings.TrimSuffix(repoPath(r), ".git")
}

func moduleOr(m string) string {
	if m == "" {
		return "<core.module_name>"
	}
	return m
}

func shaOr(p *pin) string {
	if p == nil {
		return "<core commit>"
	}
	return p.sha
}

func quoteOr(s, def string) string {
	if s == "" {
		return def
	}
	return fmt.Sprintf("%q", s)
}
